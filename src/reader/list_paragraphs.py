"""Paragraphs written as list items: a list made by hand, as Word's HTML and text pasted from Word give it.

Word writes each item of a list as a paragraph of its own (``<p class="MsoListParagraph">``), its bullet or
number as text in a ``<span style="mso-list:Ignore">``; pasted as text, a list is paragraphs starting with
"•", "–" or "1.". A screen reader then announces paragraphs: not that there is a list, nor how many items it
has, nor where it ends. The importer makes each run of such paragraphs a real ``<ul>`` or ``<ol>``
(make_lists); the check page points out those that remain, written in the editor (runs).

Conservative, as a wrong guess rewrites prose: a run is two or more neighbouring paragraphs with the same
kind of marker (the same bullet character; numbers or letters with the same punctuation, each one more than
the one before). A dash is a bullet only with a tab or two spaces after it, or in Word's list markup: a
paragraph that starts with "- " is how Vietnamese (and French, Russian…) prose writes a line of dialogue.
Letters count in the Latin alphabet, as Word's automatic lists do in every language (a) … e) f) g)), and in
Vietnamese content also in Vietnamese order, as its legal and administrative texts letter their points
a) b) c) d) đ) e) g)… (VIETNAMESE_LETTERS): a run is a list when it counts on in either, Latin when both
hold. A list is Vietnamese (the class that has reader.css show those letters) only when Latin does not hold.
A symbol-font bullet left as a letter ("v", "o"…) is one only in its font: a lone <i>v</i> is a variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from string import ascii_lowercase

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement, PreformattedString

from reader.i18n import primary_subtag
from reader.soup import Places, elements_named

# The letters of Vietnamese lists, in order: its alphabet without the letters that are another's with a mark
# (ă, â, ê, ô, ơ, ư), as its legal and administrative texts letter their points; no f, j, w or z. The
# counter style vi-lower-alpha in static/css/reader.css shows the same letters: an item's number here is
# its letter's place in this string, the number <ol start> gives.
VIETNAMESE_LETTERS = "abcdđeghiklmnopqrstuvxy"
# The orders letters may count in, the preferred first: Word numbers its automatic lists a, b, c… e, f, g in
# every language (a Vietnamese document's too), while a Vietnamese text typed by hand may count in its own.
_LATIN = (ascii_lowercase,)
_LATIN_OR_VIETNAMESE = (ascii_lowercase, VIETNAMESE_LETTERS)

# The marker at the start of a paragraph's first text, and the spaces after it. A bullet character with
# spaces; a dash with a tab or two spaces (one space: dialogue); "1." or "1)"; "a)" ("a." starts names:
# "A. Smith"). A bullet or number may end its text ("<b>•</b> text"); a dash may not ("<i>-</i> Anh").
_PLAIN_MARKER = re.compile(
    r"[ \t\n\xa0]*(?:(?P<bullet>[·•◦▪])(?:[ \t\xa0]+|$)|(?P<dash>[–-])(?:\t|[ \xa0]{2,})[ \t\xa0]*"
    r"|(?P<number>[0-9]{1,3})(?P<punct>[.)])(?:[ \t\xa0]+|$)|(?P<letter>[a-zđ])(?P<paren>\))(?:[ \t\xa0]+|$))"
)
# The whole text of a marker in Word's list markup: a number or a letter with its punctuation, or a bullet.
_WORD_NUMBER = re.compile(r"(?:(?P<number>[0-9]{1,3})|(?P<letter>[a-zA-ZđĐ]))(?P<punct>[.)])")
# A marker as the first text of a paragraph with Word's list class: up to four characters, then spaces.
_WORD_TOKEN = re.compile(r"[ \t\n\xa0]*(?P<mark>[^ \t\n\xa0]{1,4})(?:[ \t\xa0]+|$)")
# Word's list marker element, which the importer takes out with all it holds (and body_bound counts nothing in).
WORD_IGNORE = re.compile(r"mso-list\s*:\s*ignore", re.IGNORECASE)
_WORD_LEVEL = re.compile(r"mso-list\s*:[^;]*?\blevel([0-9]+)", re.IGNORECASE)
_SPACES = " \t\n\r\xa0"
# Word's bullets in a symbol font, as its "filtered" HTML leaves them once the class that marks a list's
# paragraph is gone (the sanitizer drops classes): Wingdings' "§" (▪), "Ø" (➢), "ü" (✓), "v" (❖), "q" (❑),
# "n" (■), "l" (●), "Ÿ" (•), Courier New's "o" (◦). Each is a bullet only alone in the element of its font,
# with the item's text after that element, and only in a symbol font (_SYMBOL_FONT) on that element or one
# around it in the paragraph, as Word writes it: as the start of a text, or with no such font (the variable
# in "<i>v</i> là vận tốc"), they are letters, words and signs.
_SYMBOL_BULLETS = frozenset("§ØüvqnlŸo")
# Word's filtered HTML: style='font-family:Wingdings', 'font-family:"Courier New"' (mso-bidi-font-family…
# after it); older HTML <font face="Symbol">.
_SYMBOL_FONT = re.compile(r"font-family\s*:[^;]*?\b(?:wingdings|webdings|symbol|courier new)\b", re.IGNORECASE)
_SYMBOL_FACE = re.compile(r"\b(?:wingdings|webdings|symbol|courier new)\b", re.IGNORECASE)
# The characters a plain marker starts with (_PLAIN_MARKER), to rule most paragraphs out before the pattern.
_MARKER_STARTS = frozenset("·•◦▪–-0123456789abcdefghijklmnopqrstuvwxyzđ§ØüŸ")
# Elements that end the look for a paragraph's marker (_first_text): one before any text, and it has none.
NOT_PHRASING = frozenset({"br", "img", "table", "ul", "ol", "p"})


# Markup in which a paragraph may start with a marker: Word's list markup, or a <p> whose first text (after
# spaces, tags and comments) starts as a marker does, maybe as a character reference ("&bull;"). More than
# that, never less; in time linear in the markup: no part of a tag runs past a "<" or ">", the tags after
# a <p> are taken up to the next <p> at most, and never given back (a possessive repeat): "<p>" × 8,000
# took 5.6 s when each <p>'s look ran over all those after it. Word's "filtered" HTML keeps no mso-list but
# the class of a list's paragraph ("MsoListParagraphCxSpFirst", the first of its classes), its bullet any
# character of a symbol font; with the class gone, a symbol bullet alone in its element (_SYMBOL_BULLETS).
_MAYBE = re.compile(
    r"mso-list|class\s*=\s*[\"']?\s*MsoList|<p\b[^<>]*>(?:\s|&nbsp;|<(?!p\b)[^<>]*>)*+"
    r"(?:[·•◦▪–§Øü-]|&[#\w]+;|[0-9]{1,3}[.)]|[a-zđ]\)|[vqnlŸo](?:\s|&nbsp;)*<)",
    re.IGNORECASE,
)


def may_hold_lists(markup: str) -> bool:
    """False when no paragraph of `markup` can start with a list marker: a quick look at the text, which
    spares most bodies the walk over their paragraphs (make_lists)."""
    return _MAYBE.search(markup) is not None


def marker_may_start(text: str, css_class: str) -> bool | None:
    """Whether a paragraph of the class `css_class` (its class attribute) whose first text is `text` may
    start with a marker, as _first_text looks (None: `text` is only spaces, not yet known); for reader.body_bound,
    which has the paragraph's tokens, not its tree."""
    text = text.lstrip(_SPACES)
    if not text:
        return None
    return "msolist" in css_class.lower() or text[0] in _MARKER_STARTS


