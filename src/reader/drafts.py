"""Validating article fields from any way in (import files, later the API and the editor)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from reader import dates
from reader.i18n import N_, format_number, gettext
from reader.models import STATUSES, ArticleDraft, SafeHtml, Status
from reader.sanitize import all_text, has_content, sanitize_html
from reader.slugs import MAX_SLUG_LENGTH, is_valid_slug, slugify
from reader.soup import MAX_NESTING, TooDeeplyNested

FIELDS = (
    "slug", "lang", "title", "summary", "body_html", "body_markdown", "author", "published", "source_url", "status",
)  # fmt: skip

MAX_LENGTHS = {"title": 300, "summary": 3000, "author": 200, "source_url": 2000}
MAX_BODY_CHARS = 2_000_000
# What a field over its limit is told (MAX_LENGTHS, MAX_BODY_CHARS), whichever way the article came in.
TOO_LONG = N_("is longer than %(limit)d characters")
# The same for an article's own field, with how long it is: the editor sees how much to cut.
TOO_LONG_BY = N_("is longer than %(limit)s characters (it has %(length)s)")
# The largest request that can carry an article at these limits, which the routes taking one accept
# (reader.routes). The limits count characters after NFC (clean_text), and a character may arrive longer: a
# Vietnamese letter decomposed, as it often comes ("ệ" as e and two combining marks), is 13 bytes in a form
# (each UTF-8 byte of a mark percent-encoded) or in JSON's \u escapes; an astral character 12. 16 a
# character, and room for the rest of a form.
MAX_ARTICLE_REQUEST_BYTES = 16 * (MAX_BODY_CHARS + sum(MAX_LENGTHS.values())) + 64 * 1024

LANG_TAG = re.compile(r"^([A-Za-z]{2,3})((?:-[A-Za-z0-9]{1,8}){0,4})$")
# Unicode's non-characters: U+FDD0-U+FDEF and the last two code points of every plane. Never text, and
# U+FFFE and U+FFFF are not XML 1.0 characters at all (oEmbed's XML answer carries the title).
_NONCHARACTERS = r"\ufdd0-\ufdef" + "".join(rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(17))
_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f{_NONCHARACTERS}]")
# The bidi embeddings, overrides and isolates: a one-line field's text is shown inside other text (a title
# in <title>, before " · reader"), where one that is not closed reorders what follows it. The body keeps
# them, balanced or not: its HTML may need them for right-to-left passages, and its blocks end them.
BIDI_CONTROLS = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
_BIDI_CONTROL = re.compile(f"[{BIDI_CONTROLS}]")
# What survives clean_text but str.split() splits on, and what shows nothing on its own (format characters,
# fillers, variation selectors): JSON Schema patterns as well, so \uXXXX escapes only (ECMA-262 without the
# u flag has no astral ranges; the invisible characters outside the BMP are left to the editor's eye).
_SPACES = r"\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVISIBLE = (
    r"\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    r"\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
)
# A character that is not a space.
PRINTING_CHARACTER = rf"[^{_SPACES}]"
# One that also shows something: a text field holding one is not empty (a title of invisible characters
# alone would be a heading and a link with no text).
# (The non-characters clean_text removes are left out too: those of the BMP, as the schema can say.)
VISIBLE_CHARACTER = rf"[^{_SPACES}{_INVISIBLE}\ufdd0-\ufdef\ufffe\uffff]"
_VISIBLE = re.compile(VISIBLE_CHARACTER)
_T = TypeVar("_T")
_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def source_as_html(source: str, body_format: str) -> str:
    """An article's body as its author gave it, in HTML (Markdown rendered): what the sanitizer was given."""
    return source if body_format == "html" else _markdown.render(source)


class FieldError(ValueError):
    """One field of an article that cannot be accepted; says which field and why.

    `message` is English (the API's and `reader import`'s words); `localized(lang)` is the same through the
    UI catalogs, for the editor's pages. The template is marked with N_ where it is raised, and the values
    (what was typed, a limit) are filled in after translating, as plain text the templates escape.
    """

    def __init__(self, field: str, message: str, **values: object) -> None:
        self.field = field
        self.template = message
        self.values = values
        self.message = message % values if values else message
        super().__init__(f"{field}: {self.message}")

    # Values that are counts, written as the language writes numbers (2.000.000 in Vietnamese, 2,000,000 in
    # English): their placeholders are %(name)s.
    COUNTS = ("limit", "length")

    def localized(self, lang: str) -> str:
        translated = gettext(lang, self.template)
        if not self.values:
            return translated
        values = {
            key: format_number(value, lang) if key in self.COUNTS and f"%({key})s" in self.template else value
            for key, value in self.values.items()
        }
        return translated % values


class FieldErrors(FieldError):
    """Every invalid field of one article, in the order of FIELDS; the first one is its own field and message."""

    def __init__(self, errors: list[FieldError]) -> None:
        first = errors[0]
        super().__init__(first.field, first.template, **first.values)
        self.errors = errors


