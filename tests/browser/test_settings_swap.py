"""static/js/settings-swap.js and what it stands on, in a real browser: a setting changed while the page is
scrolled leaves the reader's place where it was (the control used, or the text being read), the Readability
panel stays as it was, and a change that fails says so. With JavaScript off, the page comes back at the
control used."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect

from reader.colors import contrast_ratio
from reader.i18n import gettext
from reader.prefs import PALETTES
from tests.browser.conftest import (
    DESKTOP,
    LISTEN,
    SCROLL_SETTLED,
    SWITCH_AWAY_AND_BACK,
    PageProblems,
    Tabs,
    forget_the_failure_provoked,
    presses_to_a_stalled_server,
    saved_then_stalled,
    scrolled,
    wait_for_htmx,
    wait_until,
)
from tests.browser.cut_answers import Cut, cut_answers
from tests.conftest import EN_SLUG, SEED_SLUG

SEED = f"/articles/{SEED_SLUG}"
ENGLISH = f"/articles/{EN_SLUG}"
SIZES = {"phone": ViewportSize(width=320, height=640), "desktop": ViewportSize(width=1280, height=800)}
TOLERANCE = 3  # px: sub-pixel layout of the new region

# The control in the middle of the screen, the page scrolled (never at its top: that is where the browser's own
# scroll anchoring does nothing, and the defect did not show).
TO_MIDDLE = """id => {
  const rect = document.getElementById(id).getBoundingClientRect();
  window.scrollBy({top: rect.top + rect.height / 2 - innerHeight / 2, behavior: 'instant'});
}"""
TOP = "id => document.getElementById(id).getBoundingClientRect().top"
IN_VIEW = """id => {
  const rect = document.getElementById(id).getBoundingClientRect();
  return rect.top >= 0 && rect.bottom <= innerHeight;
}"""
NEAR_THE_TOP = """id => {
  const rect = document.getElementById(id).getBoundingClientRect();
  window.scrollBy({top: rect.top - 80, behavior: 'instant'});
}"""


def settled_scroll(page: Page) -> float:
    return float(page.evaluate(SCROLL_SETTLED))


def open_page(browser: Browser, live_server: str, size: str, cookie: str, *, javascript: bool = True) -> Page:
    context = browser.new_context(viewport=SIZES[size], locale="vi-VN", java_script_enabled=javascript)
    context.add_cookies([{"name": "reader_prefs", "value": cookie, "url": live_server + "/"}])
    return context.new_page()


@pytest.fixture
def pages(browser: Browser) -> Iterator[list[Page]]:
    opened: list[Page] = []
    yield opened
    for page in opened:
        page.context.close()


def use(page: Page, control: str, how: str) -> None:
    """Press a control as a keyboard user (focused, then Space) or click it with the mouse."""
    if how == "keyboard":
        page.evaluate("id => document.getElementById(id).focus({preventScroll: true})", control)
        page.keyboard.press("Space")
    else:
        box = page.locator(f"#{control}").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("how", ["keyboard", "mouse"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("path", "control", "pressed"),
    [
        (SEED + "?panel=open", "reader-theme-dark", "reader-theme-dark"),
        (SEED + "?panel=open", "reader-width-80", "reader-width-80"),
        ("/preferences", "reader-theme-sepia", "reader-theme-sepia"),
    ],
)
def test_the_control_used_stays_where_it_was_on_the_screen(
    tabs: Tabs, live_server: str, size: str, how: str, path: str, control: str, pressed: str
) -> None:
    with tabs.open(SIZES[size]) as (context, page, _):  # the page's problems: none, or the case fails
        context.add_cookies([{"name": "reader_prefs", "value": "1|s:150", "url": live_server + "/"}])
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        page.evaluate(TO_MIDDLE, control)
        before_scroll = settled_scroll(page)
        assert before_scroll >= 1
        before = page.evaluate(TOP, control)
        use(page, control, how)
        expect(page.locator(f"#{pressed}")).to_have_attribute("aria-pressed", "true")
        settled_scroll(page)
        assert abs(page.evaluate(TOP, control) - before) <= TOLERANCE
        expect(page.locator(f"#{control}")).to_be_focused()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_plus_stays_on_the_screen_while_the_text_above_it_grows(
    browser: Browser, pages: list[Page], live_server: str, size: str
) -> None:
    """At 320 px the title and the lead above A+ grow with every press; A+ stays under the reader's finger."""
    page = open_page(browser, live_server, size, "1|s:150")
    pages.append(page)
    page.goto(live_server + ENGLISH)
    page.wait_for_load_state("networkidle")
    # Scrolled until A+ is near the top of the screen (the toolbar is near the page's top: not to the middle).
    page.evaluate(NEAR_THE_TOP, "reader-bigger")
    assert settled_scroll(page) >= 1
    for expected in ("175", "200"):
        before = page.evaluate(TOP, "reader-bigger")
        use(page, "reader-bigger", "keyboard")
        expect(page.locator("#reader")).to_have_attribute("data-size", expected)
        settled_scroll(page)
        assert abs(page.evaluate(TOP, "reader-bigger") - before) <= TOLERANCE
        assert page.evaluate(IN_VIEW, "reader-bigger")
        expect(page.locator("#reader-bigger")).to_be_focused()


