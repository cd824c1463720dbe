"""Refused input beside its fields: custom colours under 7:1 and clashing shortcut keys.

With a script, the answer swaps in the region with the refusal beside the fields (aria-describedby, the fields
at fault aria-invalid) and what the reader typed kept in them. Without one it used to be the page itself,
answered to the POST (400): reload sent the form again, Back to it was the browser's "Confirm Form
Resubmission" error, and its address was /preferences (a bookmark or a shared address gave the settings page,
not the article). Now it is a 303, as every other change is, back to the page the reader was on, whose address
carries the refusal (?refused=<value>.<mac>) and opens at its message (focused: a screen reader reads why, and
the next Tab is the first field).

The value names the group, the refusals (field.reason, from fixed lists) and the values typed, in the shape
their fields take: a colour as six hex digits, a key as its code point (any character may be a key, ":" and
"." too). A page puts a value back only as a colour (#rrggbb) or as one printable character, escaped as all
text is, and works out the words itself (a contrast ratio from the two colours, never a number the address
chose). An address anyone can write must not put a refusal, or values, on a page for a reader who typed
nothing: the value is signed as the notes of reader.saved_note are (the server's key, a purpose of its own), for
the settings the page is drawn with and the note cookie its redirect set, and holds the time it was made: a
page shows it for NOTE_COOKIE_MAX_AGE only (a reload or two), so an address copied later is the page without
it. The /embed frame may keep no cookie (inside another site a SameSite=Lax cookie is refused), so there it is
signed for the settings in the frame's address and the time alone: an embed's address copied within those two
minutes shows the same refusal to a reader with the same settings, with the values it named, which the server
checked, and nothing else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from reader.announce import refusal_message
from reader.colors import contrast_ratio, parse_hex
from reader.prefs import MIN_CUSTOM_CONTRAST, SHORTCUT_KEYS, Outcome, Preferences, Refusal, shortcut_key, shown_ratio
from reader.saved_note import MAX_SAVED_CHARS, NOTE_COOKIE_MAX_AGE, held_secret, mac_matches, note_mac

# The query parameter the redirect writes.
REFUSED_PARAM = "refused"
# The groups whose refusal the form shows beside its fields, by the refused field (a refused number or choice
# can only come from a tampered form: the status region says it, as before), and the fields of each.
REFUSED_GROUPS = {"colors": "colors", "shortcuts": "keys", **dict.fromkeys(SHORTCUT_KEYS, "keys")}
COLOR_FIELDS = ("text_color", "background_color")
_GROUP_FIELDS = {"colors": COLOR_FIELDS, "keys": SHORTCUT_KEYS}
# The refusals a note may name, in the one order it names them.
_REASONS = {
    "colors": (("colors", "not-a-colour"), ("colors", "low-contrast")),
    "keys": (*((field, "not-a-key") for field in SHORTCUT_KEYS), ("shortcuts", "same-key")),
}
# Where the redirect opens: the message (tabindex=-1, templates/_panel.html and _read_aloud_settings.html).
MESSAGE_IDS = {"colors": "reader-colors-refused", "keys": "reader-keys-refused"}
# A node whose clock is a little ahead of another's: a note it made is not "from the future" here.
_CLOCK_SKEW = 30
_PURPOSE = b"reader refused input\x00"  # no saved note's mac is one of these, nor the reverse
_MAC = "."  # value.mac (the mac, base64url, has none)


@dataclass(frozen=True, slots=True)
class RefusedInput:
    """Input a form without JavaScript sent that was refused: its group, why, what was typed, when."""

    group: str
    refused: tuple[tuple[str, str], ...]  # (field, reason), in _REASONS's order
    entered: tuple[str, ...]  # per field of the group: the value in its field's shape, or "" for none
    made: int  # seconds since the epoch

    def __str__(self) -> str:
        reasons = ",".join(f"{field}.{reason}" for field, reason in self.refused)
        values = (_encoded(self.group, value) for value in self.entered)
        return ":".join((self.group, reasons, *values, str(self.made)))


def _encoded(group: str, value: str) -> str:
    if not value:
        return ""
    return value[1:] if group == "colors" else f"{ord(value):x}"


def _entered_value(group: str, raw: str) -> str:
    """A typed value in the shape its field takes (a colour #rrggbb, a key one printable character), or ""."""
    if group == "colors":
        return parse_hex(raw) or ""
    key = raw.strip()
    return key if shortcut_key(key) is not None else ""


def refused_input(outcome: Outcome, fields: dict[str, str], now: float | None = None) -> RefusedInput | None:
    """What a form's refusal shows beside the fields, or None when nothing it refused is shown there."""
    group = next((REFUSED_GROUPS[r.field] for r in outcome.refused if r.field in REFUSED_GROUPS), None)
    if group is None:
        return None
    asked = {(r.field, r.reason) for r in outcome.refused}
    refused = tuple(pair for pair in _REASONS[group] if pair in asked)
    entered = tuple(_entered_value(group, fields.get(field, "")) for field in _GROUP_FIELDS[group])
    return RefusedInput(group, refused, entered, int(time.time() if now is None else now))


def parse_refused(raw: str) -> RefusedInput | None:
    """The refusal a value (without its mac) names, or None for anything refused_input does not write."""
    parts = raw.split(":")
    group = parts[0]
    if group not in _GROUP_FIELDS or len(parts) != 3 + len(_GROUP_FIELDS[group]):
        return None
    names = parts[1].split(",") if parts[1] else []
    refused = tuple((field, reason) for field, _, reason in (name.partition(".") for name in names))
    # Each at most once, in the order refused_input names them.
    if not refused or refused != tuple(pair for pair in _REASONS[group] if pair in refused):
        return None
    try:
        entered = tuple(_decoded(group, value) for value in parts[2:-1])
    except ValueError:
        return None
    made = parts[-1]
    if not made.isascii() or not made.isdigit() or len(made) > 12:
        return None
    note = RefusedInput(group, refused, entered, int(made))
    if ("colors", "low-contrast") in refused and not _low_contrast(entered):
        return None
    # The one spelling refused_input writes: nothing else names the same note.
    return note if str(note) == raw else None


def _decoded(group: str, value: str) -> str:
    if not value:
        return ""
    if group == "colors":
        colour = parse_hex(f"#{value}")
        if colour is None:
            raise ValueError(value)
        return colour
    if len(value) > 6 or not all(c in "0123456789abcdef" for c in value):
        raise ValueError(value)
    key = chr(int(value, 16))  # (ValueError beyond U+10FFFF)
    if shortcut_key(key) is None:
        raise ValueError(value)
    return key


def _low_contrast(entered: tuple[str, ...]) -> bool:
    text, background = entered
    return bool(text and background) and contrast_ratio(text, background) < MIN_CUSTOM_CONTRAST


def _holder(settings: str, secret: str) -> str:
    # (NUL between the parts: neither holds one)
    return f"{settings}\x00{secret}"


def sealed_refusal(note: RefusedInput, key: str, settings: str, secret: str) -> str:
    """The query's value (?refused=) for a refusal on a page drawn with `settings` (the settings cookie; an
    embed's, its address's `prefs`), signed with `key` for the note cookie `secret` (an embed's: "")."""
    value = str(note)
    return f"{value}{_MAC}{note_mac(value, key, _holder(settings, secret), _PURPOSE)}"


def read_refused(
    raw: str | None, key: str, settings: str, cookie: str | None, *, framed: bool, now: float | None = None
) -> RefusedInput | None:
    """The refusal an address names (?refused=), for a page drawn with `settings` in a browser that sent the note
    cookie `cookie` (the embed's frame: none is asked for), or None: none, a mac that is not the one for these
    settings and this cookie, a value refused_input does not write, or one older than NOTE_COOKIE_MAX_AGE."""
    secret = "" if framed else held_secret(cookie)
    if not raw or len(raw) > MAX_SAVED_CHARS or secret is None:
        return None
    value, _, mac = raw.rpartition(_MAC)
    if not mac_matches(mac, value, key, _holder(settings, secret), _PURPOSE):
        return None
    note = parse_refused(value)
    age = (time.time() if now is None else now) - note.made if note is not None else None
    return note if age is not None and -_CLOCK_SKEW <= age <= NOTE_COOKIE_MAX_AGE else None


def refused_context(outcome: Outcome, fields: dict[str, str], lang: str) -> dict[str, object]:
    """What refused input shows beside its fields (aria-describedby): why, and the values the reader entered,
    so they can be corrected rather than chosen again. Values go back only in the shape the fields take (a
    colour as #rrggbb, a key as one character): nothing else of the input is written into the page."""
    refused: dict[str, str] = {}
    entered: dict[str, str] = {}
    invalid: set[str] = set()  # the key fields at fault: aria-invalid on them only
    for refusal in outcome.refused:
        if refusal.field in SHORTCUT_KEYS:
            invalid.add(refusal.field)
        group = REFUSED_GROUPS.get(refusal.field, "")
        if not group or group in refused:
            continue
        refused[group] = refusal_message(refusal, lang)
        for field in _GROUP_FIELDS[group]:
            value = _entered_value(group, fields.get(field, ""))
            if value:
                entered[field] = value
    if any(refusal.reason == "same-key" for refusal in outcome.refused):
        # Those sharing a key: "Read aloud" and "Previous sentence" both on j, not "Next sentence" on l.
        keys = {field: shortcut_key(fields.get(field, "")) or getattr(outcome.prefs, field) for field in SHORTCUT_KEYS}
        invalid |= {field for field, key in keys.items() if list(keys.values()).count(key) > 1}
    return {"refused": refused, "entered": entered, "invalid_keys": invalid}


def noted_context(note: RefusedInput | None, prefs: Preferences, lang: str) -> dict[str, object]:
    """refused_context for a refusal an address named (read_refused), on a page drawn with `prefs`; an empty
    context (the page as without it) for none."""
    if note is None:
        return {}
    fields = {field: value for field, value in zip(_GROUP_FIELDS[note.group], note.entered, strict=True) if value}
    refusals = []
    for field, reason in note.refused:
        detail: dict[str, str] = {}
        if reason == "low-contrast":
            text, background = note.entered
            detail = {"ratio": shown_ratio(contrast_ratio(text, background))}
        refusals.append(Refusal(field, reason, detail))
    outcome = Outcome(prefs, "set", (), tuple(refusals), False)
    return refused_context(outcome, fields, lang)
