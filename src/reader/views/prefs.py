"""Preferences: the form every control posts to, the settings page, shared links, custom colours."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlencode, urlsplit

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from reader.announce import announce, describe_changes, describe_setting
from reader.colors import contrast_ratio
from reader.htmx import drawn_in_another_language, is_htmx, redraw_whole_page
from reader.http_cache import shared_cache_headers
from reader.i18n import N_, gettext
from reader.kinds import Route
from reader.models import Article
from reader.prefs import (
    DEFAULTS,
    FALLBACK_FONT,
    FONT_GAPS,
    FONTS,
    MAX_COOKIE_LENGTH,
    MIN_CUSTOM_CONTRAST,
    SIZES,
    Outcome,
    Preferences,
    apply_form,
    fmt,
    host_defaults,
)
from reader.prefs_css import custom_colors_css
from reader.refused_note import (
    MESSAGE_IDS,
    REFUSED_PARAM,
    RefusedInput,
    refused_context,
    refused_input,
    sealed_refusal,
)
from reader.response_cache import not_shared
from reader.saved_note import (
    ARTICLE_NOTE_GROUPS,
    GROUP_ACTIONS,
    NOTE_COOKIE_MAX_AGE,
    NOTE_ID,
    held_secret,
    new_secret,
    note_cookie_name,
    note_value,
    parse_saved,
    saved_change,
    sealed,
    signed_note,
)
from reader.settings import UI_LANGUAGES
from reader.state import Request
from reader.views.common import (
    CARRIED_PREFS,
    VIEWS,
    address_refusal,
    article_context,
    controls_context,
    load_article,
)
from reader.views.errors import GONE_MESSAGE, KEPT_PARAM
from reader.views.moved import ArticleMoved
from reader.web import (
    SAVED_HEADER,
    cookie_context,
    is_https,
    note_cookie,
    path_for,
    prefs_for,
    public_base,
    refuse_cross_site,
    render,
    safe_next,
    set_site_cookie,
    store_prefs,
    ui_lang_for,
)

# The pages whose article region a preference change answers with (htmx), the region they all show.
_ARTICLE_VIEWS = ("article", "article_fragment", "embed")
_COLOR_PAIR = re.compile(r"([0-9a-f]{6})-([0-9a-f]{6})")  # fullmatch: "$" would let a final "\n" through
MAX_FORM_FIELDS = 40
# Said after a change made in another site's page on an article renamed meanwhile (shown again, from its new
# address); one deleted meanwhile says GONE_MESSAGE (reader.views.errors).
MOVED_MESSAGE = N_("This article has moved to a new address; it is shown here from there.")
# The form field with the settings a control's page was drawn with (templates/_pref_fields.html).
DRAWN_PREFS = "drawn"
# A shared link's two choices (templates/_preferences_reader.html). One made on a page drawn before the reader's
# settings changed comes back to it, drawn afresh, at a note (its id) that says so: ?stale=<STALE_NOTE>.<mac>.
SHARED_ACTIONS = ("apply-shared", "merge-shared")
STALE_PARAM = "stale"
STALE_NOTE = "shared"
STALE_ID = "reader-shared-stale"
# Where the settings page says the shared settings were applied (?applied=, _return_to): its note's id.
APPLIED_ID = "reader-applied"
# An embed's address parameters (reader.views.common.host_settings) from the form fields that carry them.
_HOST_QUERY = {"size": "host_size", "theme": "host_theme", "lang": "host_lang"}


def colors_pair(prefs: Preferences) -> str:
    """The {pair} of the custom colours' stylesheet (colors_css) for preferences that have them."""
    assert prefs.text_color and prefs.background_color
    return f"{prefs.text_color[1:]}-{prefs.background_color[1:]}"


