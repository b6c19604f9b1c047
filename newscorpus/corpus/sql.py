"""The store's SQL, one text for both backends (SQLite and PostgreSQL): every method of the Store interface
written once, with "?" parameters, over a connection each backend opens and a few dialect words it sets."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any

from newscorpus.corpus import dedup
from newscorpus.corpus.dedup import Signature
from newscorpus.corpus.store import SOURCE_SETTINGS, PlaceValue, Store
from newscorpus.errors import StorageError
from newscorpus.models import (
    Annotations,
    Article,
    Document,
    FeedItem,
    FeedState,
    QueuedURL,
    SavedSearch,
    Source,
    WarcLocation,
    utc_now,
)


def _migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every file in schema/, in order; version N is file NNN_*.sql."""
    folder = resources.files("newscorpus.corpus") / "schema"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


MIGRATIONS = _migrations()
SCHEMA_VERSION = MIGRATIONS[-1][0]

_DOC_COLUMNS = (
    "d.id, d.url, d.canonical_url, d.source_id, COALESCE(s.title, s.url), d.title, d.authors,"
    " d.published, d.fetched_at, d.language, d.text, d.content_hash, d.warc_file, d.warc_offset, d.warc_length,"
    " d.cluster_id, d.modified, d.published_offset, d.provenance, d.nlp_note"
)
_ANNOTATION_TABLES: dict[str, str] = {
    # Columns named as the record's fields; those in _JSON_COLUMNS hold JSON.
    "dates": "text, start, \"end\", value, type, range_ends",
    "places": "text, start, \"end\", name, geonameid, lat, lon, country_code, admin1",
    "laws": "text, start, \"end\", name, year, section, jurisdiction, alias",
    "entities": "text, start, \"end\", label",
    "focus": "country_code, admin1, name, share",
}

_JSON_COLUMNS = {"range_ends"}
_SAVED_COLUMNS = "id, name, query, filters, created_at, checked_at, seen_up_to"


def _saved_search(row: Sequence[Any]) -> SavedSearch:
    return SavedSearch(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], int(row[6]))


def _column_names(columns: str) -> list[str]:
    return [c.strip().strip('"') for c in columns.split(",")]


