"""kill -9 in the middle of `reader import` of 10,000 articles: the database passes integrity_check, holds
exactly the state before the import (never part of it), and the same import run again gives what a clean
run gives. bench/crash_consistency.py runs the same at several kill points and prints the figures."""

from __future__ import annotations

from pathlib import Path

from tests.crashkit import Scenario, copy_database, dump, import_killed, integrity, run_import, wal_size

MB = 1024 * 1024


def test_kill_9_mid_import_leaves_the_state_before_and_a_rerun_matches_a_clean_run(tmp_path: Path) -> None:
    scenario = Scenario.build(tmp_path, count=10_000, before=1_000)
    assert (len(scenario.before), len(scenario.after)) == (1_000, 10_000)

    crashed = copy_database(scenario.before_db, tmp_path / "crashed.db")
    # The import's one transaction writes ~40 MB of pages into the WAL before its commit; at 8 MB it is
    # well inside it.
    kill = import_killed(crashed, scenario.source, wal_bytes=8 * MB)
    assert kill.killed, f"the import ended ({kill.returncode}) before its WAL reached 8 MB"
    assert wal_size(crashed) >= 8 * MB  # the uncommitted pages are there for SQLite to discard

    assert integrity(crashed) == "ok"
    rows = dump(crashed)
    assert scenario.state_of(rows) == "before", f"{len(rows)} articles after the crash"

    run_import(crashed, scenario.source)
    assert dump(crashed) == scenario.after
    assert integrity(crashed) == "ok" and wal_size(crashed) == 0
