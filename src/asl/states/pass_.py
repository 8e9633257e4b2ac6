"""The Pass state: passes its input on, or a fixed Result, reshaped by its paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl.execution.frame import Frame
from asl.states.base import State

__all__ = ["PassState"]


class PassState(State):
    type_name = "Pass"

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        self.has_result = "Result" in spec
        self.result = spec.get("Result")
        self.set_immediate(not (self.offload_input or self.offload_finish))
        # a JSONPath Pass with no field that changes its data (the most common kind) passes its
        # input on as it is
        self.passes_on = self.input_as_is and self.result_as_output and not self.has_result

    def use_every_step(self) -> None:
        super().use_every_step()
        self.passes_on = False

    def execute_now(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        if self.passes_on:
            return self.next, raw
        if self.jsonata:
            return self.next, self.finish(frame, raw, raw, context)
        result = self.result if self.has_result else self.effective_input(raw, context, frame)
        return self.next, self.finish(frame, raw, result, context)

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        if self.immediate:
            return self.execute_now(frame, raw, context)
        if self.jsonata:
            return self.next, await self.finish_off_loop(frame, raw, raw, context)
        result = (
            self.result
            if self.has_result
            else (
                await self.input_off_loop(raw, context, frame)
                if self.offload_input
                else self.effective_input(raw, context, frame)
            )
        )
        return self.next, (
            await self.finish_off_loop(frame, raw, result, context)
            if self.offload_finish
            else self.finish(frame, raw, result, context)
        )
