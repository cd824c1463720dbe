"""reader's API description: derived from the route table and the handlers' types, and checked from outside:
Schemathesis (from PyPI) drives a live `reader serve` with everything the description allows and forbids."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from schemathesis.config._checks import POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES
from starlette.routing import Mount

from reader import kinds
from reader.api_docs import with_reference
from reader.openapi import openapi_document
from reader.routes import build_routes
from reader.settings import UI_LANGUAGES, Settings
from reader.views.api import NO_TOKEN, describe
from tests.conftest import SEED_SLUG
from tests.routewalk import table
from tests.serverproc import Server, create_token

# Cases per operation and phase. The default run stays well under a minute on two shared cores; the slow
# tier (`pytest -m slow tests/test_openapi.py`; the default run leaves it out) explores twenty times as much.
DEFAULT_EXAMPLES = 25
SLOW_EXAMPLES = 500
ALL_PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Without a token, in the default run: the described examples and the fuzzing, which reach every operation
# (the writes must answer their described 401, the reads as with a token). The coverage phase's boundary
# values and the stateful phase's chains of writes are the token run's: without one, every write stops at
# the same 401 and every read answers as it did there. The slow tier runs every phase both ways.
NO_TOKEN_PHASES = ("examples", "fuzzing")


def _api_mount() -> kinds.Mount:
    (api,) = [route for route in build_routes(Settings()) if isinstance(route, kinds.Mount) and route.name == "api"]
    return api


def _api_operations(*, token: bool | None = None, optional_token: bool | None = None) -> set[tuple[str, str]]:
    """(path template, method) of the API's routes; `token`: only those whose kind does (True) or does not
    (False) need a token; `optional_token`: only those whose kind does or does not take one when sent."""
    return {
        (path, method.lower())
        for path, route in table([_api_mount()])
        if isinstance(route, kinds.Route)
        and token in (None, route.kind.token)
        and optional_token in (None, route.kind.optional_token)
        for method in route.methods or ()
        if method != "HEAD"
    }


def test_every_api_route_is_described_and_nothing_else() -> None:
    spec = describe(build_routes(Settings()))
    described = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert described == _api_operations() and len(described) == 8


def test_paths_come_from_the_route_table() -> None:
    # Moved under another Mount, an operation is described at its new address: no path is written twice.
    routes = [Mount("/v2", routes=[_api_mount()])]
    spec = openapi_document(routes, info={"title": "t", "version": "1"}, token_description="", token_refused=NO_TOKEN)
    assert "/v2/api/articles/{slug}" in spec["paths"] and "/api/articles/{slug}" not in spec["paths"]


def test_languages_are_the_ones_reader_has() -> None:
    spec = describe(build_routes(Settings()))
    (ui_lang,) = spec["paths"]["/api/articles/{slug}/readability"]["get"]["parameters"][1:]
    assert ui_lang["schema"]["enum"] == list(UI_LANGUAGES)
    lang = spec["components"]["schemas"]["TextReportInput"]["properties"]["lang"]["pattern"]
    assert lang == "^([Vv][Ii]|[Ee][Nn])(-[A-Za-z0-9]{1,8})*$"


def _secured(spec: dict[str, Any], *, optional: bool = False) -> set[tuple[str, str]]:
    """The operations that need a token, or (`optional`) that take one when sent: OpenAPI's empty requirement
    beside the token's."""
    requirement = [{}, {"token": []}] if optional else [{"token": []}]
    return {
        (path, method)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if op.get("security") == requirement
    }


def test_writes_declare_the_token_and_reads_take_one() -> None:
    # The route's kind says which operations need a token, and which take one (reads, which then show
    # drafts), for the gate and for the description alike.
    spec = describe(build_routes(Settings()))
    assert _secured(spec) == _api_operations(token=True)
    assert _secured(spec) == {
        ("/api/articles/{slug}", "put"), ("/api/articles/{slug}", "delete"), ("/api/articles/{slug}/rename", "post")
    }  # fmt: skip
    assert _secured(spec, optional=True) == _api_operations(optional_token=True)
    assert _secured(spec, optional=True) == {
        ("/api/articles", "get"), ("/api/articles/{slug}", "get"), ("/api/articles/{slug}/readability", "get")
    }  # fmt: skip
    either = _secured(spec) | _secured(spec, optional=True)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert ("401" in op["responses"]) == ((path, method) in either), (path, method)
            assert ("security" in op) == ((path, method) in either), (path, method)


@pytest.mark.anyio
async def test_the_gate_refuses_exactly_what_the_description_secures(client: httpx.AsyncClient) -> None:
    # Every operation asked without a token: a 401 where the description says a token is needed, and only
    # there (a gate left off the mount, or asking on a route the description calls open, fails this).
    spec = (await client.get("/api/openapi.json")).json()
    refused = set()
    for path, item in spec["paths"].items():
        for method in item:
            response = await client.request(method, path.format(slug=SEED_SLUG), json={})
            if response.status_code == 401:
                assert response.headers["www-authenticate"] == NO_TOKEN.headers["WWW-Authenticate"]
                refused.add((path, method))
    assert refused == _secured(spec) and refused
    assert (await client.get(f"/api/articles/{SEED_SLUG}")).status_code == 200  # the DELETE deleted nothing
    # With a token that is not valid: refused wherever a token is needed or taken, and only there.
    refused = set()
    for path, item in spec["paths"].items():
        for method in item:
            response = await client.request(
                method, path.format(slug=SEED_SLUG), json={}, headers={"authorization": "Bearer rdr_not_valid"}
            )
            if response.status_code == 401:
                assert response.headers["www-authenticate"] == NO_TOKEN.headers["WWW-Authenticate"]
                refused.add((path, method))
    assert refused == _secured(spec) | _secured(spec, optional=True)


