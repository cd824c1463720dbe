from __future__ import annotations

import re
from html import escape

import httpx
import pytest

from reader.app import create_app
from reader.drafts import draft_from_fields
from reader.prefs import MAX_COOKIE_LENGTH
from reader.saved_note import ARTICLE_NOTE_GROUPS, NOTE_COOKIE, NOTE_GROUPS
from reader.settings import Settings
from tests.conftest import EN_SLUG, NOTE, SEED_SLUG, SIGNED_MAC, ServedApp, client_for, fit_attribute, saved_for, served

pytestmark = pytest.mark.anyio
SEED = f"/articles/{SEED_SLUG}"
HTMX = {"hx-request": "true", "hx-current-url": f"http://testserver{SEED}"}


# Deletes the partitioned copy a same-site embed may have left (reader.web.store_prefs).
PARTITIONED_DELETE = "reader_prefs=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"


def cookie_header(response: httpx.Response) -> str:
    """The ordinary preference cookie's Set-Cookie: the one there is, beside at most the partitioned copy's delete
    (and the note cookie of a redirect to a note, reader.saved_note)."""
    headers = [h for h in response.headers.get_list("set-cookie") if not h.startswith(f"{NOTE_COOKIE}=")]
    ordinary = [header for header in headers if "Partitioned" not in header]
    assert len(ordinary) == 1 and set(headers) - set(ordinary) <= {PARTITIONED_DELETE}, headers
    return ordinary[0]


async def test_no_js_post_redirects_with_a_cookie(client: httpx.AsyncClient) -> None:
    response = await client.post("/preferences", data={"size": "200", "next": SEED})
    assert response.status_code == 303 and response.headers["location"] == SEED
    header = cookie_header(response)
    assert header.startswith("reader_prefs=1|s:200;")
    for attribute in ("Path=/", "Max-Age=31536000", "SameSite=lax", "HttpOnly"):
        assert attribute in header
    assert "Secure" not in header
    assert "HX-Request" in response.headers["vary"]
    page = await client.get(SEED)
    assert 'data-size="200"' in page.text and "<strong>200\u00a0%</strong>" in page.text


def kept_without_chips(jar: dict[str, str], response: httpx.Response) -> dict[str, str]:
    """A cookie store of a browser without CHIPS (Safari before 26.2, Firefox 128 ESR) after `response`: it
    ignores `Partitioned`, keeps one cookie per name (one host and path here) and applies Set-Cookie headers in
    the order they come (RFC 6265bis 5.6, 5.7)."""
    kept = dict(jar)
    for header in response.headers.get_list("set-cookie"):
        pair, *attributes = [part.strip() for part in header.split(";")]
        name, value = pair.split("=", 1)
        if "Max-Age=0" in attributes:
            kept.pop(name, None)
        else:
            kept[name] = value
    return kept


async def test_a_browser_without_partitioned_cookies_keeps_every_change(app: ServedApp) -> None:
    # Each change on reader's own page that arrives with a cookie also deletes a partitioned copy (store_prefs):
    # a browser that ignores `Partitioned` must still end with the ordinary cookie, not without any.
    jar: dict[str, str] = {}
    async with client_for(app, "https://testserver") as secure:
        for field, value in (("size", "200"), ("theme", "dark"), ("font", "serif")):
            secure.cookies.clear()  # this store's cookies only
            cookie = {"cookie": f"reader_prefs={jar['reader_prefs']}"} if "reader_prefs" in jar else {}
            headers = {"sec-fetch-site": "same-origin", **cookie}
            response = await secure.post("/preferences", data={field: value, "next": SEED}, headers=headers)
            jar = kept_without_chips(jar, response)
    assert jar == {"reader_prefs": "1|s:200|f:serif|t:dark"}


async def test_the_cookie_is_secure_under_https(app: ServedApp) -> None:
    async with client_for(app, "https://testserver") as secure:
        response = await secure.post("/preferences", data={"size": "200", "next": SEED})
    assert "Secure" in cookie_header(response)


async def test_forwarded_proto_counts_only_when_trusted(client: httpx.AsyncClient, settings: Settings) -> None:
    untrusted = await client.post("/preferences", data={"size": "200"}, headers={"x-forwarded-proto": "https"})
    assert "Secure" not in cookie_header(untrusted)
    async with served(create_app(settings.replace(trust_proxy_headers=True))) as trusting:
        async with client_for(trusting) as http:
            trusted = await http.post("/preferences", data={"size": "200"}, headers={"x-forwarded-proto": "https"})
    assert "Secure" in cookie_header(trusted)
    # Trusting proxies, but not this peer (the tests' client connects from 127.0.0.1): its header is anyone's.
    elsewhere = settings.replace(trust_proxy_headers=True, trusted_proxies=("10.0.0.0/8",))
    async with served(create_app(elsewhere)) as trusting_others:
        async with client_for(trusting_others) as http:
            stranger = await http.post("/preferences", data={"size": "200"}, headers={"x-forwarded-proto": "https"})
    assert "Secure" not in cookie_header(stranger)


@pytest.mark.parametrize(
    ("cookie", "steps", "size", "said"), [("1|s:112.5", "3", "175", ""), ("1|s:250", "4", "400", ", lớn nhất")]
)
async def test_presses_sent_as_one_answer_with_the_size_they_reach_said_once(
    client: httpx.AsyncClient, cookie: str, steps: str, size: str, said: str
) -> None:
    """A+ pressed several times while a change was on its way comes as one request with `steps`
    (static/js/settings-presses.js): the region, the readout, the cookie and the one message all say where they
    got to, and "the largest" once when the last press was one too many."""
    client.cookies.set("reader_prefs", cookie)
    data = {"action": "bigger", "steps": steps, "next": SEED, "view": "page"}
    response = await client.post("/preferences", data=data, headers=HTMX)
    html = response.text
    assert f'data-size="{size}"' in html and f"<strong>{size}\u00a0%</strong>" in html
    assert f'data-hx-swap-oob="innerHTML">Cỡ chữ {size}\u00a0%{said}</div>' in html
    assert cookie_header(response).startswith(f"reader_prefs=1|s:{size};")


