"""Embeds on another site when their article is renamed or deleted under a change, and the embedding protocols
around them (docs/embedding.md): the htmx route, the iframe, WordPress's frame. Their own reader server and host
pages (tests/browser/test_embedding.py's `sites`), as these tests rename and delete articles."""

from __future__ import annotations

import httpx
from playwright.sync_api import BrowserContext, expect

from tests.browser.test_embedding import Sites, host_context, sites  # noqa: F401 (fixtures)
from tests.conftest import EN_SLUG, SEED_SLUG, SEED_TITLE
from tests.serverproc import create_token

GONE = "This article has been removed, so it can no longer be shown here. Your setting was kept."
MOVED = "This article has moved to a new address; it is shown here from there."


def _article(on: Sites, slug: str, title: str) -> dict[str, str]:
    """A new English article at `slug`, and the API's authorization for renaming or deleting it."""
    token = {"authorization": f"Bearer {create_token(on.db, 'moves-' + slug)}"}
    article = {"lang": "en", "title": title, "summary": "A lead.", "body_html": "<p>Text to be moved.</p>"}
    assert httpx.put(f"{on.reader}/api/articles/{slug}", json=article, headers=token).status_code == 201
    return token


def _htmx_page(on: Sites, name: str, *slugs: str) -> None:
    """A host page with docs/embedding.md's htmx recipe and a fragment for each of `slugs`."""
    fragments = "".join(
        f'<div data-hx-get="{on.reader}/articles/{slug}/fragment?lang=en" data-hx-trigger="load" '
        f'data-hx-swap="outerHTML"><a href="{on.reader}/articles/{slug}">Read</a></div>\n'
        for slug in slugs
    )
    (on.db.parent / "host" / name).write_text(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An htmx host</title>
<script src="{on.reader}/static/vendor/htmx-2.0.11.min.js"></script>
<script src="reader-htmx.js"></script></head>
<body><main><h1>Host news site</h1>
{fragments}</main></body></html>"""
    )


def test_htmx_a_change_on_a_renamed_or_deleted_article_never_navigates_the_host_page(
    host_context: BrowserContext,  # noqa: F811
    sites: Sites,  # noqa: F811
) -> None:
    # reader answered HX-Redirect: /articles/<old>, which htmx resolved against the host page: the host's own 404.
    token = _article(sites, "htmx-soon-moved", "Soon moved")
    _htmx_page(sites, "htmx-moves.html", "htmx-soon-moved")
    page = host_context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(sites.host + "/htmx-moves.html")
    expect(page.locator("#reader-title")).to_have_text("Soon moved")
    moved = httpx.post(
        f"{sites.reader}/api/articles/htmx-soon-moved/rename", json={"slug": "htmx-moved"}, headers=token
    )
    assert moved.status_code == 200
    page.locator("#reader-bigger").focus()
    page.keyboard.press("Enter")
    # In place, from its new address: the setting applied and said, the move said and linked, the focus kept.
    expect(page.locator("#reader-status")).to_have_text(f"Text size 112.5\u00a0%. {MOVED}")
    expect(page.locator("#reader-size-now")).to_have_text("Text size 112.5\u00a0%")
    expect(page.locator(".reader-moved a")).to_have_attribute("href", f"{sites.reader}/articles/htmx-moved")
    expect(page.locator("#reader-bigger")).to_be_focused()
    assert page.url == sites.host + "/htmx-moves.html"
    # The next press goes to the new address (no redirect, no note any more), once htmx has taken the new
    # region over (the recipe points its form at reader then).
    expect(page.locator("#reader-size-controls")).to_have_attribute("action", f"{sites.reader}/preferences")
    page.keyboard.press("Enter")
    expect(page.locator("#reader-size-now")).to_have_text("Text size 125\u00a0%")
    expect(page.locator(".reader-moved")).to_have_count(0)
    # Deleted: nothing navigated, the article stays, the status says why it did not change.
    assert httpx.delete(f"{sites.reader}/api/articles/htmx-moved", headers=token).status_code == 204
    expect(page.locator("#reader-size-controls")).to_have_attribute("action", f"{sites.reader}/preferences")
    page.keyboard.press("Enter")
    expect(page.locator("#reader-status")).to_have_text(GONE)
    assert page.url == sites.host + "/htmx-moves.html"
    expect(page.locator("#reader-title")).to_have_text("Soon moved")
    expect(page.locator("#reader-bigger")).to_be_focused()
    # htmx 2 reads HX-Push on every answer: exposed, so no "Refused to get unsafe header" on the console.
    assert not [line for line in console if "unsafe header" in line], console


def test_htmx_a_second_fragment_on_the_page_never_replaces_the_first(
    host_context: BrowserContext,  # noqa: F811
    sites: Sites,  # noqa: F811
) -> None:
    # Both regions are #reader: a press in the second replaced the first with the second's article.
    _htmx_page(sites, "htmx-two.html", SEED_SLUG, EN_SLUG)
    page = host_context.new_page()
    page.goto(sites.host + "/htmx-two.html")
    titles = page.locator("#reader-title")
    expect(titles).to_have_count(2)
    expect(titles.first).to_have_text(SEED_TITLE)
    # The second reads without controls (docs: one article per page with htmx; the component for several).
    expect(page.locator("#reader-toolbar")).to_have_count(1)
    expect(page.locator("#reader-status")).to_have_count(1)
    page.locator("#reader-bigger").click()
    expect(page.locator("#reader-size-now")).to_contain_text("112.5")
    expect(titles.first).to_have_text(SEED_TITLE)
    expect(titles).to_have_count(2)


def test_iframe_a_change_on_a_renamed_article_is_said_and_keeps_the_focus(
    host_context: BrowserContext,  # noqa: F811
    sites: Sites,  # noqa: F811
) -> None:
    # The frame went to /embed/<old>, followed the 301: the new page at 112.5 %, nothing said, the focus on BODY.
    token = _article(sites, "frame-soon-moved", "Framed, soon moved")
    (sites.db.parent / "host" / "frame-moves.html").write_text(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An iframe host</title></head>
<body><main><h1>Embedded by iframe</h1>
<iframe id="frame" title="Embed" src="{sites.reader}/embed/frame-soon-moved?lang=en#?secret=Qw12" width="600"
 height="600"></iframe></main>
<script>
window.slugs = [];
window.heights = [];
addEventListener("message", (event) => {{
  if (event.data?.type === "reader:height") slugs.push(event.data.slug);
  if (event.data?.message === "height") heights.push(event.data);
}});
</script></body></html>"""
    )
    page = host_context.new_page()
    page.goto(sites.host + "/frame-moves.html")
    frame = page.frame_locator("#frame")
    expect(frame.locator("#reader-title")).to_have_text("Framed, soon moved")
    moved = httpx.post(
        f"{sites.reader}/api/articles/frame-soon-moved/rename", json={"slug": "frame-moved"}, headers=token
    )
    assert moved.status_code == 200
    frame.locator("#reader-bigger").focus()
    page.keyboard.press("Enter")
    expect(frame.locator("#reader-status")).to_have_text(f"Text size 112.5\u00a0%. {MOVED}")
    expect(frame.locator("#reader-bigger")).to_be_focused()
    # The frame's address follows (its query and its secret kept), and so does the slug it reports.
    embed = page.frame(url=lambda url: "/embed/" in url)
    assert embed is not None
    page.wait_for_function("() => window.slugs.at(-1) === 'frame-moved'")
    address = embed.evaluate("location.pathname + location.search + location.hash")
    assert address == "/embed/frame-moved?lang=en#?secret=Qw12"
    # Deleted: the frame (never the host page) shows the embed's 404, which says the setting was kept, and the
    # focus is on its heading.
    assert httpx.delete(f"{sites.reader}/api/articles/frame-moved", headers=token).status_code == 204
    page.evaluate("window.heights = []")
    page.keyboard.press("Enter")
    expect(frame.locator("#reader-kept")).to_have_text(GONE)
    expect(frame.locator("#reader-title")).to_be_focused()
    expect(frame.locator("#reader-title")).to_have_attribute("aria-describedby", "reader-kept")
    # The 404 keeps the frame's secret (htmx's own redirect dropped it, and with it WordPress's heights, links
    # and "ready"), and its address drops ?kept=1 once said, so that a reload neither says it nor takes focus.
    page.wait_for_function("() => window.heights.length > 0")
    assert {height["secret"] for height in page.evaluate("window.heights")} == {"Qw12"}
    gone = page.frame(url=lambda url: "/embed/" in url)
    assert gone is not None
    gone.wait_for_function("() => !location.search.includes('kept')")
    address = gone.evaluate("location.pathname + location.search + location.hash")
    assert address == "/embed/frame-moved?lang=en#?secret=Qw12"
    assert page.url == sites.host + "/frame-moves.html"
    assert [c["value"] for c in host_context.cookies() if c["name"] == "reader_prefs"] == ["1|s:125"]


