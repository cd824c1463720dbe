"""Presses made faster than the server answers (static/js/settings-swap.js): every one counts. A+ pressed three
times quickly is three steps, a burst of arrow keys on a select ends on the last value, and a change in one form
while another's is on its way is kept too; the page, the cookie, the size readout and the one announcement all
say the final state, and the focus stays on the control pressed.

The server is slowed (Chromium's network emulation: every answer comes 400 ms late), as on a phone's network,
and the first change is held until the presses are made (hold_the_first_change), so that they are certainly
made while it is on its way: on a loaded machine a few presses through the test's connection to the browser
took longer than 400 ms, and a press made after the first answer is a change of its own, rightly said on its
own."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Route, expect

from reader.prefs import Preferences
from tests.browser.conftest import LISTEN, PageProblems, forget_the_failure_provoked, wait_for_htmx, wait_until
from tests.conftest import SEED_SLUG

SEED = f"/articles/{SEED_SLUG}"
LATENCY_MS = 400

# The region is final: no request on its way (htmx marks the form that sent one).
SETTLED = "() => !document.querySelector('#reader .htmx-request')"


def slow_down(page: Page, latency_ms: int = LATENCY_MS) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def open_slow(page: Page, context: BrowserContext, live_server: str, path: str, cookie: str | None) -> None:
    if cookie:
        context.add_cookies([{"name": "reader_prefs", "value": cookie, "url": live_server + "/"}])
    page.goto(live_server + path)
    wait_for_htmx(page)
    page.wait_for_load_state("networkidle")
    slow_down(page)
    page.evaluate(LISTEN)


def hold_the_first_change(page: Page) -> Callable[[], None]:
    """Hold the first change posted from now on; the function returned lets it go on (to the page's other
    routes, then the network, with its lateness) once the presses to be made meanwhile are made, whatever
    the machine's load."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == "POST" and not held:
            held.append(route)
        else:
            route.fallback()

    page.route("**/preferences", hold)

    def release() -> None:
        wait_until(page, lambda: bool(held))
        held[0].fallback()

    return release


def settle(page: Page) -> None:
    """Until no change is on its way and none is waiting (two answers' time with nothing sent)."""
    for _ in range(20):
        page.wait_for_timeout(3 * LATENCY_MS)
        if page.evaluate(SETTLED):
            page.wait_for_timeout(3 * LATENCY_MS)
            if page.evaluate(SETTLED):
                return
    raise AssertionError("the changes never settled")


def stored(context: BrowserContext) -> Preferences:
    """The settings the cookie keeps (none: the defaults, which the server keeps by deleting it)."""
    value = next((c["value"] for c in context.cookies() if c["name"] == "reader_prefs"), None)
    return Preferences.from_cookie(unquote(value) if value else None)


def said(page: Page) -> list[str]:
    """What the status region was given, in order (empty texts and the no-break space that repeats one aside)."""
    return [text.rstrip("\u00a0") for text in page.evaluate("window.__said") if text.strip()]


@pytest.mark.parametrize("path", [SEED, f"/embed/{SEED_SLUG}"])
@pytest.mark.parametrize("how", ["keyboard", "mouse"])
@pytest.mark.parametrize(
    ("cookie", "presses", "size", "message"),
    [
        (None, 3, "150", "Cỡ chữ 150\u00a0%"),
        # Past the largest: clamped, and said once as the end.
        ("1|s:250", 4, "400", "Cỡ chữ 400\u00a0%, lớn nhất"),
    ],
)
def test_every_quick_press_of_a_plus_counts(
    page: Page,
    context: BrowserContext,
    live_server: str,
    path: str,
    how: str,
    cookie: str | None,
    presses: int,
    size: str,
    message: str,
) -> None:
    """On an article page, and on the page another site frames (/embed, which carries its settings in its
    forms: `prefs` instead of `drawn`)."""
    open_slow(page, context, live_server, path, cookie)
    release = hold_the_first_change(page)
    button = page.locator("#reader-bigger")
    if how == "keyboard":
        button.focus()
        for _ in range(presses):
            page.keyboard.press("Enter")
    else:
        box = button.bounding_box()
        assert box is not None
        for _ in range(presses):
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    release()
    settle(page)
    _ended_at(page, context, size, button, message)


def _ended_at(page: Page, context: BrowserContext, size: str, focused: Locator, message: str = "") -> None:
    """The presses answered: the page, the stored setting and the readout at `size` (a size without decimals:
    the readout's spelling), one announcement (`message`, else the readout's words), of the final size: not
    the first press's, not one per press; the focus still on the control pressed."""
    expect(page.locator("#reader")).to_have_attribute("data-size", size)
    assert fmt_size(stored(context).size) == size
    expect(page.locator("#reader-size-now")).to_have_text(f"Cỡ chữ {size}\u00a0%")
    assert said(page) == [message or f"Cỡ chữ {size}\u00a0%"]
    expect(focused).to_be_focused()