def letters_of(lang: str | None) -> tuple[str, ...]:
    """The orders of letters that may number a list's items in `lang` (a BCP 47 tag; None: not known), the
    preferred first: Latin, and in Vietnamese Vietnamese too."""
    return _LATIN_OR_VIETNAMESE if lang and primary_subtag(lang) == "vi" else _LATIN


@dataclass(frozen=True)
class Marker:
    """A paragraph's marker: `kind` says which paragraphs go in one list ("bullet •", "decimal .",
    "lower-alpha )"…), `number` the item's number (1 for "a"; 0 for a bullet), `level` Word's list level (1
    outside Word's markup), `text` the marker as written. A letter's `places` are its number in each order
    of letters_of (0: not in it; "đ" is (0, 5) in Vietnamese content), narrowed in a run to the orders it
    has counted on in; `number` is the first of them that is not 0."""

    kind: str
    number: int
    level: int
    text: str
    places: tuple[int, ...] = ()

    @property
    def ordered(self) -> bool:
        return not self.kind.startswith("bullet")


def marker(paragraph: Tag, letters: tuple[str, ...] = _LATIN) -> Marker | None:
    """The list marker a paragraph starts with, if any (`letters`: letters_of the article's language)."""
    word = _in_words_list(paragraph)
    found = _first_text(paragraph, any_start=word)
    if found is None:
        return None
    if isinstance(found, Tag):  # Word's marker span
        level = 1
        style = paragraph.get("style")
        if isinstance(style, str) and (word_level := _WORD_LEVEL.search(style)):
            level = max(1, min(int(word_level[1]), 9))
        return _words_marker("".join(found.get_text().split()), level, letters)
    plain = _plain_marker(paragraph, found, letters, word=word)
    return plain[0] if plain is not None else None


