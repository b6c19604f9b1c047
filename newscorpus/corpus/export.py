"""Exports: every matching document as JSON lines, CSV or Parquet, streamed in batches so memory stays bounded
however many there are, with full text, metadata, what the NLP found, the cluster and provenance (URL, fetch
time, content hash, WARC file and offset). The caller writes the manifest (app.export.export_matches)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from newscorpus.corpus.store import Store
from newscorpus.errors import StorageError

_BATCH = 1_000  # documents read, converted and written at a time (a Parquet row group)

_DATE = pa.struct([("text", pa.string()), ("start", pa.int32()), ("end", pa.int32()), ("value", pa.string()),
                   ("type", pa.string()), ("range_ends", pa.list_(pa.string()))])
_PLACE = pa.struct([("text", pa.string()), ("start", pa.int32()), ("end", pa.int32()), ("name", pa.string()),
                    ("geonameid", pa.int64()), ("lat", pa.float64()), ("lon", pa.float64()),
                    ("country_code", pa.string()), ("admin1", pa.string())])
_LAW = pa.struct([("text", pa.string()), ("start", pa.int32()), ("end", pa.int32()), ("name", pa.string()),
                  ("year", pa.int32()), ("section", pa.string()), ("jurisdiction", pa.string()),
                  ("alias", pa.string())])
_ENTITY = pa.struct([("text", pa.string()), ("start", pa.int32()), ("end", pa.int32()), ("label", pa.string())])
_FOCUS = pa.struct([("country_code", pa.string()), ("admin1", pa.string()), ("name", pa.string()),
                    ("share", pa.float64())])
SCHEMA = pa.schema([
    ("id", pa.int64()), ("url", pa.string()), ("canonical_url", pa.string()), ("source", pa.string()),
    ("title", pa.string()), ("authors", pa.list_(pa.string())), ("published", pa.timestamp("s", tz="UTC")),
    ("published_offset", pa.string()), ("published_precision", pa.string()),
    ("fetched_at", pa.string()), ("language", pa.string()), ("text", pa.string()), ("content_hash", pa.string()),
    ("cluster_id", pa.int64()), ("warc_file", pa.string()), ("warc_offset", pa.int64()), ("warc_length", pa.int64()),
    ("dates", pa.list_(_DATE)), ("places", pa.list_(_PLACE)), ("laws", pa.list_(_LAW)),
    ("entities", pa.list_(_ENTITY)), ("focus", pa.list_(_FOCUS)),
])
FIELDS = tuple(SCHEMA.names)
_NESTED = {"authors", "dates", "places", "laws", "entities", "focus"}


def rows(store: Store, ids: Sequence[int]) -> Iterator[list[dict[str, Any]]]:
    """The export records of the documents `ids`, in batches, in the order given."""
    for start in range(0, len(ids), _BATCH):
        chunk = list(ids[start:start + _BATCH])
        documents = store.get_documents(chunk)
        annotations = store.annotations_for(chunk)
        batch = []
        for doc_id in chunk:
            doc = documents.get(doc_id)
            if doc is None:  # removed since the search
                continue
            found = annotations[doc_id].to_dict()
            batch.append({
                "id": doc.id, "url": doc.url, "canonical_url": doc.canonical_url, "source": doc.source,
                "title": doc.title, "authors": list(doc.authors), **_published(doc.published, doc.published_offset),
                "fetched_at": doc.fetched_at, "language": doc.language, "text": doc.text,
                "content_hash": doc.content_hash, "cluster_id": doc.cluster_id,
                "warc_file": doc.warc.file if doc.warc else None, "warc_offset": doc.warc.offset if doc.warc else None,
                "warc_length": doc.warc.length if doc.warc else None,
                **{key: found[key] for key in ("dates", "places", "laws", "entities", "focus")},
            })
        yield batch


def _published(value: str | None, offset: str | None) -> dict[str, Any]:
    """The publication time as one typed UTC timestamp, the offset the page wrote it with, and its precision (a
    page that gave only a date: "day", at midnight UTC)."""
    if value is None:
        return {"published": None, "published_offset": None, "published_precision": None}
    day_only = len(value) == 10
    moment = datetime.fromisoformat(value).replace(tzinfo=timezone.utc) if day_only else datetime.fromisoformat(value)
    return {"published": moment.astimezone(timezone.utc), "published_offset": offset,
            "published_precision": "day" if day_only else "second"}


def write(batches: Iterator[list[dict[str, Any]]], fmt: str, path: Path | None,
          progress: Callable[[int], None] | None = None) -> tuple[int, str, int]:
    """Write record batches to `path` (None: standard output) in a format of EXPORT_FORMATS; returns how many
    records, the SHA-256 and the size of what was written. A partial file is removed when writing fails, so a
    file at `path` is always complete."""
    partial = path.with_name(path.name + ".partial") if path is not None else None
    count = 0
    try:
        with (partial.open("wb") if partial is not None else _standard_output()) as raw:
            sink = _Digesting(raw)
            with _Writer(fmt, sink) as write_batch:
                for batch in batches:
                    write_batch(batch)
                    count += len(batch)
                    if progress:
                        progress(count)
        if partial is not None and path is not None:
            partial.replace(path)
    except OSError as exc:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise StorageError(f"cannot write the export {path or 'to standard output'}: {exc.strerror or exc}") from exc
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    return count, sink.digest.hexdigest(), sink.size


@contextmanager
def _standard_output() -> Iterator[BinaryIO]:
    yield sys.stdout.buffer  # left open: it is not ours to close
    sys.stdout.buffer.flush()


class _Digesting(io.RawIOBase):
    """Passes bytes through to a binary stream, counting them and hashing them (SHA-256) on the way."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._raw.write(view)
        self.digest.update(view)
        self.size += len(view)
        return len(view)

    def tell(self) -> int:
        return self.size


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_records(path: Path, fmt: str) -> int:
    """How many records an export file holds, read back from the file itself."""
    if fmt == "parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    with path.open(encoding="utf-8", newline="") as stream:
        if fmt == "csv":
            return sum(1 for _ in csv.DictReader(stream))
        return sum(1 for line in stream if line.strip())


