"""The XSS corpus put into a reader of its own through every way in: `reader import` of JSON, Markdown and
HTML files, the JSON API with a Bearer token, and the editor form; plus the host pages that embed it."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import yaml

from reader.drafts import VISIBLE_CHARACTER
from reader.slugs import slugify
from tests.browser.xss_harness import as_text
from tests.conftest import csrf_token
from tests.xss_payloads import PAYLOADS, Payload

# What the API takes for a visible character, turned round.
_WHITE_SPACE = re.compile(VISIBLE_CHARACTER.replace("[^", "[", 1))
WAYS = ("json", "markdown", "html", "api", "editor")
PLAIN_SLUG = "plain-article"
PLAIN = {"title": "A plain article", "summary": "Its lead.", "author": "Plain Author"}
BODY_LEAD = "Body text."
TEMPLATE_LITERAL = "7*7"


def slug_for(way: str, payload: Payload) -> str:
    """The article's slug: given, except for HTML files, which have no slug field: there reader derives it
    from the title, i.e. from the payload."""
    if way == "html":
        return slugify(as_text(payload.text))
    return f"{way}-{payload.id}"


def source_url(payload: Payload) -> str:
    """The payload in a source address's query, raw but for white space, which no way in accepts there (a
    browser would send it percent-encoded too): markup characters stay for the views to escape."""
    return "https://example.org/source?q=" + _WHITE_SPACE.sub(lambda match: quote(match.group()), payload.text)


def way_for(payload: Payload, shift: int = 0) -> str:
    """A way in per payload, rotating, for views visited once per payload: every way meets every view."""
    return WAYS[(payload.id + shift) % len(WAYS)]


@dataclass(frozen=True)
class Expected:
    """What an article's text fields must show: the payload as literal text, never as markup."""

    slug: str
    title: str
    summary: str
    author: str
    literal: str | None

    def for_audit(self, label: str, *, host: str | None = None, document_title: bool = False) -> dict[str, Any]:
        return {
            "label": label, "host": host, "title": self.title, "summary": self.summary, "author": self.author,
            "literal": self.literal, "documentTitle": document_title,
        }  # fmt: skip


@dataclass
class Site:
    reader: str
    host: str
    db: Path
    token: str
    storage_state: Any
    expected: dict[str, Expected]


def typed(value: str) -> str:
    """What a browser's text input holds when the value is typed or set: line breaks are dropped."""
    return value.replace("\r", "").replace("\n", "")


def expected_for(payload: Payload, way: str) -> Expected:
    text = as_text(payload.text)
    literal = TEMPLATE_LITERAL if payload.kind == "template" else None
    if way == "editor":
        # The title and the author come from text inputs, the lead from a textarea.
        return Expected(
            slug_for(way, payload), as_text(typed(payload.text)), text, as_text(typed(payload.text)), literal
        )
    return Expected(slug_for(way, payload), text, text, text, literal)


def plain_expected() -> Expected:
    return Expected(PLAIN_SLUG, PLAIN["title"], PLAIN["summary"], PLAIN["author"], None)


def _body(payload: Payload) -> str:
    # The payload comes last: a raw-text payload (<style>, <math>…) swallows whatever follows it.
    return f"<p>{BODY_LEAD}</p>{payload.text}"


def _markdown_body(payload: Payload) -> str:
    return f"{BODY_LEAD}\n\n{payload.text}"


def write_import_files(directory: Path) -> list[Path]:
    """One JSON file with every payload article, one Markdown and one HTML file per payload."""
    articles: list[dict[str, str]] = [{"slug": PLAIN_SLUG, "lang": "en", **PLAIN, "body_html": f"<p>{BODY_LEAD}</p>"}]
    for payload in PAYLOADS:
        articles.append({
            "slug": slug_for("json", payload), "lang": "en", "title": payload.text, "summary": payload.text,
            "author": payload.text, "source_url": source_url(payload), "body_html": _body(payload),
        })  # fmt: skip
    paths = [directory / "articles.json"]
    paths[0].write_text(json.dumps(articles, ensure_ascii=False), encoding="utf-8")
    for payload in PAYLOADS:
        meta = {
            "slug": slug_for("markdown", payload), "lang": "en", "title": payload.text, "summary": payload.text,
            "author": payload.text, "source_url": source_url(payload),
        }  # fmt: skip
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
        markdown = directory / f"markdown-{payload.id}.md"
        markdown.write_text(f"---\n{front}---\n{_markdown_body(payload)}\n", encoding="utf-8")
        # An HTML page whose text fields hold the payload as text, and whose article holds it as markup.
        text = html.escape(payload.text)
        document = directory / f"html-{payload.id}.html"
        document.write_text(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{text}</title>'
            f'<meta name="description" content="{text}"><meta name="author" content="{text}">'
            f'<link rel="canonical" href="{html.escape(source_url(payload))}"></head>'
            f"<body><nav>Site menu</nav><article><h1>{text}</h1>{_body(payload)}</article></body></html>",
            encoding="utf-8",
        )
        paths += [markdown, document]
    return paths


