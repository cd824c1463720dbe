"""SQLite access: one serialized writer, a small pool of reader connections, versioned migrations."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import aiosqlite

logger = logging.getLogger("reader")

# Each migration is a tuple of statements, applied in one BEGIN IMMEDIATE transaction, after which
# PRAGMA user_version is the migration's 1-based index. Never edit a released migration: append.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            lang TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            body_html TEXT NOT NULL,
            body_source TEXT NOT NULL DEFAULT '',
            body_format TEXT NOT NULL DEFAULT 'html' CHECK (body_format IN ('html', 'markdown')),
            author TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL,
            source_url TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX articles_by_published ON articles (published DESC, id DESC)",
    ),
    (
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT
        )
        """,
        "CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)

Params = Sequence[Any] | dict[str, Any]


class DatabaseError(Exception):
    """A database that reader cannot use; the message is one line, fit for a terminal."""


class Database:
    """Connections to one SQLite file, opened in the app lifespan and closed on shutdown."""

    def __init__(self, path: Path, *, read_connections: int = 3, busy_timeout_ms: int = 5000) -> None:
        self.path = path
        self._read_count = read_connections
        self._busy_timeout_ms = busy_timeout_ms
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []
        self._write_lock = asyncio.Lock()
        # What caches of rendered pages compare instead of querying. `generation` moves when anything may
        # have changed (a commit that did not say what it touched, or another process's commit, noticed by
        # watch_changes); `key_versions` when a commit of this process names the keys it touched (article
        # slugs), and `any_key_version` with each such commit.
        self.generation = 0
        self.key_versions: dict[str, int] = {}
        self.any_key_version = 0

    async def open(self, *, check: bool = True) -> bool:
        """Open the connections, migrating the schema; True when the schema was created just now.

        With `check`, the whole file is verified (PRAGMA quick_check, about a second per GB) before anything
        is written to it, so a damaged database is refused untouched instead of being written into.
        """
        _check_path(self.path)
        try:
            self._writer = await self._connect()
            created = await self._migrate(self._writer, check=check)
            for _ in range(self._read_count):
                reader = await self._connect()
                await reader.execute("PRAGMA query_only = ON")
                self._all_readers.append(reader)
                self._readers.put_nowait(reader)
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise DatabaseError(_describe(self.path, exc)) from exc
        except BaseException:
            await self.close()
            raise
        return created

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        connections = [*self._all_readers, *([self._writer] if self._writer else [])]
        self._all_readers.clear()
        self._readers = asyncio.Queue()
        self._writer = None
        for conn in connections:
            with suppress(Exception):
                await conn.close()

    async def _connect(self) -> aiosqlite.Connection:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT), never implicit.
        pending = aiosqlite.connect(self.path, isolation_level=None, timeout=self._busy_timeout_ms / 1000)
        try:
            conn = await pending
        except BaseException:
            # On a failed connect aiosqlite tells its worker thread to stop but does not wait for it; if the
            # event loop closes first (the CLI exits at once), the thread prints a traceback on stderr.
            thread = getattr(pending, "_thread", None)
            if isinstance(thread, threading.Thread) and thread.is_alive():
                await asyncio.to_thread(thread.join, 5)
            raise
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        await conn.execute("PRAGMA foreign_keys = ON")
        return conn

    async def _migrate(self, conn: aiosqlite.Connection, *, check: bool) -> bool:
        # Read before writing anything, so that a file which is not SQLite is left untouched.
        version = int(await _scalar(conn, "PRAGMA user_version"))
        await _scalar(conn, "SELECT count(*) FROM sqlite_master")
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"{self.path}: schema version {version} is newer than this reader understands "
                f"({SCHEMA_VERSION}); upgrade reader or use another database"
            )
        if check:
            # A readable first page says nothing about the rest: garbage in any table's pages only shows
            # when they are read, and switching to WAL or migrating would write into the damaged file.
            verdict = await _scalar(conn, "PRAGMA quick_check(1)")
            if verdict != "ok":
                raise DatabaseError(_corrupt(self.path))
        mode = await _scalar(conn, "PRAGMA journal_mode = WAL")
        if str(mode).lower() != "wal":
            raise DatabaseError(f"{self.path}: cannot switch to WAL journal mode (got {mode})")
        await conn.execute("PRAGMA synchronous = NORMAL")
        if version == SCHEMA_VERSION:
            return False
        async with self._transaction(conn):
            # Re-read inside the write lock: another process may have migrated meanwhile.
            version = int(await _scalar(conn, "PRAGMA user_version"))
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return version == 0

    @asynccontextmanager
    async def _transaction(self, conn: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            # Shielded: a cancelled request must still leave the writer outside any transaction.
            await asyncio.shield(conn.execute("ROLLBACK"))
            raise
        await conn.execute("COMMIT")

    @asynccontextmanager
    async def transaction(self, touches: Iterable[str] | None = None) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction (BEGIN IMMEDIATE), serialized with every other writer of this process.

        `touches` names the keys (article slugs) the transaction may change, `()` none that a page shows;
        without it, everything counts as changed.
        """
        if self._writer is None:
            raise RuntimeError("database is not open")
        try:
            async with self._write_lock, self._transaction(self._writer) as conn:
                yield conn
        finally:
            # Also after a rollback or a failed COMMIT: a needless re-render is cheap, a stale page is not.
            if touches is None:
                self.generation += 1
            else:
                touched = False
                for key in touches:
                    self.key_versions[key] = self.key_versions.get(key, 0) + 1
                    touched = True
                if touched:
                    self.any_key_version += 1

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        if not self._all_readers:
            raise RuntimeError("database is not open")
        conn = await self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put_nowait(conn)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of a read-only query."""
        async with self._reader() as conn:
            return list(await conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a read-only query, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def data_version(self) -> int:
        """SQLite's data_version on the writer's connection: it changes only when another process commits
        (this process writes through that connection, whose own commits leave it alone)."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        async with self._write_lock:
            return int(await _scalar(self._writer, "PRAGMA data_version"))

    async def watch_changes(self, interval: float = 0.25) -> None:
        """Move `generation` whenever another process commits, checking every `interval` seconds (runs until
        cancelled); one PRAGMA per check, so pages can be served from memory yet stay fresh."""
        last: int | None = None
        while True:
            try:
                current = await self.data_version()
            except Exception as exc:  # noqa: BLE001 - whatever it was, keep watching
                # The file is busy or the connection is gone: serve fresh pages rather than cached ones.
                logger.warning("watching %s for changes failed: %s", self.path, exc)
                self.generation += 1
            else:
                if last is not None and current != last:
                    self.generation += 1
                last = current
            await asyncio.sleep(interval)


async def _scalar(conn: aiosqlite.Connection, sql: str) -> Any:
    async with conn.execute(sql) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


def _check_path(path: Path) -> None:
    if path.exists() and not path.is_file():
        raise DatabaseError(f"{path}: not a file")
    parent = path.parent if str(path.parent) else Path(".")
    if not path.exists() and not parent.is_dir():
        raise DatabaseError(f"{path}: directory {parent} does not exist")


def _corrupt(path: Path) -> str:
    return f"{path}: the database file is corrupt (left untouched); restore it from a backup"


def _describe(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "file is not a database" in text:
        return f"{path}: not a SQLite database (left untouched)"
    if "malformed" in text or "corrupt" in text:
        return _corrupt(path)
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return f"{path}: cannot open the database for writing ({text})"
    return f"{path}: {text}"


def rows_as_dicts(rows: Iterable[sqlite3.Row]) -> list[dict[str, Any]]:
    """Plain dicts from rows (handy for JSON and tests)."""
    return [dict(row) for row in rows]
