"""The readability report: counts, scores and flagged passages for Vietnamese and English articles."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal, NotRequired, TypedDict

from reader.i18n import N_, gettext, primary_subtag
from reader.readability import english, vietnamese
from reader.readability.document import CELL, HEADING, PARAGRAPH, document_from_html, document_from_text
from reader.readability.formulas import (
    automated_readability_index,
    flesch_kincaid_grade,
    flesch_reading_ease,
    nguyen_henkin_1982,
)
from reader.readability.sentences import sentence_spans
from reader.reading import reading_minutes
from reader.settings import UI_LANGUAGES
from reader.typed_json import Rules

ReportLanguage = Literal["vi", "en"]
LANGUAGES: tuple[ReportLanguage, ...] = ("vi", "en")
FlagKind = Literal["long_sentence", "long_paragraph", "long_section", "passive_voice", "repeated_start"]
# Any of the flag limits: at least 1, and at most a number far past any sensible text.
Limit = Annotated[int, Rules(minimum=1, maximum=100_000)]

_ALNUM = re.compile(r"[^\W_]")
_PUNCTUATION = "\"'“”‘’«»()[]{}.,;:!?…-–—"

MESSAGES = {
    ("long_sentence", "en"): N_("Long sentence: %(count)d words (aim for %(limit)d or fewer)"),
    ("long_sentence", "vi"): N_("Long sentence: %(count)d syllables (aim for %(limit)d or fewer)"),
    ("long_paragraph", "en"): N_("Long paragraph: %(count)d words (aim for %(limit)d or fewer)"),
    ("long_paragraph", "vi"): N_("Long paragraph: %(count)d syllables (aim for %(limit)d or fewer)"),
    ("long_section", "en"): N_("%(count)d words without a subheading (aim for %(limit)d or fewer)"),
    ("long_section", "vi"): N_("%(count)d words without a subheading (aim for %(limit)d or fewer)"),
    ("passive_voice", "en"): N_("Passive voice: “%(phrase)s”"),
    ("repeated_start", "en"): N_("%(count)d sentences in a row start with “%(word)s”"),
    ("repeated_start", "vi"): N_("%(count)d sentences in a row start with “%(word)s”"),
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a passage is flagged: a count above its limit (Yoast's defaults for English)."""

    en_sentence_words: Limit = 20
    vi_sentence_syllables: Limit = 35
    en_paragraph_words: Limit = 150
    vi_paragraph_syllables: Limit = 200
    section_words: Limit = 300  # words (Vietnamese: segmented words) between subheadings
    repeated_start: Limit = 3  # sentences in a row starting with the same word


class FlagJSON(TypedDict):
    """A flagged passage: `text` is the report's plain text from `start` to `end`; `message` in the UI
    language."""

    kind: FlagKind
    start: int
    end: int
    text: str
    message: str


@dataclass(frozen=True, slots=True)
class Flag:
    """A flagged passage: ``text == report_text[start:end]``; message in the UI language."""

    kind: FlagKind
    start: int
    end: int
    text: str
    message: str

    def as_dict(self) -> FlagJSON:
        """The flag as a JSON-able mapping (cheaper than dataclasses.asdict, which deep-copies)."""
        return {"kind": self.kind, "start": self.start, "end": self.end, "text": self.text, "message": self.message}


class Counts(TypedDict):
    """Counts as defined in reader.readability (characters: letters and digits)."""

    sentences: int
    words: int
    syllables: int
    paragraphs: int
    characters: int


Score = Annotated[float | None, Rules(description="null for a text without words or sentences")]
# A grade is given as the formula gives it, also below the first school grade (to 0 and below, for a very short
# or very easy text): the API has always given that value, a client may compare or average it, and clamping it
# would make 1 mean two things. reader's own check page shows such a grade as "below grade 1" (below_first_grade).
Grade = Annotated[
    float | None,
    Rules(
        description="a school grade, as the published formula gives it: below 1, even below 0, for a very short "
        "or very easy text (reader's check page shows “below grade 1” then); null for a text without words or "
        "sentences"
    ),
]


class EnglishScores(TypedDict):
    flesch_reading_ease: Score
    flesch_kincaid_grade: Grade
    automated_readability_index: Grade


class VietnameseScores(TypedDict):
    syllables_per_sentence: Score
    words_per_sentence: Score
    syllables_per_word: Score
    nguyen_henkin_1982: Grade


