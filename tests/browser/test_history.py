"""Back and Forward after a settings change, in a real browser with its back/forward cache on (Playwright
turns it off by default: `--disable-back-forward-cache`). A page brought back as it was drawn comes up to date
with JavaScript (static/js/settings-swap.js); without it, a form on such a page changes only what the reader
changed on it (reader.prefs._merged_fields)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SWITCH_AWAY_AND_BACK, wait_for_htmx
from tests.conftest import SEED_SLUG

SEED = f"/articles/{SEED_SLUG}"
PHONE = {"width": 360, "height": 740}
# Each showing of the page: whether it came from the back/forward cache, and how it was navigated to.
RECORD_SHOWS = """addEventListener('pageshow', (event) => {
  const shows = JSON.parse(sessionStorage.getItem('shows') || '[]');
  const nav = performance.getEntriesByType('navigation')[0];
  shows.push({persisted: event.persisted, type: nav?.type, why: JSON.stringify(nav?.notRestoredReasons)});
  sessionStorage.setItem('shows', JSON.stringify(shows));
});"""


@pytest.fixture(scope="module")
def caching_browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """The headless shell with the back/forward cache on, as in readers' browsers."""
    chromium = playwright_driver.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--enable-features=BackForwardCache"],
        ignore_default_args=["--disable-back-forward-cache"],
    )
    try:
        yield chromium
    finally:
        chromium.close()


def new_page(browser: Browser, *, javascript: bool = True) -> Page:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=javascript)
    context.add_init_script(RECORD_SHOWS)
    return context.new_page()


def cookie(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "reader_prefs")


def test_back_brings_a_cached_page_up_to_the_settings_chosen_since(caching_browser: Browser, live_server: str) -> None:
    page = new_page(caching_browser)
    try:
        page.goto(live_server + "/")
        wait_for_htmx(page)
        page.locator(f'a[href="{SEED}"]').first.click()
        page.wait_for_url(f"**{SEED}")
        page.locator("#reader-panel-summary").click()
        for control in ("#reader-preset-large", "#reader-theme-contrast-dark"):
            with page.expect_response(lambda r: r.url.endswith("/preferences") and r.request.method == "POST"):
                page.locator(control).click()
        expect(page.locator("#reader")).to_have_attribute("data-theme", "contrast-dark")
        page.go_back(wait_until="commit")
        page.wait_for_function("JSON.parse(sessionStorage.getItem('shows')).length === 3")
        shows = page.evaluate("JSON.parse(sessionStorage.getItem('shows'))")
        # It did come from the back/forward cache (else this test shows nothing).
        assert shows[-1]["persisted"] is True, shows
        reader = page.locator("#reader")
        expect(reader).to_have_attribute("data-theme", "contrast-dark")
        expect(reader).to_have_attribute("data-size", "200")
        now = page.evaluate("fetch('/preferences/current').then((answer) => answer.text())")
        expect(reader).to_have_attribute("data-drawn", now)
    finally:
        page.context.close()


def test_without_javascript_a_page_from_before_a_change_does_not_undo_it(
    caching_browser: Browser, live_server: str
) -> None:
    page = new_page(caching_browser, javascript=False)
    try:
        page.goto(f"{live_server}{SEED}?panel=open")
        page.goto(live_server + "/preferences")  # its panel is open
        page.locator("#reader-size").select_option("200")
        page.locator("#reader-apply").click()
        page.wait_for_load_state()
        assert cookie(page) == "1|s:200"
        page.go_back(wait_until="commit")  # the settings page as it was, then the article at 100 %
        page.go_back(wait_until="commit")
        page.wait_for_url(f"**{SEED}?panel=open", wait_until="commit")
        expect(page.locator("#reader")).to_have_attribute("data-size", "100")
        page.locator("#reader-theme-dark").click()
        page.wait_for_load_state()
        assert cookie(page) == "1|s:200|t:dark"
        expect(page.locator("#reader")).to_have_attribute("data-size", "200")
    finally:
        page.context.close()


