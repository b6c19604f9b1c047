"""The crawl on the open web: a hostile site (a trickling body, a 429 asking for 27.8 hours, a page that never
answers, bombs, loops, binary, broken feeds) beside good pages and an unreachable host, crawled by real
`newscorpus crawl` processes. Good pages must be stored and searchable while the bad ones still hold their
requests; nothing fetched is thrown away when the crawl is stopped; a site's pause is honoured across crawls."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from newscorpus import Corpus
from newscorpus.cli import cli
from tests.conftest import grandchildren
from tests.datadirs import sql
from tests.hostile import (ARTICLES, BAD_FEED, FEED, GOOD_FEED, HTML_FEED, LAUGHS_FEED, RATE_LIMITED, TRICKLE,
                           HostileSite)

# Quick retries and timeouts, but a total budget long enough that the trickling page outlasts the good ones.
SETTINGS = ["--setting", "per_host_delay", "0", "--setting", "request_timeout", "3", "--setting",
            "request_total_timeout", "60", "--setting", "max_retries", "1"]


def command(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "newscorpus", "--data", str(data), *SETTINGS, *args]


def cli_run(data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--data", str(data), *SETTINGS, *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def searchable_titles(data: Path) -> set[str]:
    code, out, _ = cli_run(data, "search", "--limit", "100", "--format", "jsonl")
    return {json.loads(line)["title"] for line in out.splitlines()} if code == 0 else set()


def url_states(data: Path) -> dict[str, str]:
    return dict(sql(data, "SELECT url, state FROM urls", read_only=True))


def start_crawl(data: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(command(data, "crawl"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.3)
    return False


def test_open_web_good_pages_are_searchable_while_bad_ones_still_hold_their_requests(
        data_dir: Path, fresh_hostile: HostileSite) -> None:
    fresh_hostile.trickle_seconds = 1.0  # a byte a second: never idle for the 3 s read timeout
    # The worst pages first (a 429 pauses their whole host); the good ones on another host (localhost).
    good_feed = fresh_hostile.url(GOOD_FEED).replace("127.0.0.1", "localhost")
    subprocess.run(command(data_dir, "sources", "add", fresh_hostile.url(BAD_FEED), good_feed), check=True,
                   capture_output=True)
    crawl = start_crawl(data_dir)
    titles = {story.title for story in ARTICLES}
    try:
        started = time.monotonic()
        assert wait_for(lambda: titles <= searchable_titles(data_dir), 45), searchable_titles(data_dir)
        elapsed = time.monotonic() - started
        assert crawl.poll() is None, "the crawl ended: the trickling page did not hold its request"
        assert fresh_hostile.requests[TRICKLE] == 1 and fresh_hostile.ended[TRICKLE] == 0  # still trickling
        assert wait_for(lambda: fresh_hostile.requests[RATE_LIMITED], 45)  # the bad host's last page
        assert crawl.poll() is None and fresh_hostile.ended[TRICKLE] == 0
        with Corpus(data_dir) as corpus:  # the Python API reads beside the running crawl
            assert titles <= {hit.title for hit in corpus.search(limit=100)}
    finally:
        crawl.send_signal(signal.SIGTERM)
        out, errors = crawl.communicate(timeout=60)
    assert elapsed < 30, f"the good pages took {elapsed:.0f} s to become searchable"
    assert crawl.returncode == 0 and "Traceback" not in errors, errors
    assert "stopped early (interrupted)" in out, out
    # Every good article stored exactly once; the 429 asked once; the unreachable host failed with its reason.
    states = url_states(data_dir)
    assert all(states[good_feed.replace(GOOD_FEED, story.path)] == "analysed" for story in ARTICLES), states
    assert fresh_hostile.requests[RATE_LIMITED] == 1
    assert states[fresh_hostile.url(RATE_LIMITED)] == "deferred"
    assert "HTTP 429" in out and "ConnectError" in out, out
    # The summary's failures are the store's: each URL counted once.
    counted = re.search(r"articles: \d+ new, \d+ already stored, (\d+) failed", out)
    assert counted, out
    assert int(counted[1]) == sum(s in ("failed", "failed_permanent") for s in states.values()), (out, states)


def test_open_web_an_aborted_crawl_keeps_what_it_fetched_and_a_sites_pause_holds_across_crawls(
        data_dir: Path, fresh_hostile: HostileSite) -> None:
    fresh_hostile.trickle_seconds = 1.0
    subprocess.run(command(data_dir, "sources", "add", fresh_hostile.url(FEED)), check=True, capture_output=True)
    # Its own process group, as in a terminal: Ctrl-C reaches the crawl and its worker processes alike.
    crawl = subprocess.Popen(command(data_dir, "crawl"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    good = [fresh_hostile.url(story.path) for story in ARTICLES]
    try:  # abort once the 429 came (the good pages come before it), maybe before they are all analysed
        assert wait_for(lambda: fresh_hostile.requests[RATE_LIMITED], 45)
        assert all(fresh_hostile.requests[s.path] for s in ARTICLES)
    finally:
        os.killpg(crawl.pid, signal.SIGINT)
        time.sleep(0.2)
        if crawl.poll() is None:
            os.killpg(crawl.pid, signal.SIGINT)  # the second Ctrl-C aborts
        out, errors = crawl.communicate(timeout=60)
    assert crawl.returncode == 130 and "Traceback" not in errors, errors
    assert "aborting" in errors and errors.strip().endswith("interrupted"), errors
    states = url_states(data_dir)
    assert all(states[url] in ("fetched", "analysed") for url in good), states  # nothing fetched was dropped
    asked = {s.path: fresh_hostile.requests[s.path] for s in ARTICLES}
    fresh_hostile.reset()
    second = subprocess.run(command(data_dir, "crawl"), capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert fresh_hostile.requests[RATE_LIMITED] == 0  # its 27.8 hours are not over
    assert sum(fresh_hostile.requests[s.path] for s in ARTICLES) == 0, asked  # not fetched again
    assert sum(fresh_hostile.requests.values()) == 0  # the host asked for a pause: not even its feed is polled
    states = url_states(data_dir)
    assert all(states[url] == "analysed" for url in good)
    assert {story.title for story in ARTICLES} <= searchable_titles(data_dir)
    assert sql(data_dir, "SELECT COUNT(*), COUNT(DISTINCT url) FROM documents")[0][0] == len(
        {u for u, s in states.items() if s == "analysed"})


def test_open_web_second_crawl_on_one_data_directory_refuses_in_one_line(
        data_dir: Path, fresh_hostile: HostileSite) -> None:
    fresh_hostile.trickle_seconds = 1.0
    subprocess.run(command(data_dir, "sources", "add", fresh_hostile.url(FEED)), check=True, capture_output=True)
    crawl = start_crawl(data_dir)
    try:
        assert wait_for(lambda: (data_dir / "newscorpus.lock").is_file()
                        and (data_dir / "newscorpus.lock").read_text().strip(), 20)
        for second in (["crawl"], ["watch"], ["reprocess", "--all"]):
            code, _, errors = cli_run(data_dir, *second)
            lines = errors.strip().splitlines()
            assert code == 1 and len(lines) == 1, errors
            assert f"in use by `newscorpus crawl` (PID {crawl.pid}" in lines[0], lines
    finally:
        crawl.send_signal(signal.SIGTERM)
        crawl.communicate(timeout=60)
    assert cli_run(data_dir, "crawl", "--max-time", "5")[0] == 0  # free again once it ended


def test_open_web_broken_feeds_are_failures_with_their_reasons(data_dir: Path, fresh_hostile: HostileSite) -> None:
    feeds = [fresh_hostile.url(LAUGHS_FEED), fresh_hostile.url(HTML_FEED), fresh_hostile.url(GOOD_FEED)]
    cli_run(data_dir, "sources", "add", *feeds)
    code, out, _ = cli_run(data_dir, "crawl")
    assert code == 0 and "5 new" in out and "3 polled" in out and "2 failed" in out, out
    assert "entity expansion refused" in out and "an HTML page, not RSS or Atom" in out, out
    listed = json.loads(cli_run(data_dir, "sources", "list", "--format", "json")[1])
    reasons = {source["url"]: source["last_error"] for source in listed}
    assert "entity expansion refused" in reasons[feeds[0]] and "not RSS or Atom" in reasons[feeds[1]]
    assert reasons[feeds[2]] is None


def test_open_web_max_time_stops_the_crawl_and_keeps_its_work(data_dir: Path, fresh_hostile: HostileSite) -> None:
    fresh_hostile.trickle_seconds = 1.0
    cli_run(data_dir, "sources", "add", fresh_hostile.url(FEED))
    started = time.monotonic()
    code, out, _ = cli_run(data_dir, "crawl", "--max-time", "12")
    assert code == 0 and time.monotonic() - started < 40
    assert "stopped early (--max-time of 12 s reached)" in out, out
    assert fresh_hostile.requests[TRICKLE] == 1


def test_open_web_dead_analysis_workers_end_the_crawl_in_one_line_and_lose_nothing(
        data_dir: Path, fresh_hostile: HostileSite) -> None:
    subprocess.run(command(data_dir, "sources", "add", fresh_hostile.url(GOOD_FEED)), check=True, capture_output=True)
    crawl = start_crawl(data_dir)
    try:  # the workers are killed (as the kernel's OOM killer would) while they load the pipeline
        assert wait_for(lambda: all(fresh_hostile.requests[s.path] for s in ARTICLES), 30)
        assert wait_for(lambda: grandchildren(crawl.pid), 10)
        workers = grandchildren(crawl.pid)
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        out, errors = crawl.communicate(timeout=60)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    lines = errors.strip().splitlines()
    assert crawl.returncode == 1 and "Traceback" not in errors, errors
    assert lines[-1].startswith("error: an analysis worker stopped unexpectedly"), errors
    good = [fresh_hostile.url(story.path) for story in ARTICLES]
    # Pages whose response had arrived are kept; requests still in flight were stopped, their URLs still queued.
    states = url_states(data_dir)
    assert all(states[url] in ("queued", "fetched", "analysed") for url in good), states
    fresh_hostile.reset()
    code, out, _ = cli_run(data_dir, "crawl")
    asked_again = {s.path for s in ARTICLES if fresh_hostile.requests[s.path]}
    assert code == 0 and asked_again == {s.path for s in ARTICLES if states[fresh_hostile.url(s.path)] == "queued"}
    assert all(url_states(data_dir)[url] == "analysed" for url in good)
