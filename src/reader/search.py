"""Readers' search over articles' text: the words an article is found by, stored with it (reader.store), and
what a result shows of where a search found it.

An article is found by the words of its title, lead, body text, author and address, spelled as slugs spell
them (reader.slugs.folded: no diacritics, lower case, "đ" as "d"), each search word the beginning of one of
them. Those words are stored once per article, each word once, in the order they first come
(`search_text`), beside its title's (`search_title`, which ranks the articles found by their title first);
each backend indexes them (reader.migrations, schema 13).

A result's excerpt is taken from the article's own text (a table's cells apart and each block a sentence:
`body_text`; the stored words do not depend on those breaks), with its diacritics and case, around the first
place where the search's words begin words (where most of them are close together: `_best_place`): a
search word matches a letter whatever its diacritics and case through a class of the letters that fold to
it (`_letter_classes`), so the text is searched as it is, in C.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from reader.readability.sentences import CLOSERS
from reader.reading import plain_text
from reader.slugs import MAX_WORD, ascii_words, folded

# The stored words are cut after this many characters (at a word's end): PostgreSQL refuses a tsvector of
# 1 MB or more, and an article's distinct words stay far below it (the 2,000,000-character article of real
# text the editor takes has a few tens of thousands). An article is found by the words of its first 200,000
# characters of distinct words, then.
MAX_SEARCH_TEXT = 200_000
# An excerpt: about this many words, the first place found after the first few of them.
EXCERPT_WORDS = 25
EXCERPT_WORDS_BEFORE = 8
# An excerpt is looked for in the first this many characters of an article's body (its HTML): every search
# page made one for each result from its whole body, 160 ms of work a megabyte (2.5 to 3.2 s for a page of
# 1.9 MB articles), and each different search asks again. Words found only further on show the lead instead.
EXCERPT_HTML = 65_536
# How far either side of the place found an excerpt's words are looked for: a word longer than this (an
# address written out, say) is cut.
_EXCERPT_REACH = 600
# How many words found an excerpt's place is chosen among, and how close (in characters) the search's other
# words must follow to count for a place.
_PLACES = 200
_NEAR = 120
# A word of an excerpt: what white space separates, but not a cell's break (a "·" alone), which counts for no
# word and neither begins nor ends an excerpt.
_TOKEN = re.compile(r"(?!·(?:\s|$))\S+")
# A body's words are made this many characters at a time (cut at white space): each step over the text (the
# folding's translate and normalization, the regular expressions) is one call in C that holds the
# interpreter, and over a 1.9 MB body one took 270 ms, in which the event loop could not run (search_text runs
# in a worker thread: reader.store's drafts_words). A piece takes a few milliseconds.
_PIECE = 32_768
_SPACE = re.compile(r"\s")
# What a cut may leave at the end of HTML: the beginning of a tag, or of a character reference.
_CUT_END = re.compile(r"<[^>]*\Z|&#?\w*\Z")
# A letter or digit that is part of a word (an underscore separates words, as it does in a slug).
_WORD_CHAR = r"[^\W_]"


@dataclass(frozen=True, slots=True)
class SearchText:
    """The words an article is found by, as stored (reader.store): its title's, and all of them."""

    title: str
    words: str


@dataclass(frozen=True, slots=True)
class Marked:
    """Text with the words a search found marked: its pieces in order, (text, marked), and whether more text
    was there before and after it (an excerpt: shown with an ellipsis)."""

    pieces: tuple[tuple[str, bool], ...]
    cut_before: bool = False
    cut_after: bool = False


