"""The application factory and its lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, ExceptionHandler, Scope

from reader import fonts, specimens
from reader.access_log import AccessLog, open_access_log, take_hangups
from reader.accounts import AccountStore
from reader.announce import font_name, guide_name, key_action_name, theme_name
from reader.assets import STYLESHEET, WEB_FONTS
from reader.cors import EmbedCors
from reader.db import DatabaseUnavailable, database_for
from reader.demo import seed_demo
from reader.i18n import language_in_sentence, language_name
from reader.kinds import RouteIndex, RouteLookup, cache_rule
from reader.middleware import BodySizeLimit, CompressPublic, QueryStringCheck, RouteHeaders
from reader.page_window import page_href, page_window
from reader.prefs import CHOICES, NUMERIC_STEPS, READING_GUIDES, SHORTCUT_KEYS, SPEECH_RATES, Preferences, fmt
from reader.reading import article_minutes
from reader.refused_note import MESSAGE_IDS
from reader.request_id import RequestId
from reader.response_cache import ResponseCache
from reader.routes import build_routes, static_assets
from reader.search_upkeep import keep_search_current
from reader.sentence_markup import article_text
from reader.settings import Settings
from reader.state import AppState, Request
from reader.store import SqlArticleStore
from reader.templating import Templates, build_id
from reader.throttle import LoginThrottle
from reader.title_fit import fit_attribute
from reader.views.api import ApiError, api_error
from reader.views.editor import framed_body, headings_under, saver_in_sentence, saver_name
from reader.views.errors import (
    GONE_MESSAGE,
    bad_request,
    client_gone,
    database_unavailable,
    http_error,
    server_error,
    too_large,
)
from reader.views.moved import ArticleMoved, article_moved
from reader.views.prefs import colors_pair
from reader.web import has_own_prefs
from reader.work_budget import REPORT_BURST_BYTES, WorkBudget


class ReaderApp(Starlette):
    """Starlette with the request id and the access log outside everything, Starlette's own error
    middleware included: the 500 page, its X-Request-ID header, the traceback logged for it and its access
    log line all belong to the request.

    Between them and Starlette's stack come `outer_middleware` (the route lookup and the answer cache): a
    cached answer is sent before any of Starlette's layers runs, its error middleware's included (a
    coroutine and a closure per request); everything the cache passes on, a miss's rendering too, runs
    inside that error middleware as before, and the cache sees its 500 page like any other answer it may
    not keep.
    """

    access_log: AccessLog | None = None
    outer_middleware: Sequence[Middleware] = ()

    def build_middleware_stack(self) -> ASGIApp:
        app = super().build_middleware_stack()
        for cls, args, kwargs in reversed(self.outer_middleware):
            app = cls(app, *args, **kwargs)
        return RequestId(app, access_log=self.access_log)


# Starlette types handlers with its own untyped state; reader's read the lifespan's AppState (reader.state).
_EXCEPTION_HANDLERS = cast(
    dict[Any, ExceptionHandler],
    {
        HTTPException: http_error,
        ApiError: api_error,
        ArticleMoved: article_moved,
        ClientDisconnect: client_gone,
        DatabaseUnavailable: database_unavailable,
        Exception: server_error,
    },
)


def _personal(scope: Scope) -> bool:
    return has_own_prefs(Request(scope))


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
    routes = build_routes(settings)
    index = RouteIndex(routes)
    # Opened here, in the process that serves (each worker of `reader serve --workers` opens its own).
    access_log = open_access_log(settings.access_log, settings.access_log_format)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[AppState]:
        await db.open(check=check_database, seed=seed_demo if settings.seed_demo else None)
        watcher = asyncio.create_task(db.watch_changes(settings.change_check_interval))
        store = SqlArticleStore(db)
        upkeep = asyncio.create_task(keep_search_current(store, db, settings.change_check_interval))
        hangup = take_hangups(access_log)
        try:
            accounts = AccountStore(db)
            # The server hands each request a copy of this (reader.state).
            yield AppState(
                settings=settings,
                templates=templates,
                build=build_id(settings.templates_dir, settings.static_dir),
                routes=index,
                db=db,
                store=store,
                accounts=accounts,
                session_key=await accounts.secret("session-signing"),
                login_throttle=LoginThrottle(db),
                # Two of the largest bodies at once: a report the size limit lets in always fits an empty bucket.
                report_budget=WorkBudget(burst=max(REPORT_BURST_BYTES, 2 * settings.max_body_bytes)),
            )
        finally:
            hangup()
            watcher.cancel()
            upkeep.cancel()
            # Whatever ended them (cancelled here, or an error they logged), the database still closes.
            await asyncio.gather(watcher, upkeep, return_exceptions=True)
            await db.close()
            if access_log is not None:
                # After the requests in flight (uvicorn waits for them first): no line is lost on SIGTERM.
                access_log.writer.close()

    app = ReaderApp(
        debug=settings.debug,
        routes=routes,
        middleware=[
            Middleware(CompressPublic),
            Middleware(RouteHeaders, embed_frame_ancestors=settings.embed_frame_ancestors, personal=_personal),
            Middleware(EmbedCors, origins=settings.embed_origins),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, too_large=too_large),
            Middleware(QueryStringCheck, bad_request=bad_request),
        ],
        exception_handlers=_EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )

    # Trailing-slash redirects are reader's own, relative ones (reader.views.errors.slash_twin).
    app.router.redirect_slashes = False
    app.access_log = access_log
    app.outer_middleware = [
        # First: every layer after it reads the request's route (reader.kinds).
        Middleware(RouteLookup, index=index),
        Middleware(
            ResponseCache,
            rule=cache_rule,
            stamp=lambda slug: (
                db.generation,
                db.any_key_version if slug is None else db.key_versions.get(slug, 0),
            ),
            max_bytes=settings.response_cache_bytes,
            fresh=lambda: db.listening,
        ),
    ]

    def colors_url(prefs: Preferences) -> str:
        return str(app.url_path_for("colors_css", pair=colors_pair(prefs)))

    assets = static_assets(routes)

    def font_preload_urls(prefs: Preferences, lang: str) -> list[str]:
        return [assets.url(path) for path in fonts.preloads(settings.static_dir, prefs, lang)]

    def web_fonts_url(prefs: Preferences, lang: str) -> str | None:
        """The web fonts' stylesheet where the text in `lang` is set in one of them (reader.assets.WEB_FONTS)."""
        return assets.url(WEB_FONTS) if fonts.is_web_font(settings.static_dir, prefs.font_for(lang)) else None

    def font_specimen(font: str, lang: str) -> list[str]:
        return specimens.button_views(font, lang, settings.static_dir)

    templates = Templates(
        settings.templates_dir,
        assets,
        globals_={
            "stylesheet": STYLESHEET,
            "font_preloads": font_preload_urls,
            "web_fonts": web_fonts_url,
            "fmt": fmt,
            "steps": NUMERIC_STEPS,
            "themes": CHOICES["theme"],
            # Links from route names, from the site's root (reader.web.path_for): url_for("article", slug=…).
            "url_for": lambda name, /, **params: str(app.url_path_for(name, **params)),
            "url_for_colors": colors_url,
            "page_window": page_window,
            # The address of a page of a list (the first at the list's own): its links, and its 404's (views.articles).
            "page_href": page_href,
            "article_text": article_text,
            "article_minutes": article_minutes,
            "title_fit": fit_attribute,
            "speech_rates": SPEECH_RATES,
            "reading_guides": READING_GUIDES,
            "shortcut_keys": SHORTCUT_KEYS,
            "headings_under": headings_under,
            "framed_body": framed_body,
            # The catalog's words (to translate with _()) that the fragment's status region carries for the
            # component (templates/_status.html, data-gone), as the embed's 404 and the fragment's answer say them.
            "gone_message": GONE_MESSAGE,
            # The ids of the messages of input refused beside its fields, where a change refused without
            # JavaScript comes back to (templates/_panel.html, _read_aloud_settings.html).
            "refused_ids": MESSAGE_IDS,
        },
        per_language={
            "font_name": font_name,
            "font_specimen": font_specimen,
            "theme_name": theme_name,
            "language_name": language_name,
            "language_in_sentence": language_in_sentence,
            "guide_name": guide_name,
            "key_action_name": key_action_name,
            "saver_name": saver_name,
            "saver_in_sentence": saver_in_sentence,
        },
    )
    return app
