"""reader.http_protocol on the real server: a request's head has a size limit (414, 431) and a time limit
(408), and every answer the protocol gives by itself carries reader's headers and an access-log line. And,
in front of an application of the test's own, what reader's application never does (a slow answer)."""

from __future__ import annotations

import asyncio
import functools
import re
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from reader.http_protocol import MAX_FIELDS, MAX_HEAD_BYTES, MAX_TARGET_BYTES, TICKS_PER_TIMEOUT, ReaderHttpProtocol
from reader.middleware import SECURITY_HEADERS
from tests.conftest import SEED_SLUG
from tests.serverproc import Server

HEAD_TIMEOUT = 0.5
BODY_TIMEOUT = 1.5  # longer than test_a_slow_body_and_an_idle_keep_alive_are_not_slow_heads's pause
TICK = min(HEAD_TIMEOUT, BODY_TIMEOUT) / TICKS_PER_TIMEOUT
EMBEDDER = "https://news.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("http-protocol")
    access_log = directory / "access.log"
    with Server(
        db=directory / "reader.db",
        directory=directory,
        env={
            "READER_HEAD_TIMEOUT": str(HEAD_TIMEOUT),
            "READER_BODY_TIMEOUT": str(BODY_TIMEOUT),
            "READER_EMBED_ORIGINS": EMBEDDER,
        },
        args=("--access-log", str(access_log)),
    ) as running:
        yield running


def _connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _exchange(server: Server, *pieces: bytes) -> bytes:
    """Send `pieces` on a new connection, each a read of its own for the server (a pause between them);
    what comes back before the server closes the connection."""
    with _connect(server) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            for piece in pieces:
                sock.sendall(piece)
                if len(pieces) > 1:
                    time.sleep(0.002)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed after its answer, before the rest was sent: the answer is still there to read
        try:
            return _read_all(sock)
        except ConnectionResetError:
            return b""


def _status(answer: bytes) -> int:
    match = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert match, answer[:200]
    return int(match.group(1))


def _headers(answer: bytes) -> dict[str, str]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {name.lower(): value for name, value in (line.split(": ", 1) for line in head)}


def _request(target: bytes = b"/", fields: bytes = b"") -> bytes:
    """A GET after which the server closes the connection (so that reading until it closes takes no time)."""
    return b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + fields + b"\r\n"


def _filler(size: int) -> bytes:
    """A header field whose name and value take `size` bytes (the limit counts names and values)."""
    return b"X-Filler: " + b"a" * (size - len(b"X-Filler")) + b"\r\n"


def _read_answer(sock: socket.socket) -> bytes:
    """One answer on a keep-alive connection: its head and as many bytes as its Content-Length says."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(65536)
    length = int(_headers(received)["content-length"])
    while len(received.split(b"\r\n\r\n", 1)[1]) < length:
        received += sock.recv(65536)
    return received


def _access_lines(server: Server, request_id: str) -> list[str]:
    """The access log's lines for a request id (the log is written within half a second)."""
    deadline = time.monotonic() + 5
    log = server.directory / "access.log"
    while True:
        lines = [line for line in log.read_text().splitlines() if line.endswith(f"[{request_id}]")]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def _all_access_lines(server: Server, request: str) -> list[str]:
    """The access log's lines with `request` (its method, target and version, quoted), once one is written
    and a while longer: the log is written every half second, and another line would come by then."""
    log = server.directory / "access.log"
    deadline = time.monotonic() + 5
    while request not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)
    return [line for line in log.read_text().splitlines() if request in line]


def _head_of(size: int, target: bytes = b"/") -> bytes:
    """A head of `size` bytes as the limit counts them: the target, and _request's fields' names and values."""
    return _request(target, _filler(size - len(target) - len(b"Hostx") - len(b"Connectionclose")))