@dataclasses.dataclass(frozen=True, slots=True)
class _Change:
    """A change a form asked for, as its answer needs it: the page it came from (`next_path`) and its view, what
    it did, whether the panel was open, the embedding site's defaults (`base`) and the form's fields."""

    next_path: str
    view: str
    outcome: Outcome
    panel_open: bool
    base: Preferences
    fields: dict[str, str]


async def update(request: Request) -> Response:
    """Apply a preference form; answer htmx with the updated region, everyone else with a 303."""
    # Another site must not change a reader's settings by posting a form at reader; the embedding
    # allowlist is the exception (its pages host reader's own controls).
    refuse_cross_site(request, trusted=request.state["settings"].embed_origins)
    async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as form:
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
    view = fields.get("view", "page")
    view = view if view in VIEWS else "page"
    base = host_defaults(fields.get("host_size"), fields.get("host_theme"))
    # With no cookie (blocked inside another site) the change applies to the settings the form was shown with.
    current = prefs_for(request, base, fields.get(CARRIED_PREFS))
    # A+ and A− in the <reader-article> component step from the size it names, the largest or the smallest its
    # page shows: before the reader chose one, components may start at their own host sizes, and the size
    # chosen becomes every component's, so no text on the page goes the other way (docs/embedding.md).
    size_from = _size_from(fields)
    if size_from is not None:
        current = dataclasses.replace(current, size=size_from)
    next_path = safe_next(fields.get("next"), default=path_for(request, "index"))
    if _shared_stale(fields, view, base, current):
        return _stale_shared(request, next_path, fields, current)
    outcome = apply_form(current, fields, base, _drawn(fields, view, base))
    panel_open = fields.get("panel") == "open"
    change = _Change(next_path, view, outcome, panel_open, base, fields)
    if is_htmx(request):
        response = await _updated_region(request, change)
        if response is None:
            # Drawn in another language than the answer's: the whole page is drawn again, as without
            # JavaScript (below), at the note that says the change (the focus there, the change said in the
            # page's new language); where that is the page's own address (a fragment's move would only
            # scroll), the page is loaded again.
            response = _no_js_answer(request, change)
            location = response.headers["location"]
            del response.headers["location"]
            response.status_code = 200
            redraw_whole_page(response, location if _another_address(request, location) else None)
            # Which of the two depends on the page it came from (HX-Current-URL), which the answer cache's key
            # does not hold: never replayed to the same change from another page (a redirect to a fragment
            # of its own would only scroll). Rare: not worth a key header.
            not_shared(request.scope)
    else:
        response = _no_js_answer(request, change)
    # Which cookie can keep the change: the ordinary one on reader's own site (its pages, or the component on a
    # page of the same site), the partitioned one inside another site (reader.web.cookie_context).
    context = cookie_context(request, framed=view == "embed")
    # The size so chosen is written out even where it is this form's default: left out, the page's other
    # components would go back to their own host sizes (100 % chosen here, 200 % again there).
    kept_base = base if size_from is None else dataclasses.replace(base, size=0.0)
    store_prefs(request, response, outcome.prefs, base=kept_base, context=context)
    # Not an embed's: its settings live in its address, which an answer cut short leaves as it was.
    if outcome.changed and view != "embed":
        response.headers[SAVED_HEADER] = "1"
    # (no-store: the route's kind, reader.kinds.PREFERENCE_CHANGE)
    response.headers.add_vary_header("HX-Request")
    return response


def _note_secret(request: Request) -> tuple[str, bool]:
    """The note cookie value a redirect's note is signed for: this browser's own, or a new one (then True)."""
    held = held_secret(note_cookie(request))
    return held or new_secret(), held is None


def _set_note_cookie(request: Request, response: Response, secret: str, *, new: bool) -> None:
    """The cookie a redirect's note is signed for (reader.saved_note): the page says it in this browser only."""
    set_site_cookie(request, response, note_cookie_name(is_https(request)), secret, max_age=NOTE_COOKIE_MAX_AGE)
    if new:
        not_shared(request.scope)  # a new random value: this request's alone


