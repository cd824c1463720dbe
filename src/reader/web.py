"""Request-level helpers shared by the views: preferences, UI language, safe redirects, rendering."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from reader import i18n
from reader.prefs import COOKIE_MAX_AGE, COOKIE_NAME, Preferences
from reader.settings import Settings
from reader.templating import Templates

MAX_NEXT_LENGTH = 2000


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def templates_of(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


def prefs_for(request: Request) -> Preferences:
    """The reader's preferences: parsed from the cookie here and nowhere else."""
    return Preferences.from_cookie(request.cookies.get(COOKIE_NAME))


def ui_lang_for(request: Request, content_lang: str | None = None) -> str:
    """The UI language: the content's when reader speaks it, else the browser's, else the default."""
    return i18n.ui_language(content_lang, request.headers.get("accept-language"), settings_of(request).default_lang)


def is_https(request: Request) -> bool:
    """True for HTTPS requests; a proxy's X-Forwarded-Proto counts only when configured as trusted."""
    if request.url.scheme == "https":
        return True
    if settings_of(request).trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-proto", "")
        return forwarded.split(",", 1)[0].strip().lower() == "https"
    return False


def store_prefs(request: Request, response: Response, prefs: Preferences) -> None:
    """Write the preference cookie (or delete it when everything is back to the defaults)."""
    secure = is_https(request)
    if prefs.is_default:
        response.delete_cookie(COOKIE_NAME, path="/", secure=secure, httponly=True, samesite="lax")
        return
    response.set_cookie(
        COOKIE_NAME,
        prefs.to_cookie(),
        max_age=COOKIE_MAX_AGE,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def safe_next(raw: str | None) -> str:
    """A same-origin path to go back to; anything else (other hosts, schemes, odd slashes) is "/"."""
    if not raw or len(raw) > MAX_NEXT_LENGTH or not raw.startswith("/") or raw.startswith("//"):
        return "/"
    if any(ch in raw for ch in ("\\", "\r", "\n", "\t", "\x00")) or not raw.isprintable():
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw


def render(request: Request, template: str, lang: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a template in a UI language into an HTML response."""
    html = templates_of(request).render(template, lang, **context)
    return HTMLResponse(html, status_code=status_code)
