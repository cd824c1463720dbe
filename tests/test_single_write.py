"""reader.single_write: a cached answer reaches uvicorn's transport in one write, and nothing else changes."""

from __future__ import annotations

import asyncio
import re
import socket
from asyncio import selector_events
from typing import Any

import pytest
import uvicorn
from starlette.types import Message

from reader import single_write
from reader.app import create_app
from reader.settings import Settings
from reader.single_write import HTTPTOOLS_CYCLE, HeldWrites, head_bytes, send_whole, write_stored
from tests.conftest import SEED_SLUG

# asyncio's socket transport (private, so untyped): the tests watch its writes.
SOCKET_TRANSPORT: Any = vars(selector_events)["_SelectorSocketTransport"]
REQUEST = f"GET /articles/{SEED_SLUG} HTTP/1.1\r\nHost: reader.test\r\nAccept-Encoding: identity\r\n\r\n".encode()


async def read_answer(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    if head.startswith(b"HTTP/1.1 304 "):
        return head
    length = re.search(rb"\r\ncontent-length: (\d+)\r\n", head)
    assert length is not None, head
    return head + await reader.readexactly(int(length.group(1)))


def served_writes(settings: Settings, requests: int, *, close: bool = False) -> tuple[list[list[bytes]], list[bytes]]:
    """`requests` GETs of the seed article over one connection (the last with `Connection: close` if `close`):
    see `served`."""
    sent = [REQUEST] * requests
    if close:
        sent[-1] = REQUEST.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    per_answer, answers, _ = served(settings, sent, close=close)
    return per_answer, answers


def served(
    settings: Settings, requests: list[bytes], *, close: bool = False
) -> tuple[list[list[bytes]], list[bytes], list[int]]:
    """`requests` sent one after another over one connection to uvicorn's httptools server (on asyncio's
    loop, whose transports are Python and can be watched): each answer's writes to the server's transport
    (one list per answer, in order), the answers the client read, and the status of each message the
    application passed to uvicorn's own `send`. With `close` the server must close the connection after
    the last answer."""
    writes: dict[int, list[bytes]] = {}
    real_write = SOCKET_TRANSPORT.write
    real_send = HTTPTOOLS_CYCLE.send
    sends: list[int] = []

    def watched_write(self: Any, data: Any) -> None:
        writes.setdefault(id(self), []).append(bytes(data))
        real_write(self, data)

    async def watched_send(self: Any, message: Message) -> None:
        sends.append(message.get("status", 0))
        await real_send(self, message)

    async def run() -> tuple[list[list[bytes]], list[bytes], list[int]]:
        sock = socket.create_server(("127.0.0.1", 0))
        config = uvicorn.Config(create_app(settings), http="httptools", log_config=None, access_log=False)
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            client = id(writer.transport)
            answers = []
            for request in requests:
                writer.write(request)
                answers.append(await read_answer(reader))
            if close:
                assert await reader.read() == b""  # the server closed the connection after its answer
            writer.close()
            await writer.wait_closed()
        finally:
            server.should_exit = True
            await serving
        (server_writes,) = [chunks for transport, chunks in writes.items() if transport != client]
        # Writes to the answers they belong to: each answer begins with a status line.
        per_answer: list[list[bytes]] = []
        for chunk in server_writes:
            if chunk.startswith(b"HTTP/1.1 "):
                per_answer.append([])
            per_answer[-1].append(chunk)
        return per_answer, answers, sends

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SOCKET_TRANSPORT, "write", watched_write)
        patch.setattr(HTTPTOOLS_CYCLE, "send", watched_send)
        return asyncio.run(run())


def without_varying_headers(answer: bytes) -> bytes:
    return re.sub(rb"\r\n(date|x-request-id): [^\r]*", b"", answer)


