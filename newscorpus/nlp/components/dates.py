"""`newscorpus_dates`: temporal expressions with TIMEX3 type and value, resolved against the publication date."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from newscorpus.models import DateMention
from newscorpus.errors import ConfigError
from newscorpus.nlp._extensions import doc_text, document_date, register_extensions, sentence_start, set_records
from newscorpus.nlp._lawregistry import LAW_TITLE_WORDS
from newscorpus.nlp._timex import FIXED_HOLIDAYS, MOVABLE_HOLIDAYS, anchor_date, is_anaphoric, normalise

_PAST_TAGS = {"VBD", "VBN"}
_HOLIDAYS = {*FIXED_HOLIDAYS, *MOVABLE_HOLIDAYS}
# Words the NER leaves out that still refer to time (TIMEX3 PRESENT_REF, PAST_REF, FUTURE_REF, sets).
_REFERENCE_WORDS = ("now", "currently", "recently", "today", "tonight", "tomorrow", "yesterday", "the future",
                    "the near future", "the near term", "the short term", "daily", "every day", "the latest period",
                    # and times told from the date mentioned before ("after a break later that month")
                    *(f"{lead} {unit}" for lead in ("that", "later that", "earlier that", "the same", "the following")
                      for unit in ("day", "week", "month", "year", "morning", "afternoon", "evening", "night")))
# What the NER labels DATE but is no temporal expression: ages, bare numbers, frequency adjectives.
_NOT_TIMEX = re.compile(
    r"^(?:\w+[- ](?:year|month|week|day)s?[- ]old|\d{1,3}|\d{5,}|quarterly|annual|annually|yearly|"
    r"(?:the )?(?:night|morning|evening|afternoon|day))$", re.I)
# "would" is not here: "vowed that Britain would leave on Oct. 31" looks ahead of a past time, maybe not of today.
_FUTURE_WORDS = {"will", "shall", "'ll", "wo", "going"}
# Verbs that look ahead: "planned to leave Thursday", "is scheduled to close Monday" (unless said in the past).
_FUTURE_LEMMAS = {"plan", "schedule", "expect", "intend", "hope", "aim", "prepare", "due", "set"}
# Words before a date that make it a deadline or start, ahead of the story: "payable Dec. 7", "effective Feb. 1".
_DEADLINE_WORDS = {"payable", "effective", "due", "expires", "expiring"}
# Verbs whose present tense reports what happened ("says Monday", "announces on Tuesday") rather than a schedule.
_REPORTING_LEMMAS = {"say", "tell", "report", "announce", "confirm", "reveal", "claim", "state", "add", "note",
                     "write", "post", "tweet", "show", "find", "suggest", "estimate", "accord", "argue", "explain",
                     "insist", "warn", "admit", "deny", "describe", "recall", "acknowledge"}
_MOVED_TO = {"extend", "postpone", "delay", "defer", "push", "move", "adjourn"}
_PARTS_OF_DAY = {"morning", "afternoon", "evening", "night"}
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY_WORDS = re.compile(rf"{_WEEKDAY}|yesterday|today|tomorrow|\d{{1,2}}(?:st|nd|rd|th)?$", re.I)
# A range or list of two dates, or a period and its end ("the quarter ended Sept. 30").
_TWO_PARTS = re.compile(r"^(?P<pre>between |from )?(?P<a>.+?)(?P<sep> and | to | through | until | till | - | – |-|–|"
                        r" ended | ending )(?P<b>.+)$", re.I)
_TENSE_MATTERS = re.compile(r"day|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|spring|summer|autumn|fall|winter|"
                            r"quarter|weekend|easter|christmas|thanksgiving|halloween|noon|night|\d", re.I)
_SEASON = re.compile(r"^(?:the )?(?:early |late )?(?:spring|summer|autumn|fall|winter)$", re.I)
_YEAR_FIRST = re.compile(r"^\d{4}(?:-|$)")  # a value that starts with its year (not a decade such as 199)
_RANGE_SEPARATORS = {"to", "through", "until", "till", "-", "–"}
# Two dates far apart in year, month, weekday and season: a value the same against both is absolute.
_PROBE_DATES = (date(1951, 2, 14), date(2037, 9, 3))
# What a shorter piece of an expression the NER found may not be on its own: "[One] night", "[its third] year";
# words before a unit that make it some day or year, not the one the story is at ("that day" still is).
_BARE_UNIT = re.compile(r"^(?:the )?(?:night|morning|evening|afternoon|day|week|month|year|quarter|half)$", re.I)
_ORDINAL = re.compile(r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)$",
                      re.I)
# Verbs of a state rather than an event ("the galaxies we see today", not "the council, which meets today").
_STATES = {"be", "exist", "observe", "see", "know", "live", "look", "appear", "remain", "stand", "use", "seem",
           "understand", "have"}
_DEICTIC = re.compile(r"^(?:today|tonight|tomorrow|yesterday|this (?:morning|afternoon|evening)|last night)$", re.I)
_DAY_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_QUOTE = re.compile(r"“[^”]{1,3000}”|\"[^\"\n]{1,3000}\"")
_ANY_ONE = {"a", "an", "one", "another", "any", "all", "each", "every", "single", "his", "her", "its", "their",
            "our", "my", "your"}
# A game's periods ("a phenomenal first half", "trailed in the third quarter") are no halves or quarters of a year.
_GAME_PERIOD = re.compile(r"^(?:the |a |an |its |their )?(?:\w+ )?(?:first|second|third|fourth|final|1st|2nd|3rd|4th) "
                          r"(?:half|quarter)$", re.I)
_GAME_WORDS = {"points", "scored", "scoring", "goal", "goals", "rebounds", "assists", "touchdown", "touchdowns",
               "inning", "innings", "halftime", "basket", "baskets", "shots", "game", "games", "match", "trailed",
               "trailing", "3-pointer", "3-pointers", "penalty", "quarterback", "possession", "kickoff"}
_MONEY_WORDS = {"revenue", "revenues", "profit", "profits", "earnings", "sales", "growth", "gdp", "economy",
                "quarterly", "fiscal", "percent", "%", "income", "shares", "results", "output", "year"}
# Words that make a present-tense sentence say what usually happens, in any year.
_HABITUAL = {"typically", "usually", "often", "generally", "normally", "always", "traditionally", "annually",
             "routinely"}
_LAW_NOUNS = {"act", "bill", "code", "ordinance", "constitution"}
_PHONE_LINES = {"helpline", "hotline"}
# Nouns of an amount: "a total of 2072" is no year.
_QUANTITIES = {"total", "score", "average", "tally", "sum", "population", "maximum", "minimum", "count"}
_PERIOD_ENDED = re.compile(r"^(?:the |its |their )?(?:fiscal |full )?(?P<unit>year|quarter|period)$", re.I)


def governing_tense(span: Span) -> str | None:
    """"past", "present", "scheduled" (a present that states a schedule) or "future" from the verb the span
    hangs off, or None if there is none."""
    before = span.doc[span.start - 1] if span.start else None
    if before is not None and (before.lower_ in _DEADLINE_WORDS
                               or (before.lower_ in ("to", "till", "until") and before.head.lemma_ in _MOVED_TO)):
        return "future"
    if before is not None and (before.lower_ == "since" or (  # "the first rise since March", "back in March"
            before.lower_ in ("in", "on") and span.start > 1 and span.doc[span.start - 2].lower_ == "back")):
        return "past"
    if span.root.dep_ == "compound" and span.text.lower() in _HOLIDAYS:  # "Black Friday deals": this season's
        return None
    token: Token = span.root
    through_noun = False  # "follows the testimony Tuesday": the date of the testimony, not of following
    for _ in range(4):
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            break
        if token.head.i == token.i:
            return None
        token = token.head
        through_noun = through_noun or token.pos_ in ("NOUN", "PROPN")
    else:
        return None
    if not token.tag_.startswith("VB") and token.tag_ != "MD":
        return None
    if span.doc[max(0, span.start - 3):span.start].text.lower() == "as soon as":
        return "future"
    tense = _verb_tense(token, 2)
    after = span.doc[span.end].lower_ if span.end < len(span.doc) else ""
    if tense == "scheduled" and (through_noun or after in ("'s", "’s")):  # "follows Tuesday's declaration"
        return "present"
    return tense


def _verb_tense(token: Token, climbs: int) -> str | None:
    """The tense of a verb. A finite present that states a schedule looks ahead ("the museum reopens on Saturday",
    "is reopening Saturday"): "scheduled", unless it reports ("says", "announces"). An infinitive under a verb
    that looks ahead looks ahead ("will be allowed to reopen on Saturday"); a gerund takes its governing verb's tense ("began delving Thursday")."""
    auxiliaries = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    governed = climbs and token.head.i != token.i and (token.head.tag_.startswith("VB") or token.head.tag_ == "MD")
    if governed and any(a.tag_ == "TO" for a in auxiliaries):  # an infinitive looks ahead of what governs it
        governing = _verb_tense(token.head, climbs - 1)
        if token.lemma_ in _FUTURE_LEMMAS or token.head.lemma_ in _FUTURE_LEMMAS or governing == "future":
            return "future"
        if governing == "scheduled":
            return "scheduled"
        return "present"  # "subpoenaed him to testify on Feb. 10": after the past, maybe after today too
    if governed and token.tag_ == "VBG" and not auxiliaries:  # "began delving Thursday"
        return _verb_tense(token.head, climbs - 1)
    if climbs and token.lemma_ in _FUTURE_LEMMAS and token.tag_ == "VBN" and any(
            c.dep_ == "mark" and c.lower_ == "as" for c in token.children) and (
            (main := _verb_above(token.head, 2)) is not None and main.i != token.i):
        return _verb_tense(main, climbs - 1)  # "ends its bond buying as planned in October" ("as announced": past)
    past = any(a.tag_ in _PAST_TAGS or a.lemma_ == "have" for a in auxiliaries)
    # "is planned", "plans", "has scheduled" look ahead; "planned", "was planned" and "a record set" do not
    ahead = token.tag_ in ("VB", "VBZ", "VBP", "VBG") or any(a.tag_ in ("VBZ", "VBP") for a in auxiliaries)
    if any(a.lower_ in _FUTURE_WORDS for a in auxiliaries) or (
            ahead and any(v.lemma_ in _FUTURE_LEMMAS for v in (token, token.head))):
        return "future"
    if _imperative(token, auxiliaries):  # "Call the hotline on Friday", "Lakers: Visit the Thunder on Friday"
        return "future"
    if any(a.tag_ == "MD" for a in auxiliaries):  # "could be located Wednesday": the modal leaves it open
        return None
    if past or (not auxiliaries and token.tag_ in _PAST_TAGS):  # "was heard", "has been heard", "heard"
        return "past"
    finite_present = token.tag_ in ("VBZ", "VBP") or any(a.tag_ in ("VBZ", "VBP") for a in auxiliaries)
    if finite_present and token.lemma_ not in _REPORTING_LEMMAS and token.lemma_ != "be":
        return "scheduled"
    return "present"


