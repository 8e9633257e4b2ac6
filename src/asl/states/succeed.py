"""The Succeed state: ends its branch (or the execution) successfully."""

from __future__ import annotations

from typing import Any

from asl.execution.frame import Frame
from asl.states.base import State

__all__ = ["SucceedState"]


class SucceedState(State):
    type_name = "Succeed"

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        if self.jsonata:
            return None, (
                await self.finish_off_loop(frame, raw, raw, context)
                if self.offload_finish
                else self.finish(frame, raw, raw, context)
            )
        return None, self.output_path(
            self.input_path(raw, context, frame.variables), context, frame.variables
        )
