"""`reader user list|password|remove|unlock` and `reader token list` on both backends: what each says, its
exit status, and what it changes (a new password signs the account out everywhere; an unlock lets the
next sign-in through)."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TypeVar

import anyio
import asyncpg
import pytest

from reader.accounts import AccountStore
from reader.app import create_app
from reader.cli import main
from reader.db import SCHEMA_VERSION, database_for
from reader.settings import Settings
from reader.throttle import MAX_FAILURES, LoginThrottle, account_key, address_key
from tests.conftest import AuthActions, client_for, served
from tests.serverproc import new_site
from tests.test_cli import Outcome, reader

T = TypeVar("T")
PASSWORD = "correct horse battery staple"


def on(target: str | Path, work: Callable[[AccountStore], Awaitable[T]]) -> T:
    """`work` done with the database's accounts, the database open for it alone."""

    async def run() -> T:
        db = database_for(target)
        await db.open()
        try:
            return await work(AccountStore(db))
        finally:
            await db.close()

    return asyncio.run(run())


@pytest.fixture
def database_target(database_target: str | Path) -> str | Path:
    """conftest's, a site on SQLite too (a PostgreSQL one is a copy of a migrated template): the account
    commands make none."""
    return new_site(database_target)


def add(target: str | Path, *names: str) -> None:
    for name in names:
        assert reader("user", "add", name, "--db", str(target), stdin=PASSWORD + "\n").returncode == 0


def test_user_list_shows_each_account_and_when_it_was_made(database_target: str | Path) -> None:
    db = str(database_target)
    assert reader("user", "list", "--db", db) == Outcome(0, "There are no editor accounts.\n", "")
    add(database_target, "mai", "An")
    done = reader("user", "list", "--db", db)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["An", "mai"]
    assert all(" created 20" in line and line.endswith("  last sign-in never") for line in lines), lines
    assert PASSWORD not in done.stdout and "argon2" not in done.stdout
    signed_in = on(database_target, _sign_in_mai)
    lines = reader("user", "list", "--db", db).stdout.splitlines()
    assert lines[0].endswith("  last sign-in never")
    assert lines[1].startswith("mai  created 20") and lines[1].endswith(f"  last sign-in {signed_in}"), lines


async def _sign_in_mai(accounts: AccountStore) -> str:
    """Sign mai in; the account's last sign-in as stored (the format `created` is shown in)."""
    login = await accounts.verify_login("mai", PASSWORD)
    assert login is not None and await accounts.create_session(login) is not None
    row = await accounts.db.fetch_one("SELECT created_at, last_sign_in_at FROM users WHERE name = 'mai'")
    assert row is not None and len(row["last_sign_in_at"]) == len(row["created_at"])
    return str(row["last_sign_in_at"])


def test_token_list_shows_names_never_the_tokens(database_target: str | Path) -> None:
    db = str(database_target)
    assert reader("token", "list", "--db", db) == Outcome(0, "There are no API tokens.\n", "")
    made = [reader("token", "create", name, "--db", db).stdout.strip() for name in ("ci", "backup")]
    done = reader("token", "list", "--db", db)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["backup", "ci"]
    assert all(token not in done.stdout for token in made) and "rdr_" not in done.stdout
    assert all(line.endswith("  last used never") for line in done.stdout.splitlines()), done.stdout
    assert on(database_target, lambda accounts: accounts.token_name(made[0])) == "ci"
    lines = reader("token", "list", "--db", db).stdout.splitlines()
    assert lines[0].endswith("  last used never")
    used = lines[1].rpartition("  last used ")[2]
    assert lines[1].startswith("ci") and used != "never" and len(used) == len(lines[1].split()[2]), lines


