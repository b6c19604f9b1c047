"""The Python API, for notebooks and scripts:

    from newscorpus import Corpus

    corpus = Corpus("newscorpus-data")
    results = corpus.search('"Computer Misuse"', place="Kenya", since="2024-01-01")
    for hit in results:
        print(hit.published, hit.title, hit.url)
    results.facets("law")           # [("Computer Misuse and Cybercrimes Act", 12), ...]
    results.timeline("month")       # [("2024-01", 3), ("2024-02", 0), ...]
    results.to_pandas()             # a DataFrame of the hits (with pandas installed)
    corpus.export("kenya.parquet", place="Kenya")   # every match, with a manifest

The query language and the filters are those of `newscorpus search` (see corpus.query).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import pyarrow as pa

from newscorpus import ingest
from newscorpus.config import Settings, load_settings, resolve_data_dir, unknown_environment
from newscorpus.corpus import SearchIndex, Store, facets, open_store, search, timeline
from newscorpus.corpus.lock import lock_holder
from newscorpus.corpus.query import Node, given_filters, parse, with_filters
from newscorpus.corpus.store import DATABASE_NAME
from newscorpus.errors import ConfigError
from newscorpus.models import SearchHit

log = logging.getLogger(__name__)


class Corpus:
    """A newscorpus data directory (its database and search index), for searching and exporting."""

    def __init__(self, path: str | Path | None = None, settings: Settings | None = None, *,
                 read_only: bool | None = None) -> None:
        """Open a data directory (default: $NEWSCORPUS_DATA, else ./newscorpus-data).

        Where the directory may be written (and `read_only` is not True), the index first catches up with the
        store (documents a crawl stored but did not index, an index lost or emptied). Read-only (`read_only`
        True, a directory this process may not write, or one a crawl is working on), nothing is written, and an index that lacks documents
        of the store is a StorageError that says to run `newscorpus reindex`.

        Raises StorageError for a missing or damaged data directory, ConfigError for a bad settings file.
        """
        self.path = resolve_data_dir(Path(path) if path is not None else None)
        if settings is None:
            for warning in unknown_environment():
                log.warning(warning)
        self.settings = settings or load_settings(self.path)
        if read_only is None:  # a running crawl writes the index: search beside it, read-only
            read_only = not _writable(self.path) or lock_holder(self.path) is not None
        self.read_only = read_only
        self.store: Store = open_store(self.path, read_only=read_only)
        try:
            self.index = SearchIndex(self.path, read_only=read_only)
            if read_only:
                self.index.check(self.store.count_documents(), self.store.count_documents(indexed=True))
            else:
                ingest.index_pending(self.store, self.index)  # an index left behind by a crash catches up first
        except BaseException:
            self.store.close()
            raise

    def search(self, query: str = "", *, limit: int = 100, sort: str = "relevance", all_copies: bool = False,
               matched: bool = False, since: str | None = None, until: str | None = None,
               **filters: str | int) -> Results:
        """The stories a query matches, best first (or newest first with sort="date"), syndicated copies as one
        story unless `all_copies`. Filters: place, law, country, source, lang, mentions, published, section,
        cluster, and since/until (publication dates, inclusive). With `matched`, each hit lists the dates, places
        and laws of the story that met the filters.

        Raises QueryError for a query that is not well formed.
        """
        if sort not in ("relevance", "date"):
            raise ConfigError(f"sort is 'relevance' or 'date', not {sort!r}")
        node = with_filters(parse(query), given_filters(filters, since, until))
        resolve = ingest.resolver(self.store)
        hits = search(self.store, self.index, node, limit, collapse=not all_copies, resolve=resolve,
                      by_date=sort == "date", matched=matched)
        return Results(self, node, hits)

    def export(self, path: str | Path, query: str = "", *, format: str | None = None, since: str | None = None,
               until: str | None = None, **filters: str | int) -> dict[str, Any]:
        """Every story the query matches into `path` (JSON lines, CSV or Parquet, from `format` or the file's
        suffix), with a manifest beside it; returns the manifest."""
        output = Path(path)
        fmt = format or output.suffix.lstrip(".").lower()
        return ingest.export_matches(self.store, self.index, self.settings, query, given_filters(filters, since, until),
                                     fmt, output)

    def close(self) -> None:
        self.store.close()
        self.index.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _writable(data_dir: Path) -> bool:
    """Whether this process may write the data directory and its database (a missing directory counts as
    writable: opening it is then the error to report)."""
    database = data_dir / DATABASE_NAME
    if not data_dir.is_dir():
        return True
    effective = os.access in os.supports_effective_ids  # who this process acts as, not who started it
    return os.access(data_dir, os.W_OK | os.X_OK, effective_ids=effective) and (
        not database.exists() or os.access(database, os.W_OK, effective_ids=effective))


class Results(Sequence[SearchHit]):
    """The hits of a search, with the facets and timeline of everything the search matches."""

    def __init__(self, corpus: Corpus, node: Node, hits: list[SearchHit]) -> None:
        self._corpus, self._node, self.hits = corpus, node, hits

    @overload
    def __getitem__(self, index: int) -> SearchHit: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SearchHit]: ...

    def __getitem__(self, index: int | slice) -> SearchHit | Sequence[SearchHit]:
        return self.hits[index]

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[SearchHit]:
        return iter(self.hits)

    def __repr__(self) -> str:
        return f"<Results: {len(self.hits)} hits>"

    def facets(self, facet: str = "country", limit: int = 10) -> list[tuple[str, int]]:
        """Stories per value of a facet (country, region, place, law, source, language, author), over every
        match, not only the hits shown."""
        return facets(self._corpus.index, self._node, facet, limit, resolve=ingest.resolver(self._corpus.store))

    def timeline(self, interval: str = "month") -> list[tuple[str, int]]:
        """Stories per day, week or month over every match, empty periods included."""
        return timeline(self._corpus.index, self._node, interval, resolve=ingest.resolver(self._corpus.store))

    def to_arrow(self) -> pa.Table:
        """The hits as an Arrow table, a column per SearchHit field."""
        fields = list(SearchHit.__dataclass_fields__)
        return pa.table({name: [getattr(hit, name) for hit in self.hits] for name in fields})

    def to_pandas(self) -> Any:
        """The hits as a pandas DataFrame (pandas must be installed: pip install newscorpus[pandas])."""
        try:
            import pandas  # noqa: F401  (to_pandas needs it)
        except ImportError as exc:
            raise ConfigError("to_pandas needs pandas: pip install pandas (or newscorpus[pandas])") from exc
        return self.to_arrow().to_pandas()
