"""Which page numbers a list's page links show (templates/_pages.html): the first and the last, the pages around
the current one, and a gap (None, drawn as an ellipsis) for each run of pages left out.

As the GOV.UK Design System's pagination and USWDS's: a reader sees how many pages there are (the last is
always there) and can go to the first, the last or a page near this one in one step, not through every page
between. A gap never stands for one page alone: "1 … 3" takes the room of "1 2 3", and hides page 2 for nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

# Pages shown either side of the current one: 1 … 4 5 [6] 7 8 … 20.
AROUND = 2


def page_window(page: int, pages: int, around: int = AROUND) -> list[int | None]:
    """The page numbers to link, in order, with None where pages are left out. `page` is the current page
    (1 to `pages`); a list of one page, or none, has no links to other pages, but its own number."""
    if pages <= 1:
        return [1]
    page = min(max(page, 1), pages)
    # The first, the last, and the window around the current page, inside 1 … pages.
    shown = {1, pages, *range(max(1, page - around), min(pages, page + around) + 1)}
    window: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous == 2:  # one page between: the page itself, not an ellipsis in its place
            window.append(number - 1)
        elif number - previous > 2:
            window.append(None)
        window.append(number)
        previous = number
    return window


def page_href(url: str, query: Mapping[str, str], number: int) -> str:
    """The address of page `number` of the list at `url`, `query` kept (a search's words): the first page at the
    list's own address, with no "?page=1" (one address a page), for its page links and its 404's links alike."""
    if number > 1:
        return f"{url}?{urlencode({**query, 'page': number})}"
    return f"{url}?{urlencode(query)}" if query else url
