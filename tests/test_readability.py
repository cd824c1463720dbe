from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.paths import DEMO_DIR
from reader.readability import (
    Thresholds,
    automated_readability_index,
    flesch_kincaid_grade,
    flesch_reading_ease,
    nguyen_henkin_1982,
    plain_text_for_report,
    readability_report,
    report_text,
)
from reader.readability.document import HEADING, document_from_text
from reader.readability.report import below_first_grade
from reader.readability.sentences import sentence_spans
from reader.readability.vietnamese import segment
from reader.reading import reading_minutes
from reader.sanitize import sanitize_html

# ---------- formulas: anchors doc, section 5a (fixed counts) ----------


@pytest.mark.parametrize(
    ("words", "sentences", "syllables", "fre", "fkgl"),
    [
        (6, 1, 6, 116.145, None),  # "The cat sat on the mat."
        (16, 1, 23, 68.98, None),  # "This sentence, taken as a reading passage unto itself, …"
        (16, 1, 22, 74.27, None),
        (13, 1, 24, 37.46, 11.26),  # "The Australian platypus is seemingly a hybrid …"
        (13, 1, 26, 24.44, 13.08),
    ],
)
def test_flesch_formulas_match_published_values(
    words: int, sentences: int, syllables: int, fre: float, fkgl: float | None
) -> None:
    assert flesch_reading_ease(words, sentences, syllables) == pytest.approx(fre, abs=0.005)
    if fkgl is not None:
        assert flesch_kincaid_grade(words, sentences, syllables) == pytest.approx(fkgl, abs=0.005)


def test_the_cat_sat_on_the_mat_is_exact() -> None:
    assert flesch_reading_ease(6, 1, 6) == pytest.approx(116.145, abs=1e-9)


def test_automated_readability_index() -> None:
    # The platypus sentence: 68 letters, 13 words; read-able.com gives ARI 9.7.
    assert automated_readability_index(68, 13, 1) == pytest.approx(9.707, abs=0.001)


def test_nguyen_henkin_1982_on_the_anchor_paragraph() -> None:
    # 4 sentences, 112 syllables, 386 letters: 6.49 with syllables as words, 7.80 with pyvi's 78 words.
    assert nguyen_henkin_1982(386, 112, 4) == pytest.approx(6.49, abs=0.005)
    assert nguyen_henkin_1982(386, 78, 4) == pytest.approx(7.80, abs=0.005)


def test_formulas_refuse_empty_counts() -> None:
    with pytest.raises(ZeroDivisionError):
        flesch_reading_ease(0, 0, 0)


# ---------- Vietnamese counting ----------


def _seed_html() -> str:
    article = json.loads((DEMO_DIR / "01-bac-kan-can-bo.json").read_text(encoding="utf-8"))
    return str(sanitize_html(article["body_html"], lang="vi"))


def _syllables_by_hand(text: str) -> int:
    # Definition: split at every character that is neither a letter, a digit nor a combining mark,
    # except . , / : between two digits (one number, one syllable); count the non-empty pieces.
    kept = []
    for index, char in enumerate(text):
        between_digits = 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit()
        if char.isalnum() or unicodedata.category(char).startswith("M") or (char in ".,/:" and between_digits):
            kept.append(char)
        else:
            kept.append(" ")
    return len("".join(kept).split())


def test_seed_article_syllables_sentences_and_paragraphs() -> None:
    html = _seed_html()
    report = readability_report(lang="vi", html=html)
    counts = report["counts"]
    assert isinstance(counts, dict)
    assert counts["syllables"] == _syllables_by_hand(plain_text_for_report(html))
    assert counts["paragraphs"] == 6
    assert counts["sentences"] == 13  # 1 + 6 + 1 + 2 + 2 + 1, checked by hand
    assert counts["words"] < counts["syllables"]
    assert report["estimates"] == ["nguyen_henkin_1982"]
    assert report["reading_time_minutes"] == reading_minutes(plain_text_for_report(html), "vi")
    assert "pyvi" in str(report["segmenter"])


