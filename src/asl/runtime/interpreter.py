"""State machines and their executions: the public face of the runtime.

>>> machine = StateMachine({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}})
>>> machine.run({"x": 1}).output
{'x': 1}
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from asl._json import to_json
from asl.definition import load_definition
from asl.errors import ASLError, StatesError
from asl.execution.clock import Clock, RealClock
from asl.execution.frame import Frame, Run, iso_time
from asl.execution.history import OUTPUT, Cursor, History
from asl.execution.ids import uuid4_text
from asl.execution.scope import run_scope
from asl.execution.tasks import Integration, TaskRunner
from asl.integrations.lambda_ import DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaFunctions
from asl.integrations.lambda_http import LambdaEndpoint
from asl.integrations.local import stand_ins
from asl.integrations.outbox import SENDER, Outbox
from asl.mocks import MockCase
from asl.query.jsonata import EvaluationPastDeadline, execution_deadline
from asl.states import compile_scope
from asl.states.base import check_size
from asl.states.wait import ExecutionTimedOut

__all__ = ["Execution", "StateMachine"]

logger = logging.getLogger("asl")


_EXECUTOR: ThreadPoolExecutor | None = None


def _shared_executor() -> ThreadPoolExecutor:
    """One thread pool for every machine's sync handlers (asyncio.run would drop its own)."""
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = ThreadPoolExecutor(max_workers=32, thread_name_prefix="asl-task")
    return _EXECUTOR


