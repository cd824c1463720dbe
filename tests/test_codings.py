from __future__ import annotations

import brotli
import pytest
from starlette.types import Message, Receive, Scope, Send

from reader.codings import THREAD_MINIMUM_BYTES, BrotliResponder, accepts, tag_end, tagged

pytestmark = pytest.mark.anyio


def test_accept_encoding_is_read_with_its_weights() -> None:
    assert accepts("gzip, deflate, br, zstd", "br") and accepts("BR;q=0.5", "br")
    assert accepts("gzip, deflate, br, zstd", "gzip") and accepts("x-gzip, GZIP ; q=1", "gzip")
    assert not accepts("gzip", "br") and not accepts("br;q=0", "br") and not accepts("br; q=0.000", "br")
    assert not accepts("brotli", "br") and accepts("x-gzip", "gzip") and not accepts("gzip;q=0", "gzip")
    assert not accepts("*", "br") and not accepts("", "gzip")
    assert not accepts("gzip; q = 0", "gzip") and accepts("gzip;level=1;q=0.001", "gzip")


def test_a_coded_copys_etag_names_its_coding() -> None:
    assert tagged('"3-abc"', "br") == '"3-abc-br"'
    assert tagged('W/"3-abc"', "gzip") == 'W/"3-abc-gzip"'
    assert tagged('"3-abc"', "gzip").encode().endswith(tag_end("gzip"))


def _app(parts: list[bytes]) -> object:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        for index, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": index < len(parts) - 1})

    return app


async def _through_brotli(parts: list[bytes]) -> tuple[dict[bytes, bytes], list[bytes]]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        raise AssertionError("not read")

    responder = BrotliResponder(_app(parts), 1024)  # type: ignore[arg-type]
    await responder({"type": "http", "method": "GET", "headers": []}, receive, send)
    return dict(sent[0]["headers"]), [message["body"] for message in sent[1:]]


@pytest.mark.parametrize("size", [50_000, THREAD_MINIMUM_BYTES + 1])
async def test_a_whole_answer_is_compressed_in_one_piece(size: int) -> None:
    page = ("<p>Bắc Kạn nâng cao chất lượng đội ngũ cán bộ.</p>\n" * (size // 50)).encode()
    headers, bodies = await _through_brotli([page])
    assert headers[b"content-encoding"] == b"br" and b"Accept-Encoding" in headers[b"vary"]
    assert len(bodies) == 1 and brotli.decompress(bodies[0]) == page
    assert int(headers[b"content-length"]) == len(bodies[0]) < len(page) / 10


async def test_a_streamed_answer_is_compressed_part_by_part() -> None:
    parts = [b"<p>%d lines of text that go on and on</p>\n" % n * 100 for n in range(3)]
    headers, bodies = await _through_brotli(parts)
    assert headers[b"content-encoding"] == b"br" and b"content-length" not in headers
    assert len(bodies) == 3 and all(bodies)  # each part is flushed as it comes
    decompressor = brotli.Decompressor()
    assert decompressor.process(bodies[0]) == parts[0]  # readable before the rest arrives
    assert decompressor.process(bodies[1] + bodies[2]) == parts[1] + parts[2]


async def test_a_small_answer_is_left_plain() -> None:
    headers, bodies = await _through_brotli([b"<p>short</p>"])
    assert b"content-encoding" not in headers and bodies == [b"<p>short</p>"]
