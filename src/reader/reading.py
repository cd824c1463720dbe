"""Reading-time estimates: English by words (about 238 a minute), Vietnamese by syllables (about 300)."""

from __future__ import annotations

import html
import math
import re

from reader.i18n import primary_subtag
from reader.models import Article

WORDS_PER_MINUTE = 238  # Brysbaert 2019, silent reading of English non-fiction
VI_SYLLABLES_PER_MINUTE = 300  # an estimate: no adult Vietnamese norm is published

# A tag of sanitized HTML, quoted attribute values included (a ">" may stand in one).
_TAG = re.compile(r"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def plain_text(body_html: str) -> str:
    """The text of sanitized article HTML, tags removed and entities decoded."""
    return html.unescape(_TAG.sub(" ", body_html))


def count_units(text: str) -> int:
    """Whitespace-separated words; in Vietnamese each of these is one syllable."""
    return len(_WORD.findall(text))


def reading_minutes(text: str, lang: str) -> int:
    """Whole minutes to read a text silently, at least 1."""
    rate = VI_SYLLABLES_PER_MINUTE if primary_subtag(lang) == "vi" else WORDS_PER_MINUTE
    return max(1, math.ceil(count_units(text) / rate))


def article_minutes(article: Article) -> int:
    """An article's reading time as its header shows it: its lead and body text."""
    return reading_minutes(article.summary + " " + plain_text(article.body_html), article.lang)