def test_a_short_vietnamese_sentence() -> None:
    report = readability_report(lang="vi", text="Bắc Kạn nâng cao chất lượng đội ngũ cán bộ.")
    assert report["counts"] == {"sentences": 1, "words": 7, "syllables": 10, "paragraphs": 1, "characters": 33}
    scores = report["scores"]
    assert isinstance(scores, dict)
    assert scores["syllables_per_sentence"] == 10
    assert scores["words_per_sentence"] == 7


def test_numbers_are_one_syllable_and_codes_split_at_punctuation() -> None:
    text = "Nghị quyết số 10-NQ/TU ngày 26/4/2016 tăng 8,42% so với năm 2015."
    report = readability_report(lang="vi", text=text)
    counts = report["counts"]
    assert isinstance(counts, dict)
    # Nghị quyết số | 10 NQ TU | ngày | 26/4/2016 | tăng | 8,42 | so với năm | 2015
    assert counts["syllables"] == 14


def test_words_span_syllables_but_not_punctuation_and_ignore_tone_placement() -> None:
    assert segment("Ủy ban nhân dân tỉnh") == ["Ủy_ban_nhân_dân", "tỉnh"]
    assert segment("hoà bình, hòa bình") == ["hoà_bình", "hòa_bình"]
    assert segment("cán bộ, công chức") == ["cán_bộ", "công_chức"]
    assert segment("bộ công") == ["bộ", "công"]
    decomposed = unicodedata.normalize("NFD", "cán bộ")
    assert segment(decomposed) == ["cán_bộ"]


# ---------- sentences ----------


@pytest.mark.parametrize(
    ("lang", "text", "sentences"),
    [
        ("en", "Mr. Smith met Dr. Jones at St. Paul's, e.g. at noon. Then they left.", 2),
        ("vi", "TP. Hồ Chí Minh và ThS. Nguyễn Văn A, TS. Lê B. họp. Sau đó về.", 2),
        ("vi", "Tỷ lệ tăng 8,42% lên 1.000 người ngày 26/4/2016. Năm sau giảm.", 2),
        ("vi", "Chất lượng được nâng cao..., từ đó giúp các cấp hoàn thành. Kết quả tốt.", 2),
        ("en", "It rose... and then fell. Why? Nobody knows! “Really,” she said.", 4),
        ("en", "He said “Stop.” Then he left.", 2),
        ("en", "The vote was 3 to 1. 12 members abstained.", 2),
        ("vi", "Chưa hết câu. còn tiếp vì chữ thường", 1),
    ],
)
def test_sentence_splitting(lang: str, text: str, sentences: int) -> None:
    assert len(sentence_spans(text, 0, len(text), lang)) == sentences


def test_sentence_spans_are_trimmed_offsets() -> None:
    text = "  First one.   Second one!  "
    spans = sentence_spans(text, 0, len(text), "en")
    assert [text[start:end] for start, end in spans] == ["First one.", "Second one!"]


# ---------- blocks ----------


def test_html_rendering_blocks_and_offsets() -> None:
    html = "<h2>Tiêu&nbsp;đề</h2><p>Một <em>câu</em>\n  ngắn.<br>Dòng hai.</p><ul><li>Mục một</li><li>Mục hai</li></ul>"
    assert plain_text_for_report(html) == "Tiêu\u00a0đề\n\nMột câu ngắn.\nDòng hai.\n\nMục một\n\nMục hai"
    report = readability_report(lang="vi", html=html)
    counts = report["counts"]
    assert isinstance(counts, dict)
    assert counts["paragraphs"] == 3  # the paragraph and two list items; the heading is not one
    assert counts["sentences"] == 5  # heading, two sentences, two list items


