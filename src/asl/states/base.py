"""What every state shares: its fields, its history events, Retry, Catch, Assign and the size limit.

A state type implements :meth:`State.execute`, which turns the state's raw input into
``(next state, output)`` for one attempt. :meth:`State.run` wraps it the way AWS does:
the ``Entered`` event, retries with their back-off, the ``Failed`` event of Map and
Parallel, catchers, the ``Exited`` event and the 256 KiB payload limit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from asl._json import to_json
from asl.errors import ErrorName, StatesError
from asl.execution.frame import Frame
from asl.execution.history import ENTERED, EXITED
from asl.failures import StateFailure
from asl.query.jsonata import compile_jsonata, off_loop
from asl.query.payload import compile_template
from asl.states._io import ABSENT, compile_input_path, compile_result_path, passes_through
from asl.states.retry import Catcher, Retrier, matches, retry_delay

__all__ = ["MAX_PAYLOAD_BYTES", "State", "check_size", "error_output"]

#: the largest input or output a state may pass on (AWS: 256 KiB).
MAX_PAYLOAD_BYTES = 256 * 1024

# evaluates an Assign block: (result, raw input, context, frame) -> values to assign
AssignFn = Callable[[Any, Any, Mapping[str, Any], Frame, Any], dict[str, Any]]


_NO_CONTEXT: dict[str, Any] = {}  # shared and never written: states copy before adding to it


def check_size(state_name: str, text: str) -> None:
    """Raise ``States.DataLimitExceeded`` when a serialised payload is over the limit."""
    if len(text) * 4 > MAX_PAYLOAD_BYTES and len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise StatesError(
            ErrorName.DATA_LIMIT_EXCEEDED,
            f"The state/task '{state_name}' returned a result with a size exceeding "
            "the maximum number of bytes service limit.",
        )


class State:
    """A compiled state. Subclasses set ``type_name`` and implement ``execute``."""

    type_name: ClassVar[str] = ""
    has_exited_event: ClassVar[bool] = True
    failed_event: ClassVar[str | None] = None
    aborted_event: ClassVar[str | None] = None
    #: AWS links an EvaluationFailed event to the event before the state's entered event
    #: (Output, Assign, Items evaluated as the state's input is taken in); a Wait's
    #: Seconds/Timestamp failure links to the entered event itself
    evaluation_follows_entered: ClassVar[bool] = False

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        self.name = name
        self.spec = spec
        self.next: str | None = None if spec.get("End") else spec.get("Next")
        self.jsonata = spec.get("QueryLanguage", query_language) == "JSONata"
        self.query_language = "JSONata" if self.jsonata else "JSONPath"
        self.entered_type = f"{self.type_name}StateEntered"
        self.exited_type = f"{self.type_name}StateExited"
        if self.jsonata:
            self.arguments = compile_jsonata(spec["Arguments"], "Arguments") if "Arguments" in spec else None
            self.output = compile_jsonata(spec["Output"], "Output") if "Output" in spec else None
        else:
            self.input_path = compile_input_path(spec.get("InputPath", ABSENT), "InputPath")
            self.output_path = compile_input_path(spec.get("OutputPath", ABSENT), "OutputPath")
            self.parameters = compile_template(spec["Parameters"]) if "Parameters" in spec else None
            self.result_selector = (
                compile_template(spec["ResultSelector"]) if "ResultSelector" in spec else None
            )
            self.result_path = compile_result_path(spec.get("ResultPath", ABSENT))
        self.assign = self._compile_assign(spec.get("Assign"), self.jsonata)
        # JSONPath states whose input and output processing change nothing (no InputPath and
        # Parameters; no ResultSelector, Assign, ResultPath or OutputPath) skip those steps
        self.input_as_is = not self.jsonata and passes_through(self.input_path) and self.parameters is None
        self.result_as_output = (
            not self.jsonata
            and self.result_selector is None
            and self.assign is None
            and spec.get("ResultPath", "$") == "$"
            and passes_through(self.output_path)
        )
        # JSONata expressions may run long: these steps then go through off_loop
        self.offload_input = self.jsonata and self.arguments is not None
        self.offload_finish = self.jsonata and (self.assign is not None or self.output is not None)
        # Building $$ (with its ISO timestamp) is a good part of a simple state's cost; a state
        # whose definition never mentions it (JSONata states may, through $states.context) skips it.
        self.uses_context = self.jsonata or "$$" in json.dumps(spec)
        self.retriers = tuple(Retrier.from_definition(r) for r in spec.get("Retry", ()))
        self.catchers = tuple(Catcher(tuple(c["ErrorEquals"]), c["Next"], c) for c in spec.get("Catch", ()))
        self.catch_handlers = [self._compile_catcher(c) for c in self.catchers]

    def use_every_step(self) -> None:
        """Go through every compiled step, even one that changes nothing (the quick paths skip
        those): TestState wraps the steps to record what each of them produced."""
        self.input_as_is = self.result_as_output = False

    # --- the part each state type writes ---------------------------------------------

    #: True for a state whose attempt never waits (as its type and fields stand): ``run``
    #: calls :meth:`execute_now`, without a coroutine, which is a good part of a quick
    #: state's cost. Set by the state type's ``__init__`` (:meth:`set_immediate`).
    immediate: bool = False
    #: an immediate state without Retry or Catch: nothing in it ever waits, so the interpreter
    #: calls :meth:`run_now` instead of awaiting :meth:`run` (unless it is replaying)
    runs_now: bool = False

    def set_immediate(self, immediate: bool) -> None:
        self.immediate = immediate
        self.runs_now = immediate and not self.retriers and not self.catchers

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        raise NotImplementedError

    def execute_now(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        """:meth:`execute` for an ``immediate`` state."""
        raise NotImplementedError

    # --- the part every state shares -------------------------------------------------

    async def run(self, frame: Frame, raw: Any) -> tuple[str | None, Any]:
        # This runs for every transition: it is written for speed (the history's add called
        # directly, the context and retry counts made only when they are needed).
        run = frame.run
        history = run.history
        if history.replaying:
            await frame.go_live()
        input_text = frame.last_text if frame.last_output is raw and frame.last_text else to_json(raw)
        entered_id = history.add_compact(frame.cursor, self.entered_type, ENTERED, self.name, input_text)
        # the event's time, which a replay after a restart reads back unchanged
        entered_at: Any = history.timestamp(entered_id) if self.uses_context else None
        counts: list[int] | None = None
        retry_count = 0
        while True:
            frame.assigned = None  # a retried attempt's assignments start afresh
            context = frame.context(self.name, entered_at, retry_count) if self.uses_context else _NO_CONTEXT
            try:
                if self.immediate:
                    next_state, output = self.execute_now(frame, raw, context)
                else:
                    next_state, output = await self.execute(frame, raw, context)
                break
            except asyncio.CancelledError:
                self._aborted(frame)
                raise
            except StateFailure as failure:
                error = self._failure(frame, failure, entered_id)
            except StatesError as err:
                error = err
            if error.error == ErrorName.RUNTIME:
                raise error
            if counts is None:
                counts = [0] * len(self.retriers)
            delay = retry_delay(self.retriers, counts, error.error)
            if delay is not None:
                retry_count += 1
                try:
                    if not history.replaying:
                        await run.clock.sleep(delay)
                    elif history.thread_live(frame.cursor):  # a restart cut the back-off short
                        await frame.go_live()
                        await run.clock.sleep(delay)
                except asyncio.CancelledError:
                    self._aborted(frame)
                    raise
                continue
            if self.failed_event:
                frame.event(self.failed_event)
            for catcher, handler in zip(self.catchers, self.catch_handlers, strict=True):
                if matches(catcher.error_equals, error.error):
                    output = await off_loop(handler, frame, raw, error, context)
                    return catcher.next, self._exit(frame, output, raw, input_text)
            raise error
        return next_state, self._exit(frame, output, raw, input_text)

    def run_now(self, frame: Frame, raw: Any) -> tuple[str | None, Any]:
        """:meth:`run` for a state that ``runs_now``: the same events and errors, no coroutine
        (with no Retry and no Catch, a failure is raised as :meth:`run` raises it)."""
        history = frame.run.history
        input_text = frame.last_text if frame.last_output is raw and frame.last_text else to_json(raw)
        entered_id = history.add_compact(frame.cursor, self.entered_type, ENTERED, self.name, input_text)
        frame.assigned = None
        context = (
            frame.context(self.name, history.timestamp(entered_id)) if self.uses_context else _NO_CONTEXT
        )
        try:
            next_state, output = self.execute_now(frame, raw, context)
        except StateFailure as failure:
            error = self._failure(frame, failure, entered_id)
        else:
            return next_state, self._exit(frame, output, raw, input_text)
        raise error

    def _failure(self, frame: Frame, failure: StateFailure, entered_id: int) -> StatesError:
        """A failure as the state's error; an expression's is recorded (EvaluationFailed)."""
        error = failure.in_state(self.name, entered_id)
        if failure.error == ErrorName.QUERY_EVALUATION_ERROR:
            details = {"error": error.error, "cause": error.cause, "state": self.name}
            if failure.location:
                details["location"] = failure.location
            if not self.evaluation_follows_entered:
                history = frame.run.history
                frame.cursor.last_id = history.previous_id(entered_id)
            frame.event("EvaluationFailed", details)
        return error

    def _aborted(self, frame: Frame) -> None:
        if frame.run.aborted and self.aborted_event:  # StopExecution: say where it stopped
            frame.event(self.aborted_event)

    def _exit(self, frame: Frame, output: Any, raw: Any = None, raw_text: str = "") -> Any:
        history = frame.run.history
        if history.replaying:
            recorded = frame.recorded()
            if recorded is not None and recorded["type"] == self.exited_type:
                # a replay passes on what the state really output (States.UUID() differs each time)
                output = json.loads(recorded["stateExitedEventDetails"]["output"])
        # a state that passes its input on unchanged (ResultPath: null) need not serialise it again
        text = raw_text if raw_text and output is raw else to_json(output)
        if len(text) * 4 > MAX_PAYLOAD_BYTES:  # check_size's own first test, without the call
            check_size(self.name, text)
        frame.last_output, frame.last_text = output, text
        assigned = frame.assigned
        if assigned is not None:
            frame.assigned = None
        if self.has_exited_event:
            if assigned:  # AWS lists what the state assigned, each value as JSON text
                details: dict[str, Any] = {
                    "name": self.name,
                    "output": text,
                    "outputDetails": {"truncated": False},
                    "assignedVariables": {name: to_json(value) for name, value in assigned.items()},
                    "assignedVariablesDetails": {"truncated": False},
                }
                history.add(frame.cursor, self.exited_type, details)
            else:
                history.add_compact(frame.cursor, self.exited_type, EXITED, self.name, text)
        return output

    # --- helpers for subclasses --------------------------------------------------------

    async def input_off_loop(self, raw: Any, context: Mapping[str, Any], frame: Frame) -> Any:
        """:meth:`effective_input` for a state whose Arguments evaluate expressions (see off_loop);
        states call it when ``offload_input`` is set, and the plain method otherwise (no coroutine
        on the common path)."""
        return await off_loop(self.effective_input, raw, context, frame)

    async def finish_off_loop(self, frame: Frame, raw: Any, result: Any, context: Mapping[str, Any]) -> Any:
        """:meth:`finish` for a state whose Assign or Output evaluate expressions (``offload_finish``)."""
        return await off_loop(self.finish, frame, raw, result, context)

    def effective_input(self, raw: Any, context: Mapping[str, Any], frame: Frame) -> Any:
        """InputPath then Parameters (JSONPath), or Arguments (JSONata)."""
        if self.input_as_is:
            return raw
        if self.jsonata:
            if self.arguments is None:
                return raw
            return self.arguments(self.states_binding(raw, context), frame.variables)
        value = self.input_path(raw, context, frame.variables) if self.input_path is not None else raw
        if self.parameters is not None:
            value = self.parameters(value, context, frame.variables)
        return value

    def finish(self, frame: Frame, raw: Any, result: Any, context: Mapping[str, Any]) -> Any:
        """ResultSelector, Assign, ResultPath and OutputPath (JSONPath) or Assign and Output (JSONata)."""
        # Assign and Output both see the variables as they were when the state started
        if self.result_as_output:
            return result
        if self.jsonata:
            states = self.states_binding(raw, context, result=result)
            assigned = self.assign(result, raw, context, frame, states) if self.assign is not None else None
            output = result if self.output is None else self.output(states, frame.variables)
        else:
            if self.result_selector is not None:
                result = self.result_selector(result, context, frame.variables)
            assigned = self.assign(result, raw, context, frame, None) if self.assign is not None else None
            output = self.output_path(self.result_path(raw, result), context, frame.variables)
        if assigned:
            frame.assign(assigned)
        return output

    @staticmethod
    def states_binding(raw: Any, context: Mapping[str, Any], **more: Any) -> dict[str, Any]:
        """``$states`` for JSONata expressions."""
        binding = {"input": raw, "context": context}
        binding.update(more)
        return binding

    @staticmethod
    def _compile_assign(spec: Any, jsonata: bool) -> AssignFn | None:
        if spec is None:
            return None
        if jsonata:
            template = compile_jsonata(spec, "Assign")
            # all right-hand sides see the variables as they were before this state
            return lambda result, raw, context, frame, states: template(states, dict(frame.variables))
        build = compile_template(spec)
        return lambda result, raw, context, frame, states: build(result, context, dict(frame.variables))

    def _compile_catcher(
        self, catcher: Catcher
    ) -> Callable[[Frame, Any, StatesError, Mapping[str, Any]], Any]:
        spec = catcher.spec
        assign = self._compile_assign(spec.get("Assign"), self.jsonata)
        if self.jsonata:
            output = compile_jsonata(spec["Output"], "Output") if "Output" in spec else None

            def handle_jsonata(frame: Frame, raw: Any, error: StatesError, context: Mapping[str, Any]) -> Any:
                caught = error_output(error)
                states = self.states_binding(raw, context, errorOutput=caught)
                # evaluate everything before assigning: off_loop may run this twice
                values = assign(caught, raw, context, frame, states) if assign is not None else None
                result = caught if output is None else output(states, frame.variables)
                if values:
                    frame.assign(values)
                return result

            return handle_jsonata
        result_path = compile_result_path(spec.get("ResultPath", ABSENT))

        def handle(frame: Frame, raw: Any, error: StatesError, context: Mapping[str, Any]) -> Any:
            caught = error_output(error)
            if assign is not None:
                frame.assign(assign(caught, raw, context, frame, None))
            return result_path(raw, caught)

        return handle


def error_output(error: StatesError) -> dict[str, Any]:
    output: dict[str, Any] = {}
    if error.error is not None:
        output["Error"] = error.error
    if error.cause is not None:
        output["Cause"] = error.cause
    return output
