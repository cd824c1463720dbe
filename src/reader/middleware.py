"""Pure ASGI middleware: security headers on every response, a cap on request body size, a refusal
of query strings that are not UTF-8, and compression of public answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; font-src 'self'; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def content_security_policy(frame_ancestors: Sequence[str] = ()) -> str:
    """reader's policy, framable by the given sources (origins or 'self'); by nobody when there are none."""
    sources = " ".join(frame_ancestors) or "'none'"
    return f"{_POLICY}; frame-ancestors {sources}"


CONTENT_SECURITY_POLICY = content_security_policy()

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def add_security_headers(headers: MutableHeaders) -> None:
    """reader's security headers, where a response has not set its own.

    A response that allows framing (a frame-ancestors other than 'none') gets no X-Frame-Options, which
    would forbid what its CSP allows."""
    framable = "frame-ancestors 'none'" not in headers.get("content-security-policy", "frame-ancestors 'none'")
    for name, value in SECURITY_HEADERS.items():
        if name not in headers and not (framable and name == "x-frame-options"):
            headers[name] = value


class SecurityHeaders:
    """Adds reader's security headers to every response that does not set its own.

    Starlette answers unhandled exceptions (500) outside all middleware, so that handler adds them itself
    (reader.views.errors.server_error)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodySizeLimit:
    """Refuses request bodies over a size: by Content-Length up front, or while a body streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int, too_large: Callable[[Request], Response]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_bytes:
                    await self.too_large(Request(scope))(scope, receive, send)
                    return
                break
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the handler's body read; the app's 413 handler answers.
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)


GZIP_TAG_END = b'-gzip"'


class CompressPublic:
    """gzip for answers that hold no secret: pages, fragments, static files; never the editor or the API.

    Compressing a page that carries a CSRF token next to text an attacker controls leaks the token
    (BREACH), so those paths go out as they are. Inside reader.response_cache, so each answer is
    compressed once and then served from memory.
    """

    def __init__(self, app: ASGIApp, private_prefixes: tuple[str, ...] = ("/editor", "/api/")) -> None:
        self.app = app
        self.compressed = GZipMiddleware(app, minimum_size=1024, compresslevel=6)
        self.private_prefixes = private_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.private_prefixes):
            await self.app(scope, receive, send)
            return

        # The gzipped bytes are another representation, so they get their own strong validator: the
        # ETag with "-gzip" inside the quotes (as Apache does). The views only know the plain one, so
        # that suffix comes off If-None-Match on the way in and back on a 304 on the way out.
        asked_tags = b""
        accepts_gzip = False
        headers = scope["headers"]
        for index, (name, value) in enumerate(headers):
            if name == b"accept-encoding":
                accepts_gzip = b"gzip" in value.lower()
            elif name == b"if-none-match" and GZIP_TAG_END in value:
                asked_tags = value
                headers = [*headers]
                headers[index] = (name, value.replace(GZIP_TAG_END, b'"'))
        if asked_tags:
            scope = {**scope, "headers": headers}

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                etag = response_headers.get("etag")
                if etag and etag.endswith('"'):
                    gzip_tag = etag[:-1] + '-gzip"'
                    if response_headers.get("content-encoding") == "gzip":
                        response_headers["etag"] = gzip_tag  # (GZipMiddleware added the Vary)
                    else:
                        # A 304 confirms the copy the client named: the gzipped one only if it named that
                        # tag and can read gzip. Plain answers and 304s carry the Vary a gzipped one has.
                        if message["status"] == 304 and accepts_gzip and gzip_tag.encode("latin-1") in asked_tags:
                            response_headers["etag"] = gzip_tag
                        response_headers.add_vary_header("Accept-Encoding")
            await send(message)

        await self.compressed(scope, receive, send_tagged)


class QueryStringCheck:
    """Answers 400 to a query string that is not UTF-8 (raw bytes a browser never sends unencoded), which
    Starlette would otherwise fail to decode in whichever handler first reads a parameter."""

    def __init__(self, app: ASGIApp, bad_request: Callable[[Request], Response]) -> None:
        self.app = app
        self.bad_request = bad_request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query: bytes = scope["query_string"]
            # isascii() first: the common case costs one C call.
            if not query.isascii():
                try:
                    query.decode("utf-8")
                except UnicodeDecodeError:
                    # The error page reads the request (its URL, ?lang=): show it one without the query.
                    answer = self.bad_request(Request({**scope, "query_string": b""}))
                    await answer(scope, receive, send)
                    return
        await self.app(scope, receive, send)
