"""Fuzzing every way in with hypothesis: cookies, query strings, slugs, forms, JSON bodies.

Every target is two tests: `test_fuzz_…` runs a few hundred cases in all in the default run, and
`test_fuzz_…_at_length` (the slow tier, `pytest -m slow`) 10,000 in all (EXAMPLES); both derandomized, so
that every run sends the same requests. Every answer must be below 500, and no HTML or XML answer may
contain the tag a case smuggled in (PROBE) verbatim. The requests go straight to the ASGI app
(tests/rawasgi.py) so that what arrives is what uvicorn would pass on, `..`, `%2F` and raw header bytes included.
"""

from __future__ import annotations

import dataclasses
import json
import string
from collections.abc import Callable, Coroutine, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reader.drafts import FIELDS as ARTICLE_FIELDS
from reader.prefs import CHOICES, FIELDS_BY_KEY, NUMERIC_STEPS, THEMES, fmt
from reader.readability import Thresholds
from reader.views.editor import FORM_FIELDS
from reader.work_budget import WorkBudget
from tests import rawasgi
from tests.conftest import EN_SLUG, SEED_SLUG, TABLE_SLUG, ServedApp, SignedIn

pytestmark = pytest.mark.anyio

PROBE = "<xss-probe"
# Cases per target: (the default run, the slow tier). The slow tier's split follows how many ways in each
# target has; the default run takes a twentieth of each.
EXAMPLES = {
    "cookies": (75, 1500),
    "query": (125, 2500),
    "slugs": (75, 1500),
    "preferences": (50, 1000),
    "login": (20, 400),
    "editor": (70, 1400),
    "readability": (40, 800),
    "put": (45, 900),
}

FuzzTarget = Callable[..., Coroutine[Any, Any, None]]


def fuzz(name: str, /, **strategies: st.SearchStrategy[Any]) -> Callable[[FuzzTarget], tuple[Any, Any]]:
    """A target given its strategies twice: as the default run's test and as the slow tier's."""

    def tiers(target: FuzzTarget) -> tuple[Any, Any]:
        quick, at_length = (
            settings(
                max_examples=examples,
                # One app and one client serve every case of a test: that is the point, not an accident.
                suppress_health_check=[
                    HealthCheck.function_scoped_fixture,
                    HealthCheck.too_slow,
                    HealthCheck.data_too_large,
                ],
            )(given(**strategies)(target))
            for examples in EXAMPLES[name]
        )
        return quick, pytest.mark.slow(at_length)

    return tiers


def test_the_budgets() -> None:
    default, slow = (sum(counts) for counts in zip(*EXAMPLES.values(), strict=True))
    assert 300 <= default <= 1000 and slow >= 10_000


# --- strategies -------------------------------------------------------------------------------------

SPECIAL = [
    "",
    ".",
    "..",
    "...",
    "%",
    "%%",
    "%zz",
    "%2F",
    "%2f",
    "%5C",
    "%00",
    "%2e%2e",
    "..%2F..%2F",
    "/",
    "//",
    "\\",
    "\\\\evil",
    "\x00",
    "\r\n",
    "\t",
    "\u202e",
    "\ufeff",
    "\u0301",
    "Bắc Kạn",
    "Đ",
    "\U0001f600",
    "ﬁ",
    "İ",
    "a" * 10_240,
    "-",
    "a--b",
    "-a",
    "1e999",
    "NaN",
    "-1",
    "0",
    "99999999999999999999",
    "²",  # digits to str.isdigit(), not to int()
    "①",
    "٣٠٠",  # digits to both, in another script
    "true",
    "null",
    "{}",
    "[]",
    "javascript:alert(1)",
    "//evil.com",
    "https://evil.com",
    "/\\evil.com",
    f"http://testserver/articles/{SEED_SLUG}",
    "http://testserver/embed/x",
    "1|s:400|t:dark",
    "1|fg:000000|bg:ffffff",
    "#000000",
    "000000-ffffff",
]
probed = st.builds(lambda a, b: f"{a}{PROBE} onload='x'>{b}", st.text(max_size=8), st.text(max_size=8))
# 10 KB and more: over every length limit (slugs, titles, cookies); built lazily to keep reports short.
long_texts = st.integers(min_value=10_240, max_value=12_000).map(lambda n: "a" * n)
texts = st.one_of(
    st.text(), st.sampled_from(SPECIAL), probed, st.lists(st.sampled_from(SPECIAL)).map("".join), long_texts
)


