"""`newscorpus reprocess`: extraction and NLP again, from the WARC archive, without the network."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from newscorpus.app import ProgressCallback
from newscorpus.app._analysis import AnalysisPool, Page
from newscorpus.app.indexing import index_pending
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.lock import DataDirLock
from newscorpus.models import FeedItem


def reprocess(store: Store, index: SearchIndex, settings: Settings, data_dir: Path, ids: Sequence[int] | None,
              progress: ProgressCallback | None = None) -> tuple[int, Counter[str]]:
    """Re-run extraction and NLP on archived responses (all documents when `ids` is None), without the network,
    on `nlp_workers` processes; holds the data directory's lock.

    Returns how many documents were updated and why others were not.
    Raises StorageError when another process is crawling or reprocessing the data directory.
    """
    failures: Counter[str] = Counter()
    with DataDirLock(data_dir, "reprocess"):
        if ids is None:
            documents = {d.id: d for batch in store.iter_documents() for d in batch}
        else:
            documents = store.get_documents(list(ids))
        failures["not archived"] = sum(doc.warc is None for doc in documents.values())
        pages = [Page(doc.id, doc.url, FeedItem(doc.url, doc.title, doc.published, doc.authors), doc.warc)
                 for doc in documents.values() if doc.warc is not None]
        size = max(1, settings.crawl_batch_size)
        updated = done = 0
        with AnalysisPool(settings, data_dir) as pool:
            for results in pool.map(pages[start:start + size] for start in range(0, len(pages), size)):
                for result in results:
                    doc = documents[result.key]
                    if result.article is None:
                        failures[_reason(result.error or "no article")] += 1
                        continue
                    article = replace(result.article, canonical_url=doc.canonical_url)
                    store.update_document(doc.id, article, result.annotations, result.content_hash, result.nlp_note)
                    updated += 1
                done += len(results)
                if progress:
                    progress("reprocess", done, len(pages))
        index_pending(store, index)
    return updated, +failures


def _reason(message: str) -> str:
    """A failure's kind, for counting like ones together: "damaged WARC record at ...: ..." -> "damaged WARC record
    at ..."."""
    return message.split(":")[0]
