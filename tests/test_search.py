from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from reader.search import (
    EXCERPT_WORDS,
    MAX_SEARCH_TEXT,
    Marked,
    body_text,
    excerpt,
    excerpt_source,
    in_words,
    marked,
    search_text,
)
from reader.slugs import folded


def _text(found: Marked) -> str:
    return "".join(piece for piece, _ in found.pieces)


def _marks(found: Marked) -> list[str]:
    return [piece for piece, is_marked in found.pieces if is_marked]


def test_the_words_are_every_field_s_once_without_diacritics_or_markup() -> None:
    made = search_text(
        "bac-kan-2021",
        "Bắc Kạn nâng cao",
        "Sau 5 năm, Bắc Kạn…",
        "Thanh Thuyên",
        '<p class="x">Đội ngũ <a href="https://e.org/a>b" title="ẩn">cán bộ</a> &amp; <strong>công</strong>chức</p>',
    )
    assert made.title == "bac kan nang cao"
    assert made.words == "bac kan nang cao sau 5 nam thanh thuyen doi ngu can bo cong chuc 2021"


def test_the_words_are_cut_at_a_word_past_the_limit() -> None:
    body = "<p>" + " ".join(f"w{n:07d}" for n in range(30_000)) + "</p>"
    words = search_text("a", "A", "", "", body).words
    assert len(words) <= MAX_SEARCH_TEXT and words.endswith(f"w{len(words) // 9 - 1:07d}")


def test_a_body_s_text_is_its_text_whatever_its_attributes_hold() -> None:
    assert body_text('<p title="1 > 0">Một&nbsp;<em>hai</em></p>\n<p>ba</p>') == "Một hai. ba"


TABLE = (
    "<p>Số liệu:</p><table><caption>Biên chế</caption><thead><tr><th>Tỉnh</th><th>2021</th><th>2022</th>"
    "<th>Ghi chú</th></tr></thead><tbody><tr><td>Bắc Kạn</td><td>1.234</td><td>1.456</td><td></td></tr>"
    "<tr><td>Cao Bằng</td><td>2.345</td><td>2.567</td><td>Tăng</td></tr></tbody></table>"
    "<h2>Kết quả</h2><p>Đã xong.</p><ul><li>Một<br>dòng</li><li>Hai</li></ul>"
)


def test_an_excerpt_keeps_a_table_s_cells_and_the_blocks_apart() -> None:
    """A table's excerpt was a run of numbers: "Tỉnh 2021 2022 Ghi chú Bắc Kạn 1.234 1.456 Cao Bằng…"."""
    text = body_text(TABLE)
    assert text == (
        "Số liệu: Biên chế. Tỉnh · 2021 · 2022 · Ghi chú. Bắc Kạn · 1.234 · 1.456. Cao Bằng · 2.345 · 2.567 · "
        "Tăng. Kết quả. Đã xong. Một dòng. Hai"
    )
    source, more = excerpt_source("Sapo không có dấu chấm", TABLE)
    assert source.startswith("Sapo không có dấu chấm. Số liệu:") and not more
    found = excerpt(source, ["bac", "kan"])
    assert found is not None and _marks(found) == ["Bắc", "Kạn"]
    assert "Ghi chú. Bắc Kạn · 1.234 · 1.456. Cao Bằng" in _text(found)
    # A break counts for no word: the excerpt is as many words as ever, and never begins or ends with one.
    cells = "<table><tr>" + "".join(f"<td>ô{n}</td>" for n in range(60)) + "</tr></table>"
    found = excerpt(body_text(cells), ["o30"])
    assert found is not None and len([w for w in _text(found).split() if w != "·"]) == EXCERPT_WORDS
    assert not _text(found).startswith("·") and not _text(found).endswith("·")


def test_the_breaks_change_none_of_the_words_an_article_is_found_by() -> None:
    """The stored words (search_text, from plain_text) are what they were: no row needs making again, so
    search_version is not moved (reader.migrations)."""
    made = search_text("bang", "Bảng", "", "", TABLE)
    assert made.words == (
        "bang so lieu bien che tinh 2021 2022 ghi chu bac kan 1 234 456 cao 2 345 567 tang ket qua da xong mot dong hai"
    )
    assert "\ue000" not in body_text("a\ue000b\ue001c") and body_text("<td>a</td><td>b</td>") == "a · b"


def test_a_sentence_that_ends_inside_quotes_or_brackets_gets_no_second_full_stop() -> None:
    # Quotations end paragraphs often in the news: «“Xong.”.» read as a stray mark.
    body = "<p>Ông nói: “Xong.”</p><p>Tiếp (xem hình.)</p><p>“Không dấu”</p><p>Hết</p>"
    assert body_text(body) == "Ông nói: “Xong.” Tiếp (xem hình.) “Không dấu”. Hết"
    assert excerpt_source("Sapo “có trích dẫn.”", "<p>x</p>")[0] == "Sapo “có trích dẫn.” x"
    assert excerpt_source("Sapo", "<p>x</p>")[0] == "Sapo. x"


def test_an_excerpt_is_about_25_words_around_the_first_word_found_each_marked() -> None:
    text = (
        " ".join(f"từ{n}" for n in range(100))
        + " Hệ thống thông tin, (Thống) thống kê "
        + " ".join(f"sau{n}" for n in range(100))
    )
    found = excerpt(text, ["thong"])
    assert found is not None and found.cut_before and found.cut_after
    assert len(_text(found).split()) == EXCERPT_WORDS
    assert _text(found).startswith("từ93 từ94 ") and "Hệ thống thông tin, (Thống) thống kê sau0" in _text(found)
    assert _marks(found) == ["thống", "thông", "Thống", "thống"]


