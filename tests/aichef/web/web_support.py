"""Test helpers for the web layer: a fake session service and a live uvicorn server in a thread."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any, Self

import uvicorn

from aichef.errors import InvalidInput
from aichef.models import parse_session
from aichef.service import Kitchen
from aichef.web import create_app

TERMINAL = ("completed", "failed")


def free_port() -> int:
    """A port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class FakeService:
    """A session service whose sessions stay where the test puts them."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.fail_with: Exception | None = None
        self.closed = False

    def put(
        self, session_id: str, status: str = "processing", progress: int = 10, **extra: Any
    ) -> dict[str, Any]:
        session = {
            "sessionId": session_id,
            "status": status,
            "phase": extra.pop("phase", "recipe_generation"),
            "progress": progress,
            "error": extra.pop("error", None),
            "createdAt": "2026-11-22T00:00:00.000Z",
            "updatedAt": "2026-11-22T00:00:00.000Z",
            "target": "keto",
            **extra,
        }
        self.sessions[session_id] = session
        return session

    async def start_session(self, body: Mapping[str, Any], owner: str | None = None) -> dict[str, Any]:
        if self.fail_with is not None:
            raise self.fail_with
        data = dict(body)
        data.setdefault("sessionId", f"s{len(self.sessions) + 1}")
        request = parse_session(data)
        if request.sessionId in self.sessions:
            raise InvalidInput.one("sessionId", "already exists")
        return self.put(request.sessionId, "processing", 0, phase="recipe_generation")

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        if self.fail_with is not None:
            raise self.fail_with
        return self.sessions.get(session_id)

    def get_result_text(self, session_id: str) -> str | None:
        result = self.results.get(session_id)
        return None if result is None else json.dumps(result, ensure_ascii=False)

    def list_sessions(self, limit: int = 20, owner: str | None = None) -> list[dict[str, Any]]:
        return list(self.sessions.values())[::-1][:limit] if owner is not None else []

    async def subscribe(self, session_id: str) -> AsyncIterator[dict[str, Any]]:
        """Where the session stands now (as the kitchen's replay starts), then each update put."""
        now = self.sessions.get(session_id)
        if now is None:
            return
        yield now
        if now["status"] in TERMINAL:
            return
        while True:
            update = await self.updates.get()
            self.sessions[session_id] = update
            yield update
            if update["status"] in TERMINAL:
                return

    async def close(self) -> None:
        self.closed = True


class ThreadedServer:
    """uvicorn on 127.0.0.1 and a free port, in a thread with its own loop, serving the app that
    :meth:`_open` builds (and :meth:`_close` tidies up after)."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.server: uvicorn.Server | None = None
        self.port = 0
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _open(self) -> Any:
        """The ASGI app to serve, built on the server's own loop."""
        raise NotImplementedError

    async def _close(self) -> None:
        """What to close once the server has stopped."""

    async def _main(self) -> None:
        config = uvicorn.Config(
            await self._open(),
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
            await self._close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.thread.start()
        if not self.ready.wait(30) or not self.port:
            raise RuntimeError(f"the test server ({type(self).__name__}) did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self.server is not None
        self.server.should_exit = True
        self.thread.join(30)


class LiveServer(ThreadedServer):
    """The real app on an in-memory kitchen."""

    async def _open(self) -> Any:
        self.kitchen = Kitchen(in_memory=True, poll_seconds=0.01)
        return create_app(self.kitchen)

    async def _close(self) -> None:
        await self.kitchen.close()
