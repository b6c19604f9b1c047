"""`newscorpus_places`: place names resolved to GeoNames records, using the story as context.

A name is a place only on evidence that it is one here: the NER says so and the gazetteer knows it by its own
name or as a well-known place; or the text marks it ("in X", "X-based", "X, Ohio", "R-Texas", a dateline, "a
Multan man"). A name inside a law's title, a body of the solar system, a compass word or a person's name that is
also a region's needs the text's word.

Each candidate place of a name is scored by the ranker (newscorpus/nlp/_place_ranker.py): its kind and size,
and what the story says: countries and regions it names (or names through a demonym or an unambiguous place),
the region or country written beside the name ("Paris, Texas"), and how near the candidate lies to the other
places of the story. A world city keeps its meaning over a town of the same name unless the mention itself is
placed; a name the gazetteer lacks, or knows only as a small far-off place's other name, is placed
approximately in the region or country the story is set in. A name keeps one sense throughout a story.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from newscorpus.models import FocusPlace, PlaceMention
from newscorpus.nlp._extensions import register_extensions, sentence_start, set_records
from newscorpus.nlp._gazetteer import Gazetteer, Place, load_gazetteer, name_key
from newscorpus.nlp._lawregistry import LAW_TITLE_WORDS
from newscorpus.nlp._place_ranker import WORLD_CITY, Context, contains, score

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
_STRONG_KINDS = {"continent", "country", "admin1", "region"}
# Locative words that mark what follows as a place even where the NER reads it as a person or an organisation
# ("in Gainesville"; not "to Omar", "of Google").
_STRONG_LOCATIVES = {"in", "near", "outside", "across", "into", "throughout", "around", "toward", "towards", "from"}
# Locative words that say where something is, not whose or what it is ("investigations into Burisma",
# "suggestions from Sondland"): the only ones that make a place of a name the gazetteer lacks.
_STATIC_LOCATIVES = {"in", "near", "outside", "across", "throughout", "around"}
# Bodies of the solar system that share their names with towns on Earth: never a place on Earth unless the text
# says where ("Mars, Pennsylvania").
_CELESTIAL = {"sun", "moon", "mercury", "venus", "earth", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto",
              "ceres", "vesta", "eris", "europa", "io", "ganymede", "callisto", "titan", "enceladus", "triton",
              "phobos", "deimos", "charon", "bennu", "ryugu"}
_TITLE_JOINERS = {"of", "and", "for", "on", "the", "&", "to", "in", "against", "(", ")"}
# The last word of a geographic feature's or a facility's name, which gazetteers of towns lack.
_FEATURE_WORDS = {"River", "Lake", "Sea", "Ocean", "Gulf", "Bay", "Mountain", "Mountains", "Valley", "Island",
                  "Islands", "Desert", "Canyon", "Creek", "Falls", "Peninsula", "Strait", "Straits", "Channel",
                  "Street", "St.", "Road", "Rd.", "Avenue", "Ave.", "Boulevard", "Blvd.", "Highway", "Square",
                  "Park", "County", "Parish", "Township", "Province", "Forest", "Glacier", "Delta", "Basin",
                  "Coast", "Harbor", "Harbour", "Beach", "Hills", "Heights", "Airport", "Bridge", "Station", "Stadium",
                  "Dam", "Canal", "Port", "City", "Town", "Village", "Region", "District", "Drive", "Lane"}
# Nouns for kinds of places: "the town of X", "villages of X and Y".
_PLACE_NOUNS = {"town", "towns", "village", "villages", "city", "cities", "province", "provinces", "district",
                "districts", "island", "islands", "region", "county", "state", "municipality", "community",
                "capital", "suburb", "suburbs", "neighbourhood", "neighborhood", "port", "commune", "prefecture",
                "governorate", "township", "hamlet", "settlement", "area", "coast", "shores"}
# State and province codes that are also English words or credentials.
_WORD_CODES = {"IN", "OR", "ME", "OK", "HI", "ON", "DO", "MD", "PA", "AS", "AL", "MA", "CO", "DE", "GA", "LA", "MS",
               "NB", "PE", "QC", "SA", "WA"}
# What a team does or has done for it, in a sentence about play: "Minnesota beat Buffalo", "scored for Ottawa".
_CONTEST_VERBS = {"beat", "defeat", "edge", "top", "rout", "blank", "outlast", "outscore", "trounce", "thrash", "upset",
                  "sweep", "lead", "lift", "hold", "improve", "clinch", "rally", "shut", "hand"}
_PLAY_WORDS = {"goal", "goals", "assist", "assists", "save", "saves", "shot", "shots", "point", "points", "rebound",
               "rebounds", "touchdown", "touchdowns", "inning", "innings", "win", "wins", "victory", "game", "games",
               "season", "scored", "playoff", "playoffs", "streak", "skid", "overtime", "shootout"}
# A plural kind of place after a list of names ("Barry, Cass and Van Buren counties", "Kano and Kaduna states"):
# each name is one of that kind, by its full name or its own.
_LIST_KINDS = {"counties": ("County", "admin2"), "parishes": ("Parish", "admin2"), "states": ("State", "admin1"),
               "provinces": ("Province", "admin1"), "regions": ("Region", "admin1"), "districts": ("District", "admin2")}
_DATELINE_MARKS = {"-", "--", "—", "–", ",", "(", ":"}
_WELL_KNOWN = 100_000  # a town this big is a place on the NER's word alone, even by one of its other names
_WORLD_CITY_RATIO = 20  # a world city keeps its meaning over a namesake this many times smaller

# Context-free preference: continents and countries over regions over cities, bigger places first.


class PlacesComponent:
    """Finds place names (the NER's GPE, LOC and FAC, and gazetteer names after a locative word) and resolves each
    to the best-scoring gazetteer candidate."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._indexed: Doc | None = None  # the Doc whose entities _starts holds
        self._starts: dict[int, Span] = {}

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
        for number, mention in enumerate(m for m in mentions if m.country_code and not m.approximate):
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
        "in", before ", Ohio", or named as a place elsewhere in the story); and the dateline. A span reads one
        way: a name inside a law's title, a body of the solar system, or a name the gazetteer knows only as a
        small place's other name is a place only where the text marks it as one."""
        people = {t.lower_ for ent in doc.ents if ent.label_ == "PERSON" for t in ent}
        # a place name has a capital somewhere ("the canton of Valais" names Valais, not Canton in China)
        places = [ent for ent in doc.ents if ent.label_ in _PLACE_LABELS and not ent.text.islower()
                  and not self._disease(ent) and not self._person(ent, people) and not self._government(ent)]
        named = {name_key(ent.text) for ent in places}
        # a name the text puts "in" somewhere known to the gazetteer is a place in all its mentions ("in Rukban",
        # then "the Rukban camp"), whatever the NER calls it
        named |= {name_key(ent.text) for ent in doc.ents if ent.label_ in _MISLABELLED and ent.start
                  and doc[ent.start - 1].lower_ in _STATIC_LOCATIVES and self.gazetteer.lookup(ent.text)}
        for ent in doc.ents:
            if ent.label_ not in _MISLABELLED or self._disease(ent) or self._government(ent):
                continue
            if self._mislabelled_place(ent, named):
                places.append(ent)
            elif ent.label_ == "ORG" and (inner := self._embedded(ent, named)) is not None:
                places.append(inner)
        taken = {i for span in doc.ents for i in range(span.start, span.end)}
        places += [span for span in self._unlabelled(doc, taken, named) if not self._disease(span)]
        laws = [(e.start, e.end) for e in doc.ents if e.label_ == "LAW"]
        spans = [span for span in (self._trimmed(p) for p in places) if len(span)]
        # names the story puts after a locative word at least once ("to Darfur", "in Darfur")
        located = {name_key(s.text) for s in spans if s.start and doc[s.start - 1].lower_ in _STATIC_LOCATIVES}
        kept = [span for span in spans if self._evidence(span, laws, located)]
        kept += self._coordinated(doc, kept, laws)
        kept += self._listed(doc, kept)
        return sorted(kept, key=lambda span: span.start)

    def _listed(self, doc: Doc, places: list[Span]) -> list[Span]:
        """The names in a list before a plural kind of place ("in Barry, Cass and Van Buren counties") that the
        gazetteer knows as places of that kind."""
        taken = {i for span in places for i in range(span.start, span.end)}
        found: list[Span] = []
        for noun in doc:
            if noun.lower_ not in _LIST_KINDS or not noun.i:
                continue
            end = noun.i
            while end > 0:
                start = end
                while start > 0 and doc[start - 1].is_title and doc[start - 1].is_alpha and end - start < 3:
                    start -= 1
                if start == end:
                    break
                span = Span(doc, start, end, label="GPE")
                if not any(i in taken for i in range(start, end)) and self._candidates(span) and (
                        _listed_kind(span) == noun.lower_):
                    found.append(span)
                end = start - 1 if start > 0 and doc[start - 1].lower_ in (",", "and", "or") else 0
                if end > 0 and doc[end].lower_ in ("and", "or") and doc[end - 1].text == ",":
                    end -= 1  # "Cass, and Van Buren"
        return found

    def _coordinated(self, doc: Doc, places: list[Span], laws: list[tuple[int, int]]) -> list[Span]:
        """Names listed with a place ("in Pandi and Talavera", "Cairo, Giza and Al-Minya") that the gazetteer
        knows: a list of places is a list of places."""
        taken = {i for span in places for i in range(span.start, span.end)}
        found: list[Span] = []
        for place in places:
            for token in place.root.conjuncts:
                if token.i in taken or not (token.is_title or token.is_upper) or token.pos_ != "PROPN":
                    continue
                start = min([token.i, *(c.i for c in token.lefts if c.dep_ == "compound")])
                span = self._trimmed(Span(doc, start, token.i + 1, label="GPE"))
                found_places = self._candidates(span)
                if any(i in taken for i in range(span.start, span.end)) or not found_places:
                    continue
                # where the NER reads it as something else ("the Sabres"), only a well-known place will do
                known = any(p.kind in _STRONG_KINDS or p.population >= _WELL_KNOWN for p in found_places)
                if token.ent_type_ in _MISLABELLED and not known:
                    continue
                if self._evidence(span, laws, set()):  # a law's title, a moon or a title before a name stays out
                    found.append(span)
                    taken.update(range(span.start, span.end))
        return found

    def _evidence(self, span: Span, laws: list[tuple[int, int]], located: set[str]) -> bool:
        """Whether what the text says lets this span be a place."""
        if any(s <= span.start and span.end <= e for s, e in laws) or _in_law_title(span) or _title(span):
            return False
        if span.text in _WORD_CODES and self._postal_code(span.doc, span.start) is None:  # "John Smith, MD"
            return False
        key = name_key(span.text)
        if key in _CELESTIAL or key in _DIRECTIONS:
            return self._beside(span) is not None
        found = self._candidates(span)
        if _team(span) and not any(p.kind in ("country", "continent", "region") for p in found):
            return False
        if len(span) > 1 and span[-1].text.capitalize() in _FEATURE_WORDS:  # "the Red River", "Kermanshah province"
            return True
        if not found:  # a name the gazetteer lacks: a place only where the NER and the text both say where it is
            return self._town_of_region(span) or span.label_ in _PLACE_LABELS and not _continues(span) and (
                self._beside(span) is not None or _marked(span, _STATIC_LOCATIVES) or key in located)
        if any(p.kind in _STRONG_KINDS or p.population >= _WELL_KNOWN or name_key(p.name) == key for p in found):
            return True
        # only a small place's other name ("Siri" for Sīrē): the NER's word is enough where the name stands alone
        return (_marked(span) or self._beside(span) is not None or _dateline(span)
                or (span.label_ in ("GPE", "LOC") and not _continues(span)))

    def _trimmed(self, span: Span) -> Span:
        """"the United States" names "United States", "Chicago's" names "Chicago"; "The Hague" keeps its
        article."""
        start, end = span.start, span.end
        if end - start > 1 and span[-1].lower_ in ("'s", "’s", "'", "’"):
            end -= 1
        if end - start > 1 and span[0].lower_ == "the" and not (
                self.gazetteer.lookup(span.doc[start:end].text) and not self.gazetteer.lookup(span.doc[start + 1:end].text)):
            start += 1
        return span if (start, end) == (span.start, span.end) else Span(span.doc, start, end, label=span.label_)

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
            if name_key(inner.text) in _DIRECTIONS:
                continue
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
            if i not in taken and (postal := self._postal_code(doc, i)) is not None:
                found.append(postal)
                i += 1
                continue
            short_caps = doc[i].is_upper and len(doc[i]) < 5 and not _dateline(doc[i:i + 1])  # "HIV", not "ROME -"
            if i in taken or not doc[i].is_alpha or not (doc[i].is_title or doc[i].is_upper) or len(doc[i]) < 3 or (
                    short_caps):
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
            before = doc[span.start - 1].lower_ if span.start > 0 else ""
            dateline = len(span.text) > 3 and _dateline(span)
            at_sentence_start = span.start == sentence_start(span)
            # a word the NER passed over, as a small place's name, needs more than "to" or "of" before it
            # ("belong to God", "Head of Research"), and not to run on into a longer name ("to Vice President")
            known = any(p.population >= _WELL_KNOWN for p in places)
            locative = before in (_LOCATIVE_WORDS if known else _STRONG_LOCATIVES) and not _runs_on(span)
            if dateline or name_key(span.text) in named or (not at_sentence_start and (
                    locative or self._beside(span) is not None or _marked(span)
                    or any(p.kind in _STRONG_KINDS for p in places))):
                found.append(span)
                named.add(name_key(span.text))  # "MANSFIELD --" makes the later "Mansfield" a place too
                i = span.end
            else:  # the rest of a run of capitalised words is no place of its own ("Tampa [Bay]")
                i = end
        return found

    def _entity_at(self, doc: Doc, start: int) -> Span | None:
        """The entity that starts at a token (doc.ents is rebuilt at each access: index it once per Doc)."""
        if self._indexed is not doc:
            self._indexed, self._starts = doc, {e.start: e for e in doc.ents}
        return self._starts.get(start)

    def _postal_code(self, doc: Doc, i: int) -> Span | None:
        """A state's or province's two-letter code after a town and a comma: "Holmdel, NJ", "Toronto, ON"."""
        token, town = doc[i], doc[i - 2] if i >= 2 else None
        if town is None or not (len(token) == 2 and token.is_upper and token.is_alpha and doc[i - 1].text == ","
                                and town.is_title and town.ent_type_ != "PERSON"):  # not "Jane Roe, PA"
            return None
        states = [p for p in self.gazetteer.lookup(token.text) if p.kind == "admin1" and p.country_code in
                  ("US", "CA", "AU")]
        # a code that is also a word or a credential ("IN", "OR", "MD") needs a town of that state before it
        if not states or (token.text in _WORD_CODES and not any(
                contains(state, p) for state in states for p in self.gazetteer.lookup(town.text))):
            return None
        return Span(doc, i, i + 1, label="GPE")

    def _mislabelled_place(self, ent: Span, named: set[str]) -> bool:
        found = self.gazetteer.lookup(ent.text)
        if ent.label_ == "NORP":  # "Georgia" mislabelled, not a demonym ("Georgian" is not a place)
            return bool(found) and (all(p.kind in _STRONG_KINDS for p in found) or (
                _adjectival(ent) and self.gazetteer.demonym(ent.text) is None
                and any(p.population >= _WELL_KNOWN for p in found)))  # "a Multan man"
        if not found:  # a town the gazetteer lacks, placed by the text: "Holmdel, NJ" (not "John Smith, MD", nor
            # an organisation "in" a place: "Jet Propulsion Laboratory in California")
            return ent.label_ != "PERSON" and self._town_of_region(ent)
        if name_key(ent.text) in _DIRECTIONS:
            return False
        if len(ent) == 1 and self._postal_code(ent.doc, ent.start) is not None:
            return True
        # a short all-caps code other than a country's ("SC" for a Special Court, not South Carolina) is a place
        # only where the text marks it as one
        code = ent.text.isupper() and len(ent.text.replace(".", "")) <= 3 and all(p.kind != "country" for p in found)
        # a region's name in an organisation's ("The Atlantic", the magazine) needs the text's word
        strong = any(p.kind in _STRONG_KINDS and (p.kind != "region" or ent.label_ != "ORG") for p in found)
        # a person's name that is also a region's ("Nelson", "Brittany") needs the text's word; a country's does not
        person = ent.label_ == "PERSON" and not any(p.kind in ("country", "continent") for p in found)
        if not code and not person and (strong or name_key(ent.text) in named):
            return True
        before = ent.doc[ent.start - 1] if ent.start > 0 else None
        return (before is not None and before.lower_ in _STRONG_LOCATIVES) or self._beside(ent) is not None or (
            _marked(ent) or (not person and _adjectival(ent) and any(p.population >= _WELL_KNOWN for p in found)))

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
        """Each place name resolved to a gazetteer entry (or left unresolved), the story as context. A name the
        gazetteer lacks, or knows only as a small far-off place's other name, is placed approximately in the
        region or country the story is set in, if it is set in one."""
        candidates = [_city_over_region(span, self._candidates(span)) for span in spans]
        context = self._context(doc, spans, candidates)
        setting = self._setting(context)
        context = replace(context, setting=setting)
        chosen: dict[tuple[str, tuple[Place, ...] | None], tuple[Place | None, bool]] = {}
        mentions = []
        for span, found in zip(spans, candidates, strict=True):
            beside = self._beside(span)
            key = (span.text, beside)
            if key not in chosen:
                name = name_key(span.text)
                best = max(found, key=lambda p: score(p, name, context, beside), default=None)
                best = _world_city(best, found, beside)
                weak = best is not None and best.kind in ("city", "admin2") and name_key(best.name) != name \
                    and best.population < _WELL_KNOWN and not context.countries[best.country_code]
                # "Holmdel, NJ": the region the text gives (the one the story supports most), else the story's
                near = max(beside, key=lambda p: (context.countries[p.country_code], p.population)) if beside \
                    else setting
                chosen[key] = (near, True) if (best is None or weak) and near is not None else (best, False)
            mentions.append(_mention(span, *chosen[key]))
        return mentions

    def _setting(self, context: Context) -> Place | None:
        """The region, else the country, a story is set in: two thirds of its unambiguous country mentions
        are in one country, and of the regions of that country it names, one."""
        total = sum(context.countries.values())
        if not total:
            return None
        code, count = context.countries.most_common(1)[0]
        if count * 3 < total * 2 or code not in self.gazetteer.countries:
            return None
        regions = {region for country, region in context.regions if country == code}
        if len(regions) == 1:
            region = regions.pop()
            found = [p for p in self.gazetteer.lookup(region) if p.kind == "admin1" and p.country_code == code]
            if found:
                return found[0]
        return self.gazetteer.countries[code]

    def _candidates(self, span: Span) -> tuple[Place, ...]:
        """The places a name may be; a demonym ("Kenyan") stands for its country; a name in a list before
        "counties" is a county."""
        name = span.text
        if (listed := _listed_kind(span)) is not None:
            noun, level = _LIST_KINDS[listed]
            found = self.gazetteer.lookup(f"{name} {noun}") or tuple(
                p for p in self.gazetteer.lookup(name) if p.kind == level)
            if found:
                return found
        found = self.gazetteer.lookup(name)
        if not found and (code := self.gazetteer.demonym(name)) and code in self.gazetteer.countries:
            return (self.gazetteer.countries[code],)
        return found

    def _town_of_region(self, span: Span) -> bool:
        """A short name, a comma and a region: "Holmdel, NJ" (an organisation "in" a place is not one)."""
        return len(span) <= 3 and span.end < len(span.doc) and span.doc[span.end].text == "," and (
            self._beside(span) is not None)

    def _beside(self, span: Span) -> tuple[Place, ...] | None:
        """The regions and countries written right after a name: "Paris, Texas", "Ludhiana in Punjab"."""
        doc = span.doc
        if span.end + 1 < len(doc) and doc[span.end].text in (",", "in"):
            outer = self._entity_at(doc, span.end + 1)
            if outer is None:  # the NER may leave the region out: up to three capitalised words ("NJ", "New South Wales")
                end = span.end + 1
                while end < len(doc) and end < span.end + 4 and (doc[end].is_title or doc[end].is_upper):
                    end += 1
                outer = doc[span.end + 1:end] if end > span.end + 1 else None
            if outer is not None:
                places = tuple(p for p in self.gazetteer.lookup(outer.text) if p.kind in ("country", "admin1"))
                return places or None
        return None

    def _context(self, doc: Doc, spans: list[Span], candidates: list[tuple[Place, ...]]) -> Context:
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
        return Context(countries, regions, counties, towns_in, points)


