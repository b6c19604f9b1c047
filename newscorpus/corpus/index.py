"""The full-text index (tantivy): derived from the store, rebuilt by `newscorpus reindex`."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import tantivy

from newscorpus.corpus.mentions import mention_terms, period_term
from newscorpus.corpus.laws import law_term
from newscorpus.corpus.places import place_terms
from newscorpus.errors import QueryError, StorageError
from newscorpus.models import Document

INDEX_DIR_NAME = "index"
# Bump when the schema below changes: an index of another version is rebuilt from the store.
INDEX_VERSION = "4"
_VERSION_FILE = "newscorpus-index-version"
_SEARCH_FIELDS = ["title", "text"]
_SNIPPET_CHARS = 220
# Memory for one batch of documents before tantivy flushes a segment; a crawl batch fits in far less.
_WRITER_HEAP = 32_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    builder.add_text_field("source", stored=True)
    builder.add_text_field("url", stored=True, tokenizer_name="raw")
    builder.add_text_field("language", stored=True, tokenizer_name="raw", fast=True)
    builder.add_date_field("published", stored=True, indexed=True, fast=True)
    builder.add_text_field("mentions", stored=False, tokenizer_name="raw")  # periods of the dates it mentions
    builder.add_text_field("places", stored=False, tokenizer_name="raw")  # places it mentions, and their regions
    builder.add_text_field("laws", stored=False, tokenizer_name="raw")  # laws it cites, by normalised name
    return builder.build()


def _parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class SearchIndex:
    """A tantivy index of documents' titles and text, keyed by document id."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / INDEX_DIR_NAME
        self.schema = _schema()
        version_file = self.path / _VERSION_FILE
        if self.path.exists() and (not version_file.is_file() or version_file.read_text().strip() != INDEX_VERSION):
            shutil.rmtree(self.path)
        # An index created empty (first use, lost, or of another version) must be refilled from the store.
        self.was_reset = not self.path.exists()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            version_file.write_text(INDEX_VERSION)
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot open the search index {self.path}: {exc}") from exc

    def add(self, documents: Sequence[Document], mentions: Mapping[int, Iterable[str]] | None = None,
            places: Mapping[int, Iterable[tuple[str | None, str | None, int | None]]] | None = None,
            laws: Mapping[int, Iterable[str]] | None = None) -> None:
        """Add or replace documents and commit, so that they are searchable once this returns.

        `mentions` gives the TIMEX3 values of the dates each document mentions; `places` the (country code,
        first-level region, GeoNames id) of the places it mentions; `laws` the names of the laws it cites.
        """
        try:
            writer = self._index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        except ValueError as exc:
            raise StorageError(f"cannot write to the search index {self.path}: {exc}") from exc
        for doc in documents:
            # Deleting first makes a re-add after a crash (indexed but not yet flagged) harmless.
            # (`id` is a signed field: tantivy-py turns a Python int into an i64 term.)
            writer.delete_documents_by_term("id", doc.id)
            record = tantivy.Document()
            record.add_integer("id", doc.id)
            record.add_text("title", doc.title or "")
            record.add_text("text", doc.text)
            record.add_text("source", doc.source or "")
            record.add_text("url", doc.url)
            record.add_text("language", doc.language or "")
            published = _parse_datetime(doc.published)
            if published is not None:
                record.add_date("published", published)
            for term in sorted({t for value in (mentions or {}).get(doc.id, ()) for t in mention_terms(value)}):
                record.add_text("mentions", term)
            for term in sorted({t for place in (places or {}).get(doc.id, ()) for t in place_terms(*place)}):
                record.add_text("places", term)
            for term in sorted({law_term(name) for name in (laws or {}).get(doc.id, ())}):
                record.add_text("laws", term)
            writer.add_document(record)
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()

    def clear(self) -> None:
        """Remove every document from the index."""
        writer = self._index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

    def search(self, query: str, limit: int = 10, mentions: str | None = None, place: str | None = None,
               empty_matches_all: bool = False, law: str | None = None) -> list[tuple[int, float]]:
        """(document id, BM25 score) of the best matches for a tantivy query string, optionally only among
        documents that mention a date within the period `mentions`, a place under the term `place` (see
        corpus.places) and a law under the term `law` (corpus.laws); with a filter (or `empty_matches_all`), an
        empty query matches all."""
        filtered = mentions is not None or place is not None or law is not None or empty_matches_all
        parsed = self._parse(query) if query.strip() or not filtered else tantivy.Query.all_query()
        clauses = [(tantivy.Occur.Must, parsed)]
        if mentions is not None:
            clauses.append((tantivy.Occur.Must,
                            tantivy.Query.term_query(self.schema, "mentions", period_term(mentions))))
        if place is not None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "places", place)))
        if law is not None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "laws", law)))
        if len(clauses) > 1:
            parsed = tantivy.Query.boolean_query(clauses)
        searcher = self._index.searcher()
        result = searcher.search(parsed, limit=limit)
        return [(int(searcher.doc(address)["id"][0]), float(score)) for score, address in result.hits]

    def snippets(self, query: str, texts: dict[int, str]) -> dict[int, str]:
        """For each document text, the fragment that best matches `query`, matches in <b> tags."""
        if not query.strip():
            return {doc_id: _lead(text) for doc_id, text in texts.items()}
        generator = tantivy.SnippetGenerator.create(self._index.searcher(), self._parse(query), self.schema, "text")
        generator.set_max_num_chars(_SNIPPET_CHARS)
        found = {}
        for doc_id, text in texts.items():
            html = generator.snippet_from_doc(tantivy.Document(text=text)).to_html()
            found[doc_id] = html or _lead(text)
        return found

    def _parse(self, query: str) -> tantivy.Query:
        if not query.strip():
            raise QueryError("empty query: give at least one word", query, 0)
        try:
            return self._index.parse_query(query, _SEARCH_FIELDS)
        except ValueError as exc:
            raise QueryError(f"cannot parse query {query!r}: {exc}", query) from exc


def _lead(text: str) -> str:
    """The opening of a text, cut at a word boundary, as a fallback snippet."""
    from html import escape

    if len(text) <= _SNIPPET_CHARS:
        return escape(text)
    return escape(text[:_SNIPPET_CHARS].rsplit(" ", 1)[0]) + "…"
