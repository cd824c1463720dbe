from __future__ import annotations

import pytest

from reader.prefs import FONT_CHOICES
from reader.title_fit import ADVANCES, STEPS, advance_em, fit_step, longest_word_em, word_em


def test_the_longest_word_is_measured_in_the_reference_font() -> None:
    # Noto Sans Bold at 100 px in Chromium: "comfortable" is 614 px wide.
    assert longest_word_em("Making long articles comfortable to read") == pytest.approx(6.14, abs=0.01)


def test_a_letter_with_diacritics_is_as_wide_as_its_base_letter() -> None:
    assert advance_em("ế") == advance_em("e")
    assert advance_em("Ặ") == advance_em("A")
    assert word_em("nghiêng") == word_em("nghieng")
    # đ has no decomposition: it is in the table itself.
    assert "đ" in ADVANCES and "Đ" in ADVANCES
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


def test_a_title_whose_words_fit_says_nothing() -> None:
    assert fit_step("Bắc Kạn nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức") is None
    assert fit_step("") is None


def test_the_step_is_rounded_up_and_capped() -> None:
    assert fit_step("comfortable") == "6.25"  # 6.14
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
