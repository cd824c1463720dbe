from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from scripts.pgcluster import PostgresCluster, database_of
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from reader.app import create_app
from reader.models import ArticleDraft
from reader.response_cache import KEY_HEADERS, CacheRule, ResponseCache, not_shared
from reader.settings import Settings
from tests.conftest import (
    EN_SLUG,
    SEED_SLUG,
    SEED_TITLE,
    ServedApp,
    client_for,
    eventually,
    listener_pids,
    new_pg_database,
    served,
)
from tests.test_store import draft

pytestmark = pytest.mark.anyio

COOKIE = "reader_prefs=1|s:200|lh:1.8"


def cache_of(app: ServedApp) -> ResponseCache:
    layer = app.app.middleware_stack
    while not isinstance(layer, ResponseCache):
        layer = layer.app
    return layer


async def test_a_repeated_request_is_answered_from_memory_with_the_same_bytes(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    first = await client.get(f"/articles/{SEED_SLUG}", headers={"cookie": COOKIE})
    cache = cache_of(app)
    hits = cache.hits
    second = await client.get(f"/articles/{SEED_SLUG}", headers={"cookie": COOKIE})
    assert cache.hits == hits + 1
    assert second.status_code == first.status_code == 200
    assert second.content == first.content
    # Only the date and the request id (added outside the cache) are the request's own.
    own = ("date", "x-request-id")
    assert [(k, v) for k, v in second.headers.items() if k not in own] == [
        (k, v) for k, v in first.headers.items() if k not in own
    ]
    assert second.headers["x-request-id"] != first.headers["x-request-id"]


async def test_headers_outside_the_key_do_not_split_the_cache(app: ServedApp, client: httpx.AsyncClient) -> None:
    await client.get(f"/articles/{SEED_SLUG}/fragment", headers={"user-agent": "one"})
    cache = cache_of(app)
    hits = cache.hits
    await client.get(f"/articles/{SEED_SLUG}/fragment", headers={"user-agent": "two", "x-anything": "1"})
    assert cache.hits == hits + 1


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        (f"/articles/{EN_SLUG}", {"cookie": COOKIE}, 'data-size="200"'),
        (f"/articles/{EN_SLUG}", {"cookie": "reader_prefs=1|s:300"}, 'data-size="300"'),
        (f"/articles/{EN_SLUG}/fragment", {"reader-prefs": "1|s:150"}, 'data-size="150"'),
        ("/", {"accept-language": "en"}, '<html lang="en"'),
        ("/", {"cookie": "reader_prefs=1|t:dark"}, 'data-theme="dark"'),
    ],
)
async def test_each_key_header_gets_its_own_answer(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], expected: str
) -> None:
    # The plain answer is cached first, so a wrong hit would show the defaults instead.
    plain = await client.get(path)
    assert expected not in plain.text
    varied = await client.get(path, headers=headers)
    assert expected in varied.text


async def test_validators_are_part_of_the_key(client: httpx.AsyncClient) -> None:
    full = await client.get(f"/articles/{SEED_SLUG}")
    revalidated = await client.get(f"/articles/{SEED_SLUG}", headers={"if-none-match": full.headers["etag"]})
    assert revalidated.status_code == 304
    assert (await client.get(f"/articles/{SEED_SLUG}")).status_code == 200


async def test_the_key_covers_the_headers_the_views_read() -> None:
    # The headers the article views, preferences and CORS consult (reader/web.py, reader/cors.py,
    # reader/http_cache.py, reader/views/prefs.py, reader/htmx.py); adding a header there means adding it here.
    read_by_cached_views = {
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
    }
    assert read_by_cached_views <= set(KEY_HEADERS)


async def test_a_write_in_this_process_shows_at_once(app: ServedApp, client: httpx.AsyncClient) -> None:
    assert SEED_TITLE in (await client.get(f"/articles/{SEED_SLUG}")).text
    async with app.state["db"].transaction() as conn:
        await conn.execute(
            "UPDATE articles SET title = 'Changed here', version = version + 1 WHERE slug = ?", (SEED_SLUG,)
        )
    assert "Changed here" in (await client.get(f"/articles/{SEED_SLUG}")).text


