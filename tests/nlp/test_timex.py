"""Normalising temporal expressions to TIMEX3 values."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from newscorpus.nlp import Annotator
from newscorpus.nlp._timex import normalise

TUESDAY = date(2026, 3, 10)
# The value forms TIMEX3 allows (ISO 8601 dates, weeks, quarters, seasons, durations and the reference tokens).
VALID_VALUE = re.compile(
    r"^(?:\d{2,4}(?:-(?:\d{2}(?:-\d{2}(?:T(?:\d{2}:\d{2}|MO|AF|EV|NI))?)?|W\d{2}(?:-WE)?|Q[1-4]|H[12]|SP|SU|FA|WI))?"
    r"|XXXX-(?:\d{2}|WXX-[1-7](?:T(?:MO|AF|EV|NI))?)"
    r"|P(?:T)?(?:(?:\d+(?:\.\d+)?|X)(?:Y|M|W|D|H|S|DE|CE|WE|Q))+|PRESENT_REF|PAST_REF|FUTURE_REF)$"
)


@pytest.mark.parametrize(("text", "tense", "expected"), [
    ("last Friday", "past", ("DATE", "2026-03-06")),
    ("Friday", "past", ("DATE", "2026-03-06")),
    ("Friday", "future", ("DATE", "2026-03-13")),
    ("next Friday", None, ("DATE", "2026-03-13")),
    ("March 6, 2026", None, ("DATE", "2026-03-06")),
    ("6 March 2026", None, ("DATE", "2026-03-06")),
    ("2026-01-17", None, ("DATE", "2026-01-17")),
    ("June 2025", None, ("DATE", "2025-06")),
    ("mid-June last year", "past", ("DATE", "2025-06")),
    ("2025", None, ("DATE", "2025")),
    ("the 1990s", None, ("DATE", "199")),
    ("the first quarter of 2025", None, ("DATE", "2025-Q1")),
    ("summer 2025", None, ("DATE", "2025-SU")),
    ("yesterday", None, ("DATE", "2026-03-09")),
    ("tonight", None, ("TIME", "2026-03-10TNI")),
    ("last week", None, ("DATE", "2026-W10")),
    ("next month", None, ("DATE", "2026-04")),
    ("last year", None, ("DATE", "2025")),
    ("earlier this month", None, ("DATE", "2026-03")),
    ("two years ago", None, ("DATE", "2024")),
    ("three days ago", None, ("DATE", "2026-03-07")),
    ("three years", None, ("DURATION", "P3Y")),
    ("the past 18 months", None, ("DURATION", "P18M")),
    ("a decade", None, ("DURATION", "P10Y")),
    ("now", None, ("DATE", "PRESENT_REF")),
    ("recently", None, ("DATE", "PAST_REF")),
    ("3 p.m.", None, ("TIME", "2026-03-10T15:00")),
    ("every week", None, ("SET", "P1W")),
    ("the 20th century", None, ("DATE", "19")),
    ("Friday night", "past", ("DATE", "2026-03-06TNI")),
    ("9 a.m. Tuesday", None, ("TIME", "2026-03-10T09:00")),
    ("the night of March 3", "past", ("TIME", "2026-03-03TNI")),
    ("each Thursday", None, ("SET", "XXXX-WXX-4")),
    ("Tuesday nights", None, ("SET", "XXXX-WXX-2TNI")),
    ("every quarter", None, ("SET", "P1Q")),
    ("2 1/2 years", None, ("DURATION", "P2Y6M")),
    ("an additional year", None, ("DURATION", "P1Y")),
    ("the first half of 2025", None, ("DATE", "2025-H1")),
    ("the 2024 third quarter", None, ("DATE", "2024-Q3")),
    ("the week of March 16", "future", ("DATE", "2026-W12")),
    ("January nineteen ninety-seven", None, ("DATE", "1997-01")),
    ("March eighth", "future", ("DATE", "2026-03-08")),
    ("Thanksgiving", "past", ("DATE", "2025-11-27")),
    ("Easter 2025", None, ("DATE", "2025-04-20")),
    ("Election Day", "future", ("DATE", "2026-11-03")),
])
def test_timex_normalises_common_news_expressions(text: str, tense: str | None, expected: tuple[str, str]) -> None:
    assert normalise(text, TUESDAY, tense) == expected


def test_timex_month_without_year_follows_the_tense() -> None:
    assert normalise("January 17", TUESDAY, "past") == ("DATE", "2026-01-17")
    assert normalise("November 17", TUESDAY, "past") == ("DATE", "2025-11-17")
    assert normalise("January 17", date(2026, 11, 10), "future") == ("DATE", "2027-01-17")


def test_timex_impossible_dates_are_not_normalised() -> None:
    assert normalise("February 30, 2026", TUESDAY) == ("DATE", None)


@given(st.text(max_size=60), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["past", "present", "future", None]))
def test_timex_never_crashes_and_emits_only_valid_values(text: str, ref: date, tense: str | None) -> None:
    kind, value = normalise(text, ref, tense)
    assert kind in {"DATE", "TIME", "DURATION", "SET"}
    assert value is None or VALID_VALUE.match(value), value


@given(st.sampled_from(["last", "next", "this", ""]), st.sampled_from(["monday", "friday", "week", "month", "year"]),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_timex_relative_forms_always_normalise(rel: str, unit: str, ref: date) -> None:
    kind, value = normalise(f"{rel} {unit}".strip(), ref, "past")
    assert value is not None and VALID_VALUE.match(value)


# Pieces of temporal expressions, so that generated texts exercise joins, splits and ranges, not only letters.
_PIECES = ["from", "to", "between", "and", "through", "ended", "noon", "9 a.m.", "Friday", "night", "each", "March",
           "3", "2025", "the", "quarter", "year", "last", "week", "ago", "two", ",", "-", "mid-June", "Easter",
           "the 1990s", "yesterday", "'s", "about", "Sept. 30", "until", "payable", "Dec. 7", "fiscal", "half"]


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 1, 1)))
def test_timex_component_on_any_mix_of_pieces_emits_valid_values_at_true_offsets(
        annotator: Annotator, pieces: list[str], published: date) -> None:
    text = "He said " + " ".join(pieces) + "."
    for mention in annotator.annotate(text, published).dates:
        assert text[mention.start:mention.end] == mention.text
        assert mention.value is None or VALID_VALUE.match(mention.value), mention
        assert mention.type in {"DATE", "TIME", "DURATION", "SET"}
        for end in mention.range_ends or ():
            assert end is None or VALID_VALUE.match(end), mention


def test_timex_a_dotted_hour_is_a_time_only_with_am_or_pm() -> None:
    assert normalise("8.20 a.m.", TUESDAY) == ("TIME", "2026-03-10T08:20")
    assert normalise("2.30", TUESDAY)[1] is None  # a decimal such as a rate
