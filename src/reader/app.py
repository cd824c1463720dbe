"""The application factory and its lifespan."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from reader.accounts import AccountStore
from reader.announce import font_name, theme_name
from reader.cors import EmbedCors
from reader.db import DatabaseUnavailable, database_for
from reader.demo import seed_demo
from reader.i18n import language_name
from reader.middleware import BodySizeLimit, CompressPublic, QueryStringCheck, SecurityHeaders
from reader.prefs import CHOICES, NUMERIC_STEPS, Preferences, fmt
from reader.request_id import RequestId
from reader.response_cache import CachedRoute, ResponseCache
from reader.routes import build_routes
from reader.settings import Settings
from reader.store import SqlArticleStore
from reader.templating import StaticAssets, Templates, build_id
from reader.throttle import LoginThrottle
from reader.views.api import ApiError, api_error
from reader.views.editor_auth import LoginRequired, login_required
from reader.views.errors import bad_request, database_unavailable, http_error, server_error, too_large

# Answers that depend only on the request and the stored articles (reader.response_cache).
CACHED_ROUTES = (
    CachedRoute("GET", re.compile(r"/")),
    CachedRoute("GET", re.compile(r"/articles/(?P<slug>[^/]+)(/fragment)?")),
    CachedRoute("GET", re.compile(r"/embed/(?P<slug>[^/]+)")),
    CachedRoute("GET", re.compile(r"/oembed")),
    CachedRoute("POST", re.compile(r"/preferences"), personal=True),
)


def colors_url(prefs: Preferences) -> str:
    assert prefs.text_color and prefs.background_color
    return f"/preferences/colors/{prefs.text_color[1:]}-{prefs.background_color[1:]}.css"


class ReaderApp(Starlette):
    """Starlette with the request id outside everything, Starlette's own error middleware included: the
    500 page, its X-Request-ID header and the traceback logged for it all belong to the request."""

    def build_middleware_stack(self) -> ASGIApp:
        return RequestId(super().build_middleware_stack())


def create_app(settings: Settings, *, check_database: bool = True) -> Starlette:
    """A reader application for these settings; the database opens in its lifespan.

    `check_database=False` skips the integrity check on opening, for a caller (the CLI) that has just
    checked the same file.
    """

    db = database_for(
        settings.database,
        read_connections=settings.read_connections,
        busy_timeout_ms=settings.busy_timeout_ms,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        created = await db.open(check=check_database)
        watcher = asyncio.create_task(db.watch_changes(settings.change_check_interval))
        try:
            store = SqlArticleStore(db)
            if created and settings.seed_demo:
                await seed_demo(store)
            accounts = AccountStore(db)
            app.state.db = db
            app.state.store = store
            app.state.accounts = accounts
            app.state.session_key = await accounts.secret("session-signing")
            yield
        finally:
            watcher.cancel()
            # Whatever ended the watcher (cancelled here, or an error it logged), the database still closes.
            await asyncio.gather(watcher, return_exceptions=True)
            await db.close()

    static = StaticAssets(settings.static_dir)
    templates = Templates(
        settings.templates_dir,
        static,
        globals_={
            "fmt": fmt,
            "steps": NUMERIC_STEPS,
            "themes": CHOICES["theme"],
            "url_for_colors": colors_url,
        },
        per_language={"font_name": font_name, "theme_name": theme_name, "language_name": language_name},
    )
    app = ReaderApp(
        debug=settings.debug,
        routes=build_routes(settings),
        middleware=[
            Middleware(
                ResponseCache,
                routes=CACHED_ROUTES,
                stamp=lambda slug: (
                    db.generation,
                    db.any_key_version if slug is None else db.key_versions.get(slug, 0),
                ),
                max_bytes=settings.response_cache_bytes,
            ),
            Middleware(CompressPublic),
            Middleware(SecurityHeaders),
            Middleware(EmbedCors, origins=settings.embed_origins),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, too_large=too_large),
            Middleware(QueryStringCheck, bad_request=bad_request),
        ],
        exception_handlers={
            HTTPException: http_error,
            ApiError: api_error,
            DatabaseUnavailable: database_unavailable,
            LoginRequired: login_required,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = templates
    app.state.build = build_id(settings.templates_dir, settings.static_dir)
    app.state.login_throttle = LoginThrottle(db)
    return app
