"""A walk over every route in the route table (GETs, the POSTs, PUT and DELETE, preflights, error answers,
static files, 304s), as a reader, an embedding site, an editor and an API client would use each; and the
table itself, flattened, to check the walk against."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from starlette.routing import BaseRoute

from reader.kinds import Mount, Route
from reader.routes import build_routes
from reader.settings import Settings
from tests.conftest import EDITOR_NAME, EDITOR_PASSWORD, EN_SLUG, SEED_SLUG, AuthActions, ServedApp, csrf_token

EMBEDDER = "https://news.example"
PAIR = "1a1a1a-fdf6e3"
NO_ROUTE = "(none)"


def table(routes: list[BaseRoute] | None = None, prefix: str = "") -> Iterator[tuple[str, Route | Mount | BaseRoute]]:
    """Every route of the table with its full path template (mounts' routes inside them; a mount without
    routes, the static files, as itself)."""
    for route in build_routes(Settings()) if routes is None else routes:
        path = prefix + str(getattr(route, "path", ""))
        inner = getattr(route, "routes", None)
        if inner:
            yield from table(inner, path)
        else:
            yield path, route


def every_route() -> set[tuple[str, str]]:
    """(path template, method) for every route and method in the table (HEAD goes with GET)."""
    routes: set[tuple[str, str]] = set()
    for path, route in table():
        methods = getattr(route, "methods", None) or {"GET"}
        routes |= {(path, method) for method in methods if method != "HEAD"}
    return routes


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


async def walk_every_route(app: ServedApp, walk: Walk, auth: AuthActions | None = None) -> None:
    """Every route, as a reader, an embedding site, an editor and an API client would use it.

    Without `auth` the editor signs in through the form (its account must exist, with EDITOR_PASSWORD);
    with it, a failed attempt is made and the session comes from `auth` (no password to hash)."""
    article = f"/articles/{SEED_SLUG}"
    embedder = {"origin": EMBEDDER}
    await walk("/", "GET", "/")
    await walk("/", "HEAD", "/")
    await walk("/", "GET", "/", headers={"cookie": "reader_prefs=1|s:200"})
    page = await walk("/articles/{slug}", "GET", article)
    await walk("/articles/{slug}", "GET", article, headers={"if-none-match": page.headers["etag"]})  # 304
    await walk("/articles/{slug}/fragment", "GET", article + "/fragment")
    await walk("/articles/{slug}/fragment", "GET", article + "/fragment", headers=embedder)
    await walk("/articles/{slug}/fragment", "OPTIONS", article + "/fragment",
               headers={**embedder, "access-control-request-method": "GET"})  # fmt: skip
    await walk("/articles/{slug}/fragment", "OPTIONS", article + "/fragment",
               headers={"origin": "https://stranger.example", "access-control-request-method": "GET"})  # fmt: skip
    embed = await walk("/embed/{slug}", "GET", f"/embed/{SEED_SLUG}")
    await walk("/embed/{slug}", "GET", f"/embed/{SEED_SLUG}", headers={"if-none-match": embed.headers["etag"]})
    await walk("/oembed", "GET", "/oembed", params={"url": f"{walk.http.base_url}{article}", "format": "xml"})
    await walk("/oembed", "GET", "/oembed", params={"url": f"{walk.http.base_url}{article}"}, headers=embedder)
    feed = await walk("/feed.xml", "GET", "/feed.xml", headers=embedder)
    await walk("/feed.xml", "GET", "/feed.xml", headers={"if-none-match": feed.headers["etag"]})  # 304
    await walk("/preferences", "GET", "/preferences", params={"settings": "1|s:200"})
    await walk("/preferences/current", "GET", "/preferences/current")
    await walk("/preferences/colors/{pair}.css", "GET", f"/preferences/colors/{PAIR}.css")
    await walk("/healthz", "GET", "/healthz")
    await walk("/robots.txt", "GET", "/robots.txt")
    await walk("/sitemap.xml", "GET", "/sitemap.xml")
    # The preference cookie: set, set inside an embed (partitioned), from an embedding site, deleted; the note's.
    await walk("/preferences", "POST", "/preferences", data={"size": "200", "next": article})
    await walk("/preferences", "POST", "/preferences", data={"size": "200", "view": "embed", "next": article})
    await walk("/preferences", "OPTIONS", "/preferences", headers={**embedder, "access-control-request-method": "POST"})
    await walk("/preferences", "POST", "/preferences", data={"size": "200", "view": "fragment", "next": article},
               headers={**embedder, "hx-request": "true"})  # fmt: skip
    await walk("/preferences", "POST", "/preferences", data={"action": "reset", "next": article})
    # (from the panel: back at the note, with the note cookie its mac is signed for, reader.saved_note)
    await walk("/preferences", "POST", "/preferences", data={"action": "reset", "next": article, "panel": "open"})
    await walk("/preferences", "POST", "/preferences", data={"size": "200"}, headers={"sec-fetch-site": "cross-site"})
    # Sign-in: the login CSRF cookie, a failed attempt, the session cookie.
    login = await walk("/editor/login", "GET", "/editor/login")
    await walk("/editor/login", "POST", "/editor/login", data={"name": EDITOR_NAME, "password": "wrong password!",
                                                               "csrf_token": csrf_token(login.text)})  # fmt: skip
    if auth is None:
        login = await walk("/editor/login", "GET", "/editor/login")
        signed_in = {"name": EDITOR_NAME, "password": EDITOR_PASSWORD, "csrf_token": csrf_token(login.text),
                     "next": "/editor/"}  # fmt: skip
        await walk("/editor/login", "POST", "/editor/login", data=signed_in)
    else:
        walk.cookies["reader_session"] = (await auth.sign_in()).session
    listing = await walk("/editor/", "GET", "/editor/")
    token = csrf_token(listing.text)
    # An embedding site asking for what is not embeddable gets no CORS grant.
    for route, path in (("/", "/"), ("/articles/{slug}", article), ("/embed/{slug}", f"/embed/{SEED_SLUG}"),
                        ("/preferences", "/preferences"), ("/healthz", "/healthz"), ("/editor/", "/editor/"),
                        ("/api/articles", "/api/articles"), ("/editor/login", "/editor/login")):  # fmt: skip
        await walk(route, "GET", path, headers=embedder)
    await walk("/editor/new", "GET", "/editor/new")
    await walk("/editor/import", "GET", "/editor/import")
    await walk("/editor/articles/{slug}", "GET", f"/editor/articles/{EN_SLUG}")
    await walk("/editor/articles/{slug}/check", "GET", f"/editor/articles/{EN_SLUG}/check")
    await walk("/editor/articles/{slug}/preview", "GET", f"/editor/articles/{EN_SLUG}/preview")
    await walk("/editor/articles/{slug}/delete", "GET", f"/editor/articles/{EN_SLUG}/delete")
    await walk("/editor/preview/{slug}", "GET", f"/editor/preview/{EN_SLUG}", params={"settings": "1|s:400"})
    form = {"title": "Headers", "lang": "en", "body": "Body.", "body_format": "markdown", "csrf_token": token}
    await walk("/editor/preview", "POST", "/editor/preview", data=form)
    await walk("/editor/new", "POST", "/editor/new", data={**form, "slug": "headers", "action": "save"})
    await walk("/editor/articles/{slug}", "POST", "/editor/articles/headers", data={**form, "action": "save"})
    # A second version, so that the history has an earlier one to show and restore.
    await walk("/editor/articles/{slug}", "POST", "/editor/articles/headers",
               data={**form, "title": "Headers, again", "version": "1", "action": "save"})  # fmt: skip
    await walk("/editor/articles/{slug}/history", "GET", "/editor/articles/headers/history")
    await walk("/editor/articles/{slug}/history/{version:int}", "GET", "/editor/articles/headers/history/1")
    await walk("/editor/articles/{slug}/history/{version:int}", "POST", "/editor/articles/headers/history/1",
               data={"csrf_token": token, "version": "2"})  # fmt: skip
    upload = ("h.md", b"---\nlang: en\nslug: imported-headers\n---\n# Imported\n\nBody.\n", "text/markdown")
    await walk("/editor/import", "POST", "/editor/import", data={"csrf_token": token}, files={"files": upload})
    await walk("/editor/articles/{slug}/delete", "POST", "/editor/articles/headers/delete",
               data={"csrf_token": token, "version": "3"})  # fmt: skip
    # The deleted article: listed, shown, restored (as version 4).
    await walk("/editor/deleted", "GET", "/editor/deleted")
    await walk("/editor/deleted/{slug}", "GET", "/editor/deleted/headers")
    await walk("/editor/deleted/{slug}", "POST", "/editor/deleted/headers", data={"csrf_token": token, "version": "3"})
    await walk("/editor/new", "POST", "/editor/new", data={**form, "csrf_token": "forged"})  # 403
    await walk("/editor/logout", "POST", "/editor/logout", data={"csrf_token": token})
    await walk("/editor/", "GET", "/editor/")  # signed out: to the sign-in form
    # The API: reads, a write without and with a token, the reports, the description.
    api_token = await app.state["accounts"].create_token(f"headers-{walk.http.base_url.scheme}")
    bearer = {"authorization": f"Bearer {api_token}"}
    body = {"lang": "en", "title": "Via the API", "body_html": "<p>x</p>"}
    await walk("/api/articles", "GET", "/api/articles")
    await walk("/api/articles/{slug}", "GET", f"/api/articles/{SEED_SLUG}")
    # Reads with a token (drafts too: the client's own answers), and with one that is not valid (401).
    await walk("/api/articles", "GET", "/api/articles", headers=bearer)
    await walk("/api/articles/{slug}", "GET", f"/api/articles/{SEED_SLUG}", headers=bearer)
    await walk("/api/articles/{slug}", "GET", f"/api/articles/{SEED_SLUG}", headers={"authorization": "Bearer x"})
    await walk("/api/articles/{slug}", "PUT", "/api/articles/via-api", json=body)  # 401
    await walk("/api/articles/{slug}", "PUT", "/api/articles/via-api", json=body, headers=bearer)
    await walk("/api/articles/{slug}/rename", "POST", "/api/articles/via-api/rename", json={"slug": "renamed"})  # 401
    await walk(
        "/api/articles/{slug}/rename", "POST", "/api/articles/via-api/rename", json={"slug": "renamed"}, headers=bearer
    )
    # Its old address: redirects (301, 308 in the API), with each route's headers.
    for route in ("/articles/{slug}", "/articles/{slug}/fragment", "/embed/{slug}", "/api/articles/{slug}"):
        await walk(route, "GET", route.replace("{slug}", "via-api"))
    await walk("/api/articles/{slug}", "DELETE", "/api/articles/renamed", headers=bearer)  # 204
    await walk("/api/articles/{slug}/readability", "GET", f"/api/articles/{EN_SLUG}/readability")
    await walk("/api/readability", "POST", "/api/readability", json={"lang": "en", "text": "One. Two."})
    await walk("/api/openapi.json", "GET", "/api/openapi.json")
    # Static files, fresh and revalidated.
    style = await walk("/static", "GET", "/static/css/reader.css")
    await walk("/static", "GET", "/static/css/reader.css", headers={"if-none-match": style.headers["etag"]})
    await walk("/static", "GET", "/static/img/icon.svg")  # an image that is a document when opened alone
    # Error answers: 404 (page, fragment, API), 405, 413.
    await walk(NO_ROUTE, "GET", "/no/such/page")
    await walk("/articles/{slug}/fragment", "GET", "/articles/no-such-article/fragment")
    await walk("/embed/{slug}", "GET", "/embed/no-such-article")
    await walk("/api/articles/{slug}", "GET", "/api/articles/no-such-article")
    await walk("/", "DELETE", "/")
    await walk("/preferences", "POST", "/preferences", content=b"x" * 1_100_000,
               headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
