"""OPML, the list format feed readers import and export: read and write sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from newscorpus.errors import ExtractionError


@dataclass(frozen=True)
class Outline:
    """One feed or site listed in an OPML file, with the folders it sits in as tags."""

    url: str
    title: str | None
    tags: tuple[str, ...] = ()


def parse_opml(data: bytes, origin: str = "OPML file") -> list[Outline]:
    """Every outline with an xmlUrl (or htmlUrl) in an OPML document.

    Raises ExtractionError when the file is not OPML.
    """
    if b"<!ENTITY" in data:  # no legitimate OPML declares entities; expanding them invites entity bombs
        raise ExtractionError(f"{origin} declares XML entities, which OPML files never need")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"{origin} is not valid XML: {exc}") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ExtractionError(f"{origin} is not OPML (no <opml><body>)")
    found: list[Outline] = []

    def walk(node: etree._Element, folders: tuple[str, ...]) -> None:
        for child in node.findall("outline"):
            url = child.get("xmlUrl") or child.get("htmlUrl")
            title = child.get("title") or child.get("text")
            tags = folders + tuple(t.strip() for t in (child.get("category") or "").split(",") if t.strip())
            if url:
                found.append(Outline(url.strip(), title, tags))
            else:
                walk(child, folders + ((title,) if title else ()))

    walk(body, ())
    return found


def write_opml(outlines: Sequence[Outline], title: str = "newscorpus sources") -> str:
    """An OPML 2.0 document listing the outlines (tags as a category attribute)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             f"  <head><title>{_escape(title)}</title></head>", "  <body>"]
    for o in outlines:
        attrs = f'type="rss" text={quoteattr(o.title or o.url)} xmlUrl={quoteattr(o.url)}'
        if o.title:
            attrs += f" title={quoteattr(o.title)}"
        if o.tags:
            attrs += f" category={quoteattr(','.join(o.tags))}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
