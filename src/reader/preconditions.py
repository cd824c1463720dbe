"""Conditional writes (RFC 9110 §13): an article's entity tag, and the If-Match / If-None-Match conditions
a write is made on, read and evaluated.

An article's entity tag is its version (the `version` of the API's JSON) and the representation it is
written in (reader.views.api: the JSON's shape and revision, reader's release, the time zone dates are written
in), in quotes: every change of the article raises the version and nothing else changes within a running
reader, so the tag names one state of the article's JSON, and the store's write that checks the version
(`ArticleStore.update_article`) is the check that the tag still matches.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

# RFC 9110: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
_ENTITY_TAG = r'(W/)?"[\x21\x23-\x7E\x80-\xFF]*"'
# "*" or a list of entity tags (§5.6.1: a recipient accepts empty elements and spaces around the commas).
CONDITION_PATTERN = rf"^(\*|(,[ \t]*)*{_ENTITY_TAG}([ \t]*,([ \t]*{_ENTITY_TAG})?)*)$"
_TAGS = re.compile(r'(W/)?("[^"]*")')

ANY: Literal["*"] = "*"
# One listed tag: whether it is weak, and the tag in its quotes.
EntityTag = tuple[bool, str]
Condition = Literal["*"] | tuple[EntityTag, ...]


def version_etag(version: int, representation: str) -> str:
    """The strong entity tag of an article at `version`, written in `representation` (a short id: etagc)."""
    return f'"{version}-{representation}"'


def condition(value: str) -> Condition:
    """An If-Match or If-None-Match value that matches CONDITION_PATTERN, as "*" or its entity tags."""
    if value == ANY:
        return ANY
    return tuple((weak == "W/", tag) for weak, tag in _TAGS.findall(value))


@dataclasses.dataclass(frozen=True, slots=True)
class Preconditions:
    """The conditions of one write; None where the request has no such header."""

    if_match: Condition | None = None
    if_none_match: Condition | None = None

    def failed(self, current: str | None) -> Literal["If-Match", "If-None-Match"] | None:
        """The header whose condition is false for the target's current entity tag (None: it does not
        exist), in the order RFC 9110 §13.2.2 evaluates them; None when every condition holds."""
        # If-Match compares strongly (§13.1.1): a weak tag never matches, since the client means "exactly
        # the state I read". If-None-Match compares weakly (§13.1.2).
        if self.if_match is not None and not _matches(self.if_match, current, strong=True):
            return "If-Match"
        if self.if_none_match is not None and _matches(self.if_none_match, current, strong=False):
            return "If-None-Match"
        return None


def _matches(listed: Condition, current: str | None, *, strong: bool) -> bool:
    if current is None:
        return False
    if listed == ANY:
        return True
    return any(tag == current and not (weak and strong) for weak, tag in listed)
