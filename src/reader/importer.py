"""Import articles from JSON, Markdown with YAML front matter, and HTML documents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from reader import charsets
from reader.addresses import free_address
from reader.body_bound import SHOWN_WITHOUT_TEXT, body_length_at_least
from reader.drafts import (
    MAX_BODY_CHARS,
    MAX_LENGTHS,
    TOO_LONG,
    FieldError,
    FieldErrors,
    body_length,
    draft_from_fields,
    source_as_html,
)
from reader.i18n import N_, gettext
from reader.layout_checks import layout_issues
from reader.list_paragraphs import make_lists, may_hold_lists
from reader.models import DRAFT, PUBLISHED, ArticleDraft, SaveResult
from reader.readability.report import LayoutIssue, message_language
from reader.soup import MarkupRejected, Places, elements_named, parse_html
from reader.store import ArticleStore, SameArticleTwice

Progress = Callable[[int, int], None]

JSON_SUFFIXES = frozenset({".json"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt"})
MAX_FILE_BYTES = 50 * 1024 * 1024

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# A "# heading" line; its closing #s and spaces are taken off after (_heading_text): in the pattern, a lazy
# title before them tried every split of a long run of spaces, in time quadratic in its length.
_ATX_H1 = re.compile(r"^#[ \t]+(.+)$", re.MULTILINE)


class ImportFailure(Exception):
    """A file that cannot be imported; the message names the file and, when known, the field.

    `message` is an English template marked with N_ and filled with `values`; str() is the English text
    (`reader import`'s), `localized(lang)` the same through the UI catalogs (the editor's import page).
    `more` are the other invalid fields of the same article, listed after the first."""

    def __init__(
        self, path: Path | str, message: str, field: str | None = None, item: int | None = None, *,
        values: Mapping[str, object] | None = None, more: Sequence[FieldError] = (),
    ) -> None:  # fmt: skip
        self.path = str(path)
        self.field = field
        self.item = item
        self.problems = [(field, message, dict(values or {}))] + [(e.field, e.template, e.values) for e in more]
        super().__init__(self.localized(None))

    def localized(self, lang: str | None) -> str:
        """The message in a UI language (None: the English of the templates, untranslated)."""

        def say(template: str, values: Mapping[str, object]) -> str:
            text = gettext(lang, template) if lang else template
            return text % values if values else text

        where = self.path
        if self.item is not None:
            where += ": " + say(N_("article %(number)d"), {"number": self.item})
        problems = []
        for field, template, values in self.problems:
            name = say(field, {}) if field in _TRANSLATED_FIELDS else field
            problems.append(f"{name}: {say(template, values)}" if name else say(template, values))
        return f"{where}: {'; '.join(problems)}"


# A part of a file that is not one of its fields (those keep the name the file gives them).
FRONT_MATTER = N_("front matter")
_TRANSLATED_FIELDS = frozenset({FRONT_MATTER})


def _decode(path: Path, data: bytes, *, html: bool = False, marks: bool = False) -> str:
    """The file's text. UTF-8 (a byte order mark allowed); an HTML file may be in another encoding that a byte
    order mark or its first bytes declare, as browsers read it (reader.charsets); with `marks` (a text file)
    in UTF-16 that a byte order mark says: Notepad's and Word's "Unicode" text."""
    marked = charsets.byte_order_mark(data) if html or marks else None
    if marked is not None and marked[0] != charsets.UTF_8:
        return _decode_as(path, data, marked[0], start=marked[1])
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        values: dict[str, object] = {"byte": data[exc.start], "offset": exc.start}
    if html and marked is None and (labels := charsets.declared_labels(data)):
        known = [encoding for encoding in map(charsets.encoding_for, labels) if encoding is not None]
        if not known:
            values = {"label": labels[0][:40]}
            raise ImportFailure(path, N_("declares the encoding '%(label)s', which reader cannot read"), values=values)
        if known[0] != charsets.UTF_8:
            return _decode_as(path, data, known[0])
    if html and marked is None:
        message = N_(
            "not valid UTF-8 (byte 0x%(byte)02x at offset %(offset)d), and no <meta charset> in its first "
            "%(bytes)d bytes names another encoding"
        )
        raise ImportFailure(path, message, values={**values, "bytes": charsets.PRESCAN_BYTES})
    raise ImportFailure(path, N_("not valid UTF-8 (byte 0x%(byte)02x at offset %(offset)d)"), values=values)


def _decode_as(path: Path, data: bytes, encoding: charsets.Encoding, *, start: int = 0) -> str:
    """The file's text in a legacy encoding (or UTF-16), from `start`. NFC, as every field is made later
    (reader.drafts.clean_text), already here: windows-1258 writes a Vietnamese letter's tone as a mark of its
    own ("ế" as ê and an acute), which would otherwise stay two characters until then."""
    try:
        text = data[start:].decode(encoding.codec)
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        values = {"encoding": encoding.name, "byte": data[offset], "offset": offset}
        message = N_("not valid %(encoding)s, the encoding it declares (byte 0x%(byte)02x at offset %(offset)d)")
        raise ImportFailure(path, message, values=values) from None
    return unicodedata.normalize("NFC", text)


def read_json(path: Path, text: str) -> list[Mapping[str, object]]:
    """Article field mappings from a JSON object or list of objects."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        # Python's own words (exc.msg) only in English: the translations say where, which is what helps.
        values = {"line": exc.lineno, "column": exc.colno, "detail": exc.msg}
        raise ImportFailure(
            path, N_("invalid JSON at line %(line)d, column %(column)d: %(detail)s"), values=values
        ) from None
    except RecursionError:
        raise ImportFailure(path, N_("invalid JSON: nested too deeply")) from None
    except ValueError:
        # Python refuses integers of more than 4300 digits (a guard against slow conversions).
        raise ImportFailure(path, N_("invalid JSON: a number has too many digits")) from None
    items = document if isinstance(document, list) else [document]
    if not items:
        raise ImportFailure(path, N_("the list holds no articles"))
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportFailure(path, N_("must be a JSON object of article fields"), item=number)
    return [with_lists(item) for item in items]


