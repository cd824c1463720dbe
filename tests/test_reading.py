from __future__ import annotations

from reader.reading import count_units, plain_text, reading_minutes


def test_plain_text_drops_tags_and_decodes_entities() -> None:
    assert plain_text("<p>A &amp; B</p><p>C&nbsp;D</p>").split() == ["A", "&", "B", "C", "D"]


def test_english_reads_at_238_words_a_minute() -> None:
    assert reading_minutes("word " * 238, "en") == 1
    assert reading_minutes("word " * 239, "en-GB") == 2
    assert reading_minutes("", "en") == 1


def test_vietnamese_reads_at_300_syllables_a_minute() -> None:
    sentence = "Bắc Kạn nâng cao chất lượng đội ngũ cán bộ "  # 10 syllables
    assert count_units(sentence) == 10
    assert reading_minutes(sentence * 30, "vi") == 1
    assert reading_minutes(sentence * 31, "vi") == 2


def test_numbers_and_hyphenated_words_count_once() -> None:
    assert count_units("10-NQ/TU ngày 26/4/2016, well-known") == 7
