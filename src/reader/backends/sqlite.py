"""SQLite through aiosqlite: one serialized writer, a small pool of reader connections, versioned migrations
counted in PRAGMA user_version, and PRAGMA data_version to notice other processes' commits.

The file at the path may stop being the one the connections have open (removed, or a backup moved over it
while serving): SQLite goes on reading and writing the old file, which nobody will ever see again. So the
path's (st_dev, st_ino) is compared with the open file's before and after every write transaction, by the
change watcher and by the health check: while no file is there everything answers DatabaseUnavailable (503),
and a new file at the path is checked like one at start and opened in place of the old one.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import Any, cast

import aiosqlite

from reader.db import (
    ConflictError,
    Database,
    DatabaseError,
    DatabaseUnavailable,
    Params,
    Row,
    Seed,
    Transaction,
    missing_database,
    unreadable_schema,
)
from reader.migrations import MIGRATIONS, SCHEMA_VERSION

logger = logging.getLogger("reader")


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


# SQLite's result codes (the low byte of the extended ones) for a database that cannot serve just now but
# may again without reader changing: locked past the busy timeout, a read-only file or mount, a failing or
# full disk, a file that cannot be opened. Anything else (a bug, a corrupt page) stays an error.
_UNAVAILABLE_CODES = {
    sqlite3.SQLITE_BUSY: "",
    sqlite3.SQLITE_LOCKED: "",
    sqlite3.SQLITE_READONLY: "the database file cannot be written to",
    sqlite3.SQLITE_IOERR: "the database file cannot be read or written",
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_CANTOPEN: "the database file cannot be opened",
}


def _unavailable_reason(exc: sqlite3.Error, *, writing: bool) -> str | None:
    """What a SQLite error says about the database's availability, one line; None for any other error. On
    a read-only connection (query_only) "readonly" means a write was attempted on it: a bug, not the file."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in _UNAVAILABLE_CODES:
        return None
    if code & 0xFF == sqlite3.SQLITE_READONLY and not writing:
        return None
    what = _UNAVAILABLE_CODES[code & 0xFF]
    return f"{what} ({exc})" if what else str(exc)