def _in_words_list(paragraph: Tag) -> bool:
    """Whether Word's class for a list's paragraph is on it ("MsoListParagraphCxSpFirst"…): Word's "filtered"
    HTML keeps it but not the mso-list markup, and its bullet may be any character of a symbol font ("§")."""
    classes = paragraph.attrs.get("class")  # Word writes one class
    return bool(classes) and isinstance(classes, list) and classes[0][:7].lower() == "msolist"


def _words_marker(text: str, level: int, letters: tuple[str, ...]) -> Marker | None:
    number = _WORD_NUMBER.fullmatch(text)
    if number is None:
        return Marker(f"bullet {text}", 0, level, text) if len(text) == 1 else None
    return _numbered(number["number"], number["letter"], number["punct"], level, text, letters)


def _plain_marker(
    paragraph: Tag, string: NavigableString, letters: tuple[str, ...], *, word: bool, text_after: bool = True
) -> tuple[Marker, int] | None:
    """The marker at the start of `string` (the paragraph's first text) and where the text after it starts;
    with `text_after`, only if the paragraph has text after it (a marker alone is no list's item)."""
    token = _WORD_TOKEN.match(string)
    if token and (word or _symbol_bullet(paragraph, string)):
        mark = _words_marker(token["mark"], 1, letters)
        # A letter as a bullet (Word's "o" of the second level) only as a text of its own, in its font's span:
        # "Ở đây…" starts with a word.
        alone = mark is not None and (not mark.text.isalnum() or string.strip(_SPACES) == mark.text)
        if mark is not None and alone and (not text_after or _has_text_after(paragraph, string, token.end())):
            return mark, token.end()
    match = _PLAIN_MARKER.match(string)
    if match is None or (text_after and not _has_text_after(paragraph, string, match.end())):
        return None
    plain = _plain(match, letters)
    return (plain, match.end()) if plain is not None else None


def _symbol_bullet(paragraph: Tag, string: NavigableString) -> bool:
    """Whether `string` is one of Word's symbol-font bullets alone in an element of its own, in a symbol font
    (its font's span, or an element around it in the paragraph)."""
    if string.parent is paragraph or string.strip(_SPACES) not in _SYMBOL_BULLETS:
        return False
    element = string.parent
    while element is not None and element is not paragraph:
        style, face = element.attrs.get("style"), element.attrs.get("face")
        if isinstance(style, str) and _SYMBOL_FONT.search(style):
            return True
        if element.name == "font" and isinstance(face, str) and _SYMBOL_FACE.search(face):
            return True
        element = element.parent
    return False


def _plain(match: re.Match[str], letters: tuple[str, ...]) -> Marker | None:
    text = match[0].strip(_SPACES)
    if match["bullet"] or match["dash"]:
        return Marker(f"bullet {text}", 0, 1, text)
    return _numbered(match["number"], match["letter"], match["punct"] or match["paren"], 1, text, letters)


