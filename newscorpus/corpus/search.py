"""Search: ranked hits from the index, with metadata from the store and highlighted snippets."""

from __future__ import annotations

from collections import Counter

from newscorpus.corpus.index import SearchIndex
from newscorpus.corpus.store import Store
from newscorpus.models import SearchHit


def search(store: Store, index: SearchIndex, query: str, limit: int = 10, collapse: bool = True,
           mentions: str | None = None, place: str | None = None, law: str | None = None) -> list[SearchHit]:
    """Ranked hits for a query, with source, date and a highlighted snippet. With `collapse`, the copies of a
    syndicated story are one hit, its original (the earliest published copy), with `copies` counting the others.
    `mentions` keeps the stories that mention a date within a period (2025, 2025-06, 2025-06-12, 2025-Q2, ...);
    `place` those that mention a place under an index term of corpus.places (a country, a region or a town);
    `law` those that cite a law under an index term of corpus.laws.

    Raises QueryError for a query the index cannot parse.
    """
    # Copies of one story rank together; reading further down keeps `limit` distinct stories in most cases.
    ranked = index.search(query, limit * 4 if collapse else limit, mentions, place, law=law)
    documents = store.get_documents([doc_id for doc_id, _ in ranked])
    ranked = [(doc_id, score) for doc_id, score in ranked if doc_id in documents]
    copies: dict[int, int] = {}
    if collapse:
        clusters = store.clusters(list({c for d, _ in ranked if (c := documents[d].cluster_id) is not None}))
        seen: set[int] = set()
        stories = []
        for doc_id, score in ranked:
            cluster = documents[doc_id].cluster_id
            if cluster is None:
                stories.append((doc_id, score))
            elif cluster not in seen:
                seen.add(cluster)
                original, size = clusters.get(cluster, (doc_id, 1))
                stories.append((original, score))
                copies[original] = size - 1
        ranked = stories[:limit]
        documents.update(store.get_documents([d for d, _ in ranked if d not in documents]))
    snippets = index.snippets(query, {doc_id: documents[doc_id].text for doc_id, _ in ranked})
    return [
        SearchHit(id=doc_id, score=round(score, 4), url=documents[doc_id].url, title=documents[doc_id].title,
                  source=documents[doc_id].source, published=documents[doc_id].published, snippet=snippets[doc_id],
                  cluster_id=documents[doc_id].cluster_id, copies=copies.get(doc_id, 0))
        for doc_id, score in ranked
    ]


# Matches a facet counts at most (beyond that the counts describe the best-ranked matches).
_FACET_MATCHES = 100_000


def place_facets(store: Store, index: SearchIndex, query: str, level: str = "country", limit: int = 10,
                 mentions: str | None = None, place: str | None = None,
                 law: str | None = None) -> list[tuple[str, int]]:
    """How many matching stories (syndicated copies counted once) mention each country ("KE") or, with
    `level` "region", each first-level region ("KE/Nairobi Area"); the most frequent first."""
    ranked = index.search(query, _FACET_MATCHES, mentions, place, empty_matches_all=True, law=law)
    ids = [doc_id for doc_id, _ in ranked]
    clusters = store.cluster_of(ids)
    seen: dict[str, set[int]] = {}
    for doc_id, places in store.place_values(ids).items():
        for country_code, admin1, _ in places:
            key = country_code if level == "country" else f"{country_code}/{admin1}" if admin1 else None
            if country_code and key:
                seen.setdefault(key, set()).add(clusters.get(doc_id, doc_id))
    return Counter({key: len(stories) for key, stories in seen.items()}).most_common(limit)