def test_plain_text_headings() -> None:
    text = (
        "# Making text readable\n\nSome words here.\n\nShort standalone line\n\nA line: with a colon,\nand two lines."
    )
    document = document_from_text(text)
    kinds = [(block.kind, text[block.start : block.end]) for block in document.blocks]
    assert kinds == [
        (HEADING, "Making text readable"),
        ("paragraph", "Some words here."),
        (HEADING, "Short standalone line"),
        ("paragraph", "A line: with a colon,\nand two lines."),
    ]


def test_table_cells_are_not_prose() -> None:
    html = "<p>One sentence here.</p><table><tr><th>Size</th><td>14</td><td>41</td></tr></table>"
    counts = readability_report(lang="en", html=html)["counts"]
    assert isinstance(counts, dict)
    assert (counts["sentences"], counts["words"], counts["paragraphs"]) == (1, 3, 1)


# Word's tables and lists: every cell's and item's text in a paragraph of its own (a Word export, or a
# Word document pasted as HTML), as a browser's copy or "Save as Web Page" writes them.
_WORD_PROSE = {
    "vi": (
        "<p>Sau năm năm thực hiện nghị quyết, tỉnh đã hoàn thành phần lớn các chỉ tiêu đề ra về cải cách hành "
        "chính và xây dựng đội ngũ.</p>"
    ),
    "en": "<p>After five years the province has met most of the targets it set for its public services.</p>",
}
_WORD_TABLE = "<table><tr><th>{0}Năm{1}</th><th>{0}Tỷ lệ{1}</th></tr><tr><td>{0}2019{1}</td><td>{0}96,1{1}</td></tr>"
_WORD_TABLE += "<tr><td>{0}2020{1}</td><td>{0}98,5{1}</td></tr></table>"
# Three items starting with the same word: in paragraphs of prose, a repeated start (items are not prose).
_WORD_LIST = (
    "<ul><li>{0}Công khai thủ tục.{1}</li><li>{0}Công khai kết quả.{1}</li><li>{0}Công khai số liệu.{1}</li></ul>"
)
_WORD_NESTED = (
    "<ol><li>{0}Public services.{1}<ul><li>{0}Public works.{1}</li><li>{0}Public parks.{1}</li></ul></li></ol>"
)
_IN_A_TABLE = "<table><tr><td>{0}Ngày{1}<ul><li>{0}Một{1}</li></ul></td></tr></table>"


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    "shape", [_WORD_TABLE, _WORD_LIST, _WORD_NESTED, _IN_A_TABLE], ids=["table", "list", "nested-list", "list-in-table"]
)
def test_words_paragraphs_in_cells_and_items_count_as_the_bare_cells_and_items(lang: str, shape: str) -> None:
    bare = _WORD_PROSE[lang] + shape.format("", "")
    word = _WORD_PROSE[lang] + shape.format('<p class="MsoNormal"><span lang="VI">', "</span></p>")
    assert readability_report(lang=lang, html=word) == readability_report(lang=lang, html=bare)


def test_a_tables_cells_are_left_out_even_in_paragraphs() -> None:
    # The exploratory tester's case: one 26-syllable sentence and a table, measured as the sentence alone.
    table = _WORD_TABLE.format("<p>", "</p>")
    with_table = readability_report(lang="vi", html=_WORD_PROSE["vi"] + table)["counts"]
    alone = readability_report(lang="vi", html=_WORD_PROSE["vi"])["counts"]
    assert isinstance(with_table, dict) and with_table["sentences"] == 1 and with_table == alone


# ---------- flags ----------


def _flags(report: dict[str, object], kind: str) -> list[dict[str, object]]:
    flags = report["flags"]
    assert isinstance(flags, list)
    return [flag for flag in flags if flag["kind"] == kind]


LONG_EN = (
    "Most news sites offer two buttons for readers who struggle with small print, and one of them makes "
    "the text bigger while the other makes it smaller."
)