def _numbered(
    number: str | None, letter: str | None, punct: str, level: int, text: str, letters: tuple[str, ...]
) -> Marker | None:
    """The marker of a number or a letter; None for a letter in none of `letters` ("đ)" in English)."""
    if number is not None:
        return Marker(f"decimal {punct}", int(number), level, text)
    assert letter is not None
    places = tuple(order.find(letter.lower()) + 1 for order in letters)
    if not any(places):
        return None
    case = "lower" if letter.islower() else "upper"
    return Marker(f"{case}-alpha {punct}", next(place for place in places if place), level, text, places)


def _next(last: Marker, mark: Marker) -> Marker | None:
    """`mark` as the item after `last` (a letter's places narrowed to the orders both count on in), or None
    when it is not: another kind of marker, or not the next number in any order."""
    if last.kind != mark.kind:
        return None
    if not mark.ordered:
        return mark
    if not mark.places:
        return mark if mark.number == last.number + 1 else None
    places = tuple(
        place if before and place == before + 1 else 0 for place, before in zip(mark.places, last.places, strict=True)
    )
    if not any(places):
        return None
    return replace(mark, number=next(place for place in places if place), places=places)


def _first_text(paragraph: Tag, *, any_start: bool = False) -> Tag | NavigableString | None:
    """Word's marker span, or the first text that is not only spaces if it can start a marker; None when
    an element that is not phrasing (an image, a line break, a table…) comes first.

    Every paragraph of an import is asked (most start with a letter), so the common case is kept short:
    an element without a style, then a text whose first character rules it out."""
    # Children by hand, down into each element in turn: bs4's `descendants` first finds the paragraph's
    # last descendant, a walk to its end for the one or two nodes looked at.
    pending = [iter(paragraph.contents)]
    while pending:
        for node in pending[-1]:
            if type(node) is NavigableString:
                text = node.lstrip(_SPACES)
                if text:
                    return node if any_start or text[0] in _MARKER_STARTS else None
            elif isinstance(node, Tag):
                style = node.attrs.get("style")
                if style is not None and isinstance(style, str) and WORD_IGNORE.search(style):
                    return node
                if node.name in NOT_PHRASING:
                    return None
                pending.append(iter(node.contents))
                break
        else:
            pending.pop()
    return None


def _has_text_after(paragraph: Tag, string: NavigableString, end: int) -> bool:
    if string[end:].strip(_SPACES):
        return True
    strings = paragraph.stripped_strings  # the first is `string`'s
    next(strings, None)
    return next(strings, None) is not None


def runs(root: Tag, lang: str | None = None) -> list[list[tuple[Tag, Marker]]]:
    """Each run of neighbouring paragraphs in `root` that reads as a list, in document order: two or more
    with markers of one kind, numbered one after another (an item of the next level down, in Word's list
    markup, may come between); letters in an order of `lang`, the article's language (letters_of)."""
    return _scan(root, letters_of(lang))[0]


def hand_made_lists(root: Tag, lang: str | None = None) -> list[tuple[Tag, Marker, int]]:
    """Each list written by hand in `root`: a run of paragraphs (runs), or one paragraph whose lines, broken
    by <br> or by newlines (Markdown's lines of one paragraph), make one. Its first paragraph, first marker
    and number of items, in document order."""
    letters = letters_of(lang)
    found, singles = _scan(root, letters)
    lists = [(run[0][0], run[0][1], len(run)) for run in found]
    for paragraph, mark in singles:
        count = _marked_lines(paragraph, mark, letters)
        if count > 1:
            lists.append((paragraph, mark, count))
    lists.sort(key=lambda found_list: _order(found_list[0]))
    return lists