@pytest.mark.parametrize("pieces", [1, 64], ids=["one read", "many reads"])
def test_a_head_at_the_limit_is_served_and_one_byte_more_is_431(server: Server, pieces: int) -> None:
    def sent(head: bytes) -> bytes:
        size = -(-len(head) // pieces)
        return _exchange(server, *(head[i : i + size] for i in range(0, len(head), size)))

    at_limit = sent(_head_of(MAX_HEAD_BYTES))
    assert _status(at_limit) == 200
    over = sent(_head_of(MAX_HEAD_BYTES + 1))
    assert _status(over) == 431
    assert b"Request Header Fields Too Large" in over


def test_a_target_at_the_limit_is_served_and_one_byte_more_is_414(server: Server) -> None:
    def target(size: int) -> bytes:
        return b"/articles/" + b"a" * (size - len(b"/articles/"))

    assert _status(_exchange(server, _request(target(MAX_TARGET_BYTES)))) == 404  # read, and no such article
    assert _status(_exchange(server, _request(target(MAX_TARGET_BYTES + 1)))) == 414


def test_a_refusal_grants_an_embedding_site_cors(server: Server) -> None:
    """A <reader-article> whose address is too long gets a 414 its script can read (without the grant, the
    browser says only that the fetch failed); another site gets none. (A head refused before its Origin
    field came, its target over the limit in an earlier read, cannot be granted: a browser sends it whole.)"""
    target = b"/articles/x/fragment?q=" + b"a" * MAX_TARGET_BYTES
    for origin, granted in ((EMBEDDER, True), ("https://evil.example", False)):
        answer = _exchange(server, _request(target, b"Origin: " + origin.encode() + b"\r\n"))
        assert _status(answer) == 414
        headers = _headers(answer)
        assert (headers.get("access-control-allow-origin") == origin) == granted, headers
        assert ("access-control-allow-credentials" in headers) == granted
        assert ("Origin" in headers.get("vary", "")) == granted


@pytest.mark.parametrize(
    ("path", "granted"),
    [(b"/articles/x/fragment", True), (b"/oembed", True), (b"/editor/articles/x", False), (b"/api/articles", False)],
)
def test_a_refused_head_is_granted_only_on_a_route_that_grants_embedding_sites(
    server: Server, path: bytes, granted: bool
) -> None:
    """The protocol's grant is no wider than the application's (reader.cors.EmbedCors): never the editor's
    or the API's, where a credentialed grant would let an embedding site's script read the answer."""
    origin = b"Origin: " + EMBEDDER.encode() + b"\r\n"
    too_long = _exchange(server, _request(path + b"?q=" + b"a" * MAX_TARGET_BYTES, origin))
    too_large = _exchange(server, _request(path, origin + _filler(MAX_HEAD_BYTES)))
    for answer, status in ((too_long, 414), (too_large, 431)):
        assert _status(answer) == status
        assert (_headers(answer).get("access-control-allow-origin") == EMBEDDER) == granted, _headers(answer)


@pytest.mark.parametrize(
    ("head", "granted"),
    [
        (b"POST /preferences HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n", True),
        (b"POST /api/readability HTTP/1.1\r\nContent-Type: application/json\r\n", False),
    ],
    ids=["preferences", "api"],
)
def test_a_body_that_stops_coming_is_granted_only_on_a_route_that_grants_embedding_sites(
    server: Server, head: bytes, granted: bool
) -> None:
    sent = head + b"Host: x\r\nOrigin: " + EMBEDDER.encode() + b"\r\nContent-Length: 100\r\n\r\nfont="
    answer = _exchange(server, sent)
    assert _status(answer) == 408
    assert (_headers(answer).get("access-control-allow-origin") == EMBEDDER) == granted, _headers(answer)


def _memory(server: Server) -> int:
    """The server's resident memory in bytes (`reader serve` with one worker serves in its own process)."""
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]


@pytest.mark.parametrize("piece", [_filler(1000), b"a" * 1000], ids=["header lines", "one field's value"])
def test_a_head_without_end_is_cut_off_and_not_kept(server: Server, piece: bytes) -> None:
    """The attack the limit is for: uvicorn alone kept every line (200 MB after 200 MB sent)."""
    before = _memory(server)
    with _connect(server) as sock:
        sock.sendall(_request()[:-2] + b"X-Start: ")  # a head that is not ended
        try:
            for _ in range(20_000):  # 20 MB, if nothing stopped it
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            answer = _read_all(sock)
        except ConnectionResetError:  # not everything was sent within the lingering close: the answer came first
            answer = b""
    assert answer == b"" or _status(answer) == 431
    # What was sent past the limit was read and dropped: not kept (at most a read's worth at a time).
    assert _memory(server) - before < 8 * 1024 * 1024


def test_trailer_fields_without_end_are_not_kept(server: Server) -> None:
    """A chunked body's trailer fields come after the head: uvicorn added them to the request's headers,
    20 MB of them in 20 MB sent."""
    before = _memory(server)
    with _connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
        assert _status(_read_answer(sock)) == 200  # answered: the page reads no body
        for _ in range(20_000):
            sock.sendall(_filler(1000))
    assert _memory(server) - before < 8 * 1024 * 1024


