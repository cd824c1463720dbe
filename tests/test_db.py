"""reader.db on both backends (the `database` fixtures), then what only SQLite or only PostgreSQL does."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from reader.backends.postgresql import MAX_PAYLOAD_BYTES, numbered
from reader.backends.sqlite import SQLiteDatabase
from reader.db import SCHEMA_VERSION, ConflictError, Database, DatabaseError, database_for, describe_target
from tests.conftest import new_pg_database, opened_nodes
from tests.pgcluster import PostgresCluster

pytestmark = pytest.mark.anyio
INSERT = (
    "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at) "
    "VALUES (?, 'en', 'T', '<p>x</p>', '2020-01-01', 'n', 'n')"
)


# ---------------------------------------------------------------- both backends


async def test_a_new_database_is_migrated_once(empty_database_target: str | Path) -> None:
    db = database_for(empty_database_target)
    assert await db.open() is True
    await db.close()
    again = database_for(empty_database_target)
    assert await again.open() is False
    try:
        assert await again.fetch_all("SELECT * FROM articles") == []
    finally:
        await again.close()


async def test_rows_are_mappings(database: Database) -> None:
    async with database.transaction() as tx:
        assert await tx.execute(INSERT, ("a",)) == 1
        row = await tx.fetch_one("SELECT slug, version FROM articles WHERE slug = ?", ("a",))
        assert row == {"slug": "a", "version": 1}
    assert await database.fetch_all("SELECT slug FROM articles") == [{"slug": "a"}]
    assert await database.fetch_one("SELECT slug FROM articles WHERE slug = ?", ("none",)) is None


async def test_execute_counts_the_rows_it_changed(database: Database) -> None:
    async with database.transaction() as tx:
        await tx.execute_many(INSERT, [("a",), ("b",), ("c",)])
        assert await tx.execute("UPDATE articles SET version = version + 1 WHERE slug <> ?", ("a",)) == 2
        assert await tx.execute("DELETE FROM articles WHERE slug = ?", ("none",)) == 0


async def test_a_failed_transaction_writes_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            await tx.execute(INSERT, ("a",))
            raise RuntimeError("boom")
    assert await database.fetch_all("SELECT * FROM articles") == []


async def test_a_broken_uniqueness_rule_is_a_conflict_and_writes_nothing(database: Database) -> None:
    async with database.transaction() as tx:
        await tx.execute(INSERT, ("a",))
    with pytest.raises(ConflictError):
        async with database.transaction() as tx:
            await tx.execute(INSERT, ("b",))
            await tx.execute(INSERT, ("a",))
    assert await database.fetch_all("SELECT slug FROM articles") == [{"slug": "a"}]


async def test_account_names_are_unique_whatever_their_case(database: Database) -> None:
    async with database.transaction(touches=()) as tx:
        await tx.execute("INSERT INTO users (name, password_hash, created_at) VALUES ('Mai', 'h', 'n')")
    with pytest.raises(ConflictError):
        async with database.transaction(touches=()) as tx:
            await tx.execute("INSERT INTO users (name, password_hash, created_at) VALUES ('mAI', 'h', 'n')")


async def test_concurrent_writers_lose_nothing(database: Database) -> None:
    async def bump(number: int) -> None:
        async with database.transaction() as tx:
            await tx.execute(INSERT, (f"a{number}",))
            await asyncio.sleep(0)
            await tx.execute("UPDATE articles SET version = version + 1 WHERE slug = ?", (f"a{number}",))

    await asyncio.gather(*(bump(n) for n in range(30)))
    rows = await database.fetch_all("SELECT version FROM articles")
    assert len(rows) == 30 and {row["version"] for row in rows} == {2}


async def test_commits_move_the_change_counters_they_name(database: Database) -> None:
    async with database.transaction(touches=()):
        pass
    assert (database.generation, database.any_key_version, database.key_versions) == (0, 0, {})
    async with database.transaction(touches=["a", "b"]):
        pass
    assert (database.generation, database.any_key_version, database.key_versions) == (0, 1, {"a": 1, "b": 1})
    async with database.transaction():
        pass
    assert database.generation == 1


async def test_another_connections_commit_moves_the_counters(database_target: str | Path) -> None:
    """What one node (or process) commits, another one's watcher notices: by key on PostgreSQL (each
    commit announces its slugs), as a new generation on SQLite (data_version says only "something")."""
    async with opened_nodes(database_target) as (watching, writing), _watched(watching, 0.01):
        before = (watching.generation, dict(watching.key_versions))
        async with writing.transaction(touches=["a"]) as tx:
            await tx.execute(INSERT, ("a",))
        await _wait_for(lambda: (watching.generation, watching.key_versions) != before)
        if watching.dialect == "postgresql":
            assert watching.generation == before[0] and watching.key_versions == {"a": 1}
        else:
            assert watching.generation > before[0]


async def test_a_newer_schema_is_refused(database_target: str | Path) -> None:
    if isinstance(database_target, Path):
        with sqlite3.connect(database_target) as conn:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.close()
    else:
        conn = await asyncpg.connect(database_target)
        await conn.execute("UPDATE reader_schema SET version = $1", SCHEMA_VERSION + 1)
        await conn.close()
    with pytest.raises(DatabaseError, match=f"schema version {SCHEMA_VERSION + 1} is newer than this reader"):
        await database_for(database_target).open()


@asynccontextmanager
async def _watched(db: Database, interval: float = 0.25) -> AsyncIterator[None]:
    """db.watch_changes running, and started (PostgreSQL: listening, which moves the generation once)."""
    watcher = asyncio.create_task(db.watch_changes(interval))
    try:
        if db.dialect == "postgresql":
            await _wait_for(lambda: db.generation > 0)
        else:
            await asyncio.sleep(0.05)
        yield
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)


async def _wait_for(condition: object, timeout: float = 10) -> None:
    assert callable(condition)
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not within the deadline"
        await asyncio.sleep(0.01)


# ---------------------------------------------------------------- SQLite


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "new.db")
    await db.open()
    try:
        assert await db.fetch_one("PRAGMA journal_mode") == {"journal_mode": "wal"}
        assert await db.fetch_one("PRAGMA user_version") == {"user_version": SCHEMA_VERSION}
        assert await db.fetch_one("PRAGMA busy_timeout") == {"timeout": 5000}
    finally:
        await db.close()


async def test_sqlite_readers_cannot_write(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "r.db")
    await db.open()
    try:
        with pytest.raises(sqlite3.OperationalError):
            await db.fetch_all("DELETE FROM articles")
    finally:
        await db.close()


async def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        await SQLiteDatabase(path).open()
    assert path.read_bytes() == before
    assert not (tmp_path / "notes.db-wal").exists()


async def test_a_newer_sqlite_schema_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer than this reader understands"):
        await SQLiteDatabase(path).open()
    assert path.read_bytes() == before


async def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        await SQLiteDatabase(tmp_path / "missing" / "reader.db").open()


async def test_data_version_moves_when_another_connection_commits(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "dv.db", read_connections=1)
    await db.open()
    try:
        before = await db.data_version()
        with sqlite3.connect(tmp_path / "dv.db") as other:
            other.execute(INSERT, ("x",))
        other.close()
        assert await db.data_version() != before
    finally:
        await db.close()


async def test_a_schema_of_version_2_is_brought_up_to_date(tmp_path: Path) -> None:
    """A database written by the release before login_failures existed keeps its data and gains the table."""
    from reader.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        for migration in MIGRATIONS[:2]:
            for statement in migration.sqlite:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 2")
        conn.execute(INSERT, ("kept",))
    conn.close()
    db = SQLiteDatabase(path)
    assert await db.open() is False
    try:
        assert await db.fetch_all("SELECT slug FROM articles") == [{"slug": "kept"}]
        assert await db.fetch_all("SELECT * FROM login_failures") == []
    finally:
        await db.close()


# ---------------------------------------------------------------- PostgreSQL


def test_placeholders_are_numbered_outside_quoted_strings() -> None:
    assert numbered("SELECT ? , '?', 'it''s ?', ?") == "SELECT $1 , '?', 'it''s ?', $2"


def test_urls_are_shown_without_their_password() -> None:
    assert describe_target("postgresql://reader:s3cret@db.example:6543/site?sslmode=require") == (
        "postgresql://reader@db.example:6543/site"
    )
    assert describe_target(Path("reader.db")) == "reader.db"


async def test_an_unreachable_server_is_one_line_naming_the_host() -> None:
    from tests.pgcluster import free_port

    port = free_port()
    with pytest.raises(DatabaseError) as caught:
        await database_for(f"postgresql://reader:pw@127.0.0.1:{port}/site").open()
    message = str(caught.value)
    assert "\n" not in message and "pw" not in message
    assert f"cannot connect to PostgreSQL at 127.0.0.1:{port} (connection refused" in message


async def test_a_missing_database_is_one_line_too(pg_cluster: PostgresCluster) -> None:
    with pytest.raises(DatabaseError, match='cannot connect to PostgreSQL at .*"no_such_site" does not exist'):
        await database_for(pg_cluster.url("no_such_site")).open()


async def test_sslmode_is_honoured(pg_cluster: PostgresCluster) -> None:
    """The test cluster has no TLS: sslmode=require must refuse it, sslmode=disable must not."""
    url = pg_cluster.url("postgres")
    with pytest.raises(DatabaseError, match="SSL"):
        await database_for(url + "?sslmode=require").open()
    plain = database_for(pg_cluster.url("reader_template") + "?sslmode=disable")
    assert await plain.open() is False
    await plain.close()


async def test_nodes_starting_together_migrate_once(pg_cluster: PostgresCluster) -> None:
    url = new_pg_database(pg_cluster, migrated=False)
    nodes = [database_for(url) for _ in range(4)]  # opened at once: they race to migrate
    try:
        created = await asyncio.gather(*(node.open() for node in nodes))
        assert sorted(created) == [False, False, False, True]
    finally:
        for node in nodes:
            await node.close()


async def test_a_long_list_of_touched_keys_is_announced_as_everything(pg_cluster: PostgresCluster) -> None:
    async with opened_nodes(new_pg_database(pg_cluster)) as (watching, writing), _watched(watching):
        generation = watching.generation
        many = [f"slug-{n:05d}-" + "x" * 60 for n in range(MAX_PAYLOAD_BYTES // 60)]
        async with writing.transaction(touches=many):
            pass
        await _wait_for(lambda: watching.generation > generation)
        assert watching.key_versions == {}
