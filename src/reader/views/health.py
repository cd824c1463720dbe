"""Health check for load balancers and the deployment."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from reader.state import Request


async def healthz(request: Request) -> Response:
    """200 when the database answers a query, 503 otherwise (no-store: the route's kind, PROBE)."""
    try:
        healthy = await request.state["store"].ping()
    except Exception:  # noqa: BLE001 - whatever stops the database answering, the node is not healthy
        healthy = False
    if healthy:
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable"}, status_code=503)