async def _sessions_after_reset(target: str | Path, settings: Settings) -> tuple[int, int, int, bool]:
    """The editor page's status for a signed-in client before and after `reader user password`, after
    signing in with the new password, and whether the old one still signs in."""
    async with served(create_app(settings)) as app, client_for(app) as client:
        auth = AuthActions(app, client)
        await auth.add_account("mai", PASSWORD)
        await auth.sign_in("mai")
        before = (await client.get("/editor/")).status_code
        done = await anyio.to_thread.run_sync(
            lambda: reader("user", "password", "mai", "--db", str(target), stdin="a new long password\n")
        )
        assert done == Outcome(0, "Set the password of 'mai' and ended its 1 session.\n", ""), done
        after = (await client.get("/editor/")).status_code
        client.cookies.clear()
        signed_in = await auth.sign_in_with_password("mai", "a new long password")
        old_works = await app.state["accounts"].verify_login("mai", PASSWORD) is not None
        return before, after, signed_in.status_code, old_works


def _settings(target: str | Path) -> Settings:
    return Settings(db_url=target) if isinstance(target, str) else Settings(db_path=target)


@pytest.mark.anyio
async def test_a_new_password_ends_the_accounts_sessions(database_target: str | Path) -> None:
    before, after, signed_in, old_works = await _sessions_after_reset(database_target, _settings(database_target))
    assert (before, after) == (200, 303)  # the old cookie leads to the sign-in page
    assert signed_in == 303  # the new password signs in (to /editor/)
    assert not old_works


def test_a_new_password_follows_the_rules_of_user_add(database_target: str | Path) -> None:
    db = str(database_target)
    add(database_target, "mai")
    short = reader("user", "password", "mai", "--db", db, stdin="short\n")
    assert short == Outcome(2, "", "reader: error: the password must be at least 10 characters\n")
    unknown = reader("user", "password", "nobody", "--db", db, stdin="a new long password\n")
    assert unknown == Outcome(2, "", "reader: error: there is no account named 'nobody'\n")
    assert on(database_target, lambda accounts: accounts.verify_login("mai", PASSWORD)) is not None


async def _with_sessions(accounts: AccountStore) -> tuple[str, str]:
    mai = await accounts.verify_login("mai", PASSWORD)
    an = await accounts.verify_login("An", PASSWORD)
    assert mai is not None and an is not None
    mai_session, an_session = await accounts.create_session(mai), await accounts.create_session(an)
    assert mai_session is not None and an_session is not None
    return mai_session, an_session


def test_remove_takes_the_account_and_its_sessions_only(database_target: str | Path) -> None:
    db = str(database_target)
    add(database_target, "mai", "An")
    mai_session, an_session = on(database_target, _with_sessions)
    refused = reader("user", "remove", "MAI", "--db", db)  # standard input is no terminal: nobody to ask
    assert refused.returncode == 2 and "add --yes" in refused.stderr, refused
    assert reader("user", "remove", "nobody", "--yes", "--db", db).returncode == 2
    done = reader("user", "remove", "MAI", "--yes", "--db", db)
    assert done == Outcome(0, "Removed the editor account 'mai' and its sessions.\n", "")
    assert [line.split()[0] for line in reader("user", "list", "--db", db).stdout.splitlines()] == ["An"]

    async def left(accounts: AccountStore) -> tuple[bool, bool, int]:
        rows = await accounts.db.fetch_all("SELECT user_id FROM sessions")
        return (
            await accounts.session(mai_session) is not None,
            await accounts.session(an_session) is not None,
            len(rows),
        )

    assert on(database_target, left) == (False, True, 1)