async def test_saving_one_article_keeps_the_others_cached(app: ServedApp, client: httpx.AsyncClient) -> None:
    await client.get(f"/articles/{EN_SLUG}")
    seed = await client.get(f"/articles/{SEED_SLUG}")
    await client.get("/")
    store = app.state["store"]
    article = await store.get_article(SEED_SLUG)
    draft = ArticleDraft(
        slug=SEED_SLUG,
        lang=article.lang,
        title="Renamed through the store",
        summary=article.summary,
        body_html=article.body_html,
        body_source=article.body_source,
        body_format=article.body_format,
        author=article.author,
        published=article.published,
        source_url=article.source_url,
    )
    await store.save_articles([draft])
    cache = cache_of(app)
    hits = cache.hits
    await client.get(f"/articles/{EN_SLUG}")
    assert cache.hits == hits + 1  # another article's page is still good
    changed = await client.get(f"/articles/{SEED_SLUG}")
    assert "Renamed through the store" in changed.text and changed.text != seed.text
    assert "Renamed through the store" in (await client.get("/")).text  # the index lists every article
    assert cache.hits == hits + 1


async def test_a_write_by_another_process_shows_within_the_check_interval(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    assert SEED_TITLE in (await client.get(f"/articles/{SEED_SLUG}")).text
    with sqlite3.connect(settings.db_path) as other:
        other.execute(
            "UPDATE articles SET title = 'Changed elsewhere', version = version + 1 WHERE slug = ?", (SEED_SLUG,)
        )
    seen = False
    for _ in range(40):  # up to 4 s, far beyond the 0.25 s interval, so a slow machine does not flake
        if "Changed elsewhere" in (await client.get(f"/articles/{SEED_SLUG}")).text:
            seen = True
            break
        await asyncio.sleep(0.1)
    assert seen


async def test_a_preference_change_is_replayed_with_its_cookie(app: ServedApp, client: httpx.AsyncClient) -> None:
    form = {"action": "bigger", "next": f"/articles/{SEED_SLUG}"}
    headers = {"hx-request": "true", "cookie": COOKIE}
    first = await client.post("/preferences", data=form, headers=headers)
    cache = cache_of(app)
    hits = cache.hits
    second = await client.post("/preferences", data=form, headers=headers)
    assert cache.hits == hits + 1
    assert first.status_code == second.status_code == 200
    assert second.headers["set-cookie"] == first.headers["set-cookie"]
    assert "s:250" in second.headers["set-cookie"]
    assert second.content == first.content
    # Another body is another answer.
    smaller = await client.post("/preferences", data={**form, "action": "smaller"}, headers=headers)
    assert "s:175" in smaller.headers["set-cookie"]


async def test_errors_are_not_kept(app: ServedApp, client: httpx.AsyncClient) -> None:
    await client.get("/articles/no-such-article")
    cache = cache_of(app)
    misses = cache.misses
    assert (await client.get("/articles/no-such-article")).status_code == 404
    assert cache.misses == misses + 1


# ------------------------------------------------------------------ the middleware on its own


def _counting_app(calls: list[bytes]) -> Starlette:
    async def echo(request: Request) -> Response:
        body = await request.body()
        calls.append(body)
        response = PlainTextResponse(f"{len(calls)}:{len(body)}")
        if request.query_params.get("cookie"):
            response.set_cookie("c", "1")
        if request.query_params.get("nostore"):
            response.headers["cache-control"] = "no-store"
        return response

    return Starlette(routes=[Route("/x", echo, methods=["GET", "POST"])])


def _every_request(scope: Scope) -> CacheRule:
    return CacheRule()


@pytest.fixture
async def generation() -> AsyncIterator[list[int]]:
    yield [0]


def _client(cache: ResponseCache) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=cache), base_url="http://t")