def with_lists(fields: Mapping[str, object]) -> Mapping[str, object]:
    """Article fields (a JSON file's, the editor's form's) whose body_html has paragraphs written as list
    items (pasted from Word) with each run of them made a list (reader.list_paragraphs); any other body
    stays the string it is, not parsed and written again. So does a body html.parser refuses: finding lists
    is a help, not a check, and nh3 (which reads "<![foo[" as a comment) sanitizes it as it does the API's."""
    body = fields.get("body_html")
    if not isinstance(body, str) or not may_hold_lists(body):
        return fields
    try:
        soup = parse_html(body)
    except MarkupRejected:
        return fields
    lang = fields.get("lang")
    if not make_lists(soup, lang=lang if isinstance(lang, str) else None):
        return fields
    return {**fields, "body_html": soup.decode()}


# libyaml's loader where PyYAML was built with it (the wheels are): the same safe subset, parsed in C, and
# front matter nested a thousand deep is refused at once instead of after a second of Python recursion.
if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_SafeLoader):
    """YAML's safe loader, but a date or time that does not exist (2021-02-30, 25:00) stays the text it is:
    PyYAML's ValueError says neither which field nor which value, the field's own check says both."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp)


def read_markdown(path: Path, text: str) -> list[Mapping[str, object]]:
    """Article fields from YAML front matter; the rest is the Markdown body, its first # heading the title."""
    fields: dict[str, object] = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.load(match.group(1), Loader=_FrontMatterLoader)
        except yaml.YAMLError as exc:
            if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own limit, reached at once
                raise ImportFailure(path, N_("invalid YAML (nested too deeply)"), field=FRONT_MATTER) from None
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            if isinstance(line, int):
                values: dict[str, object] = {"line": line + 2}
                raise ImportFailure(path, N_("invalid YAML (line %(line)d)"), FRONT_MATTER, values=values) from None
            raise ImportFailure(path, N_("invalid YAML"), field=FRONT_MATTER) from None
        except (ValueError, RecursionError) as exc:
            # PyYAML builds numbers itself (one of 5,000 digits raises ValueError; dates that do not exist stay
            # text, _FrontMatterLoader) and recurses into nested values.
            if isinstance(exc, RecursionError):
                raise ImportFailure(path, N_("invalid YAML (nested too deeply)"), field=FRONT_MATTER) from None
            # PyYAML's words (exc) only in English; the translations say what kind of value it was.
            values = {"detail": str(exc)}
            raise ImportFailure(path, N_("invalid YAML (%(detail)s)"), field=FRONT_MATTER, values=values) from None
        if meta is not None and not isinstance(meta, dict):
            raise ImportFailure(path, N_("must be a mapping of field: value"), field=FRONT_MATTER)
        for key, value in (meta or {}).items():
            if key in ("body_html", "body_markdown"):
                raise ImportFailure(path, N_("the body is the text after the front matter"), field=str(key))
            fields[str(key)] = value
        body = text[match.end() :]
    if "title" not in fields:
        heading = _ATX_H1.search(body)
        if heading:
            fields["title"] = _heading_text(heading.group(1))
            body = body[: heading.start()] + body[heading.end() :]
    fields["body_markdown"] = body.strip()
    return [fields]


