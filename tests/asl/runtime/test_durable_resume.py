"""Resuming STANDARD executions in a new runtime: recorded work is not done again."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

from durable_support import FUNCTION, START, RecordingClock, StuckClock, crash, forever, runtime

from asl import VirtualClock


def _types(history: dict[str, Any]) -> list[str]:
    return [event["type"] for event in history["events"]]


def test_a_recorded_task_result_is_not_run_again(db: Path) -> None:
    calls: Counter[str] = Counter()

    def once(event: Any, context: Any) -> Any:
        calls["once"] += 1
        return {"first": True}

    def second(event: Any, context: Any) -> Any:
        calls["second"] += 1
        return {"second": event["first"]}

    definition = {
        "StartAt": "One",
        "States": {
            "One": {"Type": "Task", "Resource": FUNCTION.format("once"), "Next": "Two"},
            "Two": {"Type": "Task", "Resource": FUNCTION.format("second"), "End": True},
        },
    }

    async def scenario() -> None:
        first = runtime(db, handlers={"once": once, "second": forever})
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        started = await first.start_execution(arn, "{}", name="run")
        await crash(first)
        assert calls == {"once": 1}

        second_runtime = runtime(db, handlers={"once": once, "second": second})
        second_runtime.create_state_machine("M", definition)
        assert await second_runtime.resume() == [started["executionArn"]]
        described = await second_runtime.wait(started["executionArn"])
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"second": True}
        assert calls == {"once": 1, "second": 1}  # One was recorded; Two was cut short, so it ran again
        history = second_runtime.get_execution_history(started["executionArn"], max_results=1000)
        events = history["events"]
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        assert _types(history) == [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",  # recorded by the second runtime, linked to the first's event
            "TaskStateExited",
            "ExecutionSucceeded",
        ]
        assert events[9]["previousEventId"] == 9
        await second_runtime.close()

    asyncio.run(scenario())


def test_a_wait_keeps_its_deadline_across_a_restart(db: Path) -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}}

    async def scenario() -> None:
        first = runtime(db, clock=StuckClock(START))
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        started = await first.start_execution(arn, "{}", name="w")
        await crash(first)
        # the new process starts 30 seconds after the state was entered
        later = RecordingClock(START.replace(second=30))
        second = runtime(db, clock=later)
        second.create_state_machine("M", definition)
        await second.resume()
        described = await second.wait(started["executionArn"])
        assert described["status"] == "SUCCEEDED"
        assert later.slept == [70.0]
        events = second.get_execution_history(started["executionArn"])["events"]
        assert (events[-2]["timestamp"] - events[1]["timestamp"]).total_seconds() == 100
        await second.close()

    asyncio.run(scenario())


def test_an_expired_wait_ends_at_once_after_a_long_outage(db: Path) -> None:
    definition = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
    }

    async def scenario() -> None:
        first = runtime(db, clock=StuckClock(START))
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        started = await first.start_execution(arn, "{}", name="w")
        await crash(first)
        later = RecordingClock(START.replace(hour=5))
        second = runtime(db, clock=later)
        second.create_state_machine("M", definition)
        await second.resume()
        assert (await second.wait(started["executionArn"]))["status"] == "SUCCEEDED"
        assert later.slept == [0.0]
        await second.close()

    asyncio.run(scenario())


def test_map_and_parallel_resume_only_unfinished_iterations_and_branches(db: Path) -> None:
    calls: Counter[str] = Counter()
    release: dict[str, bool] = {"go": False}

    async def item(event: Any, context: Any) -> Any:
        calls[f"item{event}"] += 1
        if event == 2 and not release["go"]:
            await asyncio.Event().wait()
        return event * 10

    def branch(event: Any, context: Any) -> Any:
        calls["branch"] += 1
        return "b"

    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "B",
                        "States": {"B": {"Type": "Task", "Resource": FUNCTION.format("branch"), "End": True}},
                    },
                    {
                        "StartAt": "Each",
                        "States": {
                            "Each": {
                                "Type": "Map",
                                "MaxConcurrency": 1,
                                "ItemProcessor": {
                                    "StartAt": "I",
                                    "States": {
                                        "I": {
                                            "Type": "Task",
                                            "Resource": FUNCTION.format("item"),
                                            "End": True,
                                        }
                                    },
                                },
                                "End": True,
                            }
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    handlers = {"item": item, "branch": branch}

    async def scenario() -> None:
        first = runtime(db, handlers=handlers, clock=VirtualClock(START))
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        started = await first.start_execution(arn, "[0, 1, 2, 3]", name="m")
        await crash(first)
        assert calls == {"branch": 1, "item0": 1, "item1": 1, "item2": 1}
        release["go"] = True
        second = runtime(db, handlers=handlers, clock=VirtualClock(START))
        second.create_state_machine("M", definition)
        await second.resume()
        described = await second.wait(started["executionArn"])
        assert json.loads(described["output"]) == ["b", [0, 10, 20, 30]]
        assert calls == {"branch": 1, "item0": 1, "item1": 1, "item2": 2, "item3": 1}
        types = Counter(_types(second.get_execution_history(started["executionArn"], max_results=1000)))
        assert types["MapIterationStarted"] == types["MapIterationSucceeded"] == 4
        assert types["ParallelStateStarted"] == types["ParallelStateSucceeded"] == 1
        assert types["LambdaFunctionSucceeded"] == 5
        await second.close()

    asyncio.run(scenario())


def test_a_retry_after_a_recorded_failure_goes_on_from_where_it_was(db: Path) -> None:
    attempts: list[str] = []

    async def flaky(event: Any, context: Any) -> Any:
        attempts.append("call")
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        if len(attempts) == 2:
            await asyncio.Event().wait()  # crash during the second attempt
        return "ok"

    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION.format("flaky"),
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}],
                "End": True,
            }
        },
    }

    async def scenario() -> None:
        first = runtime(db, handlers={"flaky": flaky}, clock=VirtualClock(START))
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        started = await first.start_execution(arn, "{}", name="r")
        await crash(first)
        second = runtime(db, handlers={"flaky": flaky}, clock=VirtualClock(START))
        second.create_state_machine("M", definition)
        await second.resume()
        described = await second.wait(started["executionArn"])
        assert described["status"] == "SUCCEEDED" and attempts == ["call"] * 3
        types = _types(second.get_execution_history(started["executionArn"]))
        assert types.count("LambdaFunctionFailed") == 1 and types.count("LambdaFunctionSucceeded") == 1
        assert types.count("TaskStateEntered") == 1
        await second.close()

    asyncio.run(scenario())


def test_a_state_machine_changed_since_start_resumes_on_its_old_version(db: Path) -> None:
    old = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FUNCTION.format("f"), "End": True}}}
    new = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "new", "End": True}}}

    async def scenario() -> None:
        first = runtime(db, handlers={"f": forever})
        arn = first.create_state_machine("M", old)["stateMachineArn"]
        started = await first.start_execution(arn, "{}", name="v")
        await crash(first)
        second = runtime(db, handlers={"f": lambda e, c: "old"})
        second.create_state_machine("M", new)
        await second.resume()
        assert json.loads((await second.wait(started["executionArn"]))["output"]) == "old"
        fresh = await second.start_execution(arn, "{}", name="v2")
        assert json.loads((await second.wait(fresh["executionArn"]))["output"]) == "new"
        await second.close()

    asyncio.run(scenario())


def test_resume_leaves_executions_of_machines_it_does_not_serve(db: Path) -> None:
    definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": FUNCTION.format("f"), "End": True}},
    }

    async def scenario() -> None:
        first = runtime(db, handlers={"f": forever})
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        started = await first.start_execution(arn, "{}", name="kept")
        await crash(first)
        other = runtime(db)
        assert await other.resume() == []
        assert other.describe_execution(started["executionArn"])["status"] == "RUNNING"
        await other.close()

    asyncio.run(scenario())


def _nested(depth: int) -> dict[str, Any]:
    """A branch holding Parallels ``depth`` deep, each with a second trivial branch, a slow task inside."""
    scope: dict[str, Any] = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Next": "Slow"},
            "Slow": {"Type": "Task", "Resource": FUNCTION.format("slow"), "End": True},
        },
    }
    for level in range(depth):
        side = {"StartAt": f"X{level}", "States": {f"X{level}": {"Type": "Pass", "End": True}}}
        scope = {
            "StartAt": f"N{level}",
            "States": {f"N{level}": {"Type": "Parallel", "Branches": [side, scope], "End": True}},
        }
    return scope


def test_branches_cancelled_by_a_failing_sibling_do_not_hold_up_the_resume(db: Path) -> None:
    async def fail_later(event: Any, context: Any) -> Any:
        await asyncio.sleep(0.05)
        raise ValueError("the first branch fails")

    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "F",
                        "States": {"F": {"Type": "Task", "Resource": FUNCTION.format("fail"), "End": True}},
                    },
                    _nested(4),
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "After"}],
                "Next": "After",
            },
            "After": {"Type": "Task", "Resource": FUNCTION.format("after"), "End": True},
        },
    }

    async def scenario() -> None:
        handlers = {"fail": fail_later, "slow": forever, "after": forever}
        first = runtime(db, handlers=handlers, clock=VirtualClock(START))
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        execution = (await first.start_execution(arn, "{}", name="n"))["executionArn"]
        await asyncio.sleep(0.2)  # the failure is caught and After is running
        await crash(first)
        second = runtime(db, handlers={**handlers, "after": lambda e, c: "after"}, clock=VirtualClock(START))
        second.create_state_machine("M", definition)
        await asyncio.wait_for(second.resume(), 10)
        described = await asyncio.wait_for(second.wait(execution), 10)
        assert json.loads(described["output"]) == "after"
        await second.close()

    asyncio.run(scenario())
