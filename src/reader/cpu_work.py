"""Work that takes CPU time in proportion to what a client sent (parsing, sanitizing and checking an article),
done in a thread so that the event loop goes on answering everyone else meanwhile.

On the event loop, one editor's import of a large file or one API write of a dense article held every
reader's request, and the health check, for as long as it took: 126 s for an 18 MB import, 10.6 s for a
0.96 MB Markdown body. In a thread, the loop gets the interpreter back at least every switch interval (5 ms),
and while the sanitizer (nh3, in Rust) runs it has it to itself. Such work takes at most one
thread per core at a time (`limiter`), shared by everything that uses it, the readability reports of the API
included: more at once would only slow each one down.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from typing import TypeVar, TypeVarTuple, Unpack

import anyio
import anyio.to_thread

_Result = TypeVar("_Result")
_Args = TypeVarTuple("_Args")

_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


def limiter() -> anyio.CapacityLimiter:
    """The threads such work may use, one per core: a limiter per event loop (it waits with the loop's own
    primitives), made on first use."""
    loop = asyncio.get_running_loop()
    found = _LIMITERS.get(loop)
    if found is None:
        found = _LIMITERS[loop] = anyio.CapacityLimiter(os.cpu_count() or 1)
    return found


async def off_the_loop(work: Callable[[Unpack[_Args]], _Result], *args: *_Args) -> _Result:
    """`work(*args)` in a worker thread, its result or its exception as if called here."""
    return await anyio.to_thread.run_sync(work, *args, limiter=limiter())
