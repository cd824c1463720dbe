#!/usr/bin/env python3
"""Instructions per request, counted by valgrind's callgrind: a figure other load on the machine cannot skew.

    python bench/instructions.py [--requests 2000] [--repeat 1]

Starts each server under `valgrind --tool=callgrind` (Debian's `valgrind`): reader as users start it (its
access log on, to a file), reader with `--access-log off`, and bench/bare_app.py replaying reader's bytes
without an access log and with uvicorn's. For each of the article page, the fragment and the 304 of
bench/run.py it sends 300 requests to warm up, zeroes the counters (`callgrind_control -z`), sends
`--requests` more on one keep-alive connection from this process, dumps the counters and divides. The
server's idle work over the same time (reader's change watcher, uvicorn's timers: about 2 % of the total),
measured the same way with no requests afterwards, once everything has warmed up, is taken off. Repeated
runs agree within about 1 %. What it leaves out: the kernel (system calls: uvicorn's access log makes a
write per request, reader's one per 64 KiB) and the cost of the client, which runs outside valgrind.
Instruction counts are not time (cache misses and branch mispredictions differ), but they move with
every change to the code on the hot path, reproducibly, on a machine others are using.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import dataset  # noqa: E402
import run  # noqa: E402

_TOTALS = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)


class Counted:
    """A server under callgrind, and the means to count what it does between two moments."""

    def __init__(self, stack: ExitStack, name: str, argv: list[str], workdir: Path) -> None:
        self.name = name
        self.port = run.free_port()
        self.out = workdir / f"{name}.callgrind"
        self.log = workdir / f"{name}.log"
        valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={self.out}.%p"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
        env["PYTHONHASHSEED"] = "0"  # the same dict layouts every run
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([*valgrind, *argv, "--port", str(self.port)], stdout=log, stderr=log,
                                            env=env, start_new_session=True)  # fmt: skip
        stack.callback(self.stop)
        deadline = time.monotonic() + 600  # Python's start-up, 50 times slower
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start under valgrind: {self.log.read_text()[-2000:]}")
            time.sleep(0.5)

    def _answers(self) -> bool:
        """Started and listening (uvicorn logs both, in an order that depends on how it binds)."""
        log = self.log.read_bytes()
        if b"Application startup complete." not in log or b"Uvicorn running on" not in log:
            return False
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        except OSError:
            return False
        return True

    def _control(self, option: str) -> None:
        subprocess.run(["callgrind_control", option, str(self.process.pid)], capture_output=True, check=True)

    def count(self, work: object, keep: Path | None = None) -> tuple[int, float]:
        """Instructions the server ran while `work()` ran, and how long that took; the dump of that interval
        is kept as `keep` when given (for callgrind_annotate)."""
        self._control("-z")
        started = time.monotonic()
        work()  # type: ignore[operator]
        seconds = time.monotonic() - started
        before = set(self.out.parent.glob(f"{self.out.name}.*"))
        self._control("-d")
        deadline = time.monotonic() + 60
        while True:
            new = set(self.out.parent.glob(f"{self.out.name}.*")) - before
            found = [_TOTALS.search(path.read_bytes()) for path in new if path.stat().st_size]
            if found and found[0]:
                for path in new:
                    if keep is not None:
                        shutil.move(path, keep)
                    else:
                        path.unlink()
                return int(found[0].group(1)), seconds
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: no callgrind dump")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def send(port: int, scenario: run.Scenario, count: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        for _ in range(count):
            conn.request(scenario.method, scenario.path, body=scenario.body or None, headers=scenario.headers)
            response = conn.getresponse()
            response.read()
            if response.status != (304 if scenario.key == "304" else 200):
                raise RuntimeError(f"{scenario.label}: {response.status}")
    finally:
        conn.close()


def measure(
    server: Counted, cases: list[run.Scenario], requests: int, keep: Path | None = None
) -> tuple[list[float], float]:
    """Instructions per request of each scenario, and the server's idle instructions per second (measured
    last, once everything has warmed up: a server that has only just started is still busy). With `keep`,
    each scenario's dump is kept there, named after the server and the scenario."""
    counted = []
    if server.name.startswith("reader"):
        cases = run.own_scenarios(server.port, cases, timeout=120)  # its own ETag for the 304 (under valgrind)
    for scenario in cases:
        send(server.port, scenario, 300)
        kept = keep / f"{server.name}.{scenario.key}.callgrind" if keep is not None else None
        counted.append(server.count(lambda scenario=scenario: send(server.port, scenario, requests), kept))
    idle, idle_seconds = server.count(lambda: time.sleep(5))
    per_second = idle / idle_seconds
    return [(instructions - per_second * seconds) / requests for instructions, seconds in counted], per_second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests counted per scenario (default 2000)")
    parser.add_argument("--cache", type=Path, default=BENCH_DIR / ".data", help="data set directory")
    parser.add_argument("--repeat", type=int, default=1, help="start and count each server this many times, "
                        "and show the medians (default 1)")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="keep each counted interval's callgrind dump in this directory "
                        "(SERVER.SCENARIO.callgrind), to see where the instructions go: callgrind_annotate "
                        "--inclusive=yes FILE")  # fmt: skip
    parser.add_argument("--reader-only", action="store_true", help="count reader's two servers (log on, log off) "
                        "and not the bare app's: the access log's cost in about half the time")  # fmt: skip
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed: apt-get install -y valgrind (Debian's)")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the servers under valgrind stop with the harness
    reader_bin = Path(sys.executable).with_name("reader")
    with tempfile.TemporaryDirectory(prefix="reader-instructions-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        db = workdir / "articles-10.sqlite"
        shutil.copy(dataset.ensure(args.cache, dataset.SMALL), db)
        serve = [str(reader_bin), "serve", "--db", str(db)]
        # The bare app replays reader's answers: captured from a reader outside valgrind first.
        with ExitStack() as capturing:
            plain = run.start(capturing, "capture", serve, workdir, pinned=False)
            cases, _, spec = run.capture(plain, workdir)
        cases = cases[:3]  # page, fragment, 304
        bare = [sys.executable, str(BENCH_DIR / "bare_app.py"), str(spec)]
        servers = {
            "reader (as started: access log on)": serve,
            "reader --access-log off": [*serve, "--access-log", "off"],
            "bare app, no access log": bare,
            "bare app, uvicorn's access log": [*bare, "--access-log"],
        }
        if args.reader_only:
            servers = dict(list(servers.items())[:2])
        results: dict[str, list[float]] = {}
        for label, argv in servers.items():
            counts: list[list[float]] = []
            for n in range(args.repeat):
                print(f"{label}: starting under callgrind …", flush=True)
                server = Counted(stack, re.sub(r"\W+", "-", label) + f"-{n}", argv, workdir)
                per_request, idle = measure(server, cases, args.requests, args.keep)
                server.stop()
                counts.append(per_request)
                print(f"  {', '.join(f'{c:,.0f}' for c in per_request)} (idle: {idle:,.0f} a second)", flush=True)
            results[label] = [statistics.median(column) for column in zip(*counts, strict=True)]
    width = max(map(len, results))
    print()
    print(f"{'instructions per request':<{width}}  " + "  ".join(f"{s.label:>24}" for s in cases))
    for label, counts in results.items():
        print(f"{label:<{width}}  " + "  ".join(f"{count:>24,.0f}" for count in counts))
    on, off = results["reader (as started: access log on)"], results["reader --access-log off"]
    print(
        f"{'the access log (on - off)':<{width}}  "
        + "  ".join(f"{a - b:>24,.0f}" for a, b in zip(on, off, strict=True))
    )
    if args.reader_only:
        return 0
    ceiling = results["bare app, no access log"]
    for label in ("reader (as started: access log on)", "reader --access-log off"):
        ratios = "  ".join(f"{c / b:>23.2f}×" for c, b in zip(results[label], ceiling, strict=True))
        print(f"{label + ' / bare, no log':<{width}}  {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
