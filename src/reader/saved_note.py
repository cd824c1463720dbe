"""The note an article page shows after a setting was changed there without JavaScript.

With a script, the status region says what a change did (reader.announce). Without one, the form's 303 brought
the page back at the control's group with nothing said and the focus on the page's body. The redirect now
names the change in its query (?saved=group:action:field…, only names from fixed lists: an address anyone can
write never puts words of its own on the page) and opens at the note, beside that group, which says what the
status region would have said, from the same function and the settings the page now has.

The article's body is the same for every reader: the note is in the reading controls around it, which are
drawn with the reader's settings anyway. The page without ?saved= is unchanged, and is cached as before.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from reader.announce import announce
from reader.prefs import ACTIONS, DEVICE_FIELDS, Outcome, Preferences

# The id the redirect's fragment names, and the groups of the article's controls that show the note (by their
# ids in templates/_size_controls.html and _panel.html). A change from a group not here (read aloud's settings,
# which need a script on the article anyway) comes back at its group as before.
NOTE_ID = "reader-saved"
NOTE_GROUPS = frozenset(
    {
        "reader-size-controls",
        "reader-presets",
        "reader-spacing",
        "reader-widths",
        "reader-fonts",
        "reader-themes",
        "reader-links",
        "reader-colors",
    }
)
_FIELDS = frozenset(field.name for field in dataclasses.fields(Preferences))
_LIMIT = "limit"


@dataclass(frozen=True, slots=True)
class SavedChange:
    """A change made without JavaScript, as its redirect's query names it."""

    group: str
    action: str
    changed: tuple[str, ...]
    limit_reached: bool

    def message(self, prefs: Preferences, lang: str) -> str:
        """What the status region said of this change: reader.announce, with the settings the page has now."""
        return announce(Outcome(prefs, self.action, self.changed, (), self.limit_reached), lang)

    def __str__(self) -> str:
        """The query's value (?saved=): the group, the action, the fields announce() names, "limit"."""
        return ":".join((self.group, self.action, *self.changed, *([_LIMIT] if self.limit_reached else [])))


def saved_change(group: str, outcome: Outcome) -> SavedChange | None:
    """The change to name in the redirect back to an article, or None where its group shows no note. Only the
    fields announce() says: none for a press of A+ or A− (the size is said), the device's own for a reset (the
    rest go back to their defaults, said as "All settings reset"), every one otherwise."""
    if group not in NOTE_GROUPS:
        return None
    changed = outcome.changed
    if outcome.action in ("bigger", "smaller"):
        changed = ()
    elif outcome.action == "reset":
        changed = tuple(field for field in changed if field in DEVICE_FIELDS)
    return SavedChange(group, outcome.action, changed, outcome.limit_reached)


def read_saved(raw: str | None) -> SavedChange | None:
    """The change an article's address names (?saved=), or None for none or for anything not one of ours."""
    if not raw:
        return None
    group, _, rest = raw.partition(":")
    action, _, names = rest.partition(":")
    fields = tuple(names.split(":")) if names else ()
    limit = fields[-1:] == (_LIMIT,)
    fields = fields[:-1] if limit else fields
    if group not in NOTE_GROUPS or action not in ACTIONS or not set(fields) <= _FIELDS:
        return None
    return SavedChange(group, action, fields, limit)
