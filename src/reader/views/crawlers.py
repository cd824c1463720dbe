"""What reader tells search engines' crawlers: robots.txt, from the route table."""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from reader.kinds import Mount, RouteIndex
from reader.state import Request

# It changes only with a release (the route table): a day in any cache.
ROBOTS_CACHE = "public, max-age=86400"


def robots_lines(index: RouteIndex) -> list[str]:
    """Every mount whose answers are not for search engines (the editor, the API), kept out of crawls. A
    single route of that kind (an article's fragment or embed) is not: a crawler that may not fetch it cannot
    see its `noindex`, and would list its address with no page behind it."""
    mounts = [route for route in index.routes if isinstance(route, Mount) and not route.kind.indexed]
    return ["User-agent: *", *(f"Disallow: {mount.path}/" for mount in mounts)]


async def robots_txt(request: Request) -> Response:
    body = "\n".join(robots_lines(request.state["routes"])) + "\n"
    return PlainTextResponse(body, headers={"cache-control": ROBOTS_CACHE})
