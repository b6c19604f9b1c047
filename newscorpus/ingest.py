"""Orchestration: feed -> fetch -> extract -> annotate -> store -> index.

The only module that wires the crawler, NLP and corpus layers together.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, Store
from newscorpus.crawler import Fetcher, canonicalize_url, discover_feeds, extract_article, looks_like_feed, parse_feed
from newscorpus.crawler.extract import content_hash
from newscorpus.crawler.opml import Outline, parse_opml, write_opml
from newscorpus.errors import ConfigError, ExtractionError, FetchError
from newscorpus.models import Annotations, Article, FeedItem, FeedState, QueuedURL, Response, SearchHit, Source, utc_now
from newscorpus.nlp import Annotator, annotate_many, reference_date

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int], None]  # (phase, done, total)
_RETRY_LATER = timedelta(hours=1)
_MAX_ATTEMPTS = 5


@dataclass
class CrawlSummary:
    """What one crawl pass did, for the closing summary."""

    feeds_polled: int = 0
    feeds_not_modified: int = 0
    urls_discovered: int = 0
    new: int = 0
    duplicates: int = 0
    failed: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    source_errors: dict[str, str] = field(default_factory=dict)


def add_source(store: Store, url: str, title: str | None = None, tags: Sequence[str] = ()) -> tuple[Source, bool]:
    """Add a feed or homepage URL as a source (a homepage's feeds are found on the first crawl).

    Raises ConfigError for a URL that is not http(s).
    """
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    return store.add_source(canonical, "site" if _looks_like_homepage(parts.path) else "feed", title, tags)


def _looks_like_homepage(path: str) -> bool:
    return not any(token in path.lower() for token in ("rss", "feed", "atom", ".xml"))


class Crawler:
    """One crawl pass over every source, with the layers it needs."""

    def __init__(self, store: Store, index: SearchIndex, settings: Settings,
                 progress: ProgressCallback | None = None) -> None:
        self.store = store
        self.index = index
        self.settings = settings
        self.progress = progress or (lambda phase, done, total: None)
        self._annotator: Annotator | None = None
        self.summary = CrawlSummary()

    @property
    def annotator(self) -> Annotator:
        if self._annotator is None:  # loaded only when there is something to analyse
            self._annotator = Annotator(self.settings.spacy_model, self.settings.nlp_batch_size)
        return self._annotator

    def run(self) -> CrawlSummary:
        """Poll all feeds, fetch every new article, store and index it."""
        index_pending(self.store, self.index)
        asyncio.run(self._run())
        return self.summary

    async def _run(self) -> None:
        started = utc_now()
        async with Fetcher(self.settings) as fetcher:
            sources = self.store.list_sources()
            done = 0
            self.progress("feeds", 0, len(sources))
            for source, result in zip(sources, await asyncio.gather(*(self._poll(fetcher, s) for s in sources))):
                done += 1
                self.progress("feeds", done, len(sources))
                if isinstance(result, str):
                    self.summary.source_errors[source.url] = result
            total, done = self.store.count_due(started), 0
            self.progress("articles", 0, total)
            while batch := self.store.queued(self.settings.crawl_batch_size, started):
                responses = await asyncio.gather(*(self._fetch_page(fetcher, q) for q in batch))
                self._process([(q, r) for q, r in zip(batch, responses) if r is not None])
                done += len(batch)
                self.progress("articles", done, max(total, done))

    async def _poll(self, fetcher: Fetcher, source: Source) -> str | None:
        """Poll a source's feeds and queue what they list; returns an error message or None."""
        try:
            feeds = self.store.feeds_for(source.id)
            title = None
            if not feeds and source.kind == "feed":
                feeds = [self.store.add_feed(source.id, source.url)]
            elif not feeds:
                feeds, title = await self._find_feeds(fetcher, source)
            for feed in feeds:
                response = await fetcher.fetch(feed.url, feed.etag, feed.last_modified)
                self.summary.feeds_polled += 1
                if response.not_modified:
                    self.summary.feeds_not_modified += 1
                    self.store.update_feed(feed.id, None, None, response.fetched_at)
                    continue
                parsed = parse_feed(response.body, response.final_url)
                title = title or parsed.title
                items = [FeedItem(canonicalize_url(i.url), i.title, i.published, i.authors, i.summary)
                         for i in parsed.items if i.url.startswith(("http://", "https://"))]
                self.summary.urls_discovered += self.store.enqueue(source.id, items, response.fetched_at)
                self.store.update_feed(feed.id, response.headers.get("etag"), response.headers.get("last-modified"),
                                       response.fetched_at)
        except (FetchError, ExtractionError) as exc:
            message = f"{exc} ({getattr(exc, 'url', None) or source.url})"
            self.store.record_source_result(source.id, message)
            return message
        self.store.record_source_result(source.id, None, title)
        return None

    async def _find_feeds(self, fetcher: Fetcher, source: Source) -> tuple[list[FeedState], str | None]:
        """The feeds of a source: itself if it is a feed, else those its homepage advertises."""
        response = await fetcher.fetch(source.url)
        if looks_like_feed(response.body, response.headers.get("content-type")):
            return [self.store.add_feed(source.id, source.url)], None
        urls, title = discover_feeds(response.body, response.final_url)
        if not urls:
            raise ExtractionError("no feed advertised on the page (<link rel=\"alternate\">)", source.url)
        return [self.store.add_feed(source.id, canonicalize_url(u)) for u in urls], title

    async def _fetch_page(self, fetcher: Fetcher, queued: QueuedURL) -> Response | None:
        try:
            response = await fetcher.fetch(queued.url)
        except FetchError as exc:
            self._fail(queued, str(exc), exc.permanent)
            return None
        content_type = response.headers.get("content-type", "")
        if content_type and "html" not in content_type.lower():
            self._fail(queued, f"not HTML ({content_type.split(';')[0]})", permanent=True)
            return None
        return response

    def _fail(self, queued: QueuedURL, reason: str, permanent: bool) -> None:
        permanent = permanent or queued.attempts + 1 >= _MAX_ATTEMPTS
        retry_at = None if permanent else (datetime.now(timezone.utc) + _RETRY_LATER).isoformat(timespec="seconds")
        self.store.mark_failed(queued.id, reason, permanent, retry_at)
        self.summary.failed += 1
        self.summary.failures[reason.split(" (")[0]] += 1

    def _process(self, fetched: list[tuple[QueuedURL, Response]]) -> None:
        """Extract, annotate, store and index one batch of fetched pages."""
        articles: list[tuple[QueuedURL, Response, Article]] = []
        for queued, response in fetched:
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
        annotated = self.annotator.annotate_batch((a.text, reference_date(a.published)) for _, _, a in articles)
        new_ids = []
        for (queued, response, article), annotations in zip(articles, annotated):
            doc_id, created = self.store.save_document(article, annotations, queued.source_id, response.fetched_at,
                                                       content_hash(article.text), url_id=queued.id)
            if created:
                new_ids.append(doc_id)
                self.summary.new += 1
            else:
                self.summary.duplicates += 1
        index_documents(self.store, self.index, new_ids)


def index_documents(store: Store, index: SearchIndex, ids: Sequence[int]) -> None:
    """Add stored documents to the index, then flag them as indexed (a crash in between is repaired later)."""
    if not ids:
        return
    documents = store.get_documents(ids)
    index.add([documents[i] for i in ids if i in documents])
    store.mark_indexed(list(ids))


def index_pending(store: Store, index: SearchIndex, progress: ProgressCallback | None = None) -> int:
    """Index every stored document not yet flagged as indexed; returns how many."""
    if index.was_reset:
        store.mark_all_unindexed()
        index.was_reset = False
    total = int(store.stats()["documents_unindexed"])  # type: ignore[call-overload]
    done = 0
    while batch := store.unindexed_documents(500):
        index.add(batch)
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


def search(store: Store, index: SearchIndex, query: str, limit: int = 10) -> list[SearchHit]:
    """Ranked hits for a query, with source, date and a highlighted snippet.

    Raises QueryError for a query the index cannot parse.
    """
    ranked = index.search(query, limit)
    documents = store.get_documents([doc_id for doc_id, _ in ranked])
    ranked = [(doc_id, score) for doc_id, score in ranked if doc_id in documents]
    snippets = index.snippets(query, {doc_id: documents[doc_id].text for doc_id, _ in ranked})
    return [
        SearchHit(id=doc_id, score=round(score, 4), url=documents[doc_id].url, title=documents[doc_id].title,
                  source=documents[doc_id].source, published=documents[doc_id].published, snippet=snippets[doc_id])
        for doc_id, score in ranked
    ]


def remove_source(store: Store, key: str) -> bool:
    """Remove a source by id or URL; False when there is none."""
    return store.remove_source(int(key) if key.isdigit() else canonicalize_url(key))


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
    return Annotator(settings.spacy_model, settings.nlp_batch_size).annotate(text, published)


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

    for (number, key, error), annotations in annotate_many(records(), settings.spacy_model, workers,
                                                            settings.nlp_batch_size):
        result = {"id": key, "line": number, "error": error, **empty} if error else {"id": key, **annotations.to_dict()}
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
