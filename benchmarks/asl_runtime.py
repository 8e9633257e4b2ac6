"""Runtime speed: microseconds per state transition, and executions per second.

Run: .venv/bin/python benchmarks/asl_runtime.py
Measures, in one run (in memory, one process, one event loop):
  1. a 1,000-state Pass chain: microseconds per transition;
  2. a 5-state workflow with two Python Lambda tasks: executions per second, 200 run one
     after another and 200 at once, with handlers on threads (the default) and inline.
Goals (issue #2): at most 5 us per transition; at least 10,000 concurrent executions/s.
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import time
from typing import Any

from asl import StateMachine, VirtualClock


def chain(length: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(length):
        states[f"S{i}"] = (
            {"Type": "Pass", "Next": f"S{i + 1}"} if i < length - 1 else {"Type": "Pass", "End": True}
        )
    return {"StartAt": "S0", "States": states}


FIVE_STATES = {
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Parameters": {"id.$": "$.id", "n.$": "$.n"}, "Next": "Double"},
        "Double": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
            "ResultPath": "$.doubled",
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.doubled", "NumericGreaterThan": 100, "Next": "Big"}],
            "Default": "Big",
        },
        "Big": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "label", "Payload.$": "$"},
            "ResultSelector": {"label.$": "$.Payload"},
            "ResultPath": "$.result",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}
HANDLERS = {
    "double": lambda event, context: event["n"] * 2,
    "label": lambda event, context: f"item {event['id']}",
}


def per_transition(length: int = 1000, repeats: int = 7) -> float:
    machine = StateMachine(chain(length), clock=VirtualClock())
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        execution = machine.run({"payload": "x"})
        timings.append(time.perf_counter() - started)
        assert execution.status == "SUCCEEDED"
    return statistics.median(timings) / length * 1e6


async def executions_per_second(machine: StateMachine, count: int, concurrent: bool) -> float:
    started = time.perf_counter()
    if concurrent:
        results = await asyncio.gather(*(machine.execute({"id": i, "n": i}) for i in range(count)))
    else:
        results = [await machine.execute({"id": i, "n": i}) for i in range(count)]
    elapsed = time.perf_counter() - started
    assert all(r.status == "SUCCEEDED" for r in results)
    return count / elapsed


def main() -> None:
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}"
    )
    print(f"1,000-state Pass chain: {per_transition():.1f} us per transition")
    for threads in (True, False):
        machine = StateMachine(FIVE_STATES, HANDLERS, clock=VirtualClock(), task_threads=threads)
        asyncio.run(executions_per_second(machine, 50, True))  # warm up
        label = "handlers on threads" if threads else "handlers inline   "
        sequential = asyncio.run(executions_per_second(machine, 200, False))
        concurrent = asyncio.run(executions_per_second(machine, 200, True))
        print(
            f"5-state workflow, {label}: {sequential:7.0f} exec/s sequential, "
            f"{concurrent:7.0f} exec/s concurrent"
        )


if __name__ == "__main__":
    main()
