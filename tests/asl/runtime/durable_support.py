"""Helpers for the durable runtime's tests: clocks that stall or record, and task handlers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
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


def kill_when_ready(worker_script: Path, db: Path, log: Path, waiting_for: str) -> None:
    """Run ``worker_script DB LOG`` in a process, SIGKILL it once it has written ``ready`` to the
    log (up to a minute on a busy machine); ``waiting_for`` says in a failure what never came."""
    worker = subprocess.Popen(
        [sys.executable, str(worker_script), str(db), str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(1200):
            if log.exists() and "ready" in log.read_text().split():
                break
            if worker.poll() is not None:
                raise AssertionError(worker.communicate()[0].decode()[-3000:])
            time.sleep(0.05)
        else:
            raise AssertionError(f"the worker {waiting_for}")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        assert worker.stdout is not None
        worker.stdout.close()


async def crash(runtime: Runtime) -> None:
    """Stop a runtime as a crash would after its last group commit: executions stay RUNNING."""
    await asyncio.sleep(0.01)  # let pending events reach the store's buffer
    await runtime.close()


class ManualClock(VirtualClock):
    """Time that moves only when the test says so (:meth:`move`); sleepers wake when it passes."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__(start)
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now() + timedelta(seconds=seconds), wake))
        await wake

    async def move(self, seconds: float) -> None:
        self.advance(seconds)
        for moment, wake in self._sleepers:
            if moment <= self.now() and not wake.done():
                wake.set_result(None)
        self._sleepers = [(m, w) for m, w in self._sleepers if not w.done()]
        await settle()


async def settle() -> None:
    """Let every ready task of the loop run."""
    for _ in range(20):
        await asyncio.sleep(0)
