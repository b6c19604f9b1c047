"""Dates on ordinary news: the direction a tense gives, the time a sentence sets up, forms the NER misses, and
the record contract. Short invented texts, one class of phrasing each, on the real English pipeline."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.tokens import Span

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


@pytest.mark.parametrize("text", [
    "Depending on the time of year, buses carry half the city's commuters.",
    "It is cold at this time of year in the hills.",
])
def test_dates_a_time_of_year_is_no_year(annotator: Annotator, text: str) -> None:
    assert not any(v and v[:1].isdigit() for v in values(annotator, text).values())


def test_dates_an_entity_cut_after_a_conjunction_keeps_its_date(annotator: Annotator) -> None:
    assert values(annotator, "Prices rose in both 1990 and 1991.") == {"1990": "1990", "1991": "1991"}


def test_dates_a_clock_time_belongs_to_the_day_and_night_named_before(annotator: Annotator) -> None:
    text = "The fire started Sunday night. Firefighters arrived at 11 p.m., and the blaze was out by 2 a.m."
    assert values(annotator, text) == {"Sunday night": "2025-06-08TNI", "11 p.m.": "2025-06-08T23:00",
                                       "2 a.m.": "2025-06-09T02:00"}  # the small hours after that night


@pytest.mark.parametrize(("text", "expected"), [
    ("From 2014 to 2019, the number of members doubled.", {"2014": "2014", "2019": "2019"}),
    ("The new laptop is thinner than the 2012 through 2015 models.", {"2012": "2012", "2015": "2015"}),
    ("He sat on the council from 1996-98.", {"1996": "1996", "98": "1998"}),  # a year written short
])
def test_dates_years_of_a_range_the_ner_misses(annotator: Annotator, text: str, expected: dict[str, str]) -> None:
    assert values(annotator, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("So today I’m breaking my silence.", "2025-06-11"),  # a day word the NER leaves out
    ("Today, I’m going to explain the process.", "2025-06-11"),  # an event now, not these days
    ("Today, most homes have a landline.", "PRESENT_REF"),
    ("The trial continues today.", "2025-06-11"),  # an event of the day
    ("Police are still searching the river today.", "2025-06-11"),
    ("It was a decision that still leaves her angry today.", "PRESENT_REF"),  # what still holds
])
def test_dates_today_as_this_day_or_these_days(annotator: Annotator, text: str, expected: str) -> None:
    assert next(v for t, v in values(annotator, text).items() if t.lower() == "today") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Divers found the wreck at 8.20 a.m. and a life jacket at 10.32 a.m.",
     {"8.20 a.m.": "2025-06-11T08:20", "10.32 a.m.": "2025-06-11T10:32"}),
    ("It was approaching 7am in Jakarta.", {"7am": "2025-06-11T07:00"}),
    ("The museum opens at 10 a.m. on Friday.", {"10 a.m. on Friday": "2025-06-13T10:00"}),  # one time of one day
])
def test_dates_clock_times_in_their_written_forms(annotator: Annotator, text: str,
                                                  expected: dict[str, str]) -> None:
    assert values(annotator, text) == expected


@pytest.mark.parametrize("text", [
    "The GTX 1660 Ti and the RTX 2060 cards are fast.",  # a far year after a code in capitals names a model
    "The laptop earned a total score of 2072.",  # an amount
])
def test_dates_model_numbers_and_amounts_are_no_years(annotator: Annotator, text: str) -> None:
    assert values(annotator, text) == {}


def test_dates_an_event_year_after_a_code_in_capitals_is_a_year(annotator: Annotator) -> None:
    assert values(annotator, "Apple showed it at CES 2025 in Las Vegas.") == {"2025": "2025"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Wheat is typically sown in mid-November.", "XXXX-11"),  # what usually happens, in any year
    ("Farmers usually plant in the spring.", "XXXX-SP"),
    ("Every year the festival opens on May 10.", "XXXX-05-10"),
    ("The wheat was sown in mid-November.", "2024-11"),
])
def test_dates_a_habit_names_no_years_month(annotator: Annotator, text: str, expected: str) -> None:
    assert [v for t, v in values(annotator, text).items() if not t.lower().startswith("every")] == [expected]


@pytest.mark.parametrize(("text", "word", "expected"), [
    ("The update, a promise from back in March, is late.", "March", "2025-03"),  # "back in" looks back
    ("The bank ends its bond buying as planned in October.", "October", "2025-10"),  # the plan's verb decides
    ("The price has dropped to Black Friday levels.", "Black Friday", "2025-11-28"),  # this season's, by name
    ("The court adjourned the hearing till January 10.", "January 10", "2026-01-10"),  # a date moved to
])
def test_dates_words_that_give_the_direction(annotator: Annotator, text: str, word: str, expected: str) -> None:
    assert values(annotator, text, date(2025, 9, 30))[word] == expected


def test_dates_a_year_alone_sets_up_no_month(annotator: Annotator) -> None:
    text = "Shutdowns from 2001 to 2010 cost the state jobs, according to a forecast in June."
    assert values(annotator, text, date(2025, 9, 30))["June"] == "2025-06"


def test_dates_a_season_of_a_year_the_ner_cut_in_two(annotator: Annotator) -> None:
    nlp = annotator.nlp
    with nlp.select_pipes(enable=[name for name in nlp.pipe_names if not name.startswith("newscorpus_")]):
        doc = nlp("The books return in the fall of 2026.")
    doc.ents = [Span(doc, 4, 7, label="DATE"), Span(doc, 7, 8, label="DATE")]  # [the fall of] [2026]
    found = nlp.get_pipe("newscorpus_dates").find(doc, NOVEMBER)
    assert [(m.text, m.value) for m in found] == [("the fall of 2026", "2026-FA")]


@pytest.mark.parametrize("text", [
    "He was charged under the Anti-Terrorism Act 1997 and the Penal Code.",  # a year in a law's name
    "The chair referred the Civil Courts Amendment Bill, 2024 to the committee.",
    "The Clean Air Act of 1990 changed the rules.",
    "Police must apply the Child Alert Act (CAA) 2020 in every district.",  # an acronym between
    "The petition says the court was formed unlawfully under the 1974 act.",
    "Parents can call the helpline, 1099, for advice.",  # a phone number
])
def test_dates_a_year_in_a_name_or_a_phone_number_is_no_date(annotator: Annotator, text: str) -> None:
    assert values(annotator, text) == {}


def test_dates_a_law_and_the_years_it_was_passed(annotator: Annotator) -> None:
    assert values(annotator, "The act passed in 1997 and was amended in 2019.") == {"1997": "1997", "2019": "2019"}


@pytest.mark.parametrize(("text", "expected"), [
    ("A 1998 study found the same.", {"1998": "1998"}),  # "A" is no model code
    ("The helpline launched in 2019 takes calls at night.", {"2019": "2019"}),
    ("The runners set off in 2000 metres of fog.", {}),  # a count after a preposition
    ("He sat on the council from 1999-00.", {"1999": "1999", "00": "2000"}),  # a short year into a new century
    ("He was charged under the Anti-Terrorism Act 1997", {}),  # a law's year at the very end of a text
])
def test_dates_years_and_numbers_at_the_edges(annotator: Annotator, text: str, expected: dict[str, str]) -> None:
    assert values(annotator, text) == expected


def test_dates_as_announced_looks_back(annotator: Annotator) -> None:
    assert values(annotator, "The bank ends its bond buying, as announced in March.", date(2025, 9, 30)) == {
        "March": "2025-03"}


def test_dates_a_habit_in_another_clause_leaves_the_date_its_year(annotator: Annotator) -> None:
    text = "The council always meets in public; its next session is in July."
    assert values(annotator, text, NOVEMBER)["July"] != "XXXX-07"


def test_dates_a_clock_hour_without_am_or_pm_is_no_time(annotator: Annotator) -> None:
    assert values(annotator, "At 5 o'clock the shops closed.") == {}


def test_dates_a_day_word_in_a_name_is_no_date(annotator: Annotator) -> None:
    assert values(annotator, "Readers of USA Today wrote in.") == {}
