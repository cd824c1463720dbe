"""The event loop `reader serve` runs on: uvloop, accepting new connections in batches.

libuv, under uvloop, accepts one new connection per turn of the event loop. When the server is saturated
a turn takes as long as answering every ready request (a hundred milliseconds and more with a thousand
busy connections), so new connections wait in the kernel's accept queue for seconds: with 1,000
connections, 300 of them were still unaccepted 2 s into a run, 64 after 15 s, and the slowest reads took
over 20 s (docs/reliability.md). asyncio's own loop accepts up to a backlog's worth each turn. This loop
keeps uvloop for everything else and takes over the accepting: the listening socket is watched with
add_reader, and each time it is ready up to `ACCEPT_BATCH` connections are accepted and handed to uvloop
as accepted sockets.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import Callable
from typing import Any

import uvloop

logger = logging.getLogger("reader")

# Connections accepted per turn of the loop at most; the rest wait for the next turn (and other workers
# sharing the socket get their share).
ACCEPT_BATCH = 128
# After EMFILE (out of file descriptors), stop accepting this long rather than spin.
ACCEPT_PAUSE_SECONDS = 1.0


class BatchAcceptServer(asyncio.AbstractServer):
    """An asyncio server on a listening socket it accepts from in batches; what uvicorn needs of one."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, sock: socket.socket, protocol_factory: Callable[[], Any]
    ) -> None:
        self._loop = loop
        self._sock = sock
        self._protocol_factory = protocol_factory
        self._serving = False
        self._connecting: set[asyncio.Task[Any]] = set()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return (self._sock,)

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return self._serving

    async def start_serving(self) -> None:
        if not self._serving:
            self._serving = True
            self._loop.add_reader(self._sock.fileno(), self.accept)

    def close(self) -> None:
        """Stop accepting (the socket itself belongs to whoever made it)."""
        if self._serving:
            self._serving = False
            self._loop.remove_reader(self._sock.fileno())

    async def wait_closed(self) -> None:
        return None

    async def serve_forever(self) -> None:
        await self.start_serving()
        await asyncio.Future()

    def accept(self) -> int:
        """Accept up to ACCEPT_BATCH waiting connections; how many were."""
        accepted = 0
        while accepted < ACCEPT_BATCH:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                if exc.errno in (errno.ECONNABORTED, errno.EPROTO):
                    continue  # the client gave up while waiting: nothing to serve
                # Out of file descriptors (EMFILE, ENFILE, ENOBUFS, ENOMEM): let requests finish and
                # close connections, then try again.
                logger.error("accepting connections failed (%s); trying again in %.0f s", exc, ACCEPT_PAUSE_SECONDS)
                self.close()
                self._loop.call_later(ACCEPT_PAUSE_SECONDS, self._resume)
                break
            conn.setblocking(False)
            task = self._loop.create_task(self._loop.connect_accepted_socket(self._protocol_factory, conn))
            self._connecting.add(task)
            task.add_done_callback(self._connected)
            accepted += 1
        return accepted

    def _resume(self) -> None:
        if not self._serving and self._sock.fileno() != -1:
            self._serving = True
            self._loop.add_reader(self._sock.fileno(), self.accept)

    def _connected(self, task: asyncio.Task[Any]) -> None:
        self._connecting.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The client reset the connection before the transport was set up: nothing to answer.
            logger.debug("an accepted connection could not be set up: %s", task.exception())


class BatchAcceptLoop(uvloop.Loop):
    """uvloop, but a server on a given listening socket accepts in batches (see the module docstring)."""

    async def create_server(self, protocol_factory: Callable[[], Any], *args: Any, **kwargs: Any) -> Any:
        sock = kwargs.get("sock")
        if sock is None or args or kwargs.get("ssl") is not None or sock.type != socket.SOCK_STREAM:
            return await super().create_server(protocol_factory, *args, **kwargs)
        sock.setblocking(False)
        sock.listen(kwargs.get("backlog", 100))
        server = BatchAcceptServer(self, sock, protocol_factory)
        if kwargs.get("start_serving", True):
            await server.start_serving()
        return server


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The loop factory `reader serve` gives uvicorn."""
    return BatchAcceptLoop()
