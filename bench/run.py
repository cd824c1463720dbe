#!/usr/bin/env python3
"""reader's benchmark: reader as users start it against a bare Starlette app serving reader's own bytes
with no access log (the framework's ceiling), and more.

Run from the repository: ``.venv/bin/python bench/run.py`` (``--quick`` for a smoke run of a few minutes,
``--only ceiling``, ``--only workers``, ``--only side`` or ``--only log`` for a part,
``--write docs/performance.md`` to record the results).
Needs Debian's ``wrk`` (``apt-get install -y wrk``) and ``taskset`` (util-linux), and two CPUs. See
docs/performance.md for the method.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as dt
import functools
import gzip
import http.client
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import dataset  # noqa: E402
import readability_bench  # noqa: E402
import sections  # noqa: E402

from reader.event_loop import listening_processes  # noqa: E402
from reader.paths import DEMO_DIR  # noqa: E402

SEED = "bac-kan-nang-cao-chat-luong-doi-ngu-can-bo-cong-chuc-vien-chuc"
COOKIE = "reader_prefs=1|s:200|lh:1.8"
SERVER_CPU, LOAD_CPU = "0", "1"


# ---------------------------------------------------------------- pure pieces (tests/test_bench.py)


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    non2xx: int


REPORT_LUA = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"rps":%.1f,"errors":%d,"non2xx":%d,"lat_p50_us":%d,"lat_p99_us":%d,"lat_max_us":%d}\\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def lua_string(value: str) -> str:
    """A Lua string literal (decimal escapes for anything but printable ASCII)."""
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\{b:03d}" for b in value.encode()) + '"'


@dataclass(frozen=True)
class Varied:
    """Traffic that seldom repeats a whole request, as real traffic does: each request takes one of `paths`
    and, for each header named, one of its values (None: the header left out), at random."""

    paths: tuple[str, ...]
    headers: dict[str, tuple[str | None, ...]]


def wrk_script(method: str, headers: dict[str, str], body: str = "", varied: Varied | None = None) -> str:
    """A wrk Lua script sending one request shape (or `varied` ones) and printing one JSON line at the end."""
    lines = [f"wrk.method = {lua_string(method)}"]
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()]
    if body:
        lines.append(f"wrk.body = {lua_string(body)}")
    if varied is not None:
        choices = ", ".join(
            f"{{{lua_string(name)}, {{{', '.join('false' if v is None else lua_string(v) for v in values)}}}}}"
            for name, values in varied.headers.items()
        )
        lines += [
            f"local paths = {{{', '.join(lua_string(path) for path in varied.paths)}}}",
            f"local choices = {{{choices}}}",
            "request = function()",
            "  local h = {}",
            "  for k, v in pairs(wrk.headers) do h[k] = v end",
            "  for _, c in ipairs(choices) do local v = c[2][math.random(#c[2])]; if v then h[c[1]] = v end end",
            "  return wrk.format(wrk.method, paths[math.random(#paths)], h, wrk.body)",
            "end",
        ]
    return "\n".join(lines) + "\n" + REPORT_LUA


def parse_wrk(output: str) -> WrkResult:
    """The JSON line report.lua prints (the last line starting with '{')."""
    line = next(line for line in reversed(output.splitlines()) if line.startswith("{"))
    data = json.loads(line)
    return WrkResult(
        rps=float(data["rps"]),
        p50_ms=data["lat_p50_us"] / 1000,
        p99_ms=data["lat_p99_us"] / 1000,
        requests=int(data["requests"]),
        errors=int(data["errors"]),
        non2xx=int(data["non2xx"]),
    )


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


@dataclass(frozen=True)
class Row:
    """One figure of the results table."""

    figure: str
    value: str
    target: str
    met: bool | None  # None: informational, no target (or not resolved)
    by: str = ""  # how far from the target, when missed
    unresolved: bool = False  # the measurement cannot tell whether the target is met: its interval holds it


def _gap(factor: float, word: str) -> str:
    """How far a figure misses its target: '2.9× short' from twice off, else '12 % short'."""
    if not math.isfinite(factor):
        return f"all {word}"
    if factor >= 2:
        return f"{factor:.1f}× {word}"
    percent = (factor - 1) * 100 if word == "over" else (1 - 1 / factor) * 100
    return f"{percent:.1f} % {word}" if percent < 10 else f"{percent:.0f} % {word}"


def at_most(figure: str, value: float, target: float, shown: str, target_shown: str) -> Row:
    met = value <= target
    return Row(figure, shown, target_shown, met, "" if met else _gap(value / target, "over"))


def median_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float] | None:
    """The median of `values` and a distribution-free interval that holds the true median with at least
    `confidence`: the k-th smallest to the k-th largest value, k as large as the binomial distribution
    allows (for 15 values the 4th and the 12th, 96.5 %). None when there are too few values for any such
    interval (5 or fewer at 95 %) or one is not a number."""
    ordered = sorted(values)
    n = len(ordered)
    if any(math.isnan(v) for v in ordered):
        return None
    # P(the true median lies below the k-th smallest value) = P(Binomial(n, 1/2) < k).
    below, k = 0.0, 0
    while k < n and below + math.comb(n, k) / 2**n <= (1 - confidence) / 2:
        below += math.comb(n, k) / 2**n
        k += 1
    if k == 0:
        return None
    return float(statistics.median(ordered)), ordered[k - 1], ordered[n - k]


def paired(
    figure: str,
    rounds: Sequence[float],
    target: float,
    *,
    higher_is_better: bool,
    shown: str = "",
    unit: str = "rounds",
) -> Row:
    """A target on a ratio measured once per round (two servers, one run each, one right after the other) or
    once per pair (side_by_side): met when the whole 95 % interval of their median is on the right side of
    it, missed when all of it is on the wrong side, not resolved when the interval holds the target (or there
    are too few)."""
    target_shown = f"≥ {target:.2f}×" if higher_is_better else f"≤ {target:.2f}×"
    extra = f"; {shown}" if shown else ""
    value = interval_shown(rounds, unit) + extra
    interval = median_interval(rounds)
    if interval is None:
        return Row(figure, value, target_shown, None, "not resolved", unresolved=True)
    middle, low, high = interval
    if (low >= target) if higher_is_better else (high <= target):
        return Row(figure, value, target_shown, True)
    if (high < target) if higher_is_better else (low > target):
        by = _gap(target / middle, "short") if higher_is_better else _gap(middle / target, "over")
        return Row(figure, value, target_shown, False, by)
    return Row(figure, value, target_shown, None, "not resolved", unresolved=True)


def interval_shown(rounds: Sequence[float], unit: str = "rounds") -> str:
    """'1.09× (95 %: 0.98–1.16×, 15 rounds)', or why there is no interval."""
    interval = median_interval(rounds)
    if interval is None:
        return f"median {median(rounds):.2f}× of {len(rounds)} {unit}: too few for a 95 % interval"
    middle, low, high = interval
    return f"{middle:.2f}× (95 %: {low:.2f}–{high:.2f}×, {len(rounds)} {unit})"


def per_round(a: Sequence[Measured], b: Sequence[Measured], figure: str) -> list[float]:
    """A wrk figure ("rps", "p50_ms", "p99_ms") of `a`'s run over `b`'s, round by round (alternate's pairs)."""
    return [ratio(getattr(x.wrk, figure), getattr(y.wrk, figure)) for x, y in zip(a, b, strict=True)]


def markdown_table(rows: Sequence[Row]) -> str:
    lines = ["| figure | measured | target | met |", "|---|---|---|---|"]
    for row in rows:
        met = (
            "not resolved" if row.unresolved else "—" if row.met is None else "yes" if row.met else f"**no** ({row.by})"
        )
        lines.append(f"| {row.figure} | {row.value} | {row.target} | {met} |")
    return "\n".join(lines)


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_head = False
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.blocking: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        elif tag == "link" and "stylesheet" in a.get("rel", "").lower().split() and a.get("href"):
            self.stylesheets.append(a["href"])
        elif tag == "script":
            if a.get("src"):
                self.scripts.append(a["src"])
            kind = a.get("type", "").lower()
            classic = kind in ("", "text/javascript", "application/javascript")
            if self.in_head and classic and "defer" not in a and "async" not in a:
                self.blocking.append(a.get("src") or "(inline script)")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""")


@dataclass
class PageWeight:
    total_gzip: int
    parts: list[tuple[str, int, int]]  # url, raw bytes, gzip bytes
    blocking_scripts: list[str]


def page_weight(page_url: str, html: bytes, fetch: Callable[[str], bytes]) -> PageWeight:
    """The page and every stylesheet (with its @imports) and script it references, each gzipped at level 6;
    fonts and images are not counted. ``fetch`` gets each same-origin URL path (with its query)."""
    parser = _Assets()
    parser.feed(html.decode("utf-8", "replace"))
    parts = [(page_url, len(html), len(gzip.compress(html, 6)))]
    queue = [urljoin(page_url, u) for u in parser.stylesheets + parser.scripts]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen or urlsplit(url).netloc not in ("", urlsplit(page_url).netloc):
            continue
        seen.add(url)
        data = fetch(url)
        parts.append((url, len(data), len(gzip.compress(data, 6))))
        if urlsplit(url).path.endswith(".css"):
            queue += [urljoin(url, u) for u in _CSS_IMPORT.findall(data.decode("utf-8", "replace"))]
    return PageWeight(sum(p[2] for p in parts), parts, parser.blocking)


# ---------------------------------------------------------------- servers and HTTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str = "", timeout: float = 30
) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers or {})
        response = conn.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


ACCESS_LINE_STARTS = (
    b"\n127.0.0.1 - - [",  # reader's access log (Combined Log Format)
    b"\nINFO:     127.0.0.1:",  # uvicorn's
)
PROBLEMS = (b"Traceback", b"ERROR")


def count_access_lines(log: bytes) -> int:
    """Access log lines (reader's or uvicorn's, of requests from this machine) in a server's output."""
    data = b"\n" + log
    return sum(data.count(start) for start in ACCESS_LINE_STARTS)


def cpu_ns(pids: Sequence[int]) -> int:
    """Nanoseconds the processes have run on a CPU so far (user and system), all their threads (ended ones
    too): each process's CPU-time clock, exact where /proc/PID/stat counts 10 ms ticks. Linux numbers that
    clock from the pid (MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) in its posix-cpu-timers.h); Python has no
    clock_getcpuclockid()."""
    total = 0
    for pid in pids:
        try:
            total += time.clock_gettime_ns((~pid << 3) | 2)
        except OSError:  # the process has ended
            continue
    return total


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path  # standard error: reader's access log (by default) and every server's messages
    out: Path  # standard output: uvicorn's own access log, where it is on
    workers: int = 1
    peak_rss_kib: int = 0
    problems: list[str] = field(default_factory=list)
    # How long after each wrk run its last request's access log line was written (reader's batches).
    log_delays: list[float] = field(default_factory=list)
    log_missing: int = 0
    # Scenarios this server is asked in its own form (own_scenarios: its ETag), by key.
    asks: dict[str, Scenario] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}): {self.log_tail()}")
            try:
                # The bare apps (uvicorn's own binding) log only this; reader's processes log when they listen.
                log = self.log.read_text(errors="replace")
                if self.name.startswith("reader"):
                    started = len(listening_processes(log)) >= self.workers
                else:
                    started = "Application startup complete." in log
                if started and request(self.port, "GET", "/healthz").status == 200:
                    threading.Thread(target=self._watch_rss, daemon=True).start()
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def pids(self) -> list[int]:
        """The process and its children (uvicorn's workers, multiprocessing's resource tracker)."""
        pids = [self.process.pid]
        for children in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def rss_kib(self) -> tuple[int, int]:
        """(current RSS of the process and its children, the process's own VmHWM) in KiB."""
        rss = hwm = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            rss += int(fields.get("VmRSS", "0 kB").split()[0])
            if pid == self.process.pid:
                hwm = int(fields.get("VmHWM", "0 kB").split()[0])
        return rss, hwm

    def _watch_rss(self) -> None:
        while not self._stop.is_set() and self.process.poll() is None:
            try:
                self.peak_rss_kib = max(self.peak_rss_kib, *self.rss_kib())
            except OSError:
                pass
            self._stop.wait(0.1)

    def access_lines(self) -> int:
        """Access log lines written since the last rotate()."""
        return sum(count_access_lines(path.read_bytes()) for path in (self.log, self.out))

    def settle(self, quiet: float = 0.7, timeout: float = 30) -> None:
        """Wait until the server's output has not grown for `quiet` seconds (reader's access log keeps lines
        in memory for up to half a second): lines of an earlier run, of the warm-up or of /healthz must not
        be written after rotate() and counted as the next run's."""
        deadline = time.monotonic() + timeout
        size, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now_size = sum(path.stat().st_size for path in (self.log, self.out))
            if now_size != size:
                size, since = now_size, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.05)

    def rotate(self) -> None:
        """Note the errors logged so far and empty the log files (opened for appending), so that a run's
        access log is counted on its own and the disk does not fill with lines."""
        for path in (self.log, self.out):
            for line in path.read_bytes().splitlines():
                if any(problem in line for problem in PROBLEMS) and len(self.problems) < 5:
                    self.problems.append(line.decode(errors="replace")[:300])
            os.truncate(path, 0)

    def wait_for_lines(self, requests: int, ended: float, timeout: float = 5.0) -> None:
        """Wait until the access log holds a line for each of the `requests` wrk completed; note how long
        after the run's end (`ended`) that was, or how many never came."""
        while True:
            lines = self.access_lines()
            now = time.monotonic()
            if lines >= requests:
                self.log_delays.append(now - ended)
                return
            if now - ended > timeout:
                self.log_missing += requests - lines
                return
            time.sleep(0.005)

    def stop(self) -> None:
        self._stop.set()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own group: workers too
                self.process.wait()
            except KeyboardInterrupt:  # a second Ctrl-C while stopping: no server is left running
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                raise