async def _chunks(chunk: bytes, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield chunk


async def test_a_large_body_passes_through_whole() -> None:
    calls: list[bytes] = []
    cache = ResponseCache(_counting_app(calls), _every_request, lambda slug: (0, 0))
    async with _client(cache) as http:
        body = b"a" * 50_000
        first = await http.post("/x", content=body)
        second = await http.post("/x", content=body)
        # In chunks, too: the part read for the key is handed over, then the rest.
        chunked = await http.post("/x", content=_chunks(b"b" * 5000, 4))
    assert first.text == "1:50000" and second.text == "2:50000" and chunked.text == "3:20000"
    assert calls == [body, body, b"b" * 20000]


async def test_set_cookie_and_no_store_answers_are_not_kept() -> None:
    calls: list[bytes] = []
    cache = ResponseCache(_counting_app(calls), _every_request, lambda slug: (0, 0))
    async with _client(cache) as http:
        for query in ("?cookie=1", "?nostore=1"):
            await http.get("/x" + query)
            await http.get("/x" + query)
        await http.get("/x")
        await http.get("/x")
    assert len(calls) == 5


async def test_a_new_generation_empties_the_cache(generation: list[int]) -> None:
    calls: list[bytes] = []
    cache = ResponseCache(_counting_app(calls), _every_request, lambda slug: (generation[0], 0))
    async with _client(cache) as http:
        assert (await http.get("/x")).text == "1:0"
        assert (await http.get("/x")).text == "1:0"
        generation[0] += 1
        assert (await http.get("/x")).text == "2:0"


async def test_an_answer_rendered_across_a_change_is_not_kept(generation: list[int]) -> None:
    calls: list[bytes] = []
    inner = _counting_app(calls)

    async def changing(scope: object, receive: object, send: object) -> None:
        generation[0] += 1  # a commit lands while this answer is being rendered
        await inner(scope, receive, send)  # type: ignore[arg-type]

    cache = ResponseCache(changing, _every_request, lambda slug: (generation[0], 0))
    async with _client(cache) as http:
        await http.get("/x")
        await http.get("/x")
    assert len(calls) == 2


async def test_the_size_bound_evicts_the_least_recently_used() -> None:
    calls: list[bytes] = []
    cache = ResponseCache(_counting_app(calls), _every_request, lambda slug: (0, 0), max_bytes=16384)
    async with _client(cache) as http:
        for n in range(20):
            await http.get(f"/x?n={n}")
        assert cache._bytes <= 16384
        kept = len(calls)
        await http.get("/x?n=19")  # the newest is still there
        assert len(calls) == kept
        await http.get("/x?n=0")  # the oldest was evicted
        assert len(calls) == kept + 1


def _slow_app(calls: list[int], release: asyncio.Event, status: int = 200) -> Starlette:
    async def slow(request: Request) -> Response:
        calls.append(1)
        await release.wait()
        return PlainTextResponse(f"answer {len(calls)}", status_code=status)

    return Starlette(routes=[Route("/x", slow)])


async def test_concurrent_misses_for_one_key_render_once(generation: list[int]) -> None:
    calls: list[int] = []
    release = asyncio.Event()
    cache = ResponseCache(_slow_app(calls, release), _every_request, lambda slug: (generation[0], 0))
    async with _client(cache) as http:
        waiting = [asyncio.create_task(http.get("/x")) for _ in range(20)]
        while not calls:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # let the other 19 arrive and queue behind the first
        release.set()
        answers = await asyncio.gather(*waiting)
    assert len(calls) == 1
    assert {a.text for a in answers} == {"answer 1"}
    assert cache.shared == 19


async def test_waiters_render_their_own_when_the_data_changed_meanwhile(generation: list[int]) -> None:
    calls: list[int] = []
    release = asyncio.Event()
    cache = ResponseCache(_slow_app(calls, release), _every_request, lambda slug: (generation[0], 0))
    async with _client(cache) as http:
        first = asyncio.create_task(http.get("/x"))
        while not calls:
            await asyncio.sleep(0.01)
        second = asyncio.create_task(http.get("/x"))  # joins the first one's render
        await asyncio.sleep(0.05)
        generation[0] += 1  # a commit lands before the first answer is done
        release.set()
        answers = [await first, await second]
    assert len(calls) == 2
    assert answers[1].text == "answer 2"


async def test_waiters_for_an_answer_marked_not_shared_render_their_own() -> None:
    """An answer that holds a random value of its request's own (the note cookie's, reader.saved_note) is
    neither kept nor handed to requests that waited for the same key: each renders its own."""
    calls: list[int] = []
    release = asyncio.Event()

    async def own(request: Request) -> Response:
        calls.append(1)
        not_shared(request.scope)
        await release.wait()
        return PlainTextResponse(f"answer {len(calls)}")

    cache = ResponseCache(Starlette(routes=[Route("/x", own)]), _every_request, lambda slug: (0, 0))
    async with _client(cache) as http:
        waiting = [asyncio.create_task(http.get("/x")) for _ in range(3)]
        while not calls:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the other two wait for the first one's render
        release.set()
        answers = await asyncio.gather(*waiting)
        again = await http.get("/x")
    assert cache.shared == 2 and cache.hits == 0
    assert sorted(a.text for a in [*answers, again]) == ["answer 1", "answer 2", "answer 3", "answer 4"]


async def test_waiters_for_an_error_render_their_own() -> None:
    calls: list[int] = []
    release = asyncio.Event()
    cache = ResponseCache(_slow_app(calls, release, 404), _every_request, lambda slug: (0, 0))
    async with _client(cache) as http:
        waiting = [asyncio.create_task(http.get("/x")) for _ in range(3)]
        while not calls:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        release.set()
        answers = await asyncio.gather(*waiting)
    assert len(calls) == 3
    assert {a.status_code for a in answers} == {404}


async def test_waiters_do_not_wait_for_a_slow_reader_of_the_first_answer() -> None:
    calls: list[int] = []
    release = asyncio.Event()
    cache = ResponseCache(_slow_app(calls, release), _every_request, lambda slug: (0, 0))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/x",
        "raw_path": b"/x",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("t", 80),
    }
    client_reads = asyncio.Event()

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def stuck_send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.body":
            await client_reads.wait()  # a client that stopped reading

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    first = asyncio.create_task(cache(scope, receive, stuck_send))  # type: ignore[arg-type]
    while not calls:
        await asyncio.sleep(0.01)
    second = asyncio.create_task(cache(dict(scope), receive, send))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.wait_for(second, timeout=5)
    assert sent[-1]["body"] == b"answer 1"
    assert not first.done()
    client_reads.set()
    await first
    assert len(calls) == 1