def _shared_stale(fields: dict[str, str], view: str, base: Preferences, current: Preferences) -> bool:
    """Whether a shared link's choice comes from a confirmation page drawn before the reader's settings changed
    (another tab, since): its lists of what the choice changes were drawn against the settings of then, and
    "Use exactly these settings" put back to the defaults a line height set since, which it never listed. Only
    what a link can change counts (Preferences.to_shared: not this device's voices and keys, which it keeps).
    A form without `drawn` (an older page) applies as before."""
    if fields.get("action") not in SHARED_ACTIONS:
        return False
    drawn = _drawn(fields, view, base)
    return drawn is not None and drawn.to_shared(base) != current.to_shared(base)


def _stale_shared(request: Request, next_path: str, fields: dict[str, str], current: Preferences) -> Response:
    """Nothing applied: back (303, as every form without a script comes back) to the confirmation page drawn
    afresh, which opens at its note that the settings changed meanwhile and its lists are up to date. The note
    is signed as ?applied= is (a link cannot show it), for the settings now."""
    secret, new = _note_secret(request)
    query = {
        # As the form sent it, so the page says what it could not read, but never longer than a cookie value is
        # read (Preferences.read: one past that is as unreadable as any longer), so no form makes a huge Location.
        "settings": fields.get("settings", "")[: MAX_COOKIE_LENGTH + 1],
        STALE_PARAM: signed_note(STALE_NOTE, request.state["session_key"], current, secret),
    }
    response = RedirectResponse(_with_query(next_path, query, STALE_ID), status_code=303)
    _set_note_cookie(request, response, secret, new=new)
    return response


def _no_js_answer(request: Request, change: _Change) -> Response:
    """The 303 back to the page a form was sent from, at the control used (its note beside it where it has
    one, the note cookie it is signed for set), or, for input refused beside its fields, at their message."""
    refused = refused_input(change.outcome, change.fields) if _shows_refusals(request, change.next_path) else None
    secret, new = _note_secret(request)
    key = request.state["session_key"]
    noted = False
    if change.view == "embed":
        back = _embed_return(
            change.next_path, change.outcome.prefs, change.base, change.fields, change.panel_open, refused, key=key
        )
    elif refused is not None:
        query = _panel_query(change.next_path, change.panel_open)
        query[REFUSED_PARAM] = sealed_refusal(refused, key, change.outcome.prefs.to_cookie(), secret)
        back, noted = _with_query(change.next_path, query, MESSAGE_IDS[refused.group]), True
    else:
        settings_page = urlsplit(change.next_path).path == path_for(request, "settings")
        back, noted = _return_to(
            change.next_path, change.fields, change.panel_open, settings_page, change.outcome, key=key, secret=secret
        )
    response = RedirectResponse(back, status_code=303)
    if noted:
        _set_note_cookie(request, response, secret, new=new)
    if refused is not None:
        not_shared(request.scope)  # a refusal's time (reader.refused_note): this request's alone
    return response


def _shows_refusals(request: Request, next_path: str) -> bool:
    """Whether the page at `next_path` shows a refusal its address names beside the fields (its route says so:
    reader.kinds.Route's `refusals`); elsewhere a refused change comes back as any change does."""
    found = request.state["routes"].find("GET", urlsplit(next_path).path)
    return found is not None and found.full and isinstance(found.route, Route) and found.route.refusals


def _another_address(request: Request, address: str) -> bool:
    """Whether `address` is another than that of the page htmx sent the request from (HX-Current-URL): going
    there loads a page, where one that differs only in its fragment would only scroll."""
    current = urlsplit(request.headers.get("hx-current-url", ""))
    target = urlsplit(address)
    return (current.path, current.query) != (target.path, target.query)


