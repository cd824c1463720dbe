"""Issue 4 checks that are per page rather than per matrix point: fonts, text scaling, keyboard operation,
status messages, first paint in dark mode, and the reflow of a wide table and a long URL."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.browser import a11y
from tests.browser.conftest import DESKTOP, Tabs, wait_for_htmx
from tests.browser.test_a11y_matrix import PAGES, Target, server_for
from tests.conftest import SEED_SLUG, TABLE_SLUG

SEED = f"/articles/{SEED_SLUG}"
VIETNAMESE_LETTERS = "ắ ở ự ễ Ắ Ở Ự Ễ đ Đ ơ ư"
WEB_FONTS = {"lexend": "Lexend", "opendyslexic": "OpenDyslexic"}


def set_prefs(context: BrowserContext, live_server: str, value: str) -> None:
    context.add_cookies([{"name": "reader_prefs", "value": value, "url": live_server + "/"}])


def font_problems(page: Page, font: str) -> list[str]:
    """Which fonts drew the Vietnamese letters and the article's paragraphs: only the chosen one may."""
    page.evaluate(
        """(letters) => { const span = document.createElement('span'); span.id = 'vi-letters';
                          span.textContent = letters; document.querySelector('.reader-body p').append(span); }""",
        VIETNAMESE_LETTERS,
    )
    page.evaluate("document.fonts.ready")
    problems = []
    selectors = ["#vi-letters"] + [f".reader-body > p:nth-of-type({n})" for n in range(1, 7)]
    for selector in selectors:
        used = a11y.font_fallback(page, selector)
        families = sorted({entry["familyName"] for entry in used})
        if font in WEB_FONTS:
            if families != [WEB_FONTS[font]] or not all(entry["isCustomFont"] for entry in used):
                problems.append(f"{selector}: drawn with {used}")
        elif len(families) != 1:
            problems.append(f"{selector}: letters fell back across fonts {families}")
    return problems


@pytest.mark.parametrize("font", ["sans", "serif", "lexend", "opendyslexic"])
def test_every_offered_font_draws_the_vietnamese_letters(tabs: Tabs, live_server: str, font: str) -> None:
    with tabs.open(DESKTOP) as (context, page, _):
        set_prefs(context, live_server, f"1|f:{font}")
        page.goto(live_server + SEED)
        offered = page.eval_on_selector_all(".reader-font-choice", "els => els.map(e => e.value)")
        assert offered == ["sans", "serif", "lexend", "opendyslexic"]
        assert font_problems(page, font) == []


@pytest.mark.parametrize("target", PAGES, ids=lambda t: t.name)
def test_all_text_follows_the_size_setting(
    tabs: Tabs, live_server: str, target: Target, request: pytest.FixtureRequest
) -> None:
    server = server_for(target, live_server, request)
    with tabs.open({"width": 1280, "height": 800}) as (context, page, problems):
        problems.expect_status(target.status)
        page.goto(server + target.path)
        base = a11y.text_sizes(page)
        assert len(base) > 5
        for size, factor in (("200", 2.0), ("400", 4.0)):
            set_prefs(context, server, f"1|s:{size}")
            page.goto(server + target.path)
            assert a11y.compare_scaling(base, a11y.text_sizes(page), factor) == []


def test_text_follows_the_readers_own_default_size(page: Page, live_server: str) -> None:
    # A reader who set their browser's default to 24 px gets 24 px text at 100 %, and 48 px at 200 %.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24}})
    page.goto(live_server + SEED)
    assert page.eval_on_selector(".reader-body p", "e => getComputedStyle(e).fontSize") == "24px"
    set_prefs(page.context, live_server, "1|s:200")
    page.goto(live_server + SEED)
    assert page.eval_on_selector(".reader-body p", "e => getComputedStyle(e).fontSize") == "48px"


