"""Issue 4: WCAG 2.2 AA and the AAA visual-presentation criteria at every point of the preference matrix.

A point is one page × theme × text size × viewport. Adding a page to the suite is one line in PAGES.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Cookie, Page

from tests.browser import a11y
from tests.browser.conftest import PageProblems, sign_in
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


PAGES = [
    Target("index", "/"),
    # With the reading guide on (3 lines) and the read-aloud controls shown (a stub voice: real voices in
    # test_read_aloud.py); the English article without voices, so its controls say there is none.
    Target("seed-article", f"/articles/{SEED_SLUG}", prefs="g:3", voices=True),
    Target("english-article", f"/articles/{EN_SLUG}"),
    Target("table-article", f"/articles/{TABLE_SLUG}"),
    Target("panel-open", f"/articles/{SEED_SLUG}?panel=open"),
    Target("settings", "/preferences"),
    Target("embed", f"/embed/{SEED_SLUG}"),
    Target("not-found", "/articles/no-such-article", 404),
    Target("editor-login", "/editor/login"),
    Target("editor-list", "/editor/", editor=True),
    Target("editor-new", "/editor/new", editor=True),
    Target("editor-edit", f"/editor/articles/{SEED_SLUG}", editor=True),
    Target("editor-check", f"/editor/articles/{EN_SLUG}/check", editor=True),
    Target("editor-import", "/editor/import", editor=True),
    Target("editor-delete", f"/editor/articles/{SEED_SLUG}/delete", editor=True),
    # /editor/preview/{slug} renders the same template as "embed" above.
]
THEMES = ["auto", "light", "dark", "sepia", "contrast-dark", "contrast-light"]
SIZES = ["100", "200", "400"]
VIEWPORTS = {"1280x800": (1280, 800), "320x640": (320, 640)}


@pytest.fixture(scope="package")
def editor_cookies(browser: Browser, live_server: str) -> list[Cookie]:
    """A signed-in editor's session, made once and shared by the editor pages' points."""
    context = browser.new_context()
    try:
        sign_in(context.new_page(), live_server)
        return [c for c in context.cookies() if c["name"] == "reader_session"]
    finally:
        context.close()


@pytest.fixture
def point_page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[tuple[Page, str]]:
    target: Target = request.getfixturevalue("target")
    theme: str = request.getfixturevalue("theme")
    size: str = request.getfixturevalue("size")
    viewport: str = request.getfixturevalue("viewport")
    width, height = VIEWPORTS[viewport]
    context: BrowserContext = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    cookie = "|".join(part for part in ("1", f"s:{size}", f"t:{theme}", target.prefs) if part)
    context.add_cookies([{"name": "reader_prefs", "value": cookie, "url": live_server + "/"}])
    if target.editor:
        context.add_cookies(request.getfixturevalue("editor_cookies"))  # type: ignore[arg-type]
    if target.voices:
        context.add_init_script(FAKE_VOICES)
    page = context.new_page()
    problems = PageProblems(page)
    problems.expect_status(target.status)
    response = page.goto(live_server + target.path)
    assert response is not None and response.status == target.status
    if target.voices:
        page.wait_for_selector("#reader-speak", state="visible")
    page.evaluate("document.fonts.ready")
    try:
        yield page, f"page={target.name} theme={theme} size={size}% viewport={viewport}"
        assert problems.unexpected() == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("target", PAGES, ids=lambda t: t.name)
def test_every_point_of_the_matrix(
    point_page: tuple[Page, str], target: Target, theme: str, size: str, viewport: str
) -> None:
    page, point = point_page
    failures = a11y.all_problems(page)
    assert not failures, a11y.report(failures, point)
