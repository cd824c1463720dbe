"""The URL map."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from reader.settings import Settings
from reader.views import articles, embed, health, prefs


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
        Mount("/static", app=CachedStaticFiles(directory=settings.static_dir), name="static"),
    ]
