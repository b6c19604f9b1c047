"""Draw a world map of where stories are about as an inline SVG string, offline.

The search page shows which countries and towns the matching stories are about. The outlines are the coarse
GeoJSON shapes (about 10,000 vertices in all) the countryinfo package already ships, so drawing needs no network,
no tile server and no new dependency. They are projected with Equal Earth (equal-area, so a big country's shading isn't exaggerated the
way Mercator exaggerates Russia), rounded to a tenth of an SVG unit and thinned, which keeps a whole world at about
120 KB. The SVG is inlined under a Content-Security-Policy that forbids inline scripts and styles, so it uses
presentation attributes only, and every text in it is escaped.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import Any

# ColorBrewer "Blues", light to dark; the neutral grey for no stories is lighter than the lightest step, so any
# story at all reads as darker than none.
_STEPS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
_NONE = "#e5e5e5"
_POINT = "#d6604d"
# Antarctica is left out and the map cut just below Cape Horn and above Greenland, which saves a tenth of the height.
_NORTH, _SOUTH = 84.0, -57.0
_SVG_NS = "http://www.w3.org/2000/svg"

# Equal Earth (Šavrič, Patterson & Jenny 2018).
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


@dataclass(frozen=True)
class MapPoint:
    """A town or other place drawn as a circle whose area grows with its number of stories.

    `key` is what `link` receives to narrow the search to this place.
    """

    name: str
    lat: float
    lon: float
    stories: int
    key: str


@dataclass(frozen=True)
class _Country:
    code: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat), outer rings and holes alike
    centre: tuple[float, float] | None  # (lat, lon), for a country too small to have or keep an outline


def world_map_svg(countries: Mapping[str, int], points: Sequence[MapPoint] = (), *,
                  link: Callable[[str], str] | None = None, width: int = 960) -> str:
    """Return an SVG world map: countries shaded by story count, places as circles sized by story count.

    `countries` maps ISO 3166-1 alpha-2 codes (upper case) to numbers of stories; unknown codes are ignored.
    A country without an outline in the data (a small island state, and a few others such as Hungary) is drawn
    as a dot at its centre when it has stories. `link`, if given, turns each country (by its code) and each
    point (by its key) into a link to the URL it returns.
    """
    height = math.ceil(width * (_Y_BOTTOM - _Y_TOP) / (2 * _X_MAX))
    top = max((n for n in countries.values() if n > 0), default=0)
    parts = [f'<svg xmlns="{_SVG_NS}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             'role="img" aria-label="World map of the countries and places the stories are about">',
             '<g stroke="#ffffff" stroke-width="0.5" fill-rule="evenodd">']
    for country, path in _country_paths(width):
        stories = max(countries.get(country.code, 0), 0)
        attributes = f'fill="{_fill(stories, top)}" data-country="{escape(country.code, quote=True)}"'
        title = _title(country.name, stories)
        if path:
            shape = f'<path d="{path}" {attributes}>{title}</path>'
        elif stories and country.centre:
            x, y = _to_svg(country.centre[1], country.centre[0], width)
            shape = f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(width / 240)}" {attributes}>{title}</circle>'
        else:
            continue
        parts.append(_linked(shape, country.code, link))
    parts.append("</g>")
    if points:
        most = max(max(p.stories for p in points), 1)
        parts.append(f'<g fill="{_POINT}" fill-opacity="0.75" stroke="#ffffff" stroke-width="0.75">')
        # Biggest first, so a small town next to a big city stays visible (and hoverable) on top of it.
        for point in sorted(points, key=lambda p: -p.stories):
            x, y = _to_svg(point.lon, min(max(point.lat, _SOUTH), _NORTH), width)
            radius = max(width / 80 * math.sqrt(max(point.stories, 0) / most), width / 480)
            shape = (f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(radius)}">'
                     f"{_title(point.name, point.stories)}</circle>")
            parts.append(_linked(shape, point.key, link))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _fill(stories: int, top: int) -> str:
    if stories <= 0:
        return _NONE
    # Counts are skewed (one country often has most stories), so steps follow the logarithm of the count.
    return _STEPS[min(int(len(_STEPS) * math.log1p(stories) / math.log1p(top)), len(_STEPS) - 1)]


def _title(name: str, stories: int) -> str:
    return f"<title>{escape(name, quote=True)}: {stories} {'story' if stories == 1 else 'stories'}</title>"


def _linked(shape: str, key: str, link: Callable[[str], str] | None) -> str:
    return shape if link is None else f'<a href="{escape(link(key), quote=True)}">{shape}</a>'


def _project(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth in units of the earth's radius, y growing southward as in SVG."""
    theta = math.asin(_M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = math.radians(lon) * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    return x, -theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))


