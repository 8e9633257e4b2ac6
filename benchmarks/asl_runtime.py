"""Runtime speed: microseconds per state transition, and executions per second.

Run: .venv/bin/python benchmarks/asl_runtime.py [--profile]
Measures, in one run (in memory, one process, one event loop):
  1. a 1,000-state Pass chain: microseconds per transition;
  2. issue #16's 5-state workflow, Pass -> Task (plain Lambda ARN) -> Pass with InputPath ->
     Task -> Succeed with sync handlers: executions per second, 200 run one after another and
     200 at once (medians of 5 rounds), with the default for sync handlers (inline on the
     event loop) and with task_threads=True (a thread pool);
  3. the older 5-state workflow (a Choice and lambda:invoke; asl_durable.py runs it too).
Goals (issue #16): at most 2 us per transition; at least 20,000 concurrent executions/s with
handlers inline and 10,000 with the default; concurrent never slower than sequential.
``--profile`` prints cProfile's top functions for the chain and the inline workflow instead.
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import sys
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

#: issue #16's shape: the one its comparison with other local runtimes used
ISSUE_SHAPE = {
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Next": "Double"},
        "Double": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
            "ResultPath": "$.doubled",
            "Next": "Pick",
        },
        "Pick": {"Type": "Pass", "InputPath": "$.doubled", "Next": "Label"},
        "Label": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:label",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}
ISSUE_HANDLERS = {
    "double": lambda event, context: {"id": event["id"], "n": event["n"] * 2},
    "label": lambda event, context: {"label": f"item {event['id']}", "n": event["n"]},
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


def workflow(
    title: str, definition: dict[str, Any], handlers: dict[str, Any], threads: bool | None, rounds: int = 5
) -> tuple[float, float]:
    """Medians of ``rounds`` runs of 200 sequential and 200 concurrent executions, alternated."""
    options: dict[str, Any] = {} if threads is None else {"task_threads": threads}
    machine = StateMachine(definition, handlers, clock=VirtualClock(), **options)
    asyncio.run(executions_per_second(machine, 50, True))  # warm up
    sequential, concurrent = [], []
    for _ in range(rounds):
        sequential.append(asyncio.run(executions_per_second(machine, 200, False)))
        concurrent.append(asyncio.run(executions_per_second(machine, 200, True)))
    seq, con = statistics.median(sequential), statistics.median(concurrent)
    print(f"{title}: {seq:7.0f} exec/s sequential, {con:7.0f} exec/s concurrent")
    return seq, con


def profile() -> None:
    import cProfile
    import pstats

    for title, work in (
        ("1,000-state Pass chain", lambda: per_transition(repeats=20)),
        (
            "issue shape, handlers inline",
            lambda: [
                asyncio.run(
                    executions_per_second(
                        StateMachine(ISSUE_SHAPE, ISSUE_HANDLERS, clock=VirtualClock(), task_threads=False),
                        200,
                        True,
                    )
                )
                for _ in range(10)
            ],
        ),
    ):
        print(f"--- {title}")
        profiler = cProfile.Profile()
        profiler.runcall(work)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    if "--profile" in sys.argv:
        profile()
        return
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}"
    )
    print(f"1,000-state Pass chain: {per_transition():.1f} us per transition")
    workflow("issue #16 shape, the default (sync handlers inline)", ISSUE_SHAPE, ISSUE_HANDLERS, None)
    workflow("issue #16 shape, task_threads=True (thread pool)  ", ISSUE_SHAPE, ISSUE_HANDLERS, True)
    workflow("older 5-state workflow, handlers inline           ", FIVE_STATES, HANDLERS, False)
    workflow("older 5-state workflow, task_threads=True         ", FIVE_STATES, HANDLERS, True)


if __name__ == "__main__":
    main()
