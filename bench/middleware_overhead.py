#!/usr/bin/env python3
"""What the request-id and query-string middleware cost per request: a bare ASGI app that answers 200,
called directly (no server, no sockets) with and without them; the medians of several rounds.

    python bench/middleware_overhead.py [--requests 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reader.middleware import QueryStringCheck
from reader.request_id import RequestId

START: Message = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
BODY: Message = {"type": "http.response.body", "body": b"ok"}


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    await send(START)
    await send(BODY)


def refuse(request: Request) -> Response:
    return Response(status_code=400)


async def per_request(app: ASGIApp, requests: int, incoming_id: bool) -> float:
    headers = [(b"host", b"reader"), (b"user-agent", b"bench"), (b"accept", b"text/html")]
    if incoming_id:
        headers.append((b"x-request-id", b"0123456789abcdef"))
    scope = {"type": "http", "method": "GET", "path": "/articles/x", "query_string": b"panel=open", "headers": headers}

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    start = time.perf_counter()
    for _ in range(requests):
        await app(scope, receive, send)
    return (time.perf_counter() - start) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    apps = {
        "bare app": bare,
        "+ QueryStringCheck": QueryStringCheck(bare, bad_request=refuse),
        "+ RequestId (new id)": RequestId(bare),
        "+ RequestId (incoming id)": RequestId(bare),
    }
    medians = {}
    for name, app in apps.items():
        rounds = [
            asyncio.run(per_request(app, args.requests, incoming_id="incoming" in name)) for _ in range(args.rounds)
        ]
        medians[name] = statistics.median(rounds)
    base = medians["bare app"]
    for name, value in medians.items():
        extra = "" if name == "bare app" else f"  (+{(value - base) * 1e6:.2f} µs)"
        print(f"{name:<28} {value * 1e6:7.2f} µs per request{extra}")


if __name__ == "__main__":
    main()
