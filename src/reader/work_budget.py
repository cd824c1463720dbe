"""A budget of work per client, for a public endpoint whose cost grows with what it is sent.

POST /api/readability needs no account, and a report costs 1 to 2.5 seconds of CPU per MiB of plain text,
and several times that for dense markup (sanitizing, the report and the layout checks visit every element:
1,000 short paragraphs with a link each, 80 KB, take 0.6 s once warm, 8 s a MiB, and took 11 before the
layout checks parsed each document once instead of twice). One client sending megabytes in a
loop would keep every core busy. Each client address (an IPv6 client: its /64, as sign-in throttling
counts it) gets a token bucket of bytes: `burst` at once, refilled at `rate` bytes a second. A request
that would overdraw it is refused (429, with the seconds until it would fit) before any work is done; the
request's size is taken up front, and once the work is done, the CPU time it took beyond what its size
pays for at NOMINAL_SECONDS_PER_MIB is taken too (`charge`, which may leave the bucket owing: the client
then waits longer). So what a client may make the server do is bounded in CPU time, whatever it sends.

The budget is each process's own: it protects that process's CPU, which is what it is for, so with
`--workers N` a client may send N times as much to the whole server (and no database round trip is added
to a request that costs milliseconds).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Final

from reader.throttle import address_key

# About 5 seconds of report work at once, then about a sixth of a core's time at most, per client: many
# articles of a few dozen KB a second, for a newsroom's tools, and no megabytes in a loop.
REPORT_BURST_BYTES: Final = 2 * 1024 * 1024
REPORT_RATE_BYTES: Final = 64 * 1024
# What a byte of the budget pays for: a MiB of plain text's report.
NOMINAL_SECONDS_PER_MIB: Final = 2.5
# Clients remembered at most; beyond that, those whose bucket is full again are forgotten (the client
# chooses its address, within what the network lets it: nothing it sends may grow this without bound).
MAX_CLIENTS: Final = 10_000


class WorkBudget:
    """Token buckets of bytes per client address."""

    def __init__(
        self,
        *,
        burst: int = REPORT_BURST_BYTES,
        rate: int = REPORT_RATE_BYTES,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.rate = rate
        self.max_clients = max_clients
        self._clock = clock
        # By client key: the bytes left, and when that was so.
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, host: str | None, amount: int) -> int:
        """Take `amount` bytes from the client's bucket: 0 when they were there, else the whole seconds
        until they would be (nothing is taken then). More than `burst` takes a whole full bucket: such a
        request waits for one, but is never refused for ever."""
        now = self._clock()
        key = address_key(host)
        amount = min(amount, self.burst)
        left, since = self._buckets.get(key, (self.burst, now))
        left = min(self.burst, left + (now - since) * self.rate)
        if amount > left:
            return max(1, math.ceil((amount - left) / self.rate))
        if key not in self._buckets and len(self._buckets) >= self.max_clients:
            self._forget(now)
        self._buckets[key] = (left - amount, now)
        return 0

    def charge(self, host: str | None, amount: int) -> None:
        """Take `amount` more bytes from the client's bucket, after the work: it may owe them (below zero),
        and its next request then waits until they are paid back as well."""
        if amount <= 0:
            return
        now = self._clock()
        key = address_key(host)
        left, since = self._buckets.get(key, (self.burst, now))
        if key not in self._buckets and len(self._buckets) >= self.max_clients:
            self._forget(now)
        self._buckets[key] = (min(self.burst, left + (now - since) * self.rate) - amount, now)

    def _forget(self, now: float) -> None:
        """Forget the clients whose bucket has filled again (they lose nothing); all of them if none has."""
        full = [key for key, (left, since) in self._buckets.items() if left + (now - since) * self.rate >= self.burst]
        for key in full or list(self._buckets):
            del self._buckets[key]


def cpu_beyond_size(seconds: float, size: int) -> int:
    """The bytes of budget that `seconds` of CPU time cost beyond what `size` bytes paid for up front."""
    return max(0, round(seconds / NOMINAL_SECONDS_PER_MIB * 1024 * 1024) - size)
