"""Sign-in throttling, counted in the database (both backends) and so shared by processes and nodes:
attempts are counted before the password is checked, so parallel guesses cannot slip past the limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from scripts.pgcluster import PostgresCluster

from reader.accounts import AccountStore, Login
from reader.app import create_app
from reader.db import Database
from reader.settings import Settings
from reader.throttle import FAILURE_WINDOW_SECONDS, MAX_FAILURES, LoginThrottle, account_key, address_key
from tests.conftest import (
    EDITOR_PASSWORD,
    AuthActions,
    ServedApp,
    client_for,
    csrf_token,
    new_pg_database,
    opened_nodes,
    served,
)
from tests.serverproc import Server, new_site
from tests.test_accounts import ChangedWhileVerifying
from tests.test_cli import reader

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def fail(throttle: LoginThrottle, *keys: str) -> int:
    """One attempt whose password turns out wrong; its retry_after (0: it was counted)."""
    return (await throttle.attempt(*keys)).retry_after


async def test_five_attempts_make_a_key_wait_out_the_window(database: Database) -> None:
    clock = Clock()
    throttle = LoginThrottle(database, clock=clock)
    for _ in range(MAX_FAILURES):
        assert await fail(throttle, "ip:1", "name:mai") == 0
        clock.now += 1
    clock.now -= 1
    wait = await fail(throttle, "ip:1", "name:other")
    assert wait == FAILURE_WINDOW_SECONDS - (MAX_FAILURES - 1) + 1
    assert await fail(throttle, "name:mai") == wait
    # Refused attempts are not counted: name:other is as free as before.
    assert await fail(throttle, "ip:2", "name:other") == 0
    clock.now += wait
    assert await fail(throttle, "ip:1", "name:mai") == 0


async def test_the_wait_runs_until_fewer_than_five_remain(database: Database) -> None:
    """With more rows than the limit (written by an older release during an upgrade), the wait lasts until
    the fifth newest leaves the window, not just the oldest."""
    clock = Clock()
    async with database.transaction(touches=()) as tx:
        await tx.execute_many(
            "INSERT INTO login_failures (key, at) VALUES (?, ?)", [("ip:1", clock.now - 100 + n) for n in range(8)]
        )
    fifth_newest = clock.now - 100 + 3
    wait = await fail(LoginThrottle(database, clock=clock), "ip:1")
    assert wait == int(fifth_newest + FAILURE_WINDOW_SECONDS - clock.now) + 1


async def test_a_right_password_takes_its_attempt_back_and_clears_the_account(database: Database) -> None:
    throttle = LoginThrottle(database, clock=Clock())
    for _ in range(MAX_FAILURES - 1):
        await fail(throttle, "ip:1", "name:mai")
    right = await throttle.attempt("ip:1", "name:mai")
    assert right.retry_after == 0
    await throttle.succeeded(right, "name:mai")
    rows = await database.fetch_all("SELECT key FROM login_failures ORDER BY key")
    assert [row["key"] for row in rows] == ["ip:1"] * (MAX_FAILURES - 1)
    # The address still carries its four wrong guesses: one more and it waits.
    assert await fail(throttle, "ip:1", "name:other") == 0
    assert await fail(throttle, "ip:1", "name:third") > 0


async def test_many_editors_signing_in_from_one_address_are_not_locked_out(database: Database) -> None:
    """An office behind one address: right passwords do not count against it."""
    throttle = LoginThrottle(database, clock=Clock())
    for n in range(3 * MAX_FAILURES):
        attempt = await throttle.attempt("ip:office", f"name:editor{n}")
        assert attempt.retry_after == 0
        await throttle.succeeded(attempt, f"name:editor{n}")


async def test_old_attempts_are_forgotten(database: Database) -> None:
    clock = Clock()
    throttle = LoginThrottle(database, clock=clock)
    await fail(throttle, "ip:1")
    clock.now += FAILURE_WINDOW_SECONDS + 1
    await fail(throttle, "ip:2")
    assert await database.fetch_all("SELECT key FROM login_failures") == [{"key": "ip:2"}]


async def test_attempts_through_any_node_count_together(database_target: str | Path) -> None:
    """Three processes or nodes, each with its own connections: the sixth attempt is refused wherever it
    lands (an in-memory count would allow five per node)."""
    async with opened_nodes(database_target, 3) as nodes:
        clock = Clock()
        throttles = [LoginThrottle(node, clock=clock) for node in nodes]
        for attempt in range(MAX_FAILURES):
            assert await fail(throttles[attempt % 3], "ip:1", "name:mai") == 0
        assert all([await fail(t, "ip:9", "name:mai") > 0 for t in throttles])


async def test_parallel_attempts_through_several_nodes_are_counted_one_by_one(database_target: str | Path) -> None:
    async with opened_nodes(database_target, 3) as nodes:
        throttles = [LoginThrottle(node, clock=Clock()) for node in nodes]
        attempts = await asyncio.gather(*(throttles[n % 3].attempt(f"ip:{n}", "name:mai") for n in range(20)))
    assert sum(attempt.retry_after == 0 for attempt in attempts) == MAX_FAILURES


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("192.0.2.7", "ip:192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "ip:2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "ip:2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "ip:192.0.2.7"),
        (None, "ip:?"),
        ("unix-socket", "ip:unix-socket"),
    ],
)
def test_one_ipv6_client_is_one_key_for_its_whole_64(host: str | None, key: str) -> None:
    assert address_key(host) == key


def test_account_keys_ignore_case() -> None:
    assert account_key("Mai") == account_key("mAI") == "name:mai"


# ------------------------------------------------------------------ over HTTP


@pytest.fixture
async def site(database_target: str | Path) -> AsyncIterator[ServedApp]:
    """A reader app on each backend, with the account "someone"."""
    target = {"db_path": database_target} if isinstance(database_target, Path) else {"db_url": database_target}
    async with served(create_app(Settings(**target))) as app:  # type: ignore[arg-type]
        await app.state["accounts"].add_user("someone", EDITOR_PASSWORD)
        yield app


async def sign_in_from(app: ServedApp, address: str, name: str, password: str) -> int:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        form = await http.get("/editor/login")
        answer = await http.post(
            "/editor/login", data={"name": name, "password": password, "csrf_token": csrf_token(form.text)}
        )
    return answer.status_code


@pytest.fixture
def counted_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names whose passwords reach the (slow, Argon2) check."""
    checked: list[str] = []
    verify = AccountStore.verify_login

    async def counting(self: AccountStore, name: str, password: str) -> Login | None:
        checked.append(name)
        return await verify(self, name, password)

    monkeypatch.setattr(AccountStore, "verify_login", counting)
    yield checked


