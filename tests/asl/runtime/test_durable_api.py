"""The execution API: names, describe, list, history pages, stop."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from durable_support import FUNCTION, START, forever

from asl import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionStore,
    InvalidExecutionInput,
    InvalidName,
    InvalidToken,
    Runtime,
    StateMachineDoesNotExist,
    VirtualClock,
)

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
BLOCK = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FUNCTION.format("block"), "End": True}}}


def _runtime(**options: Any) -> Runtime:
    return Runtime(
        ExecutionStore(":memory:"), clock=VirtualClock(START), handlers={"block": forever}, **options
    )


def test_starting_again_with_the_same_name_and_input_returns_the_running_execution() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("M", BLOCK)["stateMachineArn"]
        first = await runtime.start_execution(arn, '{"a": 1}', name="same")
        again = await runtime.start_execution(arn, '{ "a" : 1 }', name="same")
        assert again == first
        with pytest.raises(ExecutionAlreadyExists, match="same"):
            await runtime.start_execution(arn, '{"a": 2}', name="same")
        await runtime.stop_execution(first["executionArn"])
        with pytest.raises(ExecutionAlreadyExists):  # a closed execution's name stays taken
            await runtime.start_execution(arn, '{"a": 1}', name="same")
        await runtime.close()

    asyncio.run(scenario())


def test_bad_names_inputs_and_arns_are_refused_with_aws_errors() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("M", PASS)["stateMachineArn"]
        with pytest.raises(InvalidName, match="whitespace"):
            await runtime.start_execution(arn, "{}", name="has space")
        with pytest.raises(InvalidName, match="1 to 80"):
            await runtime.start_execution(arn, "{}", name="x" * 81)
        with pytest.raises(InvalidExecutionInput, match="not valid JSON"):
            await runtime.start_execution(arn, "{nope", name="ok")
        with pytest.raises(StateMachineDoesNotExist):
            await runtime.start_execution(arn + "Other", "{}")
        with pytest.raises(ExecutionDoesNotExist):
            runtime.describe_execution(arn.replace(":stateMachine:", ":execution:") + ":missing")
        await runtime.close()

    asyncio.run(scenario())


def test_describe_shows_status_input_output_and_redrive_fields() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("M", PASS)["stateMachineArn"]
        started = await runtime.start_execution(arn, '{"k": "v"}', name="d")
        described = await runtime.wait(started["executionArn"])
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["input"]) == json.loads(described["output"]) == {"k": "v"}
        assert described["startDate"] == started["startDate"] and "stopDate" in described
        assert described["redriveCount"] == 0 and described["redriveStatus"] == "NOT_REDRIVABLE"
        assert runtime.describe_execution(started["executionArn"]) == described
        await runtime.close()

    asyncio.run(scenario())


def test_list_executions_filters_by_status_and_pages_newest_first() -> None:
    async def scenario() -> None:
        clock = VirtualClock(START)
        runtime = Runtime(ExecutionStore(":memory:"), clock=clock, handlers={"block": forever})
        done = runtime.create_state_machine("Done", PASS)["stateMachineArn"]
        blocked = runtime.create_state_machine("Blocked", BLOCK)["stateMachineArn"]
        for i in range(5):
            clock.advance(1)
            await runtime.wait((await runtime.start_execution(done, "{}", name=f"d{i}"))["executionArn"])
        await runtime.start_execution(blocked, "{}", name="b")
        page = runtime.list_executions(done, max_results=2)
        assert [e["name"] for e in page["executions"]] == ["d4", "d3"]
        names = [e["name"] for e in page["executions"]]
        while "nextToken" in page:
            page = runtime.list_executions(done, max_results=2, next_token=page["nextToken"])
            names += [e["name"] for e in page["executions"]]
        assert names == ["d4", "d3", "d2", "d1", "d0"]
        executions_token = runtime.list_executions(done, max_results=2)["nextToken"]
        first = runtime.list_executions(done, max_results=2)["executions"][0]["executionArn"]
        for token in (executions_token, "not a token", "WzEsIDJd"):  # another list's, garbage, [1, 2]
            with pytest.raises(InvalidToken, match="Invalid Token"):
                runtime.get_execution_history(first, next_token=token)
        assert runtime.list_executions(done, status_filter="RUNNING") == {"executions": []}
        running = runtime.list_executions(blocked, status_filter="RUNNING")["executions"]
        assert [(e["name"], e["status"]) for e in running] == [("b", "RUNNING")]
        with pytest.raises(ValueError, match="statusFilter must be one of"):
            runtime.list_executions(done, status_filter="DONE")
        await runtime.close()

    asyncio.run(scenario())


def test_history_pages_forward_and_in_reverse() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        chain = {
            "StartAt": "S0",
            "States": {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(4)}
            | {"S4": {"Type": "Pass", "End": True}},
        }
        arn = runtime.create_state_machine("Chain", chain)["stateMachineArn"]
        execution = (await runtime.start_execution(arn, "{}", name="h"))["executionArn"]
        await runtime.wait(execution)
        everything = runtime.get_execution_history(execution)["events"]
        assert len(everything) == 12 and "nextToken" not in runtime.get_execution_history(execution)
        ids: list[int] = []
        page = runtime.get_execution_history(execution, max_results=5, reverse_order=True)
        while True:
            ids += [event["id"] for event in page["events"]]
            if "nextToken" not in page:
                break
            page = runtime.get_execution_history(
                execution, max_results=5, reverse_order=True, next_token=page["nextToken"]
            )
        assert ids == list(range(12, 0, -1))
        bare = runtime.get_execution_history(execution, include_execution_data=False)["events"]
        assert "input" not in bare[0]["executionStartedEventDetails"]
        await runtime.close()

    asyncio.run(scenario())


def test_stop_aborts_the_execution_and_its_map_iterations() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {"T": {"Type": "Task", "Resource": FUNCTION.format("block"), "End": True}},
                },
                "End": True,
            }
        },
    }

    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("M", definition)["stateMachineArn"]
        execution = (await runtime.start_execution(arn, "[1, 2]", name="s"))["executionArn"]
        await asyncio.sleep(0.01)
        stopped = await runtime.stop_execution(execution, error="Manual", cause="stopped by a test")
        described = runtime.describe_execution(execution)
        assert described["status"] == "ABORTED" and described["stopDate"] == stopped["stopDate"]
        assert described["error"] == "Manual" and described["cause"] == "stopped by a test"
        assert described["redriveStatus"] == "REDRIVABLE"
        events = runtime.get_execution_history(execution)["events"]
        types = [event["type"] for event in events]
        assert types.count("TaskStateAborted") == 2 and types.count("MapIterationAborted") == 2
        assert types[-2:] == ["MapStateAborted", "ExecutionAborted"]
        assert events[-1]["executionAbortedEventDetails"] == {"error": "Manual", "cause": "stopped by a test"}
        await runtime.close()

    asyncio.run(scenario())


def test_express_executions_run_in_memory_without_history() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("Fast", PASS, type="EXPRESS")["stateMachineArn"]
        result = await runtime.start_sync_execution(arn, '{"x": 1}')
        assert result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"x": 1}
        started = await runtime.start_execution(arn, "{}")
        assert ":express:" in started["executionArn"]
        assert runtime.list_executions(arn) == {"executions": []}
        await runtime.close()

    asyncio.run(scenario())


def test_the_package_exports_the_runtime_and_its_errors() -> None:
    import asl

    assert asl.__all__ == sorted(asl.__all__)
    assert all(hasattr(asl, name) for name in asl.__all__)
    assert {"Runtime", "ExecutionStore", "ActivityWorker", "MockConfig", "TaskTimedOut"} <= set(asl.__all__)


def test_stop_aborts_parallel_branches_and_waits() -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "T",
                        "States": {"T": {"Type": "Task", "Resource": FUNCTION.format("block"), "End": True}},
                    },
                    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}},
                ],
                "End": True,
            }
        },
    }

    async def scenario() -> None:
        runtime = Runtime(
            ExecutionStore(":memory:"), handlers={"block": forever}
        )  # real clock: the Wait waits
        arn = runtime.create_state_machine("P", definition)["stateMachineArn"]
        execution = (await runtime.start_execution(arn, "{}", name="p"))["executionArn"]
        await asyncio.sleep(0.01)
        await runtime.stop_execution(execution)
        types = [event["type"] for event in runtime.get_execution_history(execution)["events"]]
        assert "TaskStateAborted" in types
        assert "WaitStateAborted" not in types  # AWS records none for a Wait cut short by a stop
        assert types[-2:] == ["ParallelStateAborted", "ExecutionAborted"]
        assert runtime.describe_execution(execution)["status"] == "ABORTED"
        await runtime.close()

    asyncio.run(scenario())
