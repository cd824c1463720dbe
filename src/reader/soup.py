"""BeautifulSoup for text that came from users: parsed without bs4's guesses about what it looks like."""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from bs4.dammit import EntitySubstitution
from bs4.formatter import HTMLFormatter

# How reader writes HTML it has parsed (the sanitizer, the sentence marks): as browsers write it, "<br>" and
# not "<br/>" (a trailing slash on a void element means nothing in HTML); "&", "<" and ">" escaped.
HTML_FORMATTER = HTMLFormatter(entity_substitution=EntitySubstitution.substitute_xml, void_element_close_prefix="")


def parse_html(markup: str) -> BeautifulSoup:
    """The parse tree of an HTML string (Python's html.parser).

    bs4 warns when short markup looks like a URL or a file name ("https://…" is a fine article body) — a
    warning per odd request in the server log, and an error wherever warnings are errors.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, "html.parser")
