"""`newscorpus_dates`: temporal expressions with TIMEX3 type and value, resolved against the publication date."""

from __future__ import annotations

from datetime import date

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from newscorpus.models import DateMention
from newscorpus.nlp._extensions import register_extensions
from newscorpus.nlp._timex import normalise

_PAST_TAGS = {"VBD", "VBN"}
_FUTURE_WORDS = {"will", "shall", "'ll", "going"}


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
    if any(a.lower_ in _FUTURE_WORDS for a in auxiliaries):
        return "future"
    if auxiliaries:  # "is heard" is present, "was heard" and "has been heard" past
        return "past" if any(a.tag_ in _PAST_TAGS or a.lemma_ == "have" for a in auxiliaries) else "present"
    return "past" if token.tag_ in _PAST_TAGS else "present"


class DatesComponent:
    """Normalises the DATE and TIME entities the NER finds into DateMention records."""

    def __call__(self, doc: Doc) -> Doc:
        reference = doc._.newscorpus_dct or date.today()
        mentions = []
        for ent in doc.ents:
            if ent.label_ not in ("DATE", "TIME"):
                continue
            kind, value = normalise(ent.text, reference, governing_tense(ent))
            if value is None and ent.label_ == "TIME":
                kind = "TIME"
            mentions.append(DateMention(ent.text, ent.start_char, ent.end_char, value, kind))
        doc._.newscorpus_dates = mentions
        return doc


@Language.factory("newscorpus_dates", requires=["doc.ents"], assigns=["doc._.newscorpus_dates"])
def make_dates_component(nlp: Language, name: str) -> DatesComponent:
    """Factory of the dates component (registered as `newscorpus_dates`)."""
    register_extensions()
    return DatesComponent()