# Where an excerpt's text has a break the tags made: between a table's cells, and after a block (a paragraph,
# a heading, an item, a table's row…). Without them a table's excerpt was a run of numbers ("Tỉnh 2021 2022 …
# Ghi chú Bắc Kạn 1.234 1.456"). Marked first with characters of the private use area (any already in the
# text taken out), as plain_text keeps them; then each run of breaks is written as one.
_CELL, _BLOCK = "\ue000", "\ue001"
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_BLOCK_END = re.compile(
    r"</(?:p|li|h[1-6]|tr|caption|figcaption|blockquote|pre|dt|dd|ul|ol|dl|table|figure|div|section)\s*>",
    re.IGNORECASE,
)
# Each run of breaks as one, each step a substitution in C (a table's text has thousands of breaks, and a
# call into Python for each made it four times slower): cells that end a block are the block's end; a run
# with a block's end in it is one; a run of cells' ends is one CELL_BREAK; a block's end is a full stop and
# a space, or a space after a sentence's own end.
_CELLS_BEFORE_BLOCK = re.compile(f"{_CELL}[ {_CELL}]*(?={_BLOCK})")
_BLOCK_RUN = re.compile(f"{_BLOCK}[ {_CELL}{_BLOCK}]*")
_CELL_RUN = re.compile(f"{_CELL}[ {_CELL}]*")
_SENTENCE_END = re.compile(f"([.!?…:;][{re.escape(CLOSERS)}]*){_BLOCK}")
# A lead that ends so (closers aside) needs no full stop of its own before the body.
_ENDS_A_SENTENCE = ".!?…:;"
# Between cells: a middle dot, as lists of short items are written inline.
CELL_BREAK = " · "


def body_text(body_html: str) -> str:
    """The text of an article's sanitized body as an excerpt shows it: tags out, entities decoded, white space
    as single spaces, a table's cells apart (CELL_BREAK) and each block a sentence of its own (a full stop
    after one that has none). The words found are the same (search_text reads plain_text: the breaks hold
    no letter or digit)."""
    marked = _BLOCK_END.sub(_BLOCK, _CELL_END.sub(_CELL, body_html.replace(_CELL, "").replace(_BLOCK, "")))
    text = " ".join(plain_text(marked).split()).replace(" " + _CELL, _CELL).replace(" " + _BLOCK, _BLOCK)
    text = _CELLS_BEFORE_BLOCK.sub("", text.strip(f" {_CELL}{_BLOCK}"))
    text = _CELL_RUN.sub(CELL_BREAK, _BLOCK_RUN.sub(_BLOCK, text))
    return _SENTENCE_END.sub(r"\1 ", text).replace(_BLOCK, ". ")


def excerpt_source(summary: str, body_html: str) -> tuple[str, bool]:
    """The text an excerpt is looked for in: the lead, then the text of the first EXCERPT_HTML characters of
    the body (a tag or reference cut there left out); and whether the body goes on after them (more than
    EXCERPT_HTML characters: reader.store reads one more than it needs)."""
    more = len(body_html) > EXCERPT_HTML
    if more:
        body_html = _CUT_END.sub("", body_html[:EXCERPT_HTML])
    summary = summary.strip()
    if summary and summary.rstrip(CLOSERS)[-1:] not in _ENDS_A_SENTENCE:
        summary += "."  # the lead is a block too
    return f"{summary} {body_text(body_html)}", more


def search_text(slug: str, title: str, summary: str, author: str, body_html: str) -> SearchText:
    """What an article is found by (stored with it whenever it is written)."""
    title_words = ascii_words(title)
    every = dict.fromkeys([*title_words, *ascii_words(summary), *ascii_words(author)])
    # Not body_text: its white space made single (one split and join over the whole text) is not needed here.
    text = plain_text(body_html)
    start = 0
    while start < len(text):
        space = _SPACE.search(text, start + _PIECE)
        end = space.start() if space else len(text)
        every.update(dict.fromkeys(ascii_words(text[start:end])))
        start = end
    every.update(dict.fromkeys(word for word in slug.split("-") if word))
    # Each word by its first MAX_WORD letters (reader.slugs: what PostgreSQL's index can hold, on both backends).
    words = " ".join(dict.fromkeys(word[:MAX_WORD] for word in every))
    if len(words) > MAX_SEARCH_TEXT:
        words = words[: MAX_SEARCH_TEXT + 1].rsplit(" ", 1)[0]
    return SearchText(title=" ".join(title_words), words=words)


def in_words(words: list[str], text: str) -> bool:
    """Whether each of a search's `words` begins a word of `text` (a title: then the title was found)."""
    own = ascii_words(text)
    return all(any(word_of_text.startswith(word) for word_of_text in own) for word in words)


