"""`newscorpus worker` processes sharing one PostgreSQL store, each in a data directory of its own (as on machines
of their own) with one WARC directory between them: the crawl is shared out, a worker killed mid-run loses
nothing, and requests to a host keep their spacing across workers."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from tests.conftest import Mirror
from tests.hostile import QuietHandler

ARTICLE = ("<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
           + "<p>Paragraph of story {n} about the harbour, long enough to be an article's text.</p>" * 8
           + "</article></body></html>")


class Workers:
    """Worker processes of one corpus: a shared database and WARC directory, a data directory each."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.processes: list[subprocess.Popen[str]] = []
        self._count = 0
        (folder / "warc").mkdir()  # as a shared mount would be: workers refuse a warc_dir that is not there

    def data_dir(self, **settings: object) -> Path:
        self._count += 1
        data = self.folder / f"machine-{self._count}"
        data.mkdir()
        values = {"database_url": self.url, "warc_dir": str(self.folder / "warc"), "per_host_delay": 0.0,
                  "run_nlp": False, "nlp_workers": 1, "request_timeout": 5.0, **settings}
        (data / "newscorpus.toml").write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()),
                                              encoding="utf-8")
        return data

    def run(self, data: Path, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "newscorpus", "--data", str(data), *args], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, *roles: str, **settings: object) -> tuple[subprocess.Popen[str], Path]:
        data = self.data_dir(**settings)
        command = [sys.executable, "-m", "newscorpus", "--data", str(data), "worker"]
        for role in roles:
            command += ["--role", role]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.processes.append(process)
        return process, data

    def count(self, sql: str) -> int:
        with psycopg.connect(self.url) as db:
            row = db.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def wait_until(self, done: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            assert time.monotonic() < deadline, "the workers did not finish in time"
            failed = [p for p in self.processes if p.poll() not in (None, 0, -signal.SIGKILL)]
            assert not failed, failed[0].communicate()[1]
            time.sleep(0.1)

    def stop(self) -> list[tuple[int, str, str]]:
        """SIGTERM every worker still running; (exit status, stdout, stderr) of each."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        results = []
        for process in self.processes:
            stdout, stderr = process.communicate(timeout=120)
            results.append((process.returncode, stdout, stderr))
        return results


@pytest.fixture
def workers(postgres_url: str, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(postgres_url, tmp_path)
    yield group
    for process in group.processes:
        if process.poll() is None:
            process.kill()
        process.wait()  # reaped, so that its analysis processes see it gone and end, closing its pipes
    for process in group.processes:
        process.communicate(timeout=30)


def _paths(mirror: Mirror) -> Counter[str]:
    """Requests the mirror has answered, per path."""
    return Counter(mirror.stats()["path"])


def test_workers_share_a_crawl_and_one_killed_midway_loses_nothing(workers: Workers, newsmirror: Mirror) -> None:
    queuer = workers.data_dir()
    for site in ("site1", "site2", "site3", "site4"):
        workers.run(queuer, "sources", "add", f"{newsmirror.base_url}/{site}/feed.xml")
    workers.run(queuer, "crawl", "--feeds-only")
    total = workers.count("SELECT COUNT(*) FROM urls")
    analysed = "SELECT COUNT(*) FROM urls WHERE state IN ('analysed', 'failed_permanent')"
    before = _paths(newsmirror)
    _, indexer = workers.start("poll", "index")
    doomed, _ = workers.start("fetch", "nlp")
    workers.start("fetch", "nlp")
    workers.wait_until(lambda: workers.count(analysed) >= total // 3, 120)
    doomed.kill()  # SIGKILL: no chance to give back what it holds
    doomed.wait()
    held = workers.count(f"SELECT COUNT(*) FROM urls WHERE lease_owner LIKE '%:{doomed.pid}:%'")
    workers.start("fetch", "nlp")  # on the same machine: it frees the dead worker's leases at once
    workers.wait_until(lambda: workers.count(analysed) == total, 180)
    workers.wait_until(lambda: workers.count("SELECT COUNT(*) FROM documents WHERE indexed = 0") == 0, 60)
    stopped = workers.stop()
    assert [status for status, _, _ in stopped] == [0, -signal.SIGKILL, 0, 0], stopped
    assert all("started; press Ctrl-C to stop" in err for status, _, err in stopped if status == 0)

    with psycopg.connect(workers.url) as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT canonical_url) FROM documents").fetchone() == (total, total)
        assert db.execute("SELECT COUNT(*) FROM urls WHERE lease_owner IS NOT NULL").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM feeds WHERE lease_owner IS NOT NULL").fetchone() == (0,)
    served = _paths(newsmirror) - before
    articles = {path: n for path, n in served.items() if path.endswith(".html") and "/private/" not in path}
    assert len(articles) == total
    twice = [path for path, n in articles.items() if n > 1]
    assert len(twice) <= held  # only what the killed worker had taken and not recorded is fetched again
    # Searches are answered from the indexer's data directory, with every document.
    found = json.loads(workers.run(indexer, "search", "", "--format", "json", "--limit", "1"))
    assert found["total"] == total
    # Every worker wrote its pages to the one shared archive directory, which the analysis read them from.
    assert {p.name for p in (workers.folder / "warc").iterdir()} and not any(
        (workers.folder / f"machine-{n}" / "warc").exists() for n in range(1, 6))


@pytest.fixture
def one_host() -> Iterator[tuple[str, list[tuple[str, float]]]]:
    """A site on 127.0.0.1 with a feed of 16 articles; yields its feed URL and the (path, time) of each article
    request."""
    arrivals: list[tuple[str, float]] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                host = self.headers["Host"]
                items = "".join(f"<item><title>Story {n}</title><link>http://{host}/a/{n}.html</link></item>"
                                for n in range(16))
                body, kind = f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>', "application/rss+xml"
            elif self.path.startswith("/a/"):
                arrivals.append((self.path, time.monotonic()))
                body, kind = ARTICLE.format(n=self.path), "text/html"
            else:
                body, kind = "", "text/plain"
            self._send(200 if body else 404, body.encode(), kind)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", arrivals
    server.shutdown()
    server.server_close()


def _queue(workers: Workers, feed: str) -> None:
    queuer = workers.data_dir()
    workers.run(queuer, "sources", "add", feed)
    workers.run(queuer, "crawl", "--feeds-only")


FETCHED = "SELECT COUNT(*) FROM urls WHERE state = 'fetched'"


def test_requests_to_a_host_keep_their_spacing_across_workers(
        workers: Workers, one_host: tuple[str, list[tuple[str, float]]]) -> None:
    feed, arrivals = one_host
    _queue(workers, feed)
    # Each claims a few URLs at a time (4 × concurrency), so both fetch from the host. The 16 requests take over
    # 6 s, twice the leases: they are renewed, so no URL is taken over and fetched again.
    for _ in range(2):
        workers.start("fetch", per_host_delay=0.4, concurrency=2, lease_seconds=3)
    workers.wait_until(lambda: workers.count(FETCHED) == 16, 60)
    stopped = workers.stop()
    assert [status for status, _, _ in stopped] == [0, 0]
    fetched = [int(found[1]) for _, out, _ in stopped if (found := re.search(r"pages: (\d+) fetched", out))]
    assert sorted(path for path, _ in arrivals) == sorted(f"/a/{n}.html" for n in range(16))  # each once
    assert sum(fetched) == 16 and min(fetched) > 0, fetched
    times = sorted(when for _, when in arrivals)
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) > 0.3, gaps  # 0.4 s apart, less the jitter of two clocks' reading


def test_a_stopped_worker_gives_back_what_it_did_not_finish(
        workers: Workers, one_host: tuple[str, list[tuple[str, float]]]) -> None:
    feed, _ = one_host
    _queue(workers, feed)
    workers.start("fetch", per_host_delay=0.4)
    workers.wait_until(lambda: workers.count(FETCHED) >= 2, 60)
    ((status, _, _),) = workers.stop()  # SIGTERM
    fetched = workers.count(FETCHED)
    assert status == 0 and 0 < fetched < 16
    assert workers.count("SELECT COUNT(*) FROM urls WHERE lease_owner IS NOT NULL") == 0
    assert workers.count("SELECT COUNT(*) FROM urls WHERE state = 'queued'") == 16 - fetched


def test_a_missing_warc_dir_is_one_line_before_any_work(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "newscorpus", "--data", str(tmp_path), "--setting", "warc_dir",
                           str(tmp_path / "not-mounted"), "worker", "--max-time", "5"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "warc_dir" in done.stderr and "is not a directory" in done.stderr
    assert not (tmp_path / "not-mounted").exists()  # not made: it may be a mount that is not there yet