def test_docs_reference_is_rendered_from_the_description() -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "api.md"
    current = doc.read_text(encoding="utf-8")
    spec = describe(build_routes(Settings()))
    assert with_reference(current, spec) == current, "docs/api.md is stale: run python -m reader.api_docs"
    # The prose's table of errors names every status an operation can answer with.
    statuses = {status for item in spec["paths"].values() for op in item.values() for status in op["responses"]}
    prose = current.partition("## Errors")[2].partition("\n## ")[0]
    assert {status for status in statuses if status >= "400"} <= set(re.findall(r"^\| (\d{3}) \|", prose, re.M))


def _settings(spec: dict[str, Any]) -> str:
    """schemathesis.toml for the description. An operation that describes a 412 may answer it to a request
    that fits the description, for a condition can be well formed and false (If-Match naming a version the
    article is no longer at). In the coverage phase an operation with header parameters may also answer
    400: that phase makes header values of letters and digits only, and for a header whose pattern asks for
    more (an entity tag's quotes) it sends "0" and calls it valid (Schemathesis 4.32). Every other operation
    and phase keeps Schemathesis's own list, so a malformed condition the fuzzing phase makes must be a 400
    and a well-formed one must not."""
    settings = ""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            accepted = [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, *(["412"] if "412" in op["responses"] else [])]
            headers = any(parameter["in"] == "header" for parameter in op.get("parameters", ()))
            if "412" in op["responses"] or headers:
                settings += f'[[operations]]\ninclude-name = "{method.upper()} {path}"\n'
                settings += f"checks.positive_data_acceptance.expected-statuses = {json.dumps(accepted)}\n"
            if headers:
                coverage = json.dumps([*accepted, "400"])
                settings += f"phases.coverage.checks.positive_data_acceptance.expected-statuses = {coverage}\n"
    return settings


def test_schemathesis_takes_a_false_precondition_only_where_one_is_described() -> None:
    settings = _settings(describe(build_routes(Settings())))
    put, get, delete, rename = (
        '[[operations]]\ninclude-name = "PUT', '[[operations]]\ninclude-name = "GET /api/articles/{slug}"',
        '[[operations]]\ninclude-name = "DELETE', '[[operations]]\ninclude-name = "POST /api/articles/{slug}/rename"',
    )  # fmt: skip
    assert settings.count("[[operations]]") == 4 and all(op in settings for op in (put, get, delete, rename))
    # In the PUT's, the DELETE's and the rename's two lists; the GET describes no 412.
    assert settings.count('"412"') == 6


def _schemathesis(
    directory: Path, examples: int, *, token: bool, phases: tuple[str, ...] = ALL_PHASES
) -> tuple[dict[str, Any], str, str]:
    """Run Schemathesis against a fresh `reader serve` (its own database, demo articles and all); the
    JSON report, Schemathesis's output and the server's log."""
    server = Server(db=directory / "reader.db", directory=directory).start()
    try:
        headers = ["--header", f"Authorization: Bearer {create_token(server.db)}"] if token else []
        report = directory / "schemathesis.json"
        settings = directory / "schemathesis.toml"
        settings.write_text(_settings(describe(build_routes(Settings()))), encoding="utf-8")
        done = subprocess.run(
            [
                sys.executable, "-m", "schemathesis.cli", "--config-file", str(settings), "run", f"http://127.0.0.1:{server.port}/api/openapi.json",
                "--checks", "all", "--max-examples", str(examples), "--seed", "1",
                "--generation-deterministic",  # no example database either: every run the same cases
                "--workers", "1", "--no-color", "--phases", ",".join(phases),
                "--request-timeout", "120",  # a loaded machine is slow, not wrong
                # Schemathesis leaves out the operation serving the description unless a filter names it.
                "--include-path-regex", "^/api/",
                "--report", "json", "--report-json-path", str(report), *headers,
            ],
            cwd=directory, capture_output=True, text=True, timeout=1800,
            env={**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"},
        )  # fmt: skip
    finally:
        server.stop()
    output = done.stdout + done.stderr
    assert report.exists(), output[-6000:]
    return json.loads(report.read_text()), output, server.log()


def _check(report: dict[str, Any], output: str, log: str, phases: tuple[str, ...] = ALL_PHASES) -> None:
    assert report["exit_code"] == 0 and report["complete"], output[-6000:]
    assert report["failures"] == [] and report["errors"] == [], output[-6000:]
    operations = sum(len(item) for item in describe(build_routes(Settings()))["paths"].values())
    assert report["operations"]["tested"] == report["operations"]["total"] == operations, report["operations"]
    ran = {name for name, phase in report["phases"].items() if phase["status"] == "success"}
    assert ran == set(phases), report["phases"]
    # The coverage phase alone makes over a hundred cases; fuzzing and the examples make about 180 more.
    assert report["test_cases"]["generated"] > (300 if "coverage" in phases else 150)
    assert report["test_cases"]["with_failures"] == 0
    # Not one server error, whatever Schemathesis made of it: the log would have its traceback.
    assert "Traceback" not in log, log[-4000:]


@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
def test_the_live_api_keeps_its_description(tmp_path: Path, token: bool) -> None:
    phases = ALL_PHASES if token else NO_TOKEN_PHASES
    _check(*_schemathesis(tmp_path, DEFAULT_EXAMPLES, token=token, phases=phases), phases)


@pytest.mark.slow
@pytest.mark.parametrize("token", [True, False], ids=["token", "no-token"])
def test_the_live_api_keeps_its_description_at_length(tmp_path: Path, token: bool) -> None:
    _check(*_schemathesis(tmp_path, SLOW_EXAMPLES, token=token))