async def test_parallel_guesses_reach_the_password_check_at_most_five_times(
    site: ServedApp, counted_checks: list[str]
) -> None:
    """Twenty wrong passwords sent at once, from twenty addresses: checked five times, refused fifteen."""
    statuses = await asyncio.gather(*(sign_in_from(site, f"198.51.100.{n}", "someone", "wrong") for n in range(20)))
    assert len(counted_checks) <= MAX_FAILURES
    assert sorted(statuses) == [401] * MAX_FAILURES + [429] * (20 - MAX_FAILURES)


async def test_an_account_is_limited_whatever_addresses_the_guesses_come_from(site: ServedApp) -> None:
    statuses = [await sign_in_from(site, f"203.0.113.{n}", "SomeOne", "wrong") for n in range(MAX_FAILURES + 1)]
    assert statuses == [401] * MAX_FAILURES + [429]
    assert await sign_in_from(site, "203.0.113.99", "someone", EDITOR_PASSWORD) == 429
    # Another account from those addresses is not affected.
    await site.state["accounts"].add_user("other", EDITOR_PASSWORD)
    assert await sign_in_from(site, "203.0.113.1", "other", EDITOR_PASSWORD) == 303


async def test_an_address_is_limited_whatever_names_it_tries(site: ServedApp) -> None:
    statuses = [await sign_in_from(site, "2001:db8::1", f"name{n}", "wrong") for n in range(MAX_FAILURES)]
    # The same client, from another address of its /64.
    statuses.append(await sign_in_from(site, "2001:db8::2", "someone", EDITOR_PASSWORD))
    assert statuses == [401] * MAX_FAILURES + [429]


