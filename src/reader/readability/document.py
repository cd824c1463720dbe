"""The plain-text rendering a readability report's offsets point into, and its blocks.

HTML rendering (``plain_text_for_report``): every block element with text (p, h1–h6, li, dt, dd, td,
th, caption, figcaption, blockquote, pre, div …) becomes one block; blocks are joined by a blank line
("\\n\\n"). Inside a block, tags are dropped, entities decoded, runs of whitespace (spaces, tabs, newlines;
not no-break spaces) collapsed to one space and the ends trimmed; ``<br>`` becomes "\\n". Images, scripts
and styles contribute no text. Text found directly inside an element that also holds blocks (text beside
a nested ``<p>`` in an ``<li>``) is a block of its own. A block's kind (heading, paragraph, list item, table
cell) is its innermost block element's, but any text inside a table cell is the cell's, and a paragraph (or
quotation, division …) inside a list item is the item's: Word writes ``<td><p>…</p></td>`` and
``<li><p>…</p></li>``, which must count as the bare cell and item do.

Plain-text input keeps the text unchanged (offsets point into it) and splits it into blocks at blank lines.
A block is a heading when it is a single line that either starts with 1–6 ``#`` and a space (Markdown;
the heading is the text after the marks) or has at most 10 words and does not end in . ! ? … : ; or ,.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from reader.readability.sentences import CLOSERS

HEADING, PARAGRAPH, ITEM, CELL = "heading", "paragraph", "item", "cell"

_BLOCK_KINDS = {
    **{f"h{level}": HEADING for level in range(1, 7)},
    **dict.fromkeys(("li", "dt", "dd"), ITEM),
    **dict.fromkeys(("td", "th"), CELL),
    **dict.fromkeys(
        (
            "p", "blockquote", "caption", "figcaption", "figure", "pre", "div", "section", "article", "main", "header",
            "footer", "aside", "nav", "address", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr",
            "colgroup", "hr", "details", "summary", "body", "html",
        ),
        PARAGRAPH,
    ),
}  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
_CONTAINERS = frozenset({"td", "th", "li", "dt", "dd"})
# Elements that start a block of text of their own (reader.sentence_markup splits runs of text at them too).
BLOCK_ELEMENTS = frozenset(_BLOCK_KINDS)
_VOID = frozenset({"br", "hr", "img", "wbr", "col", "input", "meta", "link", "source", "area", "base", "embed"})
_SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title", "svg", "math", "textarea"})

# A tag with quoted attribute values (which may hold ">"), a comment, or a doctype.
# A stray "<" inside a tag ends it, so text full of unclosed tags cannot make the scan quadratic.
_MARKUP = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)(?:"[^"]*"|'[^']*'|[^'"<>])*>|<!--.*?-->|<![^>]*>""", re.DOTALL)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_BREAK = "\u2028"  # stands for <br> until spaces are collapsed

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_ATX = re.compile(r"(#{1,6})[ \t]+(?=\S)")
_HEADING_END = re.compile(f"[.!?…:;,][{re.escape(CLOSERS)}]*$")


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of text: ``text[start:end]`` of its document; level is 1–6 for headings, else 0."""

    start: int
    end: int
    kind: str
    level: int = 0


@dataclass(frozen=True, slots=True)
class Document:
    """A text and its blocks, in order."""

    text: str
    blocks: tuple[Block, ...]


def document_from_html(body_html: str) -> Document:
    """Render article HTML to plain text with its blocks (see the module docstring)."""
    pieces: list[str] = []
    blocks: list[Block] = []
    stack: list[str] = []
    pending: list[str] = []
    length = 0
    skip_until: str | None = None

    def flush() -> None:
        nonlocal length
        if not pending:
            return
        raw = "".join(pending)
        pending.clear()
        text = _SPACES.sub(" ", raw).strip(" ")
        if _BREAK in text:
            text = "\n".join(part.strip(" ") for part in text.split(_BREAK)).strip("\n")
        if not text.strip():
            return
        top = next((tag for tag in reversed(stack) if tag in _BLOCK_KINDS), "p")
        kind = _BLOCK_KINDS[top]
        if kind != CELL and _CONTAINERS.intersection(stack):
            # Text inside a table cell or a list item is the cell's or the item's, whatever blocks it is in:
            # Word writes <td><p>…</p></td> and <li><p>…</p></li>, and "2019" in a cell is no sentence. A
            # cell wins over an item (a list in a table, a table in a list: table data either way); a heading
            # in a list item stays a heading.
            if _CELL_TAGS.intersection(stack):
                kind = CELL
            elif kind == PARAGRAPH:
                kind = ITEM
        if pieces:
            pieces.append("\n\n")
            length += 2
        pieces.append(text)
        blocks.append(Block(length, length + len(text), kind, int(top[1]) if kind == HEADING else 0))
        length += len(text)

    position = 0
    for match in _MARKUP.finditer(body_html):
        if skip_until is None and match.start() > position:
            pending.append(html.unescape(body_html[position : match.start()]))
        position = match.end()
        name = (match.group(2) or "").lower()
        closing = match.group(1) == "/"
        if skip_until is not None:
            if closing and name == skip_until:
                skip_until = None
            continue
        if not name:
            continue  # a comment or doctype
        if name in _SKIPPED and not closing:
            skip_until = name
            continue
        if name == "br":
            pending.append(_BREAK)
        elif name in _BLOCK_KINDS:
            flush()
            if closing:
                if name in stack:
                    # Pop to the matching element: tolerates unclosed children in hand-written HTML.
                    del stack[len(stack) - 1 - stack[::-1].index(name) :]
            elif name not in _VOID and not match.group(0).endswith("/>"):
                stack.append(name)
    if skip_until is None:
        pending.append(html.unescape(body_html[position:]))
    flush()
    return Document("".join(pieces), tuple(blocks))


def plain_text_for_report(body_html: str) -> str:
    """The plain text that a report on this HTML gives offsets into (rendering rules in the module docstring)."""
    return document_from_html(body_html).text


def document_from_text(text: str) -> Document:
    """Blocks of plain text (paragraphs at blank lines, headings by the rule in the module docstring)."""
    blocks: list[Block] = []
    position = 0
    for separator in [*_BLANK_LINE.finditer(text), None]:
        end = separator.start() if separator else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = position + chunk.index(stripped[0])
            blocks.append(_text_block(text, start, start + len(stripped)))
        if separator:
            position = separator.end()
    return Document(text, tuple(blocks))


def _text_block(text: str, start: int, end: int) -> Block:
    chunk = text[start:end]
    if "\n" not in chunk:
        atx = _ATX.match(chunk)
        if atx:
            return Block(start + atx.end(), end, HEADING, len(atx.group(1)))
        if len(chunk.split()) <= 10 and not _HEADING_END.search(chunk):
            return Block(start, end, HEADING, 2)
    return Block(start, end, PARAGRAPH)
