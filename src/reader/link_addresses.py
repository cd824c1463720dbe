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
# A scheme as it starts an address: one followed by "//", or mailto:. Any word before a colon would take the
# host of "example.org:8080/x" for a scheme ("example.org:"), and the link's text never matched.
_SCHEME = re.compile(r"^(?:([a-z][a-z0-9+.-]*):)?//|^mailto:", re.IGNORECASE)
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_PORT = re.compile(r":([0-9]*)$")


def _bare(address: str, scheme: str = "") -> tuple[str, str]:
    """An address as a reader compares it: without spaces (a wrapped address), scheme, "www.", a port that
    is its scheme's default (`scheme`: the other address's when this one has none), trailing slash or
    percent-encoding ("Hà_Nội" is the link's "H%C3%A0_N%E1%BB%99i"). The host (and a mailto: address) in
    any case, the path and query as written: "example.org/Report" is another page than "example.org/report".
    Also the address's scheme, lower-cased ("" when it has none)."""
    text = "".join(unquote(address).split())
    match = _SCHEME.match(text)
    if match is not None:
        if match[0].lower() == "mailto:":
            return text[match.end() :].rstrip("/").casefold(), "mailto"
        scheme = (match[1] or scheme).lower()
        text = text[match.end() :]
    cut = min((index for index in map(text.find, "/?#") if index >= 0), default=len(text))
    host, rest = text[:cut].casefold(), text[cut:]
    port = _PORT.search(host)
    if port is not None and port[1] in ("", _DEFAULT_PORTS.get(scheme)):
        host = host[: port.start()]
    return (host.removeprefix("www.") + rest).rstrip("/"), scheme if match is not None else ""


def shows_its_address(text: str, href: str) -> bool:
    """Whether a link's text reads as its own address."""
    target, scheme = _bare(href)
    bare, _ = _bare(text, scheme)
    return bool(bare) and bare == target


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
