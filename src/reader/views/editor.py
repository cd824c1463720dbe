"""The editor: list, create, edit with live preview, delete (and restore from the deleted articles), history,
import, and the readability and layout check with previews at the sizes readers use. Every page works
without JavaScript; htmx only enhances."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from reader import cpu_work
from reader.addresses import free_address
from reader.announce import theme_name
from reader.dates import as_rfc3339
from reader.digits import ascii_number
from reader.drafts import (
    FieldError,
    FieldErrors,
    draft_from_fields,
    normalize_form_date,
    normalize_lang,
    source_as_html,
)
from reader.i18n import N_, format_date, gettext, language_name
from reader.importer import (
    ImportFailure,
    drafts_from_files,
    layout_findings,
    save_imported,
    with_lists,
)
from reader.layout_checks import AUTO_DARK, layout_report
from reader.models import (
    BY_CLI_IMPORT,
    BY_TOKEN,
    DRAFT,
    PUBLISHED,
    STATUSES,
    Article,
    ArticleDraft,
    ArticleSummary,
    DeletedArticle,
    Status,
    parse_published,
)
from reader.prefs import Preferences
from reader.readability import lead_flags, readability_report
from reader.readability.document import CELL, document_from_html
from reader.readability.report import (
    LANGUAGES,
    FlagJSON,
    LayoutIssue,
    LayoutReport,
    ReadabilityReport,
    below_first_grade,
)
from reader.saved_note import mac_matches, note_mac
from reader.slugs import is_valid_slug
from reader.state import Request
from reader.store import ArticleStore, OldAddressTaken, SlugTaken
from reader.views.common import article_context, load_article, search_cut, search_query
from reader.views.editor_auth import editor_session, posted_form
from reader.web import path_for, prefs_for, render, ui_lang_for

FORM_FIELDS = (
    "title", "slug", "lang", "lang_other", "summary", "author", "published", "source_url", "body", "body_format",
)  # fmt: skip
# Each field's label: the form shows it, and every error names its field by it (never "body_html").
LABELS = {
    "title": N_("Title"), "slug": N_("Address (slug)"), "lang": N_("Language"), "lang_other": N_("Other language code"),
    "summary": N_("Lead"), "author": N_("Author"), "published": N_("Publication date"),
    "source_url": N_("Original address"), "body": N_("Body"),
}  # fmt: skip
# The language list: the languages reader has a readability report for; "other" takes any BCP 47 tag.
OTHER_LANGUAGE = "other"
MAX_UPLOAD_FILES = 20
# An import's whole upload: a few news articles' files are well under it, and a file up to the importer's
# own limit per file (reader.importer.MAX_FILE_BYTES, for `reader import`) is for the command line.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# The previews on the check page: what readers really use (label, settings cookie, frame width in CSS px,
# where the frame opens). A caption of None: the preview of a theme, captioned with its name in the editor's
# language. At 200 % and 400 % the reading toolbar alone is taller than the frame (at 400 % on a phone,
# 670 px, and the title and lead 4,000 px more): those open at the article (?start=reader-article, scrolled
# there by js/editor-frame.js, as a reader who scrolled past the toolbar sees it) in a taller frame, so that
# they show its text; the 100 % preview shows the toolbar above it.
ARTICLE_START = "reader-article"
PREVIEWS: tuple[tuple[str | None, str, int, str], ...] = (
    ("100 %", "1", 560, ""),
    ("200 %", "1|s:200", 560, ARTICLE_START),
    ("400 % · 320 px", "1|s:400", 320, ARTICLE_START),
    ("WCAG 1.4.12", "1|lh:1.5|ls:0.12|ws:0.16|ps:2", 560, ""),
    (None, "1|t:contrast-dark", 560, ""),
    (None, "1|t:contrast-light", 560, ""),
)


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    lang = ui_lang_for(request)
    settings = request.state["settings"]
    zone = settings.zone
    full = {
        "page_lang": lang, "prefs": prefs_for(request), "session": editor_session(request),
        # Times the store keeps in UTC, shown in the site's zone (READER_TIME_ZONE), which the pages name: the
        # date field reads times in it too.
        "local_time": lambda value: value.astimezone(zone), "time_zone": settings.time_zone, **context,
    }  # fmt: skip
    return render(request, template, lang, full, status_code=status)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")


def headings_under(html: Markup | str, level: int) -> Markup:
    """A sanitized body's headings moved under a heading of `level` (its h2 one below it, and so on, h6 the
    deepest), for a preview whose title is not the page's h1: the editor's outline then reads "Preview",
    the title, then the article's sections, none skipped. Tags only: the sanitizer escapes every "<" in text
    and attribute values, so a match is a tag."""
    shift = level - 1
    return Markup(_HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", str(html)))  # noqa: S704 - the body is sanitized HTML, only its heading tags renamed


# A div's opening tag, its attributes each quoted (a ">" in a value is the value's, a '"' in it is escaped).
_DIV_TAG = re.compile(r'<div(?:\s+[a-z-]+="[^"]*")*\s*>')


def _table_region_as_group(match: re.Match[str]) -> str:
    tag = match.group(0)
    return tag.replace(' role="region"', ' role="group"') if 'class="reader-table"' in tag else tag


def framed_body(html: Markup | str) -> Markup:
    """A sanitized body as the check page's frames show it: its headings role=none, its tables' scroll regions
    (reader.sanitize) groups. A screen reader lists the landmarks and headings of a page's frames with the
    page's own: six frames listed the article's sections, and each table's region, six times more. Looks
    and layout do not change (the tags, and the classes the stylesheet sizes them by, stay), and the preview
    page (views.editor.preview) keeps the article's outline for those who read it. Tags only: the sanitizer
    escapes every "<" in text and attribute values, so a match is a tag."""
    headings = _HEADING_TAG.sub(lambda m: m.group(0) if m.group(1) else f'{m.group(0)} role="none"', str(html))
    return Markup(_DIV_TAG.sub(_table_region_as_group, headings))  # noqa: S704 - sanitized HTML, attributes added to its own tags


def saver_name(by: str, lang: str) -> str:
    """Who saved a version or deleted an article (`by`, as the store records it: reader.models.BY_TOKEN), as
    a table names them: the editor's account name, "API token NAME", "Command-line import" or "Not recorded"."""
    if by.startswith(BY_TOKEN):
        return gettext(lang, "API token %(name)s") % {"name": by.removeprefix(BY_TOKEN)}
    if by == BY_CLI_IMPORT:
        return gettext(lang, "Command-line import")
    return by or gettext(lang, "Not recorded")


