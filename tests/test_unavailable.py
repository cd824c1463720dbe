"""A database that cannot take a write in time (here SQLite locked by another process past the busy
timeout; PostgreSQL stopped under a running node in tests/test_postgres_nodes.py): the write answers 503
with Retry-After and the usual error page (JSON under /api/), nothing is written, and reads go on."""

from __future__ import annotations

import httpx
import pytest

from reader.settings import Settings
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
