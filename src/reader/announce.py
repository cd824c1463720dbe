"""The one status message a preference change announces, in the UI language."""

from __future__ import annotations

from reader.i18n import N_, format_number, format_percent, gettext, language_in_sentence
from reader.prefs import DEVICE_FIELDS, SHORTCUT_KEYS, Outcome, Preferences, Refusal

_FONT_NAMES = {
    "sans": N_("Sans-serif"),
    "serif": N_("Serif"),
    "lexend": N_("Lexend"),
    "opendyslexic": N_("OpenDyslexic"),
    "atkinson": N_("Atkinson Hyperlegible"),
}
_THEME_NAMES = {
    "auto": N_("Automatic"),
    "light": N_("Light"),
    "dark": N_("Dark"),
    "sepia": N_("Sepia"),
    "contrast-dark": N_("High contrast dark"),
    "contrast-light": N_("High contrast light"),
}


_GUIDE_NAMES = {
    "off": N_("off"),
    "1": N_("1 line"),
    "3": N_("3 lines"),
    "5": N_("5 lines"),
    "ruler": N_("ruler under the line"),
}
_KEY_ACTIONS = dict(
    zip(SHORTCUT_KEYS, (N_("Read aloud / pause"), N_("Previous sentence"), N_("Next sentence")), strict=True)
)


def guide_name(guide: str, lang: str) -> str:
    return gettext(lang, _GUIDE_NAMES[guide])


def key_action_name(field: str, lang: str) -> str:
    return gettext(lang, _KEY_ACTIONS[field])


def font_name(font: str, lang: str) -> str:
    return gettext(lang, _FONT_NAMES[font])


def theme_name(theme: str, lang: str) -> str:
    return gettext(lang, _THEME_NAMES[theme])


_SETTING_NAMES = {
    "size": N_("Text size"),
    "line_height": N_("Line height"),
    "paragraph_spacing": N_("Paragraph spacing (× text size)"),
    "letter_spacing": N_("Letter spacing (em)"),
    "word_spacing": N_("Word spacing (em)"),
    "width": N_("Line length (characters, at most)"),
    "font": N_("Font"),
    "theme": N_("Theme"),
    "underline_links": N_("Underline links"),
    "text_color": N_("Your own colours"),
    "speech_rate": N_("Reading speed"),
    "reading_guide": N_("Reading guide"),
}


def _value(field: str, prefs: Preferences, lang: str) -> str:
    """One setting's value alone, as the panel shows it: "125 %", "1,8", "Tối", "bật"."""
    _ = lambda message: gettext(lang, message)  # noqa: E731
    if field == "size":
        return format_percent(prefs.size, lang)
    if field == "font":
        return font_name(prefs.font, lang)
    if field == "theme":
        return theme_name(prefs.theme, lang)
    if field == "underline_links":
        return _("on") if prefs.underline_links else _("off")
    if field == "text_color":
        if not prefs.custom_colors:
            return _("the theme's colours")
        return _("text %(text)s on %(background)s") % {"text": prefs.text_color, "background": prefs.background_color}
    if field == "speech_rate":
        return format_number(prefs.speech_rate, lang) + "×"
    if field == "reading_guide":
        return guide_name(prefs.reading_guide, lang)
    return format_number(float(getattr(prefs, field)), lang)


def describe_changes(before: Preferences, after: Preferences, lang: str) -> list[str]:
    """Every setting a shared link's settings would change, from what to what ("Text size: from 150 % to
    200 %"), those going back to their defaults too; the device's own (voices, keys) never change so."""
    lines = []
    for field, name in _SETTING_NAMES.items():
        if field == "text_color":
            differs = (before.text_color, before.background_color) != (after.text_color, after.background_color)
        else:
            differs = getattr(before, field) != getattr(after, field)
        if differs:
            lines.append(
                gettext(lang, "%(setting)s: from %(before)s to %(after)s")
                % {
                    "setting": gettext(lang, name),
                    "before": _value(field, before, lang),
                    "after": _value(field, after, lang),
                }
            )
    return lines


