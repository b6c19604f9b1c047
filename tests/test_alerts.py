"""Saved searches and alerts against a crawled corpus: a story is reported once, by `alerts check` and in the
saved search's Atom feed, from the crawl that brought it."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser

from newscorpus.app.alerts import atom_feed, find_saved_search, newest_matches
from newscorpus.app.search import SearchRequest, SearchResponse
from newscorpus.corpus import SearchIndex
from newscorpus.models import SavedSearch, SearchHit
from tests.conftest import LocalSite
from tests.datadirs import store_of
from tests.test_cli import one_line_error, run


def _feed(data: Path, name: str) -> feedparser.FeedParserDict:
    store, index = store_of(data, read_only=True), SearchIndex(data, read_only=True)
    try:
        saved = find_saved_search(store, name)
        xml = atom_feed(saved, newest_matches(store, index, saved), "http://127.0.0.1/searches/x.atom",
                        "http://127.0.0.1/searches/x", "http://127.0.0.1/documents/{id}")
    finally:
        store.close()
        index.close()
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def test_alerts_report_each_new_story_once(data_dir: Path, fresh_site: LocalSite) -> None:
    assert run(data_dir, "sources", "add", fresh_site.url("/news/")).exit_code == 0
    assert run(data_dir, "crawl").exit_code == 0
    assert "saved 'dock <strike>'" in run(data_dir, "alerts", "add", "dock <strike>", "strike OR dockers").stdout
    assert run(data_dir, "alerts", "check").stdout == ""  # what was there before it was saved is not news
    before = _feed(data_dir, "dock <strike>")
    assert before.feed.title == "newscorpus: dock <strike>"  # escaped in the XML, read back as text
    assert [e.title for e in before.entries] == ["Dock workers end week-long strike at Mombasa port"]

    assert run(data_dir, "sources", "add", fresh_site.url("/wire/feed.xml")).exit_code == 0
    assert run(data_dir, "crawl").exit_code == 0
    first = run(data_dir, "alerts", "check")
    assert first.exit_code == 0
    assert first.stdout.startswith("dock <strike>: 1 new story\n")
    assert "Mombasa dockers back at work as pay deal ends strike" in first.stdout
    assert fresh_site.url("/wire/variant.html") in first.stdout
    again = run(data_dir, "alerts", "check")
    assert again.exit_code == 0 and again.stdout == ""  # reported once
    after = _feed(data_dir, "dock <strike>")
    assert len(after.entries) == len(before.entries) + 1
    assert {e.link for e in after.entries} >= {fresh_site.url("/wire/variant.html")}
    listed = json.loads(run(data_dir, "alerts", "list", "--format", "json").stdout)
    assert [s["name"] for s in listed] == ["dock <strike>"] and listed[0]["checked_at"]


def test_alerts_mistakes_are_one_line_errors(data_dir: Path, fresh_site: LocalSite) -> None:
    assert run(data_dir, "sources", "add", fresh_site.url("/news/")).exit_code == 0
    assert run(data_dir, "alerts", "add", "floods", "flood", "--place", "Kenya").exit_code == 0
    assert "already a saved search called 'floods'" in one_line_error(run(data_dir, "alerts", "add", "floods", "x"))
    assert "query error" in one_line_error(run(data_dir, "alerts", "add", "broken", "(flood"))
    assert "no place called 'Narnia'" in one_line_error(run(data_dir, "alerts", "add", "n", "--place", "Narnia"))
    assert "no saved search called 'nope'" in one_line_error(run(data_dir, "alerts", "check", "nope"))
    assert "no saved search called 'nope'" in one_line_error(run(data_dir, "alerts", "remove", "nope"))
    assert "removed 'floods'" in run(data_dir, "alerts", "remove", "floods").stdout
    assert run(data_dir, "alerts", "list", "--format", "json").stdout.strip() == "[]"


def test_alerts_a_saved_search_gone_bad_stops_no_other(data_dir: Path, fresh_site: LocalSite) -> None:
    assert run(data_dir, "sources", "add", fresh_site.url("/news/")).exit_code == 0
    assert run(data_dir, "crawl").exit_code == 0
    assert "dates run from 1678" in one_line_error(run(data_dir, "alerts", "add", "old", "published:0001..0002"))
    assert "not a" in one_line_error(run(data_dir, "alerts", "add", "bad", "--mentions", "garbage"))
    assert "not all digits" in one_line_error(run(data_dir, "alerts", "add", "7", "strike"))
    assert run(data_dir, "alerts", "add", "a", "strike").exit_code == 0
    assert run(data_dir, "alerts", "add", "b", "glaciers").exit_code == 0
    store = store_of(data_dir)
    try:  # a saved search that no longer runs (saved by an older version, say): written past the checks
        store.add_saved_search("broken", "(", {}, 0, "2026-01-01T00:00:00+00:00")
    finally:
        store.close()
    checked = run(data_dir, "alerts", "check")
    assert checked.exit_code == 1 and "saved search 'broken' cannot run" in checked.stderr
    listed = {s["name"]: s["checked_at"] for s in json.loads(run(data_dir, "alerts", "list", "--format", "json").stdout)}
    assert listed["a"] and listed["b"] and listed["broken"] is None  # the others were checked


def test_alerts_feed_is_well_formed_whatever_a_page_carries() -> None:
    saved = SavedSearch(1, "odd \x0b one", "x", {}, "2026-01-01T00:00:00+00:00", None, 0)
    hit = SearchHit(id=7, score=1.0, url="javascript:alert(1)", title="Bell\x07 and\x0c form feed <b>&",
                    source="Wire\x1b", published="2026-03-01", snippet="a <b>match</b>\x00 here")
    response = SearchResponse(SearchRequest(), [hit], 1, {}, None, None, [])
    parsed = feedparser.parse(atom_feed(saved, response, "http://127.0.0.1/f", "http://127.0.0.1/p",
                                        "http://127.0.0.1/documents/{id}"))
    assert not parsed.bozo, parsed.bozo_exception
    entry = parsed.entries[0]
    assert entry.title == "Bell and form feed <b>&" and "javascript" not in str(entry.get("links"))
    assert parsed.feed.author == "newscorpus"