def header_bytes(value: str) -> bytes:
    """What a client can put in a header: no NUL, CR, LF or other controls (the server refuses those)."""
    raw = value.encode("utf-8")
    return bytes(b for b in raw if b == 9 or (b >= 32 and b != 127)).strip(b" \t")


header_values = texts.map(header_bytes)
PREF_TOKENS = [fmt(step) for steps in NUMERIC_STEPS.values() for step in steps] + [
    value for choices in CHOICES.values() for value in choices
]
pref_cookies = st.lists(
    st.one_of(
        st.sampled_from(["1", "2", ""]),
        st.builds(
            lambda key, value: f"{key}:{value}",
            st.one_of(st.sampled_from(sorted(FIELDS_BY_KEY)), st.text(max_size=3)),
            st.one_of(st.sampled_from(PREF_TOKENS), texts),
        ),
    ),
    max_size=14,
).map("|".join)
COOKIE_NAMES = ["reader_prefs", "reader_session", "reader_login_csrf", "x"]
cookie_pairs = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(COOKIE_NAMES), st.text(max_size=6)),
        st.one_of(pref_cookies, texts, st.builds(lambda a, b: f"{a}.{b}", texts, st.text(string.hexdigits))),
    ),
    max_size=5,
)

QUERY_NAMES = [
    "page", "per_page", "lang", "panel", "size", "theme", "settings", "url", "format", "maxwidth", "maxheight",
    "next", "done", "mac", "version", "ui_lang", "v",
]  # fmt: skip
query_pairs = st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=6)), texts), max_size=6)
WIRE_CHARS = string.ascii_letters + string.digits + "%&=+;,/?:@!$'()*-._~[]"
queries = st.one_of(
    query_pairs.map(lambda pairs: urlencode(pairs).encode("ascii")),
    # Without encoding: stray %, &, = and non-ASCII bytes, as a careless client sends them.
    st.text(alphabet=WIRE_CHARS).map(str.encode),
    st.binary(max_size=40).map(lambda raw: bytes(b for b in raw if b > 32 and b not in b"# \x7f")),
)
slugs = st.one_of(
    st.text(),
    st.sampled_from(SPECIAL),
    long_texts,
    st.lists(st.sampled_from(SPECIAL + ["a", "b-c", SEED_SLUG]), max_size=6).map("".join),
    st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,6}){0,3}", fullmatch=True),
    st.sampled_from([SEED_SLUG, EN_SLUG, TABLE_SLUG]),
)
HTML_PIECES = [
    "<p>", "</p>", "<h1>", "<h2>", "<h4>", "</h2>", "<table><tr><td>", "</td></tr></table>", "<ul><li>", "</ul>",
    "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>", "</a>", "<script>alert(1)</script>",
    "<style>*{}</style>", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&nbsp;", "<br>", "<svg onload=x>",
    "<math><mi>", "<template>", "<iframe src=//evil>", "<", ">", "\"", "'",
]  # fmt: skip
html_bodies = st.lists(st.one_of(st.sampled_from(HTML_PIECES), texts), max_size=25).map("".join)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**30), st.floats(), texts)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
raw_json_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"{",
            b"[" * 100_000 + b"]" * 100_000,
            b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
            b"1" * 5000,
            b'{"lang": "en", "text": "x", "thresholds": {"section_words": ' + b"9" * 5000 + b"}}",
            b'{"lang": "vi", "text": "\xff\xfe"}',
            b'"\\ud800"',
            b"NaN",
            b"\xef\xbb\xbf{}",
        ]
    ),  # fmt: skip
)
THRESHOLD_NAMES = [f.name for f in dataclasses.fields(Thresholds)]
languages = st.one_of(st.sampled_from(["vi", "en", "en-GB", "vi-VN", "fr", "", "EN", "x-klingon"]), texts)


