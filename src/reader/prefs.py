"""Reading preferences: one validated dataclass, its cookie format, and the changes a form asks for.

Cookie format, version 1 (documented in docs/preferences.md): ``1|s:200|lh:1.8|t:dark`` — the version,
then ``key:value`` pairs for the settings that differ from the defaults, separated by ``|``. Keys:
s size, lh line height, ls letter spacing, ws word spacing, ps paragraph spacing, w width, f font,
t theme, u link underlines (1/0), fg and bg custom colours (6 hex digits); for read aloud and the reading
guide: sr speech rate, v-<language> the voice chosen for a language (percent-encoded name), g reading
guide, k single-key shortcuts (1/0), kp kb kn the keys for play/pause, previous and next sentence
(percent-encoded). Anything unknown, malformed or out of range falls back to its default, field by field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from reader.colors import contrast_ratio, parse_hex, relative_luminance
from reader.i18n import primary_subtag

COOKIE_NAME = "reader_prefs"
COOKIE_VERSION = "1"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
# Room for a voice name per language (they can be long: "Microsoft HoaiMy Online (Natural) - Vietnamese
# (Vietnam)"); a browser keeps up to 4096 bytes per cookie.
MAX_COOKIE_LENGTH = 1000
MIN_CUSTOM_CONTRAST = 7.0

# Every step, palette and font below also reaches the stylesheet: scripts/generate_css.py writes the rules
# that follow from them into static/css/reader.css (reader.prefs_css), and a test fails when it is stale.

SIZES = (87.5, 100.0, 112.5, 125.0, 150.0, 175.0, 200.0, 250.0, 300.0, 400.0)
# Headings grow less than text at the largest sizes, so a title still fits a phone at 400 % (never below
# the text itself: reader.css has the floors).
HEADING_SCALES = {250.0: 0.85, 300.0: 0.75, 400.0: 0.65}
# The controls around the article (the masthead, the reading toolbar and its panel, the footer) grow with the
# size only this far (WCAG 1.4.4's 200 %); the article goes on to 400 %. Grown to 400 % too, they put the
# title four screens down on a 320 × 640 phone (2,624 px) and one and a half on a desktop: every visit to a
# control meant scrolling that far back. No reader's own browser zoom or default size is capped: this is
# only how far the reader's size setting takes the controls (docs/accessibility.md).
CONTROLS_SIZE_LIMIT = 200.0
LINE_HEIGHTS = (1.2, 1.4, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6)
LETTER_SPACINGS = (0.0, 0.03, 0.06, 0.09, 0.12, 0.15, 0.18, 0.21, 0.24)
WORD_SPACINGS = (0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.24, 0.28, 0.32, 0.36, 0.4)
PARAGRAPH_SPACINGS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
WIDTHS = (45.0, 55.0, 66.0, 75.0, 80.0)


@dataclass(frozen=True, slots=True)
class Font:
    """A font choice: its CSS font stack, and what the measure needs to know about it."""

    stack: str
    # A typical character's advance over the width of "0" (the `ch` unit), measured in Chromium on the demo
    # articles (a raw URL, which breaks anywhere, packs the most) and rounded down by about 5 %:
    # tests/browser/test_controls.py keeps every width setting at or under its number of characters.
    char_ch: float
    # Languages whose letters it lacks (docs/preferences.md): it is not offered for them.
    missing_languages: frozenset[str] = frozenset()
    # How much wider a bold word is in it than in reader.title_fit's reference font (Noto Sans Bold): the 90th
    # percentile over 49 title words, English and Vietnamese, measured in Chromium. A title shrinks by it to
    # keep its longest word whole.
    title_widen: float = 1.0


SYSTEM_SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif'
# reader's web fonts go by names of their own ("reader Lexend": static/css/fonts.css, scripts/vendor_assets.py),
# never a font's usual name: their faces are declared in the document of a page that embeds an article
# (<reader-article>), where a plain "Lexend" replaced the page's own Lexend, and the page's could replace reader's.
WEB_FONT_PREFIX = "reader "
FONT_CHOICES = {
    "sans": Font(SYSTEM_SANS, 0.69),
    "serif": Font('"Noto Serif", Georgia, Cambria, "Times New Roman", serif', 0.72, title_widen=1.04),
    "lexend": Font(f'"{WEB_FONT_PREFIX}Lexend", system-ui, sans-serif', 0.67, title_widen=1.04),
    "opendyslexic": Font(f'"{WEB_FONT_PREFIX}OpenDyslexic", system-ui, sans-serif', 0.88, title_widen=1.45),
    "atkinson": Font(
        f'"{WEB_FONT_PREFIX}Atkinson Hyperlegible", system-ui, sans-serif', 0.57, frozenset({"vi"}), title_widen=0.98
    ),
}
FONTS = tuple(FONT_CHOICES)
# What text in a language its font lacks the letters of is set in (Preferences.font_for).
FALLBACK_FONT = "sans"
# Each font that lacks the letters of some languages, and those languages: the settings page offers every font
# and says which text a font does not set (an article's panel offers only the fonts of its language).
FONT_GAPS = {
    name: tuple(sorted(font.missing_languages)) for name, font in FONT_CHOICES.items() if font.missing_languages
}


@dataclass(frozen=True, slots=True)
class Palette:
    """A theme's colours. Text, links, control and pressed labels are at least 7:1 against what they sit on;
    borders, the focus ring and the flag underline at least 3:1 (tests/test_prefs.py checks every palette)."""

    scheme: str  # "light" or "dark": the browser's own parts (scroll bars, form widgets) follow it
    bg: str
    fg: str
    muted: str  # secondary text: dates, hints, captions
    link: str
    link_visited: str
    border: str  # control boundaries and rules
    focus: str  # the focus ring, against the page
    focus_bg: str  # a focused control's fill (GOV.UK's yellow) …
    focus_fg: str  # … and its label
    control_bg: str
    control_fg: str
    pressed_bg: str  # a toggle that is on, an open disclosure
    pressed_fg: str
    mark_bg: str  # a sentence the editor's check flags, a word a search found (search.css): a tint …
    mark_line: str  # … and an underline, which forced-colours mode keeps

    @classmethod
    def custom(cls, text: str, background: str) -> Palette:
        """A reader's own pair (at least 7:1): everything in one of the two colours."""
        return cls(
            scheme="dark" if relative_luminance(background) < relative_luminance(text) else "light",
            bg=background, fg=text, muted=text, link=text, link_visited=text, border=text, focus=text,
            focus_bg=text, focus_fg=background, control_bg=background, control_fg=text,
            pressed_bg=text, pressed_fg=background, mark_bg=background, mark_line=text,
        )  # fmt: skip


