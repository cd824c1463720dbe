#!/usr/bin/env python3
"""Write the files that follow from the preference model (reader.prefs) and the fonts: the drawing of each
web font's name that its button shows (static/img/font-specimens.svg, reader.specimens: from the font
files in static/fonts and the names in reader.announce), then the rules in static/css/reader.css between
its two "Generated" marker comments (reader.prefs_css, which also sizes those drawings) and the print palette in
static/css/reader-article.css's, and the web fonts'
metric-matched fallbacks in static/css/font-fallbacks.css (reader.font_fallbacks, measured against Debian's
Noto Sans: fonts-noto-core). Run it after
changing reader.prefs, a font's name or the fonts (scripts/vendor_assets.py).

Usage (from the repository root, with reader installed in .venv with its test extras: fontTools, uharfbuzz):
    .venv/bin/python scripts/generate_css.py          # rewrite what is stale
    .venv/bin/python scripts/generate_css.py --check  # exit 1 if a committed file is stale
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from reader import font_fallbacks, specimens
from reader.paths import STATIC_DIR
from reader.prefs_css import with_component_section, with_generated_section

ROOT = Path(__file__).resolve().parents[1]
STYLESHEET = ROOT / "static" / "css" / "reader.css"
SPRITE = ROOT / "static" / specimens.SPRITE
# In this order: the stylesheet sizes each drawing from the sprite's views.
GENERATED: tuple[tuple[Path, Callable[[str], str]], ...] = (
    (SPRITE, lambda _current: specimens.draw_sprite(STATIC_DIR)),
    (STYLESHEET, with_generated_section),
    (ROOT / "static" / "css" / "reader-article.css", with_component_section),
    (ROOT / "static" / font_fallbacks.STYLESHEET, lambda _current: font_fallbacks.stylesheet(STATIC_DIR)),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    args = parser.parse_args()
    stale = 0
    for path, generate in GENERATED:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        fresh = generate(current)
        name = path.relative_to(ROOT)
        if fresh == current:
            print(f"{name} is up to date")
        elif args.check:
            print(f"{name} is stale: run .venv/bin/python scripts/generate_css.py", file=sys.stderr)
            stale = 1
        else:
            path.write_text(fresh, encoding="utf-8")
            specimens.views.cache_clear()
            print(f"wrote {name}")
    return stale


if __name__ == "__main__":
    sys.exit(main())
