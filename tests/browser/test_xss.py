"""The XSS corpus (tests/xss_payloads.py) in headless Chromium: every payload in every text field and the
body, through every way in, rendered in every view; and in query strings, form fields and the preference
cookie. Nothing may execute, and every payload must read as the literal text it was written as.

Every (payload, way in) pair is rendered as a fragment inside the <reader-article> component (another
site's page with no CSP at all: only the sanitizer and escaping protect it), in the index and the editor's
list, and as oEmbed markup on a consumer page. Views that cost a document per article (the article page,
the embed iframe, the editor's edit, check and delete pages, the check page's preview frames, and the same
without CSP) are rendered once or twice per payload with the way in rotating, so that every payload meets
every view, every way in meets every view, and every (payload, way in) pair is rendered at least once where
htmx runs. The editor form is driven in full for every payload: the 422 page that echoes what was typed, the
live preview (an htmx swap), and saving. Articles of their own, written and deleted through the API, are
shown in the list of deleted articles and each on its own page there. Each test prints what it rendered,
how long it took and how many CSP violations the browser reported (READER_XSS_REPORT=file.json writes the
figures).

That is the slow tier (`pytest -m slow`, the tests' `[full]` versions). The default run (`[sampled]`)
renders every (payload, way in) pair as the slow tier does where one page holds many (components, lists,
oEmbed), puts every payload in a component's query strings and in every address it fetches, and in each
view that costs a document per payload visits a seventh of the payloads, a different seventh per view
(Breadth): every payload is still rendered as a whole document of its own, and every view still meets
every way in.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.browser.conftest import sign_in, static_server
from tests.browser.xss_harness import Recorder, armed_context, as_text, without_space
from tests.browser.xss_site import (
    HOST_SCRIPT,
    PLAIN_SLUG,
    WAYS,
    Expected,
    Site,
    api_article,
    component,
    editor_fields,
    expected_for,
    host_page,
    iframe,
    plain_expected,
    put_through_api,
    save_through_editor,
    slug_for,
    typed,
    way_for,
    write_import_files,
)
from tests.conftest import EDITOR_NAME, EDITOR_PASSWORD
from tests.serverproc import Server, add_editor, create_token, new_site, reader_cli
from tests.xss_payloads import PAYLOADS, Payload

EMBEDS_PER_PAGE = 60
COMPONENTS_PER_PAGE = 60
PREVIEWS_PER_PAGE = 30
PAGE_SIZE = 20
REPORTS: list[dict[str, object]] = []


@dataclass(frozen=True)
class Breadth:
    """Which payloads the views that cost a document per payload visit: all of them (the slow tier), or
    (the default run) the SHARES-th part whose number is `view` modulo SHARES, so that each payload is
    visited in the views of its part. Every part holds payloads of every way in and of both body formats
    (SHARES has no factor in common with the number of ways in, nor with 2); where a view rotates through
    something else per payload (addresses, the delete page), it counts the payloads it visits."""

    name: str

    @property
    def full(self) -> bool:
        return self.name == "full"

    def payloads(self, view: int) -> list[Payload]:
        return list(PAYLOADS) if self.full else [p for p in PAYLOADS if (p.id - view) % SHARES == 0]


SHARES = 7
BREADTHS = (Breadth("sampled"), Breadth("full"))
# The views' parts in the default run. Each part has one view that renders a payload article as a document
# of its own: the article page, an embed, the edit and check pages, the editor form's live preview, a
# preview frame, the article page and the edit page without CSP.
ARTICLE_PAGE = EMBED_QUERIES = 0
EMBEDS = ADDRESSES = 1
EDIT_AND_CHECK = PREFERENCE_FORM = 2
EDITOR_FORM = SIGN_IN = 3
PREVIEW_FRAMES = DELETED_PAGES = 4
ARTICLE_PAGE_WITHOUT_CSP = 5
EDIT_PAGE_WITHOUT_CSP = 6


@pytest.fixture(params=[BREADTHS[0], pytest.param(BREADTHS[1], marks=pytest.mark.slow)], ids=lambda b: b.name)
def breadth(request: pytest.FixtureRequest) -> Breadth:
    found: Breadth = request.param
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("xss")
    files, host_dir = base / "files", base / "host"
    files.mkdir()
    (host_dir / "static").mkdir(parents=True)
    (host_dir / "static" / "host.js").write_text(HOST_SCRIPT)
    db = new_site(base / "reader.db")
    reader_cli("import", "--db", str(db), *map(str, write_import_files(files)))
    add_editor(db, EDITOR_NAME, EDITOR_PASSWORD)
    token = create_token(db, "xss-corpus")
    host_process, host = static_server(host_dir)
    env = {"READER_EMBED_ORIGINS": host, "READER_PAGE_SIZE": str(PAGE_SIZE)}
    server = Server(db=db, directory=base, env=env).start()
    try:
        context = browser.new_context()
        sign_in(context.new_page(), server.url)
        storage_state = context.storage_state()
        context.close()
        # The editor's form is posted with the session the browser signed in with.
        session = {cookie["name"]: cookie["value"] for cookie in storage_state["cookies"]}
        with httpx.Client(base_url=server.url, cookies=session) as http:
            put_through_api(http, token)
            save_through_editor(http)
        expected = {PLAIN_SLUG: plain_expected()}
        expected.update({slug_for(way, p): expected_for(p, way) for way in WAYS for p in PAYLOADS})
        site = Site(server.url, host, db, token, storage_state, expected)
        _write_host_pages(site, host_dir)
        yield site
    finally:
        server.stop()
        host_process.terminate()
        host_process.wait(timeout=10)
        _write_report()


def _write_host_pages(site: Site, directory: Path) -> None:
    slugs = list(site.expected)
    for breadth in BREADTHS:
        embedded = embed_slugs(breadth)
        for number in range(math.ceil(len(embedded) / EMBEDS_PER_PAGE)):
            chunk = embedded[number * EMBEDS_PER_PAGE : (number + 1) * EMBEDS_PER_PAGE]
            frames = "".join(iframe(f"{site.reader}/embed/{slug}") for slug in chunk)
            (directory / f"embeds-{breadth.name}-{number}.html").write_text(host_page(site.reader, frames))
    for number in range(math.ceil(len(slugs) / COMPONENTS_PER_PAGE)):
        chunk = slugs[number * COMPONENTS_PER_PAGE : (number + 1) * COMPONENTS_PER_PAGE]
        body = "".join(component(f"{site.reader}/articles/{slug}/fragment", slug) for slug in chunk)
        (directory / f"components-{number}.html").write_text(host_page(site.reader, body, component=True))
    # Query strings and the preference cookie: ?size, ?theme, ?lang on the fragment (the component's
    # attributes) and on the embed; the cookie is put on those requests by a route (see _cookie_route).
    fragment = f"{site.reader}/articles/{PLAIN_SLUG}/fragment"
    body = "".join(
        component(f"{fragment}?xss-cookie={p.id}", f"q{p.id}", size=p.text, theme=p.text, lang=p.text) for p in PAYLOADS
    )
    (directory / "queries.html").write_text(host_page(site.reader, body, component=True))
    for breadth in BREADTHS:
        queried = breadth.payloads(EMBED_QUERIES)
        for number in range(math.ceil(len(queried) / EMBEDS_PER_PAGE)):
            chunk = queried[number * EMBEDS_PER_PAGE : (number + 1) * EMBEDS_PER_PAGE]
            frames = "".join(
                iframe(f"{site.reader}/embed/{PLAIN_SLUG}?" + _query(p, "lang", "size", "theme", "settings")
                       + f"&xss-cookie={p.id}")
                for p in chunk
            )  # fmt: skip
            (directory / f"embed-queries-{breadth.name}-{number}.html").write_text(host_page(site.reader, frames))
    (directory / "oembed.html").write_text(host_page(site.reader, '<div id="consumer"></div>'))


def embed_slugs(breadth: Breadth) -> list[str]:
    """The articles shown as embeds: each payload through two ways in. With the article page (shift 0), the
    edit page (1) and the CSP-free visits (3, 4), every payload meets every way in a view where htmx runs
    (in the slow tier; the default run visits a part of the payloads in each of those views)."""
    return [PLAIN_SLUG] + [slug_for(way_for(p, shift), p) for shift in (2, 4) for p in breadth.payloads(EMBEDS)]


def _query(payload: Payload, *names: str) -> str:
    return "&".join(f"{name}={quote(payload.text, safe='')}" for name in names)


def _write_report() -> None:
    target = os.environ.get("READER_XSS_REPORT")
    if target and REPORTS:
        Path(target).write_text(json.dumps(REPORTS, indent=2))


def _finish(recorder: Recorder, name: str, minimum_documents: int) -> None:
    """The assertions every corpus test ends with; the figures go to the report."""
    REPORTS.append({
        "test": name, "documents": dict(recorder.documents), "executions": len(recorder.executions),
        "csp_violations": len(recorder.csp_violations), "problems": len(recorder.problems),
        "seconds": round(recorder.elapsed(), 1),
    })  # fmt: skip
    print(f"\n{name}: {recorder.summary()}")
    assert recorder.executions == [], recorder.executions
    assert not recorder.problems, "\n".join(recorder.problems[:60])
    assert recorder.page_errors == [], recorder.page_errors
    assert sum(recorder.documents.values()) >= minimum_documents


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def armed(browser: Browser, recorder: Recorder, site: Site) -> Iterator[BrowserContext]:
    """Signed in as an editor, CSP on."""
    context = armed_context(browser, recorder, storage_state=site.storage_state)
    try:
        yield context
    finally:
        context.close()


def _audit_frames(recorder: Recorder, page: Page, site: Site, view: str) -> int:
    audited = 0
    for frame in page.frames[1:]:
        src = frame.frame_element().get_attribute("src") or ""
        if not frame.url.startswith(site.reader):
            recorder.problems.append(f"{view} {src}: did not load ({frame.url})")
            continue
        slug = src.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        expected = site.expected[slug]
        recorder.audit(frame, view, expectations=[expected.for_audit(frame.url)])
        audited += 1
    return audited


def _wait_for_components(page: Page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('reader-article')].every((e) => e.dataset.state)", timeout=120_000
    )
    failed = page.evaluate("[...document.querySelectorAll('reader-article[data-state=\"reader:error\"]')].length")
    assert failed == 0


def test_every_article_from_every_way_in_is_inert(
    armed: BrowserContext, recorder: Recorder, site: Site, breadth: Breadth
) -> None:
    page = armed.new_page()
    slugs = list(site.expected)
    embedded = 0
    for number in range(math.ceil(len(embed_slugs(breadth)) / EMBEDS_PER_PAGE)):
        page.goto(f"{site.host}/embeds-{breadth.name}-{number}.html")
        recorder.audit(page, "embed host page")
        embedded += _audit_frames(recorder, page, site, "embed")
    assert embedded == len(embed_slugs(breadth)), [p for p in recorder.problems if "did not load" in p][:20]
    for number in range(math.ceil(len(slugs) / COMPONENTS_PER_PAGE)):
        page.goto(f"{site.host}/components-{number}.html")
        _wait_for_components(page)
        chunk = slugs[number * COMPONENTS_PER_PAGE : (number + 1) * COMPONENTS_PER_PAGE]
        expectations = [site.expected[s].for_audit(s, host=f'reader-article[data-slug="{s}"]') for s in chunk]
        recorder.audit(page, "component host page", expectations=expectations)
        recorder.documents["fragment in component"] += len(chunk)
    pages = breadth.payloads(ARTICLE_PAGE)
    for payload in pages:
        expected = site.expected[slug_for(way_for(payload), payload)]
        page.goto(f"{site.reader}/articles/{expected.slug}")
        recorder.audit(page, "article page", expectations=[expected.for_audit(expected.slug, document_title=True)])
    _finish(recorder, "articles", len(slugs) + len(embed_slugs(breadth)) + len(pages))


def test_lists_and_oembed_show_every_title_as_text(armed: BrowserContext, recorder: Recorder, site: Site) -> None:
    page = armed.new_page()
    pages = math.ceil(len(site.expected) / PAGE_SIZE)
    leads = {slug: expected.summary for slug, expected in site.expected.items()}
    for path, selector, view in (("/", ".reader-list-title a", "index"), ("/editor/", "th a", "editor list")):
        listed = 0
        for number in range(1, pages + 1):
            page.goto(f"{site.reader}{path}?page={number}")
            titles = {slug: expected.title for slug, expected in site.expected.items()}
            listing = {"selector": selector, "titles": titles, "leads": leads if path == "/" else None}
            listed += recorder.audit(page, view, listing=listing)
        assert listed == len(site.expected)
    # An oEmbed consumer on another site: it fetches each article's oEmbed JSON and inserts its html.
    page.goto(f"{site.host}/oembed.html")
    urls = [f"{site.reader}/articles/{slug}" for slug in site.expected]
    answers = page.evaluate(
        """async ([endpoint, urls]) => {
          const consumer = document.getElementById("consumer");
          return Promise.all(urls.map(async (url) => {
            const response = await fetch(`${endpoint}?format=json&url=${encodeURIComponent(url)}`);
            const data = await response.json();
            const item = document.createElement("div");
            item.innerHTML = data.html;
            consumer.append(item);
            const link = item.querySelector("blockquote a");
            return {type: response.headers.get("content-type"), title: data.title, author: data.author_name,
                    linkText: link && link.textContent, frameTitle: item.querySelector("iframe").title,
                    children: link ? link.children.length : -1};
          }));
        }""",
        [f"{site.reader}/oembed", urls],
    )
    recorder.audit(page, "oembed consumer page")
    recorder.documents["oembed answer"] += len(answers)
    for slug, answer in zip(site.expected, answers, strict=True):
        expected = site.expected[slug]
        assert answer["type"] == "application/json"
        assert answer["title"] == answer["linkText"] == answer["frameTitle"] == expected.title, slug
        assert answer["author"] == expected.author and answer["children"] == 0
    _finish(recorder, "lists and oEmbed", pages * 2 + 1)


def test_the_editors_pages_show_every_payload_as_text(
    armed: BrowserContext, recorder: Recorder, site: Site, breadth: Breadth
) -> None:
    page, checks = armed.new_page(), armed.new_page()
    checks.route("**/editor/preview/**", lambda route: route.abort())
    edited = breadth.payloads(EDIT_AND_CHECK)
    for number, payload in enumerate(edited):
        expected = site.expected[slug_for(way_for(payload, 1), payload)]
        page.goto(f"{site.reader}/editor/articles/{expected.slug}")
        # The edit page: every stored text in its field, the stored article in the preview.
        fields = {f"#editor-{name}": without_space(payload.text) for name in ("title", "summary", "author")}
        recorder.audit(page, "editor edit page", expectations=[expected.for_audit("edit")], fields=fields)
        assert page.locator("h1").text_content() == f"Edit “{expected.title}”"
        # The check page; its six preview frames are visited below, in batches.
        checks.goto(f"{site.reader}/editor/articles/{expected.slug}/check")
        recorder.audit(checks, "editor check page")
        assert checks.locator("h1").text_content() == f"Check “{expected.title}”"
        if number % 3 == 0:  # the delete page's heading is the check page's; a third of them is enough
            page.goto(f"{site.reader}/editor/articles/{expected.slug}/delete")
            recorder.audit(page, "editor delete page")
            assert page.locator("h1").text_content() == f"Delete “{expected.title}”?"
    # The check page's preview frames, framed by a reader page as the check page frames them, with a payload
    # where the settings go as well.
    sources = [
        f"/editor/preview/{slug_for(way_for(p, 2), p)}?settings={quote(p.text, safe='')}"
        for p in breadth.payloads(PREVIEW_FRAMES)
    ]
    for start in range(0, len(sources), PREVIEWS_PER_PAGE):
        page.goto(f"{site.reader}/editor/")
        page.evaluate(
            """(sources) => Promise.all(sources.map((src) => new Promise((resolve) => {
              const frame = document.createElement("iframe");
              frame.addEventListener("load", resolve, {once: true});
              frame.src = src;
              frame.title = "preview";
              document.body.append(frame);
            })))""",
            sources[start : start + PREVIEWS_PER_PAGE],
        )
        _audit_frames(recorder, page, site, "editor preview frame")
    _finish(recorder, "editor pages", len(edited) * 2 + len(sources))


def test_deleted_articles_show_every_payload_as_text(
    armed: BrowserContext, recorder: Recorder, site: Site, breadth: Breadth
) -> None:
    """Articles written and deleted through the API: the list of deleted articles shows each title as text,
    and each one's page (its last version, to restore) its every field. They are articles of their own, so
    the other views' articles stay on the site."""
    deleted = breadth.payloads(DELETED_PAGES)
    expected = {f"deleted-{p.id}": dataclasses.replace(expected_for(p, "api"), slug=f"deleted-{p.id}") for p in deleted}
    with httpx.Client(base_url=site.reader, headers={"authorization": f"Bearer {site.token}"}) as http:
        for payload in deleted:
            assert http.put(f"/api/articles/deleted-{payload.id}", json=api_article(payload)).status_code == 201
            assert http.delete(f"/api/articles/deleted-{payload.id}").status_code == 204
    page = armed.new_page()
    listed = 0
    for number in range(1, math.ceil(len(deleted) / PAGE_SIZE) + 1):
        page.goto(f"{site.reader}/editor/deleted?page={number}")
        titles = {slug: e.title for slug, e in expected.items()}  # anew per page: the audit marks those it found
        listed += recorder.audit(page, "deleted list", listing={"selector": "th a", "titles": titles, "leads": None})
    assert listed == len(deleted)
    for slug, article in expected.items():
        page.goto(f"{site.reader}/editor/deleted/{slug}")
        recorder.audit(page, "deleted article page", expectations=[article.for_audit("deleted")])
        assert page.locator("h1").text_content() == f"Deleted article “{article.title}”"
    _finish(recorder, "deleted articles", len(deleted) + 1)