PALETTES = {
    "light": Palette(
        scheme="light", bg="#ffffff", fg="#0b0c0c", muted="#484f54", link="#0b4a99", link_visited="#5b2a86",
        border="#6b6b6b", focus="#0b0c0c", focus_bg="#ffdd00", focus_fg="#0b0c0c",
        control_bg="#f3f2f1", control_fg="#0b0c0c", pressed_bg="#0b0c0c", pressed_fg="#ffffff",
        mark_bg="#fff2b3", mark_line="#8a4b00",
    ),
    "dark": Palette(
        scheme="dark", bg="#121212", fg="#ececec", muted="#cfcfcf", link="#9ec5ff", link_visited="#d7b8ff",
        border="#9a9a9a", focus="#ffdd00", focus_bg="#ffdd00", focus_fg="#0b0c0c",
        control_bg="#262626", control_fg="#ececec", pressed_bg="#ececec", pressed_fg="#121212",
        mark_bg="#3d3500", mark_line="#ffdd00",
    ),
    "sepia": Palette(
        scheme="light", bg="#f5ecd9", fg="#2e2317", muted="#46382a", link="#6a2f00", link_visited="#5c2a66",
        border="#7c6a55", focus="#2e2317", focus_bg="#ffdd00", focus_fg="#0b0c0c",
        control_bg="#ebdec3", control_fg="#2e2317", pressed_bg="#2e2317", pressed_fg="#f5ecd9",
        mark_bg="#ecd27f", mark_line="#6a2f00",
    ),
    "contrast-dark": Palette(
        scheme="dark", bg="#000000", fg="#ffffff", muted="#ffffff", link="#ffff00", link_visited="#ffc8ff",
        border="#ffffff", focus="#ffff00", focus_bg="#ffff00", focus_fg="#000000",
        control_bg="#000000", control_fg="#ffffff", pressed_bg="#ffffff", pressed_fg="#000000",
        mark_bg="#3d3d00", mark_line="#ffff00",
    ),
    "contrast-light": Palette(
        scheme="light", bg="#ffffff", fg="#000000", muted="#000000", link="#0000c0", link_visited="#5a0078",
        border="#000000", focus="#000000", focus_bg="#ffff00", focus_fg="#000000",
        control_bg="#ffffff", control_fg="#000000", pressed_bg="#000000", pressed_fg="#ffffff",
        mark_bg="#ffff80", mark_line="#000000",
    ),
}  # fmt: skip
# "auto" follows the system: the light palette, or the dark one under prefers-color-scheme: dark.
AUTO_PALETTES = {"light": "light", "dark": "dark"}
THEMES = ("auto", *PALETTES)
# Paper: black on white whatever the theme.
PRINT_PALETTE = Palette.custom("#000000", "#ffffff")

