"""Crawler throughput and memory against a local server, with a bare async HTTP loop as the baseline.

A server process on 127.0.0.1 serves the 195 newsmirror pages under many URLs (/p/<n>.html is page
n mod 195), an RSS feed listing them, and robots.txt. Each URL's page carries its number before every paragraph
and line break, so every URL is a distinct article. Measured in one run, same URLs, same concurrency:

- bare loop: httpx.AsyncClient GETs every URL and reads the body (nothing else);
- bare loop + extraction: the same, calling the same trafilatura extraction on each page (one process);
- newscorpus fetcher: the crawler's fetch layer alone over the same URLs (robots.txt, politeness bookkeeping,
  bounded decompression), against the bare loop;
- newscorpus crawl, NLP off: poll the feed, fetch, archive (WARC), extract (worker processes), store (SQLite),
  index (tantivy);
- newscorpus crawl, NLP on, with one and with two analysis workers (nlp_workers; fewer URLs: the NLP is the
  slow part);
- bare spaCy (nlp.pipe) over the same pages' texts in one and in two processes: the machine's own scaling, the
  ceiling for the workers;
- the same NLP crawl with 1% of its URLs trickling (a byte a second, forever, until request_total_timeout):
  pages per second until the last good page is stored and indexed, against the crawl without them;
- peak memory (max RSS) of a `newscorpus crawl` process over --memory-urls URLs, NLP off (the crawl process;
  each analysis worker is a process of its own).

    python benchmarks/crawl.py [--urls 2000] [--nlp-urls 200] [--memory-urls 3000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from newscorpus.app.sources import add_source
from newscorpus.app.crawl import Crawler
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, open_store
from newscorpus.crawler import Fetcher, extract_article

_BLOCK_START = re.compile(rb"<(?:p|br|li|h[1-6])(?:\s[^>]*)?/?>", re.I)
PAGES = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "newsmirror" / "pages"


def serve(port_pipe: multiprocessing.connection.Connection) -> None:
    pages = [p.read_bytes() for p in sorted(PAGES.glob("*.html"))]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/robots.txt":
                body, kind = b"User-agent: *\nDisallow: /private/\n", "text/plain"
            elif path == "/feed.xml":  # ?n=COUNT[&trickle=EVERY]: every EVERY-th URL trickles
                params = dict(pair.split("=") for pair in query.split("&"))
                count, every = int(params["n"]), int(params.get("trickle", 0))
                host = self.headers["Host"]
                items = "".join(f"<item><title>Story {n}</title><link>http://{host}/"
                                f"{'t' if every and n % every == every // 2 else 'p'}/{n}.html</link></item>"
                                for n in range(count))
                body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'.encode()
                kind = "application/rss+xml"
            elif path.startswith("/t/"):  # a byte a second until the client gives up
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                try:
                    for _ in range(600):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(1.0)
                except OSError:
                    pass
                return
            elif path.startswith("/p/"):
                number = int(path[3:-5])
                # Each URL gets its own text (its number before every paragraph and line break), so that every
                # page is a new article rather than an exact copy of the one 195 URLs before it.
                page = pages[number % len(pages)]
                body = _BLOCK_START.sub(lambda m: m.group(0) + f"{number}: ".encode(), page)
                kind = "text/html; charset=utf-8"
            else:
                body, kind = b"not found", "text/plain"
            self.send_response(200 if kind != "text/plain" or path == "/robots.txt" else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_pipe.send(server.server_address[1])
    server.serve_forever()


async def bare_loop(base: str, count: int, concurrency: int, extract: bool) -> float:
    limit = asyncio.Semaphore(concurrency)
    started = time.perf_counter()
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as client:
        async def get(n: int) -> None:
            async with limit:
                response = await client.get(f"{base}/p/{n}.html")
                if extract:
                    extract_article(response.content, str(response.url), None, response.headers.get("content-type"))

        await asyncio.gather(*(get(n) for n in range(count)))
    return time.perf_counter() - started


def _pipe_texts(model: str, texts: list[str]) -> int:
    import spacy

    return sum(1 for _ in spacy.load(model).pipe(texts, batch_size=32))


def bare_spacy(base: str, count: int, model: str, processes: int) -> float:
    """Seconds for `processes` bare spaCy processes (one BLAS thread each, as the workers) to load the pipeline
    and run nlp.pipe over the texts of the first `count` pages, split evenly: what this machine's cores give
    spaCy alone, the ceiling for the crawl's analysis workers."""
    with httpx.Client() as client:
        texts = [extract_article(client.get(f"{base}/p/{n}.html").content, f"{base}/p/{n}.html").text
                 for n in range(count)]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["newscorpus.app._worker"])
    started = time.perf_counter()
    with context.Pool(processes) as pool:
        done = sum(pool.starmap(_pipe_texts, [(model, texts[i::processes]) for i in range(processes)]))
    assert done == count
    return time.perf_counter() - started


async def fetcher_loop(base: str, count: int, settings: Settings) -> float:
    """newscorpus's fetch layer alone (robots.txt, politeness bookkeeping, bounded decompression) over the URLs."""
    started = time.perf_counter()
    async with Fetcher(settings, {"127.0.0.1"}) as fetcher:
        await asyncio.gather(*(fetcher.fetch(f"{base}/p/{n}.html") for n in range(count)))
    return time.perf_counter() - started