def test_a_cached_answer_reaches_the_server_in_one_write(settings: Settings) -> None:
    per_answer, answers = served_writes(settings, 3)
    # The first is rendered and goes through uvicorn as usual: its start, then its body.
    assert len(per_answer[0]) == 2
    # The next two are the response cache's: status line, headers and body in one write.
    for writes, answer in zip(per_answer[1:], answers[1:], strict=True):
        assert writes == [answer]
        assert without_varying_headers(answer) == without_varying_headers(answers[0])
    assert answers[1].startswith(b"HTTP/1.1 200 OK\r\n") and b"</html>" in answers[1]


def test_a_connection_the_client_closes_gets_its_answer_first(settings: Settings) -> None:
    per_answer, answers = served_writes(settings, 2, close=True)
    assert per_answer[1] == [answers[1]]
    assert b"\r\nconnection: close\r\n" in answers[1]


class Transport:
    """What a test needs of a transport: its writes and close, in order."""

    def __init__(self, closing: bool = False) -> None:
        self.calls: list[tuple[str, object]] = []
        self.closing = closing

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def writelines(self, chunks: list[bytes]) -> None:
        self.calls.append(("writelines", list(chunks)))

    def close(self) -> None:
        self.calls.append(("close", None))

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str) -> str:
        return f"real {name}"


class Cycle:
    """A server's send bound to an object with a transport, but not uvicorn's httptools cycle."""

    def __init__(self) -> None:
        self.transport = Transport()
        self.sent: list[Message] = []

    async def send(self, message: Message) -> None:
        self.sent.append(message)


class WritingCycle(Cycle):
    """Writes what it is sent to its transport, as uvicorn's cycle does: the start, then the body."""

    async def send(self, message: Message) -> None:
        await super().send(message)
        self.transport.write(b"start" if message["type"] == "http.response.start" else message["body"])


START: Message = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
BODY: Message = {"type": "http.response.body", "body": b"ok"}


@pytest.mark.anyio
async def test_any_other_servers_send_gets_the_two_messages_as_they_are() -> None:
    cycle = Cycle()
    await send_whole(cycle.send, START, BODY)
    assert cycle.sent == [START, BODY] and cycle.transport.calls == []
    received: list[Message] = []

    async def plain(message: Message) -> None:
        received.append(message)

    await send_whole(plain, START, BODY)
    assert received == [START, BODY]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "calls"),
    [
        (b"ok", [("writelines", [b"start", b"ok"])]),
        # Nothing to join a start to (a 304): written as the server writes it, without holding anything.
        (b"", [("write", b"start"), ("write", b"")]),
    ],
)
async def test_writes_are_held_for_answers_with_a_body(
    monkeypatch: pytest.MonkeyPatch, body: bytes, calls: list[tuple[str, object]]
) -> None:
    monkeypatch.setattr(single_write, "HTTPTOOLS_CYCLE", WritingCycle)
    cycle = WritingCycle()
    transport = cycle.transport
    await send_whole(cycle.send, START, {"type": "http.response.body", "body": body})
    assert cycle.transport is transport and transport.calls == calls


def test_held_writes_keep_writes_note_a_close_and_pass_the_rest_on() -> None:
    transport = Transport()
    held = HeldWrites(transport)
    held.write(b"a")
    held.write(b"b")
    assert held.chunks == [b"a", b"b"] and transport.calls == []
    assert not held.is_closing()
    held.close()
    assert held.closed and held.is_closing() and transport.calls == []
    assert held.get_extra_info("peername") == "real peername"
    assert HeldWrites(Transport(closing=True)).is_closing()


def with_placeholders(answer: bytes) -> bytes:
    """The answer with the values of its date and its request id replaced, their places kept."""
    return re.sub(rb"\r\n(date|x-request-id): [^\r]*", rb"\r\n\1: -", answer)


