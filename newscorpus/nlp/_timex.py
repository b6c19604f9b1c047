"""Normalise a temporal expression to a TIMEX3 (type, value), resolved against a reference date.

Rules of our own: absolute dates, months, years, decades, quarters, seasons, weekdays,
deictic words (yesterday, last week), "N units ago", durations, clock times and sets.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, timedelta
from functools import lru_cache

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
         "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
         "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
NUMBERS: dict[str, float] = {
    "a": 1, "an": 1, **_ONES, **_TENS, "hundred": 100, "a hundred": 100, "half a": 0.5, "a couple of": 2,
    "couple of": 2,
    # "twenty-four", "thirty five"
    **{f"{tens}{joint}{one}": _TENS[tens] + value for tens in _TENS if _TENS[tens] >= 20
       for one, value in _ONES.items() for joint in ("-", " ")},
}
VAGUE_NUMBERS = {"several", "few", "a few", "many", "some", "recent"}
UNITS = {
    "second": ("S", True), "minute": ("M", True), "hour": ("H", True), "day": ("D", False),
    "week": ("W", False), "month": ("M", False), "year": ("Y", False), "decade": ("DE", False),
    "century": ("CE", False), "weekend": ("WE", False), "quarter": ("Q", False),
}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "last": 4}

# Holidays news names: fixed ones by (month, day); movable ones are computed per year in _holiday_date.
FIXED_HOLIDAYS = {
    "new year's day": (1, 1), "new year's eve": (12, 31), "valentine's day": (2, 14), "st. patrick's day": (3, 17),
    "may day": (5, 1), "independence day": (7, 4), "the fourth of july": (7, 4), "bastille day": (7, 14),
    "halloween": (10, 31), "veterans day": (11, 11), "armistice day": (11, 11), "remembrance day": (11, 11),
    "christmas eve": (12, 24), "christmas day": (12, 25), "christmas": (12, 25), "boxing day": (12, 26),
    "juneteenth": (6, 19), "earth day": (4, 22),
}
MOVABLE_HOLIDAYS = ("easter", "easter sunday", "good friday", "easter monday", "thanksgiving", "thanksgiving day",
                    "memorial day", "labor day", "labour day", "election day", "mother's day", "father's day",
                    "martin luther king day", "martin luther king jr. day", "presidents' day", "presidents day",
                    "black friday", "cyber monday")
_HOLIDAY_NAMES = "|".join(re.escape(n) for n in sorted([*FIXED_HOLIDAYS, *MOVABLE_HOLIDAYS], key=len, reverse=True))
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_NUM = r"(?P<num>\d{1,3}(?: 1/2|\.\d+)?|" + "|".join(sorted([*NUMBERS, *VAGUE_NUMBERS], key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>" + "|".join(UNITS) + r"|centuries)s?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(rf"^(?:{pattern})$"))
    for name, pattern in [
        ("iso", r"(?P<year>\d{4})(?P<sep>[-./])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?:t(?P<time>\d{1,2}:\d{2}))?"),
        ("numeric", r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4}|\d{2})"),
        ("month_day_year", rf"(?:\w+day,? )?{_MONTH} {_DAY},? {_YEAR}"),
        ("day_month_year", rf"(?:\w+day,? )?{_DAY} (?:of )?{_MONTH},? {_YEAR}"),
        ("month_year", rf"(?:early |mid-?|late |the end of |the beginning of )?{_MONTH},? (?:of )?{_YEAR}"),
        ("month_rel_year", rf"(?:early |mid-?|late )?{_MONTH},? (?:of )?(?P<rel>last|this|next) year"),
        ("month_day", rf"(?:(?P<rel>last|this|next|this coming|coming) )?(?:\w+day,? )?{_MONTH} {_DAY}"),
        ("day_month", rf"(?:\w+day,? )?(?:the )?{_DAY} (?:of )?{_MONTH}"),
        ("month", rf"(?:early |mid-?|late |this |last |next )?{_MONTH}"),
        ("year", rf"(?:early |mid-?|late |the year |the end of |the beginning of )?{_YEAR}"),
        ("the_unit", r"(?:the )?(?:fiscal |full |calendar |current )?(?P<unit>year|month|week)"),
        ("that_unit", r"(?P<which>that|the same|the following|the next|the previous|the prior|the preceding) (?P<unit>year|month|day|morning|afternoon|evening|night)"),
        ("fiscal", r"(?:fiscal|fy) ?(?:year )?(?P<year>\d{4}|\d{2})"),
        ("decade", r"(?:the )?(?:early |mid-?|late )?(?P<decade>\d{3})0'?s"),
        ("short_decade", r"(?:the )?(?:early |mid-?|late )?'(?P<decade>\d)0s"),
        ("century", r"(?:the )?(?P<century>\d{1,2})(?:st|nd|rd|th) century"),
        ("quarter", rf"(?:the )?(?P<which>this year's |last year's |next year's |fiscal |fiscal-)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|last)[- ]quarter(?: of)?(?: {_YEAR}| (?P<rel>last|this|next) year)?"),
        ("year_quarter", r"(?:the )?(?P<year>\d{4}) (?:(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th) )?(?:fiscal )?(?:quarter|period)"),
        ("half", rf"(?:the )?(?:(?P<ord>first|second|last|latter) half|(?P<quarters>first|last) two quarters)(?: of)?(?: {_YEAR}| (?P<rel>last|this|next) year| the year)?"),
        ("year_end", r"(?:(?P<rel>last|this|next) )?year(?:-| |'s )end|the end of (?:the|this) year"),
        ("week_of", r"the week of (?P<day>.+)"),
        ("holiday", rf"(?:(?P<rel>last|this|next) )?(?P<name>{_HOLIDAY_NAMES})(?:,? {_YEAR})?"),
        ("the_quarter", r"(?:the )?(?P<which>latest |recent |most recent |current |same |fiscal )?(?:quarter|period)"),
        ("year_ago", r"(?:the )?(?:a )?(?P<which>year-earlier|year-ago|year earlier|year ago|previous year's|last year's)(?: (?:first|second|third|fourth) )?(?: ?(?:quarter|period|year))?|a year (?:ago|earlier)|the quarter a year (?:ago|earlier)"),
        ("q_form", r"q(?P<q>[1-4])(?: |-)?(?P<year>\d{4})?"),
        ("season", r"(?:this |last |next )?(?P<season>spring|summer|autumn|fall|winter)(?: of)?(?: (?P<year>\d{4}))?"),
        ("weekday", r"(?:(?P<rel>last|next|this|on|past|coming|this coming|the previous|the following|the next) )?(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: (?P<part>morning|afternoon|evening|night))?"),
        ("weekly", r"(?:each|every) (?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?P<plural>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:s(?: (?P<part>morning|afternoon|evening|night)s?)?| (?P<parts>morning|afternoon|evening|night)s)"),
        ("yearly", rf"(?:each|every) {_MONTH}"),
        ("deictic", r"(?P<word>today|yesterday|tomorrow|tonight|this morning|this afternoon|this evening|last night|the day before yesterday|the day after tomorrow)"),
        ("relative_unit", r"(?P<rel>last|this|next|past|previous|coming|the past|the previous|the coming|earlier this|later this|the current|current)(?: calendar| fiscal)? (?P<unit>week|month|year|weekend|decade|century|quarter)"),
        ("ago", rf"{_NUM} {_UNIT} (?P<dir>ago|earlier|before|later|from now|hence)"),
        ("vague_past", r"(?:the )?past (?P<ref>years|months|weeks|days|decades)"),
        ("vague_duration", r"(?:in )?(?:recent|(?:the )?(?:next|coming|last|past) (?:\d+|[a-z]+) (?:to|or) (?:\d+|[a-z]+)) (?P<unit>year|month|week|day|hour|minute|decade|centurie|century)s"),
        ("duration", rf"(?:(?:the |a |an )?(?:past|last|next|first|coming|previous|following|over|nearly|almost|about|more than|less than|at least|some|only|just|latest|year-earlier|year-ago|another|each of the past) )*(?:the )?{_NUM}[- ](?:(?:additional|more|trading|business|consecutive|straight|full|calendar) )?{_UNIT}(?: long| old| of (?:\d{{4}}|the year|this year|last year))?"),
        ("weekend", r"(?:the |this )?weekend"),
        ("unit_duration", r"(?:(?:the |a |an )?(?:past|last|next|coming|previous) )?(?P<unit>week|month|year|decade|century|day|hour)(?P<plural>s)?|(?P<centuries>centuries)"),
        ("clock", r"(?:at )?(?P<hour>\d{1,2})(?:(?P<sep>[:.])(?P<minute>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?(?: (?:[a-z]{1,2}[sd]t|gmt|utc))?(?: (?P<when>today|yesterday|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday))?"),
        ("part_of_day", r"(?:this |mid-|mid |late |early )?(?P<part>morning|afternoon|evening|night|noon|midday|midnight)"),
        ("decade_words", r"the (?P<word>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)"),
        ("set", r"(?P<freq>every (?:day|week|month|quarter|year|hour)|hourly|daily|weekly|monthly|yearly|annually|each (?:day|week|month|quarter|year))"),
        ("present", r"(?P<ref>now|right now|currently|at present|the present|nowadays|these days|present|today's|the moment)"),
        ("past", r"(?P<ref>recently|the past|previously|in the past|formerly|once|earlier|lately|former)"),
        ("future", r"(?P<ref>the future|the near future|the (?:near|short) term|in the future|soon|future|later|shortly|eventually|the coming years|future \w+|a later date)"),
    ]
]
_SET_VALUES = {"hour": "PT1H", "hourly": "PT1H", "day": "P1D", "daily": "P1D", "week": "P1W", "weekly": "P1W", "month": "P1M", "monthly": "P1M",
               "year": "P1Y", "yearly": "P1Y", "annually": "P1Y", "quarter": "P1Q"}


_PREPOSITION = re.compile(r"^(?:on|in|at(?! least| most)|by|since|until|from|during|of|around|about|before|after) ")
# Words that hedge or narrow an expression without changing the date it names ("late yesterday", "just last month").
_HEDGE = re.compile(r"^(?:the )?(?:almost|nearly|about|around|roughly|approximately|barely|just|only|up to|"
                    r"as (?:long|much|many|early|late) as|no (?:more|less) than|more than|less than|at least|"
                    r"some|over|under|earlier|later|the middle of|the end of|the beginning of|"
                    r"the start of|mid|late|early)(?:\s+|-)")


_ORDINAL_DAYS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
                 "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
                 "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
                 "twentieth": 20, "thirtieth": 30}
# Years and days as broadcasters say them: "nineteen ninety-six", "two thousand and one", "March eighth".
_SPOKEN_YEAR = re.compile(r"\b(?:(?P<century>nineteen|twenty) (?P<tens>" + "|".join(list(_TENS)[1:]) + r")"
                          r"(?:[- ](?P<ones>" + "|".join(_ONES) + r"))?|two thousand(?: and)?(?: (?P<small>"
                          + "|".join([*_TENS, *_ONES]) + r"))?(?! years?))\b")
_SPOKEN_DAY = re.compile(r"\b(?P<month>" + "|".join(m for m in MONTHS if len(m) > 3) + r") (?:the )?"
                         r"(?:(?P<tens>twenty|thirty)[- ])?(?P<ordinal>" + "|".join(_ORDINAL_DAYS) + r")\b")


def _spoken_year(m: re.Match[str]) -> str:
    if m["century"]:
        return str(_TENS[m["century"]] * 100 + _TENS[m["tens"]] + _ONES.get(m["ones"] or "", 0))
    return str(2000 + _TENS.get(m["small"] or "", 0) + _ONES.get(m["small"] or "", 0))


def _spoken_day(m: re.Match[str]) -> str:
    return f"{m['month']} {_TENS.get(m['tens'] or '', 0) + _ORDINAL_DAYS[m['ordinal']]}"


def _clean(text: str) -> str:
    t = " ".join(text.lower().replace("’", "'").split())
    t = _SPOKEN_DAY.sub(_spoken_day, _SPOKEN_YEAR.sub(_spoken_year, t))
    t = _PREPOSITION.sub("", t)
    t = re.sub(r"(?:'s| or so)$", "", t)  # "last month's", "a week or so"
    return t.strip(" .,;:")


def _variants(text: str) -> list[str]:
    """The expression, then without a leading "the", then without hedges: tried in this order."""
    forms = [text]
    if text.startswith(("the ", "its ", "their ")):
        forms.append(text.split(" ", 1)[1])
    bare = text
    while (stripped := _HEDGE.sub("", bare, count=1)) != bare and stripped:
        bare = stripped
    if bare != text:
        forms.append(bare)
    if re.match(r"an? (?=\d)", bare):  # "a 20th century"
        forms.append(bare.split(" ", 1)[1])
    return forms


def _number(raw: str) -> float | None:
    if raw in VAGUE_NUMBERS:
        return None
    if raw.endswith(" 1/2"):
        return float(raw[:-4]) + 0.5
    if raw in NUMBERS:
        return NUMBERS[raw]
    return float(raw)


def _fmt_num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _shift(ref: date, amount: int, unit: str) -> tuple[str, str]:
    """Reference date moved by `amount` units, formatted at the unit's granularity."""
    if unit == "day":
        return "DATE", (ref + timedelta(days=amount)).isoformat()
    if unit in ("week", "weekend"):
        year, week, _ = (ref + timedelta(weeks=amount)).isocalendar()
        return "DATE", f"{year}-W{week:02d}" + ("-WE" if unit == "weekend" else "")
    if unit == "month":
        months = ref.year * 12 + ref.month - 1 + amount
        return "DATE", f"{months // 12:04d}-{months % 12 + 1:02d}"
    if unit == "quarter":
        quarters = ref.year * 4 + (ref.month - 1) // 3 + amount
        return "DATE", f"{quarters // 4:04d}-Q{quarters % 4 + 1}"
    if unit == "year":
        return "DATE", f"{ref.year + amount:04d}"
    if unit == "decade":
        return "DATE", f"{ref.year // 10 + amount:03d}"
    if unit in ("century", "centurie"):
        return "DATE", f"{ref.year // 100 + amount:02d}"
    return "DATE", ref.isoformat()


