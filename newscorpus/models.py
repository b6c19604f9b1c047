"""Dataclasses that the crawler, NLP and corpus layers exchange."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import Any


# What a search can count and chart, and what an export writes: here, in the base, so that the CLI's options need
# neither the index nor Arrow loaded (corpus.index maps each facet to its index field).
FACET_NAMES = ("country", "region", "place", "law", "source", "language", "author", "person", "organisation")
TIMELINE_INTERVALS = ("day", "week", "month", "year")
EXPORT_FORMATS = ("jsonl", "csv", "parquet")

@dataclass(frozen=True)
class Source:
    """A news source: a feed URL or a site homepage."""

    id: int
    url: str
    kind: str  # "feed" or "site"
    title: str | None = None
    tags: tuple[str, ...] = ()
    added_at: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    enabled: bool = True
    language: str | None = None
    min_poll_seconds: float | None = None
    max_poll_seconds: float | None = None
    delay_seconds: float | None = None
    items_per_day: float = 0.0  # new URLs a day over the last week (derived)


@dataclass(frozen=True)
class FeedState:
    """What we remember about a feed or sitemap between polls: validators and its schedule."""

    id: int
    source_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: str | None = None
    kind: str = "feed"  # "feed" or "sitemap"
    poll_seconds: float | None = None
    next_poll_at: str | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed or sitemap: a link to an article and what the feed says of it."""

    url: str
    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title and its items."""

    title: str | None
    items: list[FeedItem]
    language: str | None = None


@dataclass(frozen=True)
class QueuedURL:
    """A frontier entry waiting to be fetched, or (with `warc`) fetched and archived, waiting to be analysed."""

    id: int
    url: str
    source_id: int | None
    attempts: int
    feed_item: FeedItem
    warc: WarcLocation | None = None


@dataclass(frozen=True)
class Response:
    """A fetched HTTP response, kept only as long as it takes to extract it."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Article:
    """The text and metadata extracted from one article page."""

    url: str
    canonical_url: str
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    language: str | None
    text: str
    site_name: str | None = None
    description: str | None = None
    modified: str | None = None  # last modification in UTC, kept apart from the original publication
    published_offset: str | None = None  # the UTC offset the publication time was written with
    provenance: dict[str, str] = field(default_factory=dict)  # field -> where its value came from


@dataclass(frozen=True)
class DateMention:
    """A temporal expression with its TIMEX3 type and normalised value."""

    text: str
    start: int
    end: int
    value: str | None
    type: str
    # For one end of a range ("from March to May 2025", "between 2020 and 2025"): the values of both ends.
    range_ends: tuple[str | None, str | None] | None = None


@dataclass(frozen=True)
class PlaceMention:
    """A place name resolved (where possible) to a GeoNames record."""

    text: str
    start: int
    end: int
    name: str | None
    geonameid: int | None
    lat: float | None
    lon: float | None
    country_code: str | None
    admin1: str | None
    # A name the gazetteer lacks (or knows only as a far-off namesake), placed in the region or country the
    # story is set in.
    approximate: bool = False


@dataclass(frozen=True)
class FocusPlace:
    """A country or first-level region a story is about: its share of the story's place mentions."""

    country_code: str
    admin1: str | None
    name: str
    share: float


def law_key(name: str) -> str:
    """A law's title compared loosely, as the registry and the search filter compare it: case, punctuation, "&"
    and a leading "the" do not matter ("The Anti-Terrorism Act" = "anti terrorism act")."""
    text = unicodedata.normalize("NFKC", name).lower().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"^the ", "", " ".join(text.split()))


@dataclass(frozen=True)
class LawReference:
    """A reference to a statute, code or constitution, normalised."""

    text: str
    start: int
    end: int
    name: str | None
    year: int | None
    section: str | None
    jurisdiction: str | None
    alias: str | None = None  # the acronym or short name the story gives the law ("PMLA", "RA 11861")


@dataclass(frozen=True)
class EntityMention:
    """A named entity as the spaCy pipeline labels it."""

    text: str
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Annotations:
    """Everything the NLP stage finds in one text (the `extract` JSON contract)."""

    dates: list[DateMention] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    laws: list[LawReference] = field(default_factory=list)
    entities: list[EntityMention] = field(default_factory=list)
    focus: list[FocusPlace] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "dates": [asdict(d) for d in self.dates],
            "places": [asdict(p) for p in self.places],
            "laws": [asdict(law) for law in self.laws],
            "entities": [asdict(e) for e in self.entities],
            "focus": [asdict(f) for f in self.focus],
        }

    @classmethod
    def from_dict(cls, data: dict[str, list[dict[str, Any]]]) -> Annotations:
        return cls(
            dates=[DateMention(**{**d, "range_ends": tuple(d["range_ends"]) if d.get("range_ends") else None})
                   for d in data.get("dates", [])],
            places=[PlaceMention(**p) for p in data.get("places", [])],
            laws=[LawReference(**x) for x in data.get("laws", [])],
            entities=[EntityMention(**e) for e in data.get("entities", [])],
            focus=[FocusPlace(**f) for f in data.get("focus", [])],
        )


@dataclass(frozen=True)
class WarcLocation:
    """Where a response is archived: a WARC file (relative to the data directory), offset and length."""

    file: str
    offset: int
    length: int


@dataclass(frozen=True)
class Document:
    """An article as stored in the corpus, with its annotations."""

    id: int
    url: str
    canonical_url: str
    source_id: int | None
    source: str | None
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    fetched_at: str
    language: str | None
    text: str
    content_hash: str
    annotations: Annotations = field(default_factory=Annotations)
    warc: WarcLocation | None = None
    cluster_id: int | None = None  # near-duplicates (syndicated copies) share it
    modified: str | None = None
    published_offset: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    nlp_note: str | None = None  # why the NLP did not run on it, if it did not


@dataclass(frozen=True)
class SavedSearch:
    """A query and its filters kept under a name, for alerts: stories indexed after `seen_up_to` (a document id)
    are new to it."""

    id: int
    name: str
    query: str
    filters: dict[str, str]
    created_at: str
    checked_at: str | None
    seen_up_to: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result; `copies` counts the other near-duplicates collapsed into it."""

    id: int
    score: float
    url: str
    title: str | None
    source: str | None
    published: str | None
    snippet: str
    cluster_id: int | None = None
    copies: int = 0
    # on request: the story's dates, places and laws that satisfied the query's filters, as written in it
    matched: dict[str, list[str]] | None = None

    def to_dict(self) -> dict[str, Any]:
        # shallow, as every value is plain already (asdict copies each deeply: a good part of a search's answer)
        return {name: getattr(self, name) for name in _HIT_FIELDS}


_HIT_FIELDS = tuple(f.name for f in fields(SearchHit))


def utc_now() -> str:
    """The current time as an ISO 8601 UTC timestamp with seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class CrawlSummary:
    """What a crawl did. Each URL is counted once a pass: as new, a duplicate, failed or deferred."""

    feeds_polled: int = 0
    feeds_not_modified: int = 0
    urls_discovered: int = 0
    fetched: int = 0  # pages fetched and archived
    new: int = 0
    duplicates: int = 0
    failed: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # reason -> URLs
    deferred: int = 0
    deferrals: Counter[str] = field(default_factory=Counter)  # reason -> URLs
    feed_errors: dict[str, str] = field(default_factory=dict)  # feed, sitemap or source URL -> why it failed
    resumed: int = 0  # pages fetched by an earlier, stopped crawl and analysed from the archive in this one
    stopped: str | None = None  # why the pass ended before its work was done
    remaining: int = 0  # URLs still due when it stopped
