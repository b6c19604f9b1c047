"""Crawler throughput and memory against a local server, with a bare async HTTP loop as the baseline.

A server process on 127.0.0.1 serves the 195 newsmirror pages under many URLs (/p/<n>.html is page
n mod 195), an RSS feed listing them, and robots.txt. Measured in one run, same URLs, same concurrency:

Each URL's page carries its number before every paragraph and line break, so every URL is a distinct article.

- bare loop: httpx.AsyncClient GETs every URL and reads the body (nothing else);
- bare loop + extraction: the same, calling the same trafilatura extraction on each page;
- newscorpus crawl, NLP off: poll the feed, fetch, extract, archive (WARC), store (SQLite), index (tantivy);
- newscorpus crawl, NLP on: the same with the spaCy pipeline (fewer URLs: the NLP is the slow part);
- peak memory (max RSS) of a `newscorpus crawl` process over --memory-urls URLs, NLP off.

    python benchmarks/crawl.py [--urls 2000] [--nlp-urls 200] [--memory-urls 10000] [--concurrency 8]
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

from newscorpus import ingest
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, open_store
from newscorpus.crawler import extract_article

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
            elif path == "/feed.xml":
                count = int(query.split("=")[1])
                host = self.headers["Host"]
                items = "".join(f"<item><title>Story {n}</title><link>http://{host}/p/{n}.html</link></item>"
                                for n in range(count))
                body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'.encode()
                kind = "application/rss+xml"
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


def crawl_in_process(base: str, count: int, settings: Settings) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        store = open_store(data)
        ingest.add_source(store, f"{base}/feed.xml?n={count}")
        started = time.perf_counter()
        summary = ingest.Crawler(store, SearchIndex(data), settings, data).run()
        elapsed = time.perf_counter() - started
        store.close()
    if summary.duplicates:
        print(f"    ({summary.duplicates} of the pages were exact copies: stored once, with every URL)")
    return elapsed, summary.new + summary.duplicates


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
    parser.add_argument("--memory-urls", type=int, default=10000)
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
    bare = asyncio.run(bare_loop(base, args.urls, args.concurrency, extract=False))
    bare_extract = asyncio.run(bare_loop(base, args.urls, args.concurrency, extract=True))
    ours, stored = crawl_in_process(base, args.urls, settings)
    assert stored == args.urls, stored
    print(f"  bare loop (fetch only)              {args.urls / bare:8.1f} pages/s")
    print(f"  bare loop + extraction              {args.urls / bare_extract:8.1f} pages/s")
    print(f"  newscorpus crawl, NLP off           {args.urls / ours:8.1f} pages/s   "
          f"{ours / bare_extract:.2f}x the bare loop + extraction, {ours / bare:.1f}x the fetch-only loop")
    nlp_bare = asyncio.run(bare_loop(base, args.nlp_urls, args.concurrency, extract=True))
    nlp_ours, nlp_stored = crawl_in_process(base, args.nlp_urls, replace(settings, run_nlp=True))
    assert nlp_stored == args.nlp_urls
    print(f"  newscorpus crawl, NLP on ({args.nlp_urls} URLs) {args.nlp_urls / nlp_ours:8.1f} pages/s   "
          f"(bare loop + extraction on the same URLs: {args.nlp_urls / nlp_bare:.1f} pages/s)")
    if args.memory_urls:
        peak = crawl_memory(base, args.memory_urls, args.concurrency)
        print(f"  peak memory of `newscorpus crawl` over {args.memory_urls} URLs, NLP off: {peak} MB")
    server.terminate()


if __name__ == "__main__":
    main()
