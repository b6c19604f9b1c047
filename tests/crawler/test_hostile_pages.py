"""The crawler layer against the hostile site (tests/hostile.py): bombs, endless and trickling bodies, loops,
rate limits, lying content types, entity bombs and script payloads, beside five good articles."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from newscorpus.config import Settings
from newscorpus.crawler import Fetcher, extract_article, looks_like_feed, parse_feed
from newscorpus.crawler.extract import content_hash
from newscorpus.crawler.sitemaps import parse_sitemap
from newscorpus.errors import ExtractionError, FetchError
from newscorpus.models import Response
from tests.hostile import (
    ARTICLES, BINARY, BOMB, BOMB_BYTES, CP1252, CP1252_STORY, CP1252_WORDS, DEAD_FEED, DEAD_LINKS, ENDLESS, FEED,
    GOOD_FEED, HANG, HTML_FEED, LAUGHS_FEED, LOOP, RATE_LIMITED, RATE_LIMITED_DATE, SCRIPT_MARKERS, SCRIPT_STORY,
    SCRIPTS, SITEMAP, TRICKLE, UNAVAILABLE, HostileSite, unreachable_url,
)

LOCAL = {"127.0.0.1"}  # the hostile site's host, as a user adding it as a source names it
MB = 2**20
T = TypeVar("T")
needs_proc = pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="peak memory needs Linux /proc")


def fetch(settings: Settings, url: str, limit: float = 15.0) -> Response:
    """One fetch with a fresh Fetcher; a fetch that outlives `limit` fails the test instead of hanging the run."""
    async def run() -> Response:
        async with asyncio.timeout(limit), Fetcher(settings, LOCAL) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


def fetch_error(settings: Settings, url: str) -> tuple[FetchError, float]:
    """The FetchError a fetch ends with, and the seconds it took."""
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(settings, url)
    return caught.value, time.monotonic() - started


def _vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} missing from /proc/self/status")


def peak_growth(action: Callable[[], T]) -> tuple[T, int]:
    """What `action` returns, and how far it pushed the process's peak resident memory (bytes) above where it was."""
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current resident size
    before = _vm_kib("VmHWM")
    result = action()
    return result, (_vm_kib("VmHWM") - before) * 1024


def page(hostile: HostileSite, settings: Settings, path: str) -> Response:
    response = fetch(settings, hostile.url(path))
    assert response.status == 200
    return response


@pytest.fixture
def quick(settings: Settings) -> Settings:
    """Test settings with no retries: one request per fetch unless a test asks for more."""
    return replace(settings, max_retries=0)


# Fetcher


@needs_proc
def test_fetch_gzip_bomb_is_refused_as_too_large_without_inflating_it(fresh_hostile: HostileSite,
                                                                      quick: Settings) -> None:
    settings = replace(quick, max_response_bytes=2 * MB)

    def attempt() -> FetchError:
        return fetch_error(settings, fresh_hostile.url(BOMB))[0]

    error, growth = peak_growth(attempt)
    assert "too large" in str(error) and error.permanent
    assert growth < 60 * MB < BOMB_BYTES, f"peak memory rose by {growth / MB:.0f} MB"
    assert fresh_hostile.requests[BOMB] == 1


def test_fetch_endless_body_stops_at_the_size_cap(fresh_hostile: HostileSite, settings: Settings) -> None:
    error, seconds = fetch_error(replace(settings, max_response_bytes=1 * MB), fresh_hostile.url(ENDLESS))
    assert "too large" in str(error) and error.permanent
    assert seconds < 5 and fresh_hostile.requests[ENDLESS] == 1
    assert fresh_hostile.wait_ended(ENDLESS), "the server kept writing after the client hung up"


def test_fetch_trickling_body_stops_after_the_total_timeout_once(fresh_hostile: HostileSite,
                                                                 settings: Settings) -> None:
    fresh_hostile.trickle_seconds = 0.1  # never idle long enough for the read timeout
    settings = replace(settings, request_timeout=5.0, request_total_timeout=1.0, max_retries=2)
    error, seconds = fetch_error(settings, fresh_hostile.url(TRICKLE))
    assert "timed out" in str(error)
    assert 1.0 <= seconds < 3.0
    assert fresh_hostile.requests[TRICKLE] == 1, "a request that used up its total timeout was asked again"
    assert fresh_hostile.wait_ended(TRICKLE)


def test_fetch_never_answering_server_times_out(fresh_hostile: HostileSite, quick: Settings) -> None:
    error, seconds = fetch_error(replace(quick, request_timeout=0.5), fresh_hostile.url(HANG))
    assert "timed out" in str(error) and not error.permanent
    assert seconds < 3 and fresh_hostile.requests[HANG] == 1
    assert fresh_hostile.wait_ended(HANG)


