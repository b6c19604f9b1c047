"""Damaged and unusual data directories: every command survives them with one clear line.

A damaged or foreign database file, a lost, emptied or outdated search index, a mistyped --data, a read-only
data directory, an unreadable settings file and a mistyped NEWSCORPUS_* variable. The corpus is the test site's
three stories, crawled once per module with the real pipeline and copied for each test that changes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from newscorpus import Corpus
from newscorpus.app.indexing import index_pending
from newscorpus.corpus import SearchIndex, open_store
from newscorpus.corpus.index import _VERSION_FILE, INDEX_DIR_NAME
from newscorpus.corpus.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore, storage_error
from newscorpus.corpus.store import DATABASE_NAME
from newscorpus.errors import StorageError
from newscorpus.models import Document
from tests.conftest import LocalSite
from tests.test_cli import one_line_error, run

STRIKE = "Dock workers end week-long strike at Mombasa port"
NOBODY = 65534  # the unprivileged user (and group) root turns into to meet file modes


@pytest.fixture(scope="module")
def template(site: LocalSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("crawled")
    assert run(data, "sources", "add", site.url("/news/")).exit_code == 0
    result = run(data, "crawl")
    assert result.exit_code == 0 and "3 new" in result.stdout, result.output
    return data


@pytest.fixture
def corpus(template: Path, tmp_path: Path) -> Path:
    """A copy of the crawled corpus, for a test to damage."""
    return Path(shutil.copytree(template, tmp_path / "data"))


def _overwrite_pages(database: Path, pages: Callable[[sqlite3.Connection], Iterable[int]]) -> None:
    """Random bytes over whole pages (numbered from 1) of a SQLite file, as a failing disk would leave them."""
    db = sqlite3.connect(database)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself, none in the WAL
    size = db.execute("PRAGMA page_size").fetchone()[0]
    chosen = list(pages(db))
    db.close()
    garbage = random.Random(7)
    with database.open("r+b") as file:
        for page in chosen:
            file.seek((page - 1) * size)
            file.write(garbage.randbytes(size))


def _documents_table(db: sqlite3.Connection) -> list[int]:
    # Only the table: its indexes still count documents, so `reindex` fails half-way through its rebuild.
    return [db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'documents'").fetchone()[0]]


def _after_the_header(db: sqlite3.Connection) -> Iterable[int]:
    return range(2, db.execute("PRAGMA page_count").fetchone()[0] + 1)


def _titles(data: Path, query: str) -> list[str]:
    result = run(data, "search", query, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line)["title"] for line in result.stdout.splitlines()]


def _index_count(data: Path) -> int:
    index = SearchIndex(data, read_only=True)
    try:
        return index.count()
    finally:
        index.close()


def _read_commands(out: Path) -> list[tuple[str, ...]]:
    """Every read command, an export writing into `out`."""
    return [("stats",), ("show", "1"), ("search", "dock"), ("export", "-o", str(out / "f.jsonl")), ("sources", "list"),
            ("sources", "export")]


# A damaged or foreign database


@pytest.mark.parametrize("pages", [_documents_table, _after_the_header], ids=["documents-table", "every-page"])
def test_cli_damaged_database_is_one_line_in_every_command(
        corpus: Path, tmp_path: Path, pages: Callable[[sqlite3.Connection], Iterable[int]]) -> None:
    _overwrite_pages(corpus / DATABASE_NAME, pages)
    for args in [("stats",), ("show", "1"), ("search", "dock"), ("export", "-o", str(tmp_path / "f.jsonl")),
                 ("reindex",)]:
        line = one_line_error(run(corpus, *args))
        assert f"{corpus / DATABASE_NAME} is damaged" in line and ".recover" in line, args
    # reindex failed (for the documents table, half-way through its rebuild): the old index is whole, and no
    # half-built one is left behind.
    assert _index_count(corpus) == 3
    assert sorted(p.name for p in corpus.iterdir() if p.name.startswith(INDEX_DIR_NAME)) == [INDEX_DIR_NAME]


def test_cli_file_that_is_not_a_database_is_one_line(corpus: Path, tmp_path: Path) -> None:
    (corpus / DATABASE_NAME).write_text("not a database\n" * 500)
    for args in [*_read_commands(tmp_path), ("reindex",), ("crawl",)]:
        line = one_line_error(run(corpus, *args))
        assert f"cannot open {corpus / DATABASE_NAME}: it is not a SQLite database" in line, args


def test_store_methods_raise_storage_error_on_a_damaged_database(corpus: Path) -> None:
    _overwrite_pages(corpus / DATABASE_NAME, _documents_table)
    store = open_store(corpus)
    calls: list[Callable[[], object]] = [
        store.stats, lambda: store.get_document(1), lambda: store.get_documents([1, 2]),
        lambda: next(store.iter_documents()),  # a generator: the error comes while it is iterated
        store.mark_all_unindexed,
    ]
    for call in calls:
        with pytest.raises(StorageError, match="is damaged") as caught:
            call()
        assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    store.close()


def _full(path: Path) -> sqlite3.Error:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x BLOB)")
    db.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.Error) as caught:
        db.execute("INSERT INTO t VALUES (zeroblob(100000))")
    return caught.value


def _busy(path: Path) -> sqlite3.Error:
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.Error) as caught:
        sqlite3.connect(path, timeout=0, isolation_level=None).execute("BEGIN IMMEDIATE")
    return caught.value


def _read_only(path: Path) -> sqlite3.Error:
    sqlite3.connect(path).execute("CREATE TABLE t (x)")
    with pytest.raises(sqlite3.Error) as caught:
        sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True).execute("INSERT INTO t VALUES (1)")
    return caught.value


def _not_a_database(path: Path) -> sqlite3.Error:
    path.write_text("hello\n" * 500)
    with pytest.raises(sqlite3.Error) as caught:
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master")
    return caught.value


@pytest.mark.parametrize(("make", "says"), [
    (_full, "the disk holding {path} is full: free space and run the command again"),
    (_busy, "{path} is busy: another process is writing it"),
    (_read_only, "{path} is read-only (attempt to write a readonly database): run this command with write access"),
    (_not_a_database, "cannot open {path}: it is not a SQLite database"),
])
def test_storage_error_says_what_happened_to_which_file_and_what_to_do(
        tmp_path: Path, make: Callable[[Path], sqlite3.Error], says: str) -> None:
    path = tmp_path / DATABASE_NAME
    assert says.format(path=path) in str(storage_error(path, make(path)))


# The search index: lost, emptied, outdated, and rebuilt beside the old one


def test_cli_deleted_index_says_reindex_and_a_crawl_repairs_it(corpus: Path, tmp_path: Path) -> None:
    shutil.rmtree(corpus / INDEX_DIR_NAME)
    line = one_line_error(run(corpus, "search", "dock"))
    assert f"the search index {corpus / INDEX_DIR_NAME} is missing" in line and "newscorpus reindex" in line
    assert "newscorpus reindex" in one_line_error(run(corpus, "export", "-o", str(tmp_path / "f.jsonl")))
    stats = json.loads(run(corpus, "stats", "--format", "json").stdout)
    assert "is missing" in stats["search_index"] and stats["indexed_in_search"] == 0
    assert not (corpus / INDEX_DIR_NAME).exists()  # read commands create nothing
    assert run(corpus, "crawl").exit_code == 0
    assert STRIKE in _titles(corpus, "dock")
    assert json.loads(run(corpus, "stats", "--format", "json").stdout)["search_index"] == "ok"


def test_indexing_index_pending_refills_an_index_emptied_behind_the_stores_back(corpus: Path) -> None:
    shutil.rmtree(corpus / INDEX_DIR_NAME)
    SearchIndex(corpus).close()  # a valid, empty index, while the store has every document flagged as indexed
    assert "is empty" in one_line_error(run(corpus, "search", "dock"))
    store = open_store(corpus)
    assert index_pending(store, SearchIndex(corpus)) == 3
    store.close()
    assert STRIKE in _titles(corpus, "dock")


def test_cli_index_replaced_by_an_empty_directory_says_reindex_and_reindex_repairs_it(corpus: Path) -> None:
    shutil.rmtree(corpus / INDEX_DIR_NAME)
    (corpus / INDEX_DIR_NAME).mkdir()
    assert "is incomplete" in one_line_error(run(corpus, "search", "dock"))
    assert "indexed 3 document(s)" in run(corpus, "reindex").stdout
    assert STRIKE in _titles(corpus, "dock")


def test_cli_index_of_an_older_version_says_reindex_and_reindex_replaces_it(corpus: Path) -> None:
    (corpus / INDEX_DIR_NAME / _VERSION_FILE).write_text("0")
    line = one_line_error(run(corpus, "search", "dock"))
    assert "was built by another newscorpus (index version 0" in line and "newscorpus reindex" in line
    assert (corpus / INDEX_DIR_NAME / _VERSION_FILE).read_text() == "0"  # a read-only index writes nothing
    assert "indexed 3 document(s)" in run(corpus, "reindex").stdout
    assert STRIKE in _titles(corpus, "dock")
    assert sorted(p.name for p in corpus.iterdir() if p.name.startswith(INDEX_DIR_NAME)) == [INDEX_DIR_NAME]


def test_cli_damaged_index_says_reindex_and_reindex_repairs_it(corpus: Path) -> None:
    (corpus / INDEX_DIR_NAME / "meta.json").write_text("{not json")
    line = one_line_error(run(corpus, "search", "dock"))
    assert f"cannot read the search index {corpus / INDEX_DIR_NAME}" in line and "newscorpus reindex" in line
    stats = json.loads(run(corpus, "stats", "--format", "json").stdout)  # the store's figures still shown
    assert stats["documents"] == 3 and "cannot read the search index" in stats["search_index"]
    assert "indexed 3 document(s)" in run(corpus, "reindex").stdout
    assert STRIKE in _titles(corpus, "dock")


def _doc(doc_id: int, title: str) -> Document:
    return Document(id=doc_id, url=f"https://n.example/{doc_id}", canonical_url=f"https://n.example/{doc_id}",
                    source_id=None, source="Example News", title=title, authors=(), published=None,
                    fetched_at="2026-03-10T10:00:00+00:00", language="en", text=f"{title}. More text.", content_hash="h")


DOCS = [_doc(1, "Court suspends cybercrime law"), _doc(2, "Floods in Punjab"), _doc(3, "Glaciers melting")]


def test_search_index_rebuild_that_fails_leaves_the_old_index(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    index.add(DOCS)
    with pytest.raises(RuntimeError), index.rebuilding() as fresh:
        fresh.add(DOCS[:1])
        assert (tmp_path / "index.new").is_dir() and index.count() == 3  # built beside, while the old one serves
        raise RuntimeError("the store failed half-way")
    assert index.count() == 3 and _index_count(tmp_path) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [INDEX_DIR_NAME]


def test_search_index_rebuild_replaces_the_old_index_when_complete(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    index.add(DOCS)
    with index.rebuilding() as fresh:
        fresh.add(DOCS[:2])
    assert index.count() == 2 and _index_count(tmp_path) == 2
    assert [doc_id for doc_id, _ in index.search("punjab")] == [2]
    assert sorted(p.name for p in tmp_path.iterdir()) == [INDEX_DIR_NAME]


def test_search_index_swap_interrupted_between_its_renames_is_restored(tmp_path: Path) -> None:
    SearchIndex(tmp_path).add(DOCS)
    (tmp_path / INDEX_DIR_NAME).rename(tmp_path / "index.old")  # a crash after the first rename of a swap
    assert _index_count(tmp_path) == 3  # read where it is
    assert not (tmp_path / INDEX_DIR_NAME).exists()
    assert SearchIndex(tmp_path).count() == 3  # a writable open puts it back
    assert sorted(p.name for p in tmp_path.iterdir()) == [INDEX_DIR_NAME]


# A missing data directory, settings and the environment


def test_cli_mistyped_data_directory_is_one_line_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    for args in [*_read_commands(tmp_path), ("search", "x"), ("reindex",), ("sources", "remove", "1")]:
        line = one_line_error(run(missing, *args))
        assert f"no newscorpus data directory at {missing}: check --data" in line, args
        assert not missing.exists(), args
    assert run(missing, "sources", "add", "https://a.example/").exit_code == 0  # a command that starts a corpus
    assert json.loads(run(missing, "stats", "--format", "json").stdout)["sources"] == 1


def test_cli_data_directory_without_a_database_is_one_line(tmp_path: Path) -> None:
    for args in _read_commands(tmp_path):
        assert f"no newscorpus database in {tmp_path}" in one_line_error(run(tmp_path, *args)), args
    assert not (tmp_path / DATABASE_NAME).exists()


@pytest.mark.parametrize(("make", "says"), [
    (lambda path: path.mkdir(), "is a directory, not a file"),
    (lambda path: path.write_bytes(b"concurrency = 3 # caf\xe9\n"), "is not UTF-8 text"),
])
def test_cli_unreadable_config_file_is_one_line(tmp_path: Path, make: Callable[[Path], object], says: str) -> None:
    make(tmp_path / "newscorpus.toml")
    result = run(tmp_path, "settings")
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and "Traceback" not in result.output  # a usage error, as for a bad setting
    assert len(lines) == 1 and lines[0].startswith(f"error: the config file {tmp_path / 'newscorpus.toml'} {says}")


def test_cli_unknown_environment_variable_is_a_warning_with_the_closest_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCORPUS_CONCURENCY", "3")
    monkeypatch.setenv("NEWSCORPUS_CACHE", str(tmp_path / "cache"))  # known, though not a setting
    result = run(tmp_path, "settings")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == ["warning: unknown environment variable NEWSCORPUS_CONCURENCY (not a setting; did you mean "
                        "NEWSCORPUS_CONCURRENCY? see `newscorpus settings`)"]


# Read-only data directories


def _digest(data: Path, wal: bool = True) -> dict[str, str]:
    """Every file under `data` with its SHA-256 and modification time (without SQLite's WAL files: `wal` False)."""
    return {str(p.relative_to(data)): f"{hashlib.sha256(p.read_bytes()).hexdigest()} {p.stat().st_mtime_ns}"
            for p in sorted(data.rglob("*")) if p.is_file() and (wal or not p.name.startswith(DATABASE_NAME + "-"))}


def test_cli_read_commands_write_nothing(corpus: Path, tmp_path: Path) -> None:
    before = _digest(corpus)
    for args in [*_read_commands(tmp_path), ("search", "dock", "--facets", "country")]:
        result = run(corpus, *args)
        assert result.exit_code == 0, (args, result.output)
    assert _digest(corpus, wal=False) == before  # the database, the index and its version file untouched


def test_store_opened_read_only_refuses_writes_in_one_line(corpus: Path) -> None:
    store = open_store(corpus, read_only=True)
    assert store.count_documents() == 3
    with pytest.raises(StorageError, match="is read-only"):
        store.add_source("https://new.example/", "site")
    store.close()
    with pytest.raises(StorageError, match="is open read-only"):
        SearchIndex(corpus, read_only=True).add(DOCS)


def _older_database(path: Path) -> None:
    """A database as an older newscorpus left it: every migration but the last."""
    db = sqlite3.connect(path, isolation_level=None)
    for number, sql in MIGRATIONS[:-1]:
        db.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    db.close()


def test_cli_read_command_upgrades_an_older_database_it_may_write(tmp_path: Path) -> None:
    _older_database(tmp_path / DATABASE_NAME)
    assert json.loads(run(tmp_path, "stats", "--format", "json").stdout)["schema_version"] == SCHEMA_VERSION


@contextlib.contextmanager
def _read_only_copy(data: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A copy of `data` that this process may read but not write, as after `chmod -R a-w`, and a directory it
    may write. File modes do not stop root: as root the copy belongs to nobody, whom this process then acts as
    (effective ids, so that it can switch back)."""
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="newscorpus-ro-")) if root else tmp_path / "ro"
    base.mkdir(exist_ok=True)
    copy, out = base / "data", base / "out"
    shutil.copytree(data, copy)
    out.mkdir()
    everything = [base, out, copy, *copy.rglob("*")]
    try:
        if root:
            for path in everything:
                os.chown(path, NOBODY, NOBODY)
        for path in [copy, *copy.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        base.chmod(0o755)
        if root:
            try:
                os.setegid(NOBODY)
                os.seteuid(NOBODY)
            except OSError as exc:
                os.setegid(0)
                pytest.skip(f"cannot act as an unprivileged user here: {exc}")
        try:
            yield copy, out
        finally:
            if root:
                os.seteuid(0)
                os.setegid(0)
    finally:
        for path in [copy, *copy.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if root:
            shutil.rmtree(base)


def test_cli_read_commands_work_in_a_read_only_data_directory(corpus: Path, tmp_path: Path) -> None:
    with _read_only_copy(corpus, tmp_path) as (data, out):
        before = _digest(data)
        assert STRIKE in _titles(data, "dock")  # SQLite's WAL index and tantivy's locks elsewhere
        for args in _read_commands(out):
            result = run(data, *args)
            assert result.exit_code == 0, (args, result.output)
        assert json.loads(run(data, "stats", "--format", "json").stdout)["search_index"] == "ok"
        with Corpus(data) as api:
            assert [hit.title for hit in api.search("dock")] == [STRIKE]
        assert "is read-only" in one_line_error(run(data, "reindex"))
        assert _digest(data) == before


def test_cli_read_command_on_an_older_database_it_may_not_write_says_what_upgrades_it(tmp_path: Path) -> None:
    (tmp_path / "older").mkdir()
    _older_database(tmp_path / "older" / DATABASE_NAME)
    with _read_only_copy(tmp_path / "older", tmp_path) as (data, _):
        line = one_line_error(run(data, "stats"))
        assert f"{data / DATABASE_NAME} has the schema of an older newscorpus" in line
        assert "run a write command such as `newscorpus reindex` once with write access" in line


# The Python API


def test_api_corpus_reads_only_and_says_how_to_repair_a_lost_index(corpus: Path, tmp_path: Path) -> None:
    shutil.rmtree(corpus / INDEX_DIR_NAME)
    before = _digest(corpus, wal=False)
    with pytest.raises(StorageError, match="is missing: run `newscorpus reindex`"):
        Corpus(corpus)
    assert not (corpus / INDEX_DIR_NAME).exists() and _digest(corpus, wal=False) == before  # reading never writes
    assert run(corpus, "reindex").exit_code == 0
    with Corpus(corpus) as api:
        assert [hit.title for hit in api.search("dock")] == [STRIKE]


def test_api_corpus_of_a_mistyped_path_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no newscorpus data directory"):
        Corpus(tmp_path / "nope")
    assert not (tmp_path / "nope").exists()


def test_sqlite_store_read_only_open_of_a_missing_file_is_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot open"):
        SQLiteStore(tmp_path / DATABASE_NAME, read_only=True)