def test_the_editor_form_echoes_and_previews_every_payload_as_text(
    armed: BrowserContext, recorder: Recorder, site: Site, breadth: Breadth
) -> None:
    page = armed.new_page()
    page.goto(f"{site.reader}/editor/articles/{slug_for('editor', PAYLOADS[0])}")
    page.wait_for_load_state("load")
    typed_in = breadth.payloads(EDITOR_FORM)
    for payload in typed_in:
        slug = slug_for("editor", payload)
        expected = site.expected[slug]
        # 1. Posted with the payload where a language and a date belong: the form comes back (422) with every
        #    field as typed, in the fields' values, never as markup.
        values = editor_fields(payload, lang="other", lang_other=payload.text, published=payload.text)
        with page.expect_navigation():
            page.evaluate(
                """([action, slug, values]) => {
                  const form = document.querySelector("form.reader-editor-form");
                  form.setAttribute("action", action);
                  form.elements.editing.value = slug;
                  form.elements.slug.value = slug;  // the form's address is the article's: not a rename
                  for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
                  form.submit();
                }""",
                [f"/editor/articles/{slug}", slug, values],
            )
        fields = {
            f"#editor-{name}": without_space(values[name])
            for name in ("title", "summary", "author", "lang_other", "published", "body", "source_url")
        }
        recorder.audit(page, "editor form (422)", fields=fields)
        assert page.locator("#editor-lang_other-error").count() == 1
        # 2. The live preview (htmx) with the payload as the date: its error names the field (a link to it), as text.
        _preview(page, {"lang": "en"}, "document.querySelector('#editor-preview .reader-editor-error')")
        recorder.audit(page, "editor live preview (error)")
        assert page.locator("#editor-preview .reader-editor-error a").get_attribute("href") == "#editor-published"
        # 3. The live preview of the valid article: the sanitized body, the texts as text.
        _preview(page, {"published": ""}, "document.querySelector('#editor-preview #reader-title')")
        recorder.audit(page, "editor live preview", expectations=[expected.for_audit("preview")])
        # 4. Saved from the same form.
        saved = page.evaluate(
            """async () => {
              const form = document.querySelector("form.reader-editor-form");
              const body = new URLSearchParams(new FormData(form));
              body.set("action", "save");
              const response = await fetch(form.getAttribute("action"), {method: "POST", body});
              return response.url;
            }"""
        )
        assert f"/editor/articles/{slug}?done=saved:{slug}&version=1&mac=" in saved
    _finish(recorder, "editor form", len(typed_in) * 3)


