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


def test_index_summaries_follow_a_document_changed_in_place(tmp_path: Path) -> None:
    """Re-adding a changed document keeps the counts of documents and segments: what was remembered of the
    index before is not answered after, in this process or another that reads it."""
    from dataclasses import replace

    index = SearchIndex(tmp_path)
    index.add(DOCS)
    reader = SearchIndex(tmp_path, read_only=True)
    for seen in (index, reader):
        assert seen.count_matches("lang:en") == 3 and seen.timeline("", "year")[1] == [("2026", 2)]
    for changed in (replace(DOCS[0], language="fr", published="2001-06-01T00:00:00+00:00"), DOCS[0]):
        index.add([changed])
        english = 2 if changed.language == "fr" else 3
        years = [("2001", 1)] + [(str(y), 0) for y in range(2002, 2026)] + [("2026", 1)] \
            if changed.language == "fr" else [("2026", 2)]
        for seen in (index, reader):
            assert seen.count_matches("lang:en") == english and seen.timeline("", "year")[1] == years


def test_index_timelines_reach_the_dates_tantivy_holds(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    index.add([_doc(1, "Old", "An old story.", "1677-09-22T00:00:00+00:00"),
               _doc(2, "Far", "A far story.", "2262-04-10T00:00:00+00:00")])
    years = index.timeline("", "year")[1]
    assert years[0] == ("1677", 1) and years[-1] == ("2262", 1) and sum(n for _, n in years) == 2
    assert index.timeline("", "month")[1][-1] == ("2262-04", 1)
