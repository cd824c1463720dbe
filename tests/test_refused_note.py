"""Refused input without JavaScript (reader.refused_note): the redirect's ?refused= names only what a refused form
could have sent, in the one spelling it writes, signed for the settings and the note cookie (an embed: its
address's settings), for two minutes; a page puts the values back only as colours and single keys, escaped."""

from __future__ import annotations

import time

import httpx
import pytest

from reader.prefs import DEFAULTS, Outcome, Preferences, apply_form
from reader.refused_note import (
    REFUSED_PARAM,
    RefusedInput,
    parse_refused,
    read_refused,
    refused_input,
    sealed_refusal,
)
from reader.saved_note import NOTE_COOKIE, NOTE_COOKIE_MAX_AGE, sealed
from reader.saved_note import parse_saved as parse_saved_note
from tests.conftest import NOTE, SEED_SLUG, ServedApp

pytestmark = pytest.mark.anyio

SEED = f"/articles/{SEED_SLUG}"
KEY = "a-test-signing-key"
OTHER_NOTE = "another-browsers-note1"
NOW = 1_800_000_000
SETTINGS = "1|s:150"


def outcome_of(form: dict[str, str], prefs: Preferences = DEFAULTS) -> Outcome:
    return apply_form(prefs, form)


def refusal(form: dict[str, str]) -> RefusedInput:
    note = refused_input(outcome_of(form), form, NOW)
    assert note is not None
    return note


LOW = {"text_color": "#777777", "background_color": "#888888"}
CLASH = {"key_play": "j", "key_previous": "j", "key_next": ":"}


@pytest.mark.parametrize(
    ("form", "raw"),
    [
        (LOW, f"colors:colors.low-contrast:777777:888888:{NOW}"),
        (CLASH, f"keys:shortcuts.same-key:6a:6a:3a:{NOW}"),
        # A key that is no key (two characters) is refused and not put back; "." and a Vietnamese letter are keys.
        ({"key_play": "jj", "key_previous": ".", "key_next": "ư"}, f"keys:key_play.not-a-key::2e:1b0:{NOW}"),
    ],
)
def test_what_a_redirect_writes_is_read_back(form: dict[str, str], raw: str) -> None:
    note = refusal(form)
    assert str(note) == raw and parse_refused(raw) == note


def test_nothing_refused_beside_the_fields_writes_no_note() -> None:
    for form in ({"size": "abc"}, {"theme": "bogus"}, {"text_color": "#000000", "background_color": "#ffffff"}):
        assert refused_input(outcome_of(form), form, NOW) is None, form


@pytest.mark.parametrize(
    "raw",
    [
        f"colors:colors.low-contrast:777777:888888:{NOW}:",  # a part too many
        f"colors:colors.low-contrast:777777:{NOW}",  # one too few
        f"colors:colors.low-contrast:777777:888888:0{NOW}",  # not the one spelling
        f"colors:colors.low-contrast:777777:88888G:{NOW}",  # not a colour
        f"colors:colors.low-contrast:77777:888888:{NOW}",
        f"colors:colors.low-contrast:777777:888888:{NOW}.5",
        f"colors:colors.low-contrast:000000:ffffff:{NOW}",  # 21:1: not low contrast, whatever the note says
        f"colors:colors.low-contrast::888888:{NOW}",
        f"colors::777777:888888:{NOW}",  # refuses nothing
        f"colors:shortcuts.same-key:777777:888888:{NOW}",  # a refusal of another group
        f"colors:colors.low-contrast,colors.low-contrast:777777:888888:{NOW}",
        f"keys:shortcuts.same-key:6a:6a:{NOW}",
        f"keys:shortcuts.same-key:6A:6a:3a:{NOW}",  # (upper-case hex: not the spelling)
        f"keys:shortcuts.same-key:20:6a:3a:{NOW}",  # a space is no key
        f"keys:shortcuts.same-key:7:6a:3a:{NOW}",  # nor a control character
        f"keys:shortcuts.same-key:110000:6a:3a:{NOW}",  # nor beyond Unicode
        f"keys:shortcuts.same-key:06a:6a:3a:{NOW}",  # (a leading zero: not the spelling)
        f"keys:shortcuts.same-key,key_play.not-a-key:6a:6a:3a:{NOW}",  # out of order
        f"keys:colors.low-contrast:6a:6a:3a:{NOW}",
        f"theme:theme.unknown-choice:dark:{NOW}",
        "",
    ],
)
def test_anything_else_is_no_note(raw: str) -> None:
    assert parse_refused(raw) is None


