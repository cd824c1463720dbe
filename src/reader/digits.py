"""Whole numbers written in ASCII digits, read from text a client or an author controls.

`str.isdigit()` is true for "²", "①" and other characters `int()` refuses (an unhandled ValueError: a 500),
and `int()` takes digits of other scripts ("٣٠٠") that no form or link of reader's writes. So such text is
read here: ASCII digits only, and few enough of them that the number stays small.
"""

from __future__ import annotations


def ascii_number(text: str | None, max_digits: int) -> int | None:
    """`text` as a whole number when it is 1 to `max_digits` ASCII digits, else None."""
    if text is not None and 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None