def _heading_text(rest: str) -> str:
    """A "# heading" line's text without its closing #s and the spaces around them (at least one character)."""
    return rest[: max(1, len(rest.rstrip(" \t#")))]


# What read_html looks for, each the first in the document: the body, from the first of these that is there
# (none of them: the whole document), the language and the title.
_CONTAINERS = ("article", "main", "body")
_LOOKED_FOR = frozenset({*_CONTAINERS, "html", "title"})
# Fields of the head: (element, attribute, value) names the element, the first in the document so named; its
# `content` or `href`, if not empty, is the field.
_HEAD_FIELDS = (
    ("meta", "name", "description", "content", "summary"),
    ("meta", "name", "author", "content", "author"),
    ("meta", "property", "article:published_time", "content", "published"),
    ("link", "rel", "canonical", "href", "source_url"),
)
# Page furniture inside the container, which is not article text.
FURNITURE = frozenset({"nav", "aside", "footer", "form", "script", "style"})


def read_html(path: Path, text: str) -> list[Mapping[str, object]]:
    """Article fields from an HTML document: title from <h1> or <title>, body from <article>/<main>/<body>.

    Each element is found in one walk of the tree for all of them: bs4's find() walked the tree with its
    matcher for each, all of it for each that a page lacks (most lack some of the head's fields)."""
    try:
        soup = parse_html(text)
    except MarkupRejected as exc:  # (Vietnamese says where, as for JSON: the reason is html.parser's English)
        message = N_("invalid HTML at line %(line)d, column %(column)d: %(detail)s")
        values = {"line": exc.line, "column": exc.column, "detail": exc.detail}
        raise ImportFailure(path, message, values=values) from None
    first: dict[str, Tag] = {}
    for node in soup.descendants:
        if isinstance(node, Tag) and node.name in _LOOKED_FOR and node.name not in first:
            first[node.name] = node
    container = next((first[name] for name in _CONTAINERS if name in first), soup)
    fields: dict[str, object] = {}
    declared, marked = _document_lang(first.get("html"), first.get("body"), container)
    if declared is not None:
        fields["lang"] = declared
    elif marked is not None:
        fields[MARKED_LANG] = marked
    heading = container.find("h1")
    title_tag = first.get("title")
    if isinstance(heading, Tag) and heading.get_text(strip=True):
        fields["title"] = heading.get_text(" ", strip=True)
        parent = heading.parent
        heading.decompose()
        if isinstance(parent, Tag) and parent.name == "header" and not parent.get_text(strip=True):
            parent.decompose()
    elif title_tag is not None and title_tag.get_text(strip=True):
        fields["title"] = title_tag.get_text(" ", strip=True)
    # After the title's <h1> (and <header>) went, with what they held, as when each was looked up by find().
    found: dict[str, Tag] = {}
    for node in soup.descendants:
        if isinstance(node, Tag) and node.name in ("meta", "link"):
            for name, attribute, value, _, field in _HEAD_FIELDS:
                if node.name == name and field not in found and _attribute_is(node, attribute, value):
                    found[field] = node
    for _, _, _, source, field in _HEAD_FIELDS:
        tag = found.get(field)
        if tag is not None and tag.get(source):
            fields[field] = str(tag[source])
    # Taken out from the last back, each from its known place: decompose() alone walks the parent's children
    # to find it, quadratic in a page with an ad slot's <script> or an <aside> every few paragraphs.
    places = Places()
    for furniture in reversed(elements_named(container, FURNITURE)):
        furniture.extract(_self_index=places.of(furniture)).decompose()
    # Word's list paragraphs (and lists pasted as paragraphs) made lists: the sanitizer, next, removes the
    # markup that says they are one.
    if may_hold_lists(text):
        make_lists(soup, container, declared or marked)
    # After the lists: an empty paragraph between two runs of list paragraphs keeps them two lists.
    _drop_empty_paragraphs(container)
    if "summary" not in fields and (lead := _bold_lead(container)) is not None:
        fields["summary"] = " ".join(lead.get_text(" ").split())
        lead.decompose()
    fields["body_html"] = container.decode_contents()
    return [fields]


