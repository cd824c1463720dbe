"""Articles: the index, the full page and the embeddable fragment."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from starlette.responses import Response
from starlette.types import Scope

from reader.i18n import gettext
from reader.page_window import page_href
from reader.saved_note import read_saved
from reader.state import Request
from reader.views.common import article_view, search_cut, search_query
from reader.views.embed import discovery_links
from reader.views.errors import error_page
from reader.web import note_cookie, path_for, prefs_for, public_base, render, ui_lang_for

# A page number of more digits than this is past the last page of any list (and int() refuses 4,300 digits).
_PAGE_DIGITS = 15


def no_results(lang: str, search: str) -> str:
    """What a search that found nothing says, and what to try: its results page and its 404 pages alike."""
    return " ".join(
        (
            gettext(lang, "No article matches “%(search)s”.") % {"search": search},
            gettext(lang, "Check the spelling, or try fewer words."),
        )
    )


# How much of a page "number" that is none a 404 page repeats.
_SHOWN_CHARS = 20


def _page_number(raw: str | None) -> int | None:
    """The page ?page= asks for: 1 when it asks for none (or is empty), None when it is no whole number."""
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit()):  # "²" and "①" are digits to str.isdigit(), not to int()
        return None
    digits = raw.lstrip("0") or "0"  # "0000000000000001" is page 1
    return int(digits) if len(digits) <= _PAGE_DIGITS else 10**_PAGE_DIGITS


def _no_such_page(
    request: Request, lang: str, raw: str, pages: int | None, search: str, *, total: int | None = None
) -> Response:
    """A 404 for a page of the list that is not there, saying why, with links to the pages that are: never
    another page in its place (as Django's paginated lists answer, and reader's sitemap). `pages`: how many
    there are (None: `raw` is no page number at all); `total`, how many articles the list has. The search
    field keeps `search`, as the results page does. Not kept by the answer cache (a 404: not reusable)."""
    index = path_for(request, "index")
    query = {"q": search} if search else {}
    first = (page_href(index, query, 1), gettext(lang, "First page"))
    shown = raw if pages is None else raw.lstrip("0") or "0"
    shown = shown if len(shown) <= _SHOWN_CHARS else shown[:_SHOWN_CHARS] + "…"
    if pages is None:
        explanation = gettext(lang, "“%(page)s” is not a page number: the pages are numbered 1, 2, 3…") % {
            "page": shown
        }
        return error_page(request, 404, explanation=explanation, links=[first], search=search)
    if search and total == 0:
        # A search that found nothing has no pages to tell of ("only one page", "the first page" would be
        # an empty one): only that nothing matches, and what to try, as its results page says.
        return error_page(request, 404, explanation=no_results(lang, search), search=search)
    # (Two messages, not a plural: the number of pages is in one only.)
    if pages == 1:
        explanation = gettext(lang, "This list has no page %(page)s: it has only one page.")
    else:
        explanation = gettext(lang, "This list has no page %(page)s: it has %(pages)d pages.")
    explanation %= {"page": shown, "pages": pages}
    last = (page_href(index, query, pages), gettext(lang, "Last page"))
    links = [first, last] if pages > 1 else [first]
    return error_page(request, 404, explanation=explanation, links=links, search=search)


async def index(request: Request) -> Response:
    """The list of articles, newest first, one page at a time; with ?q=, those whose title, lead, text or
    author have its words (as the editor's list finds them: with or without diacritics, the beginning of a
    word enough), titles found first, each with an excerpt of where its words are (reader.search). A page
    that is not there (past the last, or no number) is a 404 that says so (_no_such_page)."""
    raw_page = request.query_params.get("page", "")
    page = _page_number(raw_page)
    search = search_query(request)
    lang = ui_lang_for(request)
    if page is None:
        return _no_such_page(request, lang, raw_page, None, search)
    listing = await request.state["store"].list_articles(
        page=page, per_page=request.state["settings"].page_size, search=search
    )
    if page != listing.page:  # Page.bounds gave the last page (or the first, for 0) in its place
        return _no_such_page(request, lang, raw_page, listing.pages, search, total=listing.total)
    context = {
        "page_lang": lang, "prefs": prefs_for(request), "listing": listing, "search": search,
        "search_cut": search_cut(search), "no_results": "" if listing.total or not search else no_results(lang, search),
    }  # fmt: skip
    return render(request, "index.html", lang, context)


def page_extras(request: Request, slug: str) -> dict[str, Any]:
    """What the full article page (article.html) shows beyond the article's context: its oEmbed discovery,
    and its address as search engines should list it (the same page at `?panel=open`, say, is this one)."""
    return {
        "oembed": discovery_links(request, "article", slug),
        "canonical": public_base(request) + path_for(request, "article", slug=slug),
    }


async def article_page(request: Request) -> Response:
    """One article as a full HTML page."""
    panel_open = request.query_params.get("panel") == "open"
    extra = page_extras(request, request.path_params["slug"])
    # (the settings parsed for the check only when there is a note to check: article_view parses them anyway)
    raw = request.query_params.get("saved")
    key = request.state["session_key"]
    saved = read_saved(raw, key, prefs_for(request), note_cookie(request)) if raw else None
    return await article_view(request, "page", "article.html", extra, panel_open=panel_open, saved=saved)


def article_cache_query(query: bytes, scope: Scope) -> bytes:
    """The article page's query as the answer cache keys it: its `saved` (the last, as article_page reads it)
    in the one spelling the redirect writes, or left out when it names no note (its mac is not the one for
    the request's settings and note cookie, or the value is none saved_change writes), whose page is the page
    without it, byte for byte. So a link, however spelt, keys one of the bounded set of noted pages, and a
    noted page only under a key with the note cookie it was signed for (the key holds the Cookie header)."""
    if b"saved" not in query:
        # Nearly every request (this runs before each cached answer): a name spelt with escapes
        # ("s%61ved") is keyed as sent, as any other query is, and its page is rendered for what it says.
        return query
    pairs = query.split(b"&")
    saved = [pair for pair in pairs if _name(pair) == "saved"]
    if not saved:
        return query
    raw = unquote_plus(saved[-1].partition(b"=")[2].decode("latin-1"))
    # The settings as article_page reads them (a page's own defaults: no embedding site's).
    request: Request = Request(scope)
    change = read_saved(raw, request.state["session_key"], prefs_for(request), note_cookie(request))
    kept = [pair for pair in pairs if _name(pair) != "saved"]
    # (a mac read is the one written: its characters need no escape)
    return b"&".join(kept + ([b"saved=" + raw.encode()] if change else []))


def _name(pair: bytes) -> str:
    """A query pair's name, as Starlette's QueryParams reads it (urllib.parse.parse_qsl)."""
    return unquote_plus(pair.partition(b"=")[0].decode("latin-1"))


async def article_fragment(request: Request) -> Response:
    """The same article region as an HTML fragment, for embedding (docs/embedding.md)."""
    return await article_view(request, "fragment", "fragment.html")
