"""A session service for tests whose sessions stay exactly where the test puts them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

from aichef.errors import InvalidInput
from aichef.models import parse_session

TERMINAL = ("COMPLETED", "FAILED")


class FakeService:
    """A session service whose sessions stay where the test puts them."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.fail_with: Exception | None = None
        self.closed = False

    def put(
        self, session_id: str, status: str = "RUNNING", progress: int = 10, **extra: Any
    ) -> dict[str, Any]:
        session = {
            "sessionId": session_id,
            "status": status,
            "phase": extra.pop("phase", "RECIPE_GENERATION"),
            "progress": progress,
            "error": extra.pop("error", None),
            "createdAt": "2026-11-22T00:00:00.000Z",
            "updatedAt": "2026-11-22T00:00:00.000Z",
            "target": "keto",
            **extra,
        }
        self.sessions[session_id] = session
        return session

    async def start_session(self, body: Mapping[str, Any]) -> dict[str, Any]:
        if self.fail_with is not None:
            raise self.fail_with
        data = dict(body)
        data.setdefault("sessionId", f"s{len(self.sessions) + 1}")
        request = parse_session(data)
        if request.sessionId in self.sessions:
            raise InvalidInput.one("sessionId", "already exists")
        return self.put(request.sessionId, "PENDING", 0, phase="CREATED")

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        if self.fail_with is not None:
            raise self.fail_with
        return self.sessions.get(session_id)

    def get_result(self, session_id: str) -> dict[str, Any] | None:
        return self.results.get(session_id)

    def list_sessions(self, limit: int = 20) -> list[dict[str, Any]]:
        return list(self.sessions.values())[::-1][:limit]

    async def subscribe(self, session_id: str) -> AsyncIterator[dict[str, Any]]:
        while True:
            update = await self.updates.get()
            self.sessions[session_id] = update
            yield update
            if update["status"] in TERMINAL:
                return

    async def close(self) -> None:
        self.closed = True