# The scores that are school grades, and the first grade: a grade below it says nothing an editor can use.
GRADES = frozenset({"flesch_kincaid_grade", "automated_readability_index", "nguyen_henkin_1982"})
FIRST_GRADE = 1.0


def below_first_grade(name: str, value: object) -> bool:
    """Whether one of a report's scores is a grade under the first school grade (shown as "below grade 1")."""
    return name in GRADES and isinstance(value, int | float) and value < FIRST_GRADE


class Contrast(TypedDict):
    """WCAG contrast of one colour pair; the colours are absent when the stylesheet's are not hex."""

    foreground: NotRequired[str]
    background: NotRequired[str]
    ratio: float | None
    passes_aaa: bool


class WidthLines(TypedDict):
    """Characters in a full line of prose at one width setting: `max` on a wide screen; per text size, per
    viewport."""

    max: int
    sizes: dict[str, dict[str, int]]


class CharactersPerLine(TypedDict):
    """Characters in a full line of prose, about (the median line), estimated from reader's CSS and fitted to
    the lines Chromium lays out (see reader.layout_checks): fewer than the width setting's number, which is
    the most a line holds."""

    font: str
    ch_em: float
    root_px: float
    viewports: list[int]
    widths: dict[str, WidthLines]


class MissingAlt(TypedDict):
    kind: Literal["missing_alt"]
    message: str
    src: str


class EmptyAlt(TypedDict):
    """alt="": right only for a decorative image, which an article's image seldom is (WCAG 1.1.1)."""

    kind: Literal["empty_alt"]
    message: str
    src: str


class RelativeSrc(TypedDict):
    """An image address relative to the page showing it ("chart.png"): wrong on every page that shows it."""

    kind: Literal["relative_src"]
    message: str
    src: str


class FilenameAlt(TypedDict):
    kind: Literal["filename_alt"]
    message: str
    alt: str
    src: str


class SkippedHeading(TypedDict):
    kind: Literal["skipped_heading"]
    message: str
    level: int
    previous: int
    text: str


class VagueLink(TypedDict):
    kind: Literal["vague_link"]
    message: str
    text: str
    href: str


class TableWithoutHeaders(TypedDict):
    kind: Literal["table_without_headers"]
    message: str


class WideTable(TypedDict):
    kind: Literal["wide_table"]
    message: str
    columns: int
    min_width: int


class LongUnbreakable(TypedDict):
    """A run of characters without a space: `start` and `end` are offsets into the report's plain text."""

    kind: Literal["long_unbreakable"]
    message: str
    length: int
    preview: str
    text: str
    start: int
    end: int


class RemovedContent(TypedDict):
    """What the author's source had that reader does not keep (embedded pages, video, forms…): the sanitizer
    removes it silently, so the check says what is gone and how often."""

    kind: Literal["removed_content"]
    message: str
    elements: dict[str, int]


class HandMadeList(TypedDict):
    """Neighbouring paragraphs that each start with the same kind of list marker ("•", "1.", "a)"…): a list
    written as paragraphs, which a screen reader does not announce as one (reader.list_paragraphs)."""

    kind: Literal["hand_made_list"]
    message: str
    count: int
    marker: str
    text: str


LayoutIssue = (
    MissingAlt | EmptyAlt | FilenameAlt | RelativeSrc | SkippedHeading | VagueLink | TableWithoutHeaders
    | WideTable | LongUnbreakable | RemovedContent | HandMadeList
)  # fmt: skip


class LayoutReport(TypedDict):
    """Line lengths, theme contrast and markup problems of an article (reader.layout_checks)."""

    # Any language: unlike the readability report's, these checks do not read the words.
    lang: Annotated[str, Rules(description="the article's language (the primary subtag of its tag)")]
    characters_per_line: CharactersPerLine
    contrast: Annotated[
        dict[str, dict[str, Contrast]],
        Rules(description="per theme, per pair: text, link, visited_link, muted"),
    ]
    issues: list[LayoutIssue]


class _ReportCommon(TypedDict):
    counts: Counts
    flags: list[FlagJSON]
    reading_time_minutes: int
    segmenter: Annotated[str, Rules(description="how words were found")]
    layout: NotRequired[Annotated[LayoutReport, Rules(description="for HTML, and for every stored article")]]
    lead_flags: NotRequired[
        Annotated[
            list[FlagJSON],
            Rules(
                description="for a stored article: the long sentences of its lead (summary), each message saying"
                " so; start and end are offsets into the lead. The counts and scores are the body's"
            ),
        ]
    ]


