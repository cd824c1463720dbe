"""The route table owns the paths: templates and views build every link from route names, and no module
but reader.routes writes a route's path."""

from __future__ import annotations

import ast
import re

import httpx
import pytest

from reader.app import create_app
from reader.kinds import Mount, Route
from reader.paths import PACKAGE_DIR, STATIC_DIR, TEMPLATES_DIR
from reader.settings import Settings
from tests.conftest import SEED_SLUG, SignedIn
from tests.routewalk import table

pytestmark = pytest.mark.anyio
# A path written in a link attribute, not built by url_for / static_url.
LITERAL_LINK = re.compile(r'\b(?:href|src|action|(?:data-)?hx-(?:get|post|put|delete)|value)="(/[^"{]*)"')


def first_segments() -> set[str]:
    return {path.lstrip("/").split("/", 1)[0] for path, _ in table()} - {""}


def test_templates_write_no_path_of_their_own() -> None:
    assert LITERAL_LINK.search('<a href="/articles/x">') and not LITERAL_LINK.search("<a href=\"{{ url_for('x') }}\">")
    literal = {
        f"{template.relative_to(TEMPLATES_DIR)}: {match.group(0)}"
        for template in TEMPLATES_DIR.rglob("*.html")
        for match in LITERAL_LINK.finditer(template.read_text())
    }
    assert literal == set()


def test_no_module_but_the_route_table_writes_a_route_path() -> None:
    segments = first_segments()
    written = []
    for module in sorted(PACKAGE_DIR.rglob("*.py")):
        name = module.relative_to(PACKAGE_DIR).as_posix()
        if name == "routes.py":
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/"):
                if node.value.lstrip("/").split("/", 1)[0].split("?", 1)[0] in segments:
                    written.append(f"{name}:{node.lineno}: {node.value!r}")
    assert written == []
    assert {"articles", "editor", "api", "static"} <= segments  # (the scan looks for the table's own paths)


def test_scripts_write_no_path_of_their_own() -> None:
    """Reader's scripts take addresses from the page (attributes written with url_for: data-hx-*, form actions,
    #reader's data-now), never a route's path of their own: the path would break the day the table moved it."""
    quoted = re.compile(r"""["'`](/[^"'`\s]*)""")
    segments = first_segments()
    written = [
        f"{script.relative_to(STATIC_DIR)}: {match.group(1)}"
        for script in sorted((STATIC_DIR / "js").rglob("*.js"))
        for match in quoted.finditer(script.read_text())
        if match.group(1).lstrip("/").split("/", 1)[0].split("?", 1)[0] in segments
    ]
    assert written == []
    assert quoted.search('fetch("/preferences/current")')  # (the scan finds a path where a script writes one)


def test_every_route_has_a_name_that_builds_its_path() -> None:
    app = create_app(Settings())
    names = []
    for route in app.routes:
        assert isinstance(route, (Route, Mount)) and route.name
        inner = route.routes if isinstance(route, Mount) and route.routes else [route]
        for leaf in inner:
            name = f"{route.name}:{leaf.name}" if leaf is not route else route.name
            names.append(name)
            template = (route.path if leaf is not route else "") + str(getattr(leaf, "path", ""))
            params: dict[str, object] = {
                key: 1 if converter == ":int" else "x" for key, converter in re.findall(r"{(\w+)(:\w+)?}", template)
            }
            if isinstance(leaf, Mount):  # the static files: a path inside the mount
                params, template = {"path": "x"}, template + "/{path}"
            plain = re.sub(r"{(\w+):\w+}", r"{\1}", template)  # without Starlette's converters
            assert app.url_path_for(name, **params) == plain.format(**params), name
    assert len(names) == len(set(names)) == len(list(table()))


async def test_the_pages_link_to_what_the_table_says(client: httpx.AsyncClient, editor: SignedIn) -> None:
    listing = (await client.get("/editor/")).text
    for expected in (f'href="/editor/articles/{SEED_SLUG}/check"', 'action="/editor/logout"', 'href="/editor/new"'):
        assert expected in listing
    page = (await client.get(f"/articles/{SEED_SLUG}")).text
    assert 'action="/preferences"' in page and 'href="/"' in page and 'href="/static/css/page.css?v=' in page