def _date(year: int, month: int, day: int) -> str | None:
    if not (1 <= month <= 12) or not (1 <= day <= monthrange(year, month)[1]):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _infer_year(month: int, day: int | None, ref: date, tense: str | None) -> int:
    """The year of a month (and day) named without one: in the tense's direction from the reference,
    else the nearest such date to it."""
    candidate = date(ref.year, month, min(day or 1, monthrange(ref.year, month)[1]))
    tense = "future" if tense == "scheduled" else tense
    if tense == "past" and month > ref.month:
        return ref.year - 1
    if tense == "future" and month < ref.month:
        return ref.year + 1
    if tense not in ("past", "future"):
        distance = (candidate - ref).days
        if distance > 183:
            return ref.year - 1
        if distance < -183:
            return ref.year + 1
    return ref.year


_ANAPHORIC = re.compile(r"year[- ](?:earlier|ago)|\b(?:that|the same|the following|the next|the previous|the prior|"
                        r"the preceding) (?:year|month|day)\b", re.I)


def is_anaphoric(text: str) -> bool:
    """True for expressions resolved against the date mentioned before ("a year earlier", "that day"):
    they do not become the reference for those that follow."""
    return bool(_ANAPHORIC.search(text))


@lru_cache(maxsize=8192)  # a pure function, and stories repeat their expressions ("Tuesday", "last year")
def normalise(text: str, ref: date, tense: str | None = None, anchor: str | None = None) -> tuple[str, str | None]:
    """(TIMEX3 type, value) of a temporal expression; value is None when it cannot be normalised.

    `tense` ("past", "present", "scheduled", "future" or None) of the governing verb decides the direction of
    underspecified expressions such as a weekday or a month without a year ("scheduled", a present that states
    a schedule, looks ahead for weekdays, weekends, months and seasons, and counts as "present" otherwise).
    `anchor` is the value of the previous date in the text, which anaphoric expressions ("a year earlier", "the
    year-ago quarter") follow.
    """
    clean = _clean(text)
    try:
        return _match(clean, ref, tense, anchor) or _day_and_time(clean, ref, tense, anchor) or ("DATE", None)
    except (ValueError, OverflowError):  # a day the calendar lacks, or past year 9999: no value, no crash
        return "DATE", None


