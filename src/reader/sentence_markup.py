"""Sentence marks for read aloud: each sentence of the title, lead and body wrapped in ``<span data-sentence>``.

The spans carry no class, role or label, so they change neither what the text looks like nor how a screen
reader reads it; the read-aloud script finds a sentence by its ``data-sentence`` id (``t0`` for the title,
``l0``, ``l1`` … for the lead, ``b0``, ``b1`` … for the body), which is the same for every reader and in
every view, so a highlight can be found again after the article region is swapped.

Sentences come from the readability splitter (reader.readability.sentences, with the abbreviations of the
article's language). In the body HTML a sentence never crosses a block (p, li, h2, td … as in the
readability report) nor a ``<br>``; inline markup is kept as it is:

- an inline element inside one sentence (a link, ``<strong>``) is wrapped whole, inside the sentence's span;
- a sentence boundary inside an inline element (``<em>end. Start</em>``) puts the span inside that element,
  so one sentence may be several spans with the same id, in document order.

Removing every span gives back the input exactly. The marked HTML is written in one pass over the parse tree
(each node is visited once per level it is nested at), never by moving nodes around in it: bs4's insert and
extract search the parent's children, which made marking quadratic (bench/sentence_marking.py has figures).

Marking runs once per article version: the result is cached by a digest of the content and its language,
within a memory budget, so the article body stays identical for every reader and the answer cache keeps
working. Editor previews are not marked at all (no read-aloud script runs there): they would only fill
the cache with drafts.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement
from markupsafe import Markup, escape

from reader.link_addresses import mark_address_links
from reader.models import Article
from reader.readability.document import BLOCK_ELEMENTS
from reader.readability.sentences import sentence_spans
from reader.soup import HTML_FORMATTER, parse_html

ATTRIBUTE = "data-sentence"
# Elements that hold no inline text of their own: a sentence never crosses them.
_BREAKS = BLOCK_ELEMENTS | {"br"}
# Marked articles kept per process, by the memory their text takes (a 480 kB article takes about 2 MB).
CACHE_BYTES = 32 * 1024 * 1024


class MarkedArticle(NamedTuple):
    """An article's title, lead and body, ready for a template: with their sentences marked, or as they are."""

    title: Markup
    lead: Markup
    body: Markup


class _Sentence(NamedTuple):
    start: int  # offsets in the text of a run of inline content
    end: int
    id: str