def _imperative(token: Token, auxiliaries: list[Token]) -> bool:
    """A bare verb with no subject opening its sentence, or after a colon: a request or a schedule line."""
    doc = token.doc
    opens = token.i == sentence_start(doc[token.i:token.i + 1]) or doc[token.i - 1].text == ":"
    return token.tag_ == "VB" and not auxiliaries and opens and not any(
        c.dep_ in ("nsubj", "nsubjpass", "expl") for c in token.children)


class DatesComponent:
    """Normalises the DATE and TIME entities the NER finds, and time words it leaves out, into DateMention
    records; each resolves against the publication date and, if anaphoric, the date mentioned before it."""

    def __init__(self, nlp: Language, reference_date: str | None = None) -> None:
        try:
            self.reference_date = date.fromisoformat(reference_date) if reference_date else None
        except ValueError:
            raise ConfigError(f"the dates component's reference_date must be a date such as '2024-05-08', "
                              f"not {reference_date!r}", "reference_date") from None
        self.reference_words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.reference_words.add("REFERENCE", [nlp.make_doc(w) for w in _REFERENCE_WORDS])
        self.holidays = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.holidays.add("HOLIDAY", [nlp.make_doc(h) for h in _HOLIDAYS])

    def __call__(self, doc: Doc) -> Doc:
        reference = document_date(doc) or self.reference_date
        if reference is not None:
            set_records(doc, "newscorpus_dates", self.find(doc, reference))
            return doc
        # No date to resolve against: keep the expressions whose value does not depend on one ("May 3, 2024"),
        # found by resolving against two far-apart dates, and leave the relative ones out.
        early, late = self.find(doc, _PROBE_DATES[0]), self.find(doc, _PROBE_DATES[1])
        set_records(doc, "newscorpus_dates", [m for m in early if m in late])
        return doc

    def find(self, doc: Doc, reference: date) -> list[DateMention]:
        """The temporal expressions of a document, resolved against `reference`."""
        mentions: list[DateMention] = []
        anchor: str | None = None
        anchor_sentence = -1  # the token where the sentence of the anchor starts
        sentence, previous_sentence = -1, -1
        text = doc_text(doc)
        for span in self._candidates(doc, text, reference):
            if sentence_start(span) != sentence:
                sentence, previous_sentence = sentence_start(span), _previous_sentence(span)
            frame = _frame(span, anchor, anchor_sentence, previous_sentence, reference)
            for mention in self._mentions(span, frame or reference, anchor, framed=frame is not None):
                if mention.type == "DATE" and mention.value and mention.value[:4].isdigit() \
                        and not is_anaphoric(mention.text):
                    anchor, anchor_sentence = mention.value, sentence_start(span)
                if mention.value is not None:
                    mentions.append(mention)
                elif vague := _underspecified(mention.text, mention.type):  # every record has a value
                    mentions.append(replace(mention, value=vague))
        return _said_on(doc, text, mentions)

    def _mentions(self, span: Span, reference: date, anchor: str | None, framed: bool = False) -> list[DateMention]:
        """One mention, or two for a range, a list of two dates or a period and its end. A `framed` span
        resolves to the nearest date from the time its sentence set up, whatever the tense (which is the
        tense of the telling)."""
        # The parse is read only where the tense can decide the value: a weekday, a month or season without a
        # year, a holiday, a bare time of day.
        tense = governing_tense(span) if _TENSE_MATTERS.search(span.text) and not framed else None
        if _nowadays(span, tense):
            return [DateMention(span.text, span.start_char, span.end_char, "PRESENT_REF", "DATE")]
        # "is typically sown in mid-November": any year's
        if (_BARE_MONTH.match(span.text) or _SEASON.match(span.text)) and _habitual(span):
            kind, value = normalise(span.text, reference, tense, anchor)
            if value and _YEAR_FIRST.match(value) and len(value) > 4 and not re.search(r"\d{4}", span.text):
                return [DateMention(span.text, span.start_char, span.end_char, "XXXX" + value[4:], kind)]
        if _BARE_UNIT.match(span.text) and _not_a_point(_modifiers(span)):  # "a stellar [year]"
            return [DateMention(span.text, span.start_char, span.end_char, _some(span)[1], "DURATION")]
        kind, value = normalise(span.text, reference, tense, anchor)
        parts = _TWO_PARTS.match(span.text)
        if parts and (value is None or parts["pre"] or parts["sep"].strip() in ("ended", "ending")):
            split = self._split(span, parts, reference, tense, anchor)
            if split:
                return split
        if value is None:
            for start in range(span.start + 1, min(span.end, span.start + 5)):  # "an Aug. 10, 1988", "both 1990"
                piece = span.doc[start:span.end]
                if span.doc[start].pos_ == "ADP" or (span.doc[start - 1].lower_ == "of" and _BARE_UNIT.match(
                        piece.text)):
                    continue  # a piece never opens with a preposition, and "the time of [year]" is no year
                if _BARE_UNIT.match(piece.text) and _not_a_point(
                        [*span.doc[span.start:start], *_modifiers(span)]):
                    kind, value = _some(span)
                    break
                kind_, value_ = normalise(piece.text, reference, tense, anchor)
                if value_ is not None:
                    span, kind, value = piece, kind_, value_
                    break
        if value is None and span.label_ == "TIME":
            kind = "TIME"
        return [DateMention(span.text, span.start_char, span.end_char, value, kind)]

    def _split(self, span: Span, parts: re.Match[str], reference: date, tense: str | None,
               anchor: str | None) -> list[DateMention]:
        separator = parts["sep"].strip().lower()
        second_kind, second = normalise(parts["b"], reference, tense, anchor)
        first_kind, first = normalise(parts["a"], reference, tense, anchor)
        if first and second is None and parts["b"].isdigit():  # "April 24 and 25", "1998-99"
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", first) and len(parts["b"]) <= 2:
                day = anchor_date(first[:7], day=int(parts["b"])) if int(parts["b"]) else None
                second_kind, second = "DATE", day.isoformat() if day else None
            elif re.fullmatch(r"\d{4}", first) and len(parts["b"]) == 2:  # "1998-99", "1999-00"
                year = int(first[:2] + parts["b"])
                second_kind, second = "DATE", f"{year + 100 if year < int(first) else year:04d}"
        if separator in ("ended", "ending") and (period := _PERIOD_ENDED.match(parts["a"])):
            if period["unit"] == "year":  # "the year ended March 31": a twelve-month period
                first_kind, first = "DURATION", "P1Y"
            elif second and re.match(r"\d{4}-\d{2}", second):
                first_kind, first = "DATE", f"{second[:4]}-Q{(int(second[5:7]) - 1) // 3 + 1}"
        if first is None or second is None:
            return []
        if _YEAR_FIRST.match(first) and _YEAR_FIRST.match(second) and first[:4] != second[:4]:
            if re.search(r"\d{4}", parts["b"]) and not re.search(r"\d{4}", parts["a"]):
                first = second[:4] + first[4:]  # "from March to May 2025": the year named applies to both ends
                if first > second:
                    first = f"{int(second[:4]) - 1:04d}" + first[4:]
            elif not re.search(r"\d{4}", parts["b"]) and len(second) > 4:  # not a year written short ("1996-98")
                second = first[:4] + second[4:]  # "from today through Nov. 17": the second end follows the first
                if second < first:
                    second = f"{int(first[:4]) + 1:04d}" + second[4:]
        # "between X and Y", "X to Y" are ranges; "X and Y" is a list of two dates
        ends = (first, second) if separator in _RANGE_SEPARATORS or parts["pre"] else None
        offset = span.start_char
        return [DateMention(parts["a"], offset + parts.start("a"), offset + parts.end("a"), first, first_kind, ends),
                DateMention(parts["b"], offset + parts.start("b"), offset + parts.end("b"), second, second_kind, ends)]

    def _candidates(self, doc: Doc, text: str, reference: date) -> list[Span]:
        """DATE and TIME entities that are temporal expressions, joined where the NER splits one ("noon" +
        "Thursday", "Wednesday" + "night", "each" + "July"), and holidays and reference words it leaves out."""
        entities = doc.ents
        found = [piece for e in entities if e.label_ in ("DATE", "TIME") and not _NOT_TIMEX.match(e.text.strip())
                 and not _game_period(e) and not _not_a_year(e, reference) and not _in_a_name(e)
                 for piece in _paragraphs(_widen(_trim(e)))]
        extra = []
        for _, start, end in self.holidays(doc):
            if end < len(doc) and re.fullmatch(r"\d{4}", doc[end].text):  # "Cyber Monday 2021"
                end += 1
            extra.append(Span(doc, start, end, label="DATE"))
        # dates the NER misses ("the senator’s June 3 call", "from 2014 to 2019", "the 2012 through 2015 model",
        # "approaching 7am")
        for m in [*_EXPLICIT_DATE.finditer(text), *_MISSED_YEARS.finditer(text)]:
            start, end = m.span("date") if m["date"] else m.span("year")
            span = doc.char_span(start, end, label="DATE", alignment_mode="contract")
            if span is not None and len(span) and not _not_a_year(span, reference):
                extra.append(span)
        found = _covering(found, extra)
        taken = [(e.start, e.end) for e in [*entities, *found]]
        for _, start, end in self.reference_words(doc):
            if not _in_a_name(doc[start:end]) and not any(s < end and start < e for s, e in taken):
                found.append(Span(doc, start, end, label="DATE"))
        found.sort(key=lambda s: s.start)
        joined: list[Span] = []
        for span in found:
            if joined and span.start < joined[-1].end:
                continue  # already covered by a widened span
            if joined and _adjacent(joined[-1], span):
                both = doc[joined[-1].start:span.end]
                if _TWO_PARTS.match(both.text) or normalise(both.text, reference, None, None)[1] is not None:
                    joined[-1] = Span(doc, both.start, both.end, label=joined[-1].label_)
                    continue
            joined.append(span)
        return joined