NUMERIC_STEPS: dict[str, tuple[float, ...]] = {
    "size": SIZES,
    "line_height": LINE_HEIGHTS,
    "letter_spacing": LETTER_SPACINGS,
    "word_spacing": WORD_SPACINGS,
    "paragraph_spacing": PARAGRAPH_SPACINGS,
    "width": WIDTHS,
}
CHOICES: dict[str, tuple[str, ...]] = {"font": FONTS, "theme": THEMES}
# The wrapper's data attribute for each setting (reader.prefs_css writes the rules that read them).
DATA_ATTRIBUTES = {
    "size": "data-size", "line_height": "data-lh", "letter_spacing": "data-ls", "word_spacing": "data-ws",
    "paragraph_spacing": "data-ps", "width": "data-width", "font": "data-font", "theme": "data-theme",
}  # fmt: skip
COOKIE_KEYS = {
    "size": "s", "line_height": "lh", "letter_spacing": "ls", "word_spacing": "ws",
    "paragraph_spacing": "ps", "width": "w", "font": "f", "theme": "t", "underline_links": "u",
    "text_color": "fg", "background_color": "bg",
}  # fmt: skip
FIELDS_BY_KEY = {key: field for field, key in COOKIE_KEYS.items()}

# Read aloud and the reading guide (docs/preferences.md). They change no presentation, so they are not wrapper
# data attributes: templates/_read_aloud.html hands them to the reading-tools script.
SPEECH_RATES = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
# Off, a band showing 1, 3 or 5 lines with the rest dimmed, or a ruler under the current line.
READING_GUIDES = ("off", "1", "3", "5", "ruler")
TOOL_STEPS: dict[str, tuple[float, ...]] = {"speech_rate": SPEECH_RATES}
TOOL_CHOICES: dict[str, tuple[str, ...]] = {"reading_guide": READING_GUIDES}
# The single-key shortcuts (WCAG 2.1.4: each can be remapped, and all of them turned off).
SHORTCUT_KEYS = ("key_play", "key_previous", "key_next")
MAX_VOICE_NAME = 100  # characters, and at most MAX_VOICE_BYTES in the cookie
MAX_VOICE_BYTES = 200
MAX_VOICES = 3  # languages with a chosen voice; choosing one more forgets the oldest
TOOL_COOKIE_KEYS = {
    "speech_rate": "sr", "reading_guide": "g", "shortcuts": "k",
    "key_play": "kp", "key_previous": "kb", "key_next": "kn",
}  # fmt: skip
VOICE_KEY_PREFIX = "v-"
COOKIE_KEYS.update(TOOL_COOKIE_KEYS)
FIELDS_BY_KEY.update({key: field for field, key in TOOL_COOKIE_KEYS.items()})
_ALL_STEPS = {**NUMERIC_STEPS, **TOOL_STEPS}
_ALL_CHOICES = {**CHOICES, **TOOL_CHOICES}
# Always with fullmatch: "$" also matches before a final "\n", and "vi\n" in a cookie is an invalid header.
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# What a cookie value may hold (RFC 6265 cookie-octet): printable ASCII but space, '"', ",", ";" and "\".
_COOKIE_OCTETS = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
# Settings that belong to a device and its assistive technology rather than to a way of reading: which voices
# it has, and which single keys are free on it. A shared link neither carries nor applies them (a voice name
# also tells a lot about a device).
DEVICE_FIELDS = ("voices", "shortcuts", *SHORTCUT_KEYS)

