"""Map Runs of DISTRIBUTED Map states: ListMapRuns, DescribeMapRun, UpdateMapRun, ListExecutions(mapRunArn).

AWS makes a Map Run for each run of a DISTRIBUTED Map state ("Viewing a Distributed Map Run
execution", Step Functions developer guide) and answers these actions for it (API reference:
DescribeMapRun, ListMapRuns, UpdateMapRun, ListExecutions). Map Runs are kept in the execution
store and survive a restart.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from durable_support import crash, runtime

from asl.runtime.api_errors import ExecutionDoesNotExist, InvalidArn, ResourceNotFound, ValidationException

MAP_RUN_ARN = re.compile(r"arn:aws:states:us-east-1:123456789012:mapRun:M/Each:[0-9a-f-]{36}")
WORK = "arn:aws:lambda:us-east-1:123456789012:function:work"


def _definition(**map_fields: Any) -> dict[str, Any]:
    each: dict[str, Any] = {
        "Type": "Map",
        "Label": "Each",
        "ItemsPath": "$.items",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": WORK, "End": True}},
        },
        "End": True,
        **map_fields,
    }
    return {"StartAt": "Each", "States": {"Each": each}}


class Gate:
    """The ``work`` handler: items wait until released; ``running`` counts those in progress."""

    def __init__(self, failing: frozenset[int] = frozenset()) -> None:
        self.failing = failing
        self.running = 0
        self.most = 0
        self.release = asyncio.Event()

    async def handle(self, event: Any, context: Any) -> Any:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await self.release.wait()
        finally:
            self.running -= 1
        if event in self.failing:
            raise ValueError(f"item {event} is bad")
        return event * 10


async def _turns(count: int = 20) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


def test_a_finished_map_run_is_listed_and_described(db: Path) -> None:
    async def scenario() -> None:
        gate = Gate(failing=frozenset({3}))
        gate.release.set()
        rt = runtime(db, handlers={"work": gate.handle})
        arn = rt.create_state_machine("M", _definition(MaxConcurrency=2, ToleratedFailureCount=1))[
            "stateMachineArn"
        ]
        started = await rt.start_execution(arn, json.dumps({"items": [1, 2, 3, 4]}), name="e")
        execution = started["executionArn"]
        assert (await rt.wait(execution))["status"] == "SUCCEEDED"
        runs = rt.list_map_runs(execution)["mapRuns"]
        assert len(runs) == 1
        run = runs[0]
        assert MAP_RUN_ARN.fullmatch(run["mapRunArn"])
        # AWS: the children's state machine is MACHINE/LABEL
        assert run["stateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:M/Each"
        assert run["executionArn"] == execution and "stopDate" in run
        # the ARN is the one the history's MapRunStarted event names
        history = rt.get_execution_history(execution)["events"]
        recorded = next(e for e in history if e["type"] == "MapRunStarted")
        assert recorded["mapRunStartedEventDetails"]["mapRunArn"] == run["mapRunArn"]

        described = rt.describe_map_run(run["mapRunArn"])
        assert described["status"] == "SUCCEEDED"
        assert described["executionArn"] == execution
        assert described["maxConcurrency"] == 2
        assert described["toleratedFailureCount"] == 1
        assert described["toleratedFailurePercentage"] == 0.0
        assert described["startDate"] <= described["stopDate"]
        counts = described["itemCounts"]
        assert {k: counts[k] for k in ("pending", "running", "succeeded", "failed", "aborted", "total")} == {
            "pending": 0, "running": 0, "succeeded": 3, "failed": 1, "aborted": 0, "total": 4,
        }  # fmt: skip
        # as AWS recorded it (a DescribeMapRun with no ResultWriter): resultsWritten counts the
        # succeeded children, and the tolerances not given are 0
        assert counts["timedOut"] == 0 and counts["resultsWritten"] == 3
        assert described["executionCounts"] == counts

        children = rt.list_executions(map_run_arn=run["mapRunArn"])["executions"]
        assert sorted(c["status"] for c in children) == ["FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
        assert {c["mapRunArn"] for c in children} == {run["mapRunArn"]}
        assert {c["stateMachineArn"] for c in children} == {run["stateMachineArn"]}
        assert all(c["executionArn"].startswith(
            "arn:aws:states:us-east-1:123456789012:execution:M/Each:") for c in children)  # fmt: skip
        assert all(c["itemCount"] == 1 and c["stopDate"] >= c["startDate"] for c in children)
        failed = rt.list_executions(map_run_arn=run["mapRunArn"], status_filter="FAILED")["executions"]
        assert len(failed) == 1

        # DescribeExecution of a child: its Map Run, its own state machine, input and outcome
        one = rt.describe_execution(failed[0]["executionArn"])
        assert (one["status"], one["input"], one["error"]) == ("FAILED", "3", "ValueError")
        assert "item 3 is bad" in one["cause"] and "output" not in one
        assert one["mapRunArn"] == run["mapRunArn"] and one["stateMachineArn"] == run["stateMachineArn"]
        assert one["redriveStatus"] == "NOT_REDRIVABLE"
        succeeded = [c for c in children if c["status"] == "SUCCEEDED"]
        outputs = sorted(json.loads(rt.describe_execution(c["executionArn"])["output"]) for c in succeeded)
        assert outputs == [10, 20, 40]
        with pytest.raises(ExecutionDoesNotExist):
            rt.describe_execution(failed[0]["executionArn"][:-4] + "0000")
        await rt.close()

    asyncio.run(scenario())


def test_list_map_runs_pages_with_next_token(db: Path) -> None:
    async def scenario() -> None:
        rt = runtime(db, handlers={"work": lambda event, context: event})
        # AWS: each run of a DISTRIBUTED Map is a Map Run; a Map inside a loop makes several
        definition = _definition()
        definition["States"]["Each"]["ResultPath"] = "$.out"
        definition["States"]["Each"].pop("End")
        definition["States"]["Each"]["Next"] = "Again"
        definition["States"]["Again"] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.items[2]", "IsPresent": True, "Next": "Shorter"}],
            "Default": "Done",
        }
        definition["States"]["Shorter"] = {"Type": "Pass", "InputPath": "$.items[1:]",
                                           "ResultPath": "$.items", "Next": "Each"}  # fmt: skip
        definition["States"]["Done"] = {"Type": "Succeed"}
        arn = rt.create_state_machine("M", definition)["stateMachineArn"]
        started = await rt.start_execution(arn, json.dumps({"items": [1, 2, 3, 4]}))
        await rt.wait(started["executionArn"])
        first = rt.list_map_runs(started["executionArn"], max_results=2)
        assert len(first["mapRuns"]) == 2 and "nextToken" in first
        rest = rt.list_map_runs(started["executionArn"], max_results=2, next_token=first["nextToken"])
        assert len(rest["mapRuns"]) == 1 and "nextToken" not in rest
        arns = [r["mapRunArn"] for r in first["mapRuns"] + rest["mapRuns"]]
        assert len(set(arns)) == 3
        totals = sorted(rt.describe_map_run(a)["itemCounts"]["total"] for a in arns)
        assert totals == [2, 3, 4]
        await rt.close()

    asyncio.run(scenario())


def test_update_map_run_raises_the_limit_of_a_running_run(db: Path) -> None:
    """UpdateMapRun "updates an in-progress Map Run's configuration": more children run at once."""

    async def scenario() -> None:
        gate = Gate()
        rt = runtime(db, handlers={"work": gate.handle})
        arn = rt.create_state_machine("M", _definition(MaxConcurrency=1))["stateMachineArn"]
        started = await rt.start_execution(arn, json.dumps({"items": [1, 2, 3, 4]}))
        await _turns()
        assert gate.running == 1
        run = rt.list_map_runs(started["executionArn"])["mapRuns"][0]["mapRunArn"]
        counts = rt.describe_map_run(run)["itemCounts"]
        assert (counts["running"], counts["pending"]) == (1, 3)
        running = rt.list_executions(map_run_arn=run)["executions"][0]
        described = rt.describe_execution(running["executionArn"])
        assert (described["status"], described["input"], "stopDate" in described) == ("RUNNING", "1", False)
        assert await rt.update_map_run(run, max_concurrency=3) == {}
        await _turns()
        assert gate.running == 3
        assert rt.describe_map_run(run)["maxConcurrency"] == 3
        gate.release.set()
        assert (await rt.wait(started["executionArn"]))["status"] == "SUCCEEDED"
        assert rt.describe_map_run(run)["itemCounts"]["succeeded"] == 4
        await rt.close()

    asyncio.run(scenario())


def test_update_map_run_tolerates_failures_the_definition_did_not(db: Path) -> None:
    async def scenario() -> None:
        gate = Gate(failing=frozenset({2}))
        rt = runtime(db, handlers={"work": gate.handle})
        arn = rt.create_state_machine("M", _definition(MaxConcurrency=1))["stateMachineArn"]
        started = await rt.start_execution(arn, json.dumps({"items": [1, 2, 3]}))
        await _turns()
        run = rt.list_map_runs(started["executionArn"])["mapRuns"][0]["mapRunArn"]
        await rt.update_map_run(run, tolerated_failure_count=1)
        gate.release.set()
        described = await rt.wait(started["executionArn"])
        assert described["status"] == "SUCCEEDED"
        output = json.loads(described["output"])
        assert (output[0], output[1]["Error"], output[2]) == (10, "ValueError", 30)
        assert rt.describe_map_run(run)["toleratedFailureCount"] == 1
        await rt.close()

    asyncio.run(scenario())


def test_a_failed_map_run_is_failed_and_stop_aborts_a_running_one(db: Path) -> None:
    async def scenario() -> None:
        gate = Gate(failing=frozenset({1}))
        gate.release.set()
        rt = runtime(db, handlers={"work": gate.handle})
        arn = rt.create_state_machine("M", _definition(MaxConcurrency=1))["stateMachineArn"]
        failed = await rt.start_execution(arn, json.dumps({"items": [1, 2]}))
        assert (await rt.wait(failed["executionArn"]))["status"] == "FAILED"
        run = rt.list_map_runs(failed["executionArn"])["mapRuns"][0]["mapRunArn"]
        described = rt.describe_map_run(run)
        assert described["status"] == "FAILED"
        assert (described["itemCounts"]["failed"], described["itemCounts"]["pending"]) == (1, 1)

        gate.release.clear()
        stopped = await rt.start_execution(arn, json.dumps({"items": [5, 6, 7]}))
        await _turns()
        run = rt.list_map_runs(stopped["executionArn"])["mapRuns"][0]["mapRunArn"]
        await rt.stop_execution(stopped["executionArn"])
        described = rt.describe_map_run(run)
        assert described["status"] == "ABORTED" and "stopDate" in described
        assert (described["itemCounts"]["aborted"], described["itemCounts"]["pending"]) == (1, 2)
        with pytest.raises(ValidationException, match="not running"):
            await rt.update_map_run(run, max_concurrency=2)
        await rt.close()

    asyncio.run(scenario())


def test_map_runs_and_their_updates_survive_a_restart(db: Path) -> None:
    async def scenario() -> None:
        gate = Gate()
        first = runtime(db, handlers={"work": gate.handle})
        arn = first.create_state_machine("M", _definition(MaxConcurrency=1))["stateMachineArn"]
        started = await first.start_execution(arn, json.dumps({"items": [1, 2, 3]}), name="e")
        await _turns()
        run = first.list_map_runs(started["executionArn"])["mapRuns"][0]["mapRunArn"]
        await first.update_map_run(run, max_concurrency=2, tolerated_failure_percentage=50.0)
        await crash(first)

        gate = Gate()
        second = runtime(db, handlers={"work": gate.handle})
        second.create_state_machine("M", _definition(MaxConcurrency=1))
        # before the execution resumes, the store answers for its run
        waiting = second.describe_map_run(run)
        assert (waiting["status"], waiting["maxConcurrency"]) == ("RUNNING", 2)
        assert waiting["itemCounts"]["pending"] == 3
        await second.resume()
        await _turns()
        assert gate.running == 2  # the updated limit holds for the resumed run
        gate.release.set()
        assert (await second.wait(started["executionArn"]))["status"] == "SUCCEEDED"
        assert second.list_map_runs(started["executionArn"])["mapRuns"][0]["mapRunArn"] == run
        described = second.describe_map_run(run)
        assert (described["status"], described["maxConcurrency"]) == ("SUCCEEDED", 2)
        assert described["toleratedFailurePercentage"] == 50.0
        assert described["itemCounts"]["succeeded"] == 3
        children = second.list_executions(map_run_arn=run)["executions"]
        assert len(children) == 3
        assert {second.describe_execution(c["executionArn"])["output"] for c in children} == {
            "10",
            "20",
            "30",
        }
        await second.close()

    asyncio.run(scenario())


def test_errors_are_named_as_aws_names_them(db: Path) -> None:
    async def scenario() -> None:
        rt = runtime(db)
        missing = "arn:aws:states:us-east-1:123456789012:mapRun:M/Each:00000000-0000-0000-0000-000000000000"
        with pytest.raises(ResourceNotFound, match="Resource not found"):
            rt.describe_map_run(missing)
        with pytest.raises(InvalidArn):
            rt.describe_map_run("arn:aws:states:us-east-1:123456789012:execution:M:e")
        with pytest.raises(InvalidArn):
            await rt.update_map_run("not-an-arn", max_concurrency=1)
        with pytest.raises(ValidationException, match="toleratedFailurePercentage"):
            await rt.update_map_run(missing, tolerated_failure_percentage=101.0)
        with pytest.raises(ValidationException, match="maxConcurrency"):
            await rt.update_map_run(missing, max_concurrency=-1)
        with pytest.raises(ValidationException, match="At least one"):
            await rt.update_map_run(missing)
        with pytest.raises(ValidationException, match="not both"):
            rt.list_executions("arn:aws:states:us-east-1:123456789012:stateMachine:M", map_run_arn=missing)
        with pytest.raises(ResourceNotFound):
            rt.list_executions(map_run_arn=missing)
        await rt.close()

    asyncio.run(scenario())


def test_a_redriven_execution_runs_its_failed_map_run_again(db: Path) -> None:
    """DescribeMapRun: "If you've redriven a Map Run, this API action also returns information
    about the redrives of that Map Run" (redriveCount, redriveDate); the run keeps its ARN."""

    async def scenario() -> None:
        gate = Gate(failing=frozenset({2}))
        gate.release.set()
        rt = runtime(db, handlers={"work": gate.handle})
        arn = rt.create_state_machine("M", _definition(MaxConcurrency=1))["stateMachineArn"]
        execution = (await rt.start_execution(arn, json.dumps({"items": [1, 2, 3]})))["executionArn"]
        assert (await rt.wait(execution))["status"] == "FAILED"
        run = rt.list_map_runs(execution)["mapRuns"][0]["mapRunArn"]
        assert (rt.describe_map_run(run)["status"], rt.describe_map_run(run)["redriveCount"]) == ("FAILED", 0)
        # the API reference's MapRunFailed event (MapRunFailedEventDetails: error, cause) comes
        # before MapStateFailed, as MapRunSucceeded comes before MapStateSucceeded
        failed = rt.get_execution_history(execution)["events"]
        assert [e["type"] for e in failed][-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
        run_failed, state_failed = failed[-3], failed[-2]
        assert (
            run_failed["mapRunFailedEventDetails"]["error"]
            == failed[-1]["executionFailedEventDetails"]["error"]
        )
        assert state_failed["previousEventId"] == run_failed["id"]
        gate.failing = frozenset()
        await rt.redrive_execution(execution)
        assert (await rt.wait(execution))["status"] == "SUCCEEDED"
        assert [r["mapRunArn"] for r in rt.list_map_runs(execution)["mapRuns"]] == [run]
        described = rt.describe_map_run(run)
        assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
        assert "redriveDate" in described and described["itemCounts"]["succeeded"] == 3
        # the history shows the same run redriven, not a new one
        events = rt.get_execution_history(execution)["events"]
        types = [e["type"] for e in events]
        assert types.count("MapRunStarted") == 1
        redriven = next(e for e in events if e["type"] == "MapRunRedriven")
        assert redriven["mapRunRedrivenEventDetails"] == {"mapRunArn": run, "redriveCount": 1}
        assert types[-4:] == ["MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
        await rt.close()

    asyncio.run(scenario())


def test_a_redriven_map_run_resumes_after_a_restart_without_a_second_redrive(db: Path) -> None:
    async def scenario() -> None:
        gate = Gate(failing=frozenset({2}))
        gate.release.set()
        first = runtime(db, handlers={"work": gate.handle})
        arn = first.create_state_machine("M", _definition(MaxConcurrency=1))["stateMachineArn"]
        execution = (await first.start_execution(arn, json.dumps({"items": [1, 2, 3]}), name="e"))[
            "executionArn"
        ]
        await first.wait(execution)
        gate.failing = frozenset()
        gate.release.clear()  # the redriven children wait: the process dies meanwhile
        await first.redrive_execution(execution)
        await _turns()
        await crash(first)

        gate = Gate()
        gate.release.set()
        second = runtime(db, handlers={"work": gate.handle})
        second.create_state_machine("M", _definition(MaxConcurrency=1))
        await second.resume()
        assert (await second.wait(execution))["status"] == "SUCCEEDED"
        types = [e["type"] for e in second.get_execution_history(execution)["events"]]
        assert (types.count("MapRunStarted"), types.count("MapRunRedriven")) == (1, 1)
        run = second.list_map_runs(execution)["mapRuns"][0]["mapRunArn"]
        described = second.describe_map_run(run)
        assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
        await second.close()

    asyncio.run(scenario())


def test_an_execution_that_times_out_aborts_its_map_run(db: Path) -> None:
    async def scenario() -> None:
        gate = Gate()
        rt = runtime(db, handlers={"work": gate.handle})
        definition = _definition(MaxConcurrency=1)
        definition["TimeoutSeconds"] = 1
        arn = rt.create_state_machine("M", definition)["stateMachineArn"]
        execution = (await rt.start_execution(arn, json.dumps({"items": [1, 2]})))["executionArn"]
        assert (await rt.wait(execution))["status"] == "TIMED_OUT"
        run = rt.list_map_runs(execution)["mapRuns"][0]["mapRunArn"]
        described = rt.describe_map_run(run)
        assert described["status"] == "ABORTED" and "stopDate" in described
        assert (described["itemCounts"]["aborted"], described["itemCounts"]["pending"]) == (1, 1)
        await rt.close()

    asyncio.run(scenario())


def test_a_lowered_limit_holds_new_children_back_and_a_cancelled_waiter_gives_its_place_up() -> None:
    """UpdateMapRun lowers maxConcurrency: running children finish, no new one starts above it."""
    from datetime import UTC, datetime

    from asl.execution.map_run import MapRun

    async def scenario() -> None:
        run = MapRun("arn", "execution", datetime.now(UTC), 6, 3, None, None)
        release = asyncio.Event()
        running: list[int] = []
        most = [0]

        async def child(index: int) -> None:
            async with run.slot():
                running.append(index)
                most[0] = max(most[0], len(running))
                await release.wait()
                await _turns(3)  # stay a while: another child could enter meanwhile
                running.remove(index)

        tasks = [asyncio.ensure_future(child(i)) for i in range(6)]
        await _turns()
        assert running == [0, 1, 2]
        run.update(1, None, None)
        tasks[3].cancel()  # a waiter that goes away keeps no place
        release.set()
        await asyncio.gather(*tasks[:3])
        most[0] = 0
        await asyncio.gather(*tasks, return_exceptions=True)
        assert most[0] == 1 and running == []  # 4 and 5 ran one at a time
        assert tasks[3].cancelled() and all(t.done() and not t.cancelled() for t in tasks[4:])

    asyncio.run(scenario())
