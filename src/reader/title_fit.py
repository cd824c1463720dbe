"""How wide an article title's longest word is, so that the title can shrink to keep it whole on a narrow
screen.

A title is set large (1.75em, twice that at 200 %), and a long word at that size can be wider than a
phone's line: "comfortable" in bold at 200 % is 344 px on a 360 px phone's 328 px line. The wrapper's
`overflow-wrap: anywhere` then breaks it between two letters, which readers with dyslexia or low vision
read as two words. Hyphenation is no cure: Chromium on Linux ships no dictionaries for `hyphens: auto`, and
it would break words that fit as well.

So the article's title says how wide its longest word is (`data-fit`, in the em of a reference font, one of
`STEPS`, rounded up), and reader.css caps the title's size at what fits that word on the line: the line's
width (`100cqi` of the article's header, an inline-size container) over the word's width in the reader's
font (each font's `title_widen`, reader.prefs) with the reader's letter spacing. A title with no long word
keeps its size; one with a long word shrinks only as far as the word needs, and never below the text's own
size (a word too long even then still breaks, as the text's own words do). A title without `data-fit` is
capped as if its longest word were `STEPS[0]` wide, which at a 16 px default never bites on a phone 320 px
or wider; with a larger browser default (20 or 24 px) it may.

A title says its `data-fit` whenever its longest word could fail to fit some reader's line, not only the
default font's: in OpenDyslexic (1.45 times as wide) with the widest letter spacing (0.24em, and WCAG
1.4.12's 0.12em) a five-letter word ("lượng") no longer fits a phone's line at 400 %, though it does at the
floor. And since reader.css counts a letter as 0.5em to turn the letter spacing into width, a word of
narrower letters says a width that makes up for its letters' spacing ("illicit", 7 letters in 2.5em).

The reference is Noto Sans Bold, the widest of the common system sans faces (Debian's system-ui, and close
to Roboto's and Arial's bold): its advances were measured in Chromium (100 px, no letter spacing) for what a
title holds most. A letter with diacritics (Vietnamese ế) has its base letter's advance, but for the horn of ơ
and ư, which makes them wider than o and u (ượ is ươ: "lượng" is 3.03em, not 2.87); a character outside
the table counts as an em, and a wide character (CJK) is a word of its own, as browsers break between them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Final

from markupsafe import Markup

from reader.prefs import FONT_CHOICES, LETTER_SPACINGS, fmt

# Noto Sans Bold's advances in em, by character.
_ADVANCES_BY_WIDTH: Final = {
    "'": 0.266, ",.:;": 0.285, "!": 0.286, "ijl": 0.305, "-": 0.322, "J[]": 0.331, "()": 0.339, "`": 0.362,
    "f": 0.387, "I": 0.389, "{}": 0.394, "_": 0.411, "/\\": 0.413, "t": 0.434, "r": 0.454, '"': 0.472,
    "?": 0.477, "z": 0.488, "s": 0.497, "c": 0.514, "*": 0.545, "F": 0.549, "S|": 0.551, "E": 0.56, "L": 0.565,
    "vy": 0.569, "0123456789$+<=>^~": 0.572, "x": 0.578, "TZ": 0.579, "e": 0.591, "a": 0.604, "o": 0.619,
    "k": 0.62, "Y": 0.624, "P": 0.628, "bdgpq": 0.633, "C": 0.637, "#": 0.646, "đ": 0.649, "V": 0.65,
    "hnu": 0.657, "R": 0.66, "K": 0.664, "X": 0.667, "B": 0.672, "A": 0.69, "G": 0.724, "DĐ": 0.74, "&": 0.75,
    "U": 0.756, "H": 0.765, "OQ": 0.796, "N": 0.813, "w": 0.856, "@": 0.897, "%": 0.901, "M": 0.943, "W": 0.967,
    "m": 0.982, "\u202f": 0.2, "\u00a0": 0.26, "\u2007": 0.572, "ơ": 0.679, "ư": 0.76, "Ơ": 0.825, "Ư": 0.885,
}  # fmt: skip
ADVANCES: Final = {char: em for chars, em in _ADVANCES_BY_WIDTH.items() for char in chars}
UNKNOWN_EM: Final = 1.0
_HORN: Final = "\u031b"

# What reader.css counts a letter as, in em, to turn the reader's letter spacing into width: a little
# narrower than most bold letters (English and Vietnamese words average 0.55-0.6em a letter), so that most
# words need no making up for (fit_em), and a reader with no letter spacing gets a title no smaller.
CSS_LETTER_EM: Final = 0.5
NARROWEST_FONT: Final = min(font.title_widen for font in FONT_CHOICES.values())
WIDEST_FONT: Final = max(font.title_widen for font in FONT_CHOICES.values())
WIDEST_SPACING: Final = max(LETTER_SPACINGS)

# The widths a title can say, in em: quarters where phones' titles are decided, then whole ems. Below the
# first, a word fits the narrowest phone's line (288 px at 320) in the widest font and letter spacing, at
# the largest title (80 px, 400 % of a 16 px default): 1.75 × (1.45 + 0.24 / 0.5) × 80 = 270 px. Past the
# last, the title is at its floor on phones at every size anyway.
STEPS: Final = (*(1.75 + quarter / 4 for quarter in range(25)), 8.0, 9.0, 10.0, 11.0, 12.0)

# Where a browser may end a line inside a title: spaces (not the no-break ones), and after a hyphen or a dash.
_WORDS: Final = re.compile(r"(?:[^\s\-\u2010\u2013\u2014]|[\u00a0\u2007\u202f])+[\-\u2010\u2013\u2014]?")


def advance_em(char: str) -> float:
    """One character's advance in the reference font (its base letter's, with its horn, for a letter with
    diacritics)."""
    em = ADVANCES.get(char)
    if em is not None:
        return em
    # The horn of ơ and ư juts out to the right (ư is 0.1em wider than u): it stays with its letter, the
    # other marks go.
    kept = (part for part in unicodedata.normalize("NFD", char) if not unicodedata.combining(part) or part == _HORN)
    base = unicodedata.normalize("NFC", "".join(kept))
    if base != char:
        return sum(advance_em(part) for part in base)
    return 0.0 if unicodedata.combining(char) else UNKNOWN_EM


def word_em(word: str) -> float:
    return sum(advance_em(char) for char in word)


def fit_em(em: float, letters: int) -> float:
    """The width a word of `letters` letters, `em` wide in the reference font, says: at least as wide as
    keeps it whole with every letter spacing, in reader.css's count of a letter (CSS_LETTER_EM) times each
    font's widening. Letter spacing adds the same to each letter: a word of narrower letters than that gets
    more of it than reader.css counts, most in the narrowest font, where spacing is the larger share."""
    spaced = (em * NARROWEST_FONT + WIDEST_SPACING * letters) / (NARROWEST_FONT + WIDEST_SPACING / CSS_LETTER_EM)
    return max(em, spaced)


def _runs(text: str) -> Iterator[tuple[float, int]]:
    """Each unbreakable run of `text`: its width in the reference font, in em, and its number of letters."""
    for word in _WORDS.findall(unicodedata.normalize("NFC", text)):
        run, letters = 0.0, 0
        for char in word:
            if unicodedata.east_asian_width(char) in ("W", "F"):
                # A wide (CJK) character may end a line on either side: each is a word of its own.
                yield run, letters
                yield advance_em(char), 1
                run, letters = 0.0, 0
            elif not unicodedata.combining(char):
                run += advance_em(char)
                letters += 1
        yield run, letters


def longest_word_em(text: str) -> float:
    """The width of the widest unbreakable run of `text` in the reference font, in em."""
    return max((em for em, _ in _runs(text)), default=0.0)


def fit_step(text: str) -> str | None:
    """The title's `data-fit` value: its longest word's width rounded up to a step; None when every word fits."""
    widest = max((fit_em(em, letters) for em, letters in _runs(text)), default=0.0)
    if widest <= STEPS[0]:
        return None
    step = next((step for step in STEPS if step >= widest), STEPS[-1])
    return fmt(step)


def fit_attribute(text: str) -> Markup:
    """What a title's element carries after its other attributes: ` data-fit="…"`, or nothing when every word
    fits (the templates' one way to write it: an article's, an error's, the index's and the settings' titles)."""
    step = fit_step(text)
    return Markup(' data-fit="{}"').format(step) if step else Markup("")