SENTENCE_AT_TOP = """() => {
  const article = document.getElementById('reader-article').getBoundingClientRect();
  for (let y = 8; y < innerHeight; y += 4) {
    const hit = document.elementFromPoint(article.left + 24, y)?.closest('[data-sentence]');
    if (hit) return hit.dataset.sentence;
  }
  return null;
}"""


@pytest.mark.parametrize("size", list(SIZES))
def test_the_text_being_read_stays_at_the_top_when_the_change_is_not_from_a_control_on_screen(
    browser: Browser, pages: list[Page], live_server: str, size: str
) -> None:
    """A change while the focus is in the text (the size form sent by a script: no control in view, as with a
    shortcut) keeps the sentence at the top of the screen there, though every line reflows."""
    page = open_page(browser, live_server, size, "1|s:125")
    pages.append(page)
    page.goto(live_server + ENGLISH)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => window.scrollTo({top: document.documentElement.scrollHeight / 2, behavior: 'instant'})")
    settled_scroll(page)
    sentence = page.evaluate(SENTENCE_AT_TOP)
    assert sentence
    page.evaluate("() => document.getElementById('reader-bigger').click()")  # a click() does not move the focus
    expect(page.locator("#reader")).to_have_attribute("data-size", "150")
    settled_scroll(page)
    assert page.evaluate(SENTENCE_AT_TOP) == sentence


def test_a_select_scrolled_off_the_screen_keeps_the_text_being_read(
    browser: Browser, pages: list[Page], live_server: str
) -> None:
    """The reader tries line spacings from the keyboard: the select keeps the focus while they scroll down to
    the text, and each arrow key applies the next value there. The page used to jump back up to the select
    (3,000-5,000 px) after every change."""
    page = open_page(browser, live_server, "phone", "1")
    pages.append(page)
    page.goto(live_server + ENGLISH + "?panel=open")
    page.wait_for_load_state("networkidle")
    page.locator("#reader-line-height").focus()
    page.evaluate("() => window.scrollTo({top: document.documentElement.scrollHeight / 2, behavior: 'instant'})")
    settled_scroll(page)
    assert not page.evaluate(IN_VIEW, "reader-line-height")
    sentence = page.evaluate(SENTENCE_AT_TOP)
    assert sentence
    page.keyboard.press("ArrowDown")
    expect(page.locator("#reader")).not_to_have_attribute("data-lh", "1.6")
    settled_scroll(page)
    assert page.evaluate(SENTENCE_AT_TOP) == sentence
    expect(page.locator("#reader-line-height")).to_be_focused()


HOLD_CHECK = """() => ({
  size: document.getElementById('reader').dataset.size,
  wide: document.documentElement.scrollWidth > document.documentElement.clientWidth,
})"""


@pytest.mark.parametrize("viewport", [(1280, 800), (360, 740), (320, 640)], ids=lambda v: f"{v[0]}x{v[1]}")
def test_a_minus_pressed_at_one_point_takes_every_time(
    browser: Browser, live_server: str, viewport: tuple[int, int]
) -> None:
    """From 400 % down: each press shrinks A+ before A−, moves the pair up as the masthead shrinks, puts the
    phone's pair side by side, and narrows the desktop page's centred column. The second press landed beside
    A− at every width (on A+ at 320 px, undoing the first). The pair now keeps its boxes and its place while
    the pointer rests on A−, and takes its own size once the pointer leaves. (Since the controls stop growing
    at 200 % and keep their page, nothing of the toolbar changes from 400 % down to 200 %: the hold matters
    below that.)"""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="vi-VN")
    try:
        context.add_cookies([{"name": "reader_prefs", "value": "1|s:400", "url": live_server + "/"}])
        page = context.new_page()
        page.goto(live_server + SEED)
        page.wait_for_load_state("networkidle")
        page.locator("#reader-smaller").scroll_into_view_if_needed()
        box = page.locator("#reader-smaller").bounding_box()
        assert box is not None
        point = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for step in ("300", "250", "200", "175", "150", "125", "112.5", "100", "87.5"):
            page.mouse.click(*point)
            expect(page.locator("#reader")).to_have_attribute("data-size", step)
            settled_scroll(page)
            assert page.evaluate(HOLD_CHECK) == {"size": step, "wide": False}
        assert page.locator("#reader-smaller").get_attribute("style")  # held
        page.mouse.move(1, viewport[1] - 1)
        expect(page.locator("#reader-smaller")).not_to_have_attribute("style", re.compile("."))
        assert page.locator("#reader-smaller").evaluate("button => button.getBoundingClientRect().width") < box["width"]
    finally:
        context.close()