async def test_htmx_gets_the_region_and_an_announcement(client: httpx.AsyncClient) -> None:
    client.cookies.set("reader_prefs", "1|s:112.5")
    response = await client.post("/preferences", data={"action": "bigger", "next": SEED, "view": "page"}, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.startswith('<div id="reader" class="reader reader--page"') and 'data-size="125"' in html
    status = (
        '<div id="reader-status" class="reader-visually-hidden" role="status" lang="vi" data-hx-swap-oob="innerHTML">'
    )
    assert status + "Cỡ chữ 125\u00a0%</div>" in html
    assert "<html" not in html and 'id="reader-bigger"' in html
    assert cookie_header(response).startswith("reader_prefs=1|s:125;")
    assert "HX-Request" in response.headers["vary"] and response.headers["cache-control"] == "no-store"


async def test_only_an_answer_that_kept_a_change_says_so_with_its_headers(client: httpx.AsyncClient) -> None:
    """Reader-Saved: read with the headers by a page whose answer is then cut short (static/js/settings-swap.js,
    static/reader-article.js), which then says the change was saved. Not on a refused change (a 200 as well),
    nor on one that changed nothing, nor on an embed's (its settings are in its address)."""
    client.cookies.set("reader_prefs", "1|s:112.5")
    page = {"next": SEED, "view": "page"}
    kept = await client.post("/preferences", data={**page, "action": "bigger"}, headers=HTMX)
    assert kept.status_code == 200 and kept.headers["reader-saved"] == "1"
    fragment = {"next": f"/articles/{SEED_SLUG}/fragment", "view": "fragment", "line_height": "1.8"}
    assert (await client.post("/preferences", data=fragment, headers=HTMX)).headers["reader-saved"] == "1"
    refused = {**page, "text_color": "#777777", "background_color": "#ffffff", "panel": "open"}
    unchanged = {**page, "action": "bigger", "steps": "20"}
    embed = {"next": f"/embed/{SEED_SLUG}", "view": "embed", "line_height": "2"}
    for data in (refused, unchanged, embed):
        client.cookies.clear()
        client.cookies.set("reader_prefs", "1|s:400")
        answer = await client.post("/preferences", data=data, headers=HTMX)
        assert answer.status_code == 200 and "reader-saved" not in answer.headers, data


async def test_htmx_in_english_and_from_a_fragment(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/preferences",
        data={"line_height": "1.8", "next": f"/articles/{EN_SLUG}/fragment", "view": "fragment"},
        headers=HTMX,
    )
    assert 'class="reader reader--fragment"' in response.text and "Line height 1.8</div>" in response.text
    assert "reader-masthead" not in response.text


async def test_htmx_for_another_page_navigates(client: httpx.AsyncClient) -> None:
    response = await client.post("/preferences", data={"size": "150", "next": "/?page=2"}, headers=HTMX)
    assert response.status_code == 200 and response.headers["hx-redirect"] == "/?page=2"


async def test_a_change_from_a_deleted_article_is_kept_and_navigates_reader_own_page(
    client: httpx.AsyncClient,
) -> None:
    # The article is not the setting's: the change is stored, and reader's own page goes where its 404 says so.
    response = await client.post(
        "/preferences", data={"size": "150", "next": "/articles/gone", "view": "page"}, headers=HTMX
    )
    assert response.status_code == 200 and response.headers["hx-redirect"] == "/articles/gone"
    assert "s:150" in response.headers["set-cookie"]


async def test_a_change_in_a_fragment_on_a_deleted_article_navigates_nothing(client: httpx.AsyncClient) -> None:
    """htmx resolves a root-relative HX-Redirect against the page it runs in: for a fragment that is another
    site's page, which it would take away to that site's own 404. The article stays, and the status says why."""
    data = {"size": "150", "next": "/articles/gone", "view": "fragment"}
    response = await client.post("/preferences", data=data, headers={**HTMX, "accept-language": "en"})
    assert response.status_code == 200 and "hx-redirect" not in response.headers
    assert response.headers["hx-reswap"] == "none" and 'id="reader"' not in response.text
    assert (
        '<div id="reader-status" data-hx-swap-oob="innerHTML"><span lang="en">This article has been removed, so it'
        " can no longer be shown here. Your setting was kept.</span></div>"
    ) in response.text
    assert "s:150" in response.headers["set-cookie"]


async def test_a_change_in_an_embed_on_a_deleted_article_goes_to_its_404_that_says_it_was_kept(
    client: httpx.AsyncClient,
) -> None:
    data = {"size": "150", "next": "/embed/gone", "view": "embed", "host_lang": "en"}
    response = await client.post("/preferences", data=data, headers=HTMX)
    # The frame's own address (reader's origin: htmx resolves it inside the frame), never the embedding page's.
    assert response.status_code == 200 and response.headers["hx-redirect"] == "/embed/gone?lang=en&kept=1"
    assert "s:150" in response.headers["set-cookie"]
    page = await client.get("/embed/gone?kept=1&lang=en")
    assert page.status_code == 404
    assert 'aria-describedby="reader-kept"' in page.text
    assert '<p id="reader-kept">This article has been removed, so it can no longer be shown here.' in page.text
    # Only there: an ordinary 404 of the embed says nothing of a setting.
    assert "reader-kept" not in (await client.get("/embed/gone?lang=en")).text


@pytest.mark.parametrize("view", ["fragment", "embed"])
async def test_a_change_in_another_site_on_a_renamed_article_comes_back_in_place(
    app: ServedApp, client: httpx.AsyncClient, view: str
) -> None:
    """Renamed since it was shown: the region comes from the new address (the setting applied, said, and the
    move said and linked), never a navigation, of the embedding page or of the frame."""
    store = app.state["store"]
    article = await store.get_article(EN_SLUG)
    assert article is not None and await store.rename_article(EN_SLUG, "moved-here", version=article.version)
    old = f"/articles/{EN_SLUG}/fragment" if view == "fragment" else f"/embed/{EN_SLUG}"
    data = {"action": "bigger", "next": old, "view": view}
    response = await client.post("/preferences", data=data, headers=HTMX)
    assert response.status_code == 200 and "hx-redirect" not in response.headers
    text = response.text
    assert 'data-size="112.5"' in text and f'name="view" value="{view}"' in text
    new = "/embed/moved-here" if view == "embed" else "/articles/moved-here"
    assert f'name="next" value="{new}"' in text and f"{EN_SLUG}" not in text
    assert "Text size 112.5\xa0%. This article has moved to a new address; it is shown here from there.</div>" in text
    # The link reads as the article's title: screen readers spelled its raw address out.
    assert (
        '<p class="reader-moved" lang="en">This article has a new address: '
        f'<a href="http://testserver/articles/moved-here">{escape(article.title)}</a></p>'
    ) in text
    # Reader's own page still goes there for real (its address changes with it).
    own = await client.post("/preferences", data={**data, "next": f"/articles/{EN_SLUG}", "view": "page"}, headers=HTMX)
    assert own.headers["hx-redirect"] == f"/articles/{EN_SLUG}"


@pytest.mark.parametrize(
    "next_value",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "/a\r\nSet-Cookie: x=y",
        "",
        "evil",
        "/" + "a" * 3000,
        "\\\\evil.example",
        "/%0d%0aX: y\x00",
    ],
)
async def test_unsafe_next_values_go_home(client: httpx.AsyncClient, next_value: str) -> None:
    response = await client.post("/preferences", data={"size": "150", "next": next_value})
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_the_panel_stays_open_without_js(client: httpx.AsyncClient) -> None:
    response = await client.post("/preferences", data={"width": "45", "next": SEED, "panel": "open"})
    assert re.fullmatch(
        re.escape(f"{SEED}?panel=open&saved=reader-widths:set:width.") + SIGNED_MAC + "#reader-saved",
        response.headers["location"],
    )
    page = await client.get(response.headers["location"])
    assert '<details class="reader-panel" id="reader-panel" open>' in page.text
    assert 'id="reader-width-45" name="width" value="45" aria-pressed="true"' in page.text


# A change from each group that shows a note (NOTE_GROUPS: test_every_group_with_a_note_is_tested_here).
NO_JS_CHANGES = [
    ({"action": "bigger"}, "reader-size-controls:bigger", "reader-toolbar", "Cỡ chữ 112,5\u00a0%"),
    (
        {"action": "set", "line_height": "2", "letter_spacing": "0.12", "panel": "open"},
        "reader-spacing:set:line_height:letter_spacing",
        "reader-spacing",
        "Giãn dòng 2; Giãn chữ 0,12 em",
    ),
    ({"theme": "dark", "panel": "open"}, "reader-themes:set:theme", "reader-themes", "Giao diện Tối"),
    (
        {"action": "preset-spacing", "panel": "open"},
        "reader-presets:preset-spacing:line_height:letter_spacing:word_spacing:paragraph_spacing",
        "reader-presets",
        None,
    ),
    ({"width": "45", "panel": "open"}, "reader-widths:set:width", "reader-widths", "Dòng dài tối đa 45 ký tự"),
    ({"font": "serif", "panel": "open"}, "reader-fonts:set:font", "reader-fonts", "Phông chữ Có chân"),
    (
        {"underline_links": "off", "panel": "open"},
        "reader-links:set:underline_links",
        "reader-links",
        "Gạch chân liên kết: tắt",
    ),
    (
        {"action": "set", "text_color": "#000000", "background_color": "#ffffff", "panel": "open"},
        "reader-colors:set:text_color:background_color",
        "reader-colors",
        "Đang dùng màu riêng",
    ),
    # A value not among the choices (a stale or tampered form): said as refused, as the status region says it.
    (
        {"theme": "purple", "panel": "open"},
        "reader-themes:set:theme.unknown-choice",
        "reader-themes",
        "Cài đặt không thay đổi: giá trị không nằm trong các lựa chọn",
    ),
]


def test_every_group_with_a_note_is_tested_here() -> None:
    assert {saved.split(":", 1)[0] for _data, saved, _group, _said in NO_JS_CHANGES} == ARTICLE_NOTE_GROUPS
    settings_groups = {saved.split(":", 1)[0] for _data, saved, _group, _said in SETTINGS_NO_JS_CHANGES}
    assert settings_groups >= NOTE_GROUPS - ARTICLE_NOTE_GROUPS


