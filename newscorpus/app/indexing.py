"""The search index kept in step with the store: new documents, a crawl's leftovers, and a full rebuild."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from newscorpus.app import ProgressCallback
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.index import DocumentFacts, IndexWriter
from newscorpus.models import Document

# Documents read from the store at a time (and, for a crawl's leftovers, committed at a time).
_BATCH = 500
# A refill of the whole index commits, then flags, this many documents at a time: what a crash can cost, against
# the stall of each commit (tantivy finishes every queued document before it returns).
_REFILL_COMMIT = 100_000


def index_documents(store: Store, index: SearchIndex, ids: Sequence[int]) -> None:
    """Add stored documents to the index, then flag them as indexed (a crash in between is repaired later)."""
    if not ids:
        return
    documents = store.get_documents(ids)
    index.add(*_with_facts(store, [documents[i] for i in ids if i in documents]))
    store.mark_indexed(list(ids))


def _with_facts(store: Store, documents: list[Document], copies: bool = True
                ) -> tuple[list[Document], dict[int, DocumentFacts]]:
    """Documents with what the store knows of them (dates, places, laws, being a later copy). With `copies`, the
    other copies of their stories come too, to be indexed again: a new copy may be the earlier-published original
    (a bulk load of every document does without)."""
    originals = store.clusters(list({d.cluster_id for d in documents if d.cluster_id is not None}))
    if copies:
        shared = [cluster for cluster, (_, size) in originals.items() if size > 1]
        members = {i for c in shared for i in store.cluster_members(c)} - {d.id for d in documents}
        documents = documents + list(store.get_documents(sorted(members)).values())
    ids = [d.id for d in documents]
    dates, places, laws = store.date_values(ids), store.place_values(ids), store.law_values(ids)
    entities = store.entity_values(ids)
    facts = {d.id: DocumentFacts(dates[d.id], places[d.id], laws[d.id], entities[d.id],
                                 copy=d.cluster_id is not None and originals.get(d.cluster_id, (d.id, 1))[0] != d.id)
             for d in documents}
    return documents, facts


def _add_every_document(store: Store, writer: IndexWriter, replace: bool, progress: ProgressCallback | None,
                        commit_every: int | None = None) -> Iterator[list[int]]:
    """Add every stored document, in bulk: each once, so the copies of a story are not re-added. Commits every
    `commit_every` documents, if given, and at the end; yields the ids of each commit's documents once committed."""
    total = store.count_documents()
    ids: list[int] = []
    done = 0
    for batch in store.iter_documents(_BATCH):
        writer.add(*_with_facts(store, batch, copies=False), replace=replace)
        ids += [d.id for d in batch]
        done += len(batch)
        if progress:
            progress("index", done, total)
        if commit_every is not None and len(ids) >= commit_every:
            writer.commit()
            yield ids
            ids = []
    writer.commit()
    yield ids


def index_pending(store: Store, index: SearchIndex, progress: ProgressCallback | None = None) -> int:
    """Index every stored document not yet flagged as indexed; returns how many.

    An index that was reset (created afresh, or of another version) or that holds fewer documents than the store
    has flagged as in it (deleted or emptied behind the store's back) is refilled with every document, in bulk.
    """
    if index.was_reset or index.count() < store.count_documents(indexed=True):
        store.mark_all_unindexed()
        index.was_reset = False
    total = store.count_documents(indexed=False)
    if total and total == store.count_documents():  # a refill
        done = 0
        with index.writing(bulk=True) as writer:
            for ids in _add_every_document(store, writer, index.count() > 0, progress, _REFILL_COMMIT):
                store.mark_indexed(ids)  # only once committed: a crash in between re-adds them
                done += len(ids)
        return done
    return index_new(store, index, progress, total)


def index_new(store: Store, index: SearchIndex, progress: ProgressCallback | None = None, total: int = 0) -> int:
    """Index the documents not yet flagged as indexed, a batch at a time; returns how many. An indexer beside other
    workers runs this every second: it reads only those documents (a partial index of the store finds them),
    never counts them all, and opens no writer when there are none. `total` is the whole progress reports."""
    batch = store.unindexed_documents(_BATCH)
    done = 0
    if not batch:
        return done
    with index.writing() as writer:
        while batch:
            writer.add(*_with_facts(store, batch))
            writer.commit()
            store.mark_indexed([d.id for d in batch])
            done += len(batch)
            if progress:
                progress("index", done, max(total, done))
            batch = store.unindexed_documents(_BATCH)
    return done


def reindex(store: Store, index: SearchIndex, progress: ProgressCallback | None = None) -> int:
    """Rebuild the index from the store, beside the old one (SearchIndex.rebuilding): the old index serves
    until the new one is complete, and stays as it was when the rebuild fails (a damaged database, a full disk).
    Returns how many documents were indexed."""
    ids: list[int] = []
    with index.rebuilding() as fresh, fresh.writing(bulk=True) as writer:
        for committed in _add_every_document(store, writer, False, progress):  # one commit, at the end
            ids += committed
    # Flags follow the new index; a crash in between leaves documents unflagged, re-added by the next crawl.
    store.mark_all_unindexed()
    store.mark_indexed(ids)
    return len(ids)
