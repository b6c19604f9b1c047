"""Running the application: one listening socket, served by one process or by several forked from it (each its
own corpus reader and threads), so that searches use every core."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import uvicorn

from newscorpus.config import Settings
from newscorpus.corpus import open_store
from newscorpus.errors import ConfigError, NewscorpusError
from newscorpus.web.app import create_app


def listen(host: str, port: int) -> socket.socket:
    """A listening socket. Raises ConfigError when the address cannot be had (in use, not this machine's)."""
    try:
        listener = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    # uvicorn sets TCP_NODELAY only on sockets it binds itself: without it each answer waits ~40 ms for an ACK
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


def serve(data_dir: Path, settings: Settings, listener: socket.socket, *, token: str | None, host: str,
          workers: int = 1, ready: Callable[[], None] = lambda: None) -> None:
    """Serve until SIGINT or SIGTERM; `ready` is called once the corpus has opened.

    Raises StorageError for a missing or damaged data directory (before anything is served).
    """
    csrf_key = secrets.token_bytes(32)  # one for all processes: a form any of them wrote is good for the others
    if workers == 1:
        app = create_app(data_dir, settings, token=token, host=host, csrf_key=csrf_key)
        ready()
        _run(app, listener)
        return
    # Nothing with threads of its own (the index has some) is opened before the fork: only the database, to say
    # in one line, here, that it is missing or damaged.
    open_store(data_dir, read_only=True, database_url=settings.database_url).close()
    ready()
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: its own reader, threads and event loop, on the shared socket
            code = 1
            try:
                _run(create_app(data_dir, settings, token=token, host=host, csrf_key=csrf_key), listener)
                code = 0
            except NewscorpusError as exc:
                print(f"error: {exc}", file=sys.stderr, flush=True)
            finally:
                os._exit(code)
        children.append(pid)

    def stop(signum: int, frame: FrameType | None) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {
        s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            os.waitpid(child, 0)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _run(app: object, listener: socket.socket) -> None:
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))  # type: ignore[arg-type]
    server.run(sockets=[listener])
