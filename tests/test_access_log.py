"""The access log (reader.access_log): batching, formats, escaping, and one line per request through the app."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from unittest import mock

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from reader import access_log
from reader.access_log import (
    FLUSH_BYTES,
    FLUSH_SECONDS,
    MAX_LINE_BYTES,
    PIPE_BUF,
    AccessLog,
    LogWriter,
    escape_json,
    escape_text,
    open_access_log,
)
from reader.app import create_app
from reader.request_id import RequestId
from reader.settings import Settings, SettingsError
from tests.conftest import SEED_SLUG, client_for, served

TEXT_LINE = re.compile(
    r"(?P<client>\S+) - - \[(?P<time>\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "
    r'"(?P<method>\S+) (?P<target>\S+) (?P<protocol>HTTP/[\d.]+)" (?P<status>\d{3}) (?P<bytes>\d+) '
    r'"(?P<referer>[^"]*)" "(?P<agent>[^"]*)" (?P<ms>\d+\.\d{3})ms \[(?P<id>[A-Za-z0-9._-]+)\]'
)


class Timer:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Timers:
    """Stands in for the event loop's call_later: records what was scheduled, fires it on demand."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[float, Callable[[], None], Timer]] = []

    def __call__(self, delay: float, callback: Callable[[], None]) -> Timer:
        timer = Timer()
        self.scheduled.append((delay, callback, timer))
        return timer

    def fire(self) -> None:
        for _, callback, timer in self.scheduled:
            if not timer.cancelled:
                callback()
        self.scheduled.clear()


