"""The access log: one line per request, formatted once at the outermost layer and written in batches.

uvicorn's own access log costs a logging record, a formatter and a write system call per request: about
half of what a cached answer costs to serve. This one formats the line with a few bytes operations, keeps
it in memory and writes the batch with one `os.write` when it passes `FLUSH_BYTES`, when its oldest line is
`FLUSH_SECONDS` old, and when the server shuts down (nginx's `access_log … buffer=64k flush=…`). So on
SIGTERM no line is lost; after `kill -9` the lines of about the last half second are. Error logs do not
come through here: they stay immediate.

Half a second, not nginx's usual second: when a burst of traffic ends, its last lines are out within half
a second (a second would leave them in memory for up to a whole second plus the event loop's delay); it
costs one more write a second only while traffic is too light to fill 64 KiB that fast.

Several workers may share one destination, so a batch goes out in writes that each hold whole lines:
- a regular file is opened with O_APPEND (standard error redirected to a file shares one open file
  description), and Linux writes each `write` whole at the end of the file: one write per batch;
- anything else (a pipe, a terminal, a socket such as journald's) gets writes of whole lines of at most
  PIPE_BUF bytes, which POSIX makes atomic on pipes and FIFOs (Linux keeps them whole on Unix stream
  sockets as well). A line is at most `MAX_LINE_BYTES` long (long fields are cut, marked with "...").

A log file may be rotated the usual way (logrotate renames it, or removes it): before each batch the writer
checks that its path still names the file it has open and, if not, opens the path again.

Every field a client controls (path, query, referer, user agent, method, a forwarded client address) is
escaped: in text lines `"`, `\\`, control characters and bytes outside ASCII become `\\xHH` (as nginx
does), in JSON lines the string is JSON-escaped in ASCII. No one can forge a line or a field.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import re
import select
import signal
import stat
import time
import types
import weakref
from collections.abc import Callable
from time import perf_counter_ns
from typing import Final, Literal, TypeVar

from starlette.types import Scope

from reader.settings import ACCESS_LOG_OFF, ACCESS_LOG_STDERR

try:
    # The hit path of AccessLog.record for text lines, compiled: built by `pip install` where a C compiler and
    # Python's headers are found (hatch_build.py); the Python code below does the same work where it is not.
    from reader import _access_log_speedups
except ImportError:
    _access_log_speedups = None  # type: ignore[assignment]

# Whether text lines are added by the compiled code (reader._access_log_speedups): the serving line and
# `reader --version` say which, and so does the benchmark (bench/run.py).
COMPILED: Final = _access_log_speedups is not None

FLUSH_BYTES: Final = 64 * 1024
FLUSH_SECONDS: Final = 0.5
PIPE_BUF: Final = getattr(select, "PIPE_BUF", 512)  # POSIX's minimum where the platform does not say
# Caps on what a client sends, after escaping: a whole line stays under 4,096 bytes (Linux's PIPE_BUF), so
# it is never split between writes.
MAX_TARGET_BYTES: Final = 2048
MAX_HEADER_BYTES: Final = 512
MAX_LINE_BYTES: Final = 4096
TRUNCATED: Final = b"..."

Format = Literal["text", "json"]

logger = logging.getLogger("reader")

# Anything but printable ASCII other than `"` and `\`.
_UNSAFE = re.compile(rb"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def _hex_escape(match: re.Match[bytes]) -> bytes:
    return b"\\x%02X" % match.group()[0]


def escape_text(value: bytes, limit: int) -> bytes:
    """`value` for a text line: `"`, `\\`, control and non-ASCII bytes as \\xHH, cut to `limit` bytes."""
    escaped = _UNSAFE.sub(_hex_escape, value)
    if len(escaped) > limit:
        escaped = escaped[: limit - len(TRUNCATED)]
        # Never end inside an escape: cut back to before a partial "\xHH".
        cut = escaped.rfind(b"\\", max(0, len(escaped) - 3))
        if cut != -1:
            escaped = escaped[:cut]
        escaped += TRUNCATED
    return escaped


def escape_json(value: bytes, limit: int) -> bytes:
    """`value` as a JSON string in ASCII (quotes included), at most `limit` bytes between its quotes: cut
    where needed to the longest beginning that fits with "..." after it."""
    text = value.decode("utf-8", "backslashreplace")
    encoded = json.dumps(text)
    if len(encoded) > limit + 2:
        # The longest beginning whose escaped form fits with the mark: a character's escape is 1 to 12 bytes
        # long (a letter, \u1ea5, a surrogate pair), so the cut is searched for, by halves, not computed.
        mark = TRUNCATED.decode()
        fits, too_long = 0, min(len(text), limit) + 1  # every character takes at least one byte
        while too_long - fits > 1:
            middle = (fits + too_long) // 2
            if len(json.dumps(text[:middle] + mark)) <= limit + 2:
                fits = middle
            else:
                too_long = middle
        encoded = json.dumps(text[:fits] + mark)
    return encoded.encode("ascii")


def _cut(value: bytes, limit: int) -> bytes:
    return value if len(value) <= limit else value[: limit - len(TRUNCATED)] + TRUNCATED


class LogWriter:
    """Lines kept in memory and written to a file descriptor in batches.

    The batch is one growing buffer (`pending`, a bytearray), its length the bytes it will write: AccessLog
    copies a line's pieces into it as they are, without making the line, and its compiled part
    (reader._access_log_speedups) does the same in C, where a count kept apart would be a Python int to
    read, make and store again per line, and a list of pieces costs an append and a join per piece (about
    twice what copying its few bytes costs).

    `write` schedules a flush `flush_seconds` after the first line of an empty buffer (on the running event
    loop), so an idle server does not wake up; a buffer past `flush_bytes` is written at once. After
    `close` (the server's shutdown) a line is written as it comes, so even a request that ends after the
    shutdown's flush keeps its line.
    """

    def __init__(
        self,
        path: str | None = None,
        *,
        flush_bytes: int = FLUSH_BYTES,
        flush_seconds: float = FLUSH_SECONDS,
        call_later: Callable[[float, Callable[[], None]], asyncio.TimerHandle] | None = None,
    ) -> None:
        self.path = path
        self.flush_bytes = flush_bytes
        self.flush_seconds = flush_seconds
        self._call_later = call_later
        self._fd = 2 if path is None else self._open(path)
        opened = os.fstat(self._fd)
        self._whole_writes = stat.S_ISREG(opened.st_mode)
        # The file this writer has open, to notice when its name comes to mean another (see _follow_rotation).
        self._opened = (opened.st_dev, opened.st_ino)
        self.pending = bytearray()  # the same buffer for the writer's life: AccessLog holds it
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._failing = False
        self._reopen_failing = False
        _writers.add(self)

    @staticmethod
    def _open(path: str) -> int:
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)

    def write(self, line: bytes) -> None:
        """Buffer one line (or several, each ending in a newline)."""
        pending = self.pending
        first = not pending
        pending += line
        if first and (self._closed or not self._schedule()):  # the first line of a batch
            self.flush()
        elif len(pending) >= self.flush_bytes:
            self.flush()

    def _schedule(self) -> bool:
        """Flush `flush_seconds` from now; False when there is no event loop to do it."""
        try:
            call_later = self._call_later or asyncio.get_running_loop().call_later
        except RuntimeError:
            return False
        self._timer = call_later(self.flush_seconds, self.flush)
        return True

    def flush(self) -> None:
        """Write what is buffered now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        data = self.pending
        if not data:
            return
        # The buffer itself is written, not a copy, and emptied afterwards, written or not: no line can be added
        # meanwhile, as lines come from the event loop's thread, which is here (and while a write holds a view
        # of the buffer, an attempt to add one would raise BufferError rather than be lost).
        try:
            if self._fd == -1:  # closed: a late line of a file log opens it for itself
                assert self.path is not None
                fd = self._open(self.path)
                try:
                    self._write_out(fd, data)
                finally:
                    os.close(fd)
            else:
                if self.path is not None:
                    self._follow_rotation(self.path)
                self._write_out(self._fd, data)
        finally:
            data.clear()

    def _follow_rotation(self, path: str) -> None:
        """Open `path` again when the file of that name is no longer the one open: logrotate (or an operator)
        renamed or removed it, and the lines belong in the new one. Checked once per batch (one `stat`), as
        Python's WatchedFileHandler does per line, so rotation needs no signal and reaches every worker; a
        batch gathered before the rename goes to the new file too, and none is lost. Truncation in place
        (`copytruncate`) keeps the file, and O_APPEND then writes at its new end."""
        try:
            named = os.stat(path)
            if (named.st_dev, named.st_ino) == self._opened:
                return
        except FileNotFoundError:
            pass  # removed: create it again
        except OSError:
            return  # cannot tell (a directory on the way is unreadable): keep writing where the lines go now
        try:
            fd = self._open(path)
        except OSError as exc:
            # Not lost meanwhile: the lines go on to the file still open, under whatever name it has now.
            if not self._reopen_failing:  # once until it opens, not once per batch
                logger.error(
                    "access log: cannot open %s again after it was moved (%s); writing on to the moved file",
                    path, exc.strerror,
                )  # fmt: skip
            self._reopen_failing = True
            return
        self._reopen_failing = False
        os.close(self._fd)
        self._fd = fd
        opened = os.fstat(fd)
        self._whole_writes = stat.S_ISREG(opened.st_mode)
        self._opened = (opened.st_dev, opened.st_ino)

    def _write_out(self, fd: int, data: bytearray) -> None:
        try:
            if self._whole_writes:
                _write_all(fd, data)
            else:
                with memoryview(data) as whole:
                    for start, end in _whole_lines(data, PIPE_BUF):
                        with whole[start:end] as chunk:
                            _write_all(fd, chunk)
        except OSError as exc:
            if not self._failing:  # once per run of failures, not once per batch
                where = self.path or ACCESS_LOG_STDERR
                logger.error("access log: cannot write to %s (%s); its lines are dropped", where, exc)
            self._failing = True
        else:
            self._failing = False

    def close(self) -> None:
        """Write everything buffered; lines after this go out one by one."""
        self.flush()
        self._closed = True
        if self.path is not None and self._fd != -1:
            os.close(self._fd)
            self._fd = -1


def _write_all(fd: int, data: bytearray | memoryview) -> None:
    """All of `data`, in as many writes as it takes; the views of it let go of at once, even on an error (a
    bytearray with a view out cannot change size)."""
    with memoryview(data) as whole:
        written = 0
        while written < len(whole):
            with whole[written:] as rest:
                written += os.write(fd, rest)


def _whole_lines(data: bytes | bytearray, size: int) -> list[tuple[int, int]]:
    """`data` cut after newlines into pieces of at most `size` bytes (a longer line is one piece): where each
    piece starts and ends."""
    pieces = []
    start = 0
    while len(data) - start > size:
        end = data.rfind(b"\n", start, start + size) + 1
        if end <= start:  # one line longer than size
            end = data.find(b"\n", start + size) + 1 or len(data)
        pieces.append((start, end))
        start = end
    if start < len(data):
        pieces.append((start, len(data)))
    return pieces


_writers: weakref.WeakSet[LogWriter] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    """A process that exits without its server's shutdown (a second Ctrl-C) still writes its lines."""
    for writer in list(_writers):
        writer.flush()


SECOND_NS: Final = 1_000_000_000


class _Clock:
    """Wall-clock stamps for log lines from perf_counter_ns() readings, formatted once per second: a request
    costs one clock reading at each end, and the offset to the wall clock is taken again every second.
    Nanoseconds, in integers: a duration's milliseconds are then two integer %d, not a float's %.3f and
    its decimal conversion."""

    def __init__(self) -> None:
        self.since = self.until = 0  # the perf_counter_ns() span of the second formatted below
        self.offset = 0
        self.text = self.iso = self.zone = b""

    def update(self, perf: int) -> None:
        self.offset = time.time_ns() - time.perf_counter_ns()
        second = (perf + self.offset) // SECOND_NS
        self.since = second * SECOND_NS - self.offset
        self.until = self.since + SECOND_NS
        local = time.localtime(second)
        # Common Log Format's [10/Oct/2000:13:55:36 -0700]; %b is English in Python's default C locale.
        self.text = time.strftime("%d/%b/%Y:%H:%M:%S %z", local).encode("ascii")
        zone = time.strftime("%z", local)
        self.iso = time.strftime("%Y-%m-%dT%H:%M:%S", local).encode("ascii")
        self.zone = f"{zone[:3]}:{zone[3:]}".encode("ascii")


# Durations under 10 ms in text, looked up by microseconds rather than formatted: "0.412ms [" (10,000 byte
# strings, about 500 KB).
DURATIONS: Final = [b"%d.%03dms [" % divmod(micros, 1000) for micros in range(10_000)]


class AccessLog:
    """Formats one line per request and hands it to a LogWriter.

    text: the Combined Log Format (client, identity and user always "-", time, request line, status, body
    bytes, referer, user agent), then the duration and the request id:
        127.0.0.1 - - [01/Dec/2026:18:31:07 +0000] "GET /a?b=c HTTP/1.1" 200 19523 "-" "curl/8.5.0" 0.412ms [bc79…]
    json, one object per line with the same fields:
        {"time":"2026-12-01T18:31:07.123+00:00","request_id":"bc79…","client":"127.0.0.1","method":"GET",
         "path":"/a?b=c","protocol":"HTTP/1.1","status":200,"bytes":19523,"duration_ms":0.412,"referer":null,
         "user_agent":"curl/8.5.0"}

    `record` runs once per request on the event loop, so it is written for speed: each step of it is a
    measurable share of a cached answer (docs/performance.md). What a client sends repeats from request to
    request, so it is escaped once and remembered, in two layers:
    - each part of a line (the client's address; method, target and protocol; referer and user agent) in a
      table of its own, emptied when full (the client chooses what goes in). Real traffic seldom repeats a
      whole combination, but each part repeats: a client's address over its visit, the popular pages, the
      common browsers.
    - in text, the whole line up to its duration for the first `MAX_HEADS` combinations of each second
      (with the status and size they got); in json, whose time has milliseconds, the line's three parts.
      A combination that comes back within the second, as from a client polling or a benchmark, then
      costs one lookup. The table is emptied every second, when the time in its lines changes anyway, so
      it stays small and holds the combinations that are common now.
    A text line is that head, its duration (from a table below 10 ms) and the request id, copied into the
    writer's batch as they are.

    Where reader._access_log_speedups was built (`COMPILED`), a text log's `record` and `ended` are its
    Recorder's: the path above for a head already in this second's table, in C, with the same tables and
    batch; any other line (a new head, a new second, a batch's first line, a duration of 10 ms or more,
    anything unusual) it hands to this class's `record`, the reference implementation. `compiled` chooses
    (default: `COMPILED`); False keeps the Python code alone (the tests compare the two).
    """

    def __init__(self, writer: LogWriter, fmt: Format = "text", *, compiled: bool | None = None) -> None:
        self.writer = writer
        self.format = fmt
        self._clock = _Clock()
        self._text = fmt == "text"
        # This second's heads of text lines, and (json) the parts of its lines.
        self._heads: dict[_LineKey, bytes] = {}
        self._combinations: dict[_LineKey, tuple[bytes, bytes, bytes]] = {}
        # Each part of a line, escaped, by what the client sent.
        self._addresses: dict[str | None, bytes] = {}
        self._requests: dict[tuple[str, bytes | str, bytes, str], bytes] = {}
        self._headers: dict[tuple[bytes | None, bytes | None], bytes] = {}
        self._pending = writer.pending
        if compiled and _access_log_speedups is None:
            raise ValueError("reader._access_log_speedups was not built")
        self.compiled = (COMPILED if compiled is None else compiled) and self._text
        if self.compiled:
            recorder = _access_log_speedups.Recorder(
                types.MethodType(type(self).record, self), self._heads, self._pending, writer, self._clock, DURATIONS
            )
            # Instance attributes before the methods: `record` and `ended` are the recorder's from here on, and it
            # calls this class's `record` for what it does not do itself (the log and the recorder hold each
            # other: a cycle, for the garbage collector, once in the life of a server).
            self.record = recorder.record  # type: ignore[method-assign]
            self.ended = recorder  # type: ignore[method-assign]

    def ended(
        self,
        scope: Scope,
        request_id: bytes,
        status: int,
        sent: int,
        start: int,
        referer: bytes | None,
        agent: bytes | None,
        /,
    ) -> None:
        """`record` for a request that ends now (the compiled one reads the clock itself; positional only, as
        it takes them)."""
        self.record(scope, request_id, status, sent, start, perf_counter_ns(), referer, agent)

    def record(
        self,
        scope: Scope,
        request_id: bytes,
        status: int,
        sent: int,
        start: int,
        end: int,
        referer: bytes | None,
        agent: bytes | None,
    ) -> None:
        """Log one request: it arrived at `start` and ended at `end` (time.perf_counter_ns() readings)."""
        clock = self._clock
        if not clock.since <= start < clock.until:
            clock.update(start)
            self._heads.clear()  # their time is another second's
            self._combinations.clear()
        # Keyed by the raw path, the one logged (the decoded path could come from several).
        try:
            key = (
                scope["client"][0], scope["method"], scope["raw_path"], scope["query_string"], scope["http_version"],
                referer, agent, status, sent,
            )  # fmt: skip
        except (KeyError, TypeError):  # a server may leave the client and the raw path out (ASGI makes them optional)
            client = scope.get("client")
            key = (
                client[0] if client else None, scope["method"], scope.get("raw_path") or scope["path"],
                scope["query_string"], scope["http_version"], referer, agent, status, sent,
            )  # fmt: skip
        micros = (end - start + 500) // 1000  # to the nearest microsecond: the 3 decimals of its milliseconds
        writer = self.writer
        if self._text:
            # .get, not [key]: with real traffic most lookups miss, and a miss would cost a raise.
            head = self._heads.get(key) or self._head(key, clock.text)
            duration = DURATIONS[micros] if micros < 10_000 else b"%d.%03dms [" % divmod(micros, 1000)
            pending = self._pending
            if pending:  # LogWriter.write's usual case, written out here: the line's pieces copied as they are
                size = len(pending)
                try:
                    pending += head
                    pending += duration
                    pending += request_id
                    pending += b"]\n"
                except BaseException:  # (a request id that is not bytes): never half a line in the batch
                    del pending[size:]
                    raise
                if len(pending) >= writer.flush_bytes:
                    writer.flush()
                return
            writer.write(b"%s%s%s]\n" % (head, duration, request_id))
        else:
            address, request, headers = self._combinations.get(key) or self._combination(key)
            writer.write(
                (
                    b'{"time":"%s.%03d%s","request_id":"%s","client":%s,%s,"status":%d,"bytes":%d,'
                    b'"duration_ms":%d.%03d,%s}\n'
                ) % (
                    clock.iso, (start + clock.offset) // 1_000_000 % 1000, clock.zone, request_id, address, request,
                    status, sent, micros // 1000, micros % 1000, headers,
                )
            )  # fmt: skip

    def _head(self, key: _LineKey, second: bytes) -> bytes:
        """A text line up to its duration, for `second` (a _Clock's `text`); kept for the rest of the second
        while there is room and what the client sent is short."""
        address, request, headers = self._parts(key)
        head = b"%s - - [%s] %s %d %d %s " % (address, second, request, key[7], key[8], headers)
        if len(self._heads) < MAX_HEADS and _short(key):
            self._heads[key] = head
        return head

    def _combination(self, key: _LineKey) -> tuple[bytes, bytes, bytes]:
        """The parts of a json line, kept for the rest of the second as a text line's head is."""
        parts = self._parts(key)
        if len(self._combinations) < MAX_HEADS and _short(key):
            self._combinations[key] = parts
        return parts

    def _parts(self, key: _LineKey) -> tuple[bytes, bytes, bytes]:
        """The client's parts of a line, escaped and cut, each from its table: the address; method, target and
        protocol; referer and user agent."""
        host, method, raw, query, version, referer, agent, _, _ = key
        address = self._addresses.get(host)
        if address is None:
            address = _keep(self._addresses, host, self._escape_address(host), len(host or ""))
        request_key = (method, raw, query, version)
        request = self._requests.get(request_key)
        if request is None:
            target = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogateescape")
            if query:
                target += b"?" + query
            request = _keep(self._requests, request_key, self._escape_request(method, target, version), len(target))
        headers_key = (referer, agent)
        headers = self._headers.get(headers_key)
        if headers is None:
            size = len(referer or b"") + len(agent or b"")
            headers = _keep(self._headers, headers_key, self._escape_headers(referer, agent), size)
        return address, request, headers

    def _escape_address(self, host: str | None) -> bytes:
        address = (host or "-").encode("utf-8", "surrogateescape")
        if self._text:
            # The first field ends at a space: a proxy-supplied address must not hold one.
            return escape_text(address, 64).replace(b" ", b"\\x20")
        return escape_json(address, 64)

    def _escape_request(self, method: str, target: bytes, version: str) -> bytes:
        method_bytes = method.encode("latin-1", "replace")
        # No version: a request refused before its request line was complete (reader.http_protocol).
        protocol = f"HTTP/{version}".encode("latin-1", "replace") if version else b"-"
        if self._text:
            return b'"%s %s %s"' % (
                escape_text(method_bytes, 32), escape_text(target, MAX_TARGET_BYTES), escape_text(protocol, 16),
            )  # fmt: skip
        return b'"method":%s,"path":%s,"protocol":%s' % (
            escape_json(method_bytes, 32), escape_json(target, MAX_TARGET_BYTES), escape_json(protocol, 16),
        )  # fmt: skip

    def _escape_headers(self, referer: bytes | None, agent: bytes | None) -> bytes:
        if self._text:
            return b'"%s" "%s"' % (
                escape_text(referer, MAX_HEADER_BYTES) if referer else b"-",
                escape_text(agent, MAX_HEADER_BYTES) if agent else b"-",
            )  # fmt: skip
        return b'"referer":%s,"user_agent":%s' % (
            escape_json(referer, MAX_HEADER_BYTES) if referer else b"null",
            escape_json(agent, MAX_HEADER_BYTES) if agent else b"null",
        )  # fmt: skip


def _short(key: _LineKey) -> bool:
    """Whether what the client sent for a line is short enough for the line's head (or parts) to be kept."""
    host, _, raw, query, _, referer, agent, _, _ = key
    return len(host or "") + len(raw) + len(query) + len(referer or b"") + len(agent or b"") <= MAX_REMEMBERED_BYTES


_Key = TypeVar("_Key")


def _keep(table: dict[_Key, bytes], key: _Key, value: bytes, size: int) -> bytes:
    """`value`, kept in `table` under `key` unless `size` (what the client sent for it) is long; a full table
    is emptied first (the client chooses what goes in, so nothing it sends may grow one without bound)."""
    if size <= MAX_REMEMBERED_BYTES:
        if len(table) >= MAX_REMEMBERED:
            table.clear()
        table[key] = value
    return value


# (client address, method, raw path (the path where a server gives none), query, HTTP version, referer, user
# agent, status, bytes sent)
_LineKey = tuple[str | None, str, bytes | str, bytes, str, bytes | None, bytes | None, int, int]
# Entries per table of parts, heads kept per second, and the most a client may have sent for a part (or a
# head) to be kept. Whatever clients send, a part's entry stays under about 5 KB and a head's under about
# 13 KB, so the tables stay under about 17 MB.
MAX_REMEMBERED = 1024
MAX_HEADS = 64
MAX_REMEMBERED_BYTES = 2048


def take_hangups(access_log: AccessLog | None) -> Callable[[], None]:
    """SIGHUP writes the access log out, to the file its path names now (a file logrotate moved away is
    left, as on every write), and does nothing else; the undo. Left to its default, SIGHUP (logrotate's
    postrotate, a closed terminal, a reload habit) killed a one-process server at once: its buffered lines
    lost, the database not closed. (With --workers, uvicorn's supervisor takes SIGHUP and restarts the
    workers, each finishing its requests first.) Handled on the event loop, so the write never interrupts a
    request's own. Only the main thread may take signals: elsewhere, nothing is done."""
    if not hasattr(signal, "SIGHUP"):
        return lambda: None

    def hung_up() -> None:
        logger.info("SIGHUP: the access log is written out; nothing else is done (reader reloads nothing)")
        if access_log is not None:
            access_log.writer.flush()

    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGHUP, hung_up)
    except (RuntimeError, ValueError):  # not the main thread
        return lambda: None

    def undo() -> None:
        loop.remove_signal_handler(signal.SIGHUP)

    return undo


def open_access_log(destination: str, fmt: str) -> AccessLog | None:
    """The access log a Settings' `access_log` and `access_log_format` ask for; None when it is off."""
    if destination == ACCESS_LOG_OFF:
        return None
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown access log format {fmt!r}")
    writer = LogWriter(None if destination == ACCESS_LOG_STDERR else destination)
    return AccessLog(writer, "json" if fmt == "json" else "text")
