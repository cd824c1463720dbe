"""URL slugs: ASCII, lower case, words joined by hyphens; Vietnamese transliterated."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG_LENGTH = 80
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l"})


_WORD = re.compile(r"[a-z0-9]+")
# The combining marks a decomposition leaves (diacritics: Vietnamese uses U+0300–U+036F), and the rest.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NOT_ASCII = re.compile("[^\x00-\x7f]")


def folded(text: str) -> str:
    """A text as slugs spell it, before the words are joined: letters without their diacritics, lower case,
    the marks a decomposition leaves dropped, everything else that has no ASCII form a space ("Bắc–Kạn!"
    gives "bac kan!"), with no step per character in Python (an article's body may be two million
    characters: reader.search)."""
    decomposed = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_SPECIAL)))
    # Any other character without an ASCII form separates words, as it does in the text: dropped, it joined
    # the words around it ("Bắc–Nam" was one word, "bacnam", which a search for "nam" did not find).
    return _NOT_ASCII.sub(" ", decomposed).lower()


def ascii_words(text: str) -> list[str]:
    """The words of a text as slugs spell them, every one, in order ("Bắc  Kạn!" gives ["bac", "kan"])."""
    return _WORD.findall(folded(text))


def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """A slug for a title: "Bắc Kạn nâng cao…" becomes "bac-kan-nang-cao-…"."""
    slug = "-".join(ascii_words(text))
    if len(slug) > max_length:
        cut = slug[:max_length]
        # Break between words when there is one to break at.
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def is_valid_slug(slug: str) -> bool:
    """True for a slug reader would produce or accept."""
    return len(slug) <= MAX_SLUG_LENGTH and bool(SLUG_PATTERN.fullmatch(slug))  # match() would take "a\n"


# The most words a search takes (reader.store's list_articles): each is one more condition.
MAX_SEARCH_WORDS = 8
# A word is stored and searched for by its first this many letters (reader.search.search_text): no word of
# real text is longer (a run of letters past it is an address, a hash or junk), and PostgreSQL's tsvector keeps
# a word's length in 11 bits: one of 2,048 bytes or more was stored with its length wrapped, where SQLite's
# index kept it whole, and the backends found different articles. Cut on both, a search's word cut the same way
# still begins the stored one.
MAX_WORD = 100


def search_words(query: str) -> list[str]:
    """The words of a search, as slugs spell them ("Bắc  Kạn!" gives ["bac", "kan"]), at most
    MAX_SEARCH_WORDS of them."""
    return [word[:MAX_WORD] for word in _all_search_words(query)[:MAX_SEARCH_WORDS]]


def search_is_cut(query: str) -> bool:
    """True when a search has more words than are looked for (the page says so)."""
    return len(_all_search_words(query)) > MAX_SEARCH_WORDS


def _all_search_words(query: str) -> list[str]:
    return ascii_words(query)
