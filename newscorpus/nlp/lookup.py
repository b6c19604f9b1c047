"""What a user names in a search filter, looked up without a pipeline (no spaCy loaded): a place in the
gazetteer, a law in the registry."""

from __future__ import annotations

import math

from newscorpus.nlp._gazetteer import Place, load_gazetteer
from newscorpus.nlp._lawregistry import find_law
from newscorpus.nlp._place_ranker import contains

__all__ = ["find_law", "find_place"]

# A name alone, with no story around it, means its most prominent place: countries and states before towns.
_LEVEL = {"continent": 8.0, "country": 8.0, "region": 14.0, "admin1": 6.5, "admin2": 1.0, "city": 0.0}
_CAPITAL_BONUS = 4.0  # national capitals are named more than their population suggests ("Washington")


def find_place(name: str) -> Place | None:
    """The place a user means by a name, without a story around it: "Kenya", "KE", "Nairobi", "Georgia, US",
    "Paris, Texas" (a country or region after a comma narrows the choice); the most prominent one else."""
    gazetteer = load_gazetteer()
    name, _, hint = (part.strip() for part in name.rpartition(",")) if "," in name else (name.strip(), "", "")
    if len(name) == 2 and name.isupper() and name in gazetteer.countries:
        return gazetteer.countries[name]
    found = gazetteer.lookup(name)
    if hint:
        outer = (gazetteer.countries[hint.upper()],) if hint.upper() in gazetteer.countries else tuple(
            p for p in gazetteer.lookup(hint) if p.kind in ("country", "admin1"))
        found = tuple(p for p in found if any(contains(o, p) for o in outer))
    return max(found, key=lambda p: _LEVEL[p.kind] + math.log10(p.population + 1)
               + (_CAPITAL_BONUS if p.capital else 0.0), default=None)