def _scan(root: Tag, letters: tuple[str, ...]) -> tuple[list[list[tuple[Tag, Marker]]], list[tuple[Tag, Marker]]]:
    """The runs, and the paragraphs with a marker that are in none."""
    found: list[list[tuple[Tag, Marker]]] = []
    singles: list[tuple[Tag, Marker]] = []
    current: list[tuple[Tag, Marker]] = []
    open_levels: list[Marker] = []  # the last item of each level open in the current run
    for paragraph in elements_named(root, ("p",)):
        mark = marker(paragraph, letters)
        if mark is None:
            continue
        if current and _after(current[-1][0]) is paragraph and (item := _continues(open_levels, mark)):
            current.append((paragraph, item))
            continue
        _close(current, found, singles)
        current, open_levels = [(paragraph, mark)], [mark]
    _close(current, found, singles)
    return found, singles


def _close(
    run: list[tuple[Tag, Marker]], found: list[list[tuple[Tag, Marker]]], singles: list[tuple[Tag, Marker]]
) -> None:
    if len(run) > 1:
        found.append(run)
    else:
        singles.extend(run)


def _order(paragraph: Tag) -> tuple[int, int]:
    """Where a parsed paragraph starts in the markup (html.parser's line and column)."""
    return paragraph.sourceline or 0, paragraph.sourcepos or 0


def _marked_lines(paragraph: Tag, first: Marker, letters: tuple[str, ...]) -> int:
    """How many lines of `paragraph`, from its first (which has the marker `first`), start with the next
    marker of a list."""
    lines = "".join("\n" if isinstance(node, Tag) else str(node) for node in _text_and_breaks(paragraph))
    count, last = 0, None
    for line in lines.split("\n"):
        if not line.strip(_SPACES):
            continue
        match = _PLAIN_MARKER.match(line)
        if match is None or not line[match.end() :].strip(_SPACES):
            break
        mark = _plain(match, letters)
        if mark is not None and last is not None:
            mark = _next(last, mark)
        if mark is None or (last is None and mark.kind != first.kind):
            break
        count, last = count + 1, mark
    return count


def _text_and_breaks(paragraph: Tag) -> list[NavigableString | Tag]:
    return [
        node
        for node in paragraph.descendants
        if (isinstance(node, Tag) and node.name == "br")
        or (isinstance(node, NavigableString) and not isinstance(node, PreformattedString))
    ]


def _after(paragraph: Tag) -> PageElement | None:
    """The next sibling that is not whitespace, a comment or Word's conditional markup."""
    node = paragraph.next_sibling
    while isinstance(node, NavigableString) and (isinstance(node, PreformattedString) or not node.strip(_SPACES)):
        node = node.next_sibling
    return node


def _continues(open_levels: list[Marker], mark: Marker) -> Marker | None:
    """`mark` as the next item of the run whose open levels are `open_levels` (updated if so; _next), or
    None when it is not one."""
    top = open_levels[-1]
    if mark.level == top.level + 1:
        open_levels.append(mark)
        return mark
    while open_levels and open_levels[-1].level > mark.level:
        open_levels.pop()
    if not open_levels or open_levels[-1].level != mark.level:
        return None
    item = _next(open_levels[-1], mark)
    if item is not None:
        open_levels[-1] = item
    return item


def make_lists(soup: BeautifulSoup, root: Tag | None = None, lang: str | None = None) -> bool:
    """Each run of list paragraphs in `root` (the soup) made a list, its paragraphs its items without their
    markers; whether there was any. Nothing else in the tree changes. `lang` is the article's language: the
    order its letters count in (runs)."""
    letters = letters_of(lang)
    found = _scan(root or soup, letters)[0]
    places = Places()
    # From the last run back: the places of the runs before stay as counted (see reader.soup.Places).
    for run in reversed(found):
        first, last = run[0][0], run[-1][0]
        parent = first.parent
        assert parent is not None
        start, end = places.of(first), places.of(last)
        nodes = [parent.contents[index].extract(_self_index=index) for index in range(end, start - 1, -1)]
        marks = {id(paragraph): mark for paragraph, mark in run}
        outer = _new_list(soup, run[0][1])
        lists = [(run[0][1].level, outer)]
        # Each list's first and last item: whether its letters are Vietnamese is known at its end.
        ends = {id(outer): (outer, run[0][1], run[0][1])}
        for node in reversed(nodes):
            mark = marks.get(id(node))
            if mark is None or not isinstance(node, Tag):  # whitespace or a comment between items
                lists[-1][1].append(node)
                continue
            while lists[-1][0] > mark.level:
                lists.pop()
            if mark.level > lists[-1][0]:
                sublist = _new_list(soup, mark)
                items = lists[-1][1].find_all("li", recursive=False)
                (items[-1] if items else lists[-1][1]).append(sublist)
                lists.append((mark.level, sublist))
                ends[id(sublist)] = (sublist, mark, mark)
            _unmark(node, letters)
            node.name = "li"
            lists[-1][1].append(node)
            tag, first_mark, _ = ends[id(lists[-1][1])]
            ends[id(tag)] = (tag, first_mark, mark)
        for tag, first_mark, last_mark in ends.values():
            _number(tag, first_mark, last_mark)
        parent.insert(start, outer)
    return bool(found)


