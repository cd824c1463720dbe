"""An in-process cache of whole answers for the hot, deterministic routes (article views, the index,
preference changes), keyed by everything those answers depend on.

Embedding sites and readers repeat the same few requests; rendering them once per article version and
preference set, then sending the stored bytes, is what lets reader answer at nearly the speed of a
constant-bytes app (docs/performance.md). An answer is reused only for a request with the same method,
path, query, scheme, body and values of every header in KEY_HEADERS (a superset of the answers' `Vary`),
and only while the database generation it was rendered under is current: any commit in this process
moves it at once, and another process's commit within Database.watch_changes' interval.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Every request header any cached route reads, plus the validators. A header outside this list must
# not change a cached route's answer (tests/test_response_cache.py varies each one).
KEY_HEADERS = (
    b"host",
    b"cookie",
    b"reader-prefs",
    b"accept-language",
    b"accept-encoding",
    b"if-none-match",
    b"if-modified-since",
    b"origin",
    b"sec-fetch-site",
    b"hx-request",
    b"hx-history-restore-request",
    b"content-type",
    b"x-forwarded-proto",
)
_KEY_INDEX = {name: index for index, name in enumerate(KEY_HEADERS)}
# Larger requests are rare and not worth keeping: they go straight through.
MAX_KEY_BYTES = 8192
CACHEABLE_STATUS = frozenset({200, 303, 304})


@dataclass(frozen=True, slots=True)
class CachedRoute:
    """A route whose answers are a pure function of the request key and the stored data."""

    method: str
    path: re.Pattern[str]
    # Preference changes answer with the reader's new cookie and `no-store` (for HTTP caches, which key
    # on less than this cache does); only such routes may replay a Set-Cookie or a no-store answer.
    personal: bool = False


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    size: int


class ResponseCache:
    """Pure ASGI middleware serving stored answers for CachedRoutes; everything else passes through."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[CachedRoute],
        generation: Callable[[], int],
        max_bytes: int = 32 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.routes = tuple(routes)
        self.generation = generation
        self.max_bytes = max_bytes
        self._answers: OrderedDict[tuple[object, ...], _Answer] = OrderedDict()
        self._generation = generation()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def _route(self, method: str, path: str) -> CachedRoute | None:
        for route in self.routes:
            if route.method == method and route.path.fullmatch(path):
                return route
        return None

    def clear(self) -> None:
        """Forget every stored answer."""
        self._answers.clear()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self._route(scope["method"], scope["path"])
        if route is None:
            await self.app(scope, receive, send)
            return
        values: list[bytes | None] = [None] * len(KEY_HEADERS)
        key_bytes = len(scope["path"]) + len(scope["query_string"])
        for name, value in scope["headers"]:
            index = _KEY_INDEX.get(name)
            if index is not None:
                if values[index] is not None:
                    # Repeated headers are combined by the framework in ways not worth mirroring here.
                    await self.app(scope, receive, send)
                    return
                values[index] = value
                key_bytes += len(value)
        body = b""
        if route.method == "POST":
            read = await _read_body(receive, MAX_KEY_BYTES - key_bytes)
            if read is None:
                return  # the client went away before sending its request
            body, whole = read
            receive = _replay(body, whole, receive)
            key_bytes += len(body)
            if not whole:
                await self.app(scope, receive, send)
                return
        if key_bytes > MAX_KEY_BYTES:
            await self.app(scope, receive, send)
            return

        generation = self.generation()
        if generation != self._generation:
            self.clear()
            self._generation = generation
        key = (scope["method"], scope["path"], scope["query_string"], scope["scheme"], body, *values)
        answer = self._answers.get(key)
        if answer is not None:
            self.hits += 1
            self._answers.move_to_end(key)
            await send({"type": "http.response.start", "status": answer.status, "headers": list(answer.headers)})
            await send({"type": "http.response.body", "body": answer.body})
            return

        self.misses += 1
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if start is None or start["status"] not in CACHEABLE_STATUS:
            return
        headers = tuple((bytes(name).lower(), bytes(value)) for name, value in start.get("headers", ()))
        if not _storable(headers, route):
            return
        if self.generation() != generation:
            # The data changed while this answer was being rendered: it may already be stale.
            return
        answer_body = b"".join(chunks)
        size = len(answer_body) + key_bytes + sum(len(n) + len(v) for n, v in headers) + 256
        self._store(key, _Answer(start["status"], headers, answer_body, size))

    def _store(self, key: tuple[object, ...], answer: _Answer) -> None:
        if answer.size > self.max_bytes // 8:
            return
        previous = self._answers.pop(key, None)
        if previous is not None:
            self._bytes -= previous.size
        self._answers[key] = answer
        self._bytes += answer.size
        while self._bytes > self.max_bytes:
            _, evicted = self._answers.popitem(last=False)
            self._bytes -= evicted.size


def _storable(headers: tuple[tuple[bytes, bytes], ...], route: CachedRoute) -> bool:
    for name, value in headers:
        if route.personal:
            continue
        if name == b"set-cookie" or (name == b"cache-control" and b"no-store" in value):
            return False
    return True


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool] | None:
    """The request body (whole=True), or its first chunks once they pass `limit` (whole=False, the rest
    still to come); None when the client disconnected."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > limit:
            return b"".join(chunks), False


def _replay(body: bytes, whole: bool, receive: Receive) -> Receive:
    """A receive channel that first gives back the body already read, then the real channel."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not whole}
        return await receive()

    return replay
