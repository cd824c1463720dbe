"""Reading preferences: one validated dataclass, its cookie format, and the changes a form asks for.

Cookie format, version 1 (documented in docs/preferences.md): ``1|s:200|lh:1.8|t:dark`` — the version,
then ``key:value`` pairs for the settings that differ from the defaults, separated by ``|``. Keys:
s size, lh line height, ls letter spacing, ws word spacing, ps paragraph spacing, w width, f font,
t theme, u link underlines (1/0), fg and bg custom colours (6 hex digits). Anything unknown, malformed
or out of range falls back to its default, field by field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reader.colors import contrast_ratio, parse_hex

COOKIE_NAME = "reader_prefs"
COOKIE_VERSION = "1"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
MAX_COOKIE_LENGTH = 400
MIN_CUSTOM_CONTRAST = 7.0

SIZES = (87.5, 100.0, 112.5, 125.0, 150.0, 175.0, 200.0, 250.0, 300.0, 400.0)
LINE_HEIGHTS = (1.2, 1.4, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6)
LETTER_SPACINGS = (0.0, 0.03, 0.06, 0.09, 0.12, 0.15, 0.18, 0.21, 0.24)
WORD_SPACINGS = (0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.24, 0.28, 0.32, 0.36, 0.4)
PARAGRAPH_SPACINGS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
WIDTHS = (45.0, 55.0, 66.0, 75.0, 80.0)
FONTS = ("sans", "serif", "lexend", "opendyslexic", "atkinson")
THEMES = ("auto", "light", "dark", "sepia", "contrast-dark", "contrast-light")

# Languages whose letters a font lacks: Atkinson Hyperlegible has no Vietnamese (docs/fonts.md).
FONT_MISSING_LANGUAGES = {"atkinson": frozenset({"vi"})}

NUMERIC_STEPS: dict[str, tuple[float, ...]] = {
    "size": SIZES,
    "line_height": LINE_HEIGHTS,
    "letter_spacing": LETTER_SPACINGS,
    "word_spacing": WORD_SPACINGS,
    "paragraph_spacing": PARAGRAPH_SPACINGS,
    "width": WIDTHS,
}
CHOICES: dict[str, tuple[str, ...]] = {"font": FONTS, "theme": THEMES}
COOKIE_KEYS = {
    "size": "s", "line_height": "lh", "letter_spacing": "ls", "word_spacing": "ws",
    "paragraph_spacing": "ps", "width": "w", "font": "f", "theme": "t", "underline_links": "u",
    "text_color": "fg", "background_color": "bg",
}  # fmt: skip
FIELDS_BY_KEY = {key: field for field, key in COOKIE_KEYS.items()}

ACTIONS = ("bigger", "smaller", "reset", "preset-spacing", "preset-large", "set", "apply-shared")


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

    @property
    def custom_colors(self) -> bool:
        return self.text_color is not None and self.background_color is not None

    def font_for(self, lang: str) -> str:
        """The font actually used for text in a language: a font lacking its letters falls back to sans."""
        primary = lang.split("-", 1)[0].lower()
        return "sans" if primary in FONT_MISSING_LANGUAGES.get(self.font, ()) else self.font

    def data_attributes(self, lang: str) -> dict[str, str]:
        """The wrapper's data-* attributes; static CSS turns them into custom properties."""
        attributes = {
            "data-size": fmt(self.size),
            "data-lh": fmt(self.line_height),
            "data-ls": fmt(self.letter_spacing),
            "data-ws": fmt(self.word_spacing),
            "data-ps": fmt(self.paragraph_spacing),
            "data-width": fmt(self.width),
            "data-font": self.font_for(lang),
            "data-theme": self.theme,
            "data-links": "underline" if self.underline_links else "plain",
        }
        if self.custom_colors:
            attributes["data-colors"] = "custom"
        return attributes

    def to_cookie(self) -> str:
        """The versioned cookie value: only the settings that differ from the defaults."""
        parts = [COOKIE_VERSION]
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value == getattr(DEFAULTS, field.name):
                continue
            parts.append(f"{COOKIE_KEYS[field.name]}:{_encode(value)}")
        return "|".join(parts)

    @classmethod
    def from_cookie(cls, raw: str | None, base: Preferences | None = None) -> Preferences:
        """Parse a cookie value; anything unusable falls back to `base` (the defaults), field by field."""
        base = base or DEFAULTS
        if not raw or len(raw) > MAX_COOKIE_LENGTH:
            return base
        version, _, rest = raw.partition("|")
        if version != COOKIE_VERSION:
            return base
        values: dict[str, Any] = {}
        for part in rest.split("|"):
            key, sep, token = part.partition(":")
            field = FIELDS_BY_KEY.get(key)
            if not sep or field is None or field in values:
                continue
            value = _decode(field, token)
            if value is not None:
                values[field] = value
        return _with_valid_colors(dataclasses.replace(base, **values))


