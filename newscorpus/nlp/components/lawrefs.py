"""`newscorpus_laws`: references to acts, codes, bills and constitutions, with section, year and jurisdiction."""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc

from newscorpus.models import LawReference
from newscorpus.nlp._extensions import register_extensions
from newscorpus.nlp._gazetteer import Gazetteer, load_gazetteer

_WORD = r"\(?[A-Z][\w'’\-]*\)?"
_CONNECTOR = r"(?:of|and|for|on|in|to|from|against|with|&)(?:\s+the)?"
_KEYWORD = r"(?:Act|Code|Ordinance|Bill|Constitution|Regulations?|Rules|Convention|Treaty|Charter)"
_NUMBER = r"\d+[A-Z]?(?:\s?\([0-9a-zA-Z]{1,4}\))*"
_SECTION = (
    rf"(?P<sec_kw>[Ss]ections?|[Aa]rticles?|[Cc]lauses?|[Rr]ules?|[Ss]s?\.)\s+"
    rf"(?P<sec>{_NUMBER}(?:\s*(?:,|and|or|&|to)\s*{_NUMBER})*)\s+of\s+(?:the\s+)?"
)
_NAMED = re.compile(
    rf"(?:{_SECTION})?(?P<name>{_WORD}(?:\s+(?:{_CONNECTOR}\s+)?{_WORD})*?\s+{_KEYWORD})"
    rf"(?!\s+[A-Z][a-z])(?:,?\s+(?:of\s+)?(?P<year>1[6-9]\d\d|20\d\d)\b)?"
)
_BY_ACRONYM = re.compile(rf"{_SECTION}(?P<acronym>[A-Z][A-Za-z]{{0,5}}[A-Z])\b")
_BACK_REFERENCE = re.compile(rf"{_SECTION}(?P<back>Act|Code|Ordinance|Constitution)\b")
_LEADING_NOISE = re.compile(
    r"^(?:(?:The|A|An|This|That|Under|In|On|By|And|But|Its|Their|Our|Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)\s+)+"
)
# A few acronyms every news reader meets; the full registry of laws is a data file of its own.
_ACRONYMS: dict[str, tuple[str, str | None, int | None]] = {
    "IPC": ("Indian Penal Code", "IN", 1860), "PPC": ("Pakistan Penal Code", "PK", 1860),
    "CrPC": ("Code of Criminal Procedure", None, None), "GDPR": ("General Data Protection Regulation", "EU", 2016),
    "PECA": ("Prevention of Electronic Crimes Act", "PK", 2016), "BNS": ("Bharatiya Nyaya Sanhita", "IN", 2023),
}


class LawsComponent:
    """Finds law references by pattern and normalises name, year, section and jurisdiction."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        story_country = _dominant_country(doc)
        found: list[LawReference] = []
        for m in _NAMED.finditer(text):
            found.append(self._named(m, story_country))
        for m in _BY_ACRONYM.finditer(text):
            full_name, country, enacted = _ACRONYMS.get(m["acronym"], (m["acronym"], None, None))
            found.append(LawReference(m.group(0), m.start(), m.end(), full_name, enacted, _section(m["sec"]),
                                      country or story_country))
        named_spans = [(r.start, r.end) for r in found]
        for m in _BACK_REFERENCE.finditer(text):
            if any(s <= m.start("back") < e for s, e in named_spans):
                continue
            previous = [r for r in found if r.end <= m.start() and r.name and m["back"].split()[-1] in r.name]
            ref = max(previous, key=lambda r: r.end, default=None)
            name: str | None
            if ref is not None:
                name, year, jurisdiction = ref.name, ref.year, ref.jurisdiction
            else:
                name, year, jurisdiction = self._bare_name(m["back"], story_country), None, story_country
            found.append(LawReference(m.group(0), m.start(), m.end(), name, year, _section(m["sec"]), jurisdiction))
        doc._.newscorpus_laws = sorted(_without_overlaps(found), key=lambda r: r.start)
        return doc

    def _named(self, m: re.Match[str], story_country: str | None) -> LawReference:
        name = m["name"]
        start = m.start() if m["sec"] else m.start("name")
        noise = _LEADING_NOISE.match(name)
        if noise and not m["sec"]:
            start += noise.end()
        name = _LEADING_NOISE.sub("", name)
        jurisdiction = self._jurisdiction(name)
        if name.endswith(" Constitution") and jurisdiction and jurisdiction in self.gazetteer.countries:
            name = f"Constitution of {self.gazetteer.countries[jurisdiction].name}"
        return LawReference(
            text=m.string[start:m.end()], start=start, end=m.end(), name=" ".join(name.split()),
            year=int(m["year"]) if m["year"] else None, section=_section(m["sec"]),
            jurisdiction=jurisdiction or story_country,
        )

    def _bare_name(self, keyword: str, story_country: str | None) -> str | None:
        """"the Constitution" with nothing named before is the constitution of the story's country."""
        country = self.gazetteer.countries.get(story_country or "")
        return f"Constitution of {country.name}" if keyword == "Constitution" and country else None

    def _jurisdiction(self, name: str) -> str | None:
        words = name.replace("(", " ").replace(")", " ").split()
        for size in (2, 1):
            for i in range(len(words) - size + 1):
                code = self.gazetteer.country_of_word(" ".join(words[i:i + size]))
                if code:
                    return code
        return None


def _section(raw: str | None) -> str | None:
    if not raw:
        return None
    parts = re.split(r"\s*(?:,|\band\b|\bor\b|&)\s*", raw)
    return ", ".join(p.replace(" ", "") for p in parts if p)


def _dominant_country(doc: Doc) -> str | None:
    places = doc._.newscorpus_places or []
    counts = Counter(p.country_code for p in places if p.country_code)
    return counts.most_common(1)[0][0] if counts else None


def _without_overlaps(found: list[LawReference]) -> list[LawReference]:
    """Keep the longest of overlapping references."""
    kept: list[LawReference] = []
    for ref in sorted(found, key=lambda r: (r.start, -(r.end - r.start))):
        if kept and ref.start < kept[-1].end:
            continue
        kept.append(ref)
    return kept


@Language.factory("newscorpus_laws", assigns=["doc._.newscorpus_laws"])
def make_laws_component(nlp: Language, name: str) -> LawsComponent:
    """Factory of the law-references component (registered as `newscorpus_laws`)."""
    register_extensions()
    return LawsComponent(load_gazetteer())