def _new_list(soup: BeautifulSoup, first: Marker) -> Tag:
    return soup.new_tag("ol" if first.ordered else "ul")


def _number(tag: Tag, first: Marker, last: Marker) -> None:
    """The attributes of an <ol> whose items' markers run from `first` to `last` (_next narrowed its places
    to the orders of letters the whole list counts in): its start, and for letters their type and order."""
    if not first.ordered:
        return
    order = next((index for index, place in enumerate(last.places) if place), 0)
    number = first.places[order] if first.places else first.number
    attributes: dict[str, str] = {}
    if number != 1:
        attributes["start"] = str(number)
    if "alpha" in first.kind:
        case = "lower" if first.kind.startswith("lower") else "upper"
        attributes["type"] = "a" if case == "lower" else "A"
        if order > 0:  # Latin does not hold: the run uses "đ", or skips f, j, w or z
            # The letters shown are Vietnamese's (reader.css's counter styles of these names, which `start`
            # counts in); a class, as CSS cannot tell type="a" from type="A" (HTML's attribute selectors
            # ignore the case of `type`, and Chromium has no "s" flag). Without CSS, Latin letters.
            attributes["class"] = f"vi-{case}-alpha"
    tag.attrs.update(attributes)


def _unmark(paragraph: Tag, letters: tuple[str, ...]) -> None:
    """Take the marker (and the spaces after it) out of a list paragraph, and what it leaves empty.

    The paragraph had its marker when the runs were found, but a run nested in it (html.parser nests a
    paragraph in one left open) is made a list first, as runs are from the last back, and its markers may have
    been all the text after this one's (<p>•<p><span style="mso-list:Ignore">1.</span></p><p>…2.…</p>): the
    marker is taken out as it was found, without asking again for text after it. A paragraph where it is not
    found at all is left as it is: markup, whatever it holds, never stops an import."""
    word = _in_words_list(paragraph)
    found = _first_text(paragraph, any_start=word)
    if found is None:
        return
    if isinstance(found, Tag):
        emptied: Tag | None = found.parent
        found.decompose()
    else:
        plain = _plain_marker(paragraph, found, letters, word=word, text_after=False)
        if plain is None:
            return
        rest = found[plain[1] :]
        emptied = found.parent
        if rest:
            found.replace_with(NavigableString(rest))
        else:
            found.extract()
    # Word's font span around its marker span; the <b> around a "•" alone.
    _drop_emptied(emptied, paragraph)
    # The spaces after the marker, before the item's text: Word writes them in a span of their own.
    while (first := next((node for node in paragraph.descendants if type(node) is NavigableString), None)) is not None:
        if first.strip(_SPACES):
            if first[:1] in _SPACES:
                first.replace_with(NavigableString(first.lstrip(_SPACES)))
            break
        parent = first.parent
        first.extract()
        _drop_emptied(parent, paragraph)


def _drop_emptied(element: Tag | None, paragraph: Tag) -> None:
    """Take out `element` if it holds nothing now, and each element around it (in `paragraph`) left empty."""
    while element is not None and element is not paragraph and not element.contents:
        parent = element.parent
        element.decompose()
        element = parent