_MONTH_NAME = (r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?|"
               r"Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)")
_EXPLICIT_DATE = re.compile(rf"(?P<date>(?<![\w-]){_MONTH_NAME} \d{{1,2}}(?:st|nd|rd|th)?(?:, \d{{4}})?(?![\w-])|"
                            rf"(?<![\w-])\d{{1,2}} {_MONTH_NAME} \d{{4}}(?![\w-])|"
                            r"(?<![\w.])\d{4}([./])\d{1,2}\2\d{1,2}(?![\w.])|"
                            r"(?<![\w.:])\d{1,2}(?:[:.]\d{2})?(?: ?[ap]\.m\.|[ap]m)(?!\w))")
# Years of the last two centuries in a range, or after a word that introduces a time ("by 2030").
_YEAR = r"(?:19|20)\d{2}"
_YEAR_RANGE = rf"{_YEAR}(?: (?:to|through|until|and) | ?[-–] ?){_YEAR}"
_MISSED_YEARS = re.compile(rf"(?<![\w.,$£€-])(?P<date>{_YEAR_RANGE})(?![\w%-]|[.,]\d)|"
                           rf"\b(?:[Ii]n|[Ss]ince|[Ff]rom|[Uu]ntil|[Tt]hrough|[Dd]uring|[Bb]y) "
                           rf"(?P<year>{_YEAR_RANGE}|{_YEAR})(?![\w%-]|[.,]\d)")