class Terminal(io.StringIO):
    """Standard input as a terminal (what is typed comes through `input`, patched)."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("typed", "expected"), [("ma", 2), ("mai", 0)])
def test_remove_on_a_terminal_wants_the_name_typed(
    database_target: str | Path, monkeypatch: pytest.MonkeyPatch, typed: str, expected: int
) -> None:
    db = str(database_target)
    add(database_target, "mai")
    monkeypatch.setattr("builtins.input", lambda prompt: typed)
    err = io.StringIO()
    with monkeypatch.context() as terminal, redirect_stdout(io.StringIO()), redirect_stderr(err):
        terminal.setattr("sys.stdin", Terminal())
        assert main(["user", "remove", "mai", "--db", db]) == expected
    listed = reader("user", "list", "--db", db).stdout
    if expected:
        assert err.getvalue() == "reader: error: not removing 'mai': the name typed differs\n"
        assert listed.startswith("mai ")
    else:
        assert listed == "There are no editor accounts.\n"


async def _lock_out(accounts: AccountStore, target: str, unlock: str | None) -> tuple[int, int, int]:
    """Five wrong passwords for mai from one address and five for An from another, then (after `reader
    user unlock`, run in a thread) a sixth attempt of each: the waits, and a third address's on An."""
    throttle = LoginThrottle(accounts.db)
    mai_from, an_from = address_key("192.0.2.1"), address_key("192.0.2.2")
    for _ in range(MAX_FAILURES):
        assert (await throttle.attempt(mai_from, account_key("mai"))).retry_after == 0
        assert (await throttle.attempt(an_from, account_key("An"))).retry_after == 0
    assert (await throttle.attempt(mai_from, account_key("mai"))).retry_after > 0
    if unlock is not None:
        args = ("user", "unlock", unlock, "--db", target)
        done = await anyio.to_thread.run_sync(lambda: reader(*args))
        assert done.returncode == 0, done
    return (
        (await throttle.attempt(mai_from, account_key("mai"))).retry_after,
        (await throttle.attempt(an_from, account_key("An"))).retry_after,
        (await throttle.attempt(address_key("192.0.2.3"), account_key("An"))).retry_after,
    )


@pytest.mark.parametrize(
    ("unlock", "mai_waits", "an_waits"),
    [(None, True, True), ("MAI", False, True), ("--all", False, False)],
)
def test_unlock_lets_the_sixth_attempt_through(
    database_target: str | Path, unlock: str | None, mai_waits: bool, an_waits: bool
) -> None:
    """After `unlock mai` the client that locked mai out may try again (its address's count of those
    attempts goes too); An, locked out from another address, still waits, unless --all."""
    add(database_target, "mai", "An")
    target = str(database_target)
    mai, an, an_elsewhere = on(database_target, lambda accounts: _lock_out(accounts, target, unlock))
    assert (mai > 0, an > 0, an_elsewhere > 0) == (mai_waits, an_waits, an_waits)


def test_unlock_names_an_account_that_exists(database_target: str | Path) -> None:
    done = reader("user", "unlock", "nobody", "--db", str(database_target))
    assert done == Outcome(2, "", "reader: error: there is no account named 'nobody'\n")


def test_accounts_of_a_site_from_before_sign_ins_were_recorded_list_none(empty_database_target: str | Path) -> None:
    """A database at schema 14 (before accounts' last sign-in was kept) is migrated: its accounts read as never
    signed in, and the next sign-in is recorded."""
    from tests.test_store import _at_schema

    row = "INSERT INTO users (name, password_hash, created_at) VALUES ('old', 'x', '2020-01-01T00:00:00+00:00')"
    asyncio.run(_at_schema(empty_database_target, 14, [row]))
    db = str(empty_database_target)
    assert reader("migrate", "--db", db).returncode == 0
    listed = reader("user", "list", "--db", db)
    assert listed == Outcome(0, "old  created 2020-01-01T00:00:00+00:00  last sign-in never\n", ""), listed
    assert reader("user", "password", "old", "--db", db, stdin=PASSWORD + "\n").returncode == 0
    login = on(empty_database_target, lambda accounts: accounts.verify_login("old", PASSWORD))
    assert login is not None and on(empty_database_target, lambda accounts: accounts.create_session(login))
    assert "last sign-in 20" in reader("user", "list", "--db", db).stdout