@pytest.mark.parametrize(
    ("control", "group"), [("reader-theme-dark", "reader-themes"), ("reader-bigger", "reader-size-controls")]
)
def test_without_javascript_the_page_comes_back_at_the_control_used(
    browser: Browser, pages: list[Page], live_server: str, control: str, group: str
) -> None:
    page = open_page(browser, live_server, "phone", "1|s:150", javascript=False)
    pages.append(page)
    page.goto(live_server + SEED + "?panel=open")
    page.evaluate(TO_MIDDLE, control)
    with page.expect_navigation():
        page.locator(f"#{control}").click()
    # At the note of what changed, which is in the group, or under A+ and A− in the toolbar (the
    # change's name is in the query: reader.saved_note).
    assert page.url.endswith("#reader-saved") and f"saved={group}:" in page.url
    assert page.evaluate("() => scrollY") >= 1
    assert page.evaluate(IN_VIEW, control)
    expect(page.locator("#reader-panel")).to_have_attribute("open", "")


@pytest.mark.parametrize("opened", ["by the server", "by the reader"])
def test_a_plus_and_a_minus_leave_the_panel_open(page: Page, live_server: str, opened: str) -> None:
    if opened == "by the server":
        page.goto(live_server + SEED + "?panel=open")
    else:
        page.goto(live_server + SEED)
        page.locator("#reader-panel-summary").click()
    expect(page.locator("#reader-panel")).to_have_attribute("open", "")
    for control, size in (("reader-bigger", "112.5"), ("reader-smaller", "100")):
        page.locator(f"#{control}").click()
        expect(page.locator("#reader")).to_have_attribute("data-size", size)
        expect(page.locator("#reader-panel")).to_have_attribute("open", "")
    # and closed stays closed
    page.locator("#reader-panel-summary").click()
    expect(page.locator("#reader-panel")).not_to_have_attribute("open", "")
    page.locator("#reader-bigger").click()
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    expect(page.locator("#reader-panel")).not_to_have_attribute("open", "")


STATUS_IS = "(text) => document.getElementById('reader-status').textContent === text"


def test_the_same_message_again_still_changes_the_status_region(page: Page, live_server: str) -> None:
    """A+ at 400 % says "Cỡ chữ 400 %, lớn nhất" every time: from the second time on the region's text must
    still change (a trailing no-break space, every other time), or a screen reader may not say it. (The
    server's message, which htmx puts in out of band, was written as it came: the same text.)"""
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|s:400", "url": live_server + "/"}])
    page.goto(live_server + SEED)
    wait_for_htmx(page)
    message = "Cỡ chữ 400\u00a0%, lớn nhất"
    for expected in (message, message + "\u00a0", message):
        page.locator("#reader-bigger").click()
        page.wait_for_function(STATUS_IS, arg=expected)


@pytest.mark.parametrize("fault", ["aborted", "503", "429"])
def test_a_change_that_fails_says_so(page: Page, problems: PageProblems, live_server: str, fault: str) -> None:
    page.goto(live_server + SEED)
    page.wait_for_load_state("networkidle")

    def answer(route):  # type: ignore[no-untyped-def]
        if route.request.method != "POST":
            route.continue_()
        elif fault == "aborted":
            route.abort()
        else:
            route.fulfill(status=int(fault), body="")

    if fault != "aborted":
        problems.expect_status(int(fault))
    page.route("**/preferences", answer)
    page.locator("#reader-bigger").click()
    # (Too many changes, 429, as a server error: "could not save it just now" says it may work in a moment.)
    expected = "không nhận được trả lời" if fault == "aborted" else "máy chủ chưa lưu"
    expect(page.locator("#reader-status")).to_contain_text("Chưa lưu cài đặt")
    expect(page.locator("#reader-status")).to_contain_text(expected)
    line = page.locator(".reader-request-failed")
    expect(line).to_be_visible()
    expect(line).to_have_text(page.locator("#reader-status").inner_text())
    expect(page.locator("#reader")).to_have_attribute("data-size", "100")
    forget_the_failure_provoked(problems)
    # Once the server answers again, the change goes through and the line goes.
    page.unroute("**/preferences")
    page.locator("#reader-bigger").click()
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    expect(page.locator(".reader-request-failed")).to_have_count(0)


@pytest.mark.parametrize("path", [SEED, ENGLISH, "/preferences"])
def test_a_change_with_no_answer_says_so_and_is_given_up_on(
    page: Page, problems: PageProblems, live_server: str, path: str
) -> None:
    """A+ pressed while the server stalls: htmx waited for good, and the reader was told nothing, ever (then
    every press made meanwhile landed at once when it answered). Now, as on /embed and in <reader-article>:
    "still waiting" after 4 s, "not saved" after 15 s (the page's clock, run forward), the presses made
    meanwhile dropped with it, the size as it was; a press after it goes as any other. In the page's language."""
    page.clock.install()
    page.goto(live_server + path)
    wait_for_htmx(page)
    status = page.locator("#reader-status")
    lang = status.get_attribute("lang") or ""
    held: list[Route] = []
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    page.route(
        "**/preferences", lambda route: held.append(route) if route.request.method == "POST" else route.fallback()
    )
    bigger = page.locator("#reader-bigger")
    presses_to_a_stalled_server(page, bigger, status, held, lang)
    failed = gettext(lang, UNANSWERED)
    expect(status).to_have_text(failed)
    expect(page.locator(".reader-request-failed")).to_have_text(failed)
    forget_the_failure_provoked(problems)
    page.clock.run_for(2_000)
    # The two presses made meanwhile were dropped, not sent: counted while the route still holds any that were.
    assert len(held) == 1
    page.unroute("**/preferences")
    expect(page.locator("#reader")).to_have_attribute("data-size", "100")
    bigger.click()
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    expect(page.locator(".reader-request-failed")).to_have_count(0)
    assert len(posted) == 2  # the one given up and the last press: none of those dropped came in between


