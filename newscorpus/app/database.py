"""The store's database: create or upgrade its schema (`newscorpus db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from newscorpus.corpus import open_store
from newscorpus.corpus.store import DATABASE_NAME


def upgrade_database(data_dir: Path, database_url: str = "") -> tuple[int, int, str]:
    """Bring the store's schema to this newscorpus's: the PostgreSQL database at `database_url`, else the SQLite
    file in `data_dir` (created, with the directory, when missing). Returns the version before, the version
    after, and where the database is (a URL without its password).

    Raises StorageError when the database cannot be reached or upgraded, or is of a newer newscorpus."""
    if database_url:
        from newscorpus.config import masked
        from newscorpus.corpus.postgres import upgrade

        before, after = upgrade(database_url)
        return before, after, masked(database_url)
    from newscorpus.corpus.sqlite import file_schema_version

    path = data_dir / DATABASE_NAME
    before = file_schema_version(path)
    store = open_store(data_dir, create=True)  # a SQLite store is upgraded as it opens
    try:
        return before, int(store.schema_version), str(path)  # type: ignore[attr-defined]
    finally:
        store.close()