class _Cache:
    """A least-recently-used cache of marked articles bounded by the memory of their strings."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._entries: OrderedDict[bytes, tuple[MarkedArticle, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> MarkedArticle | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: bytes, marked: MarkedArticle) -> None:
        size = sum(sys.getsizeof(str(part)) for part in marked)
        if size > self.budget:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (marked, size)
            self.used += size
            while self.used > self.budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.used -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.used = 0


_cache = _Cache(CACHE_BYTES)


def _digest(*parts: str) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        encoded = part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.digest()


def article_text(article: Article, *, marks: bool = True) -> MarkedArticle:
    """The article's title, lead (plain text) and body (sanitized HTML) for a template: with their sentences
    marked, or (``marks=False``: the editor's previews, where nothing reads aloud) as they are; in both, the
    body's links that read as their own address are marked for print (reader.link_addresses)."""
    # Here, with the sentences, the mark costs a parse once per article version, and the stored HTML stays
    # as the sanitizer wrote it (old and new articles alike).
    if not marks:
        body = Markup(mark_address_links(article.body_html))
        return MarkedArticle(escape(article.title), escape(article.summary), body)
    key = _digest(article.lang, article.title, article.summary, article.body_html)
    marked = _cache.get(key)
    if marked is None:
        lang = article.lang
        marked = MarkedArticle(
            mark_text(article.title, "t", lang),
            mark_text(article.summary, "l", lang),
            mark_html(mark_address_links(article.body_html), "b", lang),
        )
        _cache.put(key, marked)
    return marked


def mark_text(text: str, prefix: str, lang: str) -> Markup:
    """Plain text, escaped, with each sentence in a span whose id is `prefix` and its number."""
    pieces: list[str] = []
    position = 0
    for number, (start, end) in enumerate(sentence_spans(text, 0, len(text), lang)):
        pieces.append(escape(text[position:start]))
        pieces.append(Markup('<span {}="{}">{}</span>').format(Markup(ATTRIBUTE), f"{prefix}{number}", text[start:end]))
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def mark_html(body_html: str, prefix: str, lang: str) -> Markup:
    """Sanitized article HTML with each sentence of each block marked (see the module docstring)."""
    soup = parse_html(body_html)
    marker = _Marker(soup, prefix, lang)
    marker.container(soup)
    return Markup("".join(marker.out))


def _is_text(node: PageElement) -> bool:
    # Comments, CDATA and the like are NavigableString subclasses; they are not read.
    return type(node) is NavigableString


def _text_of(node: PageElement) -> str:
    if _is_text(node):
        return str(node)
    if isinstance(node, Tag):
        return "".join(str(string) for string in node.descendants if _is_text(string))
    return ""


def _breaking(soup: BeautifulSoup) -> set[int]:
    """The ids of every block and <br>, and of every inline element holding one (text is split inside it)."""
    found: set[int] = set()
    # One walk with a set lookup: find_all(names) matches every tag against each of the ~35 names in turn.
    for node in soup.descendants:
        if not isinstance(node, Tag) or node.name not in _BREAKS:
            continue
        element: Tag | None = node
        while element is not None and id(element) not in found:
            found.add(id(element))
            element = element.parent
    return found


def _escaped(text: str) -> str:
    # What HTML_FORMATTER does to text (substitute_xml), without a bs4 object per piece.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _serialized(node: PageElement) -> str:
    if _is_text(node):
        return _escaped(str(node))
    if isinstance(node, NavigableString):
        return node.output_ready(HTML_FORMATTER)  # a comment, CDATA …: with its own delimiters
    assert isinstance(node, Tag)
    return node.decode(formatter=HTML_FORMATTER)


class _Marker:
    """Writes the marked HTML into `out`, one node at a time, in document order."""

    def __init__(self, soup: BeautifulSoup, prefix: str, lang: str) -> None:
        self.soup = soup
        self.prefix = prefix
        self.lang = lang
        self.count = 0
        self.breaking = _breaking(soup)
        self.out: list[str] = []
        self.open: str | None = None  # the id of the sentence span that is open in `out`
        self.start_tags: dict[tuple[str, str], str | None] = {}  # (name, attributes) → start tag; None: void

    def container(self, element: Tag) -> None:
        """Mark each run of inline content among an element's children; recurse into blocks."""
        run: list[PageElement] = []
        for child in element.children:
            if isinstance(child, Tag) and id(child) in self.breaking:
                self.run(run)
                run = []
                if self.start_tag(child):
                    self.container(child)
                    self.end_tag(child)
            else:
                run.append(child)
        self.run(run)

    def start_tag(self, tag: Tag) -> bool:
        """Write a tag's start tag as reader writes it (HTML_FORMATTER); False for a void element (<br>)."""
        key = (tag.name, repr(tag.attrs))
        if key not in self.start_tags:
            empty = self.soup.new_tag(tag.name)
            empty.attrs = dict(tag.attrs)
            shell, end = empty.decode(formatter=HTML_FORMATTER), f"</{tag.name}>"
            self.start_tags[key] = shell[: -len(end)] if shell.endswith(end) else None
        start = self.start_tags[key]
        if start is None:
            self.out.append(tag.decode(formatter=HTML_FORMATTER))
            return False
        self.out.append(start)
        return True

    def end_tag(self, tag: Tag) -> None:
        self.close()  # a span never crosses an element's end
        self.out.append(f"</{tag.name}>")

    def run(self, nodes: list[PageElement]) -> None:
        if not nodes:
            return
        text = "".join(_text_of(node) for node in nodes)
        sentences: list[_Sentence] = []
        for start, end in sentence_spans(text, 0, len(text), self.lang):
            sentences.append(_Sentence(start, end, f"{self.prefix}{self.count}"))
            self.count += 1
        self.wrap(nodes, 0, sentences)
        self.close()

    def wrap(self, nodes: Sequence[PageElement], position: int, sentences: Sequence[_Sentence]) -> None:
        """Write sibling `nodes`, whose text starts at `position`, with the parts in each sentence in its span.

        `sentences` are in order and do not overlap: a pointer moves along them as the nodes go by.
        """
        first = 0
        for node in nodes:
            text = _text_of(node)
            start, end = position, position + len(text)
            position = end
            if start == end:
                # No text (an image, a comment, an empty element): inside a sentence if it is between its ends.
                while first < len(sentences) and sentences[first].end < start:
                    first += 1
                if first < len(sentences) and sentences[first].start <= start:
                    self.open_span(sentences[first].id)
                else:
                    self.close()
                self.out.append(_serialized(node))
                continue
            while first < len(sentences) and sentences[first].end <= start:
                first += 1
            last = first
            while last < len(sentences) and sentences[last].start < end:
                last += 1
            overlapping = sentences[first:last]
            if not overlapping:
                self.close()
                self.out.append(_serialized(node))
            elif len(overlapping) == 1 and overlapping[0].start <= start and end <= overlapping[0].end:
                self.open_span(overlapping[0].id)
                self.out.append(_serialized(node))
            elif isinstance(node, Tag):
                # An inline element that a sentence only partly covers: mark inside it.
                self.close()
                self.start_tag(node)
                self.wrap(list(node.children), start, overlapping)
                self.end_tag(node)
            else:
                self.split(text, start, overlapping)

    def split(self, text: str, start: int, sentences: Sequence[_Sentence]) -> None:
        """A text node that sentences begin or end in: each piece in its sentence's span, or in none."""
        position = 0
        for sentence in sentences:
            begin = max(sentence.start - start, 0)
            if begin > position:  # the space between two sentences
                self.close()
                self.piece(text[position:begin])
            position = min(sentence.end - start, len(text))
            self.open_span(sentence.id)
            self.piece(text[begin:position])
        if position < len(text):
            self.close()
            self.piece(text[position:])

    def piece(self, text: str) -> None:
        self.out.append(_escaped(text))

    def open_span(self, sentence_id: str) -> None:
        if self.open == sentence_id:
            return
        self.close()
        self.out.append(f'<span {ATTRIBUTE}="{sentence_id}">')
        self.open = sentence_id

    def close(self) -> None:
        if self.open is not None:
            self.out.append("</span>")
            self.open = None