def saver_in_sentence(by: str, lang: str) -> str:
    """The same inside a sentence ("… by the API token NAME."); "" when it was not recorded."""
    if by.startswith(BY_TOKEN):
        return gettext(lang, "the API token %(name)s") % {"name": by.removeprefix(BY_TOKEN)}
    if by == BY_CLI_IMPORT:
        return gettext(lang, "an import from the command line")
    return by


def _by(request: Request) -> str:
    """Who an editor's write is by, as the store records it (with a version it saves, or a delete): the
    signed-in editor's account name."""
    return editor_session(request).user.name


# What a ?done= mac signs here and nowhere else (reader.saved_note's signing, with a purpose of its own): no
# article page's note is an editor's notice, nor the reverse.
_DONE_PURPOSE = b"reader editor done\x00"


def _done_mac(key: str, holder: str, done: str, version: str) -> str:
    return note_mac(f"{done}\x00{version}", key, holder, _DONE_PURPOSE)


def _done_holder(request: Request) -> str:
    """What binds a notice to the editor's session: its CSRF token, a secret of the session (random, made at
    sign-in) that only reader's own pages carry, never in an address."""
    return editor_session(request).csrf_token


def signed_done(key: str, holder: str, done: str, version: int | None = None) -> str:
    """The query that names `done` (KIND:slug, or UNDELETED) at `version`, signed with `key` for the session
    whose CSRF token is `holder`: done=KIND:slug(&version=N)&mac=… (done_query)."""
    query = {"done": done} if version is None else {"done": done, "version": str(version)}
    query["mac"] = _done_mac(key, holder, done, query.get("version", ""))
    return urlencode(query, safe=":")


def done_query(request: Request, done: str, version: int | None = None) -> str:
    """The query of a redirect that says what was just done (`done`: KIND:slug, or UNDELETED; at `version`):
    ?done=KIND:slug(&version=N)&mac=…, the mac an HMAC with the server's session-signing secret over them and
    the signed-in editor's session.

    The notice takes the focus, and after a save js/editor-draft.js drops the changes the form kept in the
    browser: an address anyone can write (a link e-mailed to a signed-in editor, at the article's current
    version) made the page say "Published" when nothing happened, and the editor's unsaved work go. Only
    the editor's own redirect names one now: a ?done= a link wrote, or one from another editor's session
    (or this editor's before signing in again), is the page without it (verified_done). The address stays
    readable: the outcome and the slug are in it as before."""
    return signed_done(request.state["session_key"], _done_holder(request), done, version)


def verified_done(request: Request) -> str:
    """The address's ?done= when done_query signed it, with its ?version=, for this editor's session; else ""
    (none, no mac, or a mac for another outcome, version or session)."""
    query = request.query_params
    done, version, mac = query.get("done", ""), query.get("version", ""), query.get("mac", "")
    value = f"{done}\x00{version}"
    if not done or not mac_matches(mac, value, request.state["session_key"], _done_holder(request), _DONE_PURPOSE):
        return ""
    return done


def _done(request: Request, outcome: str, slug: str) -> Response:
    """Back to the article list, which says what was done (after a delete, or a restore of an earlier version)."""
    query = done_query(request, f"{outcome}:{slug}")
    return RedirectResponse(path_for(request, "editor:article_list") + "?" + query, status_code=303)


# The form's save buttons (`action`) and the state each saves the article in: "save" keeps the article's state
# (a new article's, as before drafts: published), "draft" saves it as a draft (a published one is then
# unpublished: off the site), "publish" saves and publishes it. Anything else but "preview" saves as "save".
SAVE_ACTIONS: dict[str, Status | None] = {"save": None, "draft": DRAFT, "publish": PUBLISHED}
# What the edit form then says was done (`?done=KIND:slug`, signed: done_query); after a verified one the form
# carries the mark by which js/editor-draft.js drops the changes it kept in the browser (the save went through).
SAVE_OUTCOMES = ("saved", "draft", "published", "unpublished")


def _saved(request: Request, saved: Article, status: Status | None, shown: Status | None) -> Response:
    """After a save in `status` (None: the state kept) of an article the form showed in state `shown` (None: a
    new article): its edit form again, at the version just saved, saying what was done. As WordPress, Ghost
    or Drupal keep an editor on the post after Save, Publish or Unpublish: an editor making several changes
    goes on without opening the article again (a redirect, so a reload never posts the form twice)."""
    if status == PUBLISHED:
        outcome = "published" if shown != PUBLISHED else "saved"
    elif status == DRAFT:
        outcome = "unpublished" if shown == PUBLISHED else "draft"
    else:
        outcome = "draft" if shown == DRAFT else "saved"
    # ?done=KIND:slug as the list had it, signed (done_query): the form then tells js/editor-draft.js (its
    # data-saved-version) to drop the changes it kept, when this redirect opened it, not Back or a reload; the
    # version, which that script also wants past the one the save was made from, and so that the notice goes
    # once the article is saved again (a reload, a bookmark of this address).
    query = done_query(request, f"{outcome}:{saved.slug}", saved.version)
    return RedirectResponse(path_for(request, "editor:edit_form", slug=saved.slug) + "?" + query, status_code=303)


def _posted_state(raw: object) -> Status | None:
    """The state the form showed the article in (its hidden field: what the buttons offered); None for a new
    article, or a form without it. It only words the buttons and the notice: saves go by their action."""
    return next((status for status in STATUSES if raw == status), None)


# The edit form's ?done= after a deleted article was restored: the form says so (and names the version).
UNDELETED = "undeleted"


async def article_list(request: Request) -> Response:
    """GET /editor/: every article, newest first; with ?q=, those whose address has its words."""
    search = search_query(request)
    listing = await request.state["store"].list_articles(
        page=_page_number(request), per_page=request.state["settings"].page_size, search=search, drafts=True
    )
    # "?done=deleted:slug" after a delete (or a restore), signed by that redirect for this editor's session
    # (done_query): the notice has the focus, and a link anyone can write must not tell an editor an article
    # was deleted when it was not. One whose article is not (or no longer) in that state is ignored too. A
    # signed one still names an article deleted long ago when the editor opens it again (a bookmark, the
    # history): true, and only this editor's own redirect wrote it. A save stays on the article's form,
    # which says so itself (_saved).
    kind, _, done = verified_done(request).partition(":")
    known = kind in ("deleted", "restored") and is_valid_slug(done)
    notice: dict[str, Any] | None = {"kind": kind, "slug": done} if known else None
    if notice is not None:
        # The notice names the article by its title (in its language), as the editor knows it.
        store = request.state["store"]
        named: Article | None = None
        if kind == "deleted":
            # Not when an article is at that address again (made anew since): it is not deleted.
            deleted = await store.get_deleted(done)
            live = deleted is not None and await store.get_article(done, drafts=True) is not None
            named = deleted.last if deleted is not None and not live else None
        else:
            named = await store.get_article(done, drafts=True)
        notice = {**notice, "title": named.title, "lang": named.lang} if named is not None else None
    query = {"q": search} if search else {}
    context = {"listing": listing, "done": notice, "search": search, "search_cut": search_cut(search), "query": query}
    return _page(request, "editor/list.html", context)