def start(
    stack: ExitStack,
    name: str,
    argv: list[str],
    workdir: Path,
    *,
    pinned: bool = True,
    workers: int = 1,
    timeout: float = 60,
) -> Server:
    """Start a server (pinned to the server CPU unless told otherwise) as a user would, with reader's
    defaults; it is stopped when ``stack`` closes (also on Ctrl-C). Its standard output and error go to
    files, as they would on a server (a terminal, or a pipe to a log collector, would cost more)."""
    port = free_port()
    log, out = workdir / f"{name}.log", workdir / f"{name}.out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}  # reader's defaults
    # Appending: rotate() truncates the files between runs while the server keeps writing.
    with log.open("ab") as err, out.open("ab") as stdout:
        process = subprocess.Popen(
            [*(["taskset", "-c", SERVER_CPU] if pinned else []), *argv, "--port", str(port)],
            stdout=stdout,
            stderr=err,
            env=env,
            start_new_session=True,  # Ctrl-C reaches the harness, which stops the servers itself
        )
    server = Server(name, port, process, log, out, workers)
    stack.callback(server.stop)
    server.wait_healthy(timeout)
    return server


# ---------------------------------------------------------------- scenarios and load


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""
    target: float | None = None  # reader/bare (no access log) req/s at least this
    p99_target: float = 2.0  # reader/bare p99 at most this
    varied: Varied | None = None  # requests drawn from these, `path` and `headers` only their defaults


def scenarios(etag: str) -> list[Scenario]:
    form = f"action=bigger&next=/articles/{SEED}&view=page"
    conditional = {"Cookie": COOKIE, "If-None-Match": etag}
    htmx = {"Cookie": COOKIE, "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"}
    return [
        Scenario(
            "page", "article page, cookie", "GET", f"/articles/{SEED}", {"Cookie": COOKIE}, target=1.0, p99_target=1.5
        ),
        Scenario(
            "fragment",
            "fragment, cookie",
            "GET",
            f"/articles/{SEED}/fragment",
            {"Cookie": COOKIE},
            target=1.0,
            p99_target=1.5,
        ),
        Scenario("304", "conditional GET → 304", "GET", f"/articles/{SEED}", conditional, target=1.0, p99_target=1.5),
        Scenario("htmx", "htmx preference change", "POST", "/preferences", htmx, form, target=0.6),
        Scenario("index", "index page /", "GET", "/", {}),
    ]


# User agents of four browsers in six versions each, and referers (one in nine requests without), for `varied`.
AGENTS: tuple[str, ...] = tuple(
    agent.format(n)
    for agent in (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/12{}.0.0.0 "
        "Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
        "Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S91{}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile "
        "Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:12{0}.0) Gecko/20100101 Firefox/12{0}.0",
    )
    for n in range(6)
)
REFERERS: tuple[str | None, ...] = (
    None, "https://www.google.com/", "https://www.facebook.com/", "https://zalo.me/", "https://t.co/x1y2z3",
    "https://www.bing.com/search?q=bac+kan", "https://news.example.org/", "https://news.example.org/society",
    "https://portal.example.vn/tin-tuc",
)  # fmt: skip


def varied(small_set: int) -> Scenario:
    """Pages and fragments of every article of the set of `small_set` articles, with AGENTS and REFERERS: a
    few thousand combinations, so that whatever reader remembers per kind of request (its access log's
    lines) is measured as real traffic meets it, not only with one request repeated."""
    generator = dataset.Generator()
    slugs = [SEED, *(str(generator.fields(i)["slug"]) for i in dataset.indices(small_set))]
    paths = tuple(path for slug in slugs for path in (f"/articles/{slug}", f"/articles/{slug}/fragment"))
    headers = {"User-Agent": AGENTS, "Referer": REFERERS}
    return Scenario("varied", "varied pages, agents, referers", "GET", paths[0], {"Cookie": COOKIE},
                    varied=Varied(paths, headers))  # fmt: skip


def own_scenarios(port: int, cases: Sequence[Scenario], timeout: float = 30) -> list[Scenario]:
    """`cases` as the reader on `port` must be asked them, each answer checked (check_answer): the
    conditional GET with the ETag this server gives. A page's links name the host and port it was asked on
    (oEmbed discovery), so readers on other ports tag the same page differently, and another's ETag would
    get a 200 where a 304 is meant."""
    etag = request(port, "GET", f"/articles/{SEED}", {"Cookie": COOKIE}, timeout=timeout).header("etag") or ""
    own = []
    for scenario in cases:
        if "If-None-Match" in scenario.headers:
            scenario = dataclasses.replace(scenario, headers={**scenario.headers, "If-None-Match": etag})
        answer = request(port, scenario.method, scenario.path, scenario.headers, scenario.body, timeout=timeout)
        check_answer(scenario, answer)
        own.append(scenario)
    return own


def check_answer(scenario: Scenario, answer: Answer) -> None:
    """reader must answer each scenario as intended before anything is measured."""
    expected = 304 if scenario.key == "304" else 200
    if answer.status != expected:
        raise RuntimeError(f"{scenario.label}: reader answered {answer.status}, expected {expected}")
    region = answer.body.startswith(b'<div id="reader"') and b'id="reader-main"' in answer.body
    if scenario.key == "htmx" and not region:
        raise RuntimeError(f"{scenario.label}: the answer is not the article region: {answer.body[:200]!r}")


