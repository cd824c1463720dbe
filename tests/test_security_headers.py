"""Security headers on every response, and the flags of every cookie: a walk over every route in
routes.py (GETs, the POSTs, PUT and DELETE, error answers, static files, 304s), over HTTP, HTTPS and HTTPS
behind a trusted proxy."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from reader.app import create_app
from reader.routes import build_routes
from reader.settings import Settings, SettingsError
from tests.conftest import EN_SLUG, SEED_SLUG
from tests.test_views_editor import PASSWORD, csrf

pytestmark = pytest.mark.anyio
EMBEDDER = "https://news.example"
PAIR = "1a1a1a-fdf6e3"


class Walk:
    """Requests made through one client, each noted with the route (path template, method) it exercises.

    Cookies are kept here, not in httpx's jar: behind a TLS proxy the app sees http while the browser, which
    talks https to the proxy, does send the Secure cookies back."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.http = http
        self.headers = headers
        self.cookies: dict[str, str] = {}
        self.seen: list[tuple[str, str, httpx.Response]] = []

    async def __call__(self, route: str, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        if self.cookies:
            headers["cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = await self.http.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        self.http.cookies.clear()
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if value and "max-age=0" not in header.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        self.seen.append((route, method, response))
        return response


async def walk_every_route(app: Starlette, walk: Walk) -> None:
    """Every route, as a reader, an embedding site, an editor and an API client would use it."""
    article = f"/articles/{SEED_SLUG}"
    await walk("/", "GET", "/")
    await walk("/", "HEAD", "/")
    page = await walk("/articles/{slug}", "GET", article)
    await walk("/articles/{slug}", "GET", article, headers={"if-none-match": page.headers["etag"]})  # 304
    await walk("/articles/{slug}/fragment", "GET", article + "/fragment")
    await walk("/articles/{slug}/fragment", "OPTIONS", article + "/fragment",
               headers={"origin": EMBEDDER, "access-control-request-method": "GET"})  # fmt: skip
    await walk("/articles/{slug}/fragment", "OPTIONS", article + "/fragment",
               headers={"origin": "https://stranger.example", "access-control-request-method": "GET"})  # fmt: skip
    embed = await walk("/embed/{slug}", "GET", f"/embed/{SEED_SLUG}")
    await walk("/embed/{slug}", "GET", f"/embed/{SEED_SLUG}", headers={"if-none-match": embed.headers["etag"]})
    await walk("/oembed", "GET", "/oembed", params={"url": f"{walk.http.base_url}{article}", "format": "xml"})
    await walk("/preferences", "GET", "/preferences", params={"settings": "1|s:200"})
    await walk("/preferences/colors/{pair}.css", "GET", f"/preferences/colors/{PAIR}.css")
    await walk("/healthz", "GET", "/healthz")
    # The preference cookie: set, set inside an embed (partitioned), deleted.
    await walk("/preferences", "POST", "/preferences", data={"size": "200", "next": article})
    await walk("/preferences", "POST", "/preferences", data={"size": "200", "view": "embed", "next": article})
    await walk("/preferences", "POST", "/preferences", data={"action": "reset", "next": article})
    await walk("/preferences", "POST", "/preferences", data={"size": "200"}, headers={"sec-fetch-site": "cross-site"})
    # Sign-in: the login CSRF cookie, a failed attempt, the session cookie.
    login = await walk("/editor/login", "GET", "/editor/login")
    await walk("/editor/login", "POST", "/editor/login", data={"name": "editor", "password": "wrong password!",
                                                               "csrf_token": csrf(login.text)})  # fmt: skip
    login = await walk("/editor/login", "GET", "/editor/login")
    signed_in = {"name": "editor", "password": PASSWORD, "csrf_token": csrf(login.text), "next": "/editor/"}
    await walk("/editor/login", "POST", "/editor/login", data=signed_in)
    listing = await walk("/editor/", "GET", "/editor/")
    token = csrf(listing.text)
    await walk("/editor/new", "GET", "/editor/new")
    await walk("/editor/import", "GET", "/editor/import")
    await walk("/editor/articles/{slug}", "GET", f"/editor/articles/{EN_SLUG}")
    await walk("/editor/articles/{slug}/check", "GET", f"/editor/articles/{EN_SLUG}/check")
    await walk("/editor/articles/{slug}/delete", "GET", f"/editor/articles/{EN_SLUG}/delete")
    await walk("/editor/preview/{slug}", "GET", f"/editor/preview/{EN_SLUG}", params={"settings": "1|s:400"})
    form = {"title": "Headers", "lang": "en", "body": "Body.", "body_format": "markdown", "csrf_token": token}
    await walk("/editor/preview", "POST", "/editor/preview", data=form)
    await walk("/editor/new", "POST", "/editor/new", data={**form, "slug": "headers", "action": "save"})
    await walk("/editor/articles/{slug}", "POST", "/editor/articles/headers", data={**form, "action": "save"})
    upload = ("h.md", b"---\nlang: en\nslug: imported-headers\n---\n# Imported\n\nBody.\n", "text/markdown")
    await walk("/editor/import", "POST", "/editor/import", data={"csrf_token": token}, files={"files": upload})
    await walk("/editor/articles/{slug}/delete", "POST", "/editor/articles/headers/delete", data={"csrf_token": token})
    await walk("/editor/logout", "POST", "/editor/logout", data={"csrf_token": token})
    # The API: reads, a write without and with a token, the reports, the description.
    api_token = await app.state.accounts.create_token(f"headers-{walk.http.base_url.scheme}")
    bearer = {"authorization": f"Bearer {api_token}"}
    body = {"lang": "en", "title": "Via the API", "body_html": "<p>x</p>"}
    await walk("/api/articles", "GET", "/api/articles")
    await walk("/api/articles/{slug}", "GET", f"/api/articles/{SEED_SLUG}")
    await walk("/api/articles/{slug}", "PUT", "/api/articles/via-api", json=body)  # 401
    await walk("/api/articles/{slug}", "PUT", "/api/articles/via-api", json=body, headers=bearer)
    await walk("/api/articles/{slug}", "DELETE", "/api/articles/via-api", headers=bearer)  # 204
    await walk("/api/articles/{slug}/readability", "GET", f"/api/articles/{EN_SLUG}/readability")
    await walk("/api/readability", "POST", "/api/readability", json={"lang": "en", "text": "One. Two."})
    await walk("/api/openapi.json", "GET", "/api/openapi.json")
    # Static files, fresh and revalidated.
    style = await walk("/static", "GET", "/static/css/reader.css")
    await walk("/static", "GET", "/static/css/reader.css", headers={"if-none-match": style.headers["etag"]})
    # Error answers: 404 (page, fragment, API), 405, 413.
    await walk("(none)", "GET", "/no/such/page")
    await walk("/articles/{slug}/fragment", "GET", "/articles/no-such-article/fragment")
    await walk("/api/articles/{slug}", "GET", "/api/articles/no-such-article")
    await walk("/", "DELETE", "/")
    await walk("/preferences", "POST", "/preferences", content=b"x" * 1_100_000,
               headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip


def every_route() -> set[tuple[str, str]]:
    routes: set[tuple[str, str]] = set()
    for route in build_routes(Settings()):
        if isinstance(route, Route):
            routes |= {(route.path, method) for method in route.methods or () if method != "HEAD"}
        elif isinstance(route, Mount):
            routes.add((route.path, "GET"))
    return routes


def assert_security_headers(route: str, response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url} ({response.status_code})"
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("script-src") == ["'self'"], where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert directives.get("object-src") == ["'none'"] and directives.get("base-uri") == ["'none'"], where
    ancestors = directives.get("frame-ancestors")
    if route == "/embed/{slug}" and response.status_code in (200, 304):
        assert ancestors == [EMBEDDER] and "x-frame-options" not in response.headers, where
    elif route == "/editor/preview/{slug}":
        assert ancestors == ["'self'"] and response.headers["x-frame-options"] == "SAMEORIGIN", where
    else:
        assert ancestors == ["'none'"] and response.headers["x-frame-options"] == "DENY", where
    assert response.headers.get("x-content-type-options") == "nosniff", where
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
async def walked_app(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = Settings(db_path=tmp_path / "reader.db", embed_origins=(EMBEDDER,), trust_proxy_headers=True)
    app = create_app(settings)
    async with LifespanManager(app):
        await app.state.accounts.add_user("editor", PASSWORD)
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
    walked_app: Starlette, base_url: str, headers: dict[str, str], secure: bool
) -> None:
    transport = httpx.ASGITransport(app=walked_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
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
    assert names == {"reader_prefs", "reader_login_csrf", "reader_session"} and cookies >= 8


async def test_a_500_answer_carries_the_security_headers(app: Starlette) -> None:
    """Starlette answers an unhandled exception outside every middleware."""

    async def broken(slug: str) -> None:
        raise RuntimeError("the database went away")

    app.state.store.get_article = broken
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
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
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
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
