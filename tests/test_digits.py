from __future__ import annotations

import pytest

from reader.digits import ascii_number


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("7", 7), ("042", 42), ("999999", 999999)])
def test_ascii_digits_are_read(text: str, expected: int) -> None:
    assert ascii_number(text, 6) == expected


@pytest.mark.parametrize("text", [None, "", "1234567", "²", "①", "٣٠٠", "１２", "-1", "+1", " 1", "1.0", "1_0", "0x1"])
def test_anything_else_is_not_a_number(text: str | None) -> None:
    assert ascii_number(text, 6) is None
