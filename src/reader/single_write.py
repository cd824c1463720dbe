"""An answer known in full, written to its connection in one system call.

uvicorn's httptools protocol writes an answer's status line and headers with one `transport.write` and
its body with another, and uvloop sends each at once (it writes straight away whenever nothing is
queued): two `send` calls, and with TCP_NODELAY two TCP segments, for every cached answer. On loopback and
behind a local proxy the receiving half of each segment is processed on the same core as well. Held and
handed to `transport.writelines` together they go out in one `writev` and one segment where they fit, as
nginx writes a response's header and body. Measured side by side (docs/performance.md): 1.08× the
requests per CPU-second on the cached article page.

Only uvicorn's httptools cycle is treated so; its `send` is known to write through `transport.write` and
`transport.close` only, and `tests/test_single_write.py` holds it to that against the installed uvicorn.
Anything else it might ask of the transport goes to the real one. Any other server's `send` is called
as it is.

A stored answer (reader.response_cache) goes further: its status line and headers are the same bytes every
time but for the date and the request id, yet uvicorn's `send` checks each header against two patterns,
lowercases it and joins the lines again for every answer (about 6 µs for a 304's twelve headers in a loop of
its own, a sixth of what the whole request costs). `head_bytes` serializes a stored answer's headers once,
as uvicorn would, and `write_stored` writes the answer with them and does what uvicorn's `send` does to the
cycle's state after a whole answer; anything unusual (a paused or closed connection, a header uvicorn
treats specially) goes the ordinary way. The test holds its bytes and its writes to uvicorn's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.types import Message, Send

# uvicorn's httptools cycle and its status lines, looked up once, not per answer; None where they cannot be
# imported.
HTTPTOOLS_CYCLE: type[Any] | None
STATUS_LINES: dict[int, bytes]
try:
    from uvicorn.protocols.http.httptools_impl import HEADER_RE as _BAD_NAME
    from uvicorn.protocols.http.httptools_impl import HEADER_VALUE_RE as _BAD_VALUE
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE as STATUS_LINES
    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle as HTTPTOOLS_CYCLE
except ImportError:  # pragma: no cover - uvicorn[standard] is a dependency; another server may run reader
    HTTPTOOLS_CYCLE = None
    STATUS_LINES = {}

# Headers whose values change what uvicorn's `send` does (framing, closing): an answer carrying one is sent
# the ordinary way.
_FRAMING = frozenset({b"transfer-encoding", b"connection"})


class HeldWrites:
    """A stand-in for a connection's transport while one answer is sent: writes are kept, a close noted,
    anything else passed to the real transport."""

    __slots__ = ("transport", "chunks", "closed")

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.chunks: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.chunks.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed or bool(self.transport.is_closing())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


async def send_whole(send: Send, start: Message, body: Message) -> None:
    """Send an answer's start and its one body message; to uvicorn's httptools server, in one write when
    there is a body (without one, as a 304 or a 204, the start is the only write and holding it costs)."""
    cycle: Any = getattr(send, "__self__", None)
    if not body.get("body") or cycle is None or type(cycle) is not HTTPTOOLS_CYCLE:
        await send(start)
        await send(body)
        return
    transport = cycle.transport
    held = HeldWrites(transport)
    cycle.transport = held
    try:
        await send(start)
        await send(body)
    finally:
        cycle.transport = transport
        # A client gone meanwhile: its transport takes no more writes (uvicorn's send returns quietly then).
        if held.chunks and not transport.is_closing():
            transport.writelines(held.chunks)
        if held.closed:
            transport.close()


def head_bytes(status: int, headers: Sequence[tuple[bytes, bytes]], body: bytes) -> bytes | None:
    """A stored answer's header lines as uvicorn's `send` writes them (each `name: value` and CRLF, names in
    lower case), or None when `write_stored` must not send it: a status uvicorn has no line for, a header
    that frames the body or the connection, a body its Content-Length does not describe, a header that
    uvicorn's send would refuse."""
    if status not in STATUS_LINES:
        return None
    length: bytes | None = None
    lines = []
    for name, value in headers:
        name = name.lower()
        if name in _FRAMING or _BAD_NAME.search(name) or _BAD_VALUE.search(value):
            return None
        if name == b"content-length":
            length = value
        lines.append(b"%s: %s\r\n" % (name, value))
    if length is None:
        if body or status not in (204, 304):  # uvicorn would send it chunked
            return None
    elif length != b"%d" % len(body):
        return None
    return b"".join(lines)


# uvicorn's default headers (the date, a server header when configured) as lines: the list is replaced at
# each tick of its clock, so the lines are made once per list, not per answer.
_defaults: tuple[object, bytes] = (None, b"")


def _default_lines(headers: list[tuple[bytes, bytes]]) -> bytes:
    global _defaults
    if _defaults[0] is not headers:
        _defaults = (headers, b"".join(b"%s: %s\r\n" % (name.lower(), value) for name, value in headers))
    return _defaults[1]


def write_stored(send: Send, status: int, head: bytes, last: tuple[bytes, bytes], body: bytes) -> bool:
    """Write a stored answer (its status, `head` from head_bytes, the header `last` after it, its body) to
    uvicorn's httptools connection as uvicorn's `send` would, in one write; False, with nothing done, where
    that cannot be: another server, an answer already begun, a connection paused or gone. A GET's or a
    POST's answer only (a HEAD's has no body)."""
    cycle: Any = getattr(send, "__self__", None)
    if cycle is None or type(cycle) is not HTTPTOOLS_CYCLE:
        return False
    try:
        # Everything read before anything is changed: a uvicorn whose cycle no longer has one of these
        # leaves the answer to its own send (tests/test_single_write.py fails, so it is noticed).
        if cycle.response_started or cycle.disconnected or cycle.flow.write_paused or cycle.scope["method"] == "HEAD":
            return False
        keep_alive: bool = cycle.keep_alive
        defaults = _default_lines(cycle.default_headers)
        transport = cycle.transport
        answered = cycle.message_event.set
        on_response = cycle.on_response
    except (AttributeError, KeyError):  # pragma: no cover - another uvicorn
        return False
    name, value = last
    start = [STATUS_LINES[status], defaults, head, name, b": ", value, b"\r\n"]
    if not keep_alive:
        start.append(b"connection: close\r\n")
    start.append(b"\r\n")
    # What uvicorn's send leaves behind after a start and a last body message.
    cycle.response_started = True
    cycle.waiting_for_100_continue = False
    cycle.chunked_encoding = False
    cycle.expected_content_length = 0
    cycle.response_complete = True
    if body:
        transport.writelines((b"".join(start), body))
    else:
        transport.write(b"".join(start))
    answered()
    if not keep_alive:
        transport.close()
    on_response()
    return True