def test_long_english_sentences_are_flagged_with_offsets() -> None:
    text = f"Short sentences are fine. {LONG_EN} This one is short too."
    report = readability_report(lang="en", text=text)
    flags = _flags(report, "long_sentence")
    assert len(flags) == 1
    flag = flags[0]
    assert text[int(str(flag["start"])) : int(str(flag["end"]))] == LONG_EN == flag["text"]
    assert flag["message"] == "Long sentence: 27 words (aim for 20 or fewer)"


def test_offsets_point_into_the_html_rendering() -> None:
    html = f"<h2>Heading</h2><p>Short <strong>first</strong> sentence. {LONG_EN}</p>"
    report = readability_report(lang="en", html=html, ui_lang="vi")
    rendered = report_text(html=html)
    assert rendered == plain_text_for_report(html)
    (flag,) = _flags(report, "long_sentence")
    assert rendered[int(str(flag["start"])) : int(str(flag["end"]))] == LONG_EN
    assert flag["message"] == "Câu dài 27 từ (nên không quá 20 từ)"


def test_long_vietnamese_sentence_by_syllables() -> None:
    long = "Các cơ quan, đơn vị cũng xây dựng quy định trách nhiệm người đứng đầu, " * 3  # 15 × 3 syllables
    long = long.strip().rstrip(",") + "."
    text = f"Câu này ngắn. {long} Câu cuối ngắn."
    report = readability_report(lang="vi", text=text, ui_lang="vi")
    (flag,) = _flags(report, "long_sentence")
    assert flag["text"] == long
    assert flag["message"] == "Câu dài 45 âm tiết (nên không quá 35 âm tiết)"
    assert not _flags(
        readability_report(lang="vi", text=text, thresholds=Thresholds(vi_sentence_syllables=45)), "long_sentence"
    )


def test_long_paragraph() -> None:
    paragraph = " ".join(["Reading is easier in short paragraphs with clear breaks."] * 17)  # 153 words
    text = f"A short paragraph comes first.\n\n{paragraph}\n\nAnd a short one last."
    report = readability_report(lang="en", text=text)
    (flag,) = _flags(report, "long_paragraph")
    assert flag["text"] == paragraph
    assert flag["message"] == "Long paragraph: 153 words (aim for 150 or fewer)"
    assert not _flags(report, "long_sentence")


def test_long_section_without_subheading() -> None:
    paragraph = " ".join(["Each section needs a clear subheading for readers who scan."] * 10)  # 100 words
    html = "<h2>First part</h2>" + f"<p>{paragraph}</p>" * 4 + "<h2>Second part</h2>" + f"<p>{paragraph}</p>" * 2
    report = readability_report(lang="en", html=html)
    (flag,) = _flags(report, "long_section")
    rendered = plain_text_for_report(html)
    assert flag["start"] == rendered.index(paragraph)
    assert flag["text"] == "\n\n".join([paragraph] * 4)
    assert flag["message"] == "400 words without a subheading (aim for 300 or fewer)"


def test_passive_voice() -> None:
    text = "The committee wrote the report. The report was written quickly. It is being used everywhere."
    report = readability_report(lang="en", text=text)
    flags = _flags(report, "passive_voice")
    assert [flag["text"] for flag in flags] == ["The report was written quickly.", "It is being used everywhere."]
    assert flags[0]["message"] == "Passive voice: “was written”"
    assert not _flags(readability_report(lang="vi", text="Báo cáo đã được viết xong."), "passive_voice")


def test_three_sentences_starting_with_the_same_word() -> None:
    text = "Readers like short lines. Readers like space. Readers like contrast. Editors agree. Editors ship."
    report = readability_report(lang="en", text=text)
    (flag,) = _flags(report, "repeated_start")
    assert flag["text"] == "Readers like short lines. Readers like space. Readers like contrast."
    assert flag["message"] == "3 sentences in a row start with “Readers”"


