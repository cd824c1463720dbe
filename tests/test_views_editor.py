from __future__ import annotations

import json
import logging
import random
import re
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from reader.app import create_app
from reader.drafts import MAX_BODY_CHARS
from reader.models import BY_CLI_IMPORT, BY_TOKEN, Article, SafeHtml
from reader.readability.document import CELL, document_from_html
from reader.readability.report import FlagJSON
from reader.settings import Settings
from reader.views import editor as editor_views
from tests import rawasgi
from tests.conftest import (
    EDITOR_PASSWORD,
    EN_SLUG,
    SEED_SLUG,
    TABLE_SLUG,
    AuthActions,
    ServedApp,
    SignedIn,
    client_for,
    csrf_token,
    done_address,
    page_links,
    served,
)
from tests.test_importer import DENSE_UNIT, TIENG_VIET_1258, dense_html, html_bytes
from tests.test_sentence_markup import unmark
from tests.test_store import draft

pytestmark = pytest.mark.anyio


def form_version(html: str) -> str:
    """The version an edit form was opened at (its hidden field)."""
    match = re.search(r'<input type="hidden" name="version" value="([^"]*)">', html)
    assert match is not None, "no version in the form"
    return match.group(1)


async def _save_seed(client: httpx.AsyncClient, editor: SignedIn, version: str = "1") -> dict[str, str]:
    """Save the seed article over `version` through its form, as the editor, with a new title and body: the
    fields posted."""
    changed = {"csrf_token": editor.csrf, "title": "Bản mới", "lang": "vi", "body_format": "html",
               "body": "<p>Bản mới.</p>", "version": version}  # fmt: skip
    assert (await client.post(f"/editor/articles/{SEED_SLUG}", data=changed)).status_code == 303
    return changed


