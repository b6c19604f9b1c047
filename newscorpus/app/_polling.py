"""Polling sources: find a homepage's feeds and sitemaps, poll each with a conditional GET on its own adaptive
schedule, and queue the article URLs they list. Feeds are claimed from the store, so that each is polled by one
worker however many run. Every store call runs on the crawl's single writer (`db`)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from newscorpus.app import ProgressCallback
from newscorpus.config import Settings
from newscorpus.corpus import Store
from newscorpus.crawler import Fetcher, canonicalize_url, discover_feeds, looks_like_feed, parse_feed
from newscorpus.crawler.feeds import COMMON_FEED_PATHS
from newscorpus.crawler.sitemaps import in_scope, parse_sitemap, sitemap_candidates
from newscorpus.crawler.urls import host_of
from newscorpus.errors import ExtractionError, FetchError
from newscorpus.models import CrawlSummary, FeedItem, FeedState, Response, Source, utc_now

# Runs a store call on the writer thread: `await db(store.enqueue, ...)`.
Db = Callable[..., Awaitable[Any]]
_FIRST_POLL_SECONDS = 3600.0


class FeedPoller:
    """Polls the feeds and sitemaps of every enabled source and queues the URLs they list."""

    def __init__(self, store: Store, db: Db, settings: Settings, summary: CrawlSummary,
                 progress: ProgressCallback, on_queued: Callable[[], None], worker: str,
                 discover_after: dict[int, float]) -> None:
        self.store = store
        self.db = db
        self.settings = settings
        self.summary = summary
        self.progress = progress
        self.on_queued = on_queued  # new URLs are waiting: the fetch stage may take them at once
        self.worker = worker  # the name the feeds are claimed under
        # Source -> when (time.monotonic) its homepage may be read again after a failure, kept across passes.
        self.discover_after = discover_after

    async def apply_source_settings(self, fetcher: Fetcher) -> None:
        """Hosts of sources may be private addresses (the user named them); sources may set their own delay."""
        for source in await self.db(self.store.list_sources, False):
            fetcher.allowed_hosts.add((urlsplit(source.url).hostname or "").lower())
            if source.delay_seconds is not None:
                fetcher.set_host_delay(source.url, source.delay_seconds)

    async def poll_sources(self, fetcher: Fetcher, due_only: bool) -> None:
        """Poll the feeds that are due (every feed, without `due_only`) while the homepages of sources without a
        known feed are read for theirs, which are then polled too; all sources at once (each host keeps its own
        politeness limits)."""
        now = time.monotonic()
        unread = [s for s in await self.db(self.store.sources_without_feeds) if self.discover_after.get(s.id, 0) <= now]
        sources = {s.id: s for s in await self.db(self.store.list_sources, False)}
        counts = [0, 0]  # sources polled, sources claimed
        self.progress("feeds", 0, 0)

        async def discover_then_poll() -> None:
            await asyncio.gather(*(self._find_feeds(fetcher, source) for source in unread))
            if unread:  # the feeds just found are due, never polled
                await self._claim_and_poll(fetcher, sources, True, counts)

        await asyncio.gather(self._claim_and_poll(fetcher, sources, due_only, counts), discover_then_poll())

    async def _claim_and_poll(self, fetcher: Fetcher, sources: dict[int, Source], due_only: bool,
                              counts: list[int]) -> None:
        """Claim feeds and poll them, source by source. Polling as it comes due claims a few at a time, so that
        other poll workers get a share; a single pass claims every feed at once (a feed it polled would be claimed
        again by a second claim of all)."""
        limit = 4 * max(1, self.settings.concurrency) if due_only else 10**6
        while claimed := await self.db(self.store.claim_feeds, self.worker, limit, self.settings.lease_seconds,
                                       due_only):
            by_source: dict[int, list[FeedState]] = defaultdict(list)
            for feed in claimed:
                by_source[feed.source_id].append(feed)
            counts[1] += len(by_source)

            async def poll(source_id: int, feeds: list[FeedState]) -> None:
                source = sources.get(source_id) or await self.db(self.store.get_source, source_id)
                if source is not None:  # else removed meanwhile, its feeds with it
                    await self._poll(fetcher, source, feeds)
                counts[0] += 1
                self.progress("feeds", counts[0], counts[1])

            await asyncio.gather(*(poll(i, feeds) for i, feeds in by_source.items()))
            if not due_only:
                return

    async def _find_feeds(self, fetcher: Fetcher, source: Source) -> None:
        """A source's feeds and sitemaps, remembered in the store; a failure is recorded with its reason, on the
        source (`sources list`) and in the summary. The homepage is read again after min_poll_seconds at the
        soonest, if it is still without a feed (a guessed sitemap turned out not to exist, say)."""
        self.discover_after[source.id] = time.monotonic() + self.settings.min_poll_seconds
        try:
            if source.kind == "feed":
                await self.db(self.store.add_feed, source.id, source.url)
                return
            title = await self._discover(fetcher, source)
        except (FetchError, ExtractionError) as exc:
            failure = f"{exc} ({getattr(exc, 'url', None) or source.url})"
            self.summary.feed_errors[source.url] = failure
            await self.db(self.store.record_source_result, source.id, failure)
            return
        if title:
            await self.db(self.store.record_source_result, source.id, None, title)

    async def _poll(self, fetcher: Fetcher, source: Source, feeds: list[FeedState]) -> None:
        """Poll a source's claimed feeds and sitemaps and queue what they list; each failure is recorded with its
        reason, on the feed, on the source (`sources list`) and in the summary."""
        errors = []
        # Feeds first: their items carry titles and dates that sitemaps lack.
        for feed in sorted(feeds, key=lambda f: f.kind != "feed"):
            error = await self._poll_feed(fetcher, source, feed)
            if error:
                errors.append(error)
        await self.db(self.store.record_source_result, source.id, "; ".join(errors) or None)

    async def _discover(self, fetcher: Fetcher, source: Source) -> str | None:
        """Remember the feeds a homepage advertises (else common feed paths) and the site's sitemaps; returns the
        homepage's title."""
        response = await fetcher.fetch(source.url)
        if looks_like_feed(response.body, response.headers.get("content-type")):
            await self.db(self.store.add_feed, source.id, source.url)
            return None
        urls, title = discover_feeds(response.body, response.final_url)
        if not urls:
            urls = await self._probe_feed_paths(fetcher, source.url)
        for url in urls:
            await self.db(self.store.add_feed, source.id, canonicalize_url(url))
        robots = await fetcher.robots(source.url)
        for url in sitemap_candidates(source.url, robots.sitemaps()):
            await self.db(self.store.add_feed, source.id, canonicalize_url(url), "sitemap")
        return title

    async def _probe_feed_paths(self, fetcher: Fetcher, homepage: str) -> list[str]:
        for path in COMMON_FEED_PATHS:
            url = homepage.rstrip("/") + path
            try:
                response = await fetcher.fetch(url)
            except FetchError:
                continue
            if looks_like_feed(response.body, response.headers.get("content-type")):
                return [url]
        return []

    async def _poll_feed(self, fetcher: Fetcher, source: Source, feed: FeedState) -> str | None:
        """Conditional GET of one feed or sitemap; queue its new URLs and reschedule it. Returns its error."""
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
                new = await self._enqueue(source, parsed.items)
        except (FetchError, ExtractionError) as exc:
            if feed.kind == "sitemap" and isinstance(exc, FetchError) and exc.status in (404, 410):
                await self.db(self.store.remove_feed, feed.id)  # a guessed sitemap location that does not exist
                return None
            message = f"{exc} ({feed.url})"
            self.summary.feed_errors[feed.url] = str(exc)
            if isinstance(exc, FetchError) and exc.host_wait and exc.retry_after is not None:
                until = (datetime.now(timezone.utc) + timedelta(seconds=exc.retry_after)).isoformat(timespec="seconds")
                await self.db(self.store.pause_host, host_of(feed.url), until, str(exc))
            await self._reschedule(source, feed, utc_now(), failed=True, error=message)
            return message
        await self._reschedule(source, feed, response.fetched_at, new=new, response=response)
        return None

    async def _read_sitemap(self, fetcher: Fetcher, source: Source, response: Response) -> int:
        """Queue a sitemap's in-scope URLs; an index's in-scope child sitemaps are added and polled too."""
        sitemap = parse_sitemap(response.body, response.final_url)
        items = [i for i in sitemap.items if source.kind != "site" or in_scope(i.url, source.url)]
        new = await self._enqueue(source, items)
        known = {f.url for f in await self.db(self.store.feeds_for, source.id)}
        for child in sitemap.sitemaps:
            url = canonicalize_url(child)
            if url in known or (source.kind == "site" and not in_scope(url, source.url)):
                continue
            feed = await self.db(self.store.add_feed, source.id, url, "sitemap")
            await self._poll_feed(fetcher, source, feed)
        return new

    async def _enqueue(self, source: Source, items: Iterable[FeedItem]) -> int:
        queued = [replace(i, url=canonicalize_url(i.url)) for i in items if i.url.startswith(("http://", "https://"))]
        new: int = await self.db(self.store.enqueue, source.id, queued, utc_now())
        self.summary.urls_discovered += new
        if new:
            self.on_queued()
        return new

    async def _reschedule(self, source: Source, feed: FeedState, polled_at: str, new: int = 0, failed: bool = False,
                          error: str | None = None, response: Response | None = None) -> None:
        """Adaptive polling: a feed with new items is polled sooner, a quiet or failing one later, within bounds."""
        low = self.settings.min_poll_seconds if source.min_poll_seconds is None else source.min_poll_seconds
        high = max(low, self.settings.max_poll_seconds if source.max_poll_seconds is None else source.max_poll_seconds)
        current = feed.poll_seconds or _FIRST_POLL_SECONDS
        interval = min(high, max(low, current * (2.0 if failed else 0.5 if new else 1.5)))
        next_poll = (datetime.now(timezone.utc) + timedelta(seconds=interval)).isoformat(timespec="seconds")
        # Validators come only from a full (200) response; a 304 or a failure keeps the stored ones.
        validators = response.headers if response is not None and not response.not_modified else {}
        await self.db(self.store.update_feed, feed.id, validators.get("etag"), validators.get("last-modified"),
                      polled_at, interval, next_poll, error)
