"""reader.db on both backends (the `database` fixtures), then what only SQLite or only PostgreSQL does."""

from __future__ import annotations

import asyncio
import getpass
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from scripts.pgcluster import PostgresCluster, database_of, postgres_bin

from reader.backends import postgresql
from reader.backends.postgresql import MAX_PAYLOAD_BYTES, PostgresDatabase, numbered
from reader.backends.sqlite import SQLiteDatabase
from reader.db import (
    SCHEMA_VERSION,
    ConflictError,
    Database,
    DatabaseError,
    DatabaseUnavailable,
    Transaction,
    database_for,
    describe_target,
    url_identity,
)
from reader.settings import parse_database
from tests.conftest import eventually, listener_pids, new_pg_database, opened_nodes, sqlite_write_locked
from tests.test_cli import Outcome

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
        await eventually(lambda: (watching.generation, watching.key_versions) != before)
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


async def test_locked_names_serialize_read_then_write_across_nodes(database_target: str | Path) -> None:
    """Read, then write what was read plus one: with the name locked, no node's increment is lost (PostgreSQL's
    READ COMMITTED alone would let two transactions read the same value)."""
    async with opened_nodes(database_target, 3) as nodes:
        async with nodes[0].transaction(touches=()) as tx:
            await tx.execute("INSERT INTO secrets (name, value) VALUES ('counter', '0')")

        async def increment(node: Database) -> None:
            async with node.transaction(touches=()) as tx:
                await tx.lock("counter", "another name")
                row = await tx.fetch_one("SELECT value FROM secrets WHERE name = 'counter'")
                assert row is not None
                await asyncio.sleep(0.001)
                await tx.execute("UPDATE secrets SET value = ? WHERE name = 'counter'", (str(int(row["value"]) + 1),))

        await asyncio.gather(*(increment(nodes[n % 3]) for n in range(24)))
        assert await nodes[0].fetch_one("SELECT value FROM secrets WHERE name = 'counter'") == {"value": "24"}


async def test_a_snapshot_sees_one_moment_while_writers_go_on(database_target: str | Path) -> None:
    async with opened_nodes(database_target) as (reading, writing):
        async with reading.snapshot() as snapshot:
            assert await snapshot.fetch_all("SELECT slug FROM articles") == []
            async with writing.transaction() as tx:  # not kept waiting by the reader
                await tx.execute(INSERT, ("later",))
            assert await snapshot.fetch_all("SELECT slug FROM articles") == []
        assert await reading.fetch_all("SELECT slug FROM articles") == [{"slug": "later"}]


async def test_schema_and_seed_commit_together(empty_database_target: str | Path) -> None:
    """A node that dies while seeding a new database leaves it empty, not migrated and unseeded: the next
    node to start creates and seeds it."""

    async def dying(tx: Transaction) -> None:
        await tx.execute(INSERT, ("half",))
        raise RuntimeError("the node died")

    async def seed(tx: Transaction) -> None:
        await tx.execute(INSERT, ("seeded",))

    with pytest.raises(RuntimeError, match="the node died"):
        await database_for(empty_database_target).open(seed=dying)
    db = database_for(empty_database_target)
    assert await db.open(seed=seed) is True
    try:
        assert await db.fetch_all("SELECT slug FROM articles") == [{"slug": "seeded"}]
    finally:
        await db.close()
    again = database_for(empty_database_target)
    assert await again.open(seed=dying) is False  # an existing database is never seeded
    await again.close()


async def test_a_database_opened_for_reading_must_have_this_schema(empty_database_target: str | Path) -> None:
    with pytest.raises(DatabaseError, match="holds no reader site|no such database file"):
        await database_for(empty_database_target).open_for_reading()
    async with opened_nodes(empty_database_target, 1):
        pass
    db = database_for(empty_database_target)
    await db.open_for_reading()
    try:
        assert await db.fetch_all("SELECT slug FROM articles") == []
    finally:
        await db.close()


