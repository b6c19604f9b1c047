"""Laws a document cites, as index terms: one per law, from its normalised name, so that every variant the NLP
mapped to that name ("PECA", "Prevention of Electronic Crimes Act, 2016") is found by one filter."""

from __future__ import annotations

from newscorpus.models import law_key


def law_term(name: str) -> str:
    """The index term of a law's name (and the term a filter on that law uses)."""
    return f"law:{law_key(name)}"
