"""Finished DISTRIBUTED Map iterations of a durable execution, kept beside its history.

A DISTRIBUTED Map runs each iteration as a child execution: AWS shows only ``MapRun*``
events in the parent's history, so a replay of the parent cannot tell which iterations had
finished and would run them all again. :class:`FinishedIterations` keeps each finished one
(keyed by the Map's ``MapStateStarted`` event id and the item's index) in the execution
store, through the same group commit as the history's events; :class:`DurableHistory`
carries it to the Map state (``Run.iterations``) without a single extra history event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from asl.execution.history import History
from asl.store.executions import ExecutionStore

__all__ = ["DurableHistory", "FinishedIterations"]


class FinishedIterations:
    """The :class:`~asl.execution.frame.IterationLog` of one execution in an :class:`ExecutionStore`.

    ``recorded`` is what the store held at resume: ``(map event, index) -> (output, failed)``.
    """

    __slots__ = ("_execution", "_finished", "_store")

    def __init__(
        self,
        store: ExecutionStore,
        execution_id: int,
        recorded: dict[tuple[int, int], tuple[str, bool]] | None = None,
    ) -> None:
        self._store = store
        self._execution = execution_id
        self._finished = recorded if recorded is not None else {}

    def done(self, map_event: int, index: int) -> tuple[str, bool] | None:
        return self._finished.get((map_event, index))

    def record(self, map_event: int, index: int, output: str, failed: bool) -> None:
        self._finished[(map_event, index)] = (output, failed)
        self._store.record_iteration(self._execution, map_event, index, output, failed)


class DurableHistory(History):
    """A durable execution's history, with its finished DISTRIBUTED Map iterations."""

    def __init__(
        self,
        now: Callable[[], datetime],
        listener: Callable[[dict[str, Any]], None] | None,
        sink: Callable[[dict[str, Any], str], None] | None,
        iterations: FinishedIterations,
    ) -> None:
        super().__init__(now, listener, sink)
        self.iterations = iterations