class Execution:
    """One run of a state machine: status, output or error, and its history."""

    def __init__(
        self,
        machine: StateMachine,
        name: str,
        input: Any,
        started: datetime,
        sync: bool = False,
        history: History | None = None,
    ) -> None:
        self.machine = machine
        self.name = name
        self.sync = sync
        if machine.type == "EXPRESS":
            self.arn = f"{machine.arn.replace(':stateMachine:', ':express:')}:{name}:{uuid4_text()}"
        else:
            self.arn = f"{machine.arn.replace(':stateMachine:', ':execution:')}:{name}"
        self.input = input
        self.start_date = started
        self.stop_date: datetime | None = None
        self.status = "RUNNING"
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.history_log = history if history is not None else History(machine.clock.now, machine.on_event)
        self.history_log.observed = (machine.arn, self.arn)  # metrics and transition log lines
        self._done: asyncio.Event | None = None  # made when someone waits for the end
        # set by asl.Runtime: redrives so far, when the timeout counts from, the mocked test case
        self.redrive_count = 0
        self.timeout_from = started
        self.mock: MockCase | None = None
        self.run: Run | None = None
        # the version and alias it was started with, as ExecutionStarted's details name them
        self.started_with: dict[str, str] = {}

    @property
    def history(self) -> list[dict[str, Any]]:
        """The events, as GetExecutionHistory lists them."""
        return self.history_log.events

    async def result(self) -> Execution:
        """Wait until the execution has ended."""
        if self.status == "RUNNING":
            if self._done is None:
                self._done = asyncio.Event()
            await self._done.wait()
        return self

    def describe(self) -> dict[str, Any]:
        """DescribeExecution's shape."""
        described: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.machine.arn,
            "name": self.name,
            "status": self.status,
            "startDate": self.start_date,
            "input": to_json(self.input),
        }
        if self.stop_date is not None:
            described["stopDate"] = self.stop_date
        if self.status == "SUCCEEDED":
            described["output"] = to_json(self.output)
        if self.error is not None:
            described["error"] = self.error
        if self.cause is not None:
            described["cause"] = self.cause
        return described

    def __repr__(self) -> str:
        return f"<Execution {self.name} {self.status}>"


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class StateMachine:
    """A compiled state machine, ready to run executions in-process.

    ``handlers`` maps Lambda function names (or ARNs) to Python handlers; ``tables`` is an
    ``asl.dynamodb.TableStore`` serving ``dynamodb:*`` tasks; ``resources`` maps any other
    resource ARN to a callable of the task's parameters. ``sns:publish``, ``sqs:sendMessage``
    and ``events:putEvents`` are served locally unless ``integrations`` serves them: what they
    send is kept in :attr:`outbox` (``outbox`` shares one between machines). Lambda functions
    no handler serves are invoked over HTTP at ``lambda_endpoint`` (``sam local start-lambda``).
    Sync handlers run inline on the event loop; ``task_threads=True`` runs them on a thread
    pool, for handlers that block (a handler holding the loop for 0.1 s or more is named in a
    warning).
    """

    def __init__(
        self,
        definition: Mapping[str, Any] | str | Path,
        handlers: Mapping[str, Callable[..., Any]] | None = None,
        substitutions: Mapping[str, Any] | None = None,
        *,
        name: str = "StateMachine",
        type: str = "STANDARD",
        clock: Clock | None = None,
        tables: Any = None,
        resources: Mapping[str, Callable[[Any], Any]] | None = None,
        integrations: Mapping[str, Integration] | None = None,
        role_arn: str | None = None,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        task_threads: bool = False,
        validate: bool = True,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        outbox: Outbox | None = None,
        lambda_endpoint: LambdaEndpoint | str | None = None,
    ) -> None:
        self.definition = load_definition(definition, substitutions)
        if validate:
            from asl.validate import validate as validate_definition

            try:
                validate_definition(self.definition)
            except RecursionError:
                from asl.errors import DefinitionError

                raise DefinitionError("the definition nests too deeply") from None
        self.name = name
        self.type = type
        self.clock: Clock = clock or RealClock()
        self.arn = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
        self.role_arn = role_arn or f"arn:aws:iam::{account}:role/StepFunctionsRole"
        self.on_event = on_event
        try:
            self.scope = compile_scope(self.definition)
        except RecursionError:
            from asl.errors import DefinitionError

            raise DefinitionError(
                "the definition nests too deeply (a path, an expression or a value)"
            ) from None
        except (KeyError, ValueError, TypeError) as err:
            from asl.errors import DefinitionError

            raise DefinitionError(f"the definition cannot be compiled: {err}") from None
        self.timeout: float | None = self.definition.get("TimeoutSeconds")
        all_integrations: dict[str, Integration] = dict(integrations or {})
        if tables is not None:
            from asl.integrations.dynamodb import invoke as dynamodb_invoke

            all_integrations.setdefault("dynamodb", functools.partial(dynamodb_invoke, tables))
        self.outbox = outbox if outbox is not None else Outbox()
        for service, stand_in in stand_ins(self.outbox).items():
            # a callable registered for the exact ARN (resources=) keeps serving it
            if not any(arn.startswith(f"arn:aws:states:::{service}:") for arn in resources or {}):
                all_integrations.setdefault(service, stand_in)
        functions = LambdaFunctions(
            handlers,
            executor=_shared_executor(),
            threads=task_threads,
            region=region,
            account=account,
            endpoint=lambda_endpoint,
        )
        self.tasks = TaskRunner(functions, all_integrations, resources)

    # --- running -------------------------------------------------------------------------

    def run(self, input: Any = None, name: str | None = None) -> Execution:
        """Run an execution to its end and return it (blocking)."""
        if _loop_running():
            raise ASLError("StateMachine.run() blocks; inside an event loop use 'await machine.execute(...)'")
        return asyncio.run(self.execute(input, name))

    async def start(self, input: Any = None, name: str | None = None) -> Execution:
        """Start an execution in the background; ``await execution.result()`` waits for it."""
        execution = self._new_execution(input, name)
        task = asyncio.ensure_future(self._drive(execution))
        execution._task = task  # type: ignore[attr-defined]  # keeps a reference so it is not collected
        return execution

    async def execute(
        self, input: Any = None, name: str | None = None, *, sync: bool = False, mock: MockCase | None = None
    ) -> Execution:
        """Run an execution to its end (async); ``sync`` is StartSyncExecution (EXPRESS); ``mock``
        the mocked test case it runs (:mod:`asl.mocks`)."""
        execution = self._new_execution(input, name, sync)
        execution.mock = mock
        await self._drive(execution)
        return execution

    def _new_execution(self, input: Any, name: str | None, sync: bool = False) -> Execution:
        if input is None:
            input = {}
        return Execution(self, name or uuid4_text(), input, self.clock.now(), sync)

    async def _within_deadline(self, work: Any, deadline: datetime) -> Any:
        """The execution's TimeoutSeconds on the real clock also stops work in progress (a task
        still running); a virtual clock times out where it waits (see states/wait.py)."""
        remaining = (deadline - self.clock.now()).total_seconds()
        try:
            return await asyncio.wait_for(work, max(remaining, 0.0))
        except TimeoutError:
            raise ExecutionTimedOut() from None

    async def _drive(self, execution: Execution) -> None:
        started = execution.start_date
        execution_context = {
            "Id": execution.arn,
            "Input": execution.input,
            "StartTime": iso_time(started),
            "Name": execution.name,
            "RoleArn": self.role_arn,
        }
        if not execution.sync:  # StartSyncExecution's context has no RedriveCount
            execution_context["RedriveCount"] = execution.redrive_count
        run = Run(
            history=execution.history_log,
            clock=self.clock,
            execution=execution_context,
            state_machine={"Id": self.arn, "Name": self.name},
            tasks=self.tasks,
            deadline=execution.timeout_from + timedelta(seconds=self.timeout) if self.timeout else None,
        )
        run.mock = execution.mock
        execution.run = run
        SENDER.set((execution.arn, self.arn))  # what the local sns/sqs/events record as the sender
        if run.deadline is not None and isinstance(self.clock, RealClock):
            # an expression still evaluating at the deadline stops there (this task's context)
            execution_deadline(time.monotonic() + (run.deadline - self.clock.now()).total_seconds())
        frame = Frame(run, Cursor())
        input_text = to_json(execution.input)
        frame.event(
            "ExecutionStarted",
            {
                "input": input_text,
                "inputDetails": {"truncated": False},
                "roleArn": self.role_arn,
                **execution.started_with,
            },
        )
        # the first state's entered event shows the same text; the last state's exited event
        # wrote the text ExecutionSucceeded shows (see State.run: each is written once)
        frame.last_output, frame.last_text = execution.input, input_text
        # AWS links the first state's entered event to no event (previousEventId 0), not to
        # ExecutionStarted; everything after it follows the thread as usual
        frame.cursor.last_id = 0
        try:
            work = run_scope(self.scope, frame, execution.input)
            if run.deadline is None or not isinstance(self.clock, RealClock):
                output = await work
            else:
                output = await self._within_deadline(work, run.deadline)
            text = frame.last_text if output is frame.last_output and frame.last_text else to_json(output)
            check_size("ExecutionSucceeded", text)
        except StatesError as error:
            execution.status, execution.error, execution.cause = "FAILED", error.error, error.cause
            details = {k: v for k, v in (("error", error.error), ("cause", error.cause)) if v is not None}
            frame.event("ExecutionFailed", details)
        except (ExecutionTimedOut, EvaluationPastDeadline):
            execution.status = "TIMED_OUT"
            frame.event("ExecutionTimedOut", {})
        except Exception as bug:  # a defect of the runtime or an integration: fail, never crash the caller
            logger.exception("execution %s failed inside the runtime", execution.arn)
            execution.status, execution.error = "FAILED", "States.Runtime"
            execution.cause = f"Internal error in the runtime: {type(bug).__name__}: {bug}"
            frame.event("ExecutionFailed", {"error": execution.error, "cause": execution.cause})
        else:
            execution.status, execution.output = "SUCCEEDED", output
            run.history.add_compact(frame.cursor, "ExecutionSucceeded", OUTPUT, text)
        finally:
            execution.history_log.abandon_replay()
            execution.stop_date = self.clock.now()
            if execution._done is not None:
                execution._done.set()
