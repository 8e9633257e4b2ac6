"""RedriveExecution: only what failed or was stopped runs again, as AWS's rules say."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from durable_support import FUNCTION, START, crash, forever, runtime, settle

from asl import ExecutionNotRedrivable, ExecutionStore, Runtime, VirtualClock


def _types(rt: Runtime, execution: str) -> list[str]:
    return [e["type"] for e in rt.get_execution_history(execution, max_results=1000)["events"]]


CHAIN = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Task", "Resource": FUNCTION.format("a"), "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Task", "Resource": FUNCTION.format("b"), "ResultPath": "$.b", "Next": "C"},
        "C": {
            "Type": "Pass",
            "Parameters": {"a.$": "$.a", "b.$": "$.b", "count.$": "$$.Execution.RedriveCount"},
            "End": True,
        },
    },
}


def test_redrive_reruns_the_failed_state_and_keeps_what_succeeded(db: Path) -> None:
    calls: Counter[str] = Counter()
    broken = {"b": True}

    def a(event: Any, context: Any) -> Any:
        calls["a"] += 1
        return "A"

    def b(event: Any, context: Any) -> Any:
        calls["b"] += 1
        if broken["b"]:
            raise ValueError("b is broken")
        return "B"

    async def scenario() -> None:
        rt = runtime(db, handlers={"a": a, "b": b}, clock=VirtualClock(START))
        arn = rt.create_state_machine("M", CHAIN)["stateMachineArn"]
        execution = (await rt.start_execution(arn, "{}", name="r"))["executionArn"]
        failed = await rt.wait(execution)
        assert failed["status"] == "FAILED" and failed["redriveStatus"] == "REDRIVABLE"
        broken["b"] = False
        redriven = await rt.redrive_execution(execution)
        described = await rt.wait(execution)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"a": "A", "b": "B", "count": 1}
        assert described["redriveCount"] == 1 and described["redriveDate"] == redriven["redriveDate"]
        assert calls == {"a": 1, "b": 2}
        types = _types(rt, execution)
        failed_at = types.index("ExecutionFailed")
        assert types[failed_at + 1 :] == [
            "ExecutionRedriven",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded",
        ]
        events = rt.get_execution_history(execution, max_results=1000)["events"]
        assert events[failed_at + 1]["executionRedrivenEventDetails"] == {"redriveCount": 1}
        with pytest.raises(ExecutionNotRedrivable, match="SUCCEEDED"):
            await rt.redrive_execution(execution)
        listed = rt.list_executions(arn)["executions"][0]
        assert listed["redriveCount"] == 1
        assert [e["name"] for e in rt.list_executions(arn, redrive_filter="REDRIVEN")["executions"]] == ["r"]
        assert rt.list_executions(arn, redrive_filter="NOT_REDRIVEN") == {"executions": []}
        await rt.close()

    asyncio.run(scenario())


def test_redrive_reruns_only_the_failed_map_iterations() -> None:
    calls: Counter[int] = Counter()
    failing = {1}

    async def item(event: Any, context: Any) -> Any:
        calls[event] += 1
        if event in failing:
            await asyncio.sleep(0.01)  # fails after its siblings succeeded
            raise ValueError(f"item {event} failed")
        return event * 10

    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {"I": {"Type": "Task", "Resource": FUNCTION.format("item"), "End": True}},
                },
                "End": True,
            }
        },
    }

    async def scenario() -> None:
        rt = Runtime(ExecutionStore(":memory:"), handlers={"item": item}, clock=VirtualClock(START))
        arn = rt.create_state_machine("M", definition)["stateMachineArn"]
        execution = (await rt.start_execution(arn, "[0, 1, 2]", name="m"))["executionArn"]
        assert (await rt.wait(execution))["status"] == "FAILED"
        before = dict(calls)
        failing.clear()
        await rt.redrive_execution(execution)
        described = await rt.wait(execution)
        assert json.loads(described["output"]) == [0, 10, 20]
        rerun = {key: calls[key] - before.get(key, 0) for key in calls}
        assert rerun == {0: 0, 1: 1, 2: 0}
        types = _types(rt, execution)
        assert types.count("MapIterationSucceeded") == 3 and types.count("MapStateEntered") == 1
        assert types[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
        await rt.close()

    asyncio.run(scenario())


def test_a_stopped_execution_redrives_from_the_stopped_task(db: Path) -> None:
    calls: Counter[str] = Counter()

    def a(event: Any, context: Any) -> Any:
        calls["a"] += 1
        return "A"

    async def scenario() -> None:
        rt = runtime(db, handlers={"a": a, "b": forever}, clock=VirtualClock(START))
        arn = rt.create_state_machine("M", CHAIN)["stateMachineArn"]
        execution = (await rt.start_execution(arn, "{}", name="s"))["executionArn"]
        await settle()
        await rt.stop_execution(execution, error="Halt")
        blocker = {
            "StartAt": "B",
            "States": {"B": {"Type": "Task", "Resource": FUNCTION.format("b"), "End": True}},
        }
        other = rt.create_state_machine("Blocker", blocker)["stateMachineArn"]
        running = (await rt.start_execution(other, "{}", name="other"))["executionArn"]
        with pytest.raises(ExecutionNotRedrivable, match="RUNNING"):
            await rt.redrive_execution(running)
        await rt.redrive_execution(execution)
        await settle()
        # the redriven run is cut short by a crash; a new process resumes it
        await crash(rt)
        second = runtime(db, handlers={"a": a, "b": lambda e, c: "B"}, clock=VirtualClock(START))
        second.create_state_machine("M", CHAIN)
        second.create_state_machine("Blocker", blocker)
        await second.resume()
        described = await second.wait(execution)
        assert json.loads(described["output"]) == {"a": "A", "b": "B", "count": 1}
        assert calls == {"a": 1}
        types = _types(second, execution)
        assert types.count("ExecutionAborted") == 1 and types.count("ExecutionRedriven") == 1
        assert types.count("TaskStateAborted") == 1
        await second.close()

    asyncio.run(scenario())
