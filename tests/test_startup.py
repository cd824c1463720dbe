"""`reader serve` and `reader import` on a database they cannot use: one line on stderr, exit status 2,
and the file exactly as it was (content, size and modification time; no -wal or -shm left beside it).

Unwritable paths: the tests run as root, which ignores file permissions, so they use paths that even root
cannot create — a file in /proc (the kernel refuses new files there) and a file under a directory that
does not exist — and, when they can switch to the `nobody` user, a read-only database owned by root.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.db import SCHEMA_VERSION
from tests.serverproc import new_site, reader_command

NOBODY = 65534
COMMANDS = ["serve", "import"]


AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def article_file(directory: Path) -> Path:
    # In a folder of its own: the database's folder must hold nothing but what reader leaves there.
    inputs = directory / "inputs"
    inputs.mkdir(exist_ok=True)
    path = inputs / "article.json"
    path.write_text(json.dumps({"title": "One", "lang": "en", "body_html": "<p>One.</p>"}))
    return path


def run(command: str, db: Path, directory: Path, as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    args = ["serve", "--port", "0"] if command == "serve" else ["import", str(article_file(directory))]
    # A serve that wrongly starts would run until the timeout; that fails the test too.
    return subprocess.run(
        [*(AS_NOBODY if as_nobody else []), *reader_command(*args, "--db", str(db))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=directory,
    )


def fingerprint(path: Path) -> tuple[str, int, int, list[str]]:
    """Content hash, size, mtime in ns, and the names beside the file (a -wal or -shm would show)."""
    stat = path.stat()
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return digest, stat.st_size, stat.st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def assert_refused(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("reader: error: ") and "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in lines[0]


def data_dir(tmp_path: Path) -> Path:
    """A folder for the database alone (the command's input file goes elsewhere)."""
    directory = tmp_path / "data"
    directory.mkdir()
    return directory


def reader_database(path: Path) -> None:
    """A database as reader leaves it: migrated, WAL mode, a few articles, cleanly closed."""
    directory = path.parent
    source = directory.parent / "seed.json"
    articles = [{"title": f"Article {n}", "lang": "en", "body_html": "<p>" + "text " * 400 + "</p>"} for n in range(40)]
    source.write_text(json.dumps(articles))
    new_site(path)
    done = subprocess.run(reader_command("import", "--db", str(path), str(source)), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    source.unlink()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_directory(tmp_path: Path, command: str) -> None:
    result = run(command, tmp_path / "missing" / "reader.db", tmp_path)
    assert_refused(result, "missing/reader.db", "does not exist")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_directory_instead_of_a_file(tmp_path: Path, command: str) -> None:
    directory = tmp_path / "reader.db"
    directory.mkdir()
    result = run(command, directory, tmp_path)
    assert_refused(result, "not a file")
    assert list(directory.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_path_nobody_may_create(tmp_path: Path, command: str) -> None:
    path = Path(f"/proc/reader-test-{os.getpid()}.db")
    result = run(command, path, tmp_path)
    # reader import makes no database (only serve and migrate do): it says there is none.
    assert_refused(result, str(path), "cannot open the database for writing" if command == "serve" else "no such")
    assert not path.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_is_not_sqlite(tmp_path: Path, command: str) -> None:
    path = data_dir(tmp_path) / "notes.db"
    path.write_bytes(b"These are my notes, not a database.\n" * 300)
    before = fingerprint(path)
    result = run(command, path, tmp_path)
    assert_refused(result, "not a SQLite database")
    assert fingerprint(path) == before


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("damage", ["garbage pages", "truncated"])
def test_a_corrupt_database(tmp_path: Path, command: str, damage: str) -> None:
    path = data_dir(tmp_path) / "reader.db"
    reader_database(path)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    if damage == "garbage pages":
        # The header and schema page stay valid: the file opens, the damage shows only when pages are read.
        rng = random.Random(7)
        for offset in range(3 * page_size, len(data)):
            data[offset] = rng.randrange(256)
    else:
        data = data[: 4 * page_size]
    path.write_bytes(bytes(data))
    before = fingerprint(path)
    result = run(command, path, tmp_path)
    assert_refused(result, "corrupt", "left untouched")
    assert fingerprint(path) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_schema_newer_than_the_code(tmp_path: Path, command: str) -> None:
    path = data_dir(tmp_path) / "reader.db"
    reader_database(path)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = fingerprint(path)
    result = run(command, path, tmp_path)
    assert_refused(result, f"schema version {SCHEMA_VERSION + 1} is newer")
    assert fingerprint(path) == before


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    # tmp_path lives under a 0700 directory the nobody user cannot enter.
    directory = Path(tempfile.mkdtemp(prefix="reader-ro-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


def can_run_as_nobody(directory: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    probe = subprocess.run(
        [*AS_NOBODY, sys.executable, "-c", "import reader.cli"], cwd=directory, capture_output=True, check=False
    )
    return probe.returncode == 0


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_database(world_readable_dir: Path, command: str) -> None:
    if not can_run_as_nobody(world_readable_dir):
        pytest.skip("needs root and setpriv, to run reader as the nobody user against a file owned by root")
    database_dir = world_readable_dir / "data"
    database_dir.mkdir(mode=0o755)
    path = database_dir / "reader.db"
    reader_database(path)
    path.chmod(0o644)
    article_file(world_readable_dir).parent.chmod(0o755)
    before = fingerprint(path)
    result = run(command, path, world_readable_dir, as_nobody=True)
    assert_refused(result, "cannot open the database for writing")
    assert fingerprint(path) == before
