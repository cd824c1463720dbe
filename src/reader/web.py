"""Request-level helpers shared by the views: preferences, UI language, links, safe redirects, rendering."""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Collection
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

from reader import i18n
from reader.htmx import drawn_in_another_language, redraw_whole_page
from reader.prefs import COOKIE_MAX_AGE, COOKIE_NAME, DEFAULTS, Preferences
from reader.saved_note import note_cookie_name
from reader.settings import UI_LANGUAGES
from reader.state import Request

MAX_NEXT_LENGTH = 2000
# What stays as it is when a path goes into a header (Starlette's RedirectResponse keeps the same).
URL_SAFE = ":/%#?=@[]!$&'()*+,;"


def path_for(request: Request, name: str, /, **params: Any) -> str:
    """The path of a named route (reader.routes), from the site's root: reader is served at /, and pages
    other sites load resolve these against reader's address (the component, the iframe)."""
    return str(request.app.url_path_for(name, **params))


# What XML 1.0 has no character for (its Char production): no escape can write it, and a parser refuses the
# document. The clean-up on the way in (reader.drafts) takes them out, but not of articles stored before it.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text an XML answer (oEmbed's, the feed) can hold: one stored article must never make it unreadable."""
    return _NOT_XML.sub("", text)


def public_base(request: Request) -> str:
    """reader's own address, for absolute links (oEmbed, the feed, the sitemap, canonical links):
    READER_PUBLIC_URL, else the one this request was made to."""
    configured = request.state["settings"].public_url
    if configured:
        return configured
    return f"{request.url.scheme}://{request.url.netloc}"


def refuse_cross_site(request: Request, trusted: Collection[str] = ()) -> None:
    """403 for a request another site made (a form posted at reader from elsewhere), unless it comes from
    one of the `trusted` origins (the embedding allowlist, whose pages host reader's own controls)."""
    origin = request.headers.get("origin")
    if origin is not None and origin in trusted:
        return
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise HTTPException(status_code=403)
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(status_code=403)


PREFS_HEADER = "reader-prefs"
# On a preference change's answer that kept a change (its cookie, its Reader-Prefs): a refused change is answered
# 200 as well. Read with the headers, so that a page whose answer is then cut knows the change was saved
# (static/js/settings-swap.js, static/reader-article.js).
SAVED_HEADER = "reader-saved"


def has_own_prefs(request: Request) -> bool:
    """True when the request carries the reader's own settings (so the answer is personal)."""
    return COOKIE_NAME in request.cookies or PREFS_HEADER in request.headers


def prefs_for(request: Request, base: Preferences = DEFAULTS, carried: str | None = None) -> Preferences:
    """The reader's preferences: parsed from the cookie here and nowhere else.

    Where the browser keeps no third-party cookie (Safari's default inside another site), a copy comes along
    instead: the embed component's Reader-Prefs header, else `carried`, the settings a reading control's form
    was rendered with (or an embed's address after it). `base` holds the defaults: reader's own, or an
    embedding site's.
    """
    raw = request.cookies.get(COOKIE_NAME)
    if raw is None:
        raw = request.headers.get(PREFS_HEADER, carried)
    return Preferences.from_cookie(raw, base)


def ui_lang_negotiated(content_lang: str | None, requested: str | None = None) -> bool:
    """Whether ui_lang_for reads the browser's Accept-Language for this content and request (else the answer
    is the same whatever it says, and varies by nothing of it)."""
    return requested not in UI_LANGUAGES and i18n.speaks(content_lang) is None


def ui_lang_for(request: Request, content_lang: str | None = None, requested: str | None = None) -> str:
    """The UI language: one an embedding site asks for, else the content's when reader speaks it, else
    the browser's, else the default."""
    if requested in UI_LANGUAGES:
        return str(requested)
    default = request.state["settings"].default_lang
    return i18n.ui_language(content_lang, request.headers.get("accept-language"), default)


def is_https(request: Request) -> bool:
    """True for HTTPS requests. Behind a trusted proxy uvicorn has already made the scheme the one its
    X-Forwarded-Proto names; the header is read here too for servers that leave it (the tests' ASGI client),
    and then only from a peer among READER_TRUSTED_PROXIES: anyone else could send it."""
    if request.url.scheme == "https":
        return True
    settings = request.state["settings"]
    if settings.trust_proxy_headers and _is_trusted_peer(request, settings.trusted_proxies):
        forwarded = request.headers.get("x-forwarded-proto", "")
        return forwarded.split(",", 1)[0].strip().lower() == "https"
    return False


def _is_trusted_peer(request: Request, networks: tuple[str, ...]) -> bool:
    """Whether the connection comes from one of `networks` (a proxy reader is told to trust)."""
    try:
        peer = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:  # a Unix socket's peer, or no peer at all
        return False
    return any(peer in ipaddress.ip_network(network) for network in networks)


# Which cookie keeps a preference change, by where it was made (docs/preferences.md, "Which cookie"):
# reader's own site (its pages; a host page of the same site, whose requests carry a SameSite=Lax cookie),
# inside another site (only a partitioned cookie is kept there), or a frame whose top-level page reader
# cannot see (the /embed page: its forms post from reader's own origin wherever it is framed).
# An Enum, not strings: a misspelt or unknown context is a type error (mypy), not a third kind of cookie.
class CookieContext(enum.Enum):
    OWN_SITE = "own-site"
    OTHER_SITE = "other-site"
    UNKNOWN_SITE = "unknown-site"


