"""Issue 14 without voices: the sentence marks are invisible, a device without a voice is told so, pages
without JavaScript are unchanged, and the reading guide (line focus) works by keyboard, in every theme,
in forced colours and at 400 %. Read aloud with real voices: test_read_aloud.py."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from reader.colors import contrast_ratio
from tests.browser import a11y
from tests.browser.conftest import describe_violations, run_axe
from tests.conftest import SEED_SLUG

THEMES = ["auto", "light", "dark", "sepia", "contrast-dark", "contrast-light"]

GUIDE = """() => {
  const parts = {};
  for (const part of document.querySelectorAll('.reader-guide > *')) {
    const s = getComputedStyle(part), r = part.getBoundingClientRect();
    parts[part.className.replace('reader-guide-', '')] = {display: s.display, top: r.top, bottom: r.bottom,
      height: r.height, left: r.left, right: r.right, border: s.borderTopColor,
      borderWidth: parseFloat(s.borderTopWidth), background: s.backgroundColor};
  }
  const reader = getComputedStyle(document.getElementById('reader'));
  return {parts, mode: document.querySelector('.reader-guide')?.dataset.mode || null,
          background: reader.backgroundColor,
          lineHeight: parseFloat(getComputedStyle(document.querySelector('.reader-body p')).lineHeight)};
}"""


def guide(page: Page) -> dict[str, Any]:
    page.evaluate("() => new Promise(requestAnimationFrame)")  # the guide is drawn in the next frame
    state: dict[str, Any] = page.evaluate(GUIDE)
    return state


def test_sentence_marks_change_neither_the_look_nor_what_a_screen_reader_gets(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/articles/{SEED_SLUG}")
    page.evaluate("document.fonts.ready")
    article = page.locator("#reader-article")
    ids = page.eval_on_selector_all(
        "#reader-article [data-sentence]", "spans => new Set(spans.map((s) => s.dataset.sentence)).size"
    )
    assert ids == 1 + 1 + 13  # title, lead, and the body's 13 sentences of the readability report
    marked_pixels, marked_tree = article.screenshot(), article.aria_snapshot()
    page.evaluate(
        "() => { for (const s of document.querySelectorAll('[data-sentence]')) s.replaceWith(...s.childNodes); }"
    )
    assert page.locator("[data-sentence]").count() == 0
    assert article.screenshot() == marked_pixels
    assert article.aria_snapshot() == marked_tree


def test_no_voice_for_the_language_is_said_and_without_javascript_the_tools_are_absent(
    page: Page, live_server: str, browser: Browser
) -> None:
    # This browser has no speech-dispatcher, so no voice at all.
    page.goto(f"{live_server}/articles/{SEED_SLUG}")
    expect(page.locator("#reader-voice-message")).to_have_text(
        "Thiết bị này không có giọng đọc Tiếng Việt nên không thể đọc to bài này."
    )
    expect(page.locator("#reader-speak")).to_be_hidden()
    expect(page.locator("#reader-speech-rate")).to_be_hidden()
    page.click("#reader-panel-summary")  # the settings are in the Readability panel
    expect(page.locator("#reader-guide")).to_be_visible()  # the guide needs no voice
    expect(page.locator("#reader-tools-settings .reader-tools-speech")).to_be_hidden()  # nothing to set
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        static = context.new_page()
        static.goto(f"{live_server}/articles/{SEED_SLUG}")
        expect(static.locator("#reader-tools")).to_be_hidden()
        tree = static.locator("body").aria_snapshot()
        assert "Đọc to" not in tree and "Thước đọc" not in tree and "Phím tắt" not in tree
        static.goto(f"{live_server}/articles/{SEED_SLUG}?panel=open")  # and none in the open panel either
        expect(static.locator("#reader-tools-settings")).to_be_hidden()
        tree = static.locator("body").aria_snapshot()
        assert "Đọc to" not in tree and "Thước đọc" not in tree and "Phím tắt" not in tree
        assert static.locator(".reader-guide").count() == 0
    finally:
        context.close()


# The text lines (their bottoms, in viewport px) whose middle lies inside the band.
LINES_IN_BAND = """() => {
  const band = document.querySelector('.reader-guide-band').getBoundingClientRect();
  const bottoms = [], range = document.createRange();
  const walker = document.createTreeWalker(document.getElementById('reader-article'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.height && (r.top + r.bottom) / 2 > band.top && (r.top + r.bottom) / 2 < band.bottom) bottoms.push(r.bottom);
    }
  }
  return bottoms.sort((a, b) => a - b);
}"""


def lines_in_band(page: Page) -> list[float]:
    guide(page)
    lines: list[float] = []
    for bottom in page.evaluate(LINES_IN_BAND):
        if not lines or bottom - lines[-1] > 4:  # fragments of one line (bold, a link) end together
            lines.append(bottom)
    return lines


def test_the_reading_guide_by_keyboard(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/articles/{SEED_SLUG}?panel=open")  # the guide's setting is in the panel
    guide_select = page.locator("#reader-guide")
    guide_select.focus()
    page.keyboard.press("ArrowDown")  # off → 1 line: posted, the region swapped, the focus kept
    expect(page.locator("#reader-status")).to_have_text("Thước đọc: 1 dòng")
    assert len(lines_in_band(page)) == 1
    page.keyboard.press("ArrowDown")  # → 3 lines
    expect(page.locator("#reader-status")).to_have_text("Thước đọc: 3 dòng")
    expect(guide_select).to_be_focused()
    state = guide(page)
    assert state["mode"] == "band"
    assert state["parts"]["above"]["display"] == "block" and state["parts"]["below"]["display"] == "block"
    shown = lines_in_band(page)
    assert len(shown) == 3
    # Arrow keys move it line by line once the focus is out of the list (Tab: the guide holds no focus).
    page.keyboard.press("Tab")
    expect(page.locator("#reader-shortcuts-summary")).to_be_focused()
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    scrolled = page.evaluate("() => scrollY")
    moved = lines_in_band(page)
    assert len(moved) == 3
    page.keyboard.press("ArrowUp")
    back = lines_in_band(page)
    assert abs(back[1] - moved[0]) < 3 and abs(back[2] - moved[1]) < 3, (back, moved)
    assert page.evaluate("() => scrollY") <= scrolled  # the page follows the band, never the other way
    page.keyboard.press("Shift+Tab")
    expect(guide_select).to_be_focused()
    page.keyboard.press("ArrowDown")  # → 5 lines
    expect(page.locator("#reader-status")).to_have_text("Thước đọc: 5 dòng")
    assert len(lines_in_band(page)) == 5
    page.keyboard.press("ArrowDown")  # → a ruler under the line
    expect(page.locator("#reader-status")).to_have_text("Thước đọc: thước kẻ dưới dòng")
    ruler = guide(page)
    assert ruler["mode"] == "ruler" and ruler["parts"]["ruler"]["display"] == "block"
    assert ruler["parts"]["above"]["display"] == "none"
    cookie = next(c for c in page.context.cookies() if c["name"] == "reader_prefs")
    assert "g:ruler" in cookie["value"].split("|")
    page.keyboard.press("Home")  # → off
    expect(page.locator("#reader-status")).to_have_text("Thước đọc: tắt")
    assert guide(page)["mode"] is None


def test_the_reading_guide_and_the_sentence_highlight_in_every_theme_at_400_and_in_forced_colours(
    browser: Browser, live_server: str
) -> None:
    for theme in [*THEMES, "forced-colours"]:
        # Every theme at 400 % on a 320 px phone (the hardest case); forced colours at 100 % on a desktop.
        size, (width, height) = ("100", (1280, 800)) if theme == "forced-colours" else ("400", (320, 640))
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        try:
            cookie = f"1|s:{size}|t:{'light' if theme == 'forced-colours' else theme}|g:3"
            context.add_cookies([{"name": "reader_prefs", "value": cookie, "url": live_server + "/"}])
            page = context.new_page()
            if theme == "forced-colours":
                page.emulate_media(forced_colors="active")
            page.goto(f"{live_server}/articles/{SEED_SLUG}")
            line = page.locator('[data-sentence="b1"]').first.evaluate(
                "e => { e.scrollIntoView({block: 'center'});"
                " const middle = (r) => Math.abs(r.top + r.height / 2 - innerHeight / 2);"
                " const r = [...e.getClientRects()].sort((a, b) => middle(a) - middle(b))[0];"
                " return {x: r.left + 5, y: r.top + r.height / 2}; }"
            )
            page.mouse.move(line["x"], line["y"])  # the pointer moves the band
            assert len(lines_in_band(page)) == 3, theme
            state = guide(page)
            band = state["parts"]["band"]
            assert 0 <= band["top"] and band["bottom"] <= height + 1, theme
            assert band["left"] >= 0 and band["right"] <= width, theme
            assert state["parts"]["above"]["background"] != "rgba(0, 0, 0, 0)", theme  # the rest is dimmed
            # The band's edges stand out from the page: at least 3:1 (1.4.11); the system's Highlight in
            # forced colours.
            edge = contrast_ratio(a11y._hex(band["border"]), a11y._hex(state["background"]))
            assert band["borderWidth"] >= 2 and edge >= 3, f"{theme}: edge contrast {edge:.1f}"
            if theme == "forced-colours":
                highlight = page.evaluate(
                    "() => { const e = document.createElement('i'); e.style.color = 'Highlight';"
                    " document.body.append(e); const c = getComputedStyle(e).color; e.remove(); return c; }"
                )
                assert band["border"] == highlight
            assert a11y.reflow_problems(page) == [], theme
            # The sentence being read, shown in this theme, keeps 7:1 (axe's enhanced contrast rule).
            page.evaluate(
                "() => document.querySelectorAll('[data-sentence=\"b1\"]')"
                ".forEach((s) => s.classList.add('reader-speaking'))"
            )
            violations = run_axe(page, include='[data-sentence="b1"]')
            assert violations == [], f"{theme}\n{describe_violations(violations)}"
        finally:
            context.close()
