"""The SQLite file going away under a running server, read-only, or on a full disk: 503 with Retry-After
(the usual page, JSON under /api/) and never a write into a file nobody will see or reported saved wrongly;
a file put back at the path (a restore) is checked and served without a restart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from reader.app import create_app
from reader.backends.sqlite import SQLiteDatabase
from reader.db import DatabaseUnavailable
from reader.settings import Settings
from reader.views.api import NO_ROOM
from tests.conftest import SEED_SLUG, AuthActions, client_for, fill, immutable, served
from tests.serverproc import Server, create_token, http, new_site, reader_cli

pytestmark = pytest.mark.anyio

ARTICLE = {"title": "Written while serving", "lang": "en", "body_html": "<p>x</p>"}


def _backup_with(db: Path, backup: Path, slug: str) -> None:
    """A backup of `db` (SQLite's backup API: one complete file, no -wal) holding one more article."""
    source, target = sqlite3.connect(db), sqlite3.connect(backup)
    with source, target:
        source.backup(target)
    source.close()
    target.close()
    article = backup.parent / f"{slug}.json"
    article.write_text(f'{{"slug": "{slug}", "title": "Only in the backup", "lang": "en", "body_html": "<p>b</p>"}}')
    reader_cli("import", "--db", str(backup), str(article))


def _restore(backup: Path, db: Path) -> None:
    """What an operator does: the backup copied next to the database, then renamed over it in one step."""
    staged = db.with_name(db.name + ".restoring")
    shutil.copyfile(backup, staged)
    os.replace(staged, db)


def _statuses(url: str, path: str, count: int = 10) -> set[int]:
    """The status of `count` GETs, each on a new connection (with --workers, any worker answers)."""
    return {http().get(url + path).status_code for _ in range(count)}


def _until(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.05)


def _slugs(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {row[0] for row in conn.execute("SELECT slug FROM articles")}
    finally:
        conn.close()


def _put(server: Server, token: str, slug: str) -> httpx.Response:
    return http().put(f"{server.url}/api/articles/{slug}", json=ARTICLE, headers={"authorization": f"Bearer {token}"})


def _site_and_backup(directory: Path) -> tuple[Path, Path, str]:
    """A reader database with the demo articles, a backup of it holding one more (only-in-backup), and an
    API token."""
    db, backup = directory / "site.db", directory / "backup.db"
    reader_cli("migrate", "--db", str(db))
    token = create_token(db)
    _backup_with(db, backup, "only-in-backup")
    return db, backup, token


def _no_errors(server: Server) -> None:
    log = server.log()
    assert "Traceback" not in log and '" 500 ' not in log and "unhandled error" not in log


@pytest.mark.parametrize("workers", [1, 2])
def test_a_removed_database_answers_503_until_a_backup_is_restored(tmp_path: Path, workers: int) -> None:
    db, backup, token = _site_and_backup(tmp_path)
    with Server(db, tmp_path, workers=workers) as server:
        assert _put(server, token, "before-removal").status_code == 201
        for path in ("/", f"/articles/{SEED_SLUG}", "/api/articles"):  # in the answer cache
            assert _statuses(server.url, path) == {200}

        for name in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            name.unlink()
        # At once, on every worker, before any watcher noticed: a write into the deleted file would be lost.
        for _ in range(5):
            refused = _put(server, token, "while-removed")
            assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
        _until(lambda: _statuses(server.url, "/healthz") == {503})
        for path in ("/", f"/articles/{SEED_SLUG}", "/api/articles"):
            assert _statuses(server.url, path) == {503}
        page = http().get(f"{server.url}/articles/{SEED_SLUG}", headers={"accept-language": "en"})
        assert "may not have been saved" in page.text and page.headers["retry-after"] == "5"

        _restore(backup, db)
        _until(lambda: _statuses(server.url, "/api/articles/only-in-backup") == {200})
        assert _statuses(server.url, "/healthz") == {200}
        assert _statuses(server.url, "/api/articles/before-removal") == {404}  # not in the backup
        assert _statuses(server.url, "/api/articles/while-removed") == {404}  # refused, not saved
        assert _put(server, token, "after-restore").status_code == 201
        _no_errors(server)
    assert _slugs(db) >= {"only-in-backup", "after-restore"}
    assert not _slugs(db) & {"before-removal", "while-removed"}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_database_replaced_while_serving_is_served_anew(tmp_path: Path, workers: int) -> None:
    db, backup, token = _site_and_backup(tmp_path)
    with Server(db, tmp_path, workers=workers) as server:
        for number in range(5):  # in the old file's -wal, which must not be replayed into the new file
            assert _put(server, token, f"old-{number}").status_code == 201
        assert _statuses(server.url, "/api/articles/old-0") == {200}

        _restore(backup, db)
        _until(lambda: _statuses(server.url, "/api/articles/only-in-backup") == {200})
        assert _statuses(server.url, "/api/articles/old-0") == {404}
        listed = http().get(f"{server.url}/api/articles").json()
        assert "only-in-backup" in {item["slug"] for item in listed["articles"]}
        assert _put(server, token, "after-restore").status_code == 201
        assert _statuses(server.url, "/api/articles/after-restore") == {200}
        _no_errors(server)
    slugs = _slugs(db)
    assert {"only-in-backup", "after-restore"} <= slugs and not any(s.startswith("old-") for s in slugs)


@pytest.fixture
async def opened(tmp_path: Path, settings: Settings) -> AsyncIterator[tuple[SQLiteDatabase, Path]]:
    """A reader database open in this process, and a backup of it that holds one more article."""
    reader_cli("migrate", "--db", str(settings.db_path))
    backup = tmp_path / "backup.db"
    _backup_with(settings.db_path, backup, "only-in-backup")
    db = SQLiteDatabase(settings.db_path)
    await db.open()
    try:
        yield db, backup
    finally:
        await db.close()


async def test_a_write_under_way_when_the_file_is_replaced_is_not_reported_saved(
    opened: tuple[SQLiteDatabase, Path], settings: Settings
) -> None:
    db, backup = opened
    try:
        with pytest.raises(DatabaseUnavailable):
            async with db.transaction() as tx:
                await tx.execute("UPDATE articles SET title = 'written during the restore'")
                _restore(backup, settings.db_path)
        # The new file, checked and opened (once it is a second old: a younger one may still be being copied).
        deadline = time.monotonic() + 20
        while not await db.follow_file():
            assert time.monotonic() < deadline, "the restored file was not opened"
            await asyncio.sleep(0.05)
        assert not await db.fetch_all("SELECT 1 FROM articles WHERE title = 'written during the restore'")
        async with db.transaction() as tx:
            await tx.execute("UPDATE articles SET title = 'written after'")
    finally:
        await db.close()
    conn = sqlite3.connect(settings.db_path)
    assert {row[0] for row in conn.execute("SELECT title FROM articles")} == {"written after"}
    conn.close()


async def test_a_backup_copied_where_the_removed_file_was_gets_none_of_its_writes(
    opened: tuple[SQLiteDatabase, Path], settings: Settings
) -> None:
    # rm, then cp the backup to the same name: ext4 tends to give the new file the removed one's inode number,
    # and the removed file's -wal (with writes) was then taken for the new file's and replayed into it.
    db, backup = opened
    try:
        async with db.transaction() as tx:
            await tx.execute("UPDATE articles SET title = 'only in the removed file'")
        settings.db_path.unlink()
        assert not await db.follow_file()
        shutil.copyfile(backup, settings.db_path)
        past = time.time() - 5  # as a copy that finished a while ago (a younger file may still be being copied)
        os.utime(settings.db_path, (past, past))
        assert await db.follow_file()
        assert not await db.fetch_all("SELECT 1 FROM articles WHERE title = 'only in the removed file'")
        assert await db.fetch_all("SELECT 1 FROM articles WHERE slug = 'only-in-backup'")
    finally:
        await db.close()


async def test_a_read_that_outlasts_letting_go_of_its_file_is_unavailable_not_an_error(
    opened: tuple[SQLiteDatabase, Path], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Letting go of a removed file waits LET_GO_TIMEOUT for the reads in flight, then closes their connections:
    # a read still going then met aiosqlite's ValueError("Connection closed"), a 500.
    monkeypatch.setattr("reader.backends.sqlite.LET_GO_TIMEOUT", 0.1)
    db, _ = opened
    with pytest.raises(DatabaseUnavailable):
        async with db.snapshot() as tx:
            assert await tx.fetch_all("SELECT slug FROM articles")
            settings.db_path.unlink()
            assert not await db.follow_file()  # let go of, the snapshot's connection closed after 0.1 s
            await tx.fetch_all("SELECT slug FROM articles")
    with pytest.raises(DatabaseUnavailable):
        await db.fetch_all("SELECT slug FROM articles")


async def test_a_read_only_database_answers_503_to_writes_and_sign_in(
    client: httpx.AsyncClient, auth: AuthActions, settings: Settings
) -> None:
    await auth.add_account()
    token = create_token(settings.db_path)
    # The -shm stays writable: SQLite maps it into memory, and with it immutable too a store into that mapping
    # ended this test process with SIGBUS (a real server, in one run, answered 503 as here).
    with immutable(settings.db_path, Path(f"{settings.db_path}-wal")):
        write = await client.put("/api/articles/read-only", json=ARTICLE, headers={"authorization": f"Bearer {token}"})
        assert write.status_code == 503 and write.headers["retry-after"] == "5"
        assert write.json()["error"]["status"] == 503
        client.headers["accept-language"] = "en"
        signing_in = await auth.sign_in_with_password()
        assert signing_in.status_code == 503 and "may not have been saved" in signing_in.text
        assert (await client.get(f"/articles/{SEED_SLUG}")).status_code == 200
    write = await client.put("/api/articles/read-only", json=ARTICLE, headers={"authorization": f"Bearer {token}"})
    assert write.status_code == 201


async def test_a_full_disk_answers_507_and_writes_again_once_there_is_room(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(db_path=small_disk / "reader.db")
    token = create_token(new_site(settings.db_path))
    async with served(create_app(settings)) as app, client_for(app) as client:
        filler = fill(small_disk)
        big = {**ARTICLE, "body_html": "<p>" + "x " * 200_000 + "</p>"}
        write = await client.put("/api/articles/full", json=big, headers={"authorization": f"Bearer {token}"})
        # Insufficient Storage, not 503's "cannot reach its database … try again in a moment" (with a
        # Retry-After): waiting does not make room, and the write was rolled back.
        assert write.status_code == 507 and "retry-after" not in write.headers
        assert write.json()["error"] == {"status": 507, "message": NO_ROOM.description, "field": None}
        assert "database full on PUT '/api/articles/full', nothing saved" in caplog.text
        filler.unlink()
        write = await client.put("/api/articles/full", json=big, headers={"authorization": f"Bearer {token}"})
        assert write.status_code == 201


async def test_a_file_put_back_that_is_no_reader_database_is_refused_until_a_good_one_is(
    opened: tuple[SQLiteDatabase, Path], settings: Settings, tmp_path: Path
) -> None:
    db, backup = opened
    try:
        settings.db_path.unlink()
        assert not await db.follow_file()
        with pytest.raises(DatabaseUnavailable):
            await db.fetch_all("SELECT slug FROM articles")
        for wrong in (b"not a database at all" * 100, b""):  # garbage; an empty file (a restore begun)
            settings.db_path.write_bytes(wrong)
            os.utime(settings.db_path, (1, 1))  # not "still being copied"
            assert not await db.follow_file()
            assert settings.db_path.read_bytes() == wrong  # refused untouched, not made into a new site
        empty_site = tmp_path / "empty.db"
        other = sqlite3.connect(empty_site)  # SQLite, but holding no reader site
        other.execute("CREATE TABLE notes (text)")
        other.close()
        os.replace(empty_site, settings.db_path)
        os.utime(settings.db_path, (1, 1))
        assert not await db.follow_file()
        _restore(backup, settings.db_path)
        os.utime(settings.db_path, (1, 1))
        assert await db.follow_file()
        assert await db.fetch_one("SELECT 1 FROM articles WHERE slug = 'only-in-backup'")
    finally:
        await db.close()


async def test_a_write_committed_into_a_file_replaced_meanwhile_is_not_reported_saved(
    opened: tuple[SQLiteDatabase, Path], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, backup = opened
    committing = SQLiteDatabase._transaction

    @contextlib.asynccontextmanager
    async def replaced_at_commit(self: SQLiteDatabase, conn: object) -> AsyncIterator[object]:
        async with committing(self, conn) as inside:  # type: ignore[arg-type]
            yield inside
        _restore(backup, settings.db_path)  # after COMMIT, before the transaction reports back

    monkeypatch.setattr(SQLiteDatabase, "_transaction", replaced_at_commit)
    try:
        with pytest.raises(DatabaseUnavailable, match="replaced during the write"):
            async with db.transaction() as tx:
                await tx.execute("UPDATE articles SET title = 'committed into the old file'")
    finally:
        await db.close()
    conn = sqlite3.connect(settings.db_path)
    assert "committed into the old file" not in {row[0] for row in conn.execute("SELECT title FROM articles")}
    conn.close()


async def test_a_refused_file_at_the_path_is_logged_once_not_at_every_request(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # docs/reliability.md: "logged once". The ERROR was, but every request then logged a WARNING with the same
    # text, and the search upkeep "making search words failed" with it.
    caplog.set_level("DEBUG", logger="reader")
    async with served(create_app(settings.replace(change_check_interval=0.05))) as app, client_for(app) as client:
        assert (await client.get("/api/articles")).status_code == 200
        settings.db_path.unlink()
        settings.db_path.write_bytes(b"not a database at all" * 100)
        os.utime(settings.db_path, (1, 1))  # not "still being copied"
        for _ in range(200):
            if "not a SQLite database" in caplog.text:
                break
            await asyncio.sleep(0.05)
        for _ in range(5):
            assert (await client.get("/api/articles")).status_code == 503
            await asyncio.sleep(0.1)
    told = [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name == "reader"
    ]
    assert len([message for message in told if "not a SQLite database" in message]) == 1, told
    assert not [message for message in told if "making search words failed" in message], told


@pytest.mark.parametrize(
    ("euid", "available", "free", "full"),
    [(1000, 0, 50, True), (1000, 5, 50, False), (0, 0, 50, False), (0, 0, 0, True)],
)
def test_the_disk_looked_at_is_the_real_files_with_the_room_its_user_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, euid: int, available: int, free: int, full: bool
) -> None:
    # A symbolic link's own folder was looked at, though SQLite's -wal and -shm go beside the file it names
    # (another file system, perhaps); and root, which SQLite lets write into the reserved blocks, was told
    # "the disk is full" while they were free.
    from reader.backends import sqlite

    (tmp_path / "data").mkdir()
    (tmp_path / "etc").mkdir()
    (tmp_path / "data" / "site.db").touch()
    (tmp_path / "etc" / "site.db").symlink_to(tmp_path / "data" / "site.db")
    looked_at: list[str] = []

    def statvfs(path: object) -> os.statvfs_result:
        looked_at.append(os.fspath(path))  # type: ignore[arg-type]
        return os.statvfs_result((4096, 4096, 100, free, available, 10, 10, 10, 0, 255))

    monkeypatch.setattr(sqlite.os, "statvfs", statvfs)
    monkeypatch.setattr(sqlite.os, "geteuid", lambda: euid)
    assert sqlite._disk_full(tmp_path / "etc" / "site.db") is full
    assert looked_at == [str(tmp_path / "data")]
