"""The SQLite store's own behaviour: its file, WAL mode, schema versions and migrations of older files (what
both backends share is in test_store_contract.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newscorpus.corpus import open_store
from newscorpus.corpus.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore
from newscorpus.corpus.store import DATABASE_NAME
from newscorpus.errors import StorageError

NOW = "2026-03-10T12:00:00+00:00"


def test_store_creates_wal_database_at_current_schema(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    assert isinstance(store, SQLiteStore)
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_store_refuses_database_from_newer_version(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StorageError, match="newer newscorpus"):
        open_store(tmp_path)


def test_store_failed_migration_leaves_database_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newscorpus.corpus import sqlite as backend

    open_store(tmp_path).close()
    broken = backend.MIGRATIONS + [(SCHEMA_VERSION + 1, "CREATE TABLE extra (x INTEGER); INSERT INTO nowhere VALUES (1);")]
    monkeypatch.setattr(backend, "MIGRATIONS", broken)
    monkeypatch.setattr(backend, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StorageError, match="migrating"):
        SQLiteStore(tmp_path / DATABASE_NAME)
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchone() is None


def test_store_rejects_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / DATABASE_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot open"):
        open_store(tmp_path)


def test_store_migrates_an_older_database_in_place_keeping_its_data(tmp_path: Path) -> None:
    from newscorpus.corpus.sqlite import MIGRATIONS

    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    db.executescript(MIGRATIONS[0][1] + "\nPRAGMA user_version = 1;")
    db.execute("INSERT INTO sources (url, kind, added_at) VALUES ('https://old.example/', 'site', ?)", (NOW,))
    db.execute("INSERT INTO documents (url, canonical_url, fetched_at, text, content_hash)"
               " VALUES ('https://old.example/a', 'https://old.example/a', ?, 'Old text.', 'h')", (NOW,))
    db.commit()
    db.close()
    store = open_store(tmp_path)
    assert store.schema_version == SCHEMA_VERSION > 1
    (source,) = store.list_sources()
    assert source.url == "https://old.example/" and source.enabled
    doc = store.get_document(1)
    assert doc is not None and doc.text == "Old text." and doc.warc is None


def test_store_migration_keeps_done_urls_done(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_NAME
    db = sqlite3.connect(path)
    for number, sql in MIGRATIONS:
        if number < 7:
            db.executescript(sql)
    db.execute("PRAGMA user_version = 6")
    db.execute("INSERT INTO urls (url, state, discovered_at) VALUES ('https://a.example/1', 'fetched', ?)", (NOW,))
    db.execute("INSERT INTO urls (url, state, discovered_at) VALUES ('https://a.example/2', 'queued', ?)", (NOW,))
    db.commit()
    db.close()
    store = open_store(tmp_path)  # schema 6 -> 7: the old 'fetched' (done) is the new 'analysed'
    assert store.stats()["urls"] == {"analysed": 1, "queued": 1}


def test_store_annotations_stored_before_their_order_column_keep_their_order(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    for number, sql in MIGRATIONS:
        if number < 9:
            db.executescript(sql)
    db.execute("PRAGMA user_version = 8")
    db.execute("INSERT INTO documents (url, canonical_url, fetched_at, text, content_hash)"
               " VALUES ('https://old.example/a', 'https://old.example/a', ?, 'Old text.', 'h')", (NOW,))
    for text, start in (("later", 50), ("earlier", 5), ("middle", 20)):  # stored in this order
        db.execute("INSERT INTO dates (document_id, start, \"end\", text, value, type) VALUES (1, ?, ?, ?, NULL, "
                   "'DATE')", (start, start + len(text), text))
    db.commit()
    db.close()
    document = open_store(tmp_path).get_document(1)
    assert document is not None and [d.text for d in document.annotations.dates] == ["later", "earlier", "middle"]
