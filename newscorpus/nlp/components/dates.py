"""`newscorpus_dates`: temporal expressions with TIMEX3 type and value, resolved against the publication date."""

from __future__ import annotations

import re
from datetime import date

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from newscorpus.models import DateMention
from newscorpus.nlp._extensions import register_extensions
from newscorpus.nlp._timex import is_anaphoric, normalise

_PAST_TAGS = {"VBD", "VBN"}
# Words the NER leaves out that still refer to time (TIMEX3 PRESENT_REF, PAST_REF, FUTURE_REF, sets).
_REFERENCE_WORDS = ("now", "currently", "recently", "the future", "daily", "every day")
# What the NER labels DATE but is no temporal expression: ages, bare numbers, frequency adjectives.
_NOT_TIMEX = re.compile(
    r"^(?:\w+[- ](?:year|month|week|day)s?[- ]old|\d{1,3}|\d{5,}|quarterly|annual|annually|yearly|"
    r"(?:the )?(?:night|morning|evening|afternoon|day))$", re.I)
_FUTURE_WORDS = {"will", "shall", "'ll", "going", "would", "might", "could", "may"}
# Verbs that look ahead: "planned to leave Thursday", "is scheduled to close Monday".
_FUTURE_LEMMAS = {"plan", "schedule", "expect", "intend", "hope", "aim", "prepare", "due", "set", "will"}


def governing_tense(span: Span) -> str | None:
    """"past", "present" or "future" from the verb the span hangs off, or None if there is none."""
    token: Token = span.root
    for _ in range(4):
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            break
        if token.head is token:
            return None
        token = token.head
    else:
        return None
    if not token.tag_.startswith("VB") and token.tag_ != "MD":
        return None
    auxiliaries = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    verbs = [token, token.head, token.head.head]
    if (any(a.lower_ in _FUTURE_WORDS for a in auxiliaries)
            or any(v.lemma_ in _FUTURE_LEMMAS for v in verbs)
            or span.doc[max(0, span.start - 3):span.start].text.lower() == "as soon as"):
        return "future"
    if auxiliaries:  # "is heard" is present, "was heard" and "has been heard" past
        return "past" if any(a.tag_ in _PAST_TAGS or a.lemma_ == "have" for a in auxiliaries) else "present"
    return "past" if token.tag_ in _PAST_TAGS else "present"


class DatesComponent:
    """Normalises the DATE and TIME entities the NER finds, and time words it leaves out, into DateMention
    records; each resolves against the publication date and, if anaphoric, the date mentioned before it."""

    def __init__(self, nlp: Language) -> None:
        self.reference_words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.reference_words.add("REFERENCE", [nlp.make_doc(w) for w in _REFERENCE_WORDS])

    def __call__(self, doc: Doc) -> Doc:
        reference = doc._.newscorpus_dct or date.today()
        mentions = []
        anchor: str | None = None
        for span in self._candidates(doc):
            kind, value = normalise(span.text, reference, governing_tense(span), anchor)
            if value is None and span.label_ == "TIME":
                kind = "TIME"
            if kind == "DATE" and value and value[:4].isdigit() and not is_anaphoric(span.text):
                anchor = value
            mentions.append(DateMention(span.text, span.start_char, span.end_char, value, kind))
        doc._.newscorpus_dates = mentions
        return doc


    def _candidates(self, doc: Doc) -> list[Span]:
        """DATE and TIME entities that are temporal expressions, and reference words outside any entity."""
        entities = doc.ents
        found = [e for e in entities if e.label_ in ("DATE", "TIME") and not _NOT_TIMEX.match(e.text.strip())]
        taken = [(e.start, e.end) for e in entities]
        for _, start, end in self.reference_words(doc):
            if not any(s < end and start < e for s, e in taken):
                found.append(Span(doc, start, end, label="DATE"))
        return sorted(found, key=lambda s: s.start)


@Language.factory("newscorpus_dates", requires=["doc.ents"], assigns=["doc._.newscorpus_dates"])
def make_dates_component(nlp: Language, name: str) -> DatesComponent:
    """Factory of the dates component (registered as `newscorpus_dates`)."""
    register_extensions()
    return DatesComponent(nlp)
