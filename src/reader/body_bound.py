"""How long an imported HTML document's body will be at least, told from its tokens before it is parsed.

reader.importer.read_html takes the body out of a bs4 tree (reader.soup), three or four microseconds a
character of dense markup: a file whose body is over the limit would cost seconds before it was refused. This
module runs html.parser's tokenizer alone (the one bs4 drives, so the same tokens) and follows bs4's stack
of open elements as its tree builder would, counting only what the serialized body must hold: each tag's
name with its brackets (and its end tag, which bs4 writes for every element that is not void), each
attribute's name and the characters of its value, and each character of text that is not a space, as
reader.drafts.clean_text leaves them. Everything it is unsure of counts nothing (character references, comments,
spaces, which strip() may take or bs4 fold), so the count is never more than the body's length, and a count
over the limit refuses the file with the body's own error (tests/test_body_bound.py checks the bound against
the real body on generated markup). What read_html takes out after the parse is followed as far as the tokens
tell it, and counted no more than it may leave: empty paragraphs, a bold first paragraph (the lead, held
until a rule of reader.importer._bold_lead rules it out), list paragraphs' markers and the elements around
them (reader.list_paragraphs.make_lists: the first characters of every paragraph and the tags before them,
in markup that may hold lists), text bs4 keeps apart (<rt>, <template>).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from bs4.builder import HTMLTreeBuilder

from reader.drafts import MAX_LENGTHS, clean_text
from reader.list_paragraphs import NOT_PHRASING, WORD_IGNORE, marker_may_start, may_hold_lists

# What read_html takes as the body, in this order of preference (none of them: the whole document), and
# what it takes out of it: the page's furniture, and the first <h1> (the title; its <header> too, whole, if it is
# left without text: a logo's <img> in it went with it, so a <header> and all it holds count nothing). A
# <header> is kept otherwise, with its text: uncounted, that text is still text to the rest of the scan (it may
# make the paragraph around it the first with text, a bold lead taken out with all it holds).
CONTAINERS = ("article", "main", "body")
FURNITURE = frozenset({"nav", "aside", "footer", "form", "script", "style"})
HEADING = "h1"
UNCOUNTED = frozenset({"header"})
# What a paragraph without text may still show, so that read_html keeps it: a <p> with none of these and no
# text is Word's blank line, taken out with all it holds (reader.importer._drop_empty_paragraphs).
SHOWN_WITHOUT_TEXT = ("img", "picture", "svg", "video", "audio", "iframe", "object", "embed", "table", "input")
# Elements bs4 closes as they open (<br>): never on its stack, written without an end tag.
VOID = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ())
# A body, serialized, is at most this many times as long as the file it comes from (a bare "&" is written
# "&amp;"): a file that short cannot hold a body over the limit, and is not scanned.
MAX_GROWTH = 5
# How many characters of a piece of text Unicode normalization may fold into the text before it (a base
# letter and its marks, once the markup between them is gone): at most three marks compose with one letter.
COMPOSING = 3
# What the importer takes out of a paragraph it makes a list's item (reader.list_paragraphs._unmark): Word's
# marker element (mso-list:Ignore) with all it holds, or a typed marker at the start of its first text (at most
# four characters: "100.", "a)", "•"; one character at most three once NFC-normalized), and then the elements
# around the marker and before the item's text that are left empty or hold only spaces.
MARKER_CHARS = 4


@dataclass(slots=True)
class _Paragraph:
    """An open paragraph, in markup that may hold lists, until it is known to be past its marker (if any)."""

    depth: int
    css_class: str
    # How many characters of its text may still be a marker's (as counted, and raw).
    marker: int = MARKER_CHARS
    marker_raw: int = MARKER_CHARS
    # Past its marker, or known to have none (then `held`, what its tags would have counted so far, counts).
    settled: bool = False
    # Whether anything was seen in it that may be its first text or a marker element.
    seen: bool = False
    held: int = 0


class _Stop(Exception):
    """The scan is over: the body has ended, or is already known to be over the limit."""


def body_length_at_least(html: str, limit: int) -> int:
    """A lower bound on the length of the body read_html takes from `html` (after clean_text and strip),
    counted until it passes `limit`; 0 for a document too short to hold a body over `limit`."""
    if len(html) * MAX_GROWTH <= limit:
        return 0
    return scan(html, limit)


def scan(html: str, limit: int) -> int:
    """The lower bound, counted until it passes `limit` or the body ends."""
    lowered = html.lower()
    # The first of the containers that appears as a tag's start at all (in a comment or a script too: a
    # guess only, which the scan then follows or, finding no such element, counts nothing for).
    container = next((name for name in CONTAINERS if _may_hold_start_tag(lowered, name)), None)
    # read_html makes list paragraphs lists only in markup that may hold them: the same look at the same text.
    scanner = _Scan(container, limit, lists=may_hold_lists(html))
    try:
        scanner.feed(html)
        scanner.close()
        scanner.finish()
    except _Stop:
        pass
    except AssertionError:  # html.parser's way of refusing markup: the parse itself will say so
        return 0
    return scanner.count


def _may_hold_start_tag(lowered: str, name: str) -> bool:
    """Whether `<name` appears followed by what ends a tag's name for html.parser (or nothing)."""
    start = lowered.find("<" + name)
    while start >= 0:
        after = start + 1 + len(name)
        if after == len(lowered) or lowered[after] in "\t\n\r\f />\x00":
            return True
        start = lowered.find("<" + name, after)
    return False


