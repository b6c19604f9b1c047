"""Orchestration: feed -> fetch -> extract -> annotate -> store -> index.

The only module that wires the crawler, NLP and corpus layers together.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import json
import logging
import platform
import signal
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.export import EXPORT_FORMATS, FIELDS as EXPORT_FIELDS, count_records, sha256_of
from newscorpus.corpus.export import rows as export_rows, write as write_export
from newscorpus.corpus.index import INDEX_VERSION, DocumentFacts, Resolver
from newscorpus.corpus.dedup import signature
from newscorpus.corpus.laws import law_term
from newscorpus.corpus.places import place_term
from newscorpus.corpus.query import Filter, Node, parse, with_filters
from newscorpus.crawler import Fetcher, canonicalize_url, discover_feeds, extract_article, looks_like_feed, parse_feed
from newscorpus.crawler.archive import WarcArchive, read_response
from newscorpus.crawler.extract import content_hash
from newscorpus.crawler.feeds import COMMON_FEED_PATHS
from newscorpus.crawler.opml import Outline, parse_opml, write_opml
from newscorpus.crawler.sitemaps import in_scope, parse_sitemap, sitemap_candidates
from newscorpus.errors import ConfigError, ExtractionError, FetchError, QueryError, StorageError
from newscorpus.models import Annotations, Article, Document, FeedItem, FeedState, QueuedURL, Response, Source, utc_now
from newscorpus.nlp import Annotator, annotate_many, find_law, find_place, reference_date

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]  # (phase, done, total)
_RETRY_LATER = timedelta(minutes=30)
_MAX_ATTEMPTS = 5
_FIRST_POLL_SECONDS = 3600.0


@dataclass
class CrawlSummary:
    """What a crawl did, for the closing summary."""

    feeds_polled: int = 0
    feeds_not_modified: int = 0
    urls_discovered: int = 0
    new: int = 0
    duplicates: int = 0
    failed: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    source_errors: dict[str, str] = field(default_factory=dict)


def add_source(store: Store, url: str, title: str | None = None, tags: Sequence[str] = ()) -> tuple[Source, bool]:
    """Add a feed or homepage URL as a source (a homepage's feeds and sitemaps are found on the first crawl).

    Raises ConfigError for a URL that is not http(s).
    """
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    return store.add_source(canonical, "site" if _looks_like_homepage(parts.path) else "feed", title, tags)


def _looks_like_homepage(path: str) -> bool:
    return not any(token in path.lower() for token in ("rss", "feed", "atom", ".xml"))


def find_source(store: Store, key: str) -> Source:
    """A source by id or URL. Raises ConfigError when there is none."""
    source = store.get_source(int(key) if key.isdigit() and len(key) <= 18 else canonicalize_url(key))
    if source is None:
        raise ConfigError(f"no such source: {key}")
    return source


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Crawler:
    """Crawls every enabled source: one pass (`run`) or continuously (`watch`)."""

    def __init__(self, store: Store, index: SearchIndex, settings: Settings, data_dir: Path,
                 progress: ProgressCallback | None = None) -> None:
        self.store = store
        self.index = index
        self.settings = settings
        self.data_dir = data_dir
        self.progress = progress or (lambda phase, done, total: None)
        self._annotator: Annotator | None = None
        self.summary = CrawlSummary()

    def _annotate(self, articles: list[Article]) -> list[tuple[Annotations, str | None]]:
        if self.settings.run_nlp and self._annotator is None:  # loaded only when there is something to analyse
            self._annotator = Annotator(self.settings.spacy_model, self.settings.nlp_batch_size, self.settings.laws_registry)
        return annotate_articles(self._annotator if self.settings.run_nlp else None, articles)

    def run(self, feeds_only: bool = False) -> CrawlSummary:
        """One pass: poll every feed and sitemap of every enabled source, fetch every new article, store and index it.

        With `feeds_only`, new article URLs are queued but not fetched.
        """
        index_pending(self.store, self.index)
        asyncio.run(self._session(watch=False, feeds_only=feeds_only))
        return self.summary

    def watch(self, on_pass: Callable[[CrawlSummary], None] | None = None) -> CrawlSummary:
        """Crawl continuously, each feed on its own adaptive schedule, until SIGINT or SIGTERM.

        On a signal the batch in flight is finished; URLs not yet fetched stay queued for the next run.
        """
        index_pending(self.store, self.index)
        asyncio.run(self._session(watch=True, on_pass=on_pass))
        return self.summary

    async def _session(self, watch: bool, on_pass: Callable[[CrawlSummary], None] | None = None,
                       feeds_only: bool = False) -> None:
        stop = asyncio.Event()
        if watch:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
        with WarcArchive(self.data_dir, self.settings.warc_file_bytes) as archive:
            async with Fetcher(self.settings) as fetcher:
                while True:
                    self._apply_source_settings(fetcher)  # every pass: sources may be added while watching
                    await self._poll_sources(fetcher, due_only=watch)
                    if not feeds_only:
                        await self._fetch_queued(fetcher, archive, stop)
                    if on_pass:
                        on_pass(self.summary)
                    if not watch or stop.is_set():
                        return
                    await _sleep_until(self.store.next_poll_time(), stop)
                    if stop.is_set():
                        return

    def _apply_source_settings(self, fetcher: Fetcher) -> None:
        """Hosts of sources may be private addresses (the user named them); sources may set their own delay."""
        for source in self.store.list_sources():
            fetcher.allowed_hosts.add((urlsplit(source.url).hostname or "").lower())
            if source.delay_seconds is not None:
                fetcher.set_host_delay(source.url, source.delay_seconds)

    async def _poll_sources(self, fetcher: Fetcher, due_only: bool) -> None:
        now = utc_now()
        sources = [s for s in self.store.list_sources() if s.enabled]
        self.progress("feeds", 0, len(sources))
        done = 0

        async def poll(source: Source) -> None:
            nonlocal done
            error = await self._poll(fetcher, source, now if due_only else None)
            if error:
                self.summary.source_errors[source.url] = error
            done += 1
            self.progress("feeds", done, len(sources))

        await asyncio.gather(*(poll(s) for s in sources))

    async def _poll(self, fetcher: Fetcher, source: Source, due_at: str | None) -> str | None:
        """Poll a source's feeds and sitemaps and queue what they list; returns an error message or None."""
        title: str | None = None
        try:
            feeds = self.store.feeds_for(source.id)
            if not feeds and source.kind == "feed":
                feeds = [self.store.add_feed(source.id, source.url)]
            elif not feeds:
                feeds, title = await self._discover(fetcher, source)
        except (FetchError, ExtractionError) as exc:
            failure = f"{exc} ({getattr(exc, 'url', None) or source.url})"
            self.store.record_source_result(source.id, failure)
            return failure
        errors = []
        pending = [f for f in feeds if due_at is None or (f.next_poll_at or "") <= due_at]
        if not pending:
            return None
        # Feeds first: their items carry titles and dates that sitemaps lack.
        for feed in sorted(pending, key=lambda f: f.kind != "feed"):
            error = await self._poll_feed(fetcher, source, feed)
            if error:
                errors.append(error)
        message = None if len(errors) < len(pending) else "; ".join(errors)
        self.store.record_source_result(source.id, message, title)
        return message

    async def _discover(self, fetcher: Fetcher, source: Source) -> tuple[list[FeedState], str | None]:
        """Feeds a homepage advertises (else common feed paths) and the site's sitemaps."""
        response = await fetcher.fetch(source.url)
        if looks_like_feed(response.body, response.headers.get("content-type")):
            return [self.store.add_feed(source.id, source.url)], None
        urls, title = discover_feeds(response.body, response.final_url)
        if not urls:
            urls = await self._probe_feed_paths(fetcher, source.url)
        feeds = [self.store.add_feed(source.id, canonicalize_url(u)) for u in urls]
        robots = await fetcher.robots(source.url)
        for url in sitemap_candidates(source.url, robots.sitemaps()):
            feeds.append(self.store.add_feed(source.id, canonicalize_url(url), "sitemap"))
        return feeds, title

    async def _probe_feed_paths(self, fetcher: Fetcher, homepage: str) -> list[str]:
        found = []
        for path in COMMON_FEED_PATHS:
            url = homepage.rstrip("/") + path
            try:
                response = await fetcher.fetch(url)
            except FetchError:
                continue
            if looks_like_feed(response.body, response.headers.get("content-type")):
                found.append(url)
                break
        return found

    async def _poll_feed(self, fetcher: Fetcher, source: Source, feed: FeedState) -> str | None:
        """Conditional GET of one feed or sitemap; queue its new URLs and reschedule it."""
        new = 0
        try:
            response = await fetcher.fetch(feed.url, feed.etag, feed.last_modified)
            self.summary.feeds_polled += 1
            if response.not_modified:
                self.summary.feeds_not_modified += 1
            elif feed.kind == "sitemap":
                new = await self._read_sitemap(fetcher, source, response)
            else:
                parsed = parse_feed(response.body, response.final_url)
                new = self._enqueue(source, parsed.items)
        except (FetchError, ExtractionError) as exc:
            message = f"{exc} ({feed.url})"
            if feed.kind == "sitemap" and isinstance(exc, FetchError) and exc.permanent:
                self.store.remove_feed(feed.id)  # a guessed sitemap location that does not exist
                return None
            self._reschedule(source, feed, utc_now(), failed=True, error=message)
            return message
        self._reschedule(source, feed, response.fetched_at, new=new, response=response)
        return None

    async def _read_sitemap(self, fetcher: Fetcher, source: Source, response: Response) -> int:
        """Queue a sitemap's in-scope URLs; an index's in-scope child sitemaps are added and polled too."""
        sitemap = parse_sitemap(response.body, response.final_url)
        items = [i for i in sitemap.items if source.kind != "site" or in_scope(i.url, source.url)]
        new = self._enqueue(source, items)
        known = {f.url for f in self.store.feeds_for(source.id)}
        for child in sitemap.sitemaps:
            url = canonicalize_url(child)
            if url in known or (source.kind == "site" and not in_scope(url, source.url)):
                continue
            feed = self.store.add_feed(source.id, url, "sitemap")
            await self._poll_feed(fetcher, source, feed)
        return new

    def _enqueue(self, source: Source, items: Iterable[FeedItem]) -> int:
        queued = [replace(i, url=canonicalize_url(i.url)) for i in items if i.url.startswith(("http://", "https://"))]
        new = self.store.enqueue(source.id, queued, utc_now())
        self.summary.urls_discovered += new
        return new

    def _reschedule(self, source: Source, feed: FeedState, polled_at: str, new: int = 0, failed: bool = False,
                    error: str | None = None, response: Response | None = None) -> None:
        """Adaptive polling: a feed with new items is polled sooner, a quiet or failing one later, within bounds."""
        low = self.settings.min_poll_seconds if source.min_poll_seconds is None else source.min_poll_seconds
        high = max(low, self.settings.max_poll_seconds if source.max_poll_seconds is None else source.max_poll_seconds)
        current = feed.poll_seconds or _FIRST_POLL_SECONDS
        interval = min(high, max(low, current * (2.0 if failed else 0.5 if new else 1.5)))
        next_poll = (_now() + timedelta(seconds=interval)).isoformat(timespec="seconds")
        # Validators come only from a full (200) response; a 304 or a failure keeps the stored ones.
        validators = response.headers if response is not None and not response.not_modified else {}
        self.store.update_feed(feed.id, validators.get("etag"), validators.get("last-modified"),
                               polled_at, interval, next_poll, error)

    async def _fetch_queued(self, fetcher: Fetcher, archive: WarcArchive, stop: asyncio.Event) -> None:
        """Fetch due URLs in batches; while one batch is extracted, analysed and stored (in a worker thread,
        the single writer), the next one is fetched. Only one thread uses the store at any time."""
        total, done = self.store.count_due(utc_now()), 0
        self.progress("articles", 0, total)
        size = self.settings.crawl_batch_size
        batch = self.store.queued(size, utc_now())
        fetching = asyncio.ensure_future(self._fetch_batch(fetcher, batch))
        while batch:
            results = await fetching
            # "Now" moves on, so that a URL's second chance (see _fail) comes round in the same pass.
            upcoming = [] if stop.is_set() else self.store.queued(size, utc_now(), exclude=[q.id for q in batch])
            fetching = asyncio.ensure_future(self._fetch_batch(fetcher, upcoming))
            await asyncio.to_thread(self._process, results, archive)
            done += len(batch)
            self.progress("articles", done, max(total, done))
            batch = upcoming
        await fetching

    async def _fetch_batch(self, fetcher: Fetcher, batch: list[QueuedURL]) -> list[tuple[QueuedURL, Response | str, bool]]:
        """(URL, response or failure reason, permanent) for each URL; the store is not touched here."""
        return list(await asyncio.gather(*(self._fetch_page(fetcher, q) for q in batch)))

    async def _fetch_page(self, fetcher: Fetcher, queued: QueuedURL) -> tuple[QueuedURL, Response | str, bool]:
        try:
            response = await fetcher.fetch(queued.url)
        except FetchError as exc:
            return queued, str(exc), exc.permanent
        content_type = response.headers.get("content-type", "")
        if content_type and "html" not in content_type.lower():
            return queued, f"not HTML ({content_type.split(';')[0]})", True
        return queued, response, False

    def _fail(self, queued: QueuedURL, reason: str, permanent: bool) -> None:
        """Record a failed URL: never retried if permanent; else retried once more at the end of this pass
        (after the fetcher's own retries), then later with exponential backoff."""
        permanent = permanent or queued.attempts + 1 >= _MAX_ATTEMPTS
        later = timedelta(0) if queued.attempts == 0 else _RETRY_LATER * 2 ** queued.attempts
        retry_at = None if permanent else (_now() + later).isoformat(timespec="seconds")
        self.store.mark_failed(queued.id, reason, permanent, retry_at)
        if not permanent and not later:
            return  # comes round again in this pass; counted only if it fails then too
        self.summary.failed += 1
        self.summary.failures[reason.split(" (")[0]] += 1

    def _process(self, fetched: list[tuple[QueuedURL, Response | str, bool]], archive: WarcArchive) -> None:
        """Record failures; extract, archive, annotate, store and index the fetched pages of one batch."""
        articles: list[tuple[QueuedURL, Response, Article]] = []
        for queued, response, permanent in fetched:
            if isinstance(response, str):
                self._fail(queued, response, permanent)
                continue
            try:
                article = extract_article(response.body, response.final_url, queued.feed_item,
                                          response.headers.get("content-type"))
            except ExtractionError as exc:
                self._fail(queued, str(exc), permanent=True)
                continue
            # The queued URL is the identity: a redirect must not make a second document of one article.
            articles.append((queued, response, replace(article, url=queued.url, canonical_url=queued.url)))
        if not articles:
            return
        analysed = self._annotate([article for _, _, article in articles])
        new_ids = []
        for (queued, response, article), (found, note) in zip(articles, analysed, strict=True):
            location = archive.write(response)
            doc_id, created = self.store.save_document(
                article, found, queued.source_id, response.fetched_at, content_hash(article.text),
                url_id=queued.id, warc=location, nlp_note=note, signature=signature(article.text))
            if created:
                new_ids.append(doc_id)
                self.summary.new += 1
            else:
                self.summary.duplicates += 1
        index_documents(self.store, self.index, new_ids)
        _release_free_memory()


def annotate_articles(annotator: Annotator | None, articles: list[Article]) -> list[tuple[Annotations, str | None]]:
    """(annotations, note) per article: the NLP runs on articles in the pipeline's language; the note says
    why it did not run on the others (or on any, when `annotator` is None because the NLP is off)."""
    if annotator is None:
        return [(Annotations(), "skipped: run_nlp is off") for _ in articles]
    language = annotator.nlp.lang
    runnable = [a for a in articles if a.language == language]
    results = iter(annotator.annotate_batch((a.text, reference_date(a.published)) for a in runnable))
    return [
        (next(results), None) if article.language == language else
        (Annotations(), f"skipped: language {article.language or 'unknown'} (the pipeline is for {language})")
        for article in articles
    ]


def _release_free_memory() -> None:
    """Hand memory freed by a batch back to the system. Large pages leave glibc's per-thread heaps fragmented,
    so a long crawl's resident size would creep up without it; elsewhere this does nothing."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _load_libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


_LIBC = _load_libc()


async def _sleep_until(when: str | None, stop: asyncio.Event) -> None:
    """Wait until an ISO time (at most a minute, so new sources are noticed) or until stopped."""
    seconds = 60.0
    if when:
        try:
            seconds = min(60.0, max(1.0, (datetime.fromisoformat(when) - _now()).total_seconds()))
        except ValueError:
            pass
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


def reprocess(store: Store, index: SearchIndex, settings: Settings, data_dir: Path, ids: Sequence[int] | None,
              progress: ProgressCallback | None = None) -> tuple[int, Counter[str]]:
    """Re-run extraction and NLP on archived responses (all documents when `ids` is None), without the network.

    Returns how many documents were updated and why others were not.
    """
    failures: Counter[str] = Counter()
    if ids is None:
        documents = [d for batch in store.iter_documents() for d in batch]
    else:
        documents = list(store.get_documents(list(ids)).values())
    annotator = Annotator(settings.spacy_model, settings.nlp_batch_size, settings.laws_registry)
    updated = 0
    for start in range(0, len(documents), settings.crawl_batch_size):
        batch = []
        for doc in documents[start:start + settings.crawl_batch_size]:
            if doc.warc is None:
                failures["not archived"] += 1
                continue
            try:
                response = read_response(data_dir, doc.warc)
                item = FeedItem(doc.url, doc.title, doc.published, doc.authors)
                article = extract_article(response.body, response.final_url, item, response.headers.get("content-type"))
            except ExtractionError as exc:
                failures[str(exc).split(":")[0]] += 1
                continue
            batch.append((doc.id, replace(article, url=doc.url, canonical_url=doc.canonical_url)))
        results = annotate_articles(annotator, [article for _, article in batch])
        for (doc_id, article), (found, note) in zip(batch, results, strict=True):
            store.update_document(doc_id, article, found, content_hash(article.text), note)
            updated += 1
        if progress:
            progress("reprocess", min(start + settings.crawl_batch_size, len(documents)), len(documents))
    index_pending(store, index)
    return updated, failures


def place_filter(name: str) -> tuple[str, str]:
    """The index term of the place a user names (`search --place`), and how it was understood.

    Raises QueryError for a name the gazetteer does not know.
    """
    place = find_place(name)
    if place is None:
        raise QueryError(f"no place called {name!r} is known; try a country (Kenya, KE), a region (Punjab, PK) "
                         "or a town (Nairobi; Paris, Texas)", name)
    if place.kind == "continent":
        return place_term("", geonameid=place.geonameid), place.name
    if place.kind == "country":
        return place_term(place.country_code), f"{place.name} ({place.country_code})"
    if place.kind in ("admin1", "admin2") and place.admin1:  # a county is searched as its state
        return place_term(place.country_code, place.admin1), f"{place.admin1}, {place.country_code} (region)"
    return (place_term(place.country_code, geonameid=place.geonameid),
            f"{place.name}, {place.admin1 + ', ' if place.admin1 else ''}{place.country_code}")


def law_filter(store: Store, name: str) -> tuple[str, str]:
    """The index term of the law a user names (`search --law`), and how it was understood: an acronym or title
    the registry knows ("PECA", "Pakistan Penal Code"), an acronym stories in the corpus define ("ZARRA"), or
    else the title as written.

    Raises QueryError for an empty name.
    """
    if not name.strip():
        raise QueryError("--law needs a name: an acronym (PECA) or a title (Computer Misuse Act)", name)
    law = find_law(name)
    if law is not None:
        where = f" ({law.jurisdiction})" if law.jurisdiction else ""
        return law_term(law.name), f"{law.name}{where}"
    defined = store.laws_called(name.strip())
    if defined:
        return law_term(defined[0]), f"{defined[0]} (as stories in this corpus call it {name.strip()!r})"
    return law_term(name), " ".join(name.split())


def index_documents(store: Store, index: SearchIndex, ids: Sequence[int]) -> None:
    """Add stored documents to the index, then flag them as indexed (a crash in between is repaired later)."""
    if not ids:
        return
    documents = store.get_documents(ids)
    _index_batch(store, index, [documents[i] for i in ids if i in documents])
    store.mark_indexed(list(ids))


def _index_batch(store: Store, index: SearchIndex, documents: list[Document]) -> None:
    """Documents into the index with what the store knows of them (dates, places, laws, being a later copy).
    The other copies of their stories are indexed again: a new copy may be the earlier-published original."""
    originals = store.clusters(list({d.cluster_id for d in documents if d.cluster_id is not None}))
    shared = [cluster for cluster, (_, size) in originals.items() if size > 1]
    members = {i for c in shared for i in store.cluster_members(c)} - {d.id for d in documents}
    documents = documents + list(store.get_documents(sorted(members)).values())
    ids = [d.id for d in documents]
    dates, places, laws = store.date_values(ids), store.place_values(ids), store.law_values(ids)
    facts = {d.id: DocumentFacts(dates[d.id], places[d.id], laws[d.id],
                                 copy=d.cluster_id is not None and originals.get(d.cluster_id, (d.id, 1))[0] != d.id)
             for d in documents}
    index.add(documents, facts)


def index_pending(store: Store, index: SearchIndex, progress: ProgressCallback | None = None) -> int:
    """Index every stored document not yet flagged as indexed; returns how many."""
    if index.was_reset:
        store.mark_all_unindexed()
        index.was_reset = False
    total = int(store.stats()["documents_unindexed"])  # type: ignore[call-overload]
    done = 0
    while batch := store.unindexed_documents(500):
        _index_batch(store, index, batch)
        store.mark_indexed([d.id for d in batch])
        done += len(batch)
        if progress:
            progress("index", done, total)
    return done


def reindex(store: Store, index: SearchIndex, progress: ProgressCallback | None = None) -> int:
    """Rebuild the index from the store."""
    index.clear()
    store.mark_all_unindexed()
    return index_pending(store, index, progress)


def remove_source(store: Store, key: str) -> None:
    """Remove a source by id or URL. Raises ConfigError when there is none."""
    store.remove_source(find_source(store, key).id)


def import_opml(store: Store, data: bytes) -> tuple[int, int]:
    """Add every feed of an OPML document; returns (added, already present)."""
    added = present = 0
    for outline in parse_opml(data):
        try:
            _, created = add_source(store, outline.url, outline.title, outline.tags)
        except ConfigError as exc:
            log.warning("skipped OPML entry: %s", exc)
            continue
        added += created
        present += not created
    return added, present


def starter_sources() -> bytes:
    """The starter list of public news feeds shipped with newscorpus (OPML)."""
    from importlib import resources

    return (resources.files("newscorpus") / "data" / "starter.opml").read_bytes()


def configure_source(store: Store, key: str, changes: dict[str, Any]) -> Source:
    """Change a source's settings (title, tags, enabled, language, poll bounds, delay).

    Raises ConfigError for an unknown source or values that make no sense.
    """
    source = find_source(store, key)
    low = changes.get("min_poll_seconds", source.min_poll_seconds)
    high = changes.get("max_poll_seconds", source.max_poll_seconds)
    if low is not None and high is not None and low > high:
        raise ConfigError(f"the minimum poll interval ({low} s) is longer than the maximum ({high} s)")
    if any(v is not None and isinstance(v, float) and v < 0 for v in changes.values()):
        raise ConfigError("intervals and delays must not be negative")
    return store.configure_source(source.id, changes)


def documents_matching(store: Store, index: SearchIndex, query: str | Node | None) -> list[int] | None:
    """Ids of every document a query matches, in id order (None for every document)."""
    if query is None:
        return None
    total = int(store.stats()["documents"])  # type: ignore[call-overload]
    return sorted(doc_id for doc_id, _ in index.search(query, limit=max(1, total), resolve=resolver(store)))


def resolver(store: Store, notify: Callable[[str], None] | None = None) -> Resolver:
    """What the index asks for the filters it cannot settle alone: place: and law: to their index terms (see
    place_filter and law_filter), cluster: to its documents. `notify` hears how each name was understood."""
    def resolve(found: Filter) -> str | list[int]:
        if found.field == "cluster":
            if not found.value.strip().isdigit() or len(found.value.strip()) > 18:
                raise QueryError(f"cluster: takes a cluster number (see `newscorpus show`), not {found.value!r}",
                                 found.value, found.position)
            return store.cluster_members(int(found.value))
        term, understood = place_filter(found.value) if found.field == "place" else law_filter(store, found.value)
        if notify:
            notify(f"{found.field}: {understood}")
        return term
    return resolve


def export_matches(store: Store, index: SearchIndex, settings: Settings, query: str, filters: list[Filter],
                   fmt: str, output: Path, progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Every document the query and filters match (no cap; syndicated copies included, with their cluster) into
    `output` as JSON lines, CSV or Parquet, and beside it a manifest (`output` + ".manifest.json"): the query,
    when, the software and model versions, the row count and the SHA-256 of the file. Returns the manifest.

    Raises QueryError for a bad query, ConfigError for an unknown format, StorageError when writing fails.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
    ids = documents_matching(store, index, with_filters(parse(query), filters)) or []
    stats = store.stats()
    rows = write_export(export_rows(store, ids), fmt, output,
                        (lambda done: progress("export", done, len(ids))) if progress else None)
    manifest = {
        "tool": "newscorpus", "version": _version("newscorpus"),
        "created": utc_now(),
        "query": query, "filters": {f.field: f.value for f in filters},
        "format": fmt, "file": output.name, "rows": rows, "bytes": output.stat().st_size,
        "sha256": sha256_of(output), "fields": list(EXPORT_FIELDS),
        "corpus": {"documents": stats["documents"], "schema_version": stats["schema_version"],
                   "index_version": INDEX_VERSION},
        "software": {"python": platform.python_version(), "spacy_model": settings.spacy_model,
                     **{name: _version(name) for name in ("spacy", settings.spacy_model.replace("_", "-"),
                                                          "trafilatura", "tantivy", "pyarrow")}},
    }
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


def export_opml(store: Store) -> str:
    """Every source as OPML, tags as categories."""
    return write_opml([Outline(s.url, s.title, s.tags) for s in store.list_sources()])


def decode_text(raw: bytes, origin: str) -> str:
    """UTF-8 text for the NLP; raises ExtractionError for empty or binary input."""
    if b"\x00" in raw:
        raise ExtractionError(f"{origin} looks binary (it contains NUL bytes); give UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{origin} is not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise ExtractionError(f"{origin} is empty: nothing to extract")
    return text


def annotate_text(text: str, published: date, settings: Settings) -> Annotations:
    """The dates, places, laws and entities of one text."""
    return Annotator(settings.spacy_model, settings.nlp_batch_size, settings.laws_registry).annotate(text, published)


def extract_jsonl(lines: Iterable[bytes], settings: Settings, default_day: date, workers: int,
                  write: Callable[[str], None]) -> int:
    """Annotate one {"id", "text", "published"} record per line, writing one JSON result per line, in order.

    A line that is not such a record yields {"id", "line", "error"} with empty lists; returns how many did.
    """
    empty = Annotations().to_dict()
    bad = 0

    def records() -> Iterator[tuple[tuple[int, Any, str | None], str, date | None]]:
        nonlocal bad
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            key, text, published, error = _parse_record(line)
            bad += error is not None
            yield (number, key, error), text, published or default_day

    for (number, key, error), found in annotate_many(records(), settings.spacy_model, workers,
                                                      settings.nlp_batch_size, settings.laws_registry):
        result = {"id": key, "line": number, "error": error, **empty} if error else {"id": key, **found.to_dict()}
        write(json.dumps(result, ensure_ascii=False))
    return bad


def _parse_record(line: bytes) -> tuple[Any, str, date | None, str | None]:
    """(id, text, publication date, error) of one JSON Lines record."""
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, "", None, f"not JSON: {exc}"
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None, "", None, 'expected an object with a string "text"'
    published = record.get("published")
    day = reference_date(published) if isinstance(published, str) else None
    if published is not None and day is None:
        return record.get("id"), "", None, f"published is not an ISO date: {published!r}"
    return record.get("id"), record["text"], day, None
