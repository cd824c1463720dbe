from __future__ import annotations

import pytest

from reader import prefs
from reader.drafts import draft_from_fields
from reader.layout_checks import AUTO_DARK, REMOVED_ELEMENTS, layout_issues, layout_report
from reader.sanitize import sanitize_html

URL = "https://example.org/archive/2026/reading-research/line-length-and-text-size-on-small-screens/full-report-and-tables.html"


def _issues(report: dict[str, object], kind: str) -> list[dict[str, object]]:
    issues = report["issues"]
    assert isinstance(issues, list)
    return [issue for issue in issues if issue["kind"] == kind]


def test_every_theme_meets_aaa_for_text_and_links() -> None:
    contrast = layout_report("", "vi", "en")["contrast"]
    assert isinstance(contrast, dict)
    assert set(contrast) == {*prefs.THEMES, AUTO_DARK}
    for theme, pairs in contrast.items():
        assert set(pairs) == {"text", "link", "visited_link", "muted"}
        for pair, result in pairs.items():
            assert result["passes_aaa"], (theme, pair, result)
            assert result["ratio"] >= 7
    assert contrast["dark"]["text"]["background"] == prefs.PALETTES["dark"].bg == "#121212"
    assert contrast[AUTO_DARK]["text"]["background"] == "#121212"
    assert contrast["auto"]["text"]["background"] == "#ffffff"


def test_characters_per_line_for_every_width_and_size() -> None:
    lines = layout_report("", "en", "en")["characters_per_line"]
    assert isinstance(lines, dict)
    widths = lines["widths"]
    assert set(widths) == {prefs.fmt(width) for width in prefs.WIDTHS}
    for width in prefs.WIDTHS:
        entry = widths[prefs.fmt(width)]
        # A full line of prose holds fewer characters than the setting, the most a line holds (an address).
        assert 0.75 * width < entry["max"] < 0.85 * width
        assert set(entry["sizes"]) == {prefs.fmt(size) for size in prefs.SIZES}
        assert entry["sizes"]["100"]["1280"] == entry["max"]
        for per_viewport in entry["sizes"].values():
            assert 0 < per_viewport["320"] <= per_viewport["1280"] <= entry["max"]
    # 66 × 0.69 ch of column over 0.83 ch a character, less 2 lost to wrapping: what Chromium's lines hold
    # (tests/browser/test_editor.py).
    assert widths["66"]["max"] == 53
    # 320 px minus 2 × 16 px of gutter over 16 px × 0.57 × 0.83 a character, less 2
    assert widths["66"]["sizes"]["100"]["320"] == 36
    assert widths["66"]["sizes"]["400"]["320"] == 8


def test_markup_issues() -> None:
    body = (
        "<p>Intro</p>"
        '<img src="/a.jpg">'
        '<img src="/b.jpg" alt="IMG_1234.jpg">'
        '<img src="/c.jpg" alt="DSC0001">'
        '<img src="/d.jpg" alt="">'
        '<img src="/e.jpg" alt="A reader holding a phone">'
        "<h2>Part one</h2><h4>Detail</h4><h3>Fine again</h3>"
        '<p>See <a href="/x">  Xem   thêm </a>, <a href="/y">click here</a>, <a href="/z">the full report</a>.</p>'
        f'<p>Source: <a href="{URL}">{URL}</a></p>'
        "<table><tr>" + "<td>1</td>" * 7 + "</tr></table>"
        "<table><tr><th>Size</th><th>px</th></tr><tr><td>100 %</td><td>16</td></tr></table>"
    )
    report = layout_report(body, "vi", "en")
    assert [issue["src"] for issue in _issues(report, "missing_alt")] == ["/a.jpg"]
    assert [issue["alt"] for issue in _issues(report, "filename_alt")] == ["IMG_1234.jpg", "DSC0001"]
    (skipped,) = _issues(report, "skipped_heading")
    assert (skipped["previous"], skipped["level"], skipped["text"]) == (2, 4, "Detail")
    assert [issue["text"] for issue in _issues(report, "vague_link")] == ["Xem thêm", "click here"]
    (wide,) = _issues(report, "wide_table")
    assert wide["columns"] == 7
    assert len(_issues(report, "table_without_headers")) == 1
    (unbroken,) = _issues(report, "long_unbreakable")
    assert unbroken["text"] == URL and unbroken["length"] == 120
    for issue in report["issues"]:  # type: ignore[attr-defined]
        assert issue["message"]


def test_a_narrow_table_with_long_words_is_wide_too() -> None:
    body = "<table><tr><th>Donaudampfschifffahrtsgesellschaft</th><th>Rindfleischetikettierung</th></tr></table>"
    (wide,) = _issues(layout_report(body, "en", "en"), "wide_table")
    assert wide["columns"] == 2 and int(str(wide["min_width"])) > 288


