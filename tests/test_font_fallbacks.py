from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from reader import font_fallbacks, fonts, prefs
from reader.font_fallbacks import SYSTEM_FONTS, Metrics
from reader.paths import STATIC_DIR

# How often each character occurs in English text, as capsize (@capsizecss/unpack 4.0.1, src/weightings.ts)
# weights its `xWidthAvg`, the figure reader.font_fallbacks.SYSTEM_FONTS are compared by.
CHARACTER_WEIGHTS: dict[str, float] = {
    "0": 0.0053, "1": 0.0023, "2": 0.0026, "3": 0.001, "4": 0.0008, "5": 0.0015, "6": 0.0007, "7": 0.0005,
    "8": 0.0007, "9": 0.0006, ",": 0.0083, " ": 0.154, "t": 0.0672, "h": 0.0351, "e": 0.0922, "o": 0.0571,
    "f": 0.017, "P": 0.0023, "p": 0.0163, "l": 0.0304, "'": 0.0014, "s": 0.0469, "R": 0.0015, "u": 0.0207,
    "b": 0.0114, "i": 0.0588, "c": 0.0232, "C": 0.0031, "n": 0.0578, "a": 0.0668, "d": 0.0298, "y": 0.0123,
    "w": 0.011, "B": 0.002, "r": 0.0526, "z": 0.0011, "G": 0.0011, "j": 0.0009, "T": 0.0041, ".": 0.0079,
    "L": 0.0012, "k": 0.0046, "m": 0.0181, "]": 0.0007, "J": 0.0009, "F": 0.0015, "v": 0.0076, "g": 0.0155,
    "A": 0.004, "N": 0.0014, "-": 0.0018, "H": 0.0013, "D": 0.0013, "M": 0.0025, "I": 0.0022, "E": 0.0011,
    '"': 0.0012, "S": 0.0041, "(": 0.001, ")": 0.001, "x": 0.0025, "W": 0.0012, "Q": 0.0001, "Y": 0.0003,
    "q": 0.0008, "V": 0.0005, "á": 0.0001, "K": 0.0007, "U": 0.0016, "=": 0.0007, "[": 0.0021, "O": 0.0009,
    "é": 0.0001, "$": 0.0002, ":": 0.0008, "|": 0.0038, "/": 0.0001, "%": 0.0001, "Z": 0.0002, ";": 0.0001,
    "X": 0.0001,
}  # fmt: skip
WEB_FONTS = {
    "lexend": "reader Lexend",
    "opendyslexic": "reader OpenDyslexic",
    "atkinson": "reader Atkinson Hyperlegible",
}


def _web(choice: str) -> font_fallbacks.WebFont:
    web = font_fallbacks.web_font(STATIC_DIR, fonts.first_family(prefs.FONT_CHOICES[choice].stack))
    assert web is not None
    return web


def _unicode_range(rules: str) -> set[int]:
    """Every character the rules' faces set (their ranges together)."""
    covered: set[int] = set()
    for line in rules.splitlines():
        if "unicode-range" in line:
            for part in line.split(":", 1)[1].strip(" ;").split(","):
                low, _, high = part.removeprefix("U+").partition("-")
                covered |= set(range(int(low, 16), int(high or low, 16) + 1))
    return covered


def _faces(rules: str) -> list[dict[str, str]]:
    """Each `@font-face` rule's descriptors, in the order they are defined."""
    return [
        dict(line.strip(" ;").split(": ", 1) for line in rule.splitlines() if ": " in line)
        for rule in rules.split("@font-face {")[1:]
    ]


def test_the_reference_fonts_figures_are_capsizes_and_those_of_its_file() -> None:
    # Recomputed from Debian's Noto Sans (fonts-noto-core, which scripts/test installs) with capsize's weights,
    # they are capsize's published ones (xWidthAvg 474): so capsize's figures for Arial and Roboto compare with
    # the web fonts' widths, which are measured against this file.
    font = TTFont(font_fallbacks.reference_file())
    cmap, advances, hhea = font.getBestCmap(), font["hmtx"], font["hhea"]
    width = round(sum(advances[cmap[ord(char)]][0] * weight for char, weight in CHARACTER_WEIGHTS.items()))
    figures = Metrics(font["head"].unitsPerEm, width, hhea.ascent, hhea.descent, hhea.lineGap)
    assert figures == font_fallbacks.REFERENCE.metrics
    assert font_fallbacks.REFERENCE.metrics.x_width_avg == 474
    # The figures' advances too (each system font's FIGURES added up).
    assert font_fallbacks.REFERENCE.figures == sum(advances[cmap[ord(char)]][0] for char in font_fallbacks.FIGURES)


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
    figures = sum(font_fallbacks.own_figures(web, system) for system in SYSTEM_FONTS)
    assert rules.count("@font-face") == len(SYSTEM_FONTS) + figures
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
        '"reader OpenDyslexic", "reader OpenDyslexic fallback: Arial", "reader OpenDyslexic fallback: Roboto", '
        '"reader OpenDyslexic fallback: Noto Sans", system-ui, sans-serif'
    )


def test_the_committed_stylesheet_is_what_the_fonts_give() -> None:
    committed = (STATIC_DIR / font_fallbacks.STYLESHEET).read_text(encoding="utf-8")
    assert committed == font_fallbacks.stylesheet(STATIC_DIR), "run .venv/bin/python scripts/generate_css.py"
    # A face for each system font, and one for OpenDyslexic's figures in each (the others' are near enough).
    assert committed.count("@font-face") == len(SYSTEM_FONTS) * (len(WEB_FONTS) + 1)


def test_opendyslexics_figures_have_a_stand_in_of_their_own_after_its_text() -> None:
    # OpenDyslexic's figures are 1.11 times Noto Sans's, its text 1.57 times: in the text's stand-in, "200 %"
    # was 141 px wide on a phone at 200 % instead of 118 (tests/browser/test_controls.py). The figures' face
    # comes after the text's, whose range holds theirs: of two faces of a family, the later one sets a
    # character both ranges hold.
    web = _web("opendyslexic")
    faces = _faces(font_fallbacks.fallback_faces(web))
    for system in SYSTEM_FONTS:
        family = f'"reader OpenDyslexic fallback: {system.name}"'
        text, figures = [face for face in faces if face["font-family"] == family]
        assert _unicode_range(f"unicode-range: {figures['unicode-range']}") == {
            ord(char) for char in font_fallbacks.FIGURES
        }
        assert _unicode_range(f"unicode-range: {figures['unicode-range']}") < _unicode_range(
            f"unicode-range: {text['unicode-range']}"
        )
        assert 1.05 < float(figures["size-adjust"].rstrip("%")) / 100 < 1.2, (system.name, figures)
        assert float(text["size-adjust"].rstrip("%")) / 100 > 1.5, (system.name, text)
        # The same line box: the vertical metrics are the font's at either scale.
        for metric in ("ascent-override", "descent-override"):
            scaled = [
                float(face[metric].rstrip("%")) * float(face["size-adjust"].rstrip("%")) for face in (text, figures)
            ]
            assert scaled[0] == pytest.approx(scaled[1], rel=0.002), (system.name, metric)
    assert not any(
        font_fallbacks.own_figures(_web(choice), system) for choice in ("lexend", "atkinson") for system in SYSTEM_FONTS
    )