def test_an_excerpt_of_a_short_text_is_the_whole_text_uncut() -> None:
    found = excerpt("Mưa lớn ở Hà Nội.", ["ha", "noi"])
    assert found is not None and (found.cut_before, found.cut_after) == (False, False)
    assert found.pieces == (("Mưa lớn ở ", False), ("Hà", True), (" ", False), ("Nội", True), (".", False))


def test_only_the_beginnings_of_words_are_found() -> None:
    assert excerpt("Thông tin không đổi", ["ong"]) is None
    assert excerpt("Thông tin không đổi", ["khong"]) is not None
    assert excerpt("x_thong", ["thong"]) is not None  # an underscore separates words, as in a slug
    assert excerpt("đường", ["duong"]) is not None and excerpt("Đường", ["d"]) is not None


def test_text_written_decomposed_is_found_and_shown_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Hệ thống điện")
    found = excerpt(decomposed, ["thong"])
    assert found is not None and _marks(found) == ["thống"]


def test_an_excerpt_is_text_markup_and_all() -> None:
    found = excerpt("<script>alert(1)</script> thông tin", ["script", "thong"])
    assert found is not None and _text(found) == "<script>alert(1)</script> thông tin"
    assert _marks(found) == ["script", "script", "thông"]


def test_a_very_long_word_is_cut_not_shown_whole() -> None:
    found = excerpt("thông " + "x" * 5_000, ["thong"])
    assert found is not None and found.cut_after and len(_text(found)) < 700


def test_nothing_found_no_excerpt() -> None:
    assert excerpt("Mưa lớn", ["nang"]) is None and excerpt("Mưa lớn", []) is None


def test_an_author_s_name_is_marked_whole() -> None:
    assert marked("Nguyễn Văn Hùng", ["hung"]) == Marked(pieces=(("Nguyễn Văn ", False), ("Hùng", True)))
    assert marked("Nguyễn Văn Hùng", ["lan"]) is None


def test_an_excerpt_goes_where_the_search_s_words_are_together() -> None:
    text = "Tỉnh ủy chỉ đạo. " + " ".join(f"từ{n}" for n in range(60)) + " công nghệ thông tin theo quy định."
    found = excerpt(text, ["thong", "tin"])
    assert found is not None and _marks(found) == ["thông", "tin"]  # not the "Tỉnh" at the start
    alone = excerpt(text, ["tin"])
    assert alone is not None and _marks(alone)[0] == "Tỉnh"  # one word: its first place


def test_a_title_is_found_when_it_has_every_word() -> None:
    assert in_words(["bac", "ka"], "Bắc Kạn nâng cao") and not in_words(["bac", "hue"], "Bắc Kạn nâng cao")


# Text of Vietnamese and English letters, digits, punctuation, spaces and whatever else Unicode holds.
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậđèẻẽéẹ ,.-_()<>&'\n0123456789"
_TEXT = st.text(st.sampled_from(_LETTERS) | st.characters())


@given(text=_TEXT, words=st.lists(st.from_regex(r"[a-z0-9]{1,4}", fullmatch=True), min_size=1, max_size=3))
def test_an_excerpt_is_a_passage_of_the_text_and_marks_only_words_found(text: str, words: list[str]) -> None:
    found = excerpt(text, words)
    if found is None:
        return
    shown = "".join(piece for piece, _ in found.pieces)
    assert shown and shown in " ".join(unicodedata.normalize("NFC", text).split())
    assert _marks(found) and all(any(folded(piece).startswith(word) for word in words) for piece in _marks(found))


def test_a_character_without_an_ascii_form_separates_words_as_in_the_text() -> None:
    # Dropped, a dash or an ideograph joined its neighbours into one word ("noisai", "20202021"), by which
    # neither was found, while the excerpt (Unicode's word characters) saw two.
    made = search_text("x", "Hà Nội—Sài Gòn", "Năm 2020–2021", "", "<p>Bắc–Nam, a中b</p>")
    assert made.title == "ha noi sai gon"
    assert made.words == "ha noi sai gon nam 2020 2021 bac a b x"
    found = excerpt("Tuyến Hà Nội—Sài Gòn", ["sai"])
    assert found is not None and _marks(found) == ["Sài"]


def test_an_excerpt_is_looked_for_in_the_beginning_of_a_long_body_only() -> None:
    """Every search page made its results' excerpts from their whole bodies (160 ms a megabyte): only the
    first EXCERPT_HTML characters of a body are looked in, cut neither in a tag nor in a reference."""
    from reader.search import EXCERPT_HTML, excerpt_source

    filler = "<p>" + "mưa " * (EXCERPT_HTML // 4) + "</p>"
    assert excerpt_source("Sapo.", "<p>Nắng.</p>") == ("Sapo. Nắng.", False)
    source, more = excerpt_source("Sapo.", filler + "<p>nắng</p>")
    assert more and "nang" not in folded(source) and len(source) <= len("Sapo. ") + EXCERPT_HTML
    shown = excerpt(source, ["mua"], more=more)
    assert shown is not None and shown.cut_after
    # A cut in a tag or a character reference leaves none of it.
    for tail in ('<a href="x">', "&amp;", "&#233;"):
        for cut in range(1, len(tail)):
            body = "<p>" + "x" * (EXCERPT_HTML - 3 - cut) + tail + "y</p>"
            assert excerpt_source("", body)[0].endswith("x"), (tail, cut)
