"""The whole tool on a PostgreSQL store: the test site (a gazette and a wire with copies of its stories) crawled,
analysed and indexed into PostgreSQL gives the same corpus as the same crawl into SQLite, seen through the CLI,
the Python API, the JSON API, exports and alerts; a second crawl adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from newscorpus import Corpus
from newscorpus.config import load_settings
from newscorpus.web.app import create_app
from tests.conftest import LocalSite
from tests.test_cli import run
from tests.web.conftest import serving

QUERY = "strike OR glaciers OR library OR port"


def _crawl(data: Path, site: LocalSite) -> None:
    assert run(data, "sources", "add", site.url("/news/"), "--tag", "gazette").exit_code == 0
    assert run(data, "sources", "add", site.url("/wire/feed.xml"), "--tag", "wire").exit_code == 0
    crawled = run(data, "crawl")
    assert crawled.exit_code == 0, crawled.output


def _seen(data: Path) -> dict[str, object]:
    """What a user sees of a corpus, without ids (each store numbers its own rows), archive locations (each crawl
    writes its own WARC file) and the URL a story is kept under when the same text came at two (the one fetched
    first, which concurrent fetching decides)."""
    searched = json.loads(run(data, "search", QUERY, "--format", "json").stdout)
    facets = {name: run(data, "search", QUERY, "--facets", name, "--format", "csv").stdout
              for name in ("country", "law", "source", "person")}
    timeline = run(data, "search", QUERY, "--timeline", "month", "--format", "csv").stdout
    exported = run(data, "export", "--format", "jsonl", "-o", "-").stdout.splitlines()
    records = sorted(({k: v for k, v in json.loads(line).items() if k not in ("id", "cluster_id", "fetched_at", "url", "canonical_url")
                      and not k.startswith("warc_")}
                      for line in exported), key=lambda r: json.dumps(r, sort_keys=True))
    stats = json.loads(run(data, "stats", "--format", "json").stdout)
    return {
        "hits": [(h["title"], h["copies"]) for h in searched["hits"]], "total": searched["total"],
        "facets": facets, "timeline": timeline, "records": records,
        "counts": {k: stats[k] for k in ("sources", "documents", "documents_unindexed", "dates", "places", "laws",
                                         "entities", "urls")},
    }


def test_postgres_store_gives_the_same_corpus_as_sqlite(site: LocalSite, postgres_url: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    embedded = tmp_path / "sqlite"
    _crawl(embedded, site)
    expected = _seen(embedded)

    shared = tmp_path / "postgres"
    monkeypatch.setenv("NEWSCORPUS_DATABASE_URL", postgres_url)
    site.requests.clear()  # the site serves both crawls alike
    _crawl(shared, site)
    assert not (shared / "corpus.sqlite3").exists()  # the store is in PostgreSQL; the index and WARCs stay here
    seen = _seen(shared)
    assert expected["total"] and expected["records"]
    for key, value in expected.items():
        assert seen[key] == value, (key, seen[key], value)

    again = run(shared, "crawl")
    assert again.exit_code == 0 and "articles: 0 new" in again.stdout, again.stdout

    with Corpus(shared) as corpus:
        results = corpus.search(QUERY, limit=10)
        assert [h.title for h in results] == [title for title, _ in expected["hits"]]  # type: ignore[attr-defined]
        shown = corpus.document(results[0].id)
        assert shown.document.text and shown.document.url == results[0].url
        assert shown.document.annotations.places  # the NLP ran, and its findings are in PostgreSQL

    app = create_app(shared, load_settings(shared))
    with serving(app) as base:
        web = httpx.get(base + "/api/search", params={"q": QUERY}, timeout=60).json()
        assert web["total"] == expected["total"]
        assert [h["title"] for h in web["hits"]] == [title for title, _ in expected["hits"]]  # type: ignore[attr-defined]

    assert run(shared, "alerts", "add", "ports", "port").exit_code == 0
    assert run(shared, "alerts", "check").exit_code == 0
