"""The search index kept in step with the store: new documents, a crawl's leftovers, and a full rebuild."""

from __future__ import annotations

from collections.abc import Sequence

from newscorpus.app import ProgressCallback
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.index import DocumentFacts
from newscorpus.models import Document


def index_documents(store: Store, index: SearchIndex, ids: Sequence[int]) -> None:
    """Add stored documents to the index, then flag them as indexed (a crash in between is repaired later)."""
    if not ids:
        return
    documents = store.get_documents(ids)
    _index_batch(store, index, [documents[i] for i in ids if i in documents])
    store.mark_indexed(list(ids))


def _index_batch(store: Store, index: SearchIndex, documents: list[Document]) -> None:
    """Documents into the index with what the store knows of them (dates, places, laws, being a later copy).
    The other copies of their stories are indexed again: a new copy may be the earlier-published original."""
    originals = store.clusters(list({d.cluster_id for d in documents if d.cluster_id is not None}))
    shared = [cluster for cluster, (_, size) in originals.items() if size > 1]
    members = {i for c in shared for i in store.cluster_members(c)} - {d.id for d in documents}
    documents = documents + list(store.get_documents(sorted(members)).values())
    ids = [d.id for d in documents]
    dates, places, laws = store.date_values(ids), store.place_values(ids), store.law_values(ids)
    entities = store.entity_values(ids)
    facts = {d.id: DocumentFacts(dates[d.id], places[d.id], laws[d.id], entities[d.id],
                                 copy=d.cluster_id is not None and originals.get(d.cluster_id, (d.id, 1))[0] != d.id)
             for d in documents}
    index.add(documents, facts)


def index_pending(store: Store, index: SearchIndex, progress: ProgressCallback | None = None) -> int:
    """Index every stored document not yet flagged as indexed; returns how many.

    An index that was reset (created afresh, or of another version) or that holds fewer documents than the store
    has flagged as in it (deleted or emptied behind the store's back) is refilled with every document.
    """
    if index.was_reset or index.count() < store.count_documents(indexed=True):
        store.mark_all_unindexed()
        index.was_reset = False
    total = store.count_documents(indexed=False)
    done = 0
    while batch := store.unindexed_documents(500):
        _index_batch(store, index, batch)
        store.mark_indexed([d.id for d in batch])
        done += len(batch)
        if progress:
            progress("index", done, total)
    return done


def reindex(store: Store, index: SearchIndex, progress: ProgressCallback | None = None) -> int:
    """Rebuild the index from the store, beside the old one (SearchIndex.rebuilding): the old index serves
    until the new one is complete, and stays as it was when the rebuild fails (a damaged database, a full disk).
    Returns how many documents were indexed."""
    total = store.count_documents()
    ids: list[int] = []
    with index.rebuilding() as fresh:
        for batch in store.iter_documents():
            _index_batch(store, fresh, batch)
            ids += [d.id for d in batch]
            if progress:
                progress("index", len(ids), total)
    # Flags follow the new index; a crash in between leaves documents unflagged, re-added by the next crawl.
    store.mark_all_unindexed()
    store.mark_indexed(ids)
    return len(ids)
