"""Every route says what it is (reader.kinds), and every answer keeps its kind's rules: a walk over every
route and method of the table, checking CSP and framing, Cache-Control/ETag/Vary, compression (never for
a page with a CSRF token: BREACH) and CORS against the route's kind."""

from __future__ import annotations

import gzip
import itertools
import shutil
import time
import types
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.routing import BaseRoute

from reader import kinds, refused_note
from reader.app import create_app
from reader.kinds import EMBED, FRAGMENT, KINDS, PAGE, Cors, Frame, Kind, Mount, Route, RouteIndex, cache_rule
from reader.paths import TEMPLATES_DIR
from reader.routes import build_routes
from reader.settings import Settings
from reader.views.moved import REDIRECT_CACHE
from reader.views.pages import template_page
from tests.conftest import SEED_SLUG, AuthActions, ServedApp, client_for, served
from tests.routewalk import EMBEDDER, NO_ROUTE, Walk, every_route, table, walk_every_route
from tests.test_store import draft

BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium sends: pages in Brotli

pytestmark = pytest.mark.anyio
# Kinds whose answers are built from the reader's settings and language.
READS_PREFERENCES = (PAGE, FRAGMENT, EMBED)


def kinds_by_route() -> dict[tuple[str, str], Kind]:
    """(path template, method) → the kind the table gives that route; HEAD goes with GET."""
    found: dict[tuple[str, str], Kind] = {}
    for path, route in table():
        assert isinstance(route, (Route, Mount)), f"{path}: a route of the table that does not say what it is"
        for method in getattr(route, "methods", None) or {"GET", "HEAD"}:
            found[(path, method)] = route.kind
    return found


def vary(response: httpx.Response) -> set[str]:
    return {part.strip().lower() for part in response.headers.get("vary", "").split(",") if part.strip()}


def frame_ancestors(response: httpx.Response) -> list[str]:
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    return directives.get("frame-ancestors", [])


def check(kind: Kind | None, method: str, response: httpx.Response, route: tuple[str, str]) -> None:
    """The answer keeps its route's kind's rules."""
    where = f"{method} {response.request.url} ({response.status_code}, {route[0]}, kind {kind and kind.name})"
    status = response.status_code
    headers = response.headers
    body = response.content
    ok = 200 <= status < 300 or status == 304

    # Compression: only public kinds, and never an answer that holds a CSRF token, whatever its kind says.
    compressed = headers.get("content-encoding") in ("gzip", "br")
    if b'name="csrf_token"' in body:
        assert not compressed, f"BREACH: a page with a CSRF token was compressed: {where}"
    if compressed:
        assert kind is not None and kind.public, f"compressed, but not public: {where}"
    elif kind is not None and kind.public and status == 200 and len(body) >= 1024 and method != "HEAD":
        asked = response.request.headers.get("accept-encoding", "")
        assert asked not in (BROWSER_ENCODINGS, "gzip"), f"public and large, not compressed: {where}"

    # Framing: as the kind says, for errors too (an embed's "not found" shows in the embedding site's frame);
    # by nobody where no route takes the path. Static files (not documents) carry no
    # page policy, but an SVG (a document when opened on its own) does; every answer says nosniff.
    assert headers.get("x-content-type-options") == "nosniff", where
    if kind is not None and not kind.document and status < 400:
        svg = headers.get("content-type", "").startswith("image/svg+xml")
        assert frame_ancestors(response) == (["'none'"] if svg else []), where
        assert not {"x-frame-options", "permissions-policy", "cross-origin-opener-policy"} & set(headers), where
    else:
        frame = kind.frame if kind is not None else Frame.NOBODY
        expected = {Frame.NOBODY: ["'none'"], Frame.SELF: ["'self'"], Frame.EMBEDDERS: [EMBEDDER]}[frame]
        assert frame_ancestors(response) == expected, where
        xfo = {Frame.NOBODY: "DENY", Frame.SELF: "SAMEORIGIN", Frame.EMBEDDERS: None}[frame]
        assert headers.get("x-frame-options") == xfo, where
    if kind is not None and kind.cross_origin:
        assert headers.get("cross-origin-resource-policy") == "cross-origin", where
    # Search engines: only the pages, the feed and static files may be indexed; the rest say so.
    indexed = kind is None or kind.indexed
    assert headers.get("x-robots-tag") == (None if indexed else "noindex"), where

    # CORS: only where the kind grants it, to the embedding sites or (static files) to anyone.
    granted = headers.get("access-control-allow-origin")
    if kind is None or kind.cors is Cors.NONE:
        assert granted is None, where
    elif kind.cors is Cors.ANYONE:
        assert granted == "*" and "access-control-allow-credentials" not in headers, where
    else:
        assert "origin" in vary(response), where
        asked = response.request.headers.get("origin")
        if asked == EMBEDDER and status < 400:
            assert granted == EMBEDDER and headers["access-control-allow-credentials"] == "true", where
        else:
            assert granted is None, where

    # Caching: personal kinds are never stored; public answers say how long they may be kept, and those
    # built from the reader's settings vary with them; nothing else is ever `public`.
    cache_control = headers.get("cache-control", "")
    if kind is not None and kind.personal:
        assert cache_control == "no-store", where
    elif kind is not None and kind.public and ok and method != "OPTIONS":
        assert cache_control.startswith(("public", "private")), where
        own_settings = "reader_prefs=" in response.request.headers.get("cookie", "")
        if own_settings:
            assert not cache_control.startswith("public"), where
        if kind in READS_PREFERENCES:
            # (and Accept-Language where it chooses the UI language: not for an article in a language reader
            # speaks, tests/test_views_embed.py)
            assert {"cookie", "reader-prefs"} <= vary(response), where
    elif kind is not None and kind.public and status in (301, 308):
        # A renamed article's old address (reader.views.moved): the same answer for every reader, kept as long
        # as the article's views are.
        assert cache_control == REDIRECT_CACHE, where
    else:
        assert "public" not in cache_control, where
    if status >= 400 and method != "OPTIONS":
        assert cache_control == "no-store", where
    # A route that takes a token (reads, which show it drafts): its answers vary with it, and one to a request
    # that sent one is that request's own.
    if kind is not None and kind.optional_token:
        assert "authorization" in vary(response), where
        if "authorization" in response.request.headers:
            assert cache_control == "no-store", where
    if status == 304:
        assert headers.get("etag") and cache_control, where