def test_auto_theme_is_dark_at_first_paint(browser: Browser, live_server: str) -> None:
    context = browser.new_context(color_scheme="dark", java_script_enabled=False, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(live_server + SEED)
        assert page.eval_on_selector("#reader", "e => getComputedStyle(e).backgroundColor") == "rgb(18, 18, 18)"
        assert page.eval_on_selector(".reader-body p", "e => getComputedStyle(e).color") == "rgb(236, 236, 236)"
        assert a11y.motion_problems(page) == []
    finally:
        context.close()


STATUS_WATCH = """() => {
  window.statusMessages = [];
  const region = document.getElementById('reader-status');
  new MutationObserver(() => {
    const text = region.textContent.trim();
    if (text && text !== window.statusMessages.at(-1)) window.statusMessages.push(text);
  }).observe(region, {childList: true, characterData: true, subtree: true});
}"""


def test_keyboard_operates_every_kind_of_control_and_each_change_is_announced_once(
    page: Page, live_server: str
) -> None:
    page.goto(live_server + SEED)
    wait_for_htmx(page)
    page.evaluate(STATUS_WATCH)
    steps = [
        ("#reader-bigger", "Enter", "Cỡ chữ 112,5\u00a0%"),
        ("#reader-bigger", " ", "Cỡ chữ 125\u00a0%"),
        ("#reader-smaller", "Enter", "Cỡ chữ 112,5\u00a0%"),
    ]
    for selector, key, message in steps:
        page.focus(selector)
        page.keyboard.press(key)
        expect(page.locator("#reader-status")).to_have_text(message)
        assert page.evaluate("document.activeElement.id") == selector[1:]
    page.focus("#reader-panel-summary")
    page.keyboard.press("Enter")
    expect(page.locator("#reader-panel")).to_have_attribute("open", "")
    for selector, key, message in [
        ("#reader-theme-sepia", " ", "Giao diện Nâu nhạt"),
        ("#reader-width-45", "Enter", "Dòng dài tối đa 45 ký tự"),
        ("#reader-font-lexend", " ", "Phông chữ Lexend"),
        ("#reader-underline-links", "Enter", "Gạch chân liên kết: tắt"),
        ("#reader-word-spacing", "ArrowDown", "Giãn từ 0,04 em"),
        ("#reader-reset", "Enter", "Đã đặt lại tất cả cài đặt"),
    ]:
        page.focus(selector)
        page.keyboard.press(key)
        expect(page.locator("#reader-status")).to_have_text(message)
        assert page.evaluate("document.activeElement.id") == selector[1:]
    assert page.evaluate("window.statusMessages") == [
        "Cỡ chữ 112,5\u00a0%",
        "Cỡ chữ 125\u00a0%",
        "Cỡ chữ 112,5\u00a0%",
        "Giao diện Nâu nhạt",
        "Dòng dài tối đa 45 ký tự",
        "Phông chữ Lexend",
        "Gạch chân liên kết: tắt",
        "Giãn từ 0,04 em",
        "Đã đặt lại tất cả cài đặt",
    ]
    expect(page.locator("#reader-theme-auto")).to_have_attribute("aria-pressed", "true")


def test_keyboard_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + SEED)
        page.focus("#reader-bigger")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("#reader-size-now")).to_have_text("Cỡ chữ 112,5\u00a0%")
        page.focus("#reader-panel-summary")
        page.keyboard.press("Enter")
        page.focus("#reader-theme-dark")
        with page.expect_navigation():
            page.keyboard.press(" ")
        expect(page.locator("#reader-theme-dark")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#reader-panel")).to_have_attribute("open", "")
    finally:
        context.close()


# The controls and links that stand alone on a page, and the height of each (CSS px) under 44: links inside
# running text (an article's, a list's titles and leads) are exempt, as WCAG 2.5.5 has them, and so are the
# skip links, off the screen until focused. A radio or checkbox counts with its label.
SHORT_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, select, input:not([type=hidden]), textarea, summary')].filter(e => {
  if (!e.getClientRects().length || e.closest('.reader-visually-hidden, [hidden], .reader-skip')) return false;
  if (e.matches('a') && e.closest('.reader-body, .reader-list-title, .reader-list-lead, .reader-footer')) return false;
  const s = getComputedStyle(e);
  return s.visibility !== 'hidden' && s.display !== 'none';
}).map(e => {
  const r = (e.matches('input[type=radio], input[type=checkbox]') && e.closest('label') || e).getBoundingClientRect();
  return [e.id || e.textContent.trim().slice(0, 30), Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10];
}).filter(([, width, height]) => height < 44 || width < 24)"""


@pytest.mark.parametrize("js", [True, False])
@pytest.mark.parametrize(
    "path", [SEED + "?panel=open", "/?q=bac+kan", "/?q=khong+co+dau", "/?page=999", "/nope", "/preferences"]
)
def test_every_control_and_standalone_link_is_44_px_tall_on_a_phone(
    tabs: Tabs, live_server: str, path: str, js: bool
) -> None:
    """reader's own targets at 100 % on a 320 px phone: 44 CSS px tall or more (as A+ and A−; 2.5.8 asks 24 of
    every target). The masthead's links were 29.4 px and the brand 31.5; the search field, Find and every select
    40; the 404 page's "Trang đầu", "Trang cuối" and "Đến danh sách bài viết", and a search's "Hiện tất cả bài
    viết", 22 (links, but not in running text)."""
    with tabs.open(ViewportSize(width=320, height=640), javascript=js) as (_, page, problems):
        problems.expect_status(404)  # (/?page=999 and /nope: the pages that are not there)
        page.goto(live_server + path)
        assert page.locator(".reader-masthead a").count() == 3
        assert page.evaluate(SHORT_TARGETS) == []


