"""The database interface reader's stores are written against, and the backend a target names.

Two backends implement it: SQLite (a file path; reader.backends.sqlite, the embedded default) and
PostgreSQL (a postgresql:// URL; reader.backends.postgresql, for many nodes). SQL is written once with `?`
placeholders and the syntax both understand (ON CONFLICT upserts, lower(name) comparisons); what differs,
the schema's DDL, lives in reader.migrations. Rows are plain mappings of column name to value.
"""

from __future__ import annotations

import getpass
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from reader.migrations import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "ConflictError",
    "Database",
    "DatabaseError",
    "DatabaseUnavailable",
    "Reads",
    "Row",
    "Seed",
    "Transaction",
    "database_for",
    "describe_target",
    "url_identity",
    "is_database_url",
]

Row = Mapping[str, Any]
Params = Sequence[Any]
# Fills a database whose schema was just created, inside the same transaction (reader.demo).
Seed = Callable[["Transaction"], Awaitable[object]]
URL_SCHEMES = ("postgresql", "postgres")


class DatabaseError(Exception):
    """A database that reader cannot use; the message is one line, fit for a terminal."""


class DatabaseUnavailable(Exception):
    """The database cannot serve this just now (PostgreSQL down or failing over, SQLite locked past the busy
    timeout, a transaction PostgreSQL broke off to resolve a deadlock): answered with 503 and Retry-After.
    The transaction was rolled back, unless the connection dropped during its COMMIT: then it may or may
    not have been saved.

    `logged`: the reason was logged already, once, when it began (a SQLite file at the path that is refused,
    or none there, docs/reliability.md): each request it stops then says no more of it, at WARNING.

    `full`: the disk holding the database (SQLite's file, PostgreSQL's server) is full: nothing was saved,
    and waiting a few seconds will not help, as it does for the other causes: answered 507 Insufficient
    Storage, not "cannot reach its database"."""

    def __init__(self, message: str, *, logged: bool = False, full: bool = False) -> None:
        super().__init__(message)
        self.logged = logged
        self.full = full


class ConflictError(Exception):
    """A write that broke a uniqueness rule (a slug, an account or token name): another writer got there
    first. Nothing was written."""


class Reads(ABC):
    """Read queries: on a Database (any pooled connection) or inside a Transaction (its connection)."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows of a query."""

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None


class Transaction(Reads):
    """One open transaction: everything done through it commits together, or not at all.

    `row_lock` ends a SELECT whose rows the transaction will change: it waits for any other transaction
    changing them, then reads them as they now are, and holds them until it ends (PostgreSQL's FOR UPDATE;
    nothing on SQLite, whose write transaction already holds the database's one write lock)."""

    row_lock: str = ""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for each set of parameters."""

    @abstractmethod
    async def lock(self, *names: str) -> None:
        """Hold a lock on each name until this transaction ends: transactions (on any node) that lock a
        common name run one after another, so what one reads and then writes stays true for the next.
        SQLite: every write transaction already holds the database's one write lock."""

    @abstractmethod
    async def try_lock(self, name: str) -> bool:
        """Take `name`'s lock (as `lock` does) if no other transaction holds it now, without waiting; whether
        it was taken. For work that may as well be left to the next time when someone else is at it.
        SQLite: always True (the write lock is held already)."""


class Database(Reads):
    """Connections to one database, opened in the app lifespan (or by a command) and closed after.

    Besides queries it keeps what caches of rendered pages compare instead of querying
    (reader.response_cache): `generation` moves when anything may have changed (a commit that did not say
    what it touched, another process's or node's commit that did not say either, a gap in watching);
    `key_versions` when a commit names the keys it touched (article slugs), and `any_key_version` with
    each such commit. While `listening` is False those counters may miss other nodes' commits.
    """

    dialect: str

    def __init__(self) -> None:
        self.generation = 0
        self.key_versions: dict[str, int] = {}
        self.any_key_version = 0

    @property
    @abstractmethod
    def target(self) -> str:
        """The database as messages name it: a path, or a URL without its password."""

    @property
    def listening(self) -> bool:
        """True while every commit by another process or node moves the change counters (soon enough,
        within watch_changes' interval): stored answers may then be served as current."""
        return True

    @abstractmethod
    async def open(
        self, *, check: bool = True, seed: Seed | None = None, create: bool = True, upgrade: bool = True
    ) -> bool:
        """Connect and migrate the schema; True when the schema was created just now (an empty database).

        `seed` fills a new database inside the transaction that creates its schema, so that the two commit
        together (a node dying in between leaves an empty database, which the next node creates and seeds).
        Without `create`, a database with no schema (a missing SQLite file, an empty one) is refused; without
        `upgrade`, one with an older schema is: only `reader serve` and `reader migrate` make or change a
        schema, so that a command with a typo in its target, or a new release's command run during a rolling
        upgrade, changes no database behind the operator's back. Both refused before anything is written.
        DatabaseError, with the connections closed again, for a database reader cannot use.
        """

    @abstractmethod
    async def open_for_reading(self) -> None:
        """Connect without writing anything (no migration, no journal change): for reading a database that
        is copied elsewhere. DatabaseError unless its schema is the one this reader knows."""

    @abstractmethod
    async def close(self) -> None:
        """Close every connection; safe to call twice."""

    @abstractmethod
    def transaction(self, touches: Iterable[str] | None = None) -> AbstractAsyncContextManager[Transaction]:
        """One write transaction. `touches` names the keys (article slugs) it may change, `()` none that a
        page shows; without it, everything counts as changed (for this node and every other)."""

    @abstractmethod
    def snapshot(self) -> AbstractAsyncContextManager[Reads]:
        """A read-only transaction that sees the database as it was at one moment throughout (writers
        elsewhere go on), e.g. for copying a site."""

    async def is_same_as(self, other: Database) -> bool:
        """True when `other` is this very database reached under another name (reader copy refuses to copy
        a site onto itself). False here: SQLite files are compared by the file they are (reader.cli)."""
        return False

    async def healthy(self) -> bool:
        """True when the database answers a query (the health check)."""
        row = await self.fetch_one("SELECT 1 AS ok")
        return bool(row and row["ok"] == 1)

    @abstractmethod
    async def watch_changes(self, interval: float = 0.25) -> None:
        """Move the change counters for other processes' and nodes' commits (runs until cancelled)."""

    def changed(self, touches: Iterable[str] | None) -> None:
        """Count a commit (or an attempt: a needless re-render is cheap, a stale page is not)."""
        if touches is None:
            self.generation += 1
            return
        touched = False
        for key in touches:
            self.key_versions[key] = self.key_versions.get(key, 0) + 1
            touched = True
        if touched:
            self.any_key_version += 1


