"""Request ids: one per request, sent back as X-Request-ID and carried by every log record of the request."""

from __future__ import annotations

import asyncio
import copy
import logging
import re
from collections.abc import Iterable
from contextvars import ContextVar
from random import getrandbits
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reader.single_write import send_whole, write_stored

if TYPE_CHECKING:
    from reader.access_log import AccessLog

HEADER = b"x-request-id"
# An id a proxy or client sends is kept only when it cannot smuggle anything into a log line or a header.
_SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
NO_REQUEST = "-"
# A request that ended before any answer was sent (the client went away, or it was cancelled), as nginx logs it.
NO_ANSWER = 499

current_request_id: ContextVar[str] = ContextVar("reader_request_id", default=NO_REQUEST)

logger = logging.getLogger("reader")

# What uvicorn logs, with the traceback, for anything an application raises (httptools_impl's run_asgi).
ASGI_EXCEPTION = "Exception in ASGI application"


def new_request_id() -> bytes:
    """A new request id: 16 hex digits. Ids must be unique, not secret (anyone may send their own): the
    Mersenne Twister, seeded per process from the OS, costs a fifth of secrets.token_hex."""
    return b"%016x" % getrandbits(64)


class ShutdownCancelFilter(logging.Filter):
    """Drops uvicorn's "Exception in ASGI application" record, with its 50-line traceback, for a request
    cancelled at shutdown: uvicorn cancels the requests still running when the graceful-shutdown time is
    over (docs/reliability.md, "Graceful shutdown"), an expected path that RequestId has logged in one line.
    A real error keeps its record and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != ASGI_EXCEPTION + "\n" and record.msg != ASGI_EXCEPTION:
            return True
        raised = record.exc_info[0] if record.exc_info else None
        return not (raised is not None and issubclass(raised, asyncio.CancelledError))


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` attribute: the id of the request being served, else "-".

    Attach it to handlers (not loggers): a logger's filters do not see records propagated from its children.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


# Where a request's Reply waits in its scope.
REPLY = "reader.reply"


class Reply:
    """One request's answer as this layer sees it: `wrapped` is the send the application gets, adding
    X-Request-ID and counting status and body bytes for the access log on the way to the server's `send`.

    `whole` sends an answer known in full (reader.response_cache's hits) straight to the server's `send`,
    past this layer's per-message wrapper: a coroutine and a dict copy fewer per message, on the path that
    is most of the traffic. So no layer between RequestId and a caller of `whole` may change or hold back
    the messages it is sent (reader.app.ReaderApp puts only the route lookup there).
    """

    __slots__ = ("send", "header", "status", "sent")

    def __init__(self, send: Send, header: tuple[bytes, bytes]) -> None:
        self.send = send
        self.header = header
        self.status = NO_ANSWER
        self.sent = 0

    async def wrapped(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            # A new message, not the app's changed in place: an app may send the same one again.
            message = {**message, "headers": [*message.get("headers", ()), self.header]}
        else:
            self.sent += len(message.get("body", b""))
        await self.send(message)

    async def whole(
        self, status: int, headers: Iterable[tuple[bytes, bytes]], body: bytes, head: bytes | None = None
    ) -> None:
        """Send a whole answer: its start (with X-Request-ID after `headers`) and its one body message, in one
        write to the connection where the server allows (reader.single_write); written straight to it with
        `head`, the headers serialized beforehand (reader.single_write.head_bytes), where the server is
        uvicorn's httptools."""
        self.status = status
        self.sent = len(body)
        if head is not None and write_stored(self.send, status, head, self.header, body):
            return
        await send_whole(
            self.send,
            {"type": "http.response.start", "status": status, "headers": [*headers, self.header]},
            {"type": "http.response.body", "body": body},
        )


class RequestId:
    """Pure ASGI middleware: takes a sane incoming X-Request-ID or makes one, answers with it, and writes the
    request's access log line (reader.access_log) when it is done.

    It must wrap the whole application, Starlette's error middleware included, so that the 500 page and
    the logs written while answering it carry the id too (see reader.app.ReaderApp); the access log line,
    written here, covers everything the application did.
    """

    def __init__(self, app: ASGIApp, access_log: AccessLog | None = None) -> None:
        self.app = app
        self.access_log = access_log
        # The log's `ended`, looked up once, not per request: on a text log it is the compiled recorder, an
        # instance attribute shadowing the class's method, which Python 3.11 finds by a full lookup every time.
        self._ended = access_log.ended if access_log is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ended = self._ended
        value = referer = agent = None
        for name, raw in scope["headers"]:
            if name == HEADER:
                value = raw
            elif name == b"referer":
                referer = raw
            elif name == b"user-agent":
                agent = raw
        if value is None or not _SANE_ID.fullmatch(value):
            value = new_request_id()
        token = current_request_id.set(value.decode("ascii"))
        reply = scope[REPLY] = Reply(send, (HEADER, value))
        start = perf_counter_ns() if ended is not None else 0
        try:
            await self.app(scope, receive, reply.wrapped)
        except asyncio.CancelledError:
            # The server cancels a request task only when stopping: the graceful-shutdown time ran out while
            # it was still running (a write rolls back). One line, not uvicorn's traceback (ShutdownCancelFilter);
            # the access log still gets its 499 line below.
            # %r: the path is percent-decoded, and a client could put a line break in it to forge a line.
            logger.warning(
                "%s %r cancelled at shutdown: still running when the graceful-shutdown time ran out",
                scope["method"],
                scope["path"],
            )
            raise
        finally:
            # The scope holds the reply, the reply the server's send, and that the server's request, which
            # holds the scope: a cycle, which left standing would keep every request's objects for the
            # garbage collector to find (measured: 5,000 instructions a request) instead of refcounting.
            del scope[REPLY]
            if ended is not None:
                ended(scope, value, reply.status, reply.sent, start, referer, agent)
        # Reset only on success: when the application raises, the server logs the traceback after this
        # call returns, and that record must still carry the id. The server runs every request in a task
        # with its own context, so nothing leaks into the next request either way.
        current_request_id.reset(token)


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the request id in every line, reader's own logger ("reader")
    writing to the same stream as uvicorn's errors (standard error, a line at a time), and uvicorn's
    access log off: reader writes its own (reader.access_log), outside the logging machinery."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {
        "request_id": {"()": "reader.request_id.RequestIdFilter"},
        "shutdown_cancel": {"()": "reader.request_id.ShutdownCancelFilter"},
    }
    del config["handlers"]["access"]
    for handler in config["handlers"].values():
        handler["filters"] = ["shutdown_cancel", "request_id"]
    config["formatters"]["default"]["fmt"] = "%(levelprefix)s [%(request_id)s] %(message)s"
    config["loggers"]["uvicorn.access"] = {"handlers": [], "propagate": False}
    config["loggers"]["reader"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
