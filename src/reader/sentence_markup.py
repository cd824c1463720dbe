"""Sentence marks for read aloud: each sentence of the title, lead and body wrapped in ``<span data-sentence>``.

The spans carry no class, role or label, so they change neither what the text looks like nor how a screen
reader reads it; the read-aloud script finds a sentence by its ``data-sentence`` id (``t0`` for the title,
``l0``, ``l1`` … for the lead, ``b0``, ``b1`` … for the body), which is the same for every reader and in
every view, so a highlight can be found again after the article region is swapped.

Sentences come from the readability splitter (reader.readability.sentences, with its Vietnamese and
English abbreviations). In the body HTML a sentence never crosses a block (p, li, h2, td … as in the
readability report) nor a ``<br>``; inline markup is kept as it is:

- an inline element inside one sentence (a link, ``<strong>``) is wrapped whole, inside the sentence's span;
- a sentence boundary inside an inline element (``<em>end. Start</em>``) puts the span inside that element,
  so one sentence may be several spans with the same id, in document order.

Removing every span gives back the input exactly. Marking runs once per article version (cached here), so
the article body stays identical for every reader and the answer cache keeps working.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement
from markupsafe import Markup, escape

from reader.readability.document import BLOCK_ELEMENTS
from reader.readability.sentences import sentence_spans
from reader.soup import parse_html

ATTRIBUTE = "data-sentence"
# Elements that hold no inline text of their own: a sentence never crosses them.
_BREAKS = BLOCK_ELEMENTS | {"br"}

Sentence = tuple[int, int, str]  # start and end offsets in a run's text, and the sentence id


class MarkedArticle(NamedTuple):
    """An article's title, lead and body with their sentences marked."""

    title: Markup
    lead: Markup
    body: Markup


@functools.lru_cache(maxsize=128)
def mark_article(title: str, lead: str, body_html: str) -> MarkedArticle:
    """The marked title, lead (plain text) and body (sanitized HTML); cached by content."""
    return MarkedArticle(mark_text(title, "t"), mark_text(lead, "l"), mark_html(body_html, "b"))


def mark_text(text: str, prefix: str) -> Markup:
    """Plain text, escaped, with each sentence in a span whose id is `prefix` and its number."""
    pieces: list[str] = []
    position = 0
    for number, (start, end) in enumerate(sentence_spans(text, 0, len(text))):
        pieces.append(escape(text[position:start]))
        pieces.append(Markup('<span {}="{}">{}</span>').format(Markup(ATTRIBUTE), f"{prefix}{number}", text[start:end]))
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def mark_html(body_html: str, prefix: str) -> Markup:
    """Sanitized article HTML with each sentence of each block marked (see the module docstring)."""
    soup = parse_html(body_html)
    _Marker(soup, prefix).container(soup)
    return Markup(str(soup))


def _is_text(node: PageElement) -> bool:
    # Comments, CDATA and the like are NavigableString subclasses; they are not read.
    return type(node) is NavigableString


def _text_of(node: PageElement) -> str:
    if _is_text(node):
        return str(node)
    if isinstance(node, Tag):
        return "".join(str(string) for string in node.descendants if _is_text(string))
    return ""


def _breaks_text(node: PageElement) -> bool:
    """True for a block or a <br>, and for an inline element that holds one (text is split inside it)."""
    return isinstance(node, Tag) and (node.name in _BREAKS or node.find(_BREAKS) is not None)


class _Marker:
    def __init__(self, soup: BeautifulSoup, prefix: str) -> None:
        self.soup = soup
        self.prefix = prefix
        self.count = 0

    def container(self, element: Tag) -> None:
        """Mark each run of inline content among an element's children; recurse into blocks."""
        run: list[PageElement] = []
        for child in list(element.children):
            if _breaks_text(child):
                self.run(run)
                run = []
                assert isinstance(child, Tag)
                self.container(child)
            else:
                run.append(child)
        self.run(run)

    def run(self, nodes: list[PageElement]) -> None:
        text = "".join(_text_of(node) for node in nodes)
        sentences: list[Sentence] = []
        for start, end in sentence_spans(text, 0, len(text)):
            sentences.append((start, end, f"{self.prefix}{self.count}"))
            self.count += 1
        if sentences:
            self.wrap(nodes, sentences)

    def wrap(self, nodes: Sequence[PageElement], sentences: list[Sentence]) -> None:
        """Wrap the parts of sibling `nodes` (whose text starts at offset 0) that lie in each sentence."""
        nodes = self.split_strings(nodes, sentences)
        offsets: list[tuple[int, int]] = []
        position = 0
        for node in nodes:
            length = len(_text_of(node))
            offsets.append((position, position + length))
            position += length
        for start, end, sentence_id in sentences:
            group: list[PageElement] = []
            for node, (node_start, node_end) in zip(nodes, offsets, strict=True):
                if start <= node_start and node_end <= end:
                    group.append(node)
                elif node_end > start and node_start < end:
                    # An inline element that the sentence only partly covers: mark inside it.
                    self.enclose(group, sentence_id)
                    group = []
                    assert isinstance(node, Tag)
                    inner = (max(start, node_start) - node_start, min(end, node_end) - node_start, sentence_id)
                    self.wrap(list(node.children), [inner])
            self.enclose(group, sentence_id)

    def split_strings(self, nodes: Sequence[PageElement], sentences: list[Sentence]) -> list[PageElement]:
        """The nodes with every text node cut where a sentence starts or ends, so none crosses a boundary."""
        cuts = sorted({offset for start, end, _ in sentences for offset in (start, end)})
        result: list[PageElement] = []
        position = 0
        for node in nodes:
            text = _text_of(node)
            inside = [cut - position for cut in cuts if position < cut < position + len(text)]
            if _is_text(node) and inside:
                bounds = [0, *inside, len(text)]
                pieces = [NavigableString(text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
                node.replace_with(*pieces)
                result.extend(pieces)
            else:
                result.append(node)
            position += len(text)
        return result

    def enclose(self, group: list[PageElement], sentence_id: str) -> None:
        if not group:
            return
        span = self.soup.new_tag("span", attrs={ATTRIBUTE: sentence_id})
        group[0].insert_before(span)
        for node in group:
            span.append(node.extract())


def unmark(html: str) -> str:
    """HTML with every sentence span removed (their content kept): the inverse of the marking."""
    soup = parse_html(html)
    for span in soup.find_all("span", attrs={ATTRIBUTE: True}):
        span.unwrap()
    return str(soup)