def _marked(span: Span, locatives: set[str] = _STRONG_LOCATIVES) -> bool:
    """The text marks a name as a place: "in X", "near X", "X-based"."""
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    hyphenated = span.end + 1 < len(doc) and doc[span.end].text == "-" and doc[span.end + 1].lower_ in (
        "based", "born", "area", "headquartered")
    # a legislator's party and state: "Sen. Jane Roe, R-Texas", "DFL-Cook"
    party = span.start > 1 and before == "-" and doc[span.start - 2].text in ("R", "D", "I", "DFL", "GOP")
    # "the village of Ciocile", "the province of Anhui"
    kind_of = span.start > 1 and before == "of" and doc[span.start - 2].lower_ in _PLACE_NOUNS
    return before in locatives or hyphenated or party or kind_of


def _adjectival(span: Span) -> bool:
    """A name used before a noun, as in "a Multan man", "the Lahore court" or "Karachi police said"."""
    doc = span.doc
    leads = span.start == sentence_start(span) or doc[span.start - 1].lower_ in ("a", "an", "the")
    return leads and span.end < len(doc) and doc[span.end].pos_ == "NOUN" and doc[span.end].is_lower


def _title(span: Span) -> bool:
    """A word before a person's name is their title, not a place: "Justice Riaz Khan", "Bishop Jones"."""
    doc = span.doc
    return len(span) == 1 and span.end < len(doc) and doc[span.end].ent_iob_ == "B" and (
        doc[span.end].ent_type_ == "PERSON")


