"""Request bodies over READER_MAX_BODY_BYTES get 413, whether announced (Content-Length) or streamed
(chunked, no Content-Length), on every endpoint that reads a body; nothing is written. Routes that take an
article take one as long as reader.drafts allows; an import takes its files."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from reader.drafts import MAX_ARTICLE_REQUEST_BYTES, MAX_BODY_CHARS
from reader.settings import Settings
from reader.views.editor import MAX_UPLOAD_BYTES
from tests import rawasgi
from tests.conftest import ServedApp, SignedIn

pytestmark = pytest.mark.anyio

LIMIT = 4096


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(max_body_bytes=LIMIT)


def json_article(size: int, title: str = "Big") -> bytes:
    return ('{"title": "' + title + '", "lang": "en", "body_html": "<p>' + "x" * size + '</p>"}').encode()


def form(size: int) -> bytes:
    return urlencode({"size": "200", "next": "/", "pad": "x" * size}).encode()


async def requests_of(
    app: ServedApp, editor: SignedIn, size: int
) -> list[tuple[str, str, list[tuple[bytes, bytes]], bytes]]:
    cookie, csrf = editor.cookie.encode(), editor.csrf
    token = await app.state["accounts"].create_token(f"big-{size}")
    editor_type, editor_form = rawasgi.multipart(
        [("csrf_token", csrf), ("title", "Written"), ("lang", "en"), ("body_format", "html"), ("body", "x" * size)]
    )
    urlencoded = (b"content-type", b"application/x-www-form-urlencoded")
    as_json = (b"content-type", b"application/json")
    requests = [
        ("POST", "/preferences", [urlencoded], form(size)),
        ("POST", "/editor/login", [urlencoded, (b"cookie", b"reader_login_csrf=t")], form(size)),
        ("POST", "/api/readability", [as_json], ('{"lang": "en", "text": "' + "word " * (size // 5) + '"}').encode()),
    ]
    if size <= LIMIT:  # the article routes' limit is far above the others' (below)
        requests += [
            ("POST", "/editor/new", [(b"content-type", editor_type), (b"cookie", cookie)], editor_form),
            ("PUT", "/api/articles/big", [as_json, (b"authorization", f"Bearer {token}".encode())], json_article(size)),
        ]
    return requests


def chunks_of(body: bytes, size: int = 1000) -> list[bytes]:
    return [body[start : start + size] for start in range(0, len(body), size)]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_bodies_over_the_limit_get_413_and_write_nothing(app: ServedApp, editor: SignedIn, chunked: bool) -> None:
    for method, path, headers, body in await requests_of(app, editor, LIMIT * 3):
        assert len(body) > LIMIT
        answer = await rawasgi.request(
            app, method, path, headers=headers, body=body, chunks=chunks_of(body) if chunked else None
        )
        assert answer.status == 413, (path, answer.status, answer.body[:200])
        if path.startswith("/api/"):
            assert b'"status":413' in answer.body and answer.content_type == b"application/json"
        else:
            assert "Yêu cầu quá lớn".encode() in answer.body and answer.content_type == b"text/html"
    assert (
        await app.state["db"].fetch_all("SELECT slug FROM articles WHERE slug IN ('big', 'uploaded', 'written')") == []
    )


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_bodies_under_the_limit_pass(app: ServedApp, editor: SignedIn, chunked: bool) -> None:
    statuses = []
    for method, path, headers, body in await requests_of(app, editor, LIMIT // 4):
        assert len(body) < LIMIT
        answer = await rawasgi.request(
            app, method, path, headers=headers, body=body, chunks=chunks_of(body) if chunked else None
        )
        statuses.append(answer.status)
    # The login form has no valid CSRF pair (403); the rest succeed: a redirect, a report, new articles.
    assert statuses == [303, 403, 200, 303, 201]


def upload(editor: SignedIn, size: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    upload_type, body = rawasgi.multipart(
        [("csrf_token", editor.csrf)], [("files", "big.json", json_article(size, "Uploaded"))]
    )
    return [(b"content-type", upload_type), (b"cookie", editor.cookie.encode())], body


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_an_import_takes_files_larger_than_other_bodies_up_to_its_own_limit(
    app: ServedApp, editor: SignedIn, chunked: bool
) -> None:
    headers, body = upload(editor, LIMIT * 3)  # over the body limit of every other route
    answer = await rawasgi.request(
        app, "POST", "/editor/import", headers=headers, body=body, chunks=chunks_of(body) if chunked else None
    )
    assert answer.status == 200 and "Đã nhập: 1 mới".encode() in answer.body
    headers, body = upload(editor, MAX_UPLOAD_BYTES)
    answer = await rawasgi.request(
        app, "POST", "/editor/import", headers=headers, body=body,
        chunks=chunks_of(body, 1024 * 1024) if chunked else None,
    )  # fmt: skip
    assert answer.status == 413 and "Yêu cầu quá lớn".encode() in answer.body


async def test_an_import_reads_nothing_for_a_client_not_signed_in(app: ServedApp) -> None:
    # 20 MiB announced, 10 bytes sent: a gate that read the body would wait for the rest, and the client
    # going away would leave no answer. It is sent to sign in at once.
    answer = await rawasgi.request(
        app, "POST", "/editor/import", headers=[(b"content-type", b"multipart/form-data; boundary=x")],
        body=b"--x\r\n0123", announced=MAX_UPLOAD_BYTES,
    )  # fmt: skip
    assert answer.status == 303 and (answer.header(b"location") or b"").startswith(b"/editor/login")


def article_form(editor: SignedIn, body: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    fields = {"csrf_token": editor.csrf, "title": "Dài", "lang": "vi", "body_format": "markdown", "body": body}
    headers = [(b"content-type", b"application/x-www-form-urlencoded"), (b"cookie", editor.cookie.encode())]
    return headers, urlencode(fields).encode()


async def test_the_article_form_takes_an_article_as_long_as_one_may_be(app: ServedApp, editor: SignedIn) -> None:
    # 2,000,000 characters of Vietnamese: 4.7 MB as a browser sends the form, over a thousand times LIMIT.
    # One paragraph: how long a body reader.sanitize takes to clean is tests/test_sanitize.py's to check.
    text = ("Triển khai Nghị quyết số 10-NQ/TU về nâng cao chất lượng đội ngũ cán bộ. " * 30_000)[:MAX_BODY_CHARS]
    headers, body = article_form(editor, text)
    saved = await rawasgi.request(app, "POST", "/editor/new", headers=headers, body=body, chunks=chunks_of(body, 65536))
    assert saved.status == 303, saved.body[:300]
    stored = await app.state["store"].get_article("dai")
    assert stored is not None and stored.body_source == text.strip()
    # One character more: the form says so, as for any other field, rather than a 413 page.
    headers, body = article_form(editor, text + "x")
    refused = await rawasgi.request(app, "POST", "/editor/new", headers=headers, body=body)
    assert refused.status == 422 and "dài quá 2.000.000 ký tự (hiện có 2.000.001 ký tự)".encode() in refused.body


@pytest.mark.parametrize("path", ["/editor/new", "/editor/preview", "/editor/articles/x"])
async def test_an_article_form_past_its_limit_is_refused_unread(app: ServedApp, editor: SignedIn, path: str) -> None:
    headers, _ = article_form(editor, "")
    answer = await rawasgi.request(
        app, "POST", path, headers=headers, body=b"csrf_token=", announced=MAX_ARTICLE_REQUEST_BYTES + 1
    )
    assert answer.status == 413 and "Yêu cầu quá lớn".encode() in answer.body


async def test_the_api_takes_an_article_as_long_as_one_may_be(app: ServedApp) -> None:
    token = await app.state["accounts"].create_token("long")
    headers = [(b"content-type", b"application/json"), (b"authorization", f"Bearer {token}".encode())]
    # Written as JSON with every character escaped (\\u1ec7), 6 bytes each: 12 MB.
    body = json_article(MAX_BODY_CHARS - len("<p></p>"), "Long").replace(b"x", b"\\u1ec7")
    assert len(body) > 12_000_000
    answer = await rawasgi.request(app, "PUT", "/api/articles/long", headers=headers, body=body)
    assert answer.status == 201, answer.body[:300]
    answer = await rawasgi.request(
        app, "PUT", "/api/articles/long", headers=headers, body=b"{", announced=MAX_ARTICLE_REQUEST_BYTES + 1
    )
    assert answer.status == 413 and b'"status":413' in answer.body
