"""PostgreSQL figures: the same reader node on PostgreSQL and on SQLite, and freshness across nodes.

Run from the repository: ``.venv/bin/python bench/postgres.py`` (a few minutes; ``--quick`` for a smoke
run). Needs Debian's ``postgresql``, ``wrk`` and ``taskset``, and two CPUs. It starts a throwaway
PostgreSQL cluster of its own (scripts/pgcluster.py: fsync off, as the test suite runs it), fills a SQLite
file and a PostgreSQL database with the demo articles through ``reader migrate``, and measures:

1. cached page reads: the seed article with a preference cookie, from each node's answer cache (the
   database is off the hot path): PostgreSQL node / SQLite node, target ≥ 0.95;
2. uncached article renders: the same request with the answer cache off (READER_RESPONSE_CACHE_BYTES=0),
   so every request reads the article from the database and renders it; both figures are reported;
3. freshness across nodes: two PostgreSQL nodes; a PUT through node A, then node B polled every 1 ms over
   one keep-alive connection until it serves the new title; median, 90th percentile and max over the
   writes (target: median ≤ 100 ms, max ≤ 1 s).

For 1 and 2 it also prints each node's CPU time per request (user + system, median over the same runs): a figure
that other load on the machine hardly moves, unlike requests per second.

reader servers are pinned to CPU 0 and wrk to CPU 1 (bench/run.py's harness, runs alternated ABBA);
PostgreSQL itself is not pinned, so for uncached renders it shares the CPUs with both.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

import run  # noqa: E402
import sections  # noqa: E402
from scripts.pgcluster import PostgresCluster, reap_abandoned  # noqa: E402
from sections import write_section  # noqa: E402

READER = [sys.executable, "-m", "reader"]
NO_CACHE = ["env", "READER_RESPONSE_CACHE_BYTES=0"]
CACHED_TARGET = 0.95
FRESHNESS_MEDIAN_TARGET_MS = 100.0
FRESHNESS_MAX_TARGET_MS = 1000.0


def reader(*args: str) -> str:
    done = subprocess.run([*READER, *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def page_scenario() -> run.Scenario:
    return run.Scenario("page", "article page, cookie", "GET", f"/articles/{run.SEED}", {"Cookie": run.COOKIE})


def compare(load: run.Load, runs: int, label: str, pg: run.Server, sqlite: run.Server) -> tuple[float, str]:
    """Alternated wrk runs of the seed page on both nodes, with each node's CPU per request; (median ratio
    PG/SQLite, a table row)."""
    scenario = page_scenario()
    for server in (pg, sqlite):
        run.check_answer(scenario, run.request(server.port, "GET", scenario.path, scenario.headers))
    pg_runs, sqlite_runs = run.alternate(load, runs, [(label, scenario, (pg, sqlite))])[label]
    ratios = [a.wrk.rps / b.wrk.rps for a, b in zip(pg_runs, sqlite_runs, strict=True)]
    errors = sum(m.wrk.errors + m.wrk.non2xx for m in (*pg_runs, *sqlite_runs))

    def figures(results: list[run.Measured]) -> str:
        rps = run.median([m.wrk.rps for m in results])
        p50 = run.median([m.wrk.p50_ms for m in results])
        p99 = run.median([m.wrk.p99_ms for m in results])
        return f"{rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms"

    ratio = run.median(ratios)
    shown = ", ".join(f"{r:.3f}" for r in ratios)
    # Measured in the same runs: unlike req/s, hardly moved by other load on the machine.
    cpu = f"{run.median([run.cpu_per_request(m) for m in pg_runs]):.0f} / "
    cpu += f"{run.median([run.cpu_per_request(m) for m in sqlite_runs]):.0f} µs"
    row = f"| {label} | {figures(pg_runs)} | {figures(sqlite_runs)} | {ratio:.3f} ({shown}) | {cpu} | {errors} |"
    return ratio, row


def freshness(a: run.Server, b: run.Server, token: str, writes: int) -> list[float]:
    """Seconds from a PUT through A answering to B serving its new title, for each write."""
    source = {"lang": "en", "body_html": "<p>Freshness probe.</p>", "published": "2026-01-01"}
    writer = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
    poller = http.client.HTTPConnection("127.0.0.1", b.port, timeout=30)
    path = "/articles/freshness-probe"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    delays = []
    try:
        for n in range(writes + 1):
            title = f"Freshness probe {n} {time.time_ns()}"
            writer.request("PUT", "/api" + path, body=json.dumps({**source, "title": title}), headers=headers)
            answer = writer.getresponse()
            answer.read()
            if answer.status not in (200, 201):
                raise RuntimeError(f"PUT through node A answered {answer.status}")
            written = time.monotonic()
            deadline = written + 30
            while True:
                poller.request("GET", path, headers={"Cookie": run.COOKIE})
                if title.encode() in poller.getresponse().read():
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("node B did not serve the write within 30 s")
                time.sleep(0.001)
            if n:  # the first write creates the article: not counted
                delays.append(time.monotonic() - written)
    finally:
        writer.close()
        poller.close()
    return delays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 pairs of 1 s runs, 20 writes")
    parser.add_argument("--runs", type=int, default=5, help="pairs of wrk runs per comparison (default 5)")
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run (default 4)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--writes", type=int, default=100, help="writes for the freshness figure (default 100)")
    parser.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help="put the figures in FILE's PostgreSQL section",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.duration, args.writes = 2, 1, 20
    reap_abandoned()  # clusters of runs that were killed
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reader-pg-bench-")))
        cluster = stack.enter_context(PostgresCluster.running(prefix="reader-pg-bench-"))
        url = cluster.create_database("bench")
        sqlite_db = str(workdir / "bench.db")
        for db in (url, sqlite_db):
            reader("migrate", "--db", db)
        token = reader("token", "create", "bench", "--db", url)
        load = run.Load(args.duration, args.connections, workdir)
        loads = os.getloadavg()
        print(f"load average {os.getloadavg()[0]:.1f}; {args.runs} pairs of {args.duration} s runs", flush=True)

        rows = []
        print("cached page reads", flush=True)
        pg = run.start(stack, "pg-cached", [*READER, "serve", "--db", url], workdir)
        sqlite = run.start(stack, "sqlite-cached", [*READER, "serve", "--db", sqlite_db], workdir)
        cached_ratio, row = compare(load, args.runs, "cached page (answer cache)", pg, sqlite)
        rows.append(row)
        pg.stop()
        sqlite.stop()

        print("uncached article renders", flush=True)
        pg = run.start(stack, "pg-uncached", [*NO_CACHE, *READER, "serve", "--db", url], workdir)
        sqlite = run.start(stack, "sqlite-uncached", [*NO_CACHE, *READER, "serve", "--db", sqlite_db], workdir)
        uncached_ratio, row = compare(load, args.runs, "uncached render (cache off)", pg, sqlite)
        rows.append(row)
        pg.stop()
        sqlite.stop()

        print(f"freshness across nodes, {args.writes} writes", flush=True)
        a = run.start(stack, "pg-node-a", [*READER, "serve", "--db", url], workdir)
        b = run.start(stack, "pg-node-b", [*READER, "serve", "--db", url], workdir)
        delays_ms = sorted(d * 1000 for d in freshness(a, b, token, args.writes))

    median_ms = statistics.median(delays_ms)
    p90_ms = delays_ms[int(0.9 * (len(delays_ms) - 1))]
    met = median_ms <= FRESHNESS_MEDIAN_TARGET_MS and delays_ms[-1] <= FRESHNESS_MAX_TARGET_MS
    command = "python bench/postgres.py " + " ".join(argv if argv is not None else sys.argv[1:])
    section = "\n".join(
        (
            SECTION_START,
            "## PostgreSQL nodes (bench/postgres.py)",
            "",
            f"Command: `{command.strip()}`; {args.runs} pairs of {args.duration} s runs, {args.connections} "
            f"connections; load average {loads[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
            f"{run.machine()['date']}, reader commit {run.machine()['reader commit']}."
            + (" A --quick smoke run: not figures to go by." if args.quick else ""),
            "",
            "| figure | PostgreSQL req/s | p50 | p99 | SQLite req/s | p50 | p99 | PG/SQLite (per pair) "
            "| node CPU per request, PG / SQLite | errors |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"- Cached page reads, PostgreSQL / SQLite: **{cached_ratio:.3f}** (target ≥ {CACHED_TARGET}: "
            f"{'met' if cached_ratio >= CACHED_TARGET else 'missed'}).",
            f"- Uncached article render, PostgreSQL / SQLite: **{uncached_ratio:.3f}** (reported; no target).",
            f"- A write through node A served by node B, {len(delays_ms)} writes: median **{median_ms:.1f} ms**, "
            f"p90 {p90_ms:.1f} ms, max **{delays_ms[-1]:.1f} ms** (target median ≤ {FRESHNESS_MEDIAN_TARGET_MS:.0f} "
            f"ms, max ≤ {FRESHNESS_MAX_TARGET_MS:.0f} ms: {'met' if met else 'missed'}).",
            "",
            "Method: see bench/postgres.py's docstring. The nodes are the same `reader serve` on a PostgreSQL "
            "database and on a SQLite file with the same demo articles; PostgreSQL (fsync off, a throwaway "
            "cluster) runs on the same machine, unpinned.",
            SECTION_END,
        )
    )
    print()
    print(section)
    if args.write:
        write_section(args.write, section)
        print(f"written to {args.write}")
    return 0


SECTION_START, SECTION_END = sections.markers("bench/postgres.py")


if __name__ == "__main__":
    raise SystemExit(main())