# apply-shared: a shared link's settings whole (the others back to the defaults); merge-shared: only those it
# names, the reader's own kept for the rest.
ACTIONS = ("bigger", "smaller", "reset", "preset-spacing", "preset-large", "set", "apply-shared", "merge-shared")


def fmt(value: float) -> str:
    """A step value as written in cookies, data attributes and CSS: 87.5, 2, 0.12."""
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class Preferences:
    """One reader's settings, every value from the allowed sets."""

    size: float = 100.0
    line_height: float = 1.6
    letter_spacing: float = 0.0
    word_spacing: float = 0.0
    paragraph_spacing: float = 1.5
    width: float = 66.0
    font: str = "sans"
    theme: str = "auto"
    underline_links: bool = True
    text_color: str | None = None
    background_color: str | None = None
    speech_rate: float = 1.0
    # (primary language subtag, voice name) pairs, most recently chosen last
    voices: tuple[tuple[str, str], ...] = ()
    reading_guide: str = "off"
    shortcuts: bool = True
    key_play: str = "k"
    key_previous: str = "j"
    key_next: str = "l"

    @property
    def custom_colors(self) -> bool:
        return self.text_color is not None and self.background_color is not None

    def voice_for(self, lang: str) -> str:
        """The voice name the reader chose for a language ("" for the automatic choice)."""
        primary = lang.split("-", 1)[0].lower()
        return next((name for voice_lang, name in self.voices if voice_lang == primary), "")

    def with_voice(self, lang: str, name: str) -> Preferences:
        """These settings with `name` as the voice for a language ("" forgets the choice)."""
        others = tuple(pair for pair in self.voices if pair[0] != lang)
        chosen = ((lang, name),) if name else ()
        return dataclasses.replace(self, voices=(others + chosen)[-MAX_VOICES:])

    def font_for(self, lang: str) -> str:
        """The font actually used for text in a language: a font lacking its letters falls back to sans."""
        return self.font if self.font in fonts_for(lang) else FALLBACK_FONT

    def data_attributes(self, lang: str) -> dict[str, str]:
        """The wrapper's data-* attributes; static CSS turns them into custom properties."""
        attributes = {DATA_ATTRIBUTES[field]: fmt(getattr(self, field)) for field in NUMERIC_STEPS}
        attributes |= {
            DATA_ATTRIBUTES["font"]: self.font_for(lang),
            DATA_ATTRIBUTES["theme"]: self.theme,
            "data-links": "underline" if self.underline_links else "plain",
        }
        if self.custom_colors:
            attributes["data-colors"] = "custom"
        return attributes

    def to_cookie(self, base: Preferences | None = None) -> str:
        """The versioned cookie value: only the settings that differ from the defaults, or from `base` (an
        embedding site's defaults, which from_cookie fills in for what the value leaves out: a reader there
        who picks reader's own 100 % must get it back, not the site's 150 %)."""
        base = base or DEFAULTS
        parts = [COOKIE_VERSION]
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value == getattr(DEFAULTS, field.name) and value == getattr(base, field.name):
                continue
            if field.name == "voices":
                parts.extend(f"{VOICE_KEY_PREFIX}{lang}:{_quote(name)}" for lang, name in self.voices)
                continue
            parts.append(f"{COOKIE_KEYS[field.name]}:{_encode(value)}")
        # Every value is validated on the way in, so this drops nothing; but a part that a header cannot
        # carry would make the server drop the whole answer, so it falls back to its default instead.
        return "|".join(part for part in parts if _COOKIE_OCTETS.fullmatch(part))

    def to_drawn(self, base: Preferences | None = None) -> str:
        """What a page's forms carry of the settings they were drawn with (apply_form's `drawn`): the cookie
        format without the voices, which a form that sends a voice always sets (a page need not spell out the
        reader's voice names, nor the settings page the reader's own voices, where a shared link is shown)."""
        return dataclasses.replace(self, voices=()).to_cookie(base)

    def version_tag(self) -> str:
        """A short tag of every setting (voices included): a page carries the one it was drawn with, and
        compares it with the reader's now when Back or Forward brings it back (static/js/settings-history.js)."""
        return hashlib.blake2b(self.to_cookie().encode(), digest_size=6).hexdigest()

    def to_shared(self, base: Preferences | None = None) -> str:
        """The settings for a shared link: the cookie format (against `base`, as to_cookie) without the
        device's own (DEVICE_FIELDS)."""
        shared = dataclasses.replace(self, **{field: getattr(DEFAULTS, field) for field in DEVICE_FIELDS})
        return shared.to_cookie(base)

    @classmethod
    def from_shared(
        cls, raw: str | None, base: Preferences | None = None, keep: Preferences | None = None
    ) -> Preferences:
        """Settings from a shared link (fields it leaves out from `base`), with the device's own
        (DEVICE_FIELDS) kept from `keep` (the defaults when None), never taken from the link."""
        return cls.read_shared(raw, base, keep)[0]

    @classmethod
    def read_shared(
        cls, raw: str | None, base: Preferences | None = None, keep: Preferences | None = None
    ) -> tuple[Preferences, int]:
        """A shared link's settings (as from_shared) and how many of its parts could not be read (as read)."""
        keep = keep or DEFAULTS
        shared, unread = cls.read(raw, base)
        return dataclasses.replace(shared, **{field: getattr(keep, field) for field in DEVICE_FIELDS}), unread

    @classmethod
    def merge_shared(cls, raw: str | None, prefs: Preferences, base: Preferences | None = None) -> Preferences:
        """The reader's settings (`prefs`) with those a shared link names, and only those: a link holds the
        settings that differ from the defaults, and applied whole it also put back to the defaults every other
        one, which it never listed (the reader's own font, line height, colours). A theme it names turns the
        reader's own colours off, as choosing a theme does; the device's own (DEVICE_FIELDS) are never taken. A
        link of the defaults ("1") names them all."""
        base = base or DEFAULTS
        shared = cls.from_shared(raw, base, keep=prefs)
        values = {
            field.name: getattr(shared, field.name)
            for field in dataclasses.fields(shared)
            if field.name not in DEVICE_FIELDS and getattr(shared, field.name) != getattr(base, field.name)
        }
        if not values:
            # A link of the defaults, shared on purpose: they are what it names.
            return shared
        if "theme" in values and "text_color" not in values:
            values["text_color"] = values["background_color"] = None
        return dataclasses.replace(prefs, **values)

    @classmethod
    def from_cookie(cls, raw: str | None, base: Preferences | None = None) -> Preferences:
        """Parse a cookie value; anything unusable falls back to `base` (the defaults), field by field."""
        return cls.read(raw, base)[0]

    @classmethod
    def read(cls, raw: str | None, base: Preferences | None = None) -> tuple[Preferences, int]:
        """A cookie value's settings (as from_cookie) and how many of its parts could not be read: an
        empty, overlong or other version's value is one unread part; "1", the defaults', has none."""
        base = base or DEFAULTS
        if not raw or len(raw) > MAX_COOKIE_LENGTH:
            return base, 1
        version, _, rest = raw.partition("|")
        if version != COOKIE_VERSION:
            return base, 1
        values: dict[str, Any] = {}
        voices: list[tuple[str, str]] = []
        unread = 0
        for part in rest.split("|") if rest else ():
            key, sep, token = part.partition(":")
            if key.startswith(VOICE_KEY_PREFIX):
                voice = _decode_voice(key[len(VOICE_KEY_PREFIX) :], token)
                if sep and voice and all(lang != voice[0] for lang, _ in voices):
                    voices.append(voice)
                else:
                    unread += 1
                continue
            field = FIELDS_BY_KEY.get(key)
            value = _decode(field, token) if sep and field is not None and field not in values else None
            if field is None or value is None:
                unread += 1
            else:
                values[field] = value
        if voices:
            values["voices"] = tuple(voices[-MAX_VOICES:])
        prefs = _with_valid_keys(_with_valid_colors(dataclasses.replace(base, **values)))
        # A part read but then dropped (a colour without its pair, a pair below 7:1, clashing keys) is unread too.
        unread += sum(1 for field, value in values.items() if getattr(prefs, field) != value)
        return prefs, unread


