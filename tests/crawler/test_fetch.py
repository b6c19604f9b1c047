"""The polite fetcher against the local test site: statuses, retries, robots, limits, conditional GET."""

from __future__ import annotations

import asyncio
import gzip
import time
from dataclasses import replace

import pytest

from newscorpus.config import Settings
from newscorpus.crawler import Fetcher
from newscorpus.errors import FetchError
from newscorpus.models import Response
from tests.conftest import LocalSite


LOCAL = {"127.0.0.1"}  # tests name the local test site's host, as a user adding it as a source does


def fetch(settings: Settings, url: str, allowed: set[str] = LOCAL, **validators: str) -> Response:
    async def run() -> Response:
        async with Fetcher(settings, allowed) as fetcher:
            return await fetcher.fetch(url, **validators)

    return asyncio.run(run())


def test_fetch_returns_body_headers_and_decompresses_gzip(fresh_site: LocalSite, settings: Settings) -> None:
    response = fetch(settings, fresh_site.url("/news/2026/glacier-survey.html"))
    assert response.status == 200 and b"Alpine glaciers" in response.body
    assert response.headers["content-encoding"] == "gzip" and response.headers["etag"]


def test_fetch_conditional_get_answers_304(fresh_site: LocalSite, settings: Settings) -> None:
    url = fresh_site.url("/news/feed.xml")
    first = fetch(settings, url)
    second = fetch(settings, url, etag=first.headers["etag"])
    assert second.not_modified and second.body == b""


