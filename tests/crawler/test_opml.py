"""OPML import and export."""

from __future__ import annotations

import pytest

from newscorpus.crawler.opml import Outline, parse_opml, write_opml
from newscorpus.errors import ExtractionError

OPML = b"""<?xml version="1.0"?>
<opml version="1.0"><head><title>My feeds</title></head><body>
  <outline text="Africa">
    <outline text="Daily Nation" title="Daily Nation" type="rss" xmlUrl="https://nation.example/rss.xml"/>
    <outline text="Courts" category="legal"  type="rss" xmlUrl="https://courts.example/feed"/>
  </outline>
  <outline text="Top" type="rss" xmlUrl="https://top.example/atom.xml"/>
  <outline text="folder without feeds"/>
</body></opml>"""


def test_opml_outlines_with_folders_as_tags() -> None:
    assert parse_opml(OPML) == [
        Outline("https://nation.example/rss.xml", "Daily Nation", ("Africa",)),
        Outline("https://courts.example/feed", "Courts", ("Africa", "legal")),
        Outline("https://top.example/atom.xml", "Top", ()),
    ]


def test_opml_roundtrip_keeps_urls_titles_and_tags() -> None:
    outlines = [Outline("https://a.example/rss?x=1&y=2", 'Quotes " & <angles>', ("world", "legal")),
                Outline("https://b.example/feed", None)]
    assert parse_opml(write_opml(outlines).encode()) == [
        outlines[0], Outline("https://b.example/feed", "https://b.example/feed"),
    ]


@pytest.mark.parametrize("data", [b"", b"not xml", b"<html><body/></html>", b"<opml><head/></opml>"])
def test_opml_bad_file_is_an_extraction_error(data: bytes) -> None:
    with pytest.raises(ExtractionError):
        parse_opml(data)


def test_opml_entity_declarations_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><opml><body><outline xmlUrl="https://x.example/&a;"/></body></opml>'
    with pytest.raises(ExtractionError, match="entities"):
        parse_opml(bomb)