@contextmanager
def _translated(*, writing: bool = True) -> Iterator[None]:
    """sqlite3's errors as reader.db's, where a caller can act on them (`writing`: on the writer's
    connection)."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        if "UNIQUE" in str(exc):
            raise ConflictError(str(exc)) from exc
        raise
    except sqlite3.Error as exc:
        reason = _unavailable_reason(exc, writing=writing)
        if reason is not None:
            full = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_FULL
            raise DatabaseUnavailable(reason, full=full) from exc
        raise


FileId = tuple[int, int]  # (st_dev, st_ino)
# How long letting go of a replaced file waits for the reads in flight on it.
LET_GO_TIMEOUT = 30.0
# A file at the path younger than this may still be being written (copied there): it is looked at later.
SETTLE_NS = 1_000_000_000
# The files SQLite keeps beside a database in WAL mode; they belong to the database file they were made for.
_COMPANIONS = ("-wal", "-shm")


def _held(path: Path) -> dict[str, int]:
    """Read-only descriptors of a database file ("") and its -wal and -shm, by suffix (those there are). Held,
    a file's inode number cannot be given to a new file: after `rm site.db` and `cp backup.db site.db` the
    restored file would otherwise often get the removed one's number (ext4 reuses it at once), and the old
    -wal would be taken for its own and replayed into it."""
    held: dict[str, int] = {}
    for suffix in ("", *_COMPANIONS):
        with suppress(FileNotFoundError):
            held[suffix] = os.open(f"{path}{suffix}", os.O_RDONLY | os.O_CLOEXEC)
    return held


def _release(path: Path, held: dict[str, int], *, remove: bool) -> None:
    """Close the descriptors `_held` returned; with `remove`, first delete the -wal and -shm at the path that
    are still those files: they belong to a database no longer there, and SQLite would take them for the new
    file's (a stale -wal is replayed into it, a shared -shm mixes the two). Only once the process's
    connections to them are closed: closing a descriptor drops the process's POSIX locks on the file, SQLite's
    included."""
    for suffix, fd in held.items():
        name = f"{path}{suffix}"
        opened = os.fstat(fd)
        if remove and suffix and _file_id(name) == (opened.st_dev, opened.st_ino):
            with suppress(FileNotFoundError):
                os.unlink(name)
        os.close(fd)


def _companions_of(path: Path) -> list[str]:
    """The -wal and -shm beside a database file (those there are)."""
    return [suffix for suffix in _COMPANIONS if os.path.lexists(f"{path}{suffix}")]


def _close_as_last(path: Path) -> None:
    """Open the database at `path` for writing and close it again, reading the schema in between and writing
    nothing: the last connection to a WAL database to close deletes its -wal and -shm, but only one that
    can write (it checkpoints the -wal first, under an exclusive lock on the file). Read-only connections
    (open_for_reading's, mode=ro) make both files and cannot: this one takes them away after them. SQLite
    decides whether it is the last: while any other connection, in any process, has the database open (a
    server started meanwhile), the files are left to it. Nothing is created (mode=rw: no file, no
    connection), and a file this process may not write keeps its files (as it would without this)."""
    with suppress(sqlite3.Error):
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, isolation_level=None, timeout=0)
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the -wal and the -shm
        finally:
            conn.close()


def _file_id(path: Path | str) -> FileId | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return (found.st_dev, found.st_ino)


class _SQLiteTransaction(Transaction):
    """reader.db.Transaction on the writer's connection (or, read-only, on a reader's: snapshot())."""

    def __init__(self, conn: aiosqlite.Connection, *, writing: bool = True) -> None:
        self._conn = conn
        self._writing = writing

    async def execute(self, sql: str, params: Params = ()) -> int:
        with _translated(writing=self._writing):
            cursor = await self._conn.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
        return count

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        with _translated(writing=self._writing):
            await self._conn.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        with _translated(writing=self._writing):
            return cast(list[Row], list(await self._conn.execute_fetchall(sql, params)))

    async def lock(self, *names: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE took the database's write lock, for every process."""

    async def try_lock(self, name: str) -> bool:
        return True  # as in lock: the write lock is this transaction's already


