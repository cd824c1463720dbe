from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ElementTree
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from reader import i18n
from reader.app import create_app
from reader.drafts import draft_from_fields
from reader.settings import Settings
from reader.views.errors import GONE_MESSAGE
from tests.conftest import EN_SLUG, SEED_SLUG, SEED_TITLE, ServedApp, client_for, served
from tests.test_store import draft

pytestmark = pytest.mark.anyio
HOST = "https://news.example"
ROOT = Path(__file__).resolve().parent.parent
FRAGMENT = f"/articles/{SEED_SLUG}/fragment"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(embed_origins=(HOST, "http://localhost:8081"))


async def test_a_fragment_without_preferences_is_publicly_cacheable(client: httpx.AsyncClient) -> None:
    response = await client.get(FRAGMENT)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert re.fullmatch(r'"\d+-[0-9a-f]{24}(-gzip|-br)?"', response.headers["etag"])
    assert response.headers["last-modified"].endswith(" GMT")
    vary = {v.strip() for v in response.headers["vary"].split(",")}
    assert {"Cookie", "Reader-Prefs", "Origin"} <= vary
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"


def _vary(response: httpx.Response) -> set[str]:
    return {value.strip().lower() for value in response.headers.get("vary", "").split(",")}


@pytest.mark.parametrize("path", [f"/articles/{SEED_SLUG}", FRAGMENT, f"{FRAGMENT}?lang=en", f"/embed/{SEED_SLUG}"])
async def test_an_article_in_a_language_reader_speaks_varies_by_no_browser_language(
    client: httpx.AsyncClient, path: str
) -> None:
    # Its controls speak the article's language (or the embedding site's ?lang=), whatever Accept-Language
    # says: one answer, one ETag for every browser, and no Vary: Accept-Language to make a shared cache keep
    # one copy per browser language (docs/accessibility.md). A 304 from any of them validates the same bytes.
    answers = [
        await client.get(path, headers={"accept-language": value}) for value in ("", "en-US,en;q=0.9", "vi", "fr")
    ]
    assert len({answer.text for answer in answers}) == 1
    assert len({answer.headers["etag"] for answer in answers}) == 1
    for answer in answers:
        assert "accept-language" not in _vary(answer) and "cookie" in _vary(answer)
    again = await client.get(path, headers={"accept-language": "de", "if-none-match": answers[0].headers["etag"]})
    assert again.status_code == 304 and "accept-language" not in _vary(again)


async def test_an_article_in_another_language_varies_by_the_browsers(app: ServedApp, client: httpx.AsyncClient) -> None:
    # reader's controls do not speak French: the browser's language chooses theirs, and the answer says so.
    await app.state["store"].save_articles(
        [draft_from_fields({"slug": "fr", "lang": "fr", "title": "Un titre", "body_html": "<p>x</p>"})]
    )
    for path in ("/articles/fr", "/articles/fr/fragment", "/embed/fr"):
        english = await client.get(path, headers={"accept-language": "en"})
        vietnamese = await client.get(path, headers={"accept-language": "vi"})
        assert english.text != vietnamese.text and english.headers["etag"] != vietnamese.headers["etag"]
        assert "accept-language" in _vary(english) and "accept-language" in _vary(vietnamese)
        hosted = await client.get(path, params={"lang": "en"}, headers={"accept-language": "vi"})
        assert ("accept-language" in _vary(hosted)) == (path == "/articles/fr"), path


async def test_if_none_match_gives_304(client: httpx.AsyncClient) -> None:
    first = await client.get(FRAGMENT)
    again = await client.get(FRAGMENT, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]
    weak = await client.get(FRAGMENT, headers={"if-none-match": f'"x", W/{first.headers["etag"]}'})
    assert weak.status_code == 304
    other = await client.get(FRAGMENT, headers={"if-none-match": '"1-000"'})
    assert other.status_code == 200


async def test_if_modified_since_only_for_shared_answers(client: httpx.AsyncClient) -> None:
    first = await client.get(FRAGMENT)
    since = first.headers["last-modified"]
    assert (await client.get(FRAGMENT, headers={"if-modified-since": since})).status_code == 304
    earlier = format_datetime(dt.datetime(2000, 1, 1, tzinfo=dt.UTC), usegmt=True)
    assert (await client.get(FRAGMENT, headers={"if-modified-since": earlier})).status_code == 200
    personal = await client.get(FRAGMENT, headers={"if-modified-since": since, "cookie": "reader_prefs=1|s:200"})
    assert personal.status_code == 200


async def test_a_readers_preferences_are_private_and_change_the_etag(client: httpx.AsyncClient) -> None:
    anonymous = await client.get(FRAGMENT)
    personal = await client.get(FRAGMENT, headers={"cookie": "reader_prefs=1|s:200"})
    assert personal.headers["cache-control"] == "private, no-cache"
    assert personal.headers["etag"] != anonymous.headers["etag"]
    stale = await client.get(
        FRAGMENT, headers={"cookie": "reader_prefs=1|s:200", "if-none-match": anonymous.headers["etag"]}
    )
    assert stale.status_code == 200 and 'data-size="200"' in stale.text
    header = await client.get(FRAGMENT, headers={"reader-prefs": "1|s:150"})
    assert header.headers["cache-control"] == "private, no-cache" and 'data-size="150"' in header.text


async def test_an_article_update_changes_the_etag(app: ServedApp, client: httpx.AsyncClient) -> None:
    first = await client.get(f"/articles/{EN_SLUG}/fragment")
    store = app.state["store"]
    article = await store.get_article(EN_SLUG)
    draft = draft_from_fields({"slug": EN_SLUG, "lang": "en", "title": "New title", "body_html": "<p>x</p>"})
    await store.save_articles([draft])
    second = await client.get(f"/articles/{EN_SLUG}/fragment", headers={"if-none-match": first.headers["etag"]})
    assert second.status_code == 200 and "New title" in second.text
    assert second.headers["etag"].startswith(f'"{article.version + 1}-')


