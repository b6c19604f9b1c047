"""Keeping the index in step with the store: a bulk load (a refill, a reindex) indexes what batch-by-batch indexing
does, commits rarely, and flags as indexed only what tantivy has committed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tantivy

from newscorpus.app import indexing
from newscorpus.app.indexing import index_documents, index_pending, reindex
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.dedup import signature
from newscorpus.corpus.index import IndexWriter, _fields
from newscorpus.crawler.extract import content_hash
from newscorpus.models import Annotations, Article, DateMention, EntityMention, LawReference, PlaceMention
from tests.datadirs import store_of

STORIES = 15
PLACES = [PlaceMention("Nairobi", 0, 7, "Nairobi", 184745, -1.28, 36.82, "KE", "Nairobi Area"),
          PlaceMention("Kenya", 0, 5, "Kenya", 192950, 1.0, 38.0, "KE", None),
          PlaceMention("Lahore", 0, 6, "Lahore", 1172451, 31.5, 74.3, "PK", "Punjab")]
LAWS = [LawReference("section 20 of PECA", 0, 18, "Prevention of Electronic Crimes Act", 2016, "section 20", "PK"),
        LawReference("the Computer Misuse Act", 0, 23, "Computer Misuse and Cybercrimes Act", 2018, None, "KE")]
ENTITIES = [EntityMention("William Ruto", 0, 12, "PERSON"), EntityMention("Ruto", 0, 4, "PERSON"),
            EntityMention("the High Court", 0, 14, "ORG")]


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """The store of `data_dir` holding stories with dates, places, laws, people and organisations; every third one
    has a later syndicated copy, stored after the stories that follow it."""
    store = store_of(data_dir, create=True)
    copies = []
    for n in range(STORIES):
        text = (f"Story {n}: the court in chamber {n % 4} heard case {n * 7} about evidence item {n * 13}, and "
                f"the ruling on matter {n} is expected within {n + 2} weeks.")
        annotations = Annotations(
            dates=[DateMention("June 2025", 0, 9, f"2025-0{1 + n % 9}", "DATE"), DateMention("2024", 0, 4, "2024", "DATE")],
            places=PLACES[:n % 4], laws=LAWS[:n % 3], entities=ENTITIES[:n % 4])
        published = f"{2015 + n}-03-0{1 + n % 9}T09:00:00+00:00"
        article = Article(f"https://www.a.example/{n}", f"https://www.a.example/{n}", f"Court story {n}", (f"R {n}",),
                          published if n % 5 else None, "en", text)
        store.save_document(article, annotations, None, published, content_hash(text), signature=signature(text))
        if n % 3 == 0:
            copies.append((text.replace("the ruling", "a ruling"), annotations, n))
    for text, annotations, n in copies:
        article = Article(f"https://b.example/{n}", f"https://b.example/{n}", f"Court story {n}", (), None, "en", text)
        store.save_document(article, annotations, None, "2030-01-01T00:00:00+00:00", content_hash(text),
                            signature=signature(text))
    yield store
    store.close()


def _indexed(index: SearchIndex, store: Store) -> dict[int, dict[str, Any]]:
    """Every document's indexed values: its stored fields, its numeric fields, and per field the terms it is found
    by (among every value any stored document gives that field)."""
    searcher, schema = index._index.searcher(), index.schema
    addresses = [a for _, a in searcher.search(tantivy.Query.all_query(), limit=1000).hits]
    found: dict[int, dict[str, Any]] = {}
    for address, copy in zip(addresses, searcher.fast_field_values("copy", addresses), strict=True):
        stored = searcher.doc(address).to_dict()
        found[stored["id"][0]] = {"stored": sorted((k, str(v)) for k, v in stored.items()), "copy": copy}
    values: dict[str, set[Any]] = {}
    for batch in store.iter_documents():
        for doc in batch:
            for name, value in _fields(doc, indexing._with_facts(store, [doc], copies=False)[1][doc.id]).items():
                if name not in ("text", "title", "published", "copy"):
                    values.setdefault(name, set()).update(value if isinstance(value, list) else [value])
    for name, terms in values.items():
        for term in terms:
            hits = searcher.search(tantivy.Query.term_query(schema, name, term), limit=1000).hits
            for doc_id in searcher.fast_field_values("id", [a for _, a in hits]):
                found[int(doc_id or 0)].setdefault(name, set()).add(term)
    return found


def test_indexing_bulk_loads_index_what_batch_by_batch_indexing_does(store: Store, data_dir: Path) -> None:
    batched = SearchIndex(data_dir / "batched")
    ids = [d.id for batch in store.iter_documents() for d in batch]
    for start in range(0, len(ids), 2):  # as a crawl does: each copy re-indexes its story's others
        index_documents(store, batched, ids[start:start + 2])
    refilled = SearchIndex(data_dir)
    assert index_pending(store, refilled) == len(ids)
    rebuilt = SearchIndex(data_dir / "rebuilt")
    assert reindex(store, rebuilt) == len(ids)
    expected = _indexed(batched, store)
    assert len(expected) == len(ids) and sum(d["copy"] for d in expected.values()) == len(range(0, STORIES, 3))
    assert all(expected[i].get("people") for i in ids[1:4])  # the store has every kind of value
    assert _indexed(refilled, store) == expected
    assert _indexed(rebuilt, store) == expected


@pytest.fixture
def commits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many documents each commit of an IndexWriter made searchable, by the index's count."""
    made: list[int] = []
    commit = IndexWriter.commit

    def counted(writer: IndexWriter) -> None:
        commit(writer)
        made.append(writer._index.count())
    monkeypatch.setattr(IndexWriter, "commit", counted)
    return made


def test_indexing_reindex_commits_once_and_a_refill_in_large_steps(store: Store, data_dir: Path, commits: list[int],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    total = store.count_documents()
    monkeypatch.setattr(indexing, "_BATCH", 2)
    reindex(store, SearchIndex(data_dir))
    assert commits == [total]
    commits.clear()
    monkeypatch.setattr(indexing, "_REFILL_COMMIT", 8)
    store.mark_all_unindexed()
    index_pending(store, SearchIndex(data_dir / "fresh"))
    assert commits == [8, 16, total]


def test_indexing_refill_flags_only_what_tantivy_committed(store: Store, data_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing, "_BATCH", 2)
    monkeypatch.setattr(indexing, "_REFILL_COMMIT", 4)
    read = store.date_values
    calls = []

    def failing(ids: list[int]) -> dict[int, list[str]]:
        calls.append(ids)
        if len(calls) == 5:
            raise RuntimeError("the disk went away")
        return read(ids)
    monkeypatch.setattr(store, "date_values", failing)
    with pytest.raises(RuntimeError):
        index_pending(store, SearchIndex(data_dir))
    flagged = store.count_documents(indexed=True)
    index = SearchIndex(data_dir)  # what tantivy committed
    assert flagged == 8 and index.count() == flagged
    unflagged = {d.id for d in store.unindexed_documents(100)}
    searcher = index._index.searcher()
    in_index = searcher.fast_field_values("id", [a for _, a in searcher.search(tantivy.Query.all_query(), 100).hits])
    assert unflagged.isdisjoint(in_index)
    monkeypatch.setattr(store, "date_values", read)
    assert index_pending(store, index) == store.count_documents() - flagged  # the rest, as crawl leftovers
    assert index.count() == store.count_documents() == store.count_documents(indexed=True)
