"""Data directories on the store backend a test run chose (`pytest --store sqlite|postgresql`, the fixtures
`data_dir` and `make_data_dir` of tests/conftest.py), and backend-neutral ways for tests to reach a data
directory's store: as the commands open it, or with one SQL statement."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from newscorpus.config import CONFIG_FILE_NAME, load_settings
from newscorpus.corpus import Store, open_store
from newscorpus.corpus.store import DATABASE_NAME
from newscorpus.models import Document

# The make_data_dir fixture: a new data directory, named like tmp_path_factory.mktemp's
MakeDataDir = Callable[[str], Path]


def use_database(data: Path, url: str) -> None:
    """Make `data` a data directory whose store is the PostgreSQL database at `url` (the line is added to its
    settings file, so settings a test writes there later must keep it)."""
    data.mkdir(parents=True, exist_ok=True)
    with (data / CONFIG_FILE_NAME).open("a", encoding="utf-8") as settings:
        settings.write(f"database_url = {json.dumps(url)}\n")


def database_url(data: Path) -> str:
    """The PostgreSQL database of a data directory ("" for its SQLite file), as the commands resolve it."""
    return load_settings(data).database_url


def store_of(data: Path, *, read_only: bool = False, create: bool = False) -> Store:
    """A data directory's store, opened as the commands open it: on the database its settings name."""
    return open_store(data, read_only=read_only, create=create, database_url=database_url(data))


def stored_documents(data: Path) -> list[Document]:
    """Every document of a data directory's store, in id order (the store is closed again: psycopg warns of a
    connection left open)."""
    with closing(store_of(data)) as store:
        return [document for batch in store.iter_documents() for document in batch]


def sql(data: Path, statement: str, *, read_only: bool = False) -> list[tuple[Any, ...]]:
    """Run one SQL statement on a data directory's database, committed at once; returns its rows. Tests use it to
    look past the store (URL states) or to damage a corpus on purpose. `read_only` opens a SQLite file without
    writing it (as a reader beside a running crawl)."""
    url = database_url(data)
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as db:
            cursor = db.execute(statement)
            return cursor.fetchall() if cursor.description else []
    path = data / DATABASE_NAME
    target = f"file:{path}?mode=ro" if read_only else str(path)
    with closing(sqlite3.connect(target, uri=read_only, isolation_level=None)) as db:
        db.execute("PRAGMA foreign_keys = ON")  # as the store has it (PostgreSQL always checks them)
        return db.execute(statement).fetchall()
