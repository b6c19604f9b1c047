"""The use cases besides the crawl (`pipeline`): sources, reprocessing, indexing, search filters, export and
the NLP on any text. With `pipeline`, `polling` and `analysis`, the modules that wire the layers together.
"""

from __future__ import annotations

import json
import logging
import platform
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newscorpus.analysis import AnalysisPool, Page
from newscorpus.config import Settings
from newscorpus.corpus import SearchIndex, Store
from newscorpus.corpus.export import EXPORT_FORMATS, FIELDS as EXPORT_FIELDS, count_records, sha256_of
from newscorpus.corpus.export import rows as export_rows, write as write_export
from newscorpus.corpus.index import INDEX_VERSION, DocumentFacts, Resolver
from newscorpus.corpus.laws import law_term
from newscorpus.corpus.places import place_term
from newscorpus.corpus.query import Filter, Node, parse, with_filters
from newscorpus.corpus.lock import DataDirLock
from newscorpus.crawler import canonicalize_url
from newscorpus.crawler.opml import Outline, parse_opml, write_opml
from newscorpus.errors import ConfigError, ExtractionError, QueryError, StorageError
from newscorpus.models import Annotations, Document, FeedItem, Source, utc_now
from newscorpus.nlp import Annotator, annotate_many, find_law, find_place, reference_date

log = logging.getLogger(__name__)
ProgressCallback = Callable[[str, int, int], None]  # (phase, done, total)


def add_source(store: Store, url: str, title: str | None = None, tags: Sequence[str] = ()) -> tuple[Source, bool]:
    """Add a feed or homepage URL as a source (a homepage's feeds and sitemaps are found on the first crawl).

    Raises ConfigError for a URL that is not http(s).
    """
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    return store.add_source(canonical, "site" if _looks_like_homepage(parts.path) else "feed", title, tags)


def _looks_like_homepage(path: str) -> bool:
    return not any(token in path.lower() for token in ("rss", "feed", "atom", ".xml"))


def find_source(store: Store, key: str) -> Source:
    """A source by id or URL. Raises ConfigError when there is none."""
    source = store.get_source(int(key) if key.isdigit() and len(key) <= 18 else canonicalize_url(key))
    if source is None:
        raise ConfigError(f"no such source: {key}")
    return source


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


def place_filter(name: str) -> tuple[str, str]:
    """The index term of the place a user names (`search --place`), and how it was understood.

    Raises QueryError for a name the gazetteer does not know.
    """
    place = find_place(name)
    if place is None:
        raise QueryError(f"no place called {name!r} is known; try a country (Kenya, KE), a region (Punjab, PK) "
                         "or a town (Nairobi; Paris, Texas)", name)
    if place.kind == "region":
        raise QueryError(f"{place.name} is a region without borders in the gazetteer; search its countries", name)
    if place.kind == "continent":
        return place_term("", geonameid=place.geonameid), place.name
    if place.kind == "country":
        return place_term(place.country_code), f"{place.name} ({place.country_code})"
    if place.kind in ("admin1", "admin2") and place.admin1:  # a county is searched as its state
        return place_term(place.country_code, place.admin1), f"{place.admin1}, {place.country_code} (region)"
    return (place_term(place.country_code, geonameid=place.geonameid),
            f"{place.name}, {place.admin1 + ', ' if place.admin1 else ''}{place.country_code}")