def newer_schema(target: str, version: int) -> str:
    """Why a database with a schema newer than this reader's is refused (opening it for use)."""
    return (
        f"{target}: schema version {version} is newer than this reader understands ({SCHEMA_VERSION}); "
        "upgrade reader or use another database"
    )


def missing_database(target: str) -> str:
    """Why a SQLite file that is not there is refused where no database is to be created."""
    return f"{target}: no such database file; run `reader migrate` to create one"


def unreadable_schema(target: str, version: int) -> str:
    """Why a database whose schema is not this reader's is refused, where it is to be used as it is: reader
    copy's source, and the commands that neither create nor migrate (Database.open's `create`, `upgrade`)."""
    if version == 0:
        return f"{target}: holds no reader site (no schema); run `reader migrate` to create one"
    if version > SCHEMA_VERSION:
        return newer_schema(target, version)
    return (
        f"{target}: schema version {version} is older than this reader's ({SCHEMA_VERSION}); "
        f"run `reader migrate` on it first"
    )


def is_database_url(target: str | Path) -> bool:
    """True for a postgresql:// (or postgres://) URL, False for a file path."""
    return isinstance(target, str) and urlsplit(target).scheme in URL_SCHEMES


# Parameters of a URL's query that hold a secret (libpq's and asyncpg's names).
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def describe_target(target: str | Path) -> str:
    """A path as it is; a URL without its password (messages and logs show it), with the rest of its query:
    `?host=/run/postgresql` is where a socket connection goes, and `sslmode`, `port` or `dbname` can say as
    much about which database it is as the host does."""
    if not is_database_url(target):
        return str(target)
    parts = urlsplit(str(target))
    netloc = parts.netloc.rpartition("@")[2]
    user = parts.username
    query = urlencode(
        [(name, value) for name, value in parse_qsl(parts.query) if name.lower() not in _SECRET_PARAMETERS],
        safe="/,:",
    )
    return f"{parts.scheme}://{user + '@' if user else ''}{netloc}{parts.path}{'?' + query if query else ''}"


_HOST_WITH_PORT = re.compile(r"^(?:\[[^\]]*\]|[^:\[\]]*):[0-9]+$")


def url_host(url: str) -> str:
    """host:port of a URL, for messages: each host of a multi-host URL (asyncpg tries them in turn), or the
    unix socket directory given as ?host=."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    netloc = parts.netloc.rpartition("@")[2]
    hosts = (netloc or query.get("host") or "localhost").split(",")
    port = query.get("port") or "5432"
    return ",".join(host if _HOST_WITH_PORT.match(host) else f"{host}:{port}" for host in hosts)


def url_identity(url: str) -> tuple[str, tuple[str, ...], str]:
    """Which database a URL names, whatever else it says (a password, sslmode, timeouts): its user, its
    hosts with their ports (in any case and order), and its database name, with the defaults libpq and
    asyncpg give a missing user (PGUSER, else the system's user) and name (PGDATABASE, else the user's). A
    missing host stays one name of its own ("localhost" by url_host), so a URL with one and one without may
    still name one server: the check errs that way only."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    user = unquote(parts.username or "") or query.get("user") or os.environ.get("PGUSER") or getpass.getuser()
    name = unquote(parts.path.lstrip("/")) or query.get("dbname") or query.get("database")
    name = name or os.environ.get("PGDATABASE") or user
    hosts = tuple(sorted(host.lower() for host in url_host(url).split(",")))
    return user, hosts, name


def database_for(target: str | Path, *, read_connections: int = 3, busy_timeout_ms: int = 5000) -> Database:
    """The (unopened) database for a path or a postgresql:// URL."""
    if is_database_url(target):
        from reader.backends.postgresql import PostgresDatabase

        return PostgresDatabase(str(target), pool_size=read_connections + 1)
    from reader.backends.sqlite import SQLiteDatabase

    return SQLiteDatabase(Path(target), read_connections=read_connections, busy_timeout_ms=busy_timeout_ms)
