"""The note an article page shows after a setting was changed there without JavaScript.

With a script, the status region says what a change did (reader.announce). Without one, the form's 303 brought
the page back at the control's group with nothing said and the focus on the page's body. The redirect now
names the change in its query (?saved=group:action:field…:field.reason…, only names from fixed lists: an
address anyone can write never puts words of its own on the page) and opens at the note, beside that group,
which says what the status region would have said, refusals included, from the same function and the
settings the page now has. Only the spelling saved_change writes is read (each field once, in one order, an
action of the group's own): an address chooses among a bounded set of short notes, never one that says what
no form did or the same phrase a thousand times, and anything else is the page without it (the answer
cache keys it so: reader.views.articles.article_cache_query).

A link could still name a note (?saved=reader-presets:reset says "All settings reset", focused, to someone who
reset nothing), so the redirect signs it: `?saved=<change>.<mac>`, an HMAC with the server's session-signing
secret (the one every node shares, reader.accounts) over the change, the settings it left, and a random value
the same redirect puts in a cookie of two minutes (NOTE_COOKIE) that only it sets. A page shows the note only
when the mac is right for its own settings and the cookie its browser sent: a value someone wrote, one copied
from another reader's redirect (whose settings differ), or one made by the same change to the same settings
(the defaults, say: a "reset all" of the link's author's own) is the page without a note, for every reader but
the one whose form it came back from. A browser that already holds the cookie keeps its value (two tabs'
notes both hold), and a request without it gets a new one: the answer cache neither keeps nor shares that
answer (reader.response_cache.not_shared), or the next reader to send the same form would get the same value.

The editor's notices of what was just done (?done=) are signed the same way (note_mac, a purpose of their
own), for the editor's session rather than for settings: reader.views.editor.

The article's body is the same for every reader: the note is in the reading controls around it, which are
drawn with the reader's settings anyway. The page without ?saved= is unchanged, and is cached as before; a
page with a note is one browser's, so it is `private` whatever the reader's settings (reader.views.common
article_view): no shared cache keeps it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from itertools import takewhile

from reader.announce import announce
from reader.prefs import DEVICE_FIELDS, Outcome, Preferences, Refusal

# The id the redirect's fragment names, and the groups of controls that show the note (by their ids in
# templates/_size_controls.html, _panel.html and _read_aloud_settings.html), each with the actions its buttons
# send (reader.views.prefs `_group`). A change from a group not here (the voices, which need a script) comes
# back at its group as before (the settings page: at its note that the settings were saved).
NOTE_ID = "reader-saved"
GROUP_ACTIONS: dict[str, tuple[str, ...]] = {
    "reader-size-controls": ("bigger", "smaller"),
    "reader-presets": ("preset-spacing", "preset-large", "reset"),
    "reader-spacing": ("set",),
    "reader-widths": ("set",),
    "reader-fonts": ("set",),
    "reader-themes": ("set",),
    "reader-links": ("set",),
    "reader-colors": ("set",),
    # The settings page's read-aloud settings: its speed, its guide and its shortcuts say the new value beside
    # themselves, as the other controls do. An article without a script does not show them (they need one
    # there): a change from them comes back to an article at its group, as before (ARTICLE_NOTE_GROUPS).
    "reader-speech-rate-form": ("set",),
    "reader-guide-form": ("set",),
    "reader-shortcuts": ("set",),
}
NOTE_GROUPS = frozenset(GROUP_ACTIONS)  # the settings page's: every group
ARTICLE_NOTE_GROUPS = NOTE_GROUPS - {"reader-speech-rate-form", "reader-guide-form", "reader-shortcuts"}
# The fields a note may name, in the order Outcome.changed has them (the dataclass's), and the names a refusal
# may be for beyond them (reader.prefs.apply_form).
_FIELDS = tuple(field.name for field in dataclasses.fields(Preferences))
_REFUSED_FIELDS = (*_FIELDS, "colors", "voice", "action")
# The refusals a note says: those whose words need no data of the request (a contrast ratio would be a number
# the address chose). A refusal of the colours or keys is said beside its fields: reader.refused_note.
_NOTED_REASONS = ("not-a-number", "unknown-choice", "not-a-colour", "not-a-key", "same-key")
_REFUSED = "."  # field.reason
_LIMIT = "limit"
# The longest ?saved= there is (every field, every refusal, its mac), with room: a longer one is refused unread.
MAX_SAVED_CHARS = 1024
# The mac's length in base64url characters (96 bits): no guess at one comes near, and the address stays short.
MAC_CHARS = 16
_MAC = "."  # change.mac (a refusal's "." comes before it: the mac is after the last one)
# The cookie that binds a note to the browser its redirect went to: random, set by that redirect only
# (reader.views.prefs.update), for as long as a page takes to come back and a reload or two. A value of
# another shape (one a client made up, a cookie cut short) is none: the page is as without a note.
NOTE_COOKIE = "reader_note"
# Over HTTPS its name has the `__Host-` prefix: a browser keeps a cookie so named only when this very host set
# it, Secure, for every path and no domain, so a sibling subdomain cannot plant a value for which it had a note
# signed with its own change (over plain HTTP anyone on the network could, and could change the page too).
SECURE_NOTE_COOKIE = f"__Host-{NOTE_COOKIE}"
NOTE_COOKIE_MAX_AGE = 120
_NOTE_BYTES = 16  # 128 random bits
_NOTE_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{-(-_NOTE_BYTES * 4 // 3)}}}")  # token_urlsafe's: unpadded base64url
# What the key signs here and nowhere else: a mac of a note is no session cookie's signature, nor the reverse.
_PURPOSE = b"reader saved note\x00"


@dataclass(frozen=True, slots=True)
class SavedChange:
    """A change made without JavaScript, as its redirect's query names it."""

    group: str
    action: str
    changed: tuple[str, ...]
    limit_reached: bool
    refused: tuple[Refusal, ...] = ()

    def message(self, prefs: Preferences, lang: str) -> str:
        """What the status region said of this change: reader.announce, with the settings the page has now."""
        return announce(Outcome(prefs, self.action, self.changed, self.refused, self.limit_reached), lang)

    def __str__(self) -> str:
        """The query's value (?saved=): the group, the action, the fields announce() names, the refusals it says
        (field.reason), "limit"."""
        refused = (f"{refusal.field}{_REFUSED}{refusal.reason}" for refusal in self.refused)
        return ":".join((self.group, self.action, *self.changed, *refused, *([_LIMIT] if self.limit_reached else [])))


