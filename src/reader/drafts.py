"""Validating article fields from any way in (import files, later the API and the editor)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from reader.models import ArticleDraft, parse_published
from reader.sanitize import all_text, has_content, sanitize_html
from reader.slugs import MAX_SLUG_LENGTH, is_valid_slug, slugify
from reader.soup import TooDeeplyNested

FIELDS = (
    "slug", "lang", "title", "summary", "body_html", "body_markdown", "author", "published", "source_url",
)  # fmt: skip

MAX_LENGTHS = {"title": 300, "summary": 3000, "author": 200, "source_url": 2000}
MAX_BODY_CHARS = 2_000_000

LANG_TAG = re.compile(r"^([A-Za-z]{2,3})((?:-[A-Za-z0-9]{1,8}){0,4})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
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
VISIBLE_CHARACTER = rf"[^{_SPACES}{_INVISIBLE}]"
_VISIBLE = re.compile(VISIBLE_CHARACTER)
_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def source_as_html(source: str, body_format: str) -> str:
    """An article's body as its author gave it, in HTML (Markdown rendered): what the sanitizer was given."""
    return source if body_format == "html" else _markdown.render(source)


class FieldError(ValueError):
    """One field of an article that cannot be accepted; says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def clean_text(value: str) -> str:
    """NFC-normalized text without control characters (Vietnamese often arrives decomposed)."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


def _text(data: Mapping[str, object], field: str, *, required: bool = False, one_line: bool = True) -> str:
    value = data.get(field)
    if value is None:
        if required:
            raise FieldError(field, "is required")
        return ""
    if not isinstance(value, str):
        raise FieldError(field, f"must be text, not {_type_name(value)}")
    text = clean_text(value)
    text = " ".join(text.split()) if one_line else text.strip()
    if required and not _VISIBLE.search(text):
        raise FieldError(field, "must not be empty")
    limit = MAX_LENGTHS.get(field)
    if limit and len(text) > limit:
        raise FieldError(field, f"is longer than {limit} characters")
    return text


def _type_name(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def normalize_lang(value: str) -> str:
    """A BCP 47 tag in its usual case (vi, en-GB); FieldError when it is not one."""
    match = LANG_TAG.match(value.strip())
    if not match:
        raise FieldError("lang", f"{value!r} is not a BCP 47 language tag such as vi or en-GB")
    subtags = [match.group(1).lower()]
    for subtag in match.group(2).split("-")[1:]:
        if len(subtag) == 2:
            subtags.append(subtag.upper())
        elif len(subtag) == 4 and subtag.isalpha():
            subtags.append(subtag.title())
        else:
            subtags.append(subtag.lower())
    return "-".join(subtags)


def normalize_published(value: object) -> str | None:
    """An ISO 8601 date or date-time, normalized; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise FieldError("published", f"must be an ISO 8601 date or date-time, not {_type_name(value)}")
    try:
        # upper(): RFC 3339 allows "t" and "z", which Python's ISO parser does not read.
        parsed = parse_published(value.upper())
    except ValueError:
        raise FieldError("published", f"{value.strip()[:40]!r} is not an ISO 8601 date or date-time") from None
    return parsed.isoformat()


def _source_url(data: Mapping[str, object]) -> str | None:
    url = _text(data, "source_url")
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[", or a host that Unicode normalization would change
        raise FieldError("source_url", "is not a valid address") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FieldError("source_url", "must be an http:// or https:// address")
    return url


def draft_from_fields(data: Mapping[str, object]) -> ArticleDraft:
    """Validate one article's fields, sanitize its body and derive a missing slug."""
    for key in data:
        if key not in FIELDS:
            raise FieldError(str(key), f"unknown field (known fields: {', '.join(FIELDS)})")
    title = _text(data, "title", required=True)
    lang_raw = data.get("lang")
    if lang_raw is None or lang_raw == "":
        raise FieldError("lang", "is required (a BCP 47 tag such as vi or en)")
    if not isinstance(lang_raw, str):
        raise FieldError("lang", f"must be text, not {_type_name(lang_raw)}")
    lang = normalize_lang(lang_raw)

    has_html = data.get("body_html") is not None
    has_markdown = data.get("body_markdown") is not None
    if has_html and has_markdown:
        raise FieldError("body_html", "give either body_html or body_markdown, not both")
    if not has_html and not has_markdown:
        raise FieldError("body_html", "is required (or body_markdown)")
    body_field = "body_html" if has_html else "body_markdown"
    source = _text(data, body_field, required=True, one_line=False)
    if len(source) > MAX_BODY_CHARS:
        raise FieldError(body_field, f"is longer than {MAX_BODY_CHARS} characters")
    untrusted = source_as_html(source, "html" if has_html else "markdown")
    try:
        body = sanitize_html(untrusted, lang=lang)
    except TooDeeplyNested as exc:
        raise FieldError(body_field, str(exc)) from None
    # Refused only when sanitizing took away what there was (all of it in scripts, say): a body that shows
    # nothing to begin with (an empty list in Markdown, stray tags) is the author's to keep.
    if not has_content(body) and all_text(untrusted).strip():
        raise FieldError(body_field, "has no content left after removing unsafe markup")

    slug_value = data.get("slug")
    if slug_value is not None and not isinstance(slug_value, str):
        raise FieldError("slug", f"must be text, not {_type_name(slug_value)}")
    if slug_value:
        slug = slug_value.strip()
        if not is_valid_slug(slug):
            raise FieldError(
                "slug",
                f"must be lower-case letters, digits and single hyphens, at most {MAX_SLUG_LENGTH} long",
            )
    else:
        slug = slugify(title)
        if not slug:
            raise FieldError("slug", "cannot be derived from the title; give one")

    return ArticleDraft(
        slug=slug,
        lang=lang,
        title=title,
        summary=_text(data, "summary"),
        body_html=body,
        body_source=source,
        body_format="html" if has_html else "markdown",
        author=_text(data, "author"),
        published=normalize_published(data.get("published")),
        source_url=_source_url(data),
    )
