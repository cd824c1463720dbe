from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import httpx
import pytest

from reader.views import sitemap
from tests.conftest import SEED_SLUG, ServedApp
from tests.test_store import draft

pytestmark = pytest.mark.anyio


async def test_robots_txt_keeps_crawlers_out_of_the_editor_and_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == (
        "User-agent: *\nDisallow: /editor/\nDisallow: /api/\n\nSitemap: http://testserver/sitemap.xml\n"
    )
    assert response.headers["cache-control"] == "public, max-age=86400"


async def test_only_an_articles_page_is_for_search_engines(client: httpx.AsyncClient) -> None:
    canonical = f'<link rel="canonical" href="http://testserver/articles/{SEED_SLUG}">'
    for path in (f"/articles/{SEED_SLUG}", f"/articles/{SEED_SLUG}?panel=open"):
        page = await client.get(path)
        assert canonical in page.text and "x-robots-tag" not in page.headers, path
    for path in (
        f"/articles/{SEED_SLUG}/fragment", f"/embed/{SEED_SLUG}", f"/api/articles/{SEED_SLUG}", "/feed.xml",
        "/sitemap.xml",
    ):  # fmt: skip
        assert (await client.get(path)).headers["x-robots-tag"] == "noindex", path
    # A shared-settings link asks a reader whether to take someone's settings: one page for each link.
    for link, indexed in (("", True), ("?settings=1|s:150|t:sepia", False), ("?settings=garbled", False)):
        robots = '<meta name="robots" content="noindex">' in (await client.get("/preferences" + link)).text
        assert robots is not indexed, link


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


async def test_the_sitemap_lists_every_articles_page_with_when_it_changed(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    response = await client.get("/sitemap.xml")
    assert response.status_code == 200 and response.headers["content-type"] == "application/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    listing = await app.state["store"].list_articles(page=1, per_page=100)
    found = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}
    assert found == {
        f"http://testserver/articles/{item.slug}": item.updated.isoformat().replace("+00:00", "Z")
        for item in listing.items
    }
    assert listing.total == len(found) > 0


async def test_many_articles_make_a_sitemap_index(
    app: ServedApp, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemap, "URLS_PER_FILE", 2)
    await app.state["store"].save_articles([draft("a-1", published="2030-01-01"), draft("a-2", published="2030-01-02")])
    total = (await app.state["store"].list_articles(page=1, per_page=100)).total
    index = ElementTree.fromstring((await client.get("/sitemap.xml")).content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    files = [entry.findtext(f"{SITEMAP}loc") or "" for entry in index]
    assert files == [f"http://testserver/sitemap.xml?page={n}" for n in range(1, (total + 1) // 2 + 1)]
    listed = []
    for file in files:
        urlset = ElementTree.fromstring((await client.get(file.removeprefix("http://testserver"))).content)
        listed += [url.findtext(f"{SITEMAP}loc") for url in urlset]
    assert listed[:2] == ["http://testserver/articles/a-2", "http://testserver/articles/a-1"]
    assert len(listed) == len(set(listed)) == total
    for past in (f"?page={len(files) + 1}", "?page=0", "?page=x"):
        assert (await client.get("/sitemap.xml" + past)).status_code == 404, past
