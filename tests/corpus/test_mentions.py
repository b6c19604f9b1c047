"""Filtering on the dates articles mention: containment semantics over periods."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscorpus.app.indexing import index_pending
from newscorpus.corpus import SearchIndex, open_store, search
from newscorpus.corpus.mentions import mention_terms, period_term
from newscorpus.errors import QueryError
from newscorpus.models import Annotations, Article, DateMention

NOW = "2026-03-10T12:00:00+00:00"


def test_mentions_a_date_is_indexed_under_every_period_that_contains_it() -> None:
    assert mention_terms("2025-06-12") == {"2025-06-12", "2025-06", "2025-Q2", "2025", "202"}
    assert mention_terms("2025-06") == {"2025-06", "2025-Q2", "2025", "202"}
    assert mention_terms("2025-W24") == {"2025-W24", "2025", "202"}
    assert mention_terms("2025") == {"2025", "202"}
    assert mention_terms("2026-03-06T15:00") >= {"2026-03-06", "2026-03"}
    assert mention_terms("P3Y") == mention_terms("PRESENT_REF") == mention_terms(None) == set()


@pytest.mark.parametrize("period", ["June", "2025-6", "20251", "2025-13-01x", "", "'; DROP TABLE"])
def test_mentions_bad_period_is_a_query_error(period: str) -> None:
    with pytest.raises(QueryError, match="not a period"):
        period_term(period)


def test_mentions_filter_finds_articles_mentioning_a_date_within_the_period(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    mentions = {"june-day": ["2025-06-12"], "june-month": ["2025-06"], "year-only": ["2025"], "other": ["2024-06-01"]}
    ids = {}
    for name, values in mentions.items():
        text = f"A report about the floods ({name}) and what followed."
        dates = [DateMention(v, 0, len(v), v, "DATE") for v in values]
        article = Article(f"https://n.example/{name}", f"https://n.example/{name}", name, (), None, "en", text)
        ids[name] = store.save_document(article, Annotations(dates=dates), None, NOW, name)[0]
    index = SearchIndex(tmp_path)
    index_pending(store, index)

    def found(period: str, query: str = "floods") -> set[str]:
        return {h.title for h in search(store, index, f"{query} mentions:{period}") if h.title}

    assert found("2025-06") == {"june-day", "june-month"}  # a bare "2025" lies not within June 2025
    assert found("2025") == {"june-day", "june-month", "year-only"}
    assert found("2025-Q2") == {"june-day", "june-month"}
    assert found("2025-06-12") == {"june-day"}
    assert found("202") == {"june-day", "june-month", "year-only", "other"}
    assert found("2025-06", query="") == {"june-day", "june-month"}  # the filter alone
    assert found("2023") == set()
