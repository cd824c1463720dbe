"""Crash consistency of `reader import`: kill -9 while the import writes, then look at what is left.

Shared by tests/test_crash_consistency.py and bench/crash_consistency.py (which prints the figures).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.serverproc import new_site, reader_command

# Everything that makes an article what it is; the id and the timestamps are left out on purpose (a re-run
# writes them anew).
CONTENT = "slug, lang, title, summary, body_html, body_source, body_format, author, published, source_url, version"
_WORDS = (
    "Bắc Kạn nâng cao chất lượng đội ngũ cán bộ công chức viên chức đọc dễ dàng cỡ chữ giãn dòng "
    "reading comfortable text size line spacing contrast theme screen article"
).split()


def articles(count: int, *, edition: str, first: int = 0, seed: int = 1) -> list[dict[str, Any]]:
    """`count` articles with slugs article-{first:05d}…, about 2 KB of HTML each; `edition` is written into
    every title and paragraph, so two editions of one slug always differ."""
    rng = random.Random(seed)

    def paragraph() -> str:
        return f"{edition}: " + " ".join(rng.choice(_WORDS) for _ in range(40)) + "."

    return [
        {
            "slug": f"article-{number:05d}",
            "title": f"Article {number} ({edition})",
            "lang": "vi" if number % 2 else "en",
            "summary": f"Summary {number}, {edition}.",
            "author": "Crash Test",
            "published": "2026-01-02",
            "body_html": "".join(f"<p>{paragraph()}</p>" for _ in range(5)),
        }
        for number in range(first, first + count)
    ]


def write_json(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(items, ensure_ascii=False))
    return path


def import_command(db: Path, *files: Path) -> list[str]:
    return reader_command("import", "--db", str(db), *map(str, files))


def run_import(db: Path, *files: Path) -> float:
    """Import to completion (it must succeed); the wall time in seconds."""
    return watched_import(db, *files)[0]


def watched_import(db: Path, *files: Path) -> tuple[float, int]:
    """Import to completion (it must succeed); the wall time and the largest size the -wal file reached
    (when it reaches that size again in the same import, the commit is written)."""
    start = time.perf_counter()
    process = subprocess.Popen(import_command(db, *files), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    largest = 0
    while process.poll() is None:
        largest = max(largest, wal_size(db))
        time.sleep(0.001)
    assert process.stderr is not None
    if process.wait() != 0:
        raise RuntimeError(f"reader import failed: {process.stderr.read().decode(errors='replace')}")
    process.stderr.close()
    return time.perf_counter() - start, largest


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(f"{db}-wal")
    except FileNotFoundError:
        return 0


@dataclass(frozen=True)
class Kill:
    killed: bool  # False: the import finished before the trigger
    wal_bytes: int  # the -wal file's size when the signal went
    after_seconds: float  # since the import started
    returncode: int


def import_killed(
    db: Path,
    source: Path,
    *,
    wal_bytes: int | None = None,
    seconds: float | None = None,
    checkpointing: bool = False,
    timeout: float = 600.0,
) -> Kill:
    """Start `reader import` and SIGKILL it as soon as its -wal file reaches `wal_bytes` (the import is then
    inside its one write transaction, with pages of it in the WAL and no commit yet), after `seconds`, or
    (`checkpointing`) once the main file grows: the commit is in the WAL and SQLite is copying it back."""
    start = time.perf_counter()
    main_size = db.stat().st_size
    process = subprocess.Popen(import_command(db, source), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    size = 0
    while process.poll() is None and time.perf_counter() - start < timeout:
        size = wal_size(db)
        if (
            (wal_bytes is not None and size >= wal_bytes)
            or (seconds is not None and time.perf_counter() - start >= seconds)
            or (checkpointing and db.stat().st_size > main_size)
        ):
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.001)
    killed_at = time.perf_counter() - start
    returncode = process.wait(timeout=60)
    return Kill(killed=returncode == -signal.SIGKILL, wal_bytes=size, after_seconds=killed_at, returncode=returncode)


def integrity(db: Path) -> str:
    """PRAGMA integrity_check, as the first thing to open the file after the crash (SQLite recovers the WAL)."""
    with sqlite3.connect(db) as conn:
        result = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    conn.close()
    return result


def dump(db: Path) -> list[tuple[Any, ...]]:
    """The articles table without ids and timestamps, by slug."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(f"SELECT {CONTENT} FROM articles ORDER BY slug").fetchall()
    conn.close()
    return rows


def copy_database(source: Path, target: Path) -> Path:
    """A byte copy of a cleanly closed database (no -wal beside it, so the main file is the whole of it)."""
    assert wal_size(source) == 0, "copy only a cleanly closed database"
    target.write_bytes(source.read_bytes())
    return target


@dataclass
class Scenario:
    """A database with `before` articles, and an import of `count` articles (the first `before` of them
    changed) whose clean result is known."""

    directory: Path
    before_db: Path
    source: Path
    before: list[tuple[Any, ...]]
    after: list[tuple[Any, ...]]
    clean_seconds: float
    largest_wal: int  # of the clean run: the -wal file's size once the commit is written

    @classmethod
    def build(cls, directory: Path, *, count: int = 10_000, before: int = 1_000) -> Scenario:
        before_db = new_site(directory / "before.db")
        run_import(before_db, write_json(directory / "before.json", articles(before, edition="first edition")))
        source = write_json(directory / "import.json", articles(count, edition="second edition", seed=2))
        reference = copy_database(before_db, directory / "reference.db")
        clean_seconds, largest_wal = watched_import(reference, source)
        return cls(directory, before_db, source, dump(before_db), dump(reference), clean_seconds, largest_wal)

    def state_of(self, rows: list[tuple[Any, ...]]) -> str:
        """ "before", "after", or "mixture" (what must never happen)."""
        if rows == self.before:
            return "before"
        if rows == self.after:
            return "after"
        return "mixture"
