"""Fixtures for the web tests: the app over a real in-memory kitchen, a fake service, a live server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from web_fakes import FakeService

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
    async with httpx.AsyncClient(transport=transport, base_url="http://aichef.test") as http:
        yield http


@pytest.fixture
def fake() -> FakeService:
    return FakeService()


@pytest.fixture
async def fake_client(fake: FakeService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(fake, keepalive=0.05))
    async with httpx.AsyncClient(transport=transport, base_url="http://aichef.test") as http:
        yield http


class LiveServer:
    """uvicorn on 127.0.0.1 and a free port, in a thread with its own loop and in-memory kitchen."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.server: uvicorn.Server | None = None
        self.port = 0
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        kitchen = Kitchen(in_memory=True, poll_seconds=0.01)
        config = uvicorn.Config(
            create_app(kitchen),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)
        serving = asyncio.create_task(self.server.serve())
        while not self.server.started and not serving.done():
            await asyncio.sleep(0.01)
        if self.server.started:
            self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.ready.set()
        try:
            await serving
        finally:
            await kitchen.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        if not self.ready.wait(30) or not self.port:
            raise RuntimeError("the test server did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self.server is not None
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    with LiveServer() as server:
        yield server
