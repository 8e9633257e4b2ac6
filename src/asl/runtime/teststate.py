"""TestState: run one state once, in-process, and answer as AWS's TestState API answers.

The state is compiled by the same state classes an execution uses and runs one attempt of
its own ``execute`` (a Wait does not wait: the run has a :class:`VirtualClock`). What
``inspectionData`` shows is recorded as the state's own input and output steps run: the
tested state is a fresh instance, so its compiled steps (InputPath, Parameters,
ResultSelector, ResultPath, Arguments, finish) are wrapped on that instance alone and
the states of executions pay nothing. An error is then judged as the state's Retry and
Catch would judge it: ``RETRIABLE`` (with the retrier's index and back-off),
``CAUGHT_ERROR`` (with the catcher's output and Next) or ``FAILED``.

>>> request = parse_request('{"Type": "Pass", "Result": 1, "End": true}')  # doctest: +SKIP
>>> await run_test_state(request, {})  # doctest: +SKIP
{'status': 'SUCCEEDED', 'output': '1'}
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from asl._json import to_json
from asl.errors import ASLError, ErrorName, StatesError
from asl.execution.clock import VirtualClock
from asl.execution.frame import Frame, Run, Scope, iso_time
from asl.execution.history import Cursor, History
from asl.execution.map_run import allowed_failures
from asl.failures import StateFailure
from asl.mocks import MockCase
from asl.runtime.api_errors import ValidationException
from asl.runtime.interpreter import StateMachine
from asl.runtime.teststate_request import Mock, TestStateRequest
from asl.states import State
from asl.states.fail import FailState
from asl.states.map import MapState
from asl.states.parallel import ParallelState
from asl.states.pass_ import PassState
from asl.states.retry import Retrier, matches
from asl.states.task import TaskState

__all__ = ["TIME_LIMIT", "run_test_state"]

logger = logging.getLogger("asl")

#: AWS: "The TestState API can run for up to five minutes" (then States.Timeout)
TIME_LIMIT = 300.0

_MACHINE_NAME = "TestStateMachine"


async def run_test_state(request: TestStateRequest, options: Mapping[str, Any]) -> dict[str, Any]:
    """Run the request's state once; ``options`` are the :class:`StateMachine` options (handlers,
    resources, integrations, tables, region ...) its Task calls with."""
    clock = VirtualClock()
    settings = {**options, "name": _MACHINE_NAME, "type": "EXPRESS", "clock": clock}
    if request.role_arn is not None:
        settings["role_arn"] = request.role_arn
    machine = StateMachine(request.machine, **settings)
    state = _find(machine.scope, request.state_name)
    data: dict[str, Any] = {"input": request.input}
    _instrument(state, data)
    frame = _frame(machine, request, state)
    context = _context(frame, request, clock)
    raw = request.input
    try:
        attempt = _attempt(state, frame, raw, context, request, data)
        next_state, output = await asyncio.wait_for(attempt, TIME_LIMIT)
    except TimeoutError:
        error = StatesError(ErrorName.TIMEOUT, "The TestState API ran for more than five minutes.")
    except StateFailure as failure:
        error = failure.in_state(state.name, 1)
    except StatesError as err:
        error = err
    except ASLError:  # the request is refused (a Map's failure count past its items ...)
        raise
    except Exception as bug:  # a defect of the runtime or an integration: an answer, never a crash
        logger.exception("TestState of %s failed inside the runtime", state.name)
        error = StatesError(ErrorName.RUNTIME, f"Internal error in the runtime: {type(bug).__name__}: {bug}")
    else:
        return _answer(request, state, frame, data, "SUCCEEDED", output=(output,), next_state=next_state)
    return _handled(request, state, frame, data, raw, error, context)


# --- running the one attempt ---------------------------------------------------------------------


async def _attempt(
    state: State,
    frame: Frame,
    raw: Any,
    context: dict[str, Any],
    request: TestStateRequest,
    data: dict[str, Any],
) -> tuple[str | None, Any]:
    mock = request.mock
    if isinstance(state, FailState) and not state.jsonata:
        state.input_path(raw, context, frame.variables)  # AWS shows afterInputPath for a Fail state too
    if mock is None:
        return await state.execute(frame, raw, context)
    if isinstance(state, MapState):
        return _mocked_map(state, frame, raw, context, request, mock, data)
    if isinstance(state, ParallelState):
        state.effective_input(raw, context, frame)
        return state.next, state.finish(frame, raw, _mocked(mock), context)
    if isinstance(state, TaskState) and state.call.kind == "activity":
        # an activity waits for a worker: with a mock its input is prepared and the mock answers
        state.effective_input(raw, context, frame)
        return state.next, state.finish(frame, raw, _mocked(mock), context)
    return await state.execute(frame, raw, context)  # the TaskState asks frame.run.mock


def _mocked(mock: Mock) -> Any:
    """The mocked result (a fresh copy), or its error raised as the state's work failing."""
    if mock.error is not None:
        raise StatesError(mock.error, mock.cause)
    return json.loads(json.dumps(mock.result))


