"""Error pages in the UI language: a page, or a fragment on fragment URLs; never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import Scope

from reader import i18n
from reader.db import DatabaseUnavailable
from reader.i18n import N_
from reader.kinds import Frame, Route, RouteIndex, kind_of
from reader.middleware import FRAMED_AS, add_security_headers, framed_headers, framing_of
from reader.request_id import NO_ANSWER
from reader.state import Request
from reader.views.api import NO_ROOM, error_response
from reader.views.moved import redirect_cache
from reader.web import prefs_for, render, ui_lang_for

logger = logging.getLogger("reader")
FALLBACK_500 = "Đã xảy ra lỗi. Something went wrong.\n"

_MESSAGES = {
    400: (N_("Bad request"), N_("reader could not understand this request.")),
    403: (N_("Not allowed"), N_("This request came from another site, so reader refused it.")),
    404: (
        N_("Page not found"),
        N_("There is no page at this address. The article may have moved or been removed."),
    ),
    405: (N_("Method not allowed"), N_("This address does not accept that kind of request.")),
    413: (N_("Request too large"), N_("The request was larger than reader accepts.")),
    # Not a fault to wait out (the 5xx default says "try again"): oEmbed's answer to a format it does not offer.
    501: (N_("Not supported"), N_("reader does not offer what this request asks for.")),
    500: (N_("Something went wrong"), N_("reader could not show this page. Please try again in a moment.")),
    503: (
        N_("Temporarily unavailable"),
        # A write the database lost in its COMMIT may have been saved after all: "nothing changed" can be false.
        N_(
            "reader cannot reach its database just now. Anything you were saving may not have been saved: "
            "please check it, and try again in a moment."
        ),
    ),
    # RFC 4918, 11.5 Insufficient Storage: the disk holding the database is full. Not 503's "try again in a
    # moment": it stays full until someone makes room, and the write was rolled back, so it says so.
    507: (
        N_("Not saved: no room left"),
        N_(
            "The server has no room left to store this, so it was not saved. Please keep a copy of your work "
            "and tell the site's administrator."
        ),
    ),
}
# Every error page's title (each is capped to keep its longest word whole: reader.title_fit).
HEADINGS = tuple(heading for heading, _ in _MESSAGES.values())
# An embed's 404 reached after a change made in it on an article deleted meanwhile (reader.views.prefs sends
# the frame to ?kept=1) says the change was kept: the setting is the reader's, not the article's (the same
# words as the fragment's data-gone, templates/_status.html, which has them as `gone_message`: reader.app). Then
# js/reader-embed.js focuses its heading.
KEPT_PARAM = "kept"
GONE_MESSAGE = N_("This article has been removed, so it can no longer be shown here. Your setting was kept.")
# What a 503 tells clients to wait: about how long a database restart or fail-over takes.
RETRY_AFTER_SECONDS = 5


def error_page(
    request: Request,
    status_code: int,
    headers: dict[str, str] | None = None,
    *,
    explanation: str | None = None,
    links: Sequence[tuple[str, str]] = (),
    search: str = "",
) -> Response:
    """The error page (or fragment, or JSON, as the route's kind says) for a status code, in the UI
    language: ?lang= (as embedding sites ask for it), else the browser's. `explanation` (already in that
    language) says more exactly what went wrong than the status's own, and `links` (address, words) where
    to go instead; `search`, the words a reader searched for (a search's page that is not there), kept in
    the 404 page's search field as the results page keeps them."""
    lang = ui_lang_for(request, requested=request.query_params.get("lang"))
    heading, default_explanation = _MESSAGES.get(status_code, _MESSAGES[400 if status_code < 500 else 500])
    kind = kind_of(request.scope)
    if kind is not None and kind.api:
        # In English, as every other API error message is (docs/api.md): a program reads these, and one
        # language whatever the client's Accept-Language keeps them the same for every client.
        return error_response(status_code, explanation or default_explanation, headers=headers)
    template = "error.html"
    if kind is not None and kind.fragment:
        template = "error_fragment.html"
    elif framing_of(kind, request.scope) is Frame.EMBEDDERS:
        template = "error_embed.html"  # inside another site's frame: no masthead, links open outside it
    context = {
        "page_lang": lang,
        "prefs": prefs_for(request),
        "heading": i18n.gettext(lang, heading),
        "explanation": explanation or i18n.gettext(lang, default_explanation),
        "pages_links": links,
        # A reader who followed a broken link may find what they wanted by its words: the site's search, on
        # reader's own full page (not in a fragment, nor in another site's frame).
        "offer_search": status_code == 404 and template == "error.html",
        "search": search,
        "kept": (
            i18n.gettext(lang, GONE_MESSAGE)
            if template == "error_embed.html" and status_code == 404 and request.query_params.get(KEPT_PARAM) == "1"
            else ""
        ),
    }
    response = render(request, template, lang, context, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the methods of the first route that matched the path; an address served by
        # several routes (one per method) accepts all of theirs.
        allowed = allowed_methods(request.state["routes"], request.scope)
        if allowed:  # (a mounted app, the static files, has no routes to ask)
            headers["Allow"] = ", ".join(allowed)
    elif exc.status_code == 404 and (redirect := slash_redirect(request)) is not None:
        return redirect
    return error_page(request, exc.status_code, headers)


def slash_redirect(request: Request) -> Response | None:
    """The 307 to the address's trailing-slash twin (slash_twin), if a route serves that, with the headers that
    route's answers carry: framed as its kind says, with Cross-Origin-Resource-Policy where other sites load
    its answers (a cross-origin isolated page, COEP require-corp, checks it on every redirect of its frame's
    navigation, and showed an error instead of following), and cached as a rename's redirect to it is
    (reader.views.moved). EmbedCors grants it the twin's CORS."""
    found = request.state["routes"].slash_twin(request.scope)
    if found is None:
        return None
    twin, route = found
    # Read by RouteHeaders, which finds no route of its own for this address (nobody may frame it otherwise).
    request.scope[FRAMED_AS] = framing_of(route.kind)
    headers = {"cache-control": redirect_cache(route.kind)}
    if route.kind.cross_origin:
        headers["cross-origin-resource-policy"] = "cross-origin"
    return RedirectResponse(slash_twin(twin, request.scope), status_code=307, headers=headers)


def slash_twin(twin: str, scope: Scope) -> str:
    """The address of `twin`, an address no route serves with its trailing slash added or taken away
    (RouteIndex.slash_twin), as a relative reference with the request's query, so a forged Host header cannot
    choose where it leads.

    Starlette's own redirect (Router.redirect_slashes, off in reader.app) writes the request's Host into an
    absolute URL. RouteIndex.slash_twin finds no twin beginning with "//": a browser reads it as another host.
    """
    query = scope.get("query_string", b"").decode("latin-1")
    return quote(twin, safe="/:@!$&'()*+,;=~") + (f"?{query}" if query else "")


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")


def allowed_methods(index: RouteIndex, scope: Scope) -> list[str]:
    """Every method a route of the table takes at the request's path."""
    # The request as it came in: a Mount the router went through has moved its root_path.
    asked = {"type": "http", "path": scope["path"], "root_path": scope.get("app_root_path", scope.get("root_path", ""))}
    methods = []
    for method in _METHODS:
        found = index.find_in({**asked, "method": method})
        if found is not None and found.full and isinstance(found.route, Route):
            methods.append(method)
    return methods


async def server_error(request: Request, exc: Exception) -> Response:
    # %r: a percent-decoded path may hold a line break, which must not start a forged log line.
    logger.exception("unhandled error on %s %r", request.method, request.url.path, exc_info=exc)
    try:
        response = error_page(request, 500)
    except Exception:
        # The page itself failed (the cause may be what it renders with): still no traceback to the reader.
        logger.exception("the error page failed too")
        response = PlainTextResponse(FALLBACK_500, status_code=500, headers={"cache-control": "no-store"})
    # Starlette sends this answer from outside every middleware, RouteHeaders included: the framing its route
    # allows is worked out here (an embed's error shows in the embedding site's frame).
    frame = framing_of(kind_of(request.scope), request.scope)
    add_security_headers(response.headers, framed_headers(frame, request.state["settings"].embed_frame_ancestors))
    return response


async def client_gone(request: Request, exc: Exception) -> Response:
    """A request whose body stopped being readable (the client went, or reader.http_protocol refused the
    body and answered for it): no one to answer and nothing wrong on the server, so no error page and no
    traceback in the error log (any client could fill it). The access log says 499, as nginx does, unless the
    protocol has answered the request (its 400 or 408 is then the line)."""
    assert isinstance(exc, ClientDisconnect)
    return Response(status_code=NO_ANSWER, headers={"cache-control": "no-store"})


# The methods that write nothing: a full disk stops them as an unreachable database does.
_READS = frozenset({"GET", "HEAD"})


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """The database cannot be reached: 503 with Retry-After (pages in the answer cache are still served);
    its disk is full: 507 for a write, not saved (reads go on). A read that meets a full disk (PostgreSQL's
    disk_full from a sort spilling to temporary files) is a 503: "not saved" would be wrong, and the answer
    cache replays its stored page only on a 503 (reader.response_cache)."""
    assert isinstance(exc, DatabaseUnavailable)
    if exc.full and request.method not in _READS:
        logger.error("database full on %s %r, nothing saved: %s", request.method, request.url.path, exc)
        kind = kind_of(request.scope)
        # The API's own words, those its OpenAPI document gives: the page's advice is for a person.
        return error_page(request, 507, explanation=NO_ROOM.description if kind is not None and kind.api else None)
    # A reason logged once already (a refused file at the path) is not repeated for every request it stops.
    level = logging.DEBUG if exc.logged else logging.WARNING
    logger.log(level, "database unavailable on %s %r: %s", request.method, request.url.path, exc)
    return error_page(request, 503, {"retry-after": str(RETRY_AFTER_SECONDS)})


def too_large(request: Request) -> Response:
    return error_page(request, 413)


def bad_request(request: Request) -> Response:
    return error_page(request, 400)
