"""Shared fixtures: a local HTTP test site on 127.0.0.1, the newsmirror server, settings, the NLP pipeline, and
data directories on the store backend chosen with `--store`."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from email.utils import formatdate
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import brotli
import feedparser
import pytest

from newscorpus.config import Settings
from newscorpus.nlp import Annotator
from tests.datadirs import MakeDataDir, use_database
from tests.hostile import HostileSite, QuietHandler

if TYPE_CHECKING:
    from newscorpus.corpus import SearchIndex, Store
    from newscorpus.models import Annotations

SITES = Path(__file__).parent / "data" / "sites"
SHARED = Path(__file__).resolve().parents[2] / "shared"
NEWSMIRROR = SHARED / "benchmarks" / "newsmirror"
HEISE = feedparser.parse((NEWSMIRROR / "feeds" / "rssparser-heise.xml").read_bytes())
TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/rss+xml", ".txt": "text/plain"}


class _SiteHandler(QuietHandler):
    def do_GET(self) -> None:  # noqa: C901 - one branch per fault the tests need
        server: LocalSite = self.server  # type: ignore[assignment]
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        server.requests[path] += 1
        if path.startswith("/status/"):
            return self._send(int(path.rsplit("/", 1)[1]), b"status page")
        if path.startswith("/flaky/"):  # fails ?fails=N times with 500, then serves an article
            if server.requests[path] <= int(query.get("fails", ["1"])[0]):
                return self._send(500, b"Internal Server Error")
            path = "/news/2026/port-strike-ends.html"
        if path.startswith("/cut/"):  # ?fails=N times the body is cut short (half of its Content-Length sent)
            if server.requests[path] <= int(query.get("fails", ["1"])[0]):
                body = b"<html><body>" + b"x" * 2000 + b"</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return None
            path = "/news/2026/port-strike-ends.html"
        if path.startswith("/ratelimited/"):  # a 429 the first time (Retry-After: ?after=, default 1 s)
            if server.requests[path] == 1:
                return self._send(429, b"slow down", headers={"Retry-After": query.get("after", ["1"])[0]})
            path = "/news/2026/glacier-survey.html"
        if path == "/slow":
            time.sleep(float(query.get("seconds", ["2"])[0]))
            return self._send(200, b"<html><body>late</body></html>", "text/html")
        if path == "/trickle":  # a byte every 0.2 s: never idle long enough for the read timeout
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
            return None
        if path == "/big":
            return self._send(200, b"<html><body>" + b"x" * 3_000_000 + b"</body></html>", "text/html")
        if path.startswith("/loop/"):
            other = "/loop/b" if path == "/loop/a" else "/loop/a"
            return self._send(302, headers={"Location": other})
        if path == "/to-localhost":
            return self._send(302, headers={"Location": server.base_url.replace("127.0.0.1", "localhost") + "/news/"})
        if path.startswith("/chain/"):  # /chain/N redirects N times, then serves an article
            hops = int(path.rsplit("/", 1)[1])
            if hops:
                return self._send(302, headers={"Location": f"/chain/{hops - 1}"})
            path = "/news/2026/glacier-survey.html"
        if path.startswith("/archive/2026/"):  # the sitemap-only site serves the same stories
            path = path.replace("/archive/", "/news/", 1)
        if path == "/wire/copy.html":  # the same story at a second URL, byte for byte
            path = "/news/2026/port-strike-ends.html"
        if path.startswith("/heise/"):  # German articles: full entries of a real feed of the newsmirror benchmark
            entry = HEISE.entries[int(path.rsplit("/", 1)[1].split(".")[0])]
            page = f"<!doctype html><html lang=de><head><meta charset=utf-8><title>{entry.title}</title></head>" \
                   f"<body><article><h1>{entry.title}</h1>{entry.content[0].value}</article></body></html>"
            return self._send(200, page.encode(), "text/html; charset=utf-8")
        if path == "/moved":
            return self._send(301, headers={"Location": "/news/2026/library-reopens.html"})
        if path == "/binary":
            return self._send(200, bytes(range(256)) * 10, "application/octet-stream")
        if path == "/robots.txt" and (self.headers.get("Host") or "").startswith("localhost"):
            return self._send(200, b"User-agent: *\nCrawl-delay: 0.5\n")
        file = (SITES / path.lstrip("/")).resolve()
        if path.endswith("/"):
            file = file / "index.html"
        if not file.is_file() or SITES not in file.parents:
            return self._send(404, b"not found")
        body = file.read_bytes()
        if file.suffix in (".html", ".xml"):
            body = body.replace(b"{{BASE}}", server.base_url.encode())
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        headers = {"ETag": etag, "Last-Modified": formatdate(1767225600, usegmt=True)}
        if self.headers.get("If-None-Match") == etag:
            server.requests["304"] += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        ctype = "text/html" if file.name == "cp1252.html" else TYPES.get(file.suffix, "application/octet-stream")
        accepted = self.headers.get("Accept-Encoding") or ""
        if query.get("enc") == ["br"] and "br" in accepted:
            body, headers["Content-Encoding"] = brotli.compress(body), "br"
        elif "gzip" in accepted and len(body) > 1024:
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        self._send(200, body, ctype, headers)


class LocalSite(ThreadingHTTPServer):
    """The local test site; `requests` counts requests per path."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SiteHandler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.requests: Counter[str] = Counter()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up mid-body (size limits, timeouts) are part of the tests

    def url(self, path: str) -> str:
        return self.base_url + path


