"""The full-text index (tantivy): derived from the store, rebuilt by `newscorpus reindex`."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tantivy

from newscorpus.corpus._periods import day_of, interval_for, periods_of, periods_spec
from newscorpus.corpus.entities import entity_names
from newscorpus.corpus.laws import law_terms, section_ids
from newscorpus.corpus.mentions import mention_terms, period_term
from newscorpus.corpus.places import place_term, place_terms
from newscorpus.corpus.query import And, Everything, Filter, Node, Not, Or, Words, published_range, tree, words_of
from newscorpus.errors import QueryError, StorageError
from newscorpus.models import TIMELINE_INTERVALS, Document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentFacts:
    """What the store knows of a document beyond its text, for filters and facets."""

    mentions: list[str] = field(default_factory=list)  # TIMEX3 values of the dates it mentions
    places: list[tuple[str | None, str | None, int | None, str | None]] = field(default_factory=list)
    laws: list[tuple[str, str | None]] = field(default_factory=list)  # (name, provision)
    entities: list[tuple[str, str]] = field(default_factory=list)  # (NER label, text) of people and organisations
    copy: bool = False  # a later copy of a syndicated story: facets count each story once


@dataclass(frozen=True)
class Summary:
    """What the stories that match add up to (see SearchIndex.summarise)."""

    total: int
    facets: dict[str, list[tuple[str, int]]]
    interval: str | None = None  # of the timeline: as asked, or as chosen for "auto"
    periods: list[tuple[str, int]] | None = None  # (period, stories), empty periods included


# Facets: the index field each counts, all fast fields.
FACETS = {"country": "countries", "region": "regions", "place": "place_names", "law": "law_names",
          "source": "source_name", "language": "language", "author": "authors", "person": "people",
          "organisation": "organisations"}

# What a caller looks up for the filters the index cannot settle alone: a place or a law to its index term
# (corpus.places, corpus.laws), a cluster to its documents' ids.
Resolver = Callable[[Filter], "str | list[int]"]

INDEX_DIR_NAME = "index"
# `newscorpus reindex` fills index.new/ beside index/, then swaps them: index/ -> index.old/, index.new/ -> index/,
# and index.old/ is removed.
_NEW_SUFFIX, _OLD_SUFFIX = ".new", ".old"
_EFFECTIVE = os.access in os.supports_effective_ids  # ask os.access as whom this process acts
# Bump when the schema below changes: an index of another version is rebuilt from the store.
INDEX_VERSION = "7"
_VERSION_FILE = "newscorpus-index-version"
_SEARCH_FIELDS = ["title", "text"]
_SNIPPET_CHARS = 220
# A writer's memory for documents before tantivy flushes a segment, and its indexing threads: a crawl's batch fits
# in the small one; a bulk load (reindex, a refill) gets large segments (fewer merges) and more cores.
_WRITER_HEAP = 32_000_000
_BULK_HEAP_PER_THREAD = 128_000_000
_BULK_THREADS = min(os.cpu_count() or 1, 4)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    builder.add_text_field("source", stored=True)
    builder.add_text_field("source_key", stored=False, tokenizer_name="raw")  # source name and host, lower case
    builder.add_integer_field("source_id", indexed=True, fast=True)  # for tag: (the sources that carry a tag)
    builder.add_text_field("url", stored=True, tokenizer_name="raw")
    builder.add_text_field("language", stored=True, tokenizer_name="raw", fast=True)
    builder.add_date_field("published", stored=True, indexed=True, fast=True)
    builder.add_text_field("mentions", stored=False, tokenizer_name="raw")  # periods of the dates it mentions
    builder.add_text_field("places", stored=False, tokenizer_name="raw")  # places it mentions, and their regions
    builder.add_text_field("laws", stored=False, tokenizer_name="raw")  # laws it cites and their provisions
    for facet in ("countries", "regions", "place_names", "law_names", "source_name", "authors", "people",
                  "organisations"):
        builder.add_text_field(facet, stored=False, tokenizer_name="raw", fast=True)
    builder.add_integer_field("copy", indexed=True, fast=True)
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

    def __init__(self, data_dir: Path, read_only: bool = False) -> None:
        """Open the index in `data_dir` (its index/ directory).

        Writable, a missing index is created, and one of another version (or that cannot be opened) is removed
        and created empty: `was_reset` then tells that the store must refill it. Read-only, nothing is written
        (in a read-only directory, even tantivy's lock files are taken elsewhere): a missing index, or one of
        another version, reads as empty, and `problem` says so.

        Raises StorageError when the index cannot be opened.
        """
        self._setup(data_dir / INDEX_DIR_NAME, read_only)

    @classmethod
    def _at(cls, path: Path) -> SearchIndex:
        """A writable index in the directory `path`."""
        index = cls.__new__(cls)
        index._setup(path, read_only=False)
        return index

    def _setup(self, path: Path, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self.schema = _schema()
        self.was_reset = False
        self._unusable: str | None = None  # read-only: why the index on disk cannot be read
        self._links: weakref.finalize[..., SearchIndex] | None = None  # removes a read-only index's directory of links
        self._remembered: dict[tuple[object, ...], Summary] = {}
        self._stamp: tuple[int, int, int] | None = None  # of meta.json, which tantivy rewrites at every commit
        source = path
        old = path.with_name(path.name + _OLD_SUFFIX)
        if not path.exists() and old.is_dir():
            # A rebuild stopped between its two renames. The old index is whole (the new one is not known to be),
            # so it is restored; a read-only open reads it where it is.
            if read_only:
                source = old
            else:
                try:
                    old.rename(path)
                except OSError as exc:
                    raise StorageError(f"cannot restore the search index {path} from {old}: {exc.strerror}") from exc
        self._meta = source / "meta.json"
        if read_only:
            self._open_read_only(source)
        else:
            self._open_writable()

    def _open_writable(self) -> None:
        version_file = self.path / _VERSION_FILE
        try:
            if self.path.exists() and _version_of(self.path) != INDEX_VERSION:
                shutil.rmtree(self.path)
            # An index created empty (first use, lost, or of another version) must be refilled from the store.
            self.was_reset = not self.path.exists()
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            except ValueError as exc:
                if self.was_reset or not os.access(self.path, os.W_OK | os.X_OK, effective_ids=_EFFECTIVE):
                    raise
                # The index is derived from the store: one that cannot be opened is rebuilt from it.
                log.warning("the search index %s cannot be opened (%s); it is rebuilt from the store", self.path, exc)
                shutil.rmtree(self.path)
                self.path.mkdir()
                self.was_reset = True
                self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            version_file.write_text(INDEX_VERSION)
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot open the search index {self.path}: {exc}") from exc

    def _open_read_only(self, source: Path) -> None:
        version = _version_of(source)
        if version != INDEX_VERSION:
            if not source.exists():
                self._unusable = "is missing"
            elif version is None:
                self._unusable = "is incomplete (it has no version file)"
            else:
                self._unusable = f"was built by another newscorpus (index version {version}, this one uses {INDEX_VERSION})"
            self._index = tantivy.Index(self.schema)  # empty, in memory: nothing is written
            return
        try:
            self._index = tantivy.Index.open(str(source))
        except ValueError:
            # tantivy takes a lock file even to read, which a read-only directory refuses: read the index through
            # a temporary directory of links to its files, with lock files of its own.
            try:
                self._index = self._open_through_links(source)
            except (OSError, ValueError) as exc:
                self.close()
                raise StorageError(f"cannot read the search index {source} ({exc}): run `newscorpus reindex` to "
                                   "rebuild it from the store") from exc

    def _open_through_links(self, source: Path) -> tantivy.Index:
        links = tempfile.mkdtemp(prefix="newscorpus-index-")
        # Removed by close(), or else when this object goes (the searcher's files are links: nothing is lost).
        self._links = weakref.finalize(self, shutil.rmtree, links, ignore_errors=True)
        for entry in source.iterdir():
            if not entry.name.endswith(".lock"):
                os.symlink(entry.resolve(), Path(links) / entry.name)
        return tantivy.Index.open(links)

    def close(self) -> None:
        """Release what a read-only index may hold (a temporary directory of links to its files)."""
        if self._links is not None:
            self._links()
            self._links = None

    def problem(self, documents: int, indexed: int) -> str | None:
        """Why this index cannot answer for a store of `documents` documents, `indexed` of them flagged as in
        it; None when it can. (Holding more than `indexed` is fine: a crash between indexing and flagging.)"""
        if documents == 0:
            return None
        if self._unusable is not None:
            return f"the search index {self.path} {self._unusable}"
        held = self.count()
        if held < indexed:  # lost or emptied behind the store's back (an empty one with nothing flagged is pending)
            state = "is empty" if held == 0 else f"holds {held} documents"
            return f"the search index {self.path} {state}, but the store has indexed {indexed}"
        return None

    def check(self, documents: int, indexed: int) -> None:
        """Raise StorageError, naming the command that repairs it, when `problem` finds one."""
        found = self.problem(documents, indexed)
        if found is not None:
            raise StorageError(f"{found}: run `newscorpus reindex` to rebuild it from the store")

    def _require_writable(self) -> None:
        if self.read_only:
            raise StorageError(f"the search index {self.path} is open read-only")

    @contextmanager
    def rebuilding(self) -> Iterator[SearchIndex]:
        """A new, empty index beside this one (index.new/) for the block to fill. When the block completes, the
        new index replaces this one, which then reads it; when the block raises, the new index is removed and
        this one is left as it was.

        Raises StorageError when the new index cannot be created or put in place.
        """
        self._require_writable()
        new = self.path.with_name(self.path.name + _NEW_SUFFIX)
        old = self.path.with_name(self.path.name + _OLD_SUFFIX)
        try:
            if new.exists():  # left by a rebuild that stopped
                shutil.rmtree(new)
        except OSError as exc:
            raise StorageError(f"cannot remove the unfinished search index {new}: {exc.strerror}") from exc
        fresh = SearchIndex._at(new)
        try:
            yield fresh
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        try:
            if old.exists():
                shutil.rmtree(old)
            if self.path.exists():
                self.path.rename(old)
            new.rename(self.path)
        except OSError as exc:
            if not self.path.exists() and old.exists():
                with suppress(OSError):  # else the next open restores it
                    old.rename(self.path)
            raise StorageError(f"cannot put the rebuilt search index {new} in place of {self.path}: "
                               f"{exc.strerror}") from exc
        shutil.rmtree(old, ignore_errors=True)
        self._setup(self.path, read_only=False)

    def add(self, documents: Sequence[Document], facts: Mapping[int, DocumentFacts] | None = None) -> None:
        """Add or replace documents and commit, so that they are searchable once this returns. `facts` gives
        what the store knows of each beyond its text: the dates, places and laws it mentions, and whether it is
        a later copy of a syndicated story."""
        with self.writing() as writer:
            writer.add(documents, facts)
            writer.commit()

    @contextmanager
    def writing(self, bulk: bool = False) -> Iterator[IndexWriter]:
        """One tantivy writer for many batches of documents (see IndexWriter); `bulk` gives it the memory and the
        threads of a large load. What is not committed when the block ends is dropped; the block ends once
        tantivy's merges are done.

        Raises StorageError when the index cannot be written (another process holds its writer).
        """
        self._require_writable()
        threads = _BULK_THREADS if bulk else 1
        try:
            writer = self._index.writer(heap_size=_BULK_HEAP_PER_THREAD * threads if bulk else _WRITER_HEAP,
                                        num_threads=threads)
        except ValueError as exc:
            raise StorageError(f"cannot write to the search index {self.path}: {exc}") from exc
        try:
            yield IndexWriter(self, writer)
        finally:
            writer.wait_merging_threads()
            self._index.reload()

    def clear(self) -> None:
        """Remove every document from the index."""
        self._require_writable()
        writer = self._index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()

    def refresh(self) -> None:
        """See what other processes committed since (tantivy sees it by itself, within about a second)."""
        self._index.reload()

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

    def search(self, query: str | Node, limit: int = 10, resolve: Resolver | None = None, by_date: bool = False,
               offset: int = 0) -> list[tuple[int, float]]:
        """(document id, BM25 score) of the best matches of a query (see corpus.query), or with `by_date` the
        newest first (the score is then the publication time in seconds).

        Raises QueryError for a query that is not well formed, or with a filter no one can settle.
        """
        compiled = self.compile(tree(query), resolve)
        searcher = self._index.searcher()
        try:
            result = searcher.search(compiled, limit=limit, offset=offset, count=False,
                                     order_by_field="published" if by_date else None)
        except ValueError as exc:
            raise QueryError(f"the index cannot run this query: {exc}", str(query)) from exc
        scale = 1e-9 if by_date else 1.0
        ids = searcher.fast_field_values("id", [address for _, address in result.hits])  # no stored-field reads
        return [(int(doc_id or 0), float(key) * scale) for doc_id, (key, _) in zip(ids, result.hits, strict=True)]

    def count_matches(self, query: str | Node, resolve: Resolver | None = None, stories: bool = True) -> int:
        """How many documents a query matches; with `stories`, each syndicated story once (its later copies are
        not counted)."""
        if stories:
            return self.summarise(query, resolve=resolve).total
        compiled = self.compile(tree(query), resolve)
        try:
            found = self._index.searcher().search(compiled, limit=1, count=True)
            return int(found.count or 0)  # type: ignore[attr-defined]  # (the stub lacks `count`)
        except ValueError as exc:
            raise QueryError(f"the index cannot count this: {exc}", str(query)) from exc

    def _stories(self, compiled: tantivy.Query) -> tantivy.Query:
        """Only the first copy of each syndicated story."""
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, compiled), (tantivy.Occur.MustNot,
                                            tantivy.Query.term_query(self.schema, "copy", 1))])

    def facets(self, query: str | Node, facet: str, limit: int = 10,
               resolve: Resolver | None = None) -> list[tuple[str, int]]:
        """The most frequent values of a facet (see FACETS) among the stories that match, each syndicated story
        counted once, with their counts: an aggregation over the index's fast fields."""
        return self.summarise(query, (facet,), limit, resolve=resolve).facets[facet]

    def timeline(self, query: str | Node, interval: str | None = "month",
                 resolve: Resolver | None = None) -> tuple[str, list[tuple[str, int]]]:
        """Matching stories (each syndicated story once) per day ("2025-06-12"), ISO week ("2025-W24"), month
        ("2025-06") or year ("2025"), from the first period with one to the last, empty periods included. With
        `interval` None, the finest interval that keeps the timeline to about 60 periods. Returns the interval
        and the periods."""
        found = self.summarise(query, timeline=interval or "auto", resolve=resolve)
        return found.interval or "month", found.periods or []

    def summarise(self, query: str | Node, facets: Sequence[str] = (), limit: int = 10, timeline: str | None = None,
                  resolve: Resolver | None = None) -> Summary:
        """The stories that match, each syndicated story once: how many, the `limit` most frequent values of each
        facet (see FACETS), and with `timeline` (an interval, or "auto") the stories per period (see `timeline`).
        One pass over the matches; two for a timeline by month or year, or "auto" (the span first). Summaries of
        queries made of filters alone (attention's denominators, each filter's own count, a click on a facet)
        are remembered until the next commit to the index."""
        for facet in facets:
            if facet not in FACETS:
                raise QueryError(f"no facet {facet!r}; facets are {', '.join(FACETS)}", facet)
        if timeline is not None and timeline not in (*TIMELINE_INTERVALS, "auto"):
            raise QueryError(f"no timeline interval {timeline!r}; use {', '.join(TIMELINE_INTERVALS)}", timeline)
        node = tree(query)
        stories = self._stories(self.compile(node, resolve))
        stamp, searcher = self._current()  # one searcher, one view of the index, for every pass
        # keyed by the compiled query, so a filter that now resolves otherwise (a source newly tagged) is asked anew
        key = None if words_of(node) else (stamp, repr(stories), tuple(facets), limit, timeline)
        if key in self._remembered:
            return self._remembered[key]
        interval, span = timeline, None
        if timeline in ("auto", "month", "year"):
            found = self._aggregate(searcher, stories, query, {"span": {"stats": {"field": "published"}}})["span"]
            span = (day_of(found["min"]), day_of(found["max"])) if found["count"] else None
            if timeline == "auto":
                interval = interval_for(*span) if span else "month"
        specs: dict[str, object] = {f"facet {f}": {"terms": {"field": FACETS[f], "size": limit}} for f in facets}
        specs["total"] = {"value_count": {"field": "id"}}
        if interval in ("day", "week") or (interval is not None and span is not None):  # (no span: nothing to count)
            specs["timeline"] = periods_spec(interval, span)
        found = self._aggregate(searcher, stories, query, specs)
        summary = Summary(
            total=int(found["total"]["value"] or 0),
            facets={f: [(str(b["key"]), int(b["doc_count"])) for b in found[f"facet {f}"]["buckets"] if b["key"] != ""]
                    for f in facets},
            interval=interval,
            periods=None if interval is None else
            periods_of(found["timeline"]["buckets"], interval) if "timeline" in found else [])
        if key is not None:
            if len(self._remembered) >= 256:
                self._remembered.clear()
            self._remembered[key] = summary
        return summary

    def _current(self) -> tuple[tuple[int, int, int] | None, tantivy.Searcher]:
        """A searcher of the latest commit, and the commit's stamp. tantivy's own reload follows a commit only
        after a moment, and with the same count of documents and segments two commits can look alike: the
        stamp of meta.json tells them apart, and a new one reloads the searcher and forgets what was
        remembered of the index as it was."""
        try:
            found = self._meta.stat()
            stamp: tuple[int, int, int] | None = (found.st_ino, found.st_mtime_ns, found.st_size)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._index.reload()
            self._remembered.clear()
            self._stamp = stamp  # only once reloaded: a thread that sees it uses the new searcher
        return stamp, self._index.searcher()

    def _aggregate(self, searcher: tantivy.Searcher, compiled: tantivy.Query, query: str | Node,
                   specs: dict[str, object]) -> dict[str, Any]:
        try:
            found: dict[str, Any] = searcher.aggregate(compiled, specs)
        except ValueError as exc:
            raise QueryError(f"the index cannot count this: {exc}", str(query)) from exc
        return found

    def compile(self, node: Node, resolve: Resolver | None = None) -> tantivy.Query:
        """The tantivy query of a parsed query. Every user string becomes a term or a quoted phrase."""
        if isinstance(node, Everything):
            return tantivy.Query.all_query()
        if isinstance(node, Words):
            return self._words(node)
        if isinstance(node, Filter):
            return self._filter(node, resolve)
        if isinstance(node, Not):
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                                (tantivy.Occur.MustNot, self.compile(node.node, resolve))])
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self.compile(n, resolve)) for n in node.nodes])
        return self._conjunction(node, resolve)

    def _conjunction(self, node: And, resolve: Resolver | None) -> tantivy.Query:
        nodes = list(node.nodes)
        laws = [n for n in nodes if isinstance(n, Filter) and n.field == "law"]
        sections = [n for n in nodes if isinstance(n, Filter) and n.field == "section"]
        clauses = []
        if laws and sections:  # "law:PECA section:20": that provision of that law
            law = _resolved(laws[0], resolve)
            for section in sections:
                clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(
                    self.schema, "laws", f"{law}#{_section_id(section)}")))
            nodes = [n for n in nodes if n is not laws[0] and n not in sections]
        for child in nodes:
            if isinstance(child, Not):
                clauses.append((tantivy.Occur.MustNot, self.compile(child.node, resolve)))
            else:
                clauses.append((tantivy.Occur.Must, self.compile(child, resolve)))
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _words(self, words: Words) -> tantivy.Query:
        fields = ["title"] if words.title_only else _SEARCH_FIELDS
        text = re.sub(r'["\\]', " ", words.text)
        if words.prefix and len(text.split()) == 1:
            pattern = re.escape(text.strip().lower()) + ".*"
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.regex_query(self.schema, f, pattern))
                                                for f in fields])
        query = f'"{text}"' + ("*" if words.prefix else f"~{words.slop}" if words.slop else "")
        try:
            return self._index.parse_query(query, fields)
        except ValueError as exc:
            raise QueryError(f"cannot search for {words.text!r}: {exc}", words.text, words.position) from exc

    def _filter(self, found: Filter, resolve: Resolver | None) -> tantivy.Query:
        value = found.value.strip()
        if found.field in ("place", "law", "cluster", "tag"):
            resolved = _resolved(found, resolve)
            if isinstance(resolved, list):  # a cluster's documents, or the sources that carry a tag
                field = "source_id" if found.field == "tag" else "id"
                return tantivy.Query.term_set_query(self.schema, field, resolved) if resolved else \
                    tantivy.Query.empty_query()
            return tantivy.Query.term_query(self.schema, "places" if found.field == "place" else "laws", resolved)
        if found.field == "source":
            return tantivy.Query.term_query(self.schema, "source_key", _source_key(value))
        if found.field == "lang":
            return tantivy.Query.term_query(self.schema, "language", value.lower())
        if found.field == "country":
            if not re.fullmatch(r"[A-Za-z]{2}", value):
                raise QueryError(f"country: takes a two-letter ISO code (KE, PK, GB), not {value!r}", value,
                                 found.position)
            return tantivy.Query.term_query(self.schema, "places", place_term(value.upper()))
        if found.field == "mentions":
            try:
                return tantivy.Query.term_query(self.schema, "mentions", period_term(value))
            except QueryError as exc:
                raise QueryError(str(exc), value, found.position) from exc
        if found.field == "section":
            return tantivy.Query.term_query(self.schema, "laws", f"sec:{_section_id(found)}")
        if found.field in ("after", "upto"):  # not in the query language: documents by id, for alerts
            low, high = (int(value) + 1, 2**62) if found.field == "after" else (0, int(value))
            return tantivy.Query.range_query(self.schema, "id", tantivy.FieldType.Integer, low, high)
        start, end = published_range(value, found.position, value)
        return tantivy.Query.range_query(self.schema, "published", tantivy.FieldType.Date, start, end,
                                         include_lower=True, include_upper=end is None)

    def snippets(self, query: str | Node, texts: dict[int, str]) -> dict[int, str]:
        """For each document text, the fragment that best matches the query's words, matches in <b> tags."""
        words = words_of(tree(query))
        if not words:
            return {doc_id: _lead(text) for doc_id, text in texts.items()}
        highlight = tantivy.Query.boolean_query([(tantivy.Occur.Should, self._words(w)) for w in words])
        generator = tantivy.SnippetGenerator.create(self._index.searcher(), highlight, self.schema, "text")
        generator.set_max_num_chars(_SNIPPET_CHARS)
        found = {}
        for doc_id, text in texts.items():
            html = generator.snippet_from_doc(tantivy.Document(text=text)).to_html()
            found[doc_id] = html or _lead(text)
        return found


