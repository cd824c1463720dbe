"""PostgreSQL through asyncpg: a connection pool shared by reads and writes, migrations under an advisory
lock (any number of nodes starting at once migrate once), and freshness across nodes by NOTIFY/LISTEN.

Every write transaction announces, on commit, the keys it touched (NOTIFY is transactional: a rolled-back
write announces nothing). Each node keeps one connection LISTENing and moves exactly those keys' change
counters, so its answer cache re-renders only what changed. The node counts as `listening` only while
that connection is up and on the same server as its pool; otherwise announcements may be missed, and the
answer cache renders afresh instead of trusting what it holds (reader.response_cache). Once listening
again the node drops every cached page, since announcements made meanwhile were missed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import secrets
import shlex
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager

import asyncpg

from reader.db import (
    ConflictError,
    Database,
    DatabaseError,
    DatabaseUnavailable,
    Params,
    Row,
    Seed,
    Transaction,
    describe_target,
    newer_schema,
    unreadable_schema,
    url_host,
)
from reader.migrations import MIGRATIONS, SCHEMA_VERSION

logger = logging.getLogger("reader")

CHANNEL = "reader_changes"
# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; past this, a write announces "everything".
MAX_PAYLOAD_BYTES = 7900
EVERYTHING = "*"
# pg_advisory_xact_lock key for migrations: "reader" in ASCII.
MIGRATION_LOCK = 0x726561646572
# The first key of Transaction.lock's two-key advisory locks ("rdr" + 1), a space of their own.
NAMED_LOCKS = 0x72647201
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 30.0
# How often the listening connection is checked when nothing arrives: a silent network drop shows within
# about twice this.
LISTEN_KEEPALIVE = 1.0
# Reconnecting the listener: at once after a connection that had listened this long, else after a delay
# that doubles from MIN_RECONNECT_DELAY up to MAX_RECONNECT_DELAY (a server that accepts connections and
# then drops them, e.g. a standby refusing LISTEN, must not get a storm of them).
STABLE_LISTENING = 5.0
MIN_RECONNECT_DELAY = 0.1
MAX_RECONNECT_DELAY = 1.0
POOL_NAME = "reader"
LISTENER_NAME = "reader-listen"

# SQLSTATE classes meaning "cannot be reached or is going away": 08 connection exception, 53 insufficient
# resources (too many connections), 57 operator intervention (shutdown, cannot connect now, cancelled).
_UNAVAILABLE_CLASSES = ("08", "53", "57")
# And states meaning "not now, try again": 40001 serialization failure, 40P01 deadlock detected (the
# transaction was rolled back), 25006 read-only transaction (a standby, e.g. the old primary after a
# fail-over).
_UNAVAILABLE_STATES = ("40001", "40P01", "25006")
DISK_FULL = "53100"
# Refused at connection: 28 invalid authorization (a wrong password), 3D invalid catalog name (no such database).
_REFUSED_CLASSES = ("28", "3D")
# asyncpg's InterfaceErrors for a connection or pool that is closed or closing (anything else is a bug).
_CLOSED = re.compile(r"\bclos(ed|ing)\b")
# What numbered() cannot tell from a placeholder: double-quoted identifiers, E'' and dollar-quoted strings,
# comments. reader's SQL uses none of them.
_UNSUPPORTED_SQL = re.compile(r"\"|\$\$|--|/\*")
# The E of an E'' string, at the end of the SQL before a quoted part.
_ESCAPE_STRING_PREFIX = re.compile(r"(?<!\w)[eE]$")


# asyncpg's warnings for a password file (PGPASSFILE, ?passfile=, ~/.pgpass) it was pointed to but did not
# read, as libpq refuses it too: 'password file PosixPath('/x/pgpass') has group or world access; …'.
_PASSWORD_FILE_WARNING = re.compile(
    r"password file (?:\w*Path\((['\"])(?P<path>.*)\1\)|(?P<plain>.*?)) "
    r"(?P<why>has group or world access|is not a plain file)"
)


def password_file_warning(text: str) -> str | None:
    """asyncpg's warning about a password file it ignored (`text`) said for an operator, in one line without
    Python's path representation, and why the password in it was not sent; None for any other warning."""
    match = _PASSWORD_FILE_WARNING.match(text)
    if match is None:
        return None
    path = match["path"] if match["path"] is not None else match["plain"]
    if match["why"] == "is not a plain file":
        return f"the password file {path} was ignored: it is not a plain file"
    return (
        f"the password file {path} was ignored: it has group or world access, and PostgreSQL's clients read one "
        f"only with permissions 0600 or less (chmod 600 {shlex.quote(path)})"
    )