def _preview(page: Page, changes: dict[str, str], ready: str) -> None:
    page.evaluate(
        """([changes]) => {
          const form = document.querySelector("form.reader-editor-form");
          document.getElementById("editor-preview").replaceChildren();
          for (const [name, value] of Object.entries(changes)) form.elements[name].value = value;
          form.elements.lang.dispatchEvent(new Event("change", {bubbles: true}));
        }""",
        [changes],
    )
    page.wait_for_function(f"() => {ready}")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def _cookie_route(page: Page) -> None:
    """Requests marked ?xss-cookie=ID carry payload ID as the preference cookie and the Reader-Prefs header.

    On one page only: while a route is set, every request of the page makes a round trip to this process."""
    payloads = {str(p.id): p for p in PAYLOADS}

    def handle(route: Route) -> None:
        number = route.request.url.rsplit("xss-cookie=", 1)[1].split("&", 1)[0]
        value = as_text(payloads[number].text)
        headers = {**route.request.headers, "cookie": f"reader_prefs={value}", "reader-prefs": value}
        route.continue_(headers=headers)

    page.route(re.compile(r".*[?&]xss-cookie=\d+"), handle)


def _rotating_urls(site: Site, payload: Payload) -> list[str]:
    """Addresses with the payload in the path or the query; each is fetched, one per payload is rendered."""
    text = quote(payload.text, safe="")
    article = quote(f"{site.reader}/articles/{PLAIN_SLUG}", safe="")
    return [
        f"/preferences?settings={text}",
        f"/?page={text}",
        f"/articles/{PLAIN_SLUG}?panel={text}&page={text}",
        f"/articles/{text}",
        f"/articles/{text}/fragment",
        f"/embed/{text}",
        f"/oembed?url={text}&maxwidth={text}",
        f"/oembed?url={article}&format={text}",
        f"/editor/?done=deleted:{text}&page={text}&mac={text}",
        f"/editor/articles/{PLAIN_SLUG}?done=saved:{text}&version={text}&mac={text}",
        f"/editor/articles/{text}/check",
        f"/api/articles/{text}",
        f"/preferences/colors/{text}.css",
    ]