# Said when a change got no answer, or none in 15 s: the link may be at fault as much as the server.
UNANSWERED = "Setting not saved: no answer came. Try again."
WAITING = "Still waiting for the server: your setting is not saved yet."


def hold_changes(page: Page) -> list[Route]:
    """Every change (a POST to /preferences) held, in the order sent, until the test lets it go."""
    held: list[Route] = []
    page.route(
        "**/preferences", lambda route: held.append(route) if route.request.method == "POST" else route.fallback()
    )
    return held


def test_a_change_given_up_on_says_too_that_the_one_before_it_was_saved(
    page: Page, problems: PageProblems, live_server: str
) -> None:
    """A+ pressed twice, the first on its way: its answer (112.5 %) is held, not said, as the press waiting
    after it will say more. That press stalls and is given up at 15 s. Both are said, in one announcement: the
    size the first reached and the failure (htmx says the second's end, then its failure, in one task; the held
    message was said at the first, then replaced by the failure alone, while the page stayed at 112.5 %)."""
    page.clock.install()
    page.goto(live_server + SEED)
    wait_for_htmx(page)
    status = page.locator("#reader-status")
    held = hold_changes(page)
    bigger = page.locator("#reader-bigger")
    saved_then_stalled(page, bigger, page.locator("#reader"), status, held)
    failed = gettext("vi", UNANSWERED)
    expect(status).to_have_text(f"Cỡ chữ 112,5\u00a0% {failed}")
    expect(page.locator(".reader-request-failed")).to_have_text(failed)
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    forget_the_failure_provoked(problems)


@pytest.mark.parametrize(
    ("panel", "control", "attribute", "value"),
    [(False, "#reader-bigger", "data-size", "112.5"), (True, "#reader-theme-dark", "data-theme", "dark")],
)
def test_a_change_whose_answer_is_cut_after_its_headers_is_said_saved_and_shown(
    page: Page, problems: PageProblems, live_server: str, panel: bool, control: str, attribute: str, value: str
) -> None:
    """The answer's headers in (its Set-Cookie stored: the change saved), then the link lost before its body
    ended: htmx's send error. That was "not saved: the server could not be reached, try again", beside the page
    as it was, and A+ pressed again, as told, made 125 % of one press. Now it says it was saved, and the region
    is loaded again to show it: the next A+ is one step from there."""
    cutting = [False]
    with cut_answers(live_server, lambda method, path: cutting[0] and method == "POST") as proxy:
        page.goto(proxy + SEED)
        wait_for_htmx(page)
        reader, status = page.locator("#reader"), page.locator("#reader-status")
        if panel:
            page.locator("#reader-panel-summary").click()
        cutting[0] = True
        page.locator(control).click()
        expect(status).to_have_text(gettext("vi", "Setting saved; reload if the page does not show it."))
        expect(reader).to_have_attribute(attribute, value)
        assert "Chưa lưu" not in (status.text_content() or "")
        cutting[0] = False
        page.locator("#reader-bigger").click()
        expect(reader).to_have_attribute("data-size", "125" if attribute == "data-size" else "112.5")
        expect(page.locator(".reader-request-failed")).to_have_count(0)
    problems.messages[:] = [m for m in problems.messages if "ERR_CONTENT_LENGTH_MISMATCH" not in m]
    forget_the_failure_provoked(problems)


SAVED = "Setting saved; reload if the page does not show it."


def said(page: Page) -> list[str]:
    return [text.rstrip("\u00a0") for text in page.evaluate("window.__said") if text.strip()]


def forget_the_cut(problems: PageProblems) -> None:
    """The cut answers' failures (the browser's console line about each, and htmx's)."""
    problems.messages[:] = [m for m in problems.messages if "ERR_CONTENT_LENGTH_MISMATCH" not in m]
    forget_the_failure_provoked(problems)