def _drawn(fields: dict[str, str], view: str, base: Preferences) -> Preferences | None:
    """The settings the form's page was drawn with (templates/_pref_fields.html: `drawn` on reader's own pages,
    the carried `prefs` elsewhere), or None: a form without them (an older page, another client) or with a
    part that cannot be read, which is ignored as a tampered cookie is (the form applies as it always did)."""
    raw = fields.get(DRAWN_PREFS if view == "page" else CARRIED_PREFS)
    if raw is None:
        return None
    drawn, unread = Preferences.read(raw, base)
    return None if unread else drawn


def _size_from(fields: dict[str, str]) -> float | None:
    """The size an A+ or A− press steps from when the form names one (`size_from`, one of SIZES), else None."""
    if fields.get("action") not in ("bigger", "smaller"):
        return None
    return next((size for size in SIZES if fmt(size) == fields.get("size_from")), None)


def _embed_return(
    next_path: str,
    prefs: Preferences,
    base: Preferences,
    fields: dict[str, str],
    panel_open: bool,
    refused: RefusedInput | None = None,
    *,
    key: str = "",
) -> str:
    """Back to the embed after a no-JS form post: its host's defaults, and the new settings in the address,
    as the frame may keep no cookie; the panel stays open if it was, and the page opens at the group of the
    control used, as reader's own pages do (_return_to), or at the message of input `refused` beside its
    fields, signed with `key` for the settings in the address (no cookie: reader.refused_note)."""
    query = _host_fields(fields)
    query[CARRIED_PREFS] = prefs.to_shared(base)  # (the device's voices and keys: reader.views.common)
    if panel_open:
        query["panel"] = "open"
    if refused is not None:
        query[REFUSED_PARAM] = sealed_refusal(refused, key, query[CARRIED_PREFS], "")
        return _with_query(next_path, query, MESSAGE_IDS[refused.group])
    return _with_query(next_path, query, _group(fields, panel_open))


def _host_fields(fields: dict[str, str]) -> dict[str, str]:
    """The embed's host defaults a form carried (host_size, host_theme, host_lang) as the embed's address names
    them: only what the embed would take from its address itself, a value it would ignore is not sent back."""
    return {name: fields[field] for name, field in _HOST_QUERY.items() if _host_value(name, fields.get(field))}


def _panel_query(next_path: str, panel_open: bool) -> dict[str, str]:
    """The query that keeps the panel open on the page a change comes back to (?panel=open): where it was open
    and the page's address has no query of its own."""
    return {"panel": "open"} if panel_open and "?" not in next_path.split("#", 1)[0] else {}


def _with_query(path: str, query: dict[str, str], fragment: str = "") -> str:
    """`path` with `query` added to its own, and `fragment` (or none) in place of its own: a page's anchor names
    a place on that page, not on the page a change comes back to."""
    target = path.split("#", 1)[0]
    if query:
        # (":" and "|" as they are: the carried settings read better so, and need no escaping in a query)
        target += ("&" if "?" in target else "?") + urlencode(query, safe=":|")
    return f"{target}#{fragment}" if fragment else target


def _host_value(name: str, value: str | None) -> bool:
    """Whether `value` is one the embed takes for its host's default `name` (size, theme, lang)."""
    if not value:
        return False
    if name == "lang":
        return value in UI_LANGUAGES
    defaults = host_defaults(value, None) if name == "size" else host_defaults(None, value)
    return defaults != DEFAULTS


# Where the page a change without JavaScript comes back to shows the control that made it: the group of a
# field the form carried (a toggle button's name; the panel's own form always carries the selects, so they
# come last), by the ids in templates/_panel.html, _size_controls.html and _read_aloud_settings.html.
_GROUPS = (
    ("theme", "reader-themes"),
    ("font", "reader-fonts"),
    ("width", "reader-widths"),
    ("underline_links", "reader-links"),
    ("text_color", "reader-colors"),
    ("colors", "reader-colors"),
    ("shortcuts", "reader-shortcuts"),
    ("key_play", "reader-shortcuts"),
    ("speech_rate", "reader-speech-rate-form"),
    ("voice", "reader-tools-settings"),
    ("reading_guide", "reader-guide-form"),
    ("line_height", "reader-spacing"),
)


