"""Entity tags and the conditions of a write, as RFC 9110 §13.1.1, §13.1.2 and §8.8.3.2 read them (the API's
answers to them are in tests/test_views_api.py)."""

from __future__ import annotations

import re

import pytest

from reader.preconditions import CONDITION_PATTERN, Preconditions, condition, version_etag

WELL_FORMED = re.compile(CONDITION_PATTERN[:-1] + r"\Z")


def test_the_entity_tag_is_the_version_and_the_representation_quoted_and_strong() -> None:
    assert version_etag(3, "5f1c09a2b7de") == '"3-5f1c09a2b7de"' and WELL_FORMED.match(version_etag(3, "5f1c09a2b7de"))


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("*", "*"),
        ('"3"', ((False, '"3"'),)),
        ('W/"3", "4"', ((True, '"3"'), (False, '"4"'))),
        (', "a,b" ,,W/""', ((False, '"a,b"'), (True, '""'))),
        ('"\xe9"', ((False, '"\xe9"'),)),
    ],
)
def test_conditions_are_read_as_written(value: str, read: object) -> None:
    assert WELL_FORMED.match(value) and condition(value) == read


@pytest.mark.parametrize(
    "value", ["", " ", "3", '"3', "'3'", '"3" "4"', '*, "3"', "**", 'w/"3"', '"a"b"', '"\x7f"', ","]
)
def test_malformed_conditions_do_not_match_the_pattern(value: str) -> None:
    assert not WELL_FORMED.match(value)


@pytest.mark.parametrize(
    ("preconditions", "current", "failed"),
    [
        (Preconditions(if_match=condition('"3"')), '"3"', None),
        (Preconditions(if_match=condition('"2", "3"')), '"3"', None),
        (Preconditions(if_match=condition('"2"')), '"3"', "If-Match"),
        (Preconditions(if_match=condition('W/"3"')), '"3"', "If-Match"),  # strong comparison
        (Preconditions(if_match=condition('"3"')), None, "If-Match"),
        (Preconditions(if_match="*"), '"3"', None),
        (Preconditions(if_match="*"), None, "If-Match"),
        (Preconditions(if_none_match="*"), None, None),
        (Preconditions(if_none_match="*"), '"3"', "If-None-Match"),
        (Preconditions(if_none_match=condition('W/"3"')), '"3"', "If-None-Match"),  # weak comparison
        (Preconditions(if_none_match=condition('"2"')), '"3"', None),
        (Preconditions(if_match=condition('"2"'), if_none_match="*"), '"3"', "If-Match"),  # If-Match first
        (Preconditions(if_match=condition('"3"'), if_none_match=condition('"3"')), '"3"', "If-None-Match"),
        (Preconditions(), None, None),
    ],
)
def test_which_condition_fails(preconditions: Preconditions, current: str | None, failed: str | None) -> None:
    assert preconditions.failed(current) == failed