class IndexWriter:
    """Documents into a SearchIndex through one tantivy writer (SearchIndex.writing), searchable once committed."""

    def __init__(self, index: SearchIndex, writer: tantivy.IndexWriter) -> None:
        self._index, self._writer = index, writer

    def add(self, documents: Sequence[Document], facts: Mapping[int, DocumentFacts] | None = None,
            replace: bool = True) -> None:
        """Add documents with what the store knows of them (see SearchIndex.add). `replace` first deletes any
        document of the same id, which makes a re-add after a crash (indexed but not yet flagged) harmless; a
        fresh index filled once has nothing to delete."""
        for doc in documents:
            if replace:  # (`id` is a signed field: tantivy-py turns a Python int into an i64 term.)
                self._writer.delete_documents_by_term("id", doc.id)
            self._writer.add_document(tantivy.Document(**_fields(doc, (facts or {}).get(doc.id, _NO_FACTS))))

    def commit(self) -> None:
        """Make what was added durable and searchable."""
        self._writer.commit()
        self._index.refresh()


_NO_FACTS = DocumentFacts()


def _fields(doc: Document, facts: DocumentFacts) -> dict[str, Any]:
    """A document's index fields, as tantivy.Document takes them (a list for several values)."""
    fields: dict[str, Any] = {
        "id": doc.id, "title": doc.title or "", "text": doc.text, "source": doc.source or "",
        "source_name": doc.source or "", "source_key": list(_source_keys(doc)), "url": doc.url,
        "language": doc.language or "", "authors": list(doc.authors), "copy": int(facts.copy)}
    if doc.source_id is not None:
        fields["source_id"] = doc.source_id
    published = _parse_datetime(doc.published)
    if published is not None:
        fields["published"] = published
    people, organisations = entity_names(facts.entities)
    found = set().union(*map(_mention_fields, facts.mentions), *map(_place_fields, facts.places),
                        *map(_law_fields, facts.laws), (("people", p) for p in people),
                        (("organisations", o) for o in organisations))
    for name, value in sorted(found):  # each field's values once, in order
        fields.setdefault(name, []).append(value)
    return fields


