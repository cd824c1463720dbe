"""Issue 14, read aloud with real voices: espeak-ng through a private speech-dispatcher (tests/browser/speech.py),
in real time, in headless Chromium launched with --enable-speech-dispatcher.

Every action is a real click or key press (speaking needs a user gesture; evaluate() would grant one). The
page's speechSynthesis.speak is wrapped by an init script that only records: each utterance's events as the
engine fires them, with the voice, rate and the sentence ids highlighted at that moment. On this platform
no voice sends `boundary` events and pause() does not work, which is what the design is for.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, Playwright, Route, expect

from tests.browser import a11y
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PART_RANGE,
    SCROLL_SETTLED,
    PageProblems,
    read_then_scroll_on,
    static_server,
)
from tests.browser.speech import SpeechEnvironment, seconds_of_sound
from tests.browser.test_reading_tools import STUB_SPEECH
from tests.conftest import EN_SLUG, SEED_SLUG, TABLE_SLUG
from tests.serverproc import Server, create_token

# Records, never changes: the utterance still goes to the real engine, after reader's own listeners have run.
RECORDER = """
window.__speech = [];
window.__utterances = [];
const roots = () => [document, ...[...document.querySelectorAll('reader-article')].map((e) => e.shadowRoot)]
  .filter(Boolean);