_MONTH_WORD = re.compile(rf"^{_MONTH_NAME}$")
# A month named without a year ("by October"), which the time frame a story has just set up places.
_BARE_MONTH = re.compile(rf"^(?:(?:early|mid|late|the end of|the beginning of)[ -])?{_MONTH_NAME}"
                         rf"(?: \d{{1,2}}(?:st|nd|rd|th)?)?$", re.I)


_UNIT_CODES = {"year": "Y", "month": "M", "week": "W", "day": "D", "decade": "DE", "centur": "CE", "quarter": "Q"}


def _underspecified(text: str, kind: str) -> str | None:
    """A TIMEX3 value for a vague expression whose date cannot be worked out ("a week or so ago", "the weeks
    ahead", "a year or two"): a past or future reference, or a duration of unknown length; None for anything
    else. None of these values is a period of the calendar, so search never finds a story by them."""
    lower = text.lower()
    if re.search(r"\b(?:ago|earlier|previous|past|recent|recently)\b", lower):
        return "PAST_REF"
    if re.search(r"\b(?:ahead|later|from now|coming|next|future|soon)\b", lower):
        return "FUTURE_REF"
    unit = re.search(r"\b(year|month|week|day|decade|centur|quarter)(s|ies)?\b", lower)
    if unit and (kind == "DURATION" or unit.group(2) or re.search(
            r"\b(?:\d+|an?|one|two|three|four|five|several|few|many|some|or)\b", lower)):
        return f"PX{_UNIT_CODES[unit.group(1)]}"
    return None


