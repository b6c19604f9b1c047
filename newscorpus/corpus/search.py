"""Search: ranked hits from the index, with metadata from the store and highlighted snippets."""

from __future__ import annotations

from newscorpus.corpus.index import SearchIndex
from newscorpus.corpus.store import Store
from newscorpus.models import SearchHit


def search(store: Store, index: SearchIndex, query: str, limit: int = 10) -> list[SearchHit]:
    """Ranked hits for a query, with source, date and a highlighted snippet.

    Raises QueryError for a query the index cannot parse.
    """
    ranked = index.search(query, limit)
    documents = store.get_documents([doc_id for doc_id, _ in ranked])
    ranked = [(doc_id, score) for doc_id, score in ranked if doc_id in documents]
    snippets = index.snippets(query, {doc_id: documents[doc_id].text for doc_id, _ in ranked})
    return [
        SearchHit(id=doc_id, score=round(score, 4), url=documents[doc_id].url, title=documents[doc_id].title,
                  source=documents[doc_id].source, published=documents[doc_id].published, snippet=snippets[doc_id])
        for doc_id, score in ranked
    ]