@pytest.fixture(autouse=True, params=["compiled", "python"])
def record_code(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here runs with the compiled hit path of text lines (reader._access_log_speedups, where it was
    built) and with the Python code alone: each AccessLog made chooses by reader.access_log.COMPILED."""
    if request.param == "compiled" and not access_log.COMPILED:
        pytest.skip("reader._access_log_speedups was not built")
    monkeypatch.setattr(access_log, "COMPILED", request.param == "compiled")


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "access.log"


@pytest.fixture
def timers() -> Timers:
    return Timers()


def line(n: int, size: int = 100) -> bytes:
    return f"{n:06d} ".encode() + b"x" * (size - 8) + b"\n"


# ---------------------------------------------------------------- the buffer


def test_lines_wait_in_memory_until_the_buffer_passes_64_kib(log_path: Path, timers: Timers) -> None:
    writer = LogWriter(str(log_path), call_later=timers)
    count = FLUSH_BYTES // 100  # 655 lines of 100 bytes: 65,500 bytes, just under 64 KiB
    for n in range(count):
        writer.write(line(n))
    assert log_path.read_bytes() == b""
    writer.write(line(count))  # 65,600 bytes: past 64 KiB, written in one go
    assert log_path.read_bytes() == b"".join(line(n) for n in range(count + 1))
    writer.close()


def test_a_line_is_written_at_the_latest_half_a_second_after_it_came(log_path: Path, timers: Timers) -> None:
    writer = LogWriter(str(log_path), call_later=timers)
    writer.write(line(1))
    writer.write(line(2))
    # One timer for the batch, set by its first line: an idle server schedules nothing.
    assert [delay for delay, *_ in timers.scheduled] == [FLUSH_SECONDS] == [0.5]
    assert log_path.read_bytes() == b""
    timers.fire()
    assert log_path.read_bytes() == line(1) + line(2)
    writer.write(line(3))
    assert len(timers.scheduled) == 1  # the next batch has its own
    writer.close()


@pytest.mark.anyio
async def test_the_event_loop_flushes_by_time(log_path: Path) -> None:
    writer = LogWriter(str(log_path), flush_seconds=0.05)
    writer.write(line(1))
    assert log_path.read_bytes() == b""
    for _ in range(200):  # up to 10 s: a loaded machine may be slow, but it must come
        await asyncio.sleep(0.05)
        if log_path.read_bytes():
            break
    assert log_path.read_bytes() == line(1)
    writer.close()


def test_close_writes_what_is_buffered_and_later_lines_at_once(log_path: Path, timers: Timers) -> None:
    writer = LogWriter(str(log_path), call_later=timers)
    writer.write(line(1))
    writer.close()
    assert log_path.read_bytes() == line(1)
    assert timers.scheduled[0][2].cancelled
    # A request that ends after the shutdown's flush (cancelled at the end of the grace period) is logged.
    writer.write(line(2))
    assert log_path.read_bytes() == line(1) + line(2)


def test_the_file_is_appended_to_never_truncated(log_path: Path, timers: Timers) -> None:
    log_path.write_bytes(b"an earlier line\n")
    first, second = LogWriter(str(log_path), call_later=timers), LogWriter(str(log_path), call_later=timers)
    first.write(line(1))
    second.write(line(2))
    second.close()
    first.close()
    assert log_path.read_bytes() == b"an earlier line\n" + line(2) + line(1)


def test_a_renamed_log_is_followed_by_a_new_file_of_its_name(log_path: Path, timers: Timers) -> None:
    # logrotate's usual way: rename, and the server goes on in a new file. Nothing is lost or written twice.
    writer = LogWriter(str(log_path), call_later=timers)
    writer.write(line(1))
    timers.fire()
    writer.write(line(2))  # gathered before the rename, written after it
    rotated = log_path.with_name("access.log.1")
    log_path.rename(rotated)
    timers.fire()
    writer.write(line(3))
    writer.close()
    assert rotated.read_bytes() == line(1)
    assert log_path.read_bytes() == line(2) + line(3)


def test_a_removed_log_is_created_again(log_path: Path, timers: Timers) -> None:
    writer = LogWriter(str(log_path), call_later=timers)
    writer.write(line(1))
    timers.fire()
    log_path.unlink()
    writer.write(line(2))
    writer.close()
    assert log_path.read_bytes() == line(2)


def test_a_log_truncated_in_place_is_written_from_its_new_end(log_path: Path, timers: Timers) -> None:
    # logrotate's copytruncate: the same file, emptied. O_APPEND writes at its end, not past a hole.
    writer = LogWriter(str(log_path), call_later=timers)
    writer.write(line(1))
    timers.fire()
    os.truncate(log_path, 0)
    writer.write(line(2))
    writer.close()
    assert log_path.read_bytes() == line(2)


def test_a_log_that_cannot_be_opened_again_goes_on_in_the_moved_file(
    log_path: Path, timers: Timers, caplog: pytest.LogCaptureFixture
) -> None:
    writer = LogWriter(str(log_path), call_later=timers)
    writer.write(line(1))
    timers.fire()
    rotated = log_path.with_name("access.log.1")
    log_path.rename(rotated)
    log_path.mkdir()  # its name now taken by something that cannot be opened for writing
    for n in (2, 3):
        writer.write(line(n))
        timers.fire()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        f"access log: cannot open {log_path} again after it was moved (Is a directory); writing on to the moved file"
    ]
    assert rotated.read_bytes() == line(1) + line(2) + line(3)  # nothing dropped meanwhile
    log_path.rmdir()
    writer.write(line(4))
    writer.close()
    assert log_path.read_bytes() == line(4)


def test_without_an_event_loop_a_line_is_written_at_once(log_path: Path) -> None:
    writer = LogWriter(str(log_path))
    writer.write(line(1))
    assert log_path.read_bytes() == line(1)
    writer.close()


def test_a_pipe_gets_whole_lines_in_writes_of_at_most_pipe_buf(monkeypatch: pytest.MonkeyPatch) -> None:
    # Several workers share standard error; a write of at most PIPE_BUF bytes to a pipe is never interleaved
    # with another's, so every write must hold whole lines and stay within it.
    read_end, write_end = os.pipe()
    writes: list[bytes] = []
    real_write = os.write

    def recording_write(fd: int, data: bytes) -> int:
        if fd == write_end:
            writes.append(bytes(data))
        return real_write(fd, data)

    received = bytearray()
    reader = threading.Thread(target=_drain, args=(read_end, received))
    reader.start()
    monkeypatch.setattr(access_log.os, "write", recording_write)
    writer = LogWriter(None, call_later=Timers())
    monkeypatch.setattr(writer, "_fd", write_end)
    monkeypatch.setattr(writer, "_whole_writes", False)
    lines = [line(n, size=100 + (n * 37) % 900) for n in range(400)]  # 100 to 999 bytes each
    for each in lines:
        writer.write(each)
    writer.flush()
    os.close(write_end)
    reader.join()
    assert bytes(received) == b"".join(lines)
    assert len(writes) > 1 and all(len(w) <= PIPE_BUF and w.endswith(b"\n") for w in writes)
    assert all(piece in lines for w in writes for piece in w.splitlines(keepends=True))


def _drain(fd: int, into: bytearray) -> None:
    while chunk := os.read(fd, 65536):
        into += chunk
    os.close(fd)


def test_a_regular_file_gets_one_write_per_batch(log_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[int] = []
    real_write = os.write
    monkeypatch.setattr(access_log.os, "write", lambda fd, data: writes.append(len(data)) or real_write(fd, data))
    writer = LogWriter(str(log_path), call_later=Timers())
    for n in range(700):
        writer.write(line(n))
    writer.close()
    assert writes == [65_600, 4_400]


def test_short_writes_are_continued_and_the_buffer_is_free_after_any_write(
    log_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The batch is written from the buffer itself, through views of it: a short write continues where it
    # stopped, and no view outlives the write, even one that raised (else the buffer could not grow again).
    real_write = os.write
    monkeypatch.setattr(access_log.os, "write", lambda fd, data: real_write(fd, bytes(data)[:1_000]))
    writer = LogWriter(str(log_path), call_later=Timers())
    lines = [line(n) for n in range(50)]
    for each in lines:
        writer.write(each)
    writer.flush()
    assert log_path.read_bytes() == b"".join(lines)

    def interrupted(fd: int, data: bytes) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(access_log.os, "write", interrupted)
    writer.write(line(50))
    with pytest.raises(KeyboardInterrupt):
        writer.flush()
    monkeypatch.setattr(access_log.os, "write", real_write)
    writer.write(line(51))  # the buffer grows again: emptied, and no view of it left
    writer.close()
    assert log_path.read_bytes() == b"".join(lines) + line(51)


def test_a_failing_destination_is_reported_once_and_drops_lines(
    log_path: Path, timers: Timers, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = LogWriter(str(log_path), call_later=timers)
    real_write = os.write
    full = OSError(28, "No space left on device")
    monkeypatch.setattr(access_log.os, "write", lambda fd, data: (_ for _ in ()).throw(full))
    for n in range(3):
        writer.write(line(n))
        timers.fire()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        f"access log: cannot write to {log_path} ([Errno 28] No space left on device); its lines are dropped"
    ]
    monkeypatch.setattr(access_log.os, "write", real_write)
    writer.write(line(3))  # the disk has room again: the buffer did not keep the dropped lines
    writer.close()
    assert log_path.read_bytes() == line(3)


# ---------------------------------------------------------------- lines


def scope(
    path: str = "/articles/x",
    query: bytes = b"",
    method: str = "GET",
    client: tuple[str, int] | None = ("203.0.113.9", 51000),
    raw_path: bytes | None = None,
) -> Scope:
    return {
        "type": "http", "http_version": "1.1", "method": method, "path": path, "query_string": query,
        "raw_path": raw_path if raw_path is not None else path.encode(), "client": client, "headers": [],
    }  # fmt: skip


class Lines(list[bytes]):
    """A LogWriter that keeps each line as it comes: its buffer stays empty, so every line comes to `write`
    (lines appended to a buffer already holding some are checked through the application, below)."""

    pending = bytearray()

    def write(self, line: bytes) -> None:
        self.append(line)


ARRIVED = 1_780_000_000.25  # the wall-clock time the test requests arrive at
ARRIVED_NS = 1_780_000_000_250_000_000


def formatted(fmt: str, **kwargs: object) -> bytes:
    """The line of one request that arrived at ARRIVED and took 0.4121 ms."""
    lines = Lines()
    log = AccessLog(lines, fmt)  # type: ignore[arg-type]
    start = time.perf_counter_ns()
    values: dict[str, object] = {
        "scope": scope(), "request_id": b"0123456789abcdef", "status": 200, "sent": 1234,
        "start": start, "end": start + 412_100, "referer": None, "agent": b"curl/8.5.0",
    }  # fmt: skip
    values.update(kwargs)
    # The log reads the wall clock's offset from perf_counter_ns() once a second: here, exactly ARRIVED - start.
    with (
        mock.patch.object(time, "time_ns", lambda: ARRIVED_NS),
        mock.patch.object(time, "perf_counter_ns", lambda: start),
    ):
        log.record(**values)  # type: ignore[arg-type]
    (one,) = lines
    assert one.endswith(b"\n") and one.count(b"\n") == 1
    return one


def test_a_text_line_is_the_combined_log_format_with_duration_and_request_id() -> None:
    text = formatted("text", scope=scope(query=b"panel=open&lang=en"), referer=b"https://news.example/a").decode()
    found = TEXT_LINE.fullmatch(text.rstrip("\n"))
    assert found, text
    assert found["client"] == "203.0.113.9"
    assert (found["method"], found["target"], found["protocol"]) == (
        "GET",
        "/articles/x?panel=open&lang=en",
        "HTTP/1.1",
    )
    assert (found["status"], found["bytes"], found["ms"], found["id"]) == ("200", "1234", "0.412", "0123456789abcdef")
    assert (found["referer"], found["agent"]) == ("https://news.example/a", "curl/8.5.0")
    # The local time of 1,780,000,000.25 in the Common Log Format's own notation.
    assert found["time"] == time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(ARRIVED))


def test_a_client_address_cannot_add_fields_to_a_text_line() -> None:
    # A proxy passes on whatever X-Forwarded-For said: a space there would end the first field early.
    text = formatted("text", scope=scope(client=("198.51.100.1 - - [01/Jan/2000", 1))).decode()
    found = TEXT_LINE.fullmatch(text.rstrip("\n"))
    assert found, text
    assert found["client"] == "198.51.100.1\\x20-\\x20-\\x20[01/Jan/2000"


def test_a_json_line_holds_the_same_fields() -> None:
    data = json.loads(formatted("json", scope=scope(query=b"a=1"), referer=b"https://news.example/a"))
    assert data == {
        "time": data["time"], "request_id": "0123456789abcdef", "client": "203.0.113.9", "method": "GET",
        "path": "/articles/x?a=1", "protocol": "HTTP/1.1", "status": 200, "bytes": 1234, "duration_ms": 0.412,
        "referer": "https://news.example/a", "user_agent": "curl/8.5.0",
    }  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.250[+-]\d\d:\d\d", data["time"])
    missing = json.loads(formatted("json", scope=scope(client=None), agent=None))
    assert (missing["client"], missing["referer"], missing["user_agent"]) == ("-", None, None)


INJECTIONS = [
    b'Mozilla" 200 0 "-" "forged',
    b'curl\n203.0.113.1 - - [01/Jan/2026:00:00:00 +0000] "GET /admin HTTP/1.1" 200 0',
    b"back\\slash \x1b[31mred\x1b[0m \x00\x7f\r\t",
    "Tiếng Việt \u202e".encode(),
    b"\xff\xfe not utf-8",
]


@pytest.mark.parametrize("evil", INJECTIONS)
def test_client_controlled_fields_cannot_forge_a_line_or_a_field(evil: bytes) -> None:
    fields = {
        "scope": scope(path="/x", raw_path=b"/x" + evil.replace(b" ", b"%20"), query=evil.replace(b" ", b"+")),
        "referer": evil,
        "agent": evil,
    }
    text = formatted("text", **fields)
    assert re.fullmatch(rb"[\x20-\x7e]*\n", text), text  # printable ASCII only, one line
    found = TEXT_LINE.fullmatch(text.decode().rstrip("\n"))
    assert found, text
    assert found["status"] == "200" and found["id"] == "0123456789abcdef"
    assert '"' not in found["agent"] and '"' not in found["referer"]
    data = json.loads(formatted("json", **fields))
    assert re.fullmatch(rb"[\x20-\x7e]*\n", formatted("json", **fields))
    assert data["user_agent"] == evil.decode("utf-8", "backslashreplace")
    assert data["status"] == 200 and data["request_id"] == "0123456789abcdef"


def test_escaping_is_nginx_style_hex_for_text() -> None:
    assert escape_text(b'a"b\\c\n\x1bd\xc3\xa9', 100) == b"a\\x22b\\x5Cc\\x0A\\x1Bd\\xC3\\xA9"
    assert escape_text(b"plain /path?x=1", 100) == b"plain /path?x=1"
    assert escape_json(b'a"b\n\xc3\xa9\xff', 100) == b'"a\\"b\\n\\u00e9\\\\xff"'


def test_long_fields_are_cut_and_a_line_never_passes_4_kib() -> None:
    huge = b"/" + b"a" * 20_000
    cases = [(huge, evil, evil) for evil in (b"\x01" * 20_000, "ệ".encode() * 10_000, b"b" * 20_000)]
    cases.append((b"/short", b"", b"c" * 20_000))  # a clean line but for one long header
    for fmt in ("text", "json"):
        for path, query, header in cases:
            one = formatted(
                fmt, scope=scope(raw_path=path, query=query, method="PROPFIND"), referer=header, agent=header
            )
            assert len(one) <= MAX_LINE_BYTES <= 4096, (fmt, len(one))
            assert b"..." in one
            if fmt == "json":
                json.loads(one)
            else:
                assert TEXT_LINE.fullmatch(one.decode().rstrip("\n"))


def test_what_clients_send_is_remembered_escaped_but_never_without_bound() -> None:
    lines = Lines()
    log = AccessLog(lines)  # type: ignore[arg-type]
    start = time.perf_counter_ns()

    def record(path: bytes, agent: bytes, at: int = 0) -> bytes:
        log.record(
            scope(path=path.decode(), raw_path=path), b"id", 200, 1, start + at, start + at + 1_000_000, None, agent
        )
        return lines[-1]

    first = record(b"/a", b'evil"\n')
    assert record(b"/a", b'evil"\n') == first  # the remembered head gives the same line
    assert b'"evil\\x22\\x0A"' in first
    for n in range(3 * access_log.MAX_REMEMBERED):
        record(b"/page-%d" % n, b"agent-%d" % (n % 3))
    assert 0 < len(log._requests) <= access_log.MAX_REMEMBERED
    assert len(log._headers) == 4 and len(log._addresses) == 1
    assert 0 < len(log._heads) <= access_log.MAX_HEADS
    # The heads hold this second's lines: the next second starts with none.
    record(b"/a", b"agent-0", at=2 * access_log.SECOND_NS)
    assert len(log._heads) == 1
    for table in (log._heads, log._requests, log._headers, log._addresses):
        table.clear()
    record(b"/b", b"x" * 5000)  # long parts are escaped every time, not kept
    assert not log._heads and not log._headers and log._requests and log._addresses


def test_each_part_of_a_line_is_escaped_once_whatever_it_comes_with(monkeypatch: pytest.MonkeyPatch) -> None:
    # Real traffic seldom repeats a whole line, but its parts repeat: a page, a browser, a client's address.
    escaped: list[bytes] = []
    escape = access_log.escape_text

    def counting(value: bytes, limit: int) -> bytes:
        escaped.append(value)
        return escape(value, limit)

    monkeypatch.setattr(access_log, "escape_text", counting)
    lines = Lines()
    log = AccessLog(lines)  # type: ignore[arg-type]
    start = time.perf_counter_ns()
    pages, agents, referers = [b"/a", b"/b", b"/c"], [b"agent-1", b"agent-2"], [None, b"https://news.example/"]
    for n in range(access_log.MAX_HEADS * 4):  # more combinations than a second keeps whole
        page, agent, referer = pages[n % 3], agents[n % 2], referers[n // 6 % 2]
        client = (f"203.0.113.{n % 5}", 1000 + n)
        log.record(
            scope(path="/", raw_path=page, client=client), b"id-%d" % n, 200, n, start, start + 1, referer, agent
        )
        found = TEXT_LINE.fullmatch(lines[-1].decode().rstrip("\n"))
        assert found, lines[-1]
        assert (found["client"], found["target"], found["bytes"]) == (client[0], page.decode(), str(n))
        assert (found["referer"], found["agent"], found["id"]) == (
            (referer or b"-").decode(),
            agent.decode(),
            f"id-{n}",
        )
    # 5 addresses, 3 requests (3 pieces each), 4 pairs of headers (the referer only when there is one).
    assert len(escaped) == 5 + 3 * 3 + 4 + 2


def test_json_lines_keep_the_parts_of_a_second_s_first_combinations() -> None:
    lines = Lines()
    log = AccessLog(lines, "json")  # type: ignore[arg-type]
    start = time.perf_counter_ns()
    for n in range(3 * access_log.MAX_HEADS):
        log.record(scope(), b"id", 200, n, start, start + 1_000, None, b"agent-%d" % (n % 2))
        assert json.loads(lines[-1])["bytes"] == n and json.loads(lines[-1])["user_agent"] == f"agent-{n % 2}"
    assert len(log._combinations) == access_log.MAX_HEADS
    log.record(scope(), b"id", 200, 0, start + 2 * access_log.SECOND_NS, start + 2 * access_log.SECOND_NS, None, None)
    assert len(log._combinations) == 1 and json.loads(lines[-1])["user_agent"] is None


def test_a_remembered_line_follows_the_raw_path_the_status_the_size_and_the_clock() -> None:
    lines = Lines()
    log = AccessLog(lines)  # type: ignore[arg-type]
    start = time.perf_counter_ns()

    def record(raw_path: bytes, status: int = 200, sent: int = 1, at: int = 0, took: int = 1) -> re.Match[str]:
        # Both raw paths decode to the same path: the one the client sent is the one logged.
        log.record(scope(path="/ab", raw_path=raw_path), b"id", status, sent, start + at, start + at + took, None, None)
        found = TEXT_LINE.fullmatch(lines[-1].decode().rstrip("\n"))
        assert found, lines[-1]
        return found

    assert record(b"/a%62")["target"] == "/a%62"
    assert record(b"/ab")["target"] == "/ab"
    assert record(b"/a%62")["target"] == "/a%62"
    assert (record(b"/ab", 304, 0)["status"], record(b"/ab", 304, 0)["bytes"]) == ("304", "0")
    assert (record(b"/ab", 200, 7)["status"], record(b"/ab", 200, 7)["bytes"]) == ("200", "7")
    durations = [record(b"/ab", took=took)["ms"] for took in (412_100, 1_234_500, 0, 412_100, 60_000_000_000)]
    assert durations == ["0.412", "1.235", "0.000", "0.412", "60000.000"]
    first = record(b"/ab")["time"]
    assert record(b"/ab", at=2 * access_log.SECOND_NS)["time"] != first  # a remembered head, of its second


def test_a_batch_of_text_lines_is_written_by_the_line_that_passes_64_kib(log_path: Path, timers: Timers) -> None:
    # record copies a line's pieces into the writer's batch without making the line: the batch is written
    # with the line that takes it past 64 KiB, not later.
    writer = LogWriter(str(log_path), call_later=timers)
    log = AccessLog(writer)
    start = time.perf_counter_ns()
    n = 0
    while not log_path.read_bytes():
        assert len(writer.pending) < FLUSH_BYTES
        took = 1_000 * (n % 10_000)  # every duration under 10 ms
        request_id = b"%016x" % n if n % 3 else b"client-chosen-id-%d" % n  # ids of other lengths too
        log.record(scope(path=f"/articles/{n % 7}"), request_id, 200, n % 5000, start, start + took, None, None)
        n += 1
    written = log_path.read_bytes()
    assert FLUSH_BYTES <= len(written) < FLUSH_BYTES + MAX_LINE_BYTES and written.count(b"\n") == n
    assert all(TEXT_LINE.fullmatch(one) for one in written.decode().splitlines())
    assert not writer.pending
    writer.close()


def test_a_batch_is_written_when_it_reaches_flush_bytes_exactly(tmp_path: Path, timers: Timers) -> None:
    # Each line's bytes count as they are, a slow request's longer duration (11 bytes where most take 9) too:
    # a batch of exactly flush_bytes is written by its last line, one byte short waits.
    start = time.perf_counter_ns()
    lines = [(b"a", 1_000), (b"b", 2_000), (b"c", 3_000), (b"d", 12_345_678_901)]  # the batch's first; hits; slow
    sizes = []
    measuring = LogWriter(str(tmp_path / "measured.log"), call_later=timers)
    log = AccessLog(measuring)
    for request_id, took in lines:
        log.record(scope(), request_id, 200, 1, start, start + took, None, None)
        sizes.append(len(measuring.pending))
    assert measuring.pending.endswith(b" 12345.679ms [d]\n")
    for k, size in enumerate(sizes[1:], 2):
        for flush_bytes in (size, size + 1):
            path = tmp_path / f"{k}-{flush_bytes}.log"
            writer = LogWriter(str(path), flush_bytes=flush_bytes, call_later=timers)
            log = AccessLog(writer)
            for request_id, took in lines[:k]:
                log.record(scope(), request_id, 200, 1, start, start + took, None, None)
            assert path.read_bytes() == (bytes(measuring.pending[:size]) if flush_bytes == size else b"")
            writer.close()
    measuring.close()


def test_a_line_that_cannot_be_made_leaves_no_part_of_it_in_the_batch(log_path: Path, timers: Timers) -> None:
    # A request id that is not bytes (RequestId always passes bytes; a middleware of someone else's might
    # not) fails its record, with nothing of its line in the batch: the lines before and after it stay whole.
    writer = LogWriter(str(log_path), call_later=timers)
    log = AccessLog(writer)
    start = time.perf_counter_ns()
    log.record(scope(), b"first", 200, 1, start, start + 1_000, None, None)
    with pytest.raises(TypeError):
        log.record(scope(), "not-bytes", 200, 1, start, start + 1_000, None, None)  # type: ignore[arg-type]
    log.record(scope(), b"last", 200, 1, start, start + 1_000, None, None)
    writer.close()
    written = log_path.read_bytes().decode().splitlines()
    assert [TEXT_LINE.fullmatch(one)["id"] for one in written] == ["first", "last"]  # type: ignore[index]


def test_a_line_needs_no_client_and_no_raw_path() -> None:
    # ASGI makes both optional: the decoded path is logged, and "-" for the client.
    bare: Scope = {"type": "http", "http_version": "1.1", "method": "GET", "path": "/é", "query_string": b""}
    found = TEXT_LINE.fullmatch(formatted("text", scope=bare).decode().rstrip("\n"))
    assert found and (found["client"], found["target"]) == ("-", "/\\xC3\\xA9")


def test_a_long_field_keeps_as_much_as_fits_in_either_format() -> None:
    # A field over its limit keeps its beginning up to the limit, then "...": the longer it was, the same (a
    # JSON field 4 KiB long or more used to keep nothing but "...", one over by 100 bytes lost 100 more).
    for length in (2049, 2148, 4096, 20_000):
        value = b"/" + b"a" * (length - 1)
        assert escape_text(value, 2048) == value[:2045] + b"..."
        assert json.loads(escape_json(value, 2048)) == value[:2045].decode() + "..."
    for letter, width in (("ệ", 6), ("😀", 12), ('"', 2)):  # escapes of 6 and 12 bytes (\u1ec7, a pair), \"
        cut = escape_json(letter.encode() * 3000, 2048)
        assert 2048 - width < len(cut) - 2 <= 2048, (letter, len(cut))
        assert json.loads(cut) == letter * ((2048 - 3) // width) + "..."


def test_a_cut_never_ends_inside_an_escape() -> None:
    for size in range(20, 40):
        cut = escape_text(b"a" * 5 + b"\n" * 20, size)
        assert cut.endswith(b"...") and re.fullmatch(rb"a*(\\x0A)*\.\.\.", cut), cut


# ---------------------------------------------------------------- through the application


class Logged:
    """A reader app logging to a file, and a client of it."""

    def __init__(self, app: Starlette, client: httpx.AsyncClient, path: Path) -> None:
        self.app, self.client, self.path = app, client, path

    def lines(self) -> list[str]:
        """The log after the server's shutdown flush (run here: the fixture's lifespan ends after the test)."""
        self.app.access_log.writer.close()  # type: ignore[attr-defined]
        return self.path.read_text().splitlines()


@pytest.fixture
async def logged(tmp_path: Path, log_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Logged]:
    fmt = getattr(request, "param", "text")
    app = create_app(Settings(db_path=tmp_path / "reader.db", access_log=str(log_path), access_log_format=fmt))
    async with served(app) as running:
        transport = httpx.ASGITransport(app=running, client=("198.51.100.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Logged(app, client, log_path)


@pytest.mark.anyio
async def test_every_request_gets_one_line_with_its_id_status_and_size(logged: Logged) -> None:
    client = logged.client
    page = f"/articles/{SEED_SLUG}"
    answers = [
        await client.get(page, headers={"referer": "https://news.example/", "user-agent": "t/1"}),
        await client.get(page),  # a hit of the answer cache: sent past the wrappers (reader.request_id.Reply)
        await client.get(page, headers={"if-none-match": "*"}),  # a 304, a hit too the second time
        await client.get(page, headers={"if-none-match": "*"}),
        await client.get(f"/articles/{SEED_SLUG}/fragment?panel=open"),
        await client.get("/no-such-page"),
        await client.post("/api/articles", json={}),
        await client.get("/healthz", headers={"x-request-id": "from-the-proxy"}),
    ]
    lines = logged.lines()
    assert len(lines) == len(answers)
    for answer, text in zip(answers, lines, strict=True):
        found = TEXT_LINE.fullmatch(text)
        assert found, text
        assert found["client"] == "198.51.100.7"
        assert answer.headers.get_list("x-request-id") == [found["id"]]
        assert int(found["status"]) == answer.status_code
        assert int(found["bytes"]) == int(answer.headers.get("content-length", 0))  # as sent: gzipped when it was
        assert found["method"] == answer.request.method
        assert found["target"] == answer.request.url.raw_path.decode()
    assert TEXT_LINE.fullmatch(lines[0])["referer"] == "https://news.example/"  # type: ignore[index]
    assert TEXT_LINE.fullmatch(lines[0])["agent"] == "t/1"  # type: ignore[index]
    assert TEXT_LINE.fullmatch(lines[-1])["id"] == "from-the-proxy"  # type: ignore[index]
    assert [answer.status_code for answer in answers[:4]] == [200, 200, 304, 304]


@pytest.mark.anyio
@pytest.mark.parametrize("logged", ["json"], indirect=True)
async def test_json_lines_through_the_application(logged: Logged) -> None:
    answer = await logged.client.get(f"/articles/{SEED_SLUG}?lang=en", headers={"user-agent": 'say "hi"'})
    (text,) = logged.lines()
    data = json.loads(text)
    assert data["request_id"] == answer.headers["x-request-id"]
    assert data["path"] == f"/articles/{SEED_SLUG}?lang=en" and data["status"] == 200
    assert data["bytes"] == int(answer.headers["content-length"]) and data["user_agent"] == 'say "hi"'
    assert data["client"] == "198.51.100.7" and data["duration_ms"] > 0


@pytest.mark.anyio
async def test_a_failing_request_is_logged_with_the_500_it_got() -> None:
    lines = Lines()
    log = AccessLog(lines)  # type: ignore[arg-type]

    async def fails(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b"sorry"})
        raise RuntimeError("boom")

    async def gone(scope: Scope, receive: Receive, send: Send) -> None:
        return None  # the client went away before anything was sent

    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    with pytest.raises(RuntimeError):
        await RequestId(fails, access_log=log)(scope(), receive, collect)
    await RequestId(gone, access_log=log)(scope(), receive, collect)
    statuses = [TEXT_LINE.fullmatch(one.decode().rstrip("\n"))["status"] for one in lines]  # type: ignore[index]
    assert statuses == ["500", "499"]
    assert TEXT_LINE.fullmatch(lines[0].decode().rstrip("\n"))["bytes"] == "5"  # type: ignore[index]


@pytest.mark.anyio
async def test_a_request_leaves_no_reference_cycle_for_the_garbage_collector() -> None:
    """uvicorn's send is a method of its request, which holds the scope: the scope must not keep holding the
    reply that holds that send, or every request would wait for the garbage collector to be freed."""

    class Cycle:  # as uvicorn's RequestResponseCycle
        def __init__(self, scope: Scope) -> None:
            self.scope = scope

        async def send(self, message: Message) -> None:
            pass

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    for log in (None, AccessLog(Lines())):  # type: ignore[arg-type]
        cycle = Cycle(scope())
        freed = weakref.ref(cycle)
        gc.disable()
        try:
            await RequestId(app, access_log=log)(cycle.scope, receive, cycle.send)
            del cycle
            assert freed() is None  # by reference counting alone
        finally:
            gc.enable()


@pytest.mark.anyio
async def test_off_means_no_log_at_all(tmp_path: Path) -> None:
    assert open_access_log("off", "text") is None
    app = create_app(Settings(db_path=tmp_path / "reader.db", access_log="off"))
    async with served(app) as running, client_for(running) as client:
        answer = await client.get("/healthz")
    assert answer.status_code == 200 and answer.headers["x-request-id"]
    assert app.access_log is None  # type: ignore[attr-defined]


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, ("stderr", "text", 1)),
        ({"READER_ACCESS_LOG": "OFF", "READER_ACCESS_LOG_FORMAT": "JSON"}, ("off", "json", 1)),
        ({"READER_ACCESS_LOG": "-", "READER_WORKERS": "3"}, ("stderr", "text", 3)),
        ({"READER_ACCESS_LOG": "/var/log/reader/access.log"}, ("/var/log/reader/access.log", "text", 1)),
        ({"READER_WORKERS": "auto"}, ("stderr", "text", len(os.sched_getaffinity(0)))),
    ],
)
def test_settings_from_the_environment(environ: dict[str, str], expected: tuple[str, str, int]) -> None:
    settings = Settings.from_env(environ)
    assert (settings.access_log, settings.access_log_format, settings.workers) == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"READER_ACCESS_LOG_FORMAT": "xml"}, "READER_ACCESS_LOG_FORMAT must be one of text, json"),
        ({"READER_ACCESS_LOG": "  "}, "READER_ACCESS_LOG must be a file path"),
        ({"READER_WORKERS": "0"}, "READER_WORKERS must be at least 1"),
        ({"READER_WORKERS": "many"}, "READER_WORKERS must be a whole number"),
    ],
)
def test_unusable_settings_are_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def test_settings_travel_to_worker_processes_whole() -> None:
    # uvicorn's supervisor pickles the app factory (and so the settings) into every worker it spawns.
    import functools
    import pickle

    settings = Settings(db_path=Path("/srv/reader.db"), access_log="/var/log/a.log", workers=2, page_size=7)
    factory = pickle.loads(pickle.dumps(functools.partial(create_app, settings, check_database=False)))
    assert factory.args == (settings,) and factory.keywords == {"check_database": False}