def _serving(server: ThreadingHTTPServer) -> Iterator[None]:
    """Serve on a thread until the generator is closed (the end of a fixture)."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site() -> Iterator[LocalSite]:
    server = LocalSite()
    for _ in _serving(server):
        yield server


@pytest.fixture
def fresh_site(site: LocalSite) -> LocalSite:
    """The test site with its request counters reset."""
    site.requests.clear()
    return site


@dataclass
class Mirror:
    base_url: str
    process: subprocess.Popen[str]

    def stats(self) -> dict[str, dict[str, int]]:
        import httpx

        return httpx.get(self.base_url + "/_stats").json()  # type: ignore[no-any-return]

    def manifest(self) -> dict[str, object]:
        import httpx

        return httpx.get(self.base_url + "/_manifest.json").json()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def newsmirror() -> Iterator[Mirror]:
    """The shared newsmirror benchmark served on a free port of 127.0.0.1."""
    if not (NEWSMIRROR / "serve.py").is_file():
        pytest.fail(f"the newsmirror benchmark is missing: expected {NEWSMIRROR} (../shared beside the repo)")
    process = subprocess.Popen([sys.executable, str(NEWSMIRROR / "serve.py"), "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    base = line.split()[1]
    assert base.startswith("http://127.0.0.1:"), line
    yield Mirror(base, process)
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture
def settings() -> Settings:
    """Settings for tests: no politeness delay against our own local servers, quick retries."""
    return replace(Settings(), per_host_delay=0.0, request_timeout=5.0, max_retries=2)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the session (tests.postgres); its `postgres` database's DSN."""
    from tests.postgres import throwaway_cluster

    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: str) -> Iterator[str]:
    """A new database with the current schema (as `newscorpus db upgrade` makes it), dropped afterwards."""
    from newscorpus.corpus.postgres import upgrade
    from tests.postgres import fresh_database

    with fresh_database(postgres_cluster) as url:
        upgrade(url)
        yield url


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--store", choices=("sqlite", "postgresql"), default="sqlite",
                     help="the store of the data directories tests make (fixtures data_dir and make_data_dir): a "
                          "SQLite file in each (default), or a fresh database of a throwaway PostgreSQL cluster")


def _on_postgres(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--store") == "postgresql"


@pytest.fixture
def data_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """`tmp_path` as a data directory on the store chosen with --store; on postgresql, with a fresh database of
    its own (postgres_url, dropped afterwards) named in its newscorpus.toml."""
    if _on_postgres(request):
        use_database(tmp_path, request.getfixturevalue("postgres_url"))
    return tmp_path


@pytest.fixture(scope="module")
def make_data_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeDataDir]:
    """Makes the data directories of a module's corpora (`tmp_path_factory.mktemp(name)`) on the store chosen with
    --store: on postgresql each gets a fresh database of its own, dropped at the end of the module (a corpus built
    once per module must not land in a test's database)."""
    from newscorpus.corpus.postgres import upgrade
    from tests.postgres import fresh_database

    cluster = request.getfixturevalue("postgres_cluster") if _on_postgres(request) else None
    with ExitStack() as databases:
        def make(name: str) -> Path:
            data = tmp_path_factory.mktemp(name)
            if cluster is not None:
                url = databases.enter_context(fresh_database(cluster))
                upgrade(url)
                use_database(data, url)
            return data

        yield make


@pytest.fixture(scope="session")
def annotator() -> Annotator:
    """The real English pipeline with the newscorpus components, loaded once."""
    return Annotator(Settings().spacy_model)



@pytest.fixture(scope="session")
def hostile() -> Iterator[HostileSite]:
    """The hostile web site (tests/hostile.py) on a free port of 127.0.0.1, for the whole session."""
    server = HostileSite()
    for _ in _serving(server):
        yield server


@pytest.fixture
def fresh_hostile(hostile: HostileSite) -> HostileSite:
    """The hostile site with its counters cleared and every case at its default pace."""
    hostile.reset()
    return hostile


def grandchildren(pid: int) -> list[int]:
    """The children of `pid`'s children: the analysis workers, forked by the crawl's forkserver."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    return [grandchild for child in children.get(pid, []) for grandchild in children.get(child, [])]


def stored_corpus(path: Path, stories: Mapping[str, Annotations], about: str = "a court ruling") -> tuple[Store, SearchIndex]:
    """A store and index in `path` holding one story per name, with the annotations given (as if the NLP had found
    them), titled with its name and indexed."""
    from newscorpus.app.indexing import index_pending
    from newscorpus.corpus import SearchIndex, open_store
    from newscorpus.models import Article

    store = open_store(path)
    for name, found in stories.items():
        article = Article(f"https://n.example/{name}", f"https://n.example/{name}", name, (), None, "en",
                          f"{name} story about {about}")
        store.save_document(article, found, None, "2026-03-10T12:00:00+00:00", name)
    index = SearchIndex(path)
    index_pending(store, index)
    return store, index
