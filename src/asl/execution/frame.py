"""What a running state can see: its execution (:class:`Run`) and its thread of control (:class:`Frame`).

A :class:`Run` is shared by every branch of one execution: history, clock, the context
object's fixed parts, the task runner and the deadline. A :class:`Frame` is one thread
of control (the execution itself, a Parallel branch or a Map iteration) with its own
history cursor, variable scope and ``$$.Map.Item``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from asl.execution.history import Cursor, History

if TYPE_CHECKING:
    from asl.execution.clock import Clock
    from asl.execution.map_run import MapRunLog
    from asl.execution.tasks import TaskRunner
    from asl.mocks import MockCase

__all__ = ["Frame", "IterationLog", "Run", "Scope", "iso_time"]


def iso_time(moment: datetime) -> str:
    """Timestamps as the context object shows them: ``2024-02-07T13:52:02.123Z``.

    >>> iso_time(datetime(2024, 2, 7, 13, 52, 2, 123999, tzinfo=UTC))
    '2024-02-07T13:52:02.123Z'
    """
    global _last_time
    last = _last_time
    if last[0] is moment:  # a virtual clock hands out one moment until something sleeps
        return last[1]
    utc = moment.astimezone(UTC) if moment.utcoffset() else moment
    # isoformat(timespec="milliseconds") is twice as slow
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
        f".{utc.microsecond // 1000:03d}Z"
    )
    _last_time = (moment, text)
    return text


_last_time: tuple[datetime | None, str] = (None, "")


@dataclass
class Scope:
    """A compiled state list: the top level, a Parallel branch or a Map's ItemProcessor."""

    start_at: str
    states: dict[str, Any]  # name -> asl.states.base.State
    query_language: str = "JSONPath"
    run_scope: Callable[[Scope, Frame, Any], Awaitable[Any]] | None = None


class IterationLog(Protocol):
    """Finished iterations of DISTRIBUTED Map states, kept beside a durable execution's history.

    ``map_event`` is the id of the Map's ``MapStateStarted`` event (a replay hands back the
    same id), ``index`` the item's; ``output`` is the iteration's output as JSON text and
    ``failed`` says it was a tolerated failure (its output is the error's).
    """

    def done(self, map_event: int, index: int) -> tuple[str, bool] | None:
        """``(output, failed)`` of an iteration that finished before, else None."""

    def record(self, map_event: int, index: int, output: str, failed: bool) -> None:
        """Keep a finished iteration (durably, no later than the events added after it)."""


@dataclass
class Run:
    """One execution, as every state in it sees it."""

    history: History
    clock: Clock
    execution: dict[str, Any]  # $$.Execution
    state_machine: dict[str, Any]  # $$.StateMachine
    tasks: TaskRunner
    deadline: datetime | None = None
    aborted: bool = False
    mock: MockCase | None = None  # the mocked test case the execution runs (asl.mocks)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def iterations(self) -> IterationLog | None:
        """The finished DISTRIBUTED Map iterations, when the history keeps them (a durable
        execution's: :class:`asl.runtime.map_runs.DurableHistory`); None in memory."""
        found: IterationLog | None = getattr(self.history, "iterations", None)
        return found

    @property
    def map_runs(self) -> MapRunLog | None:
        """Where the execution's Map Runs are kept, when the runtime keeps them (a durable
        execution's history carries them, as it carries :attr:`iterations`); None in memory."""
        found: MapRunLog | None = getattr(self.history, "map_runs", None)
        return found


class Frame:
    """One thread of control within an execution."""

    __slots__ = ("assigned", "cursor", "last_output", "last_text", "map_item", "run", "variables")

    def __init__(
        self,
        run: Run,
        cursor: Cursor,
        variables: dict[str, Any] | None = None,
        map_item: dict[str, Any] | None = None,
    ) -> None:
        self.run = run
        self.cursor = cursor
        self.variables = variables if variables is not None else {}
        self.map_item = map_item
        # the last state's output and its JSON, so the next state need not serialise it again
        self.last_output: Any = None
        self.last_text = ""
        # what the running state assigned: its exited event lists them (assignedVariables)
        self.assigned: dict[str, Any] | None = None

    def assign(self, values: dict[str, Any]) -> None:
        """Set variables (a state's Assign) and remember them for the state's exited event."""
        if values:
            self.variables.update(values)
            if self.assigned is None:
                self.assigned = dict(values)
            else:
                self.assigned.update(values)

    def child(self, thread: str, map_item: dict[str, Any] | None = None) -> Frame:
        """A branch or iteration: it reads the outer variables, and its own writes stay inside.

        ``thread`` names it for replay: ``"<id of the Map/ParallelStateStarted event>.<index>"``.
        """
        return Frame(self.run, Cursor(self.cursor.last_id, thread), dict(self.variables), map_item)

    def recorded(self) -> dict[str, Any] | None:
        """The next recorded event of this thread when the execution is being replayed."""
        history = self.run.history
        return history.peek(self.cursor) if history.replaying else None

    async def go_live(self) -> None:
        """Before work with side effects: wait until the whole execution has been replayed."""
        history = self.run.history
        if history.replaying and history.thread_live(self.cursor):
            await history.caught_up()

    async def sleep_since(self, seconds: float, since: datetime) -> None:
        """Sleep until ``since + seconds`` on the execution's clock; a replayed sleep that the
        recorded history shows as over is skipped, one cut short by a restart only finishes."""
        if self.run.history.replaying:
            if not self.run.history.thread_live(self.cursor):
                return
            await self.go_live()
        clock = self.run.clock
        target = since + timedelta(seconds=seconds)
        remaining = (target - clock.now()).total_seconds()
        if remaining <= 0:
            await clock.sleep(0.0)
        while remaining > 0:  # a timer may fire a little early: the deadline is never cut short
            await clock.sleep(remaining)
            remaining = (target - clock.now()).total_seconds()

    def context(self, state_name: str, entered: datetime, retry_count: int = 0) -> dict[str, Any]:
        """The context object (``$$``) for a state of this frame."""
        context: dict[str, Any] = {
            "Execution": self.run.execution,
            "State": {"EnteredTime": iso_time(entered), "Name": state_name},
            "StateMachine": self.run.state_machine,
        }
        if retry_count:
            context["State"]["RetryCount"] = retry_count
        if self.map_item is not None:
            context["Map"] = {"Item": self.map_item}
        return context

    def event(self, event_type: str, details: dict[str, Any] | None = None) -> int:
        return self.run.history.add(self.cursor, event_type, details)
