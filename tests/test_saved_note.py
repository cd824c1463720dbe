"""The note an article shows after a change made without JavaScript (reader.saved_note): only what a form could
have done, in the one spelling the redirect writes, and the answer cache keeps no more pages for it."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest

from reader.prefs import DEFAULTS, SHORTCUT_KEYS, Outcome, Preferences, Refusal, apply_form
from reader.saved_note import GROUP_ACTIONS, MAX_SAVED_CHARS, NOTE_GROUPS, NOTE_ID, read_saved, saved_change
from reader.views.articles import article_cache_query
from tests.conftest import SEED_SLUG, ServedApp
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
    change = read_saved(raw)
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
    assert read_saved(raw) is None


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
        assert change is not None and read_saved(str(change)) == change
    limit = apply_form(dataclasses.replace(DEFAULTS, size=400.0), {"action": "bigger"})
    assert str(saved_change("reader-size-controls", limit)) == "reader-size-controls:bigger:limit"
    reset = Outcome(DEFAULTS, "reset", ("theme", "shortcuts", *SHORTCUT_KEYS), ())
    assert str(saved_change("reader-presets", reset)) == "reader-presets:reset:shortcuts:" + ":".join(SHORTCUT_KEYS)
    every = Outcome(DEFAULTS, "set", FIELDS, tuple(Refusal(f, "unknown-choice") for f in (*FIELDS, "voice")))
    longest = saved_change("reader-colors", every)
    assert longest is not None and read_saved(str(longest)) == longest
    assert len(str(longest)) <= MAX_SAVED_CHARS


def test_a_change_the_note_cannot_say_as_the_status_region_does_gets_none() -> None:
    """A refusal with a number of its own, or one field refused twice: the page opens at the group, as before."""
    ratio = Outcome(DEFAULTS, "set", (), (Refusal("colors", "low-contrast", {"ratio": "2.1"}),))
    twice = Outcome(DEFAULTS, "set", (), (Refusal("shortcuts", "same-key"), Refusal("shortcuts", "same-key")))
    assert saved_change("reader-colors", ratio) is None and saved_change("reader-shortcuts", twice) is None
    # and a group with no note, or a button its group does not have
    assert saved_change("reader-tools-settings", apply_form(DEFAULTS, {"speech_rate": "1.5"})) is None
    assert saved_change("reader-themes", apply_form(DEFAULTS, {"action": "bigger"})) is None


@pytest.mark.parametrize(
    ("query", "key"),
    [
        (b"", b""),
        (b"panel=open", b"panel=open"),
        (b"saved=reader-themes:set:theme", b"saved=reader-themes:set:theme"),
        (b"panel=open&saved=reader-themes%3Aset%3Athem%65", b"panel=open&saved=reader-themes:set:theme"),
        (b"saved=reader-themes:set:theme:theme&panel=open", b"panel=open"),
        # the last one is the one article_page reads
        (b"saved=reader-themes:set:theme&saved=x", b""),
        (b"saved=x&sav%65d=reader-themes:set:theme", b"saved=reader-themes:set:theme"),
    ],
)
def test_the_answer_cache_keys_a_saved_note_in_its_one_spelling(query: bytes, key: bytes) -> None:
    assert article_cache_query(query) == key


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
    ]
    for raw in forged:
        hits = cache.hits
        page = await client.get(SEED, params={"saved": raw})
        assert f'id="{NOTE_ID}"' not in page.text
        assert page.content == plain.content and page.headers["etag"] == plain.headers["etag"]
        assert cache.hits == hits + 1
    noted = await client.get(SEED, params={"saved": "reader-themes:set:theme"})
    assert "Giao diện Tối</p>" in noted.text
    hits = cache.hits
    respelt = await client.get(f"{SEED}?saved=reader-themes%3Aset%3Atheme")
    assert cache.hits == hits + 1 and respelt.content == noted.content


@pytest.mark.parametrize("group", sorted(NOTE_GROUPS))
async def test_every_group_with_a_note_shows_it_beside_the_group(client: httpx.AsyncClient, group: str) -> None:
    """NOTE_GROUPS against the templates' saved_note_for() calls: a group without one would send the redirect to
    an anchor the page does not have (the page opening at its top, the group lost)."""
    page = (await client.get(SEED, params={"panel": "open", "saved": f"{group}:{GROUP_ACTIONS[group][0]}"})).text
    assert page.count(f'id="{NOTE_ID}"') == 1
    note = page.index(f'id="{NOTE_ID}"')
    if group == "reader-size-controls":
        # In the toolbar, right before the size controls' form (a note inside it would be sent with it).
        between = page[note : page.index(f'id="{group}"')]
        assert page.index('id="reader-toolbar"') < note and re.fullmatch(r'[^<]*</p>\s*<form class="[^"]*" ', between)
    else:
        start = page.index(f'id="{group}"')
        assert start < note and "<fieldset" not in page[start:note]
