"""Health check for load balancers and the deployment."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reader.views.common import store_of


async def healthz(request: Request) -> Response:
    """200 when the database answers a query, 503 otherwise."""
    try:
        healthy = await store_of(request).ping()
    except Exception:  # noqa: BLE001 - whatever stops the database answering, the node is not healthy
        healthy = False
    if healthy:
        return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})
    return JSONResponse({"status": "unavailable"}, status_code=503, headers={"cache-control": "no-store"})