class _StateMock(MockCase):
    """The request's mock as the Task state asks for one (Step Functions Local's test cases)."""

    def __init__(self, state: TaskState, mock: Mock) -> None:
        super().__init__("TestState", {})
        self._state = state
        self._mock = mock

    def __contains__(self, state: str) -> bool:
        return state == self._state.name

    def respond(self, state: str) -> Any:
        return _mocked(self._mock)


def _mocked_map(
    state: MapState,
    frame: Frame,
    raw: Any,
    context: dict[str, Any],
    request: TestStateRequest,
    mock: Mock,
    data: dict[str, Any],
) -> tuple[str | None, Any]:
    """A Map tested without running its iterations: its items, their ItemSelector and batches,
    its numbers, and the mocked result (the Map's whole result) through its output steps."""
    variables = frame.variables
    if state.jsonata:
        states = state.states_binding(raw, context)
        items = raw if state.items is None else state.items(states, variables)
        numbers = [state.jsonata_number(frame, states, key, None) for key in _NUMBERS]
        selector_input = raw
    else:
        effective = state.input_path(raw, context, variables)
        items = state.read_items(effective, context, frame) if request.map_item_reader_data is None else None
        numbers = [state.path_number(effective, context, frame, key, kind, None) for key, kind in _KINDS]
        selector_input = effective
    if request.map_item_reader_data is not None:
        items = request.map_item_reader_data  # what the ItemReader read, as given
    if not isinstance(items, list):  # (a JSONPath ItemsPath that selects no array failed above)
        what = "Map state input" if state.jsonata and state.items is None else "The Map state's items"
        raise StateFailure(
            ErrorName.QUERY_EVALUATION_ERROR if state.jsonata else ErrorName.RUNTIME,
            f"{what} must be an array but was: {to_json(items)}",
            prefixed=False,
        )
    if not state.jsonata:
        data["afterItemsPath"] = items
    concurrency, tolerated, percentage = numbers
    state.check_tolerance(tolerated, percentage)
    data["maxConcurrency"] = concurrency or 0
    if tolerated is not None:
        data["toleratedFailureCount"] = tolerated
    if percentage is not None:
        data["toleratedFailurePercentage"] = float(percentage)
    if "ItemSelector" in state.spec or "Parameters" in state.spec:
        data["afterItemSelector"] = [
            state.select_item(frame, selector_input, context, {"Index": index, "Value": item})
            for index, item in enumerate(items)
        ]
    batcher = state.spec.get("ItemBatcher")
    if isinstance(batcher, Mapping):
        data["afterItemBatcher"] = _batches(batcher, data.get("afterItemSelector", items))
    failures = request.map_iteration_failure_count
    if failures is not None:
        if failures > len(items):
            raise ValidationException(
                "stateConfiguration.mapIterationFailureCount cannot exceed the number of items "
                f"({len(items)})."
            )
        if failures > allowed_failures(len(items), tolerated, percentage):
            raise StatesError(
                ErrorName.EXCEED_TOLERATED_FAILURE, "The specified tolerated failure threshold was exceeded"
            )
    return state.next, state.finish(frame, raw, _mocked(mock), context)


_KINDS = (("MaxConcurrency", int), ("ToleratedFailureCount", int), ("ToleratedFailurePercentage", float))
_NUMBERS = tuple(key for key, _ in _KINDS)