def describe_setting(field: str, prefs: Preferences, lang: str) -> str:
    """One setting and its value as a short phrase: "Text size 125 %", "Giãn dòng 1,8"."""
    _ = lambda message: gettext(lang, message)  # noqa: E731
    if field == "size":
        return _("Text size %(value)s") % {"value": format_percent(prefs.size, lang)}
    if field == "line_height":
        return _("Line height %(value)s") % {"value": format_number(prefs.line_height, lang)}
    if field == "letter_spacing":
        return _("Letter spacing %(value)s em") % {"value": format_number(prefs.letter_spacing, lang)}
    if field == "word_spacing":
        return _("Word spacing %(value)s em") % {"value": format_number(prefs.word_spacing, lang)}
    if field == "paragraph_spacing":
        return _("Paragraph spacing %(value)s × text size") % {"value": format_number(prefs.paragraph_spacing, lang)}
    if field == "width":
        return _("Lines of at most %(value)s characters") % {"value": format_number(prefs.width, lang)}
    if field == "font":
        return _("Font %(name)s") % {"name": font_name(prefs.font, lang)}
    if field == "theme":
        return _("Theme %(name)s") % {"name": theme_name(prefs.theme, lang)}
    if field == "underline_links":
        return _("Link underlines on") if prefs.underline_links else _("Link underlines off")
    if field in ("text_color", "background_color"):
        return _("Custom colours on") if prefs.custom_colors else _("Theme colours restored")
    if field == "speech_rate":
        return _("Reading speed %(value)s×") % {"value": format_number(prefs.speech_rate, lang)}
    if field == "voices":
        chosen = [
            _("Voice for %(language)s: %(name)s") % {"language": language_in_sentence(voice_lang, lang), "name": name}
            for voice_lang, name in prefs.voices
        ]
        return "; ".join(chosen) if chosen else _("Voices chosen automatically")
    if field == "reading_guide":
        return _("Reading guide: %(mode)s") % {"mode": guide_name(prefs.reading_guide, lang)}
    if field == "shortcuts":
        return _("Single-key shortcuts on") if prefs.shortcuts else _("Single-key shortcuts off")
    if field in _KEY_ACTIONS:
        # The key as it is stored, and as its field shows it from then on (letters in lower case): "Ư" typed
        # was announced "Ư" while "ư" was kept and shown, and read back as another key.
        key = str(getattr(prefs, field))
        return _("Key for %(action)s: %(key)s") % {"action": key_action_name(field, lang), "key": key}
    raise ValueError(field)


def refusal_message(refusal: Refusal, lang: str) -> str:
    """Why one value was not applied, as the status region says it and as the form shows it."""
    return _refusal(refusal.reason, refusal.field, refusal.detail, lang)


def _refusal(reason: str, field: str, detail: dict[str, str], lang: str) -> str:
    _ = lambda message: gettext(lang, message)  # noqa: E731
    if reason == "low-contrast":
        ratio = format_number(float(detail["ratio"]), lang)
        return _("Colours not applied: their contrast is %(ratio)s:1, and at least 7:1 is needed") % {"ratio": ratio}
    if reason == "not-a-colour":
        return _("Colours not applied: choose both a text colour and a background colour")
    if reason == "not-a-key":
        return _("Shortcut not changed: type one character for each key")
    if reason == "same-key":
        return _("Shortcuts not changed: each action needs a key of its own")
    return _("That setting was not changed: the value is not one of the choices")


def announce(outcome: Outcome, lang: str) -> str:
    """The status message for one preference form: what changed, what was refused, or that nothing did."""
    _ = lambda message: gettext(lang, message)  # noqa: E731
    prefs = outcome.prefs
    parts: list[str] = []
    if outcome.action == "reset":
        parts.append(_("All settings reset"))
        # Said because they change how the keyboard and the voice behave, not only how the text looks.
        parts.extend(describe_setting(field, prefs, lang) for field in outcome.changed if field in DEVICE_FIELDS)
    elif outcome.action == "preset-spacing":
        parts.append(_("Wide text spacing applied"))
    elif outcome.action == "preset-large":
        parts.append(_("Large text preset applied"))
    elif outcome.action in ("apply-shared", "merge-shared"):
        parts.append(_("Shared reading settings applied"))
    if outcome.action in ("bigger", "smaller"):
        phrase = describe_setting("size", prefs, lang)
        if outcome.limit_reached:
            phrase = (
                _("%(setting)s, the largest") if outcome.action == "bigger" else _("%(setting)s, the smallest")
            ) % {"setting": phrase}
        parts.append(phrase)
    elif outcome.action != "reset":
        seen_colors = False
        for field in outcome.changed:
            if field in ("text_color", "background_color"):
                if seen_colors:
                    continue
                seen_colors = True
            parts.append(describe_setting(field, prefs, lang))
    parts.extend(_refusal(r.reason, r.field, r.detail, lang) for r in outcome.refused)
    if not parts:
        parts.append(_("No change"))
    return "; ".join(parts)
