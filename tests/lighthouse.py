"""Lighthouse (npm `lighthouse`, its default mobile profile with simulated slow 4G, through its Node API:
tests/lighthouse_runner.mjs) on Debian's Chromium against a live reader: the pages a first visit lands on,
and what the budget checks and the benchmark (bench/lighthouse.py) read from each report."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.prefs import COOKIE_NAME
from tests.conftest import EN_SLUG, SEED_SLUG

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse"
RUNNER = ROOT / "tests" / "lighthouse_runner.mjs"
CHROMIUM = os.environ.get("READER_CHROMIUM", "/usr/lib/chromium/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices")
# What the suite's budgets read: two categories' scores, and two audits of the performance category (its
# score and timings, figures only, are bench/lighthouse.py's; leaving them out saves a third of a run).
BUDGET_CATEGORIES = ("accessibility", "best-practices")
BUDGET_AUDITS = ("network-requests", "cache-insight")
# A trace-based insight always scores on a page that loads (Cache's state is "pass" or "fail"); no score
# means Lighthouse's trace missed the navigation or its model failed (seen once in CI, on a busy machine).
TRACE_AUDITS = ("cache-insight",)
# The errors Lighthouse raises when it could not record the page and a new run may (core/lib/lh-error.js, whose
# messages for them say to run it again): its trace or screenshots missed the load, or Chrome's protocol failed
# (TRACING_ALREADY_STARTED, PARSING_PROBLEM, READ_FAILED: "restart Chrome", which a new run does, as each visit
# launches its own). Seen in CI and on fresh clones on a busy machine.
RUN_AGAIN = frozenset({
    "NO_TRACING_STARTED", "NO_RESOURCE_REQUEST", "NO_NAVSTART", "NO_DCL", "NO_FMP",
    "NO_SPEEDLINE_FRAMES", "SPEEDINDEX_OF_ZERO", "NO_SCREENSHOTS", "INVALID_SPEEDLINE",
    "TRACING_ALREADY_STARTED", "PARSING_PROBLEM", "READ_FAILED",
})  # fmt: skip
OPENDYSLEXIC = f"{COOKIE_NAME}=1|f:opendyslexic"


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    cookie: str = ""


VISITS = (
    Visit("index", "/"),
    Visit("seed article (vi)", f"/articles/{SEED_SLUG}"),
    Visit("English article", f"/articles/{EN_SLUG}"),
    Visit("settings", "/preferences"),
    Visit("embed", f"/embed/{SEED_SLUG}"),
    Visit("seed article, OpenDyslexic", f"/articles/{SEED_SLUG}", OPENDYSLEXIC),
)


@dataclass
class Report:
    """What one Lighthouse run found."""

    visit: Visit
    scores: dict[str, float]
    requests: list[dict[str, Any]]
    audits: dict[str, dict[str, Any]] = field(repr=False)

    @property
    def transfer_bytes(self) -> int:
        return sum(int(request.get("transferSize", 0)) for request in self.requests)

    @property
    def fonts(self) -> list[dict[str, Any]]:
        return [request for request in self.requests if request.get("resourceType") == "Font"]

    def metric(self, audit: str) -> float:
        return float(self.audits[audit]["numericValue"])


def run(base_url: str, visit: Visit, workdir: Path, attempts: int = 3, *, figures: bool = True) -> Report:
    """One cold-cache Lighthouse run (a fresh Chromium profile) on a page; again when Lighthouse itself asks
    for that (RUN_AGAIN), or its trace missed the page (on a busy machine it now and then misses the
    navigation: NO_NAVSTART, or an insight without a score)."""
    (report,) = run_all(base_url, workdir, (visit,), parallel=1, attempts=attempts, figures=figures)
    return report


class LighthouseAgain(RuntimeError):
    """Lighthouse failed to record the page and says to run it again."""


def run_all(
    base_url: str,
    workdir: Path,
    visits: tuple[Visit, ...] = VISITS,
    parallel: int = 2,
    attempts: int = 3,
    *,
    figures: bool = True,
) -> list[Report]:
    """Every visit, each a cold-cache run of its own, in `parallel` Node processes (tests/lighthouse_runner.mjs)
    that take the visits in turn (the budgets the tests check do not depend on machine load); a visit
    Lighthouse failed to record (LighthouseAgain) runs again, up to `attempts` times in all."""
    reports: dict[Visit, Report] = {}
    pending = list(visits)
    for attempt in range(1, attempts + 1):
        lanes = [pending[lane::parallel] for lane in range(parallel) if pending[lane::parallel]]
        with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
            ran = pool.map(lambda lane: _run_lane(base_url, lane, workdir, figures), lanes)
            outcomes = [outcome for lane_outcomes in ran for outcome in lane_outcomes]
        pending = []
        for visit, outcome in outcomes:
            if isinstance(outcome, Report):
                reports[visit] = outcome
            elif isinstance(outcome, LighthouseAgain) and attempt < attempts:
                pending.append(visit)
            else:
                raise outcome
        if not pending:
            break
    return [reports[visit] for visit in visits]


def _run_lane(
    base_url: str, visits: list[Visit], workdir: Path, figures: bool
) -> list[tuple[Visit, Report | RuntimeError]]:
    """The visits one after the other in one Node process; each visit's report, or why there is none."""
    lane = Path(tempfile.mkdtemp(prefix="lighthouse-", dir=workdir))
    flags: dict[str, Any] = {
        "onlyCategories": list(CATEGORIES if figures else BUDGET_CATEGORIES),
        # The full-page screenshot is for the HTML report, which no one reads here.
        "disableFullPageScreenshot": True,
    }
    if not figures:
        flags["onlyAudits"] = list(BUDGET_AUDITS)
    job = {
        "chromePath": CHROMIUM,
        "chromeFlags": ["--headless=new", "--no-sandbox", "--disable-gpu"],
        "profiles": str(lane / "profiles"),
        "flags": flags,
        "visits": [
            {
                "url": base_url + visit.path,
                "headers": {"Cookie": visit.cookie} if visit.cookie else {},
                "out": str(lane / f"{n}.json"),
            }
            for n, visit in enumerate(visits)
        ],
    }
    (lane / "profiles").mkdir()
    (lane / "job.json").write_text(json.dumps(job))
    done = subprocess.run(
        ["node", str(RUNNER), str(lane / "job.json")],
        capture_output=True,
        text=True,
        cwd=workdir,
        timeout=180 * len(visits),
    )
    outcomes: list[tuple[Visit, Report | RuntimeError]] = []
    for n, visit in enumerate(visits):
        out = lane / f"{n}.json"
        if not out.exists():
            outcomes.append((visit, RuntimeError(f"lighthouse wrote nothing for {visit.path}: {done.stderr[-2000:]}")))
            continue
        try:
            outcomes.append((visit, _report(visit, json.loads(out.read_text()))))
        except RuntimeError as exc:
            outcomes.append((visit, exc))
    return outcomes


def _report(visit: Visit, result: dict[str, Any]) -> Report:
    failed = result.get("runnerError")
    if failed:
        error = LighthouseAgain if failed["code"] in RUN_AGAIN else RuntimeError
        raise error(f"lighthouse failed on {visit.path}: {failed['message'][-2000:]}")
    if result.get("runtimeError"):
        raise LighthouseAgain(f"lighthouse on {visit.path}: {result['runtimeError']}")
    audits = result["audits"]
    for name in TRACE_AUDITS:
        audit = audits[name]
        if audit.get("score") is None:
            found = {key: audit.get(key) for key in ("scoreDisplayMode", "errorMessage")}
            raise LighthouseAgain(f"lighthouse on {visit.path}: {name} has no score: {found}")
    return Report(
        visit=visit,
        scores={name: float(category["score"]) for name, category in result["categories"].items()},
        requests=audits["network-requests"]["details"]["items"],
        audits=audits,
    )
