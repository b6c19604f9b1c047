"""The crawl: a streaming pipeline in which each URL moves on its own, each step as soon as the previous one is done.

    poll feeds -> queued -> fetch -> fetched (archived as WARC) -> analyse (worker processes) -> analysed (stored)
    -> indexed

Fetchers (asyncio, polite per host) hand responses to the store writer, a single thread that every store, archive
and index call runs on. Pages go through a bounded queue to the analysis workers, whose results the writer stores;
an indexer commits new documents to the search index every second. Each stage is a state in the store, so a crawl
stopped anywhere loses nothing: pages fetched but not analysed are analysed from the archive by the next crawl.
A slow, rate-limiting or dead host holds up only its own URLs.

Work is claimed from the store with a lease (feeds to poll, URLs to fetch, pages to analyse), so that many
processes on many machines can share one PostgreSQL store: `crawl` and `watch` run every role in one process,
`newscorpus worker --role ...` some of them. A worker renews the leases of what it holds while it works and gives
back what it did not finish when it stops; what a killed worker held returns to the others once its leases run
out. Requests to a host are spaced across every worker (host turns in the store).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import signal
import socket
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext, suppress
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

from newscorpus.app import ProgressCallback
from newscorpus.app._analysis import Analysis, AnalysisPool, Page
from newscorpus.app._polling import FeedPoller
from newscorpus.app.indexing import index_documents, index_new, index_pending
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.lock import DataDirLock
from newscorpus.crawler import Fetcher
from newscorpus.crawler.archive import WarcArchive, archive_directory
from newscorpus.crawler.urls import host_of
from newscorpus.errors import ExtractionError, FetchError, StorageError
from newscorpus.models import CrawlSummary, QueuedURL, Response, WarcLocation, utc_now

log = logging.getLogger(__name__)

_RETRY_LATER = timedelta(minutes=30)  # a URL that failed waits this long, doubled with each attempt
_MAX_ATTEMPTS = 5
_SET_ASIDE_FOR = timedelta(minutes=15)  # URLs of a host set aside for a pass are deferred this long
_READ_AHEAD = 1000  # due URLs claimed ahead of the fetchers
_SHARED_READ_AHEAD = 4  # ... times `concurrency` where other workers fetch too: a share each, none left idle
_MAX_BACKLOG = 20_000  # read ahead at most this far past hosts that are busy
_INDEX_EVERY = 1.0  # seconds between index commits while pages arrive
_IDLE = 1.0  # seconds a worker waits before it looks for new work, once it found none
ROLES = ("poll", "fetch", "nlp", "index")


def _machine() -> str:
    """Who can see this process's PID: the host's name, and a digest of the kernel's boot and the PID namespace
    (two machines, or containers, may share a host name)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        space = os.stat("/proc/self/ns/pid").st_ino
    except OSError:  # not Linux: the host name alone
        return socket.gethostname()
    return f"{socket.gethostname()}/{hashlib.sha1(f'{boot}:{space}'.encode()).hexdigest()[:8]}"


def worker_name() -> str:
    """A name for this process's leases, unique across machines: machine, PID and a random part."""
    return f"{_machine()}:{os.getpid()}:{secrets.token_hex(3)}"


def release_dead_workers(store: Store, me: str) -> int:
    """Give back at once what workers that this process can see have died held (a killed crawl, say), rather
    than after their leases run out; returns how many URLs and feeds. Workers on other machines are left to
    their leases: whether they live cannot be seen from here."""
    released, machine = 0, _machine()
    for owner in store.lease_holders():
        host, pid, _ = (owner.rsplit(":", 2) + ["", ""])[:3]
        if owner == me or host != machine or not pid.isdecimal():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            released += store.release_work(owner)
        except PermissionError:  # alive, as another user
            pass
    return released


def _later(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).isoformat(timespec="seconds")


def _reason(message: str) -> str:
    """A failure's kind, for counting like ones together: "timed out (over 120 s in all)" -> "timed out"."""
    return message.split(" (")[0]


