"""Article text and metadata from an HTML page, via trafilatura; the feed item fills gaps."""

from __future__ import annotations

import hashlib
import re
import warnings

import trafilatura
from charset_normalizer import from_bytes

from newscorpus.crawler.urls import canonicalize_url
from newscorpus.errors import ExtractionError
from newscorpus.models import Article, FeedItem

_MIN_TEXT_CHARS = 200
_HTML_LANG = re.compile(rb"<html[^>]*\slang=[\"']?([A-Za-z]{2,3})", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.I)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Text of an HTML page: UTF-8 when the bytes are valid UTF-8 (whatever the page claims: legacy charsets
    decode anything, so a page that lies about being Latin-1 would turn into mojibake), else the declared
    charset, else a detected one."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = None
    if content_type and "charset=" in content_type:
        declared = content_type.split("charset=")[-1].split(";")[0].strip().strip('"')
    if declared is None:
        match = _META_CHARSET.search(body[:4096])
        declared = match.group(1).decode("ascii") if match else None
    if declared:
        try:
            return body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(body[:200_000]).best()
    return body.decode(best.encoding if best else "utf-8", errors="replace")


def content_hash(text: str) -> str:
    """SHA-256 of the text with white space folded, so re-wrapped copies hash alike."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _without_headline(text: str, title: str | None) -> str:
    """The body without a first line that repeats the headline (trafilatura keeps an <h1> inside <article>)."""
    first, _, rest = text.partition("\n")
    if title and rest and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.lstrip()
    return text


def extract_article(html: bytes, url: str, item: FeedItem | None = None, content_type: str | None = None) -> Article:
    """The main text and metadata of an article page.

    Raises ExtractionError when the page holds no article text.
    """
    page = decode_html(html, content_type)
    # Pages' odd metadata makes the date parsers below trafilatura warn (e.g. unknown zone "EST");
    # that says something about the page, not about our code, so it must not reach the user.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False)
    text = (result.text or "").strip() if isinstance(result, trafilatura.settings.Document) else ""
    if len(text) < _MIN_TEXT_CHARS:
        raise ExtractionError(f"no article text found ({len(text)} characters)", url)
    assert isinstance(result, trafilatura.settings.Document)
    text = _without_headline(text, result.title)
    authors = tuple(a.strip() for a in (result.author or "").split(";") if a.strip())
    lang = _HTML_LANG.search(html[:4096])
    return Article(
        url=url,
        canonical_url=canonicalize_url(url),
        title=result.title or (item.title if item else None),
        authors=authors or (item.authors if item else ()),
        published=(item.published if item and item.published else None) or result.date,
        language=lang.group(1).decode("ascii").lower() if lang else None,
        text=text,
        site_name=result.sitename,
        description=result.description,
    )
