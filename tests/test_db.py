from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from reader.db import SCHEMA_VERSION, Database, DatabaseError

pytestmark = pytest.mark.anyio


async def test_new_database_is_migrated_in_wal_mode(tmp_path: Path) -> None:
    db = Database(tmp_path / "new.db")
    assert await db.open() is True
    try:
        row = await db.fetch_one("PRAGMA journal_mode")
        assert row is not None and row[0] == "wal"
        version = await db.fetch_one("PRAGMA user_version")
        assert version is not None and version[0] == SCHEMA_VERSION
        timeout = await db.fetch_one("PRAGMA busy_timeout")
        assert timeout is not None and timeout[0] == 5000
    finally:
        await db.close()
    again = Database(tmp_path / "new.db")
    assert await again.open() is False
    await again.close()


async def test_readers_cannot_write(tmp_path: Path) -> None:
    db = Database(tmp_path / "r.db")
    await db.open()
    try:
        with pytest.raises(sqlite3.OperationalError):
            await db.fetch_all("DELETE FROM articles")
    finally:
        await db.close()


async def test_a_failed_transaction_writes_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "t.db")
    await db.open()
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at) "
                    "VALUES ('a', 'en', 'A', '<p>a</p>', '2020-01-01', 'now', 'now')"
                )
                raise RuntimeError("boom")
        assert await db.fetch_all("SELECT * FROM articles") == []
    finally:
        await db.close()


async def test_writers_are_serialized(tmp_path: Path) -> None:
    db = Database(tmp_path / "w.db")
    await db.open()
    try:

        async def bump(number: int) -> None:
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at) "
                    "VALUES (?, 'en', 'T', '<p>x</p>', '2020-01-01', 'n', 'n')",
                    (f"a{number}",),
                )
                await asyncio.sleep(0)
                await conn.execute("UPDATE articles SET version = version + 1 WHERE slug = ?", (f"a{number}",))

        await asyncio.gather(*(bump(n) for n in range(30)))
        rows = await db.fetch_all("SELECT version FROM articles")
        assert len(rows) == 30 and {row[0] for row in rows} == {2}
    finally:
        await db.close()


async def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        await Database(path).open()
    assert path.read_bytes() == before
    assert not (tmp_path / "notes.db-wal").exists()


async def test_a_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer than this reader understands"):
        await Database(path).open()
    assert path.read_bytes() == before


async def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        await Database(tmp_path / "missing" / "reader.db").open()


async def test_data_version_moves_when_another_connection_commits(tmp_path: Path) -> None:
    db = Database(tmp_path / "dv.db", read_connections=1)
    await db.open()
    try:
        before = await db.data_version()
        with sqlite3.connect(tmp_path / "dv.db") as other:
            other.execute(
                "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at) "
                "VALUES ('x', 'en', 'X', '<p>x</p>', '2020-01-01', 'n', 'n')"
            )
        assert await db.data_version() != before
    finally:
        await db.close()


async def test_commits_move_the_change_counters_they_name(tmp_path: Path) -> None:
    db = Database(tmp_path / "counters.db", read_connections=1)
    await db.open()
    try:
        async with db.transaction(touches=()):
            pass
        assert (db.generation, db.any_key_version, db.key_versions) == (0, 0, {})
        async with db.transaction(touches=["a", "b"]):
            pass
        assert (db.generation, db.any_key_version, db.key_versions) == (0, 1, {"a": 1, "b": 1})
        async with db.transaction():
            pass
        assert db.generation == 1
    finally:
        await db.close()
