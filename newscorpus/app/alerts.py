"""Saved searches and alerts: a query kept under a name, the stories that match it since it was last checked
(`newscorpus alerts check`, for cron or mail), and an Atom feed of its newest matches, so that any feed reader
is an alert client."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from html import unescape
from urllib.parse import urlsplit
from xml.etree import ElementTree

from newscorpus.app.filters import FilterResolver
from newscorpus.app.search import SearchRequest, SearchResponse, search
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.query import Filter, given_filters, parse, with_filters
from newscorpus.errors import ConfigError, NewscorpusError, NotFoundError
from newscorpus.models import SavedSearch, SearchHit, utc_now

MAX_NEW = 100  # new matches listed by one check; the rest are counted
FEED_ENTRIES = 50
_ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class AlertCheck:
    """What one check of a saved search found: the stories new since the last check (the newest MAX_NEW of
    them) and how many there were in all."""

    saved: SavedSearch
    new: list[SearchHit]
    total: int
    error: str | None = None  # why this saved search could not be checked (the others still are)


def save_search(store: Store, index: SearchIndex, name: str, query: str,
                filters: Mapping[str, str] | None = None) -> SavedSearch:
    """Keep a query (and filters) under a name; it alerts on stories indexed from now on.

    Raises ConfigError for a name that is empty, taken, all digits (ids are) or holds "/" (it names a page),
    QueryError for a query that could never run (not well formed, a place the gazetteer lacks, a bad date).
    """
    name = " ".join(name.split())
    if not name or len(name) > 100 or name.isdigit() or "/" in name:
        raise ConfigError("a saved search needs a name of 1 to 100 characters, not all digits and without '/'")
    given = {k: v for k, v in (filters or {}).items() if v}
    index.count_matches(with_filters(parse(query), given_filters(given)), FilterResolver(store))  # runs, or raises
    if store.get_saved_search(name) is not None:
        raise ConfigError(f"there is already a saved search called {name!r}; remove it first or pick another name")
    return store.add_saved_search(name, query, given, store.max_indexed_document_id(), utc_now())


def find_saved_search(store: Store, key: str) -> SavedSearch:
    """A saved search by name, else by id. Raises NotFoundError when there is none."""
    saved = store.get_saved_search(key)
    if saved is None and key.isascii() and key.isdigit() and len(key) <= 18:
        saved = store.get_saved_search(int(key))
    if saved is None:
        raise NotFoundError(f"no saved search called {key!r} (see `newscorpus alerts list`)", "saved search", key)
    return saved


def remove_saved_search(store: Store, key: str) -> None:
    """Remove a saved search by name or id. Raises NotFoundError when there is none."""
    store.remove_saved_search(find_saved_search(store, key).id)


def check_alerts(store: Store, index: SearchIndex, key: str | None = None) -> list[AlertCheck]:
    """For each saved search (or the one named), the matching stories indexed since its last check, newest
    first; then marks them seen, so the next check lists only later ones.

    Raises NotFoundError for a name that is not saved.
    """
    chosen = [find_saved_search(store, key)] if key is not None else store.list_saved_searches()
    # The watermark first, then the index as it is now: a story indexed in between is above the watermark, so a
    # later check reports it, rather than being marked seen unseen.
    watermark = store.max_indexed_document_id()
    index.refresh()
    found = []
    for saved in chosen:
        try:
            node = with_filters(parse(saved.query), [*given_filters(saved.filters),
                                                     Filter("after", str(saved.seen_up_to), -1),
                                                     Filter("upto", str(watermark), -1)])
            resolve = FilterResolver(store)
            ranked = index.search(node, MAX_NEW, resolve, by_date=True)
            total = index.count_matches(node, resolve, stories=False)
        except NewscorpusError as exc:  # one saved search gone bad (a law renamed, a place...) stops no other
            found.append(AlertCheck(saved, [], 0, str(exc)))
            continue
        found.append(AlertCheck(saved, _hits(store, [doc_id for doc_id, _ in ranked]), total))
        store.mark_saved_search_checked(saved.id, max(watermark, saved.seen_up_to), utc_now())
    return found


def _hits(store: Store, ids: list[int]) -> list[SearchHit]:
    documents = store.get_documents(ids)
    return [SearchHit(id=d.id, score=0.0, url=d.url, title=d.title, source=d.source, published=d.published,
                      snippet="", cluster_id=d.cluster_id) for d in (documents[i] for i in ids if i in documents)]


def newest_matches(store: Store, index: SearchIndex, saved: SavedSearch) -> SearchResponse:
    """The newest FEED_ENTRIES documents a saved search matches, for its page and its feed: like a check, every
    outlet's copy of a story, since another outlet running it is news too."""
    request = SearchRequest(saved.query, dict(saved.filters), sort="date", page_size=FEED_ENTRIES, all_copies=True)
    return search(store, index, request)


def atom_feed(saved: SavedSearch, response: SearchResponse, feed_url: str, page_url: str,
              document_url: str) -> bytes:
    """An Atom feed (RFC 4287) of a saved search's newest matches. `document_url` holds "{id}" for each story's
    page; an entry's link is the story itself. Every value is escaped by the XML writer."""
    ElementTree.register_namespace("", _ATOM)
    feed = ElementTree.Element(f"{{{_ATOM}}}feed")

    def child(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str) -> None:
        element = ElementTree.SubElement(parent, f"{{{_ATOM}}}{tag}", {k: _xml_text(v) for k, v in attributes.items()})
        element.text = None if text is None else _xml_text(text)

    child(feed, "title", f"newscorpus: {saved.name}")
    child(feed, "subtitle", " ".join(part for part in (saved.query, *[f"{k}:{v}" for k, v in saved.filters.items()])
                                     if part) or "every story")
    child(feed, "id", feed_url)
    child(feed, "link", rel="self", href=feed_url)
    child(feed, "link", rel="alternate", href=page_url)
    child(feed, "generator", "newscorpus", version=version("newscorpus"))
    author = ElementTree.SubElement(feed, f"{{{_ATOM}}}author")  # RFC 4287: a feed whose entries may lack one
    child(author, "name", "newscorpus")
    stamps = [_stamp(hit.published) for hit in response.hits]
    child(feed, "updated", max(stamps, default=saved.created_at))
    for hit, stamp in zip(response.hits, stamps, strict=True):
        entry = ElementTree.SubElement(feed, f"{{{_ATOM}}}entry")
        child(entry, "title", hit.title or hit.url)
        child(entry, "id", document_url.format(id=hit.id))
        if urlsplit(hit.url).scheme in ("http", "https"):  # a crawled URL is never a javascript: link
            child(entry, "link", rel="alternate", href=hit.url)
        child(entry, "link", rel="related", href=document_url.format(id=hit.id))
        child(entry, "updated", stamp)
        if hit.source:
            author = ElementTree.SubElement(entry, f"{{{_ATOM}}}author")
            child(author, "name", hit.source)
        child(entry, "summary", _plain(hit.snippet))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ElementTree.tostring(feed, encoding="utf-8"))


def _xml_text(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold (control characters a crawled page may carry)."""
    return _NOT_XML.sub("", text)


def _stamp(published: str | None) -> str:
    """An RFC 3339 time for Atom: a date alone is its midnight in UTC; no date is the epoch."""
    if not published:
        return "1970-01-01T00:00:00+00:00"
    moment = datetime.fromisoformat(published)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()


def _plain(snippet: str) -> str:
    """A snippet without its <b> marks (the feed's summary is text)."""
    return unescape(snippet.replace("<b>", "").replace("</b>", ""))
