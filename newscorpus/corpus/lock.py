"""One writing process per data directory: a crawl, watch, reprocess or reindex holds the directory's lock, and a
second one says which process holds it instead of fetching the same pages and fighting over the index."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import IO

from newscorpus.errors import StorageError

LOCK_FILE_NAME = "newscorpus.lock"


class DataDirLock:
    """An exclusive lock on a data directory (an OS file lock: it ends with its process, even a killed one)."""

    def __init__(self, data_dir: Path, command: str) -> None:
        self.path = data_dir / LOCK_FILE_NAME
        self.command = command
        self._file: IO[str] | None = None

    def __enter__(self) -> DataDirLock:
        try:
            file = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise StorageError(f"cannot lock {self.path.parent}: {exc.strerror}") from exc
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = _describe(file.read())
            file.close()
            raise StorageError(f"{self.path.parent} is in use by {holder}; wait for it to end, or stop it "
                               "(Ctrl-C or kill PID), then try again") from None
        file.seek(0)
        file.truncate()
        file.write(json.dumps({"pid": os.getpid(), "command": self.command,
                               "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
        file.flush()
        self._file = file
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._file is not None:
            self._file.truncate(0)
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_holder(data_dir: Path) -> str | None:
    """Who holds a data directory's lock (a running crawl, say), or None when no one does."""
    try:
        with DataDirLock(data_dir, "check"):
            return None
    except StorageError as exc:
        return str(exc)


def _describe(content: str) -> str:
    """"`newscorpus crawl` (PID 4242, since 2026-12-06T10:04:12+00:00)" from the lock file's record."""
    try:
        record = json.loads(content)
        return f"`newscorpus {record['command']}` (PID {record['pid']}, since {record['since']})"
    except (ValueError, KeyError, TypeError):
        return "another newscorpus process"
