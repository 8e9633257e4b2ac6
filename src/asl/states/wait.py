"""The Wait state: delays for some seconds or until a timestamp."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from asl.errors import ErrorName
from asl.execution.frame import Frame
from asl.failures import StateFailure
from asl.query.jsonata import compile_jsonata, off_loop
from asl.query.jsonpath import compile_path
from asl.states._comparisons import parse_timestamp
from asl.states._io import path_value
from asl.states.base import State

__all__ = ["WaitState", "sleep_until"]


class ExecutionTimedOut(Exception):
    """The execution's TimeoutSeconds passed while it waited."""


async def sleep_until(frame: Frame, seconds: float, since: datetime) -> None:
    """Sleep ``seconds`` from ``since`` on the execution's clock, stopping at the execution deadline."""
    run = frame.run
    deadline = run.deadline
    if deadline is not None:
        remaining = (deadline - since).total_seconds()
        if seconds >= remaining:
            await frame.sleep_since(max(remaining, 0), since)
            raise ExecutionTimedOut()
    await frame.sleep_since(seconds, since)


class WaitState(State):
    type_name = "Wait"
    # no aborted_event: a stop during a Wait records no WaitStateAborted event, AWS's history
    # goes from WaitStateEntered straight to ExecutionAborted
    evaluation_follows_entered = True

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        self.field = next(k for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if k in spec)
        value = spec[self.field]
        self.value = value
        self.template = compile_jsonata(value, self.field) if self.jsonata else None
        self.path = compile_path(value) if self.field.endswith("Path") else None

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        # counted from when the state was entered, so a restart does not move the deadline
        now = frame.run.history.timestamp(frame.cursor.last_id)
        if self.jsonata:
            assert self.template is not None
            value = await off_loop(self.template, self.states_binding(raw, context), frame.variables)
            seconds = self._jsonata_seconds(value, now)
        else:
            effective = self.input_path(raw, context, frame.variables)
            seconds = self._jsonpath_seconds(effective, context, frame, now)
        await sleep_until(frame, seconds, now)
        if self.jsonata:
            return self.next, (
                await self.finish_off_loop(frame, raw, raw, context)
                if self.offload_finish
                else self.finish(frame, raw, raw, context)
            )
        effective = self.input_path(raw, context, frame.variables)
        if self.assign is not None:
            frame.assign(self.assign(effective, raw, context, frame, None))
        return self.next, self.output_path(effective, context, frame.variables)

    def _jsonata_seconds(self, value: Any, now: datetime) -> float:
        if self.field == "Seconds":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise StateFailure(
                    ErrorName.QUERY_EVALUATION_ERROR,
                    f"The Seconds field must be a non-negative integer, got: {value!r}",
                    location="Seconds",
                )
            return float(value)
        return _seconds_until(
            value,
            now,
            ErrorName.QUERY_EVALUATION_ERROR,
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
            f"date-time format string: {value}",
            location="Timestamp",
        )

    def _jsonpath_seconds(self, effective: Any, context: Any, frame: Frame, now: datetime) -> float:
        if self.field == "Seconds":
            return float(self.value)
        if self.field == "Timestamp":
            moment = parse_timestamp(self.value)
            return max((moment - now).total_seconds(), 0.0) if moment else 0.0
        assert self.path is not None
        path = self.value
        value = path_value(path, self.field, effective, context, frame.variables)
        if self.field == "SecondsPath":
            if not isinstance(value, int) or isinstance(value, bool):
                raise StateFailure(
                    ErrorName.RUNTIME,
                    f"The SecondsPath parameter cannot be parsed as a long value: {path} == {value}",
                )
            if value < 0:
                raise StateFailure(
                    ErrorName.RUNTIME,
                    f"The SecondsPath parameter references a negative value: {path} == {value}",
                )
            return float(value)
        return _seconds_until(
            value,
            now,
            ErrorName.RUNTIME,
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {path} == {value}",
        )


def _seconds_until(value: Any, now: datetime, error: str, message: str, location: str | None = None) -> float:
    """Seconds from ``now`` to a timestamp (0 when it has passed); AWS's error when it is not one."""
    moment = parse_timestamp(value)
    if moment is None:
        raise StateFailure(error, message, location=location)
    return max((moment - now).total_seconds(), 0.0)