def _continues(span: Span) -> bool:
    """The name runs on into a noun ("in WeWork buildings"): it modifies something, it names no place."""
    return span.end < len(span.doc) and span.doc[span.end].pos_ in ("NOUN", "PROPN")


def _listed_kind(span: Span) -> str | None:
    """The plural kind of place a list that this name is in ends with ("counties" for "Barry" in "Barry, Cass
    and Van Buren counties"), if any."""
    doc = span.doc
    for token in doc[span.end:min(len(doc), span.end + 16)]:
        if token.lower_ in _LIST_KINDS:
            return token.lower_
        if not (token.text in (",", "and", "or") or (token.is_title and token.is_alpha)):
            return None
    return None


def _team(span: Span) -> bool:
    """A town's or state's name for its team: what it does ("Winnipeg defeated Nashville", "Columbus improved to
    8-8-4") or what is done for it or to it ("scored for Ottawa", "beat Detroit", "past Tampa Bay"), in a
    sentence about play."""
    doc = span.doc
    if not any(t.lower_ in _PLAY_WORDS for t in span.sent):
        return False
    before = doc[span.start - 1] if span.start else None
    after = doc[span.end] if span.end < len(doc) else None
    acts = after is not None and after.pos_ == "VERB" and after.lemma_ in _CONTEST_VERBS
    done_to = before is not None and before.pos_ == "VERB" and before.lemma_ in _CONTEST_VERBS
    scored_for = before is not None and before.lower_ == "for" and span.start > 1 and doc[span.start - 2].lemma_ in (
        "score", "save", "goal", "assist", "point")
    past = before is not None and before.lower_ == "past" and any(t.lemma_ in _CONTEST_VERBS for t in span.sent)
    return acts or done_to or scored_for or past


