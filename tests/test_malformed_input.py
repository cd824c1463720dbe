"""Inputs the fuzzer found answered with 500 (or a traceback), now a clear 4xx or a one-line refusal."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from reader.cli import main
from reader.importer import ImportFailure, drafts_from_files
from tests import rawasgi
from tests.conftest import SEED_SLUG, ServedApp
from tests.serverproc import new_site

pytestmark = pytest.mark.anyio

DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
HUGE_NUMBER = b'{"lang": "en", "text": "x", "thresholds": {"section_words": ' + b"9" * 5000 + b"}}"


@pytest.mark.parametrize("path", ["/", f"/articles/{SEED_SLUG}", "/preferences", "/oembed", "/api/articles"])
async def test_a_query_string_that_is_not_utf8_is_a_400(app: ServedApp, path: str) -> None:
    # Raw bytes on the request line: a browser percent-encodes them, a broken client or a scanner may not.
    answer = await rawasgi.request(app, "GET", path, query=b"page=\xff\xfe&lang=en")
    assert answer.status == 400
    if path.startswith("/api/"):
        assert answer.content_type == b"application/json" and b'"status":400' in answer.body
    else:
        assert "Yêu cầu không hợp lệ".encode() in answer.body
    english = await rawasgi.request(app, "GET", path, query=b"\xc3(", headers=[(b"accept-language", b"en")])
    assert english.status == 400 and (path.startswith("/api/") or b"Bad request" in english.body)


async def test_utf8_query_strings_still_work(app: ServedApp) -> None:
    answer = await rawasgi.request(app, "GET", "/preferences", query="settings=1|s:200&x=bắc".encode())
    assert answer.status == 200


@pytest.mark.parametrize("cookie", ["reader_session=bắc.kạn", "reader_session=\u00e9\u00e9.\u00e9", "reader_session=."])
async def test_a_session_cookie_with_any_characters_is_no_session(client: httpx.AsyncClient, cookie: str) -> None:
    response = await client.get("/editor/login", headers={"cookie": cookie.encode()})
    assert response.status_code == 200 and 'name="password"' in response.text
    editor = await client.get("/editor/", headers={"cookie": cookie.encode()})
    assert editor.status_code == 303 and editor.headers["location"].startswith("/editor/login")


async def test_a_csrf_token_with_any_characters_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/editor/login",
        data={"name": "a", "password": "b", "csrf_token": "bắc"},
        headers={"cookie": "reader_login_csrf=kan"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "detail"), [(DEEP_JSON, "nested too deeply"), (HUGE_NUMBER, "a number has too many digits")]
)
@pytest.mark.parametrize("path", ["/api/readability", "/api/articles/deep"])
async def test_json_python_cannot_load_is_a_400(app: ServedApp, path: str, body: bytes, detail: str) -> None:
    token = await app.state["accounts"].create_token("t")
    headers = [(b"content-type", b"application/json"), (b"authorization", f"Bearer {token}".encode())]
    answer = await rawasgi.request(app, "POST" if "readability" in path else "PUT", path, headers=headers, body=body)
    assert answer.status == 400 and detail.encode() in answer.body


async def test_a_url_as_html_gets_a_report_not_a_warning(client: httpx.AsyncClient) -> None:
    # bs4 warns about markup that looks like a URL; warnings are errors in these tests.
    response = await client.post("/api/readability", json={"lang": "en", "html": "https://example.com/a"})
    assert response.status_code == 200 and response.json()["layout"] is not None


FILES = {
    # A date or time that does not exist is left to the field's own check, which names the field.
    "date.md": ("---\ntitle: T\nlang: en\npublished: 2020-13-45\n---\nBody", "published: '2020-13-45' is not a date"),
    "time.md": (
        "---\ntitle: T\nlang: en\npublished: 2020-01-01 25:00:00\n---\nBody",
        "published: '2020-01-01 25:00:00' is not a date",
    ),
    "huge.md": (
        "---\ntitle: T\nlang: en\nn: " + "9" * 5000 + "\n---\nBody",
        "front matter: invalid YAML (Exceeds the limit",
    ),
    "deep.md": ("---\ntitle: " + "[" * 5000 + "\n---\nBody", "invalid YAML (nested too deeply)"),
    "deep.json": (DEEP_JSON.decode(), "invalid JSON: nested too deeply"),
    "huge.json": ('{"title": "T", "lang": "en", "body_html": "x", "n": ' + "9" * 5000 + "}", "too many digits"),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_files_python_cannot_load_are_import_failures(tmp_path: Path, name: str) -> None:
    text, message = FILES[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ImportFailure, match=message.replace("(", r"\(").replace(")", r"\)")) as failure:
        drafts_from_files([path])
    assert str(path) in str(failure.value)


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_import_command_refuses_them_in_one_line(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text, message = FILES[name]
    path = tmp_path / name
    path.write_text(text)
    status = main(["import", "--db", str(new_site(tmp_path / "r.db")), str(path)])
    err = capsys.readouterr().err
    assert status == 1 and message in err and "Traceback" not in err
    assert err.splitlines() == [err.splitlines()[0], "reader import: nothing was written."]


@pytest.mark.parametrize("current", ["http://[::1/editor/", "http://[zz]/editor/"])
@pytest.mark.parametrize("path", ["/editor/new", "/editor/"])
async def test_an_htmx_request_naming_a_page_that_is_no_url_still_goes_to_sign_in(
    client: httpx.AsyncClient, path: str, current: str
) -> None:
    # HX-Current-URL is the client's to write: one urlsplit refuses (an unbalanced or bad IPv6 bracket) is no
    # page to come back to, and the request's own path is used instead.
    response = await client.get(path, headers={"hx-request": "true", "hx-current-url": current})
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == f"/editor/login?next={path}&ended=1"


@pytest.mark.parametrize("url", ["http://[::1/articles/x", "http://[zz]/articles/x", "http://\uff03x/articles/x"])
async def test_oembed_for_a_url_that_does_not_parse_is_a_404(client: httpx.AsyncClient, url: str) -> None:
    # Not a URL at all is not one of this site's: the same answer as for any other site's address.
    response = await client.get("/oembed", params={"url": url})
    assert response.status_code == 404