const speak = speechSynthesis.speak.bind(speechSynthesis);
speechSynthesis.speak = (utterance) => {
  const number = window.__utterances.push(utterance) - 1;
  for (const type of ['start', 'end', 'error', 'boundary']) {
    utterance.addEventListener(type, (event) => window.__speech.push({
      type, utterance: number, text: utterance.text, voice: utterance.voice && utterance.voice.name,
      voiceLang: utterance.voice && utterance.voice.lang, rate: utterance.rate, error: event.error || null,
      highlighted: [...new Set(roots().flatMap((root) =>
        [...root.querySelectorAll('.reader-speaking')].map((span) => span.dataset.sentence)))],
    }));
  }
  speak(utterance);
};
"""

# The article's sentences as the page marks them: [{id, text}], text with white space collapsed.
SENTENCES = """(root) => {
  const article = (root || document).querySelector('#reader-article');
  const order = [], texts = {};
  for (const span of article.querySelectorAll('[data-sentence]')) {
    const id = span.dataset.sentence;
    if (!(id in texts)) { order.push(id); texts[id] = ''; }
    texts[id] += span.textContent;
  }
  return order.map((id) => ({id, text: texts[id].replace(/\\s+/g, ' ').trim()}));
}"""


# The guide's band begins on the first line of the highlighted sentence.
GUIDE_ON_SENTENCE = """() => {
  const band = document.querySelector('.reader-guide-band')?.getBoundingClientRect();
  const line = document.querySelector('.reader-speaking')?.getClientRects()[0];
  return Boolean(band && line && band.height > 0 && Math.abs(band.top - line.top) < line.height / 2 + 2);
}"""


@pytest.fixture(scope="module")
def speech_browser(playwright_driver: Playwright, speech_environment: SpeechEnvironment) -> Iterator[Browser]:
    browser = _launch(playwright_driver, speech_environment)
    try:
        yield browser
    finally:
        browser.close()


def _launch(playwright: Playwright, speech: SpeechEnvironment) -> Browser:
    # With the back/forward cache, which readers' browsers have and Playwright turns off: Back brings the page
    # that was reading back as it was left.
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--enable-speech-dispatcher"],
        ignore_default_args=["--disable-back-forward-cache"],
        env=speech.env,
    )
    # The browser asks speech-dispatcher for its voices once (4–20 s here); every later page has them at once.
    page = browser.new_page()
    page.evaluate(
        """() => new Promise((resolve) => {
             if (speechSynthesis.getVoices().length) return resolve();
             speechSynthesis.addEventListener('voiceschanged', resolve, {once: true});
           })"""
    )
    page.close()
    return browser


@pytest.fixture
def speech_context(speech_browser: Browser) -> Iterator[BrowserContext]:
    context = speech_browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    context.add_init_script(RECORDER)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def speech_page(speech_context: BrowserContext) -> Iterator[Page]:
    page = speech_context.new_page()
    problems = PageProblems(page)
    yield page
    assert problems.unexpected() == []


def open_article(page: Page | Frame, url: str) -> list[dict[str, str]]:
    page.goto(url)
    wait_for_voices(page)
    sentences: list[dict[str, str]] = page.evaluate(SENTENCES)
    return sentences


def wait_for_voices(page: Page | Frame, root: str = "document") -> None:
    page.wait_for_function(
        f"() => {{ const s = ({root}).getElementById('reader-voice'); return s && s.options.length > 1; }}",
        timeout=30000,
    )


def events(page: Page | Frame, kind: str | None = None) -> list[dict[str, Any]]:
    recorded: list[dict[str, Any]] = page.evaluate("() => window.__speech")
    return [event for event in recorded if kind is None or event["type"] == kind]


def wait_for_starts(page: Page | Frame, count: int) -> list[dict[str, Any]]:
    """Wait until `count` utterances have started speaking; their start events."""
    page.wait_for_function(
        "(n) => window.__speech.filter((e) => e.type === 'start').length >= n", arg=count, timeout=30000
    )
    return events(page, "start")


def wait_until_silent(page: Page | Frame, timeout: float = 30_000) -> None:
    """The last utterance asked for has ended or been cut off (within `timeout` ms: real voices speak in real
    time, and a long sentence takes longer on a busy machine)."""
    # By its number: the same sentence spoken earlier has the same text, and its end must not count.
    page.wait_for_function(
        """() => { const last = window.__utterances.length - 1;
                   const over = (e) => e.utterance === last && (e.type === 'end' || e.type === 'error');
                   return window.__speech.some(over); }""",
        timeout=timeout,
    )


def as_said(page: Page | Frame, texts: list[str], lang: str = "vi") -> list[str]:
    """`texts` as the voice is given them (speech-text.js: abbreviations, units, times and dates in words)."""
    said: list[str] = page.evaluate(
        """async ([texts, lang]) => {
             const base = new URL(document.getElementById('reader-tools').dataset.moduleSpeech, document.baseURI);
             const { forSpeech } = await import(new URL('speech-text.js', base).href);
             return texts.map((text) => forSpeech(text, lang).part(0, text.length).text);
           }""",
        [texts, lang],
    )
    return said


def status(page: Page) -> str:
    return str(page.text_content("#reader-status"))


def test_the_seed_article_is_read_in_order_with_a_vietnamese_voice_and_a_speed_that_is_kept(
    speech_page: Page, live_server: str, speech_environment: SpeechEnvironment
) -> None:
    page = speech_page
    sentences = open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    assert [s["id"] for s in sentences[:3]] == ["t0", "l0", "b0"]
    automatic = page.locator("#reader-voice option").first.text_content()
    assert automatic == "Tự động: Vietnamese (Northern) espeak-ng"
    with speech_environment.recording() as recording:
        page.click("#reader-speak")
        wait_for_starts(page, 1)
        expect(page.locator("#reader-status")).to_have_text("Đang đọc to")
        expect(page.locator("#reader-speak-label")).to_have_text("Tạm dừng")
        # 2× (in the Readability panel, with every setting), heard at once: the title spoken again at it. The
        # choice posts, and the region is swapped while the voice goes on.
        page.click("#reader-panel-summary")
        page.select_option("#reader-speech-rate", "2")
        expect(page.locator("#reader-tools")).to_have_attribute("data-rate", "2")
        starts = wait_for_starts(page, 4)
        page.click("#reader-speak-stop")
        wait_until_silent(page)
    # Title (again at the new speed), lead, first body sentence: in document order, each highlighted while it
    # plays, Vietnamese voice; the date and "UBND" said in words (speech-text.js).
    texts = [s["text"] for s in [sentences[0], *sentences[:3]]]
    assert [start["text"] for start in starts[:4]] == as_said(page, texts)
    assert "ngày 26 tháng 4 năm 2016" in starts[2]["text"] and "ủy ban nhân dân tỉnh" in starts[3]["text"]
    assert [start["highlighted"] for start in starts[:4]] == [["t0"], ["t0"], ["l0"], ["b0"]]
    assert {start["voice"] for start in starts} == {"Vietnamese (Northern) espeak-ng"}
    assert all(start["voiceLang"].lower().startswith("vi") for start in starts)
    assert [start["rate"] for start in starts[:4]] == [1, 2, 2, 2]
    assert seconds_of_sound(recording) > 2, "the voices played no sound"
    # Stopped: said once, highlight gone, the button offers to read again.
    expect(page.locator("#reader-status")).to_have_text("Đã dừng đọc")
    assert page.locator(".reader-speaking").count() == 0
    expect(page.locator("#reader-speak-label")).to_have_text("Đọc to")
    # The speed is in the preference cookie, and comes back with the page.
    cookie = next(c for c in page.context.cookies() if c["name"] == "reader_prefs")
    assert "sr:2" in cookie["value"].split("|")
    page.reload()
    expect(page.locator("#reader-speech-rate")).to_have_value("2")


def test_keys_and_buttons_start_where_the_reader_is_skip_pause_and_resume(speech_page: Page, live_server: str) -> None:
    page = speech_page
    open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    # Remap "read aloud / pause" from K to P (WCAG 2.1.4), in the shortcuts form of the Readability panel.
    page.click("#reader-panel-summary")
    page.click("#reader-shortcuts-summary")
    page.fill("#reader-key-play", "p")
    page.click("#reader-keys-save")
    expect(page.locator("#reader-speak")).to_have_attribute("aria-keyshortcuts", "P")
    expect(page.locator("#reader-status")).to_have_text("Phím cho “Đọc to / tạm dừng”: p")
    # The reader clicks in the third sentence of the body: reading starts there, not at the title.
    first_line = page.locator('[data-sentence="b2"]').first.evaluate(
        "e => { e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0];"
        " return {x: r.left + 5, y: r.top + r.height / 2}; }"
    )
    page.mouse.click(first_line["x"], first_line["y"])
    page.keyboard.press("k")  # the old key does nothing now
    assert page.get_attribute("#reader-tools", "data-state") == "idle"
    page.keyboard.press("p")
    assert wait_for_starts(page, 1)[-1]["highlighted"] == ["b2"]
    page.keyboard.press("l")  # next
    assert wait_for_starts(page, 2)[-1]["highlighted"] == ["b3"]
    page.keyboard.press("j")  # previous
    assert wait_for_starts(page, 3)[-1]["highlighted"] == ["b2"]
    assert status(page) == "Đang đọc to"  # said once when reading started, not for every sentence
    page.keyboard.press("p")  # pause = cancel: the sentence is cut off, and stays marked
    expect(page.locator("#reader-status")).to_have_text("Đã tạm dừng đọc")
    wait_until_silent(page)
    assert events(page)[-1]["type"] == "error" and events(page)[-1]["error"] == "interrupted"
    expect(page.locator("#reader-speak-label")).to_have_text("Đọc tiếp")
    assert page.locator('.reader-speaking[data-sentence="b2"]').count() >= 1
    page.click("#reader-speak")  # resume: the paused sentence again, from its start
    resumed = wait_for_starts(page, 4)[-1]
    assert resumed["highlighted"] == ["b2"] and resumed["text"] == events(page, "start")[2]["text"]
    page.click("#reader-speak-next")
    assert wait_for_starts(page, 5)[-1]["highlighted"] == ["b3"]
    page.click("#reader-speak-previous")
    assert wait_for_starts(page, 6)[-1]["highlighted"] == ["b2"]
    # A click on another sentence while reading goes on from there.
    page.locator('[data-sentence="b5"]').first.evaluate("e => e.scrollIntoView({block: 'center'})")
    target = page.locator('[data-sentence="b5"]').first.evaluate(
        "e => { const r = e.getClientRects()[0]; return {x: r.left + 5, y: r.top + r.height / 2}; }"
    )
    page.mouse.click(target["x"], target["y"])
    assert wait_for_starts(page, 7)[-1]["highlighted"] == ["b5"]
    # A voice that sends word boundaries (Windows, macOS; none here) gets its word highlighted. No voice here
    # does, so the event is the shape browsers fire, dispatched on the utterance being spoken.
    jumped = events(page, "start")[-1]
    word = page.evaluate(
        """() => { const u = window.__utterances[window.__utterances.length - 1];
                   u.dispatchEvent(new SpeechSynthesisEvent('boundary', {utterance: u, charIndex: 0, charLength: 5,
                                                                      name: 'word'}));
                   const word = CSS.highlights.get('reader-word');
                   return word && [...word][0].toString(); }"""
    )
    assert word == jumped["text"][:5]
    page.click("#reader-speak-stop")
    wait_until_silent(page)
    expect(page.locator("#reader-status")).to_have_text("Đã dừng đọc")
    # Single-key shortcuts off: the key is an ordinary key again.
    page.click("#reader-shortcuts-toggle")
    expect(page.locator("#reader-shortcuts-toggle")).to_have_attribute("aria-pressed", "false")
    page.locator("#reader-article").click(position={"x": 5, "y": 5})
    page.keyboard.press("p")
    assert page.get_attribute("#reader-tools", "data-state") == "idle"
    assert page.get_attribute("#reader-speak", "aria-keyshortcuts") is None


IN_VIEW = """(id) => { const r = document.querySelector(`[data-sentence="${id}"]`).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight; }"""

# A word boundary as browsers fire it (no voice here sends one) on the first utterance, still being spoken: the
# word highlighted, and whether its range is in the page (not in the region swapped out since it started).
BOUNDARY = """() => { const u = window.__utterances[0];
  if (window.__speech.some((e) => e.text === u.text && e.type !== 'start')) return 'the first sentence is over';
  u.dispatchEvent(new SpeechSynthesisEvent('boundary', {utterance: u, charIndex: 0, charLength: 6, name: 'word'}));
  const word = CSS.highlights.get('reader-word');
  const range = word && [...word][0];
  return range && {text: range.toString(), connected: range.startContainer.isConnected}; }"""


def test_an_english_article_in_an_english_voice_keeps_reading_across_an_a_plus_swap(
    speech_page: Page, live_server: str
) -> None:
    page = speech_page
    # Half speed, so that the title is still being read after the swap below.
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|g:1|sr:0.5", "url": live_server + "/"}])
    sentences = open_article(page, f"{live_server}/articles/{EN_SLUG}")
    assert page.locator("#reader-voice option").first.text_content() == "Automatic: English (America) espeak-ng"
    page.click("#reader-speak")
    first = wait_for_starts(page, 1)[0]
    assert first["voiceLang"].lower().startswith("en") and first["text"] == sentences[0]["text"]
    page.evaluate("() => { document.getElementById('reader').dataset.before = 'swap'; }")
    page.click("#reader-bigger")
    expect(page.locator("#reader")).to_have_attribute("data-size", "112.5")
    # A new region (the marker is gone), the sentence being read highlighted again in it, focus kept.
    assert page.get_attribute("#reader", "data-before") is None
    assert page.evaluate(
        "() => [...new Set([...document.querySelectorAll('.reader-speaking')].map((s) => s.dataset.sentence))]"
    ) == [sentences[0]["id"]]
    assert page.evaluate("() => document.activeElement.id") == "reader-bigger"
    # Events after the swap find the sentence in the new region: a word of the title, still being read.
    assert page.evaluate(BOUNDARY) == {"text": first["text"][:6], "connected": True}
    page.click("#reader-panel-summary")  # the settings are in the Readability panel
    page.select_option("#reader-speech-rate", "1")  # posted too: another swap
    expect(page.locator("#reader-tools")).to_have_attribute("data-rate", "1")
    again = wait_for_starts(page, 2)[1]  # heard at once: the title again, at the new speed
    assert (again["text"], again["rate"]) == (first["text"], 1)
    second = wait_for_starts(page, 3)[2]
    assert second["text"] == sentences[1]["text"] and second["highlighted"] == [sentences[1]["id"]]
    page.wait_for_function(GUIDE_ON_SENTENCE)  # the guide's band on it
    # With the focus still on the panel's summary (select_option focuses nothing), following never takes it
    # off the screen (the open panel pushed the sentence down: it used to scroll the page to it).
    summary_on_screen = "() => { const r = document.getElementById('reader-panel-summary').getBoundingClientRect();"
    summary_on_screen += " return r.top >= 0 && r.bottom <= innerHeight; }"
    assert page.evaluate(summary_on_screen)
    expect(page.locator("#reader-panel-summary")).to_be_focused()
    # The focus leaves it: the sentence being read is kept in view…
    page.locator("#reader-panel-summary").blur()
    third = wait_for_starts(page, 4)[3]
    assert third["highlighted"] == [sentences[2]["id"]]
    page.wait_for_function(IN_VIEW, arg=sentences[2]["id"])
    # …until the reader scrolls away (a wheel): then the next sentence does not pull the page back.
    page.mouse.move(20, 400)
    followed_to = page.evaluate("() => scrollY")
    page.mouse.wheel(0, 600)
    page.wait_for_function("(y) => scrollY > y + 300", arg=followed_to)
    left_at = page.evaluate(SCROLL_SETTLED)  # a wheel scrolls smoothly: wait for it to end
    fourth = wait_for_starts(page, 5)[4]
    assert fourth["highlighted"] == [sentences[3]["id"]]
    assert page.evaluate("() => scrollY") == left_at
    # A read-aloud control brings the page back to the sentence being read. (The reader scrolls up to the
    # button first: Playwright's click alone scrolls in the frame after the press.)
    page.locator("#reader-speak-next").scroll_into_view_if_needed()
    page.evaluate(SCROLL_SETTLED)
    page.click("#reader-speak-next")
    fifth = wait_for_starts(page, 6)[5]
    assert fifth["highlighted"] == [sentences[4]["id"]]
    page.wait_for_function(IN_VIEW, arg=sentences[4]["id"])
    # Any scroll that is not ours is the reader's: a scroll bar dragged, a screen reader moving on.
    page.evaluate("() => scrollBy(0, 400)")
    dragged_to = page.evaluate(SCROLL_SETTLED)
    wait_for_starts(page, 7)
    assert page.evaluate("() => scrollY") == dragged_to
    page.click("#reader-speak-stop")
    wait_until_silent(page)


def test_a_voice_chosen_is_kept_an_outside_cancel_is_said_and_leaving_the_page_pauses(
    speech_page: Page, live_server: str
) -> None:
    page = speech_page
    open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    southern = "Vietnamese (Southern) espeak-ng"
    page.click("#reader-panel-summary")  # the settings are in the Readability panel
    page.select_option("#reader-voice", southern)  # posted: kept in the cookie
    expect(page.locator("#reader-status")).to_have_text(f"Giọng đọc tiếng Việt: {southern}")
    cookie = next(c for c in page.context.cookies() if c["name"] == "reader_prefs")
    assert "v-vi:Vietnamese%20%28Southern%29%20espeak-ng" in cookie["value"].split("|")
    page.reload()
    wait_for_voices(page)
    expect(page.locator("#reader-voice")).to_have_value(southern)
    page.click("#reader-speak")
    first = wait_for_starts(page, 1)[0]
    assert first["voice"] == southern
    # Something else (another tab reading aloud, a script, an extension) cancels the voice: reading pauses,
    # says so, and Resume reads the sentence again.
    page.evaluate("() => speechSynthesis.cancel()")
    interrupted = "Đã tạm dừng đọc: một thẻ hoặc chương trình khác đã ngắt giọng đọc"
    expect(page.locator("#reader-status")).to_have_text(interrupted)
    expect(page.locator("#reader-speak-label")).to_have_text("Đọc tiếp")
    page.click("#reader-speak")
    assert wait_for_starts(page, 2)[1]["text"] == first["text"]
    # Leaving the page silences the voice (the event the browser fires when the page goes, or into its cache):
    # paused, not forgotten, and nothing said to a page nobody sees (test_back_brings_the_page_back_paused…).
    page.evaluate("() => dispatchEvent(new PageTransitionEvent('pagehide', {persisted: true}))")
    wait_until_silent(page)
    assert events(page)[-1]["type"] == "error" and events(page)[-1]["error"] == "interrupted"
    expect(page.locator("#reader-status")).to_have_text("")
    assert page.get_attribute("#reader-tools", "data-state") == "paused"


# At the start of each part spoken, after reader's own listeners (which highlight and scroll): where the part's
# first character is on the screen, the bottom of its last line (`end`), and the box of the region that scrolls
# it sideways (a wide table's); and a frame later, once the reading guide has drawn, the top and bottom of the
# guide's band. The part is found in the highlighted sentence's text as read-aloud.js speaks it (white space made
# one space), by what is said for it (speech-text.js: "UBND" is said "ủy ban nhân dân"); a part that ends with
# the whole text is a table cell's, its headers said first: it starts at the text's start.
PLACES = r"""
window.__places = [];
(() => {
  let forSpeech = null;
  addEventListener('DOMContentLoaded', () => {
    const tools = document.getElementById('reader-tools');
    const base = tools && new URL(tools.dataset.moduleSpeech, document.baseURI);
    if (base) import(new URL('speech-text.js', base).href).then((module) => { forSpeech = module.forSpeech; });
  });
  // Where in `text` (in `lang`) the part said as `said` begins: at its start or after a space.
  const partAt = (text, said, lang) => {
    const whole = forSpeech(text, lang);
    for (let at = 0; at < text.length; at = text.indexOf(' ', at) + 1 || text.length) {
      if (whole.part(at, text.length - at).text.startsWith(said)) return at;
    }
    return -1;
  };
  // How many characters of `text` from `at` are said as `said`.
  const partLength = (text, at, said, lang) => {
    const whole = forSpeech(text, lang);
    for (let end = at + 1; end <= text.length; end++) if (whole.part(at, end - at).text === said) return end - at;
    return said.length;
  };
  // The part said as `said` in the sentence `spans`: [its start and length in the sentence's text], or null.
  window.__partIn = (spans, said) => {
    const {text} = spoken(spans);
    const lang = spans[0] && spans[0].closest('[lang]').lang;
    const at = text && said.endsWith(text) ? 0 : partAt(text, said, lang);
    return at === -1 ? null : [at, at === 0 && said.endsWith(text) ? text.length : partLength(text, at, said, lang)];
  };
  const spoken = (spans) => {
    let text = '';
    const map = [];
    for (const span of spans) {
      const walker = document.createTreeWalker(span, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.data.length; i++) {
          if (!/\s/.test(node.data[i])) { text += node.data[i]; map.push([node, i]); }
          else if (text && !text.endsWith(' ')) { text += ' '; map.push([node, i]); }
        }
      }
    }
    return {text, map};
  };
  window.__spoken = spoken;
  const speak = speechSynthesis.speak.bind(speechSynthesis);
  speechSynthesis.speak = (utterance) => {
    utterance.addEventListener('start', () => {
      const spans = [...document.querySelectorAll('.reader-speaking')];
      const {text, map} = spoken(spans);
      const lang = spans[0] && spans[0].closest('[lang]').lang;
      const at = text && utterance.text.endsWith(text) ? 0 : partAt(text, utterance.text, lang);
      const bar = Number(document.getElementById('reader-tools').dataset.docked) || 0;  // read-aloud-bar.js
      const place = {id: spans[0] && spans[0].dataset.sentence, part: at, height: innerHeight - bar};
      window.__places.push(place);
      if (at === -1) return;
      const range = document.createRange();
      range.setStart(map[at][0], map[at][1]);
      range.setEnd(map[at][0], map[at][1] + 1);
      const {top, bottom, left, right} = range.getBoundingClientRect();
      Object.assign(place, {top, bottom, left, right});
      const last = map[Math.min(map.length, at + window.__partIn(spans, utterance.text)[1]) - 1];
      range.setEnd(last[0], last[1] + 1);
      place.end = Math.max(...[...range.getClientRects()].filter((r) => r.height > 0).map((r) => r.bottom));
      const region = map[at][0].parentElement.closest('.reader-table');
      if (region) {
        const box = region.getBoundingClientRect();
        place.region = {left: box.left + region.clientLeft, right: box.left + region.clientLeft + region.clientWidth};
      }
      requestAnimationFrame(() => {
        const band = document.querySelector('.reader-guide-band');
        place.band = band ? band.getBoundingClientRect().top : null;
        place.bandEnd = band ? band.getBoundingClientRect().bottom : null;
      });
    });
    speak(utterance);
  };
})();
"""


def wait_for_places(page: Page, count: int) -> list[dict[str, Any]]:
    """The places of the first `count` parts spoken (PLACES), each with its band drawn."""
    page.wait_for_function(
        "(n) => window.__places.length >= n && window.__places.slice(0, n).every((p) => 'band' in p || !('top' in p))",
        arg=count,
        timeout=120000,
    )
    places: list[dict[str, Any]] = page.evaluate("(n) => window.__places.slice(0, n)", count)
    return places


@pytest.fixture
def places_context(speech_browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    width, height = request.param
    context = speech_browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    context.add_init_script(RECORDER)
    context.add_init_script(PLACES)
    try:
        yield context
    finally:
        context.close()


@pytest.mark.parametrize("places_context", [(320, 640)], indirect=True)
def test_a_long_sentence_is_read_in_parts_that_each_fit_on_the_screen_inside_the_guides_band(
    places_context: BrowserContext, live_server: str
) -> None:
    """At 400 % on a phone the title, the lead and the first body sentence are each taller than the screen: they
    are spoken in parts made to fit on it, each wholly on the screen when its voice starts, and all of it inside
    the reading guide's band (no voice here says which word it is at). Parts were cut by characters only (200):
    the title was one part of 809 px on a 740 px screen, the lead's first part ran to 1,143 px, and nothing
    scrolled within a part; the band was on the part's first line, the rest of what was being read dimmed
    (1.66:1). (Before that the whole sentence was centred: its start at −310, −2,148 and −2,386 px.)"""
    places_context.add_cookies([{"name": "reader_prefs", "value": "1|s:400|g:3|sr:1.5", "url": live_server + "/"}])
    page = places_context.new_page()
    problems = PageProblems(page)
    open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    page.click("#reader-speak")
    places = wait_for_places(page, 5)
    page.click("#reader-speak-stop")
    wait_until_silent(page)
    for place in places:
        assert 0 <= place["top"] and place["end"] <= place["height"], place
        assert place["band"] <= place["top"] + 2 and place["bandEnd"] >= place["end"] - 2, place
    ids = [place["id"] for place in places]
    assert ids[:2] == ["t0", "t0"] and ids == sorted(ids, key=["t0", "l0", "b0"].index), ids  # the title in parts
    assert problems.unexpected() == []


@pytest.mark.parametrize("places_context", [(320, 640)], indirect=True)
def test_a_cell_being_read_is_brought_into_its_tables_scrolling_region(
    places_context: BrowserContext, live_server: str
) -> None:
    """On a phone the table of the English article scrolls sideways in its region (16–304 px): the cell being
    read is scrolled into it. (It was not: the header cells from "320 px" on were read at x 299–459 and
    beyond, outside the region, which never moved.)"""
    page = places_context.new_page()
    problems = PageProblems(page)
    open_article(page, f"{live_server}/articles/{TABLE_SLUG}")
    # The reader clicks in the table's first header cell and reads from there, on through the header row.
    first = page.locator(".reader-table th [data-sentence]").first.evaluate(
        "e => { e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0];"
        " return {x: r.left + 5, y: r.top + r.height / 2}; }"
    )
    page.mouse.click(first["x"], first["y"])
    page.keyboard.press("k")
    wait_for_starts(page, 1)
    for count in range(2, 10):
        page.keyboard.press("l")
        wait_for_starts(page, count)
    places = wait_for_places(page, 9)
    page.click("#reader-speak-stop")
    wait_until_silent(page)
    headers = page.locator(".reader-table th").all_text_contents()[:9]
    assert [place["id"] for place in places] == page.evaluate(
        "() => [...document.querySelectorAll('.reader-table th')].slice(0, 9).map((th) =>"
        " th.querySelector('[data-sentence]').dataset.sentence)"
    ), headers
    for place in places:
        region = place["region"]
        assert region["left"] <= place["left"] and place["right"] <= region["right"], place
    assert problems.unexpected() == []


# The parts a sentence is spoken in, as read-aloud.js cuts them (its own utteranceParts, at 1×) and says them
# (speech-text.js).
PARTS = """async (id) => {
  const base = new URL(document.getElementById('reader-tools').dataset.moduleSpeech, document.baseURI);
  const {sentenceText, utteranceParts} = await import(base.href);
  const {forSpeech} = await import(new URL('speech-text.js', base).href);
  const text = sentenceText([...document.querySelectorAll(`[data-sentence="${id}"]`)]).text;
  const spoken = forSpeech(text, 'vi');
  return utteranceParts(text, 200).map((part) => ({...part, text: spoken.part(part.start, part.text.length).text}));
}"""


def test_next_on_the_last_sentence_says_it_is_the_end_and_reads_on(speech_page: Page, live_server: str) -> None:
    """(Next there started the last sentence again, without a word.)"""
    page = speech_page
    sentences = open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    last = sentences[-1]["id"]
    target = page.locator(f'[data-sentence="{last}"]').first.evaluate(
        "e => { e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0];"
        " return {x: r.left + 5, y: r.top + r.height / 2}; }"
    )
    page.mouse.click(target["x"], target["y"])
    page.keyboard.press("k")  # (a click on the button would scroll the sentence away, and read from the title)
    assert wait_for_starts(page, 1)[0]["highlighted"] == [last]
    page.keyboard.press("l")
    expect(page.locator("#reader-status")).to_have_text("Đã đến cuối bài")
    # The seed ends with a long sentence, spoken in parts in real time: the whole test took 31 s on its own,
    # and this wait timed out at 30 s in two full runs of the suite (three workers on two cores).
    wait_until_silent(page, timeout=90_000)
    # The sentence (spoken in parts) was read once, to its end, none of it cut off, and reading finished.
    starts = events(page, "start")
    assert [start["text"] for start in starts] == [part["text"] for part in page.evaluate(PARTS, last)]
    assert {start["highlighted"][0] for start in starts} == {last} and events(page, "error") == []
    expect(page.locator("#reader-status")).to_have_text("Đã đọc hết bài")


def test_back_brings_the_page_back_paused_where_it_was_with_nothing_stale_said(
    speech_page: Page, live_server: str
) -> None:
    """Reading, the reader follows a link, then comes Back: the back/forward cache brings the page back. (It
    came back saying "Đã dừng đọc", and K read from the title again.)"""
    page = speech_page
    page.add_init_script("addEventListener('pageshow', (event) => { window.__restored = event.persisted; })")
    sentences = open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    page.click("#reader-speak")
    wait_for_starts(page, 1)
    page.keyboard.press("l")
    second = wait_for_starts(page, 2)[1]
    assert second["highlighted"] == [sentences[1]["id"]]
    page.click("a.reader-brand")
    page.wait_for_url(f"{live_server}/")
    page.go_back(wait_until="commit")  # a page from the cache fires no load event
    page.wait_for_function("() => window.__restored !== undefined")
    assert page.evaluate("() => window.__restored") is True, "the page did not come from the back/forward cache"
    expect(page.locator("#reader-status")).to_have_text("")
    expect(page.locator("#reader-speak-label")).to_have_text("Đọc tiếp")
    page.keyboard.press("k")
    resumed = wait_for_starts(page, 3)[2]
    assert resumed["highlighted"] == [sentences[1]["id"]] and resumed["text"] == second["text"]
    page.click("#reader-speak-stop")
    wait_until_silent(page)


@pytest.fixture(scope="module")
def embedding_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """reader on 127.0.0.1 and a host site on localhost, with a page holding the component and one an iframe;
    reader has articles of its own for the tests that need one (Yoruba, a Vietnamese table)."""
    base = tmp_path_factory.mktemp("read-aloud-embed")
    host_dir = base / "host"
    host_dir.mkdir()
    host_process, host = static_server(host_dir)
    reader = Server(db=base / "reader.db", directory=base, env={"READER_EMBED_ORIGINS": host}).start()
    try:
        _host_pages(host_dir, reader.url)
        _add_article(reader, YORUBA_SLUG, "yo", "Ẹ kú àárọ̀.", "<p>Báwo ni? Mo wà dáadáa.</p>")
        _add_article(reader, TABLE_VI_SLUG, "vi", "Dân số Bắc Kạn và Cao Bằng", TABLE_VI_BODY)
        _add_article(reader, METRO_VI_SLUG, "vi", "TP.HCM khai trương tuyến metro số 1", METRO_VI_BODY)
        _add_article(reader, LINK_VI_SLUG, "vi", "Một liên kết", LINK_VI_BODY)
        yield reader.url, host
    finally:
        reader.stop()
        host_process.terminate()
        host_process.wait(timeout=10)


def _host_pages(directory: Path, reader: str) -> None:
    head = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title><link rel="icon" href="data:,">'
    )
    (directory / "component.html").write_text(
        f'{head}<script type="module" src="{reader}/static/reader-article.js"></script></head><body><main>'
        f'<h1>Host</h1><reader-article src="{reader}/articles/{SEED_SLUG}/fragment"></reader-article>'
        "</main></body></html>"
    )
    # Components at 300 %, on a phone (test_one_docked_bar_on_a_page_of_two_components, test_in_a_component_…).
    (directory / "two.html").write_text(
        f'{head}<meta name="viewport" content="width=device-width">'
        f'<script type="module" src="{reader}/static/reader-article.js"></script></head><body><main><h1>Host</h1>'
        f'<reader-article id="a" size="300" src="{reader}/articles/{SEED_SLUG}/fragment"></reader-article>'
        f'<p>Between</p><reader-article id="b" size="300" lang="en" heading-level="3" '
        f'src="{reader}/articles/{EN_SLUG}/fragment"></reader-article></main></body></html>'
    )
    (directory / "link.html").write_text(
        f'{head}<meta name="viewport" content="width=device-width">'
        f'<script type="module" src="{reader}/static/reader-article.js"></script></head><body><main><h1>Host</h1>'
        f'<reader-article id="c" size="300" src="{reader}/articles/{LINK_VI_SLUG}/fragment"></reader-article>'
        '<p><a id="after" href="#after">After</a></p></main></body></html>'
    )
    for name, sandbox in (("iframe.html", ""), ("sandboxed.html", ' sandbox="allow-scripts"')):
        (directory / name).write_text(
            f'{head}</head><body><main><h1>Host</h1><iframe title="Article" src="{reader}/embed/{SEED_SLUG}" '
            f'width="700" height="900"{sandbox}></iframe></main></body></html>'
        )


YORUBA_SLUG = "yoruba"
# Screens of text, then a link of one short word.
LINK_VI_SLUG = "mot-lien-ket"
LINK_VI_BODY = (
    "<p>" + "Đây là một câu văn. " * 30 + "</p><p>Xem <a href='https://example.org/'>nguồn</a>.</p><p>Hết.</p>"
)

# STUB_SPEECH's voices for the two components' languages; a voice that starts and never ends.
VOICES = """() => { window.__engine = 'stalls'; window.__voicesArrive([
  {name: 'Stub vi', lang: 'vi-VN', localService: true}, {name: 'Stub en', lang: 'en-US', localService: true}]); }"""
# A table with a header row (in thead, th without scope) and row headers (th scope=row), then one without
# headers.
TABLE_VI_SLUG = "dan-so-bac-kan-cao-bang"
TABLE_VI_BODY = (
    "<p>Số liệu của Cục Thống kê.</p>"
    "<table><caption>Dân số trung bình (người)</caption>"
    "<thead><tr><th>Tỉnh</th><th>Năm 2020</th><th>Năm 2024</th></tr></thead><tbody>"
    "<tr><th scope='row'>Bắc Kạn</th><td>314.400</td><td>326.500</td></tr>"
    "<tr><th scope='row'>Cao Bằng</th><td>530.300</td><td>547.900</td></tr></tbody></table>"
    "<table><tr><td>Điện thoại</td><td>0209 3870 000</td></tr></table>"
    "<p>Hết.</p>"
)

# Abbreviations, a unit, a time, a date and a temperature as Vietnamese news writes them, and a table cell
# with a time (said after its header).
METRO_VI_SLUG = "metro-so-1"
METRO_VI_BODY = (
    "<p>Ngày 12/3/2024, UBND TP.HCM cho biết tàu chạy 110 km/h.</p>"
    "<p>Ga Bến Thành mở cửa lúc 5h30, nhiệt độ trong toa là 25°C.</p>"
    "<table><thead><tr><th>Ga</th><th>Mở cửa</th></tr></thead><tbody><tr><td>Ba Son</td><td>5h30</td></tr>"
    "</tbody></table>"
)


def _add_article(server: Server, slug: str, lang: str, title: str, body: str) -> None:
    token = create_token(server.db, slug)
    request = urllib.request.Request(
        f"{server.url}/api/articles/{slug}",
        data=json.dumps({"lang": lang, "title": title, "body_html": body}).encode(),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def test_read_aloud_inside_the_component_and_the_embed_page(
    speech_page: Page, embedding_sites: tuple[str, str]
) -> None:
    _, host = embedding_sites
    page = speech_page
    page.goto(host + "/component.html")
    wait_for_voices(page, "document.querySelector('reader-article').shadowRoot")
    page.click("reader-article #reader-speak")
    start = wait_for_starts(page, 1)[0]
    assert start["highlighted"] == ["t0"] and start["voiceLang"].lower().startswith("vi")
    expect(page.locator("reader-article #reader-status")).to_have_text("Đang đọc to")
    page.click("reader-article #reader-speak-stop")
    wait_until_silent(page)
    # Removing the component stops its voice: the sentence is cut off at once.
    page.click("reader-article #reader-speak")
    wait_for_starts(page, 2)
    page.evaluate("() => document.querySelector('reader-article').remove()")
    wait_until_silent(page)
    assert events(page)[-1]["type"] == "error" and events(page)[-1]["error"] == "interrupted"

    page.goto(host + "/iframe.html")
    frame = page.frame_locator("iframe")
    inner = next(f for f in page.frames if f.url.startswith(embedding_sites[0]))
    wait_for_voices(inner)
    frame.locator("#reader-speak").click()
    start = wait_for_starts(inner, 1)[0]
    assert start["highlighted"] == ["t0"] and start["voiceLang"].lower().startswith("vi")
    frame.locator("#reader-speak-stop").click()
    wait_until_silent(inner)


# As each utterance starts (after reader's own listeners), a word boundary as browsers fire them (no voice here
# sends one) at each word of its text, one after the other: the word then highlighted, and whether it is in the
# sentence being read.
WORDS = r"""
window.__words = [];
(() => {
  const speak = speechSynthesis.speak.bind(speechSynthesis);
  speechSynthesis.speak = (utterance) => {
    utterance.addEventListener('start', () => {
      const words = [];
      for (const match of utterance.text.matchAll(/\S+/g)) {
        utterance.dispatchEvent(new SpeechSynthesisEvent('boundary',
          {utterance, charIndex: match.index, charLength: match[0].length, name: 'word'}));
        const range = [...(CSS.highlights.get('reader-word') || [])][0];
        words.push({at: match.index, word: match[0], highlighted: range ? range.toString() : null,
                    inSentence: Boolean(range && range.startContainer.parentElement.closest('.reader-speaking'))});
      }
      window.__words.push({text: utterance.text, words});
    });
    speak(utterance);
  };
})();
"""


def test_a_table_is_read_with_its_headers_and_the_highlight_stays_on_each_cell(
    speech_page: Page, embedding_sites: tuple[str, str]
) -> None:
    """Each cell is read with the headers that apply to it and were not said with the cell before: the header
    row as it is, a row's header with its column's, and each data cell with its column's header. (Every cell
    was read alone, a stream of numbers: "314.400", "326.500"…) The highlight stays on the cell's own text,
    the words a voice reports included, though the headers come first in what is spoken."""
    reader, _ = embedding_sites
    page = speech_page
    # At twice the speed: what is said is the same, in half the time (real voices speak in real time).
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|sr:2", "url": reader + "/"}])
    page.add_init_script(WORDS)
    sentences = open_article(page, f"{reader}/articles/{TABLE_VI_SLUG}")
    texts = {sentence["id"]: sentence["text"] for sentence in sentences}
    ids = list(texts)
    # The reader clicks in the table's first header cell and reads from there to the end.
    first = page.locator(".reader-table th [data-sentence]").first
    place = first.evaluate(
        "e => { e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0];"
        " return {x: r.left + 5, y: r.top + r.height / 2}; }"
    )
    page.mouse.click(place["x"], place["y"])
    page.keyboard.press("k")
    expect(page.locator("#reader-status")).to_have_text("Đã đọc hết bài", timeout=90000)
    starts = events(page, "start")
    assert [start["text"] for start in starts] == [
        "Tỉnh", "Năm 2020", "Năm 2024",
        "Tỉnh: Bắc Kạn", "Năm 2020: 314.400", "Năm 2024: 326.500",
        "Tỉnh: Cao Bằng", "Năm 2020: 530.300", "Năm 2024: 547.900",
        "Điện thoại", "0209 3870 000", "Hết.",
    ]  # fmt: skip
    assert all(start["voiceLang"].lower().startswith("vi") for start in starts)
    # Each cell highlighted while it is read, one after the other, and nothing else.
    read = ids[ids.index(str(first.get_attribute("data-sentence"))) :]
    assert [start["highlighted"] for start in starts] == [[sentence] for sentence in read]
    assert [texts[sentence] for sentence in read[3:6]] == ["Bắc Kạn", "314.400", "326.500"]
    # A word reported in the cell's text is that word on the page; while the headers are said, no word is.
    spoken = page.evaluate("() => window.__words")
    assert [utterance["text"] for utterance in spoken] == [start["text"] for start in starts]
    for utterance, sentence in zip(spoken, read, strict=True):
        own = len(utterance["text"]) - len(texts[sentence])  # where the cell's own text begins
        assert utterance["text"][own:] == texts[sentence]
        for word in utterance["words"]:
            assert word["inSentence"], (utterance["text"], word)
            assert word["highlighted"] == (word["word"] if word["at"] >= own else ""), (utterance["text"], word)


def test_previous_and_next_in_a_table_say_the_headers_that_change(speech_page: Page, live_server: str) -> None:
    """The English demo table at half speed (so that each key lands while its cell is read): reading starts in
    a cell with its row's and its column's headers; then only what changes is said, the row's header again when
    Previous goes back to the row above and Next comes down to this one."""
    page = speech_page
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|sr:0.5", "url": live_server + "/"}])
    open_article(page, f"{live_server}/articles/{TABLE_SLUG}")
    rows = page.locator(".reader-table tbody tr")
    cells = [rows.nth(1).locator("td").nth(1), rows.nth(1).locator("td").nth(0), rows.nth(1).locator("th"),
             rows.nth(0).locator("td").last, rows.nth(1).locator("th")]  # fmt: skip
    assert [cell.text_content() for cell in cells] == ["36", "16", "100 %", "66", "100 %"]
    place = cells[0].evaluate(
        "e => { e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0];"
        " return {x: r.left + 5, y: r.top + r.height / 2}; }"
    )
    page.mouse.click(place["x"], place["y"])
    page.keyboard.press("k")
    wait_for_starts(page, 1)
    for count, key in enumerate(["j", "j", "j", "l"], start=2):
        page.keyboard.press(key)
        wait_for_starts(page, count)
    page.click("#reader-speak-stop")
    wait_until_silent(page)
    starts = events(page, "start")
    assert [start["text"] for start in starts] == [
        "100 %, 320 px: 36",
        "CSS px per em: 16",
        "Text size: 100 %",
        "87.5 %, 1920 px: 66",
        "Text size: 100 %",
    ]
    assert [start["highlighted"] for start in starts] == [
        [str(cell.locator("[data-sentence]").first.get_attribute("data-sentence"))] for cell in cells
    ]
    assert all(start["voiceLang"].lower().startswith("en") and start["rate"] == 0.5 for start in starts)


def test_voices_but_none_for_the_articles_language(speech_page: Page, embedding_sites: tuple[str, str]) -> None:
    reader, _ = embedding_sites
    page = speech_page
    page.goto(f"{reader}/articles/{YORUBA_SLUG}")
    # The device has voices (13,362 here), and none for Yoruba: said, never read in another language's voice; at
    # once, as the browser had listed its voices already (it waited 20 s for a voiceschanged that never came).
    expect(page.locator("#reader-voice-message")).to_have_text("Không có giọng đọc tiếng Yoruba", timeout=3000)
    expect(page.locator("#reader-speak")).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#reader-speak")).not_to_have_attribute("aria-keyshortcuts", "K")  # K does nothing now
    page.focus("#reader-speak")  # aria-disabled: focusable, and pressing it says why
    page.keyboard.press("Enter")
    why = "Thiết bị này không có giọng đọc tiếng Yoruba nên không thể đọc to bài này."
    expect(page.locator("#reader-status")).to_have_text(why)
    # Pressed again, it says so again: the same text would be no change to a screen reader, so a no-break
    # space is added (every other time).
    page.keyboard.press("Enter")
    assert page.text_content("#reader-status") == why + "\u00a0"
    assert page.evaluate("() => window.__utterances.length") == 0  # nothing was read in another voice
    assert page.evaluate("() => speechSynthesis.getVoices().length") > 1000


def test_a_sandboxed_frame_keeps_its_settings_on_the_page(
    speech_context: BrowserContext, embedding_sites: tuple[str, str]
) -> None:
    reader, host = embedding_sites
    page = speech_context.new_page()
    problems = PageProblems(page)
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    page.goto(host + "/sandboxed.html")
    frame = page.frame_locator("iframe")
    inner = next(f for f in page.frames if f.url.startswith(reader))
    wait_for_voices(inner)
    # WordPress's sandbox: no cookie, no form can be sent. The size controls and the panel's other settings are
    # hidden; the read-aloud settings stay in the panel, applied here only.
    expect(frame.locator("#reader-bigger")).to_be_hidden()
    frame.locator("#reader-panel-summary").click()
    expect(frame.locator("#reader-tools-local")).to_be_visible()
    expect(frame.locator("#reader-apply")).to_be_hidden()
    frame.locator("#reader-speech-rate").select_option("2")
    frame.locator("#reader-guide").select_option("3")
    expect(frame.locator(".reader-guide-band")).to_be_attached()
    frame.locator("#reader-speak").click()
    start = wait_for_starts(inner, 1)[0]
    assert start["rate"] == 2 and start["voiceLang"].lower().startswith("vi")
    frame.locator("#reader-speak-stop").click()
    wait_until_silent(inner)
    frame.locator("#reader-shortcuts-summary").click()
    frame.locator("#reader-shortcuts-toggle").click()
    expect(frame.locator("#reader-shortcuts-toggle")).to_have_attribute("aria-pressed", "false")
    expect(frame.locator("#reader-status")).to_have_text("Đã tắt phím tắt một phím")
    assert frame.locator("#reader-speak").get_attribute("aria-keyshortcuts") is None
    assert posted == []
    # An opaque origin cannot check htmx's integrity (no CORS on reader's static files): the browser refuses
    # it, which changes nothing here (no form could be sent anyway).
    assert [m for m in problems.unexpected() if "Subresource Integrity" not in m or "htmx" not in m] == []


def test_the_tools_with_voices_in_the_accessibility_checks(speech_browser: Browser, live_server: str) -> None:
    """The matrix (test_a11y_matrix.py) has no voices, so there the controls say so; here they are all shown,
    with the guide on and a sentence being read, at three points of the matrix (the sentence highlight in every
    theme: test_reading_tools.py)."""
    points = [("light", "100", (1280, 800)), ("sepia", "200", (320, 640)), ("contrast-dark", "400", (320, 640))]
    for theme, size, (width, height) in points:
        context = speech_browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        try:
            context.add_cookies(
                [{"name": "reader_prefs", "value": f"1|s:{size}|t:{theme}|g:3", "url": live_server + "/"}]
            )
            page = context.new_page()
            problems = PageProblems(page)
            open_article(page, f"{live_server}/articles/{SEED_SLUG}")
            expect(page.locator("#reader-speak")).to_be_visible()
            page.click("#reader-speak")
            expect(page.locator(".reader-speaking").first).to_be_visible()
            page.click("#reader-speak")  # paused: the sentence stays highlighted while the checks run
            # The reading guide followed the voice: its band starts at the sentence being read.
            page.wait_for_function(GUIDE_ON_SENTENCE)
            expect(page.locator("#reader-status")).to_have_text("Đã tạm dừng đọc")
            point = f"theme={theme} size={size}% viewport={width}x{height}"
            failures = a11y.all_problems(page)
            assert not failures, a11y.report(failures, point)
            assert problems.unexpected() == [], point
        finally:
            context.close()


def test_abbreviations_times_dates_and_units_are_said_in_words_and_words_highlighted_on_the_page(
    speech_page: Page, embedding_sites: tuple[str, str]
) -> None:
    """The voice (espeak-ng here: "tê pê chấm hát xê em" for TP.HCM, "năm hát ba mươi" for 5h30) is given
    the words a news reader says (speech-text.js); the page keeps its text. A word the voice reports inside an
    expansion highlights what is written for it, whole: "tháng" is "12/3/2024" on the page."""
    reader, _ = embedding_sites
    page = speech_page
    # At twice the speed: what is said is the same, in half the time (real voices speak in real time).
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|sr:2", "url": reader + "/"}])
    page.add_init_script(WORDS)
    sentences = open_article(page, f"{reader}/articles/{METRO_VI_SLUG}")
    page.keyboard.press("k")
    expect(page.locator("#reader-status")).to_have_text("Đã đọc hết bài", timeout=90000)
    starts = events(page, "start")
    assert [start["text"] for start in starts] == [
        "thành phố Hồ Chí Minh khai trương tuyến metro số 1",
        "Ngày 12 tháng 3 năm 2024, ủy ban nhân dân thành phố Hồ Chí Minh cho biết tàu chạy 110 ki-lô-mét trên giờ.",
        "Ga Bến Thành mở cửa lúc 5 giờ 30, nhiệt độ trong toa là 25 độ C.",
        "Ga", "Mở cửa", "Ga: Ba Son", "Mở cửa: 5 giờ 30",
    ]  # fmt: skip
    assert all(start["voiceLang"].lower().startswith("vi") for start in starts)
    # The page is as written, each sentence highlighted while its words are said.
    assert [sentence["text"] for sentence in sentences[:3]] == [
        "TP.HCM khai trương tuyến metro số 1",
        "Ngày 12/3/2024, UBND TP.HCM cho biết tàu chạy 110 km/h.",
        "Ga Bến Thành mở cửa lúc 5h30, nhiệt độ trong toa là 25°C.",
    ]
    assert [start["highlighted"] for start in starts] == [[sentence["id"]] for sentence in sentences]
    spoken = page.evaluate("() => window.__words")
    assert [utterance["text"] for utterance in spoken] == [start["text"] for start in starts]
    highlighted = [[(word["word"], word["highlighted"]) for word in utterance["words"]] for utterance in spoken]
    assert all(word["inSentence"] for utterance in spoken for word in utterance["words"])
    assert highlighted[0][:6] == [("thành", "TP.HCM"), ("phố", "TP.HCM"), ("Hồ", "TP.HCM"), ("Chí", "TP.HCM"),
                                  ("Minh", "TP.HCM"), ("khai", "khai")]  # fmt: skip
    assert highlighted[1] == [
        ("Ngày", "Ngày"), ("12", "12/3/2024"), ("tháng", "12/3/2024"), ("3", "12/3/2024"), ("năm", "12/3/2024"),
        ("2024,", "12/3/2024,"), ("ủy", "UBND"), ("ban", "UBND"), ("nhân", "UBND"), ("dân", "UBND"),
        ("thành", "TP.HCM"), ("phố", "TP.HCM"), ("Hồ", "TP.HCM"), ("Chí", "TP.HCM"), ("Minh", "TP.HCM"),
        ("cho", "cho"), ("biết", "biết"), ("tàu", "tàu"), ("chạy", "chạy"), ("110", "110"),
        ("ki-lô-mét", "km/h"), ("trên", "km/h"), ("giờ.", "km/h."),
    ]  # fmt: skip
    assert highlighted[2][5:8] == [("lúc", "lúc"), ("5", "5h30"), ("giờ", "5h30")]
    assert highlighted[2][-3:] == [("25", "25°C"), ("độ", "25°C"), ("C.", "25°C.")]
    # A cell's header is said, not highlighted; the cell's time is its own text.
    assert highlighted[-1] == [("Mở", ""), ("cửa:", ""), ("5", "5h30"), ("giờ", "5h30"), ("30", "5h30")]


# The guide's band and the highlighted sentence's lines: [top, bottom] of the band, and each line's.
BAND_AND_LINES = """() => {
  const band = document.querySelector('.reader-guide-band').getBoundingClientRect();
  const lines = [...document.querySelectorAll('.reader-speaking')].flatMap((s) => [...s.getClientRects()])
    .filter((r) => r.height > 0).map((r) => [r.top, r.bottom]);
  return {band: [band.top, band.bottom], lines};
}"""

# A word boundary on the utterance being spoken at its last word; the word's line, [top, bottom], after the
# guide has drawn.
LAST_WORD_BOUNDARY = """() => new Promise((resolve) => {
  const u = window.__utterances[window.__utterances.length - 1];
  const at = u.text.lastIndexOf(' ') + 1;
  u.dispatchEvent(new SpeechSynthesisEvent('boundary', {utterance: u, charIndex: at, charLength: u.text.length - at,
                                                       name: 'word'}));
  const word = [...CSS.highlights.get('reader-word')][0].getClientRects()[0];
  requestAnimationFrame(() => requestAnimationFrame(() => resolve([word.top, word.bottom])));
})"""


def test_the_guides_band_takes_in_what_is_read_or_the_word_when_the_voice_says_where_it_is(
    speech_page: Page, live_server: str
) -> None:
    """The guide on one line, the first body sentence of the demo article (8 lines at 1280 px, its first part 5):
    with no word boundaries (none of the voices here sends any) the band takes in all of the part being read
    (it was on its first line, the other lines, being read and highlighted, dimmed to 1.66:1); once the voice
    says which word it is at, the band is on that word's line, one line high."""
    page = speech_page
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|g:1", "url": live_server + "/"}])
    sentences = open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    page.keyboard.press("k")
    wait_for_starts(page, 1)
    page.keyboard.press("l")
    page.keyboard.press("l")
    page.wait_for_function(
        "(id) => window.__speech.some((e) => e.type === 'start' && e.highlighted[0] === id)", arg=sentences[2]["id"]
    )
    page.wait_for_timeout(100)  # the band drawn
    placed = page.evaluate(BAND_AND_LINES)
    spoken = events(page, "start")[-1]["text"]
    top, bottom = placed["band"]
    lines = placed["lines"]
    whole = as_said(page, [sentences[2]["text"]])[0]
    assert len(lines) > 3 and whole.startswith(spoken) and len(spoken) < len(whole)
    # The part's lines (the sentence's first, the part being its start) are all inside the band; the band
    # ends before the sentence does.
    assert top <= lines[0][0] + 2 and bottom >= lines[2][1] - 2 and bottom < lines[-1][1], placed
    word_top, word_bottom = page.evaluate(LAST_WORD_BOUNDARY)
    placed = page.evaluate(BAND_AND_LINES)
    top, bottom = placed["band"]
    assert word_top > lines[1][1]  # the word is on a later line than the part's first
    assert top <= word_top + 2 and bottom >= word_bottom - 2 and bottom - top < 2 * (word_bottom - word_top), placed
    page.click("#reader-speak-stop")
    wait_until_silent(page)