def test_repeated_start_in_vietnamese() -> None:
    text = "Theo đó, tỉnh làm tốt. Theo kết quả, tỉnh tăng. Theo quy định, tỉnh rà soát."
    report = readability_report(lang="vi", text=text, ui_lang="vi")
    (flag,) = _flags(report, "repeated_start")
    assert flag["message"] == "3 câu liền nhau đều bắt đầu bằng “Theo”"


# ---------- API ----------


def test_languages() -> None:
    assert readability_report(lang="en-GB", text="Fine.")["lang"] == "en"
    with pytest.raises(ValueError, match="Vietnamese"):
        readability_report(lang="fr", text="Bonjour.")
    with pytest.raises(ValueError, match="exactly one"):
        readability_report(lang="en", text="a", html="<p>a</p>")
    with pytest.raises(ValueError, match="UI language"):
        readability_report(lang="en", text="a", ui_lang="de")


def test_empty_text_has_no_scores() -> None:
    report = readability_report(lang="en", text="")
    assert report["scores"] == {
        "flesch_reading_ease": None,
        "flesch_kincaid_grade": None,
        "automated_readability_index": None,
    }
    assert report["flags"] == []


def test_english_report_is_json_and_offline() -> None:
    report = readability_report(
        lang="en", text="The Australian platypus is seemingly a hybrid of a mammal and reptilian creature."
    )
    assert json.loads(json.dumps(report)) == report
    assert report["counts"] == {"sentences": 1, "words": 13, "syllables": 24, "paragraphs": 1, "characters": 68}
    assert report["scores"] == {
        "flesch_reading_ease": 37.46,
        "flesch_kincaid_grade": 11.26,
        "automated_readability_index": 9.71,
    }
    assert report["segmenter"] == "whitespace words"


def test_a_grade_below_the_first_is_given_as_the_formula_gives_it() -> None:
    """A very easy text scores below grade 1 (below 0, even): the report keeps the formula's value (the API
    has always given it), and says which grades are below the first, for reader's pages to say so."""
    en = readability_report(lang="en", text="I am here. He is not. We go.")["scores"]
    assert en == {"flesch_reading_ease": 119.53, "flesch_kincaid_grade": -2.75, "automated_readability_index": -9.5}
    below = {name for name, value in en.items() if below_first_grade(name, value)}
    assert below == {"flesch_kincaid_grade", "automated_readability_index"}  # reading ease is no grade
    vi = readability_report(lang="vi", text="Em đi học. Mẹ đi chợ.")["scores"]
    assert vi["nguyen_henkin_1982"] == -0.73
    # Syllables per sentence (3) are no grade either, however small.
    assert {name for name, value in vi.items() if below_first_grade(name, value)} == {"nguyen_henkin_1982"}
    assert not below_first_grade("flesch_kincaid_grade", 1.0)
    assert below_first_grade("flesch_kincaid_grade", 0.99)
    assert not below_first_grade("flesch_kincaid_grade", None)


# ---------- any input ----------

_ALPHABET = st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệ AZĐ019 .,;:!?…\"'“”()-/%\n\t<>&#"))


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, max_size=400), st.sampled_from(["vi", "en"]), st.booleans())
def test_any_input_gives_consistent_offsets(text: str, lang: str, as_html: bool) -> None:
    source = {"html": text} if as_html else {"text": text}
    report = readability_report(lang=lang, **source)
    rendered = report_text(**source)
    flags = report["flags"]
    assert isinstance(flags, list)
    for flag in flags:
        assert rendered[flag["start"] : flag["end"]] == flag["text"]
    assert json.loads(json.dumps(report)) == report


def test_pathological_input_stays_fast() -> None:
    # Regex backtracking would make these quadratic; each must finish in well under a second.
    for text in ("-" * 200_000, "<a " * 50_000, "a." * 100_000, " " * 200_000 + "x"):
        readability_report(lang="en", html=text)
        readability_report(lang="vi", text=text)
