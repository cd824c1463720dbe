"""The event loop `reader serve` runs on: uvloop, each process accepting new connections on a socket of its
own, in batches.

libuv, under uvloop, accepts one new connection per turn of the event loop. When the server is saturated
a turn takes as long as answering every ready request (a hundred milliseconds and more with a thousand
busy connections), so new connections wait in the kernel's accept queue for seconds: with 1,000
connections, 300 of them were still unaccepted 2 s into a run, 64 after 15 s, and the slowest reads took
over 20 s (docs/reliability.md). asyncio's own loop accepts up to a backlog's worth each turn. This loop
keeps uvloop for everything else and takes over the accepting: the listening socket is watched with
add_reader, and each time it is ready up to `ACCEPT_BATCH` connections are accepted and handed to uvloop
as accepted sockets.

Several workers sharing one listening socket share its connections unevenly: whichever wakes first takes
what is waiting (wrk's 64 connections went 45/19, 47/17, 2/62 between two workers). So `reader serve`
only reserves the address (`reserve_address`: bound with SO_REUSEPORT, not listening), and each worker
listens on a socket of its own bound to the same address: the kernel spreads new connections evenly over
them by a hash of their addresses (nginx's `listen … reuseport`). A worker that exits takes the
connections still queued on its socket with it (they are reset); its replacement opens a new one.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import re
import socket
from collections.abc import Callable
from typing import Any

import uvloop

logger = logging.getLogger("reader")

# Connections accepted per turn of the loop at most; the rest wait for the next turn (and other workers
# sharing the socket get their share).
ACCEPT_BATCH = 128
# The start of the line each process logs once its socket listens: tools wait for one per worker.
LISTENING = "Accepting connections on"
_LISTENING_LINE = re.compile(rf"{re.escape(LISTENING)} \S+ \(process (\d+)\)$", re.MULTILINE)
# After EMFILE (out of file descriptors), stop accepting this long rather than spin.
ACCEPT_PAUSE_SECONDS = 1.0


def listening_processes(log: str) -> set[int]:
    """The processes that have said, in a server's log, that they take connections: by pid, so a line twice
    (a worker restarted) cannot count for another, nor a client's text in an access line (escaped, quoted,
    ending in its request id)."""
    return {int(pid) for pid in _LISTENING_LINE.findall(log)}


class BatchAcceptServer(asyncio.AbstractServer):
    """An asyncio server on a listening socket it accepts from in batches; what uvicorn needs of one."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        protocol_factory: Callable[[], Any],
        *,
        owns_socket: bool = False,
    ) -> None:
        self._loop = loop
        self._sock = sock
        self._protocol_factory = protocol_factory
        self._owns_socket = owns_socket
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
        """Stop accepting, and close the socket if it is this server's own."""
        if self._serving:
            self._serving = False
            self._loop.remove_reader(self._sock.fileno())
        if self._owns_socket:
            self._sock.close()

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
    """uvloop, but a server on a given socket accepts in batches, and on an address reserved with
    `reserve_address`, from a listening socket of its own (see the module docstring)."""

    async def create_server(self, protocol_factory: Callable[[], Any], *args: Any, **kwargs: Any) -> Any:
        sock = kwargs.get("sock")
        if sock is None or args or kwargs.get("ssl") is not None or sock.type != socket.SOCK_STREAM:
            return await super().create_server(protocol_factory, *args, **kwargs)
        backlog = kwargs.get("backlog", 100)
        own = not sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) and _reuses_port(sock)
        if own:
            sock = _listening_socket(sock.family, sock.getsockname(), backlog)
        else:
            sock.setblocking(False)
            sock.listen(backlog)
        server = BatchAcceptServer(self, sock, protocol_factory, owns_socket=own)
        if kwargs.get("start_serving", True):
            await server.start_serving()
            # uvicorn's "Uvicorn running on" comes from announce_address and "Application startup complete"
            # before this socket exists: this line is the one that says this process takes connections now.
            logger.info("%s %s (process %d)", LISTENING, _address(sock), os.getpid())
        return server


def _address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if sock.family == socket.AF_INET6 else f"http://{host}:{port}"


def _reuses_port(sock: socket.socket) -> bool:
    return hasattr(socket, "SO_REUSEPORT") and bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT))


def _bound_socket(family: int, address: Any) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except BaseException:
        sock.close()
        raise
    return sock


def _listening_socket(family: int, address: Any, backlog: int) -> socket.socket:
    sock = _bound_socket(family, address)
    sock.setblocking(False)
    sock.listen(backlog)
    return sock


def reserve_address(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (port 0: a free one) with SO_REUSEPORT, not listening: it holds the
    address while the workers listen on sockets of their own. OSError when the address is taken or the
    host is not one (`reader serve` says so before it touches the database)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # First without SO_REUSEPORT, which would let this bind join another server already on the port (a
    # second reader started by mistake) and split its connections: that must fail instead.
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]
    sock = _bound_socket(family, (host, port))
    sock.set_inheritable(True)
    return sock


def announce_address(sock: socket.socket) -> None:
    """The line uvicorn logs once it has bound its address (tests and tools read the port from it)."""
    logging.getLogger("uvicorn.error").info("Uvicorn running on %s (Press CTRL+C to quit)", _address(sock))


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The loop factory `reader serve` gives uvicorn."""
    return BatchAcceptLoop()
