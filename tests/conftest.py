"""What the in-process tests share: one app per test on its own database file, served as a server would
serve it; a client; one way to sign an editor in (flaskr's AuthActions); a database per backend; and the
suite's tiers (the default run, and the slow tier's long versions: `pytest -m slow`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx
import hypothesis
import pytest
from asgi_lifespan import LifespanManager
from scripts.pgcluster import PostgresCluster, postgres_bin, reap_abandoned
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from reader.accounts import AccountError, Login, User, sign
from reader.app import create_app
from reader.backends.postgresql import LISTENER_NAME
from reader.db import Database, database_for
from reader.prefs import DEFAULTS, Preferences
from reader.saved_note import MAC_CHARS, parse_saved, sealed
from reader.settings import Settings
from reader.state import AppState
from reader.title_fit import fit_step
from reader.views.editor import signed_done
from reader.views.editor_auth import SESSION_COOKIE

SEED_SLUG = "bac-kan-nang-cao-chat-luong-doi-ngu-can-bo-cong-chuc-vien-chuc"
SEED_TITLE = "Bắc Kạn nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức"
EN_SLUG = "making-long-articles-comfortable-to-read-on-any-screen"
TABLE_SLUG = "text-size-in-numbers-what-200-and-400-leave-on-a-phone-screen"
EDITOR_NAME = "editor"
EDITOR_PASSWORD = "correct horse battery staple"


def fit_attribute(title: str) -> str:
    """What a page's title says of its longest word after its other attributes (reader.title_fit)."""
    fit = fit_step(title)
    return f' data-fit="{fit}"' if fit else ""


# ---------------------------------------------------------------- tiers

SLOW = "slow"
# Every property test and fuzz target: the same cases on every run and every machine (derandomized, no example
# database to replay from), however long a case takes on a loaded machine (no deadline). A test sets only how
# many cases it runs; the fuzz targets run a few hundred in the default run and 10,000 in the slow tier
# (tests/test_fuzz.py).
hypothesis.settings.register_profile("reader", deadline=None, derandomize=True, database=None, print_blob=True)
hypothesis.settings.load_profile("reader")


