"""kill -9 in the middle of `reader import`: the database passes integrity_check, holds exactly the state
before the import (never part of it), and the same import run again gives what a clean run gives. The
default run imports 2,500 articles; the slow tier (`pytest -m slow`) 10,000. bench/crash_consistency.py runs
the same at several kill points and prints the figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crashkit import Scenario, copy_database, dump, import_killed, integrity, run_import, wal_size

MB = 1024 * 1024


# The import's one transaction writes about 4.4 kB of pages per new article into the WAL before its commit
# (~40 MB for 9,000): the kill point is a fifth of the way in.
@pytest.mark.parametrize(
    ("count", "before", "kill_at"),
    [(2_500, 250, 2 * MB), pytest.param(10_000, 1_000, 8 * MB, marks=pytest.mark.slow)],
    ids=["2500", "10000"],
)
def test_kill_9_mid_import_leaves_the_state_before_and_a_rerun_matches_a_clean_run(
    tmp_path: Path, count: int, before: int, kill_at: int
) -> None:
    scenario = Scenario.build(tmp_path, count=count, before=before)
    assert (len(scenario.before), len(scenario.after)) == (before, count)

    crashed = copy_database(scenario.before_db, tmp_path / "crashed.db")
    kill = import_killed(crashed, scenario.source, wal_bytes=kill_at)
    assert kill.killed, f"the import ended ({kill.returncode}) before its WAL reached {kill_at // MB} MB"
    assert wal_size(crashed) >= kill_at  # the uncommitted pages are there for SQLite to discard

    assert integrity(crashed) == "ok"
    rows = dump(crashed)
    assert scenario.state_of(rows) == "before", f"{len(rows)} articles after the crash"

    run_import(crashed, scenario.source)
    assert dump(crashed) == scenario.after
    assert integrity(crashed) == "ok" and wal_size(crashed) == 0
