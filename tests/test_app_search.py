"""The search use case every door shares: pages that cover every story once, the total, copies, how each filter
was understood, bounds on a request, timelines of any span, and the same stories through each door."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from newscorpus import Corpus
from newscorpus.app.documents import get_document
from newscorpus.app.indexing import index_pending
from newscorpus.app.search import MAX_DEPTH, SearchRequest, search
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.dedup import signature
from newscorpus.corpus.entities import entity_names
from newscorpus.crawler.extract import content_hash
from newscorpus.errors import NotFoundError, QueryError
from newscorpus.models import Annotations, Article, Document, LawReference, PlaceMention
from tests.conftest import LocalSite
from tests.datadirs import MakeDataDir, store_of
from tests.test_cli import one_line_error, run

STORIES = 12
COPIED = (2, 5, 9)  # these stories have one syndicated copy each
NAIROBI = PlaceMention("Nairobi", 0, 7, "Nairobi", 184745, -1.28, 36.82, "KE", "Nairobi Area")


def _text(n: int) -> str:
    return (f"Story {n} of the court ruling series. The judges heard case number {n * 7} in chamber {n % 4}. "
            f"Lawyers for side {n} argued for hours about evidence item {n * 13} and witness {n * 3}. "
            f"The ruling on matter {n} is expected within {n + 2} weeks, the registrar said.")


@pytest.fixture(scope="module")
def corpus(make_data_dir: MakeDataDir) -> Iterator[tuple[Path, Store, SearchIndex]]:
    """Twelve court stories a year apart from 2015, three with a near-identical copy at another outlet; the odd
    ones happen in Nairobi and cite the Computer Misuse and Cybercrimes Act."""
    data = make_data_dir("app-search")
    store = store_of(data, create=True)
    for n in range(STORIES):
        published = f"{2015 + n}-03-0{1 + n % 9}T09:00:00+00:00"
        cited = Annotations(places=[NAIROBI], laws=[LawReference(
            "Computer Misuse and Cybercrimes Act", 0, 35, "Computer Misuse and Cybercrimes Act", 2018, None, "KE")]
        ) if n % 2 else Annotations()
        versions = [(f"https://a.example/{n}", _text(n))]
        if n in COPIED:
            versions.append((f"https://b.example/{n}", _text(n).replace("the registrar said", "a clerk said")))
        for url, text in versions:
            article = Article(url, url, f"Court story {n}", (), published, "en", text)
            store.save_document(article, cited, None, published, content_hash(text), signature=signature(text))
    index = SearchIndex(data)
    index_pending(store, index)
    yield data, store, index
    store.close()
    index.close()


def test_search_pages_cover_every_story_once(corpus: tuple[Path, Store, SearchIndex]) -> None:
    _, store, index = corpus
    for all_copies, expected in ((False, STORIES), (True, STORIES + len(COPIED))):
        request = SearchRequest("court", page_size=5, all_copies=all_copies)
        first = search(store, index, request)
        assert first.total == expected and first.pages == -(-expected // 5)
        seen = [hit.id for page in range(1, first.pages + 1)
                for hit in search(store, index, replace(request, page=page)).hits]
        assert len(seen) == len(set(seen)) == expected  # every story on exactly one page
        assert not search(store, index, replace(request, page=first.pages + 1)).hits


def test_search_collapses_copies_and_the_document_lists_them(corpus: tuple[Path, Store, SearchIndex]) -> None:
    _, store, index = corpus
    hits = search(store, index, SearchRequest("court", page_size=100)).hits
    copied = [hit for hit in hits if hit.copies]
    assert len(copied) == len(COPIED) and all(hit.copies == 1 for hit in copied)
    for hit in copied:
        view = get_document(store, hit.id)
        assert [c.url for c in view.copies] == [hit.url.replace("a.example", "b.example")]
        assert view.to_dict()["copies"][0]["id"] == view.copies[0].id != hit.id
    # words only a copy has: the hit is that copy, a document that matches, not its original
    clerk = search(store, index, SearchRequest("clerk", page_size=100)).hits
    assert clerk and all(hit.url.startswith("https://b.example/") for hit in clerk)
    with pytest.raises(NotFoundError, match="no document with id 999999") as raised:
        get_document(store, 999999)
    assert raised.value.http_status == 404


def test_search_says_how_each_filter_was_understood(corpus: tuple[Path, Store, SearchIndex]) -> None:
    _, store, index = corpus
    request = SearchRequest('court law:"computer misuse and cybercrimes act" -law:"Official Secrets Act"',
                            {"place": "Kenya"}, since="2016")
    response = search(store, index, request)
    understood = {u.field + ":" + u.value: u for u in response.understood}
    law = understood["law:computer misuse and cybercrimes act"]
    assert law.meaning == "Computer Misuse and Cybercrimes Act (KE)" and law.stories == STORIES // 2
    assert understood['law:Official Secrets Act'].stories == 0  # named, but nothing in the corpus cites it
    assert understood["place:Kenya"].meaning == "Kenya (KE)"
    assert understood["published:2016.."].meaning == "published from 2016-01-01"
    assert response.total == len(response.hits) == STORIES // 2  # the odd stories, all from 2016 on


def test_search_timeline_chooses_an_interval_to_suit_the_span(corpus: tuple[Path, Store, SearchIndex]) -> None:
    _, store, index = corpus
    yearly = search(store, index, SearchRequest("court", page_size=0, timeline="auto"))
    assert yearly.interval == "year" and yearly.hits == []
    assert yearly.timeline == [(str(2015 + n), 1) for n in range(STORIES)]  # each story once, not its copies
    one_year = search(store, index, SearchRequest("court", {"published": "2020"}, page_size=0, timeline="auto"))
    assert one_year.interval == "day" and one_year.timeline == [("2020-03-06", 1)]
    months = search(store, index, SearchRequest("court", page_size=0, timeline="month")).timeline or []
    assert len(months) == 12 * (STORIES - 1) + 1 and sum(n for _, n in months) == STORIES


@pytest.mark.parametrize(("change", "message"), [
    ({"page": 0}, "page counts from 1"),
    ({"page_size": 1001}, "page size is 0 to 1000"),
    ({"page": MAX_DEPTH // 10 + 1, "page_size": 10}, "pages reach the first 10,000 hits"),
    ({"facets": ("colour",)}, "no facet 'colour'"),
    ({"timeline": "decade"}, "no timeline interval 'decade'"),
    ({"sort": "random"}, "sort is relevance or date"),
    ({"query": "x" * 2001}, "at most 2000"),
])
def test_search_request_out_of_bounds_is_a_client_error(corpus: tuple[Path, Store, SearchIndex],
                                                        change: dict[str, object], message: str) -> None:
    _, store, index = corpus
    with pytest.raises(QueryError, match=message) as raised:
        search(store, index, replace(SearchRequest("court"), **change))  # type: ignore[arg-type]
    assert raised.value.http_status == 400


def test_search_gives_the_same_stories_through_every_door(corpus: tuple[Path, Store, SearchIndex]) -> None:
    data, store, index = corpus
    query = 'court law:"Computer Misuse and Cybercrimes Act"'
    direct = search(store, index, SearchRequest(query, page_size=20, facets=("law",), timeline="year"))
    cli = json.loads(run(data, "search", query, "--limit", "20", "--format", "json").stdout)
    with Corpus(data) as api:
        results = api.search(query, limit=20)
        assert [h.id for h in results] == [h["id"] for h in cli["hits"]] == [h.id for h in direct.hits]
        assert results.total == cli["total"] == direct.total == STORIES // 2
        assert results.facets("law") == direct.facets["law"] == [("Computer Misuse and Cybercrimes Act", 6)]
        assert results.timeline("year") == direct.timeline
    facet_rows = run(data, "search", query, "--facets", "law", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(row)["stories"] for row in facet_rows] == [6]


def test_search_cli_shows_ids_pages_and_filters_that_match_nothing(corpus: tuple[Path, Store, SearchIndex]) -> None:
    data, store, _ = corpus
    result = run(data, "search", "court", "--limit", "5", "--page", "2", "--law", "Harbour Lights Act")
    assert "law: Harbour Lights Act (no story in the corpus matches this on its own)" in result.stderr
    result = run(data, "search", "court", "--limit", "5", "--page", "2")
    assert "stories 6-10 of 12; next: --page 3" in result.stderr
    shown = json.loads(run(data, "search", "court", "--limit", "5", "--page", "2", "--format", "json").stdout)
    first_id = str(shown["hits"][0]["id"])
    first_row = next(line for line in result.stdout.splitlines() if line.startswith("│"))
    assert first_row.split("│")[1].strip() == first_id  # the table's first column is the id `show` takes
    assert "Court story" in run(data, "show", first_id).stdout
    assert "no document with id 999999" in one_line_error(run(data, "show", "999999"))


def test_search_cli_timeline_alone_chooses_its_interval(corpus: tuple[Path, Store, SearchIndex]) -> None:
    data = corpus[0]
    rows = run(data, "search", "court", "--timeline", "--format", "csv").stdout.splitlines()
    assert rows[0] == "year,stories,all_stories,share"
    assert rows[1:] == [f"{2015 + n},1,1,1.0" for n in range(STORIES)]
    assert run(data, "search", "court", "--timeline", "year", "--format", "csv").stdout.splitlines() == rows


@pytest.fixture(scope="module")
def crawled(site: LocalSite, make_data_dir: MakeDataDir) -> Iterator[tuple[Path, Store, SearchIndex]]:
    """The test site crawled from two sources with their own tags: the gazette's feed and a wire feed that runs
    two of its stories again and a rewrite of one."""
    data = make_data_dir("crawled")
    assert run(data, "sources", "add", site.url("/news/"), "--tag", "Gazette").exit_code == 0
    assert run(data, "sources", "add", site.url("/wire/feed.xml"), "--tag", "wire").exit_code == 0
    assert run(data, "crawl").exit_code == 0
    store = store_of(data)
    yield data, store, SearchIndex(data)
    store.close()


def _stories(store: Store) -> list[Document]:
    """Every stored document that is its story's first copy (what search, facets and timelines count)."""
    documents = [d for batch in store.iter_documents() for d in batch]
    originals = store.clusters(list({d.cluster_id for d in documents if d.cluster_id is not None}))
    return [d for d in documents if d.cluster_id is None or originals.get(d.cluster_id, (d.id, 1))[0] == d.id]


