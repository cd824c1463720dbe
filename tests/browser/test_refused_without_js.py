"""Refused input without JavaScript (colours under 7:1, clashing shortcut keys) in a real browser: the form's
answer is a 303 back to the page the reader was on, as every other change is, at an address of that page that
shows the refusal beside the fields with what the reader typed in them (reader.refused_note). It was the page
itself answered to the POST (400) at /preferences: reload sent the form again, Back after leaving it was the
browser's "Confirm Form Resubmission" error, and a bookmark of it was the settings page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import SEED_SLUG

SEED = f"/articles/{SEED_SLUG}"
EMBED = f"/embed/{SEED_SLUG}"
COLOURS = ("#777777", "#888888")  # 1.2:1


@pytest.fixture
def no_js(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="vi-VN", java_script_enabled=False, viewport={"width": 1280, "height": 800})
    try:
        yield context
    finally:
        context.close()


def posts(page: Page) -> list[str]:
    """Every POST the page makes from now on (the list grows)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.method == "POST" else None)
    return seen


def answer_of(page: Page, action: str) -> tuple[int, dict[str, str]]:
    """The status and headers of the page's document after clicking `action` (a navigation)."""
    with page.expect_navigation() as navigation:
        page.click(action)
    response = navigation.value
    assert response is not None
    return response.status, response.all_headers()


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement?.id || document.activeElement?.tagName"))


def check_reload_and_back(page: Page, message: str) -> None:
    """Reload sends no form and shows the page again; leaving it and coming back (Back) too."""
    address = page.url
    sent = posts(page)
    reloaded = page.reload()
    assert reloaded is not None and reloaded.status == 200 and reloaded.request.method == "GET"
    expect(page.locator(message)).to_be_visible()
    page.goto(page.url.split("/articles/")[0].split("/embed/")[0].split("/preferences")[0] + "/")
    back = page.go_back()
    assert back is not None and back.status == 200 and back.request.method == "GET"
    assert page.url == address
    expect(page.locator(message)).to_be_visible()
    assert sent == []


@pytest.mark.parametrize("path", [SEED, "/preferences", EMBED])
def test_refused_colours_come_back_at_the_pages_own_address(no_js: BrowserContext, live_server: str, path: str) -> None:
    page = no_js.new_page()
    page.goto(live_server + path + ("" if path == "/preferences" else "?panel=open"))
    for picker, colour in zip(("#reader-text-color", "#reader-background-color"), COLOURS, strict=True):
        page.locator(picker).fill(colour)
    sent = posts(page)
    status, headers = answer_of(page, "#reader-colors-apply")
    assert len(sent) == 1 and sent[0].endswith("/preferences")
    # The page it was sent from, at the message: not /preferences's POST answer.
    address = urlsplit(page.url)
    assert address.path == path and address.fragment == "reader-colors-refused" and "refused=" in address.query
    assert status == 200 and "public" not in headers["cache-control"] and "private" in headers["cache-control"]
    message = page.locator("#reader-colors-refused")
    expect(message).to_have_text(re.compile(r"^Chưa áp dụng màu: độ tương phản chỉ là 1,2:1, cần ít nhất 7:1"))
    assert focused_id(page) == "reader-colors-refused"  # read first; Tab goes on to the pickers
    for picker, colour in zip(("#reader-text-color", "#reader-background-color"), COLOURS, strict=True):
        expect(page.locator(picker)).to_have_value(colour)
        expect(page.locator(picker)).to_have_attribute("aria-invalid", "true")
        expect(page.locator(picker)).to_have_attribute("aria-describedby", "reader-colors-hint reader-colors-refused")
    page.keyboard.press("Tab")
    assert focused_id(page) == "reader-text-color"
    expect(page.locator("#reader")).not_to_have_attribute("data-colors", "custom")  # nothing was applied
    check_reload_and_back(page, "#reader-colors-refused")


@pytest.mark.parametrize("path", ["/preferences", SEED])
def test_clashing_keys_come_back_at_the_pages_own_address(no_js: BrowserContext, live_server: str, path: str) -> None:
    page = no_js.new_page()
    page.goto(live_server + path + ("" if path == "/preferences" else "?panel=open"))
    if path != "/preferences":
        # An article shows its read-aloud settings only with a script; the form is there, and is sent the same.
        page.locator("#reader-tools-settings").evaluate("e => { e.hidden = false; e.style.display = 'block'; }")
        page.locator("#reader-shortcuts").evaluate("e => e.open = true")
    page.fill("#reader-key-play", "j")
    page.fill("#reader-key-previous", "j")
    page.fill("#reader-key-next", "l")
    status, headers = answer_of(page, "#reader-keys-save")
    address = urlsplit(page.url)
    assert address.path == path and address.fragment == "reader-keys-refused" and "refused=" in address.query
    assert status == 200 and "public" not in headers["cache-control"]
    message = page.locator("#reader-keys-refused")
    expect(message).to_have_text("Chưa đổi phím tắt: mỗi thao tác cần một phím riêng")
    for field, key, invalid in (("play", "j", True), ("previous", "j", True), ("next", "l", False)):
        box = page.locator(f"#reader-key-{field}")
        expect(box).to_have_value(key)
        expect(box).to_have_attribute("aria-describedby", "reader-keys-refused")
        assert (box.get_attribute("aria-invalid") == "true") is invalid, field
    if path == "/preferences":  # (an article's are hidden again: the message cannot take the focus there)
        assert focused_id(page) == "reader-keys-refused"
        check_reload_and_back(page, "#reader-keys-refused")
    # Nothing was saved: the keys are the defaults still.
    assert [c for c in no_js.cookies() if c["name"] == "reader_prefs"] == []


def test_a_refusals_address_shows_nothing_in_another_browser(
    browser: Browser, no_js: BrowserContext, live_server: str
) -> None:
    """A copied address is the page without the refusal for anyone else: the fields show their settings."""
    page = no_js.new_page()
    page.goto(f"{live_server}{SEED}?panel=open")
    for picker, colour in zip(("#reader-text-color", "#reader-background-color"), COLOURS, strict=True):
        page.locator(picker).fill(colour)
    answer_of(page, "#reader-colors-apply")
    other = browser.new_context(locale="vi-VN", java_script_enabled=False)
    try:
        stranger = other.new_page()
        stranger.goto(page.url)
        expect(stranger.locator("#reader-title")).to_be_visible()
        assert stranger.locator("#reader-colors-refused").count() == 0
        expect(stranger.locator("#reader-text-color")).not_to_have_value(COLOURS[0])
    finally:
        other.close()