@asynccontextmanager
async def _watched(db: Database, interval: float = 0.25) -> AsyncIterator[None]:
    """db.watch_changes running, and started (PostgreSQL: listening, which moves the generation once)."""
    watcher = asyncio.create_task(db.watch_changes(interval))
    try:
        if db.dialect == "postgresql":
            await eventually(lambda: db.generation > 0)
        else:
            await asyncio.sleep(0.05)
        yield
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)


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


async def test_sqlite_a_write_cancelled_while_waiting_for_the_lock_leaves_the_writer_usable(tmp_path: Path) -> None:
    """Cancelled while BEGIN IMMEDIATE waits for another process's lock: that BEGIN still goes through in
    aiosqlite's thread once the lock is free, and must be rolled back, or every later write fails."""
    path = tmp_path / "cancel.db"
    db = SQLiteDatabase(path, busy_timeout_ms=3000)
    await db.open()
    try:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")

        async def write() -> None:
            async with db.transaction() as tx:
                await tx.execute(INSERT, ("cancelled",))

        task = asyncio.create_task(write())
        for _ in range(10):
            await asyncio.sleep(0)  # until the task waits for BEGIN IMMEDIATE
        task.cancel()
        other.execute("ROLLBACK")  # the lock is free: the waiting BEGIN goes through
        other.close()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with db.transaction() as tx:
            await tx.execute(INSERT, ("after",))
        assert await db.fetch_all("SELECT slug FROM articles") == [{"slug": "after"}]
    finally:
        await db.close()


async def test_sqlite_writers_queued_behind_another_process_each_wait_one_busy_timeout(tmp_path: Path) -> None:
    """Six writes asking one after another while another process holds the write lock: each one's wait, for
    this process's lock and then SQLite's, ends one busy timeout after it asked (they answered after 1, 2 …
    6 timeouts: behind a proxy the last ones timed out there instead of getting their 503). Each but the
    first takes this process's lock with part of its timeout left, SQLite's wait shortened to it; then a
    write that does not queue waits a whole timeout again."""
    path = tmp_path / "queued.db"
    busy = 0.5
    db = SQLiteDatabase(path, busy_timeout_ms=int(busy * 1000))
    await db.open()
    loop = asyncio.get_running_loop()

    async def refused_after(slug: str, delay: float = 0) -> float:
        await asyncio.sleep(delay)
        asked = loop.time()
        with pytest.raises(DatabaseUnavailable, match="database is locked"):
            async with db.transaction() as tx:
                await tx.execute(INSERT, (slug,))
        return loop.time() - asked

    try:
        with sqlite_write_locked(path):
            waits = await asyncio.gather(*(refused_after(f"queued-{n}", n * busy / 5) for n in range(6)))
            # A bound the product promises (about one timeout each), generous for a loaded machine.
            assert max(waits) < 2.5 * busy, waits
            assert await refused_after("alone") >= busy
        async with db.transaction() as tx:
            await tx.execute(INSERT, ("after",))
        assert await db.fetch_all("SELECT slug FROM articles") == [{"slug": "after"}]
    finally:
        await db.close()


async def test_sqlite_a_refused_commit_is_rolled_back(tmp_path: Path) -> None:
    """A COMMIT that SQLite refuses (here a deferred foreign key) leaves the transaction open: it must be
    rolled back, writing nothing, and the writer must take the next transaction."""
    db = SQLiteDatabase(tmp_path / "commit.db")
    await db.open()
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            async with db.transaction(touches=()) as tx:
                await tx.execute("PRAGMA defer_foreign_keys = ON")
                await tx.execute(
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
                    "VALUES ('t', 999, 'c', 'n', 'n')"
                )
        async with db.transaction() as tx:
            await tx.execute(INSERT, ("after",))
        assert await db.fetch_all("SELECT * FROM sessions") == []
        assert await db.fetch_all("SELECT slug FROM articles") == [{"slug": "after"}]
    finally:
        await db.close()


async def test_sqlite_opened_for_reading_leaves_the_file_as_it_is(tmp_path: Path) -> None:
    """No WAL switch, no migration, no write: an older schema is refused with one line, untouched."""
    path = tmp_path / "old.db"
    from reader.migrations import MIGRATIONS

    with sqlite3.connect(path) as conn:
        for statement in MIGRATIONS[0].sqlite:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="schema version 1 is older than this reader's") as refused:
        await SQLiteDatabase(path).open_for_reading()
    assert "\n" not in str(refused.value)
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]


