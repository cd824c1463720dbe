"""The HTTP/1.1 protocol `reader serve` speaks: uvicorn's httptools protocol with limits on a request's head
and on how long its body may pause, and reader's headers and access-log line on the answers the protocol
gives by itself.

uvicorn keeps a request's target and header fields in memory as they arrive, with no limit: one connection
sending header lines without end held 200 MB after 200 MB (measured), and a few such connections take a
machine's memory. It also waits for a head for ever: its keep-alive timeout starts only after an answer,
so a connection that sends nothing, or a byte now and then, keeps a file descriptor and its buffers until
the client goes (slowloris). Here, as nginx, Apache and gunicorn do by default:

- a request target longer than MAX_TARGET_BYTES (8 KiB) gets 414;
- a head whose target and header names and values add up to more than MAX_HEAD_BYTES (32 KiB), or that has
  more than MAX_FIELDS (100) header fields, gets 431;
- a head not complete `head_timeout` seconds (Settings.head_timeout, 30 s by default) after its first byte
  gets 408; a new connection that sends nothing for as long is closed without an answer, as nginx does;
- a body of which nothing comes for `body_timeout` seconds (Settings.body_timeout, 30 s by default) while
  the server reads gets 408, as nginx's client_body_timeout does: the time between two reads, not the whole
  body's. uvicorn would wait for ever, and the application with it: now its receive says the client has
  gone. A body whose answer has begun (no 408 can follow it) has its connection closed.

A head with more than one Host field gets 400 (RFC 9112, 3.2: which one a proxy in front reads may not be
the one reader builds its absolute links from).

Each of these, and the 400 for what the parser cannot read (or a repeated Host), answers with reader's security headers,
`Cache-Control: no-store`, an X-Request-ID and `Connection: close` (and, to a site on the embedding
allowlist, its CORS grant: the component's script then reads the status), in plain text in English and
Vietnamese, and writes its access-log line (its client is the connection's peer: a proxy's forwarded
address is only read once a head is complete). Then what the client still sends is read and dropped, not
kept, until it closes the connection or LINGER_SECONDS pass. A refused head pipelined behind requests
still being answered is answered after them; a body that cannot be read is its request's answer, with the
request's id and its one access-log line (the application's, which would otherwise say 500 for the error
page it tried to send, dropped).

Two more holes of uvicorn's are closed here: fields after a head (a chunked body's trailers, which ASGI has
no place for) were added to the request's headers without limit, and any byte after an answer (a stray line
end, the rest of an unread body) stopped the keep-alive wait for good; now trailers are dropped, and only a
request's first byte ends the wait.

Counting costs every request, so it is done per read, not per field (a method per header field cost 1.7 µs
a request in a loop of its own, a read's count 0.5 µs): the bytes read since a request began are added up
(all of the read it began in, so the count is never short of its head), and only past MAX_TARGET_BYTES,
or past MAX_FIELDS fields, is the head measured as parsed. A head still coming is measured again after
each further CHECK_STEP bytes, so a head arriving a byte at a time is measured a few times, not once per
byte; and one still coming after more bytes than any head within the limits holds (a field that never
ends, which the parser keeps until it does) is refused too. All told, a cached page costs 1.2 % more
instructions than on uvicorn's protocol (callgrind, 245,791 → 248,652 a request).

The timeouts take no work per request either: each connection has one timer, every quarter of the shorter
timeout, which notes the head in progress (uvicorn starts a new scope for each) and times it out if it is
still the same one a whole `head_timeout` later. So a slow head gets its 408 between `head_timeout` and that
plus a tick after its first byte (1.25 times `head_timeout` by default; TICKS_PER_TIMEOUT), and a silent
connection is closed `head_timeout` after connecting. For a body the timer notes the count of bytes read,
which data_received keeps anyway: a body times out when the count has not moved for a whole `body_timeout`.
A request without a body (a cached GET) costs nothing more: its body is complete with its head. While the
server itself does not read (pipelined requests waiting their turn, or a body past uvicorn's 64 KiB that
its application has not taken yet), neither is timed: the client could not send. Nor is a body whose client
waits for "100 Continue" (sent when the application first reads).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import math
from collections.abc import Iterable
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any, Final, cast
from urllib.parse import unquote

from httptools import HttpParserError, HttpParserUpgrade
from starlette.types import Message, Scope
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from reader.cors import grants_embedders
from reader.middleware import SECURITY_HEADERS
from reader.request_id import HEADER as REQUEST_ID_HEADER
from reader.request_id import REPLY, new_request_id

if TYPE_CHECKING:
    from reader.access_log import AccessLog
    from reader.request_id import Reply

MAX_TARGET_BYTES: Final = 8 * 1024
MAX_HEAD_BYTES: Final = 32 * 1024
MAX_FIELDS: Final = 100
# What a head within the limits may hold besides its target and fields' names and values: the method, the
# version, each field's ": " and line end, and the spaces around them.
SYNTAX_BYTES: Final = 1024
# After a head in progress is measured and passes, it is measured again when this many more bytes have come.
CHECK_STEP: Final = 4 * 1024
HEAD_TIMEOUT_SECONDS: Final = 30.0
BODY_TIMEOUT_SECONDS: Final = 30.0
# How long a connection is read (and what comes dropped) after an answer given here, before it is closed.
LINGER_SECONDS: Final = 2.0
# Timer ticks in the shorter of the two timeouts: a head or a body times out less than two ticks past its time
# (less than one when its timeout is a whole number of ticks, as with the defaults).
TICKS_PER_TIMEOUT: Final = 4

logger = logging.getLogger("reader")

_REFUSALS: Final = {
    400: "The request could not be read.\nKhông đọc được yêu cầu.\n",
    408: "The request took too long to arrive.\nYêu cầu đến quá chậm.\n",
    414: f"The address is longer than {MAX_TARGET_BYTES} bytes.\nĐịa chỉ dài quá {MAX_TARGET_BYTES} byte.\n",
    431: (
        f"The request's header fields are too many or too long (at most {MAX_FIELDS}, of {MAX_HEAD_BYTES} bytes).\n"
        f"Phần đầu của yêu cầu có quá nhiều trường hoặc quá dài (tối đa {MAX_FIELDS} trường, {MAX_HEAD_BYTES} byte).\n"
    ),
}
_FIXED_HEADERS: Final = b"".join(
    b"%s: %s\r\n" % (name.encode("latin-1"), value.encode("latin-1"))
    for name, value in {
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-store",
        "connection": "close",
        **SECURITY_HEADERS,
    }.items()
)


# With an embedding site's Origin (ReaderHttpProtocol._grant), after its access-control-allow-origin.
_GRANT_HEADERS: Final = b"access-control-allow-credentials: true\r\nvary: Origin\r\n"

# What a connection awaits before the first byte of its first request.
_FIRST: Final = object()


class _Discarded(list[tuple[bytes, bytes]]):
    """A list that keeps nothing appended to it."""

    def append(self, item: tuple[bytes, bytes]) -> None:
        pass


_DISCARDED: Final = _Discarded()


class _HeadRefused(Exception):
    """Raised inside a parser callback to stop reading a head (httptools then raises HttpParserError)."""


class ReaderHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size limit and a timeout on each request's head, and a timeout on
    its body's pauses (module docstring).

    `reader serve` passes it to uvicorn as `http=functools.partial(ReaderHttpProtocol, head_timeout=…,
    body_timeout=…)`.

    Its own state is in slots, not in the instance's dict: uvicorn's protocol keeps about 30 attributes there,
    and CPython 3.11 shares a class's dict keys between its instances (which makes every attribute access in
    uvicorn's methods quick) only up to 30. With these ten in the dict too, a cached answer cost 3 % more.
    """

    __slots__ = (
        "head_timeout", "_counted", "_unmeasured", "_first_read", "_measure_at", "_refusal", "_answered", "_ticker",
        "_waiting", "_waiting_ticks", "_waiting_since", "_waiting_read", "_access_log", "body_timeout",
        "_tick_seconds", "_head_ticks", "_body_ticks", "_embed_origins", "_granted",
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        head_timeout: float = HEAD_TIMEOUT_SECONDS,
        body_timeout: float = BODY_TIMEOUT_SECONDS,
        embed_origins: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = head_timeout
        self.body_timeout = body_timeout
        # The embedding allowlist (Settings.embed_origins): a refusal of a request one of them made carries
        # its CORS grant (_grant), and the <reader-article> component learns what happened.
        self._embed_origins = frozenset(origin.encode("latin-1") for origin in embed_origins)
        self._granted = b""
        self._tick_seconds, self._head_ticks, self._body_ticks = _ticks(head_timeout, body_timeout)
        # The request whose head is counted (its scope), the bytes read since it began (all of the read it
        # began in: a head is never counted short), that first read's size, and the count at which a head
        # still coming is measured next.
        self._counted: object = None
        self._unmeasured = 0
        self._first_read = 0
        self._measure_at = MAX_TARGET_BYTES
        self._refusal = 0  # the status a parser callback refused the head with
        self._answered = False  # the protocol answered by itself: what the connection sends next is ignored
        self._ticker: asyncio.TimerHandle | None = None
        # What was awaited at the last tick (the scope of a head in progress, _FIRST for the connection's
        # first head before any byte of it, the cycle of a body, None for nothing) and for how many ticks.
        self._waiting: object = None
        self._waiting_ticks = 0
        self._waiting_since = 0  # when a tick first saw it (perf_counter_ns): a 408's duration counts from there
        self._waiting_read = 0  # for a body, the count of bytes read then: a read since is progress
        self._access_log = _access_log_of(self.app)

    # Connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting, self._waiting_ticks = _FIRST, 0  # the first request's head is awaited from now
        self._ticker = self.loop.call_later(self._tick_seconds, self._tick)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """uvicorn's, counting what is read and answering refusals itself."""
        if self._answered:
            return
        size = len(data)
        self._unmeasured += size
        try:
            self.parser.feed_data(data)
        except HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except HttpParserError:  # unreadable, or refused by a callback (on_headers_complete)
            status, self._refusal = self._refusal or 400, 0
            self._answer(status)
            return
        if self.scope is not self._counted:  # a request began in this read: count its head from here
            # Only a request ends the keep-alive wait (uvicorn ends it on any byte: a stray line end, or
            # the rest of a body no one read, kept a connection open for ever).
            self._unset_keepalive_if_required()
            self._counted = self.scope
            self._unmeasured = self._first_read = size
            self._measure_at = MAX_TARGET_BYTES
        if self._unmeasured > self._measure_at and self._head_in_progress():
            self._measure_head_in_progress()

    # Parser callbacks

    def on_headers_complete(self) -> None:
        # The count is never short of the head's bytes, so a head it leaves unmeasured is under 8 KiB.
        if len(self.headers) > MAX_FIELDS or self._unmeasured > MAX_TARGET_BYTES:
            status = self._over_limit()
            if status:  # the parser stops, and data_received answers
                self._refusal = status
                raise _HeadRefused(status)
        # More than one Host field is a 400 (RFC 9112, 3.2). Without READER_PUBLIC_URL the absolute links of
        # publicly cacheable pages (canonical, oEmbed discovery, the feed) follow the Host; a proxy or cache in
        # front that reads another of the two than reader does could be poisoned through the difference.
        # (one pass over the names, which uvicorn lowered: about 0.3 µs a request of 8 fields)
        if [name for name, _ in self.headers].count(b"host") > 1:
            self._refusal = 400
            raise _HeadRefused(400)
        HttpToolsProtocol.on_headers_complete(self)
        # Fields that come after the head are a chunked body's trailers, which ASGI has no place for; uvicorn
        # would add them to the request's headers without end. The next request gets a list of its own.
        self.headers = _DISCARDED

    def _over_limit(self) -> int:
        """The status that refuses the head as parsed so far (its target and complete fields), or 0."""
        if len(self.url) > MAX_TARGET_BYTES:
            return 414
        if len(self.headers) > MAX_FIELDS:
            return 431
        size = len(self.url) + sum(len(name) + len(value) for name, value in self.headers)
        return 431 if size > MAX_HEAD_BYTES else 0

    def _measure_head_in_progress(self) -> None:
        """Refuse a head still coming that is over a limit already, or whose bytes since the read it began in
        are more than any head within the limits has (a field that does not end, held by the parser until
        it does); else measure it again CHECK_STEP bytes on."""
        status = self._over_limit()
        if not status and self._unmeasured - self._first_read > MAX_HEAD_BYTES + SYNTAX_BYTES:
            status = 431
        if status:
            self._answer(status)
        else:
            self._measure_at = self._unmeasured + CHECK_STEP

    def _head_in_progress(self) -> bool:
        """Whether a head has begun and is not complete (uvicorn gives each request a new scope when its
        first byte comes, and sets its method when the head is complete)."""
        return self.scope is not None and "method" not in self.scope

    # The protocol's own answers

    def _tick(self) -> None:
        """Every quarter of the shorter timeout: time out a head that has been in progress for all of
        head_timeout, or a body of which nothing has come for all of body_timeout."""
        self._ticker = None
        if self._answered or self.transport.is_closing():
            return
        read = 0
        if self.scope is None:  # nothing has come since the connection opened (connection_made set _FIRST)
            waiting: object = _FIRST
            limit = self._head_ticks
        elif self.flow.read_paused:
            # The server has stopped reading: pipelined requests wait their turn, or a body its application.
            waiting, limit = None, 0
        elif self._head_in_progress():
            waiting, limit = self.scope, self._head_ticks
        elif self._body_awaited():
            # The count of bytes read (data_received keeps it for heads) tells whether any came since the
            # last tick: a body is timed from its last read, as nginx's client_body_timeout is.
            waiting, limit, read = self.cycle, self._body_ticks, self._unmeasured
        else:
            waiting, limit = None, 0
        if waiting is None or waiting is not self._waiting or read != self._waiting_read:
            # First seen now: it began (or its body last came) within the last tick.
            self._waiting, self._waiting_ticks, self._waiting_since = waiting, 0, perf_counter_ns()
            self._waiting_read = read
        else:
            self._waiting_ticks += 1
        if waiting is not None and self._waiting_ticks >= limit:
            if waiting is _FIRST:
                self.transport.close()  # nothing to answer: nginx closes such a connection too
            elif waiting is self.cycle and self.cycle.response_started:
                # Too late for a 408: the answer is cut short, and the application's receive says the client
                # has gone (uvicorn's connection_lost).
                self.transport.close()
            else:
                self._answer(408)
            return
        self._ticker = self.loop.call_later(self._tick_seconds, self._tick)

    def _body_awaited(self) -> bool:
        """Whether the request being served has a body still to come, which its client can send now. Not
        a pipelined request's (it waits its turn, unread), nor one whose client waits for "100 Continue"
        (uvicorn sends it when the application first reads: until then the client rightly sends nothing),
        nor one whose request is answered already (what still comes is dropped; the keep-alive wait ends it).

        Whether the application waits for it in its receive does not matter: while the server reads, the
        client can send, whatever the application does meanwhile (and when the application leaves more
        than uvicorn's buffer unread, the server stops reading, and _tick times nothing)."""
        cycle = self.cycle
        return (
            cycle is not None
            and cycle.more_body
            and not cycle.response_complete
            and not cycle.disconnected
            and not cycle.waiting_for_100_continue
            and not self.pipeline
        )

    def _answer(self, status: int) -> None:
        """Answer `status` with reader's headers, log it, and close the connection (a lingering close).

        When an answer is being given on the connection already, this one cannot cut in:
        - if the request being served has not begun its answer (its body could not be read), this is its
          answer: the application's is dropped (uvicorn's `disconnected`), and this answer takes the
          request's id and its access-log line (_send_answer);
        - otherwise (pipelining) this answer follows the last answer of the requests before it."""
        self._answered = True
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        request = self._request_for_log()
        in_head = self._head_in_progress()
        self._granted = self._grant(in_head)
        if in_head:
            self.headers.clear()  # the fields of a refused head, which no application saw: not kept meanwhile
        self.url = b""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if in_head or self.pipeline:  # a later request's head: answered after the answers before it
                self.flow.pause_reading()
                last = self.pipeline[0][0] if self.pipeline else cycle  # the pipeline's next is its right end
                last.on_response = functools.partial(self._answer_after, status, request)
                return
            # The body of the request being served.
            if REPLY in cycle.scope:
                self._answer_body(status, request)
            else:  # its application was started in this very read, and has not run yet (_answer_body)
                self.loop.call_soon(self._answer_body, status, request)
            return
        self._send_answer(status, request)

    def _answer_body(self, status: int, request: Scope) -> None:
        """Answer `status` for the body of the request being served, in its application's place.

        The answer takes the request's id and its access-log line from the reader.request_id layer, whose
        reply is in the scope while the application runs. An application started in the read that brought
        the body has not run yet: it has a turn later (a task's first step comes before what is scheduled
        after it), and by then its layers up to the application's first wait for the body have run."""
        cycle = self.cycle
        if self.transport.is_closing():
            return
        if cycle.response_started:  # its answer is on its way (or went, in that turn): closed after it
            cycle.keep_alive = False
            if cycle.response_complete:
                self._close_lingering()
            return
        cycle.disconnected = True  # uvicorn drops what the application sends, and its receive says so
        cycle.message_event.set()
        self._send_answer(status, request, cast("Reply | None", cycle.scope.get(REPLY)))

    def _answer_after(self, status: int, request: Scope) -> None:
        """In place of on_response_complete for the last answer before a refusal: the refusal follows it."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():  # that answer closed the connection
            return
        # Soon, not now: this runs inside that answer's send, whose bytes may still be held back to go out in
        # one write when the send returns (reader.single_write). And in a context of its own, not that
        # request's: the warning logged is not about it.
        self.loop.call_soon(self._send_answer, status, request, context=contextvars.Context())

    def _send_answer(self, status: int, request: Scope, reply: Reply | None = None) -> None:
        """Send the answer, and log it; `reply`: the reader.request_id layer's reply of the request it
        answers, while the application serving it runs."""
        request_id = new_request_id() if reply is None else reply.header[1]
        phrase = STATUS_LINE[status].split(b" ", 2)[2].strip()
        body = b"%d %s\n%s" % (status, phrase, _REFUSALS[status].encode())
        head = [STATUS_LINE[status]]
        head += [b"%s: %s\r\n" % header for header in self.server_state.default_headers]
        head += [_FIXED_HEADERS, b"content-length: %d\r\n" % len(body)]
        if self._granted:
            head += [b"access-control-allow-origin: %s\r\n%s" % (self._granted, _GRANT_HEADERS)]
        head += [b"%s: %s\r\n\r\n" % (REQUEST_ID_HEADER, request_id), body]
        self.transport.write(b"".join(head))
        self._close_lingering()
        logger.warning("answered %d before the application: %s", status, _REFUSALS[status].splitlines()[0])
        if reply is not None:
            # The application writes its request's access-log line when it returns: that line is this answer's,
            # not a second one (which would say 500, the error page it tries to send when it cannot read the
            # body). The reply's counts are this answer's, and stay so: what the application still sends is
            # dropped (uvicorn would drop it anyway, the request disconnected) and leaves them as they are.
            # Nothing is added to any other request's way.
            reply.status, reply.sent = status, len(body)
            reply.send = functools.partial(_keep_counts, reply, status, len(body))
        elif self._access_log is not None:
            # Refused on reading: no time to speak of; timed out: at least since a tick first saw the head.
            now = perf_counter_ns()
            start = self._waiting_since if status == 408 else now
            self._access_log.record(request, request_id, status, len(body), start, now, None, None)

    def _close_lingering(self) -> None:
        """Close the connection once the client has read what was sent."""
        if self.transport.can_write_eof():
            # Closed with the client's bytes unread, the connection would be reset, and a reset can destroy
            # the answer before the client reads it (seen with a head refused while it was still coming).
            # So, as nginx's lingering close does, only the sending side is shut; what still comes is read
            # and dropped (data_received) until the client closes, for LINGER_SECONDS at most.
            self.flow.resume_reading()
            self.transport.write_eof()
            self._ticker = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    def _grant(self, in_head: bool) -> bytes:
        """The Origin of the refused request when it is on the embedding allowlist and its route grants that
        list CORS (reader.cors.grants_embedders: a fragment's, not the editor's), else b"": a browser shows a
        cross-site script the answer (a 414 for a component's address too long) only with a grant; without
        one, all it learns is that the fetch failed. The fields and target are the head's as far as it came
        (a refused head's Origin may not have come yet: then there is no grant)."""
        if not self._embed_origins:
            return b""
        fields: Iterable[tuple[bytes, bytes]]
        if in_head:
            fields = self.headers
            target = getattr(self, "url", b"").split(b"?", 1)[0]
            method = self.parser.get_method().decode("ascii", "replace") if target else ""
            path = self.root_path + unquote(target.decode("latin-1"))
            scope: Scope = {"type": "http", "method": method, "path": path, "root_path": self.root_path}
            scope["state"] = self.app_state
        elif self.scope is not None and self.cycle is not None and not self.cycle.response_complete:
            fields = self.scope.get("headers", [])
            scope = cast(Scope, self.scope)
        else:
            return b""
        origin = next((value for name, value in fields if name.lower() == b"origin"), b"")
        if origin not in self._embed_origins or not scope.get("method") or not grants_embedders(scope):
            return b""
        return origin

    def _request_for_log(self) -> Scope:
        """The refused request for its access-log line: a head's method, target and version as far as they
        came, or the request whose body could not be read, or nothing known ("-")."""
        if self.scope is not None and "method" in self.scope:
            if self.cycle is not None and not self.cycle.response_complete:
                return cast(Scope, self.scope)  # the request being served
            return {"client": self.client, "method": "-", "raw_path": b"-", "query_string": b"", "http_version": ""}
        url = getattr(self, "url", b"")  # a head in progress: the method comes before the target
        version = self.parser.get_http_version() if self.headers else "0.0"  # known once a field has come
        return {
            "client": self.client,
            "method": self.parser.get_method().decode("ascii", "replace") if url else "-",
            "raw_path": url or b"-",
            "query_string": b"",
            "http_version": "" if version == "0.0" else version,
        }


async def _keep_counts(reply: Reply, status: int, sent: int, message: Message) -> None:
    """The send of an application whose request the protocol has answered: drops the message, and puts back
    the counts Reply.wrapped has just changed for it."""
    reply.status, reply.sent = status, sent


@functools.cache  # every connection of a server has the same timeouts
def _ticks(head_timeout: float, body_timeout: float) -> tuple[float, int, int]:
    """The seconds between a connection's ticks, and the ticks in each timeout (rounded up, and not short by
    a float's rounding)."""
    seconds = min(head_timeout, body_timeout) / TICKS_PER_TIMEOUT
    return seconds, math.ceil(round(head_timeout / seconds, 6)), math.ceil(round(body_timeout / seconds, 6))


def _access_log_of(app: Any) -> AccessLog | None:
    """The access log of the reader application under uvicorn's wrappers (its proxy-headers middleware)."""
    from reader.app import ReaderApp

    while app is not None and not isinstance(app, ReaderApp):
        app = getattr(app, "app", None)
    return app.access_log if app is not None else None
