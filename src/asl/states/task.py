"""The Task state: one unit of work done by a resource (a Lambda function or a service)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from asl.errors import ErrorName, StatesError
from asl.query.jsonata import compile_jsonata
from asl.query.jsonpath import PathNotFound, resolve
from asl.runtime.failures import StateFailure
from asl.runtime.frame import Frame
from asl.runtime.history import to_json
from asl.runtime.tasks import classify
from asl.states.base import State

__all__ = ["TaskState"]


class TaskState(State):
    type_name = "Task"

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        self.call = classify(spec["Resource"])
        self.timeout = spec.get("TimeoutSeconds")
        self.timeout_path = spec.get("TimeoutSecondsPath")
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
            try:
                value = resolve(self.timeout_path, effective, context, frame.variables)
            except PathNotFound:
                raise StateFailure(
                    ErrorName.RUNTIME,
                    "The TimeoutSecondsPath parameter does not reference an input value: "
                    f"{self.timeout_path}",
                ) from None
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise StateFailure(
                    ErrorName.RUNTIME,
                    "The TimeoutSecondsPath parameter references an invalid value: "
                    f"{self.timeout_path} == {value}",
                )
        return float(value) if value is not None else None

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        effective_raw = self.input_path(raw, context, frame.variables) if not self.jsonata else raw
        parameters = self.effective_input(raw, context, frame)
        timeout = self._timeout(frame, raw, effective_raw, context)
        text = to_json(parameters)
        call = self.call
        lambda_arn = call.kind == "lambda"
        if lambda_arn:
            details: dict[str, Any] = {
                "resource": call.resource,
                "input": text,
                "inputDetails": {"truncated": False},
            }
            if timeout is not None:
                details["timeoutInSeconds"] = int(timeout)
            frame.event("LambdaFunctionScheduled", details)
            frame.event("LambdaFunctionStarted")
        else:
            resource_type, resource = self._event_names()
            details = {
                "resourceType": resource_type,
                "resource": resource,
                "region": frame.run.tasks.functions.region,
                "parameters": text,
            }
            if timeout is not None:
                details["timeoutInSeconds"] = int(timeout)
            frame.event("TaskScheduled", details)
            frame.event("TaskStarted", {"resourceType": resource_type, "resource": resource})
        try:
            work = frame.run.tasks.call(call, parameters, text, timeout)
            result = await (asyncio.wait_for(work, timeout) if timeout is not None else work)
        except TimeoutError:
            error = StatesError(ErrorName.TIMEOUT, None)
            self._failed(frame, error, timed_out=True)
            raise error from None
        except StatesError as error:
            if error.error != ErrorName.RUNTIME:
                self._failed(frame, error)
            raise
        output_text = to_json(result)
        if lambda_arn:
            frame.event(
                "LambdaFunctionSucceeded", {"output": output_text, "outputDetails": {"truncated": False}}
            )
        else:
            resource_type, resource = self._event_names()
            frame.event(
                "TaskSucceeded",
                {
                    "resourceType": resource_type,
                    "resource": resource,
                    "output": output_text,
                    "outputDetails": {"truncated": False},
                },
            )
        return self.next, self.finish(frame, raw, result, context)

    def _event_names(self) -> tuple[str, str]:
        call = self.call
        if call.kind == "integration":
            return call.service, call.action + call.pattern
        return "custom", call.resource

    def _failed(self, frame: Frame, error: StatesError, timed_out: bool = False) -> None:
        details: dict[str, Any] = {}
        if error.error is not None:
            details["error"] = error.error
        if error.cause is not None:
            details["cause"] = error.cause
        if self.call.kind == "lambda":
            frame.event("LambdaFunctionTimedOut" if timed_out else "LambdaFunctionFailed", details)
        else:
            resource_type, resource = self._event_names()
            frame.event(
                "TaskTimedOut" if timed_out else "TaskFailed",
                {"resourceType": resource_type, "resource": resource, **details},
            )
