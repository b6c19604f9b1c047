"""Sitemaps: urlsets, indexes, Google News entries, gzip, scope, and bad input."""

from __future__ import annotations

import gzip

import pytest

from newscorpus.crawler.sitemaps import in_scope, parse_sitemap, sitemap_candidates, site_scope
from newscorpus.errors import ExtractionError
from tests.conftest import SITES

BASE = "http://127.0.0.1:9"


def _read(name: str) -> bytes:
    return (SITES / "archive" / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


def test_sitemaps_urlset_with_google_news_entries() -> None:
    sitemap = parse_sitemap(_read("sitemap-news.xml"), f"{BASE}/archive/sitemap-news.xml")
    assert [i.url for i in sitemap.items] == [
        f"{BASE}/archive/2026/port-strike-ends.html", f"{BASE}/archive/2026/glacier-survey.html",
        f"{BASE}/archive/2026/library-reopens.html", f"{BASE}/news/2026/outside-the-archive.html",
    ]
    first = sitemap.items[0]
    assert first.title == "Dock workers end week-long strike at Mombasa port"
    assert first.published == "2026-04-02T08:00:00+03:00"
    assert sitemap.items[1].published is None  # lastmod is a modification date, not publication


def test_sitemaps_index_lists_child_sitemaps() -> None:
    sitemap = parse_sitemap(_read("sitemap.xml"), f"{BASE}/archive/sitemap.xml")
    assert sitemap.items == [] and sitemap.sitemaps == [f"{BASE}/archive/sitemap-news.xml",
                                                        f"{BASE}/news/sitemap-elsewhere.xml"]


def test_sitemaps_gzipped_sitemap() -> None:
    sitemap = parse_sitemap(gzip.compress(_read("sitemap-news.xml")), f"{BASE}/archive/sitemap-news.xml.gz")
    assert len(sitemap.items) == 4


@pytest.mark.parametrize("body", [b"", b"not xml at all", b"<html><body>no</body></html>", b"\x1f\x8bbroken"])
def test_sitemaps_bad_input_is_an_extraction_error(body: bytes) -> None:
    with pytest.raises(ExtractionError):
        parse_sitemap(body, f"{BASE}/sitemap.xml")


def test_sitemaps_scope_is_the_homepage_folder_on_its_host() -> None:
    assert site_scope(f"{BASE}/site1/") == f"{BASE}/site1/"
    assert site_scope("https://news.example/") == "https://news.example/"
    assert in_scope(f"{BASE}/site1/2019/01/02/a.html", f"{BASE}/site1/")
    assert not in_scope(f"{BASE}/site2/2019/01/02/a.html", f"{BASE}/site1/")
    assert not in_scope("https://other.example/site1/a.html", f"{BASE}/site1/")


def test_sitemaps_candidates_from_robots_then_the_site_folder() -> None:
    assert sitemap_candidates(f"{BASE}/site1/", [f"{BASE}/sitemap.xml"]) == [
        f"{BASE}/sitemap.xml", f"{BASE}/site1/sitemap.xml"]