class _Scan(HTMLParser):
    """html.parser's tokens, with bs4's handling of open elements (bs4.builder._htmlparser and
    BeautifulSoup._popToTag) kept as a stack of names, and the body's characters counted."""

    def __init__(self, container: str | None, limit: int, *, lists: bool) -> None:
        super().__init__(convert_charrefs=False)  # as bs4 parses
        self.container = container
        self.limit = limit
        self.count = 0
        self.stack: list[str] = []
        self.open: Counter[str] = Counter()
        # The body's own element on the stack (None: not reached yet; -1: the document is the body).
        self.body_at: int | None = None if container else -1
        # The element whose contents are not counted (furniture, the title's heading, a <header>), while it is
        # open; `kept`: whether read_html may keep its text (a <header>; furniture and the heading it takes out).
        self.skipped_at: int | None = None
        self.kept = False
        self.heading_seen = False
        # Open paragraphs not yet known to be kept (no text and nothing SHOWN_WITHOUT_TEXT in them so far): their
        # stack depth and what their tags, and those inside, would count. Counted once something in them keeps
        # them; forgotten when one closes empty, as read_html drops it with everything inside.
        self.paragraphs: list[list[int]] = []
        # Markup that may hold lists (read_html makes list paragraphs lists, their markers taken out): the open
        # paragraphs. Until one is past its marker (text past MARKER_CHARS), its tags are held and its text
        # gives up those characters; a marker element (`ignored_at`, its depth) counts nothing. Known to have
        # no marker (a first text that cannot start one, an element NOT_PHRASING before any), it counts as
        # any other.
        self.lists = lists
        self.markers: list[_Paragraph] = []
        self.ignored_at: int | None = None
        # read_html may take the first paragraph with text out of the body (a bold lead becomes the summary,
        # reader.importer._bold_lead). What the paragraphs open inside the body's element would count, until
        # there is one with text and it is ruled out as a lead, is held in `lead_held`: counted once one of its
        # texts is not bold or its text is longer than a summary may be (`lead_raw`: not normalized, as
        # _bold_lead measures it), or once they all close without anything bs4 may make text
        # (`lead_maybe_text`); forgotten when the paragraph with text closes (it may have been taken out).
        # `lead_at`: that paragraph's depth once found; `inside`: how many paragraphs are open inside the
        # body's element.
        self.lead_possible = True
        self.lead_at: int | None = None
        self.lead_held = 0
        self.lead_raw = 0
        self.lead_maybe_text = False
        self.inside = 0

    # -- bs4's tree, as a stack

    def _push(self, name: str) -> None:
        self.stack.append(name)
        self.open[name] += 1

    def _pop_to(self, name: str) -> None:
        """Pop up to and including the most recent open element called `name`; nothing if none is open."""
        if not self.open[name]:
            return
        while self.stack:
            popped = self.stack.pop()
            self.open[popped] -= 1
            depth = len(self.stack)
            if self.skipped_at is not None and depth <= self.skipped_at:
                self.skipped_at, self.kept = None, False
            if self.ignored_at is not None and depth <= self.ignored_at:
                self.ignored_at = None
            if self.body_at is not None and depth <= self.body_at:
                raise _Stop  # the body's element is closed: the rest of the document is not the body
            if popped == "p" and self.body_at is not None:  # counted as it opened: opened inside the body's
                self.inside -= 1  # element (one opened before it and closed inside it ends the body: _Stop)
                if not self.inside and self.lead_possible and self.lead_at is None:
                    self._no_lead_yet()
            if self.lead_at is not None and depth <= self.lead_at:
                # A lead, perhaps: nothing of it counted.
                self.lead_possible, self.lead_at, self.lead_held = False, None, 0
            while self.paragraphs and self.paragraphs[-1][0] >= depth:
                self.paragraphs.pop()  # closed without text: dropped, with what it held
            while self.markers and self.markers[-1].depth >= depth:
                self.markers.pop()
            if popped == name:
                return

    def _start(self, name: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        """A start tag; `closed` when bs4 closes it at once (void, or written <tag/>)."""
        if self.body_at is None:
            if name == self.container:
                if closed:
                    raise _Stop  # an empty body
                self._push(name)
                self.body_at = len(self.stack) - 1
            elif not closed:
                self._push(name)
            return
        counted = self.skipped_at is None and self.ignored_at is None
        skip = name in FURNITURE or name in UNCOUNTED or (name == HEADING and not self.heading_seen)
        self.heading_seen = self.heading_seen or name == HEADING
        # The last value of an attribute given twice is the one bs4 keeps.
        values = dict(attrs)
        ignored = counted and self.lists and WORD_IGNORE.search(values.get("style") or "") is not None
        if counted and self.markers and not self.markers[-1].settled:  # the paragraph around it
            if ignored or skip:
                self.markers[-1].seen = True  # a marker, or what may hold text
            elif name in NOT_PHRASING and not self.markers[-1].seen:
                self._no_marker()  # its first text comes after this
        in_marker = self._in_marker()
        if not closed:
            self._push(name)
            depth = len(self.stack) - 1
            if name == "p":
                self.inside += 1
                if self.lists:
                    self.markers.append(_Paragraph(depth, values.get("class") or ""))
            if counted and skip:
                self.skipped_at, self.kept = depth, name in UNCOUNTED
        if not counted or skip:
            return
        if ignored:
            if not closed:
                self.ignored_at = len(self.stack) - 1
            return
        # ' name="value"': its value's characters but spaces (bs4 joins a class's words with one).
        size = _tag_length(name) + sum(
            4 + _plain_length(attribute) + _visible(clean_text(value or "")) for attribute, value in values.items()
        )
        if in_marker:
            self.markers[-1].held += size
            size = 0
        if name == "p":
            if not closed:  # (<p/>: empty as it opens, and dropped)
                self.paragraphs.append([len(self.stack) - 1, size])
        elif name in SHOWN_WITHOUT_TEXT:
            self._keep_paragraphs()
            self._count(size)
        elif self.paragraphs:
            self.paragraphs[-1][1] += size
        else:
            self._count(size)

    def _in_marker(self) -> bool:
        """Whether the innermost open paragraph may still be at its marker, or the spaces after it."""
        return bool(self.markers) and not self.markers[-1].settled

    def _no_marker(self) -> None:
        """The innermost open paragraph has no marker: what its tags were held for counts."""
        marker = self.markers[-1]
        held, marker.held = marker.held, 0
        marker.marker = marker.marker_raw = 0
        marker.settled = True
        if not held:
            pass
        elif self.paragraphs:
            self.paragraphs[-1][1] += held
        else:
            self._count(held)

    def _keep_paragraphs(self) -> None:
        """Every open paragraph holds something that keeps it: count what was held back for them."""
        held = sum(pending for _, pending in self.paragraphs)
        self.paragraphs.clear()
        if held:
            self._count(held)

    def _count(self, size: int) -> None:
        """Count `size` characters of the body, or hold them while they may be a lead's."""
        if self._in_possible_lead():
            self.lead_held += size
        else:
            self._add(size)

    def _add(self, size: int) -> None:
        self.count += size
        if self.count > self.limit:
            raise _Stop

    def _not_a_lead(self) -> None:
        """The paragraph with text is not the lead (nor any after it): what it holds counts."""
        held, self.lead_held = self.lead_held, 0
        self.lead_possible, self.lead_at = False, None
        self._add(held)

    def _no_lead_yet(self) -> None:
        """The paragraphs open inside the body's element all closed (or the markup ended) with no text: none
        of them was the lead, and what was held for them counts, unless bs4 may have made text of something
        the scan did not count (a character reference, a marker, a CDATA section)."""
        held, self.lead_held = self.lead_held, 0
        if not self.lead_maybe_text:
            self._add(held)
        self.lead_maybe_text = False

    def finish(self) -> None:
        """The markup has ended (the body's element with it, or left open)."""
        if self._in_possible_lead() and self.lead_at is None:
            self._no_lead_yet()

    # -- html.parser's events, as bs4's builder takes them

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # bs4 also keeps count of the void elements closed so, to ignore an end tag (</br>) for each: never
        # open, they are not on this stack, and their end tags find nothing to close here either way.
        self._start(tag, attrs, closed=tag in VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        self._pop_to(tag)

    def handle_data(self, data: str) -> None:
        if self.body_at is None:
            return
        if self.skipped_at is not None:
            if data.strip():  # (text in a <header>, kept: the paragraph around it may be a lead, taken out)
                self._maybe_text()
            return
        if self.lead_possible and self.inside and data.strip():  # (spaces: no text to read_html, strip() takes them)
            self.lead_maybe_text = True
        marker = self.markers[-1] if self.markers and not self.markers[-1].seen else None
        # A list's marker, taken out; text bs4 keeps as strings of another kind (RubyTextString…), which get_text
        # leaves out: to read_html, a paragraph holding only such text is empty (dropped), and it is no lead's.
        if self.ignored_at is not None or self.open.get("rt") or self.open.get("rp") or self.open.get("template"):
            if marker is not None:
                marker.seen = True
            return
        if marker is not None and not marker.settled:  # the paragraph's first text, perhaps
            may_start = marker_may_start(data, marker.css_class)
            marker.seen = may_start is not None
            if may_start is False:
                self._no_marker()
        text = clean_text(data)
        size = _visible(text)
        if size and not text[0].isascii():
            # A mark at its start may compose with the letter before it.
            size = max(0, size - COMPOSING)
        if not size:
            return
        raw = _visible(data)
        if self._in_marker():  # its first characters may be a list's marker, taken out
            marker = self.markers[-1]
            taken, taken_raw = min(marker.marker, size), min(marker.marker_raw, raw)
            marker.marker, marker.marker_raw = marker.marker - taken, marker.marker_raw - taken_raw
            size, raw = size - taken, raw - taken_raw
            if size or raw:  # past the marker: the tags held for it may have gone with it
                marker.settled, marker.held = True, 0
            if not size:
                return
        if self._in_possible_lead():
            if self.lead_at is None:  # the first paragraph with text: the outermost one open inside the body
                self.lead_at = self.stack.index("p", (self.body_at if self.body_at is not None else -1) + 1)
            self._keep_paragraphs()
            self.lead_held += size
            self.lead_raw += raw
            # Not wholly bold, or too long for a lead: it stays in the body.
            if not (self.open.get("b") or self.open.get("strong")) or self.lead_raw > MAX_LENGTHS["summary"]:
                self._not_a_lead()
            return
        # Text before any paragraph with text: no paragraph after it is a lead.
        self.lead_possible = False
        self._keep_paragraphs()
        self._add(size)

    def _in_possible_lead(self) -> bool:
        return self.lead_possible and self.inside > 0

    def _maybe_text(self) -> None:
        """bs4 may make text here that the scan does not count: a paragraph it is in may be a lead, or not
        empty, and what was held for them while they had none is not counted when they close."""
        if self._in_possible_lead() and (self.skipped_at is None or self.kept):
            self.lead_maybe_text = True

    def _maybe_marker(self) -> None:
        if self.markers and self.skipped_at is None:
            self.markers[-1].seen = True

    # Character and entity references, CDATA sections and the like count nothing; bs4 makes text of some.

    def handle_charref(self, name: str) -> None:
        if self.body_at is not None:
            self._maybe_text()
            self._maybe_marker()

    def handle_entityref(self, name: str) -> None:
        if self.body_at is not None:
            self._maybe_text()
            self._maybe_marker()

    def unknown_decl(self, data: str) -> None:
        if self.body_at is not None:
            self._maybe_text()

    def handle_pi(self, data: str) -> None:
        if self.body_at is not None:
            self._maybe_text()

    def handle_decl(self, decl: str) -> None:
        if self.body_at is not None:
            self._maybe_text()


@functools.lru_cache(maxsize=1024)
def _tag_length(name: str) -> int:
    """<name> and, unless it is void, </name>."""
    return 2 + _plain_length(name) + (0 if name in VOID else 3 + _plain_length(name))


def _plain_length(name: str) -> int:
    """A tag's or attribute's name as it stays in the body: printable ASCII is kept as it is (anything else
    counts nothing, as clean_text may take it out)."""
    return len(name) if name.isascii() and name.isprintable() else 0


def _visible(text: str) -> int:
    """How many characters of `text` are not white space."""
    return len("".join(text.split()))
