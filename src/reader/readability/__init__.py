"""Readability reports for Vietnamese and English articles: counts, scores, flagged passages.

Definitions (used by every count in a report):

- characters: letters and digits (Unicode), nothing else: no spaces, punctuation or symbols;
- Vietnamese syllables and words: see ``reader.readability.vietnamese``; English words and syllables:
  see ``reader.readability.english``;
- sentences: see ``reader.readability.sentences``; a sentence without a word is not counted;
- paragraphs: blocks other than headings that hold at least one word (list items and captions included);
- table cells (td, th) are data, not prose: no sentences, words or flags come from them, nor from the
  paragraphs, lists or headings inside one (Word writes ``<td><p>2019</p></td>``); a paragraph inside a list
  item counts as the item (``<li><p>…</p></li>`` as ``<li>…</li>``);
- sections: the blocks between two headings (the start and end of the text count as headings);
- offsets: into ``report_text(...)``: the plain text given, or ``plain_text_for_report(html)``.
"""

from __future__ import annotations

from reader.readability.document import plain_text_for_report
from reader.readability.formulas import (
    automated_readability_index,
    flesch_kincaid_grade,
    flesch_reading_ease,
    nguyen_henkin_1982,
)
from reader.readability.report import Flag, Thresholds, lead_flags, readability_report, report_text

__all__ = [
    "Flag",
    "Thresholds",
    "automated_readability_index",
    "flesch_kincaid_grade",
    "flesch_reading_ease",
    "lead_flags",
    "nguyen_henkin_1982",
    "plain_text_for_report",
    "readability_report",
    "report_text",
]