class Crawler:
    """Crawls every enabled source: one pass (`run`), continuously (`watch`), or as one of many workers (`work`).

    `progress(phase, done, total)` hears how far each phase is; `notify(line)` hears what the user should know
    at once (stopping). With `max_time`, a pass stops after that many seconds as if interrupted. `roles` are the
    stages this process runs (ROLES: all of them by default); `index` may be None when "index" is not one.
    """

    def __init__(self, store: Store, index: SearchIndex | None, settings: Settings, data_dir: Path,
                 progress: ProgressCallback | None = None, notify: Callable[[str], None] | None = None,
                 max_time: float | None = None, roles: Iterable[str] = ROLES) -> None:
        self.store = store
        self.index = index
        self.roles = frozenset(roles)
        unknown = self.roles - set(ROLES)
        if unknown or not self.roles:
            raise ValueError(f"roles are {', '.join(ROLES)}, not {', '.join(sorted(unknown)) or 'none'}")
        assert index is not None or "index" not in self.roles
        self.worker = worker_name()
        self._shared = False  # other workers may share the store: they index, and pace hosts, with this one
        self.settings = settings
        self.data_dir = data_dir
        self.archive = archive_directory(data_dir, settings.warc_dir)
        if settings.warc_dir and not self.archive.is_dir():  # never made here: it may be a mount not yet there
            raise StorageError(f"warc_dir {self.archive} is not a directory: create it (with workers on many "
                               "machines, a directory every worker reaches)")
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
        self._due_before = 0  # URLs due when the pass began
        self._resumed_before = 0  # summary.resumed when the pass began
        self._discovered_before = 0  # urls_discovered when the pass began: the progress total grows past it
        self._fatal: BaseException | None = None  # what stopped the pass that no page can get past
        self._seen_discovered = 0  # urls_discovered when the fetch stage last looked
        self._held: set[int] = set()  # URLs this worker claimed and has not finished: their leases are renewed
        self._lost: set[int] = set()  # URLs whose lease ran out while held: another worker has them now
        self._discover_after: dict[int, float] = {}  # source -> when its homepage may be read again

    def run(self, feeds_only: bool = False) -> CrawlSummary:
        """One pass: poll every feed and sitemap of every enabled source, fetch every due article, analyse, store
        and index it. With `feeds_only`, new article URLs are queued but not fetched.

        Raises StorageError when another process is crawling the same data directory, KeyboardInterrupt when
        aborted (a second Ctrl-C).
        """
        if feeds_only:
            self.roles = frozenset({"poll"})
        with DataDirLock(self.data_dir, "crawl"):
            self._start(self._session(watch=False))
        return self.summary

    def watch(self, on_pass: Callable[[CrawlSummary], None] | None = None) -> CrawlSummary:
        """Crawl continuously, each feed on its own adaptive schedule, until SIGINT or SIGTERM (or max_time)."""
        with DataDirLock(self.data_dir, "watch"):
            self.notify("watching; press Ctrl-C to stop")
            self._start(self._session(watch=True, on_pass=on_pass))
        return self.summary

    def work(self, on_pass: Callable[[CrawlSummary], None] | None = None) -> CrawlSummary:
        """Run this process's roles beside other workers that share the store, until SIGINT or SIGTERM (or
        max_time): claim work, do it, and look again every second when there is none. On a stop, what was
        fetched is stored and what was claimed but not done is given back. The indexer (role "index") holds the
        data directory's lock: one per search index."""
        self._shared = True
        roles = ", ".join(r for r in ROLES if r in self.roles)
        with DataDirLock(self.data_dir, "worker --role index") if "index" in self.roles else nullcontext():
            self.notify(f"worker {self.worker} ({roles}) started; press Ctrl-C to stop")
            self._start(self._session(watch=True, on_pass=on_pass))
        return self.summary

    def _start(self, session: Coroutine[Any, Any, None]) -> None:
        try:
            asyncio.run(session)
        except asyncio.CancelledError:  # aborted by a second signal
            raise KeyboardInterrupt from None

    # The session and its passes

    async def _session(self, watch: bool, on_pass: Callable[[CrawlSummary], None] | None = None) -> None:
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
        # Other workers may share the store (as `worker`, or any process on PostgreSQL): requests to a host are
        # spaced across them all.
        turns = partial(self._db, self.store.take_host_turn) if self._shared or self.settings.database_url else None
        # The archive outlives the writer thread, which may still be writing a record when the pass ends.
        with WarcArchive(self.archive, self.settings.warc_file_bytes) as archive:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="newscorpus-store")
            pool = AnalysisPool(self.settings, self.data_dir) if "nlp" in self.roles else None
            renewing = asyncio.create_task(self._renew_leases())
            try:
                async with Fetcher(self.settings, host_turns=turns) as fetcher:
                    await self._db(release_dead_workers, self.store, self.worker)
                    if "index" in self.roles:
                        await self._db(index_pending, self.store, self.index)  # catch up after a crash
                    while not self._stop.is_set():
                        fetcher.new_pass()
                        await self._pass(fetcher, archive, pool, watch)
                        if on_pass:
                            on_pass(self.summary)
                        if not watch or self._stop.is_set():
                            break
                        when = None if self._shared else await self._db(self.store.next_poll_time)
                        await _sleep_until(when, self._stop, _IDLE if self._shared else 60.0)
                aborted = False
                if self._fatal is not None:
                    raise self._fatal
            finally:
                renewing.cancel()
                if pool is not None:
                    pool.close(wait=not aborted)
                self._writer.shutdown(wait=True, cancel_futures=aborted)
                with suppress(StorageError):  # a store that failed: the leases run out instead
                    self.store.release_work(self.worker)

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

    async def _renew_leases(self) -> None:
        """Keep the leases of what this worker holds while it works; note what it lost (it hung for longer than a
        lease, and another worker took the URL). A store that fails for a moment is asked again next time."""
        seconds = self.settings.lease_seconds
        while True:
            await asyncio.sleep(max(1.0, seconds / 3))
            held = set(self._held)
            try:
                kept = await self._db(self.store.renew_leases, self.worker, sorted(held), seconds)
            except StorageError as exc:
                log.warning("could not renew this worker's leases (%s); trying again", exc)
                continue
            lost = (held - kept) & self._held  # finished meanwhile: not lost
            self._lost |= lost
            self._held -= lost

    async def _pass(self, fetcher: Fetcher, archive: WarcArchive, pool: AnalysisPool | None, watch: bool) -> None:
        poller = FeedPoller(self.store, self._db, self.settings, self.summary, self.progress, self._changed.set,
                            self.worker, self._discover_after)
        if self.roles & {"poll", "fetch"}:
            await poller.apply_source_settings(fetcher)
            for host, (until, reason) in (await self._db(self.store.host_pauses, utc_now())).items():
                fetcher.pause_host(host, datetime.fromisoformat(until).timestamp(), reason)
        self._polling = asyncio.create_task(poller.poll_sources(fetcher, due_only=watch) if "poll" in self.roles
                                            else asyncio.sleep(0))
        self._done, self._discovered_before = 0, self.summary.urls_discovered
        self._seen_discovered = self.summary.urls_discovered
        # For the progress bar of a crawl; a worker has none, and counting the queue every second would cost it.
        counted = "fetch" in self.roles and not self._shared
        self._due_before = await self._db(self.store.count_due, utc_now()) if counted else 0
        self._resumed_before = self.summary.resumed
        pages: asyncio.Queue[Page | None] | None = None
        analysers: list[asyncio.Task[None]] = []
        pending: dict[int, tuple[QueuedURL, str, WarcLocation]] = {}
        if pool is not None:
            pages = asyncio.Queue(maxsize=2 * pool.workers * self.settings.crawl_batch_size)
            analysers = [asyncio.create_task(self._analyse_stage(pool, pages, pending)) for _ in range(pool.workers)]
        indexed = asyncio.Event()
        indexer = asyncio.create_task(self._index_stage(indexed)) if "index" in self.roles else None
        try:
            resumed = asyncio.create_task(self._resume_stage(pool, pages, pending)) if pages is not None and pool else None
            if "fetch" in self.roles:
                await self._fetch_stage(fetcher, archive, pages, pending)
            await _finish(self._polling)
            if resumed is not None:
                await resumed
            if pages is not None:
                for _ in analysers:
                    await pages.put(None)
                await asyncio.gather(*analysers)
        finally:
            indexed.set()
            if indexer is not None:
                await indexer
        self._lost.clear()
        if self._stop.is_set():
            await self._db(self.store.release_work, self.worker)  # what it took and did not do: for the others
            self._held.clear()
            self.summary.remaining = await self._db(self.store.count_due, utc_now())

    # Fetch: every due URL once a pass, hosts side by side

    async def _fetch_stage(self, fetcher: Fetcher, archive: WarcArchive, pages: asyncio.Queue[Page | None] | None,
                           pending: dict[int, tuple[QueuedURL, str, WarcLocation]]) -> None:
        """Fetch due URLs (claimed in the store's order, walked once) with at most `per_host_concurrency` of one
        host and `concurrency` in all in flight, so that a slow or failing host takes only its own slots."""
        assert self._polling is not None
        per_host, limit = max(1, self.settings.per_host_concurrency), max(1, self.settings.concurrency)
        backlog: dict[str, deque[QueuedURL]] = {}
        active: Counter[str] = Counter()
        tasks: set[asyncio.Task[None]] = set()
        cursor, waiting, exhausted = 0, 0, False
        ahead = _SHARED_READ_AHEAD * limit if self._shared else _READ_AHEAD
        most = _SHARED_READ_AHEAD * ahead if self._shared else _MAX_BACKLOG

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
            # limit (one big host must not keep the others' URLs unread), up to `most`.
            idle = len(tasks) < limit and all(active[host] >= per_host for host in backlog)
            if not exhausted and (waiting < ahead // 2 or (idle and waiting < most)):
                wanted = ahead if waiting >= ahead // 2 else ahead - waiting
                batch: list[QueuedURL] = await self._db(self.store.claim_urls, "fetch", self.worker, wanted,
                                                        self.settings.lease_seconds, cursor)
                self._held.update(q.id for q in batch)
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
                    break  # every due URL free to take, those the feeds listed during this pass included, was taken
                # Claim again after the wait below: the claim goes by the store's clock, which may lag this one.
                exhausted = False
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
                         pages: asyncio.Queue[Page | None] | None,
                         pending: dict[int, tuple[QueuedURL, str, WarcLocation]]) -> None:
        if self._stop.is_set() or queued.id in self._lost:
            return  # stopped before its turn (the URL is given back), or another worker has it now
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
        location = await self._db(self._archive, archive, queued, response, pages is not None)
        if location is None or pages is None:  # lost to another worker, or for the analysis workers to claim
            self._held.discard(queued.id)
            if location is not None:
                self._finished_one()
            return
        pending[queued.id] = (queued, response.fetched_at, location)
        # The worker reads the page back from the archive: the queue holds locations, not bodies of up to
        # max_response_bytes each.
        await pages.put(Page(queued.id, queued.url, queued.feed_item, location))

    def _archive(self, archive: WarcArchive, queued: QueuedURL, response: Response, analyse: bool
                 ) -> WarcLocation | None:
        """Writer thread: the response into the WARC archive, then the URL's state 'fetched' with its location,
        still leased to this worker when it will `analyse` the page itself. None when the lease ran out and
        another worker took the URL: its fetch is the one kept."""
        location = archive.write(response)
        hold = self.settings.lease_seconds if analyse else 0.0
        if not self.store.mark_fetched(queued.id, response.fetched_at, location, self.worker, hold):
            return None
        self.summary.fetched += 1
        return location

    async def _record_failure(self, queued: QueuedURL, error: FetchError) -> None:
        if not error.deferred:
            await self._fail(queued, str(error), error.permanent)
            return
        wait = timedelta(seconds=error.retry_after) if error.retry_after is not None else _SET_ASIDE_FOR
        until = _later(wait)
        await self._db(self.store.defer, queued.id, str(error), until, self.worker)
        self._held.discard(queued.id)
        if error.host_wait:  # every later crawl, in any process, leaves the host alone until then
            await self._db(self.store.pause_host, host_of(queued.url), until, str(error))
        self.summary.deferred += 1
        self.summary.deferrals[str(error)] += 1
        self._finished_one()

    async def _fail(self, queued: QueuedURL, reason: str, permanent: bool) -> None:
        """A failed URL: never retried if permanent; else in a later pass, after a wait that doubles each time."""
        permanent = permanent or queued.attempts + 1 >= _MAX_ATTEMPTS
        retry_at = None if permanent else _later(_RETRY_LATER * 2 ** queued.attempts)
        await self._db(self.store.mark_failed, queued.id, reason, permanent, retry_at, self.worker)
        self._held.discard(queued.id)
        self.summary.failed += 1
        self.summary.failures[_reason(reason)] += 1
        self._finished_one()

    def _finished_one(self) -> None:
        self._done += 1
        # With what the feeds queued, and the pages an earlier crawl or another worker fetched.
        total = (self._due_before + self.summary.urls_discovered - self._discovered_before
                 + self.summary.resumed - self._resumed_before)
        self.progress("articles", self._done, max(total, self._done))

    # Analyse and store

    async def _resume_stage(self, pool: AnalysisPool, pages: asyncio.Queue[Page | None],
                            pending: dict[int, tuple[QueuedURL, str, WarcLocation]]) -> None:
        """Pages fetched and archived but not analysed (by an earlier crawl that was stopped, or by fetch-only
        workers): claimed a few at a time as the analysis workers' queue takes them, and read from the archive."""
        cursor = 0
        while not self._stop.is_set():
            wanted = max(1, self.settings.crawl_batch_size) * pool.workers
            batch: list[QueuedURL] = await self._db(self.store.claim_urls, "analyse", self.worker, wanted,
                                                    self.settings.lease_seconds, cursor)
            self._held.update(q.id for q in batch)
            for queued in batch:
                if self._stop.is_set():
                    return  # the rest are given back
                assert queued.warc is not None
                cursor = queued.id
                pending[queued.id] = (queued, "", queued.warc)
                self.summary.resumed += 1
                await pages.put(Page(queued.id, queued.url, queued.feed_item, queued.warc))
            if len(batch) < wanted:
                return

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
            self._held.difference_update(page.key for page in batch)
            for (_, result), (doc_id, created) in zip(stored, outcomes, strict=True):
                if result.error is not None:
                    self.summary.failed += 1
                    self.summary.failures[_reason(result.error)] += 1
                elif created:
                    self.summary.new += 1
                    if "index" in self.roles:
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
                self.store.mark_failed(queued.id, result.error or "no article", True, None, self.worker)
                outcomes.append((0, False))
                continue
            outcomes.append(self.store.save_document(
                result.article, result.annotations, queued.source_id, fetched_at or utc_now(), result.content_hash,
                url_id=queued.id, warc=location, nlp_note=result.nlp_note, signature=result.signature))
        return outcomes

    async def _index_stage(self, finished: asyncio.Event) -> None:
        """Commit new documents to the search index every second, and once more at the end: this process's own,
        or, where other workers share the store, every document not yet indexed."""
        while True:
            try:
                await asyncio.wait_for(finished.wait(), timeout=_INDEX_EVERY)
            except TimeoutError:
                pass
            # Seen before this round: documents stored while it indexes (before the pass finished) get another
            # round, so the last round is the one that began after every document was stored.
            last = finished.is_set()
            if self._shared:
                await self._db(index_new, self.store, self.index)
            elif self._to_index:
                ids, self._to_index = self._to_index, []
                await self._db(index_documents, self.store, self.index, ids)
            if last:
                return


async def _finish(task: asyncio.Task[None]) -> None:
    """Wait for a task that a stop may have cancelled."""
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise


async def _sleep_until(when: str | None, stop: asyncio.Event, longest: float) -> None:
    """Wait until an ISO time (at least a second, at most `longest`, so new sources are noticed) or until
    stopped."""
    seconds = longest
    if when:
        try:
            seconds = min(longest, max(1.0, (datetime.fromisoformat(when) - datetime.now(timezone.utc)).total_seconds()))
        except ValueError:
            pass
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