def clean_text(value: str) -> str:
    """NFC-normalized text (Vietnamese often arrives decomposed) without control characters (but tab and
    line feed) or non-characters."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


def body_length(source: str) -> int:
    """A body's length as MAX_BODY_CHARS counts it (as _body reads it): after clean_text, without the white
    space around it."""
    return len(clean_text(source).strip())


def _text(data: Mapping[str, object], field: str, *, required: bool = False, one_line: bool = True) -> str:
    value = data.get(field)
    if value is None:
        if required:
            raise FieldError(field, N_("is required"))
        return ""
    if not isinstance(value, str):
        raise FieldError(field, N_("must be text, not %(type)s"), type=_type_name(value))
    text = clean_text(value)
    text = " ".join(_BIDI_CONTROL.sub("", text).split()) if one_line else text.strip()
    if required and not _VISIBLE.search(text):
        raise FieldError(field, N_("must not be empty"))
    limit = MAX_LENGTHS.get(field)
    if limit and len(text) > limit:
        raise FieldError(field, TOO_LONG_BY, limit=limit, length=len(text))
    return text


def _type_name(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def normalize_lang(value: str) -> str:
    """A BCP 47 tag in its usual case (vi, en-GB); FieldError when it is not one."""
    match = LANG_TAG.match(value.strip())
    if not match:
        raise FieldError("lang", N_("'%(value)s' is not a BCP 47 language tag such as vi or en-GB"), value=value[:40])
    subtags = [match.group(1).lower()]
    for subtag in match.group(2).split("-")[1:]:
        if len(subtag) == 2:
            subtags.append(subtag.upper())
        elif len(subtag) == 4 and subtag.isalpha():
            subtags.append(subtag.title())
        else:
            subtags.append(subtag.lower())
    return "-".join(subtags)


def normalize_published(value: object, zone: dt.tzinfo = dt.UTC) -> str | None:
    """A publication date in the form reader stores (reader.dates), a time without an offset read in `zone`;
    None when absent. YAML front matter gives dates and date-times, JSON and HTML text."""
    if value is None or value == "":
        return None
    if not isinstance(value, str | dt.date):  # a datetime is a date too
        raise FieldError("published", N_("must be a date or a date and time, not %(type)s"), type=_type_name(value))
    try:
        return dates.stored_form(value if isinstance(value, dt.date) else dates.read_written(value, zone), zone)
    except dates.SkippedTime:
        raise _skipped(value, zone) from None
    except ValueError:
        raise FieldError(
            "published",
            N_("'%(value)s' is not a date such as 2021-03-31 or a time such as 2021-03-31T08:00:00+07:00"),
            value=str(value).strip()[:40],
        ) from None


def _skipped(value: object, zone: dt.tzinfo) -> FieldError:
    written = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value).strip()[:40]
    return FieldError(
        "published", N_("'%(value)s' is a time the clocks skip in %(zone)s (summer time begins)"),
        value=written, zone=str(zone),
    )  # fmt: skip


# A time may follow a day-first date: "31/03/2021 08:00", "31/03/2021, 8h30" (as Vietnamese sites write it).
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:,? +(\d{1,2})[:hH](\d{2}))?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def normalize_form_date(value: str, zone: dt.tzinfo = dt.UTC) -> str | None:
    """The editor's date field: dd/mm/yyyy or d/m/yyyy (how Vietnamese sites, the seed portal among them,
    write dates), with a time or not, or what imports take (reader.dates); a time without an offset is read in
    `zone`. Stored as RFC 3339 like every other way in. None when left empty.

    Only the editor reads day-first dates: in an import file or the API, 03/04/2021 could be either order."""
    text = clean_text(value).strip()
    if not text:
        return None
    day_first, iso = _DAY_FIRST.match(text), _ISO_DAY.match(text)
    hour = minute = None
    if day_first:
        day, month, year = (int(part) for part in day_first.groups()[:3])
        if day_first[4] is not None:
            hour, minute = int(day_first[4]), int(day_first[5])
    elif iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        try:
            return normalize_published(text, zone)
        except FieldError:
            raise FieldError(
                "published", N_("'%(value)s' is not a date: write it as 31/03/2021 or 2021-03-31"), value=text[:40]
            ) from None
    if not 1 <= month <= 12 or year < 1:
        raise FieldError(
            "published", N_("'%(value)s' is not a date: there is no month %(month)d"), value=text, month=month
        )
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise FieldError(
            "published", N_("there is no day %(value)s: month %(month)d of %(year)d has only %(days)d days"),
            value=text, month=month, year=year, days=days,
        )  # fmt: skip
    if hour is None or minute is None:
        return dt.date(year, month, day).isoformat()
    if hour > 23 or minute > 59:
        raise FieldError(
            "published", N_("'%(value)s' is not a time: hours go from 0 to 23, minutes from 0 to 59"), value=text
        )
    try:
        return dates.stored_form(dt.datetime(year, month, day, hour, minute), zone)
    except dates.SkippedTime:
        raise _skipped(text, zone) from None


def _source_url(data: Mapping[str, object]) -> str | None:
    url = _text(data, "source_url")
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[", or a host that Unicode normalization would change
        raise FieldError("source_url", N_("is not a valid address")) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FieldError("source_url", N_("must be an http:// or https:// address"))
    return url


def draft_from_fields(data: Mapping[str, object], zone: dt.tzinfo = dt.UTC) -> ArticleDraft:
    """Validate one article's fields, sanitize its body and derive a missing slug; a publication time without
    an offset is read in `zone` (the site's, Settings.zone).

    Every field is checked, so that a form can show all its errors at once: FieldErrors holds them all."""
    errors: list[FieldError] = []
    for key in data:
        if key not in FIELDS:
            errors.append(
                FieldError(str(key), N_("unknown field (known fields: %(fields)s)"), fields=", ".join(FIELDS))
            )
    title = _collect(errors, lambda: _text(data, "title", required=True))
    lang = _collect(errors, lambda: _lang(data))
    body = _collect(errors, lambda: _body(data, lang or "und"))
    slug = _collect(errors, lambda: _slug(data, title))
    summary = _collect(errors, lambda: _text(data, "summary"))
    author = _collect(errors, lambda: _text(data, "author"))
    published = _collect(errors, lambda: normalize_published(data.get("published"), zone))
    source_url = _collect(errors, lambda: _source_url(data))
    status = _collect(errors, lambda: _status(data))
    if errors:
        raise FieldErrors(errors)
    assert title is not None and lang is not None and body is not None and slug is not None
    html, source, body_format = body
    return ArticleDraft(
        slug=slug, lang=lang, title=title, summary=summary or "", body_html=html, body_source=source,
        body_format=body_format, author=author or "", published=published, source_url=source_url, status=status,
        slug_from_title=not data.get("slug"),
    )  # fmt: skip


def _status(data: Mapping[str, object]) -> Status | None:
    """Whether the article is a draft or published; None when not said (reader.models.ArticleDraft)."""
    value = data.get("status")
    if value is None or value == "":
        return None
    for status in STATUSES:
        if value == status:
            return status
    shown = value[:40] if isinstance(value, str) else _type_name(value)
    raise FieldError("status", N_("'%(value)s' is not a state: write draft or published"), value=shown)


def _collect(errors: list[FieldError], check: Callable[[], _T]) -> _T | None:
    """The checked value, or None with its FieldError added to `errors`."""
    try:
        return check()
    except FieldError as error:
        errors.append(error)
        return None


def _lang(data: Mapping[str, object]) -> str:
    lang_raw = data.get("lang")
    if lang_raw is None or lang_raw == "":
        raise FieldError("lang", N_("is required (a BCP 47 tag such as vi or en)"))
    if not isinstance(lang_raw, str):
        raise FieldError("lang", N_("must be text, not %(type)s"), type=_type_name(lang_raw))
    return normalize_lang(lang_raw)


def _body(data: Mapping[str, object], lang: str) -> tuple[SafeHtml, str, str]:
    """The sanitized body, its source as written, and its format (html or markdown)."""
    has_html = data.get("body_html") is not None
    has_markdown = data.get("body_markdown") is not None
    if has_html and has_markdown:
        raise FieldError("body_html", N_("give either body_html or body_markdown, not both"))
    if not has_html and not has_markdown:
        raise FieldError("body_html", N_("is required (or body_markdown)"))
    body_field = "body_html" if has_html else "body_markdown"
    source = _text(data, body_field, required=True, one_line=False)
    if len(source) > MAX_BODY_CHARS:
        raise FieldError(body_field, TOO_LONG_BY, limit=MAX_BODY_CHARS, length=len(source))
    untrusted = source_as_html(source, "html" if has_html else "markdown")
    try:
        # Character references ("&#xFFFF;") bring back what clean_text took out of the source. Taking a
        # character out of the sanitizer's output makes no markup: it escaped every "<", "&" and quote.
        body = SafeHtml(_CONTROL.sub("", sanitize_html(untrusted, lang=lang)))
    except TooDeeplyNested:
        raise FieldError(body_field, N_("nests elements more than %(limit)d levels deep"), limit=MAX_NESTING) from None
    # Refused only when sanitizing took away what there was (all of it in scripts, say): a body that shows
    # nothing to begin with (an empty list in Markdown, stray tags) is the author's to keep.
    if not has_content(body) and all_text(untrusted).strip():
        raise FieldError(body_field, N_("has no content left after removing unsafe markup"))
    return body, source, "html" if has_html else "markdown"


def _slug(data: Mapping[str, object], title: str | None) -> str:
    slug_value = data.get("slug")
    if slug_value is not None and not isinstance(slug_value, str):
        raise FieldError("slug", N_("must be text, not %(type)s"), type=_type_name(slug_value))
    if slug_value:
        slug = slug_value.strip()
        if not is_valid_slug(slug):
            raise FieldError(
                "slug",
                N_("must be lower-case letters, digits and single hyphens, at most %(limit)d long"),
                limit=MAX_SLUG_LENGTH,
            )
        return slug
    if title is None:
        return ""  # the title's own error says what to do
    slug = slugify(title)
    if not slug:
        raise FieldError("slug", N_("cannot be derived from the title; give one"))
    return slug
