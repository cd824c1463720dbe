"""Sentence splitting for Vietnamese and English news text.

A sentence ends at a run of ``.``, ``!``, ``?`` or ``…`` (closing quotes and brackets may follow) when
whitespace and then a capital letter, a digit, an opening quote or bracket, or the end of the block
come next. It does not end at a single "." after a known abbreviation of the text's language (Mr., e.g.,
TP., ThS. …) or a run of them joined by dots (PGS.TS., GS.TSKH.), nor, in English, after a single capital
letter (an initial, "J. K."). So numbers (8,42% · 1.000 · 26/4/2016), codes (10-NQ/TU) and a mid-sentence
ellipsis ("nâng cao..., từ đó") never split, having no space or no capital after them. Splitting never
crosses a block: headings, list items and table cells are units of their own.

The abbreviations are per language: English "ca.", "co.", "gen." and "Sen." are Vietnamese words (ca, co,
gen, sen: "120 ca.", "bà Nguyễn Thị Sen."), and a Vietnamese news story names people by a single letter
("anh Nguyễn Văn A. Anh A cho biết…"), so Vietnamese text has neither the English list nor the initials
rule. Other languages are split with the English rules.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from reader.i18n import primary_subtag

# Latin abbreviations and titles that are no word of Vietnamese, so both languages' texts may hold them.
_SHARED = frozenset({"mr", "mrs", "ms", "dr", "prof", "vs", "etc", "e.g", "i.e", "ph.d", "u.s", "u.k"})
ENGLISH_ABBREVIATIONS = _SHARED | frozenset(
    {
        "st", "jr", "sr", "cf", "fig", "ca", "approx", "inc", "ltd", "co", "corp", "gen", "gov", "sen", "rep",
        "rev", "capt", "col", "lt", "sgt", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "a.m", "p.m", "vol", "p", "pp", "ed", "eds", "al",
    }
)  # fmt: skip
VIETNAMESE_ABBREVIATIONS = _SHARED | frozenset(
    {
        # thành phố, tiến sĩ, thạc sĩ (ThS., Th.S.), tiến sĩ khoa học, giáo sư, phó giáo sư, bác sĩ, bác sĩ
        # chuyên khoa, kỹ sư, kiến trúc sư, luật sư, nghiên cứu sinh, nghệ sĩ nhân dân / ưu tú, giám đốc, phó /
        # tổng giám đốc, thị trấn, thị xã, quận, phường, trang, nhà xuất bản, số điện thoại, ví dụ, và vân vân
        "tp", "ts", "ths", "th.s", "tskh", "gs", "pgs", "bs", "bsck", "ck", "ks", "kts", "ls", "ncs", "nsnd",
        "nsưt", "gđ", "pgđ", "tgđ", "tt", "tx", "q", "p", "tr", "nxb", "sđt", "đt", "vd", "v.v",
    }
)  # fmt: skip


class _Rules(NamedTuple):
    abbreviations: frozenset[str]
    initials: bool  # a single capital letter and a full stop is an initial ("J. K. Rowling")


_RULES = {"vi": _Rules(VIETNAMESE_ABBREVIATIONS, initials=False), "en": _Rules(ENGLISH_ABBREVIATIONS, initials=True)}

# What may close a quotation or an aside after a sentence's last mark: «Ông nói: “Xong.”» ends a sentence.
CLOSERS = "\"'”’»)]"
_END = re.compile(f"[.!?…]+[{re.escape(CLOSERS)}]*")
_OPENERS = frozenset("\"'“‘«([")


def sentence_spans(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as (start, end) offsets, each trimmed of surrounding spaces.

    `lang` is the text's language tag ("vi", "en-GB"): it picks the abbreviations (see the module docstring).
    """
    rules = _RULES.get(primary_subtag(lang), _RULES["en"])
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _END.finditer(text, start, end):
        stop = match.end()
        rest = stop
        while rest < end and text[rest].isspace():
            rest += 1
        if rest < end:
            if rest == stop:
                continue  # no space after: 1.000, 26/4, "nâng cao...,"
            following = text[rest]
            if not (following.isupper() or following.isdigit() or following in _OPENERS):
                continue
        if match.group(0) == "." and _is_abbreviation(rules, text, begin, match.start()):
            continue
        _add(text, spans, begin, stop)
        begin = rest
    _add(text, spans, begin, end)
    return spans


def _is_abbreviation(rules: _Rules, text: str, begin: int, dot: int) -> bool:
    word_start = dot
    while word_start > begin and not text[word_start - 1].isspace() and text[word_start - 1] not in _OPENERS:
        word_start -= 1
    word = text[word_start:dot]
    if rules.initials and len(word) == 1 and word.isupper():
        return True
    word = word.lower()
    if word in rules.abbreviations:
        return True
    # Titles written together: PGS.TS. Nguyễn Văn A, GS.TSKH. Trần B
    parts = word.split(".")
    return len(parts) > 1 and all(part in rules.abbreviations for part in parts)


def _add(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
