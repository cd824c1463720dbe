"""The letters a browser shows (and a screen reader reads) for an imported lettered list (reader.css's
counter styles; reader.list_paragraphs)."""

from __future__ import annotations

from playwright.sync_api import Page

from reader.list_paragraphs import make_lists
from reader.paths import STATIC_DIR
from reader.sanitize import sanitize_html
from reader.soup import parse_html


def _markers(page: Page) -> list[str]:
    """The list markers in Chromium's accessibility tree: the text shown, and what a screen reader hears."""
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    return [node["name"]["value"] for node in tree["nodes"] if node.get("role", {}).get("value") == "ListMarker"]


def _imported(markup: str, lang: str) -> str:
    soup = parse_html(markup)
    make_lists(soup, lang=lang)
    return sanitize_html(soup.decode(), lang=lang)


def test_vietnamese_points_show_the_letters_typed(page: Page) -> None:
    points = "abcdđeghik"
    vietnamese = _imported("".join(f"<p>{letter}) Điểm {letter};</p>" for letter in points), "vi")
    from_dd = _imported("<p>đ) năm</p><p>e) sáu</p><p>g) bảy</p>", "vi")
    english = _imported("".join(f"<p>{letter}) point {letter}</p>" for letter in "defg"), "en")
    vi_body, en_body = f"{vietnamese}{from_dd}", english
    page.set_content(
        f'<div class="reader-body" lang="vi">{vi_body}</div><div class="reader-body" lang="en">{en_body}</div>'
    )
    page.add_style_tag(path=str(STATIC_DIR / "css" / "reader.css"))
    assert _markers(page) == [*(f"{letter}) " for letter in points), "đ) ", "e) ", "g) ", "d. ", "e. ", "f. ", "g. "]
