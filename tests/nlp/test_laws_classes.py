"""Law references in phrasings no benchmark article was fitted to: one class of phrasing per test, in short
invented texts, on the real English pipeline."""

from __future__ import annotations

from datetime import date

import pytest

from newscorpus.nlp import Annotator


def laws(annotator: Annotator, text: str) -> list[tuple[str, str | None, int | None, str | None, str | None]]:
    return [(law.text, law.name, law.year, law.section, law.jurisdiction)
            for law in annotator.annotate(text, date(2025, 6, 11)).laws]


@pytest.mark.parametrize(("text", "expected"), [
    ("Lawyers said the decree violates the Nigerian constitution.", ("Nigerian constitution", "NG")),
    ("Under Kenya's constitution, a president serves two terms.", ("Kenya's constitution", "KE")),
    ("The Pakistani Constitution guarantees a fair trial.", ("Pakistani Constitution", "PK")),
])
def test_laws_a_constitution_named_by_its_country_or_demonym(annotator: Annotator, text: str,
                                                           expected: tuple[str, str]) -> None:
    (found,) = laws(annotator, text)
    assert (found[0], found[4]) == expected
    assert found[1] is not None and found[1].startswith("Constitution of ") and "Pakistani" not in found[1]


def test_laws_a_provision_of_a_constitution_named_by_its_demonym(annotator: Annotator) -> None:
    (found,) = laws(annotator, "The ban breaches Article 19 of the Indian constitution, the petition says.")
    assert (found[1], found[3], found[4]) == ("Constitution of India", "Article 19", "IN")


def test_laws_the_constitution_of_a_body_is_no_law(annotator: Annotator) -> None:
    assert laws(annotator, "He questioned the constitution of the special court.") == []


@pytest.mark.parametrize(("text", "title"), [
    ("Senate Passes Electoral Bill", "Electoral Bill"),  # a headline's verb is no part of the title
    ("Lawmakers Reject Finance Bill 2024", "Finance Bill 2024"),
    ("Senator Smith's Online Safety Bill was debated for a week.", "Online Safety Bill"),  # an owner
    ("Kenya's Finance Bill passed its second reading.", "Finance Bill"),
])
def test_laws_a_title_starts_after_a_verb_or_an_owner(annotator: Annotator, text: str, title: str) -> None:
    assert [found[0] for found in laws(annotator, text)] == [title]


def test_laws_a_plural_possessive_stays_in_its_title(annotator: Annotator) -> None:
    assert [found[0] for found in laws(annotator, "The Women's Reservation Bill passed on Monday.")] == [
        "Women's Reservation Bill"]