# Stories repeat the same dates, places, laws and hosts: their terms are worked out once per value, as
# (field, value) pairs.
@lru_cache(maxsize=100_000)
def _mention_fields(value: str) -> frozenset[tuple[str, str]]:
    return frozenset(("mentions", t) for t in mention_terms(value))


@lru_cache(maxsize=100_000)
def _law_fields(law: tuple[str, str | None]) -> frozenset[tuple[str, str]]:
    return frozenset([*(("laws", t) for t in law_terms(*law)), ("law_names", law[0])])


@lru_cache(maxsize=100_000)
def _place_fields(place: tuple[str | None, str | None, int | None, str | None]) -> frozenset[tuple[str, str]]:
    cc, admin1, geonameid, name = place
    found = {("places", t) for t in place_terms(cc, admin1, geonameid)}
    if cc:
        found.add(("countries", cc))
        if admin1:
            found.add(("regions", f"{cc}/{admin1}"))
    if name:
        found.add(("place_names", f"{name} ({cc})" if cc else name))
    return frozenset(found)


def _version_of(path: Path) -> str | None:
    """The INDEX_VERSION an index directory was built with (None: no index, or no readable version file)."""
    try:
        return (path / _VERSION_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _source_keys(doc: Document) -> tuple[str, ...]:
    """What a `source:` filter may name a document's source by: its name, and its host with and without www."""
    authority = _AUTHORITY.match(doc.url)  # the host is all in it: the keys are cached by it
    return _keys_of(authority.group() if authority else doc.url, doc.source)


_AUTHORITY = re.compile(r"[^:/?#]+://[^/?#]*")


@lru_cache(maxsize=10_000)
def _keys_of(url: str, source: str | None) -> tuple[str, ...]:
    host = (urlsplit(url).hostname or "").lower()
    keys = {host, host.removeprefix("www.")}
    if source:
        keys |= {_source_key(source)}
    return tuple(k for k in keys if k)


def _source_key(value: str) -> str:
    """A source's name or host as the index keeps it: lower case, a URL reduced to its host without www."""
    value = value.strip().lower()
    if "://" in value:
        value = urlsplit(value).hostname or value
    return " ".join(value.removeprefix("www.").split())


def _resolved(found: Filter, resolve: Resolver | None) -> str | list[int]:
    if resolve is None:
        raise QueryError(f"{found.field}: filters need the corpus to look them up", found.value, found.position)
    return resolve(found)


def _section_id(found: Filter) -> str:
    ids = sorted(section_ids(found.value), key=len, reverse=True)
    if not ids:
        raise QueryError(f"section: takes a provision such as 20, 295-C or 19(1)(a), not {found.value!r}",
                         found.value, found.position)
    return ids[0]


def _lead(text: str) -> str:
    """The opening of a text, cut at a word boundary, as a fallback snippet."""
    from html import escape

    if len(text) <= _SNIPPET_CHARS:
        return escape(text)
    return escape(text[:_SNIPPET_CHARS].rsplit(" ", 1)[0]) + "…"
