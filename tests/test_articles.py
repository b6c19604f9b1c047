"""Articles: metadata with provenance, dates, language, non-articles, exact and near duplicates, collapsed search."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner, Result

from newscorpus.cli import cli
from newscorpus.corpus import open_store
from newscorpus.crawler.metadata import declared_dates, parse_timestamp
from tests.conftest import LocalSite


def run(data: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--data", str(data), "--setting", "per_host_delay", "0", *args])
    assert "Traceback" not in result.output, result.output
    return result


def test_articles_dates_keep_utc_and_the_original_offset() -> None:
    stamp = parse_timestamp("2026-04-02T08:00:00+03:00")
    assert stamp is not None and (stamp.utc, stamp.offset) == ("2026-04-02T05:00:00+00:00", "+03:00")
    assert parse_timestamp("2019-11-18T19:05:00-0500").utc == "2019-11-19T00:05:00+00:00"  # type: ignore[union-attr]
    assert parse_timestamp("2019-11-18").utc == "2019-11-18"  # type: ignore[union-attr]


def test_articles_implausible_dates_are_dropped() -> None:
    now = datetime(2026, 3, 10, tzinfo=timezone.utc)
    assert parse_timestamp("2026-03-10T20:00:00+00:00", now) is not None  # within a day's clock skew
    assert parse_timestamp("2026-03-15T00:00:00+00:00", now) is None  # in the future
    assert parse_timestamp("1970-01-01T00:00:00Z", now) is None  # before news sites on the web
    assert parse_timestamp("not a date") is None


def test_articles_declared_dates_from_json_ld_and_meta() -> None:
    html = ('<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
            '"datePublished": "2019-11-19T07:03:25Z", "dateModified": "2019-11-20T01:00:00Z"}]}</script>')
    found = declared_dates(html)
    assert found.published.utc == "2019-11-19T07:03:25+00:00" and found.published_from == "page:json-ld"  # type: ignore[union-attr]
    assert found.modified.utc == "2019-11-20T01:00:00+00:00"  # type: ignore[union-attr]
    meta = declared_dates('<meta property="article:published_time" content="2026-04-02T08:00:00+03:00">')
    assert meta.published_from == "page:meta article:published_time"
    assert declared_dates('<script type="application/ld+json">{broken</script>').published is None


def test_articles_metadata_records_where_each_field_came_from(tmp_path: Path, fresh_site: LocalSite) -> None:
    run(tmp_path, "sources", "add", fresh_site.url("/news/feed.xml"))
    run(tmp_path, "crawl")
    store = open_store(tmp_path)
    (doc,) = [d for batch in store.iter_documents() for d in batch if "port-strike" in d.url]
    assert doc.published == "2026-04-02T05:00:00+00:00" and doc.published_offset == "+03:00"
    assert doc.provenance == {"title": "page", "authors": "page", "published": "page:meta article:published_time"}
    assert doc.language == "en" and doc.nlp_note is None


def test_articles_other_languages_are_stored_and_searchable_without_nlp(tmp_path: Path, fresh_site: LocalSite) -> None:
    run(tmp_path, "sources", "add", fresh_site.url("/intl-feed.xml"))
    output = run(tmp_path, "crawl").stdout
    assert "3 new" in output and "not an article" in output  # the empty page is recorded, not stored
    store = open_store(tmp_path)
    docs = {d.url.rsplit("/", 1)[1]: store.get_document(d.id) for batch in store.iter_documents() for d in batch}
    assert {k: v.language for k, v in docs.items()} == {"0.html": "de", "1.html": "de", "cp1252.html": "fr"}  # type: ignore[union-attr]
    for doc in docs.values():
        assert doc is not None and doc.nlp_note and doc.nlp_note.startswith("skipped: language")
        assert doc.annotations.to_dict() == {"dates": [], "places": [], "laws": [], "entities": [], "focus": []}
    assert "WildFly" in run(tmp_path, "search", "WildFly").stdout
    assert "étudiants" in run(tmp_path, "search", "étudiants").stdout


def test_articles_syndicated_copies_are_one_story_in_search(tmp_path: Path, fresh_site: LocalSite) -> None:
    run(tmp_path, "sources", "add", fresh_site.url("/wire/feed.xml"))
    output = run(tmp_path, "crawl").stdout
    assert "3 new, 1 already stored" in output  # /wire/copy.html is the same text as the original
    hits = [json.loads(line) for line in run(tmp_path, "search", "dock strike", "--format", "jsonl").stdout.splitlines()]
    # One hit: the original (published 08:00 in Mombasa, before the variant at 11:15), with its copy counted. The
    # original and /wire/copy.html are one document (the same text): its URL is the one whose page was analysed
    # first, the other is kept as another URL of it.
    assert len(hits) == 1 and hits[0]["copies"] == 1
    assert hits[0]["url"].endswith(("port-strike-ends.html", "/wire/copy.html"))
    everything = run(tmp_path, "search", "dock strike", "--all-copies", "--format", "jsonl").stdout.splitlines()
    assert len(everything) == 2
    assert "and 1 more outlet" in run(tmp_path, "search", "dock strike").stdout
    store = open_store(tmp_path)
    docs = [d for batch in store.iter_documents() for d in batch]
    original = next(d for d in docs if d.url.endswith(("port-strike-ends.html", "/wire/copy.html")))
    variant = next(d for d in docs if d.url.endswith("variant.html"))
    glaciers = next(d for d in docs if d.url.endswith("glacier-survey.html"))
    assert variant.cluster_id == original.cluster_id != glaciers.cluster_id
    shown = json.loads(run(tmp_path, "show", str(original.id), "--format", "json").stdout)
    assert {shown["url"], *shown["other_urls"]} == {fresh_site.url("/wire/copy.html"),
                                                    fresh_site.url("/news/2026/port-strike-ends.html")}
    # Facets and the timeline count the story once, not its copies.
    countries = run(tmp_path, "search", "dock strike", "--facets", "country", "--format", "jsonl").stdout.splitlines()
    assert json.loads(countries[0]) == {"country": "KE", "stories": 1}
    months = run(tmp_path, "search", "dock strike", "--timeline", "month", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(m) for m in months] == [{"month": "2026-04", "stories": 1, "all_stories": 1, "share": 1.0}]
