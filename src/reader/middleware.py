"""Pure ASGI middleware: the headers each route's kind asks for (security, framing, caching), a cap on
request body size, a refusal of query strings that are not UTF-8, and compression of public answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipResponder, IdentityResponder
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reader.codings import CODINGS, BrotliResponder, accepted_codings, tag_end, tagged
from reader.http_cache import shared_cache_headers
from reader.kinds import Frame, Kind, Route, kind_of, route_of, sends_token
from reader.state import Request

_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; font-src 'self'; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def content_security_policy(frame_ancestors: Sequence[str] = ()) -> str:
    """reader's policy, framable by the given sources (origins or 'self'); by nobody when there are none."""
    sources = " ".join(frame_ancestors) or "'none'"
    return f"{_POLICY}; frame-ancestors {sources}"


def security_headers(frame_ancestors: Sequence[str] = ()) -> dict[str, str]:
    """reader's security headers for answers framable by the given sources (by nobody when there are none).

    X-Frame-Options can only say DENY or SAMEORIGIN: an answer other sites may frame has none, which would
    forbid what its CSP allows."""
    headers = {
        "content-security-policy": content_security_policy(frame_ancestors),
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        # (No longer `interest-cohort=()`: FLoC's, which no browser has known since 2022; Chromium's console
        # called it an unrecognized feature, and it was 20 bytes of every page.)
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if not frame_ancestors:
        headers["x-frame-options"] = "DENY"
    elif tuple(frame_ancestors) == ("'self'",):
        headers["x-frame-options"] = "SAMEORIGIN"
    return headers


SECURITY_HEADERS = security_headers()
# A static file (a kind that is not a document) is not rendered as a page, so a policy for what a page may
# load, embed, open or be framed by has nothing to govern; nosniff keeps a script or stylesheet from being
# taken for something else. An SVG image opened on its own is a document, so it gets a policy too: it may
# load nothing, run nothing and be framed by nobody (reader's images are shapes and text).
STATIC_HEADERS = {"x-content-type-options": "nosniff"}
SVG_HEADERS = {**STATIC_HEADERS, "content-security-policy": "default-src 'none'; frame-ancestors 'none'"}


def add_security_headers(headers: MutableHeaders, values: Mapping[str, str] = SECURITY_HEADERS) -> None:
    """reader's security headers (framable by nobody unless `values` say otherwise), where a response has
    not set its own."""
    for name, value in values.items():
        if name not in headers:
            headers[name] = value


# Where a handler says that its answer takes the place of another kind's document, framed as that one is:
# a Frame in the scope (a preference form's no-JS answer shown in an embed's frame). Nothing else can widen
# who may frame an answer.
FRAMED_AS = "reader.framed_as"


def framing_of(kind: Kind | None, scope: Scope | None = None) -> Frame:
    """Who may frame an answer on a route of this kind (nobody when no route takes the path), unless its
    handler said otherwise (FRAMED_AS)."""
    if scope is not None and (framed_as := scope.get(FRAMED_AS)) is not None:
        return cast(Frame, framed_as)
    return kind.frame if kind is not None else Frame.NOBODY


def frame_ancestors(frame: Frame, embed_frame_ancestors: Sequence[str]) -> tuple[str, ...]:
    """The frame-ancestors sources for a kind's framing (none: nobody)."""
    return {Frame.NOBODY: (), Frame.SELF: ("'self'",), Frame.EMBEDDERS: tuple(embed_frame_ancestors)}[frame]


def framed_headers(frame: Frame, embed_frame_ancestors: Sequence[str]) -> dict[str, str]:
    """The security headers of a document framable as `frame` says."""
    headers = security_headers(frame_ancestors(frame, embed_frame_ancestors))
    if frame is Frame.EMBEDDERS:
        # A cross-origin isolated host page (COEP require-corp) may frame only documents that are isolated
        # too. credentialless, not require-corp: an article's images from other sites then load (without
        # cookies) though they send no Cross-Origin-Resource-Policy of their own.
        headers["cross-origin-embedder-policy"] = "credentialless"
    return headers


class RouteHeaders:
    """Adds the headers the request's route asks for (reader.kinds), to every response that does not set its own:

    - the security headers, with the framing the kind allows (framed_headers; error answers too: a missing
      article in another site's frame says so inside the frame, instead of the browser's "refused to
      connect"); on static files (kinds that are not documents) only those that mean something for them;
    - Cross-Origin-Resource-Policy: cross-origin where other sites load the answers;
    - `Cache-Control: no-store` on personal kinds, and on answers to a request with a token where the kind
      takes one (`Vary: Authorization` on all of them); on a public page whose handler said nothing, the
      caching every page built from the reader's settings and language gets (reader.http_cache).

    Starlette answers unhandled exceptions (500) outside all middleware, so that handler adds the security
    headers itself (reader.views.errors.server_error).
    """

    def __init__(self, app: ASGIApp, embed_frame_ancestors: Sequence[str], personal: Callable[[Scope], bool]) -> None:
        self.app = app
        self.personal = personal
        self.by_frame = {frame: framed_headers(frame, embed_frame_ancestors) for frame in Frame}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = kind_of(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                status: int = message["status"]
                if kind is not None and not kind.document and status < 400:
                    svg = headers.get("content-type", "").startswith("image/svg+xml")
                    add_security_headers(headers, SVG_HEADERS if svg else STATIC_HEADERS)
                else:
                    add_security_headers(headers, self.by_frame[framing_of(kind, scope)])
                if kind is not None:
                    self._kind_headers(kind, scope, status, headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _kind_headers(self, kind: Kind, scope: Scope, status: int, headers: MutableHeaders) -> None:
        if kind.cross_origin and "cross-origin-resource-policy" not in headers:
            headers["cross-origin-resource-policy"] = "cross-origin"
        if not kind.indexed:
            headers["x-robots-tag"] = "noindex"
        if kind.optional_token:
            # Its answers differ with the token (drafts): no cache may give one request's answer to another.
            vary_on(headers, "Authorization")
        if kind.personal or (kind.optional_token and sends_token(scope)):
            headers["cache-control"] = "no-store"
        elif (
            kind.public
            and scope["method"] in ("GET", "HEAD")
            and (200 <= status < 300 or status == 304)
            and "cache-control" not in headers
        ):
            shared_cache_headers(headers, personal=self.personal(scope))


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodySizeLimit:
    """Refuses request bodies over a size (larger for a route taking uploads: reader.kinds.Route's
    `upload_bytes`): by Content-Length up front, or while a body streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int, too_large: Callable[[Request], Response]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = route_of(scope)
        route = found.route if found is not None and found.full else None
        max_bytes = max(self.max_bytes, route.upload_bytes if isinstance(route, Route) else 0)
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > max_bytes:
                    await self.too_large(Request(scope))(scope, receive, send)
                    return
                break
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # Raised inside the handler's body read; the app's 413 handler answers.
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)


def vary_on(headers: MutableHeaders, name: str) -> None:
    """Add `name` to Vary unless it is already listed (Starlette's add_vary_header appends it again)."""
    listed = {part.strip().lower() for value in headers.getlist("vary") for part in value.split(",")}
    if name.lower() not in listed:
        headers.add_vary_header(name)


MINIMUM_COMPRESSED_BYTES = 1024


class CompressPublic:
    """Brotli, else gzip, for answers of public kinds (reader.kinds): pages, fragments, static files; never
    the editor, the sign-in form or the API, nor a path no route takes.

    Compressing a page that carries a CSRF token next to text an attacker controls leaks the token
    (BREACH), so only kinds that hold no secret are compressed. Inside reader.response_cache, so each
    answer is compressed once and then served from memory. Static files come already compressed in
    Brotli (reader.assets); their ETags are named here like every other answer's.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = kind_of(scope) if scope["type"] == "http" else None
        if kind is None or not kind.public:
            await self.app(scope, receive, send)
            return

        # Each coded copy is another representation, so it gets its own strong validator: the ETag with
        # "-br" or "-gzip" inside the quotes (reader.codings). The views only know the plain one, so that
        # suffix comes off If-None-Match on the way in and back on a 304 on the way out. Only for codings
        # the client accepts now: a copy it could no longer read is not confirmed, it gets an answer.
        asked_tags = b""
        headers = scope["headers"]
        accepted = accepted_codings(headers)
        for index, (name, value) in enumerate(headers):
            if name == b"if-none-match" and any(tag_end(coding) in value for coding in accepted):
                asked_tags = value
                plain = value
                for coding in accepted:
                    plain = plain.replace(tag_end(coding), b'"')
                headers = [*headers]
                headers[index] = (name, plain)
        if asked_tags:
            scope = {**scope, "headers": headers}

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                etag = response_headers.get("etag")
                if etag and etag.endswith('"'):
                    coding = response_headers.get("content-encoding")
                    if coding in CODINGS:
                        response_headers["etag"] = tagged(etag, coding)
                    elif message["status"] == 304:
                        # A 304 confirms the copy the client named: the first it can read, by preference. Not
                        # always the copy a 200 would send now (a client holding the gzip copy that now takes
                        # br): RFC 9110 compares with that one; the named copy is as current, and Apache answers
                        # the same way.
                        for accepted_coding in accepted:
                            if tagged(etag, accepted_coding).encode("latin-1") in asked_tags:
                                response_headers["etag"] = tagged(etag, accepted_coding)
                                break
                # Every answer of these routes depends on Accept-Encoding, compressed or not: once in Vary.
                vary_on(response_headers, "Accept-Encoding")
            await send(message)

        responder: ASGIApp
        if "br" in accepted:
            responder = BrotliResponder(self.app, MINIMUM_COMPRESSED_BYTES)
        elif "gzip" in accepted:
            responder = GZipResponder(self.app, MINIMUM_COMPRESSED_BYTES, compresslevel=6)
        else:
            responder = IdentityResponder(self.app, MINIMUM_COMPRESSED_BYTES)
        await responder(scope, receive, send_tagged)


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
