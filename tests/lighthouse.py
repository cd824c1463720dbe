"""Lighthouse (npm `lighthouse`, its default mobile profile with simulated slow 4G) on Debian's Chromium
against a live reader: the pages a first visit lands on, and what the budget checks and the benchmark
(bench/lighthouse.py) read from each report."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.prefs import COOKIE_NAME
from tests.conftest import EN_SLUG, SEED_SLUG

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("READER_CHROMIUM", "/usr/lib/chromium/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices")
# What the suite's budgets read: two categories' scores, and two audits of the performance category (its
# score and timings, figures only, are bench/lighthouse.py's; leaving them out saves a third of a run).
BUDGET_CATEGORIES = ("accessibility", "best-practices")
BUDGET_AUDITS = ("network-requests", "cache-insight")
# A trace-based insight always scores on a page that loads (Cache's state is "pass" or "fail"); no score
# means Lighthouse's trace missed the navigation or its model failed (seen once in CI, on a busy machine).
TRACE_AUDITS = ("cache-insight",)
# What Lighthouse says when it could not record the page and a new run may (core/lib/lh-error.js): its trace
# missed the load, or Chrome's protocol failed (TRACING_ALREADY_STARTED, PARSING_PROBLEM, READ_FAILED: "restart
# Chrome", which a new run does, as each launches its own). Seen in CI and on fresh clones on a busy machine.
RUN_AGAIN = ("run Lighthouse again", "restart Chrome and try re-running Lighthouse")
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
    for _ in range(attempts - 1):
        try:
            return _run(base_url, visit, workdir, figures)
        except LighthouseAgain:
            pass
    return _run(base_url, visit, workdir, figures)


class LighthouseAgain(RuntimeError):
    """Lighthouse failed to record the page and says to run it again."""


def _run(base_url: str, visit: Visit, workdir: Path, figures: bool) -> Report:
    command = [
        str(LIGHTHOUSE),
        base_url + visit.path,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES if figures else BUDGET_CATEGORIES)}",
        *([] if figures else [f"--only-audits={','.join(BUDGET_AUDITS)}"]),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if visit.cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": visit.cookie}))
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=workdir, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=180
    )
    if done.returncode != 0:
        error = LighthouseAgain if any(phrase in done.stderr for phrase in RUN_AGAIN) else RuntimeError
        raise error(f"lighthouse failed on {visit.path}: {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
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


def run_all(
    base_url: str, workdir: Path, visits: tuple[Visit, ...] = VISITS, parallel: int = 2, *, figures: bool = True
) -> list[Report]:
    """Every visit, `parallel` at a time (the budgets the tests check do not depend on machine load)."""
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda visit: run(base_url, visit, workdir, figures=figures), visits))