def test_column_spans_are_read_as_browsers_read_them() -> None:
    # "²" is a digit to str.isdigit() but not to int() (the check page failed on it); "2x" is 2 and "0" is
    # 1, as browsers read them; a span past HTML's 1,000 counts as 1,000, not as millions of columns to add.
    odd = "<table><tr>" + "".join(f'<td colspan="{span}">a</td>' for span in ("²", "①", " 2 ", "x", "2x", "0"))
    odd += "</tr></table>"
    (wide,) = _issues(layout_report(odd, "en", "en"), "wide_table")
    assert wide["columns"] == 8
    huge = '<table><tr><td colspan="99999999">a</td></tr></table>'
    (wide,) = _issues(layout_report(huge, "en", "en"), "wide_table")
    assert wide["columns"] == 1000


def test_a_skipped_heading_is_named_as_written_when_the_headings_moved_down() -> None:
    # Word's HTML pasted in with its title's h1: every heading is stored one level down (reader.sanitize),
    # and "h4 follows h2" named levels the editor never wrote.
    source = "<h1>Hội nghị</h1><p>Mở đầu.</p><h3>Kết quả</h3><p>Nội dung.</p><h5>Chi tiết</h5>"
    body = sanitize_html(source, lang="vi")
    assert [tag for tag in ("h2", "h4", "h6") if f"<{tag}>" in body] == ["h2", "h4", "h6"]
    issues = _issues(layout_report(body, "vi", "en", source_html=source), "skipped_heading")
    assert [(issue["level"], issue["previous"]) for issue in issues] == [(4, 2), (6, 4)]  # stored levels, as before
    assert issues[0]["message"] == (
        "Heading level skipped: h3 follows h1 as written (stored one level down, as h4 after h2, since the "
        "article's title is the page's only h1)"
    )
    vi = _issues(layout_report(body, "vi", "vi", source_html=source), "skipped_heading")
    assert str(vi[1]["message"]).startswith("Nhảy cấp tiêu đề: h5 đứng ngay sau h3 như khi viết")
    first = "<h3>Trước</h3><h1>Sau</h1>"
    (issue,) = _issues(layout_report(sanitize_html(first, lang="vi"), "vi", "en", source_html=first), "skipped_heading")
    assert str(issue["message"]).startswith("Heading level skipped: the first heading, h3 as written, comes right")
    # Not moved (no h1 in the body): the levels are the ones written, said as before.
    plain = "<h2>Một</h2><h4>Hai</h4>"
    (issue,) = _issues(layout_report(sanitize_html(plain, lang="vi"), "vi", "en", source_html=plain), "skipped_heading")
    assert issue["message"] == "Heading level skipped: h4 follows h2"


def test_a_sources_alignment_and_px_sizes_are_no_finding() -> None:
    """The sanitizer removes them (a Word file's justified paragraphs and 13px runs): they reach no reader."""
    source = (
        "<style>p { text-align: justify; font-size: 13px }</style>"
        '<p style="text-align:justify;font-size:12.5px">A</p><p align="justify">B</p>'
    )
    assert layout_report(sanitize_html(source, lang="vi"), "en", "vi", source_html=source)["issues"] == []


def test_messages_in_vietnamese() -> None:
    report = layout_report('<img src="https://example.com/a.jpg"><p><a href="/">Tại đây</a></p>', "vi", "vi")
    messages = [issue["message"] for issue in report["issues"]]  # type: ignore[attr-defined]
    assert messages == [
        "Ảnh không có văn bản thay thế (thiếu thuộc tính alt)",
        "Chữ của liên kết không cho biết liên kết dẫn đến đâu: “Tại đây”",
    ]


def test_an_image_without_a_description_is_flagged() -> None:
    """Markdown's ![](address) stores alt="": right only for decoration, which an article's image seldom is."""
    draft = draft_from_fields(
        {"slug": "x", "lang": "vi", "title": "X", "body_markdown": "![](https://example.com/cau.jpg)"}
    )
    assert '<img alt=""' in draft.body_html
    report = layout_report(draft.body_html, "vi", "vi")
    (empty,) = _issues(report, "empty_alt")
    assert empty["src"] == "https://example.com/cau.jpg"
    assert empty["message"] == "Ảnh chưa có mô tả (alt rỗng): hãy mô tả ảnh, trừ khi ảnh chỉ để trang trí"
    assert report["issues"] == [empty]
    for alt in ("  ", "\n"):
        issues = layout_report(f'<img src="https://e.com/a.jpg" alt="{alt}">', "en", "en")["issues"]
        assert [issue["kind"] for issue in issues] == ["empty_alt"]
    assert layout_report('<img src="https://e.com/a.jpg" alt="A bridge">', "en", "en")["issues"] == []


