"""Paragraphs written as list items made lists (reader.list_paragraphs)."""

from __future__ import annotations

import time

import pytest

from reader.layout_checks import layout_issues
from reader.list_paragraphs import hand_made_lists, make_lists, may_hold_lists
from reader.sanitize import sanitize_html
from reader.soup import parse_html


def _item(marker: str, text: str, level: int = 1) -> str:
    """One item of a list as Word's "Save as Web Page" (and copying from Word) writes it."""
    return (
        f"<p class=MsoListParagraphCxSpMiddle style='text-indent:-18.0pt;mso-list:l0 level{level} lfo1'>"
        "<![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>"
        f"{marker}<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span>"
        f"</span></span><![endif]>{text}<o:p></o:p></p>\n"
    )


def listed(markup: str, lang: str | None = None) -> str:
    """`markup` with its list paragraphs made lists (in an article in `lang`), then sanitized as the import
    stores it."""
    soup = parse_html(markup)
    make_lists(soup, lang=lang)
    return sanitize_html(soup.decode(), lang="vi")


def test_words_list_paragraphs_become_a_list_without_their_bullets() -> None:
    word = "<p>Nhiệm vụ:</p>\n" + _item("·", "Rà soát <b>bộ máy</b>;") + _item("·", "Tinh giản biên chế.")
    assert listed(word) == "<p>Nhiệm vụ:</p>\n<ul><li>Rà soát <b>bộ máy</b>;</li>\n<li>Tinh giản biên chế.</li></ul>"


def test_words_levels_nest() -> None:
    word = _item("·", "Một") + _item("o", "Một a", 2) + _item("o", "Một b", 2) + _item("·", "Hai")
    assert listed(word) == "<ul><li>Một<ul><li>Một a</li>\n<li>Một b</li>\n</ul></li>\n<li>Hai</li></ul>"


def test_words_numbered_list_keeps_its_numbers() -> None:
    word = _item("3.", "Ba") + _item("4.", "Bốn")
    assert listed(word) == '<ol start="3"><li>Ba</li>\n<li>Bốn</li></ol>'
    assert listed(_item("a)", "x") + _item("b)", "y")) == '<ol type="a"><li>x</li>\n<li>y</li></ol>'


PASTED = [
    ("<p>• một</p><p>• <em>hai</em></p>", "<ul><li>một</li><li><em>hai</em></li></ul>"),
    ("<p>◦\tmột</p>\n<p>◦\thai</p>", "<ul><li>một</li>\n<li>hai</li></ul>"),
    ("<p>▪ một</p><p>▪ hai</p>", "<ul><li>một</li><li>hai</li></ul>"),
    ("<p>–\tmột</p><p>–\thai</p>", "<ul><li>một</li><li>hai</li></ul>"),
    ("<p>-&nbsp;&nbsp;một</p><p>-&nbsp;&nbsp;hai</p>", "<ul><li>một</li><li>hai</li></ul>"),
    ("<p><b>•</b> một</p><p><b>•</b> hai</p>", "<ul><li>một</li><li>hai</li></ul>"),
    ("<p>1. một</p><p>2. hai</p><p>3. ba</p>", "<ol><li>một</li><li>hai</li><li>ba</li></ol>"),
    ("<p>2) hai</p><p>3) ba</p>", '<ol start="2"><li>hai</li><li>ba</li></ol>'),
    ("<p>a) một</p><p>b) hai</p>", '<ol type="a"><li>một</li><li>hai</li></ol>'),
    ('<p lang="en">• one</p><p>• hai</p>', '<ul><li lang="en">one</li><li>hai</li></ul>'),
    ("<P>&bull; một</P><P>&#8226; hai</P>", "<ul><li>một</li><li>hai</li></ul>"),
]


@pytest.mark.parametrize(("markup", "stored"), PASTED)
def test_paragraphs_pasted_as_a_list_become_one(markup: str, stored: str) -> None:
    assert listed(markup) == stored


@pytest.mark.parametrize(
    "markup",
    [
        "<p>• một mình</p><p>Đoạn văn.</p>",  # a lone bullet paragraph
        "<p>- Anh đi đâu đấy?</p><p>- Tôi đi chợ.</p>",  # dialogue: a dash and one space
        "<p>- he said</p>",
        "<p>• một</p><p>Giữa.</p><p>• hai</p>",  # not neighbours
        "<p>• một</p><p>▪ hai</p>",  # two kinds of bullet
        "<p>1. một</p><p>1) hai</p>",  # two kinds of number
        "<p>1. một</p><p>3. ba</p>",  # not one after another
        "<p>2026. Năm</p><p>2027. Năm</p>",  # years, not numbers of items
        "<p>•</p><p>•</p>",  # bullets with nothing after them
        "<p>1.5 triệu</p><p>2.5 triệu</p>",
        "<ul><li>• một</li><li>• hai</li></ul>",  # already a list
    ],
)
def test_what_is_not_a_list_is_left_as_it_is(markup: str) -> None:
    soup = parse_html(markup)
    assert not make_lists(soup)
    assert soup.decode() == markup.replace("&nbsp;", "\xa0")


