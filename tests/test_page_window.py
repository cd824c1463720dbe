from __future__ import annotations

import pytest

from reader.page_window import page_href, page_window


@pytest.mark.parametrize(
    ("page", "pages", "shown"),
    [
        (1, 1, [1]),  # (the template links no pages then: no nav at all)
        (1, 2, [1, 2]),
        (2, 2, [1, 2]),
        (1, 3, [1, 2, 3]),
        # Seven pages: from the first, the window and the last; from the middle, all of them.
        (1, 7, [1, 2, 3, None, 7]),
        (4, 7, [1, 2, 3, 4, 5, 6, 7]),
        (7, 7, [1, None, 5, 6, 7]),
        # The brief's example: both gaps.
        (6, 20, [1, None, 4, 5, 6, 7, 8, None, 20]),
        # At the ends.
        (1, 20, [1, 2, 3, None, 20]),
        (20, 20, [1, None, 18, 19, 20]),
        (2, 20, [1, 2, 3, 4, None, 20]),
        (19, 20, [1, None, 17, 18, 19, 20]),
        # Near the ends: one page between the first (or last) and the window is that page, not an ellipsis.
        (4, 20, [1, 2, 3, 4, 5, 6, None, 20]),
        (5, 20, [1, 2, 3, 4, 5, 6, 7, None, 20]),
        (6, 9, [1, None, 4, 5, 6, 7, 8, 9]),
        (17, 20, [1, None, 15, 16, 17, 18, 19, 20]),
        (16, 20, [1, None, 14, 15, 16, 17, 18, 19, 20]),
        # The first page, the last and this one are always there.
        (500, 1000, [1, None, 498, 499, 500, 501, 502, None, 1000]),
    ],
)
def test_the_pages_linked_around_this_one(page: int, pages: int, shown: list[int | None]) -> None:
    assert page_window(page, pages) == shown


@pytest.mark.parametrize("pages", range(1, 30))
def test_every_window_keeps_its_promises(pages: int) -> None:
    for page in range(1, pages + 1):
        shown = page_window(page, pages)
        numbers = [number for number in shown if number is not None]
        assert numbers == sorted(set(numbers)) and numbers[0] == 1 and numbers[-1] == pages and page in numbers
        # Each gap stands for two pages or more, between two numbers (never at an end, never two in a row).
        for at, number in enumerate(shown):
            if number is None:
                before, after = shown[at - 1], shown[at + 1]
                assert before is not None and after is not None and after - before > 2
            elif at and shown[at - 1] is not None:
                assert number == shown[at - 1] + 1  # type: ignore[operator]
        assert set(range(max(1, page - 2), min(pages, page + 2) + 1)) <= set(numbers)


def test_a_page_outside_the_list_is_shown_as_its_nearest_end() -> None:
    assert page_window(0, 5) == page_window(1, 5) and page_window(9, 5) == page_window(5, 5)


@pytest.mark.parametrize(
    ("query", "number", "href"),
    [
        ({}, 1, "/"),  # the first page at the list's own address: no "?page=1"
        ({"q": "hà nội"}, 1, "/?q=h%C3%A0+n%E1%BB%99i"),
        ({}, 2, "/?page=2"),
        ({"q": "a&b"}, 3, "/?q=a%26b&page=3"),  # the search's words first, as every link names them
    ],
)
def test_page_href_names_the_first_page_by_the_lists_own_address(query: dict[str, str], number: int, href: str) -> None:
    assert page_href("/", query, number) == href
