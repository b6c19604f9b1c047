"""The SQLite store: schema versioning, sources, frontier, documents and annotations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newscorpus.corpus import open_store
from newscorpus.corpus.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore
from newscorpus.corpus.store import DATABASE_NAME
from newscorpus.errors import StorageError
from newscorpus.models import (Annotations, Article, DateMention, EntityMention, FeedItem, LawReference, PlaceMention,
                               WarcLocation)

NOW = "2026-03-10T12:00:00+00:00"


def _article(url: str = "https://news.example/a", text: str = "Body text of the article.") -> Article:
    return Article(url=url, canonical_url=url, title="A title", authors=("Ann Author",),
                   published="2026-03-10T09:00:00+00:00", language="en", text=text)


def _annotations() -> Annotations:
    return Annotations(
        dates=[DateMention("last Friday", 10, 21, "2026-03-06", "DATE"),
               DateMention("March", 25, 30, "2026-03", "DATE", ("2026-03", "2026-05"))],
        places=[PlaceMention("London", 30, 36, "London", 2643743, 51.50853, -0.12574, "GB", "England")],
        laws=[LawReference("section 1 of the Computer Misuse Act 1990", 40, 81, "Computer Misuse Act", 1990, "Section 1", "GB", "CMA")],
        entities=[EntityMention("Reuters", 90, 97, "ORG")],
    )


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


def test_store_sources_add_is_idempotent_and_remove_works(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    source, created = store.add_source("https://a.example/", "site", "A", ("africa",))
    again, created_again = store.add_source("https://a.example/", "site")
    assert created and not created_again and again.id == source.id and again.tags == ("africa",)
    assert [s.url for s in store.list_sources()] == ["https://a.example/"]
    store.record_source_result(source.id, "HTTP 500")
    assert store.get_source(source.id).consecutive_failures == 1  # type: ignore[union-attr]
    store.record_source_result(source.id, None)
    assert store.get_source(source.id).consecutive_failures == 0  # type: ignore[union-attr]
    assert store.remove_source("https://a.example/") and not store.remove_source(source.id)


def test_store_frontier_queues_each_url_once_and_tracks_state(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    items = [FeedItem("https://a.example/1", "One"), FeedItem("https://a.example/2", "Two")]
    assert store.enqueue(None, items, NOW) == 2
    assert store.enqueue(None, items, NOW) == 0
    first, second = store.queued(10, NOW)
    assert first.feed_item.title == "One"
    store.mark_failed(first.id, "HTTP 500", permanent=False, retry_at="2026-03-10T13:00:00+00:00")
    store.mark_failed(second.id, "HTTP 404", permanent=True, retry_at=None)
    assert store.queued(10, NOW) == []
    assert [q.url for q in store.queued(10, "2026-03-10T14:00:00+00:00")] == ["https://a.example/1"]
    assert store.stats()["urls"] == {"failed": 1, "failed_permanent": 1}


def test_store_document_roundtrip_keeps_annotations(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.enqueue(None, [FeedItem("https://news.example/a")], NOW)
    (queued,) = store.queued(1, NOW)
    doc_id, created = store.save_document(_article(), _annotations(), None, NOW, "hash", url_id=queued.id)
    assert created
    doc = store.get_document(doc_id)
    assert doc is not None and doc.title == "A title" and doc.authors == ("Ann Author",)
    assert doc.annotations == _annotations()
    assert store.queued(10, NOW) == []
    store.update_document(doc_id, _article(text="Rewritten."), Annotations(), "h2")
    updated = store.get_document(doc_id)
    assert updated is not None and updated.text == "Rewritten." and updated.annotations == Annotations()
    assert [d.id for d in store.unindexed_documents(10)] == [doc_id]


def test_store_saves_one_document_per_canonical_url(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first, created = store.save_document(_article(), Annotations(), None, NOW, "h1")
    second, created_again = store.save_document(_article(text="Changed."), Annotations(), None, NOW, "h2")
    assert created and not created_again and first == second
    assert store.stats()["documents"] == 1


def test_store_tracks_which_documents_are_indexed(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    ids = [store.save_document(_article(f"https://n.example/{i}"), Annotations(), None, NOW, f"h{i}")[0]
           for i in range(3)]
    assert [d.id for d in store.unindexed_documents(10)] == ids
    store.mark_indexed(ids[:2])
    assert [d.id for d in store.unindexed_documents(10)] == ids[2:]
    store.mark_all_unindexed()
    assert len(store.unindexed_documents(10)) == 3
    assert [d.id for batch in store.iter_documents(batch_size=2) for d in batch] == ids


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


def test_store_same_text_at_another_url_is_one_document_with_both_urls(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first, _ = store.save_document(_article("https://a.example/story"), Annotations(), None, NOW, "same")
    second, created = store.save_document(_article("https://b.example/copy"), Annotations(), None, NOW, "same")
    assert (second, created) == (first, False)
    assert store.other_urls(first) == ["https://b.example/copy"]
    assert store.stats()["documents"] == 1


def test_store_near_duplicates_join_the_first_copys_cluster(tmp_path: Path) -> None:
    from newscorpus.corpus.dedup import signature

    story = " ".join(f"Sentence {i} of the wire story about the flood in the valley and the rescue." for i in range(40))
    copy = "A different headline\n" + story.replace("Sentence 7 of", "Line seven of") + " Subscribe to our newsletter."
    other = " ".join(f"Item {i}: the council voted on the budget for schools and roads this year." for i in range(40))
    store = open_store(tmp_path)
    ids = [store.save_document(_article(f"https://n.example/{n}", text), Annotations(), None, NOW, f"h{n}",
                               signature=signature(text))[0] for n, text in enumerate([story, copy, other])]
    docs = store.get_documents(ids)
    assert docs[ids[0]].cluster_id == docs[ids[1]].cluster_id == ids[0]
    assert docs[ids[2]].cluster_id == ids[2]
    assert store.clusters([ids[0], ids[2]]) == {ids[0]: (ids[0], 2), ids[2]: (ids[2], 1)}


def test_store_pipeline_stages_walk_each_url_once_a_pass(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    items = [FeedItem(f"https://a.example/{n}") for n in range(4)]
    store.enqueue(None, items, NOW)
    first, second, third, fourth = store.queued(10, NOW)
    store.mark_fetched(first.id, NOW, WarcLocation("warc/x.warc.gz", 0, 10))
    store.defer(second.id, "a.example asked for a pause", "2026-03-10T13:00:00+00:00")
    store.mark_failed(third.id, "timed out", permanent=False, retry_at=NOW)  # due again at once
    # A pass walks on from its cursor: the failure due again is not taken twice in it; the next pass takes it.
    assert [q.id for q in store.queued(10, NOW, after=fourth.id)] == []
    assert [q.id for q in store.queued(10, NOW)] == [third.id, fourth.id]
    assert store.count_due(NOW, after=third.id) == 1
    (fetched,) = store.fetched(10)
    assert fetched.id == first.id and fetched.warc == WarcLocation("warc/x.warc.gz", 0, 10)
    store.save_document(_article("https://a.example/0"), Annotations(), None, NOW, "h", url_id=first.id,
                        warc=fetched.warc)
    assert store.fetched(10) == [] and [q.id for q in store.queued(10, "2026-03-10T14:00:00+00:00")] == [
        second.id, third.id, fourth.id]
    assert store.stats()["urls"] == {"analysed": 1, "deferred": 1, "failed": 1, "queued": 1}
    assert store.next_poll_time() == NOW


def test_store_host_pauses_are_kept_and_only_lengthened(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.pause_host("a.example", "2026-03-11T12:00:00+00:00", "HTTP 429")
    store.pause_host("a.example", "2026-03-10T13:00:00+00:00", "HTTP 503")  # shorter: the longer pause holds
    assert store.host_pauses(NOW) == {"a.example": ("2026-03-11T12:00:00+00:00", "HTTP 503")}
    store.close()
    assert open_store(tmp_path).host_pauses("2026-03-12T00:00:00+00:00") == {}


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
