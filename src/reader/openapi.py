"""The OpenAPI 3.1 description of a JSON API, derived, never written by hand: paths, methods and which
operations need a token from the route table (a route's kind, reader.kinds), everything else from the typed
operations the handlers declare (``@operation(...)``).

A handler's request body, parameters and answers are Python types (reader.typed_json); the handler reads
its input through the same types, so what the description promises and what the server checks are one
thing. Served at /api/openapi.json (docs/api.md).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from reader import kinds
from reader.typed_json import JsonSchema, JsonType, QueryType, SchemaBuilder, problems

# A handler of any application: whatever its lifespan state, the decorator only files what it declares.
Endpoint = Callable[[Request[Any]], Awaitable[Response]]
E = TypeVar("E", bound=Endpoint)

_CONVERTOR = re.compile(r"{([^}:]+)(?::[^}]+)?}")
_OPERATIONS: dict[object, Operation] = {}


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """One documented answer: what it means, the type of its JSON body (None: no body), the headers it
    always carries and those it carries only sometimes (name → what it holds)."""

    description: str
    body: object = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    optional_headers: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def describe(self, builder: SchemaBuilder) -> JsonSchema:
        described: JsonSchema = {"description": self.description}
        listed = [(name, text, True) for name, text in self.headers.items()]
        listed += [(name, text, False) for name, text in self.optional_headers.items()]
        if listed:
            described["headers"] = {
                name: {"description": text, "required": required, "schema": {"type": "string"}}
                for name, text, required in listed
            }
        if self.body is not None:
            described["content"] = {"application/json": {"schema": builder.schema(self.body)}}
        return described


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    """What one method on one route takes and answers.

    Whether it needs a token is not declared here: the route's kind says so, and the gate that asks for the
    token (reader.views.api_auth.TokenGate) reads the same kind.
    """

    summary: str
    answers: Mapping[int, Answer]
    description: str | None = None
    path: QueryType[Any] | None = None
    query: QueryType[Any] | None = None
    body: JsonType[Any] | None = None
    examples: Mapping[str, object] = dataclasses.field(default_factory=dict)
    headers: QueryType[Any] | None = None

    def describe(self, builder: SchemaBuilder, token_refused: Answer | None, *, optional: bool = False) -> JsonSchema:
        """``token_refused``: the answer without a valid token, for an operation that needs one (else None);
        with ``optional``, for one that takes a token when it is sent (and refuses one that is not valid)."""
        described: JsonSchema = {"summary": self.summary}
        if self.description:
            described["description"] = self.description
        parameters = [
            _parameter(builder, key.name, where, key.tp, required=key.required or where == "path")
            for where, params in (("path", self.path), ("query", self.query), ("header", self.headers))
            if params is not None
            for key in params.keys()
        ]
        if parameters:
            described["parameters"] = parameters
        answers = dict(self.answers)
        if token_refused is not None:
            # OpenAPI's empty requirement: the operation may also be called without any.
            described["security"] = [{}, {"token": []}] if optional else [{"token": []}]
            answers[401] = token_refused
        if self.body is not None:
            media: JsonSchema = {"schema": builder.schema(self.body.tp)}
            if self.examples:
                media["examples"] = {name: {"value": value} for name, value in self.examples.items()}
            described["requestBody"] = {"required": True, "content": {"application/json": media}}
        described["responses"] = {str(status): answers[status].describe(builder) for status in sorted(answers)}
        return described


def operation(
    summary: str,
    *,
    answers: Mapping[int, Answer],
    description: str | None = None,
    path: QueryType[Any] | None = None,
    query: QueryType[Any] | None = None,
    body: JsonType[Any] | None = None,
    examples: Mapping[str, object] | None = None,
    headers: QueryType[Any] | None = None,
) -> Callable[[E], E]:
    """Declare what a handler takes and answers (it reads its input through the same ``path``, ``query``,
    ``headers`` and ``body`` types); the route table says where it lives."""
    described = Operation(summary, answers, description, path, query, body, examples or {}, headers)
    assert 401 not in answers, "a 401 is described from the route's kind (the token gate answers it)"
    for name, value in described.examples.items():
        assert body is not None and not problems(body.tp, value), f"example {name!r} does not fit the body type"

    def register(endpoint: E) -> E:
        _OPERATIONS[endpoint] = described
        return endpoint

    return register


def _parameter(builder: SchemaBuilder, name: str, where: str, tp: object, *, required: bool) -> JsonSchema:
    schema = builder.schema(tp)
    parameter: JsonSchema = {"name": name, "in": where, "required": required}
    if "description" in schema:
        parameter["description"] = schema.pop("description")
    parameter["schema"] = schema
    return parameter


def _endpoints(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _endpoints(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def openapi_document(
    routes: Sequence[BaseRoute], *, info: Mapping[str, str], token_description: str, token_refused: Answer,
    token_invalid: Answer | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The OpenAPI 3.1 document of every route whose handler declares its operation. A route whose kind
    needs a token is described with the token scheme and ``token_refused`` as its 401; one whose kind takes
    one (Kind.optional_token) with the scheme as optional and ``token_invalid`` (else ``token_refused``)."""
    builder = SchemaBuilder()
    paths: dict[str, dict[str, JsonSchema]] = {}
    for path, route in _endpoints(routes):
        described = _OPERATIONS.get(route.endpoint)
        if described is None:
            continue
        kind = route.kind if isinstance(route, kinds.Route) else None
        refused = None
        if kind is not None and kind.token:
            refused = token_refused
        elif kind is not None and kind.optional_token:
            refused = token_invalid or token_refused
        optional = kind is not None and kind.optional_token
        for method in route.methods or ():
            if method != "HEAD":  # answered with GET's headers; not an operation of its own
                entry = described.describe(builder, refused, optional=optional)
                paths.setdefault(_CONVERTOR.sub(r"{\1}", path), {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": dict(info),
        "paths": paths,
        "components": {
            "schemas": builder.components,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": token_description}},
        },
    }
