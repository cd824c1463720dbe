"""The `reader` command's output contracts: what goes to standard output (to be captured) and what to
standard error, the environment listed by --help, and `reader migrate` / `reader copy` on SQLite
(tests/test_postgres_nodes.py runs them against PostgreSQL)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from reader.cli import main
from tests.serverproc import reader_command

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def reader(*args: str, stdin: str = "") -> Outcome:
    """`reader ARGS` in this process (no interpreter to start): its exit status and both outputs."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = saved_stdin
    return Outcome(code, out.getvalue(), err.getvalue())


def test_token_create_prints_only_the_token_on_standard_output(tmp_path: Path) -> None:
    """TOKEN=$(reader token create ci) must hold exactly the token; the advice is for the terminal."""
    command = reader_command("token", "create", "ci", "--db", str(tmp_path / "r.db"))
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"rdr_[A-Za-z0-9_-]{43}\n", done.stdout), done.stdout
    assert "Shown once" in done.stderr


def readme_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(READER_[A-Z_]+)`", table, flags=re.MULTILINE))


def test_help_lists_every_environment_variable_the_readme_documents(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    shown = set(re.findall(r"READER_[A-Z_]+", capsys.readouterr().out))
    documented = readme_variables()
    assert len(documented) >= 12
    assert documented <= shown, f"missing from --help: {sorted(documented - shown)}"


def test_every_variable_settings_reads_is_documented() -> None:
    from reader.settings import ENVIRONMENT

    source = (ROOT / "src" / "reader" / "settings.py").read_text()
    read = set(re.findall(r'"(READER_[A-Z_]+)" in environ', source))
    assert read == {name for name, _ in ENVIRONMENT} == readme_variables()


def test_migrate_creates_the_schema_once(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    first = reader("migrate", "--db", db)
    assert first.returncode == 0 and "created the schema and added 3 demo articles" in first.stdout, first
    again = reader("migrate", "--db", db)
    assert again.returncode == 0 and "up to date" in again.stdout


def test_copy_refuses_a_site_over_a_site_unless_told_to_replace(tmp_path: Path) -> None:
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    assert reader("migrate", "--db", str(source)).returncode == 0
    assert reader("token", "create", "ci", "--db", str(source)).returncode == 0
    assert reader("user", "add", "mai", "--db", str(source), stdin="correct horse battery\n").returncode == 0
    copied = reader("copy", str(source), str(target))
    assert copied.returncode == 0, copied.stderr
    assert "Copied 3 articles, 1 editor accounts and 1 API tokens" in copied.stdout
    again = reader("copy", str(source), str(target))
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "is not empty (3 articles, 1 users, 1 api tokens); --replace overwrites it" in again.stderr
    assert reader("copy", "--replace", str(source), str(target)).returncode == 0


def test_copy_from_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    done = reader("copy", str(tmp_path / "typo.db"), str(tmp_path / "b.db"))
    assert done.returncode == 2 and "no such database file" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_newer_schema_stops_migrate_with_one_line(database_target: str | Path) -> None:
    """On both backends: exit status 2, one line naming the database, nothing changed."""
    import asyncio

    from reader.db import SCHEMA_VERSION, database_for

    async def set_version(version: int) -> None:
        db = database_for(database_target)
        await db.open()
        async with db.transaction() as tx:
            if db.dialect == "sqlite":
                await tx.execute(f"PRAGMA user_version = {version}")
            else:
                await tx.execute("UPDATE reader_schema SET version = ?", (version,))
        await db.close()

    asyncio.run(set_version(SCHEMA_VERSION + 1))
    done = reader("migrate", "--db", str(database_target))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and f"schema version {SCHEMA_VERSION + 1} is newer" in done.stderr
