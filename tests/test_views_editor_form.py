"""The article form after an exploratory test of the editor: addresses that redirect, conflicting saves merged,
the article's language on its fields, source addresses without a scheme, times in the site's zone, and the
check page's sentences in Vietnamese."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import httpx
import pytest

from reader.drafts import draft_from_fields
from reader.models import Article
from reader.settings import Settings
from reader.store import ArticleStore
from reader.views import editor as editor_views
from reader.views.editor import merge_fields, with_scheme
from tests.conftest import EN_SLUG, SEED_SLUG, ServedApp, SignedIn, done_address
from tests.test_views_editor import form_version

pytestmark = pytest.mark.anyio

ZONE = "Asia/Ho_Chi_Minh"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A site in Vietnam's time zone (UTC+7): the editor's times are shown in it."""
    return Settings(db_path=tmp_path / "reader.db", time_zone=ZONE)


def _form(editor: SignedIn, **fields: str) -> dict[str, str]:
    return {"csrf_token": editor.csrf, "lang": "vi", "body_format": "markdown", "body": "Đoạn.", **fields}


async def _import(client: httpx.AsyncClient, editor: SignedIn, *files: tuple[str, bytes, str]) -> httpx.Response:
    """The editor's import page given `files` (name, content, type), in Vietnamese, with its defaults."""
    return await client.post(
        "/editor/import", data={"csrf_token": editor.csrf, "lang": "vi"}, files=[("files", file) for file in files]
    )


async def _rename(client: httpx.AsyncClient, editor: SignedIn, slug: str, new: str, title: str) -> None:
    opened = await client.get(f"/editor/articles/{slug}")
    moved = await client.post(
        f"/editor/articles/{slug}", data=_form(editor, title=title, slug=new, version=form_version(opened.text))
    )
    assert moved.status_code == 303


async def test_a_made_address_never_takes_another_articles_old_one(client: httpx.AsyncClient, editor: SignedIn) -> None:
    assert (await client.post("/editor/new", data=_form(editor, title="Hội nghị"))).status_code == 303
    await _rename(client, editor, "hoi-nghi", "hoi-nghi-2026", "Hội nghị 2026")
    # A new article titled as the first one was: its address is the next free one, the old one still leads on.
    created = await client.post("/editor/new", data=_form(editor, title="Hội nghị", action="publish"))
    assert created.status_code == 303 and "?done=published:hoi-nghi-2&version=1&mac=" in created.headers["location"]
    old = await client.get("/articles/hoi-nghi")
    assert old.status_code == 301 and old.headers["location"].endswith("/articles/hoi-nghi-2026")


async def test_a_typed_old_address_is_taken_only_when_confirmed(client: httpx.AsyncClient, editor: SignedIn) -> None:
    assert (await client.post("/editor/new", data=_form(editor, title="Hội nghị"))).status_code == 303
    await _rename(client, editor, "hoi-nghi", "hoi-nghi-2026", "Hội nghị 2026")
    typed = _form(editor, title="Bài khác", slug="hoi-nghi", action="publish")
    asked = await client.post("/editor/new", data=typed)
    assert asked.status_code == 409
    text = html.unescape(asked.text)
    assert "là địa chỉ cũ của bài “Hội nghị 2026” (hoi-nghi-2026)" in text
    assert 'aria-invalid="true"' in re.search(r'<input id="editor-slug"[^>]*>', asked.text).group(0)  # type: ignore[union-attr]
    assert 'name="take_over" value="hoi-nghi"' in asked.text
    assert (await client.get("/articles/hoi-nghi")).status_code == 301, "nothing was taken"
    # Renaming an article to another's old address asks the same; back to its own old address does not.
    assert (await client.post("/editor/new", data=_form(editor, title="Thứ ba"))).status_code == 303
    opened = await client.get("/editor/articles/thu-ba")
    onto_old = _form(editor, title="Thứ ba", slug="hoi-nghi", version=form_version(opened.text))
    renamed = await client.post("/editor/articles/thu-ba", data=onto_old)
    assert renamed.status_code == 409 and 'name="take_over" value="hoi-nghi"' in renamed.text
    await _rename(client, editor, "hoi-nghi-2026", "hoi-nghi", "Hội nghị")

    await _rename(client, editor, "hoi-nghi", "hoi-nghi-2026", "Hội nghị 2026")
    confirmed = await client.post("/editor/new", data={**typed, "take_over": "hoi-nghi"})
    assert confirmed.status_code == 303 and "?done=published:hoi-nghi&version=4&mac=" in confirmed.headers["location"]
    assert (await client.get("/articles/hoi-nghi")).status_code == 200


