"""Sources: add a feed or a homepage, import and export OPML, change or remove one."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from newscorpus.corpus import Store
from newscorpus.crawler import canonicalize_url
from newscorpus.crawler.opml import Outline, parse_opml, write_opml
from newscorpus.errors import ConfigError, NotFoundError
from newscorpus.models import Source

log = logging.getLogger(__name__)


log = logging.getLogger(__name__)


def add_source(store: Store, url: str, title: str | None = None, tags: Sequence[str] = ()) -> tuple[Source, bool]:
    """Add a feed or homepage URL as a source (a homepage's feeds and sitemaps are found on the first crawl).

    Raises ConfigError for a URL that is not http(s).
    """
    try:
        canonical = canonicalize_url(url)
        parts = urlsplit(canonical)
        hostname = parts.hostname
    except ValueError:  # "http://[::1": not a URL at all
        raise ConfigError(f"not an http(s) URL: {url!r}") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    return store.add_source(canonical, "site" if _looks_like_homepage(parts.path) else "feed", title, tags)


def _looks_like_homepage(path: str) -> bool:
    return not any(token in path.lower() for token in ("rss", "feed", "atom", ".xml"))


def find_source(store: Store, key: str) -> Source:
    """A source by id or URL. Raises NotFoundError when there is none."""
    source = store.get_source(int(key) if key.isascii() and key.isdigit() and len(key) <= 18
                              else canonicalize_url(key))
    if source is None:
        raise NotFoundError(f"no such source: {key}", "source", key)
    return source


def remove_source(store: Store, key: str) -> None:
    """Remove a source by id or URL. Raises NotFoundError when there is none."""
    store.remove_source(find_source(store, key).id)


def import_opml(store: Store, data: bytes) -> tuple[int, int]:
    """Add every feed of an OPML document; returns (added, already present)."""
    added = present = 0
    for outline in parse_opml(data):
        try:
            _, created = add_source(store, outline.url, outline.title, outline.tags)
        except ConfigError as exc:
            log.warning("skipped OPML entry: %s", exc)
            continue
        added += created
        present += not created
    return added, present


def starter_sources() -> bytes:
    """The starter list of public news feeds shipped with newscorpus (OPML)."""
    from importlib import resources

    return (resources.files("newscorpus") / "data" / "starter.opml").read_bytes()


def configure_source(store: Store, key: str, changes: dict[str, Any]) -> Source:
    """Change a source's settings (title, tags, enabled, language, poll bounds, delay).

    Raises NotFoundError for an unknown source, ConfigError for values that make no sense.
    """
    source = find_source(store, key)
    low = changes.get("min_poll_seconds", source.min_poll_seconds)
    high = changes.get("max_poll_seconds", source.max_poll_seconds)
    if low is not None and high is not None and low > high:
        raise ConfigError(f"the minimum poll interval ({low} s) is longer than the maximum ({high} s)")
    if any(v is not None and isinstance(v, float) and v < 0 for v in changes.values()):
        raise ConfigError("intervals and delays must not be negative")
    return store.configure_source(source.id, changes)


def export_opml(store: Store) -> str:
    """Every source as OPML, tags as categories."""
    return write_opml([Outline(s.url, s.title, s.tags) for s in store.list_sources()])
