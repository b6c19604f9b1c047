"""Search: ranked hits from the index, with metadata from the store and highlighted snippets."""

from __future__ import annotations

from newscorpus.corpus.index import Resolver, SearchIndex
from newscorpus.corpus.laws import law_term, section_ids
from newscorpus.corpus.mentions import mention_terms, period_term
from newscorpus.corpus.places import place_term, place_terms
from newscorpus.corpus.query import And, Filter, Node, tree, with_filters
from newscorpus.corpus.store import Store
from newscorpus.models import Annotations, LawReference, SearchHit


def search(store: Store, index: SearchIndex, query: str | Node, limit: int = 10, collapse: bool = True,
           filters: list[Filter] | None = None, resolve: Resolver | None = None,
           by_date: bool = False, matched: bool = False, offset: int = 0) -> list[SearchHit]:
    """Ranked hits for a query (the language of corpus.query) narrowed by `filters`, with source, date and a
    highlighted snippet; by relevance, or with `by_date` the newest first; `limit` of them after the first
    `offset`. With `collapse`, the copies of a syndicated story are one hit, with `copies` counting the others:
    its original (the earliest published copy) where the original matches, else its best-matching copy.
    `resolve` looks up place:, law: and cluster: filters. With `matched`, each hit lists the dates, places and
    laws of the story that satisfied the filters.

    Raises QueryError for a query that is not well formed.
    """
    node = with_filters(tree(query), filters or [])
    if resolve is not None:  # each filter is looked up once, however often it is asked for
        resolve = _remembered(resolve)
    if limit <= 0:
        return []
    copies: dict[int, int] = {}
    if collapse:
        ranked, copies = _stories(store, index, node, offset + limit, resolve, by_date)
        ranked = ranked[offset:offset + limit]
    else:
        ranked = index.search(node, limit, resolve, by_date, offset=offset)
    documents = store.get_documents([doc_id for doc_id, _ in ranked])
    ranked = [(doc_id, score) for doc_id, score in ranked if doc_id in documents]
    snippets = index.snippets(node, {doc_id: documents[doc_id].text for doc_id, _ in ranked})
    found = _matches(node, store.annotations_for([d for d, _ in ranked]), resolve) if matched else {}
    return [
        SearchHit(id=doc_id, score=round(score, 4), url=documents[doc_id].url, title=documents[doc_id].title,
                  source=documents[doc_id].source, published=documents[doc_id].published, snippet=snippets[doc_id],
                  cluster_id=documents[doc_id].cluster_id, copies=copies.get(doc_id, 0), matched=found.get(doc_id))
        for doc_id, score in ranked
    ]


def _stories(store: Store, index: SearchIndex, node: Node, wanted: int, resolve: Resolver | None,
             by_date: bool) -> tuple[list[tuple[int, float]], dict[int, int]]:
    """The first `wanted` distinct stories of the ranking (fewer where fewer match), each as the document shown
    for it, and how many other copies each has. Copies of one story rank together, so four documents a story are
    read at first; a story with many matching copies makes the window grow until enough stories are found."""
    window = max(wanted * 4, 40)
    while True:
        ranked = index.search(node, window, resolve, by_date)
        cluster_of = store.cluster_of([doc_id for doc_id, _ in ranked])  # only cluster numbers: documents later
        best: dict[int, tuple[int, float]] = {}  # cluster -> its best-ranked matching document, in rank order
        for doc_id, score in ranked:
            cluster = cluster_of.get(doc_id)
            if cluster is not None and cluster not in best:
                best[cluster] = (doc_id, score)
                if len(best) == wanted:
                    break
        if len(best) >= wanted or len(ranked) < window:
            clusters = store.clusters(list(best))
            matching = set(cluster_of)
            stories, copies = [], {}
            for cluster, (doc_id, score) in best.items():
                original, size = clusters.get(cluster, (doc_id, 1))
                shown = original if original in matching else doc_id
                stories.append((shown, score))
                copies[shown] = size - 1
            return stories, copies
        window *= 4


def _remembered(resolve: Resolver) -> Resolver:
    answers: dict[tuple[str, str], str | list[int]] = {}

    def remembered(found: Filter) -> str | list[int]:
        key = (found.field, found.value)
        if key not in answers:
            answers[key] = resolve(found)
        return answers[key]
    return remembered


def _required_filters(node: Node) -> list[Filter]:
    if isinstance(node, Filter):
        return [node]
    if isinstance(node, And):
        return [f for n in node.nodes for f in _required_filters(n)]
    return []


def _matches(node: Node, annotations: dict[int, Annotations],
             resolve: Resolver | None) -> dict[int, dict[str, list[str]]]:
    """Per story, the mentions that satisfy the query's filters (those it requires, not those under OR/NOT)."""
    terms: dict[str, set[str]] = {"places": set(), "laws": set(), "sections": set(), "dates": set()}
    for f in _required_filters(node):
        if f.field in ("place", "law") and resolve is not None:
            terms["places" if f.field == "place" else "laws"].add(str(resolve(f)))
        elif f.field == "country":
            terms["places"].add(place_term(f.value.strip().upper()))
        elif f.field == "section":
            terms["sections"] |= section_ids(f.value)
        elif f.field == "mentions":
            terms["dates"].add(period_term(f.value))

    def law_met(law: LawReference) -> bool:
        """The law and provision filters both hold for a reference (and at least one was given)."""
        by_name = not terms["laws"] or (law.name is not None and law_term(law.name) in terms["laws"])
        by_section = not terms["sections"] or bool(terms["sections"] & section_ids(law.section or ""))
        return bool(terms["laws"] or terms["sections"]) and by_name and by_section

    found = {}
    for doc_id, a in annotations.items():
        hits = {
            "places": [p.text for p in a.places if terms["places"] & place_terms(p.country_code, p.admin1,
                                                                                  p.geonameid)],
            "laws": [law.text for law in a.laws if law_met(law)],
            "dates": [d.text for d in a.dates if terms["dates"] & mention_terms(d.value)],
        }
        found[doc_id] = {kind: texts for kind, texts in hits.items() if texts}
    return found


def facets(index: SearchIndex, query: str | Node, facet: str = "country", limit: int = 10,
           filters: list[Filter] | None = None, resolve: Resolver | None = None) -> list[tuple[str, int]]:
    """How many matching stories (syndicated copies counted once) have each value of a facet: "country" ("KE"),
    "region" ("KE/Nairobi Area"), "place" ("Nairobi (KE)"), "law", "source", "language" or "author"; the most
    frequent first."""
    return index.facets(with_filters(tree(query), filters or []), facet, limit, resolve)


def timeline(index: SearchIndex, query: str | Node, interval: str | None = "month",
             filters: list[Filter] | None = None, resolve: Resolver | None = None) -> tuple[str, list[tuple[str, int]]]:
    """Matching stories (syndicated copies counted once) per day, week, month or year, gaps included (None: the
    interval that suits the span); returns the interval and the periods."""
    return index.timeline(with_filters(tree(query), filters or []), interval, resolve)
