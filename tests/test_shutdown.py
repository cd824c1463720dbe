"""The real server (`reader serve`, uvicorn) on SIGTERM: requests in flight finish, the write commits, the
process exits 0 and leaves a database that passes integrity_check with no -wal or -shm beside it.

The request is made slow by its client: the body arrives in two halves, and SIGTERM is sent in between,
so the signal certainly lands while the server is inside the request (no guessing how long work takes).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from reader.request_id import RequestId, RequestIdFilter, ShutdownCancelFilter, log_config
from tests.serverproc import Server, create_token, new_site

BODY_MARKDOWN = "\n\n".join(
    f"Đoạn {n}: một câu văn bình thường để kiểm tra việc tắt máy chủ. A sentence to check shutdown."
    for n in range(4000)
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    db = tmp_path / "reader.db"
    running = Server(db=db, directory=tmp_path)
    running.env = {"READER_TEST_TOKEN": create_token(new_site(db))}
    running.start()
    yield running
    running.stop()


def token_of(server: Server) -> str:
    return server.env["READER_TEST_TOKEN"]


def send_in_two_halves(
    server: Server, method: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[http.client.HTTPConnection, float]:
    """Send the headers and the first half of the body, SIGTERM the server, and return (connection, time
    of the signal); the caller sends the second half."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.putrequest(method, path)
    for name, value in {**headers, "content-length": str(len(body))}.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(body[: len(body) // 2])
    time.sleep(0.5)  # the server has the request line, the headers and half of the body
    server.terminate()
    return conn, time.monotonic()


def refuses_new_connections(port: int, within: float = 10.0) -> bool:
    """True once the server stops accepting (it closes its listening socket when shutting down)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


def assert_closed_cleanly(db: Path) -> None:
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()


def test_sigterm_lets_an_in_flight_write_finish(server: Server) -> None:
    # An idle keep-alive connection must not hold the shutdown up.
    idle = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    idle.request("GET", "/healthz")
    assert idle.getresponse().read() == b'{"status":"ok"}'

    article = {"title": "Written during shutdown", "lang": "vi", "body_markdown": BODY_MARKDOWN}
    body = json.dumps(article).encode()
    headers = {
        "content-type": "application/json",
        "authorization": f"Bearer {token_of(server)}",
        "x-request-id": "shutdown-put",
    }
    conn, signalled = send_in_two_halves(server, "PUT", "/api/articles/written-during-shutdown", body, headers)
    assert refuses_new_connections(server.port)
    assert server.process is not None and server.process.poll() is None  # still serving the request
    conn.send(body[len(body) // 2 :])
    response = conn.getresponse()
    answered = time.monotonic()
    stored = json.loads(response.read())
    assert response.status == 201 and signalled < answered
    assert response.headers["x-request-id"] == "shutdown-put"
    assert stored["title"] == article["title"] and stored["body_markdown"] == BODY_MARKDOWN
    assert server.wait() == 0

    assert_closed_cleanly(server.db)
    with sqlite3.connect(server.db) as db:
        row = db.execute(
            "SELECT title, body_source, version FROM articles WHERE slug = 'written-during-shutdown'"
        ).fetchone()
    db.close()
    assert row == (article["title"], BODY_MARKDOWN, 1)
    log = server.log()
    # The access log line of the request that finished during the shutdown was written before the exit.
    (line,) = [line for line in log.splitlines() if '"PUT /api/articles/written-during-shutdown HTTP/1.1" 201 ' in line]
    assert line.startswith("127.0.0.1 - - [") and line.endswith("ms [shutdown-put]")
    assert "Traceback" not in log and "Application shutdown complete" in log
    conn.close()
    idle.close()


def test_sigterm_lets_a_slow_report_finish(server: Server) -> None:
    text = " ".join(f"Sentence number {n} is short, and it is followed by another one." for n in range(5000))
    body = json.dumps({"lang": "en", "text": text}).encode()
    conn, signalled = send_in_two_halves(server, "POST", "/api/readability", body, {"content-type": "application/json"})
    conn.send(body[len(body) // 2 :])
    response = conn.getresponse()
    report = json.loads(response.read())
    assert response.status == 200 and report["counts"]["sentences"] == 5000 and signalled < time.monotonic()
    conn.close()
    assert server.wait() == 0
    assert_closed_cleanly(server.db)


def test_a_chunked_body_over_the_limit_is_413_on_the_wire(tmp_path: Path) -> None:
    running = Server(db=tmp_path / "reader.db", directory=tmp_path, env={"READER_MAX_BODY_BYTES": "65536"})
    running.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=60)
        pieces = (b'{"lang": "en", "text": "' + b"word " * 2000 for _ in range(40))
        conn.request(
            "POST", "/api/readability", body=pieces, headers={"content-type": "application/json"}, encode_chunked=True
        )
        response = conn.getresponse()
        assert response.status == 413 and json.loads(response.read())["error"]["status"] == 413
        assert response.getheader("x-request-id")
        health = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
        health.request("GET", "/healthz")
        assert health.getresponse().status == 200
        conn.close()
        health.close()
    finally:
        running.stop()
    assert running.wait() == 0


class _Kept(logging.Handler):
    """The records that pass the filters `reader serve` gives its log handlers (reader.request_id.log_config)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        for name in log_config()["handlers"]["default"]["filters"]:
            self.addFilter({"shutdown_cancel": ShutdownCancelFilter, "request_id": RequestIdFilter}[name]())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _stop_during_a_request(app: ASGIApp) -> list[logging.LogRecord]:
    """uvicorn serving RequestId(app), a PUT whose body stops half way, then the server stopped with a short
    graceful-shutdown time (reader serve's is 30 s): what reaches reader's log handlers."""
    kept = _Kept()
    loggers = [logging.getLogger("uvicorn.error"), logging.getLogger("reader")]
    for each in loggers:
        each.addHandler(kept)

    async def run() -> None:
        sock = socket.create_server(("127.0.0.1", 0))
        config = uvicorn.Config(
            RequestId(app), lifespan="off", log_config=None, access_log=False, timeout_graceful_shutdown=0.3
        )
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        _, writer = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
        # A line break in the path (percent-encoded: the path is decoded) must not make a line of its own.
        writer.write(b"PUT /api/articles/half%0AINFO:%20forged HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf")
        await writer.drain()
        await asyncio.sleep(0.2)
        server.should_exit = True
        await serving
        writer.close()

    try:
        asyncio.run(run())
    finally:
        for each in loggers:
            each.removeHandler(kept)
    return kept.records


def test_a_request_cancelled_at_shutdown_is_one_warning_not_a_traceback() -> None:
    # docs/reliability.md: requests still running when the graceful-shutdown time is over are cancelled. That
    # expected path logged "Exception in ASGI application" and a 50-line traceback ending in CancelledError.
    async def waits_for_the_body(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass

    records = _stop_during_a_request(waits_for_the_body)
    # uvicorn's own one line ("Cancel 1 running task(s), timeout graceful shutdown exceeded") stays.
    told = [(record.levelname, record.getMessage(), record.exc_info) for record in records if record.name == "reader"]
    assert told == [
        (
            "WARNING",
            "PUT '/api/articles/half\\nINFO: forged' cancelled at shutdown: still running when the graceful-shutdown "
            "time ran out",
            None,
        )
    ]
    assert not [record for record in records if record.exc_info or "Exception in ASGI" in record.getMessage()]


def test_a_real_error_still_logs_its_traceback() -> None:
    async def fails(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("a real bug")

    records = _stop_during_a_request(fails)
    (error,) = [record for record in records if record.levelno >= logging.ERROR]
    assert error.getMessage().startswith("Exception in ASGI application")
    assert error.exc_info is not None and error.exc_info[0] is RuntimeError
