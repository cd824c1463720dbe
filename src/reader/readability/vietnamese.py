"""Vietnamese syllables and words: native syllable counting and a dictionary longest-match word segmenter.

Text is first put in Unicode NFC, so decomposed input counts like composed input. A syllable (tiếng)
is then a maximal run of letters and digits; a number is one syllable even with separators between
digits (26/4/2016, 94,6, 1.000). Everything else (spaces, punctuation, %, hyphens, slashes between
letters) separates syllables, so "10-NQ/TU" is three syllables and "2016 - 2020" two.

Words (từ) come from greedy longest match over pyvi's word list (MIT), up to 4 syllables, ignoring case
and the old/new tone-mark placement (hoà = hòa, thuỷ = thủy); a word never spans punctuation.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

from reader.i18n import N_

# Marked for translation: the check page names it in the editor's language (the API keeps it as is).
SEGMENTER = N_("dictionary longest match, up to 4 syllables (pyvi word list, MIT)")
MAX_WORD_SYLLABLES = 4

SYLLABLE = re.compile(r"[^\W_]+(?:(?<=\d)[.,/:](?=\d)[^\W_]+)*")
# Syllables separated by whitespace only: a word may span these, never punctuation.
PHRASE = re.compile(rf"{SYLLABLE.pattern}(?:\s+{SYLLABLE.pattern})*")

# Old-style tone marks on the second vowel of an open "oa", "oe", "uy" (hoà, khoẻ, thuỷ) move to the
# first (hòa, khỏe, thủy), so both spellings look up alike; "qu" + y keeps its mark (quý).
_TONED = {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ"}
_PLAIN = {"a": "o", "e": "o", "y": "u"}
_MARKED_FIRST = {"o": "òóỏõọ", "u": "ùúủũụ"}
_OLD_STYLE = {
    _PLAIN[base] + toned[tone]: _MARKED_FIRST[_PLAIN[base]][tone] + base
    for base, toned in _TONED.items()
    for tone in range(5)
}
_OLD_STYLE_PATTERN = re.compile(rf"(?<!q)[ou][{''.join(_TONED.values())}](?!\w)")


def nfc(text: str) -> str:
    """The text in Unicode NFC (unchanged, and fast, when it already is)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def normalize(text: str) -> str:
    """A lookup key: NFC, lower case, tone marks in the new-style place."""
    return _OLD_STYLE_PATTERN.sub(_new_style, nfc(text).lower())


def _new_style(match: re.Match[str]) -> str:
    return _OLD_STYLE.get(match.group(0), match.group(0))


@functools.cache
def lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """The multi-syllable words (2–4 syllables) and every word's prefixes of 2 or more syllables."""
    source = resources.files("reader.readability").joinpath("data/vi-words.txt").read_text("utf-8")
    words: set[str] = set()
    prefixes: set[str] = set()
    for line in source.splitlines():
        syllables = normalize(line).split()
        if not 2 <= len(syllables) <= MAX_WORD_SYLLABLES:
            continue
        words.add(" ".join(syllables))
        for size in range(2, len(syllables) + 1):
            prefixes.add(" ".join(syllables[:size]))
    return frozenset(words), frozenset(prefixes)


def word_sizes(syllables: list[str]) -> list[int]:
    """The syllable count of each word in a run of normalized syllables, by greedy longest match."""
    words, prefixes = lexicon()
    sizes: list[int] = []
    index = 0
    total = len(syllables)
    while index < total:
        longest = 1
        candidate = syllables[index]
        last = index + MAX_WORD_SYLLABLES
        for stop in range(index + 2, (last if last < total else total) + 1):
            candidate = f"{candidate} {syllables[stop - 1]}"
            if candidate not in prefixes:
                break  # no longer word starts this way
            if candidate in words:
                longest = stop - index
        sizes.append(longest)
        index += longest
    return sizes


def count(text: str, start: int, end: int) -> tuple[int, int, str]:
    """(syllables, words, first syllable as a lookup key) in ``text[start:end]``."""
    phrases = PHRASE.findall(normalize(text[start:end]))
    syllables = 0
    words = 0
    for phrase in phrases:
        parts = phrase.split()
        syllables += len(parts)
        words += len(word_sizes(parts)) if len(parts) > 1 else 1
    return syllables, words, phrases[0].split(maxsplit=1)[0] if phrases else ""


def segment(text: str) -> list[str]:
    """The words of a text (in NFC), syllables joined by "_" as pyvi writes them; for inspection and tests."""
    result: list[str] = []
    for phrase in PHRASE.findall(nfc(text)):
        original = phrase.split()
        index = 0
        for size in word_sizes(normalize(phrase).split()):
            result.append("_".join(original[index : index + size]))
            index += size
    return result
