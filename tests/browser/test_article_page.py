from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from reader import i18n
from reader.prefs import FONT_CHOICES
from reader.title_fit import fit_step
from reader.views.errors import HEADINGS
from tests.browser import a11y
from tests.browser.conftest import (
    DEFAULT_SCREEN,
    PageProblems,
    Tabs,
    describe_violations,
    run_axe,
    set_default_font_size,
)
from tests.conftest import EN_SLUG, SEED_SLUG, SEED_TITLE, TABLE_SLUG


def test_a_reader_sees_the_seed_article(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("link", name=SEED_TITLE).click()
    page.wait_for_url(f"**/articles/{SEED_SLUG}")
    assert page.evaluate("document.documentElement.lang") == "vi"
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    expect(page.locator("time")).to_have_text("31/03/2021")
    expect(page.locator(".reader-author")).to_contain_text("Thanh Thuyên")
    paragraphs = page.locator(".reader-body p")
    expect(paragraphs).to_have_count(6)
    for index in range(6):
        expect(paragraphs.nth(index)).to_be_visible()
    expect(page.get_by_role("button", name="Tăng cỡ chữ")).to_be_visible()
    expect(page.get_by_role("button", name="Giảm cỡ chữ")).to_be_visible()
    violations = run_axe(page)
    assert violations == [], describe_violations(violations)


def test_the_english_article_and_index_pass_axe(page: Page, problems: PageProblems, live_server: str) -> None:
    problems.expect_status(404)
    for path in ("/", "/?q=bac+kan", "/?q=zzz", f"/articles/{EN_SLUG}", "/preferences", "/articles/missing"):
        page.goto(live_server + path)
        violations = run_axe(page)
        assert violations == [], f"{path}\n{describe_violations(violations)}"


@pytest.mark.parametrize("theme", ["light", "dark", "contrast-dark", "contrast-light"])
def test_search_results_show_where_the_words_are_in_every_theme(tabs: Tabs, live_server: str, theme: str) -> None:
    """The excerpt and its marks: tinted in the theme's mark colour (7:1 with the text: axe's enhanced
    contrast rule) and bold, which says it without colour."""
    with tabs.open(DEFAULT_SCREEN) as (context, page, _):
        context.add_cookies([{"name": "reader_prefs", "value": f"1|t:{theme}", "url": live_server + "/"}])
        page.goto(live_server + "/?q=thong+tin")
        excerpt = page.locator(".reader-list-excerpt")
        expect(excerpt).to_be_visible()
        expect(excerpt).to_contain_text("công nghệ thông tin theo quy định")
        marks = excerpt.locator("mark")
        expect(marks).to_have_text(["thông", "tin"])
        style = marks.first.evaluate(
            """m => { const s = getComputedStyle(m), p = getComputedStyle(m.closest('.reader'));
                      return [s.fontWeight, s.backgroundColor, s.color,
                              p.getPropertyValue('--reader-mark-bg').trim(), p.backgroundColor]; }"""
        )
        weight, background, colour, mark_bg, page_bg = style
        assert int(weight) >= 700 and background != page_bg and background != "rgba(0, 0, 0, 0)", style
        assert mark_bg.startswith("#") and colour != background, style
        violations = run_axe(page)
        assert violations == [], describe_violations(violations)


def test_search_results_reflow_on_a_phone_at_400_percent(browser: Browser, live_server: str) -> None:
    """The accessibility matrix's layout checks (reflow, targets, keyboard, text spacing, forced colours, axe)
    on a page of results, at the size and screen where an excerpt's marks have the least room."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 320, "height": 640})
    try:
        context.add_cookies([{"name": "reader_prefs", "value": "1|s:400|t:sepia", "url": live_server + "/"}])
        page = context.new_page()
        page.goto(live_server + "/?q=thanh+th%C3%B4ng+tin")
        expect(page.locator(".reader-list-excerpt mark").first).to_be_visible()
        failures = a11y.layout_problems(page, axe_colours=True)
        assert not any(failures.values()), a11y.report(failures, "index searched, sepia, 400 %, 320x640")
    finally:
        context.close()


# Issue 15: the reading page's first screen. Tops in CSS px from the top of the page.
TOOLBAR_BOXES = """() => Object.fromEntries(
  ['.reader-meta', '#reader-smaller', '#reader-bigger', '#reader-panel-summary', 'h1'].map(selector => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return [selector, {top: box.top, bottom: box.bottom, height: box.height, middle: (box.top + box.bottom) / 2}];
  }))"""


@pytest.mark.parametrize("slug", [SEED_SLUG, EN_SLUG])
def test_the_toolbar_is_one_compact_row_on_a_desktop_screen(page: Page, live_server: str, slug: str) -> None:
    page.goto(live_server + f"/articles/{slug}")
    boxes = page.evaluate(TOOLBAR_BOXES)
    controls = [boxes[name] for name in ("#reader-smaller", "#reader-bigger", "#reader-panel-summary")]
    assert max(c["top"] for c in controls) - min(c["top"] for c in controls) <= 8, boxes
    # The date is the article's, under its title (in the article's landmark), no longer on the tools' row.
    assert boxes["h1"]["bottom"] <= boxes[".reader-meta"]["top"] <= boxes["h1"]["bottom"] + 40, boxes
    assert all(c["height"] <= 46 for c in controls), boxes  # no taller than a 44 px target needs
    assert boxes["h1"]["top"] <= 200, boxes


@pytest.mark.parametrize(
    ("width", "height", "size", "top", "bottom"),
    # (360 px: previous, next and stop, a word beside each icon, take a row of their own under Read aloud, 4 px
    # below it, their shadow drawn in the gap: the title starts at 319 px, in Vietnamese and in English.)
    [(1280, 800, "100", 200, 800), (360, 740, "100", 320, 740), (1280, 800, "200", 800, 800)],
)
def test_the_title_is_on_the_first_screen(
    tabs: Tabs, live_server: str, width: int, height: int, size: str, top: int, bottom: int
) -> None:
    with tabs.open(ViewportSize(width=width, height=height)) as (context, page, _):
        context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}", "url": live_server + "/"}])
        page.goto(live_server + f"/articles/{SEED_SLUG}")
        h1 = page.evaluate(TOOLBAR_BOXES)["h1"]
        assert h1["top"] <= top and h1["bottom"] <= bottom, h1


CONTROLS_BOXES = """() => Object.fromEntries(
  ['.reader-brand', '.reader-footer p', '#reader-toolbar', '#reader-bigger', '#reader-smaller', 'h1'].map(selector => {
    const box = document.querySelector(selector).getBoundingClientRect();
    // (To the pixel: a box centred in a wider one may start a fraction of a pixel off.)
    return [selector, [box.left, box.top + scrollY, box.width, selector === 'h1' ? 0 : box.height].map(Math.round)];
  }))"""


@pytest.mark.parametrize(
    ("width", "height", "more"),
    # (A wide column, wider than 60rem at 200 %: the footer's smaller text once made it a page of its own.)
    [(320, 640, ""), (1280, 800, ""), (1280, 800, "|f:opendyslexic")],
)
def test_the_controls_stop_growing_at_200_percent(
    tabs: Tabs, live_server: str, width: int, height: int, more: str
) -> None:
    # The article goes on to 400 %; the masthead and toolbar above it stay as at 200 %, so the title starts
    # where it did (on a 320 × 640 phone at 400 % it started four screens down, 2,624 px, when they grew too)
    # and a pointer resting on A+ or A− stays on it.
    with tabs.open(ViewportSize(width=width, height=height)) as (context, page, _):
        boxes = {}
        for size in ("200", "250", "300", "400"):
            cookie = f"1|s:{size}{more}"
            context.add_cookies([{"name": "reader_prefs", "value": cookie, "url": live_server + "/"}])
            page.goto(live_server + f"/articles/{SEED_SLUG}")
            page.evaluate("document.fonts.ready")
            boxes[size] = page.evaluate(CONTROLS_BOXES)
            body = page.eval_on_selector(".reader-body p", "e => parseFloat(getComputedStyle(e).fontSize)")
            assert body == 16 * int(size) / 100  # the article itself follows the setting
        assert boxes["400"]["h1"][1] < 1.5 * height, boxes
        titles = {size: found.pop("h1") for size, found in boxes.items()}
        for size, found in boxes.items():  # the masthead's, toolbar's and footer's text start at one edge
            footer = found.pop(".reader-footer p")  # (below the article, which grows: only its edge compared)
            assert found[".reader-brand"][0] == found["#reader-toolbar"][0] == footer[0], (size, found, footer)
        assert boxes["200"] == boxes["250"] == boxes["300"] == boxes["400"], boxes
        if width < 1280:
            assert titles["200"] == titles["250"] == titles["300"] == titles["400"], titles
            assert titles["200"][0] == boxes["200"]["#reader-toolbar"][0], (titles, boxes)
        else:
            # A desktop's column widens with the article's text from 250 % (at 1280 px it fills the window from
            # 300 %); the controls keep the page they had at 200 %, and the title starts further left.
            assert titles["200"][0] == boxes["200"]["#reader-toolbar"][0] >= titles["300"][0], titles
            assert more or titles["200"][0] > titles["300"][0], titles  # (a wide column fills it at 200 % already)


# A title's words, each as the lines it is set on: a word on more than one broke between two letters.
TITLE_SPLIT_WORDS = """title => {
  const split = [];
  const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size > 1) split.push(match[0]);
    }
  }
  return {split, size: parseFloat(getComputedStyle(title).fontSize)};
}"""


@pytest.mark.parametrize(
    ("default", "width", "sans", "opendyslexic", "floor"),
    [
        (16, 360, ("150", "175", "200", "250"), ("150", "175"), 1.1),
        (16, 320, ("150", "175", "200", "250"), ("150", "175"), 1.1),
        (16, 360, ("300",), ("200",), 1),
        # A larger browser default: the same text in pixels at a smaller size setting (200 % of 24 px is 300 %
        # of 16), on a line its gutters narrow no more than a 16 px default's (5vw, not 1rem, on a phone).
        (20, 360, ("150", "175", "200", "250"), ("125", "150"), 1),
        (20, 320, ("150", "175", "200"), ("125", "150"), 1),
        (24, 360, ("125", "150", "175", "200"), ("125", "150"), 1),
        (24, 320, ("125", "150", "175"), ("125",), 1),
    ],
)
def test_a_long_word_in_a_title_stays_whole_on_a_phone(
    tabs: Tabs,
    live_server: str,
    default: int,
    width: int,
    sans: tuple[str, ...],
    opendyslexic: tuple[str, ...],
    floor: float,
) -> None:
    # "comfortable" in bold at 200 % is 344 px on a 360 px phone's 328 px line, and broke between two letters
    # at 175-300 % (at 150 % already in OpenDyslexic). The title now shrinks as far as that word needs, down
    # to the text's size; only past that may a word still break. With a 24 px default it broke at 200 % on a
    # 360 px phone: 52.8 px, the 1.1em floor it had, set it 324 px wide on the 312 px line 1rem gutters left.
    with tabs.open({"width": width, "height": 740}, locale=None, font_size=default) as (context, page, _):
        for font, sizes in (("sans", sans), ("opendyslexic", opendyslexic)):
            for size in sizes:
                context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}|f:{font}", "url": live_server}])
                page.goto(live_server + f"/articles/{EN_SLUG}")
                page.evaluate("document.fonts.ready")
                title = page.locator("#reader-title").evaluate(TITLE_SPLIT_WORDS)
                text = page.locator(".reader-body p").first.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
                assert text == default * int(size) / 100, (font, size, text)  # the default size took
                assert title["split"] == [], (font, size, title)
                assert title["size"] >= floor * text - 0.5, (font, size, title, text)


# The words of a text node set on more than one line though each fits `line` (measured in a nowrap copy put in
# `holder`, at `size` px when given, else at the holder's own size: a word wider than that cannot help it). A
# hyphenated word is one word per part, its hyphen kept with the first: a line may end after "Sans-" (the
# browser breaks there), never inside "Sans".
WORDS_SPLIT_THAT_FIT = """(node, holder, line, size) => {
  const split = [];
  for (const match of node.data.matchAll(/[^\\s-]+-?/g)) {
    const range = document.createRange();
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    if (new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size < 2) continue;
    const copy = document.createElement('span');
    copy.style.cssText = 'position: absolute; white-space: nowrap' + (size ? `; font-size: ${size}px` : '');
    copy.textContent = match[0];
    holder.append(copy);
    const width = copy.getBoundingClientRect().width;
    copy.remove();
    if (width <= line) split.push([match[0], Math.round(width), Math.round(line)]);
  }
  return split;
}"""

# Each word of a title that broke between two letters though it fits the line at the title's floor (the
# text's size), measured at that size, in the title's own font and letter spacing.
TITLE_WORDS_SPLIT_THAT_FIT = f"""title => {{
  const wordsSplit = {WORDS_SPLIT_THAT_FIT};
  const style = getComputedStyle(title);
  const line = title.clientWidth - parseFloat(style.paddingInlineStart) - parseFloat(style.paddingInlineEnd);
  const text = document.querySelector('.reader-body p') || title.parentElement;  // a page without a body: its own
  const floor = 1 * parseFloat(getComputedStyle(text).fontSize);
  const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  return nodes.flatMap(node => wordsSplit(node, title, line, floor));
}}"""


SPACINGS_AND_SIZES = [[ls, size] for ls in ("0", "0.12", "0.24") for size in ("100", "150", "200", "250", "300", "400")]
# The title's words split that fit, at each [spacing, size]: the stylesheet is keyed on the region's data
# attributes, so they switch in place.
EVERY_SPACING_AND_SIZE = f"""points => {{
  const measure = {TITLE_WORDS_SPLIT_THAT_FIT};
  const region = document.getElementById('reader');
  const title = document.getElementById('reader-title');
  return points.map(([spacing, size]) => {{
    Object.assign(region.dataset, {{size, ls: spacing}});
    return [[spacing, size], measure(title)];
  }});
}}"""


# The other pages' titles, as each language says them, and what the server says of their longest word.
OTHER_TITLES = {
    "/articles/missing": [
        (lang, i18n.gettext(lang, heading), fit_step(i18n.gettext(lang, heading)))
        for lang in ("vi", "en")
        for heading in HEADINGS
    ],
    **{
        path: [(lang, i18n.gettext(lang, title), fit_step(i18n.gettext(lang, title))) for lang in ("vi", "en")]
        for path, title in (("/", "Articles"), ("/preferences", "Reading settings"))
    },
}
# Where a title's word is wider in a font than reader.title_fit counts it (the font's title_widen is the 90th
# percentile of 49 words): "viết" in OpenDyslexic is 1.6 times its width in the reference font, not 1.45 (its
# i, t and v are 1.6-1.8 times as wide), so the index's Vietnamese title, capped at a 2em word, still broke it
# at 200 % of a 32 px default and from 300 % of 16 px. A limit of title_fit's model (an article's title with
# such a word breaks the same way), not of these pages: left to a change of the model.
WIDER_THAN_COUNTED = {("Bài viết", "opendyslexic")}
# Each font a language's text may be set in (a font lacking its letters is not offered for it).
FONTS_BY_LANG = {
    lang: [name for name, font in FONT_CHOICES.items() if lang not in font.missing_languages] for lang in ("vi", "en")
}
# A page's title, set to each text in `titles` ([lang, text, data-fit]) in each of its language's fonts (the
# region's data-font switched in place: the page loaded in a web font links all their faces), at each
# [spacing, size] of `points`: each word split that would fit at the text's size, and each title smaller than
# its words need (capped, though its widest word at its size fills less than 80 % of the line: the cap counts
# a word in its font's 90th-percentile width and rounds it up to a quarter em).
EVERY_TITLE_FONT_SPACING_AND_SIZE = f"""async ([titles, fonts, points]) => {{
  const measure = {TITLE_WORDS_SPLIT_THAT_FIT};
  const region = document.getElementById('reader');
  const title = document.getElementById('reader-title');
  const px = element => parseFloat(getComputedStyle(element).fontSize);
  const widest = () => Math.max(...title.textContent.match(/[^\\s-]+-?/g).map(word => {{
    const copy = document.createElement('span');
    copy.style.cssText = 'position: absolute; white-space: nowrap';
    copy.textContent = word;
    title.append(copy);
    const width = copy.getBoundingClientRect().width;
    copy.remove();
    return width;
  }}));
  const found = [];
  // The region's attributes changed once a point (the whole page's style), the title's text for each title.
  for (const font of new Set(Object.values(fonts).flat())) {{
    region.dataset.font = font;
    for (const [spacing, size] of points) {{
      Object.assign(region.dataset, {{size, ls: spacing}});
      for (const [lang, text, fit] of titles) {{
        if (!fonts[lang].includes(font)) continue;
        title.lang = lang;
        title.textContent = text;
        if (fit) title.dataset.fit = fit; else delete title.dataset.fit;
        title.getBoundingClientRect();  // a layout in the font: its faces start loading (at once from the second)
        await document.fonts.ready;
        const split = measure(title);
        const fitted = px(title);
        title.style.setProperty('--reader-title-word', '0.01');  // no word to fit: the title's full size
        const full = px(title);
        title.style.removeProperty('--reader-title-word');
        const line = title.clientWidth;
        const small = fitted < full - 0.5 && widest() < 0.8 * line;
        if (split.length || small) found.push([lang, text, font, spacing, size, split, fitted, full, line]);
      }}
    }}
  }}
  return found;
}}"""


ARTICLE_DEFAULTS = (16, 20, 24)
OTHER_DEFAULTS = (16, 24, 32)


@pytest.mark.parametrize("default", sorted({*ARTICLE_DEFAULTS, *OTHER_DEFAULTS}))
@pytest.mark.parametrize("width", [360, 320])
def test_no_title_word_breaks_that_would_fit_at_the_floor_in_any_font_or_spacing(
    tabs: Tabs, live_server: str, width: int, default: int
) -> None:
    # At 400 % on a 360 px phone, in OpenDyslexic with WCAG's 0.12em letter spacing, "lượng" (367 px on the
    # 328 px line) and "chức," broke between letters in the Vietnamese title, which said no data-fit: its
    # words were measured in Noto Sans with no letter spacing. At the floor both fit. With a 20 or 24 px
    # browser default, "lượng" broke in the system sans and Atkinson at 300-400 % on a 320 px phone: its ư
    # and ơ were counted as u and o, 0.16em narrower, and the title, capped at what fits a word of 3em, set
    # it 3 px wider than the line. The page's data attributes switch size and spacing in place: the stylesheet
    # is keyed on them.
    with tabs.open(ViewportSize(width=width, height=740), locale=None, font_size=default) as (context, page, problems):
        problems.expect_status(404)  # the 404 page's title
        found = {}
        # The articles' titles at the defaults they broke at; the other titles at 16, 24 and 32 px (one run more a
        # screen, not an article's ten loads more).
        for slug in (SEED_SLUG, EN_SLUG) if default in ARTICLE_DEFAULTS else ():
            for font in FONT_CHOICES:
                context.add_cookies([{"name": "reader_prefs", "value": f"1|f:{font}", "url": live_server}])
                page.goto(live_server + f"/articles/{slug}")
                page.evaluate("document.fonts.ready")
                # Every spacing at every size in one call (one round trip a page, not eighteen).
                for (spacing, size), split in page.evaluate(EVERY_SPACING_AND_SIZE, SPACINGS_AND_SIZES):
                    if split:
                        found[slug[:8], font, spacing, size] = split
        # The error pages', the index's and the settings page's titles: the 503's "Temporarily unavailable" broke
        # as "Temporari|ly unavailab|le" at 200 % on a 320 px phone, the Vietnamese 404's "Khôn|g" with WCAG's
        # spacing at 200 % of a 24 px default, "Articles" and "Reading|settings" at 400 %. One page each, every
        # font in place.
        context.add_cookies([{"name": "reader_prefs", "value": "1|f:opendyslexic", "url": live_server}])
        for path, titles in OTHER_TITLES.items() if default in OTHER_DEFAULTS else ():
            page.goto(live_server + path)
            for _lang, text, font, spacing, size, *seen in page.evaluate(
                EVERY_TITLE_FONT_SPACING_AND_SIZE, [titles, FONTS_BY_LANG, SPACINGS_AND_SIZES]
            ):
                if (text, font) not in WIDER_THAN_COUNTED:
                    found[text, font, spacing, size] = seen
        assert found == {}


# Whether the page scrolls sideways, and each word of the masthead and the toolbar set on more than one line
# though it fits its box's line.
REFLOW = f"""() => {{
  const wordsSplit = {WORDS_SPLIT_THAT_FIT};
  const split = [];
  for (const root of document.querySelectorAll('.reader-masthead, #reader-toolbar')) {{
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    for (const node of nodes) {{
      const parent = node.parentElement;
      if (!parent.checkVisibility({{visibilityProperty: true}}) || parent.closest('.reader-visually-hidden')) continue;
      let box = parent;
      while (getComputedStyle(box).display === 'inline') box = box.parentElement;
      const style = getComputedStyle(box);
      const line = box.clientWidth - parseFloat(style.paddingInlineStart) - parseFloat(style.paddingInlineEnd);
      split.push(...wordsSplit(node, parent, line, 0));
    }}
  }}
  return {{scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth, split}};
}}"""


@pytest.mark.parametrize("viewport", [(360, 740), (1280, 800)], ids=["phone", "desktop"])
def test_the_page_reflows_with_a_large_browser_default(tabs: Tabs, live_server: str, viewport: tuple[int, int]) -> None:
    # A 24 px browser default (Chrome's "Very large"), at 100 and 200 %: no scrolling sideways (WCAG 1.4.10),
    # and no word of the masthead or the toolbar broken between letters where it fits its line. "Readability"
    # broke beside its chevron at 200 % on a 360 px phone ("Readabilit", "y"); in OpenDyslexic it is wider
    # than the phone's line (354 px at 48 px) and still breaks.
    width, height = viewport
    with tabs.open(ViewportSize(width=width, height=height), locale=None, font_size=24) as (context, page, _):
        found = {}
        for slug in (SEED_SLUG, EN_SLUG):
            for font in ("sans", "opendyslexic"):
                for size in ("100", "200"):
                    context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}|f:{font}", "url": live_server}])
                    page.goto(live_server + f"/articles/{slug}")
                    page.evaluate("document.fonts.ready")
                    seen = page.evaluate(REFLOW)
                    if seen["scrolls"] or seen["split"]:
                        found[slug[:8], font, size] = seen
        assert found == {}


# The settings page: whether it scrolls sideways; each word of its text (the title, the sample) set on more than
# one line though it fits its box's line at its own size, and each word of its controls set on more than one line
# at all (their size stops where their words fit, reader.css); each select whose value is cut: narrower than a
# copy of it that holds only its selected option and may be as wide as that needs.
SETTINGS_REFLOW = f"""() => {{
  const wordsSplit = {WORDS_SPLIT_THAT_FIT};
  const split = [];
  const toolbar = document.getElementById('reader-toolbar');
  const root = document.querySelector('.reader-settings') || toolbar;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  for (const node of nodes) {{
    const parent = node.parentElement;
    if (parent.closest('select, .reader-visually-hidden')) continue;
    if (!parent.checkVisibility({{visibilityProperty: true}})) continue;
    let box = parent;
    while (getComputedStyle(box).display === 'inline') box = box.parentElement;
    const style = getComputedStyle(box);
    const line = box.clientWidth - parseFloat(style.paddingInlineStart) - parseFloat(style.paddingInlineEnd);
    split.push(...wordsSplit(node, parent, toolbar.contains(node) ? Infinity : line, 0));
  }}
  const cut = [];
  for (const select of root.querySelectorAll('select')) {{
    if (!select.checkVisibility()) continue;
    const copy = select.cloneNode(false);
    copy.removeAttribute('id');
    copy.append(select.options[select.selectedIndex].cloneNode(true));
    copy.style.cssText = 'position: absolute; inline-size: auto; min-inline-size: 0; max-inline-size: none';
    select.after(copy);
    const needs = copy.getBoundingClientRect().width;
    copy.remove();
    const width = select.getBoundingClientRect().width;
    if (width < needs - 0.5) cut.push([select.id, select.value, Math.round(width), Math.round(needs)]);
  }}
  return {{scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth, split, cut}};
}}"""


@pytest.mark.parametrize("path", ["/preferences", f"/articles/{EN_SLUG}"])
@pytest.mark.parametrize("default", [16, 20, 24])
@pytest.mark.parametrize("width", [320, 360])
def test_the_settings_page_reflows_on_a_phone_at_every_large_size(
    tabs: Tabs, live_server: str, width: int, default: int, path: str
) -> None:
    # At 400 % of a 24 px default on a 320 px phone the page scrolled sideways (341 px: every select and
    # field at its 3em minimum, 288 px, in a 214 px field), the size select showed "400 " without its "%",
    # the voice select "Automati", and the controls, at 96 px, broke 35 Vietnamese words between letters
    # ("Wide text spacing (WCAG)" was a button 214 × 1,344 px). At 300 % of 20 px, "1.25×" and "Tự động" were
    # cut. The panel open, in both interface languages. An article's panel too: at 200 % of 24 px (its
    # controls' limit) on a 320 px phone its voice select showed "Automati" and long English words broke.
    found = {}
    with tabs.open({"width": width, "height": 640}, locale=None, font_size=default) as (context, page, _):
        for lang in ("vi", "en"):
            page.set_extra_http_headers({"Accept-Language": lang})
            for size in ("200", "250", "300", "400"):
                context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}|sr:1.25", "url": live_server}])
                page.goto(live_server + path)
                page.evaluate("document.fonts.ready")
                page.locator("#reader-panel").evaluate("panel => { panel.open = true; }")
                seen = page.evaluate(SETTINGS_REFLOW)
                if seen["scrolls"] or seen["split"] or seen["cut"]:
                    found[lang, size] = seen
    assert found == {}


# A title of short words, as the server sets it: no data-fit (reader.title_fit).
SHORT_TITLE = "Mỹ và Ý"


def test_a_title_of_short_words_fits_a_phone_whatever_the_browsers_default_size(
    browser: Browser, live_server: str
) -> None:
    # Its words fit a 320 px phone at 400 % of a 16 px default in every font and letter spacing, so it says no
    # data-fit; at 400 % of a 24 px default (a 120 px title) "Mỹ" in OpenDyslexic with 0.24em spacing is wider
    # than the line, and broke between its letters, though it fits at the text's size. Every article title is
    # capped now, one with no data-fit at a word of the first step's width.
    assert fit_step(SHORT_TITLE) is None
    context = browser.new_context(viewport={"width": 320, "height": 740})
    try:
        page = context.new_page()
        set_default_font_size(page, 24)
        context.add_cookies([{"name": "reader_prefs", "value": "1|s:400|f:opendyslexic|ls:0.24", "url": live_server}])
        page.goto(live_server + f"/articles/{SEED_SLUG}")
        page.evaluate("document.fonts.ready")
        title = page.locator("#reader-title")
        title.evaluate("(title, text) => { title.removeAttribute('data-fit'); title.textContent = text; }", SHORT_TITLE)
        assert title.evaluate(TITLE_WORDS_SPLIT_THAT_FIT) == []
        assert title.evaluate(TITLE_SPLIT_WORDS)["size"] >= 96  # not below the text
    finally:
        context.close()


def test_a_title_keeps_its_size_where_its_words_fit(browser: Browser, live_server: str) -> None:
    # Only as far as the longest word needs: on a desktop screen, and for the seed's short Vietnamese words,
    # the title is twice its 100 % size at 200 %.
    sizes = {}
    for width, slug in ((1280, EN_SLUG), (360, SEED_SLUG)):
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            for size in ("100", "200"):
                context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}", "url": live_server}])
                page.goto(live_server + f"/articles/{slug}")
                title = page.locator("#reader-title")
                sizes[width, size] = title.evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
        finally:
            context.close()
    assert sizes[1280, "200"] == pytest.approx(2 * sizes[1280, "100"]), sizes
    assert sizes[360, "200"] == pytest.approx(2 * sizes[360, "100"]), sizes


CAPTION_IN_REGION = """region => {
  const outer = region.getBoundingClientRect(), caption = region.querySelector('caption').getBoundingClientRect();
  return {scrolls: region.scrollWidth > region.clientWidth + 1, left: caption.left - outer.left,
          right: outer.left + region.clientWidth - caption.right};
}"""


def test_a_wide_tables_caption_is_read_without_scrolling_sideways(browser: Browser, live_server: str) -> None:
    # At 200 % on a phone the table is wider than its scrolling region, and its caption was as wide as the
    # table (900 px): half of it could be read only by scrolling the cells. It wraps to the region now and
    # stays in view while the cells scroll under it.
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        context.add_cookies([{"name": "reader_prefs", "value": "1|s:200", "url": live_server}])
        page = context.new_page()
        page.goto(live_server + f"/articles/{TABLE_SLUG}")
        region = page.locator(".reader-table").first
        before = region.evaluate(CAPTION_IN_REGION)
        assert before["scrolls"], before  # what makes this a test: the cells do not fit
        assert before["left"] >= -1 and before["right"] >= -1, before
        region.evaluate("region => { region.scrollLeft = region.scrollWidth; }")
        after = region.evaluate(CAPTION_IN_REGION)
        assert after["left"] >= -1 and after["right"] >= -1, after
    finally:
        context.close()


def test_tab_after_a_click_in_the_text_goes_on_from_there_and_the_skip_link_still_skips(
    browser: Browser, live_server: str
) -> None:
    # main was focusable (tabindex="-1", for the skip link): a click in the text focused it, and the next Tab
    # went to its first control, A+, scrolling the page back to the top (1400 → 0 px) away from the text.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/articles/{EN_SLUG}")
        where = page.evaluate(
            """() => { const paragraph = [...document.querySelectorAll('.reader-body p:not(:has(a))')].at(-1);
                       const next = [...document.querySelectorAll('a[href], button, select, summary')].find(
                         (control) => paragraph.compareDocumentPosition(control) & Node.DOCUMENT_POSITION_FOLLOWING);
                       next.id ||= 'next-control';
                       paragraph.scrollIntoView({block: 'center'});
                       const line = paragraph.getClientRects()[0];
                       return {x: line.left + 3, y: line.top + line.height / 2, next: next.id, scrolled: scrollY}; }"""
        )
        assert where["scrolled"] > 800
        page.mouse.click(where["x"], where["y"])
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == where["next"]
        assert page.evaluate("scrollY") > 800
        # The skip link: Tab from the top of the page, Enter, Tab: the first control in the main content.
        page.goto(f"{live_server}/articles/{EN_SLUG}")
        page.keyboard.press("Tab")
        expect(page.locator(".reader-skip").first).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('article')?.id") == "reader-article"
    finally:
        context.close()


# A4 with 15 mm margins, as a reader prints it: 180 mm of text, in CSS px.
PRINTED_WIDTH = round(180 / 25.4 * 96)
# How far each cell of the first table reaches past the table's region, and the region past the page, in px;
# and the text size of the table and of the article's paragraphs.
TABLE_ON_PAPER = """() => {
  const region = document.querySelector('.reader-table');
  const page = document.documentElement.clientWidth;
  const cells = [...region.querySelectorAll('th, td')];
  return {cells: cells.length,
          past: cells.map((c) => Math.max(c.getBoundingClientRect().right - region.getBoundingClientRect().right,
                                          c.scrollWidth - c.clientWidth)),
          regionPast: region.getBoundingClientRect().right - page,
          tableSize: parseFloat(getComputedStyle(region.querySelector('table')).fontSize),
          textSize: parseFloat(getComputedStyle(document.querySelector('.reader-body p')).fontSize)};
}"""


@pytest.mark.parametrize("size", ["100", "250", "400"])
def test_a_printed_table_keeps_every_column_on_the_paper(browser: Browser, live_server: str, size: str) -> None:
    # Printed at 250 % and more, the table ran past the paper's edge and its last columns ("1920 px" first)
    # were not printed at all: paper does not scroll. Laid out at the paper's width in print media, every cell
    # is inside the page; a table of many columns is set smaller, the article's text keeps its size.
    context = browser.new_context(viewport={"width": PRINTED_WIDTH, "height": 1000})
    try:
        context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}", "url": live_server}])
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(live_server + f"/articles/{TABLE_SLUG}")
        seen = page.evaluate(TABLE_ON_PAPER)
        assert seen["cells"] >= 60, seen
        assert max(seen["past"]) <= 1 and seen["regionPast"] <= 1, seen
        assert seen["textSize"] == 16 * int(size) / 100, seen
        assert seen["tableSize"] >= min(seen["textSize"], 20), seen  # no smaller than needed: 125 % at least
        # Each cell keeps a minimum width of its share of the page, by the table's column count: a count the
        # stylesheet rounded down (9 columns as 8, 15 as 12) gave each cell more than its share, and the
        # cells of 9, 11, 13 and more columns reached 13-207 px past the page.
        for columns in (9, 11, 13, 15, 18):
            page.evaluate(NUMBERS_TABLE, columns)
            seen = page.evaluate(TABLE_ON_PAPER)
            assert seen["cells"] == 4 * columns, seen
            assert max(seen["past"]) <= 1 and seen["regionPast"] <= 1, (columns, seen)
    finally:
        context.close()


# The first table replaced by one of `columns` columns of numbers, a header row and three rows.
NUMBERS_TABLE = """(columns) => {
  const row = (cell, first) => '<tr>' + Array.from({length: columns}, (_, i) => cell(first + i * 7)).join('') + '</tr>';
  document.querySelector('.reader-table table').innerHTML =
    '<thead>' + row((n) => `<th scope="col">${n} px</th>`, 1900) + '</thead><tbody>'
    + [1024, 2048, 4096].map((first) => row((n) => `<td>${n}</td>`, first)).join('') + '</tbody>';
}"""


# The words of the first table's cells (numbers, "px", header words) that print on two lines, a part on each.
SPLIT_CELL_WORDS = """() => {
  const split = [];
  for (const cell of document.querySelector('.reader-table').querySelectorAll('th, td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width).map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize(
    ("prefs", "default"),
    [
        ("1|s:400|lh:1.5|ls:0.12|ws:0.16|ps:2", 24),  # the "Wide text spacing (WCAG)" preset at 400 %
        ("1|s:400|ls:0.24|ws:0.4", 24),  # the widest spacing
        ("1|s:200|ls:0.24|ws:0.4", 16),
        ("1|s:400|f:opendyslexic|ls:0.24|ws:0.4", 24),
        ("1|s:250|f:opendyslexic", 16),
    ],
)
def test_a_printed_table_keeps_its_numbers_whole_with_wide_spacing(
    tabs: Tabs, live_server: str, prefs: str, default: int
) -> None:
    # Printed with the reader's letter spacing, the table's headers read "102 / 4 px", "128 / 0 px": its size
    # was budgeted without the spacing, its floor was the browser's default size (24 px here) and its cells
    # broke anywhere. Every number and word of the table now prints whole, every cell still on the paper.
    screen = ViewportSize(width=PRINTED_WIDTH, height=1000)
    with tabs.open(screen, locale=None, font_size=default) as (context, page, _):
        context.add_cookies([{"name": "reader_prefs", "value": prefs, "url": live_server}])
        page.goto(live_server + f"/articles/{TABLE_SLUG}")
        page.emulate_media(media="print")
        assert page.evaluate(SPLIT_CELL_WORDS) == []
        seen = page.evaluate(TABLE_ON_PAPER)
    assert max(seen["past"]) <= 1 and seen["regionPast"] <= 1, seen
    # Smaller than the article, never smaller than needed: about 15 px at the least here (9 pt would be 12).
    assert seen["tableSize"] >= 15, seen


def test_a_printed_table_gives_a_long_address_the_room_left_not_the_numbers_room(
    browser: Browser, live_server: str
) -> None:
    # A cell too long for any column (an address) still breaks inside its words rather than run off the paper,
    # and takes its room from the columns' spare width, not from the numbers beside it.
    context = browser.new_context(viewport={"width": PRINTED_WIDTH, "height": 1000})
    try:
        context.add_cookies([{"name": "reader_prefs", "value": "1|s:400|ls:0.24|ws:0.4", "url": live_server}])
        page = context.new_page()
        page.goto(live_server + f"/articles/{TABLE_SLUG}")
        page.emulate_media(media="print")
        address = "https://example.org/archive/2026/reading-research/line-length"
        page.eval_on_selector(".reader-table td", f"td => td.textContent = {address!r}")
        assert page.evaluate(SPLIT_CELL_WORDS) == [address]
        seen = page.evaluate(TABLE_ON_PAPER)
        assert max(seen["past"]) <= 1 and seen["regionPast"] <= 1, seen
    finally:
        context.close()


def test_print_leaves_no_empty_toolbar_above_the_title(page: Page, live_server: str) -> None:
    # Everything in the toolbar is left out of print, and the toolbar itself stayed: an empty band 72 px tall
    # above the title (at 200 %).
    page.context.add_cookies([{"name": "reader_prefs", "value": "1|s:200", "url": live_server}])
    page.goto(live_server + f"/articles/{EN_SLUG}")
    page.emulate_media(media="print")
    assert page.eval_on_selector(".reader-toolbar", "t => t.getClientRects().length") == 0
    # The title starts where the page's text does: nothing above it but the page's own padding.
    top = page.eval_on_selector("#reader-title", "h => h.getBoundingClientRect().top + scrollY")
    assert top < 72, top


# The widths of a paragraph, list items and a blockquote's paragraph in the body, and what hyphenates.
INDENTS = """() => {
  const width = (selector) => document.querySelector(selector).getBoundingClientRect().width;
  const hyphens = (selector) => getComputedStyle(document.querySelector(selector)).hyphens;
  return {p: width('.reader-body > p'), ul: width('.reader-body ul > li'), ol: width('.reader-body ol > li'),
          quote: width('.reader-body blockquote p'), text: hyphens('.reader-body p'),
          rem: parseFloat(getComputedStyle(document.documentElement).fontSize)};
}"""


@pytest.mark.parametrize(("size", "viewport"), [("100", (1280, 800)), ("400", (320, 640))])
def test_indents_stop_growing_with_the_text_and_words_hyphenate(
    tabs: Tabs, live_server: str, size: str, viewport: tuple[int, int]
) -> None:
    # At 400 % on a 320 px phone the 1.5em indent took a third of the line: list items 192 px wide beside
    # 288 px paragraphs, a blockquote's paragraphs 204 px. Indents stop at 3rem (a blockquote's at 2rem and its
    # rule at 0.625rem); at 100 % they are as they were.
    with tabs.open(ViewportSize(width=viewport[0], height=viewport[1]), locale=None) as (context, page, _):
        context.add_cookies([{"name": "reader_prefs", "value": f"1|s:{size}", "url": live_server}])
        page.goto(live_server + f"/articles/{EN_SLUG}")
        seen = page.evaluate(INDENTS)
        em, rem = seen["rem"] * int(size) / 100, seen["rem"]
        indent, quote = min(1.5 * em, 3 * rem), min(em, 2 * rem) + min(0.3125 * em, 0.625 * rem)
        assert seen["ul"] == pytest.approx(seen["p"] - indent, abs=1), seen
        assert seen["ol"] == pytest.approx(seen["p"] - indent, abs=1), seen
        assert seen["quote"] == pytest.approx(seen["p"] - quote, abs=1), seen
        # English is hyphenated where the browser has its dictionary (Debian's Chromium has none to show it).
        assert seen["text"] == "auto", seen
        # Never Vietnamese, whose words are single syllables: a break inside one would be read as two.
        page.goto(live_server + f"/articles/{SEED_SLUG}")
        assert page.eval_on_selector(".reader-body p", "p => getComputedStyle(p).hyphens") == "manual"


# What hyphenates, element by element, in a paragraph of the article's language with phrases of another.
MIXED_HYPHENS = """(other) => {
  const p = document.createElement('p');
  p.innerHTML = `Text <span id="other" lang="${other}">phrase <em id="inner">inner</em></span>
    <span id="same">same</span> <code id="code" lang="en">code <b id="in-code">bold</b></code>
    <a id="address" data-shows-address href="https://example.com/">example.com/<span id="in-address">x</span></a>`;
  document.querySelector('.reader-body').append(p);
  const hyphens = (id) => getComputedStyle(document.getElementById(id)).hyphens;
  return Object.fromEntries(['other', 'inner', 'same', 'code', 'in-code', 'address', 'in-address']
    .map((id) => [id, hyphens(id)]));
}"""


@pytest.mark.parametrize(
    ("slug", "other", "own", "others"), [(SEED_SLUG, "en", "manual", "auto"), (EN_SLUG, "vi", "auto", "manual")]
)
def test_hyphenation_follows_each_phrases_own_language(
    page: Page, live_server: str, slug: str, other: str, own: str, others: str
) -> None:
    """An English phrase (lang="en") inside Vietnamese text hyphenates as English does, a Vietnamese one in
    English never does (it inherited "manual", or "auto", from its paragraph); code and an address shown as
    a link's text never hyphenate, nor anything inside them."""
    page.goto(f"{live_server}/articles/{slug}")
    seen = page.evaluate(MIXED_HYPHENS, other)
    assert seen == {
        "other": others, "inner": others, "same": own,
        "code": "manual", "in-code": "manual", "address": "manual", "in-address": "manual",
    }  # fmt: skip


# Each web link of the body: its text, and what print writes after it.
PRINTED_LINKS = """() => [...document.querySelectorAll('.reader-body a[href^="http"]')].map((a) =>
  [a.textContent.trim(), getComputedStyle(a, '::after').content])"""


def test_print_gives_a_links_address_once(page: Page, live_server: str) -> None:
    # A link whose text is its own address printed as the address and the same address again in brackets
    # (120 characters twice). It is printed once now; a link with words of its own still gets its address.
    page.emulate_media(media="print")
    page.goto(live_server + f"/articles/{TABLE_SLUG}")
    page.eval_on_selector(
        ".reader-body p",
        "p => p.append(Object.assign(document.createElement('a'), {href: 'https://example.org/r', textContent: 'r'}))",
    )
    links = page.evaluate(PRINTED_LINKS)
    address = "https://example.org/archive/2026/reading-research/line-length-and-text-size-on-small-screens/"
    assert sorted(links) == [[address + "full-report-and-tables.html", "none"], ["r", '" (https://example.org/r)"']]


def test_a_search_excerpt_from_a_table_keeps_its_cells_apart(page: Page, live_server: str) -> None:
    """An excerpt taken from a table read as a run of numbers ("1280 px 1920 px 87.5 % 14 41 49…"): its
    cells are apart, each row a sentence, the word found still marked."""
    page.goto(live_server + "/?q=1920")
    excerpt = page.locator(".reader-list-excerpt").first
    expect(excerpt.locator("mark")).to_have_text("1920")
    expect(excerpt).to_contain_text("1280 px · 1920 px. 87.5 % · 14 · 41")