def test_query_strings_cookies_and_forms_stay_inert(
    browser: Browser, armed: BrowserContext, recorder: Recorder, site: Site, breadth: Breadth
) -> None:
    page, with_cookie = armed.new_page(), armed.new_page()
    _cookie_route(with_cookie)
    # ?size, ?theme, ?lang (and the cookie) on fragments in the component and on embeds.
    with_cookie.goto(f"{site.host}/queries.html")
    _wait_for_components(with_cookie)
    plain = site.expected[PLAIN_SLUG]
    hosts = [plain.for_audit(f"q{p.id}", host=f'reader-article[data-slug="q{p.id}"]') for p in PAYLOADS]
    recorder.audit(with_cookie, "component host page", expectations=hosts)
    recorder.documents["fragment in component"] += len(PAYLOADS)
    for number in range(math.ceil(len(breadth.payloads(EMBED_QUERIES)) / EMBEDS_PER_PAGE)):
        with_cookie.goto(f"{site.host}/embed-queries-{breadth.name}-{number}.html")
        _audit_frames(recorder, with_cookie, site, "embed")
    # Top-level pages: one rotating address per payload, with the payload as the cookie too; every rotating
    # address is also fetched for every payload, and must not carry the payload as markup.
    rotating = [_rotating_urls(site, p) for p in PAYLOADS]
    for number, payload in enumerate(breadth.payloads(ADDRESSES)):
        urls = _rotating_urls(site, payload)
        url = urls[number % len(urls)]
        with_cookie.goto(f"{site.reader}{url}{'&' if '?' in url else '?'}xss-cookie={payload.id}")
        recorder.audit(with_cookie, "address with the payload")
    cookies = {c["name"]: c["value"] for c in site.storage_state["cookies"]}
    with httpx.Client(base_url=site.reader, cookies=cookies) as http:
        for payload, urls in zip(PAYLOADS, rotating, strict=True):
            for url in urls:
                _check_answer(http.get(url), payload, url)
    # The preference form, as htmx posts it from an article page, with the payload in every field.
    page.goto(f"{site.reader}/articles/{PLAIN_SLUG}")
    page.wait_for_load_state("load")
    names = ("view", "size", "theme", "font", "action", "settings", "panel", "host_lang", "host_size",
             "host_theme", "text_color", "background_color", "line_height", "width", "underline_links")  # fmt: skip
    for payload in breadth.payloads(PREFERENCE_FORM):
        values = {name: payload.text for name in names} | {"next": f"/articles/{PLAIN_SLUG}"}
        page.evaluate(
            """(values) => new Promise((resolve) => {
              document.body.addEventListener("htmx:afterSettle", resolve, {once: true});
              htmx.ajax("POST", "/preferences", {target: "#reader", swap: "outerHTML", values});
            })""",
            values,
        )
        recorder.audit(page, "preference form (htmx)", expectations=[plain.for_audit("prefs", document_title=True)])
    # The same form without htmx, with the payload as the address to go back to: it goes back home.
    with httpx.Client(base_url=site.reader) as http:
        for payload in PAYLOADS:
            form = {name: payload.text for name in (*names, "next")}
            answer = http.post("/preferences", data=form)
            assert answer.status_code == 303 and answer.headers["location"] in ("/", "/?panel=open#reader-panel")
    # Sign-in, signed out: the payload as the page to go on to, then as the name of a failed attempt.
    signed_out = armed_context(browser, recorder)
    try:
        login = signed_out.new_page()
        for payload in breadth.payloads(SIGN_IN):
            login.goto(f"{site.reader}/editor/login?next={quote(payload.text, safe='')}")
            recorder.audit(login, "editor sign-in", fields={'input[name="next"]': "/editor/"})
            name = typed(payload.text)[:64]
            with login.expect_navigation():
                login.evaluate(
                    """(name) => {
                      const form = document.querySelector("form.reader-editor-form");
                      form.elements.name.value = name;
                      form.elements.password.value = "not the password";
                      form.submit();
                    }""",
                    name,
                )
            recorder.audit(login, "editor sign-in (failed)", fields={"#login-name": without_space(name)})
    finally:
        signed_out.close()
    visited = (EMBED_QUERIES, ADDRESSES, PREFERENCE_FORM, SIGN_IN, SIGN_IN)
    documents = len(PAYLOADS) + sum(len(breadth.payloads(view)) for view in visited)
    _finish(recorder, "query strings, cookies and forms", documents)


