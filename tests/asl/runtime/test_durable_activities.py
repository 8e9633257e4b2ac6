"""Activities: create/describe/list/delete, GetActivityTask long polls, the worker helper."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from durable_support import START, ManualClock, crash, settle

from asl import ActivityDoesNotExist, ActivityWorker, ExecutionStore, Runtime


def activity_machine(arn: str, **task: Any) -> dict[str, Any]:
    return {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": arn, "End": True, **task}}}


def _types(runtime: Runtime, execution: str) -> list[str]:
    return [e["type"] for e in runtime.get_execution_history(execution)["events"]]


def test_activities_are_created_listed_described_and_deleted() -> None:
    async def scenario() -> None:
        rt = Runtime(ExecutionStore(":memory:"), clock=ManualClock(START))
        created = rt.create_activity("Pack")
        assert created["activityArn"] == "arn:aws:states:us-east-1:123456789012:activity:Pack"
        assert rt.create_activity("Pack") == created  # idempotent
        rt.create_activity("Ship")
        assert [a["name"] for a in rt.list_activities()["activities"]] == ["Pack", "Ship"]
        assert rt.describe_activity(created["activityArn"])["name"] == "Pack"
        rt.delete_activity(created["activityArn"])
        with pytest.raises(ActivityDoesNotExist):
            rt.describe_activity(created["activityArn"])
        await rt.close()

    asyncio.run(scenario())


def test_a_worker_takes_the_task_and_its_answer_is_the_result() -> None:
    async def scenario() -> None:
        rt = Runtime(ExecutionStore(":memory:"), clock=ManualClock(START))
        activity = rt.create_activity("Pack")["activityArn"]
        arn = rt.create_state_machine("M", activity_machine(activity, HeartbeatSeconds=30))["stateMachineArn"]
        execution = (await rt.start_execution(arn, '{"box": 2}', name="a"))["executionArn"]
        await settle()
        assert _types(rt, execution)[-1] == "ActivityScheduled"
        worker = ActivityWorker(rt, activity, lambda task: {"packed": task["box"] * 2}, name="packer-1")
        assert await worker.run_once()
        described = await rt.wait(execution)
        assert json.loads(described["output"]) == {"packed": 4}
        events = rt.get_execution_history(execution)["events"]
        assert [e["type"] for e in events] == [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded",
        ]
        scheduled = events[2]["activityScheduledEventDetails"]
        assert scheduled["resource"] == activity and json.loads(scheduled["input"]) == {"box": 2}
        assert scheduled["heartbeatInSeconds"] == 30
        assert events[3]["activityStartedEventDetails"] == {"workerName": "packer-1"}
        await rt.close()

    asyncio.run(scenario())


def test_get_activity_task_long_polls_until_a_task_comes() -> None:
    async def scenario() -> None:
        rt = Runtime(ExecutionStore(":memory:"), clock=ManualClock(START))
        activity = rt.create_activity("Pack")["activityArn"]
        arn = rt.create_state_machine("M", activity_machine(activity))["stateMachineArn"]
        assert await rt.get_activity_task(activity, wait_seconds=0.01) == {}
        poll = asyncio.ensure_future(rt.get_activity_task(activity, worker_name="w", wait_seconds=5))
        await settle()
        assert not poll.done()
        execution = (await rt.start_execution(arn, '"job"', name="p"))["executionArn"]
        task = await poll
        assert json.loads(task["input"]) == "job"
        await rt.send_task_failure(task["taskToken"], error="Broken", cause="dropped it")
        described = await rt.wait(execution)
        assert described["status"] == "FAILED" and described["error"] == "Broken"
        assert _types(rt, execution)[-2:] == ["ActivityFailed", "ExecutionFailed"]
        await rt.close()

    asyncio.run(scenario())


def test_an_activity_nobody_takes_times_out() -> None:
    async def scenario() -> None:
        clock = ManualClock(START)
        rt = Runtime(ExecutionStore(":memory:"), clock=clock)
        activity = rt.create_activity("Pack")["activityArn"]
        arn = rt.create_state_machine("M", activity_machine(activity, TimeoutSeconds=10))["stateMachineArn"]
        execution = (await rt.start_execution(arn, "{}", name="t"))["executionArn"]
        await settle()
        await clock.move(11)
        described = await rt.wait(execution)
        assert described["error"] == "States.Timeout"
        assert "ActivityTimedOut" in _types(rt, execution)
        assert await rt.get_activity_task(activity, wait_seconds=0) == {}  # withdrawn from the queue
        await rt.close()

    asyncio.run(scenario())


def test_an_activity_that_does_not_exist_fails_the_execution() -> None:
    async def scenario() -> None:
        rt = Runtime(ExecutionStore(":memory:"), clock=ManualClock(START))
        missing = "arn:aws:states:us-east-1:123456789012:activity:Nobody"
        arn = rt.create_state_machine("M", activity_machine(missing))["stateMachineArn"]
        execution = (await rt.start_execution(arn, "{}", name="m"))["executionArn"]
        described = await rt.wait(execution)
        assert described["status"] == "FAILED" and "Activity Does Not Exist" in described["cause"]
        assert "ActivityScheduleFailed" in _types(rt, execution)
        await rt.close()

    asyncio.run(scenario())


def test_activity_tasks_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"

    async def scenario() -> None:
        first = Runtime(ExecutionStore(path), clock=ManualClock(START))
        activity = first.create_activity("Pack")["activityArn"]
        definition = activity_machine(activity)
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        taken = (await first.start_execution(arn, '"taken"', name="taken"))["executionArn"]
        await settle()
        task = await first.get_activity_task(activity, worker_name="w1", wait_seconds=0)
        queued = (await first.start_execution(arn, '"queued"', name="queued"))["executionArn"]
        await settle()
        await crash(first)

        second = Runtime(ExecutionStore(path), clock=ManualClock(START))
        second.create_state_machine("M", definition)
        await second.resume()
        assert [a["activityArn"] for a in second.list_activities()["activities"]] == [activity]
        await second.send_task_success(task["taskToken"], '"done before the restart"')
        assert json.loads((await second.wait(taken))["output"]) == "done before the restart"
        again = await second.get_activity_task(activity, worker_name="w2", wait_seconds=0)
        assert json.loads(again["input"]) == "queued"
        await second.send_task_success(again["taskToken"], '"done after"')
        assert json.loads((await second.wait(queued))["output"]) == "done after"
        types = [e["type"] for e in second.get_execution_history(taken)["events"]]
        assert types.count("ActivityScheduled") == types.count("ActivityStarted") == 1
        await second.close()

    asyncio.run(scenario())


def test_deleting_an_activity_ends_its_long_polls_with_an_error() -> None:
    async def scenario() -> None:
        rt = Runtime(ExecutionStore(":memory:"), clock=ManualClock(START))
        activity = rt.create_activity("Pack")["activityArn"]
        poll = asyncio.ensure_future(rt.get_activity_task(activity, wait_seconds=30))
        await settle()
        rt.delete_activity(activity)
        with pytest.raises(ActivityDoesNotExist, match="deleted"):
            await poll
        cancelled = asyncio.ensure_future(
            rt.get_activity_task(rt.create_activity("Ship")["activityArn"], wait_seconds=30)
        )
        await settle()
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        await rt.close()

    asyncio.run(scenario())
