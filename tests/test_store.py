from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from reader.db import Database
from reader.drafts import draft_from_fields
from reader.store import SQLiteArticleStore

pytestmark = pytest.mark.anyio


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteArticleStore]:
    db = Database(tmp_path / "s.db")
    await db.open()
    try:
        yield SQLiteArticleStore(db)
    finally:
        await db.close()


def draft(slug: str, **fields: object):  # type: ignore[no-untyped-def]
    return draft_from_fields({"slug": slug, "lang": "en", "title": slug.title(), "body_html": "<p>b</p>", **fields})


async def test_create_update_and_unchanged(store: SQLiteArticleStore) -> None:
    first = await store.save_articles([draft("a", published="2020-01-01"), draft("b")])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    second = await store.save_articles([draft("a", published="2020-01-01", title="New"), draft("b")])
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    article = await store.get_article("a")
    assert article is not None and article.title == "New" and article.version == 2


async def test_reimport_without_date_keeps_the_stored_date(store: SQLiteArticleStore) -> None:
    await store.save_articles([draft("a", published="2020-01-01")])
    result = await store.save_articles([draft("a")])
    article = await store.get_article("a")
    assert result.unchanged == 1 and article is not None and article.published == "2020-01-01"


async def test_listing_is_newest_first_and_paginated(store: SQLiteArticleStore) -> None:
    await store.save_articles([draft(f"a{n:02d}", published=f"2020-01-{n:02d}") for n in range(1, 26)])
    first = await store.list_articles(page=1, per_page=10)
    assert first.total == 25 and first.pages == 3 and first.items[0].slug == "a25"
    last = await store.list_articles(page=99, per_page=10)
    assert last.page == 3 and [item.slug for item in last.items] == [f"a{n:02d}" for n in range(5, 0, -1)]


async def test_delete_and_unknown(store: SQLiteArticleStore) -> None:
    await store.save_articles([draft("a")])
    assert await store.delete_article("a") is True
    assert await store.delete_article("a") is False
    assert await store.get_article("a") is None
    assert await store.ping() is True
