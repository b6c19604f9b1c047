"""The tantivy index: add, search, snippets, bad queries, and rebuild after a version change."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscorpus.corpus import SearchIndex
from newscorpus.corpus.index import _VERSION_FILE
from newscorpus.errors import QueryError
from newscorpus.models import Document


def _doc(doc_id: int, title: str, text: str, published: str | None = "2026-03-10T09:00:00+00:00") -> Document:
    return Document(id=doc_id, url=f"https://n.example/{doc_id}", canonical_url=f"https://n.example/{doc_id}",
                    source_id=None, source="Example News", title=title, authors=(), published=published,
                    fetched_at="2026-03-10T10:00:00+00:00", language="en", text=text, content_hash="h")


DOCS = [
    _doc(1, "Court suspends cybercrime law", "The High Court in Nairobi suspended two sections of the cybercrime law."),
    _doc(2, "Floods in Punjab", "Heavy monsoon rain flooded villages in Punjab and displaced thousands.", None),
    _doc(3, "Glaciers melting", "Alpine glaciers lost a tenth of their ice, a survey of glaciers found."),
]


def test_index_search_ranks_and_snippets(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    index.add(DOCS)
    assert index.count() == 3
    assert [doc_id for doc_id, _ in index.search("glaciers")] == [3]
    assert index.search('"monsoon rain flooded"')[0][0] == 2
    assert {doc_id for doc_id, _ in index.search("punjab OR nairobi")} == {1, 2}
    assert index.search("title:court")[0][0] == 1
    snippets = index.snippets("monsoon", {2: DOCS[1].text})
    assert "<b>monsoon</b>" in snippets[2]


def test_index_stems_english_words(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    index.add(DOCS)
    assert index.search("flood")[0][0] == 2


def test_index_readding_a_document_replaces_it(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    index.add(DOCS)
    index.add([DOCS[0]])
    assert index.count() == 3


@pytest.mark.parametrize("query", ['"unclosed', "title:", "AND", "flood AND", "(flood OR rain", "flood )", "foo:bar",
                                   '"—"', "published:2025-13", "country:Kenya"])
def test_index_bad_query_raises_query_error(tmp_path: Path, query: str) -> None:
    index = SearchIndex(tmp_path)
    index.add(DOCS)
    with pytest.raises(QueryError):
        index.search(query)


def test_index_of_another_version_is_reset(tmp_path: Path) -> None:
    SearchIndex(tmp_path).add(DOCS)
    (tmp_path / "index" / _VERSION_FILE).write_text("0")
    index = SearchIndex(tmp_path)
    assert index.was_reset and index.count() == 0