class EnglishReport(_ReportCommon):
    """A readability report on English text."""

    lang: Literal["en"]
    scores: EnglishScores


class VietnameseReport(_ReportCommon):
    """A readability report on Vietnamese text; `estimates` names the scores not validated for today's
    Vietnamese."""

    lang: Literal["vi"]
    scores: VietnameseScores
    estimates: list[Literal["nguyen_henkin_1982"]]


ReadabilityReport = EnglishReport | VietnameseReport


@dataclass(frozen=True, slots=True)
class _Sentence:
    start: int
    end: int
    words: int
    syllables: int
    first: str
    prose: bool  # in a paragraph, not a heading, list item or table cell


def report_language(tag: str) -> ReportLanguage:
    """The report language for a BCP 47 tag ("en-GB" → "en"); ValueError unless Vietnamese or English."""
    primary = primary_subtag(tag)
    for language in LANGUAGES:
        if language == primary:
            return language
    raise ValueError(f"readability reports support Vietnamese (vi) and English (en), not {tag!r}")


def message_language(tag: str) -> str:
    """The language of a report's messages for a BCP 47 tag; ValueError unless reader's UI speaks it."""
    primary = primary_subtag(tag)
    if primary not in UI_LANGUAGES:
        raise ValueError(f"the UI language must be one of {', '.join(UI_LANGUAGES)}, not {tag!r}")
    return primary


def readability_report(
    *,
    lang: str,
    text: str | None = None,
    html: str | None = None,
    ui_lang: str = "en",
    thresholds: Thresholds = Thresholds(),
) -> ReadabilityReport:
    """A JSON-able readability report on plain text or article HTML; offsets point into ``report_text``."""
    lang = report_language(lang)
    ui_lang = message_language(ui_lang)
    if (text is None) == (html is None):
        raise ValueError("give exactly one of text= and html=")
    document = document_from_text(text) if text is not None else document_from_html(html or "")
    message = _messenger(lang, ui_lang)
    body = document.text

    sentences: list[_Sentence] = []
    flags: list[Flag] = []
    section: list[tuple[int, int, int]] = []  # (start, end, words) of the current section's blocks
    counts = Counts(sentences=0, words=0, syllables=0, paragraphs=0, characters=0)
    sentence_limit = thresholds.en_sentence_words if lang == "en" else thresholds.vi_sentence_syllables
    paragraph_limit = thresholds.en_paragraph_words if lang == "en" else thresholds.vi_paragraph_syllables

    def close_section() -> None:
        words = sum(block_words for _, _, block_words in section)
        if section and words > thresholds.section_words:
            start, end = section[0][0], section[-1][1]
            flags.append(_flag("long_section", body, start, end, message, count=words, limit=thresholds.section_words))
        section.clear()

    for block in document.blocks:
        if block.kind == CELL:
            continue  # table data are not prose: no sentences, words or flags
        if block.kind == HEADING:
            close_section()
        block_words = block_syllables = 0
        for start, end in sentence_spans(body, block.start, block.end, lang):
            sentence = _measure(lang, body, start, end, block.kind == PARAGRAPH)
            if not sentence.words:
                continue
            sentences.append(sentence)
            block_words += sentence.words
            block_syllables += sentence.syllables
            size = sentence.words if lang == "en" else sentence.syllables
            if size > sentence_limit:
                flags.append(_flag("long_sentence", body, start, end, message, count=size, limit=sentence_limit))
            if lang == "en":
                phrase = english.passive_phrase(body[start:end])
                if phrase:
                    flags.append(_flag("passive_voice", body, start, end, message, phrase=phrase))
        counts["words"] += block_words
        counts["syllables"] += block_syllables
        counts["characters"] += len(_ALNUM.findall(body, block.start, block.end))
        if block.kind != HEADING and block_words:
            counts["paragraphs"] += 1
            section.append((block.start, block.end, block_words))
            size = block_words if lang == "en" else block_syllables
            if size > paragraph_limit:
                flags.append(
                    _flag("long_paragraph", body, block.start, block.end, message, count=size, limit=paragraph_limit)
                )
    close_section()
    flags.extend(_repeated_starts(sentences, body, thresholds.repeated_start, message))
    flags.sort(key=lambda flag: (flag.start, -flag.end))

    counts["sentences"] = len(sentences)
    flagged = [flag.as_dict() for flag in flags]
    minutes = reading_minutes(body, lang)
    if lang == "en":
        return EnglishReport(
            lang=lang, counts=counts, scores=_english_scores(counts), flags=flagged,
            reading_time_minutes=minutes, segmenter=english.SEGMENTER,
        )  # fmt: skip
    return VietnameseReport(
        lang=lang, counts=counts, scores=_vietnamese_scores(counts), estimates=["nguyen_henkin_1982"],
        flags=flagged, reading_time_minutes=minutes, segmenter=vietnamese.SEGMENTER,
    )  # fmt: skip