def test_a_change_whose_answer_is_cut_before_any_of_its_body_is_said_saved_once_the_server_says_so(
    page: Page, problems: PageProblems, live_server: str
) -> None:
    """The link lost after the answer's headers, before any of its body: Chromium's request never says its headers
    came, and htmx says a send error, as for a change that never reached the server. That was "not saved: no
    answer came, try again" for a change that was saved (A+ again: 125 %). Now the page asks the server for the
    settings now: they moved, so the region is loaded again and "saved" said, once."""
    cutting = [False]
    with cut_answers(
        live_server, lambda method, path: Cut(share=0) if cutting[0] and method == "POST" else None
    ) as proxy:
        page.goto(proxy + SEED)
        wait_for_htmx(page)
        page.evaluate(LISTEN)
        reader, status = page.locator("#reader"), page.locator("#reader-status")
        cutting[0] = True
        page.locator("#reader-bigger").click()
        expect(reader).to_have_attribute("data-size", "112.5")
        expect(status).to_have_text(gettext("vi", SAVED))
        assert said(page) == [gettext("vi", SAVED)]
        cutting[0] = False
        page.locator("#reader-bigger").click()
        expect(reader).to_have_attribute("data-size", "125")
    forget_the_cut(problems)


@pytest.mark.parametrize("share", [0.5, 0.0], ids=["half-its-body", "headers-alone"])
def test_presses_made_while_a_change_whose_answer_is_cut_was_on_its_way_are_made_after_it(
    page: Page, problems: PageProblems, live_server: str, share: float
) -> None:
    """A+ pressed twice, the first change on its way, then its answer cut after its headers (saved). The press made
    meanwhile was dropped without a word, under "Setting saved". Now it is made once the region is loaded again,
    as after any answer: 125 %, and said. Cut before any byte of its body too, where Chromium never says its
    headers came and the page asks the server whether it was saved (it dropped the press then, and said saved)."""
    release = threading.Event()
    first = Cut(share=share, hold=release)
    posted: list[str] = []

    def choose(method: str, path: str) -> Cut | None:
        if method != "POST":
            return None
        posted.append(path)
        return first if len(posted) == 1 else None

    with cut_answers(live_server, choose) as proxy:
        page.goto(proxy + SEED)
        wait_for_htmx(page)
        bigger = page.locator("#reader-bigger")
        bigger.click()
        wait_until(page, first.arrived.is_set)
        bigger.click()
        release.set()
        expect(page.locator("#reader")).to_have_attribute("data-size", "125")
        expect(page.locator("#reader-status")).to_have_text("Cỡ chữ 125\u00a0%")
        assert len(posted) == 2
    forget_the_cut(problems)


def test_a_change_whose_answer_stalls_after_its_headers_is_given_up_on_as_saved(
    page: Page, problems: PageProblems, live_server: str
) -> None:
    """Its headers in (the change saved), then its body stalls, the link left open. "Still waiting: not saved yet"
    came at 4 s (false), and it was never given up on: every later press waited behind it, for good. Now nothing
    is said at 4 s; at 15 s it is given up on and said saved, the region is loaded again, and the next press
    goes."""
    page.clock.install()
    stalling = [False]
    with cut_answers(
        live_server, lambda method, path: Cut(stall=True) if stalling[0] and method == "POST" else None
    ) as proxy:
        page.goto(proxy + SEED)
        wait_for_htmx(page)
        page.evaluate("() => document.addEventListener('htmx:xhr:progress', () => (window.__arriving = true))")
        reader, status = page.locator("#reader"), page.locator("#reader-status")
        stalling[0] = True
        page.locator("#reader-bigger").click()
        wait_until(page, lambda: page.evaluate("window.__arriving === true"))  # body bytes came: the headers too
        stalling[0] = False
        page.clock.run_for(4_500)
        expect(page.locator(".reader-request-failed")).to_have_count(0)
        assert (status.text_content() or "") == ""
        page.clock.run_for(11_000)
        expect(reader).to_have_attribute("data-size", "112.5")
        expect(status).to_have_text(gettext("vi", SAVED))
        page.locator("#reader-bigger").click()
        expect(reader).to_have_attribute("data-size", "125")
    forget_the_cut(problems)


def test_a_refused_change_whose_answer_is_cut_is_not_said_saved(
    page: Page, problems: PageProblems, live_server: str
) -> None:
    """Colours under 7:1 are refused with a 200, as a change kept is answered: cut after its headers, that answer
    was said "Setting saved" about colours never used. Only an answer that kept a change now says so
    (Reader-Saved), so this one is said not saved, once, the colours entered kept for another try."""
    cutting = [False]
    with cut_answers(live_server, lambda method, path: cutting[0] and method == "POST") as proxy:
        page.goto(proxy + SEED + "?panel=open")
        wait_for_htmx(page)
        page.locator("#reader-text-color").fill("#777777")
        page.locator("#reader-background-color").fill("#ffffff")
        drawn = page.locator("#reader").get_attribute("data-drawn") or ""
        page.evaluate(LISTEN)
        cutting[0] = True
        page.locator("#reader-colors-apply").click()
        unanswered = gettext("vi", UNANSWERED)
        expect(page.locator("#reader-status")).to_have_text(unanswered)
        expect(page.locator(".reader-request-failed")).to_have_text(unanswered)
        assert said(page) == [unanswered]
        expect(page.locator("#reader-text-color")).to_have_value("#777777")
        expect(page.locator("#reader")).to_have_attribute("data-drawn", drawn)
    forget_the_cut(problems)