def test_fetch_redirect_loop_is_a_permanent_failure(fresh_hostile: HostileSite, settings: Settings) -> None:
    error, _ = fetch_error(settings, fresh_hostile.url(LOOP))
    assert "redirect loop" in str(error) and error.permanent
    assert 1 <= fresh_hostile.requests["/loop/a"] <= 4 and fresh_hostile.requests["/loop/b"] <= 4


@pytest.mark.parametrize(("path", "status"), [(RATE_LIMITED, 429), (RATE_LIMITED_DATE, 429), (UNAVAILABLE, 503)])
def test_fetch_retry_after_is_honoured_without_asking_again(fresh_hostile: HostileSite, settings: Settings,
                                                            path: str, status: int) -> None:
    error, seconds = fetch_error(replace(settings, max_retries=3), fresh_hostile.url(path))
    assert error.status == status and not error.permanent
    assert error.retry_after is not None and error.retry_after > 3600  # both delta-seconds and an HTTP date
    assert fresh_hostile.requests[path] == 1 and seconds < 5


def test_fetch_unreachable_host_fails_fast_and_may_be_retried_later(quick: Settings) -> None:
    error, seconds = fetch_error(replace(quick, obey_robots=False), unreachable_url("/news/"))
    assert not error.permanent and seconds < 3


def test_fetch_dead_links_are_permanent_404s_asked_once(fresh_hostile: HostileSite, settings: Settings) -> None:
    feed = parse_feed(page(fresh_hostile, settings, DEAD_FEED).body, fresh_hostile.url(DEAD_FEED))
    assert len({item.url for item in feed.items}) == DEAD_LINKS

    async def run() -> list[Response | BaseException]:
        async with asyncio.timeout(15), Fetcher(settings, LOCAL) as fetcher:
            urls = [item.url for item in feed.items[:50]]
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls), return_exceptions=True)

    results = asyncio.run(run())
    assert all(isinstance(r, FetchError) and r.permanent and r.status == 404 for r in results), results
    dead = {path: n for path, n in fresh_hostile.requests.items() if path.startswith("/dead/")}
    assert len(dead) == 50 and set(dead.values()) == {1}


# Feeds


def test_parse_feed_lists_every_case_and_the_good_feed_only_the_articles(fresh_hostile: HostileSite,
                                                                         settings: Settings) -> None:
    everything = parse_feed(page(fresh_hostile, settings, FEED).body, fresh_hostile.url(FEED))
    assert [item.url for item in everything.items] == fresh_hostile.pages
    good = parse_feed(page(fresh_hostile, settings, GOOD_FEED).body, fresh_hostile.url(GOOD_FEED))
    assert [(i.url, i.title) for i in good.items] == [(fresh_hostile.url(s.path), s.title) for s in ARTICLES]
    assert all(item.published for item in good.items)
    sitemap = parse_sitemap(page(fresh_hostile, settings, SITEMAP).body, fresh_hostile.url(SITEMAP))
    assert [item.url for item in sitemap.items] == fresh_hostile.pages


@needs_proc
def test_parse_feed_billion_laughs_is_refused_quickly(fresh_hostile: HostileSite, settings: Settings) -> None:
    response = page(fresh_hostile, settings, LAUGHS_FEED)
    assert looks_like_feed(response.body, response.headers["content-type"])

    def attempt() -> tuple[ExtractionError, float]:
        started = time.monotonic()
        with pytest.raises(ExtractionError) as caught:
            parse_feed(response.body, response.final_url)
        return caught.value, time.monotonic() - started

    (error, seconds), growth = peak_growth(attempt)
    assert str(error).startswith("not a readable feed: XML entity expansion refused") and "lol" in str(error)
    assert error.url == response.final_url
    assert seconds < 2 and growth < 60 * MB


@pytest.mark.parametrize("declaration", [
    b"<!ENTITY a 'x'><!ENTITY b '&a;&a;'>", b'<!ENTITY % p "x"><!ENTITY % q "%p;%p;">',
    b'<!ENTITY e SYSTEM "file:///etc/passwd">', b'<!ENTITY e PUBLIC "-//x" "http://x.example/e">',
])
def test_parse_feed_refuses_nested_and_external_entities(declaration: bytes) -> None:
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE rss [' + declaration + b']>\n<rss version="2.0"><channel>'
            b"<title>t</title><item><title>x</title><link>http://example.org/1</link></item></channel></rss>")
    with pytest.raises(ExtractionError, match="entity expansion refused"):
        parse_feed(body, "http://example.org/feed")


@pytest.mark.parametrize("declaration", [
    b'<!ENTITY nbsp "&#160;">',
    b'<!ENTITY % lat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">'
    b" %lat1;",
])
def test_parse_feed_keeps_feeds_with_harmless_entity_declarations(declaration: bytes) -> None:
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE rss [' + declaration + b']>\n<rss version="2.0"><channel><title>t'
            b"</title><item><title>a&nbsp;b</title><link>http://example.org/1</link></item></channel></rss>")
    assert [item.title for item in parse_feed(body, "http://example.org/feed").items] == ["a\xa0b"]


