"""Scale-out: crawling and NLP spread over `newscorpus worker` processes that share one PostgreSQL store.

A throwaway PostgreSQL cluster (initdb in a temporary directory, a Unix socket only, fsync on) and a server
process on 127.0.0.1 serving 8 sites, one port each (8 hosts), each with an RSS feed of its share of the
article URLs. Every URL's page is one of the 195 newsmirror pages with the URL's number woven into every
paragraph, so that each URL is an article of its own (as in benchmarks/crawl.py). Faults are on: 2% of the URLs
are answered 500 the first time, 2% are answered 429 with Retry-After: 1 the first time (which pauses their host
for every worker), and 1% take 2 seconds.

Each worker runs in its own data directory, as on a machine of its own, with its own settings file: the store
is the PostgreSQL database, the WARC archive a directory they share (warc_dir), requests to a host spaced across
all of them (per_host_delay 0.05 s), and one analysis process each (nlp_workers 1). For 1, 2 and 4 workers:

- fetch + extract: `worker --role fetch --role nlp` with run_nlp off, over --urls URLs queued beforehand
  (`crawl --feeds-only`): pages per second from the workers' start until every URL is analysed;
- NLP: `worker --role nlp` with run_nlp on, over --nlp-urls pages fetched beforehand (untimed) by a fetch
  worker.

The scaling ratio is each figure against the 1-worker figure of the same run. On a machine with 2 cores, NLP
can at most double from 1 to 2 workers and gains nothing past that; fetching and extraction share the cores
with PostgreSQL and the server.

Then a crash: 2 workers (fetch + extract) and an indexer; once a third of the URLs are analysed, one worker is
killed with SIGKILL and another one started. At the end: every URL analysed, one document per URL, no lease
left, no page served twice except those the killed worker had in flight (its fetches that never got recorded),
the index holding every document, and PostgreSQL's amcheck finding the store's indexes sound.

    python benchmarks/scale.py [--urls 2000] [--nlp-urls 300] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.hostile import QuietHandler  # noqa: E402  (the tests' quiet HTTP/1.1 handler)
from tests.postgres import fresh_database, throwaway_cluster  # noqa: E402  (the tests' throwaway cluster)

PAGES = ROOT.parent / "shared" / "benchmarks" / "newsmirror" / "pages"
SITES = 8
_BLOCK_START = re.compile(rb"<(?:p|br|li|h[1-6])(?:\s[^>]*)?/?>", re.I)


# --- the sites -------------------------------------------------------------------------------------------------

def serve(pipe: Connection) -> None:
    """Serve SITES hosts (one port each) until killed; sends their ports, then, on request, the 200s per path."""
    pages = [p.read_bytes() for p in sorted(PAGES.glob("*.html"))]
    served: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            site = self.server.server_address[1]  # type: ignore[index]
            if self.path == "/robots.txt":
                self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            elif self.path.startswith("/feed.xml?n="):  # the site's share of the first n URLs
                first = int(self.path.partition("=")[2])
                mine = [n for n in range(first) if n % SITES == ports.index(site)]
                items = "".join(f"<item><title>Story {n}</title><link>http://127.0.0.1:{site}/p/{n}.html</link>"
                                "</item>" for n in mine)
                self._send(200, f'<?xml version="1.0"?><rss version="2.0"><channel><title>Site {site}</title>'
                                f"{items}</channel></rss>".encode(), "application/rss+xml")
            elif self.path.startswith("/p/"):
                number = int(self.path[3:-5])
                with lock:
                    seen[self.path] += 1
                    first = seen[self.path] == 1
                if first and number % 50 == 7:
                    self._send(500, b"try again", "text/plain")
                    return
                if first and number % 50 == 13:
                    self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
                    return
                if number % 100 == 21:
                    time.sleep(2.0)
                page = pages[number % len(pages)]
                self._send(200, _BLOCK_START.sub(lambda m: m.group(0) + f"{number}: ".encode(), page),
                           "text/html; charset=utf-8")
                with lock:
                    served[self.path] += 1
            else:
                self._send(404, b"not found", "text/plain")

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a worker killed mid-request, or one that gave up on a slow page

    servers = [Server(("127.0.0.1", 0), Handler) for _ in range(SITES)]
    ports = [s.server_address[1] for s in servers]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    pipe.send(ports)
    while pipe.recv() == "served":
        with lock:
            pipe.send(dict(served))
            served.clear()
            seen.clear()


# --- workers ---------------------------------------------------------------------------------------------------

class Cluster:
    """One run's database, shared WARC directory and worker data directories."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.warc = folder / "warc"
        self.warc.mkdir()
        self.processes: list[subprocess.Popen[bytes]] = []
        self._numbers = iter(range(1, 1000))

    def data_dir(self, **settings: object) -> Path:
        """A worker's own data directory (as on a machine of its own), with its settings file."""
        data = self.folder / f"worker-{next(self._numbers)}"
        data.mkdir()
        values = {"database_url": self.url, "warc_dir": str(self.warc), "per_host_delay": 0.05,
                  "nlp_workers": 1, **settings}
        lines = [f"{k} = {v!r}".replace("'", '"') if isinstance(v, str) else
                 f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in values.items()]
        (data / "newscorpus.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return data

    def newscorpus(self, data: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "newscorpus", "--data", str(data), *args], check=True,
                              capture_output=True, timeout=600)

    def start(self, *roles: str, **settings: object) -> subprocess.Popen[bytes]:
        data = self.data_dir(**settings)
        command = [sys.executable, "-m", "newscorpus", "--data", str(data), "worker"]
        for role in roles:
            command += ["--role", role]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(data / "worker.log", "wb"))
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def count(self, sql: str) -> int:
        with psycopg.connect(self.url) as db:
            row = db.execute(sql).fetchone()
            return int(row[0]) if row else 0

    def wait_for(self, sql: str, target: int, limit: float) -> float:
        """Seconds until the count reaches `target` (bounded by `limit`)."""
        started = time.perf_counter()
        while self.count(sql) < target:
            if time.perf_counter() - started > limit:
                raise SystemExit(f"gave up after {limit:.0f} s: {self.count(sql)} of {target} ({sql})")
            if any(p.poll() not in (None, 0) for p in self.processes):
                raise SystemExit("a worker failed: see worker.log in " + str(self.folder))
            time.sleep(0.2)
        return time.perf_counter() - started