# Every text the status region says, and every moment (a mutation) reading was on with nothing highlighted.
WATCH = """
window.__said = [];
window.__unhighlighted = 0;
addEventListener('DOMContentLoaded', () => {
  new MutationObserver(() => {
    const status = document.getElementById('reader-status');
    const text = status && status.textContent;
    if (text && window.__said[window.__said.length - 1] !== text) window.__said.push(text);
    const tools = document.getElementById('reader-tools');
    if (tools && tools.dataset.state === 'playing' && window.__speech.some((e) => e.type === 'start')
        && !document.querySelector('.reader-speaking')) window.__unhighlighted++;
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
});
"""

# A word boundary on the utterance being spoken, at its `n`th word: the text from that word on.
NTH_WORD_BOUNDARY = """(n) => {
  const u = window.__utterances[window.__utterances.length - 1];
  const match = [...u.text.matchAll(/\\S+/g)][n];
  u.dispatchEvent(new SpeechSynthesisEvent('boundary', {utterance: u, charIndex: match.index,
                                                       charLength: match[0].length, name: 'word'}));
  return u.text.slice(match.index);
}"""


def test_a_new_speed_or_voice_is_heard_at_once_and_pause_and_resume_still_work(
    speech_page: Page, live_server: str
) -> None:
    """A speed chosen while reading is heard at once: the part being read is spoken again at it, from its
    start, or from the word being said when the voice says where it is; a voice likewise. The sentence stays
    highlighted, and nothing is said but the choice. (At 0.5× the new speed was first heard 32.6 s later, at
    the next sentence.)"""
    page = speech_page
    page.context.add_init_script(WATCH)
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|sr:0.5", "url": live_server + "/"}])
    sentences = open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    page.click("#reader-panel-summary")
    page.click("#reader-speak")
    first = wait_for_starts(page, 1)[0]
    assert first["rate"] == 0.5 and first["highlighted"] == [sentences[0]["id"]]
    page.select_option("#reader-speech-rate", "0.75")
    again = wait_for_starts(page, 2)[1]
    assert (again["rate"], again["text"], again["highlighted"]) == (0.75, first["text"], first["highlighted"])
    expect(page.locator("#reader-status")).to_have_text("Tốc độ đọc 0,75×")
    # The voice says where it is: a change takes up from that word.
    rest = page.evaluate(NTH_WORD_BOUNDARY, 2)
    southern = "Vietnamese (Southern) espeak-ng"
    page.select_option("#reader-voice", southern)
    third = wait_for_starts(page, 3)[2]
    assert (third["voice"], third["rate"], third["text"]) == (southern, 0.75, rest)
    assert third["highlighted"] == first["highlighted"]
    # Pause and resume: the sentence again from its start, at the new speed.
    page.click("#reader-speak")
    expect(page.locator("#reader-tools")).to_have_attribute("data-state", "paused")
    page.click("#reader-speak")
    resumed = wait_for_starts(page, 4)[3]
    assert (resumed["text"], resumed["rate"], resumed["voice"]) == (first["text"], 0.75, southern)
    page.click("#reader-speak-stop")
    wait_until_silent(page)
    said = page.evaluate("() => window.__said")
    assert said == [
        "Đang đọc to", "Tốc độ đọc 0,75×", f"Giọng đọc tiếng Việt: {southern}", "Đã tạm dừng đọc", "Đang đọc to",
        "Đã dừng đọc",
    ], said  # fmt: skip
    assert page.evaluate("() => window.__unhighlighted") == 0