DEFAULTS = Preferences()


def fonts_for(lang: str) -> tuple[str, ...]:
    """The fonts offered for text in a language: only those that have its letters."""
    return tuple(name for name, font in FONT_CHOICES.items() if primary_subtag(lang) not in font.missing_languages)


def host_defaults(size: str | None, theme: str | None) -> Preferences:
    """The defaults an embedding site asks for (its size and theme); invalid values are ignored."""
    values: dict[str, Any] = {}
    if size is not None and _decode("size", size) is not None:
        values["size"] = _decode("size", size)
    if theme is not None and theme in THEMES:
        values["theme"] = theme
    return dataclasses.replace(DEFAULTS, **values) if values else DEFAULTS


def _quote(text: str) -> str:
    # Every character but letters, digits and "_.-~" percent-encoded: no "|" or ":" (the format's own), and
    # nothing a Set-Cookie value may not hold (spaces, quotes, commas, semicolons, backslashes).
    return quote(text, safe="")


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, str) and value.startswith("#"):
        return value[1:]
    if isinstance(value, str):
        return _quote(value)
    return str(value)


def _decode(field: str, token: str) -> object | None:
    if field in _ALL_STEPS:
        # Exact tokens only: the cookie is written by reader, so anything else is tampering or age.
        by_token = {fmt(step): step for step in _ALL_STEPS[field]}
        return by_token.get(token)
    if field in _ALL_CHOICES:
        return token if token in _ALL_CHOICES[field] else None
    if field in ("underline_links", "shortcuts"):
        return {"1": True, "0": False}.get(token)
    if field in ("text_color", "background_color"):
        return parse_hex(token) if len(token) == 6 else None
    if field in SHORTCUT_KEYS:
        return shortcut_key(unquote(token, errors="strict")) if _is_quoted(token) else None
    return None