def test_search_tag_is_the_stories_of_the_sources_that_carry_it(crawled: tuple[Path, Store, SearchIndex]) -> None:
    _, store, index = crawled
    documents = [d for batch in store.iter_documents() for d in batch]
    found = {}
    for tag in ("gazette", "WIRE"):  # a tag is matched whatever its case
        tagged = {source_id for source_id, _ in store.sources_tagged(tag)}
        assert len(tagged) == 1
        response = search(store, index, SearchRequest(f"tag:{tag}", page_size=100, all_copies=True))
        found[tag] = {hit.id for hit in response.hits}
        assert found[tag] == {d.id for d in documents if d.source_id in tagged} != set()
    assert found["gazette"] | found["WIRE"] == {d.id for d in documents}
    nothing = search(store, index, SearchRequest("tag:sport"))
    assert nothing.total == 0 and nothing.understood[0].meaning.startswith("no source is tagged 'sport'")


def test_search_attention_is_the_share_of_the_periods_stories(crawled: tuple[Path, Store, SearchIndex]) -> None:
    _, store, index = crawled
    stories = _stories(store)
    # Both feeds list the strike story: the one polled first owns it, and a filter by its tag keeps it.
    owner = next(d.source_id for d in stories if "strike" in (d.title or "").lower())
    tag, tagged = next((t, ids) for t in ("gazette", "wire") if owner in (ids := {i for i, _ in store.sources_tagged(t)}))
    for query, sources in (("strike", None), (f"strike tag:{tag}", tagged)):
        response = search(store, index, SearchRequest(query, page_size=0, timeline="month"))
        assert response.timeline and response.attention and response.published_in_period
        for (period, n), all_n, (_, share) in zip(response.timeline, response.published_in_period,
                                                  response.attention, strict=True):
            published = [d for d in stories if (d.published or "").startswith(period)
                         and (sources is None or d.source_id in sources)]
            assert all_n == len(published) and share == (n / all_n if all_n else 0.0)
    everything = search(store, index, SearchRequest("", page_size=0, timeline="month"))
    periods = zip(everything.timeline or [], everything.attention or [], strict=True)
    assert {share for (_, n), (_, share) in periods if n} == {1.0}


