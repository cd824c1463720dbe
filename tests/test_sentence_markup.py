"""Sentence marks for read aloud (reader.sentence_markup) and the Vietnamese cases of the splitter they use."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.readability import readability_report
from reader.readability.sentences import sentence_spans
from reader.sanitize import sanitize_html
from reader.sentence_markup import ATTRIBUTE, mark_article, mark_html, mark_text, unmark
from reader.soup import parse_html
from tests.test_readability import _seed_html


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text, 0, len(text))]


def marked(html: str) -> dict[str, str]:
    """Each sentence id and the text of all its spans, in document order."""
    texts: dict[str, str] = {}
    for span in parse_html(str(mark_html(html, "b"))).find_all("span", attrs={ATTRIBUTE: True}):
        texts[span[ATTRIBUTE]] = texts.get(span[ATTRIBUTE], "") + span.get_text()
    return texts


# ---------- the splitter: Vietnamese cases ----------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Titles and places with a full stop do not end a sentence.
        ("TP. Hồ Chí Minh có mưa. Hà Nội nắng.", ["TP. Hồ Chí Minh có mưa.", "Hà Nội nắng."]),
        ("TS. Lê Văn B và ThS. Trần C phát biểu.", ["TS. Lê Văn B và ThS. Trần C phát biểu."]),
        ("PGS. Nguyễn A chủ trì. Sau đó nghỉ.", ["PGS. Nguyễn A chủ trì.", "Sau đó nghỉ."]),
        ("PGS.TS. Nguyễn Văn A phát biểu. Hội nghị bế mạc.", ["PGS.TS. Nguyễn Văn A phát biểu.", "Hội nghị bế mạc."]),
        ("GS.TSKH. Đỗ B nhận giải. Xin chúc mừng.", ["GS.TSKH. Đỗ B nhận giải.", "Xin chúc mừng."]),
        ("Th.S Lê C giảng bài. Th.S. Phạm D chấm bài.", ["Th.S Lê C giảng bài.", "Th.S. Phạm D chấm bài."]),
        ("Q. 1 và P. 5 đông dân. Hết.", ["Q. 1 và P. 5 đông dân.", "Hết."]),
        ("Sđt. 0912 345 678 của BS. Hoa. Gọi ngay.", ["Sđt. 0912 345 678 của BS. Hoa.", "Gọi ngay."]),
        # Numbers: thousands with dots, decimals with a comma, percentages.
        ("Diện tích 1.234,5 ha, tăng 8,42%. Dân số 99,9%.", ["Diện tích 1.234,5 ha, tăng 8,42%.", "Dân số 99,9%."]),
        # Dates with slashes or dots; a year at the end of a sentence.
        (
            "Ngày 26/4/2016 và 2.9.1945 là mốc. Năm 2015. Năm sau.",
            ["Ngày 26/4/2016 và 2.9.1945 là mốc.", "Năm 2015.", "Năm sau."],
        ),
        # Quotations: a sentence ending inside the quote, a quote inside a sentence, an exclamation.
        ("Ông nói: “Tôi đồng ý.” Sau đó ông về.", ["Ông nói: “Tôi đồng ý.”", "Sau đó ông về."]),
        ('Anh ấy nói "Được rồi!" rồi đi. Hết.', ['Anh ấy nói "Được rồi!" rồi đi.', "Hết."]),
        ("Bà hỏi: «Ai đến?» Không ai trả lời.", ["Bà hỏi: «Ai đến?»", "Không ai trả lời."]),
        # An ellipsis inside a sentence, and "v.v." (and so on) before the end.
        (
            "Các cơ quan..., đơn vị v.v. đều tham gia. Kết quả tốt.",
            ["Các cơ quan..., đơn vị v.v. đều tham gia.", "Kết quả tốt."],
        ),
    ],
)
def test_vietnamese_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_list_items_without_a_full_stop_are_sentences_of_their_own() -> None:
    html = "<p>Gồm:</p><ul><li>Cán bộ</li><li>Công chức</li><li>Viên chức cấp xã</li></ul><ol><li>Một</li></ol>"
    assert list(marked(html).values()) == ["Gồm:", "Cán bộ", "Công chức", "Viên chức cấp xã", "Một"]


def test_the_seed_article_body_has_the_sentences_of_its_readability_report() -> None:
    html = _seed_html()
    counts = readability_report(lang="vi", html=html)["counts"]
    assert isinstance(counts, dict)
    assert len(marked(html)) == counts["sentences"] == 13


# ---------- the marks ----------


def test_a_sentence_crossing_inline_markup_gets_a_span_on_each_side() -> None:
    html = '<p>Hello <strong>world. Next</strong> sentence. Third <a href="/x">link</a> here.</p>'
    assert str(mark_html(html, "b")) == (
        '<p><span data-sentence="b0">Hello </span><strong><span data-sentence="b0">world.</span> '
        '<span data-sentence="b1">Next</span></strong><span data-sentence="b1"> sentence.</span> '
        '<span data-sentence="b2">Third <a href="/x">link</a> here.</span></p>'
    )
    assert marked(html) == {"b0": "Hello world.", "b1": "Next sentence.", "b2": "Third link here."}


def test_blocks_and_line_breaks_end_sentences_and_spans_never_contain_a_block() -> None:
    html = (
        "<h2>Tiêu đề</h2><p>Một câu<br>Dòng hai</p><blockquote><p>Trích dẫn. Hai.</p></blockquote>"
        '<div class="reader-table" role="region"><table><tr><th>Cỡ</th><td>1.5 em. Vừa.</td></tr></table></div>'
    )
    assert list(marked(html).values()) == [
        "Tiêu đề",
        "Một câu",
        "Dòng hai",
        "Trích dẫn.",
        "Hai.",
        "Cỡ",
        "1.5 em.",
        "Vừa.",
    ]
    soup = parse_html(str(mark_html(html, "b")))
    for span in soup.find_all("span", attrs={ATTRIBUTE: True}):
        assert not span.find(["p", "div", "br", "table", "td", "h2", "blockquote"])
        assert not span.find_parent("span", attrs={ATTRIBUTE: True})


def test_title_and_lead_are_escaped_text_with_their_own_ids() -> None:
    assert str(mark_text("A <b> & c. D e.", "l")) == (
        '<span data-sentence="l0">A &lt;b&gt; &amp; c.</span> <span data-sentence="l1">D e.</span>'
    )
    title, lead, body = mark_article("Tiêu đề", "", "<p>Thân bài.</p>")
    assert title == '<span data-sentence="t0">Tiêu đề</span>' and lead == ""
    assert body == '<p><span data-sentence="b0">Thân bài.</span></p>'


def test_marking_is_cached_per_content() -> None:
    first = mark_article("T", "L.", "<p>B.</p>")
    assert mark_article("T", "L.", "<p>B.</p>") is first


# Inline-heavy article HTML: words, full stops, capitals and inline elements nested at random.
_words = st.sampled_from(["Một", "câu", "TP.", "Hà", "Nội.", "1.234,5", "“Đúng.”", "x", "Sau", "đó", "v.v.", "!"])
_text = st.lists(_words, min_size=1, max_size=8).map(" ".join)


def _inline(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    tags = st.sampled_from(["em", "strong", "a", "span", "code"])
    return st.tuples(tags, st.lists(children, min_size=1, max_size=3)).map(
        lambda pair: f"<{pair[0]}>{' '.join(pair[1])}</{pair[0]}>"
    )


_run = st.lists(st.one_of(st.recursive(_text, _inline, max_leaves=6), st.just("<br>")), min_size=1, max_size=4)
_BLOCKS = {
    "p": "<p>{}</p>",
    "h2": "<h2>{}</h2>",
    "li": "<ul><li>{}</li></ul>",
    "td": "<table><tr><td>{}</td></tr></table>",
}
_block = st.tuples(st.sampled_from(sorted(_BLOCKS)), _run).map(lambda pair: _BLOCKS[pair[0]].format(" ".join(pair[1])))


@settings(max_examples=300, deadline=None)
@given(st.lists(_block, min_size=1, max_size=5).map("".join))
def test_removing_the_marks_gives_back_the_html_and_every_sentence_is_marked(raw: str) -> None:
    body = sanitize_html(raw, lang="vi")
    result = str(mark_html(body, "b"))
    assert unmark(result) == body
    # Each block's sentences, by the splitter, are exactly the marked ones (ids in document order).
    expected = []
    for block in parse_html(body).find_all(list(_BLOCKS)):
        for run in re.split("<br/?>", "".join(str(child) for child in block.children)):
            text = parse_html(run).get_text()
            expected += sentences(text)
    texts = marked(body)
    assert list(texts) == [f"b{number}" for number in range(len(texts))]
    assert list(texts.values()) == expected
