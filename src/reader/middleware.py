"""Pure ASGI middleware: security headers on every response, and a cap on request body size."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
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
