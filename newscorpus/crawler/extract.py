"""Article text and metadata from an HTML page, via trafilatura; the feed item fills gaps."""

from __future__ import annotations

import hashlib
import re
import warnings
from typing import TypeVar

import py3langid
import trafilatura
from charset_normalizer import from_bytes

from newscorpus.crawler.metadata import declared_dates, parse_timestamp
from newscorpus.crawler.urls import canonicalize_url
from newscorpus.errors import ExtractionError
from newscorpus.models import Article, FeedItem

_MIN_TEXT_CHARS = 200
# htmldate (inside trafilatura): the original publication date, with the time where the page gives one.
_DATE_PARAMS = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
T = TypeVar("T")
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.I)
# Characters that text never holds: C0 and C1 controls (but tab, newlines and form feed) and U+FFFD, the mark
# of an undecodable byte. Past this share of a page, it is binary (an image, a PDF, ...) served as HTML.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_MAX_NOT_TEXT = 0.1


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
    """The main text and metadata of an article page; the feed item fills what the page lacks.

    Each field's `provenance` says where its value came from. Raises ExtractionError when the page
    holds no article text.
    """
    page = decode_html(html, content_type)
    sample = page[:20_000]
    not_text = len(_NOT_TEXT.findall(sample)) / max(1, len(sample))
    if not_text > _MAX_NOT_TEXT:
        raise ExtractionError(f"not an article: binary data, not text ({not_text:.0%} control or undecodable "
                              f"characters in {content_type or 'a page without a type'})", url)
    # Pages' odd metadata makes the date parsers below trafilatura warn (e.g. unknown zone "EST");
    # that says something about the page, not about our code, so it must not reach the user.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False,
                                             date_extraction_params=_DATE_PARAMS)
    text = (result.text or "").strip() if isinstance(result, trafilatura.settings.Document) else ""
    if len(text) < _MIN_TEXT_CHARS:
        raise ExtractionError(f"not an article: no article text ({len(text)} characters)", url)
    assert isinstance(result, trafilatura.settings.Document)
    text = _without_headline(text, result.title)
    provenance: dict[str, str] = {}
    title = _first(provenance, "title", ("page", result.title), ("feed", item.title if item else None))
    page_authors = tuple(a.strip() for a in (result.author or "").split(";") if a.strip())
    authors = _first(provenance, "authors", ("page", page_authors or None), ("feed", (item.authors or None) if item else None))
    declared = declared_dates(page)
    published = _first(
        provenance, "published", (declared.published_from or "page", declared.published),
        ("feed", parse_timestamp(item.published) if item else None), ("page:text", parse_timestamp(_htmldate(result.date))),
    )
    return Article(
        url=url,
        canonical_url=canonicalize_url(url),
        title=title,
        authors=authors or (),
        published=published.utc if published else None,
        language=detect_language(text),
        text=text,
        site_name=result.sitename,
        description=result.description,
        modified=declared.modified.utc if declared.modified else None,
        published_offset=published.offset if published else None,
        provenance=provenance,
    )


def _htmldate(value: str | None) -> str | None:
    """htmldate writes midnight without an offset when it found only a day: keep just the day."""
    return value[:10] if value and value.endswith("T00:00:00") else value


def _first(provenance: dict[str, str], name: str, *candidates: tuple[str, T | None]) -> T | None:
    """The first candidate value that is there, noting where it came from."""
    for origin, value in candidates:
        if value:
            provenance[name] = origin
            return value
    return None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (py3langid), from its first few thousand characters."""
    sample = text[:3000]
    if not any(ch.isalpha() for ch in sample):
        return None
    return str(py3langid.classify(sample)[0])