DEFAULTS = Preferences()


def host_defaults(size: str | None, theme: str | None) -> Preferences:
    """The defaults an embedding site asks for (its size and theme); invalid values are ignored."""
    values: dict[str, Any] = {}
    if size is not None and _decode("size", size) is not None:
        values["size"] = _decode("size", size)
    if theme is not None and theme in THEMES:
        values["theme"] = theme
    return dataclasses.replace(DEFAULTS, **values) if values else DEFAULTS


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, str) and value.startswith("#"):
        return value[1:]
    return str(value)


def _decode(field: str, token: str) -> object | None:
    if field in NUMERIC_STEPS:
        # Exact tokens only: the cookie is written by reader, so anything else is tampering or age.
        by_token = {fmt(step): step for step in NUMERIC_STEPS[field]}
        return by_token.get(token)
    if field in CHOICES:
        return token if token in CHOICES[field] else None
    if field == "underline_links":
        return {"1": True, "0": False}.get(token)
    if field in ("text_color", "background_color"):
        return parse_hex(token) if len(token) == 6 else None
    return None


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


def _step(steps: tuple[float, ...], current: float, direction: int) -> float:
    index = steps.index(snap(steps, current)) + direction
    return steps[max(0, min(index, len(steps) - 1))]


def _set_fields(prefs: Preferences, form: Mapping[str, str]) -> tuple[dict[str, Any], list[Refusal]]:
    updates: dict[str, Any] = {}
    refused: list[Refusal] = []
    for field, steps in NUMERIC_STEPS.items():
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
    for field, choices in CHOICES.items():
        raw = form.get(field)
        if raw is None or raw == "":
            continue
        if raw in choices:
            updates[field] = raw
        else:
            refused.append(Refusal(field, "unknown-choice"))
    if "underline_links" in form:
        raw = form["underline_links"]
        if raw in ("on", "1", "true"):
            updates["underline_links"] = True
        elif raw in ("off", "0", "false"):
            updates["underline_links"] = False
        else:
            refused.append(Refusal("underline_links", "unknown-choice"))
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
                refused.append(Refusal("colors", "low-contrast", {"ratio": f"{int(ratio * 10) / 10:g}"}))
            else:
                updates["text_color"], updates["background_color"] = fg, bg
    return updates, refused


def apply_form(prefs: Preferences, form: Mapping[str, str], base: Preferences | None = None) -> Outcome:
    """Apply one submitted preference form (an ``action`` and/or setting fields) to the settings.

    `base` is what "reset" returns to: the defaults, or an embedding site's defaults.
    """
    action = form.get("action") or "set"
    if action not in ACTIONS:
        return Outcome(prefs, "set", (), (Refusal("action", "unknown-choice"),))
    limit = False
    refused: list[Refusal] = []
    if action in ("bigger", "smaller"):
        new_size = _step(SIZES, prefs.size, 1 if action == "bigger" else -1)
        limit = new_size == prefs.size
        new = dataclasses.replace(prefs, size=new_size)
    elif action == "reset":
        new = base or DEFAULTS
    elif action == "preset-spacing":
        # The WCAG 1.4.12 text-spacing values.
        new = dataclasses.replace(prefs, line_height=1.5, paragraph_spacing=2.0, letter_spacing=0.12, word_spacing=0.16)
    elif action == "preset-large":
        new = dataclasses.replace(prefs, size=200.0, line_height=1.8, width=66.0)
    elif action == "apply-shared":
        new = Preferences.from_cookie(form.get("settings", ""), base)
    else:
        updates, refused = _set_fields(prefs, form)
        new = dataclasses.replace(prefs, **updates)
    changed = tuple(f.name for f in dataclasses.fields(new) if getattr(new, f.name) != getattr(prefs, f.name))
    return Outcome(new, action, changed, tuple(refused), limit)