def law_filter(store: Store, name: str) -> tuple[str, str]:
    """The index term of the law a user names (`search --law`), and how it was understood: an acronym or title
    the registry knows ("PECA", "Pakistan Penal Code"), an acronym stories in the corpus define ("ZARRA"), or
    else the title as written.

    Raises QueryError for an empty name.
    """
    if not name.strip():
        raise QueryError("--law needs a name: an acronym (PECA) or a title (Computer Misuse Act)", name)
    law = find_law(name)
    if law is not None:
        where = f" ({law.jurisdiction})" if law.jurisdiction else ""
        return law_term(law.name), f"{law.name}{where}"
    defined = store.laws_called(name.strip())
    if defined:
        return law_term(defined[0]), f"{defined[0]} (as stories in this corpus call it {name.strip()!r})"
    return law_term(name), " ".join(name.split())


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
    facts = {d.id: DocumentFacts(dates[d.id], places[d.id], laws[d.id],
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


def remove_source(store: Store, key: str) -> None:
    """Remove a source by id or URL. Raises ConfigError when there is none."""
    store.remove_source(find_source(store, key).id)


def import_opml(store: Store, data: bytes) -> tuple[int, int]:
    """Add every feed of an OPML document; returns (added, already present)."""
    added = present = 0
    for outline in parse_opml(data):
        try:
            _, created = add_source(store, outline.url, outline.title, outline.tags)
        except ConfigError as exc:
            log.warning("skipped OPML entry: %s", exc)
            continue
        added += created
        present += not created
    return added, present


def starter_sources() -> bytes:
    """The starter list of public news feeds shipped with newscorpus (OPML)."""
    from importlib import resources

    return (resources.files("newscorpus") / "data" / "starter.opml").read_bytes()


def configure_source(store: Store, key: str, changes: dict[str, Any]) -> Source:
    """Change a source's settings (title, tags, enabled, language, poll bounds, delay).

    Raises ConfigError for an unknown source or values that make no sense.
    """
    source = find_source(store, key)
    low = changes.get("min_poll_seconds", source.min_poll_seconds)
    high = changes.get("max_poll_seconds", source.max_poll_seconds)
    if low is not None and high is not None and low > high:
        raise ConfigError(f"the minimum poll interval ({low} s) is longer than the maximum ({high} s)")
    if any(v is not None and isinstance(v, float) and v < 0 for v in changes.values()):
        raise ConfigError("intervals and delays must not be negative")
    return store.configure_source(source.id, changes)


def documents_matching(store: Store, index: SearchIndex, query: str | Node | None) -> list[int] | None:
    """Ids of every document a query matches, in id order (None for every document)."""
    if query is None:
        return None
    total = int(store.stats()["documents"])  # type: ignore[call-overload]
    return sorted(doc_id for doc_id, _ in index.search(query, limit=max(1, total), resolve=resolver(store)))


def resolver(store: Store, notify: Callable[[str], None] | None = None) -> Resolver:
    """What the index asks for the filters it cannot settle alone: place: and law: to their index terms (see
    place_filter and law_filter), cluster: to its documents. `notify` hears how each name was understood."""
    def resolve(found: Filter) -> str | list[int]:
        if found.field == "cluster":
            if not found.value.strip().isdigit() or len(found.value.strip()) > 18:
                raise QueryError(f"cluster: takes a cluster number (see `newscorpus show`), not {found.value!r}",
                                 found.value, found.position)
            return store.cluster_members(int(found.value))
        term, understood = place_filter(found.value) if found.field == "place" else law_filter(store, found.value)
        if notify:
            notify(f"{found.field}: {understood}")
        return term
    return resolve


def export_matches(store: Store, index: SearchIndex, settings: Settings, query: str, filters: list[Filter],
                   fmt: str, output: Path, progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Every document the query and filters match (no cap; syndicated copies included, with their cluster) into
    `output` as JSON lines, CSV or Parquet, and beside it a manifest (`output` + ".manifest.json"): the query,
    when, the software and model versions, the row count and the SHA-256 of the file. Returns the manifest.

    Raises QueryError for a bad query, ConfigError for an unknown format, StorageError when writing fails.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
    ids = documents_matching(store, index, with_filters(parse(query), filters)) or []
    stats = store.stats()
    rows = write_export(export_rows(store, ids), fmt, output,
                        (lambda done: progress("export", done, len(ids))) if progress else None)
    manifest = {
        "tool": "newscorpus", "version": _version("newscorpus"),
        "created": utc_now(),
        "query": query, "filters": {f.field: f.value for f in filters},
        "format": fmt, "file": output.name, "rows": rows, "bytes": output.stat().st_size,
        "sha256": sha256_of(output), "fields": list(EXPORT_FIELDS),
        "corpus": {"documents": stats["documents"], "schema_version": stats["schema_version"],
                   "index_version": INDEX_VERSION},
        "software": {"python": platform.python_version(), "spacy_model": settings.spacy_model,
                     **{name: _version(name) for name in ("spacy", settings.spacy_model.replace("_", "-"),
                                                          "trafilatura", "tantivy", "pyarrow")}},
    }
    path = manifest_path(output)
    try:
        path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise StorageError(f"cannot write the manifest {path}: {exc.strerror or exc}") from exc
    return manifest


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".manifest.json")


def verify_export(manifest_file: Path) -> dict[str, Any]:
    """Check an export against its manifest: the file's SHA-256 and its record count. Returns the manifest.

    Raises ConfigError for an unreadable manifest, StorageError for a missing or changed file.
    """
    try:
        manifest: dict[str, Any] = json.loads(manifest_file.read_text(encoding="utf-8"))
        data = manifest_file.parent / manifest["file"]
        fmt, rows, digest = manifest["format"], int(manifest["rows"]), manifest["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"not a newscorpus export manifest: {manifest_file} ({exc})") from exc
    if not data.is_file():
        raise StorageError(f"the export {data} is missing")
    if sha256_of(data) != digest:
        raise StorageError(f"{data} has changed since it was exported: its SHA-256 differs from the manifest's")
    if count_records(data, fmt) != rows:
        raise StorageError(f"{data} holds a different number of records than the manifest's {rows}")
    return manifest


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def export_opml(store: Store) -> str:
    """Every source as OPML, tags as categories."""
    return write_opml([Outline(s.url, s.title, s.tags) for s in store.list_sources()])


def decode_text(raw: bytes, origin: str) -> str:
    """UTF-8 text for the NLP; raises ExtractionError for empty or binary input."""
    if b"\x00" in raw:
        raise ExtractionError(f"{origin} looks binary (it contains NUL bytes); give UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{origin} is not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise ExtractionError(f"{origin} is empty: nothing to extract")
    return text


def annotate_text(text: str, published: date, settings: Settings) -> Annotations:
    """The dates, places, laws and entities of one text."""
    return Annotator(settings.spacy_model, settings.nlp_batch_size, settings.laws_registry).annotate(text, published)


def extract_jsonl(lines: Iterable[bytes], settings: Settings, default_day: date, workers: int,
                  write: Callable[[str], None]) -> int:
    """Annotate one {"id", "text", "published"} record per line, writing one JSON result per line, in order.

    A line that is not such a record yields {"id", "line", "error"} with empty lists; returns how many did.
    """
    empty = Annotations().to_dict()
    bad = 0

    def records() -> Iterator[tuple[tuple[int, Any, str | None], str, date | None]]:
        nonlocal bad
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            key, text, published, error = _parse_record(line)
            bad += error is not None
            yield (number, key, error), text, published or default_day

    for (number, key, error), found in annotate_many(records(), settings.spacy_model, workers,
                                                      settings.nlp_batch_size, settings.laws_registry):
        result = {"id": key, "line": number, "error": error, **empty} if error else {"id": key, **found.to_dict()}
        write(json.dumps(result, ensure_ascii=False))
    return bad


def _parse_record(line: bytes) -> tuple[Any, str, date | None, str | None]:
    """(id, text, publication date, error) of one JSON Lines record."""
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, "", None, f"not JSON: {exc}"
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None, "", None, 'expected an object with a string "text"'
    published = record.get("published")
    day = reference_date(published) if isinstance(published, str) else None
    if published is not None and day is None:
        return record.get("id"), "", None, f"published is not an ISO date: {published!r}"
    return record.get("id"), record["text"], day, None