def _runs_on(span: Span) -> bool:
    """The name is the start of a longer capitalised name ("ICICI Securities", "Vice President"), not a day
    after a place ("in Kyiv Tuesday")."""
    doc = span.doc
    after = doc[span.end] if span.end < len(doc) else None
    return after is not None and after.is_alpha and (after.is_title or after.is_upper) and (
        after.ent_type_ not in ("DATE", "TIME"))


def _dateline(span: Span) -> bool:
    """"ROME -", "NEW DELHI:" at the start of a line (or a dash after it at the start of a sentence), with the
    story going on in ordinary case ("POLICE, IN A STATEMENT" is a shouted line, not a dateline)."""
    doc = span.doc
    at_line_start = span.start == 0 or "\n" in doc[span.start - 1].text_with_ws or doc[span.start - 1].is_space
    after = doc[span.end].text if span.end < len(doc) else ""
    dash_at_sentence_start = after in ("-", "--", "—", "–") and span.start == sentence_start(span)
    story = doc[span.end + 1] if span.end + 1 < len(doc) else None
    shouted = story is not None and story.is_upper and len(story) > 1
    return (span.text.isupper() and after in _DATELINE_MARKS and (at_line_start or dash_at_sentence_start)
            and not shouted)


def _in_law_title(span: Span) -> bool:
    """A name inside a law's title: the run of capitalised words and joiners it stands in reaches "Act",
    "Code", ... ("the Hong Kong Human Rights and Democracy Act") or starts with "Constitution of", "Code of"."""
    doc = span.doc
    if span[-1].text in LAW_TITLE_WORDS:
        return True
    for token in doc[span.end:min(len(doc), span.end + 10)]:
        if token.text in LAW_TITLE_WORDS:
            return True
        if not (token.is_title or token.is_upper or token.lower_ in _TITLE_JOINERS):
            break
    first = None
    for token in reversed(doc[max(0, span.start - 6):span.start]):
        if token.is_title or token.is_upper:
            first = token
        elif token.lower_ not in _TITLE_JOINERS:
            break
    return first is not None and first.text in LAW_TITLE_WORDS and first.i < span.start - 1 and (
        doc[span.start - 1].lower_ in ("of", "on", "for"))


