"""Every accessibility check, seen to fail on a deliberately broken variant of a page before it is trusted."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser import a11y
from tests.browser.test_a11y_pages import font_problems
from tests.conftest import SEED_SLUG, TABLE_SLUG

SEED = f"/articles/{SEED_SLUG}"
TABLE = f"/articles/{TABLE_SLUG}"


def add_css(page: Page, css: str) -> None:
    page.evaluate(
        """(css) => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
                      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }""",
        css,
    )


@pytest.fixture
def open_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []

    def opener(path: str, *, width: int = 1280, prefs: str = "1") -> Page:
        context = browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)
        context.add_cookies([{"name": "reader_prefs", "value": prefs, "url": live_server + "/"}])
        page = context.new_page()
        page.goto(live_server + path)
        return page

    yield opener
    for context in contexts:
        context.close()


def test_axe_sees_a_three_to_one_colour(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    assert a11y.axe_problems(page) == []
    add_css(page, ".reader-body p { color: #949494 !important; }")
    assert any(p.startswith("color-contrast ") for p in a11y.axe_problems(page))


def test_axe_sees_a_six_to_one_colour_at_the_aaa_level(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    add_css(page, ".reader-body p { color: #5e5e5e !important; }")  # 6.5:1 on white: AA passes, AAA does not
    problems = a11y.axe_problems(page)
    assert any(p.startswith("color-contrast-enhanced ") for p in problems)
    assert not any(p.startswith("color-contrast ") for p in problems)


def test_reflow_sees_a_fixed_width_box(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED, width=320, prefs="1|s:400")
    assert a11y.reflow_problems(page) == []
    add_css(page, ".reader-lead { width: 40rem; }")
    assert any("scrolls sideways" in p for p in a11y.reflow_problems(page))


def test_reflow_sees_a_table_without_its_scroll_region(open_page: Callable[..., Page]) -> None:
    page = open_page(TABLE, width=320, prefs="1|s:400")
    assert a11y.reflow_problems(page) == []
    page.evaluate("document.querySelector('.reader-table').removeAttribute('tabindex')")
    assert any("table without its own" in p for p in a11y.reflow_problems(page))
    page.evaluate("() => { const r = document.querySelector('.reader-table'); r.replaceWith(...r.childNodes); }")
    assert any("scrolls sideways" in p for p in a11y.reflow_problems(page))


def test_text_spacing_sees_a_fixed_height_box(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    assert a11y.text_spacing_problems(page) == []
    # Exactly as tall as its text without the overrides: fine until the reader adds spacing.
    page.evaluate(
        "() => { const e = document.querySelector('.reader-lead');"
        " e.style.height = e.getBoundingClientRect().height + 'px'; e.style.overflow = 'hidden'; }"
    )
    assert a11y.clipping_problems(page) == []
    assert any("clipped: p.reader-lead" in p for p in a11y.text_spacing_problems(page))


def test_clipping_sees_a_covered_control(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    add_css(page, ".reader-size-now { position: relative; z-index: 5; margin-inline-start: -3em; background: #fff; }")
    assert any("control covered: button#reader-smaller" in p for p in a11y.clipping_problems(page))


def test_keyboard_sees_a_missing_focus_indicator(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    assert a11y.keyboard_problems(page) == []
    add_css(page, ".reader :focus-visible { outline: none !important; }")
    assert any("focus indicator under 2 px: button#reader-bigger" in p for p in a11y.keyboard_problems(page))


def test_keyboard_sees_a_thin_or_faint_focus_indicator(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    add_css(page, "#reader-bigger:focus-visible { outline-width: 1px !important; }")
    assert any("under 2 px: button#reader-bigger" in p for p in a11y.keyboard_problems(page))
    page = open_page(SEED)
    add_css(page, "#reader-bigger:focus-visible { outline-color: #dddddd !important; }")
    assert any("contrast 1.36:1 < 3:1: button#reader-bigger" in p for p in a11y.keyboard_problems(page))


def test_keyboard_sees_a_visual_order_that_differs(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    add_css(page, "#reader-smaller { order: -1; }")  # drawn before A+, reached after it
    assert any("focus moves backwards visually" in p for p in a11y.keyboard_problems(page))


def test_keyboard_sees_an_unreachable_control(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    page.evaluate("document.querySelector('#reader-bigger').inert = true")
    assert any("Tab never reaches" in p and "reader-bigger" in p for p in a11y.keyboard_problems(page))


def test_keyboard_sees_a_sticky_bar_hiding_the_focus(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    add_css(
        page, ".reader-masthead { position: fixed; inset: 0 0 auto 0; height: 100vh; z-index: 9; background: #fff; }"
    )
    assert any("focused control hidden" in p for p in a11y.keyboard_problems(page))


def test_targets_sees_a_small_button(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    assert a11y.target_problems(page) == []
    add_css(
        page, "#reader-bigger { min-width: 0; min-height: 0; width: 20px; height: 20px; padding: 0; overflow: hidden; }"
    )
    assert any("button#reader-bigger" in p and "20x20" in p for p in a11y.target_problems(page))


def test_semantics_sees_broken_structure(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    assert a11y.semantics_problems(page) == []
    page.evaluate(
        "() => { document.querySelector('.reader-body').prepend(document.createElement('h1'));"
        " document.querySelector('.reader-toggle').removeAttribute('aria-pressed');"
        " document.querySelector('#reader-status').removeAttribute('role');"
        " document.querySelector('#reader-bigger').textContent = ''; }"
    )
    problems = "\n".join(a11y.semantics_problems(page))
    for expected in ("2 h1 elements", "toggle without aria-pressed", "one polite role=status", "without a name"):
        assert expected in problems


def test_forced_colours_sees_a_control_without_a_border(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    page.emulate_media(forced_colors="active")
    assert a11y.forced_colors_problems(page) == []
    add_css(page, "@media (forced-colors: active) { .reader-button { border-style: none !important; } }")
    assert any("no border: button#reader-bigger" in p for p in a11y.forced_colors_problems(page))
    add_css(page, ".reader :focus-visible { outline-style: none !important; }")
    assert any("no focus ring" in p for p in a11y.forced_colors_problems(page))


def test_motion_sees_a_transition(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED)
    assert a11y.motion_problems(page) == []
    add_css(page, ".reader-button { transition: color 0.3s; }")
    assert any("reader-bigger" in p for p in a11y.motion_problems(page))


def test_scaling_sees_a_px_font_size(open_page: Callable[..., Page], live_server: str) -> None:
    page = open_page(SEED)
    base = a11y.text_sizes(page)
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|s:200", "url": live_server + "/"}])
    page.reload()
    assert a11y.compare_scaling(base, a11y.text_sizes(page), 2.0) == []
    add_css(page, ".reader-body p { font-size: 16px !important; }")
    assert any("16px → 16px (×2.0)" in p for p in a11y.compare_scaling(base, a11y.text_sizes(page), 2.0))


def test_scaling_sees_controls_that_grow_past_their_limit(open_page: Callable[..., Page], live_server: str) -> None:
    page = open_page(SEED)
    base = a11y.text_sizes(page)
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|s:400", "url": live_server + "/"}])
    page.reload()
    assert a11y.compare_scaling(base, a11y.text_sizes(page), 4.0) == []
    add_css(page, "#reader .reader-toolbar { font-size: 1em; }")  # the toolbar at 400 % with the article
    problems = a11y.compare_scaling(base, a11y.text_sizes(page), 4.0)
    assert (
        "text does not scale: ['FORM:0', 'BUTTON:3', 'SPAN:0'] 16px → 64px (×4.0)" in problems
    )  # A+ (after the form's next, view and drawn fields)


def test_fonts_see_a_fallback(open_page: Callable[..., Page]) -> None:
    page = open_page(SEED, prefs="1|f:lexend")
    # Atkinson Hyperlegible lacks Vietnamese letters: forced onto a Vietnamese article, other fonts fill in.
    page.evaluate("document.querySelector('#reader').dataset.font = 'atkinson'")
    add_css(page, '.reader[data-font="atkinson"] { --reader-font: "reader Atkinson Hyperlegible"; }')
    problems = font_problems(page, "lexend")
    assert any("Atkinson Hyperlegible" in p for p in problems)
