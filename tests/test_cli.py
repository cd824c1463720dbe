"""The `reader` command's output contracts: what goes to standard output (to be captured) and what to
standard error, the environment listed by --help, and `reader migrate` / `reader copy` on SQLite
(tests/test_postgres_nodes.py runs them against PostgreSQL)."""

from __future__ import annotations

import asyncio
import io
import json
import re
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reader import __version__
from reader.access_log import COMPILED
from reader.cli import main, visible
from reader.db import SCHEMA_VERSION, ConflictError, DatabaseUnavailable, database_for
from reader.models import ArticleDraft
from reader.settings import port
from tests.conftest import fill, immutable, opened_nodes, sqlite_write_locked
from tests.serverproc import new_site, reader_command

ROOT = Path(__file__).resolve().parent.parent

# What the release line says of the access log's code (reader.cli.release).
LOG_CODE = "compiled" if COMPILED else "in Python"


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
    command = reader_command("token", "create", "ci", "--db", str(new_site(tmp_path / "r.db")))
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"rdr_[A-Za-z0-9_-]{43}\n", done.stdout), done.stdout
    assert "Shown once" in done.stderr


def test_version_says_the_database_schema_too() -> None:
    """Releases of one version number (0.1.0 at schema 14 and at 15) could not be told apart: --version says
    which schema the code reads and writes, for an operator comparing the nodes of a rolling upgrade."""
    done = subprocess.run(reader_command("--version"), capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (
        0,
        f"reader {__version__} (database schema {SCHEMA_VERSION}, access log {LOG_CODE})\n",
    )


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


@pytest.mark.parametrize("command", ["import", "user", "token"])
def test_help_says_which_commands_need_an_existing_site(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    # They refuse a missing database or an older schema (only serve and migrate make or move one on).
    with pytest.raises(SystemExit):
        main([command, "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "works on an existing site" in said and "run 'reader migrate' first" in said


def test_every_variable_settings_reads_is_documented() -> None:
    from reader.settings import ENVIRONMENT

    source = (ROOT / "src" / "reader" / "settings.py").read_text()
    read = set(re.findall(r'"(READER_[A-Z_]+)" in environ', source))
    assert read == {name for name, _ in ENVIRONMENT} == readme_variables()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("70000", "--port must be at most 65535, not 70000"),
        ("65536", "--port must be at most 65535, not 65536"),
        ("-1", "--port must be at least 0, not -1"),
        ("http", "--port must be a whole number, not 'http'"),
    ],
)
def test_a_port_out_of_range_stops_serve_with_one_line_before_the_database(
    tmp_path: Path, value: str, message: str
) -> None:
    # Was an OverflowError's traceback from binding the socket (exit 1), after the database was created.
    done = reader("serve", "--port", value, "--db", str(tmp_path / "r.db"))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"reader: error: {message}\n")
    assert not (tmp_path / "r.db").exists()
    # 0 is any free port (the tests' servers start so), 65535 the last one.
    assert (port("--port", "0"), port("--port", "65535")) == (0, 65535)


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
    assert "Copied 3 articles, 1 editor account and 1 API token from" in copied.stdout
    again = reader("copy", str(source), str(target))
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "is not empty (3 articles, 1 editor account, 1 API token); --replace overwrites it" in again.stderr
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


# ---------------------------------------------------------------- reader copy, further


def test_copy_refuses_one_database_under_two_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert reader("migrate", "--db", "a.db").returncode == 0
    (tmp_path / "link.db").symlink_to(tmp_path / "a.db")
    for source, target in (("a.db", str(tmp_path / "a.db")), ("a.db", "link.db"), ("link.db", "./a.db")):
        done = reader("copy", "--replace", source, target)
        assert (done.returncode, done.stderr) == (2, "reader: error: SOURCE and TARGET are the same database\n")
    assert len(sqlite_slugs(tmp_path / "a.db")) == 3


def sqlite_slugs(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        slugs = [slug for (slug,) in conn.execute("SELECT slug FROM articles ORDER BY slug")]
    conn.close()
    return slugs


def test_copy_reads_its_source_as_it_is(tmp_path: Path) -> None:
    """Nothing is written to the source: not its journal mode, not a migration. An older schema is refused
    (one line), an up-to-date one in the old rollback journal is copied and left so."""
    source = tmp_path / "source.db"
    assert reader("migrate", "--db", str(source)).returncode == 0
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = source.read_bytes()
    copied = reader("copy", str(source), str(tmp_path / "copy.db"))
    assert copied.returncode == 0, copied.stderr
    assert source.read_bytes() == before and not (tmp_path / "source.db-wal").exists()

    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    before = source.read_bytes()
    refused = reader("copy", str(source), str(tmp_path / "other.db"))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "schema version 2 is older than this reader's" in refused.stderr and "reader migrate" in refused.stderr
    assert source.read_bytes() == before


def _companions(path: Path) -> dict[str, tuple[int, int]]:
    """The -wal and -shm beside a database file: (inode, size) by suffix."""
    found = {suffix: Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")}
    return {suffix: (file.stat().st_ino, file.stat().st_size) for suffix, file in found.items() if file.exists()}


def test_copy_leaves_no_wal_or_shm_beside_its_source(tmp_path: Path) -> None:
    """A WAL source without a -wal or -shm (no process has it open) is left so, its file unchanged: the
    read-only connections that made them are not the last word."""
    source = tmp_path / "source.db"
    assert reader("migrate", "--db", str(source)).returncode == 0
    assert _companions(source) == {}
    before = (source.read_bytes(), source.stat().st_mtime_ns)
    copied = reader("copy", str(source), str(tmp_path / "copy.db"))
    assert copied.returncode == 0, copied.stderr
    assert _companions(source) == {}
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["copy.db", "source.db"]


# Another process with the database open in WAL mode, as a running server has it: it commits a row (left in
# the -wal: no checkpoint), says so, and holds its connection until told to read the row and go.
_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("INSERT INTO secrets (name, value) VALUES ('held', 'yes')")
print("ready", flush=True)
sys.stdin.readline()
print(conn.execute("SELECT value FROM secrets WHERE name = 'held'").fetchone()[0], flush=True)
"""


def test_copy_leaves_a_running_servers_wal_and_shm(tmp_path: Path) -> None:
    """The -wal and -shm of a source that another process has open are that process's: they stay as they
    were, its commit in the -wal included, whether they were there before the copy or came while it ran."""
    from reader.backends.sqlite import SQLiteDatabase

    source = tmp_path / "source.db"
    assert reader("migrate", "--db", str(source)).returncode == 0

    def hold() -> tuple[subprocess.Popen[str], dict[str, tuple[int, int]]]:
        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(source)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        held = _companions(source)
        assert set(held) == {"-wal", "-shm"} and held["-wal"][1] > 0
        return holder, held

    async def started_during_a_copy() -> tuple[subprocess.Popen[str], dict[str, tuple[int, int]]]:
        """What reader copy does with its source (none of its files there as it opens), the holder
        starting between its opening and its closing."""
        reading = SQLiteDatabase(source)
        await reading.open_for_reading()
        try:
            return hold()
        finally:
            await reading.close()

    for started in ("before", "during"):
        if started == "during":
            holder, held = asyncio.run(started_during_a_copy())
        else:
            holder, held = hold()
            copied = reader("copy", str(source), str(tmp_path / "copy.db"))
            assert copied.returncode == 0, copied.stderr
        try:
            assert _companions(source) == held
            out, _ = holder.communicate("\n", timeout=30)
        finally:
            holder.kill()
        assert out == "yes\n"
        with sqlite3.connect(source) as conn:
            conn.execute("DELETE FROM secrets")
        conn.close()


def test_copy_does_not_read_reader_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SOURCE and TARGET name both databases: a READER_DB meant for serve neither counts nor stops copy."""
    monkeypatch.setenv("READER_DB", "mysql://elsewhere/site")
    monkeypatch.chdir(tmp_path)
    assert reader("migrate").returncode == 2  # read by the other commands
    monkeypatch.delenv("READER_DB")
    assert reader("migrate", "--db", str(tmp_path / "a.db")).returncode == 0
    monkeypatch.setenv("READER_DB", "mysql://elsewhere/site")
    done = reader("copy", str(tmp_path / "a.db"), str(tmp_path / "b.db"))
    assert done.returncode == 0, done.stderr


async def _site(target: str | Path, title: str) -> tuple[str, str, str]:
    """A site with one article, an editor with a live session and an API token: (session, token, signing key)."""
    from reader.accounts import AccountStore
    from reader.drafts import draft_from_fields
    from reader.models import BY_TOKEN
    from reader.store import SqlArticleStore

    async with opened_nodes(target, 1) as (db,):
        draft = draft_from_fields({"slug": "only", "lang": "en", "title": title, "body_html": "<p>x</p>"})
        store = SqlArticleStore(db)
        await store.save_articles([draft], by="mai")
        # An article deleted at version 2: its slug's next article goes on from there, on the copy too.
        for gone_title, by in (("Gone", "lan"), ("Gone, changed", BY_TOKEN + "ci")):
            fields = {"slug": "gone", "lang": "en", "title": gone_title, "body_html": "<p>x</p>"}
            await store.save_articles([draft_from_fields(fields)], by=by)
        await store.delete_article("gone", by="mai")
        accounts = AccountStore(db)
        await accounts.add_user("mai", "correct horse battery")
        login = await accounts.verify_login("mai", "correct horse battery")
        assert login is not None
        session = await accounts.create_session(login)
        assert session is not None
        return session, await accounts.create_token("ci"), await accounts.secret("k")


async def _read_site(
    target: str | Path, session: str, token: str
) -> tuple[list[str], bool, str | None, str, list[tuple[str, int]]]:
    from reader.accounts import AccountStore
    from reader.store import SqlArticleStore

    async with opened_nodes(target, 1) as (db,):
        accounts = AccountStore(db)
        # With who saved each version (the editor's history).
        store = SqlArticleStore(db)
        articles = [await store.get_article(row["slug"]) for row in await db.fetch_all("SELECT slug FROM articles")]
        titles = sorted(f"{article.title} by {article.saved_by}" for article in articles if article)
        # With who deleted it, and whether when was kept (the editor's list of deleted articles).
        deleted = [
            (f"{row['slug']} by {row['deleted_by']}{' at a time' if row['deleted_at'] else ''}", row["version"])
            for row in await db.fetch_all("SELECT * FROM deleted_articles")
        ]
        history = await db.fetch_all(
            "SELECT slug, version, title, saved_by FROM article_revisions ORDER BY slug, version"
        )
        deleted += [(f"{row['slug']} {row['title']} by {row['saved_by']}", row["version"]) for row in history]
        return (
            titles,
            await accounts.session(session) is not None,
            await accounts.token_name(token),
            (await accounts.secret("k")),
            deleted,
        )


def _copied(title: str, key: str) -> tuple[list[str], bool, str | None, str, list[tuple[str, int]]]:
    """What _read_site finds of a site _site made: its article, the live session and token, the key, and
    the deleted article's last version and history, with who saved each version."""
    history = [("gone by mai at a time", 2), ("gone Gone by lan", 1), ("gone Gone, changed by token:ci", 2)]
    return [f"{title} by mai"], True, "ci", key, history


def test_a_copied_site_keeps_its_sessions_tokens_and_key(tmp_path: Path, database_target: str | Path) -> None:
    source = tmp_path / "source.db"
    session, token, key = asyncio.run(_site(source, "From the source"))
    done = reader("copy", str(source), str(database_target))
    assert done.returncode == 0, done.stderr
    assert asyncio.run(_read_site(database_target, session, token)) == _copied("From the source", key)


def test_a_copy_keeps_when_accounts_last_signed_in_and_tokens_were_last_used(
    tmp_path: Path, database_target: str | Path
) -> None:
    """Operators reviewing access on the copy see what they saw on the source."""
    source = tmp_path / "source.db"
    _, token, _ = asyncio.run(_site(source, "From the source"))
    asyncio.run(_read_site(source, "no session", token))  # a request with the token records its use
    listed = [reader(what, "list", "--db", str(source)).stdout for what in ("user", "token")]
    assert all(" never" not in text for text in listed), listed
    done = reader("copy", str(source), str(database_target))
    assert done.returncode == 0, done.stderr
    assert [reader(what, "list", "--db", str(database_target)).stdout for what in ("user", "token")] == listed


def test_copy_replace_leaves_exactly_the_source(tmp_path: Path, database_target: str | Path) -> None:
    source = tmp_path / "source.db"
    session, token, key = asyncio.run(_site(source, "From the source"))
    old_session, old_token, _ = asyncio.run(_site(database_target, "Was there before"))
    done = reader("copy", "--replace", str(source), str(database_target))
    assert done.returncode == 0, done.stderr
    assert asyncio.run(_read_site(database_target, session, token)) == _copied("From the source", key)
    assert asyncio.run(_read_site(database_target, old_session, old_token))[1:3] == (False, None)


def test_a_copy_that_fails_half_way_leaves_the_target_as_it_was(
    tmp_path: Path, database_target: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader import copying

    source = tmp_path / "source.db"
    asyncio.run(_site(source, "From the source"))
    session, token, key = asyncio.run(_site(database_target, "Was there before"))

    async def lost(*args: object) -> int:
        raise DatabaseUnavailable("connection was closed in the middle of operation")

    monkeypatch.setattr(copying, "_copy_accounts", lost)  # after the target was emptied and articles copied
    done = reader("copy", "--replace", str(source), str(database_target))
    assert (done.returncode, done.stderr.count("\n")) == (2, 1) and "nothing was written" in done.stderr
    assert asyncio.run(_read_site(database_target, session, token)) == _copied("Was there before", key)


# ---------------------------------------------------------------- a malformed database URL

BAD_URLS = [
    "postgresql://u:Zq9secret@[::1/x",  # urllib's ValueError: Invalid IPv6 URL
    "postgresql://u:Zq9secret@[::1]:99999/x",  # OverflowError from connect(), after the schema step began
    "postgresql://u:Zq9secret@127.0.0.1:70000/x",
    "postgresql://u:Zq9secret@db1,/x",  # asyncpg's IndexError
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize(
    "command",
    [("serve", "--port", "0"), ("migrate",), ("import", "{file}"), ("token", "create", "ci"), ("user", "add", "mai")],
    ids=" ".join,
)
@pytest.mark.parametrize("way", ["--db", "READER_DB"])
def test_a_malformed_database_url_stops_every_command_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, command: tuple[str, ...], way: str
) -> None:
    """README: one line, exit status 2, naming where the URL came from, never its password."""
    article = tmp_path / "one.json"
    article.write_text('{"title": "One", "lang": "en", "body_html": "<p>x</p>"}')
    args = [part.format(file=article) for part in command]
    if way == "--db":
        args += ["--db", url]
    else:
        monkeypatch.setenv("READER_DB", url)
    done = reader(*args, stdin="correct horse battery\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"reader: error: {way}: ") and done.stderr.count("\n") == 1
    assert "Zq9secret" not in done.stderr


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_url_as_copys_source_or_target_is_one_line(tmp_path: Path, url: str) -> None:
    site = str(tmp_path / "site.db")
    assert reader("migrate", "--db", site).returncode == 0
    for args, name in (((url, str(tmp_path / "copy.db")), "SOURCE"), ((site, url), "TARGET")):
        done = reader("copy", *args)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.startswith(f"reader: error: {name}: ") and done.stderr.count("\n") == 1
        assert "Zq9secret" not in done.stderr
    assert not (tmp_path / "copy.db").exists()


def test_a_bad_pgport_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """asyncpg reads PGPORT for a host given without its port: 70000 was an OverflowError's traceback."""
    monkeypatch.setenv("PGPORT", "70000")
    done = reader("migrate", "--db", "postgresql://reader@127.0.0.1/site")
    assert (done.returncode, done.stderr) == (
        2, "reader: error: PGPORT (read for --db): a port in it is not a number from 1 to 65535\n"
    )  # fmt: skip


# ---------------------------------------------------------------- a database that fails a command


@pytest.mark.parametrize(
    "command",
    [("import", "{file}"), ("token", "create", "ci"), ("token", "revoke", "ci"), ("user", "add", "mai")],
    ids=" ".join,
)
def test_a_database_that_does_not_answer_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    from reader import cli

    db = tmp_path / "site.db"
    assert reader("migrate", "--db", str(db)).returncode == 0
    article = tmp_path / "one.json"
    article.write_text('{"title": "One", "lang": "en", "body_html": "<p>x</p>"}')
    monkeypatch.setattr(cli, "database_for", lambda target, **kw: database_for(target, **{**kw, "busy_timeout_ms": 50}))
    args = [part.format(file=article) for part in command]
    with sqlite_write_locked(db):
        done = reader(*args, "--db", str(db), stdin="correct horse battery\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"reader: error: {db}: the database could not be used: database is locked")
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("nothing was written\n")


def test_an_import_that_loses_a_race_again_and_again_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import SqlArticleStore

    async def conflict(*args: object, **kwargs: object) -> None:
        raise ConflictError("duplicate key value violates unique constraint")

    monkeypatch.setattr(SqlArticleStore, "save_articles", conflict)
    article = tmp_path / "one.json"
    article.write_text('{"title": "One", "lang": "en", "body_html": "<p>x</p>"}')
    done = reader("import", "--db", str(new_site(tmp_path / "site.db")), str(article))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "nothing was written" in done.stderr


@pytest.mark.parametrize(
    "command",
    [("import", "{file}"), ("token", "create", "ci"), ("user", "add", "mai"), ("token", "list"), ("migrate",)],
    ids=" ".join,
)
def test_a_read_only_database_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    db = tmp_path / "site.db"
    assert reader("migrate", "--db", str(db)).returncode == 0
    article = tmp_path / "one.json"
    article.write_text('{"title": "One", "lang": "en", "body_html": "<p>x</p>"}')
    args = [part.format(file=article) for part in command]
    with immutable(db):  # as on a read-only mount (permissions do not stop root)
        done = reader(*args, "--db", str(db), stdin="correct horse battery\n")
    # Refused before anything is opened, as README says of a file that cannot be written (the commands
    # that would write nothing, token list and migrate of an up-to-date schema, included).
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"reader: error: {db}: cannot open the database for writing (Operation not permitted)\n"
    assert _companions(db) == {}


def test_serve_refuses_a_database_it_cannot_write_before_it_serves(tmp_path: Path) -> None:
    from reader.accounts import AccountStore

    async def served_once(target: Path) -> None:
        async with opened_nodes(target, 1) as (opened,):
            await AccountStore(opened).secret("session-signing")  # as the first start makes it

    db = tmp_path / "site.db"
    asyncio.run(served_once(db))  # a site that has been served: starting it again writes nothing
    with immutable(db):
        # A server that starts anyway is stopped by the timeout: the test fails then, it does not hang.
        done = subprocess.run(
            reader_command("serve", "--db", str(db), "--port", "0"), capture_output=True, text=True, timeout=30
        )
    assert done.returncode == 2 and done.stderr.endswith(
        "cannot open the database for writing (Operation not permitted)\n"
    )
    assert done.stderr.count("\n") == 1 and _companions(db) == {}


def test_a_copy_keeps_renamed_articles_old_addresses(tmp_path: Path, database_target: str | Path) -> None:
    from reader.drafts import draft_from_fields
    from reader.store import SqlArticleStore

    def draft(slug: str) -> ArticleDraft:
        return draft_from_fields({"slug": slug, "lang": "en", "title": "Renamed", "body_html": "<p>x</p>"})

    async def renamed_site(target: Path) -> None:
        async with opened_nodes(target, 1) as (db,):
            store = SqlArticleStore(db)
            await store.save_articles([draft("typo"), draft("gone-typo")])
            assert await store.rename_article("typo", "fixed", version=1)
            # And a deleted article's, given back when it is restored.
            assert await store.rename_article("gone-typo", "gone", version=1)
            assert await store.delete_article("gone")

    async def redirect_on(target: str | Path) -> tuple[str | None, int | None, str | None, str | None]:
        async with opened_nodes(target, 1) as (db,):
            store = SqlArticleStore(db)
            row = await db.fetch_one("SELECT version FROM article_redirects WHERE slug = 'typo'")
            assert await store.restore_deleted(draft("gone"), version=2)
            # And its feed id's: feed readers following the copy see the same entry (reader.views.feed).
            feed = await db.fetch_one("SELECT feed_slug FROM articles WHERE slug = 'fixed'")
            return (
                await store.get_redirect("typo"),
                row["version"] if row else None,
                await store.get_redirect("gone-typo"),
                feed["feed_slug"] if feed else None,
            )

    source = tmp_path / "source.db"
    asyncio.run(renamed_site(source))
    done = reader("copy", str(source), str(database_target))
    assert done.returncode == 0, done.stderr
    assert asyncio.run(redirect_on(database_target)) == ("fixed", 1, "gone", "typo")


def test_a_copy_keeps_drafts_drafts(tmp_path: Path, database_target: str | Path) -> None:
    """A draft stays off the site on the copy (copied as published, it would be on it), and its history keeps
    each version's state."""
    from reader.drafts import draft_from_fields
    from reader.store import SqlArticleStore

    def draft(status: str) -> ArticleDraft:
        fields = {"slug": "held", "lang": "en", "title": "Held back", "body_html": "<p>x</p>", "status": status}
        return draft_from_fields(fields)

    async def with_a_draft(target: Path) -> None:
        async with opened_nodes(target, 1) as (db,):
            store = SqlArticleStore(db)
            await store.save_articles([draft("published")])
            assert await store.update_article(draft("draft"), version=1, by="mai")

    async def states_on(target: str | Path) -> tuple[bool, str | None, str | None]:
        async with opened_nodes(target, 1) as (db,):
            store = SqlArticleStore(db)
            held, first = await store.get_article("held", drafts=True), await store.get_revision("held", 1)
            public = await store.get_article("held") is not None
            return public, held and held.status, first and first.status

    source = tmp_path / "source.db"
    asyncio.run(with_a_draft(source))
    done = reader("copy", str(source), str(database_target))
    assert done.returncode == 0, done.stderr
    assert asyncio.run(states_on(database_target)) == (False, "draft", "published")


def test_migrate_makes_the_search_words_of_a_site_of_schema_12(empty_database_target: str | Path) -> None:
    from tests.test_store import _at_schema

    rows = [
        "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at) VALUES ('old', 'vi',"
        " 'Tin cũ', '<p>Lũ quét.</p>', '2020-01-01', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')"
    ]
    asyncio.run(_at_schema(empty_database_target, 12, rows))
    done = reader("migrate", "--db", str(empty_database_target))
    assert done.returncode == 0 and "made the search words of 1 article." in done.stdout, done
    assert asyncio.run(_searched(empty_database_target, "lu quet")) == (["old"], 0)
    again = reader("migrate", "--db", str(empty_database_target))
    assert again.returncode == 0 and again.stdout.endswith("the schema is up to date.\n"), again


async def _searched(target: str | Path, search: str) -> tuple[list[str], int]:
    """What a search finds on a database, and how many of its articles' search words are stale."""
    from reader.store import SqlArticleStore

    async with opened_nodes(target, 1) as (db,):
        listing = await SqlArticleStore(db).list_articles(page=1, per_page=10, search=search)
        stale = await db.fetch_one("SELECT count(*) AS n FROM articles WHERE search_version <> version")
        return [item.slug for item in listing.items], int(stale["n"]) if stale else -1


def test_a_copy_is_found_by_its_text_at_once_and_a_stale_article_stays_stale(
    tmp_path: Path, database_target: str | Path
) -> None:
    """The copy carries every article's search words (no node needs to make them again there), and an article
    a node of the release before left stale on the source is stale on the target too, to be made again."""
    from reader.drafts import draft_from_fields
    from reader.store import SqlArticleStore
    from tests.test_store import _OLD_UPDATE

    async def source_site(path: Path) -> None:
        async with opened_nodes(path, 1) as (db,):
            fields = [("fresh", "<p>Động đất nhẹ.</p>"), ("stale", "<p>Triều cường.</p>")]
            drafts = [draft_from_fields({"slug": s, "lang": "vi", "title": "Tin", "body_html": b}) for s, b in fields]
            await SqlArticleStore(db).save_articles(drafts)
            async with db.transaction() as tx:
                await tx.execute(_OLD_UPDATE, ("<p>Hạn mặn.</p>", "stale"))

    source = tmp_path / "source.db"
    asyncio.run(source_site(source))
    done = reader("copy", str(source), str(database_target))
    assert done.returncode == 0, done.stderr
    assert asyncio.run(_searched(database_target, "dong dat")) == (["fresh"], 1)
    assert asyncio.run(_searched(database_target, "trieu cuong")) == (["stale"], 1)  # as on the source
    assert asyncio.run(_searched(database_target, "han man")) == ([], 1)
    assert reader("migrate", "--db", str(database_target)).returncode == 0  # a node of the target makes them
    assert asyncio.run(_searched(database_target, "han man")) == (["stale"], 0)


def test_an_import_says_what_the_layout_checks_find_in_each_article(tmp_path: Path) -> None:
    # The editor's check page found these; `reader import` said only "Imported 2 articles".
    flawed = tmp_path / "flawed.md"
    flawed.write_text(
        '---\ntitle: Flawed\nlang: en\n---\n<img src="/media/chart.png">\n\n## Part one\n\n#### Too deep\n\nText.\n'
    )
    clean = tmp_path / "clean.md"
    clean.write_text("---\ntitle: Clean\nlang: en\n---\n## Part one\n\nText.\n")
    done = reader("import", "--db", str(new_site(tmp_path / "site.db")), str(flawed), str(clean))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Imported 2 articles into ")
    warnings = [line for line in done.stderr.splitlines() if " warning: " in line]
    assert warnings == [
        "reader import: warning: flawed: Image without alternative text (no alt attribute)",
        "reader import: warning: flawed: Heading level skipped: h4 follows h2",
    ]


def test_an_empty_database_path_is_named_as_such(tmp_path: Path) -> None:
    # Path("") is ".": "reader: error: .: not a file" named a path nobody gave.
    for args in (("serve", "--db", ""), ("migrate", "--db", " "), ("copy", "", str(tmp_path / "x.db"))):
        done = reader(*args)
        assert done.returncode == 2, args
        assert "the path is empty" in done.stderr and ".: not a file" not in done.stderr, (args, done.stderr)
        assert done.stderr.count("\n") == 1


def test_an_empty_reader_db_is_refused_not_read_as_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Read as unset, it served ./reader.db: under systemd (working directory /) a new demo site in /reader.db.
    from reader import event_loop

    def taken(host: str, port: int) -> None:
        raise OSError(98, "Address already in use")

    # Without the check, serve would stop at the address (not run a server for good).
    monkeypatch.setattr(event_loop, "reserve_address", taken)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("READER_DB", "")
    done = reader("serve", "--port", "0")
    assert done.returncode == 2
    assert done.stderr == (
        "reader: error: READER_DB: the path is empty (give a SQLite file path or a postgresql:// URL)\n"
    )
    assert not (tmp_path / "reader.db").exists()


def test_many_more_workers_than_cpus_is_a_warning_not_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    from reader import cli, event_loop

    assert cli.workers_warning(5, 2) is None  # 2 × CPUs + 1, as gunicorn advises
    assert cli.workers_warning(6, 2) == (
        "6 worker processes on 2 CPUs: more than 2 × CPUs + 1 (5) adds memory and contention, not speed "
        "('auto' starts one per CPU)"
    )
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)

    def taken(host: str, port: int) -> None:
        raise OSError(98, "Address already in use")

    # Stopped at the address (nothing is started): the warning came first, on its own line.
    monkeypatch.setattr(event_loop, "reserve_address", taken)
    done = reader("serve", "--workers", "64", "--port", "8899")
    lines = done.stderr.splitlines()
    assert lines[0].startswith("reader: warning: 64 worker processes on 2 CPUs: more than 2 × CPUs + 1 (5)")
    assert lines[1].startswith("reader: error: cannot listen on")
    assert "warning" not in reader("serve", "--workers", "4", "--port", "8899").stderr


def test_the_api_reference_generator_outside_the_repository_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.api_docs import main as api_docs

    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    with redirect_stderr(err):
        code = api_docs([])
    assert code == 2
    assert err.getvalue() == (
        "python -m reader.api_docs: cannot read docs/api.md: No such file or directory "
        "(run it from the repository's root, or name the file with --doc)\n"
    )


@pytest.mark.parametrize(
    ("host", "url"),
    [("::", "http://[::]:8875/"), ("::1", "http://[::1]:8875/"), ("127.0.0.1", "http://127.0.0.1:8875/")],
)
def test_the_banner_brackets_an_ipv6_address(host: str, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # "http://:::8875/" was printed: no URL at all (RFC 3986 writes an IPv6 literal in brackets).
    from reader.cli import _announce
    from reader.settings import Settings

    _announce(Settings(), host, 8875)
    assert capsys.readouterr().err.endswith(f" at {url}\n")


def test_a_corrupt_source_stops_copy_with_one_line_and_creates_no_target(tmp_path: Path) -> None:
    # It crashed with sqlite3's "database disk image is malformed" from the middle of the copy (a 40-line
    # traceback, exit 1) and left a new, empty site at the target.
    source, target = tmp_path / "corrupt.db", tmp_path / "copy.db"
    assert reader("migrate", "--db", str(source)).returncode == 0
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.executemany("INSERT INTO secrets (name, value) VALUES (?, ?)", [(f"s{i}", "x" * 2000) for i in range(200)])
    conn.close()
    with source.open("r+b") as file:  # garbage over table pages in the middle of the file
        file.seek(source.stat().st_size // 2 // 4096 * 4096)
        file.write(b"\xde\xad" * 8192)
    before = source.read_bytes()
    done = reader("copy", str(source), str(target))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"reader: error: {source}: the database file is corrupt (left untouched); restore it from a backup\n"
    )
    assert source.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["corrupt.db"]


def test_a_failed_copy_removes_the_target_it_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A full disk said so in one line, but left copy.db, copy.db-wal and copy.db-shm: an empty site, where
    # there was nothing before (docs/deployment.md: "the target is as it was").
    from reader import copying

    source, target = tmp_path / "source.db", tmp_path / "copy.db"
    assert reader("migrate", "--db", str(source)).returncode == 0

    async def full(*args: object) -> int:
        raise DatabaseUnavailable(f"{target}: the disk is full")

    monkeypatch.setattr(copying, "_copy_accounts", full)  # after the target was created and articles copied
    done = reader("copy", str(source), str(target))
    assert (done.returncode, done.stderr.count("\n")) == (2, 1)
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith("copy.db")]


# What a terminal would obey rather than show: ESC (a CSI sequence clearing the screen), C1's CSI, a line
# separator, a bidi override. Each must reach standard error as its escape.
RAW_CONTROLS = "\x1b[2J\x9b2J\u2028\u202e"
SHOWN_CONTROLS = "\\x1b[2J\\x9b2J\\u2028\\u202e"


def _no_raw_controls(text: str) -> None:
    # What a terminal obeys: controls (C0, C1), line and paragraph separators, bidi controls.
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    raw = [c for c in text.replace("\n", "") if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in bidi]
    assert not raw, repr(text)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("lang.json", '{"title": "x", "lang": "e%sn", "body_html": "<p>x</p>"}'),
        ("published.md", '---\ntitle: x\nlang: en\npublished: "2020-01-01%s"\n---\n\nText.\n'),
    ],
    ids=["json-lang", "markdown-published"],
)
def test_an_import_files_control_characters_are_shown_escaped(tmp_path: Path, name: str, content: str) -> None:
    source = tmp_path / name
    source.write_text(content % json_escaped(RAW_CONTROLS))
    done = reader("import", "--db", str(new_site(tmp_path / "site.db")), str(source))
    assert done.returncode == 1
    _no_raw_controls(done.stderr)
    assert SHOWN_CONTROLS in done.stderr


def json_escaped(text: str) -> str:
    """`text` as JSON (and YAML's double-quoted strings) write it: every character above ASCII as \\uXXXX."""
    return json.dumps(text)[1:-1]


def test_paths_and_flags_quoted_in_errors_are_shown_escaped(tmp_path: Path) -> None:
    missing = tmp_path / f"no{RAW_CONTROLS}file.json"
    outcomes = [
        reader("import", "--db", str(new_site(tmp_path / "site.db")), str(missing)),
        reader("token", "list", "--db", str(tmp_path / f"nodir{RAW_CONTROLS}" / "x.db")),
        reader("serve", "--host", RAW_CONTROLS, "--port", "0"),
    ]
    with pytest.raises(SystemExit), redirect_stderr(io.StringIO()) as argparse_said:
        main(["serve", RAW_CONTROLS])  # argparse's "unrecognized arguments" writes them as given
    outcomes.append(Outcome(2, "", argparse_said.getvalue()))
    for done in outcomes:
        assert done.returncode in (1, 2)
        _no_raw_controls(done.stderr)
        assert SHOWN_CONTROLS in done.stderr, done.stderr


def test_the_summaries_on_standard_output_show_a_paths_control_characters_escaped(tmp_path: Path) -> None:
    # Only standard error was escaped: `reader migrate --db "$(printf 'a\033[2Jb.db')"` cleared the screen.
    folder = tmp_path / f"site{RAW_CONTROLS}"
    folder.mkdir()
    site, copy = folder / "a.db", folder / "b.db"
    article = tmp_path / "a.json"
    article.write_text(json.dumps({"title": "x", "lang": "en", "body_html": "<p>x</p>"}))
    outcomes = [
        reader("migrate", "--db", str(site)),
        reader("import", "--db", str(site), str(article)),
        reader("copy", str(site), str(copy)),
    ]
    for done in outcomes:
        assert done.returncode == 0, done.stderr
        _no_raw_controls(done.stdout)
        assert str(folder).replace(RAW_CONTROLS, SHOWN_CONTROLS) in done.stdout, done.stdout


# Characters str.isprintable() refuses that are content, not controls: a no-break space and a narrow one
# (Word's text, French and Vietnamese typography), the ideographic space, an emoji ZWJ sequence (👨‍👩‍👧).
HARMLESS = "\u00a0\u202f\u3000\U0001f468\u200d\U0001f469\u200d\U0001f467"


def test_spaces_and_joiners_in_a_message_are_left_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / f"thư{HARMLESS}mục"
    folder.mkdir()
    done = reader("migrate", "--db", str(folder / "a.db"))
    assert done.returncode == 0 and f"thư{HARMLESS}mục" in done.stdout, done.stdout
    missing = reader("token", "list", "--db", str(tmp_path / f"no{HARMLESS}dir" / "x.db"))
    assert missing.returncode == 2 and f"no{HARMLESS}dir" in missing.stderr, missing.stderr


def test_invisible_format_characters_in_a_message_are_shown_escaped() -> None:
    # Zero-width space, word joiner, BOM, soft hyphen, a tag character: no terminal obeys them, but two paths
    # that differ only by one looked the same in a message.
    assert visible("a\u200bb\u2060c\ufeffd\u00ade\U000e0041f") == "a\\u200bb\\u2060c\\ufeffd\\xade\\U000e0041f"
    assert visible(HARMLESS) == HARMLESS


def test_vietnamese_in_a_message_is_left_as_it_is(tmp_path: Path) -> None:
    done = reader("token", "list", "--db", str(tmp_path / "thư mục" / "x.db"))
    assert done.returncode == 2 and "thư mục" in done.stderr


@pytest.mark.parametrize("served", [True, False], ids=["while-served", "idle"])
def test_an_import_onto_a_full_disk_names_the_database_and_says_the_disk_is_full(
    small_disk: Path, served: bool
) -> None:
    db = small_disk / "site.db"
    assert reader("migrate", "--db", str(db)).returncode == 0
    big = small_disk.parent / "big.json"
    big.write_text(json.dumps({"title": "Big", "lang": "en", "body_html": "<p>" + "x " * 200_000 + "</p>"}))
    # Served, a server's connection holds the -wal and -shm, and the import's write is what finds no room;
    # idle, the -shm the import's connection needs cannot be made (SQLite: "disk I/O error").
    server = sqlite3.connect(db) if served else None
    if server is not None:
        server.execute("SELECT count(*) FROM articles").fetchall()
    try:
        fill(small_disk)
        done = reader("import", "--db", str(db), str(big))
    finally:
        if server is not None:
            server.close()
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"reader: error: {db}: the disk is full")
    assert done.stderr.count("\n") == 1 and "((" not in done.stderr and "))" not in done.stderr


def test_a_password_file_others_may_read_is_one_warning_line(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    import os
    import shlex

    from tests.conftest import new_pg_database

    url = new_pg_database(request.getfixturevalue("pg_cluster"))  # no password in it: the file is asked
    passfile = tmp_path / "pg pass"
    passfile.write_text("*:*:*:*:not-sent\n")
    passfile.chmod(0o644)
    # A process of its own: Python's warning filters as an operator has them (the suite makes warnings errors).
    done = subprocess.run(
        reader_command("token", "list", "--db", url),
        env={**os.environ, "PGPASSFILE": str(passfile)},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    # The test cluster trusts its socket: it connects all the same.
    assert (done.returncode, done.stdout) == (0, "There are no API tokens.\n"), done.stderr
    # One line, not asyncpg's UserWarning with its source file and a "  warnings.warn(" line.
    assert done.stderr == (
        f"reader: warning: the password file {passfile} was ignored: it has group or world access, and "
        f"PostgreSQL's clients read one only with permissions 0600 or less (chmod 600 {shlex.quote(str(passfile))})\n"
    )


def test_a_copy_into_a_database_of_an_older_schema_is_refused_not_migrated(tmp_path: Path) -> None:
    """The target is made when missing (the copy's documented use), but an older one is not moved on behind
    the nodes of the release it serves: one line, and it stays at its schema."""
    from tests.test_store import _at_schema

    source, target = tmp_path / "source.db", tmp_path / "old.db"
    assert reader("migrate", "--db", str(source)).returncode == 0
    asyncio.run(_at_schema(target, 14, []))
    done = reader("copy", str(source), str(target), "--replace")
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", f"reader: error: {target}: schema version 14 is older than this reader's ({SCHEMA_VERSION}); "
        "run `reader migrate` on it first\n",
    )  # fmt: skip
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (14,)
    conn.close()


@pytest.mark.parametrize("failing", ["source", "target"])
def test_a_copy_names_the_database_that_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    # A source failing over mid-copy (or SQLite busy in its snapshot) was reported against the TARGET.
    from reader.backends.sqlite import SQLiteDatabase
    from reader.db import Reads

    source, target = tmp_path / "source.db", tmp_path / "target.db"
    assert reader("migrate", "--db", str(source)).returncode == 0
    original_snapshot, original_transaction = SQLiteDatabase.snapshot, SQLiteDatabase.transaction

    class Lost(Reads):
        async def fetch_all(self, sql: str, params: object = ()) -> list[Any]:
            raise DatabaseUnavailable("the connection was lost")

    @asynccontextmanager
    async def snapshot(self: SQLiteDatabase) -> AsyncIterator[Reads]:
        async with original_snapshot(self) as reads:
            yield Lost() if failing == "source" else reads

    @asynccontextmanager
    async def transaction(self: SQLiteDatabase, touches: object = None) -> AsyncIterator[Any]:
        async with original_transaction(self) as tx:
            if failing == "target" and str(self.target) == str(target):
                raise DatabaseUnavailable("locked")
            yield tx

    monkeypatch.setattr(SQLiteDatabase, "snapshot", snapshot)
    monkeypatch.setattr(SQLiteDatabase, "transaction", transaction)
    done = reader("copy", str(source), str(target))
    named, reason = (source, "the connection was lost") if failing == "source" else (target, "locked")
    assert (done.returncode, done.stderr) == (
        2, f"reader: error: {named}: the database could not be used: {reason}; nothing was written\n"
    )  # fmt: skip
