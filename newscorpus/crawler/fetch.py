"""Polite async HTTP: global and per-host limits, per-host delay, robots.txt, retries, size caps,
redirects checked hop by hop, and a guard against requests to private addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from newscorpus.config import Settings
from newscorpus.crawler.robots import RobotsRules
from newscorpus.crawler.urls import host_of
from newscorpus.errors import FetchError
from newscorpus.models import Response, utc_now

log = logging.getLogger(__name__)

_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
_MAX_REDIRECTS = 10
_MAX_RETRY_AFTER = 120.0
_BACKOFF_BASE = 0.5
_ROBOTS_TTL = 24 * 3600.0


@dataclass
class _Host:
    """Politeness state of one host."""

    slots: asyncio.Semaphore
    delay: float
    next_start: float = 0.0
    robots: RobotsRules | None = None
    robots_fetched: float = 0.0
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """Fetches URLs politely; use as `async with Fetcher(settings) as f: await f.fetch(url)`.

    `allowed_hosts` may resolve to private addresses (the hosts of sources the user added).
    """

    def __init__(self, settings: Settings, allowed_hosts: set[str] | frozenset[str] = frozenset()) -> None:
        self.settings = settings
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self._hosts: dict[str, _Host] = {}
        self._addresses: dict[str, str | None] = {}  # host -> why it is refused (None: allowed)
        self._slots = asyncio.Semaphore(max(1, settings.concurrency))
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.settings.request_timeout),
            limits=httpx.Limits(max_connections=max(1, self.settings.concurrency)),
            follow_redirects=False,  # each hop is checked against robots.txt and the address guard
            headers={"User-Agent": self.settings.user_agent},
        )
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _host(self, url: str) -> _Host:
        key = host_of(url)
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(max(1, self.settings.per_host_concurrency)),
                                     self.settings.per_host_delay)
        return self._hosts[key]

    def set_host_delay(self, url: str, seconds: float) -> None:
        """Use another minimum delay between requests to the URL's host (a source's own setting)."""
        self._host(url).delay = seconds

    async def robots(self, url: str) -> RobotsRules:
        """The robots.txt rules of the URL's host, fetched once a day at most."""
        host = self._host(url)
        async with host.robots_lock:
            if host.robots is None or time.monotonic() - host.robots_fetched > _ROBOTS_TTL:
                parts = urlsplit(url)
                robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
                try:
                    response = await self._get(robots_url, {}, allow_redirects=True, check_robots=False)
                    body = response.body if response.status == 200 else None
                except FetchError as exc:
                    log.info("no robots.txt for %s (%s); allowing all", parts.netloc, exc)
                    body = None
                host.robots = RobotsRules.parse(body)
                host.robots_fetched = time.monotonic()
            return host.robots

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET a URL with retries; a 304 comes back as a Response with status 304.

        Raises FetchError, with `permanent` set for 4xx, robots, address, size and redirect refusals.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return await self._get(url, headers, allow_redirects=True, check_robots=self.settings.obey_robots)
            except FetchError as exc:
                attempt += 1
                if exc.permanent or attempt > self.settings.max_retries:
                    raise
                wait = exc.retry_after if exc.retry_after is not None else _BACKOFF_BASE * 2 ** (attempt - 1)
                wait = min(wait, _MAX_RETRY_AFTER) * random.uniform(1.0, 1.25)  # jitter, never sooner than asked
                log.info("retrying %s in %.1fs after: %s", url, wait, exc)
                await asyncio.sleep(wait)

    async def _get(self, url: str, headers: dict[str, str], allow_redirects: bool, check_robots: bool) -> Response:
        """One attempt: follow redirects hop by hop, checking each against the guard and robots.txt."""
        visits = {url: 1}
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            await self._check_address(current)
            if check_robots and not (await self.robots(current)).allowed(current, self.settings.user_agent):
                raise FetchError("disallowed by robots.txt", current, permanent=True)
            response, location = await self._request(url, current, headers)
            if response is not None:
                return response
            if not allow_redirects or location is None:
                raise FetchError("redirect without a Location", current, permanent=True)
            current = urljoin(current, location)
            # A URL may come round again (cookie walls, load balancers, a flaky redirect); a fourth visit is a loop.
            visits[current] = visits.get(current, 0) + 1
            if visits[current] > 3:
                raise FetchError("redirect loop", url, permanent=True)
        raise FetchError(f"too many redirects (over {_MAX_REDIRECTS})", url, permanent=True)

    async def _request(self, url: str, current: str, headers: dict[str, str]) -> tuple[Response | None, str | None]:
        """Send one request: (response, None), or (None, Location) for a redirect."""
        assert self._client is not None, "use Fetcher as an async context manager"
        host = self._host(current)
        async with self._slots, host.slots:
            await self._wait_turn(host)
            try:
                async with asyncio.timeout(self.settings.request_total_timeout):
                    async with self._client.stream("GET", current, headers=headers) as response:
                        if response.has_redirect_location:
                            return None, response.headers.get("Location")
                        return await self._read(url, current, response), None
            except TimeoutError as exc:
                raise FetchError(f"timed out (over {self.settings.request_total_timeout:g} s in all)", current) from exc
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise FetchError(f"invalid URL: {exc}", current, permanent=True) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out ({type(exc).__name__})", current) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}", current) from exc

    async def _check_address(self, url: str) -> None:
        """Refuse hosts that resolve to non-public addresses, unless allowed (server-side request forgery guard)."""
        host = (urlsplit(url).hostname or "").lower()
        if self.settings.allow_private_addresses or host in self.allowed_hosts:
            return
        if host not in self._addresses:
            self._addresses[host] = await _non_public_reason(host)
        reason = self._addresses[host]
        if reason:
            raise FetchError(f"refused: {host} {reason} (add it as a source, or set allow_private_addresses)",
                             url, permanent=True)

    async def _wait_turn(self, host: _Host) -> None:
        delay = host.delay
        if host.robots is not None:
            delay = max(delay, host.robots.crawl_delay(self.settings.user_agent) or 0.0)
        now = time.monotonic()
        start = max(now, host.next_start)
        host.next_start = start + delay
        if start > now:
            await asyncio.sleep(start - now)

    async def _read(self, url: str, current: str, response: httpx.Response) -> Response:
        status = response.status_code
        if status in _RETRYABLE_STATUS:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            raise FetchError(f"HTTP {status}", current, status=status, retry_after=retry_after)
        if status >= 400:
            raise FetchError(f"HTTP {status}", current, status=status, permanent=True)
        limit = self.settings.max_response_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
            raise FetchError(f"too large ({declared} bytes, limit {limit})", current, status=status, permanent=True)
        chunks = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"too large (over {limit} bytes)", current, status=status, permanent=True)
            chunks.append(chunk)
        return Response(
            url=url, final_url=str(response.url), status=status, headers=dict(response.headers),
            body=b"".join(chunks), fetched_at=utc_now(),
        )


async def _non_public_reason(host: str) -> str | None:
    """Why a host must not be fetched without permission (it resolves to a non-public address), or None."""
    if not host:
        return "is empty"
    try:
        addresses = {ipaddress.ip_address(host.strip("[]"))}
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            return None  # unresolvable: the request itself fails with a clear connection error
        addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    for address in addresses:
        if not address.is_global:
            return f"resolves to the non-public address {address}"
    return None


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
