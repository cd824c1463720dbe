"""The read-aloud settings on the settings page (/preferences): the reading speed, a voice for each of reader's
languages, the reading guide and the keyboard shortcuts, as the article's panel has them, kept in the cookie
and applied on the next article. The Web Speech API is STUBBED (test_reading_tools.STUB_SPEECH), with voices
named in the test: real voices are test_read_aloud.py's."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import describe_violations, run_axe, wait_for_htmx
from tests.browser.test_reading_tools import LAYOUT_SHIFTS, STUB_SPEECH
from tests.conftest import SEED_SLUG, SIGNED_MAC

# Each utterance's rate, as the voice was asked to read it.
RATES = """
  window.__rates = [];
  const speak = speechSynthesis.speak;
  speechSynthesis.speak = (utterance) => { window.__rates.push(utterance.rate); speak(utterance); };
"""
VOICES = """() => window.__voicesArrive([
  {name: 'Giọng Bắc rất dài để thử độ rộng của ô chọn', lang: 'vi-VN', localService: true, default: true},
  {name: 'An', lang: 'vi-VN', localService: true, default: false},
  {name: 'Anna', lang: 'en-US', localService: false, default: false},
])"""


@pytest.fixture
def stubbed(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    try:
        context.add_init_script(STUB_SPEECH)
        context.add_init_script(RATES)
        context.add_init_script(LAYOUT_SHIFTS)
        yield context
    finally:
        context.close()


def changed(page: Page, action: str) -> None:
    """Do `action` (a Playwright call as a string, on the page) and wait for the swapped region."""
    with page.expect_response(lambda r: r.url.endswith("/preferences") and r.request.method == "POST"):
        eval(action, {"page": page})  # noqa: S307 (the test's own strings)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def test_speed_voice_and_shortcuts_set_there_apply_on_an_article(stubbed: BrowserContext, live_server: str) -> None:
    page = stubbed.new_page()
    page.goto(live_server + "/preferences")
    wait_for_htmx(page)
    speed = page.get_by_label("Tốc độ đọc")
    expect(speed).to_be_visible()
    expect(page.get_by_role("group", name="Đọc to")).to_be_visible()
    # The voices, from the browser's list as the article's panel has them: the automatic choice names the one it is.
    page.evaluate(VOICES)
    voice_vi = page.get_by_label("Giọng đọc tiếng Việt")
    expect(voice_vi.locator("option")).to_have_text(
        ["Tự động: Giọng Bắc rất dài để thử độ rộng của ô chọn", "Giọng Bắc rất dài để thử độ rộng của ô chọn", "An"]
    )
    expect(page.get_by_label("Giọng đọc tiếng Anh").locator("option")).to_have_text(
        ["Tự động: Anna (trực tuyến)", "Anna (trực tuyến)"]
    )
    # The speed: kept, said in the status region, the focus still on the select after the swap.
    speed.focus()
    changed(page, "page.get_by_label('Tốc độ đọc').select_option('1.5')")
    expect(page.locator("#reader-speech-rate")).to_be_focused()
    expect(page.locator("#reader-speech-rate")).to_have_value("1.5")
    expect(page.locator("#reader-status")).to_contain_text("1,5")
    # A voice: kept, and the select is filled again after the swap with it chosen.
    voice_vi.focus()
    changed(page, "page.get_by_label('Giọng đọc tiếng Việt').select_option('An')")
    expect(page.locator("#reader-voice-vi")).to_be_focused()
    expect(page.locator("#reader-voice-vi")).to_have_value("An")
    # Single-key shortcuts off (WCAG 2.1.4), by keyboard: the button says so, keeps the focus, and it is said.
    toggle = page.locator("#reader-shortcuts-toggle")
    expect(toggle).to_be_visible()  # the shortcut settings are open on the settings page
    toggle.focus()
    changed(page, "page.keyboard.press('Enter')")
    expect(page.locator("#reader-shortcuts-toggle")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#reader-shortcuts-toggle")).to_be_focused()
    expect(page.locator("#reader-status")).to_have_text("Đã tắt phím tắt một phím")
    # Nothing on the settings page moved as the voices came and the settings were changed.
    assert page.evaluate("window.__shifts") == []
    violations = run_axe(page)
    assert violations == [], describe_violations(violations)

    # On an article: the speed and the voice are the reader's, and K does nothing.
    page.goto(f"{live_server}/articles/{SEED_SLUG}")
    wait_for_htmx(page)
    tools = page.locator("#reader-tools")
    expect(tools).to_have_attribute("data-rate", "1.5")
    expect(tools).to_have_attribute("data-voice", "An")
    expect(tools).to_have_attribute("data-shortcuts", "off")
    page.locator("#reader-article h1, #reader-article p").first.click()
    page.keyboard.press("k")
    page.wait_for_timeout(300)
    expect(page.locator("#reader-status")).to_have_text("")
    expect(page.locator("#reader-speak-label")).to_have_text("Đọc to")
    # Read aloud pressed reads at the speed chosen on the settings page.
    page.evaluate(VOICES)
    page.locator("#reader-speak").click()
    page.wait_for_function("() => window.__rates.length > 0")
    assert page.evaluate("window.__rates[0]") == 1.5

    # The control: shortcuts on again on the settings page, and K starts reading on the article.
    page.goto(live_server + "/preferences")
    wait_for_htmx(page)
    changed(page, "page.locator('#reader-shortcuts-toggle').click()")
    expect(page.locator("#reader-shortcuts-toggle")).to_have_attribute("aria-pressed", "true")
    page.goto(f"{live_server}/articles/{SEED_SLUG}")
    wait_for_htmx(page)
    expect(page.locator("#reader-tools")).to_have_attribute("data-shortcuts", "on")
    page.locator("#reader-article h1, #reader-article p").first.click()
    page.keyboard.press("k")
    expect(page.locator("#reader-status")).to_have_text("Đang tìm giọng đọc tiếng Việt…")


def test_a_key_clash_on_the_settings_page_is_refused_beside_the_keys(stubbed: BrowserContext, live_server: str) -> None:
    page = stubbed.new_page()
    page.goto(live_server + "/preferences")
    wait_for_htmx(page)
    page.fill("#reader-key-play", "j")
    page.fill("#reader-key-previous", "j")
    changed(page, "page.click('#reader-keys-save')")
    expect(page.locator("#reader-keys-refused")).to_be_visible()
    expect(page.locator("#reader-key-play")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reader-key-previous")).to_have_attribute("aria-invalid", "true")
    assert page.locator("#reader-key-next").get_attribute("aria-invalid") is None
    expect(page.locator("#reader-keys-save")).to_be_focused()


def test_without_javascript_the_settings_page_keeps_the_speed_the_guide_and_the_shortcuts(
    browser: Browser, live_server: str
) -> None:
    """They apply wherever a page reads aloud (with scripting there): the settings page sends and keeps them.
    The voices, which only a script can list, are not shown."""
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server + "/preferences")
        expect(page.get_by_label("Giọng đọc tiếng Việt")).to_be_hidden()
        expect(page.get_by_label("Giọng đọc tiếng Anh")).to_be_hidden()
        page.get_by_label("Tốc độ đọc").select_option("0.75")
        page.locator("#reader-speech-rate-form").get_by_role("button", name="Áp dụng").click()
        page.wait_for_url(
            re.compile(
                re.escape(live_server + "/preferences?panel=open&saved=reader-speech-rate-form:set:speech_rate.")
                + SIGNED_MAC
                + "#reader-saved"
            )
        )
        expect(page.get_by_label("Tốc độ đọc")).to_have_value("0.75")
        # The page says the new value beside the control, as an article's note does (it said only "saved",
        # near the top, some 30 Tab stops away); focused there, Tab goes on to the control.
        _expect_the_note_beside(page, "#reader-speech-rate-form", "Tốc độ đọc 0,75×", "#reader-speech-rate")
        page.locator("#reader-guide").select_option("3")
        page.locator("#reader-guide-form").get_by_role("button", name="Áp dụng").click()
        expect(page.locator("#reader-guide")).to_have_value("3")
        _expect_the_note_beside(page, "#reader-guide-form", "Thước đọc: 3 dòng", "#reader-guide")
        page.locator("#reader-shortcuts-toggle").click()
        expect(page.locator("#reader-shortcuts-toggle")).to_have_attribute("aria-pressed", "false")
        _expect_the_note_beside(page, "#reader-shortcuts", "Đã tắt phím tắt một phím", "#reader-shortcuts-toggle")
        cookie = next(c["value"] for c in context.cookies() if c["name"] == "reader_prefs")
        assert cookie == "1|sr:0.75|g:3|k:0"
    finally:
        context.close()


def _expect_the_note_beside(page: Page, group: str, said: str, next_stop: str) -> None:
    """The note of a change without JavaScript: in the group of the control used, with the new value, the only
    one, focused and in sight; Tab goes on to `next_stop`."""
    note = page.locator(f"{group} #reader-saved")
    expect(note).to_have_text(said)
    expect(page.locator("#reader-saved")).to_have_count(1)
    expect(note).to_be_focused()
    expect(note).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(page.locator(next_stop)).to_be_focused()


def test_without_javascript_the_settings_page_says_the_new_size_beside_its_control(
    browser: Browser, live_server: str
) -> None:
    """ "Cỡ chữ" and its "Áp dụng", A+ and A−: as on an article without JavaScript, the note beside the group
    says the new value and has the focus."""
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server + "/preferences")
        page.select_option("#reader-size", "125")
        with page.expect_navigation():
            page.click("#reader-apply")
        _expect_the_note_beside(page, "#reader-spacing", "Cỡ chữ 125\u00a0%", "#reader-size")
        page.focus("#reader-bigger")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        _expect_the_note_beside(page, "#reader-toolbar", "Cỡ chữ 150\u00a0%", "#reader-bigger")
        # Only on the way back from a change: the page itself says nothing.
        page.goto(live_server + "/preferences")
        expect(page.locator("#reader-saved")).to_have_count(0)
    finally:
        context.close()


def test_the_voice_lists_load_their_module_only_once_a_voice_field_is_near(
    stubbed: BrowserContext, live_server: str
) -> None:
    """reading-tools.js (5.7 KiB) would put a first visit of the settings page over its 40 KiB budget in a
    browser that has voices (a phone's: the budget test's headless browser has none): it loads once a voice
    field comes near the screen, as an image below the fold waits, or is focused."""
    page = stubbed.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/reading-tools." in r.url else None)
    page.goto(live_server + "/preferences")
    wait_for_htmx(page)
    page.evaluate(VOICES)
    page.wait_for_timeout(500)
    voice_vi = page.get_by_label("Giọng đọc tiếng Việt")
    assert asked == [] and voice_vi.locator("option").count() == 1  # the automatic choice alone
    # With scripting each change posts itself: the buttons a page without it needs are not shown.
    expect(page.locator(".reader-without-script")).to_have_count(2)
    for button in page.locator(".reader-without-script").all():
        expect(button).to_be_hidden()
    voice_vi.scroll_into_view_if_needed()
    expect(voice_vi.locator("option")).to_have_count(3)
    assert len(asked) == 1


def test_the_settings_page_offers_every_font_and_presses_the_readers_own(browser: Browser, live_server: str) -> None:
    # Atkinson Hyperlegible, chosen on an English article, has no Vietnamese letters: with a Vietnamese
    # interface the settings page left its button out and pressed Sans-serif (what Vietnamese text is set in),
    # so a screen reader heard "Không chân, đã nhấn", and the reader could neither see nor choose Atkinson there.
    # It says now which text Atkinson does not set. An article's panel is as it was: only its language's fonts.
    context = browser.new_context(locale="vi-VN")
    try:
        context.add_cookies([{"name": "reader_prefs", "value": "1|f:atkinson", "url": live_server}])
        page = context.new_page()
        page.goto(live_server + "/preferences")
        atkinson = page.locator("#reader-font-atkinson")
        expect(atkinson).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#reader-font-sans")).to_have_attribute("aria-pressed", "false")
        expect(atkinson).to_have_accessible_description(
            "Atkinson Hyperlegible không có đủ chữ cái tiếng Việt: "
            "văn bản tiếng Việt được hiển thị bằng phông Không chân."
        )
        expect(page.locator("#reader-fonts [aria-pressed=true]")).to_have_count(1)
        # Chosen there, it is kept (the sample, in Vietnamese, stays in Sans-serif).
        page.locator("#reader-font-lexend").click()
        expect(page.locator("#reader-font-lexend")).to_have_attribute("aria-pressed", "true")
        page.locator("#reader-font-atkinson").click()
        expect(page.locator("#reader-font-atkinson")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#reader")).to_have_attribute("data-font", "sans")
        page.goto(live_server + f"/articles/{SEED_SLUG}?panel=open")
        expect(page.locator("#reader-font-atkinson")).to_have_count(0)
        expect(page.locator("#reader-font-sans")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#reader-font-sans-gaps, #reader-font-atkinson-gaps")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/preferences", f"/articles/{SEED_SLUG}?panel=open"])
def test_with_the_readers_own_colours_no_theme_is_pressed(browser: Browser, live_server: str, path: str) -> None:
    # The reader's own colours replace every theme's, yet Dark (the theme underneath) stayed pressed, and a
    # screen reader heard that Dark was on. No theme is pressed now, and the group says why; "Use theme colours"
    # brings Dark back, pressed.
    context = browser.new_context(locale="vi-VN")
    try:
        context.add_cookies([{"name": "reader_prefs", "value": "1|t:dark|fg:000000|bg:fdf6e3", "url": live_server}])
        page = context.new_page()
        page.goto(live_server + path)
        expect(page.locator("#reader")).to_have_attribute("data-colors", "custom")
        expect(page.locator("#reader-themes [aria-pressed=true]")).to_have_count(0)
        expect(page.locator("#reader-themes-custom")).to_have_text(
            "Đang dùng màu của riêng bạn: chọn một giao diện sẽ tắt các màu này."
        )
        wait_for_htmx(page)
        page.locator("#reader-colors-reset").click()
        expect(page.locator("#reader-theme-dark")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#reader-themes-custom")).to_have_count(0)
    finally:
        context.close()
