"""Sign-in throttling: at most MAX_FAILURES failed sign-ins per client address and per account name in
FAILURE_WINDOW_SECONDS, counted in the database so that every worker process and every node shares them.

Times are the nodes' wall clocks (seconds since the epoch): nodes sharing a database keep their clocks in
step (NTP), as they must for session expiry too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from reader.db import Database

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    """Failed sign-ins per key ("ip:…", "name:…"); a key with MAX_FAILURES recent ones waits."""

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

    async def retry_after(self, *keys: str) -> int:
        """Seconds until another attempt is allowed for all of the keys (0: allowed now)."""
        now = self.clock()
        marks = ",".join("?" * len(keys))
        rows = await self.db.fetch_all(
            f"SELECT count(*) AS failures, min(at) AS first FROM login_failures WHERE key IN ({marks}) AND at > ? "
            "GROUP BY key",
            (*keys, now - self.window),
        )
        waits = [row["first"] + self.window - now for row in rows if row["failures"] >= self.max_failures]
        return int(max(waits)) + 1 if waits else 0

    async def failed(self, *keys: str) -> None:
        """Count a failed attempt against each key (and forget failures older than the window)."""
        now = self.clock()
        async with self.db.transaction(touches=()) as tx:
            await tx.execute("DELETE FROM login_failures WHERE at <= ?", (now - self.window,))
            await tx.execute_many("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(key, now) for key in keys])

    async def succeeded(self, key: str) -> None:
        """A right password: the key's failures are forgotten."""
        async with self.db.transaction(touches=()) as tx:
            await tx.execute("DELETE FROM login_failures WHERE key = ?", (key,))
