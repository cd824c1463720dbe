from __future__ import annotations

from reader.sanitize import sanitize_html


def test_scripts_handlers_and_bad_urls_are_removed() -> None:
    html = sanitize_html(
        '<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">a</a>'
        '<a href=" jav&#x09;ascript:alert(1)">b</a><img src="data:image/png;base64,AA" alt="d">'
        '<iframe src="https://evil.example"></iframe><p style="position:fixed">s</p>',
        lang="en",
    )
    assert "script" not in html and "alert" not in html
    assert "onclick" not in html and "style" not in html and "iframe" not in html
    assert "data:" not in html and "javascript" not in html
    assert "<p>Hi</p>" in html


def test_links_get_rel_and_keep_safe_urls() -> None:
    html = sanitize_html('<p><a href="https://example.org/x" target="_blank">x</a></p>', lang="en")
    assert '<a href="https://example.org/x" rel="noopener noreferrer">x</a>' in html


def test_body_h1_shifts_every_heading_down() -> None:
    html = sanitize_html("<h1>A</h1><h2>B</h2><h6>C</h6>", lang="en")
    assert html == "<h2>A</h2><h3>B</h3><h6>C</h6>"


def test_headings_stay_when_there_is_no_h1() -> None:
    assert sanitize_html("<h2>A</h2><h3>B</h3>", lang="en") == "<h2>A</h2><h3>B</h3>"


def test_tables_are_wrapped_in_a_labelled_focusable_region() -> None:
    html = sanitize_html("<table><caption>Prices</caption><tr><td>1</td></tr></table>", lang="en")
    assert html.startswith('<div aria-label="Prices" class="reader-table" role="region" tabindex="0"><table>')
    unlabelled = sanitize_html("<table><tr><td>1</td></tr></table>", lang="vi")
    assert 'aria-label="Bảng 1"' in unlabelled


def test_sanitizing_is_idempotent() -> None:
    once = sanitize_html('<h1>T</h1><table><tr><td>1</td></tr></table><img src="/a.png" alt="a">', lang="en")
    assert sanitize_html(once, lang="en") == once


def test_attribute_values_are_checked() -> None:
    html = sanitize_html('<p lang="en&quot;x" dir="sideways">t</p><td colspan="2;x">c</td>', lang="en")
    assert "lang=" not in html and "dir=" not in html and "colspan" not in html


def test_images_are_lazy_and_keep_alt() -> None:
    html = sanitize_html('<img src="/static/img/a.svg" alt="A chart" width="10" height="x">', lang="en")
    assert 'alt="A chart"' in html and 'loading="lazy"' in html and 'width="10"' in html
    assert "height" not in html
