"""`newscorpus_places`: place names resolved to GeoNames records, using the story's countries as context."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from newscorpus.models import PlaceMention
from newscorpus.nlp._extensions import register_extensions
from newscorpus.nlp._gazetteer import Gazetteer, Place, load_gazetteer, prior

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
# The small English model often labels cities ORG; after these words a gazetteer name is a place.
_LOCATIVE_WORDS = {"in", "at", "from", "near", "across", "outside", "to"}
_CONTEXT_BONUS = 3.0


class PlacesComponent:
    """Resolves GPE/LOC/FAC entities against the gazetteer, preferring the countries the story names."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        doc._.newscorpus_places = self.resolve(doc, self.recognise(doc))
        return doc

    def recognise(self, doc: Doc) -> list[Span]:
        """The spans of the place names in a document."""
        return [ent for ent in doc.ents if ent.label_ in _PLACE_LABELS or self._locative_org(ent)]

    def resolve(self, doc: Doc, spans: list[Span]) -> list[PlaceMention]:
        """Each place name resolved to a gazetteer entry (or left unresolved), the story as context."""
        candidates = [self.gazetteer.lookup(ent.text) for ent in spans]
        context = self._context_countries(doc, candidates)
        mentions = []
        for ent, found in zip(spans, candidates, strict=True):
            best = max(found, key=lambda p: prior(p) + (_CONTEXT_BONUS if p.country_code in context else 0.0),
                       default=None)
            mentions.append(_mention(ent, best))
        return mentions

    def _locative_org(self, ent: Span) -> bool:
        before = ent.doc[ent.start - 1] if ent.start > 0 else None
        return (ent.label_ == "ORG" and before is not None and before.lower_ in _LOCATIVE_WORDS
                and bool(self.gazetteer.lookup(ent.text)))

    def _context_countries(self, doc: Doc, candidates: list[list[Place]]) -> set[str]:
        """Countries the story names outright or through a demonym, or whose places it names unambiguously."""
        context = set()
        for found in candidates:
            codes = {p.country_code for p in found}
            if len(codes) == 1:
                context |= codes
        for ent in doc.ents:
            if ent.label_ == "NORP":
                code = self.gazetteer.country_of_word(ent.text)
                if code:
                    context.add(code)
        return context


def _mention(ent: Span, place: Place | None) -> PlaceMention:
    if place is None:
        return PlaceMention(ent.text, ent.start_char, ent.end_char, None, None, None, None, None, None)
    return PlaceMention(ent.text, ent.start_char, ent.end_char, place.name, place.geonameid, place.lat, place.lon,
                        place.country_code, place.admin1)


@Language.factory("newscorpus_places", requires=["doc.ents"], assigns=["doc._.newscorpus_places"])
def make_places_component(nlp: Language, name: str) -> PlacesComponent:
    """Factory of the places component (registered as `newscorpus_places`)."""
    register_extensions()
    return PlacesComponent(load_gazetteer())
