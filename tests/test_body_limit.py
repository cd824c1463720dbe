"""Request bodies over READER_MAX_BODY_BYTES get 413, whether announced (Content-Length) or streamed
(chunked, no Content-Length), on every endpoint that reads a body; nothing is written."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

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
    return [
        ("POST", "/preferences", [urlencoded], form(size)),
        ("POST", "/editor/login", [urlencoded, (b"cookie", b"reader_login_csrf=t")], form(size)),
        ("POST", "/editor/new", [(b"content-type", editor_type), (b"cookie", cookie)], editor_form),
        ("PUT", "/api/articles/big", [as_json, (b"authorization", f"Bearer {token}".encode())], json_article(size)),
        ("POST", "/api/readability", [as_json], ('{"lang": "en", "text": "' + "word " * (size // 5) + '"}').encode()),
    ]


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
    # The login form has no valid CSRF pair (403); the rest succeed: a redirect, a new article.
    assert statuses == [303, 403, 303, 201, 200]


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