def _match(text: str, ref: date, tense: str | None, anchor: str | None) -> tuple[str, str | None] | None:
    for t in _variants(text):
        for name, pattern in _PATTERNS:
            m = pattern.match(t)
            if m:
                found = _RULES[name](m, ref, tense, anchor)
                if found is not None:
                    return found
    return None


def _day_and_time(text: str, ref: date, tense: str | None, anchor: str | None) -> tuple[str, str | None] | None:
    """A time of a day named beside it: "noon Thursday", "9 a.m. Tuesday", "5 p.m. EST Nov. 9",
    "mid-afternoon yesterday", "the night of Oct. 23"."""
    words = text.split()
    for i in range(1, len(words)):
        for day_text, time_text in ((" ".join(words[i:]), " ".join(words[:i])),
                                    (" ".join(words[:i]), " ".join(words[i:]))):
            day = (_match(day_text, ref, tense, anchor) or ("DATE", None))[1]
            if day is None or _anchor_day(day) is None:
                continue
            time_text = re.sub(r"^(?:the |in the |on the )|,| of$| on$", "", time_text).strip()
            found = _match(time_text, ref, tense, day)
            if found and found[0] == "TIME" and (found[1] or "").startswith(day + "T"):
                return found
    return None


def _iso(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None] | None:
    value = _date(int(m["year"]), int(m["month"]), int(m["day"]))
    if value and m["time"]:
        hour, minute = m["time"].split(":")
        return "TIME", f"{value}T{int(hour):02d}:{minute}"
    return ("DATE", value) if value else None


