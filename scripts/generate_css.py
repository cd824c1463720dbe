#!/usr/bin/env python3
"""Write the rules that follow from the preference model (reader.prefs: steps, fonts, palettes) into
static/css/reader.css, between its two "Generated" marker comments. Run it after changing reader.prefs.

Usage (from the repository root, with reader installed in .venv):
    .venv/bin/python scripts/generate_css.py          # rewrite the section
    .venv/bin/python scripts/generate_css.py --check  # exit 1 if the committed file is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader.prefs_css import with_generated_section

STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "css" / "reader.css"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report whether the file is up to date")
    args = parser.parse_args()
    current = STYLESHEET.read_text(encoding="utf-8")
    fresh = with_generated_section(current)
    if fresh == current:
        print(f"{STYLESHEET.name} is up to date")
        return 0
    if args.check:
        print(f"{STYLESHEET.name} is stale: run .venv/bin/python scripts/generate_css.py", file=sys.stderr)
        return 1
    STYLESHEET.write_text(fresh, encoding="utf-8")
    print(f"wrote the generated rules into {STYLESHEET.relative_to(STYLESHEET.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
