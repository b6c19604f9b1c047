"""`newscorpus_places`: place names resolved to GeoNames records, using the story as context.

Each candidate place of a name is scored by a context-free prior (kind and population) plus what the story says:
countries and regions it names (or names through a demonym or an unambiguous place), the region or country
written beside the name ("Paris, Texas", "Ludhiana in Punjab"), and how near the candidate lies to the other
places of the story. A name keeps one sense throughout a story.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from newscorpus.models import FocusPlace, PlaceMention
from newscorpus.nlp._extensions import register_extensions, set_records
from newscorpus.nlp._gazetteer import Gazetteer, Place, distance_km, load_gazetteer, name_key

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Labels the small English model often gives places ("Ohio" ORG, "Gainesville" PERSON, "Georgian" NORP).
_MISLABELLED = {"ORG", "PERSON", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT"}
# After these words a gazetteer name is a place ("in Gainesville").
_LOCATIVE_WORDS = {"in", "at", "from", "near", "across", "outside", "to", "of", "into", "through", "toward",
                   "towards", "around", "between"}
# A name followed by one of these is a disease, not a place ("Ebola virus", "West Nile fever").
_NOT_PLACE_AFTER = {"virus", "viruses", "fever", "disease", "vaccine", "strain", "flu"}
_FOCUS_SHARE = 0.25  # a country or region a story is about has at least this share of its place mentions
_BIG_CITY = 100_000  # a city this big is what its name means, over a region of the same name
# What a capital does when it stands for its government ("Washington said", "Moscow warned").
_GOVERNMENT_VERBS = {"say", "warn", "announce", "urge", "accuse", "insist", "demand", "deny", "reject", "impose",
                     "threaten", "respond", "claim", "condemn", "tell", "want", "agree", "decide", "refuse", "vow",
                     "pledge", "call", "blame", "protest", "retaliate", "expel", "sanction"}
# Compass words that are also the names of small towns somewhere ("West", "North").
_DIRECTIONS = {f"{prefix}{word}" for prefix in ("", "north", "south") for word in
               ("north", "south", "east", "west", "northern", "southern", "eastern", "western", "central")}
_STRONG_KINDS = {"continent", "country", "admin1"}

# Context-free preference: continents and countries over regions over cities, bigger places first.
_LEVEL = {"continent": 8.0, "country": 8.0, "admin1": 6.5, "admin2": 1.0, "city": 0.0}
_ALTERNATE_NAME_PENALTY = 1.5  # a town known by the name only as an alternate (often a historical) one
_CAPITAL_BONUS = 4.0  # national capitals are named more than their population suggests ("Washington")
_COUNTRY_BONUS = 6.0  # the story names the candidate's country
_REGION_BONUS = 3.0  # the story names the candidate's first-level region
_BESIDE_BONUS = 8.0  # "Paris, Texas": the region or country written right after the name
_COUNTY_BONUS = 3.0  # the story names the candidate town's county, or a town of the candidate county
_NEAR_BONUS = 2.0  # the candidate lies within _NEAR_KM of another place of the story
_NEAR_KM = 200.0


@dataclass(frozen=True)
class _Context:
    """What a story says about where it is."""

    countries: Counter[str]
    regions: dict[tuple[str, str], set[str]]  # (country code, region name) -> the names in the story naming it
    # (country code, region, county) -> the names in the story that may be that county, or a town in it
    counties: dict[tuple[str, str | None, str], set[str]]
    towns_in: dict[tuple[str, str | None, str], set[str]]
    points: list[tuple[float, float]]  # places named with only one candidate


class PlacesComponent:
    """Finds place names (the NER's GPE, LOC and FAC, and gazetteer names after a locative word) and resolves each
    to the best-scoring gazetteer candidate."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        places = self.resolve(doc, self.recognise(doc))
        set_records(doc, "newscorpus_places", places)
        set_records(doc, "newscorpus_focus", self.focus(places))
        return doc

    def focus(self, mentions: list[PlaceMention]) -> list[FocusPlace]:
        """The countries and regions a story is about: those with at least a quarter of its place mentions
        (the first mention, the dateline or lead, counts twice), not every place it passes through."""
        countries: Counter[str] = Counter()
        regions: Counter[tuple[str, str]] = Counter()
        for number, mention in enumerate(m for m in mentions if m.country_code):
            weight = 2 if number == 0 else 1
            countries[mention.country_code or ""] += weight
            if mention.admin1:
                regions[(mention.country_code or "", mention.admin1)] += weight
        total = sum(countries.values())
        found = [FocusPlace(code, None, self.gazetteer.countries[code].name if code in self.gazetteer.countries
                            else code, round(count / total, 3))
                 for code, count in countries.most_common() if count / total >= _FOCUS_SHARE]
        found += [FocusPlace(code, admin1, admin1, round(count / total, 3))
                  for (code, admin1), count in regions.most_common() if count / total >= _FOCUS_SHARE]
        return found

    def recognise(self, doc: Doc) -> list[Span]:
        """The spans of the place names in a document: the NER's places, and names it labels otherwise that
        the gazetteer knows as a country or region, or as a town where the text says it is a place (after
        "in", before ", Ohio", or named as a place elsewhere in the story); and the dateline."""
        people = {t.lower_ for ent in doc.ents if ent.label_ == "PERSON" for t in ent}
        # a place name has a capital somewhere ("the canton of Valais" names Valais, not Canton in China)
        places = [ent for ent in doc.ents if ent.label_ in _PLACE_LABELS and not ent.text.islower()
                  and not self._disease(ent) and not self._person(ent, people) and not self._government(ent)]
        named = {name_key(ent.text) for ent in places}
        for ent in doc.ents:
            if ent.label_ not in _MISLABELLED or self._disease(ent) or self._government(ent):
                continue
            if self._mislabelled_place(ent, named):
                places.append(ent)
            elif ent.label_ == "ORG" and (inner := self._embedded(ent, named)) is not None:
                places.append(inner)
        taken = {i for span in doc.ents for i in range(span.start, span.end)}
        places += [span for span in self._unlabelled(doc, taken, named) if not self._disease(span)]
        return sorted((self._without_article(p) for p in places), key=lambda span: span.start)

    def _without_article(self, span: Span) -> Span:
        """"the United States" names "United States"; "The Hague" keeps its article."""
        if len(span) > 1 and span[0].lower_ == "the" and not (
                self.gazetteer.lookup(span.text) and not self.gazetteer.lookup(span[1:].text)):
            return span[1:]
        return span

    def _embedded(self, ent: Span, named: set[str]) -> Span | None:
        """The place an organisation's name starts with or ends in ("the Mansfield Police Department", "the
        University of Rochester"), if it is a country, a region or a county, or a town the story names."""
        start = ent.start + (ent[0].lower_ == "the")
        leading = [(start, end) for end in range(min(ent.end - 1, start + 3), start, -1)]
        after_of = [(i + 1, ent.end) for i in range(ent.start, ent.end - 1) if ent.doc[i].lower_ in ("of", "in")]
        for first, end in leading + after_of:
            inner = ent.doc[first:end]
            if not all(t.is_title or t.is_upper or t.text == "." for t in inner):
                continue
            found = self.gazetteer.lookup(inner.text)
            if any(p.kind in _STRONG_KINDS or p.kind == "admin2" for p in found) or (
                    found and name_key(inner.text) in named):
                return inner
        return None

    def _unlabelled(self, doc: Doc, taken: set[int], named: set[str]) -> list[Span]:
        """Capitalised names outside any entity that the gazetteer knows, where the text marks them as places:
        a dateline ("MANSFIELD -"), after a locative word, before ", Ohio", or a country or region."""
        found: list[Span] = []
        i = 0
        while i < len(doc):
            if i in taken or not doc[i].is_alpha or not (doc[i].is_title or doc[i].is_upper) or len(doc[i]) < 3 or (
                    doc[i].is_upper and len(doc[i]) < 5):  # "HIV", "NATO": acronyms, not datelines
                i += 1
                continue
            end = i + 1
            while end < len(doc) and end - i < 4 and end not in taken and doc[end].is_alpha and (
                    doc[end].is_title or doc[end].is_upper):
                end += 1
            span = next((doc[i:e] for e in range(end, i, -1) if self.gazetteer.lookup(doc[i:e].text)), None)
            if span is None or name_key(span.text) in _DIRECTIONS:
                i += 1
                continue
            places = self.gazetteer.lookup(span.text)
            after = doc[span.end].text if span.end < len(doc) else ""
            before = doc[span.start - 1].lower_ if span.start > 0 else ""
            dateline = span.text.isupper() and len(span.text) > 3 and after in ("-", "—", "–", ",", "(", ":")
            sentence_start = span.start == span.sent.start
            if dateline or name_key(span.text) in named or (not sentence_start and (
                    before in _LOCATIVE_WORDS or self._beside(span) is not None
                    or any(p.kind in _STRONG_KINDS for p in places))):
                found.append(span)
            i = span.end
        return found

    def _mislabelled_place(self, ent: Span, named: set[str]) -> bool:
        found = self.gazetteer.lookup(ent.text)
        if ent.label_ == "NORP":  # "Georgia" mislabelled, not a demonym ("Georgian" is not a place)
            return bool(found) and all(p.kind in _STRONG_KINDS for p in found)
        if not found or name_key(ent.text) in _DIRECTIONS:
            return False
        # a short all-caps code other than a country's ("SC" for a Special Court, not South Carolina) is a place
        # only where the text marks it as one
        code = ent.text.isupper() and len(ent.text.replace(".", "")) <= 3 and all(p.kind != "country" for p in found)
        if not code and (any(p.kind in _STRONG_KINDS for p in found) or name_key(ent.text) in named):
            return True
        before = ent.doc[ent.start - 1] if ent.start > 0 else None
        return (before is not None and before.lower_ in _LOCATIVE_WORDS) or self._beside(ent) is not None

    def _person(self, ent: Span, people: set[str]) -> bool:
        """A one-word "place" that is someone's name elsewhere in the story ("Saakashvili")."""
        before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        return (len(ent) == 1 and ent[0].lower_ in people and before not in _LOCATIVE_WORDS
                and not any(p.kind in _STRONG_KINDS for p in self.gazetteer.lookup(ent.text)))

    def _government(self, ent: Span) -> bool:
        """A capital standing for its government: "Washington said", "Beijing warned"."""
        root = ent.root
        return (root.dep_ == "nsubj" and root.head.lemma_ in _GOVERNMENT_VERBS
                and any(p.capital for p in self.gazetteer.lookup(ent.text)))

    @staticmethod
    def _disease(ent: Span) -> bool:
        return ent.end < len(ent.doc) and ent.doc[ent.end].lower_ in _NOT_PLACE_AFTER

    def resolve(self, doc: Doc, spans: list[Span]) -> list[PlaceMention]:
        """Each place name resolved to a gazetteer entry (or left unresolved), the story as context."""
        candidates = [_city_over_region(span, self._candidates(span.text)) for span in spans]
        context = self._context(doc, spans, candidates)
        chosen: dict[tuple[str, tuple[Place, ...] | None], Place | None] = {}
        mentions = []
        for span, found in zip(spans, candidates, strict=True):
            beside = self._beside(span)
            key = (span.text, beside)
            if key not in chosen:
                name = name_key(span.text)
                chosen[key] = max(found, key=lambda p: self._score(p, name, context, beside), default=None)
            mentions.append(_mention(span, chosen[key]))
        return mentions

    def _candidates(self, name: str) -> tuple[Place, ...]:
        """The places a name may be; a demonym ("Kenyan") stands for its country."""
        found = self.gazetteer.lookup(name)
        if not found and (code := self.gazetteer.demonym(name)) and code in self.gazetteer.countries:
            return (self.gazetteer.countries[code],)
        return found

    def _score(self, place: Place, name: str, context: _Context, beside: tuple[Place, ...] | None) -> float:
        score = _LEVEL[place.kind] + math.log10(place.population + 1)
        if place.kind == "city" and name_key(place.name) != name:
            score -= _ALTERNATE_NAME_PENALTY
        if place.capital:
            score += _CAPITAL_BONUS
        if place.country_code and context.countries[place.country_code]:
            score += _COUNTRY_BONUS + math.log(context.countries[place.country_code])
        if place.kind != "admin1" and context.regions.get((place.country_code, place.admin1 or ""), set()) - {name}:
            score += _REGION_BONUS
        if place.kind == "city" and place.admin2:
            supporters = context.counties.get((place.country_code, place.admin1, place.admin2), set())
        else:
            supporters = context.towns_in.get((place.country_code, place.admin1, place.name), set())
        if supporters - {name}:  # another name of the story: "Huntsville" and "Walker County", the Texas pair
            score += _COUNTY_BONUS
        if beside and any(_contains(outer, place) for outer in beside):
            score += _BESIDE_BONUS
        if place.lat is not None and place.lon is not None and any(
                0 < distance_km(place.lat, place.lon, lat, lon) < _NEAR_KM for lat, lon in context.points):
            score += _NEAR_BONUS
        return score

    def _beside(self, span: Span) -> tuple[Place, ...] | None:
        """The regions and countries written right after a name: "Paris, Texas", "Ludhiana in Punjab"."""
        doc = span.doc
        if span.end + 1 < len(doc) and doc[span.end].text in (",", "in"):
            outer = next((e for e in doc.ents if e.start == span.end + 1), None)
            if outer is not None:
                places = tuple(p for p in self.gazetteer.lookup(outer.text) if p.kind in ("country", "admin1"))
                return places or None
        return None

    def _context(self, doc: Doc, spans: list[Span], candidates: list[tuple[Place, ...]]) -> _Context:
        """Countries the story names outright, through a demonym or through a place that has one candidate
        country; regions it names; and the points of places with one candidate."""
        countries: Counter[str] = Counter()
        regions: dict[tuple[str, str], set[str]] = defaultdict(set)
        counties: dict[tuple[str, str | None, str], set[str]] = defaultdict(set)
        towns_in: dict[tuple[str, str | None, str], set[str]] = defaultdict(set)
        points = []
        for span, found in zip(spans, candidates, strict=True):
            name = name_key(span.text)
            codes = {p.country_code for p in found if p.country_code}
            if len(codes) == 1:
                countries[codes.pop()] += 1
            for place in found:
                if place.kind == "admin2":
                    counties[(place.country_code, place.admin1, place.name)].add(name)
                elif place.kind == "city" and place.admin2:
                    towns_in[(place.country_code, place.admin1, place.admin2)].add(name)
                if place.kind == "admin1" and place.admin1:
                    regions[(place.country_code, place.admin1)].add(name)
                if place.kind == "admin2" and place.admin1:  # a US county names its state
                    regions[(place.country_code, place.admin1)].add(name)
            if len(found) == 1 and found[0].lat is not None and found[0].lon is not None:
                points.append((found[0].lat, found[0].lon))
        for ent in doc.ents:
            if ent.label_ == "NORP":
                code = self.gazetteer.country_of_word(ent.text)
                if code:
                    countries[code] += 1
        return _Context(countries, regions, counties, towns_in, points)


def _city_over_region(span: Span, found: tuple[Place, ...]) -> tuple[Place, ...]:
    """Without the candidates that are regions named like a big city of theirs: "New York" and "Washington" are
    the cities unless the text says "state"."""
    after = span.doc[span.end].lower_ if span.end < len(span.doc) else ""
    if after == "state" or span[-1].lower_ == "state":
        return found
    big = {(p.country_code, name_key(p.name)) for p in found if p.kind == "city" and p.population >= _BIG_CITY}
    return tuple(p for p in found if p.kind != "admin1" or (p.country_code, name_key(p.name)) not in big)


def _contains(outer: Place, place: Place) -> bool:
    if outer.kind == "country":
        return place.country_code == outer.country_code and place is not outer
    return place.country_code == outer.country_code and place.admin1 == outer.admin1 and place.kind != "admin1"


def _mention(ent: Span, place: Place | None) -> PlaceMention:
    if place is None:
        return PlaceMention(ent.text, ent.start_char, ent.end_char, None, None, None, None, None, None)
    return PlaceMention(ent.text, ent.start_char, ent.end_char, place.name, place.geonameid, place.lat, place.lon,
                        place.country_code, place.admin1)


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
        found = tuple(p for p in found if any(_contains(o, p) for o in outer))
    return max(found, key=lambda p: _LEVEL[p.kind] + math.log10(p.population + 1)
               + (_CAPITAL_BONUS if p.capital else 0.0), default=None)


@Language.factory("newscorpus_places", requires=["doc.ents", "token.dep", "doc.sents"],
                  assigns=["doc._.newscorpus_places", "doc._.newscorpus_focus"])
def make_places_component(nlp: Language, name: str) -> PlacesComponent:
    """Factory of the places component (registered as `newscorpus_places`)."""
    register_extensions()
    return PlacesComponent(load_gazetteer())