def _is_quoted(token: str) -> bool:
    try:
        return _quote(unquote(token, errors="strict")) == token
    except UnicodeDecodeError:
        return False


def _decode_voice(lang: str, token: str) -> tuple[str, str] | None:
    if not _LANGUAGE.fullmatch(lang) or not _is_quoted(token):
        return None
    name = voice_name(unquote(token, errors="strict"))
    return (lang, name) if name else None


def voice_name(raw: str) -> str | None:
    """A voice name as the browser reports it, if reader can keep it: printable, at most 100 characters and
    200 bytes in the cookie (so three voices and every other setting fit the 1000 the parser reads)."""
    name = raw.strip()
    if not name or len(name) > MAX_VOICE_NAME or not name.isprintable() or len(_quote(name)) > MAX_VOICE_BYTES:
        return None
    return name


def shortcut_key(raw: str) -> str | None:
    """A single-key shortcut: one printable character that is not a space; letters in lower case."""
    key = raw.strip().lower()
    if len(key) != 1 or not key.isprintable():
        return None
    return key


def _with_valid_keys(prefs: Preferences) -> Preferences:
    # Two actions on one key would make one of them unreachable: such a cookie gets the default keys.
    keys = [getattr(prefs, field) for field in SHORTCUT_KEYS]
    if len(set(keys)) == len(keys):
        return prefs
    return dataclasses.replace(prefs, **{field: getattr(DEFAULTS, field) for field in SHORTCUT_KEYS})


def _with_valid_colors(prefs: Preferences) -> Preferences:
    # Custom colours only ever exist as a pair whose contrast is at least 7:1.
    fg, bg = prefs.text_color, prefs.background_color
    if fg is None and bg is None:
        return prefs
    if fg is None or bg is None or contrast_ratio(fg, bg) < MIN_CUSTOM_CONTRAST:
        return dataclasses.replace(prefs, text_color=None, background_color=None)
    return prefs


