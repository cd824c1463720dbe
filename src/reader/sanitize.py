"""Untrusted article HTML, sanitized once on the way in (nh3), then given reader's own structure."""

from __future__ import annotations

import re

import nh3
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement, PreformattedString

from reader.i18n import gettext, primary_subtag
from reader.models import SafeHtml
from reader.settings import UI_LANGUAGES
from reader.soup import (
    HTML_FORMATTER,
    MAX_NESTING,
    Places,
    TooDeeplyNested,
    check_nesting,
    elements_named,
    parse_html,
    tags_outside,
    wrap,
)

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd",
        "a", "img", "figure", "figcaption", "blockquote", "q", "cite",
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
        "pre", "code", "kbd", "samp", "var",
        "em", "strong", "b", "i", "u", "s", "small", "sub", "sup", "mark", "abbr", "dfn",
        "del", "ins", "time", "span", "wbr", "bdi",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start", "reversed", "type", "class"},
    "th": {"scope", "colspan", "rowspan", "abbr"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "del": {"datetime", "cite"},
    "ins": {"datetime", "cite"},
}

# Elements dropped together with everything inside them (their text is not article text).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "textarea",
        "select",
    }
)

# Block containers reader does not keep. They pass nh3 (with only the attributes every element may have) so
# that their boundaries are still known, then _dissolve_blocks turns each into a paragraph, or unwraps it
# around the blocks it holds: text on either side of a dropped boundary never runs together.
DISSOLVED_BLOCKS = frozenset(
    {
        "address", "article", "aside", "center", "details", "dialog", "dir", "div", "fieldset", "footer",
        "form", "header", "hgroup", "legend", "main", "menu", "nav", "search", "section", "summary",
    }
)  # fmt: skip
# Kept elements a paragraph may hold, and those a paragraph may stand in (flow content).
_PHRASING = frozenset(
    {
        "a", "abbr", "b", "bdi", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins", "kbd", "mark",
        "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
    }
)  # fmt: skip
_FLOW_PARENTS = frozenset({"li", "dd", "dt", "td", "th", "blockquote", "figure", "figcaption", "caption"})
_INHERITED = ("lang", "dir")

URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Attributes holding a URL. nh3 checks the schemes of href and src, but not of cite; every one is checked
# here the same way.
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})

