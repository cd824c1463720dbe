"""htmx in one place: recognising its requests and the headers its answers need."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

# The interface language the page a request comes from was drawn in: sent by the settings' own requests (the
# region's data-hx-headers, templates/_shell.html, which htmx adds to every request from inside it; and the Back
# refresh, static/js/settings-history.js). Nothing else htmx sends says it: HX-Current-URL names the page, not
# the language the reader's browser asked for when it was drawn.
PAGE_LANG_HEADER = "Reader-Page-Lang"


def is_htmx(request: Request[Any]) -> bool:
    """True only for requests htmx made (HX-Request: true); a history restore is a normal page load."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"


def drawn_in_another_language(request: Request[Any], lang: str) -> bool:
    """Whether an htmx answer in the interface language `lang` would be swapped into a page drawn in another
    (the browser's language changed between the page and the request): the swapped region would then be in
    one language under a page, a title and an `<html lang>` in the other, read with the wrong voice."""
    page_lang = request.headers.get(PAGE_LANG_HEADER)
    return is_htmx(request) and page_lang is not None and page_lang != lang


def redraw_whole_page(response: Response, address: str | None = None) -> None:
    """Makes an htmx answer redraw the whole page instead of being swapped in: at `address` (HX-Redirect: a
    navigation, as a form without JavaScript makes), or the page itself again (HX-Refresh). Never stored: the
    same request from a page drawn in the answer's language is swapped in as usual."""
    if address is None:
        response.headers["hx-refresh"] = "true"
    else:
        response.headers["hx-redirect"] = address
    response.headers["cache-control"] = "no-store"
