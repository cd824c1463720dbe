"""Keyboard and screen-reader navigation of the reader's pages: skip links, what they land on, the article's
landmark holding its date, and the pages of the index (search results and pages that do not exist)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Playwright, ViewportSize, expect

from tests.browser.conftest import (
    DEFAULT_SCREEN,
    HEADLESS_SHELL,
    HEADLESS_SHELL_ARGS,
    Tabs,
    describe_violations,
    run_axe,
    set_default_font_size,
    sign_in,
    signed_in,
)
from tests.conftest import EN_SLUG, SEED_SLUG
from tests.serverproc import Server

PHONE = ViewportSize(width=360, height=740)

SKIP_LANDING = """() => ({
  active: document.activeElement.id || document.activeElement.tagName,
  titleTop: document.querySelector('h1').getBoundingClientRect().top,
})"""


@pytest.mark.parametrize("js", [True, False])
@pytest.mark.parametrize("size", ["200", "400"])
@pytest.mark.parametrize(("locale", "slug"), [("vi-VN", SEED_SLUG), ("en-GB", EN_SLUG)])
def test_skip_to_content_lands_on_the_article_with_its_title_at_the_top(
    tabs: Tabs, live_server: str, js: bool, size: str, locale: str, slug: str
) -> None:
    """Tab, Enter on "Skip to content": focus on the article's title (not left on the body), at the top of the
    screen, and the next Tab inside the article or after it, not on the reading tools (A+) that come before it."""
    with tabs.open(PHONE, locale=locale, javascript=js) as (context, page, _):
        context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}", "url": live_server + "/"}])
        page.goto(f"{live_server}/articles/{slug}")
        page.keyboard.press("Tab")
        expect(page.locator(".reader-skip").first).to_be_focused()
        page.keyboard.press("Enter")
        landed = page.evaluate(SKIP_LANDING)
        assert landed["active"] == "reader-title", landed
        assert 0 <= landed["titleTop"] <= 80, landed  # was 661 px of 740: under the tools
        # The next Tab goes on from the article, never back to the tools.
        page.keyboard.press("Tab")
        assert page.evaluate(AFTER_THE_ARTICLE), page.evaluate("document.activeElement.outerHTML")


# A link in the article, what follows it, or (an article without links, at the page's end) the page's first
# link again, as Tab wraps: anything but the reading tools before the article (A+, as it was).
AFTER_THE_ARTICLE = """() => {
  const article = document.getElementById('reader-article'), active = document.activeElement;
  return !document.getElementById('reader-toolbar').contains(active) && (article.contains(active)
    || Boolean(article.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING)
    || active === document.querySelector('.reader-skip'));
}"""


@pytest.mark.parametrize("js", [True, False])
def test_a_second_skip_link_reaches_the_reading_tools(tabs: Tabs, live_server: str, js: bool) -> None:
    with tabs.open(ViewportSize(width=360, height=740), javascript=js) as (_, page, _):
        page.goto(f"{live_server}/articles/{SEED_SLUG}")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        link = page.locator(".reader-skip").nth(1)
        expect(link).to_be_focused()
        expect(link).to_have_text("Chuyển đến công cụ đọc")
        expect(link).to_be_in_viewport()
        page.keyboard.press("Enter")
        # No tabindex on the tools' region: a click in the open panel's text would focus it, and the next Tab
        # go back to A+ (as <main> did: docs/accessibility.md). The link moves where the next Tab starts.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "reader-bigger"


@pytest.mark.parametrize("path", ["/", "/?q=c", "/preferences", "/nope"])
def test_skip_to_content_moves_focus_to_the_heading_on_other_pages(tabs: Tabs, live_server: str, path: str) -> None:
    with tabs.open(PHONE) as (context, page, problems):
        if path == "/nope":
            problems.expect_status(404)
        context.add_cookies([{"name": "reader_prefs", "value": "1|s:200", "url": live_server + "/"}])
        page.goto(live_server + path)
        page.keyboard.press("Tab")
        expect(page.locator(".reader-skip")).to_have_count(1)  # one: the other pages have no reading tools
        page.keyboard.press("Enter")
        landed = page.evaluate(SKIP_LANDING)
        assert landed["active"] == "reader-title", landed
        assert landed["titleTop"] >= 0, landed
        assert page.evaluate("document.querySelector('h1').getBoundingClientRect().bottom") <= 740


@pytest.mark.parametrize(("locale", "slug", "date"), [("vi-VN", SEED_SLUG, "2021"), ("en-GB", EN_SLUG, "20")])
def test_the_articles_landmark_holds_its_date_and_reading_time(
    tabs: Tabs, live_server: str, locale: str, slug: str, date: str
) -> None:
    with tabs.open(DEFAULT_SCREEN, locale=locale) as (_, page, _):
        page.goto(f"{live_server}/articles/{slug}")
        time = page.locator("article#reader-article header time[datetime]")
        expect(time).to_have_count(1)
        expect(time).to_contain_text(date)
        expect(page.locator("article#reader-article header .reader-reading-time")).to_be_visible()
        expect(page.locator("#reader-toolbar time")).to_have_count(0)  # said once, where the article is


@pytest.mark.parametrize("js", [True, False])
@pytest.mark.parametrize(
    ("locale", "label", "button"),
    [("vi-VN", "Tìm bài viết theo các từ", "Tìm"), ("en-GB", "Find articles by words", "Find")],
)
def test_the_404_page_searches_the_site(
    tabs: Tabs, live_server: str, js: bool, locale: str, label: str, button: str
) -> None:
    """A reader who followed a broken link can look for what they wanted from the 404 page itself."""
    with tabs.open(DEFAULT_SCREEN, locale=locale, javascript=js) as (_, page, problems):
        problems.expect_status(404)
        response = page.goto(f"{live_server}/articles/nope")
        assert response is not None and response.status == 404
        search = page.get_by_role("search")
        search.get_by_label(label).fill("bac kan")
        search.get_by_role("button", name=button, exact=True).click()
        page.wait_for_url("**/?q=bac+kan")
        expect(page.locator(f'.reader-list a[href="/articles/{SEED_SLUG}"]')).to_be_visible()
        if js:  # (axe runs in the page: not without JavaScript)
            page.goto(f"{live_server}/nope")
            violations = run_axe(page)
            assert violations == [], describe_violations(violations)


@pytest.mark.parametrize(("query", "pages"), [("page=999", 3), ("q=bac+kan&page=2", 1), ("page=abc", None)])
def test_a_page_that_is_not_there_says_so_and_leads_to_those_that_are(
    tabs: Tabs, live_server: str, query: str, pages: int | None
) -> None:
    with tabs.open(DEFAULT_SCREEN) as (_, page, problems):
        problems.expect_status(404)
        response = page.goto(f"{live_server}/?{query}")
        assert response is not None and response.status == 404
        expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
        expect(page.locator(".reader-list-item")).to_have_count(0)  # no other page's articles in its place
        if pages is None:
            expect(page.locator("main")).to_contain_text("“abc” không phải là số trang")
        else:
            page.get_by_role("link", name="Trang đầu").click()
            # The first page at the list's own address, a search's words kept: /, /?q=bac+kan.
            first = f"{live_server}/" + ("?q=bac+kan" if "q=" in query else "")
            # (Waited for: the click returns once the next page's address is committed, maybe before its list.)
            page.wait_for_url(first)
            expect(page.locator(".reader-list-item").first).to_be_visible()
        violations = run_axe(page)
        assert violations == [], describe_violations(violations)


@pytest.fixture(scope="module")
def one_per_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `reader serve` on the demo articles, one article a page: the demo's three are three pages."""
    base = tmp_path_factory.mktemp("paged")
    with Server(db=base / "reader.db", directory=base, env={"READER_PAGE_SIZE": "1"}) as server:
        yield server.url