def test_a_burst_of_arrow_keys_on_a_select_ends_on_the_last_value(
    page: Page, context: BrowserContext, live_server: str
) -> None:
    """Six ArrowDown presses on the Readability panel's text size select, no gap: 100 % → 250 %."""
    open_slow(page, context, live_server, SEED + "?panel=open", None)
    release = hold_the_first_change(page)
    select = page.locator("#reader-size")
    select.focus()
    for _ in range(6):
        page.keyboard.press("ArrowDown")
    release()
    settle(page)
    expect(select).to_have_value("250")
    _ended_at(page, context, "250", select)
    expect(page.locator("#reader-panel")).to_have_attribute("open", "")


@pytest.mark.parametrize("path", [SEED, f"/embed/{SEED_SLUG}"])
def test_a_press_on_the_select_an_answer_brought_before_the_presses_module_is_one_with_those_waiting(
    page: Page, context: BrowserContext, live_server: str, path: str
) -> None:
    """The answer to the first change can come, and be swapped in, before the module that makes the waiting
    presses again (settings-presses.js, loaded with the first of them): an ArrowDown then lands on the new
    select, which shows the answer's size, and is the same control's next press. It used to go as a press of
    its own after the waiting one, with the same value: three requests (112.5, 125, 125), and the only thing
    said was the last answer's "Không có thay đổi" although the size went from 100 % to 125 %. The presses go
    as one, with the value the select was given last, and the announcement says it. On the page another site
    frames (/embed) too: its bundle (js/embed-page.js) is settings-swap.js, and loads the same module."""
    open_slow(page, context, live_server, path + "?panel=open", None)
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    release = hold_the_first_change(page)
    module: list[Route] = []
    page.route("**/settings-presses*", lambda route: module.append(route))
    select = page.locator("#reader-size")
    select.focus()
    page.keyboard.press("ArrowDown")  # 112.5, on its way (held)
    page.keyboard.press("ArrowDown")  # 125: waits, and asks for the module (held)
    wait_until(page, lambda: bool(module))
    page.evaluate("window.__old = document.getElementById('reader')")
    release()
    wait_until(page, lambda: page.evaluate("document.getElementById('reader') !== window.__old"))
    # The answer is in and swapped: the select the focus is on is the new one, at the answer's 112.5 %.
    expect(select).to_be_focused()
    expect(select).to_have_value("112.5")
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("125")
    module[0].continue_()
    settle(page)
    expect(select).to_have_value("125")
    _ended_at(page, context, "125", select)
    assert [("size=125" in data, "size=112.5" in data) for data in posted] == [(False, True), (True, False)]


def test_a_change_in_another_form_while_one_is_on_its_way_is_kept_too(
    page: Page, context: BrowserContext, live_server: str
) -> None:
    """A+, then at once the reader's own colours: both are kept (the colours as picked, not as the page that
    came back with the larger size showed them), in one state that the page and the cookie agree on."""
    open_slow(page, context, live_server, SEED + "?panel=open", None)
    release = hold_the_first_change(page)
    page.locator("#reader-bigger").click()
    page.locator("#reader-text-color").fill("#000000")
    page.locator("#reader-background-color").fill("#ffff00")
    page.locator("#reader-colors-apply").click()
    release()
    settle(page)
    prefs = stored(context)
    assert (prefs.size, prefs.text_color, prefs.background_color) == (112.5, "#000000", "#ffff00")
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    expect(page.locator("#reader-text-color")).to_have_value("#000000")
    expect(page.locator("#reader-background-color")).to_have_value("#ffff00")
    expect(page.locator("#reader-colors-apply")).to_be_focused()
    # Each change said once: A+'s answer is not stale (no press of A+ waited), the colours' says they are on.
    assert said(page) == ["Cỡ chữ 112,5\u00a0%", "Đang dùng màu riêng"]


def fmt_size(size: float) -> str:
    return f"{size:g}"