def _city_over_region(span: Span, found: tuple[Place, ...]) -> tuple[Place, ...]:
    """Without the candidates that are regions named like a big city of theirs: "New York" and "Washington" are
    the cities unless the text says "state"."""
    after = span.doc[span.end].lower_ if span.end < len(span.doc) else ""
    if after == "state" or span[-1].lower_ == "state":
        return found
    big = {(p.country_code, name_key(p.name)) for p in found if p.kind == "city" and p.population >= _BIG_CITY}
    return tuple(p for p in found if p.kind != "admin1" or (p.country_code, name_key(p.name)) not in big)


def _world_city(best: Place | None, found: tuple[Place, ...], beside: tuple[Place, ...] | None) -> Place | None:
    """A country over a town or county of its name ("Greece", not Greece, New York), and a capital or a city of
    millions over a town of the same name ("Paris", "Moscow", "London"), unless the text places this very
    mention ("Paris, Texas"): other places of the story do not move a country or a world city."""
    if best is None or best.kind not in ("city", "admin2") or (
            beside and any(contains(outer, best) for outer in beside)):
        return best
    country = next((p for p in found if p.kind == "country" and name_key(p.name) == name_key(best.name)), None)
    if country is not None:
        return country
    if best.kind != "city" or best.population >= _WELL_KNOWN:
        return best
    world = [p for p in found if p.kind == "city" and (p.capital or p.population >= WORLD_CITY)
             and p.population >= _WORLD_CITY_RATIO * max(best.population, 1)]
    return max(world, key=lambda p: p.population, default=best)


def _mention(ent: Span, place: Place | None, approximate: bool = False) -> PlaceMention:
    if place is None:
        return PlaceMention(ent.text, ent.start_char, ent.end_char, None, None, None, None, None, None)
    return PlaceMention(ent.text, ent.start_char, ent.end_char, place.name, place.geonameid, place.lat, place.lon,
                        place.country_code or None, place.admin1, approximate)


@Language.factory("newscorpus_places", requires=["doc.ents", "token.dep", "doc.sents"],
                  assigns=["doc._.newscorpus_places", "doc._.newscorpus_focus"])
def make_places_component(nlp: Language, name: str) -> PlacesComponent:
    """Factory of the places component (registered as `newscorpus_places`)."""
    register_extensions()
    return PlacesComponent(load_gazetteer())