_X_MAX = _project(180.0, 0.0)[0]
_Y_TOP, _Y_BOTTOM = _project(0.0, _NORTH)[1], _project(0.0, _SOUTH)[1]


def _to_svg(lon: float, lat: float, width: int) -> tuple[float, float]:
    x, y = _project(lon, lat)
    scale = width / (2 * _X_MAX)
    return (x + _X_MAX) * scale, (y - _Y_TOP) * scale


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@functools.lru_cache(maxsize=8)
def _country_paths(width: int) -> tuple[tuple[_Country, str], ...]:
    """Each country with its outline as SVG path data at this width ("" when it has none)."""
    return tuple((country, _path(country.rings, width)) for country in _countries())


def _path(rings: tuple[tuple[tuple[float, float], ...], ...], width: int) -> str:
    parts = []
    for ring in rings:
        kept: list[tuple[float, float]] = []
        # GeoJSON repeats a ring's first vertex at its end; "Z" closes the ring instead.
        for lon, lat in ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring:
            x, y = _to_svg(lon, lat, width)
            x, y = round(x, 1), round(y, 1)
            # Vertices closer than half a unit can't be told apart on screen; dropping them halves the size.
            if not kept or (x - kept[-1][0]) ** 2 + (y - kept[-1][1]) ** 2 >= 0.25:
                kept.append((x, y))
        if len(kept) >= 3:
            parts.append("M" + " ".join(f"{_num(x)} {_num(y)}" for x, y in kept) + "Z")
    return "".join(parts)


@functools.cache
def _countries() -> tuple[_Country, ...]:
    """The countries countryinfo knows, with their outlines, read once per process (about 50 ms)."""
    found: dict[str, _Country] = {}
    data = resources.files("countryinfo").joinpath("data")
    # Sorted so that of two files with one code (Palestine has two) the choice doesn't depend on the file system.
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):  # the directory also holds an index.js
            continue
        record = json.loads(entry.read_text(encoding="utf-8"))
        code = str((record.get("ISO") or {}).get("alpha2") or "")
        if not re.fullmatch(r"[A-Z]{2}", code) or code == "AQ":
            continue
        latlng = record.get("latlng")
        country = _Country(code, str(record.get("name") or code), _rings(record.get("geoJSON")),
                           (float(latlng[0]), float(latlng[1])) if latlng and len(latlng) == 2 else None)
        earlier = found.get(code)
        if earlier is None or _completeness(country) > _completeness(earlier):
            found[code] = country
    return tuple(sorted(found.values(), key=lambda c: c.code))


def _completeness(country: _Country) -> tuple[bool, bool]:
    return bool(country.rings), country.centre is not None


def _rings(geojson: Any) -> tuple[tuple[tuple[float, float], ...], ...]:
    rings: list[tuple[tuple[float, float], ...]] = []
    for feature in (geojson or {}).get("features") or ():
        geometry = feature.get("geometry") or {}
        kind, coordinates = geometry.get("type"), geometry.get("coordinates") or ()
        for polygon in [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else ():
            rings.extend(tuple((float(lon), float(lat)) for lon, lat, *_ in ring) for ring in polygon or ())
    return tuple(rings)
