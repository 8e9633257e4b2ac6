"""Clocks: real time by default, or a virtual clock that skips waits (tests never sleep).

A clock gives ``now()`` and ``sleep(seconds)``. The :class:`VirtualClock` advances its own
time by the amount slept and returns at once, so a ``Wait`` of a day, a retry back-off or
an execution timeout is decided in microseconds with the same timestamps AWS would show.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "RealClock", "VirtualClock"]


class Clock(Protocol):
    """What the interpreter needs of time."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall-clock time; ``sleep`` really waits."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds)


class VirtualClock:
    """Time that moves only when something sleeps: waits cost nothing.

    Each sleep advances the clock by its duration and yields once to the event loop, so
    concurrent branches still interleave. Starts at ``start`` (default: the real now).

    >>> clock = VirtualClock(datetime(2024, 1, 1, tzinfo=UTC))
    >>> asyncio.run(clock.sleep(3600)); clock.now().hour
    1
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never backwards)."""
        if seconds > 0:
            with self._lock:
                self._now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)
