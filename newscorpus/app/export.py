"""Exports for datasets: every match into JSON lines, CSV or Parquet with a manifest, and its verification."""

from __future__ import annotations

import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from newscorpus.app import ProgressCallback
from newscorpus.app.filters import documents_matching
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.export import count_records, sha256_of
from newscorpus.corpus.export import FIELDS as EXPORT_FIELDS
from newscorpus.corpus.export import rows as export_rows
from newscorpus.corpus.export import write as write_export
from newscorpus.corpus.index import INDEX_VERSION
from newscorpus.corpus.query import Filter, parse, with_filters
from newscorpus.errors import ConfigError, StorageError
from newscorpus.models import EXPORT_FORMATS, utc_now


def export_matches(store: Store, index: SearchIndex, settings: Settings, query: str, filters: list[Filter],
                   fmt: str, output: Path | None, progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Every document the query and filters match (no cap; syndicated copies included, with their cluster) into
    `output` (None: standard output) as JSON lines, CSV or Parquet, and beside a file a manifest (`output` +
    ".manifest.json"): the query, when, the software and model versions, the row count and the SHA-256 of what
    was written. Returns the manifest.

    Raises QueryError for a bad query, ConfigError for an unknown format, StorageError when writing fails.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
    ids = documents_matching(store, index, with_filters(parse(query), filters)) or []
    stats = store.stats()
    rows, digest, size = write_export(export_rows(store, ids), fmt, output,
                                      (lambda done: progress("export", done, len(ids))) if progress else None)
    manifest = {
        "tool": "newscorpus", "version": _version("newscorpus"),
        "created": utc_now(),
        "query": query, "filters": {f.field: f.value for f in filters},
        "format": fmt, "file": output.name if output is not None else None, "rows": rows, "bytes": size,
        "sha256": digest, "fields": list(EXPORT_FIELDS),
        "corpus": {"documents": stats["documents"], "schema_version": stats["schema_version"],
                   "index_version": INDEX_VERSION},
        "software": {"python": platform.python_version(), "spacy_model": settings.spacy_model,
                     **{name: _version(name) for name in ("spacy", settings.spacy_model.replace("_", "-"),
                                                          "trafilatura", "tantivy", "pyarrow")}},
    }
    if output is None:
        return manifest
    path = manifest_path(output)
    try:
        path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise StorageError(f"cannot write the manifest {path}: {exc.strerror or exc}") from exc
    return manifest


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".manifest.json")


def verify_export(manifest_file: Path) -> dict[str, Any]:
    """Check an export against its manifest: the file's SHA-256 and its record count. Returns the manifest.

    Raises ConfigError for an unreadable manifest, StorageError for a missing or changed file.
    """
    try:
        manifest: dict[str, Any] = json.loads(manifest_file.read_text(encoding="utf-8"))
        data = manifest_file.parent / manifest["file"]
        fmt, rows, digest = manifest["format"], int(manifest["rows"]), manifest["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"not a newscorpus export manifest: {manifest_file} ({exc})") from exc
    if not data.is_file():
        raise StorageError(f"the export {data} is missing")
    if sha256_of(data) != digest:
        raise StorageError(f"{data} has changed since it was exported: its SHA-256 differs from the manifest's")
    if count_records(data, fmt) != rows:
        raise StorageError(f"{data} holds a different number of records than the manifest's {rows}")
    return manifest


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None
