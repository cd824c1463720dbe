"""Issue 5 in a real browser, cross-site: pages on http://localhost:<port> embed reader (on
http://127.0.0.1:<port>, a different site) through the <reader-article> web component and an iframe; and the
same pages from http://127.0.0.1:<port> (another origin of reader's own site, as www.news.example is to
reader.news.example)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Locator, Page, Route, expect

from reader.i18n import gettext
from tests.browser import a11y
from tests.browser.conftest import (
    AXE_PATH,
    ROOT,
    SCROLL_SETTLED,
    describe_violations,
    press_each_docked_button,
    presses_to_a_stalled_server,
    run_axe,
    saved_then_stalled,
    static_server,
    wait_until,
)
from tests.browser.test_quick_presses import slow_down
from tests.browser.test_reading_tools import STUB_SPEECH
from tests.conftest import EN_SLUG, SEED_SLUG, SEED_TITLE, TABLE_SLUG
from tests.serverproc import Server, create_token

HOSTILE_CSS = "* { font-size: 10px !important; color: #777 !important; }"
# Every custom property reader's stylesheets read: a page that sets them on <reader-article> (they inherit into its
# shadow root, `all: initial` notwithstanding) must change nothing inside.
READ_PROPERTIES = sorted(
    {
        name
        for path in (ROOT / "static" / "css").glob("*.css")
        for name in re.findall(r"var\(\s*(--[\w-]+)", path.read_text())
    }
)
HOST_VALUE = "123.456px"
OWN_FONT_CSS = """@font-face { font-family: "Lexend"; src: local("DejaVu Serif"); }
.brand { font-family: "Lexend", monospace; }
"""
# What a page may do with the element's own box, and inherited properties it sets on the element (with
# !important), which must not reach the article.
LAYOUT_CSS = """#none-important { display: none !important; }
#none { display: none; }
#boxed { width: 300px; max-width: 300px; margin-left: 100px; border: 3px solid rgb(200, 0, 0); }
.grid { display: grid; grid-template-columns: 200px 1fr; gap: 20px; }
.grid reader-article { grid-column: 2; grid-row: 1; }
.flex { display: flex; }
.flex reader-article { flex: 0 0 400px; }
reader-article {
  font-family: cursive !important; font-style: italic !important; line-height: 5 !important;
  letter-spacing: 4px !important; text-align: right !important; text-transform: uppercase !important;
  color: rgb(200, 0, 0) !important; white-space: pre !important; cursor: wait !important;
}
"""


@dataclass(frozen=True)
class Sites:
    reader: str
    host: str
    stranger: str
    db: Path

    @property
    def same_site(self) -> str:
        """The host's pages at another origin of reader's own site (the same server, at 127.0.0.1)."""
        return self.host.replace("//localhost:", "//127.0.0.1:")


def _pages(reader: str) -> dict[str, str]:
    fragment = f"{reader}/articles/{SEED_SLUG}/fragment"
    component = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host page</title>
<script type="module" src="{reader}/static/reader-article.js"></script>
<link rel="stylesheet" href="hostile.css"></head>
<body><main><h1>Host news site</h1><p id="host-text">The host's own text.</p>
<reader-article src="{fragment}"><a href="{reader}/articles/{SEED_SLUG}">Read the article</a></reader-article>
</main><script>
window.readerEvents = [];
for (const name of ["reader:load", "reader:error", "reader:change"]) {{
  document.addEventListener(name, () => window.readerEvents.push(name));
}}
</script></body></html>"""
    frame = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An iframe host</title></head>
<body><main><h1>Embedded by iframe</h1>
<iframe id="frame" title="{SEED_TITLE}" src="{reader}/embed/{SEED_SLUG}#?secret=Zx81Qw7Lm2" width="600" height="300"
 SANDBOX></iframe></main>
<script>
window.heights = [];
window.addEventListener("message", (event) => {{
  const data = event.data || {{}};
  if (data.message === "height" && data.secret === "Zx81Qw7Lm2") {{
    window.heights.push(["wordpress", data.value]);
    // WordPress clamps the frame to 200-1000 px.
    document.getElementById("frame").height = Math.min(1000, Math.max(200, data.value));
  }}
  if (data.type === "reader:height") window.heights.push(["reader", data.height]);
  // WordPress follows a link only when it leads to the embed's own site (and the frame has the focus).
  if (data.message === "link" && data.secret === "Zx81Qw7Lm2") window.links = [...(window.links || []), data.value];
}});
</script></body></html>"""
    links = frame.replace(f"/embed/{SEED_SLUG}#?secret=Zx81Qw7Lm2", f"/embed/{EN_SLUG}").replace("SANDBOX", "")
    second = f"""<reader-article id="second" src="{reader}/articles/{EN_SLUG}/fragment" lang="en">
<a href="{reader}/articles/{EN_SLUG}">Read</a></reader-article>"""
    two = component.replace("</reader-article>", "</reader-article>\n" + second)
    # docs/embedding.md's "With htmx on the page", as written there (its script an external file: a host
    # page's CSP may forbid inline script, as reader's does).
    with_htmx = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An htmx host</title>
<script src="{reader}/static/vendor/htmx-2.0.11.min.js" defer></script>
<script src="reader-htmx.js" defer></script></head>
<body><main><h1>Host news site</h1>
<div data-hx-get="{fragment}" data-hx-trigger="load" data-hx-swap="outerHTML">
  <a href="{reader}/articles/{SEED_SLUG}">Read the article</a>
</div></main></body></html>"""
    # A page that enforces Trusted Types, with the CSP docs/embedding.md asks of a host page; and one whose
    # trusted-types directive leaves the component's policy out.
    trusted = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A strict host page</title>
<meta http-equiv="Content-Security-Policy" content="{documented_csp(reader)}; require-trusted-types-for 'script'">
<script src="events.js"></script>
<script type="module" src="{reader}/static/reader-article.js"></script></head>
<body><main><h1>Host news site</h1>
<reader-article src="{fragment}"><a href="{reader}/articles/{SEED_SLUG}">Read the article</a></reader-article>
</main></body></html>"""
    events = """window.readerEvents = [];