def test_an_over_limit_head_pipelined_after_a_request_is_answered_after_it(server: Server) -> None:
    first = _request()[: -len(b"Connection: close\r\n\r\n")] + b"\r\n"  # keep-alive
    answers = _exchange(server, first + _head_of(MAX_HEAD_BYTES + 1))
    assert _status(answers) == 200
    second = answers[answers.index(b"HTTP/1.1 ", 10) :]
    assert _status(second) == 431


def test_a_body_that_cannot_be_read_gets_400_and_one_access_log_line(server: Server) -> None:
    """The 400 is the request's answer, and its one line: the application's own (which said 500, the error
    page it tried to send after its body could not be read) is not written as well; nor is a traceback
    (the application's error on reading the body: the client's doing, not the server's)."""
    tracebacks = server.log().count("Traceback")
    answer = _exchange(
        server,
        b"POST /api/readability?unreadable HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    )
    assert _status(answer) == 400
    [line] = _all_access_lines(server, '"POST /api/readability?unreadable HTTP/1.1"')
    body = answer.split(b"\r\n\r\n", 1)[1]
    assert f" 400 {len(body)} " in line, line
    assert line.endswith(f"[{_headers(answer)['x-request-id']}]"), line
    assert server.log().count("Traceback") == tracebacks, server.log()[-3000:]


def test_bytes_that_begin_no_request_do_not_keep_a_connection_open(server: Server) -> None:
    """uvicorn's keep-alive wait (5 s) ended on any byte: a line end after an answer kept it open for ever."""
    with _connect(server) as sock:
        sock.sendall(_request()[: -len(b"Connection: close\r\n\r\n")] + b"\r\n")
        assert _status(_read_answer(sock)) == 200
        started = time.monotonic()
        sock.sendall(b"\r\n")
        assert _read_all(sock) == b""  # closed
    assert time.monotonic() - started < 5 + 3


def test_a_hundred_fields_are_read_and_one_more_is_431(server: Server) -> None:
    def fields(count: int) -> bytes:  # _request sends two
        return b"".join(b"X-Field-%d: %d\r\n" % (n, n) for n in range(count - 2))

    assert _status(_exchange(server, _request(fields=fields(MAX_FIELDS)))) == 200
    assert _status(_exchange(server, _request(fields=fields(MAX_FIELDS + 1)))) == 431


def test_a_head_that_stops_coming_gets_408_after_the_timeout(server: Server) -> None:
    started = time.monotonic()
    answer = _exchange(server, _request()[:-10])
    waited = time.monotonic() - started
    assert _status(answer) == 408
    # head_timeout, up to a quarter more (the connection's timer ticks four times per timeout), and slack.
    assert HEAD_TIMEOUT * 0.9 <= waited < HEAD_TIMEOUT * 1.25 + 2, waited  # 0.9: the timers' millisecond steps


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(server: Server) -> None:
    started = time.monotonic()
    with _connect(server) as sock:
        assert _read_all(sock) == b""
    assert HEAD_TIMEOUT * 0.9 <= time.monotonic() - started < HEAD_TIMEOUT + 2


def test_a_slow_body_and_an_idle_keep_alive_are_not_slow_heads(server: Server) -> None:
    """The limit is on the head: a body may take longer, and so may the pause between two requests on a
    connection (uvicorn's keep-alive timeout, 5 s, governs that)."""
    body = b'{"lang": "en", "text": "A short text."}'
    with _connect(server) as sock:
        sock.sendall(
            b"POST /api/readability HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        time.sleep(HEAD_TIMEOUT * 2)
        sock.sendall(body)
        assert _status(_read_answer(sock)) == 200
        time.sleep(HEAD_TIMEOUT * 2)
        sock.sendall(_request())
        assert _status(_read_answer(sock)) == 200


@pytest.mark.parametrize(
    ("pieces", "status", "logged_request"),
    [
        ((_head_of(MAX_HEAD_BYTES + 1),), 431, '"GET / HTTP/1.1"'),
        ((_request(b"/" + b"a" * MAX_TARGET_BYTES),), 414, '"GET /aaaa'),
        ((_request()[:-10],), 408, '"GET / HTTP/1.1"'),
        ((b"\x00\x01 not http\r\n\r\n",), 400, '"- - -"'),
    ],
    ids=["431", "414", "408", "400"],
)
def test_the_protocols_own_answers_carry_readers_headers_and_are_logged(
    server: Server, pieces: tuple[bytes, ...], status: int, logged_request: str
) -> None:
    answer = _exchange(server, *pieces)
    line = _check_refusal(server, answer, status)
    assert f"{logged_request}" in line, line
    if status == 408:  # timed: at least the time a tick first saw the head waiting
        duration = float(re.search(r" ([\d.]+)ms \[", line).group(1))  # type: ignore[union-attr]
        assert duration >= HEAD_TIMEOUT * 1000 * 0.99, line


def _check_refusal(server: Server, answer: bytes, status: int) -> str:
    """Check an answer the protocol gave by itself (`status`, reader's headers, plain text in both
    languages); its access-log line."""
    assert _status(answer) == status
    headers = _headers(answer)
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, name
    assert headers["cache-control"] == "no-store"
    assert headers["connection"] == "close"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    body = answer.split(b"\r\n\r\n", 1)[1]
    assert int(headers["content-length"]) == len(body)
    assert body.startswith(b"%d " % status)
    status_line, english, vietnamese = body.decode().splitlines()  # what went wrong, in both languages
    assert status_line.startswith(f"{status} ") and english.isascii() and not vietnamese.isascii()
    request_id = headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)
    [line] = _access_lines(server, request_id)
    assert f" {status} {len(body)} " in line, line
    return line


def _post(query: bytes, length: int) -> bytes:
    """The head of a readability report announcing a body of `length` bytes, with `query` to find its log."""
    return (
        b"POST /api/readability?%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (query, length)
    )


def test_a_body_that_stops_coming_gets_408_and_one_access_log_line(server: Server) -> None:
    """Time since the body's last read, a quarter of the head timeout (a tick) more at most, and slack; the
    application's access-log line is the 408's (it would say 500 for the error page it tries to send)."""
    tracebacks = server.log().count("Traceback")
    started = time.monotonic()
    answer = _exchange(server, _post(b"stalled", 100) + b'{"lang": "en", ')
    waited = time.monotonic() - started
    assert BODY_TIMEOUT * 0.9 <= waited < BODY_TIMEOUT + TICK + 2, waited
    line = _check_refusal(server, answer, 408)
    assert [line] == _all_access_lines(server, '"POST /api/readability?stalled HTTP/1.1"')
    duration = float(re.search(r" ([\d.]+)ms \[", line).group(1))  # type: ignore[union-attr]
    assert duration >= BODY_TIMEOUT * 1000 * 0.99, line
    assert server.log().count("Traceback") == tracebacks, server.log()[-3000:]


def test_a_body_that_keeps_coming_is_not_timed_out_however_long_it_takes(server: Server) -> None:
    """The timeout is on each pause of a body, not on the whole of it (nginx's client_body_timeout)."""
    body = b'{"lang": "en", "text": "A short text, sent in pieces."}'
    with _connect(server) as sock:
        sock.sendall(_post(b"trickle", len(body)))
        started = time.monotonic()
        for piece in (body[:20], body[20:40], body[40:]):
            time.sleep(BODY_TIMEOUT * 0.6)
            sock.sendall(piece)
        assert _status(_read_answer(sock)) == 200
    assert time.monotonic() - started > BODY_TIMEOUT * 1.5  # the whole body took longer than the timeout


# ---------------------------------------------------------------- in front of an application of the test's own


@asynccontextmanager
async def _serving(app: ASGIApp, **timeouts: float) -> AsyncIterator[int]:
    """uvicorn with the protocol (`timeouts`: its head_timeout, body_timeout) serving `app` in this event loop,
    as `reader serve` does (reader.cli): the port it listens on."""
    sock = socket.create_server(("127.0.0.1", 0))
    protocol = functools.partial(ReaderHttpProtocol, **timeouts)
    config = uvicorn.Config(
        app,
        http=cast("type[asyncio.Protocol]", protocol),
        ws="none",
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=1,  # a test that failed may leave its application waiting: not for ever
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await serving


async def _answer_from(reader: asyncio.StreamReader) -> bytes:
    """One answer with a Content-Length, or everything until the server closes the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"\r\ncontent-length: (\d+)\r\n", head.lower())
    return head + (await reader.readexactly(int(length.group(1))) if length else await reader.read())


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_a_head_the_server_does_not_read_yet_is_not_timed() -> None:
    """uvicorn stops reading when a complete request waits behind one being answered (pipelining), and so
    may leave the next head half read for as long as the answers before it take: not the client's fault.

    Three requests in one write (the first answered slowly, longer than the head timeout, the second
    complete, the third's head cut short), the end of the third's head a moment later: each gets its 200.
    Without the protocol's `flow.read_paused` check the third got 408, after the second's answer."""
    head_timeout = 0.2

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/slow":
            await asyncio.sleep(head_timeout * 4)
        await _ok(scope, receive, send)

    async def run() -> list[bytes]:
        async with _serving(app, head_timeout=head_timeout) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            third = b"GET /third HTTP/1.1\r\nHost: x\r\n\r\n"
            writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n" + third[:10])
            await writer.drain()
            await asyncio.sleep(0.05)  # the server reads that write, and stops reading after the second head
            writer.write(third[10:])
            answers = [await _answer_from(reader) for _ in range(3)]
            writer.close()
            return answers

    assert [_status(answer) for answer in asyncio.run(run())] == [200, 200, 200]


def test_a_body_that_stops_coming_disconnects_its_application() -> None:
    """The application, waiting for the rest of the body, is told the client has gone (and stops)."""
    received: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            received.append(message["type"])
            if not message.get("more_body"):
                break

    async def run() -> bytes:
        async with _serving(app, head_timeout=0.2, body_timeout=0.2) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
            answer = await asyncio.wait_for(reader.read(), 10)
            writer.close()
            return answer

    assert _status(asyncio.run(run())) == 408
    assert received == ["http.request", "http.disconnect"]


def test_a_body_that_stops_coming_after_its_answer_began_closes_the_connection() -> None:
    """No 408 can follow an answer begun: the answer is cut short, as the connection is closed."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4")]})
        await send({"type": "http.response.body", "body": b"ok", "more_body": True})
        while (await receive())["type"] == "http.request":
            pass

    async def run() -> bytes:
        async with _serving(app, head_timeout=0.2, body_timeout=0.2) as port:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
            answer = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            return answer

    answer = asyncio.run(run())
    assert _status(answer) == 200 and answer.endswith(b"\r\n\r\nok")