def _batches(batcher: Mapping[str, Any], items: list[Any]) -> list[Any]:
    """ItemBatcher's grouping: ``{"Items": [...]}`` of at most MaxItemsPerBatch items, with the
    static BatchInput (MaxInputBytesPerBatch is not applied)."""
    size = batcher.get("MaxItemsPerBatch")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        size = max(len(items), 1)
    batches = []
    for start in range(0, len(items), size):
        batch: dict[str, Any] = {"Items": items[start : start + size]}
        if isinstance(batcher.get("BatchInput"), Mapping):
            batch["BatchInput"] = batcher["BatchInput"]
        batches.append(batch)
    return batches


# --- the run the state sees ----------------------------------------------------------------------


def _find(scope: Scope, name: str) -> State:
    """The compiled state named ``name``, at the top or inside a branch or ItemProcessor."""
    found = scope.states.get(name)
    if isinstance(found, State):
        return found
    for state in scope.states.values():
        inner: list[Scope] = []
        if isinstance(state, ParallelState):
            inner = list(state.branches)
        elif isinstance(state, MapState):
            inner = [state.processor]
        for child in inner:
            try:
                return _find(child, name)
            except LookupError:
                continue
    raise LookupError(name)


def _frame(machine: StateMachine, request: TestStateRequest, state: State) -> Frame:
    now = machine.clock.now()
    name = str(uuid.uuid4())
    role = machine.role_arn
    run = Run(
        history=History(machine.clock.now),
        clock=machine.clock,
        execution={
            "Id": f"{machine.arn.replace(':stateMachine:', ':express:')}:{name}",
            "Input": request.input,
            "Name": name,
            "RoleArn": role,
            "StartTime": iso_time(now),
        },
        state_machine={"Id": machine.arn, "Name": machine.name},
        tasks=machine.tasks,
    )
    if request.mock is not None and isinstance(state, TaskState):
        run.mock = _StateMock(state, request.mock)
    # AWS: a state inside a Map is tested as the first iteration, its input the item
    map_item = {"Index": 0, "Value": request.input} if request.in_map else None
    frame = Frame(run, Cursor(), dict(request.variables), map_item)
    frame.event(state.entered_type, {"name": state.name, "input": to_json(request.input)})
    return frame


def _context(frame: Frame, request: TestStateRequest, clock: VirtualClock) -> dict[str, Any]:
    """``$$``: the run's own, with the retries so far, and what the request's ``context`` gives."""
    context = frame.context(request.state_name, clock.now())
    context["State"]["RetryCount"] = request.retrier_retry_count
    for key, value in (request.context or {}).items():
        context[key] = {**context.get(key, {}), **value}
    if "Execution" in (request.context or {}):
        frame.run.execution = context["Execution"]
    return context


# --- recording inspectionData --------------------------------------------------------------------


def _instrument(state: State, data: dict[str, Any]) -> None:
    """Wrap the tested instance's compiled steps so each value it produces is kept in ``data``."""
    state.use_every_step()  # the quick paths would skip a step that changes nothing
    if state.jsonata:
        arguments = state.arguments
        if arguments is not None:
            state.arguments = _keeping(arguments, data, "afterArguments")
    else:
        state.input_path = _keeping(state.input_path, data, "afterInputPath")
        parameters = state.parameters
        if parameters is not None:
            state.parameters = _keeping(parameters, data, "afterParameters")
        selector = state.result_selector
        if selector is not None:
            state.result_selector = _keeping(selector, data, "afterResultSelector")
        combine = state.result_path

        def result_path(raw: Any, result: Any) -> Any:
            data.setdefault("afterResultSelector", result)
            data["afterResultPath"] = combined = combine(raw, result)
            return combined

        state.result_path = result_path
    finish = state.finish

    def finishing(frame: Frame, raw: Any, result: Any, context: Mapping[str, Any]) -> Any:
        data.setdefault("result", result)
        return finish(frame, raw, result, context)

    # an attribute of this instance only: the class's method, which executions use, is unchanged
    state.__dict__["finish"] = finishing


def _keeping(step: Callable[..., Any], data: dict[str, Any], key: str) -> Callable[..., Any]:
    def kept(*args: Any) -> Any:
        value = step(*args)
        data.setdefault(key, value)  # the first evaluation (a Task reads its InputPath twice)
        return value

    return kept


