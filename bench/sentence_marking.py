#!/usr/bin/env python3
"""Time the sentence marks for read aloud (reader.sentence_markup.mark_html) on the bodies that made the first
version quadratic, against the strongest baseline: the same HTML parsed and written back by BeautifulSoup
(which marking has to do anyway) with nothing added.

Cases: the seed-like demo article; paragraphs of five sentences; one paragraph of 1,000, 2,000 and 4,000
sentences (every sentence a sibling of every other); one paragraph of 3,000 sentences each ending inside
an <em> (a span inside every <em>); a 300-row table. Marking time should grow with the size, as the
baseline's does: the "per kB" column shows whether it does.

Run: .venv/bin/python bench/sentence_marking.py [--repeat N]   (figures: docs/read-aloud.md)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from reader.importer import drafts_from_files
from reader.paths import DEMO_DIR
from reader.sanitize import sanitize_html
from reader.sentence_markup import mark_html
from reader.soup import HTML_FORMATTER, parse_html

SENTENCE = "Tỉnh Bắc Kạn nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức cấp xã. "
STRONG = "Tỉnh Bắc Kạn nâng cao chất lượng đội ngũ cán bộ, <strong>công chức</strong>, viên chức cấp xã. "


def cases() -> dict[str, str]:
    demo = next(d for d in drafts_from_files(sorted(DEMO_DIR.glob("01-*"))))
    raw = {
        "demo article (vi)": demo.body_html,
        "1,000 paragraphs × 5 sentences, a <strong> each": "".join(f"<p>{STRONG * 5}</p>" for _ in range(1000)),
        "1 paragraph × 1,000 sentences": f"<p>{SENTENCE * 1000}</p>",
        "1 paragraph × 2,000 sentences": f"<p>{SENTENCE * 2000}</p>",
        "1 paragraph × 4,000 sentences": f"<p>{SENTENCE * 4000}</p>",
        "1 paragraph × 3,000 sentences ending in <em>": "<p>"
        + "".join(f"Câu <em>số {i}. Tiếp</em> theo. " for i in range(3000))
        + "</p>",
        "table of 300 rows": "<table>"
        + "".join(f"<tr><td>Ô {i}. Hai.</td><td>{i}</td></tr>" for i in range(300))
        + "</table>",
    }
    return {name: sanitize_html(html, lang="vi") for name, html in raw.items()}


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (the median is printed)")
    repeat = parser.parse_args().repeat
    print(f"{'case':50} {'kB':>6} {'bs4 round trip':>15} {'marking':>10} {'per kB':>9} {'× baseline':>11}")
    for name, body in cases().items():
        kb = len(body.encode("utf-8")) / 1024
        baseline = median_seconds(lambda body=body: parse_html(body).decode(formatter=HTML_FORMATTER), repeat)
        marking = median_seconds(lambda body=body: mark_html(body, "b", "vi"), repeat)
        print(
            f"{name:50} {kb:6.0f} {baseline * 1000:12.1f} ms {marking * 1000:7.1f} ms "
            f"{marking * 1000 / kb:6.2f} ms {marking / baseline:10.1f}×"
        )


if __name__ == "__main__":
    main()
