"""The runtime's task tokens: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat."""

from __future__ import annotations

import json
from typing import Any

from asl.execution.callbacks import TaskTokens
from asl.execution.clock import Clock
from asl.runtime.api_errors import InvalidOutput
from asl.store.executions import ExecutionStore

__all__ = ["Callbacks"]


class Callbacks:
    """The task tokens handed out by the runtime's machines, and the answers to them.

    Heartbeats are kept in the store, so that a resumed task's HeartbeatSeconds count from
    the last one; an answer returns once the task's result is durable.
    """

    def __init__(self, store: ExecutionStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.tokens = TaskTokens()
        self.tokens.beats = store.heartbeats()
        self.tokens.on_beat = store.record_heartbeat

    async def send_task_success(self, task_token: str, output: str) -> dict[str, Any]:
        """SendTaskSuccess: ``output`` is JSON text; returns once the result is durable."""
        try:
            value = json.loads(output) if isinstance(output, str) else output
        except ValueError as err:
            raise InvalidOutput(f"Invalid Output: the output is not valid JSON: {err}") from None
        waiter = self.tokens.succeed(task_token, value)
        await waiter.recorded.wait()
        await self.store.commit()
        return {}

    async def send_task_failure(
        self, task_token: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]:
        """SendTaskFailure: the task fails with ``error`` (Retry and Catch see it)."""
        waiter = self.tokens.fail(task_token, error, cause)
        await waiter.recorded.wait()
        await self.store.commit()
        return {}

    async def send_task_heartbeat(self, task_token: str) -> dict[str, Any]:
        """SendTaskHeartbeat: the task's HeartbeatSeconds count again from now."""
        self.tokens.heartbeat(task_token, self.clock.now())
        await self.store.commit()
        return {}
