"""Task tokens: callbacks (``.waitForTaskToken``) and activities wait here for their outcome.

A token names the execution and the event after which its task asked for it, so the same
task gets the same token when a restarted runtime replays the execution: a worker holding
a token from before the restart can still answer. ``send_task_success``/``failure``/
``heartbeat`` find the waiting task here and answer AWS's errors when they cannot.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from asl.errors import ASLError, ErrorName
from asl.execution.clock import Clock

__all__ = [
    "InvalidToken",
    "TaskDoesNotExist",
    "TaskTimedOut",
    "TaskTokens",
    "TimedOut",
    "Waiter",
    "execution_of_token",
]


_TIMED_OUT_KEPT = 10_000


class InvalidToken(ASLError):
    """The task token is not one this runtime issued (AWS: InvalidToken)."""


class TaskDoesNotExist(ASLError):
    """No task is waiting on this token any more (AWS: TaskDoesNotExist)."""


class TaskTimedOut(ASLError):
    """The task of this token has timed out (AWS: TaskTimedOut)."""


class TimedOut(Exception):
    """A waiting task ran out of time: ``error`` is States.Timeout or States.HeartbeatTimeout."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def make_token(execution_arn: str, event_id: int) -> str:
    raw = f"{execution_arn}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def execution_of_token(token: str) -> str:
    """The execution ARN a token belongs to; :class:`InvalidToken` when it is not a token."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise InvalidToken("Invalid Token: the taskToken must be a non-empty string of at most 4096 chars.")
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidToken(f"Invalid Token: '{token[:40]}' was not issued by this runtime.") from None
    arn, sep, event_id = text.rpartition("|")
    if not sep or not arn.startswith("arn:") or not event_id.isdigit():
        raise InvalidToken(f"Invalid Token: '{token[:40]}' was not issued by this runtime.")
    return arn


@dataclass
class Waiter:
    """One task waiting for its token's outcome."""

    token: str
    last_beat: datetime | None
    outcome: asyncio.Future[tuple[str, Any, Any]] = field(default_factory=lambda: _future())
    # set once the task has recorded its outcome event, so a sender can make it durable
    recorded: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(
        self, clock: Clock, deadline: datetime | None, heartbeat: float | None
    ) -> tuple[str, Any, Any]:
        """The outcome ``("success", output, None)`` or ``("failure", error, cause)``.

        Raises :class:`TimedOut` when ``deadline`` passes (States.Timeout) or no heartbeat
        came for ``heartbeat`` seconds since the last one (States.HeartbeatTimeout).
        """
        while not self.outcome.done():
            limits: list[tuple[datetime, str]] = []
            if deadline is not None:
                limits.append((deadline, ErrorName.TIMEOUT))
            if heartbeat is not None and self.last_beat is not None:
                limits.append((self.last_beat + timedelta(seconds=heartbeat), ErrorName.HEARTBEAT_TIMEOUT))
            if not limits:
                return await self.outcome
            moment, error = min(limits, key=lambda limit: limit[0])
            remaining = (moment - clock.now()).total_seconds()
            if remaining <= 0:
                raise TimedOut(error)
            # the clock's sleep, so a virtual clock decides timeouts without waiting
            sleeper: asyncio.Future[Any] = asyncio.ensure_future(clock.sleep(remaining))
            racers: set[asyncio.Future[Any]] = {self.outcome, sleeper}
            try:
                await asyncio.wait(racers, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
        return self.outcome.result()


def _future() -> asyncio.Future[tuple[str, Any, Any]]:
    return asyncio.get_running_loop().create_future()


class TaskTokens:
    """The tokens of tasks waiting for a callback or an activity worker."""

    def __init__(self) -> None:
        self._waiting: dict[str, Waiter] = {}
        # tokens that timed out, so a late answer hears TaskTimedOut (the latest few thousand)
        self._timed_out: OrderedDict[str, None] = OrderedDict()
        # the last heartbeat of each waiting token; a durable runtime loads and saves them
        # (history has no heartbeat events) so HeartbeatSeconds holds across restarts
        self.beats: dict[str, datetime] = {}
        self.on_beat: Callable[[str, datetime | None], None] | None = None

    def last_beat_since(self, token: str, since: datetime) -> datetime:
        """When the heartbeat clock of a task that started at ``since`` last restarted."""
        beat = self.beats.get(token)
        return since if beat is None or beat < since else beat

    @staticmethod
    def token_for(execution_arn: str, event_id: int) -> str:
        return make_token(execution_arn, event_id)

    def open(self, token: str, last_beat: datetime | None) -> Waiter:
        waiter = Waiter(token, last_beat)
        self._waiting[token] = waiter
        self._timed_out.pop(token, None)
        return waiter

    def close(self, waiter: Waiter, timed_out: bool = False) -> None:
        if self._waiting.get(waiter.token) is waiter:
            del self._waiting[waiter.token]
        done = timed_out or waiter.outcome.done()  # not when cancelled: the task may resume later
        if done and self.beats.pop(waiter.token, None) is not None and self.on_beat is not None:
            self.on_beat(waiter.token, None)
        if timed_out:
            self._timed_out[waiter.token] = None
            if len(self._timed_out) > _TIMED_OUT_KEPT:
                self._timed_out.popitem(last=False)
        waiter.recorded.set()

    def find(self, token: str) -> Waiter:
        """The waiting task of a token, or AWS's error for it."""
        execution_of_token(token)
        waiter = self._waiting.get(token)
        if waiter is None or waiter.outcome.done():
            if token in self._timed_out:
                raise TaskTimedOut("Task Timed Out: the task of this token has timed out.")
            raise TaskDoesNotExist("Task Does Not Exist: no task is waiting on this token.")
        return waiter

    def succeed(self, token: str, output: Any) -> Waiter:
        waiter = self.find(token)
        waiter.outcome.set_result(("success", output, None))
        return waiter

    def fail(self, token: str, error: str | None, cause: str | None) -> Waiter:
        waiter = self.find(token)
        waiter.outcome.set_result(("failure", error, cause))
        return waiter

    def heartbeat(self, token: str, now: datetime) -> None:
        waiter = self.find(token)
        if waiter.last_beat is not None:
            waiter.last_beat = now
            self.beats[token] = now
            if self.on_beat is not None:
                self.on_beat(token, now)

    def pending(self) -> list[str]:
        """Tokens of tasks waiting now (for tests and tools)."""
        return [token for token, waiter in self._waiting.items() if not waiter.outcome.done()]
