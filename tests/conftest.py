from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from reader.app import create_app
from reader.settings import Settings

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
