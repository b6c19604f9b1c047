"""The PostgreSQL store's own behaviour: its schema is made by `db upgrade` only (once, however many run it at
once), a database of another version is refused with what to do, and its errors are one line without the
password (what both backends share is in test_store_contract.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from newscorpus.corpus import open_store
from newscorpus.corpus import postgres
from newscorpus.cli import cli
from newscorpus.config import Settings, masked
from newscorpus.corpus.postgres import SCHEMA_VERSION, PostgresStore, upgrade
from newscorpus.errors import StorageError
from tests.postgres import fresh_database


def test_postgres_schema_is_made_by_upgrade_not_by_opening(postgres_cluster: str) -> None:
    with fresh_database(postgres_cluster) as url:
        with pytest.raises(StorageError, match="no newscorpus schema.*newscorpus db upgrade"):
            PostgresStore(url)
        with psycopg.connect(url) as connection:  # opening created nothing
            assert connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
        assert upgrade(url) == (0, SCHEMA_VERSION)
        assert upgrade(url) == (SCHEMA_VERSION, SCHEMA_VERSION)
        store = PostgresStore(url)
        assert store.schema_version == SCHEMA_VERSION
        store.close()


def test_postgres_concurrent_upgrades_apply_each_migration_once(postgres_cluster: str) -> None:
    with fresh_database(postgres_cluster) as url:
        results: list[tuple[int, int]] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                results.append(upgrade(url))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        assert sorted(results) == [(0, SCHEMA_VERSION)] + [(SCHEMA_VERSION, SCHEMA_VERSION)] * 2


def test_postgres_a_failed_migration_leaves_the_database_as_it_was(postgres_cluster: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with fresh_database(postgres_cluster) as url:
        upgrade(url)
        broken = [*postgres.MIGRATIONS, (SCHEMA_VERSION + 1, "CREATE TABLE extra (x INTEGER); INSERT INTO nowhere VALUES (1);")]
        monkeypatch.setattr(postgres, "MIGRATIONS", broken)
        monkeypatch.setattr(postgres, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
        with pytest.raises(StorageError, match="nowhere"):
            upgrade(url)
        monkeypatch.undo()
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT to_regclass('extra')").fetchone() == (None,)
        store = PostgresStore(url)
        assert store.schema_version == SCHEMA_VERSION
        store.close()


def test_postgres_refuses_a_database_of_a_newer_newscorpus(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("UPDATE newscorpus_schema SET version = version + 1")
    with pytest.raises(StorageError, match="newer newscorpus"):
        PostgresStore(postgres_url)
    with pytest.raises(StorageError, match="newer newscorpus"):
        upgrade(postgres_url)


def test_postgres_errors_are_one_line_and_never_show_the_password(postgres_cluster: str, tmp_path: Path) -> None:
    socket_dir = tmp_path / "nothing-listens-here"
    socket_dir.mkdir()
    url = f"postgresql://newscorpus:s3cret-word@/corpus?host={socket_dir}&port=5999"
    with pytest.raises(StorageError) as raised:
        open_store(tmp_path, database_url=url)
    message = str(raised.value)
    assert "\n" not in message and "s3cret-word" not in message and "cannot reach the database" in message
    assert masked(url) == f"postgresql://newscorpus:***@/corpus?host={socket_dir}&port=5999"
    for written in ("host=/tmp user=u password=s3cret dbname=x", "host=/tmp password='s3 cret' user=u",
                    "host=/tmp password=s3 cret user=u", "postgresql://u@db/x?password=s3cret&sslmode=require",
                    "postgresql://u:s3%20cret@db/x"):
        assert "s3" not in masked(written) and "cret" not in masked(written), written
        assert "s3" not in repr(Settings(database_url=written))
    for unparsable in ("postgresql://u:s3 cret@db/x", "host=/tmp password=s3cret port=notaport"):
        with pytest.raises(StorageError) as raised:  # libpq quotes what it cannot parse: not the password
            open_store(tmp_path, database_url=unparsable)
        assert "s3" not in str(raised.value) and "\n" not in str(raised.value)


def test_postgres_database_url_is_never_taken_from_the_command_line_nor_printed(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_cli import run

    refused = CliRunner().invoke(cli, ["--data", str(tmp_path), "--setting", "database_url",
                                       "postgresql://u:s3cret@db/x", "settings"])
    assert refused.exit_code == 2 and "not taken from --setting" in refused.stderr and "s3cret" not in refused.output
    monkeypatch.setenv("NEWSCORPUS_DATABASE_URL", "postgresql://u:s3cret@db/x")
    shown = run(tmp_path, "settings")
    assert shown.exit_code == 0 and "postgresql://u:***@db/x" in shown.stdout and "s3cret" not in shown.output