window.violations = [];
for (const name of ["reader:load", "reader:error", "reader:change"]) {
  document.addEventListener(name, () => window.readerEvents.push(name));
}
document.addEventListener("securitypolicyviolation", (event) => {
  window.violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""
    # A page that hides, sizes, frames and places its components, with a hostile stylesheet and inherited
    # properties set on the element itself (test_the_page_lays_out_the_component_and_styles_nothing_inside).
    layout_one = f"""<reader-article id="ID" src="{fragment}" lang="en"><a href="{reader}/articles/{SEED_SLUG}">Read</a>
</reader-article>"""
    layout = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A laid-out host page</title>
<script type="module" src="{reader}/static/reader-article.js"></script>
<link rel="stylesheet" href="hostile.css"><link rel="stylesheet" href="layout.css"></head>
<body><main><h1>Host news site</h1>
{layout_one.replace('id="ID"', 'id="hidden-attribute" hidden')}
{layout_one.replace("ID", "none-important")}
{layout_one.replace("ID", "none")}
{layout_one.replace('id="ID"', 'id="none-inline" style="display: none"')}
{layout_one.replace("ID", "boxed")}
<div class="grid"><aside>Beside</aside>{layout_one.replace("ID", "in-grid")}</div>
<div class="flex">{layout_one.replace("ID", "in-flex")}<aside>Beside</aside></div>
</main></body></html>"""
    # A page with a font of its own named Lexend, as one of reader's web fonts is.
    own_font = component.replace("hostile.css", "own-font.css").replace(
        '<p id="host-text">', '<p id="host-text" class="brand">'
    )
    # docs/embedding.md's snippet as written, on a page that notes when its DOMContentLoaded came.
    documented = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The documented snippet</title>
<script src="ready.js"></script></head><body><main><h1>Host news site</h1>
{documented_snippet(reader)}</main></body></html>"""
    # A host page that puts an article in a section of its own, its title an h3 (heading-level).
    section = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Daily Host News</title>
<script type="module" src="{reader}/static/reader-article.js"></script></head>
<body><main><h1>Daily Host News</h1><section aria-labelledby="picks"><h2 id="picks">Today's picks</h2>
<reader-article heading-level="3" lang="en" src="{reader}/articles/{EN_SLUG}/fragment">
<a href="{reader}/articles/{EN_SLUG}">Read the article</a></reader-article></section></main></body></html>"""
    # A dark page with a floated sidebar before the component (test_the_component_sits_beside_a_float).
    floated = component.replace('<link rel="stylesheet" href="hostile.css">', "").replace(
        "<main><h1>Host news site</h1>",
        '<main><h1>Host news site</h1><aside id="sidebar" style="float: left; width: 300px"><h2>Sidebar</h2>'
        "<p>The host's own links.</p></aside>",
    )
    return {
        "floated.html": floated,
        "section.html": section,
        "documented.html": documented,
        "ready.js": "document.addEventListener('DOMContentLoaded', () => { window.ready = true; });\n",
        "own-font.html": own_font,
        "own-font.css": OWN_FONT_CSS,
        "layout.html": layout,
        "layout.css": LAYOUT_CSS,
        "trusted.html": trusted,
        "trusted-refused.html": trusted.replace("trusted-types reader-article", "trusted-types host-policy"),
        "events.js": events,
        "htmx.html": with_htmx,
        "reader-htmx.js": htmx_recipe(reader),
        "component.html": component,
        "two.html": two.replace('<link rel="stylesheet" href="hostile.css">', ""),
        "three.html": two.replace('<link rel="stylesheet" href="hostile.css">', "").replace(
            "</reader-article>\n<reader-article",
            "</reader-article>\n" + second.replace('"second"', '"third"') + "\n<reader-article",
            1,
        ),
        # Two articles, their controls in one language (test_each_components_reading_tools_have_a_name_of_their_own)
        "two-en.html": two.replace('<link rel="stylesheet" href="hostile.css">', "").replace(
            f'src="{fragment}"', f'src="{fragment}" lang="en"'
        ),
        "links.html": links,
        # Two components far down the page, the second lazy (test_a_lazy_component_loads_its_article_as_it_nears…).
        "lazy.html": component.replace('<link rel="stylesheet" href="hostile.css">', "")
        .replace("<reader-article ", '<div style="height: 4000px"></div>\n<reader-article id="eager" ')
        .replace(
            "</main>",
            f'<div style="height: 4000px"></div>\n<reader-article id="lazy" loading="lazy" lang="en" '
            f'src="{reader}/articles/{EN_SLUG}/fragment"><a href="{reader}/articles/{EN_SLUG}">Read</a>'
            "</reader-article></main>",
        ),
        # One article twice, its controls in one language (test_the_same_article_twice_has_two_names…): the first
        # with a size of its own, so that the test can tell their requests apart.
        "same-twice.html": component.replace('<link rel="stylesheet" href="hostile.css">', "")
        .replace(f'src="{fragment}"', f'src="{fragment}" lang="en" size="125"')
        .replace(
            "</reader-article>",
            f'</reader-article>\n<reader-article id="again" src="{fragment}" lang="en">'
            f'<a href="{reader}/articles/{SEED_SLUG}">Read it again</a></reader-article>',
        ),
        "missing.html": links.replace(f"/embed/{EN_SLUG}", "/embed/no-such-article"),
        # An embed's address with a slash added, as a CMS may write it (test_a_slash_added_to_an_embeds_address…).
        "slash.html": links.replace(f"/embed/{EN_SLUG}", f"/embed/{SEED_SLUG}/"),
        "slash.isolated.html": links.replace(f"/embed/{EN_SLUG}", f"/embed/{SEED_SLUG}/"),
        "plain.html": component.replace('<link rel="stylesheet" href="hostile.css">', ""),
        # The component's page in a sandboxed frame: an opaque origin (test_a_sandboxed_page_is_told_…).
        "sandboxed.html": '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandboxed</title>'
        '</head><body><iframe sandbox="allow-scripts" title="Article" src="plain.html"></iframe></body></html>',
        "hostile.css": HOSTILE_CSS,
        "custom-properties.html": component.replace("hostile.css", "custom-properties.css"),
        "custom-properties.css": "reader-article {\n"
        + "".join(f"  {name}: {HOST_VALUE};\n" for name in READ_PROPERTIES)
        + "}\n",
        "iframe.html": frame.replace("SANDBOX", ""),
        # The frame far below the first screen (test_an_iframe_out_of_sight_reports_its_height).
        "iframe-below.html": frame.replace("SANDBOX", "").replace(
            "<h1>Embedded by iframe</h1>", '<h1>Embedded by iframe</h1><div style="height: 5000px"></div>'
        ),
        # Served cross-origin isolated (COEP require-corp: tests/browser/static_host.py).
        "iframe.isolated.html": frame.replace("SANDBOX", ""),
        "component.isolated.html": component.replace('<link rel="stylesheet" href="hostile.css">', ""),
        "wordpress.html": frame.replace("SANDBOX", 'sandbox="allow-scripts" security="restricted"'),
        # Embeds made before the article was renamed (test_an_embed_of_an_old_address_shows_the_article).
        "renamed.html": component.replace('<link rel="stylesheet" href="hostile.css">', "")
        .replace(SEED_SLUG, TABLE_SLUG)
        .replace("</main>", f'<iframe id="frame" title="Embed" src="{reader}/embed/{TABLE_SLUG}"></iframe></main>'),
    }


def documented_snippet(reader: str) -> str:
    """docs/embedding.md's component snippet, as written there, for reader at `reader`."""
    docs = (Path(__file__).parents[2] / "docs" / "embedding.md").read_text()
    section = docs.split("## 1. The web component", 1)[1]
    return section.split("```html\n", 1)[1].split("```", 1)[0].replace("https://reader.example", reader)


def documented_csp(reader: str) -> str:
    """The Content-Security-Policy docs/embedding.md's table asks of a host page, for reader at `reader` (the
    docs' own directives: the test fails if the table leaves out what the component needs), plus the page's
    own scripts ('self')."""
    docs = (Path(__file__).parents[2] / "docs" / "embedding.md").read_text()
    table = docs.split("## What the embedding page's CSP must allow", 1)[1]
    directives = re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)
    assert "trusted-types reader-article" in directives, directives
    return "; ".join(directive.replace("https://reader.example", f"'self' {reader}") for directive in directives)


def htmx_recipe(reader: str) -> str:
    """The script of docs/embedding.md's htmx recipe, for reader at `reader` (the docs' own text: the test
    fails if the recipe there stops working)."""
    docs = (Path(__file__).parents[2] / "docs" / "embedding.md").read_text()
    script = docs.split("<!-- htmx recipe: reader-htmx.js -->\n```js\n", 1)[1].split("```", 1)[0]
    return script.replace("https://reader.example", reader)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    base = tmp_path_factory.mktemp("embedding")
    host_dir, stranger_dir = base / "host", base / "stranger"
    host_dir.mkdir()
    stranger_dir.mkdir()
    host_process, host = static_server(host_dir)
    stranger_process, stranger = static_server(stranger_dir)
    origins = f"{host},{host.replace('//localhost:', '//127.0.0.1:')}"
    reader = Server(db=base / "reader.db", directory=base, env={"READER_EMBED_ORIGINS": origins}).start()
    try:
        for directory in (host_dir, stranger_dir):
            for name, text in _pages(reader.url).items():
                (directory / name).write_text(text)
        yield Sites(reader=reader.url, host=host, stranger=stranger, db=base / "reader.db")
    finally:
        reader.stop()
        for process in (host_process, stranger_process):
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def host_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    try:
        yield context
    finally:
        context.close()


def shadow_style(page: Page, selector: str, prop: str) -> str:
    return str(page.locator(f"reader-article {selector}").first.evaluate(f"e => getComputedStyle(e).{prop}"))


def test_the_component_renders_and_operates_the_seed_article(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.goto(sites.host + "/component.html")
    title = page.locator("reader-article #reader-title")
    expect(title).to_have_text(SEED_TITLE)
    assert page.evaluate("window.readerEvents") == ["reader:load"]
    # The host's hostile stylesheet reaches its own text, and nothing inside the component.
    assert page.eval_on_selector("#host-text", "e => getComputedStyle(e).fontSize") == "10px"
    assert shadow_style(page, ".reader-body p", "fontSize") == "16px"
    assert shadow_style(page, ".reader-body p", "color") != "rgb(119, 119, 119)"
    assert shadow_style(page, "#reader-title", "fontSize") == "32px"
    # The web fonts and their fallbacks are declared in the host document: faces inside a shadow root are not.
    families = page.evaluate("() => [...new Set([...document.fonts].map((face) => face.family))]")
    assert {"reader OpenDyslexic", "reader OpenDyslexic fallback: Noto Sans"} <= set(families), families
    # A+ inside the embed: larger text, announced, focus kept.
    bigger = page.locator("reader-article #reader-bigger")
    bigger.click()
    expect(page.locator("reader-article #reader-status")).to_have_text("Cỡ chữ 112,5\u00a0%")
    assert shadow_style(page, ".reader-body p", "fontSize") == "18px"
    assert bigger.evaluate("e => e.getRootNode().activeElement === e")
    # The reader's choice survives a reload of the host page.
    page.reload()
    expect(page.locator("reader-article #reader-size-now")).to_have_text("Cỡ chữ 112,5\u00a0%")
    assert shadow_style(page, ".reader-body p", "fontSize") == "18px"
    violations = run_axe(page, include="reader-article")
    assert violations == [], describe_violations(violations)


def test_the_component_prints_black_on_white_in_a_dark_theme(host_context: BrowserContext, sites: Sites) -> None:
    # Paper is white whatever the theme: the print palette's rule began with `html`, which a shadow root has no
    # element of, so the component printed its dark theme's light grey text on the paper (about 2.9:1).
    page = host_context.new_page()
    page.emulate_media(color_scheme="dark")  # the automatic theme's dark palette
    page.goto(sites.host + "/component.html")
    expect(page.locator("reader-article #reader-title")).to_have_text(SEED_TITLE)
    assert shadow_style(page, ".reader-body p", "color") != "rgb(0, 0, 0)"  # the screen's dark theme
    page.emulate_media(media="print", color_scheme="dark")
    assert shadow_style(page, ".reader-body p", "color") == "rgb(0, 0, 0)"
    assert shadow_style(page, ".reader", "backgroundColor") == "rgb(255, 255, 255)"


def test_custom_properties_the_page_sets_do_not_reach_the_article(host_context: BrowserContext, sites: Sites) -> None:
    # `reader-article { --reader-gutter: 200px }` gave the article 200 px margins: reader read the property with
    # a fallback and never set it. Every property it reads is set on the wrapper now (tests/test_css.py).
    page = host_context.new_page()
    page.goto(sites.host + "/custom-properties.html")
    expect(page.locator("reader-article #reader-title")).to_have_text(SEED_TITLE)
    page.locator("reader-article #reader-panel-summary").click()  # the font buttons' drawings too
    leaks = page.locator("reader-article").evaluate(
        """(element, [names, value]) => {
          const root = element.shadowRoot;
          const leaks = new Set();
          for (const node of [root.getElementById("reader"), ...root.querySelectorAll("#reader *")]) {
            const style = getComputedStyle(node);
            for (const name of names) {
              if (style.getPropertyValue(name).trim() !== value) continue;
              leaks.add(`${name} on ${node.className || node.localName}`);
            }
          }
          return [...leaks];
        }""",
        [READ_PROPERTIES, HOST_VALUE],
    )
    assert len(READ_PROPERTIES) > 40 and leaks == [], leaks
    assert shadow_style(page, ".reader-main", "paddingLeft") == "16px"
    assert shadow_style(page, "#reader-title", "fontSize") == "32px"


def test_the_page_lays_out_the_component_and_styles_nothing_inside(host_context: BrowserContext, sites: Sites) -> None:
    # The component's :host rules were `all: initial !important; display: block !important`: a shadow root's
    # !important beats the page's, so a page could neither hide the element (hidden, display: none, even with
    # !important: an inactive tab's article was shown, tabbable and read out) nor give it a width, margins, a
    # border or its place in a grid. The element's box is the page's now; what it would pass on inside is not.
    page = host_context.new_page()
    page.goto(sites.host + "/layout.html")
    page.wait_for_function(
        "[...document.querySelectorAll('reader-article')].every((e) => e.shadowRoot?.getElementById('reader-title'))"
    )
    for hidden in ("hidden-attribute", "none-important", "none", "none-inline"):
        element = page.locator(f"#{hidden}")
        assert element.evaluate("e => getComputedStyle(e).display") == "none", hidden
        expect(element.locator("#reader-bigger")).to_be_hidden()
    # Tab goes through the shown components only.
    page.locator("main > h1").evaluate("e => { e.tabIndex = -1; e.focus(); }")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "boxed"

    def box(selector: str) -> dict[str, float]:
        return dict(page.locator(selector).evaluate("e => e.getBoundingClientRect().toJSON()"))

    boxed, main = box("#boxed"), box("main")
    assert (boxed["left"] - main["left"], boxed["width"]) == (100, 306)  # 300 px, and a 3 px border each side
    assert page.locator("#boxed").evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(200, 0, 0)"
    grid, in_grid = box(".grid"), box("#in-grid")
    assert (in_grid["left"] - grid["left"], in_grid["width"]) == (220, grid["width"] - 220)
    assert box("#in-flex")["width"] == 400
    # Inside, none of what the page set on the element (nor its `* {… !important}`) reaches the article.
    for shown in ("boxed", "in-grid", "in-flex"):
        inside = page.locator(f"#{shown} .reader-body p").first.evaluate(
            """p => {
              const style = getComputedStyle(p);
              return [style.fontSize, style.fontFamily.includes("cursive"), style.fontStyle, style.letterSpacing,
                      style.textAlign, style.textTransform, style.color, style.whiteSpace, style.cursor,
                      parseFloat(style.lineHeight) / parseFloat(style.fontSize) < 2];
            }"""
        )
        assert inside[:6] == ["16px", False, "normal", "normal", "start", "none"], (shown, inside)
        assert inside[6] not in ("rgb(200, 0, 0)", "rgb(119, 119, 119)") and inside[7:] == ["normal", "auto", True]
        assert page.locator(f"#{shown} #reader-title").evaluate("e => getComputedStyle(e).fontSize") == "32px"


def test_the_pages_own_font_of_a_web_fonts_name_stays_its_own(host_context: BrowserContext, sites: Sites) -> None:
    # The component declares reader's web fonts in the page's document (faces do not apply from a shadow root):
    # they were named as the fonts are ("Lexend"), and the page's own Lexend gave way to reader's for the page's
    # own text. They go by reader's names now ("reader Lexend"), which no page's font takes.
    page = host_context.new_page()
    page.goto(sites.host + "/own-font.html")
    expect(page.locator("reader-article #reader-title")).to_have_text(SEED_TITLE)
    page.evaluate("document.fonts.ready")
    families = page.evaluate("() => [...document.fonts].map((face) => face.family)")
    assert families.count("Lexend") == 1 and "reader Lexend" in families, families
    page.wait_for_function("document.fonts.status === 'loaded'")
    drawn = {entry["familyName"] for entry in a11y.font_fallback(page, "#host-text")}
    assert drawn == {"DejaVu Serif"}, drawn


def landmarks_not_unique(page: Page) -> list[dict[str, Any]]:
    """axe's landmark-unique on the whole page: a best practice, not a WCAG rule, so run_axe leaves it out."""
    page.evaluate(AXE_PATH.read_text())
    return list(
        page.evaluate(
            """async () => (await axe.run(document, {runOnly: {type: "rule", values: ["landmark-unique"]},
                                                     resultTypes: ["violations"]})).violations"""
        )
    )


def test_each_components_reading_tools_have_a_name_of_their_own(host_context: BrowserContext, sites: Sites) -> None:
    # Two components with English controls both named their toolbar "Reading tools": two landmarks of one name,
    # which a screen reader's list of regions cannot tell apart (axe's landmark-unique). Each is named with its
    # article's title, in the controls' language; reader's own article page (one article) keeps the short name.
    page = host_context.new_page()
    page.goto(sites.host + "/two-en.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    for component in (first, second):
        expect(component.locator("#reader-title")).to_be_visible()
    en_title = str(second.locator("#reader-title").text_content()).strip()
    expect(first.get_by_role("region", name=f"Reading tools: {SEED_TITLE}", exact=True)).to_be_visible()
    expect(second.get_by_role("region", name=f"Reading tools: {en_title}", exact=True)).to_be_visible()
    violations = landmarks_not_unique(page)
    assert violations == [], describe_violations(violations)
    own = host_context.new_page()
    own.goto(f"{sites.reader}/articles/{SEED_SLUG}")
    expect(own.get_by_role("region", name="Công cụ đọc", exact=True)).to_be_visible()
    iframe = host_context.new_page()
    iframe.goto(f"{sites.reader}/embed/{SEED_SLUG}")
    expect(iframe.get_by_role("region", name=f"Công cụ đọc: {SEED_TITLE}", exact=True)).to_be_visible()


def test_the_same_article_twice_has_two_names_for_its_reading_tools(host_context: BrowserContext, sites: Sites) -> None:
    # Both named "Reading tools: <title>" (the server cannot know the page shows the article twice): axe's
    # landmark-unique failed. The second is numbered, in the page's order, also when it arrives first, and
    # keeps its number after a change replaces its region.
    page = host_context.new_page()
    held: list[Route] = []
    page.route(f"{sites.reader}/articles/{SEED_SLUG}/fragment*", lambda route: held.append(route))
    page.goto(sites.host + "/same-twice.html")
    wait_until(page, lambda: len(held) == 2)
    first, again = page.locator("reader-article").first, page.locator("#again")
    (held_first,) = [route for route in held if "size=125" in route.request.url]
    (held_again,) = [route for route in held if route is not held_first]
    held_again.continue_()
    expect(again.locator("#reader-title")).to_be_visible()
    held_first.continue_()
    expect(first.locator("#reader-title")).to_be_visible()
    name = f"Reading tools: {SEED_TITLE}"
    expect(first.get_by_role("region", name=name, exact=True)).to_be_visible()
    expect(again.get_by_role("region", name=f"{name} (2)", exact=True)).to_be_visible()
    violations = landmarks_not_unique(page) + run_axe(page)
    assert violations == [], describe_violations(violations)
    again.locator("#reader-bigger").click()
    expect(again.locator("#reader-size-now")).to_have_text("Text size 150\u00a0%")  # from the first one's 125 %
    expect(again.get_by_role("region", name=f"{name} (2)", exact=True)).to_be_visible()
    expect(first.get_by_role("region", name=name, exact=True)).to_be_visible()


def test_a_lazy_component_loads_its_article_as_it_nears_the_viewport(
    host_context: BrowserContext, sites: Sites
) -> None:
    # loading="lazy", as an iframe's: fetched once the element is within about a screen of the viewport. The
    # default stays eager: the other component, as far down, loads at once.
    page = host_context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/fragment" in request.url else None)
    page.goto(sites.host + "/lazy.html")
    lazy, eager = page.locator("#lazy"), page.locator("#eager")
    expect(eager.locator("#reader-title")).to_have_text(SEED_TITLE)
    # Nor does a change made in another component load it: it sends the settings when it loads.
    eager.locator("#reader-bigger").click()
    expect(eager.locator("#reader-size-now")).to_have_text("Cỡ chữ 112,5\u00a0%")
    page.wait_for_timeout(300)
    assert [url for url in asked if EN_SLUG in url] == []
    expect(lazy.get_by_role("link", name="Read")).to_be_visible()
    # Half a screen below the viewport's end: not in sight yet, but near enough.
    top = lazy.evaluate("e => e.getBoundingClientRect().top + scrollY")
    page.evaluate("y => scrollTo(0, y)", top - 900 * 1.5)
    expect(lazy.locator("#reader-title")).to_be_attached()
    expect(lazy.locator("#reader-size-now")).to_have_text("Text size 112.5\u00a0%")
    assert not lazy.evaluate("e => e.getBoundingClientRect().top < innerHeight")
    assert len([url for url in asked if EN_SLUG in url]) == 1
    assert page.evaluate("window.readerEvents") == ["reader:load", "reader:change", "reader:load"]


def test_the_article_takes_the_focus_its_fallback_link_had(host_context: BrowserContext, sites: Sites) -> None:
    # A keyboard reader on the fallback link when the article arrives (with loading="lazy", tabbing onto the
    # link is what brings it into view and starts the fetch): the focus went to <body>, and the next Tab
    # skipped the whole article. It goes to the reading tools' region, named with the title, without a scroll.
    page = host_context.new_page()
    held: list[Route] = []
    page.route("**/fragment*", lambda route: held.append(route))
    page.goto(sites.host + "/plain.html")
    wait_until(page, lambda: len(held) == 1)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Read the article")).to_be_focused()
    scrolled = page.evaluate("scrollY")
    held[0].continue_()
    component = page.locator("reader-article")
    expect(component.locator("#reader-title")).to_have_text(SEED_TITLE)
    toolbar = component.locator("#reader-toolbar")
    expect(toolbar).to_be_focused()
    assert toolbar.evaluate("e => e.matches(':focus-visible')")
    assert page.evaluate("scrollY") == scrolled
    name = gettext("vi", "Reading tools: %(title)s") % {"title": SEED_TITLE}
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.getAttribute('aria-label')") == name
    page.keyboard.press("Tab")
    expect(component.locator("#reader-bigger")).to_be_focused()
    # The region is focusable only while it has the focus.
    assert toolbar.get_attribute("tabindex") is None


def test_a_reader_that_never_answers_is_given_up_on(host_context: BrowserContext, sites: Sites) -> None:
    # The fragment's request held for good (a hung server): the component waited forever. It now gives up after
    # 20 s (the page's clock, run forward), keeps its link, sends reader:error and says why in the console, once.
    page = host_context.new_page()
    page.clock.install()
    held: list[Route] = []
    page.route("**/fragment*", lambda route: held.append(route))
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(sites.host + "/plain.html")
    wait_until(page, lambda: len(held) == 1)
    page.clock.run_for(19_000)
    assert page.evaluate("window.readerEvents") == []
    page.clock.run_for(2_000)
    page.wait_for_function("() => window.readerEvents.includes('reader:error')", timeout=5000)
    expect(page.get_by_role("link", name="Read the article")).to_be_visible()
    wait_until(page, lambda: len(warnings) == 1)
    assert "within 20 s" in warnings[0] and "link stays" in warnings[0], warnings


def test_the_documented_snippet_never_holds_up_the_page(host_context: BrowserContext, sites: Sites) -> None:
    # A deferred module script (no async) held the page's DOMContentLoaded for as long as reader did not answer.
    page = host_context.new_page()
    held: list[Route] = []
    page.route("**/reader-article.js*", lambda route: held.append(route))
    page.goto(sites.host + "/documented.html", wait_until="commit")
    wait_until(page, lambda: len(held) == 1)
    page.wait_for_function("() => window.ready === true", timeout=5000)
    expect(page.get_by_role("link", name="Đọc bài viết")).to_be_visible()
    held[0].continue_()
    expect(page.locator("reader-article #reader-title")).to_be_attached()


def test_heading_level_puts_the_article_in_the_pages_outline(host_context: BrowserContext, sites: Sites) -> None:
    # Each embedded title was an h1, beside the page's own, and the article's sections ranked with the page's.
    # heading-level="3" under the page's h2: the title an h3, its sections h4, theirs h5; each looks as it did.
    page = host_context.new_page()
    page.goto(sites.host + "/section.html")
    component = page.locator("reader-article")
    title = "Making long articles comfortable to read on any screen"
    expect(component.get_by_role("heading", level=3, name=title)).to_be_visible()
    snapshot = page.locator("main").aria_snapshot()
    for line in (
        'heading "Daily Host News" [level=1]',
        'heading "Today\'s picks" [level=2]',
        f'heading "{title}" [level=3]',
        'heading "What readers can change" [level=4]',
        'heading "Line length" [level=5]',
    ):
        assert line in snapshot, snapshot
    assert "[level=1]" not in snapshot.split("Today's picks", 1)[1]
    section = component.get_by_role("heading", level=4, name="What readers can change")
    # A change brings a new region: its headings are moved too.
    component.locator("#reader-bigger").click()
    expect(component.locator("#reader-status")).to_have_text("Text size 112.5\u00a0%")
    expect(component.get_by_role("heading", level=3, name=title)).to_be_visible()
    expect(component.get_by_role("heading", level=1)).to_have_count(0)
    violations = run_axe(page)
    assert violations == [], describe_violations(violations)
    # Without the attribute (reloaded), the same heading is an h2 of the same size (at this size).
    before = section.evaluate("e => getComputedStyle(e).fontSize")
    component.evaluate("e => e.removeAttribute('heading-level')")
    expect(component.get_by_role("heading", level=1, name=title)).to_be_visible()
    own = component.get_by_role("heading", level=2, name="What readers can change").evaluate(
        "e => getComputedStyle(e).fontSize"
    )
    assert own == before


def test_the_component_sits_beside_a_float(host_context: BrowserContext, sites: Sites) -> None:
    # A plain block ran its (white) background under the page's floated sidebar, whose own text was then drawn
    # on it; beside the float, as an iframe is, nothing of the article is under the sidebar.
    page = host_context.new_page()
    page.goto(sites.host + "/floated.html")
    component = page.locator("reader-article")
    expect(component.locator("#reader-title")).to_have_text(SEED_TITLE)
    sidebar = page.locator("#sidebar").bounding_box()
    box = component.bounding_box()
    assert sidebar and box
    assert box["x"] >= sidebar["x"] + sidebar["width"], (box, sidebar)
    # Still the page's to override.
    page.add_style_tag(content="reader-article { display: inline-block }")
    assert component.evaluate("e => getComputedStyle(e).display") == "inline-block"


def test_the_choice_is_kept_in_a_partitioned_cookie(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.goto(sites.host + "/plain.html")
    page.locator("reader-article #reader-bigger").click()
    expect(page.locator("reader-article #reader-status")).to_have_text("Cỡ chữ 112,5\u00a0%")
    cookies = [c for c in host_context.cookies() if c["name"] == "reader_prefs"]
    assert len(cookies) == 1 and cookies[0]["value"] == "1|s:112.5"
    assert cookies[0]["sameSite"] == "None" and cookies[0]["secure"]
    # A new tab on the same host site gets the same settings (the cookie, not this tab's storage).
    other = host_context.new_page()
    other.goto(sites.host + "/plain.html")
    expect(other.locator("reader-article #reader-size-now")).to_have_text("Cỡ chữ 112,5\u00a0%")
    # reader's own site does not see the host site's partition.
    mine = host_context.new_page()
    mine.goto(f"{sites.reader}/articles/{SEED_SLUG}")
    expect(mine.locator("#reader-size-now")).to_have_text("Cỡ chữ 100\u00a0%")


def prefs_cookies(context: BrowserContext) -> list[tuple[str, bool]]:
    """The reader's preference cookies in the browser: (value, partitioned), sorted."""
    cookies = context.cookies()
    return sorted((c["value"], c.get("partitionKey") is not None) for c in cookies if c["name"] == "reader_prefs")


def own_page_size(page: Page, reader: str) -> str:
    page.goto(f"{reader}/articles/{SEED_SLUG}")
    return str(page.locator("#reader").get_attribute("data-size"))


@pytest.mark.parametrize("first", ["reader", "component"])
def test_a_host_page_of_readers_own_site_shares_its_cookie(
    host_context: BrowserContext, sites: Sites, first: str
) -> None:
    # A page of reader's own site (www.news.example for reader.news.example) sends the component's requests
    # with reader's ordinary SameSite=Lax cookie. It was given a partitioned one too: the browser then sent both
    # to reader's pages, reader read one of them, and Reset deleted only the other (the exploratory tester's
    # steps, both ways round).
    page = host_context.new_page()
    component = page.locator("reader-article")

    def press_in_component(control: str, times: int) -> None:
        page.goto(sites.same_site + "/plain.html")
        expect(component.locator("#reader-title")).to_have_text(SEED_TITLE)
        for _ in range(times):
            shown = component.locator("#reader").get_attribute("data-size")
            component.locator(f"#{control}").click()
            expect(component.locator("#reader")).not_to_have_attribute("data-size", str(shown))

    def press_on_own_page(control: str, times: int) -> None:
        page.goto(f"{sites.reader}/articles/{SEED_SLUG}")
        for _ in range(times):
            shown = page.locator("#reader").get_attribute("data-size")
            page.locator(f"#{control}").click()
            expect(page.locator("#reader")).not_to_have_attribute("data-size", str(shown))

    if first == "reader":
        press_on_own_page("reader-bigger", 1)
        press_in_component("reader-bigger", 2)
        assert prefs_cookies(host_context) == [("1|s:150", False)]
        assert own_page_size(page, sites.reader) == "150"
        press_on_own_page("reader-smaller", 3)
        assert own_page_size(page, sites.reader) == "100"
        # Back to 100 %: nothing of the reader's is left, so nothing brings 150 % back.
        assert prefs_cookies(host_context) == []
    else:
        press_in_component("reader-bigger", 1)
        press_on_own_page("reader-bigger", 2)
        press_in_component("reader-smaller", 2)
        page.evaluate("sessionStorage.clear()")  # the cookie alone, not this tab's copy of the settings
        page.reload()
        expect(component.locator("#reader")).to_have_attribute("data-size", "112.5")
        assert own_page_size(page, sites.reader) == "112.5"
        assert prefs_cookies(host_context) == [("1|s:112.5", False)]
        page.locator("#reader-panel-summary").click()
        page.locator("#reader-reset").click()
        expect(page.locator("#reader")).to_have_attribute("data-size", "100")
        assert prefs_cookies(host_context) == []
        assert own_page_size(page, sites.reader) == "100"


def test_an_iframe_keeps_the_readers_choice_where_its_site_allows(host_context: BrowserContext, sites: Sites) -> None:
    # The frame's requests come from reader's own origin wherever it is framed, so reader cannot tell a page of
    # its own site from another site's: it sets both cookies, and the browser keeps the one the frame may have.
    page = host_context.new_page()
    frame = page.frame_locator("#frame")
    page.goto(sites.host + "/iframe.html")
    frame.locator("#reader-bigger").click()
    expect(frame.locator("#reader")).to_have_attribute("data-size", "112.5")
    assert prefs_cookies(host_context) == [("1|s:112.5", True)]  # another site's: only the partitioned one
    assert own_page_size(page, sites.reader) == "100"
    page.goto(sites.same_site + "/iframe.html")
    frame.locator("#reader-bigger").click()
    expect(frame.locator("#reader")).to_have_attribute("data-size", "112.5")
    # On reader's own site both are kept, with one value; a change on reader's own page leaves one cookie.
    assert prefs_cookies(host_context) == [("1|s:112.5", False), ("1|s:112.5", True), ("1|s:112.5", True)]
    page.goto(f"{sites.reader}/articles/{SEED_SLUG}")
    page.locator("#reader-smaller").click()
    expect(page.locator("#reader")).to_have_attribute("data-size", "100")
    assert prefs_cookies(host_context) == [("1|s:112.5", True)]  # the other site's partition only
    page.goto(sites.same_site + "/iframe.html")
    expect(frame.locator("#reader")).to_have_attribute("data-size", "100")


@pytest.mark.parametrize("control", ["reader-smaller", "reader-reset"])
def test_a_reader_left_with_both_cookies_has_one_after_the_next_change(
    host_context: BrowserContext, sites: Sites, control: str
) -> None:
    # What reader left before it knew better: the ordinary cookie and a partitioned one in reader's own site's
    # partition (a same-site component wrote it), with different values. The browser sends both; the next change
    # on reader's site (or Reset) must leave one, or none. (_crHasCrossSiteAncestor: Chromium's partition key
    # holds whether the cookie was set below a frame of another site; a same-site component's was not.)
    host = sites.reader.split("//", 1)[1].split(":", 1)[0]
    ordinary = {"name": "reader_prefs", "value": "1|s:112.5", "domain": host, "path": "/", "httpOnly": True}
    partitioned = {**ordinary, "value": "1|s:150", "secure": True, "sameSite": "None",
                   "partitionKey": f"http://{host}", "_crHasCrossSiteAncestor": False}  # fmt: skip
    host_context.add_cookies([ordinary, partitioned])  # type: ignore[list-item]
    assert prefs_cookies(host_context) == [("1|s:112.5", False), ("1|s:150", True)]
    page = host_context.new_page()
    shown = float(own_page_size(page, sites.reader))
    if control == "reader-reset":
        page.locator("#reader-panel-summary").click()
    page.locator(f"#{control}").click()
    expect(page.locator("#reader")).not_to_have_attribute("data-size", f"{shown:g}")
    size = page.locator("#reader").get_attribute("data-size")
    expected = [] if size == "100" else [(f"1|s:{size}", False)]  # reader's own default: no cookie at all
    assert prefs_cookies(host_context) == expected
    assert own_page_size(page, sites.reader) == (size or "")


@pytest.mark.parametrize("page_name", ["trusted.html", "trusted-refused.html"])
def test_a_host_page_that_enforces_trusted_types(host_context: BrowserContext, sites: Sites, page_name: str) -> None:
    # With require-trusted-types-for 'script', a string assigned to innerHTML is refused: the article never
    # appeared. It goes through the component's policy now; a page that does not allow the policy's name keeps
    # the article's link, and the console says what to add.
    page = host_context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{sites.host}/{page_name}")
    if page_name == "trusted.html":
        expect(page.locator("reader-article #reader-title")).to_have_text(SEED_TITLE)
        page.locator("reader-article #reader-bigger").click()
        expect(page.locator("reader-article #reader-status")).to_have_text("Cỡ chữ 112,5\u00a0%")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.readerEvents") == ["reader:load", "reader:change"]
        assert (page.evaluate("window.violations"), errors) == ([], [])
        return
    page.wait_for_function("() => window.readerEvents.length > 0")
    assert page.evaluate("window.readerEvents") == ["reader:error"]
    expect(page.get_by_role("link", name="Read the article")).to_be_visible()
    expect(page.locator("reader-article #reader-title")).to_have_count(0)
    assert any("trusted-types reader-article" in error for error in errors), errors


def test_the_panel_works_inside_the_component(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.goto(sites.host + "/component.html")
    page.locator("reader-article #reader-panel-summary").click()
    page.locator("reader-article #reader-theme-dark").click()
    expect(page.locator("reader-article #reader-status")).to_have_text("Giao diện Tối")
    assert shadow_style(page, "#reader", "backgroundColor") == "rgb(18, 18, 18)"
    page.locator("reader-article #reader-line-height").select_option("2")
    expect(page.locator("reader-article #reader-status")).to_have_text("Giãn dòng 2")
    expect(page.locator("reader-article #reader-panel")).to_have_attribute("open", "")


def test_a_site_not_on_the_allowlist_gets_nothing(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(sites.stranger + "/plain.html")
    page.wait_for_function("() => window.readerEvents.length > 0")
    assert page.evaluate("window.readerEvents") == ["reader:error"]
    expect(page.get_by_role("link", name="Read the article")).to_be_visible()
    expect(page.locator("reader-article #reader-title")).to_have_count(0)
    # The browser's own CORS error says nothing of what to do: the component says it, once.
    assert [w for w in warnings if "<reader-article>" in w] == [
        f"<reader-article>: could not load {sites.reader}/articles/{SEED_SLUG}/fragment. If reader's "
        f"READER_EMBED_ORIGINS does not list this page's origin, {sites.stranger}, the browser blocks the answer "
        "(CORS): ask reader's operator to add it."
    ]


def test_a_sandboxed_page_is_told_why_the_allowlist_cannot_help(host_context: BrowserContext, sites: Sites) -> None:
    # In a sandboxed frame the page's origin is opaque, sent as "null": the hint named it as the origin to add
    # to READER_EMBED_ORIGINS, which no allowlist can hold. It says what to do instead. (The host's own
    # origin is on the list: only the sandbox keeps the answer out.)
    page = host_context.new_page()
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(sites.host + "/sandboxed.html")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("link", name="Read the article")).to_be_visible()
    page.frames[1].wait_for_function("() => window.readerEvents.length > 0")
    assert page.frames[1].evaluate("[window.origin, window.readerEvents]") == ["null", ["reader:error"]]
    assert [w for w in warnings if "<reader-article>" in w] == [
        f"<reader-article>: could not load {sites.reader}/articles/{SEED_SLUG}/fragment. This page is in a "
        "sandboxed frame: its origin is opaque (sent as null), which READER_EMBED_ORIGINS cannot list. Add "
        "allow-same-origin to the frame's sandbox attribute, so that the page keeps its own origin, and ask "
        "reader's operator to add that origin."
    ]


def test_a_site_not_on_the_allowlist_is_told_once_for_all_its_components(
    host_context: BrowserContext, sites: Sites
) -> None:
    page = host_context.new_page()
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(sites.stranger + "/two.html")
    page.wait_for_function("() => window.readerEvents.length > 1")
    assert page.evaluate("window.readerEvents") == ["reader:error", "reader:error"]
    assert len([w for w in warnings if "READER_EMBED_ORIGINS" in w]) == 1, warnings


def test_without_javascript_the_link_remains(browser: Browser, sites: Sites) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(sites.host + "/component.html")
        link = page.get_by_role("link", name="Read the article")
        expect(link).to_be_visible()
        assert link.get_attribute("href") == f"{sites.reader}/articles/{SEED_SLUG}"
    finally:
        context.close()


def test_the_iframe_reports_its_height_and_keeps_the_readers_choice(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.goto(sites.host + "/iframe.html")
    frame = page.frame_locator("#frame")
    expect(frame.locator("#reader-title")).to_have_text(SEED_TITLE)
    page.wait_for_function("() => window.heights.some(h => h[0] === 'wordpress')")
    heights = dict(page.evaluate("window.heights"))
    assert heights["wordpress"] == heights["reader"] and heights["reader"] > 1000
    first = heights["reader"]
    frame.locator("#reader-bigger").click()
    expect(frame.locator("#reader-status")).to_have_text("Cỡ chữ 112,5\u00a0%")
    page.wait_for_function(f"() => window.heights.some(h => h[0] === 'reader' && h[1] > {first})")
    page.reload()
    expect(page.frame_locator("#frame").locator("#reader-size-now")).to_have_text("Cỡ chữ 112,5\u00a0%")
    violations = run_axe(page, include="#frame")
    assert violations == [], describe_violations(violations)


def test_an_iframe_out_of_sight_reports_its_height(host_context: BrowserContext, sites: Sites) -> None:
    # Chromium runs neither requestAnimationFrame nor ResizeObserver in another origin's frame outside the
    # viewport: the height, sent from them only, came when the frame was scrolled to, and the page jumped then.
    page = host_context.new_page()
    page.goto(sites.host + "/iframe-below.html")
    page.wait_for_function("() => window.heights.some(h => h[0] === 'reader' && h[1] > 1000)", timeout=5000)
    assert page.eval_on_selector("#frame", "e => e.getBoundingClientRect().top > innerHeight")
    assert page.eval_on_selector("#frame", "e => e.height") == "1000"


def test_a_wordpress_sandboxed_iframe_still_reads_well(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    page.goto(sites.host + "/wordpress.html")
    frame = page.frame_locator("#frame")
    expect(frame.locator("#reader-title")).to_have_text(SEED_TITLE)
    expect(frame.locator(".reader-body p").first).to_be_visible()
    page.wait_for_function("() => window.heights.some(h => h[0] === 'wordpress')")
    # Clamped to WordPress's 200-1000 px, the frame is as tall as it may be.
    assert page.eval_on_selector("#frame", "e => e.height") == "1000"
    # Controls that could not keep or send a setting in an opaque origin are not offered; the read-aloud
    # settings, which apply on the page, are the panel's only content (test_read_aloud.py).
    expect(frame.locator("#reader-bigger")).to_be_hidden()
    frame.locator("#reader-panel-summary").click()
    expect(frame.locator("#reader-apply")).to_be_hidden()
    expect(frame.locator("#reader-share-link")).to_be_hidden()
    expect(frame.locator("#reader-guide")).to_be_visible()
    # htmx loads (its integrity checked over CORS: the browser refused it with a console error in every such
    # frame), and sends nothing: a setting that applies on the page is made there only.
    inner = next(f for f in page.frames if f.url.startswith(sites.reader))
    inner.wait_for_load_state("load")
    assert inner.evaluate("typeof htmx") == "object"
    frame.locator("#reader-guide").select_option("3")
    expect(frame.locator(".reader-guide-band")).to_be_attached()
    page.wait_for_timeout(200)
    assert posted == [] and errors == []


@pytest.mark.parametrize("how", ["iframe", "component"])
def test_a_cross_origin_isolated_host_page_embeds_the_article(
    host_context: BrowserContext, sites: Sites, how: str
) -> None:
    # A page that needs SharedArrayBuffer is cross-origin isolated: everything it loads must allow that (CORP,
    # CORS), and what it frames must be isolated too (COEP), or Chromium shows an error page in the frame.
    page = host_context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
    page.goto(f"{sites.host}/{how}.isolated.html")
    assert page.evaluate("crossOriginIsolated")
    if how == "iframe":
        scope: Page | FrameLocator = page.frame_locator("#frame")
        expect(scope.locator("#reader-title")).to_have_text(SEED_TITLE)
    else:
        scope = page
        expect(page.locator("reader-article #reader-title")).to_have_text(SEED_TITLE)
    prefix = "" if how == "iframe" else "reader-article "
    scope.locator(prefix + "#reader-bigger").click()
    expect(scope.locator(prefix + "#reader-status")).to_have_text("Cỡ chữ 112,5\u00a0%")
    page.wait_for_load_state("networkidle")
    assert failed == []


def test_refused_colours_without_javascript_are_explained_inside_the_frame(browser: Browser, sites: Sites) -> None:
    # The form's answer takes the embed's place in the frame: it must be framable there (a redirect said
    # nothing), with the message beside the pickers and the colours entered still in them.
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(sites.host + "/iframe.html")
        frame = page.frame_locator("#frame")
        frame.locator("#reader-panel-summary").click()
        frame.locator("#reader-text-color").fill("#777777")
        frame.locator("#reader-background-color").fill("#ffffff")
        frame.locator("#reader-colors-apply").click()
        expect(frame.locator("#reader-colors-refused")).to_have_text(re.compile("^Chưa áp dụng màu: độ tương phản"))
        assert frame.locator("#reader-text-color").get_attribute("aria-invalid") == "true"
        assert frame.locator("#reader-text-color").input_value() == "#777777"
        expect(frame.locator("#reader-title")).to_have_text(SEED_TITLE)
        assert frame.locator("#reader-masthead").count() == 0
    finally:
        context.close()


# Response headers a forwarded answer must not repeat: httpx has already decoded the body.
_HOP_HEADERS = {"set-cookie", "content-encoding", "content-length", "transfer-encoding", "connection"}


def without_cookies(context: BrowserContext, reader: str) -> None:
    """Safari's default inside another site: no cookie goes to reader, and none it sets is kept. Each request
    is forwarded by hand (Playwright's request headers leave cookies out) and answered without Set-Cookie."""

    def forward(route: Route) -> None:
        request = route.request
        with httpx.Client() as client:
            answer = client.request(
                request.method, request.url, headers=request.headers, content=request.post_data_buffer
            )
        headers = {name: value for name, value in answer.headers.items() if name.lower() not in _HOP_HEADERS}
        route.fulfill(status=answer.status_code, headers=headers, body=answer.content)

    context.route(f"{reader}/**", forward)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_the_iframe_steps_the_size_without_cookies(browser: Browser, sites: Sites, javascript: bool) -> None:
    context = browser.new_context(locale="vi-VN", java_script_enabled=javascript)
    try:
        without_cookies(context, sites.reader)
        page = context.new_page()
        page.goto(sites.host + "/iframe.html")
        frame = page.frame_locator("#frame")
        for expected in ("112,5", "125", "150"):
            frame.locator("#reader-bigger").click()
            expect(frame.locator("#reader-size-now")).to_have_text(f"Cỡ chữ {expected}\u00a0%")
        assert frame.locator("#reader").get_attribute("data-size") == "150"
        assert [c for c in context.cookies() if c["name"] == "reader_prefs"] == []
    finally:
        context.close()


# Every text the component's status region is given (tests/browser/conftest.py's LISTEN, in the shadow).
LISTEN_IN_COMPONENT = """() => {
  window.__said = [];
  const status = document.querySelector('reader-article').shadowRoot.getElementById('reader-status');
  new MutationObserver(() => window.__said.push(status.textContent))
    .observe(status, {childList: true, characterData: true, subtree: true});
}"""


def component_with_slow_answers(host_context: BrowserContext, sites: Sites) -> tuple[Page, Locator]:
    """The plain host page's component, loaded, its answers then 1.5 s late, what it says recorded; its A+."""
    page = host_context.new_page()
    page.goto(sites.host + "/plain.html")
    bigger = page.locator("reader-article #reader-bigger")
    expect(bigger).to_be_visible()
    page.wait_for_load_state("networkidle")
    # Slower than the page tests' 400 ms: three key presses through the test's connection to the browser took
    # longer than that on a loaded machine (the full suite), and a press made after the first answer is a new
    # change, rightly said on its own.
    slow_down(page, 1500)
    page.evaluate(LISTEN_IN_COMPONENT)
    return page, bigger


@pytest.mark.parametrize("cookies", [True, False])
def test_every_quick_press_in_the_component_counts(host_context: BrowserContext, sites: Sites, cookies: bool) -> None:
    """A+ pressed three times while the first change is on its way (held until all three are made): three steps,
    not one; the second and third go as one request once the first answer is in, and only its answer is said.
    Without cookies too, where the settings travel in the component's requests."""
    if not cookies:
        without_cookies(host_context, sites.reader)
    page, bigger = component_with_slow_answers(host_context, sites)
    # The first change is held until the three presses are made: without cookies every request is forwarded
    # by the test (below), where the network's emulated lateness does not reach, and under load its answer
    # came between two presses.
    held: list[Route] = []
    page.route(
        f"{sites.reader}/preferences",
        lambda route: held.append(route) if route.request.method == "POST" and not held else route.fallback(),
    )
    bigger.focus()
    for _ in range(3):
        page.keyboard.press("Enter")
    wait_until(page, lambda: bool(held))
    held[0].fallback()
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", "150", timeout=15_000)
    page.wait_for_timeout(4000)  # and nothing more comes
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", "150")
    expect(page.locator("reader-article #reader-size-now")).to_have_text("Cỡ chữ 150\u00a0%")
    assert [text.rstrip("\u00a0") for text in page.evaluate("window.__said") if text.strip()] == ["Cỡ chữ 150\u00a0%"]
    assert bigger.evaluate("e => e.getRootNode().activeElement === e")
    kept = [c["value"] for c in host_context.cookies() if c["name"] == "reader_prefs"]
    assert kept == (["1|s:150"] if cookies else [])


def said_in_component(page: Page) -> list[str]:
    return [text.rstrip("\u00a0") for text in page.evaluate("window.__said") if text.strip()]


# The component's changes answered with their headers, then cut: the body fails as a link lost mid-way fails it
# (the real answer was whole, so its cookie is stored; its headers as a script may read them).
CUT_CHANGES = """() => {
  const fetched = window.fetch;
  window.fetch = async (input, init) => {
    const answer = await fetched(input, init);
    if (init?.method !== "POST" || window.__whole) return answer;
    const body = new ReadableStream({ start: (controller) => controller.error(new TypeError("network error")) });
    return new Response(body, { status: answer.status, headers: answer.headers });
  };
}"""


def test_a_change_whose_answer_is_cut_after_its_headers_is_said_saved_and_shown_in_the_component(
    host_context: BrowserContext, sites: Sites
) -> None:
    """The answer's headers in (its cookie stored, its Reader-Prefs read), then its body cut: the component said
    "could not be changed, try again", beside the article as it was, and A+ pressed again made two steps. Now it
    says the setting was saved, loads the article again to show it, and the next A+ is one step from there."""
    page = host_context.new_page()
    page.goto(sites.host + "/plain.html")
    component = page.locator("reader-article")
    bigger, region = component.locator("#reader-bigger"), component.locator("#reader")
    expect(bigger).to_be_visible()
    page.evaluate(LISTEN_IN_COMPONENT)
    page.evaluate(CUT_CHANGES)
    bigger.click()
    expect(region).to_have_attribute("data-size", "112.5")
    assert said_in_component(page) == ["Đã lưu cài đặt; hãy tải lại nếu trang chưa hiện thay đổi."]
    assert page.evaluate("window.readerEvents.includes('reader:error')") is False
    page.evaluate("window.__whole = true")
    component.locator("#reader-bigger").click()
    expect(region).to_have_attribute("data-size", "125")


def hold_the_components_changes(page: Page, sites: Sites, count: int) -> tuple[list[str], list[Route]]:
    """Every change the component posts from now on (its body), and the first `count` of them held."""
    posted: list[str] = []
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        posted.append(route.request.post_data or "")
        if len(held) < count:
            held.append(route)
        else:
            route.fallback()

    page.route(f"{sites.reader}/preferences", hold)
    return posted, held


# The component's changes answered so far (a resource entry is made once its answer is in).
CHANGES_ANSWERED = """() => performance.getEntriesByType("resource").filter(
  (entry) => entry.initiatorType === "fetch" && new URL(entry.name).pathname === "/preferences").length"""


def all_answered(page: Page, posted: list[str]) -> None:
    """Wait until every change the component sent has its answer in (after the one expected last): a press
    wrongly sent again with it is then answered, and said, before the test looks (no fixed wait)."""
    wait_until(page, lambda: page.evaluate(CHANGES_ANSWERED) == len(posted))


def sizes_sent(posted: list[str]) -> list[str]:
    """What each change asked for: the select's size, or A+ with its steps."""
    asked = []
    for body in posted:
        fields = dict(field.split("=", 1) for field in body.split("&") if "=" in field)
        action = fields.get("action")
        asked.append(f"{action}×{fields.get('steps', '1')}" if action in ("bigger", "smaller") else fields["size"])
    return asked


@pytest.mark.parametrize(
    ("keys", "sent", "size", "announced"),
    [
        # The select's last value (100 → 112.5, 125, 150), asked for once after the first.
        (["ArrowDown"] * 3, ["112.5", "150"], "150", ["Cỡ chữ 150\u00a0%"]),
        # A+ twice after them: two steps from where the select got to, each control's change said once.
        # The focus stays on A+, where the reader is (it went back to the select when the first answer came).
        (
            ["ArrowDown"] * 3 + ["A+"] * 2,
            ["112.5", "150", "bigger×2"],
            "200",
            ["Cỡ chữ 150\u00a0%", "Cỡ chữ 200\u00a0%"],
        ),
    ],
)
def test_a_burst_on_the_components_size_select_ends_on_its_last_value(
    host_context: BrowserContext, sites: Sites, keys: list[str], sent: list[str], size: str, announced: list[str]
) -> None:
    """ArrowDown pressed three times on the component's "Cỡ chữ" select while the first change is on its way
    (held until every press is made): the select's presses wait, and go as one request with the value chosen
    last, sent on the region the first answer brought; the first answer is not said (stale), the last is, with
    the size reached. Never "Không có thay đổi" (the page's own queue once sent a value twice and said that:
    tests/browser/test_quick_presses.py)."""
    page, bigger = component_with_slow_answers(host_context, sites)
    page.locator("reader-article #reader-panel-summary").click()
    posted, held = hold_the_components_changes(page, sites, 1)
    select = page.locator("reader-article #reader-size")
    select.focus()
    for key in keys:
        if key == "A+":
            bigger.focus()
            key = "Enter"
        page.keyboard.press(key)
    wait_until(page, lambda: bool(held))
    held[0].fallback()
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", size, timeout=15_000)
    all_answered(page, posted)  # and nothing more comes
    assert sizes_sent(posted) == sent
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", size)
    expect(page.locator("reader-article #reader-size-now")).to_have_text(f"Cỡ chữ {size.replace('.', ',')}\u00a0%")
    assert said_in_component(page) == announced
    assert [c["value"] for c in host_context.cookies() if c["name"] == "reader_prefs"] == [f"1|s:{size}"]
    expect(select).to_have_value(size)
    focused = bigger if keys[-1] == "A+" else select
    assert focused.evaluate("e => e.getRootNode().activeElement === e")


def test_a_press_on_the_select_the_first_answer_brought_goes_after_the_waiting_one(
    host_context: BrowserContext, sites: Sites
) -> None:
    """The component's form of the page's race (settings-presses.js, loaded late, let the first answer be swapped
    in before the waiting presses went): the first answer comes and the waiting presses go at once, in the same
    task (no module to wait for), so a press can land on the new select only while their request is on its way.
    It steps from the value they asked for (150, which the new select shows), waits for their answer, and goes
    after it: 175, said once."""
    page, _ = component_with_slow_answers(host_context, sites)
    page.locator("reader-article #reader-panel-summary").click()
    posted, held = hold_the_components_changes(page, sites, 2)
    select = page.locator("reader-article #reader-size")
    select.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    wait_until(page, lambda: bool(held))
    page.evaluate("window.__old = document.querySelector('reader-article').shadowRoot.getElementById('reader')")
    held[0].fallback()
    wait_until(page, lambda: len(held) == 2)
    # The first answer is in, and the waiting presses' request (150) was sent from the new select.
    assert page.evaluate("document.querySelector('reader-article').shadowRoot.getElementById('reader') != window.__old")
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", "112.5")
    assert select.evaluate("e => e.getRootNode().activeElement === e")
    expect(select).to_have_value("150")
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("175")
    held[1].fallback()
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", "175", timeout=15_000)
    all_answered(page, posted)  # and nothing more comes
    assert sizes_sent(posted) == ["112.5", "150", "175"]
    expect(select).to_have_value("175")
    expect(page.locator("reader-article #reader-size-now")).to_have_text("Cỡ chữ 175\u00a0%")
    assert said_in_component(page) == ["Cỡ chữ 175\u00a0%"]
    assert [c["value"] for c in host_context.cookies() if c["name"] == "reader_prefs"] == ["1|s:175"]
    assert select.evaluate("e => e.getRootNode().activeElement === e")


def test_a_reader_who_left_the_article_before_the_answer_is_not_brought_back(
    host_context: BrowserContext, sites: Sites
) -> None:
    """A+, then on to the host page's own field before the answer comes: the answer is shown and said, and the
    focus stays in the field (it went back to A+, the control whose change was sent, taking the reader's
    typing with it)."""
    page, bigger = component_with_slow_answers(host_context, sites)
    page.evaluate(
        "() => document.querySelector('main').append(Object.assign(document.createElement('input'), {id: 'search'}))"
    )
    _, held = hold_the_components_changes(page, sites, 1)
    bigger.focus()
    page.keyboard.press("Enter")
    wait_until(page, lambda: bool(held))
    page.locator("#search").focus()
    held[0].fallback()
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", "112.5", timeout=15_000)
    expect(page.locator("reader-article #reader-status")).to_have_text("Cỡ chữ 112,5\u00a0%")
    expect(page.locator("#search")).to_be_focused()


def test_a_reader_on_a_link_in_the_article_when_the_answer_comes_is_given_back_the_pressed_control(
    host_context: BrowserContext, sites: Sites
) -> None:
    """A+, then on to a link in the article's body (no id: the new region replaces it) before the answer comes:
    the focus goes back to A+, the control the change was sent from, not to the host page's <body> (where the
    next Tab would start from the top of the host page)."""
    page, bigger = component_with_slow_answers(host_context, sites)
    _, held = hold_the_components_changes(page, sites, 1)
    bigger.focus()
    page.keyboard.press("Enter")
    wait_until(page, lambda: bool(held))
    # The seed article has no link: one is put in its first paragraph, as the sanitizer leaves one (no id).
    on_link = page.evaluate(
        """() => {
            const root = document.querySelector('reader-article').shadowRoot;
            const paragraph = [...root.getElementById('reader').querySelectorAll('p')]
              .find((p) => !p.closest('#reader-toolbar'));
            const link = paragraph.appendChild(
              Object.assign(document.createElement('a'), {href: '#x', textContent: 'x'}));
            link.focus();
            return root.activeElement === link;
        }"""
    )
    assert on_link
    held[0].fallback()
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", "112.5", timeout=15_000)
    expect(page.locator("reader-article #reader-status")).to_have_text("Cỡ chữ 112,5\u00a0%")
    expect(bigger).to_be_focused()


UNSENT_VI = "Không gửi được cài đặt của bạn nên chưa có gì thay đổi. Vui lòng thử lại."


def test_a_press_the_browser_will_not_submit_is_said_to_be_lost(host_context: BrowserContext, sites: Sites) -> None:
    """The component sends a select's change by submitting its form by script (requestSubmit); where the
    browser will not (no requestSubmit: Safari before 16; or fields it refuses), nothing is sent: the status
    region says so, in the controls' language, and reader:error is dispatched. It used to say nothing."""
    page = host_context.new_page()
    page.goto(sites.host + "/component.html")
    page.locator("reader-article #reader-panel-summary").click()
    page.evaluate("() => { delete HTMLFormElement.prototype.requestSubmit; }")
    page.evaluate(
        "() => document.addEventListener('reader:error', () => (window.__errors = (window.__errors || 0) + 1))"
    )
    page.locator("reader-article #reader-line-height").select_option("2")
    expect(page.locator("reader-article #reader-status")).to_have_text(UNSENT_VI)
    assert page.evaluate("window.__errors") == 1
    expect(page.locator("reader-article #reader")).to_have_attribute("data-lh", "1.6")  # nothing changed


def test_a_press_made_by_script_while_a_change_is_on_its_way_is_not_lost_without_a_word(
    host_context: BrowserContext, sites: Sites
) -> None:
    """A form submitted by script (requestSubmit() without a submitter) while a change is on its way: its press
    falls back to the focused control (#submit), and when that is none of the form's, it cannot be made again
    on the new region. It is dropped; the reader is told, then the answer of the change on its way is said."""
    page, bigger = component_with_slow_answers(host_context, sites)
    # The change is held until the second press is made: a fixed order, whatever the machine's load.
    held: list[Route] = []
    page.route(
        f"{sites.reader}/preferences",
        lambda route: held.append(route) if route.request.method == "POST" and not held else route.fallback(),
    )
    bigger.focus()
    page.keyboard.press("Enter")
    page.evaluate(
        "() => document.querySelector('reader-article').shadowRoot.querySelector('.reader-panel-form').requestSubmit()"
    )
    wait_until(page, lambda: bool(held))
    held[0].fallback()
    expect(page.locator("reader-article #reader")).to_have_attribute("data-size", "112.5", timeout=15_000)
    said = [text.rstrip("\u00a0") for text in page.evaluate("window.__said") if text.strip()]
    assert said == [UNSENT_VI, "Cỡ chữ 112,5\u00a0%"], said


def test_components_on_a_page_share_one_state_without_cookies(host_context: BrowserContext, sites: Sites) -> None:
    without_cookies(host_context, sites.reader)
    page = host_context.new_page()
    page.goto(sites.host + "/two.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(second.locator("#reader-title")).to_be_visible()
    first.locator("#reader-panel-summary").click()
    first.locator("#reader-theme-dark").click()
    expect(first.locator("#reader-status")).to_have_text("Giao diện Tối")
    first.locator("#reader-font-serif").click()
    expect(first.locator("#reader")).to_have_attribute("data-font", "serif")
    # The other component shows the change at once …
    expect(second.locator("#reader")).to_have_attribute("data-theme", "dark")
    # … and a change made there keeps the theme and font chosen in the first.
    second.locator("#reader-bigger").click()
    expect(second.locator("#reader-status")).to_have_text("Text size 112.5\u00a0%")
    for component in (first, second):
        region = component.locator("#reader")
        expect(region).to_have_attribute("data-size", "112.5")
        expect(region).to_have_attribute("data-theme", "dark")
        expect(region).to_have_attribute("data-font", "serif")
    assert [c for c in host_context.cookies() if c["name"] == "reader_prefs"] == []


def test_a_press_on_a_component_still_following_another_s_change_is_not_undone_by_it(
    host_context: BrowserContext, sites: Sites
) -> None:
    """The second component's load that follows the first one's change is held until a press made on it
    meanwhile has been answered: that load, older than the answer, must not replace its region and message
    (under a loaded machine it came last, and the second showed its old size and an empty status)."""
    without_cookies(host_context, sites.reader)
    page = host_context.new_page()
    page.goto(sites.host + "/two.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(second.locator("#reader-title")).to_be_visible()
    following: list[Route] = []
    page.route("**/fragment*", lambda route: following.append(route))
    first.locator("#reader-panel-summary").click()
    first.locator("#reader-theme-dark").click()
    wait_until(page, lambda: bool(following))
    second.locator("#reader-bigger").click()
    expect(second.locator("#reader-status")).to_have_text("Text size 112.5\u00a0%")
    with page.expect_event("requestfinished"):
        following[0].continue_()
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 100)))")
    region = second.locator("#reader")
    expect(region).to_have_attribute("data-size", "112.5")
    expect(region).to_have_attribute("data-theme", "dark")
    expect(second.locator("#reader-status")).to_have_text("Text size 112.5\u00a0%")


def test_a_failed_press_on_a_component_still_following_another_s_change_still_shows_that_change(
    host_context: BrowserContext, sites: Sites
) -> None:
    """As above, but the press fails: the load it overtook is made again, so the second component shows the
    first one's change (the failure said), not the settings from before it."""
    without_cookies(host_context, sites.reader)
    page = host_context.new_page()
    page.on("console", lambda message: None)  # the browser's own line about the failed request
    page.goto(sites.host + "/two.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(second.locator("#reader-title")).to_be_visible()
    following: list[Route] = []
    page.route("**/fragment*", lambda route: route.fallback() if following else following.append(route))
    cors = {"access-control-allow-origin": sites.host, "access-control-allow-credentials": "true"}
    first.locator("#reader-panel-summary").click()
    first.locator("#reader-theme-dark").click()
    wait_until(page, lambda: bool(following))
    page.route(f"{sites.reader}/preferences", lambda route: route.fulfill(status=500, headers=cors, body="no"))
    second.locator("#reader-bigger").click()
    expect(second.locator("#reader-status")).to_have_text("Your setting could not be changed. Please try again.")
    following[0].continue_()
    region = second.locator("#reader")
    expect(region).to_have_attribute("data-theme", "dark")
    expect(region).to_have_attribute("data-size", "100")


def test_a_press_after_one_that_overtook_a_load_fails_without_loading_the_article_again(
    host_context: BrowserContext, sites: Sites
) -> None:
    """A press that overtook the load following another component's change, answered, left that load counted as
    overtaken until it came: a later press that failed loaded the article again for nothing, and when that load
    failed too, said the other change was "kept, but not shown here", which was false (the answer showed it)."""
    without_cookies(host_context, sites.reader)
    page = host_context.new_page()
    page.on("console", lambda message: None)  # the browser's own lines about the failed requests
    page.goto(sites.host + "/two.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(second.locator("#reader-title")).to_be_visible()
    # The second's loads (its article's fragment): the one that follows the first's change held, any after it lost.
    following: list[Route] = []
    page.route(
        f"**/articles/{EN_SLUG}/fragment*", lambda route: route.abort() if following else following.append(route)
    )
    first.locator("#reader-panel-summary").click()
    first.locator("#reader-theme-dark").click()
    wait_until(page, lambda: bool(following))
    status = second.locator("#reader-status")
    second.locator("#reader-bigger").click()
    expect(status).to_have_text("Text size 112.5\u00a0%")
    cors = {"access-control-allow-origin": sites.host, "access-control-allow-credentials": "true"}
    page.route(f"{sites.reader}/preferences", lambda route: route.fulfill(status=500, headers=cors, body="no"))
    second.locator("#reader-bigger").click()
    failed = "Your setting could not be changed. Please try again."
    expect(status).to_have_text(failed)
    page.wait_for_timeout(1000)  # and nothing more comes: no load, no "kept, but not shown here"
    expect(status).to_have_text(failed)
    expect(second.locator("#reader")).to_have_attribute("data-theme", "dark")


def test_components_on_a_page_follow_a_change_with_cookies(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.goto(sites.host + "/two.html")
    second = page.locator("#second")
    expect(second.locator("#reader-title")).to_be_visible()
    page.locator("reader-article").first.locator("#reader-bigger").click()
    expect(second.locator("#reader-size-now")).to_have_text("Text size 112.5\u00a0%")
    assert [c["value"] for c in host_context.cookies() if c["name"] == "reader_prefs"] == ["1|s:112.5"]


def test_a_component_that_follows_a_change_keeps_the_focus_inside_it(
    host_context: BrowserContext, sites: Sites
) -> None:
    # The focus on a control of a component that reloads to follow another's change (a press made by script
    # there, as a page's own "larger text" button would): it stays on the same control, not on <body>.
    page = host_context.new_page()
    page.goto(sites.host + "/two.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(second.locator("#reader-title")).to_be_visible()
    second.locator("#reader-smaller").focus()
    first.locator("#reader-bigger").evaluate("e => e.form.requestSubmit(e)")
    expect(second.locator("#reader-size-now")).to_have_text("Text size 112.5\u00a0%")
    expect(second.locator("#reader-smaller")).to_be_focused()


FAILED_VI = "Không thay đổi được cài đặt. Vui lòng thử lại."


def test_a_failed_change_is_announced(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.on("console", lambda message: None)  # the browser's own line about the failed request
    page.goto(sites.host + "/two.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(second.locator("#reader-title")).to_be_visible()
    cors = {"access-control-allow-origin": sites.host, "access-control-allow-credentials": "true"}
    failing = f"{sites.reader}/preferences"
    page.route(failing, lambda route: route.fulfill(status=500, headers=cors, body="no"))
    first.locator("#reader-bigger").click()
    expect(first.locator("#reader-status")).to_have_text(FAILED_VI)
    expect(first.locator("#reader-size-now")).to_have_text("Cỡ chữ 100\u00a0%")
    # In the article's language, and again when the same failure happens twice.
    page.unroute(failing)
    page.route(failing, lambda route: route.abort())
    errors = "(count) => window.readerEvents.filter(e => e === 'reader:error').length === count"
    failed = "Your setting could not be changed. Please try again."
    status = second.locator("#reader-status")
    second.locator("#reader-bigger").click()
    page.wait_for_function(errors, arg=2)
    assert status.evaluate("e => e.textContent") == failed
    # The region's text changes (a no-break space added) so that the same message is announced again. Waited
    # for by its error event: to_have_text trims that space, so it would pass before the second failure came.
    second.locator("#reader-bigger").click()
    page.wait_for_function(errors, arg=3)
    assert status.evaluate("e => e.textContent") == failed + "\u00a0"


STALE_EN = "Your setting was kept, but this article could not be updated to show it. Reload the page to see it."
STALE_VI = (
    "Cài đặt của bạn vẫn được giữ, nhưng chưa cập nhật được bài viết này theo cài đặt đó. "
    "Vui lòng tải lại trang để xem."
)


def test_a_change_with_no_answer_says_so_and_is_given_up_on(host_context: BrowserContext, sites: Sites) -> None:
    # A press while reader is stalled said nothing for as long as it lasted, then every press made meanwhile
    # landed at once. Now: "still waiting" after 4 s, "could not be changed" after 15 s (the page's clock, run
    # forward), the presses made meanwhile dropped with it; the size as it was.
    page = host_context.new_page()
    page.clock.install()
    page.goto(sites.host + "/plain.html")
    component = page.locator("reader-article")
    bigger, status = component.locator("#reader-bigger"), component.locator("#reader-status")
    expect(bigger).to_be_visible()
    held: list[Route] = []
    page.route("**/preferences", lambda route: held.append(route))
    presses_to_a_stalled_server(page, bigger, status, held, "vi")
    expect(status).to_have_text(gettext("vi", "Your setting could not be changed. Please try again."))
    assert "reader:error" in page.evaluate("window.readerEvents")
    page.unroute("**/preferences")
    page.clock.run_for(2_000)
    assert len(held) == 1
    expect(component.locator("#reader-size-now")).to_have_text("Cỡ chữ 100\u00a0%")
    # A press after it goes as any other.
    bigger.click()
    expect(component.locator("#reader-size-now")).to_have_text("Cỡ chữ 112,5\u00a0%")


@pytest.mark.parametrize("failure", ["network", "503"])
def test_a_component_that_cannot_follow_a_change_keeps_its_article(
    host_context: BrowserContext, sites: Sites, failure: str
) -> None:
    # A change in one component reloads the other; when that load fails, the article being read stays (rather
    # than giving way to the fallback link), and the reader is told, in that article's language, that their
    # setting was kept but is not shown there yet. It said "Your setting could not be changed. Please try
    # again.": false, the change was made, and trying it again would have taken the size a step further.
    page = host_context.new_page()
    page.on("console", lambda message: None)
    page.goto(sites.host + "/two.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(first.locator("#reader-title")).to_be_visible()
    expect(second.locator("#reader-title")).to_be_visible()
    # The network failing for the English article's reload, reader answering 503 for the Vietnamese one's.
    changed, follows, slug = (first, second, EN_SLUG) if failure == "network" else (second, first, SEED_SLUG)
    cors = {"access-control-allow-origin": sites.host, "access-control-allow-credentials": "true"}
    page.route(
        f"{sites.reader}/articles/{slug}/fragment*",
        lambda route: route.abort() if failure == "network" else route.fulfill(status=503, headers=cors, body="busy"),
    )
    page.evaluate("() => document.addEventListener('reader:error', (e) => (window.failure = String(e.detail.error)))")
    changed.locator("#reader-bigger").click()
    expect(changed.locator("#reader")).to_have_attribute("data-size", "112.5")
    expect(follows.locator("#reader-status")).to_have_text(STALE_EN if failure == "network" else STALE_VI)
    assert ("reader answered 503" in page.evaluate("window.failure")) == (failure == "503")
    expect(follows.locator("#reader-title")).to_be_visible()
    expect(follows.locator("#reader")).to_have_attribute("data-size", "100")
    # It was kept: reloaded, the page shows it in both.
    page.unroute(f"{sites.reader}/articles/{slug}/fragment*")
    page.reload()
    expect(page.locator("#second #reader")).to_have_attribute("data-size", "112.5")
    expect(page.locator("reader-article").first.locator("#reader")).to_have_attribute("data-size", "112.5")


def test_several_components_that_cannot_follow_a_change_say_so_once(host_context: BrowserContext, sites: Sites) -> None:
    # Two English components fail to follow a change made in the Vietnamese one: the reader hears "kept, but
    # not shown" once, not once from each region at the same moment.
    page = host_context.new_page()
    page.on("console", lambda message: None)
    page.goto(sites.host + "/three.html")
    changed, others = page.locator("reader-article").first, [page.locator("#second"), page.locator("#third")]
    for component in (changed, *others):
        expect(component.locator("#reader-title")).to_be_visible()
    page.route(f"{sites.reader}/articles/{EN_SLUG}/fragment*", lambda route: route.abort())
    page.evaluate("() => { window.errors = 0; document.addEventListener('reader:error', () => (window.errors += 1)); }")
    changed.locator("#reader-bigger").click()
    expect(changed.locator("#reader")).to_have_attribute("data-size", "112.5")
    page.wait_for_function("() => window.errors === 2")  # both tried, and failed
    said = [other.locator("#reader-status").evaluate("e => e.textContent") for other in others]
    assert sorted(said) == ["", STALE_EN], said
    for other in others:
        expect(other.locator("#reader-title")).to_be_visible()


def test_a_change_after_the_article_was_deleted_is_kept_and_the_link_takes_its_place(
    host_context: BrowserContext, sites: Sites
) -> None:
    # The component's article is deleted while a reader reads it; their next change still applies (it is
    # not the article's), to the other component too, and the gone article gives way to its link, which
    # takes the focus the pressed button had.
    token = {"authorization": f"Bearer {create_token(sites.db, 'deletes')}"}
    article = {"lang": "en", "title": "Soon gone", "summary": "A lead.", "body_html": "<p>Text to be deleted.</p>"}
    assert httpx.put(f"{sites.reader}/api/articles/soon-gone", json=article, headers=token).status_code == 201
    host_page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="{sites.reader}/static/reader-article.js"></script></head><body><main>
<reader-article src="{sites.reader}/articles/soon-gone/fragment"><a id="gone-link"
 href="{sites.reader}/articles/soon-gone">Soon gone</a></reader-article>
<reader-article id="second" src="{sites.reader}/articles/{EN_SLUG}/fragment"><a href="#">Read</a></reader-article>
</main></body></html>"""
    (sites.db.parent / "host" / "gone.html").write_text(host_page)  # served by the host's own server
    page = host_context.new_page()
    page.on("console", lambda message: None)  # the browser's own line about the 404 of the fragment
    page.goto(sites.host + "/gone.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(first.locator("#reader-title")).to_have_text("Soon gone")
    expect(second.locator("#reader-title")).to_be_visible()
    assert httpx.delete(f"{sites.reader}/api/articles/soon-gone", headers=token).status_code == 204
    first.locator("#reader-bigger").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#gone-link")).to_be_visible()
    expect(page.locator("#gone-link")).to_be_focused()
    # … and the reader is told why, in the page's language, above the link.
    gone = first.locator("#reader-gone")
    expect(gone).to_have_text(
        "This article has been removed, so it can no longer be shown here. Your setting was kept."
    )
    expect(gone).to_have_attribute("role", "status")
    expect(second.locator("#reader-size-now")).to_have_text("Text size 112.5\u00a0%")
    assert [c["value"] for c in host_context.cookies() if c["name"] == "reader_prefs"] == ["1|s:112.5"]


def test_a_component_that_finds_its_article_deleted_gives_way_to_its_link(
    host_context: BrowserContext, sites: Sites
) -> None:
    # Two components show one article, which is deleted; a change in the first (kept, its link focused) reloads
    # the second, which gets a 404: it gives way to its link too, says why in its own language, and leaves the
    # focus where it is. It said "Không thay đổi được cài đặt…" (your setting could not be changed: false, it
    # was kept) and went on showing the deleted article at the old size.
    token = {"authorization": f"Bearer {create_token(sites.db, 'deletes-shared')}"}
    article = {"lang": "en", "title": "Shown twice", "summary": "A lead.", "body_html": "<p>Text to be deleted.</p>"}
    assert httpx.put(f"{sites.reader}/api/articles/shown-twice", json=article, headers=token).status_code == 201
    fragment = f"{sites.reader}/articles/shown-twice/fragment"
    host_page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="{sites.reader}/static/reader-article.js"></script></head><body><main>
<reader-article src="{fragment}" lang="en"><a id="first-link" href="#">Shown twice</a></reader-article>
<reader-article id="second" src="{fragment}" lang="vi"><a id="second-link" href="#">Hai lần</a></reader-article>
</main></body></html>"""
    (sites.db.parent / "host" / "gone-twice.html").write_text(host_page)
    page = host_context.new_page()
    page.on("console", lambda message: None)  # the browser's own lines about the 404s
    page.goto(sites.host + "/gone-twice.html")
    first, second = page.locator("reader-article").first, page.locator("#second")
    expect(first.locator("#reader-title")).to_have_text("Shown twice")
    expect(second.locator("#reader-title")).to_have_text("Shown twice")
    assert httpx.delete(f"{sites.reader}/api/articles/shown-twice", headers=token).status_code == 204
    first.locator("#reader-bigger").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#first-link")).to_be_focused()
    expect(second.locator("#reader-gone")).to_have_text(
        "Bài viết này đã bị gỡ nên không thể hiển thị ở đây nữa. Cài đặt của bạn vẫn được giữ."
    )
    expect(page.locator("#second-link")).to_be_visible()
    expect(second.locator("#reader-title")).to_have_count(0)
    expect(second.locator("#reader-status")).to_have_count(0)
    expect(page.locator("#first-link")).to_be_focused()


def test_a_component_whose_article_is_gone_shows_why_by_its_link(host_context: BrowserContext, sites: Sites) -> None:
    # The article was gone before the component loaded: its link stays, and reader's 404 explanation (in the
    # controls' language) is shown above it, as text; it was discarded.
    host_page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="{sites.reader}/static/reader-article.js"></script></head><body><main>
<reader-article src="{sites.reader}/articles/never-was-here/fragment"><a id="never-link"
 href="{sites.reader}/articles/never-was-here">Never was here</a></reader-article>
</main></body></html>"""
    (sites.db.parent / "host" / "never.html").write_text(host_page)
    page = host_context.new_page()
    page.on("console", lambda message: None)  # the browser's own line about the 404 of the fragment
    page.goto(sites.host + "/never.html")
    why = page.locator("reader-article #reader-gone")
    explanation = gettext("vi", "There is no page at this address. The article may have moved or been removed.")
    expect(why).to_have_text(explanation)
    expect(why).to_have_attribute("lang", "vi")
    expect(why).not_to_have_attribute("role", "status")  # said on loading, not a change: read in its place
    expect(page.locator("#never-link")).to_be_visible()
    assert why.evaluate("p => p.compareDocumentPosition(p.getRootNode().querySelector('slot')) & 4") == 4


def test_a_pressed_control_keeps_its_place_while_a_component_above_it_grows(
    host_context: BrowserContext, sites: Sites
) -> None:
    # A+ in the lower of two components reloads the upper one at the new size, ~390 px taller each time. With
    # the upper one's end on the screen the browser anchors its scroll there, in what the reload replaces: the
    # pressed button went 428 → 818 → 1176 px down the 900 px screen. It stays put now, as it does below a
    # block of fixed height (428 → 431 → 433); and once the upper component is above the screen (the browser's
    # own anchoring works then) the page is not moved twice.
    page = host_context.new_page()
    page.goto(sites.host + "/two.html")
    upper, lower = page.locator("reader-article").first, page.locator("#second")
    expect(upper.locator("#reader-title")).to_be_visible()
    expect(lower.locator("#reader-title")).to_be_visible()
    page.evaluate("() => document.body.append(Object.assign(document.createElement('div'), {style: 'height: 4000px'}))")
    bigger = lower.locator("#reader-bigger")
    top = "e => e.getBoundingClientRect().top"
    page.evaluate(f"() => scrollBy(0, {bigger.evaluate(top)} - 428)")
    assert upper.evaluate("e => e.getBoundingClientRect().bottom") > 0  # the upper one's end is on the screen
    bigger.focus()
    for size in ("112.5", "125", "150"):
        before = bigger.evaluate(top)
        page.keyboard.press("Enter")
        expect(upper.locator("#reader")).to_have_attribute("data-size", size)
        expect(lower.locator("#reader")).to_have_attribute("data-size", size)
        expect(bigger).to_be_focused()
        # What moves it at all is the lower component's own line above the button, its text grown a step.
        assert abs(bigger.evaluate(top) - before) < 8, (size, before, bigger.evaluate(top))
    page.evaluate(f"() => scrollBy(0, {lower.evaluate(top)} + 5)")
    before = bigger.evaluate(top)
    assert before > 0 and upper.evaluate("e => e.getBoundingClientRect().bottom") < 0
    page.keyboard.press("Enter")
    expect(upper.locator("#reader")).to_have_attribute("data-size", "175")
    assert abs(bigger.evaluate(top) - before) < 8, (before, bigger.evaluate(top))


@pytest.mark.parametrize("grows", [False, True], ids=["box", "box-and-window"])
def test_a_pressed_control_keeps_its_place_in_a_scrolling_box_of_the_page(
    host_context: BrowserContext, sites: Sites, grows: bool
) -> None:
    # The test above with both components in a box of the host page's own that scrolls (overflow: auto). Only
    # the window was scrolled: in a box 600 px high the page went 358 px up, the box with it, and the pressed
    # button kept its place on the screen but out of the box's view (its top 388 px down, the box's bottom at
    # 328); the next press took it to the top of the screen. Now the box is scrolled, and the window only for
    # what the box cannot take: a box that grows up to a max-height takes the first step partly in height and
    # partly in scroll, and the window scrolls for the rest (89 px). Scrolled by the window alone, its button was
    # below the box's view by the second press (545 px down, the box's bottom at 435); by the box alone, it went
    # 92 px down. (The reading tools shown after the place was kept moved it 62 px up: the browser's anchoring
    # made up for them in the box and in the window both.)
    lower_slug = EN_SLUG
    if grows:
        token = {"authorization": f"Bearer {create_token(sites.db, 'short')}"}
        short = {"lang": "en", "title": "Short", "summary": "A lead.", "body_html": "<p>One paragraph.</p>"}
        assert httpx.put(f"{sites.reader}/api/articles/short", json=short, headers=token).status_code == 201
        lower_slug = "short"
    host_page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="{sites.reader}/static/reader-article.js"></script></head><body><main>
<h1>Host news site</h1><div id="box" style="height: 600px; overflow: auto">
<reader-article src="{sites.reader}/articles/{SEED_SLUG}/fragment"><a href="#">A</a></reader-article>
<reader-article id="second" src="{sites.reader}/articles/{lower_slug}/fragment" lang="en"><a href="#">B</a>
</reader-article><div class="more" style="height: 3000px"></div></div><div class="more" style="height: 3000px"></div>
</main></body></html>"""
    (sites.db.parent / "host" / "scrolled.html").write_text(host_page)
    page = host_context.new_page()
    page.goto(sites.host + "/scrolled.html")
    upper, lower, box = page.locator("reader-article").first, page.locator("#second"), page.locator("#box")
    expect(upper.locator("#reader-title")).to_be_visible()
    expect(lower.locator("#reader-title")).to_be_visible()
    bigger = lower.locator("#reader-bigger")
    top = "e => e.getBoundingClientRect().top"
    if grows:
        # The box as high as what it holds, up to 200 px more, and nothing below it: the short article's button
        # on the screen at the end of the page.
        page.evaluate("() => document.querySelectorAll('.more').forEach((e) => e.remove())")
        box.evaluate("e => Object.assign(e.style, {height: 'auto', maxHeight: `${e.scrollHeight + 200}px`})")
        page.evaluate("() => scrollTo(0, document.documentElement.scrollHeight)")
    else:
        box.evaluate(f"e => e.scrollBy(0, {bigger.evaluate(top)} - {box.evaluate(top)} - 300)")
    assert 0 < bigger.evaluate(top) < 900 - 100
    assert upper.evaluate("e => e.getBoundingClientRect().bottom") > max(box.evaluate(top), 0)
    scrolled = "() => [scrollY, document.getElementById('box').scrollTop]"
    start = page.evaluate(scrolled)
    bigger.focus()
    for size in ("112.5", "125", "150"):
        before = bigger.evaluate(top)
        page.keyboard.press("Enter")
        expect(upper.locator("#reader")).to_have_attribute("data-size", size)
        expect(lower.locator("#reader")).to_have_attribute("data-size", size)
        expect(bigger).to_be_focused()
        assert abs(bigger.evaluate(top) - before) < 8, (size, before, bigger.evaluate(top))
        # In the box's view, not only at its place on the screen.
        assert box.evaluate(top) <= bigger.evaluate(top) < box.evaluate("e => e.getBoundingClientRect().bottom")
    window_moved, box_moved = (now != then for now, then in zip(page.evaluate(scrolled), start, strict=True))
    assert box_moved and window_moved == grows
    if not grows:
        # With the upper component above the box's view, the browser's own anchoring in the box works: the box
        # is not moved twice.
        box.evaluate(f"e => e.scrollBy(0, {lower.evaluate(top)} - {box.evaluate(top)} + 5)")
        before = bigger.evaluate(top)
        assert upper.evaluate("e => e.getBoundingClientRect().bottom") < box.evaluate(top) < before
        page.keyboard.press("Enter")
        expect(upper.locator("#reader")).to_have_attribute("data-size", "175")
        assert abs(bigger.evaluate(top) - before) < 8, (before, bigger.evaluate(top))


def test_a_bigger_press_makes_no_text_on_the_page_smaller(browser: Browser, sites: Sites) -> None:
    # One component with the page's size="200", one without. A+ in the second took the reader's size to
    # 112.5 % for both: the first one's text went from 32 to 18 px. The first A+ now steps from the largest
    # size on the page; A− steps from the component pressed; and the size chosen is every component's, also
    # when it is reader's own 100 % (left out of the cookie, the first would have gone back to its 200 %).
    host_page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="{sites.reader}/static/reader-article.js"></script></head><body><main>
<reader-article id="large" size="200" src="{sites.reader}/articles/{SEED_SLUG}/fragment" lang="en"><a href="#">A</a>
</reader-article>
<reader-article id="plain" src="{sites.reader}/articles/{EN_SLUG}/fragment" lang="en"><a href="#">B</a></reader-article>
</main></body></html>"""
    (sites.db.parent / "host" / "sizes.html").write_text(host_page)

    def sizes(page: Page) -> list[str | None]:
        return [page.locator(f"#{name} #reader").get_attribute("data-size") for name in ("large", "plain")]

    def title_px(page: Page) -> float:
        return float(page.locator("#large #reader-title").evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))

    def press(page: Page, name: str, button: str, expected: str) -> None:
        page.locator(f"#{name} #reader-{button}").click()
        expect(page.locator("#large #reader")).to_have_attribute("data-size", expected)
        expect(page.locator("#plain #reader")).to_have_attribute("data-size", expected)

    for pressed, button, expected in (("plain", "bigger", "250"), ("large", "smaller", "175")):
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.goto(sites.host + "/sizes.html")
            expect(page.locator("#plain #reader-title")).to_be_visible()
            assert sizes(page) == ["200", "100"]
            before = title_px(page)
            press(page, pressed, button, expected)
            assert (title_px(page) > before) == (button == "bigger")
            if button == "smaller":
                # Down to reader's own 100 % from the component without a size of its own: both at 100 %.
                for smaller in ("150", "125", "112.5", "100"):
                    press(page, "plain", "smaller", smaller)
                page.reload()
                expect(page.locator("#large #reader")).to_have_attribute("data-size", "100")
        finally:
            context.close()


def test_a_failed_change_in_the_iframe_is_announced(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.on("console", lambda message: None)
    page.route(f"{sites.reader}/preferences", lambda route: route.fulfill(status=500, body="no"))
    page.goto(sites.host + "/iframe.html")
    frame = page.frame_locator("#frame")
    frame.locator("#reader-bigger").click()
    expect(frame.locator("#reader-status")).to_have_text(FAILED_VI)
    expect(frame.locator("#reader-size-now")).to_have_text("Cỡ chữ 100\u00a0%")


def test_a_change_in_the_iframe_with_no_answer_says_so(host_context: BrowserContext, sites: Sites) -> None:
    # As in the component: htmx waited for good, saying nothing. "Still waiting" after 4 s, then after 15 s
    # "could not be changed" (the clock run forward), the size as it was.
    page = host_context.new_page()
    page.clock.install()
    page.goto(sites.host + "/iframe.html")
    frame = page.frame_locator("#frame")
    status = frame.locator("#reader-status")
    expect(frame.locator("#reader-bigger")).to_be_visible()
    held: list[Route] = []
    page.route(f"{sites.reader}/preferences", lambda route: held.append(route))
    presses_to_a_stalled_server(page, frame.locator("#reader-bigger"), status, held, "vi", presses=1)
    expect(status).to_have_text(FAILED_VI)
    expect(frame.locator("#reader-size-now")).to_have_text("Cỡ chữ 100\u00a0%")


def test_a_change_in_the_iframe_given_up_on_says_too_that_the_one_before_it_was_saved(
    host_context: BrowserContext, sites: Sites
) -> None:
    """As on reader's own pages: A+ pressed twice, the first on its way; its answer (112.5 %) is held for the
    press waiting after it, which stalls and is given up at 15 s. Both are said, in one announcement (the frame
    said the failure alone: "could not be changed", while the size had changed). The failure is also shown
    under the form (the region is visually hidden: a sighted reader in the frame saw nothing), and the frame
    grows by it."""
    page = host_context.new_page()
    page.clock.install()
    page.goto(sites.host + "/iframe.html")
    frame = page.frame_locator("#frame")
    status = frame.locator("#reader-status")
    bigger = frame.locator("#reader-bigger")
    expect(bigger).to_be_visible()
    held: list[Route] = []
    page.route(f"{sites.reader}/preferences", lambda route: held.append(route))
    saved_then_stalled(page, bigger, frame.locator("#reader"), status, held)
    expect(status).to_have_text(f"Cỡ chữ 112,5\u00a0% {FAILED_VI}")
    assert status.evaluate("e => e.textContent") == f"Cỡ chữ 112,5\u00a0% {FAILED_VI}"  # said once
    expect(frame.locator("#reader-size-now")).to_have_text("Cỡ chữ 112,5\u00a0%")
    expect(frame.locator(".reader-request-failed")).to_have_text(FAILED_VI)
    line = frame.locator(".reader-request-failed").evaluate("(e) => e.getBoundingClientRect().bottom")
    # The frame's height follows (reader-embed.js reports it): the line is within the frame as the host sized it.
    wait_until(page, lambda: page.locator("#frame").evaluate("(f) => f.getBoundingClientRect().height") >= line)


def test_links_leave_the_iframe_for_the_top_window(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.route(
        "https://www.w3.org/**", lambda route: route.fulfill(body="<title>W3C</title>", content_type="text/html")
    )
    page.goto(sites.host + "/links.html")
    frame = page.frame_locator("#frame")
    frame.locator(".reader-body a[href^='https://www.w3.org/']").first.click()
    page.wait_for_url("https://www.w3.org/**")
    # The title leads to the full article.
    page.goto(sites.host + "/links.html")
    frame.locator("#reader-title-link").click()
    page.wait_for_url(f"{sites.reader}/articles/{EN_SLUG}")
    expect(page.locator("#reader-title")).to_be_visible()
    # The settings page, which may not be framed, opens outside too.
    page.goto(sites.host + "/links.html")
    frame.locator("#reader-panel-summary").click()
    frame.locator("#reader-share-link").click()
    page.wait_for_url(f"{sites.reader}/preferences?settings=**")
    expect(page.locator("h1")).to_be_visible()


def test_a_missing_article_says_so_inside_the_frame(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    page.on("console", lambda message: None)  # the 404 itself
    page.goto(sites.host + "/missing.html")
    frame = page.frame_locator("#frame")
    expect(frame.locator("h1")).to_have_text("Không tìm thấy trang")
    expect(frame.get_by_role("link", name="Đến danh sách bài viết")).to_be_visible()
    page.wait_for_function("() => window.heights.some(h => h[0] === 'reader')")
    violations = run_axe(page, include="#frame")
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("page_name", ["slash.html", "slash.isolated.html"])
def test_a_slash_added_to_an_embeds_address_still_shows_the_article(
    host_context: BrowserContext, sites: Sites, page_name: str
) -> None:
    # The 307 to /embed/<slug> had no Cross-Origin-Resource-Policy (no route takes the address it answers): a
    # cross-origin isolated page (COEP require-corp) showed an error in its frame instead of following it.
    # Chromium does not read the redirect's X-Frame-Options (DENY then), only the frame's final answer's.
    page = host_context.new_page()
    redirects: list[int] = []
    page.on("response", lambda response: redirects.append(response.status) if "/embed/" in response.url else None)
    page.goto(f"{sites.host}/{page_name}")
    expect(page.frame_locator("#frame").locator("#reader-title")).to_have_text(SEED_TITLE)
    assert redirects[:2] == [307, 200]


def test_a_sandboxed_iframe_asks_the_host_to_follow_a_link(host_context: BrowserContext, sites: Sites) -> None:
    # The sandbox (allow-scripts only) forbids navigating the top window: the frame asks WordPress instead.
    page = host_context.new_page()
    page.goto(sites.host + "/wordpress.html")
    frame = page.frame_locator("#frame")
    frame.locator("#reader-title-link").click()
    page.wait_for_function("() => (window.links || []).length > 0")
    assert page.evaluate("window.links") == [f"{sites.reader}/articles/{SEED_SLUG}"]
    assert page.url == sites.host + "/wordpress.html"


def test_the_documented_htmx_recipe_works(host_context: BrowserContext, sites: Sites) -> None:
    page = host_context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(sites.host + "/htmx.html")
    expect(page.locator("#reader-title")).to_have_text(SEED_TITLE)
    # A+ goes to reader (not to the host's own /preferences), and the region comes back bigger.
    page.locator("#reader-bigger").click()
    expect(page.locator("#reader-size-now")).to_have_text("Cỡ chữ 112,5\u00a0%")
    # Links and images in the fragment lead to and load from reader.
    settings_link = page.locator("a[href*='/preferences']").first
    assert settings_link.evaluate("a => a.href").startswith(sites.reader + "/preferences")
    assert failed == [], failed


def test_an_embed_of_an_old_address_shows_the_article(host_context: BrowserContext, sites: Sites) -> None:
    """A component and an iframe embedded before the article was renamed: the fragment's redirect is followed
    by the component's cross-site fetch (its CORS grant on the redirect too), the embed's by the frame."""
    renamed = "text-size-what-200-and-400-leave"
    title = httpx.get(f"{sites.reader}/api/articles/{TABLE_SLUG}").json()["title"]
    token = create_token(sites.db, "renames")
    moved = httpx.post(
        f"{sites.reader}/api/articles/{TABLE_SLUG}/rename",
        json={"slug": renamed},
        headers={"authorization": f"Bearer {token}"},
    )
    assert moved.status_code == 200
    page = host_context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    redirects: list[tuple[int, str]] = []
    page.on("response", lambda response: redirects.append((response.status, response.url)))
    page.goto(sites.host + "/renamed.html")
    expect(page.locator("reader-article #reader-title")).to_have_text(title)
    expect(page.frame_locator("#frame").locator("#reader-title")).to_have_text(title)
    assert page.evaluate("window.readerEvents") == ["reader:load"] and failed == []
    assert (301, f"{sites.reader}/articles/{TABLE_SLUG}/fragment") in redirects
    assert (301, f"{sites.reader}/embed/{TABLE_SLUG}") in redirects
    # The component works on at the new address: A+ posts to reader and the article comes back bigger.
    page.locator("reader-article #reader-bigger").click()
    expect(page.locator("reader-article #reader-size-now")).to_contain_text("112.5")


def test_the_docked_read_aloud_buttons_work_by_click_inside_the_component(browser: Browser, sites: Sites) -> None:
    """As test_reading_tools.py's test_the_docked_buttons_work_by_click_and_by_keyboard, in <reader-article>:
    the component narrow (its toolbar stacks Previous, Next and Stop under Read aloud), Read aloud's place
    just above the top of the screen, so the bar docks with the pressed button's place on the screen. Each
    button pressed in the bar acts. STUB: a voice that starts and never ends."""
    host_dir = sites.db.parent / "host"
    narrow = (host_dir / "component.html").read_text()
    narrow = narrow.replace("</head>", "<style>reader-article { display: block; width: 200px; }</style></head>")
    (host_dir / "narrow.html").write_text(narrow)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    try:
        context.add_init_script(STUB_SPEECH)
        page = context.new_page()
        page.goto(sites.host + "/narrow.html")
        expect(page.locator("reader-article #reader-speak")).to_be_visible()
        page.evaluate("() => { window.__engine = 'stalls'; }")
        page.evaluate("() => window.__voicesArrive([{name: 'Stub', lang: 'vi-VN', localService: true}])")
        shadow = "document.querySelector('reader-article').shadowRoot"
        top = page.evaluate(f"{shadow}.getElementById('reader-speak').getBoundingClientRect().top + scrollY")
        stop = page.evaluate(f"{shadow}.getElementById('reader-speak-stop').getBoundingClientRect().bottom + scrollY")
        assert 0 < stop - top < 700, (top, stop)
        tools = page.locator("reader-article #reader-tools")
        reading = page.locator("reader-article .reader-speaking").first
        page.locator("reader-article #reader-speak").click()
        expect(tools).to_have_attribute("data-state", "playing")
        expect(reading).to_be_attached()
        # The host page's text below the component, so that the page can scroll Read aloud off its top.
        page.evaluate("() => { document.body.style.paddingBottom = '3000px'; }")

        def press_docked(id_: str) -> None:
            page.evaluate(f"() => {shadow}.activeElement?.blur()")
            page.evaluate(f"() => scrollTo(0, {top + 2})")
            page.evaluate(SCROLL_SETTLED)
            expect(tools).to_have_attribute("data-docked", re.compile(r"^\d+$"))
            x, y = page.evaluate(
                f"(id) => {{ const b = {shadow}.getElementById(id).getBoundingClientRect();"
                " return [b.left + b.width / 2, b.top + b.height / 2]; }",
                id_,
            )
            page.mouse.click(x, y)
            assert page.evaluate(f"() => {shadow}.activeElement?.id") == id_

        press_each_docked_button(press_docked, reading, tools)
    finally:
        context.close()
