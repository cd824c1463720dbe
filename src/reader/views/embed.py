"""Embedding by iframe: the /embed page and oEmbed (https://oembed.com), with its discovery links."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from xml.sax.saxutils import escape

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from reader.http_cache import article_etag, is_fresh, last_modified
from reader.prefs import Preferences
from reader.settings import canonical_netloc
from reader.slugs import is_valid_slug
from reader.state import Request
from reader.views.common import article_view, host_query, host_settings, load_article
from reader.views.moved import ArticleMoved, moved_to
from reader.web import path_for, public_base, xml_text

# The pages an oEmbed consumer may ask about: an article's page and its embed.
_EMBEDDABLE_PAGES = ("article", "embed")
DEFAULT_WIDTH = 600
DEFAULT_HEIGHT = 800
# As long as an article view is kept (reader.http_cache): a changed title reaches consumers as soon.
OEMBED_CACHE_AGE = 300
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "'": "&#x27;"}


def discovery_links(request: Request, page: str, slug: str, query: str = "") -> dict[str, str]:
    """The oEmbed discovery URLs (JSON and XML) for the <head> of one of _EMBEDDABLE_PAGES (the article's page
    or its embed), `query` being the page's defaults its address carries (the embed's ?size=…&theme=…&lang=…),
    which oembed() passes on to the frame."""
    base = public_base(request)
    page_url = base + path_for(request, page, slug=slug) + ("?" + query if query else "")
    endpoint = base + path_for(request, "oembed") + "?"
    return {
        "json": endpoint + urlencode({"url": page_url, "format": "json"}),
        "xml": endpoint + urlencode({"url": page_url, "format": "xml"}),
    }


def embed_extras(request: Request, slug: str, base: Preferences, host_lang: str | None) -> dict[str, Any]:
    """What the embed page (embed.html) shows beyond the article's context: its oEmbed discovery, naming the
    embed as reader writes its address: the page's defaults it takes, and nothing else (not a reader's own
    `prefs` or `panel`, which oembed() leaves out of the frame as well)."""
    return {"oembed": discovery_links(request, "embed", slug, urlencode(host_query(base, host_lang)))}


async def embed_page(request: Request) -> Response:
    """A minimal page (toolbar + article) for iframes; it reports its height to the embedding page."""
    # Framed by READER_FRAME_ANCESTORS (by default the embedding allowlist): the route's kind, reader.kinds.EMBED.
    extra = embed_extras(request, request.path_params["slug"], *host_settings(request.query_params))
    panel_open = request.query_params.get("panel") == "open"
    return await article_view(request, "embed", "embed.html", extra, panel_open=panel_open)


# A consumer's maxwidth / maxheight: oEmbed's sizes are whole pixels, but consumers that compute them send
# "300.7" (a layout's width), "300.3333333333333" (a third of one, as a script prints it) or "1e3" (a number
# printed by a script): read as the number written, in ASCII digits only, with any number of decimals, and
# rounded down, so the frame never exceeds it. Anything else is no limit, as before. The whole-number part
# is capped in length (_DIMENSION_CHARS: a huge number is no size), not the decimals, which any number of
# leaves the value as written ("300." and 29 zeros is 300); reading them is linear, within the target's 8 KiB.
_DIMENSION = re.compile(r"[0-9]{1,6}(?:\.[0-9]+)?(?:[eE]\+?[0-9])?")
_DIMENSION_CHARS = 32


def _dimension(raw: str | None, default: int) -> int:
    # oEmbed: a rich embed must respect the consumer's maxwidth / maxheight; 0 (or less than 1 px) asks for
    # nothing (an iframe 1 px wide, it used to give), so it is taken as no limit, like a value that is no number.
    text = raw.strip() if raw is not None else ""
    # Decimal, not float: "299.99999999999999999" is below 300, which a float rounds up to before the floor.
    readable = len(text.partition(".")[0]) <= _DIMENSION_CHARS and _DIMENSION.fullmatch(text)
    asked = math.floor(Decimal(text)) if readable else None
    return default if asked is None or asked < 1 else min(default, asked)


def _oembed_cache(etag: str, modified: dt.datetime) -> dict[str, str]:
    return {
        "cache-control": f"public, max-age={OEMBED_CACHE_AGE}",
        "etag": etag,
        "last-modified": format_datetime(modified.astimezone(dt.UTC), usegmt=True),
    }


async def oembed(request: Request) -> Response:
    """oEmbed for an article URL: a rich iframe embed, as JSON or XML."""
    params = request.query_params
    fmt = params.get("format", "json")
    url = params.get("url", "")
    if not url.strip():
        raise HTTPException(status_code=400)  # a question about nothing, not about an article that is not here
    try:
        parts = urlsplit(url)
    except ValueError:
        # Not a URL at all (an unbalanced or bad IPv6 bracket: `http://[::1/articles/x`), so none of ours.
        raise HTTPException(status_code=404) from None
    base_parts = urlsplit(public_base(request))
    own = canonical_netloc(base_parts.scheme, base_parts.netloc)
    # One trailing slash is forgiven, as consumers sometimes add it.
    found = request.state["routes"].find("GET", parts.path.removesuffix("/") if parts.path != "/" else "/")
    slug = found.params.get("slug", "") if found is not None and found.route.name in _EMBEDDABLE_PAGES else ""
    # The host in any case, as the scheme (which urlsplit lowers): both are case-insensitive (RFC 3986,
    # 6.2.2.1), and with or without its scheme's default port (6.2.3). The path is not.
    asked = canonical_netloc(parts.scheme, parts.netloc)
    if parts.scheme not in ("http", "https") or asked != own or not is_valid_slug(slug):
        raise HTTPException(status_code=404)
    if fmt not in ("json", "xml"):
        raise HTTPException(status_code=501)
    try:
        article = await load_article(request, slug)
    except ArticleMoved as moved:
        # The same question about the article's page (or embed) at its new address.
        assert found is not None  # it named an article
        new_url = parts._replace(path=path_for(request, str(found.route.name), slug=moved.slug)).geturl()
        query = [(key, new_url if key == "url" else value) for key, value in params.multi_items()]
        return moved_to(request, path_for(request, "oembed") + "?" + urlencode(query))
    width = _dimension(params.get("maxwidth"), DEFAULT_WIDTH)
    height = _dimension(params.get("maxheight"), DEFAULT_HEIGHT)
    base = public_base(request)
    page_url = base + path_for(request, "article", slug=article.slug)
    # The page's defaults the URL asked about names (/embed/{slug}?size=150&theme=dark&lang=en) go on to the
    # frame, as the embed reads them: what it would ignore is left out, and nothing is copied as it was sent.
    defaults = urlencode(host_query(*host_settings(QueryParams(parts.query))))
    embed_url = base + path_for(request, "embed", slug=article.slug) + ("?" + defaults if defaults else "")
    # Consumers insert this markup into their pages as it is. Without READER_PUBLIC_URL its address comes
    # from the request's Host header, which a client chooses; it may be cached publicly all the same, since
    # the `url` asked about must name that same host (checked above), so an answer for a forged host is kept
    # only under a URL naming the forged host, which no consumer of the real one asks for.
    title, page_attr, embed_attr, lang = (
        escape(value, _ATTRIBUTE_ENTITIES) for value in (article.title, page_url, embed_url, article.lang)
    )
    # frameborder="0", obsolete in HTML, is kept: consumers insert this markup into pages that need not style
    # iframes, where without it every embed gets a 2 px inset border and a box 4 px wider than maxwidth; a style
    # attribute instead may be refused by the consumer's CSP, and WordPress's own oEmbed markup sends it too.
    # The title is in the article's language, on a page that may be in another (WCAG 3.1.2): lang on the link's
    # blockquote and on the frame, whose title attribute is its name (the frame's own document has its lang).
    # WordPress keeps neither (wp_filter_oembed_result allows a few attributes): for other consumers.
    html = (
        f'<blockquote class="reader-embed-fallback" lang="{lang}"><a href="{page_attr}">{title}</a></blockquote>'
        f'<iframe src="{embed_attr}" width="{width}" height="{height}" frameborder="0" title="{title}" '
        f'lang="{lang}" loading="lazy"></iframe>'
    )
    data: dict[str, Any] = {
        "type": "rich",
        "version": "1.0",
        "title": article.title,
        "provider_name": "reader",
        "provider_url": base + path_for(request, "index"),
        "cache_age": OEMBED_CACHE_AGE,
        "width": width,
        "height": height,
        "html": html,
    }
    # Optional fields are left out rather than sent empty (consumers would show an empty byline).
    if article.author:
        data["author_name"] = article.author
    # Validators as on the article's views: a consumer (or a shared cache) asks again and gets a 304 while the
    # article and everything else the answer depends on stay the same.
    etag = article_etag(article, request.state["build"], "oembed", fmt, str(width), str(height), base, defaults)
    modified = last_modified(article)
    if is_fresh(request, etag, modified, personal=False):
        return Response(status_code=304, headers=_oembed_cache(etag, modified))
    headers = _oembed_cache(etag, modified)
    if fmt == "json":
        return JSONResponse(data, headers=headers, media_type="application/json")
    fields = "".join(f"<{key}>{escape(xml_text(str(value)))}</{key}>" for key, value in data.items())
    xml = f'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<oembed>{fields}</oembed>\n'
    return Response(xml, media_type="text/xml", headers=headers)