def test_an_embeds_change_whose_answer_is_cut_says_it_failed_and_shows_the_value_in_effect(
    page: Page, problems: PageProblems, live_server: str
) -> None:
    """/embed keeps its settings in its address, which a cut answer leaves as it was: it says its data-failed, as
    it did, but its select kept the value that failed, beside text that had not changed (taken for saved, it was
    not put back)."""
    cutting = [False]
    with cut_answers(live_server, lambda method, path: cutting[0] and method == "POST") as proxy:
        page.goto(f"{proxy}/embed/{SEED_SLUG}")
        wait_for_htmx(page)
        page.locator("#reader-panel-summary").click()
        field = page.locator("#reader-line-height")
        in_effect = field.input_value()
        cutting[0] = True
        field.select_option("2")
        expect(page.locator("#reader-status")).to_have_text(
            gettext("vi", "Your setting could not be changed. Please try again.")
        )
        expect(field).to_have_value(in_effect)
    forget_the_cut(problems)


def test_a_change_cut_while_a_tabs_own_check_is_on_its_way_is_still_shown(
    page: Page, problems: PageProblems, live_server: str
) -> None:
    """A tab shown again asks for the settings now. A change made meanwhile, its answer cut after its headers,
    asked nothing more (one question at a time), and the first question, asked before the change was saved, left
    the page as it was: the change was never shown. Now the change asks as well."""
    cutting = [False]
    with cut_answers(live_server, lambda method, path: cutting[0] and method == "POST") as proxy:
        page.goto(proxy + SEED)
        wait_for_htmx(page)
        reader = page.locator("#reader")
        drawn = reader.get_attribute("data-drawn") or ""
        asked: list[Route] = []
        page.route("**/preferences/current", lambda route: route.fallback() if asked else asked.append(route))
        page.evaluate(SWITCH_AWAY_AND_BACK)
        wait_until(page, lambda: bool(asked))
        cutting[0] = True
        page.locator("#reader-bigger").click()
        expect(page.locator("#reader-status")).to_have_text(gettext("vi", SAVED))
        expect(reader).to_have_attribute("data-size", "112.5")
        asked[0].fulfill(body=drawn, content_type="text/plain")  # the tab's own question, asked before the change
    forget_the_cut(problems)


@pytest.mark.parametrize(
    ("path", "select", "value"), [(SEED, "#reader-line-height", "2"), ("/preferences", "#reader-size", "200")]
)
def test_a_select_whose_change_failed_shows_the_value_in_effect_and_the_failure_beside_it(
    browser: Browser, live_server: str, path: str, select: str, value: str
) -> None:
    """On a phone (320 × 640), a select's change that fails: the select showed the value picked, beside text
    not changed, and the only words on the screen were after the whole panel, two to five screens down. Now
    it shows the value in effect again, and the failure is said under its field, on the screen, the focus
    left on the select."""
    page = open_page(browser, live_server, "phone", "1|s:100")
    try:
        page.goto(live_server + path)
        wait_for_htmx(page)
        if path == SEED:
            page.locator("#reader-panel-summary").click()
        field = page.locator(select)
        in_effect = field.input_value()
        page.route(
            "**/preferences", lambda route: route.abort() if route.request.method == "POST" else route.fallback()
        )
        field.focus()
        field.select_option(value)
        line = page.locator(".reader-request-failed")
        expect(line).to_have_text(gettext("vi", UNANSWERED))
        expect(line).to_be_in_viewport()
        expect(field).to_be_in_viewport()
        expect(field).to_have_value(in_effect)
        expect(field).to_be_focused()
        # Under the select's own field, not after the form.
        assert line.evaluate("(line, id) => line.previousElementSibling.contains(document.querySelector(id))", select)
    finally:
        page.context.close()


def test_a_failure_of_the_shortcuts_toggle_is_shown_under_it_the_toggle_on_the_screen(
    browser: Browser, live_server: str
) -> None:
    """Single-key shortcuts' form is inside the Reading guide group, the keys' fields after it: the line went after
    that whole group, a screen below on a phone at 200 %, and bringing it on the screen took the focused toggle
    off the top. Now it is right under the toggle's form, and the toggle stays on the screen."""
    page = open_page(browser, live_server, "phone", "1|s:200")
    try:
        page.goto(live_server + "/preferences")
        wait_for_htmx(page)
        toggle = page.locator("#reader-shortcuts-toggle")
        page.route(
            "**/preferences", lambda route: route.abort() if route.request.method == "POST" else route.fallback()
        )
        toggle.focus()
        page.keyboard.press("Enter")
        line = page.locator(".reader-request-failed")
        expect(line).to_have_text(gettext("vi", UNANSWERED))
        assert line.evaluate(
            "line => line.previousElementSibling === document.getElementById('reader-shortcuts-toggle').form"
        )
        expect(toggle).to_be_focused()
        expect(toggle).to_be_in_viewport()
        expect(line).to_be_in_viewport()
    finally:
        page.context.close()


