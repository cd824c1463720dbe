"""reader.accounts on both backends: accounts, sessions, API tokens, secrets, and races between nodes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.from_thread
import pytest

import reader.accounts
from reader.accounts import AccountError, AccountStore
from reader.db import Database
from tests.conftest import opened_nodes

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery staple"


@pytest.fixture
def accounts(database: Database) -> AccountStore:
    return AccountStore(database)


async def test_an_account_signs_in_with_its_password_only(accounts: AccountStore) -> None:
    await accounts.add_user("Mai", PASSWORD)
    login = await accounts.verify_login("mai", PASSWORD)
    assert login is not None and login.user.name == "Mai"
    assert await accounts.verify_login("Mai", PASSWORD + "x") is None
    assert await accounts.verify_login("nobody", PASSWORD) is None


async def test_names_are_taken_whatever_their_case(accounts: AccountStore) -> None:
    await accounts.add_user("Mai", PASSWORD)
    # The account as it is stored, and why another spelling is the same name.
    with pytest.raises(AccountError) as taken:
        await accounts.add_user("MAI", PASSWORD)
    assert str(taken.value) == (
        "an account named 'Mai' already exists (names are case-insensitive: 'MAI' is the same name)"
    )
    with pytest.raises(AccountError) as same:
        await accounts.add_user("Mai", PASSWORD)
    assert str(same.value) == "an account named 'Mai' already exists"
    await accounts.create_token("Deploy")
    with pytest.raises(AccountError) as token:
        await accounts.create_token("deploy")
    assert str(token.value) == (
        "a token named 'Deploy' already exists (names are case-insensitive: 'deploy' is the same name); revoke it first"
    )


async def test_sessions_live_until_they_end(accounts: AccountStore) -> None:
    await accounts.add_user("mai", PASSWORD)
    login = await accounts.verify_login("mai", PASSWORD)
    assert login is not None
    token = await accounts.create_session(login)
    assert token is not None
    session = await accounts.session(token)
    assert session is not None and session.user == login.user and session.csrf_token
    await accounts.end_session(token)
    assert await accounts.session(token) is None


async def test_tokens_are_named_and_revoked(accounts: AccountStore) -> None:
    token = await accounts.create_token("ci")
    assert await accounts.token_name(token) == "ci"
    assert await accounts.revoke_token("CI") is True
    assert await accounts.token_name(token) is None
    assert await accounts.revoke_token("ci") is False


async def test_a_secret_is_made_once(accounts: AccountStore) -> None:
    first = await accounts.secret("session-signing")
    assert len(first) == 64 and await accounts.secret("session-signing") == first


async def test_two_nodes_adding_the_same_names_at_once(database_target: str | Path) -> None:
    """One of them gets the name, the other a clear AccountError (never a database error)."""
    async with opened_nodes(database_target) as nodes:
        stores = [AccountStore(node) for node in nodes]
        for n in range(4):
            users = await asyncio.gather(*(s.add_user(f"ed{n}", PASSWORD) for s in stores), return_exceptions=True)
            tokens = await asyncio.gather(*(s.create_token(f"t{n}") for s in stores), return_exceptions=True)
            secrets = await asyncio.gather(*(s.secret(f"k{n}") for s in stores))
            for outcomes in (users, tokens):
                errors = [o for o in outcomes if isinstance(o, BaseException)]
                assert len(errors) == 1 and isinstance(errors[0], AccountError), outcomes
            assert secrets[0] == secrets[1]


class ChangedWhileVerifying:
    """reader.accounts' password hasher, which runs `change` (on the event loop) while it checks a password,
    once: what `reader user password` or `user remove` on another node does while a sign-in is in Argon2, a
    window of a hundred milliseconds or more, here made certain."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, change: Callable[[], Awaitable[object]]) -> None:
        self._real = reader.accounts._hasher
        self._change: Callable[[], Awaitable[object]] | None = change
        monkeypatch.setattr(reader.accounts, "_hasher", self)

    def hash(self, password: str) -> str:
        return self._real.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        right = self._real.verify(hashed, password)  # the old password, right when it was read
        change, self._change = self._change, None
        if change is not None:
            anyio.from_thread.run(change)  # verify runs in a worker thread (anyio.to_thread)
        return right


