from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ElementTree
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest

from reader.dates import is_rfc3339
from reader.drafts import draft_from_fields
from reader.views import feed
from reader.views.feed import FEED_ENTRIES
from tests.conftest import EN_SLUG, SEED_SLUG, SEED_TITLE, ServedApp
from tests.test_store import draft

pytestmark = pytest.mark.anyio
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


async def feed_root(client: httpx.AsyncClient) -> ElementTree.Element:
    response = await client.get("/feed.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ElementTree.fromstring(response.content)


async def test_the_feed_lists_the_newest_articles_as_the_index_does(app: ServedApp, client: httpx.AsyncClient) -> None:
    response = await client.get("/feed.xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")  # a real feed reader's parser takes it as it is
    assert parsed.version == "atom10" and parsed.feed.title == "reader"
    listing = await app.state["store"].list_articles(page=1, per_page=FEED_ENTRIES)
    root = ElementTree.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    urls = [entry.find(f"{ATOM}link[@rel='alternate']").get("href") for entry in entries]  # type: ignore[union-attr]
    index = re.findall(r'<h2 class="reader-list-title"><a href="([^"]+)">', (await client.get("/")).text)
    assert urls == [f"http://testserver{path}" for path in index] and len(urls) == 3
    assert [entry.findtext(f"{ATOM}id") for entry in entries] == urls
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feed.xml"  # type: ignore[union-attr]
    seed = entries[[item.slug for item in listing.items].index(SEED_SLUG)]
    assert seed.get(XML_LANG) == "vi" and seed.findtext(f"{ATOM}title") == SEED_TITLE
    assert seed.findtext(f"{ATOM}author/{ATOM}name") == "Thanh Thuyên"
    english = entries[[item.slug for item in listing.items].index(EN_SLUG)]
    assert english.get(XML_LANG) == "en" and english.findtext(f"{ATOM}summary")
    # Atom's dates are date-times: a date alone is its midnight in the site's zone.
    times = [entry.findtext(f"{ATOM}{name}") or "" for entry in entries for name in ("published", "updated")]
    assert times and all(is_rfc3339(value, "date-time") for value in times), times
    assert seed.findtext(f"{ATOM}published") == "2021-03-31T00:00:00+00:00"
    assert root.findtext(f"{ATOM}updated") == max(entry.findtext(f"{ATOM}updated") or "" for entry in entries)


async def test_a_feed_reader_polls_for_304_until_an_article_changes(app: ServedApp, client: httpx.AsyncClient) -> None:
    first = await client.get("/feed.xml")
    assert first.headers["cache-control"] == "public, max-age=300"
    assert first.headers["access-control-allow-origin"] == "*"
    again = await client.get("/feed.xml", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    article = await app.state["store"].get_article(SEED_SLUG)
    assert article is not None
    await app.state["store"].update_article(draft(SEED_SLUG, title="Đổi tên", lang="vi"), version=article.version)
    changed = await client.get("/feed.xml", headers={"if-none-match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    assert "<title>Đổi tên</title>" in changed.text
    # A deleted article leaves no newer time behind: a date would have said "not modified" (so none is sent).
    assert await app.state["store"].delete_article(SEED_SLUG)
    deleted = await client.get("/feed.xml", headers={"if-none-match": changed.headers["etag"]})
    assert deleted.status_code == 200 and "Đổi tên" not in deleted.text
    assert "last-modified" not in deleted.headers
    dated = await client.get("/feed.xml", headers={"if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert dated.status_code == 200


async def test_titles_are_escaped_and_characters_xml_has_not_are_left_out(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    saved = draft_from_fields(
        {"slug": "markup", "lang": "en", "title": "<b>Bold</b> & \"quoted\" 'x'", "body_html": "<p>x</p>",
         "summary": "a < b > c", "published": "2999-01-01"}
    )  # fmt: skip
    # Stored before the clean-up on the way in took such characters out (reader.drafts).
    stored = dataclasses.replace(
        saved, slug="stored", title="Bad \uffff char\x01", author="A\x0b", published="2998-01-01"
    )
    await app.state["store"].save_articles([saved, stored])
    root = await feed_root(client)
    entries = {entry.findtext(f"{ATOM}id"): entry for entry in root.findall(f"{ATOM}entry")}
    markup = entries["http://testserver/articles/markup"]
    assert markup.findtext(f"{ATOM}title") == "<b>Bold</b> & \"quoted\" 'x'"
    assert markup.findtext(f"{ATOM}summary") == "a < b > c"
    legacy = entries["http://testserver/articles/stored"]
    assert legacy.findtext(f"{ATOM}title") == "Bad  char" and legacy.findtext(f"{ATOM}author/{ATOM}name") == "A"


async def test_the_feed_holds_the_newest_page_only(app: ServedApp, client: httpx.AsyncClient) -> None:
    await app.state["store"].save_articles(
        [draft(f"a-{number:02d}", published=f"2030-01-{number:02d}") for number in range(1, FEED_ENTRIES + 3)]
    )
    ids = [entry.findtext(f"{ATOM}id") for entry in (await feed_root(client)).findall(f"{ATOM}entry")]
    expected = [f"http://testserver/articles/a-{number:02d}" for number in range(FEED_ENTRIES + 2, 2, -1)]
    assert ids == expected


async def test_pages_name_the_feed(client: httpx.AsyncClient) -> None:
    for path in ("/", f"/articles/{SEED_SLUG}"):
        html = (await client.get(path)).text
        assert '<link rel="alternate" type="application/atom+xml" href="/feed.xml" title="Bài viết mới nhất">' in html


@pytest.mark.parametrize(
    ("zone", "stored", "expected"),
    [
        ("Asia/Ho_Chi_Minh", "2021-03-31", "2021-03-31T00:00:00+07:00"),
        # Local mean time (+07:06:40) has seconds RFC 3339 cannot write: rounded to the minute, as reader stores.
        ("Asia/Ho_Chi_Minh", "1890-01-01", "1890-01-01T00:00:00+07:06"),
        # Midnight the clocks skipped (summer time began at 00:00): the hour after.
        ("America/Sao_Paulo", "2018-11-04", "2018-11-04T01:00:00-02:00"),
        ("Asia/Ho_Chi_Minh", "2021-03-31T08:15:00+07:00", "2021-03-31T08:15:00+07:00"),
    ],
)
def test_a_date_alone_is_its_midnight_in_the_sites_zone(zone: str, stored: str, expected: str) -> None:
    found = feed._date_time(stored, ZoneInfo(zone), dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert found == expected and is_rfc3339(found, "date-time")


async def test_a_draft_is_not_in_the_feed_and_an_unpublished_article_leaves_it_at_once(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    store = app.state["store"]
    await store.save_articles([draft("held-back", title="Held back", status="draft", published="2030-01-02")])
    await store.save_articles([draft("newest", title="Newest of all", published="2030-01-01")])
    first = await client.get("/feed.xml")
    assert "Newest of all" in first.text and "Held back" not in first.text and "held-back" not in first.text
    assert await store.update_article(draft("newest", title="Newest of all", status="draft"), version=1)
    # To a reader that asks with the tag it was given: the whole feed, without the article.
    again = await client.get("/feed.xml", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 200 and "Newest of all" not in again.text
    assert await store.update_article(draft("newest", title="Newest of all", status="published"), version=2)
    assert "Newest of all" in (await client.get("/feed.xml")).text


async def feed_ids(client: httpx.AsyncClient) -> dict[str, str]:
    """Each entry's id, by its link."""
    entries = (await feed_root(client)).findall(f"{ATOM}entry")
    return {
        entry.find(f"{ATOM}link[@rel='alternate']").get("href"): entry.findtext(f"{ATOM}id") or "" for entry in entries
    }  # type: ignore[union-attr]


async def test_a_renamed_article_keeps_its_entry_id_and_a_new_one_at_its_address_gets_another(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    """An entry's id never changes (RFC 4287 §4.2.6): a feed reader would show a renamed article twice. A new
    article's id is its first address; one created where another article was has an id of its own."""
    store = app.state["store"]
    base = "http://testserver/articles/"
    await store.save_articles([draft("first-name", published="2030-01-01")])
    assert (await feed_ids(client))[base + "first-name"] == base + "first-name"
    assert await store.rename_article("first-name", "second-name", version=1)
    assert await store.rename_article("second-name", "third-name", version=2)
    ids = await feed_ids(client)
    assert ids[base + "third-name"] == base + "first-name" and base + "first-name" not in ids
    # Its first address taken by another article (the editor's, knowingly; an import there would be this
    # article, as it was named: reader.importer): not the same entry, whatever the two are called later.
    assert await store.create_article(draft("first-name", published="2030-01-02"))
    ids = await feed_ids(client)
    assert ids[base + "first-name"] == base + "first-name#2" and ids[base + "third-name"] == base + "first-name"
    # Deleted and created again at its address: another article, another entry.
    assert await store.delete_article("first-name")
    await store.save_articles([draft("first-name", published="2030-01-02")])
    assert (await feed_ids(client))[base + "first-name"] == base + "first-name#3"
    assert len(set((await feed_ids(client)).values())) == len(await feed_ids(client))