def test_a_change_on_its_way_shows_on_the_screen(page: Page, problems: PageProblems, live_server: str) -> None:
    """A change with no answer yet changed nothing on the screen for 15 s ("still waiting" went to the hidden
    status region only), and a reader who saw nothing pressed again and again. Now the control pressed looks
    busy until the answer, and at 4 s "still waiting" is shown beside it too."""
    page.clock.install()
    page.goto(live_server + SEED)
    wait_for_htmx(page)
    held = hold_changes(page)
    bigger = page.locator("#reader-bigger")
    style = "e => getComputedStyle(e).outlineStyle"
    assert bigger.evaluate(style) == "none"
    bigger.click()
    wait_until(page, lambda: len(held) == 1)
    assert bigger.evaluate(style) == "dotted"
    page.clock.run_for(4_500)
    line = page.locator(".reader-request-failed")
    expect(line).to_have_text(gettext("vi", WAITING))
    expect(line).to_be_in_viewport()
    held[0].fallback()
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    expect(line).to_have_count(0)
    assert page.locator("#reader-bigger").evaluate(style) == "none"


THEME_BUTTONS = [name for name in PALETTES]


@pytest.mark.parametrize("cookie", [*(f"1|t:{theme}" for theme in THEME_BUTTONS), "1|fg:ffff00|bg:000080"])
def test_a_hovered_pressed_toggle_keeps_its_label_readable(tabs: Tabs, live_server: str, cookie: str) -> None:
    """Line length, font, theme, link underlines, shortcuts: each pressed toggle hovered, its label at 7:1
    (docs/accessibility.md), in every theme and in a pair of the reader's own colours."""
    with tabs.open(DESKTOP) as (context, page, _):
        context.add_cookies([{"name": "reader_prefs", "value": cookie, "url": live_server + "/"}])
        page.goto(live_server + ENGLISH + "?panel=open")
        page.locator("#reader-shortcuts-summary").click()  # the shortcuts' toggle too
        pressed = page.locator('#reader-panel .reader-toggle[aria-pressed="true"]')
        # Line length, font, theme, link underlines, shortcuts; with the reader's own colours no theme is on.
        assert pressed.count() == (4 if "fg:" in cookie else 5)
        for index in range(pressed.count()):
            button = pressed.nth(index)
            button.hover()
            colours = button.evaluate(
                """e => { const s = getComputedStyle(e); const hex = c => '#' + c.match(/\\d+/g).slice(0, 3)
                     .map(n => Number(n).toString(16).padStart(2, '0')).join('');
                   return [e.matches(':hover'), hex(s.color), hex(s.backgroundColor), e.id]; }"""
            )
            hovered, text, background, name = colours
            assert hovered, name
            assert contrast_ratio(text, background) >= 7, (name, text, background)
        # A focused control under the mouse keeps the focus colours whole (a hover rule once outweighed the
        # focus rule's background and left its dark text on a dark grey).
        bigger = page.locator("#reader-bigger")
        bigger.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focused from the keyboard: :focus-visible
        bigger.hover()
        hovered, focused, text, background = bigger.evaluate(
            """e => { const s = getComputedStyle(e); const hex = c => '#' + c.match(/\\d+/g).slice(0, 3)
                 .map(n => Number(n).toString(16).padStart(2, '0')).join('');
               return [e.matches(':hover'), e.matches(':focus-visible'), hex(s.color), hex(s.backgroundColor)]; }"""
        )
        assert hovered and focused
        assert contrast_ratio(text, background) >= 7, (cookie, text, background)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_refused_colours_are_explained_beside_the_pickers_which_keep_them(
    browser: Browser, pages: list[Page], live_server: str, javascript: bool
) -> None:
    page = open_page(browser, live_server, "phone", "1|t:sepia", javascript=javascript)
    pages.append(page)
    page.goto(live_server + SEED + "?panel=open")
    page.locator("#reader-text-color").fill("#777777")
    page.locator("#reader-background-color").fill("#ffffff")
    if javascript:
        page.locator("#reader-colors-apply").click()
    else:
        with page.expect_navigation():
            page.locator("#reader-colors-apply").click()
    message = page.locator("#reader-colors-refused")
    expect(message).to_be_visible()
    expect(message).to_have_text(re.compile(r"^Chưa áp dụng màu: độ tương phản chỉ là 4,4:1, cần ít nhất 7:1"))
    for picker, value in (("#reader-text-color", "#777777"), ("#reader-background-color", "#ffffff")):
        expect(page.locator(picker)).to_have_value(value)
        expect(page.locator(picker)).to_have_attribute("aria-describedby", "reader-colors-hint reader-colors-refused")
    expect(page.locator("#reader")).to_have_attribute("data-theme", "sepia")  # the reader's settings kept
    assert page.evaluate(IN_VIEW, "reader-colors-refused")


