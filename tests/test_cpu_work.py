"""reader.cpu_work: work that grows with what a client sent runs off the event loop, so everyone else is
answered meanwhile."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import anyio.to_thread
import httpx
import pytest

from reader import cpu_work
from reader.views import api
from reader.views import editor as editor_views
from tests.conftest import ServedApp, SignedIn

pytestmark = pytest.mark.anyio


async def test_work_runs_in_another_thread_and_its_exception_comes_back() -> None:
    assert await cpu_work.off_the_loop(threading.get_ident) != threading.get_ident()

    def fails(message: str) -> None:
        raise ValueError(message)

    with pytest.raises(ValueError, match="refused"):
        await cpu_work.off_the_loop(fails, "refused")


class Held:
    """A stand-in for a slow parse: it waits, in whatever thread runs it, until released."""

    def __init__(self, work: Callable[..., Any]) -> None:
        self.work = work
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, *args: Any) -> Any:
        self.started.set()
        assert self.release.wait(30), "never released"
        return self.work(*args)


async def answered_while_held(client: httpx.AsyncClient, held: Held, request: asyncio.Task[httpx.Response]) -> None:
    """The health check is answered while `held` still holds its request: on the event loop, the wait would
    hold the loop too, and the health check would never come (the test would fail at its timeout)."""
    assert await anyio.to_thread.run_sync(held.started.wait, 30)
    with anyio.fail_after(20):
        health = await client.get("/healthz")
    assert health.status_code == 200 and not request.done()
    held.release.set()


async def test_an_import_leaves_the_loop_to_other_requests(
    client: httpx.AsyncClient, editor: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An 18 MB import held /healthz for 126 s.
    held = Held(editor_views.drafts_from_files)
    monkeypatch.setattr(editor_views, "drafts_from_files", held)
    good = ("good.md", b"---\nlang: en\n---\n# Imported off the loop\n\nBody.\n", "text/markdown")
    request = asyncio.create_task(
        client.post("/editor/import", data={"csrf_token": editor.csrf}, files={"files": good})
    )
    await answered_while_held(client, held, request)
    assert (await request).status_code == 200


async def test_an_api_write_leaves_the_loop_to_other_requests(
    app: ServedApp, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 0.96 MB Markdown body held /healthz for 10.6 s.
    api_token = await app.state["accounts"].create_token("off-the-loop")
    held = Held(api.draft_from_fields)
    monkeypatch.setattr(api, "draft_from_fields", held)
    article = {"lang": "en", "title": "Written off the loop", "body_markdown": "Body."}
    request = asyncio.create_task(
        client.put("/api/articles/off-the-loop", json=article, headers={"authorization": f"Bearer {api_token}"})
    )
    await answered_while_held(client, held, request)
    assert (await request).status_code == 201