def _group(fields: dict[str, str], panel_open: bool) -> str:
    """The id of the group of controls a form without JavaScript was sent from (_GROUPS), or "" for none."""
    action = fields.get("action") or "set"
    # (the buttons of the groups that have their own: the note names them so, reader.saved_note)
    if action in GROUP_ACTIONS["reader-size-controls"]:
        return "reader-size-controls"
    if not panel_open:
        return ""
    if action in GROUP_ACTIONS["reader-presets"]:
        return "reader-presets"
    return next((group for field, group in _GROUPS if field in fields), "reader-panel")


def _return_to(
    next_path: str,
    fields: dict[str, str],
    panel_open: bool,
    settings_page: bool,
    outcome: Outcome,
    *,
    key: str,
    secret: str,
) -> tuple[str, bool]:
    """The address a 303 sends the browser to: the page, with the panel as it was, at the control used. An
    article, and the settings page, open at the note beside the group, which says what the change did (the
    new value), signed with `key` for the settings the change left and the note cookie `secret`
    (reader.saved_note: a link cannot name one, nor a note made elsewhere show here); focused there, the
    next Tab goes on into the group. The settings page (`settings_page`) has a note for every change: one
    its groups cannot say beside themselves (a voice, a change the note could not put in its words) opens at
    its note near the top that the settings were saved, which links back to that control (?saved=:
    SAVED_GROUPS), as its Apply buttons change nothing in sight. With whether the address has a note (the
    cookie then goes with it)."""
    if fields.get("action") in SHARED_ACTIONS:
        # Where the settings page says they were applied (a page that came back unchanged said nothing),
        # signed as an article's note is: a link cannot say so.
        return _with_query(next_path, {"applied": signed_note("1", key, outcome.prefs, secret)}, APPLIED_ID), True
    fragment = _group(fields, panel_open)
    query = _panel_query(next_path, panel_open)
    change = saved_change(fragment, outcome)
    if change and (settings_page or change.group in ARTICLE_NOTE_GROUPS):
        return _with_query(next_path, {**query, "saved": sealed(change, key, outcome.prefs, secret)}, NOTE_ID), True
    if settings_page:
        saved = signed_note(fragment or "reader-title", key, outcome.prefs, secret)
        return _with_query(next_path, {**query, "saved": saved}, NOTE_ID), True
    return _with_query(next_path, query, fragment), False


# Where the settings page's note that the settings were saved links back to (?saved=): only these ids.
SAVED_GROUPS = frozenset(
    {group for _field, group in _GROUPS} | {"reader-size-controls", "reader-presets", "reader-panel", "reader-title"}
)