@pytest.mark.parametrize(
    ("a_plus_first", "presses", "underlined", "announced"),
    [(False, 2, True, 1), (False, 3, False, 1), (True, 1, False, 2), (True, 2, True, 1)],
)
def test_an_on_off_toggle_pressed_quickly_turns_over_once_per_press(
    page: Page,
    context: BrowserContext,
    live_server: str,
    a_plus_first: bool,
    presses: int,
    underlined: bool,
    announced: int,
) -> None:
    """The "Underline links" toggle (on by default) pressed twice is where it was, three times off; nothing is
    applied twice, even when the presses wait behind A+ (which counts too). The toggle's final state is said
    once; A+'s answer too, which no press of A+ made stale (and alone when the toggle ends where it was)."""
    open_slow(page, context, live_server, SEED + "?panel=open", None)
    release = hold_the_first_change(page)
    if a_plus_first:
        page.locator("#reader-bigger").click()
    toggle = page.locator("#reader-underline-links")
    toggle.focus()
    for _ in range(presses):
        page.keyboard.press("Enter")
    release()
    settle(page)
    assert stored(context).underline_links is underlined
    expect(toggle).to_have_attribute("aria-pressed", "true" if underlined else "false")
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5" if a_plus_first else "100")
    assert len(said(page)) == announced, said(page)
    if a_plus_first:
        assert said(page)[0] == "Cỡ chữ 112,5\u00a0%"
    expect(toggle).to_be_focused()


def test_a_change_whose_message_was_held_is_said_when_another_controls_press_goes(
    page: Page, context: BrowserContext, live_server: str
) -> None:
    """The toggle pressed three times, then A+: the toggle's first answer is held (its presses were waiting),
    the two presses after it cancel out, and A+ goes next. The toggle's change was saved, so it is said: it was
    lost when any press went after it."""
    open_slow(page, context, live_server, SEED + "?panel=open", None)
    release = hold_the_first_change(page)
    toggle = page.locator("#reader-underline-links")
    toggle.focus()
    for _ in range(3):
        page.keyboard.press("Enter")
    page.locator("#reader-bigger").click()
    release()
    settle(page)
    prefs = stored(context)
    assert (prefs.underline_links, prefs.size) == (False, 112.5)
    assert said(page) == ["Gạch chân liên kết: tắt", "Cỡ chữ 112,5\u00a0%"]


def test_a_change_saved_before_a_press_that_fails_is_said_with_the_failure(
    page: Page, problems: PageProblems, context: BrowserContext, live_server: str
) -> None:
    """A+ twice, the second refused (429): the first was saved, and the reader hears so, with the refusal."""
    posts: list[str] = []

    def refuse_the_second(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.post_data or "")
        if len(posts) == 2:
            route.fulfill(status=429, headers={"retry-after": "5"}, body="busy")
        else:
            route.continue_()

    problems.expect_status(429)
    open_slow(page, context, live_server, SEED, None)
    page.route("**/preferences", refuse_the_second)
    release = hold_the_first_change(page)  # (then to refuse_the_second, which lets it go on)
    button = page.locator("#reader-bigger")
    button.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    release()
    settle(page)
    assert len(posts) == 2 and stored(context).size == 112.5
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    refused = page.locator("#reader-status").get_attribute("data-text-failed")  # (429 said as a server's failure)
    assert refused and said(page) == [f"Cỡ chữ 112,5\u00a0% {refused}"]
    forget_the_failure_provoked(problems)


def test_presses_that_waited_for_an_answer_never_shown_are_not_made_later(
    page: Page, problems: PageProblems, context: BrowserContext, live_server: str
) -> None:
    """An answer htmx cannot swap (here retargeted to nothing: htmx throws, and says nothing more) ends the wait:
    the two A+ presses made meanwhile are dropped, not made on top of the next change (the line spacing)."""
    posts: list[str] = []
    held: list[Route] = []

    # The first answer is held until the three presses are made, then answered (from Playwright's side, so the
    # network's emulated lateness is not on it): a fixed order, whatever the machine's load.
    def hold_the_first(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.post_data or "")
        if len(posts) == 1:
            held.append(route)
        else:
            route.continue_()

    open_slow(page, context, live_server, SEED + "?panel=open", None)
    page.route("**/preferences", hold_the_first)
    button = page.locator("#reader-bigger")
    for _ in range(3):
        button.dispatch_event("click")
    wait_until(page, lambda: bool(held))
    answer = held[0].fetch()
    held[0].fulfill(response=answer, headers={**answer.headers, "hx-retarget": "#nowhere"})
    wait_until(page, lambda: any("#nowhere" in m for m in problems.messages))
    page.locator("#reader-line-height").select_option("1.8")
    settle(page)
    # The first A+ reached the server (its cookie is kept); the line spacing went onto it; nothing else went.
    assert len(posts) == 2, posts
    prefs = stored(context)
    assert (prefs.size, prefs.line_height) == (112.5, 1.8)
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    # The fault was real: htmx said it could not find the target (and nothing else went wrong).
    assert any("#nowhere" in m for m in problems.messages)
    problems.messages[:] = [m for m in problems.messages if "#nowhere" not in m]
