"""Issue 4: WCAG 2.2 AA and the AAA visual-presentation criteria at every point of the preference matrix.

A point is one page × theme × text size × viewport. Each check runs where what it judges can change
(docs/accessibility.md, "The matrix"):

- the layout checks (everything but colours: axe's other rules, semantics, targets, reflow, keyboard, text
  spacing, forced colours, motion) at every page at four of the six text size × viewport pairs, in the
  reference theme (LAYOUT_PAIRS): no theme rule sets anything but colours. One of the four, 100 % on the
  phone, is the colour point's, so there both kinds of check run on one page; the other three are
  LAYOUT_SIZES_AND_SCREENS;
- the colour checks (axe's colour rules, every focus indicator's contrast) at the colour point: 100 % on the
  phone screen, where every element that any size or screen shows is shown, in the same colours, and where
  the text is smallest (so the contrast thresholds are the strictest); every page in the reference theme
  and in one other theme, the others taking turns (COLOUR_POINTS).

Both claims are checked where they are used: each colour point compares its boxes with the reference theme's
and lists any theme rule that sets more than colours; each layout point compares what it shows, and in which
colours, with the colour point. The slow tier (`pytest -m slow`) runs every check at every one of the 684
points (every page × theme × size × viewport), as the matrix did before the split. Adding a page to the suite
is one line in PAGES.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser import a11y
from tests.browser.conftest import DELETED_SLUG, DRAFT_SLUG, HISTORY_SLUG, PageProblems, signed_in
from tests.browser.speech import FAKE_VOICES
from tests.conftest import EN_SLUG, SEED_SLUG, TABLE_SLUG


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    status: int = 200
    editor: bool = False  # needs a signed-in editor
    prefs: str = ""  # more settings for the cookie, e.g. "g:3"
    voices: bool = False  # a stub voice, so that the read-aloud controls are shown (tests/browser/speech.py)
    # The theme buttons are on screen, and the pressed one (the reader's theme) carries a ✓: the layout is not
    # the same in every theme, so the page's layout points run in a second theme too.
    shows_theme_choice: bool = False
    paged: bool = False  # on the paged server (tests/browser/conftest.py, paged_server): a list of many pages


PAGES = [
    Target("index", "/"),
    # With the reading guide on (3 lines) and the read-aloud controls shown (a stub voice: real voices in
    # test_read_aloud.py); the English article without voices, so its controls say there is none.
    Target("seed-article", f"/articles/{SEED_SLUG}", prefs="g:3", voices=True),
    Target("english-article", f"/articles/{EN_SLUG}"),
    Target("table-article", f"/articles/{TABLE_SLUG}"),
    Target("panel-open", f"/articles/{SEED_SLUG}?panel=open", shows_theme_choice=True),
    Target("settings", "/preferences", shows_theme_choice=True),
    Target("embed", f"/embed/{SEED_SLUG}"),
    Target("not-found", "/articles/no-such-article", 404),
    Target("editor-login", "/editor/login"),
    Target("editor-list", "/editor/?q=a", editor=True),  # searched: the search form, its result and the list
    Target("editor-new", "/editor/new", editor=True),
    Target("editor-edit", f"/editor/articles/{SEED_SLUG}", editor=True),
    Target("editor-check", f"/editor/articles/{EN_SLUG}/check", editor=True),
    Target("editor-import", "/editor/import", editor=True),
    # An article's history, and one version of it: saved by nobody recorded, an editor, a token, an import.
    Target("editor-history", f"/editor/articles/{HISTORY_SLUG}/history", editor=True),
    Target("editor-revision", f"/editor/articles/{HISTORY_SLUG}/history/3", editor=True),
    Target("editor-delete", f"/editor/articles/{SEED_SLUG}/delete", editor=True),
    Target("editor-deleted", "/editor/deleted", editor=True),
    Target("editor-deleted-article", f"/editor/deleted/{DELETED_SLUG}", editor=True),
    # A draft's preview in the editor's pages (the list's and the check page's "Preview").
    Target("editor-preview-page", f"/editor/articles/{DRAFT_SLUG}/preview", editor=True),
    # A list of twelve pages at its sixth: the page links, with this page's and both gaps (templates/_pages.html).
    Target("index-paged", "/?page=6", paged=True),
    Target("editor-list-paged", "/editor/?page=6", editor=True, paged=True),
    # /editor/preview/{slug} (the check page's frames) renders the same template as "embed" above.
]
THEMES = ["auto", "light", "dark", "sepia", "contrast-dark", "contrast-light"]
SIZES = ["100", "200", "400"]
VIEWPORTS = {"1280x800": (1280, 800), "320x640": (320, 640)}
REFERENCE_THEME = "auto"  # the layout points' theme: the one a reader gets without choosing
COLOUR_SIZE, COLOUR_VIEWPORT = "100", "320x640"  # the colour points' size and screen


def server_for(target: Target, live_server: str, request: pytest.FixtureRequest) -> str:
    """The address of the server a page is on: the live server, or the paged one (started when first asked)."""
    return request.getfixturevalue("paged_server") if target.paged else live_server


class Tab:
    """One browser tab that opens point after point: each point is a new document, with its own cookies,
    screen and media, in a renderer that already holds the style sheets, fonts and scripts every page shares.
    A tab per point cost about 0.2 s more of Chromium's CPU time a point (0.35 s against 0.14 s to open a
    page, measured across the machine) for the same document."""

    def __init__(self, browser: Browser, voices: bool) -> None:
        self.context: BrowserContext = browser.new_context(locale="vi-VN")
        if voices:
            self.context.add_init_script(FAKE_VOICES)
        self.page = self.context.new_page()
        self.problems = PageProblems(self.page)

    def close(self) -> None:
        self.context.close()


class Points:
    """Opens the matrix's points, and keeps each page's footprint at the colour point in the reference theme
    (what the layout and colour points compare themselves with)."""

    def __init__(self, browser: Browser, live_server: str, request: pytest.FixtureRequest) -> None:
        self.browser = browser
        self.live_server = live_server
        self.request = request
        self._references: dict[tuple[str, str], dict[str, Any]] = {}
        self._tabs: dict[bool, Tab] = {}  # by whether the page has the stub voice

    @contextmanager
    def open(self, target: Target, theme: str, size: str, viewport: str) -> Iterator[Page]:
        width, height = VIEWPORTS[viewport]
        tab = self._tabs.pop(target.voices, None) or Tab(self.browser, target.voices)
        cookie = "|".join(part for part in ("1", f"s:{size}", f"t:{theme}", target.prefs) if part)
        server = server_for(target, self.live_server, self.request)
        page, problems = tab.page, tab.problems
        try:
            tab.context.clear_cookies()
            tab.context.add_cookies([{"name": "reader_prefs", "value": cookie, "url": server + "/"}])
            if target.editor:
                session = "paged_editor_cookies" if target.paged else "editor_cookies"
                signed_in(tab.context, self.request.getfixturevalue(session))
            page.set_viewport_size({"width": width, "height": height})
            page.emulate_media(forced_colors="null", reduced_motion="null")  # a layout point's last checks set both
            problems.clear()
            problems.expect_status(target.status)
            response = page.goto(server + target.path)
            assert response is not None and response.status == target.status
            if target.voices:
                page.wait_for_selector("#reader-speak", state="visible")
            if "g:" in target.prefs:
                # The guide's module arrives after the page; compared with another theme's point, a footprint
                # taken before it drew would differ by the guide alone.
                page.wait_for_selector(".reader-guide", state="attached")
            page.evaluate("document.fonts.ready")
            yield page
            assert problems.unexpected() == []
            # What a page keeps for its tab (the component's settings, htmx's history) must not reach the next.
            page.evaluate("() => { sessionStorage.clear(); localStorage.clear(); }")
        except BaseException:
            # Whatever broke the page's loading or a check run in it (not a check's findings, which are
            # asserted after this), the next point starts in a tab of its own.
            tab.close()
            raise
        self._tabs[target.voices] = tab

    def close(self) -> None:
        for tab in self._tabs.values():
            tab.close()

    def reference(self, target: Target, theme: str) -> dict[str, Any]:
        """The page's footprint at the colour point in a theme (measured once per test process: by the colour
        point's own test when it ran here first, otherwise on a page opened for it)."""
        if (target.name, theme) not in self._references:
            with self.open(target, theme, COLOUR_SIZE, COLOUR_VIEWPORT) as page:
                self.keep(target, theme, a11y.footprint(page))
        return self._references[target.name, theme]

    def keep(self, target: Target, theme: str, found: dict[str, Any]) -> None:
        """A footprint taken at the colour point, as soon as its page was open."""
        self._references.setdefault((target.name, theme), found)


