"""Reading a data directory from a long-running process (the web server) beside a crawl or `newscorpus watch`:
nothing is written by reading, new stories are seen within seconds, and a `reindex` that swaps the index is
followed. Writes a user asks for (sources, saved searches) go through one writable store, one at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newscorpus.corpus import SearchIndex, Store, open_store
from newscorpus.corpus.index import INDEX_DIR_NAME
from newscorpus.errors import StorageError

_CHECK_EVERY = 2.0  # seconds between looks at whether a reindex swapped the index directory


class CorpusReader:
    """Read access for many threads: each thread its own read-only store (SQLite connections are not shared),
    one read-only index for all (tantivy searchers are; it reloads by itself when a crawl commits)."""

    def __init__(self, data_dir: Path, database_url: str = "") -> None:
        """Read the corpus in `data_dir` (its store there, or at `database_url` when given: see open_store).

        Raises StorageError for a missing or damaged data directory or database."""
        self.data_dir = data_dir
        self.database_url = database_url
        self._local = threading.local()
        self._stores: list[Store] = []
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._writer: Store | None = None
        self._index = SearchIndex(data_dir, read_only=True)
        self._index_identity = self._identity()
        self._checked = -_CHECK_EVERY
        self._problem: str | None = None
        self.index()  # a missing or damaged database is an error now, not at the first request

    def store(self) -> Store:
        """This thread's read-only store."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.data_dir, read_only=True, database_url=self.database_url)
            self._local.store = store
            with self._lock:
                self._stores.append(store)
        return store

    def index(self) -> SearchIndex:
        """The search index, reopened when a reindex has put a new one in its place (looked at every few
        seconds, with whether it can answer for the store).

        Raises StorageError when the index lacks documents of the store (it says to run `newscorpus reindex`).
        """
        now = time.monotonic()
        if now - self._checked >= _CHECK_EVERY:
            with self._lock:
                if now - self._checked >= _CHECK_EVERY:
                    identity = self._identity()
                    if identity != self._index_identity:
                        old, self._index = self._index, SearchIndex(self.data_dir, read_only=True)
                        self._index_identity = identity
                        old.close()
                    store = self.store()
                    documents, indexed = store.count_documents(), store.count_documents(indexed=True)
                    # A crawl flags documents as indexed once the index has them: seen from here, the index may
                    # be a commit behind the store until it is reloaded.
                    self._index.refresh()
                    self._problem = self._index.problem(documents, indexed)
                    self._checked = now
        if self._problem is not None:
            raise StorageError(f"{self._problem}: run `newscorpus reindex` to rebuild it from the store")
        return self._index

    def _identity(self) -> tuple[int, int] | None:
        try:
            found = (self.data_dir / INDEX_DIR_NAME).stat()
        except OSError:
            return None
        return found.st_ino, found.st_dev

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """The writable store, for one write at a time. Raises StorageError where the directory is read-only."""
        with self._write_lock:
            if self._writer is None:
                try:
                    self._writer = open_store(self.data_dir, database_url=self.database_url)
                except StorageError as exc:
                    raise StorageError(f"this corpus cannot be changed here: {exc}") from exc
            yield self._writer

    def close(self) -> None:
        with self._lock:
            for store in self._stores:
                store.close()
            self._stores.clear()
        if self._writer is not None:
            self._writer.close()
        self._index.close()
