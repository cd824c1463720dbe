"""First-visit figures per page from Lighthouse (tests/lighthouse.py: npm `lighthouse`, its default mobile
profile with simulated slow 4G, Debian's Chromium, a fresh profile per run) on a live `reader serve` with a
fresh database: bytes transferred, requests, font bytes, FCP, LCP, TBT, CLS and the scores.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--write docs/performance.md]

Each figure is the median of `--runs` runs, one page at a time. The timings are Lighthouse's simulation
from a trace taken on this machine, so they move with its load: record them on a quiet machine. `--write`
replaces this script's section of the file (between its markers) and leaves the rest alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from statistics import median

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

import sections  # noqa: E402
from tests import lighthouse  # noqa: E402  (the repository root must be on the path first)
from tests.serverproc import Server  # noqa: E402

SECTION = "bench/lighthouse.py"
HEADER = (
    "| page | transfer | requests | fonts | FCP | LCP | TBT | CLS | performance | accessibility | best practices |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(reports: list[lighthouse.Report]) -> str:
    def mid(values: list[float]) -> float:
        return median(values)

    transfer = mid([r.transfer_bytes for r in reports]) / 1024
    fonts = mid([sum(int(f.get("transferSize", 0)) for f in r.fonts) for r in reports]) / 1024
    requests = mid([len(r.requests) for r in reports])
    timings = [
        f"{mid([r.metric(audit) for r in reports]):,.0f} ms"
        for audit in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time")
    ]
    cls = mid([r.metric("cumulative-layout-shift") for r in reports])
    scores = [f"{mid([r.scores[name] for r in reports]):.2f}" for name in lighthouse.CATEGORIES]
    cells = [reports[0].visit.name, f"{transfer:.1f} KiB", f"{requests:.0f}", f"{fonts:.1f} KiB", *timings]
    return "| " + " | ".join([*cells, f"{cls:.3f}", *scores]) + " |"


def section(rows: list[str], runs: int, load: float) -> str:
    body = "\n".join(
        [
            "## First visit on a phone (Lighthouse)",
            "",
            f"Written by `bench/lighthouse.py --write docs/performance.md`: Lighthouse's default mobile profile "
            f"(simulated slow 4G, 4× CPU slowdown), a cold cache, a fresh database; medians of {runs} run(s) per "
            "page. Transfer counts headers and bodies as sent (pages and static text files in Brotli); fonts "
            "is the part of it that is fonts. "
            "The suite asserts the load-independent budgets (tests/browser/test_lighthouse.py); the timings "
            "and the performance score are figures only.",
            "",
            "What keeps a first visit small: the default font is the system's, so no font downloads, nor do the "
            "web fonts' faces (`css/web-fonts.css`, 0.9 KiB, linked only where a web font sets the text); a chosen "
            "web font downloads only its faces for the article's letters (`unicode-range`), its regular and bold "
            "files preloaded (reader.fonts; `font-display: swap`, text is never invisible); the font buttons in the "
            "readability panel show each web font's name drawn in it, views of one SVG (about 3 KiB in Brotli) "
            "fetched only once the panel is open, so they download no font (reader.specimens). "
            "Every static URL is fingerprinted and immutable (reader.assets), the pages link one stylesheet, "
            "served without its comments and idle spaces (scripts without their comment lines and indentation, "
            "pages without their templates' indentation: reader.templating), "
            "and text files go in Brotli to browsers that take it. Read aloud's voice (with the bar that keeps its "
            "buttons on screen, `js/read-aloud-bar.js`, and its stylesheet `css/read-aloud-bar.css`, which also "
            "shows the sentence being read) and the reading guide (with `css/reading-guide.css`) load on first use "
            "(docs/read-aloud.md), and so does what makes again the presses made while a change was "
            "on its way (`js/settings-presses.js`, docs/preferences.md), the rest of the reading tools is one "
            "module, and each page's two classic scripts are one file (the embed's, and the article's, index's "
            "and settings' own); the five read-aloud icons are views of one SVG; static "
            "files carry only the headers that mean something for them (nosniff, CORS/CORP, caching; a CSP on "
            "SVG: reader.kinds).",
            "",
            HEADER,
            *rows,
            "",
            f"Load average (1 min) at the end of the run: {load:.1f} on {os.cpu_count()} CPUs. Lighthouse's timings "
            "are simulated from a trace taken on this machine, so they move with its load; sizes and requests do not.",
        ]
    )
    return sections.section(SECTION, body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per page (the median is reported)")
    parser.add_argument("--write", type=Path, help="write the table into this Markdown file's section")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reader-lighthouse-") as tmp:
        base = Path(tmp)
        with Server(db=base / "reader.db", directory=base) as server:
            rows = []
            for visit in lighthouse.VISITS:
                reports = [lighthouse.run(server.url, visit, base) for _ in range(args.runs)]
                rows.append(row(reports))
                print(rows[-1], flush=True)
    text = section(rows, args.runs, os.getloadavg()[0])
    print()
    print(text)
    if args.write:
        sections.write_section(args.write, text)
        print(f"written to {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
