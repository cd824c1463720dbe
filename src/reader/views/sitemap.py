"""The sitemap (sitemaps.org protocol 0.9): every article's page, for search engines' crawlers."""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.responses import Response

from reader.digits import ascii_number
from reader.state import Request
from reader.web import path_for, public_base

# Addresses in one sitemap file (the protocol allows 50,000): more articles than this, and /sitemap.xml is an
# index of files of this many, newest first (/sitemap.xml?page=2 …). Kept well under the limit so that a
# file is rendered in a fraction of a second when the answer cache has to.
URLS_PER_FILE = 10_000
MEDIA_TYPE = "application/xml; charset=utf-8"
# Crawlers fetch it now and then; an article's page is current long before they come back.
SITEMAP_CACHE = "public, max-age=3600"


def _lastmod(when: dt.datetime) -> str:
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


async def sitemap(request: Request) -> Response:
    """The articles' pages with when each last changed; an index of such files when they are many."""
    raw_page = request.query_params.get("page")
    page = ascii_number(raw_page, 6) if raw_page is not None else None
    if raw_page is not None and (page is None or page < 1):
        raise HTTPException(status_code=404)
    listing = await request.state["store"].list_articles(page=page or 1, per_page=URLS_PER_FILE)
    if page is not None and page > listing.pages:
        raise HTTPException(status_code=404)
    base = public_base(request)
    own = base + path_for(request, "sitemap")
    templates = request.state["templates"]
    if page is None and listing.pages > 1:
        files = [f"{own}?page={number}" for number in range(1, listing.pages + 1)]
        xml = templates.render("sitemap_index.xml", "en", files=files)
    else:
        urls = [(base + path_for(request, "article", slug=item.slug), _lastmod(item.updated)) for item in listing.items]
        xml = templates.render("sitemap.xml", "en", urls=urls)
    return Response(xml, media_type=MEDIA_TYPE, headers={"cache-control": SITEMAP_CACHE})