@pytest.mark.parametrize("places_context", [(360, 740)], indirect=True)
def test_after_a_size_change_while_reading_the_part_being_read_comes_back_on_the_screen(
    places_context: BrowserContext, live_server: str
) -> None:
    """At 400 % on a phone the reader scrolls up to the toolbar and presses A−: while the focus is on A−, the
    page stays (following never takes the control in use off the screen); the reader's next read-aloud action
    (here K, pause, then K, resume, the focus still on A−) brings the part being read back on the screen
    (reading went on off the screen, the page at its top: the reader had to find their place again)."""
    places_context.add_cookies([{"name": "reader_prefs", "value": "1|s:400|sr:0.5", "url": live_server + "/"}])
    page = places_context.new_page()
    problems = PageProblems(page)
    open_article(page, f"{live_server}/articles/{SEED_SLUG}")
    page.click("#reader-speak")
    wait_for_places(page, 1)
    page.evaluate("() => scrollTo(0, 0)")  # the reader's own scroll, up to the toolbar
    page.evaluate(SCROLL_SETTLED)
    assert page.evaluate("() => document.querySelector('.reader-speaking').getBoundingClientRect().top") > 740
    page.click("#reader-smaller")
    expect(page.locator("#reader")).to_have_attribute("data-size", "300")
    page.evaluate(SCROLL_SETTLED)
    assert page.evaluate("() => scrollY") == 0  # A− where the reader pressed it
    assert page.evaluate("() => document.activeElement.id") == "reader-smaller"
    page.keyboard.press("k")  # pause (the focus is on A−)
    expect(page.locator("#reader-tools")).to_have_attribute("data-state", "paused")
    page.keyboard.press("k")  # and on: the reader is listening again
    # Its start, on the screen above the bar. (Not all of it: made at the top of the page, the bar not docked
    # yet, the part may end under the bar that docks when the page follows it.)
    page.wait_for_function(
        """() => { const top = document.querySelector('.reader-speaking').getBoundingClientRect().top;
          const bar = Number(document.getElementById('reader-tools').dataset.docked) || 0;
          return top >= 0 && top < innerHeight - bar; }""",
        timeout=5000,
    )
    page.keyboard.press("k")
    wait_until_silent(page)
    assert problems.unexpected() == []


