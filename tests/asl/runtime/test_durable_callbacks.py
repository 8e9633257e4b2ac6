"""Callbacks (.waitForTaskToken): SendTaskSuccess/Failure/Heartbeat, timeouts, restarts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from durable_support import START, ManualClock, StuckClock, crash, settle

from asl import ExecutionStore, InvalidOutput, InvalidToken, Runtime, TaskDoesNotExist, TaskTimedOut
from asl.execution.callbacks import TaskTokens

SQS = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def callback_machine(**task: Any) -> dict[str, Any]:
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": SQS,
                "Parameters": {
                    "QueueUrl": "q",
                    "MessageBody": {"token.$": "$$.Task.Token", "ask.$": "$.ask"},
                },
                "Next": "Done",
                **task,
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }


class Queue:
    """Stands in for SQS: keeps the messages the tasks send."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def __call__(self, action: str, parameters: dict[str, Any]) -> dict[str, Any]:
        self.messages.append(parameters["MessageBody"])
        return {"MessageId": f"m{len(self.messages)}"}


def _runtime(queue: Queue, clock: Any = None, path: str | Path = ":memory:") -> Runtime:
    return Runtime(ExecutionStore(path), clock=clock or ManualClock(START), integrations={"sqs": queue})


def _types(runtime: Runtime, arn: str) -> list[str]:
    return [event["type"] for event in runtime.get_execution_history(arn, max_results=1000)["events"]]


def test_send_task_success_resumes_the_task_with_its_output() -> None:
    async def scenario() -> None:
        queue = Queue()
        rt = _runtime(queue)
        arn = rt.create_state_machine("M", callback_machine())["stateMachineArn"]
        execution = (await rt.start_execution(arn, '{"ask": "price?"}', name="c"))["executionArn"]
        await settle()
        assert queue.messages[0]["ask"] == "price?"
        assert rt.describe_execution(execution)["status"] == "RUNNING"
        await rt.send_task_success(queue.messages[0]["token"], '{"price": 3000}')
        described = await rt.wait(execution)
        assert json.loads(described["output"]) == {"price": 3000}
        assert _types(rt, execution) == [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded",
        ]
        events = rt.get_execution_history(execution)["events"]
        submitted = events[4]["taskSubmittedEventDetails"]
        assert submitted["resource"] == "sendMessage.waitForTaskToken"
        assert json.loads(submitted["output"]) == {"MessageId": "m1"}
        with pytest.raises(TaskDoesNotExist):  # answered already
            await rt.send_task_success(queue.messages[0]["token"], "{}")
        await rt.close()

    asyncio.run(scenario())


def test_send_task_failure_fails_the_task_and_catch_sees_the_error() -> None:
    async def scenario() -> None:
        queue = Queue()
        rt = _runtime(queue)
        definition = callback_machine(Catch=[{"ErrorEquals": ["Rejected"], "Next": "Done"}])
        arn = rt.create_state_machine("M", definition)["stateMachineArn"]
        execution = (await rt.start_execution(arn, '{"ask": "x"}', name="f"))["executionArn"]
        await settle()
        await rt.send_task_failure(queue.messages[0]["token"], error="Rejected", cause="no stock")
        described = await rt.wait(execution)
        assert json.loads(described["output"]) == {"Error": "Rejected", "Cause": "no stock"}
        events = rt.get_execution_history(execution)["events"]
        failed = next(e for e in events if e["type"] == "TaskFailed")["taskFailedEventDetails"]
        assert (failed["error"], failed["cause"]) == ("Rejected", "no stock")
        await rt.close()

    asyncio.run(scenario())


def test_bad_tokens_and_outputs_get_aws_errors() -> None:
    async def scenario() -> None:
        queue = Queue()
        rt = _runtime(queue)
        arn = rt.create_state_machine("M", callback_machine())["stateMachineArn"]
        execution = (await rt.start_execution(arn, '{"ask": "x"}', name="e"))["executionArn"]
        await settle()
        with pytest.raises(InvalidToken):
            await rt.send_task_success("not a token!", "{}")
        with pytest.raises(InvalidOutput, match="not valid JSON"):
            await rt.send_task_success(queue.messages[0]["token"], "{bad")
        with pytest.raises(TaskDoesNotExist):
            await rt.send_task_heartbeat(TaskTokens.token_for(execution, 999))  # well-formed, not waiting
        await rt.close()

    asyncio.run(scenario())