@pytest.fixture(scope="package")
def points(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Points]:
    opened = Points(browser, live_server, request)
    yield opened
    opened.close()


# A page with the theme buttons: the ✓ on the pressed one moves a box, so besides the reference theme its
# layout is checked with the ✓ on another button (every theme in the slow tier).
OTHER_THEME_CHOSEN = "contrast-dark"


def _colour_themes() -> list[tuple[Target, str]]:
    """The default run's colour points: every page in the reference theme (which the layout points compare
    with) and in one theme more, the others taking turns from page to page, so that each theme is checked
    on several kinds of page (at least three); a page with the theme buttons in the theme its second layout
    points use. Every page × theme runs in the slow tier (test_every_check_at_every_point)."""
    others = [theme for theme in THEMES if theme != REFERENCE_THEME]
    rotating = [target for target in PAGES if not target.shows_theme_choice]
    return [
        (target, theme)
        for target in PAGES
        for theme in (
            REFERENCE_THEME,
            OTHER_THEME_CHOSEN if target.shows_theme_choice else others[rotating.index(target) % len(others)],
        )
    ]


_COLOUR_THEMES = _colour_themes()
COLOUR_POINTS = [pytest.param(target, theme, id=f"{target.name}-{theme}") for target, theme in _COLOUR_THEMES]
# What the docstring above promises, whatever pages are added or reordered: every theme on three pages or more.
_PAGES_PER_THEME = Counter(theme for _, theme in _COLOUR_THEMES)
assert set(_PAGES_PER_THEME) == set(THEMES) and min(_PAGES_PER_THEME.values()) >= 3, _PAGES_PER_THEME