ANALYSED = "SELECT COUNT(*) FROM urls WHERE state IN ('analysed', 'failed_permanent')"
FETCHED = "SELECT COUNT(*) FROM urls WHERE state <> 'queued' AND warc_file IS NOT NULL"


@contextmanager
def cluster(server_url: str, folder: Path) -> Iterator[Cluster]:
    with fresh_database(server_url) as url:
        run = Cluster(url, Path(tempfile.mkdtemp(dir=folder)))
        try:
            run.newscorpus(run.data_dir(), "db", "upgrade")
            yield run
        finally:
            run.stop()


def queue(run: Cluster, ports: list[int], count: int) -> None:
    """Add the sites' feeds as sources and queue their URLs (untimed)."""
    data = run.data_dir()
    for port in ports:
        run.newscorpus(data, "sources", "add", f"http://127.0.0.1:{port}/feed.xml?n={count}")
    run.newscorpus(data, "crawl", "--feeds-only")
    queued = run.count("SELECT COUNT(*) FROM urls")
    assert queued == count, (queued, count)


def fetch_and_extract(server_url: str, folder: Path, ports: list[int], count: int, workers: int) -> float:
    with cluster(server_url, folder) as run:
        queue(run, ports, count)
        for _ in range(workers):
            run.start("fetch", "nlp", run_nlp=False)
        return count / run.wait_for(ANALYSED, count, 1800)


def nlp(server_url: str, folder: Path, ports: list[int], count: int, workers: int) -> float:
    with cluster(server_url, folder) as run:
        queue(run, ports, count)
        run.start("fetch")
        run.wait_for(FETCHED, count, 1800)
        run.stop()
        for _ in range(workers):
            run.start("nlp", run_nlp=True)
        return count / run.wait_for(ANALYSED, count, 3600)


