"""The JSON API under load: `newscorpus serve` over a corpus of synthetic news (the search benchmark's builder),
the search benchmark's query mix sent by concurrent local clients on 127.0.0.1, against the same requests through
the search use case in this process (no HTTP), in the same run. And how fast `newscorpus --help` starts, against a
Python that imports only click and rich.

    python benchmarks/serve.py [--size 100000] [--dir /tmp/newscorpus-serve-bench] [--requests 400] [--clients 8]

Every request asks for a page of 10 hits and the facets the search page shows beside them (country, law, source),
and a quarter of them a timeline too. The corpus is built once into --dir and reused by later runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search as search_benchmark  # noqa: E402  (the builder and the query mix of benchmarks/search.py)
import startup  # noqa: E402

FACETS = ("country", "law", "source")


def requests_of(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The JSON API's query parameters for each query of the mix."""
    found = []
    for n, query in enumerate(queries):
        params: dict[str, Any] = {"q": query["ours"], "page_size": 10, "facets": list(FACETS)}
        if query["kind"] == "timeline" or n % 4 == 0:
            params["timeline"] = "month"
        found.append(params)
    return found


def in_process(folder: Path, requests: list[dict[str, Any]]) -> list[float]:
    """Latencies (ms) of the requests through the search use case, one after another, no HTTP."""
    from newscorpus.app.reading import CorpusReader
    from newscorpus.app.search import SearchRequest, search

    reader = CorpusReader(folder)
    latencies = []
    for params in requests:
        request = SearchRequest(params["q"], page_size=params["page_size"], facets=tuple(params["facets"]),
                                timeline=params.get("timeline"))
        started = time.perf_counter()
        search(reader.store(), reader.index(), request)
        latencies.append(1000 * (time.perf_counter() - started))
    reader.close()
    return latencies


def over_http(base: str, requests: list[dict[str, Any]], clients: int) -> tuple[list[float], float, int]:
    """Latencies (ms) of the requests sent by `clients` threads sharing them out, the wall time, and how many
    answers were not 200. Each client keeps one connection open and uses the standard library's http.client: a
    lean client, so that the figures are the server's and not the load generator's (httpx spends about a
    millisecond of CPU a request, on the same two cores)."""
    latencies: list[float] = []
    failed = 0
    lock = threading.Lock()
    queue = [f"/api/search?{urlencode(params, doseq=True)}" for params in requests]
    address = urlsplit(base)

    def client() -> None:
        nonlocal failed
        connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)
        connection.connect()
        assert connection.sock is not None
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as browsers and curl do
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    path = queue.pop()
                started = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                elapsed = 1000 * (time.perf_counter() - started)
                with lock:
                    latencies.append(elapsed)
                    failed += response.status != 200
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    return latencies, time.perf_counter() - began, failed


def start_server(folder: Path, workers: int) -> tuple[subprocess.Popen[str], str]:
    """`newscorpus serve` on a free port; returns the process and its base URL."""
    server = subprocess.Popen([sys.executable, "-m", "newscorpus", "--data", str(folder), "serve", "--port", "0",
                               "--workers", str(workers)],
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                              env=dict(os.environ, PYTHONPATH=str(search_benchmark.ROOT)))
    assert server.stderr is not None
    line = server.stderr.readline()
    found = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
    if not found:
        server.kill()
        raise SystemExit(f"newscorpus serve did not start: {line}{server.stderr.read()}")
    base = found[1]
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/api/stats", timeout=30).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            raise SystemExit("newscorpus serve did not answer within a minute")
        time.sleep(0.2)


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"p50": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))],
            "mean": statistics.fmean(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/newscorpus-serve-bench"))
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 1],
                        help="server processes to measure (newscorpus serve --workers)")
    args = parser.parse_args()

    folder = args.dir / f"corpus-{args.size}"
    bank = search_benchmark.sentence_bank()
    if not (folder / "corpus.sqlite3").exists():
        print(f"building a corpus of {args.size:,} stories in {folder} (once) ...", flush=True)
        folder.mkdir(parents=True, exist_ok=True)
        search_benchmark.build(args.size, folder, bank)
    requests = requests_of(search_benchmark.workload(bank, args.requests))
    in_process(folder, requests[:20])  # warm the page cache and the lookups alike for both
    direct = summary(in_process(folder, requests))
    print(f"\n{args.size:,} stories, {len(requests)} requests (hits + facets {', '.join(FACETS)}; a quarter with "
          "a timeline)")
    print(f"  in process, no HTTP (baseline): p50 {direct['p50']:.1f} ms, p95 {direct['p95']:.1f} ms, "
          f"mean {direct['mean']:.1f} ms")
    figures: dict[str, Any] = {"in_process": direct}
    for workers in args.workers:
        server, base = start_server(folder, workers)
        try:
            over_http(base, requests[:20], 1)
            one, one_wall, one_failed = over_http(base, requests, 1)
            many, many_wall, many_failed = over_http(base, requests, args.clients)
        finally:
            server.terminate()
            server.wait(30)
        single, loaded = summary(one), summary(many)
        figures[f"{workers} process(es)"] = {"one_client": single, "clients": loaded}
        print(f"  JSON API, {workers} server process(es), 1 client: p50 {single['p50']:.1f} ms, p95 "
              f"{single['p95']:.1f} ms, mean {single['mean']:.1f} ms; HTTP overhead {single['mean'] / direct['mean']:.2f}x "
              f"the in-process mean (target <= 1.5x); {len(one) / one_wall:.1f} requests/s; {one_failed} not 200")
        print(f"  JSON API, {workers} server process(es), {args.clients} clients: p50 {loaded['p50']:.1f} ms, p95 "
              f"{loaded['p95']:.1f} ms (target <= 100 ms); {len(many) / many_wall:.1f} requests/s; {many_failed} "
              "not 200")
    bare, _ = startup.timed(startup.BARE, 7, search_benchmark.ROOT)
    helped, _ = startup.timed([sys.executable, "-m", "newscorpus", "--help"], 7, search_benchmark.ROOT)
    print(f"  newscorpus --help: {helped:.3f} s against {bare:.3f} s for importing click and rich: "
          f"{helped / bare:.1f}x (target <= 3x)")
    print(json.dumps(figures, indent=None))


if __name__ == "__main__":
    main()