# A flag in an article's lead, not its body: its message says where it is.
IN_THE_LEAD = N_("In the lead: %(message)s")


def lead_flags(*, lang: str, lead: str, ui_lang: str = "en", thresholds: Thresholds = Thresholds()) -> list[FlagJSON]:
    """The long sentences of an article's lead (its summary: shown above the body, in lists and in every
    shared link's preview, so read more than any other sentence), as flags whose offsets point into the lead.

    Only long sentences: a lead of a sentence or two has no paragraphs, sections or runs to speak of. The
    body's report is left as it was (its counts and scores, the offsets of its flags): the formulas measure
    running text, and the lead is a different kind of text, read on its own."""
    report = readability_report(lang=lang, text=lead, ui_lang=ui_lang, thresholds=thresholds)
    where = gettext(message_language(ui_lang), IN_THE_LEAD)
    return [
        FlagJSON(
            kind=flag["kind"],
            start=flag["start"],
            end=flag["end"],
            text=flag["text"],
            message=where % {"message": flag["message"]},
        )  # fmt: skip
        for flag in report["flags"]
        if flag["kind"] == "long_sentence"
    ]


def report_text(*, text: str | None = None, html: str | None = None) -> str:
    """The plain text a report's flag offsets point into: ``text`` itself, or the rendering of ``html``."""
    if text is not None:
        return text
    return document_from_html(html or "").text


def _measure(lang: str, body: str, start: int, end: int, prose: bool) -> _Sentence:
    if lang == "en":
        words, syllables, first = english.count(body, start, end)
    else:
        syllables, words, first = vietnamese.count(body, start, end)
    return _Sentence(start, end, words, syllables, first, prose)


def _english_scores(counts: Counts) -> EnglishScores:
    words, sentences, syllables = counts["words"], counts["sentences"], counts["syllables"]
    return EnglishScores(
        flesch_reading_ease=_score(lambda: flesch_reading_ease(words, sentences, syllables)),
        flesch_kincaid_grade=_score(lambda: flesch_kincaid_grade(words, sentences, syllables)),
        automated_readability_index=_score(lambda: automated_readability_index(counts["characters"], words, sentences)),
    )


def _vietnamese_scores(counts: Counts) -> VietnameseScores:
    words, sentences, syllables = counts["words"], counts["sentences"], counts["syllables"]
    return VietnameseScores(
        syllables_per_sentence=_score(lambda: syllables / sentences),
        words_per_sentence=_score(lambda: words / sentences),
        syllables_per_word=_score(lambda: syllables / words),
        nguyen_henkin_1982=_score(lambda: nguyen_henkin_1982(counts["characters"], words, sentences)),
    )


def _score(formula: Callable[[], float]) -> float | None:
    try:
        return round(formula(), 2)
    except ZeroDivisionError:
        return None  # an empty text has no score


def _repeated_starts(sentences: list[_Sentence], body: str, minimum: int, message: Callable[..., str]) -> list[Flag]:
    # Consecutive prose sentences; a heading, list item or table cell in between ends a run, since
    # parallel list items are meant to start alike.
    flags: list[Flag] = []
    run: list[_Sentence] = []
    for sentence in [*sentences, None]:
        if sentence and sentence.prose and run and sentence.first == run[0].first and sentence.first:
            run.append(sentence)
            continue
        if len(run) >= minimum:
            word = body[run[0].start : run[0].end].split(maxsplit=1)[0].strip(_PUNCTUATION)
            flags.append(_flag("repeated_start", body, run[0].start, run[-1].end, message, count=len(run), word=word))
        run = [sentence] if sentence and sentence.prose else []
    return flags


def _messenger(lang: str, ui_lang: str) -> Callable[..., str]:
    def message(kind: FlagKind, **values: object) -> str:
        return gettext(ui_lang, MESSAGES[(kind, lang)]) % values

    return message


def _flag(kind: FlagKind, body: str, start: int, end: int, message: Callable[..., str], **values: object) -> Flag:
    return Flag(kind, start, end, body[start:end], message(kind, **values))
