"""The crawl: a streaming pipeline in which each URL moves on its own, each step as soon as the previous one is done.

    poll feeds -> queued -> fetch -> fetched (archived as WARC) -> analyse (worker processes) -> analysed (stored)
    -> indexed

Fetchers (asyncio, polite per host) hand responses to the store writer, a single thread that every store, archive
and index call runs on. Pages go through a bounded queue to the analysis workers, whose results the writer stores;
an indexer commits new documents to the search index every second. Each stage is a state in the store, so a crawl
stopped anywhere loses nothing: pages fetched but not analysed are analysed from the archive by the next crawl.
A slow, rate-limiting or dead host holds up only its own URLs.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

from newscorpus.app import ProgressCallback
from newscorpus.app._analysis import Analysis, AnalysisPool, Page
from newscorpus.app._polling import FeedPoller
from newscorpus.app.indexing import index_documents, index_pending
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.lock import DataDirLock
from newscorpus.crawler import Fetcher
from newscorpus.crawler.archive import WarcArchive
from newscorpus.crawler.urls import host_of
from newscorpus.errors import ExtractionError, FetchError
from newscorpus.models import CrawlSummary, QueuedURL, Response, WarcLocation, utc_now

log = logging.getLogger(__name__)

_RETRY_LATER = timedelta(minutes=30)  # a URL that failed waits this long, doubled with each attempt
_MAX_ATTEMPTS = 5
_SET_ASIDE_FOR = timedelta(minutes=15)  # URLs of a host set aside for a pass are deferred this long
_READ_AHEAD = 1000  # due URLs read from the store ahead of the fetchers
_MAX_BACKLOG = 20_000  # read ahead at most this far past hosts that are busy
_INDEX_EVERY = 1.0  # seconds between index commits while pages arrive


def _later(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).isoformat(timespec="seconds")


def _reason(message: str) -> str:
    """A failure's kind, for counting like ones together: "timed out (over 120 s in all)" -> "timed out"."""
    return message.split(" (")[0]


