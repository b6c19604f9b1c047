"""The ranker that picks a place name's sense among its gazetteer candidates: a weighted sum of features of each
candidate and of the story (newscorpus/data/place_ranker.json). `benchmarks/train_place_ranker.py` learns
weights as a conditional logit on the geoparsing tuning sets only (GeoVirus and the first half of LGL) and
writes them only where they rank better than the current ones on the tuning set they were not trained on.

A feature is what the text or the gazetteer says about one candidate: its kind and size, whether the name is
its own or one of its other names, and how the story supports it (its country or region named, a neighbouring
place, "Paris, Texas").
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from newscorpus.nlp._gazetteer import Place, distance_km, name_key

FEATURES = (
    "continent", "country", "region", "admin1", "admin2", "city",  # the kind of place
    "log population", "other name", "capital", "world city",
    "country named", "log country mentions", "country share", "region named", "county named", "beside", "near",
    "setting country", "setting region",
)
NEAR_KM = 200.0
WORLD_CITY = 1_000_000


@dataclass(frozen=True)
class Context:
    """What a story says about where it is."""

    countries: Counter[str]
    regions: dict[tuple[str, str], set[str]]  # (country code, region name) -> the names in the story naming it
    # (country code, region, county) -> the names in the story that may be that county, or a town in it
    counties: dict[tuple[str, str | None, str], set[str]]
    towns_in: dict[tuple[str, str | None, str], set[str]]
    points: list[tuple[float, float]]  # places named with only one candidate
    setting: Place | None = None  # the region or country the story is set in


def contains(outer: Place, place: Place) -> bool:
    """Whether a country or first-level region contains a place."""
    if outer.kind == "country":
        return place.country_code == outer.country_code and place is not outer
    return place.country_code == outer.country_code and place.admin1 == outer.admin1 and place.kind != "admin1"


def features(place: Place, name: str, context: Context, beside: tuple[Place, ...] | None) -> list[float]:
    """The feature vector of one candidate `place` for the name `name` (a name_key) in a story."""
    kinds = [float(place.kind == kind) for kind in FEATURES[:6]]
    mentions = context.countries[place.country_code] if place.country_code else 0
    total = sum(context.countries.values())
    if place.kind == "city" and place.admin2:
        supporters = context.counties.get((place.country_code, place.admin1, place.admin2), set())
    else:
        supporters = context.towns_in.get((place.country_code, place.admin1, place.name), set())
    region_named = place.kind != "admin1" and bool(
        context.regions.get((place.country_code, place.admin1 or ""), set()) - {name})
    near = place.lat is not None and place.lon is not None and any(
        0 < distance_km(place.lat, place.lon, lat, lon) < NEAR_KM for lat, lon in context.points)
    setting = context.setting
    return [
        *kinds,
        math.log10(place.population + 1),
        float(name_key(place.name) != name),
        float(place.capital and name_key(place.name) == name),
        float(place.kind == "city" and (place.capital or place.population >= WORLD_CITY)),
        float(mentions > 0),
        math.log(mentions) if mentions else 0.0,
        mentions / total if total else 0.0,
        float(region_named),
        float(bool(supporters - {name})),
        float(bool(beside) and any(contains(outer, place) for outer in beside or ())),
        float(near),
        float(setting is not None and place.country_code == setting.country_code and place is not setting),
        float(setting is not None and setting.kind == "admin1" and contains(setting, place)),
    ]


@lru_cache(maxsize=1)
def weights() -> tuple[float, ...]:
    """The learned weights, one per feature."""
    data = json.loads((resources.files("newscorpus") / "data" / "place_ranker.json").read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError("place_ranker.json was trained on other features: run benchmarks/train_place_ranker.py")
    return tuple(float(w) for w in data["weights"])


def score(place: Place, name: str, context: Context, beside: tuple[Place, ...] | None) -> float:
    """How well a candidate fits its name in the story (higher is better)."""
    return sum(w * x for w, x in zip(weights(), features(place, name, context, beside), strict=True))
