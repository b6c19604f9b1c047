"""The command line, in process: every command, its formats, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newscorpus.cli import cli
from tests.conftest import LocalSite


def run(data: Path, *args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["--data", str(data), "--setting", "per_host_delay", "0", *args], input=input)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def crawled(tmp_path: Path, fresh_site: LocalSite) -> Path:
    assert run(tmp_path, "sources", "add", fresh_site.url("/news/"), "--tag", "test").exit_code == 0
    result = run(tmp_path, "crawl")
    assert result.exit_code == 0, result.output
    assert "3 new" in result.stdout
    return tmp_path


def test_cli_sources_add_list_remove(tmp_path: Path) -> None:
    assert "added: [1] https://a.example/ (site)" in run(tmp_path, "sources", "add", "https://A.example").stdout
    assert "(feed)" in run(tmp_path, "sources", "add", "https://b.example/rss.xml").stdout
    assert "already present" in run(tmp_path, "sources", "add", "https://a.example/").stdout
    listed = json.loads(run(tmp_path, "sources", "list", "--format", "json").stdout)
    assert [s["url"] for s in listed] == ["https://a.example/", "https://b.example/rss.xml"]
    assert run(tmp_path, "sources", "remove", "1").exit_code == 0
    assert "no such source: 7" in one_line_error(run(tmp_path, "sources", "remove", "7"))
    listing = run(tmp_path, "sources", "list").stdout
    assert "b.example" in listing and "a.example" not in listing


def test_cli_sources_add_rejects_non_http_urls(tmp_path: Path) -> None:
    assert "not an http(s) URL" in one_line_error(run(tmp_path, "sources", "add", "ftp://x.example/feed"))
    assert "not an http(s) URL" in one_line_error(run(tmp_path, "sources", "add", "http://[::1"))


def test_cli_sources_opml_import_export_roundtrip(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text('<opml version="2.0"><body><outline text="Law"><outline text="Courts" '
                    'xmlUrl="https://courts.example/feed"/></outline></body></opml>')
    assert "imported 1 new" in run(tmp_path / "d", "sources", "import", str(opml)).stdout
    exported = run(tmp_path / "d", "sources", "export").stdout
    assert 'xmlUrl="https://courts.example/feed"' in exported and 'category="Law"' in exported
    assert "imported 0 new source(s), 1 already present" in run(tmp_path / "d", "sources", "import", str(opml)).stdout
    assert "not valid XML" in one_line_error(run(tmp_path / "d", "sources", "import", __file__))
    assert "no such file" in one_line_error(run(tmp_path / "d", "sources", "import", str(tmp_path / "missing.opml")))


def test_cli_crawl_search_show_stats(crawled: Path, fresh_site: LocalSite) -> None:
    hits = [json.loads(line) for line in run(crawled, "search", "glaciers", "--format", "jsonl").stdout.splitlines()]
    assert hits[0]["title"] == "Survey finds Alpine glaciers lost a tenth of their ice in two years"
    assert {"id", "url", "title", "source", "published", "score", "snippet"} <= set(hits[0])
    assert "<b>glaciers</b>" in hits[0]["snippet"].lower()
    table = run(crawled, "search", "Mombasa port strike").stdout
    assert "Dock workers end week-long strike" in table
    doc = json.loads(run(crawled, "show", str(hits[0]["id"]), "--format", "json").stdout)
    assert doc["annotations"]["places"] and doc["annotations"]["dates"]
    assert "Zurich" in run(crawled, "show", str(hits[0]["id"])).stdout
    stats = json.loads(run(crawled, "stats", "--format", "json").stdout)
    assert stats["documents"] == 3 and stats["indexed_in_search"] == 3
    assert stats["urls"] == {"analysed": 3, "failed_permanent": 2}


def test_cli_crawl_reports_failures_with_reasons(crawled: Path) -> None:
    result = run(crawled, "crawl")
    assert "0 new" in result.stdout
    failures = json.loads(run(crawled, "stats", "--format", "json").stdout)["urls"]
    assert failures["failed_permanent"] == 2


def test_cli_crawl_summary_lists_reasons(tmp_path: Path, fresh_site: LocalSite) -> None:
    run(tmp_path, "sources", "add", fresh_site.url("/news/feed.xml"))
    output = run(tmp_path, "crawl").stdout
    assert "disallowed by robots.txt" in output and "HTTP 404" in output


def test_cli_crawl_with_no_sources_says_what_to_do(tmp_path: Path) -> None:
    assert "sources add" in one_line_error(run(tmp_path, "crawl"))


def test_cli_crawl_records_a_broken_feed_and_goes_on(tmp_path: Path, fresh_site: LocalSite) -> None:
    run(tmp_path, "sources", "add", fresh_site.url("/broken-feed.xml"), fresh_site.url("/news/feed.xml"))
    result = run(tmp_path, "crawl")
    assert result.exit_code == 0 and "3 new" in result.stdout and "not a readable feed" in result.stdout
    listed = json.loads(run(tmp_path, "sources", "list", "--format", "json").stdout)
    assert listed[0]["consecutive_failures"] == 1 and "not a readable feed" in listed[0]["last_error"]


def test_cli_search_bad_query_is_one_line(crawled: Path) -> None:
    assert "character 1 of '\"unclosed': this quote is never closed" in one_line_error(run(crawled, "search", '"unclosed'))


def test_cli_show_missing_document(crawled: Path) -> None:
    assert "no document with id 999" in one_line_error(run(crawled, "show", "999"))
    huge = run(crawled, "show", "99999999999999999999999")
    assert huge.exit_code == 2 and "is not in the range" in huge.output and "Traceback" not in huge.output
    assert "no such source: 99999999999999999999999" in one_line_error(
        run(crawled, "sources", "remove", "99999999999999999999999"))


def test_cli_reindex_rebuilds_from_the_store(crawled: Path) -> None:
    assert "indexed 3 document(s)" in run(crawled, "reindex").stdout
    assert "Dock workers" in run(crawled, "search", "dock").stdout


def test_cli_index_repaired_after_a_crash_between_store_and_index(crawled: Path) -> None:
    import shutil

    shutil.rmtree(crawled / "index")  # as if the index had never been written
    run(crawled, "crawl")
    assert "Dock workers" in run(crawled, "search", "dock").stdout


def test_cli_extract_prints_the_contract(tmp_path: Path) -> None:
    text = "Reuters reported last Friday from London that section 1 of the Computer Misuse Act 1990 applied."
    result = run(tmp_path, "extract", "-", "--published", "2026-03-10", input=text)
    found = json.loads(result.stdout)
    assert set(found) == {"dates", "places", "laws", "entities", "focus"}
    assert found["dates"][0]["value"] == "2026-03-06"
    assert found["laws"][0]["name"] == "Computer Misuse Act"
    assert not (tmp_path / "corpus.sqlite3").exists()  # extract stores nothing


def test_cli_extract_with_a_users_laws_registry(tmp_path: Path) -> None:
    registry = tmp_path / "my-laws.json"
    registry.write_text(json.dumps({"laws": [{"name": "Harbour Safety Act", "jurisdiction": "KE", "year": 2019,
                                              "acronyms": ["HSA"]}]}))
    text = "Mombasa port police charged him under section 4 of the HSA on Monday."
    result = run(tmp_path, "--setting", "laws_registry", str(registry), "extract", "-", input=text)
    law = json.loads(result.stdout)["laws"][0]
    assert (law["text"], law["name"], law["year"], law["section"], law["jurisdiction"]) == (
        "section 4 of the HSA", "Harbour Safety Act", 2019, "Section 4", "KE")
    registry.write_text("{not json")
    assert "cannot read the laws registry" in one_line_error(
        run(tmp_path, "--setting", "laws_registry", str(registry), "extract", "-", input=text))
    registry.write_text(json.dumps({"laws": [{"jurisdiction": "KE"}]}))
    assert "laws registry entry lacks a field" in one_line_error(
        run(tmp_path, "--setting", "laws_registry", str(registry), "extract", "-", input=text))


def test_cli_extract_table_format(tmp_path: Path) -> None:
    result = run(tmp_path, "extract", "-", "--format", "table", input="Floods hit Lahore yesterday.")
    assert "Lahore" in result.stdout and "place" in result.stdout


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"), (b"  \n\t ", "empty"), (b"\x00\x01\x02\xff", "binary"), (b"caf\xe9 au lait", "not UTF-8"),
])
def test_cli_extract_bad_input_is_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert message in one_line_error(run(tmp_path, "extract", str(path)))


def test_cli_extract_missing_file_and_directory(tmp_path: Path) -> None:
    assert "no such file" in one_line_error(run(tmp_path, "extract", str(tmp_path / "nope.txt")))
    assert "is a directory" in one_line_error(run(tmp_path, "extract", str(tmp_path)))


def test_cli_extract_bad_published_date(tmp_path: Path) -> None:
    assert "YYYY-MM-DD" in one_line_error(run(tmp_path, "extract", "-", "--published", "March", input="x"))


def test_cli_extract_jsonl_with_two_workers_keeps_order(tmp_path: Path) -> None:
    records = [{"id": i, "text": f"Story {i}: protests in Nairobi yesterday.", "published": "2026-03-10"}
               for i in range(40)]
    lines = "\n".join(json.dumps(r) for r in records) + "\n"
    result = run(tmp_path, "extract", "--jsonl", "--workers", "2", "-", input=lines)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == list(range(40))
    assert all(o["dates"][0]["value"] == "2026-03-09" for o in out)
    assert all(set(o) == {"id", "dates", "places", "laws", "entities", "focus"} for o in out)


def test_cli_extract_jsonl_bad_lines_are_reported_in_place(tmp_path: Path) -> None:
    lines = '{"id": "a", "text": "Rain in Paris."}\nnot json\n{"id": "c"}\n{"id": "d", "text": "x", "published": "soon"}\n'
    result = run(tmp_path, "extract", "--jsonl", "-", input=lines)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("error") is None for o in out] == [True, False, False, False]
    assert out[3]["id"] == "d" and "published" in out[3]["error"]
    assert "3 input line(s)" in one_line_error(result)


def test_cli_bad_setting_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data", str(tmp_path), "--setting", "concurrency", "many", "stats"])
    assert result.exit_code == 2 and "expected a int" in result.stderr
    result = CliRunner().invoke(cli, ["--data", str(tmp_path), "--setting", "no_such", "1", "stats"])
    assert result.exit_code == 2 and "unknown setting" in result.stderr


def test_cli_settings_from_toml_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "newscorpus.toml").write_text("concurrency = 3\nuser_agent = 'test-agent'\n")
    monkeypatch.setenv("NEWSCORPUS_CONCURRENCY", "5")
    output = CliRunner().invoke(cli, ["--data", str(tmp_path), "settings"]).stdout
    assert "test-agent" in output and "│ 5 " in output
    (tmp_path / "newscorpus.toml").write_text("concurrency = [")
    result = CliRunner().invoke(cli, ["--data", str(tmp_path), "settings"])
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_cli_data_directory_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCORPUS_DATA", str(tmp_path / "env-data"))
    assert CliRunner().invoke(cli, ["sources", "add", "https://a.example/"]).exit_code == 0
    result = CliRunner().invoke(cli, ["stats", "--format", "json"])
    assert json.loads(result.stdout)["data_dir"] == str(tmp_path / "env-data")


def test_cli_newer_database_is_refused_in_one_line(tmp_path: Path) -> None:
    import sqlite3

    run(tmp_path, "stats")
    db = sqlite3.connect(tmp_path / "corpus.sqlite3")
    db.execute("PRAGMA user_version = 99")
    db.close()
    assert "newer newscorpus" in one_line_error(run(tmp_path, "stats"))


def test_cli_demo_crawls_and_searches_offline(tmp_path: Path) -> None:
    result = run(tmp_path, "demo", "--keep")
    assert result.exit_code == 0, result.output
    assert "5 new" in result.stdout and "Kenyan court suspends parts of cybercrime law" in result.stdout
    assert "Computer Misuse and Cybercrimes Act" in result.stdout
    assert json.loads(run(tmp_path, "stats", "--format", "json").stdout)["documents"] == 5


def test_cli_unusable_data_directory_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "cannot create the data directory" in one_line_error(run(blocker / "data", "sources", "add",
                                                                    "https://a.example/"))


def test_cli_search_by_place_follows_the_hierarchy(crawled: Path) -> None:
    # The strike story names Mombasa and Nairobi (towns of Kenya); the glacier survey Zurich.
    def titles(place: str) -> list[str]:
        hits = run(crawled, "search", "--place", place, "--format", "jsonl").stdout.splitlines()
        return [json.loads(h)["title"] for h in hits]

    strike = "Dock workers end week-long strike at Mombasa port"
    assert titles("Kenya") == [strike] and titles("KE") == [strike]
    assert titles("Nairobi") == [strike]
    assert titles("Switzerland") == ["Survey finds Alpine glaciers lost a tenth of their ice in two years"]
    assert titles("Peru") == []
    assert "no place called 'Qwxzville'" in one_line_error(run(crawled, "search", "--place", "Qwxzville"))
    facets = run(crawled, "search", "--facets", "country", "--format", "jsonl").stdout.splitlines()
    counts = {json.loads(f)["country"]: json.loads(f)["stories"] for f in facets}
    assert counts["KE"] == 1 and counts["CH"] == 1


def test_cli_search_by_law_matches_its_variants(crawled: Path) -> None:
    # The strike story cites the "Labour Relations Act, 2007" (Kenya).
    def titles(law: str) -> list[str]:
        hits = run(crawled, "search", "--law", law, "--format", "jsonl").stdout.splitlines()
        return [json.loads(h)["title"] for h in hits]

    strike = "Dock workers end week-long strike at Mombasa port"
    assert titles("Labour Relations Act") == [strike] == titles("the labour relations act")
    assert titles("PECA") == []
    assert "law: Prevention of Electronic Crimes Act (PK)" in run(crawled, "search", "--law", "PECA").stderr
    assert "--law needs a name" in one_line_error(run(crawled, "search", "--law", " "))


def test_cli_search_by_mentioned_period(crawled: Path) -> None:
    # The glacier survey mentions 2024 and 2025; the library story mentions the 1880s, the strike January.
    hits = run(crawled, "search", "--mentions", "2025", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(h)["title"] for h in hits] == ["Survey finds Alpine glaciers lost a tenth of their ice in two years"]
    assert "not a period" in one_line_error(run(crawled, "search", "ice", "--mentions", "last June"))
    assert len(run(crawled, "search", "", "--format", "jsonl").stdout.splitlines()) == 3  # empty: every story
