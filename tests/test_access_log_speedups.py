"""The compiled hit path of the access log (reader._access_log_speedups): built where it can be, used where it
was built, and line for line, byte for byte, what the Python `record` writes."""

from __future__ import annotations

import gc
import importlib.machinery
import os
import shutil
import sys
import sysconfig
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import ClassVar
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import Scope

import reader
from reader import access_log
from reader.access_log import SECOND_NS, AccessLog, LogWriter, open_access_log
from tests.test_access_log import Timers

needs_compiled = pytest.mark.skipif(not access_log.COMPILED, reason="reader._access_log_speedups was not built")

NOW_NS = 1_780_000_000_250_000_000  # the wall clock, for both logs alike
PERF_NS = 5_000_000_000_000  # perf_counter_ns() at that moment


def test_the_compiled_module_is_built_where_it_can_be_and_used_where_it_was() -> None:
    # pip builds it wherever a C compiler and Python's headers are found (hatch_build.py), as on CI's machines:
    # a build that silently went without, or a module built and then not used, fails here.
    package = Path(reader.__file__).parent
    built = [p for s in importlib.machinery.EXTENSION_SUFFIXES for p in package.glob(f"_access_log_speedups{s}")]
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    headers = Path(sysconfig.get_paths()["include"], "Python.h")
    if shutil.which(compiler) and headers.is_file():
        assert built, f"{compiler} and {headers} are here, yet pip did not build reader._access_log_speedups"
    assert access_log.COMPILED == bool(built)
    log = open_access_log(os.devnull, "text")
    assert log is not None and log.compiled == bool(built)
    if built:
        assert type(log.ended).__name__ == "Recorder" and type(log.record).__name__ == "builtin_function_or_method"
    json_log = open_access_log(os.devnull, "json")
    assert json_log is not None and not json_log.compiled  # json lines stay in Python


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
def test_the_serving_line_says_which_code_writes_the_log(compiled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader import cli

    monkeypatch.setattr(access_log, "COMPILED", compiled)
    assert ("access log compiled" in cli.release()) == compiled


class Counting(AccessLog):
    """An AccessLog that counts the lines its Python `record` makes (the compiled one calls it for the rest)."""

    python_lines = 0

    def record(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        self.python_lines += 1
        super().record(*args, **kwargs)  # type: ignore[arg-type]


def scope(client: tuple[str, int] | None = ("203.0.113.9", 51000), raw_path: bytes | None = b"/a") -> Scope:
    made: Scope = {
        "type": "http", "http_version": "1.1", "method": "GET", "path": "/a", "query_string": b"", "headers": [],
    }  # fmt: skip
    if client is not None:
        made["client"] = client
    if raw_path is not None:
        made["raw_path"] = raw_path
    return made


@needs_compiled
def test_a_repeated_line_is_added_by_the_compiled_code(tmp_path: Path) -> None:
    timers = Timers()
    writer = LogWriter(str(tmp_path / "access.log"), call_later=timers)
    log = Counting(writer)
    assert log.compiled
    start = time.perf_counter_ns()
    for n in range(100):
        log.record(scope(), b"id-%d" % n, 200, 10, start, start + 1_000 * n, None, b"agent")
    # The first line of the second makes the head (and the batch): Python's; the other 99 are the table's.
    assert log.python_lines == 1
    log.ended(scope(), b"id", 200, 10, time.perf_counter_ns(), None, b"agent")
    assert log.python_lines <= 2  # 2 only when the second ended in between
    # What the compiled code passes on: no client, no raw path, a long duration, a new head.
    for unusual in (
        (scope(client=None), b"id", 200, 10, start, start, None, b"agent"),
        (scope(raw_path=None), b"id", 200, 10, start, start, None, b"agent"),
        (scope(), b"id", 200, 10, start, start + 10_000_000, None, b"agent"),
        (scope(), b"id", 200, 11, start, start, None, b"agent"),
    ):
        before = log.python_lines
        log.record(*unusual)  # type: ignore[arg-type]
        assert log.python_lines == before + 1
    writer.close()
    text = (tmp_path / "access.log").read_bytes()
    assert text.count(b"\n") == 105 and b"\n- - - [" in text and b' "GET /a HTTP/1.1" ' in text


@needs_compiled
def test_the_compiled_end_is_read_from_the_clock_of_perf_counter_ns() -> None:
    ends: list[int] = []

    class Ends(AccessLog):
        def record(self, *args: object) -> None:  # type: ignore[override]
            ends.append(args[5])  # type: ignore[arg-type]

    log = Ends(LogWriter(os.devnull), compiled=True)
    before = time.perf_counter_ns()
    log.ended(scope(), b"id", 200, 1, before, None, None)  # a log's first line: its Python record's
    assert len(ends) == 1 and before <= ends[0] <= time.perf_counter_ns()


@dataclass
class Request:
    client: tuple[str, int] | None
    raw_path: bytes | None
    path: str
    query: bytes
    method: str
    version: str
    referer: bytes | None
    agent: bytes | None
    status: int
    sent: int
    request_id: bytes
    step: int  # from the last request's start to this one's: negative for a request that started earlier
    took: int
    ended: bool  # through `ended`, the compiled one reading the clock itself


# What clients send, with the awkward bytes: quotes, backslashes, control and non-ASCII bytes, long values.
sent_bytes = st.one_of(
    st.binary(max_size=24),
    st.sampled_from([b"", b'"', b"\\", b"\\x22", b"\x00\n\r\x7f", "é/ậ".encode(), b"\xff\xfe", b"a" * 3000]),
)
# Any, at the table's end (10 ms), on a half microsecond (rounded up), and long ones.
durations = st.one_of(
    st.integers(0, 9_999_999),
    st.integers(9_999_000, 10_001_000),
    st.integers(0, 9_999).map(lambda micros: micros * 1_000 + 500),
    st.integers(0, 10**14),
)


@st.composite
def traffic(draw: st.DrawFn) -> list[Request]:
    """Requests drawn from a few values of each part, so that whole lines repeat (the table's hits) and parts
    mix (its misses)."""

    def few(values: st.SearchStrategy[object]) -> Callable[[], object]:
        pool = draw(st.lists(values, min_size=1, max_size=3))
        return lambda: draw(st.sampled_from(pool))

    clients = few(st.one_of(st.none(), st.tuples(st.sampled_from(["127.0.0.1", "::1", "a b", "é"]), st.just(1))))
    raw_paths = few(st.one_of(st.none(), sent_bytes.map(lambda b: b"/" + b)))
    queries, referers, agents = (
        few(sent_bytes),
        few(st.one_of(st.none(), sent_bytes)),
        few(st.one_of(st.none(), sent_bytes)),
    )
    methods = few(st.sampled_from(["GET", "HEAD", "POST", 'G"T', "ÉTÉ"]))
    versions = few(st.sampled_from(["1.1", "1.0", "2", "", 'x"\\é']))  # "": a request line cut short
    statuses, sizes = few(st.sampled_from([200, 304, 404, 499, 500])), few(st.integers(0, 10**9))
    ids = few(st.one_of(st.binary(min_size=1, max_size=64), st.just(b"0123456789abcdef")))
    steps = st.one_of(st.integers(0, 1_000_000), st.integers(-2 * SECOND_NS, 3 * SECOND_NS))
    return [
        Request(
            clients(),
            raw_paths(),
            "/dé code",
            queries(),
            methods(),
            versions(),
            referers(),
            agents(),  # type: ignore[arg-type]
            statuses(),
            sizes(),
            ids(),
            draw(steps),
            draw(durations),  # type: ignore[arg-type]
            draw(st.booleans()),
        )  # fmt: skip
        for _ in range(draw(st.integers(1, 60)))
    ]


@needs_compiled
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(requests=traffic(), flush_bytes=st.sampled_from([200, 1_000, 64 * 1024]))
def test_the_compiled_and_the_python_record_write_the_same_bytes(
    requests: list[Request], flush_bytes: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("logs")
    timers = Timers()
    writers = [LogWriter(str(directory / name), flush_bytes=flush_bytes, call_later=timers) for name in "cp"]
    compiled, python = AccessLog(writers[0], compiled=True), AccessLog(writers[1], compiled=False)
    start = PERF_NS
    clock = time.perf_counter_ns  # the real one, which the compiled `ended` reads
    # The wall clock's offset is read once a second: the same for both logs.
    with (
        mock.patch.object(time, "time_ns", lambda: NOW_NS),
        mock.patch.object(time, "perf_counter_ns", lambda: PERF_NS),
    ):
        for n, request in enumerate(requests):
            made = scope(request.client, request.raw_path)
            made.update(
                path=request.path, query_string=request.query, method=request.method, http_version=request.version
            )
            args = (request.request_id, request.status, request.sent)
            headers = (request.referer, request.agent)
            if request.ended:
                # Started `took` ago by the real clock; the Python record is then given the end the compiled
                # line shows (its duration, to the microsecond), so that everything else is compared.
                start = clock() - request.took
                compiled.ended(dict(made), *args, start, *headers)
                end = start + 1_000 * last_duration(writers[0], directory / "c", request.request_id)
            else:
                start += request.step
                compiled.record(dict(made), *args, start, start + request.took, *headers)
                end = start + request.took
            python.record(dict(made), *args, start, end, *headers)
            assert writers[0].pending == writers[1].pending, n
            if n % 7 == 6:  # the batch's timer, now and then
                timers.fire()
    for writer in writers:
        writer.close()
    assert (directory / "c").read_bytes() == (directory / "p").read_bytes()


def last_duration(writer: LogWriter, path: Path, request_id: bytes) -> int:
    """The duration of the line just added to `writer` (at the end of its batch, or of its file when that line
    made it write the batch), in microseconds: "... 12.345ms [ID]\n"."""
    written = bytes(writer.pending) or path.read_bytes()
    end = len(written) - len(request_id) - len(b"]\n") - len(b"ms [")
    assert written.endswith(b"ms [" + request_id + b"]\n")
    return int(written[written.rindex(b" ", 0, end) + 1 : end].replace(b".", b""))


# Lines a leak test records: one reference or one small object kept a line shows as 50,000 of them.
LINES = 50_000


@needs_compiled
def test_the_compiled_code_keeps_no_reference(tmp_path: Path) -> None:
    # The same objects each time: any reference kept shows in their counts. Then new objects each time: any
    # object kept shows in the memory still allocated.
    timers = Timers()
    writer = LogWriter(os.devnull, call_later=timers)
    log = AccessLog(writer, compiled=True)
    # Objects of this test's own (a literal is shared with other code, which may hold and drop references).
    same = scope(client=(f"198.51.100.{7}", 40000), raw_path=b"/articles/%d" % 1)
    request_id, referer, agent = b"%016x" % 12345, b"https://news.example/%d" % 1, b"Mozilla/%d.0 (X11)" % 5
    start = time.perf_counter_ns()
    inputs: list[object] = [same, same["client"], same["client"][0], same["raw_path"], request_id, referer, agent]

    def line(made: Scope, request_id: bytes, referer: bytes, agent: bytes) -> None:
        log.ended(made, request_id, 200, 19_523, time.perf_counter_ns(), referer, agent)

    for _ in range(1_000):  # the head in the table, the batch begun
        line(same, request_id, referer, agent)
    writer.flush()
    line(same, request_id, referer, agent)  # a batch's first line, Python's
    counts = [sys.getrefcount(value) for value in inputs]
    for n in range(LINES):
        log.record(same, request_id, 200, 19_523, start, start + n % 20_000, referer, agent)
    writer.flush()
    line(same, request_id, referer, agent)
    gc.collect()
    assert [sys.getrefcount(value) for value in inputs] == counts
    tracemalloc.start()
    try:
        allocated = tracemalloc.get_traced_memory()[0]
        for n in range(LINES):
            line(scope(("198.51.100.7", n), b"/articles/%d" % 1), b"%016x" % n, b"%s" % referer, b"%s" % agent)
        writer.flush()
        gc.collect()
        assert tracemalloc.get_traced_memory()[0] - allocated < 200_000  # not 50,000 lines' objects (1.6 MB or more)
    finally:
        tracemalloc.stop()


class CallingBack(str):
    """A method name whose comparison runs code first: what a table lookup may run (an element's __eq__), here
    calling the log again or writing its batch out."""

    then: ClassVar[list[Callable[[], None]]] = []

    def __eq__(self, other: object) -> bool:
        while self.then:
            self.then.pop()()
        return str.__eq__(self, other)

    __hash__ = str.__hash__


@needs_compiled
@pytest.mark.parametrize("called", ["a line", "the flush"])
def test_code_a_lookup_runs_may_call_the_log_again(called: str, tmp_path: Path) -> None:
    # The compiled lookup's key tuple is the recorder's, filled for the lookup: a line recorded from inside it
    # refilled and emptied that same tuple under it (the lookup's own parts' references lost, or on 3.14 the
    # tuple freed), and a batch written out meanwhile got its next line without the flush's timer.
    timers = Timers()
    writers = [LogWriter(str(tmp_path / name), call_later=timers) for name in "cp"]
    logs = AccessLog(writers[0], compiled=True), AccessLog(writers[1], compiled=False)
    with (
        mock.patch.object(time, "time_ns", lambda: NOW_NS),
        mock.patch.object(time, "perf_counter_ns", lambda: PERF_NS),
    ):
        for log, writer in zip(logs, writers, strict=True):
            first = dict(scope(), method=CallingBack("GET"))
            inner = scope()
            for made, sent in ((first, 10), (inner, 11)):  # both heads in the table, the batch begun
                log.record(made, b"id", 200, sent, PERF_NS, PERF_NS + 1_000, None, b"agent")
            # Equal to the first's, not the same object: the lookup compares them, and so runs __eq__.
            again = dict(first, method=CallingBack("GET"))
            if called == "a line":
                CallingBack.then.append(partial(log.record, inner, b"in", 200, 11, PERF_NS, PERF_NS, None, b"agent"))
            else:
                CallingBack.then.append(writer.flush)
            counts = [sys.getrefcount(part) for part in (again["method"], again["raw_path"])]
            log.record(again, b"again", 200, 10, PERF_NS, PERF_NS + 2_000, None, b"agent")
            assert not CallingBack.then
            assert [sys.getrefcount(part) for part in (again["method"], again["raw_path"])] == counts
        assert writers[0].pending == writers[1].pending
        timers.fire()  # the batch's timer: the line after the flush is written by it, as a batch's first line
        assert (tmp_path / "c").read_bytes() == (tmp_path / "p").read_bytes()
        assert writers[0].pending == writers[1].pending == b""
