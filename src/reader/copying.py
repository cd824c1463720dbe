"""`reader copy`: a whole site from one database to another (SQLite or PostgreSQL on either side).

Everything is written in one transaction on the target, so a failed copy leaves it as it was. The source is
opened for reading only (nothing migrated or written there, no -wal or -shm left beside a SQLite file that
had none: reader.backends.sqlite's open_for_reading) and read in one snapshot (Database.snapshot): the copy
is the site as it was at one moment, while writers there go on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from reader.db import Database, DatabaseUnavailable, Params, Reads, Row, Transaction

BATCH = 500
# The search words too, with the version they were made from (reader.search): the target finds what the
# source found, at once, on either backend (each indexes them its own way), and a stale row stays stale
# there, to be made again by the target's nodes as by the source's. And what the feed's ids are made from
# (migrations._FEED_ID): feed readers following the copy see the same entries.
ARTICLE_COLUMNS = (
    "slug", "lang", "title", "summary", "body_html", "body_source", "body_format", "author", "published",
    "source_url", "version", "created_at", "updated_at", "saved_by", "saved_by_version", "status", "search_title",
    "search_text", "search_version", "feed_slug", "feed_version",
)  # fmt: skip
# Checked for emptiness, and emptied by --replace (children before parents).
# The tables that make a site (a target holding any is not overwritten without --replace), with what a
# row of each is called in English (reader copy's messages): one and more than one.
SITE_TABLES = {
    "articles": ("article", "articles"),
    "users": ("editor account", "editor accounts"),
    "api_tokens": ("API token", "API tokens"),
}
CLEARED_TABLES = (
    "sessions", "users", "api_tokens", "articles", "deleted_articles", "article_revisions", "secrets", "login_failures",
    "article_redirects", "deleted_redirects",
)  # fmt: skip
REVISION_COLUMNS = (
    "slug", "version", "lang", "title", "summary", "body_html", "body_source", "body_format", "author", "published",
    "source_url", "saved_at", "saved_by", "status",
)  # fmt: skip


class CopyRefused(Exception):
    """The target already holds a site; the message says what is there."""


class SourceUnavailable(DatabaseUnavailable):
    """The copy's source could not be read (a PostgreSQL fail-over, SQLite busy or failing mid-snapshot), not
    its target: reader copy names the source in its one line, where it had named the target for every failure."""


@contextmanager
def from_source() -> Iterator[None]:
    """A DatabaseUnavailable raised in here is the source's: raised again as SourceUnavailable."""
    try:
        yield
    except SourceUnavailable:
        raise
    except DatabaseUnavailable as exc:
        raise SourceUnavailable(str(exc), logged=exc.logged, full=exc.full) from exc


class _SourceReads(Reads):
    """The source's snapshot, its failures told apart from the target's (the copy interleaves the two)."""

    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        with from_source():
            return await self._reads.fetch_all(sql, params)


@asynccontextmanager
async def _source_snapshot(source: Database) -> AsyncIterator[Reads]:
    """source.snapshot(), its beginning and end (not the copy's body inside it) counted as the source's."""
    snapshot = source.snapshot()
    with from_source():
        reads = await snapshot.__aenter__()
    try:
        yield _SourceReads(reads)
    except BaseException as body_failure:
        # The body's own failure (the target's, say) goes on as it is; only a new one is the source's.
        try:
            ended = await snapshot.__aexit__(type(body_failure), body_failure, body_failure.__traceback__)
        except BaseException as exc:
            if exc is body_failure:
                raise
            with from_source():
                raise
        if not ended:
            raise
    else:
        with from_source():
            await snapshot.__aexit__(None, None, None)


@dataclass(frozen=True, slots=True)
class CopyResult:
    articles: int
    accounts: int
    tokens: int


def counted(count: int, forms: tuple[str, str]) -> str:
    """ "1 API token", "0 API tokens": the count with the noun's singular or plural (`forms`)."""
    return f"{count} {forms[0] if count == 1 else forms[1]}"