@pytest.mark.parametrize(
    ("locale", "previous", "following"),
    [("vi-VN", "Trang trước", "Trang sau"), ("en-GB", "Previous page", "Next page")],
)
def test_search_results_are_paged_next_and_previous(
    tabs: Tabs, one_per_page: str, locale: str, previous: str, following: str
) -> None:
    """Ranked results are not in date order: /?q=c page 2 showed a 2026 article after 2021 under "Older
    articles". Their pages are "next" and "previous"; the list of every article stays newer and older."""
    with tabs.open(DEFAULT_SCREEN, locale=locale) as (_, page, _):
        page.goto(f"{one_per_page}/?q=c")
        pages = page.locator("nav.reader-pagination")
        pages.get_by_role("link", name=following, exact=True).click()
        page.wait_for_url("**/?q=c&page=2")
        expect(pages.get_by_role("link", name=previous, exact=True)).to_have_attribute("rel", "prev")
        expect(pages.get_by_role("link", name=following, exact=True)).to_have_attribute("rel", "next")
        expect(pages.locator("a[rel]")).to_have_count(2)  # (and the links to each page: test_page_links_*)
        page.goto(f"{one_per_page}/?page=2")
        expect(pages.get_by_role("link", name=following, exact=True)).to_have_count(0)


# Each link of a nav.reader-pagination: its text, box (CSS px), and the styles that mark this page's.
PAGE_LINK_BOXES = """nav => [...nav.querySelectorAll('a')].map(a => {
  const box = a.getBoundingClientRect(), style = getComputedStyle(a);
  return {text: a.textContent, left: box.left, right: box.right, width: box.width, height: box.height,
          current: a.getAttribute('aria-current'), border: parseFloat(style.borderTopWidth),
          borderStyle: style.borderTopStyle, weight: style.fontWeight};
})"""


