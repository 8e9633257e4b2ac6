"""A DISTRIBUTED Map's Map Run: its settings, its counts and its child executions, as they change.

AWS makes a Map Run resource for each run of a DISTRIBUTED Map state (developer guide,
"Viewing a Distributed Map Run execution"): DescribeMapRun shows its status, settings and the
counts of its items and child executions, ListExecutions(mapRunArn=...) its children, and
UpdateMapRun changes ``maxConcurrency`` and the tolerated failures of a running one. The Map
state drives a :class:`MapRun` (it waits in :meth:`MapRun.slot` for a free place, reads
:meth:`MapRun.allowed_failures` at each failure, so an update takes effect at once); the
runtime keeps it (:class:`MapRunLog`) and answers the API from it.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

__all__ = ["CHILD_STATUSES", "Child", "MapRun", "MapRunLog", "allowed_failures"]

#: a child execution's statuses here; AWS's TIMED_OUT needs a child-level TimeoutSeconds, which an
#: ItemProcessor does not have (a state timing out inside a child fails it: FAILED)
CHILD_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "ABORTED")


def allowed_failures(total: int, count: int | None, percentage: float | None) -> int:
    """How many failed items a Map tolerates: the larger of the count and the percentage's share
    (rounded down), 0 when neither is given."""
    allowed = 0
    if count is not None:
        allowed = max(allowed, count)
    if percentage is not None:
        allowed = max(allowed, math.floor(total * percentage / 100))
    return allowed


@dataclass
class Child:
    """One child workflow execution of a Map Run (one item: no ItemBatcher here)."""

    index: int
    status: str
    start_date: datetime
    stop_date: datetime | None = None
    input: Any = None  # what it ran with (after ItemSelector)
    output: Any = None  # its output, when it succeeded
    error: str | None = None  # and when it failed
    cause: str | None = None


class MapRun:
    """One Map Run. ``on_change`` (the runtime's store) hears of every change of its settings or
    status, ``on_child`` of each child execution that ends.

    ``max_concurrency`` 0 means no limit, as in the Map state's ``MaxConcurrency``.
    """

    def __init__(
        self,
        arn: str,
        execution_arn: str,
        start_date: datetime,
        total: int,
        max_concurrency: int,
        tolerated_count: int | None,
        tolerated_percentage: float | None,
        on_change: Callable[[MapRun], None] | None = None,
        on_child: Callable[[MapRun, Child], None] | None = None,
    ) -> None:
        self.arn = arn
        self.execution_arn = execution_arn
        self.start_date = start_date
        self.stop_date: datetime | None = None
        self.status = "RUNNING"
        self.total = total
        self.max_concurrency = max_concurrency
        self.tolerated_count = tolerated_count
        self.tolerated_percentage = tolerated_percentage
        # an UpdateMapRun gave tolerances: exceeding them is States.ExceedToleratedFailureThreshold
        self.tolerance_updated = False
        self.redrive_count = 0
        self.redrive_date: datetime | None = None
        self.children: dict[int, Child] = {}
        self.on_change = on_change
        self.on_child = on_child
        self._running = 0  # children holding a place (see slot)
        self._waiting: deque[asyncio.Future[None]] = deque()

    # --- names ----------------------------------------------------------------------------------

    @staticmethod
    def machine_arn_of(arn: str) -> str:
        """The children's state machine: ``arn:...:stateMachine:MACHINE/LABEL`` (AWS's form)."""
        return arn.replace(":mapRun:", ":stateMachine:", 1).rsplit(":", 1)[0]

    @property
    def machine_arn(self) -> str:
        return self.machine_arn_of(self.arn)

    def child_name(self, index: int) -> str:
        """A child execution's name: a UUID that the Map Run's ARN and the item's index fix (so
        it is the same after a restart)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.arn}#{index}"))

    def child_arn(self, index: int) -> str:
        """A child execution's ARN: ``arn:...:execution:MACHINE/LABEL:NAME`` (AWS's form)."""
        return f"{self.machine_arn.replace(':stateMachine:', ':execution:', 1)}:{self.child_name(index)}"

    # --- the Map state's side -------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of ``max_concurrency`` places while a child runs; a raised limit lets more in.

        Waiters queue in order and a freed place wakes one of them (not all: a run of many
        items would otherwise wake every waiter at each release).
        """
        if self._waiting or not self._free():
            turn = asyncio.get_running_loop().create_future()
            self._waiting.append(turn)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():  # handed a place, cancelled before it ran
                    self._release()
                else:
                    self._waiting.remove(turn)
                raise
        else:
            self._running += 1
        try:
            yield
        finally:
            self._release()

    def _free(self) -> bool:
        return self.max_concurrency <= 0 or self._running < self.max_concurrency

    def _release(self) -> None:
        self._running -= 1
        self._hand_over()

    def _hand_over(self) -> None:
        """Give free places to the first waiters (the place is counted as theirs at once)."""
        while self._waiting and self._free():
            turn = self._waiting.popleft()
            if not turn.done():
                self._running += 1
                turn.set_result(None)

    def allowed_failures(self) -> int:
        return allowed_failures(self.total, self.tolerated_count, self.tolerated_percentage)

    def child_started(self, index: int, now: datetime, input: Any) -> None:
        self.children[index] = Child(index, "RUNNING", now, input=input)

    def child_succeeded(self, index: int, now: datetime, output: Any) -> None:
        self._child_ended(index, "SUCCEEDED", now, output=output)

    def child_failed(self, index: int, now: datetime, error: str | None, cause: str | None) -> None:
        self._child_ended(index, "FAILED", now, error=error, cause=cause)

    def _child_ended(self, index: int, status: str, now: datetime, **outcome: Any) -> None:
        child = self.children.get(index)
        if child is None:
            child = self.children[index] = Child(index, "RUNNING", now)
        child.status, child.stop_date = status, now
        for key, value in outcome.items():
            setattr(child, key, value)
        if self.on_child is not None:
            self.on_child(self, child)

    def finish(self, status: str, now: datetime) -> None:
        """The run ends: its children still running are aborted (AWS: stopped because the run failed)."""
        self.status = status
        self.stop_date = now
        for child in self.children.values():
            if child.status == "RUNNING":
                child.status = "ABORTED"
                child.stop_date = now
                if self.on_child is not None:
                    self.on_child(self, child)
        self._changed()

    def reopened(self, now: datetime) -> None:
        """A redriven execution runs a Map Run that had failed or was aborted again."""
        if self.status != "RUNNING":
            self.redrive_count += 1
            self.redrive_date = now
            self.status, self.stop_date = "RUNNING", None
            self._changed()

    # --- the API's side -------------------------------------------------------------------------

    def update(
        self, max_concurrency: int | None, tolerated_count: int | None, tolerated_percentage: float | None
    ) -> None:
        """UpdateMapRun: the new settings hold from now on (a running child is not stopped)."""
        if max_concurrency is not None:
            self.max_concurrency = max_concurrency
            self._hand_over()
        if tolerated_count is not None:
            self.tolerated_count = tolerated_count
            self.tolerance_updated = True
        if tolerated_percentage is not None:
            self.tolerated_percentage = tolerated_percentage
            self.tolerance_updated = True
        self._changed()

    def counts(self) -> dict[str, int]:
        """``itemCounts`` (= ``executionCounts``: one item per child) as DescribeMapRun shows them."""
        by_status = dict.fromkeys(CHILD_STATUSES, 0)
        for child in self.children.values():
            by_status[child.status] += 1
        return {
            "pending": max(self.total - len(self.children), 0),
            "running": by_status["RUNNING"],
            "succeeded": by_status["SUCCEEDED"],
            "failed": by_status["FAILED"],
            "timedOut": 0,
            "aborted": by_status["ABORTED"],
            "total": self.total,
            # AWS counted 2 of 2 succeeded children with no ResultWriter (recorded DescribeMapRun
            # in LocalStack's test_sfn_api_map_run snapshot): their results went to the output
            "resultsWritten": by_status["SUCCEEDED"],
            "failuresNotRedrivable": 0,
            "pendingRedrive": 0,
        }

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)


class MapRunLog(Protocol):
    """Where an execution's Map Runs are kept (the durable runtime's store); see :class:`MapRun`."""

    def open(
        self,
        arn: str,
        map_event: int,
        now: datetime,
        total: int,
        max_concurrency: int,
        tolerated_count: int | None,
        tolerated_percentage: float | None,
        recorded: bool,
    ) -> MapRun:
        """The Map Run with this ARN: a new one, or (``recorded``: a replay handed its ARN back)
        the one kept before, with the settings an UpdateMapRun gave it."""
