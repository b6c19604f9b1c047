"""Places on ordinary news: a name is a place only on evidence that it is one here, and a world city keeps its
meaning. Short invented texts, one class of phrasing each, on the real English pipeline."""

from __future__ import annotations

from datetime import date

import pytest

from newscorpus.models import PlaceMention
from newscorpus.nlp import Annotator

DAY = date(2025, 6, 12)


def places(annotator: Annotator, text: str) -> dict[str, PlaceMention]:
    return {p.text: p for p in annotator.annotate(text, DAY).places}


@pytest.mark.parametrize("text", [
    "The probe will reach Mars in 2030 and fly past Europa and Ceres later.",
    "You can ask Siri or Alexa to read the news aloud.",
    "Miss Smith and Bishop Jones opened the fete.",
    "The Earth is warming faster than models predicted.",
    "Nelson said the Bush administration and the Obama administration had both tried.",  # people, not regions
    "The bench of Justice Riaz Ahmad Khan heard the case.",  # a title before a name
    "Dr. John Smith, MD, said the trial had ended.",  # a credential, not Maryland
    "POLICE, IN A STATEMENT, SAID NOTHING MORE.",  # words in capitals, not Indiana
])
def test_places_names_of_other_things_are_not_places(annotator: Annotator, text: str) -> None:
    assert places(annotator, text) == {}


@pytest.mark.parametrize("text", [
    '"They are not ours, they belong to God," she said.',  # a word after "to", and Göd only without its accent
    "Pankaj Pandey, Head of Research at ICICI Securities, said margins fell.",  # "of" and "at" a company
    "I was not aware of any reference to Vice President Biden.",  # the start of a longer name
])
def test_places_a_small_place_name_the_ner_passed_over_needs_a_locative(annotator: Annotator, text: str) -> None:
    assert places(annotator, text) == {}


@pytest.mark.parametrize("text", [
    "Volker saw the investigations into Burisma and into Biden as separate.",  # "into" an inquiry
    "Morrison did not always follow through on suggestions from Sondland.",  # "from" a person
    "Rosaly Lopes of NASA's Jet Propulsion Laboratory in California said so.",  # an organisation "in" a place
])
def test_places_a_name_the_gazetteer_lacks_needs_a_word_that_says_where(annotator: Annotator, text: str) -> None:
    assert set(places(annotator, text)) <= {"California"}


def test_places_a_town_the_gazetteer_lacks_before_a_comma_and_a_state_is_placed(annotator: Annotator) -> None:
    found = places(annotator, "June 29 -- PNC Bank Arts Center, Holmdel, NJ\nJune 30 -- Jones Beach, Wantagh, NY")
    assert (found["Holmdel"].country_code, found["Holmdel"].admin1) == ("US", "New Jersey")


def test_places_a_country_keeps_its_meaning_over_a_town_of_its_name(annotator: Annotator) -> None:
    found = places(annotator, "Pension funds in Rochester and Irondequoit, New York, lost money when Greece "
                              "defaulted on its debts.")
    assert found["Greece"].country_code == "GR"
    placed = places(annotator, "The town board of Greece, New York, met in Rochester.")
    assert (placed["Greece"].country_code, placed["Greece"].admin1) == ("US", "New York")


@pytest.mark.parametrize("text", [
    "Connor Hellebuyck made 38 saves and Winnipeg defeated Nashville.",  # what a team does, and has done to it
    "Blake Coleman scored for New Jersey, which was looking for its first win.",  # scored for a team
    "Oskar Sundqvist scored twice to lead St. Louis past Tampa Bay.",  # and the rest of "Tampa Bay" is no "Bay"
])
def test_places_a_town_or_state_named_for_its_team_is_not_a_place(annotator: Annotator, text: str) -> None:
    assert places(annotator, text) == {}


def test_places_a_game_in_a_place_and_a_country_beating_another_keep_their_places(annotator: Annotator) -> None:
    found = places(annotator, "Fans gathered in Winnipeg as Brazil beat Argentina in the final game.")
    assert {"Winnipeg", "Brazil", "Argentina"} <= set(found)


def test_places_names_listed_before_a_plural_kind_of_place_are_places_of_that_kind(annotator: Annotator) -> None:
    found = places(annotator, "The virus has been reported in Barry, Berrien, Cass and Van Buren counties in "
                              "Michigan.")
    assert {name: (p.name, p.country_code) for name, p in found.items() if name != "Michigan"} == {
        "Barry": ("Barry County", "US"), "Berrien": ("Berrien County", "US"), "Cass": ("Cass County", "US"),
        "Van Buren": ("Van Buren County", "US")}
    states = places(annotator, "Gunmen attacked villages in Kano and Kaduna states on Monday.")
    assert {name: (p.name, p.country_code) for name, p in states.items()} == {"Kano": ("Kano", "NG"),
                                                                            "Kaduna": ("Kaduna", "NG")}


