from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from reader.db import Database, Transaction
from reader.drafts import draft_from_fields
from reader.migrations import MIGRATIONS
from reader.models import BY_CLI_IMPORT, BY_TOKEN
from reader.store import OldAddressTaken, SlugTaken, SqlArticleStore
from tests.conftest import opened_nodes

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(database: Database) -> SqlArticleStore:
    return SqlArticleStore(database)


def draft(slug: str, **fields: object):  # type: ignore[no-untyped-def]
    return draft_from_fields({"slug": slug, "lang": "en", "title": slug.title(), "body_html": "<p>b</p>", **fields})


async def test_create_update_and_unchanged(store: SqlArticleStore) -> None:
    first = await store.save_articles([draft("a", published="2020-01-01"), draft("b")])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    second = await store.save_articles([draft("a", published="2020-01-01", title="New"), draft("b")])
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    article = await store.get_article("a")
    assert article is not None and article.title == "New" and article.version == 2


async def test_reimport_without_date_keeps_the_stored_date(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", published="2020-01-01")])
    result = await store.save_articles([draft("a")])
    article = await store.get_article("a")
    assert result.unchanged == 1 and article is not None and article.published == "2020-01-01"


async def test_listing_is_newest_first_and_paginated(store: SqlArticleStore) -> None:
    await store.save_articles([draft(f"a{n:02d}", published=f"2020-01-{n:02d}") for n in range(1, 26)])
    first = await store.list_articles(page=1, per_page=10)
    assert first.total == 25 and first.pages == 3 and first.items[0].slug == "a25"
    last = await store.list_articles(page=99, per_page=10)
    assert last.page == 3 and [item.slug for item in last.items] == [f"a{n:02d}" for n in range(5, 0, -1)]


async def _found(store: SqlArticleStore, search: str, *, per_page: int = 10, drafts: bool = False) -> list[str]:
    listing = await store.list_articles(page=1, per_page=per_page, search=search, drafts=drafts)
    return [item.slug for item in listing.items]


async def test_a_search_finds_the_words_of_the_title_lead_text_author_and_address(store: SqlArticleStore) -> None:
    await store.save_articles(
        [
            draft("by-title", title="Mùa xuân ở chợ Đồn", published="2020-01-01"),
            draft("by-lead", summary="Nông dân thu hoạch lúa sớm", published="2020-01-02"),
            draft("by-text", body_html="<p>Thông tin <strong>mới</strong> về giá điện.</p>", published="2020-01-03"),
            draft("by-author", author="Nguyễn Văn Hùng", published="2020-01-04"),
            draft("kanji-lessons", title="Bài", published="2020-01-05"),
        ]
    )
    assert await _found(store, "chợ đồn") == await _found(store, "CHO DON") == ["by-title"]
    assert await _found(store, "thu hoạch") == ["by-lead"]
    assert await _found(store, "gia dien") == await _found(store, "giá điện") == ["by-text"]
    assert await _found(store, "hùng") == await _found(store, "Nguyen Van") == ["by-author"]
    assert await _found(store, "kanji") == ["kanji-lessons"]  # an address not made from the title
    # Every word must be there, in any of them; the beginning of a word is enough, its inside is not.
    assert await _found(store, "thông mới") == ["by-text"] and await _found(store, "thông hùng") == []
    assert await _found(store, "thô") == await _found(store, "tho") == ["by-text"]
    assert await _found(store, "ong") == [] and await _found(store, "ien") == []
    # Markup is not text: a tag's name is no word of the article.
    assert await _found(store, "strong") == []
    listing = await store.list_articles(page=1, per_page=10, search="gia dien")
    assert (listing.total, listing.pages) == (1, 1)


async def test_diacritics_and_case_do_not_matter_either_way(store: SqlArticleStore) -> None:
    await store.save_articles(
        [
            draft("marked", body_html="<p>Hệ thống thông tin của tỉnh.</p>", published="2020-01-01"),
            draft("plain", body_html="<p>Thong tin khong dau, THONG BAO.</p>", published="2020-01-02"),
            # Decomposed (as Vietnamese text often arrives): the marks follow their letters.
            draft("decomposed", body_html="<p>Tho\u0302ng tin go\u0303.</p>", published="2020-01-03"),
            draft("d-letter", body_html="<p>Đường đi.</p>", published="2020-01-04"),
        ]
    )
    every = ["decomposed", "plain", "marked"]
    for search in ("thong", "thông", "Thông", "THÔNG", "thống", "thỏng"):
        assert await _found(store, search) == every, search
    assert await _found(store, "duong") == await _found(store, "đường") == await _found(store, "DUONG") == ["d-letter"]
    assert await _found(store, "ong") == [] and await _found(store, "ông") == []


async def test_a_search_without_letters_finds_titles_that_hold_it_as_typed(store: SqlArticleStore) -> None:
    await store.save_articles([draft("x-2026", title="Giá điện tăng 5% từ tháng_sau ☀"), draft("other")])
    assert await _found(store, "☀") == ["x-2026"]
    assert await _found(store, "% _ !") == [] and await _found(store, "☀☀") == []


async def test_titles_found_come_first_then_the_others_newest_first_page_by_page(store: SqlArticleStore) -> None:
    with_text = "<p>Kinh tế tăng trưởng.</p>"
    await store.save_articles(
        [draft(f"text-{n}", title=f"Bài {n}", body_html=with_text, published=f"2020-02-0{n}") for n in range(1, 5)]
        + [draft(f"title-{n}", title=f"Kinh tế số {n}", published=f"2020-01-0{n}") for n in range(1, 4)]
        + [draft("other", title="Thể thao", published="2020-03-01")]
    )
    ordered = ["title-3", "title-2", "title-1", "text-4", "text-3", "text-2", "text-1"]
    assert await _found(store, "kinh te") == ordered
    # Page after page: each article once, in the same order.
    pages = [await store.list_articles(page=n, per_page=3, search="kinh te") for n in (1, 2, 3)]
    assert [item.slug for page in pages for item in page.items] == ordered
    assert [(page.page, page.pages, page.total) for page in pages] == [(1, 3, 7), (2, 3, 7), (3, 3, 7)]
    # Every word in the title: one of them in the title and one in the text is not a title found.
    await store.save_articles([draft("half", title="Kinh doanh", body_html="<p>Tế bào.</p>", published="2021-01-01")])
    assert (await _found(store, "kinh te"))[:4] == ["title-3", "title-2", "title-1", "half"]


async def test_a_search_that_finds_many_finds_the_same_the_other_way(
    store: SqlArticleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite looks up the rows of a search that finds few articles and reads an index of them all for one that
    finds many (reader.store._FEW): the same results either way, drafts left out, in the same order."""
    from reader import store as store_module

    await store.save_articles(
        [
            draft(f"text-{n}", title=f"Bài {n}", body_html="<p>Kinh tế.</p>", published=f"2020-02-0{n}")
            for n in range(1, 5)
        ]
        + [draft(f"title-{n}", title=f"Kinh tế {n}", published=f"2020-01-0{n}") for n in range(1, 4)]
        + [draft("kept", title="Kinh tế", status="draft"), draft("other", title="Thể thao")]
    )

    async def every_page() -> list[tuple[int, int, list[str]]]:
        pages = [await store.list_articles(page=n, per_page=3, search="kinh te") for n in (1, 2, 3)]
        return [(page.total, page.pages, [item.slug for item in page.items]) for page in pages]

    few = await every_page()
    assert few[0][0] == 7 and [slug for *_, slugs in few for slug in slugs][:3] == ["title-3", "title-2", "title-1"]
    monkeypatch.setattr(store_module, "_FEW", 0)
    assert await every_page() == few


async def test_readers_search_no_drafts(store: SqlArticleStore) -> None:
    await store.save_articles(
        [draft("kept", body_html="<p>Bầu cử sớm.</p>", status="draft"), draft("shown", body_html="<p>Bầu cử.</p>")]
    )
    assert await _found(store, "bau cu") == ["shown"]
    assert (await store.list_articles(page=1, per_page=10, search="bau cu")).total == 1
    assert sorted(await _found(store, "bau cu", drafts=True)) == ["kept", "shown"]


async def test_each_result_has_an_excerpt_of_where_its_words_were_found(store: SqlArticleStore) -> None:
    body = "<p>" + " ".join(f"từ{n}" for n in range(40)) + " hệ <em>thống</em> điện &lt;script&gt; mới</p>"
    await store.save_articles(
        [
            draft("in-text", title="Tin", summary="Sapo ngắn.", body_html=body, author="Lan", published="2020-01-02"),
            draft("in-title", title="Thống kê", summary="Sapo của bài.", published="2020-01-01"),
            draft("by-author", title="Khác", author="Thống Nhất", published="2019-01-01"),
        ]
    )
    listing = await store.list_articles(page=1, per_page=10, search="thong")
    found = {item.slug: item for item in listing.items}
    shown = found["in-text"].excerpt
    assert shown is not None and shown.cut_before and not shown.cut_after
    text = "".join(piece for piece, _ in shown.pieces)
    assert text == "từ33 từ34 từ35 từ36 từ37 từ38 từ39 hệ thống điện <script> mới"
    assert [piece for piece, marked in shown.pieces if marked] == ["thống"]
    assert found["in-text"].author_marked is None
    # Found by its title only: no excerpt (the lead is shown as it is); by its author: the author marked.
    assert found["in-title"].excerpt is None and found["in-title"].summary == "Sapo của bài."
    author = found["by-author"].author_marked
    assert found["by-author"].excerpt is None
    assert author is not None and author.pieces == (("Thống", True), (" Nhất", False))
    # A list without a search makes none.
    assert all(item.excerpt is None for item in (await store.list_articles(page=1, per_page=10)).items)


async def test_an_excerpt_comes_from_the_beginning_of_a_long_body(store: SqlArticleStore) -> None:
    """A result's excerpt is looked for in the first reader.search.EXCERPT_HTML characters of its body: words
    found only further on show the lead (no excerpt), as for an article found by its address."""
    body = "<p>" + "mưa " * 20_000 + "</p><p>Nắng đẹp.</p>"  # 80,000 characters
    await store.save_articles([draft("long", summary="Sapo.", body_html=body)])
    (early,) = (await store.list_articles(page=1, per_page=10, search="mua")).items
    assert early.excerpt is not None and early.excerpt.cut_after
    (late,) = (await store.list_articles(page=1, per_page=10, search="nang")).items
    assert late.slug == "long" and late.excerpt is None and late.summary == "Sapo."


async def test_an_article_of_many_different_words_is_found_by_its_first_200_000_characters_of_them(
    store: SqlArticleStore,
) -> None:
    """PostgreSQL refuses a tsvector of 1 MB or more: the words stored are cut (reader.search.MAX_SEARCH_TEXT),
    and such an article is saved and found by its first words, on both backends."""
    body = "<p>" + " ".join(f"w{n:06d}" for n in range(40_000)) + "</p>"  # 320,000 characters of words
    await store.save_articles([draft("many", body_html=body)])
    assert await _found(store, "w000000") == await _found(store, "w020000") == ["many"]
    assert await _found(store, "w039999") == []


@pytest.fixture
def word_making(store: SqlArticleStore, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """Where each article's words (reader.search) are made from now on: (on the event loop's thread, while
    one of the store's transactions is open)."""
    from reader import store as store_module

    made: list[tuple[bool, bool]] = []
    open_transactions = [0]
    transaction = store.db.transaction

    @asynccontextmanager
    async def watched(*args: Any, **kwargs: Any) -> AsyncIterator[Transaction]:
        async with transaction(*args, **kwargs) as tx:
            open_transactions[0] += 1
            try:
                yield tx
            finally:
                open_transactions[0] -= 1

    search_text = store_module.search_text

    def watching(*args: Any) -> Any:
        made.append((threading.current_thread() is threading.main_thread(), open_transactions[0] > 0))
        return search_text(*args)

    monkeypatch.setattr(store.db, "transaction", watched)
    monkeypatch.setattr(store_module, "search_text", watching)
    return made


async def test_the_words_are_made_off_the_event_loop_before_the_transaction(
    store: SqlArticleStore, word_making: list[tuple[bool, bool]]
) -> None:
    """A long article's words took the event loop, inside the write transaction, for most of a second (0.8 s
    for a 1.9 MB body): every write makes them in a worker thread before its transaction begins."""
    await store.save_articles([draft("a"), draft("b")])
    await store.save_articles([draft("a", title="Again")])
    assert (await store.save_article(draft("c")))[1]
    created = await store.create_article(draft("d"))
    assert created is not None
    updated = await store.update_article(draft("d", title="D2"), version=created.version)
    assert updated is not None
    renamed = await store.rename_article("d", "e", version=updated.version)
    assert renamed is not None
    assert await store.rename_article("e", "f", version=renamed.version, draft=draft("f", title="F"))
    assert await store.delete_article("f")
    deleted = await store.get_deleted("f")
    assert deleted is not None
    assert await store.restore_deleted(draft("f"), version=deleted.last.version)
    assert len(word_making) == 9
    assert word_making == [(False, False)] * 9


async def test_words_that_look_like_numbers_and_words_far_into_an_article_are_found(store: SqlArticleStore) -> None:
    """PostgreSQL's text search parser split what looks like a number ("0018e4e4": "0018e4" and "e4", then a
    phrase search) and kept positions only up to 16,383: its index takes the stored words as they are."""
    body = "<p>" + " ".join(f"w{n}" for n in range(17_000)) + " 0018e4e4 abc1e5x</p>"
    await store.save_articles([draft("long", body_html=body), draft("short", body_html="<p>0018e4e4 abc1e5x</p>")])
    for search in ("0018e4e4", "0018e4", "abc1e5x", "abc1e5", "0018e4e4 abc1e5x"):
        assert sorted(await _found(store, search)) == ["long", "short"], search
    assert await _found(store, "w16999") == ["long"]
    assert await _found(store, "e4") == await _found(store, "e5x") == []  # no word begins so


async def test_a_word_longer_than_any_real_one_is_found_by_its_beginning_on_both_backends(
    store: SqlArticleStore,
) -> None:
    """Words are kept by their first MAX_WORD letters: PostgreSQL's index wrapped the length of one of 2,048
    bytes or more (SQLite kept it whole), and the backends found different articles."""
    from reader.slugs import MAX_WORD

    huge, long = "q" * 3000, "z" * 150
    await store.save_articles([draft("huge", body_html=f"<p>{huge} {long} plain</p>")])
    for search in (huge, huge[:2100], huge[:MAX_WORD], "qqq", long, long[: MAX_WORD + 1], "zz", "plain"):
        assert await _found(store, search) == ["huge"], (store.db.dialect, len(search))
    assert await _found(store, "q" * 10 + "x") == []
    row = await store.db.fetch_one("SELECT search_text FROM articles WHERE slug = ?", ("huge",))
    assert row is not None and max(len(word) for word in row["search_text"].split()) == MAX_WORD


async def test_postgresql_s_search_uses_its_index_and_its_words_are_never_syntax(store: SqlArticleStore) -> None:
    if store.db.dialect != "postgresql":
        pytest.skip("PostgreSQL's index of the words")
    from reader.store import _WORDS_MATCH

    condition, query = _WORDS_MATCH["postgresql"]
    async with store.db.transaction() as tx:
        await tx.execute("SET LOCAL enable_seqscan = off")  # a table this small would be read whole
        plan = await tx.fetch_all(f"EXPLAIN SELECT id FROM articles WHERE {condition}", (query(["abc", "d"]),))
        # A word with the query language's quote and escape in it is still one term, taken as it is.
        odd = await tx.fetch_one(
            "SELECT numnode(?::text::tsquery) AS n, ?::text::tsquery::text AS q", (query(["a'b\\c:* | !x"]),) * 2
        )
    assert "articles_words" in " ".join(str(row["QUERY PLAN"]) for row in plan)
    assert odd is not None and odd["n"] == 1 and odd["q"] == "'a''b\\\\c:* | !x':*"


async def test_words_of_one_and_two_letters_are_found_through_sqlite_s_prefix_index(store: SqlArticleStore) -> None:
    """On SQLite a search for a word of one or two letters read every word's list that begins so ("a b c d e f
    g h": 359 ms on 10,000 articles): the index keeps its words' first letters and first two letters as well.
    They follow every write, on both backends."""
    if store.db.dialect == "sqlite":
        row = await store.db.fetch_one("SELECT sql FROM sqlite_master WHERE name = 'article_words'")
        assert row is not None and "prefix = '1 2'" in row["sql"]
    await store.save_articles([draft("x", title="Cá", body_html="<p>Mưa.</p>"), draft("y", title="Bò")])
    assert await _found(store, "c") == await _found(store, "ca") == await _found(store, "m") == ["x"]
    await store.save_articles([draft("x", title="Bò", body_html="<p>Nắng.</p>")])
    assert await _found(store, "c") == await _found(store, "m") == []
    assert sorted(await _found(store, "b")) == sorted(await _found(store, "bo")) == ["x", "y"]
    assert await store.delete_article("x") and await _found(store, "n") == []


async def test_every_write_makes_the_words_again(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", body_html="<p>Mưa lớn.</p>")])
    assert await _found(store, "mua") == ["a"]
    await store.save_articles([draft("a", body_html="<p>Nắng nóng.</p>")])
    assert await _found(store, "mua") == [] and await _found(store, "nang") == ["a"]
    updated = await store.update_article(draft("a", body_html="<p>Bão số ba.</p>"), version=2)
    assert updated is not None and await _found(store, "bao so") == ["a"] and await _found(store, "nang") == []
    assert await store.rename_article("a", "storm-three", version=3)
    assert await _found(store, "storm") == ["storm-three"] and await _found(store, "bao") == ["storm-three"]
    assert await store.delete_article("storm-three")
    assert await _found(store, "bao") == []
    assert await store.refresh_all_search() == 0  # nothing stale: every write made its words


async def test_delete_and_unknown(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a")])
    assert await store.delete_article("a") is True
    assert await store.delete_article("a") is False
    assert await store.get_article("a") is None
    assert await store.ping() is True


async def test_an_article_created_again_goes_on_from_the_deleted_ones_version(store: SqlArticleStore) -> None:
    # A version read before the delete (an API ETag, an editor's form) must never match the new article.
    await store.save_articles([draft("a"), draft("b")])
    await store.save_articles([draft("a", title="Second")])
    assert await store.delete_article("a", version=2)
    again = await store.create_article(draft("a", title="Again"))
    assert again is not None and again.version == 3
    assert await store.update_article(draft("a", title="Stale"), version=2) is None
    await store.delete_article("a")
    assert (await store.save_articles([draft("a", title="Imported")])).created == 1
    stored = await store.get_article("a")
    assert stored is not None and stored.version == 4
    fresh = await store.create_article(draft("c"))
    assert fresh is not None and fresh.version == 1  # a slug never deleted starts at 1


async def test_create_article_refuses_a_taken_slug(store: SqlArticleStore) -> None:
    made = await store.create_article(draft("a", title="First"))
    assert made is not None and (made.title, made.version) == ("First", 1)
    assert await store.create_article(draft("a", title="Second")) is None
    article = await store.get_article("a")
    assert article is not None and article.title == "First" and article.version == 1


async def test_a_failed_save_writes_nothing(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a")])
    bad = dataclasses.replace(draft("b"), body_format="nonsense")  # the schema's CHECK refuses it
    with pytest.raises(Exception, match="(?i)check"):
        await store.save_articles([draft("a", title="Changed"), bad])
    article = await store.get_article("a")
    assert article is not None and article.title == "A" and await store.get_article("b") is None


async def test_concurrent_saves_of_the_same_new_slugs_from_two_nodes(database_target: str | Path) -> None:
    """Two nodes (two Database instances) create the same articles at once: every save succeeds, each
    slug is created once, and the other save finds it there."""
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        rounds = 8
        for n in range(rounds):
            batch = [draft(f"s{n}-{k}", title=f"T{n}") for k in range(3)]
            results = await asyncio.gather(*(store.save_articles(batch) for store in stores))
            assert sorted(r.created for r in results) == [0, 3], results
            assert sum(r.created + r.updated + r.unchanged for r in results) == 6
        listing = await stores[0].list_articles(page=1, per_page=100)
        assert listing.total == rounds * 3


async def test_concurrent_creates_of_one_slug_from_two_nodes(database_target: str | Path) -> None:
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        for n in range(8):
            made = await asyncio.gather(
                *(s.create_article(draft(f"c{n}", title=f"By {i}")) for i, s in enumerate(stores))
            )
            assert sorted(m is not None for m in made) == [False, True]


async def test_save_article_answers_with_its_own_write_whatever_comes_next(database_target: str | Path) -> None:
    # Writers racing on one slug from two nodes: each is told what it wrote (its title and the version it
    # made), not what another writer wrote a moment later (the API's PUT answered with others' writes).
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        for n in range(6):
            titles = [f"R{n} by {i}.{k}" for i in range(len(stores)) for k in range(2)]
            saved = await asyncio.gather(
                *(
                    stores[i].save_article(draft("r", title=f"R{n} by {i}.{k}"))
                    for i in range(len(stores))
                    for k in range(2)
                )
            )
            assert [article.title for article, _ in saved] == titles
            assert len({article.version for article, _ in saved}) == len(saved), "each write its own version"
        created = [made for _, made in saved]
        assert not any(created)


async def test_update_article_refuses_a_version_that_is_no_longer_current(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", title="First")])
    updated = await store.update_article(draft("a", title="Second", published="2020-01-01"), version=1)
    assert updated is not None and (updated.title, updated.version) == ("Second", 2)
    assert await store.update_article(draft("a", title="Stale"), version=1) is None
    article = await store.get_article("a")
    assert article is not None and (article.title, article.version) == ("Second", 2)
    # The current version with nothing changed: accepted, and nothing written (the version stays).
    unchanged = await store.update_article(draft("a", title="Second"), version=2)
    assert unchanged is not None and unchanged.version == 2
    article = await store.get_article("a")
    assert article is not None and (article.version, article.published) == (2, "2020-01-01")
    await store.delete_article("a")
    assert await store.update_article(draft("a", title="Back"), version=2) is None
    assert await store.get_article("a") is None, "an update never recreates a deleted article"


async def test_concurrent_updates_of_one_version_from_two_nodes(database_target: str | Path) -> None:
    """Two nodes update the same version at once: one update is written, the other refused."""
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        await stores[0].save_articles([draft("u")])
        for version in range(1, 9):
            saved = await asyncio.gather(
                *(
                    s.update_article(draft("u", title=f"V{version} by {i}"), version=version)
                    for i, s in enumerate(stores)
                )
            )
            assert sorted(s is not None for s in saved) == [False, True]
            article = await stores[0].get_article("u")
            winner = next(s for s in saved if s is not None)
            assert article is not None and article.version == version + 1 and article == winner


async def test_concurrent_imports_that_change_one_article_keep_every_version_in_its_history(
    database_target: str | Path,
) -> None:
    """Two nodes import changes to the same article at once (no version asked for): both are written, one
    after the other, and the version each replaced is in the history: none is overwritten unseen."""
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        await stores[0].save_articles([draft("h", title="Start")])
        for round_ in range(8):
            results = await asyncio.gather(
                *(s.save_articles([draft("h", title=f"R{round_} by {i}")], by=f"node{i}") for i, s in enumerate(stores))
            )
            assert sorted(r.updated for r in results) == [1, 1]
        article = await stores[0].get_article("h")
        assert article is not None and article.version == 17
        history = await stores[0].list_revisions("h", before=17, page=1, per_page=100)
        assert [r.version for r in history.items] == list(range(16, 0, -1))
        # Each version with who saved it, whichever node's write came first.
        assert article.title.endswith(f"by {article.saved_by.removeprefix('node')}")
        assert all(r.title.endswith(f"by {r.saved_by.removeprefix('node')}") for r in history.items[:-1])


async def test_every_version_an_article_had_is_kept_in_its_history(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", title="One", published="2020-01-01")])
    two = await store.update_article(draft("a", title="Two", published="2020-01-01"), version=1)
    assert two is not None and two.version == 2
    # An import that changes it (save_articles), and one that changes nothing (no version, no history).
    await store.save_articles([draft("a", title="Three", published="2020-01-01")])
    await store.save_articles([draft("a", title="Three", published="2020-01-01")])
    history = await store.list_revisions("a", before=3, page=1, per_page=20)
    assert [(r.version, r.title) for r in history.items] == [(2, "Two"), (1, "One")]
    first = await store.get_revision("a", 1)
    assert first is not None and (first.title, first.version, first.body_html) == ("One", 1, "<p>b</p>")
    assert await store.get_revision("a", 3) is None  # the current version is the article itself
    # A delete keeps the last version; the article created again goes on, its history with it.
    assert await store.delete_article("a")
    assert [r.version for r in (await store.list_revisions("a", before=4, page=1, per_page=20)).items] == [3, 2, 1]
    again = await store.create_article(draft("a", title="Four"))
    assert again is not None and again.version == 4
    assert (await store.list_revisions("b", before=1, page=1, per_page=20)).total == 0


async def test_the_history_comes_a_page_at_a_time(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", title="v1")])
    for version in range(1, 7):
        assert await store.update_article(draft("a", title=f"v{version + 1}"), version=version)
    first = await store.list_revisions("a", before=7, page=1, per_page=4)
    assert ([r.version for r in first.items], first.page, first.pages, first.total) == ([6, 5, 4, 3], 1, 2, 6)
    last = await store.list_revisions("a", before=7, page=9, per_page=4)  # past the end: the last page
    assert ([r.version for r in last.items], last.page) == ([2, 1], 2)
    older = await store.list_revisions("a", before=4, page=1, per_page=4)  # only those before `before`
    assert [r.version for r in older.items] == [3, 2, 1]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The store's clock, a minute on at every reading: deletes a test makes one after another are never
    in the same second. The list holds the readings taken."""
    taken: list[int] = []

    def now(timespec: str = "seconds") -> str:
        taken.append(len(taken))
        return f"2026-12-01T{10 + len(taken) // 60:02d}:{len(taken) % 60:02d}:00Z"

    monkeypatch.setattr("reader.store._now", now)
    return taken


async def test_deleted_articles_are_listed_latest_deleted_first_with_who_and_when(
    store: SqlArticleStore, database: Database, clock: list[int]
) -> None:
    await store.save_articles([draft("a", title="One"), draft("b"), draft("c"), draft("kept")])
    assert await store.update_article(draft("a", title="Two"), version=1)
    assert await store.delete_article("a", by="mai")
    assert await store.delete_article("b")  # through the API, say: nobody named
    assert await store.delete_article("c", by="lan")
    listing = await store.list_deleted(page=1, per_page=10)
    assert [(d.slug, d.version, d.title, d.deleted_by) for d in listing.items] == [
        ("c", 1, "C", "lan"), ("b", 1, "B", ""), ("a", 2, "Two", "mai"),
    ]  # fmt: skip
    assert (listing.total, listing.pages) == (3, 1)
    first, second = listing.items[0].deleted, listing.items[1].deleted
    assert first is not None and second is not None and first > second
    paged = await store.list_deleted(page=9, per_page=2)  # past the end: the last page
    assert ([d.slug for d in paged.items], paged.page, paged.pages) == (["a"], 2, 2)
    # A delete from before reader noted when: listed last, without a time.
    async with database.transaction() as tx:
        await tx.execute("UPDATE deleted_articles SET deleted_at = NULL, deleted_by = '' WHERE slug = 'c'")
    listing = await store.list_deleted(page=1, per_page=10)
    assert [d.slug for d in listing.items] == ["b", "a", "c"] and listing.items[2].deleted is None
    # The deleted one's last version, as it was saved.
    deleted = await store.get_deleted("a")
    assert deleted is not None and (deleted.last.title, deleted.last.version, deleted.summary.deleted_by) == (
        "Two", 2, "mai",
    )  # fmt: skip
    assert await store.get_deleted("kept") is None and await store.get_deleted("never") is None
    # Created again under its slug: no longer a deleted article (its history holds that version).
    assert await store.create_article(draft("b", title="B again"))
    assert [d.slug for d in (await store.list_deleted(page=1, per_page=10)).items] == ["a", "c"]
    taken = await store.get_deleted("b")
    assert taken is not None and taken.last.title == "B"


async def test_a_deleted_article_is_restored_as_its_next_version(store: SqlArticleStore, clock: list[int]) -> None:
    await store.save_articles([draft("a", title="One", published="2020-01-01")])
    assert await store.update_article(draft("a", title="Two", published="2020-01-01"), version=1)
    assert await store.delete_article("a", by="mai")
    deleted = await store.get_deleted("a")
    assert deleted is not None and deleted.last.version == 2
    restored = await store.restore_deleted(draft("a", title="Two", published="2020-01-01"), version=2)
    assert restored is not None and (restored.title, restored.version, restored.published) == ("Two", 3, "2020-01-01")
    assert await store.get_article("a") == restored
    assert (await store.list_deleted(page=1, per_page=10)).total == 0
    # Nothing of the history was lost: the deleted version is the restored one's previous version.
    history = await store.list_revisions("a", before=3, page=1, per_page=10)
    assert [(r.version, r.title) for r in history.items] == [(2, "Two"), (1, "One")]
    # Restored once only: the slug is taken now.
    assert await store.restore_deleted(draft("a", title="Two"), version=2) is None
    current = await store.get_article("a")
    assert current is not None and current.version == 3


async def test_a_restore_refuses_a_version_deleted_since_and_a_slug_taken_since(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", title="First life")])
    assert await store.delete_article("a")
    assert await store.restore_deleted(draft("a"), version=2) is None  # never the last deleted version
    # Created again and deleted again after the editor's page showed version 1: that page is stale.
    assert await store.create_article(draft("a", title="Second life"))
    assert await store.restore_deleted(draft("a", title="First life"), version=1) is None
    assert await store.delete_article("a")
    assert await store.restore_deleted(draft("a", title="First life"), version=1) is None
    assert await store.get_article("a") is None
    restored = await store.restore_deleted(draft("a", title="Second life"), version=2)
    assert restored is not None and (restored.title, restored.version) == ("Second life", 3)
    assert await store.restore_deleted(draft("never"), version=1) is None
    assert await store.get_article("never") is None, "a restore never creates an article never deleted"


async def test_concurrent_restores_and_creates_from_two_nodes_write_one_article(database_target: str | Path) -> None:
    """Two nodes restore the same deleted article at once, or one restores it while the other creates an
    article under its slug: one write wins, the other writes nothing, and no version is lost."""
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        for n in range(8):
            slug = f"r{n}"
            await stores[0].save_articles([draft(slug, title="Deleted")])
            assert await stores[0].delete_article(slug)
            racing = (
                stores[1].restore_deleted(draft(slug, title="Deleted"), version=1)
                if n % 2
                else stores[1].create_article(draft(slug, title="New"))
            )
            written = await asyncio.gather(stores[0].restore_deleted(draft(slug, title="Deleted"), version=1), racing)
            assert sorted(w is not None for w in written) == [False, True], written
            winner = next(w for w in written if w is not None)
            assert winner.version == 2 and await stores[1].get_article(slug) == winner
            history = await stores[1].list_revisions(slug, before=2, page=1, per_page=10)
            assert [(r.version, r.title) for r in history.items] == [(1, "Deleted")]


class _PausedBeforeInserting:
    """A transaction that waits a moment before it inserts an article: what another node does meanwhile
    lands between a restore's check and its write."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self.row_lock = tx.row_lock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        if sql.startswith("INSERT INTO articles"):
            await asyncio.sleep(0.3)
        return await self._tx.execute(sql, params)


async def test_a_restore_while_the_article_is_created_again_and_deleted_is_refused(
    database_target: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node restores a deleted article (the version its page showed) while another creates an article at
    the address and deletes it again, just after the restore checked the version: the restore must not
    write the first version over the second one it never saw, nor deadlock with the delete (a 503)."""
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        await stores[0].save_articles([draft("d", title="First")])
        assert await stores[0].delete_article("d")
        opened = nodes[0].transaction

        @asynccontextmanager
        async def paused(touches: Iterable[str] | None = None) -> AsyncIterator[Any]:
            async with opened(touches) as tx:
                yield _PausedBeforeInserting(tx)

        monkeypatch.setattr(nodes[0], "transaction", paused)

        async def created_and_deleted() -> None:
            await asyncio.sleep(0.1)  # the restore has checked the version
            made = await stores[1].create_article(draft("d", title="Second"))
            if made is not None:  # SQLite: the restore holds the one write lock, and wrote first
                assert await stores[1].delete_article("d", version=made.version)

        restored, _ = await asyncio.gather(
            stores[0].restore_deleted(draft("d", title="First"), version=1), created_and_deleted()
        )
        if restored is not None:
            assert (restored.title, restored.version) == ("First", 2)
        else:
            deleted = await stores[1].get_deleted("d")
            assert deleted is not None and (deleted.last.title, deleted.last.version) == ("Second", 2)
            assert await stores[1].get_article("d") is None


# ---------------------------------------------------------------- who saved each version


async def _savers(store: SqlArticleStore, slug: str) -> list[tuple[int, str]]:
    """Every version of the article at `slug`, newest first, with who saved it: the current one, then its
    history."""
    article = await store.get_article(slug)
    assert article is not None
    history = await store.list_revisions(slug, before=article.version, page=1, per_page=100)
    return [(article.version, article.saved_by), *((r.version, r.saved_by) for r in history.items)]


async def test_every_write_records_who_saved_its_version(store: SqlArticleStore) -> None:
    token = BY_TOKEN + "newsroom-sync"
    created = await store.create_article(draft("a", title="One"), by="mai")  # the editor's form
    assert created is not None and created.saved_by == "mai"
    assert await store.update_article(draft("a", title="Two"), version=1, by="lan")
    assert await store.update_article(draft("a", title="Two"), version=2, by="nobody")  # unchanged: no version
    saved, was_created = await store.save_article(draft("a", title="Three"), by=token)  # the API's PUT
    assert not was_created and saved.saved_by == token == "token:newsroom-sync"
    result = await store.save_articles([draft("a", title="Four"), draft("b")], by=BY_CLI_IMPORT)
    assert (result.created, result.updated) == (1, 1)
    moved = await store.rename_article("a", "c", version=4, by=token)  # the API's rename
    assert moved is not None and moved.saved_by == token
    renamed = await store.rename_article("c", "d", version=5, draft=draft("d", title="Six"), by="mai")  # the form's
    assert renamed is not None and renamed.saved_by == "mai"
    assert await _savers(store, "d") == [(6, "mai"), (5, token), (4, BY_CLI_IMPORT), (3, token), (2, "lan"), (1, "mai")]
    b = await store.get_article("b")
    assert b is not None and b.saved_by == BY_CLI_IMPORT
    # One version, as the editor's page of it shows it; and a deleted article's last, as its page does.
    two = await store.get_revision("d", 2)
    assert two is not None and (two.title, two.saved_by) == ("Two", "lan")
    assert await store.delete_article("d", by="lan")
    deleted = await store.get_deleted("d")
    assert deleted is not None and deleted.last.saved_by == "mai" and deleted.summary.deleted_by == "lan"
    restored = await store.restore_deleted(draft("d", title="Six"), version=6, by="lan")
    assert restored is not None and restored.saved_by == "lan"
    assert (await _savers(store, "d"))[:2] == [(7, "lan"), (6, "mai")]
    # An earlier version restored: an update (the editor's restore), by whoever restored it.
    assert await store.update_article(draft("d", title="One"), version=7, by="mai")
    assert (await _savers(store, "d"))[:2] == [(8, "mai"), (7, "lan")]
    # Without `by` (the demo articles, and callers that do not know): not recorded.
    plain = await store.create_article(draft("e"))
    assert plain is not None and plain.saved_by == ""


async def test_a_version_saved_by_a_node_of_the_release_before_is_not_recorded(
    store: SqlArticleStore, database: Database
) -> None:
    """While nodes are upgraded, one of the release before schema 9 writes versions without a saver: its
    version is not recorded, never taken for the saver of the version before it."""
    assert await store.create_article(draft("a", title="One"), by="mai")
    old_update = (  # the release before's store.update_article and its save_drafts
        "UPDATE articles SET lang = ?, title = ?, summary = ?, body_html = ?, body_source = ?, body_format = ?, "
        "author = ?, source_url = ?, published = ?, version = version + 1, updated_at = ? WHERE slug = ?"
    )
    async with database.transaction(touches=("a",)) as tx:
        await tx.execute(
            "INSERT INTO article_revisions (slug, version, lang, title, summary, body_html, body_source, body_format,"
            " author, published, source_url, saved_at) SELECT slug, version, lang, title, summary, body_html,"
            " body_source, body_format, author, published, source_url, updated_at FROM articles WHERE slug = ?",
            ("a",),
        )
        await tx.execute(
            old_update, ("en", "Two", "", "<p>b</p>", "", "html", "", None, "2020-01-01", "2026-12-01T10:00:00Z", "a")
        )
    article = await store.get_article("a")
    assert article is not None and (article.version, article.title, article.saved_by) == (2, "Two", "")
    assert await store.update_article(draft("a", title="Three"), version=2, by="lan")
    # Its version stays not recorded in the history; so does the one before, which it kept without its saver.
    assert await _savers(store, "a") == [(3, "lan"), (2, ""), (1, "")]


async def _at_schema(target: str | Path, version: int, rows: Sequence[str]) -> None:
    """A database no reader has opened (`target`) made as reader's first `version` migrations leave one, with
    `rows` inserted: a site made by an older release, to be migrated."""
    statements = [s for m in MIGRATIONS[:version] for s in (m.sqlite if isinstance(target, Path) else m.postgresql)]
    if isinstance(target, Path):
        with sqlite3.connect(target) as conn:
            for statement in (*statements, *rows, f"PRAGMA user_version = {version}"):
                conn.execute(statement)
        conn.close()
    else:
        pg = await asyncpg.connect(target)
        try:
            async with pg.transaction():
                for statement in ("CREATE TABLE reader_schema (version INTEGER NOT NULL)", *statements, *rows):
                    await pg.execute(statement)
                await pg.execute("INSERT INTO reader_schema (version) VALUES ($1)", version)
        finally:
            await pg.close()


async def test_a_database_of_the_schema_before_keeps_its_versions_not_recorded(
    empty_database_target: str | Path,
) -> None:
    """A database at schema 8 (a site made before reader recorded who saved versions) gains the columns: its
    versions read as not recorded, and the next save is recorded."""
    rows = [
        "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at, version) VALUES"
        " ('old', 'en', 'Two', '<p>b</p>', '2020-01-01', '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', 2)",
        "INSERT INTO article_revisions (slug, version, lang, title, summary, body_html, body_source, body_format,"
        " author, published, source_url, saved_at) VALUES ('old', 1, 'en', 'One', '', '<p>b</p>', '', 'html', '',"
        " '2020-01-01', NULL, '2020-01-01T00:00:00Z')",
    ]
    await _at_schema(empty_database_target, 8, rows)
    async with opened_nodes(empty_database_target, 1) as (db,):
        store = SqlArticleStore(db)
        assert await _savers(store, "old") == [(2, ""), (1, "")]
        one = await store.get_revision("old", 1)
        assert one is not None and one.saved_by == ""
        assert await store.update_article(draft("old", title="Three"), version=2, by="mai")
        assert await _savers(store, "old") == [(3, "mai"), (2, ""), (1, "")]
        assert [row["slug"] for row in await db.fetch_all("SELECT slug FROM articles")] == ["old"]  # not seeded


# The writes of the release before schema 13 (its reader.store), which knows nothing of search words: a node
# of it still serving while nodes are upgraded one at a time.
_OLD_INSERT = (
    "INSERT INTO articles (slug, lang, title, summary, body_html, body_source, body_format, author, source_url, "
    "published, status, created_at, updated_at, saved_by, version, saved_by_version) VALUES (?, 'vi', ?, '', ?, '', "
    "'html', '', NULL, '2020-01-01', 'published', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', '', 1, 1)"
)
_OLD_UPDATE = (
    "UPDATE articles SET body_html = ?, version = version + 1, updated_at = '2026-12-01T10:00:00Z', saved_by = '', "
    "saved_by_version = version + 1 WHERE slug = ?"
)


async def test_a_site_of_schema_12_is_found_by_its_text_once_its_words_are_made(
    empty_database_target: str | Path,
) -> None:
    """Schema 13 adds the words, empty: the first node of the release makes them (at start, in batches), and
    making them again changes nothing."""
    rows = [
        "INSERT INTO articles (slug, lang, title, summary, body_html, author, published, created_at, updated_at,"
        f" version) VALUES ('old-{n}', 'vi', 'Tin {n}', 'Sapo', '<p>Thông tin cũ số {n}.</p>', 'Lan', '2020-01-01',"
        " '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', 2)"
        for n in range(45)  # more than a batch
    ]
    await _at_schema(empty_database_target, 12, rows)
    async with opened_nodes(empty_database_target, 1) as (db,):
        store = SqlArticleStore(db)
        assert await _found(store, "thong") == []  # not made yet
        assert await store.refresh_all_search() == 45
        listing = await store.list_articles(page=1, per_page=50, search="thong tin cu")
        assert listing.total == 45 and listing.items[0].excerpt is not None
        assert await _found(store, "so 7") == ["old-7"]
        assert await store.refresh_all_search() == 0
        stale = await db.fetch_all("SELECT slug FROM articles WHERE search_version <> version")
        assert stale == []


async def test_what_a_node_of_the_release_before_writes_is_found_once_a_node_notices(
    store: SqlArticleStore,
) -> None:
    """While nodes are upgraded, an old node's saves leave stale words (or none): a search finds the article
    as it was, never another article by the words of a deleted one, and all is up to date once a node of
    this release has made them again (reader.search_upkeep does, at once, on every change it notices)."""
    await store.save_articles([draft("a", body_html="<p>Mưa lớn.</p>"), draft("b", body_html="<p>Sương mù.</p>")])
    async with store.db.transaction() as tx:
        await tx.execute(_OLD_UPDATE, ("<p>Nắng nóng.</p>", "a"))
        # b deleted, then an article created: on SQLite it takes b's id (the largest, freed).
        await tx.execute("DELETE FROM articles WHERE slug = ?", ("b",))
        await tx.execute(_OLD_INSERT, ("c", "Tin mới", "<p>Gió mạnh.</p>"))
    assert await _found(store, "nang") == [] and await _found(store, "mua") == ["a"]  # its words as they were
    assert await _found(store, "suong") == []  # the deleted article's words left with it
    assert await _found(store, "gio") == []
    assert await store.refresh_all_search() == 2
    assert await _found(store, "nang") == ["a"] and await _found(store, "mua") == []
    assert await _found(store, "gio") == await _found(store, "tin moi") == ["c"]
    assert await store.refresh_all_search() == 0


async def test_words_made_from_a_version_saved_over_meanwhile_are_not_kept(
    store: SqlArticleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save between reading a stale article and writing its words wins: the words of the version read are
    not written over the newer ones (the update is only for that version)."""
    from reader import store as store_module

    await store.save_articles([draft("a", body_html="<p>Mưa.</p>")])
    async with store.db.transaction() as tx:
        await tx.execute(_OLD_UPDATE, ("<p>Nắng.</p>", "a"))
    made_again = store_module._made_again

    def saved_meanwhile(rows: Sequence[Any]) -> list[tuple[object, ...]]:
        made = made_again(rows)
        # As if the newer version's write had come first: the version the words were made from is gone.
        return [(*row[:3], row[3], row[4] - 1) for row in made]

    monkeypatch.setattr(store_module, "_made_again", saved_meanwhile)
    assert await store.refresh_search() == 1
    row = await store.db.fetch_one("SELECT version, search_version FROM articles WHERE slug = 'a'")
    assert row is not None and row["search_version"] != row["version"]  # nothing written: still stale
    monkeypatch.setattr(store_module, "_made_again", made_again)
    assert await store.refresh_all_search() == 1 and await _found(store, "nang") == ["a"]


async def test_stale_words_are_made_outside_any_transaction_a_bounded_batch_at_a_time(
    store: SqlArticleStore, word_making: list[tuple[bool, bool]]
) -> None:
    """refresh_search made the words of up to 20 stale articles inside its transaction: 20 articles of 1 MB
    held SQLite's write lock 7.3 s, and another process's write gave up after its busy timeout. They are made
    in a worker thread outside any transaction, and a batch is bounded by the size of its text too."""
    body = "<p>" + "mưa " * 40_000 + "</p>"  # more than half the batch's text (reader.store.SEARCH_BATCH_CHARS)
    await store.save_articles([draft(f"a{n}", body_html=body) for n in range(4)] + [draft("small")])
    word_making.clear()
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE articles SET search_version = 0")
    assert await store.refresh_search() == 1  # the second long one would pass the batch's text
    assert await store.refresh_all_search() == 4
    assert word_making == [(False, False)] * 5
    assert await store.refresh_all_search() == 0
    assert sorted(await _found(store, "mua")) == ["a0", "a1", "a2", "a3"]


async def test_bidi_controls_stored_before_the_clean_up_are_taken_out_of_one_line_fields(
    empty_database_target: str | Path,
) -> None:
    """A title saved before the clean-up on the way in held U+202E, which went on reversing " · reader" after
    it in every tab's title until the article was saved again. Schema 11 takes such controls out of the
    one-line fields (the body keeps its own: right-to-left passages need them)."""
    rlo, pdi = "\u202e", "\u2069"
    rows = [
        "INSERT INTO articles (slug, lang, title, summary, author, body_html, published, created_at, updated_at)"
        f" VALUES ('odd', 'en', 'A{rlo}title', '{pdi}Lead{rlo}', 'Mai{pdi}', '<p>x{rlo}y</p>', '2020-01-01',"
        " '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')",
        "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at) VALUES"
        " ('plain', 'en', 'Plain', '<p>x</p>', '2020-01-01', '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z')",
    ]
    await _at_schema(empty_database_target, 10, rows)
    # Which rows the migration writes: on SQLite a trigger counts them, on PostgreSQL a row's xmin changes.
    if isinstance(empty_database_target, Path):
        with sqlite3.connect(empty_database_target) as conn:
            conn.execute("CREATE TABLE written (slug TEXT)")
            conn.execute(
                "CREATE TRIGGER counted AFTER UPDATE ON articles BEGIN INSERT INTO written VALUES (new.slug); END"
            )
        conn.close()
    else:
        pg = await asyncpg.connect(empty_database_target)
        before = dict(await pg.fetch("SELECT slug, xmin::text FROM articles"))
        await pg.close()
    async with opened_nodes(empty_database_target, 1) as (db,):
        store = SqlArticleStore(db)
        odd, plain = await store.get_article("odd"), await store.get_article("plain")
        assert odd is not None and (odd.title, odd.summary, odd.author) == ("Atitle", "Lead", "Mai")
        assert odd.body_html == f"<p>x{rlo}y</p>"
        assert plain is not None and plain.title == "Plain"
        if isinstance(empty_database_target, Path):
            assert await db.fetch_all("SELECT slug FROM written") == [{"slug": "odd"}]
        else:
            rows_now = await db.fetch_all("SELECT slug, xmin::text AS xmin FROM articles")
            after = {row["slug"]: row["xmin"] for row in rows_now}
            assert after["plain"] == before["plain"] and after["odd"] != before["odd"]


# ---------------------------------------------------------------- renames


async def test_a_rename_moves_the_article_with_its_history_and_leaves_a_redirect(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", title="One", published="2020-01-01")])
    assert await store.update_article(draft("a", title="Two", published="2020-01-01"), version=1)
    moved = await store.rename_article("a", "b", version=2)
    assert moved is not None and (moved.slug, moved.title, moved.version) == ("b", "Two", 3)
    assert moved.published == "2020-01-01"
    assert await store.get_article("a") is None and await store.get_article("b") == moved
    assert await store.get_redirect("a") == "b" and await store.get_redirect("b") is None
    # Every version the article had, under its new address, with the same numbers; none left at the old one.
    history = await store.list_revisions("b", before=3, page=1, per_page=20)
    assert [(r.version, r.title) for r in history.items] == [(2, "Two"), (1, "One")]
    assert (await store.list_revisions("a", before=99, page=1, per_page=20)).total == 0
    first = await store.get_revision("b", 1)
    assert first is not None and (first.slug, first.title) == ("b", "One")
    # The next save goes on from there.
    four = await store.update_article(draft("b", title="Four"), version=3)
    assert four is not None and four.version == 4


async def test_an_import_at_an_address_with_an_article_and_an_old_address_updates_that_article(
    store: SqlArticleStore, database: Database
) -> None:
    """An article and a redirect at one address (restore_deleted can leave one on PostgreSQL: an address given
    back under an article created there meanwhile): the site shows the article, and an import saves to it,
    never to the article the redirect leads to."""
    await store.save_articles([draft("w", title="At w"), draft("y", title="At y")])
    async with database.transaction(touches=("w",)) as tx:
        await tx.execute("INSERT INTO article_redirects (slug, target, version) VALUES (?, ?, ?)", ("w", "y", 1))
    result = await store.save_articles([draft("w", title="Imported for w")])
    assert (result.created, result.updated) == (0, 1)
    at_w, at_y = await store.get_article("w"), await store.get_article("y")
    assert at_w is not None and at_w.title == "Imported for w"
    assert at_y is not None and at_y.title == "At y"


async def test_a_rename_with_a_draft_changes_the_article_in_the_same_version(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", title="One")])
    moved = await store.rename_article("a", "b", version=1, draft=draft("b", title="Fixed"))
    assert moved is not None and (moved.slug, moved.title, moved.version) == ("b", "Fixed", 2)
    with pytest.raises(ValueError):
        await store.rename_article("b", "c", version=2, draft=draft("d"))


async def test_chains_of_renames_collapse_and_a_rename_back_takes_the_redirect_away(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a")])
    assert await store.rename_article("a", "b", version=1)
    assert await store.rename_article("b", "c", version=2)
    assert [await store.get_redirect(slug) for slug in ("a", "b", "c")] == ["c", "c", None]
    back = await store.rename_article("c", "a", version=3)
    assert back is not None and (back.slug, back.version) == ("a", 4)
    assert [await store.get_redirect(slug) for slug in ("a", "b", "c")] == [None, "a", "a"]
    assert [r.version for r in (await store.list_revisions("a", before=4, page=1, per_page=9)).items] == [3, 2, 1]


async def test_a_rename_to_a_taken_address_writes_nothing(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", title="A"), draft("b", title="B"), draft("gone")])
    assert await store.delete_article("gone")
    with pytest.raises(SlugTaken) as taken:
        await store.rename_article("a", "b", version=1)
    assert not taken.value.deleted
    # A deleted article's history is kept at its address (it can be looked at and restored there).
    with pytest.raises(SlugTaken) as kept:
        await store.rename_article("a", "gone", version=1)
    assert kept.value.deleted
    article = await store.get_article("a")
    assert article is not None and article.version == 1 and await store.get_redirect("a") is None
    # The same address, nothing to do: the article as it is.
    same = await store.rename_article("a", "a", version=1)
    assert same is not None and same.version == 1


async def test_a_rename_of_a_version_that_is_no_longer_current_writes_nothing(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", title="One")])
    assert await store.update_article(draft("a", title="Two"), version=1)
    assert await store.rename_article("a", "b", version=1) is None
    assert await store.rename_article("missing", "b", version=1) is None
    assert await store.get_article("b") is None and await store.get_redirect("a") is None
    # And an update made on the version from before a rename finds nothing to update.
    assert await store.rename_article("a", "b", version=2)
    assert await store.update_article(draft("a", title="Stale"), version=2) is None
    assert await store.update_article(draft("b", title="Stale"), version=2) is None


async def test_a_new_article_at_an_old_address_takes_it_over_and_goes_on_from_its_version(
    store: SqlArticleStore,
) -> None:
    await store.save_articles([draft("a")])
    for version in (1, 2):
        assert await store.update_article(draft("a", title=f"v{version + 1}"), version=version)
    assert await store.rename_article("a", "b", version=3)
    created = await store.create_article(draft("a", title="Another"))
    # Past every version the old address showed: an ETag read there before the rename never matches it.
    assert created is not None and created.version == 4
    assert await store.get_redirect("a") is None
    # Not by an import: that is the renamed article, as it was named (reader.importer). And a delete takes the
    # deleted article's old addresses away while it is deleted.
    assert await store.rename_article("b", "c", version=4)
    assert (await store.save_articles([draft("b", title="Imported")])).updated == 1
    assert await store.get_redirect("b") == "c" and await store.get_redirect("a") is None
    imported = await store.get_article("c")
    assert imported is not None and (imported.title, imported.version) == ("Imported", 6)
    assert await store.get_article("b", drafts=True) is None
    assert await store.rename_article("c", "d", version=6)
    assert await store.get_redirect("c") == "d"
    assert await store.delete_article("d")
    assert await store.get_redirect("c") is None


async def _renamed_through(store: SqlArticleStore, slugs: Sequence[str]) -> int:
    """An article created at the first of `slugs` and renamed to each of the others in turn: its version."""
    assert await store.create_article(draft(slugs[0], title="Moved"))
    for version, (old, new) in enumerate(zip(slugs, slugs[1:], strict=False), 1):
        assert await store.rename_article(old, new, version=version)
    return len(slugs)


async def test_a_restored_article_gets_back_the_old_addresses_its_delete_took_away(store: SqlArticleStore) -> None:
    version = await _renamed_through(store, ["a", "b", "c"])
    assert await store.delete_article("c", by="mai")
    # While it is deleted, its old addresses answer as its own does: no article, no redirect.
    assert [await store.get_redirect(slug) for slug in ("a", "b", "c")] == [None, None, None]
    deleted = await store.get_deleted("c")
    assert deleted is not None and deleted.old_addresses == ("a", "b")
    restored = await store.restore_deleted(draft("c", title="Moved"), version=version)
    assert restored is not None and restored.version == version + 1
    assert [await store.get_redirect(slug) for slug in ("a", "b", "c")] == ["c", "c", None]
    assert await store.list_old_addresses("c") == ["a", "b"]
    # Deleted and restored again: the same again.
    assert await store.delete_article("c")
    assert [await store.get_redirect(slug) for slug in ("a", "b")] == [None, None]
    assert await store.restore_deleted(draft("c", title="Moved"), version=version + 1)
    assert [await store.get_redirect(slug) for slug in ("a", "b")] == ["c", "c"]
    # And they go on as any old address does: a rename takes them along, a rename back takes one away.
    assert await store.rename_article("c", "a", version=version + 2)
    assert [await store.get_redirect(slug) for slug in ("a", "b", "c")] == [None, "a", "a"]
    # Given back with the versions the article had there: an article made at one goes on from it.
    assert await store.delete_article("a")
    made = await store.create_article(draft("b", title="Another"))
    assert made is not None and made.version == 3


async def test_a_restore_gives_back_no_old_address_taken_while_the_article_was_deleted(store: SqlArticleStore) -> None:
    version = await _renamed_through(store, ["free", "created", "moved-in", "redirected", "kept", "d"])
    assert await store.delete_article("d")
    # An article created at an old address goes on from the versions the deleted article had there.
    created = await store.create_article(draft("created", title="Created"))
    assert created is not None and created.version == 3
    # Another article renamed onto an old address: not refused (the article moved there wins).
    assert await store.create_article(draft("o", title="Moved in"))
    assert await store.rename_article("o", "moved-in", version=1)
    # Another live article's old address: renamed there, then away again.
    assert await store.create_article(draft("p", title="Passed through"))
    assert await store.rename_article("p", "redirected", version=1)
    assert await store.rename_article("redirected", "p2", version=2)
    # A deleted article's history: created at the old address, then deleted.
    assert await store.create_article(draft("kept", title="Kept"))
    assert await store.delete_article("kept")
    deleted = await store.get_deleted("d")
    assert deleted is not None and deleted.old_addresses == ("free",)
    assert await store.restore_deleted(draft("d", title="Moved"), version=version)
    assert await store.get_redirect("free") == "d"
    assert [await store.get_redirect(slug) for slug in ("created", "moved-in", "kept")] == [None, None, None]
    assert await store.get_redirect("redirected") == "p2"
    for slug, title in (("created", "Created"), ("moved-in", "Moved in")):
        article = await store.get_article(slug)
        assert article is not None and article.title == title
    # The deleted one there can still be restored there, and its address does not lead to the other.
    kept = await store.get_deleted("kept")
    assert kept is not None and kept.old_addresses == ()
    assert await store.restore_deleted(draft("kept", title="Kept"), version=kept.last.version)
    assert await store.get_redirect("kept") is None


async def test_old_addresses_come_back_only_with_the_article_whose_delete_took_them(store: SqlArticleStore) -> None:
    version = await _renamed_through(store, ["a", "b"])
    assert await store.delete_article("b")
    # Another article made at its address, then deleted: the old address was the first article's, not this one's.
    again = await store.create_article(draft("b", title="Another"))
    assert again is not None and again.version == version + 1
    assert await store.delete_article("b")
    deleted = await store.get_deleted("b")
    assert deleted is not None and deleted.old_addresses == ()
    assert await store.restore_deleted(draft("b", title="Another"), version=version + 1)
    assert await store.get_redirect("a") is None
    # The address is free: an article made there still goes on from the versions the first one had there.
    made = await store.create_article(draft("a", title="New"))
    assert made is not None and made.version == 2


async def test_a_restore_and_a_delete_that_keeps_its_old_addresses_from_two_nodes(
    database_target: str | Path,
) -> None:
    """A node restores a deleted article while another deletes the article whose redirects have taken two of
    its old addresses since (taken the other way round, so that each write may reach them in another order):
    neither waits for the other for good (a deadlock: 503), and the addresses stay the later article's,
    kept for its own restore, whichever write comes first."""
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        for n in range(8):
            await _renamed_through(stores[0], [f"a{n}", f"b{n}", f"d{n}"])
            assert await stores[0].delete_article(f"d{n}")
            await _renamed_through(stores[0], [f"t{n}-first", f"b{n}", f"a{n}", f"t{n}"])
            restored, deleted = await asyncio.gather(
                stores[0].restore_deleted(draft(f"d{n}", title="Moved"), version=3),
                stores[1].delete_article(f"t{n}"),
            )
            assert restored is not None and deleted
            assert [await stores[1].get_redirect(f"{x}{n}") for x in "ab"] == [None, None]
            kept = await stores[1].get_deleted(f"t{n}")
            assert kept is not None and kept.old_addresses == (f"a{n}", f"b{n}", f"t{n}-first")
            assert await stores[1].restore_deleted(draft(f"t{n}", title="Moved"), version=4)
            assert await stores[1].list_old_addresses(f"t{n}") == [f"a{n}", f"b{n}", f"t{n}-first"]


async def test_a_database_of_schema_9_keeps_its_old_addresses_through_a_delete_and_restore(
    empty_database_target: str | Path,
) -> None:
    """A database at schema 9 (whose deletes dropped old addresses) gains the table of deleted articles' old
    addresses: an article renamed before the upgrade, deleted and restored after it, gets its old one back;
    one deleted before the upgrade is restored as before, without those its delete dropped."""
    article = (
        "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at, version, saved_by,"
        " saved_by_version) VALUES ('{}', 'en', 'T', '<p>b</p>', '2020-01-01', '2020-01-01T00:00:00Z',"
        " '2020-01-02T00:00:00Z', 2, 'mai', 2)"
    )
    revision = (
        "INSERT INTO article_revisions (slug, version, lang, title, summary, body_html, body_source, body_format,"
        " author, published, source_url, saved_at, saved_by) VALUES ('{}', {}, 'en', 'T', '', '<p>b</p>', '',"
        " 'html', '', '2020-01-01', NULL, '2020-01-01T00:00:00Z', 'mai')"
    )
    rows = [
        article.format("renamed"), revision.format("renamed", 1),
        "INSERT INTO article_redirects (slug, target, version) VALUES ('typo', 'renamed', 1)",
        revision.format("gone", 1), revision.format("gone", 2),
        "INSERT INTO deleted_articles (slug, version, deleted_at, deleted_by) VALUES"
        " ('gone', 2, '2026-12-01T10:00:00.000Z', 'mai')",
    ]  # fmt: skip
    await _at_schema(empty_database_target, 9, rows)
    async with opened_nodes(empty_database_target, 1) as (db,):
        store = SqlArticleStore(db)
        assert await store.get_redirect("typo") == "renamed"
        assert await store.delete_article("renamed")
        assert await store.get_redirect("typo") is None
        assert await store.restore_deleted(draft("renamed", title="T"), version=2)
        assert await store.get_redirect("typo") == "renamed"
        deleted = await store.get_deleted("gone")
        assert deleted is not None and deleted.old_addresses == ()
        restored = await store.restore_deleted(draft("gone", title="T"), version=2)
        assert restored is not None and restored.version == 3


async def test_concurrent_renames_and_saves_of_one_version_from_two_nodes(database_target: str | Path) -> None:
    """A rename and an update, or two renames, of the same version at once: one is written, the other finds
    the version moved; the history keeps every version under the article's one address."""
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        await stores[0].save_articles([draft("r0")])
        version = 1
        for n in range(6):
            slug = f"r{n}"
            if n % 2:
                done = await asyncio.gather(
                    stores[0].rename_article(slug, f"r{n + 1}", version=version),
                    stores[1].rename_article(slug, f"x{n}", version=version),
                )
            else:
                done = await asyncio.gather(
                    stores[0].rename_article(slug, f"r{n + 1}", version=version),
                    stores[1].update_article(draft(slug, title=f"T{n}"), version=version),
                )
            assert sorted(d is not None for d in done) == [False, True], done
            winner = next(d for d in done if d is not None)
            version = winner.version
            if winner.slug != f"r{n + 1}":  # the other write won: move on to where the next round expects it
                moved = await stores[0].rename_article(winner.slug, f"r{n + 1}", version=version)
                assert moved is not None
                version = moved.version
        article = await stores[0].get_article("r6")
        assert article is not None and article.version == version
        history = await stores[0].list_revisions("r6", before=version, page=1, per_page=100)
        assert [r.version for r in history.items] == list(range(version - 1, 0, -1))


async def test_concurrent_renames_to_one_address_from_two_nodes(database_target: str | Path) -> None:
    async with opened_nodes(database_target) as nodes:
        stores = [SqlArticleStore(node) for node in nodes]
        for n in range(6):
            await stores[0].save_articles([draft(f"p{n}"), draft(f"q{n}")])
            done = await asyncio.gather(
                *(s.rename_article(old, f"t{n}", version=1) for s, old in zip(stores, (f"p{n}", f"q{n}"), strict=True)),
                return_exceptions=True,
            )
            assert sorted(type(d).__name__ for d in done) == ["Article", "SlugTaken"], done
            assert (await stores[0].get_article(f"t{n}")) is not None


# ---------------------------------------------------------------- drafts


async def test_a_draft_is_there_only_for_reads_that_ask_for_drafts(store: SqlArticleStore) -> None:
    """Readers' reads (the default) find no draft: not by its address, not in the list, not in a search."""
    await store.save_articles([draft("kept-back", status="draft", published="2020-01-02"), draft("out")])
    assert await store.get_article("kept-back") is None
    hidden = await store.get_article("kept-back", drafts=True)
    assert hidden is not None and hidden.status == "draft" and hidden.is_draft
    out = await store.get_article("out")
    assert out is not None and out.status == "published" and not out.is_draft
    public = await store.list_articles(page=1, per_page=10)
    assert [item.slug for item in public.items] == ["out"] and public.total == 1
    everything = await store.list_articles(page=1, per_page=10, drafts=True)
    assert [(item.slug, item.status) for item in everything.items] == [("out", "published"), ("kept-back", "draft")]
    assert everything.total == 2
    assert (await store.list_articles(page=1, per_page=10, search="kept")).total == 0
    found = await store.list_articles(page=1, per_page=10, search="kept", drafts=True)
    assert [item.slug for item in found.items] == ["kept-back"]


async def test_publishing_and_unpublishing_are_versions_with_who_and_when(
    store: SqlArticleStore, clock: list[int]
) -> None:
    """A change of state alone is a save: a version of its own, in the history with its state and saver."""
    made = await store.create_article(draft("a", status="draft"), by="mai")
    assert made is not None and (made.version, made.status) == (1, "draft")
    published = await store.update_article(draft("a", status="published"), version=1, by="lan")
    assert published is not None and (published.version, published.status, published.saved_by) == (
        2,
        "published",
        "lan",
    )
    assert published.updated_at != made.updated_at  # when: the clock moved on
    assert await store.get_article("a") == published
    unpublished = await store.update_article(draft("a", status="draft"), version=2, by=BY_TOKEN + "sync")
    assert unpublished is not None and (unpublished.version, unpublished.status) == (3, "draft")
    assert await store.get_article("a") is None
    history = await store.list_revisions("a", before=3, page=1, per_page=10)
    assert [(r.version, r.status, r.saved_by) for r in history.items] == [(2, "published", "lan"), (1, "draft", "mai")]
    one = await store.get_revision("a", 1)
    assert one is not None and one.status == "draft"
    # The same state again, and nothing else changed: no version.
    same = await store.update_article(draft("a", status="draft"), version=3, by="mai")
    assert same is not None and same.version == 3


async def test_a_save_that_does_not_say_keeps_the_state_and_a_new_article_is_published(store: SqlArticleStore) -> None:
    """Clients that know nothing of drafts (an import, the API without `status`) neither make one nor publish
    one behind an editor's back."""
    await store.save_articles([draft("a", status="draft"), draft("b")])
    result = await store.save_articles([draft("a", title="Changed"), draft("b", title="Changed too")])
    assert result.updated == 2
    a, b = await store.get_article("a", drafts=True), await store.get_article("b", drafts=True)
    assert a is not None and (a.title, a.status) == ("Changed", "draft")
    assert b is not None and (b.title, b.status) == ("Changed too", "published")
    written, created = await store.save_article(draft("c"))
    assert created and written.status == "published"
    updated = await store.update_article(draft("a", title="Again"), version=2)
    assert updated is not None and updated.status == "draft"
    assert (await store.save_articles([draft("a", title="Again")])).unchanged == 1
    published = await store.save_articles([draft("a", title="Again", status="published")])
    assert published.updated == 1 and await store.get_article("a") is not None


async def test_a_drafts_old_address_leads_readers_nowhere(store: SqlArticleStore) -> None:
    """Renamed, a draft's old address does not lead readers to it (a redirect would say where a draft is);
    once it is published, it does, and unpublished again, it stops."""
    await store.save_articles([draft("typo", status="draft")])
    moved = await store.rename_article("typo", "fixed", version=1)
    assert moved is not None and moved.status == "draft"  # a rename keeps the state
    assert await store.get_redirect("typo") is None
    assert await store.get_redirect("typo", drafts=True) == "fixed"
    assert await store.update_article(draft("fixed", status="published"), version=2)
    assert await store.get_redirect("typo") == "fixed"
    assert await store.update_article(draft("fixed", status="draft"), version=3)
    assert await store.get_redirect("typo") is None
    # A rename with a draft of the article sets its state as an update does.
    renamed = await store.rename_article("fixed", "final", version=4, draft=draft("final", status="published"))
    assert renamed is not None and renamed.status == "published" and await store.get_redirect("typo") == "final"


async def test_a_deleted_draft_keeps_its_state_in_the_deleted_articles(store: SqlArticleStore) -> None:
    await store.save_articles([draft("a", status="draft")])
    assert await store.delete_article("a", by="mai")
    deleted = await store.get_deleted("a")
    assert deleted is not None and deleted.last.status == "draft"
    restored = await store.restore_deleted(draft("a", status=deleted.last.status), version=1, by="mai")
    assert restored is not None and restored.status == "draft" and await store.get_article("a") is None


async def test_a_database_of_schema_11_has_every_article_published(empty_database_target: str | Path) -> None:
    """Schema 12 adds the state: every article stored before, and every version of its history, is published
    (as every article was); the schema refuses any state but draft and published."""
    rows = [
        "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at, version, saved_by,"
        " saved_by_version) VALUES ('old', 'en', 'Two', '<p>b</p>', '2020-01-01', '2020-01-01T00:00:00Z',"
        " '2020-01-02T00:00:00Z', 2, 'mai', 2)",
        "INSERT INTO article_revisions (slug, version, lang, title, summary, body_html, body_source, body_format,"
        " author, published, source_url, saved_at, saved_by) VALUES ('old', 1, 'en', 'One', '', '<p>b</p>', '',"
        " 'html', '', '2020-01-01', NULL, '2020-01-01T00:00:00Z', 'mai')",
    ]
    await _at_schema(empty_database_target, 11, rows)
    async with opened_nodes(empty_database_target, 1) as (db,):
        store = SqlArticleStore(db)
        old = await store.get_article("old")
        assert old is not None and old.status == "published"
        assert [item.slug for item in (await store.list_articles(page=1, per_page=10)).items] == ["old"]
        one = await store.get_revision("old", 1)
        assert one is not None and one.status == "published"
        with pytest.raises(Exception, match="(?i)check"):
            async with db.transaction(touches=("old",)) as tx:
                await tx.execute("UPDATE articles SET status = 'hidden' WHERE slug = 'old'")
        unpublished = await store.update_article(draft("old", title="Two", status="draft"), version=2, by="lan")
        assert unpublished is not None and unpublished.version == 3 and await store.get_article("old") is None


async def _feed_keys(store: SqlArticleStore) -> dict[str, tuple[str, int]]:
    """What each article's feed id is made from (reader.views.feed.entry_id), by its address."""
    listing = await store.list_articles(page=1, per_page=50)
    return {item.slug: (item.feed_slug, item.feed_version) for item in listing.items}


async def test_articles_of_schema_13_keep_their_feed_ids_through_the_upgrade_and_renames(
    empty_database_target: str | Path,
) -> None:
    """Schema 14 gives no stored article a new feed id (feed readers hold their addresses as ids), not even
    one renamed or created at a reused address before: each keeps the address it has at the upgrade, and
    keeps it when renamed after. So do articles a node of the release before creates while nodes are
    upgraded; and that node's renames leave an id already given as it is."""
    article = (
        "INSERT INTO articles (slug, lang, title, body_html, published, created_at, updated_at, version,"
        " saved_by_version, search_version) VALUES ('{}', 'vi', 'Tin', '<p>b</p>', '2020-01-01',"
        " '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', {}, {}, {})"
    )
    rows = [
        article.format("kept", 1, 1, 1),
        article.format("renamed-before", 2, 2, 2),  # renamed from "first-address" before the upgrade
        "INSERT INTO article_redirects (slug, target, version) VALUES ('first-address', 'renamed-before', 1)",
        article.format("reused", 3, 3, 3),  # created where a deleted article was
        "INSERT INTO deleted_articles (slug, version) VALUES ('reused', 2)",
    ]
    await _at_schema(empty_database_target, 13, rows)
    async with opened_nodes(empty_database_target, 1) as (db,):
        store = SqlArticleStore(db)
        assert await _feed_keys(store) == {s: (s, 1) for s in ("kept", "renamed-before", "reused")}
        assert await store.rename_article("kept", "kept-2", version=1)
        assert await store.rename_article("renamed-before", "renamed-after", version=2)
        assert await store.rename_article("reused", "reused-2", version=3)
        keys = await _feed_keys(store)
        assert keys == {"kept-2": ("kept", 1), "renamed-after": ("renamed-before", 1), "reused-2": ("reused", 1)}
        # A node of the release before, still serving: its new article's id is its address until a node of
        # this release renames it; its rename of an article with an id of its own leaves that id.
        async with db.transaction() as tx:
            await tx.execute(_OLD_INSERT, ("old-node", "Tin", "<p>c</p>"))
            await tx.execute("UPDATE articles SET slug = 'moved-by-old-node' WHERE slug = 'kept-2'")
        keys = await _feed_keys(store)
        assert keys["old-node"] == ("old-node", 1) and keys["moved-by-old-node"] == ("kept", 1)
        assert await store.rename_article("old-node", "old-node-2", version=1)
        assert (await _feed_keys(store))["old-node-2"] == ("old-node", 1)


async def test_a_new_article_is_given_its_first_address_and_the_version_it_began_at(store: SqlArticleStore) -> None:
    """Its first address, kept through renames; one created where another article was begins past that one's
    versions, which tells its feed id from the other's (reader.views.feed.entry_id)."""
    await store.save_articles([draft("a")])
    assert await _feed_keys(store) == {"a": ("a", 1)}
    assert await store.rename_article("a", "b", version=1)
    assert await store.create_article(draft("a"))
    assert await _feed_keys(store) == {"b": ("a", 1), "a": ("a", 2)}
    assert await store.delete_article("b")
    deleted = await store.get_deleted("b")
    assert deleted is not None
    # A restore creates the article again: to feed readers, a new entry.
    assert await store.restore_deleted(draft("b"), version=deleted.last.version)
    assert await _feed_keys(store) == {"b": ("b", 3), "a": ("a", 2)}


async def test_a_create_or_rename_asked_to_keep_old_addresses_checks_them_as_it_writes(store: SqlArticleStore) -> None:
    """`may_take`: the editor's form, which asked before the write; the write checks again in its transaction
    (another editor may have renamed an article away from the address since), taking only what it names."""
    assert await store.create_article(draft("a"))
    assert await store.rename_article("a", "b", version=1)
    with pytest.raises(OldAddressTaken) as info:
        await store.create_article(draft("a", title="New"), may_take=frozenset())
    assert (info.value.slug, info.value.target) == ("a", "b")
    assert await store.get_article("a", drafts=True) is None and await store.get_redirect("a") == "b"
    assert await store.create_article(draft("c"))
    with pytest.raises(OldAddressTaken):
        await store.rename_article("c", "a", version=1, may_take=frozenset())
    assert await store.get_redirect("a") == "b" and await store.get_article("c", drafts=True) is not None
    # Its own old address an article takes back; one named in may_take is taken over.
    assert await store.rename_article("b", "a", version=2, may_take=frozenset())
    assert await store.rename_article("a", "b", version=3)
    taken = await store.create_article(draft("a", title="New"), may_take=frozenset({"a"}))
    assert taken is not None and await store.get_redirect("a") is None