# ------------------------------------------------------------------ while other nodes' writes may go unnoticed


async def test_while_not_listening_answers_are_rendered_afresh_and_not_stored() -> None:
    """A PostgreSQL node whose LISTEN connection is down cannot know what other nodes changed: what it holds
    is not served as current, and what it renders meanwhile is not kept."""
    calls: list[bytes] = []
    listening = [True]
    cache = ResponseCache(_counting_app(calls), _every_request, lambda slug: (0, 0), fresh=lambda: listening[0])
    async with _client(cache) as http:
        assert (await http.get("/x")).text == "1:0"
        assert (await http.get("/x")).text == "1:0"
        listening[0] = False
        assert (await http.get("/x")).text == "2:0"
        assert (await http.get("/x?other")).text == "3:0"
        assert (await http.get("/x?other")).text == "4:0"
        listening[0] = True
        assert (await http.get("/x?other")).text == "5:0", "nothing rendered while not listening was kept"
        assert (await http.get("/x?other")).text == "5:0"


def _failing_app(down: list[bool]) -> Starlette:
    """Answers 503, as reader does for DatabaseUnavailable, while `down[0]`."""
    renders: list[int] = []

    async def page(request: Request) -> Response:
        if down[0]:
            return PlainTextResponse("database unavailable", status_code=503, headers={"retry-after": "5"})
        renders.append(1)
        return PlainTextResponse(f"render {len(renders)}")

    return Starlette(routes=[Route("/x", page)])


