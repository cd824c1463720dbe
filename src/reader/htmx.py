"""htmx in one place: recognising its requests and the headers its answers need."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request


def is_htmx(request: Request[Any]) -> bool:
    """True only for requests htmx made (HX-Request: true); a history restore is a normal page load."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"