def test_parse_feed_html_served_as_rss_says_it_is_html(fresh_hostile: HostileSite, settings: Settings) -> None:
    response = page(fresh_hostile, settings, HTML_FEED)
    assert response.headers["content-type"].startswith("application/rss+xml")
    with pytest.raises(ExtractionError, match="^not a readable feed: an HTML page"):
        parse_feed(response.body, response.final_url)


def test_looks_like_feed_trusts_the_body_over_a_feed_type_for_html(fresh_hostile: HostileSite,
                                                                   settings: Settings) -> None:
    html_as_rss = page(fresh_hostile, settings, HTML_FEED)
    assert not looks_like_feed(html_as_rss.body, html_as_rss.headers["content-type"])
    for path in (FEED, GOOD_FEED, DEAD_FEED):
        response = page(fresh_hostile, settings, path)
        assert looks_like_feed(response.body, response.headers["content-type"]), path
    xhtml_wrapped = b'<?xml version="1.0"?>\n<!DOCTYPE html>\n<html><body><feed xmlns="http://www.w3.org/2005/Atom">'
    assert looks_like_feed(xhtml_wrapped, "application/atom+xml")


# Articles


def test_extract_article_good_articles_come_out_whole_and_distinct(fresh_hostile: HostileSite,
                                                                   settings: Settings) -> None:
    articles = []
    for story in ARTICLES:
        response = page(fresh_hostile, settings, story.path)
        article = extract_article(response.body, response.final_url, None, response.headers["content-type"])
        assert article.title == story.title and article.authors == (story.byline,)
        assert article.published and article.published_offset == story.published[-6:]
        assert all(paragraph in article.text for paragraph in story.paragraphs), story.path
        assert "The Hostile Herald" not in article.text and article.language == "en"
        articles.append(article)
    assert len({content_hash(a.text) for a in articles}) == len(ARTICLES)
    for one, other in itertools.combinations(articles, 2):  # no near-duplicates: few shared 4-word shingles
        assert _shingle_overlap(one.text, other.text) < 0.05, (one.title, other.title)


def _shingle_overlap(one: str, other: str) -> float:
    def shingles(text: str) -> set[tuple[str, ...]]:
        words = text.lower().split()
        return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}

    a, b = shingles(one), shingles(other)
    return len(a & b) / len(a | b)


def test_extract_article_binary_served_as_html_is_refused(fresh_hostile: HostileSite, settings: Settings) -> None:
    response = page(fresh_hostile, settings, BINARY)
    with pytest.raises(ExtractionError, match="^not an article: binary data, not text") as caught:
        extract_article(response.body, response.final_url, None, response.headers["content-type"])
    assert caught.value.url == response.final_url


def test_extract_article_cp1252_declared_as_utf8_decodes_without_mojibake(fresh_hostile: HostileSite,
                                                                          settings: Settings) -> None:
    response = page(fresh_hostile, settings, CP1252)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    article = extract_article(response.body, response.final_url, None, response.headers["content-type"])
    assert article.title == CP1252_STORY.title
    for word in CP1252_WORDS:
        assert word in article.text, word
    for mojibake in ("Ã", "â€", "\ufffd", "\x80", "\x93"):
        assert mojibake not in article.text + (article.title or ""), repr(mojibake)


def test_extract_article_script_payloads_are_dropped(fresh_hostile: HostileSite, settings: Settings) -> None:
    response = page(fresh_hostile, settings, SCRIPTS)
    article = extract_article(response.body, response.final_url, None, response.headers["content-type"])
    assert article.title == SCRIPT_STORY.title
    assert all(paragraph in article.text for paragraph in SCRIPT_STORY.paragraphs)
    extracted = " ".join(str(v) for v in (article.text, article.title, article.description, article.authors))
    leaked = [marker for marker in SCRIPT_MARKERS if marker.lower() in extracted.lower()]
    assert not leaked, leaked


# The site itself


def test_hostile_site_shutdown_returns_while_slow_responses_run() -> None:
    site = HostileSite()
    server = threading.Thread(target=site.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    server.start()
    clients = [threading.Thread(target=_hold, args=(site.url(path),), daemon=True) for path in (HANG, TRICKLE, ENDLESS)]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 5
    while sum(site.requests.values()) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    site.shutdown()
    site.server_close()
    assert time.monotonic() - started < 1
    for path in (HANG, TRICKLE, ENDLESS):  # every handler has returned, though its client still listens
        assert site.wait_ended(path, timeout=2), path


def _hold(url: str) -> None:
    """A client that stays connected and reads slowly, until the server goes away."""
    try:
        with httpx.stream("GET", url, timeout=10) as response:
            for _ in response.iter_raw(1024):
                time.sleep(0.05)
    except httpx.HTTPError:
        pass
