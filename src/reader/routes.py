"""The URL map: every path reader answers, what each route is (reader.kinds), and the editor and API areas
with their gates. Links are built from these names (`url_for` in templates, `path_for` in views)."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from reader.assets import StaticApp, StaticAssets
from reader.drafts import MAX_ARTICLE_REQUEST_BYTES as ARTICLE_BYTES
from reader.kinds import (
    API,
    API_READ,
    API_WRITE,
    ASSET,
    EDITOR,
    EDITOR_FRAME,
    EMBED,
    FEED,
    FRAGMENT,
    OEMBED,
    PAGE,
    PREFERENCE_CHANGE,
    PREFERENCES_NOW,
    PROBE,
    SIGN_IN,
    Mount,
    Route,
)
from reader.settings import Settings
from reader.views import api, articles, crawlers, editor, editor_auth, embed, feed, health, prefs, sitemap
from reader.views.api_auth import TokenGate
from reader.views.editor_auth import EditorGate

STATIC_PATH = "/static"


def static_assets(routes: list[BaseRoute]) -> StaticAssets:
    """The static files the route table serves (templates link them by their fingerprinted URLs)."""
    (mount,) = [route for route in routes if isinstance(route, Mount) and route.name == "static"]
    assert isinstance(mount.app, StaticApp)
    return mount.app.assets


def build_routes(settings: Settings) -> list[BaseRoute]:
    """reader's routes."""
    return [
        Route("/", articles.index, kind=PAGE, name="index", cached=True),
        Route(
            "/articles/{slug}",
            articles.article_page,
            kind=PAGE,
            name="article",
            cached=True,
            cache_query=articles.article_cache_query,
            refusals=True,
        ),
        Route(
            "/articles/{slug}/fragment", articles.article_fragment, kind=FRAGMENT, name="article_fragment", cached=True
        ),
        Route("/embed/{slug}", embed.embed_page, kind=EMBED, name="embed", cached=True, refusals=True),
        Route("/oembed", embed.oembed, kind=OEMBED, name="oembed", cached=True),
        Route("/feed.xml", feed.atom_feed, kind=FEED, name="feed", cached=True),
        Route("/preferences", prefs.settings_page, kind=PAGE, name="settings", refusals=True),
        Route(
            "/preferences",
            prefs.update,
            kind=PREFERENCE_CHANGE,
            methods=["POST"],
            name="update_preferences",
            cached=True,
        ),
        # The settings now, for a page brought back by Back or Forward (no-store, and no CORS: the reader's own).
        Route("/preferences/current", prefs.current, kind=PREFERENCES_NOW, name="current_preferences"),
        Route("/preferences/colors/{pair}.css", prefs.colors_css, kind=ASSET, name="colors_css"),
        Route("/healthz", health.healthz, kind=PROBE, name="healthz"),
        Route("/robots.txt", crawlers.robots_txt, kind=ASSET, name="robots", cached=True),
        Route("/sitemap.xml", sitemap.sitemap, kind=FEED, name="sitemap", cached=True),
        # Sign-in and CSRF for all of it, in one place (EditorGate); only the sign-in form is open.
        Mount(
            "/editor",
            kind=EDITOR,
            name="editor",
            middleware=[Middleware(EditorGate)],
            routes=[
                Route("/login", editor_auth.login_form, kind=SIGN_IN, name="login_form"),
                Route("/login", editor_auth.login, kind=SIGN_IN, methods=["POST"], name="login"),
                Route("/logout", editor_auth.logout, kind=EDITOR, methods=["POST"], name="logout"),
                Route("/", editor.article_list, kind=EDITOR, name="article_list"),
                Route("/new", editor.new_form, kind=EDITOR, name="new_form"),
                Route("/new", editor.save, kind=EDITOR, methods=["POST"], name="create", upload_bytes=ARTICLE_BYTES),
                Route(
                    "/preview",
                    editor.live_preview,
                    kind=EDITOR,
                    methods=["POST"],
                    name="live_preview",
                    upload_bytes=ARTICLE_BYTES,
                ),
                Route("/import", editor.import_form, kind=EDITOR, name="import_form"),
                Route(
                    "/import",
                    editor.import_files,
                    kind=EDITOR,
                    methods=["POST"],
                    name="import_files",
                    uploads=editor.MAX_UPLOAD_FILES,
                    upload_bytes=editor.MAX_UPLOAD_BYTES,
                ),
                Route("/articles/{slug}", editor.edit_form, kind=EDITOR, name="edit_form"),
                Route(
                    "/articles/{slug}",
                    editor.save,
                    kind=EDITOR,
                    methods=["POST"],
                    name="save",
                    upload_bytes=ARTICLE_BYTES,
                ),
                Route("/articles/{slug}/delete", editor.delete_form, kind=EDITOR, name="delete_form"),
                Route("/articles/{slug}/delete", editor.delete, kind=EDITOR, methods=["POST"], name="delete"),
                Route("/articles/{slug}/check", editor.check, kind=EDITOR, name="check"),
                Route("/articles/{slug}/preview", editor.preview, kind=EDITOR, name="preview"),
                Route("/articles/{slug}/history", editor.history, kind=EDITOR, name="history"),
                Route("/articles/{slug}/history/{version:int}", editor.revision, kind=EDITOR, name="revision"),
                Route(
                    "/articles/{slug}/history/{version:int}",
                    editor.restore,
                    kind=EDITOR,
                    methods=["POST"],
                    name="restore",
                ),
                Route("/deleted", editor.deleted_list, kind=EDITOR, name="deleted_list"),
                Route("/deleted/{slug}", editor.deleted_article, kind=EDITOR, name="deleted_article"),
                Route("/deleted/{slug}", editor.undelete, kind=EDITOR, methods=["POST"], name="undelete"),
                Route("/preview/{slug}", editor.preview_frame, kind=EDITOR_FRAME, name="preview_frame"),
            ],
        ),
        # Writes need a token (TokenGate); reads and reports are open, and reads show drafts to a token.
        Mount(
            "/api",
            kind=API,
            name="api",
            middleware=[Middleware(TokenGate)],
            routes=[
                Route("/articles", api.list_articles, kind=API_READ, name="list_articles"),
                Route("/articles/{slug}", api.get_article, kind=API_READ, name="get_article"),
                Route(
                    "/articles/{slug}",
                    api.put_article,
                    kind=API_WRITE,
                    methods=["PUT"],
                    name="put_article",
                    upload_bytes=ARTICLE_BYTES,
                ),
                Route(
                    "/articles/{slug}", api.delete_article, kind=API_WRITE, methods=["DELETE"], name="delete_article"
                ),
                Route(
                    "/articles/{slug}/rename",
                    api.rename_article,
                    kind=API_WRITE,
                    methods=["POST"],
                    name="rename_article",
                ),
                Route(
                    "/articles/{slug}/readability",
                    api.article_readability,
                    kind=API_READ,
                    name="article_readability",
                ),
                Route("/readability", api.readability, kind=API, methods=["POST"], name="readability"),
                Route("/openapi.json", api.openapi, kind=API, name="openapi"),
            ],
        ),
        Mount(STATIC_PATH, kind=ASSET, name="static", app=StaticApp(StaticAssets(settings.static_dir, STATIC_PATH))),
    ]
