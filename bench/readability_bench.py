#!/usr/bin/env python3
"""Time readability reports on a 5 KB and a 1 MB article in each language (targets: 20 ms and 1 s).

Articles are built from the bundled demo articles: their blocks shuffled and repeated, with a subheading
every few paragraphs, until the HTML reaches the size. Run: python bench/readability_bench.py
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
from collections.abc import Callable

from reader.importer import drafts_from_files
from reader.layout_checks import layout_report
from reader.paths import DEMO_DIR
from reader.readability import readability_report

SIZES = {"5 KB": 5 * 1024, "1 MB": 1024 * 1024}
TARGETS = {"5 KB": 0.020, "1 MB": 1.0}
_BLOCK = re.compile(r"<(p|ul|ol|blockquote|h[2-6])\b.*?</\1>", re.DOTALL)


def demo_blocks() -> dict[str, list[str]]:
    """The top-level text blocks of the demo articles, by language."""
    blocks: dict[str, list[str]] = {"vi": [], "en": []}
    for draft in drafts_from_files(sorted(p for p in DEMO_DIR.iterdir() if p.suffix in {".json", ".md", ".html"})):
        found = [m.group(0) for m in _BLOCK.finditer(draft.body_html) if not m.group(1).startswith("h")]
        blocks[draft.lang.split("-")[0]].extend(found)
    return blocks


def article(blocks: list[str], size: int, seed: int) -> str:
    """Shuffled demo blocks with a subheading every 4 to 7 blocks, just over ``size`` bytes of HTML."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    since_heading = 0
    while total < size:
        if since_heading >= rng.randint(4, 7):
            parts.append(f"<h2>Phần {len(parts)}</h2>")
            since_heading = 0
        else:
            # Near the end prefer a block that still fits, so "5 KB" stays close to 5 KB.
            fitting = [block for block in blocks if total + len(block.encode("utf-8")) <= size * 1.05]
            parts.append(rng.choice(fitting or blocks))
            since_heading += 1
        total += len(parts[-1].encode("utf-8")) + 1
    return "\n".join(parts)


def timed(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The median wall time and median CPU time of ``repeat`` calls, in seconds."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    blocks = demo_blocks()
    start = time.perf_counter()
    readability_report(lang="vi", text="Khởi động.")
    readability_report(lang="en", text="Warm up, Zyxwvutian.")  # a word CMUdict lacks loads Pyphen
    print(f"first use (loads word lists and hyphenation): {(time.perf_counter() - start) * 1000:.0f} ms")
    for lang in ("vi", "en"):
        for label, size in SIZES.items():
            html = article(blocks[lang], size, seed=len(label))
            repeat = 50 if size < 100_000 else 5
            seconds, cpu = timed(lambda html=html, lang=lang: readability_report(lang=lang, html=html), repeat)
            layout, _ = timed(lambda html=html, lang=lang: layout_report(html, lang, "en"), 3 if size > 100_000 else 20)
            verdict = "ok" if seconds <= TARGETS[label] else "SLOW"
            kb = len(html.encode("utf-8")) / 1024
            print(
                f"{lang} {label:>4} ({kb:7.1f} KiB): readability {seconds * 1000:7.1f} ms wall,"
                f" {cpu * 1000:7.1f} ms CPU (target {TARGETS[label] * 1000:.0f} ms, {verdict});"
                f" layout {layout * 1000:7.1f} ms"
            )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (timings are noisy when it is high)")


if __name__ == "__main__":
    main()
