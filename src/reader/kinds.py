"""What each route is: the kinds the route table gives its routes, and how middleware finds a request's route.

A route says what it is (a public page, a fragment other sites load, the editor, the API…) once, in the route
table (reader.routes); caching, compression, CORS, framing, sign-in and tokens read it from there instead of
matching paths of their own. `RouteLookup` finds the request's route before anything else runs, with
Starlette's own matching, and leaves it in the scope for every layer after it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette import routing
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from reader.response_cache import CacheRule


class Cors(enum.Enum):
    NONE = "none"
    # The embedding allowlist (READER_EMBED_ORIGINS) may call it with credentials, with the route's methods.
    EMBEDDERS = "embedders"
    # Anyone may read it, without credentials (static files: fonts loaded by another site need CORS).
    ANYONE = "anyone"


class Frame(enum.Enum):
    NOBODY = "nobody"
    # The embedding sites (READER_FRAME_ANCESTORS, by default the embedding allowlist).
    EMBEDDERS = "embedders"
    SELF = "self"


@dataclass(frozen=True, slots=True)
class Kind:
    """What a route is, as rules the middleware applies and tests/test_kinds.py checks on every route."""

    name: str
    # No answer holds a secret: it may be gzipped and kept by shared caches (its Cache-Control says how long).
    public: bool = False
    cors: Cors = Cors.NONE
    frame: Frame = Frame.NOBODY
    # Each answer belongs to the one visitor who asked: Cache-Control no-store for every HTTP cache.
    personal: bool = False
    # Answers are HTML fragments (other sites insert them), error answers too.
    fragment: bool = False
    # Answers are JSON, error answers too.
    api: bool = False
    # An editor's session is required (reader.views.editor_auth.EditorGate).
    sign_in: bool = False
    # Its pages carry a CSRF token, and every request that is not GET or HEAD must send it back.
    csrf: bool = False
    # An API token is required (reader.views.api_auth.TokenGate).
    token: bool = False
    # An API token may be sent, and then shows more (drafts): one sent is checked like a required one (401 when
    # it is not valid), and the answer to a request that sent one is personal (no-store); every answer varies
    # with Authorization. Without one, the answers are everyone's.
    optional_token: bool = False
    # Its answers are documents (pages, fragments put into pages, JSON a browser may open): they carry the
    # whole set of security headers. Static files carry only those that mean something for them
    # (reader.middleware.RouteHeaders): ~500 bytes less on each of the dozen files of a first visit.
    document: bool = True
    # Search engines may index its answers. The rest say `X-Robots-Tag: noindex` (an article's fragment,
    # embed and oEmbed answers would stand beside its page in results; the editor and the API are no reading),
    # and robots.txt asks crawlers to keep out of the mounts among them (reader.views.crawlers).
    indexed: bool = False

    def __post_init__(self) -> None:
        # BREACH: a compressed answer that holds a secret next to text an attacker chose leaks the secret
        # through its length; and nothing behind a sign-in or a token may sit in any cache.
        if self.csrf or self.sign_in or self.token:
            guarded = f"kind {self.name!r}: answers behind a sign-in, a token or a CSRF token"
            if self.public:
                raise ValueError(f"{guarded} are not public")
            if not self.personal:
                raise ValueError(f"{guarded} are personal")
        if self.optional_token and (self.token or self.public):
            raise ValueError(f"kind {self.name!r}: an optional token is neither required nor on public answers")

    @property
    def cross_origin(self) -> bool:
        """Other sites load its answers (Cross-Origin-Resource-Policy: cross-origin)."""
        return self.cors is not Cors.NONE or self.frame is Frame.EMBEDDERS


# The article list, an article's page, the settings page.
PAGE = Kind("page", public=True, indexed=True)
# The article region as a fragment: the <reader-article> component on embedding sites fetches it with CORS.
FRAGMENT = Kind("fragment", public=True, cors=Cors.EMBEDDERS, fragment=True)
# The minimal article page other sites show in an iframe.
EMBED = Kind("embed", public=True, frame=Frame.EMBEDDERS)
# oEmbed: what an embedding site's CMS reads to embed an article.
OEMBED = Kind("oembed", public=True, cors=Cors.EMBEDDERS)
# The Atom feed and the sitemap: lists of the articles that feed readers and crawlers fetch; any site's
# script may read them (they hold nothing a cookie chooses).
FEED = Kind("feed", public=True, cors=Cors.ANYONE)
# The preference form every reading control posts (from reader's pages, the component and embeds).
PREFERENCE_CHANGE = Kind("preference change", public=True, cors=Cors.EMBEDDERS, personal=True)
# The reader's settings now (a tag of them), for reader's own pages brought back by Back or Forward: the
# reader's alone, and no other site's business (a fingerprint of every setting, voices and keys too), so
# never stored and never readable across origins.
PREFERENCES_NOW = Kind("preferences now", personal=True)
# Static files and generated stylesheets.
ASSET = Kind("asset", public=True, cors=Cors.ANYONE, document=False, indexed=True)
# The health check: a load balancer's question about this moment.
PROBE = Kind("probe", personal=True)
# The editor's sign-in form (its own CSRF token, in a cookie).
SIGN_IN = Kind("sign-in", personal=True, csrf=True)
EDITOR = Kind("editor", personal=True, sign_in=True, csrf=True)
# The check page's previews: editor pages framed by reader's own pages.
EDITOR_FRAME = Kind("editor frame", personal=True, sign_in=True, csrf=True, frame=Frame.SELF)
# API reports and the description: anyone may ask.
API = Kind("api", api=True)
# API reads of articles: anyone may ask; a valid token shows drafts too.
API_READ = Kind("api read", api=True, optional_token=True)
# API writes: a token is required.
API_WRITE = Kind("api write", personal=True, api=True, token=True)

KINDS = (
    PAGE, FRAGMENT, EMBED, OEMBED, FEED, PREFERENCE_CHANGE, PREFERENCES_NOW, ASSET, PROBE, SIGN_IN, EDITOR,
    EDITOR_FRAME, API, API_READ, API_WRITE,
)  # fmt: skip


class Route(routing.Route):
    """Starlette's Route, saying what it is.

    `cached`: reader.response_cache keeps its answers (they depend only on the request and the stored
    articles; a `{slug}` in the path says which article). `uploads`: how many files its view takes (the
    editor's gate reads a few more, reader.views.editor_auth.MAX_PARSED_FILES, so that the view can say
    so); `upload_bytes`: how large its body may be, when that is more than Settings.max_body_bytes.
    `cache_query`: the query as the answer cache keys it (reader.response_cache.CacheRule's `query`).
    `refusals`: its page shows input refused without JavaScript beside the fields when its address names it
    (?refused=, reader.refused_note), so a change refused there comes back to it at its message.
    """

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        kind: Kind,
        name: str,
        methods: Collection[str] = ("GET",),
        cached: bool = False,
        uploads: int = 0,
        upload_bytes: int = 0,
        cache_query: Callable[[bytes, Scope], bytes] | None = None,
        refusals: bool = False,
    ) -> None:
        super().__init__(path, endpoint, methods=list(methods), name=name)
        if cached and not kind.public:
            raise ValueError(f"{path}: only public answers may be kept in the answer cache")
        self.kind = kind
        self.cached = cached
        self.uploads = uploads
        self.upload_bytes = upload_bytes
        self.cache_query = cache_query
        self.refusals = refusals


class Mount(routing.Mount):
    """Starlette's Mount, saying what it is: its kind holds for a path under it that no route in it takes."""

    def __init__(
        self,
        path: str,
        *,
        kind: Kind,
        name: str,
        routes: Sequence[routing.BaseRoute] | None = None,
        app: ASGIApp | None = None,
        middleware: Sequence[Middleware] | None = None,
    ) -> None:
        super().__init__(path, app=app, routes=routes, name=name, middleware=middleware)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Found:
    """The route a request is for: a Route, or the Mount when no route in it takes the path."""

    route: Route | Mount
    params: dict[str, Any]
    # False when the route takes the path but not the method (Starlette answers 405).
    full: bool
    # How reader.response_cache keeps its answers (None: it does not), worked out once with the Found,
    # which RouteIndex remembers: the cache asks before every request, hits included.
    rule: CacheRule | None = field(init=False)

    def __post_init__(self) -> None:
        rule = None
        if self.cached:
            assert isinstance(self.route, Route)
            rule = CacheRule(self.params.get("slug"), self.kind.personal, self.route.cache_query)
        object.__setattr__(self, "rule", rule)

    @property
    def kind(self) -> Kind:
        return self.route.kind

    @property
    def cached(self) -> bool:
        return self.full and isinstance(self.route, Route) and self.route.cached


SCOPE_KEY = "reader.route"


def route_of(scope: Scope) -> Found | None:
    """The request's route, as RouteLookup found it (None: no route takes the path)."""
    found: Found | None = scope.get(SCOPE_KEY)
    return found


def kind_of(scope: Scope) -> Kind | None:
    found = route_of(scope)
    return found.route.kind if found is not None else None


def sends_token(scope: Scope) -> bool:
    """Whether the request carries credentials (an Authorization header, of any scheme): on a route whose kind
    takes an optional token, the gate checks them and the answer is the request's own."""
    return any(name == b"authorization" for name, _ in scope["headers"])


def cache_rule(scope: Scope) -> CacheRule | None:
    """How reader.response_cache keeps the answer to this request: only for routes marked `cached`."""
    found: Found | None = scope.get(SCOPE_KEY)
    return found.rule if found is not None else None


# What the route lookups remember, at most (emptied when full: the client chooses the paths).
MAX_REMEMBERED = 4096


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


class RouteIndex:
    """Finds the route for a method and path among reader's routes, as Starlette's router would.

    Routes are grouped by the first segment of their path, so a request is matched against the few routes
    that could take it (the answer cache looks before every request, hits included).
    """

    def __init__(self, routes: Sequence[routing.BaseRoute]) -> None:
        self.routes = tuple(routes)
        self._found: dict[tuple[str, str, str], Found | None] = {}
        self._by_segment: dict[str, list[routing.BaseRoute]] = {}
        self._anywhere: list[routing.BaseRoute] = []
        for route in self.routes:
            path = getattr(route, "path", "")
            segment = _first_segment(path)
            if "{" in segment or not path:
                self._anywhere.append(route)
                for candidates in self._by_segment.values():
                    candidates.append(route)
            else:
                self._by_segment.setdefault(segment, [*self._anywhere]).append(route)

    def find(self, method: str, path: str, root_path: str = "") -> Found | None:
        scope = {"type": "http", "method": method, "path": root_path + path, "root_path": root_path}
        return self.find_in(scope)

    def find_in(self, scope: Scope) -> Found | None:
        """The route for the scope's method and path, remembered: RouteLookup asks before every request,
        answer cache hits included, and Starlette's matching (patterns, converters) costs more than all of
        a hit. A Found is shared by the requests for its path: its `params` are never changed."""
        key = (scope["method"], scope["path"], scope.get("root_path", ""))
        try:
            return self._found[key]
        except KeyError:
            pass
        found = self._find(scope)
        if len(self._found) >= MAX_REMEMBERED:
            self._found.clear()
        self._found[key] = found
        return found

    def slash_twin(self, scope: Scope) -> tuple[str, Found] | None:
        """For an address no route takes, the same with its trailing slash added or taken away, and the route
        that takes that (for the scope's method); None when none does, or the twin would begin with "//" (a
        browser reads it as another host). reader redirects to the twin (reader.views.errors.slash_twin), and
        EmbedCors grants the redirect what the twin's route would get."""
        path: str = scope["path"]
        root = scope.get("app_root_path", scope.get("root_path", ""))
        method = scope["method"]
        if path == "/" or self.find_in({"type": "http", "method": method, "path": path, "root_path": root}):
            return None
        twin = path[:-1] if path.endswith("/") else path + "/"
        if twin.startswith("//"):
            return None
        found = self.find_in({"type": "http", "method": method, "path": twin, "root_path": root})
        return None if found is None else (twin, found)

    def _find(self, scope: Scope) -> Found | None:
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        candidates = self._by_segment.get(_first_segment(path), self._anywhere)
        found = _match(candidates, scope)
        if found is None:
            # A path under a mount is in its area even where Starlette's pattern cannot take it (a line break
            # in the path): its errors still answer as the area's kind says (JSON for the API).
            for route in candidates:
                if isinstance(route, Mount) and path.startswith(route.path + "/"):
                    return Found(route, {}, False)
        return found


def _match(routes: Sequence[routing.BaseRoute], scope: Scope) -> Found | None:
    partial: Found | None = None
    for route in routes:
        match, child = route.matches(scope)
        if match is routing.Match.NONE or not isinstance(route, (Route, Mount)):
            continue
        if isinstance(route, Mount):
            inner = _match(route.routes, {**scope, **child})
            if inner is not None:
                return inner
            return Found(route, child.get("path_params", {}), True)
        found = Found(route, child["path_params"], match is routing.Match.FULL)
        if found.full:
            return found
        partial = partial or found
    return partial


class RouteLookup:
    """Pure ASGI middleware, outside everything else: finds the request's route once (`route_of`).

    A CORS preflight is looked up with the method it asks about, so that it finds the route it is for.
    """

    def __init__(self, app: ASGIApp, index: RouteIndex) -> None:
        self.app = app
        self.index = index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # In the scope itself, not a copy: every layer inside reads it, Starlette's error pages too.
            asked = scope if scope["method"] != "OPTIONS" else as_asked(scope)
            scope[SCOPE_KEY] = self.index.find_in(asked)
        await self.app(scope, receive, send)


def as_asked(scope: Scope) -> Scope:
    """An OPTIONS request as the method it is a preflight for, if it is one."""
    for name, value in scope["headers"]:
        if name == b"access-control-request-method":
            return {**scope, "method": value.decode("latin-1").upper()}
    return scope
