"""Activities: tasks done by workers that poll for them (``GetActivityTask``), and a worker helper.

A Task whose resource is an activity ARN queues its input here; a worker's long poll
takes it (the execution logs ``ActivityStarted`` with the worker's name) and answers
with the task token through ``send_task_success``/``failure``/``heartbeat``.

>>> worker = ActivityWorker(runtime, activity_arn, lambda input: {"done": input})  # doctest: +SKIP
>>> await worker.run_once()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from asl.errors import ASLError

__all__ = ["Activities", "Activity", "ActivityClient", "ActivityDoesNotExist", "ActivityWorker", "QueuedTask"]

logger = logging.getLogger("asl")


class ActivityDoesNotExist(ASLError):
    """No activity has this ARN (AWS: ActivityDoesNotExist)."""


@dataclass
class QueuedTask:
    """An activity task waiting for a worker."""

    token: str
    input: str
    on_started: Callable[[str], None]


@dataclass
class Activity:
    arn: str
    name: str
    creation_date: datetime
    queue: deque[QueuedTask] = field(default_factory=deque)
    pollers: deque[asyncio.Future[QueuedTask]] = field(default_factory=deque)


class Activities:
    """The activities of one runtime and their queued tasks (in memory; the durable store
    keeps the activities themselves, and replay queues again the tasks no worker took)."""

    def __init__(self) -> None:
        self.by_arn: dict[str, Activity] = {}

    def add(self, arn: str, name: str, created: datetime) -> Activity:
        activity = self.by_arn.get(arn)
        if activity is None:
            activity = self.by_arn[arn] = Activity(arn, name, created)
        return activity

    def get(self, arn: str) -> Activity:
        activity = self.by_arn.get(arn)
        if activity is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return activity

    def remove(self, arn: str) -> None:
        activity = self.by_arn.pop(arn, None)
        if activity is not None:
            for poller in activity.pollers:
                if not poller.done():
                    poller.set_exception(
                        ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}' was deleted")
                    )

    def schedule(self, arn: str, task: QueuedTask) -> None:
        activity = self.get(arn)
        while activity.pollers:
            poller = activity.pollers.popleft()
            if not poller.done():
                poller.set_result(task)
                return
        activity.queue.append(task)

    def withdraw(self, arn: str, token: str) -> None:
        """Take a task off the queue (its state timed out or was stopped)."""
        activity = self.by_arn.get(arn)
        if activity is not None:
            for task in list(activity.queue):
                if task.token == token:
                    activity.queue.remove(task)

    async def poll(self, arn: str, wait_seconds: float) -> QueuedTask | None:
        """The next task of an activity, waiting up to ``wait_seconds`` for one."""
        activity = self.get(arn)
        if activity.queue:
            return activity.queue.popleft()
        if wait_seconds <= 0:
            return None
        poller: asyncio.Future[QueuedTask] = asyncio.get_running_loop().create_future()
        activity.pollers.append(poller)
        try:
            return await asyncio.wait_for(asyncio.shield(poller), wait_seconds)
        except (TimeoutError, asyncio.CancelledError) as stop:
            if poller.done() and not poller.cancelled() and poller.exception() is None:
                activity.queue.appendleft(poller.result())  # handed a task just as the wait ended
            elif not poller.done():
                poller.cancel()
            if isinstance(stop, asyncio.CancelledError):
                raise
            return None


class ActivityClient(Protocol):
    """What a worker needs of a runtime (:class:`~asl.runtime.service.Runtime` is one)."""

    async def get_activity_task(
        self, activity_arn: str, worker_name: str | None = None, wait_seconds: float = 60.0
    ) -> dict[str, Any]: ...

    async def send_task_success(self, task_token: str, output: str) -> dict[str, Any]: ...

    async def send_task_failure(
        self, task_token: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]: ...


class ActivityWorker:
    """Polls an activity and answers each task with a Python function's result.

    ``handler(input)`` (sync or async) gets the task's input as JSON; what it returns is
    sent with ``send_task_success``; an exception is sent with ``send_task_failure``
    (error: the exception's class name, cause: its message).
    """

    def __init__(
        self,
        runtime: ActivityClient,
        activity_arn: str,
        handler: Callable[[Any], Any],
        *,
        name: str = "asl-worker",
        wait_seconds: float = 60.0,
    ) -> None:
        self.runtime = runtime
        self.activity_arn = activity_arn
        self.handler = handler
        self.name = name
        self.wait_seconds = wait_seconds

    async def run_once(self) -> bool:
        """Poll once and answer the task if one came; True when a task was answered."""
        task = await self.runtime.get_activity_task(
            activity_arn=self.activity_arn, worker_name=self.name, wait_seconds=self.wait_seconds
        )
        token = task.get("taskToken")
        if not token:
            return False
        try:
            result = self.handler(json.loads(task["input"]))
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # the worker's own failure goes back to the execution
            await self.runtime.send_task_failure(task_token=token, error=type(exc).__name__, cause=str(exc))
            return True
        await self.runtime.send_task_success(task_token=token, output=json.dumps(result))
        return True

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Answer tasks until ``stop`` is set (or the task running this is cancelled)."""
        while stop is None or not stop.is_set():
            try:
                await self.run_once()
            except ASLError as error:  # e.g. the token timed out while the handler worked
                logger.warning("activity worker %s: %s", self.name, error)