@dataclass(frozen=True, slots=True)
class Refusal:
    """A requested value that was not applied, and why (``reason`` is a code; ``detail`` its data)."""

    field: str
    reason: str
    detail: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a preference form did: the new settings, the fields that changed, what was refused."""

    prefs: Preferences
    action: str
    changed: tuple[str, ...]
    refused: tuple[Refusal, ...]
    limit_reached: bool = False


def snap(steps: tuple[float, ...], value: float) -> float:
    """The allowed step nearest to a value (values beyond the ends are clamped)."""
    return min(steps, key=lambda step: (abs(step - value), step))


def _press_count(raw: str | None) -> int:
    """How many presses of A+ or A− a form stands for (its `steps`): 1 unless it says so. More than the sizes
    there are take the size no further; a value that is not a count is one press, as without the field."""
    if raw is None or not raw.isascii() or not raw.isdigit():
        return 1
    return max(1, min(int(raw) if len(raw) <= 4 else len(SIZES), len(SIZES)))


def _step(steps: tuple[float, ...], current: float, direction: int) -> float:
    index = steps.index(snap(steps, current)) + direction
    return steps[max(0, min(index, len(steps) - 1))]


def _set_fields(prefs: Preferences, form: Mapping[str, str]) -> tuple[dict[str, Any], list[Refusal]]:
    updates: dict[str, Any] = {}
    refused: list[Refusal] = []
    for field, steps in _ALL_STEPS.items():
        raw = form.get(field)
        if raw is None or raw == "":
            continue
        try:
            number = float(raw.strip().replace(",", "."))
        except ValueError:
            refused.append(Refusal(field, "not-a-number"))
            continue
        if number != number or number in (float("inf"), float("-inf")):
            refused.append(Refusal(field, "not-a-number"))
            continue
        updates[field] = snap(steps, number)
    for field, choices in _ALL_CHOICES.items():
        raw = form.get(field)
        if raw is None or raw == "":
            continue
        if raw in choices:
            updates[field] = raw
        else:
            refused.append(Refusal(field, "unknown-choice"))
    for field in ("underline_links", "shortcuts"):
        if field not in form:
            continue
        raw = form[field]
        if raw in ("on", "1", "true"):
            updates[field] = True
        elif raw in ("off", "0", "false"):
            updates[field] = False
        else:
            refused.append(Refusal(field, "unknown-choice"))
    _set_voice(prefs, form, updates, refused)
    _set_keys(prefs, form, updates, refused)
    colour_fields = ("text_color", "background_color")
    if form.get("colors") == "default":
        updates["text_color"] = updates["background_color"] = None
    elif any(form.get(field) for field in colour_fields):
        fg = parse_hex(form.get("text_color", ""))
        bg = parse_hex(form.get("background_color", ""))
        if fg is None or bg is None:
            refused.append(Refusal("colors", "not-a-colour"))
        else:
            ratio = contrast_ratio(fg, bg)
            if ratio < MIN_CUSTOM_CONTRAST:
                refused.append(Refusal("colors", "low-contrast", {"ratio": shown_ratio(ratio)}))
            else:
                updates["text_color"], updates["background_color"] = fg, bg
    elif "theme" in updates and prefs.text_color is not None:
        # A theme chosen while the reader's own colours are on: they asked for that theme, and their colours
        # would go on hiding it (the button said "Dark", ticked, over their black on yellow).
        updates["text_color"] = updates["background_color"] = None
    return updates, refused


def _set_voice(prefs: Preferences, form: Mapping[str, str], updates: dict[str, Any], refused: list[Refusal]) -> None:
    # A voice is chosen for one language at a time: `voice` (a name, or "" for the automatic choice) and
    # `voice_lang`, the article's language.
    if "voice" not in form:
        return
    lang = form.get("voice_lang", "").split("-", 1)[0].lower()
    name = voice_name(form["voice"]) if form["voice"].strip() else ""
    if not _LANGUAGE.fullmatch(lang) or name is None:
        refused.append(Refusal("voice", "unknown-choice"))
        return
    updates["voices"] = prefs.with_voice(lang, name).voices


def _set_keys(prefs: Preferences, form: Mapping[str, str], updates: dict[str, Any], refused: list[Refusal]) -> None:
    keys = {field: getattr(prefs, field) for field in SHORTCUT_KEYS}
    asked = False
    for field in SHORTCUT_KEYS:
        if field not in form:
            continue
        asked = True
        key = shortcut_key(form[field])
        if key is None:
            refused.append(Refusal(field, "not-a-key"))
        else:
            keys[field] = key
    if not asked:
        return
    if len(set(keys.values())) < len(keys):
        refused.append(Refusal("shortcuts", "same-key"))
        return
    updates.update(keys)


def _merged_fields(
    prefs: Preferences, drawn: Preferences, form: Mapping[str, str]
) -> tuple[dict[str, Any], list[Refusal]]:
    """The fields a form sets, three ways: only what the reader changed on the page, relative to the settings
    it was drawn with (`drawn`), goes onto the current ones (`prefs`). A page drawn before a newer change (a
    page that came back with Back, a tab left open) posts every select as it shows them: taken as they are,
    they undid that change (200 % chosen on the settings page, then "Dark" pressed on the article that Back
    brought back at 100 %: the cookie went back to 100 %)."""
    asked, refused = _set_fields(drawn, form)
    changed = {field for field, value in asked.items() if value != getattr(drawn, field)}
    if changed & {"text_color", "background_color"}:
        # The custom colours are one setting, a pair whose contrast was checked together (_set_fields): one of
        # them changed on the page goes with the other as the page showed it, never beside a colour chosen
        # since (#0000ff on the yellow shown, onto black chosen in another tab, stored 2.4:1 and said "Custom
        # colours on"; the next page dropped the pair as a tampered cookie's).
        changed |= {"text_color", "background_color"}
    if form.get("colors") == "default":
        # "Use theme colours" says what it does whatever the page showed: colours set since go too.
        changed |= {"text_color", "background_color"}
    if "theme" in changed and "colors" not in form and not any(form.get(f) for f in ("text_color", "background_color")):
        # A theme chosen turns the reader's own colours off (as in _set_fields), those they have now too.
        changed |= {"text_color", "background_color"}
        asked["text_color"] = asked["background_color"] = None
    updates = {field: asked[field] for field in changed if field != "voices"}
    # A voice sent is set (for its language, with the others the reader has now): `drawn` holds no voices.
    _set_voice(prefs, form, updates, [])
    keys = {field: updates.get(field, getattr(prefs, field)) for field in SHORTCUT_KEYS}
    if len(set(keys.values())) < len(keys):
        for field in SHORTCUT_KEYS:
            updates.pop(field, None)
        if not any(r.field == "shortcuts" for r in refused):
            refused.append(Refusal("shortcuts", "same-key"))
    return updates, refused


def shown_ratio(ratio: float) -> str:
    """A contrast ratio as a refusal says it: cut, never rounded, so that 6.96 is not said as the 7 that is
    needed; to two decimals under 1.1, where one said "1:1" (the same colour twice) of colours that differ,
    as WCAG's contrast checkers write them ("1.07:1")."""
    places = 100 if ratio < 1.1 else 10
    shown = int(ratio * places) / places
    return f"{max(shown, 1.01) if ratio > 1 else shown:g}"


