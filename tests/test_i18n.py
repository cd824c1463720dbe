from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from reader import i18n

ROOT = Path(__file__).resolve().parents[1]
CHECKOUT_LOCALE = ROOT / "src" / "reader" / "locale"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The UI strings of the code and templates as they are now, extracted as README says."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "gettext:2",
            "-k",
            "N_",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_every_ui_string_has_a_vietnamese_translation(extracted: Catalog) -> None:
    wanted = _ids(extracted)
    # The checkout's catalogue, as the strings are the checkout's (the installed copy may be older).
    with (CHECKOUT_LOCALE / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string and not m.fuzzy}
    assert wanted - translated == set()


def test_the_committed_template_holds_the_strings_in_use(extracted: Catalog) -> None:
    """messages.pot is what translators start from: a string added since it was extracted would be missing
    from a new language's catalogue, and one removed would be translated for nothing."""
    with (CHECKOUT_LOCALE / "messages.pot").open("rb") as handle:
        committed = read_po(handle)

    def entries(catalog: Catalog) -> set[tuple[object, frozenset[str]]]:
        # The whole id (a plural's two forms) and the flags (python-format): what a translation must match.
        return {(m.id if isinstance(m.id, str) else tuple(m.id), frozenset(m.flags)) for m in catalog if m.id}

    assert entries(committed) == entries(extracted)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "vi"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, vi;q=0.8", "vi"),
        ("fr, de", "vi"),
        ("en;q=0", "vi"),
        ("*;q=0.5", "vi"),
        (";;;,=,q=abc,en;q=1.5", "vi"),
        ("x" * 5000, "vi"),
    ],
)
def test_negotiation(header: str | None, lang: str) -> None:
    assert i18n.negotiate(header, "vi") == lang


def test_the_article_language_wins() -> None:
    assert i18n.ui_language("en-GB", "vi", "vi") == "en"
    assert i18n.ui_language("fr", "en", "vi") == "en"


def test_formatting() -> None:
    day = dt.date(2021, 3, 31)
    assert i18n.format_date(day, "vi") == "31/03/2021"
    assert i18n.format_date(day, "en") == "March 31, 2021"
    assert i18n.format_percent(87.5, "vi") == "87,5\u00a0%"
    assert i18n.format_number(0.12, "en") == "0.12"
    assert i18n.language_name("vi", "vi") == "Tiếng Việt" and i18n.language_name("en", "en") == "English"
    assert i18n.language_name("zz-not", "en") == "zz-not"
    # Inside a sentence: "giọng đọc tiếng Việt", "a voice for Vietnamese".
    assert i18n.language_in_sentence("vi", "vi") == "tiếng Việt" and i18n.language_in_sentence("en-GB", "vi") == (
        "tiếng Anh (Vương quốc Anh)"
    )
    assert i18n.language_in_sentence("vi", "en") == "Vietnamese" and i18n.language_in_sentence("zz", "en") == "zz"
