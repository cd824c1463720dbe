"""Links whose text is their own address, marked so that print does not give the address twice.

On paper a link cannot be followed, so the printed article writes each web link's address after its text
(reader.css, ``@media print``). A link that already reads as its address ("https://example.org/report.html")
came out as the address and the same address again in brackets, a 120-character address taking twice its
lines. CSS cannot compare a link's text with its ``href``: such links get ``data-shows-address``, which the
print rule skips.

The mark is made when the body is rendered (reader.sentence_markup.article_text, cached once per article
version with the sentence marks), not on the way in: stored HTML stays as the sanitizer writes it, the same
for articles saved before this and after, and nothing an author sends can carry the attribute (the sanitizer
keeps only ``href`` and ``hreflang`` on a link).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from bs4 import Tag

from reader.soup import HTML_FORMATTER, parse_html

ATTRIBUTE = "data-shows-address"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?://)?", re.IGNORECASE)


def _bare(address: str) -> str:
    """An address as a reader compares it: without spaces (a wrapped address), scheme, "www.", trailing slash
    or percent-encoding ("Hà_Nội" is the link's "H%C3%A0_N%E1%BB%99i"), in any case."""
    bare = _SCHEME.sub("", "".join(unquote(address).split()))
    return bare.removeprefix("www.").rstrip("/").casefold()


def shows_its_address(text: str, href: str) -> bool:
    """Whether a link's text reads as its own address."""
    bare = _bare(text)
    return bool(bare) and bare == _bare(href)


def mark_address_links(body_html: str) -> str:
    """Sanitized article HTML with ATTRIBUTE on each link whose text is its own address; unchanged (the same
    string) when there is none."""
    if "<a " not in body_html:
        return body_html
    soup = parse_html(body_html)
    marked = False
    for link in soup.find_all("a"):
        if isinstance(link, Tag) and shows_its_address(link.get_text(), str(link.get("href", ""))):
            link[ATTRIBUTE] = ""
            marked = True
    return soup.decode(formatter=HTML_FORMATTER) if marked else body_html
