"""Issue 15, defect 3: every page is valid HTML by the W3C Nu Html Checker (npm vnu-jar, Debian's Java).

The checker's JVM starts slowly, so every page is fetched from the live server first (signed in where the
page is the editor's) and all of them are checked in one `java -jar vnu.jar` run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Cookie

from reader.saved_note import NOTE_COOKIE
from tests.browser.conftest import (
    DELETED_SLUG,
    DRAFT_SLUG,
    HISTORY_SLUG,
    ROOT,
    signed_done_for,
    signed_in,
    signed_saved,
)
from tests.browser.test_a11y_matrix import PAGES, Target, server_for
from tests.conftest import EN_SLUG, NOTE, SEED_SLUG

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The one message excused, and only on the element it is about: HTML has had `<link rel="expect"
# blocking="render">` since 2024 (whatwg/html#9970; Chromium 124, WebKit), and the checker (vnu-jar 26.9.27)
# still allows `blocking` only on a stylesheet's link. reader's pages hold one, to paint the reading toolbar
# whole (templates/base.html).
CHECKER_BEHIND_THE_STANDARD = (
    "A “link” element with a “blocking” attribute must have a “rel” attribute whose value is “stylesheet”.",
    '<link rel="expect" href="#reader-',
)
# Checked in the same run, to show the checker really reports what this test is about.
CANARY = '<!doctype html><html lang="en"><title>canary</title><form hx-post="/preferences"></form></html>'
# Pages the matrix reaches only through another page: a shared-settings link and an editor preview frame.
MORE_PAGES = [
    Target("shared-settings", "/preferences?settings=1|s:150|t:sepia"),
    # A reader with settings of their own: both choices, each with its list of changes.
    Target(
        "shared-settings-over-own",
        "/preferences?settings=1|s:200|t:dark|g:3",
        prefs="s:150|f:opendyslexic|fg:ffff00|bg:000080|lh:2.2",
    ),
    Target("editor-preview", f"/editor/preview/{EN_SLUG}?settings=1|s:200", editor=True),
    Target("panel-open-english", f"/articles/{EN_SLUG}?panel=open"),
    # The index searched: its results, an excerpt and an author's name with the words found marked, and the
    # words kept in the box.
    Target("index-search", "/?q=thanh+th%C3%B4ng+tin"),
    # A search that finds nothing (what to try), and a page past a search's last (its words kept in the box).
    Target("index-search-none", "/?q=zzqxv"),
    Target("index-search-past-the-last", "/?q=c&page=9", 404),
    # The settings page back from a change without JavaScript: its note that the settings were saved.
    Target("settings-saved", "/preferences?saved=reader-tools-settings"),
    # … and its note beside the control used, with the new value (the speed's, inside its form).
    Target("settings-saved-speed", "/preferences?saved=reader-speech-rate-form:set:speech_rate"),
    # An article back from changes without JavaScript: its notes of what changed, in the toolbar and the panel.
    Target("article-saved-size", f"/articles/{SEED_SLUG}?saved=reader-size-controls:bigger"),
    Target("article-saved-theme", f"/articles/{EN_SLUG}?panel=open&saved=reader-themes:set:theme"),
    Target("fragment-host-size", f"/embed/{SEED_SLUG}?size=125&theme=dark&lang=en"),
    # An embed's own error page, shown inside the embedding site's frame.
    Target("embed-not-found", "/embed/no-such-article", 404),
    # … after a change made in it on an article deleted meanwhile: it says the setting was kept.
    Target("embed-not-found-kept", "/embed/no-such-article?kept=1&lang=en", 404),
    # The sign-in form after a session ended: it says so under its heading.
    Target("editor-login-ended", "/editor/login?next=/editor/new&ended=1"),
    # The editor's list as it opens, without a search (the matrix has it searched).
    Target("editor-list-all", "/editor/", editor=True),
    # An article's history, empty (the demo articles have one version each).
    Target("editor-history-empty", f"/editor/articles/{SEED_SLUG}/history", editor=True),
    # An edit form that says the article was just restored from the deleted articles, and that its old
    # address leads to it again.
    Target("editor-edit-undeleted", f"/editor/articles/{HISTORY_SLUG}?done=undeleted&version=4", editor=True),
    # The list of articles after a delete: it links to the deleted article, to restore it.
    Target("editor-list-deleted", f"/editor/?done=deleted:{DELETED_SLUG}", editor=True),
    # A draft: its edit form (its state, Save draft and Publish), its check page and its history (the states).
    Target("editor-edit-draft", f"/editor/articles/{DRAFT_SLUG}", editor=True),
    Target("editor-check-draft", f"/editor/articles/{DRAFT_SLUG}/check", editor=True),
    Target("editor-history-draft", f"/editor/articles/{DRAFT_SLUG}/history", editor=True),
    # The form after a publish: its notice links to the article's page.
    Target(
        "editor-edit-published", f"/editor/articles/{HISTORY_SLUG}?done=published:{HISTORY_SLUG}&version=4", editor=True
    ),
    # A web font chosen: the head preloads its files.
    Target("lexend-preloads", f"/articles/{SEED_SLUG}", prefs="f:lexend"),
]


def nu_html_checker(files: list[Path]) -> list[dict[str, object]]:
    """The checker's messages (errors and warnings) for HTML files, in one JVM run."""
    java = shutil.which("java")
    assert java, "Java is missing: scripts/test installs Debian's default-jre-headless"
    assert VNU.is_file(), "vnu.jar is missing: run `npm ci` (package.json pins vnu-jar)"
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages: list[dict[str, object]] = json.loads(result.stdout)["messages"]
    return messages