_ORDER = (
    "input",
    "afterInputPath",
    "afterParameters",
    "afterArguments",
    "afterItemsPath",
    "afterItemSelector",
    "afterItemBatcher",
    "result",
    "afterResultSelector",
    "afterResultPath",
)


def _inspection(state: State, frame: Frame, data: dict[str, Any]) -> dict[str, Any]:
    """inspectionData as AWS shows it: JSON text for values, numbers for a Map's numbers."""
    # no Parameters: the effective input is what InputPath selected (AWS shows both)
    takes_parameters = isinstance(state, TaskState | ParallelState) or (
        isinstance(state, PassState) and not state.has_result
    )
    if "afterInputPath" in data and takes_parameters:
        data.setdefault("afterParameters", data["afterInputPath"])
    # AWS shows the raw result of a Task and a Pass state's Result, not a Map's or Parallel's
    keep_result = isinstance(state, TaskState) or (isinstance(state, PassState) and state.has_result)
    if not keep_result:
        data.pop("result", None)
    shown: dict[str, Any] = {key: to_json(data[key]) for key in _ORDER if key in data}
    for key in ("maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"):
        if key in data:
            shown[key] = data[key]
    if frame.variables:
        shown["variables"] = to_json(frame.variables)
    return shown


# --- the answer ----------------------------------------------------------------------------------


def _handled(
    request: TestStateRequest,
    state: State,
    frame: Frame,
    data: dict[str, Any],
    raw: Any,
    error: StatesError,
    context: dict[str, Any],
) -> dict[str, Any]:
    """An error as the state's Retry, then its Catch, would take it (States.Runtime: neither)."""
    if error.error != ErrorName.RUNTIME:
        for index, retrier in enumerate(state.retriers):
            if matches(retrier.error_equals, error.error):
                if request.retrier_retry_count < retrier.max_attempts:
                    details = {
                        "retryIndex": index,
                        "retryBackoffIntervalSeconds": _back_off(retrier, request.retrier_retry_count),
                    }
                    return _answer(request, state, frame, data, "RETRIABLE", error=error, details=details)
                break  # the first retrier that matches decides; its attempts are spent
        for index, catcher in enumerate(state.catchers):
            if matches(catcher.error_equals, error.error):
                try:
                    output = state.catch_handlers[index](frame, raw, error, context)
                except StatesError as failed:
                    return _answer(request, state, frame, data, "FAILED", error=failed)
                return _answer(
                    request,
                    state,
                    frame,
                    data,
                    "CAUGHT_ERROR",
                    output=(output,),
                    next_state=catcher.next,
                    error=error,
                    details={"catchIndex": index},
                )
    return _answer(request, state, frame, data, "FAILED", error=error)


#: retryBackoffIntervalSeconds is an Integer in AWS's model
_MAX_INTEGER = 2**31 - 1


def _back_off(retrier: Retrier, retries: int) -> int:
    """Seconds before the next retry, in whole seconds (a huge retry count overflows no float)."""
    try:
        delay = retrier.delay(retries)
    except OverflowError:
        delay = float(retrier.max_delay_seconds) if retrier.max_delay_seconds is not None else _MAX_INTEGER
    return min(round(delay), _MAX_INTEGER)


def _answer(
    request: TestStateRequest,
    state: State,
    frame: Frame,
    data: dict[str, Any],
    status: str,
    *,
    output: tuple[Any] | None = None,
    next_state: str | None = None,
    error: StatesError | None = None,
    details: dict[str, int] | None = None,
) -> dict[str, Any]:
    answer: dict[str, Any] = {"status": status}
    if output is not None:
        answer["output"] = to_json(output[0])
    if error is not None:
        if isinstance(error, StateFailure):
            error = error.in_state(state.name, 1)
        if error.error is not None:
            answer["error"] = error.error
        if error.cause is not None:
            answer["cause"] = error.cause
    if next_state is not None:
        answer["nextState"] = next_state
    if request.inspection_level != "INFO":
        inspection = _inspection(state, frame, data)
        if details is not None:
            inspection["errorDetails"] = details
        answer["inspectionData"] = inspection
    return answer
