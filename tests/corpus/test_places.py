"""Filtering on the places articles mention, along the administrative hierarchy."""

from __future__ import annotations

from pathlib import Path

from newscorpus.app.filters import resolver
from newscorpus.corpus import search
from newscorpus.corpus.places import place_term, place_terms
from newscorpus.models import Annotations, PlaceMention
from tests.conftest import stored_corpus

def test_places_a_town_is_indexed_under_itself_its_region_and_its_country() -> None:
    assert place_terms("KE", "Nairobi Area", 184745) == {"cc:KE", "a1:KE/nairobi area", "gn:184745"}
    assert place_terms("PK", "Punjab", None) == {"cc:PK", "a1:PK/punjab"}
    assert place_terms(None, None, None) == set()
    assert place_term("ke", "Nairobi  Area") == "a1:KE/nairobi area"


def test_places_filter_on_a_country_finds_its_towns_and_regions(tmp_path: Path) -> None:
    mentions = {"nairobi": PlaceMention("Nairobi", 0, 7, "Nairobi", 184745, -1.28, 36.82, "KE", "Nairobi Area"),
                "punjab": PlaceMention("Punjab", 0, 6, "Punjab", None, 31.1, 72.7, "PK", "Punjab"),
                "kenya": PlaceMention("Kenya", 0, 5, "Kenya", 192950, 0.6, 37.8, "KE", None)}
    store, index = stored_corpus(tmp_path, {name: Annotations(places=[place]) for name, place in mentions.items()},
                                 about="floods")

    def found(query: str) -> set[str]:
        return {h.title for h in search(store, index, query, resolve=resolver(store)) if h.title}

    assert found("place:Kenya") == found("country:KE") == {"nairobi", "kenya"}
    assert found('place:"Nairobi Area"') == {"nairobi"}
    assert found("place:Nairobi") == {"nairobi"}
    assert found('place:"Punjab, PK"') == {"punjab"}
    assert found("country:IN") == set()
    assert found("floods -place:Kenya") == {"punjab"}