def test_a_three_way_merge_takes_their_changes_where_only_they_changed() -> None:
    base = {"title": "T", "summary": "Cũ.", "author": "An", "body": "Đoạn.", "body_format": "markdown"}
    theirs = {**base, "author": "Bình", "body": "Đoạn.\n\nCủa họ."}
    mine = {**base, "summary": "Của tôi.", "body": "Đoạn.\r\n\r\nCủa tôi."}
    merged, taken, both = merge_fields(mine, base, theirs)
    assert merged["author"] == "Bình" and taken == ["author"]
    assert merged["summary"] == "Của tôi." and merged["body"] == mine["body"] and both == ["body"]
    # The version the form was opened at is no longer kept: every difference is shown, nothing taken.
    merged, taken, both = merge_fields(mine, None, theirs)
    assert merged == mine and taken == [] and both == ["summary", "author", "body"]


async def test_a_conflicting_save_merges_and_shows_what_both_changed(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = _form(editor, title="Hai thẻ", summary="Tóm tắt cũ.", author="An")
    assert (await client.post("/editor/new", data=form)).status_code == 303
    opened = form_version((await client.get("/editor/articles/hai-the")).text)
    saved_a = {**form, "author": "Bình", "summary": "Tóm tắt của A.", "version": opened}
    assert (await client.post("/editor/articles/hai-the", data=saved_a)).status_code == 303

    mine = {**form, "summary": "Tóm tắt của B.", "version": opened}
    refused = await client.post("/editor/articles/hai-the", data=mine)
    assert refused.status_code == 409
    page = html.unescape(refused.text)
    assert 'id="editor-conflict" role="group" tabindex="-1" autofocus' in page
    assert re.search(r'<input id="editor-author" name="author" type="text" value="Bình"', page), "theirs, merged"
    assert re.search(r'id="editor-conflict-merged">[^<]*<a href="#editor-author">Tác giả</a>', page)
    assert '<li><a href="#editor-summary">Sapo (đoạn dẫn)</a></li>' in page, "listed: both changed it"
    assert ">Tóm tắt của B.</textarea>" in page, "the form keeps mine"
    assert re.search(r'id="editor-summary-theirs" readonly[^>]*>Tóm tắt của A\.</textarea>', page), "theirs shown"
    assert "editor-summary-both" in re.search(r'<textarea id="editor-summary"[^>]*>', page).group(0)  # type: ignore[union-attr]

    # Saved again as it came back: mine where both changed, theirs where only they did.
    again = {**mine, "author": "Bình", "version": form_version(refused.text)}
    assert (await client.post("/editor/articles/hai-the", data=again)).status_code == 303
    final = html.unescape((await client.get("/editor/articles/hai-the")).text)
    assert 'value="Bình"' in final and ">Tóm tắt của B.</textarea>" in final


async def test_an_english_articles_fields_are_marked_english(client: httpx.AsyncClient, editor: SignedIn) -> None:
    page = (await client.get(f"/editor/articles/{EN_SLUG}")).text
    for field in ('input id="editor-title"', 'textarea id="editor-summary"', 'textarea id="editor-body"'):
        tag = re.search(rf"<{field}[^>]*>", page)
        assert tag is not None and 'lang="en"' in tag.group(0), field
    assert re.search(r'<h1 class="reader-title" id="editor-heading" tabindex="-1">Sửa “<span lang="en">', page)
    assert re.search(r"<title>Sửa “[^<]*” · ", page), "the <title> stays text"
    author = re.search(r'<input id="editor-author"[^>]*>', page)
    assert author is not None and "lang=" not in author.group(0)
    listing = (await client.get("/editor/")).text
    assert '<span class="reader-visually-hidden"> “<span lang="en">' in listing
    vietnamese = (await client.get(f"/editor/articles/{SEED_SLUG}")).text
    assert re.search(r'<input id="editor-title"[^>]*lang="vi"', vietnamese)


def test_an_address_typed_without_its_scheme_gets_https() -> None:
    assert with_scheme("vnexpress.net/bai-viet.html") == "https://vnexpress.net/bai-viet.html"
    assert with_scheme("www.bao.vn:8080/a?b=1") == "https://www.bao.vn:8080/a?b=1"
    for kept in ("http://bao.vn", "mailto:a@bao.vn", "localhost/x", "khong phai dia chi", "//bao.vn/a"):
        assert with_scheme(kept) == kept


async def test_the_form_leaves_validation_to_the_server(client: httpx.AsyncClient, editor: SignedIn) -> None:
    page = (await client.get("/editor/new")).text
    assert re.search(r'<form class="reader-editor-form" method="post" novalidate', page)
    saved = await client.post("/editor/new", data=_form(editor, title="Nguồn", source_url="baobackan.vn/a.html"))
    assert saved.status_code == 303
    assert 'value="https://baobackan.vn/a.html"' in (await client.get("/editor/articles/nguon")).text
    refused = await client.post("/editor/new", data=_form(editor, title="Nguồn hai", source_url="không có"))
    assert refused.status_code == 422 and 'id="editor-errors"' in refused.text


async def test_times_are_in_the_sites_zone(client: httpx.AsyncClient, editor: SignedIn) -> None:
    opened = form_version((await client.get(f"/editor/articles/{SEED_SLUG}")).text)
    saved = _form(editor, title="Bản mới", version=opened)
    assert (await client.post(f"/editor/articles/{SEED_SLUG}", data=saved)).status_code == 303
    history = (await client.get(f"/editor/articles/{SEED_SLUG}/history")).text
    assert f"Thời điểm lưu (giờ {ZONE})" in history and "(UTC)" not in history
    stamp = re.search(r'<time datetime="([^"]+)">[^<]* (\d\d:\d\d)</time>', history)
    assert stamp is not None
    utc = dt.datetime.fromisoformat(stamp.group(1).replace("Z", "+00:00"))
    assert stamp.group(2) == (utc + dt.timedelta(hours=7)).strftime("%H:%M")
    version = (await client.get(f"/editor/articles/{SEED_SLUG}/history/1")).text
    assert f"(giờ {ZONE})" in version and "(UTC)" not in version
    await client.post(f"/editor/articles/{SEED_SLUG}/delete", data={"csrf_token": editor.csrf, "version": "2"})
    assert f"Thời điểm xóa (giờ {ZONE})" in (await client.get("/editor/deleted")).text


async def test_the_check_page_speaks_vietnamese(client: httpx.AsyncClient, editor: SignedIn) -> None:
    form = _form(editor, title="Gọn gàng", body="Một đoạn văn ngắn.")
    assert (await client.post("/editor/new", data=form)).status_code == 303
    page = html.unescape((await client.get("/editor/articles/gon-gang/check")).text)
    assert "Không phát hiện vấn đề nào: ảnh đều có văn bản thay thế" in page
    assert "Cách đếm từ: ghép từ dài nhất theo từ điển" in page


async def test_the_previews_body_headings_sit_under_its_title(client: httpx.AsyncClient, editor: SignedIn) -> None:
    body = "Mở đầu.\n\n## Phần một\n\n### Chi tiết\n\n#### Sâu hơn\n\n##### Sâu nhất"
    assert (await client.post("/editor/new", data=_form(editor, title="Đề mục", body=body))).status_code == 303
    page = (await client.get("/editor/articles/de-muc")).text
    preview = page[page.index('id="editor-preview-title"') :]
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", preview)]
    assert levels == [3, 4, 5, 6, 6], "the title h3, then the body's h2, h3, h4 one level below it each"
    article = (await client.get("/articles/de-muc")).text
    assert "<h2" in article and "<h3" in article, "readers' page keeps the body's own levels"


async def test_notices_name_the_article_by_its_title(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = _form(editor, title="Tin <b>& tức</b>", lang="en", action="publish")
    saved = await client.post("/editor/new", data=form)
    path = "/editor/articles/tin-b-tuc-b"
    assert saved.headers["location"] == done_address(app, editor, path, "published:tin-b-tuc-b", 1)
    opened = (await client.get(saved.headers["location"])).text
    notice = re.search(r'<div class="reader-editor-notice" id="editor-done" role="group"[^>]*><p>(.*?)</p>', opened)
    assert notice is not None
    assert 'Đã đăng “<span lang="en">Tin &lt;b&gt;&amp; tức&lt;/b&gt;</span>”' in notice.group(1)
    gone = await client.post("/editor/articles/tin-b-tuc-b/delete", data={"csrf_token": editor.csrf, "version": "1"})
    assert gone.headers["location"] == done_address(app, editor, "/editor/", "deleted:tin-b-tuc-b")
    deleted = (await client.get(gone.headers["location"])).text
    assert 'Đã xóa “<span lang="en">Tin &lt;b&gt;&amp; tức&lt;/b&gt;</span>”.' in deleted
    assert 'href="/editor/deleted"' in re.search(r'<nav class="reader-editor-nav".*?</nav>', deleted, re.S).group(0)  # type: ignore[union-attr]


async def test_a_link_cannot_say_an_article_was_deleted(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    # The notice takes the focus: ?done=deleted: names an article only when the editor's own redirect signed
    # it (tests/test_views_editor.py: a link's says nothing), and even then only when it is in fact among the
    # deleted. One no article has, or one on the site, is the list with no notice at all.
    def listing(done: str) -> str:
        return done_address(app, editor, "/editor/", done)

    assert (await client.post("/editor/new", data=_form(editor, title="Tin còn đây"))).status_code == 303
    for slug in ("khong-co-bai-nay", "tin-con-day"):
        listed = await client.get(listing(f"deleted:{slug}"))
        assert listed.status_code == 200
        assert 'id="editor-done"' not in listed.text and "Đã xóa" not in listed.text, slug
    # nor for one deleted and then made anew at its address: it is on the site again.
    await client.post("/editor/articles/tin-con-day/delete", data={"csrf_token": editor.csrf, "version": "1"})
    assert "Đã xóa" in (await client.get(listing("deleted:tin-con-day"))).text
    made = await client.post("/editor/new", data=_form(editor, title="Tin còn đây", slug="tin-con-day"))
    assert made.headers["location"].startswith("/editor/articles/tin-con-day?"), made.headers["location"]
    assert "Đã xóa" not in (await client.get(listing("deleted:tin-con-day"))).text
    # nor that one was restored, when none is there
    restored = (await client.get(listing("restored:khong-co-bai-nay"))).text
    assert 'id="editor-done"' not in restored
    assert "tin-con-day" in (await client.get("/editor/")).text


async def test_a_length_error_writes_its_numbers_as_the_language_does(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    refused = await client.post("/editor/new", data=_form(editor, title="Dài " * 100))
    assert refused.status_code == 422 and "dài quá 300 ký tự (hiện có 399 ký tự)" in refused.text
    english = await client.post("/editor/new", data=_form(editor, title="x" * 1234), headers={"accept-language": "en"})
    assert "is longer than 300 characters (it has 1,234)" in english.text


async def test_a_save_says_when_another_article_has_the_same_title(client: httpx.AsyncClient, editor: SignedIn) -> None:
    first = await client.post("/editor/new", data=_form(editor, title="Lịch tiêm chủng tháng 5", action="draft"))
    assert 'id="editor-done"' in (opened := (await client.get(first.headers["location"])).text)
    assert "reader-editor-same-title" not in opened
    # The same title, but for case and spacing: the notice after the save names the other, linked.
    # (Its address made from the title would be the first's: the form asks for another, typed here.)
    same = _form(editor, title="lịch tiêm chủng  Tháng 5", slug="lich-tiem-chung-dot-2", action="draft")
    second = await client.post("/editor/new", data=same)
    notice = re.search(r'(<[^>]* id="editor-done"[^>]*>)(.*?)</p>', (await client.get(second.headers["location"])).text)
    assert notice is not None
    assert (
        'Một bài viết khác có cùng tiêu đề: “<a href="/editor/articles/lich-tiem-chung-thang-5" lang="vi">'
        "Lịch tiêm chủng tháng 5</a>” (lich-tiem-chung-thang-5, "
    ) in notice.group(2)
    # The focused group is named by what was done, and the warning (long, with a link) is its description.
    assert 'role="group"' in notice.group(1) and 'aria-labelledby="editor-done-title"' in notice.group(1)
    assert 'aria-describedby="editor-done-same-title-1"' in notice.group(1)
    assert re.search(
        r'<span id="editor-done-title">Đã lưu “[^”]*” dưới dạng bản nháp: bài viết không có trên trang\.</span> '
        r'<span class="reader-editor-same-title" id="editor-done-same-title-1">Một bài viết khác',
        notice.group(2),
    ), notice.group(2)
    # A title that only begins the same is not the same.
    third = await client.post(
        "/editor/new", data=_form(editor, title="Lịch tiêm chủng tháng 5 bổ sung", action="draft")
    )
    assert "reader-editor-same-title" not in (await client.get(third.headers["location"])).text


async def test_the_preview_buttons_page_opens_focused_at_the_preview(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = _form(editor, title="Xem trước", action="preview")
    page = (await client.post("/editor/new", data=form)).text
    assert '<h2 id="editor-preview-title" tabindex="-1" autofocus>' in page
    assert page.count("autofocus") == 1
    opened = (await client.get("/editor/new")).text
    assert '<h2 id="editor-preview-title">' in opened and "autofocus" not in opened
    # With an error, the error summary takes the focus, not the preview.
    refused = (await client.post("/editor/new", data={**form, "title": ""})).text
    assert 'id="editor-errors"' in refused and '<h2 id="editor-preview-title">' in refused


async def test_a_made_address_is_numbered_past_articles_and_deleted_ones_too(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """Two articles with one title and no address typed: the second is not told that an address it never
    typed is taken; it gets the next free one, past a draft's and a deleted article's as well."""
    assert (await client.post("/editor/new", data=_form(editor, title="Hội nghị"))).status_code == 303
    second = await client.post("/editor/new", data=_form(editor, title="Hội nghị"))
    assert second.status_code == 303 and "hoi-nghi-2" in second.headers["location"]
    opened = await client.get("/editor/articles/hoi-nghi-2")
    deleted = await client.post(
        "/editor/articles/hoi-nghi-2/delete", data={"csrf_token": editor.csrf, "version": form_version(opened.text)}
    )
    assert deleted.status_code == 303
    third = await client.post("/editor/new", data=_form(editor, title="Hội nghị"))
    assert third.status_code == 303 and "hoi-nghi-3" in third.headers["location"]


async def test_an_address_renamed_away_from_while_saving_is_not_taken_quietly(
    client: httpx.AsyncClient, editor: SignedIn, app: ServedApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another editor renames the article at the typed address between the form's check and its write: the
    write itself finds the old address, and the form asks, as when the check had found it."""
    assert (await client.post("/editor/new", data=_form(editor, title="Hội nghị"))).status_code == 303
    store = app.state["store"]
    checked = editor_views._redirected_elsewhere

    async def renamed_meanwhile(store_: ArticleStore, address: str, slug: str | None) -> Article | None:
        found = await checked(store_, address, slug)
        assert await store.rename_article("hoi-nghi", "hoi-nghi-2026", version=1)
        return found

    monkeypatch.setattr(editor_views, "_redirected_elsewhere", renamed_meanwhile)
    asked = await client.post("/editor/new", data=_form(editor, title="Bài khác", slug="hoi-nghi", action="publish"))
    assert asked.status_code == 409 and 'name="take_over" value="hoi-nghi"' in asked.text
    old = await client.get("/articles/hoi-nghi")
    assert old.status_code == 301 and old.headers["location"].endswith("/articles/hoi-nghi-2026")


async def test_an_address_made_from_the_title_and_renamed_away_from_while_saving_is_not_asked_about(
    client: httpx.AsyncClient, editor: SignedIn, app: ServedApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address field left empty, the title made hoi-nghi, free when looked up; before the write another
    editor made an article there and renamed it. The form asked whether to take over an address this editor
    never typed: the next free one is taken instead, as when the look-up had found it."""
    store = app.state["store"]
    found_free = editor_views.free_address
    calls = 0

    async def made_old_meanwhile(store_: ArticleStore, slug: str, **kwargs: object) -> str:
        nonlocal calls
        calls += 1
        address = await found_free(store_, slug)
        if calls == 1:
            other = draft_from_fields({"title": "Hội nghị khác", "slug": address, "lang": "vi", "body_markdown": "X."})
            assert await store.create_article(other) is not None
            assert await store.rename_article(address, "hoi-nghi-2026", version=1)
        return address

    monkeypatch.setattr(editor_views, "free_address", made_old_meanwhile)
    saved = await client.post("/editor/new", data=_form(editor, title="Hội nghị", action="publish"))
    assert saved.status_code == 303 and saved.headers["location"].startswith("/editor/articles/hoi-nghi-2?")
    assert calls == 2
    old = await client.get("/articles/hoi-nghi")
    assert old.status_code == 301 and old.headers["location"].endswith("/articles/hoi-nghi-2026")


async def test_importing_a_renamed_article_again_keeps_its_old_links(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """The reviewer's case: "Hội nghị" published, renamed to hoi-nghi-2026, then its file, which names its
    address (slug: hoi-nghi), imported again (as drafts, the import page's default): the file updates the
    article, and its old address still leads there (it gave 404 and "1 new": a draft had taken the address).
    Two files for the article are refused."""
    published = await client.post("/editor/new", data=_form(editor, title="Hội nghị", action="publish"))
    assert published.status_code == 303
    await _rename(client, editor, "hoi-nghi", "hoi-nghi-2026", "Hội nghị")
    named = ("hoi-nghi.md", "---\nslug: hoi-nghi\ntitle: Hội nghị\n---\n\nNội dung mới.\n".encode(), "text/plain")
    imported = await _import(client, editor, named)
    assert imported.status_code == 200 and "Đã nhập: 0 mới, 1 cập nhật, 0 không đổi." in imported.text
    old = await client.get("/articles/hoi-nghi")
    assert old.status_code == 301 and old.headers["location"].endswith("/articles/hoi-nghi-2026")
    assert "Nội dung mới." in (await client.get("/articles/hoi-nghi-2026")).text  # still published
    same = ("khac.md", "---\nslug: hoi-nghi-2026\ntitle: Hội nghị 2026\n---\n\nKhác.\n".encode(), "text/plain")
    twice = await _import(client, editor, named, same)
    assert twice.status_code == 422
    said = (
        "&#39;hoi-nghi&#39; là địa chỉ cũ của bài viết hiện ở &#39;hoi-nghi-2026&#39;, và lần nhập này cũng lưu bài đó"
    )
    assert said in twice.text


async def test_an_imported_file_whose_title_makes_an_old_address_is_a_new_article(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """ "Thông báo" renamed to thong-bao-lich-nghi-tet; a different file titled "Thông báo", giving no address,
    replaced the Tết notice (which stayed published, though the page imports as drafts) and was reported as
    "1 updated". Its title made the address, which the editor's form never lets take an old one: a new draft."""
    published = await client.post(
        "/editor/new", data=_form(editor, title="Thông báo", body="Lịch nghỉ Tết.", action="publish")
    )
    assert published.status_code == 303
    await _rename(client, editor, "thong-bao", "thong-bao-lich-nghi-tet", "Thông báo")
    text = ("thong-bao.txt", "Thông báo\n\nHọp giao ban sáng thứ hai.\n".encode(), "text/plain")
    imported = await _import(client, editor, text)
    assert imported.status_code == 200 and "Đã nhập: 1 mới, 0 cập nhật, 0 không đổi." in imported.text
    notice = (await client.get("/articles/thong-bao-lich-nghi-tet")).text  # still published
    assert "Họp giao ban" not in notice  # not replaced
    old = await client.get("/articles/thong-bao")
    assert old.status_code == 301 and old.headers["location"].endswith("/articles/thong-bao-lich-nghi-tet")
    assert (await client.get("/articles/thong-bao-2")).status_code == 404  # a draft: off the site
    assert "Họp giao ban" in (await client.get("/editor/articles/thong-bao-2")).text