_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$")
_NUMBER = re.compile(r"^[0-9]{1,5}$")
_NUMERIC_ATTRIBUTES = frozenset({"width", "height", "colspan", "rowspan", "span", "start"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# What a browser ignores in a URL (WHATWG URL standard): C0 controls and spaces around it, and tabs and
# newlines anywhere in it, so "\tjava\nscript:" is a javascript: URL.
_URL_EDGES = "".join(chr(code) for code in range(0x21))
_URL_IGNORED = re.compile(r"[\t\n\r]")
_ENUMERATED = {
    "dir": frozenset({"ltr", "rtl", "auto"}),
    "scope": frozenset({"row", "col", "rowgroup", "colgroup"}),
    "type": frozenset({"1", "a", "A", "i", "I"}),
    # Only on <ol> (ALLOWED_ATTRIBUTES): the importer's Vietnamese lettered lists (reader.list_paragraphs),
    # styled by reader.css; no other class reaches the page, where one could take the page's own styles.
    "class": frozenset({"vi-lower-alpha", "vi-upper-alpha"}),
}


def is_safe_url(value: str) -> bool:
    """True for a relative URL or one with an allowed scheme, read the way a browser reads it.

    `value` is already decoded (entities such as &#106; or &colon; are resolved by the HTML parser)."""
    scheme = _SCHEME.match(_URL_IGNORED.sub("", value.strip(_URL_EDGES)))
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in URL_ATTRIBUTES:
        return value if is_safe_url(value) else None
    if attribute in ("lang", "hreflang"):
        return value if _LANG_TAG.match(value) else None
    if attribute in _NUMERIC_ATTRIBUTES:
        return value if _NUMBER.match(value.strip()) else None
    if attribute in _ENUMERATED:
        return value if value in _ENUMERATED[attribute] else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS | DISSOLVED_BLOCKS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
)

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def sanitize_html(untrusted: str, *, lang: str) -> SafeHtml:
    """Article body HTML made safe and structured: allowlisted markup, one h1 level down, labelled tables.

    Raises reader.soup.TooDeeplyNested for markup nested more than MAX_NESTING levels deep."""
    # html5ever (under nh3) takes time that grows with the depth for every element: 40,000 nested <div>s
    # take it 4 s, a megabyte of them minutes. So a first bound, from the tags themselves, before it runs.
    if _open_elements_bound(untrusted) > 2 * MAX_NESTING:
        raise TooDeeplyNested()
    cleaned = _CLEANER.clean(untrusted)
    soup = parse_html(cleaned)
    # Before any work that grows with depth. html5ever (nh3) wrote every element's end tag, so the tree is
    # as deep as the markup really nests (html.parser alone would nest each unclosed <li> in the one before).
    check_nesting(soup)
    _dissolve_blocks(soup)
    _demote_headings(soup)
    _wrap_tables(soup, lang)
    _lazy_images(soup)
    _unglue_words(soup)
    return SafeHtml(soup.decode(formatter=HTML_FORMATTER).strip())


# Elements whose end tag a writer may leave out (the parser closes one when the next begins, so repeating them
# does not nest them), void elements, and what a parser reads as text up to its end tag.
_OPTIONAL_END = frozenset(
    {
        "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "colgroup", "option",
        "optgroup", "rb", "rt", "rtc", "rp", "html", "head", "body",
    }
)  # fmt: skip
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# A comment (ended as the HTML tokenizer ends one: "-->", "--!>", or at once by "<!-->" and "<!--->"), and
# what a parser reads as text up to its end tag.
_OPAQUE = re.compile(
    r"<!--(?:-?>|.*?(?:--!?>|$))"
    r"|<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)\b.*?(?:</\1\s*>|$)",
    re.DOTALL | re.IGNORECASE,
)
# A tag, its attributes read with their quotes (a ">" or "/>" inside a quoted value does not end it), no
# backtracking into them.
_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*+)>""")
_FOREIGN = frozenset({"svg", "math"})


def _open_elements_bound(markup: str) -> int:
    """The most elements with a required end tag open at once in `markup`, read tag by tag: about as deep as
    a parser will nest it (elements with optional end tags left out; an unclosed one counts, as a parser
    nests what follows into it). A linear scan, to refuse absurd depth before a parser sees it.

    A "/>" closes an element only inside SVG or MathML; in HTML it means nothing (`<div/>` opens a div)."""
    open_now = deepest = foreign = 0
    for match in _TAG.finditer(_OPAQUE.sub("", markup)):
        name = match.group(2).lower()
        if name in _OPTIONAL_END or name in _VOID:
            continue
        if match.group(1):
            open_now = max(0, open_now - 1)
            if name in _FOREIGN and foreign:
                foreign -= 1
            continue
        self_closing = match.group(3).rstrip().endswith("/")
        if self_closing and (foreign or name in _FOREIGN):
            continue
        if name in _FOREIGN:
            foreign += 1
        open_now += 1
        deepest = max(deepest, open_now)
    return deepest


def _unwrap(element: Tag, index: int) -> None:
    """element.unwrap(), `index` its place: its children move first to last, each taken from the front."""
    parent = element.parent
    assert parent is not None
    element.extract(_self_index=index)
    for offset, child in enumerate(list(element.contents)):
        child.extract(_self_index=0)
        parent.insert(index + offset, child)


def _dissolve_blocks(soup: BeautifulSoup) -> None:
    places = Places()
    # Innermost first (reverse document order), so an element sees what its children have become.
    for element in reversed(elements_named(soup, DISSOLVED_BLOCKS)):
        phrasing = not _holds_any_but(element, _PHRASING)
        # Its first piece of text settles whether it has any: get_text() built all of it, for each container
        # around the article's text again (30 nested <div>s: the article's text 30 times over).
        if next(element.stripped_strings, None) is None and not _holds_any_but(element, _BR):
            element.extract(_self_index=places.of(element)).decompose()
        elif not _takes_paragraphs(element.parent):
            index = places.of(element)
            if phrasing:  # inside a heading, a link…: whitespace is the most a boundary can be
                index = _space_apart(element, index)
            _unwrap(element, index)
        elif phrasing:
            element.name = "p"
        elif {child.name for child in element.children if isinstance(child, Tag)} == {"li"}:
            element.name = "ul"  # <menu>, <dir> or a div holding list items: a list
        else:
            _paragraphs_around_blocks(soup, element)
            _unwrap(element, places.of(element))
    _settle_whitespace(soup)


_BR = frozenset({"br"})


def _holds_any_but(element: Tag, names: frozenset[str]) -> bool:
    """Whether an element inside `element` is named other than `names`: element.find(lambda tag: tag.name not
    in names), stopping at the first as find does, without the matching machinery bs4 builds for each call
    (most of dissolving an article's blocks, for the thousands of them a news site's page wraps)."""
    return any(isinstance(node, Tag) and node.name not in names for node in element.descendants)


def _settle_whitespace(soup: BeautifulSoup) -> None:
    # Unwrapping leaves neighbouring strings; written out and parsed again they would become one, and a
    # whitespace-only string one space (as bs4 reads it), so the result would not parse back to itself.
    _smooth(soup)
    # Parent by parent, from the last child back: bs4's replace_with finds a child's place by walking its
    # parent's children, which made this quadratic (9 s of 8.8 for a 400,000-character article of 5,400
    # paragraphs); here each place is known, and a string already as it should be stays.
    for parent in tags_outside(soup, ("pre",)):
        children = parent.contents
        for index in range(len(children) - 1, -1, -1):
            string = children[index]
            if isinstance(string, NavigableString) and string.isspace():
                settled = "\n" if "\n" in string else " "
                if string != settled:
                    string.extract(_self_index=index)
                    parent.insert(index, NavigableString(settled))


def _smooth(soup: BeautifulSoup) -> None:
    """soup.smooth(): each run of neighbouring strings made one (comments and other preformatted strings
    stay apart), parent by parent from the last run back, each string's place known. bs4's own walks the
    parent's children for every string it merges (8,000 walks for 2,000 blocks dissolved in a heading)."""
    for parent in [soup, *soup.find_all(True)]:
        children = parent.contents
        end = len(children)
        while end > 0:
            start = end
            while start > 0 and _mergeable(children[start - 1]):
                start -= 1
            if end - start > 1:
                merged = "".join(str(child) for child in children[start:end])
                for index in range(end - 1, start - 1, -1):
                    children[index].extract(_self_index=index)
                parent.insert(start, NavigableString(merged))
            end = start - 1 if start == end else start