def saved_change(group: str, outcome: Outcome) -> SavedChange | None:
    """The change to name in the redirect back to an article, or None where its group shows no note or the note
    could not say what the status region says (a refusal with data of its own, one said twice). Only the
    fields announce() says: none for a press of A+ or A− (the size is said), the device's own for a reset (the
    rest go back to their defaults, said as "All settings reset"), every one otherwise."""
    if outcome.action not in GROUP_ACTIONS.get(group, ()):
        return None
    changed = outcome.changed
    if outcome.action in ("bigger", "smaller"):
        changed = ()
    elif outcome.action == "reset":
        changed = tuple(field for field in changed if field in DEVICE_FIELDS)
    if any(refusal.field not in _REFUSED_FIELDS for refusal in outcome.refused):
        return None
    # In one order (the words of the refusals a note says are the same whatever their field).
    refused = tuple(sorted(outcome.refused, key=lambda refusal: _REFUSED_FIELDS.index(refusal.field)))
    change = SavedChange(group, outcome.action, changed, outcome.limit_reached, refused)
    return change if parse_saved(str(change)) == change else None


def note_cookie_name(https: bool) -> str:
    """The note cookie's name on a site served over HTTPS (`https`) or not."""
    return SECURE_NOTE_COOKIE if https else NOTE_COOKIE


def new_secret() -> str:
    """A value for the note cookie of a browser that sent none (held_secret): random, never derived from the
    request (anyone can send the same request)."""
    return secrets.token_urlsafe(_NOTE_BYTES)


def held_secret(cookie: str | None) -> str | None:
    """The note cookie's value as a browser sent it, or None for none or one of another shape. A redirect keeps
    the one a browser holds, so that the note another tab's redirect signed still holds."""
    return cookie if cookie is not None and _NOTE_SHAPE.fullmatch(cookie) else None


def note_mac(value: str, key: str, holder: str, purpose: bytes = _PURPOSE) -> str:
    """The mac of a note's `value` for `holder` (the settings a change left, as their cookie, and the note
    cookie; or, for the editor's notes, the session's CSRF token: reader.views.editor), with `key`. `purpose`
    names the kind of note, so that no kind's mac is another's."""
    message = purpose + value.encode() + b"\x00" + holder.encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:MAC_CHARS]