# ---------------------------------------------------------------- PostgreSQL


def test_placeholders_are_numbered_outside_quoted_strings() -> None:
    assert numbered("SELECT ? , '?', 'it''s ?', ?") == "SELECT $1 , '?', 'it''s ?', $2"
    assert numbered("SELECT 'E' || ?, '--' , '$$'") == "SELECT 'E' || $1, '--' , '$$'"


@pytest.mark.parametrize(
    "sql",
    ['SELECT "odd?" FROM t', "SELECT E'\\n?'", "SELECT $$?$$", "SELECT 1 -- why?", "SELECT 1 /* ? */"],
)
def test_sql_where_a_question_mark_may_not_be_a_placeholder_is_refused(sql: str) -> None:
    with pytest.raises(ValueError, match="not numbered"):
        numbered(sql)


def test_urls_are_shown_without_their_password() -> None:
    assert describe_target("postgresql://reader:s3cret@db.example:6543/site?sslmode=require") == (
        "postgresql://reader@db.example:6543/site?sslmode=require"
    )
    # A socket connection says where the socket is; a password given as a parameter is left out as well.
    assert describe_target("postgresql:///site?host=/run/postgresql&password=s3cret&sslpassword=k3y&port=5433") == (
        "postgresql:///site?host=/run/postgresql&port=5433"
    )
    assert describe_target(Path("reader.db")) == "reader.db"


def test_a_urls_identity_is_its_user_hosts_and_database() -> None:
    # reader copy refuses one database under two names: what a URL says beside its database does not count.
    same = [
        "postgresql://reader:pw@db.example/site",
        "postgres://reader@DB.Example:5432/site?sslmode=require&password=other",
        "postgresql://db.example/?user=reader&dbname=site",
        "postgresql://re%61der@db.example/%73ite",
    ]
    assert len({url_identity(url) for url in same}) == 1
    assert url_identity("postgresql://h1,h2/site") == url_identity("postgresql://h2,h1/site")
    # A missing user is the system's (or PGUSER), and a missing name the user's, as libpq has them.
    system = getpass.getuser()
    assert url_identity("postgresql://db.example/site") == url_identity(f"postgresql://{system}@db.example/site")
    assert url_identity("postgresql://db.example") == url_identity(f"postgresql://{system}@db.example/{system}")
    others = [
        "postgresql://reader@db.example/other",
        "postgresql://reader@db.example:5433/site",
        "postgresql://admin@db.example/site",
        "postgresql://reader@/site?host=/run/postgresql",
        "postgresql://reader@/site?host=/tmp",
    ]
    assert len({url_identity(url) for url in [same[0], *others]}) == 1 + len(others)


async def test_an_unreachable_server_is_one_line_naming_the_host() -> None:
    from scripts.pgcluster import free_port

    port = free_port()
    with pytest.raises(DatabaseError) as caught:
        await database_for(f"postgresql://reader:pw@127.0.0.1:{port}/site").open()
    message = str(caught.value)
    assert "\n" not in message and "pw" not in message
    assert f"cannot connect to PostgreSQL at 127.0.0.1:{port} (connection refused" in message


async def test_a_missing_database_is_one_line_too(pg_cluster: PostgresCluster) -> None:
    with pytest.raises(DatabaseError, match='cannot connect to PostgreSQL at .*"no_such_site" does not exist'):
        await database_for(pg_cluster.url("no_such_site")).open()


@pytest.fixture(scope="module")
def tcp_cluster() -> Iterator[PostgresCluster]:
    """A cluster listening on 127.0.0.1 too (with a password), without TLS."""
    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed")
    with PostgresCluster.running(prefix="reader-pg-tcp-", tcp=True) as cluster:
        yield cluster


