"""What reader tells search engines' crawlers: robots.txt, from the route table (the sitemap is
reader.views.sitemap)."""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from reader.kinds import Mount, RouteIndex
from reader.state import Request
from reader.web import path_for, public_base

# It changes with a release (the route table) or reader's address (READER_PUBLIC_URL, else the request's, in
# the Sitemap line; a cache keys it by that address too): a day in any cache.
ROBOTS_CACHE = "public, max-age=86400"


def robots_lines(index: RouteIndex, sitemap_url: str) -> list[str]:
    """Every mount whose answers are not for search engines (the editor, the API), kept out of crawls, and
    where the sitemap is. A single route of that kind (an article's fragment or embed) is not kept out: a
    crawler that may not fetch it cannot see its `noindex`, and would list its address with no page behind it."""
    mounts = [route for route in index.routes if isinstance(route, Mount) and not route.kind.indexed]
    return ["User-agent: *", *(f"Disallow: {mount.path}/" for mount in mounts), "", f"Sitemap: {sitemap_url}"]


async def robots_txt(request: Request) -> Response:
    # The protocol wants the sitemap's address absolute.
    sitemap_url = public_base(request) + path_for(request, "sitemap")
    body = "\n".join(robots_lines(request.state["routes"], sitemap_url)) + "\n"
    return PlainTextResponse(body, headers={"cache-control": ROBOTS_CACHE})
