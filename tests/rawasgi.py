"""A minimal in-process HTTP client that hands the ASGI app exactly what uvicorn would.

httpx normalizes what it sends (it removes `..` segments, re-encodes paths, refuses some header bytes), so
the fuzz and body-limit tests build the ASGI scope themselves: `path` is the percent-decoded wire path
(as uvicorn's `unquote`), `raw_path` and `query_string` are the bytes as sent, headers are raw bytes, and
a body can arrive in chunks without a Content-Length (chunked transfer encoding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from starlette.types import ASGIApp, Message

Headers = Sequence[tuple[bytes, bytes]]


@dataclass
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    @property
    def content_type(self) -> bytes:
        return (self.header(b"content-type") or b"").split(b";")[0].strip().lower()


async def request(
    app: ASGIApp,
    method: str,
    wire_path: str,
    *,
    query: bytes = b"",
    headers: Headers = (),
    body: bytes = b"",
    chunks: Sequence[bytes] | None = None,
    client: tuple[str, int] = ("127.0.0.1", 40000),
    announced: int | None = None,
) -> Answer:
    """One request; `wire_path` is the path as it appears on the request line (percent-encoded).

    With `chunks`, the body arrives in those pieces and no Content-Length is sent. With `announced`, that
    is the Content-Length sent, and a client that announced more than `body` goes away after sending it.
    """
    all_headers = [(b"host", b"testserver"), *headers]
    if chunks is None:
        pieces = [body]
        if body or method in ("POST", "PUT") or announced is not None:
            all_headers.append((b"content-length", str(len(body) if announced is None else announced).encode()))
    else:
        pieces = list(chunks) or [b""]
        all_headers.append((b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(wire_path),
        "raw_path": wire_path.encode("ascii"),
        "query_string": query,
        "root_path": "",
        "headers": all_headers,
        "client": client,
        "server": ("testserver", 80),
        "state": {},
    }
    cut_off = announced is not None and announced > len(body)
    messages: list[Message] = [
        {"type": "http.request", "body": piece, "more_body": cut_off or number < len(pieces) - 1}
        for number, piece in enumerate(pieces)
    ]
    answer = Answer(status=0)

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(scope, receive, send)
    return answer


def multipart(fields: Sequence[tuple[str, str]], files: Sequence[tuple[str, str, bytes]] = ()) -> tuple[bytes, bytes]:
    """A multipart/form-data body as browsers write it (quotes and line breaks in names percent-encoded)."""
    boundary = b"fuzzboundary7MA4YWxkTrZu0gW"

    def name(value: str) -> bytes:
        return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A").encode("utf-8")

    parts = [
        b'Content-Disposition: form-data; name="' + name(key) + b'"\r\n\r\n' + value.encode("utf-8")
        for key, value in fields
    ]
    parts += [
        b'Content-Disposition: form-data; name="' + name(key) + b'"; filename="' + name(filename) + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content
        for key, filename, content in files
    ]
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts) + b"--" + boundary + b"--\r\n"
    return b"multipart/form-data; boundary=" + boundary, body