# Playwright's routing never sees the requests of a page the back/forward cache brought back (nor can it fail
# them), so a double in the page does: when the tab's sessionStorage says so, the settings now answer 429
# (fetch), or the region's GET (htmx's XMLHttpRequest) gets an error answer or none at all, as htmx sees
# them. And it records each htmx request that ended, and each fetch.
FAIL_THE_REFRESH = """(() => {
  const failure = () => sessionStorage.getItem('fail') || '';
  const fetched = window.fetch;
  window.fetch = (...args) => {
    window.readerFetches = (window.readerFetches || 0) + 1;
    // (answered in a task of its own, as a fetch is: never at once, within the event that asked)
    const busy = () => new Promise((resolve) => setTimeout(() => resolve(new Response('busy', { status: 429 }))));
    if (failure() === 'settings now 429') return busy();
    return fetched(...args);
  };
  const { open, send } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.open = function (method, ...rest) {
    this.readerMethod = method;
    return open.call(this, method, ...rest);
  };
  XMLHttpRequest.prototype.send = function (body) {
    const how = failure();
    if (this.readerMethod !== 'GET' || !how.startsWith('region')) return send.call(this, body);
    if (how === 'region unreachable') return setTimeout(() => this.onerror());
    const answer = { status: Number(how.slice(-3)), response: 'no', responseText: 'no', responseURL: '' };
    for (const [name, value] of Object.entries(answer)) Object.defineProperty(this, name, { value });
    this.getResponseHeader = () => null;
    setTimeout(() => this.onload());
  };
  document.addEventListener('htmx:afterRequest', (event) => {
    (window.readerRequests ||= []).push(event.detail.requestConfig?.verb);
  });
})();"""


@pytest.mark.parametrize("failure", ["region 429", "region 503", "region unreachable", "settings now 429"])
def test_a_refresh_that_fails_says_nothing(caching_browser: Browser, live_server: str, failure: str) -> None:
    """Back to a page drawn before a change: the refresh (a GET of the settings now, then of the region) saves
    nothing, so when it fails the page stays as it was, with no word of a setting not saved."""
    page = new_page(caching_browser)
    page.context.add_init_script(FAIL_THE_REFRESH)
    try:
        # From an article (its status region can say a setting was not saved) to another, changed there.
        page.goto(live_server + "/")
        other = next(
            href
            for href in page.locator("a[href^='/articles/']").evaluate_all(
                "(links) => links.map((link) => link.getAttribute('href'))"
            )
            if href != SEED
        )
        page.goto(live_server + SEED)
        wait_for_htmx(page)
        page.goto(live_server + other)
        page.locator("#reader-panel-summary").click()
        with page.expect_response(lambda r: r.url.endswith("/preferences") and r.request.method == "POST"):
            page.locator("#reader-theme-contrast-dark").click()
        page.evaluate("(failure) => sessionStorage.setItem('fail', failure)", failure)
        page.go_back(wait_until="commit")
        page.wait_for_function("() => JSON.parse(sessionStorage.getItem('shows')).length === 4")
        assert page.evaluate("JSON.parse(sessionStorage.getItem('shows'))")[-1]["persisted"] is True
        assert page.evaluate("location.pathname") == SEED
        assert page.locator("#reader-status").get_attribute("data-text-failed")  # (it could say so here)
        page.wait_for_function("() => window.readerFetches === 1")
        if failure.startswith("region"):
            page.wait_for_function("() => (window.readerRequests || []).includes('get')")
        else:
            page.wait_for_timeout(500)
            assert page.evaluate("window.readerRequests || []") == [], "a region asked for, though nothing changed"
        expect(page.locator("#reader")).to_have_attribute("data-theme", "auto")
        assert page.locator(".reader-request-failed").count() == 0
        assert (page.locator("#reader-status").text_content() or "").strip() == ""
    finally:
        page.context.close()


# Without the back/forward cache (the `browser` fixture's Chromium, as a reader's after the cached entry expired or
# for a page it cannot keep), Back loads the page again, and the browser puts back the value of every field a
# form lets it restore, as the reader left it, into a page the server drew at the settings now.
def go_back_to(page: Page, path: str) -> None:
    """Back (never a new load of the address) until the page is `path`; then it was a history navigation."""
    for _ in range(4):
        if page.evaluate("location.pathname") == path:
            break
        page.go_back()
    assert page.evaluate("location.pathname") == path
    assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "back_forward"