def _frame(span: Span, anchor: str | None, anchor_sentence: int, previous_sentence: int,
           reference: date) -> date | None:
    """The date a bare month or month-day resolves from, where the text has just set up another time:
    - "The plant closed in September 2015, and by October ...": the date last mentioned, in the same sentence
      told in the past, names a month of another year than the publication's;
    - a date with no verb to give it a direction ("June 9 in Miami, June 10 in Tampa", a list of tour dates)
      follows the date last mentioned, in this sentence or the one before."""
    # a year alone ("from 2001 to 2010", "last year's shutdown ... a report in April") sets up no time
    if anchor is None or not re.match(r"\d{4}-", anchor) or not _BARE_MONTH.match(span.text):
        return None
    tense = governing_tense(span)
    # a quarter, season or week: the middle of its year
    frame = anchor_date(anchor, day=15) or anchor_date(f"{anchor[:4]}-07", day=15)
    if frame is None:
        return None
    if anchor_sentence == sentence_start(span) and tense in ("past", None) and frame.year != reference.year:
        return frame
    if tense is None and anchor_sentence in (sentence_start(span), previous_sentence):
        return frame
    return None


def _previous_sentence(span: Span) -> int:
    """Where the sentence before the span's starts (-1 for the first)."""
    start = sentence_start(span)
    return sentence_start(span.doc[start - 1:start]) if start > 0 else -1


