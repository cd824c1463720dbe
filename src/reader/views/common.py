"""What several views share: loading an article and building the article region's context."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request

from reader.models import Article
from reader.prefs import FONT_MISSING_LANGUAGES, FONTS, Preferences
from reader.reading import plain_text, reading_minutes
from reader.slugs import is_valid_slug
from reader.store import ArticleStore

VIEWS = ("page", "fragment", "embed")


def store_of(request: Request) -> ArticleStore:
    store: ArticleStore = request.app.state.store
    return store


async def load_article(request: Request, slug: str) -> Article:
    """The article for a slug, or a 404 (an impossible slug never reaches the database)."""
    if not is_valid_slug(slug):
        raise HTTPException(status_code=404)
    article = await store_of(request).get_article(slug)
    if article is None:
        raise HTTPException(status_code=404)
    return article


def fonts_for(lang: str) -> list[str]:
    """The fonts offered for text in a language: only those that have its letters."""
    primary = lang.split("-", 1)[0].lower()
    return [font for font in FONTS if primary not in FONT_MISSING_LANGUAGES.get(font, ())]


def controls_context(
    prefs: Preferences, content_lang: str, view: str, next_path: str, panel_open: bool
) -> dict[str, Any]:
    """What the reading controls (size buttons and the Readability panel) need."""
    return {
        "prefs": prefs,
        "content_lang": content_lang,
        "view": view,
        "next_path": next_path,
        "panel_open": panel_open,
        "fonts": fonts_for(content_lang),
        "share_path": "/preferences?settings=" + quote(prefs.to_cookie(), safe=":"),
    }


def article_context(
    article: Article, prefs: Preferences, view: str, *, panel_open: bool = False, status_message: str = ""
) -> dict[str, Any]:
    """The template context of the article region in one view."""
    return {
        **controls_context(prefs, article.lang, view, f"/articles/{article.slug}", panel_open),
        "article": article,
        "page_lang": article.lang,
        "reading_minutes": reading_minutes(article.summary + " " + plain_text(article.body_html), article.lang),
        "status_message": status_message,
    }