def apply_form(
    prefs: Preferences, form: Mapping[str, str], base: Preferences | None = None, drawn: Preferences | None = None
) -> Outcome:
    """Apply one submitted preference form (an ``action`` and/or setting fields) to the settings.

    `base` is what "reset" returns to: the defaults, or an embedding site's defaults. `drawn`: the settings the
    form's page was drawn with, when it says so (its `drawn` field): then a `set` applies only what differs
    from them (_merged_fields); without it (an older page, another client) every field sent is applied.
    """
    action = form.get("action") or "set"
    if action not in ACTIONS:
        return Outcome(prefs, "set", (), (Refusal("action", "unknown-choice"),))
    limit = False
    refused: list[Refusal] = []
    if action in ("bigger", "smaller"):
        # `steps`: presses made while the one before was on its way, sent as one (static/js/settings-presses.js,
        # static/reader-article.js): the size they reach and the one announcement, which says "the largest"
        # when the last press was one too many, as the last of as many single presses would.
        size = prefs.size
        for _ in range(_press_count(form.get("steps"))):
            new_size = _step(SIZES, size, 1 if action == "bigger" else -1)
            limit, size = new_size == size, new_size
        new = dataclasses.replace(prefs, size=size)
    elif action == "reset":
        new = base or DEFAULTS
    elif action == "preset-spacing":
        # The WCAG 1.4.12 text-spacing values.
        new = dataclasses.replace(prefs, line_height=1.5, paragraph_spacing=2.0, letter_spacing=0.12, word_spacing=0.16)
    elif action == "preset-large":
        new = dataclasses.replace(prefs, size=200.0, line_height=1.8, width=66.0)
    elif action == "apply-shared":
        # A shared link sets how the text reads; this device's voices and keys stay as they are.
        new = Preferences.from_shared(form.get("settings", ""), base, keep=prefs)
    elif action == "merge-shared":
        new = Preferences.merge_shared(form.get("settings", ""), prefs, base)
    else:
        updates, refused = _set_fields(prefs, form) if drawn is None else _merged_fields(prefs, drawn, form)
        new = dataclasses.replace(prefs, **updates)
    changed = tuple(f.name for f in dataclasses.fields(new) if getattr(new, f.name) != getattr(prefs, f.name))
    return Outcome(new, action, changed, tuple(refused), limit)