@pytest.mark.parametrize(("size", "default"), [("100", 16), ("400", 16), ("400", 32)])
@pytest.mark.parametrize("path", ["/?page=6", "/editor/?page=6"])
def test_page_links_fit_a_phone_screen_each_a_44_px_target(
    tabs: Tabs, paged_server: str, request: pytest.FixtureRequest, path: str, size: str, default: int
) -> None:
    """The page links of a list of twelve pages (tests/browser/conftest.py, paged_server) on a 320 px screen,
    at 100 % and 400 % text, and at 400 % of a 32 px browser default (where a link's 2.75em square was 352 px
    and the list ran off the screen): they wrap, nothing past the screen's edge, every link 44 × 44 CSS px or
    more; this page's number framed and bold (not told by its colour alone), its frame kept in forced colours;
    each number named for a screen reader, and a name leads to its page."""
    with tabs.open(ViewportSize(width=320, height=640), font_size=default) as (context, page, _):
        if path.startswith("/editor/"):
            signed_in(context, request.getfixturevalue("paged_editor_cookies"))
        context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}", "url": paged_server + "/"}])
        page.goto(paged_server + path)
        nav = page.locator("nav.reader-pagination")
        links = nav.evaluate(PAGE_LINK_BOXES)
        assert [link["text"] for link in links][1:-1] == ["1", "4", "5", "6", "7", "8", "12"]
        assert [link for link in links if link["left"] < 0 or link["right"] > 320] == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert [link for link in links if link["width"] < 44 or link["height"] < 44] == []
        (current,) = [link for link in links if link["current"] == "page"]
        others = [link for link in links if link["current"] is None]
        assert current["text"] == "6" and current["border"] >= 2 and current["borderStyle"] == "solid"
        assert current["weight"] == "700" and all(link["border"] == 0 and link["weight"] == "400" for link in others)
        page.emulate_media(forced_colors="active")
        (forced,) = [link for link in nav.evaluate(PAGE_LINK_BOXES) if link["current"] == "page"]
        assert forced["border"] >= 2 and forced["borderStyle"] == "solid"
        page.emulate_media(forced_colors="null")
        # What a screen reader says (Chromium's accessible names), and where the name leads.
        expect(nav.get_by_role("link", name="Trang 6 trên tổng số 12 trang", exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        nav.get_by_role("link", name="Trang 12", exact=True).click()
        page.wait_for_url("**page=12")
        expect(nav.get_by_role("link", name="Trang 12 trên tổng số 12 trang", exact=True)).to_be_visible()
        expect(nav.locator("a[rel=next]")).to_have_count(0)


# Each page link's right edge past its list's line (CSS px), and the window's width less its scrollbar's.
PAST_THE_LINE = """nav => ({
  past: [...nav.querySelectorAll('a')].map((a) => a.getBoundingClientRect().right - nav.getBoundingClientRect().right)
    .filter((past) => past > 0.5),
  window: document.documentElement.clientWidth,
})"""


@pytest.mark.parametrize("path", ["/?page=6", "/editor/?page=6"])
def test_page_links_fit_the_line_beside_a_scrollbar_that_takes_room(
    playwright_driver: Playwright, paged_server: str, path: str
) -> None:
    """The page links at 400 % of a 32 px browser default in a 320 px window whose scrollbar takes room (a
    desktop's classic one: 400 % zoom on Windows or Linux), not one drawn over the page as a phone's: each
    link as wide as its line at most. Capped at the window's width less the gutters (100vw, which counts the
    scrollbar), a link was 288 px on a 273 px line, 15 px into the gutter, and past the window where the
    scrollbar is wider than the gutter. (Playwright's headless browser hides scrollbars: this one shows them.)"""
    browser = playwright_driver.chromium.launch(
        executable_path=HEADLESS_SHELL, args=HEADLESS_SHELL_ARGS, ignore_default_args=["--hide-scrollbars"]
    )
    try:
        context = browser.new_context(viewport={"width": 320, "height": 640}, locale="vi-VN")
        page = context.new_page()
        set_default_font_size(page, 32)
        if path.startswith("/editor/"):
            sign_in(page, paged_server)
        context.add_cookies([{"name": "reader_prefs", "value": "1|s:400", "url": paged_server + "/"}])
        page.goto(paged_server + path)
        nav = page.locator("nav.reader-pagination")
        found = nav.evaluate(PAST_THE_LINE)
        assert found["window"] < 320, found  # the scrollbar takes room
        assert found["past"] == [], found
        assert [link for link in nav.evaluate(PAGE_LINK_BOXES) if link["width"] < 44 or link["height"] < 44] == []
        assert page.evaluate("document.documentElement.scrollWidth") <= found["window"]
    finally:
        browser.close()