async def copy_database(source: Database, target: Database, *, replace: bool = False) -> CopyResult:
    """Copy articles (with their histories, renamed ones' old addresses, and deleted articles' last versions
    and old addresses), accounts (with their live sessions), API tokens and the server's secrets."""
    # touches=None: every node on the target drops its cached pages once this commits.
    async with _source_snapshot(source) as reading, target.transaction() as writing:
        held = {table: await _count(writing, table) for table in SITE_TABLES}
        if any(held.values()) and not replace:
            what = ", ".join(counted(count, SITE_TABLES[table]) for table, count in held.items() if count)
            raise CopyRefused(f"{target.target} is not empty ({what}); --replace overwrites it")
        for table in CLEARED_TABLES:
            await writing.execute(f"DELETE FROM {table}")
        articles = await _copy_articles(reading, writing)
        await _copy_revisions(reading, writing)
        accounts = await _copy_accounts(reading, writing)
        tokens = 0
        for row in await reading.fetch_all(
            "SELECT name, token_hash, created_at, last_used_at FROM api_tokens ORDER BY id"
        ):
            await writing.execute(
                "INSERT INTO api_tokens (name, token_hash, created_at, last_used_at) VALUES (?, ?, ?, ?)",
                (row["name"], row["token_hash"], row["created_at"], row["last_used_at"]),
            )
            tokens += 1
        # Deleted articles' last versions: one created again on the target goes on from there (reader.store),
        # and the editor lists the deleted ones, with when and by whom, to restore.
        if deleted := await reading.fetch_all("SELECT slug, version, deleted_at, deleted_by FROM deleted_articles"):
            await writing.execute_many(
                "INSERT INTO deleted_articles (slug, version, deleted_at, deleted_by) VALUES (?, ?, ?, ?)",
                [(row["slug"], row["version"], row["deleted_at"], row["deleted_by"]) for row in deleted],
            )
        # Renamed articles' old addresses: links made before a rename keep working on the target.
        if redirects := await reading.fetch_all("SELECT slug, target, version FROM article_redirects"):
            await writing.execute_many(
                "INSERT INTO article_redirects (slug, target, version) VALUES (?, ?, ?)",
                [(row["slug"], row["target"], row["version"]) for row in redirects],
            )
        # Deleted articles' old addresses: a restore on the target gives them back.
        if kept := await reading.fetch_all("SELECT slug, target, version, deleted_at FROM deleted_redirects"):
            await writing.execute_many(
                "INSERT INTO deleted_redirects (slug, target, version, deleted_at) VALUES (?, ?, ?, ?)",
                [(row["slug"], row["target"], row["version"], row["deleted_at"]) for row in kept],
            )
        # The session-signing key among them: editors signed in before the move stay signed in.
        for row in await reading.fetch_all("SELECT name, value FROM secrets"):
            await writing.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", (row["name"], row["value"]))
    return CopyResult(articles=articles, accounts=accounts, tokens=tokens)


async def _count(tx: Transaction, table: str) -> int:
    row = await tx.fetch_one(f"SELECT count(*) AS n FROM {table}")
    return int(row["n"]) if row else 0


async def _copy_articles(reading: Reads, writing: Transaction) -> int:
    """In id order, in batches: new ids keep the old order (the index breaks date ties by id)."""
    columns = ", ".join(ARTICLE_COLUMNS)
    insert = f"INSERT INTO articles ({columns}) VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})"
    copied = 0
    last_id = -1
    while True:
        rows = await reading.fetch_all(
            f"SELECT id, {columns} FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last_id, BATCH)
        )
        if not rows:
            return copied
        await writing.execute_many(insert, [tuple(row[c] for c in ARTICLE_COLUMNS) for row in rows])
        copied += len(rows)
        last_id = rows[-1]["id"]


async def _copy_revisions(reading: Reads, writing: Transaction) -> None:
    """The articles' histories, in batches (keyset order: a site may keep many versions)."""
    columns = ", ".join(REVISION_COLUMNS)
    insert = f"INSERT INTO article_revisions ({columns}) VALUES ({', '.join('?' * len(REVISION_COLUMNS))})"
    last: tuple[str, int] = ("", -1)
    while rows := await reading.fetch_all(
        f"SELECT {columns} FROM article_revisions WHERE (slug, version) > (?, ?) ORDER BY slug, version LIMIT ?",
        (*last, BATCH),
    ):
        await writing.execute_many(insert, [tuple(row[c] for c in REVISION_COLUMNS) for row in rows])
        last = (rows[-1]["slug"], rows[-1]["version"])


async def _copy_accounts(reading: Reads, writing: Transaction) -> int:
    """Users get new ids; their sessions follow them."""
    new_ids: dict[int, int] = {}
    # With their last sign-in (migrations._LAST_SIGN_IN): operators reviewing access on the target see it too.
    for row in await reading.fetch_all(
        "SELECT id, name, password_hash, created_at, last_sign_in_at FROM users ORDER BY id"
    ):
        inserted = await writing.fetch_one(
            "INSERT INTO users (name, password_hash, created_at, last_sign_in_at) VALUES (?, ?, ?, ?) RETURNING id",
            (row["name"], row["password_hash"], row["created_at"], row["last_sign_in_at"]),
        )
        if inserted is None:  # INSERT … RETURNING always returns its row
            raise RuntimeError(f"the account {row['name']!r} was inserted but no id came back")
        new_ids[row["id"]] = inserted["id"]
    for row in await reading.fetch_all("SELECT * FROM sessions"):
        await writing.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (row["token_hash"], new_ids[row["user_id"]], row["csrf_token"], row["created_at"], row["expires_at"]),
        )
    return len(new_ids)
