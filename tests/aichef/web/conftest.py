"""Fixtures for the web tests: the app over a real in-memory kitchen, a fake service, a live server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from web_support import FakeService, LiveServer

from aichef.service import Kitchen
from aichef.web import create_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def kitchen() -> AsyncIterator[Kitchen]:
    kitchen = Kitchen(in_memory=True, poll_seconds=0.005)
    try:
        yield kitchen
    finally:
        await kitchen.close()


@pytest.fixture
async def client(kitchen: Kitchen) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(kitchen))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        yield http


@pytest.fixture
def fake() -> FakeService:
    return FakeService()


@pytest.fixture
async def fake_client(fake: FakeService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(fake, keepalive=0.05))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        yield http


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    with LiveServer() as server:
        yield server