def test_a_copy_onto_one_database_under_another_host_name_is_refused(tcp_cluster: PostgresCluster) -> None:
    """`reader copy …@127.0.0.1:PORT/site …@localhost:PORT/site --replace` copied the site onto itself: the
    URLs differ, the database is one. Asked of the server, by a role with no privilege beyond its own
    databases; another database on the same server is still a target."""
    from tests.test_cli import reader

    tcp_cluster.psql("CREATE ROLE copier LOGIN PASSWORD 'copier-pw'")
    for name in ("site", "other"):
        tcp_cluster.psql(f"CREATE DATABASE {name} OWNER copier")
    site = f"postgresql://copier:copier-pw@127.0.0.1:{tcp_cluster.port}/site"
    alias = site.replace("@127.0.0.1:", "@localhost:")
    assert reader("migrate", "--db", site).returncode == 0
    done = reader("copy", site, alias, "--replace")
    shown = f"postgresql://copier@127.0.0.1:{tcp_cluster.port}/site is postgresql://copier@localhost:{tcp_cluster.port}/site"
    assert done == Outcome(2, "", f"reader: error: SOURCE and TARGET are the same database ({shown})\n")
    assert tcp_cluster.psql("SELECT count(*) FROM articles", "site") == "3"
    copied = reader("copy", site, alias.replace("/site", "/other"))
    assert copied.returncode == 0 and copied.stdout.startswith("Copied 3 articles"), copied