class SQLStore(Store):
    """The Store interface in SQL. A backend opens `_db` (a connection whose `execute` and `executemany` take "?"
    parameters and return a DB-API cursor), says which exceptions are its database's errors and how each reads
    as a StorageError, and sets the dialect's words below."""

    _db: Any
    _errors: tuple[type[Exception], ...]
    _BEGIN = "BEGIN"
    _LATER = "max"  # the later of two values
    _TAGS = "json_each(s.tags) t"  # a source's tags as rows t(value)
    _STORED_ORDER = "seq"  # the order a document's annotations were stored in
    _LOCK = ""  # takes a lock on a text until the transaction ends, where writers do not take turns anyway
    _NOW = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"  # the database's clock, as utc_now() writes times
    _NOW_PLUS = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', printf('%+.3f seconds', ?))"  # ... ? seconds later
    _EPOCH = "((julianday('now') - 2440587.5) * 86400.0)"  # seconds since 1970, with fractions
    _SKIP_LOCKED = ""  # rows another worker is leasing right now are passed over (a single writer has none)

    def _storage_error(self, exc: Exception) -> StorageError:
        raise NotImplementedError

    @property
    def schema_version(self) -> int:
        raise NotImplementedError

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction; rolled back whole on any error."""
        try:
            self._db.execute(self._BEGIN)
        except self._errors as exc:
            raise self._storage_error(exc) from exc
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException as exc:
            with suppress(*self._errors):  # a damaged or full database may refuse this too; the first error tells
                self._db.execute("ROLLBACK")
            if isinstance(exc, self._errors):
                raise self._storage_error(exc) from exc
            raise

    def _write(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._db.execute(sql, params)
        except self._errors as exc:
            raise self._storage_error(exc) from exc

    # Sources and feeds

    def add_source(self, url: str, kind: str, title: str | None = None, tags: Sequence[str] = ()) -> tuple[Source, bool]:
        cur = self._write(
            "INSERT INTO sources (url, kind, title, tags, added_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
            (url, kind, title, json.dumps(list(tags)), utc_now()),
        )
        source = self.get_source(url)
        assert source is not None
        return source, cur.rowcount == 1

    def _source(self, row: Sequence[Any]) -> Source:
        return Source(
            id=row[0], url=row[1], kind=row[2], title=row[3], tags=tuple(json.loads(row[4])), added_at=row[5],
            last_success=row[6], last_error=row[7], consecutive_failures=row[8], enabled=bool(row[9]),
            language=row[10], min_poll_seconds=row[11], max_poll_seconds=row[12], delay_seconds=row[13],
            items_per_day=round(row[14] / 7, 1),
        )

    _SOURCE_COLUMNS = (
        "SELECT s.id, s.url, s.kind, s.title, s.tags, s.added_at, s.last_success, s.last_error,"
        " s.consecutive_failures, s.enabled, s.language, s.min_poll_seconds, s.max_poll_seconds, s.delay_seconds,"
    )
    _SOURCE_QUERY = (f"{_SOURCE_COLUMNS} (SELECT COUNT(*) FROM urls u WHERE u.source_id = s.id AND u.discovered_at >= ?)"
                     " FROM sources s")
    # Without the week's count: what a crawl reads every pass, which must not scan every source's URLs.
    _SOURCE_SETTINGS_QUERY = f"{_SOURCE_COLUMNS} 0 FROM sources s"

    def _week_ago(self) -> str:
        return (datetime.now(timezone.utc) - timedelta(days=7)).isoformat(timespec="seconds")

    def list_sources(self, counts: bool = True) -> list[Source]:
        if not counts:
            return [self._source(r) for r in self._db.execute(f"{self._SOURCE_SETTINGS_QUERY} ORDER BY s.id")]
        rows = self._db.execute(f"{self._SOURCE_QUERY} ORDER BY s.id", (self._week_ago(),)).fetchall()
        return [self._source(r) for r in rows]

    def get_source(self, key: str | int) -> Source | None:
        column = "id" if isinstance(key, int) else "url"
        row = self._db.execute(f"{self._SOURCE_QUERY} WHERE s.{column} = ?", (self._week_ago(), key)).fetchone()
        return self._source(row) if row else None

    def configure_source(self, source_id: int, changes: dict[str, object]) -> Source:
        unknown = set(changes) - set(SOURCE_SETTINGS)
        if unknown:
            raise ValueError(f"not per-source settings: {sorted(unknown)}")
        values = {k: json.dumps(list(v)) if k == "tags" else v for k, v in changes.items()}  # type: ignore[call-overload]
        if values:
            assignments = ", ".join(f"{name} = ?" for name in values)
            self._write(f"UPDATE sources SET {assignments} WHERE id = ?", (*values.values(), source_id))
        source = self.get_source(source_id)
        assert source is not None
        return source

    def remove_source(self, key: str | int) -> bool:
        column = "id" if isinstance(key, int) else "url"
        return bool(self._write(f"DELETE FROM sources WHERE {column} = ?", (key,)).rowcount == 1)

    def record_source_result(self, source_id: int, error: str | None, title: str | None = None) -> None:
        if error is None:
            self._write(
                "UPDATE sources SET last_success = ?, consecutive_failures = 0, title = COALESCE(title, ?) WHERE id = ?",
                (utc_now(), title, source_id),
            )
        else:
            self._write(
                "UPDATE sources SET last_error = ?, consecutive_failures = consecutive_failures + 1 WHERE id = ?",
                (error, source_id),
            )

    _FEED_COLUMNS = "id, source_id, url, etag, last_modified, last_polled_at, kind, poll_seconds, next_poll_at, last_error"

    def feeds_for(self, source_id: int) -> list[FeedState]:
        rows = self._db.execute(
            f"SELECT {self._FEED_COLUMNS} FROM feeds WHERE source_id = ? ORDER BY id", (source_id,)
        ).fetchall()
        return [FeedState(*r) for r in rows]

    def add_feed(self, source_id: int, url: str, kind: str = "feed") -> FeedState:
        self._write("INSERT INTO feeds (source_id, url, kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (source_id, url, kind))
        return next(f for f in self.feeds_for(source_id) if f.url == url)

    def remove_feed(self, feed_id: int) -> None:
        self._write("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def update_feed(
        self, feed_id: int, etag: str | None, last_modified: str | None, polled_at: str,
        poll_seconds: float | None = None, next_poll_at: str | None = None, error: str | None = None,
    ) -> None:
        self._write(
            "UPDATE feeds SET etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),"
            " last_polled_at = ?, poll_seconds = COALESCE(?, poll_seconds), next_poll_at = COALESCE(?, next_poll_at),"
            f" last_error = ?, {self._UNLEASED} WHERE id = ?",
            (etag, last_modified, polled_at, poll_seconds, next_poll_at, error, feed_id),
        )

    def next_poll_time(self) -> str | None:
        feeds = self._db.execute(
            "SELECT MIN(COALESCE(f.next_poll_at, '')) FROM feeds f JOIN sources s ON s.id = f.source_id"
            " WHERE s.enabled = 1"
        ).fetchone()[0]
        urls = self._db.execute(
            "SELECT MIN(next_attempt_at) FROM urls WHERE state IN ('failed', 'deferred')").fetchone()[0]
        return min((t for t in (feeds, urls) if t is not None), default=None)

    # Frontier

    def enqueue(self, source_id: int | None, items: Sequence[FeedItem], now: str) -> int:
        added = 0
        with self._transaction():
            for item in items:
                payload = json.dumps({"title": item.title, "published": item.published,
                                      "authors": list(item.authors), "summary": item.summary})
                cur = self._db.execute(
                    "INSERT INTO urls (url, source_id, state, discovered_at, item) VALUES (?, ?, 'queued', ?, ?)"
                    " ON CONFLICT (url) DO NOTHING",
                    (item.url, source_id, now, payload),
                )
                added += cur.rowcount
        return added

    _DUE = "(state = 'queued' OR (state IN ('failed', 'deferred') AND next_attempt_at <= ?))"
    _UNLEASED = "lease_owner = NULL, lease_until = NULL"
    _FREE = "(lease_until IS NULL OR lease_until <= {now})"  # no worker holds it (formatted with _NOW)
    _URL_COLUMNS = "id, url, source_id, attempts, item, warc_file, warc_offset, warc_length"

    @staticmethod
    def _queued_url(row: Sequence[Any]) -> QueuedURL:
        url_id, url, source_id, attempts, item, warc_file, warc_offset, warc_length = row
        data = json.loads(item)
        feed_item = FeedItem(url=url, title=data.get("title"), published=data.get("published"),
                             authors=tuple(data.get("authors") or ()), summary=data.get("summary"))
        warc = WarcLocation(warc_file, warc_offset, warc_length) if warc_file else None
        return QueuedURL(id=url_id, url=url, source_id=source_id, attempts=attempts, feed_item=feed_item, warc=warc)

    def count_due(self, now: str, after: int = 0) -> int:
        free = self._FREE.format(now=self._NOW)
        return int(self._db.execute(f"SELECT COUNT(*) FROM urls WHERE {self._DUE} AND id > ? AND {free}",
                                    (now, after)).fetchone()[0])

    def mark_failed(self, url_id: int, error: str, permanent: bool, retry_at: str | None,
                    worker: str | None = None) -> bool:
        mine = " AND lease_owner = ?" if worker is not None else ""
        return bool(self._write(
            f"UPDATE urls SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ?, {self._UNLEASED}"
            f" WHERE id = ?{mine}",
            ("failed_permanent" if permanent else "failed", error, retry_at, url_id, *([worker] if worker else [])),
        ).rowcount == 1)

    def defer(self, url_id: int, reason: str, until: str, worker: str | None = None) -> bool:
        mine = " AND lease_owner = ?" if worker is not None else ""
        return bool(self._write(
            f"UPDATE urls SET state = 'deferred', last_error = ?, next_attempt_at = ?, {self._UNLEASED}"
            f" WHERE id = ?{mine}", (reason, until, url_id, *([worker] if worker else []))).rowcount == 1)

    def mark_fetched(self, url_id: int, fetched_at: str, warc: WarcLocation, worker: str | None = None,
                     hold_seconds: float = 0.0) -> bool:
        lease = f"lease_until = {self._NOW_PLUS}" if hold_seconds > 0 else self._UNLEASED
        mine = " AND lease_owner = ?" if worker is not None else ""
        return bool(self._write(
            "UPDATE urls SET state = 'fetched', attempts = attempts + 1, fetched_at = ?, last_error = NULL,"
            f" next_attempt_at = NULL, warc_file = ?, warc_offset = ?, warc_length = ?, {lease} WHERE id = ?{mine}",
            (fetched_at, warc.file, warc.offset, warc.length, *([hold_seconds] if hold_seconds > 0 else []), url_id,
             *([worker] if worker is not None else [])),
        ).rowcount == 1)

    def _mark_analysed(self, url_id: int, fetched_at: str, document_id: int) -> None:
        self._db.execute(
            "UPDATE urls SET state = 'analysed', fetched_at = COALESCE(fetched_at, ?), last_error = NULL,"
            f" next_attempt_at = NULL, document_id = ?, {self._UNLEASED} WHERE id = ?",
            (fetched_at, document_id, url_id),
        )

    _STAGES = {"fetch": _DUE.replace("?", "{now}"), "analyse": "state = 'fetched'"}

    def claim_urls(self, stage: str, worker: str, limit: int, lease_seconds: float, after: int = 0) -> list[QueuedURL]:
        if stage not in self._STAGES:
            raise ValueError(f"no stage {stage!r}; stages are {', '.join(self._STAGES)}")
        waiting = self._STAGES[stage].format(now=self._NOW)
        with self._transaction():
            rows = self._db.execute(
                f"UPDATE urls SET lease_owner = ?, lease_until = {self._NOW_PLUS} WHERE id IN (SELECT id FROM urls"
                f" WHERE {waiting} AND id > ? AND {self._FREE.format(now=self._NOW)} ORDER BY id LIMIT ?"
                f"{self._SKIP_LOCKED.format(table='urls')}) RETURNING {self._URL_COLUMNS}",
                (worker, lease_seconds, after, limit)).fetchall()
        return sorted((self._queued_url(r) for r in rows), key=lambda q: q.id)

    def renew_leases(self, worker: str, ids: Sequence[int], lease_seconds: float) -> set[int]:
        held: set[int] = set()
        with self._transaction():
            for start in range(0, len(ids), 500):
                chunk = list(ids[start:start + 500])
                rows = self._db.execute(
                    f"UPDATE urls SET lease_until = {self._NOW_PLUS} WHERE lease_owner = ?"
                    f" AND id IN ({', '.join('?' * len(chunk))}) RETURNING id",
                    (lease_seconds, worker, *chunk)).fetchall()
                held.update(row[0] for row in rows)
            self._db.execute(f"UPDATE feeds SET lease_until = {self._NOW_PLUS} WHERE lease_owner = ?",
                             (lease_seconds, worker))
        return held

    def lease_holders(self) -> list[str]:
        rows = self._db.execute("SELECT lease_owner FROM urls WHERE lease_owner IS NOT NULL UNION"
                                " SELECT lease_owner FROM feeds WHERE lease_owner IS NOT NULL").fetchall()
        return sorted(owner for (owner,) in rows)

    def release_work(self, worker: str) -> int:
        with self._transaction():
            urls = self._db.execute(f"UPDATE urls SET {self._UNLEASED} WHERE lease_owner = ?", (worker,)).rowcount
            feeds = self._db.execute(f"UPDATE feeds SET {self._UNLEASED} WHERE lease_owner = ?", (worker,)).rowcount
        return int(urls) + int(feeds)

    def claim_feeds(self, worker: str, limit: int, lease_seconds: float, due_only: bool = True) -> list[FeedState]:
        due = f" AND COALESCE(f.next_poll_at, '') <= {self._NOW}" if due_only else ""
        free = self._FREE.format(now=self._NOW).replace("lease_until", "f.lease_until")
        with self._transaction():
            rows = self._db.execute(
                f"UPDATE feeds SET lease_owner = ?, lease_until = {self._NOW_PLUS} WHERE id IN (SELECT f.id FROM feeds f"
                f" JOIN sources s ON s.id = f.source_id WHERE s.enabled = 1{due} AND {free}"
                f" ORDER BY COALESCE(f.next_poll_at, ''), f.id LIMIT ?{self._SKIP_LOCKED.format(table='f')})"
                f" RETURNING {self._FEED_COLUMNS}",
                (worker, lease_seconds, limit)).fetchall()
        return sorted((FeedState(*r) for r in rows), key=lambda f: (f.next_poll_at or "", f.id))

    def sources_without_feeds(self) -> list[Source]:
        rows = self._db.execute(f"{self._SOURCE_SETTINGS_QUERY} WHERE s.enabled = 1 AND NOT EXISTS"
                                " (SELECT 1 FROM feeds f WHERE f.source_id = s.id) ORDER BY s.id").fetchall()
        return [self._source(r) for r in rows]

    def take_host_turn(self, host: str, interval: float) -> float:
        with self._transaction():
            granted = self._db.execute(
                f"INSERT INTO host_turns (host, next_at) VALUES (?, {self._EPOCH} + ?) ON CONFLICT (host) DO UPDATE"
                f" SET next_at = {self._EPOCH} + ? WHERE host_turns.next_at <= {self._EPOCH} RETURNING next_at",
                (host, interval, interval)).fetchall()  # all: SQLite ends a RETURNING statement only when read out
            if granted:
                return 0.0
            ((wait,),) = self._db.execute(f"SELECT next_at - {self._EPOCH} FROM host_turns WHERE host = ?",
                                          (host,)).fetchall()
        return max(float(wait), 0.001)  # the turn may have come since the ask: ask again, never take it unasked

    def pause_host(self, host: str, until: str, reason: str) -> None:
        self._write("INSERT INTO host_pauses (host, until, reason) VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE"
                    f" SET until = {self._LATER}(host_pauses.until, excluded.until), reason = excluded.reason",
                    (host, until, reason))

    def host_pauses(self, now: str) -> dict[str, tuple[str, str]]:
        rows = self._db.execute("SELECT host, until, reason FROM host_pauses WHERE until > ?", (now,)).fetchall()
        return {host: (until, reason) for host, until, reason in rows}

    # Documents

    def save_document(
        self,
        article: Article,
        annotations: Annotations,
        source_id: int | None,
        fetched_at: str,
        content_hash: str,
        url_id: int | None = None,
        warc: WarcLocation | None = None,
        nlp_note: str | None = None,
        signature: Signature | None = None,
    ) -> tuple[int, bool]:
        with self._transaction():
            if self._LOCK:  # writers of one text take turns (its hash is not unique: see update_document)
                self._db.execute(self._LOCK, (f"content {content_hash}",))
            row = self._stored_as(article.canonical_url, content_hash)
            created = False
            if row is None:
                cur = self._db.execute(
                    "INSERT INTO documents (url, canonical_url, source_id, title, authors, published, fetched_at,"
                    " language, text, content_hash, warc_file, warc_offset, warc_length, modified, published_offset,"
                    " provenance, nlp_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (canonical_url) DO NOTHING RETURNING id",
                    (article.url, article.canonical_url, source_id, article.title, json.dumps(list(article.authors)),
                     article.published, fetched_at, article.language, article.text, content_hash,
                     warc.file if warc else None, warc.offset if warc else None, warc.length if warc else None,
                     article.modified, article.published_offset, json.dumps(article.provenance), nlp_note),
                )
                inserted = cur.fetchall()  # all: SQLite ends a RETURNING statement when read out
                created = bool(inserted)
                # else another writer stored this URL (with another text) since: that document is this one
                row = (inserted[0][0], article.canonical_url) if created else self._stored_as(article.canonical_url)
            assert row is not None
            document_id = int(row[0])
            if created:
                self._insert_annotations(document_id, annotations)
                self._join_cluster(document_id, signature)
            elif article.canonical_url != row[1]:  # the same text at another URL
                self._db.execute("INSERT INTO document_urls (document_id, url, seen_at) VALUES (?, ?, ?)"
                                 " ON CONFLICT (url) DO NOTHING", (document_id, article.canonical_url, fetched_at))
            if url_id is not None:
                self._mark_analysed(url_id, fetched_at, document_id)
        return document_id, created

    def _stored_as(self, canonical_url: str, content_hash: str | None = None) -> Sequence[Any] | None:
        """(id, canonical URL) of the document stored at a URL, else of the first with the same text."""
        found: Sequence[Any] | None = self._db.execute(
            "SELECT id, canonical_url FROM documents WHERE canonical_url = ?", (canonical_url,)).fetchone()
        if found is None and content_hash is not None:
            found = self._db.execute("SELECT id, canonical_url FROM documents WHERE content_hash = ? ORDER BY id"
                                     " LIMIT 1", (content_hash,)).fetchone()
        return found

    def _join_cluster(self, document_id: int, signature: Signature | None) -> None:
        """Put a new document in the cluster of its most similar earlier document (LSH candidates, confirmed
        by estimated similarity), or in a cluster of its own."""
        cluster = document_id
        if signature is not None:
            buckets = signature.buckets
            if self._LOCK:  # near-duplicates stored at once take turns, so the later one sees the earlier
                for bucket in sorted(set(buckets)):  # (always in one order: no two writers wait for each other)
                    self._db.execute(self._LOCK, (f"bucket {bucket}",))
            found = self._db.execute(
                "SELECT m.document_id, m.signature, d.cluster_id FROM minhashes m"
                " JOIN documents d ON d.id = m.document_id WHERE m.document_id IN"
                f" (SELECT document_id FROM lsh_buckets WHERE bucket IN ({', '.join(['?'] * len(buckets))}))",
                buckets,
            ).fetchall()
            scored = [(dedup.similarity(signature.values, Signature.values_from(blob)), -other, cluster_id)
                      for other, blob, cluster_id in found]
            best = max(scored, default=None)
            if best is not None and best[0] >= dedup.THRESHOLD:
                cluster = best[2]
            self._db.execute("INSERT INTO minhashes (document_id, signature) VALUES (?, ?)",
                             (document_id, signature.to_bytes()))
            self._db.executemany("INSERT INTO lsh_buckets (bucket, document_id) VALUES (?, ?)",
                                 [(bucket, document_id) for bucket in buckets])
        self._db.execute("UPDATE documents SET cluster_id = ? WHERE id = ?", (cluster, document_id))

    def clusters(self, cluster_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        if not cluster_ids:
            return {}
        marks = ", ".join("?" * len(cluster_ids))
        rows = self._db.execute(
            "SELECT d.cluster_id, (SELECT o.id FROM documents o WHERE o.cluster_id = d.cluster_id"
            "  ORDER BY COALESCE(o.published, o.fetched_at), o.id LIMIT 1), COUNT(*)"
            f" FROM documents d WHERE d.cluster_id IN ({marks}) GROUP BY d.cluster_id",
            list(cluster_ids),
        ).fetchall()
        return {int(c): (int(original), int(n)) for c, original, n in rows}

    def cluster_members(self, cluster_id: int) -> list[int]:
        rows = self._db.execute("SELECT id FROM documents WHERE cluster_id = ? ORDER BY id", (cluster_id,)).fetchall()
        return [r[0] for r in rows]

    def other_urls(self, document_id: int) -> list[str]:
        rows = self._db.execute("SELECT url FROM document_urls WHERE document_id = ? ORDER BY seen_at",
                                (document_id,)).fetchall()
        return [r[0] for r in rows]

    def _insert_annotations(self, document_id: int, annotations: Annotations) -> None:
        data = annotations.to_dict()
        for table, columns in _ANNOTATION_TABLES.items():
            names = _column_names(columns)
            marks = ", ".join("?" * (len(names) + 2))
            self._db.executemany(
                f"INSERT INTO {table} (document_id, seq, {columns}) VALUES ({marks})",
                [(document_id, seq, *(json.dumps(record[n]) if n in _JSON_COLUMNS and record[n] is not None
                                      else record[n] for n in names)) for seq, record in enumerate(data[table])],
            )

    def update_document(self, document_id: int, article: Article, annotations: Annotations, content_hash: str,
                        nlp_note: str | None = None) -> None:
        with self._transaction():
            self._db.execute(
                "UPDATE documents SET title = ?, authors = ?, published = ?, language = ?, text = ?, content_hash = ?,"
                " modified = ?, published_offset = ?, provenance = ?, nlp_note = ?, indexed = 0 WHERE id = ?",
                (article.title, json.dumps(list(article.authors)), article.published, article.language, article.text,
                 content_hash, article.modified, article.published_offset, json.dumps(article.provenance), nlp_note,
                 document_id),
            )
            for table in _ANNOTATION_TABLES:
                self._db.execute(f"DELETE FROM {table} WHERE document_id = ?", (document_id,))
            self._insert_annotations(document_id, annotations)

    def _document(self, row: Sequence[Any], annotations: Annotations | None = None) -> Document:
        return Document(
            id=row[0], url=row[1], canonical_url=row[2], source_id=row[3], source=row[4], title=row[5],
            authors=tuple(json.loads(row[6])), published=row[7], fetched_at=row[8], language=row[9], text=row[10],
            content_hash=row[11], annotations=annotations or Annotations(),
            warc=WarcLocation(row[12], row[13], row[14]) if row[12] else None,
            cluster_id=row[15], modified=row[16], published_offset=row[17], provenance=json.loads(row[18] or "{}"),
            nlp_note=row[19],
        )

    def _annotations(self, document_id: int) -> Annotations:
        return self.annotations_for([document_id])[document_id]

    def annotations_for(self, ids: Sequence[int]) -> dict[int, Annotations]:
        found: dict[int, dict[str, list[dict[str, Any]]]] = {i: {t: [] for t in _ANNOTATION_TABLES} for i in ids}
        for table, columns in _ANNOTATION_TABLES.items():
            names = _column_names(columns)
            for doc_id, *row in self._rows_for(f"SELECT document_id, {columns} FROM {table} WHERE document_id IN", ids,
                                               f"ORDER BY document_id, {self._STORED_ORDER}"):
                found[doc_id][table].append({n: json.loads(v) if n in _JSON_COLUMNS and v is not None else v
                                             for n, v in zip(names, row, strict=True)})
        return {i: Annotations.from_dict(tables) for i, tables in found.items()}

    _FROM = "FROM documents d LEFT JOIN sources s ON s.id = d.source_id"

    def get_document(self, document_id: int) -> Document | None:
        row = self._db.execute(f"SELECT {_DOC_COLUMNS} {self._FROM} WHERE d.id = ?", (document_id,)).fetchone()
        return self._document(row, self._annotations(document_id)) if row else None

    def get_documents(self, ids: Sequence[int]) -> dict[int, Document]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self._db.execute(f"SELECT {_DOC_COLUMNS} {self._FROM} WHERE d.id IN ({marks})", list(ids)).fetchall()
        return {r[0]: self._document(r) for r in rows}

    def _rows_for(self, select: str, ids: Sequence[int], order: str = "") -> Iterator[Sequence[Any]]:
        """Rows of `select` (ending in "IN") for the given ids, asked in chunks (a limit on parameters)."""
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            yield from self._db.execute(f"{select} ({', '.join('?' * len(chunk))}) {order}", chunk).fetchall()

    def date_values(self, ids: Sequence[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {i: [] for i in ids}
        for doc_id, value in self._rows_for(
                "SELECT document_id, value FROM dates WHERE value IS NOT NULL AND document_id IN", ids):
            found[doc_id].append(value)
        return found

    def cluster_of(self, ids: Sequence[int]) -> dict[int, int]:
        return {doc_id: cluster for doc_id, cluster in self._rows_for(
            "SELECT id, coalesce(cluster_id, id) FROM documents WHERE id IN", ids)}

    def place_values(self, ids: Sequence[int]) -> dict[int, list[PlaceValue]]:
        found: dict[int, list[PlaceValue]] = {i: [] for i in ids}
        for doc_id, country_code, admin1, geonameid, name in self._rows_for(
                "SELECT document_id, country_code, admin1, geonameid, name FROM places WHERE document_id IN", ids):
            found[doc_id].append((country_code, admin1, geonameid, name))
        return found

    def law_values(self, ids: Sequence[int]) -> dict[int, list[tuple[str, str | None]]]:
        found: dict[int, list[tuple[str, str | None]]] = {i: [] for i in ids}
        for doc_id, name, section in self._rows_for(
                "SELECT document_id, name, section FROM laws WHERE name IS NOT NULL AND document_id IN", ids):
            found[doc_id].append((name, section))
        return found

    def laws_called(self, alias: str) -> list[str]:
        rows = self._db.execute("SELECT name FROM laws WHERE alias = ? AND name IS NOT NULL GROUP BY name "
                                "ORDER BY COUNT(*) DESC", (alias,)).fetchall()
        return [r[0] for r in rows]

    def entity_values(self, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        found: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
        for doc_id, label, text in self._rows_for(
                "SELECT document_id, label, text FROM entities WHERE label IN ('PERSON', 'ORG') AND document_id IN",
                ids):
            found[doc_id].append((label, text))
        return found

    def sources_tagged(self, tag: str) -> list[tuple[int, str]]:
        rows = self._db.execute(f"SELECT s.id, s.url FROM sources s, {self._TAGS} "
                                "WHERE lower(t.value) = lower(?) ORDER BY s.id", (tag.strip(),)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def add_saved_search(self, name: str, query: str, filters: dict[str, str], seen_up_to: int,
                         created_at: str) -> SavedSearch:
        self._write("INSERT INTO saved_searches (name, query, filters, created_at, seen_up_to) VALUES (?, ?, ?, ?, ?)",
                    (name, query, json.dumps(filters, sort_keys=True), created_at, seen_up_to))
        saved = self.get_saved_search(name)
        assert saved is not None
        return saved

    def get_saved_search(self, key: str | int) -> SavedSearch | None:
        column = "id" if isinstance(key, int) else "name"
        row = self._db.execute(f"SELECT {_SAVED_COLUMNS} FROM saved_searches WHERE {column} = ?", (key,)).fetchone()
        return _saved_search(row) if row else None

    def list_saved_searches(self) -> list[SavedSearch]:
        rows = self._db.execute(f"SELECT {_SAVED_COLUMNS} FROM saved_searches ORDER BY name").fetchall()
        return [_saved_search(r) for r in rows]

    def remove_saved_search(self, search_id: int) -> bool:
        return bool(self._write("DELETE FROM saved_searches WHERE id = ?", (search_id,)).rowcount == 1)

    def mark_saved_search_checked(self, search_id: int, seen_up_to: int, checked_at: str) -> None:
        self._write("UPDATE saved_searches SET seen_up_to = ?, checked_at = ? WHERE id = ?",
                    (seen_up_to, checked_at, search_id))

    def max_indexed_document_id(self) -> int:
        return int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM documents WHERE indexed = 1").fetchone()[0])

    def laws_written(self, words: str) -> list[tuple[str, str | None, int]]:
        written = " ".join(words.lower().split())
        rows = self._db.execute(
            "SELECT name, section, COUNT(*) FROM laws WHERE name IS NOT NULL AND lower(text) IN (?, ?) "
            "GROUP BY name, section ORDER BY COUNT(*) DESC, name", (written, f"the {written}")).fetchall()
        if not rows:
            pattern = "%" + written.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self._db.execute(
                "SELECT name, NULL, COUNT(*) FROM laws WHERE lower(name) LIKE ? ESCAPE '\\' "
                "GROUP BY name ORDER BY COUNT(*) DESC, name", (pattern,)).fetchall()
        return [(r[0], r[1], int(r[2])) for r in rows]

    def unindexed_documents(self, limit: int) -> list[Document]:
        rows = self._db.execute(
            f"SELECT {_DOC_COLUMNS} {self._FROM} WHERE d.indexed = 0 ORDER BY d.id LIMIT ?", (limit,)
        ).fetchall()
        return [self._document(r) for r in rows]

    def iter_documents(self, batch_size: int = 500) -> Iterator[list[Document]]:
        last = 0
        while True:
            rows = self._db.execute(
                f"SELECT {_DOC_COLUMNS} {self._FROM} WHERE d.id > ? ORDER BY d.id LIMIT ?", (last, batch_size)
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [self._document(r) for r in rows]

    def mark_indexed(self, ids: Sequence[int], indexed: bool = True) -> None:
        with self._transaction():
            self._db.executemany("UPDATE documents SET indexed = ? WHERE id = ?", [(int(indexed), i) for i in ids])

    def mark_all_unindexed(self) -> None:
        self._write("UPDATE documents SET indexed = 0")

    def stats(self) -> dict[str, object]:
        def one(sql: str) -> object:
            return self._db.execute(sql).fetchone()[0]

        return {
            "sources": one("SELECT COUNT(*) FROM sources"),
            "feeds": one("SELECT COUNT(*) FROM feeds"),
            "documents": one("SELECT COUNT(*) FROM documents"),
            "documents_unindexed": one("SELECT COUNT(*) FROM documents WHERE indexed = 0"),
            "urls": dict(self._db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state ORDER BY state").fetchall()),
            "dates": one("SELECT COUNT(*) FROM dates"),
            "places": one("SELECT COUNT(*) FROM places"),
            "laws": one("SELECT COUNT(*) FROM laws"),
            "entities": one("SELECT COUNT(*) FROM entities"),
            "first_published": one("SELECT MIN(published) FROM documents"),
            "last_published": one("SELECT MAX(published) FROM documents"),
            "schema_version": self.schema_version,
        }

    def count_documents(self, indexed: bool | None = None) -> int:
        # Only unindexed documents have an index (a partial one): the indexed are counted as all but those.
        everything, unindexed = "SELECT COUNT(*) FROM documents", "SELECT COUNT(*) FROM documents WHERE indexed = 0"
        sql = {None: everything, False: unindexed, True: f"SELECT ({everything}) - ({unindexed})"}[indexed]
        return int(self._db.execute(sql).fetchone()[0])


def _reporting_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` of the store with every database error it raises (while it runs or, for a generator, while it is
    iterated) turned into the backend's one-line StorageError, chained to it."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def generator(self: SQLStore, *args: Any, **kwargs: Any) -> Any:
            try:
                return (yield from method(self, *args, **kwargs))
            except self._errors as exc:
                raise self._storage_error(exc) from exc

        return generator

    @functools.wraps(method)
    def wrapper(self: SQLStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except self._errors as exc:
            raise self._storage_error(exc) from exc

    return wrapper


def report_errors(cls: type) -> None:
    """Wrap every public method and property a class defines, once: no database error (a damaged page, a full
    disk, a lock, a lost connection) leaves the store as anything but a one-line StorageError, methods added
    later included."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_"):
            continue
        if isinstance(member, property) and member.fget is not None:
            setattr(cls, name, property(_reporting_errors(member.fget), member.fset, member.fdel, member.__doc__))
        elif inspect.isfunction(member):
            setattr(cls, name, _reporting_errors(member))


report_errors(SQLStore)