async def test_the_page_also_answers_304(client: httpx.AsyncClient) -> None:
    first = await client.get(f"/articles/{SEED_SLUG}")
    again = await client.get(f"/articles/{SEED_SLUG}", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


async def test_host_defaults_and_the_readers_own_choice(client: httpx.AsyncClient) -> None:
    hosted = await client.get(FRAGMENT, params={"size": "125", "theme": "dark", "lang": "en"})
    assert 'data-size="125"' in hosted.text and 'data-theme="dark"' in hosted.text
    assert "Larger text" in hosted.text and 'name="host_size" value="125"' in hosted.text
    assert 'name="host_lang" value="en"' in hosted.text
    own = await client.get(
        FRAGMENT, params={"size": "125", "theme": "dark"}, headers={"cookie": "reader_prefs=1|s:200"}
    )
    assert 'data-size="200"' in own.text and 'data-theme="dark"' in own.text
    bogus = await client.get(FRAGMENT, params={"size": "9000", "theme": "<b>", "lang": "xx"})
    assert 'data-size="100"' in bogus.text and 'data-theme="auto"' in bogus.text and "<b>" not in bogus.text
    assert "Tăng cỡ chữ" in bogus.text


async def test_cors_for_an_allowed_origin(client: httpx.AsyncClient) -> None:
    response = await client.get(FRAGMENT, headers={"origin": HOST})
    assert response.headers["access-control-allow-origin"] == HOST
    assert response.headers["access-control-allow-credentials"] == "true"
    exposed = response.headers["access-control-expose-headers"]
    assert "HX-Trigger" in exposed and "HX-Retarget" in exposed and "Reader-Prefs" in exposed
    assert "Origin" in response.headers["vary"]
    # Every header the htmx reader ships reads with getResponseHeader: one left out is a console error ("Refused
    # to get unsafe header") on every swap in the embedding page (HX-Push was).
    htmx = next((ROOT / "static" / "vendor").glob("htmx-2.*.min.js")).read_text()
    read = set(re.findall(r'getResponseHeader\("([^"]+)"\)', htmx))
    assert "HX-Push" in read and read <= {name.strip() for name in exposed.split(",")}


@pytest.mark.parametrize(
    "requested",
    ["hx-request, hx-current-url, hx-target, hx-trigger", "hx-request, hx-source, hx-request-type, hx-target"],
)
async def test_preflight_for_htmx_2_and_4_headers(client: httpx.AsyncClient, requested: str) -> None:
    response = await client.options(
        "/preferences",
        headers={"origin": HOST, "access-control-request-method": "POST", "access-control-request-headers": requested},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == HOST
    assert response.headers["access-control-allow-credentials"] == "true"
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {h.strip() for h in requested.split(",")} <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_no_cors_grant_for_any_other_origin(client: httpx.AsyncClient) -> None:
    for origin in ("https://evil.example", "null", "https://news.example.evil.example", HOST + ":8443"):
        response = await client.get(FRAGMENT, headers={"origin": origin})
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers
        preflight = await client.options(FRAGMENT, headers={"origin": origin, "access-control-request-method": "GET"})
        assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
    editor_like = await client.get("/preferences", headers={"origin": HOST})
    assert "access-control-allow-origin" not in editor_like.headers


async def test_the_trailing_slash_redirect_of_a_fragment_carries_its_cors_grant(client: httpx.AsyncClient) -> None:
    """A fragment's address with a slash added (as a CMS may write it) is redirected to the fragment; the
    component's cross-site fetch follows that redirect only if it has the fragment's grant, its preflight too
    (the component sends Reader-Prefs). An origin off the allowlist still gets none."""
    response = await client.get(FRAGMENT + "/", headers={"origin": HOST})
    assert response.status_code == 307 and response.headers["location"] == FRAGMENT
    assert response.headers["access-control-allow-origin"] == HOST
    assert response.headers["access-control-allow-credentials"] == "true"
    preflight = await client.options(
        FRAGMENT + "/",
        headers={
            "origin": HOST,
            "access-control-request-method": "GET",
            "access-control-request-headers": "reader-prefs",
        },
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == HOST
    assert "reader-prefs" in preflight.headers["access-control-allow-headers"].lower()
    other = await client.get(FRAGMENT + "/", headers={"origin": "https://evil.example"})
    assert other.status_code == 307 and "access-control-allow-origin" not in other.headers
    # An address with no route at either spelling, or whose twin grants nothing, gets no grant.
    for path in ("/articles/x/nothing/", "/preferences/"):
        assert "access-control-allow-origin" not in (await client.get(path, headers={"origin": HOST})).headers


@pytest.mark.parametrize("path", [f"/embed/{SEED_SLUG}/", FRAGMENT + "/"])
async def test_the_trailing_slash_redirect_of_an_embeddable_address_carries_its_routes_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    """The redirect of an embed's (or fragment's) address with a slash added answers as its target route does:
    framable by the embedding sites (a framed /embed/<slug>/ showed a refused frame, "X-Frame-Options: DENY",
    instead of following), loadable by other sites, and kept as long as the rename's redirect."""
    response = await client.get(path + "?lang=en", headers={"origin": HOST})
    assert response.status_code == 307 and response.headers["location"] == path.removesuffix("/") + "?lang=en"
    target = await client.get(response.headers["location"], headers={"origin": HOST})
    for name in (
        "content-security-policy",
        "x-frame-options",
        "cross-origin-embedder-policy",
        "cross-origin-resource-policy",
        "access-control-allow-origin",
    ):
        assert response.headers.get(name) == target.headers.get(name), name
    assert ("x-frame-options" in response.headers) == path.startswith("/articles/")
    assert response.headers["cache-control"] == "public, max-age=300"
    # Not wider: an address whose twin no other site may frame keeps DENY, and a redirect into the editor is
    # kept by no shared cache.
    editor = await client.get("/editor")
    assert editor.status_code == 307 and editor.headers["x-frame-options"] == "DENY"
    assert editor.headers["cache-control"] == "no-cache"
    change = await client.post("/preferences/", data={"action": "bigger"}, headers={"origin": HOST})
    assert change.status_code == 307 and change.headers["cache-control"] == "no-cache"


async def test_the_component_may_post_from_an_allowed_origin(client: httpx.AsyncClient) -> None:
    form = {"action": "bigger", "next": f"/articles/{SEED_SLUG}", "view": "fragment", "host_size": "125"}
    headers = {"origin": HOST, "sec-fetch-site": "cross-site", "hx-request": "true"}
    response = await client.post("/preferences", data=form, headers=headers)
    assert response.status_code == 200 and 'data-size="150"' in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("reader_prefs=1|s:150;")
    for attribute in ("Secure", "SameSite=None", "Partitioned", "HttpOnly", "Path=/"):
        assert attribute in cookie
    assert response.headers["reader-prefs"] == "1|s:150"
    refused = await client.post("/preferences", data=form, headers={**headers, "origin": "https://evil.example"})
    assert refused.status_code == 403


PARTITIONED = "Secure; SameSite=None; Partitioned"


@pytest.mark.parametrize(
    ("where", "headers", "view", "expected"),
    [
        # The component on a page of reader's own site (www.news.example for reader.news.example): its requests
        # carry the ordinary SameSite=Lax cookie, and a partitioned one beside it was a second setting.
        ("same site", {"origin": HOST, "sec-fetch-site": "same-site"}, "fragment", ["lax"]),
        ("other site", {"origin": HOST, "sec-fetch-site": "cross-site"}, "fragment", ["partitioned"]),
        # The embed's own requests come from reader's origin wherever it is framed: both, one value.
        ("a frame", {"sec-fetch-site": "same-origin"}, "embed", ["partitioned", "lax"]),
        # A browser without Fetch Metadata, on a page of another origin: it may be another site.
        ("no fetch metadata", {"origin": HOST}, "fragment", ["partitioned", "lax"]),
        ("reader's own page", {"sec-fetch-site": "same-origin"}, "page", ["lax"]),
    ],
)
async def test_the_cookie_set_is_the_one_the_context_keeps(
    client: httpx.AsyncClient, where: str, headers: dict[str, str], view: str, expected: list[str]
) -> None:
    form = {"action": "bigger", "next": f"/articles/{SEED_SLUG}", "view": view}
    response = await client.post("/preferences", data=form, headers={**headers, "hx-request": "true"})
    assert response.status_code == 200, where
    cookies = response.headers.get_list("set-cookie")
    assert [("partitioned" if PARTITIONED in c else "lax") for c in cookies] == expected, (where, cookies)
    assert all(c.startswith("reader_prefs=1|s:112.5;") and "Max-Age=31536000" in c for c in cookies), cookies
    assert all("SameSite=lax" in c for c in cookies if PARTITIONED not in c), cookies


@pytest.mark.parametrize("action", ["bigger", "reset"])
async def test_a_change_on_readers_own_site_deletes_a_partitioned_copy(client: httpx.AsyncClient, action: str) -> None:
    # A same-site embed used to leave a partitioned cookie in reader's own site's partition, sent with the ordinary
    # one to reader's pages. Which one came cannot be told; with any, a change there deletes the partitioned one
    # (the delete must say Partitioned and Secure, or it names the other cookie).
    form = {"action": action, "next": f"/articles/{SEED_SLUG}", "view": "fragment"}
    headers = {"origin": HOST, "sec-fetch-site": "same-site", "hx-request": "true"}
    fresh = await client.post("/preferences", data=form, headers=headers)
    assert all(PARTITIONED not in c for c in fresh.headers.get_list("set-cookie"))
    cookie = {"cookie": "reader_prefs=1|s:150; reader_prefs=1|s:200"}
    response = await client.post("/preferences", data=form, headers={**headers, **cookie})
    partitioned, ordinary = response.headers.get_list("set-cookie")
    assert "Partitioned" not in ordinary and ("Max-Age=0" in ordinary) == (action == "reset")
    assert partitioned == "reader_prefs=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"


async def test_reset_in_an_embed_returns_to_the_host_defaults(client: httpx.AsyncClient) -> None:
    form = {"action": "reset", "next": f"/articles/{SEED_SLUG}", "view": "fragment", "host_size": "125"}
    headers = {"origin": HOST, "sec-fetch-site": "cross-site", "hx-request": "true", "cookie": "reader_prefs=1|s:300"}
    response = await client.post("/preferences", data=form, headers=headers)
    assert 'data-size="125"' in response.text and "Max-Age=0" in response.headers["set-cookie"]


async def test_oembed_json(client: httpx.AsyncClient) -> None:
    url = f"http://testserver/articles/{SEED_SLUG}"
    response = await client.get("/oembed", params={"url": url, "format": "json", "maxwidth": "480"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = json.loads(response.text)
    assert data["type"] == "rich" and data["version"] == "1.0" and data["title"] == SEED_TITLE
    assert data["author_name"] == "Thanh Thuyên" and data["provider_name"] == "reader"
    assert data["provider_url"] == "http://testserver/" and data["width"] == 480 and data["height"] == 800
    assert f'<iframe src="http://testserver/embed/{SEED_SLUG}" width="480" height="800"' in data["html"]
    # The title, in the article's language on a page that may be in another, says which (WCAG 3.1.2).
    assert f'<blockquote class="reader-embed-fallback" lang="vi"><a href="{url}">' in data["html"]
    assert re.search(r'<iframe [^>]*title="[^"]+" lang="vi"', data["html"]), data["html"]
    english = json.loads((await client.get("/oembed", params={"url": f"http://testserver/articles/{EN_SLUG}"})).text)
    assert english["html"].count('lang="en"') == 2
    small = json.loads((await client.get("/oembed", params={"url": url, "maxheight": "150"})).text)
    assert small["height"] == 150 and small["width"] == 600
    # Digits int() refuses (a 500 once) or no form writes are no size: the defaults.
    # And 0, which asks for nothing: it gave an iframe 1 px wide.
    for odd in (
        "①",
        "²",
        "٣٠٠",
        "-5",
        "",
        "0",
        "0.5",
        "inf",
        "nan",
        "1e",
        "3_00",
        "0x12c",
        "1e99",
        "3" * 40,
        "3" * 40 + ".5",
    ):
        answer = await client.get("/oembed", params={"url": url, "maxwidth": odd, "maxheight": odd})
        assert answer.status_code == 200, odd
        assert (answer.json()["width"], answer.json()["height"]) == (600, 800), odd
    # A size a consumer computed ("300.7", a layout's width; "1e3", a number a script printed) is the number
    # written, rounded down so that the frame never exceeds it: it was taken as no limit at all.
    # Any number of decimals (a third of a layout, as a script prints it; one short of 300): more than six
    # were no limit. Rounded down exactly, where a float would make "299.99999999999999999" 300.
    computed = (
        ("300.7", 300, 300),
        ("1e3", 600, 800),
        ("4.5E2", 450, 450),
        (" 480.0 ", 480, 480),
        ("300.3333333333333", 300, 300),
        ("299.99999999", 299, 299),
        ("299.99999999999999999", 299, 299),
        ("300." + "0" * 29, 300, 300),  # long only in its decimals: it was refused by the length cap
        ("300." + "0" * 1000, 300, 300),
    )
    for asked, width, height in computed:
        answer = await client.get("/oembed", params={"url": url, "maxwidth": asked, "maxheight": asked})
        assert (answer.json()["width"], answer.json()["height"]) == (width, height), asked
    assert (await client.get("/oembed", params={"url": url, "maxheight": "7e2"})).json()["height"] == 700
    # frameborder="0", obsolete in HTML, is kept on purpose: a consumer's page without iframe CSS would give
    # every embed a 2 px inset border, 4 px wider than maxwidth (a style attribute may be refused by its CSP).
    assert 'width="480" height="800" frameborder="0" title=' in data["html"]


async def test_oembed_xml(client: httpx.AsyncClient) -> None:
    url = f"http://testserver/articles/{SEED_SLUG}"
    response = await client.get("/oembed", params={"url": url, "format": "xml"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "oembed" and root.findtext("type") == "rich" and root.findtext("version") == "1.0"
    assert root.findtext("title") == SEED_TITLE and root.findtext("width") == "600"
    assert "<iframe" in (root.findtext("html") or "")


async def test_oembed_answers_carry_validators_and_go_stale_with_the_article(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    # They were kept an hour with no validator, while a renamed title reached the article's page in five
    # minutes; now as long as an article view, and a consumer asking again gets a 304.
    params = {"url": f"http://testserver/articles/{SEED_SLUG}", "maxwidth": "480"}
    first = await client.get("/oembed", params=params)
    assert first.headers["cache-control"] == "public, max-age=300" and first.json()["cache_age"] == 300
    again = await client.get("/oembed", params=params, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    xml = await client.get("/oembed", params={**params, "format": "xml"})
    wider = await client.get("/oembed", params={**params, "maxwidth": "500"})
    assert len({first.headers["etag"], xml.headers["etag"], wider.headers["etag"]}) == 3
    article = await app.state["store"].get_article(SEED_SLUG)
    assert article is not None
    await app.state["store"].update_article(draft(SEED_SLUG, title="Renamed"), version=article.version)
    changed = await client.get("/oembed", params=params, headers={"if-none-match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.json()["title"] == "Renamed"


def _frame_src(html: str) -> str:
    """The address of the iframe in an oEmbed answer's html, as a browser reads the attribute."""
    parser = _FrameParser()
    parser.feed(html)
    assert parser.src is not None, html
    return parser.src


class _FrameParser(HTMLParser):
    src: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.src = dict(attrs)["src"]


async def test_oembed_keeps_the_page_defaults_the_url_asks_for(client: httpx.AsyncClient) -> None:
    # An embed's address may carry the embedding site's defaults, which /embed/{slug} honours: the iframe of
    # the oEmbed answer for that address went to the bare /embed/{slug}, at reader's 100 %, auto theme, and
    # the Vietnamese controls of an English site's page.
    embed = f"http://testserver/embed/{SEED_SLUG}"
    url = f"{embed}?size=150&theme=dark&lang=en"
    data = (await client.get("/oembed", params={"url": url})).json()
    assert f'<iframe src="{embed}?size=150&amp;theme=dark&amp;lang=en" width=' in data["html"]
    assert _frame_src(data["html"]) == url
    # The frame so addressed shows them.
    shown = (await client.get(_frame_src(data["html"]))).text
    assert 'data-size="150"' in shown and 'data-theme="dark"' in shown and "Larger text" in shown
    # The same in XML (its escape on top of the attribute's), and for the article page's URL; the fallback link
    # is the page's own address.
    page = f"http://testserver/articles/{SEED_SLUG}"
    xml = await client.get("/oembed", params={"url": f"{page}?lang=en&theme=sepia", "format": "xml"})
    html = ElementTree.fromstring(xml.content).findtext("html") or ""
    assert _frame_src(html) == f"{embed}?theme=sepia&lang=en" and f'<a href="{page}">' in html
    assert f"{embed}?theme=sepia&amp;amp;lang=en" in xml.text
    # Validated as the embed reads them: a value it would ignore, or reader's own default, is left out, and
    # nothing else in the URL (a reader's own settings after a change without JavaScript, the open panel, any
    # other parameter) reaches the answer.
    odd = "size=9000&theme=%3Cb%3E&lang=xx&prefs=1|s:300&panel=open&x=%22%3E%3Cscript%3E"
    for query, src in ((odd, embed), ("size=100&theme=auto&lang=vi", f"{embed}?lang=vi"), ("", embed)):
        answer = await client.get("/oembed", params={"url": f"{url.partition('?')[0]}?{query}"})
        assert answer.status_code == 200 and _frame_src(answer.json()["html"]) == src, query
        html = answer.json()["html"]
        assert "<b>" not in html and "script" not in html and "prefs" not in html and "panel" not in html
    # Another answer, another validator.
    plain = await client.get("/oembed", params={"url": embed})
    dark = await client.get("/oembed", params={"url": url}, headers={"if-none-match": plain.headers["etag"]})
    assert dark.status_code == 200 and dark.headers["etag"] != plain.headers["etag"]


async def test_oembed_takes_the_scheme_and_host_in_any_case(client: httpx.AsyncClient) -> None:
    # RFC 3986, 6.2.2.1: scheme and host are case-insensitive, the path is not.
    for url in (f"HTTP://TESTSERVER/articles/{SEED_SLUG}", f"Http://TestServer/embed/{SEED_SLUG}"):
        answer = await client.get("/oembed", params={"url": url})
        assert answer.status_code == 200 and answer.json()["title"] == SEED_TITLE, url
    assert (await client.get("/oembed", params={"url": f"http://testserver/ARTICLES/{SEED_SLUG}"})).status_code == 404
    upper_slug = f"http://testserver/articles/{SEED_SLUG.upper()}"
    assert (await client.get("/oembed", params={"url": upper_slug})).status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"url": "http://testserver/articles/no-such-article"}, 404),
        ({"url": f"https://evil.example/articles/{SEED_SLUG}"}, 404),
        ({"url": "http://testserver/preferences"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({}, 400),  # no URL: a question about nothing
        ({"url": " "}, 400),
        ({"url": f"http://testserver/articles/{SEED_SLUG}", "format": "yaml"}, 501),
    ],
)
async def test_oembed_errors(client: httpx.AsyncClient, params: dict[str, str], status: int) -> None:
    assert (await client.get("/oembed", params=params)).status_code == status


@pytest.mark.parametrize(
    ("lang", "heading", "explanation"),
    [
        ("en", "Not supported", "reader does not offer what this request asks for."),
        ("vi", "Không hỗ trợ", "reader không cung cấp điều mà yêu cầu này đòi hỏi."),
    ],
)
async def test_an_unsupported_oembed_format_is_not_called_a_passing_fault(
    client: httpx.AsyncClient, lang: str, heading: str, explanation: str
) -> None:
    # The 5xx page's "try again in a moment" would send a consumer waiting for a format that never comes.
    params = {"url": f"http://testserver/articles/{SEED_SLUG}", "format": "yaml", "lang": lang}
    response = await client.get("/oembed", params=params)
    assert response.status_code == 501
    assert heading in response.text and explanation in response.text and "moment" not in response.text


async def test_article_pages_carry_oembed_discovery(client: httpx.AsyncClient) -> None:
    html = (await client.get(f"/articles/{SEED_SLUG}")).text
    json_link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)" title="', html)
    xml_link = re.search(r'<link rel="alternate" type="text/xml\+oembed" href="([^"]+)"', html)
    assert json_link is not None and xml_link is not None
    href = json_link.group(1).replace("&amp;", "&")
    assert href.startswith("http://testserver/oembed?url=http%3A%2F%2Ftestserver%2Farticles%2F")
    followed = await client.get(href)
    assert followed.status_code == 200 and followed.json()["title"] == SEED_TITLE


async def test_the_embed_page_carries_oembed_discovery_for_itself(client: httpx.AsyncClient) -> None:
    # The embed page is an address an oEmbed consumer may be given as well: it names itself, with the page's
    # defaults it takes (and not a reader's own settings, carried after a no-JS change), as the article names its page.
    html = (await client.get(f"/embed/{SEED_SLUG}", params={"size": "150", "lang": "en", "prefs": "s:200"})).text
    json_link = re.search(
        r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)" title="([^"]+)">', html
    )
    xml_link = re.search(r'<link rel="alternate" type="text/xml\+oembed" href="([^"]+)"', html)
    assert json_link is not None and xml_link is not None and json_link.group(2) == SEED_TITLE
    href = json_link.group(1).replace("&amp;", "&")
    asked = dict(parse_qsl(href.split("?", 1)[1]))
    assert href.startswith("http://testserver/oembed?") and asked["format"] == "json"
    assert asked["url"] == f"http://testserver/embed/{SEED_SLUG}?size=150&lang=en"
    followed = await client.get(href)
    assert followed.status_code == 200 and followed.json()["title"] == SEED_TITLE
    assert f'src="http://testserver/embed/{SEED_SLUG}?size=150&amp;lang=en"' in followed.json()["html"]


async def test_the_embed_page_may_be_framed_by_the_allowlist_only(client: httpx.AsyncClient) -> None:
    embed = await client.get(f"/embed/{SEED_SLUG}")
    assert embed.status_code == 200
    assert f"frame-ancestors {HOST} http://localhost:8081" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    assert "reader-masthead" not in embed.text and '<main id="reader-main"' in embed.text
    assert "/static/js/embed-page.js" in embed.text  # settings-swap.js and reader-embed.js (reader.assets)
    page = await client.get(f"/articles/{SEED_SLUG}")
    assert (
        page.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    )


async def test_without_an_allowlist_nobody_may_frame(settings: Settings) -> None:
    async with served(create_app(settings.replace(embed_origins=()))) as app, client_for(app) as client:
        embed = await client.get(f"/embed/{SEED_SLUG}")
    assert "frame-ancestors 'none'" in embed.headers["content-security-policy"]


async def test_static_files_may_be_used_by_other_sites(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/reader-article.js")
    assert response.status_code == 200 and "javascript" in response.headers["content-type"]
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.headers["access-control-allow-origin"] == "*"


async def test_oembed_leaves_out_an_author_the_article_does_not_name(app: ServedApp, client: httpx.AsyncClient) -> None:
    # oEmbed's author_name is optional: an empty one would be shown by consumers as an empty byline.
    draft = draft_from_fields({"slug": "no-author", "lang": "en", "title": "Anonymous", "body_html": "<p>x</p>"})
    await app.state["store"].save_articles([draft])
    url = "http://testserver/articles/no-author"
    data = (await client.get("/oembed", params={"url": url})).json()
    assert data["title"] == "Anonymous" and "author_name" not in data
    xml = await client.get("/oembed", params={"url": url, "format": "xml"})
    root = ElementTree.fromstring(xml.content)
    assert root.findtext("title") == "Anonymous" and root.find("author_name") is None


async def test_oembed_xml_holds_only_characters_xml_has(app: ServedApp, client: httpx.AsyncClient) -> None:
    # XML 1.0 has no U+FFFE, U+FFFF or most C0 controls: written raw (no escape can write them),
    # a parser refused the whole answer. Saved now, they are taken out on the way in (reader.drafts); an
    # article stored before that keeps them, and the answer leaves them out.
    saved = draft_from_fields(
        {"slug": "saved", "lang": "en", "title": "Bad \uffff char \ufffe", "body_html": "<p>x</p>"}
    )
    stored = dataclasses.replace(saved, slug="stored", title="Bad \uffff char \ufffe\x01", author="A\x0b")
    await app.state["store"].save_articles([saved, stored])
    for slug, title, author in (("saved", "Bad char", None), ("stored", "Bad  char ", "A")):
        url = f"http://testserver/articles/{slug}"
        root = ElementTree.fromstring((await client.get("/oembed", params={"url": url, "format": "xml"})).content)
        assert root.findtext("title") == title, slug
        assert root.findtext("author_name") == author and "\uffff" not in (root.findtext("html") or "")
    # JSON has a way to write any of them: the stored title comes as it is.
    answer = await client.get("/oembed", params={"url": "http://testserver/articles/stored"})
    assert answer.json()["title"] == stored.title


async def test_links_in_an_embed_lead_out_of_the_frame(client: httpx.AsyncClient) -> None:
    html = (await client.get(f"/embed/{EN_SLUG}")).text
    # Every link opens in the top window (an article's links, the settings page, which may not be framed) …
    assert re.search(r'<head>.*<base target="_top">.*</head>', html, re.S)
    assert "https://www.w3.org/WAI/WCAG22/Understanding/text-spacing.html" in html
    # … the title leads to the full article …
    assert re.search(
        rf'<h1 class="reader-title" id="reader-title" tabindex="-1" data-fit="6.25">'
        rf'<a href="/articles/{EN_SLUG}" id="reader-title-link">',
        html,
    )
    # … and the reading controls stay in the frame.
    forms = re.findall(r"<form [^>]*>", html)
    assert forms and all('target="_self"' in form for form in forms)
    page = (await client.get(f"/articles/{EN_SLUG}")).text
    assert "<base" not in page and 'id="reader-title-link"' not in page


@pytest.mark.parametrize("path", ["/embed/no-such-article", "/embed/Not%20A%20Slug"])
async def test_an_embeds_error_shows_inside_the_embedding_sites_frame(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, headers={"accept-language": "en"})
    assert response.status_code == 404
    assert f"frame-ancestors {HOST} http://localhost:8081" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers and response.headers["cache-control"] == "no-store"
    html = response.text
    assert "Page not found" in html and "There is no page at this address" in html
    # A page for a frame: no masthead, links out of it, and its height reported to the host.
    assert "reader-masthead" not in html and '<base target="_top">' in html and "/static/js/embed-page.js" in html
    missing_page = await client.get("/articles/no-such-article")
    assert missing_page.headers["x-frame-options"] == "DENY"


EMBED_FORM = {"next": f"/embed/{SEED_SLUG}", "view": "embed", "host_size": "125", "host_lang": "en"}


async def _steps_without_a_cookie(client: httpx.AsyncClient, action: str, carried: str) -> list[str]:
    """Three presses of a size button in the embed (htmx, from the host's origin) with no cookie: each post
    carries the settings the last answer was rendered with. The sizes shown after each."""
    htmx = {"hx-request": "true", "origin": HOST, "sec-fetch-site": "cross-site"}
    sizes = []
    for _ in range(3):
        response = await client.post(
            "/preferences", data={**EMBED_FORM, "action": action, "prefs": carried}, headers=htmx
        )
        match = re.search(r'name="prefs" value="([^"]+)"', response.text)
        assert match is not None
        carried = match.group(1)
        sizes.append(re.findall(r'data-size="([^"]+)"', response.text)[0])
    return sizes


async def test_an_embed_steps_from_the_settings_it_shows_when_no_cookie_comes(client: httpx.AsyncClient) -> None:
    # Safari keeps no cookie in another site's frame: the form carries the settings it was rendered with.
    embed = (await client.get(f"/embed/{SEED_SLUG}?size=125&lang=en")).text
    assert '<input type="hidden" name="prefs" value="1|s:125">' in embed
    htmx = {"hx-request": "true", "origin": HOST, "sec-fetch-site": "cross-site"}
    assert await _steps_without_a_cookie(client, "bigger", "1|s:125") == ["150", "175", "200"]
    # A cookie, when the browser keeps one, is the reader's latest choice and wins over a page's copy.
    kept = await client.post(
        "/preferences",
        data={**EMBED_FORM, "action": "bigger", "prefs": "1|s:300"},
        headers={**htmx, "cookie": "reader_prefs=1|s:87.5"},
    )
    assert 'data-size="100"' in kept.text


async def test_an_embed_without_javascript_or_cookies_keeps_its_settings_in_its_address(
    client: httpx.AsyncClient,
) -> None:
    headers = {"origin": HOST, "sec-fetch-site": "cross-site"}
    carried = "1|s:125|t:dark"
    for expected in ("150", "175"):
        form = {**EMBED_FORM, "action": "bigger", "prefs": carried}
        response = await client.post("/preferences", data=form, headers=headers)
        assert response.status_code == 303
        location = response.headers["location"]
        # Back to the embed (the full page may not be framed), with the host's defaults and the new settings.
        path, _, query = location.partition("?")
        assert path == f"/embed/{SEED_SLUG}"
        # Back at A+ and A− (the address ended at the top of the embed: the reader had to find them again).
        query, _, anchor = query.partition("#")
        assert anchor == "reader-size-controls"
        assert parse_qsl(query) == [("size", "125"), ("lang", "en"), ("prefs", f"1|s:{expected}|t:dark")]
        shown = await client.get(location)
        assert (
            shown.status_code == 200 and f'data-size="{expected}"' in shown.text and 'data-theme="dark"' in shown.text
        )
        assert 'lang="en"' in shown.text and "x-frame-options" not in shown.headers
        carried = re.findall(r'name="prefs" value="([^"]+)"', shown.text)[0]
    # A change made in the open panel comes back to it open.
    form = {**EMBED_FORM, "line_height": "2", "panel": "open", "prefs": carried}
    in_panel = await client.post("/preferences", data=form, headers=headers)
    # At the group of the control used, as on reader's own pages (_return_to): it was the panel's top.
    assert in_panel.headers["location"].endswith("&panel=open#reader-spacing")
    shown = await client.get(in_panel.headers["location"].partition("#")[0])
    assert 'data-lh="2"' in shown.text and '<details class="reader-panel" id="reader-panel" open>' in shown.text
    # Like a shared link, an address sets how the text reads, never the device's voice or keys.
    crafted = await client.get(f"/embed/{SEED_SLUG}", params={"prefs": "1|s:150|kp:x|v-vi:Linh"})
    assert 'data-size="150"' in crafted.text and "Linh" not in crafted.text and 'data-key-play="k"' in crafted.text
    # Only the embed reads settings from its address: a page's own answer is not personalised by a link.
    page = await client.get(f"/articles/{SEED_SLUG}/fragment?prefs=1|s:300")
    assert 'data-size="100"' in page.text


async def test_a_failure_in_an_embed_is_shown_inside_the_frame(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 500 is answered from outside every middleware (reader.views.errors.server_error): its framing too.
    async def broken(slug: str) -> None:
        raise RuntimeError("the store broke")

    async with served(create_app(settings)) as app, client_for(app, raise_app_exceptions=False) as client:
        monkeypatch.setattr(app.state["store"], "get_article", broken)
        response = await client.get(f"/embed/{SEED_SLUG}", headers={"accept-language": "en"})
        page = await client.get(f"/articles/{SEED_SLUG}")
    assert response.status_code == 500 and "Something went wrong" in response.text
    assert f"frame-ancestors {HOST} http://localhost:8081" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers and '<base target="_top">' in response.text
    assert page.status_code == 500 and page.headers["x-frame-options"] == "DENY"


async def test_an_embed_without_javascript_gets_back_only_the_host_values_it_would_take(
    client: httpx.AsyncClient,
) -> None:
    # The no-JS return address is built from the form's host fields: never what a tampered form sent.
    form = {**EMBED_FORM, "action": "bigger", "host_size": "<b>9999", "host_theme": "neon", "host_lang": "fr"}
    response = await client.post("/preferences", data=form, headers={"origin": "http://testserver"})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/embed/{SEED_SLUG}?prefs=") and "9999" not in location
    assert "neon" not in location and "lang=" not in location and "size=" not in location
    kept = await client.post("/preferences", data={**EMBED_FORM, "action": "bigger", "host_theme": "dark"})
    assert "size=125" in kept.headers["location"] and "theme=dark" in kept.headers["location"]


async def test_in_an_embed_with_host_defaults_reader_s_own_defaults_can_be_chosen(client: httpx.AsyncClient) -> None:
    # The site's default is 125 %: a reader stepping down reaches 100 % and then 87.5 %. The settings once
    # left out what equalled reader's own defaults, and read back they became the site's 125 % again.
    htmx = {"hx-request": "true", "origin": HOST, "sec-fetch-site": "cross-site"}
    assert await _steps_without_a_cookie(client, "smaller", "1|s:125") == ["112.5", "100", "87.5"]
    # And the cookie and header say 100 % explicitly where the site's default is another size.
    at_100 = await client.post(
        "/preferences", data={**EMBED_FORM, "action": "smaller", "prefs": "1|s:112.5"}, headers=htmx
    )
    assert at_100.headers["reader-prefs"] == "1|s:100"
    # Without JavaScript, the address the embed comes back to carries it too.
    back = await client.post("/preferences", data={**EMBED_FORM, "action": "smaller", "prefs": "1|s:112.5"})
    assert "prefs=1%7Cs:100" in back.headers["location"]
    assert 'data-size="100"' in (await client.get(back.headers["location"])).text


async def test_refused_colours_in_an_embed_without_javascript_are_shown_inside_the_frame(
    client: httpx.AsyncClient,
) -> None:
    # Back to the embed (a 303, as any change's), at an address of its own that shows the message beside the
    # pickers, the colours entered in them, the panel open, the settings the form carried: signed for those (the
    # frame may keep no cookie), for two minutes (reader.refused_note). It used to be the embed itself, a 400.
    form = {
        **EMBED_FORM, "text_color": "#777777", "background_color": "#ffffff", "panel": "open",
        "prefs": "1|s:150|t:dark",
    }  # fmt: skip
    response = await client.post("/preferences", data=form, headers={"origin": HOST, "sec-fetch-site": "cross-site"})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/embed/{SEED_SLUG}?") and location.endswith("#reader-colors-refused")
    assert "prefs=1%7Cs:150%7Ct:dark" in location and "panel=open" in location
    client.cookies.clear()  # (none is needed)
    answer = await client.get(location.split("#")[0])
    page = answer.text
    message = "Colours not applied: their contrast is 4.4:1"
    assert f'<p class="reader-refused" id="reader-colors-refused" tabindex="-1">{message}' in page
    assert 'value="#777777" aria-describedby="reader-colors-hint reader-colors-refused" aria-invalid="true"' in page
    assert '<details class="reader-panel" id="reader-panel" open>' in page
    assert 'data-theme="dark"' in page and 'data-size="150"' in page and 'lang="en"' in page
    assert "reader-masthead" not in page and '<base target="_top">' in page
    assert f"frame-ancestors {HOST} http://localhost:8081" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "private, no-cache"
    # Another embed's settings (another reader's address with its own `prefs`): the embed without it.
    other = (await client.get(location.split("#")[0].replace("prefs=1%7Cs:150%7Ct:dark", "prefs=1%7Cs:200"))).text
    assert "reader-colors-refused" not in other and 'value="#777777"' not in other


async def test_embeds_and_their_errors_may_be_framed_by_cross_origin_isolated_pages(client: httpx.AsyncClient) -> None:
    # A host page with COEP require-corp frames only documents with a COEP of their own (and CORP).
    for path in (f"/embed/{SEED_SLUG}", "/embed/no-such-article"):
        response = await client.get(path)
        assert response.headers["cross-origin-embedder-policy"] == "credentialless"
        assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    page = await client.get(f"/articles/{SEED_SLUG}")
    assert "cross-origin-embedder-policy" not in page.headers


async def test_an_origin_configured_with_its_default_port_matches_what_browsers_send(settings: Settings) -> None:
    # Browsers leave :443 out of Origin; the allowlist was written with it.
    configured = Settings.from_env({"READER_EMBED_ORIGINS": HOST + ":443"})
    async with served(create_app(settings.replace(embed_origins=configured.embed_origins))) as app:
        async with client_for(app) as client:
            fragment = await client.get(FRAGMENT, headers={"origin": HOST})
            preflight = await client.options(
                "/preferences", headers={"origin": HOST, "access-control-request-method": "POST"}
            )
            form = {"action": "bigger", "next": f"/articles/{SEED_SLUG}", "view": "fragment"}
            headers = {"origin": HOST, "sec-fetch-site": "cross-site", "hx-request": "true"}
            posted = await client.post("/preferences", data=form, headers=headers)
    assert fragment.headers["access-control-allow-origin"] == HOST
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == HOST
    assert posted.status_code == 200


async def test_a_public_url_with_its_default_port_makes_links_without_it(settings: Settings) -> None:
    public = Settings.from_env({"READER_PUBLIC_URL": "https://reader.example:443"}).public_url
    async with served(create_app(settings.replace(public_url=public))) as app, client_for(app) as client:
        page = await client.get(f"/articles/{SEED_SLUG}")
        # Either form of the address names the same page (RFC 3986, 6.2.3).
        answers = [
            await client.get("/oembed", params={"url": f"{base}/articles/{SEED_SLUG}"})
            for base in ("https://reader.example", "https://reader.example:443", "HTTPS://READER.EXAMPLE:443")
        ]
        other_port = await client.get("/oembed", params={"url": f"https://reader.example:8443/articles/{SEED_SLUG}"})
    assert f'href="https://reader.example/articles/{SEED_SLUG}"' in page.text and ":443" not in page.text
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert other_port.status_code == 404


async def test_oembed_without_a_public_url_forgives_the_default_port(client: httpx.AsyncClient) -> None:
    answer = await client.get("/oembed", params={"url": f"http://testserver:80/articles/{SEED_SLUG}"})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("configured", "asked", "ascii_form"),
    [
        ("https://faß.example", "https://FAß.example:443", "https://xn--fa-hia.example"),
        ("https://bàohànội.vn", "https://bàohànội.vn", "https://xn--bohni-rqac9942d.vn"),
        # The public URL in its ASCII form, the URL asked about in Unicode (as a browser's address bar shows it).
        ("https://xn--bohni-rqac9942d.vn", "https://BÀOHÀNỘI.vn", "https://xn--bohni-rqac9942d.vn"),
    ],
)
async def test_oembed_takes_a_unicode_host_as_browsers_encode_it(
    settings: Settings, configured: str, asked: str, ascii_form: str
) -> None:
    # The URL asked about goes through the same normalisation as the setting (reader.settings.canonical_netloc:
    # UTS #46), so a Unicode host names reader's own; before, it was compared as written and refused (404).
    public = Settings.from_env({"READER_PUBLIC_URL": configured}).public_url
    assert public == ascii_form
    async with served(create_app(settings.replace(public_url=public))) as app, client_for(app) as client:
        answers = [
            await client.get("/oembed", params={"url": f"{asked}/{page}/{SEED_SLUG}"}) for page in ("articles", "embed")
        ]
        # IDNA 2003's form of faß.example (fass.example) is another host, as it is to a browser.
        other = await client.get("/oembed", params={"url": f"https://fass.example/articles/{SEED_SLUG}"})
    assert [answer.status_code for answer in answers] == [200, 200]
    assert f'src="{ascii_form}/embed/{SEED_SLUG}"' in answers[0].json()["html"]
    assert other.status_code == 404


@pytest.mark.parametrize("lang", ["en", "vi"])
async def test_a_fragment_carries_the_gone_sentence_the_embed_says(client: httpx.AsyncClient, lang: str) -> None:
    # One sentence (reader.views.errors.GONE_MESSAGE) in the fragment's data-gone, which the component shows when
    # its article was deleted under a change, and on the embed's 404 after one (?kept=1), in the page's language.
    fragment = await client.get(f"{FRAGMENT}?lang={lang}")
    gone = re.search(r'data-gone="([^"]*)"', fragment.text)
    assert gone is not None and gone[1] == i18n.gettext(lang, GONE_MESSAGE)
    kept = await client.get(f"/embed/no-such?lang={lang}&kept=1")
    assert kept.status_code == 404 and gone[1] in kept.text
    assert lang == "vi" or gone[1].startswith("This article has been removed")
