"""The note an article shows after a change made without JavaScript (reader.saved_note): only what a form could
have done, in the one spelling the redirect writes, signed for the settings it left (a link cannot name
one), and the answer cache keeps no more pages for it."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest

from reader.prefs import DEFAULTS, SHORTCUT_KEYS, Outcome, Preferences, Refusal, apply_form
from reader.saved_note import (
    GROUP_ACTIONS,
    MAC_CHARS,
    MAX_SAVED_CHARS,
    NOTE_GROUPS,
    NOTE_ID,
    parse_saved,
    read_saved,
    saved_change,
    sealed,
)
from reader.views.articles import article_cache_query
from tests.conftest import SEED_SLUG, ServedApp, saved_for
from tests.test_response_cache import cache_of

pytestmark = pytest.mark.anyio

SEED = f"/articles/{SEED_SLUG}"
FIELDS = tuple(field.name for field in dataclasses.fields(Preferences))


@pytest.mark.parametrize(
    "raw",
    [
        "reader-themes:set:theme",
        "reader-themes:set",
        "reader-spacing:set:line_height:letter_spacing",
        "reader-size-controls:bigger",
        "reader-size-controls:smaller:limit",
        "reader-presets:preset-large:size:line_height:width",
        "reader-presets:reset",
        "reader-presets:reset:shortcuts",
        "reader-themes:set:theme.unknown-choice",
        "reader-themes:set:font:width.not-a-number:theme.unknown-choice",
    ],
)
def test_what_a_redirect_writes_is_read_back(raw: str) -> None:
    change = parse_saved(raw)
    assert change is not None and str(change) == raw


@pytest.mark.parametrize(
    "raw",
    [
        # a field named twice, or out of the order the redirect writes them in
        "reader-themes:set:theme:theme",
        "reader-themes:set" + ":theme" * 1000,
        "reader-themes:set:theme:font",
        "reader-themes:set:theme.unknown-choice:theme.unknown-choice",
        "reader-themes:set:theme.unknown-choice:width.unknown-choice",
        "reader-themes:set:theme.unknown-choice:font",
        # an action its group has no button for
        "reader-themes:apply-shared:size",
        "reader-themes:merge-shared",
        "reader-themes:bigger",
        "reader-size-controls:set:size",
        "reader-presets:set:theme",
        "reader-spacing:reset",
        # fields where the action names none, or none of these
        "reader-size-controls:bigger:size",
        "reader-presets:reset:theme",
        "reader-presets:preset-spacing:theme.unknown-choice",
        "reader-themes:set:colour",
        "reader-themes:set:",
        # "limit" but after A+ or A−, or not last
        "reader-themes:set:limit",
        "reader-size-controls:bigger:limit:limit",
        # a refusal the note does not say (its words would carry a number of the address's), or no reason
        "reader-colors:set:colors.low-contrast",
        "reader-themes:set:theme.made-up",
        "reader-themes:set:theme.",
        "reader-themes:set:theme.unknown-choice.x",
        # no group, no action, or another spelling
        "reader-themes",
        "reader-title:set",
        ":set:theme",
        "reader-themes:set:theme:",
        "reader-themes:set:theme ",
        # longer than any there is
        "reader-themes:set:" + "x" * MAX_SAVED_CHARS,
    ],
)
def test_anything_else_names_no_note(raw: str) -> None:
    assert parse_saved(raw) is None
    # nor signed: the mac vouches for who wrote the value, never for what it says
    assert read_saved(f"{raw}.{KEY[:MAC_CHARS]}", KEY, DEFAULTS) is None


KEY = "k" * 64
DARK = Preferences.from_cookie("1|t:dark", DEFAULTS)


def test_a_note_is_read_only_with_the_mac_the_redirect_gave_it_for_these_settings() -> None:
    change = parse_saved("reader-presets:reset")
    assert change is not None
    value = sealed(change, KEY, DEFAULTS)
    mac = value.rpartition(".")[2]
    assert value == f"reader-presets:reset.{mac}" and len(mac) == MAC_CHARS
    assert re.fullmatch(r"[A-Za-z0-9_-]+", mac)
    assert read_saved(value, KEY, DEFAULTS) == change
    # A value a link wrote: unsigned, a mac of its own, another key's, or one for other settings (copied
    # from another reader's redirect), or for another change.
    other = sealed(change, "x" * 64, DEFAULTS)
    for forged in (
        "reader-presets:reset",
        "reader-presets:reset.",
        f"reader-presets:reset.{'A' * MAC_CHARS}",
        other,
        sealed(change, KEY, DARK),
        f"reader-presets:preset-large.{mac}",
        f"reader-presets:reset.{mac[:-1]}",
        f"reader-presets:reset.{mac}x",
        f"reader-presets:reset.{mac[:-1]}é",
    ):
        assert read_saved(forged, KEY, DEFAULTS) is None, forged
    # A refusal's "." comes before the mac.
    refused = parse_saved("reader-themes:set:font:width.not-a-number")
    assert refused is not None and read_saved(sealed(refused, KEY, DARK), KEY, DARK) == refused


def test_every_change_a_form_makes_is_written_once_and_within_the_bound() -> None:
    """saved_change over real outcomes: read back the same, never longer than MAX_SAVED_CHARS (the longest there
    could be: every field changed, every one refused too)."""
    forms = [
        {"action": "bigger"},
        {"action": "smaller"},
        {"action": "preset-spacing"},
        {"action": "preset-large"},
        {"theme": "dark", "font": "serif", "width": "45"},
        {"theme": "purple", "width": "wide"},
    ]
    for form in forms:
        outcome = apply_form(DEFAULTS, form)
        group = next(group for group, actions in GROUP_ACTIONS.items() if outcome.action in actions)
        change = saved_change(group, outcome)
        assert change is not None and parse_saved(str(change)) == change
        assert read_saved(sealed(change, KEY, outcome.prefs), KEY, outcome.prefs) == change
    limit = apply_form(dataclasses.replace(DEFAULTS, size=400.0), {"action": "bigger"})
    assert str(saved_change("reader-size-controls", limit)) == "reader-size-controls:bigger:limit"
    reset = Outcome(DEFAULTS, "reset", ("theme", "shortcuts", *SHORTCUT_KEYS), ())
    assert str(saved_change("reader-presets", reset)) == "reader-presets:reset:shortcuts:" + ":".join(SHORTCUT_KEYS)
    every = Outcome(DEFAULTS, "set", FIELDS, tuple(Refusal(f, "unknown-choice") for f in (*FIELDS, "voice")))
    longest = saved_change("reader-colors", every)
    assert longest is not None and parse_saved(str(longest)) == longest
    assert len(sealed(longest, KEY, DEFAULTS)) <= MAX_SAVED_CHARS


def test_a_change_the_note_cannot_say_as_the_status_region_does_gets_none() -> None:
    """A refusal with a number of its own, or one field refused twice: the page opens at the group, as before."""
    ratio = Outcome(DEFAULTS, "set", (), (Refusal("colors", "low-contrast", {"ratio": "2.1"}),))
    twice = Outcome(DEFAULTS, "set", (), (Refusal("shortcuts", "same-key"), Refusal("shortcuts", "same-key")))
    assert saved_change("reader-colors", ratio) is None and saved_change("reader-shortcuts", twice) is None
    # and a group with no note, or a button its group does not have
    assert saved_change("reader-tools-settings", apply_form(DEFAULTS, {"speech_rate": "1.5"})) is None
    assert saved_change("reader-themes", apply_form(DEFAULTS, {"action": "bigger"})) is None


def _scope(prefs: str | None = None) -> dict[str, object]:
    headers = [(b"cookie", f"reader_prefs={prefs}".encode())] if prefs else []
    return {"type": "http", "headers": headers, "state": {"session_key": KEY}}


def _sealed(raw: str, prefs: Preferences) -> str:
    change = parse_saved(raw)
    assert change is not None
    return sealed(change, KEY, prefs)


THEME = _sealed("reader-themes:set:theme", DARK)


@pytest.mark.parametrize(
    ("query", "key"),
    [
        (b"", b""),
        (b"panel=open", b"panel=open"),
        (f"saved={THEME}".encode(), f"saved={THEME}".encode()),
        (f"panel=open&saved={THEME.replace(':', '%3A')}".encode(), f"panel=open&saved={THEME}".encode()),
        (b"saved=reader-themes:set:theme&panel=open", b"panel=open"),
        (f"saved={THEME}x&panel=open".encode(), b"panel=open"),
        (f"saved={THEME}:theme&panel=open".encode(), b"panel=open"),
        # the last one is the one article_page reads
        (f"saved={THEME}&saved=x".encode(), b""),
        (f"saved=x&sav%65d={THEME}".encode(), f"saved={THEME}".encode()),
    ],
)
def test_the_answer_cache_keys_a_saved_note_in_its_one_spelling(query: bytes, key: bytes) -> None:
    assert article_cache_query(query, _scope("1|t:dark")) == key
    # The mac is for the settings the change left: with others (these are the defaults) it names no note.
    assert b"saved" not in article_cache_query(query, _scope())


async def test_links_naming_no_note_get_the_plain_pages_answer_from_the_cache(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    """A crafted ?saved= gets the page without it, the very answer the cache holds for it: a link cannot fill
    the cache (nor a shared cache) with pages of its own, and only the notes a change can make are kept."""
    client.cookies.set("reader_prefs", "1|t:dark")
    plain = await client.get(SEED)
    cache = cache_of(app)
    forged = [
        "reader-themes:set" + ":theme" * 1000,  # 6,017 characters: a 26 KB note before
        "reader-themes:apply-shared:size",  # "Shared reading settings applied": nothing was
        "reader-size-controls:bigger:size:size",
        "reader-themes:set:theme.low-contrast",
        # a note a form makes, but written by a link: unsigned, or signed for someone else's settings
        "reader-presets:reset",  # "All settings reset", focused: nothing was
        "reader-themes:set:theme",
        saved_for(app, "reader-presets:reset"),
        saved_for(app, "reader-themes:set:theme", "1|t:sepia"),
        saved_for(app, "reader-themes:set:theme", "1|t:dark") + "x",
    ]
    for raw in forged:
        hits = cache.hits
        page = await client.get(SEED, params={"saved": raw})
        assert f'id="{NOTE_ID}"' not in page.text
        assert page.content == plain.content and page.headers["etag"] == plain.headers["etag"]
        assert cache.hits == hits + 1
    signed = saved_for(app, "reader-themes:set:theme", "1|t:dark")
    noted = await client.get(SEED, params={"saved": signed})
    assert "Giao diện Tối</p>" in noted.text
    hits = cache.hits
    respelt = await client.get(f"{SEED}?saved={signed.replace(':', '%3A')}")
    assert cache.hits == hits + 1 and respelt.content == noted.content


@pytest.mark.parametrize("group", sorted(NOTE_GROUPS))
async def test_every_group_with_a_note_shows_it_beside_the_group(
    app: ServedApp, client: httpx.AsyncClient, group: str
) -> None:
    """NOTE_GROUPS against the templates' saved_note_for() calls: a group without one would send the redirect to
    an anchor the page does not have (the page opening at its top, the group lost)."""
    saved = saved_for(app, f"{group}:{GROUP_ACTIONS[group][0]}")
    page = (await client.get(SEED, params={"panel": "open", "saved": saved})).text
    assert page.count(f'id="{NOTE_ID}"') == 1
    note = page.index(f'id="{NOTE_ID}"')
    if group == "reader-size-controls":
        # In the toolbar, right before the size controls' form (a note inside it would be sent with it).
        between = page[note : page.index(f'id="{group}"')]
        assert page.index('id="reader-toolbar"') < note and re.fullmatch(r'[^<]*</p>\s*<form class="[^"]*" ', between)
    else:
        start = page.index(f'id="{group}"')
        assert start < note and "<fieldset" not in page[start:note]
