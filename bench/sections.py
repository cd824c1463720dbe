"""docs/performance.md is written in parts by several commands (bench/run.py's parts, bench/postgres.py, the
Lighthouse budgets…), each run at its own time: every part sits between two markers naming it, and a
command replaces its own parts and leaves everything else in the file as it was.

    <!-- bench/postgres.py: start -->
    ## PostgreSQL nodes (bench/postgres.py)
    …
    <!-- bench/postgres.py: end -->
"""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    """The lines that open and close the part called `name`."""
    return f"<!-- {name}: start -->", f"<!-- {name}: end -->"


def section(name: str, body: str) -> str:
    """`body` between the markers of `name`."""
    start, end = markers(name)
    return f"{start}\n{body.strip(chr(10))}\n{end}"


def write_section(path: Path, text: str, *, preamble: str = "") -> None:
    """Put a marked part (`section`'s text, its name read from its first line) in the file: in place of the
    part of that name, else at the end. A file that does not exist yet starts with `preamble`."""
    first = text.split("\n", 1)[0]
    if not (first.startswith("<!-- ") and first.endswith(": start -->")):
        raise ValueError(f"not a marked section: {first!r}")
    start, end = markers(first.removeprefix("<!-- ").removesuffix(": start -->"))
    doc = path.read_text() if path.exists() else preamble
    if start in doc and end in doc.split(start, 1)[1]:
        before, rest = doc.split(start, 1)
        doc = before + text + rest.split(end, 1)[1]
    else:
        doc = (doc.rstrip("\n") + "\n\n" if doc.strip() else "") + text + "\n"
    path.write_text(doc)
