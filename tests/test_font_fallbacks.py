from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from reader import font_fallbacks, fonts, prefs
from reader.font_fallbacks import SYSTEM_FONTS
from reader.paths import STATIC_DIR

WEB_FONTS = {"lexend": "Lexend", "opendyslexic": "OpenDyslexic", "atkinson": "Atkinson Hyperlegible"}


def _web(choice: str) -> font_fallbacks.WebFont:
    web = font_fallbacks.web_font(STATIC_DIR, fonts.first_family(prefs.FONT_CHOICES[choice].stack))
    assert web is not None
    return web


def _unicode_range(rules: str) -> set[int]:
    (value,) = {line.split(":", 1)[1].strip(" ;") for line in rules.splitlines() if "unicode-range" in line}
    covered: set[int] = set()
    for part in value.split(","):
        low, _, high = part.removeprefix("U+").partition("-")
        covered |= set(range(int(low, 16), int(high or low, 16) + 1))
    return covered


def test_the_reference_fonts_figures_are_capsizes_and_those_of_its_file() -> None:
    # Recomputed from Debian's Noto Sans (fonts-noto-core, which scripts/test installs) with capsize's weights,
    # they are capsize's published ones (xWidthAvg 474): so capsize's figures for Arial and Roboto compare with
    # the web fonts' widths, which are measured against this file.
    assert font_fallbacks.file_metrics(font_fallbacks.reference_file()) == font_fallbacks.REFERENCE.metrics
    assert font_fallbacks.REFERENCE.metrics.x_width_avg == 474


def test_the_web_fonts_are_those_the_choices_name() -> None:
    found = {
        choice: web.family
        for choice, font in prefs.FONT_CHOICES.items()
        if (web := font_fallbacks.web_font(STATIC_DIR, fonts.first_family(font.stack))) is not None
    }
    assert found == WEB_FONTS


def test_opendyslexic_is_set_far_larger_in_its_fallbacks() -> None:
    # The reason for all this: OpenDyslexic sets the demo text about 1.57 times as wide as Noto Sans does.
    web = _web("opendyslexic")
    scales = {system.name: font_fallbacks.size_adjust(web.metrics, system.metrics) for system in SYSTEM_FONTS}
    assert 1.5 < scales["Noto Sans"] < 1.65, scales
    assert all(1.5 < scale < 1.8 for scale in scales.values()), scales


@pytest.mark.parametrize("choice", list(WEB_FONTS))
def test_a_fallback_covers_only_characters_the_web_font_sets(choice: str) -> None:
    # A character outside the range is set in the system font unscaled, before the swap as after it: a range
    # wider than the web font would set such a character scaled up before the swap and not after.
    web = _web(choice)
    rules = font_fallbacks.fallback_faces(web)
    assert rules.count("@font-face") == len(SYSTEM_FONTS)
    faces = fonts.declared_faces(STATIC_DIR)
    for code in _unicode_range(rules):
        face = fonts.face_for(faces, web.family, chr(code))
        assert face is not None and code in TTFont(STATIC_DIR / face.path).getBestCmap(), hex(code)


@pytest.mark.parametrize(("choice", "lang"), [("lexend", "vi"), ("opendyslexic", "vi"), ("atkinson", "en")])
def test_every_letter_of_the_languages_a_font_is_offered_for_is_in_its_fallback(choice: str, lang: str) -> None:
    covered = _unicode_range(font_fallbacks.fallback_faces(_web(choice)))
    assert {ord(char) for char in fonts.LANGUAGE_LETTERS[lang] + " .,;:!?()-'\u2019\u201c\u201d"} <= covered


def test_a_web_fonts_stack_lists_its_fallbacks_right_after_it() -> None:
    web = _web("opendyslexic")
    stack = font_fallbacks.with_fallbacks(prefs.FONT_CHOICES["opendyslexic"].stack, web)
    assert stack == (
        'OpenDyslexic, "OpenDyslexic fallback: Arial", "OpenDyslexic fallback: Roboto", '
        '"OpenDyslexic fallback: Noto Sans", system-ui, sans-serif'
    )


def test_the_committed_stylesheet_is_what_the_fonts_give() -> None:
    committed = (STATIC_DIR / font_fallbacks.STYLESHEET).read_text(encoding="utf-8")
    assert committed == font_fallbacks.stylesheet(STATIC_DIR), "run .venv/bin/python scripts/generate_css.py"
    assert committed.count("@font-face") == len(SYSTEM_FONTS) * len(WEB_FONTS)
