"""The Task state: one unit of work done by a resource (a Lambda function or a service)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Mapping
from datetime import timedelta
from typing import Any

from asl._json import to_json
from asl.errors import ErrorName, StatesError
from asl.execution.activities import QueuedTask
from asl.execution.callbacks import TaskTokens, TimedOut, Waiter
from asl.execution.frame import Frame
from asl.execution.history import LAMBDA_SCHEDULED, OUTPUT, TASK_OUTPUT, details_key
from asl.execution.tasks import TaskResult, classify
from asl.execution.turns import turn_due
from asl.failures import StateFailure
from asl.integrations.jobs import SYNC_PATTERNS, Job, Origin
from asl.mocks import MockCase
from asl.query.jsonata import compile_jsonata, off_loop, state_deadline
from asl.states._io import path_value
from asl.states.base import State

__all__ = ["TaskState"]


class TaskState(State):
    type_name = "Task"
    aborted_event = "TaskStateAborted"

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        self.call = classify(spec["Resource"])
        # the task hands out a token and waits for it (send_task_success/failure, an activity worker)
        self.callback = self.call.pattern == ".waitForTaskToken" or self.call.kind == "activity"
        self.timeout = spec.get("TimeoutSeconds")
        self.timeout_path = spec.get("TimeoutSecondsPath")
        # a fixed TimeoutSeconds also bounds the state's expressions (Arguments, Output, Assign)
        self.evaluation_timeout: float | None = None
        timeout = self.timeout
        if self.jsonata and isinstance(timeout, int | float) and not isinstance(timeout, bool):
            self.evaluation_timeout = float(timeout)
        self.timeout_template = (
            compile_jsonata(self.timeout, "TimeoutSeconds")
            if self.jsonata and isinstance(self.timeout, str)
            else None
        )

    def _timeout(self, frame: Frame, raw: Any, effective: Any, context: Mapping[str, Any]) -> float | None:
        value: Any = self.timeout
        if self.timeout_template is not None:
            value = self.timeout_template(self.states_binding(raw, context), frame.variables)
        elif self.timeout_path is not None:
            value = path_value(self.timeout_path, "TimeoutSecondsPath", effective, context, frame.variables)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise StateFailure(
                    ErrorName.RUNTIME,
                    "The TimeoutSecondsPath parameter references an invalid value: "
                    f"{self.timeout_path} == {value}",
                )
        return float(value) if value is not None else None

    def _heartbeat(self, frame: Frame, effective: Any, context: Mapping[str, Any]) -> float | None:
        value: Any = self.spec.get("HeartbeatSeconds")
        path = self.spec.get("HeartbeatSecondsPath")
        if path is not None:
            value = path_value(path, "HeartbeatSecondsPath", effective, context, frame.variables)
        if value is None or (self.jsonata and isinstance(value, str)):
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise StateFailure(
                ErrorName.RUNTIME, f"The HeartbeatSeconds value must be a positive integer, got: {value!r}"
            )
        return float(value)

    def execute(
        self, frame: Frame, raw: Any, context: dict[str, Any]
    ) -> Coroutine[Any, Any, tuple[str | None, Any]]:
        # the attempt's own coroutine, not one around it: one frame fewer for every task
        if self.evaluation_timeout is None:
            return self._execute(frame, raw, context)
        return self._execute_by_deadline(frame, raw, context, self.evaluation_timeout)

    async def _execute_by_deadline(
        self, frame: Frame, raw: Any, context: dict[str, Any], seconds: float
    ) -> tuple[str | None, Any]:
        with state_deadline(seconds):
            return await self._execute(frame, raw, context)

    async def _execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        """One attempt, step by step: the inputs, the scheduled events, the outcome (a call, a
        recorded event, a mocked answer or a callback) and its event, then the state's output."""
        token = ""
        if self.callback:
            # named after the last event of this thread, so a replay hands out the same token
            token = TaskTokens.token_for(frame.run.execution["Id"], frame.cursor.last_id)
            context = {**context, "Task": {"Token": token}}  # a copy: the context may be shared
        if self.offload_input or self.timeout_template is not None:
            parameters, timeout, heartbeat = await self._inputs_off_loop(frame, raw, context)
        else:
            parameters, timeout, heartbeat = self._inputs(frame, raw, context)
        if parameters is raw and frame.last_output is raw and frame.last_text and self.call.kind == "lambda":
            text = payload_text = frame.last_text  # a Lambda ARN's input is its parameters' text
        else:
            text, payload_text = frame.run.tasks.encode(self.call, parameters)
        if self.call.kind == "activity":
            result = await self._activity(frame, text, token, timeout, heartbeat)
        else:
            scheduled = self._scheduled(frame, text, timeout, heartbeat)
            result, result_text, waiter = await self._outcome(
                frame, parameters, payload_text, token, timeout, heartbeat, scheduled
            )
            self._succeeded(frame, result, result_text)
            if waiter is not None:
                waiter.recorded.set()
        return self.next, (
            await self.finish_off_loop(frame, raw, result, context)
            if self.offload_finish
            else self.finish(frame, raw, result, context)
        )

    # --- the steps of one attempt ------------------------------------------------------------

    def _inputs(
        self, frame: Frame, raw: Any, context: dict[str, Any]
    ) -> tuple[Any, float | None, float | None]:
        """The task's parameters, its timeout and its heartbeat (callbacks only), in AWS's order."""
        if self.timeout_path is None and not self.callback:  # nothing reads the effective input
            parameters = self.effective_input(raw, context, frame)
            return parameters, float(self.timeout) if self.timeout is not None else None, None
        effective_raw = self.input_path(raw, context, frame.variables) if not self.jsonata else raw
        parameters = self.effective_input(raw, context, frame)
        timeout = self._timeout(frame, raw, effective_raw, context)
        heartbeat = self._heartbeat(frame, effective_raw, context) if self.callback else None
        return parameters, timeout, heartbeat

    async def _inputs_off_loop(
        self, frame: Frame, raw: Any, context: dict[str, Any]
    ) -> tuple[Any, float | None, float | None]:
        """:meth:`_inputs` when Arguments or TimeoutSeconds evaluate expressions (see off_loop)."""
        effective_raw = self.input_path(raw, context, frame.variables) if not self.jsonata else raw
        parameters = (
            await self.input_off_loop(raw, context, frame)
            if self.offload_input
            else self.effective_input(raw, context, frame)
        )
        timeout = (
            await off_loop(self._timeout, frame, raw, effective_raw, context)
            if self.timeout_template is not None
            else self._timeout(frame, raw, effective_raw, context)
        )
        heartbeat = self._heartbeat(frame, effective_raw, context) if self.callback else None
        return parameters, timeout, heartbeat

    def _scheduled(self, frame: Frame, text: str, timeout: float | None, heartbeat: float | None) -> int:
        """The scheduled and started events; answers the scheduled event's id."""
        call = self.call
        if call.kind == "lambda":
            if timeout is None:
                scheduled = frame.run.history.add_compact(
                    frame.cursor, "LambdaFunctionScheduled", LAMBDA_SCHEDULED, call.resource, text
                )
            else:
                details: dict[str, Any] = {
                    "resource": call.resource,
                    "input": text,
                    "inputDetails": {"truncated": False},
                    "timeoutInSeconds": int(timeout),
                }
                scheduled = frame.event("LambdaFunctionScheduled", details)
            frame.event("LambdaFunctionStarted")
            return scheduled
        resource_type, resource = self._event_names()
        details = {
            "resourceType": resource_type,
            "resource": resource,
            "region": frame.run.tasks.functions.region,
            "parameters": text,
        }
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        if heartbeat is not None:
            details["heartbeatInSeconds"] = int(heartbeat)
        scheduled = frame.event("TaskScheduled", details)
        frame.event("TaskStarted", {"resourceType": resource_type, "resource": resource})
        return scheduled

    async def _outcome(
        self,
        frame: Frame,
        parameters: Any,
        payload_text: str,
        token: str,
        timeout: float | None,
        heartbeat: float | None,
        scheduled: int,
    ) -> tuple[Any, str | None, Waiter | None]:
        """The task's result, with its JSON text when the call wrote it already, and the callback's
        waiter if there was one; a failure or a timeout is recorded before it is raised."""
        waiter: Waiter | None = None
        result_text: str | None = None
        history = frame.run.history
        try:
            recorded = history.peek(frame.cursor) if history.replaying else None
            mock = self._mock(frame) if frame.run.mock is not None else None
            job = frame.run.tasks.job(self.call) if mock is None else None  # states:startExecution ...
            if recorded is not None and recorded["type"] != "TaskSubmitted":
                if mock is not None:
                    mock.skip(self.name)  # so a retry after the restart gets the next mocked call
                return recorded_outcome(recorded), None, None  # the work was done before a restart
            callback = self.callback
            result: Any = None
            if recorded is None:
                if history.replaying:
                    await frame.go_live()
                if mock is not None:
                    result = mock.respond(self.name)
                    callback = False  # Step Functions Local: a mocked callback answers at once
                else:
                    # A handler that only computes runs inline; without a turn now and then one
                    # execution's chain of tasks would hold the loop (and a web server sharing
                    # it) until its next real wait. The turn is taken when something else waits
                    # for the loop (see turns.py).
                    if turn_due():
                        await asyncio.sleep(0)
                    work = (
                        frame.run.tasks.call(self.call, parameters, payload_text, timeout)
                        if job is None
                        else self._start_job(frame, job, parameters, scheduled)
                    )
                    answer = await (
                        asyncio.wait_for(work, timeout) if timeout is not None and not callback else work
                    )
                    result, result_text = answer.value, answer.text
            sync = job is not None and self.call.pattern in SYNC_PATTERNS
            if callback or sync:
                waiter, result = await self._submitted(
                    frame,
                    job if sync else None,
                    token,
                    timeout,
                    heartbeat,
                    scheduled,
                    recorded,
                    result,
                    result_text,
                )
                result_text = None
        except TimeoutError:
            error = StatesError(ErrorName.TIMEOUT, None)
            self._failed(frame, error, timed_out=True)
            raise error from None
        except TimedOut as timed_out:
            error = StatesError(timed_out.error, None)
            self._failed(frame, error, timed_out=True)
            raise error from None
        except StatesError as error:
            if error.error != ErrorName.RUNTIME:
                self._failed(frame, error)
            raise
        finally:
            if waiter is not None:
                frame.run.tasks.tokens.close(waiter)
        return result, result_text, waiter

    def _mock(self, frame: Frame) -> MockCase | None:
        """The execution's mocked test case, when it mocks this state (a hybrid test case lets
        the others call their real resources)."""
        mock = frame.run.mock
        return mock if mock is not None and self.name in mock else None

    async def _submitted(
        self,
        frame: Frame,
        job: Job | None,
        token: str,
        timeout: float | None,
        heartbeat: float | None,
        scheduled: int,
        recorded: dict[str, Any] | None,
        result: Any,
        result_text: str | None,
    ) -> tuple[Waiter | None, Any]:
        """A callback or ``.sync`` task: the TaskSubmitted event with what the call answered, then
        the wait for its token's success or failure, or for the ``job``'s end."""
        resource_type, resource = self._event_names()
        submitted = frame.event(
            "TaskSubmitted",
            {
                "resourceType": resource_type,
                "resource": resource,
                "output": (result_text or to_json(result)) if recorded is None else recorded_output(recorded),
                "outputDetails": {"truncated": False},
            },
        )
        if job is not None:
            started = result if recorded is None else json.loads(recorded_output(recorded))
            return None, await self._job_result(frame, job, started, timeout, scheduled)
        return await self._wait_for_token(frame, token, timeout, heartbeat, scheduled, submitted)

    def _succeeded(self, frame: Frame, result: Any, result_text: str | None) -> None:
        output_text = to_json(result) if result_text is None else result_text
        history = frame.run.history
        if self.call.kind == "lambda":
            history.add_compact(frame.cursor, "LambdaFunctionSucceeded", OUTPUT, output_text)
            return
        resource_type, resource = self._event_names()
        history.add_compact(frame.cursor, "TaskSucceeded", TASK_OUTPUT, resource_type, resource, output_text)

    async def _start_job(self, frame: Frame, job: Job, parameters: Any, scheduled: int) -> TaskResult:
        timestamp = frame.run.history.timestamp(scheduled)
        origin = Origin(frame.run.execution["Id"], scheduled, timestamp)
        return TaskResult(await job.start(self.call.action, self.call.pattern, parameters, origin))

    async def _job_result(
        self, frame: Frame, job: Job, started: Any, timeout: float | None, scheduled: int
    ) -> Any:
        """Wait for a .sync job's end (integrations/jobs.py); a replay hands back its recorded end.
        TimeoutSeconds counts from the recorded TaskScheduled, so it holds across restarts."""
        recorded = frame.recorded()
        if recorded is not None:
            return recorded_outcome(recorded)
        await frame.go_live()
        run = frame.run
        work = asyncio.ensure_future(
            job.result(self.call.action, self.call.pattern, started, lambda: run.aborted)
        )
        if timeout is None:
            return await work
        deadline = run.history.timestamp(scheduled) + timedelta(seconds=timeout)
        # the clock's sleep, so a virtual clock decides the timeout without waiting
        sleeper = asyncio.ensure_future(
            run.clock.sleep(max((deadline - run.clock.now()).total_seconds(), 0.0))
        )
        try:
            await asyncio.wait({work, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            if not work.done():  # timed out, or the execution stopped: the job hears it
                work.cancel()
                await asyncio.wait({work})
        if work.cancelled():
            raise TimeoutError
        return work.result()

    async def _wait_for_token(
        self,
        frame: Frame,
        token: str,
        timeout: float | None,
        heartbeat: float | None,
        scheduled: int,
        submitted: int,
    ) -> tuple[Waiter, Any]:
        """Wait for send_task_success/failure; the deadlines count from the recorded events,
        so they hold across restarts."""
        history = frame.run.history
        recorded = frame.recorded()
        if recorded is not None:  # the answer came before a restart
            outcome = recorded_outcome(recorded)
            return frame.run.tasks.tokens.open(token, None), outcome
        await frame.go_live()
        clock = frame.run.clock
        tokens = frame.run.tasks.tokens
        since = history.timestamp(submitted)
        last_beat = tokens.last_beat_since(token, since) if heartbeat is not None else None
        waiter = tokens.open(token, last_beat)
        deadline = history.timestamp(scheduled) + timedelta(seconds=timeout) if timeout else None
        try:
            kind, first, second = await waiter.wait(clock, deadline, heartbeat)
        except TimedOut:
            frame.run.tasks.tokens.close(waiter, timed_out=True)
            raise
        if kind == "failure":
            frame.run.tasks.tokens.close(waiter)
            raise StatesError(first, second)
        return waiter, first

    async def _activity(
        self, frame: Frame, text: str, token: str, timeout: float | None, heartbeat: float | None
    ) -> Any:
        details: dict[str, Any] = {
            "resource": self.call.resource,
            "input": text,
            "inputDetails": {"truncated": False},
        }
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        if heartbeat is not None:
            details["heartbeatInSeconds"] = int(heartbeat)
        scheduled = frame.event("ActivityScheduled", details)
        tokens = frame.run.tasks.tokens
        activities = frame.run.tasks.activities
        history = frame.run.history
        clock = frame.run.clock
        arn = self.call.resource
        waiter: Waiter | None = None
        try:
            recorded = frame.recorded()
            if recorded is not None and recorded["type"] == "ActivityStarted":
                frame.event("ActivityStarted", recorded["activityStartedEventDetails"])
                recorded = frame.recorded()
            if recorded is not None:
                result = recorded_outcome(recorded)
            else:
                await frame.go_live()
                waiter = tokens.open(token, None)
                last = history.event(frame.cursor.last_id)
                if last["type"] == "ActivityStarted":  # a worker took it before a restart
                    waiter.last_beat = tokens.last_beat_since(token, last["timestamp"])
                else:
                    if arn not in activities.by_arn:
                        cause = f"Activity Does Not Exist: '{arn}'"
                        frame.event("ActivityScheduleFailed", {"error": ErrorName.RUNTIME, "cause": cause})
                        raise StatesError(ErrorName.RUNTIME, cause)

                    def on_started(worker: str, waiter: Waiter = waiter) -> None:
                        frame.event("ActivityStarted", {"workerName": worker})
                        waiter.last_beat = clock.now()

                    activities.schedule(arn, QueuedTask(token, text, on_started))
                deadline = history.timestamp(scheduled) + timedelta(seconds=timeout) if timeout else None
                kind, first, second = await waiter.wait(clock, deadline, heartbeat)
                if kind == "failure":
                    raise StatesError(first, second)
                result = first
        except TimedOut as timed_out:
            if waiter is not None:
                activities.withdraw(arn, token)
                tokens.close(waiter, timed_out=True)
            frame.event("ActivityTimedOut", {"error": timed_out.error})
            raise StatesError(timed_out.error, None) from None
        except StatesError as error:
            if error.error != ErrorName.RUNTIME:
                frame.event("ActivityFailed", _error_details(error))
            raise
        finally:
            if waiter is not None:
                activities.withdraw(arn, token)
                tokens.close(waiter)
        frame.event("ActivitySucceeded", {"output": to_json(result), "outputDetails": {"truncated": False}})
        return result

    def _event_names(self) -> tuple[str, str]:
        call = self.call
        if call.kind == "integration":
            return call.service, call.action + call.pattern
        return "custom", call.resource

    def _failed(self, frame: Frame, error: StatesError, timed_out: bool = False) -> None:
        details = _error_details(error)
        if self.call.kind == "lambda":
            frame.event("LambdaFunctionTimedOut" if timed_out else "LambdaFunctionFailed", details)
        else:
            resource_type, resource = self._event_names()
            frame.event(
                "TaskTimedOut" if timed_out else "TaskFailed",
                {"resourceType": resource_type, "resource": resource, **details},
            )


def _error_details(error: StatesError) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if error.error is not None:
        details["error"] = error.error
    if error.cause is not None:
        details["cause"] = error.cause
    return details


_SUCCEEDED = {"TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"}
_TIMED_OUT = {"TaskTimedOut", "LambdaFunctionTimedOut", "ActivityTimedOut"}


def recorded_output(event: dict[str, Any]) -> str:
    return str(event[details_key(event["type"])]["output"])


def recorded_outcome(event: dict[str, Any]) -> Any:
    """A task's result as its recorded event shows it; raise its recorded failure."""
    kind = event["type"]
    details = event.get(details_key(kind), {})
    if kind in _SUCCEEDED:
        return json.loads(details["output"])
    if kind in _TIMED_OUT:
        raise TimedOut(details.get("error", ErrorName.TIMEOUT))
    raise StatesError(details.get("error"), details.get("cause"))
