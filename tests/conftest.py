from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from reader.app import create_app
from reader.db import Database, database_for
from reader.settings import Settings
from tests.pgcluster import PostgresCluster, postgres_bin

SEED_SLUG = "bac-kan-nang-cao-chat-luong-doi-ngu-can-bo-cong-chuc-vien-chuc"
SEED_TITLE = "Bắc Kạn nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức"
EN_SLUG = "making-long-articles-comfortable-to-read-on-any-screen"
TABLE_SLUG = "text-size-in-numbers-what-200-and-400-leave-on-a-phone-screen"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "reader.db")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


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
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with PostgresCluster.running(prefix=f"reader-pg-tests-{worker}-") as cluster:
        url = cluster.create_database(TEMPLATE_DATABASE)
        asyncio.run(_migrate(url))
        yield cluster


async def _migrate(url: str) -> None:
    db = database_for(url)
    await db.open()
    await db.close()


def new_pg_database(cluster: PostgresCluster, *, migrated: bool = True) -> str:
    """A database of its own (a copy of the migrated template, or empty); its URL."""
    return cluster.create_database(f"t_{uuid.uuid4().hex[:16]}", template=TEMPLATE_DATABASE if migrated else None)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """A database of this test's own on each backend, already migrated: a SQLite path or a PostgreSQL URL."""
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
