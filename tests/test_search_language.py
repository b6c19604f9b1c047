"""The query language, feature by feature, against a corpus built by crawling the test site: three stories, a
glacier survey (Zurich, published 2026-05-19, mentions 2024 and 2025), a library reopening (Houston, 2026-06-07)
and a port strike (Mombasa, 2026-04-02, cites the Labour Relations Act, 2007)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from newscorpus.app.filters import resolver
from newscorpus.corpus import SearchIndex, facets, search, timeline
from newscorpus.corpus.query import And, Filter, Not, Or, Words, parse
from newscorpus.corpus.store import Store
from newscorpus.errors import QueryError
from tests.conftest import LocalSite
from tests.datadirs import MakeDataDir, store_of
from tests.test_cli import one_line_error, run

GLACIER = "Survey finds Alpine glaciers lost a tenth of their ice in two years"
LIBRARY = "City library reopens after flood repairs with a new archive of local newspapers"
STRIKE = "Dock workers end week-long strike at Mombasa port"


@pytest.fixture(scope="module")
def corpus(site: LocalSite, make_data_dir: MakeDataDir) -> Iterator[tuple[Path, Store, SearchIndex]]:
    data = make_data_dir("corpus")
    assert run(data, "sources", "add", site.url("/news/")).exit_code == 0
    assert "3 new" in run(data, "crawl").stdout
    store = store_of(data)
    yield data, store, SearchIndex(data)
    store.close()


@pytest.fixture
def titles(corpus: tuple[Path, Store, SearchIndex]) -> object:
    _, store, index = corpus

    def found(query: str) -> set[str]:
        return {h.title or "" for h in search(store, index, query, limit=10, resolve=resolver(store))}
    return found


@pytest.mark.parametrize(("query", "expected"), [
    ("glaciers", {GLACIER}),
    ("glacier", {GLACIER}),  # stemmed
    ("port strike", {STRIKE}),  # side by side: both required
    ("port library", set()),
    ("glaciers OR library", {GLACIER, LIBRARY}),
    ("summer -library", {GLACIER}),
    ("summer AND NOT glaciers", {LIBRARY}),
    ("(glaciers OR library) AND summer", {GLACIER, LIBRARY}),
    ("(glaciers OR port) -ice", {STRIKE}),
    ("NOT summer", {STRIKE}),
    ("glacio*", {GLACIER}),  # glaciologists
    ("newspap*", {LIBRARY}),
    ('"dock strike"', set()),
    ('"dock strike"~5', {STRIKE}),
    ('"ten per cent"', {GLACIER}),
    ("title:library", {LIBRARY}),
    ("title:summer", set()),
    ('title:"week-long strike"', {STRIKE}),
    ("source:127.0.0.1", {GLACIER, LIBRARY, STRIKE}),
    ("source:nowhere.example", set()),
    ("lang:en", {GLACIER, LIBRARY, STRIKE}),
    ("lang:fr", set()),
    ("published:2026-05", {GLACIER}),
    ("published:>=2026-06", {LIBRARY}),
    ("published:2026-04-01..2026-05-31", {STRIKE, GLACIER}),
    ("published:<2026-05", {STRIKE}),
    ("published:2026-Q2", {GLACIER, LIBRARY, STRIKE}),
    ("mentions:2025", {GLACIER}),
    ("place:Kenya", {STRIKE}),
    ("place:Houston", {LIBRARY}),
    ("country:CH", {GLACIER}),
    ('law:"Labour Relations Act"', {STRIKE}),
    ("law:PECA", set()),
    ("workers place:Kenya published:>=2026", {STRIKE}),
    ("", {GLACIER, LIBRARY, STRIKE}),
    # user strings reach the index as words only, never as its syntax
    ('"port) OR (library"', set()),
    ("DROP TABLE documents; --", set()),
])
def test_search_language_feature(titles: object, query: str, expected: set[str]) -> None:
    assert titles(query) == expected  # type: ignore[operator]


def test_search_language_cluster_finds_a_storys_copies(corpus: tuple[Path, Store, SearchIndex],
                                                         titles: object) -> None:
    _, store, index = corpus
    strike = next(h for h in search(store, index, "strike"))
    cluster = store.get_document(strike.id).cluster_id  # type: ignore[union-attr]
    assert titles(f"cluster:{cluster}") == {STRIKE}  # type: ignore[operator]


def test_search_language_sorts_by_date(corpus: tuple[Path, Store, SearchIndex]) -> None:
    _, store, index = corpus
    newest = [h.title for h in search(store, index, "", by_date=True)]
    assert newest == [LIBRARY, GLACIER, STRIKE]


def test_search_language_parses_precedence_and_forms() -> None:
    assert parse("a b OR c") == Or((And((Words("a", 0), Words("b", 2))), Words("c", 7)))
    assert parse("-a NOT b") == And((Not(Words("a", 1)), Not(Words("b", 7))))
    assert parse('"a b"~3 c* title:d') == And((Words("a b", 0, phrase=True, slop=3), Words("c", 8, prefix=True),
                                               Words("d", 11, title_only=True)))
    assert parse('law:"Computer Misuse Act" section:1') == And((
        Filter("law", "Computer Misuse Act", 0), Filter("section", "1", 26)))
    assert parse("e-mail well-being") == And((Words("e-mail", 0), Words("well-being", 7)))


@pytest.mark.parametrize(("query", "message"), [
    ('flood "unclosed', "character 7 of 'flood \"unclosed': this quote is never closed"),
    ("(flood OR rain", "character 15 of '(flood OR rain': expected ')' to close the '(' at position 1"),
    ("flood )", "character 7 of 'flood )': unexpected ')'; expected no ')' here: it closes nothing"),
    ("flood AND", "character 10 of 'flood AND': the query ends too early after AND"),
    ("OR flood", "character 1 of 'OR flood': unexpected OR; expected a word"),
    ("foo:bar", "character 1 of 'foo:bar': unknown filter 'foo:'; filters are source:, tag:, lang:"),
    ("(" * 60 + "x" + ")" * 60, "the query nests more than 50 levels deep"),
    ("NOT " * 60 + "x", "the query nests more than 50 levels deep"),
    ("published:0001..0002", "dates run from 1678 to 2261, not '0001'"),
    ("place:", "character 1 of 'place:': place: needs a value, e.g. place:Nairobi"),
    ('"—"', "this phrase has no words to search for"),
    ("published:2025-13", "not a date: '2025-13'"),
    ("published:..", "published: needs a date on at least one side"),
    ("country:Kenya", "country: takes a two-letter ISO code"),
    ("mentions:June", "not a period: 'June'"),
    ("cluster:x", "cluster: takes a cluster number"),
    ("cluster:99999999999999999999", "cluster: takes a cluster number"),
    ("place:Qwxzville", "no place called 'Qwxzville'"),
    ("section:§", "section: takes a provision"),
])
def test_search_language_errors_say_where_and_what_was_expected(corpus: tuple[Path, Store, SearchIndex],
                                                                 query: str, message: str) -> None:
    data, store, index = corpus
    with pytest.raises(QueryError) as caught:
        search(store, index, query, resolve=resolver(store))
    assert message in str(caught.value)
    assert message in one_line_error(run(data, "search", query))


def test_search_language_options_are_the_same_filters(corpus: tuple[Path, Store, SearchIndex]) -> None:
    data = corpus[0]

    def listed(*args: str) -> list[str]:
        result = run(data, "search", *args, "--format", "jsonl")
        assert result.exit_code == 0, result.output
        return [line.split('"title": "')[1].split('"')[0] for line in result.stdout.splitlines()]

    assert listed("--from", "2026-05", "--to", "2026-05") == [GLACIER]
    assert listed("--from", "2026-05-20") == [LIBRARY]
    assert listed("--source", "127.0.0.1", "--country", "KE") == [STRIKE]
    assert listed("--lang", "en", "--sort", "date") == [LIBRARY, GLACIER, STRIKE]
    assert "not a date: '2026-13'" in one_line_error(run(data, "search", "--from", "2026-13"))


def test_search_language_facets_count_stories_per_value(corpus: tuple[Path, Store, SearchIndex]) -> None:
    data, store, index = corpus
    resolve = resolver(store)
    assert dict(facets(index, "", "country", resolve=resolve)) == {"KE": 1, "CH": 1, "US": 1, "TZ": 1, "UG": 1}
    assert facets(index, "strike", "law", resolve=resolve) == [("Labour Relations Act", 1)]
    assert facets(index, "", "language") == [("en", 3)]
    assert dict(facets(index, "place:Kenya", "place", resolve=resolve))["Mombasa (KE)"] == 1
    assert sum(n for _, n in facets(index, "", "source")) == 3
    assert facets(index, "glaciers", "region", resolve=resolve)[0][0].startswith("CH/")
    with pytest.raises(QueryError, match="no facet 'colour'"):
        facets(index, "", "colour")
    listed = run(data, "search", "--facets", "law", "--format", "csv").stdout.splitlines()
    assert listed == ["law,stories", "Labour Relations Act,1", "Paris Agreement,1"]  # a treaty is a law too


def test_search_language_timeline_counts_per_period_with_gaps(corpus: tuple[Path, Store, SearchIndex]) -> None:
    data, _, index = corpus
    assert timeline(index, "", "month")[1] == [("2026-04", 1), ("2026-05", 1), ("2026-06", 1)]
    weeks = timeline(index, "", "week")[1]
    assert weeks[0] == ("2026-W14", 1) and weeks[-1] == ("2026-W23", 1) and len(weeks) == 10
    assert sum(n for _, n in weeks) == 3 and ("2026-W15", 0) in weeks
    assert timeline(index, "glaciers", "day")[1] == [("2026-05-19", 1)]
    assert timeline(index, "glaciers", "month")[1] == [("2026-05", 1)]  # from its first period to its last
    assert timeline(index, "", "year")[1] == [("2026", 3)]
    assert timeline(index, "nothing-matches-this", "month")[1] == []
    chart = run(data, "search", "--timeline", "month").stdout.splitlines()
    assert chart == [f"   2026-0{m} {'█' * 40}      1  100.0% of 1" for m in (4, 5, 6)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_search_language_export_with_a_manifest_that_verifies(corpus: tuple[Path, Store, SearchIndex], fmt: str,
                                                              tmp_path: Path) -> None:
    import csv
    import json

    import pyarrow.parquet as pq

    data = corpus[0]
    output = tmp_path / f"all.{fmt}"
    result = run(data, "export", "--format", fmt, "--output", str(output))
    assert result.exit_code == 0, result.output
    assert "exported 3 documents" in result.stderr
    manifest = json.loads((tmp_path / f"all.{fmt}.manifest.json").read_text())
    assert manifest["rows"] == 3 and manifest["format"] == fmt and manifest["file"] == output.name
    assert manifest["software"]["spacy_model"] and manifest["corpus"]["documents"] == 3
    if fmt == "parquet":
        records = pq.read_table(output).to_pylist()
    elif fmt == "csv":
        with output.open(encoding="utf-8", newline="") as stream:
            records = list(csv.DictReader(stream))
    else:
        records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    strike = next(r for r in records if r["title"] == STRIKE)
    # one typed UTC timestamp (a real timestamp in Parquet), the offset as written and the precision beside it
    published = strike["published"] if fmt == "parquet" else datetime.fromisoformat(strike["published"])
    assert published.utcoffset() == timedelta(0) and strike["published_precision"] in ("day", "second")
    assert strike["warc_file"] and int(strike["warc_offset"]) >= 0 and len(strike["content_hash"]) == 64
    laws = json.loads(strike["laws"]) if fmt == "csv" else strike["laws"]
    assert laws[0]["name"] == "Labour Relations Act" and "port of Mombasa" in strike["text"]
    assert "ok: all." in run(data, "verify", str(tmp_path / f"all.{fmt}.manifest.json")).stdout
    with output.open("ab") as tamper:
        tamper.write(b"\n")
    assert "has changed since it was exported" in one_line_error(
        run(data, "verify", str(tmp_path / f"all.{fmt}.manifest.json")))


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_search_language_export_to_standard_output(corpus: tuple[Path, Store, SearchIndex], tmp_path: Path,
                                                   fmt: str) -> None:
    import hashlib
    import io

    import pyarrow.parquet as pq

    data = corpus[0]
    result = run(data, "export", "--place", "Kenya", "--format", fmt, "-o", "-")
    assert result.exit_code == 0 and not (Path.cwd() / "-").exists()
    digest = hashlib.sha256(result.stdout_bytes).hexdigest()
    assert f"exported 1 documents to standard output ({len(result.stdout_bytes):,} bytes, sha256 {digest[:16]}" \
        in result.stderr
    if fmt == "parquet":
        titles = [r["title"] for r in pq.read_table(io.BytesIO(result.stdout_bytes)).to_pylist()]
    else:
        titles = [json.loads(line)["title"] for line in result.stdout_bytes.decode().splitlines()]
    assert titles == [STRIKE]


def test_search_language_export_applies_the_filters_and_fails_cleanly(corpus: tuple[Path, Store, SearchIndex],
                                                                      tmp_path: Path) -> None:
    data = corpus[0]
    output = tmp_path / "kenya.jsonl"
    assert "exported 1 documents" in run(data, "export", "strike OR glaciers", "--place", "Kenya", "-o",
                                         str(output)).stderr
    assert output.read_text().count("\n") == 1
    missing = tmp_path / "no-such-dir" / "x.jsonl"
    assert "cannot write the export" in one_line_error(run(data, "export", "-o", str(missing)))
    assert not list(tmp_path.glob("**/*.partial"))
    assert "query error at character 2 of '(': the query ends too early" in one_line_error(
        run(data, "export", "(", "-o", str(output)))
    assert "not a newscorpus export manifest" in one_line_error(run(data, "verify", str(output)))


def test_search_language_python_api(corpus: tuple[Path, Store, SearchIndex], tmp_path: Path) -> None:
    from newscorpus import Corpus

    with Corpus(corpus[0]) as api:
        results = api.search("workers OR glaciers", sort="date")
        assert [hit.title for hit in results] == [GLACIER, STRIKE] and len(results) == 2
        assert results[0].published and "<b>" in results[0].snippet
        assert dict(results.facets("country"))["KE"] == 1 and results.timeline("month")[0] == ("2026-04", 1)
        assert [h.title for h in api.search(place="Kenya")] == [STRIKE]
        assert [h.title for h in api.search(since="2026-06-01")] == [LIBRARY]
        assert [h.title for h in api.search(law="Labour Relations Act", country="KE")] == [STRIKE]
        table = results.to_arrow()
        assert table.num_rows == 2 and "snippet" in table.column_names
        frame = results.to_pandas()
        assert list(frame["title"]) == [GLACIER, STRIKE]
        manifest = api.export(tmp_path / "api.parquet", "glaciers")
        assert manifest["rows"] == 1 and (tmp_path / "api.parquet.manifest.json").is_file()
        with pytest.raises(QueryError, match="unknown filter 'colour'"):
            api.search(colour="red")
        with pytest.raises(QueryError, match="character 2"):
            api.search("(")


def test_search_language_hits_show_what_met_the_filters(corpus: tuple[Path, Store, SearchIndex]) -> None:
    data, store, index = corpus
    hits = search(store, index, 'workers place:Kenya law:"Labour Relations Act"', resolve=resolver(store),
                  matched=True)
    assert hits[0].matched == {"places": ["MOMBASA", "Mombasa", "Nairobi", "Kenya"],
                               "laws": ["Labour Relations Act, 2007"]}
    glacier = search(store, index, "glaciers mentions:2025 country:CH", matched=True)[0]
    assert glacier.matched is not None and "2025" in " ".join(glacier.matched["dates"])
    assert glacier.matched["places"][0] == "ZURICH"
    assert search(store, index, "glaciers")[0].matched is None  # only on request
    assert "matched places:" in run(data, "search", "workers", "--place", "Kenya", "--matched").stdout
    listed = run(data, "search", "workers", "--place", "Kenya", "--matched", "--format", "jsonl").stdout
    assert '"matched": {"places": ["MOMBASA", "Mombasa", "Nairobi", "Kenya"]}' in listed


_QUERY_PIECES = ["flood", "Kenya", "AND", "OR", "NOT", "-", "(", ")", '"', "*", "~3", ":", "title:", "law:",
                 "place:", "published:", "2025", "..", ">=", "section:", "20(1)", "cluster:", "x", "\\", "'", ";",
                 "--", "—", "é", "id:1", "country:KE", "mentions:", "2025-Q2", " ", "99999999999999999999"]


@given(st.lists(st.sampled_from(_QUERY_PIECES), max_size=12), st.text(max_size=20))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_search_language_any_string_is_a_search_or_one_query_error(corpus: tuple[Path, Store, SearchIndex],
                                                                    pieces: list[str], noise: str) -> None:
    _, store, index = corpus
    for query in ("".join(pieces), " ".join(pieces), noise):
        try:
            hits = search(store, index, query, resolve=resolver(store))
        except QueryError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert all(h.title in (GLACIER, LIBRARY, STRIKE) for h in hits)
