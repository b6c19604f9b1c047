"""Timelines in the index: the periods (days, ISO weeks, months, years) a timeline counts stories in, the
aggregation that counts them, and the periods read back from its buckets."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

# The interval a timeline takes when none is asked for: the finest that keeps it to about this many periods.
_AUTO_PERIODS = 60


def interval_for(first: date, last: date) -> str:
    """The finest interval that divides first..last into at most about _AUTO_PERIODS periods."""
    days = (last - first).days + 1
    for interval, length in (("day", 1), ("week", 7), ("month", 30.4)):
        if days / length <= _AUTO_PERIODS:
            return interval
    return "year"


def day_of(nanoseconds: float) -> date:
    """The UTC day of a time as tantivy gives date fields in aggregations."""
    return datetime.fromtimestamp(nanoseconds / 1e9, timezone.utc).date()


_NS_LIMIT = 2**63 - 1  # tantivy keeps dates as 64-bit nanoseconds since 1970: 1677-09-21 to 2262-04-11


def _nanoseconds(day: date) -> int:
    return (day - date(1970, 1, 1)).days * 86_400 * 10**9


def periods_spec(interval: str, span: tuple[date, date] | None) -> dict[str, object]:
    """The aggregation that counts stories per period. tantivy's histograms have fixed intervals, which fit days
    and (shifted to Mondays) weeks; months and years are ranges, one per period of `span` (the first and last
    day with a matching story), their bounds kept within the dates tantivy can hold."""
    if interval in ("day", "week"):
        shift = {"offset": "-3d"} if interval == "week" else {}  # 1970-01-01 was a Thursday
        return {"date_histogram": {"field": "published", "fixed_interval": "7d" if interval == "week" else "1d",
                                   "min_doc_count": 1, **shift}}
    assert span is not None, "months and years need the span of the matches"
    ranges = []
    period, last = _period_start(span[0], interval), span[1]
    while period <= last:
        following = _next_period(period, interval)
        ranges.append({"key": _period_label(period, interval), "from": max(_nanoseconds(period), -_NS_LIMIT),
                       "to": min(_nanoseconds(following), _NS_LIMIT)})
        period = following
    return {"range": {"field": "published", "ranges": ranges}}


def periods_of(buckets: list[dict[str, Any]], interval: str) -> list[tuple[str, int]]:
    """Stories per period from the first period with one to the last, from the buckets of `periods_spec`."""
    if interval in ("day", "week"):  # histogram buckets (only those with stories), keyed by their start in ms
        counts = {day_of(b["key"] * 1e6): int(b["doc_count"]) for b in buckets}
        if not counts:
            return []
        periods, period, last = [], min(counts), max(counts)
        while period <= last:
            periods.append((_period_label(period, interval), counts.get(period, 0)))
            period = _next_period(period, interval)
        return periods
    ranges = [(str(b["key"]), int(b["doc_count"])) for b in buckets if "*" not in str(b["key"])]  # not tantivy's own
    kept = [n for n, (_, count) in enumerate(ranges) if count]
    return ranges[kept[0]:kept[-1] + 1] if kept else []


def _period_start(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "year":
        return day.replace(month=1, day=1)
    return day.replace(day=1) if interval == "month" else day


def _next_period(start: date, interval: str) -> date:
    if interval == "year":
        return date(start.year + 1, 1, 1)
    if interval == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=7 if interval == "week" else 1)


def _period_label(start: date, interval: str) -> str:
    if interval == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if interval == "year":
        return str(start.year)
    return start.strftime("%Y-%m") if interval == "month" else start.isoformat()
