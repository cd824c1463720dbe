"""Import articles from JSON, Markdown with YAML front matter, and HTML documents."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import yaml
from bs4 import Tag

from reader.drafts import FieldError, draft_from_fields
from reader.models import ArticleDraft, SaveResult
from reader.soup import parse_html
from reader.store import ArticleStore

Progress = Callable[[int, int], None]

JSON_SUFFIXES = frozenset({".json"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
MAX_FILE_BYTES = 50 * 1024 * 1024

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_ATX_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


class ImportFailure(Exception):
    """A file that cannot be imported; the message names the file and, when known, the field."""

    def __init__(self, path: Path | str, message: str, field: str | None = None, item: int | None = None):
        where = f"{path}"
        if item is not None:
            where += f": article {item}"
        if field:
            where += f": {field}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.field = field


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailure(path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    return text.removeprefix("\ufeff")


def read_json(path: Path, text: str) -> list[Mapping[str, object]]:
    """Article field mappings from a JSON object or list of objects."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailure(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ImportFailure(path, "invalid JSON: nested too deeply") from None
    except ValueError:
        # Python refuses integers of more than 4300 digits (a guard against slow conversions).
        raise ImportFailure(path, "invalid JSON: a number has too many digits") from None
    items = document if isinstance(document, list) else [document]
    if not items:
        raise ImportFailure(path, "the list holds no articles")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportFailure(path, "must be a JSON object of article fields", item=number)
    return items


# libyaml's loader where PyYAML was built with it (the wheels are): the same safe subset, parsed in C, and
# front matter nested a thousand deep is refused at once instead of after a second of Python recursion.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_markdown(path: Path, text: str) -> list[Mapping[str, object]]:
    """Article fields from YAML front matter; the rest is the Markdown body, its first # heading the title."""
    fields: dict[str, object] = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.load(match.group(1), Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own limit, reached at once
                raise ImportFailure(path, "invalid YAML (nested too deeply)", field="front matter") from None
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            where = f" (line {line + 2})" if isinstance(line, int) else ""
            raise ImportFailure(path, f"invalid YAML{where}", field="front matter") from None
        except (ValueError, RecursionError) as exc:
            # PyYAML builds dates itself (2020-13-45 raises ValueError) and recurses into nested values.
            detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise ImportFailure(path, f"invalid YAML ({detail})", field="front matter") from None
        if meta is not None and not isinstance(meta, dict):
            raise ImportFailure(path, "must be a mapping of field: value", field="front matter")
        for key, value in (meta or {}).items():
            if key in ("body_html", "body_markdown"):
                raise ImportFailure(path, "the body is the text after the front matter", field=str(key))
            fields[str(key)] = value
        body = text[match.end() :]
    if "title" not in fields:
        heading = _ATX_H1.search(body)
        if heading:
            fields["title"] = heading.group(1)
            body = body[: heading.start()] + body[heading.end() :]
    fields["body_markdown"] = body.strip()
    return [fields]


def read_html(path: Path, text: str) -> list[Mapping[str, object]]:
    """Article fields from an HTML document: title from <h1> or <title>, body from <article>/<main>/<body>."""
    soup = parse_html(text)
    container = soup.find("article") or soup.find("main") or soup.find("body") or soup
    fields: dict[str, object] = {}
    html_tag = soup.find("html")
    if isinstance(html_tag, Tag) and html_tag.get("lang"):
        fields["lang"] = str(html_tag["lang"])
    heading = container.find("h1") if isinstance(container, Tag) else None
    title_tag = soup.find("title")
    if isinstance(heading, Tag) and heading.get_text(strip=True):
        fields["title"] = heading.get_text(" ", strip=True)
        parent = heading.parent
        heading.decompose()
        if isinstance(parent, Tag) and parent.name == "header" and not parent.get_text(strip=True):
            parent.decompose()
    elif isinstance(title_tag, Tag) and title_tag.get_text(strip=True):
        fields["title"] = title_tag.get_text(" ", strip=True)
    for name, field in (("description", "summary"), ("author", "author")):
        meta = soup.find("meta", attrs={"name": name})
        if isinstance(meta, Tag) and meta.get("content"):
            fields[field] = str(meta["content"])
    published = soup.find("meta", attrs={"property": "article:published_time"})
    if isinstance(published, Tag) and published.get("content"):
        fields["published"] = str(published["content"])
    canonical = soup.find("link", attrs={"rel": "canonical"})
    if isinstance(canonical, Tag) and canonical.get("href"):
        fields["source_url"] = str(canonical["href"])
    if isinstance(container, Tag):
        # Page furniture inside the container is not article text.
        for furniture in container.find_all(["nav", "aside", "footer", "form", "script", "style"]):
            furniture.decompose()
        fields["body_html"] = container.decode_contents()
    return [fields]


def read_file(path: Path) -> list[Mapping[str, object]]:
    """The raw article field mappings a file holds, by its suffix."""
    suffix = path.suffix.lower()
    if suffix not in JSON_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES:
        raise ImportFailure(path, "unsupported file type (use .json, .md or .html)")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailure(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailure(path, f"cannot read ({exc.strerror or exc})") from None
    text = _decode(path, data)
    if suffix in JSON_SUFFIXES:
        return read_json(path, text)
    if suffix in MARKDOWN_SUFFIXES:
        return read_markdown(path, text)
    return read_html(path, text)


def drafts_from_files(paths: Sequence[Path], progress: Progress | None = None) -> list[ArticleDraft]:
    """Validate every article of every file; the first problem stops everything with an ImportFailure."""
    drafts: list[ArticleDraft] = []
    origin: dict[str, str] = {}
    for done, path in enumerate(paths, start=1):
        items = read_file(path)
        for number, fields in enumerate(items, start=1):
            item = number if len(items) > 1 else None
            try:
                draft = draft_from_fields(fields)
            except FieldError as exc:
                raise ImportFailure(path, exc.message, field=exc.field, item=item) from None
            where = f"{path}" + (f" (article {item})" if item else "")
            if draft.slug in origin:
                raise ImportFailure(path, f"{draft.slug!r} is also the slug of {origin[draft.slug]}", "slug", item)
            origin[draft.slug] = where
            drafts.append(draft)
        if progress:
            progress(done, len(paths))
    return drafts


async def import_files(store: ArticleStore, paths: Sequence[Path], progress: Progress | None = None) -> SaveResult:
    """Read, validate and store all articles of the files in one transaction; nothing is written on error."""
    drafts = drafts_from_files(paths, progress)
    return await store.save_articles(drafts)