async def test_a_sign_in_that_straddles_a_password_reset_is_a_wrong_password(
    site: ServedApp, database_target: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old password, right when it was read, reset on another node while it was being checked: the form
    says "Wrong name or password." ("Sai tên hoặc mật khẩu.": no session, no error page), and the attempt
    counts as a failure."""
    async with opened_nodes(database_target, count=1) as (other_node,):
        other = AccountStore(other_node)
        ChangedWhileVerifying(monkeypatch, lambda: other.set_password("someone", "a new long password"))
        transport = httpx.ASGITransport(app=site, client=("192.0.2.50", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            form = await http.get("/editor/login")
            fields = {"name": "someone", "password": EDITOR_PASSWORD, "csrf_token": csrf_token(form.text)}
            answer = await http.post("/editor/login", data=fields)
            assert answer.status_code == 401 and "Sai tên hoặc mật khẩu." in answer.text
            assert "reader_session" not in answer.cookies
        counted = await site.state["db"].fetch_all("SELECT key FROM login_failures ORDER BY key")
        assert [row["key"] for row in counted] == ["ip:192.0.2.50", "name:someone"]
        assert await site.state["db"].fetch_all("SELECT token_hash FROM sessions") == []


async def test_look_alike_names_do_not_get_around_an_accounts_limit(site: ServedApp) -> None:
    """PostgreSQL lowers "İ" to "i" where Python makes "i̇" of it: were "admİn" looked up, it would reach the
    account "admin" under a throttle key of its own. Names outside letters, digits, . _ - are not looked up."""
    await site.state["accounts"].add_user("admin", EDITOR_PASSWORD)
    statuses = [await sign_in_from(site, f"192.0.2.{n}", "admin", "wrong") for n in range(MAX_FAILURES)]
    assert statuses == [401] * MAX_FAILURES
    assert await sign_in_from(site, "192.0.2.99", "admİn", EDITOR_PASSWORD) == 401
    assert await site.state["accounts"].verify_login("admİn", EDITOR_PASSWORD) is None
    assert await site.state["accounts"].verify_login("admin\n", EDITOR_PASSWORD) is None
    assert await site.state["accounts"].verify_login("ADMIN", EDITOR_PASSWORD) is not None


async def test_two_app_processes_on_one_file_share_the_count(tmp_path: Path) -> None:
    """Two reader apps on one database (as two worker processes or two nodes are): five wrong passwords
    spread over both, and the sixth attempt is refused by either."""
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


def test_behind_a_trusted_proxy_a_client_cannot_choose_its_address(tmp_path: Path) -> None:
    """`reader serve` with READER_TRUST_PROXY: X-Forwarded-For is read from the right, where the trusted
    proxy (127.0.0.1 here) appended the address it saw; what the client wrote to the left is not believed.
    Without it every client would share the proxy's address."""
    db = new_site(tmp_path / "site.db")
    assert reader("user", "add", "someone", "--db", str(db), stdin=EDITOR_PASSWORD + "\n").returncode == 0
    env = {"READER_TRUST_PROXY": "true", "READER_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    server = Server(db=db, directory=tmp_path, env=env).start()

    def sign_in(forwarded_for: str, name: str, password: str) -> int:
        headers = {"x-forwarded-for": forwarded_for}
        with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", headers=headers, timeout=30) as http:
            form = http.get("/editor/login")
            data = {"name": name, "password": password, "csrf_token": csrf_token(form.text)}
            return http.post("/editor/login", data=data).status_code

    try:
        # A client forging a new address each time, through a second proxy (10.0.0.5, trusted too).
        statuses = [sign_in(f"192.0.2.{n}, 203.0.113.7, 10.0.0.5", f"nobody{n}", "x") for n in range(6)]
        assert statuses == [401] * MAX_FAILURES + [429]
        # Another client behind the same proxies is not locked out.
        assert sign_in("198.51.100.1, 10.0.0.5", "someone", EDITOR_PASSWORD) == 303
    finally:
        server.stop()
    assert "Traceback" not in server.log()


# ---------------------------------------------------------------- deletes that meet on PostgreSQL


async def _lock_waits(db: Database, count: int) -> None:
    """Wait until `count` statements on the database wait for a lock (a row's or an advisory one)."""
    for _ in range(200):
        waiting = await db.fetch_one(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting is not None and int(waiting["n"]) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"fewer than {count} statements came to wait for a lock")


@pytest.mark.parametrize("meeting", ["unlock and sign-in", "unlock and pruning", "two sign-ins"])
async def test_deletes_of_sign_in_attempts_that_meet_wait_for_each_other_without_a_deadlock(
    pg_cluster: PostgresCluster, meeting: str
) -> None:
    """`reader user unlock` deletes an account's attempts by key, then their address rows by attempt; a right
    password deletes its own attempt's rows (address, then account), then the account's others; an attempt
    prunes what has left the window: each in the order its scan meets the rows. Two of them at once could
    each hold a row the other wanted next, and PostgreSQL broke one off (deadlock detected, 40P01): the
    unlock or the sign-in failed, or the pruning was lost. Here another transaction holds one of the
    account's rows, so that each comes to wait where it would, then lets it go: both must finish, and
    delete what they are for. (SQLite's writes run one at a time: nothing to meet.)"""
    url = new_pg_database(pg_cluster)
    async with opened_nodes(url, 3) as (first_node, second_node, observer):
        clock = Clock()
        throttles = (LoginThrottle(first_node, clock=clock), LoginThrottle(second_node, clock=clock))
        first = await throttles[0].attempt("ip:0", "name:mai")  # its rows: ip:0, then name:mai
        clock.now += 1
        older = await throttles[0].attempt("ip:1", "name:mai")
        other = await throttles[0].attempt("ip:9", "name:lan")
        clock.now += 1
        newer = await throttles[0].attempt("ip:2", "name:mai")
        holder = await asyncpg.connect(url)
        try:
            held = holder.transaction()
            await held.start()
            # The unlock deletes name:mai's first and older rows, then waits for the newer one; two right
            # passwords each delete their own rows, then wait for the first one.
            kept = first if meeting == "two sign-ins" else newer
            await holder.execute(
                "SELECT 1 FROM login_failures WHERE attempt = $1 AND key = 'name:mai' FOR UPDATE", kept.mark
            )
            if meeting == "two sign-ins":
                waits = [throttles[0].succeeded(older, "name:mai"), throttles[1].succeeded(newer, "name:mai")]
            elif meeting == "unlock and sign-in":
                waits = [throttles[1].unlock("mai"), throttles[0].succeeded(older, "name:mai")]
            else:
                clock.now += FAILURE_WINDOW_SECONDS - 0.5  # only the newer attempt is still in the window
                waits = [throttles[1].unlock("mai"), throttles[0].attempt("ip:5", "name:an")]
            tasks = []
            for n, work in enumerate(waits):
                tasks.append(asyncio.ensure_future(work))
                if meeting == "unlock and pruning" and n == 1:
                    # The pruning does not wait for the unlock: the attempt ends while the unlock still waits.
                    await asyncio.wait_for(asyncio.shield(tasks[1]), 10)
                    assert not tasks[0].done()
                else:
                    await _lock_waits(observer, n + 1)
            await held.rollback()
            outcomes = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        finally:
            await holder.close()
        assert not [outcome for outcome in outcomes if isinstance(outcome, BaseException)], outcomes
        rows = await observer.fetch_all("SELECT key, attempt FROM login_failures")
        left = {(row["key"], row["attempt"]) for row in rows}
    if meeting == "two sign-ins":
        assert left == {("ip:0", first.mark), ("ip:9", other.mark), ("name:lan", other.mark)}
    elif meeting == "unlock and sign-in":
        assert outcomes[0] == 3 and left == {("ip:9", other.mark), ("name:lan", other.mark)}
    else:
        # The unlock took mai's attempts; the pruning, finding it at work, left lan's old rows to the next
        # attempt rather than wait (a waiting prune holds a pooled connection), which then takes them.
        assert outcomes[0] == 3 and sorted(key for key, _ in left) == ["ip:5", "ip:9", "name:an", "name:lan"]
        async with opened_nodes(url, 1) as (node,):
            await LoginThrottle(node, clock=clock).attempt("ip:6", "name:an")
            rows = await node.fetch_all("SELECT key FROM login_failures ORDER BY key")
        assert [row["key"] for row in rows] == ["ip:5", "ip:6", "name:an", "name:an"]
