"""Publication dates: the one grammar every way in reads, and the one form reader stores and sends.

Stored (and sent by the API) is RFC 3339: a full date (`2021-03-31`) or a date-time with its offset
(`2021-03-31T08:00:00+07:00`), which the API's schema names as JSON Schema's `date` and `date-time`. The
API takes only that. Imports and the editor also take what CMS exports and front matter write (Jekyll's
`2021-03-31 08:00:00 +0700`, Hugo's and HTML's `2021-03-31T08:00`): a space for the `T`, minutes without
seconds, an offset without its colon or minutes, and no offset at all, a time then being read in the site's
time zone (`READER_TIME_ZONE`, UTC unless set, as Hugo, Ghost and WordPress do). Python's `fromisoformat`,
which reader once used, takes more (`20210331`, week dates, offsets with seconds) that no other reader of
the API would; those are refused with a message that shows the forms to use.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, Literal

# RFC 3339's full-date and date-time (its section 5.6), lower-case "t" and "z" included.
DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_TIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
# What imports and the editor take besides (see the module's docstring).
_WRITTEN: Final = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[Tt ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r" ?(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<off_hours>[0-9]{2})(?::?(?P<off_minutes>[0-9]{2}))?)?)?"
)


def is_rfc3339(value: str, kind: Literal["date", "date-time"]) -> bool:
    """Whether `value` is an RFC 3339 `kind` ("date" or "date-time") that exists: no February 30, no leap
    seconds (Python's datetime has none), no year 0."""
    if not (DATE if kind == "date" else DATE_TIME).fullmatch(value):
        return False
    try:
        (dt.date if kind == "date" else dt.datetime).fromisoformat(value.upper())
    except ValueError:
        return False
    return True


def read_written(value: str, zone: dt.tzinfo) -> dt.date | dt.datetime:
    """A date or date-time as imports and the editor take it (the module's docstring), a time without an
    offset read in `zone` (in_zone); ValueError for anything else, or a date or time that does not exist
    (SkippedTime for one the zone's clocks skip)."""
    found = _WRITTEN.fullmatch(value.strip())
    if found is None:
        raise ValueError(value)
    year, month, day = (int(found[name]) for name in ("year", "month", "day"))
    if found["hour"] is None:
        return dt.date(year, month, day)
    micros = int((found["fraction"] or "0")[:6].ljust(6, "0"))
    when = dt.datetime(year, month, day, int(found["hour"]), int(found["minute"]), int(found["second"] or 0), micros)
    if found["utc"]:
        return when.replace(tzinfo=dt.UTC)
    if found["sign"]:
        hours, minutes = int(found["off_hours"]), int(found["off_minutes"] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(value)
        offset = dt.timedelta(hours=hours, minutes=minutes)
        return when.replace(tzinfo=dt.timezone(-offset if found["sign"] == "-" else offset))
    return in_zone(when, zone)


class SkippedTime(ValueError):
    """A wall-clock time the zone's clocks skip (the hour lost when summer time begins)."""


def in_zone(when: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`when`, a time without an offset, in `zone`: in an hour the clocks go through twice, the first of the
    two; SkippedTime in an hour they skip (zoneinfo would give it an offset, a moment that reads otherwise)."""
    placed = when.replace(tzinfo=zone)
    if placed.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != when.replace(tzinfo=None):
        raise SkippedTime(f"{when.isoformat()} does not exist in {zone}")
    return placed


def stored_form(value: dt.date | dt.datetime, zone: dt.tzinfo) -> str:
    """`value` in the form reader stores: a date as it is, a date-time with its offset (a naive one read in
    `zone`: SkippedTime for one its clocks skip). An offset RFC 3339 cannot write (seconds in it: a zone's
    local mean time before 1900, Python's `+07:00:30`) is rounded to the minute, so the date and time stay
    as written."""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    if value.tzinfo is None or value.utcoffset() is None:
        value = in_zone(value, zone)
    offset = value.utcoffset()
    assert offset is not None
    if offset % dt.timedelta(minutes=1):
        minutes = round(offset / dt.timedelta(minutes=1))
        value = value.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))
    return value.isoformat()


def as_rfc3339(stored: str, zone: dt.tzinfo) -> str:
    """A stored publication date as RFC 3339. Versions before this module stored whatever `fromisoformat`
    took (a time without an offset, `20210331`); those are sent in the form they would be stored in now."""
    if is_rfc3339(stored, "date") or is_rfc3339(stored, "date-time"):
        return stored
    text = stored.strip()
    try:
        value = dt.date.fromisoformat(text) if len(text) <= 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        return stored  # never written by any version: leave it for whoever looks
    try:
        return stored_form(value, zone)
    except SkippedTime:  # stored before it would be refused: sent with the offset zoneinfo gives it
        assert isinstance(value, dt.datetime)
        return stored_form(value.replace(tzinfo=zone), zone)