def change(page: Page, javascript: bool, act: Callable[[], None], *, apply: str = "#reader-apply") -> None:
    """One change: with a script, the press's own request; without, the form's Apply (if `apply`) and its 303."""
    if javascript:
        with page.expect_response(lambda r: r.url.endswith("/preferences") and r.request.method == "POST"):
            act()
        return
    act()
    if apply:
        page.locator(apply).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_back_shows_the_selects_as_drawn_and_the_next_press_undoes_nothing(
    browser: Browser, live_server: str, javascript: bool
) -> None:
    """Line height 2 on the article, 1.4 on the settings page, Back to the article (loaded again): the select
    showed 2 (Chromium's form restoration), and the next press without a script set 2 again (the merge took
    the restored value for the reader's change); with one, Apply did."""
    page = new_page(browser, javascript=javascript)
    try:
        page.goto(f"{live_server}{SEED}?panel=open")
        change(page, javascript, lambda: page.locator("#reader-line-height").select_option("2"))
        page.goto(live_server + "/preferences")
        change(page, javascript, lambda: page.locator("#reader-line-height").select_option("1.4"))
        assert cookie(page) == "1|lh:1.4"
        go_back_to(page, SEED)
        expect(page.locator("#reader")).to_have_attribute("data-lh", "1.4")
        expect(page.locator("#reader-line-height")).to_have_value("1.4")
        if javascript:
            # Apply sends every select as it shows it.
            change(page, javascript, lambda: page.locator("#reader-apply").click())
            assert cookie(page) == "1|lh:1.4"
        change(page, javascript, lambda: page.locator("#reader-width-55").click(), apply="")
        assert cookie(page) == "1|lh:1.4|w:55"
        expect(page.locator("#reader")).to_have_attribute("data-lh", "1.4")
    finally:
        page.context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_back_to_a_shared_link_shows_the_size_applied_and_a_theme_keeps_it(
    browser: Browser, live_server: str, javascript: bool
) -> None:
    """A shared link of 200 % applied, Back to it (loaded again), a theme pressed: the size select showed 100 %
    (and said so) while the text was at 200 %, and without a script the theme put the size back to 100 %."""
    page = new_page(browser, javascript=javascript)
    try:
        page.goto(live_server + "/preferences?settings=1%7Cs:200%7Ct:dark")
        page.locator("#reader-apply-shared").click()
        page.wait_for_url("**#reader-applied")
        assert cookie(page) == "1|s:200|t:dark"
        page.go_back()
        assert page.evaluate("location.search") == "?settings=1%7Cs:200%7Ct:dark"
        assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "back_forward"
        expect(page.locator("#reader")).to_have_attribute("data-size", "200")
        expect(page.locator("#reader-size")).to_have_value("200")
        change(page, javascript, lambda: page.locator("#reader-theme-sepia").click(), apply="")
        assert cookie(page) == "1|s:200|t:sepia"
        expect(page.locator("#reader")).to_have_attribute("data-size", "200")
        expect(page.locator("#reader-size")).to_have_value("200")
    finally:
        page.context.close()


