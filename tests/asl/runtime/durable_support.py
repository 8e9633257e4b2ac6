"""Helpers for the durable runtime's tests: clocks that stall or record, and task handlers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asl import ExecutionStore, Runtime, VirtualClock

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:{}"
START = datetime(2026, 1, 1, tzinfo=UTC)


class StuckClock(VirtualClock):
    """Time that never moves on: every sleep waits forever (a process about to crash)."""

    async def sleep(self, seconds: float) -> None:
        await asyncio.Event().wait()


class RecordingClock(VirtualClock):
    """A virtual clock that remembers how long each sleep was."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__(start)
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await super().sleep(seconds)


async def forever(event: Any, context: Any) -> Any:
    """A handler that never returns: the process 'crashes' while it runs."""
    await asyncio.Event().wait()


def runtime(path: Path | str, **options: Any) -> Runtime:
    return Runtime(ExecutionStore(path), **options)


async def crash(runtime: Runtime) -> None:
    """Stop a runtime as a crash would after its last group commit: executions stay RUNNING."""
    await asyncio.sleep(0.01)  # let pending events reach the store's buffer
    await runtime.close()