def layout_themes(target: Target) -> list[str]:
    """The themes a page's layout points run in: the reference theme, and for a page with the theme buttons
    one more (OTHER_THEME_CHOSEN)."""
    return [REFERENCE_THEME, OTHER_THEME_CHOSEN] if target.shows_theme_choice else [REFERENCE_THEME]


# The default run's sizes and screens for the layout checks: each size on the screen where it is hardest
# (400 % on the phone, the wrapping toolbar at 200 % on the desktop) and both screens at 100 %; 400 % on the
# desktop and 200 % on the phone lie between points that are checked, and run in the slow tier with the rest
# of the 684. 100 % on the phone is the colour point's size and screen: in a layout theme the colour point
# runs the layout checks there, on the same page with one axe run, rather than opening the page twice; the
# layout points proper are the other three.
LAYOUT_PAIRS = [("100", "1280x800"), ("200", "1280x800"), ("100", "320x640"), ("400", "320x640")]
assert (COLOUR_SIZE, COLOUR_VIEWPORT) in LAYOUT_PAIRS
LAYOUT_SIZES_AND_SCREENS = [pair for pair in LAYOUT_PAIRS if pair != (COLOUR_SIZE, COLOUR_VIEWPORT)]


# First in the module: each colour point's footprint is what the layout points of its page compare with.
@pytest.mark.parametrize(("target", "theme"), COLOUR_POINTS)
def test_colours_in_two_themes_a_page(points: Points, target: Target, theme: str) -> None:
    with points.open(target, theme, COLOUR_SIZE, COLOUR_VIEWPORT) as page:
        here = a11y.footprint(page)
        points.keep(target, theme, here)
        theme_rules = a11y.theme_rule_problems(page)
        # In a layout theme this is the page's layout point at 100 % on the phone as well: every check (the
        # keyboard check judges the focus indicators, as the colour checks do).
        failures = a11y.all_problems(page) if theme in layout_themes(target) else a11y.colour_problems(page)
    # A page whose layout points run in the reference theme only must look the same in every theme.
    moved = [] if target.shows_theme_choice else a11y.moved_boxes(here, points.reference(target, REFERENCE_THEME))
    if moved or theme_rules:
        failures["colours only"] = moved + theme_rules
    point = f"page={target.name} theme={theme} size={COLOUR_SIZE}% viewport={COLOUR_VIEWPORT}"
    assert not failures, a11y.report(failures, point)


LAYOUT_POINTS = [
    pytest.param(target, theme, size, viewport, id=f"{target.name}-{theme}-{size}-{viewport}")
    for target in PAGES
    for theme in layout_themes(target)
    for size, viewport in LAYOUT_SIZES_AND_SCREENS
]
# Every layout theme of every page has its colour point, where its fourth layout point runs.
assert {(target.name, theme) for target in PAGES for theme in layout_themes(target)} <= {
    (target.name, theme) for target, theme in _COLOUR_THEMES
}


@pytest.mark.parametrize(("target", "theme", "size", "viewport"), LAYOUT_POINTS)
def test_layout_at_every_size_and_screen(points: Points, target: Target, theme: str, size: str, viewport: str) -> None:
    colour_point = points.reference(target, theme)
    with points.open(target, theme, size, viewport) as page:
        unseen = a11y.unseen_colours(a11y.footprint(page), colour_point)
        failures = a11y.layout_problems(page)
    if unseen:
        failures["colour point"] = unseen
    assert not failures, a11y.report(failures, f"page={target.name} theme={theme} size={size}% viewport={viewport}")


@pytest.mark.slow
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("target", PAGES, ids=lambda t: t.name)
def test_every_check_at_every_point(points: Points, target: Target, theme: str, size: str, viewport: str) -> None:
    with points.open(target, theme, size, viewport) as page:
        failures = a11y.all_problems(page)
    point = f"page={target.name} theme={theme} size={size}% viewport={viewport}"
    assert not failures, a11y.report(failures, point)
