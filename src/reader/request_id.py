"""Request ids: one per request, sent back as X-Request-ID and carried by every log record of the request."""

from __future__ import annotations

import copy
import logging
import re
import secrets
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
# An id a proxy or client sends is kept only when it cannot smuggle anything into a log line or a header.
_SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
NO_REQUEST = "-"

current_request_id: ContextVar[str] = ContextVar("reader_request_id", default=NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` attribute: the id of the request being served, else "-".

    Attach it to handlers (not loggers): a logger's filters do not see records propagated from its children.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class RequestId:
    """Pure ASGI middleware: takes a sane incoming X-Request-ID or makes one, and answers with it.

    It must wrap the whole application, Starlette's error middleware included, so that the 500 page and
    the logs written while answering it carry the id too (see reader.app.ReaderApp).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        value = b""
        for name, raw in scope["headers"]:
            if name == HEADER:
                value = raw
                break
        if not _SANE_ID.fullmatch(value):
            value = secrets.token_hex(8).encode("ascii")
        token = current_request_id.set(value.decode("ascii"))
        header = (HEADER, value)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A new message, not the app's changed in place: an app may send the same one again.
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        await self.app(scope, receive, send_with_id)
        # Reset only on success: when the application raises, the server logs the traceback after this
        # call returns, and that record must still carry the id. The server runs every request in a task
        # with its own context, so nothing leaks into the next request either way.
        current_request_id.reset(token)


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the request id in every line (access log included), and
    reader's own logger ("reader") writing to the same stream as uvicorn's errors."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"request_id": {"()": "reader.request_id.RequestIdFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["request_id"]
    config["formatters"]["default"]["fmt"] = "%(levelprefix)s [%(request_id)s] %(message)s"
    config["formatters"]["access"]["fmt"] = (
        '%(levelprefix)s [%(request_id)s] %(client_addr)s - "%(request_line)s" %(status_code)s'
    )
    config["loggers"]["reader"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