def _drop_empty_paragraphs(container: Tag | BeautifulSoup) -> None:
    """Word's blank lines (<p class=MsoNormal><o:p>&nbsp;</o:p></p>, its way of spacing paragraphs) taken
    out: kept, each is a paragraph a screen reader announces with nothing in it ("blank")."""
    for paragraph in elements_named(container, frozenset({"p"})):
        if not paragraph.get_text().strip() and paragraph.find(SHOWN_WITHOUT_TEXT) is None:
            paragraph.decompose()


_BOLD = frozenset({"b", "strong"})
_NOT_PROSE = frozenset({"li", "td", "th", "blockquote", "table", "ul", "ol", "dl", "figure", "figcaption"})


def _bold_lead(container: Tag | BeautifulSoup) -> Tag | None:
    """The article's first paragraph when it is wholly bold and nothing comes before it, and the paragraph
    after it is not (then it is not one bold paragraph of many): Word's way, and a Vietnamese newsroom's, of
    setting a lead (sapo) apart. It becomes the summary, which the article's page shows as its lead."""
    paragraphs = (p for p in container.descendants if isinstance(p, Tag) and p.name == "p" and p.get_text().strip())
    first, second = next(paragraphs, None), next(paragraphs, None)  # the walk stops there
    if first is None or not _wholly_bold(first):
        return None
    if any(isinstance(parent, Tag) and parent.name in _NOT_PROSE for parent in first.parents):
        return None
    if len(" ".join(first.get_text(" ").split())) > MAX_LENGTHS["summary"]:
        return None
    if second is not None and _wholly_bold(second):
        return None
    for text in container.strings:  # text before it: a heading, a caption, a line of its own
        if text.strip():
            return first if any(parent is first for parent in text.parents) else None
    return None


def _wholly_bold(paragraph: Tag) -> bool:
    """Whether every piece of text in the paragraph is inside <b> or <strong>."""
    texts = [text for text in paragraph.find_all(string=True) if type(text) is NavigableString and text.strip()]
    return bool(texts) and all(
        any(isinstance(parent, Tag) and parent.name in _BOLD for parent in text.parents) for text in texts
    )


def _document_lang(
    html_tag: Tag | None, body: Tag | None, container: Tag | BeautifulSoup
) -> tuple[str | None, str | None]:
    """The document's language as it declares it (<html lang>), and else as it marks its text (<body lang>,
    else the first lang="…" in the body). Word's "Save as Web Page" writes <body lang=VI> and lang on runs of
    text, none on <html>, and marks them with its proofing language, English for Vietnamese text as often as
    not (<body lang=EN-US>): a language the editor chose comes before that marking (drafts_from_files). The
    tag is made lower-case as BCP 47 writes it later (reader.drafts.normalize_lang: VI is vi)."""
    if html_tag is not None and str(html_tag.get("lang") or "").strip():
        return str(html_tag["lang"]).strip(), None
    if body is not None and str(body.get("lang") or "").strip():
        return None, str(body["lang"]).strip()
    inner = (body or container).find(lang=_NOT_BLANK)
    if isinstance(inner, Tag):
        return None, str(inner["lang"]).strip()
    return None, None


# An HTML file's language as its text is marked (_document_lang), kept apart from "lang": the language the
# editor chose for the import comes before it. Not a field a file can give (the key has a space).
MARKED_LANG = "lang as marked"


_NOT_BLANK = re.compile(r"\S")


def _attribute_is(tag: Tag, attribute: str, wanted: str) -> bool:
    """Whether find(attrs={attribute: wanted}) takes `tag`: the attribute's value is `wanted`, or, for one
    that holds a list (rel="canonical alternate"), one of its values is, or all of them joined by spaces."""
    value = tag.get(attribute)
    if isinstance(value, list):
        return wanted in value or " ".join(value) == wanted
    return value == wanted