async def test_the_copys_mark_is_taken_off_the_sources_connection(
    tcp_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source's connection goes back to its pool under the pool's own name. Asked while the source's
    pool is still open: once a `reader copy` process has exited, none of its sessions is left to look at
    (the assertion this replaces, made after the process, could not fail). asyncpg's RESET ALL on release
    would put the name back too: without it here, what is checked is is_same_as's own doing."""

    async def no_reset(self: asyncpg.Connection, *, timeout: float | None = None) -> None:
        return None

    monkeypatch.setattr(asyncpg.Connection, "reset", no_reset)
    site = tcp_cluster.create_database("marked")
    source, target = database_for(site), database_for(site.replace("@127.0.0.1:", "@localhost:"))
    await source.open()
    await target.open()
    try:
        assert await source.is_same_as(target)
        rows = await target.fetch_all(
            "SELECT application_name AS name FROM pg_stat_activity WHERE datname = current_database()"
        )
        names = [row["name"] for row in rows]
        assert not [name for name in names if name.startswith("reader-copy-")], names
        assert names.count(postgresql.POOL_NAME) == len(names), names
    finally:
        await target.close()
        await source.close()


async def test_sslmode_is_honoured(tcp_cluster: PostgresCluster) -> None:
    """The cluster has no TLS: sslmode=require must refuse it, sslmode=disable must not."""
    url = tcp_cluster.url("postgres")
    with pytest.raises(DatabaseError, match="SSL"):
        await database_for(url + "?sslmode=require").open()
    plain = database_for(tcp_cluster.create_database("plain") + "?sslmode=disable")
    assert await plain.open() is True
    await plain.close()


async def test_a_wrong_password_is_one_line_without_it(tcp_cluster: PostgresCluster) -> None:
    url = tcp_cluster.url("postgres").replace(tcp_cluster.password, "not-the-password")
    with pytest.raises(DatabaseError, match="password authentication failed") as refused:
        await database_for(url).open()
    assert "not-the-password" not in str(refused.value) and "\n" not in str(refused.value)


async def test_several_hosts_are_tried_in_turn(tcp_cluster: PostgresCluster) -> None:
    """postgresql://user@h1:p1,h2:p2/db, as asyncpg takes it: the first one down, the second answers."""
    from scripts.pgcluster import free_port

    url = tcp_cluster.url("postgres").replace("@127.0.0.1:", f"@127.0.0.1:{free_port()},127.0.0.1:")
    assert parse_database("READER_DB", url) == url
    db = database_for(url)
    assert await db.open() is True
    await db.close()


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
        await eventually(lambda: watching.generation > generation)
        assert watching.key_versions == {}


async def test_a_migration_announces_everything(pg_cluster: PostgresCluster) -> None:
    """Nodes already running when another migrates (or seeds) the database render afresh."""
    url = new_pg_database(pg_cluster, migrated=False)
    heard: list[str] = []
    listener = await asyncpg.connect(url)
    try:
        await listener.add_listener(postgresql.CHANNEL, lambda *args: heard.append(str(args[3])))
        db = database_for(url)
        await db.open()
        await db.close()
        await eventually(lambda: bool(heard))
    finally:
        await listener.close()
    assert heard[0].endswith(" *")


async def test_a_connection_lost_in_a_transaction_is_unavailable_and_writes_nothing(
    pg_cluster: PostgresCluster,
) -> None:
    url = new_pg_database(pg_cluster)
    async with opened_nodes(url, 1) as (db,):
        with pytest.raises(DatabaseUnavailable):
            async with db.transaction() as tx:
                await tx.execute(INSERT, ("lost",))
                row = await tx.fetch_one("SELECT pg_backend_pid() AS pid")
                assert row is not None
                pg_cluster.psql(f"SELECT pg_terminate_backend({row['pid']})", database_of(url))
                await tx.execute(INSERT, ("after",))
        assert await db.fetch_all("SELECT slug FROM articles") == []


async def test_no_free_connection_in_time_is_unavailable(pg_cluster: PostgresCluster) -> None:
    """Every pooled connection busy (or PostgreSQL not answering): a request waits a bounded time, then gets
    DatabaseUnavailable (a 503) instead of queueing without limit."""
    db = PostgresDatabase(new_pg_database(pg_cluster), pool_size=1, acquire_timeout=0.2)
    await db.open()
    try:
        async with db.transaction():
            with pytest.raises(DatabaseUnavailable):
                await asyncio.wait_for(db.fetch_one("SELECT 1"), 10)
    finally:
        await db.close()


async def test_a_deadlock_is_unavailable_not_an_error(pg_cluster: PostgresCluster) -> None:
    url = new_pg_database(pg_cluster)
    pg_cluster.psql(f"ALTER DATABASE {database_of(url)} SET deadlock_timeout = '20ms'")
    async with opened_nodes(url) as (one, two):
        async with one.transaction() as tx:
            await tx.execute_many(INSERT, [("a",), ("b",)])
        both_hold_one = asyncio.Barrier(2)

        async def update(db: Database, first: str, second: str) -> None:
            async with db.transaction() as tx:
                await tx.execute("UPDATE articles SET version = version + 1 WHERE slug = ?", (first,))
                await both_hold_one.wait()
                await tx.execute("UPDATE articles SET version = version + 1 WHERE slug = ?", (second,))

        outcomes = await asyncio.gather(update(one, "a", "b"), update(two, "b", "a"), return_exceptions=True)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["DatabaseUnavailable", "NoneType"]


async def test_a_read_only_server_is_unavailable_for_writes(pg_cluster: PostgresCluster) -> None:
    """As the old primary is after a fail-over (25006): writes answer 503, reads go on."""
    url = new_pg_database(pg_cluster)
    pg_cluster.psql(f"ALTER DATABASE {database_of(url)} SET default_transaction_read_only = on")
    async with opened_nodes(url, 1) as (db,):
        with pytest.raises(DatabaseUnavailable, match="read-only"):
            async with db.transaction() as tx:
                await tx.execute(INSERT, ("a",))
        assert await db.fetch_all("SELECT slug FROM articles") == []


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (asyncpg.InterfaceError("pool is closing"), True),
        (asyncpg.InterfaceError("connection is closed"), True),
        (asyncpg.InterfaceError("cannot perform operation: another operation is in progress"), False),
        (asyncpg.SerializationError("could not serialize access"), True),
    ],
)
def test_errors_that_mean_try_again(error: Exception, unavailable: bool) -> None:
    with pytest.raises(DatabaseUnavailable if unavailable else type(error)), postgresql._translated():
        raise error


async def test_not_listening_while_the_listener_is_down_and_everything_dropped_after(
    pg_cluster: PostgresCluster, listener_refused: list[bool]
) -> None:
    url = new_pg_database(pg_cluster)
    async with opened_nodes(url, 1) as (db,), _watched(db):
        assert db.listening
        generation = db.generation
        listener_refused[0] = True
        (pid,) = listener_pids(pg_cluster, database_of(url))
        pg_cluster.psql(f"SELECT pg_terminate_backend({pid})", database_of(url))
        await eventually(lambda: not db.listening)
        assert db.generation == generation
        listener_refused[0] = False
        await eventually(lambda: db.listening)
        assert db.generation > generation