def _check_answer(response: httpx.Response, payload: Payload, url: str) -> None:
    kind = response.headers.get("content-type", "")
    assert response.headers["x-content-type-options"] == "nosniff", url
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    if kind.startswith("text/html"):
        markup = any(ch in payload.text for ch in "<>\"'")
        assert not (markup and payload.text in response.text), url
    else:
        assert kind.startswith(("application/json", "text/css", "text/plain")), (url, kind)


def test_without_csp_the_sanitizer_and_escaping_alone_hold(browser: Browser, site: Site, breadth: Breadth) -> None:
    recorder = Recorder()
    context = armed_context(browser, recorder, bypass_csp=True, storage_state=site.storage_state)
    try:
        page = context.new_page()
        pages, edited = breadth.payloads(ARTICLE_PAGE_WITHOUT_CSP), breadth.payloads(EDIT_PAGE_WITHOUT_CSP)
        for payload in pages:
            expected = site.expected[slug_for(way_for(payload, 3), payload)]
            page.goto(f"{site.reader}/articles/{expected.slug}")
            recorder.audit(page, "article page", expectations=[expected.for_audit("page", document_title=True)])
        for payload in edited:
            editor = site.expected[slug_for(way_for(payload, 4), payload)]
            page.goto(f"{site.reader}/editor/articles/{editor.slug}")
            recorder.audit(page, "editor edit page", expectations=[editor.for_audit("edit")])
        page.goto(f"{site.host}/embeds-{breadth.name}-0.html")
        _audit_frames(recorder, page, site, "embed")
    finally:
        context.close()
    assert recorder.csp_violations == []
    _finish(recorder, "without CSP", len(pages) + len(edited))


