"""Pages that are a template and nothing more (an about page, an accessibility statement): a route in
reader.routes names the template, and the route's kind gives it everything else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from reader.state import Request
from reader.web import prefs_for, render, ui_lang_for


def template_page(template: str) -> Callable[[Request], Awaitable[Response]]:
    """A handler rendering `template` in the reader's language with their settings."""

    async def page(request: Request) -> Response:
        lang = ui_lang_for(request)
        return render(request, template, lang, {"page_lang": lang, "prefs": prefs_for(request)})

    page.__name__ = page.__qualname__ = f"template_page({template!r})"
    return page
