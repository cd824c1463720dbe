from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reader.app import create_app
from reader.settings import Settings
from reader.store import ArticleStore
from tests.conftest import opened_nodes, served
from tests.test_store import _OLD_INSERT, _at_schema

pytestmark = pytest.mark.anyio


def _settings(target: str | Path) -> Settings:
    return Settings(db_url=target) if isinstance(target, str) else Settings(db_path=target)


async def _found_soon(store: ArticleStore, search: str, timeout: float = 10) -> list[str]:
    """The articles a search finds once it finds any (within `timeout` seconds: else none)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        listing = await store.list_articles(page=1, per_page=10, search=search)
        if listing.total:
            return [item.slug for item in listing.items]
        await asyncio.sleep(0.05)
    return []


async def test_a_node_makes_the_words_of_a_site_stored_before_them_as_it_starts(
    empty_database_target: str | Path,
) -> None:
    rows = [
        "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at) VALUES ('old', 'vi',"
        " 'Tin cũ', '<p>Lũ quét ở vùng cao.</p>', '2020-01-01', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')"
    ]
    await _at_schema(empty_database_target, 12, rows)
    async with served(create_app(_settings(empty_database_target))) as app:
        assert await _found_soon(app.state["store"], "lu quet") == ["old"]


async def test_a_node_makes_the_words_another_node_of_the_release_before_left_out(
    database_target: str | Path,
) -> None:
    """Another process's commit (SQLite) or another node's announcement (PostgreSQL) is noticed, and the words
    of what it wrote without them are made at once."""
    async with served(create_app(_settings(database_target))) as app:
        store = app.state["store"]
        assert (await store.list_articles(page=1, per_page=10, search="gio manh")).total == 0
        async with opened_nodes(database_target, 1) as (old,), old.transaction(touches=("new",)) as tx:
            await tx.execute(_OLD_INSERT, ("new", "Tin mới", "<p>Gió mạnh cấp 8.</p>"))
        assert await _found_soon(store, "gio manh") == ["new"]
