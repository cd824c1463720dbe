"""An in-process cache of whole answers for the hot, deterministic routes (article views, the index,
preference changes), keyed by everything those answers depend on.

Embedding sites and readers repeat the same few requests; rendering them once per article version and
preference set, then sending the stored bytes, is what lets reader answer at nearly the speed of a
constant-bytes app (docs/performance.md). An answer is reused only for a request with the same method,
path, query, scheme, body and values of every header in KEY_HEADERS (a superset of the answers' `Vary`),
and only while what it was rendered from is unchanged: a `Stamp` taken before rendering must still be
current. A route showing one article is stamped with that article's version counter, other routes with a
counter of every article change; both stamps include the database generation, which moves for another
process's commit (within Database.watch_changes' interval) or a write that did not say what it touched.

Stamps only say "unchanged" while other processes' and nodes' commits are being noticed (`fresh()`:
Database.listening). When they may not be (a PostgreSQL node whose LISTEN connection is down), every
request is rendered afresh and nothing is stored; a stored answer then stands in only when that rendering
finds the database unavailable (a 503), as HTTP caches do with stale-if-error.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reader.request_id import REPLY
from reader.single_write import head_bytes

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
    b"reader-page-lang",
    b"content-type",
    b"x-forwarded-proto",
)
_KEY_INDEX = {name: index for index, name in enumerate(KEY_HEADERS)}
# Larger requests are rare and not worth keeping: they go straight through.
MAX_KEY_BYTES = 8192
CACHEABLE_STATUS = frozenset({200, 303, 304})
# A request waits for another's rendering of its answer at most this many times (each time the data
# changed meanwhile), then renders its own.
MAX_WAITS = 3
STALE = "stale"
NOT_REUSABLE = "not reusable"
# What the app answers when the database is unavailable (reader.views.errors.database_unavailable).
UNAVAILABLE_STATUS = 503


# Where a request rendered for the cache finds its mark (not_shared): one object, which any copy of the scope
# a layer inside makes (to change its headers, say) holds too.
_MARK = "reader.not_shared"


class _Mark:
    __slots__ = ("own",)

    def __init__(self) -> None:
        self.own = False


def not_shared(scope: Scope) -> None:
    """Says that the answer being rendered for this request is its own, whatever its key: it holds a random value
    (the note cookie of a preference change's redirect, reader.saved_note) that no other request may be given.
    The cache neither keeps it nor hands it to a request waiting for the same key (that one renders its own)."""
    mark = scope.get(_MARK)
    if mark is not None:
        mark.own = True


@dataclass(frozen=True, slots=True)
class CacheRule:
    """How to keep the answers of a route whose answers are a pure function of the request key and the
    stored data (the route table says which: reader.kinds.Route's `cached`)."""

    # The one article the answer shows (its version stamps the answer), or None: it may show any.
    slug: str | None = None
    # Preference changes answer with the reader's new cookie and `no-store` (for HTTP caches, which key
    # on less than this cache does); only such routes may replay a Set-Cookie or a no-store answer.
    personal: bool = False
    # The query as the key holds it, or None: as sent. A route that answers some queries as it answers
    # others (an article's ?saved= naming no note it shows) keys them as those, so an address cannot fill
    # the cache with copies of one answer.
    query: Callable[[bytes, Scope], bytes] | None = None


# (database generation, change counter of the article or of all articles); see the module docstring.
Stamp = tuple[int, int]


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    size: int
    stamp: Stamp
    # Its header lines, serialized once (reader.single_write.head_bytes), or None: sent the ordinary way.
    head: bytes | None


class ResponseCache:
    """Pure ASGI middleware serving stored answers for the requests `rule` gives a CacheRule (GET and POST
    only); everything else passes through."""

    def __init__(
        self,
        app: ASGIApp,
        rule: Callable[[Scope], CacheRule | None],
        stamp: Callable[[str | None], Stamp],
        max_bytes: int = 32 * 1024 * 1024,
        fresh: Callable[[], bool] = lambda: True,
    ) -> None:
        self.app = app
        self.rule = rule
        self.stamp = stamp
        self.fresh = fresh
        self.max_bytes = max_bytes
        self._answers: OrderedDict[tuple[object, ...], _Answer] = OrderedDict()
        self._generation = stamp(None)[0]
        self._bytes = 0
        self._pending: dict[tuple[object, ...], tuple[Stamp, asyncio.Future[_Answer | str]]] = {}
        self.hits = 0
        self.misses = 0
        self.shared = 0

    def _current_stamp(self, slug: str | None) -> Stamp:
        """The stamp an answer for `slug` must carry now; a new database generation empties the cache."""
        stamp = self.stamp(slug)
        if stamp[0] != self._generation:
            self.clear()
            self._generation = stamp[0]
        return stamp

    def clear(self) -> None:
        """Forget every stored answer."""
        self._answers.clear()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.rule(scope) if scope["method"] in ("GET", "POST") else None
        if route is None:
            await self.app(scope, receive, send)
            return
        slug = route.slug
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
        if scope["method"] == "POST":
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

        query = scope["query_string"] if route.query is None else route.query(scope["query_string"], scope)
        key = (scope["method"], scope["path"], query, scope["scheme"], body, *values)
        if not self.fresh():
            await self._render_or_stale(scope, receive, send, key, slug)
            return
        for _ in range(MAX_WAITS):
            stamp = self.stamp(slug)
            if stamp[0] != self._generation:  # rare: _current_stamp then empties the cache
                stamp = self._current_stamp(slug)
            answer = self._answers.get(key)
            if answer is not None and answer.stamp == stamp:
                self.hits += 1
                self._answers.move_to_end(key)
                reply = scope.get(REPLY)
                if reply is not None:  # past the wrappers outside (reader.request_id.Reply)
                    await reply.whole(answer.status, answer.headers, answer.body, answer.head)
                    return
                await _send_answer(send, answer)
                return
            # Right after a change, every connection asks for the same few pages at once: one request
            # renders each answer and the others wait for it, instead of all rendering (and queueing for
            # the database) together.
            pending = self._pending.get(key)
            if pending is None or pending[0] != stamp:
                break
            self.shared += 1
            shared = await asyncio.shield(pending[1])
            if isinstance(shared, _Answer):
                await _send_answer(send, shared)
                return
            if shared == NOT_REUSABLE:  # an error, a cookie: this request gets its own
                await self.app(scope, receive, send)
                return
            # STALE: the data changed while it was rendered; look again under the new stamp.

        self.misses += 1
        stamp = self._current_stamp(slug)  # after waits that ended STALE, the one read before them is old
        future: asyncio.Future[_Answer | str] = asyncio.get_running_loop().create_future()
        self._pending[key] = (stamp, future)
        mark = scope[_MARK] = _Mark()
        start: Message | None = None
        chunks: list[bytes] = []

        def settle(outcome: _Answer | str) -> None:
            if future.done():
                return
            if self._pending.get(key, (None, None))[1] is future:
                del self._pending[key]
            if isinstance(outcome, _Answer):
                self._store(key, outcome)
            future.set_result(outcome)

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    # Settled before this client is sent the last bytes: waiting requests must not depend
                    # on how fast this one reads.
                    settle(NOT_REUSABLE if mark.own else self._outcome(start, chunks, route, slug, key, stamp))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            settle(NOT_REUSABLE)

    async def _render_or_stale(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[object, ...], slug: str | None
    ) -> None:
        """A fresh rendering, not stored; the stored answer instead if the rendering is a 503."""
        stored = self._answers.get(key)
        if stored is None or stored.stamp != self._current_stamp(slug):
            await self.app(scope, receive, send)
            return
        replaced = False

        async def stale_if_error(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == UNAVAILABLE_STATUS:
                replaced = True
                self.hits += 1
                await _send_answer(send, stored)
            elif not replaced:
                await send(message)

        await self.app(scope, receive, stale_if_error)

    def _outcome(
        self,
        start: Message | None,
        chunks: list[bytes],
        route: CacheRule,
        slug: str | None,
        key: tuple[object, ...],
        stamp: Stamp,
    ) -> _Answer | str:
        """The answer to keep and share, else STALE or NOT_REUSABLE."""
        if start is None or start["status"] not in CACHEABLE_STATUS or not self.fresh():
            return NOT_REUSABLE
        headers = tuple((bytes(name).lower(), bytes(value)) for name, value in start.get("headers", ()))
        if not _storable(headers, route):
            return NOT_REUSABLE
        if self.stamp(slug) != stamp:
            # The data changed while this answer was being rendered: it may already be stale.
            return STALE
        body = b"".join(chunks)
        # Python's own overhead counts too: about 64 bytes per header and 40 per part of the key, plus
        # the entry itself, so that many small answers (304s) cannot grow far past the bound.
        overhead = 512 + 64 * len(headers) + sum(40 + len(part) for part in key if isinstance(part, (bytes, str)))
        status: int = start["status"]
        head = head_bytes(status, headers, body)
        size = len(body) + sum(len(n) + len(v) for n, v in headers) + len(head or b"") + overhead
        return _Answer(status, headers, body, size, stamp, head)

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


async def _send_answer(send: Send, answer: _Answer) -> None:
    # The stored headers as they are, not a copy: a tuple, which ASGI allows (any iterable of pairs), and
    # which no layer outside can change in place (reader.request_id adds its header to a new list).
    await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
    await send({"type": "http.response.body", "body": answer.body})


def _storable(headers: tuple[tuple[bytes, bytes], ...], route: CacheRule) -> bool:
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
