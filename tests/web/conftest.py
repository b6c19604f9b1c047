"""A corpus crawled from the test site (the gazette's feed and a wire feed with copies of its stories), and the
web application over it, served by uvicorn on 127.0.0.1 as `newscorpus serve` serves it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from newscorpus.config import load_settings
from newscorpus.web.app import create_app
from tests.conftest import LocalSite
from tests.datadirs import MakeDataDir
from tests.test_cli import run


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve an app on a free port of 127.0.0.1 in a thread; yields its base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as `newscorpus serve` sets it
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(20)
        listener.close()


@contextmanager
def web_client(data: Path, **options: str | None) -> Iterator[httpx.Client]:
    """A client of the app over `data`, with its settings as `newscorpus serve` reads them (options: token, host as
    create_app takes them)."""
    with serving(create_app(data, load_settings(data), **options)) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def crawled(site: LocalSite, make_data_dir: MakeDataDir) -> Path:
    data = make_data_dir("web")
    assert run(data, "sources", "add", site.url("/news/"), "--tag", "gazette").exit_code == 0
    assert run(data, "sources", "add", site.url("/wire/feed.xml"), "--tag", "wire").exit_code == 0
    assert run(data, "crawl").exit_code == 0
    return data


@pytest.fixture(scope="module")
def client(crawled: Path) -> Iterator[httpx.Client]:
    """The app as `newscorpus serve` runs it on 127.0.0.1 (writes allowed from this machine)."""
    with web_client(crawled) as found:
        yield found
