"""Sign-in throttling, counted in the database (both backends) and so shared by processes and nodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.db import Database
from reader.throttle import FAILURE_WINDOW_SECONDS, MAX_FAILURES, LoginThrottle
from tests.conftest import opened_nodes

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_five_failures_make_a_key_wait_out_the_window(database: Database) -> None:
    clock = Clock()
    throttle = LoginThrottle(database, clock=clock)
    for _ in range(MAX_FAILURES - 1):
        await throttle.failed("ip:1", "name:mai")
        clock.now += 1
    assert await throttle.retry_after("ip:1", "name:mai") == 0
    await throttle.failed("ip:1", "name:mai")
    wait = await throttle.retry_after("ip:1", "name:other")
    assert wait == FAILURE_WINDOW_SECONDS - (MAX_FAILURES - 1) + 1
    assert await throttle.retry_after("name:mai") == wait
    assert await throttle.retry_after("ip:2", "name:other") == 0
    clock.now += wait
    assert await throttle.retry_after("ip:1", "name:mai") == 0


async def test_a_right_password_clears_the_accounts_failures(database: Database) -> None:
    throttle = LoginThrottle(database, clock=Clock())
    for _ in range(MAX_FAILURES):
        await throttle.failed("ip:1", "name:mai")
    await throttle.succeeded("name:mai")
    assert await throttle.retry_after("name:mai") == 0
    assert await throttle.retry_after("ip:1") > 0


async def test_old_failures_are_forgotten(database: Database) -> None:
    clock = Clock()
    throttle = LoginThrottle(database, clock=clock)
    await throttle.failed("ip:1")
    clock.now += FAILURE_WINDOW_SECONDS + 1
    await throttle.failed("ip:2")
    assert await database.fetch_all("SELECT key FROM login_failures") == [{"key": "ip:2"}]


async def test_failures_through_any_node_count_together(database_target: str | Path) -> None:
    """Three processes or nodes, each with its own connections: the sixth attempt is refused wherever it
    lands (an in-memory count would allow five per node)."""
    async with opened_nodes(database_target, 3) as nodes:
        clock = Clock()
        throttles = [LoginThrottle(node, clock=clock) for node in nodes]
        for attempt in range(MAX_FAILURES):
            assert await throttles[attempt % 3].retry_after("ip:1", "name:mai") == 0
            await throttles[attempt % 3].failed("ip:1", "name:mai")
        assert all([await t.retry_after("ip:9", "name:mai") > 0 for t in throttles])


async def test_two_app_processes_on_one_file_share_the_count(tmp_path: Path) -> None:
    """Two reader apps on one database (as two worker processes or two nodes are): five wrong passwords
    spread over both, and the sixth attempt is refused by either."""
    from reader.app import create_app
    from reader.settings import Settings
    from tests.conftest import AuthActions, client_for, served

    settings = Settings(db_path=tmp_path / "shared.db")
    async with served(create_app(settings)) as first, served(create_app(settings)) as second:
        async with client_for(first) as one, client_for(second) as two:
            auths = [AuthActions(first, one), AuthActions(second, two)]
            await auths[0].add_account("someone")
            statuses = []
            for attempt in range(6):
                answer = await auths[attempt % 2].sign_in_with_password("someone", "wrong")
                statuses.append(answer.status_code)
    assert statuses == [401, 401, 401, 401, 401, 429]