def crawl_in_process(base: str, count: int, settings: Settings,
                     trickle_every: int = 0) -> tuple[float, int, float, float]:
    """(seconds the crawl took, pages stored, seconds until the last stored page was stored and indexed, seconds
    from the first stored page to the last: the steady state, without starting the workers)."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        store = open_store(data)
        add_source(store, f"{base}/feed.xml?n={count}&trickle={trickle_every}")
        stored_at: list[float] = []
        started = time.perf_counter()

        def progress(phase: str, done: int, total: int) -> None:
            if phase == "articles":
                stored_at.append(time.perf_counter() - started)

        summary = Crawler(store, SearchIndex(data), settings, data, progress).run()
        elapsed = time.perf_counter() - started
        store.close()
    if summary.duplicates:
        print(f"    ({summary.duplicates} of the pages were exact copies: stored once, with every URL)")
    stored = summary.new + summary.duplicates
    last = stored_at[stored - 1] if stored else elapsed
    return elapsed, stored, last, last - (stored_at[0] if stored_at else 0.0)


def crawl_memory(base: str, count: int, concurrency: int) -> int:
    """Peak RSS in MB of a separate `newscorpus crawl` process (its VmHWM, read while it runs)."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "newscorpus", "--data", folder, "--setting", "per_host_delay", "0",
                   "--setting", "concurrency", str(concurrency), "--setting", "per_host_concurrency", str(concurrency),
                   "--setting", "run_nlp", "false"]
        subprocess.run([*command, "sources", "add", f"{base}/feed.xml?n={count}"], check=True, capture_output=True)
        crawl = subprocess.Popen([*command, "crawl"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        peak_kb = 0
        while crawl.poll() is None:
            try:
                status = Path(f"/proc/{crawl.pid}/status").read_text()
            except OSError:
                break
            peak_kb = max(peak_kb, int(status.split("VmHWM:")[1].split()[0]))
            time.sleep(0.2)
        output = crawl.communicate()[0]
        print(f"    {output.strip().splitlines()[0]}")
    return peak_kb // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--nlp-urls", type=int, default=200)
    parser.add_argument("--memory-urls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{receive.recv()}"
    settings = replace(Settings(), per_host_delay=0.0, concurrency=args.concurrency,
                       per_host_concurrency=args.concurrency, run_nlp=False)
    print(f"{args.urls} URLs (195 newsmirror pages repeated, {sum(p.stat().st_size for p in PAGES.glob('*.html')) / 195 / 1000:.0f} kB "
          f"on average), concurrency {args.concurrency}, server {base}")
    if args.urls:  # --urls 0 skips the runs without NLP
        bare = asyncio.run(bare_loop(base, args.urls, args.concurrency, extract=False))
        bare_extract = asyncio.run(bare_loop(base, args.urls, args.concurrency, extract=True))
        fetch_only = asyncio.run(fetcher_loop(base, args.urls, settings))
        ours, stored, _, _ = crawl_in_process(base, args.urls, settings)
        assert stored == args.urls, stored
        print(f"  bare loop (fetch only)              {args.urls / bare:8.1f} pages/s")
        print(f"  newscorpus fetcher (fetch only)     {args.urls / fetch_only:8.1f} pages/s   "
              f"time {fetch_only / bare:.2f}x the bare loop's")
        print(f"  bare loop + extraction              {args.urls / bare_extract:8.1f} pages/s")
        print(f"  newscorpus crawl, NLP off           {args.urls / ours:8.1f} pages/s   "
              f"time {ours / bare_extract:.2f}x the bare loop + extraction's, {ours / bare:.1f}x the fetch-only loop's "
              f"({settings.nlp_workers or 'one per core'} workers)")
    n = args.nlp_urls
    spacy_one = bare_spacy(base, n, settings.spacy_model, 1)
    spacy_two = bare_spacy(base, n, settings.spacy_model, 2)
    nlp = replace(settings, run_nlp=True, request_total_timeout=60.0)
    nlp_bare = asyncio.run(bare_loop(base, n, args.concurrency, extract=True))
    one, one_stored, _, one_steady = crawl_in_process(base, n, replace(nlp, nlp_workers=1))
    two, two_stored, _, two_steady = crawl_in_process(base, n, replace(nlp, nlp_workers=2))
    assert one_stored == two_stored == n, (one_stored, two_stored)
    every = 100  # 1% of the URLs trickle
    tricky, tricky_stored, good_done, _ = crawl_in_process(base, n, replace(nlp, nlp_workers=2),
                                                           trickle_every=every)
    good = n - n // every
    assert tricky_stored == good, tricky_stored
    print(f"  (bare loop + extraction on the {n} URLs of the NLP runs: {n / nlp_bare:.1f} pages/s)")
    print(f"  bare spaCy on their texts, 1 process {n / spacy_one:7.1f} texts/s")
    print(f"  bare spaCy on their texts, 2 processes {n / spacy_two:5.1f} texts/s   {spacy_one / spacy_two:.2f}x one: "
          "what two cores give spaCy alone here")
    print(f"  newscorpus crawl, NLP on, 1 worker  {n / one:8.1f} pages/s   (steady state: {(n - 1) / one_steady:.1f})")
    print(f"  newscorpus crawl, NLP on, 2 workers {n / two:8.1f} pages/s   {one / two:.2f}x one worker "
          f"(steady state, from the first page stored to the last: {(n - 1) / two_steady:.1f} pages/s, "
          f"{one_steady / two_steady:.2f}x)")
    print(f"  the same with 1% of URLs trickling  {good / good_done:8.1f} pages/s   "
          f"{(good / good_done) / (n / two):.2f}x without them (good pages until the last is stored and indexed; "
          f"the crawl ended after {tricky:.0f} s, when the trickling requests used up request_total_timeout)")
    if args.memory_urls:
        peak = crawl_memory(base, args.memory_urls, args.concurrency)
        print(f"  peak memory of `newscorpus crawl` over {args.memory_urls} URLs, NLP off: {peak} MB")
    server.terminate()


if __name__ == "__main__":
    main()
