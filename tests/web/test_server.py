"""`newscorpus serve` as a user runs it: a process (or several on one socket) that answers, shares its form key
between its processes, says when its address is taken, and stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.test_cli import one_line_error, run


def _start(data: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen([sys.executable, "-m", "newscorpus", "--data", str(data), "serve", "--port", "0", *args],
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert server.stderr is not None
    line = server.stderr.readline()
    found = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
    assert found, line
    return server, found[1]


def test_server_with_two_processes_answers_and_stops_on_sigterm(crawled: Path) -> None:
    server, base = _start(crawled, "--workers", "2")
    try:
        # a connection a request, so that both processes take some
        with httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            for _ in range(6):  # answered by either process, the same
                assert client.get("/api/search", params={"q": "strike"}).json()["total"] >= 1
            page = client.get("/sources").text
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
            assert csrf
            for n in range(12):  # a form one process signed is good for the other
                added = client.post("/sources", data={"csrf": csrf[1], "action": "add",
                                                      "url": f"https://example.com/{n}/feed.xml"})
                assert added.status_code == 303, added.text
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=30)
    assert server.returncode == 0 and "Traceback" not in errors, errors


def test_server_address_in_use_is_one_line(crawled: Path) -> None:
    server, base = _start(crawled)
    try:
        port = base.rsplit(":", 1)[1]
        assert f"cannot listen on 127.0.0.1:{port}" in one_line_error(run(crawled, "serve", "--port", port))
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