def _mergeable(node: PageElement) -> bool:
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _takes_paragraphs(parent: Tag | None) -> bool:
    # What the nearest kept ancestor allows: a dissolved container passes its context on.
    while parent is not None and parent.name in DISSOLVED_BLOCKS:
        parent = parent.parent
    return parent is None or isinstance(parent, BeautifulSoup) or parent.name in _FLOW_PARENTS


def _space_apart(element: Tag, index: int) -> int:
    """A space before and after `element` (at `index` in its parent) unless there is one; its index then."""
    parent = element.parent
    assert parent is not None
    before, after = element.previous_sibling, element.next_sibling
    if after is not None and not (isinstance(after, NavigableString) and after[:1].isspace()):
        parent.insert(index + 1, NavigableString(" "))
    if before is not None and not (isinstance(before, NavigableString) and before[-1:].isspace()):
        parent.insert(index, NavigableString(" "))
        index += 1
    return index


def _paragraphs_around_blocks(soup: BeautifulSoup, element: Tag) -> None:
    # Text and inline elements between the blocks become paragraphs; language and direction carry over.
    inherited = {name: str(element[name]) for name in _INHERITED if element.has_attr(name)}
    runs: list[tuple[int, list[PageElement]]] = []  # each run of children between blocks, and its first place
    for index, child in enumerate(element.contents):
        if isinstance(child, Tag) and (child.name not in _PHRASING or _holds_any_but(child, _PHRASING)):
            for name, value in inherited.items():
                if not child.has_attr(name):
                    child[name] = value
        elif runs and runs[-1][0] + len(runs[-1][1]) == index:
            runs[-1][1].append(child)
        else:
            runs.append((index, [child]))
    # From the last run back, so that the places of those before stay as counted (bs4 would look each node's
    # place up again, walking the children: quadratic in a long article).
    for start, run in reversed(runs):
        for node in run:
            node.extract(_self_index=start)
        if any(isinstance(node, Tag) and node.name != "br" or node.get_text().strip() for node in run):
            paragraph = soup.new_tag("p", attrs=dict(inherited))
            paragraph.extend(run)
            element.insert(start, paragraph)
        # else whitespace between blocks: gone


