"""`newscorpus demo`: serve the bundled sample news site on 127.0.0.1, crawl it, and search it."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from newscorpus.app import ProgressCallback
from newscorpus.app.crawl import Crawler
from newscorpus.app.sources import add_source
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, open_store, search
from newscorpus.models import CrawlSummary, Document, SearchHit

DEMO_QUERIES = ('"Computer Misuse and Cybercrimes Act"', "flood AND Punjab", "data protection")


class _Handler(SimpleHTTPRequestHandler):
    """Serves the sample site; {{BASE}} in its files becomes the server's own address."""

    def log_message(self, format: str, *args: Any) -> None:  # keep the demo's output clean
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_file() and path.suffix in (".xml", ".html"):
            body = path.read_text(encoding="utf-8").replace("{{BASE}}", self.server.base_url)  # type: ignore[attr-defined]
            data = body.encode("utf-8")
            self.send_response(200)
            kind = "application/rss+xml" if path.suffix == ".xml" else "text/html; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            from io import BytesIO

            return BytesIO(data)
        return super().send_head()


@contextmanager
def serve_demo_site() -> Iterator[str]:
    """Serve the bundled site on a free port of 127.0.0.1; yields its homepage URL."""
    with resources.as_file(resources.files("newscorpus") / "demo_site") as root:
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
        server.base_url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server.base_url + "/"  # type: ignore[attr-defined]
        finally:
            server.shutdown()
            server.server_close()


@dataclass
class DemoResult:
    """What the demo crawled and found."""

    site_url: str
    data_dir: Path
    summary: CrawlSummary
    searches: list[tuple[str, list[SearchHit]]]
    sample: Document | None


def run_demo(settings: Settings, data_dir: Path | None, progress: ProgressCallback | None = None) -> DemoResult:
    """Crawl the sample site into `data_dir` (a temporary directory when None) and run the demo searches."""
    workdir = Path(tempfile.mkdtemp(prefix="newscorpus-demo-")) if data_dir is None else data_dir
    # Our own local server: no politeness delay needed.
    settings = replace(settings, per_host_delay=0.0)
    try:
        store = open_store(workdir)
        try:
            index = SearchIndex(workdir)
            with serve_demo_site() as site_url:
                add_source(store, site_url, "Harbourline Times (demo)", ("demo",))
                summary = Crawler(store, index, settings, workdir, progress).run()
            searches = [(q, search(store, index, q, limit=3)) for q in DEMO_QUERIES]
            first = searches[0][1]
            sample = store.get_document(first[0].id) if first else None
        finally:
            store.close()
    finally:
        if data_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return DemoResult(site_url, workdir, summary, searches, sample)
