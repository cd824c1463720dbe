"""A renamed article's old addresses: every public route there answers with a permanent redirect to the
same route at the new address (reader.views.moved)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from reader.models import ArticleDraft
from reader.settings import Settings
from tests.conftest import SEED_SLUG, SEED_TITLE, ServedApp, SignedIn
from tests.test_views_editor import form_version

pytestmark = pytest.mark.anyio
HOST = "https://news.example"
NEW = "bac-kan-can-bo-cong-chuc"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(embed_origins=(HOST,))


@pytest.fixture
async def renamed(app: ServedApp) -> None:
    """The seed article moved to NEW (through the store, as the editor and the API move it)."""
    store = app.state["store"]
    article = await store.get_article(SEED_SLUG)
    assert article is not None
    assert await store.rename_article(SEED_SLUG, NEW, version=article.version)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (f"/articles/{SEED_SLUG}", f"/articles/{NEW}"),
        (f"/articles/{SEED_SLUG}?panel=open", f"/articles/{NEW}?panel=open"),
        (f"/articles/{SEED_SLUG}/fragment?size=150&theme=dark", f"/articles/{NEW}/fragment?size=150&theme=dark"),
        (f"/embed/{SEED_SLUG}?lang=en&prefs=1%7Cs%3A200", f"/embed/{NEW}?lang=en&prefs=1%7Cs%3A200"),
    ],
)
async def test_the_old_address_of_each_view_redirects_to_the_new_one_with_its_query(
    client: httpx.AsyncClient, renamed: None, old: str, new: str
) -> None:
    response = await client.get(old)
    assert response.status_code == 301 and response.headers["location"] == new
    # Kept by shared caches and browsers no longer than the article views are: a rename back must win soon.
    assert response.headers["cache-control"] == "public, max-age=300"
    followed = await client.get(new)
    assert followed.status_code == 200 and SEED_TITLE in followed.text
    assert (await client.head(old)).status_code == 301


async def test_the_fragment_redirect_carries_the_fragment_cors_grant(client: httpx.AsyncClient, renamed: None) -> None:
    """The <reader-article> component fetches the fragment from another site with credentials: a browser
    follows the redirect only if the redirect itself grants that origin."""
    response = await client.get(f"/articles/{SEED_SLUG}/fragment", headers={"origin": HOST, "hx-request": "true"})
    assert response.status_code == 301 and response.headers["location"] == f"/articles/{NEW}/fragment"
    assert response.headers["access-control-allow-origin"] == HOST
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in response.headers["vary"]
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    # The preflight of the old address is granted as well (htmx's headers are not CORS-safelisted).
    preflight = await client.options(
        f"/articles/{SEED_SLUG}/fragment",
        headers={"origin": HOST, "access-control-request-method": "GET", "access-control-request-headers": "hx-target"},
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == HOST
    other = await client.get(f"/articles/{SEED_SLUG}/fragment", headers={"origin": "https://evil.example"})
    assert other.status_code == 301 and "access-control-allow-origin" not in other.headers


async def test_the_embed_redirect_may_be_framed_by_embedding_sites(client: httpx.AsyncClient, renamed: None) -> None:
    response = await client.get(f"/embed/{SEED_SLUG}")
    assert response.status_code == 301
    assert HOST in response.headers["content-security-policy"]  # frame-ancestors: the embedding sites


async def test_api_reads_of_the_old_address_redirect_keeping_the_method(
    client: httpx.AsyncClient, renamed: None
) -> None:
    response = await client.get(f"/api/articles/{SEED_SLUG}")
    assert response.status_code == 308 and response.headers["location"] == f"/api/articles/{NEW}"
    assert response.headers["cache-control"] == "no-cache"
    report = await client.get(f"/api/articles/{SEED_SLUG}/readability?ui_lang=en")
    assert report.status_code == 308 and report.headers["location"] == f"/api/articles/{NEW}/readability?ui_lang=en"
    article = (await client.get(f"/api/articles/{SEED_SLUG}", follow_redirects=True)).json()
    assert (article["slug"], article["url"]) == (NEW, f"/articles/{NEW}")


@pytest.mark.parametrize("page", ["articles", "embed"])
async def test_oembed_for_the_old_address_redirects_to_oembed_for_the_new_one(
    client: httpx.AsyncClient, renamed: None, page: str
) -> None:
    params = {"url": f"http://testserver/{page}/{SEED_SLUG}?x=1", "format": "xml", "maxwidth": "300"}
    response = await client.get("/oembed", params=params)
    assert response.status_code == 301 and response.headers["cache-control"] == "public, max-age=300"
    location = urlsplit(response.headers["location"])
    assert location.path == "/oembed"
    assert parse_qsl(location.query) == [
        ("url", f"http://testserver/{page}/{NEW}?x=1"), ("format", "xml"), ("maxwidth", "300")
    ]  # fmt: skip
    followed = await client.get(response.headers["location"])
    assert followed.status_code == 200 and f"/embed/{NEW}" in followed.text and 'width="300"' in followed.text


async def test_editor_pages_of_the_old_address_lead_to_the_new_one(
    client: httpx.AsyncClient, renamed: None, editor: object
) -> None:
    response = await client.get(f"/editor/articles/{SEED_SLUG}/history")
    assert response.status_code == 301 and response.headers["location"] == f"/editor/articles/{NEW}/history"
    assert response.headers["cache-control"] == "no-store"


async def test_an_address_no_article_ever_had_is_still_a_404(client: httpx.AsyncClient, renamed: None) -> None:
    for path in ("/articles/never-was", "/articles/never-was/fragment", "/embed/never-was", "/api/articles/never-was"):
        assert (await client.get(path)).status_code == 404
    url = "http://testserver/articles/never-was"
    assert (await client.get("/oembed", params={"url": url})).status_code == 404


async def test_a_new_article_at_the_old_address_is_served_there(app: ServedApp, client: httpx.AsyncClient) -> None:
    store = app.state["store"]
    article = await store.get_article(SEED_SLUG)
    assert article is not None
    moved = await store.rename_article(SEED_SLUG, NEW, version=article.version)
    assert moved is not None
    assert (await client.get(f"/articles/{SEED_SLUG}")).status_code == 301
    # (The draft's fields the article has: not slug_from_title, which only a draft knows.)
    fields = {name: getattr(moved, name) for name in ArticleDraft.__dataclass_fields__ if hasattr(moved, name)}
    draft = replace(ArticleDraft(**fields), slug=SEED_SLUG, title="Another article")
    assert await store.create_article(draft)
    page = await client.get(f"/articles/{SEED_SLUG}")
    assert page.status_code == 200 and "Another article" in page.text
    assert SEED_TITLE in (await client.get(f"/articles/{NEW}")).text


async def test_a_deleted_article_restored_in_the_editor_gets_its_old_address_back(
    client: httpx.AsyncClient, renamed: None, editor: SignedIn
) -> None:
    confirm = await client.get(f"/editor/articles/{NEW}/delete")
    fields = {"csrf_token": editor.csrf, "version": form_version(confirm.text)}
    assert (await client.post(f"/editor/articles/{NEW}/delete", data=fields)).status_code == 303
    # While it is deleted, its old address answers as its own does.
    for path in (f"/articles/{SEED_SLUG}", f"/api/articles/{SEED_SLUG}", f"/embed/{SEED_SLUG}"):
        assert (await client.get(path)).status_code == 404, path
    shown = await client.get(f"/editor/deleted/{NEW}")
    said = f'id="editor-undelete-addresses">Có 1 địa chỉ cũ của bài viết ({SEED_SLUG}) hiện “Không tìm thấy trang”'
    assert said in shown.text
    english = await client.get(f"/editor/deleted/{NEW}", headers={"accept-language": "en"})
    assert f"Its old address ({SEED_SLUG}) answers “Page not found” while it is deleted" in english.text
    fields = {"csrf_token": editor.csrf, "version": form_version(shown.text)}
    restored = await client.post(f"/editor/deleted/{NEW}", data=fields)
    assert restored.status_code == 303
    edit = await client.get(restored.headers["location"], headers={"accept-language": "en"})
    assert f"it is on the site again. Its old address ({SEED_SLUG}) leads to it again.</p>" in edit.text
    response = await client.get(f"/articles/{SEED_SLUG}?panel=open")
    assert response.status_code == 301 and response.headers["location"] == f"/articles/{NEW}?panel=open"
    assert SEED_TITLE in (await client.get(response.headers["location"])).text
