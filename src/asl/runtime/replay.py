"""Which recorded events a replay hands back: all of them after a crash, fewer after a redrive.

A redrive reruns only what failed or was stopped. Walking the threads from the execution
down, each thread loses its trailing failure events (``ExecutionFailed``,
``MapIterationFailed``, ``TaskStateAborted`` ...) and its unfinished last state: a leaf
state is rerun from its ``Entered`` event, while a Map or Parallel keeps its start so that
only its unfinished iterations or branches run again (a DISTRIBUTED Map keeps its Map Run
too). Threads the walk does not reach (iterations of an attempt that is rerun whole) are left
out too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["REDRIVEN", "replay_plan"]

#: the thread of events that belong to no thread of control (ExecutionRedriven)
REDRIVEN = "!"

_TERMINAL = frozenset(
    {
        "ExecutionFailed",
        "ExecutionAborted",
        "ExecutionTimedOut",
        "MapIterationFailed",
        "MapIterationAborted",
        "MapStateFailed",
        "MapStateAborted",
        "MapRunFailed",
        "MapRunAborted",
        "ParallelStateFailed",
        "ParallelStateAborted",
        "TaskStateAborted",
        "WaitStateAborted",
    }
)
_CONTAINERS = {"MapStateEntered": "MapStateStarted", "ParallelStateEntered": "ParallelStateStarted"}
_STARTED = frozenset(_CONTAINERS.values())


def replay_plan(events: Iterable[tuple[dict[str, Any], str]], redriving: bool = False) -> frozenset[int]:
    """The ids of recorded events a replay must not hand back.

    ``events`` are ``(event, thread)`` in id order; every ``ExecutionRedriven`` among them
    cuts the failed tails recorded before it, and ``redriving`` cuts them at the end too.
    """
    kept: dict[str, list[dict[str, Any]]] = {}
    skipped: set[int] = set()
    for event, thread in events:
        if thread == REDRIVEN:
            skipped.add(event["id"])
            _cut(kept, skipped)
            continue
        kept.setdefault(thread, []).append(event)
    if redriving:
        _cut(kept, skipped)
    return frozenset(skipped)


def _cut(kept: dict[str, list[dict[str, Any]]], skipped: set[int]) -> None:
    children: dict[int, list[str]] = {}
    for thread in kept:
        if thread:
            children.setdefault(int(thread.split(".", 1)[0]), []).append(thread)
    reached: set[str] = set()
    pending = [""]
    while pending:
        thread = pending.pop()
        reached.add(thread)
        events = kept.get(thread, [])
        while events and events[-1]["type"] in _TERMINAL:
            skipped.add(events.pop()["id"])
        _cut_unfinished_state(events, skipped)
        for event in events:
            if event["type"] in _STARTED:
                pending.extend(children.get(event["id"], ()))
    for thread, events in kept.items():
        if thread not in reached:
            skipped.update(event["id"] for event in events)
            events.clear()


def _cut_unfinished_state(events: list[dict[str, Any]], skipped: set[int]) -> None:
    entered = next(
        (i for i in range(len(events) - 1, -1, -1) if events[i]["type"].endswith("StateEntered")), None
    )
    if entered is None:
        return
    if any(event["type"].endswith("StateExited") for event in events[entered + 1 :]):
        return
    cut = entered
    started_type = _CONTAINERS.get(events[entered]["type"])
    if started_type is not None:
        starts = [i for i in range(entered + 1, len(events)) if events[i]["type"] == started_type]
        if len(starts) == 1:  # one attempt: keep it and rerun its unfinished children only
            cut = starts[0] + 1
            # ... and a DISTRIBUTED Map's Map Run: AWS redrives the same run (MapRunRedriven)
            if cut < len(events) and events[cut]["type"] == "MapRunStarted":
                cut += 1
    skipped.update(event["id"] for event in events[cut:])
    del events[cut:]