@dataclass
class Load:
    duration: int
    connections: int
    workdir: Path
    loads: list[float] = field(default_factory=list)

    def argv(self, port: int, scenario: Scenario, duration: int, connections: int, pinned: bool) -> list[str]:
        # One script per server: readers on two ports are asked the conditional GET with different ETags.
        script = self.workdir / f"{scenario.key}-{port}.lua"
        script.write_text(wrk_script(scenario.method, scenario.headers, scenario.body, scenario.varied))
        self.loads.append(os.getloadavg()[0])
        return [*(["taskset", "-c", LOAD_CPU] if pinned else []), "wrk", "-t1", f"-c{connections}", f"-d{duration}s",
                "-s", str(script), f"http://127.0.0.1:{port}{scenario.path}"]  # fmt: skip

    def run(self, port: int, scenario: Scenario, duration: int | None = None, *, pinned: bool = True) -> WrkResult:
        argv = self.argv(port, scenario, duration or self.duration, self.connections, pinned)
        return parse_wrk(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)

    def together(self, asked: Sequence[tuple[int, Scenario]], duration: int) -> list[WrkResult]:
        """One wrk per (port, scenario), all at once on the load CPU, the connections shared out among them."""
        connections = max(1, self.connections // len(asked))
        argvs = [self.argv(port, scenario, duration, connections, True) for port, scenario in asked]
        processes = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for argv in argvs]
        outputs = [process.communicate()[0] for process in processes]
        for argv, process in zip(argvs, processes, strict=True):
            if process.returncode:
                raise subprocess.CalledProcessError(process.returncode, argv)
        return [parse_wrk(output) for output in outputs]


@dataclass(frozen=True)
class Measured:
    """One wrk run against one server, and the CPU seconds the server's processes and wrk used in it."""

    wrk: WrkResult
    server_cpu: float
    load_cpu: float
    seconds: float


def children_cpu() -> float:
    """CPU seconds of the harness's finished children (wrk, once each run has ended)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Every run starts this long after the one before it ended, whatever the harness did in between (emptying a
# log file takes longer after a run that wrote a line per request), so that no server's runs follow longer
# idle spells than another's.
GAP_SECONDS = 0.5


def alternate(
    load: Load, runs: int, cases: Sequence[tuple[str, Scenario, Sequence[Server]]], *, pinned: bool = True
) -> dict[str, list[list[Measured]]]:
    """Run each case's servers in turn, ``runs`` rounds, the order reversed every other round (ABBA, ABCCBA),
    after a 1 s warm-up each, every run `GAP_SECONDS` after the one before. Every server is treated alike:
    its log files are emptied before its run, nothing waits for reader's buffered access log (its
    completeness is measured on its own: log_completeness)."""
    results: dict[str, list[list[Measured]]] = {key: [[] for _ in servers] for key, _, servers in cases}
    for _key, scenario, servers in cases:  # warm-up, not counted
        for server in servers:
            load.run(server.port, server.asks.get(scenario.key, scenario), 1, pinned=pinned)
    last_end = time.monotonic()
    for n in range(runs):
        print(f"  round {n + 1}/{runs}, load average {os.getloadavg()[0]:.1f}", flush=True)
        for key, scenario, servers in cases:
            order = list(enumerate(servers))
            for side, server in order if n % 2 == 0 else order[::-1]:
                server.rotate()
                time.sleep(max(0.0, GAP_SECONDS - (time.monotonic() - last_end)))
                pids = server.pids()
                cpu, wrk_cpu, started = cpu_ns(pids), children_cpu(), time.monotonic()
                result = load.run(server.port, server.asks.get(scenario.key, scenario), pinned=pinned)
                last_end = time.monotonic()
                used, wrk_used = (cpu_ns(pids) - cpu) / 1e9, children_cpu() - wrk_cpu
                results[key][side].append(Measured(result, used, wrk_used, last_end - started))
    return results


def log_completeness(load: Load, runs: int, scenario: Scenario, server: Server) -> None:
    """`runs` runs of `scenario` against a reader with its buffered access log: each once every earlier line
    is out (settle), then the harness waits for a line per request wrk completed and notes how long after
    the run's end they were all there (Server.log_delays, Server.log_missing)."""
    print(f"access log completeness: {runs} runs × {load.duration} s", flush=True)
    for _ in range(runs):
        server.settle()
        server.rotate()
        result = load.run(server.port, server.asks.get(scenario.key, scenario))
        server.wait_for_lines(result.requests, time.monotonic())


# ---------------------------------------------------------------- other figures


def _poll_for(port: int, marker: str, seen: list[float], timeout: float = 30) -> None:
    """GET the seed article every 10 ms until its body holds ``marker``; append that moment to ``seen``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            conn.request("GET", f"/articles/{SEED}", headers={"Cookie": COOKIE})
            if marker.encode() in conn.getresponse().read():
                seen.append(time.monotonic())
                return
            time.sleep(0.01)
    finally:
        conn.close()


def _watch_commit(db: Path, before: int, seen: list[float], timeout: float = 30) -> None:
    """Read the seed article's version from SQLite every millisecond; append the moment it changes."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if conn.execute("SELECT version FROM articles WHERE slug = ?", (SEED,)).fetchone()[0] != before:
                seen.append(time.monotonic())
                return
            time.sleep(0.001)
    finally:
        conn.close()


def write_visibility(server: Server, db: Path, reader_bin: Path, workdir: Path, repeat: int) -> list[float]:
    """Seconds from the commit of another process's `reader import` to the change showing in reader's page.

    The commit's moment is when a plain SQLite connection (polling every 1 ms) first sees the new version.
    """
    source = json.loads((DEMO_DIR / "01-bac-kan-can-bo.json").read_text())
    delays: list[float] = []
    for n in range(repeat):
        marker = f"bench-marker-{os.getpid()}-{n}-{time.time_ns()}"
        changed = workdir / f"changed-{n}.json"
        changed.write_text(json.dumps({**source, "body_html": source["body_html"] + f"\n<p>{marker}</p>"}))
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            before = conn.execute("SELECT version FROM articles WHERE slug = ?", (SEED,)).fetchone()[0]
        committed: list[float] = []
        shown: list[float] = []
        watchers = [
            threading.Thread(target=_watch_commit, args=(db, before, committed)),
            threading.Thread(target=_poll_for, args=(server.port, marker, shown)),
        ]
        for watcher in watchers:
            watcher.start()
        subprocess.run([str(reader_bin), "import", "--db", str(db), str(changed)], check=True, capture_output=True)
        for watcher in watchers:
            watcher.join()
        if not committed or not shown:
            raise RuntimeError("the imported change never showed in the database or in reader's answer (30 s)")
        delays.append(max(0.0, shown[0] - committed[0]))
    return delays


def readability_times(repeat_large: int) -> dict[tuple[str, str], float]:
    """Median seconds of readability_report on a 5 KB and a 1 MB article, each language (in-process)."""
    from reader.readability import readability_report

    blocks = readability_bench.demo_blocks()
    readability_report(lang="vi", text="Khởi động.")
    readability_report(lang="en", text="Warm up, Zyxwvutian.")  # loads word lists and hyphenation first
    times: dict[tuple[str, str], float] = {}
    for lang in ("vi", "en"):
        for label, size in readability_bench.SIZES.items():
            html = readability_bench.article(blocks[lang], size, seed=len(label))
            repeat = 20 if size < 100_000 else repeat_large
            report = functools.partial(readability_report, lang=lang, html=html)
            times[(lang, label)], _ = readability_bench.timed(report, repeat)
    return times


def machine_steadiness(cpu: int = int(SERVER_CPU), tries: int = 60) -> tuple[float, float, float]:
    """The CPU time (min, median, max, in ms) the same few milliseconds of Python work take on `cpu`,
    `tries` times over: how steady the machine is (on a shared virtual machine, far from it)."""

    def work() -> int:
        total = 0
        for i in range(300_000):
            total += i
        return total

    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        times = []
        for _ in range(tries):
            started = time.process_time()
            work()
            times.append((time.process_time() - started) * 1000)
    finally:
        os.sched_setaffinity(0, before)
    return min(times), median(times), max(times)


def note_steadiness(results: Results, when: str) -> None:
    fastest, middle, slowest = machine_steadiness()
    results.notes.append(
        f"steadiness {when}: the same Python loop took {fastest:.1f}–{slowest:.1f} ms of CPU time on CPU "
        f"{SERVER_CPU} (median {middle:.1f} ms) over 60 tries: {slowest / fastest:.2f}× from best to worst"
    )


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.MULTILINE)
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {
        "CPU": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": str(os.cpu_count()),
        "memory": f"{int(mem.group(1)) / 2**20:.1f} GiB" if mem else "unknown",
        "Python": platform.python_version(),
        "kernel": f"{platform.system()} {platform.release()}",
        "wrk": wrk_version[0].split(" [")[0] if wrk_version else "unknown",
        "reader commit": commit.stdout.strip() or "unknown",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------- the run


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)  # Markdown rows of SCENARIO_HEADER
    notes: list[str] = field(default_factory=list)


