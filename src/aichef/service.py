"""The kitchen: AI Chef on one machine, the workflow on the local runtime with local tables.

The command line and the HTTP API both go through a :class:`Kitchen`. It validates a
request before anything is written (bad input leaves nothing half-done), creates the
session item, starts the workflow in the background, and reads sessions and results back.

>>> import asyncio
>>> async def cook():
...     kitchen = Kitchen(in_memory=True)
...     session = await kitchen.start_session({"profile": {"target": "diet", "servings": 1}})
...     return (await kitchen.wait(session["sessionId"]))["status"]
>>> asyncio.run(cook())
'COMPLETED'
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from aichef.config import settings
from aichef.models import parse_session
from aichef.sessions import TERMINAL, create_session, session_view
from aichef.tables import results_table, sessions_table, use_store
from aichef.workflows import local_machine
from asl import Execution
from asl.dynamodb import TableStore

__all__ = ["Kitchen"]

_KEEP_EXECUTIONS = 2000  # recent executions kept in memory for their histories


class Kitchen:
    """Sessions on the local runtime. One kitchen per process: it installs its table store."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        in_memory: bool = False,
        clock: Any = None,
        task_threads: bool = True,
        poll_seconds: float = 0.05,
    ) -> None:
        if in_memory:
            self.store = TableStore(":memory:")
        else:
            folder = Path(data_dir) if data_dir is not None else settings().data_dir
            folder.mkdir(parents=True, exist_ok=True)
            self.store = TableStore(folder / "tables.sqlite")
        from aichef.handlers.recipe import configured_provider

        configured_provider()  # a missing credential stops here, at start, with a message naming the variable
        use_store(self.store)
        self.machine = local_machine(self.store, clock=clock, task_threads=task_threads)
        self.poll_seconds = poll_seconds
        self._executions: OrderedDict[str, Execution] = OrderedDict()

    async def start_session(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Validate, create the session and start its workflow; answers the new session."""
        data = dict(body)
        if not data.get("sessionId"):
            data["sessionId"] = uuid.uuid4().hex
        request = parse_session(data)
        view = create_session(sessions_table(), request)
        execution = await self.machine.start(request.model_dump(mode="json"), name=request.sessionId)
        self._executions[request.sessionId] = execution
        while len(self._executions) > _KEEP_EXECUTIONS:
            self._executions.popitem(last=False)
        return view

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        item = sessions_table().get_item(Key={"sessionId": session_id}).get("Item")
        return None if item is None else session_view(item)

    def get_result(self, session_id: str) -> dict[str, Any] | None:
        item = results_table().get_item(Key={"sessionId": session_id}).get("Item")
        if item is None:
            return None
        result: dict[str, Any] = json.loads(item["result"])
        return result

    def list_sessions(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent sessions first."""
        items: list[dict[str, Any]] = []
        page: dict[str, Any] = {}
        while True:
            response = sessions_table().scan(**page)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            page = {"ExclusiveStartKey": response["LastEvaluatedKey"]}
        items.sort(key=lambda item: str(item.get("createdAt", "")), reverse=True)
        return [session_view(item) for item in items[: max(0, limit)]]

    def execution(self, session_id: str) -> Execution | None:
        """The workflow execution of a recent session (for its history)."""
        return self._executions.get(session_id)

    async def subscribe(self, session_id: str) -> AsyncIterator[dict[str, Any]]:
        """Yield the session each time it changes, until it ends."""
        last: tuple[Any, ...] | None = None
        while True:
            session = self.get_session(session_id)
            if session is None:
                return
            seen = (session.get("status"), session.get("phase"), session.get("progress"))
            if seen != last:
                last = seen
                yield session
            if session.get("status") in TERMINAL:
                return
            await self._changed(session_id)

    async def _changed(self, session_id: str) -> None:
        """Sleep a poll interval, waking early when the session's execution ends."""
        execution = self._executions.get(session_id)
        if execution is None or execution.status != "RUNNING":
            await asyncio.sleep(self.poll_seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(execution.result()), self.poll_seconds)

    async def wait(self, session_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait until the session has ended; answers its final state."""

        async def until_done() -> dict[str, Any]:
            execution = self._executions.get(session_id)
            if execution is not None:
                await execution.result()
            final: dict[str, Any] = {}
            async for session in self.subscribe(session_id):
                final = session
            return final

        return await asyncio.wait_for(until_done(), timeout)

    async def close(self) -> None:
        for execution in list(self._executions.values()):
            await execution.result()
        use_store(None)
        self.store.close()