def test_a_note_is_read_only_for_the_settings_and_the_browser_it_was_signed_for() -> None:
    note = refusal(LOW)
    raw = sealed_refusal(note, KEY, SETTINGS, NOTE)
    assert read_refused(raw, KEY, SETTINGS, NOTE, framed=False, now=NOW + 1) == note
    assert read_refused(raw, "another-key", SETTINGS, NOTE, framed=False, now=NOW) is None  # written elsewhere
    assert read_refused(raw, KEY, "1|s:200", NOTE, framed=False, now=NOW) is None  # other settings
    assert read_refused(raw, KEY, SETTINGS, OTHER_NOTE, framed=False, now=NOW) is None  # another browser
    assert read_refused(raw, KEY, SETTINGS, None, framed=False, now=NOW) is None  # no note cookie
    assert read_refused(raw, KEY, SETTINGS, NOTE, framed=True, now=NOW) is None  # an embed's is for no cookie
    # Values changed under the mac (the colours of another refusal): none.
    forged = raw.replace("777777", "767676")
    assert parse_refused(forged.rpartition(".")[0]) is not None  # (a value a redirect could write)
    assert read_refused(forged, KEY, SETTINGS, NOTE, framed=False, now=NOW) is None
    # A mac another kind of note has for the same value: none (a purpose of its own).
    saved = sealed(parse_saved_note("reader-themes:set:theme"), KEY, Preferences.from_cookie(SETTINGS, DEFAULTS), NOTE)  # type: ignore[arg-type]
    mac = saved.rpartition(".")[2]
    assert read_refused(f"{note}.{mac}", KEY, SETTINGS, NOTE, framed=False, now=NOW) is None


def test_a_note_is_read_for_two_minutes_only() -> None:
    raw = sealed_refusal(refusal(LOW), KEY, SETTINGS, NOTE)
    assert read_refused(raw, KEY, SETTINGS, NOTE, framed=False, now=NOW + NOTE_COOKIE_MAX_AGE) is not None
    assert read_refused(raw, KEY, SETTINGS, NOTE, framed=False, now=NOW + NOTE_COOKIE_MAX_AGE + 1) is None
    assert read_refused(raw, KEY, SETTINGS, NOTE, framed=False, now=NOW - 60) is None  # made "later"


def test_an_embeds_note_is_for_the_settings_in_its_address() -> None:
    raw = sealed_refusal(refusal(LOW), KEY, SETTINGS, "")
    assert read_refused(raw, KEY, SETTINGS, None, framed=True, now=NOW) is not None
    assert read_refused(raw, KEY, SETTINGS, "anything", framed=True, now=NOW) is not None
    assert read_refused(raw, KEY, "1|s:200", None, framed=True, now=NOW) is None
    assert read_refused(raw, KEY, SETTINGS, NOTE, framed=False, now=NOW) is None  # not a page's


async def test_keys_put_back_are_escaped_and_say_only_what_was_refused(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    """A signed note's keys that HTML would read ("<", '"', "&"): put back in the fields as text, escaped."""
    note = RefusedInput("keys", (("shortcuts", "same-key"),), ("<", "<", '"'), int(time.time()))
    assert parse_refused(str(note)) == note
    client.cookies.set(NOTE_COOKIE, NOTE)
    raw = sealed_refusal(note, app.state["session_key"], DEFAULTS.to_cookie(), NOTE)
    page = (await client.get("/preferences", params={REFUSED_PARAM: raw})).text
    assert 'name="key_play" value="&lt;"' in page and 'name="key_next" value="&#34;"' in page
    assert 'value="<"' not in page
    assert page.count('aria-invalid="true"') == 2
    # The same address in a browser without the cookie: the page as it is, the keys as they are.
    client.cookies.delete(NOTE_COOKIE)
    page = (await client.get("/preferences", params={REFUSED_PARAM: raw})).text
    assert "reader-keys-refused" not in page and 'name="key_play" value="k"' in page


async def test_a_page_with_a_refusal_is_kept_by_no_cache(app: ServedApp, client: httpx.AsyncClient) -> None:
    """Neither a shared cache nor reader's answer cache keeps it: it holds the time its note was made."""
    client.cookies.set(NOTE_COOKIE, NOTE)
    raw = sealed_refusal(
        RefusedInput("colors", (("colors", "low-contrast"),), ("#777777", "#888888"), int(time.time())),
        app.state["session_key"],
        DEFAULTS.to_cookie(),
        NOTE,
    )
    for _ in range(2):
        page = await client.get(SEED, params={"panel": "open", REFUSED_PARAM: raw})
        assert page.headers["cache-control"] == "private, no-cache"
        assert "Chưa áp dụng màu: độ tương phản chỉ là 1,2:1" in page.text