def _path_slug(request: Request) -> str:
    """The slug the path names, or 404 for one no article can have. Such a slug never reaches the database,
    as with load_article: PostgreSQL refuses a NUL in any text it is sent (a 500), where SQLite finds nothing."""
    slug: str = request.path_params["slug"]
    if not is_valid_slug(slug):
        raise HTTPException(status_code=404)
    return slug


def _page_number(request: Request) -> int:
    """The `page` a list is asked for: 1 unless it is a number (one past the last shows the last)."""
    return max(1, ascii_number(request.query_params.get("page"), 6) or 1)


def _fields_from(article: Article | None, ui_lang: str, zone: dt.tzinfo) -> dict[str, str]:
    if article is None:
        return {"lang": "vi", "body_format": "markdown"}
    listed = article.lang in LANGUAGES
    return {
        "title": article.title, "slug": article.slug, "lang": article.lang if listed else OTHER_LANGUAGE,
        "lang_other": "" if listed else article.lang, "summary": article.summary, "author": article.author,
        "published": _shown_date(as_rfc3339(article.published, zone), ui_lang, zone),
        "source_url": article.source_url or "",
        "body": article.body_source or article.body_html, "body_format": article.body_format,
    }  # fmt: skip


def _shown_date(published: str, ui_lang: str, zone: dt.tzinfo) -> str:
    """A stored date as the editor types it, in the form the field's hint gives for the UI language: 31/03/2021
    in Vietnamese, 2021-03-31 in English, a time after it (31/03/2021 08:00) in the site's zone. A time that
    form cannot give back as stored (an offset other than the zone's then, seconds) stays as stored: saving
    the form unchanged must never move the article's time."""
    value = parse_published(published)
    if not isinstance(value, dt.datetime):
        return format_date(value, ui_lang) if ui_lang == "vi" else published
    local = value.astimezone(zone)
    day = format_date(local.date(), ui_lang) if ui_lang == "vi" else local.date().isoformat()
    typed = f"{day} {local:%H:%M}"
    try:
        same = normalize_form_date(typed, zone) == published
    except FieldError:  # a time the zone's clocks skip: never stored from the form, but maybe by the API
        same = False
    return typed if same else published


def _form_field(field: str, fields: dict[str, str]) -> str:
    """The form field a draft field's error belongs to."""
    if field in ("body_html", "body_markdown"):
        return "body"
    if field == "lang" and fields.get("lang") == OTHER_LANGUAGE:
        return "lang_other"
    return field


def _draft(fields: dict[str, str], slug: str | None, zone: dt.tzinfo) -> ArticleDraft:
    """The draft from the form's fields (a time without an offset read in `zone`); FieldErrors with every
    invalid field, named as the form names them."""
    errors: list[FieldError] = []
    body_field = "body_markdown" if fields.get("body_format") == "markdown" else "body_html"
    data: dict[str, object] = {
        key: fields[key] for key in ("title", "summary", "author", "source_url") if fields.get(key)
    }
    data["title"] = fields.get("title", "")
    if fields.get("source_url"):
        data["source_url"] = with_scheme(fields["source_url"].strip())
    chosen = fields.get("lang", "")
    data["lang"] = fields.get("lang_other", "") if chosen == OTHER_LANGUAGE else chosen
    data[body_field] = fields.get("body", "")
    # The address field, when filled in: a new article's (else made from the title), or an article's new one
    # (a rename: reader.store's rename_article); an edit form without it keeps the article's address.
    if slug or fields.get("slug"):
        data["slug"] = fields.get("slug") or slug
    try:
        data["published"] = normalize_form_date(fields.get("published", ""), zone)
    except FieldError as error:
        errors.append(error)
    try:
        # Word's HTML pasted in: its list paragraphs made lists, as an import makes them, before the one
        # sanitizing on the way in (which removes the markup that says they are a list).
        draft = draft_from_fields(with_lists(data), zone)
    except FieldErrors as exc:
        errors.extend(exc.errors)
    if errors:
        named = [FieldError(_form_field(e.field, fields), e.template, **e.values) for e in errors]
        raise FieldErrors(sorted(named, key=lambda e: FORM_FIELDS.index(e.field) if e.field in FORM_FIELDS else 0))
    return draft


