#!/usr/bin/env python3
"""kill -9 during `reader import` of 10,000 articles, at several points, and what each crash left.

For every kill point: a copy of a database holding 1,000 articles, the import of 10,000 (the 1,000 changed,
9,000 new) started and SIGKILLed — after a delay (still validating) or when its -wal file reaches a size
(inside its write transaction); then PRAGMA integrity_check, which state the articles table holds
(before / after / mixture), and whether running the same import again gives what a clean run gives
(articles compared without ids and timestamps). Run from the repository root:

    python bench/crash_consistency.py [--count 10000] [--work DIR]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.crashkit import (  # noqa: E402  (the repository root must be on the path first)
    Scenario,
    copy_database,
    dump,
    import_killed,
    integrity,
    run_import,
    wal_size,
)

MB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="articles in the killed import")
    parser.add_argument("--work", type=Path, help="working directory (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reader-crash-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        return run(work, args.count)


def run(work: Path, count: int) -> int:
    print(
        f"machine: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )
    started = time.perf_counter()
    scenario = Scenario.build(work, count=count, before=count // 10)
    print(
        f"before: {len(scenario.before)} articles; import: {count} articles "
        f"({scenario.source.stat().st_size / MB:.1f} MB of JSON); after a clean run: {len(scenario.after)} "
        f"articles in {scenario.clean_seconds:.1f} s, its WAL up to {scenario.largest_wal / MB:.1f} MB "
        f"(set-up {time.perf_counter() - started:.1f} s)"
    )
    points: list[tuple[str, dict[str, Any]]] = [
        ("0.5 s (validating)", {"seconds": 0.5}),
        ("WAL >= 1 MB", {"wal_bytes": 1 * MB}),
        ("WAL >= 8 MB", {"wal_bytes": 8 * MB}),
        ("WAL >= 16 MB", {"wal_bytes": 16 * MB}),
        ("WAL >= 32 MB", {"wal_bytes": 32 * MB}),
        # The largest size the clean run's WAL was seen at (polled every millisecond).
        (f"WAL >= {scenario.largest_wal / MB:.1f} MB", {"wal_bytes": scenario.largest_wal}),
        # The main file grows only when the committed pages are copied back into it.
        ("checkpointing", {"checkpointing": True}),
    ]
    header = (
        f"{'kill point':<20} {'killed':>6} {'at s':>6} {'WAL MB':>7} {'integrity':>9} {'state':>8} {'rows':>6} "
        f"{'re-run s':>8} {'= clean':>7}"
    )
    print(header)
    print("-" * len(header))
    failures = 0
    for number, (label, trigger) in enumerate(points):
        crashed = copy_database(scenario.before_db, work / f"crashed-{number}.db")
        kill = import_killed(crashed, scenario.source, **trigger)
        left_wal = wal_size(crashed)
        check = integrity(crashed)
        rows = dump(crashed)
        state = scenario.state_of(rows)
        rerun = run_import(crashed, scenario.source)
        same = dump(crashed) == scenario.after and integrity(crashed) == "ok"
        failures += check != "ok" or state == "mixture" or not same
        print(
            f"{label:<20} {'yes' if kill.killed else 'no':>6} {kill.after_seconds:>6.2f} {left_wal / MB:>7.1f} "
            f"{check:>9} {state:>8} {len(rows):>6} {rerun:>8.1f} {'yes' if same else 'NO':>7}"
        )
        for path in crashed.parent.glob(f"{crashed.name}*"):
            path.unlink()
    print(f"{failures} failure(s) in {len(points)} kill points; total {time.perf_counter() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