def test_heartbeats_keep_the_task_alive_until_they_stop() -> None:
    async def scenario() -> None:
        queue, clock = Queue(), ManualClock(START)
        rt = _runtime(queue, clock)
        arn = rt.create_state_machine("M", callback_machine(HeartbeatSeconds=10))["stateMachineArn"]
        execution = (await rt.start_execution(arn, '{"ask": "x"}', name="h"))["executionArn"]
        await settle()
        token = queue.messages[0]["token"]
        for _ in range(3):
            await clock.move(6)
            await rt.send_task_heartbeat(token)
        await clock.move(6)
        assert rt.describe_execution(execution)["status"] == "RUNNING"  # 24 s in, 6 s since a beat
        await clock.move(5)
        described = await rt.wait(execution)
        assert described["status"] == "FAILED" and described["error"] == "States.HeartbeatTimeout"
        events = rt.get_execution_history(execution)["events"]
        timed_out = next(e for e in events if e["type"] == "TaskTimedOut")["taskTimedOutEventDetails"]
        assert timed_out["error"] == "States.HeartbeatTimeout"
        assert events[2]["taskScheduledEventDetails"]["heartbeatInSeconds"] == 10
        with pytest.raises(TaskTimedOut):
            await rt.send_task_success(token, "{}")
        await rt.close()

    asyncio.run(scenario())


def test_timeout_seconds_fires_states_timeout() -> None:
    async def scenario() -> None:
        queue, clock = Queue(), ManualClock(START)
        rt = _runtime(queue, clock)
        arn = rt.create_state_machine("M", callback_machine(TimeoutSeconds=30))["stateMachineArn"]
        execution = (await rt.start_execution(arn, '{"ask": "x"}', name="t"))["executionArn"]
        await settle()
        await clock.move(29)
        assert rt.describe_execution(execution)["status"] == "RUNNING"
        await clock.move(2)
        described = await rt.wait(execution)
        assert described["status"] == "FAILED" and described["error"] == "States.Timeout"
        assert "TaskTimedOut" in _types(rt, execution)
        await rt.close()

    asyncio.run(scenario())


def test_a_token_and_its_deadline_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"

    async def scenario() -> None:
        queue = Queue()
        first = _runtime(queue, StuckClock(START), path)
        definition = callback_machine(TimeoutSeconds=60)
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        ok = (await first.start_execution(arn, '{"ask": "a"}', name="answered"))["executionArn"]
        late = (await first.start_execution(arn, '{"ask": "b"}', name="late"))["executionArn"]
        await settle()
        tokens = {message["ask"]: message["token"] for message in queue.messages}
        await crash(first)

        clock = ManualClock(START.replace(second=50))
        second = _runtime(queue, clock, path)
        second.create_state_machine("M", definition)
        await second.resume()
        assert len(queue.messages) == 2  # the messages were not sent again
        await second.send_task_success(tokens["a"], '"yes"')
        assert json.loads((await second.wait(ok))["output"]) == "yes"
        await clock.move(11)  # 61 s after the task was scheduled in the first process
        described = await second.wait(late)
        assert described["status"] == "FAILED" and described["error"] == "States.Timeout"
        await second.close()

    asyncio.run(scenario())


def test_plain_state_machines_serve_callbacks_too() -> None:
    from asl import StateMachine

    async def scenario() -> None:
        queue = Queue()
        machine = StateMachine(callback_machine(), integrations={"sqs": queue})
        execution = await machine.start({"ask": "x"})
        await settle()
        machine.tasks.tokens.succeed(queue.messages[0]["token"], {"ok": 1})
        assert (await execution.result()).output == {"ok": 1}

    asyncio.run(scenario())


def test_heartbeats_are_remembered_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"

    async def scenario() -> None:
        queue, clock = Queue(), ManualClock(START)
        first = _runtime(queue, clock, path)
        definition = callback_machine(HeartbeatSeconds=10)
        arn = first.create_state_machine("M", definition)["stateMachineArn"]
        execution = (await first.start_execution(arn, '{"ask": "x"}', name="beat"))["executionArn"]
        await settle()
        await clock.move(8)
        await first.send_task_heartbeat(queue.messages[0]["token"])
        await crash(first)

        later = ManualClock(START.replace(second=12))  # past 10 s from the start, not from the beat
        second = _runtime(queue, later, path)
        second.create_state_machine("M", definition)
        await second.resume()
        await later.move(5)
        assert second.describe_execution(execution)["status"] == "RUNNING"
        await later.move(2)  # 19 s: more than 10 s since the heartbeat at 8 s
        described = await second.wait(execution)
        assert described["error"] == "States.HeartbeatTimeout"
        assert second.store.heartbeats() == {}  # forgotten once the task is over
        await second.close()

    asyncio.run(scenario())
