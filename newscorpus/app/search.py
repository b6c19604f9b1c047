"""Search: one request and one answer for every door (the CLI, the Python API, the JSON API and the pages): a page
of hits, how many stories match in all, facets and a timeline when asked, and how each filter was understood."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from newscorpus.app.filters import FilterResolver
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus import search as ranked_hits
from newscorpus.corpus.index import FACETS
from newscorpus.corpus.query import And, Everything, Filter, Node, filters_of, given_filters, parse, published_range, with_filters
from newscorpus.errors import QueryError
from newscorpus.models import TIMELINE_INTERVALS, SearchHit
from newscorpus.nlp import find_place

SORTS = ("relevance", "date")
MAX_QUERY_CHARS = 2000
MAX_PAGE_SIZE = 1000
MAX_DEPTH = 10_000  # the deepest hit a page may reach; `export` has every match
MAX_FACET_SIZE = 1000


@dataclass(frozen=True)
class SearchRequest:
    """What to search for and what to return.

    `filters` are those of the query language given apart from the query (place, law, country, source, lang,
    mentions, published, section, cluster); `since` and `until` bound the publication date, inclusive.
    `page_size` 0 asks for no hits (only the total, facets or timeline). `timeline` is day, week, month, year,
    or "auto" for the interval that suits the span.
    """

    query: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    all_copies: bool = False
    matched: bool = False
    facets: tuple[str, ...] = ()
    facet_size: int = 10
    timeline: str | None = None

    def check(self) -> None:
        """Raise QueryError for a value out of bounds, naming the bound."""
        if len(self.query) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is {len(self.query)} characters long; at most {MAX_QUERY_CHARS}",
                             self.query[:80])
        if self.sort not in SORTS:
            raise QueryError(f"sort is {' or '.join(SORTS)}, not {self.sort!r}", self.sort)
        if self.page < 1:
            raise QueryError(f"page counts from 1, not {self.page}", str(self.page))
        if not 0 <= self.page_size <= MAX_PAGE_SIZE:
            raise QueryError(f"page size is 0 to {MAX_PAGE_SIZE}, not {self.page_size}", str(self.page_size))
        if (self.page - 1) * self.page_size >= MAX_DEPTH:
            raise QueryError(f"pages reach the first {MAX_DEPTH:,} hits; narrow the search, or export every "
                             "match with `newscorpus export`", str(self.page))
        for facet in self.facets:
            if facet not in FACETS:
                raise QueryError(f"no facet {facet!r}; facets are {', '.join(FACETS)}", facet)
        if not 1 <= self.facet_size <= MAX_FACET_SIZE:
            raise QueryError(f"facet size is 1 to {MAX_FACET_SIZE}, not {self.facet_size}", str(self.facet_size))
        if self.timeline is not None and self.timeline not in (*TIMELINE_INTERVALS, "auto"):
            raise QueryError(f"no timeline interval {self.timeline!r}; use {', '.join(TIMELINE_INTERVALS)} or auto",
                             self.timeline)


@dataclass(frozen=True)
class Understood:
    """How one filter was read, and how many stories it matches on its own (0: nothing in the corpus does)."""

    field: str
    value: str
    meaning: str
    stories: int


@dataclass
class SearchResponse:
    """A page of hits; `total` stories match in all (each syndicated story once, unless all copies were asked)."""

    request: SearchRequest
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    timeline: list[tuple[str, int]] | None
    interval: str | None  # the timeline's, as chosen when "auto" was asked
    understood: list[Understood]
    # Stories published in each period of the timeline, matching or not, from the sources the query is limited
    # to (all sources when it names none): the denominator of normalised attention.
    published_in_period: list[int] | None = None

    @property
    def attention(self) -> list[tuple[str, float]] | None:
        """The share of each period's stories (from the sources searched) that match: a rise in coverage that is
        not just a rise in crawling."""
        if self.timeline is None or self.published_in_period is None:
            return None
        return [(period, n / all_n if all_n else 0.0)
                for (period, n), all_n in zip(self.timeline, self.published_in_period, strict=True)]

    @property
    def pages(self) -> int:
        """Pages of `page_size` hits that the total fills (within MAX_DEPTH)."""
        size = self.request.page_size
        return 0 if size == 0 else -(-min(self.total, MAX_DEPTH) // size)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.request.query, "total": self.total, "page": self.request.page,
            "page_size": self.request.page_size, "pages": self.pages,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: [{"value": value, "stories": n} for value, n in counts]
                       for name, counts in self.facets.items()},
            "timeline": None if self.timeline is None else {
                "interval": self.interval,
                "periods": [{"period": p, "stories": n, "all_stories": all_n, "share": round(share, 6)}
                            for (p, n), all_n, (_, share) in zip(self.timeline, self.published_in_period or [],
                                                                 self.attention or [], strict=True)]},
            "understood": [{"field": u.field, "value": u.value, "meaning": u.meaning, "stories": u.stories}
                           for u in self.understood],
        }


def search(store: Store, index: SearchIndex, request: SearchRequest) -> SearchResponse:
    """Run a search request.

    Raises QueryError for a query that is not well formed, a filter that names nothing known (a place the
    gazetteer lacks) or a value out of bounds.
    """
    request.check()
    node = with_filters(parse(request.query), given_filters(request.filters, request.since, request.until))
    resolve = FilterResolver(store)
    hits = ranked_hits(store, index, node, request.page_size, collapse=not request.all_copies, resolve=resolve,
                       by_date=request.sort == "date", matched=request.matched,
                       offset=(request.page - 1) * request.page_size)
    found = index.summarise(node, request.facets, request.facet_size, request.timeline, resolve)
    total = index.count_matches(node, resolve, stories=False) if request.all_copies else found.total
    published = None
    if found.periods is not None:
        everything = dict(index.summarise(_sources_of(node), timeline=found.interval, resolve=resolve).periods or [])
        published = [everything.get(period, 0) for period, _ in found.periods]
    return SearchResponse(request, hits, total, found.facets, found.periods, found.interval,
                          _understood(node, index, resolve), published)


def _sources_of(node: Node) -> Node:
    """What limits a query to some sources (its source: and tag: filters, when all of them are required), or
    every story: the stories that attention is a share of."""
    required = node.nodes if isinstance(node, And) else (node,)
    kept = tuple(n for n in required if isinstance(n, Filter) and n.field in ("source", "tag"))
    return And(kept) if len(kept) > 1 else kept[0] if kept else Everything()


def _understood(node: Node, index: SearchIndex, resolve: FilterResolver) -> list[Understood]:
    distinct: dict[tuple[str, str], Filter] = {}
    for written in filters_of(node):
        distinct.setdefault((written.field, written.value), written)
    found = []
    for each in distinct.values():
        stories = index.count_matches(each, resolve)  # resolves it, so its meaning is known next
        found.append(Understood(each.field, each.value, _meaning(each, resolve), stories))
    return found


def _meaning(found: Filter, resolve: FilterResolver) -> str:
    value = found.value.strip()
    if (found.field, found.value) in resolve.meanings:
        return resolve.meanings[(found.field, found.value)]
    if found.field == "country":
        place = find_place(value)
        return f"{place.name} ({value.upper()})" if place is not None and place.kind == "country" else value.upper()
    if found.field == "published":
        start, end = published_range(value, found.position, value)
        low = f"from {start.date().isoformat()}" if start else ""
        high = f"before {end.date().isoformat()}" if end else ""
        return f"published {' '.join(part for part in (low, high) if part)}"
    if found.field == "mentions":
        return f"stories that mention a date within {value}"
    if found.field == "section":
        return f"provision {value} of any law"
    if found.field == "lang":
        return f"language {value.lower()}"
    return value
