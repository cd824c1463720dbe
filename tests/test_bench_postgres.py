"""bench/postgres.py's pure pieces: its section of docs/performance.md is replaced, never duplicated, and
the rest of the file is left as bench/run.py wrote it."""

from __future__ import annotations

from pathlib import Path

from tests.test_bench import _load

postgres = _load("postgres")


def section(text: str) -> str:
    return f"{postgres.SECTION_START}\n{text}\n{postgres.SECTION_END}"


def test_the_section_is_appended_then_replaced_in_place(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nreader's own figures\n")
    postgres.write_section(doc, section("first run"))
    assert doc.read_text() == f"# Performance\n\nreader's own figures\n\n{section('first run')}\n"
    doc.write_text(doc.read_text() + "\n## Method\n")
    postgres.write_section(doc, section("second run"))
    text = doc.read_text()
    assert text.count(postgres.SECTION_START) == 1 and "first run" not in text
    assert text.startswith("# Performance\n\nreader's own figures\n\n") and text.endswith(
        "second run\n" + postgres.SECTION_END + "\n\n## Method\n"
    )