# Each component's docked bar (its height, or None) and what is at the middle of the bottom edge: which component.
BARS = """() => ({docked: ['a', 'b'].map((id) =>
    document.getElementById(id).shadowRoot.getElementById('reader-tools').dataset.docked ?? null),
  bottom: document.elementFromPoint(innerWidth / 2, innerHeight - 4)?.closest('reader-article')?.id ?? null})"""


def _stubbed_phone(browser: Browser, url: str, components: int = 1) -> tuple[BrowserContext, Page]:
    """A host page of components (`url`) at 320 x 640 with STUB_SPEECH (test_reading_tools.py): the voice
    starts and never ends; once its `components` components show Read aloud, the voices listed (VOICES). The
    caller closes the context."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="vi-VN")
    try:
        context.add_init_script(STUB_SPEECH)
        page = context.new_page()
        page.goto(url)
        speak = page.locator("#reader-speak")
        expect(speak).to_have_count(components)
        for number in range(components):
            expect(speak.nth(number)).to_be_visible()
        page.evaluate(VOICES)
    except BaseException:
        context.close()
        raise
    return context, page


@pytest.fixture
def two_components(browser: Browser, embedding_sites: tuple[str, str]) -> Iterator[Page]:
    """two.html at 320 x 640 with STUB_SPEECH (test_reading_tools.py): the voice starts and never ends."""
    _, host = embedding_sites
    context, page = _stubbed_phone(browser, f"{host}/two.html", components=2)
    try:
        for component in ("#a", "#b"):
            expect(page.locator(f"{component} #reader-speak")).not_to_have_attribute("aria-disabled", "true")
        yield page
    finally:
        context.close()


def _read_and_scroll_on(page: Page, component: str, by: int) -> None:
    """Read aloud started in the component of id `component`; then the reader scrolls on `by` pixels, its
    toolbar's place off screen, and its bar docks."""
    tools = page.locator(f"#{component} #reader-tools")
    page.locator(f"#{component} #reader-speak").click()
    expect(tools).to_have_attribute("data-state", "playing")
    page.evaluate(SCROLL_SETTLED)
    page.evaluate(f"() => scrollBy(0, {by})")
    expect(tools).to_have_attribute("data-docked", re.compile(r"^\d+$"))


