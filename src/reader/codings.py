"""Content codings: which ones a client accepts, how an answer's ETag names its coding, and Brotli for
answers compressed as they are sent (reader.middleware.CompressPublic; static files are compressed once,
by reader.assets).

Brotli at quality 7: on reader's pages about 8 % smaller than gzip at level 6, and 3 % smaller than quality 5
(the seed article: 6,731 bytes in gzip, 6,382 at quality 5, 6,180 at 7; its embed 6,062 → 5,859), for about
0.2–0.4 ms more a page (0.7–1.0 ms against 0.5–0.7 ms for 28–30 KB), paid once per cached answer. Those
200 bytes are part of every first visit, which has a budget (40 KiB, tests/browser/test_lighthouse.py);
quality 8 and 9 save almost nothing more, and 11 takes about 55 ms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import anyio.to_thread
import brotli
from starlette.middleware.gzip import IdentityResponder
from starlette.types import ASGIApp

# The codings reader sends, most preferred first. Each copy of an answer is a representation of its own,
# with its own strong validator: the ETag with "-<coding>" inside the quotes, as Apache does.
CODINGS: Final = ("br", "gzip")
BROTLI_QUALITY: Final = 7
# Whole bodies this large are compressed on a worker thread, as Starlette's GZipMiddleware does, so that a
# very long article does not hold up the event loop (on anyio's default thread limiter; the parts of a
# streamed answer are compressed on the loop, and reader streams none of its public answers).
THREAD_MINIMUM_BYTES: Final = 128 * 1024


def accepted_codings(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str, ...]:
    """The CODINGS a request's Accept-Encoding lines (ASGI headers) accept, most preferred first."""
    accepted = _accepted(", ".join(value.decode("latin-1") for name, value in headers if name == b"accept-encoding"))
    return tuple(coding for coding in CODINGS if coding in accepted)


def accepts(accept_encoding: str, coding: str) -> bool:
    """Whether an Accept-Encoding header names `coding` and does not refuse it with q=0."""
    return coding in _accepted(accept_encoding)


def _accepted(accept_encoding: str) -> set[str]:
    """The codings an Accept-Encoding header names (case-insensitively; "x-gzip" is gzip, as RFC 9110 says)
    and does not refuse with q=0, each as its first mention says. A wildcard is not read as accepting
    anything: no browser relies on it."""
    named: dict[str, bool] = {}
    for part in accept_encoding.lower().split(","):
        name, *params = part.split(";")
        name = name.strip()
        name = "gzip" if name == "x-gzip" else name
        weights = [value for key, _, value in (param.partition("=") for param in params) if key.strip() == "q"]
        # "0", "0.0", " 0.000" refuse it
        named.setdefault(name, not weights or weights[0].strip().strip("0.") != "")
    return {name for name, accepted in named.items() if accepted}


def tagged(etag: str, coding: str) -> str:
    """The ETag of the `coding` copy of the answer whose plain ETag is `etag` (strong or weak)."""
    return f'{etag[:-1]}-{coding}"'


def tag_end(coding: str) -> bytes:
    """How the ETag of a `coding` copy ends, as a client sends it back in If-None-Match."""
    return f'-{coding}"'.encode("ascii")


class BrotliResponder(IdentityResponder):
    """Starlette's compression responder (minimum size, content types never compressed, Vary, streaming)
    with Brotli as its coding."""

    content_encoding = "br"

    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        super().__init__(app, minimum_size)
        self._stream: brotli.Compressor | None = None

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        if self._stream is None and not more_body:  # a whole answer: one call
            if len(body) >= THREAD_MINIMUM_BYTES:
                return await anyio.to_thread.run_sync(_compress, body)
            return _compress(body)
        if self._stream is None:
            self._stream = brotli.Compressor(quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
        stream = self._stream
        # Each part goes out as it comes (flush): a streamed answer is streamed so its reader sees it early.
        compressed: bytes = stream.process(body) + (stream.flush() if more_body else stream.finish())
        return compressed


def _compress(body: bytes) -> bytes:
    compressed: bytes = brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
    return compressed
