"""The store's contract, held by both backends (SQLite and PostgreSQL, the latter in a throwaway cluster): every
method of the Store interface, reading that never writes, and writers that race."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from newscorpus.corpus import open_store
from newscorpus.corpus.dedup import signature
from newscorpus.corpus.store import Store
from newscorpus.errors import StorageError
from newscorpus.models import (Annotations, Article, DateMention, EntityMention, FeedItem, LawReference, PlaceMention,
                               WarcLocation, utc_now)

NOW = "2026-03-10T12:00:00+00:00"
LATER = "2026-03-10T14:00:00+00:00"
FUTURE = "2999-01-01T00:00:00+00:00"  # not yet, by any clock

Opener = Callable[..., Store]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens stores of one corpus (each call another connection), closed at the end."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else ""
    opened: list[Store] = []

    def opener(read_only: bool = False) -> Store:
        store = open_store(tmp_path, read_only=read_only, database_url=url)
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def store(backend: Opener) -> Store:
    return backend()


def _at_once(stores: list[Store], work: Callable[[int, Store], object]) -> None:
    """Run `work(n, store)` for each store in a thread of its own, all let go at the same moment; raise what any
    of them raised."""
    start = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def run(n: int, store: Store) -> None:
        try:
            start.wait(10)
            work(n, store)
        except BaseException as exc:  # noqa: BLE001 - raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]


def _article(url: str = "https://news.example/a", text: str = "Body text of the article.",
             published: str | None = "2026-03-10T09:00:00+00:00") -> Article:
    return Article(url=url, canonical_url=url, title="A title", authors=("Ann Author",), published=published,
                   language="en", text=text, provenance={"title": "og:title"})


def _annotations() -> Annotations:
    return Annotations(
        # not in text order: the order they were stored in is kept
        dates=[DateMention("March", 25, 30, "2026-03", "DATE", ("2026-03", "2026-05")),
               DateMention("last Friday", 10, 21, "2026-03-06", "DATE")],
        places=[PlaceMention("London", 30, 36, "London", 2643743, 51.50853, -0.12574, "GB", "England")],
        laws=[LawReference("section 1 of the Computer Misuse Act 1990", 40, 81, "Computer Misuse Act", 1990,
                           "Section 1", "GB", "CMA"),
              LawReference("the First Amendment", 85, 104, "Constitution of the United States", None,
                           "First Amendment", "US")],
        entities=[EntityMention("Reuters", 110, 117, "ORG"), EntityMention("Ann Author", 120, 130, "PERSON"),
                  EntityMention("Friday", 131, 137, "DATE")],
    )


def test_contract_sources_are_added_once_configured_tagged_and_removed(store: Store) -> None:
    source, created = store.add_source("https://a.example/", "site", "A", ("Africa", "wire"))
    again, created_again = store.add_source("https://a.example/", "site")
    assert created and not created_again and again.id == source.id and again.tags == ("Africa", "wire")
    store.add_source("https://b.example/feed.xml", "feed")
    assert [s.url for s in store.list_sources()] == ["https://a.example/", "https://b.example/feed.xml"]
    store.enqueue(source.id, [FeedItem(f"https://a.example/{n}") for n in range(7)], utc_now())
    counted, light = store.list_sources()[0], store.list_sources(counts=False)[0]
    assert counted.items_per_day == 1.0 and light == replace(counted, items_per_day=0)  # a week's 7 items
    assert store.get_source("https://a.example/") == store.get_source(source.id)
    changed = store.configure_source(source.id, {"enabled": False, "tags": ["Kenya"], "min_poll_seconds": 600.5})
    assert not changed.enabled and changed.tags == ("Kenya",) and changed.min_poll_seconds == 600.5
    assert store.sources_tagged("KENYA") == [(source.id, "https://a.example/")] and store.sources_tagged("Africa") == []
    store.record_source_result(source.id, "HTTP 500")
    assert store.get_source(source.id).consecutive_failures == 1  # type: ignore[union-attr]
    store.record_source_result(source.id, None, title="The A Times")
    found = store.get_source(source.id)
    assert found is not None and found.consecutive_failures == 0 and found.last_success and found.title == "A"
    assert store.remove_source("https://a.example/") and not store.remove_source(source.id)
    assert store.get_source(source.id) is None


def test_contract_feeds_keep_their_validators_and_schedule(store: Store) -> None:
    source, _ = store.add_source("https://a.example/", "site")
    feed = store.add_feed(source.id, "https://a.example/rss")
    assert store.add_feed(source.id, "https://a.example/rss") == feed
    store.add_feed(source.id, "https://a.example/sitemap.xml", "sitemap")
    store.update_feed(feed.id, '"v1"', "Tue, 10 Mar 2026 10:00:00 GMT", NOW, 900.0, LATER)
    store.update_feed(feed.id, None, None, NOW, error="HTTP 503")  # a failed poll keeps the validators
    first, second = store.feeds_for(source.id)
    assert (first.etag, first.last_modified, first.poll_seconds, first.next_poll_at, first.last_error) == (
        '"v1"', "Tue, 10 Mar 2026 10:00:00 GMT", 900.0, LATER, "HTTP 503")
    assert second.kind == "sitemap" and second.next_poll_at is None
    assert store.next_poll_time() == ""  # a feed never polled is due now
    store.remove_feed(second.id)
    assert store.next_poll_time() == LATER
    store.configure_source(source.id, {"enabled": False})
    assert store.next_poll_time() is None


def test_contract_frontier_queues_each_url_once_and_tracks_state(store: Store) -> None:
    items = [FeedItem("https://a.example/1", "One", "2026-03-09", ("Ann",), "Summary"),
             FeedItem("https://a.example/2", "Two")]
    assert store.enqueue(None, items, NOW) == 2
    assert store.enqueue(None, items, NOW) == 0 and store.count_due(NOW) == 2
    first, second = store.claim_urls("fetch", "w", 10, 60)
    assert first.feed_item == items[0] and first.attempts == 0 and first.warc is None
    store.mark_failed(first.id, "HTTP 500", permanent=False, retry_at=LATER)
    store.mark_failed(second.id, "HTTP 404", permanent=True, retry_at=None)
    assert store.count_due(NOW) == 0 and store.count_due(LATER) == 1
    (due,) = store.claim_urls("fetch", "w", 10, 60)  # the database's clock is long past LATER
    assert due.url == "https://a.example/1" and due.attempts == 1
    assert store.stats()["urls"] == {"failed": 1, "failed_permanent": 1}


def test_contract_pipeline_stages_walk_each_url_once_a_pass(store: Store) -> None:
    store.enqueue(None, [FeedItem(f"https://a.example/{n}") for n in range(4)], NOW)
    first, second, third, fourth = store.claim_urls("fetch", "w", 10, 60)
    assert store.mark_fetched(first.id, NOW, WarcLocation("warc/x.warc.gz", 3_000_000_000, 10), "w")  # past 2 GB
    store.defer(second.id, "a.example asked for a pause", FUTURE)
    store.mark_failed(third.id, "timed out", permanent=False, retry_at=NOW)  # due again at once
    assert store.release_work("w") == 1  # the fourth, not done
    assert store.claim_urls("fetch", "w", 10, 60, after=fourth.id) == []
    assert store.count_due(NOW, after=third.id) == 1
    assert [q.id for q in store.claim_urls("fetch", "w", 10, 60)] == [third.id, fourth.id]
    (fetched,) = store.claim_urls("analyse", "w", 10, 60)
    assert fetched.id == first.id and fetched.warc == WarcLocation("warc/x.warc.gz", 3_000_000_000, 10)
    store.save_document(_article("https://a.example/0"), Annotations(), None, NOW, "h", url_id=first.id,
                        warc=fetched.warc)
    assert store.release_work("w") == 2 and store.claim_urls("analyse", "w", 10, 60) == []
    assert [q.id for q in store.claim_urls("fetch", "w", 10, 60)] == [third.id, fourth.id]
    assert store.stats()["urls"] == {"analysed": 1, "deferred": 1, "failed": 1, "queued": 1}
    assert store.next_poll_time() == NOW


def test_contract_host_pauses_are_kept_and_only_lengthened(backend: Opener) -> None:
    store = backend()
    store.pause_host("a.example", "2026-03-11T12:00:00+00:00", "HTTP 429")
    store.pause_host("a.example", "2026-03-10T13:00:00+00:00", "HTTP 503")  # shorter: the longer pause holds
    assert store.host_pauses(NOW) == {"a.example": ("2026-03-11T12:00:00+00:00", "HTTP 503")}
    assert backend().host_pauses(NOW) == store.host_pauses(NOW)  # seen by another connection
    assert store.host_pauses("2026-03-12T00:00:00+00:00") == {}


def test_contract_documents_keep_every_field_and_annotation_in_order(store: Store) -> None:
    source, _ = store.add_source("https://news.example/", "site", "News")
    store.enqueue(source.id, [FeedItem("https://news.example/a")], NOW)
    (queued,) = store.claim_urls("fetch", "w", 1, 60)
    warc = WarcLocation("warc/a.warc.gz", 12, 345)
    doc_id, created = store.save_document(_article(), _annotations(), source.id, NOW, "hash", url_id=queued.id,
                                          warc=warc, nlp_note="partly")
    assert created and store.count_due(NOW) == 0 and store.release_work("w") == 0
    doc = store.get_document(doc_id)
    assert doc is not None and (doc.title, doc.authors, doc.source, doc.warc, doc.nlp_note, doc.provenance) == (
        "A title", ("Ann Author",), "News", warc, "partly", {"title": "og:title"})
    assert doc.annotations == _annotations() and store.annotations_for([doc_id])[doc_id] == _annotations()
    assert store.get_documents([doc_id])[doc_id].text == "Body text of the article."
    assert store.date_values([doc_id]) == {doc_id: ["2026-03", "2026-03-06"]}
    assert store.place_values([doc_id]) == {doc_id: [("GB", "England", 2643743, "London")]}
    assert store.law_values([doc_id]) == {doc_id: [("Computer Misuse Act", "Section 1"),
                                                   ("Constitution of the United States", "First Amendment")]}
    assert store.entity_values([doc_id]) == {doc_id: [("ORG", "Reuters"), ("PERSON", "Ann Author")]}
    assert store.laws_called("CMA") == ["Computer Misuse Act"]
    assert store.laws_written("first amendment") == [("Constitution of the United States", "First Amendment", 1)]
    assert store.laws_written("Misuse") == [("Computer Misuse Act", None, 1)]
    assert store.laws_written("100%_sure") == []  # LIKE's wildcards are only letters here
    store.update_document(doc_id, _article(text="Rewritten."), Annotations(), "h2")
    updated = store.get_document(doc_id)
    assert updated is not None and updated.text == "Rewritten." and updated.annotations == Annotations()
    assert store.get_document(doc_id + 1000) is None and store.get_documents([]) == {}


def test_contract_a_nul_byte_from_a_hostile_page_is_no_error(store: Store) -> None:
    source, _ = store.add_source("https://a.example/", "site")
    store.record_source_result(source.id, None, title="Chan\x00nel")
    doc_id, _ = store.save_document(_article(text="Bo\x00dy"), Annotations(), source.id, NOW, "h")
    document = store.get_document(doc_id)
    assert document is not None and document.text.replace("\x00", "") == "Body"
    assert (store.get_source(source.id).title or "").replace("\x00", "") == "Channel"  # type: ignore[union-attr]


def test_contract_one_document_per_canonical_url_and_per_text(store: Store) -> None:
    first, created = store.save_document(_article(), Annotations(), None, NOW, "h1")
    second, created_again = store.save_document(_article(text="Changed."), Annotations(), None, NOW, "h2")
    assert created and not created_again and first == second
    copy, created_copy = store.save_document(_article("https://b.example/copy"), Annotations(), None, NOW, "h1")
    assert (copy, created_copy) == (first, False)
    assert store.other_urls(first) == ["https://b.example/copy"]
    assert store.count_documents() == 1


def test_contract_near_duplicates_join_the_first_copys_cluster(store: Store) -> None:
    story = " ".join(f"Sentence {i} of the wire story about the flood in the valley and the rescue." for i in range(40))
    copy = "A different headline\n" + story.replace("Sentence 7 of", "Line seven of") + " Subscribe to our newsletter."
    other = " ".join(f"Item {i}: the council voted on the budget for schools and roads this year." for i in range(40))
    ids = [store.save_document(_article(f"https://n.example/{n}", text, published=f"2026-03-0{3 - n}T00:00:00+00:00"),
                               Annotations(), None, NOW, f"h{n}", signature=signature(text))[0]
           for n, text in enumerate([story, copy, other])]
    docs = store.get_documents(ids)
    assert docs[ids[0]].cluster_id == docs[ids[1]].cluster_id == ids[0] and docs[ids[2]].cluster_id == ids[2]
    # the original is the earliest published copy, though stored second
    assert store.clusters([ids[0], ids[2]]) == {ids[0]: (ids[1], 2), ids[2]: (ids[2], 1)}
    assert store.cluster_members(ids[0]) == ids[:2]
    assert store.cluster_of(ids) == {ids[0]: ids[0], ids[1]: ids[0], ids[2]: ids[2]}


def test_contract_tracks_which_documents_are_indexed(store: Store) -> None:
    ids = [store.save_document(_article(f"https://n.example/{i}"), Annotations(), None, NOW, f"h{i}")[0]
           for i in range(3)]
    assert [d.id for d in store.unindexed_documents(10)] == ids and store.max_indexed_document_id() == 0
    store.mark_indexed(ids[:2])
    assert [d.id for d in store.unindexed_documents(10)] == ids[2:] and store.max_indexed_document_id() == ids[1]
    assert (store.count_documents(), store.count_documents(indexed=True), store.count_documents(indexed=False)) == (
        3, 2, 1)
    store.mark_all_unindexed()
    assert len(store.unindexed_documents(10)) == 3
    assert [d.id for batch in store.iter_documents(batch_size=2) for d in batch] == ids


def test_contract_saved_searches(store: Store) -> None:
    saved = store.add_saved_search("ports", "strike", {"country": "KE"}, 7, NOW)
    assert (saved.name, saved.query, saved.filters, saved.seen_up_to, saved.checked_at) == (
        "ports", "strike", {"country": "KE"}, 7, None)
    assert store.get_saved_search(saved.id) == store.get_saved_search("ports") == saved
    store.add_saved_search("acts", "", {}, 0, NOW)
    assert [s.name for s in store.list_saved_searches()] == ["acts", "ports"]
    store.mark_saved_search_checked(saved.id, 9, LATER)
    checked = store.get_saved_search("ports")
    assert checked is not None and (checked.seen_up_to, checked.checked_at) == (9, LATER)
    with pytest.raises(StorageError):
        store.add_saved_search("ports", "again", {}, 0, NOW)  # names are unique
    assert store.remove_saved_search(saved.id) and not store.remove_saved_search(saved.id)


def test_contract_stats_count_everything(store: Store) -> None:
    store.add_source("https://a.example/", "site")
    store.save_document(_article(), _annotations(), None, NOW, "h")
    stats = store.stats()
    assert (stats["sources"], stats["documents"], stats["documents_unindexed"], stats["dates"], stats["places"],
            stats["laws"], stats["entities"]) == (1, 1, 1, 2, 1, 2, 3)
    assert stats["first_published"] == stats["last_published"] == "2026-03-10T09:00:00+00:00"
    assert stats["schema_version"] == store.schema_version  # type: ignore[attr-defined]


def test_contract_reading_never_writes(backend: Opener) -> None:
    backend().add_source("https://a.example/", "site")
    reader = backend(read_only=True)
    assert [s.url for s in reader.list_sources()] == ["https://a.example/"]
    with pytest.raises(StorageError):
        reader.add_source("https://b.example/", "site")
    with pytest.raises(StorageError):
        reader.save_document(_article(), Annotations(), None, NOW, "h")
    assert [s.url for s in backend().list_sources()] == ["https://a.example/"]  # nothing half written either


def test_contract_racing_writers_store_each_url_and_source_once(backend: Opener) -> None:
    """Four connections queue the same URLs and add the same sources at once: each is stored exactly once, and
    exactly one writer is told it was new."""
    items = [FeedItem(f"https://a.example/{n}") for n in range(200)]
    stores = [backend() for _ in range(4)]
    added: list[int] = []
    new_sources: list[bool] = []

    def write(_: int, store: Store) -> None:
        added.append(store.enqueue(None, items, NOW))
        new_sources.extend(store.add_source(f"https://s{n}.example/", "site")[1] for n in range(20))

    _at_once(stores, write)
    assert sum(added) == len(items) and sum(new_sources) == 20
    assert stores[0].count_due(NOW) == len(items) and len(stores[0].list_sources()) == 20


def test_contract_racing_writers_store_each_article_once(backend: Opener) -> None:
    """Four connections save the same 30 articles at once, each at its own URL for half of them (the same text
    elsewhere): every article is stored exactly once, and exactly one writer is told it was new."""
    stores = [backend() for _ in range(4)]
    saved: dict[int, list[tuple[int, bool]]] = {n: [] for n in range(30)}

    def write(writer: int, store: Store) -> None:
        for n in range(30):
            url = f"https://w{writer}.example/{n}" if n % 2 else f"https://news.example/{n}"
            saved[n].append(store.save_document(_article(url, f"Story {n}."), _annotations(), None, NOW,
                                                f"hash{n}"))

    _at_once(stores, write)
    for n, results in saved.items():
        assert len({doc_id for doc_id, _ in results}) == 1 and sum(created for _, created in results) == 1, n
    assert stores[0].count_documents() == 30 and stores[0].stats()["laws"] == 60  # annotations stored once too


def test_contract_claimed_urls_are_leased_to_one_worker_until_done_or_released(backend: Opener) -> None:
    store, other = backend(), backend()
    store.enqueue(None, [FeedItem(f"https://a.example/{n}") for n in range(6)], NOW)
    mine = store.claim_urls("fetch", "worker-1", 4, 60)
    assert [q.url for q in mine] == [f"https://a.example/{n}" for n in range(4)]
    theirs = other.claim_urls("fetch", "worker-2", 10, 60)
    assert [q.url for q in theirs] == ["https://a.example/4", "https://a.example/5"]  # never what another holds
    assert other.claim_urls("fetch", "worker-2", 10, 60) == [] and store.count_due(NOW) == 0
    location = WarcLocation("warc/x.warc.gz", 0, 10)
    assert not other.mark_fetched(mine[0].id, NOW, location, "worker-2")  # not its lease: nothing recorded
    assert store.mark_fetched(mine[0].id, NOW, location, "worker-1")  # done: the next stage's work
    assert [q.id for q in other.claim_urls("analyse", "worker-2", 10, 60)] == [mine[0].id]
    assert store.mark_fetched(mine[3].id, NOW, location, "worker-1", hold_seconds=60)  # its own to analyse
    assert other.claim_urls("analyse", "worker-2", 10, 60) == []
    assert not other.mark_failed(mine[1].id, "HTTP 500", False, NOW, "worker-2")  # a late answer of another's
    assert not other.defer(mine[1].id, "paused", FUTURE, "worker-2")
    assert store.mark_failed(mine[1].id, "HTTP 500", permanent=False, retry_at=NOW, worker="worker-1")
    assert [q.id for q in other.claim_urls("fetch", "worker-2", 10, 60)] == [mine[1].id]
    assert store.release_work("worker-1") == 2  # the URL it did not fetch, and the page it did not analyse
    assert store.count_due(NOW) == 1
    assert [q.id for q in other.claim_urls("fetch", "worker-2", 10, 60)] == [mine[2].id]
    assert [q.id for q in other.claim_urls("analyse", "worker-2", 10, 60)] == [mine[3].id]
    with pytest.raises(ValueError, match="no stage 'index'"):
        store.claim_urls("index", "worker-1", 1, 60)


def test_contract_a_lease_that_runs_out_returns_the_work_to_the_queue(backend: Opener) -> None:
    store = backend()
    store.enqueue(None, [FeedItem(f"https://a.example/{n}") for n in range(2)], NOW)
    (taken,) = store.claim_urls("fetch", "dies", 1, 1.0)
    (kept,) = store.claim_urls("fetch", "works", 1, 1.0)
    assert backend().claim_urls("fetch", "lives", 1, 60) == []
    assert store.renew_leases("works", [kept.id, taken.id], 60) == {kept.id}  # only its own
    time.sleep(2.1)  # the lease is the database's time, to the second
    (again,) = backend().claim_urls("fetch", "lives", 5, 60)
    assert again.id == taken.id  # the renewed lease still holds
    assert store.renew_leases("dies", [taken.id], 60) == set()  # too late: it is another's now


def test_contract_racing_workers_claim_each_url_once(backend: Opener) -> None:
    backend().enqueue(None, [FeedItem(f"https://a.example/{n}") for n in range(300)], NOW)
    stores = [backend() for _ in range(4)]
    taken: list[int] = []

    def work(number: int, store: Store) -> None:
        while batch := store.claim_urls("fetch", f"worker-{number}", 7, 60):
            taken.extend(q.id for q in batch)

    _at_once(stores, work)
    assert len(taken) == len(set(taken)) == 300


def test_contract_feeds_are_claimed_when_due_and_once(backend: Opener) -> None:
    store = backend()
    source, _ = store.add_source("https://a.example/", "site")
    quiet, _ = store.add_source("https://b.example/", "site")
    first, second = store.add_feed(source.id, "https://a.example/rss"), store.add_feed(source.id, "https://a.example/atom")
    off = store.add_feed(quiet.id, "https://b.example/rss")
    store.configure_source(quiet.id, {"enabled": False})
    store.update_feed(second.id, None, None, NOW, 60.0, "2999-01-01T00:00:00+00:00")  # not due for long
    (claimed,) = store.claim_feeds("poller-1", 10, 60)
    assert claimed.id == first.id and off.id != claimed.id
    assert backend().claim_feeds("poller-2", 10, 60) == []
    store.update_feed(first.id, '"v2"', None, NOW, 60.0, "2000-01-01T00:00:00+00:00")  # polled, and due again
    assert [f.id for f in backend().claim_feeds("poller-2", 10, 60)] == [first.id]
    assert [f.id for f in store.claim_feeds("poller-3", 10, 1.0, due_only=False)] == [second.id]  # all but held
    assert store.renew_leases("poller-3", [], 60) == set()  # a worker's feeds are renewed with its URLs
    time.sleep(2.1)
    assert store.claim_feeds("poller-4", 10, 60, due_only=False) == []
    assert store.release_work("poller-3") == 1 and store.claim_feeds("poller-1", 10, 60) == []


def test_contract_sources_without_feeds_are_those_left_to_read(store: Store) -> None:
    read, _ = store.add_source("https://a.example/", "site")
    unread, _ = store.add_source("https://b.example/", "site")
    off, _ = store.add_source("https://c.example/", "site")
    store.add_feed(read.id, "https://a.example/rss")
    store.configure_source(off.id, {"enabled": False})
    assert [s.url for s in store.sources_without_feeds()] == [unread.url]


def test_contract_host_turns_space_requests_across_workers(backend: Opener) -> None:
    """Four workers each send a host five requests, asking for turns 0.3 s apart: no two are granted closer."""
    stores = [backend() for _ in range(4)]
    granted: list[tuple[float, float]] = []  # (asked, answered) of each call that was granted a turn

    def work(_number: int, store: Store) -> None:
        for _ in range(5):
            while True:
                asked = time.monotonic()
                wait = store.take_host_turn("a.example", 0.3)
                if wait == 0:
                    granted.append((asked, time.monotonic()))
                    break
                time.sleep(min(wait, 0.3))

    _at_once(stores, work)
    assert len(granted) == 20
    # Each turn was granted between its call's start and end, so two turns 0.3 s apart span at least that much.
    for n, (asked, answered) in enumerate(granted):
        for other_asked, other_answered in granted[n + 1:]:
            assert max(answered, other_answered) - min(asked, other_asked) >= 0.29
    assert stores[0].take_host_turn("b.example", 0.3) == 0.0  # hosts are apart


def test_contract_near_duplicates_saved_at_once_join_one_cluster(backend: Opener) -> None:
    """Four writers store four near-copies of one wire story at the same moment: one cluster holds them all."""
    story = " ".join(f"Sentence {i} of the wire story about the flood in the valley and the rescue." for i in range(40))
    copies = [f"Headline {n}\n" + story.replace(f"Sentence {n} of", f"Line {n} of") for n in range(4)]
    stores = [backend() for _ in range(4)]
    saved: list[int] = []

    def write(n: int, store: Store) -> None:
        saved.append(store.save_document(_article(f"https://w{n}.example/story", copies[n]), _annotations(),
                                         None, NOW, f"hash{n}", signature=signature(copies[n]))[0])

    _at_once(stores, write)
    assert len(set(stores[0].cluster_of(saved).values())) == 1