def test_the_harness_sees_what_it_must_refuse(browser: Browser, site: Site, tmp_path: Path) -> None:
    """The counting and the audit themselves: a page on the (CSP-free) host site that does run a payload."""
    recorder = Recorder()
    context = armed_context(browser, recorder)
    try:
        page = context.new_page()
        page.route(f"{site.host}/bad.html", lambda route: route.fulfill(content_type="text/html", body=(
            '<!doctype html><title>bad</title><div class="reader-body"><p onclick="x()">a</p>'
            '<img src="/nowhere.png" onerror="__xss(1)"><div hx-get="/__xss/2" data-hx-trigger="load"></div>'
            '<a href="https://elsewhere.example/">out</a></div><h1 id="reader-title">{{7*7}}<b>49</b></h1>'
            '<script>alert(3); print()</script>'
        )))  # fmt: skip
        page.goto(f"{site.host}/bad.html")
        page.wait_for_timeout(200)
        fake = Expected("bad", "{{7*7}}", "", "", None).for_audit("bad")
        recorder.audit(page, "bad page", expectations=[fake])
        page.goto(f"{site.reader}/__xss/4")
    finally:
        context.close()
    kinds = sorted(execution.kind for execution in recorder.executions)
    assert kinds == ["alert", "marker", "print", "request"]
    problems = "\n".join(recorder.problems)
    for expected_problem in ("event handler onclick", "event handler onerror", "htmx attribute data-hx-trigger",
                             "script not from /static/", 'external link without rel', "markup in the title",
                             "<div> in the article body"):  # fmt: skip
        assert expected_problem in problems