def test_fetch_404_is_permanent_and_not_retried(fresh_site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(settings, fresh_site.url("/status/404"))
    assert caught.value.permanent and caught.value.status == 404
    assert fresh_site.requests["/status/404"] == 1


def test_fetch_retries_server_errors_then_succeeds(fresh_site: LocalSite, settings: Settings) -> None:
    response = fetch(settings, fresh_site.url("/flaky/a?fails=2"))
    assert response.status == 200 and fresh_site.requests["/flaky/a"] == 3


def test_fetch_gives_up_after_max_retries(fresh_site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(replace(settings, max_retries=1), fresh_site.url("/status/503"))
    assert not caught.value.permanent and fresh_site.requests["/status/503"] == 2


def test_fetch_429_pauses_the_host_and_is_never_retried(fresh_site: LocalSite, settings: Settings) -> None:
    async def run() -> tuple[FetchError, float]:
        async with Fetcher(settings, LOCAL) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(fresh_site.url("/ratelimited/x"))
            started = time.monotonic()
            await fetcher.fetch(fresh_site.url("/news/"))  # the host's pause holds for its other URLs
            return caught.value, time.monotonic() - started

    error, waited = asyncio.run(run())
    assert error.deferred and error.host_wait and not error.permanent and error.retry_after == 1
    assert fresh_site.requests["/ratelimited/x"] == 1 and waited >= 0.75


@pytest.mark.parametrize("after", ["100000", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_fetch_long_retry_after_defers_the_host_up_to_the_cap(fresh_site: LocalSite, settings: Settings,
                                                              after: str) -> None:
    async def run() -> tuple[FetchError, FetchError]:
        async with Fetcher(replace(settings, max_retry_after=86400.0), LOCAL) as fetcher:
            with pytest.raises(FetchError) as first:
                await fetcher.fetch(fresh_site.url(f"/ratelimited/long?after={after}"))
            with pytest.raises(FetchError) as other:
                await fetcher.fetch(fresh_site.url("/news/"))
            return first.value, other.value

    first, other = asyncio.run(run())
    assert first.deferred and first.retry_after == 86400.0  # capped by max_retry_after
    assert other.deferred and not other.host_wait and "asked for a pause until" in str(other)
    assert fresh_site.requests["/ratelimited/long"] == 1 and fresh_site.requests["/news/"] == 0


def test_fetch_sets_a_failing_host_aside(settings: Settings) -> None:
    async def run() -> list[FetchError]:
        errors = []
        async with Fetcher(replace(settings, max_retries=5, max_host_failures=2, obey_robots=False), LOCAL) as fetcher:
            for n in range(3):
                with pytest.raises(FetchError) as caught:
                    await fetcher.fetch(f"http://127.0.0.1:9/page-{n}")
                errors.append(caught.value)
        return errors

    started = time.monotonic()
    first, second, third = asyncio.run(run())
    assert not first.deferred and "ConnectError" in str(first)  # the URL that failed is a failure
    assert second.deferred and third.deferred and "set aside for this pass after 2 failures" in str(third)
    assert time.monotonic() - started < 3  # not 3 URLs x 6 attempts with backoff


def test_fetch_body_cut_short_is_retried_and_does_not_set_the_host_aside(fresh_site: LocalSite,
                                                                         settings: Settings) -> None:
    # The host answered (status and headers) each time: a body cut short is a damaged response, retried like a
    # 5xx, not a connection failure. Counted as one, a few cut bodies in a row set the whole host aside (its
    # other URLs deferred for 15 minutes): the fault test's flake.
    async def run() -> tuple[Response, Response]:
        async with Fetcher(replace(settings, max_retries=5, max_host_failures=2, obey_robots=False), LOCAL) as fetcher:
            cut = await fetcher.fetch(fresh_site.url("/cut/a?fails=3"))
            other = await fetcher.fetch(fresh_site.url("/news/2026/glacier-survey.html"))
            return cut, other

    cut, other = asyncio.run(run())
    assert b"Mombasa" in cut.body and fresh_site.requests["/cut/a"] == 4
    assert b"Alpine glaciers" in other.body


def test_fetch_obeys_robots_txt(fresh_site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchError, match="robots.txt") as caught:
        fetch(settings, fresh_site.url("/private/secret.html"))
    assert caught.value.permanent and fresh_site.requests["/private/secret.html"] == 0


def test_fetch_refuses_bodies_over_the_size_limit(fresh_site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchError, match="too large") as caught:
        fetch(replace(settings, max_response_bytes=1_000_000), fresh_site.url("/big"))
    assert caught.value.permanent


def test_fetch_redirect_loop_is_a_permanent_failure(fresh_site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchError, match="redirect loop") as caught:
        fetch(settings, fresh_site.url("/loop/a"))
    assert caught.value.permanent and fresh_site.requests["/loop/a"] == 3


def test_fetch_redirect_chains_are_followed_up_to_a_limit(fresh_site: LocalSite, settings: Settings) -> None:
    assert b"Alpine glaciers" in fetch(settings, fresh_site.url("/chain/5")).body
    with pytest.raises(FetchError, match="too many redirects") as caught:
        fetch(settings, fresh_site.url("/chain/11"))
    assert caught.value.permanent


def test_fetch_follows_redirects_and_reports_final_url(fresh_site: LocalSite, settings: Settings) -> None:
    response = fetch(settings, fresh_site.url("/moved"))
    assert response.final_url.endswith("/news/2026/library-reopens.html")


def test_fetch_times_out_slow_responses(fresh_site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchError, match="timed out"):
        fetch(replace(settings, request_timeout=0.3, max_retries=0), fresh_site.url("/slow?seconds=2"))


def test_fetch_connection_refused_is_a_retryable_failure(settings: Settings) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(replace(settings, max_retries=0, obey_robots=False), "http://127.0.0.1:9/nothing")
    assert not caught.value.permanent


def test_fetch_spaces_requests_to_one_host(fresh_site: LocalSite, settings: Settings) -> None:
    async def run() -> float:
        async with Fetcher(replace(settings, per_host_delay=0.3), LOCAL) as fetcher:
            started = time.monotonic()
            await asyncio.gather(*(fetcher.fetch(fresh_site.url(f"/news/?n={i}")) for i in range(3)))
            return time.monotonic() - started

    # robots.txt, then three pages: the last starts at least 3 delays after the first request.
    assert asyncio.run(run()) >= 0.85


def test_fetch_refuses_private_addresses_not_added_as_sources(fresh_site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchError, match="non-public address 127.0.0.1") as caught:
        fetch(settings, fresh_site.url("/news/"), allowed=set())
    assert caught.value.permanent and fresh_site.requests["/news/"] == 0
    assert fetch(replace(settings, allow_private_addresses=True), fresh_site.url("/news/"), allowed=set()).status == 200


def test_fetch_checks_every_redirect_hop_against_the_guard(fresh_site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchError, match="refused: localhost"):
        fetch(settings, fresh_site.url("/to-localhost"))
    assert fresh_site.requests["/news/"] == 0


def test_fetch_obeys_crawl_delay(fresh_site: LocalSite, settings: Settings) -> None:
    async def run() -> float:
        async with Fetcher(settings, {"localhost"}) as fetcher:
            base = fresh_site.base_url.replace("127.0.0.1", "localhost")
            started = time.monotonic()
            for i in range(3):
                await fetcher.fetch(f"{base}/news/?n={i}")
            return time.monotonic() - started

    assert asyncio.run(run()) >= 1.0  # robots.txt of "localhost" says Crawl-delay: 0.5


def test_fetch_decodes_brotli(fresh_site: LocalSite, settings: Settings) -> None:
    response = fetch(settings, fresh_site.url("/news/2026/glacier-survey.html?enc=br"))
    assert response.headers["content-encoding"] == "br" and b"Alpine glaciers" in response.body


def test_fetch_total_timeout_stops_a_trickling_response(fresh_site: LocalSite, settings: Settings) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="in all"):
        fetch(replace(settings, request_timeout=1.0, request_total_timeout=1.0, max_retries=3),
              fresh_site.url("/trickle"))
    assert time.monotonic() - started < 3  # the whole budget once, not once per retry
    assert fresh_site.requests["/trickle"] == 1


def test_fetch_bounded_decoder_refuses_cut_streams_and_reads_every_gzip_member() -> None:
    from newscorpus.crawler.fetch import _BoundedDecoder

    body = gzip.compress(b"first member. ") + gzip.compress(b"second member.")
    decoder = _BoundedDecoder("gzip", 1000, "http://a.example/")
    assert decoder.feed(body) + decoder.flush() == b"first member. second member."
    cut = _BoundedDecoder("gzip", 10_000, "http://a.example/")
    cut.feed(gzip.compress(bytes(range(256)) * 20)[:200])
    with pytest.raises(FetchError, match="truncated gzip body") as caught:
        cut.flush()
    assert not caught.value.permanent
    assert _BoundedDecoder("br", 1000, "http://a.example/").flush() == b""  # an empty body (a 304) is fine


def test_fetch_retry_after_dates_in_any_zone_form() -> None:
    from newscorpus.crawler.fetch import _retry_after

    assert _retry_after("Wed, 21 Oct 2099 07:28:00 -0000") > 86400  # "-0000" parses as a naive time
    assert _retry_after("Wed, 21 Oct 2099 07:28:00 GMT") > 86400
    assert _retry_after("120") == 120.0 and _retry_after("soon") is None and _retry_after("Fri, 99 Foo 1 x") is None