async def _updated_region(request: Request, change: _Change) -> Response | None:
    """The region a change with JavaScript swaps in, or None when the page it would go into was drawn in
    another interface language (reader.htmx.drawn_in_another_language): the whole page is drawn again."""
    prefs = change.outcome.prefs
    found = request.state["routes"].find("GET", urlsplit(change.next_path).path)
    name = found.route.name if found is not None and found.full else None
    # In another site's page (a fragment, an embed), a rename is followed here: the region comes back from the
    # article's new address, in place. Navigating instead would take the embedding page itself away (htmx
    # resolves a root-relative HX-Redirect against the partner's page) or drop the focus and the announcement.
    embedded = change.view != "page"
    article, moved = None, False
    if found is not None and name in _ARTICLE_VIEWS:
        article, moved = await _article_now(request, found.params["slug"], follow_rename=embedded)
    if article is not None:
        host_lang = change.fields.get("host_lang")
        lang = ui_lang_for(request, article.lang, host_lang)
        if change.view != "fragment" and drawn_in_another_language(request, lang):
            return None
        message = announce(change.outcome, lang)
        if moved:
            message = f"{message}. {gettext(lang, MOVED_MESSAGE)}" if message else gettext(lang, MOVED_MESSAGE)
        context = article_context(
            request,
            article,
            prefs,
            change.view,
            panel_open=change.panel_open,
            status_message=message,
            base=change.base,
            host_lang=host_lang if host_lang in UI_LANGUAGES else None,
        )
        refused = refused_context(change.outcome, change.fields, lang)
        moved_note = {"moved_to": public_base(request) + path_for(request, "article", slug=article.slug)}
        moved_note = moved_note if moved else {}
        return render(request, "prefs_swap.html", lang, {**context, **refused, **moved_note, "status_oob": True})
    if name == "settings":
        lang = ui_lang_for(request)
        if drawn_in_another_language(request, lang):
            return None
        message = announce(change.outcome, lang)
        context = {
            **_settings_context(request, prefs, lang),
            **refused_context(change.outcome, change.fields, lang),
            "status_message": message,
            "status_oob": True,
        }
        return render(request, "preferences_swap.html", lang, context)
    if name in _ARTICLE_VIEWS and change.view == "fragment":
        # Deleted (or unpublished) under a fragment on another site's page: nothing is navigated, the article
        # stays as it was, and the status region says why it did not change (the change is kept: it is not the
        # article's). The <reader-article> component, finding no region, loads it again and shows its link.
        lang = ui_lang_for(request, requested=change.fields.get("host_lang"))
        gone = render(request, "prefs_gone.html", lang, {"status_message": gettext(lang, GONE_MESSAGE)})
        gone.headers["hx-reswap"] = "none"
        return gone
    if name in _ARTICLE_VIEWS and change.view == "embed":
        # Deleted under an embed: its own frame (never the embedding page) goes to the embed's 404, which says
        # the setting was kept and takes the focus to its heading (js/reader-embed.js).
        # (With the page's defaults, the language first: the 404 speaks the frame's language.)
        kept = _with_query(change.next_path, {**_host_fields(change.fields), KEPT_PARAM: "1"})
        return Response(status_code=200, headers={"hx-redirect": kept})
    # Any other page, or an article deleted or renamed since reader's own page showed it: htmx navigates there
    # for real (the settings are already in the cookie), to the page, the 404 that says it is gone or the
    # redirect to its new address. The change is kept either way: it is not the article's.
    return Response(status_code=200, headers={"hx-redirect": change.next_path})


async def _article_now(request: Request, slug: str, *, follow_rename: bool) -> tuple[Article | None, bool]:
    """The article at `slug`, and whether it was found at a new address (a rename, followed only when asked):
    (None, False) when it has been deleted, or renamed and not followed."""
    try:
        return await load_article(request, slug), False
    except ArticleMoved as moved:
        if not follow_rename:
            return None, False
        try:
            return await load_article(request, moved.slug), True
        except (HTTPException, ArticleMoved):
            return None, False
    except HTTPException:
        return None, False


