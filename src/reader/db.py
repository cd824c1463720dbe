"""The database interface reader's stores are written against, and the backend a target names.

Two backends implement it: SQLite (a file path; reader.backends.sqlite, the embedded default) and
PostgreSQL (a postgresql:// URL; reader.backends.postgresql, for many nodes). SQL is written once with `?`
placeholders and the syntax both understand (ON CONFLICT upserts, lower(name) comparisons); what differs,
the schema's DDL, lives in reader.migrations. Rows are plain mappings of column name to value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from reader.migrations import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "ConflictError",
    "Database",
    "DatabaseError",
    "DatabaseUnavailable",
    "Row",
    "Transaction",
    "database_for",
    "describe_target",
    "is_database_url",
]

Row = Mapping[str, Any]
Params = Sequence[Any]
URL_SCHEMES = ("postgresql", "postgres")


class DatabaseError(Exception):
    """A database that reader cannot use; the message is one line, fit for a terminal."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached just now (PostgreSQL down, SQLite locked past the busy timeout):
    answered with 503 and Retry-After; nothing was written."""


class ConflictError(Exception):
    """A write that broke a uniqueness rule (a slug, an account or token name): another writer got there
    first. Nothing was written."""


class Transaction(Protocol):
    """One open write transaction: everything done through it commits together, or not at all."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for each set of parameters."""
        ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...


class Database(ABC):
    """Connections to one database, opened in the app lifespan (or by a command) and closed after.

    Besides queries it keeps what caches of rendered pages compare instead of querying
    (reader.response_cache): `generation` moves when anything may have changed (a commit that did not say
    what it touched, another process's or node's commit that did not say either, a gap in watching);
    `key_versions` when a commit names the keys it touched (article slugs), and `any_key_version` with
    each such commit.
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

    @abstractmethod
    async def open(self, *, check: bool = True) -> bool:
        """Connect and migrate the schema; True when the schema was created just now (an empty database).

        DatabaseError, with the connections closed again, for a database reader cannot use.
        """

    @abstractmethod
    async def close(self) -> None:
        """Close every connection; safe to call twice."""

    @abstractmethod
    def transaction(self, touches: Iterable[str] | None = None) -> AbstractAsyncContextManager[Transaction]:
        """One write transaction. `touches` names the keys (article slugs) it may change, `()` none that a
        page shows; without it, everything counts as changed (for this node and every other)."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows of a read-only query."""

    @abstractmethod
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a read-only query, or None."""

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


def is_database_url(target: str | Path) -> bool:
    """True for a postgresql:// (or postgres://) URL, False for a file path."""
    return isinstance(target, str) and urlsplit(target).scheme in URL_SCHEMES


def describe_target(target: str | Path) -> str:
    """A path as it is; a URL without its password (messages and logs show it)."""
    if not is_database_url(target):
        return str(target)
    parts = urlsplit(str(target))
    netloc = parts.netloc.rpartition("@")[2]
    user = parts.username
    return f"{parts.scheme}://{user + '@' if user else ''}{netloc}{parts.path}"


def url_host(url: str) -> str:
    """host:port of a URL (a unix socket directory given as ?host= included), for error messages."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    host = parts.hostname or query.get("host") or "localhost"
    port = parts.port or query.get("port") or 5432
    return f"{host}:{port}"


def database_for(target: str | Path, *, read_connections: int = 3, busy_timeout_ms: int = 5000) -> Database:
    """The (unopened) database for a path or a postgresql:// URL."""
    if is_database_url(target):
        from reader.backends.postgresql import PostgresDatabase

        return PostgresDatabase(str(target), pool_size=read_connections + 1)
    from reader.backends.sqlite import SQLiteDatabase

    return SQLiteDatabase(Path(target), read_connections=read_connections, busy_timeout_ms=busy_timeout_ms)
