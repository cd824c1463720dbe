"""The URL map."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from reader.settings import Settings
from reader.views import api, articles, editor, editor_auth, embed, health, prefs


class CachedStaticFiles(StaticFiles):
    """Static files with cache headers: fingerprinted URLs (?v=…) are immutable for a year."""

    def file_response(self, full_path: object, stat_result: object, scope: Scope, status_code: int = 200):  # type: ignore[no-untyped-def]
        response = super().file_response(full_path, stat_result, scope, status_code)  # type: ignore[arg-type]
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["cache-control"] = (
            "public, max-age=31536000, immutable" if versioned else "public, max-age=300"
        )
        # Embedding sites load reader's stylesheets, fonts and scripts (docs/embedding.md); fonts loaded
        # by another site's page need CORS, and nothing here is private.
        response.headers["cross-origin-resource-policy"] = "cross-origin"
        response.headers["access-control-allow-origin"] = "*"
        return response


def build_routes(settings: Settings) -> list[BaseRoute]:
    """reader's routes."""
    return [
        Route("/", articles.index, name="index"),
        Route("/articles/{slug}", articles.article_page, name="article"),
        Route("/articles/{slug}/fragment", articles.article_fragment, name="article_fragment"),
        Route("/embed/{slug}", embed.embed_page, name="embed"),
        Route("/oembed", embed.oembed, name="oembed"),
        Route("/preferences", prefs.settings_page, methods=["GET"], name="settings"),
        Route("/preferences", prefs.update, methods=["POST"], name="update_preferences"),
        Route("/preferences/colors/{pair}.css", prefs.colors_css, name="colors_css"),
        Route("/healthz", health.healthz, name="healthz"),
        Route("/editor/login", editor_auth.login_form, methods=["GET"]),
        Route("/editor/login", editor_auth.login, methods=["POST"]),
        Route("/editor/logout", editor_auth.logout, methods=["POST"]),
        Route("/editor/", editor.article_list, methods=["GET"]),
        Route("/editor/new", editor.new_form, methods=["GET"]),
        Route("/editor/new", editor.save, methods=["POST"]),
        Route("/editor/preview", editor.live_preview, methods=["POST"]),
        Route("/editor/import", editor.import_form, methods=["GET"]),
        Route("/editor/import", editor.import_files, methods=["POST"]),
        Route("/editor/articles/{slug}", editor.edit_form, methods=["GET"]),
        Route("/editor/articles/{slug}", editor.save, methods=["POST"]),
        Route("/editor/articles/{slug}/delete", editor.delete_form, methods=["GET"]),
        Route("/editor/articles/{slug}/delete", editor.delete, methods=["POST"]),
        Route("/editor/articles/{slug}/check", editor.check, methods=["GET"]),
        Route("/editor/preview/{slug}", editor.preview_frame, methods=["GET"]),
        Route("/api/articles", api.list_articles, methods=["GET"]),
        Route("/api/articles/{slug}", api.get_article, methods=["GET"]),
        Route("/api/articles/{slug}", api.put_article, methods=["PUT"]),
        Route("/api/articles/{slug}", api.delete_article, methods=["DELETE"]),
        Route("/api/articles/{slug}/readability", api.article_readability, methods=["GET"]),
        Route("/api/readability", api.readability, methods=["POST"]),
        Route("/api/openapi.json", api.openapi, methods=["GET"]),
        Mount("/static", app=CachedStaticFiles(directory=settings.static_dir), name="static"),
    ]