# The settings page's own groups, and those an article has too, as that page shows them (its note had said only
# "saved", near the top): the new value beside the control used.
SETTINGS_NO_JS_CHANGES = [
    ({"speech_rate": "1.25"}, "reader-speech-rate-form:set:speech_rate", "reader-speech-rate-form", "Tốc độ đọc 1,25×"),
    ({"reading_guide": "3"}, "reader-guide-form:set:reading_guide", "reader-guide-form", "Thước đọc: 3 dòng"),
    ({"shortcuts": "off"}, "reader-shortcuts:set:shortcuts", "reader-shortcuts", "Đã tắt phím tắt một phím"),
    ({"key_play": "p"}, "reader-shortcuts:set:key_play", "reader-shortcuts", "Phím cho “Đọc to / tạm dừng”: p"),
    (
        {"action": "set", "size": "125", "line_height": "1.6"},
        "reader-spacing:set:size",
        "reader-spacing",
        "Cỡ chữ 125\u00a0%",
    ),
    ({"action": "bigger"}, "reader-size-controls:bigger", "reader-toolbar", "Cỡ chữ 112,5\u00a0%"),
]


@pytest.mark.parametrize(("data", "saved", "group", "said"), SETTINGS_NO_JS_CHANGES)
async def test_without_js_the_settings_page_says_what_a_change_did_beside_it(
    client: httpx.AsyncClient, data: dict[str, str], saved: str, group: str, said: str
) -> None:
    """As an article does (above): the 303 opens at the note beside the group, which says what the status
    region says on the script's path; the page is this browser's alone (the note cookie), so private."""
    form = {**data, "next": "/preferences", "view": "page", "panel": "open"}
    swapped = await client.post("/preferences", data=form, headers={"hx-request": "true"})
    announced = re.search(r'id="reader-status"[^>]*>([^<]*)<', swapped.text)
    assert announced and announced[1] == said
    client.cookies.clear()
    plain = await client.post("/preferences", data=form)
    assert re.fullmatch(
        re.escape(f"/preferences?panel=open&saved={saved}.") + SIGNED_MAC + "#reader-saved", plain.headers["location"]
    )
    noted = await client.get(plain.headers["location"])
    note = re.search(r'<p class="reader-note reader-saved" id="reader-saved" tabindex="-1">([^<]*)</p>', noted.text)
    assert note and note[1] == said and noted.text.count('id="reader-saved"') == 1
    start = noted.text.index(f'id="{group}"')
    assert start < note.start() and "<fieldset" not in noted.text[start + 1 : note.start()].split(">", 1)[1]
    assert noted.headers["cache-control"] == "private, no-cache"


@pytest.mark.parametrize(("data", "saved", "group", "said"), NO_JS_CHANGES)
async def test_without_js_an_article_says_what_a_change_did_where_it_opens(
    client: httpx.AsyncClient, data: dict[str, str], saved: str, group: str, said: str | None
) -> None:
    """The 303 back to the article names the change (only names from fixed lists) and opens at the note beside
    its group, which says what the status region says on the script's path, from the same function."""
    swapped = await client.post(
        "/preferences", data={**data, "next": SEED, "view": "page"}, headers={"hx-request": "true"}
    )
    announced = re.search(r'id="reader-status"[^>]*>([^<]*)<', swapped.text)
    assert announced and (said is None or announced[1] == said)
    client.cookies.clear()
    plain = await client.post("/preferences", data={**data, "next": SEED})
    query = "?panel=open&" if "panel" in data else "?"
    # (signed for the settings the change left: reader.saved_note)
    assert re.fullmatch(
        re.escape(f"{SEED}{query}saved={saved}.") + SIGNED_MAC + "#reader-saved", plain.headers["location"]
    )
    page = (await client.get(plain.headers["location"])).text
    note = re.search(r'<p class="reader-note reader-saved" id="reader-saved" tabindex="-1">([^<]*)</p>', page)
    assert note and note[1] == announced[1]
    # Beside its group: after the group's own opening tag, before anything of the next group.
    start = page.index(f'id="{group}"')
    assert start < note.start() and "<fieldset" not in page[start + 1 : note.start()].split(">", 1)[1]


