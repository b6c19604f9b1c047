"""The corpus layer: the system of record (SQLite) and the full-text index (tantivy)."""

from newscorpus.corpus.index import SearchIndex
from newscorpus.corpus.search import facets, search, timeline
from newscorpus.corpus.store import Store, open_store

__all__ = ["SearchIndex", "Store", "facets", "open_store", "search", "timeline"]
