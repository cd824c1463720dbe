from __future__ import annotations

import gzip

import brotli
import httpx
import pytest

from tests.conftest import SEED_SLUG

pytestmark = pytest.mark.anyio

GZIP = {"accept-encoding": "gzip"}
BROWSER = {"accept-encoding": "gzip, deflate, br, zstd"}  # what Chromium sends


async def _raw(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    # httpx would decode gzip itself; stream and read the raw bytes to see what went over the wire.
    async with client.stream("GET", path, headers=headers) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


async def test_pages_and_static_files_are_gzipped_for_clients_that_accept_it(client: httpx.AsyncClient) -> None:
    plain = await client.get(f"/articles/{SEED_SLUG}")
    packed, packed_bytes = await _raw(client, f"/articles/{SEED_SLUG}", GZIP)
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert gzip.decompress(packed_bytes) == plain.content
    assert len(packed_bytes) < len(plain.content) / 2
    css, _ = await _raw(client, "/static/css/reader.css", GZIP)
    assert css.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize(
    "path", [f"/articles/{SEED_SLUG}", f"/articles/{SEED_SLUG}/fragment", f"/embed/{SEED_SLUG}", "/"]
)
async def test_pages_go_in_brotli_to_browsers_smaller_than_in_gzip(client: httpx.AsyncClient, path: str) -> None:
    plain = await client.get(path, headers={"accept-encoding": "identity"})
    packed, packed_bytes = await _raw(client, path, BROWSER)
    assert packed.headers["content-encoding"] == "br"
    assert brotli.decompress(packed_bytes) == plain.content
    assert int(packed.headers["content-length"]) == len(packed_bytes)
    gzipped, gzipped_bytes = await _raw(client, path, {"accept-encoding": "gzip, br;q=0"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert len(packed_bytes) < 0.97 * len(gzipped_bytes)


async def test_without_accept_encoding_the_bytes_are_plain(client: httpx.AsyncClient) -> None:
    response, raw = await _raw(client, f"/articles/{SEED_SLUG}", {"accept-encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert raw.startswith(b"<!doctype html>")


@pytest.mark.parametrize(("coding", "asked"), [("gzip", GZIP), ("br", BROWSER)])
async def test_a_compressed_answer_has_its_own_strong_etag_and_revalidates(
    client: httpx.AsyncClient, coding: str, asked: dict[str, str]
) -> None:
    plain, _ = await _raw(client, f"/articles/{SEED_SLUG}", {"accept-encoding": "identity"})
    packed, _ = await _raw(client, f"/articles/{SEED_SLUG}", asked)
    assert plain.headers["etag"].startswith('"') and packed.headers["etag"].startswith('"')
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + f'-{coding}"'
    for tag, headers in ((packed.headers["etag"], asked), (plain.headers["etag"], {"accept-encoding": "identity"})):
        again, _ = await _raw(client, f"/articles/{SEED_SLUG}", {**headers, "if-none-match": tag})
        assert again.status_code == 304
        assert again.headers["etag"] == tag
    # A coded tag never validates a changed article: the suffix comes off, the rest must still match.
    stale, _ = await _raw(client, f"/articles/{SEED_SLUG}", {**asked, "if-none-match": f'"0-stale-{coding}"'})
    assert stale.status_code == 200
    # Nor a copy the client can no longer read: it gets the copy it can.
    refetched, _ = await _raw(
        client, f"/articles/{SEED_SLUG}", {"accept-encoding": "identity", "if-none-match": packed.headers["etag"]}
    )
    assert refetched.status_code == 200 and "content-encoding" not in refetched.headers


@pytest.mark.parametrize("path", ["/editor/login", "/api/articles"])
async def test_pages_with_secrets_are_never_compressed(client: httpx.AsyncClient, path: str) -> None:
    # BREACH: a CSRF token compressed next to attacker-chosen text leaks through the length.
    response, _ = await _raw(client, path, BROWSER)
    assert response.status_code == 200
    assert "content-encoding" not in response.headers


async def test_a_304_keeps_the_vary_and_names_only_the_copy_the_client_can_read(client: httpx.AsyncClient) -> None:
    plain, _ = await _raw(client, f"/articles/{SEED_SLUG}", {"accept-encoding": "identity"})
    assert "accept-encoding" in plain.headers["vary"].lower()
    tag = plain.headers["etag"]
    every = f'{tag}, {tag[:-1]}-gzip", {tag[:-1]}-br"'
    for encoding, expected in (
        ("identity", tag),
        ("gzip", tag[:-1] + '-gzip"'),
        ("gzip, deflate, br, zstd", tag[:-1] + '-br"'),
        ("br;q=0, gzip", tag[:-1] + '-gzip"'),
    ):
        answer, _ = await _raw(client, f"/articles/{SEED_SLUG}", {"accept-encoding": encoding, "if-none-match": every})
        assert answer.status_code == 304
        assert answer.headers["etag"] == expected, encoding
        assert "accept-encoding" in answer.headers["vary"].lower()


def _vary_names(response: httpx.Response) -> list[str]:
    return [name.strip().lower() for value in response.headers.get_list("vary") for name in value.split(",")]


@pytest.mark.parametrize("encoding", ["identity", "gzip", "br"])
@pytest.mark.parametrize(
    "path",
    [f"/articles/{SEED_SLUG}", f"/articles/{SEED_SLUG}/fragment", f"/embed/{SEED_SLUG}", "/", "/static/css/reader.css"],
)
async def test_vary_names_each_header_once(client: httpx.AsyncClient, path: str, encoding: str) -> None:
    # A compressible answer sent plain used to say Accept-Encoding twice (GZipMiddleware and CompressPublic).
    first, _ = await _raw(client, path, {"accept-encoding": encoding})
    answers = [first]
    if "etag" in first.headers:
        again, _ = await _raw(client, path, {"accept-encoding": encoding, "if-none-match": first.headers["etag"]})
        answers.append(again)
    for answer in answers:
        names = _vary_names(answer)
        assert "accept-encoding" in names
        assert len(names) == len(set(names)), answer.headers.get_list("vary")
