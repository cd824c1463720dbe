"""API tokens: the gate of the API's mount (reader.routes), asking for a token where the route's kind does, and
checking one sent where the kind takes one (reads, which then show drafts)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from reader.kinds import route_of, sends_token
from reader.state import Request
from reader.views.api import TOKEN_CHALLENGE, TOKEN_NAME, ApiError


async def require_token(request: Request) -> str:
    """The name of the request's valid API token (Authorization: Bearer …), else a 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    name = await request.state["accounts"].token_name(token.strip()) if scheme.lower() == "bearer" else None
    if name is None:
        raise ApiError(401, "a valid API token is required (Authorization: Bearer <token>)",
                       headers={"www-authenticate": TOKEN_CHALLENGE})  # fmt: skip
    return name


class TokenGate:
    """Middleware of the API's mount: a route whose kind needs a token gets no request without a valid one
    (and its handler finds the token's name in the scope, under TOKEN_NAME); one whose kind takes a token
    (reader.kinds.Kind.optional_token) gets none with a token that is not valid, and finds a valid one's name
    there too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = route_of(scope) if scope["type"] == "http" else None
        # A method the route does not take is left to the router (405).
        if found is not None and found.full and found.kind.token:
            scope[TOKEN_NAME] = await require_token(Request(scope))
        elif found is not None and found.full and found.kind.optional_token and sends_token(scope):
            scope[TOKEN_NAME] = await require_token(Request(scope))
        await self.app(scope, receive, send)
