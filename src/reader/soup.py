"""BeautifulSoup for text that came from users: parsed without bs4's guesses about what it looks like."""

from __future__ import annotations

import warnings
from typing import Final

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
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


def parse_html(markup: str) -> BeautifulSoup:
    """The parse tree of an HTML string (Python's html.parser).

    bs4 warns when short markup looks like a URL or a file name ("https://…" is a fine article body) — a
    warning per odd request in the server log, and an error wherever warnings are errors.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, "html.parser")


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