class Crawler:
    """Crawls every enabled source: one pass (`run`) or continuously (`watch`).

    `progress(phase, done, total)` hears how far each phase is; `notify(line)` hears what the user should know
    at once (stopping). With `max_time`, a pass stops after that many seconds as if interrupted.
    """

    def __init__(self, store: Store, index: SearchIndex, settings: Settings, data_dir: Path,
                 progress: ProgressCallback | None = None, notify: Callable[[str], None] | None = None,
                 max_time: float | None = None) -> None:
        self.store = store
        self.index = index
        self.settings = settings
        self.data_dir = data_dir
        self.progress = progress or (lambda phase, done, total: None)
        self.notify = notify or (lambda line: log.warning("%s", line))
        self.max_time = max_time
        self.summary = CrawlSummary()
        self._stop = asyncio.Event()
        self._main: asyncio.Task[None] | None = None
        self._network: set[asyncio.Future[Response]] = set()
        self._polling: asyncio.Task[None] | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._changed = asyncio.Event()
        self._to_index: list[int] = []
        self._done = 0
        self._due_before = 0  # URLs due (or fetched, to analyse) when the pass began
        self._discovered_before = 0  # urls_discovered when the pass began: the progress total grows past it
        self._fatal: BaseException | None = None  # what stopped the pass that no page can get past
        self._seen_discovered = 0  # urls_discovered when the fetch stage last looked

    def run(self, feeds_only: bool = False) -> CrawlSummary:
        """One pass: poll every feed and sitemap of every enabled source, fetch every due article, analyse, store
        and index it. With `feeds_only`, new article URLs are queued but not fetched.

        Raises StorageError when another process is crawling the same data directory, KeyboardInterrupt when
        aborted (a second Ctrl-C).
        """
        with DataDirLock(self.data_dir, "crawl"):
            self._start(self._session(watch=False, feeds_only=feeds_only))
        return self.summary

    def watch(self, on_pass: Callable[[CrawlSummary], None] | None = None) -> CrawlSummary:
        """Crawl continuously, each feed on its own adaptive schedule, until SIGINT or SIGTERM (or max_time)."""
        with DataDirLock(self.data_dir, "watch"):
            self.notify("watching; press Ctrl-C to stop")
            self._start(self._session(watch=True, on_pass=on_pass))
        return self.summary

    def _start(self, session: Coroutine[Any, Any, None]) -> None:
        try:
            asyncio.run(session)
        except asyncio.CancelledError:  # aborted by a second signal
            raise KeyboardInterrupt from None

    # The session and its passes

    async def _session(self, watch: bool, on_pass: Callable[[CrawlSummary], None] | None = None,
                       feeds_only: bool = False) -> None:
        loop = asyncio.get_running_loop()
        self._main = asyncio.current_task()
        self._stop = asyncio.Event()
        self._changed = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, self._on_signal)
            except (RuntimeError, ValueError):  # not the main thread: the caller handles signals
                break
        if self.max_time is not None:
            loop.call_later(self.max_time, self._request_stop, f"--max-time of {self.max_time:g} s reached")
        aborted = True
        # The archive outlives the writer thread, which may still be writing a record when the pass ends.
        with WarcArchive(self.data_dir, self.settings.warc_file_bytes) as archive:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="newscorpus-store")
            pool = None if feeds_only else AnalysisPool(self.settings, self.data_dir)
            try:
                async with Fetcher(self.settings) as fetcher:
                    await self._db(index_pending, self.store, self.index)  # catch up after a crash
                    while not self._stop.is_set():
                        fetcher.new_pass()
                        await self._pass(fetcher, archive, pool, watch)
                        if on_pass:
                            on_pass(self.summary)
                        if not watch or self._stop.is_set():
                            break
                        await _sleep_until(await self._db(self.store.next_poll_time), self._stop)
                aborted = False
                if self._fatal is not None:
                    raise self._fatal
            finally:
                if pool is not None:
                    pool.close(wait=not aborted)
                self._writer.shutdown(wait=True, cancel_futures=aborted)

    async def _db(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run a store, archive or index call on the writer thread: the only thread that touches them."""
        assert self._writer is not None
        return await asyncio.get_running_loop().run_in_executor(self._writer, partial(call, *args))

    def _on_signal(self) -> None:
        if self._stop.is_set():
            self.notify("aborting: pages fetched so far are kept; they are analysed by the next crawl")
            if self._main is not None:
                self._main.cancel()
            return
        self._request_stop("interrupted")

    def _fail_pass(self, error: BaseException) -> None:
        """A stage failed in a way no page gets past (the store cannot be written, a worker died, a bug): stop the
        pass, keep what was fetched, and end the crawl with this error (ours in one line, a bug with its
        traceback)."""
        if self._fatal is None:
            self._fatal = error
        self._request_stop(str(error))

    def _request_stop(self, why: str) -> None:
        """Stop fetching at once; what was fetched is still archived, analysed, stored and indexed."""
        if self._stop.is_set():
            return
        self.summary.stopped = why
        self._stop.set()
        self._changed.set()
        for request in list(self._network):
            request.cancel()
        if self._polling is not None:
            self._polling.cancel()
        self.notify(f"stopping ({why}): storing what was fetched; press Ctrl-C again to abort")

    async def _pass(self, fetcher: Fetcher, archive: WarcArchive, pool: AnalysisPool | None, watch: bool) -> None:
        poller = FeedPoller(self.store, self._db, self.settings, self.summary, self.progress, self._changed.set)
        await poller.apply_source_settings(fetcher)
        for host, (until, reason) in (await self._db(self.store.host_pauses, utc_now())).items():
            fetcher.pause_host(host, datetime.fromisoformat(until).timestamp(), reason)
        self._polling = asyncio.create_task(poller.poll_sources(fetcher, due_only=watch))
        if pool is None:  # feeds only
            await _finish(self._polling)
            return
        self._done, self._discovered_before = 0, self.summary.urls_discovered
        self._seen_discovered = self.summary.urls_discovered
        # Read once, before this pass fetches anything: its own fetched pages are on their way already.
        leftovers: list[QueuedURL] = await self._db(self.store.fetched, 10**6)
        self._due_before = await self._db(self.store.count_due, utc_now()) + len(leftovers)
        pages: asyncio.Queue[Page | None] = asyncio.Queue(maxsize=2 * pool.workers * self.settings.crawl_batch_size)
        pending: dict[int, tuple[QueuedURL, str, WarcLocation]] = {}
        analysers = [asyncio.create_task(self._analyse_stage(pool, pages, pending)) for _ in range(pool.workers)]
        indexed = asyncio.Event()
        indexer = asyncio.create_task(self._index_stage(indexed))
        try:
            resumed = asyncio.create_task(self._resume_stage(leftovers, pages, pending))
            await self._fetch_stage(fetcher, archive, pages, pending)
            await _finish(self._polling)
            await resumed
            for _ in analysers:
                await pages.put(None)
            await asyncio.gather(*analysers)
        finally:
            indexed.set()
            await indexer
        if self._stop.is_set():
            self.summary.remaining = await self._db(self.store.count_due, utc_now())

    # Fetch: every due URL once a pass, hosts side by side

    async def _fetch_stage(self, fetcher: Fetcher, archive: WarcArchive, pages: asyncio.Queue[Page | None],
                           pending: dict[int, tuple[QueuedURL, str, WarcLocation]]) -> None:
        """Fetch due URLs (in the store's order, walked once) with at most `per_host_concurrency` of one host and
        `concurrency` in all in flight, so that a slow or failing host takes only its own slots."""
        assert self._polling is not None
        per_host, limit = max(1, self.settings.per_host_concurrency), max(1, self.settings.concurrency)
        backlog: dict[str, deque[QueuedURL]] = {}
        active: Counter[str] = Counter()
        tasks: set[asyncio.Task[None]] = set()
        cursor, waiting, exhausted = 0, 0, False

        def finished(task: asyncio.Task[None], host: str) -> None:
            tasks.discard(task)
            active[host] -= 1
            self._changed.set()
            error = None if task.cancelled() else task.exception()
            if error is not None:
                self._fail_pass(error)

        while not self._stop.is_set():
            self._changed.clear()
            # Read ahead again when little is waiting, or when slots are free but every host waiting is at its
            # limit (one big host must not keep the others' URLs unread), up to _MAX_BACKLOG.
            idle = len(tasks) < limit and all(active[host] >= per_host for host in backlog)
            if not exhausted and (waiting < _READ_AHEAD // 2 or (idle and waiting < _MAX_BACKLOG)):
                wanted = _READ_AHEAD if waiting >= _READ_AHEAD // 2 else _READ_AHEAD - waiting
                batch: list[QueuedURL] = await self._db(self.store.queued, wanted, utc_now(), cursor)
                for queued in batch:
                    backlog.setdefault(host_of(queued.url), deque()).append(queued)
                    cursor = queued.id
                waiting += len(batch)
                exhausted = len(batch) < wanted
            for host in list(backlog):
                while backlog[host] and active[host] < per_host and len(tasks) < limit:
                    queued = backlog[host].popleft()
                    waiting -= 1
                    active[host] += 1
                    task = asyncio.create_task(self._fetch_one(fetcher, archive, queued, pages, pending))
                    tasks.add(task)
                    task.add_done_callback(partial(finished, host=host))
                if not backlog[host]:
                    del backlog[host]
            if not tasks and not backlog and exhausted and self._polling.done():
                if not await self._db(self.store.count_due, utc_now(), cursor):
                    break  # every due URL, those the feeds listed during this pass included, has been taken
                exhausted = False
                continue
            if not self._changed.is_set():
                try:  # until a fetch ends, new URLs are queued, or the pass stops
                    await asyncio.wait_for(self._changed.wait(), timeout=1.0)
                except TimeoutError:
                    pass
            if self.summary.urls_discovered != self._seen_discovered:  # the feeds queued more URLs
                self._seen_discovered = self.summary.urls_discovered
                exhausted = False
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)  # failures were seen as each task ended


    async def _fetch_one(self, fetcher: Fetcher, archive: WarcArchive, queued: QueuedURL,
                         pages: asyncio.Queue[Page | None],
                         pending: dict[int, tuple[QueuedURL, str, WarcLocation]]) -> None:
        if self._stop.is_set():
            return  # stopped before its turn: the URL stays queued
        request = asyncio.ensure_future(fetcher.fetch(queued.url))
        self._network.add(request)
        try:
            response = await request
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._stop.is_set() and not (task and task.cancelling()):
                return  # stopped before the page arrived: the URL stays queued for the next crawl
            raise
        except FetchError as exc:
            await self._record_failure(queued, exc)
            return
        finally:
            self._network.discard(request)
        content_type = response.headers.get("content-type", "")
        if content_type and "html" not in content_type.lower():
            await self._fail(queued, f"not HTML ({content_type.split(';')[0]})", permanent=True)
            return
        location = await self._db(self._archive, archive, queued, response)
        pending[queued.id] = (queued, response.fetched_at, location)
        # The worker reads the page back from the archive: the queue holds locations, not bodies of up to
        # max_response_bytes each.
        await pages.put(Page(queued.id, queued.url, queued.feed_item, location))

    def _archive(self, archive: WarcArchive, queued: QueuedURL, response: Response) -> WarcLocation:
        """Writer thread: the response into the WARC archive, then the URL's state 'fetched' with its location."""
        location = archive.write(response)
        self.store.mark_fetched(queued.id, response.fetched_at, location)
        return location

    async def _record_failure(self, queued: QueuedURL, error: FetchError) -> None:
        if not error.deferred:
            await self._fail(queued, str(error), error.permanent)
            return
        wait = timedelta(seconds=error.retry_after) if error.retry_after is not None else _SET_ASIDE_FOR
        until = _later(wait)
        await self._db(self.store.defer, queued.id, str(error), until)
        if error.host_wait:  # every later crawl, in any process, leaves the host alone until then
            await self._db(self.store.pause_host, host_of(queued.url), until, str(error))
        self.summary.deferred += 1
        self.summary.deferrals[str(error)] += 1
        self._finished_one()

    async def _fail(self, queued: QueuedURL, reason: str, permanent: bool) -> None:
        """A failed URL: never retried if permanent; else in a later pass, after a wait that doubles each time."""
        permanent = permanent or queued.attempts + 1 >= _MAX_ATTEMPTS
        retry_at = None if permanent else _later(_RETRY_LATER * 2 ** queued.attempts)
        await self._db(self.store.mark_failed, queued.id, reason, permanent, retry_at)
        self.summary.failed += 1
        self.summary.failures[_reason(reason)] += 1
        self._finished_one()

    def _finished_one(self) -> None:
        self._done += 1
        total = self._due_before + self.summary.urls_discovered - self._discovered_before  # with what the feeds queued
        self.progress("articles", self._done, max(total, self._done))

    # Analyse and store

    async def _resume_stage(self, leftovers: list[QueuedURL], pages: asyncio.Queue[Page | None],
                            pending: dict[int, tuple[QueuedURL, str, WarcLocation]]) -> None:
        """Pages an earlier crawl fetched and archived but did not analyse (it was stopped): from the archive."""
        for queued in leftovers:
            if self._stop.is_set():
                return
            assert queued.warc is not None
            pending[queued.id] = (queued, "", queued.warc)
            self.summary.resumed += 1
            await pages.put(Page(queued.id, queued.url, queued.feed_item, queued.warc))

    async def _analyse_stage(self, pool: AnalysisPool, pages: asyncio.Queue[Page | None],
                             pending: dict[int, tuple[QueuedURL, str, WarcLocation]]) -> None:
        """One per worker: take a share of the pages waiting (up to crawl_batch_size, without waiting for more),
        have a worker analyse them, store the results."""
        last = False
        while not last:
            page = await pages.get()
            if page is None:
                return
            batch = [page]
            # An even share of a short queue, so that no worker sits idle while another has a long batch to go.
            share = min(max(1, self.settings.crawl_batch_size), -(-(pages.qsize() + 1) // pool.workers))
            while len(batch) < share and not pages.empty():
                more = pages.get_nowait()
                if more is None:
                    last = True
                    break
                batch.append(more)
            try:
                results = await pool.analyse(batch)
                stored = [(pending[result.key], result) for result in results]
                outcomes = await self._db(self._store_analyses, stored)
            except Exception as exc:  # noqa: BLE001 - every failure stops the pass; the queue must still drain
                # The pages stay 'fetched': the next crawl analyses them from the archive. The queue is still
                # drained, so that no fetcher waits for room in it.
                self._fail_pass(ExtractionError(
                    f"an analysis worker stopped unexpectedly ({exc}); was it out of memory? The pages it had are "
                    "analysed by the next crawl") if isinstance(exc, BrokenProcessPool) else exc)
                continue
            finally:
                for page in batch:
                    pending.pop(page.key, None)
            for (_, result), (doc_id, created) in zip(stored, outcomes, strict=True):
                if result.error is not None:
                    self.summary.failed += 1
                    self.summary.failures[_reason(result.error)] += 1
                elif created:
                    self.summary.new += 1
                    self._to_index.append(doc_id)
                else:
                    self.summary.duplicates += 1
                self._finished_one()

    def _store_analyses(self, stored: list[tuple[tuple[QueuedURL, str, WarcLocation], Analysis]]) -> list[
            tuple[int, bool]]:
        """Writer thread: each analysed page as a document (or its URL as a page with no article); returns
        (document id, whether it is new) for each, (0, False) where there is none."""
        outcomes = []
        for (queued, fetched_at, location), result in stored:
            if result.error is not None or result.article is None:
                self.store.mark_failed(queued.id, result.error or "no article", True, None)
                outcomes.append((0, False))
                continue
            outcomes.append(self.store.save_document(
                result.article, result.annotations, queued.source_id, fetched_at or utc_now(), result.content_hash,
                url_id=queued.id, warc=location, nlp_note=result.nlp_note, signature=result.signature))
        return outcomes

    async def _index_stage(self, finished: asyncio.Event) -> None:
        """Commit new documents to the search index every second, and once more at the end."""
        while True:
            try:
                await asyncio.wait_for(finished.wait(), timeout=_INDEX_EVERY)
            except TimeoutError:
                pass
            if self._to_index:
                ids, self._to_index = self._to_index, []
                await self._db(index_documents, self.store, self.index, ids)
            if finished.is_set():
                return


async def _finish(task: asyncio.Task[None]) -> None:
    """Wait for a task that a stop may have cancelled."""
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise


async def _sleep_until(when: str | None, stop: asyncio.Event) -> None:
    """Wait until an ISO time (at least a second, at most a minute, so new sources are noticed) or until stopped."""
    seconds = 60.0
    if when:
        try:
            seconds = min(60.0, max(1.0, (datetime.fromisoformat(when) - datetime.now(timezone.utc)).total_seconds()))
        except ValueError:
            pass
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
