"""reader.event_loop: uvloop that accepts new connections in batches (libuv accepts one per turn)."""

from __future__ import annotations

import asyncio
import socket

from reader.event_loop import (
    ACCEPT_BATCH,
    BatchAcceptLoop,
    BatchAcceptServer,
    listening_processes,
    new_event_loop,
    reserve_address,
)


class Counting(asyncio.Protocol):
    made: list[asyncio.BaseTransport] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        Counting.made.append(transport)


def test_one_turn_accepts_a_batch_of_waiting_connections() -> None:
    loop = new_event_loop()
    assert isinstance(loop, BatchAcceptLoop)
    listener = socket.create_server(("127.0.0.1", 0), backlog=512)
    port = listener.getsockname()[1]
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(ACCEPT_BATCH + 72)]
    Counting.made = []
    try:

        async def serve() -> list[int]:
            server = await loop.create_server(Counting, sock=listener, backlog=512, start_serving=False)
            assert isinstance(server, BatchAcceptServer) and server.sockets == (listener,)
            # Every client is connected and waiting in the kernel's queue: one call takes a whole batch.
            counts = [server.accept(), server.accept(), server.accept()]
            for _ in range(100):
                await asyncio.sleep(0.01)
                if len(Counting.made) == len(clients):
                    break
            server.close()
            await server.wait_closed()
            return counts

        assert loop.run_until_complete(serve()) == [ACCEPT_BATCH, 72, 0]
        assert len(Counting.made) == len(clients)  # each became a uvloop transport with its protocol
        for transport in Counting.made:
            transport.close()
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        for client in clients:
            client.close()
        listener.close()
        loop.close()


def test_servers_it_cannot_batch_are_uvloops_own() -> None:
    loop = new_event_loop()
    try:

        async def serve() -> None:
            server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
            assert not isinstance(server, BatchAcceptServer) and server.sockets
            server.close()
            await server.wait_closed()

        loop.run_until_complete(serve())
    finally:
        loop.close()


def test_each_server_on_a_reserved_address_listens_on_its_own_socket_and_gets_a_share() -> None:
    # As two workers of `reader serve --workers 2` do: the kernel spreads connections over their sockets.
    reserved = reserve_address("127.0.0.1", 0)
    port = reserved.getsockname()[1]
    assert not reserved.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)  # held, not listening
    loop = new_event_loop()
    clients: list[socket.socket] = []
    try:

        async def serve() -> list[int]:
            first = await loop.create_server(asyncio.Protocol, sock=reserved, backlog=512, start_serving=False)
            second = await loop.create_server(asyncio.Protocol, sock=reserved, backlog=512, start_serving=False)
            assert isinstance(first, BatchAcceptServer) and isinstance(second, BatchAcceptServer)
            own = [first.sockets[0], second.sockets[0]]
            assert own[0] is not own[1] and all(s.getsockname()[1] == port for s in own)
            clients.extend(socket.create_connection(("127.0.0.1", port)) for _ in range(200))
            counts = [first.accept(), second.accept()]
            for server in (first, second):
                server.close()
            assert all(s.fileno() == -1 for s in own)  # a server's own socket closes with it
            return counts

        counts = loop.run_until_complete(serve())
        assert sum(counts) == 200 and min(counts) > 0
    finally:
        for client in clients:
            client.close()
        reserved.close()
        loop.run_until_complete(asyncio.sleep(0.05))  # the accepted connections' set-up tasks end
        loop.close()


def test_listening_processes_are_counted_by_pid_not_by_line() -> None:
    log = (
        "INFO:     [-] Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)\n"
        "INFO:     [-] Accepting connections on http://127.0.0.1:8000 (process 41)\n"
        "INFO:     [-] Accepting connections on http://127.0.0.1:8000 (process 41)\n"  # said twice: one process
        '127.0.0.1 - - [01/Dec/2026:18:31:07 +0000] "GET /Accepting connections on x (process 7) HTTP/1.1" '
        '404 0 "-" "-" 0.100ms [ab]\n'  # a client's text in an access line
        "INFO:     [-] Accepting connections on http://127.0.0.1:8000 (process 42)\n"
    )
    assert listening_processes(log) == {41, 42}
    assert listening_processes("INFO:     [-] Uvicorn running on http://127.0.0.1:8000\n") == set()
