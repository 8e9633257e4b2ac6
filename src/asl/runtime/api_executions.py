"""The runtime's executions: start, resume, stop, redrive, and read them (Describe, List, History).

STANDARD executions write their history to the store and are driven here as tasks of the
event loop; EXPRESS executions stay in memory, and the last ones that ended are kept so that
``wait`` and DescribeExecution still see them. Deleting a state machine is settled here, since
it waits for the machine's running executions (see :mod:`asl.runtime.api_machines`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections import OrderedDict
from typing import Any

from asl._json import to_json
from asl._json_limits import JSONLimitError, parse_json
from asl.errors import ASLError, ExecutionAlreadyExists
from asl.execution.clock import Clock
from asl.execution.history import Cursor, History
from asl.execution.ids import uuid4_text
from asl.mocks import MockConfig
from asl.runtime.api_errors import (
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidArn,
    InvalidExecutionInput,
    StateMachineDoesNotExist,
    ValidationException,
)
from asl.runtime.api_machines import DELETED_CAUSE, Machines
from asl.runtime.interpreter import Execution, StateMachine
from asl.runtime.live import LiveExecution
from asl.runtime.map_runs import DurableHistory, FinishedIterations, MapRuns
from asl.runtime.pages import (
    check_name,
    decode_token,
    describe,
    encode_token,
    list_item,
    page_size,
    redrive_status,
)
from asl.runtime.replay import REDRIVEN, replay_plan
from asl.runtime.versions import Target, Versions
from asl.store.executions import ExecutionStore
from asl.store.rows import ExecutionRecord

__all__ = ["MAX_INPUT_BYTES", "MAX_INPUT_DEPTH", "Executions"]

_EXPRESS_KEPT = 10_000

logger = logging.getLogger("asl")


class Executions:
    """The executions a :class:`~asl.runtime.service.Runtime` drives, of the ``machines`` it serves.

    Owns what runs here: the live executions, the EXPRESS ones that ended lately, and the
    stops a deletion asked for. ``mocks`` gives the test case an ``<arn>#<TestCase>`` names;
    ``versions`` resolves version and alias ARNs (see :mod:`asl.runtime.versions`).
    """

    def __init__(
        self,
        store: ExecutionStore,
        clock: Clock,
        machines: Machines,
        mocks: MockConfig,
        versions: Versions | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.machines = machines
        self.mocks = mocks
        self.versions = versions if versions is not None else Versions(store, clock, machines)
        self._live: dict[str, LiveExecution] = {}
        self._stopping: set[asyncio.Task[Any]] = set()
        # the last EXPRESS executions that ended, so wait() and describe can still see them
        self._express_done: OrderedDict[str, ExecutionRecord] = OrderedDict()
        # the Map Runs of their DISTRIBUTED Maps (ListMapRuns, DescribeMapRun, UpdateMapRun)
        self.map_runs = MapRuns(store)

    # --- starting -------------------------------------------------------------------------------

    async def start_execution(
        self, state_machine_arn: str, input: Any = "{}", name: str | None = None
    ) -> dict[str, Any]:
        """StartExecution: ``input`` is JSON text (or a value); ``<arn>#<TestCase>`` uses a mock test case.
        A version or alias ARN runs that version (an alias picks one of its versions)."""
        qualified, _, test_case = state_machine_arn.partition("#")
        target = self.versions.resolve(qualified)
        machine_arn = target.machine_arn
        version, machine = self.machines.starting(machine_arn, target.revision)
        value, text = _input(input)
        if name is None:
            name = uuid4_text()
        check_name(name, "execution name")
        mock = self.mocks.case(machine.name, test_case) if test_case else None
        if machine.type == "EXPRESS":
            execution = Execution(machine, name, value, machine.clock.now())
            execution.mock = mock
            execution.started_with = target.started_details()
            record = ExecutionRecord(
                0, execution.arn, machine_arn, version, name, "RUNNING", text, execution.start_date
            )
            self.versions.started_with(target, record)
            self._spawn(LiveExecution(record, execution), durable=False)
            return {"executionArn": execution.arn, "startDate": execution.start_date}
        arn = f"{machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
        existing = self._live.get(arn)
        found = existing.record if existing else self.store.execution(arn)
        if found is not None:
            if found.status == "RUNNING" and found.input == text:  # StartExecution is idempotent
                return {"executionArn": arn, "startDate": found.start_date}
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        started = machine.clock.now()
        record = ExecutionRecord(
            self.store.next_execution_id(), arn, machine_arn, version, name, "RUNNING", text, started,
            test_case=test_case or None,
        )  # fmt: skip
        self.store.insert_execution(record)
        self.versions.started_with(target, record)
        execution = Execution(machine, name, value, started, history=self._history(machine, record))
        execution.mock = mock
        execution.started_with = target.started_details()
        self._spawn(LiveExecution(record, execution))
        await self.store.commit()
        return {"executionArn": arn, "startDate": started}

    async def start_sync_execution(
        self, state_machine_arn: str, input: Any = "{}", name: str | None = None
    ) -> dict[str, Any]:
        """StartSyncExecution (EXPRESS machines): run to the end and describe the result."""
        named, _, test_case = state_machine_arn.partition("#")
        target = self.versions.resolve(named)
        machine_arn = target.machine_arn
        _, machine = self.machines.starting(machine_arn, target.revision)
        if machine.type != "EXPRESS":
            raise StateMachineDoesNotExist(
                f"StartSyncExecution needs an EXPRESS state machine: '{machine_arn}'"
            )
        value, _text = _input(input)
        mock = self.mocks.case(machine.name, test_case) if test_case else None
        execution = await machine.execute(value, name, sync=True, mock=mock)
        return execution.describe()

    def _history(self, machine: StateMachine, record: ExecutionRecord, resuming: bool = False) -> History:
        # what a resumed execution had finished of its DISTRIBUTED Maps; a new one has nothing yet
        recorded = self.store.map_iterations(record.id) if resuming else {}
        return DurableHistory(
            machine.clock.now,
            machine.on_event,
            functools.partial(self.store.append_event, record.id),
            FinishedIterations(self.store, record.id, recorded),
            self.map_runs.log(record.id, record.arn),
        )

    def _spawn(self, live: LiveExecution, durable: bool = True) -> None:
        self._live[live.record.arn] = live
        live.task = asyncio.ensure_future(self._drive(live, durable))

    async def _drive(self, live: LiveExecution, durable: bool) -> None:
        execution, record = live.execution, live.record
        try:
            await execution.machine._drive(execution)
        except asyncio.CancelledError:
            return  # stop_execution records the end; on close() the execution stays RUNNING
        finally:
            if not live.stopping and self._live.get(record.arn) is live:
                del self._live[record.arn]
        record.status, record.error, record.cause = execution.status, execution.error, execution.cause
        record.output = to_json(execution.output) if execution.status == "SUCCEEDED" else None
        record.stop_date = execution.stop_date
        if durable:
            self.store.update_execution(record)
            if self.machines.is_deleting(record.machine_arn):
                self._settle_deletion(record.machine_arn)
        else:
            self._express_done[record.arn] = record
            if len(self._express_done) > _EXPRESS_KEPT:
                self._express_done.popitem(last=False)

    # --- resuming after a restart ---------------------------------------------------------------

    async def resume(self) -> list[str]:
        """Resume the running STANDARD executions of the machines served here; returns their ARNs.

        Create or register the machines first: executions of machines this runtime does not
        serve stay RUNNING in the store for a runtime that does. Returns once each resumed
        execution has replayed its recorded events (or ended).
        """
        resumed: list[Execution] = []
        for record in list(self.store.executions(status="RUNNING")):
            if record.arn in self._live or not self.machines.serves(record.machine_arn):
                continue
            if self.machines.is_deleting(record.machine_arn):  # it goes with its machine
                continue
            try:
                resumed.append(self._revive(record, redrive=False))
            except ASLError as error:  # e.g. its stored definition no longer compiles: leave it be
                logger.error("execution %s cannot be resumed: %s", record.arn, error)
        for execution in resumed:
            live = self._live.get(execution.arn)
            if live is not None and live.task is not None:
                caught_up = asyncio.ensure_future(execution.history_log.caught_up())
                await asyncio.wait({caught_up, live.task}, return_when=asyncio.FIRST_COMPLETED)
                caught_up.cancel()
        return [execution.arn for execution in resumed]

    def _revive(self, record: ExecutionRecord, redrive: bool) -> Execution:
        _, machine = self.machines.machine(record.machine_arn, record.version)
        events = self.store.events(record.id)
        history = self._history(machine, record, resuming=True)
        history.replay(events, replay_plan(events, redriving=redrive))
        if redrive:
            last = events[-1][0]["id"] if events else 0
            history.add(Cursor(last, REDRIVEN), "ExecutionRedriven", {"redriveCount": record.redrive_count})
        execution = Execution(
            machine, record.name, json.loads(record.input), record.start_date, history=history
        )
        execution.redrive_count = record.redrive_count
        execution.timeout_from = record.redrive_date or record.start_date
        version_arn, alias_arn = self.versions.qualifiers([record]).get(record.arn, (None, None))
        execution.started_with = Target(record.machine_arn, None, version_arn, alias_arn).started_details()
        if record.test_case:
            execution.mock = self.mocks.case(machine.name, record.test_case)
        self._spawn(LiveExecution(record, execution))
        return execution

    # --- stopping and redriving ------------------------------------------------------------------

    async def stop_execution(
        self, execution_arn: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]:
        """StopExecution: the execution ends ABORTED; running branches and tasks are stopped."""
        record = self._record(execution_arn)
        live = self._live.get(execution_arn)
        if live is None or live.task is None or record.status != "RUNNING":
            return {"stopDate": record.stop_date}
        live.stopping = True
        if live.execution.run is not None:
            live.execution.run.aborted = True
        live.task.cancel()
        await asyncio.wait({live.task})
        history = live.execution.history_log
        details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        history.add(Cursor(history.last_id, ""), "ExecutionAborted", details)
        record.status, record.error, record.cause = "ABORTED", error, cause
        record.stop_date = live.execution.stop_date = self.clock.now()
        live.execution.status = "ABORTED"
        del self._live[execution_arn]
        if record.id:
            self.store.update_execution(record)
            await self.store.commit()
            self._settle_deletion(record.machine_arn)
        return {"stopDate": record.stop_date}

    async def redrive_execution(self, execution_arn: str) -> dict[str, Any]:
        """RedriveExecution: rerun only what failed, timed out or was stopped, from where it did."""
        record = self._record(execution_arn)
        status, reason = redrive_status(record, not record.id, self.clock.now(), self._event_count(record))
        if self.machines.is_deleting(record.machine_arn):
            status, reason = "NOT_REDRIVABLE", "its state machine is being deleted"
        if status != "REDRIVABLE":
            raise ExecutionNotRedrivable(f"Execution Not Redrivable: '{execution_arn}': {reason}")
        record.redrive_count += 1
        record.redrive_date = self.clock.now()
        record.status, record.error, record.cause, record.output, record.stop_date = (
            "RUNNING",
            None,
            None,
            None,
            None,
        )
        self.store.update_execution(record)
        self._revive(record, redrive=True)
        await self.store.commit()
        return {"redriveDate": record.redrive_date}

    # --- shutting down -----------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop driving executions (they stay RUNNING in the store)."""
        # a stop a deletion asked for is cancelled too: the next runtime finishes that deletion
        tasks: list[asyncio.Task[Any]] = list(self._stopping)
        tasks += [live.task for live in self._live.values() if live.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self._live.clear()

    # --- reading -------------------------------------------------------------------------------

    def _record(self, execution_arn: str) -> ExecutionRecord:
        live = self._live.get(execution_arn)
        record = live.record if live is not None else self._express_done.get(execution_arn)
        if record is None:
            record = self.store.execution(execution_arn)
        if record is None:
            if not isinstance(execution_arn, str) or not execution_arn.startswith("arn:"):
                raise InvalidArn(f"Invalid Arn: '{execution_arn}'")
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{execution_arn}'")
        return record

    def describe_execution(self, execution_arn: str) -> dict[str, Any]:
        """DescribeExecution (a Map Run's child executions too)."""
        if execution_arn not in self._live:
            child = self.map_runs.describe_child(execution_arn)
            if child is not None:
                return child
        record = self._record(execution_arn)
        return self._describe(record, self._event_count(record))

    def _describe(self, record: ExecutionRecord, events: int = 0) -> dict[str, Any]:
        """DescribeExecution's answer, with the version and alias the execution started with."""
        described = describe(record, self.clock.now(), not record.id, events)
        version_arn, alias_arn = self.versions.qualifiers([record]).get(record.arn, (None, None))
        if version_arn is not None:
            described["stateMachineVersionArn"] = version_arn
        if alias_arn is not None:
            described["stateMachineAliasArn"] = alias_arn
        return described

    def _event_count(self, record: ExecutionRecord) -> int:
        if not record.id or record.status == "RUNNING":
            return 0
        return self.store.event_count(record.id)

    async def wait(self, execution_arn: str) -> dict[str, Any]:
        """Wait until an execution running here ends and its end is on disk; then describe it."""
        live = self._live.get(execution_arn)
        if live is not None and live.task is not None:
            await asyncio.shield(live.task)
            await self.store.commit()
        return self._describe(self._record(execution_arn))

    def list_executions(
        self,
        state_machine_arn: str | None,
        status_filter: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        redrive_filter: str | None = None,
        map_run_arn: str | None = None,
    ) -> dict[str, Any]:
        """ListExecutions, newest first; ``status_filter`` and ``redrive_filter`` (REDRIVEN or
        NOT_REDRIVEN) narrow it down; a version or alias ARN lists the executions started with it.
        With ``map_run_arn`` (and no machine, as on AWS): the child executions of that Map Run."""
        allowed = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
        if status_filter is not None and status_filter not in allowed:
            raise ValueError(f"statusFilter must be one of {', '.join(allowed)}, got {status_filter!r}")
        if redrive_filter not in (None, "REDRIVEN", "NOT_REDRIVEN"):
            raise ValueError(f"redriveFilter must be REDRIVEN or NOT_REDRIVEN, got {redrive_filter!r}")
        if (state_machine_arn is None) == (map_run_arn is None):
            raise ValidationException("Specify either a stateMachineArn or a mapRunArn, but not both")
        if map_run_arn is not None:
            return self.map_runs.list_executions(map_run_arn, status_filter, max_results, next_token)
        assert state_machine_arn is not None
        redriven = None if redrive_filter is None else redrive_filter == "REDRIVEN"
        machine_arn, started_with = self.versions.list_filter(state_machine_arn)
        self.machines.machine(machine_arn)
        size = page_size(max_results)
        after: tuple[str, int] | None = None
        if next_token:
            moment, last_id = decode_token(next_token, "executions")
            after = (str(moment), int(last_id))
        records: list[ExecutionRecord] = []
        answer: dict[str, Any] = {}
        for record in self.store.executions(machine_arn, status_filter, after, redriven, started_with):
            if len(records) == size:
                last = records[-1]
                answer["nextToken"] = encode_token("executions", [last.start_date.isoformat(), last.id])
                break
            records.append(record)
        qualifiers = self.versions.qualifiers(records)
        items = [list_item(record) for record in records]
        for item in items:
            version_arn, alias_arn = qualifiers.get(item["executionArn"], (None, None))
            if version_arn is not None:
                item["stateMachineVersionArn"] = version_arn
            if alias_arn is not None:
                item["stateMachineAliasArn"] = alias_arn
        return {"executions": items, **answer}

    def list_map_runs(
        self, execution_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListMapRuns: the Map Runs an execution started, newest first."""
        record = self._record(execution_arn)
        return self.map_runs.list_map_runs(record.id, max_results, next_token)

    def get_execution_history(
        self,
        execution_arn: str,
        max_results: int | None = None,
        reverse_order: bool = False,
        next_token: str | None = None,
        include_execution_data: bool = True,
    ) -> dict[str, Any]:
        """GetExecutionHistory (not for EXPRESS executions, as on AWS)."""
        record = self._record(execution_arn)
        live = self._live.get(execution_arn)
        if not record.id:
            raise ExecutionDoesNotExist(f"EXPRESS executions have no history API: '{execution_arn}'")
        events = live.execution.history if live is not None else [e for e, _ in self.store.events(record.id)]
        if reverse_order:
            events = events[::-1]
        size = page_size(max_results)
        start = int(decode_token(next_token, "history")) if next_token else 0
        page = events[start : start + size]
        if not include_execution_data:
            page = [_without_data(event) for event in page]
        answer: dict[str, Any] = {"events": page}
        if start + size < len(events):
            answer["nextToken"] = encode_token("history", start + size)
        return answer

    # --- deleting a state machine ---------------------------------------------------------------

    def delete_state_machine(self, state_machine_arn: str) -> dict[str, Any]:
        """DeleteStateMachine: ``{}``, also for a machine that does not exist or is already going.

        >>> runtime.delete_state_machine(arn)  # doctest: +SKIP
        {}
        """
        arn = state_machine_arn
        if not self.machines.begin_deletion(arn):
            return {}
        running = self._running(arn)
        if running:
            self.store.mark_state_machine_deleting(arn)
            for live in running:
                self._stop_at_next_transition(live)
        self._settle_deletion(arn)
        return {}

    def _running(self, machine_arn: str) -> list[LiveExecution]:
        """The STANDARD executions of a machine this runtime is driving."""
        return [
            live for live in self._live.values() if live.record.machine_arn == machine_arn and live.record.id
        ]

    def _stop_at_next_transition(self, live: LiveExecution) -> None:
        # Watch the history's sink rather than every execution's events: only executions of a
        # machine being deleted pay for the check. Replayed events never reach the sink.
        history = live.execution.history_log
        sink = history.sink
        arn = live.record.arn
        stopped: list[asyncio.Task[Any]] = []

        def watching(event: dict[str, Any], thread: str) -> None:
            if sink is not None:
                sink(event, thread)
            # once, though parallel branches may enter states in the same turn of the loop
            if not stopped and not live.stopping and event["type"].endswith("StateEntered"):
                stop = asyncio.ensure_future(
                    self.stop_execution(arn, error="States.Runtime", cause=DELETED_CAUSE)
                )
                stopped.append(stop)
                self._stopping.add(stop)  # a task nobody holds may be collected before it runs
                stop.add_done_callback(self._stopping.discard)

        history.sink = watching

    def _settle_deletion(self, machine_arn: str) -> None:
        """Finish deleting a machine once none of its STANDARD executions runs here any more."""
        if self.machines.is_deleting(machine_arn) and not self._running(machine_arn):
            self.machines.finish_deletion(machine_arn)


#: AWS: an execution's input is at most 256 KiB (as UTF-8)
MAX_INPUT_BYTES = 256 * 1024
#: how deeply an input may nest (AWS states no figure; the runtime walks inputs recursively)
MAX_INPUT_DEPTH = 128


def _input(value: Any) -> tuple[Any, str]:
    if value is None:
        value = "{}"
    text = value if isinstance(value, str) else to_json(value)
    if len(text) > MAX_INPUT_BYTES // 4 and len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        raise ValidationException(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_INPUT_BYTES}"
        )
    if isinstance(value, str):
        try:
            parsed = parse_json(value, max_depth=MAX_INPUT_DEPTH, what="the input")
        except JSONLimitError as err:
            raise InvalidExecutionInput(f"Invalid Execution Input: {err}") from None
        return parsed, to_json(parsed)
    return value, text


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    trimmed: dict[str, Any] = {}
    for key, value in event.items():
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in ("input", "output", "parameters")}
        trimmed[key] = value
    return trimmed
