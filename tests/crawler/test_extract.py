"""Article extraction: text, metadata, encodings, and pages that are not articles."""

from __future__ import annotations

import pytest

from newscorpus.crawler import extract_article
from newscorpus.crawler.extract import content_hash, decode_html
from newscorpus.errors import ExtractionError
from newscorpus.models import FeedItem
from tests.conftest import NEWSMIRROR, SITES


def test_extract_article_text_and_metadata() -> None:
    html = (SITES / "news" / "2026" / "port-strike-ends.html").read_bytes()
    article = extract_article(html, "http://127.0.0.1:9/news/2026/port-strike-ends.html")
    assert article.title == "Dock workers end week-long strike at Mombasa port"
    assert "brokered by the labour ministry" in article.text
    assert "Test Gazette: pages written" not in article.text  # boilerplate footer dropped
    assert article.authors == ("Wanjiku Kamau",)
    assert article.published and article.published.startswith("2026-04-02")
    assert article.language == "en"


def test_extract_feed_item_fills_missing_metadata() -> None:
    html = (SITES / "cp1252.html").read_bytes()
    item = FeedItem("http://127.0.0.1:9/cp1252.html", "Feed title", "2026-01-02T00:00:00+00:00", ("Feed Author",))
    article = extract_article(html, item.url, item, "text/html")
    assert "préféré des étudiants" in article.text  # windows-1252 declared in the page, not the header
    assert article.published == "2026-01-02T00:00:00+00:00" and article.authors == ("Feed Author",)
    assert article.language == "fr"


def test_extract_page_without_article_text_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract_article((SITES / "section.html").read_bytes(), "http://127.0.0.1:9/section.html")


@pytest.mark.parametrize("body", [b"", b"\x00\x01\x02binary", b"<html><body>", b"<<<>>>" * 1000])
def test_extract_broken_input_never_crashes(body: bytes) -> None:
    with pytest.raises(ExtractionError):
        extract_article(body, "http://127.0.0.1:9/x")


def test_extract_real_mirror_page() -> None:
    page = NEWSMIRROR / "pages" / "np4k-cnn.html"
    if not page.exists():
        page = sorted((NEWSMIRROR / "pages").glob("*.html"))[0]
    article = extract_article(page.read_bytes(), "https://example.org/story")
    assert len(article.text) > 500 and article.title


def test_extract_decode_falls_back_when_the_declared_charset_lies() -> None:
    assert decode_html("Señor".encode("utf-8"), "text/html; charset=ascii") == "Señor"


def test_extract_content_hash_ignores_whitespace() -> None:
    assert content_hash("a  b\nc") == content_hash("a b c") != content_hash("a b d")


def test_extract_body_does_not_repeat_the_headline() -> None:
    html = (SITES / "news" / "2026" / "glacier-survey.html").read_bytes()
    article = extract_article(html, "http://127.0.0.1:9/news/2026/glacier-survey.html")
    assert article.text.startswith("ZURICH — Glaciers in the Swiss Alps")


def test_extract_utf8_page_labelled_latin1_is_read_as_utf8() -> None:
    body = "<html><body><p>Señora Núñez said “no”.</p></body></html>".encode()
    assert "Señora Núñez said “no”." in decode_html(body, "text/html; charset=iso-8859-1")