def test_every_page_is_valid_html(
    browser: Browser, live_server: str, editor_cookies: list[Cookie], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    reader = browser.new_context(locale="vi-VN")
    editor = browser.new_context(locale="vi-VN")
    # The paged server's editor in a browser of its own: both servers are on 127.0.0.1, whose cookies a browser
    # keeps for every port (the two sessions would be one cookie).
    paged_editor = browser.new_context(locale="vi-VN")
    try:
        signed_in(editor, editor_cookies)
        editors_page = editor.new_page()
        editors_page.goto(live_server + "/editor/")  # (its form's CSRF token signs the ?done= addresses)
        if any(target.paged and target.editor for target in [*PAGES, *MORE_PAGES]):
            signed_in(paged_editor, request.getfixturevalue("paged_editor_cookies"))
        files: dict[str, str] = {}
        for target in [*PAGES, *MORE_PAGES]:
            context = (paged_editor if target.paged else editor) if target.editor else reader
            server = server_for(target, live_server, request)
            # (a ?saved= as the server signs it, for the note cookie its redirect set: reader.saved_note)
            cookies = [f"{NOTE_COOKIE}={NOTE}", *([f"reader_prefs=1|{target.prefs}"] if target.prefs else [])]
            cookie = {"cookie": "; ".join(cookies)} if "saved=" in target.path or target.prefs else None
            address = signed_saved(live_server, target.path, target.prefs)
            # (a ?done= as the editor's redirect signs it for this session: reader.views.editor.done_query)
            address = signed_done_for(live_server, address, editors_page) if target.editor else address
            response = context.request.get(server + address, max_redirects=0, headers=cookie)
            assert response.status == target.status, (target.path, response.status)
            assert response.headers["content-type"].startswith("text/html"), target.path
            # (the note itself is checked, not the page without it)
            assert "saved=" not in target.path or b'id="reader-saved"' in response.body(), target.path
            if "done=" in target.path:  # the notice is on the page checked (signed for this session)
                assert b'id="editor-done"' in response.body() or b'id="editor-undeleted"' in response.body()
            path = tmp_path / f"{target.name}.html"
            path.write_bytes(response.body())
            files[path.name] = target.path
    finally:
        reader.close()
        editor.close()
        paged_editor.close()
    assert len(files) == len(PAGES) + len(MORE_PAGES)
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY)
    messages = nu_html_checker([canary, *(tmp_path / name for name in files)])
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert any("hx-post" in str(m.get("message")) for m in errors if page_of(m, files) == canary.name)
    errors = [m for m in errors if page_of(m, files) != canary.name and not behind_the_standard(m)]
    report = "\n".join(f"{page_of(m, files)}:{m.get('lastLine')}: {m.get('message')}" for m in errors)
    assert errors == [], f"{len(errors)} Nu Html Checker errors:\n{report}"


def behind_the_standard(message: dict[str, object]) -> bool:
    text, element = CHECKER_BEHIND_THE_STANDARD
    return message.get("message") == text and element in str(message.get("extract"))


def page_of(message: dict[str, object], files: dict[str, str]) -> str:
    """The page a checker message is about (its path on the server), from the file it names."""
    name = str(message.get("url", "")).rsplit("/", 1)[-1]
    return files.get(name, name)
