"""CORS for embedding sites: an allowlist of origins may read fragments and post preference changes
with credentials; every other origin gets no CORS grant at all."""

from __future__ import annotations

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# htmx 2.x and 4.x request headers (neither set is CORS-safelisted, so htmx requests are preflighted).
HTMX_REQUEST_HEADERS = (
    "HX-Request", "HX-Current-URL", "HX-Target", "HX-Trigger", "HX-Trigger-Name", "HX-Boosted", "HX-Prompt",
    "HX-History-Restore-Request", "HX-Source", "HX-Request-Type",
)  # fmt: skip
HTMX_RESPONSE_HEADERS = (
    "HX-Trigger", "HX-Trigger-After-Swap", "HX-Trigger-After-Settle", "HX-Push-Url", "HX-Replace-Url",
    "HX-Redirect", "HX-Location", "HX-Refresh", "HX-Retarget", "HX-Reswap", "HX-Reselect",
)  # fmt: skip
ALLOWED_REQUEST_HEADERS = ", ".join((*HTMX_REQUEST_HEADERS, "Accept", "Content-Type", "Reader-Prefs"))
EXPOSED_RESPONSE_HEADERS = ", ".join((*HTMX_RESPONSE_HEADERS, "Reader-Prefs", "ETag", "Last-Modified"))

# Only what an embed needs, with only the methods it uses: reading the fragment, posting the preference
# form, oEmbed. Never the settings page, the editor or the API.
CORS_ROUTES = (
    (re.compile(r"^/articles/[^/]+/fragment$"), "GET"),
    (re.compile(r"^/preferences$"), "POST"),
    (re.compile(r"^/oembed$"), "GET"),
)


def _cors_method(path: str) -> str | None:
    for pattern, method in CORS_ROUTES:
        if pattern.match(path):
            return method
    return None


class EmbedCors:
    """Grants credentialed CORS to the configured embedding origins on the embed paths."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = _cors_method(scope["path"]) if scope["type"] == "http" else None
        if method is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and origin in self.origins
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            requested = headers["access-control-request-method"].upper()
            await self._preflight(allowed and requested == method, origin, method)(scope, receive, send)
            return
        allowed = allowed and scope["method"] in (method, "HEAD")

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
    def _preflight(allowed: bool, origin: str | None, method: str) -> PlainTextResponse:
        if not allowed or origin is None:
            return PlainTextResponse("Origin not allowed", status_code=403, headers={"vary": "Origin"})
        return PlainTextResponse(
            "",
            status_code=204,
            headers={
                "access-control-allow-origin": origin,
                "access-control-allow-credentials": "true",
                "access-control-allow-methods": method,
                "access-control-allow-headers": ALLOWED_REQUEST_HEADERS,
                "access-control-max-age": "600",
                "vary": "Origin",
            },
        )