def _nowadays(span: Span, tense: str | None) -> bool:
    """"Today" meaning these days: "the children of today", "Today, most homes have a phone"."""
    if span.text.lower() != "today":
        return False
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start else ""
    after = doc[span.end].text if span.end < len(doc) else ""
    if before == "of":
        return True
    verb = _verb_above(span.root, len(span.doc))
    if verb is None:
        return False
    # "Today, most homes have a phone" (a simple present), not "Today, I'm going to explain" (an event now)
    if span.start == sentence_start(span) and after == "," and tense in ("present", "scheduled"):
        return verb.tag_ != "VBG"
    # what still holds, in the simple present: "still leaves her angry today" (not "are still searching today")
    if verb.tag_ in ("VBZ", "VBP") and any(t.lower_ == "still" for t in verb.children):
        return True
    # a state of things now, in a clause that describes or compares: "the galaxies we observe today", "as it is
    # today" (not "the vote is today")
    simple = verb.tag_ in ("VBZ", "VBP") and verb.lemma_ in _STATES and not any(
        c.dep_ in ("aux", "auxpass") for c in verb.children)
    describes = verb.dep_ in ("relcl", "acl") or (
        verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children))
    return simple and describes


def _in_a_name(span: Span) -> bool:
    """A time word capitalised inside a sentence after a word: part of a name ("USA Today", "the Today show")."""
    doc = span.doc
    return span[0].is_title and _DEICTIC.match(span.text) is not None and span.start != sentence_start(span) and (
        doc[span.start - 1].is_alpha)


