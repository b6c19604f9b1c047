"""Polite async HTTP: global and per-host limits, per-host delay, robots.txt, retries, size caps."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import datetime, timezone
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from newscorpus.config import Settings
from newscorpus.crawler.robots import RobotsRules
from newscorpus.crawler.urls import host_of
from newscorpus.errors import FetchError
from newscorpus.models import Response, utc_now

log = logging.getLogger(__name__)

_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
_MAX_REDIRECTS = 10
_MAX_RETRY_AFTER = 60.0
_BACKOFF_BASE = 0.5


@dataclass
class _Host:
    """Politeness state of one host."""

    slots: asyncio.Semaphore
    next_start: float = 0.0
    robots: RobotsRules | None = None
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """Fetches URLs politely; use as `async with Fetcher(settings) as f: await f.fetch(url)`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._hosts: dict[str, _Host] = {}
        self._slots = asyncio.Semaphore(max(1, settings.concurrency))
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        timeout = httpx.Timeout(self.settings.request_timeout)
        limits = httpx.Limits(max_connections=max(1, self.settings.concurrency))
        self._client = httpx.AsyncClient(
            timeout=timeout, limits=limits, follow_redirects=True, max_redirects=_MAX_REDIRECTS,
            headers={"User-Agent": self.settings.user_agent},
        )
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _host(self, url: str) -> _Host:
        key = host_of(url)
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(max(1, self.settings.per_host_concurrency)))
        return self._hosts[key]

    async def robots(self, url: str) -> RobotsRules:
        """The robots.txt rules of the URL's host, fetched once."""
        host = self._host(url)
        async with host.robots_lock:
            if host.robots is None:
                parts = urlsplit(url)
                robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
                try:
                    response = await self._fetch_once(robots_url, {}, host)
                    body = response.body if response.status == 200 else None
                except FetchError as exc:
                    log.info("no robots.txt for %s (%s); allowing all", parts.netloc, exc)
                    body = None
                host.robots = RobotsRules.parse(body)
            return host.robots

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET a URL with retries; a 304 comes back as a Response with status 304.

        Raises FetchError (with `permanent` set for 4xx, robots, size and type refusals).
        """
        host = self._host(url)
        if self.settings.obey_robots:
            rules = await self.robots(url)
            if not rules.allowed(url, self.settings.user_agent):
                raise FetchError("disallowed by robots.txt", url, permanent=True)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return await self._fetch_once(url, headers, host)
            except FetchError as exc:
                attempt += 1
                if exc.permanent or attempt > self.settings.max_retries:
                    raise
                wait = exc.retry_after or _BACKOFF_BASE * 2 ** (attempt - 1)
                wait = min(wait, _MAX_RETRY_AFTER) * random.uniform(0.8, 1.2)
                log.info("retrying %s in %.1fs after: %s", url, wait, exc)
                await asyncio.sleep(wait)

    async def _wait_turn(self, host: _Host) -> None:
        delay = self.settings.per_host_delay
        if host.robots is not None:
            delay = max(delay, host.robots.crawl_delay(self.settings.user_agent) or 0.0)
        now = time.monotonic()
        start = max(now, host.next_start)
        host.next_start = start + delay
        if start > now:
            await asyncio.sleep(start - now)

    async def _fetch_once(self, url: str, headers: dict[str, str], host: _Host) -> Response:
        assert self._client is not None, "use Fetcher as an async context manager"
        async with self._slots, host.slots:
            await self._wait_turn(host)
            try:
                async with self._client.stream("GET", url, headers=headers) as response:
                    return await self._read(url, response)
            except httpx.TooManyRedirects as exc:
                raise FetchError("too many redirects", url, permanent=True) from exc
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL: {exc}", url, permanent=True) from exc
            except httpx.UnsupportedProtocol as exc:
                raise FetchError(f"unsupported protocol: {exc}", url, permanent=True) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out ({type(exc).__name__})", url) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}", url) from exc

    async def _read(self, url: str, response: httpx.Response) -> Response:
        status = response.status_code
        if status in _RETRYABLE_STATUS:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            raise FetchError(f"HTTP {status}", url, status=status, retry_after=retry_after)
        if status >= 400:
            raise FetchError(f"HTTP {status}", url, status=status, permanent=True)
        limit = self.settings.max_response_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
            raise FetchError(f"too large ({declared} bytes, limit {limit})", url, status=status, permanent=True)
        chunks = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"too large (over {limit} bytes)", url, status=status, permanent=True)
            chunks.append(chunk)
        return Response(
            url=url, final_url=str(response.url), status=status, headers=dict(response.headers),
            body=b"".join(chunks), fetched_at=utc_now(),
        )


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