def read_text(path: Path, text: str) -> list[Mapping[str, object]]:
    """Article fields from plain text, read as it is written (no Markdown: "- " dialogue, "2021. Năm …" and
    "# hashtag" stay text): the first paragraph the title when it is one line and more follow, each paragraph
    (at a blank line) a <p>, a line break inside one a <br>. A text file says no language (drafts_from_files's
    `lang` gives it)."""
    paragraphs = [part.strip() for part in _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n"))]
    paragraphs = [part for part in paragraphs if part]
    fields: dict[str, object] = {}
    if len(paragraphs) > 1 and "\n" not in paragraphs[0]:
        fields["title"] = paragraphs.pop(0)
    lines = ("<br>\n".join(escape(line.strip()) for line in part.split("\n")) for part in paragraphs)
    fields["body_html"] = "\n".join(f"<p>{part}</p>" for part in lines)
    return [fields]


_BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n")

ACCEPTED_SUFFIXES = JSON_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES


def _load(path: Path) -> tuple[str, str]:
    """A file's suffix (lower-cased) and text: an ImportFailure for a type, a size or bytes reader cannot read."""
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        values = {"suffixes": ", ".join(sorted(ACCEPTED_SUFFIXES))}
        raise ImportFailure(path, N_("unsupported file type (use %(suffixes)s)"), values=values)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailure(path, N_("larger than %(limit)d MB"), values={"limit": MAX_FILE_BYTES // (1024 * 1024)})
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailure(path, N_("cannot read (%(reason)s)"), values={"reason": exc.strerror or str(exc)}) from None
    return suffix, _decode(path, data, html=suffix in HTML_SUFFIXES, marks=suffix in TEXT_SUFFIXES)


def _read(path: Path, suffix: str, text: str) -> list[Mapping[str, object]]:
    if suffix in JSON_SUFFIXES:
        return read_json(path, text)
    if suffix in MARKDOWN_SUFFIXES:
        return read_markdown(path, text)
    if suffix in TEXT_SUFFIXES:
        return read_text(path, text)
    return read_html(path, text)


def read_file(path: Path) -> list[Mapping[str, object]]:
    """The raw article field mappings a file holds, by its suffix."""
    return _read(path, *_load(path))


BODY_FIELDS = ("body_html", "body_markdown")


def check_body_lengths(path: Path) -> None:
    """Refuse a file with a body over MAX_BODY_CHARS, with the error validating it would give, before the work
    that would come to it: parsing an HTML document into a tree (seconds for a few megabytes: its body is
    known to be over the limit from its tokens, reader.body_bound), rendering Markdown, sanitizing. Reading
    JSON and front matter is quick; they are read again after."""
    suffix, text = _load(path)
    if suffix in HTML_SUFFIXES:
        if body_length_at_least(text, MAX_BODY_CHARS) > MAX_BODY_CHARS:
            raise ImportFailure(path, TOO_LONG, "body_html", values={"limit": MAX_BODY_CHARS})
        return
    items = _read(path, suffix, text)
    for number, fields in enumerate(items, start=1):
        for field in BODY_FIELDS:
            value = fields.get(field)
            if isinstance(value, str) and body_length(value) > MAX_BODY_CHARS:
                item = number if len(items) > 1 else None
                raise ImportFailure(path, TOO_LONG, field, item, values={"limit": MAX_BODY_CHARS})


# Jekyll's and Hugo's way of saying that a file is a draft, in front matter (or a JSON file): `draft: true`.
# reader's own field is `status` (draft or published), as in the API; a file may say either, not both.
DRAFT_FLAG = "draft"


def _draft_flag(path: Path, item: int | None, fields: Mapping[str, object]) -> Mapping[str, object]:
    """The fields with a `draft: true|false` made into reader's `status` (draft, published)."""
    if DRAFT_FLAG not in fields:
        return fields
    flag = fields[DRAFT_FLAG]
    if not isinstance(flag, bool):
        raise ImportFailure(path, N_("must be true or false"), DRAFT_FLAG, item)
    if fields.get("status") not in (None, ""):
        raise ImportFailure(path, N_("give either draft or status, not both"), DRAFT_FLAG, item)
    rest = {key: value for key, value in fields.items() if key != DRAFT_FLAG}
    return {**rest, "status": DRAFT if flag else PUBLISHED}


# Where a file that lacks its language or title gives it, by its kind: the message of a missing `lang` names
# the place, and the choice of a language for files that say none (the import page's, `reader import --lang`).
_LANG_MISSING = N_("is required (a BCP 47 tag such as vi or en)")
_TITLE_MISSING = N_("is required")
_TOLD: dict[tuple[str, str, str], str] = {
    **{
        (suffix, "lang", _LANG_MISSING): N_(
            'is required: write it on the document\'s <html> element (<html lang="vi">), or choose a language '
            "for files that say none (on the import page; reader import --lang)"
        )
        for suffix in HTML_SUFFIXES
    },
    **{
        (suffix, "lang", _LANG_MISSING): N_(
            "is required: write it in the front matter (lang: vi), or choose a language for files that say "
            "none (on the import page; reader import --lang)"
        )
        for suffix in MARKDOWN_SUFFIXES
    },
    **{
        (suffix, "lang", _LANG_MISSING): N_(
            'is required: give each article a "lang" field ("lang": "vi"), or choose a language for files that '
            "say none (on the import page; reader import --lang)"
        )
        for suffix in JSON_SUFFIXES
    },
    **{
        (suffix, "lang", _LANG_MISSING): N_(
            "is required: a text file does not say its language; choose one for files that say none (on the "
            "import page; reader import --lang)"
        )
        for suffix in TEXT_SUFFIXES
    },
    **{
        (suffix, "title", _TITLE_MISSING): N_(
            "is required: a text file's first line is its title when a blank line follows it"
        )
        for suffix in TEXT_SUFFIXES
    },
}


def _where_it_goes(path: Path, errors: Sequence[FieldError]) -> list[FieldError]:
    """The errors, a missing `lang` (or a text file's title) said with where a file of this kind gives it."""
    suffix = path.suffix.lower()
    return [FieldError(e.field, _TOLD.get((suffix, e.field, e.template), e.template), **e.values) for e in errors]


def drafts_from_files(
    paths: Sequence[Path], progress: Progress | None = None, zone: dt.tzinfo = dt.UTC, lang: str | None = None
) -> list[ArticleDraft]:
    """Validate every article of every file (a time without an offset read in `zone`; `lang`: the language of
    an article whose file says none, else it is an error, and of an HTML file whose text is only marked with
    one, as Word marks it: _document_lang); the first problem stops everything with an
    ImportFailure. Every file's body is measured first (check_body_lengths), so that a body over the limit in
    the last file does not wait for the work on all the others."""
    for path in paths:
        check_body_lengths(path)
    drafts: list[ArticleDraft] = []
    origin: dict[str, tuple[str, int | None]] = {}
    for done, path in enumerate(paths, start=1):
        items = read_file(path)
        for number, fields in enumerate(items, start=1):
            item = number if len(items) > 1 else None
            marked = fields.get(MARKED_LANG) if path.suffix.lower() in HTML_SUFFIXES else None
            fields = {key: value for key, value in fields.items() if key != MARKED_LANG or marked is None}
            if fields.get("lang") in (None, "") and (lang or marked):
                fields = {**fields, "lang": lang or marked}
            try:
                draft = draft_from_fields(_draft_flag(path, item, fields), zone)
            except FieldError as exc:
                first, *more = _where_it_goes(path, exc.errors if isinstance(exc, FieldErrors) else [exc])
                raise ImportFailure(path, first.template, first.field, item, values=first.values, more=more) from None
            if draft.slug in origin:
                other, other_item = origin[draft.slug]
                message = N_("'%(slug)s' is also the slug of %(other)s")
                if other_item:
                    message = N_("'%(slug)s' is also the slug of article %(item)d of %(other)s")
                values = {"slug": draft.slug, "other": other, "item": other_item}
                raise ImportFailure(path, message, "slug", item, values=values)
            origin[draft.slug] = (str(path), item)
            drafts.append(draft)
        if progress:
            progress(done, len(paths))
    return drafts


def layout_findings(drafts: Sequence[ArticleDraft], ui_lang: str) -> list[tuple[ArticleDraft, list[LayoutIssue]]]:
    """The layout checks' findings (reader.layout_checks: an image without alt text, a skipped heading level,
    …) of each imported article that has some, in `ui_lang`: an import is told what the editor's check page
    would say, as it is written, not only when someone opens that page."""
    lang = message_language(ui_lang)
    findings = []
    for draft in drafts:
        source = source_as_html(draft.body_source, draft.body_format)
        issues = layout_issues(draft.body_html, lang, source_html=source, lang=draft.lang)
        if issues:
            findings.append((draft, issues))
    return findings


async def own_addresses(store: ArticleStore, drafts: Sequence[ArticleDraft]) -> list[ArticleDraft]:
    """The drafts, each whose address was made from its title (its file gives none) and is an old address of
    a renamed article given the next free numbered one (reader.addresses.free_address: thong-bao-2): a new
    article, as the editor's form makes it. A file that names such an address itself (front matter `slug:`,
    a JSON "slug") is that article (the save updates it: save_imported); a title is not an address anyone
    chose, and another file titled as the article once was must not replace it. Looked up before the save;
    run before held_back, which then sees a new article."""
    chosen = {draft.slug for draft in drafts}
    placed = []
    for draft in drafts:
        if (
            draft.slug_from_title
            and await store.get_redirect(draft.slug, drafts=True) is not None
            # An article at that address comes first, as the save's following does (store._leads).
            and await store.get_article(draft.slug, drafts=True) is None
        ):
            slug = await free_address(store, draft.slug, also_taken=chosen)
            chosen.add(slug)
            draft = dataclasses.replace(draft, slug=slug)
        placed.append(draft)
    return placed


async def held_back(store: ArticleStore, drafts: Sequence[ArticleDraft]) -> list[ArticleDraft]:
    """The drafts, each new article whose file does not say its state (status, draft) made a draft: "import as
    drafts", so that a newsroom reads what the checks found before readers see it. An article already here
    keeps its state, as any import leaves it (taking a published article off the site is the editor's act,
    not an import's), and a file's own state is kept: it was written on purpose.

    A file that names an old address of a renamed article is that article (the save updates it:
    save_imported); one whose title made such an address has a new one by now (own_addresses).

    Looked up before the save's transaction: an article deleted in between is made again as published (it
    was published a moment ago); one made in between is made a draft."""
    held = []
    for draft in drafts:
        if draft.status is None and not await _here(store, draft.slug):
            draft = dataclasses.replace(draft, status=DRAFT)
        held.append(draft)
    return held


async def _here(store: ArticleStore, slug: str) -> bool:
    """Whether an article is at `slug`, or was and was renamed (a draft or not)."""
    return (
        await store.get_article(slug, drafts=True) is not None
        or await store.get_redirect(slug, drafts=True) is not None
    )


async def save_imported(
    store: ArticleStore, drafts: Sequence[ArticleDraft], *, by: str, as_drafts: bool
) -> tuple[list[ArticleDraft], SaveResult]:
    """An import's drafts (drafts_from_files) as saved, and what the save did, for every way in (the editor's
    import page, `reader import`, import_files): those whose title made a renamed article's old address given
    a new one (own_addresses), new articles whose file says no state made drafts when `as_drafts`
    (held_back), then all saved in one transaction (ArticleStore.save_articles: a file that names an old
    address of a renamed article updates that article); an ImportFailure, nothing written, when two of them
    are one article."""
    placed = await own_addresses(store, drafts)
    if as_drafts:
        placed = await held_back(store, placed)
    try:
        return placed, await store.save_articles(placed, by=by)
    except SameArticleTwice as exc:
        values = {"slug": exc.slug, "target": exc.target}
        message = N_(
            "'%(slug)s' is an old address of the article at '%(target)s', which this import saves as well; "
            "import that article once"
        )
        raise ImportFailure(exc.slug, message, "slug", values=values) from None


async def import_files(
    store: ArticleStore,
    paths: Sequence[Path],
    progress: Progress | None = None,
    *,
    by: str,
    zone: dt.tzinfo = dt.UTC,
    lang: str | None = None,
    as_drafts: bool = False,
) -> SaveResult:
    """Read, validate and store all articles of the files in one transaction (`by`: who, as the store records
    it; `lang`, `as_drafts`: drafts_from_files, held_back); nothing is written on error."""
    _, result = await save_imported(
        store, drafts_from_files(paths, progress, zone, lang=lang), by=by, as_drafts=as_drafts
    )
    return result