def test_one_docked_bar_on_a_page_of_two_components(two_components: Page) -> None:
    """Review 5, finding 2: each component docked its own bar at the same place, so a paused one's (the later
    in the page) covered the one being read, and a tap on it stopped that one and read the other. The bar of
    the article read last is the page's; the paused one's undocks."""
    page = two_components
    a, b = page.locator("#a #reader-tools"), page.locator("#b #reader-tools")
    _read_and_scroll_on(page, "b", 2000)  # the reader reads on below: B's toolbar is off screen
    page.locator("#b #reader-speak").click()  # in its bar: paused, and the bar stays (its place is off screen)
    expect(b).to_have_attribute("data-state", "paused")
    page.locator("#a #reader-speak").click()  # far above: B's place is off screen still
    expect(a).to_have_attribute("data-docked", re.compile(r"^\d+$"))
    expect(b).not_to_have_attribute("data-docked", re.compile(".*"))
    assert page.evaluate(BARS)["bottom"] == "a"  # what a tap there reaches
    assert b.get_attribute("data-state") == "paused"
    # Reading B again (A stops: one article is read at a time), its bar is the page's again.
    page.locator("#b #reader-speak").click()
    expect(a).to_have_attribute("data-state", "idle")
    expect(a).not_to_have_attribute("data-docked", re.compile(".*"))
    page.evaluate(SCROLL_SETTLED)
    page.evaluate("() => scrollBy(0, 2000)")
    expect(b).to_have_attribute("data-docked", re.compile(r"^\d+$"))
    assert page.evaluate(BARS) == {"docked": [None, b.get_attribute("data-docked")], "bottom": "b"}