def test_the_check_finds_lists_written_by_hand() -> None:
    soup = parse_html(
        "<p>1. một</p><p>2. hai</p><p>Đoạn.</p><p>• một<br>• hai<br>• ba</p><p>Đoạn.</p><p>• một mình</p>"
        "<p>- Anh đi đâu?\n- Đi chợ.</p><p>Thế rồi\n• không phải</p>"
    )
    found = [(paragraph.get_text()[:5], mark.text, count) for paragraph, mark, count in hand_made_lists(soup)]
    assert found == [("1. mộ", "1.", 2), ("• một", "•", 3)]


def test_many_runs_are_made_lists_without_walking_the_children_for_each() -> None:
    # From the last run back, each place known: bs4 alone looks each paragraph's place up by walking its
    # parent's children, quadratic in an article of thousands of them.
    markup = "".join(f"<p>Đoạn {n}.</p><p>• a{n}</p><p>• b{n}</p>" for n in range(2000))
    stored = listed(markup)
    assert stored == "".join(f"<p>Đoạn {n}.</p><ul><li>a{n}</li><li>b{n}</li></ul>" for n in range(2000))


def test_the_quick_look_misses_no_list() -> None:
    # may_hold_lists spares most bodies the walk over their paragraphs; it may say yes wrongly, never no.
    filtered = [
        _filtered_item(bullet, "Một", font) + _filtered_item(bullet, "Hai", font)
        for bullet, font in (
            ("§", "Wingdings"),
            ("Ø", "Wingdings"),
            ("ü", "Wingdings"),
            ("v", "Wingdings"),
            ("o", "Courier New"),
            ("o", '"Courier New"'),
            ("l", "Symbol"),
        )  # fmt: skip
    ]
    filtered += [
        _filtered_item("A.", "Một", "Times") + _filtered_item("B.", "Hai", "Times"),
        _filtered_item("1.", "Một", "Times").replace("class=", 'CLASS="').replace(" style", '" style')
        + _filtered_item("2.", "Hai", "Times"),
        # Word's bullets as the sanitizer leaves them, without the class (the check page's look).
        "<p><span>§<span> </span></span>Một</p><p><span>§<span> </span></span>Hai</p>",
        "<p><span>o<span> </span></span>Một</p><p><span>o<span> </span></span>Hai</p>",
        "<p><font face=Wingdings>v</font> Một</p><p><font face=Wingdings>v</font> Hai</p>",
    ]
    vietnamese = ["<p>d) bốn</p><p>đ) năm</p>", "<p>đ) năm</p><p>e) sáu</p>"]
    for markup in [markup for markup, _ in PASTED] + [_item("·", "Một") + _item("·", "Hai"), *filtered, *vietnamese]:
        assert may_hold_lists(markup), markup
    assert not may_hold_lists("<p>Đoạn <b>một</b>.</p><p>2026 là năm.</p><ul><li>• a</li></ul>")


@pytest.mark.parametrize(
    "markup",
    [
        "<p>" * 100_000 + "x", "<p" * 200_000, "<p><b>" * 100_000, "<p>" + "<b>" * 100_000,
        "<p class=" * 100_000, "class = '" * 100_000, "<p><span>o&nbsp; x" * 100_000,
    ],
)  # fmt: skip
def test_the_quick_look_takes_time_in_proportion(markup: str) -> None:
    # Each <p>'s look ran over all the tags after it: "<p>" × 8,000 took 5.6 s, × 100,000 would take hours.
    start = time.process_time()
    assert not may_hold_lists(markup)
    assert time.process_time() - start < 1


def _filtered_item(marker: str, text: str, font: str = "Wingdings") -> str:
    """An item as Word's "Web Page, Filtered" writes it: the class stays, the mso-list markup goes."""
    return (
        f"<p class=MsoListParagraphCxSpMiddle style='text-indent:-.25in'><span style='font-family:{font}'>"
        f"{marker}<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp; </span></span>{text}</p>\n"
    )


def test_words_filtered_html_too() -> None:
    filtered = _filtered_item("§", "Một") + _filtered_item("§", "Hai") + "<p>Sau.</p>\n"
    assert listed(filtered) == "<ul><li>Một</li>\n<li>Hai</li></ul>\n<p>Sau.</p>"
    courier = _filtered_item("o", "Một", "Courier New") + _filtered_item("o", "Hai", "Courier New")
    assert listed(courier) == "<ul><li>Một</li>\n<li>Hai</li></ul>"
    # In a paragraph with Word's list class, a word of one letter is still a word.
    words = "<p class=MsoListParagraph>Ở đây.</p><p class=MsoListParagraph>Ở kia.</p>"
    assert listed(words) == "<p>Ở đây.</p><p>Ở kia.</p>"


