"""Sign-in throttling: at most MAX_FAILURES sign-ins that were not right per client address and per account
name in FAILURE_WINDOW_SECONDS, counted in the database so that every worker process and every node shares
them.

An attempt is counted *before* its password is checked, in one transaction that holds a lock on its keys:
requests sent in parallel are counted one after another, so no more than MAX_FAILURES of them ever reach
the (slow) password check, however many arrive at once. A right password takes its own attempt back and
forgets the account's failures; a wrong one stays counted.

Times are the nodes' wall clocks (seconds since the epoch): nodes sharing a database keep their clocks in
step (NTP), as they must for session expiry too.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from reader.db import Database, DatabaseUnavailable, Row

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
# The lock (Transaction.lock) every transaction that deletes attempts takes first, so that no two of them run at
# once: on PostgreSQL a DELETE locks its rows in the order its scan meets them, and the deletes here meet the
# same rows in different orders. `user unlock` deletes an account's rows by key, then its attempts' address
# rows by mark; a right password its own attempt's rows (address first), then the account's others; the
# pruning what has left the window, in the order of `at` or of the table. Two of them at once could each hold
# a row the other wanted next: PostgreSQL then breaks one off (deadlock detected, 40P01) after a second, and
# the unlock or the sign-in failed (503) or the pruning was lost (tests/test_throttle.py provokes each). Taken
# whole, one after another, they wait instead, and each only for as long as the one before takes (a few
# statements on indexed rows); on PostgreSQL the pruning does not wait for this lock at all
# (Transaction.try_lock): it is left to the next attempt while another delete runs. Counting an attempt only
# inserts rows, which no delete waits for: it takes its keys' locks, never this one. Not a key's name: keys
# begin "ip:" or "name:". (SQLite: nothing to do, its write transactions already run one at a time; the pruning
# waits at BEGIN IMMEDIATE for the write lock, as every write does.)
DELETES_LOCK = "login_failures"
# One IPv6 client usually holds a whole /64 (every address in it is theirs to use): it counts as one.
IPV6_CLIENT_PREFIX = 64


def address_key(host: str | None) -> str:
    """The throttling key of a client address: the address, or its /64 network for IPv6."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return f"ip:{host or '?'}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1 (a dual-stack listener)
            return f"ip:{address.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False)}"
    return f"ip:{address}"


def account_key(name: str) -> str:
    """The throttling key of an account name (names are unique whatever their case)."""
    return f"name:{name.lower()}"


@dataclass(frozen=True, slots=True)
class Attempt:
    """A sign-in attempt: counted against its keys (retry_after 0), or refused without being counted
    (retry_after: seconds until one may be made)."""

    keys: tuple[str, ...]
    mark: str
    retry_after: int = 0


class LoginThrottle:
    """Sign-in attempts per key ("ip:…", "name:…"); a key with MAX_FAILURES recent ones waits."""

    def __init__(
        self,
        db: Database,
        max_failures: int = MAX_FAILURES,
        window: float = FAILURE_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.max_failures = max_failures
        self.window = window
        self.clock = clock

    async def attempt(self, *keys: str) -> Attempt:
        """Count an attempt against every key, unless one of them has had MAX_FAILURES recent ones: then
        nothing is counted and the attempt says how long to wait. Call before checking the password."""
        now = self.clock()
        mark = secrets.token_hex(8)
        async with self.db.transaction(touches=()) as tx:
            # Parallel attempts on any of these keys, on any node, wait here: each counts what those
            # before it wrote.
            await tx.lock(*keys)
            marks = ",".join("?" * len(keys))
            rows = await tx.fetch_all(
                f"SELECT key, at FROM login_failures WHERE key IN ({marks}) AND at > ? ORDER BY at DESC",
                (*keys, now - self.window),
            )
            wait = self._wait(rows, now)
            if wait:
                return Attempt(keys, mark, wait)
            await tx.execute_many(
                "INSERT INTO login_failures (key, at, attempt) VALUES (?, ?, ?)", [(key, now, mark) for key in keys]
            )
        with suppress(DatabaseUnavailable):  # tidying only: the next attempt does it again
            async with self.db.transaction(touches=()) as tx:
                # Not waiting for DELETES_LOCK: while another delete holds it (an unlock of every account on a
                # large table, a flood of attempts each pruning), waiting attempts would each hold a pooled
                # connection and starve ordinary requests. The next attempt prunes instead.
                if await tx.try_lock(DELETES_LOCK):
                    await tx.execute("DELETE FROM login_failures WHERE at <= ?", (now - self.window,))
        return Attempt(keys, mark)

    def _wait(self, rows: Sequence[Row], now: float) -> int:
        """Seconds until every key has fewer than MAX_FAILURES attempts in the window (0: now)."""
        newest_first: dict[str, list[float]] = {}
        for row in rows:
            newest_first.setdefault(row["key"], []).append(float(row["at"]))
        waits = [
            times[self.max_failures - 1] + self.window - now
            for times in newest_first.values()
            if len(times) >= self.max_failures
        ]
        return int(max(waits)) + 1 if waits else 0

    async def succeeded(self, attempt: Attempt, *forget: str) -> None:
        """The password was right: take the attempt back from its keys, and forget every earlier attempt
        on the `forget` keys (the account's)."""
        # Only the account's rows inside the window: older ones count no more, and are the pruning's.
        since = self.clock() - self.window
        async with self.db.transaction(touches=()) as tx:
            await tx.lock(DELETES_LOCK)
            marks = ",".join("?" * len(attempt.keys))
            await tx.execute(f"DELETE FROM login_failures WHERE key IN ({marks}) AND attempt = ?",
                             (*attempt.keys, attempt.mark))  # fmt: skip
            for key in forget:
                await tx.execute("DELETE FROM login_failures WHERE key = ? AND at > ?", (key, since))

    async def unlock(self, name: str | None) -> int:
        """Forget the sign-in attempts that block the account `name` (None: every attempt on every key);
        how many attempts were forgotten. An attempt is counted against the account's key and its client's
        address with one mark: the address rows of the account's attempts go too, so the client that
        locked the account out can sign in again, while what that address tried on other accounts stays."""
        async with self.db.transaction(touches=()) as tx:
            if name is None:
                await tx.lock(DELETES_LOCK)
                found = await tx.fetch_one("SELECT count(DISTINCT attempt) AS n FROM login_failures")
                await tx.execute("DELETE FROM login_failures")
                return int(found["n"]) if found else 0
            key = account_key(name)
            # The account's key too: an attempt on it being counted now is counted wholly before the unlock
            # (and forgotten) or after it. In one call: locks are taken in one order (Transaction.lock).
            await tx.lock(DELETES_LOCK, key)
            marks = [row["attempt"] for row in await tx.fetch_all(
                "SELECT DISTINCT attempt FROM login_failures WHERE key = ?", (key,))]  # fmt: skip
            await tx.execute("DELETE FROM login_failures WHERE key = ?", (key,))
            for mark in marks:
                # Rows from before attempts were marked share the empty mark: only the account's own go.
                if mark:
                    await tx.execute("DELETE FROM login_failures WHERE attempt = ?", (mark,))
            return len(marks)