def test_in_a_component_a_focused_link_is_not_left_under_the_docked_bar(
    browser: Browser, embedding_sites: tuple[str, str]
) -> None:
    """Review 5, finding 3: the page's scroll padding, which keeps what is focused clear of the bar, was set
    for reader's own article page only: in a component a link Tabbed to could be left under the bar.
    STUB_SPEECH: the voice starts and never ends."""
    _, host = embedding_sites
    context, page = _stubbed_phone(browser, f"{host}/link.html")
    try:
        tools = page.locator("#reader-tools")
        page.locator("#reader-speak").click()
        expect(tools).to_have_attribute("data-state", "playing")
        page.evaluate(SCROLL_SETTLED)
        # The link just under the bar's top (the toolbar far above: docked), the focus on what comes before it
        # (the panel's summary).
        link = page.locator("#reader-article a[href]")
        page.locator("#reader-panel-summary").evaluate("(e) => e.focus({preventScroll: true})")
        link.evaluate("(e) => scrollBy(0, e.getBoundingClientRect().top - innerHeight + 150)")
        expect(tools).to_have_attribute("data-docked", re.compile(r"^\d+$"))
        bar = int(tools.get_attribute("data-docked") or 0)
        link.evaluate("(e, bar) => scrollBy(0, e.getBoundingClientRect().top - innerHeight + bar / 2)", bar)
        height = page.evaluate("innerHeight")
        assert height - bar < link.evaluate("(e) => e.getBoundingClientRect().top") < height
        page.keyboard.press("Tab")
        expect(link).to_be_focused()
        page.evaluate(SCROLL_SETTLED)
        box = link.evaluate("(e) => e.getBoundingClientRect().toJSON()")
        assert 0 <= box["top"] and box["bottom"] <= height - bar, (box, bar)
        expect(tools).to_have_attribute("data-docked", str(bar))
    finally:
        context.close()


# The focused element in the page or the component: the component's link, or its id; whether it is wholly in the
# window above the docked bar (`bar`, its height); the page's scroll.
FOCUS_AND_PAGE = """(bar) => { let e = document.activeElement;
  while (e?.shadowRoot?.activeElement) e = e.shadowRoot.activeElement;
  const box = e.getBoundingClientRect();
  return {focused: e.matches('#reader-article a[href]') ? 'link' : e.id,
          shown: box.top >= 0 && box.bottom <= innerHeight - bar, scrollY: Math.round(scrollY)}; }"""
FOCUS_QUIETLY = "(e) => e.focus({preventScroll: true})"


def test_in_a_component_tab_from_the_docked_bar_goes_on_where_the_reader_is_reading(
    browser: Browser, embedding_sites: tuple[str, str]
) -> None:
    """The screen-reader test's finding 11, in <reader-article>: Tab from the docked bar's Stop went to the
    Readability summary and the page jumped up to it (Shift+Tab from Read aloud, to A−). Docked, Tab from its
    last button goes to the first control from where the reader is reading on (the sentence being read, else the
    first on the screen), and on into the host page after the component; Shift+Tab from its first to the
    article's last control before it. STUB_SPEECH: the voice starts and never ends."""
    _, host = embedding_sites
    context, page = _stubbed_phone(browser, f"{host}/link.html")
    try:
        tools = page.locator("#reader-tools")
        link = page.locator("#reader-article a[href]")
        # The reader reads on below (the title, being read, far above), the link on the screen.
        y, bar = read_then_scroll_on(page, link, "(e) => scrollBy(0, e.getBoundingClientRect().top - 200)")
        page.locator("#reader-speak-stop").evaluate(FOCUS_QUIETLY)
        page.keyboard.press("Tab")
        page.evaluate(SCROLL_SETTLED)
        assert page.evaluate(FOCUS_AND_PAGE, bar) == {"focused": "link", "shown": True, "scrollY": y}
        # Reading from the last sentence (clicked), after the link: Shift+Tab from Read aloud goes to the link,
        # and Tab from Stop to the host page's link after the component.
        last = page.locator("#reader-article [data-sentence]").last
        last.click()
        expect(page.locator(".reader-speaking").first).to_have_attribute(
            "data-sentence", str(last.get_attribute("data-sentence"))
        )
        y = page.evaluate(SCROLL_SETTLED)
        expect(tools).to_have_attribute("data-docked", str(bar))
        page.locator("#reader-speak").evaluate(FOCUS_QUIETLY)
        page.keyboard.press("Shift+Tab")
        page.evaluate(SCROLL_SETTLED)
        assert page.evaluate(FOCUS_AND_PAGE, bar) == {"focused": "link", "shown": True, "scrollY": y}
        page.locator("#reader-speak-stop").evaluate(FOCUS_QUIETLY)
        page.keyboard.press("Tab")
        expect(page.locator("#after")).to_be_focused()
        assert page.evaluate("scrollY") >= y
        assert page.locator("[data-sentence][tabindex]").count() == 0  # nothing of the article is left focusable
    finally:
        context.close()