def mac_matches(mac: str, value: str, key: str, holder: str, purpose: bytes = _PURPOSE) -> bool:
    """Whether `mac` is note_mac's for these."""
    # Bytes: compare_digest refuses str with non-ASCII characters, and an address may hold any.
    return hmac.compare_digest(mac.encode(), note_mac(value, key, holder, purpose).encode())


def _holder(prefs: Preferences, secret: str) -> str:
    # (NUL between the parts: a settings cookie and a note secret never hold one)
    return f"{prefs.to_cookie()}\x00{secret}"


def sealed(change: SavedChange, key: str, prefs: Preferences, secret: str) -> str:
    """The query's value (?saved=) for a change that left the reader's settings at `prefs`: signed with `key`
    for the note cookie `secret` (held_secret, else new_secret) the same redirect sets."""
    return signed_note(str(change), key, prefs, secret)


def signed_note(value: str, key: str, prefs: Preferences, secret: str) -> str:
    """`value.mac`: a note's value (an article's change, or the settings page's ?saved= and ?applied=) signed
    with `key` for the settings `prefs` the change left and the note cookie `secret` its redirect sets."""
    return f"{value}{_MAC}{note_mac(value, key, _holder(prefs, secret))}"


def note_value(raw: str | None, key: str, prefs: Preferences, cookie: str | None) -> str | None:
    """The value of a signed note (signed_note) for a page drawn with `prefs`, in a browser that sent the note
    cookie `cookie`, or None when its mac is not the one for these settings and this cookie: a value a link
    wrote, one another reader's redirect signed, or any at all without the cookie (or with one of another
    shape)."""
    secret = held_secret(cookie)
    if not raw or len(raw) > MAX_SAVED_CHARS or secret is None:
        return None
    value, _, mac = raw.rpartition(_MAC)
    if not mac_matches(mac, value, key, _holder(prefs, secret)):
        return None
    return value


def read_saved(raw: str | None, key: str, prefs: Preferences, cookie: str | None) -> SavedChange | None:
    """The change an article's address names (?saved=), for a page drawn with `prefs` in a browser that sent
    the note cookie `cookie`: None for none, for a mac that is not the one `sealed` gives these settings and
    this cookie (a value a link wrote, another reader's, one without the cookie), for a value parse_saved
    refuses, or for a group an article shows no note for (ARTICLE_NOTE_GROUPS: the mac does not name the
    page, and the settings page's own notes are not an article's)."""
    change = parse_saved(note_value(raw, key, prefs, cookie))
    return change if change is not None and change.group in ARTICLE_NOTE_GROUPS else None


def parse_saved(raw: str | None) -> SavedChange | None:
    """The change a ?saved= value names without its mac, or None for none or for anything saved_change does not
    write: an action its group has no button for, a field named twice or out of order, a refusal it does not
    say, "limit" but after A+ or A−. So even a signed value chooses among a bounded set of short notes, and
    never says what no form could have done ("Shared reading settings applied" in the themes, "Theme" a
    thousand times)."""
    if not raw or len(raw) > MAX_SAVED_CHARS:
        return None
    group, _, rest = raw.partition(":")
    action, _, rest = rest.partition(":")
    if action not in GROUP_ACTIONS.get(group, ()):
        return None
    names = rest.split(":") if rest else []
    limit = names[-1:] == [_LIMIT] and action in ("bigger", "smaller")
    names = names[:-1] if limit else names
    fields = tuple(takewhile(lambda name: _REFUSED not in name, names))
    refused = tuple(
        Refusal(field, reason)
        for field, _, reason in (name.partition(_REFUSED) for name in names[len(fields) :] if _REFUSED in name)
    )
    if action in ("bigger", "smaller"):
        allowed: tuple[str, ...] = ()
    elif action == "reset":
        allowed = DEVICE_FIELDS
    else:
        allowed = _FIELDS
    if len(fields) + len(refused) != len(names) or (refused and action != "set"):
        return None
    if not _ascending(fields, allowed) or not _ascending(tuple(r.field for r in refused), _REFUSED_FIELDS):
        return None
    if any(refusal.reason not in _NOTED_REASONS for refusal in refused):
        return None
    change = SavedChange(group, action, fields, limit, refused)
    # The one spelling saved_change writes: nothing else names the same note.
    return change if str(change) == raw else None


def _ascending(names: tuple[str, ...], order: tuple[str, ...]) -> bool:
    """Whether every name is one of `order`, each at most once, in its order."""
    if not set(names) <= set(order):
        return False
    indices = [order.index(name) for name in names]
    return all(a < b for a, b in zip(indices, indices[1:], strict=False))