def mostly(plausible: st.SearchStrategy[Any], junk: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Three cases in four plausible (so that they get past validation to the code behind it), one junk."""
    return st.integers(min_value=0, max_value=3).flatmap(lambda n: junk if n == 0 else plausible)


ui_languages = st.sampled_from(["vi", "en"])


@pytest.fixture
async def api_token(app: ServedApp) -> str:
    token = await app.state["accounts"].create_token("fuzz")
    return token


def check(answer: rawasgi.Answer, what: object) -> None:
    event(f"status {answer.status}")  # --hypothesis-show-statistics shows how far the cases got
    assert answer.status < 500, f"{what!r} -> {answer.status}: {answer.body[:800]!r}"
    if answer.content_type in (b"text/html", b"text/xml", b"application/xml"):
        assert PROBE.encode() not in answer.body, f"{what!r} reflected the probe unescaped"


def wire(text: str, *, loose: bool) -> str:
    """A path segment as sent: fully percent-encoded, or "as typed" (%, / and . left alone)."""
    return quote(text, safe="/%." if loose else "")


def form_body(fields: Sequence[tuple[str, str]], as_multipart: bool) -> tuple[bytes, bytes]:
    if as_multipart:
        return rawasgi.multipart(fields)
    return b"application/x-www-form-urlencoded", urlencode(fields).encode("ascii")


# --- GET routes: cookies, query strings, slugs --------------------------------------------------------

GET_ROUTES = [
    "/", "/articles/{slug}", "/articles/{slug}/fragment", "/embed/{slug}", "/oembed", "/preferences",
    "/preferences/current", "/preferences/colors/000000-ffffff.css", "/healthz", "/editor/login", "/editor/",
    "/editor/new",
    "/editor/import", "/editor/articles/{slug}", "/editor/articles/{slug}/delete", "/editor/articles/{slug}/check",
    "/editor/articles/{slug}/preview", "/editor/preview/{slug}", "/editor/deleted", "/editor/deleted/{slug}",
    "/api/articles", "/api/articles/{slug}",
    "/api/articles/{slug}/readability",
    "/api/openapi.json", "/static/css/reader.css",
]  # fmt: skip
SLUG_ROUTES = [route for route in GET_ROUTES if "{slug}" in route] + ["/preferences/colors/{slug}.css"]
ACCEPT_LANGUAGES = st.one_of(st.sampled_from([b"vi", b"en-GB,en;q=0.9", b"*", b"en;q=0", b"fr, en;q=2"]), header_values)


@fuzz(
    "cookies",
    route=st.sampled_from(GET_ROUTES),
    pairs=cookie_pairs,
    raw_cookie=st.none() | header_values,
    prefs_header=st.none() | pref_cookies.map(header_bytes),
    as_editor=st.booleans(),
    accept_language=st.none() | ACCEPT_LANGUAGES,
)
async def fuzz_cookies(
    app: ServedApp,
    editor: SignedIn,
    route: str,
    pairs: list[tuple[str, str]],
    raw_cookie: bytes | None,
    prefs_header: bytes | None,
    as_editor: bool,
    accept_language: bytes | None,
) -> None:
    cookie = raw_cookie if raw_cookie is not None else header_bytes("; ".join(f"{k}={v}" for k, v in pairs))
    if as_editor:
        cookie = editor.cookie.encode() + b"; " + cookie
    headers = [(b"cookie", cookie)]
    if prefs_header is not None:
        headers.append((b"reader-prefs", prefs_header))
    if accept_language is not None:
        headers.append((b"accept-language", accept_language))
    path = route.replace("{slug}", SEED_SLUG)
    check(await rawasgi.request(app, "GET", path, headers=headers), (path, headers))


test_fuzz_cookies, test_fuzz_cookies_at_length = fuzz_cookies


@fuzz(
    "query",
    route=st.sampled_from(GET_ROUTES),
    query=queries,
    as_editor=st.booleans(),
    extra=st.sampled_from([b"", b"hx-request", b"if-none-match", b"origin"]),
    extra_value=header_values,
)
async def fuzz_query_parameters(
    app: ServedApp, editor: SignedIn, route: str, query: bytes, as_editor: bool, extra: bytes, extra_value: bytes
) -> None:
    headers = [(b"cookie", editor.cookie.encode())] if as_editor else []
    if extra:
        headers.append((extra, b"true" if extra == b"hx-request" else extra_value))
    path = route.replace("{slug}", SEED_SLUG)
    check(await rawasgi.request(app, "GET", path, query=query, headers=headers), (path, query, headers))


test_fuzz_query_parameters, test_fuzz_query_parameters_at_length = fuzz_query_parameters


@fuzz(
    "slugs",
    route=st.sampled_from(SLUG_ROUTES),
    slug=slugs,
    loose=st.booleans(),
    as_editor=st.booleans(),
    htmx=st.booleans(),
)
async def fuzz_slugs(
    app: ServedApp, editor: SignedIn, route: str, slug: str, loose: bool, as_editor: bool, htmx: bool
) -> None:
    path = route.replace("{slug}", wire(slug, loose=loose))
    headers = [(b"cookie", editor.cookie.encode())] if as_editor else []
    if htmx:
        headers.append((b"hx-request", b"true"))
    check(await rawasgi.request(app, "GET", path, headers=headers), (path, as_editor))


test_fuzz_slugs, test_fuzz_slugs_at_length = fuzz_slugs


# --- forms ----------------------------------------------------------------------------------------

PREF_FIELDS = [
    *NUMERIC_STEPS, *CHOICES, "underline_links", "text_color", "background_color", "colors", "action", "settings",
    "next", "view", "panel", "host_size", "host_theme", "host_lang",
]  # fmt: skip
PREF_VALUES = st.one_of(
    texts,
    st.sampled_from(PREF_TOKENS + list(THEMES) + ["bigger", "smaller", "reset", "preset-spacing", "apply-shared"]),
    st.sampled_from(["page", "fragment", "embed", "open", "on", "off", f"/articles/{SEED_SLUG}", "/preferences"]),
)
ORIGINS = st.sampled_from([None, b"http://testserver", b"https://evil.example", b"null", b""])
FETCH_SITES = st.sampled_from([None, b"same-origin", b"cross-site", b"same-site", b"none"])


@fuzz(
    "preferences",
    fields=st.lists(st.tuples(st.one_of(st.sampled_from(PREF_FIELDS), st.text(max_size=6)), PREF_VALUES), max_size=45),
    next_path=st.one_of(texts, st.builds(lambda path: "/" + path, texts)),
    as_multipart=st.booleans(),
    htmx=st.booleans(),
    origin=ORIGINS,
    fetch_site=FETCH_SITES,
    cookie=st.none() | pref_cookies,
)
async def fuzz_preference_forms(
    app: ServedApp,
    fields: list[tuple[str, str]],
    next_path: str,
    as_multipart: bool,
    htmx: bool,
    origin: bytes | None,
    fetch_site: bytes | None,
    cookie: str | None,
) -> None:
    content_type, body = form_body([*fields, ("next", next_path)], as_multipart)
    headers = [(b"content-type", content_type)]
    if htmx:
        headers.append((b"hx-request", b"true"))
    if origin is not None:
        headers.append((b"origin", origin))
    if fetch_site is not None:
        headers.append((b"sec-fetch-site", fetch_site))
    if cookie is not None:
        headers.append((b"cookie", b"reader_prefs=" + header_bytes(cookie)))
    answer = await rawasgi.request(app, "POST", "/preferences", headers=headers, body=body)
    check(answer, (fields, headers))
    location = answer.header(b"location") or answer.header(b"hx-redirect")
    if location is not None:
        assert location.startswith(b"/") and not location.startswith((b"//", b"/\\")), location


test_fuzz_preference_forms, test_fuzz_preference_forms_at_length = fuzz_preference_forms


@fuzz(
    "login",
    name=texts,
    password=texts,
    next_field=texts,
    next_query=st.none() | texts,
    csrf_matches=st.booleans(),
    as_multipart=st.booleans(),
    origin=ORIGINS,
)
async def fuzz_login_form(
    app: ServedApp,
    name: str,
    password: str,
    next_field: str,
    next_query: str | None,
    csrf_matches: bool,
    as_multipart: bool,
    origin: bytes | None,
) -> None:
    fields = [("name", name), ("password", password), ("next", next_field), ("csrf_token", "tok")]
    content_type, body = form_body(fields, as_multipart)
    cookie = b"reader_login_csrf=" + (b"tok" if csrf_matches else b"other")
    headers = [(b"content-type", content_type), (b"cookie", cookie)]
    if origin is not None:
        headers.append((b"origin", origin))
    query = urlencode({"next": next_query}).encode() if next_query is not None else b""
    answer = await rawasgi.request(app, "POST", "/editor/login", query=query, headers=headers, body=body)
    check(answer, fields)
    form = await rawasgi.request(app, "GET", "/editor/login", query=query)
    check(form, query)


test_fuzz_login_form, test_fuzz_login_form_at_length = fuzz_login_form


DEMO_SLUGS = (SEED_SLUG, EN_SLUG, TABLE_SLUG)
EDITOR_ENDPOINTS = ["new", "edit", "preview", "delete", "undelete", "import", "logout"]
BODY_FORMATS = st.sampled_from(["markdown", "html", "", "rtf"])
UPLOAD_NAMES = st.one_of(
    st.sampled_from(["a.json", "b.md", "c.html", "../../etc/passwd.json", "x\x00.md", "C:\\temp\\d.htm", ".md", ""]),
    st.builds(lambda stem, suffix: stem + suffix, st.text(max_size=10), st.sampled_from([".json", ".md", ".html"])),
)
upload_contents = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.builds(
        lambda meta, body: f"---\n{meta}\n---\n# {body}\n{body}".encode(),
        st.sampled_from(
            ["title: T\nlang: en", "lang: vi", "title: [", "- a", "published: 2020-13-45", "x: " + "[" * 3000, ""]
        ),
        texts,
    ),
    html_bodies.map(lambda html: f"<html lang='en'><title>T</title><body>{html}</body></html>".encode()),
    raw_json_bodies,
)


plausible_editor_fields = st.fixed_dictionaries(
    {
        "title": st.text(min_size=1, max_size=80),
        "slug": st.one_of(st.just(""), st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,6}){0,3}", fullmatch=True)),
        "summary": st.text(max_size=200),
        "author": st.text(max_size=40),
        "published": st.sampled_from(["", "2026-01-02", "2026-01-02T03:04:05+07:00"]),
        "source_url": st.sampled_from(["", "https://example.com/a"]),
    },
    optional={"action": st.sampled_from(["save", "preview"])},
)
junk_editor_fields = st.fixed_dictionaries(
    {key: texts for key in FORM_FIELDS},
    optional={"action": st.sampled_from(["save", "preview", "x"]), "editing": slugs},
)


@fuzz(
    "editor",
    endpoint=st.sampled_from(EDITOR_ENDPOINTS),
    values=mostly(plausible_editor_fields, junk_editor_fields),
    body_format=BODY_FORMATS,
    lang=mostly(ui_languages, languages),
    body=st.one_of(texts, html_bodies),
    slug=mostly(st.sampled_from([EN_SLUG, TABLE_SLUG]), slugs),
    csrf_valid=mostly(st.just(True), st.just(False)),
    files=st.lists(st.tuples(UPLOAD_NAMES, upload_contents), max_size=3),
    htmx=st.booleans(),
)
async def fuzz_editor_forms(
    app: ServedApp,
    editor: SignedIn,
    endpoint: str,
    values: dict[str, str],
    body_format: str,
    lang: str,
    body: str,
    slug: str,
    csrf_valid: bool,
    files: list[tuple[str, bytes]],
    htmx: bool,
) -> None:
    # Logging out for real would end the session every later case relies on; its CSRF check is what is fuzzed.
    csrf = editor.csrf if csrf_valid and endpoint != "logout" else "not-the-token"
    fields = {**values, "body_format": body_format, "lang": lang, "body": body, "csrf_token": csrf}
    path = {
        "new": "/editor/new",
        "edit": f"/editor/articles/{wire(slug, loose=False)}",
        "preview": "/editor/preview",
        # The demo articles must survive for the other cases; any other slug may be deleted.
        "delete": f"/editor/articles/{wire(slug if slug not in DEMO_SLUGS else 'x', loose=False)}/delete",
        # Any slug: one never deleted is not found; a deleted one is asked about again (no version is sent).
        "undelete": f"/editor/deleted/{wire(slug, loose=False)}",
        "import": "/editor/import",
        "logout": "/editor/logout",
    }[endpoint]
    if endpoint == "import":
        content_type, payload = rawasgi.multipart(
            [("csrf_token", csrf)], [("files", name, content) for name, content in files]
        )
    elif endpoint == "logout":
        content_type, payload = rawasgi.multipart([("csrf_token", csrf)])
    else:
        content_type, payload = rawasgi.multipart(list(fields.items()))
    headers = [(b"content-type", content_type), (b"cookie", editor.cookie.encode())]
    if htmx:
        headers.append((b"hx-request", b"true"))
    answer = await rawasgi.request(app, "POST", path, headers=headers, body=payload)
    check(answer, (path, fields, files))


test_fuzz_editor_forms, test_fuzz_editor_forms_at_length = fuzz_editor_forms


# --- JSON API -------------------------------------------------------------------------------------

readability_documents = st.fixed_dictionaries(
    {},
    optional={
        "lang": st.one_of(languages, json_values),
        "text": st.one_of(texts, json_values),
        "html": st.one_of(html_bodies, json_values),
        "ui_lang": st.one_of(st.sampled_from(["vi", "en", "fr"]), json_values),
        "thresholds": st.one_of(
            st.dictionaries(st.one_of(st.sampled_from(THRESHOLD_NAMES), st.text(max_size=5)), json_scalars),
            json_values,
        ),
    },
)
plausible_readability = st.builds(
    lambda lang, field, body, extra: {"lang": lang, field: body, **extra},
    st.sampled_from(["vi", "en", "en-GB", "vi-VN"]),
    st.sampled_from(["text", "html"]),
    st.one_of(texts, html_bodies),
    st.fixed_dictionaries(
        {},
        optional={
            "ui_lang": ui_languages,
            "thresholds": st.dictionaries(st.sampled_from(THRESHOLD_NAMES), st.integers(min_value=-5, max_value=10**6)),
        },
    ),
)
JSON_TYPES = mostly(
    st.just(b"application/json"), st.sampled_from([b"application/json; charset=utf-8", b"text/plain", None])
)


def json_bodies(plausible: st.SearchStrategy[Any], fields: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """Request bodies: mostly plausible documents, else documents of any fields, any JSON, or broken bytes."""
    junk = st.one_of(fields.map(json.dumps), json_values.map(json.dumps)).map(str.encode) | raw_json_bodies
    return mostly(plausible.map(json.dumps).map(str.encode), junk)


@fuzz(
    "readability",
    body=json_bodies(plausible_readability, readability_documents),
    content_type=JSON_TYPES,
    accept_language=st.none() | ACCEPT_LANGUAGES,
)
async def fuzz_readability_api(
    app: ServedApp, body: bytes, content_type: bytes | None, accept_language: bytes | None
) -> None:
    # Every case reaches the report, however many came before from this one address (reader.work_budget).
    app.state["report_budget"] = WorkBudget(burst=1 << 40, rate=1 << 40)
    headers = [(b"content-type", content_type)] if content_type else []
    if accept_language is not None:
        headers.append((b"accept-language", accept_language))
    check(await rawasgi.request(app, "POST", "/api/readability", headers=headers, body=body), body[:300])


test_fuzz_readability_api, test_fuzz_readability_api_at_length = fuzz_readability_api


article_documents = st.fixed_dictionaries(
    {},
    optional={
        **{name: st.one_of(texts, json_values) for name in ARTICLE_FIELDS},
        "lang": st.one_of(languages, json_values),
        "body_html": st.one_of(html_bodies, json_values),
        "published": st.one_of(st.sampled_from(["2026-01-02", "2026-02-30", "2026-01-02T03:04:05+07:00"]), texts),
        "source_url": st.one_of(st.sampled_from(["https://example.com/a", "javascript:alert(1)", "//x"]), texts),
    },
)


plausible_articles = st.builds(
    lambda title, lang, field, body, extra: {"title": title, "lang": lang, field: body, **extra},
    mostly(st.text(min_size=1), texts),
    st.sampled_from(["vi", "en", "en-GB"]),
    st.sampled_from(["body_html", "body_markdown"]),
    st.one_of(html_bodies, texts),
    st.fixed_dictionaries(
        {},
        optional={
            "summary": texts,
            "author": texts,
            "published": st.sampled_from(["2026-01-02", "2026-02-30", "2026-01-02T03:04:05+07:00", "soon"]),
            "source_url": st.sampled_from(["https://example.com/a", "javascript:alert(1)", "//x", "http://"]),
        },
    ),
)
plausible_slugs = st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,6}){0,3}", fullmatch=True)


@fuzz(
    "put",
    slug=mostly(plausible_slugs, slugs),
    body=json_bodies(plausible_articles, article_documents),
    authorization=mostly(st.just("valid"), st.sampled_from(["wrong", "none", "basic"])),
    content_type=JSON_TYPES,
)
async def fuzz_put_article(
    app: ServedApp,
    editor: SignedIn,
    api_token: str,
    slug: str,
    body: bytes,
    authorization: str,
    content_type: bytes | None,
) -> None:
    headers = [(b"content-type", content_type)] if content_type else []
    credentials = {"valid": f"Bearer {api_token}", "wrong": "Bearer rdr_wrong", "basic": "Basic eDp5", "none": ""}
    if authorization != "none":
        headers.append((b"authorization", credentials[authorization].encode()))
    path = f"/api/articles/{wire(slug, loose=False)}"
    answer = await rawasgi.request(app, "PUT", path, headers=headers, body=body)
    check(answer, (path, body[:300]))
    if answer.status in (200, 201):
        # Whatever was stored must come out escaped on every page that shows it.
        stored = json.loads(answer.body)["slug"]
        for page in ("/articles/{}", "/articles/{}/fragment", "/embed/{}", "/editor/articles/{}/check"):
            shown = page.format(stored)
            check(
                await rawasgi.request(app, "GET", shown, headers=[(b"cookie", editor.cookie.encode())]),
                (shown, body[:300]),
            )


test_fuzz_put_article, test_fuzz_put_article_at_length = fuzz_put_article
