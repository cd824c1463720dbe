"""Articles: the index, the full page and the embeddable fragment."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from reader.digits import ascii_number
from reader.state import Request
from reader.views.common import article_view, search_cut, search_query
from reader.views.embed import discovery_links
from reader.web import path_for, prefs_for, public_base, render, ui_lang_for


def _page_number(raw: str | None) -> int:
    return max(1, ascii_number(raw, 6) or 1)


async def index(request: Request) -> Response:
    """The list of articles, newest first, one page at a time; with ?q=, those whose title, lead, text or
    author have its words (as the editor's list finds them: with or without diacritics, the beginning of a
    word enough), titles found first, each with an excerpt of where its words are (reader.search)."""
    page = _page_number(request.query_params.get("page"))
    search = search_query(request)
    listing = await request.state["store"].list_articles(
        page=page, per_page=request.state["settings"].page_size, search=search
    )
    lang = ui_lang_for(request)
    context = {
        "page_lang": lang, "prefs": prefs_for(request), "listing": listing, "search": search,
        "search_cut": search_cut(search),
    }  # fmt: skip
    return render(request, "index.html", lang, context)


def page_extras(request: Request, slug: str) -> dict[str, Any]:
    """What the full article page (article.html) shows beyond the article's context: its oEmbed discovery,
    and its address as search engines should list it (the same page at `?panel=open`, say, is this one)."""
    return {
        "oembed": discovery_links(request, slug),
        "canonical": public_base(request) + path_for(request, "article", slug=slug),
    }


async def article_page(request: Request) -> Response:
    """One article as a full HTML page."""
    panel_open = request.query_params.get("panel") == "open"
    extra = page_extras(request, request.path_params["slug"])
    return await article_view(request, "page", "article.html", extra, panel_open=panel_open)


async def article_fragment(request: Request) -> Response:
    """The same article region as an HTML fragment, for embedding (docs/embedding.md)."""
    return await article_view(request, "fragment", "fragment.html")
