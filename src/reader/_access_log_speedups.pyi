# The compiled hit path of reader.access_log.AccessLog.record (src/reader/_access_log_speedups.c).
from collections.abc import Callable
from typing import Any

from starlette.types import Scope

class Recorder:
    def __init__(
        self,
        fallback: Callable[[Scope, bytes, int, int, int, int, bytes | None, bytes | None], None],
        heads: dict[Any, bytes],  # AccessLog._heads
        pending: bytearray,  # LogWriter.pending
        writer: object,
        clock: object,
        durations: list[bytes],
    ) -> None: ...
    def __call__(
        self,
        scope: Scope,
        request_id: bytes,
        status: int,
        sent: int,
        start: int,
        referer: bytes | None,
        agent: bytes | None,
        /,
    ) -> None: ...  # positional only: the C code takes no keywords here
    def record(
        self,
        scope: Scope,
        request_id: bytes,
        status: int,
        sent: int,
        start: int,
        end: int,
        referer: bytes | None,
        agent: bytes | None,
    ) -> None: ...
