"""`next` never sends anyone to another site: the editor sign-in (form field and query) and the preference
form, with every trick for turning a path into another host."""

from __future__ import annotations

import html
import re
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

import httpx
import pytest

from tests.conftest import AuthActions, SignedIn

pytestmark = pytest.mark.anyio

EVIL = [
    "//evil.com",
    "https://evil.com",
    "http://evil.com/editor/",
    "/\\evil.com",
    "\\\\evil",
    "\\/evil.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.com",
    "/%2F%2Fevil.com",
    "/%5Cevil.com",
    "%5C%5Cevil.com",
    "https:evil.com",
    "https:/\\evil.com",
    "/\t/evil.com",
    "/\r\n/evil.com",
    " //evil.com",
    "\x00//evil.com",
    "//evil.com/editor/",
    "/editor//evil.com",
    "/editor/\\evil.com",
    "/editor/../..//evil.com",
    "/editor/..\\..\\\\evil.com",
    "/editor/%2e%2e/%2e%2e//evil.com",
    "/editor/\r\nLocation: https://evil.com",
    "///evil.com",
    "/\u3002evil.com",
    "\uff0f\uff0fevil.com",
]


def resolves_here(location: str) -> bool:
    """True when a browser following this Location stays on reader: backslashes count as slashes, as in
    every browser (WHATWG URL), and the result must have reader's scheme and host."""
    if any(ch in location for ch in "\r\n\t\x00"):
        return False
    target = urlsplit(urljoin("http://testserver/editor/login", location.replace("\\", "/")))
    return target.scheme == "http" and target.netloc == "testserver"


async def test_signed_in_editors_are_sent_to_the_editor_not_elsewhere(
    client: httpx.AsyncClient, editor: SignedIn
) -> None:
    # One app for every target (a fresh one per target costs a second each); the message names the target.
    for target in EVIL:
        response = await client.get("/editor/login?next=" + quote(target, safe=""))
        assert (response.status_code, response.headers["location"]) == (303, "/editor/"), target


async def test_the_sign_in_form_carries_no_foreign_next(client: httpx.AsyncClient) -> None:
    for target in EVIL:
        page = await client.get("/editor/login?next=" + quote(target, safe=""))
        found = re.search(r'name="next" value="([^"]*)"', page.text)
        assert found is not None and html.unescape(found.group(1)) == "/editor/", target


@pytest.mark.parametrize("target", EVIL[:6] + ["/editor/\\evil.com", "/editor/../..//evil.com"])
async def test_signing_in_never_redirects_elsewhere(auth: AuthActions, target: str) -> None:
    await auth.add_account()
    response = await auth.sign_in_with_password(next_path=target)
    assert response.status_code == 303 and response.headers["location"] == "/editor/"
    assert "reader_session=" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("target", "location"),
    [("/editor/import", "/editor/import"), ("/editor/articles/bắc?x=1", "/editor/articles/b%E1%BA%AFc?x=1")],
)
async def test_a_real_editor_path_is_kept(
    client: httpx.AsyncClient, editor: SignedIn, target: str, location: str
) -> None:
    response = await client.get("/editor/login?next=" + quote(target))
    assert response.status_code == 303 and response.headers["location"] == location


async def test_an_htmx_request_without_a_session_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/editor/articles/b%E1%BA%AFc%E3%80%82", headers={"hx-request": "true"})
    assert response.status_code == 200
    # Made by an editor page: the session it had ended, which the sign-in form says.
    assert response.headers["hx-redirect"] == "/editor/login?next=/editor/articles/b%E1%BA%AFc%E3%80%82&ended=1"


async def test_an_htmx_request_without_a_session_comes_back_to_the_page_it_was_made_from(
    client: httpx.AsyncClient,
) -> None:
    # The article form's live preview posts to /editor/preview, which takes no GET: after signing in, the
    # editor is back on the form (where js/editor-draft.js offers back what they typed).
    for page, back in (
        ("http://test/editor/articles/b%E1%BA%AFc", "/editor/articles/b%E1%BA%AFc"),
        ("http://test/editor/new", "/editor/new"),
        # Whatever a client names, the sign-in form checks it again before going there.
        ("https://evil.example//evil.example/x", "//evil.example/x"),
    ):
        response = await client.post("/editor/preview", headers={"hx-request": "true", "hx-current-url": page})
        expected = "/editor/login?" + urlencode({"next": unquote(back), "ended": "1"}, safe="/")
        assert response.headers["hx-redirect"] == expected
    login = await client.get("/editor/login", params={"next": "//evil.example/x"})
    assert "evil" not in login.text


@pytest.mark.parametrize("htmx", [False, True])
async def test_the_preference_form_goes_back_only_to_reader(client: httpx.AsyncClient, htmx: bool) -> None:
    headers = {"hx-request": "true"} if htmx else {}
    for target in EVIL:
        response = await client.post("/preferences", data={"action": "bigger", "next": target}, headers=headers)
        location = response.headers.get("location") or response.headers.get("hx-redirect")
        if location is None:
            # The region swapped in place: no navigation at all.
            assert response.status_code == 200 and htmx, target
            continue
        assert resolves_here(location), (target, location)
        assert location.startswith("/") and not location.startswith(("//", "/\\")), (target, location)


@pytest.mark.parametrize(
    ("asked", "location"),
    [
        ("/articles/some-slug/", "/articles/some-slug"),
        ("/articles/some-slug/?panel=open", "/articles/some-slug?panel=open"),
        ("/editor", "/editor/"),
    ],
)
async def test_a_trailing_slash_is_fixed_by_a_relative_redirect_whatever_the_host(
    client: httpx.AsyncClient, asked: str, location: str
) -> None:
    # Starlette's own redirect wrote the request's Host header into an absolute Location.
    response = await client.get(asked, headers={"host": "evil.example"})
    assert response.status_code == 307 and response.headers["location"] == location


@pytest.mark.parametrize("asked", ["/no-such-page/", "//evil.example/", "/articles/a/b/"])
async def test_no_slash_redirect_where_no_route_serves_the_twin(client: httpx.AsyncClient, asked: str) -> None:
    # The path as written (httpx would read "//evil.example/" as another host).
    response = await client.get(httpx.URL("http://testserver/").copy_with(raw_path=asked.encode()))
    assert response.status_code == 404 and "location" not in response.headers


async def test_the_live_preview_without_a_session_is_answered_in_place(client: httpx.AsyncClient) -> None:
    # Made in the background as the editor types: a redirect sent the tab to the sign-in form mid-sentence.
    headers = {"hx-request": "true", "hx-target": "editor-preview", "hx-current-url": "http://test/editor/new"}
    response = await client.post("/editor/preview", headers=headers)
    assert response.status_code == 401
    assert "hx-redirect" not in response.headers and "location" not in response.headers
