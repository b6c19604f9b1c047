"""Sitemaps: XML sitemaps, sitemap indexes and Google News sitemaps, to find what feeds no longer list."""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newscorpus.errors import ExtractionError
from newscorpus.models import FeedItem

_MAX_UNZIPPED = 50_000_000  # the sitemap protocol's own limit is 50 MB uncompressed


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: page URLs (urlset) or child sitemap URLs (sitemapindex)."""

    items: list[FeedItem]
    sitemaps: list[str]


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """URLs of a sitemap or sitemap index (gzip accepted); Google News titles and dates are kept.

    Raises ExtractionError when the document is not a sitemap.
    """
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(_MAX_UNZIPPED + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise ExtractionError(f"sitemap is not valid gzip: {exc}", url) from exc
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"not a readable sitemap: {exc}", url) from exc
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise ExtractionError("not a sitemap (no <urlset> or <sitemapindex>)", url)
    if _local(root.tag) == "sitemapindex":
        children = [urljoin(url, loc) for e in root if _local(e.tag) == "sitemap" if (loc := _child_text(e, "loc"))]
        return Sitemap(items=[], sitemaps=children)
    items = []
    for entry in root:
        if _local(entry.tag) != "url" or not (loc := _child_text(entry, "loc")):
            continue
        items.append(FeedItem(url=urljoin(url, loc), title=_child_text(entry, "title"),
                              published=_child_text(entry, "publication_date")))
    return Sitemap(items=items, sitemaps=[])


def site_scope(homepage: str) -> str:
    """The URL prefix a site source covers: its host and the folder of its homepage."""
    parts = urlsplit(homepage)
    folder = parts.path.rsplit("/", 1)[0] + "/" if parts.path else "/"
    return f"{parts.scheme}://{parts.netloc}{folder}"


def in_scope(url: str, homepage: str) -> bool:
    """True when a URL lies under the site a homepage stands for (same host, same folder)."""
    return url.startswith(site_scope(homepage))


def sitemap_candidates(homepage: str, robots_sitemaps: list[str]) -> list[str]:
    """Where a site's sitemaps may be: robots.txt `Sitemap:` lines, then sitemap.xml in the homepage's folder."""
    candidates = [urljoin(homepage, s) for s in robots_sitemaps]
    candidates.append(urljoin(site_scope(homepage), "sitemap.xml"))
    return list(dict.fromkeys(candidates))