def api_article(payload: Payload) -> dict[str, str]:
    """The payload in every text field of an article sent to the API, its body in Markdown or HTML by turns."""
    body_field = "body_markdown" if payload.id % 2 == 0 else "body_html"
    return {
        "lang": "en", "title": payload.text, "summary": payload.text, "author": payload.text,
        "source_url": source_url(payload),
        body_field: _markdown_body(payload) if body_field == "body_markdown" else _body(payload),
    }  # fmt: skip


def put_through_api(http: httpx.Client, token: str) -> None:
    """PUT every payload article; and show that a payload where a slug, language or date belongs is refused."""
    headers = {"authorization": f"Bearer {token}"}
    for payload in PAYLOADS:
        article = api_article(payload)
        response = http.put(f"/api/articles/{slug_for('api', payload)}", json=article, headers=headers)
        assert response.status_code == 201, response.text
        bad_slug = http.put(f"/api/articles/{quote(payload.text, safe='')}", json=article, headers=headers)
        assert bad_slug.status_code in (404, 422) and bad_slug.headers["content-type"] == "application/json"
        for field in ("lang", "published"):
            refused = http.put(
                f"/api/articles/{slug_for('api', payload)}", json={**article, field: payload.text}, headers=headers
            )
            assert refused.status_code == 422 and refused.json()["error"]["field"] == field


def editor_fields(payload: Payload, **changes: str) -> dict[str, str]:
    """The editor form's fields with the payload in every one that takes text, as the browser submits them
    (text inputs drop line breaks)."""
    fields = {
        "title": typed(payload.text), "lang": "en", "summary": payload.text, "author": typed(payload.text),
        "published": "", "source_url": typed(source_url(payload)).strip(),
        "body_format": "html" if payload.id % 2 else "markdown",
        "body": _body(payload) if payload.id % 2 else _markdown_body(payload),
    }  # fmt: skip
    return {**fields, **changes}


def save_through_editor(http: httpx.Client) -> None:
    """Post the editor's "new article" form once per payload, as the form itself would (`http` carries a
    signed-in editor's session)."""
    csrf = csrf_token(http.get("/editor/new").text)
    for payload in PAYLOADS:
        slug = slug_for("editor", payload)
        form = {**editor_fields(payload), "slug": slug, "csrf_token": csrf, "editing": "", "action": "save"}
        response = http.post("/editor/new", data=form)
        assert response.status_code == 303 and response.headers["location"].startswith(
            f"/editor/articles/{slug}?done=saved:{slug}&version=1&mac="
        )


# Loaded from the host's /static/ so that the DOM audit's rule (scripts only from /static/) holds for it too.
HOST_SCRIPT = """
for (const name of ["reader:load", "reader:error"]) {
  document.addEventListener(name, (event) => { event.target.dataset.state = name; });
}
"""


def host_page(reader: str, body: str, *, component: bool = False) -> str:
    script = (
        f'<script type="module" src="{reader}/static/reader-article.js"></script>'
        '<script src="/static/host.js"></script>'
        if component
        else ""
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host site</title>{script}</head>'
        f"<body><main><h1>Host site</h1>{body}</main></body></html>"
    )


def component(src: str, slug: str, **attributes: str) -> str:
    extra = "".join(f' {name}="{html.escape(value)}"' for name, value in attributes.items())
    return f'<reader-article src="{html.escape(src)}" data-slug="{slug}"{extra}></reader-article>'


def iframe(src: str) -> str:
    return f'<iframe src="{html.escape(src)}" width="320" height="120" title="An embedded article"></iframe>'
