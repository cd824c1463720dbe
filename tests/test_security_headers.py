"""Security headers on every response, and the flags of every cookie: a walk over every route in
routes.py (GETs, the POSTs, PUT and DELETE, error answers, static files, 304s), over HTTP, HTTPS and HTTPS
behind a trusted proxy."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from reader.app import create_app
from reader.kinds import Kind, Mount, Route
from reader.settings import Settings, SettingsError
from tests.conftest import SEED_SLUG, AuthActions, ServedApp, client_for, served
from tests.routewalk import EMBEDDER, Walk, every_route, table, walk_every_route

pytestmark = pytest.mark.anyio


@functools.cache
def _kinds() -> dict[str, Kind]:
    return {path: route.kind for path, route in table() if isinstance(route, (Route, Mount))}


def assert_security_headers(route: str, response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url} ({response.status_code})"
    assert response.headers.get("x-content-type-options") == "nosniff", where
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    kind = _kinds().get(route)
    if kind is not None and not kind.document and response.status_code < 400:
        # A static file: nosniff only; an SVG (a document when opened on its own) keeps the policy.
        svg = response.headers.get("content-type", "").startswith("image/svg+xml")
        expected = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]} if svg else {}
        assert directives == expected, where
        assert "permissions-policy" not in response.headers, where
        return
    assert directives.get("script-src") == ["'self'"], where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert directives.get("object-src") == ["'none'"] and directives.get("base-uri") == ["'none'"], where
    ancestors = directives.get("frame-ancestors")
    if route == "/embed/{slug}":  # error answers too: they show inside the embedding site's frame
        assert ancestors == [EMBEDDER] and "x-frame-options" not in response.headers, where
    elif route == "/editor/preview/{slug}":
        assert ancestors == ["'self'"] and response.headers["x-frame-options"] == "SAMEORIGIN", where
    else:
        assert ancestors == ["'none'"] and response.headers["x-frame-options"] == "DENY", where
    assert response.headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert "camera=()" in response.headers.get("permissions-policy", ""), where


def assert_cookie_flags(response: httpx.Response, *, secure: bool) -> int:
    headers = response.headers.get_list("set-cookie")
    for header in headers:
        attributes = {part.strip().split("=", 1)[0].lower() for part in header.split(";")[1:]}
        assert "httponly" in attributes and "samesite" in attributes, header
        assert "secure" in attributes or not secure, header
    return len(headers)


@pytest.fixture
async def walked_app(tmp_path: Path) -> AsyncIterator[ServedApp]:
    settings = Settings(db_path=tmp_path / "reader.db", embed_origins=(EMBEDDER,), trust_proxy_headers=True)
    async with served(create_app(settings)) as app:
        async with client_for(app) as http:
            await AuthActions(app, http).add_account()
        yield app


@pytest.mark.parametrize(
    ("base_url", "headers", "secure"),
    [
        ("http://testserver", {}, False),
        ("https://testserver", {}, True),
        ("http://testserver", {"x-forwarded-proto": "https"}, True),  # behind a TLS proxy, READER_TRUST_PROXY
    ],
    ids=["http", "https", "proxy"],
)
async def test_every_route_sends_the_security_headers_and_safe_cookies(
    walked_app: ServedApp, base_url: str, headers: dict[str, str], secure: bool
) -> None:
    async with client_for(walked_app, base_url) as http:
        walk = Walk(http, headers)
        await walk_every_route(walked_app, walk)
    assert every_route() <= {(route, method) for route, method, _ in walk.seen}
    statuses = {response.status_code for _, _, response in walk.seen}
    assert {200, 201, 204, 303, 304, 401, 403, 404, 405, 413} <= statuses
    cookies = 0
    for route, _, response in walk.seen:
        assert_security_headers(route, response)
        cookies += assert_cookie_flags(response, secure=secure)
    names = {
        header.split("=", 1)[0] for _, _, response in walk.seen for header in response.headers.get_list("set-cookie")
    }
    note = "__Host-reader_note" if secure else "reader_note"  # (reader.saved_note.note_cookie_name)
    assert names == {"reader_prefs", note, "reader_login_csrf", "reader_session"} and cookies >= 9


async def test_a_500_answer_carries_the_security_headers(app: ServedApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Starlette answers an unhandled exception outside every middleware."""

    async def broken(slug: str) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(app.state["store"], "get_article", broken)
    async with client_for(app, raise_app_exceptions=False) as http:
        response = await http.get(f"/articles/{SEED_SLUG}")
    assert response.status_code == 500
    assert_security_headers("/articles/{slug}", response)


@pytest.mark.parametrize(
    ("environ", "embed", "ancestors"),
    [
        ({}, (), ("'none'",)),
        ({"READER_EMBED_ORIGINS": EMBEDDER}, (EMBEDDER,), (EMBEDDER,)),
        ({"READER_EMBED_ORIGINS": EMBEDDER, "READER_FRAME_ANCESTORS": "'self', https://*.cms.example"},
         (EMBEDDER,), ("'self'", "https://*.cms.example")),
        ({"READER_EMBED_ORIGINS": EMBEDDER, "READER_FRAME_ANCESTORS": ""}, (EMBEDDER,), ("'none'",)),
        ({"READER_FRAME_ANCESTORS": "'none'"}, (), ("'none'",)),
    ],
)  # fmt: skip
async def test_frame_ancestors_of_embeds_come_from_the_configuration(
    tmp_path: Path, environ: dict[str, str], embed: tuple[str, ...], ancestors: tuple[str, ...]
) -> None:
    settings = Settings.from_env(environ, db_path=tmp_path / "reader.db")
    assert settings.embed_origins == embed
    async with served(create_app(settings)) as app:
        async with client_for(app) as http:
            framed = await http.get(f"/embed/{SEED_SLUG}")
            page = await http.get(f"/articles/{SEED_SLUG}")
    match = re.search(r"frame-ancestors ([^;]+)", framed.headers["content-security-policy"])
    assert match is not None and tuple(match.group(1).split()) == ancestors
    assert ("x-frame-options" in framed.headers) == (ancestors == ("'none'",))
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    "raw",
    ["https://a.example; script-src *", "https://a.example script-src", "javascript:alert(1)", "https://a.example/x",
     "'unsafe-inline'", "*"],
)  # fmt: skip
def test_a_source_that_would_change_the_policy_is_refused(raw: str) -> None:
    for name in ("READER_FRAME_ANCESTORS", "READER_EMBED_ORIGINS"):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: raw})
