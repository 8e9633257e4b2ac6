"""The Succeed state: ends its branch (or the execution) successfully."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl.execution.frame import Frame
from asl.states.base import State

__all__ = ["SucceedState"]


class SucceedState(State):
    type_name = "Succeed"

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        self.set_immediate(not self.offload_finish)

    def execute_now(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        if self.jsonata:
            return None, self.finish(frame, raw, raw, context)
        return None, self.output_path(
            self.input_path(raw, context, frame.variables), context, frame.variables
        )

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        if self.immediate:
            return self.execute_now(frame, raw, context)
        return None, await self.finish_off_loop(frame, raw, raw, context)
