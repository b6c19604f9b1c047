"""Exports: every matching document as JSON lines, CSV or Parquet, streamed in batches so memory stays bounded
however many there are, with full text, metadata, what the NLP found, the cluster and provenance (URL, fetch
time, content hash, WARC file and offset). The caller writes the manifest (app.export.export_matches)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

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
    ("title", pa.string()), ("authors", pa.list_(pa.string())), ("published", pa.string()),
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
                "title": doc.title, "authors": list(doc.authors), "published": doc.published,
                "fetched_at": doc.fetched_at, "language": doc.language, "text": doc.text,
                "content_hash": doc.content_hash, "cluster_id": doc.cluster_id,
                "warc_file": doc.warc.file if doc.warc else None, "warc_offset": doc.warc.offset if doc.warc else None,
                "warc_length": doc.warc.length if doc.warc else None,
                **{key: found[key] for key in ("dates", "places", "laws", "entities", "focus")},
            })
        yield batch


def write(batches: Iterator[list[dict[str, Any]]], fmt: str, path: Path,
          progress: Callable[[int], None] | None = None) -> int:
    """Write record batches to `path` in a format of EXPORT_FORMATS; returns how many records. A partial file
    is removed when writing fails, so a file at `path` is always complete."""
    partial = path.with_name(path.name + ".partial")
    count = 0
    try:
        with _Writer(fmt, partial) as write_batch:
            for batch in batches:
                write_batch(batch)
                count += len(batch)
                if progress:
                    progress(count)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"cannot write the export {path}: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


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


class _Writer:
    """A context manager that yields a function writing one batch of records."""

    def __init__(self, fmt: str, path: Path) -> None:
        self.fmt, self.path = fmt, path
        self._stream: Any = None
        self._parquet: pq.ParquetWriter | None = None

    def __enter__(self) -> Callable[[list[dict[str, Any]]], None]:
        if self.fmt == "parquet":
            self._parquet = pq.ParquetWriter(self.path, SCHEMA, compression="zstd")
            return self._parquet_batch
        self._stream = self.path.open("w", encoding="utf-8", newline="")
        if self.fmt == "csv":
            csv_writer = csv.DictWriter(self._stream, fieldnames=FIELDS, lineterminator="\n")
            csv_writer.writeheader()
            return lambda batch: csv_writer.writerows(
                {k: json.dumps(v, ensure_ascii=False) if k in _NESTED else v for k, v in r.items()} for r in batch)
        return lambda batch: self._stream.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in batch)

    def _parquet_batch(self, batch: list[dict[str, Any]]) -> None:
        assert self._parquet is not None
        if batch:
            self._parquet.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))

    def __exit__(self, *exc: object) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._stream is not None:
            self._stream.close()
