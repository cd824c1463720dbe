from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reader.dates import SkippedTime, as_rfc3339, is_rfc3339, read_written, stored_form

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PLUS_7 = dt.timezone(dt.timedelta(hours=7))
MINUS_3_30 = dt.timezone(dt.timedelta(hours=-3.5))


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2021-03-31", dt.date(2021, 3, 31)),
        ("2021-03-31T08:00:00+07:00", dt.datetime(2021, 3, 31, 8, tzinfo=PLUS_7)),
        ("2021-03-31t08:00:00z", dt.datetime(2021, 3, 31, 8, tzinfo=dt.UTC)),
        # Jekyll's front matter, CMS exports, HTML's datetime without seconds.
        ("2021-03-31 08:00:00 +0700", dt.datetime(2021, 3, 31, 8, tzinfo=PLUS_7)),
        ("2021-03-31T08:00+07", dt.datetime(2021, 3, 31, 8, tzinfo=PLUS_7)),
        ("2021-03-31T08:00:00,5-03:30", dt.datetime(2021, 3, 31, 8, 0, 0, 500_000, MINUS_3_30)),
        ("2021-03-31T08:00:00.123456789Z", dt.datetime(2021, 3, 31, 8, 0, 0, 123_456, dt.UTC)),
        # RFC 3339 sets no limit on the fraction's digits (the API's check took this; the import refused it).
        ("2021-03-31T08:00:00.1234567890123Z", dt.datetime(2021, 3, 31, 8, 0, 0, 123_456, dt.UTC)),
        # No offset: the site's zone.
        ("2021-03-31 08:00", dt.datetime(2021, 3, 31, 8, tzinfo=HANOI)),
        ("  2021-03-31T08:00:59  ", dt.datetime(2021, 3, 31, 8, 0, 59, tzinfo=HANOI)),
    ],
)
def test_what_imports_and_the_editor_take(written: str, read: dt.date) -> None:
    value = read_written(written, HANOI)
    assert value == read and type(value) is type(read)
    if isinstance(value, dt.datetime):
        assert isinstance(read, dt.datetime) and value.utcoffset() == read.utcoffset()


@pytest.mark.parametrize(
    "written",
    [
        # What Python's fromisoformat takes and no reader of the API would: refused, not stored.
        "20210331", "2021-W13-3", "2021-03-31T08:00:00+07:00:30", "2021-03-31T0800", "2021-03-31T08",
        # Dates and times that do not exist.
        "2021-02-30", "2021-03-31T24:00:00Z", "2021-03-31T08:60Z", "2021-03-31T08:00+24:00", "0000-01-01",
        "", "yesterday", "31/03/2021", "2021-03-31T08:00:00+07:00 and more",
    ],
)  # fmt: skip
def test_anything_else_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        read_written(written, HANOI)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (dt.date(2021, 3, 31), "2021-03-31"),
        (dt.datetime(2021, 3, 31, 8), "2021-03-31T08:00:00+07:00"),  # naive: the site's zone
        (dt.datetime(2021, 3, 31, 8, 0, 0, 250_000, dt.UTC), "2021-03-31T08:00:00.250000+00:00"),
        # Before 1906 the zone had an offset of 7:06:30 (tzdata), which RFC 3339 cannot write: rounded to the
        # minute, the date and time as written.
        (dt.datetime(1900, 1, 1, 0, 0), "1900-01-01T00:00:00+07:06"),
    ],
)
def test_what_is_stored_is_rfc3339(value: dt.date, stored: str) -> None:
    assert stored_form(value, HANOI) == stored
    assert is_rfc3339(stored, "date" if len(stored) == 10 else "date-time")


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ("2021-03-31", "2021-03-31"),
        ("2021-03-31T08:00:00+07:00", "2021-03-31T08:00:00+07:00"),
        # Stored by versions that took whatever fromisoformat took: sent as they would be stored now.
        ("2021-03-31T08:00:00", "2021-03-31T08:00:00+07:00"),
        ("20210331", "2021-03-31"),
        ("2021-W13-3", "2021-03-31"),
        ("2021-03-31T08:00:00+07:00:30", "2021-03-31T08:00:00+07:00"),
    ],
)
def test_dates_stored_before_are_sent_as_rfc3339(stored: str, sent: str) -> None:
    assert as_rfc3339(stored, HANOI) == sent


def test_rfc3339_is_what_the_api_checks() -> None:
    assert is_rfc3339("2021-03-31", "date") and is_rfc3339("2021-03-31T08:00:00Z", "date-time")
    assert not is_rfc3339("2021-03-31T08:00:00", "date-time")  # no offset
    assert not is_rfc3339("2021-02-29", "date") and not is_rfc3339("2021-03-31", "date-time")


NEW_YORK = ZoneInfo("America/New_York")


def test_a_time_the_clocks_skip_is_refused_and_one_they_go_through_twice_is_the_first() -> None:
    # 14 March 2021, New York: 02:00 became 03:00. zoneinfo gives 02:30 an offset all the same (-05:00), a
    # moment that reads 03:30 there: stored so, it said another time than the one written.
    with pytest.raises(SkippedTime):
        read_written("2021-03-14 02:30", NEW_YORK)
    with pytest.raises(SkippedTime):
        stored_form(dt.datetime(2021, 3, 14, 2, 30), NEW_YORK)
    assert stored_form(dt.datetime(2021, 3, 14, 3, 30), NEW_YORK) == "2021-03-14T03:30:00-04:00"
    # 7 November 2021: 01:30 came twice; the first (summer time) is taken.
    assert stored_form(read_written("2021-11-07 01:30", NEW_YORK), NEW_YORK) == "2021-11-07T01:30:00-04:00"
    # With its offset it is no question.
    assert stored_form(read_written("2021-03-14 02:30-05:00", NEW_YORK), NEW_YORK) == "2021-03-14T02:30:00-05:00"
    # Stored so by an earlier version: sent, not refused (the API must answer).
    assert as_rfc3339("2021-03-14T02:30:00", NEW_YORK) == "2021-03-14T02:30:00-05:00"