def test_words_symbol_bullets_without_the_class_are_found_in_their_font() -> None:
    # Word's filtered HTML where the class is gone (another tool's paste): each bullet alone in its symbol
    # font's span, as Word writes the font.
    for bullet, font in (("§", "Wingdings"), ("v", "Wingdings"), ("o", '"Courier New"'), ("·", "Symbol")):
        span = f"<span style='font-family:{font};mso-bidi-font-family:{font}'>{bullet}<span> </span></span>"
        leftover = f"<p>Nhiệm vụ:</p>\n<p>{span}Rà soát;</p>\n<p>{span}Tinh giản.</p>"
        found = [
            (paragraph.get_text()[-8:], mark.text, count)
            for paragraph, mark, count in hand_made_lists(parse_html(leftover))
        ]
        assert found == [("Rà soát;", bullet, 2)], font
        assert [issue["kind"] for issue in layout_issues(leftover, "en")] == ["hand_made_list"]
        assert listed(leftover) == "<p>Nhiệm vụ:</p>\n<ul><li>Rà soát;</li>\n<li>Tinh giản.</li></ul>"
    font = "<p><font face=Wingdings>§</font> Một</p><p><font face=Wingdings>§</font> Hai</p>"
    assert listed(font) == "<ul><li>Một</li><li>Hai</li></ul>"
    # Not a bullet: the same characters starting a text, with more in their element, or in no symbol font.
    for prose in ("<p>§ 5 Luật.</p><p>§ 6 Luật.</p>", "<p><b>§ 5</b> Luật.</p><p><b>§ 6</b> Luật.</p>",
                  "<p>o ở đây</p><p>o ở kia</p>", "<p><span>§<span> </span></span>Một</p><p><span>§</span> Hai</p>",
                  "<p><span style='font-family:Arial'>o</span> x</p><p><span style='font-family:Arial'>o</span> y</p>",
                  "<p style='font-family:Wingdings'><i>v</i> x</p><p style='font-family:Wingdings'><i>v</i> y</p>",
                  ):  # fmt: skip
        assert hand_made_lists(parse_html(prose)) == [], prose


# A formula's variables, each alone in its <i> at the start of a paragraph: Wingdings' "v" (❖) and "l" (●)
# are bullets only in that font.
PHYSICS = (
    "<p>Công thức: <i>s</i> = <i>v</i>·<i>t</i>, trong đó</p><p><i>v</i> là vận tốc trung bình (m/s);</p>"
    "<p><i>v</i> không đổi trong suốt quãng đường.</p>",
    "<p>Formula: <i>s</i> = <i>v</i>·<i>t</i>, where</p><p><i>v</i> is the average speed (m/s);</p>"
    "<p><i>v</i> stays the same.</p>",
    "<p><i>l</i> là chiều dài;</p><p><i>l</i> đo bằng mét.</p><p><em>o</em> là gốc;</p><p><em>o</em> cố định.</p>",
)


