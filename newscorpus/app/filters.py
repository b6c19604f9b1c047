"""How the filters a user writes are understood: a place or a law name to its index term, a cluster to its
documents."""

from __future__ import annotations

from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.laws import law_term, section_ids
from newscorpus.corpus.places import place_term
from newscorpus.corpus.query import Filter, Node
from newscorpus.errors import QueryError
from newscorpus.nlp import find_law, find_place


def place_filter(name: str) -> tuple[str, str]:
    """The index term of the place a user names (`search --place`), and how it was understood.

    Raises QueryError for a name the gazetteer does not know.
    """
    place = find_place(name)
    if place is None:
        raise QueryError(f"no place called {name!r} is known; try a country (Kenya, KE), a region (Punjab, PK) "
                         "or a town (Nairobi; Paris, Texas)", name)
    if place.kind == "region":
        raise QueryError(f"{place.name} is a region without borders in the gazetteer; search its countries", name)
    if place.kind == "continent":
        return place_term("", geonameid=place.geonameid), place.name
    if place.kind == "country":
        return place_term(place.country_code), f"{place.name} ({place.country_code})"
    if place.kind in ("admin1", "admin2") and place.admin1:  # a county is searched as its state
        return place_term(place.country_code, place.admin1), f"{place.admin1}, {place.country_code} (region)"
    return (place_term(place.country_code, geonameid=place.geonameid),
            f"{place.name}, {place.admin1 + ', ' if place.admin1 else ''}{place.country_code}")


def town_location(name: str) -> tuple[float, float] | None:
    """(lat, lon) of a town a user or a facet names ("Mombasa, KE"); None for a country, a region or a name the
    gazetteer does not know (for drawing towns on a map)."""
    place = find_place(name)
    if place is None or place.kind != "city" or place.lat is None or place.lon is None:
        return None
    return place.lat, place.lon


def law_filter(store: Store, name: str) -> tuple[str, str]:
    """The index term of the law a user names (`search --law`), and how it was understood, from the first that
    knows it: the registry ("PECA", "Pakistan Penal Code"); an acronym stories in the corpus define ("ZARRA");
    the words stories write for a law or one of its provisions ("First Amendment" is the US Constitution's
    provision); a law in the corpus whose title holds the words ("Vienna Convention"); else the title as written.

    Raises QueryError for an empty name.
    """
    written = " ".join(name.split())
    if not written:
        raise QueryError("--law needs a name: an acronym (PECA) or a title (Computer Misuse Act)", name)
    law = find_law(written)
    if law is not None:
        where = f" ({law.jurisdiction})" if law.jurisdiction else ""
        return law_term(law.name), f"{law.name}{where}"
    defined = store.laws_called(written)
    if defined:
        return law_term(defined[0]), f"{defined[0]} (as stories in this corpus call it {written!r})"
    found = store.laws_written(written)
    if found:
        title, provision, _ = found[0]
        others = [other for other, _, _ in found[1:4] if other != title]
        also = f"; also: {', '.join(others)}" if others else ""
        ids = sorted(section_ids(provision or ""), key=len)
        if ids and provision and provision.casefold() == written.casefold():
            return f"{law_term(title)}#{ids[-1]}", f"{title}, {provision} (as stories in this corpus write it)"
        return law_term(title), f"{title} (the law stories in this corpus call {written!r}{also})"
    return law_term(written), written


def documents_matching(store: Store, index: SearchIndex, query: str | Node | None) -> list[int] | None:
    """Ids of every document a query matches, in id order (None for every document)."""
    if query is None:
        return None
    total = int(store.stats()["documents"])  # type: ignore[call-overload]
    return sorted(doc_id for doc_id, _ in index.search(query, limit=max(1, total), resolve=resolver(store)))


def _number(value: str) -> bool:
    """An id as a user writes it: ASCII digits ("¹" is a digit to str.isdigit, not to int), at most 18 of them."""
    return value.isascii() and value.isdigit() and len(value) <= 18


class FilterResolver:
    """What the index asks for the filters it cannot settle alone: place: and law: to their index terms (see
    place_filter and law_filter), cluster: to its documents, tag: to the sources that carry it. Each is looked up once; `meanings` keeps how each
    was understood."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._answers: dict[tuple[str, str], str | list[int]] = {}
        self.meanings: dict[tuple[str, str], str] = {}

    def __call__(self, found: Filter) -> str | list[int]:
        key = (found.field, found.value)
        if key not in self._answers:
            self._answers[key] = self._resolve(found)
        return self._answers[key]

    def _resolve(self, found: Filter) -> str | list[int]:
        if found.field == "cluster":
            if not _number(found.value.strip()):
                raise QueryError(f"cluster: takes a cluster number (see `newscorpus show`), not {found.value!r}",
                                 found.value, found.position)
            members = self._store.cluster_members(int(found.value))
            self.meanings[(found.field, found.value)] = f"story {int(found.value)} ({len(members)} copies)"
            return members
        if found.field == "tag":
            tagged = self._store.sources_tagged(found.value)
            shown = ", ".join(url for _, url in tagged[:3]) + (", ..." if len(tagged) > 3 else "")
            self.meanings[(found.field, found.value)] = (
                f"the {len(tagged)} source(s) tagged {found.value.strip()!r} ({shown})" if tagged
                else f"no source is tagged {found.value.strip()!r} (see `newscorpus sources list`)")
            return [source_id for source_id, _ in tagged]
        if found.field == "place":
            term, meaning = place_filter(found.value)
        else:
            term, meaning = law_filter(self._store, found.value)
        self.meanings[(found.field, found.value)] = meaning
        return term


def resolver(store: Store) -> FilterResolver:
    """A FilterResolver for this store."""
    return FilterResolver(store)