def runs_slow_tier(config: pytest.Config) -> bool:
    """Whether the run's -m expression names the slow tier (`-m slow`, `-m "slow and not browser"`…)."""
    return re.search(rf"\b{SLOW}\b", config.getoption("markexpr") or "") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The default run leaves the slow tier out, whatever else it selects (`-m "not browser"` too); an -m
    expression that names `slow` decides for itself, and a slow test named on the command line runs."""
    if runs_slow_tier(config):
        return
    named = [_node_id(config, arg) for arg in config.args if "::" in arg]
    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        wanted = any(item.nodeid == node or item.nodeid.startswith(node + "[") for node in named)
        (deselected if item.get_closest_marker(SLOW) and not wanted else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


# The modules whose tests share a module-scoped fixture that starts servers or more: the XSS corpus's site
# (an import of 540 articles, a server, a host site), the embedding sites, the speech environment, the
# Lighthouse runs. Under `--dist loadgroup` (scripts/test) each runs whole on one worker, so the fixture is
# built once per run, not once per worker that draws one of its tests. The accessibility matrix too: its
# points compare themselves with what their page's colour point measured, once per process, so a worker that
# draws a point without its colour point opens that page again. Every other test goes wherever a worker is
# free.
ONE_WORKER_MODULES = frozenset({
    "tests/browser/test_xss.py", "tests/browser/test_embedding.py", "tests/browser/test_read_aloud.py",
    "tests/browser/test_lighthouse.py", "tests/browser/test_a11y_matrix.py",
})  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_OneWorkerModules(), "reader-one-worker-modules")


class _OneWorkerModules:
    """pytest-xdist's loadgroup scheduling, grouping ONE_WORKER_MODULES by module. (Its own grouping, by
    `xdist_group` marks, does not reach the scheduler under pytest 9: xdist 3.8 writes the group into an
    attribute pytest no longer reads.)"""

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        if config.getvalue("dist") != "loadgroup":
            return None
        from xdist.scheduler import LoadGroupScheduling

        class Scheduling(LoadGroupScheduling):
            def _split_scope(self, nodeid: str) -> str:
                module = nodeid.partition("::")[0]
                return module if module in ONE_WORKER_MODULES else super()._split_scope(nodeid)

        return Scheduling(config, log)


def _node_id(config: pytest.Config, arg: str) -> str:
    """A command-line test address (`tests/test_x.py::test_y`, from wherever pytest was started) as a node id."""
    path, _, rest = arg.partition("::")
    file = (config.invocation_params.dir / path).resolve()
    return f"{file.relative_to(config.rootpath).as_posix()}::{rest}" if file.is_relative_to(config.rootpath) else arg


class CountedCalls:
    """How many times a method is called from now to the end of the test (monkeypatch puts it back): the
    tests of what must not grow with a document count the steps, not the time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> None:
        self.count = 0
        method = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return method(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


class ServedApp:
    """A reader app as an ASGI server runs it: its lifespan entered, and every request handed a copy of the
    lifespan state (as uvicorn does). `state` is that state, typed; `app` the Starlette application."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self._state: dict[str, Any] = {}

    @property
    def state(self) -> AppState:
        return cast(AppState, self._state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = self._state if scope["type"] == "lifespan" else dict(self._state)
        await self.app(scope, receive, send)


@asynccontextmanager
async def served(app: Starlette) -> AsyncIterator[ServedApp]:
    """The app with its lifespan entered (database open) until the block ends."""
    served_app = ServedApp(app)
    async with LifespanManager(served_app):
        yield served_app


def client_for(
    app: ServedApp, base_url: str = "http://testserver", *, raise_app_exceptions: bool = True
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url=base_url)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "reader.db")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[ServedApp]:
    async with served(create_app(settings)) as application:
        yield application


@pytest.fixture
async def client(app: ServedApp) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http


# A signed note's mac (reader.saved_note), in a pattern.
SIGNED_MAC = rf"[\w-]{{{MAC_CHARS}}}"
# A note cookie (reader.saved_note.NOTE_COOKIE) as a no-JS redirect sets it: a client that holds it sees the notes
# saved_for signs.
NOTE = "note-cookie-of-a-test1"


def saved_for(app: ServedApp, raw: str, prefs: str = "", note: str = NOTE) -> str:
    """The ?saved= value the no-JS redirect writes for the change `raw` (unsigned) that left the reader's
    settings at the cookie `prefs` (the defaults when empty), in a browser whose note cookie is `note`: signed
    with this server's key."""
    change = parse_saved(raw)
    assert change is not None, raw
    return sealed(change, app.state["session_key"], Preferences.from_cookie(prefs or None, DEFAULTS), note)


def done_address(app: ServedApp, editor: SignedIn, path: str, done: str, version: int | None = None) -> str:
    """`path` with the ?done= an editor's redirect writes after `done` (KIND:slug, or "undeleted") at
    `version`: signed for the session of `editor` with this server's key (reader.views.editor.done_query)."""
    return path + "?" + signed_done(app.state["session_key"], editor.csrf, done, version)


def csrf_token(html: str) -> str:
    """The CSRF token a page's form carries."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None, "no CSRF token in the page"
    return match.group(1)


@dataclass(frozen=True)
class PageLink:
    """One link of a list's page links (templates/_pages.html)."""

    href: str
    rel: str | None
    name: str | None  # its aria-label
    current: bool  # aria-current="page"
    text: str


def page_links(html: str) -> tuple[list[PageLink], int]:
    """The links of a page's `nav.reader-pagination`, in order, and how many ellipses it has (each hidden
    from assistive technology: none counted that is not)."""
    match = re.search(r'<nav class="reader-pagination" aria-label="[^"]*">(.*?)</nav>', html, re.S)
    assert match is not None, "no page links on the page"
    links = [
        PageLink(
            href=found["href"],
            rel=rel[1] if (rel := re.search(r'rel="(\w+)"', found["attrs"])) else None,
            name=label[1] if (label := re.search(r'aria-label="([^"]*)"', found["attrs"])) else None,
            current='aria-current="page"' in found["attrs"],
            text=found["text"],
        )
        for found in re.finditer(r'<a href="(?P<href>[^"]*)"(?P<attrs>[^>]*)>(?P<text>[^<]*)</a>', match[1])
    ]
    return links, match[1].count('<li class="reader-pagination-gap" aria-hidden="true">…</li>')


@dataclass(frozen=True)
class SignedIn:
    """An editor's session: its cookie and the CSRF token the editor's forms send back."""

    name: str
    session: str
    csrf: str

    @property
    def cookie(self) -> str:
        """The Cookie header that carries the session."""
        return f"{SESSION_COOKIE}={self.session}"


class AuthActions:
    """Signing editors in and out, the one way the in-process tests do it (flaskr's AuthActions).

    `sign_in` opens a session for an account that has no password (hashing one takes seconds on this
    machine) and puts its cookie in the client; `sign_in_with_password` goes through the sign-in form, for
    the tests of that form and of the cookies it sets.
    """

    def __init__(self, app: ServedApp, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    async def sign_in(self, name: str = EDITOR_NAME) -> SignedIn:
        state = self.app.state
        row = await state["db"].fetch_one("SELECT id, password_hash FROM users WHERE name = ?", (name,))
        if row is None:
            async with state["db"].transaction(touches=()) as tx:
                row = await tx.fetch_one(
                    "INSERT INTO users (name, password_hash, created_at) VALUES (?, '-', '2026-01-01T00:00:00') "
                    "RETURNING id, password_hash",
                    (name,),
                )
        assert row is not None
        # Signed in without the password: a login as verify_login would give it, the hash as stored.
        login = Login(User(id=int(row["id"]), name=name), str(row["password_hash"]))
        token = await state["accounts"].create_session(login)
        assert token is not None
        session = await state["accounts"].session(token)
        assert session is not None
        signed = SignedIn(name=name, session=sign(state["session_key"], token), csrf=session.csrf_token)
        self.client.cookies.set(SESSION_COOKIE, signed.session)
        return signed

    async def add_account(self, name: str = EDITOR_NAME, password: str = EDITOR_PASSWORD) -> None:
        """An account with a password, as `reader user add` makes one (a second call keeps the first)."""
        try:
            await self.app.state["accounts"].add_user(name, password)
        except AccountError:
            pass

    async def sign_in_with_password(
        self, name: str = EDITOR_NAME, password: str = EDITOR_PASSWORD, next_path: str = "/editor/"
    ) -> httpx.Response:
        """The sign-in form, filled in and sent (the account must exist: `add_account`)."""
        form = await self.client.get("/editor/login")
        fields = {"name": name, "password": password, "csrf_token": csrf_token(form.text), "next": next_path}
        return await self.client.post("/editor/login", data=fields)

    async def sign_out(self, signed: SignedIn) -> httpx.Response:
        return await self.client.post("/editor/logout", data={"csrf_token": signed.csrf})


@pytest.fixture
def auth(app: ServedApp, client: httpx.AsyncClient) -> AuthActions:
    return AuthActions(app, client)


@pytest.fixture
async def editor(auth: AuthActions) -> SignedIn:
    """A signed-in editor: `client` carries the session cookie."""
    return await auth.sign_in()


# ---------------------------------------------------------------- databases: one fixture, both backends

BACKENDS = ("sqlite", "postgresql")
TEMPLATE_DATABASE = "reader_template"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for this test process (each xdist worker has its own), with a migrated template
    database; stopped and removed at the end of the session, whatever happened."""
    if postgres_bin() is None:
        message = "PostgreSQL is not installed (scripts/test installs Debian's postgresql)"
        if os.environ.get("READER_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    reap_abandoned()  # clusters left by test processes that were killed
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with PostgresCluster.running(prefix=f"reader-pg-tests-{worker}-") as cluster:
        url = cluster.create_database(TEMPLATE_DATABASE)
        asyncio.run(_migrate(url))
        yield cluster


async def _migrate(url: str) -> None:
    db = database_for(url)
    await db.open()
    await db.close()


@contextmanager
def sqlite_write_locked(path: Path) -> Iterator[None]:
    """Another process's write transaction on a SQLite file, held open (WAL: readers go on, writers wait)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """The files made immutable (as on a read-only mount; permissions do not stop root)."""
    done = []
    try:
        for path in paths:
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
                pytest.skip("chattr +i is not possible here (needs root and a file system with attributes)")
            done.append(path)
        yield
    finally:
        for path in done:
            subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture
def listener_refused(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """While `listener_refused[0]`, PostgreSQL refuses the LISTEN connection (as with too many clients);
    the pools' connections are made as usual."""
    refusing = [False]
    connect = asyncpg.connect

    async def maybe_refused(*args: Any, **kwargs: Any) -> asyncpg.Connection:
        if refusing[0]:
            raise asyncpg.TooManyConnectionsError("sorry, too many clients already")
        return await connect(*args, **kwargs)

    monkeypatch.setattr(asyncpg, "connect", maybe_refused)
    return refusing


async def eventually(condition: Callable[[], object], timeout: float = 10) -> None:
    """Wait (letting the event loop run) until `condition()` is true; fail past `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not within the deadline"
        await asyncio.sleep(0.01)


def listener_pids(cluster: PostgresCluster, database: str) -> list[str]:
    """The server processes of the nodes' LISTEN connections to a database (reader.backends.postgresql)."""
    rows = cluster.psql(f"SELECT pid FROM pg_stat_activity WHERE application_name = '{LISTENER_NAME}'", database)
    return rows.split()


def new_pg_database(cluster: PostgresCluster, *, migrated: bool = True) -> str:
    """A database of its own (a copy of the migrated template, or empty); its URL."""
    return cluster.create_database(f"t_{uuid.uuid4().hex[:16]}", template=TEMPLATE_DATABASE if migrated else None)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """A database of this test's own on each backend: a SQLite path (a file not made yet: the first to open it
    creates it) or a PostgreSQL URL (a copy of the migrated template)."""
    if backend == "sqlite":
        return tmp_path / "reader.db"
    return new_pg_database(request.getfixturevalue("pg_cluster"))


@pytest.fixture
def empty_database_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """A database of this test's own on each backend that no reader has opened yet."""
    if backend == "sqlite":
        return tmp_path / "empty.db"
    return new_pg_database(request.getfixturevalue("pg_cluster"), migrated=False)


@asynccontextmanager
async def opened_nodes(target: str | Path, count: int = 2) -> AsyncIterator[list[Database]]:
    """`count` open Databases on one database, each with connections of its own, as processes or nodes have."""
    nodes = [database_for(target) for _ in range(count)]
    try:
        for node in nodes:
            await node.open()
        yield nodes
    finally:
        for node in nodes:
            await node.close()


@pytest.fixture
async def database(database_target: str | Path) -> AsyncIterator[Database]:
    """An open database on each backend."""
    db = database_for(database_target)
    await db.open()
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs (root only: CI runs as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path) -> Path:
    """A file taking every byte left on `disk` (small_disk); removing it makes the room again."""
    filler = disk / "filler"
    # Unbuffered: a buffered file's close flushes what the full disk refused, and raises ENOSPC again
    # outside the suppress (how much is left over depends on how full the disk was: it failed so once).
    with filler.open("wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
    return filler
