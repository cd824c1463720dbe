"""What a reader sees while their chosen web font downloads: a system font scaled to the web font's width and
given its vertical metrics, so that lines break about where the web font will break them and nothing moves
when it arrives (text that stays put, from the first paint on).

The web fonts say `font-display: swap` (reader.fonts: text is never invisible), so a first visit sets the text
in the next family of the stack until the file arrives. OpenDyslexic is about 1.6 times as wide as a system
sans, so every paragraph took a quarter to a third fewer lines in the fallback and grew when the font came:
Lighthouse's first visit with OpenDyslexic on a phone measured a layout shift of 0.054; with these
fallbacks, 0.016 (docs/performance.md). Here each web font gets one `@font-face` per common system sans, a
face of a family of its own ("OpenDyslexic fallback: Arial"…) listed in the font's stack right after the
web font, with
- `size-adjust`: how much wider text is in the web font than in the system font, so that a line holds about
  as many characters in both. Against Noto Sans it is measured: the demo articles' text (Vietnamese and
  English), shaped with HarfBuzz as a browser shapes it (kerning included), in the web font's files and in
  Debian's Noto Sans. Against the other system fonts it goes through capsize's published average advances
  (`xWidthAvg`, each character weighted by how often it occurs in English), whose Noto Sans figure is that
  of Debian's file. (capsize's weighting alone put OpenDyslexic 4 % wider than it sets the demo text.)
- `ascent-override`, `descent-override`, `line-gap-override`: the web font's own, so the baseline sits where
  the web font will put it (browsers scale these by size-adjust too, hence the division);
- `unicode-range`: only the characters of reader's languages that the web font has. A character the web font
  lacks is set in the system font after the swap, so it must be set in it, unscaled, before the swap too.

A second face of the same family sets the figures (FIGURES: digits, "%" and "+") at their own scale where
the text's is far off for them (FIGURES_APART): OpenDyslexic's figures are 1.11 times as wide as Noto Sans's
where its text is 1.57 times. In the stand-in, the toolbar's "200 %" was 141 px wide instead of 118 and A+
95 instead of 88, so on a phone at 200 % the size's number went under A+ and A−, and came back beside them
when the font arrived (a layout shift of 0.13). Lexend's and Atkinson Hyperlegible's figures are within a
tenth of their text's scale, and keep it: a row that just fits (Lexend's "Text size 150 %" on a 360 px
phone) can come out either way by a pixel, and a scale of their own moved one such row instead.

The first system font present on the reader's device is used: Arial (Windows, macOS, iOS), Roboto (Android,
ChromeOS), Noto Sans (Linux). Their figures are data (SYSTEM_FONTS); the web fonts' are read from the files
in static/ by ``scripts/generate_css.py``, which writes the rules to static/css/font-fallbacks.css (fontTools
and HarfBuzz are in the test extras, not in what serving needs). Pages get that file with the faces
(reader.assets.WEB_FONTS) where a web font sets the text; the <reader-article> component adds it to the host
document with fonts.css, because `@font-face` rules inside a shadow root do not apply.

The measure (reader.prefs.Font.char_ch, in `ch`: the width of "0" in the first font available) is given in
`em` for a web font (prefs_css), so the column is as wide before the swap as after it.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader import fonts, prefs


@dataclass(frozen=True, slots=True)
class Metrics:
    """A regular face's figures, in its units: how wide text in it is (`x_width_avg`, capsize's average
    advance, each character weighted by how often it occurs in English; tests/test_font_fallbacks.py
    recomputes Noto Sans's from Debian's file) and its vertical metrics (hhea, as browsers read them for
    these fonts)."""

    units_per_em: int
    x_width_avg: int
    ascent: int
    descent: int  # negative: below the baseline
    line_gap: int


@dataclass(frozen=True, slots=True)
class SystemFont:
    """A system sans the fallbacks are made of, where a device has it."""

    name: str
    local_names: tuple[str, ...]  # its full name and PostScript name, as `local()` finds fonts
    metrics: Metrics
    figures: int  # the advances of FIGURES added up, in its units


# Arial's and Roboto's figures are capsize's (@capsizecss/metrics 4.3.0); Noto Sans's are both capsize's and
# those of Debian 12's fonts-noto-core file. The advances of FIGURES (each font's digits are all as wide):
# Arial's are Liberation Sans's (made with Arial's advances; Debian's fonts-liberation 1.07.4), Roboto's those
# of Debian's fonts-roboto-unhinted 2:0~20170802, Noto Sans's its file's (tests/test_font_fallbacks.py). Each
# system font costs about 100 bytes of the stylesheet as sent, which every first visit pays (within a 40 KiB
# budget): DejaVu Sans, Linux's sans where Noto is not installed, is left out for that (its text is then as
# before: the column stays put, the lines do not).
SYSTEM_FONTS = (
    SystemFont("Arial", ("Arial", "ArialMT"), Metrics(2048, 913, 1854, -434, 67), 10 * 1139 + 1821 + 1196),
    SystemFont("Roboto", ("Roboto", "Roboto-Regular"), Metrics(2048, 911, 1900, -500, 0), 10 * 1151 + 1500 + 1162),
    SystemFont("Noto Sans", ("Noto Sans", "NotoSans-Regular"), Metrics(1000, 474, 1069, -293, 0), 10 * 572 + 831 + 572),
)

# The system font the web fonts are measured against: capsize's figures for it are those of Debian's file
# (fonts-noto-core, which scripts/test installs), so a web font's width in capsize's terms follows from
# shaping the same text in both files.
(REFERENCE,) = [font for font in SYSTEM_FONTS if font.name == "Noto Sans"]
REFERENCE_FILE = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
# Debian 12's fonts-noto-core 20201225-1: another build could set text otherwise and change the stylesheet.
REFERENCE_SHA256 = "89c3c497f618fdaa0b2d1e98fef93582f28c71debd2c4a8cdf41f190ced2909d"


@functools.cache
def reference_file() -> Path:
    """The reference font's file, as the figures were taken from it (or why it cannot be used)."""
    try:
        digest = hashlib.sha256(REFERENCE_FILE.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise FileNotFoundError(f"{REFERENCE_FILE} is missing: install Debian's fonts-noto-core") from None
    if digest != REFERENCE_SHA256:
        raise ValueError(f"{REFERENCE_FILE} is not Debian 12's fonts-noto-core 20201225-1 (sha256 {digest})")
    return REFERENCE_FILE


# The characters of reader's languages and their punctuation: what the fallbacks are for. Anything else is
# left to the system font unscaled, before the swap as after it.
TEXT_CHARACTERS = frozenset(
    [chr(code) for code in range(0x20, 0x7F)]
    + [chr(code) for code in range(0xA0, 0x100)]
    + list(fonts.LANGUAGE_LETTERS["vi"])
    + list("\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2022\u20ab\u20ac")  # – — ‘ ’ “ ” … • ₫ €
)
# The figures the toolbar sets (the text size, "200 %"; A+), and any text with them, with a face of their own
# where the text's scale sets them more than FIGURES_APART too wide or too narrow.
FIGURES = "0123456789%+"
FIGURES_APART = 0.2


@dataclass(frozen=True, slots=True)
class _FontFile:
    units_per_em: int
    advances: dict[int, int]  # by character
    ascent: int
    descent: int
    line_gap: int


@functools.cache
def _font_file(path: Path) -> _FontFile:
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    advances = font["hmtx"]
    hhea = font["hhea"]
    return _FontFile(
        font["head"].unitsPerEm,
        {code: advances[glyph][0] for code, glyph in font.getBestCmap().items()},
        hhea.ascent,
        hhea.descent,
        hhea.lineGap,
    )


@dataclass(frozen=True, slots=True)
class WebFont:
    family: str
    # Its vertical metrics (of the face that sets basic Latin) and its width in capsize's terms: what Noto Sans's
    # figure would be if Noto Sans set the demo articles' text as wide as this font does.
    metrics: Metrics
    zero_em: float  # the advance of "0" in em: what 1ch is once the font is there
    characters: frozenset[int]  # the characters its regular faces set
    figures_em: float  # the advances of FIGURES added up, in em


@functools.cache
def web_font(static_dir: Path, family: str) -> WebFont | None:
    """A family's figures from its regular faces in static/ (None for a family that is not a web font)."""
    faces = fonts.declared_faces(static_dir)
    if fonts.face_for(faces, family, "a") is None:
        return None

    def file_for(char: str) -> _FontFile:
        face = fonts.face_for(faces, family, char)
        if face is None or ord(char) not in (file := _font_file(static_dir / face.path)).advances:
            raise ValueError(f"{family} has no {char!r}: its average width cannot be weighed")
        return file

    characters = frozenset(
        code
        for face in faces
        if face.family == family and face.weight == "400" and face.style == "normal"
        for code in _font_file(static_dir / face.path).advances
        if face.covers(chr(code)) and fonts.face_for(faces, family, chr(code)) == face
    )
    # How wide reader's own text is in it, against the reference system font, in capsize's terms.
    text = "".join(char for char in demo_text() if ord(char) in characters and char in TEXT_CHARACTERS)
    ratio = _shaped_em([(static_dir / path, part) for path, part in fonts.runs(faces, family, text)]) / _shaped_em(
        [(reference_file(), text)]
    )
    reference = REFERENCE.metrics
    latin = file_for("a")
    width = reference.x_width_avg / reference.units_per_em * ratio * latin.units_per_em
    metrics = Metrics(latin.units_per_em, round(width), latin.ascent, latin.descent, latin.line_gap)
    zero = file_for("0")
    figures = sum(file_for(char).advances[ord(char)] / file_for(char).units_per_em for char in FIGURES)
    return WebFont(family, metrics, zero.advances[ord("0")] / zero.units_per_em, characters, figures)


@functools.cache
def demo_text() -> str:
    """The text of the demo articles (titles, leads, bodies; Vietnamese and English), whitespace collapsed."""
    from bs4 import BeautifulSoup

    from reader.demo import demo_drafts

    parts = []
    for draft in demo_drafts():
        body = BeautifulSoup(draft.body_html, "html.parser").get_text(" ")
        parts += [draft.title, draft.summary or "", body]
    return " ".join(" ".join(parts).split())


def _shaped_em(runs: list[tuple[Path, str]]) -> float:
    """The advance of text shaped as a browser shapes it (HarfBuzz, with the fonts' kerning), in em."""
    import uharfbuzz

    total = 0.0
    for path, text in runs:
        font = fonts.harfbuzz_font(path)
        buffer = uharfbuzz.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        uharfbuzz.shape(font, buffer, {})
        total += sum(position.x_advance for position in buffer.glyph_positions) / font.face.upem
    return total


# The masthead (templates/_masthead.html): the site's name, in bold, and its links, by their messages. Its rows
# break where these widths say, not where the text in front of the reader happens to end (reader.css: the
# masthead), so that they break the same way in a web font's stand-in as in the font: the stand-in is as wide
# as the font on average, but a short label is not (OpenDyslexic sets "Bài viết" 9 % wider than its stand-in,
# and the stand-in's bold, a regular face made bold, is 8 % wider than the font's bold): the links took a row
# of their own when the font came (50 px on a phone at 150 %, a layout shift of 0.16 on every page).
MASTHEAD_BRAND = "reader"
MASTHEAD_LINKS = ("Articles", "Reading settings")
# What a label may be wider in a stand-in made of Arial or Roboto than in the one of Noto Sans measured here.
MASTHEAD_MARGIN = 1.04


def text_em(static_dir: Path, web: WebFont, text: str, weight: str = "400") -> float:
    """How wide a text is, in em, in the font or in its stand-in (Noto Sans scaled; bold made from the regular
    face, as browsers do), whichever is wider. A character the font lacks is set in the system font in both."""
    faces = fonts.declared_faces(static_dir)
    scale = size_adjust(web.metrics, REFERENCE.metrics)
    figures_scale = figures_adjust(web, REFERENCE) if own_figures(web, REFERENCE) else scale
    font = stand_in = 0.0
    for char in text:
        own = ord(char) in web.characters and char in TEXT_CHARACTERS
        face = fonts.face_for(faces, web.family, char, weight) if own else None
        system = _shaped_em([(reference_file(), char)])
        font += _shaped_em([(static_dir / face.path, char)]) if face else system
        stand_in += system * (figures_scale if char in FIGURES else scale) if own else system
    # Character by character: no kerning, which would only narrow these few words.
    return max(font, stand_in)


def masthead_em(static_dir: Path, web: WebFont, text: str, weight: str = "400") -> str:
    """A masthead item's width for the stylesheet, in its own em, rounded up."""
    return f"{math.ceil(text_em(static_dir, web, text, weight) * MASTHEAD_MARGIN * 10) / 10:g}em"


def fallback_family(web: WebFont, system: SystemFont) -> str:
    """The family name of a web font's fallback made of a system font (a name no other font has)."""
    return f"{web.family} fallback: {system.name}"


def size_adjust(web: Metrics, system: Metrics) -> float:
    """How much larger the system font is set so that its text is as wide as the web font's."""
    return (web.x_width_avg / web.units_per_em) / (system.x_width_avg / system.units_per_em)


def figures_adjust(web: WebFont, system: SystemFont) -> float:
    """How much larger the system font's figures are set so that they are as wide as the web font's."""
    return web.figures_em / (system.figures / system.metrics.units_per_em)


def own_figures(web: WebFont, system: SystemFont) -> bool:
    """Whether the web font's figures get a stand-in of their own, made of the system font (FIGURES_APART)."""
    return abs(figures_adjust(web, system) / size_adjust(web.metrics, system.metrics) - 1) > FIGURES_APART


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _ranges(codes: Iterable[int]) -> str:
    runs: list[list[int]] = []
    for code in sorted(codes):
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return ",".join(f"U+{low:X}" if low == high else f"U+{low:X}-{high:X}" for low, high in runs)


def fallback_faces(web: WebFont) -> str:
    """The `@font-face` rules of a web font's fallbacks, one per system font for its text, then one for its
    figures where it needs one (FIGURES_APART). The figures' range is inside the text's, and of two faces of a
    family whose ranges overlap, the one defined last sets the characters of both (CSS Fonts 4,
    unicode-range)."""
    text_range = _ranges(web.characters & {ord(char) for char in TEXT_CHARACTERS})
    figures_range = _ranges(web.characters & {ord(char) for char in FIGURES})
    rules = []
    for system in SYSTEM_FONTS:
        sources = ", ".join('local("' + name + '")' for name in system.local_names)
        for scale, unicode_range in (
            (size_adjust(web.metrics, system.metrics), text_range),
            (figures_adjust(web, system), figures_range),
        ):
            if unicode_range is figures_range and not own_figures(web, system):
                continue
            em = web.metrics.units_per_em * scale
            rules.append(
                "@font-face {\n"
                f'  font-family: "{fallback_family(web, system)}";\n'
                f"  src: {sources};\n"
                f"  size-adjust: {_percent(scale)};\n"
                f"  ascent-override: {_percent(web.metrics.ascent / em)};\n"
                f"  descent-override: {_percent(-web.metrics.descent / em)};\n"
                f"  line-gap-override: {_percent(web.metrics.line_gap / em)};\n"
                f"  unicode-range: {unicode_range};\n"
                "}\n"
            )
    return "".join(rules)


def with_fallbacks(stack: str, web: WebFont) -> str:
    """A font stack with the web font's fallbacks right after it."""
    first, _, rest = stack.partition(",")
    fallbacks = ", ".join(f'"{fallback_family(web, system)}"' for system in SYSTEM_FONTS)
    return f"{first}, {fallbacks},{rest}"


STYLESHEET = "css/font-fallbacks.css"


def stylesheet(static_dir: Path) -> str:
    """static/css/font-fallbacks.css: the fallbacks of every font choice that is a web font."""
    parts = [
        "/* Generated by scripts/generate_css.py (reader.font_fallbacks): do not edit. While a web font downloads,\n"
        "   its text is set in a system font as wide as it, with its vertical metrics. */\n"
    ]
    for font in prefs.FONT_CHOICES.values():
        web = web_font(static_dir, fonts.first_family(font.stack))
        if web is not None:
            parts.append(fallback_faces(web))
    return "".join(parts)
