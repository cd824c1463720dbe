"""What several views share: loading an article, the article region's context, its cached answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import Response

from reader.drafts import clean_text
from reader.htmx import drawn_in_another_language, redraw_whole_page
from reader.http_cache import article_etag, cache_headers, is_fresh, last_modified, not_modified
from reader.models import Article
from reader.prefs import DEFAULTS, Preferences, fmt, fonts_for, host_defaults
from reader.reading import article_minutes
from reader.refused_note import REFUSED_PARAM, RefusedInput, noted_context, read_refused
from reader.response_cache import not_shared
from reader.saved_note import NOTE_ID, SavedChange
from reader.settings import UI_LANGUAGES
from reader.slugs import MAX_SEARCH_WORDS, is_valid_slug, search_is_cut
from reader.state import Request
from reader.views.moved import stored_article
from reader.web import has_own_prefs, note_cookie, path_for, prefs_for, render, ui_lang_for, ui_lang_negotiated

VIEWS = ("page", "fragment", "embed")
# The form field (and, for an embed, the query parameter) that carries the settings a control was rendered
# with, for browsers that keep no cookie inside another site (reader.web.prefs_for).
CARRIED_PREFS = "prefs"


async def load_article(request: Request, slug: str, *, drafts: bool = False) -> Article:
    """The article for a slug; ArticleMoved for an address an article had before it was renamed (answered
    with a redirect to its new one, reader.views.moved), else a 404 (an impossible slug never reaches the
    database). A draft only with `drafts` (the editor's views): every public view answers for one exactly as
    for an article that does not exist."""
    if not is_valid_slug(slug):
        raise HTTPException(status_code=404)
    article = await stored_article(request, slug, drafts=drafts)
    if article is None:
        raise HTTPException(status_code=404)
    return article


def controls_context(
    request: Request,
    prefs: Preferences,
    content_lang: str,
    view: str,
    next_path: str,
    panel_open: bool,
    base: Preferences = DEFAULTS,
    host_lang: str | None = None,
) -> dict[str, Any]:
    """What the reading controls (size buttons and the Readability panel) need."""
    # An embedding site's defaults travel with every form, so a change applies on top of them.
    host_fields = {f"host_{name}": value for name, value in host_query(base, host_lang).items()}
    return {
        "prefs": prefs,
        "content_lang": content_lang,
        "view": view,
        "next_path": next_path,
        "panel_open": panel_open,
        "host_fields": host_fields,
        # The settings the controls were shown with, for a change where no cookie comes along (embeds).
        "carried_prefs": prefs.to_cookie(base),
        # The settings the controls were drawn with, on reader's own pages (reader.prefs.apply_form's `drawn`).
        "drawn_prefs": prefs.to_drawn(base),
        "fonts": fonts_for(content_lang),
        # The font button pressed: the font the text is set in (the settings page: the reader's own, whatever
        # the interface's language; _settings_context), and the fonts to say a language's gap for (none here).
        "font_pressed": prefs.font_for(content_lang),
        "font_gaps": {},
        "share_path": path_for(request, "settings") + "?settings=" + quote(prefs.to_shared(), safe=":"),
    }


def article_context(
    request: Request,
    article: Article,
    prefs: Preferences,
    view: str,
    *,
    panel_open: bool = False,
    status_message: str = "",
    base: Preferences = DEFAULTS,
    host_lang: str | None = None,
) -> dict[str, Any]:
    """The template context of the article region in one view."""
    return {
        **controls_context(
            request,
            prefs,
            article.lang,
            view,
            # An embed comes back to itself (no-JS form posts): the full page may not be framed.
            path_for(request, "embed" if view == "embed" else "article", slug=article.slug),
            panel_open,
            base,
            host_lang,
        ),
        "article": article,
        "page_lang": article.lang,
        "reading_minutes": article_minutes(article),
        "status_message": status_message,
    }


def host_settings(query: Mapping[str, str]) -> tuple[Preferences, str | None]:
    """An embedding site's defaults from an address's query: size and theme (the reader's own cookie overrides
    them) and lang, the controls' language. A value reader does not have is ignored."""
    lang = query.get("lang")
    return host_defaults(query.get("size"), query.get("theme")), lang if lang in UI_LANGUAGES else None


def host_query(base: Preferences, host_lang: str | None) -> dict[str, str]:
    """Those defaults as a query again (size, theme, lang), as reader writes them; reader's own left out."""
    query = {"size": fmt(base.size)} if base.size != DEFAULTS.size else {}
    if base.theme != DEFAULTS.theme:
        query["theme"] = base.theme
    if host_lang:
        query["lang"] = host_lang
    return query


def _address_prefs(request: Request, base: Preferences) -> str | None:
    """The settings in an embed's address (?prefs=), which brings them back after a no-JS form post where no
    cookie is kept. Anyone can write an address: like a shared link, it sets how the text reads, never the
    device's voices or keys (which need JavaScript anyway)."""
    raw = request.query_params.get(CARRIED_PREFS)
    return Preferences.from_shared(raw, base).to_shared(base) if raw else None


def address_refusal(
    request: Request, settings: str, prefs: Preferences, lang: str, *, framed: bool
) -> tuple[RefusedInput | None, dict[str, object]]:
    """Input refused without JavaScript that the page's address names (?refused=, reader.refused_note), for a
    page drawn with `settings` (the settings cookie; an embed's, framed: those in its address) in this browser,
    for two minutes; and what the page shows of it beside its fields (empty for none). No answer that shows one
    is kept for the next request (its time); the page is this browser's alone (the caller's cache headers)."""
    refused = read_refused(
        request.query_params.get(REFUSED_PARAM),
        request.state["session_key"],
        settings,
        note_cookie(request),
        framed=framed,
    )
    if refused is not None:
        not_shared(request.scope)
    return refused, noted_context(refused, prefs, lang)


async def article_view(
    request: Request,
    view: str,
    template: str,
    extra: dict[str, Any] | None = None,
    *,
    panel_open: bool = False,
    saved: SavedChange | None = None,
) -> Response:
    """An article rendered in one view, with ETag/Last-Modified validation and cache headers; `saved`: the
    change made there without JavaScript that its controls say was made (reader.saved_note)."""
    article = await load_article(request, request.path_params["slug"])
    base, host_lang = host_settings(request.query_params) if view != "page" else (DEFAULTS, None)
    carried = _address_prefs(request, base) if view == "embed" else None
    prefs = prefs_for(request, base, carried)
    ui_lang = ui_lang_for(request, article.lang, host_lang)
    # (an embed's refusal is signed for the settings in its address, as it may keep no cookie)
    refused, refused_shown = (
        address_refusal(
            request,
            (carried or "") if view == "embed" else prefs.to_cookie(),
            prefs,
            ui_lang,
            framed=view == "embed",
        )
        if view != "fragment"
        else (None, {})
    )
    # A page with a note is for the one browser whose redirect signed it (reader.saved_note's cookie): no shared
    # cache may keep it, even for a reader on the defaults (Vary: Cookie is not enough: some CDNs ignore it).
    personal = has_own_prefs(request) or saved is not None or refused is not None
    extra = extra or {}
    build = request.state["build"]
    etag = article_etag(
        article, build, view, ui_lang, prefs.to_cookie(), base.to_cookie(), str(panel_open), str(saved or ""),
        str(refused or ""),
        *map(str, extra.values()),
    )  # fmt: skip
    modified = last_modified(article)
    negotiated = ui_lang_negotiated(article.lang, host_lang)
    # The Back refresh of a page drawn in another language (reader.htmx): the page is loaded again whole. Never a
    # 304: the ETag says nothing of the asking page's language, and the copy it would validate is a region in
    # this one, which htmx would swap into that page.
    redraw = drawn_in_another_language(request, ui_lang)
    if not redraw and is_fresh(request, etag, modified, personal=personal):
        return not_modified(etag, modified, personal=personal, negotiated=negotiated)
    context = {
        **article_context(request, article, prefs, view, panel_open=panel_open, base=base, host_lang=host_lang),
        **extra,
    }
    context.update(refused_shown)
    if saved:
        context["saved_note"] = {"group": saved.group, "id": NOTE_ID, "message": saved.message(prefs, ui_lang)}
    response = render(request, template, ui_lang, context)
    cache_headers(response, etag, modified, personal=personal, negotiated=negotiated)
    if redraw:
        redraw_whole_page(response)  # no-store again: cache_headers made it a copy to keep and validate
    return response


# The longest search the article lists take, in characters (a longer one is cut).
MAX_SEARCH_CHARS = 200


def search_query(request: Request) -> str:
    """The words asked for in ?q= (the index and the editor's list). Cleaned as a title is (no title holds a
    control character), which also keeps a NUL from PostgreSQL: it refuses one in any text it is sent, where
    SQLite would only find nothing."""
    return clean_text(request.query_params.get("q", "")).strip()[:MAX_SEARCH_CHARS]


def search_cut(search: str) -> int:
    """How many of a search's words were looked for when it had more (the lists say so), else 0."""
    return MAX_SEARCH_WORDS if search_is_cut(search) else 0
