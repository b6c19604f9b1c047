"""SQLite backend of the corpus store: one file in the data directory, WAL mode, one writer at a time. The
embedded default: nothing to set up, and a new or older database is brought to the current schema on open."""

from __future__ import annotations

import os
import shlex
import sqlite3
from pathlib import Path

from newscorpus.corpus.sql import MIGRATIONS, SCHEMA_VERSION, SQLStore, report_errors
from newscorpus.errors import StorageError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SQLiteStore", "file_schema_version", "storage_error"]


class SQLiteStore(SQLStore):
    """The corpus in one SQLite file. Use from one thread; it is the single writer."""

    _errors = (sqlite3.Error,)
    _BEGIN = "BEGIN IMMEDIATE"  # take the write lock now: a later upgrade from reading to writing could deadlock
    _STORED_ORDER = "seq, rowid"  # rows stored before the seq column have seq 0, and rowid keeps their order

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """Open (creating and migrating as needed) the database at `path`. Read-only, nothing is written: the
        file is opened with `mode=ro`, or, where its WAL index cannot be created (a read-only directory),
        as `immutable`. Raises StorageError, naming the file and what to do."""
        self.path = path
        self.read_only = read_only
        try:
            self._db = self._connect()
        except sqlite3.Error as exc:
            raise storage_error(path, exc) from exc
        try:
            self._migrate()
        except sqlite3.Error as exc:
            self._db.close()
            raise storage_error(path, exc) from exc
        except BaseException:
            self._db.close()
            raise

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{self.path} was written by a newer newscorpus (schema {version}, this version knows "
                f"{SCHEMA_VERSION}); upgrade newscorpus to open it"
            )
        if version < SCHEMA_VERSION and self.read_only:
            self._upgrade_for_reading(version)
            return
        for number, sql in MIGRATIONS:
            if number <= version:
                continue
            # The whole step, version bump included, is one transaction: never half-migrated.
            try:
                self._db.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StorageError(f"migrating {self.path} to schema {number} failed: {exc}") from exc

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def _storage_error(self, exc: Exception) -> StorageError:
        assert isinstance(exc, sqlite3.Error)
        return storage_error(self.path, exc)

    def _connect(self) -> sqlite3.Connection:
        # Any thread may use the store, one at a time (the crawler hands it to its worker thread).
        if not self.read_only:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        else:
            uri = self.path.resolve().as_uri()
            db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30,
                                 check_same_thread=False)
            try:
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError as exc:
                if _primary_code(exc) not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
                    db.close()
                    raise
                # Reading a WAL database needs its -shm file, which a read-only directory cannot hold. There
                # nothing can write the database either, so it is read as it is, without locks (the changes of a
                # WAL file left behind by a crash are not seen).
                db.close()
                db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None,
                                     check_same_thread=False)
        db.execute("PRAGMA foreign_keys = ON")
        return db

    def _upgrade_for_reading(self, version: int) -> None:
        """A read-only open of a database of an older newscorpus: upgrade it once where it may be written (as
        any command did before reads were read-only), else say which command does it."""
        if not (_may_write(self.path) and _may_write(self.path.parent)):
            raise StorageError(
                f"{self.path} has the schema of an older newscorpus ({version}; this version uses {SCHEMA_VERSION}) "
                "and cannot be upgraded without write access: run a write command such as `newscorpus reindex` "
                "once with write access to the data directory"
            )
        SQLiteStore(self.path).close()
        self._db.close()
        self._db = self._connect()


def file_schema_version(path: Path) -> int:
    """The schema version of the SQLite file at `path`, read without writing (0 when there is no file).
    Raises StorageError when it cannot be read."""
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise storage_error(path, exc) from exc


def _may_write(path: Path) -> bool:
    """Whether this process, as the user it acts as (its effective ids), may write `path`."""
    return os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids)


def _primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of an error (SQLITE_CORRUPT, ...), without the extended part."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def storage_error(path: Path, exc: sqlite3.Error) -> StorageError:
    """Our one-line error for a SQLite error on the database at `path`: what is wrong with which file, and what
    to do about it."""
    code, reason, quoted = _primary_code(exc), str(exc), shlex.quote(str(path))
    if code == sqlite3.SQLITE_CORRUPT:
        return StorageError(f"{path} is damaged ({reason}): restore it from a backup, or recover what is readable "
                            f"with `sqlite3 {quoted} .recover | sqlite3 recovered.sqlite3`")
    if code == sqlite3.SQLITE_NOTADB:
        return StorageError(f"cannot open {path}: it is not a SQLite database ({reason}); restore it from a backup, "
                            "or move it away to start a new corpus")
    if code == sqlite3.SQLITE_READONLY:
        return StorageError(f"{path} is read-only ({reason}): run this command with write access to the file "
                            "and its directory")
    if code == sqlite3.SQLITE_FULL:
        return StorageError(f"the disk holding {path} is full: free space and run the command again")
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageError(f"{path} is busy: another process is writing it (a crawl or watch?); run the command "
                            "again when it is done")
    if code == sqlite3.SQLITE_IOERR:
        return StorageError(f"cannot read or write {path} ({reason}): check the disk, then the database with "
                            f"`sqlite3 {quoted} 'PRAGMA integrity_check'`")
    if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
        return StorageError(f"cannot open {path} ({reason}): check that you may read it and write its directory")
    return StorageError(f"the corpus database {path} failed: {reason}")


report_errors(SQLiteStore)
