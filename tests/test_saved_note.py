"""The note an article shows after a change made without JavaScript (reader.saved_note): only what a form could
have done, in the one spelling the redirect writes, signed for the settings it left (a link cannot name
one), and the answer cache keeps no more pages for it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import httpx
import pytest

from reader.prefs import DEFAULTS, SHORTCUT_KEYS, Outcome, Preferences, Refusal, apply_form
from reader.saved_note import (
    ARTICLE_NOTE_GROUPS,
    GROUP_ACTIONS,
    MAC_CHARS,
    MAX_SAVED_CHARS,
    NOTE_COOKIE,
    NOTE_GROUPS,
    NOTE_ID,
    SECURE_NOTE_COOKIE,
    held_secret,
    new_secret,
    parse_saved,
    read_saved,
    saved_change,
    sealed,
)
from reader.settings import Settings
from reader.views.articles import article_cache_query
from tests.conftest import NOTE, SEED_SLUG, SIGNED_MAC, ServedApp, client_for, saved_for
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
    assert read_saved(f"{raw}.{KEY[:MAC_CHARS]}", KEY, DEFAULTS, NOTE) is None


KEY = "k" * 64
DARK = Preferences.from_cookie("1|t:dark", DEFAULTS)


def test_a_note_is_read_only_with_the_mac_the_redirect_gave_it_for_these_settings() -> None:
    change = parse_saved("reader-presets:reset")
    assert change is not None
    value = sealed(change, KEY, DEFAULTS, NOTE)
    mac = value.rpartition(".")[2]
    assert value == f"reader-presets:reset.{mac}" and len(mac) == MAC_CHARS
    assert re.fullmatch(r"[A-Za-z0-9_-]+", mac)
    assert read_saved(value, KEY, DEFAULTS, NOTE) == change
    # A value a link wrote: unsigned, a mac of its own, another key's, or one for other settings (copied
    # from another reader's redirect), or for another change.
    other = sealed(change, "x" * 64, DEFAULTS, NOTE)
    for forged in (
        "reader-presets:reset",
        "reader-presets:reset.",
        f"reader-presets:reset.{'A' * MAC_CHARS}",
        other,
        sealed(change, KEY, DARK, NOTE),
        f"reader-presets:preset-large.{mac}",
        f"reader-presets:reset.{mac[:-1]}",
        f"reader-presets:reset.{mac}x",
        f"reader-presets:reset.{mac[:-1]}é",
    ):
        assert read_saved(forged, KEY, DEFAULTS, NOTE) is None, forged
    # A refusal's "." comes before the mac.
    refused = parse_saved("reader-themes:set:font:width.not-a-number")
    assert refused is not None and read_saved(sealed(refused, KEY, DARK, NOTE), KEY, DARK, NOTE) == refused


def test_a_note_is_read_only_in_the_browser_its_redirect_set_the_cookie_in() -> None:
    """The same change to the same settings (a reset, by anyone on the defaults) signs another note in each
    browser: without the cookie its redirect set, or with another, the value is no note."""
    change = parse_saved("reader-presets:reset")
    assert change is not None
    theirs = new_secret()
    assert held_secret(theirs) == theirs and theirs != new_secret()
    value = sealed(change, KEY, DEFAULTS, theirs)
    assert read_saved(value, KEY, DEFAULTS, theirs) == change
    for cookie in (None, "", NOTE, new_secret(), theirs[:-1], theirs + "A", theirs[:-1] + "é", theirs * 400):
        assert read_saved(value, KEY, DEFAULTS, cookie) is None, cookie
    # Only the shape new_secret() makes: a value the client made up of another shape is none at all.
    for cookie in ("", "x", "A" * 21, "A" * 23, "A" * 21 + "=", "A" * 21 + ".", "A" * 21 + " ", "A" * 10_000):
        assert held_secret(cookie) is None, cookie


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
        assert read_saved(sealed(change, KEY, outcome.prefs, NOTE), KEY, outcome.prefs, NOTE) == change
    # The settings page's own groups: a note the redirect to it signed is no article's (read_saved).
    for group, form in (
        ("reader-speech-rate-form", {"speech_rate": "1.5"}),
        ("reader-guide-form", {"reading_guide": "3"}),
        ("reader-shortcuts", {"shortcuts": "off"}),
    ):
        outcome = apply_form(DEFAULTS, form)
        change = saved_change(group, outcome)
        assert change is not None and parse_saved(str(change)) == change
        assert read_saved(sealed(change, KEY, outcome.prefs, NOTE), KEY, outcome.prefs, NOTE) is None
    limit = apply_form(dataclasses.replace(DEFAULTS, size=400.0), {"action": "bigger"})
    assert str(saved_change("reader-size-controls", limit)) == "reader-size-controls:bigger:limit"
    reset = Outcome(DEFAULTS, "reset", ("theme", "shortcuts", *SHORTCUT_KEYS), ())
    assert str(saved_change("reader-presets", reset)) == "reader-presets:reset:shortcuts:" + ":".join(SHORTCUT_KEYS)
    every = Outcome(DEFAULTS, "set", FIELDS, tuple(Refusal(f, "unknown-choice") for f in (*FIELDS, "voice")))
    longest = saved_change("reader-colors", every)
    assert longest is not None and parse_saved(str(longest)) == longest
    assert len(sealed(longest, KEY, DEFAULTS, NOTE)) <= MAX_SAVED_CHARS


def test_a_change_the_note_cannot_say_as_the_status_region_does_gets_none() -> None:
    """A refusal with a number of its own, or one field refused twice: the page opens at the group, as before."""
    ratio = Outcome(DEFAULTS, "set", (), (Refusal("colors", "low-contrast", {"ratio": "2.1"}),))
    twice = Outcome(DEFAULTS, "set", (), (Refusal("shortcuts", "same-key"), Refusal("shortcuts", "same-key")))
    assert saved_change("reader-colors", ratio) is None and saved_change("reader-shortcuts", twice) is None
    # and a group with no note, or a button its group does not have
    assert saved_change("reader-tools-settings", apply_form(DEFAULTS, {"speech_rate": "1.5"})) is None
    assert saved_change("reader-themes", apply_form(DEFAULTS, {"action": "bigger"})) is None


def _scope(prefs: str | None = None, note: str | None = NOTE) -> dict[str, object]:
    cookies = [f"reader_prefs={prefs}"] if prefs else []
    cookies += [f"{NOTE_COOKIE}={note}"] if note else []
    headers = [(b"cookie", "; ".join(cookies).encode())] if cookies else []
    # (as the server's scope has them: the cookie's name goes by the scheme, reader.web.note_cookie)
    state = {"session_key": KEY, "settings": Settings(db_path=Path("unused.db"))}
    return {"type": "http", "scheme": "http", "path": SEED, "headers": headers, "state": state}


def _sealed(raw: str, prefs: Preferences) -> str:
    change = parse_saved(raw)
    assert change is not None
    return sealed(change, KEY, prefs, NOTE)


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
    # and for the note cookie its redirect set: without it, or with another, none either.
    for note in (None, NOTE[::-1], NOTE + "x", "x"):
        assert b"saved" not in article_cache_query(query, _scope("1|t:dark", note)), note


async def test_links_naming_no_note_get_the_plain_pages_answer_from_the_cache(
    app: ServedApp, client: httpx.AsyncClient
) -> None:
    """A crafted ?saved= gets the page without it, the very answer the cache holds for it: a link cannot fill
    the cache (nor a shared cache) with pages of its own, and only the notes a change can make are kept."""
    client.cookies.set("reader_prefs", "1|t:dark")
    client.cookies.set(NOTE_COOKIE, NOTE)
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
        # or made in another browser, for the same settings
        saved_for(app, "reader-themes:set:theme", "1|t:dark", note=NOTE[::-1]),
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


@pytest.mark.parametrize(
    ("group", "path"),
    [
        *((group, SEED) for group in sorted(ARTICLE_NOTE_GROUPS)),
        *((group, "/preferences") for group in sorted(NOTE_GROUPS)),
    ],
)
async def test_every_group_with_a_note_shows_it_beside_the_group(
    app: ServedApp, client: httpx.AsyncClient, group: str, path: str
) -> None:
    """NOTE_GROUPS against the templates' saved_note_for() calls, on an article (ARTICLE_NOTE_GROUPS) and on the
    settings page (every one): a group without one would send the redirect to an anchor the page does not have
    (the page opening at its top, the group lost)."""
    client.cookies.set(NOTE_COOKIE, NOTE)
    saved = saved_for(app, f"{group}:{GROUP_ACTIONS[group][0]}")
    page = (await client.get(path, params={"panel": "open", "saved": saved})).text
    assert page.count(f'id="{NOTE_ID}"') == 1
    note = page.index(f'id="{NOTE_ID}"')
    if group == "reader-size-controls":
        # In the toolbar, right before the size controls' form (a note inside it would be sent with it).
        between = page[note : page.index(f'id="{group}"')]
        assert page.index('id="reader-toolbar"') < note and re.fullmatch(r'[^<]*</p>\s*<form class="[^"]*" ', between)
    else:
        start = page.index(f'id="{group}"')
        assert start < note and "<fieldset" not in page[start:note]


RESET = {"action": "reset", "next": SEED, "panel": "open"}
RESET_SAID = "Đã đặt lại tất cả cài đặt"


def _note_cookie(response: httpx.Response, name: str = NOTE_COOKIE) -> str:
    """The note cookie a redirect sets, with its attributes (one, and always one)."""
    (header,) = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header


async def test_a_note_one_readers_reset_made_says_nothing_to_another_on_the_defaults(app: ServedApp) -> None:
    """The hole the settings' mac left: a reset (or shared settings applied) leaves the defaults, which most
    readers have, so the note its redirect signed said "All settings reset", focused, to whoever opened the
    address. Signed now for the note cookie that redirect set too: to another reader it is the page without
    it (the very bytes the answer cache holds for that page), and their own reset says it to them."""
    cache = cache_of(app)
    async with client_for(app) as author, client_for(app) as reader:
        made = await author.post("/preferences", data=RESET)
        link = made.headers["location"]
        assert re.fullmatch(
            re.escape(f"{SEED}?panel=open&saved=reader-presets:reset.") + SIGNED_MAC + "#" + NOTE_ID, link
        )
        assert RESET_SAID in (await author.get(link)).text
        plain = await reader.get(f"{SEED}?panel=open")
        hits = cache.hits
        opened = await reader.get(link)
        assert RESET_SAID not in opened.text and f'id="{NOTE_ID}"' not in opened.text
        assert opened.content == plain.content and opened.headers["etag"] == plain.headers["etag"]
        assert cache.hits == hits + 1  # the plain page's answer, never the author's
        own = await reader.post("/preferences", data=RESET)
        assert own.headers["location"] != link and _note_cookie(own) != _note_cookie(made)
        assert RESET_SAID in (await reader.get(own.headers["location"])).text
        assert RESET_SAID not in (await reader.get(link)).text
        # Nor the settings page's note that shared settings were applied (the defaults again, say).
        shared = {"action": "apply-shared", "settings": "1|", "next": "/preferences"}
        applied = (await author.post("/preferences", data=shared)).headers["location"]
        assert 'id="reader-applied"' in (await author.get(applied)).text
        assert 'id="reader-applied"' not in (await reader.get(applied)).text


async def test_the_note_cookie_is_the_redirects_alone_and_kept_by_a_browser_that_holds_one(app: ServedApp) -> None:
    """Random for a browser without one, and never kept or shared by the answer cache (the next reader to send
    the same form would be given the same value: the redirect of theirs would vouch for notes of the first
    one's making). A browser that holds one keeps it, so the note another tab's redirect signed still holds."""
    cache = cache_of(app)
    async with client_for(app) as one, client_for(app) as two:
        first = await one.post("/preferences", data=RESET)
        stored = cache.hits
        second = await two.post("/preferences", data=RESET)
        assert cache.hits == stored and _note_cookie(first) != _note_cookie(second)
        value = one.cookies[NOTE_COOKIE]
        assert held_secret(value) == value
        assert re.fullmatch(rf"{NOTE_COOKIE}={value}; HttpOnly; Max-Age=120; Path=/; SameSite=lax", _note_cookie(first))
        # (another tab's change that leaves the settings as they were, so that the first note still describes them)
        tab = await one.post("/preferences", data={"theme": "purple", "next": SEED, "panel": "open"})
        assert "saved=reader-themes:set:theme.unknown-choice." in tab.headers["location"]
        assert one.cookies[NOTE_COOKIE] == value and _note_cookie(tab).startswith(f"{NOTE_COOKIE}={value};")
        for location in (first.headers["location"], tab.headers["location"]):
            assert f'id="{NOTE_ID}"' in (await one.get(location)).text
        # A change whose page shows no note sets none.
        assert not [
            h
            for h in (await two.post("/preferences", data={"size": "150", "next": SEED})).headers.get_list("set-cookie")
            if h.startswith(NOTE_COOKIE)
        ]


async def test_the_note_cookie_is_secure_and_this_hosts_alone_on_an_https_site(app: ServedApp) -> None:
    """`__Host-reader_note` over HTTPS: a browser keeps a cookie of that name only from this very host, so a
    sibling subdomain cannot plant a value it had a note signed for with a reset of its own (the redirect keeps
    the value a browser holds); one planted under the plain name is none."""
    async with client_for(app, "https://testserver") as browser, client_for(app, "https://testserver") as other:
        made = await browser.post("/preferences", data=RESET)
        header = _note_cookie(made, SECURE_NOTE_COOKIE)
        assert "; Secure" in header and "; HttpOnly" in header and "; Path=/" in header and "Domain" not in header
        assert not [h for h in made.headers.get_list("set-cookie") if h.startswith(f"{NOTE_COOKIE}=")]
        assert RESET_SAID in (await browser.get(made.headers["location"])).text
        # The value and the link an author would have, planted under the name a subdomain could set.
        other.cookies.set(NOTE_COOKIE, browser.cookies[SECURE_NOTE_COOKIE])
        assert RESET_SAID not in (await other.get(made.headers["location"])).text
        other.cookies.set(SECURE_NOTE_COOKIE, browser.cookies[SECURE_NOTE_COOKIE])
        assert RESET_SAID in (await other.get(made.headers["location"])).text  # the name is what is checked


@pytest.mark.parametrize(
    "cookie",
    [
        b"",
        b"x",
        NOTE[:-1].encode(),
        NOTE.encode() + b"=",
        NOTE[:-1].encode() + b"\xc3\xa9",
        b"\xff" * 22,
        NOTE.encode() * 300,
        NOTE[::-1].encode(),
    ],
)
async def test_a_damaged_note_cookie_is_none(app: ServedApp, client: httpx.AsyncClient, cookie: bytes) -> None:
    """Made up, cut short, of another shape, far too long, or another browser's: the page as without a note,
    never an error; and a redirect gives such a browser a new one."""
    saved = saved_for(app, "reader-presets:reset")
    plain = await client.get(SEED, params={"panel": "open"}, headers={"cookie": b"reader_note=" + cookie})
    page = await client.get(
        SEED, params={"panel": "open", "saved": saved}, headers={"cookie": b"reader_note=" + cookie}
    )
    assert page.status_code == plain.status_code == 200
    assert f'id="{NOTE_ID}"' not in page.text and page.content == plain.content
    settings = await client.get(
        "/preferences", params={"saved": "reader-title"}, headers={"cookie": b"reader_note=" + cookie}
    )
    assert settings.status_code == 200 and f'id="{NOTE_ID}"' not in settings.text
    made = await client.post("/preferences", data=RESET, headers={"cookie": b"reader_note=" + cookie})
    assert made.status_code == 303
    value = _note_cookie(made).split(";")[0].partition("=")[2]
    # (another browser's, well-formed, is kept: the pages of this one's notes never showed)
    assert held_secret(value) == value and (value.encode() == cookie) == (cookie == NOTE[::-1].encode())


async def test_a_page_with_a_note_is_kept_by_no_shared_cache(client: httpx.AsyncClient) -> None:
    """A page is public (a CDN may keep it: Vary names Cookie) for a reader on the defaults, but one with a
    note is this browser's alone: private, as a page with the reader's own settings is."""
    made = await client.post("/preferences", data=RESET)
    assert "reader_prefs" not in client.cookies  # the defaults: no settings of their own
    plain = await client.get(f"{SEED}?panel=open")
    noted = await client.get(made.headers["location"])
    assert f'id="{NOTE_ID}"' in noted.text
    assert plain.headers["cache-control"].startswith("public")
    assert noted.headers["cache-control"] == "private, no-cache" and "Cookie" in noted.headers["vary"]
    # Nor the settings page's notes.
    assert (await client.get("/preferences")).headers["cache-control"].startswith("public")
    saved = await client.post("/preferences", data={"speech_rate": "1", "next": "/preferences", "panel": "open"})
    page = await client.get(saved.headers["location"])
    assert f'id="{NOTE_ID}"' in page.text and page.headers["cache-control"] == "private, no-cache"
    applied = await client.post(
        "/preferences", data={"action": "apply-shared", "settings": "1|", "next": "/preferences"}
    )
    page = await client.get(applied.headers["location"])
    assert 'id="reader-applied"' in page.text and page.headers["cache-control"] == "private, no-cache"