def test_an_application_reading_a_body_slowly_is_not_timed_out() -> None:
    """When the application leaves the body unread, uvicorn stops reading it (past 64 KiB): the client
    cannot send, and no time is counted against it. Nor against a client waiting for "100 Continue"
    before it sends its body, which it gets when the application first reads."""
    body_timeout = 0.2
    size = 1024 * 1024  # more than one read takes (256 KiB), so that some of it waits unread

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(body_timeout * 3)
        read, more = 0, True
        while more:
            message = await receive()
            if not read:
                await asyncio.sleep(body_timeout * 3)
            read += len(message.get("body", b""))
            more = message.get("more_body", False)
        length = b"%d" % len(b"%d" % read)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", length)]})
        await send({"type": "http.response.body", "body": b"%d" % read})

    async def run() -> list[bytes]:
        async with _serving(app, head_timeout=body_timeout, body_timeout=body_timeout) as port:
            answers = []
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size + b"a" * size)
            answers.append(await asyncio.wait_for(_answer_from(reader), 30))
            writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30) == b"HTTP/1.1 100 Continue\r\n\r\n"
            writer.write(b"aaaaa")
            answers.append(await asyncio.wait_for(_answer_from(reader), 30))
            writer.close()
            return answers

    first, second = asyncio.run(run())
    assert _status(first) == 200 and first.endswith(b"\r\n\r\n%d" % size)
    assert _status(second) == 200 and second.endswith(b"\r\n\r\n5")


@pytest.mark.parametrize("second", [b"Host: b.example\r\n", b"host: x\r\n", b"HOST: a.example\r\n"])
def test_a_head_with_two_host_fields_is_400(server: Server, second: bytes) -> None:
    # RFC 9112, 3.2: the first Host went into the page's absolute links (canonical, oEmbed discovery), and a
    # proxy or cache in front reading the other could be poisoned through the difference; the same one twice
    # is refused as well.
    answer = _exchange(server, _request(f"/articles/{SEED_SLUG}".encode(), second))
    _check_refusal(server, answer, 400)
    assert b"canonical" not in answer
    # One Host is served as before.
    assert _status(_exchange(server, _request(f"/articles/{SEED_SLUG}".encode()))) == 200