def _settings_context(request: Request, prefs: Preferences, lang: str) -> dict[str, object]:
    key = request.state["session_key"]
    cookie = note_cookie(request)
    saved = note_value(request.query_params.get("saved"), key, prefs, cookie)
    # The change beside its group, as an article says it (_return_to; parse_saved: only what a form did).
    change = parse_saved(saved) if saved not in SAVED_GROUPS else None
    noted = (
        {"saved_note": {"group": change.group, "id": NOTE_ID, "message": change.message(prefs, lang)}} if change else {}
    )
    # Back from a change without JavaScript (_return_to), signed for these settings and this browser's note
    # cookie (reader.saved_note): the shared settings applied, or the id of the control the change was made with;
    # or from a shared link's choice made on its page drawn before the settings changed (_stale_shared).
    applied = note_value(request.query_params.get("applied"), key, prefs, cookie) == "1"
    shared_stale = note_value(request.query_params.get(STALE_PARAM), key, prefs, cookie) == STALE_NOTE
    saved_group = saved if saved in SAVED_GROUPS else None
    return {
        **controls_context(request, prefs, lang, "page", path_for(request, "settings"), True),
        "page_lang": lang,
        # The read-aloud settings show a voice for each language of reader's interface (the panel of an
        # article, for its language): templates/_read_aloud_settings.html.
        "voice_langs": UI_LANGUAGES,
        # Every font a reader can keep, their own pressed: an English article's Atkinson Hyperlegible was
        # missing from a Vietnamese interface's page, and Sans-serif (what Vietnamese text is set in) pressed.
        "fonts": FONTS,
        "font_pressed": prefs.font,
        "font_gaps": FONT_GAPS,
        "fallback_font": FALLBACK_FONT,
        "shared": None,
        "shared_lines": [],
        "shared_unread": 0,
        "shared_changes": [],
        "exact_changes": [],
        "applied": applied,
        "shared_stale": shared_stale,
        "saved": saved_group,
        "note_id": NOTE_ID,  # where that redirect opens
        "applied_id": APPLIED_ID,
        "stale_id": STALE_ID,
        **noted,
        # Whether the page shows one of those notes, each for this browser alone (settings_page's cache headers).
        "personal_note": bool(applied or shared_stale or saved_group or noted),
    }


async def settings_page(request: Request) -> Response:
    """Every setting on one page; with ?settings=… a shared link asks before applying anything."""
    lang = ui_lang_for(request)
    prefs = prefs_for(request)
    context = _settings_context(request, prefs, lang)
    raw_shared = request.query_params.get("settings")
    if raw_shared is not None:
        # A link cut short or mangled on its way (a chat app, a line break in an e-mail) must not pass for
        # "the default settings": applying those would undo the reader's own. What could not be read is said.
        shared, unread = Preferences.read_shared(raw_shared, keep=prefs)
        context["shared"] = shared
        context["shared_lines"] = _describe_all(shared, lang)
        context["shared_unread"] = unread
        # What each choice changes, from what to what: nothing changes unannounced.
        context["shared_changes"] = describe_changes(prefs, Preferences.merge_shared(raw_shared, prefs), lang)
        context["exact_changes"] = describe_changes(prefs, shared, lang)
    refused, refused_shown = address_refusal(request, prefs.to_cookie(), prefs, lang, framed=False)
    context.update(refused_shown)
    response = render(request, "preferences.html", lang, context)
    if context["personal_note"] or refused is not None:
        # A note for this browser alone (its note cookie): no shared cache may keep it for the next reader.
        shared_cache_headers(response.headers, personal=True)
    return response


def _describe_all(prefs: Preferences, lang: str) -> list[str]:
    lines = []
    for field in dataclasses.fields(prefs):
        if field.name == "background_color":
            continue
        if getattr(prefs, field.name) != getattr(DEFAULTS, field.name):
            lines.append(describe_setting(field.name, prefs, lang))
    return lines


async def current(request: Request) -> Response:
    """The tag of the reader's settings now (Preferences.version_tag): a page that Back or Forward brings back
    (the back/forward cache, the HTTP cache) compares it with its data-drawn and comes up to date when they
    differ (static/js/settings-swap.js; the cookie is HttpOnly)."""
    return Response(prefs_for(request).version_tag(), media_type="text/plain")


async def colors_css(request: Request) -> Response:
    """The stylesheet for one custom colour pair; only pairs with at least 7:1 contrast exist."""
    match = _COLOR_PAIR.fullmatch(request.path_params["pair"])
    if not match:
        raise HTTPException(status_code=404)
    text, background = f"#{match.group(1)}", f"#{match.group(2)}"
    if contrast_ratio(text, background) < MIN_CUSTOM_CONTRAST:
        raise HTTPException(status_code=404)
    css = custom_colors_css(text, background)
    return Response(css, media_type="text/css", headers={"cache-control": "public, max-age=31536000, immutable"})
