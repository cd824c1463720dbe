"""Conditional requests and cache headers for article views (page, fragment, embed)."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response

from reader.models import Article

PUBLIC_CACHE = "public, max-age=300, stale-while-revalidate=86400"
# Pages without validators (the article list, the settings page): a shared cache keeps one a minute.
PAGE_CACHE = "public, max-age=60"
# Personal answers: never stored by a shared cache, revalidated by the browser (cheap 304s).
PRIVATE_CACHE = "private, no-cache"
# Everything the bytes of a page depend on besides the URL. Accept-Language only where it chooses the UI
# language: never for an article in a language reader's interface speaks, or with an embedding site's ?lang=
# (reader.i18n.ui_language), whose one answer a shared cache then keeps once, not once per browser language.
# Reader-Page-Lang there too: an htmx GET from a page drawn in another language is answered HX-Refresh
# (reader.htmx), and a shared cache that ignores the Back refresh's max-age=0 must not give it the page.
VARY = ("Cookie", "Reader-Prefs", "Accept-Language", "Reader-Page-Lang")
_NEGOTIATED = ("Accept-Language", "Reader-Page-Lang")


def article_etag(article: Article, build: str, *parts: str) -> str:
    """A strong validator over the article version and everything else the rendered bytes depend on."""
    digest = hashlib.blake2b(
        "\x1f".join((article.slug, str(article.version), article.updated_at, build, *parts)).encode(), digest_size=12
    ).hexdigest()
    return f'"{article.version}-{digest}"'


def last_modified(article: Article) -> dt.datetime:
    return dt.datetime.fromisoformat(article.updated_at.replace("Z", "+00:00"))


def etag_matches(request: Request[Any], etag: str) -> bool | None:
    """Whether the client's copy is `etag` (If-None-Match); None when it names none."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is None:
        return None
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates or "*" in candidates


def is_fresh(request: Request[Any], etag: str, modified: dt.datetime, *, personal: bool) -> bool:
    """True when the client's copy is current (If-None-Match, or If-Modified-Since for shared answers)."""
    matches = etag_matches(request, etag)
    if matches is not None:
        return matches
    # A date says nothing about which reader's settings a copy was made with, so only shared answers
    # are judged by date.
    if personal:
        return False
    if_modified_since = request.headers.get("if-modified-since")
    if not if_modified_since:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return modified.replace(microsecond=0) <= since


def shared_cache_headers(
    headers: MutableHeaders, *, personal: bool, public: str = PAGE_CACHE, negotiated: bool = True
) -> None:
    """Cache-Control and Vary on a page built from the reader's settings and language: shared caches may
    keep it only when the request carried no settings of the reader's own. `negotiated`: its UI language
    came from Accept-Language."""
    headers["cache-control"] = PRIVATE_CACHE if personal else public
    for header in VARY:
        if negotiated or header not in _NEGOTIATED:
            headers.add_vary_header(header)


def cache_headers(
    response: Response, etag: str, modified: dt.datetime, *, personal: bool, negotiated: bool = True
) -> Response:
    """Validators, Cache-Control and Vary on an article view."""
    response.headers["etag"] = etag
    response.headers["last-modified"] = format_datetime(modified.astimezone(dt.UTC), usegmt=True)
    shared_cache_headers(response.headers, personal=personal, public=PUBLIC_CACHE, negotiated=negotiated)
    return response


def not_modified(etag: str, modified: dt.datetime, *, personal: bool, negotiated: bool = True) -> Response:
    """A 304 answer carrying the same validators and caching headers as the full one."""
    return cache_headers(Response(status_code=304), etag, modified, personal=personal, negotiated=negotiated)
