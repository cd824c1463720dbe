"""reader.specimens: each web font's name drawn in that font, what its button in the readability panel shows
(in a real browser: tests/browser/test_controls.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from reader import specimens
from reader.announce import font_name
from reader.paths import STATIC_DIR
from reader.prefs import FONT_CHOICES
from reader.prefs_css import REGENERATE
from reader.settings import UI_LANGUAGES
from tests.conftest import EN_SLUG

SPRITE = STATIC_DIR / specimens.SPRITE


def test_the_committed_drawing_is_what_the_fonts_and_names_give() -> None:
    committed = SPRITE.read_text(encoding="utf-8")
    assert committed == specimens.draw_sprite(STATIC_DIR), f"{specimens.SPRITE} is stale: run {REGENERATE}"
    # Well-formed, or a browser draws none of it; every view found by the parser the stylesheet is made with.
    svg = "{http://www.w3.org/2000/svg}"
    ids = [view.get("id") for view in ET.fromstring(committed).iter(svg + "view")]
    assert ids == list(specimens.parse_views(committed)) and len(ids) == 4


def test_a_renamed_font_is_drawn_again_word_by_word(monkeypatch: pytest.MonkeyPatch) -> None:
    before = specimens.draw_sprite(STATIC_DIR)
    monkeypatch.setattr(specimens, "font_name", lambda font, lang: "Lexend Deca" if font == "lexend" else "X")
    after = specimens.draw_sprite(STATIC_DIR)
    assert after != before
    views = specimens.parse_views(after)
    assert {"lexend-1", "lexend-2", "opendyslexic", "atkinson"} == set(views)
    # The first word is the same drawing as before ("Lexend"), the second a new one.
    assert views["lexend-1"].width == specimens.parse_views(before)["lexend"].width
    assert specimens.button_views("lexend", "vi", STATIC_DIR) == ["lexend-1", "lexend-2"]


def test_a_name_translated_in_one_language_is_drawn_for_each(monkeypatch: pytest.MonkeyPatch) -> None:
    assert specimens.button_views("lexend", "vi", STATIC_DIR) == ["lexend"]
    assert specimens.button_views("atkinson", "en", STATIC_DIR) == ["atkinson-1", "atkinson-2"]
    monkeypatch.setattr(
        specimens, "font_name", lambda font, lang: f"Lexend {lang.upper()}" if lang == "vi" else "Lexend"
    )
    assert specimens.button_views("lexend", "vi", STATIC_DIR) == ["lexend-vi-1", "lexend-vi-2"]
    assert specimens.button_views("lexend", "en", STATIC_DIR) == ["lexend-en"]


def test_every_web_font_button_has_its_words_drawn_and_system_fonts_none() -> None:
    views = specimens.views(STATIC_DIR)
    drawn = specimens.specimen_words(STATIC_DIR)
    assert set(views) == set(drawn)
    for font in FONT_CHOICES:
        for lang in UI_LANGUAGES:
            shown = specimens.button_views(font, lang, STATIC_DIR)
            if font in ("sans", "serif"):
                assert shown == []
                continue
            assert " ".join(drawn[view][1] for view in shown) == font_name(font, lang)
            assert all(view in views for view in shown)


def test_each_view_is_the_advance_and_the_ink_of_its_word() -> None:
    views = specimens.views(STATIC_DIR)
    # Lexend's "Lexend" is 3.509 em wide with its kerning (3.562 em from the glyphs' advances alone), its ink
    # from the top of the "L" and "d" (0.74 em) to the overshoot of "e" below the baseline.
    assert views["lexend"] == specimens.View("lexend", 0, -740, 3509, 750)
    # "Hyperlegible" reaches below the baseline (y, p, g), "Atkinson" barely.
    assert views["atkinson-2"].descent > 150 > views["atkinson-1"].descent >= 0
    # Side by side, apart, on one baseline.
    boxes = sorted(views.values(), key=lambda view: view.x)
    assert all(left.x + left.width + specimens.GAP <= right.x for left, right in zip(boxes, boxes[1:], strict=False))


@pytest.mark.anyio
async def test_a_web_font_button_says_its_name_and_shows_the_drawing(client: httpx.AsyncClient) -> None:
    html = (await client.get(f"/articles/{EN_SLUG}", headers={"accept-language": "en"})).text
    button = re.search(r'<button [^>]*id="reader-font-atkinson"[^>]*>(.*?)</button>', html)
    assert button is not None
    assert button[1] == (
        '<span class="reader-visually-hidden">Atkinson Hyperlegible</span>'
        '<span class="reader-font-specimen" aria-hidden="true">'
        '<span class="reader-specimen" data-specimen="atkinson-1"></span> '
        '<span class="reader-specimen" data-specimen="atkinson-2"></span></span>'
    )
    serif = re.search(r'<button [^>]*id="reader-font-serif"[^>]*>(.*?)</button>', html)
    assert serif is not None and serif[1] == '<span class="reader-font-sample" data-sample-font="serif">Serif</span>'
