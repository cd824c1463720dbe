"""Readability formulas as pure functions of counts, exactly as published (no rounding inside).

Every function raises ZeroDivisionError when a denominator count is zero; the report shows None then.
"""

from __future__ import annotations


def flesch_reading_ease(words: int, sentences: int, syllables: int) -> float:
    """Flesch (1948) Reading Ease: 206.835 − 1.015·words/sentences − 84.6·syllables/words."""
    return 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)


def flesch_kincaid_grade(words: int, sentences: int, syllables: int) -> float:
    """Flesch–Kincaid grade level (Kincaid et al. 1975): 0.39·words/sentences + 11.8·syllables/words − 15.59."""
    return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59


def automated_readability_index(characters: int, words: int, sentences: int) -> float:
    """Automated Readability Index (Smith & Senter 1967): 4.71·characters/words + 0.5·words/sentences − 21.43."""
    return 4.71 * (characters / words) + 0.5 * (words / sentences) - 21.43


def nguyen_henkin_1982(characters: int, words: int, sentences: int) -> float:
    """Nguyen & Henkin (1982) Vietnamese grade, an estimate: 2·characters/words + 0.2·words/sentences − 6."""
    # WL (average word length in letters) and SL (words per sentence) as recalled by a secondary source;
    # the published paper has not been checked, so reports list this score under "estimates".
    return 2 * (characters / words) + 0.2 * (words / sentences) - 6