@cache
def _letter_classes() -> dict[str, str]:
    """For each letter and digit a slug has, a regular-expression class of every character that folds to it
    alone: "d" gives [dDđĐďĎ…]. Made once, on the first excerpt (the Latin, Vietnamese and full-width
    blocks: about 1,700 characters)."""
    members: dict[str, list[str]] = {}
    blocks = [(0x20, 0x250), (0x1E00, 0x1F00), (0x2070, 0x2190), (0x2460, 0x2500), (0xFF10, 0xFF5B)]
    for start, end in blocks:
        for point in range(start, end):
            char = chr(point)
            fold = folded(char)
            if len(fold) == 1 and fold.isalnum():
                members.setdefault(fold, []).append(char)
    return {letter: "[" + "".join(re.escape(char) for char in chars) + "]" for letter, chars in members.items()}


def _found_words(words: list[str]) -> re.Pattern[str] | None:
    """A pattern of the whole words of a text that begin with one of `words` (a search's, as slugs spell
    them), whatever their diacritics and case; None for no words."""
    if not words:
        return None
    classes = _letter_classes()
    # The word's first letter, then that it begins a word (not after a letter or digit): in this order the
    # search skips, in C, every character that is none of the first letters (two and a half times faster).
    spelled = sorted(
        {classes[word[0]] + f"(?<!{_WORD_CHAR}.)" + "".join(classes[letter] for letter in word[1:]) for word in words}
    )
    return re.compile(f"(?:{'|'.join(spelled)}){_WORD_CHAR}*")


def _marked(text: str, pattern: re.Pattern[str]) -> tuple[tuple[str, bool], ...]:
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], False))
        pieces.append((match.group(), True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return tuple(pieces)


def _best_place(text: str, pattern: re.Pattern[str], words: list[str]) -> int | None:
    """Where an excerpt of `text` begins its words found: the first word found that has the most of the
    search's different words within a few words after it ("thong tin" shows "…công nghệ thông tin…", not
    the "Tỉnh" before it); None when no word is found. Only the first _PLACES words found are weighed."""
    found = []
    for match in itertools.islice(pattern.finditer(text), _PLACES):
        spelled = folded(match.group())
        found.append((match.start(), frozenset(word for word in words if spelled.startswith(word))))
    if not found:
        return None
    best, best_count = found[0][0], 0
    for index, (start, _) in enumerate(found):
        near: set[str] = set()
        for other, which in found[index:]:
            if other - start > _NEAR:
                break
            near |= which
        if len(near) > best_count:
            best, best_count = start, len(near)
            if best_count == len(set(words)):
                break
    return best


def excerpt(text: str, words: list[str], *, more: bool = False) -> Marked | None:
    """About EXCERPT_WORDS words of `text` around the first word that begins with one of `words` (the first
    with the most of them close after it: _best_place), every such word marked; None when none does. `more`:
    the text goes on after `text` (excerpt_source's)."""
    pattern = _found_words(words)
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if pattern is None:
        return None
    at = _best_place(text, pattern, words)
    if at is None:
        return None
    # Words are what white space separates; one cut by the reach is left out.
    reach = max(0, at - _EXCERPT_REACH)
    before = list(_TOKEN.finditer(text, reach, at))
    if before and reach > 0 and before[0].start() == reach and not text[reach - 1].isspace():
        before = before[1:]
    before = before[-EXCERPT_WORDS_BEFORE:]
    reach = min(len(text), at + _EXCERPT_REACH)
    after = list(_TOKEN.finditer(text, at, reach))
    if len(after) > 1 and after[-1].end() == reach < len(text) and not text[reach].isspace():
        after = after[:-1]
    after = after[: max(1, EXCERPT_WORDS - len(before))]
    start = before[0].start() if before else at
    end = after[-1].end()
    cut_after = end < len(text) or more
    return Marked(pieces=_marked(text[start:end], pattern), cut_before=start > 0, cut_after=cut_after)


def marked(text: str, words: list[str]) -> Marked | None:
    """The whole of a short text (an author's name) with the words that begin with one of `words` marked;
    None when none does."""
    pattern = _found_words(words)
    text = unicodedata.normalize("NFC", text)
    if pattern is None or not pattern.search(text):
        return None
    return Marked(pieces=_marked(text, pattern))