def test_places_a_name_put_in_a_place_once_is_a_place_in_every_mention(annotator: Annotator) -> None:
    text = ("Aid trucks reached families in Rukban on Monday. Doctors said the Rukban camp has no clinic, and "
            "Rukban residents fear the winter.")
    assert [p.text for p in annotator.annotate(text, DAY).places].count("Rukban") == 3


def test_places_a_law_title_is_not_a_place(annotator: Annotator) -> None:
    found = places(annotator, "Senators in Islamabad passed the Amina Alert and Rescue Act and the Hong Kong "
                              "Human Rights and Democracy Act on Monday.")
    assert set(found) == {"Islamabad"}


def test_places_a_celestial_name_placed_on_earth_is_a_place(annotator: Annotator) -> None:
    found = places(annotator, "The fire in Mars, Pennsylvania, destroyed two homes.")
    assert found["Mars"].country_code == "US"


@pytest.mark.parametrize(("text", "name", "country"), [
    ("A Multan man was arrested after the raid.", "Multan", "PK"),
    ("Karachi police said the suspects fled.", "Karachi", "PK"),
    ("The Austin-based startup raised $5 million.", "Austin", "US"),
    ("Chicago's mayor spoke to reporters.", "Chicago", "US"),
    ("ROME - The pope appealed for calm.", "ROME", "IT"),
    ("The bill was backed by Rep. Jane Roe, R-Paducah, on Monday.", "Paducah", "US"),  # a legislator's home
])
def test_places_marked_uses_are_places(annotator: Annotator, text: str, name: str, country: str) -> None:
    assert places(annotator, text)[name].country_code == country


@pytest.mark.parametrize(("text", "names"), [
    ("Vets reported the virus in the town of Garissa on Monday.", {"Garissa"}),  # "the town of X"
    ("Pigs were culled in Nairobi, Kisumu and Garissa last week.", {"Nairobi", "Kisumu", "Garissa"}),  # a list
])
def test_places_kinds_and_lists_of_places(annotator: Annotator, text: str, names: set[str]) -> None:
    assert set(places(annotator, text)) == names


def test_places_a_dateline_makes_the_later_mentions_of_its_town_places(annotator: Annotator) -> None:
    text = "MANSFIELD -- Police made two arrests on Friday. Mansfield schools will reopen on Monday."
    assert [p.text for p in annotator.annotate(text, DAY).places] == ["MANSFIELD", "Mansfield"]


def test_places_state_codes_after_a_town_are_places_and_place_the_town(annotator: Annotator) -> None:
    found = places(annotator, "The band plays Holmdel, NJ on Friday and Irving, TX on Sunday.")
    assert (found["NJ"].admin1, found["TX"].admin1) == ("New Jersey", "Texas")
    assert (found["Holmdel"].country_code, found["Holmdel"].admin1) == ("US", "New Jersey")


@pytest.mark.parametrize(("text", "name", "country"), [
    ("Deportees from Texas, Oklahoma and Kansas were flown to Paris on Monday.", "Paris", "FR"),
    ("Officials in Idaho and Montana said exports to Moscow had stopped.", "Moscow", "RU"),
    ("Delhi shivered through its coldest night.", "Delhi", "IN"),
])
def test_places_a_world_city_keeps_its_meaning_beside_places_of_another_country(
        annotator: Annotator, text: str, name: str, country: str) -> None:
    assert places(annotator, text)[name].country_code == country


def test_places_the_text_can_still_move_a_world_city(annotator: Annotator) -> None:
    found = places(annotator, "The rodeo in Paris, Texas, drew a record crowd.")
    assert (found["Paris"].country_code, found["Paris"].admin1) == ("US", "Texas")


def test_places_large_regions_are_places(annotator: Annotator) -> None:
    found = places(annotator, "Oil prices rose as tensions grew in the Middle East and North Africa.")
    assert {"Middle East", "North Africa"} <= set(found)
    assert all(p.lat is not None for p in found.values())


def test_places_an_unknown_name_in_a_story_set_in_one_region_is_placed_approximately(
        annotator: Annotator) -> None:
    text = ("Police in Lahore said two men were held in Zorbaghpura on Monday. The Punjab police chief said more "
            "raids in Lahore and Punjab would follow.")
    found = annotator.annotate(text, DAY)
    unknown = next(p for p in found.places if p.text == "Zorbaghpura")
    assert (unknown.approximate, unknown.country_code, unknown.admin1) == (True, "PK", "Punjab")
    assert all(not p.approximate for p in found.places if p.text != "Zorbaghpura")
    assert sum(f.share for f in found.focus if f.admin1 is None) == 1.0  # focus counts the confident ones only