async def test_a_stored_answer_stands_in_when_the_database_is_unavailable(generation: list[int]) -> None:
    down, listening = [False], [True]
    cache = ResponseCache(
        _failing_app(down),
        _every_request,
        lambda slug: (generation[0], 0),
        fresh=lambda: listening[0],
    )
    async with _client(cache) as http:
        assert (await http.get("/x")).text == "render 1"
        down[0], listening[0] = True, False  # PostgreSQL gone: the listener dropped too
        stale = await http.get("/x")
        assert (stale.status_code, stale.text) == (200, "render 1")
        never_stored = await http.get("/x?new")
        assert never_stored.status_code == 503 and never_stored.headers["retry-after"] == "5"
        down[0] = False  # back, but not listening yet: rendered afresh
        assert (await http.get("/x")).text == "render 2"
        down[0] = True
        generation[0] += 1  # known to have changed: the old answer is gone, not served
        assert (await http.get("/x")).status_code == 503


async def test_a_postgresql_node_that_is_not_listening_serves_other_nodes_writes_at_once(
    pg_cluster: PostgresCluster, listener_refused: list[bool]
) -> None:
    """The app wires the cache to Database.listening: with its LISTEN connection down (and kept down here,
    as "too many clients" would), a change nobody announced shows on the next request."""
    url = new_pg_database(pg_cluster, migrated=False)
    async with served(create_app(Settings(db_url=url))) as app, client_for(app) as client:
        db = app.state["db"]
        await eventually(lambda: db.listening)
        assert SEED_TITLE in (await client.get(f"/articles/{SEED_SLUG}")).text
        listener_refused[0] = True
        (listener,) = listener_pids(pg_cluster, database_of(url))
        pg_cluster.psql(f"SELECT pg_terminate_backend({listener})", database_of(url))
        await eventually(lambda: not db.listening)
        pg_cluster.psql(f"UPDATE articles SET title = 'Changed elsewhere' WHERE slug = '{SEED_SLUG}'", database_of(url))
        assert "Changed elsewhere" in (await client.get(f"/articles/{SEED_SLUG}")).text


async def test_a_rename_shows_at_once_at_both_addresses(app: ServedApp, client: httpx.AsyncClient) -> None:
    """Neither the old address's page nor the new address's 404, rendered before a rename, outlives it."""
    old, new = f"/articles/{SEED_SLUG}", "/articles/renamed-here"
    for path in (old, f"{old}/fragment", f"/embed/{SEED_SLUG}"):
        assert (await client.get(path)).status_code == 200
    assert (await client.get(new)).status_code == 404
    cache = cache_of(app)
    hits = cache.hits
    assert (await client.get(old)).status_code == 200 and cache.hits == hits + 1  # kept
    article = await app.state["store"].get_article(SEED_SLUG)
    assert article is not None
    assert await app.state["store"].rename_article(SEED_SLUG, "renamed-here", version=article.version)
    for path in (old, f"{old}/fragment", f"/embed/{SEED_SLUG}"):
        assert (await client.get(path)).status_code == 301, path
    assert SEED_TITLE in (await client.get(new)).text


async def test_a_rename_on_another_node_shows_at_both_addresses(database_target: str | Path) -> None:
    """One node keeps the old address's page (and a 404 for the new one); another node renames the article:
    within the first node's check interval it answers the old address with the redirect, the new one with
    the article."""
    url = {"db_url": str(database_target)} if isinstance(database_target, str) else {"db_path": database_target}
    async with served(create_app(Settings(**url))) as app_a, served(create_app(Settings(**url))) as app_b:
        await app_a.state["store"].save_articles([draft("on-a", title="Kept on node A")])
        async with client_for(app_a) as client:
            await eventually(lambda: app_a.state["db"].listening)
            assert (await client.get("/articles/on-a")).status_code == 200
            assert (await client.get("/articles/on-b")).status_code == 404
            hits = cache_of(app_a).hits
            assert (await client.get("/articles/on-a")).status_code == 200 and cache_of(app_a).hits == hits + 1
            assert await app_b.state["store"].rename_article("on-a", "on-b", version=1)
            seen: list[int] = []

            async def both() -> bool:
                seen[:] = [(await client.get(path)).status_code for path in ("/articles/on-a", "/articles/on-b")]
                return seen == [301, 200]

            for _ in range(40):  # up to 4 s, far beyond the 0.25 s interval, so a slow machine does not flake
                if await both():
                    break
                await asyncio.sleep(0.1)
            assert seen == [301, 200]