@pytest.fixture
async def walked(tmp_path: Path) -> AsyncIterator[ServedApp]:
    settings = Settings(db_path=tmp_path / "reader.db", embed_origins=(EMBEDDER,))
    async with served(create_app(settings)) as app:
        yield app


async def test_every_route_says_what_it_is_and_keeps_its_kinds_rules(walked: ServedApp) -> None:
    expected = kinds_by_route()
    async with client_for(walked) as http:
        walk = Walk(http, {"accept-encoding": BROWSER_ENCODINGS})
        await walk_every_route(walked, walk, AuthActions(walked, http))
    assert every_route() <= {(route, method) for route, method, _ in walk.seen}, "a route the walk misses"
    for route, method, response in walk.seen:
        # A preflight is for the method it asks about; a method the route does not take (405) is still
        # answered under the path's route.
        asked = response.request.headers.get("access-control-request-method", method)
        kind = None if route == NO_ROUTE else expected.get((route, asked), expected.get((route, "GET")))
        check(kind, method, response, (route, method))
    # Each rule was exercised both ways.
    encodings = {response.headers.get("content-encoding") for _, _, response in walk.seen}
    granted = {response.headers.get("access-control-allow-origin") for _, _, response in walk.seen}
    assert {"br", None} <= encodings and {EMBEDDER, "*", None} <= granted
    assert {response.headers.get("x-robots-tag") for _, _, response in walk.seen} == {"noindex", None}


async def test_the_settings_tag_is_the_readers_own(walked: ServedApp) -> None:
    """/preferences/current tells every setting apart (voices, keys): no embedding site may read it with the
    reader's cookie, and no cache may keep it."""
    asked = {"origin": EMBEDDER, "cookie": "reader_prefs=1|t:dark|s:200"}
    async with client_for(walked) as http:
        answer = await http.get("/preferences/current", headers=asked)
        preflight = await http.options(
            "/preferences/current", headers={"origin": EMBEDDER, "access-control-request-method": "GET"}
        )
        fragment = await http.get(f"/articles/{SEED_SLUG}/fragment", headers=asked)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert not {"access-control-allow-origin", "access-control-allow-credentials"} & set(answer.headers)
    assert "access-control-allow-origin" not in preflight.headers
    assert fragment.headers["access-control-allow-origin"] == EMBEDDER  # (the embedder is allowed elsewhere)


