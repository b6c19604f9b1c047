"""Places a document mentions, as index terms along the administrative hierarchy.

A mention of Nairobi is indexed under the town itself (its GeoNames id), its region and its country, so a filter on
Kenya finds the stories that mention Nairobi, Mombasa or Nairobi Area as well as those that name Kenya.
"""

from __future__ import annotations


def place_terms(country_code: str | None, admin1: str | None, geonameid: int | None) -> set[str]:
    """The index terms of one place mention: its country, its first-level region and the place itself."""
    terms = set()
    if country_code:
        terms.add(place_term(country_code))
        if admin1:
            terms.add(place_term(country_code, admin1))
    if geonameid is not None:
        terms.add(f"gn:{geonameid}")
    return terms


def place_term(country_code: str, admin1: str | None = None, geonameid: int | None = None) -> str:
    """The term a filter on a place uses: a town by its GeoNames id, else a region, else a country."""
    if geonameid is not None:
        return f"gn:{geonameid}"
    if admin1:
        return f"a1:{country_code.upper()}/{' '.join(admin1.lower().split())}"
    return f"cc:{country_code.upper()}"