def test_a_change_that_fails_says_so_in_the_pages_language(
    page: Page, problems: PageProblems, live_server: str
) -> None:
    page.goto(live_server + ENGLISH)
    problems.expect_status(503)
    page.route("**/preferences", lambda route: route.fulfill(status=503, body=""))
    page.locator("#reader-bigger").click()
    status = page.locator("#reader-status")
    expect(status).to_have_text("Setting not saved: the server could not save it just now. Try again.")
    expect(status).to_have_attribute("lang", "en")
    expect(page.locator(".reader-request-failed")).to_have_attribute("lang", "en")
    forget_the_failure_provoked(problems)


def test_escape_closes_the_disclosure_the_focus_is_in(page: Page, live_server: str) -> None:
    # A native <details> ignores Escape; a reader who opened the panel by keyboard expects it to close, as a
    # menu does, and to find the focus where they opened it.
    page.goto(live_server + SEED)
    wait_for_htmx(page)
    page.locator("#reader-panel-summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reader-panel")).to_have_attribute("open", "")
    page.locator("#reader-shortcuts-summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reader-shortcuts")).to_have_attribute("open", "")
    page.locator("#reader-shortcuts-toggle").focus()
    page.keyboard.press("Escape")  # the innermost first
    expect(page.locator("#reader-shortcuts")).not_to_have_attribute("open", "")
    expect(page.locator("#reader-shortcuts-summary")).to_be_focused()
    expect(page.locator("#reader-panel")).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(page.locator("#reader-panel")).not_to_have_attribute("open", "")
    expect(page.locator("#reader-panel-summary")).to_be_focused()
    # Closed stays closed across the next change.
    page.locator("#reader-bigger").click()
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    expect(page.locator("#reader-panel")).not_to_have_attribute("open", "")


BOXES = """selector => [...document.querySelectorAll(selector)].map((e) => {
  const r = e.getBoundingClientRect();
  const top = r.top - document.getElementById('reader-theme-auto').getBoundingClientRect().top;
  return [e.id, Math.round(r.left), Math.round(top), Math.round(r.width), Math.round(r.height)];
})"""


@pytest.mark.parametrize("size", list(SIZES))
def test_pressing_a_toggle_moves_no_button(browser: Browser, pages: list[Page], live_server: str, size: str) -> None:
    """The ✓ of a pressed toggle has its room in every toggle: added on the press, it widened the pressed
    button by 18 px and moved the ones after it, so that a second click at the same point could land on the
    wrong button. (Tops from the first toggle's: the swap may scroll the page.)"""
    page = open_page(browser, live_server, size, "1|s:150")
    pages.append(page)
    page.goto(live_server + SEED + "?panel=open")
    toggles = '#reader-panel .reader-toggle:is([name="theme"], [name="underline_links"])'
    before = page.evaluate(BOXES, toggles)
    page.locator("#reader-theme-dark").click()
    expect(page.locator("#reader-theme-dark")).to_have_attribute("aria-pressed", "true")
    page.locator("#reader-underline-links").click()
    expect(page.locator("#reader-underline-links")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(BOXES, toggles) == before


@pytest.mark.parametrize(
    ("path", "width", "cookie", "font"),
    [
        (ENGLISH, 1280, "", "atkinson"),  # 378 → 432 px once the font came
        (SEED, 1280, "", "opendyslexic"),  # 378 → 403
        (ENGLISH, 360, "", "opendyslexic"),  # 378 → 324 on the tester's phone (not on the test machine)
        (ENGLISH, 1280, "1|f:serif", "lexend"),  # +32 there: a label took a third line in the font itself
    ],
)
def test_a_web_font_chosen_for_the_first_time_leaves_its_button_in_place(
    browser: Browser, pages: list[Page], live_server: str, path: str, width: int, cookie: str, font: str
) -> None:
    """The page keeps the pressed button where it was against the stand-in's lines; the font's file comes a
    moment after the swap, and its lines are not quite the stand-in's: the button moved again, by up to 54 px."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    if cookie:
        context.add_cookies([{"name": "reader_prefs", "value": cookie, "url": live_server + "/"}])
    # The font's files a moment late, as over a phone's connection: after the swap, every time.
    context.route(lambda url: ".woff2" in url, lambda route: (time.sleep(0.15), route.continue_()))
    page = context.new_page()
    pages.append(page)
    page.goto(live_server + path + "?panel=open")
    page.wait_for_load_state("networkidle")
    control = f"reader-font-{font}"
    page.evaluate(TO_MIDDLE, control)
    scrolled(page, lambda: page.mouse.wheel(0, -300))  # in the middle of the screen, the page scrolled
    before = page.evaluate(TOP, control)
    with page.expect_response(lambda response: ".woff2" in response.url):
        use(page, control, "mouse")
    expect(page.locator(f"#{control}")).to_have_attribute("aria-pressed", "true")
    page.evaluate("document.fonts.ready")
    settled_scroll(page)
    assert abs(page.evaluate(TOP, control) - before) <= TOLERANCE
