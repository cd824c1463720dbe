"""A database that cannot take a write in time (here SQLite locked by another process past the busy
timeout; PostgreSQL stopped under a running node in tests/test_postgres_nodes.py): the write answers 503
with Retry-After and the usual error page (JSON under /api/), nothing is written, and reads go on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from reader.backends.sqlite import SQLiteDatabase
from reader.db import DatabaseUnavailable
from reader.response_cache import UNAVAILABLE_STATUS
from reader.settings import Settings
from reader.views.api import NO_ROOM
from tests.conftest import SEED_SLUG, SignedIn, sqlite_write_locked
from tests.serverproc import create_token

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(busy_timeout_ms=50)


async def test_writes_to_a_locked_database_answer_503(
    client: httpx.AsyncClient, editor: SignedIn, settings: Settings
) -> None:
    token = create_token(settings.db_path)
    form = {"csrf_token": editor.csrf, "title": "While locked", "lang": "en", "body_format": "html", "body": "<p>x</p>"}
    with sqlite_write_locked(settings.db_path):
        write = await client.put(
            "/api/articles/while-locked",
            json={"title": "While locked", "lang": "en", "body_html": "<p>x</p>"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert write.status_code == 503 and write.headers["retry-after"] == "5"
        assert write.json()["error"]["status"] == 503
        page = await client.post("/editor/new", data={**form, "action": "save"}, headers={"accept-language": "en"})
        assert page.status_code == 503 and page.headers["retry-after"] == "5"
        assert "Temporarily unavailable" in page.text and "Traceback" not in page.text
        # The write may have reached the database as it went away (a lost COMMIT): never "nothing changed".
        assert "may not have been saved" in page.text
        assert (await client.get(f"/articles/{SEED_SLUG}")).status_code == 200
    assert (await client.get("/api/articles/while-locked")).status_code == 404
    assert (await client.get("/editor/articles/while-locked")).status_code == 404


@pytest.mark.parametrize(
    ("lang", "heading", "explanation"),
    [("en", "Not saved: no room left", "it was not saved"), ("vi", "Chưa lưu được", "chưa được lưu")],
)
async def test_a_save_onto_a_full_disk_answers_507_saying_it_was_not_saved(
    client: httpx.AsyncClient, editor: SignedIn, monkeypatch: pytest.MonkeyPatch, lang: str, heading: str,
    explanation: str,
) -> None:  # fmt: skip
    # A real full disk (a 3 MiB tmpfs) is tests/test_file_faults.py's, through the API; here the editor's page.
    @asynccontextmanager
    async def full(self: SQLiteDatabase, touches: object = None) -> AsyncIterator[None]:
        raise DatabaseUnavailable("the disk is full (database or disk is full)", full=True)
        yield

    monkeypatch.setattr(SQLiteDatabase, "transaction", full)
    form = {"csrf_token": editor.csrf, "title": "Full", "lang": "en", "body_format": "html", "body": "<p>x</p>"}
    page = await client.post("/editor/new", data={**form, "action": "save"}, headers={"accept-language": lang})
    # Not 503's "cannot reach its database … try again in a moment": waiting makes no room.
    assert page.status_code == 507 and "retry-after" not in page.headers
    assert heading in page.text and explanation in page.text and "Traceback" not in page.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("PUT", f"/api/articles/{SEED_SLUG}", {"title": "Full", "lang": "en", "body_html": "<p>x</p>"}),
     ("DELETE", f"/api/articles/{SEED_SLUG}", None),
     ("POST", f"/api/articles/{SEED_SLUG}/rename", {"slug": "full-disk"})],
)  # fmt: skip
async def test_an_api_write_onto_a_full_disk_answers_507_as_documented(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch, method: str, path: str,
    body: object,
) -> None:  # fmt: skip
    # The API's 507 carried the editor's advice to a person ("keep a copy of your work"), not the message its
    # OpenAPI document gives; and the rename, which can meet a full disk too, did not document it.
    token = create_token(settings.db_path)
    spec = (await client.get("/api/openapi.json")).json()

    @asynccontextmanager
    async def full(self: SQLiteDatabase, touches: object = None) -> AsyncIterator[None]:
        raise DatabaseUnavailable("the disk is full (database or disk is full)", full=True)
        yield

    monkeypatch.setattr(SQLiteDatabase, "transaction", full)
    write = await client.request(method, path, json=body, headers={"authorization": f"Bearer {token}"})
    assert write.status_code == 507 and "retry-after" not in write.headers
    documented = spec["paths"][path.replace(SEED_SLUG, "{slug}")][method.lower()]["responses"]["507"]["description"]
    assert write.json()["error"] == {"status": 507, "message": documented, "field": None}
    assert documented == NO_ROOM.description


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_a_read_that_meets_a_full_disk_answers_503_not_507(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    # PostgreSQL's disk_full also comes from a read whose sort spills onto a full disk: it answered 507 "Not
    # saved", which says a write failed, and the answer cache (which replays a stored page only on a 503)
    # could not serve the page it kept.
    async def full(self: SQLiteDatabase, sql: str, params: object = ()) -> list[object]:
        raise DatabaseUnavailable("the disk is full (could not write to temporary file)", full=True)

    monkeypatch.setattr(SQLiteDatabase, "fetch_all", full)
    page = await client.request(method, "/", headers={"accept-language": "en"})
    assert page.status_code == UNAVAILABLE_STATUS and page.headers["retry-after"] == "5"
    if method == "GET":
        assert "Temporarily unavailable" in page.text and "Not saved" not in page.text
