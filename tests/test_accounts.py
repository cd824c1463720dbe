"""reader.accounts on both backends: accounts, sessions, API tokens, secrets, and races between nodes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

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
    user = await accounts.verify_login("mai", PASSWORD)
    assert user is not None and user.name == "Mai"
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
    user = await accounts.verify_login("mai", PASSWORD)
    assert user is not None
    token = await accounts.create_session(user)
    session = await accounts.session(token)
    assert session is not None and session.user == user and session.csrf_token
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
