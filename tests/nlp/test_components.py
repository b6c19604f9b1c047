"""The spaCy components on the real English pipeline: the extract contract, dates, places and laws."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from newscorpus.errors import StorageError
from newscorpus.nlp import Annotator
from newscorpus.nlp._extensions import doc_text
from newscorpus.nlp._gazetteer import load_gazetteer
from newscorpus.nlp.components.lawrefs import _PROVISION_START, _any_of, _provision_starts
from newscorpus.nlp.pipeline import COMPONENTS

CONTRACT_TEXT = (
    "Reuters reported last Friday from London that section 1 of the Computer Misuse Act 1990 was used "
    "in three cases."
)


def test_components_are_registered_as_spacy_factories(annotator: Annotator) -> None:
    assert annotator.nlp.pipe_names[-3:] == list(COMPONENTS)
    blank = spacy.blank("en")
    for name in COMPONENTS:
        assert blank.has_factory(name)


def test_components_produce_the_extract_contract(annotator: Annotator) -> None:
    found = annotator.annotate(CONTRACT_TEXT, date(2026, 3, 10)).to_dict()
    assert set(found) == {"dates", "places", "laws", "entities", "focus"}
    assert {"text": "last Friday", "start": 17, "end": 28, "value": "2026-03-06", "type": "DATE",
            "range_ends": None} in found["dates"]
    london = next(p for p in found["places"] if p["text"] == "London")
    assert (london["geonameid"], london["country_code"], london["admin1"]) == (2643743, "GB", "England")
    law = found["laws"][0]
    assert (law["name"], law["year"], law["section"]) == ("Computer Misuse Act", 1990, "Section 1")
    assert law["text"] == "section 1 of the Computer Misuse Act 1990"
    assert {"text": "Reuters", "start": 0, "end": 7, "label": "ORG"} in found["entities"]


def test_components_resolve_relative_dates_against_the_publication_date(annotator: Annotator) -> None:
    text = "The minister resigned yesterday."
    assert annotator.annotate(text, date(2026, 3, 10)).dates[0].value == "2026-03-09"
    assert annotator.annotate(text, date(2020, 1, 1)).dates[0].value == "2019-12-31"


def test_components_dates_ranges_give_both_ends(annotator: Annotator) -> None:
    dates = annotator.annotate("Talks ran from March to May 2025, and prices rose between 2020 and 2025.",
                               date(2026, 3, 10)).dates
    assert [(d.text, d.value, d.range_ends) for d in dates] == [
        ("March", "2025-03", ("2025-03", "2025-05")), ("May 2025", "2025-05", ("2025-03", "2025-05")),
        ("2020", "2020", ("2020", "2025")), ("2025", "2025", ("2020", "2025")),
    ]


def test_components_dates_join_a_time_and_its_day_and_split_a_period_from_its_end(annotator: Annotator) -> None:
    text = "The offer expired at noon Thursday. Profit rose in the quarter ended Sept. 30, 2025."
    found = {d.text: (d.type, d.value) for d in annotator.annotate(text, date(2026, 3, 10)).dates}
    assert found["noon Thursday"] == ("TIME", "2026-03-05T12:00")
    assert found["the quarter"] == ("DATE", "2025-Q3")
    assert found["Sept. 30, 2025"] == ("DATE", "2025-09-30")


def test_components_places_use_the_story_countries(annotator: Annotator) -> None:
    pakistan = annotator.annotate("Flooding hit Pakistan this week. In Hyderabad, roads were closed.")
    india = annotator.annotate("Flooding hit India this week. In Hyderabad, roads were closed.")
    assert [p.country_code for p in pakistan.places if p.text == "Hyderabad"] == ["PK"]
    assert [p.country_code for p in india.places if p.text == "Hyderabad"] == ["IN"]


@pytest.mark.parametrize(("text", "name", "expected"), [
    ("Police in Ludhiana said floods hit villages across Punjab.", "Punjab", ("IN", "Punjab")),
    ("Police in Lahore said floods hit villages across Punjab.", "Punjab", ("PK", "Punjab")),
    ("The festival in Paris, Texas, drew 3,000 people.", "Paris", ("US", "Texas")),
    ("The festival in Paris drew crowds from across France.", "Paris", ("FR", "Ile-de-France")),
    ("Storms hit Atlanta and much of Georgia overnight.", "Georgia", ("US", "Georgia")),
    ("Protesters in Tbilisi demanded that Georgia join the EU.", "Georgia", ("GE", None)),
    ("She moved to Washington, where Congress was in session.", "Washington", ("US", "Washington, D.C.")),
    ("Flooding hit Pakistan this week. In Hyderabad, roads were closed.", "Hyderabad", ("PK", "Sindh")),
    ("Flooding hit India this week. In Hyderabad, roads were closed.", "Hyderabad", ("IN", "Telangana")),
])
def test_components_places_resolve_ambiguous_names_from_the_story(
        annotator: Annotator, text: str, name: str, expected: tuple[str, str | None]) -> None:
    place = next(p for p in annotator.annotate(text).places if p.text == name)
    assert (place.country_code, place.admin1) == expected


@pytest.mark.parametrize(("text", "name", "expected"), [
    # a county named like the town does not vouch for its own region (there is an Alexandria county in Brazil)
    ("Police in Alexandria charged two parents after a fight on Memphis Street.", "Alexandria", "EG"),
    # Perth, filed under a "Cambridge" district in the data, does not make that district outweigh the city
    ("Crowds lined the streets of Cambridge for the parade.", "Cambridge", "GB"),
])
def test_components_places_no_name_supports_itself(annotator: Annotator, text: str, name: str, expected: str) -> None:
    place = next(p for p in annotator.annotate(text).places if p.text == name)
    assert place.country_code == expected


def test_components_places_countries_sit_at_the_geonames_point(annotator: Annotator) -> None:
    points = {p.text: (p.lat, p.lon) for p in annotator.annotate("Trade between China and the United States grew.").places}
    assert points == {"China": (35.0, 105.0), "United States": (39.76, -98.5)}


def test_components_places_are_named_without_their_article(annotator: Annotator) -> None:
    text = "Storms hit the United States and the Philippines."
    assert [p.text for p in annotator.annotate(text).places] == ["United States", "Philippines"]


def test_components_places_focus_is_what_the_story_is_about(annotator: Annotator) -> None:
    text = ("NAIROBI - Kenya's parliament passed the bill in Nairobi on Monday. Lawmakers in Mombasa and Kisumu "
            "welcomed it; a delegate who had flown in from London said little.")
    focus = annotator.annotate(text).focus
    assert [(f.country_code, f.admin1) for f in focus][:1] == [("KE", None)]
    assert "GB" not in {f.country_code for f in focus}  # a passing mention
    assert all(0.25 <= f.share <= 1 for f in focus)


def test_components_places_leave_out_governments_diseases_and_people(annotator: Annotator) -> None:
    text = ("Washington said on Monday it would impose sanctions. The Ebola virus spread. "
            "Mikheil Saakashvili spoke; Saakashvili later left. MANSFIELD - A barn burned in Richland County, Ohio.")
    places = [p.text for p in annotator.annotate(text).places]
    assert places == ["MANSFIELD", "Richland County", "Ohio"]


def test_components_laws_acronyms_back_references_and_non_laws(annotator: Annotator) -> None:
    text = ("Police in Lahore booked him under Section 420 of the PPC. Bill Gates visited. "
            "The Prevention of Electronic Crimes Act, 2016 was amended; under section 20 of the Act he faces jail. "
            "It was an act of violence.")
    laws = annotator.annotate(text).laws
    assert [(law.name, law.section) for law in laws] == [
        ("Pakistan Penal Code", "Section 420"),
        ("Prevention of Electronic Crimes Act", None),
        ("Prevention of Electronic Crimes Act", "Section 20"),
    ]
    assert {law.jurisdiction for law in laws} == {"PK"}
    assert laws[2].year == 2016


def test_components_handle_empty_and_odd_text(annotator: Annotator) -> None:
    assert annotator.annotate("").to_dict() == {"dates": [], "places": [], "laws": [], "entities": [], "focus": []}
    annotator.annotate("\x00\x01 ☃ " * 50)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_components_offsets_always_point_at_the_span_text(annotator: Annotator, text: str) -> None:
    found = annotator.annotate(text, date(2026, 3, 10))
    for record in [*found.dates, *found.places, *found.laws, *found.entities]:
        assert text[record.start:record.end] == record.text


_LAW_PIECES = ["Section", "sections", "Article", "19(1)(a)", "420", "376 and 506(2)", "of the", "IPC", "PPC", "Act",
               "Act,", "2016", "Bill", "Constitution", "(PECA)", "Prevention of Electronic Crimes", "RA 10175",
               "Title IX", "First Amendment", "the same Act", "an Act granting", "(", ")", ",", ".", "\n", "Kill Bill",
               "Bill Gates", "act of violence", "Ohio House Bill 1", "Clause", "Code of Criminal Procedure", "No. 5 of"]


@given(st.lists(st.sampled_from(_LAW_PIECES), max_size=25))
@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_components_laws_never_crash_and_offsets_point_at_the_text(annotator: Annotator, pieces: list[str]) -> None:
    text = " ".join(pieces)
    for law in annotator.annotate(text).laws:
        assert text[law.start:law.end] == law.text and law.end > law.start


@given(st.lists(st.sampled_from(["Section", "sub-section", "Ss.", "s.", "art", "Part", "İ", "ß", " ", "-", "3", "x"]))
       .map("".join))
def test_components_laws_find_provision_words_by_their_first_letters_as_the_pattern_does(text: str) -> None:
    assert _provision_starts(text) == [m.start() for m in _PROVISION_START.finditer(text)]


_ACRONYMS = ["PML", "PMLA", "PMLA Act", "IPC", "CrPC", "Cr.P.C.", "NDPS Act", "Pmla"]


@given(st.lists(st.sampled_from(_ACRONYMS), min_size=1),
       st.lists(st.sampled_from([*_ACRONYMS, " ", " Act", ".", "-", ")", "x"])).map("".join))
def test_components_laws_acronyms_merged_in_a_letter_tree_match_as_a_list_longest_first(names: list[str],
                                                                                           text: str) -> None:
    listed = re.compile("(" + "|".join(map(re.escape, sorted(set(names), key=len, reverse=True))) +
                        r")(?:\s+Act\b)?(?![\w)\-])")
    assert [m.group() for m in _any_of(names).finditer(text)] == [m.group() for m in listed.finditer(text)]


def test_components_share_each_docs_own_text(annotator: Annotator) -> None:
    first, second = annotator.nlp.make_doc("One story."), annotator.nlp.make_doc("Another story.")
    assert (doc_text(first), doc_text(second), doc_text(first)) == ("One story.", "Another story.", "One story.")


@pytest.mark.parametrize(("text", "expected"), [
    ("He was charged under Sections 376 and 506(2) of the IPC in Delhi.",
     ("Sections 376 and 506(2) of the IPC", "Indian Penal Code", 1860, "Sections 376, 506(2)", "IN")),
    ("The court in Lahore cited Article 19(1)(a) of the Constitution of Pakistan.",
     ("Article 19(1)(a) of the Constitution of Pakistan", "Constitution of Pakistan", 1973, "Article 19(1)(a)", "PK")),
    ("Manila police filed charges under RA 10175 on Monday.",
     ("RA 10175", "Cybercrime Prevention Act", None, None, "PH")),  # no year the story gives
    ("The school broke Title IX, the lawyers in Ohio said.", ("Title IX", "Education Amendments", 1972, "Title IX", "US")),
    ("Nairobi police cited the Computer Misuse and Cybercrimes Act, 2018 in the charge sheet.",
     ("Computer Misuse and Cybercrimes Act, 2018", "Computer Misuse and Cybercrimes Act", 2018, None, "KE")),
])
def test_components_laws_are_normalised(annotator: Annotator, text: str, expected: tuple[object, ...]) -> None:
    law = annotator.annotate(text).laws[0]
    assert (law.text, law.name, law.year, law.section, law.jurisdiction) == expected


def test_components_laws_defined_acronyms_name_the_law_but_not_its_court(annotator: Annotator) -> None:
    text = ("Karachi police acted under the Zainab Alert Response and Recovery Act (ZARRA) 2020. The ZARRA Act "
            "was praised, but the ZARRA court was slow. Bill Gates saw the film Kill Bill; it was an act of kindness.")
    laws = annotator.annotate(text).laws
    assert [law.text for law in laws] == ["Zainab Alert Response and Recovery Act (ZARRA) 2020", "ZARRA Act"]
    assert {(law.name, law.year, law.alias) for law in laws} == {
        ("Zainab Alert, Response and Recovery Act", 2020, "ZARRA")}


def test_components_batch_equals_one_by_one(annotator: Annotator) -> None:
    texts = [("Kenya's parliament met on Monday in Nairobi.", date(2026, 3, 10)), (CONTRACT_TEXT, date(2026, 3, 10))]
    assert list(annotator.annotate_batch(texts)) == [annotator.annotate(t, d) for t, d in texts]


def test_components_gazetteer_in_an_unwritable_place_is_one_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("NEWSCORPUS_CACHE", str(blocker / "cache"))
    with pytest.raises(StorageError, match="set NEWSCORPUS_CACHE to a writable directory"):
        load_gazetteer.__wrapped__()
