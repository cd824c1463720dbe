"""English words, syllables (CMUdict, then Pyphen) and passive voice.

A word is a whitespace-separated token holding at least one letter or digit ("well-known", "e.g.",
"2026" and "don't" are one word each; a lone "—" is none). A word's syllables: its CMUdict entry
(vowels in the first pronunciation, at least 1); otherwise the sum over its letter runs (split at
hyphens, slashes, dots) of their CMUdict entry or else Pyphen's en_US hyphenation points + 1; each
run of digits is one syllable.
"""

from __future__ import annotations

import functools
import gzip
import re
from importlib import resources

import pyphen

from reader.i18n import N_

# Marked for translation: the check page names it in the editor's language (the API keeps it as is).
SEGMENTER = N_("whitespace words")

# From the first letter or digit to the end of the token: one match per word, and linear time.
WORD = re.compile(r"[^\W_]\S*")
_EDGES = "\"'“”‘’«»()[]{}<>.,;:!?…*_–—-/"
_PARTS = re.compile(r"[a-z']*[a-z][a-z']*|\d+")

_BE = r"(?:(?<![\w'’])(?:am|is|are|was|were|be|been|being|(?:is|are|was|were)n['’]t)|(?<=\w)['’]s)"
_ADVERB = r"(?:\w+ly|not|never|also|often|always|already|still|just|now|then|sometimes|rarely|usually|being)"
IRREGULAR_PARTICIPLES = frozenset(
    """arisen awoken beaten become begun bent bet bid bitten blown broken brought built burnt bought caught
    chosen come cost cut dealt done drawn drunk driven eaten fallen fed felt fought found flown forbidden
    forgotten forgiven frozen got gotten given gone grown hung heard hidden hit held hurt kept known laid led
    left lent let lain lit lost made meant met paid put quit read ridden rung risen run said seen sought sold
    sent set shaken shot shown shut sung sunk sat slept slid spoken spent spun spread stood stolen stuck
    struck sworn swept swum taken taught torn told thought thrown understood undone upset woken worn won
    withdrawn written overcome overtaken overseen""".split()
)
# Words ending in "-ed" that are not participles.
_NOT_PARTICIPLES = frozenset("bed bred fed led red shed sled wed need seed feed speed indeed hundred sacred".split())
_PASSIVE = re.compile(
    rf"{_BE}(?:\s+{_ADVERB})?\s+(?P<participle>[a-z]+ed|{'|'.join(sorted(IRREGULAR_PARTICIPLES))})\b",
    re.IGNORECASE,
)


@functools.cache
def cmudict_syllables() -> dict[str, int]:
    """Syllables per word from the bundled CMUdict-derived list (loaded once, on first use)."""
    data = resources.files("reader.readability").joinpath("data/en-syllables.txt.gz").read_bytes()
    table: dict[str, int] = {}
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        count, _, words = line.partition("\t")
        table.update(dict.fromkeys(words.split(), max(1, int(count))))
    return table


@functools.cache
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


@functools.lru_cache(maxsize=65536)
def word_syllables(word: str) -> int:
    """Syllables in one word token as it appears in text (surrounding punctuation is ignored)."""
    key = word.strip(_EDGES).lower().replace("’", "'")
    table = cmudict_syllables()
    if key in table:
        return table[key]
    total = 0
    for part in _PARTS.findall(key):
        if part[0].isdigit():
            total += 1
        elif part in table:
            total += table[part]
        else:
            stripped = part.strip("'")
            total += len(_hyphenator().positions(stripped)) + 1 if stripped else 0
    return max(1, total)


def count(text: str, start: int, end: int) -> tuple[int, int, str]:
    """(words, syllables, first word lower-cased) of ``text[start:end]``."""
    words = WORD.findall(text, start, end)
    syllables = sum(map(word_syllables, words))
    first = words[0].strip(_EDGES).lower() if words else ""
    return len(words), syllables, first


def passive_phrase(sentence: str) -> str | None:
    """The first passive construction in a sentence ("was written", "is being used"), or None."""
    for match in _PASSIVE.finditer(sentence):
        if match.group("participle").lower() not in _NOT_PARTICIPLES:
            return match.group(0)
    return None
