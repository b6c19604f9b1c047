"""Polite async HTTP: global and per-host limits, per-host delay, robots.txt, retries, size caps (on the
decompressed body), redirects checked hop by hop, a guard against requests to private addresses, pauses that
sites ask for (Retry-After), and hosts set aside for the rest of a pass when they keep failing."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import socket
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import brotli
import httpx

from newscorpus.config import Settings
from newscorpus.crawler.robots import RobotsRules
from newscorpus.crawler.urls import host_of
from newscorpus.errors import FetchError
from newscorpus.models import Response, utc_now

log = logging.getLogger(__name__)

_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
_MAX_REDIRECTS = 10
_BACKOFF_BASE = 0.5
_ROBOTS_TTL = 24 * 3600.0
# A 429 without Retry-After: the host waits this long (seconds).
_DEFAULT_429_WAIT = 60.0
# A host's pause up to this long is waited out within a pass; a longer one defers its URLs to a later pass.
_MAX_WAIT_IN_PASS = 30.0


@dataclass
class _Host:
    """Politeness state of one host."""

    slots: asyncio.Semaphore
    delay: float
    next_start: float = 0.0
    robots: RobotsRules | None = None
    robots_fetched: float = 0.0
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    paused_until: float = 0.0  # wall-clock time the site asked us to wait until (429, 503 with Retry-After)
    pause_reason: str = ""
    failures: int = 0  # connection failures and timeouts in a row
    set_aside: str | None = None  # why the host is skipped for the rest of this pass


class Fetcher:
    """Fetches URLs politely; use as `async with Fetcher(settings) as f: await f.fetch(url)`.

    `allowed_hosts` may resolve to private addresses (the hosts of sources the user added). With `host_turns`
    (`await host_turns(host, delay)`: 0.0 when this request may go now, else seconds to wait before asking again),
    the delay between requests to a host holds across every process that fetches, not only within this one.
    """

    def __init__(self, settings: Settings, allowed_hosts: set[str] | frozenset[str] = frozenset(),
                 host_turns: Callable[[str, float], Awaitable[float]] | None = None) -> None:
        self.settings = settings
        self.host_turns = host_turns
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
        return self._host_named(host_of(url))

    def _host_named(self, key: str) -> _Host:
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(max(1, self.settings.per_host_concurrency)),
                                     self.settings.per_host_delay)
        return self._hosts[key]

    def set_host_delay(self, url: str, seconds: float) -> None:
        """Use another minimum delay between requests to the URL's host (a source's own setting)."""
        self._host(url).delay = seconds

    def new_pass(self) -> None:
        """Start a pass of a long crawl (`watch`): hosts set aside in the last one get another chance."""
        for host in self._hosts.values():
            host.set_aside, host.failures = None, 0

    def pause_host(self, name: str, until: float, reason: str) -> None:
        """Send nothing to a host (as `host_of` names it) before `until`, a wall-clock time: a pause it asked for."""
        host = self._host_named(name)
        if until > host.paused_until:
            host.paused_until, host.pause_reason = until, reason

    def _check_host(self, url: str, host: _Host) -> None:
        """Refuse at once, as deferred, a URL whose host is set aside or paused beyond what a pass waits out."""
        if host.set_aside:
            raise FetchError(host.set_aside, url, deferred=True)
        remaining = host.paused_until - time.time()
        if remaining > _MAX_WAIT_IN_PASS:
            until = datetime.fromtimestamp(host.paused_until, timezone.utc).isoformat(timespec="seconds")
            raise FetchError(f"{host_of(url)} asked for a pause until {until} ({host.pause_reason})", url,
                             retry_after=remaining, deferred=True)

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
                except (FetchError, _NetworkError) as exc:
                    log.info("no robots.txt for %s (%s); allowing all", parts.netloc, exc)
                    body = None
                host.robots = RobotsRules.parse(body)
                host.robots_fetched = time.monotonic()
            return host.robots

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET a URL, retrying connection errors, timeouts and 5xx with backoff; a 304 comes back as a Response
        with status 304.

        Raises FetchError: `permanent` for 4xx, robots, address, size and redirect refusals; `deferred` when the
        host asked for a pause (429, 503 with Retry-After: never asked again in this pass) or is set aside after
        `max_host_failures` connection failures or timeouts in a row. A request that used up its whole
        `request_total_timeout` (a trickling or endless body) is not retried.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = self._host(url)
        attempt = 0
        while True:
            self._check_host(url, host)
            try:
                response = await self._get(url, headers, allow_redirects=True, check_robots=self.settings.obey_robots)
            except _NetworkError as exc:
                self._count_failure(url, host, exc)
                if exc.exhausted or host.set_aside:
                    raise exc.error from exc
                error = exc.error
            except FetchError as exc:
                host.failures = 0  # the host answered
                if exc.status == 429 or (exc.status == 503 and exc.retry_after is not None):
                    raise self._pause(url, host, exc) from exc
                error = exc
            else:
                host.failures = 0
                return response
            attempt += 1
            if error.permanent or attempt > self.settings.max_retries:
                raise error
            wait = _BACKOFF_BASE * 2 ** (attempt - 1) * random.uniform(1.0, 1.25)
            log.info("retrying %s in %.1fs after: %s", url, wait, error)
            await asyncio.sleep(wait)

    def _count_failure(self, url: str, host: _Host, failure: _NetworkError) -> None:
        host.failures += 1
        if host.failures >= max(1, self.settings.max_host_failures) and not host.set_aside:
            host.set_aside = (f"{host_of(url)} set aside for this pass after {host.failures} failures in a row "
                              f"(last: {failure.error})")
            log.info("%s", host.set_aside)

    def _pause(self, url: str, host: _Host, error: FetchError) -> FetchError:
        """A 429 (or 503 with Retry-After): the host waits as long as it asked, up to max_retry_after; the URL
        is not asked again in this pass."""
        asked = error.retry_after if error.retry_after is not None else _DEFAULT_429_WAIT
        wait = min(asked, self.settings.max_retry_after)
        reason = f"HTTP {error.status}, Retry-After {_duration(asked)}" if error.retry_after is not None \
            else f"HTTP {error.status}"
        self.pause_host(host_of(url), time.time() + wait, reason)
        return FetchError(f"{reason}: asked to wait", url, status=error.status, retry_after=wait, deferred=True,
                          host_wait=True)

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
            await self._wait_turn(host, host_of(current))
            try:
                async with asyncio.timeout(self.settings.request_total_timeout):
                    async with self._client.stream("GET", current, headers=headers) as response:
                        if response.has_redirect_location:
                            return None, response.headers.get("Location")
                        try:
                            return await self._read(url, current, response), None
                        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                            # The host answered (status and headers), then cut the body short: a damaged
                            # response, retried like a 5xx, not a connection failure that sets the host aside.
                            raise FetchError(f"body cut short ({type(exc).__name__}: {exc})", current) from exc
            except TimeoutError as exc:
                total = self.settings.request_total_timeout
                raise _NetworkError(FetchError(f"timed out (over {total:g} s in all)", current), exhausted=True) from exc
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise FetchError(f"invalid URL: {exc}", current, permanent=True) from exc
            except httpx.TimeoutException as exc:
                raise _NetworkError(FetchError(f"timed out ({type(exc).__name__})", current)) from exc
            except httpx.TransportError as exc:
                raise _NetworkError(FetchError(f"{type(exc).__name__}: {exc}", current)) from exc
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

    async def _wait_turn(self, host: _Host, name: str) -> None:
        delay = host.delay
        if host.robots is not None:
            delay = max(delay, host.robots.crawl_delay(self.settings.user_agent) or 0.0)
        now = time.monotonic()
        start = max(now, host.next_start, now + host.paused_until - time.time())
        host.next_start = start + delay
        if start > now:
            await asyncio.sleep(start - now)
        while self.host_turns is not None and delay > 0 and (wait := await self.host_turns(name, delay)) > 0:
            await asyncio.sleep(wait)

    async def _read(self, url: str, current: str, response: httpx.Response) -> Response:
        status = response.status_code
        if status in _RETRYABLE_STATUS:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            raise FetchError(f"HTTP {status}", current, status=status, retry_after=retry_after)
        if status >= 400:
            raise FetchError(f"HTTP {status}", current, status=status, permanent=True)
        limit = self.settings.max_response_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isascii() and declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
            raise FetchError(f"too large ({declared} bytes, limit {limit})", current, status=status, permanent=True)
        decoder = _BoundedDecoder(response.headers.get("Content-Encoding", ""), limit, current)
        chunks = [decoder.feed(chunk) async for chunk in response.aiter_raw()]
        chunks.append(decoder.flush())
        return Response(
            url=url, final_url=str(response.url), status=status, headers=dict(response.headers),
            body=b"".join(chunks), fetched_at=utc_now(),
        )


class _NetworkError(Exception):
    """A connection failure or timeout (it counts against the host); `exhausted`: the request used up its whole
    time budget, so trying again in this pass would cost as much again."""

    def __init__(self, error: FetchError, exhausted: bool = False) -> None:
        super().__init__(str(error))
        self.error = error
        self.exhausted = exhausted


class _BoundedDecoder:
    """Decompresses a body as it arrives, never holding more than `limit` decompressed bytes: a small compressed
    body that would expand to gigabytes (a decompression bomb) is refused once it passes the limit."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip().lower() not in ("", "identity")]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate", "br")):
            raise FetchError(f"unsupported Content-Encoding {encoding!r}", url, permanent=True)
        self.coding = codings[0] if codings else ""
        self.limit = limit
        self.url = url
        self.size = 0
        self._wbits = zlib.MAX_WBITS | 32
        self._zlib = zlib.decompressobj(self._wbits) if self.coding in ("gzip", "x-gzip", "deflate") else None
        self._brotli = brotli.Decompressor() if self.coding == "br" else None
        self._started = False
        self._received = 0  # compressed bytes

    def feed(self, data: bytes) -> bytes:
        self._received += len(data)
        room = self.limit - self.size
        try:
            if self._zlib is not None:
                out = self._inflate(data, room)
                more = bool(self._zlib.unconsumed_tail)
            elif self._brotli is not None:
                out = self._brotli.process(data, output_buffer_limit=room + 1)
                more = not self._brotli.can_accept_more_data()
            else:
                out, more = data, False
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"damaged {self.coding} body: {exc}", self.url) from exc
        self.size += len(out)
        if self.size > self.limit or more:
            raise FetchError(f"too large (over {self.limit} bytes{' decompressed' if self.coding else ''})",
                             self.url, permanent=True)
        return out

    def _inflate(self, data: bytes, room: int) -> bytes:
        assert self._zlib is not None
        if not self._started and self.coding == "deflate" and data:
            self._started = True
            try:  # "deflate" is meant to be zlib-wrapped, but many servers send raw deflate
                return self._zlib.decompress(data, room + 1)
            except zlib.error:
                self._wbits = -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(self._wbits)
        out = self._zlib.decompress(data, room + 1)
        while self._zlib.eof and self._zlib.unused_data and len(out) <= room:  # another gzip member follows
            rest = self._zlib.unused_data
            self._zlib = zlib.decompressobj(self._wbits)
            out += self._zlib.decompress(rest, room + 1 - len(out))
        return out

    def flush(self) -> bytes:
        """The rest of the body; raises FetchError (to be retried) when the compressed stream was cut short."""
        out = self.feed(b"")
        finished = self._zlib.eof if self._zlib is not None else (
            self._brotli.is_finished() if self._brotli is not None else True)
        if self._received and not finished:  # (an empty body, as of a 304, is no stream at all)
            raise FetchError(f"truncated {self.coding} body", self.url)
        return out


def _duration(seconds: float) -> str:
    """"90 s", "27.8 h": a wait as people read it."""
    if seconds < 120:
        return f"{seconds:g} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


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
    if value.strip().isascii() and value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:  # "-0000": UTC, by RFC 5322
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError, OverflowError):
        return None
