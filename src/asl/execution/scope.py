"""The interpreter's inner loop: run the states of one scope from StartAt to an end."""

from __future__ import annotations

from typing import Any

from asl.execution.frame import Frame, Scope

__all__ = ["run_scope"]


async def run_scope(scope: Scope, frame: Frame, value: Any) -> Any:
    """Run a state list with an input; return the output of its last state."""
    states = scope.states
    history = frame.run.history
    name: str | None = scope.start_at
    while name is not None:
        state = states[name]
        if state.runs_now and not history.replaying:  # nothing in it waits: no coroutine
            name, value = state.run_now(frame, value)
        else:
            name, value = await state.run(frame, value)
    return value