async def test_the_listener_follows_the_pool_to_another_server(
    pg_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fail-over behind one name can leave the listener on the old server while the pool reaches the new
    one: the listener notices (server start times differ) and reconnects."""
    url = new_pg_database(pg_cluster)
    database = database_of(url)
    moved = [False]
    server_started = postgresql._server_started

    # After the move every connection made reaches the other server, the listener's next one too (were it
    # to stay on the old one, the listener would reconnect again and again, and its pids come and go).
    async def started(conn: asyncpg.Connection) -> str:
        real = await server_started(conn)
        return "another server" if moved[0] else real

    monkeypatch.setattr(postgresql, "_server_started", started)
    async with opened_nodes(url, 1) as (db,), _watched(db):
        (first,) = listener_pids(pg_cluster, database)
        generation = db.generation
        moved[0] = True
        pg_cluster.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'reader'", database
        )
        await asyncio.sleep(0.2)  # psql blocked the loop: let it read that the pooled connection closed
        await db.fetch_one("SELECT 1")  # a new pool connection, on "another server"
        await eventually(lambda: listener_pids(pg_cluster, database) not in ([], [first]))
        moved[0] = False
        await eventually(lambda: db.listening and db.generation > generation)


async def _reconnect_pauses(
    url: str, monkeypatch: pytest.MonkeyPatch, listened_for: float, connections: int
) -> list[float]:
    """The waits between the listener's first `connections` connections, each of which listens for
    `listened_for` seconds (0: it is dropped before it listens, as by a standby refusing LISTEN)."""
    pauses: list[float] = []
    made = [0]

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    async def listen(self: PostgresDatabase, conn: asyncpg.Connection) -> float:
        made[0] += 1
        if not listened_for:
            raise asyncpg.FeatureNotSupportedError("cannot execute LISTEN during recovery")
        return asyncio.get_running_loop().time() - listened_for  # when it began listening

    monkeypatch.setattr(postgresql, "_pause", pause)
    monkeypatch.setattr(PostgresDatabase, "_listen", listen)
    async with opened_nodes(url, 1) as (db,):
        watcher = asyncio.create_task(db.watch_changes())
        try:
            await eventually(lambda: made[0] >= connections)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
    return pauses


async def test_reconnecting_backs_off_until_a_connection_lasts(
    pg_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that accepts the listener and drops it at once (a standby refusing LISTEN, a session
    timeout) gets attempts further and further apart, not a storm; one that lasted is replaced at once."""
    url = new_pg_database(pg_cluster)
    assert (await _reconnect_pauses(url, monkeypatch, 0, 6))[:5] == [0.1, 0.2, 0.4, 0.8, 1.0]
    assert await _reconnect_pauses(url, monkeypatch, postgresql.STABLE_LISTENING, 4) == []


async def test_a_session_timeout_does_not_cut_the_listener(pg_cluster: PostgresCluster) -> None:
    """idle_session_timeout (PostgreSQL 14+) set on the database: the listener, idle by design, opts out."""
    url = new_pg_database(pg_cluster)
    database = database_of(url)
    pg_cluster.psql(f"ALTER DATABASE {database} SET idle_session_timeout = '100ms'")
    async with opened_nodes(url, 1) as (db,), _watched(db):
        (first,) = listener_pids(pg_cluster, database)
        await asyncio.sleep(3 * postgresql.LISTEN_KEEPALIVE)  # thirty timeouts' worth of idling
        assert db.listening and listener_pids(pg_cluster, database) == [first]


async def test_an_announcement_made_by_hand_counts_as_everything(pg_cluster: PostgresCluster) -> None:
    """docs/deployment.md: after editing content with psql, SELECT pg_notify('reader_changes', 'manual *')."""
    url = new_pg_database(pg_cluster)
    async with opened_nodes(url, 1) as (db,), _watched(db):
        generation = db.generation
        pg_cluster.psql("SELECT pg_notify('reader_changes', 'manual *')", database_of(url))
        await eventually(lambda: db.generation > generation)
