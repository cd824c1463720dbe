"""CORS for embedding sites: an allowlist of origins may read fragments and post preference changes
with credentials; every other origin gets no CORS grant at all. Which routes, and with which methods, their
kinds say (reader.kinds.Cors): never the settings page, the editor or the API."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reader.kinds import Cors, Found, RouteIndex, as_asked, route_of

# htmx 2.x and 4.x request headers (neither set is CORS-safelisted, so htmx requests are preflighted).
HTMX_REQUEST_HEADERS = (
    "HX-Request", "HX-Current-URL", "HX-Target", "HX-Trigger", "HX-Trigger-Name", "HX-Boosted", "HX-Prompt",
    "HX-History-Restore-Request", "HX-Source", "HX-Request-Type",
)  # fmt: skip
# Every response header htmx 2.x reads with getResponseHeader, which logs "Refused to get unsafe header" for
# one a CORS answer does not expose, on every swap (HX-Push: htmx 1's name, still read before HX-Push-Url).
HTMX_RESPONSE_HEADERS = (
    "HX-Trigger", "HX-Trigger-After-Swap", "HX-Trigger-After-Settle", "HX-Push", "HX-Push-Url", "HX-Replace-Url",
    "HX-Redirect", "HX-Location", "HX-Refresh", "HX-Retarget", "HX-Reswap", "HX-Reselect",
)  # fmt: skip
ALLOWED_REQUEST_HEADERS = ", ".join((*HTMX_REQUEST_HEADERS, "Accept", "Content-Type", "Reader-Prefs"))
EXPOSED_RESPONSE_HEADERS = ", ".join((*HTMX_RESPONSE_HEADERS, "Reader-Prefs", "Reader-Saved", "ETag", "Last-Modified"))


def _methods(found: Found) -> str:
    """The methods a CORS grant names: the route's own (a GET route takes HEAD too, which needs no grant)."""
    methods = getattr(found.route, "methods", None) or {"GET"}
    return ", ".join(sorted(method for method in methods if method != "HEAD"))


class EmbedCors:
    """Grants CORS as the route's kind says: credentialed to the configured embedding origins, or to anyone
    without credentials (static files)."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = (route_of(scope) or _slash_twin_route(scope)) if scope["type"] == "http" else None
        if found is None or found.kind.cors is Cors.NONE:
            await self.app(scope, receive, send)
            return
        if found.kind.cors is Cors.ANYONE:
            await self.app(scope, receive, _granting_anyone(send))
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        # A preflight was looked up with the method it asks about (reader.kinds.RouteLookup): `full` says
        # the route takes that method.
        allowed = origin is not None and origin in self.origins and found.full
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(allowed, origin, _methods(found))(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers.add_vary_header("Origin")
                if allowed and origin:
                    response_headers["access-control-allow-origin"] = origin
                    response_headers["access-control-allow-credentials"] = "true"
                    response_headers["access-control-expose-headers"] = EXPOSED_RESPONSE_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _preflight(allowed: bool, origin: str | None, methods: str) -> PlainTextResponse:
        if not allowed or origin is None:
            return PlainTextResponse("Origin not allowed", status_code=403, headers={"vary": "Origin"})
        return PlainTextResponse(
            "",
            status_code=204,
            headers={
                "access-control-allow-origin": origin,
                "access-control-allow-credentials": "true",
                "access-control-allow-methods": methods,
                "access-control-allow-headers": ALLOWED_REQUEST_HEADERS,
                "access-control-max-age": "600",
                "vary": "Origin",
            },
        )


def grants_embedders(scope: Scope) -> bool:
    """Whether EmbedCors grants the embedding allowlist CORS on the scope's route (or its trailing-slash
    twin's): for the answers the server gives before the application (reader.http_protocol), whose grant
    must be no wider than the application's. `scope`: an HTTP scope with the app's state (its route index)."""
    index: RouteIndex | None = scope.get("state", {}).get("routes")
    if index is None:
        return False
    found = index.find_in(scope) or _slash_twin_route(scope)
    return found is not None and found.kind.cors is Cors.EMBEDDERS


def _slash_twin_route(scope: Scope) -> Found | None:
    """For an address no route takes, the route at its trailing-slash twin, which reader redirects it to
    (reader.views.errors.slash_twin): a cross-site fetch follows that redirect only if it has the twin's grant
    (a fragment's address with a slash added, as a CMS may write it, was blocked by the browser)."""
    index: RouteIndex | None = scope.get("state", {}).get("routes")
    if index is None:
        return None
    twin = index.slash_twin(as_asked(scope) if scope["method"] == "OPTIONS" else scope)
    return None if twin is None else twin[1]


def _granting_anyone(send: Send) -> Send:
    async def send_granting(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message).setdefault("access-control-allow-origin", "*")
        await send(message)

    return send_granting