# The masthead's links (the site's name and the two links): how many rows they are on, how far two of their
# boxes overlap (CSS px), and each press 1 px inside a box's top edge, at its middle and 1 px inside its
# bottom edge that lands on something other than that link (its text, and where in its box).
MASTHEAD_TARGETS = """() => {
  const links = [...document.querySelectorAll('.reader-masthead a')];
  const boxes = links.map((a) => a.getBoundingClientRect());
  let overlap = 0;
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    if (Math.min(a.right, b.right) > Math.max(a.left, b.left)) {
      overlap = Math.max(overlap, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
    }
  }));
  const missed = links.flatMap((a, i) => {
    const box = boxes[i], x = (box.left + box.right) / 2;
    return [box.top + 1, (box.top + box.bottom) / 2, box.bottom - 1]
      .filter((y) => document.elementFromPoint(x, y)?.closest('a') !== a)
      .map((y) => [a.textContent.trim(), Math.round(y - box.top)]);
  });
  return {rows: new Set(boxes.map((box) => Math.round(box.top))).size, overlap: Math.round(overlap * 10) / 10, missed};
}"""


@pytest.mark.parametrize(
    ("width", "locale", "prefs"),
    [
        (360, "vi-VN", "f:opendyslexic"),  # the name over the links (they overlapped by 9.5 px)
        (390, "en-US", "f:opendyslexic|lh:2"),
        (320, "en-US", "s:125"),
        (320, "vi-VN", "f:opendyslexic|s:125"),  # the links over each other too: three rows
    ],
)
def test_the_masthead_links_44_px_boxes_never_overlap_where_it_wraps(
    tabs: Tabs, live_server: str, width: int, locale: str, prefs: str
) -> None:
    """The masthead on a phone where it wraps (the site's name over its links, or the links over each other):
    every link's 44 px box its own, a press anywhere in it taking that link. They grew into the band's padding
    by a negative margin each, and where the band wrapped one row's boxes overlapped the next's by 10-11 px:
    the lower link covered the upper one's focus ring and took the presses at its edge (WCAG 2.5.5)."""
    with tabs.open(ViewportSize(width=width, height=740), locale=locale) as (context, page, _):
        set_prefs(context, live_server, f"1|{prefs}")
        page.goto(live_server + "/")
        page.evaluate("document.fonts.ready")
        found = page.evaluate(MASTHEAD_TARGETS)
    assert found["rows"] > 1, found  # (the case wraps: it is where the boxes overlapped)
    assert found["overlap"] <= 0 and found["missed"] == [], found


def test_a_wide_table_and_a_long_url_reflow_at_320_px_and_400_percent(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        set_prefs(context, live_server, "1|s:400")
        page = context.new_page()
        page.goto(live_server + f"/articles/{TABLE_SLUG}")
        assert a11y.reflow_problems(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        region = page.locator(".reader-table")
        expect(region).to_have_attribute("role", "region")
        expect(region).to_have_attribute("aria-label", "Characters per line by text size and screen width")
        assert region.evaluate("e => e.scrollWidth > e.clientWidth")
        region.focus()
        page.keyboard.press("ArrowRight")
        expect(region).not_to_have_js_property("scrollLeft", 0)
        url_link = page.locator('a[href^="https://example.org/archive"]')
        assert len(url_link.get_attribute("href") or "") == 120
        boxes = url_link.evaluate("e => [...e.getClientRects()].map(r => [r.left, r.right])")
        assert len(boxes) > 5 and all(left >= 0 and right <= 320 for left, right in boxes)
        image = page.locator("figure img")
        assert image.evaluate("e => e.getBoundingClientRect().width <= e.parentElement.clientWidth")
    finally:
        context.close()