class SQLiteDatabase(Database):
    """Connections to one SQLite file."""

    dialect = "sqlite"

    def __init__(self, path: Path, *, read_connections: int = 3, busy_timeout_ms: int = 5000) -> None:
        super().__init__()
        self.path = path
        self._read_count = read_connections
        self._busy_timeout_ms = busy_timeout_ms
        self._writer: aiosqlite.Connection | None = None
        # The busy timeout the writer's connection has now (ms): shorter for a write that waited behind this
        # process's others (transaction); None while not known (a PRAGMA cancelled on its way).
        self._writer_busy_ms: int | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []
        self._write_lock = asyncio.Lock()
        # The database file (and its -wal and -shm) the connections have open, to notice when the path
        # names another file; None while unknown. `_gone`: the path names no usable database (503s).
        self._opened: FileId | None = None
        # Descriptors of the open file's -wal and -shm, held so that their inode numbers cannot be reused
        # (by another worker's new -wal) before this process has compared them with the path's.
        self._companions: dict[str, int] = {}
        self._gone: str | None = None
        # A file found at the path that could not be opened: (st_dev, st_ino, st_size, st_mtime_ns).
        self._refused: tuple[int, int, int, int] | None = None
        self._previous: tuple[FileId | None, dict[str, int]] = (None, {})  # the file let go of, its companions
        # Opened for reading (open_for_reading) with no -wal or -shm beside the file: close() leaves none.
        self._leave_no_companions = False
        self._following = asyncio.Lock()

    @property
    def target(self) -> str:
        return str(self.path)

    async def open(
        self, *, check: bool = True, seed: Seed | None = None, create: bool = True, upgrade: bool = True
    ) -> bool:
        """Open the connections, migrating the schema; True when the schema was created just now.

        With `check`, the whole file is verified (PRAGMA quick_check, about a second per GB) before anything
        is written to it, so a damaged database is refused untouched instead of being written into. Without
        `create`, a missing file or one without reader's schema is refused too (no file is made); without
        `upgrade`, one with an older schema.
        """
        _check_path(self.path)
        if not create and not self.path.exists():
            # Before connecting: sqlite3 would make the file.
            raise DatabaseError(missing_database(self.target))
        async with self._opening():
            before = _file_id(self.path)
            self._writer = await self._connect()
            self._writer_busy_ms = self._busy_timeout_ms
            created = await self._migrate(self._writer, check=check, seed=seed, create=create, upgrade=upgrade)
            await self._open_readers()
            self._opened = _file_id(self.path)
            if before is not None and before != self._opened:
                # Replaced while it was being opened: which file the connections hold is not known.
                raise DatabaseError(f"{self.path}: the file was replaced while it was being opened")
            self._companions = _held(self.path)
            self._gone = None
        return created

    async def open_for_reading(self) -> None:
        """Reader connections only, opened read-only (mode=ro): the file, its journal mode and its schema
        are left exactly as they are."""
        if not self.path.is_file():
            raise DatabaseError(f"{self.path}: no such database file")
        # A WAL database's read-only connections make its -wal and -shm and leave them when they close (only
        # a connection that can write deletes them, as the last to close): close() takes away those made
        # here. Those there already are a running server's (or another reader's), and stay.
        self._leave_no_companions = not _companions_of(self.path)
        async with self._opening():
            await self._open_readers(readonly=True)
            version = int(await _scalar(self._all_readers[0], "PRAGMA user_version"))
            await _scalar(self._all_readers[0], "SELECT count(*) FROM sqlite_master")
            if version != SCHEMA_VERSION:
                raise DatabaseError(unreadable_schema(self.target, version))
            # As open() checks: damage in a table's pages only shows when they are read, and reader copy
            # reads them all; found here, it is one line before the target is touched, not sqlite3's
            # "malformed" from the middle of the copy.
            if await _scalar(self._all_readers[0], "PRAGMA quick_check(1)") != "ok":
                raise DatabaseError(_corrupt(self.path))

    @asynccontextmanager
    async def _opening(self) -> AsyncIterator[None]:
        """Whatever stops the opening closes the connections again; SQLite's errors become one line."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise DatabaseError(_describe(self.path, exc)) from exc
        except BaseException:
            await self.close()
            raise

    async def _open_readers(self, *, readonly: bool = False) -> None:
        for _ in range(self._read_count):
            reader = await self._connect(readonly=readonly)
            await reader.execute("PRAGMA query_only = ON")
            self._all_readers.append(reader)
            self._readers.put_nowait(reader)

    async def close(self) -> None:
        moved = self._moved()
        await self._close_connections()
        if self._leave_no_companions:
            self._leave_no_companions = False
            if _companions_of(self.path):
                await asyncio.to_thread(_close_as_last, self.path)
        if not (self._companions or self._previous[1]):
            return
        async with self._directory_locked():
            # Closing a moved database, SQLite leaves its -wal (maybe with commits) and -shm at the path, where
            # the next open would take them for the new file's.
            _release(self.path, self._companions, remove=moved)
            self._companions = {}
            _release(self.path, self._previous[1], remove=_file_id(self.path) != self._previous[0])
            self._previous = (self._previous[0], {})

    @asynccontextmanager
    async def _directory_locked(self) -> AsyncIterator[None]:
        """The database's directory locked (flock) against the other processes serving it: with --workers,
        removing the old -wal and -shm and creating the new ones is one step, so that no process removes
        another's new files."""
        directory = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            while True:
                try:
                    fcntl.flock(directory, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    await asyncio.sleep(0.01)
            yield
        finally:
            os.close(directory)  # which releases the lock

    async def _close_connections(self) -> None:
        connections = [*self._all_readers, *([self._writer] if self._writer else [])]
        self._all_readers.clear()
        self._readers = asyncio.Queue()
        self._writer = None
        self._opened = None
        for conn in connections:
            with suppress(Exception):
                await conn.close()

    def _moved(self) -> bool:
        """True when the path no longer names the file the connections have open (one stat)."""
        return self._opened is not None and _file_id(self.path) != self._opened

    def _unavailable(self) -> DatabaseUnavailable:
        # _gone was logged when it was set (_let_go, _take_up); the other case has not been yet.
        if self._gone is not None:
            return DatabaseUnavailable(self._gone, logged=True)
        return DatabaseUnavailable(f"{self.path}: the database file was removed or replaced")

    async def follow_file(self) -> bool:
        """Compare the path with the open file and act on a change: none there, answer 503 until one is; a
        new one, check it as at start (quick_check, schema version, migrations) and serve it instead, the
        answer cache dropped. True while the file at the path is the one being served."""
        if self._gone is None and not self._moved():
            return self._opened is not None
        async with self._following:
            if self._gone is None:
                if not self._moved():
                    return self._opened is not None
                await self._let_go()
            return await self._take_up()

    async def _let_go(self) -> None:
        """Stop using the file the connections have open (its name now means another file, or none)."""
        self._gone = f"{self.path}: the database file was removed or replaced; waiting for a database file there"
        logger.error("%s", self._gone)
        self.generation += 1
        # The reads and the write in flight finish first (checks after them refuse what they did); none
        # starts while _gone is set.
        async with self._write_lock:
            readers = self._readers
            with suppress(TimeoutError):
                async with asyncio.timeout(LET_GO_TIMEOUT):
                    for _ in self._all_readers:
                        await readers.get()
            writer = self._writer
            if writer is not None:
                # For an operator who moved the file away to keep it: the commits still in the -wal go into it.
                with suppress(Exception):
                    await _scalar(writer, "PRAGMA wal_checkpoint(PASSIVE)")
            self._previous = (self._opened, self._companions)
            self._companions = {}  # closed only once the path's -wal and -shm are compared with them
            # SQLite neither checkpoints nor removes the -wal and -shm on closing a database that was moved.
            await self._close_connections()

    async def _take_up(self) -> bool:
        """Open the file now at the path: not while there is none, or it is empty or changed within the last
        second (still being copied: `cp backup.db site.db`), nor again one refused unchanged."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return False
        state = (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
        if found.st_size == 0 or time.time_ns() - found.st_mtime_ns < SETTLE_NS or state == self._refused:
            return False
        async with self._directory_locked():
            _release(self.path, self._previous[1], remove=state[:2] != self._previous[0])
            self._previous = (self._previous[0], {})
            try:
                # A restore must be a reader database: an empty one is not made into a new site here.
                await self.open(check=True, create=False)
            except DatabaseError as exc:
                self._refused = state
                self._gone = f"{exc} (a changed file at the path will be tried)"
                logger.error("%s", self._gone)
                return False
        self._refused = None
        self.generation += 1
        logger.warning("%s: a new database file is at the path; checked and serving it", self.path)
        return True

    async def _connect(self, *, readonly: bool = False) -> aiosqlite.Connection:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT), never implicit.
        timeout = self._busy_timeout_ms / 1000
        if readonly:
            uri = self.path.resolve().as_uri() + "?mode=ro"
            pending = aiosqlite.connect(uri, uri=True, isolation_level=None, timeout=timeout)
        else:
            pending = aiosqlite.connect(self.path, isolation_level=None, timeout=timeout)
        try:
            conn = await pending
        except BaseException:
            # On a failed connect aiosqlite tells its worker thread to stop but does not wait for it; if the
            # event loop closes first (the CLI exits at once), the thread prints a traceback on stderr.
            thread = getattr(pending, "_thread", None)
            if isinstance(thread, threading.Thread) and thread.is_alive():
                await asyncio.to_thread(thread.join, 5)
            raise
        conn.row_factory = _dict_row  # type: ignore[assignment]  # aiosqlite's annotation says a class
        await conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        await conn.execute("PRAGMA foreign_keys = ON")
        return conn

    async def _migrate(
        self, conn: aiosqlite.Connection, *, check: bool, seed: Seed | None, create: bool, upgrade: bool
    ) -> bool:
        # Read before writing anything, so that a file which is not SQLite is left untouched.
        version = int(await _scalar(conn, "PRAGMA user_version"))
        await _scalar(conn, "SELECT count(*) FROM sqlite_master")
        if version > SCHEMA_VERSION or (version == 0 and not create) or (0 < version < SCHEMA_VERSION and not upgrade):
            raise DatabaseError(unreadable_schema(self.target, version))
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
            for migration in MIGRATIONS[version:]:
                for statement in migration.sqlite:
                    await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if version == 0 and seed is not None:
                with _translated():
                    await seed(_SQLiteTransaction(conn))
        return version == 0

    @asynccontextmanager
    async def _transaction(self, conn: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
        try:
            await conn.execute("BEGIN IMMEDIATE")
            yield conn
            await conn.execute("COMMIT")
        except BaseException:
            # Shielded, and also when BEGIN or COMMIT is what failed: a request cancelled while BEGIN waits
            # for the lock (it goes on in aiosqlite's thread and may yet succeed), or a COMMIT refused
            # (which leaves the transaction open), must still leave the writer outside any transaction.
            await asyncio.shield(_rollback(conn))
            raise

    @asynccontextmanager
    async def transaction(self, touches: Iterable[str] | None = None) -> AsyncIterator[_SQLiteTransaction]:
        """One write transaction (BEGIN IMMEDIATE), serialized with every other writer of this process.

        A write waits at most one busy timeout from when it asked, for this process's lock and SQLite's
        together: waited for in turn, each writer queued behind another process's lock waited a whole
        timeout more than the one before it (the sixth of six answered 503 after six), past the timeout of
        a proxy in front. So does a write queued behind a long one of this process (as it would in another
        worker process)."""
        if self._writer is None and self._gone is None:
            raise RuntimeError("database is not open")
        deadline = asyncio.get_running_loop().time() + self._busy_timeout_ms / 1000
        try:
            try:
                async with asyncio.timeout_at(deadline):
                    await self._write_lock.acquire()
            except TimeoutError:
                raise DatabaseUnavailable(
                    f"database is locked (this process's earlier writes waited the whole busy timeout, "
                    f"{self._busy_timeout_ms} ms)"
                ) from None
            try:
                # Checked inside the lock, before and after: a write never goes into a file nobody will see,
                # and one that may have is never reported saved. (The watcher lets go of the old file.)
                if self._writer is None or self._gone is not None or self._moved():
                    raise self._unavailable()
                with _translated():
                    await self._busy_until(deadline)
                    async with self._transaction(self._writer) as conn:
                        yield _SQLiteTransaction(conn)
                        if self._moved():  # before COMMIT: rolled back, nothing saved
                            raise self._unavailable()
                if self._moved():  # committed into the file that was replaced meanwhile
                    raise DatabaseUnavailable(f"{self.path}: the database file was replaced during the write")
            finally:
                self._write_lock.release()
        finally:
            # Also after a rollback or a failed COMMIT: a needless re-render is cheap, a stale page is not.
            self.changed(touches)

    async def _busy_until(self, deadline: float) -> None:
        """The writer's busy timeout made what is left until `deadline` (a whole one for a write that did not
        wait for the lock: no PRAGMA then, as long as the last write did not wait either)."""
        assert self._writer is not None
        left = (deadline - asyncio.get_running_loop().time()) * 1000
        busy_ms = min(self._busy_timeout_ms, max(0, math.ceil(left)))
        if busy_ms != self._writer_busy_ms:
            self._writer_busy_ms = None  # until it is done: a cancelled PRAGMA may yet run
            await self._writer.execute(f"PRAGMA busy_timeout = {busy_ms}")
            self._writer_busy_ms = busy_ms

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._gone is not None:
            raise self._unavailable()
        if not self._all_readers:
            raise RuntimeError("database is not open")
        readers = self._readers
        conn = await readers.get()
        try:
            if self._gone is not None:  # let go of while this waited
                raise self._unavailable()
            yield conn
        except ValueError as exc:
            # aiosqlite's "Connection closed": a read that outlasted LET_GO_TIMEOUT after its file was let go
            # of, whose connection was closed under it. The file is gone for this read as for the next ones.
            if conn in self._all_readers:
                raise
            raise self._unavailable() from exc
        finally:
            readers.put_nowait(conn)

    async def healthy(self) -> bool:
        """The file at the path is the one open, and a query reads it."""
        if not await self.follow_file():
            return False
        return await self.fetch_one("SELECT count(*) AS n FROM sqlite_master") is not None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._reader() as conn:
            with _translated(writing=False):
                return cast(list[Row], list(await conn.execute_fetchall(sql, params)))

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[_SQLiteTransaction]:
        """A read transaction on a reader connection: in WAL mode it sees the commits made before its first
        read and none after, and writers go on meanwhile."""
        async with self._reader() as conn:
            with _translated(writing=False):
                await conn.execute("BEGIN")
            try:
                yield _SQLiteTransaction(conn, writing=False)
            finally:
                await asyncio.shield(_rollback(conn))

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
                if not await self.follow_file():
                    last = None
                    await asyncio.sleep(interval)
                    continue
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


async def _rollback(conn: aiosqlite.Connection) -> None:
    try:
        await conn.execute("ROLLBACK")
    except ValueError:
        pass  # aiosqlite's "Connection closed" (a file let go of, see _let_go): closing rolled it back
    except sqlite3.Error as exc:
        # "no transaction is active": BEGIN itself failed (busy past the timeout); nothing to undo.
        if "no transaction is active" not in str(exc):
            logger.warning("rolling back failed: %s", exc)


async def _scalar(conn: aiosqlite.Connection, sql: str) -> Any:
    async with conn.execute(sql) as cursor:
        row = await cursor.fetchone()
    return next(iter(cast(Row, row).values())) if row else None


def _check_path(path: Path) -> None:
    if path.exists() and not path.is_file():
        raise DatabaseError(f"{path}: not a file")
    parent = path.parent if str(path.parent) else Path(".")
    if not path.exists() and not parent.is_dir():
        raise DatabaseError(f"{path}: directory {parent} does not exist")
    _check_writable(path)


def _check_writable(path: Path) -> None:
    """DatabaseError unless the file at `path` (if any) may be written, which SQLite's writer needs. SQLite
    quietly opens a file it cannot write read-only, and a database already in WAL mode with an up-to-date
    schema then starts, serves and fails only at its first write. Asked of the kernel (access(2), which also
    refuses root an immutable file, chattr +i, and a read-only mount), not worked out from the permission
    bits, which root passes. Not by opening the file: closing a descriptor drops every POSIX lock this process
    holds on the file, SQLite's connections' included (a second Database on it, as tests open)."""
    if not path.exists() or os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
        return
    try:
        # Only to say why: this fails as access did (EPERM for an immutable file, EROFS, EACCES).
        os.close(os.open(path, os.O_WRONLY | os.O_CLOEXEC))
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot open the database for writing ({exc.strerror})") from exc


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
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL) and _disk_full(path):
        # SQLite says "disk I/O error" when the -shm it makes on opening finds no room.
        return f"{path}: the disk is full ({text})"
    return f"{path}: {text}"


def _disk_full(path: Path) -> bool:
    """No block left for reader on the file system holding `path`: the real file's, a symbolic link followed
    (SQLite puts -wal and -shm beside the file the link names, perhaps on another file system). Run as root,
    the blocks reserved for root are room too: SQLite writes there, so only none free at all is full."""
    try:
        found = os.statvfs(path.resolve().parent)
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links
        return False
    return (found.f_bfree if os.geteuid() == 0 else found.f_bavail) == 0