# Where the focus is: [the component, the id of the control in it].
FOCUS_IN = "() => [document.activeElement?.id ?? null, document.activeElement?.shadowRoot?.activeElement?.id ?? null]"
# The lines of the part being read in a component (`said`, the text spoken last): [[top, bottom]].
PART_LINES = (
    """([id, said]) => {
  const part = ("""
    + PART_RANGE
    + """)([...document.getElementById(id).shadowRoot.querySelectorAll('.reader-speaking')], said);
  return [...part.getClientRects()].filter((line) => line.width > 0).map((line) => [line.top, line.bottom]);
}"""
)
# Whether a component's focused control is wholly in the window.
FOCUSED_ON_SCREEN = """(id) => {
  const box = document.getElementById(id).shadowRoot.activeElement.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= innerHeight && box.height > 0; }"""


def test_a_bar_that_holds_the_focus_stays_on_screen_when_another_article_is_read(two_components: Page) -> None:
    """A paused article's docked bar yielded to another's reading, and undocked even with the focus on its own
    buttons: the focus was left on a button far above the screen, which Enter pressed unseen. Started by a
    click that moves no focus (Safari's: it focuses no button; a voice control's), the other's reading leaves
    the bar that holds the focus docked, alone; once the focus leaves its buttons, the bar is the reading one's
    again (one bar at a time)."""
    page = two_components
    a, b = page.locator("#a #reader-tools"), page.locator("#b #reader-tools")
    _read_and_scroll_on(page, "a", 1500)  # the reader reads on below: A's toolbar is off screen
    page.keyboard.press("Enter")  # Pause, in the bar, with the focus on it
    expect(a).to_have_attribute("data-state", "paused")
    assert page.evaluate(FOCUS_IN) == ["a", "reader-speak"]
    page.locator("#b #reader-speak").evaluate("(button) => button.click()")  # no focus moves
    expect(b).to_have_attribute("data-state", "playing")
    page.evaluate(SCROLL_SETTLED)
    assert page.evaluate(FOCUS_IN) == ["a", "reader-speak"]
    assert a.get_attribute("data-state") == "paused"
    expect(a).to_have_attribute("data-docked", re.compile(r"^\d+$"))
    expect(b).not_to_have_attribute("data-docked", re.compile(".*"))
    assert page.evaluate(FOCUSED_ON_SCREEN, "a")
    assert page.evaluate(BARS)["bottom"] == "a"  # one bar: what a tap there reaches
    # The part of B's sentence being read, followed, is shown above the bar (A's), on the screen.
    said = page.evaluate("() => window.__spoken.at(-1)")
    lines = page.evaluate(PART_LINES, ["b", said])
    bar = page.evaluate("() => innerHeight") - int(a.get_attribute("data-docked") or 0)
    assert lines and all(0 <= top and bottom <= bar for top, bottom in lines), (said, lines, bar)
    page.keyboard.press("Tab")  # on in the bar: still A's
    assert page.evaluate(FOCUS_IN) == ["a", "reader-speak-previous"]
    assert page.evaluate(FOCUSED_ON_SCREEN, "a")
    # The focus leaves A's buttons: the bar is the one of the article being read (B's place off screen).
    page.evaluate("() => document.getElementById('a').shadowRoot.activeElement.blur()")
    page.evaluate("() => scrollBy(0, 2000)")
    expect(b).to_have_attribute("data-docked", re.compile(r"^\d+$"))
    expect(a).not_to_have_attribute("data-docked", re.compile(".*"))
    assert page.evaluate(BARS) == {"docked": [None, b.get_attribute("data-docked")], "bottom": "b"}
    assert page.evaluate("() => document.documentElement.style.scrollPaddingBlockEnd") == (
        f"{b.get_attribute('data-docked')}px"
    )


# reader's listeners on the window and the document (those of its scripts: not Playwright's), by type
# (Chromium's DevTools protocol).
def _listeners(page: Page) -> dict[str, int]:
    cdp = page.context.new_cdp_session(page)
    try:
        scripts: dict[str, str] = {}
        cdp.on("Debugger.scriptParsed", lambda script: scripts.__setitem__(script["scriptId"], script["url"]))
        cdp.send("Debugger.enable")
        counts: dict[str, int] = {}
        for target in ("window", "document"):
            handle = cdp.send("Runtime.evaluate", {"expression": target})["result"]["objectId"]
            for listener in cdp.send("DOMDebugger.getEventListeners", {"objectId": handle})["listeners"]:
                if "/static/" not in scripts.get(listener["scriptId"], ""):
                    continue
                key = f"{target}:{listener['type']}"
                counts[key] = counts.get(key, 0) + 1
        assert counts, scripts  # (reader's own are seen)
        return counts
    finally:
        cdp.detach()


def test_a_component_removed_while_reading_stops_and_leaves_no_listener(two_components: Page) -> None:
    """The docked bar's listeners (the window's scroll, resize and pointer events, the document's
    reader:speech-bar) stayed when its <reader-article> was removed from the page: a leak, and a removed
    article's bar still answered the others'. Removed while reading, docked, the article stops; the page's
    listeners are the ones it has with that component removed unread, and its scroll padding its own."""
    page = two_components
    page.evaluate("() => { window.__cancels = 0; speechSynthesis.cancel = () => { window.__cancels++; }; }")
    page.evaluate("() => document.getElementById('b').remove()")
    unread = _listeners(page)
    page.reload()
    for component in ("#a", "#b"):
        expect(page.locator(f"{component} #reader-speak")).not_to_have_attribute("aria-disabled", "true")
    page.evaluate(VOICES)
    page.evaluate("() => { window.__cancels = 0; speechSynthesis.cancel = () => { window.__cancels++; }; }")
    b = page.locator("#b #reader-tools")
    _read_and_scroll_on(page, "b", 2000)
    assert page.evaluate("() => document.documentElement.style.scrollPaddingBlockEnd") != ""
    cancels = page.evaluate("() => window.__cancels")
    tools = b.element_handle()
    page.evaluate("() => document.getElementById('b').remove()")
    assert tools.evaluate("(tools) => tools.dataset.state") == "idle"
    assert page.evaluate("() => window.__cancels") > cancels  # the voice stopped
    assert page.evaluate("() => document.documentElement.style.scrollPaddingBlockEnd") == ""
    assert _listeners(page) == unread
    # The other article reads, and docks its bar, as on a page that never had B.
    _read_and_scroll_on(page, "a", 1500)


# #b taken out of the page (its reading tools gone) and, in a second call, put back in its place (new ones made).
TAKE_B_OUT = """() => { window.__b = document.getElementById('b'); window.__bPlace = [__b.parentNode, __b.nextSibling];
  __b.remove(); }"""
PUT_B_BACK = "() => window.__bPlace[0].insertBefore(window.__b, window.__bPlace[1])"
SHEETS_IN_B = """(name) => [...window.__b.shadowRoot.querySelectorAll('link[rel=stylesheet]')]
  .filter((link) => link.href.includes(name)).length"""


def test_a_component_connected_again_keeps_the_bars_stylesheet_its_new_tools_wait_for(two_components: Page) -> None:
    """Review 6, finding 7: Read aloud pressed while the bar's stylesheet is on its way, the component taken out
    and put back (its tools gone, new ones made) and Read aloud pressed again: the first dock() waited on the
    same stylesheet as the new one and, once it came, removed it (its tools were gone), leaving the new one's
    bar and sentence highlight without it until the voice asked for it again (a second download)."""
    page = two_components
    held: list[Route] = []
    page.route("**/css/read-aloud-bar.css*", lambda route: held.append(route))
    with page.expect_request("**/css/read-aloud-bar.css*"):
        page.locator("#b #reader-speak").click()
    page.evaluate(TAKE_B_OUT)
    page.evaluate(PUT_B_BACK)
    expect(page.locator("#b #reader-speak")).not_to_have_attribute("aria-disabled", "true")
    page.locator("#b #reader-speak").click()
    # From the new tools' press on (the first dock() may have stopped waiting already, after SHEET_WAIT_MS, and
    # rightly removed the sheet then: no other dock() used it). read-aloud.js asks for the stylesheet again when
    # it next speaks, so a removed one is soon back: the removal is what is counted.
    page.evaluate(
        """() => { window.__barSheetsRemoved = 0; new MutationObserver((records) => {
          for (const record of records) for (const node of record.removedNodes)
            if (node.href?.includes('read-aloud-bar.css')) __barSheetsRemoved++;
        }).observe(window.__b.shadowRoot, {childList: true}); }"""
    )
    for route in held:
        route.continue_()
    # The new tools' voice waits for their dock(), which resumes with the first one when the sheet comes.
    page.wait_for_function("() => window.__spoken.length > 0")
    expect(page.locator("#b #reader-tools")).to_have_attribute("data-state", "playing")
    assert page.evaluate("() => window.__barSheetsRemoved") == 0
    assert page.evaluate(SHEETS_IN_B, "read-aloud-bar.css") == 1


def test_a_component_connected_again_has_one_reading_guide_stylesheet(two_components: Page) -> None:
    """Review 6, finding 7: each ReadingTools added a reading-guide.css link to the shadow root and none was
    ever removed: a component taken out and put back (a host's router) gathered one more each time. It goes
    with the component's reading tools, as the bar's does, and the new tools add one."""
    page = two_components
    page.locator("#b #reader-panel-summary").click()
    page.locator("#b #reader-guide").select_option("3")
    expect(page.locator("#b .reader-guide-band")).to_be_attached()
    page.evaluate(TAKE_B_OUT)
    assert page.evaluate(SHEETS_IN_B, "reading-guide.css") == 0
    page.evaluate(PUT_B_BACK)
    page.wait_for_function(f"() => ({SHEETS_IN_B})('reading-guide.css') > 0")
    expect(page.locator("#b .reader-guide-band")).to_be_attached()
    page.evaluate(TAKE_B_OUT)
    page.evaluate(PUT_B_BACK)
    page.wait_for_function(f"() => ({SHEETS_IN_B})('reading-guide.css') > 0")
    assert page.evaluate(SHEETS_IN_B, "reading-guide.css") == 1