def _numeric(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None] | None:
    year = int(m["year"]) if len(m["year"]) == 4 else 2000 + int(m["year"])
    a, b = int(m["a"]), int(m["b"])
    month, day = (a, b) if a <= 12 else (b, a)  # US order unless the first number cannot be a month
    value = _date(year, month, day)
    return ("DATE", value) if value else None


def _full(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None] | None:
    value = _date(int(m["year"]), MONTHS[m["month"]], int(m["day"]))
    return ("DATE", value) if value else None


def _month_year(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "DATE", f"{int(m['year']):04d}-{MONTHS[m['month']]:02d}"


def _month_rel_year(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    year = ref.year + {"last": -1, "this": 0, "next": 1}[m["rel"]]
    return "DATE", f"{year:04d}-{MONTHS[m['month']]:02d}"


def _month_day(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None] | None:
    month, day = MONTHS[m["month"]], int(m["day"])
    if m.groupdict().get("rel"):
        tense = "past" if m["rel"] == "last" else "future" if "next" in m["rel"] or "coming" in m["rel"] else tense
    value = _date(_infer_year(month, day, ref, tense), month, day)
    return ("DATE", value) if value else None


def _month(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    month = MONTHS[m["month"]]
    words = m.group(0).split()
    if words[0] == "last":
        year = ref.year if month < ref.month else ref.year - 1
    elif words[0] == "next":
        year = ref.year if month > ref.month else ref.year + 1
    elif words[0] == "this":
        year = ref.year
    else:
        year = _infer_year(month, None, ref, tense)
    return "DATE", f"{year:04d}-{month:02d}"


def _year(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None] | None:
    year = int(m["year"])
    return ("DATE", f"{year:04d}") if 1000 <= year <= 2199 else None


def _fiscal(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    year = int(m["year"]) if len(m["year"]) == 4 else 2000 + int(m["year"])
    return "DATE", f"{year:04d}"  # TimeML annotates fiscal years as the plain year


def _decade(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "DATE", m["decade"]


def _short_decade(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "DATE", f"19{m['decade']}"


def _century(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "DATE", f"{int(m['century']) - 1:02d}"


def _quarter(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    quarter = ORDINALS[m["ord"]]
    which = (m["which"] or "").strip()
    if m["year"]:
        year = int(m["year"])
    elif m["rel"] or which in ("last year's", "this year's", "next year's"):
        word = m["rel"] or which.split()[0]
        year = ref.year + {"last": -1, "this": 0, "next": 1}[word]
    else:  # a quarter not yet begun is last year's in a past-tense sentence, next year's in a future one
        current = (ref.month - 1) // 3 + 1
        year = ref.year - (tense != "future" and quarter > current)
    return "DATE", f"{year:04d}-Q{quarter}"


def _year_quarter(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"the 1988 third quarter"; "the 1988 quarter" is the quarter last mentioned, in 1988."""
    if m["ord"]:
        return "DATE", f"{m['year']}-Q{ORDINALS[m['ord']]}"
    if anchor and (q := re.fullmatch(r"\d{4}-(Q[1-4]|H[12])", anchor)):
        return "DATE", f"{m['year']}-{q.group(1)}"
    return "DATE", m["year"]


def _half(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"the first half of 2025", "the last two quarters": H1 or H2 of the year named, else of this one."""
    first = m["ord"] == "first" or m["quarters"] == "first"
    year = int(m["year"]) if m["year"] else ref.year + {"last": -1, "next": 1}.get(m["rel"] or "", 0)
    return "DATE", f"{year:04d}-H{1 if first else 2}"


def _year_end(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    year = ref.year + {"last": -1, "next": 1}.get(m["rel"] or "", 0)
    return "DATE", f"{year:04d}"  # as TimeBank does: the year, not its last day


def _week_of(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None] | None:
    """"the week of March 6": the ISO week that day falls in."""
    kind, value = normalise(m["day"], ref, tense, anchor)
    day = _anchor_day(value)
    if day is None:
        return None
    year, week, _ = day.isocalendar()
    return "DATE", f"{year}-W{week:02d}"


def _the_quarter(
    m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None,
) -> tuple[str, str | None] | None:
    """"the quarter", "the latest quarter": the quarter last mentioned, else the last one completed."""
    if m.group(0).endswith("period") and not (anchor and "-Q" in anchor):
        return None
    if anchor and re.fullmatch(r"\d{4}-Q[1-4]", anchor) and m["which"] != "current ":
        return "DATE", anchor
    quarters = ref.year * 4 + (ref.month - 1) // 3 - (0 if m["which"] == "current " else 1)
    return "DATE", f"{quarters // 4:04d}-Q{quarters % 4 + 1}"


def _the_unit(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"the year", "the fiscal year", "the month": the one the story is written in."""
    return _shift(ref, 0, m["unit"])


def _that_unit(
    m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None,
) -> tuple[str, str | None] | None:
    """"that year", "the following month": the unit of the date mentioned before, or the one after it."""
    shift = {"the following": 1, "the next": 1, "the previous": -1, "the prior": -1, "the preceding": -1}.get(
        m["which"], 0)
    if m["unit"] in _DAY_PARTS:  # "the next morning", "that night"
        day = _anchor_day(anchor[:10] if anchor else None)
        return None if day is None else ("TIME", f"{day + timedelta(days=shift)}T{_DAY_PARTS[m['unit']]}")
    width = {"year": 4, "month": 7, "day": 10}[m["unit"]]
    if not anchor or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", anchor[:width]) or len(anchor) < width:
        return None
    start = date(int(anchor[:4]), int(anchor[5:7]) if width > 4 else 1, int(anchor[8:10]) if width > 7 else 1)
    return _shift(start, shift, m["unit"])


def _year_ago(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"a year earlier", "the year-ago quarter": a year before the date last mentioned, at its granularity ("third-
    quarter profit rose from a year ago" is the third quarter of last year); "a year ago" after a date of another
    year counts from the day of writing."""
    if m.group(0).endswith(" ago") and not (anchor or "").startswith(f"{ref.year:04d}"):
        return "DATE", f"{ref.year - 1:04d}"  # the date last mentioned is not this year's: count from today
    if anchor and (q := re.fullmatch(r"(\d{4})-(Q[1-4]|H[12]|\d{2})", anchor)):
        return "DATE", f"{int(q.group(1)) - 1:04d}-{q.group(2)}"
    if anchor and re.fullmatch(r"\d{4}", anchor):
        return "DATE", f"{int(anchor) - 1:04d}"
    return "DATE", f"{ref.year - 1:04d}"


def _q_form(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    year = int(m["year"]) if m["year"] else ref.year
    return "DATE", f"{year:04d}-Q{m['q']}"


def _season(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """A season: of the year given; "last"/"next" that of the year before or after (for winter, the last one
    that has ended and the next one not yet begun); else the one the tense points at (the last that began, the
    next that has not ended), else the one under way or, for a winter, about to begin."""
    code = SEASONS[m["season"]]
    if m["year"]:
        return "DATE", f"{int(m['year']):04d}-{code}"
    word = m.group(0).split()[0]
    spans = {year: _season_span(year, code) for year in range(ref.year - 1, ref.year + 3)}
    if word in ("last", "next") and code != "WI":  # TimeML: the season of the year before or after
        return "DATE", f"{ref.year + (1 if word == 'next' else -1):04d}-{code}"
    direction = {"last": "ended", "next": "not begun"}.get(word) or (
        "future" if tense in ("future", "scheduled") else tense if word != "this" else None)
    if direction == "ended":
        year = max(y for y, (_, end) in spans.items() if end < ref)
    elif direction == "not begun":
        year = min(y for y, (start, _) in spans.items() if start > ref)
    elif direction == "past":
        year = max(y for y, (start, _) in spans.items() if start <= ref)
    elif direction == "future" or code == "WI":
        year = min(y for y, (_, end) in spans.items() if end >= ref)
    else:
        year = ref.year
    return "DATE", f"{year:04d}-{code}"


def _season_span(year: int, code: str) -> tuple[date, date]:
    """The first and last day of a season (winter 2026 runs from December 2025 to February 2026: the winter of
    the year whose January it holds)."""
    if code == "WI":
        return date(year - 1, 12, 1), date(year, 2, monthrange(year, 2)[1])
    first = {"SP": 3, "SU": 6, "FA": 9}[code]
    return date(year, first, 1), date(year, first + 2, monthrange(year, first + 2)[1])


def _weekday(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"Friday", "next Friday", "Friday night"; "the previous Friday" counts from the day last mentioned."""
    rel = m["rel"]
    if rel in ("the previous", "the following", "the next"):
        start = _anchor_day(anchor) or ref
        day = _resolve_weekday(WEEKDAYS[m["weekday"]], "last" if rel == "the previous" else "next", start, tense)
    else:
        day = _resolve_weekday(WEEKDAYS[m["weekday"]], rel, ref, tense)
    if m["part"]:  # news corpora (TimeBank) type "Friday night" a DATE
        return "DATE", f"{day.isoformat()}T{_DAY_PARTS[m['part']]}"
    return "DATE", day.isoformat()


def _weekly(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"each Thursday", "Tuesday nights": a set of days."""
    weekday = WEEKDAYS[m["weekday"] or m["plural"]] + 1
    part = f"T{_DAY_PARTS[m['part'] or m['parts']]}" if m["part"] or m["parts"] else ""
    return "SET", f"XXXX-WXX-{weekday}{part}"


def _yearly(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "SET", f"XXXX-{MONTHS[m['month']]:02d}"


def _resolve_weekday(target: int, rel: str | None, ref: date, tense: str | None) -> date:
    """The date of a weekday named in a story: the past one unless "next" or the tense says otherwise; a
    schedule in the present tense ("reopens on Saturday") means the coming one, today's included."""
    forward = rel in ("next", "coming") or (rel not in ("last", "past") and tense in ("future", "scheduled"))
    if rel == "this":
        delta = target - ref.weekday()
    elif forward:  # "will testify Wednesday", written on a Wednesday, is today; "next Wednesday" is not
        delta = (target - ref.weekday()) % 7 or (7 if rel in ("next", "coming") else 0)
    else:
        delta = -((ref.weekday() - target) % 7)
        if delta == 0 and rel in ("last", "past"):
            delta = -7
    return ref + timedelta(days=delta)


def _easter(year: int) -> date:
    """Western Easter Sunday by the Gregorian computus (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 for the last) given weekday of a month."""
    if n < 0:
        last = date(year, month, monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _holiday_date(name: str, year: int) -> date:
    if name in FIXED_HOLIDAYS:
        return date(year, *FIXED_HOLIDAYS[name])
    if name.startswith("easter") or name == "good friday":
        return _easter(year) + timedelta(days={"good friday": -2, "easter monday": 1}.get(name, 0))
    if name.startswith("thanksgiving") or name in ("black friday", "cyber monday"):  # the days after it too
        return _nth_weekday(year, 11, 3, 4) + timedelta(days={"black friday": 1, "cyber monday": 4}.get(name, 0))
    if name == "election day":  # the Tuesday after the first Monday of November
        return _nth_weekday(year, 11, 0, 1) + timedelta(days=1)
    rules = {"memorial day": (5, 0, -1), "labor day": (9, 0, 1), "labour day": (9, 0, 1), "mother's day": (5, 6, 2),
             "father's day": (6, 6, 3), "presidents' day": (2, 0, 3), "presidents day": (2, 0, 3)}
    month, weekday, n = rules.get(name, (1, 0, 3))  # else Martin Luther King Day, the third Monday of January
    return _nth_weekday(year, month, weekday, n)


def _holiday(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """A holiday by name: in the year given, else the one the tense points at, else the nearest."""
    name = m["name"]
    if m["year"]:
        return "DATE", _holiday_date(name, int(m["year"])).isoformat()
    if m["rel"]:
        shift = {"last": -1, "this": 0, "next": 1}[m["rel"]]
        if shift and (_holiday_date(name, ref.year) < ref) == (shift < 0):
            shift = 0  # "last Christmas" in January is the one a few weeks ago
        return "DATE", _holiday_date(name, ref.year + shift).isoformat()
    this_year = _holiday_date(name, ref.year)
    if tense == "past":
        return "DATE", (this_year if this_year <= ref else _holiday_date(name, ref.year - 1)).isoformat()
    if tense == "future":
        return "DATE", (this_year if this_year >= ref else _holiday_date(name, ref.year + 1)).isoformat()
    candidates = [_holiday_date(name, ref.year + shift) for shift in (-1, 0, 1)]
    return "DATE", min(candidates, key=lambda day: abs((day - ref).days)).isoformat()


def _deictic(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    word = m["word"]
    offsets = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1, "this morning": 0, "this afternoon": 0,
               "this evening": 0, "last night": -1, "the day before yesterday": -2, "the day after tomorrow": 2}
    day = (ref + timedelta(days=offsets[word])).isoformat()
    parts = {"tonight": "NI", "this morning": "MO", "this afternoon": "AF", "this evening": "EV", "last night": "NI"}
    return ("TIME", f"{day}T{parts[word]}") if word in parts else ("DATE", day)


_PAST_SPANS = {"decade": "P10Y", "century": "P100Y"}


def _relative_unit(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    rel, unit = m["rel"], m["unit"]
    if rel in ("past", "the past") and unit in _PAST_SPANS:  # "the past decade": the ten years to now, not the 2010s
        return "DURATION", _PAST_SPANS[unit]
    amount = {"last": -1, "past": -1, "previous": -1, "the past": -1, "the previous": -1, "next": 1,
              "coming": 1, "the coming": 1}.get(rel, 0)
    return _shift(ref, amount, unit)


def anchor_date(anchor: str | None, day: int = 1) -> date | None:
    """The day (or the `day`-th of the month) the date last mentioned names, if it names a month or a day."""
    if anchor and (found := re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", anchor)):
        try:
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3) or day))
        except ValueError:  # "April 31" written in a story
            return None
    return None


def _ago(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None] | None:
    number = _number(m["num"])
    unit = m["unit"].rstrip("s")
    unit = "century" if unit.startswith("centur") else unit
    if number is None or number != int(number) or UNITS[unit][1]:
        return ("DATE", "PAST_REF") if m["dir"] in ("ago", "earlier", "before") else ("DATE", "FUTURE_REF")
    sign = -1 if m["dir"] in ("ago", "earlier", "before") else 1
    amount = sign * int(number)
    if m["dir"] in ("later", "earlier", "before") and (start := anchor_date(anchor)) is not None:
        ref = start  # "two months later": after the date last mentioned, not the day of writing
    if unit == "decade":
        return "DATE", f"{ref.year + 10 * amount:04d}"
    if unit == "week":
        return "DATE", (ref + timedelta(weeks=amount)).isoformat()
    return _shift(ref, amount, unit)


def _duration(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    number = _number(m["num"])
    unit = m["unit"].rstrip("s")
    unit = "century" if unit.startswith("centur") else unit
    code, is_time = UNITS[unit]
    if unit == "decade":
        code, number = "Y", None if number is None else number * 10
    elif unit == "century":
        code, number = "Y", None if number is None else number * 100
    elif unit in ("weekend", "quarter"):
        code, number = ("D", None if number is None else number * 2) if unit == "weekend" else ("M", None if number is None else number * 3)
    if number is not None and code == "Y" and number != int(number) and (number * 12) == int(number * 12):
        return "DURATION", f"P{int(number)}Y{round((number - int(number)) * 12)}M" if number >= 1 else f"P{int(number * 12)}M"
    amount = "X" if number is None else _fmt_num(number)
    return "DURATION", ("PT" if is_time else "P") + amount + code


def _vague_duration(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"recent weeks", "the next 12 to 18 months": an unknown number of units."""
    unit = "century" if m["unit"].startswith("centur") else m["unit"]
    code, is_time = UNITS[unit]
    return "DURATION", ("PTX" if is_time else "PX") + code


def _unit_duration(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    if m["centuries"]:
        return "DURATION", "PXCE"
    unit = m["unit"]
    code, is_time = UNITS[unit]
    if m["plural"]:  # "years", "the coming weeks": an unknown number of them
        return "DURATION", ("PT" if is_time else "P") + "X" + code
    if unit in ("decade", "century"):
        return "DURATION", f"P{10 if unit == 'decade' else 100}Y"
    return "DURATION", ("PT1" if is_time else "P1") + code


def _weekend(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"the weekend": the coming one in a future-tense sentence, else the last one (or this, on a weekend)."""
    back = tense not in ("future", "scheduled") and ref.weekday() < 5
    return _shift(ref, -1 if back else 0, "weekend")


def _clock(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None] | None:
    if not m["ampm"] and not m["minute"]:
        return None
    if not m["ampm"] and m["sep"] == ".":  # "8.20 a.m." is a time, "2.30" may be a number
        return None
    hour, minute = int(m["hour"]), int(m["minute"] or 0)
    if m["ampm"] and m["ampm"].startswith("p") and hour < 12:
        hour += 12
    if m["ampm"] and m["ampm"].startswith("a") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    when = m["when"] or ""
    if when in WEEKDAYS:
        day = _resolve_weekday(WEEKDAYS[when], None, ref, tense)
    elif when:
        day = ref + timedelta(days={"yesterday": -1, "tomorrow": 1}.get(when, 0))
    else:  # a time of day alone belongs to the day last mentioned, else to the day of writing
        day = _anchor_day(anchor) or ref
        if hour < 6 and anchor and anchor.endswith(("TEV", "TNI")):  # "Sunday night ... out by 2 a.m."
            day += timedelta(days=1)
    return "TIME", f"{day.isoformat()}T{hour:02d}:{minute:02d}"


_DAY_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "noon": "12:00", "midday": "12:00",
              "midnight": "24:00"}


def _part_of_day(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    """"this morning", "mid-afternoon", "noon": that part of the day last mentioned, else of the day of writing."""
    day = ref if m.group(0).startswith("this") else _anchor_day(anchor) or ref
    return "TIME", f"{day.isoformat()}T{_DAY_PARTS[m['part']]}"


def _anchor_day(anchor: str | None) -> date | None:
    """The day a value names, with or without its time of day ("2025-06-08TNI" is that Sunday)."""
    if anchor and re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:T[\dA-Z:]+)?", anchor):
        try:
            return date.fromisoformat(anchor[:10])
        except ValueError:
            return None
    return None


def _decade_words(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    tens = ["twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties"]
    return "DATE", f"19{tens.index(m['word']) + 2}"


def _set(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "SET", _SET_VALUES[m["freq"].split()[-1]]


def _present(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "DATE", "PRESENT_REF"


def _past(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "DATE", "PAST_REF"


def _future(m: re.Match[str], ref: date, tense: str | None, anchor: str | None = None) -> tuple[str, str | None]:
    return "DATE", "FUTURE_REF"


_RULES = {
    "iso": _iso, "numeric": _numeric, "month_day_year": _full, "day_month_year": _full, "month_year": _month_year, "month_rel_year": _month_rel_year,
    "month_day": _month_day, "day_month": _month_day, "month": _month, "year": _year, "fiscal": _fiscal, "decade": _decade,
    "short_decade": _short_decade, "century": _century, "quarter": _quarter, "the_quarter": _the_quarter, "weekend": _weekend, "that_unit": _that_unit, "part_of_day": _part_of_day, "decade_words": _decade_words, "the_unit": _the_unit, "year_ago": _year_ago, "q_form": _q_form, "season": _season,
    "weekday": _weekday, "weekly": _weekly, "yearly": _yearly, "holiday": _holiday, "year_quarter": _year_quarter,
    "half": _half, "year_end": _year_end, "week_of": _week_of, "deictic": _deictic, "relative_unit": _relative_unit, "ago": _ago, "duration": _duration,
    "unit_duration": _unit_duration, "clock": _clock, "set": _set, "present": _present, "past": _past,
    "future": _future, "vague_past": _past, "vague_duration": _vague_duration,
}
