"""The whole path against the newsmirror benchmark: homepage -> feed -> fetch -> extract -> NLP -> store -> search."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from newscorpus import ingest
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, open_store
from newscorpus.corpus.store import DATABASE_NAME
from tests.conftest import NEWSMIRROR, Mirror

SITE = "site3"


def distinctive_phrase(body: str) -> str:
    """Eight consecutive plain words from the middle of the longest paragraph of the ground truth."""
    paragraph = max(body.split("\n"), key=len)
    words = paragraph.split()
    plain = [bool(re.fullmatch(r"[A-Za-z]{2,}", w)) for w in words]
    middle = len(words) // 2
    for start in sorted(range(len(words) - 7), key=lambda i: abs(i - middle)):
        if all(plain[start:start + 8]):
            return " ".join(words[start:start + 8])
    raise AssertionError("no phrase of eight plain words in the ground truth")


@pytest.fixture(scope="module")
def crawled(newsmirror: Mirror, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ingest.CrawlSummary]:
    data = tmp_path_factory.mktemp("mirror-corpus")
    store = open_store(data)
    ingest.add_source(store, f"{newsmirror.base_url}/{SITE}/")
    settings = Settings(per_host_delay=0.0, request_timeout=10.0)
    summary = ingest.Crawler(store, SearchIndex(data), settings).run()
    store.close()
    return data, summary


def site_pages(newsmirror: Mirror) -> list[dict[str, str]]:
    return [p for p in newsmirror.manifest()["pages"] if p["site"] == SITE]  # type: ignore[index, union-attr]


def test_crawl_stores_every_article_of_the_site(crawled: tuple[Path, ingest.CrawlSummary], newsmirror: Mirror) -> None:
    data, summary = crawled
    pages = site_pages(newsmirror)
    assert summary.failed == 0 and summary.new == len(pages) > 10
    store = open_store(data)
    urls = {d.url for batch in store.iter_documents() for d in batch}
    assert urls == {newsmirror.base_url + p["path"] for p in pages}


def test_crawl_makes_every_article_findable_by_a_phrase(crawled: tuple[Path, ingest.CrawlSummary],
                                                         newsmirror: Mirror) -> None:
    data, _ = crawled
    store, index = open_store(data), SearchIndex(data)
    misses = []
    for page in site_pages(newsmirror):
        truth = json.loads((NEWSMIRROR / page["truth"]).read_text(encoding="utf-8"))
        phrase = distinctive_phrase(truth["body"])
        hits = ingest.search(store, index, f'"{phrase}"', limit=3)
        if not hits or hits[0].url != newsmirror.base_url + page["path"]:
            misses.append((page["id"], phrase))
    assert misses == []


def test_crawl_again_adds_nothing_and_refetches_no_article(crawled: tuple[Path, ingest.CrawlSummary],
                                                          newsmirror: Mirror) -> None:
    data, _ = crawled
    store = open_store(data)
    summary = ingest.Crawler(store, SearchIndex(data), Settings(per_host_delay=0.0)).run()
    assert (summary.new, summary.duplicates, summary.failed) == (0, 0, 0)
    assert summary.feeds_not_modified == summary.feeds_polled == 1
    requested = newsmirror.stats()["path"]
    assert all(requested[p["path"]] == 1 for p in site_pages(newsmirror))
    assert requested.get(f"/{SITE}/private/drafts.html", 0) == 0
    db = sqlite3.connect(data / DATABASE_NAME)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_crawl_stores_annotations_for_articles(crawled: tuple[Path, ingest.CrawlSummary]) -> None:
    data, _ = crawled
    stats = open_store(data).stats()
    assert stats["dates"] and stats["places"] and stats["entities"]  # type: ignore[truthy-bool]
