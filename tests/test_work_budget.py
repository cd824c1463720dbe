"""Report work per client (reader.work_budget): a burst, a steady rate, a refusal that says how long, and
a table that stays bounded whatever addresses clients come from."""

from __future__ import annotations

from reader.work_budget import NOMINAL_SECONDS_PER_MIB, WorkBudget, cpu_beyond_size


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_rate_and_a_refusal_that_says_how_long() -> None:
    clock = Clock()
    budget = WorkBudget(burst=1000, rate=100, clock=clock)
    assert budget.take("192.0.2.1", 600) == 0
    assert budget.take("192.0.2.1", 400) == 0  # the whole burst
    assert budget.take("192.0.2.1", 250) == 3  # 250 bytes at 100 a second: 2.5 s, said as 3
    clock.now += 2.5
    assert budget.take("192.0.2.1", 250) == 0  # a refusal took nothing
    assert budget.take("192.0.2.1", 1) == 1  # never "0 seconds" for a refusal
    assert budget.take("192.0.2.2", 1000) == 0  # another client has its own
    clock.now += 3600
    assert budget.take("192.0.2.1", 1000) == 0 and budget.take("192.0.2.1", 1) == 1  # refilled up to the burst only


def test_more_than_the_burst_takes_a_whole_full_bucket_and_is_never_refused_for_ever() -> None:
    clock = Clock()
    budget = WorkBudget(burst=1000, rate=100, clock=clock)
    assert budget.take("192.0.2.1", 5000) == 0
    assert budget.take("192.0.2.1", 5000) == 10
    clock.now += 10
    assert budget.take("192.0.2.1", 5000) == 0


def test_an_ipv6_client_is_its_64_as_sign_in_throttling_counts_it() -> None:
    budget = WorkBudget(burst=1000, rate=100, clock=Clock())
    assert budget.take("2001:db8:1:2::1", 1000) == 0
    assert budget.take("2001:db8:1:2:ffff::9", 100) == 1  # the same /64
    assert budget.take("2001:db8:1:3::1", 100) == 0
    assert budget.take("::ffff:192.0.2.7", 1000) == 0 and budget.take("192.0.2.7", 100) == 1  # mapped IPv4


def test_the_table_of_clients_stays_bounded_and_forgets_only_those_who_lose_nothing() -> None:
    clock = Clock()
    budget = WorkBudget(burst=1000, rate=100, max_clients=3, clock=clock)
    assert budget.take("192.0.2.1", 1000) == 0  # empty: remembered
    for n in (2, 3):
        assert budget.take(f"192.0.2.{n}", 1) == 0
    clock.now += 0.1  # 192.0.2.2 and .3 are full again (1 byte back in 0.01 s); .1 is not
    assert budget.take("192.0.2.4", 1) == 0
    assert len(budget._buckets) <= 3
    assert budget.take("192.0.2.1", 100) == 1  # still owes: not forgotten


def test_work_that_cost_more_than_its_size_is_charged_after_and_may_be_owed() -> None:
    clock = Clock()
    budget = WorkBudget(burst=1000, rate=100, clock=clock)
    assert budget.take("192.0.2.1", 100) == 0
    budget.charge("192.0.2.1", 1400)  # it took the CPU time of 1,500 bytes: 500 owed now
    assert budget.take("192.0.2.1", 100) == 6  # the 500 owed and these 100, at 100 a second
    clock.now += 6
    assert budget.take("192.0.2.1", 100) == 0
    budget.charge("192.0.2.2", 0)  # nothing beyond its size: nothing changes
    assert budget.take("192.0.2.2", 1000) == 0


def test_cpu_time_is_counted_at_the_nominal_cost_of_a_byte() -> None:
    assert cpu_beyond_size(NOMINAL_SECONDS_PER_MIB, 1024 * 1024) == 0  # paid for by its size
    assert cpu_beyond_size(NOMINAL_SECONDS_PER_MIB, 1024) == 1024 * 1024 - 1024
    assert cpu_beyond_size(0.0, 5000) == 0
