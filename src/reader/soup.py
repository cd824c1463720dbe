"""BeautifulSoup for text that came from users: parsed without bs4's guesses about what it looks like."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Collection
from typing import Any, Final

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, ParserRejectedMarkup, Tag
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder
from bs4.dammit import EntitySubstitution
from bs4.element import NavigableString
from bs4.formatter import HTMLFormatter

# How reader writes HTML it has parsed (the sanitizer, the sentence marks): as browsers write it, "<br>" and
# not "<br/>" (a trailing slash on a void element means nothing in HTML); "&", "<" and ">" escaped.
HTML_FORMATTER = HTMLFormatter(entity_substitution=EntitySubstitution.substitute_xml, void_element_close_prefix="")

# How deep elements may nest in an article body. No article needs more than a dozen levels; without a limit a
# few kilobytes of nested tables or lists cost seconds to minutes of the event loop (work that grows with the
# depth at every level), and bs4's recursive methods fail with RecursionError a few hundred levels down.
MAX_NESTING: Final = 64


class TooDeeplyNested(ValueError):
    """Markup whose elements nest deeper than MAX_NESTING."""

    def __init__(self) -> None:
        super().__init__(f"nests elements more than {MAX_NESTING} levels deep")


class MarkupRejected(ParserRejectedMarkup):
    """Markup html.parser refuses to read (it raises AssertionError: "<![foo[", a marked section of a kind it
    does not know), with where it stopped (line and column from 1) and its reason (English, html.parser's)."""

    def __init__(self, detail: str, line: int, column: int) -> None:
        super().__init__(f"{detail} (line {line}, column {column})")
        self.detail = detail
        self.line = line
        self.column = column


class _ClosedVoidElements(list[str]):
    """bs4's record of void elements closed as they opened (`<br>`), whose end tag (`</br>`), should one come,
    is then ignored. bs4 keeps a list and asks whether an end tag's name is `in` it at every end tag: every
    `</p>` scanned every `<br>` before it, quadratic (20,000 `<div>x<br></div>` took 4.5 s). Counted instead;
    the list itself stays empty (nothing else reads it)."""

    def __init__(self) -> None:
        super().__init__()
        self._counts: Counter[str] = Counter()

    def append(self, tag: str) -> None:
        self._counts[tag] += 1

    def remove(self, tag: str) -> None:
        self._counts[tag] -= 1

    def __contains__(self, tag: object) -> bool:
        return isinstance(tag, str) and self._counts[tag] > 0


class _HTMLParser(BeautifulSoupHTMLParser):
    def __init__(self, soup: BeautifulSoup, *args: Any, **kwargs: Any) -> None:
        super().__init__(soup, *args, **kwargs)
        self.already_closed_empty_element = _ClosedVoidElements()


class _TreeBuilder(HTMLParserTreeBuilder):
    """bs4's html.parser tree builder, with _HTMLParser. Its own `feed` takes no parser class in 4.13 (later
    ones take one, for bs4's own tests), so this one is written out, as bs4 4.13 to 4.15 have it."""

    # html.parser's refusal, if any: BeautifulSoup replaces the exception feed raises with one of its own,
    # without where the markup was refused.
    rejected: MarkupRejected | None = None

    def feed(self, markup: str | bytes, _parser_class: type[BeautifulSoupHTMLParser] = _HTMLParser) -> None:
        # prepare_markup gives html.parser's builder a str, and BeautifulSoup sets the soup before feeding it.
        assert isinstance(markup, str) and self.soup is not None
        args, kwargs = self.parser_args
        parser = _parser_class(self.soup, *args, **kwargs)
        try:
            parser.feed(markup)
            parser.close()
        except AssertionError as error:  # html.parser's way of refusing markup, as bs4 reports it
            line, offset = parser.getpos()  # where the token it refused starts
            self.rejected = MarkupRejected(str(error), line, offset + 1)
            raise ParserRejectedMarkup(error) from error


def parse_html(markup: str) -> BeautifulSoup:
    """The parse tree of an HTML string (Python's html.parser, in time linear in the markup).

    bs4 warns when short markup looks like a URL or a file name ("https://…" is a fine article body) — a
    warning per odd request in the server log, and an error wherever warnings are errors.

    Raises MarkupRejected for markup html.parser refuses.
    """
    builder = _TreeBuilder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        try:
            return BeautifulSoup(markup, builder=builder)
        except ParserRejectedMarkup as error:
            if builder.rejected is None:
                raise
            raise builder.rejected from error


def check_nesting(soup: BeautifulSoup) -> None:
    """Raise TooDeeplyNested when an element of `soup` lies more than MAX_NESTING elements deep.

    A walk in document order (iterative: bs4's `descendants` follows `next_element`), each element one
    deeper than its parent, so the check itself costs one step per element at any depth.
    """
    depth: dict[int, int] = {id(soup): 0}
    for element in soup.descendants:
        if isinstance(element, Tag):
            level = depth[id(element.parent)] + 1
            if level > MAX_NESTING:
                raise TooDeeplyNested()
            depth[id(element)] = level


class Places:
    """Where a child is among its parent's children, for moving it: bs4 finds that by walking the children
    in Python on every unwrap, replace_with, wrap, extract or decompose, so dissolving the blocks of an
    article of thousands of paragraphs was quadratic (70 s for 20,000 divs; measured), and so was wrapping
    its tables (10.7 s of import for 8,000 small tables). Here a parent's children are indexed once and an
    index is checked before use; a parent changed before that child is indexed again. Changes made in
    reverse document order leave the places of earlier children as they were; so does putting one child in
    another's place (wrap)."""

    def __init__(self) -> None:
        self._by_parent: dict[int, tuple[Tag, dict[int, int]]] = {}

    def of(self, element: Tag | NavigableString) -> int:
        parent = element.parent
        assert parent is not None
        known = self._by_parent.get(id(parent))
        if known is not None and known[0] is parent:
            index = known[1].get(id(element), -1)
            if 0 <= index < len(parent.contents) and parent.contents[index] is element:
                return index
        places = {id(child): index for index, child in enumerate(parent.contents)}
        self._by_parent[id(parent)] = (parent, places)
        return places[id(element)]


def wrap(element: Tag, wrapper: Tag, index: int) -> None:
    """element.wrap(wrapper), `index` its place among its parent's children (Places): the same steps as
    bs4's, which looks the place up by walking the children."""
    parent = element.parent
    assert parent is not None
    element.extract(_self_index=index)
    parent.insert(index, wrapper)
    wrapper.append(element)


def tags_outside(soup: BeautifulSoup, names: Collection[str]) -> list[Tag]:
    """The soup and every element in it, in document order, but those named `names` and all inside them.

    One walk of the tree: asking each element for such an ancestor (find_parent) built bs4's matching
    machinery again for every element, the biggest part of sanitizing a long article after parsing it."""
    inside: set[int] = set()
    kept: list[Tag] = [soup]
    for element in soup.descendants:
        if not isinstance(element, Tag):
            continue
        parent = element.parent
        if element.name in names or (parent is not None and id(parent) in inside):
            inside.add(id(element))
        else:
            kept.append(element)
    return kept


def elements_named(root: Tag, names: Collection[str]) -> list[Tag]:
    """root.find_all(names): the elements inside `root` with one of `names`, in document order. One plain walk;
    bs4's find_all builds a matcher and runs it on every element, several times the cost, and a sanitized
    article is searched for several kinds of element in turn."""
    assert not isinstance(names, str), "a collection of names, not one name (its letters would each match)"
    return [node for node in root.descendants if isinstance(node, Tag) and node.name in names]