@pytest.mark.parametrize("markup", PHYSICS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_variable_alone_in_its_element_is_no_bullet(markup: str, lang: str) -> None:
    soup = parse_html(markup)
    assert not make_lists(soup, lang=lang)
    assert soup.decode() == markup
    assert hand_made_lists(parse_html(markup), lang) == []
    assert [issue for issue in layout_issues(markup, lang) if issue["kind"] == "hand_made_list"] == []


# Vietnamese letters its points in its own order: đ after d, no f, j, w or z.
VIETNAMESE_POINTS = "abcdđeghiklmnopqrstuvxy"


def test_vietnamese_lettered_points_are_one_list_in_vietnamese_order() -> None:
    markup = "<p>Điều 5. Các hành vi bị nghiêm cấm</p>" + "".join(
        f"<p>{letter}) Điểm {letter};</p>" for letter in VIETNAMESE_POINTS
    )
    items = "".join(f"<li>Điểm {letter};</li>" for letter in VIETNAMESE_POINTS)
    stored = f'<p>Điều 5. Các hành vi bị nghiêm cấm</p><ol class="vi-lower-alpha" type="a">{items}</ol>'
    assert listed(markup, "vi") == stored
    assert listed(markup, "vi-VN") == stored
    # A list that starts at "đ)" starts at the fifth of these letters, the one reader.css shows for it.
    assert listed("<p>đ) năm</p><p>e) sáu</p><p>g) bảy</p>", "vi") == (
        '<ol class="vi-lower-alpha" start="5" type="a"><li>năm</li><li>sáu</li><li>bảy</li></ol>'
    )
    word = _item("Đ.", "Năm") + _item("E.", "Sáu")
    assert listed(word, "vi") == '<ol class="vi-upper-alpha" start="5" type="A"><li>Năm</li>\n<li>Sáu</li></ol>'
    # "d) e) g)" counts on in neither order.
    assert listed("<p>d) bốn</p><p>e) năm</p><p>g) sáu</p>", "vi") == (
        '<ol start="4" type="a"><li>bốn</li><li>năm</li></ol><p>g) sáu</p>'
    )
    found = [(mark.text, count) for _, mark, count in hand_made_lists(parse_html(markup), "vi")]
    assert found == [("a)", 23)]


def test_vietnamese_content_counts_in_latin_letters_too() -> None:
    # Word's automatic lists letter a, b, c, d, e, f, g in every language: in a Vietnamese document too.
    word = "".join(_item(f"{letter})", f"Mục {letter}") for letter in "abcdefg")
    items = "".join(f"<li>Mục {letter}</li>\n" for letter in "abcdefg").removesuffix("\n")
    assert listed(word, "vi") == f'<ol type="a">{items}</ol>'
    # Typed by hand, either order: Latin when both hold, Vietnamese (its letters shown) when only it does.
    latin = "".join(f"<p>{letter}) Mục {letter}</p>" for letter in "abcdefg")
    assert listed(latin, "vi") == '<ol type="a">' + "".join(f"<li>Mục {letter}</li>" for letter in "abcdefg") + "</ol>"
    vietnamese = "".join(f"<p>{letter}) Mục {letter}</p>" for letter in "abcdđeg")
    assert listed(vietnamese, "vi") == (
        '<ol class="vi-lower-alpha" type="a">' + "".join(f"<li>Mục {letter}</li>" for letter in "abcdđeg") + "</ol>"
    )
    assert listed("<p>e) sáu</p><p>f) bảy</p>", "vi") == '<ol start="5" type="a"><li>sáu</li><li>bảy</li></ol>'
    # From "e)", "g)" is next only in Vietnamese: the sixth of its letters starts the list.
    assert listed("<p>e) sáu</p><p>g) bảy</p>", "vi") == (
        '<ol class="vi-lower-alpha" start="6" type="a"><li>sáu</li><li>bảy</li></ol>'
    )
    # Each level of Word's list in its own order.
    nested = _item("a)", "A") + _item("a.", "A1", 2) + _item("b.", "A2", 2) + _item("b)", "B") + _item("đ.", "x", 2)
    nested += _item("e.", "y", 2)
    assert listed(nested, "vi") == (
        '<ol type="a"><li>A<ol type="a"><li>A1</li>\n<li>A2</li>\n</ol></li>\n'
        '<li>B<ol class="vi-lower-alpha" start="5" type="a"><li>x</li>\n<li>y</li></ol></li>\n</ol>'
    )
    lines = "<p>a) một<br>b) hai<br>c) ba<br>d) bốn<br>e) năm<br>f) sáu</p>"
    assert [count for _, _, count in hand_made_lists(parse_html(lines), "vi")] == [6]
    assert [count for _, _, count in hand_made_lists(parse_html(latin + "<p>x</p>" + vietnamese), "vi")] == [7, 7]


def test_other_languages_keep_the_latin_letters() -> None:
    markup = "".join(f"<p>{letter}) point {letter}</p>" for letter in "abcdefg")
    stored = '<ol type="a">' + "".join(f"<li>point {letter}</li>" for letter in "abcdefg") + "</ol>"
    assert listed(markup, "en") == stored
    assert listed(markup) == stored
    assert listed("<p>d) bốn</p><p>đ) năm</p>", "en") == "<p>d) bốn</p><p>đ) năm</p>"


@pytest.mark.parametrize(
    ("markup", "stored"),
    [
        # html.parser nests a paragraph in one left open: the run inside the outer item is made a list first
        # (runs are, from the last back), and its markers were all the text after the outer item's own.
        (
            "<p>• .</p><p>•<p><s style=mso-list:Ignore>1.<a></p><p><n style=mso-list:Ignore>2.<t>",
            "<ul><li>.</li><li><ol><li></li><li></li></ol></li></ul>",
        ),
        ("<p>• một</p><p>•<p>1. a</p><p>2. b</p></p>", "<ul><li>một</li><li><ol><li>a</li><li>b</li></ol></li></ul>"),
    ],
)
def test_a_run_nested_in_an_item_leaves_its_marker_to_be_taken_out(markup: str, stored: str) -> None:
    soup = parse_html(markup)
    make_lists(soup)
    assert soup.decode() == stored
