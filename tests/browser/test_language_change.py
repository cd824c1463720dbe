"""The browser's language changed between a page and a change made on it, with JavaScript: the answer is in the
new language, and it used to be swapped into the page drawn in the old one (an English region, status
included, under <html lang="vi"> and a Vietnamese title: read with the Vietnamese voice). Now the whole page is
drawn again in the new language, at the note that says the change (reader.htmx). A Playwright route rewrites
Accept-Language from a point on, as a reader changing their browser's language does."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.browser.conftest import wait_for_htmx

# What a page says of its language: the document's, its title, the region's nearest `lang`, its heading, and the
# language of the nearest `lang` of the element a screen reader reads now (the focus).
LANGUAGES = """() => {
  const region = document.getElementById('reader');
  const focused = document.activeElement;
  return {html: document.documentElement.lang, title: document.title,
          region: region.closest('[lang]').lang, h1: document.querySelector('h1').textContent.trim(),
          focused: focused.id, focusedLang: focused.closest('[lang]')?.lang, focusedText: focused.textContent.trim()};
}"""


@pytest.fixture
def vietnamese(context: BrowserContext) -> BrowserContext:
    """A browser whose reader prefers Vietnamese: conftest's own context (vi-VN)."""
    return context


def now_in_english(context: BrowserContext) -> None:
    """From now on every request says the reader's browser prefers English."""

    def english(route: Route) -> None:
        route.continue_(headers={**route.request.headers, "accept-language": "en-US,en;q=0.9"})

    context.route("**/*", english)


# What settings-history.js listens for when Back or Forward brings a page back from the back/forward cache.
BACK_FORWARD_SHOW = "dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"


def cookie(context: BrowserContext) -> str:
    return next((c["value"] for c in context.cookies() if c["name"] == "reader_prefs"), "")


def test_a_change_on_the_settings_page_after_the_language_changed_redraws_it_whole(
    vietnamese: BrowserContext, live_server: str
) -> None:
    page = vietnamese.new_page()
    page.goto(live_server + "/preferences")
    wait_for_htmx(page)
    assert page.evaluate(LANGUAGES)["html"] == "vi"
    now_in_english(vietnamese)
    with page.expect_navigation():
        page.click("#reader-bigger")
    wait_for_htmx(page)
    seen = page.evaluate(LANGUAGES)
    assert (seen["html"], seen["title"], seen["region"], seen["h1"]) == (
        "en",
        "Reading settings · reader",
        "en",
        "Reading settings",
    )
    # The change was made, and the page opens at its note, which says it (in English, read so).
    assert cookie(vietnamese) == "1|s:112.5"
    assert (seen["focused"], seen["focusedLang"], seen["focusedText"]) == (
        "reader-saved",
        "en",
        "Text size 112.5\u00a0%",
    )
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    # The next change, the page now in English, is swapped in as usual (no navigation) and said.
    page.click("#reader-bigger")
    expect(page.locator("#reader-status")).to_have_text("Text size 125\u00a0%")
    assert page.evaluate(LANGUAGES)["html"] == "en"


@pytest.mark.parametrize(("path", "title"), [("/preferences", "Reading settings · reader"), ("/", "Articles · reader")])
def test_the_back_refresh_after_the_language_changed_reloads_the_page_whole(
    vietnamese: BrowserContext, live_server: str, path: str, title: str
) -> None:
    """settings-history.js's refresh of a page Back brought back drawn before a change (and in Vietnamese): the
    region in English is not swapped into it; the page is loaded again, whole, in English, at the new size.
    (The page's `pageshow` of a back/forward navigation is dispatched here: the headless shell keeps no page
    in its back/forward cache, and one the server draws again after Back is in the new language already.)"""
    page: Page = vietnamese.new_page()
    page.goto(live_server + path)
    wait_for_htmx(page)
    changed_elsewhere(vietnamese, live_server)
    now_in_english(vietnamese)
    with page.expect_navigation():
        page.evaluate(BACK_FORWARD_SHOW)
    wait_for_htmx(page)
    seen = page.evaluate(LANGUAGES)
    assert (seen["html"], seen["title"], seen["region"]) == ("en", title, "en")
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")


def test_the_back_refresh_in_the_same_language_still_swaps_the_region(
    vietnamese: BrowserContext, live_server: str
) -> None:
    # The same refresh with no change of language: swapped in place, no navigation (the reader's place kept).
    page = vietnamese.new_page()
    page.goto(live_server + "/")
    wait_for_htmx(page)
    page.evaluate("window.kept = true")
    changed_elsewhere(vietnamese, live_server)
    page.evaluate(BACK_FORWARD_SHOW)
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    assert page.evaluate("window.kept") is True
    assert page.evaluate(LANGUAGES)["html"] == "vi"


def changed_elsewhere(context: BrowserContext, live_server: str) -> None:
    """A+ pressed on the settings page in another tab (in Vietnamese): 112.5 %."""
    other = context.new_page()
    other.goto(live_server + "/preferences")
    wait_for_htmx(other)
    other.click("#reader-bigger")
    expect(other.locator("#reader-status")).to_have_text("Cỡ chữ 112,5\u00a0%")
    other.close()