def test_stored_answers_are_written_as_uvicorn_writes_them(settings: Settings) -> None:
    ((first,), _, _) = served(settings, [REQUEST])
    etag = re.search(rb"\r\netag: ([^\r]*)\r\n", first[0])
    assert etag is not None
    conditional = REQUEST.replace(b"\r\n\r\n", b"\r\nIf-None-Match: " + etag.group(1) + b"\r\n\r\n")
    closing = REQUEST.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    per_answer, answers, sends = served(settings, [REQUEST, REQUEST, conditional, conditional, closing], close=True)
    # Only the two rendered answers went through uvicorn's send (a start and a body each); the three stored
    # ones were written by reader, each in one write.
    assert sends == [200, 0, 304, 0]
    assert [len(writes) for writes in per_answer] == [2, 1, 2, 1, 1]
    page, stored_page, not_modified, stored_not_modified, last = map(with_placeholders, answers)
    assert stored_page == page and stored_not_modified == not_modified
    assert not_modified.startswith(b"HTTP/1.1 304 Not Modified\r\ndate: -\r\n")
    assert not_modified.endswith(b"\r\nx-request-id: -\r\n\r\n")
    # Asked to close, the connection says so after the answer's own headers, as uvicorn's send would.
    assert last == page.replace(b"\r\n\r\n", b"\r\nconnection: close\r\n\r\n", 1)
    # Each answer has an id of its own.
    ids = {re.search(rb"\r\nx-request-id: ([^\r]*)", answer).group(1) for answer in answers}  # type: ignore[union-attr]
    assert len(ids) == len(answers)


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (200, [(b"content-length", b"2"), (b"ETag", b'"a"')], b"ok", b'content-length: 2\r\netag: "a"\r\n'),
        (304, [(b"etag", b'"a"')], b"", b'etag: "a"\r\n'),
        (204, [], b"", b""),
        # What uvicorn's send treats specially, or would refuse, goes to it.
        (200, [(b"transfer-encoding", b"chunked")], b"ok", None),
        (200, [(b"content-length", b"2"), (b"connection", b"close")], b"ok", None),
        (200, [], b"ok", None),  # no length: uvicorn would send it chunked
        (200, [(b"content-length", b"3")], b"ok", None),
        (200, [(b"content-length", b"0")], b"", b"content-length: 0\r\n"),
        (200, [(b"content-length", b"2"), (b"x-bad", b"a\nb")], b"ok", None),
        (200, [(b"content-length", b"2"), (b"bad name", b"a")], b"ok", None),
        (600, [], b"", None),
    ],
)
def test_head_bytes(status: int, headers: list[tuple[bytes, bytes]], body: bytes, expected: bytes | None) -> None:
    assert head_bytes(status, headers, body) == expected


class Flow:
    def __init__(self, paused: bool) -> None:
        self.write_paused = paused


class FakeHttptoolsCycle(WritingCycle):
    """As much of uvicorn's httptools cycle as write_stored reads."""

    def __init__(self, *, started: bool = False, disconnected: bool = False, paused: bool = False) -> None:
        super().__init__()
        self.response_started = started
        self.disconnected = disconnected
        self.flow = Flow(paused)
        self.scope = {"method": "GET"}


@pytest.mark.parametrize(
    "cycle",
    [
        FakeHttptoolsCycle(started=True),
        FakeHttptoolsCycle(disconnected=True),
        # A client not reading: uvicorn's send waits for the connection to drain, so it sends this one.
        FakeHttptoolsCycle(paused=True),
    ],
)
def test_stored_answers_go_the_ordinary_way_where_they_cannot_be_written(
    monkeypatch: pytest.MonkeyPatch, cycle: FakeHttptoolsCycle
) -> None:
    monkeypatch.setattr(single_write, "HTTPTOOLS_CYCLE", FakeHttptoolsCycle)
    assert not write_stored(cycle.send, 200, b"content-length: 2\r\n", (b"x-request-id", b"1"), b"ok")
    assert cycle.transport.calls == [] and cycle.sent == []
    # Not uvicorn's httptools cycle at all.
    other = WritingCycle()
    assert not write_stored(other.send, 200, b"content-length: 2\r\n", (b"x-request-id", b"1"), b"ok")
    assert other.transport.calls == []
