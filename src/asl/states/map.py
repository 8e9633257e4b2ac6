"""The Map state: runs its ItemProcessor once per item, at most MaxConcurrency at a time.

INLINE iterations log ``MapIteration*`` events in the execution's history; DISTRIBUTED
ones run as child executions (over inline items here) and the parent shows ``MapRun*``.
A durable execution keeps each finished DISTRIBUTED iteration beside its history
(``Run.iterations``), so after a restart only the unfinished ones run again.
A failed iteration fails the Map unless ToleratedFailureCount/Percentage allow it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import uuid
from collections.abc import Mapping
from typing import Any

from asl._json import to_json
from asl.errors import ErrorName, StatesError
from asl.execution.frame import Frame
from asl.execution.history import History
from asl.execution.map_run import MapRun, allowed_failures
from asl.execution.scope import run_scope
from asl.failures import StateFailure
from asl.query.jsonata import compile_jsonata, expression_text, is_expression, off_loop
from asl.query.jsonpath import PathNotFound, resolve
from asl.query.payload import compile_template
from asl.states._io import path_value
from asl.states.base import State, error_output

__all__ = ["MapState"]


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def _as_number(value: Any) -> float | int | None:
    """A number, or a string holding one: AWS reads "1" from a path as 1."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class MapState(State):
    type_name = "Map"
    aborted_event = "MapStateAborted"
    failed_event = "MapStateFailed"

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        from asl.states import compile_scope

        processor = spec.get("ItemProcessor") or spec["Iterator"]
        self.processor = compile_scope(processor, self.query_language, f"{name}/ItemProcessor")
        config = processor.get("ProcessorConfig", {})
        self.distributed = config.get("Mode") == "DISTRIBUTED"
        selector = spec.get("ItemSelector", spec.get("Parameters"))
        self.items_path = spec.get("ItemsPath", "$")
        if self.jsonata:
            self.items = compile_jsonata(spec["Items"], "Items") if "Items" in spec else None
            self.jsonata_selector = (
                compile_jsonata(selector, "ItemSelector") if selector is not None else None
            )
            self.numbers = {
                key: compile_jsonata(spec[key], key)
                for key in ("MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage")
                if key in spec
            }
        else:
            self.selector = compile_template(selector) if selector is not None else None

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        if self.jsonata:
            states = self.states_binding(raw, context)
            items = raw if self.items is None else await off_loop(self.items, states, frame.variables)
            if not isinstance(items, list) and self.items is None:
                # no Items: AWS iterates over the input itself; its message names no
                # expression and no state (an EvaluationFailed event still records it)
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"Map state input must be an array but was: {to_json(items)}",
                    prefixed=False,
                )
            if not isinstance(items, list):
                expression = self.spec["Items"]
                text = expression_text(expression) if is_expression(expression) else to_json(expression)
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression '{text}' specified for the field 'Items' returned an "
                    f"unexpected result type. Expected 'array', but was '{_json_type(items)}' "
                    f"for value: {to_json(items)}",
                    location="Items",
                )
            concurrency = await off_loop(self.jsonata_number, frame, states, "MaxConcurrency", 0)
            started = frame.event("MapStateStarted", {"length": len(items)})
            tolerated = await off_loop(self.jsonata_number, frame, states, "ToleratedFailureCount", None)
            percentage = await off_loop(
                self.jsonata_number, frame, states, "ToleratedFailurePercentage", None
            )
            selector_input = raw
        else:
            effective = self.input_path(raw, context, frame.variables)
            items = self.read_items(effective, context, frame)
            concurrency = self.path_number(effective, context, frame, "MaxConcurrency", int, 0)
            started = frame.event("MapStateStarted", {"length": len(items)})
            tolerated = self.path_number(effective, context, frame, "ToleratedFailureCount", int, None)
            percentage = self.path_number(
                effective, context, frame, "ToleratedFailurePercentage", float, None
            )
            selector_input = effective
        self.check_tolerance(tolerated, percentage)
        map_run = None
        if self.distributed:
            map_run = await self._open_map_run(frame, started, len(items), concurrency, tolerated, percentage)
        # AWS chains the iterations: an iteration starts after the last event of the one that
        # finished before it (not its MapIterationSucceeded/Failed, which nothing links to)
        chain = [started]
        try:
            results = await self._iterate(
                frame,
                started,
                chain,
                items,
                selector_input,
                context,
                concurrency,
                tolerated,
                percentage,
                map_run,
            )
        except StatesError as failure:
            # AWS links MapStateFailed (or a retry's MapStateStarted) to the failed iteration's
            # last event, not to its MapIterationFailed
            frame.cursor.last_id = chain[0]
            if map_run is not None:
                map_run.finish("FAILED", frame.run.clock.now())
                # a Map Run that failed says so in the parent's history (the API reference's
                # MapRunFailed event, MapRunFailedEventDetails: error and cause), placed and
                # linked as MapRunSucceeded is; MapStateFailed then follows it
                frame.cursor.last_id = frame.run.history.last_id
                details = {"error": failure.error} if failure.error is not None else {}
                if failure.cause is not None:
                    details["cause"] = failure.cause
                frame.event("MapRunFailed", details)
            raise
        except asyncio.CancelledError:
            # StopExecution, or the execution's TimeoutSeconds on the real clock; not a shutdown
            # (the execution stays RUNNING, to be resumed with its run)
            if map_run is not None and (frame.run.aborted or _past_deadline(frame)):
                map_run.finish("ABORTED", frame.run.clock.now())
            raise
        except Exception:  # the execution timed out while the run waited (a virtual clock)
            if map_run is not None:
                map_run.finish("ABORTED", frame.run.clock.now())
            raise
        # ... and MapStateSucceeded to the last event of the history
        frame.cursor.last_id = frame.run.history.last_id
        if map_run is not None:
            map_run.finish("SUCCEEDED", frame.run.clock.now())
            frame.event("MapRunSucceeded")
        succeeded = frame.event("MapStateSucceeded")
        # ... and MapStateExited to the same event as MapStateSucceeded, not to it (read back
        # from the event, which a replay hands back as recorded)
        frame.cursor.last_id = frame.run.history.previous_id(succeeded)
        return self.next, (
            await self.finish_off_loop(frame, raw, results, context)
            if self.offload_finish
            else self.finish(frame, raw, results, context)
        )

    # --- items and numbers -------------------------------------------------------------

    def read_items(self, effective: Any, context: Any, frame: Frame) -> list[Any]:
        """The array at ``ItemsPath`` (JSONPath); a missing or non-array value fails as on AWS."""
        try:
            items = resolve(self.items_path, effective, context, frame.variables)
        except PathNotFound:
            raise StateFailure(
                ErrorName.RUNTIME,
                f"Invalid path '{self.items_path}' : No results for path: {self.items_path}",
            ) from None
        if not isinstance(items, list):
            raise StateFailure(
                ErrorName.RUNTIME,
                f"Invalid path '{self.items_path}': The value at the path must be an array, "
                f"found: {_shown(items)}",
            )
        return items

    def path_number(
        self, effective: Any, context: Any, frame: Frame, key: str, kind: type, default: Any
    ) -> Any:
        """A number field (``MaxConcurrency`` ...) given literally or through its ``...Path`` twin."""
        if key in self.spec:
            return self.spec[key]
        path = self.spec.get(f"{key}Path")
        if path is None:
            return default
        value = path_value(path, f"{key}Path", effective, context, frame.variables, noun="field")
        number = _as_number(value)
        if kind is int and number is not None and float(number).is_integer():
            return int(number)
        if kind is float and number is not None:
            return float(number)
        name = "integer" if kind is int else "float"
        raise StateFailure(
            ErrorName.RUNTIME,
            f'The {key}Path field refers to value "{_shown(value)}" which is not a valid {name}: {path}',
        )

    def jsonata_number(self, frame: Frame, states: Mapping[str, Any], key: str, default: Any) -> Any:
        """A JSONata number field (``MaxConcurrency`` ...) evaluated, or ``default`` when absent."""
        template = self.numbers.get(key)
        return default if template is None else template(states, frame.variables)

    @staticmethod
    def check_tolerance(count: Any, percentage: Any) -> None:
        """Refuse a negative count or a percentage outside 0-100, as AWS does at run time."""
        if count is not None and count < 0:
            raise StateFailure(ErrorName.RUNTIME, "ToleratedFailureCount cannot be negative.")
        if percentage is not None and not 0 <= percentage <= 100:
            raise StateFailure(ErrorName.RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")

    async def _open_map_run(
        self,
        frame: Frame,
        started: int,
        total: int,
        concurrency: int,
        tolerated: int | None,
        percentage: float | None,
    ) -> MapRun:
        """The Map Run: kept by the runtime (DescribeMapRun ...) when the execution is durable."""
        new_arn = self._map_run_arn(frame)
        run_started = frame.event("MapRunStarted", {"mapRunArn": new_arn})
        # a replay hands back the recorded event: the run keeps its ARN across a restart
        arn = frame.run.history.event(run_started)["mapRunStartedEventDetails"]["mapRunArn"]
        now = frame.run.clock.now()
        log = frame.run.map_runs
        if log is None:
            return MapRun(arn, frame.run.execution["Id"], now, total, concurrency, tolerated, percentage)
        map_run = log.open(arn, started, now, total, concurrency, tolerated, percentage, arn != new_arn)
        recorded = frame.recorded()
        if recorded is not None and recorded["type"] == "MapRunRedriven":
            frame.event("MapRunRedriven")  # handed back as recorded
        elif recorded is None and map_run.status in ("FAILED", "ABORTED"):
            # a redriven execution: AWS redrives the unsuccessful run itself, under its own ARN
            await frame.go_live()
            map_run.reopened(frame.run.clock.now())
            frame.event("MapRunRedriven", {"mapRunArn": arn, "redriveCount": map_run.redrive_count})
        return map_run

    def _map_run_arn(self, frame: Frame) -> str:
        """AWS's form: ``arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:UUID``.

        The label is the Map's ``Label``, else the state's name (AWS masks it in every
        recorded case, so which it uses without a Label is not known here).
        """
        prefix = ":".join(frame.run.execution["Id"].split(":")[:5])  # arn:aws:states:REGION:ACCOUNT
        label = self.spec.get("Label", self.name)
        return f"{prefix}:mapRun:{frame.run.state_machine['Name']}/{label}:{uuid.uuid4()}"

    # --- iterations ----------------------------------------------------------------------

    async def _iterate(
        self,
        frame: Frame,
        started: int,
        chain: list[int],
        items: list[Any],
        selector_input: Any,
        context: dict[str, Any],
        concurrency: int,
        tolerated: int | None,
        percentage: float | None,
        map_run: MapRun | None,
    ) -> list[Any]:
        results: list[Any] = [None] * len(items)
        failures: list[StatesError] = []
        fixed = allowed_failures(len(items), tolerated, percentage)
        # a Map Run's tolerance is read at each failure: UpdateMapRun may have changed it
        allowed = map_run.allowed_failures if map_run is not None else lambda: fixed
        run = frame.run
        # the key of a finished iteration is the id of this MapStateStarted, which a replay hands back
        log = run.iterations if self.distributed else None
        if self.distributed:
            # a plain History: child executions keep no log of their own (their event ids
            # depend on how iterations interleave, so nested Maps could not be keyed by them)
            run = dataclasses.replace(run, history=History(run.clock.now))

        async def iteration(index: int, item: Any) -> None:
            if log is not None:
                found = log.done(started, index)
                if found is not None:
                    finished(index, *found)
                    return
                await frame.go_live()  # unfinished: run it once the recorded history is replayed
            if map_run is not None and len(failures) > allowed():
                return  # the run has failed: no child starts (the others are being cancelled)
            map_item = {"Index": index, "Value": item}
            child = frame.child(f"{started}.{index}", map_item)
            child.run = run
            item_input = (
                await off_loop(self.select_item, child, selector_input, context, map_item)
                if self.jsonata and self.jsonata_selector is not None
                else self.select_item(child, selector_input, context, map_item)
            )
            if map_run is not None:
                map_run.child_started(index, run.clock.now(), item_input)
            names = {"name": self.name, "index": index}
            if not self.distributed:
                child.cursor.last_id = chain[0]
                child.event("MapIterationStarted", names)
            try:
                results[index] = await run_scope(self.processor, child, item_input)
            except asyncio.CancelledError:
                if frame.run.aborted and not self.distributed:  # StopExecution
                    child.event("MapIterationAborted", names)
                raise
            except StatesError as error:
                if error.error == ErrorName.RUNTIME:
                    raise
                if not self.distributed:
                    chain[0] = child.cursor.last_id
                    child.event("MapIterationFailed", names)
                failures.append(error)
                if map_run is not None:
                    map_run.child_failed(index, run.clock.now(), error.error, error.cause)
                if len(failures) > allowed():
                    raise
                results[index] = error_output(error)
                if log is not None:
                    log.record(started, index, to_json(results[index]), True)
                return
            if map_run is not None:
                map_run.child_succeeded(index, run.clock.now(), results[index])
            if log is not None:
                log.record(started, index, to_json(results[index]), False)
            if not self.distributed:
                chain[0] = child.cursor.last_id
                child.event("MapIterationSucceeded", names)

        def finished(index: int, output: str, failed: bool) -> None:
            """An iteration recorded before a restart: its output, and a tolerated failure counts again."""
            results[index] = json.loads(output)
            if failed:
                failures.append(StatesError(results[index].get("Error"), results[index].get("Cause")))

        # a Map Run's limit can change while it runs (UpdateMapRun): its children always go
        # through its slots, even one at a time
        if map_run is None and (concurrency == 1 or len(items) <= 1):
            for index, item in enumerate(items):
                await self._with_threshold(iteration(index, item), map_run)
        else:
            limit = asyncio.Semaphore(concurrency if concurrency > 0 else len(items))
            slot = map_run.slot if map_run is not None else lambda: limit

            async def bounded(index: int, item: Any) -> None:
                async with slot():
                    await iteration(index, item)

            from asl.states.parallel import gather_or_fail

            jobs = [bounded(i, item) for i, item in enumerate(items)]
            on_cancel = functools.partial(frame.run.history.drop_subtree, started)
            await self._with_threshold(gather_or_fail(jobs, on_cancel), map_run)
        return results

    async def _with_threshold(self, job: Any, map_run: MapRun | None) -> None:
        try:
            await job
        except StatesError as error:
            updated = map_run is not None and map_run.tolerance_updated
            if error.error != ErrorName.RUNTIME and (updated or self._tolerance_given()):
                raise StatesError(
                    ErrorName.EXCEED_TOLERATED_FAILURE,
                    "The specified tolerated failure threshold was exceeded",
                ) from error
            raise

    def _tolerance_given(self) -> bool:
        return any(k.startswith("ToleratedFailure") for k in self.spec)

    def select_item(self, child: Frame, selector_input: Any, context: dict[str, Any], map_item: Any) -> Any:
        """One item as its iteration's input: through ``ItemSelector`` (or ``Parameters``) if given."""
        if self.jsonata:
            if self.jsonata_selector is None:
                return map_item["Value"]
            item_context = dict(context, Map={"Item": map_item})
            return self.jsonata_selector(self.states_binding(selector_input, item_context), child.variables)
        if self.selector is None:
            return map_item["Value"]
        item_context = dict(context, Map={"Item": map_item})
        return self.selector(selector_input, item_context, child.variables)


def _past_deadline(frame: Frame) -> bool:
    deadline = frame.run.deadline
    return deadline is not None and frame.run.clock.now() >= deadline
