"""PostgreSQL through asyncpg: a connection pool shared by reads and writes, migrations under an advisory
lock (any number of nodes starting at once migrate once), and freshness across nodes by NOTIFY/LISTEN.

Every write transaction announces, on commit, the keys it touched (NOTIFY is transactional: a rolled-back
write announces nothing). Each node keeps one connection LISTENing and moves exactly those keys' change
counters, so its answer cache re-renders only what changed. When that connection drops the node keeps its
cached pages (PostgreSQL may be gone; they are the best answer it has) and reconnects; once listening again
it drops every cached page, since announcements made meanwhile were missed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import secrets
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
    describe_target,
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
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 30.0
# How often the listening connection is checked when nothing arrives (a silent network drop shows here),
# and the longest wait between attempts to reconnect it.
LISTEN_KEEPALIVE = 5.0
MAX_RECONNECT_DELAY = 1.0
POOL_NAME = "reader"
LISTENER_NAME = "reader-listen"

# SQLSTATE classes meaning "cannot be reached or is going away": 08 connection exception, 53 insufficient
# resources (too many connections), 57 operator intervention (shutdown, cannot connect now, cancelled).
_UNAVAILABLE_CLASSES = ("08", "53", "57")
# Refused at connection: 28 invalid authorization (a wrong password), 3D invalid catalog name (no such database).
_REFUSED_CLASSES = ("28", "3D")


def _unavailable(exc: BaseException) -> bool:
    if isinstance(exc, OSError | TimeoutError):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return "closed" in str(exc)
    if isinstance(exc, asyncpg.PostgresError):
        return str(exc.sqlstate or "")[:2] in _UNAVAILABLE_CLASSES
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
            raise DatabaseUnavailable(str(exc) or type(exc).__name__) from exc
        raise


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, …` (none inside quoted strings)."""
    parts = re.split(r"('(?:[^']|'')*')", sql)
    count = 0

    def number(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return "".join(part if part.startswith("'") else re.sub(r"\?", number, part) for part in parts)


def _rows(records: Iterable[asyncpg.Record]) -> list[Row]:
    return [dict(record.items()) for record in records]


class _PostgresTransaction:
    """reader.db.Transaction on one pooled connection inside its transaction."""

    def __init__(self, conn: asyncpg.pool.PoolConnectionProxy) -> None:
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

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        with _translated():
            record = await self._conn.fetchrow(numbered(sql), *params)
        return dict(record.items()) if record is not None else None


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database, and the connection that listens for changes."""

    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 4) -> None:
        super().__init__()
        self.url = url
        self._pool_size = max(1, pool_size)
        self._pool: asyncpg.Pool | None = None
        # Announcements carry this node's id, so that it skips its own (its commits already counted).
        self._node = secrets.token_hex(8)
        self._listening_failed = False

    @property
    def target(self) -> str:
        return describe_target(self.url)

    def _cannot_connect(self, exc: BaseException) -> DatabaseError:
        if isinstance(exc, ConnectionRefusedError):
            reason = "connection refused: is PostgreSQL running there?"
        elif isinstance(exc, TimeoutError):
            reason = f"no answer within {CONNECT_TIMEOUT:.0f} s"
        else:
            reason = " ".join((str(exc) or type(exc).__name__).split())  # one line, whatever the driver said
        return DatabaseError(f"{self.target}: cannot connect to PostgreSQL at {url_host(self.url)} ({reason})")

    async def open(self, *, check: bool = True) -> bool:
        """Connect the pool and migrate; `check` has nothing to verify here (PostgreSQL checks its pages)."""
        try:
            self._pool = await asyncpg.create_pool(
                self.url,
                # No floor to keep: asyncpg would restore it in the background, logging a traceback for
                # every failed attempt while PostgreSQL is away. Connections open on demand (the migration
                # below opens the first, so an unreachable server is reported at once) and then stay.
                min_size=0,
                max_size=self._pool_size,
                max_inactive_connection_lifetime=0,
                timeout=CONNECT_TIMEOUT,
                command_timeout=COMMAND_TIMEOUT,
                server_settings={"application_name": POOL_NAME},
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
            raise self._cannot_connect(exc) from exc
        try:
            # The pool connects on demand: the migration's connection is the first, so this is where an
            # unreachable server, a wrong password or a missing database shows.
            return await self._migrate()
        except DatabaseError:
            await self.close()
            raise
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            await self.close()
            if _unavailable(exc) or str(getattr(exc, "sqlstate", ""))[:2] in _REFUSED_CLASSES:
                raise self._cannot_connect(exc) from exc
            raise DatabaseError(f"{self.target}: {' '.join(str(exc).split())}") from exc
        except BaseException:
            await self.close()
            raise

    async def _migrate(self) -> bool:
        assert self._pool is not None
        async with self._pool.acquire() as conn, conn.transaction():
            # Held until this transaction ends: nodes starting together migrate one after another, and
            # every one after the first finds the schema current.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            exists = await conn.fetchval("SELECT to_regclass('reader_schema') IS NOT NULL")
            version = int(await conn.fetchval("SELECT version FROM reader_schema")) if exists else 0
            if version > SCHEMA_VERSION:
                raise DatabaseError(
                    f"{self.target}: schema version {version} is newer than this reader understands "
                    f"({SCHEMA_VERSION}); upgrade reader or use another database"
                )
            if version == SCHEMA_VERSION:
                return False
            if not exists:
                await conn.execute("CREATE TABLE reader_schema (version INTEGER NOT NULL)")
                await conn.execute("INSERT INTO reader_schema (version) VALUES (0)")
            for migration in MIGRATIONS[version:]:
                for statement in migration.postgresql:
                    await conn.execute(statement)
            await conn.execute("UPDATE reader_schema SET version = $1", SCHEMA_VERSION)
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
                async with pool.acquire() as conn, conn.transaction():
                    yield _PostgresTransaction(conn)
                    announcement = self._announcement(keys)
                    if announcement is not None:
                        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, announcement)
        finally:
            self.changed(keys)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        pool = self._require_pool()
        with _translated():
            async with pool.acquire() as conn:
                return _rows(await conn.fetch(numbered(sql), *params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        pool = self._require_pool()
        with _translated():
            async with pool.acquire() as conn:
                record = await conn.fetchrow(numbered(sql), *params)
        return dict(record.items()) if record is not None else None

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
        """Hold one LISTEN connection (runs until cancelled); reconnect at once when it drops, then every
        MAX_RECONNECT_DELAY at most; after each (re)connection, count everything as changed."""
        delay = 0.0
        while True:
            if delay:
                await asyncio.sleep(delay)
            try:
                conn = await asyncpg.connect(
                    self.url, timeout=CONNECT_TIMEOUT, server_settings={"application_name": LISTENER_NAME}
                )
            except Exception as exc:  # noqa: BLE001 - unreachable for now: keep trying
                if not self._listening_failed:
                    logger.warning(
                        "cannot listen for changes on %s (%s); cached pages are kept meanwhile",
                        self.target,
                        " ".join(str(exc).split()) or type(exc).__name__,
                    )
                self._listening_failed = True
                delay = min(max(delay * 2, 0.1), MAX_RECONNECT_DELAY)
                continue
            delay = 0.0
            try:
                await self._listen(conn)
            except Exception as exc:  # noqa: BLE001 - whatever broke it, reconnect
                logger.warning("listening for changes on %s failed (%s); reconnecting", self.target, exc)
            finally:
                conn.terminate()

    async def _listen(self, conn: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(CHANNEL, self._announced)
        # Whatever was committed while no connection listened went unannounced here: start afresh.
        self.generation += 1
        if self._listening_failed:
            logger.info("listening for changes on %s again; cached pages dropped", self.target)
        self._listening_failed = False
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), LISTEN_KEEPALIVE)
            except TimeoutError:
                await conn.execute("SELECT 1", timeout=LISTEN_KEEPALIVE)
        self._listening_failed = True
        logger.warning("lost the connection listening for changes on %s; reconnecting", self.target)
