"""Real-browser fixtures: a live `reader serve` process (tests.serverproc) and headless Debian Chromium
through Playwright."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Cookie,
    Error,
    Frame,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)

from reader.db import database_for
from reader.drafts import draft_from_fields
from reader.i18n import gettext
from reader.models import BY_CLI_IMPORT, BY_TOKEN
from reader.prefs import DEFAULTS, Preferences
from reader.saved_note import NOTE_COOKIE, signed_note
from reader.store import SqlArticleStore
from reader.views.editor import signed_done
from reader.views.editor_auth import SESSION_COOKIE
from tests.browser.speech import speech_environment  # noqa: F401  (a fixture for the read-aloud tests)
from tests.conftest import EDITOR_NAME, EDITOR_PASSWORD, NOTE
from tests.serverproc import Server, add_editor

ROOT = Path(__file__).resolve().parents[2]
# Debian's Chromium, the whole browser: where the browser's own services are under test (read aloud needs its
# speech-dispatcher voices; Lighthouse measures a first visit as a reader's browser makes it).
CHROMIUM = os.environ.get("READER_CHROMIUM", "/usr/lib/chromium/chromium")
# Everything else runs in Debian's headless shell of the same Chromium (the same Blink: layout, CSS, fonts,
# accessibility tree; Playwright's own default for headless). It is the browser without the browser's user
# interface and services, and spends about half the CPU time on the same tests (20 points of the accessibility
# matrix: 38–40 s of CPU against 70.5 s), which on a 2-core machine is most of the suite's time.
HEADLESS_SHELL = os.environ.get("READER_HEADLESS_SHELL", "/usr/lib/chromium/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# --font-render-hinting=none: the shell hints glyphs fully by default, which rounds a web font's advances to
# whole pixels (a word 121 px wide that the whole browser, as on readers' desktops, sets at 121.78 px);
# without hinting the two agree.
# --renderer-process-limit=1, no spare renderer: by default Chromium starts a spare renderer process beside
# each new context's, and a test that opens its page in a new context never uses it (10 contexts, a page each
# that goes to two addresses: 20 renderer processes started, 10 with the limit). About 13 % less CPU time a
# page opened, the whole machine's (0.41–0.43 s against 0.46–0.50 s, 4 interleaved runs of 30). Each context
# still gets a renderer of its own (a limit Chromium exceeds rather than share a process between contexts);
# two pages of one site in one context now share theirs, and its main thread, as same-site tabs do in a
# browser at its process limit.
HEADLESS_SHELL_ARGS = [*CHROMIUM_ARGS, "--font-render-hinting=none", "--renderer-process-limit=1"]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


# The page's scroll position once it has stayed put for 10 frames (a wheel or a key scrolls smoothly).
# Every text the status region is given from now on (a screen reader says each): window.__said.
LISTEN = """() => {
  window.__said = [];
  const status = document.getElementById('reader-status');
  new MutationObserver(() => window.__said.push(status.textContent))
    .observe(status, {childList: true, characterData: true, subtree: true});
}"""


SCROLL_SETTLED = """() => new Promise((resolve) => {
  let last = scrollY, still = 0;
  const tick = () => {
    if (scrollY !== last) [last, still] = [scrollY, 0];
    else if (++still >= 10) return resolve(scrollY);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def scrolled(page: Page, action: Callable[[], None]) -> float:
    """Do `action` (a key or a wheel that scrolls the page), then wait until the scroll has begun and has come to
    rest: the position then. A key's or a wheel's scroll is smooth and may begin some frames later, on a loaded
    machine later than SCROLL_SETTLED's ten still frames, which would then measure the page before it."""
    before = page.evaluate("scrollY")
    action()
    page.wait_for_function("(y) => scrollY !== y", arg=before)
    position: float = page.evaluate(SCROLL_SETTLED)
    return position


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def static_server(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Host pages on another site (localhost, while reader is on 127.0.0.1), with no CSP of their own; pages
    named `*.isolated.html` cross-origin isolated (tests/browser/static_host.py)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("static_host.py")), str(port), str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            return process, url
        except OSError:
            if time.monotonic() > deadline:
                process.terminate()
                raise
            time.sleep(0.05)


# A second account on the live server: what one editor typed is never offered to another in the same tab.
OTHER_EDITOR_NAME = "editor2"


# The key each live server signs with, by its URL: for the addresses its redirects sign (signed_saved).
LIVE_KEYS: dict[str, str] = {}


def signed_saved(live_server: str, path: str, prefs: str = "", note: str = NOTE) -> str:
    """`path` with its ?saved= (an article's note, or the settings page's control, unsigned) as the live server's
    no-JS redirect writes it for a reader whose cookie holds `prefs` ("s:150|t:dark", as Target's; none: the
    defaults) in a browser whose note cookie is `note` (note_cookie: the one its redirect set; reader.saved_note)."""
    settings = Preferences.from_cookie(f"1|{prefs}" if prefs else None, DEFAULTS)
    key = LIVE_KEYS[live_server]
    return re.sub(r"saved=([^&#]+)", lambda m: "saved=" + signed_note(m[1], key, settings, note), path)


def note_cookie(context: BrowserContext) -> str:
    """The note cookie a no-JS redirect set in this browser (reader.saved_note.NOTE_COOKIE)."""
    (value,) = [cookie["value"] for cookie in context.cookies() if cookie["name"] == NOTE_COOKIE]
    return value


def signed_done_for(live_server: str, path: str, page: Page) -> str:
    """`path` with its ?done= (and ?version=) signed as the live server's redirect signs it for the session of
    the editor signed in in `page`'s context (reader.views.editor.done_query): its CSRF token, from the page."""
    match = re.search(r"done=([^&#]+)(?:&version=(\d+))?", path)
    if match is None:
        return path
    csrf = page.input_value("#editor-logout-form input[name=csrf_token]")
    version = int(match[2]) if match[2] else None
    return path[: match.start()] + signed_done(LIVE_KEYS[live_server], csrf, match[1], version) + path[match.end() :]


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `reader serve` on the demo articles, with an editor account, shared by the package's tests."""
    base = tmp_path_factory.mktemp("live")
    with Server(db=base / "reader.db", directory=base) as server:
        # (created as the server started: reader.app's lifespan)
        with contextlib.closing(sqlite3.connect(server.db)) as db:
            (LIVE_KEYS[server.url],) = db.execute("SELECT value FROM secrets WHERE name = 'session-signing'").fetchone()
        add_editor(server.db, EDITOR_NAME, EDITOR_PASSWORD)
        add_editor(server.db, OTHER_EDITOR_NAME, EDITOR_PASSWORD)
        add_editors_articles(server.db)
        yield server.url


# With one article a page, the demo's three and these nine are a list of twelve pages (paged_server): its
# page 6 has both gaps (1 … 4 5 [6] 7 8 … 12), for the checks of the page links (templates/_pages.html).
PAGED_ARTICLES = 9


@pytest.fixture(scope="package")
def paged_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `reader serve` of one article a page on the demo articles and PAGED_ARTICLES more, with an editor
    account: the index and the editor's list of many pages (the demo's three are three pages at most)."""
    base = tmp_path_factory.mktemp("paged")
    with Server(db=base / "reader.db", directory=base, env={"READER_PAGE_SIZE": "1"}) as server:
        add_editor(server.db, EDITOR_NAME, EDITOR_PASSWORD)
        add_paged_articles(server.db)
        yield server.url


def add_paged_articles(db: Path | str) -> None:
    """PAGED_ARTICLES short articles, published, on the paged server's database."""

    async def write() -> None:
        database = database_for(db)
        await database.open()
        try:
            drafts = [
                draft_from_fields({"slug": f"ban-tin-{n}", "lang": "vi", "title": f"Bản tin số {n}",
                                   "summary": "Tin ngắn.", "body_markdown": f"Bản tin số **{n}** trong tuần."})
                for n in range(1, PAGED_ARTICLES + 1)
            ]  # fmt: skip
            await SqlArticleStore(database).save_articles(drafts)
        finally:
            await database.close()

    # In a thread of its own: Playwright's sync API may be running an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, write()).result()


# An article the editor deleted, for the pages of deleted articles (the demo has none), renamed once before
# (so its page names the old address a restore gives back).
DELETED_SLUG = "lich-thi-da-huy"
DELETED_OLD_SLUG = "lich-thi-cu"
# An article with a history, each version saved another way (the demo's have one version each): by nobody
# recorded, by the editor (a rename from HISTORY_OLD_SLUG), through an API token and by `reader import`.
HISTORY_SLUG = "lich-tiep-cong-dan"
HISTORY_OLD_SLUG = "lich-tiep-dan"
HISTORY_TOKEN = "cong-thong-tin"
# A draft: published once, then unpublished (its history holds both states); off the site, in the editor.
DRAFT_SLUG = "lich-cat-dien"


def add_editors_articles(db: Path | str) -> None:
    """Write DELETED_SLUG, HISTORY_SLUG and DRAFT_SLUG as their comments say, on the live server's database."""

    async def write() -> None:
        database = database_for(db)
        await database.open()
        try:
            store = SqlArticleStore(database)
            fields = {"slug": DELETED_OLD_SLUG, "lang": "vi", "title": "Lịch thi đã hủy", "summary": "Tin cũ.",
                      "body_markdown": "Kỳ thi **ngày 5** được dời.\n\n## Lịch mới\n\nSẽ báo sau."}  # fmt: skip
            await store.save_articles([draft_from_fields(fields)])
            assert await store.rename_article(DELETED_OLD_SLUG, DELETED_SLUG, version=1, by=EDITOR_NAME)
            assert await store.delete_article(DELETED_SLUG, by=EDITOR_NAME)
            body = "Lãnh đạo tỉnh tiếp công dân vào **thứ Năm** hằng tuần.\n\n## Địa điểm\n\nTrụ sở Ban Tiếp công dân."
            fields = {"slug": HISTORY_OLD_SLUG, "lang": "vi", "title": "Lịch tiếp công dân", "summary": "Tháng 12.",
                      "body_markdown": body}  # fmt: skip
            await store.save_articles([draft_from_fields(fields)])
            assert await store.rename_article(HISTORY_OLD_SLUG, HISTORY_SLUG, version=1, by=EDITOR_NAME)
            fields |= {"slug": HISTORY_SLUG, "summary": "Tháng 12 năm 2026."}
            assert await store.update_article(draft_from_fields(fields), version=2, by=BY_TOKEN + HISTORY_TOKEN)
            fields |= {"body_markdown": body + "\n\nĐiện thoại: 0209 3870 000."}
            assert await store.update_article(draft_from_fields(fields), version=3, by=BY_CLI_IMPORT)
            fields = {"slug": DRAFT_SLUG, "lang": "vi", "title": "Lịch cắt điện", "summary": "Chưa chốt.",
                      "body_markdown": "Cắt điện **thứ Bảy** từ 7 giờ.", "status": "published"}  # fmt: skip
            await store.save_articles([draft_from_fields(fields)], by=EDITOR_NAME)
            fields |= {"status": "draft"}
            assert await store.update_article(draft_from_fields(fields), version=1, by=EDITOR_NAME)
        finally:
            await database.close()

    # In a thread of its own: Playwright's sync API may be running an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, write()).result()


def sign_in(page: Page, live_server: str, name: str = EDITOR_NAME) -> None:
    """Sign in through the login form, as an editor would: the one way to sign in on a live server."""
    page.goto(live_server + "/editor/login")
    page.fill("#login-name", name)
    page.fill("#login-password", EDITOR_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(live_server + "/editor/")


def session_cookies(browser: Browser, server: str) -> list[Cookie]:
    """A signed-in editor's session on a server (signed in through the form once, in a context of its own)."""
    context = browser.new_context()
    try:
        sign_in(context.new_page(), server)
        return [c for c in context.cookies() if c["name"] == SESSION_COOKIE]
    finally:
        context.close()


# One editor's session for the package's tests that need an editor signed in but do not test signing in, out
# or a session's end (those sign in through the form, each its own session): a sign-in costs about 0.22 s of
# the server's CPU time (argon2's), as much as opening the page after it.
@pytest.fixture(scope="package")
def editor_cookies(browser: Browser, live_server: str) -> list[Cookie]:
    """The editor's (EDITOR_NAME's) session on the live server, made once; `signed_in` puts it in a context."""
    return session_cookies(browser, live_server)


@pytest.fixture(scope="package")
def paged_editor_cookies(browser: Browser, paged_server: str) -> list[Cookie]:
    """The same on the paged server."""
    return session_cookies(browser, paged_server)


def signed_in(context: BrowserContext, cookies: list[Cookie]) -> None:
    """The shared session (editor_cookies, paged_editor_cookies) in `context`: its pages are the editor's."""
    context.add_cookies(cookies)  # type: ignore[arg-type]  # (Cookie and SetCookieParam: the same keys, typed apart)


# Package scope, not session: Playwright's sync API keeps an event loop running while it is open, and the
# in-process tests (anyio) that run after this package need to start loops of their own. One instance for the
# package: a second one cannot start while the first runs (test_read_aloud.py launches its own Chromium, with
# voices, from this one).
@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(executable_path=HEADLESS_SHELL, args=HEADLESS_SHELL_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    try:
        yield ctx
    finally:
        ctx.close()


# The storage of an origin a kept tab's case leaves behind and the next must not find (Tabs), as DevTools'
# Storage.clearDataForOrigin names it; cookies go with the context's, session storage is the tab's (cleared on
# its own) and the HTTP cache is kept on purpose.
CLEARED_STORAGE = "local_storage,indexeddb,cache_storage,service_workers"


class PageProblems:
    """Console errors (CSP violations among them), page errors, failed requests and error statuses."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        self.expected_statuses: set[int] = set()
        page.on(
            "console",
            lambda msg: self.messages.append(msg.text) if msg.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda exc: self.messages.append(f"page error: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _failed(self, request: Request) -> None:
        # A request cut short because the test navigated on (a lazy image, say) is not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.messages.append(f"failed: {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.status not in self.expected_statuses:
            self.messages.append(f"{response.status}: {response.url}")

    def clear(self) -> None:
        """Forget what was seen and expected so far: the page goes on to another document."""
        self.messages.clear()
        self.expected_statuses.clear()

    def expect_status(self, status: int) -> None:
        """An error status the test provokes on purpose (and the browser's console line about it)."""
        self.expected_statuses.add(status)

    def unexpected(self) -> list[str]:
        noise = "Failed to load resource: the server responded with a status of"
        allowed = tuple(f"{noise} {status}" for status in self.expected_statuses)
        return [m for m in self.messages if not m.startswith(allowed)]


def set_default_font_size(page: Page, pixels: int) -> None:
    """The reader's browser default font size (Chrome's Settings, Appearance, Font size: "Very large" is 24 px)."""
    if pixels != 16:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Page.enable")
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": pixels, "fixed": pixels}})


# A new context's screen where none is given (Playwright's default); the `context` fixture's.
DEFAULT_SCREEN = ViewportSize(width=1280, height=720)
DESKTOP = ViewportSize(width=1280, height=800)


@dataclasses.dataclass
class _Tab:
    """A kept tab: its context and page, the page's problems, a DevTools session on it (to clear the storage
    of the origins its cases used) and those origins (each frame's that navigated in the context's pages)."""

    context: BrowserContext
    page: Page
    problems: PageProblems
    cdp: CDPSession
    origins: set[str]


def origin_of(url: str) -> str | None:
    """The origin of an http(s) address ("http://127.0.0.1:8000"); None for about:blank, data: and the like."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


class Tabs:
    """Tabs that a module's cases (a parametrized test's, or its tests') open their pages in, one case after
    another, each case a new document in a tab already open: a new context and tab per case cost about 0.14 s
    more CPU time (the browser's, the driver's) than the navigation alone, 0.21 s against 0.07 s a case (40
    cases measured).

    A tab is kept for what a context or a tab cannot unset: its context's options (locale, JavaScript, init
    scripts) and the browser's default font size (`font_size`, set through CDP for the tab's life). What a
    case can set is unset after it: its document is left first (for about:blank: what a timer of its, or a
    request cut short, logs later is not charged to the next case), then the cookies, its routes, the screen's
    size, the pointer's place, the emulated media, the extra headers, and the storage (local, session,
    IndexedDB, Cache) of every origin its documents were on, frames and other tabs of the context included.
    A case that fails leaves its tab closed: the next one starts in a new tab. A tab keeps its cache, unless
    opened with `cache=False`: then its pages load nothing from any cache (Chromium's memory cache included,
    as DevTools' "Disable cache" does), as a first visit loads them.

    Not for a kept tab (a case that needs one opens a context of its own): what cannot be unset, or is not
    here (the page's clock, page-level init scripts, CDP emulations left on, the context's permissions,
    geolocation or offline state); listeners a case adds to the page must be removed by it, other pages it
    opens closed by it. Storage a cross-site frame kept (partitioned by its top-level site) is not cleared."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self._tabs: dict[tuple[str | None, bool, str, int, bool], _Tab] = {}

    @contextlib.contextmanager
    def open(
        self,
        viewport: ViewportSize,
        *,
        locale: str | None = "vi-VN",
        javascript: bool = True,
        init_script: str = "",
        font_size: int = 16,
        cache: bool = True,
        cookies: Sequence[Cookie] = (),
    ) -> Iterator[tuple[BrowserContext, Page, PageProblems]]:
        """A tab at `viewport` with no cookies but `cookies` (the shared editor session: editor_cookies); the
        page's problems (PageProblems) must be none at the end."""
        key = (locale, javascript, init_script, font_size, cache)
        tab = self._tabs.pop(key, None) or self._new(*key)
        try:
            tab.page.set_viewport_size(viewport)
            tab.problems.clear()
            if cookies:
                signed_in(tab.context, list(cookies))
            yield tab.context, tab.page, tab.problems
            assert tab.problems.unexpected() == []
            self._reset(tab, javascript)
        except BaseException:
            tab.context.close()
            raise
        self._tabs[key] = tab

    @staticmethod
    def _reset(tab: _Tab, javascript: bool) -> None:
        """Unset what the case set (the class's docstring), its document left first."""
        page, context = tab.page, tab.context
        # Session storage is the tab's, kept by origin; DevTools clears it only for an origin with a document
        # open (Storage.clearDataForOrigin leaves it). The origins of the documents open now are cleared before
        # they are left; any other the case was on, in a blank document of its own (a route's: the server is
        # not asked). Without JavaScript a page keeps none.
        unopened = set(tab.origins) if javascript else set()
        for origin in sorted(unopened & {origin_of(frame.url) for frame in page.frames}):
            with contextlib.suppress(Error):  # (a frame in a process of its own: cleared as if unopened)
                tab.cdp.send("DOMStorage.clear", {"storageId": {"securityOrigin": origin, "isLocalStorage": False}})
                unopened.discard(origin)
        page.goto("about:blank")
        page.unroute_all()
        if unopened:
            page.route("**/*", lambda route: route.fulfill(content_type="text/html", body=""))
            for origin in sorted(unopened):
                page.goto(origin + "/")
                page.evaluate("() => sessionStorage.clear()")
            page.unroute_all()
            page.goto("about:blank")
        context.clear_cookies()
        for origin in sorted(tab.origins):
            tab.cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": CLEARED_STORAGE})
        tab.origins.clear()
        page.set_extra_http_headers({})
        page.mouse.move(0, 0)  # where a new tab's pointer is: nothing hovered
        # A new context's media: Playwright's defaults.
        page.emulate_media(media="screen", color_scheme="light", forced_colors="none", reduced_motion="no-preference")
        tab.problems.clear()

    def _new(self, locale: str | None, javascript: bool, init_script: str, font_size: int, cache: bool) -> _Tab:
        context = self.browser.new_context(locale=locale, java_script_enabled=javascript)
        if init_script:
            context.add_init_script(init_script)
        origins: set[str] = set()

        def navigated(frame: Frame) -> None:
            if origin := origin_of(frame.url):
                origins.add(origin)

        context.on("page", lambda opened: opened.on("framenavigated", navigated))
        page = context.new_page()
        set_default_font_size(page, font_size)
        cdp = context.new_cdp_session(page)
        if not cache:
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        return _Tab(context, page, PageProblems(page), cdp, origins)

    def close(self) -> None:
        for tab in self._tabs.values():
            tab.context.close()


@pytest.fixture(scope="module")
def tabs(browser: Browser) -> Iterator[Tabs]:
    kept = Tabs(browser)
    yield kept
    kept.close()


def forget_the_failure_provoked(problems: PageProblems) -> None:
    """The failure a test provokes is its point, not a problem of the page: the request cut, and htmx's own
    console lines about its error events."""
    htmx_lines = ("htmx:", "Response Status Error Code")
    problems.messages[:] = [m for m in problems.messages if "net::ERR_FAILED" not in m and not m.startswith(htmx_lines)]


@pytest.fixture
def page_and_problems(context: BrowserContext) -> Iterator[tuple[Page, PageProblems]]:
    new_page = context.new_page()
    problems = PageProblems(new_page)
    yield new_page, problems
    assert problems.unexpected() == []


@pytest.fixture
def problems(page_and_problems: tuple[Page, PageProblems]) -> PageProblems:
    return page_and_problems[1]


@pytest.fixture
def page(page_and_problems: tuple[Page, PageProblems]) -> Page:
    return page_and_problems[0]


def run_axe(page: Page, include: str | None = None, *, colours: bool | None = None) -> list[dict[str, Any]]:
    """axe-core (from npm) in the page: WCAG 2.0–2.2 A/AA plus the 7:1 enhanced contrast rule.

    `include` limits it to one element (and its shadow tree or frame), e.g. an embed on a host page.
    `colours` runs only the rules that judge colours (axe's `cat.color`: contrast, links told apart from
    text), or (False) every rule but those; by default, all of them.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() is not subject to the page's CSP, unlike an injected <script> tag.
        page.evaluate(AXE_PATH.read_text())
    context: Any = {"include": [[include]]} if include else None
    result = page.evaluate(
        """async ([context, tags, colours]) => {
             // axe's own selection by tag, as in a whole run; the colour rules are those axe files under cat.color.
             const colourRules = axe.getRules(['cat.color']).map(r => r.ruleId)
               .filter(id => id === 'color-contrast-enhanced' || axe.getRules(tags).some(r => r.ruleId === id));
             const rules = {'color-contrast-enhanced': {enabled: true}};
             if (colours === false) for (const id of colourRules) rules[id] = {enabled: false};
             const runOnly = colours ? {type: 'rule', values: colourRules} : {type: 'tag', values: tags};
             const results = await axe.run(context || document, {runOnly, rules, resultTypes: ['violations']});
             // Only what the tests read: the whole result (passes and the rest, ~40 KB) costs ~85 ms of CPU a run
             // to serialise and check on its way through Playwright's driver.
             return {violations: results.violations};
           }""",
        [context, AXE_TAGS, colours],
    )
    return list(result["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


# The headless shell keeps every page visible (bring_to_front, a minimized window and CDP's lifecycle states
# change neither document.visibilityState nor fire visibilitychange there), so a tab switch is made as the page
# sees one: document.hidden and visibilityState say hidden, then visible, each with its visibilitychange event.
SWITCH_AWAY_AND_BACK = """() => {
  for (const state of ['hidden', 'visible']) {
    Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
    Object.defineProperty(document, 'hidden', { value: state === 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }
}"""


def wait_until(page: Page, condition: Callable[[], bool]) -> None:
    """Until `condition` holds, Playwright's events handled meanwhile (a request held by a route, a message
    logged): for what the test itself records, which `page.wait_for_function` cannot see."""
    for _ in range(200):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("waited 10 s in vain")


def presses_to_a_stalled_server(
    page: Page, bigger: Locator, status: Locator, held: list[Route], lang: str, presses: int = 3
) -> None:
    """A+ (`bigger`) pressed `presses` times, the first change held by a route (`held`, its list) and never let
    go; the page's clock (installed) run forward: nothing said for 4 s, then that the change is still awaited,
    and on to 15.5 s, when it is given up."""
    bigger.click()
    wait_until(page, lambda: len(held) == 1)
    for _ in range(presses - 1):
        bigger.click()
    page.clock.run_for(3_000)
    expect(status).to_have_text("")
    page.clock.run_for(1_500)
    expect(status).to_have_text(gettext(lang, "Still waiting for the server: your setting is not saved yet."))
    page.clock.run_for(11_000)


def saved_then_stalled(page: Page, bigger: Locator, reader: Locator, status: Locator, held: list[Route]) -> None:
    """A+ (`bigger`) pressed twice, the changes held by a route (`held`, its list): the first let go (the size,
    on `reader`, 112.5 %; its message held for the press after it), the second never; the page's clock
    (installed) run past 15 s, when the second is given up."""
    bigger.click()
    wait_until(page, lambda: len(held) == 1)
    bigger.click()
    held[0].fallback()
    wait_until(page, lambda: len(held) == 2)
    expect(reader).to_have_attribute("data-size", "112.5")
    expect(status).to_have_text("")  # held: the press after it is on its way
    page.clock.run_for(15_500)


def press_each_docked_button(press: Callable[[str], None], reading: Locator, tools: Locator) -> None:
    """While reading, Next, Previous, Pause, Resume and Stop of the docked read-aloud bar, each pressed by
    `press` (its element id), each seen to act: the sentence read (`reading`, the one highlighted) and the
    player's state (`tools`, #reader-tools)."""
    first = reading.get_attribute("data-sentence")
    press("reader-speak-next")
    expect(reading).not_to_have_attribute("data-sentence", str(first))
    press("reader-speak-previous")
    expect(reading).to_have_attribute("data-sentence", str(first))
    press("reader-speak")
    expect(tools).to_have_attribute("data-state", "paused")
    press("reader-speak")
    expect(tools).to_have_attribute("data-state", "playing")
    press("reader-speak-stop")
    expect(tools).to_have_attribute("data-state", "idle")


# In the page: the Range of the part being read, from its sentences' highlighted spans (`spans`) and the text
# spoken last (`said`: it starts with the first span and runs for as many characters other than white space).
PART_RANGE = """(spans, said) => {
  const part = document.createRange();
  part.setStart(spans[0], 0);
  let left = said.replace(/\\s/g, '').length;
  for (const span of spans) {
    const walker = document.createTreeWalker(span, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node && left; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length && left; i++) {
        if (/\\S/.test(node.data[i]) && !--left) part.setEnd(node, i + 1);
      }
    }
  }
  return part;
}"""


def read_then_scroll_on(page: Page, link: Locator, scroll: str) -> tuple[int, int]:
    """Read aloud started and its first part under way (and followed); then the reader scrolls on (`scroll`, a
    function of `link`, run in the page) and the bar docks: the page's scroll position and the bar's height,
    once nothing moves the page any more."""
    tools = page.locator("#reader-tools")
    page.locator("#reader-speak").click()
    expect(tools).to_have_attribute("data-state", "playing")
    expect(page.locator(".reader-speaking").first).to_be_attached()
    page.evaluate(SCROLL_SETTLED)
    link.evaluate(scroll)
    y = int(page.evaluate(SCROLL_SETTLED))
    expect(tools).to_have_attribute("data-docked", re.compile(r"^\d+$"))
    bar = int(tools.get_attribute("data-docked") or 0)
    page.wait_for_timeout(300)  # (nothing moves the page now: the reader scrolled)
    assert page.evaluate(SCROLL_SETTLED) == y
    return y, bar


def with_the_read_aloud_stylesheet(page: Page) -> None:
    """The stylesheet the first Read aloud brings (css/read-aloud-bar.css: the docked bar and the sentence being
    read), for a test that shows a sentence as being read without reading aloud."""
    page.add_style_tag(url="/static/css/read-aloud-bar.css")


def wait_for_htmx(page: Page) -> None:
    """Wait until htmx has loaded and wired the page (its deferred script runs before `load`)."""
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.htmx") == "object"
