"""Dates on ordinary news: the direction a tense gives, the time a sentence sets up, forms the NER misses, and
the record contract. Short invented texts, one class of phrasing each, on the real English pipeline."""

from __future__ import annotations

from datetime import date

import pytest

from newscorpus.nlp import Annotator

WEDNESDAY = date(2025, 6, 11)
NOVEMBER = date(2025, 11, 20)


def values(annotator: Annotator, text: str, published: date = WEDNESDAY) -> dict[str, str | None]:
    return {d.text: d.value for d in annotator.annotate(text, published).dates}


@pytest.mark.parametrize(("text", "expected"), [
    ("The museum reopens on Saturday after the strike.", "2025-06-14"),  # a schedule in the present tense
    ("The museum is reopening on Saturday.", "2025-06-14"),
    ("The shop will be allowed to reopen on Saturday.", "2025-06-14"),  # an infinitive under "will"
    ("The museum reopened on Saturday after the strike.", "2025-06-07"),
    ("The ministry says Monday's figures were wrong.", "2025-06-09"),  # the date of a thing, not a schedule
    ("The move follows Tuesday's vote in parliament.", "2025-06-10"),
    ("Investigators began examining the wreck Thursday.", "2025-06-05"),  # a gerund takes its verb's tense
])
def test_dates_weekdays_take_the_direction_of_their_verb(annotator: Annotator, text: str, expected: str) -> None:
    weekday = next(v for t, v in values(annotator, text).items() if t.endswith("day"))
    assert weekday == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Tickets go on sale in the spring.", "2026-SP"),
    ("The bridge will open in the summer.", "2026-SU"),
    ("The bridge opened in the spring.", "2025-SP"),
    ("Sales fell last summer.", "2024-SU"),
    ("The park will close for the winter.", "2026-WI"),  # the winter that holds January 2026
])
def test_dates_seasons_follow_the_tense(annotator: Annotator, text: str, expected: str) -> None:
    assert list(values(annotator, text, NOVEMBER).values()) == [expected]


def test_dates_a_month_follows_the_time_its_sentence_set_up(annotator: Annotator) -> None:
    found = values(annotator, "The plant closed in September 2015, and by October most workers had left town.")
    assert (found["September 2015"], found["October"]) == ("2015-09", "2015-10")


def test_dates_anaphora_the_ner_misses_follow_the_date_before(annotator: Annotator) -> None:
    found = values(annotator, "The band toured in May 2019. After a break later that month, it played again, "
                              "and it left the label the following year.")
    assert (found["later that month"], found["the following year"]) == ("2019-05", "2020")


def test_dates_a_month_alone_still_follows_the_publication_date(annotator: Annotator) -> None:
    found = values(annotator, "The plant closed in 2015. The new one opened in March.")
    assert found["March"] == "2025-03"


@pytest.mark.parametrize(("text", "name", "expected"), [
    ("Shoppers spent a record on Cyber Monday 2021, the group said.", "Cyber Monday 2021", "2021-11-29"),
    ("The senator’s June 3 call was leaked to reporters.", "June 3", "2025-06-03"),
])
def test_dates_forms_the_ner_misses(annotator: Annotator, text: str, name: str, expected: str) -> None:
    assert values(annotator, text)[name] == expected


@pytest.mark.parametrize(("text", "name", "expected"), [
    ("The children of today spend hours online.", "today", "PRESENT_REF"),
    ("Today, most homes have a phone.", "Today", "PRESENT_REF"),
    ("The council voted today to close the pool.", "today", "2025-06-11"),
    ("Rents have doubled over the past decade.", "the past decade", "P10Y"),
])
def test_dates_references_that_are_no_calendar_date(annotator: Annotator, text: str, name: str,
                                                    expected: str) -> None:
    assert values(annotator, text)[name] == expected


def test_dates_every_record_has_a_value_and_stays_in_its_paragraph(annotator: Annotator) -> None:
    text = ("Shares rose a week or so ago and may rise in the weeks ahead, traders said on Monday.\n\n"
            "March\n\nwas quiet, and a year or two from now it will be busy again. Prices fell 99 cents.")
    found = annotator.annotate(text, WEDNESDAY).dates
    assert found and all(d.value for d in found)
    assert all("\n" not in d.text and text[d.start:d.end] == d.text for d in found)


@pytest.mark.parametrize("text", [
    "The fair runs on April 30 and 31. Two days later it closed, and in May it reopened.",
    "On 9999-12-31 the offer ends, and a day later the next one starts.",
    "Between Feb. 28 and 30 the office was shut; in March it moved.",
])
def test_dates_days_the_calendar_lacks_do_not_crash(annotator: Annotator, text: str) -> None:
    assert all(d.value for d in annotator.annotate(text, WEDNESDAY).dates)


def test_dates_vague_expressions_get_a_reference_or_an_open_duration(annotator: Annotator) -> None:
    found = values(annotator, "Shares rose a week or so ago and may rise in the weeks ahead.")
    assert (found["a week or so ago"], found["the weeks ahead"]) == ("PAST_REF", "FUTURE_REF")