def test_search_people_and_organisation_facets_count_each_story_once(
        crawled: tuple[Path, Store, SearchIndex]) -> None:
    _, store, index = crawled
    stories = _stories(store)
    named = store.entity_values([d.id for d in stories])
    for facet, which in (("person", 0), ("organisation", 1)):
        expected = Counter(name for d in stories for name in entity_names(named[d.id])[which])
        counts = search(store, index, SearchRequest(page_size=0, facets=(facet,), facet_size=1000)).facets[facet]
        assert dict(counts) == dict(expected)
    assert any(dict(search(store, index, SearchRequest(page_size=0, facets=(f,))).facets[f])
               for f in ("person", "organisation"))  # the test site names some


def test_search_pages_hold_every_story_when_one_has_many_copies(data_dir: Path) -> None:
    store = store_of(data_dir, create=True)
    for n in range(10):
        versions = 40 if n == 3 else 1  # one story that forty outlets ran, each a little differently
        for copy in range(versions):
            text = _text(n) + (f" Reported by outlet {copy}." if copy else "")
            url = f"https://o{copy}.example/{n}"
            published = f"2026-01-{10 + n:02d}T{copy // 60:02d}:{copy % 60:02d}:00+00:00"
            article = Article(url, url, f"Court story {n}", (), published, "en", text)
            store.save_document(article, Annotations(), None, published, content_hash(text),
                                signature=signature(text))
    index = SearchIndex(data_dir)
    index_pending(store, index)
    request = SearchRequest("court", sort="date", page_size=3)
    pages = [search(store, index, replace(request, page=page)).hits for page in range(1, 5)]
    titles = [hit.title for hits in pages for hit in hits]
    assert sorted(titles) == sorted(f"Court story {n}" for n in range(10))  # each story once, on some page
    assert [len(hits) for hits in pages] == [3, 3, 3, 1]
    assert next(h for hits in pages for h in hits if h.title == "Court story 3").copies == 39
    store.close()
