"""Laws a document cites, as index terms: one per law, from its normalised name, so that every variant the NLP
mapped to that name ("PECA", "Prevention of Electronic Crimes Act, 2016") is found by one filter; and one per
provision, alone and with its law, so that `section:20` and `law:PECA section:20` find "section 20(1) of the Act".
"""

from __future__ import annotations

import re

from newscorpus.models import law_key

_PROVISION_WORDS = re.compile(
    r"\b(?:sub-?sections?|sections?|secs?|ss?|articles?|arts?|clauses?|titles?|chapters?|parts?|rules?|"
    r"schedules?|paragraphs?|paras?)\b\.?", re.IGNORECASE)


def law_term(name: str) -> str:
    """The index term of a law's name (and the term a filter on that law uses)."""
    return f"law:{law_key(name)}"


def section_ids(section: str) -> set[str]:
    """The provisions a section string cites, each also by its leading number: "Sections 376, 506(2)" ->
    {"376", "506(2)", "506"}; "Section 295-C" -> {"295c"}; "First Amendment" -> {"firstamendment"}."""
    found = set()
    for part in re.split(r",|;|&|\band\b|/", _PROVISION_WORDS.sub(" ", section.lower())):
        provision = re.sub(r"[\s\-.]", "", part)
        if re.search(r"\w", provision):
            found.add(provision)
            found.add(provision.split("(", 1)[0] or provision)
    return found


def law_terms(name: str, section: str | None) -> set[str]:
    """The index terms of one law reference: the law, and each provision alone and with its law."""
    terms = {law_term(name)}
    for provision in section_ids(section or ""):
        terms |= {f"sec:{provision}", f"{law_term(name)}#{provision}"}
    return terms
