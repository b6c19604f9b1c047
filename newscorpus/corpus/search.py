"""Search: ranked hits from the index, with metadata from the store and highlighted snippets."""

from __future__ import annotations

from newscorpus.corpus.index import SearchIndex
from newscorpus.corpus.store import Store
from newscorpus.models import SearchHit


def search(store: Store, index: SearchIndex, query: str, limit: int = 10, collapse: bool = True) -> list[SearchHit]:
    """Ranked hits for a query, with source, date and a highlighted snippet. With `collapse`, near-duplicates
    (syndicated copies) are one hit: the best-ranked copy, with `copies` counting the others.

    Raises QueryError for a query the index cannot parse.
    """
    # Copies of one story rank together; reading further down keeps `limit` distinct stories in most cases.
    ranked = index.search(query, limit * 4 if collapse else limit)
    documents = store.get_documents([doc_id for doc_id, _ in ranked])
    ranked = [(doc_id, score) for doc_id, score in ranked if doc_id in documents]
    if collapse:
        seen: set[int | None] = set()
        kept = []
        for doc_id, score in ranked:
            cluster = documents[doc_id].cluster_id
            if cluster is None or cluster not in seen:
                kept.append((doc_id, score))
                seen.add(cluster)
        ranked = kept[:limit]
    sizes = store.cluster_sizes([c for d, _ in ranked if (c := documents[d].cluster_id) is not None])
    snippets = index.snippets(query, {doc_id: documents[doc_id].text for doc_id, _ in ranked})
    hits = []
    for doc_id, score in ranked:
        doc = documents[doc_id]
        copies = sizes.get(doc.cluster_id, 1) - 1 if collapse and doc.cluster_id is not None else 0
        hits.append(SearchHit(id=doc_id, score=round(score, 4), url=doc.url, title=doc.title, source=doc.source,
                              published=doc.published, snippet=snippets[doc_id], cluster_id=doc.cluster_id,
                              copies=copies))
    return hits
