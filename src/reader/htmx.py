"""htmx in one place: recognising its requests and the headers its answers need."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response


def is_htmx(request: Request) -> bool:
    """True only for requests htmx made (HX-Request: true); a history restore is a normal page load."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"


def vary(response: Response, *headers: str) -> Response:
    """Add headers to Vary without duplicating any already there."""
    present = [h.strip() for h in response.headers.get("vary", "").split(",") if h.strip()]
    lowered = {h.lower() for h in present}
    for header in headers:
        if header.lower() not in lowered:
            present.append(header)
            lowered.add(header.lower())
    response.headers["vary"] = ", ".join(present)
    return response
