"""The Python API, for notebooks and scripts:

    from newscorpus import Corpus

    corpus = Corpus("newscorpus-data")
    results = corpus.search('"Computer Misuse"', place="Kenya", since="2024-01-01")
    for hit in results:
        print(hit.published, hit.title, hit.url)
    results.total                   # every matching story, on every page
    results.facets("law")           # [("Computer Misuse and Cybercrimes Act", 12), ...]
    results.timeline("month")       # [("2024-01", 3), ("2024-02", 0), ...]
    results.attention("month")      # [("2024-01", 0.012), ...]: the share of each month's stories
    results.to_pandas()             # a DataFrame of the hits (with pandas installed)
    corpus.export("kenya.parquet", place="Kenya")   # every match, with a manifest

The query language and the filters are those of `newscorpus search` (see corpus.query).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from newscorpus.app.documents import DocumentView, get_document
from newscorpus.app.export import export_matches
from newscorpus.app.search import SearchRequest, SearchResponse, Understood, search
from newscorpus.config import Settings, load_settings, resolve_data_dir, unknown_environment
from newscorpus.corpus import SearchIndex, Store, open_store
from newscorpus.corpus.query import given_filters
from newscorpus.errors import ConfigError
from newscorpus.models import SearchHit

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)


class Corpus:
    """A newscorpus data directory (its database and search index), for searching and exporting. Reading never
    writes: a crawl or `newscorpus watch` may run beside it, and what they index is found by the next search."""

    def __init__(self, path: str | Path | None = None, settings: Settings | None = None) -> None:
        """Open a data directory (default: $NEWSCORPUS_DATA, else ./newscorpus-data), read-only.

        Raises StorageError for a missing or damaged data directory, or an index that lacks documents of the
        store (it says to run `newscorpus reindex`); ConfigError for a bad settings file.
        """
        self.path = resolve_data_dir(Path(path) if path is not None else None)
        if settings is None:
            for warning in unknown_environment():
                log.warning(warning)
        self.settings = settings or load_settings(self.path)
        self.store: Store = open_store(self.path, read_only=True, database_url=self.settings.database_url)
        try:
            self.index = SearchIndex(self.path, read_only=True)
            self.index.check(self.store.count_documents(), self.store.count_documents(indexed=True))
        except BaseException:
            self.store.close()
            raise

    def search(self, query: str = "", *, limit: int = 100, page: int = 1, sort: str = "relevance",
               all_copies: bool = False, matched: bool = False, since: str | None = None, until: str | None = None,
               **filters: str | int) -> Results:
        """The stories a query matches, best first (or newest first with sort="date"), `limit` a page,
        syndicated copies as one story unless `all_copies`. Filters: place, law, country, source, lang, mentions,
        published, section, cluster, and since/until (publication dates, inclusive). With `matched`, each hit
        lists the dates, places and laws of the story that met the filters. `Results.total` counts every match.

        Raises QueryError for a query that is not well formed or a value out of bounds.
        """
        request = SearchRequest(query, {name: str(value) for name, value in filters.items() if value is not None},
                                since, until, sort, page, limit, all_copies, matched)
        return Results(self, request, search(self.store, self.index, request))

    def document(self, document_id: int) -> DocumentView:
        """One document with its annotations, other URLs and its story's other copies.

        Raises NotFoundError when there is none."""
        return get_document(self.store, document_id)

    def export(self, path: str | Path, query: str = "", *, format: str | None = None, since: str | None = None,
               until: str | None = None, **filters: str | int) -> dict[str, Any]:
        """Every story the query matches into `path` (JSON lines, CSV or Parquet, from `format` or the file's
        suffix), with a manifest beside it; returns the manifest."""
        output = Path(path)
        fmt = format or output.suffix.lstrip(".").lower()
        return export_matches(self.store, self.index, self.settings, query, given_filters(filters, since, until),
                              fmt, output)

    def close(self) -> None:
        self.store.close()
        self.index.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Results(Sequence[SearchHit]):
    """A page of hits, with the total number of matching stories, how each filter was understood, and the facets
    and timeline of everything the search matches."""

    def __init__(self, corpus: Corpus, request: SearchRequest, response: SearchResponse) -> None:
        self._corpus, self._request, self.response = corpus, request, response
        self.hits = response.hits

    @property
    def total(self) -> int:
        """How many stories match, on every page."""
        return self.response.total

    @property
    def understood(self) -> list[Understood]:
        """How each filter was read, and how many stories it matches on its own."""
        return self.response.understood

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
        return f"<Results: {len(self.hits)} hits of {self.total} stories>"

    def facets(self, facet: str = "country", limit: int = 10) -> list[tuple[str, int]]:
        """Stories per value of a facet (country, region, place, law, source, language, author), over every
        match, not only the hits shown."""
        request = replace(self._request, page=1, page_size=0, facets=(facet,), facet_size=limit)
        return search(self._corpus.store, self._corpus.index, request).facets[facet]

    def timeline(self, interval: str = "month") -> list[tuple[str, int]]:
        """Stories per day, week, month or year over every match, empty periods included ("auto": the interval
        that suits the span)."""
        request = replace(self._request, page=1, page_size=0, timeline=interval)
        return search(self._corpus.store, self._corpus.index, request).timeline or []

    def attention(self, interval: str = "month") -> list[tuple[str, float]]:
        """Normalised attention: per period, the share of all stories published then (from the sources the search
        is limited to, by source: or tag:; else from every source) that match."""
        request = replace(self._request, page=1, page_size=0, timeline=interval)
        return search(self._corpus.store, self._corpus.index, request).attention or []

    def to_arrow(self) -> pa.Table:
        """The hits as an Arrow table, a column per SearchHit field."""
        import pyarrow as pa

        fields = list(SearchHit.__dataclass_fields__)
        return pa.table({name: [getattr(hit, name) for hit in self.hits] for name in fields})

    def to_pandas(self) -> Any:
        """The hits as a pandas DataFrame (pandas must be installed: pip install newscorpus[pandas])."""
        try:
            import pandas  # noqa: F401  (to_pandas needs it)
        except ImportError as exc:
            raise ConfigError("to_pandas needs pandas: pip install pandas (or newscorpus[pandas])") from exc
        return self.to_arrow().to_pandas()
