"""The baseline: a bare Starlette app answering with constant bytes captured from reader.

``python bench/bare_app.py SPEC.json --port N [--access-log]`` serves, for each captured request (method,
path, and whether it carried If-None-Match), exactly the status, headers (less ``date``, which uvicorn adds)
and body reader sent. uvicorn runs with the settings ``reader serve`` passes (reader.cli._run_uvicorn):
uvloop, httptools, one worker, no proxy headers, no Server header, log level info. Without
``--access-log`` it writes no access log at all: the framework's ceiling, what bench/run.py holds reader
against. With it, uvicorn's own access log is on (a logging record and a write per request, to standard
output), as most Starlette apps run: the second baseline.
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Key = tuple[str, str, bool]


def load(spec: Path) -> dict[Key, Response]:
    """Prebuilt responses by (method, path, conditional) from a spec file written by bench/run.py."""
    responses: dict[Key, Response] = {}
    for item in json.loads(spec.read_text()):
        response = Response(base64.b64decode(item["body"]), status_code=item["status"])
        response.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in item["headers"] if k != "date"]
        responses[(item["method"], item["path"], item["conditional"])] = response
    return responses


def create_app(responses: dict[Key, Response]) -> Starlette:
    async def answer(request: Request) -> Response:
        if request.method == "POST":
            await request.body()  # read the form as any handler would
        # The path from the scope: Request.url would build and parse a whole URL on every request, which a
        # handler may do but the ceiling should not be charged for.
        key = (request.method, request.scope["path"], "if-none-match" in request.headers)
        return responses.get(key) or Response(status_code=404)

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec", type=Path)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--access-log", action="store_true", help="uvicorn's access log on (default: off)")
    args = parser.parse_args()
    uvicorn.run(
        create_app(load(args.spec)),
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        proxy_headers=False,
        forwarded_allow_ips=None,
        server_header=False,
        log_level="info",
        access_log=args.access_log,
    )


if __name__ == "__main__":
    main()
