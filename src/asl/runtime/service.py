"""The durable runtime: Step Functions' execution API over an :class:`~asl.store.ExecutionStore`.

STANDARD executions write every history event to the store (group-committed) and a new
process resumes the ones that were running by replaying their events: recorded task
results are handed back instead of running the task again. EXPRESS executions stay in
memory. Method names follow the AWS API in snake_case; answers are shaped as boto3's.

What a STANDARD execution is promised, as on AWS:

* each state transition happens once: a replay hands back recorded events and never
  records them twice; Wait states and task timeouts keep their deadlines (they count from
  recorded timestamps); a stored heartbeat keeps HeartbeatSeconds counting from it;
* a task runs at least once: one whose result was recorded is not run again, one that was
  started but whose result was not recorded when the process died is run again, so task
  handlers should be idempotent (AWS documents the same for Standard workflows);
* what the API acknowledges is on disk: StartExecution, SendTask*, GetActivityTask,
  StopExecution and RedriveExecution return after the group commit holding their writes.
  Commits survive the process being killed (SQLite WAL, ``synchronous=NORMAL``); with
  ``ExecutionStore(..., synchronous="FULL")`` or ``ASL_SYNCHRONOUS=FULL`` a power cut too.

A DISTRIBUTED Map's iterations are child executions whose events the parent's history does
not show (only ``MapRun*``, as on AWS): each finished one is kept beside the history
(:mod:`asl.runtime.map_runs`), so a resumed or redriven Map runs only the iterations that
had not finished (a tolerated failure counts as finished). Not kept across restarts: tasks of
activities no worker had taken (they are queued again, which is harmless).

>>> runtime = Runtime(ExecutionStore("executions.sqlite"), handlers={...})  # doctest: +SKIP
>>> arn = runtime.create_state_machine("Orders", definition)["stateMachineArn"]  # doctest: +SKIP
>>> await runtime.resume()  # doctest: +SKIP
>>> started = await runtime.start_execution(arn, input='{"id": 1}', name="order-1")  # doctest: +SKIP
>>> await runtime.wait(started["executionArn"])  # doctest: +SKIP
>>> await runtime.close()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from asl._json import to_json
from asl._json_limits import JSONLimitError, parse_json
from asl.errors import ASLError, ExecutionAlreadyExists
from asl.integrations.lambda_ import DEFAULT_ACCOUNT, DEFAULT_REGION
from asl.mocks import MockConfig
from asl.runtime.activities import Activities
from asl.runtime.api_activities import ActivityAPI
from asl.runtime.api_callbacks import CallbackAPI
from asl.runtime.api_errors import (
    ExecutionNotRedrivable,
    InvalidExecutionInput,
    StateMachineDoesNotExist,
    ValidationException,
)
from asl.runtime.api_machines import StateMachineAPI
from asl.runtime.api_queries import QueryAPI
from asl.runtime.callbacks import TaskTokens
from asl.runtime.clock import Clock, RealClock
from asl.runtime.history import Cursor, History
from asl.runtime.interpreter import Execution, StateMachine
from asl.runtime.live import LiveExecution
from asl.runtime.map_runs import DurableHistory, FinishedIterations
from asl.runtime.pages import check_name, redrive_status
from asl.runtime.replay import REDRIVEN, replay_plan
from asl.store.executions import ExecutionStore
from asl.store.rows import ExecutionRecord

__all__ = ["RETENTION", "Runtime"]

_EXPRESS_KEPT = 10_000

logger = logging.getLogger("asl")


#: how long AWS keeps a closed execution (and its history)
RETENTION = timedelta(days=90)


class Runtime(StateMachineAPI, ActivityAPI, CallbackAPI, QueryAPI):
    """State machines and their executions, durable on SQLite (STANDARD) or in memory (EXPRESS).

    ``store`` defaults to the file beside the local tables (``ExecutionStore(":memory:")``
    for tests). ``handlers``, ``resources``, ``integrations``, ``tables``, ``region`` ... are
    StateMachine options for machines made with :meth:`create_state_machine` (state machines
    are created, described and deleted by :class:`~asl.runtime.api_machines.StateMachineAPI`);
    :meth:`register` adds a machine built elsewhere, with its own handlers. ``mock_config``
    is a Step Functions Local mock file (or its contents). Use the runtime from one event
    loop, and :meth:`close` it: what was not yet committed is otherwise replayed on resume.
    """

    def __init__(
        self,
        store: ExecutionStore | None = None,
        *,
        clock: Clock | None = None,
        mock_config: MockConfig | Mapping[str, Any] | str | Path | None = None,
        **machine_options: Any,
    ) -> None:
        self.store = store if store is not None else ExecutionStore()
        self.clock: Clock = clock or RealClock()
        self.tokens = TaskTokens()
        self.activities = Activities()
        self.machine_options = machine_options
        self.region = str(machine_options.get("region", DEFAULT_REGION))
        self.account = str(machine_options.get("account", DEFAULT_ACCOUNT))
        self.mocks = _load_mocks(mock_config)
        self._machines: dict[str, tuple[int, StateMachine]] = {}
        self._live: dict[str, LiveExecution] = {}
        self._deleting: set[str] = set()  # machines DELETING until their running executions end
        self._stopping: set[asyncio.Task[Any]] = set()
        self._finish_pending_deletions()
        # the last EXPRESS executions that ended, so wait() and describe can still see them
        self._express_done: OrderedDict[str, ExecutionRecord] = OrderedDict()
        for arn, name, created in self.store.activities():
            self.activities.add(arn, name, created)
        self.tokens.beats = self.store.heartbeats()
        self.tokens.on_beat = self.store.record_heartbeat

    # --- starting -------------------------------------------------------------------------------

    async def start_execution(
        self, state_machine_arn: str, input: Any = "{}", name: str | None = None
    ) -> dict[str, Any]:
        """StartExecution: ``input`` is JSON text (or a value); ``<arn>#<TestCase>`` uses a mock test case."""
        machine_arn, _, test_case = state_machine_arn.partition("#")
        version, machine = self._starting(machine_arn)
        value, text = _input(input)
        if name is None:
            name = str(uuid.uuid4())
        check_name(name, "execution name")
        mock = self.mocks.case(machine.name, test_case) if test_case else None
        if machine.type == "EXPRESS":
            execution = Execution(machine, name, value, machine.clock.now())
            execution.mock = mock
            record = ExecutionRecord(
                0, execution.arn, machine_arn, version, name, "RUNNING", text, execution.start_date
            )
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
        execution = Execution(machine, name, value, started, history=self._history(machine, record))
        execution.mock = mock
        self._spawn(LiveExecution(record, execution))
        await self.store.commit()
        return {"executionArn": arn, "startDate": started}

    async def start_sync_execution(
        self, state_machine_arn: str, input: Any = "{}", name: str | None = None
    ) -> dict[str, Any]:
        """StartSyncExecution (EXPRESS machines): run to the end and describe the result."""
        machine_arn = state_machine_arn.partition("#")[0]
        _, machine = self._starting(machine_arn)
        if machine.type != "EXPRESS":
            raise StateMachineDoesNotExist(
                f"StartSyncExecution needs an EXPRESS state machine: '{machine_arn}'"
            )
        value, _text = _input(input)
        execution = await machine.execute(value, name, sync=True)
        return execution.describe()

    def _history(self, machine: StateMachine, record: ExecutionRecord, resuming: bool = False) -> History:
        # what a resumed execution had finished of its DISTRIBUTED Maps; a new one has nothing yet
        recorded = self.store.map_iterations(record.id) if resuming else {}
        return DurableHistory(
            machine.clock.now,
            machine.on_event,
            functools.partial(self.store.append_event, record.id),
            FinishedIterations(self.store, record.id, recorded),
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
            if record.machine_arn in self._deleting:
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
            if record.arn in self._live or record.machine_arn not in self._machines:
                continue
            if record.machine_arn in self._deleting:  # it goes with its machine
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
        _, machine = self._machine(record.machine_arn, record.version)
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
        history.add(Cursor(len(history.events), ""), "ExecutionAborted", details)
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
        if record.machine_arn in self._deleting:
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

    def purge(self, retention: timedelta = RETENTION) -> int:
        """Delete the executions that closed more than ``retention`` ago, with their history, and
        give the store's space back; returns how many. AWS keeps a closed execution 90 days.

        >>> runtime.purge(timedelta(days=7))  # doctest: +SKIP
        12
        """
        return self.store.purge(self.clock.now() - retention)

    async def close(self) -> None:
        """Stop driving executions (they stay RUNNING in the store) and close the store."""
        # a stop a deletion asked for is cancelled too: the next runtime finishes that deletion
        tasks: list[asyncio.Task[Any]] = list(self._stopping)
        tasks += [live.task for live in self._live.values() if live.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self._live.clear()
        self.store.close()


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


def _load_mocks(config: MockConfig | Mapping[str, Any] | str | Path | None) -> MockConfig:
    """A mock configuration from a file, its parsed contents, or nothing (no test cases)."""
    if config is None:
        return MockConfig({})
    if isinstance(config, MockConfig):
        return config
    if isinstance(config, Mapping):
        return MockConfig(config)
    return MockConfig.load(config)