@pytest.mark.parametrize("change", ["password", "remove"])
async def test_a_sign_in_that_straddles_a_reset_or_removal_gets_no_session(
    database_target: str | Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """The old password was right when it was read, but the account's sessions ended (on another node) before
    the sign-in's session was made: it gets none (and no database error), as a wrong password would."""
    async with opened_nodes(database_target) as nodes:
        signing_in, admin = AccountStore(nodes[0]), AccountStore(nodes[1])
        await admin.add_user("mai", PASSWORD)
        reset: Callable[[], Awaitable[object]] = lambda: admin.set_password("mai", "a new long password")  # noqa: E731
        removal: Callable[[], Awaitable[object]] = lambda: admin.remove_user("mai")  # noqa: E731
        ChangedWhileVerifying(monkeypatch, reset if change == "password" else removal)
        login = await signing_in.verify_login("mai", PASSWORD)
        assert login is not None  # verified against the hash as it was
        assert await signing_in.create_session(login) is None
        assert await admin.db.fetch_all("SELECT token_hash FROM sessions") == []
        # A sign-in that nothing straddles still gets its session (with the new password, after a reset).
        if change == "password":
            again = await signing_in.verify_login("mai", "a new long password")
            assert again is not None and await signing_in.create_session(again) is not None


async def _waiting_on_a_lock(db: Database) -> bool:
    """Whether a statement on the database waits for a lock (PostgreSQL), within two seconds."""
    for _ in range(40):
        waiting = await db.fetch_one(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting is not None and int(waiting["n"]):
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.parametrize("change", ["password", "remove"])
async def test_a_session_made_while_a_reset_commits_waits_for_it(
    database_target: str | Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """The session is made while the reset's (or removal's) transaction has ended the sessions but not yet
    committed: it waits for the commit and then finds the new hash (or no account), instead of reading the
    account as it was before and adding a session that the reset already missed."""
    async with opened_nodes(database_target) as nodes:
        signing_in, admin = AccountStore(nodes[0]), AccountStore(nodes[1])
        await admin.add_user("mai", PASSWORD)
        login = await signing_in.verify_login("mai", PASSWORD)
        assert login is not None
        made: list[str | None] = []
        transaction = nodes[1].transaction

        @asynccontextmanager
        async def committing_late(touches: Any = None) -> AsyncIterator[Any]:
            async with transaction(touches) as tx:
                yield tx
                # The reset's statements are done, its commit not: the sign-in's session now.
                task = asyncio.create_task(signing_in.create_session(login))
                if isinstance(database_target, str):
                    await _waiting_on_a_lock(nodes[1])
                else:  # SQLite: the session's transaction waits for the database's write lock
                    await asyncio.sleep(0.3)
                assert not task.done()
            made.append(await task)

        monkeypatch.setattr(nodes[1], "transaction", committing_late)
        if change == "password":
            await admin.set_password("mai", "a new long password")
        else:
            await admin.remove_user("mai")
        assert made == [None]
        assert await admin.db.fetch_all("SELECT token_hash FROM sessions") == []


class Clock:
    """reader.accounts' clock, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
        monkeypatch.setattr(reader.accounts, "_now", lambda: self.now)

    def at(self, seconds: int) -> str:
        return (dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)).isoformat()


async def _last_used(accounts: AccountStore) -> list[str | None]:
    return [token.last_at for token in await accounts.tokens()]


async def test_a_tokens_use_is_recorded_to_the_minute(accounts: AccountStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first request with a token records its time; those within the minute after it write nothing (no
    write transaction at all)."""
    clock = Clock(monkeypatch)
    token = await accounts.create_token("ci")
    writes: list[object] = []
    transaction = accounts.db.transaction
    monkeypatch.setattr(accounts.db, "transaction", lambda touches=None: writes.append(touches) or transaction(touches))
    assert await _last_used(accounts) == [None]
    assert await accounts.token_name(token) == "ci"
    assert (await _last_used(accounts), len(writes)) == ([clock.at(0)], 1)
    for _ in range(3):
        clock.now += dt.timedelta(seconds=19)
        assert await accounts.token_name(token) == "ci"
    assert (await _last_used(accounts), len(writes)) == ([clock.at(0)], 1)
    clock.now += dt.timedelta(seconds=3)
    assert await accounts.token_name(token) == "ci"
    assert (await _last_used(accounts), len(writes)) == ([clock.at(60)], 2)
    # A token that is not valid records nothing.
    assert await accounts.token_name(token + "x") is None
    assert (await _last_used(accounts), len(writes)) == ([clock.at(60)], 2)


async def test_nodes_that_see_the_same_stale_use_write_it_once(
    database_target: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two nodes read the token's last use as stale at once: the one whose write comes second finds it
    recent in its UPDATE and leaves the first one's time."""
    clock = Clock(monkeypatch)
    async with opened_nodes(database_target) as nodes:
        first, second = AccountStore(nodes[0]), AccountStore(nodes[1])
        token = await first.create_token("ci")
        reads = [await node.fetch_one("SELECT id, last_used_at FROM api_tokens") for node in nodes]
        assert all(row is not None and row["last_used_at"] is None for row in reads)
        assert await first.token_name(token) == "ci"  # writes 10:00:00
        clock.now += dt.timedelta(seconds=30)
        # The second node's request read the row before the first wrote it: it goes on to write.
        assert reads[1] is not None
        await second._token_used(reads[1]["id"], clock.now, clock.at(-60))
        assert await _last_used(second) == [clock.at(0)]


async def test_a_sign_in_is_recorded_with_its_session(
    database_target: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session records the account's last sign-in; a sign-in refused because the password changed while
    it was checked records none."""
    clock = Clock(monkeypatch)
    async with opened_nodes(database_target) as nodes:
        signing_in, admin = AccountStore(nodes[0]), AccountStore(nodes[1])
        await admin.add_user("mai", PASSWORD)
        await admin.add_user("an", PASSWORD)
        assert [user.last_at for user in await admin.users()] == [None, None]
        login = await signing_in.verify_login("mai", PASSWORD)
        assert login is not None and await signing_in.create_session(login) is not None
        assert [(user.name, user.last_at) for user in await admin.users()] == [("an", None), ("mai", clock.at(0))]
        clock.now += dt.timedelta(hours=1)
        ChangedWhileVerifying(monkeypatch, lambda: admin.set_password("mai", "a new long password"))
        login = await signing_in.verify_login("mai", PASSWORD)
        assert login is not None and await signing_in.create_session(login) is None
        assert [user.last_at for user in await admin.users()] == [None, clock.at(0)]
