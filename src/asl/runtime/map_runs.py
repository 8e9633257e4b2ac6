"""A durable execution's DISTRIBUTED Maps: finished iterations, and Map Runs with their API.

A DISTRIBUTED Map runs each iteration as a child execution: AWS shows only ``MapRun*``
events in the parent's history, so a replay of the parent cannot tell which iterations had
finished and would run them all again. :class:`FinishedIterations` keeps each finished one
(keyed by the Map's ``MapStateStarted`` event id and the item's index) in the execution
store, through the same group commit as the history's events; :class:`DurableHistory`
carries it to the Map state (``Run.iterations``) without a single extra history event.

:class:`MapRuns` keeps each Map Run (:class:`~asl.execution.map_run.MapRun`) in the store as it
changes and answers ListMapRuns, DescribeMapRun, UpdateMapRun and ListExecutions(mapRunArn)
from the live run, or from the store for a run no one drives (ended, or waiting for its
execution to be resumed). :class:`DurableHistory` hands an execution's runs to its Map states.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from asl._json import to_json
from asl.execution.history import History
from asl.execution.map_run import Child, MapRun, MapRunLog
from asl.runtime.api_errors import InvalidArn, ResourceNotFound, ValidationException
from asl.runtime.pages import decode_token, encode_token, page_size
from asl.store.executions import ExecutionStore
from asl.store.map_runs import ChildRow, MapRunRow

__all__ = ["DurableHistory", "FinishedIterations", "MapRuns"]

_MAP_RUN_ARN = re.compile(r"arn:aws[a-z-]*:states:[a-z0-9-]*:\d*:mapRun:[^:/]+/[^:]+:[^:]+")


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
        map_runs: MapRunLog | None = None,
    ) -> None:
        super().__init__(now, listener, sink)
        self.iterations = iterations
        self.map_runs = map_runs


class MapRuns:
    """The Map Runs of a runtime's durable executions: the running ones live, all in the store."""

    def __init__(self, store: ExecutionStore) -> None:
        self.store = store
        self._live: dict[str, tuple[MapRun, MapRunRow]] = {}

    def log(self, execution_id: int, execution_arn: str) -> MapRunLog:
        """What an execution's Map states open their runs with."""
        return _ExecutionRuns(self, execution_id, execution_arn)

    # --- kept as they change ----------------------------------------------------------------------

    def open(self, row: MapRunRow, recorded: bool) -> MapRun:
        """The run of ``row``: a new one, or (``recorded``) the one this runtime or the store has
        by its ARN. Only a replayed run is looked up: reading the store flushes its writes."""
        live = self._live.get(row.arn)
        if live is not None:
            return live[0]
        stored = self.store.map_run(row.arn) if recorded else None
        if stored is None:
            self.store.save_map_run(row)
            children = []
        else:
            row = stored  # a resumed execution's run: its settings may have been updated
            children = self.store.map_run_children(row.arn)
        run = self._run(row, children)
        run.on_change, run.on_child = self._changed, self._child_ended
        self._live[row.arn] = (run, row)
        return run

    def _changed(self, run: MapRun) -> None:
        live = self._live.get(run.arn)
        row = live[1] if live is not None else self.store.map_run(run.arn)
        if row is None:  # a run this runtime never kept (nothing to update)
            return
        row.status, row.stop_date = run.status, run.stop_date
        row.max_concurrency, row.tolerance_updated = run.max_concurrency, run.tolerance_updated
        row.tolerated_count, row.tolerated_percentage = run.tolerated_count, run.tolerated_percentage
        row.redrive_count, row.redrive_date = run.redrive_count, run.redrive_date
        self.store.save_map_run(row)
        if run.status != "RUNNING":
            self._live.pop(run.arn, None)  # the store has all of it now

    def _child_ended(self, run: MapRun, child: Child) -> None:
        output = to_json(child.output) if child.status == "SUCCEEDED" else None
        name, input = run.child_name(child.index), to_json(child.input)
        row = ChildRow(run.arn, child.index, child.status, child.start_date, child.stop_date, name, input)
        row.output, row.error, row.cause = output, child.error, child.cause
        self.store.save_map_run_child(row)

    @staticmethod
    def _run(row: MapRunRow, children: list[ChildRow]) -> MapRun:
        run = MapRun(
            row.arn,
            row.execution_arn,
            row.start_date,
            row.total,
            row.max_concurrency,
            row.tolerated_count,
            row.tolerated_percentage,
        )
        run.status, run.stop_date, run.tolerance_updated = row.status, row.stop_date, row.tolerance_updated
        run.redrive_count, run.redrive_date = row.redrive_count, row.redrive_date
        run.children = {c.item: Child(c.item, c.status, c.start_date, c.stop_date) for c in children}
        return run

    # --- the API ----------------------------------------------------------------------------------

    def find(self, arn: str) -> MapRun:
        """A Map Run by its ARN: InvalidArn for what is not a Map Run's ARN, else ResourceNotFound."""
        if not isinstance(arn, str) or not _MAP_RUN_ARN.fullmatch(arn):
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        live = self._live.get(arn)
        if live is not None:
            return live[0]
        row = self.store.map_run(arn)
        if row is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return self._run(row, self.store.map_run_children(arn))

    def describe_map_run(self, arn: str) -> dict[str, Any]:
        """DescribeMapRun."""
        run = self.find(arn)
        counts = run.counts()
        answer: dict[str, Any] = {
            "mapRunArn": run.arn,
            "executionArn": run.execution_arn,
            "status": run.status,
            "startDate": run.start_date,
            "maxConcurrency": run.max_concurrency,
            "toleratedFailurePercentage": float(run.tolerated_percentage or 0.0),
            "toleratedFailureCount": int(run.tolerated_count or 0),
            "itemCounts": counts,
            "executionCounts": dict(counts),  # one item per child execution (no ItemBatcher)
            "redriveCount": run.redrive_count,
        }
        if run.stop_date is not None:
            answer["stopDate"] = run.stop_date
        if run.redrive_date is not None:
            answer["redriveDate"] = run.redrive_date
        return answer

    def list_map_runs(
        self, execution_id: int, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListMapRuns of one execution, newest first."""
        items = []
        for row in self.store.map_runs(execution_id):
            item: dict[str, Any] = {
                "executionArn": row.execution_arn,
                "mapRunArn": row.arn,
                "stateMachineArn": MapRun.machine_arn_of(row.arn),
                "startDate": row.start_date,
            }
            if row.stop_date is not None:
                item["stopDate"] = row.stop_date
            items.append(item)
        return _page(items, "mapRuns", "mapRuns", max_results, next_token)

    async def update_map_run(
        self,
        arn: str,
        max_concurrency: int | None = None,
        tolerated_failure_percentage: float | None = None,
        tolerated_failure_count: int | None = None,
    ) -> dict[str, Any]:
        """UpdateMapRun: a running run takes the new settings at once (more or fewer children at
        a time, a new failure threshold); they are kept, so a resumed run keeps them too."""
        if (
            max_concurrency is None
            and tolerated_failure_percentage is None
            and tolerated_failure_count is None
        ):
            raise ValidationException(
                "At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount "
                "must be specified"
            )
        _check_range("maxConcurrency", max_concurrency, 0, None)
        _check_range("toleratedFailureCount", tolerated_failure_count, 0, None)
        _check_range("toleratedFailurePercentage", tolerated_failure_percentage, 0, 100)
        run = self.find(arn)
        if run.status != "RUNNING":
            raise ValidationException(
                f"Map Run is not running and cannot be updated: '{arn}' is {run.status}"
            )
        if arn in self._live:
            run.update(max_concurrency, tolerated_failure_count, tolerated_failure_percentage)
        else:  # its execution waits to be resumed: the store keeps the settings for then
            row = self.store.map_run(arn)
            assert row is not None  # find() found it
            if max_concurrency is not None:
                row.max_concurrency = max_concurrency
            if tolerated_failure_count is not None:
                row.tolerated_count, row.tolerance_updated = tolerated_failure_count, True
            if tolerated_failure_percentage is not None:
                row.tolerated_percentage, row.tolerance_updated = tolerated_failure_percentage, True
            self.store.save_map_run(row)
        await self.store.commit()
        return {}

    def describe_child(self, arn: str) -> dict[str, Any] | None:
        """DescribeExecution of a Map Run's child execution (None: ``arn`` names no child).

        AWS answers it with the child's ``mapRunArn`` and its own state machine
        (``MACHINE/LABEL``); it cannot be redriven on its own (its parent is redriven).
        """
        machine, _, name = arn.rpartition(":")
        if "/" not in machine.rpartition(":execution:")[2]:
            return None  # an execution of a state machine, not of a Map Run
        for run, _ in self._live.values():
            for child in run.children.values():
                if run.child_name(child.index) == name and run.child_arn(child.index) == arn:
                    output = to_json(child.output) if child.status == "SUCCEEDED" else None
                    texts = (to_json(child.input), output, child.error, child.cause)
                    return _describe_child(run.arn, arn, child, *texts)
        row = self.store.map_run_child(name)
        if (
            row is None
            or MapRun.machine_arn_of(row.map_run).replace(":stateMachine:", ":execution:", 1) != machine
        ):
            return None
        child = Child(row.item, row.status, row.start_date, row.stop_date)
        return _describe_child(row.map_run, arn, child, row.input, row.output, row.error, row.cause)

    def list_executions(
        self,
        arn: str,
        status_filter: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """ListExecutions(mapRunArn=...): the run's child executions, newest first."""
        run = self.find(arn)
        children = sorted(run.children.values(), key=lambda c: (c.start_date, c.index), reverse=True)
        items = []
        for child in children:
            if status_filter is not None and child.status != status_filter:
                continue
            item: dict[str, Any] = {
                "executionArn": run.child_arn(child.index),
                "stateMachineArn": run.machine_arn,
                "name": run.child_name(child.index),
                "status": child.status,
                "startDate": child.start_date,
                "mapRunArn": run.arn,
                "itemCount": 1,
            }
            if child.stop_date is not None:
                item["stopDate"] = child.stop_date
            items.append(item)
        return _page(items, "executions", "mapRunExecutions", max_results, next_token)


class _ExecutionRuns:
    """One execution's :class:`~asl.execution.map_run.MapRunLog` in a :class:`MapRuns`."""

    __slots__ = ("_execution", "_execution_arn", "_runs")

    def __init__(self, runs: MapRuns, execution_id: int, execution_arn: str) -> None:
        self._runs = runs
        self._execution = execution_id
        self._execution_arn = execution_arn

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
        row = MapRunRow(
            arn, self._execution, map_event, self._execution_arn, "RUNNING", now, None, total,
            max_concurrency, tolerated_count, tolerated_percentage,
        )  # fmt: skip
        return self._runs.open(row, recorded)


def _check_range(field: str, value: float | None, low: float, high: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or (high is None and not isinstance(value, int)):
        raise ValidationException(f"1 validation error detected: Value at '{field}' must be an integer")
    if value < low or (high is not None and value > high):
        bound = f"greater than or equal to {low}" if value < low else f"less than or equal to {high}"
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
            f"Member must have value {bound}"
        )


def _page(
    items: list[dict[str, Any]], key: str, kind: str, max_results: int | None, next_token: str | None
) -> dict[str, Any]:
    """One page of ``items`` under ``key``; the token says which list (``kind``) it pages."""
    size = page_size(max_results)
    start = int(decode_token(next_token, kind)) if next_token else 0
    answer: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        answer["nextToken"] = encode_token(kind, start + size)
    return answer


def _describe_child(
    run_arn: str,
    arn: str,
    child: Child,
    input: str | None,
    output: str | None,
    error: str | None,
    cause: str | None,
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "executionArn": arn,
        "stateMachineArn": MapRun.machine_arn_of(run_arn),
        "name": arn.rpartition(":")[2],
        "status": child.status,
        "startDate": child.start_date,
        "input": input if input is not None else "{}",
        "inputDetails": {"included": True},
        "mapRunArn": run_arn,
        "redriveCount": 0,
        "redriveStatus": "NOT_REDRIVABLE",
        # AWS redrives a Map Run's children through their parent (developer guide, "Redriving
        # Map Runs"); the wording of the reason is this runtime's
        "redriveStatusReason": "Execution is a child workflow execution of a Map Run: redrive its parent.",
    }
    if child.stop_date is not None:
        answer["stopDate"] = child.stop_date
    if output is not None:
        answer["output"], answer["outputDetails"] = output, {"included": True}
    if error is not None:
        answer["error"] = error
    if cause is not None:
        answer["cause"] = cause
    return answer
