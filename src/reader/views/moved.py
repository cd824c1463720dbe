"""Renamed articles: a request for an address an article had before answers with a permanent redirect to the
same route at its new address, its query kept (reader.store's rename_article keeps the old addresses).

The redirect comes from the route the request was for, through every layer that route's kind adds: the
fragment's redirect carries the same CORS grant as the fragment (the <reader-article> component fetches it
from another site, and a browser drops a cross-origin redirect that does not grant it), the embed's the same
framing.
"""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from reader.kinds import Kind, route_of
from reader.models import Article
from reader.state import Request

# As long as a shared cache or a browser keeps an article view (reader.http_cache.PUBLIC_CACHE): a redirect
# kept longer would outlive a rename back (which takes the redirect away) and send readers in a circle.
REDIRECT_CACHE = "public, max-age=300"
# API answers are not kept by shared caches; a redirect is not either (301 and 308 may be kept by default).
UNSHARED_REDIRECT_CACHE = "no-cache"


class ArticleMoved(Exception):
    """The article an address named has another address now, `slug` (raised where an article is loaded)."""

    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


async def stored_article(request: Request, slug: str, *, drafts: bool = False) -> Article | None:
    """The article at `slug`; ArticleMoved when an article had that address before a rename; None when
    none did (each caller answers that with the 404 of its kind). A draft, and an old address of one, are
    there only with `drafts` (the editor's views, the API with a token): readers get the 404 of an article
    that never was, not a redirect that would tell where a draft is."""
    store = request.state["store"]
    article = await store.get_article(slug, drafts=drafts)
    if article is None and (moved := await store.get_redirect(slug, drafts=drafts)) is not None:
        raise ArticleMoved(moved)
    return article


def moved_to(request: Request, location: str) -> Response:
    """A permanent redirect to `location`: 301 for pages, 308 for the API, whose clients may send any method
    (and whose GETs are best followed as GETs too: 308 says so)."""
    found = route_of(request.scope)
    api = found is not None and found.kind.api
    headers = {"cache-control": redirect_cache(found.kind if found is not None else None)}
    return RedirectResponse(location, status_code=308 if api else 301, headers=headers)


def redirect_cache(kind: Kind | None) -> str:
    """The Cache-Control of a redirect to a route of this kind (reader.views.errors' trailing-slash one too):
    kept as the route's answers may be, none of a personal kind's by a shared cache (a preference change)."""
    shared = kind is not None and kind.public and not kind.personal
    return REDIRECT_CACHE if shared else UNSHARED_REDIRECT_CACHE


def same_route_at(request: Request, slug: str) -> str:
    """The request's address with its route's {slug} segment made `slug`, its query kept."""
    found = route_of(request.scope)
    path_format = getattr(found.route, "path_format", "") if found is not None else ""
    if "{slug}" not in path_format:
        raise ValueError(f"the route of {request.url.path!r} names no article")
    # Counted from the end: whatever mounts (and root path) come before, the route's own segments after
    # {slug} are the path's last ones.
    after = path_format.split("{slug}", 1)[1].count("/")
    segments = request.url.path.split("/")
    segments[len(segments) - 1 - after] = slug
    query = request.url.query
    return "/".join(segments) + (f"?{query}" if query else "")


async def article_moved(request: Request, exc: Exception) -> Response:
    """The exception handler for ArticleMoved: the same route at the article's new address."""
    assert isinstance(exc, ArticleMoved)
    return moved_to(request, same_route_at(request, exc.slug))