async def test_an_articles_note_is_only_ours_and_leaves_the_common_page_as_it_was(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    client.cookies.set("reader_prefs", "1|t:dark")
    client.cookies.set(NOTE_COOKIE, NOTE)
    common = await client.get(SEED)
    assert 'id="reader-saved"' not in common.text
    for forged in (
        'reader-themes:set:theme"><script>',
        "reader-themes:fly",
        "reader-title:set",
        "reader-themes:set:x",
        # what the redirect writes, but not signed by it
        "reader-themes:set:theme",
        "reader-presets:reset",
    ):
        page = await client.get(SEED, params={"saved": forged})
        assert 'id="reader-saved"' not in page.text and "<script>" not in page.text.split("</head>", 1)[1]
    saved = saved_for(app, "reader-themes:set:theme", "1|t:dark")
    noted = await client.get(SEED, params={"saved": saved})
    assert "Giao diện Tối</p>" in noted.text
    # Another page, so another validator: a cache holding one never answers for the other.
    assert noted.headers["etag"] != common.headers["etag"]
    assert (await client.get(SEED)).headers["etag"] == common.headers["etag"]
    # Never on the embed, whose no-JS changes come back by their own way.
    assert 'id="reader-saved"' not in (await client.get(f"/embed/{SEED.rsplit('/', 1)[1]}?saved={saved}")).text


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"origin": "https://evil.example"},
        # The same check as the editor's (reader.web.refuse_cross_site): a sibling site, an opaque origin.
        {"sec-fetch-site": "same-site"},
        {"origin": "null"},
    ],
)
async def test_cross_site_posts_are_refused(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.post("/preferences", data={"size": "400", "next": SEED}, headers=headers)
    assert response.status_code == 403 and "set-cookie" not in response.headers


async def test_readers_own_pages_may_post(client: httpx.AsyncClient) -> None:
    for headers in ({"sec-fetch-site": "same-origin", "origin": "http://testserver"}, {}):
        response = await client.post("/preferences", data={"size": "400", "next": SEED}, headers=headers)
        assert response.status_code == 303 and "set-cookie" in response.headers


@pytest.mark.parametrize(
    "raw",
    [
        "garbage",
        "<script>alert('x')</script>",
        "1|s:200|t:<img src=x onerror=alert(1)>",
        "1|" + "s:300|" * 200,
        '1|t:"dark',
        "1|s:\u00e9\u00e8",
    ],
)
async def test_tampered_cookies_render_defaults(client: httpx.AsyncClient, raw: str) -> None:
    response = await client.get(SEED, headers={"cookie": f"reader_prefs={raw}".encode()})
    assert response.status_code == 200
    assert raw not in response.text and "onerror" not in response.text and "<script>alert" not in response.text
    assert 'data-theme="auto"' in response.text


async def test_reset_deletes_the_cookie(client: httpx.AsyncClient) -> None:
    client.cookies.set("reader_prefs", "1|s:200")
    response = await client.post("/preferences", data={"action": "reset", "next": SEED})
    header = cookie_header(response)
    assert header.startswith('reader_prefs="";') and "Max-Age=0" in header


async def test_a_shared_link_asks_first(app: ServedApp, client: httpx.AsyncClient) -> None:
    response = await client.get("/preferences", params={"settings": "1|s:200|t:sepia"})
    assert response.status_code == 200 and "set-cookie" not in response.headers
    assert "Áp dụng các cài đặt đọc này?" in response.text
    assert "<li>Cỡ chữ: từ 100\u00a0% thành 200\u00a0%</li>" in response.text
    assert "<li>Giao diện: từ Tự động thành Nâu nhạt</li>" in response.text
    assert 'data-size="100"' in response.text
    applied = await client.post(
        "/preferences", data={"action": "apply-shared", "settings": "1|s:200|t:sepia", "next": "/preferences"}
    )
    assert applied.status_code == 303 and cookie_header(applied).startswith("reader_prefs=1|s:200|t:sepia;")
    # The page it comes back to says the settings were applied (it looked as it did before, and said nothing).
    # (signed for the settings applied, as an article's note is: reader.saved_note)
    location = applied.headers["location"]
    assert re.fullmatch(r"/preferences\?applied=1\." + SIGNED_MAC + "#reader-applied", location)
    client.cookies.set("reader_prefs", "1|s:200|t:sepia")
    back = await client.get(location)
    assert 'id="reader-applied" tabindex="-1">Đã áp dụng cài đặt đọc được chia sẻ: ' in back.text
    assert 'data-size="200"' in back.text
    assert 'id="reader-applied"' not in (await client.get("/preferences")).text
    # A link cannot say so: unsigned, or signed for other settings.
    assert 'id="reader-applied"' not in (await client.get("/preferences?applied=1")).text
    # Nor in another browser with these settings, which has not the note cookie this redirect set.
    async with client_for(app) as other:
        other.cookies.set("reader_prefs", "1|s:200|t:sepia")
        assert 'id="reader-applied"' not in (await other.get(location)).text
    client.cookies.set("reader_prefs", "1|s:150")
    assert 'id="reader-applied"' not in (await client.get(location)).text


SHARED = "1|s:200|t:dark"
STALE_NOTE = 'id="reader-shared-stale" tabindex="-1">'


def shared_forms(page: httpx.Response) -> list[dict[str, str]]:
    """The confirmation page's two forms (merge-shared, apply-shared), each as its button sends it."""
    forms = []
    for form in re.findall(
        r'<form method="post" action="/preferences" class="reader-buttons">(.*?)</form>', page.text, re.S
    ):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
        fields["action"] = re.search(r'name="action" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        forms.append({name: value.replace("&#124;", "|") for name, value in fields.items()})
    return forms


def set_prefs(client: httpx.AsyncClient, value: str) -> None:
    """The browser's preference cookie is `value` now (another tab changed it): the one the server set goes."""
    for kept in [kept for kept in client.cookies.jar if kept.name == "reader_prefs"]:
        client.cookies.jar.clear(kept.domain, kept.path, kept.name)
    client.cookies.set("reader_prefs", value)


@pytest.mark.parametrize("action", ["apply-shared", "merge-shared"])
async def test_a_shared_links_choice_from_a_page_drawn_before_a_change_applies_nothing(
    app: ServedApp, client: httpx.AsyncClient, action: str
) -> None:
    """The confirmation page drawn at 150 % and serif, line height 2 chosen in another tab: "Use exactly these
    settings" put it back to 1.6, which its list never said. Now nothing is applied, and the page comes back
    drawn afresh, saying why, where it opens."""
    set_prefs(client, "1|s:150|f:serif")
    page = await client.get("/preferences", params={"settings": SHARED})
    form = next(form for form in shared_forms(page) if form["action"] == action)
    assert form["drawn"] == "1|s:150|f:serif" and form["settings"] == SHARED
    set_prefs(client, "1|s:150|lh:2|f:serif")  # (another tab)
    answer = await client.post("/preferences", data=form)
    assert answer.status_code == 303
    assert not [h for h in answer.headers.get_list("set-cookie") if h.startswith("reader_prefs=")]
    location = answer.headers["location"]
    assert re.fullmatch(
        r"/preferences\?settings=1%7Cs:200%7Ct:dark&stale=shared\." + SIGNED_MAC + "#reader-shared-stale", location
    )
    back = await client.get(location)
    assert back.headers["cache-control"].startswith("private")
    assert (
        STALE_NOTE + "Cài đặt đọc của bạn đã thay đổi sau khi trang này được mở, nên chưa có gì được áp dụng. Bên "
        "dưới là những gì sẽ thay đổi nếu áp dụng lúc này: hãy xem lại rồi chọn lần nữa.</p>"
    ) in back.text
    # The lists, drawn afresh: what the choice would change now, line height 2 among it for "exactly".
    assert "<li>Giãn dòng: từ 2 thành 1,6</li>" in back.text
    assert shared_forms(back)[0]["drawn"] == "1|s:150|lh:2|f:serif"
    # Chosen again from the page as it is now, it applies.
    again = await client.post("/preferences", data=next(f for f in shared_forms(back) if f["action"] == action))
    assert again.status_code == 303 and "applied=1." in again.headers["location"]
    expected = "1|s:200|t:dark" if action == "apply-shared" else "1|s:200|lh:2|f:serif|t:dark"
    assert cookie_header(again).startswith(f"reader_prefs={expected};")
    # A link cannot say so: unsigned, or in another browser (without the note cookie the redirect set).
    set_prefs(client, "1|s:150|lh:2|f:serif")
    assert STALE_NOTE not in (await client.get("/preferences?settings=1|s:200|t:dark&stale=shared")).text
    async with client_for(app) as other:
        other.cookies.set("reader_prefs", "1|s:150|lh:2|f:serif")
        assert STALE_NOTE not in (await other.get(location)).text


async def test_a_stale_choice_with_a_tampered_overlong_link_comes_back_to_a_short_address(
    client: httpx.AsyncClient,
) -> None:
    """The form's `settings` goes back into the redirect's address: a tampered one of 100,000 characters must
    not make a Location header some proxies refuse (a 502); cut to one past what a cookie value may be, it is
    read as it was: unreadable, and the page says the link is damaged."""
    set_prefs(client, "1|s:150|f:serif")
    page = await client.get("/preferences", params={"settings": SHARED})
    form = next(form for form in shared_forms(page) if form["action"] == "apply-shared")
    set_prefs(client, "1|s:150|lh:2|f:serif")  # (another tab)
    answer = await client.post("/preferences", data={**form, "settings": "1|s:200" + "|x" * 50_000})
    # (percent-encoded: up to three characters a character, then the note)
    assert answer.status_code == 303 and len(answer.headers["location"]) < 4 * MAX_COOKIE_LENGTH
    back = await client.get(answer.headers["location"])
    assert back.status_code == 200 and "Liên kết cài đặt này bị hỏng" in back.text


async def test_the_stale_note_is_said_in_english_too(client: httpx.AsyncClient) -> None:
    headers = {"accept-language": "en"}
    page = await client.get("/preferences", params={"settings": SHARED}, headers=headers)
    set_prefs(client, "1|lh:2")
    answer = await client.post("/preferences", data=shared_forms(page)[0], headers=headers)
    back = await client.get(answer.headers["location"], headers=headers)
    assert (
        STALE_NOTE + "Your reading settings changed after this page was opened, so nothing was applied. Below is "
        "what applying them changes now: check it and choose again.</p>"
    ) in back.text


@pytest.mark.parametrize("since", ["1", "1|s:150|f:serif|k:0", "1|s:150|f:serif|kp:h", "1|s:150|f:serif|v-vi:X"])
async def test_a_shared_links_choice_applies_when_nothing_it_lists_changed(
    client: httpx.AsyncClient, since: str
) -> None:
    """Drawn at the settings now, or changed since only in what a link never changes (this device's keys and
    voices, kept either way): applied as before. (`since` "1": the page was drawn at 150 % and serif, then a reset.)"""
    set_prefs(client, "1|s:150|f:serif")
    page = await client.get("/preferences", params={"settings": SHARED})
    form = next(form for form in shared_forms(page) if form["action"] == "merge-shared")
    set_prefs(client, "1|s:150|f:serif" if since == "1" else since)
    answer = await client.post("/preferences", data=form)
    assert answer.status_code == 303 and "applied=1." in answer.headers["location"]
    # (without its `drawn`, an older page's form applies as before)
    set_prefs(client, "1|lh:2")
    older = await client.post("/preferences", data={key: value for key, value in form.items() if key != "drawn"})
    assert cookie_header(older).startswith("reader_prefs=1|s:200|lh:2|t:dark;")


@pytest.mark.parametrize(
    "link", ["", "garbage", "1|s:20", "<script>", "2|s:200", "1|zz:1|t:nope", "1|fg:000000", "1|fg:000000|bg:111111"]
)
async def test_a_damaged_shared_link_says_so_and_offers_nothing_to_apply(client: httpx.AsyncClient, link: str) -> None:
    # Applying it would have stored the defaults over the reader's own settings.
    client.cookies.set("reader_prefs", "1|s:200|t:dark")
    response = await client.get("/preferences", params={"settings": link})
    assert response.status_code == 200 and "set-cookie" not in response.headers
    assert "Liên kết cài đặt này bị hỏng" in response.text
    assert 'id="reader-apply-shared"' not in response.text and "<script>" not in response.text


async def test_a_shared_link_cut_short_says_what_was_left_out(client: httpx.AsyncClient) -> None:
    response = await client.get("/preferences", params={"settings": "1|s:200|t:da"})
    assert "<li>Cỡ chữ: từ 100\u00a0% thành 200\u00a0%</li>" in response.text
    assert 'id="reader-apply-shared"' in response.text
    assert "Một phần của liên kết không đọc được" in response.text
    whole = await client.get("/preferences", params={"settings": "1|s:200|t:dark"})
    assert "Một phần của liên kết" not in whole.text
    defaults = await client.get("/preferences", params={"settings": "1"})  # the defaults, shared on purpose
    assert "Bạn đã có sẵn các cài đặt này" in defaults.text and "bị hỏng" not in defaults.text
    client.cookies.set("reader_prefs", "1|s:150")
    defaults = await client.get("/preferences", params={"settings": "1"})
    assert "<li>Cỡ chữ: từ 150\u00a0% thành 100\u00a0%</li>" in defaults.text


async def test_custom_colour_stylesheets(client: httpx.AsyncClient) -> None:
    good = await client.get("/preferences/colors/1a1a1a-fdf6e3.css")
    assert good.status_code == 200 and good.headers["content-type"].startswith("text/css")
    assert "--reader-fg: #1a1a1a;" in good.text and "immutable" in good.headers["cache-control"]
    assert (await client.get("/preferences/colors/777777-ffffff.css")).status_code == 404
    assert (await client.get("/preferences/colors/red-blue.css")).status_code == 404
    client.cookies.set("reader_prefs", "1|fg:1a1a1a|bg:fdf6e3")
    page = await client.get(SEED)
    assert 'data-colors="custom"' in page.text and 'href="/preferences/colors/1a1a1a-fdf6e3.css"' in page.text


async def test_read_aloud_settings_post_like_every_control(client: httpx.AsyncClient) -> None:
    fields = {"next": SEED, "view": "page"}
    rate = await client.post("/preferences", data={**fields, "speech_rate": "1.5"}, headers=HTMX)
    assert 'data-rate="1.5"' in rate.text and "Tốc độ đọc 1,5×</div>" in rate.text
    assert cookie_header(rate).startswith("reader_prefs=1|sr:1.5;")
    voice = await client.post(
        "/preferences", data={**fields, "voice": "Vietnamese (Northern) espeak-ng", "voice_lang": "vi"}, headers=HTMX
    )
    assert 'data-voice="Vietnamese (Northern) espeak-ng"' in voice.text
    assert "Giọng đọc tiếng Việt: Vietnamese (Northern) espeak-ng</div>" in voice.text
    guide = await client.post("/preferences", data={**fields, "reading_guide": "5"}, headers=HTMX)
    assert 'data-guide="5"' in guide.text and "Thước đọc: 5 dòng</div>" in guide.text
    keys = await client.post("/preferences", data={**fields, "key_play": "k", "key_previous": "k"}, headers=HTMX)
    assert "Chưa đổi phím tắt: mỗi thao tác cần một phím riêng</div>" in keys.text
    assert 'data-key-previous="j"' in keys.text
    # The page itself, rendered from that cookie: the controls with the settings as data attributes.
    page = (await client.get(SEED)).text
    tools = page[page.index('<div class="reader-tools"') :]
    assert re.match(r'<div class="reader-tools" id="reader-tools"\s+data-', tools)  # in place: nothing moves later
    # A fragment has no head for the <noscript> stylesheet and may be shown without our scripts: hidden.
    fragment = (await client.get(f"{SEED}/fragment")).text
    assert re.search(r'<div class="reader-tools" id="reader-tools" hidden\s+data-', fragment)
    assert '<div class="reader-tools-settings" id="reader-tools-settings" hidden>' in fragment
    assert 'data-rate="1.5"' in tools and 'data-guide="5"' in tools and 'data-shortcuts="on"' in tools
    assert '<option value="1.5" selected>1,5×</option>' in tools


async def test_a_language_ending_in_a_line_break_never_reaches_a_header(client: httpx.AsyncClient) -> None:
    # "$" matches before a final "\n": "vi\n" once passed the language check, and its cookie part made every
    # later answer carry an invalid header (the server dropped the connection).
    fields = {"next": SEED, "view": "page"}
    posted = await client.post("/preferences", data={**fields, "voice": "Linh", "voice_lang": "vi\n"}, headers=HTMX)
    assert posted.status_code == 200
    assert "Cài đặt không thay đổi: giá trị không nằm trong các lựa chọn</div>" in posted.text
    assert posted.headers["reader-prefs"] == "1" and "Max-Age=0" in cookie_header(posted)
    # A tampered cookie with the line break (Starlette unescapes "\012") is read as if the voice were not there,
    # and the next change answers with a clean cookie.
    tampered = {"cookie": 'reader_prefs="1|s:200|v-vi\\012:Linh"'}
    page = await client.get(SEED, headers=tampered)
    assert page.status_code == 200 and 'data-size="200"' in page.text and 'data-voice=""' in page.text
    changed = await client.post("/preferences", data={**fields, "size": "150"}, headers={**HTMX, **tampered})
    assert changed.status_code == 200 and changed.headers["reader-prefs"] == "1|s:150"
    assert cookie_header(changed).startswith("reader_prefs=1|s:150;")


async def test_shared_settings_leave_out_and_never_apply_the_devices_voices_and_keys(
    client: httpx.AsyncClient,
) -> None:
    mine = "1|s:125|k:0|v-vi:Microsoft%20An"
    sharer = "1|s:200|sr:1.5|g:3|kp:p|v-vi:Linh"
    client.cookies.set("reader_prefs", sharer)
    page = (await client.get(SEED, params={"panel": "open"})).text
    share = page[page.index('id="reader-share-link"') - 200 :]
    link = share[share.index('href="') + 6 : share.index('" id="reader-share-link"')]
    # Speed and the reading guide are ways of reading, so they travel; the voice and the keys do not.
    assert link.endswith("?settings=1%7Cs:200%7Csr:1.5%7Cg:3"), link
    client.cookies.set("reader_prefs", "1|s:125")
    asked = await client.get("/preferences", params={"settings": sharer})
    assert "Linh" not in asked.text and "<li>Tốc độ đọc: từ 1× thành 1,5×</li>" in asked.text
    assert 'name="settings" value="1|s:200|sr:1.5|g:3"' in asked.text
    # A crafted link with a voice and keys in it applies neither: the reader's own stay.
    client.cookies.set("reader_prefs", mine)
    applied = await client.post(
        "/preferences", data={"action": "apply-shared", "settings": sharer, "next": "/preferences"}
    )
    assert applied.status_code == 303
    assert cookie_header(applied).startswith("reader_prefs=1|s:200|sr:1.5|v-vi:Microsoft%20An|g:3|k:0;")


async def test_reset_all_settings_says_when_the_keys_and_voices_change_too(client: httpx.AsyncClient) -> None:
    client.cookies.set("reader_prefs", "1|s:200|k:0|v-vi:Linh")
    reset = await client.post("/preferences", data={"action": "reset", "next": SEED, "view": "page"}, headers=HTMX)
    status = "Đã đặt lại tất cả cài đặt; Giọng đọc được chọn tự động; Đã bật phím tắt một phím</div>"
    assert status in reset.text and 'data-shortcuts="on"' in reset.text
    assert 'id="reader-reset" name="action" value="reset">Đặt lại tất cả</button>' in reset.text


async def refused_page(client: httpx.AsyncClient, response: httpx.Response, next_path: str) -> str:
    """The page a refusal without JavaScript redirects to (303, as every change's): the page the form came from,
    opened at the message beside the fields (reader.refused_note), for this browser's note cookie."""
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(next_path + "?") and "refused=" in location
    page = await client.get(location.split("#")[0])
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-cache"
    return page.text


@pytest.mark.parametrize("next_path", [SEED, "/preferences"])
async def test_refused_colours_without_js_show_why_beside_the_fields_and_keep_everything(
    client: httpx.AsyncClient, next_path: str
) -> None:
    """A redirect back to the page (it was the page itself, a 400, at /preferences): the message beside the
    pickers, which they name, the colours entered in them, the panel open; the reader's settings untouched."""
    client.cookies.set("reader_prefs", "1|s:150|t:dark")
    form = {"text_color": "#777777", "background_color": "#ffffff", "next": next_path, "panel": "open"}
    response = await client.post("/preferences", data=form)
    assert response.headers["location"].endswith("#reader-colors-refused")
    assert "set-cookie" not in response.headers or "reader_prefs=1|s:150|t:dark;" in str(response.headers)
    page = await refused_page(client, response, next_path)
    message = "Chưa áp dụng màu: độ tương phản chỉ là 4,4:1"
    assert f'<p class="reader-refused" id="reader-colors-refused" tabindex="-1">{message}' in page
    assert 'value="#777777" aria-describedby="reader-colors-hint reader-colors-refused" aria-invalid="true"' in page
    assert 'value="#ffffff" aria-describedby="reader-colors-hint reader-colors-refused" aria-invalid="true"' in page
    assert '<details class="reader-panel" id="reader-panel" open>' in page
    assert 'data-theme="dark"' in page and 'data-size="150"' in page
    # Without the note cookie its redirect set (another browser, a copied address): the page without it.
    client.cookies.delete(NOTE_COOKIE)
    alone = (await client.get(response.headers["location"].split("#")[0])).text
    assert "reader-colors-refused" not in alone and 'value="#777777"' not in alone


async def test_refused_colours_with_htmx_show_why_beside_the_fields(client: httpx.AsyncClient) -> None:
    form = {"text_color": "#777777", "background_color": "#ffffff", "next": SEED, "panel": "open", "view": "page"}
    response = await client.post("/preferences", data=form, headers=HTMX)
    assert response.status_code == 200
    assert 'id="reader-colors-refused" tabindex="-1">Chưa áp dụng màu' in response.text
    assert 'value="#777777" aria-describedby="reader-colors-hint reader-colors-refused"' in response.text


async def test_refused_keys_show_why_and_keep_what_was_typed(client: httpx.AsyncClient) -> None:
    form = {"key_play": "j", "key_previous": "j", "key_next": "l", "next": SEED, "panel": "open"}
    response = await client.post("/preferences", data=form)
    assert response.headers["location"].endswith("#reader-keys-refused")
    page = await refused_page(client, response, SEED)
    assert '<details class="reader-tools-keys" id="reader-shortcuts" open>' in page
    assert 'id="reader-keys-refused" tabindex="-1">' in page
    assert 'name="key_play" value="j"' in page and 'name="key_next" value="l"' in page
    # Only the two that share j are invalid; all three are described by the message.
    assert page.count('aria-describedby="reader-keys-refused" aria-invalid="true"') == 2
    assert page.count('aria-describedby="reader-keys-refused"') == 3


async def test_a_theme_chosen_over_the_readers_own_colours_says_both(client: httpx.AsyncClient) -> None:
    client.cookies.set("reader_prefs", "1|fg:000000|bg:ffffcc")
    response = await client.post("/preferences", data={"theme": "dark", "next": SEED, "view": "page"}, headers=HTMX)
    assert response.status_code == 200
    assert 'data-theme="dark"' in response.text and 'data-colors="custom"' not in response.text
    status = re.search(r'<div id="reader-status"[^>]*>([^<]*)</div>', response.text)
    # "Theme Dark; back to the theme's colours"
    assert status is not None and status.group(1) == "Giao diện Tối; Đã trở lại màu của giao diện"


# Every select of the panel as a page drawn with the defaults shows them (posted whole without JavaScript).
DRAWN_SELECTS = {
    "size": "100",
    "line_height": "1.6",
    "paragraph_spacing": "1.5",
    "letter_spacing": "0",
    "word_spacing": "0",
}


async def test_a_stale_page_does_not_undo_a_newer_change(client: httpx.AsyncClient) -> None:
    """Back to a page drawn at 100 % after 200 % was chosen: pressing "Dark" there posts its selects as drawn,
    and only the theme, the reader's change, goes onto the current cookie (a three-way merge)."""
    page = await client.get(f"{SEED}?panel=open")
    drawn = re.search(r'name="drawn" value="([^"]*)"', page.text)
    assert drawn is not None and drawn.group(1) == "1"
    assert (await client.post("/preferences", data={"size": "200", "next": SEED})).status_code == 303
    form = {**DRAWN_SELECTS, "theme": "dark", "panel": "open", "next": SEED, "view": "page", "drawn": "1"}
    response = await client.post("/preferences", data=form)
    assert cookie_header(response).startswith("reader_prefs=1|s:200|t:dark;")
    # A select the reader did change on the stale page is applied, over the newer value.
    changed = {**form, "line_height": "2", "action": "set"}
    changed.pop("theme")
    response = await client.post("/preferences", data=changed)
    assert cookie_header(response).startswith("reader_prefs=1|s:200|lh:2|t:dark;")


async def test_a_form_without_its_drawn_settings_applies_every_field(client: httpx.AsyncClient) -> None:
    """An older page or another client: every field sent is applied, as before."""
    client.cookies.set("reader_prefs", "1|s:200")
    form = {**DRAWN_SELECTS, "theme": "dark", "next": SEED, "view": "page"}
    response = await client.post("/preferences", data=form)
    assert cookie_header(response).startswith("reader_prefs=1|t:dark;")


@pytest.mark.parametrize("drawn", ["1|s:999", "2|s:200", "garbage", "1|s:200|s:150", "1|kp:j|kb:j", "x" * 2000])
async def test_a_tampered_drawn_field_is_ignored(client: httpx.AsyncClient, drawn: str) -> None:
    """As a tampered cookie is: no 500, the form applies as one without the field."""
    client.cookies.set("reader_prefs", "1|s:200")
    form = {**DRAWN_SELECTS, "theme": "dark", "next": SEED, "view": "page", "drawn": drawn}
    response = await client.post("/preferences", data=form)
    assert response.status_code == 303
    assert cookie_header(response).startswith("reader_prefs=1|t:dark;")


async def test_a_theme_from_a_stale_page_turns_the_current_colours_off(client: httpx.AsyncClient) -> None:
    client.cookies.set("reader_prefs", "1|s:150|fg:ffff00|bg:000080")
    form = {**DRAWN_SELECTS, "theme": "dark", "next": SEED, "view": "page", "drawn": "1"}
    response = await client.post("/preferences", data=form)
    assert cookie_header(response).startswith("reader_prefs=1|s:150|t:dark;")


async def test_the_settings_now_for_a_page_brought_back(client: httpx.AsyncClient) -> None:
    """What a page's data-drawn holds, for the reader's cookie now; never stored by any cache."""
    default = (await client.get("/preferences/current")).text
    # Where settings-history.js (in js/settings-page.js) asks, written from the route table (the script writes no
    # path of its own).
    assert f'data-drawn="{default}" data-now="/preferences/current"' in (await client.get(SEED)).text
    client.cookies.set("reader_prefs", "1|t:dark|s:200|s:999")
    response = await client.get("/preferences/current")
    assert re.fullmatch("[0-9a-f]{12}", response.text) and response.text != default
    assert "no-store" in response.headers["cache-control"]
    assert f'data-drawn="{response.text}"' in (await client.get(SEED)).text


async def test_only_the_keys_that_clash_are_marked_invalid(client: httpx.AsyncClient) -> None:
    form = {"key_play": "j", "key_previous": "j", "key_next": "l", "next": SEED, "view": "page", "panel": "open"}
    for headers in ({}, HTMX):
        response = await client.post("/preferences", data=form, headers=headers)
        html = response.text if headers else await refused_page(client, response, SEED)
        fields = dict(re.findall(r'<input type="text" class="reader-key-input" id="reader-key-(\w+)"([^>]*)>', html))
        assert set(fields) == {"play", "previous", "next"}
        assert 'aria-invalid="true"' in fields["play"] and 'aria-invalid="true"' in fields["previous"]
        assert "aria-invalid" not in fields["next"]


async def test_a_shared_link_lists_every_change_and_keeps_the_readers_own_for_the_rest(
    client: httpx.AsyncClient,
) -> None:
    """The link names size, theme and reading guide: the first choice changes those (and the reader's own colours,
    which a theme turns off), says so from what to what, and keeps the font and line height; the second, the
    link exactly, lists the font and line height going back to their defaults too."""
    mine = "1|s:150|f:opendyslexic|fg:ffff00|bg:000080|lh:2.2"
    link = "1|s:200|t:dark|g:3"
    client.cookies.set("reader_prefs", mine)
    page = (await client.get("/preferences", params={"settings": link})).text
    first = page[page.index('id="reader-shared-changes"') : page.index('id="reader-apply-shared"')]
    assert re.findall("<li>(.*?)</li>", first) == [
        "Cỡ chữ: từ 150\u00a0% thành 200\u00a0%",
        "Giao diện: từ Tự động thành Tối",
        "Màu của riêng bạn: từ chữ #ffff00 trên nền #000080 thành màu của giao diện",
        "Thước đọc: từ tắt thành 3 dòng",
    ]
    exact = page[page.index('id="reader-exact-changes"') : page.index('id="reader-apply-shared-exactly"')]
    lines = re.findall("<li>(.*?)</li>", exact)
    assert "Giãn dòng: từ 2,2 thành 1,6" in lines and "Phông chữ: từ OpenDyslexic thành Không chân" in lines
    merged = await client.post(
        "/preferences", data={"action": "merge-shared", "settings": link, "next": "/preferences"}
    )
    assert cookie_header(merged).startswith("reader_prefs=1|s:200|lh:2.2|f:opendyslexic|t:dark|g:3;")
    client.cookies.set("reader_prefs", mine)
    whole = await client.post("/preferences", data={"action": "apply-shared", "settings": link, "next": "/preferences"})
    assert cookie_header(whole).startswith("reader_prefs=1|s:200|t:dark|g:3;")


@pytest.mark.parametrize(
    ("headers", "framed", "expected"),
    [
        ({"sec-fetch-site": "cross-site"}, False, "OTHER_SITE"),
        ({"sec-fetch-site": "same-origin"}, True, "UNKNOWN_SITE"),
        ({"sec-fetch-site": "same-site"}, False, "OWN_SITE"),
        ({"origin": "https://elsewhere.example"}, False, "UNKNOWN_SITE"),
        ({}, False, "OWN_SITE"),
    ],
)
def test_where_a_change_was_made_is_one_of_three_kinds(headers: dict[str, str], framed: bool, expected: str) -> None:
    """cookie_context answers a member of CookieContext (typed through store_prefs), not a plain string."""
    from starlette.requests import Request

    from reader.web import CookieContext, cookie_context

    scope = {
        "type": "http", "method": "POST", "scheme": "https", "server": ("reader.example", 443), "path": "/preferences",
        "query_string": b"", "headers": [(name.encode(), value.encode()) for name, value in headers.items()],
    }  # fmt: skip
    assert cookie_context(Request(scope), framed=framed) is CookieContext[expected]


# The settings page shows the read-aloud settings too, as the article's panel has them (issue: a reader who
# keeps their settings on /preferences could not find the reading speed, the guide or the shortcuts there).
@pytest.mark.parametrize(
    ("accept", "texts"),
    [
        (
            "vi",
            ("Tốc độ đọc", "Giọng đọc tiếng Việt", "Giọng đọc tiếng Anh", "Thước đọc", "Phím tắt", "Tự động"),
        ),
        (
            "en",
            ("Reading speed", "Voice for Vietnamese", "Voice for English", "Reading guide", "Keyboard shortcuts"),
        ),
    ],
)
async def test_the_settings_page_has_the_read_aloud_settings(
    client: httpx.AsyncClient, accept: str, texts: tuple[str, ...]
) -> None:
    client.cookies.set("reader_prefs", "1|sr:1.5|g:3|k:0|kp:h|kb:y|kn:u|v-vi:Linh")
    page = (await client.get("/preferences", headers={"accept-language": accept})).text
    for text in texts:
        assert text in page, text
    # Values from the cookie: the speed, the guide, the shortcuts off and their keys, the voice chosen.
    assert re.search(r'<option value="1.5" selected>', page)
    guide = re.search(r'<select id="reader-guide" name="reading_guide".*?</select>', page, re.S)
    assert guide is not None and '<option value="3" selected>' in guide.group(0)
    assert re.search(r'id="reader-shortcuts-toggle" name="shortcuts" value="on" aria-pressed="false"', page)
    for field, key in (("key-play", "h"), ("key-previous", "y"), ("key-next", "u")):
        assert re.search(rf'id="reader-{field}" name="{field.replace("-", "_")}" value="{key}"', page), field
    assert 'id="reader-voice-vi" name="voice" data-voice-lang="vi" data-voice="Linh"' in page
    assert 'id="reader-voice-en" name="voice" data-voice-lang="en" data-voice=""' in page
    # Each voice form names its language; the shortcut keys are open, as every other setting on the page.
    assert re.search(r'id="reader-voice-form-en"(?:(?!</form>).)*name="voice_lang" value="en"', page, re.S)
    assert re.search(r'<details class="reader-tools-keys" id="reader-shortcuts" open>', page)
    # Without scripting, the speed and the guide have a button that sends them; the settings page's script fills
    # the voices.
    assert page.count('class="reader-button reader-without-script"') == 2 and "<noscript" not in page
    assert "js/settings-voices." in page
    # One control per id on the page (htmx puts the focus back by id).
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


async def test_a_read_aloud_setting_changed_on_the_settings_page_comes_back_there(client: httpx.AsyncClient) -> None:
    # htmx: the page's region, with the new value, and the status region's announcement out of band.
    settings = "http://testserver/preferences"
    swapped = await client.post(
        "/preferences",
        data={"shortcuts": "off", "next": "/preferences", "view": "page", "panel": "open"},
        headers={"hx-request": "true", "hx-current-url": settings, "accept-language": "en"},
    )
    assert 'id="reader-shortcuts-toggle" name="shortcuts" value="on" aria-pressed="false"' in swapped.text
    assert re.search(r'id="reader-status"[^>]*hx-swap-oob[^>]*>Single-key shortcuts off<', swapped.text)
    # Without JavaScript: back to the settings page, at the note beside the control, which says the new value as
    # the status region does with a script (it said only "saved", at the top of the page), as an article's does.
    plain = await client.post("/preferences", data={"speech_rate": "0.75", "next": "/preferences", "panel": "open"})
    assert re.fullmatch(
        r"/preferences\?panel=open&saved=reader-speech-rate-form:set:speech_rate\." + SIGNED_MAC + "#reader-saved",
        plain.headers["location"],
    )
    noted = await client.get(plain.headers["location"])
    assert re.search(
        r'id="reader-speech-rate-form"[^>]*>\s*(<input[^>]*>\s*)*'
        r'<p class="reader-note reader-saved" id="reader-saved" tabindex="-1">Tốc độ đọc 0,75×</p>',
        noted.text,
    )
    assert noted.text.count('id="reader-saved"') == 1 and "Đã lưu cài đặt đọc của bạn." not in noted.text
    assert noted.headers["cache-control"] == "private, no-cache"
    english = (await client.get(plain.headers["location"], headers={"accept-language": "en"})).text
    assert ">Reading speed 0.75×</p>" in english
    # A change its group cannot say beside itself (a voice: the page lists them with a script only) opens at the
    # note that the settings were saved, which links back to the group.
    voice = await client.post(
        "/preferences", data={"voice": "An", "voice_lang": "vi", "next": "/preferences", "panel": "open"}
    )
    assert re.fullmatch(
        r"/preferences\?panel=open&saved=reader-tools-settings\." + SIGNED_MAC + "#reader-saved",
        voice.headers["location"],
    )
    page = (await client.get(voice.headers["location"])).text
    assert re.search(
        r'<p class="reader-note" id="reader-saved" tabindex="-1">Đã lưu cài đặt đọc của bạn\. '
        r'<a href="#reader-tools-settings">Quay lại cài đặt vừa thay đổi</a></p>',
        page,
    )
    english = (await client.get(voice.headers["location"], headers={"accept-language": "en"})).text
    assert "Your reading settings have been saved." in english and "Back to the setting you changed" in english
    # A note a link wrote is no note, however well spelt.
    forged_note = await client.get("/preferences?saved=reader-speech-rate-form:set:speech_rate.AAAAAAAAAAAAAAAA")
    assert 'id="reader-saved"' not in forged_note.text
    # Only on the way back from a change, and only to a group the page has (not an id the address made up).
    assert 'id="reader-saved"' not in (await client.get("/preferences")).text
    forged = (await client.get('/preferences?saved="><script>')).text
    assert 'id="reader-saved"' not in forged and "<script>" not in forged.split("</head>", 1)[1]
    # Nor a group's id a link wrote without the redirect's signature (reader.saved_note), nor the redirect's own
    # address without the note cookie it set.
    assert 'id="reader-saved"' not in (await client.get("/preferences?saved=reader-tools-settings")).text
    note = client.cookies[NOTE_COOKIE]
    del client.cookies[NOTE_COOKIE]
    assert 'id="reader-saved"' not in (await client.get(plain.headers["location"])).text
    client.cookies.set(NOTE_COOKIE, note)
    page = (await client.get("/preferences")).text
    assert '<option value="0.75" selected>' in page
    assert 'name="shortcuts" value="on" aria-pressed="false"' in page
    # The shared-settings link carries the speed (a way of reading), not the shortcut switch (the device's).
    assert 'href="/preferences?settings=1%7Csr:0.75" id="reader-share-link"' in page


async def test_the_settings_page_keeps_a_change_made_since_it_was_drawn(client: httpx.AsyncClient) -> None:
    """Back to /preferences drawn before shortcuts were turned off (in an article's panel, say): its speed form
    posts the settings it was drawn with, and only the speed changes."""
    drawn_page = (await client.get("/preferences")).text
    speed_form = re.search(r'<form[^>]*id="reader-speech-rate-form".*?</form>', drawn_page, re.S)
    assert speed_form is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', speed_form.group(0)))
    assert fields["drawn"] == "1" and fields["next"] == "/preferences"
    await client.post("/preferences", data={"shortcuts": "off", "next": SEED})
    await client.post("/preferences", data={**fields, "speech_rate": "1.25"})
    assert client.cookies["reader_prefs"] == "1|sr:1.25|k:0"


async def test_refused_keys_on_the_settings_page_come_back_beside_the_fields(client: httpx.AsyncClient) -> None:
    # Without JavaScript: back to the settings page, the message beside the keys, the keys entered kept.
    form = {"key_play": "j", "key_previous": "j", "key_next": "l", "next": "/preferences", "panel": "open"}
    client.headers["accept-language"] = "en"
    response = await client.post("/preferences", data=form)
    page = await refused_page(client, response, "/preferences")
    assert re.search(
        r'<p class="reader-refused" id="reader-keys-refused" tabindex="-1">[^<]*each action needs a key', page
    )
    described = r'[^>]*aria-describedby="reader-keys-refused"'
    assert re.search(rf'id="reader-key-play" name="key_play" value="j"{described} aria-invalid="true"', page)
    assert re.search(rf'id="reader-key-next" name="key_next" value="l"{described}>', page)


async def test_a_change_from_a_page_drawn_in_another_language_redraws_the_whole_page(
    client: httpx.AsyncClient,
) -> None:
    """The region says the language its page was drawn in (Reader-Page-Lang, from its data-hx-headers); an answer
    in another (the browser's language changed since) is not swapped into it: htmx goes to the address a change
    without JavaScript comes back to, the whole page in the new language at the note that says the change."""
    page = (await client.get("/preferences")).text
    assert """data-hx-headers='{"Reader-Page-Lang":"vi"}'""" in page
    form = {"action": "bigger", "next": "/preferences", "view": "page", "drawn": "1"}
    english = {**HTMX, "hx-current-url": "http://testserver/preferences", "accept-language": "en"}
    swapped = await client.post("/preferences", data=form, headers={**english, "reader-page-lang": "en"})
    assert swapped.status_code == 200 and "hx-redirect" not in swapped.headers and 'id="reader"' in swapped.text
    redrawn = await client.post("/preferences", data=form, headers={**english, "reader-page-lang": "vi"})
    assert redrawn.status_code == 200 and redrawn.text == "" and redrawn.headers["cache-control"] == "no-store"
    target = redrawn.headers["hx-redirect"]
    assert re.fullmatch(rf"/preferences\?saved=reader-size-controls:bigger\.{SIGNED_MAC}#reader-saved", target)
    assert client.cookies["reader_prefs"] == "1|s:125"  # the change is made (and the one before it)
    shown = (await client.get(target.split("#")[0], headers={"accept-language": "en"})).text
    assert '<html lang="en">' in shown and 'id="reader-saved" tabindex="-1">Text size 125\u00a0%</p>' in shown
    # Where that address is the page's own, the page is loaded again (going to a fragment of it would only
    # scroll): a voice chosen on an article (no note: SEED#reader-tools-settings), its page drawn in English.
    form = {"voice": "", "voice_lang": "vi", "next": SEED, "view": "page", "drawn": "1"}
    current = {**HTMX, "hx-current-url": f"http://testserver{SEED}", "reader-page-lang": "en"}
    reloaded = await client.post("/preferences", data=form, headers=current)
    assert reloaded.headers["hx-refresh"] == "true" and "hx-redirect" not in reloaded.headers
    # (an article's interface follows its language: a page drawn in it is swapped into, as always)
    swapped = await client.post("/preferences", data=form, headers={**current, "reader-page-lang": "vi"})
    assert "hx-refresh" not in swapped.headers and 'id="reader"' in swapped.text


async def test_the_back_refresh_of_a_page_drawn_in_another_language_reloads_it(client: httpx.AsyncClient) -> None:
    asked = {"hx-request": "true", "accept-language": "en"}
    same = await client.get("/", headers={**asked, "reader-page-lang": "en"})
    assert "hx-refresh" not in same.headers and '<html lang="en">' in same.text
    other = await client.get("/", headers={**asked, "reader-page-lang": "vi"})
    assert other.headers["hx-refresh"] == "true" and other.headers["cache-control"] == "no-store"
    # Not htmx's (a page load sends no such header anyway): the page as always.
    plain = await client.get("/", headers={"accept-language": "en", "reader-page-lang": "vi"})
    assert "hx-refresh" not in plain.headers


async def test_the_back_refresh_of_an_article_drawn_in_another_language_is_never_a_304(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    """An article in a language reader's interface does not speak follows the browser's. Its answer has an ETag,
    which says nothing of the language the page asking was drawn in: the Back refresh of the page drawn in
    English, after a visit in Vietnamese at the settings now, validated the browser's copy of that visit (304),
    which htmx then swapped into the English page. And the HX-Refresh answer was kept (private, no-cache:
    cache_headers wrote over render's no-store) with the same ETag, for a refresh from a Vietnamese page to
    validate and reload for nothing."""
    await app.state["store"].save_articles(
        [draft_from_fields({"slug": "fr", "lang": "fr", "title": "Un titre", "body_html": "<p>x</p>"})]
    )
    client.cookies.set("reader_prefs", "1|s:150")
    visit = await client.get("/articles/fr", headers={"accept-language": "vi"})  # (another tab, the language now)
    refresh = {"hx-request": "true", "accept-language": "vi", "cache-control": "max-age=0"}
    asked = {**refresh, "reader-page-lang": "en", "if-none-match": visit.headers["etag"]}
    redrawn = await client.get("/articles/fr", headers=asked)
    assert redrawn.status_code == 200 and redrawn.headers["hx-refresh"] == "true"
    assert redrawn.headers["cache-control"] == "no-store"
    # From a page drawn in the language of the answer: validated as before.
    same = await client.get("/articles/fr", headers={**asked, "reader-page-lang": "vi"})
    assert same.status_code == 304 and "hx-refresh" not in same.headers


async def test_a_redrawn_change_is_answered_for_its_own_page(client: httpx.AsyncClient) -> None:
    """Whether a change made from a page drawn in another language goes to another address (HX-Redirect) or
    loads its page again (HX-Refresh: going to a fragment of it would only scroll, and leave the page in the old
    language, its form marked as sending for good) depends on the page it came from (HX-Current-URL), which the
    answer cache's key does not hold: the answer to the same change from another page was replayed to it."""
    # A voice chosen in the open panel: back to the article, the panel open, at the voice (no note).
    form = {"voice": "", "voice_lang": "vi", "next": SEED, "view": "page", "drawn": "1", "panel": "open"}
    asked = {**HTMX, "reader-page-lang": "en"}
    closed = await client.post("/preferences", data=form, headers=asked)  # (sent from SEED: its panel opened by hand)
    assert closed.headers["hx-redirect"] == f"{SEED}?panel=open#reader-tools-settings"
    client.cookies.clear()  # (the same request again: the cookie it was sent with)
    here = {**asked, "hx-current-url": f"http://testserver{SEED}?panel=open"}
    opened = await client.post("/preferences", data=form, headers=here)
    assert opened.headers.get("hx-refresh") == "true" and "hx-redirect" not in opened.headers


async def test_a_page_in_the_browsers_language_varies_by_the_language_of_the_page_asking(
    client: httpx.AsyncClient,
) -> None:
    """An htmx GET from a page drawn in another language than the answer's is HX-Refresh, not the page (reader.htmx):
    the answer depends on Reader-Page-Lang where the browser's language chooses the interface's, and says so, for
    a shared cache that does not revalidate for the Back refresh's max-age=0. Not where it does not choose it."""
    vary = {part.strip().lower() for part in (await client.get("/")).headers["vary"].split(",")}
    assert "reader-page-lang" in vary and "accept-language" in vary
    vary = {part.strip().lower() for part in (await client.get(SEED)).headers["vary"].split(",")}
    assert "reader-page-lang" not in vary and "accept-language" not in vary


@pytest.mark.parametrize(("lang", "title"), [("en", "Reading settings"), ("vi", "Cài đặt đọc")])
async def test_the_settings_pages_title_keeps_its_longest_word_whole(
    client: httpx.AsyncClient, lang: str, title: str
) -> None:
    # Capped as an article's title is (reader.title_fit), in each language's words: "Reading|settings" broke
    # between letters at 400 % on a 320 px phone (tests/browser/test_article_page.py measures it).
    response = await client.get("/preferences", headers={"accept-language": lang})
    assert f'tabindex="-1"{fit_attribute(title)}>{title}</h1>' in response.text
