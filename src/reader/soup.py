"""BeautifulSoup for text that came from users: parsed without bs4's guesses about what it looks like."""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Any, Final

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, ParserRejectedMarkup, Tag
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder
from bs4.dammit import EntitySubstitution
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

    def feed(self, markup: str | bytes, _parser_class: type[BeautifulSoupHTMLParser] = _HTMLParser) -> None:
        # prepare_markup gives html.parser's builder a str, and BeautifulSoup sets the soup before feeding it.
        assert isinstance(markup, str) and self.soup is not None
        args, kwargs = self.parser_args
        parser = _parser_class(self.soup, *args, **kwargs)
        try:
            parser.feed(markup)
            parser.close()
        except AssertionError as error:  # html.parser's way of refusing markup, as bs4 reports it
            raise ParserRejectedMarkup(error) from error


def parse_html(markup: str) -> BeautifulSoup:
    """The parse tree of an HTML string (Python's html.parser, in time linear in the markup).

    bs4 warns when short markup looks like a URL or a file name ("https://…" is a fine article body) — a
    warning per odd request in the server log, and an error wherever warnings are errors.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, builder=_TreeBuilder())


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