def test_every_kind_is_used_and_no_public_kind_holds_a_secret() -> None:
    used = {kind for kind in kinds_by_route().values()}
    assert used == set(KINDS)
    for kind in KINDS:
        if kind.csrf or kind.sign_in or kind.token:
            assert kind.personal and not kind.public, kind
    with pytest.raises(ValueError, match="not public"):
        Kind("leaky", public=True, personal=True, csrf=True)
    with pytest.raises(ValueError, match="are personal"):
        Kind("kept", sign_in=True)
    with pytest.raises(ValueError, match="answer cache"):
        Route("/x", template_page("index.html"), kind=kinds.EDITOR, name="x", cached=True)


def test_a_route_that_does_not_say_what_it_is_fails_the_table_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.routing import Route as PlainRoute

    def with_a_plain_route(settings: Settings) -> list[BaseRoute]:
        return [*build_routes(settings), PlainRoute("/plain", template_page("index.html"))]

    monkeypatch.setattr("tests.routewalk.build_routes", with_a_plain_route)
    with pytest.raises(AssertionError, match="does not say what it is"):
        kinds_by_route()


async def test_a_new_public_page_needs_a_route_and_a_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    (templates / "about.html").write_text(
        '{% extends "base.html" %}{% block body %}<main><h1>About reader</h1>'
        "<p><a href=\"{{ url_for('about') }}\">" + "A page about reader. " * 80 + "</a></p></main>{% endblock %}"
    )

    def with_about(settings: Settings) -> list[BaseRoute]:
        about = Route("/about", template_page("about.html"), kind=PAGE, name="about", cached=True)
        return [*build_routes(settings), about]

    monkeypatch.setattr("reader.app.build_routes", with_about)
    settings = Settings(db_path=tmp_path / "reader.db", templates_dir=templates)
    async with served(create_app(settings)) as app:
        async with client_for(app) as http:
            async with http.stream("GET", "/about", headers={"accept-encoding": "gzip"}) as response:
                packed = b"".join([chunk async for chunk in response.aiter_raw()])
            again = await http.get("/about", headers={"accept-encoding": "gzip"})
            mine = await http.get("/about", headers={"cookie": "reader_prefs=1|s:200"})
    assert response.status_code == 200 and '<a href="/about">' in gzip.decompress(packed).decode()
    assert again.content == gzip.decompress(packed)
    for answer in (again, mine):
        check(PAGE, "GET", answer, ("/about", "GET"))
    assert (
        again.headers["cache-control"] == "public, max-age=60" and mine.headers["cache-control"] == "private, no-cache"
    )


async def test_a_path_starlettes_pattern_cannot_take_keeps_its_areas_kind(client: httpx.AsyncClient) -> None:
    # A line break in the path: no route matches it, but it is still under the API (JSON errors).
    response = await client.get("/api/articles/a%0Ab")
    assert response.status_code == 404 and response.headers["content-type"] == "application/json"
    editor = await client.get("/editor/a%0Ab", headers={"accept-encoding": "gzip"})
    assert editor.status_code == 404 and editor.headers["cache-control"] == "no-store"


def test_the_route_index_remembers_lookups_within_a_bound() -> None:
    # RouteLookup asks before every request; the answer for a method and path is worked out once.
    index = RouteIndex(build_routes(Settings()))
    page = index.find("GET", "/articles/some-article")
    assert page is not None and page.route.name == "article" and page.params == {"slug": "some-article"}
    assert index.find("GET", "/articles/some-article") is page
    # The method is part of what is remembered: the same path with another method is another answer.
    posted = index.find("POST", "/articles/some-article")
    assert posted is not None and posted.route is page.route and not posted.full and page.full
    assert cache_rule({"reader.route": page}) is cache_rule(
        {"reader.route": index.find("GET", "/articles/some-article")}
    )
    for n in range(2 * kinds.MAX_REMEMBERED):  # paths chosen by clients cannot grow it without bound
        index.find("GET", f"/articles/a-{n}")
    assert len(index._found) <= kinds.MAX_REMEMBERED
    assert index.find("GET", "/articles/some-article") == page


# The public routes that name no article in their path, each with why no draft can show there (or the test
# below that shows it does not). A new one fails test_no_public_answer_shows_a_draft until it is added here.
PUBLIC_WITHOUT_A_SLUG = {
    ("/", "GET"): "the index and readers' search: list published articles only (below)",
    ("/feed.xml", "GET"): "the feed: lists published articles only (below)",
    ("/sitemap.xml", "GET"): "lists published articles' pages only (below)",
    ("/robots.txt", "GET"): "names no article",
    ("/oembed", "GET"): "names the article in its url parameter (below)",
    ("/preferences", "GET"): "the settings page: shows no article",
    ("/preferences", "POST"): "answers with the article of its next parameter (below)",
    ("/preferences/colors/{pair}.css", "GET"): "a stylesheet",
    ("/static", "GET"): "static files",
}