# The cached routes that show an article, for one at `slug`: each must answer at once for its state.
def _article_views(slug: str) -> dict[str, tuple[str, str, dict[str, object]]]:
    page = f"/articles/{slug}"
    oembed = {"params": {"url": f"http://testserver{page}", "format": "json"}}
    control = {"data": {"size": "200", "view": "page", "next": page}, "headers": {"hx-request": "true"}}
    return {
        "page": ("GET", page, {}),
        "fragment": ("GET", f"{page}/fragment", {}),
        "embed": ("GET", f"/embed/{slug}", {}),
        "oembed": ("GET", "/oembed", oembed),
        "control": ("POST", "/preferences", control),  # htmx: the article region, with the new setting
    }


async def _shows(client: httpx.AsyncClient, slug: str, title: str) -> dict[str, bool]:
    """Which views show the article (its title), and whether the index, the feed and the sitemap list it."""
    shown = {}
    for name, (method, path, kwargs) in _article_views(slug).items():
        answer = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
        client.cookies.clear()  # the control's new setting stays out of the next requests (and their keys)
        shown[name] = answer.status_code == 200 and title in answer.text
    shown["index"] = title in (await client.get("/")).text
    shown["feed"] = title in (await client.get("/feed.xml")).text
    shown["sitemap"] = f"/articles/{slug}<" in (await client.get("/sitemap.xml")).text
    return shown


async def test_publishing_and_unpublishing_show_at_once_on_every_cached_view(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    """A publish or an unpublish is a save like any other for the answer cache: no stored answer outlives it,
    on any view that shows the article or lists it."""
    store = app.state["store"]
    await store.save_articles([draft("going", title="Going and coming back")])
    everywhere = dict.fromkeys([*_article_views("going"), "index", "feed", "sitemap"], True)
    assert await _shows(client, "going", "Going and coming back") == everywhere
    hits = cache_of(app).hits
    assert await _shows(client, "going", "Going and coming back") == everywhere
    assert cache_of(app).hits == hits + len(everywhere)  # every one of them kept
    assert await store.update_article(draft("going", title="Going and coming back", status="draft"), version=1)
    assert await _shows(client, "going", "Going and coming back") == dict.fromkeys(everywhere, False)
    assert await store.update_article(draft("going", title="Going and coming back", status="published"), version=2)
    assert await _shows(client, "going", "Going and coming back") == everywhere


async def test_an_unpublish_on_another_node_shows_within_the_check_interval(database_target: str | Path) -> None:
    """One node keeps an article's views; another unpublishes it, then publishes it again: within the first
    node's check interval each change shows on every view (SQLite: another process's commit; PostgreSQL:
    another node's announcement)."""
    url = {"db_url": str(database_target)} if isinstance(database_target, str) else {"db_path": database_target}
    async with served(create_app(Settings(**url))) as app_a, served(create_app(Settings(**url))) as app_b:
        await app_a.state["store"].save_articles([draft("on-a", title="Kept on node A")])
        async with client_for(app_a) as client:
            await eventually(lambda: app_a.state["db"].listening)
            everywhere = dict.fromkeys([*_article_views("on-a"), "index", "feed", "sitemap"], True)
            assert await _shows(client, "on-a", "Kept on node A") == everywhere
            hits = cache_of(app_a).hits
            assert await _shows(client, "on-a", "Kept on node A") == everywhere
            assert cache_of(app_a).hits == hits + len(everywhere)
            for version, status, expected in ((1, "draft", False), (2, "published", True)):
                changed = draft("on-a", title="Kept on node A", status=status)
                assert await app_b.state["store"].update_article(changed, version=version)
                seen: dict[str, bool] = {}
                for _ in range(40):  # up to 4 s, far beyond the 0.25 s interval, so a slow machine does not flake
                    seen = await _shows(client, "on-a", "Kept on node A")
                    if seen == dict.fromkeys(everywhere, expected):
                        break
                    await asyncio.sleep(0.1)
                assert seen == dict.fromkeys(everywhere, expected), status
