"""Sentence marks for read aloud (reader.sentence_markup) and the Vietnamese cases of the splitter they use."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import sentence_markup
from reader.models import Article, SafeHtml
from reader.readability import readability_report
from reader.readability.sentences import sentence_spans
from reader.sanitize import sanitize_html
from reader.sentence_markup import ATTRIBUTE, MarkedArticle, article_text, mark_html, mark_text
from reader.soup import parse_html
from tests.test_readability import _seed_html

_SPAN_TAG = re.compile(r"<span\b[^>]*>|</span>")  # ">" is escaped in attribute values (HTML_FORMATTER)


def unmark(html: str) -> str:
    """The marked HTML with every sentence span's start and end tag cut out, and nothing else changed: the
    inverse of the marking, byte for byte (parsing and writing it again would hide how the marking wrote it)."""
    pieces: list[str] = []
    position = 0
    sentence_spans_open: list[bool] = []  # for each open <span>: is it a sentence's?
    for tag in _SPAN_TAG.finditer(html):
        ours = sentence_spans_open.pop() if tag[0] == "</span>" else f" {ATTRIBUTE}=" in tag[0]
        if tag[0] != "</span>":
            sentence_spans_open.append(ours)
        if ours:
            pieces.append(html[position : tag.start()])
            position = tag.end()
    pieces.append(html[position:])
    return "".join(pieces)


def sentences(text: str, lang: str = "vi") -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text, 0, len(text), lang)]


def marked(html: str, lang: str = "vi") -> dict[str, str]:
    """Each sentence id and the text of all its spans, in document order."""
    texts: dict[str, str] = {}
    for span in parse_html(str(mark_html(html, "b", lang))).find_all("span", attrs={ATTRIBUTE: True}):
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Vietnamese words that are English abbreviations (ca., sen., gen., co.) end Vietnamese sentences…
        ("Hôm nay ghi nhận 120 ca. Trong đó có 3 ca nặng.", ["Hôm nay ghi nhận 120 ca.", "Trong đó có 3 ca nặng."]),
        ("Đó là bà Nguyễn Thị Sen. Bà năm nay 70 tuổi.", ["Đó là bà Nguyễn Thị Sen.", "Bà năm nay 70 tuổi."]),
        ("Nhóm nghiên cứu về gen. Kết quả tốt.", ["Nhóm nghiên cứu về gen.", "Kết quả tốt."]),
        ("Tấm vải bị co. Chị ấy buồn.", ["Tấm vải bị co.", "Chị ấy buồn."]),
        # …and so does a person named by one letter, as Vietnamese news does.
        ("Đó là anh Nguyễn Văn A. Anh A cho biết thêm.", ["Đó là anh Nguyễn Văn A.", "Anh A cho biết thêm."]),
        # Abbreviations of other languages that are no Vietnamese word still hold.
        ("Ông Smith, Ph.D. Harvard, và Dr. Lee đến. Xong.", ["Ông Smith, Ph.D. Harvard, và Dr. Lee đến.", "Xong."]),
    ],
)
def test_english_abbreviations_and_initials_do_not_hold_in_vietnamese(text: str, expected: list[str]) -> None:
    assert sentences(text, "vi") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 120 ca. 1900 they came. Sen. Warren spoke.", ["About 120 ca. 1900 they came.", "Sen. Warren spoke."]),
        ("J. K. Rowling wrote it. Then Gen. Lee left.", ["J. K. Rowling wrote it.", "Then Gen. Lee left."]),
        ("The Acme Co. Board met. See p. 5 too.", ["The Acme Co. Board met.", "See p. 5 too."]),
    ],
)
def test_english_keeps_its_abbreviations_and_initials(text: str, expected: list[str]) -> None:
    assert sentences(text, "en-GB") == expected
    assert sentences(text, "fr") == expected  # other languages are split with the English rules


def test_list_items_without_a_full_stop_are_sentences_of_their_own() -> None:
    html = "<p>Gồm:</p><ul><li>Cán bộ</li><li>Công chức</li><li>Viên chức cấp xã</li></ul><ol><li>Một</li></ol>"
    assert list(marked(html).values()) == ["Gồm:", "Cán bộ", "Công chức", "Viên chức cấp xã", "Một"]


def test_the_seed_article_body_has_the_sentences_of_its_readability_report() -> None:
    html = _seed_html()
    counts = readability_report(lang="vi", html=html)["counts"]
    assert isinstance(counts, dict)
    assert len(marked(html)) == counts["sentences"] == 13


# ---------- the marks ----------


@pytest.mark.parametrize(
    "raw",
    [
        "<h2><br></h2>",  # found by Hypothesis: the marks came back as "<h2><br/></h2>"
        '<p>Ảnh <img src="/a.png" alt="x > y"> đây.<br>Hai.</p><hr><p>Ba<wbr>bốn.</p>',
    ],
)
def test_void_elements_are_written_as_the_sanitizer_writes_them(raw: str) -> None:
    body = sanitize_html(raw, lang="vi")
    assert "/>" not in body
    assert "/>" not in mark_html(body, "b", "vi")
    assert unmark(str(mark_html(body, "b", "vi"))) == body


def test_a_sentence_crossing_inline_markup_gets_a_span_on_each_side() -> None:
    html = '<p>Hello <strong>world. Next</strong> sentence. Third <a href="/x">link</a> here.</p>'
    assert str(mark_html(html, "b", "vi")) == (
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
    soup = parse_html(str(mark_html(html, "b", "vi")))
    for span in soup.find_all("span", attrs={ATTRIBUTE: True}):
        assert not span.find(["p", "div", "br", "table", "td", "h2", "blockquote"])
        assert not span.find_parent("span", attrs={ATTRIBUTE: True})


def test_title_and_lead_are_escaped_text_with_their_own_ids() -> None:
    assert str(mark_text("A <b> & c. D e.", "l", "en")) == (
        '<span data-sentence="l0">A &lt;b&gt; &amp; c.</span> <span data-sentence="l1">D e.</span>'
    )


def _article(title: str, lead: str, body: str, lang: str = "vi") -> Article:
    return Article(
        slug="a", lang=lang, title=title, summary=lead, body_html=SafeHtml(body), body_source=body,
        body_format="html", author="", published="2026-01-01", source_url=None, version=1, updated_at="",
    )  # fmt: skip


def test_an_articles_title_lead_and_body_are_marked_with_their_own_ids() -> None:
    title, lead, body = article_text(_article("Tiêu đề", "", "<p>Thân bài.</p>"))
    assert title == '<span data-sentence="t0">Tiêu đề</span>' and lead == ""
    assert body == '<p><span data-sentence="b0">Thân bài.</span></p>'
    # The editor's previews: as they are, escaped where they are text.
    assert article_text(_article("A <b>", "L.", "<p>B.</p>"), marks=False) == ("A &lt;b&gt;", "L.", "<p>B.</p>")


def test_marking_is_cached_per_content_and_language() -> None:
    first = article_text(_article("T", "L.", "<p>B.</p>"))
    assert article_text(_article("T", "L.", "<p>B.</p>")) is first
    # The language is part of the key: "ca." ends a Vietnamese sentence, and is "circa" in English.
    text = "<p>Hôm nay có 120 ca. Trong đó 3 ca nặng.</p>"
    assert article_text(_article("T", "", text, "vi")).body.count("data-sentence") == 2
    assert article_text(_article("T", "", text, "en")).body.count("data-sentence") == 1


def test_the_cache_keeps_marked_articles_within_a_memory_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    def size(marked: MarkedArticle) -> int:
        return sum(sys.getsizeof(str(part)) for part in marked)

    one = article_text(_article("Một", "", "<p>Câu một.</p>"))
    cache = sentence_markup._Cache(budget=size(one) * 2 + 10)
    monkeypatch.setattr(sentence_markup, "_cache", cache)
    bodies = [f"<p>Câu {number}.</p>" for number in ("một", "hai", "ba")]
    marked = [article_text(_article("Một", "", body)) for body in bodies]
    assert cache.used <= cache.budget
    assert article_text(_article("Một", "", bodies[2])) is marked[2]  # the newest is kept
    assert article_text(_article("Một", "", bodies[0])) is not marked[0]  # the oldest was dropped
    # An article larger than the whole budget is marked and served, never kept.
    huge = article_text(_article("Một", "", "<p>" + "Câu dài. " * 1000 + "</p>"))
    assert huge.body.count("data-sentence") == 1000 and cache.used <= cache.budget


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


_bodies = st.lists(_block, min_size=1, max_size=5).map("".join)


def _marks_come_off_and_every_sentence_is_marked(raw: str) -> None:
    body = sanitize_html(raw, lang="vi")
    result = str(mark_html(body, "b", "vi"))
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


# 100 generated bodies in the default run (a case costs about 65 ms: sanitizing, marking and parsing), 1,000
# in the slow tier.
test_removing_the_marks_gives_back_the_html_and_every_sentence_is_marked = settings(max_examples=100)(
    given(_bodies)(_marks_come_off_and_every_sentence_is_marked)
)
test_removing_the_marks_gives_back_the_html_and_every_sentence_is_marked_at_length = pytest.mark.slow(
    settings(max_examples=1000)(given(_bodies)(_marks_come_off_and_every_sentence_is_marked))
)
