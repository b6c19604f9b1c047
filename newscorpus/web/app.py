"""The ASGI application: the JSON API and the pages over one data directory, one error shape, security headers,
write protection, and limits so that one request cannot starve the others."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newscorpus.app.reading import CorpusReader
from newscorpus.config import Settings
from newscorpus.errors import NewscorpusError, QueryError

log = logging.getLogger(__name__)
T = TypeVar("T")

# Pages load nothing from another site and run no inline script: a crawled article's markup, were it ever shown
# unescaped, could not run.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_MAX_BODY = 64 * 1024  # the largest write (a source, a saved search) is far smaller


class Web:
    """What every request shares: the corpus, the settings, and the rules for writes."""

    def __init__(self, reader: CorpusReader, settings: Settings, token: str | None, host: str,
                 csrf_key: bytes | None = None) -> None:
        self.reader, self.settings = reader, settings
        self.token = token or None
        # Bound to a loopback address, only this machine reaches the server: writes need no token there, as long
        # as the request names this machine (a page whose host name was rebound to 127.0.0.1 names another).
        self.writes_need_token = not is_loopback(host)
        self.hosts = None if self.writes_need_token else {"127.0.0.1", "localhost", "::1", host.strip("[]")}
        # A fixed set of threads runs the use cases: a request past its time limit keeps its thread (and its
        # SQLite connection) until its work ends, so at most this many run at once, however many time out.
        self.executor = ThreadPoolExecutor(max(1, settings.web_searches_at_once), thread_name_prefix="newscorpus-web")
        # A form is good until the server restarts (all its processes share the key).
        self._csrf_key = csrf_key or secrets.token_bytes(32)

    @property
    def writable(self) -> bool:
        return not self.writes_need_token or self.token is not None

    def csrf_token(self) -> str:
        return hmac.new(self._csrf_key, b"newscorpus-form", "sha256").hexdigest()

    def check_csrf(self, value: str | None) -> None:
        if not value or not hmac.compare_digest(value.encode(), self.csrf_token().encode()):
            raise Forbidden("this form has expired or did not come from this server: reload the page and try again")

    def check_write(self, request: Request, token: str | None = None) -> None:
        """Refuse a write from another site, or without the token where one is needed."""
        if not self.writable:
            raise Forbidden("this server is reachable from other machines and has no write token: set "
                            "NEWSCORPUS_WEB_TOKEN to allow changes")
        if self.writes_need_token:
            given = token or request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not given or not hmac.compare_digest(given.encode(), (self.token or "").encode()):
                raise Forbidden("changes need the write token (Authorization: Bearer TOKEN, or the form's token)")

    async def run(self, call: Callable[..., T], *args: Any, limit: bool = True) -> T:
        """Run a use case on one of the worker threads, for at most `web_query_seconds` (`limit` False: as long
        as it takes, for an export)."""
        work = asyncio.wrap_future(self.executor.submit(partial(call, *args)))
        if not limit:
            return await work
        seconds = self.settings.web_query_seconds
        try:
            return await asyncio.wait_for(asyncio.shield(work), seconds)
        except TimeoutError:
            raise Busy(f"the search took longer than {seconds:g} s; narrow it (a filter, fewer facets)") from None


class Forbidden(NewscorpusError):
    """A write that this server does not allow from this request."""

    http_status = 403


class Busy(NewscorpusError):
    """A request that ran out of its time."""

    http_status = 503


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def error_body(status: int, message: str, **more: Any) -> dict[str, Any]:
    """The one shape of every error the JSON API returns."""
    return {"ok": False, "error": message, "status": status, **more}


def create_app(data_dir: Path, settings: Settings, *, token: str | None = None, host: str = "127.0.0.1",
               csrf_key: bytes | None = None) -> FastAPI:
    """The application for a data directory. `host` is the address the server is bound to (writes need `token`
    unless it is a loopback address); `csrf_key` signs the forms' tokens (shared by a server's processes).

    Raises StorageError for a missing or damaged data directory.
    """
    from newscorpus.web import api, pages

    reader = CorpusReader(data_dir, settings.database_url)

    web = Web(reader, settings, token, host, csrf_key)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        web.executor.shutdown(wait=True, cancel_futures=True)
        reader.close()

    app = FastAPI(title="newscorpus", version=version("newscorpus"), lifespan=lifespan, docs_url=None,
                  max_body_size=_MAX_BODY,
                  redoc_url=None, description="Search a news corpus: the stories, what the NLP found in them "
                  "(dates, places, laws), facets, timelines, sources, saved searches and exports.")
    app.state.web = web
    templates = Jinja2Templates(directory=str(resources.files("newscorpus.web") / "templates"))
    templates.env.filters["web_link"] = web_link
    app.state.templates = templates
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(resources.files("newscorpus.web") / "static")), name="static")
    app.add_exception_handler(NewscorpusError, _our_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _bug)
    app.add_middleware(_Guard)
    return app


def web_link(url: str | None) -> str:
    """A crawled URL as a link target: http(s) only (a javascript: or data: URL from a page becomes no link)."""
    return url if url and urlsplit(url).scheme in ("http", "https") else "#"


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


class _Guard:
    """Refuses requests that name another host (DNS rebinding) and cross-site writes before they reach a route,
    and bodies over _MAX_BODY; sends the security headers with every answer. Plain ASGI: Starlette's
    BaseHTTPMiddleware costs a task and a stream per request, a good part of a fast search's time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _refusal(Request(scope))
        if refusal is not None:
            await _secured(refusal)(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(_SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, secured)


def _refusal(request: Request) -> Response | None:
    hosts = web_of(request).hosts
    named = urlsplit(f"//{request.headers.get('host', '')}").hostname or ""
    length = request.headers.get("content-length", "0")
    if hosts is not None and named not in hosts:
        return _error(request, 400, f"this server answers to {', '.join(sorted(hosts))}, not {named!r}")
    if not (length.isascii() and length.isdigit()) or int(length) > _MAX_BODY:
        return _error(request, 413, f"a request body may have at most {_MAX_BODY:,} bytes")
    if request.method not in _SAFE_METHODS and not _same_origin(request):
        return _error(request, 403, "a change from another site is refused")
    return None


_SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
                     "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}


def _secured(response: Response) -> Response:
    response.headers.update(_SECURITY_HEADERS)
    return response


def _same_origin(request: Request) -> bool:
    """Whether a request that changes something comes from this server's own pages (or from no browser at all:
    a script sends neither header)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json" or \
        "application/json" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, **more: Any) -> Response:
    if _wants_json(request):
        return JSONResponse(error_body(status, message, **more), status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status)


async def _our_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NewscorpusError)
    more = {"position": exc.position} if isinstance(exc, QueryError) and exc.position is not None else {}
    return _error(request, exc.http_status, str(exc), **more)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for problem in exc.errors():
        where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {problem.get('msg', 'invalid')}")
    return _error(request, 400, "; ".join(problems) or "invalid request")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "no such page", 405: "this method is not allowed here"}.get(exc.status_code, str(exc.detail))
    response = _error(request, exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _bug(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    # Starlette answers a bug from outside every middleware, so the security headers are set here too
    return _secured(_error(request, 500, "an unexpected error; it has been logged"))


def html(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template, with what every page shows."""
    web = web_of(request)
    templates: Jinja2Templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {"csrf": web.csrf_token(), "writable": web.writable,
                            "token_needed": web.writes_need_token, **context}, status_code=status)
    return response