# An address as typed in a browser's address bar: a host name with a dot (and maybe a port), then the rest.
_BARE_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:[/?#].*)?", re.DOTALL)


def with_scheme(url: str) -> str:
    """A source address typed without its scheme (vnexpress.net/…) with https:// before it, as a browser's
    address bar takes it; anything else as it is (the draft's rules then judge it)."""
    return f"https://{url}" if "://" not in url and _BARE_HOST.fullmatch(url) else url


def _form_errors(exc: FieldErrors, lang: str) -> dict[str, str]:
    """Each invalid form field's message in the UI language, in the form's order."""
    return {error.field: error.localized(lang) for error in exc.errors}


def _form_response(
    request: Request, fields: dict[str, str], *, slug: str | None, version: int | None = None,
    errors: dict[str, str] | None = None, preview: Article | None = None, conflict: str = "",
    current: Article | None = None, status: int = 200, notice: str = "", old_addresses: Sequence[str] = (),
    state: Status | None = None, take_over: Article | None = None, merged: Sequence[str] = (),
    theirs: dict[str, str] | None = None, done: dict[str, Any] | None = None, previewed: bool = False,
    saved_version: str = "",
) -> Response:  # fmt: skip
    """The article form; `version` is the one it was opened at, sent back with the form on save, and `state`
    the article's state then (None: a new article), which its save buttons offer to keep or change. After a
    refused save, `conflict` says why ("edited", "deleted" or "taken") and `current` is the stored article;
    `notice` says what was just done to it (UNDELETED), and `old_addresses` which lead to it again;
    `take_over`, the article whose old address the address field names (_take_over_question). After a
    conflict, `merged` names the fields given the other save's values and `theirs` the other save's values
    of the fields both changed (merge_fields); `done`, what a save just did (_saved: editor/_done.html);
    `saved_version`, the version a save's signed redirect names (even when saved again since: js/editor-draft.js
    then drops the changes it kept for the form); `previewed`, a page the Preview button asked for (it opens
    at the preview)."""
    ui_lang = ui_lang_for(request)
    # Each language by its own name, marked as such (WCAG 3.1.2); then "other", for any tag.
    languages: list[tuple[str, str, str]] = [(tag, language_name(tag, tag), tag) for tag in LANGUAGES]
    languages.append((OTHER_LANGUAGE, gettext(ui_lang, "Other"), ""))
    # The article's language marks its title, lead and body fields and its title in the heading (WCAG 3.1.2):
    # a screen reader then reads an English article in English, and spelling is checked in it. None while
    # the form names no valid tag (the fields then go by the page's language).
    chosen = fields.get("lang_other", "") if fields.get("lang") == OTHER_LANGUAGE else fields.get("lang", "")
    try:
        field_lang: str | None = normalize_lang(chosen) if chosen else None
    except FieldError:
        field_lang = None
    context = {
        "fields": fields, "slug": slug, "version": version, "errors": errors or {}, "preview": preview,
        "conflict": conflict, "current": current, "labels": LABELS, "languages": languages, "notice": notice,
        "old_addresses": old_addresses, "state": state, "field_lang": field_lang, "take_over": take_over,
        "merged": merged, "theirs": theirs or {}, "done": done, "previewed": previewed,
        "saved_version": saved_version,
    }  # fmt: skip
    return _page(request, "editor/form.html", context, status)


async def _editors_article(request: Request) -> Article:
    """The article the path names, drafts included (load_article); its old address redirects here too."""
    return await load_article(request, request.path_params["slug"], drafts=True)


async def new_form(request: Request) -> Response:
    """GET /editor/new."""
    return _form_response(request, _fields_from(None, ui_lang_for(request), request.state["settings"].zone), slug=None)


async def edit_form(request: Request) -> Response:
    """GET /editor/articles/{slug} (?done=undeleted&version=N&mac=…: just restored from the deleted articles,
    as version N; ?done=KIND:slug&version=N&mac=…: just saved, _saved)."""
    article = await _editors_article(request)
    fields = _fields_from(article, ui_lang_for(request), request.state["settings"].zone)
    # Just restored, and still at the version the restore wrote: a later save or rename makes the notice
    # (and the addresses it names) out of date, so a reload or a bookmark of it no longer shows it.
    # Only a ?done= the editor's own redirect signed (done_query): a link anyone can write says nothing.
    signed = verified_done(request)
    version = request.query_params.get("version", "")
    at_version = version == str(article.version)
    restored = signed == UNDELETED and at_version
    notice = UNDELETED if restored else ""
    # Just saved (_saved), and still at that version: the form says what was done, naming the article.
    kind, _, done_slug = signed.partition(":")
    saved = kind in SAVE_OUTCOMES and done_slug == article.slug
    done: dict[str, Any] | None = None
    if saved and at_version:
        done = {"kind": kind, "slug": article.slug, "title": article.title, "lang": article.lang}
        done["same_title"] = await _same_title(request.state["store"], article)
    # Those its delete took away and the restore gave back (no article can be renamed to a deleted one's
    # address, so no other address leads there; a rename since would have moved the version on).
    old = await request.state["store"].list_old_addresses(article.slug) if restored else []
    return _form_response(
        request, fields, slug=article.slug, version=article.version, preview=article, notice=notice,
        old_addresses=old, state=article.status, done=done, saved_version=version if saved else "",
    )  # fmt: skip


def _title_key(title: str) -> str:
    """A title as two titles are the same: letter case, Unicode's ways of writing a letter and spacing aside."""
    return " ".join(unicodedata.normalize("NFC", title).casefold().split())


async def _same_title(store: ArticleStore, article: Article) -> list[ArticleSummary]:
    """The other articles (drafts too) titled as `article` is: said after a save, as readers, the list and
    search results would tell them apart only by their dates. Found by the list's search, which ranks the
    articles whose title has all its words first."""
    wanted = _title_key(article.title)
    found = await store.list_articles(page=1, per_page=20, search=article.title, drafts=True)
    return [item for item in found.items if item.slug != article.slug and _title_key(item.title) == wanted]


def _preview_article(draft: ArticleDraft) -> Article:
    return Article(
        slug=draft.slug, lang=draft.lang, title=draft.title, summary=draft.summary, body_html=draft.body_html,
        body_source=draft.body_source, body_format=draft.body_format, author=draft.author,
        published=draft.published or dt.date.today().isoformat(), source_url=draft.source_url, version=0,
        updated_at="",
    )  # fmt: skip


def _posted_version(raw: object) -> int | None:
    """The version a form was opened at; None when it carries none (a form from before versions, or tampered)."""
    return ascii_number(raw, 15) if isinstance(raw, str) else None


async def save(request: Request) -> Response:
    """POST /editor/new or /editor/articles/{slug}: save (or, with action=preview, only preview), in the state
    its button says (SAVE_ACTIONS).

    An edit is written only if the article is still at the version the form was opened at: when someone
    else saved it meanwhile, writing would silently wipe their changes. The form then comes back (409) with
    this editor's changes kept, a link to the current version, and that version in the form, so that the
    next save, made knowingly, replaces it.
    """
    store = request.state["store"]
    # Not looked up first: an article deleted while it was being edited is a conflict like any other, and
    # the editor's text comes back instead of a 404 that would lose it.
    slug = _path_slug(request) if "slug" in request.path_params else None
    form = posted_form(request)
    fields = {key: str(form.get(key, "")) for key in FORM_FIELDS}
    version = _posted_version(form.get("version"))
    shown = _posted_state(form.get("state")) if slug is not None else None
    try:
        draft = await cpu_work.off_the_loop(_draft, fields, slug, request.state["settings"].zone)
    except FieldErrors as exc:
        errors = _form_errors(exc, ui_lang_for(request))
        return _form_response(request, fields, slug=slug, version=version, errors=errors, status=422, state=shown)
    action = str(form.get("action", ""))
    if action == "preview":
        preview = _preview_article(draft)
        # The Preview button's page (the way to preview without JavaScript) opens at the preview, focused.
        return _form_response(request, fields, slug=slug, version=version, preview=preview, state=shown, previewed=True)
    draft = dataclasses.replace(draft, status=SAVE_ACTIONS.get(action))
    # The old address the editor agreed to take over, if any: the store checks again as it writes (another
    # editor may rename an article away from the address meanwhile), OldAddressTaken.
    may_take = frozenset({draft.slug} & {str(form.get("take_over", ""))})
    made = draft.slug if slug is None and not fields.get("slug") else None
    if made is not None:
        # An address made from the title never takes another article's old one (its links and embeds would
        # lead to this article instead), nor an article's: the next numbered form that is free, bac-kan-2.
        draft = dataclasses.replace(draft, slug=await free_address(store, made))
    elif draft.slug != slug and not may_take:
        # A typed one may, knowingly: the form asks first, naming the article its links lead to now.
        taken = await _redirected_elsewhere(store, draft.slug, slug)
        if taken is not None:
            return _take_over_question(request, fields, slug, version, shown, draft, taken)
    for _ in range(2):
        try:
            return await _write(request, fields, slug, draft, version, shown, may_take)
        except OldAddressTaken as taken:
            if made is not None:
                # Made an old address by a rename since it was found free: the editor never typed it, so
                # nothing to ask; the next free one instead.
                draft = dataclasses.replace(draft, slug=await free_address(store, made))
                continue
            if (leads_to := await store.get_article(taken.target, drafts=True)) is not None:
                return _take_over_question(request, fields, slug, version, shown, draft, leads_to)
            # Deleted since (its old addresses went with it): the address may be free again.
    errors = {"slug": gettext(ui_lang_for(request), "is already used by another article; choose another")}
    return _form_response(
        request, fields, slug=slug, version=version, errors=errors, preview=_preview_article(draft), status=409,
        state=shown,
    )  # fmt: skip


async def _write(
    request: Request, fields: dict[str, str], slug: str | None, draft: ArticleDraft, version: int | None,
    shown: Status | None, may_take: frozenset[str],
) -> Response:  # fmt: skip
    """save's write: a rename, an update or a create; OldAddressTaken from a rename or create."""
    store = request.state["store"]
    if slug is not None and draft.slug != slug:
        return await _rename(request, fields, slug, draft, version, shown, may_take)
    by = _by(request)
    saved: Article | None
    if slug is not None:
        saved = await store.update_article(draft, version=version, by=by) if version is not None else None
        if saved is None:
            return await _conflict(request, fields, slug, draft, version)
    elif (saved := await store.create_article(draft, by=by, may_take=may_take)) is None:
        # Checked by the insert itself: an editor on another node may take the slug a moment earlier.
        errors = {"slug": gettext(ui_lang_for(request), "is already used by another article; choose another")}
        current = await store.get_article(draft.slug, drafts=True)
        # The address in the field, also when it was made from the title: the editor sees which one is taken.
        return _form_response(
            request, {**fields, "slug": draft.slug}, slug=None, errors=errors, preview=_preview_article(draft),
            conflict="taken", current=current, status=409,
        )  # fmt: skip
    return _saved(request, saved, draft.status, shown)


async def _redirected_elsewhere(store: ArticleStore, address: str, slug: str | None) -> Article | None:
    """The article `address` leads to, when it is the old address of an article other than the one at `slug`
    (renaming an article back to one of its own old addresses takes nothing from anyone)."""
    target = await store.get_redirect(address, drafts=True)
    if target is None or target == slug:
        return None
    return await store.get_article(target, drafts=True)


def _take_over_question(
    request: Request, fields: dict[str, str], slug: str | None, version: int | None, shown: Status | None,
    draft: ArticleDraft, taken: Article,
) -> Response:  # fmt: skip
    """The form again (409), nothing saved: the address typed is another article's old address. Its error
    names that article; a check box under the field (take_over) saves it there all the same."""
    message = gettext(
        ui_lang_for(request),
        "is the old address of “%(title)s” (%(slug)s): links to it lead to that article. Saving here takes the"
        " address over, and those links will lead to this article instead. Choose another address, or tick the"
        " box below to take it over.",
    ) % {"title": taken.title, "slug": taken.slug}
    return _form_response(
        request, fields, slug=slug, version=version, errors={"slug": message}, preview=_preview_article(draft),
        status=409, state=shown, take_over=taken,
    )  # fmt: skip


async def _rename(
    request: Request, fields: dict[str, str], slug: str, draft: ArticleDraft, version: int | None,
    shown: Status | None, may_take: frozenset[str],
) -> Response:  # fmt: skip
    """An edit that changes the article's address: the article moved there with the form's changes, in one
    version, only from the version the form was opened at (its old address then leads to the new one)."""
    store = request.state["store"]
    try:
        moved = (
            None
            if version is None
            else await store.rename_article(
                slug, draft.slug, version=version, draft=draft, by=_by(request), may_take=may_take
            )
        )
    except OldAddressTaken:
        raise
    except SlugTaken as taken:
        ui_lang = ui_lang_for(request)
        message = (
            gettext(ui_lang, "was the address of a deleted article, whose history is kept there; choose another")
            if taken.deleted
            else gettext(ui_lang, "is already used by another article; choose another")
        )
        return _form_response(
            request, fields, slug=slug, version=version, errors={"slug": message}, preview=_preview_article(draft),
            status=409, state=shown,
        )  # fmt: skip
    if moved is None:
        return await _conflict(request, fields, slug, draft, version)
    return _saved(request, moved, draft.status, shown)


# The parts of an article two editors may change apart, each the form fields it is made of (the first one
# names it: its label, its field in the form).
MERGED_PARTS = (
    ("title",), ("lang", "lang_other"), ("summary",), ("author",), ("published",), ("source_url",),
    ("body", "body_format"),
)  # fmt: skip


def _part(fields: dict[str, str], part: tuple[str, ...]) -> tuple[str, ...]:
    # A browser sends a textarea's line breaks as CRLF: the same text is the same part.
    return tuple(fields.get(name, "").replace("\r\n", "\n").strip() for name in part)


def merge_fields(
    mine: dict[str, str], base: dict[str, str] | None, theirs: dict[str, str]
) -> tuple[dict[str, str], list[str], list[str]]:
    """A three-way merge of an edit form refused because someone else saved meanwhile (as a version control
    system, or MediaWiki's edit conflict, merges): `mine` posted, `base` the version the form was opened at
    (None: no longer kept), `theirs` the version now. A part only they changed takes their value, a part only
    this editor changed keeps it. The form's fields then, the parts taken from theirs, and those both changed
    differently (the form keeps this editor's; the page shows theirs beside it)."""
    merged = dict(mine)
    taken: list[str] = []
    both: list[str] = []
    for part in MERGED_PARTS:
        ours, now = _part(mine, part), _part(theirs, part)
        if ours == now:
            continue
        if base is not None and _part(base, part) == ours:
            merged.update({name: theirs.get(name, "") for name in part})
            taken.append(part[0])
        elif base is None or _part(base, part) != now:
            both.append(part[0])
    return merged, taken, both


async def _conflict(
    request: Request, fields: dict[str, str], slug: str, draft: ArticleDraft, version: int | None
) -> Response:
    """The edit form back with the editor's unsaved changes (and their preview), after someone else saved
    (or deleted, or renamed) the article: merged with that save where they changed different fields
    (merge_fields), and showing theirs where both changed the same."""
    store = request.state["store"]
    current = await store.get_article(slug, drafts=True)
    if current is None and (moved := await store.get_redirect(slug, drafts=True)) is not None:
        # Renamed meanwhile: the form goes on at its new address, unless this editor is renaming it too.
        current = await store.get_article(moved, drafts=True)
        if current is not None:
            fields = {**fields, "slug": fields["slug"] if fields.get("slug") not in ("", slug) else current.slug}
            slug = current.slug
    preview = _preview_article(draft)
    if current is None:
        # Deleted meanwhile: the form becomes a new article under the same address, saved only on request.
        return _form_response(
            request, {**fields, "slug": slug}, slug=None, preview=preview, conflict="deleted", status=409
        )
    ui_lang, zone = ui_lang_for(request), request.state["settings"].zone
    theirs = _fields_from(current, ui_lang, zone)
    base = await store.get_revision(current.slug, version) if version is not None else None
    base_fields = _fields_from(base, ui_lang, zone) if base is not None else None
    fields, taken, both = merge_fields(fields, base_fields, theirs)
    if taken:
        try:
            preview = _preview_article(await cpu_work.off_the_loop(_draft, fields, slug, zone))
        except FieldErrors:
            pass  # their values with this editor's: still the editor's own draft previewed
    return _form_response(
        request, fields, slug=slug, version=current.version, preview=preview, conflict="edited", current=current,
        status=409, state=current.status, merged=taken, theirs={name: theirs.get(name, "") for name in both},
    )  # fmt: skip


async def live_preview(request: Request) -> Response:
    """POST /editor/preview (htmx): the article as readers will see it, from the unsaved form."""
    form = posted_form(request)
    fields = {key: str(form.get(key, "")) for key in FORM_FIELDS}
    slug = str(form.get("editing", "")) or None
    lang = ui_lang_for(request)
    try:
        draft = await cpu_work.off_the_loop(_draft, fields, slug or "preview", request.state["settings"].zone)
        article: Article | None = _preview_article(draft)
        errors: dict[str, str] = {}
    except FieldErrors as exc:
        article, errors = None, _form_errors(exc, lang)
    context = {
        "preview": article, "preview_errors": errors, "labels": LABELS, "page_lang": lang, "prefs": prefs_for(request),
    }  # fmt: skip
    return render(request, "editor/_preview.html", lang, context)


async def delete_form(request: Request) -> Response:
    """GET /editor/articles/{slug}/delete: ask first."""
    article = await _editors_article(request)
    return _page(request, "editor/delete.html", {"article": article, "changed": False})


async def delete(request: Request) -> Response:
    """POST /editor/articles/{slug}/delete: deleted only while it is the version the confirmation showed.

    Someone may save the article between the question and the answer: deleting then would throw away a
    version this editor has not seen. The question comes back (409) about the current version instead."""
    store = request.state["store"]
    article = await _editors_article(request)
    version = _posted_version(posted_form(request).get("version"))
    if version is None or not await store.delete_article(article.slug, version=version, by=_by(request)):
        current = await store.get_article(article.slug, drafts=True)
        if current is None:  # deleted meanwhile, by someone else: done all the same
            return _done(request, "deleted", article.slug)
        return _page(request, "editor/delete.html", {"article": current, "changed": True}, status=409)
    return _done(request, "deleted", article.slug)


async def history(request: Request) -> Response:
    """GET /editor/articles/{slug}/history: the article's earlier versions, newest first, a page at a time."""
    article = await _editors_article(request)
    # Only those before the current one: what the history holds is versions that were replaced.
    revisions = await request.state["store"].list_revisions(
        article.slug, before=article.version, page=_page_number(request), per_page=request.state["settings"].page_size
    )
    return _page(request, "editor/history.html", {"article": article, "revisions": revisions})


async def _revision_page(
    request: Request, article: Article, earlier: Article, *, changed: bool = False,
    invalid: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    context = {
        "article": article, "earlier": earlier, "preview": earlier, "labels": LABELS, "changed": changed,
        "invalid": invalid or {},
    }  # fmt: skip
    return _page(request, "editor/revision.html", context, status)


async def _earlier_version(request: Request, article: Article) -> Article:
    """The earlier version the path names, or 404 (the current one, a later one, or none kept)."""
    version: int = request.path_params["version"]
    earlier = await request.state["store"].get_revision(article.slug, version) if version < article.version else None
    if earlier is None:
        raise HTTPException(status_code=404)
    return earlier


async def revision(request: Request) -> Response:
    """GET /editor/articles/{slug}/history/{version}: one earlier version, as readers saw it, to restore."""
    article = await _editors_article(request)
    return await _revision_page(request, article, await _earlier_version(request, article))


async def restore(request: Request) -> Response:
    """POST /editor/articles/{slug}/history/{version}: the earlier version saved as the article's next one,
    only if the article is still at the version the page showed (else the page again, 409, about the
    current one). Nothing of the history is lost: the version it replaces joins it."""
    store = request.state["store"]
    article = await _editors_article(request)
    earlier = await _earlier_version(request, article)
    shown = _posted_version(posted_form(request).get("version"))
    try:
        # Its text, not its state: the article stays published, or a draft, as it is now.
        draft = await cpu_work.off_the_loop(_restorable, earlier, request.state["settings"].zone, None)
    except FieldErrors as exc:
        return await _revision_page(request, article, earlier, invalid=_broken_rules(request, exc), status=422)
    if shown is None or await store.update_article(draft, version=shown, by=_by(request)) is None:
        current = await store.get_article(article.slug, drafts=True)
        if current is None:
            raise HTTPException(status_code=404)
        return await _revision_page(request, current, earlier, changed=True, status=409)
    return _done(request, "restored", article.slug)


def _restorable(earlier: Article, zone: dt.tzinfo, status: Status | None) -> ArticleDraft:
    """A kept version (an earlier one, or a deleted article's last) as a draft to save again in `status` (None:
    the article's state now), checked by today's rules: FieldErrors when it breaks one made since it was saved
    (a title of invisible characters, markup nested too deep…). Then it can be read, and copied into the
    form, but not restored as it is."""
    fields: dict[str, object] = {
        "slug": earlier.slug, "lang": earlier.lang, "title": earlier.title, "summary": earlier.summary,
        "author": earlier.author, "published": as_rfc3339(earlier.published, zone),
        "source_url": earlier.source_url or "",
    }  # fmt: skip
    if earlier.body_format == "markdown" and earlier.body_source:
        fields["body_markdown"] = earlier.body_source
    else:
        fields["body_html"] = earlier.body_source or earlier.body_html
    draft = draft_from_fields({key: value for key, value in fields.items() if value != ""})
    return dataclasses.replace(draft, status=status)


def _broken_rules(request: Request, exc: FieldErrors) -> dict[str, str]:
    """What a kept version breaks, field by field, in the editor's language (editor/_refused.html)."""
    return {error.field: error.localized(ui_lang_for(request)) for error in exc.errors}


async def deleted_list(request: Request) -> Response:
    """GET /editor/deleted: the deleted articles, the latest deleted first, a page at a time."""
    listing = await request.state["store"].list_deleted(
        page=_page_number(request), per_page=request.state["settings"].page_size
    )
    return _page(request, "editor/deleted.html", {"listing": listing})


async def _load_deleted(request: Request) -> DeletedArticle:
    """The article last deleted under the path's slug, or 404 (none was, or nothing of it was kept)."""
    deleted = await request.state["store"].get_deleted(_path_slug(request))
    if deleted is None:
        raise HTTPException(status_code=404)
    return deleted


async def _deleted_page(
    request: Request, deleted: DeletedArticle, *, current: Article | None, changed: bool = False,
    invalid: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    """A deleted article's last version, to restore; with `current`, the article created again under its
    slug since (then it is not restored here: its history holds this version)."""
    context = {
        "deleted": deleted, "preview": deleted.last, "current": current, "changed": changed,
        "invalid": invalid or {}, "labels": LABELS,
        # The answer to a restore refused (409, 422), not a page merely opened: focused, and said in the title.
        "refused": status != 200,
    }  # fmt: skip
    return _page(request, "editor/deleted_article.html", context, status)


async def deleted_article(request: Request) -> Response:
    """GET /editor/deleted/{slug}: a deleted article's last version, as readers saw it, to restore."""
    deleted = await _load_deleted(request)
    current = await request.state["store"].get_article(deleted.last.slug, drafts=True)
    return await _deleted_page(request, deleted, current=current)


async def undelete(request: Request) -> Response:
    """POST /editor/deleted/{slug}: the deleted article back under its slug as its next version, only while
    its last version is still the one the page showed and no article has taken the slug since (else the page
    again, 409: about the article now there, or about the version deleted since). Then to its edit form."""
    store = request.state["store"]
    deleted = await _load_deleted(request)
    slug = deleted.last.slug
    shown = _posted_version(posted_form(request).get("version"))
    if (current := await store.get_article(slug, drafts=True)) is not None:
        return await _deleted_page(request, deleted, current=current, status=409)
    if shown != deleted.last.version:  # deleted again since the page was shown (the store checks it too)
        return await _deleted_page(request, deleted, current=None, changed=True, status=409)
    try:
        # In the state it was deleted in: a draft comes back as a draft, never published by a restore.
        draft = await cpu_work.off_the_loop(
            _restorable, deleted.last, request.state["settings"].zone, deleted.last.status
        )
    except FieldErrors as exc:
        return await _deleted_page(request, deleted, current=None, invalid=_broken_rules(request, exc), status=422)
    if (restored := await store.restore_deleted(draft, version=shown, by=_by(request))) is None:
        # Restored or created again, or deleted again, by someone else since the look-up above.
        again = await _load_deleted(request)
        current = await store.get_article(slug, drafts=True)
        return await _deleted_page(request, again, current=current, changed=current is None, status=409)
    query = done_query(request, UNDELETED, restored.version)
    return RedirectResponse(path_for(request, "editor:edit_form", slug=slug) + "?" + query, status_code=303)


async def import_form(request: Request) -> Response:
    """GET /editor/import."""
    return _import_page(request)


async def import_files(request: Request) -> Response:
    """POST /editor/import: the same formats and errors as `reader import`; all files or nothing."""
    form = posted_form(request)
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile) and item.filename]
        if len(uploads) > MAX_UPLOAD_FILES:
            message = gettext(ui_lang_for(request), "Choose at most %(count)d files at a time.")
            error = message % {"count": MAX_UPLOAD_FILES}
            return _import_page(request, error)
        for number, upload in enumerate(uploads):
            # Only the last path component of the browser's file name, in a folder of its own so two
            # uploads never collide.
            name = PurePath(upload.filename or "").name.replace("\x00", "") or "upload"
            path = Path(directory) / f"{number:02d}" / name
            path.parent.mkdir()
            path.write_bytes(await upload.read())
            paths.append(path)
        if not paths:
            message = gettext(ui_lang_for(request), "Choose at least one file.")
            return _import_page(request, message)
        lang = str(form.get("lang", ""))
        try:
            zone = request.state["settings"].zone
            chosen = lang if lang in LANGUAGES else None
            drafts = await cpu_work.off_the_loop(drafts_from_files, paths, None, zone, chosen)
        except ImportFailure as exc:
            # Name the file as the editor knows it, not by its temporary path.
            message = exc.localized(ui_lang_for(request))
            for path in paths:
                message = message.replace(str(path), path.name)
            return _import_page(request, message)
    # A title is not an address: one that is a renamed article's old address makes a new article. Drafts
    # unless the editor chose otherwise (a form without the field too): the findings below are read before
    # readers see the articles (reader.importer.save_imported).
    as_drafts = form.get("state") != PUBLISHED
    try:
        drafts, result = await save_imported(request.state["store"], drafts, by=_by(request), as_drafts=as_drafts)
    except ImportFailure as exc:
        return _import_page(request, exc.localized(ui_lang_for(request)))
    findings = await cpu_work.off_the_loop(layout_findings, drafts, ui_lang_for(request))
    return _import_page(
        request, result=result, drafts=drafts, findings={draft.slug: issues for draft, issues in findings}
    )


def _import_page(
    request: Request,
    error: str = "",
    result: object = None,
    drafts: list[ArticleDraft] | None = None,
    findings: dict[str, list[LayoutIssue]] | None = None,
) -> Response:
    """The import page: empty, with what went wrong (422: nothing was written), or with what was saved and
    what the layout checks found in it (`findings`, by slug)."""
    form = posted_form(request) if request.method == "POST" else {}
    context = {
        "error": error, "result": result, "drafts": drafts or [], "findings": findings or {},
        "max_files": MAX_UPLOAD_FILES, "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024),
        # Each language named in itself, as the article form's list names them.
        "languages": [(tag, language_name(tag, tag)) for tag in LANGUAGES],
        "chosen_lang": form.get("lang", ""), "as_drafts": form.get("state") != PUBLISHED,
    }  # fmt: skip
    return _page(request, "editor/import.html", context, 422 if error else 200)


MARKED_KINDS = ("long_sentence", "passive_voice", "repeated_start")


def _marked_blocks(article: Article, flags: list[FlagJSON]) -> list[dict[str, Any]]:
    """The article's text block by block (a table becomes one placeholder), each cut into pieces that carry
    the sentence-level flags covering them, for the check page's highlighted text.

    A piece's `starts` are the flags that begin there: the page names each flag once, visibly, where its
    passage begins. A piece of white space only (between two flagged sentences) is not marked: a mark
    around nothing would be one more highlight announced for no text.
    """
    document = document_from_html(article.body_html)
    text = document.text
    # Each span's number in `flags`: the flags list links to where the text marks it (check-flag-N).
    numbers = [n for n, f in enumerate(flags) if f["kind"] in MARKED_KINDS]
    spans = [flags[n] for n in numbers]
    # One pass over the spans, by where they begin, beside the blocks, which come in order and never
    # overlap: the spans open at a block are those begun before its end and not ended by its start. Asking
    # every span about every block and every piece was quadratic (3.5 s of a 1.46 MB article's check page).
    by_start = sorted(range(len(spans)), key=lambda n: spans[n]["start"])
    next_span = 0  # by_start[next_span:] begin at or after the end of the blocks so far
    open_spans: list[int] = []
    named: set[int] = set()  # the spans (by index) already named where they begin
    blocks: list[dict[str, Any]] = []
    for block in document.blocks:
        if block.kind == CELL:
            if not blocks or blocks[-1]["kind"] != CELL:
                blocks.append({"kind": CELL, "pieces": []})
            continue
        while next_span < len(by_start) and spans[by_start[next_span]]["start"] < block.end:
            open_spans.append(by_start[next_span])
            next_span += 1
        open_spans = [n for n in open_spans if spans[n]["end"] > block.start]
        inside = {p for n in open_spans for p in (spans[n]["start"], spans[n]["end"]) if block.start < p < block.end}
        cuts = sorted({block.start, block.end} | inside)
        # Piece by piece, the same way: every span's start and end inside the block is a cut, so a span begun
        # by a piece's start and not ended by it covers the whole piece.
        waiting = sorted(open_spans, key=lambda n: spans[n]["start"])
        next_waiting = 0
        covering_now: list[int] = []
        pieces = []
        for start, end in zip(cuts, cuts[1:], strict=False):
            while next_waiting < len(waiting) and spans[waiting[next_waiting]]["start"] <= start:
                covering_now.append(waiting[next_waiting])
                next_waiting += 1
            covering_now = [n for n in covering_now if spans[n]["end"] > start]
            piece = text[start:end]
            covering = sorted(covering_now) if piece.strip() else []
            starts = [n for n in covering if n not in named]
            named.update(starts)
            pieces.append({
                "text": piece, "kinds": sorted({spans[n]["kind"] for n in covering}),
                "starts": [spans[n]["kind"] for n in starts], "flags": [numbers[n] for n in starts],
            })  # fmt: skip
        blocks.append({"kind": block.kind, "level": block.level, "pieces": pieces})
    return blocks


def _marked_lead(lead: str, flags: list[FlagJSON]) -> dict[str, Any]:
    """The lead as one marked block (as _marked_blocks marks the body's), its long sentences marked: they
    never overlap, each one sentence."""
    pieces: list[dict[str, Any]] = []
    at = 0
    for number, flag in enumerate(sorted(flags, key=lambda f: f["start"])):
        if flag["start"] > at:
            pieces.append({"text": lead[at : flag["start"]], "kinds": [], "starts": [], "flags": []})
        piece = lead[flag["start"] : flag["end"]]
        pieces.append({"text": piece, "kinds": [flag["kind"]], "starts": [flag["kind"]], "flags": [number]})
        at = flag["end"]
    if at < len(lead):
        pieces.append({"text": lead[at:], "kinds": [], "starts": [], "flags": []})
    return {"kind": "lead", "level": 0, "pieces": pieces}


def _reports(
    article: Article, lang: str
) -> tuple[ReadabilityReport | None, LayoutReport, list[FlagJSON], list[dict[str, Any]]]:
    """The check page's reports, in `lang` (readability, None for a language it does not know, with the
    lead's long sentences in its `lead_flags`; layout), its flags and the article's blocks with them marked
    (the lead's first): all the work that grows with the article."""
    try:
        report: ReadabilityReport | None = readability_report(lang=article.lang, html=article.body_html, ui_lang=lang)
    except ValueError:
        report = None  # a language the report does not know; the layout checks still apply
    source = source_as_html(article.body_source, article.body_format)
    layout = layout_report(article.body_html, article.lang, lang, source_html=source)
    flags = list(report["flags"]) if report else []
    blocks = _marked_blocks(article, flags)
    if report is not None and article.summary.strip():
        report["lead_flags"] = lead_flags(lang=article.lang, lead=article.summary, ui_lang=lang)
        blocks.insert(0, _marked_lead(article.summary, report["lead_flags"]))
    return report, layout, flags, blocks


async def check(request: Request) -> Response:
    """GET /editor/articles/{slug}/check: readability and layout report, highlighted text, previews."""
    article = await _editors_article(request)
    lang = ui_lang_for(request)
    report, layout, flags, blocks = await cpu_work.off_the_loop(_reports, article, lang)
    # The legend: the highlight of each kind the text shows, in a fixed order.
    shown = [*flags, *(report.get("lead_flags", []) if report else [])]
    marked = [kind for kind in MARKED_KINDS if any(flag["kind"] == kind for flag in shown)]
    # Grades under the first school grade: the page says "below grade 1" (the API keeps the formula's value).
    scores = report["scores"].items() if report else ()
    below_first = {name for name, value in scores if below_first_grade(name, value)}
    context = {
        "article": article, "report": report, "layout": layout, "blocks": blocks, "marked_kinds": marked,
        "previews": [
            (caption or theme_name(Preferences.from_cookie(settings).theme, lang), settings, width, start)
            for caption, settings, width, start in PREVIEWS
        ],
        "below_first": below_first, "auto_dark": AUTO_DARK,
    }  # fmt: skip
    return _page(request, "editor/check.html", context)


async def preview(request: Request) -> Response:
    """GET /editor/articles/{slug}/preview: the article as readers will see it, at the editor's own reading
    settings, in the editor's pages (its navigation, a notice that says whether it is on the site, the way back
    to its form): where the list's and the check page's "Preview" lead. The bare document of the check page's
    frames (preview_frame), opened whole, had none of that, and drew a toolbar that did nothing."""
    article = await _editors_article(request)
    return _page(request, "editor/preview.html", {"article": article})


async def preview_frame(request: Request) -> Response:
    """GET /editor/preview/{slug}?settings=…(&start=reader-article): the article at given settings, for the
    check page's frames (opened at the article with start).

    The settings come from the address only: the editor's own preference cookie is neither read nor set.
    """
    article = await _editors_article(request)
    prefs = Preferences.from_cookie(request.query_params.get("settings", "1"))
    lang = ui_lang_for(request, article.lang)
    context = article_context(request, article, prefs, "embed")  # its reading time as readers see it
    # ?start=reader-article: the frame opens at the article (js/editor-frame.js); any other value is ignored.
    context["start"] = ARTICLE_START if request.query_params.get("start") == ARTICLE_START else ""
    # Framed by reader's own check page only: the route's kind, reader.kinds.EDITOR_FRAME.
    return render(request, "editor/frame.html", lang, context)