def test_a_tab_comes_up_to_date_when_the_reader_comes_back_to_it(browser: Browser, live_server: str) -> None:
    """Two tabs of one article; Dark chosen in the second. Back in the first, it used to show the light page until
    its first press, which then turned it dark and said only "Cỡ chữ 112,5 %". Now it comes up to date as it is
    shown again, saying nothing (as after Back); a tab whose settings did not change asks, and does no more."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    try:
        first, second = context.new_page(), context.new_page()
        first.goto(live_server + SEED)
        wait_for_htmx(first)
        second.goto(f"{live_server}{SEED}?panel=open")
        wait_for_htmx(second)
        with second.expect_response(lambda r: r.url.endswith("/preferences") and r.request.method == "POST"):
            second.locator("#reader-theme-dark").click()
        requests: list[str] = []
        second.on("request", lambda request: requests.append(f"{request.method} {request.url}"))
        second.evaluate(SWITCH_AWAY_AND_BACK)
        second.wait_for_timeout(500)
        assert requests == [f"GET {live_server}/preferences/current"]
        first.bring_to_front()
        first.locator("#reader-bigger").focus()
        with first.expect_response(lambda r: r.request.method == "GET" and r.url.startswith(live_server + SEED)):
            first.evaluate(SWITCH_AWAY_AND_BACK)
        reader = first.locator("#reader")
        expect(reader).to_have_attribute("data-theme", "dark")
        expect(reader).to_have_attribute(
            "data-drawn", first.evaluate("fetch('/preferences/current').then((a) => a.text())")
        )
        assert (first.locator("#reader-status").text_content() or "").strip() == ""
        expect(first.locator("#reader-bigger")).to_be_focused()
        with first.expect_response(lambda r: r.url.endswith("/preferences") and r.request.method == "POST"):
            first.locator("#reader-bigger").click()
        expect(first.locator("#reader-status")).to_have_text("Cỡ chữ 112,5 %")
        assert cookie(first) == "1|s:112.5|t:dark"
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_a_shared_link_left_open_while_the_settings_changed_applies_nothing_and_says_so(
    browser: Browser, live_server: str, javascript: bool
) -> None:
    """A shared link's page open in one tab (150 %, serif: "exactly" listed size, font and theme), line height 2
    chosen in another, then "Use exactly these settings" in the first: line height 2 went back to 1.6, unlisted.
    Now nothing changes, and the page comes back with its lists drawn afresh, saying why, focused."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=javascript)
    context.add_cookies([{"name": "reader_prefs", "value": "1|s:150|f:serif", "url": live_server}])
    try:
        shared, other = context.new_page(), context.new_page()
        shared.goto(live_server + "/preferences?settings=1%7Cs:200%7Ct:dark")
        expect(shared.locator("#reader-exact-changes")).not_to_contain_text("Giãn dòng")
        other.goto(f"{live_server}{SEED}?panel=open")
        change(other, javascript, lambda: other.locator("#reader-line-height").select_option("2"))
        assert cookie(other) == "1|s:150|lh:2|f:serif"
        shared.bring_to_front()
        shared.locator("#reader-apply-shared-exactly").click()
        shared.wait_for_url("**/preferences?settings=*&stale=shared.*#reader-shared-stale")
        assert cookie(shared) == "1|s:150|lh:2|f:serif"
        note = shared.locator("#reader-shared-stale")
        expect(note).to_have_text(
            "Cài đặt đọc của bạn đã thay đổi sau khi trang này được mở, nên chưa có gì được áp dụng. Bên dưới là "
            "những gì sẽ thay đổi nếu áp dụng lúc này: hãy xem lại rồi chọn lần nữa."
        )
        expect(note).to_be_focused()
        expect(shared.locator("#reader-exact-changes")).to_contain_text("Giãn dòng: từ 2 thành 1,6")
        shared.locator("#reader-apply-shared-exactly").click()
        shared.wait_for_url("**#reader-applied")
        assert cookie(shared) == "1|s:200|t:dark"
    finally:
        context.close()


def test_back_in_an_embed_shows_its_size_select_as_drawn_and_a_theme_keeps_the_size(
    browser: Browser, live_server: str
) -> None:
    """The embed without JavaScript (its settings in its address): A+ twice (125 %), Back one entry (loaded again,
    at 125 % from the cookie): its size select said 112,5 %, and "Dark" set 112,5 % with it."""
    page = new_page(browser, javascript=False)
    try:
        page.goto(f"{live_server}/embed/{SEED_SLUG}")
        for _ in range(2):
            page.locator("#reader-bigger").click()
            page.wait_for_load_state()
        assert cookie(page) == "1|s:125"
        page.go_back()
        assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "back_forward"
        expect(page.locator("#reader")).to_have_attribute("data-size", "125")
        expect(page.locator("#reader-size")).to_have_value("125")
        page.locator("#reader-panel-summary").click()
        page.locator("#reader-theme-dark").click()
        page.wait_for_load_state()
        assert cookie(page) == "1|s:125|t:dark"
    finally:
        page.context.close()