def has_content(html: str) -> bool:
    """True when HTML shows something: text, or an image."""
    return bool(re.sub(r"<[^>]*>", "", html).strip()) or "<img" in html


def all_text(untrusted: str) -> str:
    """The text of untrusted HTML with every element's content kept, scripts and styles included: what
    there was for sanitizing to remove."""
    return nh3.clean(untrusted, tags=set(), clean_content_tags=set(), attributes={})


def _demote_headings(soup: BeautifulSoup) -> None:
    # The article title is the page's only h1; if the body brings its own, shift every level down.
    headings = elements_named(soup, _HEADINGS)
    if not any(heading.name == "h1" for heading in headings):
        return
    for heading in headings:
        level = int(heading.name[1])
        heading.name = f"h{min(level + 1, 6)}"


def _wrap_tables(soup: BeautifulSoup, lang: str) -> None:
    # A wide table scrolls inside its own focusable, labelled region instead of widening the page
    # (WCAG 1.4.10 reflow at 320 CSS px).
    ui_lang = primary_subtag(lang) if primary_subtag(lang) in UI_LANGUAGES else "en"
    places = Places()  # bs4's own wrap walked the parent's children for every table: quadratic
    for number, table in enumerate(elements_named(soup, ("table",)), start=1):
        caption = table.find("caption")
        label = caption.get_text(" ", strip=True)[:120] if isinstance(caption, Tag) else ""
        if not label:
            label = gettext(ui_lang, "Table %(number)d") % {"number": number}
        region = soup.new_tag("div", attrs={"class": "reader-table", "role": "region", "tabindex": "0"})
        region["aria-label"] = label
        wrap(table, region, places.of(table))


def _lazy_images(soup: BeautifulSoup) -> None:
    for image in elements_named(soup, ("img",)):
        image["loading"] = "lazy"
        image["decoding"] = "async"


# A no-break space a writer did not mean: between words or after a sentence, where text pasted from a word
# processor or a news site's editor leaves them ("cũng\xa0đẩy mạnh", "2015).\xa0Trung bình"). Each glues two
# words into one, which at 250-400 % on a phone no longer fits a line and breaks between letters. Kept
# where one is meant: after a digit or before one ("87,5\xa0%", "Điều\xa05"), and before the punctuation
# French typography spaces ("Note\xa0:"), within one run of text; so does a run of them (spacing someone
# meant). Idempotent: sanitized text is sanitized again on save.
_GLUING_SPACE = re.compile(r"(?<![0-9«\xa0])\xa0(?![0-9:;!?%»\xa0])")


def _unglue_words(soup: BeautifulSoup) -> None:
    # Parent by parent, from the last child back, each string's place known (see reader.soup.Places): replace_with
    # walked the parent's children for every string (45 s for 20,000 lines with a no-break space each).
    for parent in tags_outside(soup, ("pre", "code")):
        children = parent.contents
        for index in range(len(children) - 1, -1, -1):
            string = children[index]
            if isinstance(string, NavigableString) and "\xa0" in string:
                unglued = _GLUING_SPACE.sub(" ", str(string))
                if unglued != string:
                    string.extract(_self_index=index)
                    parent.insert(index, NavigableString(unglued))
