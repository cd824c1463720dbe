"""UI language: gettext catalogs (compiled from the .po files at first use), negotiation, formatting."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from reader.paths import LOCALE_DIR
from reader.settings import UI_LANGUAGES

_LANG_RANGE = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*$")
NBSP = "\u00a0"


@functools.cache
def translations(lang: str) -> Translations:
    """The catalog for one UI language, compiled in memory from its .po file."""
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


def gettext(lang: str, message: str) -> str:
    """One UI string in one language."""
    return translations(lang).gettext(message)


def primary_subtag(tag: str) -> str:
    return tag.split("-", 1)[0].strip().lower()


def negotiate(accept_language: str | None, default: str) -> str:
    """The best UI language for an Accept-Language header; malformed parts are skipped."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language[:512].split(",")[:32]):
        match = _LANG_RANGE.match(part)
        if not match:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if quality <= 0 or quality > 1:
            continue
        ranked.append((-quality, position, match.group(1)))
    for _, _, tag in sorted(ranked):
        lang = primary_subtag(tag)
        if lang in UI_LANGUAGES:
            return lang
        if tag == "*":
            return default
    return default


def speaks(article_lang: str | None) -> str | None:
    """The UI language of an article's own language, when reader's interface speaks it, else None."""
    if article_lang and primary_subtag(article_lang) in UI_LANGUAGES:
        return primary_subtag(article_lang)
    return None


def ui_language(article_lang: str | None, accept_language: str | None, default: str) -> str:
    """The UI follows the article's language when reader speaks it, else the browser's."""
    return speaks(article_lang) or negotiate(accept_language, default)


def format_date(value: dt.date, lang: str) -> str:
    """A publication date: dd/mm/yyyy in Vietnamese, the locale's long format otherwise."""
    if lang == "vi":
        return babel_format_date(value, "dd/MM/yyyy", locale="vi")
    return babel_format_date(value, "long", locale=lang)


# The controls show the same few dozen numbers on every page: Babel's formatting is worth remembering.
@functools.lru_cache(maxsize=4096)
def format_number(value: float, lang: str) -> str:
    """A decimal in the language's conventions (1,8 in Vietnamese, 1.8 in English)."""
    return format_decimal(value, format="#,##0.##", locale=lang)


def format_percent(value: float, lang: str) -> str:
    """A percentage written with a no-break space, as in "125 %"."""
    return f"{format_number(value, lang)}{NBSP}%"


@functools.lru_cache(maxsize=256)
def language_name(tag: str, lang: str) -> str:
    """A language's name in the UI language ("Tiếng Việt", "English"); the tag itself if unknown."""
    name = _display_name(tag, lang)
    return name[:1].upper() + name[1:] if name else tag


def language_in_sentence(tag: str, lang: str) -> str:
    """A language's name as written inside a sentence: "giọng đọc tiếng Việt", "a voice for Vietnamese".

    CLDR's Vietnamese names are for lists and menus ("Tiếng Việt"); inside a sentence "tiếng" is a common
    noun. English language names are capitalised everywhere.
    """
    name = _display_name(tag, lang)
    if not name:
        return tag
    return name[:1].lower() + name[1:] if primary_subtag(lang) == "vi" else name


def _display_name(tag: str, lang: str) -> str | None:
    try:
        return Locale.parse(tag.replace("-", "_")).get_display_name(lang)
    except (ValueError, TypeError, UnknownLocaleError):
        return None
