from __future__ import annotations

import httpx
import pytest

from tests.conftest import SEED_SLUG

pytestmark = pytest.mark.anyio


async def test_robots_txt_keeps_crawlers_out_of_the_editor_and_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "User-agent: *\nDisallow: /editor/\nDisallow: /api/\n"
    assert response.headers["cache-control"] == "public, max-age=86400"


async def test_only_an_articles_page_is_for_search_engines(client: httpx.AsyncClient) -> None:
    canonical = f'<link rel="canonical" href="http://testserver/articles/{SEED_SLUG}">'
    for path in (f"/articles/{SEED_SLUG}", f"/articles/{SEED_SLUG}?panel=open"):
        page = await client.get(path)
        assert canonical in page.text and "x-robots-tag" not in page.headers, path
    for path in (f"/articles/{SEED_SLUG}/fragment", f"/embed/{SEED_SLUG}", f"/api/articles/{SEED_SLUG}"):
        assert (await client.get(path)).headers["x-robots-tag"] == "noindex", path