def test_dates_a_gerund_under_will_looks_ahead(annotator: Annotator) -> None:
    assert values(annotator, "Investigators will begin examining the wreck Thursday.")["Thursday"] == "2025-06-12"


@pytest.mark.parametrize(("text", "expected"), [
    ("The rink stays open this winter.", "2025-WI"),  # December 2024: the winter under way holds January 2025
    ("The rink closed early last winter.", "2024-WI"),
])
def test_dates_winter_in_december(annotator: Annotator, text: str, expected: str) -> None:
    assert list(values(annotator, text, date(2024, 12, 20)).values()) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("Call the box office on Saturday to book.", "2025-06-14"),  # a request looks ahead
    ("UP NEXT\n\nLakers: Visit the Thunder on Saturday.", "2025-06-14"),  # a schedule line after a colon
    ("She vowed that the country would leave the bloc on Monday.", "2025-06-09"),  # "would": ahead of a past time
])
def test_dates_requests_look_ahead_and_would_looks_either_way(annotator: Annotator, text: str,
                                                               expected: str) -> None:
    weekday = next(v for t, v in values(annotator, text).items() if t.endswith("day"))
    assert weekday == expected


def test_dates_a_month_of_this_year(annotator: Annotator) -> None:
    found = values(annotator, "It happened in May of this year and again in March of last year.", NOVEMBER)
    assert found == {"May of this year": "2025-05", "March of last year": "2024-03"}


@pytest.mark.parametrize("text", [
    "Smith scored 20 of his 31 points in a phenomenal first half, and the Lakers trailed in the third quarter.",
    "The Lakers won the game. James had 25 points and 11 rebounds, and Davis scored 34 points. Kuzma left the "
    "court in the second quarter with an eye injury.",  # a story about play
    "One night after the loss, the team won again.",  # some night, not the night of the story
    "The actor has had a pretty stellar year.",
    "The festival, now in its third year, drew crowds.",
])
def test_dates_no_calendar_date_in_a_games_periods_or_some_night(annotator: Annotator, text: str) -> None:
    calendar = {t: v for t, v in values(annotator, text).items() if v and v[:1].isdigit()}
    assert calendar == {}


def test_dates_a_quarter_of_the_year_is_still_one_where_money_is_counted(annotator: Annotator) -> None:
    assert values(annotator, "Revenue rose 5% in the third quarter, the company said.", NOVEMBER) == {
        "the third quarter": "2025-Q3"}


def test_dates_a_dash_between_clauses_ends_the_expression(annotator: Annotator) -> None:
    text = "The rules changed in September 1986, after the minister stepped down in May - weeks after the row."
    assert values(annotator, text, NOVEMBER)["May"] == "1986-05"  # framed by its sentence's September 1986
    assert values(annotator, "The festival runs June 24 - July 2 in the park.") == {
        "June 24": "2025-06-24", "July 2": "2025-07-02"}  # a range's dash stays


@pytest.mark.parametrize("text", [
    "Audi showed the 2020 Audi e-tron Sportback at the fair.",  # a model year
    "The screen shows 1080 pixels by 1920 pixels.",  # a count
])
def test_dates_a_number_that_names_a_model_or_counts_things_is_no_year(annotator: Annotator, text: str) -> None:
    assert values(annotator, text) == {}


def test_dates_a_year_before_a_noun_after_a_preposition_is_a_year(annotator: Annotator) -> None:
    assert values(annotator, "Rescuers started the project in 2007 thanks to donations.") == {"2007": "2007"}
    assert values(annotator, "Sales rose in 2019 Audi said.") == {"2019": "2019"}


@pytest.mark.parametrize(("text", "word", "expected"), [
    ("“We needed to win this game today,” the coach said Monday.", "today", "2025-06-09"),
    ("The coach said Monday: “We needed to win this game today.”", "today", "2025-06-09"),
    ("“I am leaving tomorrow,” she told reporters on Sunday.", "tomorrow", "2025-06-09"),
    ("“We won today,” he said. The final was on Monday.", "today", "2025-06-11"),  # no day for the saying
])
def test_dates_today_in_a_quote_counts_from_the_day_it_was_said(annotator: Annotator, text: str, word: str,
                                                                 expected: str) -> None:
    assert values(annotator, text)[word] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("How the galaxies we observe today formed remains a puzzle.", "PRESENT_REF"),  # a state of things now
    ("It explains why the universe appears as it is today.", "PRESENT_REF"),
    ("The vote is today.", "2025-06-11"),
    ("The council, which meets today, will vote.", "2025-06-11"),  # an event, not a state
])
def test_dates_today_in_a_clause_that_describes_things_now_is_nowadays(annotator: Annotator, text: str,
                                                                       expected: str) -> None:
    assert values(annotator, text)["today"] == expected
