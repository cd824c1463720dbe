"""The web fonts reader serves (the @font-face rules of static/css/fonts.css) and which of their files a
page preloads: for the font a reader chose, the regular and the bold files that the letters of the
article's language fall in, so the first screen is never waiting for a file found late.

A browser downloads a face only for text that uses it and only for the characters its unicode-range
covers; where ranges overlap, the face declared last is tried first (CSS Fonts 4, §4.5). The bold files
are preloaded too: every page sets text in bold (the masthead's name, an article's title, the index's
headings), so they are fetched anyway; found by the stylesheet, they came about 100 ms after the regular
ones, and in between the real regular text stood beside the stand-in's bold (a regular system face made
bold, 8 % wider than OpenDyslexic's bold): the masthead's links went to a row of their own and came back
(a layout shift of 0.29 on a phone). Italic faces are left to be found: emphasis is a small part of the
first screen. The faces say `font-display: swap`, so no text is ever invisible (`optional` would keep a
reader's chosen font off a first visit on a slow connection, which for OpenDyslexic would defeat the
reason they chose it); while they download, reader.font_fallbacks keeps the text where it will be.
The preloads are in the head; the faces are declared by css/web-fonts.css, linked inside the page's region
(reader.assets.WEB_FONTS), which the browser finds later: they take the preloaded responses (one request
per file, and no "preloaded but not used" warning, in Chromium).

For the tools that draw and measure the fonts (reader.specimens, reader.font_fallbacks; fontTools and
HarfBuzz, which are in the test extras, not in what serving needs): a text cut into the runs each file sets,
and a file as HarfBuzz shapes with it.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader import prefs
from reader.i18n import primary_subtag

FACES_STYLESHEET = "css/fonts.css"
# The letters of each language's text: basic Latin, and Vietnamese's own (its vowels with their marks).
LANGUAGE_LETTERS = {
    "en": string.ascii_letters,
    "vi": string.ascii_letters
    + "ĂăÂâĐđÊêÔôƠơƯư"
    + "àáãèéìíòóõùúýÀÁÃÈÉÌÍÒÓÕÙÚÝ"
    + "ĩũĨŨ"
    + "".join(chr(code) for code in range(0x1EA0, 0x1EFA)),
}

_FACE = re.compile(r"@font-face\s*\{(?P<body>[^}]*)\}")
_DESCRIPTOR = re.compile(r"(?P<name>[a-z-]+)\s*:\s*(?P<value>[^;]+);")
_URL = re.compile(r"""url\(\s*["']?(?P<ref>[^"')]+)["']?\s*\)""")


@dataclass(frozen=True, slots=True)
class Face:
    family: str
    weight: str
    style: str
    path: str  # relative to the static directory
    ranges: tuple[tuple[int, int], ...]  # empty: every character

    def covers(self, char: str) -> bool:
        return not self.ranges or any(low <= ord(char) <= high for low, high in self.ranges)


def _ranges(value: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for part in value.split(","):
        low, _, high = part.strip().removeprefix("U+").partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(ranges)


def parse_faces(css: str, css_path: str = FACES_STYLESHEET) -> tuple[Face, ...]:
    """The @font-face rules of a stylesheet, in declaration order."""
    faces = []
    for rule in _FACE.finditer(css):
        descriptors = {m["name"]: m["value"].strip() for m in _DESCRIPTOR.finditer(rule["body"])}
        source = _URL.search(descriptors["src"])
        if source is None:
            raise ValueError(f"an @font-face rule in {css_path} has no url()")
        faces.append(
            Face(
                family=descriptors["font-family"].strip("'\""),
                weight=descriptors.get("font-weight", "400"),
                style=descriptors.get("font-style", "normal"),
                path=posixpath.normpath(posixpath.join(posixpath.dirname(css_path), source["ref"])),
                ranges=_ranges(descriptors["unicode-range"]) if "unicode-range" in descriptors else (),
            )
        )
    return tuple(faces)


def first_family(stack: str) -> str:
    return stack.split(",")[0].strip().strip("'\"")


def _regular(faces: tuple[Face, ...], family: str, weight: str = "400") -> list[Face]:
    return [face for face in faces if face.family == family and face.weight == weight and face.style == "normal"]


def face_for(faces: tuple[Face, ...], family: str, char: str, weight: str = "400") -> Face | None:
    """The upright face of a weight (regular unless said) a browser sets this character in: the last
    declared one whose range holds it."""
    return next((face for face in reversed(_regular(faces, family, weight)) if face.covers(char)), None)


def files_for_text(faces: tuple[Face, ...], family: str, letters: str, weight: str = "400") -> list[str]:
    """The files of a weight a browser fetches to set these letters in this family, in face order."""
    found = (face_for(faces, family, char, weight) for char in set(letters))
    needed = {face.path for face in found if face is not None}
    return [face.path for face in _regular(faces, family, weight) if face.path in needed]


@functools.cache
def declared_faces(static_dir: Path) -> tuple[Face, ...]:
    """The faces static/css/fonts.css declares."""
    return parse_faces((static_dir / FACES_STYLESHEET).read_text(encoding="utf-8"))


def is_web_font(static_dir: Path, choice: str) -> bool:
    """Whether a font choice (reader.prefs.FONT_CHOICES) is one of the web fonts, not a system font."""
    family = first_family(prefs.FONT_CHOICES[choice].stack)
    return any(face.family == family for face in declared_faces(static_dir))


def preloads(static_dir: Path, preferences: prefs.Preferences, lang: str) -> list[str]:
    """The font files (relative to the static directory) a page in `lang` preloads for this reader, the
    regular ones first: none for a system font."""
    family = first_family(prefs.FONT_CHOICES[preferences.font_for(lang)].stack)
    letters = LANGUAGE_LETTERS.get(primary_subtag(lang), string.ascii_letters)  # vi-VN is Vietnamese too
    return list(_preloaded_files(static_dir, family, letters))


@functools.cache
def _preloaded_files(static_dir: Path, family: str, letters: str) -> tuple[str, ...]:
    """preloads for a family and a language's letters: the same for every page that asks (a few fonts and
    languages), and looking them up letter by letter took about 0.3 ms of each page's rendering."""
    faces = declared_faces(static_dir)
    return tuple(path for weight in ("400", "700") for path in files_for_text(faces, family, letters, weight))


def runs(faces: tuple[Face, ...], family: str, text: str, weight: str = "400") -> list[tuple[str, str]]:
    """The text cut where its letters move from one font file to another: (file, letters) in order."""
    found: list[tuple[str, str]] = []
    for char in text:
        face = face_for(faces, family, char, weight)
        if face is None:
            raise ValueError(f"no face of {family} has {char!r}")
        if found and found[-1][0] == face.path:
            found[-1] = (face.path, found[-1][1] + char)
        else:
            found.append((face.path, char))
    return found


@functools.cache
def harfbuzz_font(path: Path) -> Any:
    """A font file as HarfBuzz shapes with it (WOFF2 too)."""
    import uharfbuzz
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    font.flavor = None  # WOFF2 to plain OpenType: HarfBuzz reads only that
    data = io.BytesIO()
    font.save(data)
    return uharfbuzz.Font(uharfbuzz.Face(data.getvalue()))