async def test_the_editor_needs_a_session(client: httpx.AsyncClient) -> None:
    for path in ("/editor/", "/editor/new", f"/editor/articles/{SEED_SLUG}", f"/editor/articles/{SEED_SLUG}/check"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/editor/login?next={path}"
    response = await client.post("/editor/new", data={"title": "x"})
    assert response.status_code == 303


async def test_sign_in_and_out(client: httpx.AsyncClient, auth: AuthActions) -> None:
    await auth.add_account()
    response = await auth.sign_in_with_password()
    assert response.status_code == 303 and response.headers["location"] == "/editor/"
    session_cookie = client.cookies.get("reader_session")
    assert session_cookie and "." in session_cookie
    listing = await client.get("/editor/")
    assert SEED_SLUG in listing.text and "Đăng xuất (editor)" in listing.text
    # Whose unsaved changes the tab may keep (js/editor-draft.js), and the script that removes them on sign-out.
    assert 'id="editor-logout-form" data-draft-owner="' in listing.text and "editor-draft" in listing.text
    out = await client.post("/editor/logout", data={"csrf_token": csrf_token(listing.text)})
    assert out.status_code == 303
    # The unsaved changes kept in the browser go with the session, even from a page without the script.
    assert out.headers["clear-site-data"] == '"storage"'
    client.cookies.set("reader_session", session_cookie)  # a copied cookie is dead after sign-out
    assert (await client.get("/editor/")).status_code == 303


async def test_a_forged_session_cookie_is_refused(client: httpx.AsyncClient, editor: SignedIn) -> None:
    token, _, signature = (client.cookies.get("reader_session") or "").rpartition(".")
    client.cookies.set("reader_session", token + "." + "0" * len(signature))
    assert (await client.get("/editor/")).status_code == 303


async def test_wrong_passwords_are_throttled(auth: AuthActions) -> None:
    await auth.add_account("someone")
    statuses = []
    for _ in range(6):
        response = await auth.sign_in_with_password("someone", "nope")
        statuses.append(response.status_code)
    assert statuses == [401, 401, 401, 401, 401, 429]
    assert "Retry-After" in response.headers or "retry-after" in response.headers
    # The fields are not what is wrong now: described by the wait, not marked invalid.
    assert 'aria-describedby="login-error"' in response.text and "aria-invalid" not in response.text
    right = await auth.sign_in_with_password("someone")
    assert right.status_code == 429, "the right password does not get around the limit"


async def test_login_without_its_csrf_token_is_refused(client: httpx.AsyncClient, auth: AuthActions) -> None:
    await auth.add_account("someone")
    await client.get("/editor/login")
    data = {"name": "someone", "password": EDITOR_PASSWORD, "csrf_token": "x"}
    response = await client.post("/editor/login", data=data)
    assert response.status_code == 403


async def test_create_edit_and_delete(app: ServedApp, client: httpx.AsyncClient, editor: SignedIn) -> None:
    token = editor.csrf
    form = {
        "csrf_token": token,
        "title": "Ngày hội đọc sách",
        "lang": "vi",
        "summary": "Tóm tắt.",
        "author": "Mai",
        "published": "2026-11-20",
        "body_format": "markdown",
        "body": "Đoạn **một**.\n\n## Phần hai\n\nĐoạn hai.",
    }
    created = await client.post("/editor/new", data={**form, "action": "save"})
    slug = "ngay-hoi-doc-sach"  # the form goes on at the article's address, saying it was saved
    assert created.status_code == 303
    assert created.headers["location"] == done_address(app, editor, f"/editor/articles/{slug}", f"saved:{slug}", 1)
    assert created.headers["location"].startswith(f"/editor/articles/{slug}?done=saved:{slug}&version=1&mac=")
    page = await client.get("/articles/ngay-hoi-doc-sach")
    assert "<strong>một</strong>" in unmark(page.text) and "<h2>Phần hai</h2>" in unmark(page.text)
    edit = await client.get("/editor/articles/ngay-hoi-doc-sach")
    assert "Đoạn **một**." in edit.text and 'value="20/11/2026"' in edit.text  # as Vietnamese write dates
    assert form_version(edit.text) == "1"
    changed = {**form, "title": "Ngày hội đọc sách 2026", "version": "1"}
    saved = await client.post("/editor/articles/ngay-hoi-doc-sach", data=changed)
    assert saved.status_code == 303
    assert "Ngày hội đọc sách 2026" in (await client.get("/articles/ngay-hoi-doc-sach")).text
    confirm = await client.get("/editor/articles/ngay-hoi-doc-sach/delete")
    assert "Xóa bài viết" in confirm.text
    assert form_version(confirm.text) == "2"
    deleted = await client.post("/editor/articles/ngay-hoi-doc-sach/delete", data={"csrf_token": token, "version": "2"})
    assert deleted.status_code == 303
    assert (await client.get("/articles/ngay-hoi-doc-sach")).status_code == 404


async def test_a_delete_confirmed_after_someone_else_saved_deletes_nothing(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    # The question was asked about version 1; someone saves version 2 before the answer. Deleting would throw
    # away a version this editor has not seen: the question comes back about version 2.
    confirm = await client.get(f"/editor/articles/{SEED_SLUG}/delete")
    asked = form_version(confirm.text)
    edit = await client.get(f"/editor/articles/{SEED_SLUG}")
    await _save_seed(client, editor, version=form_version(edit.text))
    refused = await client.post(
        f"/editor/articles/{SEED_SLUG}/delete", data={"csrf_token": editor.csrf, "version": asked}
    )
    assert refused.status_code == 409
    assert "Người khác đã lưu bài viết này sau khi bạn mở trang này, nên chưa có gì bị xoá." in refused.text
    assert "phiên bản 2" in refused.text and form_version(refused.text) == "2"
    assert "Bản mới." in (await client.get(f"/articles/{SEED_SLUG}")).text
    # A form without a version (opened before versions were sent, or tampered) is asked again too.
    unversioned = await client.post(f"/editor/articles/{SEED_SLUG}/delete", data={"csrf_token": editor.csrf})
    assert unversioned.status_code == 409
    # Answered knowingly, about the version now shown.
    deleted = await client.post(
        f"/editor/articles/{SEED_SLUG}/delete", data={"csrf_token": editor.csrf, "version": form_version(refused.text)}
    )
    assert deleted.status_code == 303 and (await client.get(f"/articles/{SEED_SLUG}")).status_code == 404


async def test_invalid_input_keeps_what_was_typed(client: httpx.AsyncClient, editor: SignedIn) -> None:
    token = editor.csrf
    form = {"csrf_token": token, "title": "", "lang": "vi", "body_format": "html", "body": "<p>Giữ nguyên <b>x</b></p>"}
    response = await client.post("/editor/new", data=form)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text and "không được để trống" in response.text
    assert "&lt;p&gt;Giữ nguyên &lt;b&gt;x&lt;/b&gt;&lt;/p&gt;" in response.text
    taken = await client.post("/editor/new", data={**form, "title": "Dup", "slug": SEED_SLUG})
    assert taken.status_code == 409 and "đã được dùng" in taken.text


async def test_preview_without_javascript_and_with_htmx(client: httpx.AsyncClient, editor: SignedIn) -> None:
    token = editor.csrf
    form = {
        "csrf_token": token,
        "title": "Preview me",
        "lang": "en",
        "body_format": "markdown",
        "body": "Hello *world*",
    }
    no_js = await client.post("/editor/new", data={**form, "action": "preview"})
    assert no_js.status_code == 200 and "<em>world</em>" in no_js.text
    assert (await client.get("/articles/preview-me")).status_code == 404, "a preview saves nothing"
    htmx = await client.post("/editor/preview", data=form, headers={"hx-request": "true"})
    assert htmx.status_code == 200 and "<em>world</em>" in htmx.text and "<html" not in htmx.text
    # Not marked for read aloud: nothing reads aloud in the editor, and drafts would only fill the marks' cache.
    assert '<h3 class="reader-title" id="reader-title" data-fit="4">Preview me</h3>' in htmx.text
    assert "data-sentence" not in htmx.text


async def test_cross_origin_posts_to_editor_forms_are_refused(client: httpx.AsyncClient, editor: SignedIn) -> None:
    token = editor.csrf
    form = {"csrf_token": token, "title": "Forged", "lang": "en", "body_format": "html", "body": "<p>x</p>"}
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        response = await client.post("/editor/new", data=form, headers=headers)
        assert response.status_code == 403
    missing = await client.post("/editor/new", data={**form, "csrf_token": "wrong"})
    assert missing.status_code == 403
    assert (await client.get("/articles/forged")).status_code == 404


async def test_import_a_file_and_a_malformed_one(client: httpx.AsyncClient, editor: SignedIn) -> None:
    token = editor.csrf
    good = ("good.md", b"---\nlang: en\n---\n# Imported here\n\nBody.\n", "text/markdown")
    ok = await client.post("/editor/import", data={"csrf_token": token}, files={"files": good})
    assert ok.status_code == 200 and "Đã nhập: 1 mới, 0 cập nhật, 0 không đổi." in ok.text
    assert "reader-editor-findings" not in ok.text  # nothing to say of a clean article
    bad = (
        "broken.json",
        b'{"lang": "en", "title": "X", "body_html": "<p>x</p>", "published": "soon"}',
        "application/json",
    )
    changed = ("good.md", b"---\nlang: en\n---\n# Imported here\n\nChanged body.\n", "text/markdown")
    refused = await client.post(
        "/editor/import", data={"csrf_token": token}, files=[("files", changed), ("files", bad)]
    )
    assert refused.status_code == 422
    assert "broken.json: published: “soon” không phải là ngày (ví dụ 2021-03-31)" in refused.text
    assert "/tmp" not in refused.text
    assert "Changed body" not in (await client.get("/articles/imported-here")).text
    # More files than an import takes: said on the import page, nothing written.
    markdown = b"---\nlang: en\n---\n# Many %d\n\nBody.\n"
    many = [("files", (f"n{n}.md", markdown % n, "text/markdown")) for n in range(21)]
    too_many = await client.post("/editor/import", data={"csrf_token": token}, files=many)
    assert too_many.status_code == 422 and "Mỗi lần chỉ chọn được tối đa 20 tệp." in too_many.text
    assert 'id="import-hint"' in too_many.text and "tối đa 20 tệp, tổng cộng 20 MB" in too_many.text
    assert (await client.get("/articles/many-0")).status_code == 404


async def test_the_check_page(client: httpx.AsyncClient, editor: SignedIn) -> None:
    page = await client.get(f"/editor/articles/{EN_SLUG}/check", headers={"accept-language": "en"})
    assert page.status_code == 200
    html = page.text
    assert "Flesch reading ease" in html and "Contrast of each theme" in html
    assert html.count("<iframe") == 6 and 'width="320"' in html
    assert "/editor/preview/" + EN_SLUG + "?settings=1%7Cs%3A400" in html
    vi = await client.get(f"/editor/articles/{SEED_SLUG}/check")
    assert "Nguyễn–Henkin" in vi.text and "ước tính" in vi.text and "<mark" in vi.text
    # Every label in the editor's language: the report's heading is not the reader's settings panel, themes
    # are named as the panel names them, never by their keys.
    assert '<h2 id="check-readability">Độ dễ đọc</h2>' in vi.text
    assert '<th scope="row">Tương phản cao, nền tối</th>' in vi.text
    assert "<figcaption>Tương phản cao, nền sáng</figcaption>" in vi.text
    assert 'title="Xem trước: Tương phản cao, nền tối"' in vi.text
    assert '<th scope="row">Tự động, trên hệ thống nền tối</th>' in vi.text
    assert not re.search(r">(auto|light|dark|sepia|contrast-dark|contrast-light)[ <]", vi.text)
    assert '<th scope="row">High contrast dark</th>' in html and "<figcaption>High contrast light</figcaption>" in html


async def test_the_check_page_of_an_article_in_another_language(client: httpx.AsyncClient, editor: SignedIn) -> None:
    # It answered 500: the layout checks refused every language but Vietnamese and English.
    form = {
        "csrf_token": editor.csrf, "title": "Bài tiếng Pháp", "lang": "other", "lang_other": "fr",
        "body_format": "html", "body": '<h3>Titre</h3><p>Un texte. <img src="https://example.com/a.png"></p>',
    }  # fmt: skip
    assert (await client.post("/editor/new", data=form)).status_code == 303
    page = await client.get("/editor/articles/bai-tieng-phap/check", headers=VI_PAGE)
    assert page.status_code == 200
    assert "Báo cáo độ dễ đọc hỗ trợ tiếng Việt và tiếng Anh; bài viết này dùng ngôn ngữ khác." in page.text
    layout = page.text[page.text.index('id="check-layout"') :]
    flags = re.findall(r"<li>([^<]*)</li>", layout[: layout.index("</ul>")])
    missing_alt = "Ảnh không có văn bản thay thế (thiếu thuộc tính alt)"
    assert sorted(flags) == ["Nhảy cấp tiêu đề: h3 đứng ngay sau h1", missing_alt]


async def test_previews_never_touch_the_editors_cookie(client: httpx.AsyncClient, editor: SignedIn) -> None:
    client.cookies.set("reader_prefs", "1|t:sepia")
    frame = await client.get(f"/editor/preview/{SEED_SLUG}", params={"settings": "1|s:400|t:contrast-dark"})
    assert frame.status_code == 200 and "set-cookie" not in frame.headers
    assert 'data-size="400"' in frame.text and 'data-theme="contrast-dark"' in frame.text
    assert "data-sentence" not in frame.text  # no read aloud in the editor: nothing to mark
    assert "frame-ancestors 'self'" in frame.headers["content-security-policy"]
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    assert client.cookies.get("reader_prefs") == "1|t:sepia"
    # The toolbar shows as readers see it at these settings, but nothing in it can be used: a preview's A+
    # would post the editor's own settings (tests/browser/test_editor.py presses it).
    toolbar = re.search(r'<section class="reader-toolbar"[^>]*>', frame.text)
    assert toolbar is not None and " inert" in toolbar.group(0)
    start, article = frame.text.index(toolbar.group(0)), frame.text.index('<article class="reader-article"')
    assert frame.text.count("<form") == frame.text.count("<form", start, article) > 0
    # Asked to open at the article (the large sizes' frames), it brings the script that scrolls it there, and
    # names only that element.
    assert "editor-frame" not in frame.text
    opened = await client.get(f"/editor/preview/{SEED_SLUG}", params={"settings": "1|s:400", "start": "reader-article"})
    assert re.search(r'<script src="/static/js/editor-frame\.[^"]*" data-start="reader-article" defer>', opened.text)
    other = await client.get(f"/editor/preview/{SEED_SLUG}", params={"settings": "1", "start": "reader-toolbar"})
    assert "editor-frame" not in other.text
    check = (await client.get(f"/editor/articles/{SEED_SLUG}/check")).text
    frames = re.findall(r'<iframe src="[^"]*settings=([^"&]*)(&amp;start=reader-article)?" [^>]*height="(\d+)"', check)
    assert [(start != "", height) for _, start, height in frames] == [
        (False, "480"),
        (True, "720"),
        (True, "720"),
        (False, "480"),
        (False, "480"),
        (False, "480"),
    ]
    assert 'id="reader-title-link"' not in frame.text  # a link would leave the check page's frame


async def test_a_save_over_someone_elses_save_is_refused_and_keeps_both(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """Two tabs open the same article; A adds a paragraph and saves; B, holding the old form, changes the
    lead and saves: B's save is refused (409), nothing is written, B's changes come back with a link to the
    current version, and only a second, informed save replaces A's version."""
    slug = "hai-the"
    form = {"csrf_token": editor.csrf, "title": "Hai thẻ", "lang": "vi", "summary": "Tóm tắt cũ.",
            "body_format": "markdown", "body": "Đoạn một."}  # fmt: skip
    assert (await client.post("/editor/new", data=form)).status_code == 303
    opened_a = await client.get(f"/editor/articles/{slug}")
    opened_b = await client.get(f"/editor/articles/{slug}")
    assert form_version(opened_a.text) == form_version(opened_b.text) == "1"
    saved_a = await client.post(f"/editor/articles/{slug}", data={
        **form, "body": "Đoạn một.\n\nĐoạn của A.", "version": form_version(opened_a.text)})  # fmt: skip
    assert saved_a.status_code == 303

    mine = {**form, "summary": "Tóm tắt mới của B.", "version": form_version(opened_b.text)}
    refused = await client.post(f"/editor/articles/{slug}", data=mine)
    assert refused.status_code == 409
    assert "Người khác đã lưu bài viết này trong lúc bạn đang sửa" in refused.text
    assert ">Tóm tắt mới của B.</textarea>" in refused.text, "B's changes are kept"
    assert '<p class="reader-lead">Tóm tắt mới của B.</p>' in unmark(refused.text), "and previewed"
    link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener" id="editor-conflict-current">([^<]+)</a>',
                     refused.text)  # fmt: skip
    assert link is not None and link.group(1) == f"/editor/articles/{slug}" and "thẻ mới" in link.group(2)
    stored = await client.get(f"/editor/articles/{slug}")
    assert "Đoạn của A." in stored.text and "Tóm tắt cũ." in stored.text and form_version(stored.text) == "2"

    # The form that came back carries the current version: saving it now is a knowing choice, and writes.
    assert form_version(refused.text) == "2"
    merged = {**mine, "body": "Đoạn một.\n\nĐoạn của A.", "version": form_version(refused.text)}
    assert (await client.post(f"/editor/articles/{slug}", data=merged)).status_code == 303
    final = await client.get(f"/editor/articles/{slug}")
    assert "Đoạn của A." in final.text and "Tóm tắt mới của B." in final.text and form_version(final.text) == "3"

    english = await client.post(f"/editor/articles/{slug}", data=mine, headers={"accept-language": "en"})
    assert english.status_code == 409 and "Someone else saved this article while you were editing it" in english.text
    previewed = await client.post(f"/editor/articles/{slug}", data={**mine, "action": "preview"})
    assert form_version(previewed.text) == "1", "a preview (without JavaScript) keeps the version the form had"
    no_version = await client.post(f"/editor/articles/{slug}", data=form)
    assert no_version.status_code == 409, "a form that does not say its version is never written blind"
    for odd in ("²", "٣", "-1", "1e3", "9" * 20):  # digits int() refuses, or not a version at all
        tampered = await client.post(f"/editor/articles/{slug}", data={**form, "version": odd})
        assert tampered.status_code == 409, odd
    assert form_version((await client.get(f"/editor/articles/{slug}")).text) == "3"


async def test_an_article_deleted_or_created_meanwhile_is_never_overwritten(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = {"csrf_token": editor.csrf, "title": "Cùng tên", "lang": "vi", "body_format": "markdown",
            "body": "Của tôi."}  # fmt: skip
    # Someone else creates the article at the address this form has while it is open (an address made from
    # the title is numbered past it: tests/test_views_editor_form.py).
    other = {**form, "body": "Của người khác."}
    assert (await client.post("/editor/new", data=other)).status_code == 303
    taken = await client.post("/editor/new", data={**form, "slug": "cung-ten"})
    assert taken.status_code == 409 and "không có gì bị ghi đè" in taken.text
    assert 'value="cung-ten"' in taken.text and ">Của tôi.</textarea>" in taken.text
    assert 'href="/editor/articles/cung-ten" target="_blank"' in taken.text
    assert "Của người khác." in (await client.get("/articles/cung-ten")).text

    # Deleted while being edited: nothing recreated behind the editor's back; the text comes back in a form
    # for a new article at the same address, created only if the editor saves it.
    opened = await client.get("/editor/articles/cung-ten")
    await client.post("/editor/articles/cung-ten/delete", data={"csrf_token": editor.csrf, "version": "1"})
    gone = await client.post("/editor/articles/cung-ten", data={**form, "version": form_version(opened.text)})
    assert gone.status_code == 409 and "Người khác đã xóa bài viết này" in gone.text
    assert ">Của tôi.</textarea>" in gone.text and 'action="/editor/new"' in gone.text
    assert (await client.get("/articles/cung-ten")).status_code == 404
    again = await client.post("/editor/new", data={**form, "slug": "cung-ten"})
    assert again.status_code == 303 and "Của tôi." in (await client.get("/articles/cung-ten")).text


async def test_a_post_cut_off_mid_body_is_no_error(
    app: ServedApp, editor: SignedIn, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that announces 5000 bytes, sends 22 and goes away: nothing is answered (the access log says
    499), nothing is logged as an error, nothing is written, on every editor form (as on /preferences)."""
    urlencoded = ((b"content-type", b"application/x-www-form-urlencoded"), f"csrf_token={editor.csrf}".encode())
    multipart_type, multipart_body = rawasgi.multipart([("csrf_token", editor.csrf)])
    multipart = ((b"content-type", multipart_type), multipart_body)
    session = (b"cookie", editor.cookie.encode())
    posts = [
        ("/preferences", urlencoded, []),
        ("/editor/preview", urlencoded, [session]),
        ("/editor/new", urlencoded, [session]),
        (f"/editor/articles/{SEED_SLUG}", urlencoded, [session]),
        (f"/editor/articles/{SEED_SLUG}/delete", urlencoded, [session]),
        ("/editor/import", multipart, [session]),
        ("/editor/import", urlencoded, [session]),
        ("/editor/login", urlencoded, [(b"cookie", b"reader_login_csrf=t")]),
        ("/editor/logout", urlencoded, [session]),
    ]
    caplog.set_level(logging.INFO)
    for path, (content_type, body), headers in posts:
        answer = await rawasgi.request(
            app, "POST", path, headers=[content_type, *headers], body=body[:22], announced=5000
        )
        assert answer.status == 0, (path, answer.status)  # no answer at all: reader.request_id logs 499
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert await app.state["store"].get_article(SEED_SLUG) is not None


async def test_the_check_page_names_each_flag_once_and_visibly(client: httpx.AsyncClient, editor: SignedIn) -> None:
    # A long sentence (with a passive) in the middle of a run of sentences that start alike: the run's
    # highlight is cut where the long sentence begins and ends, at the spaces around it.
    body = (
        "The road is open. The old bridge over the river was built by workers from three villages who came "
        "every morning before dawn and stayed until the light was gone from the valley. The school is new. "
        "Trains run twice a day."
    )
    form = {"csrf_token": editor.csrf, "title": "Flags", "lang": "en", "body_format": "markdown", "body": body}
    assert (await client.post("/editor/new", data=form)).status_code == 303
    report = (await client.get("/api/articles/flags/readability", params={"ui_lang": "en"})).json()
    kinds = sorted(flag["kind"] for flag in report["flags"])
    assert kinds == ["long_sentence", "passive_voice", "repeated_start"], kinds
    page = (await client.get("/editor/articles/flags/check", headers={"accept-language": "en"})).text
    # The list: each message once, not after its own kind again; a link to where the text marks its passage,
    # and the passage's beginning quoted, to find it in the form.
    for number, flag in enumerate(report["flags"]):
        item = f'<li><a href="#check-flag-{number}">{flag["message"]}</a> <q lang="en">{flag["text"][:30]}'
        assert item in page
        assert re.search(
            rf'<span class="reader-editor-tag reader-editor-tag--{flag["kind"]}"[^>]* id="check-flag-{number}"', page
        )
    assert "Long sentence: Long sentence" not in page and "Passive voice: Passive voice" not in page
    # The text: no mark around white space only; each flag named once, visibly, where its passage begins.
    assert re.findall(r"<mark[^>]*>\s*</mark>", page) == []
    tags = re.findall(r'<span class="reader-editor-tag reader-editor-tag--(\w+)" lang="en"[^>]*>([^<]+)<', page)
    assert sorted(kind for kind, _ in tags) == kinds
    assert {name for _, name in tags} == {"Long sentence", "Passive voice", "Repeated start"}
    assert "(Repeated start)" not in page and "(Long sentence" not in page
    assert (
        '<mark class="reader-editor-mark reader-editor-mark--long_sentence reader-editor-mark--passive_voice '
        'reader-editor-mark--repeated_start">The old bridge' in page
    )
    legend = re.search(r'<ul class="reader-editor-legend"[^>]*>(.*?)</ul>', page, re.S)
    assert legend is not None and re.findall(r"reader-editor-mark--(\w+)\">", legend.group(1)) == [
        "long_sentence", "passive_voice", "repeated_start"
    ]  # fmt: skip

    vi_body = " ".join(["Người dân trong xã đã cùng nhau làm đường bê tông dài hơn hai cây số"] * 3) + "."
    form = {**form, "title": "Câu dài", "lang": "vi", "body": vi_body}
    assert (await client.post("/editor/new", data=form)).status_code == 303
    vi = (await client.get("/editor/articles/cau-dai/check")).text
    assert "Câu dài " in vi and "Câu dài: Câu dài" not in vi and "<strong>Câu dài</strong>" not in vi
    assert re.search(r'reader-editor-tag--long_sentence" lang="vi"[^>]*>Câu dài<', vi)


async def test_a_grade_below_the_first_reads_below_grade_1(client: httpx.AsyncClient, editor: SignedIn) -> None:
    """A very easy text's grades are below 0 by the formulas: the check page says "below grade 1", and why,
    in the editor's language, and never shows the negative number; the API keeps the formula's value."""
    form = {"csrf_token": editor.csrf, "title": "Easy", "lang": "en", "body_format": "markdown"}
    form["body"] = "I am here. He is not. We go."
    assert (await client.post("/editor/new", data=form)).status_code == 303
    page = (await client.get("/editor/articles/easy/check", headers={"accept-language": "en"})).text
    why = "a very short or very easy text: the formula gives less than the first school grade"
    assert page.count(f'Below grade 1 <span class="reader-editor-estimate">({why})</span>') == 2
    assert "−2" not in page and "-2.75" not in page and "−9" not in page and "-9.5" not in page
    scores = (await client.get("/api/articles/easy/readability")).json()["scores"]
    assert scores["flesch_kincaid_grade"] == -2.75 and scores["automated_readability_index"] == -9.5

    form = {**form, "title": "Dễ", "lang": "vi", "body": "Em đi học. Mẹ đi chợ."}
    assert (await client.post("/editor/new", data=form)).status_code == 303
    vi = (await client.get("/editor/articles/de/check")).text
    assert vi.count("Dưới lớp 1 <span") == 1 and "văn bản rất ngắn hoặc rất dễ" in vi
    assert "0,73" not in vi
    # A grade from 1 up is its number, as before.
    seed = (await client.get(f"/editor/articles/{EN_SLUG}/check", headers={"accept-language": "en"})).text
    assert "Below grade 1" not in seed


VI_PAGE = {"accept-language": "vi-VN,vi;q=0.9"}


async def test_every_error_shows_at_once_in_vietnamese_with_a_summary_of_links(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = {
        "csrf_token": editor.csrf, "title": "Bài <thử>", "lang": "other", "lang_other": "Tiếng <Việt>",
        "published": "30/02/2021", "body_format": "html", "body": "<p>x</p>",
    }  # fmt: skip
    response = await client.post("/editor/new", data=form, headers=VI_PAGE)
    assert response.status_code == 422
    html = response.text
    summary = html[html.index('id="editor-errors"') : html.index("</div>", html.index('id="editor-errors"'))]
    assert 'tabindex="-1"' in summary and "autofocus" in summary
    assert '<a href="#editor-lang_other">Mã ngôn ngữ khác: “Tiếng &lt;Việt&gt;” không phải là mã ngôn ngữ' in summary
    assert (
        '<a href="#editor-published">Ngày đăng: không có ngày 30/02/2021: tháng 2 năm 2021 chỉ có 28 ngày</a>'
        in summary
    )
    for name in ("lang_other", "published"):
        field = re.search(rf'<input id="editor-{name}"[^>]*>', html)
        assert field is not None and 'aria-invalid="true"' in field.group(0)
        assert f"editor-{name}-error" in field.group(0)
        assert f'id="editor-{name}-error"' in html
    for english in ("is not", "BCP 47 language tag", "must not", "a date such as", "lang_other:", "published:"):
        assert english not in html


async def test_the_date_field_takes_the_portals_own_format(client: httpx.AsyncClient, editor: SignedIn) -> None:
    form = {
        "csrf_token": editor.csrf, "title": "Ngày kiểu Việt", "lang": "vi", "published": "31/03/2021",
        "body_format": "markdown", "body": "Nội dung.",
    }  # fmt: skip
    page = await client.get("/editor/new", headers=VI_PAGE)
    assert "31/03/2021 hoặc 2021-03-31" in page.text  # the hint says which formats are accepted
    saved = await client.post("/editor/new", data=form, headers=VI_PAGE)
    assert saved.status_code == 303
    stored = await client.get("/api/articles/ngay-kieu-viet")
    assert stored.json()["published"] == "2021-03-31"
    edit = await client.get("/editor/articles/ngay-kieu-viet", headers=VI_PAGE)
    assert re.search(r'<input id="editor-published"[^>]*value="31/03/2021"', edit.text)


class TestASiteInVietnamsTimeZone:
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        return Settings(db_path=tmp_path / "reader.db", time_zone="Asia/Ho_Chi_Minh")

    async def test_a_time_typed_without_an_offset_is_the_sites(
        self, client: httpx.AsyncClient, editor: SignedIn
    ) -> None:
        page = await client.get("/editor/new", headers=VI_PAGE)
        assert "2021-03-31 08:00 là giờ Asia/Ho_Chi_Minh" in page.text  # the hint names the zone
        form = {
            "csrf_token": editor.csrf, "title": "Giờ đăng", "lang": "vi", "published": "31/03/2021 08:00",
            "body_format": "markdown", "body": "Nội dung.",
        }  # fmt: skip
        assert (await client.post("/editor/new", data=form, headers=VI_PAGE)).status_code == 303
        stored = (await client.get("/api/articles/gio-dang")).json()
        assert stored["published"] == "2021-03-31T08:00:00+07:00"
        # Shown back as it was typed, in the hint's form for the page's language, and saved unchanged it stays.
        edit = await client.get("/editor/articles/gio-dang", headers=VI_PAGE)
        assert re.search(r'<input id="editor-published"[^>]*value="31/03/2021 08:00"', edit.text)
        english = await client.get("/editor/articles/gio-dang", headers={"Accept-Language": "en"})
        assert re.search(r'<input id="editor-published"[^>]*value="2021-03-31 08:00"', english.text)
        again = {**form, "version": "1", "action": "save", "body": "Nội dung mới."}
        assert (await client.post("/editor/articles/gio-dang", data=again, headers=VI_PAGE)).status_code == 303
        assert (await client.get("/api/articles/gio-dang")).json()["published"] == "2021-03-31T08:00:00+07:00"
        # Times the field cannot give back as stored (another offset, seconds) are shown as stored.
        for stored_time in ("2021-03-31T08:00:00+00:00", "2021-03-31T08:00:30+07:00"):
            other = {**form, "title": "Giờ khác", "slug": "gio-khac", "published": stored_time}
            assert (await client.post("/editor/new", data=other, headers=VI_PAGE)).status_code == 303
            assert (await client.get("/api/articles/gio-khac")).json()["published"] == stored_time
            edit = await client.get("/editor/articles/gio-khac", headers=VI_PAGE)
            assert f'value="{stored_time}"' in edit.text
            await client.post("/editor/articles/gio-khac/delete", data={"csrf_token": editor.csrf, "version": "1"})


async def test_the_language_is_chosen_from_a_list_with_other_for_any_tag(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    page = await client.get("/editor/new", headers=VI_PAGE)
    select = re.search(r'<select id="editor-lang" name="lang"[^>]*>(.*?)</select>', page.text, re.DOTALL)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?[^>]*>([^<]*)</option>', select.group(1))
    assert [(value, text) for value, _, text in options] == [("vi", "Tiếng Việt"), ("en", "English"), ("other", "Khác")]
    assert options[0][1] == " selected"
    form = {
        "csrf_token": editor.csrf, "title": "Tiếng Anh Anh", "lang": "other", "lang_other": "en-gb",
        "body_format": "markdown", "body": "Text.",
    }  # fmt: skip
    assert (await client.post("/editor/new", data=form)).status_code == 303
    stored = await client.get("/api/articles/tieng-anh-anh")
    assert stored.json()["lang"] == "en-GB"
    edit = await client.get("/editor/articles/tieng-anh-anh", headers=VI_PAGE)
    assert re.search(r'<option value="other" selected', edit.text)
    assert re.search(r'<input id="editor-lang_other"[^>]*value="en-GB"', edit.text)


async def test_the_live_preview_names_fields_by_their_labels(client: httpx.AsyncClient, editor: SignedIn) -> None:
    form = {"csrf_token": editor.csrf, "title": "", "lang": "vi", "body_format": "html", "body": ""}
    answer = await client.post("/editor/preview", data=form, headers={**VI_PAGE, "hx-request": "true"})
    assert "Tiêu đề: không được để trống" in answer.text and "Nội dung: không được để trống" in answer.text
    assert "body_html" not in answer.text and "title:" not in answer.text and "required" not in answer.text


async def test_import_errors_are_in_the_editors_language(client: httpx.AsyncClient, editor: SignedIn) -> None:
    bad = (
        "bad_truncated.json",
        b'{"lang": "vi", "title": "X", "body_html": "<p>x</p>" "published": 1}',
        "application/json",
    )
    refused = await client.post(
        "/editor/import", data={"csrf_token": editor.csrf}, files={"files": bad}, headers=VI_PAGE
    )
    assert refused.status_code == 422
    assert "bad_truncated.json: JSON không hợp lệ ở dòng 1, cột 54" in refused.text
    assert "Expecting" not in refused.text and "invalid JSON" not in refused.text


async def test_html_that_cannot_be_parsed_is_refused_not_a_server_error(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    # html.parser refuses "<![foo[" (bs4's ParserRejectedMarkup): the page answered 500, catching only ImportFailure.
    upload = ("hong.html", b'<html lang="vi"><h1>T</h1>\n<p>x<![foo[ y]]>z</p>', "text/html")
    refused = await client.post(
        "/editor/import", data={"csrf_token": editor.csrf}, files={"files": upload}, headers=VI_PAGE
    )
    assert refused.status_code == 422 and "hong.html: HTML không hợp lệ ở dòng 2, cột 5" in refused.text


# Word's list paragraphs (which make the body parsed for lists before it is sanitized) beside a marked section
# html.parser refuses: the form's save and a JSON import both answered 500.
LISTS_AND_REFUSED_MARKUP = "<p>\u2022 one</p><p>\u2022 two</p><![foo[ x]]><p>z</p>"


async def test_list_paragraphs_beside_refused_markup_are_saved_from_the_form(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = {"csrf_token": editor.csrf, "title": "Lists", "lang": "en", "body_format": "html"}
    saved = await client.post("/editor/new", data={**form, "body": LISTS_AND_REFUSED_MARKUP, "action": "save"})
    assert saved.status_code in (200, 303), saved.text[:300]


async def test_list_paragraphs_beside_refused_markup_are_imported_from_json(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    article = {"title": "Lists", "lang": "en", "body_html": LISTS_AND_REFUSED_MARKUP}
    upload = ("lists.json", json.dumps(article).encode(), "application/json")
    imported = await client.post("/editor/import", data={"csrf_token": editor.csrf}, files={"files": upload})
    assert imported.status_code in (200, 303), imported.text[:300]


async def test_an_import_over_the_body_limit_is_refused_before_it_is_parsed(
    client: httpx.AsyncClient, editor: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3.7 MB of dense markup took 10-12 s of parsing before its 422; its tokens tell it is over the limit."""
    from reader import importer

    def no_parsing(markup: str) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(importer, "parse_html", no_parsing)
    upload = ("big.html", dense_html(MAX_BODY_CHARS // len(DENSE_UNIT) + 2000).encode(), "text/html")
    refused = await client.post(
        "/editor/import", data={"csrf_token": editor.csrf}, files={"files": upload}, headers=VI_PAGE
    )
    assert refused.status_code == 422 and "big.html: body_html: dài quá 2000000 ký tự" in refused.text


async def test_an_import_in_windows_1258_reads_as_a_browser_shows_it(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    upload = ("cu.html", html_bytes(b'<meta charset="windows-1258">', TIENG_VIET_1258), "text/html")
    data = {"csrf_token": editor.csrf, "state": "published"}
    imported = await client.post("/editor/import", data=data, files={"files": upload})
    assert imported.status_code == 200 and ">Tiếng Việt</a>" in imported.text
    assert "Tiếng Việt" in (await client.get("/articles/tieng-viet")).text
    page = await client.get("/editor/import", headers=VI_PAGE)
    assert "tệp HTML dùng bảng mã khác (chẳng hạn windows-1258) phải khai báo" in page.text


async def test_the_list_finds_articles_by_their_words(client: httpx.AsyncClient, editor: SignedIn) -> None:
    found = await client.get("/editor/", params={"q": "bắc kạn"})
    assert found.status_code == 200
    assert (
        f'href="/editor/articles/{SEED_SLUG}"' in found.text and f'href="/editor/articles/{EN_SLUG}"' not in found.text
    )
    assert '<p id="editor-search-result">Có 1 bài viết khớp với “bắc kạn”.</p>' in found.text
    assert 'value="bắc kạn"' in found.text and 'role="search"' in found.text
    # Typed without diacritics, cut short, or in another case: the same article.
    for search in ("bac kan", "BAC KA"):
        assert f'href="/editor/articles/{SEED_SLUG}"' in (await client.get("/editor/", params={"q": search})).text
    # By the words of its lead and text too (not of its title), as the index finds them.
    body = await client.get("/editor/", params={"q": "nghị quyết"})
    assert f'href="/editor/articles/{SEED_SLUG}"' in body.text and "Có 1 bài viết khớp" in body.text
    none = await client.get("/editor/", params={"q": "<b>không có xyzzy</b>"})
    assert "Có 0 bài viết khớp với “&lt;b&gt;không có xyzzy&lt;/b&gt;”." in none.text and "<b>không" not in none.text
    assert "Chưa có bài viết nào" not in none.text  # not "no articles yet": there are, none matches
    everything = await client.get("/editor/")
    assert "editor-search-result" not in everything.text and f'href="/editor/articles/{EN_SLUG}"' in everything.text


async def test_the_pages_of_a_search_keep_the_search(settings: Settings) -> None:
    async with served(create_app(settings.replace(page_size=1))) as app, client_for(app) as client:
        await AuthActions(app, client).sign_in()
        # Page by page, a search's pages link to each other with the search (one article a page here).
        assert (await app.state["store"].list_articles(page=1, per_page=1, search="a")).total >= 2
        first = await client.get("/editor/", params={"q": "a"})
        assert 'href="/editor/?q=a&amp;page=2" rel="next"' in first.text
        second = await client.get("/editor/", params={"q": "a", "page": "2"})
        assert 'href="/editor/?q=a" rel="prev"' in second.text


async def test_the_editors_list_links_its_pages_as_the_index_does(settings: Settings) -> None:
    """The editor's lists share the index's page links (templates/_pages.html): the first and last pages,
    those near this one, this one marked and named, a search kept on every link, nothing past the ends."""
    async with served(create_app(settings.replace(page_size=1))) as app, client_for(app) as client:
        await AuthActions(app, client).sign_in()
        await app.state["store"].save_articles([draft(f"zebra-{n}", title=f"Zebra {n}") for n in range(12)])
        assert (await app.state["store"].list_articles(page=1, per_page=1, search="zebra", drafts=True)).pages == 12
        links, gaps = page_links((await client.get("/editor/", params={"q": "zebra", "page": "6"})).text)
        assert [link.text for link in links] == ["Trang trước", "1", "4", "5", "6", "7", "8", "12", "Trang sau"]
        kept = re.compile(r"/editor/\?q=zebra(&amp;page=\d+)?")  # the first page at the list's own address
        assert gaps == 2 and all(kept.fullmatch(link.href) for link in links)
        assert [(link.text, link.name) for link in links if link.current] == [("6", "Trang 6 trên tổng số 12 trang")]
        assert [link.name for link in links[1:-1] if not link.current] == [f"Trang {n}" for n in (1, 4, 5, 7, 8, 12)]
        assert [(links[0].rel, links[-1].rel)] == [("prev", "next")]
        first, _ = page_links((await client.get("/editor/", params={"q": "zebra"})).text)
        assert first[0].text == "1" and first[0].current and "prev" not in [link.rel for link in first]
        last, _ = page_links((await client.get("/editor/", params={"q": "zebra", "page": "12"})).text)
        assert last[-1].text == "12" and last[-1].current and "next" not in [link.rel for link in last]
        english, _ = page_links(
            (await client.get("/editor/", params={"page": "2"}, headers={"accept-language": "en"})).text
        )
        assert (english[0].text, english[-1].text) == ("Newer articles", "Older articles")
        assert [link.name for link in english if link.current] == ["Page 2 of 15"]
        assert all("q=" not in link.href for link in english)


@pytest.mark.parametrize("page", ["²", "①"])
async def test_an_odd_page_number_shows_each_list_from_its_start(
    client: httpx.AsyncClient, editor: SignedIn, page: str
) -> None:
    for path in ("/editor/", "/editor/deleted", f"/editor/articles/{SEED_SLUG}/history"):
        response = await client.get(path, params={"page": page})
        assert response.status_code == 200, path


async def test_a_long_history_comes_a_page_at_a_time_with_links_between(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    store = app.state["store"]
    await store.save_articles([draft("long", title="v1")])
    per_page = app.state["settings"].page_size
    for version in range(1, per_page + 3):  # per_page + 2 earlier versions: two pages
        assert await store.update_article(draft("long", title=f"v{version + 1}"), version=version)
    first = await client.get("/editor/articles/long/history")
    assert first.status_code == 200 and f"Phiên bản {per_page + 3} (hiện tại)" in first.text
    assert first.text.count('href="/editor/articles/long/history/') == per_page
    assert 'href="/editor/articles/long/history?page=2" rel="next">Phiên bản cũ hơn</a>' in first.text
    second = await client.get("/editor/articles/long/history?page=2")
    assert "(hiện tại)" not in second.text  # the current version heads the first page only
    assert [f'href="/editor/articles/long/history/{v}"' in second.text for v in (2, 1)] == [True, True]
    assert second.text.count('href="/editor/articles/long/history/') == 2
    assert 'href="/editor/articles/long/history" rel="prev">Phiên bản mới hơn</a>' in second.text


async def test_the_history_keeps_every_version_and_restores_one(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = {"csrf_token": editor.csrf, "title": "Phiên bản một", "lang": "vi", "body_format": "markdown",
            "body": "Đoạn **một**."}  # fmt: skip
    assert (await client.post("/editor/new", data=form)).status_code == 303
    slug = "phien-ban-mot"
    empty = await client.get(f"/editor/articles/{slug}/history")
    assert empty.status_code == 200 and 'id="editor-history-empty"' in empty.text
    changed = {**form, "title": "Phiên bản hai", "body": "Đoạn hai.", "version": "1"}
    assert (await client.post(f"/editor/articles/{slug}", data=changed)).status_code == 303
    edit = await client.get(f"/editor/articles/{slug}")
    assert f'href="/editor/articles/{slug}/history" id="editor-history">Lịch sử</a>' in edit.text
    history = await client.get(f"/editor/articles/{slug}/history")
    assert "Phiên bản 2 (hiện tại)" in history.text and f'href="/editor/articles/{slug}/history/1"' in history.text
    assert '<td lang="vi">Phiên bản một</td>' in history.text
    first = await client.get(f"/editor/articles/{slug}/history/1")
    assert first.status_code == 200 and "<strong>một</strong>" in unmark(first.text)
    assert "khôi phục phiên bản này sẽ lưu nó thành phiên bản 3" in first.text
    # The current version and versions never kept are not earlier versions.
    for missing in ("2", "3", "99"):
        assert (await client.get(f"/editor/articles/{slug}/history/{missing}")).status_code == 404
    restored = await client.post(f"/editor/articles/{slug}/history/1", data={"csrf_token": editor.csrf, "version": "2"})
    assert restored.status_code == 303
    assert restored.headers["location"] == done_address(app, editor, "/editor/", f"restored:{slug}")
    listing = await client.get(restored.headers["location"])
    assert 'Đã khôi phục một phiên bản trước của “<span lang="vi">Phiên bản' in listing.text
    page = await client.get(f"/articles/{slug}")
    assert "<strong>một</strong>" in unmark(page.text) and "Phiên bản một" in page.text
    edit = await client.get(f"/editor/articles/{slug}")
    assert form_version(edit.text) == "3" and "Đoạn **một**." in edit.text  # the Markdown source came back too
    history = await client.get(f"/editor/articles/{slug}/history")
    assert "Phiên bản 3 (hiện tại)" in history.text and f'href="/editor/articles/{slug}/history/2"' in history.text


async def test_restoring_over_someone_elses_save_restores_nothing(client: httpx.AsyncClient, editor: SignedIn) -> None:
    changed = await _save_seed(client, editor)
    shown = await client.get(f"/editor/articles/{SEED_SLUG}/history/1")  # the page shows version 2 as current
    assert form_version(shown.text) == "2"
    meanwhile = {**changed, "title": "Bản của người khác", "version": "2"}
    assert (await client.post(f"/editor/articles/{SEED_SLUG}", data=meanwhile)).status_code == 303
    refused = await client.post(
        f"/editor/articles/{SEED_SLUG}/history/1", data={"csrf_token": editor.csrf, "version": "2"}
    )
    assert refused.status_code == 409 and "nên chưa có gì được khôi phục" in refused.text
    assert form_version(refused.text) == "3"  # asked again, about the version now current
    assert "Bản của người khác" in (await client.get(f"/articles/{SEED_SLUG}")).text
    unversioned = await client.post(f"/editor/articles/{SEED_SLUG}/history/1", data={"csrf_token": editor.csrf})
    assert unversioned.status_code == 409


async def test_a_version_that_breaks_a_newer_rule_is_shown_not_restored(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    await _save_seed(client, editor)
    # Version 1 as an older reader could have kept it: a title of invisible characters, refused since.
    async with app.state["db"].transaction(touches=(SEED_SLUG,)) as tx:
        await tx.execute("UPDATE article_revisions SET title = ? WHERE slug = ? AND version = 1", ("\u200b", SEED_SLUG))
    refused = await client.post(
        f"/editor/articles/{SEED_SLUG}/history/1", data={"csrf_token": editor.csrf, "version": "2"}
    )
    assert refused.status_code == 422 and 'id="editor-restore-refused"' in refused.text
    assert "không thể khôi phục nguyên trạng" in refused.text and "Tiêu đề:" in refused.text
    assert "Bản mới" in (await client.get(f"/articles/{SEED_SLUG}")).text


def savers(history: str) -> list[str]:
    """The history page's "Saved by" column, row by row (the cell before each title's)."""
    return re.findall(r"<td>([^<]*)</td>\s*<td lang=", history)


async def test_the_history_says_who_saved_each_version(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    token = await app.state["accounts"].create_token("newsroom-sync")
    bearer = {"authorization": f"Bearer {token}"}
    form = {"csrf_token": editor.csrf, "title": "Ai đã lưu", "lang": "vi", "body_format": "markdown",
            "body": "Một."}  # fmt: skip
    assert (await client.post("/editor/new", data=form)).status_code == 303
    changed = {**form, "title": "Ai đã lưu bản hai", "version": "1"}
    assert (await client.post("/editor/articles/ai-da-luu", data=changed)).status_code == 303
    api_body = {"title": "Bản từ API", "lang": "vi", "body_html": "<p>Ba.</p>"}
    put = await client.put("/api/articles/ai-da-luu", json=api_body, headers=bearer)
    assert put.status_code == 200 and "saved_by" not in put.json()  # not in the API (yet)
    moved = await client.post("/api/articles/ai-da-luu/rename", json={"slug": "ai-da-luu-moi"}, headers=bearer)
    assert moved.status_code == 200
    history = await client.get("/editor/articles/ai-da-luu-moi/history")
    assert '<th scope="col">Người lưu</th>' in history.text
    assert savers(history.text) == ["Mã truy cập API newsroom-sync"] * 2 + ["editor"] * 2
    # Each version's page says who saved it, with when.
    for version, by in ((3, "mã truy cập API newsroom-sync"), (1, "editor")):
        page = await client.get(f"/editor/articles/ai-da-luu-moi/history/{version}")
        when = r"Lưu ngày \d\d/\d\d/\d{4} lúc \d\d:\d\d \(giờ UTC\)"
        assert re.search(f'id="editor-revision-saved">{when} bởi {by}\\. Bài viết hiện ở phiên bản 4:', page.text)
    # Restoring an earlier version saves it again, by whoever restored it.
    restored = await client.post(
        "/editor/articles/ai-da-luu-moi/history/1", data={"csrf_token": editor.csrf, "version": "4"}
    )
    assert restored.status_code == 303
    history = await client.get("/editor/articles/ai-da-luu-moi/history", headers={"accept-language": "en"})
    assert '<th scope="col">Saved by</th>' in history.text
    assert savers(history.text) == ["editor"] + ["API token newsroom-sync"] * 2 + ["editor"] * 2


async def test_the_history_names_imports_and_versions_saved_before_reader_recorded_who(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    # The demo article's first version: saved before anyone was recorded (reader wrote it into the database).
    await _save_seed(client, editor)
    history = await client.get(f"/editor/articles/{SEED_SLUG}/history")
    assert savers(history.text) == ["editor", "Không được ghi lại"]
    first = await client.get(f"/editor/articles/{SEED_SLUG}/history/1")
    assert re.search(r"\(giờ UTC\); người lưu không được ghi lại\. Bài viết hiện ở phiên bản 2:", first.text)
    # Versions `reader import` saved.
    store = app.state["store"]
    await store.save_articles([draft("from-files", title="From files")], by=BY_CLI_IMPORT)
    assert await store.update_article(draft("from-files", title="Edited"), version=1, by="mai")
    history = await client.get("/editor/articles/from-files/history")
    assert savers(history.text) == ["mai", "Nhập từ dòng lệnh"]
    imported = await client.get("/editor/articles/from-files/history/1")
    assert re.search(r"\(giờ UTC\) bởi một lần nhập từ dòng lệnh\. ", imported.text)
    english = {"accept-language": "en"}
    history = await client.get("/editor/articles/from-files/history", headers=english)
    assert savers(history.text) == ["mai", "Command-line import"]
    imported = await client.get("/editor/articles/from-files/history/1", headers=english)
    assert re.search(r"\(UTC\) by an import from the command line\. The article is now at version 2:", imported.text)
    history = await client.get(f"/editor/articles/{SEED_SLUG}/history", headers=english)
    assert savers(history.text) == ["editor", "Not recorded"]
    first = await client.get(f"/editor/articles/{SEED_SLUG}/history/1", headers=english)
    assert re.search(r"\(UTC\); who saved it was not recorded\. The article is now at version 2:", first.text)


async def test_an_import_a_rename_and_a_restore_from_the_editor_are_the_editors(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    good = ("good.md", b"---\nlang: en\n---\n# Imported here\n\nBody.\n", "text/markdown")
    assert (
        await client.post("/editor/import", data={"csrf_token": editor.csrf}, files={"files": good})
    ).status_code == 200
    fields = {"csrf_token": editor.csrf, "title": "Imported here", "lang": "en", "body_format": "markdown",
              "body": "Body.", "slug": "imported-there", "version": "1"}  # fmt: skip
    assert (await client.post("/editor/articles/imported-here", data=fields)).status_code == 303
    history = await client.get("/editor/articles/imported-there/history")
    assert savers(history.text) == ["editor", "editor"]
    # A deleted article restored: its new version is the editor's, the demo version before it not recorded.
    assert (await _delete(client, editor, EN_SLUG)).status_code == 303
    assert (
        await client.post(f"/editor/deleted/{EN_SLUG}", data={"csrf_token": editor.csrf, "version": "1"})
    ).status_code == 303
    history = await client.get(f"/editor/articles/{EN_SLUG}/history")
    assert savers(history.text) == ["editor", "Không được ghi lại"]


async def test_deleted_articles_need_a_session(client: httpx.AsyncClient, auth: AuthActions) -> None:
    signed = await auth.sign_in()
    assert (await _delete(client, signed, EN_SLUG)).status_code == 303
    paths = ("/editor/deleted", f"/editor/deleted/{EN_SLUG}")
    assert [(await client.get(path)).status_code for path in paths] == [200, 200]
    await auth.sign_out(signed)
    for path in paths:
        response = await client.get(path)
        # The client still sends the ended session's cookie: the sign-in form says the session ended.
        assert response.status_code == 303 and response.headers["location"] == f"/editor/login?next={path}&ended=1"
    response = await client.post(f"/editor/deleted/{EN_SLUG}", data={"csrf_token": signed.csrf, "version": "1"})
    assert response.status_code == 303 and response.headers["location"].startswith("/editor/login")
    assert (await client.get(f"/articles/{EN_SLUG}")).status_code == 404  # nothing restored


async def _delete(client: httpx.AsyncClient, editor: SignedIn, slug: str) -> httpx.Response:
    """Delete an article as an editor does: the question, then the answer about the version it showed."""
    confirm = await client.get(f"/editor/articles/{slug}/delete")
    return await client.post(
        f"/editor/articles/{slug}/delete", data={"csrf_token": editor.csrf, "version": form_version(confirm.text)}
    )


async def test_a_deleted_article_is_listed_shown_and_restored(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = {"csrf_token": editor.csrf, "title": "Lịch xe buýt mùa đông", "lang": "vi", "body_format": "markdown",
            "body": "Tuyến **số 9** chạy lại."}  # fmt: skip
    assert (await client.post("/editor/new", data=form)).status_code == 303
    slug = "lich-xe-buyt-mua-dong"
    changed = {**form, "title": "Lịch xe buýt", "version": "1"}
    assert (await client.post(f"/editor/articles/{slug}", data=changed)).status_code == 303
    confirm = await client.get(f"/editor/articles/{slug}/delete")
    assert "vẫn nằm trong các bài viết đã xóa" in confirm.text  # no longer "cannot be undone"
    deleted = await _delete(client, editor, slug)
    listing = await client.get(deleted.headers["location"])
    assert f'href="/editor/deleted/{slug}" id="editor-undo-delete">Khôi phục bài viết</a>' in listing.text
    assert 'href="/editor/deleted" id="editor-deleted-link">Bài viết đã xóa</a>' in listing.text
    trash = await client.get("/editor/deleted")
    assert trash.status_code == 200 and "<h1" in trash.text and "Bài viết đã xóa" in trash.text
    assert f'<a href="/editor/deleted/{slug}">Lịch xe buýt</a></th>' in trash.text
    assert f"<td>{slug}</td>" in trash.text and "<td>editor</td>" in trash.text  # by whom
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">\d\d/\d\d/\d{4} \d\d:\d\d</time>', trash.text
    )
    shown = await client.get(f"/editor/deleted/{slug}")
    assert shown.status_code == 200 and "<strong>số 9</strong>" in unmark(shown.text)  # as readers saw it
    assert "bởi editor" in shown.text and "thành phiên bản 3" in shown.text and form_version(shown.text) == "2"
    restored = await client.post(f"/editor/deleted/{slug}", data={"csrf_token": editor.csrf, "version": "2"})
    location = done_address(app, editor, f"/editor/articles/{slug}", "undeleted", 3)
    assert restored.status_code == 303 and restored.headers["location"] == location
    edit = await client.get(restored.headers["location"])
    said = '<p id="editor-undeleted-title">Đã khôi phục “Lịch xe buýt” từ các bài viết đã xóa thành'
    assert said + " phiên bản 3" in edit.text
    _focused_group(edit.text, "editor-undeleted")
    assert form_version(edit.text) == "3" and "Tuyến **số 9** chạy lại." in edit.text  # the Markdown came back
    assert 'id="editor-undeleted"' not in (await client.get(f"/editor/articles/{slug}")).text
    # Saved since: the notice is out of date, and a reload of it no longer shows it.
    saved = {**changed, "summary": "Chạy lại từ thứ Hai.", "version": "3"}
    assert (await client.post(f"/editor/articles/{slug}", data=saved)).status_code == 303
    assert 'id="editor-undeleted"' not in (await client.get(location)).text
    assert "Lịch xe buýt" in (await client.get(f"/articles/{slug}")).text
    history = await client.get(f"/editor/articles/{slug}/history")
    assert f'href="/editor/articles/{slug}/history/2"' in history.text  # the deleted version: kept
    assert 'id="editor-deleted-empty"' in (await client.get("/editor/deleted")).text


async def test_a_delete_through_the_api_names_its_token(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    token = await app.state["accounts"].create_token("newsroom-sync")
    bearer = {"authorization": f"Bearer {token}"}
    assert (await client.delete(f"/api/articles/{EN_SLUG}", headers=bearer)).status_code == 204
    read = await client.get(f"/api/articles/{SEED_SLUG}")
    conditional = {"if-match": read.headers["etag"], **bearer}  # the other way a delete goes: only the version read
    assert (await client.delete(f"/api/articles/{SEED_SLUG}", headers=conditional)).status_code == 204
    trash = (await client.get("/editor/deleted", headers={"accept-language": "en"})).text
    assert trash.count("<td>API token newsroom-sync</td>") == 2
    shown = await client.get(f"/editor/deleted/{SEED_SLUG}")
    assert re.search(r"lúc \d\d:\d\d \(giờ UTC\) bởi mã truy cập API newsroom-sync\.</p>", shown.text), shown.text


async def test_a_deleted_article_says_who_saved_its_last_version(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    store = app.state["store"]
    await store.save_articles([draft("from-files", title="From files")], by=BY_CLI_IMPORT)
    assert await store.create_article(draft("by-token", title="By token"), by=BY_TOKEN + "newsroom-sync")
    assert await store.update_article(draft("by-token", title="By mai"), version=1, by="mai")
    for slug in ("from-files", "by-token", EN_SLUG):  # EN_SLUG: a demo article, saved before anyone was recorded
        assert (await _delete(client, editor, slug)).status_code == 303
    when = r"được lưu ngày \d\d/\d\d/\d{4} lúc \d\d:\d\d \(giờ UTC\)"
    for slug, version, by in (("from-files", 1, " bởi một lần nhập từ dòng lệnh."), ("by-token", 2, " bởi mai.")):
        shown = await client.get(f"/editor/deleted/{slug}")
        said = f'id="editor-deleted-saved">Địa chỉ: {slug}\\. Phiên bản cuối cùng, phiên bản {version}, '
        said += f"{when}{re.escape(by)}<"
        assert re.search(said, shown.text), shown.text
    shown = await client.get(f"/editor/deleted/{EN_SLUG}")
    assert re.search(rf"phiên bản 1, {when}; người lưu không được ghi lại\.</p>", shown.text)
    english = {"accept-language": "en"}
    shown = await client.get("/editor/deleted/from-files", headers=english)
    assert re.search(r"\(UTC\) by an import from the command line\.</p>", shown.text)
    shown = await client.get(f"/editor/deleted/{EN_SLUG}", headers=english)
    assert re.search(r"version 1, was saved .* \(UTC\); who saved it was not recorded\.</p>", shown.text)
    # An API token, as the history names it in a sentence.
    assert await store.restore_deleted(draft("by-token", title="By mai"), version=2, by=BY_TOKEN + "newsroom-sync")
    assert await store.delete_article("by-token")
    shown = await client.get("/editor/deleted/by-token", headers=english)
    assert re.search(r"version 3, was saved .* \(UTC\) by the API token newsroom-sync\.</p>", shown.text)


async def test_a_deleted_article_names_the_old_addresses_its_restore_gives_back(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    store = app.state["store"]
    assert await store.create_article(draft("first-typo", title="Moved twice"))
    assert await store.rename_article("first-typo", "second-typo", version=1)
    assert await store.rename_article("second-typo", "moved-twice", version=2)
    assert (await _delete(client, editor, "moved-twice")).status_code == 303
    english = {"accept-language": "en"}
    shown = await client.get("/editor/deleted/moved-twice", headers=english)
    assert (
        'id="editor-undelete-addresses">Its 2 old addresses (first-typo, second-typo) answer “Page not found” while'
        " it is deleted; restoring it makes them lead to it again.</p>"
    ) in shown.text
    # One taken meanwhile is not named (nor given back).
    assert await store.create_article(draft("first-typo", title="Another"))
    shown = await client.get("/editor/deleted/moved-twice")
    shown_vi = 'id="editor-undelete-addresses">Có 1 địa chỉ cũ của bài viết (second-typo) hiện “Không tìm thấy trang”'
    assert shown_vi in shown.text
    restored = await client.post("/editor/deleted/moved-twice", data={"csrf_token": editor.csrf, "version": "3"})
    edit = await client.get(restored.headers["location"])
    said = "bài viết đã trở lại trang. Có 1 địa chỉ cũ của bài viết (second-typo) nay lại dẫn đến bài viết.</p>"
    assert said in edit.text
    # Nothing to give back: nothing said.
    assert (await _delete(client, editor, EN_SLUG)).status_code == 303
    assert 'id="editor-undelete-addresses"' not in (await client.get(f"/editor/deleted/{EN_SLUG}")).text


async def test_a_deleted_article_is_not_restored_over_one_created_at_its_address_since(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    assert (await _delete(client, editor, EN_SLUG)).status_code == 303
    shown = await client.get(f"/editor/deleted/{EN_SLUG}")
    version = form_version(shown.text)
    again = {"csrf_token": editor.csrf, "title": "Written anew", "slug": EN_SLUG, "lang": "en",
             "body_format": "html", "body": "<p>Anew.</p>"}  # fmt: skip
    assert (await client.post("/editor/new", data=again)).status_code == 303
    refused = await client.post(f"/editor/deleted/{EN_SLUG}", data={"csrf_token": editor.csrf, "version": version})
    assert refused.status_code == 409 and 'id="editor-undelete-taken"' in refused.text
    # Offered where it can be restored instead: the version in the history of the article now there.
    assert f'href="/editor/articles/{EN_SLUG}/history/{version}" id="editor-undelete-history"' in refused.text
    assert 'id="editor-undelete"' not in refused.text  # no restore button
    assert "Anew." in (await client.get(f"/articles/{EN_SLUG}")).text
    assert (await client.get(f"/editor/articles/{EN_SLUG}/history/{version}")).status_code == 200
    # The page opened from an old link says so too (200: nothing was asked).
    stale = await client.get(f"/editor/deleted/{EN_SLUG}")
    assert stale.status_code == 200 and 'id="editor-undelete-taken"' in stale.text
    assert f"/editor/deleted/{EN_SLUG}" not in (await client.get("/editor/deleted")).text
    # Deleted again: the page shown before is about a version that is no longer the last deleted one.
    assert (await _delete(client, editor, EN_SLUG)).status_code == 303
    moved = await client.post(f"/editor/deleted/{EN_SLUG}", data={"csrf_token": editor.csrf, "version": version})
    assert moved.status_code == 409 and "rồi lại bị xóa" in moved.text
    assert form_version(moved.text) == str(int(version) + 1) and "Anew." in moved.text  # asked again about it
    unversioned = await client.post(f"/editor/deleted/{EN_SLUG}", data={"csrf_token": editor.csrf})
    assert unversioned.status_code == 409
    assert (await client.get(f"/articles/{EN_SLUG}")).status_code == 404


async def _restore_refused(app: ServedApp, client: httpx.AsyncClient, editor: SignedIn) -> httpx.Response:
    """The seed article deleted, its last version made what an older reader could have kept (a title of
    invisible characters, refused since), and a restore of it asked for: refused, 422."""
    assert (await _delete(client, editor, SEED_SLUG)).status_code == 303
    async with app.state["db"].transaction(touches=(SEED_SLUG,)) as tx:
        await tx.execute("UPDATE article_revisions SET title = ? WHERE slug = ?", ("\u200b", SEED_SLUG))
    refused = await client.post(f"/editor/deleted/{SEED_SLUG}", data={"csrf_token": editor.csrf, "version": "1"})
    assert refused.status_code == 422
    return refused


async def test_a_deleted_version_that_breaks_a_newer_rule_is_shown_not_restored(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    refused = await _restore_refused(app, client, editor)
    assert 'id="editor-restore-refused"' in refused.text
    assert "vào một bài viết mới" in refused.text and "Tiêu đề:" in refused.text
    assert (await client.get(f"/articles/{SEED_SLUG}")).status_code == 404


async def test_unknown_deleted_articles_are_not_found(client: httpx.AsyncClient, editor: SignedIn) -> None:
    assert (await _delete(client, editor, EN_SLUG)).status_code == 303
    assert (await client.get(f"/editor/deleted/{EN_SLUG}")).status_code == 200
    # Never deleted (a live article, or no article at all): nothing to show or restore.
    for slug in (SEED_SLUG, "no-such-article"):
        assert (await client.get(f"/editor/deleted/{slug}")).status_code == 404
        posted = await client.post(f"/editor/deleted/{slug}", data={"csrf_token": editor.csrf, "version": "1"})
        assert posted.status_code == 404
    forged = await client.post(f"/editor/deleted/{SEED_SLUG}", data={"csrf_token": "forged", "version": "1"})
    assert forged.status_code == 403


async def test_a_long_search_in_the_list_says_which_words_were_looked_for(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    cut = await client.get("/editor/", params={"q": "bac kan nang cao chat luong doi ngu can xyz"})
    assert f'href="/editor/articles/{SEED_SLUG}"' in cut.text and "Chỉ tìm theo 8 từ đầu tiên." in cut.text
    assert "Chỉ tìm theo" not in (await client.get("/editor/", params={"q": "bac kan"})).text


async def test_a_nul_in_a_search_or_an_address_is_no_server_error(client: httpx.AsyncClient, editor: SignedIn) -> None:
    # PostgreSQL refuses a NUL in any text it is sent (a 500), where SQLite took it: a search finds what it
    # finds without the NUL, and an address with one names no article, on both (test_views_on_postgresql).
    alone = await client.get("/editor/?q=%00")
    assert alone.status_code == 200 and "editor-search-result" not in alone.text
    assert f'href="/editor/articles/{EN_SLUG}"' in alone.text  # an empty search: every article
    inside = await client.get("/editor/?q=b%00%E1%BA%AFc")  # "b\0ắc": "bắc"
    assert inside.status_code == 200 and f'href="/editor/articles/{SEED_SLUG}"' in inside.text
    assert "\x00" not in inside.text and "&#0;" not in inside.text
    form = {"csrf_token": editor.csrf, "version": "1"}
    # The edit form's save with another address in it is a rename of the article at the path's address.
    edit = {**form, "title": "T", "slug": "t", "lang": "en", "body": "<p>x</p>", "body_format": "html"}
    for path, posted in [
        ("/editor/deleted/x%00", form), (f"/editor/articles/{SEED_SLUG}%00", edit),
        ("/editor/articles/x%00/history", None), ("/editor/articles/x%00/history/1", form),
        ("/editor/articles/x%00/delete", form), ("/editor/articles/x%00/check", None), ("/editor/preview/x%00", None),
    ]:  # fmt: skip
        assert (await client.get(path)).status_code == 404, path
        if posted is not None:
            assert (await client.post(path, data=posted)).status_code == 404, path


async def test_the_deleted_articles_come_a_page_at_a_time_in_english(settings: Settings) -> None:
    async with served(create_app(settings.replace(page_size=1))) as app, client_for(app) as client:
        editor = await AuthActions(app, client).sign_in()
        for slug in (SEED_SLUG, EN_SLUG):
            assert (await _delete(client, editor, slug)).status_code == 303
        english = {"accept-language": "en"}
        first = await client.get("/editor/deleted", headers=english)
        assert f'href="/editor/deleted/{EN_SLUG}"' in first.text  # deleted last: first
        assert 'href="/editor/deleted?page=2" rel="next">Deleted earlier</a>' in first.text
        second = await client.get("/editor/deleted?page=2", headers=english)
        assert f'href="/editor/deleted/{SEED_SLUG}"' in second.text and f"/editor/deleted/{EN_SLUG}" not in second.text
        assert 'href="/editor/deleted" rel="prev">Deleted more recently</a>' in second.text
        shown = await client.get(f"/editor/deleted/{EN_SLUG}", headers=english)
        assert "Restore the article</button>" in shown.text and "by editor." in shown.text


# ---------------------------------------------------------------- renames


async def test_an_edit_can_change_the_address_and_the_old_one_keeps_working(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    form = {"csrf_token": editor.csrf, "title": "Giờ mở của", "lang": "vi", "body_format": "markdown",
            "body": "Thư viện mở cửa."}  # fmt: skip
    assert (await client.post("/editor/new", data=form)).status_code == 303
    opened = await client.get("/editor/articles/gio-mo-cua")
    # The address is a field of the edit form too, with what changing it does.
    assert 'id="editor-slug" name="slug" type="text" value="gio-mo-cua"' in opened.text
    assert "vẫn hoạt động và dẫn đến địa chỉ mới" in opened.text
    fixed = {**form, "title": "Giờ mở cửa", "slug": "gio-mo-cua-thu-vien", "version": form_version(opened.text)}
    saved = await client.post("/editor/articles/gio-mo-cua", data=fixed)
    moved = "gio-mo-cua-thu-vien"
    assert saved.status_code == 303
    assert saved.headers["location"] == done_address(app, editor, f"/editor/articles/{moved}", f"saved:{moved}", 2)
    old = await client.get("/articles/gio-mo-cua?panel=open")
    assert old.status_code == 301 and old.headers["location"] == "/articles/gio-mo-cua-thu-vien?panel=open"
    moved = await client.get("/editor/articles/gio-mo-cua-thu-vien")
    # The title and the address changed in one version, and the one before is in the history.
    assert "Giờ mở cửa" in moved.text and form_version(moved.text) == "2"
    history = await client.get("/editor/articles/gio-mo-cua-thu-vien/history")
    assert "/editor/articles/gio-mo-cua-thu-vien/history/1" in history.text

    # The form opened before the rename, saved again: refused (409), nothing written, and it goes on at the
    # new address with this editor's text.
    stale = await client.post("/editor/articles/gio-mo-cua", data={**fixed, "summary": "Lead.", "slug": "gio-mo-cua"})
    assert stale.status_code == 409 and "Người khác đã lưu bài viết này" in stale.text
    assert 'action="/editor/articles/gio-mo-cua-thu-vien"' in stale.text and ">Lead.</textarea>" in stale.text
    assert 'value="gio-mo-cua-thu-vien"' in stale.text and form_version(stale.text) == "2"
    # A rename from a version that is no longer current is refused the same way.
    renamed_stale = await client.post(
        "/editor/articles/gio-mo-cua-thu-vien", data={**fixed, "slug": "x", "version": "1"}
    )
    assert renamed_stale.status_code == 409 and (await client.get("/articles/x")).status_code == 404


async def test_a_rename_to_a_taken_or_invalid_address_keeps_the_form(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    opened = await client.get(f"/editor/articles/{EN_SLUG}")
    fields = {
        "csrf_token": editor.csrf, "title": "Long articles", "lang": "en", "body_format": "html",
        "body": "<p>Text.</p>", "version": form_version(opened.text),
    }  # fmt: skip
    taken = await client.post(f"/editor/articles/{EN_SLUG}", data={**fields, "slug": SEED_SLUG})
    assert taken.status_code == 409 and "đã được dùng cho một bài viết khác" in taken.text
    assert f'value="{SEED_SLUG}"' in taken.text and 'aria-invalid="true"' in taken.text
    invalid = await client.post(f"/editor/articles/{EN_SLUG}", data={**fields, "slug": "Không hợp lệ"})
    assert invalid.status_code == 422 and 'id="editor-slug-error"' in invalid.text
    # A deleted article's address keeps its history: not taken over by a rename.
    assert (await client.post("/editor/new", data={**fields, "slug": "gone"})).status_code == 303
    assert (
        await client.post("/editor/articles/gone/delete", data={"csrf_token": editor.csrf, "version": "1"})
    ).status_code == 303
    kept = await client.post(
        f"/editor/articles/{EN_SLUG}", data={**fields, "slug": "gone"}, headers={"accept-language": "en"}
    )
    assert kept.status_code == 409 and "was the address of a deleted article" in kept.text
    article = await client.get(f"/articles/{EN_SLUG}")
    assert article.status_code == 200 and form_version((await client.get(f"/editor/articles/{EN_SLUG}")).text) == "1"


# ---------------------------------------------------------------- drafts


def save_buttons(html: str) -> list[str]:
    """The `action` of the form's submit buttons, in order: the first is what Enter in a field presses."""
    return re.findall(r'<button type="submit" class="reader-button" name="action" value="(\w+)"', html)


async def test_a_save_stays_on_the_articles_form_at_the_new_version(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """As in WordPress or Ghost: after Save the editor goes on editing, told what was saved, by its title."""
    fields = {**DRAFT_FORM, "csrf_token": editor.csrf, "title": "Lịch mở cửa", "slug": "lich-mo-cua"}
    created = await client.post("/editor/new", data={**fields, "action": "draft"})
    opened = await client.get(created.headers["location"])
    # A group named by the sentence (it was a focused status: both a live region and the focus).
    _focused_group(opened.text, "editor-done", title="span")
    said = '<span id="editor-done-title">Đã lưu “<span lang="vi">Lịch mở cửa</span>” dưới dạng bản nháp'
    assert said in opened.text and "aria-describedby" not in _answer(opened.text, "editor-done")
    assert form_version(opened.text) == "1" and "Chưa xong." in opened.text
    saved = await client.post(
        "/editor/articles/lich-mo-cua", data={**fields, "body": "Đã xong.", "version": "1", "action": "draft"}
    )
    assert saved.status_code == 303
    again = await client.get(saved.headers["location"])
    # The form at the version just saved: the next save goes through, no conflict.
    assert form_version(again.text) == "2" and "Đã xong." in again.text and 'id="editor-done"' in again.text
    # A reload after a later save, or a notice for another article, says nothing out of date.
    assert 'id="editor-done"' not in (await client.get(created.headers["location"])).text
    other = done_address(app, editor, "/editor/articles/lich-mo-cua", "saved:something-else", 2)
    assert 'id="editor-done"' not in (await client.get(other)).text
    # The list no longer takes a save's notice from its address.
    listed = await client.get(done_address(app, editor, "/editor/", "saved:lich-mo-cua"))
    assert 'id="editor-done"' not in listed.text


async def test_a_done_notice_a_link_wrote_says_nothing(client: httpx.AsyncClient, editor: SignedIn) -> None:
    """?done= takes the focus and, after a save, makes js/editor-draft.js drop the changes the form kept in
    the browser: a link anyone can write (e-mailed to a signed-in editor) named a save that never happened,
    at the article's current version, and the page said so. Only the editor's own redirect says it now."""
    fields = {**DRAFT_FORM, "csrf_token": editor.csrf, "title": "Lịch mở cửa", "slug": "lich-mo-cua"}
    created = await client.post("/editor/new", data={**fields, "action": "draft"})
    real = await client.get(created.headers["location"])
    assert 'id="editor-done"' in real.text
    mac = re.search(r"[?&]mac=([^&]+)", created.headers["location"])
    assert mac is not None  # (else the third address below would be the first again)
    written = [
        "/editor/articles/lich-mo-cua?done=published:lich-mo-cua&version=1",  # no mac
        "/editor/articles/lich-mo-cua?done=saved:lich-mo-cua&version=1&mac=AAAAAAAAAAAAAAAA",  # a wrong one
        # The real mac of the draft's save, on another outcome: it signs what it names.
        f"/editor/articles/lich-mo-cua?done=published:lich-mo-cua&version=1&mac={mac[1]}",
    ]
    for address in written:
        page = await client.get(address)
        assert page.status_code == 200 and 'id="editor-done"' not in page.text, address
        # Nothing the script takes for a save's answer: the changes kept in the browser stay.
        assert "data-saved-version" not in page.text, address
    assert 'data-saved-version="1"' in real.text  # (what the script goes by: the server's word)
    # After a delete and a restore from the deleted articles, the same.
    deleted = await _delete(client, editor, "lich-mo-cua")
    assert 'id="editor-done"' in (await client.get(deleted.headers["location"])).text
    assert 'id="editor-done"' not in (await client.get("/editor/?done=deleted:lich-mo-cua")).text
    restored = await client.post("/editor/deleted/lich-mo-cua", data={"csrf_token": editor.csrf, "version": "1"})
    assert 'id="editor-undeleted"' in (await client.get(restored.headers["location"])).text
    forged = await client.get("/editor/articles/lich-mo-cua?done=undeleted&version=2")
    assert forged.status_code == 200 and 'id="editor-undeleted"' not in forged.text


async def test_a_done_notice_signed_for_another_editors_session_says_nothing(
    client: httpx.AsyncClient, auth: AuthActions, editor: SignedIn
) -> None:
    """The mac is the session's: an address from one editor's redirect (in a shared link, a history, a log)
    says nothing to another editor, nor to the same editor signed in again."""
    fields = {**DRAFT_FORM, "csrf_token": editor.csrf, "title": "Lịch mở cửa", "slug": "lich-mo-cua"}
    saved = (await client.post("/editor/new", data={**fields, "action": "draft"})).headers["location"]
    deleted = (await _delete(client, editor, SEED_SLUG)).headers["location"]
    assert 'id="editor-done"' in (await client.get(saved)).text
    assert 'id="editor-done"' in (await client.get(deleted)).text
    for name in ("editor2", editor.name):
        await auth.sign_in(name)
        for address in (saved, deleted):
            page = await client.get(address)
            assert page.status_code == 200 and 'id="editor-done"' not in page.text, (name, address)
            assert "data-saved-version" not in page.text, (name, address)


def state_cell(listing: str, slug: str) -> str:
    """The list's State cell of the article at `slug`."""
    match = re.search(rf'href="/editor/articles/{slug}">[^<]*</a></th>\s*<td>([^<]*)</td>', listing)
    assert match is not None, f"{slug} is not listed"
    return match.group(1)


SLUG = "bai-con-nhap"
DRAFT_FORM = {"title": "Bài còn nháp", "lang": "vi", "body_format": "markdown", "body": "Chưa xong."}


async def test_a_new_article_saved_as_a_draft_is_the_editors_only(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    saved = await client.post("/editor/new", data={**DRAFT_FORM, "csrf_token": editor.csrf, "action": "draft"})
    assert saved.status_code == 303
    assert saved.headers["location"] == done_address(app, editor, f"/editor/articles/{SLUG}", f"draft:{SLUG}", 1)
    missing = await client.get("/articles/no-such-article")
    public = await client.get("/articles/bai-con-nhap")
    assert public.status_code == 404 and public.text == missing.text
    saved_notice = 'Đã lưu “<span lang="vi">Bài còn nháp</span>” dưới dạng bản nháp: bài viết không có trên trang.'
    assert saved_notice in (await client.get(saved.headers["location"])).text
    listing = await client.get("/editor/")
    assert state_cell(listing.text, "bai-con-nhap") == "Bản nháp" and state_cell(listing.text, SEED_SLUG) == "Đã đăng"
    # Its "view" is the preview, in the editor's pages: its public page is a 404.
    assert 'href="/editor/articles/bai-con-nhap/preview">Xem trước<' in listing.text
    assert 'href="/articles/bai-con-nhap"' not in listing.text
    form = await client.get("/editor/articles/bai-con-nhap")
    assert form.status_code == 200 and "Trạng thái: bản nháp." in form.text
    assert save_buttons(form.text) == ["draft", "publish", "preview"]
    assert '<input type="hidden" name="state" value="draft">' in form.text
    check = await client.get("/editor/articles/bai-con-nhap/check")
    assert check.status_code == 200 and 'id="editor-check-draft"' in check.text
    frame = await client.get("/editor/preview/bai-con-nhap", params={"settings": "1|s:200"})
    assert frame.status_code == 200 and "Chưa xong." in frame.text
    history = await client.get("/editor/articles/bai-con-nhap/history")
    assert history.status_code == 200 and 'href="/editor/articles/bai-con-nhap/preview"' in history.text


async def test_publishing_and_unpublishing_from_the_form_are_in_the_history(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    fields = {**DRAFT_FORM, "csrf_token": editor.csrf}
    assert (await client.post("/editor/new", data={**fields, "action": "draft"})).status_code == 303
    published = await client.post(
        "/editor/articles/bai-con-nhap", data={**fields, "version": "1", "state": "draft", "action": "publish"}
    )
    path = f"/editor/articles/{SLUG}"
    assert published.headers["location"] == done_address(app, editor, path, f"published:{SLUG}", 2)
    opened = await client.get(published.headers["location"])
    assert 'Đã đăng “<span lang="vi">Bài còn nháp</span>”: bài viết đã có trên trang.' in opened.text
    listing = await client.get("/editor/")
    assert state_cell(listing.text, "bai-con-nhap") == "Đã đăng"
    assert "Chưa xong." in (await client.get("/articles/bai-con-nhap")).text
    form = await client.get("/editor/articles/bai-con-nhap")
    assert "Trạng thái: đã đăng." in form.text and save_buttons(form.text) == ["save", "draft", "preview"]
    assert ">Gỡ bài</button>" in form.text
    unpublished = await client.post(
        "/editor/articles/bai-con-nhap", data={**fields, "version": "2", "state": "published", "action": "draft"}
    )
    assert unpublished.headers["location"] == done_address(app, editor, path, f"unpublished:{SLUG}", 3)
    assert 'Đã gỡ “<span lang="vi">Bài còn nháp</span>”' in (await client.get(unpublished.headers["location"])).text
    assert (await client.get("/articles/bai-con-nhap")).status_code == 404
    history = await client.get("/editor/articles/bai-con-nhap/history")
    states = re.findall(r"Phiên bản \d[^<]*</a></th>\s*<td>([^<]*)</td>", history.text)
    assert states == ["Bản nháp", "Đã đăng", "Bản nháp"]
    assert savers(history.text) == ["editor", "editor", "editor"]
    # Saved as it is (the form's first button), a draft stays one and a published article stays published.
    again = await client.post("/editor/articles/bai-con-nhap", data={**fields, "version": "3", "action": "save"})
    # Nothing changed: no new version.
    assert again.headers["location"] == done_address(app, editor, path, f"saved:{SLUG}", 3)
    assert (await client.get("/articles/bai-con-nhap")).status_code == 404


async def test_enter_in_a_field_never_publishes_or_unpublishes(client: httpx.AsyncClient, editor: SignedIn) -> None:
    """Enter in a field presses the form's first button: it keeps the article's state (a new one: a draft)."""
    assert save_buttons((await client.get("/editor/new")).text) == ["draft", "publish", "preview"]
    assert save_buttons((await client.get(f"/editor/articles/{SEED_SLUG}")).text) == ["save", "draft", "preview"]
    # And the form comes back with the same buttons after a preview or a refused save.
    previewed = await client.post(
        f"/editor/articles/{SEED_SLUG}",
        data={**DRAFT_FORM, "csrf_token": editor.csrf, "version": "1", "state": "published", "action": "preview"},
    )
    assert save_buttons(previewed.text) == ["save", "draft", "preview"]
    refused = await client.post(
        "/editor/new", data={**DRAFT_FORM, "title": "", "csrf_token": editor.csrf, "action": "publish"}
    )
    assert refused.status_code == 422 and save_buttons(refused.text) == ["draft", "publish", "preview"]
    assert (await client.get("/api/articles", params={"per_page": 100})).json()["total"] == 3  # nothing written


async def test_a_restore_brings_back_text_not_state(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """An earlier version restored keeps the article's state now; a deleted draft comes back a draft."""
    store = app.state["store"]
    await store.save_articles([draft("nhap", title="One", status="published")], by="mai")
    assert await store.update_article(draft("nhap", title="Two", status="draft"), version=1, by="mai")
    version_one = await client.get("/editor/articles/nhap/history/1")
    assert "Khôi phục chỉ đưa nội dung trở lại, không đổi trạng thái: bài viết vẫn là bản nháp." in version_one.text
    restored = await client.post("/editor/articles/nhap/history/1", data={"csrf_token": editor.csrf, "version": "2"})
    assert restored.status_code == 303
    now = await store.get_article("nhap", drafts=True)
    assert now is not None and (now.title, now.status, now.version) == ("One", "draft", 3)
    assert await store.delete_article("nhap", version=3, by="mai")
    shown = await client.get("/editor/deleted/nhap")
    assert 'id="editor-undelete-draft"' in shown.text
    undeleted = await client.post("/editor/deleted/nhap", data={"csrf_token": editor.csrf, "version": "3"})
    assert undeleted.status_code == 303
    back = await store.get_article("nhap", drafts=True)
    assert back is not None and back.status == "draft" and await store.get_article("nhap") is None
    form = await client.get(undeleted.headers["location"])
    assert "Bài viết vẫn là bản nháp như khi bị xóa: nó không có trên trang." in form.text


async def test_an_imported_draft_says_so(client: httpx.AsyncClient, editor: SignedIn) -> None:
    upload = ("held.md", b"---\nlang: en\ndraft: true\n---\n# Held back\n\nBody.\n", "text/markdown")
    imported = await client.post("/editor/import", data={"csrf_token": editor.csrf}, files={"files": upload})
    assert imported.status_code == 200 and "Held back</a> (bản nháp: không có trên trang)" in imported.text
    assert (await client.get("/articles/held-back")).status_code == 404
    assert state_cell((await client.get("/editor/")).text, "held-back") == "Bản nháp"


async def test_an_import_makes_new_articles_drafts_unless_told_to_publish(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    page = await client.get("/editor/import")
    assert '<input type="radio" name="state" value="draft" checked>' in page.text
    assert '<input type="radio" name="state" value="published">' in page.text
    first = ("first.md", b"---\nlang: en\n---\n# First held\n\nBody.\n", "text/markdown")
    imported = await client.post("/editor/import", data={"csrf_token": editor.csrf}, files={"files": first})
    assert imported.status_code == 200 and "First held</a> (bản nháp: không có trên trang)" in imported.text
    assert (await client.get("/articles/first-held")).status_code == 404
    # Told to publish: published at once; and the page keeps the choice.
    second = ("second.md", b"---\nlang: en\n---\n# Second out\n\nBody.\n", "text/markdown")
    data = {"csrf_token": editor.csrf, "state": "published"}
    published = await client.post("/editor/import", data=data, files={"files": second})
    assert published.status_code == 200 and "Second out</a>" in published.text
    assert "Second out</a> (" not in published.text
    assert '<input type="radio" name="state" value="published" checked>' in published.text
    assert (await client.get("/articles/second-out")).status_code == 200
    # Imported again as drafts: a published article stays on the site (an import never hides one).
    again = ("second.md", b"---\nlang: en\n---\n# Second out\n\nChanged.\n", "text/markdown")
    await client.post("/editor/import", data={"csrf_token": editor.csrf}, files={"files": again})
    assert "Changed." in (await client.get("/articles/second-out")).text


async def test_a_word_page_without_html_lang_imports_and_the_page_offers_a_language(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    store = app.state["store"]
    word = (
        "<html xmlns:o='urn:schemas-microsoft-com:office:office'><head><title>T</title></head>"
        "<body lang=VI><h1><span lang=VI>Hội nghị</span></h1><p>Nội dung.</p></body></html>"
    ).encode()
    files = {"files": ("hoi-nghi.htm", word, "text/html")}
    imported = await client.post("/editor/import", data={"csrf_token": editor.csrf}, files=files)
    assert imported.status_code == 200 and '<a href="/editor/articles/hoi-nghi" lang="vi">Hội nghị</a>' in imported.text
    page = await client.get("/editor/import")
    assert '<option value="vi" lang="vi">Tiếng Việt</option>' in page.text
    assert '<option value="en" lang="en">English</option>' in page.text
    text = {"files": ("ghi-chu.txt", "Ghi chú\n\n- Anh có khỏe không?\n".encode(), "text/plain")}
    refused = await client.post("/editor/import", data={"csrf_token": editor.csrf}, files=text)
    assert refused.status_code == 422
    assert "ghi-chu.txt: lang: cần điền: tệp văn bản không ghi ngôn ngữ của nó;" in refused.text
    chosen = await client.post("/editor/import", data={"csrf_token": editor.csrf, "lang": "vi"}, files=text)
    assert chosen.status_code == 200 and '<a href="/editor/articles/ghi-chu" lang="vi">Ghi chú</a>' in chosen.text
    assert '<option value="vi" lang="vi" selected>' in chosen.text
    stored = await store.get_article("ghi-chu", drafts=True)
    assert stored is not None and stored.body_html == "<p>- Anh có khỏe không?</p>"


async def test_words_list_paragraphs_pasted_as_html_are_saved_as_a_list(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    store = app.state["store"]
    item = (
        '<p class=MsoListParagraphCxSpMiddle style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">'
        "-<span>&nbsp;&nbsp;&nbsp;</span></span>{}</p>"
    )
    body = "<p>Nhiệm vụ:</p>" + item.format("Rà soát;") + item.format("Tinh giản.")
    form = {"csrf_token": editor.csrf, "title": "Dán từ Word", "lang": "vi", "body_format": "html", "body": body}
    assert (await client.post("/editor/new", data=form)).status_code == 303
    stored = await store.get_article("dan-tu-word", drafts=True)
    assert stored is not None and "<ul><li>Rà soát;</li>" in stored.body_html and "-" not in stored.body_html


async def test_the_leads_long_sentences_are_flagged_as_the_leads(client: httpx.AsyncClient, editor: SignedIn) -> None:
    """The lead is read more than any other text (lists, shared links): its long sentences are flagged too,
    said to be in the lead, while the body's counts and scores stay the body's."""
    lead = "Người dân trong xã đã cùng nhau làm đường bê tông dài hơn hai cây số " * 3 + "để trẻ em đến trường."
    form = {
        "csrf_token": editor.csrf, "title": "Sapo dài", "lang": "vi", "summary": lead.strip() + " Xong rồi.",
        "body_format": "markdown", "body": "Đường đã xong. Trẻ em đến trường.",
    }  # fmt: skip
    assert (await client.post("/editor/new", data=form)).status_code == 303
    report = (await client.get("/api/articles/sapo-dai/readability", params={"ui_lang": "vi"})).json()
    assert report["flags"] == [] and report["counts"]["sentences"] == 2
    (flag,) = report["lead_flags"]
    assert flag["kind"] == "long_sentence" and flag["message"].startswith("Trong sapo: Câu dài 53 âm tiết")
    assert flag["start"] == 0 and flag["text"] == lead.strip()
    page = (await client.get("/editor/articles/sapo-dai/check")).text
    item = f'<li><a href="#check-lead-flag-0">{flag["message"]}</a> <q lang="vi">Người dân trong xã'
    assert item in page and "Không có gì cần đánh dấu." not in page
    marked = re.search(r'id="check-lead-flag-0"[^>]*>Câu dài<span[^>]*>: </span></span><mark[^>]*>([^<]*)</mark>', page)
    assert marked is not None and marked.group(1) == lead.strip()
    # Without a lead, nothing of it.
    other = {**form, "title": "Không sapo", "summary": ""}
    assert (await client.post("/editor/new", data=other)).status_code == 303
    assert (await client.get("/api/articles/khong-sapo/readability")).json()["lead_flags"] == []
    assert 'id="check-lead"' not in (await client.get("/editor/articles/khong-sapo/check")).text


def _marked_blocks_by_asking_every_flag(article: Article, flags: list[FlagJSON]) -> list[dict[str, Any]]:
    """The check page's marked blocks as first written: every flag asked about every block and every piece
    (quadratic: 3.5 s for a 1.46 MB article), kept here as the reference the sweep must agree with."""
    document = document_from_html(article.body_html)
    text = document.text
    numbers = [n for n, f in enumerate(flags) if f["kind"] in editor_views.MARKED_KINDS]
    spans = [flags[n] for n in numbers]
    named: set[int] = set()
    blocks: list[dict[str, Any]] = []
    for block in document.blocks:
        if block.kind == CELL:
            if not blocks or blocks[-1]["kind"] != CELL:
                blocks.append({"kind": CELL, "pieces": []})
            continue
        points = {p for f in spans for p in (f["start"], f["end"]) if block.start < p < block.end}
        cuts = sorted({block.start, block.end} | points)
        pieces = []
        for start, end in zip(cuts, cuts[1:], strict=False):
            piece = text[start:end]
            covering = [n for n, f in enumerate(spans) if f["start"] <= start and end <= f["end"]]
            if not piece.strip():
                covering = []
            starts = [n for n in covering if n not in named]
            named.update(starts)
            kinds = sorted({spans[n]["kind"] for n in covering})
            pieces.append({
                "text": piece, "kinds": kinds, "starts": [spans[n]["kind"] for n in starts],
                "flags": [numbers[n] for n in starts],
            })  # fmt: skip
        blocks.append({"kind": block.kind, "level": block.level, "pieces": pieces})
    return blocks


async def test_the_marked_blocks_are_those_of_asking_every_flag() -> None:
    # Flags of every marked kind and one that is not, overlapping, nested, empty, across blocks and table
    # cells, starting together: the sweep over blocks and pieces gives what asking every flag gave.
    body = "".join(
        f"<h2>Phần {i}</h2><p>Câu một của đoạn {i}. Câu hai dài hơn.  Câu ba.</p><ul><li>Mục {i}.</li></ul>"
        f"<table><tr><td>ô {i}</td></tr></table><p>Đoạn sau bảng {i}.</p>"
        for i in range(12)
    )
    article = Article(
        slug="a", lang="vi", title="A", summary="", body_html=SafeHtml(body), body_source=body,
        body_format="html", author="", published="2021-01-01T00:00:00+00:00", source_url=None, version=1,
        updated_at="2021-01-01T00:00:00+00:00",
    )  # fmt: skip
    length = len(document_from_html(body).text)
    kinds = [*editor_views.MARKED_KINDS, "long_word"]
    compared = 0
    for seed in range(300):
        rng = random.Random(seed)
        flags: list[FlagJSON] = []
        for _ in range(rng.randint(0, 40)):
            start = rng.randint(0, length)
            end = min(length, start + rng.choice((0, 1, 7, 30, 120, 900)))
            flags.append(cast(FlagJSON, {"kind": rng.choice(kinds), "start": start, "end": end}))
        expected = _marked_blocks_by_asking_every_flag(article, flags)
        assert editor_views._marked_blocks(article, flags) == expected, seed
        compared += sum(1 for block in expected for piece in block["pieces"] if piece["starts"])
    assert compared > 1000  # the flags did mark pieces, many of them


ENDED_VI = "Phiên làm việc của bạn đã kết thúc"
# Nothing about unsaved changes: only the editor's script keeps them (in this browser's storage), and a Save
# sent without it, or with storage blocked, lost them.
ENDED_EN = "Your session has ended. Sign in again to continue."


async def test_the_sign_in_form_says_when_a_session_ended_under_the_editor(
    client: httpx.AsyncClient, auth: AuthActions
) -> None:
    # A first visit: the ordinary form.
    first = await client.get("/editor/", follow_redirects=True)
    assert first.url.path == "/editor/login" and ENDED_VI not in first.text
    signed = await auth.sign_in()
    # The session ends (its cookie names none any more) while the article form is open; Save sends it.
    client.cookies.set("reader_session", "dead.cookie")
    saved = await client.post(f"/editor/articles/{EN_SLUG}", data={"csrf_token": signed.csrf, "title": "x"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/editor/login?next=/editor/articles/{EN_SLUG}&ended=1"
    page = await client.get(saved.headers["location"])
    notice = re.search(r'<p class="reader-editor-notice" role="status" id="login-ended">([^<]*)</p>', page.text)
    assert notice is not None and notice.group(1).startswith(ENDED_VI)
    english = await client.get(saved.headers["location"], headers={"accept-language": "en"})
    assert ENDED_EN in english.text
    # A wrong password keeps the notice, and where the editor was going.
    back = f"/editor/articles/{EN_SLUG}"
    form = {"csrf_token": csrf_token(english.text), "name": "editor", "password": "wrong", "next": back, "ended": "1"}
    wrong = await client.post("/editor/login", data=form)
    assert wrong.status_code == 401 and ENDED_VI in wrong.text
    assert f'name="next" value="/editor/articles/{EN_SLUG}"' in wrong.text


async def test_the_import_page_lists_what_the_layout_checks_find(client: httpx.AsyncClient, editor: SignedIn) -> None:
    flawed = b'---\ntitle: Flawed\nlang: en\n---\n<img src="/media/a.png">\n\n## One\n\n#### Deep\n\nText.\n'
    files = {"files": ("flawed.md", flawed, "text/markdown")}
    answer = await client.post("/editor/import", data={"csrf_token": editor.csrf}, files=files)
    assert answer.status_code == 200
    found = re.search(r'<ul class="reader-editor-findings">(.*?)</ul>', answer.text, re.DOTALL)
    assert found is not None
    items = re.findall(r"<li>([^<]*)</li>", found.group(1))
    assert items == ["Ảnh không có văn bản thay thế (thiếu thuộc tính alt)", "Nhảy cấp tiêu đề: h4 đứng ngay sau h2"]
    assert 'href="/editor/articles/flawed/check"' in answer.text
    # Each article's link names it (the title in its own language), not one "Check readability and layout" per
    # article that a list of links cannot tell apart (WCAG 2.4.4).
    name = 'Kiểm tra độ dễ đọc và bố cục của “<span lang="en">Flawed</span>”'
    assert f'<a href="/editor/articles/flawed/check">{name}</a>' in answer.text


async def test_each_imported_articles_check_link_names_its_article(client: httpx.AsyncClient, editor: SignedIn) -> None:
    def flawed(title: str) -> bytes:  # an image without alt text: the layout checks find it
        return f"---\ntitle: {title}\nlang: en\n---\n<img src=/a.png>\n\nText.\n".encode()

    titles = {"one": "First <b>flawed</b>", "two": "Second flawed"}
    files = [("files", (f"{name}.md", flawed(title), "text/markdown")) for name, title in titles.items()]
    answer = await client.post(
        "/editor/import", data={"csrf_token": editor.csrf}, files=files, headers={"accept-language": "en"}
    )
    assert answer.status_code == 200
    names = re.findall(r'<a href="/editor/articles/[^"]+/check">(.*?)</a>', answer.text)
    assert names == [
        'Check the readability and layout of “<span lang="en">First &lt;b&gt;flawed&lt;/b&gt;</span>”',
        'Check the readability and layout of “<span lang="en">Second flawed</span>”',
    ]


def _title(html: str) -> str:
    match = re.search(r"<title>([^<]*)</title>", html)
    assert match is not None, "no title"
    return match.group(1)


async def test_a_failed_sign_in_is_focused_and_marks_both_fields(client: httpx.AsyncClient, auth: AuthActions) -> None:
    """The answer to a wrong password is perceived as the article form's errors are: the error takes the focus
    when the page opens (a role=alert already there at load is not reliably read), the title says it, and
    both fields are marked invalid and described by it."""
    await auth.add_account()
    first = await client.get("/editor/login")
    assert "aria-invalid" not in first.text and "login-error" not in first.text
    assert _title(first.text) == "Đăng nhập biên tập · Biên tập · reader"
    wrong = await auth.sign_in_with_password(password="not the password")
    assert wrong.status_code == 401
    assert _title(wrong.text) == "Lỗi: Đăng nhập biên tập · Biên tập · reader"
    error = re.search(r'<p class="reader-editor-error" id="login-error" tabindex="-1" autofocus>([^<]*)<', wrong.text)
    assert error is not None and error.group(1) == "Sai tên hoặc mật khẩu."
    for field in ("login-name", "login-password"):
        tag = re.search(rf'<input id="{field}"[^>]*>', wrong.text)
        assert tag is not None
        assert 'aria-invalid="true"' in tag.group(0) and 'aria-describedby="login-error"' in tag.group(0)
    assert wrong.text.count("autofocus") == 1


async def test_a_refused_saves_title_says_error(client: httpx.AsyncClient, editor: SignedIn) -> None:
    refused = await client.post("/editor/new", data={"csrf_token": editor.csrf, "lang": "vi", "body": "x"})
    assert refused.status_code == 422
    assert _title(refused.text) == "Lỗi: Bài viết mới · Biên tập · reader"
    assert _title((await client.get("/editor/new")).text) == "Bài viết mới · Biên tập · reader"


async def test_an_imports_answer_takes_the_focus_and_the_title_says_it(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    page = await client.get("/editor/import")
    assert _title(page.text) == "Nhập tệp · Biên tập · reader" and "autofocus" not in page.text
    empty = await client.post("/editor/import", data={"csrf_token": editor.csrf})
    assert empty.status_code == 422
    assert _title(empty.text) == "Lỗi: Không có gì được nhập · Nhập tệp · Biên tập · reader"
    group = (
        '<div class="reader-editor-error" id="import-error" role="group" tabindex="-1" autofocus'
        ' aria-labelledby="import-error-title">'
    )
    assert group in empty.text and 'role="alert"' not in empty.text
    assert '<h2 id="import-error-title">Không có gì được nhập.</h2>' in empty.text
    # A link to the field, as the form's summary has; the field says its error first, then its long hint.
    link = '<a href="#import-files" id="import-error-link">Tệp: <code>Hãy chọn ít nhất một tệp.</code></a>'
    assert link in empty.text
    field = re.search(r'<input id="import-files"[^>]*>', empty.text)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="import-files-error import-hint"' in field.group(0)
    beside = 'id="import-files-error"><span class="reader-visually-hidden">Lỗi: </span>Hãy chọn ít nhất một tệp.<'
    assert beside in empty.text
    good = ("good.md", b"---\nlang: en\n---\n# Imported and focused\n\nBody.\n", "text/markdown")
    ok = await client.post("/editor/import", data={"csrf_token": editor.csrf}, files={"files": good})
    assert ok.status_code == 200
    assert _title(ok.text) == "Đã nhập: 1 mới, 0 cập nhật, 0 không đổi · Nhập tệp · Biên tập · reader"
    result = (
        '<div class="reader-editor-notice" id="import-result" role="group" tabindex="-1" autofocus'
        ' aria-labelledby="import-result-title">'
    )
    assert result in ok.text
    assert '<h2 id="import-result-title">Đã nhập: 1 mới, 0 cập nhật, 0 không đổi.</h2>' in ok.text
    assert "aria-invalid" not in ok.text


async def test_a_drafts_preview_is_a_page_of_the_editor(client: httpx.AsyncClient, editor: SignedIn) -> None:
    """The list's and the check page's "Preview" lead to a page with the editor's navigation, a notice that
    the article is a draft and the way back to its form; the check page's frames keep their bare document."""
    saved = await client.post("/editor/new", data={**DRAFT_FORM, "csrf_token": editor.csrf, "action": "draft"})
    assert saved.status_code == 303
    listing = await client.get("/editor/")
    assert f'<a href="/editor/articles/{SLUG}/preview">Xem trước<' in listing.text
    assert f'href="/editor/preview/{SLUG}"' not in listing.text
    check = await client.get(f"/editor/articles/{SLUG}/check")
    assert f'<a class="reader-button" href="/editor/articles/{SLUG}/preview">Xem trước như bạn đọc</a>' in check.text
    history = await client.get(f"/editor/articles/{SLUG}/history")  # its history's too
    assert f'<a class="reader-button" href="/editor/articles/{SLUG}/preview">Xem trước như bạn đọc</a>' in history.text
    page = await client.get(f"/editor/articles/{SLUG}/preview")
    assert page.status_code == 200
    html = page.text
    assert _title(html) == "Xem trước “Bài còn nháp” · Biên tập · reader"
    heading = 'id="editor-heading" tabindex="-1">Xem trước “<span lang="vi">Bài còn nháp</span>”</h1>'
    assert heading in html
    assert 'class="reader-masthead"' in html and 'class="reader-editor-nav"' in html
    assert 'id="editor-preview-state">Xem trước bản nháp: bài viết này chưa có trên trang.' in html
    assert f'<a class="reader-button" href="/editor/articles/{SLUG}" id="editor-preview-edit">Sửa</a>' in html
    # The article under the page's h1, as readers will read it; no toolbar that does nothing.
    assert re.search(r'<h2 class="reader-title" id="reader-title"[^>]*>Bài còn nháp</h2>', html)
    assert "Chưa xong." in html and 'id="reader-toolbar"' not in html and "inert" not in html
    published = await client.get(f"/editor/articles/{SEED_SLUG}/preview")
    assert published.status_code == 200 and "Bài viết này đang có trên trang." in published.text
    frame = await client.get(f"/editor/preview/{SLUG}", params={"settings": "1|s:200"})
    assert frame.status_code == 200 and 'class="reader-editor-nav"' not in frame.text


def _current_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)" aria-current="page">', html)


async def test_the_current_pages_link_says_so(client: httpx.AsyncClient, editor: SignedIn) -> None:
    """aria-current on the navigation's link to the page itself (the masthead's and the editor's), on no other;
    the skip link of an editor page leads to its h1, past the editor's navigation."""
    for path in ("/editor/", "/editor/new", "/editor/import", "/editor/deleted"):
        page = (await client.get(path)).text
        assert _current_links(page) == [path], path
        assert '<a class="reader-skip" href="#editor-heading"' in page
        assert re.search(r'<h1 class="reader-title" id="editor-heading" tabindex="-1">', page)
        assert page.index('class="reader-editor-nav"') < page.index('id="editor-heading"')
    for path in ("/editor/?q=a", f"/editor/articles/{SEED_SLUG}", f"/editor/articles/{SEED_SLUG}/check"):
        assert _current_links((await client.get(path)).text) == [], path
    assert _current_links((await client.get("/")).text) == ["/"]
    assert _current_links((await client.get("/preferences")).text) == ["/preferences"]
    for path in ("/?q=a", f"/articles/{SEED_SLUG}", f"/articles/{EN_SLUG}"):
        assert _current_links((await client.get(path)).text) == [], path


async def test_the_brand_is_marked_english_on_pages_in_another_language(client: httpx.AsyncClient) -> None:
    brand = '<a class="reader-brand" href="/"{}>reader</a>'
    assert brand.format(' lang="en"') in (await client.get("/")).text
    assert brand.format(' lang="en"') in (await client.get(f"/articles/{SEED_SLUG}")).text
    assert brand.format("") in (await client.get(f"/articles/{EN_SLUG}")).text


def _answer(html: str, element_id: str) -> str:
    """The opening tag of the element with `element_id`."""
    match = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html)
    assert match is not None, element_id
    return match.group(0)


def _focused_group(html: str, element_id: str, *, title: str = "p") -> None:
    """The answer is a group named by its first paragraph (or, `title="span"`, its first sentence) that takes
    the focus when the page opens, the only element that does; no alert or status role (one already there at
    load is not reliably read, and a focused live region is said twice or not at all)."""
    tag = _answer(html, element_id)
    assert 'role="group"' in tag and 'tabindex="-1" autofocus' in tag
    assert f'aria-labelledby="{element_id}-title"' in tag and f'<{title} id="{element_id}-title">' in html
    assert html.count("autofocus") == 1 and 'role="alert"' not in html and 'role="status"' not in tag


async def test_a_refused_delete_or_restore_is_focused_and_titled(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """Every answer of the delete form, of an earlier version's page and of a deleted article's page is heard
    first: focused when the page opens, and said first in the title ("Lỗi: …" when nothing was done)."""
    # The delete asked about version 1, the article saved since: 409.
    confirm = await client.get(f"/editor/articles/{SEED_SLUG}/delete")
    assert "autofocus" not in confirm.text
    assert _title(confirm.text).startswith("Xóa “") and "Lỗi" not in _title(confirm.text)
    await _save_seed(client, editor)
    refused = await client.post(
        f"/editor/articles/{SEED_SLUG}/delete", data={"csrf_token": editor.csrf, "version": "1"}
    )
    assert refused.status_code == 409
    assert _title(refused.text) == "Lỗi: Chưa có gì bị xóa · Xóa “Bản mới”? · Biên tập · reader"
    _focused_group(refused.text, "editor-conflict")
    # An earlier version restored over a save made since (409), and one that breaks a newer rule (422).
    shown = await client.get(f"/editor/articles/{SEED_SLUG}/history/1")
    assert "autofocus" not in shown.text and "Lỗi" not in _title(shown.text)
    meanwhile = {**(await _save_seed(client, editor, version="2")), "title": "Bản của người khác", "version": "2"}
    assert (await client.post(f"/editor/articles/{SEED_SLUG}", data=meanwhile)).status_code == 303
    stale = await client.post(
        f"/editor/articles/{SEED_SLUG}/history/1", data={"csrf_token": editor.csrf, "version": "2"}
    )
    assert stale.status_code == 409
    assert _title(stale.text).startswith("Lỗi: Chưa có gì được khôi phục · Phiên bản 1 của “")
    _focused_group(stale.text, "editor-conflict")
    async with app.state["db"].transaction(touches=(SEED_SLUG,)) as tx:
        await tx.execute("UPDATE article_revisions SET title = ? WHERE slug = ? AND version = 1", ("\u200b", SEED_SLUG))
    broken = await client.post(
        f"/editor/articles/{SEED_SLUG}/history/1", data={"csrf_token": editor.csrf, "version": "3"}
    )
    assert broken.status_code == 422
    assert _title(broken.text).startswith("Lỗi: Chưa có gì được khôi phục · ")
    _focused_group(broken.text, "editor-restore-refused")
    # Restored: the list's notice has the focus (editor/_done.html), and the title says what was done.
    restored = await client.post(
        f"/editor/articles/{SEED_SLUG}/history/2", data={"csrf_token": editor.csrf, "version": "3"}
    )
    assert restored.status_code == 303
    listing = await client.get(restored.headers["location"])
    restored_title = "Đã khôi phục một phiên bản trước của “Bản mới” · Tất cả bài viết · Biên tập · reader"
    assert _title(listing.text) == restored_title
    _focused_group(listing.text, "editor-done", title="span")
    assert _title((await client.get("/editor/")).text) == "Tất cả bài viết · Biên tập · reader"
    # Deleted: the same.
    deleted = await _delete(client, editor, EN_SLUG)
    listing = await client.get(deleted.headers["location"])
    english_title = (await client.get(f"/editor/deleted/{EN_SLUG}")).text
    assert "autofocus" not in english_title and "Lỗi" not in _title(english_title)
    assert re.fullmatch(r"Đã xóa “[^”]+” · Tất cả bài viết · Biên tập · reader", _title(listing.text))
    # Named by its sentence alone: "Khôi phục" is the link after it, the next Tab, not a part of its name.
    _focused_group(listing.text, "editor-done", title="span")
    assert f'”.</span> <a href="/editor/deleted/{EN_SLUG}" id="editor-undo-delete">' in listing.text
    # A deleted article restored where one was created since (409), and deleted again since (409).
    version = form_version(english_title)
    again = {"csrf_token": editor.csrf, "title": "Written anew", "slug": EN_SLUG, "lang": "en",
             "body_format": "html", "body": "<p>Anew.</p>"}  # fmt: skip
    assert (await client.post("/editor/new", data=again)).status_code == 303
    taken = await client.post(f"/editor/deleted/{EN_SLUG}", data={"csrf_token": editor.csrf, "version": version})
    assert taken.status_code == 409
    assert _title(taken.text).startswith("Lỗi: Chưa có gì được khôi phục · Bài viết đã xóa “")
    _focused_group(taken.text, "editor-undelete-taken")
    # Opened, not answered: the same words, neither focused nor an error in the title.
    opened = await client.get(f"/editor/deleted/{EN_SLUG}")
    assert 'id="editor-undelete-taken"' in opened.text and "autofocus" not in opened.text
    assert "Lỗi" not in _title(opened.text)
    assert (await _delete(client, editor, EN_SLUG)).status_code == 303
    moved = await client.post(f"/editor/deleted/{EN_SLUG}", data={"csrf_token": editor.csrf, "version": version})
    assert moved.status_code == 409 and _title(moved.text).startswith("Lỗi: Chưa có gì được khôi phục · ")
    _focused_group(moved.text, "editor-conflict")
    # Restored: its form says so first, focused.
    back = await client.post(
        f"/editor/deleted/{EN_SLUG}", data={"csrf_token": editor.csrf, "version": form_version(moved.text)}
    )
    assert back.status_code == 303
    form = await client.get(back.headers["location"])
    assert _title(form.text) == "Đã khôi phục từ các bài viết đã xóa · Sửa “Written anew” · Biên tập · reader"
    _focused_group(form.text, "editor-undeleted")  # (it was a focused status: both)
    assert 'role="status"' not in _answer(form.text, "editor-undeleted")
    assert "Lỗi" not in _title((await client.get(f"/editor/articles/{EN_SLUG}")).text)


async def test_a_refused_restore_of_a_deleted_version_is_focused_and_titled(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    refused = await _restore_refused(app, client, editor)
    assert _title(refused.text).startswith("Lỗi: Chưa có gì được khôi phục · Bài viết đã xóa “")
    _focused_group(refused.text, "editor-restore-refused")
    english = await client.post(
        f"/editor/deleted/{SEED_SLUG}",
        data={"csrf_token": editor.csrf, "version": "1"},
        headers={"accept-language": "en"},
    )
    assert _title(english.text).startswith("Error: Nothing was restored · Deleted article “")


async def test_the_check_pages_frames_are_documents_without_landmarks_or_headings(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """A screen reader lists a frame's landmarks and headings with its page's: the six previews' documents
    have no main, their headings are headings in looks only (not focusable), their tables' regions groups.
    The article's own pages keep them."""
    frame = (await client.get(f"/editor/preview/{TABLE_SLUG}", params={"settings": "1|s:200"})).text
    assert "<main" not in frame and '<div id="reader-main" class="reader-main">' in frame
    assert re.search(r'<h1 class="reader-title" id="reader-title" role="none"[ >]', frame)
    headings = re.findall(r"<h[1-6][\s>][^>]*", frame)
    assert len(headings) > 1 and all('role="none"' in tag and "tabindex" not in tag for tag in headings)
    assert 'role="region"' not in frame and re.search(
        r'<div [^>]*class="reader-table" role="group" tabindex="0"', frame
    )
    for path in (f"/articles/{TABLE_SLUG}", f"/editor/articles/{TABLE_SLUG}/preview"):
        page = (await client.get(path)).text
        assert "<main" in page and 'role="none"' not in page and 'class="reader-table" role="region"' in page


async def test_a_save_publish_or_unpublish_says_what_was_done_first_in_the_title(
    app: ServedApp, client: httpx.AsyncClient, editor: SignedIn
) -> None:
    """After a save the form's notice (editor/_done.html) has the focus, and the title says what was done
    first, as a delete's or a restore's does: a screen reader reads the title as the page opens. A ?done=
    the editor's own redirect did not sign, or one out of date, shows nothing and leaves the title alone."""
    fields = {**DRAFT_FORM, "csrf_token": editor.csrf}
    path = f"/editor/articles/{SLUG}"
    plain = "Sửa “Bài còn nháp” · Biên tập · reader"
    drafted = await client.post("/editor/new", data={**fields, "action": "draft"})
    opened = await client.get(drafted.headers["location"])
    assert _title(opened.text) == f"Đã lưu “Bài còn nháp” dưới dạng bản nháp · {plain}"
    _focused_group(opened.text, "editor-done", title="span")
    published = await client.post(path, data={**fields, "version": "1", "state": "draft", "action": "publish"})
    assert _title((await client.get(published.headers["location"])).text) == f"Đã đăng “Bài còn nháp” · {plain}"
    # Saved as it is (published: it stays so), then unpublished.
    saved = await client.post(path, data={**fields, "version": "2", "state": "published", "action": "save"})
    assert saved.headers["location"] == done_address(app, editor, path, f"saved:{SLUG}", 2)
    assert _title((await client.get(saved.headers["location"])).text) == f"Đã lưu “Bài còn nháp” · {plain}"
    unpublished = await client.post(path, data={**fields, "version": "2", "state": "published", "action": "draft"})
    answer = await client.get(unpublished.headers["location"])
    assert _title(answer.text) == f"Đã gỡ “Bài còn nháp” · {plain}"
    english = await client.get(unpublished.headers["location"], headers={"accept-language": "en"})
    assert _title(english.text) == "Unpublished “Bài còn nháp” · Edit “Bài còn nháp” · Editor · reader"
    # Opened plainly, out of date (a later save), or with a ?done= a link wrote: no notice, the plain title.
    mac = re.search(r"[?&]mac=([^&]+)", unpublished.headers["location"])
    assert mac is not None
    for address in (
        path,
        drafted.headers["location"],
        f"{path}?done=published:{SLUG}&version=3",
        f"{path}?done=published:{SLUG}&version=3&mac=AAAAAAAAAAAAAAAA",
        f"{path}?done=published:{SLUG}&version=3&mac={mac[1]}",
    ):
        page = await client.get(address)
        assert page.status_code == 200 and _title(page.text) == plain, address
        assert 'id="editor-done"' not in page.text, address
