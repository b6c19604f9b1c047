"""The corpus store interface: every read and write of the system of record goes through it.

SQLite is the default backend (`newscorpus.corpus.sqlite`), PostgreSQL the one for many machines
(`newscorpus.corpus.postgres`); both run the same SQL (`newscorpus.corpus.sql`).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from pathlib import Path

from newscorpus.errors import StorageError
from newscorpus.corpus.dedup import Signature
from newscorpus.models import (
    Annotations, Article, Document, FeedItem, FeedState, QueuedURL, SavedSearch, Source, WarcLocation,
)

# Per-source settings that `configure_source` accepts.
SOURCE_SETTINGS = ("title", "tags", "enabled", "language", "min_poll_seconds", "max_poll_seconds", "delay_seconds")

DATABASE_NAME = "corpus.sqlite3"


# (country code, first-level region, GeoNames id, name) of a place mention
PlaceValue = tuple[str | None, str | None, int | None, str | None]


class Store(abc.ABC):
    """The system of record: sources, feeds, the URL frontier and documents with annotations.

    A store may be used from any thread, but from one thread at a time: it is the single writer.
    """

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""

    # Sources and feeds
    @abc.abstractmethod
    def add_source(self, url: str, kind: str, title: str | None = None, tags: Sequence[str] = ()) -> tuple[Source, bool]:
        """Add a source; returns it and whether it was new (an existing URL is left unchanged)."""

    @abc.abstractmethod
    def list_sources(self, counts: bool = True) -> list[Source]:
        """All sources, oldest first; without `counts`, their items_per_day is 0 (not counted: quicker)."""

    @abc.abstractmethod
    def get_source(self, key: str | int) -> Source | None:
        """A source by id or URL."""

    @abc.abstractmethod
    def remove_source(self, key: str | int) -> bool:
        """Remove a source and its feeds (its documents stay); False if there was none."""

    @abc.abstractmethod
    def configure_source(self, source_id: int, changes: dict[str, object]) -> Source:
        """Change per-source settings (names in SOURCE_SETTINGS); returns the updated source."""

    @abc.abstractmethod
    def record_source_result(self, source_id: int, error: str | None, title: str | None = None) -> None:
        """Note a poll's outcome: success (error None) resets the failure count."""

    @abc.abstractmethod
    def feeds_for(self, source_id: int) -> list[FeedState]:
        """The feeds polled for a source."""

    @abc.abstractmethod
    def add_feed(self, source_id: int, url: str, kind: str = "feed") -> FeedState:
        """Remember a feed or sitemap of a source (idempotent)."""

    @abc.abstractmethod
    def remove_feed(self, feed_id: int) -> None:
        """Forget a feed or sitemap (one that turned out not to exist)."""

    @abc.abstractmethod
    def update_feed(
        self, feed_id: int, etag: str | None, last_modified: str | None, polled_at: str,
        poll_seconds: float | None = None, next_poll_at: str | None = None, error: str | None = None,
    ) -> None:
        """Record a poll: validators of a 200 response (None keeps the old), the schedule and any error."""

    @abc.abstractmethod
    def next_poll_time(self) -> str | None:
        """The earliest time a feed of an enabled source is due, or a deferred or failed URL comes round again
        (None: there is nothing to wait for)."""

    # Frontier
    @abc.abstractmethod
    def enqueue(self, source_id: int | None, items: Sequence[FeedItem], now: str) -> int:
        """Queue article URLs not seen before; returns how many were new."""

    @abc.abstractmethod
    def count_due(self, now: str, after: int = 0) -> int:
        """How many URLs with ids above `after` are due for fetching and free to claim: queued ones, and deferred
        ones and retryable failures whose time (`now` or earlier) has come, that no worker holds."""

    @abc.abstractmethod
    def mark_failed(self, url_id: int, error: str, permanent: bool, retry_at: str | None,
                    worker: str | None = None) -> bool:
        """Record a failed fetch or analysis; permanent ones are never retried. With `worker`, only while the URL
        is leased to it (as mark_fetched); the lease ends."""

    @abc.abstractmethod
    def defer(self, url_id: int, reason: str, until: str, worker: str | None = None) -> bool:
        """Put a URL off until a time, through no fault of its own (its host asked for a pause or is set aside);
        not counted as an attempt. With `worker`, only while the URL is leased to it; the lease ends."""

    @abc.abstractmethod
    def mark_fetched(self, url_id: int, fetched_at: str, warc: WarcLocation, worker: str | None = None,
                     hold_seconds: float = 0.0) -> bool:
        """Record a fetched response, archived at `warc`: the URL waits for extraction and NLP ('fetched'). With
        `worker`, only while the URL is leased to it: False (and nothing recorded) when the lease ran out and
        another worker took the URL. The lease ends, or with `hold_seconds` is kept that long for the worker's
        own analysis."""

    # Work shared by many workers: leases by the database's clock
    @abc.abstractmethod
    def claim_urls(self, stage: str, worker: str, limit: int, lease_seconds: float, after: int = 0) -> list[QueuedURL]:
        """Lease up to `limit` URLs of a stage with ids above `after` to a worker, oldest first: 'fetch' takes URLs
        due for fetching (as count_due counts them), 'analyse' fetched ones waiting for extraction and NLP, with
        their WARC locations. URLs leased to another worker are skipped until
        the lease runs out (that worker died or hung); then they are taken again. Finishing a URL (mark_failed,
        defer, save_document, and mark_fetched unless it holds the page for the worker's own analysis) ends its
        lease."""

    @abc.abstractmethod
    def lease_holders(self) -> list[str]:
        """The workers that hold a URL or feed now (or held one when they died: until their leases run out)."""

    @abc.abstractmethod
    def release_work(self, worker: str) -> int:
        """Give back every URL and feed a worker holds (it is stopping, and will not finish them); returns how
        many it held."""

    @abc.abstractmethod
    def renew_leases(self, worker: str, ids: Sequence[int], lease_seconds: float) -> set[int]:
        """Extend a worker's leases on URLs, and on every feed it holds, to `lease_seconds` from now; returns the
        URL ids it still held (a lease that ran out may have been taken by another worker)."""

    @abc.abstractmethod
    def claim_feeds(self, worker: str, limit: int, lease_seconds: float, due_only: bool = True) -> list[FeedState]:
        """Lease up to `limit` feeds of enabled sources, due for a poll (or all of them, without `due_only`), never
        polled ones first, as claim_urls leases URLs; update_feed ends the lease."""

    @abc.abstractmethod
    def sources_without_feeds(self) -> list[Source]:
        """Enabled sources no feed or sitemap is known for yet: their homepages are still to be read (their
        items_per_day is 0, not counted)."""

    @abc.abstractmethod
    def take_host_turn(self, host: str, interval: float) -> float:
        """Ask, for every worker at once, to send a host a request now: 0.0 when granted (the next turn is then
        `interval` seconds later), else the seconds (more than 0) until the next turn, when to ask again."""

    @abc.abstractmethod
    def pause_host(self, host: str, until: str, reason: str) -> None:
        """Remember that a host asked for a pause until a time (HTTP 429, 503 with Retry-After)."""

    @abc.abstractmethod
    def host_pauses(self, now: str) -> dict[str, tuple[str, str]]:
        """Hosts whose pause lasts beyond `now`: host -> (until, reason)."""

    # Documents
    @abc.abstractmethod
    def save_document(
        self,
        article: Article,
        annotations: Annotations,
        source_id: int | None,
        fetched_at: str,
        content_hash: str,
        url_id: int | None = None,
        warc: WarcLocation | None = None,
        nlp_note: str | None = None,
        signature: Signature | None = None,
    ) -> tuple[int, bool]:
        """Store an article once: a known canonical URL, or a known text at another URL (recorded as another
        URL of that document), is not stored again. A new document joins the cluster of its nearest
        near-duplicate (by `signature`) or starts its own. The URL `url_id` becomes 'analysed'. Returns the
        document's id and whether it was new."""

    @abc.abstractmethod
    def update_document(self, document_id: int, article: Article, annotations: Annotations, content_hash: str,
                        nlp_note: str | None = None) -> None:
        """Replace a document's extracted text, metadata and annotations (after reprocessing); unflags it as indexed."""

    @abc.abstractmethod
    def get_document(self, document_id: int) -> Document | None:
        """One document with its annotations."""

    @abc.abstractmethod
    def get_documents(self, ids: Sequence[int]) -> dict[int, Document]:
        """Documents by id, without annotations."""

    @abc.abstractmethod
    def annotations_for(self, ids: Sequence[int]) -> dict[int, Annotations]:
        """The annotations of many documents, in a few queries."""

    @abc.abstractmethod
    def clusters(self, cluster_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """For each cluster: (its original, the earliest published of its documents; how many it holds)."""

    @abc.abstractmethod
    def cluster_members(self, cluster_id: int) -> list[int]:
        """The ids of the documents of a cluster (a story's syndicated copies)."""

    @abc.abstractmethod
    def other_urls(self, document_id: int) -> list[str]:
        """Other URLs at which exact duplicates of a document were seen."""

    @abc.abstractmethod
    def date_values(self, ids: Sequence[int]) -> dict[int, list[str]]:
        """The TIMEX3 values of the dates each document mentions."""

    @abc.abstractmethod
    def cluster_of(self, ids: Sequence[int]) -> dict[int, int]:
        """The cluster (of syndicated copies) each document belongs to."""

    @abc.abstractmethod
    def place_values(self, ids: Sequence[int]) -> dict[int, list[PlaceValue]]:
        """(country code, first-level region, GeoNames id, name) of the places each document mentions."""

    @abc.abstractmethod
    def law_values(self, ids: Sequence[int]) -> dict[int, list[tuple[str, str | None]]]:
        """(normalised name, provision) of the laws each document cites."""

    @abc.abstractmethod
    def laws_called(self, alias: str) -> list[str]:
        """The names of the laws stories define with this acronym or short name ("ZARRA"), most cited first."""

    @abc.abstractmethod
    def entity_values(self, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        """(NER label, text) of the people and organisations each document names."""

    @abc.abstractmethod
    def sources_tagged(self, tag: str) -> list[tuple[int, str]]:
        """(id, URL) of the sources that carry a tag (case aside)."""

    @abc.abstractmethod
    def add_saved_search(self, name: str, query: str, filters: dict[str, str], seen_up_to: int,
                         created_at: str) -> SavedSearch:
        """Keep a query under a name (unique)."""

    @abc.abstractmethod
    def get_saved_search(self, key: str | int) -> SavedSearch | None:
        """A saved search by name or id."""

    @abc.abstractmethod
    def list_saved_searches(self) -> list[SavedSearch]:
        """Every saved search, by name."""

    @abc.abstractmethod
    def remove_saved_search(self, search_id: int) -> bool:
        """Remove a saved search; whether there was one."""

    @abc.abstractmethod
    def mark_saved_search_checked(self, search_id: int, seen_up_to: int, checked_at: str) -> None:
        """Record a check: documents up to `seen_up_to` have been reported."""

    @abc.abstractmethod
    def max_indexed_document_id(self) -> int:
        """The highest id of a document flagged as in the search index (0 for none)."""

    @abc.abstractmethod
    def laws_written(self, words: str) -> list[tuple[str, str | None, int]]:
        """(name, provision, mentions) of the laws stories cite as `words` exactly ("First Amendment" ->
        Constitution of the United States, First Amendment), or else whose names hold `words` ("Vienna
        Convention" -> Vienna Convention on Diplomatic Relations); case aside, most cited first."""

    @abc.abstractmethod
    def unindexed_documents(self, limit: int) -> list[Document]:
        """Documents stored but not yet confirmed in the search index."""

    @abc.abstractmethod
    def iter_documents(self, batch_size: int = 500) -> Iterator[list[Document]]:
        """Every document, in id order, in batches."""

    @abc.abstractmethod
    def mark_indexed(self, ids: Sequence[int], indexed: bool = True) -> None:
        """Flag documents as present (or not) in the search index."""

    @abc.abstractmethod
    def mark_all_unindexed(self) -> None:
        """Flag every document for re-indexing."""

    @abc.abstractmethod
    def stats(self) -> dict[str, object]:
        """Counts of sources, documents, URLs by state and annotations."""

    @abc.abstractmethod
    def count_documents(self, indexed: bool | None = None) -> int:
        """How many documents are stored (with `indexed`, how many are, or are not, flagged as in the index)."""


def open_store(data_dir: Path, *, read_only: bool = False, create: bool = False, database_url: str = "") -> Store:
    """Open the store: the PostgreSQL database at `database_url` when one is given, else the SQLite database in
    `data_dir`, migrated as needed (PostgreSQL's schema is upgraded by `newscorpus db upgrade` only).

    `read_only`: write nothing (the read commands); works on a read-only data directory. The database must exist.
    `create`: create a missing data directory (commands that start a corpus); otherwise a missing directory is
    an error, so that a mistyped path is not silently made into an empty corpus.

    Raises StorageError naming the directory or file and what to do.
    """
    if database_url:
        from newscorpus.corpus.postgres import PostgresStore

        return PostgresStore(database_url, read_only=read_only)
    from newscorpus.corpus.sqlite import SQLiteStore

    if not data_dir.is_dir():
        if data_dir.exists():
            raise StorageError(f"the data directory {data_dir} is a file, not a directory: check --data or "
                               "$NEWSCORPUS_DATA")
        if read_only or not create:
            raise StorageError(f"no newscorpus data directory at {data_dir}: check --data or $NEWSCORPUS_DATA, or "
                               "create one with `newscorpus sources add URL`")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the data directory {data_dir}: {exc.strerror}") from exc
    path = data_dir / DATABASE_NAME
    if read_only and not path.exists():
        raise StorageError(f"no newscorpus database in {data_dir} ({DATABASE_NAME} is missing): check --data or "
                           "$NEWSCORPUS_DATA, or start a corpus there with `newscorpus sources add URL`")
    return SQLiteStore(path, read_only=read_only)
