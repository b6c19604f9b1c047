"""The analysis stage: extraction (trafilatura) and NLP (spaCy) of fetched pages, in worker processes of their
own, so that a crawl or a reprocess uses every core it is given and the fetchers and the store writer never wait
on the CPU-bound work."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

from newscorpus.config import Settings
from newscorpus.corpus.dedup import Signature, signature
from newscorpus.crawler import extract_article
from newscorpus.crawler.archive import archive_directory, read_response
from newscorpus.crawler.extract import content_hash
from newscorpus.errors import ExtractionError
from newscorpus.models import Annotations, Article, FeedItem, WarcLocation
from newscorpus.nlp import Annotator, reference_date


@dataclass(frozen=True)
class Page:
    """A fetched page to analyse, by where the archive keeps it: the worker reads it back, so that only
    locations, not bodies of up to max_response_bytes, wait in queues and cross between processes."""

    key: int  # the caller's id for it (a URL's or a document's)
    url: str  # the identity it is stored under (the URL as queued, whatever it redirected to)
    feed_item: FeedItem | None
    warc: WarcLocation


@dataclass(frozen=True)
class Analysis:
    """What the analysis stage made of a page: the article with its annotations, or why there is none."""

    key: int
    article: Article | None = None
    annotations: Annotations = field(default_factory=Annotations)
    nlp_note: str | None = None
    content_hash: str = ""
    signature: Signature | None = None
    error: str | None = None


def worker_count(settings: Settings) -> int:
    """Worker processes to use: the setting, or one per CPU core this process may run on."""
    if settings.nlp_workers > 0:
        return settings.nlp_workers
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class AnalysisPool:
    """Worker processes that analyse batches of pages: `await pool.analyse(pages)`. They are forked from a server
    process (multiprocessing's "forkserver") that has imported the analysis stage once, not from the crawl, which
    runs threads; each loads the spaCy pipeline on its first article."""

    def __init__(self, settings: Settings, data_dir: Path) -> None:
        self.workers = worker_count(settings)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["newscorpus.app._worker"])  # once per process: the server outlives a pool
        self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                             initargs=(settings, data_dir, os.getpid()))

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close(wait=exc is None)

    def close(self, wait: bool = True) -> None:
        """Let the workers finish (`wait`), or stop them at once: pending work is dropped and the workers are
        killed (pages they had stay 'fetched', for the next crawl)."""
        if wait:
            self._executor.shutdown(wait=True)
            return
        # The executor offers no way to stop a running task; its processes are ended directly.
        workers = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.kill()
        # Its manager thread ends once it sees the workers gone. Joined now, it is not woken at exit through a pipe
        # it has closed (a traceback printed as the process ends).
        self._executor.shutdown(wait=True)

    async def analyse(self, pages: list[Page]) -> list[Analysis]:
        """Analyses of the pages, in order, from one worker."""
        return await asyncio.wrap_future(self._executor.submit(analyse_pages, pages))

    def map(self, batches: Iterable[list[Page]]) -> Iterable[list[Analysis]]:
        """Analyses of many batches, in order, spread over the workers (for callers without an event loop)."""
        return self._executor.map(analyse_pages, batches)


_settings: Settings | None = None
_data_dir: Path | None = None
_annotator: Annotator | None = None


def _start_worker(settings: Settings, data_dir: Path, owner: int) -> None:
    global _settings, _data_dir
    # Ctrl-C (or a service manager's SIGTERM) reaches every process of the group: the crawl decides how to stop,
    # the workers finish what they have.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _settings, _data_dir = settings, data_dir
    threading.Thread(target=_exit_with, args=(owner,), daemon=True, name="newscorpus-owner-watch").start()


def _exit_with(owner: int) -> None:
    """End this worker once the process that owns the pool is gone (killed, even with SIGKILL): an orphaned
    worker would otherwise wait forever on its task queue, holding a spaCy pipeline's memory."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(owner, 0)
            with open(f"/proc/{owner}/stat", "rb") as stat:  # a killed owner its parent has not reaped yet
                if stat.read().rpartition(b")")[2].split()[0] == b"Z":
                    os._exit(1)
        except (ProcessLookupError, FileNotFoundError):
            os._exit(1)
        except PermissionError:  # alive, as another user (its PID taken over): not ours to wait for
            os._exit(1)
        except OSError:  # no /proc (not Linux): alive is all that can be told
            pass


def analyse_pages(pages: list[Page], settings: Settings | None = None, data_dir: Path | None = None) -> list[Analysis]:
    """Extract each page's article, then annotate those in the pipeline's language (in one spaCy batch)."""
    global _annotator
    settings = settings or _settings
    data_dir = data_dir or _data_dir
    assert settings is not None and data_dir is not None, "call from an AnalysisPool worker, or pass both"
    found: list[Analysis] = []
    articles: list[tuple[int, Article]] = []
    fetched: list[str | None] = []
    for page in pages:
        try:
            article, fetched_at = _extract(page, archive_directory(data_dir, settings.warc_dir))
        except ExtractionError as exc:
            found.append(Analysis(page.key, error=str(exc)))
            continue
        articles.append((len(found), article))
        fetched.append(fetched_at)
        found.append(Analysis(page.key, article))
    if settings.run_nlp and _annotator is None and articles:
        _annotator = Annotator(settings.spacy_model, settings.nlp_batch_size, settings.laws_registry)
    notes = annotate_articles(_annotator if settings.run_nlp else None, [a for _, a in articles], fetched)
    for (position, article), (found_in_text, note) in zip(articles, notes, strict=True):
        found[position] = replace(found[position], annotations=found_in_text, nlp_note=note,
                                  content_hash=content_hash(article.text), signature=signature(article.text))
    return found


def _extract(page: Page, archive: Path) -> tuple[Article, str]:
    """The page's article (read from the WARC archive directory `archive`), and when the page was fetched."""
    response = read_response(archive, page.warc)
    article = extract_article(response.body, response.final_url, page.feed_item, response.headers.get("content-type"))
    # The queued URL is the identity: a redirect must not make a second document of one article.
    return replace(article, url=page.url, canonical_url=page.url), response.fetched_at


def annotate_articles(annotator: Annotator | None, articles: list[Article],
                      fetched: list[str | None] | None = None) -> list[tuple[Annotations, str | None]]:
    """(annotations, note) per article: the NLP runs on articles in the pipeline's language; the note says
    why it did not run on the others (or on any, when `annotator` is None because the NLP is off). Relative
    dates resolve against the publication date, else against when the page was fetched (`fetched`, ISO 8601),
    never against the day the analysis runs."""
    if annotator is None:
        return [(Annotations(), "skipped: run_nlp is off") for _ in articles]
    language = annotator.nlp.lang
    when = fetched or [None] * len(articles)
    runnable = [(a, f) for a, f in zip(articles, when, strict=True) if a.language == language]
    results = iter(annotator.annotate_batch((a.text, reference_date(a.published) or reference_date(f))
                                            for a, f in runnable))
    return [
        (next(results), None) if article.language == language else
        (Annotations(), f"skipped: language {article.language or 'unknown'} (the pipeline is for {language})")
        for article in articles
    ]
