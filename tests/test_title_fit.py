from __future__ import annotations

import pytest

from reader.prefs import FONT_CHOICES, LETTER_SPACINGS
from reader.title_fit import (
    ADVANCES,
    CSS_LETTER_EM,
    STEPS,
    advance_em,
    fit_em,
    fit_step,
    longest_word_em,
    word_em,
)


def test_the_longest_word_is_measured_in_the_reference_font() -> None:
    # Noto Sans Bold at 100 px in Chromium: "comfortable" is 614 px wide.
    assert longest_word_em("Making long articles comfortable to read") == pytest.approx(6.14, abs=0.01)


def test_a_letter_with_diacritics_is_as_wide_as_its_base_letter() -> None:
    assert advance_em("ế") == advance_em("e")
    assert advance_em("Ặ") == advance_em("A")
    assert word_em("nghiêng") == word_em("nghieng")
    # đ has no decomposition: it is in the table itself.
    assert "đ" in ADVANCES and "Đ" in ADVANCES
    # But for the horn of ơ and ư, which juts out to the right (Noto Sans Bold: ư 0.76em, u 0.657): the
    # Vietnamese "lượng" is 3.03em, and counted as "luong" (2.87) it broke between letters on a 320 px phone
    # with a 20 or 24 px browser default, its title capped at a 3em word.
    assert advance_em("ư") > advance_em("u") and advance_em("Ơ") > advance_em("O")
    assert advance_em("ừ") == advance_em("ư") and advance_em("Ợ") == advance_em("Ơ")
    assert word_em("ượ") == word_em("ươ") == advance_em("ư") + advance_em("ơ")
    assert longest_word_em("lu\u031bo\u031b\u0323ng") == word_em("lượng")  # decomposed, as pasted
    assert word_em("lượng") == pytest.approx(3.034)
    # Decomposed text (as some editors paste it) counts the same as composed.
    assert longest_word_em("nghie\u0302\u0300ng") == longest_word_em("nghiềng")


def test_a_line_may_break_at_spaces_and_after_hyphens_and_dashes_but_not_at_no_break_spaces() -> None:
    assert longest_word_em("state-of-the-art") == pytest.approx(word_em("state-"))
    assert longest_word_em("a\u2014b") == pytest.approx(word_em("a\u2014"))
    assert longest_word_em("200\u00a0%") == pytest.approx(word_em("200\u00a0%"))
    assert longest_word_em("200 %") == pytest.approx(word_em("200"))


def test_each_wide_character_is_a_word_of_its_own() -> None:
    assert longest_word_em("日本語のテキスト") == pytest.approx(1.0)
    assert longest_word_em("Unicode日本") == pytest.approx(word_em("Unicode"))


def test_a_title_whose_words_fit_every_font_and_spacing_says_nothing() -> None:
    assert fit_step("Mỹ và Ý") is None
    assert fit_step("") is None


def test_a_short_word_too_wide_in_opendyslexic_with_wide_letter_spacing_is_said() -> None:
    # "lượng" (3.03em in Noto Sans Bold) is 367 px at 400 % on a 360 px phone's 328 px line in OpenDyslexic
    # with WCAG's 0.12em letter spacing, and broke between two letters: the title said nothing then.
    assert fit_step("Bắc Kạn nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức") == "3.25"


def test_below_the_first_step_a_word_fits_the_narrowest_phone_in_the_widest_font_and_spacing() -> None:
    # With a 16 px browser default: the largest title is 80 px (400 %, 1.25 × 64 px); the line of a 320 px
    # phone 288 px. So the cap every article title has, at a word of the first step where it says no data-fit,
    # leaves such a title its size; with a larger default it is what keeps its words whole (reader.css).
    widest = max(font.title_widen for font in FONT_CHOICES.values()) + max(LETTER_SPACINGS) / CSS_LETTER_EM
    assert STEPS[0] * widest * 80 <= 288


def test_a_title_without_data_fit_is_capped_at_a_word_of_the_first_step() -> None:
    from reader.prefs_css import generated_css

    assert f"--reader-title-word: {STEPS[0]:g};" in generated_css().split("}")[0]  # the wrapper's defaults


def test_a_word_of_narrow_letters_says_more_than_its_width_for_its_letter_spacing() -> None:
    # Letter spacing adds the same to every letter, and reader.css counts a letter as CSS_LETTER_EM: "illicit"
    # (7 letters in 2.47em) with 0.24em spacing in Atkinson (0.98) is 2.42 + 1.68em, not 2.47 × (0.98 + 0.48).
    narrow = fit_em(word_em("illicit"), 7)
    for font in FONT_CHOICES.values():
        for spacing in LETTER_SPACINGS:
            css = narrow * (font.title_widen + spacing / CSS_LETTER_EM)
            assert css >= word_em("illicit") * font.title_widen + 7 * spacing - 1e-9, (font, spacing)
    assert narrow > word_em("illicit")
    # A word of wider letters says its own width: a reader with no letter spacing loses nothing.
    assert fit_em(word_em("comfortable"), 11) == word_em("comfortable")
    assert longest_word_em("illicit") == pytest.approx(word_em("illicit"))


def test_the_step_is_rounded_up_and_capped() -> None:
    assert fit_step("comfortable") == "6.25"  # 6.14
    assert fit_step("lượng") == "3.25"  # 3.03
    assert fit_step("Internationalization") == "11"  # 10.12
    assert fit_step("a" * 200) == "12"
    assert [fit_step("m" * n) for n in (5, 6)] == ["5", "6"]  # 4.91, 5.89


def test_every_step_and_every_fonts_widening_is_in_the_stylesheet() -> None:
    from reader.prefs_css import generated_css

    css = generated_css()
    for step in STEPS:
        assert f'.reader-title[data-fit="{step:g}"] {{ --reader-title-word: {step:g}; }}' in css
    for font in FONT_CHOICES.values():
        assert f"--reader-title-widen: {font.title_widen:g};" in css