def test_an_image_at_a_relative_address_is_flagged() -> None:
    body = "".join(
        f'<img src="{src}" alt="A chart">'
        for src in ("chart.png", "../img/chart.png", "./chart.png", "/media/chart.png", "//cdn.example/c.png",
                    "https://example.com/c.png", "HTTP://example.com/c.png")
    )  # fmt: skip
    report = layout_report(body, "en", "en")
    relative = _issues(report, "relative_src")
    assert [issue["src"] for issue in relative] == ["chart.png", "../img/chart.png", "./chart.png"]
    assert relative[0]["message"].startswith("Image at a relative address (“chart.png”)")
    assert layout_report('<img src="chart.png" alt="Biểu đồ">', "vi", "vi")["issues"][0]["message"].startswith(
        "Ảnh dùng địa chỉ tương đối (“chart.png”)"
    )


def test_every_language_gets_the_layout_checks() -> None:
    # They read markup, not words: an article in French (no readability report) is checked all the same.
    report = layout_report('<h3>Titre</h3><p><img src="https://example.com/a.png"></p>', "fr-CA", "en")
    assert report["lang"] == "fr"
    assert sorted(issue["kind"] for issue in report["issues"]) == ["missing_alt", "skipped_heading"]
    assert layout_report("", "vi-VN", "vi")["lang"] == "vi"
    with pytest.raises(ValueError):  # the messages' language must be one reader speaks
        layout_report("", "fr", "fr")


def test_what_the_sanitizer_removes_from_the_source_is_named_and_counted() -> None:
    # An import of a page with a video and an embedded player once said only "Imported 1 article".
    source = (
        '<p>Text</p><iframe src="https://video.example/x"></iframe><video src="a.mp4"></video>'
        "<p><video></video><audio></audio></p><form><input name=q><button>Go</button></form>"
    )
    body = sanitize_html(source, lang="vi")
    assert all(f"<{name}" not in body for name in REMOVED_ELEMENTS)
    issues = [i for i in layout_issues(body, "vi", source_html=source) if i["kind"] == "removed_content"]
    assert len(issues) == 1
    assert issues[0]["elements"] == {"iframe": 1, "video": 2, "audio": 1, "form": 1, "input": 1, "button": 1}
    assert (
        issues[0]["message"].startswith("Không giữ lại từ bản gốc") and "1 × iframe, 2 × video" in issues[0]["message"]
    )
    assert not [i for i in layout_issues(body, "vi", source_html="<p>Text</p>") if i["kind"] == "removed_content"]


@pytest.mark.parametrize("name", REMOVED_ELEMENTS)
def test_every_element_named_as_removed_is_removed(name: str) -> None:
    assert f"<{name}" not in sanitize_html(f"<p>a</p><{name}>inside</{name}>", lang="en")


def test_a_list_written_by_hand_is_pointed_out() -> None:
    # Paragraphs that each start with a bullet or the next number (or lines of one paragraph that do), as
    # typed in the editor: a screen reader announces no list. A dash and a space is a line of dialogue.
    body = (
        "<p>Nhiệm vụ:</p><p>• Rà soát bộ máy;</p><p>• Tinh giản biên chế.</p>"
        "<p>1. Đánh giá<br>2. Kế hoạch<br>3. Kiểm tra</p>"
        "<p>- Anh đi đâu đấy?</p><p>- Tôi đi họp.</p><p>• Một mình.</p><ul><li>Một</li><li>Hai</li></ul>"
    )
    found = _issues(layout_report(body, "vi", "vi"), "hand_made_list")
    assert [(issue["count"], issue["marker"], issue["text"]) for issue in found] == [
        (2, "•", "• Rà soát bộ máy;"),
        (3, "1.", "1. Đánh giá 2. Kế hoạch 3. Kiểm tra"),
    ]
    assert found[0]["message"] == (
        "Danh sách gõ tay: 2 dòng liền nhau bắt đầu bằng “•” (“• Rà soát bộ máy;”); hãy tạo danh sách thật (gạch "
        "đầu dòng hoặc đánh số) để trình đọc màn hình thông báo đây là danh sách và có bao nhiêu mục"
    )
    english = _issues(layout_report(body, "vi", "en"), "hand_made_list")[0]["message"]
    assert str(english).startswith("A list written by hand: 2 lines in a row start with “•”")
    # Once it is a list, nothing is said.
    assert not _issues(layout_report("<ul><li>Rà soát;</li><li>Tinh giản.</li></ul>", "vi", "vi"), "hand_made_list")
