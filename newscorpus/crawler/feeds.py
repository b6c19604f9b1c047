"""Feeds: parse RSS/Atom with feedparser, and find the feeds a homepage links to."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import urljoin

import feedparser

from newscorpus.errors import ExtractionError
from newscorpus.models import Feed, FeedItem

_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
_FEED_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)[\s>]", re.S | re.I)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.I)
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.S | re.I)
_BOM = b"\xef\xbb\xbf"
_FIRST_ELEMENT = re.compile(rb"<\w")
_ENTITY_DECLARATION = re.compile(rb"""<!ENTITY\s+(%\s*)?([^\s"'>]+)\s+(SYSTEM|PUBLIC)?\s*(?:"([^"]*)"|'([^']*)')?""", re.I)
_CHARACTER_REFERENCE = re.compile(rb"&#\w+;")
# Paths that sites commonly publish their main feed under, tried when a homepage links none.
COMMON_FEED_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml")


def looks_like_feed(body: bytes, content_type: str | None = None) -> bool:
    """True when a response is a feed rather than an HTML page."""
    head = body[:2000].removeprefix(_BOM)
    if _HTML_START.match(head) and not _FEED_ROOT.search(head):
        return False  # an HTML page, whatever the server calls it (a homepage served as RSS links its real feeds)
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in _FEED_TYPES:
        return True
    return bool(_FEED_START.match(head))


def _entity_refusal(body: bytes) -> str | None:
    """Why the feed's DTD is refused, or None: entities that expand into other entities (billion laughs) and
    external general entities (which would read files or URLs). feedparser drops such declarations and leaves
    their references in the text as literal `&name;`, so the feed would come out garbled at best."""
    first = _FIRST_ELEMENT.search(body)
    prologue = body[: first.start()] if first else body
    for declaration in _ENTITY_DECLARATION.finditer(prologue):
        name = declaration.group(2).decode("utf-8", "replace")
        value = declaration.group(4) if declaration.group(4) is not None else declaration.group(5) or b""
        if declaration.group(3):
            if declaration.group(1):
                continue  # an external DTD imported by a parameter entity (HTML entity sets): never fetched
            why = "is external"
        elif b"&" in _CHARACTER_REFERENCE.sub(b"", value) or b"%" in value:
            why = "refers to other entities"
        else:
            continue
        return f"XML entity expansion refused (the entity {name!r} {why})"
    return None


def _iso(parsed: object) -> str | None:
    if not parsed:
        return None
    stamp = calendar.timegm(parsed)  # type: ignore[arg-type]
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat()


def parse_feed(body: bytes, url: str) -> Feed:
    """Items of an RSS or Atom feed, links made absolute.

    Raises ExtractionError when the document is not a feed or holds nothing usable.
    """
    refusal = _entity_refusal(body)
    if refusal:
        raise ExtractionError(f"not a readable feed: {refusal}", url)
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (x.get("href") for x in entry.get("links", []) if x.get("rel", "alternate") == "alternate"), None
        )
        if not link:
            continue
        authors = tuple(a["name"] for a in entry.get("authors", []) if a.get("name")) or (
            (entry["author"],) if entry.get("author") else ()
        )
        items.append(
            FeedItem(
                url=urljoin(url, link.strip()),
                title=(entry.get("title") or "").strip() or None,
                # dict.get: feedparser's own get() warns when it maps updated_parsed to published_parsed.
                published=_iso(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")),
                authors=authors,
                summary=entry.get("summary"),
            )
        )
    if not items and (parsed.bozo or not parsed.get("version")):
        if _HTML_START.match(body[:2000].removeprefix(_BOM)):
            reason: object = "an HTML page, not RSS or Atom"
        else:
            reason = parsed.get("bozo_exception") or "no feed elements found"
        raise ExtractionError(f"not a readable feed: {reason}", url)
    return Feed(title=parsed.feed.get("title"), items=items, language=parsed.feed.get("language"))


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.feeds: list[str] = []
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "link" and "alternate" in values.get("rel", "").lower().split():
            if values.get("type", "").lower() in _FEED_TYPES and values.get("href"):
                self.feeds.append(values["href"])
        elif tag == "title" and self.title is None:
            self._in_title = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False


def discover_feeds(html: bytes, url: str) -> tuple[list[str], str | None]:
    """Feed URLs that a page advertises with <link rel="alternate">, and the page title."""
    finder = _LinkFinder()
    finder.feed(html.decode("utf-8", errors="replace"))
    feeds = list(dict.fromkeys(urljoin(url, href.strip()) for href in finder.feeds))
    title = " ".join(finder.title.split()) if finder.title else None
    return feeds, title