def _unavailable(exc: BaseException) -> bool:
    if isinstance(exc, OSError | TimeoutError):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return bool(_CLOSED.search(str(exc)))
    if isinstance(exc, asyncpg.PostgresError):
        state = str(exc.sqlstate or "")
        return state[:2] in _UNAVAILABLE_CLASSES or state in _UNAVAILABLE_STATES
    return False


@contextmanager
def _translated() -> Iterator[None]:
    """asyncpg's and the network's errors as reader.db's, where a caller can act on them."""
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        raise ConflictError(str(exc)) from exc
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        if _unavailable(exc):
            # 53100 disk_full: the server's disk (its class, 53, also holds "too many connections").
            full = isinstance(exc, asyncpg.PostgresError) and exc.sqlstate == DISK_FULL
            raise DatabaseUnavailable(str(exc) or type(exc).__name__, full=full) from exc
        raise


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, …`, except inside plain '…' strings.

    reader's SQL is written with nothing else that may hold a `?` (double-quoted identifiers, E'' or
    dollar-quoted strings, comments); a statement with one is refused rather than numbered wrongly.
    """
    parts = re.split(r"('(?:[^']|'')*')", sql)  # SQL, quoted, SQL, quoted, …, SQL
    outside = parts[::2]
    if any(_UNSUPPORTED_SQL.search(part) for part in outside) or any(
        _ESCAPE_STRING_PREFIX.search(part) for part in outside[:-1]
    ):
        raise ValueError(f"SQL with quoted identifiers, E'' or $$ strings or comments is not numbered: {sql!r}")
    count = 0

    def number(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return "".join(part if part.startswith("'") else re.sub(r"\?", number, part) for part in parts)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _rows(records: Iterable[asyncpg.Record]) -> list[Row]:
    return [dict(record.items()) for record in records]


async def _server_started(conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy) -> str:
    """When the server on the other end started: tells one server (instance) from another, which its
    address may not (a fail-over behind one DNS name)."""
    return str(await conn.fetchval("SELECT pg_postmaster_start_time()::text"))


async def _pause(seconds: float) -> None:
    """Wait between attempts to listen again (tests replace it to see the delays)."""
    await asyncio.sleep(seconds)


def next_reconnect_delay(delay: float) -> float:
    """The wait before the next attempt to listen, after one that did not last."""
    return min(max(delay * 2, MIN_RECONNECT_DELAY), MAX_RECONNECT_DELAY)


class _PostgresTransaction(Transaction):
    """reader.db.Transaction on one pooled connection inside its transaction."""

    row_lock = " FOR UPDATE"

    def __init__(self, conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        with _translated():
            status = await self._conn.execute(numbered(sql), *params)
        # "INSERT 0 3", "UPDATE 2", "DELETE 0": the count comes last.
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        with _translated():
            await self._conn.executemany(numbered(sql), [tuple(row) for row in rows])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        with _translated():
            return _rows(await self._conn.fetch(numbered(sql), *params))

    async def lock(self, *names: str) -> None:
        """Advisory locks on the names' hashes, held until the transaction ends; taken in one order, so
        that two transactions locking overlapping names cannot deadlock (a hash collision only makes two
        names wait for each other)."""
        with _translated():
            for name in sorted(set(names)):
                await self._conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", NAMED_LOCKS, name)

    async def try_lock(self, name: str) -> bool:
        with _translated():
            taken = await self._conn.fetchval("SELECT pg_try_advisory_xact_lock($1, hashtext($2))", NAMED_LOCKS, name)
        return bool(taken)


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database, and the connection that listens for changes."""

    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 4, acquire_timeout: float = CONNECT_TIMEOUT) -> None:
        super().__init__()
        self.url = url
        self._pool_size = max(1, pool_size)
        # A request waits this long for a pooled connection (all busy, or PostgreSQL not answering), then
        # answers 503: requests never queue without limit. (Opening waits CONNECT_TIMEOUT.)
        self._acquire_timeout = acquire_timeout
        self._pool: asyncpg.Pool | None = None
        # Announcements carry this node's id, so that it skips its own (its commits already counted).
        self._node = secrets.token_hex(8)
        self._listening = False
        self._listening_failed = False
        # The server the pool's newest connection reached (its start time), which the listener must be on.
        self._pool_server: str | None = None

    @property
    def target(self) -> str:
        return describe_target(self.url)

    @property
    def listening(self) -> bool:
        return self._listening

    def _cannot_connect(self, exc: BaseException) -> DatabaseError:
        if isinstance(exc, ConnectionRefusedError):
            reason = "connection refused: is PostgreSQL running there?"
        elif isinstance(exc, TimeoutError):
            reason = f"no answer within {CONNECT_TIMEOUT:.0f} s"
        else:
            reason = _one_line(exc)  # whatever the driver said
        return DatabaseError(f"{self.target}: cannot connect to PostgreSQL at {url_host(self.url)} ({reason})")

    async def _note_server(self, conn: asyncpg.Connection) -> None:
        self._pool_server = await _server_started(conn)

    async def _connect_pool(self) -> asyncpg.Pool:
        try:
            return await asyncpg.create_pool(
                self.url,
                # No floor to keep: asyncpg would restore it in the background, logging a traceback for
                # every failed attempt while PostgreSQL is away. Connections open on demand (the first
                # query opens the first, so an unreachable server is reported at once) and then stay.
                min_size=0,
                max_size=self._pool_size,
                max_inactive_connection_lifetime=0,
                timeout=CONNECT_TIMEOUT,
                command_timeout=COMMAND_TIMEOUT,
                server_settings={"application_name": POOL_NAME},
                init=self._note_server,
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
            raise self._cannot_connect(exc) from exc

    @asynccontextmanager
    async def _first_use(self) -> AsyncIterator[None]:
        """Where the pool's first connection is made: an unreachable server, a wrong password or a missing
        database shows here, as one line; the pool is closed again on any failure."""
        try:
            yield
        except DatabaseError:
            await self.close()
            raise
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            await self.close()
            if _unavailable(exc) or str(getattr(exc, "sqlstate", ""))[:2] in _REFUSED_CLASSES:
                raise self._cannot_connect(exc) from exc
            raise DatabaseError(f"{self.target}: {_one_line(exc)}") from exc
        except BaseException:
            await self.close()
            raise

    async def open(
        self, *, check: bool = True, seed: Seed | None = None, create: bool = True, upgrade: bool = True
    ) -> bool:
        """Connect the pool and migrate; `check` has nothing to verify here (PostgreSQL checks its pages)."""
        self._pool = await self._connect_pool()
        async with self._first_use():
            created = await self._migrate(self._pool, seed, create=create, upgrade=upgrade)
        return created

    async def open_for_reading(self) -> None:
        """Connect the pool and check the schema's version; nothing is written (a standby will do)."""
        self._pool = await self._connect_pool()
        async with self._first_use(), self._pool.acquire(timeout=CONNECT_TIMEOUT) as conn:
            exists = await conn.fetchval("SELECT to_regclass('reader_schema') IS NOT NULL")
            version = int(await conn.fetchval("SELECT version FROM reader_schema")) if exists else 0
            if version != SCHEMA_VERSION:
                raise DatabaseError(unreadable_schema(self.target, version))

    async def _migrate(self, pool: asyncpg.Pool, seed: Seed | None, *, create: bool, upgrade: bool) -> bool:
        async with pool.acquire(timeout=CONNECT_TIMEOUT) as conn, conn.transaction():
            # Held until this transaction ends: nodes starting together migrate one after another, and
            # every one after the first finds the schema current.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            exists = await conn.fetchval("SELECT to_regclass('reader_schema') IS NOT NULL")
            version = int(await conn.fetchval("SELECT version FROM reader_schema")) if exists else 0
            if version > SCHEMA_VERSION:
                raise DatabaseError(newer_schema(self.target, version))
            if (version == 0 and not create) or (0 < version < SCHEMA_VERSION and not upgrade):
                # Before anything is written: another database on the server (`/postgres`) is not made a
                # site, nor is a schema moved on under an older release's nodes.
                raise DatabaseError(unreadable_schema(self.target, version))
            if version == SCHEMA_VERSION:
                return False
            if not exists:
                await conn.execute("CREATE TABLE reader_schema (version INTEGER NOT NULL)")
                await conn.execute("INSERT INTO reader_schema (version) VALUES (0)")
            for migration in MIGRATIONS[version:]:
                for statement in migration.postgresql:
                    await conn.execute(statement)
            await conn.execute("UPDATE reader_schema SET version = $1", SCHEMA_VERSION)
            if version == 0 and seed is not None:
                # In the same transaction: the schema and the demo articles commit together, or neither.
                await seed(_PostgresTransaction(conn))
            # Nodes already running (an older release during an upgrade) render afresh.
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{self._node} {EVERYTHING}")
            logger.info("%s: schema migrated from version %d to %d", self.target, version, SCHEMA_VERSION)
        return version == 0

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), CONNECT_TIMEOUT)
        except Exception:  # noqa: BLE001 - closing: whatever is left is cut off
            pool.terminate()

    def _require_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    def _announcement(self, keys: list[str] | None) -> str | None:
        if keys is not None and not keys:
            return None
        payload = f"{self._node} {EVERYTHING if keys is None else json.dumps(keys)}"
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            return f"{self._node} {EVERYTHING}"
        return payload

    @asynccontextmanager
    async def transaction(self, touches: Iterable[str] | None = None) -> AsyncIterator[_PostgresTransaction]:
        """One write transaction on a pooled connection; its commit announces what it touched."""
        pool = self._require_pool()
        keys = None if touches is None else list(touches)
        try:
            with _translated():
                async with pool.acquire(timeout=self._acquire_timeout) as conn, conn.transaction():
                    yield _PostgresTransaction(conn)
                    announcement = self._announcement(keys)
                    if announcement is not None:
                        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, announcement)
        finally:
            self.changed(keys)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[_PostgresTransaction]:
        """A REPEATABLE READ, READ ONLY transaction: one snapshot for every query in it."""
        pool = self._require_pool()
        with _translated():
            async with (
                pool.acquire(timeout=self._acquire_timeout) as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                yield _PostgresTransaction(conn)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        pool = self._require_pool()
        with _translated():
            async with pool.acquire(timeout=self._acquire_timeout) as conn:
                return _rows(await conn.fetch(numbered(sql), *params))

    async def is_same_as(self, other: Database) -> bool:
        """One of this database's connections takes a name no other session has, and `other` looks for a
        session of that name in its own database. Its URL cannot say (127.0.0.1 and localhost, a DNS alias,
        a socket directory and a TCP port all reach one server), nor can the server's system identifier
        (pg_control_system()) with the database's name: a cluster cloned by pg_basebackup, a standby, keeps
        the identifier, and its databases their names, yet is another server. Nor a row of identity written
        with the schema: a site restored from a dump carries it. pg_stat_activity shows every session's
        application_name and database to every role, with no privilege asked."""
        if not isinstance(other, PostgresDatabase):
            return False
        mark = f"reader-copy-{secrets.token_hex(8)}"
        pool = self._require_pool()
        with _translated():
            async with pool.acquire(timeout=self._acquire_timeout) as conn:
                await conn.execute("SELECT set_config('application_name', $1, false)", mark)
                try:
                    found = await other.fetch_one(
                        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ? "
                        "AND datname = current_database()",
                        (mark,),
                    )
                finally:
                    await conn.execute("SELECT set_config('application_name', $1, false)", POOL_NAME)
        return bool(found and found["n"])

    def _announced(self, connection: object, pid: int, channel: str, payload: object) -> None:
        node, _, what = str(payload).partition(" ")
        if node == self._node:
            return
        if what == EVERYTHING:
            self.generation += 1
            return
        try:
            keys = json.loads(what)
        except ValueError:
            keys = None
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            self.generation += 1  # not reader's: better re-render than serve something stale
            return
        self.changed(keys)

    async def watch_changes(self, interval: float = 0.25) -> None:
        """Hold one LISTEN connection (runs until cancelled). When it drops: reconnect at once if it had
        listened for STABLE_LISTENING seconds, else after a growing delay; after each (re)connection, count
        everything as changed."""
        loop = asyncio.get_running_loop()
        delay = 0.0
        while True:
            if delay:
                await _pause(delay)
            try:
                conn = await asyncpg.connect(
                    self.url, timeout=CONNECT_TIMEOUT, server_settings={"application_name": LISTENER_NAME}
                )
            except Exception as exc:  # noqa: BLE001 - unreachable for now: keep trying
                self._report(
                    "cannot listen for changes on %s (%s); pages are rendered afresh meanwhile", _one_line(exc)
                )
                delay = next_reconnect_delay(delay)
                continue
            began = 0.0
            try:
                began = await self._listen(conn)
            except Exception as exc:  # noqa: BLE001 - whatever broke it, reconnect
                self._report("listening for changes on %s failed (%s); reconnecting", _one_line(exc))
            finally:
                self._listening = False
                conn.terminate()
            delay = 0.0 if began and loop.time() - began >= STABLE_LISTENING else next_reconnect_delay(delay)

    def _report(self, message: str, reason: str) -> None:
        """A warning for the first failure since the node last listened; the rest at debug level."""
        level = logging.DEBUG if self._listening_failed else logging.WARNING
        logger.log(level, message, self.target, reason)
        self._listening_failed = True

    async def _listen(self, conn: asyncpg.Connection) -> float:
        """LISTEN on `conn` until it drops or turns out to be on another server than the pool; the loop
        time listening began (0: it never did)."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        if conn.get_server_version() >= (14,):
            # The listener is idle by design: a server-wide idle_session_timeout must not cut it.
            await conn.execute("SET idle_session_timeout = 0")
        server = await _server_started(conn)
        await conn.add_listener(CHANNEL, self._announced)
        # Whatever was committed while no connection listened went unannounced here: start afresh. (No
        # await between these two: an answer stored before is dropped before any is trusted again.)
        self.generation += 1
        self._listening = True
        began = asyncio.get_running_loop().time()
        if self._listening_failed:
            logger.info("listening for changes on %s again; cached pages dropped", self.target)
        self._listening_failed = False
        while not lost.is_set():
            if self._pool_server not in (None, server) and await self._pool_moved(server):
                self._report(
                    "listening for changes on %s stopped (%s); reconnecting", "the pool reaches another server"
                )
                return began
            try:
                await asyncio.wait_for(lost.wait(), LISTEN_KEEPALIVE)
            except TimeoutError:
                await conn.execute("SELECT 1", timeout=LISTEN_KEEPALIVE)
        self._report("listening for changes on %s stopped (%s); reconnecting", "the connection was lost")
        return began

    async def _pool_moved(self, server: str) -> bool:
        """Whether the pool, asked afresh, reaches another server than `server` (the listener's)."""
        pool = self._pool
        if pool is None:
            return False
        try:
            async with pool.acquire(timeout=self._acquire_timeout) as conn:
                self._pool_server = await _server_started(conn)
        except Exception:  # noqa: BLE001 - the pool cannot tell now; the listener's keepalive decides
            return False
        return self._pool_server != server
