"""The Parallel state: runs every branch on the same input, outputs their results in order."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from typing import Any

from asl.execution.frame import Frame
from asl.execution.scope import run_scope
from asl.states.base import State

__all__ = ["ParallelState", "gather_or_fail"]


async def gather_or_fail(jobs: list[Any], on_cancel: Callable[[], None] | None = None) -> list[Any]:
    """Run coroutines concurrently; on the first failure cancel the rest, call ``on_cancel``, raise."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if on_cancel is not None:
            on_cancel()
        raise


class ParallelState(State):
    type_name = "Parallel"
    aborted_event = "ParallelStateAborted"
    failed_event = "ParallelStateFailed"

    def __init__(self, name: str, spec: Mapping[str, Any], query_language: str) -> None:
        super().__init__(name, spec, query_language)
        from asl.states import compile_scope

        self.branches = [
            compile_scope(branch, self.query_language, f"{name}/Branches[{i}]")
            for i, branch in enumerate(spec["Branches"])
        ]

    async def execute(self, frame: Frame, raw: Any, context: dict[str, Any]) -> tuple[str | None, Any]:
        value = (
            await self.input_off_loop(raw, context, frame)
            if self.offload_input
            else self.effective_input(raw, context, frame)
        )
        started = frame.event("ParallelStateStarted")
        try:
            if len(self.branches) == 1:
                results = [await run_scope(self.branches[0], frame.child(f"{started}.0"), value)]
            else:
                results = await gather_or_fail(
                    [run_scope(b, frame.child(f"{started}.{i}"), value) for i, b in enumerate(self.branches)],
                    functools.partial(frame.run.history.drop_subtree, started),
                )
        finally:
            # AWS links what follows the branches (ParallelStateSucceeded or ParallelStateFailed)
            # to the last event of the history
            frame.cursor.last_id = frame.run.history.last_id
        frame.event("ParallelStateSucceeded")
        return self.next, (
            await self.finish_off_loop(frame, raw, results, context)
            if self.offload_finish
            else self.finish(frame, raw, results, context)
        )
