"""Feed parsing on the 45 real feeds of the newsmirror benchmark, and feed discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscorpus.crawler import discover_feeds, looks_like_feed, parse_feed
from newscorpus.errors import ExtractionError
from tests.conftest import NEWSMIRROR, SITES

REAL_FEEDS = sorted((NEWSMIRROR / "feeds").glob("*.xml"))


def test_feeds_real_feeds_are_all_present() -> None:
    assert len(REAL_FEEDS) == 45


@pytest.mark.parametrize("path", REAL_FEEDS, ids=lambda p: p.stem)
def test_feeds_real_feed_yields_items_or_a_readable_error(path: Path) -> None:
    url = f"http://127.0.0.1:8765/feeds/{path.name}"
    try:
        feed = parse_feed(path.read_bytes(), url)
    except ExtractionError as exc:
        assert str(exc).startswith("not a readable feed") and exc.url == url
        return
    assert feed.items, "a feed that parses must list items"
    for item in feed.items:
        assert item.url.startswith(("http://", "https://")), item.url
        assert item.published is None or item.published[:4].isdigit()


def test_feeds_guardian_feed_items_have_titles_dates_and_links() -> None:
    feed = parse_feed((NEWSMIRROR / "feeds" / "rssparser-guardian.xml").read_bytes(), "https://example.org/feed")
    assert len(feed.items) == 55
    assert all(item.title and item.published for item in feed.items)


def test_feeds_relative_links_resolve_against_the_feed_url() -> None:
    body = (SITES / "news" / "feed.xml").read_bytes().replace(b"{{BASE}}", b"http://127.0.0.1:9")
    feed = parse_feed(body, "http://127.0.0.1:9/news/feed.xml")
    assert feed.title == "Test Gazette"
    assert feed.items[0].url.startswith("http://127.0.0.1:9/news/2026/port-strike-ends.html")
    assert feed.items[0].authors == ("Wanjiku Kamau",)


def test_feeds_truncated_feed_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        parse_feed((SITES / "broken-feed.xml").read_bytes(), "http://127.0.0.1:9/broken-feed.xml")


def test_feeds_html_page_is_not_a_feed() -> None:
    html = (SITES / "news" / "index.html").read_bytes()
    assert not looks_like_feed(html, "text/html")
    with pytest.raises(ExtractionError):
        parse_feed(html, "http://127.0.0.1:9/news/")


def test_feeds_looks_like_feed_by_type_or_content() -> None:
    assert looks_like_feed(b"", "application/rss+xml; charset=utf-8")
    assert looks_like_feed(b'  <?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">', "text/xml")


def test_feeds_discovery_finds_alternate_links_and_title() -> None:
    feeds, title = discover_feeds((SITES / "news" / "index.html").read_bytes(), "http://127.0.0.1:9/news/")
    assert feeds == ["http://127.0.0.1:9/news/feed.xml"]
    assert title == "Test Gazette"
