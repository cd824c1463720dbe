"""Preferences: the form every control posts to, the settings page, shared links, custom colours."""

from __future__ import annotations

import dataclasses
import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reader.announce import announce, describe_setting
from reader.colors import contrast_ratio
from reader.htmx import is_htmx
from reader.prefs import DEFAULTS, MIN_CUSTOM_CONTRAST, Outcome, Preferences, apply_form, host_defaults
from reader.settings import UI_LANGUAGES
from reader.views.common import VIEWS, article_context, controls_context, load_article
from reader.web import prefs_for, render, safe_next, settings_of, store_prefs, ui_lang_for

_ARTICLE_PATH = re.compile(r"^/(?:articles|embed)/([^/?#]+)(?:/fragment)?$")
_COLOR_PAIR = re.compile(r"^([0-9a-f]{6})-([0-9a-f]{6})$")
MAX_FORM_FIELDS = 40


def _embedding_origin(request: Request) -> bool:
    """True when the request comes from a site on the embedding allowlist (the web component)."""
    origin = request.headers.get("origin")
    return origin is not None and origin in settings_of(request).embed_origins


def _refuse_cross_site(request: Request) -> None:
    # Another site must not be able to change a reader's settings by posting a form at reader;
    # the embedding allowlist is the exception (its pages host reader's own controls).
    if _embedding_origin(request):
        return
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site == "cross-site":
        raise HTTPException(status_code=403)
    if origin and origin != "null" and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(status_code=403)


async def update(request: Request) -> Response:
    """Apply a preference form; answer htmx with the updated region, everyone else with a 303."""
    _refuse_cross_site(request)
    async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as form:
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
    view = fields.get("view", "page")
    view = view if view in VIEWS else "page"
    base = host_defaults(fields.get("host_size"), fields.get("host_theme"))
    outcome = apply_form(prefs_for(request, base), fields, base)
    next_path = safe_next(fields.get("next"))
    panel_open = fields.get("panel") == "open"
    if is_htmx(request):
        response = await _updated_region(request, next_path, view, outcome, panel_open, base, fields)
    else:
        target = next_path
        if panel_open and "?" not in target:
            target += "?panel=open#reader-panel"
        response = RedirectResponse(target, status_code=303)
    # Inside another site (an iframe, or the component on an allowlisted page) only a partitioned cookie
    # is stored at all.
    embedded = view == "embed" or (view == "fragment" and _embedding_origin(request))
    store_prefs(request, response, outcome.prefs, base=base, embedded=embedded)
    response.headers["cache-control"] = "no-store"
    response.headers.add_vary_header("HX-Request")
    return response


async def _updated_region(
    request: Request,
    next_path: str,
    view: str,
    outcome: Outcome,
    panel_open: bool,
    base: Preferences,
    fields: dict[str, str],
) -> Response:
    prefs = outcome.prefs
    match = _ARTICLE_PATH.match(next_path.split("?", 1)[0])
    if match:
        article = await load_article(request, match.group(1))
        host_lang = fields.get("host_lang")
        lang = ui_lang_for(request, article.lang, host_lang)
        message = announce(outcome, lang)
        context = article_context(
            article,
            prefs,
            view,
            panel_open=panel_open,
            status_message=message,
            base=base,
            host_lang=host_lang if host_lang in UI_LANGUAGES else None,
        )
        return render(request, "prefs_swap.html", lang, {**context, "status_oob": True})
    if next_path.split("?", 1)[0] == "/preferences":
        lang = ui_lang_for(request)
        message = announce(outcome, lang)
        context = {**_settings_context(request, prefs, lang), "status_message": message, "status_oob": True}
        return render(request, "preferences_swap.html", lang, context)
    # Any other page: htmx navigates there for real (its settings are already in the cookie).
    return Response(status_code=200, headers={"hx-redirect": next_path})


def _settings_context(request: Request, prefs: Preferences, lang: str) -> dict[str, object]:
    return {
        **controls_context(prefs, lang, "page", "/preferences", True),
        "page_lang": lang,
        "shared": None,
        "shared_lines": [],
    }


async def settings_page(request: Request) -> Response:
    """Every setting on one page; with ?settings=… a shared link asks before applying anything."""
    lang = ui_lang_for(request)
    prefs = prefs_for(request)
    context = _settings_context(request, prefs, lang)
    raw_shared = request.query_params.get("settings")
    if raw_shared is not None:
        shared = Preferences.from_cookie(raw_shared)
        context["shared"] = shared
        context["shared_lines"] = _describe_all(shared, lang)
    return render(request, "preferences.html", lang, context)


def _describe_all(prefs: Preferences, lang: str) -> list[str]:
    lines = []
    for field in dataclasses.fields(prefs):
        if field.name == "background_color":
            continue
        if getattr(prefs, field.name) != getattr(DEFAULTS, field.name):
            lines.append(describe_setting(field.name, prefs, lang))
    return lines


async def colors_css(request: Request) -> Response:
    """The stylesheet for one custom colour pair; only pairs with at least 7:1 contrast exist."""
    match = _COLOR_PAIR.match(request.path_params["pair"])
    if not match:
        raise HTTPException(status_code=404)
    text, background = f"#{match.group(1)}", f"#{match.group(2)}"
    if contrast_ratio(text, background) < MIN_CUSTOM_CONTRAST:
        raise HTTPException(status_code=404)
    css = (
        '.reader[data-colors="custom"] {\n'
        f"  --reader-fg: {text};\n  --reader-bg: {background};\n  --reader-link: {text};\n"
        f"  --reader-link-visited: {text};\n  --reader-muted: {text};\n  --reader-border: {text};\n"
        f"  --reader-focus: {text};\n  --reader-control-bg: {background};\n  --reader-control-fg: {text};\n"
        f"  --reader-pressed-bg: {text};\n  --reader-pressed-fg: {background};\n"
        "  --reader-link-decoration: underline;\n}\n"
    )
    return Response(
        css,
        media_type="text/css",
        headers={
            "cache-control": "public, max-age=31536000, immutable",
            "cross-origin-resource-policy": "cross-origin",
        },
    )
