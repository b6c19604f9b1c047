"""People and organisations a story names (from the NER), as facet values: each named once per story, under its
fullest form in that story ("Ruto" after "William Ruto" is William Ruto), without a leading "the" or a
possessive."""

from __future__ import annotations

import re

_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")


def entity_names(entities: list[tuple[str, str]]) -> tuple[set[str], set[str]]:
    """(people, organisations) of a story's (label, text) entities."""
    people = {_clean(text) for label, text in entities if label == "PERSON"} - {""}
    organisations = {_clean(text) for label, text in entities if label == "ORG"} - {""}
    full = [name for name in people if " " in name]
    # a surname alone is the person the story names in full, when only one full name ends with it
    for name in [p for p in people if " " not in p]:
        longer = [f for f in full if f.split()[-1] == name]
        if len(longer) == 1:
            people.discard(name)
    return people, organisations


def _clean(text: str) -> str:
    name = _POSSESSIVE.sub("", _LEADING_THE.sub("", " ".join(text.split())))
    return name if any(ch.isalpha() for ch in name) else ""