def _habitual(span: Span) -> bool:
    """A date in a present-tense sentence that says what usually happens ("typically", "every year")."""
    verb = _verb_above(span.root, 4)
    if verb is None:
        return False
    present = verb.tag_ in ("VBZ", "VBP") or any(
        c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBZ", "VBP") for c in verb.children)
    # the markers of the date's own clause: the verb's adverbs and any "every year" hanging off it
    words = [t.lower_ for c in verb.children if c.dep_ in ("advmod", "npadvmod") for t in c.subtree]
    return present and (any(w in _HABITUAL for w in words) or any(
        a in ("every", "each") and b == "year" for a, b in zip(words, words[1:], strict=False)))


def _paragraphs(span: Span) -> list[Span]:
    """The parts of an entity on each side of a paragraph break (an expression never runs across one)."""
    breaks = [t.i for t in span if "\n" in t.text]
    if not breaks:
        return [span]
    edges = [span.start, *breaks, span.end]
    pieces = [(a + (a in breaks), b) for a, b in zip(edges, edges[1:], strict=False)]
    return [Span(span.doc, a, b, label=span.label_) for a, b in pieces if b > a]


# Hedges left outside the expression, as TimeML does ("about [five hours]", "as early as [Tuesday]").
_LEADING_HEDGES = {"about", "only", "just", "barely", "over", "roughly", "approximately"}


def _trim(span: Span) -> Span:
    """The span without leading hedges, a trailing possessive ("[last month]'s") or conjunction, or what follows a
    dash between clauses ("[May] - weeks after the clash"; a range's dash, "June 24 - July 2", stays)."""
    doc, start, end = span.doc, span.start, span.end
    for token in span[1:-1]:
        if token.text in ("-", "–", "—") and token.i > 0 and doc[token.i - 1].whitespace_ and (
                doc[token.i + 1].is_lower and doc[token.i + 1].is_alpha):
            end = token.i
            break
    while end - start > 1:
        if doc[start].lower_ in _LEADING_HEDGES:
            start += 1
        elif doc[start].lower_ == "as" and end - start > 3 and doc[start + 2].lower_ == "as":
            start += 3
        else:
            break
    while end - start > 1 and doc[end - 1].lower_ in ("'s", "’s", "and", "or", ","):  # "[both 1990] and"
        end -= 1
    return span if (start, end) == (span.start, span.end) else Span(doc, start, end, label=span.label_)


def _widen(span: Span) -> Span:
    """The entity with a part of day after a day ("Wednesday night") and "each"/"every" before it."""
    doc, start, end = span.doc, span.start, span.end
    if end < len(doc) and doc[end].lower_ in _PARTS_OF_DAY and _DAY_WORDS.search(doc[end - 1].text):
        end += 1
    if start > 0 and doc[start - 1].lower_ in ("each", "every"):
        start -= 1
    if doc[start].lower_ == "of" and start > 0 and _MONTH_WORD.match(doc[start - 1].text):  # "May [of this year]"
        start -= 1
    elif start > 1 and doc[start - 1].lower_ == "of" and _MONTH_WORD.match(doc[start - 2].text):
        start -= 2
    return span if (start, end) == (span.start, span.end) else Span(doc, start, end, label=span.label_)


def _not_a_point(words: Span | list[Token]) -> bool:
    """Words before a unit that make it any one, someone's or the nth ("a long night", "its third year"), not
    the one the story is at ("that day", "the same week", "the fiscal year")."""
    return any(t.lower_ in _ANY_ONE or t.ent_type_ == "ORDINAL" or _ORDINAL.match(t.text) for t in words)


def _modifiers(span: Span) -> list[Token]:
    """The words before a one-word unit that modify it, outside the entity: "[a pretty stellar] year"."""
    return [t for left in span.root.lefts if left.i < span.start for t in left.subtree]


def _some(span: Span) -> tuple[str, str]:
    """Some span of the unit the expression ends with, not one of the calendar: an open duration."""
    unit = span[-1].lower_
    return "DURATION", f"PX{_UNIT_CODES[unit]}" if unit in _UNIT_CODES else "PTXH"


def _law_word_before(doc: Doc, year: int) -> bool:
    """Whether the word that ends a law's name comes right before a year, with a comma, "of" or an acronym in
    brackets between: "Ordinance, 2023", "Act of 1990", "Recovery Act (ZARRA) 2020"."""
    i = year - 1
    if i >= 2 and doc[i].text == ")" and doc[i - 2].text == "(":
        i -= 3
    if i >= 0 and doc[i].text in (",", "of"):
        i -= 1
    return i >= 0 and doc[i].text in LAW_TITLE_WORDS


def _not_a_year(span: Span, reference: date) -> bool:
    """A year-like number that is part of a law's name ("the Anti-Terrorism Act 1997", "Ordinance, 2023"), a
    phone number ("the 1099 helpline"), names a model ("the 2020 Audi e-tron", "GTX 1660": a far year after a
    code in capitals, where "CES 2020" is near) or counts things ("1920 pixels", "a total score of 2072"); a year
    before an organisation's name stays one ("the 2020 Census")."""
    doc = span.doc
    if not re.fullmatch(r"(?:the )?\d{4}", span.text):
        return False
    after = doc[span.end] if span.end < len(doc) else None
    if _law_word_before(doc, span.end - 1) or (after is not None and after.lower_ in _LAW_NOUNS):
        return True  # "the Anti-Terrorism Act 1997", "the 1974 act"
    words = [t.lower_ for t in doc[max(0, span.start - 2):span.start] if not t.is_punct]
    if (words and words[-1] in _PHONE_LINES) or (after is not None and after.lower_ in _PHONE_LINES):
        return True  # "the helpline, 1099", "the 1099 helpline"
    if after is None:
        return False
    before = doc[span.start - 1] if span.start else None
    if before is not None and before.is_upper and before.is_alpha and len(before) > 1 and abs(
            int(span[-1].text) - reference.year) > 10:
        return True
    if before is not None and before.lower_ == "of" and before.i > 0 and doc[before.i - 1].lower_ in _QUANTITIES:
        return True
    if after.tag_ == "NNS" and after.is_lower and span.root.dep_ == "nummod" and span.root.head.i == after.i:
        return True  # "1920 pixels", "in 2000 metres" (not "in 2007 thanks to", where the year is no modifier)
    if before is not None and (before.pos_ == "ADP" and before.lower_ != "by" or before.is_title):
        return False  # "in 2007 with a new model", "Worlds 2023 champions": a year
    return after.ent_type_ == "PRODUCT" and after.is_title


def _said_on(doc: Doc, text: str, mentions: list[DateMention]) -> list[DateMention]:
    """"Today", "tomorrow" and "yesterday" inside a quote count from the day the story says it was said ("“We
    had to win today,” he said Monday"), not from the publication date."""
    days = [m for m in mentions if m.value and _DAY_VALUE.match(m.value) and not _DEICTIC.match(m.text)]
    changed: dict[int, DateMention] = {}
    for quote in _QUOTE.finditer(text):
        said = next((m for m in days if _attributes(doc, text, quote, m)), None)
        if said is None or said.value is None:
            continue
        day = date.fromisoformat(said.value[:10])
        for number, mention in enumerate(mentions):
            if quote.start() < mention.start and mention.end < quote.end() and _DEICTIC.match(mention.text):
                kind, value = normalise(mention.text, day, None, None)
                if value is not None:
                    changed[number] = replace(mention, value=value, type=kind)
    return [changed.get(number, mention) for number, mention in enumerate(mentions)]


def _attributes(doc: Doc, text: str, quote: re.Match[str], mention: DateMention) -> bool:
    """Whether a date says when a quote was said: it hangs off a reporting verb right before or after the quote,
    in the same paragraph ("..., he said Monday", "She told reporters on Sunday: ...")."""
    if mention.start >= quote.end():
        between = text[quote.end():mention.start]
    elif mention.end <= quote.start():
        between = text[mention.end:quote.start()]
    else:
        return False
    if len(between) > 80 or "\n" in between:
        return False
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    verb = _verb_above(span.root, 2) if span is not None else None
    return verb is not None and verb.lemma_ in _REPORTING_LEMMAS


def _verb_above(token: Token, climbs: int) -> Token | None:
    """The token itself or the nearest of its heads, at most `climbs` up, that is a verb."""
    for _ in range(climbs + 1):
        if token.pos_ in ("VERB", "AUX"):
            return token
        if token.head.i == token.i:  # the root (a Token is a new object at each access: compare indexes)
            return None
        token = token.head
    return None


def _game_period(span: Span) -> bool:
    """A half or quarter of a game: said without a year, in a sentence or a story about play, not about money."""
    if not _GAME_PERIOD.match(span.text):
        return False
    words = {t.lower_ for t in span.sent}
    play = bool(words & _GAME_WORDS) or sum(t.lower_ in _GAME_WORDS for t in span.doc) >= 5
    return play and not words & _MONEY_WORDS and not any(t.is_digit and len(t.text) == 4 for t in span.sent)


def _covering(found: list[Span], extra: list[Span]) -> list[Span]:
    """The spans found, each `extra` span in place of those it covers; an extra span that cuts across one, or
    repeats one, is left out. One pass over a map of tokens to spans (a long text holds thousands of years)."""
    owner: dict[int, Span] = {i: span for span in found for i in range(span.start, span.end)}
    for span in extra:
        hits = {id(owner[i]): owner[i] for i in range(span.start, span.end) if i in owner}.values()
        if any(not (span.start <= h.start and h.end <= span.end) or (h.start, h.end) == (span.start, span.end)
               for h in hits):
            continue
        for hit in hits:
            for i in range(hit.start, hit.end):
                del owner[i]
        owner.update((i, span) for i in range(span.start, span.end))
    return list({id(span): span for span in owner.values()}.values())


def _adjacent(first: Span, second: Span) -> bool:
    """Two time expressions next to each other, or with only a comma between, one of them a time or a weekday;
    a time and its day with "on" or "at" between;
    or the two ends of a range the NER found apart ("from [March] to [May 2025]")."""
    gap = first.doc[first.end:second.start]
    if len(gap) == 1 and (gap[0].lower_ in _RANGE_SEPARATORS or (
            gap[0].lower_ == "and" and first.start > 0 and first.doc[first.start - 1].lower_ == "between")):
        return True
    if not gap and first[-1].lower_ == "of":  # "[the fall of] [2020]"
        return True
    if len(gap) == 1 and gap[0].lower_ in ("on", "at") and {first.label_, second.label_} == {"DATE", "TIME"}:
        return True  # "10 a.m. on Friday", "Friday at 10 a.m."
    if len(gap) > 1 or (len(gap) == 1 and gap[0].text != ","):
        return False
    return first.label_ != second.label_ or any(
        re.fullmatch(_WEEKDAY, s.text, re.I) for s in (first, second))


@Language.factory("newscorpus_dates", requires=["doc.ents", "token.dep", "token.tag", "doc.sents"],
                  assigns=["doc._.newscorpus_dates"], default_config={"reference_date": None})
def make_dates_component(nlp: Language, name: str, reference_date: str | None) -> DatesComponent:
    """Factory of the dates component (registered as `newscorpus_dates`). Relative dates resolve against each
    Doc's `doc._.newscorpus_dct` ("YYYY-MM-DD"), else against `reference_date`; with neither they are left out."""
    register_extensions()
    return DatesComponent(nlp, reference_date)