def _as_for(response: httpx.Response, slug: str, instead: str) -> tuple[object, ...]:
    """What a client sees of an answer, with every mention of `slug` written `instead`."""
    headers = [response.headers.get(name, "").replace(slug, instead) for name in ("location", "hx-redirect")]
    return response.status_code, response.headers.get("content-type"), *headers, response.text.replace(slug, instead)


async def test_no_public_answer_shows_a_draft(walked: ServedApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every public route answers for a draft, and for an old address of one, exactly as for an article that
    does not exist: the same status, headers that matter and body (never a redirect that says where it is)."""
    # A refused change's note holds the second it was made: two answers a second apart would differ there alone.
    frozen = time.time()
    monkeypatch.setattr(refused_note, "time", types.SimpleNamespace(time=lambda: frozen))
    store = walked.state["store"]
    await store.save_articles([draft("kept-back", title="Kept back", status="draft")])
    await store.save_articles([draft("old-typo", title="Renamed draft", status="draft")])
    assert await store.rename_article("old-typo", "renamed-draft", version=1)
    missing = "no-such-article"
    slug_routes = set()
    async with client_for(walked) as http:
        for path, route in table():
            kind = getattr(route, "kind", None)
            methods = getattr(route, "methods", None) or {"GET"}
            if kind is None or not kind.public:
                continue
            for method in sorted(methods - {"HEAD"}):
                if "{slug}" not in path:
                    assert (path, method) in PUBLIC_WITHOUT_A_SLUG, f"{method} {path}: can it show a draft?"
                    continue
                slug_routes.add((path, method))
                for hidden in ("kept-back", "old-typo", "renamed-draft"):
                    answer = await http.request(method, path.replace("{slug}", hidden))
                    absent = await http.request(method, path.replace("{slug}", missing))
                    assert answer.status_code == 404 and _as_for(answer, hidden, missing) == _as_for(
                        absent, missing, missing
                    ), f"{method} {path} for {hidden}"
        assert {path for path, _ in slug_routes} == {"/articles/{slug}", "/articles/{slug}/fragment", "/embed/{slug}"}
        # The lists: the index (and a search on it that the draft's title answers), the feed, the sitemap.
        for path in ("/", "/?q=kept+back", "/?q=renamed", "/feed.xml", "/sitemap.xml"):
            listed = await http.get(path)
            assert listed.status_code == 200, path
            # (A search's words come back in its box, in lower case: the titles' capitals are not among them.)
            names = ("Kept back", "kept-back", "Renamed draft", "renamed-draft")
            assert [name for name in names if name in listed.text] == [], path
        for hidden in ("kept-back", "old-typo"):
            for page in ("/articles/{}", "/embed/{}"):
                for fmt in ("json", "xml"):
                    asked = {"url": f"http://testserver{page.format(hidden)}", "format": fmt}
                    absent = {"url": f"http://testserver{page.format(missing)}", "format": fmt}
                    answer, expected = await http.get("/oembed", params=asked), await http.get("/oembed", params=absent)
                    assert answer.status_code == 404 and _as_for(answer, hidden, missing) == _as_for(
                        expected, missing, missing
                    ), asked
            # A reading control on a draft's page or embed (open since before it was unpublished): its setting
            # changed, or colours refused (too little contrast: without htmx, a redirect to the page naming it).
            changes = ({"size": "200"}, {"text_color": "#777777", "background_color": "#ffffff"})
            views = (("page", {}), ("page", {"hx-request": "true"}), ("embed", {}), ("fragment", {}))
            for next_path, change, (view, headers) in itertools.product(("/articles/{}", "/embed/{}"), changes, views):
                form = {**change, "view": view}
                answer = await http.post(
                    "/preferences", data={**form, "next": next_path.format(hidden)}, headers=headers
                )
                expected = await http.post(
                    "/preferences", data={**form, "next": next_path.format(missing)}, headers=headers
                )
                assert _as_for(answer, hidden, missing) == _as_for(expected, missing, missing), (
                    next_path,
                    form,
                    headers,
                )