def crash(server_url: str, folder: Path, ports: list[int], count: int, served: Connection) -> None:
    with cluster(server_url, folder) as run:
        queue(run, ports, count)
        served.send("served")
        served.recv()  # the counts start now
        doomed = run.start("fetch", "nlp", run_nlp=False)
        run.start("fetch", "nlp", run_nlp=False)
        run.start("index")
        run.wait_for(ANALYSED, count // 3, 1800)
        doomed.kill()  # SIGKILL: no chance to give anything back
        doomed.wait()
        run.processes.remove(doomed)
        held = run.count("SELECT COUNT(*) FROM urls WHERE lease_owner LIKE '%:" + str(doomed.pid) + ":%'")
        started = time.perf_counter()
        run.start("fetch", "nlp", run_nlp=False)
        run.wait_for(ANALYSED, count, 1800)
        finished = time.perf_counter() - started
        indexed = run.wait_for("SELECT COUNT(*) FROM documents WHERE indexed = 1", count, 600)
        run.stop()
        served.send("served")
        twice = sorted(path for path, n in served.recv().items() if n > 1)
        with psycopg.connect(run.url, autocommit=True) as db:
            documents = db.execute("SELECT COUNT(*), COUNT(DISTINCT canonical_url) FROM documents").fetchone()
            states = dict(db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall())
            leases = db.execute("SELECT COUNT(*) FROM urls WHERE lease_owner IS NOT NULL").fetchone()
            orphans = db.execute("SELECT COUNT(*) FROM urls u WHERE state = 'analysed' AND NOT EXISTS"
                                 " (SELECT 1 FROM documents d WHERE d.id = u.document_id)").fetchone()
            db.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            checked = db.execute("SELECT COUNT(bt_index_check(c.oid)) FROM pg_index i JOIN pg_class c"
                                 " ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n"
                                 " ON n.oid = c.relnamespace WHERE a.amname = 'btree'"
                                 " AND n.nspname = 'public'").fetchone()
        index_count = _index_count(run)
        print(f"  killed a worker holding {held} URL(s) with {count // 3}+ of {count} analysed; its replacement"
              f" and the other worker finished in {finished:.1f} s; the indexer caught up {indexed:.1f} s later")
        print(f"  urls by state: {states}; documents: {documents[0]} ({documents[1]} distinct URLs);"
              f" leases left: {leases[0]}; analysed URLs without their document: {orphans[0]}")
        print(f"  pages served twice: {len(twice)} (the killed worker's fetches in flight, never recorded)")
        print(f"  search index: {index_count} documents; amcheck: {checked[0]} btree indexes sound")
        assert documents == (count, count) and states == {"analysed": count}, (documents, states)
        assert leases == (0,) and orphans == (0,) and index_count == count
        assert len(twice) <= 8 + held, twice  # at most what it had in flight: its concurrency, and what it held


def _index_count(run: Cluster) -> int:
    from newscorpus.corpus import SearchIndex

    index_dirs = [p for p in run.folder.glob("worker-*") if (p / "worker.log").exists()
                  and (p / "index").exists()]
    assert len(index_dirs) == 1, index_dirs
    return SearchIndex(index_dirs[0], read_only=True).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--nlp-urls", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    sites = context.Process(target=serve, args=(theirs,), daemon=True)
    sites.start()
    ports: list[int] = ours.recv()
    print(f"{os.cpu_count()} cores; {SITES} local sites; PostgreSQL in a throwaway cluster (fsync on)")
    with tempfile.TemporaryDirectory(prefix="newscorpus-scale-") as folder, \
            throwaway_cluster(durable=True) as server_url:
        for title, measure, count in ((f"fetch + extract, {args.urls} URLs", fetch_and_extract, args.urls),
                                      (f"NLP, {args.nlp_urls} pages", nlp, args.nlp_urls)):
            print(f"\n{title} (pages/s, ratio to 1 worker)")
            base = 0.0
            for workers in args.workers:
                rate = measure(server_url, Path(folder), ports, count, workers)
                base = base or rate
                print(f"  {workers} worker(s): {rate:7.1f} pages/s  {rate / base:5.2f}x", flush=True)
        print(f"\na worker killed mid-run, {args.urls} URLs")
        crash(server_url, Path(folder), ports, args.urls, ours)
    ours.send("stop")
    sites.kill()


if __name__ == "__main__":
    main()
