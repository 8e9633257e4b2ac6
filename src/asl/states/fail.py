"""The Fail state: ends the execution (or its branch) with an error name and a cause."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from asl.errors import ErrorName, StatesError
from asl.execution.frame import Frame
from asl.failures import StateFailure
from asl.query.jsonata import compile_jsonata, off_loop
from asl.query.payload import compile_dynamic
from asl.states.base import State

__all__ = ["FailState"]

Field = Callable[[Any, Mapping[str, Any], Frame], Any]


class FailState(State):
    type_name = "Fail"
    has_exited_event = False

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        self.error = self._field(spec, "Error")
        self.cause = self._field(spec, "Cause")

    def _field(self, spec: Mapping[str, Any], name: str) -> Field:
        if self.jsonata:
            template = compile_jsonata(spec.get(name), name)
            return lambda raw, context, frame: template(self.states_binding(raw, context), frame.variables)
        if f"{name}Path" in spec:
            evaluate = compile_dynamic(spec[f"{name}Path"], field=f"{name}Path")
            return lambda raw, context, frame: evaluate(raw, context, frame.variables)
        value = spec.get(name)
        return lambda raw, context, frame: value

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        error = await off_loop(self.error, raw, context, frame)
        cause = await off_loop(self.cause, raw, context, frame)
        for label, value in (("Error", error), ("Cause", cause)):
            if value is not None and not isinstance(value, str):
                raise StateFailure(
                    ErrorName.RUNTIME,
                    f"The {label}Path field must reference a string, found: {value!r}",
                )
        raise _FailStateError(error, cause)


class _FailStateError(StatesError):
    """Raised by a Fail state; never retried or caught within the same state."""
