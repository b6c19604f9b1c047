"""Dates an article mentions, as index terms with containment semantics.

A mention is indexed under every period that contains it: "2025-06-12" under 2025-06-12, 2025-06, 2025-Q2,
2025 and the decade 202; "2025" only under 2025 and 202. A filter on a period then finds exactly the
articles that mention a date lying within it: `2025-06` matches "June 12, 2025" but not a bare "2025".
"""

from __future__ import annotations

import re

from newscorpus.errors import QueryError

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_PART = re.compile(r"^(\d{4})-(Q[1-4]|W\d{2}|SP|SU|FA|WI|H[12])(?:-WE)?$")
_YEAR = re.compile(r"^(\d{4})$")
_DECADE = re.compile(r"^(\d{3})$")
_PERIOD = re.compile(r"^\d{3}$|^\d{4}$|^\d{4}-(?:\d{2}|\d{2}-\d{2}|Q[1-4]|W\d{2}|SP|SU|FA|WI|H[12])$")


def mention_terms(value: str | None) -> set[str]:
    """The periods that contain a TIMEX3 value (none for durations, sets and references like PRESENT_REF)."""
    if not value:
        return set()
    if m := _DAY.match(value):
        year, month = m.group(1), int(m.group(2))
        return {value[:10], f"{year}-{month:02d}", f"{year}-Q{(month - 1) // 3 + 1}", year, year[:3]}
    if m := _MONTH.match(value):
        year, month = m.group(1), int(m.group(2))
        return {value, f"{year}-Q{(month - 1) // 3 + 1}", year, year[:3]}
    if m := _YEAR_PART.match(value):
        return {f"{m.group(1)}-{m.group(2)}", m.group(1), m.group(1)[:3]}
    if _YEAR.match(value):
        return {value, value[:3]}
    if _DECADE.match(value):
        return {value}
    return set()


def period_term(period: str) -> str:
    """The index term of a period a user filters on (2025, 2025-06, 2025-06-12, 2025-Q2, 2025-W24, 202).

    Raises QueryError for anything else.
    """
    term = period.strip().upper()
    if not _PERIOD.match(term):
        raise QueryError(
            f"not a period: {period!r}; give a year (2025), month (2025-06), day (2025-06-12), quarter (2025-Q2), "
            "week (2025-W24), season (2025-SU) or decade (202)", period)
    return term
