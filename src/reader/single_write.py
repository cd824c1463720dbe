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
"""

from __future__ import annotations

from typing import Any

from starlette.types import Message, Send

# uvicorn's httptools cycle, looked up once, not per answer; None where it cannot be imported.
HTTPTOOLS_CYCLE: type[Any] | None
try:
    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle as HTTPTOOLS_CYCLE
except ImportError:  # pragma: no cover - uvicorn[standard] is a dependency; another server may run reader
    HTTPTOOLS_CYCLE = None


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