SCENARIO_HEADER = (
    "| scenario | reader's answer | reader req/s | median | p50 | p99 | CPU/request | bare, no log: req/s | median "
    "| p50 | p99 | CPU/request | bare, uvicorn's log: req/s | p99 | reader/bare (no log) per round: min–median–max "
    "| errors |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value >= 1 else f"{value:.2f} ms"


def _spec_item(method: str, path: str, conditional: bool, answer: Answer) -> dict[str, Any]:
    body = base64.b64encode(answer.body).decode()
    return {"method": method, "path": path, "conditional": conditional, "status": answer.status,
            "headers": answer.headers, "body": body}  # fmt: skip


def capture(reader: Server, workdir: Path) -> tuple[list[Scenario], dict[str, Answer], Path]:
    """Each scenario's answer from reader (checked), and the bare app's spec file replaying them."""
    etag = request(reader.port, "GET", f"/articles/{SEED}", {"Cookie": COOKIE}).header("etag") or ""
    cases = scenarios(etag)
    answers: dict[str, Answer] = {}
    spec = [_spec_item("GET", "/healthz", False, request(reader.port, "GET", "/healthz"))]
    for scenario in cases:
        answer = request(reader.port, scenario.method, scenario.path, scenario.headers, scenario.body)
        check_answer(scenario, answer)
        answers[scenario.key] = answer
        spec.append(_spec_item(scenario.method, scenario.path, "If-None-Match" in scenario.headers, answer))
    path = workdir / "bare.json"
    path.write_text(json.dumps(spec))
    return cases, answers, path


def check_bare(bare: Server, cases: Sequence[Scenario], answers: dict[str, Answer]) -> None:
    """The baseline must send reader's bytes: status, headers (but ``date``) and body."""

    def comparable(answer: Answer) -> tuple[int, list[tuple[str, str]], bytes]:
        return answer.status, [(k, v) for k, v in answer.headers if k != "date"], answer.body

    for scenario in cases:
        got = request(bare.port, scenario.method, scenario.path, scenario.headers, scenario.body)
        if comparable(got) != comparable(answers[scenario.key]):
            raise RuntimeError(f"{scenario.label}: {bare.name}'s answer differs from reader's")


def cpu_per_request(run: Measured) -> float:
    """Microseconds of CPU (user and system, all the server's processes) per request wrk completed."""
    return run.server_cpu / max(1, run.wrk.requests) * 1e6


@dataclass(frozen=True)
class Best:
    """What a server did at its best over its rounds, each column on its own (the most requests per second,
    the lowest p50, p99 and CPU per request, each from whichever round it came), and its median req/s:
    shown beside the verdicts, which come from the rounds' ratios (paired), not from these."""

    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float
    median_rps: float


def best(runs: Sequence[Measured]) -> Best:
    return Best(
        rps=max(m.wrk.rps for m in runs),
        p50_ms=min(m.wrk.p50_ms for m in runs),
        p99_ms=min(m.wrk.p99_ms for m in runs),
        cpu_us=min(cpu_per_request(m) for m in runs),
        median_rps=median([m.wrk.rps for m in runs]),
    )


def _us(value: float) -> str:
    return f"{value:.0f} µs"


def _rps(a: Best, b: Best) -> str:
    """'best 21,658 / 19,144 req/s = 1.13×, ratio of medians 0.99×'."""
    return (f"best {a.rps:,.0f} / {b.rps:,.0f} req/s = {ratio(a.rps, b.rps):.2f}×, "
            f"ratio of medians {ratio(a.median_rps, b.median_rps):.2f}×")  # fmt: skip


def versus_bare(
    results: Results, load: Load, runs: int, cases: Sequence[Scenario], answers: dict[str, Answer],
    servers: Sequence[Server],
) -> None:  # fmt: skip
    """reader as started by users against the bare app without an access log (the ceiling, the targets),
    and against the bare app with uvicorn's access log (beside it)."""
    print(f"reader vs bare (no log) vs bare (uvicorn's log): {runs} rounds × {len(cases)} scenarios × "
          f"{load.duration} s", flush=True)  # fmt: skip
    measured = alternate(load, runs, [(s.key, s, servers) for s in cases])
    for scenario in cases:
        r, b, logging = measured[scenario.key]
        best_r, best_b, best_l = best(r), best(b), best(logging)
        rounds = per_round(r, b, "rps")
        label = f"{scenario.label}: req/s reader/bare (no log), per round"
        if scenario.target is None:
            results.rows.append(Row(label, f"{interval_shown(rounds)}; {_rps(best_r, best_b)}", "—", None))
        else:
            results.rows.append(
                paired(label, rounds, scenario.target, higher_is_better=True, shown=_rps(best_r, best_b))
            )
        p99_rounds = per_round(r, b, "p99_ms")
        shown = f"best {_ms(best_r.p99_ms)} / {_ms(best_b.p99_ms)}"
        results.rows.append(paired(f"{scenario.label}: p99 reader/bare (no log), per round", p99_rounds,
                                   scenario.p99_target, higher_is_better=False, shown=shown))  # fmt: skip
        # Below 1: reader spends less CPU on a request than the bare app.
        shown = f"best {_us(best_r.cpu_us)} / {_us(best_b.cpu_us)} = {ratio(best_r.cpu_us, best_b.cpu_us):.2f}×"
        results.rows.append(Row(f"{scenario.label}: server CPU per request reader/bare (no log)", shown, "—", None))
        shown = _rps(best_r, best_l)
        results.rows.append(Row(f"{scenario.label}: req/s reader/bare with uvicorn's access log", shown, "—", None))
        bad = sum(m.wrk.errors + m.wrk.non2xx for m in [*r, *b, *logging])
        answer = answers[scenario.key]
        results.scenarios.append(
            f"| {scenario.label} | {answer.status}, {len(answer.body):,} B | {best_r.rps:,.0f} "
            f"| {best_r.median_rps:,.0f} | {_ms(best_r.p50_ms)} | {_ms(best_r.p99_ms)} | {_us(best_r.cpu_us)} "
            f"| {best_b.rps:,.0f} | {best_b.median_rps:,.0f} | {_ms(best_b.p50_ms)} | {_ms(best_b.p99_ms)} "
            f"| {_us(best_b.cpu_us)} | {best_l.rps:,.0f} | {_ms(best_l.p99_ms)} "
            f"| {min(rounds):.2f}–{median(rounds):.2f}–{max(rounds):.2f}× | {bad} |"
        )


# The target for the access log: with it on, at least this much of the same reader's throughput with it off.
LOG_TARGET = 0.95


def start_without_log(stack: ExitStack, serve: Sequence[str], cases: Sequence[Scenario], workdir: Path) -> Server:
    """`serve` with `--access-log off`, asked `cases` as it wants them (its own ETags)."""
    silent = start(stack, "reader-10-no-log", [*serve, "--access-log", "off"], workdir)
    silent.asks = {scenario.key: scenario for scenario in own_scenarios(silent.port, cases)}
    return silent


def access_log_cost(
    results: Results, load: Load, runs: int, cases: Sequence[Scenario], logging: Server, silent: Server
) -> None:
    """The same reader with its access log on (the default) and `--access-log off`."""
    print(f"access log on vs off: {runs} rounds × {len(cases)} scenarios × {load.duration} s", flush=True)
    measured = alternate(load, runs, [(s.key, s, (logging, silent)) for s in cases])
    for scenario in cases:
        on_runs, off_runs = measured[scenario.key]
        on, off = best(on_runs), best(off_runs)
        rounds = per_round(on_runs, off_runs, "rps")
        shown = f"{_rps(on, off)}, p99 {_ms(on.p99_ms)} / {_ms(off.p99_ms)}"
        results.rows.append(paired(f"access log on/off, {scenario.label}: req/s, per round", rounds, LOG_TARGET,
                                   higher_is_better=True, shown=shown))  # fmt: skip
        shown = f"best {_us(on.cpu_us)} / {_us(off.cpu_us)} = {ratio(on.cpu_us, off.cpu_us):.2f}×"
        results.rows.append(Row(f"access log on/off, {scenario.label}: server CPU per request", shown, "—", None))


def access_log_rows(results: Results, reader: Server) -> None:
    """How soon after each wrk run reader's access log held a line for every request wrk completed."""
    delays = reader.log_delays
    if not delays and not reader.log_missing:
        return
    shown = (f"{_ms(median(delays) * 1000)} median, {_ms(max(delays) * 1000)} max over {len(delays)} runs"
             if delays else "never")  # fmt: skip
    if reader.log_missing:
        shown += f"; {reader.log_missing:,} lines missing after 5 s"
    worst = max(delays, default=float("inf")) if not reader.log_missing else float("inf")
    results.rows.append(at_most("access log: a line for every request, after a run's end", worst, 1.0, shown, "≤ 1 s"))


def access_log_after_sigterm(
    results: Results, stack: ExitStack, load: Load, scenario: Scenario, reader_bin: Path, db: Path, workdir: Path
) -> None:
    """wrk against a fresh reader, SIGTERM the moment wrk ends (its last lines still in memory),
    then count the lines: one for each request wrk completed, plus at most one per connection for the
    requests in flight when it stopped."""
    server = start(stack, "reader-sigterm", [str(reader_bin), "serve", "--db", str(db)], workdir)
    server.settle()  # the /healthz line of its start is out
    server.rotate()
    result = load.run(server.port, scenario, 2)
    server.process.terminate()
    status = server.process.wait(60)
    lines = server.access_lines()
    met = status == 0 and result.requests <= lines <= result.requests + load.connections
    shown = f"{lines:,} lines for {result.requests:,} requests (+ up to {load.connections} in flight), exit {status}"
    results.rows.append(Row("access log after SIGTERM right after a 2 s run", shown, "none missing", met, "lines lost"))


# Side by side: two servers measured in the same seconds, a fresh pair each time.
SIDE_BY_SIDE_ROUNDS = 2
SIDE_BY_SIDE_SECONDS = 2


@dataclass(frozen=True)
class Contender:
    """One side of a side-by-side comparison: how it is started (anew for every pair) and whether it is a
    reader, asked the conditional GET with its own ETag (own_scenarios; the bare app answers any)."""

    name: str
    argv: list[str]
    reader: bool = True


def side_by_side(
    load: Load, pairs: int, cases: Sequence[Scenario], a: Contender, b: Contender, workdir: Path, results: Results
) -> dict[str, list[float]]:
    """`a`'s requests per CPU-second over `b`'s: for each scenario, one figure per pair of fresh servers.

    Both servers of a pair are pinned to the server CPU and asked at once, a wrk for each on the load CPU
    (half the connections each), so whatever slows the machine in those seconds slows both. The scheduler
    shares the CPU between them as it likes, so the figure is not req/s but each server's requests over its
    own CPU time (cpu_ns). Every pair is started anew, the first to start alternating, because a process's
    speed is partly its own (memory layout, hash seeds): two processes of the same code differ by more than
    one process differs from round to round, so the figures' interval is over pairs, not rounds."""
    ratios: dict[str, list[float]] = {scenario.key: [] for scenario in cases}
    for n in range(pairs):
        print(f"  pair {n + 1}/{pairs}: {a.name} and {b.name}, load average {os.getloadavg()[0]:.1f}", flush=True)
        with ExitStack() as pair:
            sides = [(0, a), (1, b)] if n % 2 == 0 else [(1, b), (0, a)]
            started = {side: start(pair, f"{c.name}-side-{side}", c.argv, workdir) for side, c in sides}
            servers = [started[0], started[1]]
            asks = [own_scenarios(server.port, cases) if c.reader else list(cases)
                    for server, c in zip(servers, (a, b), strict=True)]  # fmt: skip
            for index, scenario in enumerate(cases):
                asked = [(server.port, ask[index]) for server, ask in zip(servers, asks, strict=True)]
                load.together(asked, 1)  # warm-up
                used, done = [0, 0], [0, 0]
                for _ in range(SIDE_BY_SIDE_ROUNDS):
                    before = [cpu_ns(server.pids()) for server in servers]
                    got = load.together(asked, SIDE_BY_SIDE_SECONDS)
                    for side, server in enumerate(servers):
                        used[side] += cpu_ns(server.pids()) - before[side]
                        done[side] += got[side].requests
                        if got[side].errors or got[side].non2xx:
                            results.notes.append(f"{server.name}, {scenario.label}: {got[side].errors} socket "
                                                 f"errors, {got[side].non2xx} 4xx/5xx answers in one run")  # fmt: skip
                ratios[scenario.key].append(ratio(done[0] * used[1], done[1] * used[0]))
        for server in servers:  # stopped as the pair closed: note their errors, empty their files
            server.rotate()
            results.notes += [f"{server.name} logged: {problem}" for problem in server.problems]
    return ratios


def log_code(reader_bin: Path) -> str:
    """Which code writes the access log's text lines, as `reader --version` says (reader.cli.release): the
    compiled hit path (reader._access_log_speedups, built by pip where a C compiler was found) or Python."""
    version = subprocess.run([str(reader_bin), "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"access log (compiled|in Python)", version)
    if found is None:
        raise RuntimeError(f"reader --version does not say which code writes its access log: {version!r}")
    return "its text lines by the compiled code" if found[1] == "compiled" else "its text lines by Python alone"


def side_by_side_part(
    results: Results, args: argparse.Namespace, load: Load, reader_bin: Path, small_db: Path, workdir: Path
) -> None:
    """reader against the bare app, the access log on against off, and reader against reader (the control:
    what the method shows where there is no difference), side by side over fresh pairs."""
    serve = [str(reader_bin), "serve", "--db", str(small_db)]
    bare_argv = [sys.executable, str(BENCH_DIR / "bare_app.py")]
    print("capturing reader's answers for the bare app …", flush=True)
    with ExitStack() as stack:
        reader = start(stack, "reader-10", serve, workdir)
        cases, answers, spec = capture(reader, workdir)
        bare = start(stack, "bare", [*bare_argv, str(spec)], workdir)
        check_bare(bare, cases, answers)
        stop_all(results, (reader, bare))
    cases = cases[:3]
    as_users_start_it = Contender("reader-10", serve)
    bare = Contender("bare", [*bare_argv, str(spec)], reader=False)
    silent = Contender("reader-10-no-log", [*serve, "--access-log", "off"])
    # name: (a, b, the scenarios, the target on a/b by scenario; None: no target, the control)
    compared: dict[str, tuple[Contender, Contender, Sequence[Scenario], Callable[[Scenario], float | None]]] = {
        "reader/bare": (as_users_start_it, bare, cases, lambda scenario: scenario.target),
        # Varied traffic has no target of its own: the is for the page; it shows what real traffic costs.
        "access log on/off": (
            as_users_start_it,
            silent,
            [*cases, varied(dataset.SMALL)],
            lambda s: None if s.varied else LOG_TARGET,
        ),
        "control: reader/reader": (as_users_start_it, as_users_start_it, cases[:1], lambda _: None),
    }
    code = log_code(reader_bin)
    print(f"reader's access log: {code}", flush=True)
    results.notes.insert(0, f"compared: `{shown_argv(serve)}` as users start it (its access log on, to standard "
                            f"error, here a file, {code}), against `{shown_argv(bare_argv)} ANSWERS.json` (no "
                            "access log), against itself with `--access-log off`, and against itself")  # fmt: skip
    results.notes.insert(1, f"each figure: {args.pairs} pairs of fresh servers, both on CPU {SERVER_CPU}; per "
                            f"scenario a 1 s warm-up, then {SIDE_BY_SIDE_ROUNDS} runs of {SIDE_BY_SIDE_SECONDS} s "
                            f"with a wrk for each server at once on CPU {LOAD_CPU} ({load.connections // 2} "
                            "connections each); a pair's figure is its requests per CPU-second (each server's "
                            "CPU-time clock) over both runs")  # fmt: skip
    for name, (a, b, asked, target_of) in compared.items():
        print(f"side by side, {name}: {args.pairs} pairs × {len(asked)} scenarios", flush=True)
        ratios = side_by_side(load, args.pairs, asked, a, b, workdir, results)
        for scenario in asked:
            figure = f"{name}, {scenario.label}: requests per CPU-second, side by side"
            target = target_of(scenario)
            if target is None:
                results.rows.append(Row(figure, interval_shown(ratios[scenario.key], "pairs"), "—", None))
            else:
                results.rows.append(paired(figure, ratios[scenario.key], target, higher_is_better=True, unit="pairs"))


def workers_scaling(results: Results, load: Load, runs: int, scenario: Scenario, one: Server, two: Server) -> None:
    """`--workers 2` against `--workers 1`, servers and wrk unpinned (all three share the two CPUs)."""
    print(f"--workers 2 vs --workers 1, unpinned: {runs} rounds × {load.duration} s", flush=True)
    measured = alternate(load, runs, [(scenario.key, scenario, (one, two))], pinned=False)
    single, double = measured[scenario.key]
    best_1, best_2 = best(single), best(double)

    def busy(runs: Sequence[Measured]) -> tuple[float, float, float]:
        """CPUs kept busy by the server, by wrk; wrk's CPU microseconds per request."""
        return (median([m.server_cpu / m.seconds for m in runs]), median([m.load_cpu / m.seconds for m in runs]),
                median([m.load_cpu / max(1, m.wrk.requests) * 1e6 for m in runs]))  # fmt: skip

    (server_1, wrk_1, _), (server_2, wrk_2, wrk_us) = busy(single), busy(double)
    shown = f"{_rps(best_2, best_1)}, p99 {_ms(best_2.p99_ms)} / {_ms(best_1.p99_ms)}"
    results.rows.append(Row(f"--workers 2 / --workers 1, {scenario.label}, wrk unpinned", shown, "—", None))
    cpus = os.cpu_count() or 1
    others = max(0.0, cpus - server_2 - wrk_2)
    results.notes.append(
        f"--workers 2 on {cpus} CPUs kept {server_2:.2f} CPUs busy and wrk {wrk_2:.2f} (--workers 1: {server_1:.2f} "
        f"and wrk {wrk_1:.2f}); wrk used {wrk_us:.1f} µs of CPU per request. "
        + (f"The other {others:.2f} CPUs went to other programs: the ratio says little about reader."
           if others > 0.25 * cpus else
           "Server and wrk filled the CPUs: with wrk on the same two CPUs the workers cannot have both, so the "
           "ratio is bounded by wrk's share; with more cores than workers it would approach the number of workers.")
    )  # fmt: skip


def workers_freshness(results: Results, server: Server, token: str, repeat: int) -> None:
    """After an API write through one of two workers, how soon 20 new connections in a row all show it
    (each new connection may go to either worker). From the write's answer to the first of those 20."""
    slug = "bench-workers-freshness"
    delays: list[float] = []
    for n in range(repeat + 1):
        title = f"Freshness check {n} {time.time_ns()}"
        body = json.dumps({"title": title, "lang": "en", "body_markdown": f"Written by bench/run.py, {n}."})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        answer = request(server.port, "PUT", f"/api/articles/{slug}", headers, body)
        if answer.status not in (200, 201):
            raise RuntimeError(f"the write was refused: {answer.status} {answer.body[:200]!r}")
        written = time.monotonic()
        streak_start: float | None = None
        streak = 0
        while streak < 20:
            asked = time.monotonic()
            if asked - written > 30:
                raise RuntimeError("a write through one worker did not show on every worker within 30 s")
            fresh = title.encode() in request(server.port, "GET", f"/articles/{slug}").body
            streak, streak_start = (streak + 1, streak_start if streak else asked) if fresh else (0, None)
        if n:  # the first write creates the article; it is not counted
            assert streak_start is not None
            delays.append(max(0.0, streak_start - written))
    shown = f"{_ms(median(delays) * 1000)} median, {_ms(max(delays) * 1000)} max of {len(delays)} writes"
    results.rows.append(at_most("--workers 2: an API write visible on 20 new connections in a row", max(delays),
                                0.5, shown, "≤ 0.5 s"))  # fmt: skip


def versus_sets(
    results: Results, load: Load, runs: int, cases: Sequence[Scenario], small: Server, large: Server
) -> None:
    """p50 of the same requests against the 10- and the 100,000-article sets."""
    page, index = cases[0], next(s for s in cases if s.key == "index")
    slug = dataset.Generator().fields(dataset.middle_index(dataset.LARGE))["slug"]
    middle = Scenario("middle", "article page, cookie", "GET", f"/articles/{slug}", {"Cookie": COOKIE})
    for server in (small, large):
        for article in (page, middle):
            if request(server.port, "GET", article.path, article.headers).status != 200:
                raise RuntimeError(f"{article.path}: not 200 from {server.name}")
    print(f"10 vs 100,000 articles: {runs} rounds × 3 requests × {load.duration} s", flush=True)
    measured = alternate(load, runs, [("seed", page, (small, large)), ("middle", middle, (small, large)),
                                      ("index", index, (small, large))])  # fmt: skip
    for key, label, target in (
        ("seed", "seed article page", 1.1),
        ("middle", f"middle article page ({slug})", 1.1),
        ("index", "index page (20 of 100,000 listed vs 10 of 10)", None),
    ):
        small_runs, large_runs = measured[key]
        p_small, p_large = best(small_runs).p50_ms, best(large_runs).p50_ms
        rounds = per_round(large_runs, small_runs, "p50_ms")
        shown = f"best {_ms(p_large)} vs {_ms(p_small)}"
        figure = f"p50, 100,000 vs 10 articles, per round: {label}"
        if target is None:
            results.rows.append(Row(figure, f"{interval_shown(rounds)}; {shown}", "—", None))
        else:
            results.rows.append(paired(figure, rounds, target, higher_is_better=False, shown=shown))


def weight_and_writes(results: Results, reader: Server, db: Path, reader_bin: Path, workdir: Path, runs: int) -> None:
    path = f"/articles/{SEED}"
    html = request(reader.port, "GET", path, {"Cookie": COOKIE}).body
    weight = page_weight(path, html, lambda url: request(reader.port, "GET", url).body)
    kib = weight.total_gzip / 1024
    results.rows.append(at_most("full page, gzip, without fonts", kib, 40, f"{kib:.1f} KiB", "≤ 40 KiB"))
    blocking = ", ".join(weight.blocking_scripts)
    results.rows.append(Row("render-blocking scripts", blocking or "none", "none", not blocking, "present"))
    parts = ", ".join(f"{url.split('?')[0]} {raw:,} B → {packed:,} B" for url, raw, packed in weight.parts)
    results.notes.append(f"page weight (raw → gzip): {parts}")
    delays = write_visibility(reader, db, reader_bin, workdir, runs)
    shown = f"{_ms(median(delays) * 1000)} (max {_ms(max(delays) * 1000)})"
    results.rows.append(at_most("a write by another process visible", median(delays), 1.0, shown, "≤ 1 s"))


def create_token(reader_bin: Path, db: Path) -> str:
    done = subprocess.run([str(reader_bin), "token", "create", "bench", "--db", str(db)], capture_output=True,
                          text=True, check=True)  # fmt: skip
    return done.stdout.splitlines()[0].strip()


def working_copy(reader_bin: Path, cached: Path, copy: Path) -> Path:
    """A copy of a cached data set at this reader's schema. The cache is named by the generator's version
    only, and `reader token create` and `reader import` refuse an older schema (only `serve` and `migrate`
    move it on): the workers part made its token before serving the copy, and failed after a schema change."""
    shutil.copy(cached, copy)
    subprocess.run([str(reader_bin), "migrate", "--db", str(copy)], check=True, capture_output=True)
    return copy


def benchmark(args: argparse.Namespace, workdir: Path) -> dict[str, Results]:
    """The parts asked for (PARTS), each with its own results."""
    parts: dict[str, Results] = {}
    reader_bin = Path(sys.executable).with_name("reader")
    # A copy: the write-visibility tests change it.
    small_db = working_copy(reader_bin, dataset.ensure(args.cache, dataset.SMALL), workdir / "articles-10.sqlite")
    with ExitStack() as stack:
        if args.only in (None, "ceiling"):
            with measured_part(parts, "ceiling", args, workdir) as (results, load):
                large_db = dataset.ensure(args.cache, dataset.LARGE)
                ceiling(results, args, stack, load, reader_bin, small_db, large_db, workdir)
                readability(results, args)
        if args.only in (None, "workers"):
            with measured_part(parts, "workers", args, workdir) as (results, load):
                workers(results, args, stack, load, reader_bin, small_db, workdir)
        if args.only in (None, "side"):
            with measured_part(parts, "side", args, workdir) as (results, load):
                side_by_side_part(results, args, load, reader_bin, small_db, workdir)
        if args.only == "log":  # part of ceiling too: alone only when asked for
            with measured_part(parts, "log", args, workdir) as (results, load):
                log_cost_alone(results, args, stack, load, reader_bin, small_db, workdir)
    return parts


@contextmanager
def measured_part(
    parts: dict[str, Results], part: str, args: argparse.Namespace, workdir: Path
) -> Iterator[tuple[Results, Load]]:
    """A part's results and its wrk, with the machine's steadiness noted before and after and the load
    average during."""
    results = parts[part] = Results()
    note_steadiness(results, "before the runs")
    load = Load(args.duration, args.connections, workdir)
    yield results, load
    note_load(results, load)
    note_steadiness(results, "after the runs")


def log_cost_alone(
    results: Results, args: argparse.Namespace, stack: ExitStack, load: Load, reader_bin: Path, small_db: Path,
    workdir: Path,
) -> None:  # fmt: skip
    """The access log's cost (access_log_cost) between two fresh servers, then its completeness (a line for
    every request soon after each run, and none lost to a SIGTERM): what the ceiling part measures of the log,
    in about 12 minutes with 15 rounds (60, enough for a narrower interval, about 25), where the whole ceiling
    part takes about 50."""
    serve = [str(reader_bin), "serve", "--db", str(small_db)]
    print("starting reader (10 articles) with its access log on (as users start it) and off …", flush=True)
    reader = start(stack, "reader-10", serve, workdir)
    cases, _, _ = capture(reader, workdir)
    silent = start_without_log(stack, serve, cases[:3], workdir)
    results.notes.insert(0, f"compared: `{shown_argv(serve)}` (its access log on, text, to standard error, here "
                            f"a file, {log_code(reader_bin)}) and the same with `--access-log off`, both started "
                            "fresh")  # fmt: skip
    access_log_cost(results, load, args.runs, cases[:3], reader, silent)
    stop_all(results, (silent,))
    log_completeness(load, args.runs, cases[0], reader)
    access_log_rows(results, reader)
    stop_all(results, (reader,))
    print("access log after SIGTERM …", flush=True)
    access_log_after_sigterm(results, stack, load, cases[0], reader_bin, small_db, workdir)


def note_load(results: Results, load: Load) -> None:
    loads = load.loads
    results.notes.append(f"load average (1 min) during the runs: min {min(loads):.1f}, median "
                         f"{median(loads):.1f}, max {max(loads):.1f} on {os.cpu_count()} CPUs (the benchmark "
                         "itself keeps about 2 busy: a server and wrk)")  # fmt: skip
    if median(loads) > 3:
        results.notes.append("other work was running on the machine during this run: absolute figures are low")


def stop_all(results: Results, servers: Sequence[Server]) -> None:
    """Stop servers and note the first error any of them logged."""
    for server in servers:
        server.stop()
        server.rotate()
        if server.problems:
            results.notes.append(f"{server.name} logged errors, the first: {server.problems[0]}")


def ceiling(
    results: Results, args: argparse.Namespace, stack: ExitStack, load: Load, reader_bin: Path, small_db: Path,
    large_db: Path, workdir: Path,
) -> None:  # fmt: skip
    """reader against the bare app (the framework's ceiling, and with uvicorn's log), the access log's cost
    and completeness, the data-set size, page weight, freshness across processes, memory."""
    serve = [str(reader_bin), "serve", "--db", str(small_db)]
    bare_argv = [sys.executable, str(BENCH_DIR / "bare_app.py")]
    print("starting reader (10 articles, as users start it) and the bare app without and with a log …", flush=True)
    reader = start(stack, "reader-10", serve, workdir)
    cases, answers, spec = capture(reader, workdir)
    bare = start(stack, "bare", [*bare_argv, str(spec)], workdir)
    bare_logging = start(stack, "bare-uvicorn-log", [*bare_argv, str(spec), "--access-log"], workdir)
    compared = (
        f"reader as users start it: `{shown_argv(serve)}` (every READER_* variable unset: one process, its access "
        "log on, text, to standard error, here a file); the ceiling: "
        f"`{shown_argv(bare_argv)} ANSWERS.json`, a bare Starlette app on uvicorn sending reader's captured "
        "answers, with no access log; beside it the same bare app with uvicorn's access log on (`… --access-log`)"
    )
    print(f"compared: {compared}", flush=True)
    results.notes.insert(0, f"compared: {compared}")
    for baseline in (bare, bare_logging):
        check_bare(baseline, cases, answers)
    versus_bare(results, load, args.runs, cases, answers, (reader, bare, bare_logging))
    rss_bare = max(bare.peak_rss_kib, *bare.rss_kib()) / 1024
    stop_all(results, (bare, bare_logging))
    silent = start_without_log(stack, serve, cases[:3], workdir)
    access_log_cost(results, load, args.runs, cases[:3], reader, silent)
    log_completeness(load, args.runs, cases[0], reader)
    access_log_rows(results, reader)
    stop_all(results, (silent,))
    print("starting reader (100,000 articles) …", flush=True)
    # reader serve checks the whole file before it serves: for the 1 GB set, a minute or more on a busy machine.
    reader_large = start(stack, "reader-100000", [str(reader_bin), "serve", "--db", str(large_db)], workdir,
                         timeout=600)  # fmt: skip
    versus_sets(results, load, args.runs, cases, reader, reader_large)
    print("page weight and write visibility …", flush=True)
    weight_and_writes(results, reader, small_db, reader_bin, workdir, args.visibility_runs)
    rss = {s.name: max(s.peak_rss_kib, *s.rss_kib()) / 1024 for s in (reader, reader_large)}
    shown = f"{rss['reader-100000']:.0f} MiB"
    results.rows.append(at_most("peak RSS, 100,000 articles", rss["reader-100000"], 150, shown, "≤ 150 MiB"))
    shown = f"{rss['reader-10']:.0f} MiB ({rss_bare:.0f} MiB)"
    results.rows.append(Row("peak RSS, 10 articles (bare app)", shown, "—", None))
    stop_all(results, (reader_large, reader))
    print("access log after SIGTERM …", flush=True)
    access_log_after_sigterm(results, stack, load, cases[0], reader_bin, small_db, workdir)


def shown_argv(argv: Sequence[str]) -> str:
    """A command line as a reader of the results would type it (paths of this run made generic)."""
    names = {sys.executable: "python", str(BENCH_DIR / "bare_app.py"): "bench/bare_app.py"}
    words = [names.get(word, word) for word in argv]
    words = ["reader" if word.endswith("/reader") else "articles-10.sqlite" if word.endswith(".sqlite") else word
             for word in words]  # fmt: skip
    return " ".join(words)


def workers(
    results: Results, args: argparse.Namespace, stack: ExitStack, load: Load, reader_bin: Path, small_db: Path,
    workdir: Path,
) -> None:  # fmt: skip
    """`--workers 2` against `--workers 1` (unpinned), and a write through one worker seen by both."""
    serve = [str(reader_bin), "serve", "--db", str(small_db)]
    print("workers: starting reader --workers 1 and --workers 2, unpinned …", flush=True)
    token = create_token(reader_bin, small_db)
    one = start(stack, "reader-workers-1", [*serve, "--workers", "1"], workdir, pinned=False)
    two = start(stack, "reader-workers-2", [*serve, "--workers", "2"], workdir, pinned=False, workers=2)
    compared = f"`{shown_argv([*serve, '--workers', '2'])}` against `… --workers 1`, both with their access log on"
    print(f"compared: {compared}", flush=True)
    results.notes.insert(0, f"compared: {compared}")
    page = scenarios("")[0]
    if request(one.port, page.method, page.path, page.headers).status != 200:
        raise RuntimeError("the article page is not 200 from reader --workers 1")
    workers_scaling(results, load, args.runs, page, one, two)
    print("a write through one worker, read through both …", flush=True)
    workers_freshness(results, two, token, args.visibility_runs)
    stop_all(results, (one, two))


def readability(results: Results, args: argparse.Namespace) -> None:
    print("readability reports …", flush=True)
    for (lang, label), seconds in readability_times(args.readability_runs).items():
        limit = readability_bench.TARGETS[label]
        target = f"≤ {limit * 1000:.0f} ms" if limit < 1 else f"≤ {limit:.0f} s"
        results.rows.append(
            at_most(f"readability report, {label}, {lang}", seconds, limit, _ms(seconds * 1000), target)
        )


PARTS = {
    "ceiling": "reader against the bare app (bench/run.py)",
    "workers": "reader serve --workers (bench/run.py)",
    "log": "The access log's cost and completeness alone (bench/run.py)",
    "side": "Side by side: requests per CPU-second over fresh pairs (bench/run.py)",
}
SMOKE = "A --quick smoke run: not figures to go by; to be regenerated on a quiet machine without --quick."
PREAMBLE = """\
# Performance

Written in parts, each between two markers naming the command that writes it: bench/run.py's figures
against the bare app, side by side, for the access log alone and for `--workers`, its design and method
notes, bench/postgres.py's PostgreSQL figures, the first-visit budgets. Running a command again replaces
its own parts and leaves the others.
bench/run.py judges its ratios on many short alternating rounds with a 95 % interval, and says "not
resolved" when the interval holds the target (the method says why that happens on this machine); its
side-by-side part measures two servers in the same seconds, per CPU-second, over fresh pairs, which
settles far smaller differences. Compare ratios, not absolute numbers. The instruction counts
(bench/instructions.py) do not move with load at all.
"""


def document_part(part: str, results: Results, about: dict[str, str], command: str, quick: bool) -> str:
    """One part of docs/performance.md, marked (bench/sections.py)."""
    missed = [r for r in results.rows if r.met is False]
    unresolved = [r for r in results.rows if r.unresolved]
    smoke = f" {SMOKE}" if quick else ""
    body = [
        f"## {PARTS[part]}",
        "",
        f"Command: `{command}`.{smoke}",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in about.items()) + ".",
        "",
        markdown_table(results.rows),
        "",
        f"Missed targets ({len(missed)}):" if missed else "Missed targets: none.",
        "",
        *[f"- {r.figure}: {r.value}, target {r.target}: {r.by}" for r in missed],
        *([""] if missed else []),
        *(
            [
                f"Not resolved by this run ({len(unresolved)}): the interval holds the target, so this machine could "
                + (
                    "not tell; more pairs (`--pairs`) narrow it."
                    if part == "side"
                    else "not tell (bench/instructions.py's counts, which other load does not move, have their own "
                    "section)."
                ),
                "",
                *[f"- {r.figure}: {r.value}, target {r.target}" for r in unresolved],
                "",
            ]
            if unresolved
            else []
        ),
    ]
    if results.scenarios:
        body += ["Per scenario (each server's best per column over its rounds, its median req/s beside it; "
                 "errors are wrk's socket errors and 4xx/5xx answers):", "",
                 SCENARIO_HEADER, *results.scenarios, ""]  # fmt: skip
    body += ["Notes:", "", *[f"- {n}" for n in results.notes]]
    return sections.section(f"bench/run.py: {part}", "\n".join(body))


def design_and_method() -> str:
    """The part saying how reader gets its figures and how they are measured (true whatever was run)."""
    return sections.section(
        "bench/run.py: method", "\n".join(["## How reader gets there", "", DESIGN, "", "## Method", "", METHOD])
    )


DESIGN = """\
- `reader.response_cache.ResponseCache`, a pure ASGI middleware outside all of Starlette's (outside it are
  only the route lookup and the request id and access log layer; what it passes on, a miss's rendering
  too, runs inside Starlette's error middleware), keeps whole answers (status, headers, body) of the
  deterministic routes: the index, article pages, fragments, embeds, oEmbed and the preference `POST`. The
  key is the method, path, query, scheme, body and every request header those views read (cookie,
  `Reader-Prefs`, languages, encodings, validators, origin, htmx headers): a repeated request is a
  remembered route, one dict lookup and one write to the connection; it never reaches Starlette's router.
  uvicorn writes an answer's start and its body with a `transport.write` each, and uvloop sends
  each at once: two `send` system calls and two TCP segments per answer. A cached answer with a body has
  its two writes held and handed to the transport together, one `writev` (`reader.single_write`), as
  nginx sends a header and body: 1.08× the requests per CPU-second by itself (by hand, 10 fresh pairs
  side by side). A 304's start is its only write anyway; holding it cost 2 %, so it is not held.
- Freshness without a query per request: an answer is kept with a stamp taken before it was rendered and
  served only while the stamp is current. A page of one article is stamped with that article's change
  counter, other pages with a counter of every article change; the store moves them as it commits. Both
  include `Database.generation`, which a background task moves when `PRAGMA data_version` on the writer's
  connection (unchanged by this process's own commits) shows another process committed, checked every
  0.25 s (`Settings.change_check_interval`). The same holds between the workers of `reader serve
  --workers N`: each keeps its own answers and sees the others' writes that way. An answer rendered while
  its stamp moved is not kept; requests arriving while an answer is being rendered wait for it instead of
  rendering it again. Bounded by bytes (`READER_RESPONSE_CACHE_BYTES`, 32 MiB by default), least recently
  used out.
- The access log (`reader.access_log`) is not uvicorn's: uvicorn's costs a logging record, a formatter
  and a `write` per request, about half of what the bare app spends on a request (bench/instructions.py).
  reader's outermost middleware formats one line per request: each part of what a client sends (address,
  request line, referer and user agent) is escaped once and remembered in a bounded table of its own, and
  the first 64 combinations of each second with the status and size they got keep the line up to its
  duration for that second; each duration (integer nanoseconds, no float formatting) is formatted once
  too. So a repeated request's line is one dict lookup and four appends to a buffer (that head, the
  duration, the request id and a newline); another's is three lookups and the head formatted. The buffer
  is written with one `os.write` when it passes 64 KiB or its oldest line is half a second old, and at
  shutdown. An answer cache hit, status, size and body known before it sends, goes straight to the
  server's `send` past the per-message wrapper outside the cache (the request id layer's), and hands the
  log its status and size (`reader.request_id.Reply`).
- `reader serve` runs uvicorn on uvloop with one change (`reader.event_loop`): libuv accepts one new
  connection per turn of the event loop, and under load a turn lasts as long as answering every ready
  request, so with 1,000 connections hundreds waited seconds in the kernel's accept queue; reader's loop
  accepts up to 128 per turn. With `--workers N` each worker listens on a socket of its own bound to the
  same address (`SO_REUSEPORT`), so the kernel spreads connections evenly over the workers.
- A miss renders as before (about 1 ms for an article page on this machine, a third of it Jinja2 macro
  calls of the reading controls); Babel number formatting, 40 % of a render before, is memoized.
- Brotli (quality 5), or gzip (level 6) for clients without it, for public answers happens inside the
  cache, so each answer is compressed once."""


METHOD = """\
- Data: `bench/dataset.py` builds two SQLite files in `bench/.data/` (reused until the generator changes):
  10 articles (the 3 demo articles and 7 generated) and 100,000 (the demo articles and 99,997 generated).
  Generated articles are 2.5–6.5 KB of HTML, three in five Vietnamese, the rest English, made of the demo
  articles' sentences as paragraphs, lists, quotes and subheadings; every block passed through reader's
  sanitizer, rows written by reader's own migrations and `SqlArticleStore.save_articles`. The 10-article set
  holds the 100,000 set's middle article (published in the middle of its ten years) as well.
- reader is started as users start it: `reader serve --db … --port …` (the real CLI, every `READER_*`
  variable unset, so its defaults: one process, its access log on, in text, to standard error). Standard
  output and error of every server go to files, as on a server (a terminal would cost more); the harness
  empties them between runs.
- The ceiling: `bench/bare_app.py`, a bare Starlette app on uvicorn with the settings `reader serve` uses
  (uvloop, httptools, one worker, no proxy headers, no Server header, log level info) and **no access log at
  all**, on uvicorn's own uvloop loop (reader's accepts in batches, which changes nothing for wrk's 64
  connections, opened once per run). It answers with the status, headers and body reader sent for the same
  request (checked byte for byte before measuring; only `date` is its own), found by method, path (read from
  the scope: `Request.url` would build and parse a URL per request, a third of the app's instructions) and
  whether `If-None-Match` came. The targets are reader against it. Beside it, the same app with uvicorn's
  access log on (`--access-log`: a line per request to standard output), as most Starlette apps run: the
  second figure.
- Load: `wrk -t1 -c64`, one JSON line per run from a Lua `done` hook. Servers pinned to CPU 0, wrk to CPU 1
  (`taskset`). The servers compared take turns for every scenario (ABC, then CBA, …), by default 15 rounds
  of 1 s runs after a 1 s warm-up each, every run 0.5 s after the one before ended, whatever the harness did
  in between, so that no server's runs follow longer idle spells than another's (this method once waited 0.7
  s for reader's log to go quiet before each of reader's runs only). Scenarios use the seed article and the
  cookie `reader_prefs=1|s:200|lh:1.8`; the 304 run sends each reader the ETag that reader gave (a page's
  oEmbed links name the host and port it was asked on, so two readers on two ports tag the same page
  differently) and every reader's answers are checked before it is measured; the htmx run posts
  `action=bigger&next=/articles/<seed>&view=page` with `HX-Request: true` (reader answers 200 with the
  article region).
- Verdicts: a target on a ratio (reader/bare, log on/off, 100,000/10 articles) is judged on the ratio of
  each round's two runs, taken one right after the other: their median and a distribution-free 95 % interval
  for it (order statistics: with 15 rounds, the 4th smallest to the 4th largest ratio). Met when the whole
  interval is on the target's right side, missed when all of it is on the wrong side, **not resolved** when
  the interval holds the target, or with 5 rounds or fewer (`--quick`): then this run could not tell
  (bench/instructions.py's counts, which other load does not move, have their own section). The interval
  takes the rounds as independent; what drifts on this machine over minutes is not, and two 60-round runs
  of the log's cost minutes apart differed by more than their intervals. Beside the interval, each server's
  best per column (the most req/s; the lowest p50, p99 and CPU per request, each from whichever round) and
  the ratio of the two servers' median req/s.
- Why not simply medians: on the virtual machines this was built on, the same CPU-bound work takes up to
  twice as long from one moment to the next, whatever this machine runs (the "steadiness" notes time a fixed
  Python loop 60 times on CPU 0 before and after: 8 ms at best, 10–14 ms at the median in six such notes):
  the hypervisor's other guests. Single rounds of reader/bare moved anywhere in 0.55–1.67×. Medians of 20
  rounds gave reader/bare on the article page 0.99× in one batch and 1.08× in the next; each server's best
  round gave 1.13× and 1.15× there, but 1.13× and 0.95× in two whole runs of this benchmark later the same
  day: neither resolves 5 %. Two servers run at the same time on one CPU share the disturbance, but their
  req/s then follows the scheduler's shares (two copies of the same server differed by 0.8–1.3× per run);
  each server's requests over its own CPU time does not: the side-by-side figures below.
- Side by side (`--only side`): reader against the bare app (page, fragment, 304), the access log on
  against `--access-log off` (the same three, and varied traffic: the page or fragment of any of the small
  set's articles with one of 24 user agents and 9 referers at random, about 3,500 combinations, as real
  traffic seldom repeats a whole request; no target of its own) and, as the control, reader against reader
  (the page). Both servers of a pair are pinned to CPU 0 and asked at once, a wrk for each on CPU 1 (32
  connections each): a 1 s warm-up, then two 2 s runs per scenario. A pair's figure is the ratio of each
  server's requests over its own CPU time in those runs (its process CPU-time clock, in nanoseconds), so
  it does not matter how the scheduler shared the CPU out. Every pair is two fresh processes (the first to
  start alternating), because processes differ where rounds do not: two copies of reader in one pair came
  out 0.99–1.01× over 16 rounds, while the same comparison with new processes moved by 2–4 % from one pair
  to the next (memory layout and hash seeds are a process's own). The verdict is the median over pairs and
  its 95 % interval, as for rounds above; the control says what the method shows where there is nothing to
  find.
- CPU per request: the user and system CPU time of the server's processes (each process's CPU-time clock,
  in nanoseconds) over each run, divided by the requests wrk completed.
- Access log: the same reader with `--access-log off`, taking turns with the default, for the page, the
  fragment and the 304, treated exactly alike (`--only log`: that and the completeness below, two fresh
  servers, about 12 minutes). Then the log's completeness on its own, as many runs of the page as there are
  rounds: before each, the log file is emptied once nothing has been written to it for 0.7 s (so no
  earlier line is still in memory); after it the harness counts the lines until there is one for
  each request wrk completed, and notes how long after the run's end that was (lines are written at least
  twice a second). Last, a fresh reader gets 2 s of wrk and SIGTERM the moment wrk ends; its lines are
  counted against wrk's requests (plus at most one per connection: requests still in flight when wrk
  stopped, which the server answered and logged).
- Workers: `reader serve --workers 1` and `--workers 2`, servers and wrk unpinned (all three share the
  machine's CPUs), taking turns on the article page; the CPU time of the server's processes (from `/proc`)
  and of wrk (its rusage) per second of run says what limits the ratio. Then writes through the API to one
  article of the `--workers 2` server: after each, the page is asked for on a new connection after another
  (the kernel hands each new connection to either worker) until 20 in a row show the new title; the figure
  is from the write's answer to the first of those 20.
- 100,000 vs 10: a reader on each set, taking turns, p50 of the article page (seed article and the middle
  article) and of the index page.
- Peak RSS: VmRSS of the server process and its children polled every 0.1 s, and its VmHWM.
- Readability: `reader.readability.readability_report` in-process on articles from
  `bench/readability_bench.py` (5 KB: median of 20 runs, 1 MB: of several).
- Page weight: the article page with the cookie, and every stylesheet (following `@import`) and script it
  references, each gzipped at level 6, summed; fonts and images are not counted. A render-blocking script is
  a classic `<script>` in `<head>` without `defer` or `async`.
- Write visibility: a second process runs `reader import` of the seed article with a new paragraph into the
  running reader's database while the page is polled every 10 ms; the delay is from the commit (the moment a
  plain SQLite connection polling every 1 ms sees the new version) to reader's first answer holding the new
  text; median of several imports.
- Recording: `--write docs/performance.md` replaces this file's `bench/run.py` parts (each between markers:
  the figures against the bare app, the `--workers` figures, the side-by-side figures, the access log's cost
  alone, this design and method) and leaves every other part as it is; `--only` rewrites only its own
  figures. Each part names the command, the machine, the commit and what was compared; a `--quick` run is
  marked as a smoke run.
- Load with writes (`bench/load_with_writes.py`, run on its own, results in docs/reliability.md): 1,000
  connections for 30 s against `reader serve --workers 2` with 10 API writes a second; read p99, errors,
  every write checked, the access log's lines counted after SIGTERM.
- Instructions (`bench/instructions.py`, run on its own): each server under valgrind's callgrind, the
  user-space instructions per request of the page, fragment and 304, counted over 2,000 requests after a
  warm-up, the server's idle work taken off. The kernel and the client are not counted. Unlike requests per
  second, another program on the machine does not change them. `--keep DIR` keeps each count's callgrind
  dump, for `callgrind_annotate`."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few minutes (3 rounds)")
    parser.add_argument("--runs", type=int, help="rounds per scenario (default 15; quick 3, too few for verdicts)")
    parser.add_argument("--duration", type=int, default=1, help="seconds per wrk run (default 1)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--cache", type=Path, default=BENCH_DIR / ".data", help="data set directory")
    parser.add_argument("--write", type=Path, metavar="FILE", help="also write the results as Markdown")
    parser.add_argument(
        "--only",
        choices=("ceiling", "workers", "log", "side"),
        help="only reader against the bare app and the access log's cost (ceiling), only --workers, only the "
        "access log's cost between two fresh servers and its completeness (log: about 12 minutes), or only "
        "the side-by-side figures over fresh pairs (side)",
    )
    parser.add_argument("--pairs", type=int, help="fresh pairs per side-by-side figure (default 15; quick 3)")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.quick else 15
    if args.pairs is None:
        args.pairs = 3 if args.quick else 15
    if args.runs < 1 or args.duration < 1 or args.pairs < 1:
        parser.error("--runs, --duration and --pairs must be at least 1")
    args.visibility_runs = 3 if args.quick else 5
    args.readability_runs = 3 if args.quick else 5
    for tool, package in (("wrk", "wrk"), ("taskset", "util-linux")):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed: apt-get install -y {package} (Debian's)")
    if (os.cpu_count() or 1) < 2:
        parser.error("needs two CPUs: the servers run on CPU 0, wrk on CPU 1")
    # Stop the servers on Ctrl-C and SIGTERM (SIGINT too when started as a background job, which ignores it).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
            parts = benchmark(args, Path(tmp))
    except KeyboardInterrupt:
        print("interrupted: servers stopped", file=sys.stderr)
        return 130
    for part, results in parts.items():
        print(f"\n{PARTS[part]}\n")
        width = max(len(r.figure) for r in results.rows)
        value_width = max(len(r.value) for r in results.rows)
        for row in results.rows:
            met = (
                "NOT RESOLVED"
                if row.unresolved
                else "—"
                if row.met is None
                else "ok"
                if row.met
                else f"MISSED ({row.by})"
            )
            print(f"{row.figure:<{width}}  {row.value:<{value_width}}  {row.target:<12}  {met}")
        print()
        print("\n".join([*([SCENARIO_HEADER, *results.scenarios, ""] if results.scenarios else []), *results.notes]))
    if args.write:
        command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
        about = machine()
        for part, results in parts.items():
            text = document_part(part, results, about, command.strip(), args.quick)
            sections.write_section(args.write, text, preamble=PREAMBLE)
        sections.write_section(args.write, design_and_method(), preamble=PREAMBLE)
        print(f"wrote {', '.join(PARTS[p] for p in parts)} into {args.write}, its other parts as they were")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
