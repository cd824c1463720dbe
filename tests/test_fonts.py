"""reader.fonts: which font files a page preloads, from the @font-face rules of static/css/fonts.css."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest

from reader import fonts
from reader.paths import STATIC_DIR
from reader.prefs import DEFAULTS, FONT_CHOICES
from tests.conftest import EN_SLUG, SEED_SLUG


def _preloads(font: str, lang: str) -> list[str]:
    return fonts.preloads(STATIC_DIR, dataclasses.replace(DEFAULTS, font=font), lang)


def test_system_fonts_preload_nothing() -> None:
    for lang in ("vi", "en"):
        assert _preloads("sans", lang) == [] and _preloads("serif", lang) == []
    # Atkinson lacks Vietnamese letters, so Vietnamese text is set in the system font.
    assert _preloads("atkinson", "vi") == []


def test_a_web_font_preloads_the_regular_then_the_bold_files_of_the_language() -> None:
    # The bold ones too: every page has bold text, and found late they came after the regular ones, whose
    # text then stood beside the stand-in's bold (the masthead's links moved to a row of their own and back).
    assert _preloads("opendyslexic", "vi") == [
        "fonts/opendyslexic-latin-400-normal.woff2",
        "fonts/opendyslexic-latin-700-normal.woff2",
    ]
    assert _preloads("opendyslexic", "en") == _preloads("opendyslexic", "vi")
    assert _preloads("lexend", "en") == ["fonts/lexend-latin-400-normal.woff2", "fonts/lexend-latin-700-normal.woff2"]
    # Vietnamese letters fall in all three of Lexend's ranges (ă in latin-ext, ắ in vietnamese).
    assert _preloads("lexend", "vi") == [
        "fonts/lexend-vietnamese-400-normal.woff2",
        "fonts/lexend-latin-ext-400-normal.woff2",
        "fonts/lexend-latin-400-normal.woff2",
        "fonts/lexend-vietnamese-700-normal.woff2",
        "fonts/lexend-latin-ext-700-normal.woff2",
        "fonts/lexend-latin-700-normal.woff2",
    ]
    assert _preloads("atkinson", "en") == [
        "fonts/atkinson-hyperlegible-latin-400-normal.woff2",
        "fonts/atkinson-hyperlegible-latin-700-normal.woff2",
    ]
    # An article tagged with a region is in its language all the same.
    assert _preloads("lexend", "vi-VN") == _preloads("lexend", "vi")


def test_every_web_font_choice_has_faces() -> None:
    families = {face.family for face in fonts.parse_faces((STATIC_DIR / fonts.FACES_STYLESHEET).read_text())}
    web = {fonts.first_family(font.stack) for font in FONT_CHOICES.values()} & families
    assert web == {"reader Lexend", "reader OpenDyslexic", "reader Atkinson Hyperlegible"}


def test_overlapping_ranges_take_the_face_declared_last() -> None:
    faces = fonts.parse_faces(
        "@font-face { font-family: 'F'; font-weight: 400; src: url(../fonts/wide.woff2); unicode-range: U+0000-02FF; }"
        "@font-face { font-family: 'F'; font-weight: 400; src: url(../fonts/ascii.woff2); unicode-range: U+0000-007F; }"
    )
    assert fonts.files_for_text(faces, "F", "ab") == ["fonts/ascii.woff2"]
    assert fonts.files_for_text(faces, "F", "aă") == ["fonts/wide.woff2", "fonts/ascii.woff2"]
    assert fonts.face_for(faces, "F", "ă") == faces[0] and fonts.face_for(faces, "F", "a") == faces[1]
    assert fonts.face_for(faces, "F", "ж") is None and fonts.face_for(faces, "G", "a") is None


@pytest.mark.anyio
async def test_the_page_preloads_the_chosen_font_at_its_fingerprinted_url(client: httpx.AsyncClient) -> None:
    preload = re.compile(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin>')
    assert preload.findall((await client.get(f"/articles/{SEED_SLUG}")).text) == []
    cookie = {"cookie": "reader_prefs=1|f:opendyslexic"}
    for page in (f"/articles/{SEED_SLUG}", f"/articles/{EN_SLUG}", "/", "/preferences", f"/embed/{SEED_SLUG}"):
        regular, bold = preload.findall((await client.get(page, headers=cookie)).text)
        assert re.fullmatch(r"/static/fonts/opendyslexic-latin-400-normal\.woff2\?v=[0-9a-f]{12}", regular)
        assert re.fullmatch(r"/static/fonts/opendyslexic-latin-700-normal\.woff2\?v=[0-9a-f]{12}", bold)
        for href in (regular, bold):
            assert (await client.get(href)).headers["content-type"] == "font/woff2"
