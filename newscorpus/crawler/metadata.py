"""Publication and modification dates that a page declares (JSON-LD, meta tags), kept apart and checked.

Publishers state these for search engines; they are more reliable than dates guessed from the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

_JSON_LD = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.S | re.I)
_META = re.compile(r"<meta\s[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished", "pubdate",
                   "publishdate", "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")
_EARLIEST = datetime(1994, 1, 1, tzinfo=timezone.utc)  # before news sites existed on the web
_CLOCK_SKEW = timedelta(days=1)


@dataclass(frozen=True)
class Timestamp:
    """A moment in UTC, with the UTC offset it was written with (None when the page gave none)."""

    utc: str
    offset: str | None


def parse_timestamp(value: str | None, now: datetime | None = None) -> Timestamp | None:
    """An ISO 8601 date or time as a plausible Timestamp: not in the future beyond a day's clock skew,
    not before the web had news sites. Date-only values stay dates."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
        except ValueError:
            return None
        return Timestamp(text, None) if _plausible(day, now) else None
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0500 -> +05:00
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = None
    if moment.tzinfo is not None:
        delta = moment.utcoffset() or timedelta(0)
        sign = "-" if delta < timedelta(0) else "+"
        minutes = abs(int(delta.total_seconds())) // 60
        offset = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        moment = moment.astimezone(timezone.utc)
    else:
        moment = moment.replace(tzinfo=timezone.utc)
    if not _plausible(moment, now):
        return None
    return Timestamp(moment.isoformat(timespec="seconds"), offset)


def _plausible(moment: datetime, now: datetime | None) -> bool:
    return _EARLIEST <= moment <= (now or datetime.now(timezone.utc)) + _CLOCK_SKEW


@dataclass(frozen=True)
class DeclaredDates:
    """The dates a page states for itself, and where each came from."""

    published: Timestamp | None
    published_from: str | None
    modified: Timestamp | None


def declared_dates(html: str) -> DeclaredDates:
    """Publication and modification dates from JSON-LD (datePublished, dateModified) or meta tags."""
    published = modified = None
    published_from = None
    for block in _JSON_LD.findall(html):
        for item in _json_ld_items(block):
            published = published or parse_timestamp(_string(item.get("datePublished")))
            modified = modified or parse_timestamp(_string(item.get("dateModified")))
        if published:
            published_from = "page:json-ld"
            break
    for tag in _META.findall(html[:300_000]):
        attributes = {m[0].lower(): m[1] or m[2] or m[3] for m in _ATTRIBUTE.findall(tag)}
        name = (attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or "").lower()
        content = attributes.get("content") or attributes.get("datetime")
        if published is None and name in _PUBLISHED_META:
            published = parse_timestamp(content)
            published_from = f"page:meta {name}" if published else None
        elif modified is None and name in _MODIFIED_META:
            modified = parse_timestamp(content)
    return DeclaredDates(published, published_from, modified)


def _json_ld_items(block: str) -> list[dict[str, Any]]:
    """The objects of a JSON-LD block, @graph flattened; broken JSON gives none."""
    try:
        data = json.loads(block.strip())
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    flat: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            flat.append(item)
            flat.extend(x for x in item.get("@graph", []) if isinstance(x, dict))
    return flat


def _string(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None