def _text(value: Any) -> Any:
    """A value as JSON and CSV write it: a timestamp in ISO 8601 (UTC)."""
    return value.isoformat() if isinstance(value, datetime) else value


class _Writer:
    """A context manager that yields a function writing one batch of records to a binary sink."""

    def __init__(self, fmt: str, sink: _Digesting) -> None:
        self.fmt, self.sink = fmt, sink
        self._stream: io.TextIOWrapper | None = None
        self._parquet: pq.ParquetWriter | None = None

    def __enter__(self) -> Callable[[list[dict[str, Any]]], None]:
        if self.fmt == "parquet":
            self._parquet = pq.ParquetWriter(self.sink, SCHEMA, compression="zstd")
            return self._parquet_batch
        stream = self._stream = io.TextIOWrapper(io.BufferedWriter(self.sink), encoding="utf-8", newline="")
        if self.fmt == "csv":
            csv_writer = csv.DictWriter(stream, fieldnames=FIELDS, lineterminator="\n")
            csv_writer.writeheader()
            return lambda batch: csv_writer.writerows(
                {k: json.dumps(v, ensure_ascii=False) if k in _NESTED else _text(v) for k, v in r.items()}
                for r in batch)
        return lambda batch: stream.writelines(
            json.dumps({k: _text(v) for k, v in r.items()}, ensure_ascii=False) + "\n" for r in batch)

    def _parquet_batch(self, batch: list[dict[str, Any]]) -> None:
        assert self._parquet is not None
        if batch:
            self._parquet.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))

    def __exit__(self, *exc: object) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._stream is not None:
            self._stream.flush()
            self._stream.detach()  # the sink stays open: its owner closes it