# ---------------------------------------------------------------- only serve and migrate make or move a schema

# Every command that uses a site as it is; `{file}` an article to import.
SITE_COMMANDS = [
    ("user", "list"), ("user", "add", "mai"), ("user", "password", "mai"), ("user", "remove", "mai", "--yes"),
    ("user", "unlock", "--all"), ("token", "list"), ("token", "create", "ci"), ("token", "revoke", "ci"),
    ("import", "{file}"),
]  # fmt: skip


def _run_on(target: str | Path, command: tuple[str, ...], tmp_path: Path) -> Outcome:
    article = tmp_path / "one.json"
    article.write_text('{"title": "One", "lang": "en", "body_html": "<p>x</p>"}')
    args = [part.format(file=article) for part in command]
    return reader(*args, "--db", str(target), stdin=PASSWORD + "\n")


async def _schema_of(target: str | Path) -> int | None:
    """The schema version a database says it has; None for a SQLite file that is not there."""
    if isinstance(target, Path):
        if not target.exists():
            return None
        with sqlite3.connect(target) as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.close()
        return version
    pg = await asyncpg.connect(target)
    try:
        if not await pg.fetchval("SELECT to_regclass('reader_schema') IS NOT NULL"):
            return 0
        return int(await pg.fetchval("SELECT version FROM reader_schema"))
    finally:
        await pg.close()


@pytest.mark.parametrize("command", SITE_COMMANDS, ids=" ".join)
def test_a_missing_or_empty_database_is_refused_not_made_a_site(
    empty_database_target: str | Path, command: tuple[str, ...], tmp_path: Path
) -> None:
    """`reader token list --db typo.db` made typo.db a new site and said there were no tokens; a URL naming
    another database on the server (`…/postgres`) got reader's schema, or "permission denied for schema
    public" trying."""
    done = _run_on(empty_database_target, command, tmp_path)
    target = str(empty_database_target).partition("?")[0]
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1), done
    assert done.stderr.startswith("reader: error: ") and target.rpartition("/")[2] in done.stderr, done
    assert "run `reader migrate` to create one" in done.stderr, done
    # Nothing made: no file, no schema.
    assert asyncio.run(_schema_of(empty_database_target)) == (None if isinstance(empty_database_target, Path) else 0)
    if isinstance(empty_database_target, Path):
        assert list(empty_database_target.parent.glob("empty.db*")) == []


@pytest.mark.parametrize("command", SITE_COMMANDS, ids=" ".join)
def test_a_database_of_an_older_schema_is_refused_not_migrated(
    empty_database_target: str | Path, command: tuple[str, ...], tmp_path: Path
) -> None:
    """During a rolling upgrade the new release's `reader user list` moved a schema-14 database to 15, and
    the old release's nodes then refused to start: a command that is not serve or migrate says to migrate."""
    from tests.test_store import _at_schema

    row = "INSERT INTO users (name, password_hash, created_at) VALUES ('mai', 'x', '2020-01-01T00:00:00+00:00')"
    asyncio.run(_at_schema(empty_database_target, 14, [row]))
    done = _run_on(empty_database_target, command, tmp_path)
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1), done
    assert f"schema version 14 is older than this reader's ({SCHEMA_VERSION}); run `reader migrate`" in done.stderr
    assert asyncio.run(_schema_of(empty_database_target)) == 14
    # serve and migrate still migrate (as documented); then the command works.
    assert reader("migrate", "--db", str(empty_database_target)).returncode == 0
    assert asyncio.run(_schema_of(empty_database_target)) == SCHEMA_VERSION
    after = _run_on(empty_database_target, command, tmp_path)
    # (the account mai is there already; there is no token to revoke)
    refusals = (
        "reader: error: an account named 'mai' already exists\n",
        "reader: error: there is no token named 'ci'\n",
    )
    assert after.returncode == 0 or (after.returncode, after.stderr in refusals) == (2, True), after