def test_a_kept_note_loaded_by_the_host_page_leaves_its_focus_alone(
    host_context: BrowserContext,  # noqa: F811
    sites: Sites,  # noqa: F811
) -> None:
    # The embed's 404 after a change (?kept=1) took the focus whenever it loaded: a host page inserting such a
    # frame (nobody pressed anything in it) lost the focus of its own field to the frame's heading.
    (sites.db.parent / "host" / "kept-focus.html").write_text(
        """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host, typing</title></head>
<body><main><h1>A host, typing</h1><label>Search <input id="q"></label><div id="slot"></div>
<script src="kept-focus.js"></script></main></body></html>"""
    )
    (sites.db.parent / "host" / "kept-focus.js").write_text(
        f"""document.getElementById("q").focus();
const frame = document.createElement("iframe");
frame.id = "frame";
frame.title = "Embed";
frame.src = "{sites.reader}/embed/no-such?lang=en&kept=1";
document.getElementById("slot").append(frame);
"""
    )
    page = host_context.new_page()
    page.goto(sites.host + "/kept-focus.html")
    expect(page.locator("#q")).to_be_focused()
    expect(page.frame_locator("#frame").locator("#reader-kept")).to_have_text(GONE)
    embed = page.frame(url=lambda url: "/embed/" in url)
    assert embed is not None
    # The script has run (it drops ?kept=1 from the frame's address), and the host's field still has the focus.
    embed.wait_for_function("() => !location.search.includes('kept')")
    assert embed.evaluate("location.search") == "?lang=en"
    expect(page.locator("#q")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "q"


def test_wordpress_ready_message_gets_the_height_again(
    host_context: BrowserContext,  # noqa: F811
    sites: Sites,  # noqa: F811
) -> None:
    # wp-embed.js may start after the frame has loaded and sent its height: it says {message: "ready", secret} to
    # each frame, and the frame hidden until a height arrives stayed hidden.
    (sites.db.parent / "host" / "wp-late.html").write_text(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>WordPress, late</title></head>
<body><main><h1>WordPress, late</h1>
<iframe id="frame" sandbox="allow-scripts" security="restricted" style="position: absolute; visibility: hidden"
 src="{sites.reader}/embed/{SEED_SLUG}#?secret=Late42" title="Embed" width="600" height="338"></iframe>
<button id="start" type="button">start</button>
<script src="wp-late.js"></script></main></body></html>"""
    )
    (sites.db.parent / "host" / "wp-late.js").write_text(
        """window.got = [];
document.getElementById("start").addEventListener("click", () => {
  addEventListener("message", (event) => {
    const frame = document.getElementById("frame");
    if (event.source !== frame.contentWindow) return;
    window.got.push(event.data);
    if (event.data.message === "height" && event.data.secret === "Late42") frame.removeAttribute("style");
  });
  const frame = document.getElementById("frame").contentWindow;
  frame.postMessage({ message: "ready", secret: "Wrong1" }, "*");
  frame.postMessage({ message: "ready", secret: "Late42" }, "*");
});
"""
    )
    page = host_context.new_page()
    # The frame's heights as the page gets them before it listens (a listener of the test's, not WordPress's).
    page.add_init_script(
        "if (window === top) { window.early = 0;"
        " addEventListener('message', (e) => { if (e.data?.message === 'height') window.early++; }); }"
    )
    page.goto(sites.host + "/wp-late.html")
    expect(page.frame_locator("#frame").locator("#reader-title")).to_have_text(SEED_TITLE)
    page.wait_for_function("() => window.early > 0")  # the frame has sent its height to nobody
    page.locator("#start").click()
    page.wait_for_function("() => window.got.some((data) => data.message === 'height')")
    heights = page.evaluate("window.got.filter((data) => data.message === 'height')")
    # Once, for the right secret only; the frame shown.
    assert len(heights) == 1 and heights[0]["secret"] == "Late42" and heights[0]["value"] > 300, heights
    expect(page.locator("#frame")).to_be_visible()


def test_a_sandboxed_frame_says_the_reading_guide_it_applied(
    host_context: BrowserContext,  # noqa: F811
    sites: Sites,  # noqa: F811
) -> None:
    # The shortcut toggle and the keys said what they did in WordPress's frame; the reading guide said nothing.
    page = host_context.new_page()
    page.goto(sites.host + "/wordpress.html")
    frame = page.frame_locator("#frame")
    expect(frame.locator("#reader-title")).to_have_text(SEED_TITLE)
    frame.locator("#reader-panel-summary").click()
    guide = frame.locator("#reader-guide")
    # The sentence is the server's own, from the catalog (reader.announce), not one put together from the
    # label's words: a label worded otherwise (here, changed by the test) does not change what is said.
    guide.evaluate("select => { select.labels[0].textContent = 'Guide'; }")
    guide.select_option(index=1)
    chosen = guide.evaluate("select => select.selectedOptions[0].textContent.trim()")
    expect(frame.locator("#reader-status")).to_have_text(f"Thước đọc: {chosen}")
    # … and nothing contradicts it afterwards (a post that could not be made, said to have failed).
    page.wait_for_timeout(500)
    expect(frame.locator("#reader-status")).to_have_text(f"Thước đọc: {chosen}")


def test_component_a_change_on_a_renamed_article_is_said_and_keeps_the_focus(
    host_context: BrowserContext,  # noqa: F811
    sites: Sites,  # noqa: F811
) -> None:
    # The component loaded its article again on reader's HX-Redirect: 112.5 %, the focus kept, nothing said. The
    # answer is the region from the new address now, which the component shows and announces as any other.
    token = _article(sites, "component-soon-moved", "Component, soon moved")
    (sites.db.parent / "host" / "component-moves.html").write_text(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="{sites.reader}/static/reader-article.js"></script></head><body><main>
<reader-article src="{sites.reader}/articles/component-soon-moved/fragment" lang="en"><a
 href="{sites.reader}/articles/component-soon-moved">Read</a></reader-article></main></body></html>"""
    )
    page = host_context.new_page()
    page.goto(sites.host + "/component-moves.html")
    component = page.locator("reader-article")
    expect(component.locator("#reader-title")).to_have_text("Component, soon moved")
    moved = httpx.post(
        f"{sites.reader}/api/articles/component-soon-moved/rename", json={"slug": "component-moved"}, headers=token
    )
    assert moved.status_code == 200
    component.locator("#reader-bigger").focus()
    page.keyboard.press("Enter")
    expect(component.locator("#reader-status")).to_have_text(f"Text size 112.5\u00a0%. {MOVED}")
    expect(component.locator("#reader-size-now")).to_have_text("Text size 112.5\u00a0%")
    expect(component.locator("#reader-bigger")).to_be_focused()
