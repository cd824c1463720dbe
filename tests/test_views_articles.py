from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

from reader.app import create_app
from reader.drafts import draft_from_fields
from reader.settings import Settings
from tests.conftest import (
    EN_SLUG,
    SEED_SLUG,
    SEED_TITLE,
    TABLE_SLUG,
    ServedApp,
    client_for,
    fit_attribute,
    page_links,
    served,
)
from tests.test_store import draft

pytestmark = pytest.mark.anyio

SEED_PARAGRAPH_STARTS = [
    "Triển khai Nghị quyết số 10-NQ/TU",
    "Đến thời điểm hiện nay, 100% cơ quan",
    "Cùng với đó, các cơ quan, đơn vị cũng đẩy mạnh",
    "Các cơ quan, đơn vị cũng xây dựng quy định",
    "Công tác quy hoạch các chức danh lãnh đạo",
    "Sau 5 năm triển khai thực hiện Nghị quyết số 10-NQ/TU",
]


async def test_index_lists_the_demo_articles_newest_first(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    html = response.text
    assert SEED_TITLE in html and f'href="/articles/{SEED_SLUG}"' in html
    assert html.index(TABLE_SLUG) < html.index(EN_SLUG) < html.index(SEED_SLUG)
    assert "31/03/2021" in html and "Tiếng Việt" in html


@pytest.mark.parametrize("page", ["²", "①", "٣", "-1", "x", "abc", "1.5", " 2"])
async def test_a_malformed_page_number_is_404_and_says_so(client: httpx.AsyncClient, page: str) -> None:
    # str.isdigit() takes "²" and "①", which int() refuses: a 500 once. Then a silent first page; now a 404
    # that says why (as Django's paginated lists and reader's own sitemap answer), never another page.
    response = await client.get("/", params={"page": page})
    assert response.status_code == 404 and SEED_TITLE not in response.text
    assert "không phải là số trang" in response.text and 'href="/"' in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert response.headers["cache-control"] == "no-store"
    english = await client.get("/", params={"page": page}, headers={"accept-language": "en"})
    assert english.status_code == 404 and "is not a page number" in english.text


@pytest.mark.parametrize("page", ["", "1", "01", "0000000000000001"])
async def test_the_first_page_by_number_or_none(client: httpx.AsyncClient, page: str) -> None:
    response = await client.get("/", params={"page": page})
    assert response.status_code == 200 and SEED_TITLE in response.text


async def test_a_page_past_the_last_is_404_with_links_to_the_first_and_last(settings: Settings) -> None:
    async with served(create_app(settings.replace(page_size=1))) as app, client_for(app) as http:
        # A number of more digits than any list has pages is repeated cut, as a page "number" that is none is.
        for page, shown in (("999", "999"), ("4", "4"), ("0", "0"), ("9" * 3000, "9" * 20 + "…")):
            response = await http.get("/", params={"page": page})
            assert response.status_code == 404, page
            assert SEED_TITLE not in response.text and "Trang 3/3" not in response.text
            assert f"Danh sách này không có trang {shown}, chỉ có 3 trang." in response.text
            assert len(response.text) < 20_000
            assert '<a href="/">Trang đầu</a>' in response.text
            assert '<a href="/?page=3">Trang cuối</a>' in response.text
            assert '<meta name="robots" content="noindex">' in response.text
        # A search's pages keep its words; one page of results has no page 2.
        one = await http.get("/", params={"q": "bac kan", "page": "2"})
        assert one.status_code == 404 and "Danh sách này không có trang 2, chỉ có một trang." in one.text
        assert '<a href="/?q=bac+kan">Trang đầu</a>' in one.text and "Trang cuối" not in one.text
        english = await http.get("/", params={"page": "999"}, headers={"accept-language": "en"})
        assert "This list has no page 999: it has 3 pages." in english.text and ">Last page</a>" in english.text
        # The last page itself is there, and the first again after a 404 (no answer kept for the wrong page).
        assert (await http.get("/", params={"page": "3"})).status_code == 200
        assert (await http.get("/", params={"page": "999"})).status_code == 404


async def test_search_results_are_paged_by_page_not_by_date(settings: Settings) -> None:
    """Results are ranked by how well they match, not by date: their pages are "next" and "previous"."""
    async with served(create_app(settings.replace(page_size=1))) as app, client_for(app) as http:
        second = await http.get("/", params={"q": "c", "page": "2"})
        assert '<a href="/?q=c" rel="prev">Trang trước</a>' in second.text
        assert '<a href="/?q=c&amp;page=3" rel="next">Trang sau</a>' in second.text
        assert "Bài cũ hơn" not in second.text and "Bài mới hơn" not in second.text
        english = await http.get("/", params={"q": "c", "page": "2"}, headers={"accept-language": "en"})
        assert 'rel="prev">Previous page</a>' in english.text and 'rel="next">Next page</a>' in english.text
        # The list of every article is by date: newer and older.
        every = await http.get("/", params={"page": "2"})
        assert 'rel="prev">Bài mới hơn</a>' in every.text and 'rel="next">Bài cũ hơn</a>' in every.text


async def test_the_index_links_the_first_and_last_pages_and_those_near_this_one(settings: Settings) -> None:
    """Testers could only step a page at a time, and no link said which page was this one. Now each page
    links the first and the last, the two either side of this one, and this one (aria-current, as GOV.UK
    keeps it a link), each named for a screen reader; the gaps are ellipses hidden from it."""
    async with served(create_app(settings.replace(page_size=1))) as app, client_for(app) as http:
        # Twelve articles, one a page: the demo's three and nine more.
        await app.state["store"].save_articles([draft(f"tin-{n}", title=f"Tin {n}") for n in range(9)])
        links, gaps = page_links((await http.get("/", params={"page": "6"})).text)
        assert [link.text for link in links] == ["Bài mới hơn", "1", "4", "5", "6", "7", "8", "12", "Bài cũ hơn"]
        assert gaps == 2
        numbered = links[1:-1]
        # The first page at the list's own address: one address a page.
        assert [link.href for link in numbered] == ["/", *(f"/?page={n}" for n in (4, 5, 6, 7, 8, 12))]
        assert [link.name for link in numbered if not link.current] == [f"Trang {n}" for n in (1, 4, 5, 7, 8, 12)]
        # This page, and once: its name says where in the list it is (no "Trang 6/12" beside the links).
        assert [(link.text, link.name) for link in links if link.current] == [("6", "Trang 6 trên tổng số 12 trang")]
        assert ("Trang 6/12</p>") not in (await http.get("/", params={"page": "6"})).text
        assert [(links[0].rel, links[0].href), (links[-1].rel, links[-1].href)] == [
            ("prev", "/?page=5"),
            ("next", "/?page=7"),
        ]
        english, gaps = page_links((await http.get("/", params={"page": "6"}, headers={"accept-language": "en"})).text)
        assert [link.name for link in english[1:-1]] == [
            f"Page {n}" if n != 6 else "Page 6 of 12" for n in (1, 4, 5, 6, 7, 8, 12)
        ]
        assert (english[0].text, english[-1].text, gaps) == ("Newer articles", "Older articles", 2)
        # At the ends: no link before the first page nor past the last, and the current page is the end's.
        first, gaps = page_links((await http.get("/")).text)
        assert [(link.text, link.current) for link in first] == [
            ("1", True),
            ("2", False),
            ("3", False),
            ("12", False),
            ("Bài cũ hơn", False),
        ]
        assert gaps == 1 and "prev" not in [link.rel for link in first]
        last, gaps = page_links((await http.get("/", params={"page": "12"})).text)
        assert [(link.text, link.current) for link in last] == [
            ("Bài mới hơn", False),
            ("1", False),
            ("10", False),
            ("11", False),
            ("12", True),
        ]
        assert gaps == 1 and "next" not in [link.rel for link in last]
        # A search's pages: its words on every link, previous and next by rank.
        searched, gaps = page_links((await http.get("/", params={"q": "tin", "page": "2"})).text)
        kept = re.compile(r"/\?q=tin(&amp;page=\d+)?")
        assert searched and all(kept.fullmatch(link.href) for link in searched)
        assert (searched[0].text, searched[-1].text) == ("Trang trước", "Trang sau")
        assert [link.href for link in searched if link.current] == ["/?q=tin&amp;page=2"]


@pytest.mark.parametrize("words", ["bắc kạn", "Bac Kan", "bac ka", "CÁN BỘ"])
async def test_readers_find_articles_by_words_of_their_titles(client: httpx.AsyncClient, words: str) -> None:
    response = await client.get("/", params={"q": words})
    assert response.status_code == 200
    assert f'href="/articles/{SEED_SLUG}"' in response.text and f'href="/articles/{EN_SLUG}"' not in response.text
    assert f"Có 1 bài viết khớp với “{words}”." in response.text
    assert '<meta name="robots" content="noindex">' in response.text  # results are not for search engines
    assert f'value="{words}"' in response.text  # the words stay in the box, to change them


async def test_readers_find_articles_by_their_text_and_see_where(client: httpx.AsyncClient) -> None:
    found = await client.get("/", params={"q": "thong tin"})
    assert f'href="/articles/{SEED_SLUG}"' in found.text and "Có 1 bài viết khớp với “thong tin”." in found.text
    excerpt = re.search(r'<p class="reader-list-lead reader-list-excerpt">(.*?)</p>', found.text)
    assert excerpt is not None
    # In the article's own spelling, the words found marked, cut with an ellipsis either side.
    assert excerpt.group(1).startswith("…") and excerpt.group(1).endswith("…")
    assert "công nghệ <mark>thông</mark> <mark>tin</mark> theo quy định" in excerpt.group(1)
    assert re.search(r'<link rel="stylesheet" href="/static/css/search\.css\?v=[0-9a-f]+">', found.text)
    # Found by its title: its lead, as the index shows it, and nothing marked (its text has "Bác": no excerpt).
    titled = await client.get("/", params={"q": "bac kan"})
    assert '<p class="reader-list-lead">Sau 5 năm thực hiện Nghị quyết' in titled.text and "<mark>" not in titled.text
    # By its author: the author, marked.
    by = await client.get("/", params={"q": "Thuyên"})
    assert 'Tác giả: <span lang="vi">Thanh <mark>Thuyên</mark></span>' in by.text
    # The marks' stylesheet only where there are results.
    for without in ("/", "/?q=zzzz"):
        assert "css/search.css" not in (await client.get(without)).text


async def test_an_excerpt_shows_markup_in_the_text_as_text(app: ServedApp, client: httpx.AsyncClient) -> None:
    body = "<p>Mã độc &lt;script&gt;alert(1)&lt;/script&gt; được phát hiện.</p>"
    fields = {"slug": "ma-doc", "lang": "vi", "title": "Tin", "body_html": body}
    await app.state["store"].save_articles([draft_from_fields(fields)])
    found = await client.get("/", params={"q": "script alert"})
    assert "Mã độc &lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/<mark>script</mark>&gt; được" in found.text
    assert "<script>alert" not in found.text


async def test_a_long_search_says_which_words_were_looked_for(client: httpx.AsyncClient) -> None:
    found = await client.get("/", params={"q": "bac kan nang cao chat luong doi ngu can xyz"})
    assert "Có 1 bài viết khớp" in found.text and "Chỉ tìm theo 8 từ đầu tiên." in found.text
    assert "<title>Có 1 bài viết khớp với" in found.text  # the title says what the page found
    short = await client.get("/", params={"q": "bac kan"})
    assert "Chỉ tìm theo" not in short.text


async def test_a_search_is_escaped_and_finds_nothing_politely(client: httpx.AsyncClient) -> None:
    words = '<script>alert("x")</script>'
    response = await client.get("/", params={"q": words})
    assert response.status_code == 200 and "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text
    assert "Không có bài viết nào khớp với “&lt;script&gt;" in response.text
    assert "Chưa có bài viết nào" not in response.text  # (the site has articles, only none of these)
    assert (await client.get("/", params={"q": "a\x00b"})).status_code == 200  # PostgreSQL refuses a NUL


async def test_the_pages_of_a_search_keep_its_words(settings: Settings) -> None:
    async with served(create_app(settings.replace(page_size=1))) as app, client_for(app) as http:
        first = await http.get("/", params={"q": "c"})  # each demo article has a word that begins with "c"
        assert '<a href="/?q=c&amp;page=2" rel="next">' in first.text
        second = await http.get("/", params={"q": "c", "page": "2"})
        assert '<a href="/?q=c" rel="prev">' in second.text
        every = await http.get("/", params={"page": "2"})
        assert '<a href="/" rel="prev">' in every.text and 'name="robots"' not in every.text
        # Each page's title says which it is, a search's what it found too.
        assert "<title>Trang 2/3 · Bài viết · reader</title>" in every.text
        assert "<title>Có 3 bài viết khớp với “c”. · Trang 2/3 · Bài viết · reader</title>" in second.text
        assert "<title>Có 3 bài viết khớp với “c”. · Bài viết · reader</title>" in first.text


async def test_index_language_follows_the_browser(client: httpx.AsyncClient) -> None:
    english = await client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and ">Articles</h1>" in english.text
    vietnamese = await client.get("/")
    assert '<html lang="vi">' in vietnamese.text and ">Bài viết</h1>" in vietnamese.text
    # The title keeps its longest word whole on a phone (reader.title_fit), in each language's words: "Articles"
    # broke between letters at 400 % on a 320 px phone.
    for page, title in ((english, "Articles"), (vietnamese, "Bài viết")):
        assert f'tabindex="-1"{fit_attribute(title)}>{title}</h1>' in page.text


async def test_the_seed_article_page(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/articles/{SEED_SLUG}", headers={"accept-language": "en"})
    assert response.status_code == 200
    html = response.text
    assert '<html lang="vi">' in html
    assert (
        # data-fit: the title's widest word, for the widest font and spacing a reader may choose (reader.title_fit)
        '<h1 class="reader-title" id="reader-title" tabindex="-1" data-fit="3.25">'
        f'<span data-sentence="t0">{SEED_TITLE}</span></h1>' in html
    )
    assert '<time datetime="2021-03-31">31/03/2021</time>' in html
    assert "Thanh Thuyên" in html and "Tác giả:" in html
    assert html.count("<h1") == 1 and "<main" in html and "<article" in html
    # The portal's text has a few no-break spaces between words; compare words, not space characters.
    body = html[html.index('<div class="reader-body">') :].replace("\u00a0", " ")
    assert [start for start in SEED_PARAGRAPH_STARTS if start not in body] == []
    assert body.count("<p>") >= 6
    assert "Giảm cỡ chữ" in html and "Tăng cỡ chữ" in html
    assert "Khoảng 3 phút đọc (ước tính)" in html


async def test_an_english_article_uses_english_ui_and_the_locale_date(client: httpx.AsyncClient) -> None:
    html = (await client.get(f"/articles/{EN_SLUG}")).text
    assert '<html lang="en">' in html and "October 12, 2026" in html and "Larger text" in html
    assert 'alt="Two columns of the same paragraph' in html and "<blockquote>" in html and "<h2>" in html


async def test_the_fragment_is_the_same_article_without_a_document(client: httpx.AsyncClient) -> None:
    page = (await client.get(f"/articles/{SEED_SLUG}")).text
    response = await client.get(f"/articles/{SEED_SLUG}/fragment")
    assert response.status_code == 200
    fragment = response.text
    assert not re.search(r"<(html|head|body)\b", fragment, re.IGNORECASE)
    article = re.search(r'<article class="reader-article".*?</article>', fragment, re.DOTALL)
    assert article is not None and article.group(0) in page
    toolbar = re.search(r'<section class="reader-toolbar".*?</section>', fragment, re.DOTALL)
    assert toolbar is not None
    # The same controls; only the hidden fields telling the server which view posted and (in another
    # site's page, where no cookie may come along) with which settings, or (on reader's own page) with which
    # settings it was drawn, differ, and the read-aloud controls come hidden (a site may show a fragment
    # without the script that shows them); and its landmark's name has the article's title, which tells
    # apart several articles on another site's page (on reader's own page the title is the page's heading); its
    # forms say target="_self" (a host page's <base> must not send them elsewhere; reader's own pages have none).
    carried = re.compile(r'\n<input type="hidden" name="prefs" value="[^"]*">')
    drawn = re.compile(r'\n<input type="hidden" name="drawn" value="[^"]*">')
    assert carried.search(toolbar.group(0)) and not carried.search(page)
    assert drawn.search(page) and not drawn.search(toolbar.group(0))
    page = drawn.sub("", page)
    as_on_the_page = (
        carried.sub("", toolbar.group(0))
        .replace('name="view" value="fragment"', 'name="view" value="page"')
        .replace('id="reader-tools" hidden', 'id="reader-tools"')
        .replace('id="reader-tools-settings" hidden>', 'id="reader-tools-settings">')
        .replace(' target="_self"', "")
    )
    named = re.compile(r'aria-label="Công cụ đọc: ([^"]*)"')
    title = named.search(as_on_the_page)
    assert title is not None and title.group(1) in page.split("<title>", 1)[1]
    as_on_the_page = named.sub('aria-label="Công cụ đọc"', as_on_the_page)
    assert as_on_the_page in page


@pytest.mark.parametrize(
    "path",
    [
        "/articles/no-such-article",
        "/articles/no-such-article/fragment",
        "/articles/NOT%20A%20SLUG",
        "/articles/" + "a" * 300,
        "/articles/%00",
        "/nope",
    ],
)
async def test_unknown_addresses_are_404_in_the_ui_language(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text
    english = await client.get(path, headers={"accept-language": "en"})
    assert english.status_code == 404 and "Page not found" in english.text


@pytest.mark.parametrize("path", ["/nope", f"/articles/{SEED_SLUG}-nope"])
async def test_the_404_page_offers_the_sites_search(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    form = re.search(
        r'<form class="reader-search" role="search" method="get" action="/">.*?</form>', response.text, re.S
    )
    assert form, response.text
    assert '<label for="reader-search">Tìm bài viết theo' in form.group() and 'name="q"' in form.group()
    english = await client.get(path, headers={"accept-language": "en"})
    assert '<label for="reader-search">Find articles by words' in english.text


async def test_the_404_fragment_is_a_fragment(client: httpx.AsyncClient) -> None:
    response = await client.get("/articles/no-such-article/fragment")
    assert response.status_code == 404 and "<html" not in response.text and 'class="reader-error"' in response.text


async def test_method_not_allowed(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"/articles/{SEED_SLUG}")
    assert response.status_code == 405 and "Phương thức không được hỗ trợ" in response.text
    assert "GET" in response.headers["allow"]


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_security_headers_on_every_response(client: httpx.AsyncClient) -> None:
    for path in ("/", f"/articles/{SEED_SLUG}", "/nope", "/healthz"):
        headers = (await client.get(path)).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"


async def test_static_files_are_fingerprinted_and_cached(client: httpx.AsyncClient) -> None:
    html = (await client.get(f"/articles/{SEED_SLUG}")).text
    css = re.search(r'href="(/static/css/page\.css\?v=[0-9a-f]{12})"', html)
    assert css is not None
    response = await client.get(css.group(1))
    assert response.status_code == 200 and "immutable" in response.headers["cache-control"]
    script = re.search(
        r'<script src="(/static/vendor/htmx-2\.0\.\d+\.min\.js\?v=\w+)" integrity="(sha384-[^"]+)"', html
    )
    assert script is not None
    assert (await client.get(script.group(1))).status_code == 200


async def test_no_inline_script_or_style(client: httpx.AsyncClient) -> None:
    for path in ("/", f"/articles/{SEED_SLUG}", f"/articles/{SEED_SLUG}/fragment", "/preferences"):
        html = (await client.get(path)).text
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
        assert " style=" not in html and "<style" not in html


async def test_oversized_request_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/preferences",
        content=b"x" * 2_000_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413 and "Yêu cầu quá lớn" in response.text


async def test_the_article_markup_is_the_same_for_every_reader(client: httpx.AsyncClient) -> None:
    plain = (await client.get(f"/articles/{SEED_SLUG}")).text
    styled = (
        await client.get(f"/articles/{SEED_SLUG}", headers={"cookie": "reader_prefs=1|s:400|t:dark|f:lexend|w:45"})
    ).text

    def article(html: str) -> str:
        match = re.search(r'<article class="reader-article".*?</article>', html, re.DOTALL)
        assert match is not None
        return match.group(0)

    assert article(plain) == article(styled)
    assert 'data-size="400"' in styled and 'data-font="lexend"' in styled


async def test_a_search_page_that_is_not_there_keeps_the_readers_words(settings: Settings) -> None:
    # The 404 for a page past a search's last offered the site's search with an empty field: the reader had to
    # type their words again. It keeps them, escaped, as the results page does.
    async with served(create_app(settings.replace(page_size=1))) as app, client_for(app) as http:
        words = 'c "<b>'
        past = await http.get("/", params={"q": "c", "page": "9"})
        assert past.status_code == 404
        assert 'name="q" value="c"' in past.text and "chỉ có 3 trang" in past.text
        escaped = await http.get("/", params={"q": words, "page": "9"})
        assert escaped.status_code == 404 and "<b>" not in escaped.text
        assert 'name="q" value="c &#34;&lt;b&gt;"' in escaped.text
        malformed = await http.get("/", params={"q": "c", "page": "x"})
        assert malformed.status_code == 404 and 'name="q" value="c"' in malformed.text
        # The list of every article keeps the field empty, as before.
        every = await http.get("/", params={"page": "9"})
        assert every.status_code == 404 and 'name="q" value=""' in every.text


async def test_a_search_that_finds_nothing_says_so_and_no_more(client: httpx.AsyncClient) -> None:
    # With nothing found there are no pages to tell of: not "only one page" (the 404 for ?page=2 said it), nor
    # a link to a "first page" that is as empty, only that nothing matches and what to try.
    for params in ({"q": "zzqxv"}, {"q": "zzqxv", "page": "2"}):
        found = await client.get("/", params=params)
        text = found.text
        assert "Không có bài viết nào khớp với “zzqxv”. Hãy kiểm tra lại chính tả, hoặc thử tìm với ít từ hơn." in text
        assert "trang" not in _main_text_below_heading(text), text  # (the 404's heading: "Page not found")
        assert "page=" not in text
        english = await client.get("/", params=params, headers={"accept-language": "en"})
        assert "No article matches “zzqxv”. Check the spelling, or try fewer words." in english.text
        assert "page" not in _main_text_below_heading(english.text)


def _main_text_below_heading(html: str) -> str:
    """The words of a page's main region after its h1, lower case."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]*>", " ", main.split("</h1>", 1)[-1]).lower()


async def test_the_deployment_guides_title_command_prints_the_title(client: httpx.AsyncClient) -> None:
    """docs/deployment.md's worked example reads an article's title from its page with grep (and sed): its
    `[^<]*` printed only the `<h1 …>` tag once the title sat in a sentence's `<span>`. The documented command,
    run on a page, prints what the guide says it does."""
    guide = (Path(__file__).resolve().parent.parent / "docs" / "deployment.md").read_text()
    found = re.search(r"^curl -s http://127\.0\.0\.1:8002/articles/hello-nodes \| (.+)\n# → (.+)$", guide, re.M)
    assert found is not None, "the worked example's step 4 changed: update this test"
    command, shown = found.groups()
    page = (await client.get(f"/articles/{EN_SLUG}")).text
    done = subprocess.run(["sh", "-c", command], input=page, capture_output=True, text=True, check=True)
    title = (await client.get(f"/api/articles/{EN_SLUG}")).json()["title"]
    assert title and done.stdout == f"{title}\n"
    assert shown == "Hello, nodes"  # the title of the example's article, as printed