OWN_SITE = CookieContext.OWN_SITE
OTHER_SITE = CookieContext.OTHER_SITE
UNKNOWN_SITE = CookieContext.UNKNOWN_SITE


def cookie_context(request: Request, *, framed: bool) -> CookieContext:
    """Where the reader made this change, for store_prefs: OWN_SITE, OTHER_SITE or UNKNOWN_SITE.

    Sec-Fetch-Site compares the page that sent the request with reader: `cross-site` is a page of another
    site (the component on an allowlisted one); `same-site` and `same-origin` are reader's site. From inside
    the /embed frame (`framed`) every request is `same-origin`, whatever page the frame is on."""
    site = request.headers.get("sec-fetch-site")
    if site == "cross-site":
        return OTHER_SITE
    if framed:
        return UNKNOWN_SITE
    if site is not None:
        return OWN_SITE
    # No Fetch Metadata (browsers before 2021-2023): a page of another origin may be of another site.
    origin = request.headers.get("origin")
    return UNKNOWN_SITE if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}" else OWN_SITE


def note_cookie(request: Request) -> str | None:
    """The value of the note cookie this request's browser sent under the name its site's scheme gives it
    (reader.saved_note.note_cookie_name), or None."""
    return request.cookies.get(note_cookie_name(is_https(request)))


def set_site_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None) -> None:
    """A cookie of reader's own site, as each is set (the settings, the editor's session, a note's): for every
    path, out of scripts' reach, sent on links from other sites but never on their forms or frames, and only
    over HTTPS when the site is served over it. `max_age` None: until the browser closes."""
    response.set_cookie(name, value, max_age=max_age, path="/", secure=is_https(request), httponly=True, samesite="lax")


def delete_site_cookie(request: Request, response: Response, name: str) -> None:
    """Deletes a cookie set_site_cookie set (a delete names the cookie by the same attributes)."""
    response.delete_cookie(name, path="/", secure=is_https(request), httponly=True, samesite="lax")


def _partitioned_cookie(value: str) -> str:
    """The Set-Cookie of the partitioned copy; an empty `value` deletes it. Starlette's set_cookie supports
    Partitioned only on Python 3.14, so it is written here. A delete needs Partitioned and Secure too: without
    them it names the unpartitioned cookie, and leaves this one."""
    max_age = COOKIE_MAX_AGE if value else 0
    return f"{COOKIE_NAME}={value}; Max-Age={max_age}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"


def store_prefs(request: Request, response: Response, prefs: Preferences, *, base: Preferences = DEFAULTS,
                context: CookieContext = OWN_SITE) -> None:  # fmt: skip
    """Write the preference cookie (or delete it when everything is back to the defaults) that `context`
    (cookie_context) keeps, so that a reader has one setting wherever they are.

    - OWN_SITE: the ordinary cookie (SameSite=Lax). A partitioned copy that a same-site embed wrote before
      (reader did until it knew better) is sent on this site too, and the browser would send both, so it is
      deleted whenever a cookie came. A delete reaches the partition of the current top-level site, which is
      reader's own here: the one that copy is in.
    - OTHER_SITE: the partitioned cookie (CHIPS), the only one kept inside another site (SameSite=None;
      Secure; Partitioned). The ordinary cookie is not sent there, and not touched.
    - UNKNOWN_SITE: both, with the same value: the browser keeps the one the frame's context allows (a
      SameSite=Lax cookie set inside another site is refused), and where it keeps both they agree.
    """
    value = prefs.to_cookie(base)
    response.headers[PREFS_HEADER] = value
    keep = prefs != base
    # The partitioned header goes first: a browser without CHIPS (Safari before 26.2, Firefox 128 ESR) ignores
    # `Partitioned` and applies the headers in order to the one cookie it keeps by name, domain and path, so the
    # ordinary cookie, set after it, is what stays there (a delete after it took away every change made on
    # reader's own site whenever a cookie came: every second change).
    if context != OWN_SITE or COOKIE_NAME in request.cookies:
        response.headers.append("set-cookie", _partitioned_cookie(value if keep and context != OWN_SITE else ""))
    if context != OTHER_SITE:
        if keep:
            set_site_cookie(request, response, COOKIE_NAME, value, max_age=COOKIE_MAX_AGE)
        else:
            delete_site_cookie(request, response, COOKIE_NAME)


def safe_next(raw: str | None, default: str) -> str:
    """A same-origin path to go back to; anything else (other hosts, schemes, odd slashes) is `default`."""
    if not raw or len(raw) > MAX_NEXT_LENGTH or not raw.startswith("/") or raw.startswith("//"):
        return default
    if any(ch in raw for ch in ("\\", "\r", "\n", "\t", "\x00")) or not raw.isprintable():
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    # Percent-encoded (as Starlette's redirects do), so that it also fits an HX-Redirect header.
    return quote(raw, safe=URL_SAFE)


def render(request: Request, template: str, lang: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a template in a UI language into an HTML response."""
    html = request.state["templates"].render(template, lang, **context)
    response = HTMLResponse(html, status_code=status_code)
    if request.method == "GET" and drawn_in_another_language(request, lang):
        # The Back refresh (static/js/settings-history.js) of a page drawn in another language: the page is
        # loaded again whole, in this one, rather than its region swapped into the other.
        redraw_whole_page(response)
    return response
