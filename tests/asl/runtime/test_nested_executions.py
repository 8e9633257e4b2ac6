"""Nested executions: ``arn:aws:states:::states:startExecution`` in its four patterns, run locally.

What each test follows is AWS's developer guide, "Start a new AWS Step Functions state machine
from a running execution" (connect-stepfunctions) and "Start workflow executions from a task
state" (concepts-nested-workflows), and the execution histories AWS records for these tasks
(TaskScheduled, TaskStarted, TaskSubmitted for ``.sync`` and callbacks, TaskSucceeded or
TaskFailed with ``States.TaskFailed`` and the child's DescribeExecution as the cause).
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from durable_support import START, ManualClock, crash, forever, kill_when_ready, settle
from nested_crash_worker import CHILD as WORKER_CHILD
from nested_crash_worker import PARENT as WORKER_PARENT

from asl import ExecutionStore, Runtime
from asl.integrations.jobs import Origin

ACCOUNT_ARN = "arn:aws:states:us-east-1:123456789012"
CHILD_ARN = f"{ACCOUNT_ARN}:stateMachine:Child"
START_EXECUTION = "arn:aws:states:::states:startExecution"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:work"
WORKER = Path(__file__).with_name("nested_crash_worker.py")

CHILD = {
    "StartAt": "Echo",
    "States": {
        "Echo": {"Type": "Pass", "Parameters": {"got.$": "$", "input.$": "$$.Execution.Input"}, "End": True}
    },
}
FAILING_CHILD = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Child.Broke", "Cause": "no"}},
}
WORKING_CHILD = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": FUNCTION, "End": True}}}
WAITING_CHILD = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def parent(pattern: str = "", **parameters: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": START_EXECUTION + pattern,
        "Parameters": {
            "StateMachineArn": CHILD_ARN,
            "Input": {
                "order.$": "$.order",
                "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
            },
            **parameters,
        },
        "End": True,
    }
    return {"StartAt": "Call", "States": {"Call": task}}


def _runtime(path: str | Path = ":memory:", **options: Any) -> Runtime:
    return Runtime(ExecutionStore(path), clock=ManualClock(START), **options)


def _events(runtime: Runtime, arn: str) -> list[dict[str, Any]]:
    return list(runtime.get_execution_history(arn, max_results=1000)["events"])


def _types(runtime: Runtime, arn: str) -> list[str]:
    return [event["type"] for event in _events(runtime, arn)]


def _children(runtime: Runtime) -> list[dict[str, Any]]:
    return list(runtime.list_executions(CHILD_ARN)["executions"])


async def _run(runtime: Runtime, definition: dict[str, Any], child: dict[str, Any] = CHILD) -> dict[str, Any]:
    runtime.create_state_machine("Child", child)
    arn = runtime.create_state_machine("Parent", definition)["stateMachineArn"]
    started = await runtime.start_execution(arn, '{"order": 7}', name="p1")
    return await runtime.wait(started["executionArn"])


def test_request_response_answers_start_execution_and_leaves_the_child_running() -> None:
    """Request-response: the task ends with StartExecution's answer (ExecutionArn, StartDate)."""

    async def scenario() -> None:
        rt = _runtime()
        described = await _run(rt, parent())
        assert described["status"] == "SUCCEEDED"
        output = json.loads(described["output"])
        assert sorted(output) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
        assert output["ExecutionArn"].startswith(f"{ACCOUNT_ARN}:execution:Child:")
        assert output["StartDate"] == int(START.timestamp() * 1000)  # epoch milliseconds
        assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
        assert _types(rt, described["executionArn"])[2:5] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
        scheduled = _events(rt, described["executionArn"])[2]["taskScheduledEventDetails"]
        assert (scheduled["resourceType"], scheduled["resource"]) == ("states", "startExecution")
        child = await rt.wait(output["ExecutionArn"])
        assert child["status"] == "SUCCEEDED"
        await rt.close()

    asyncio.run(scenario())


def test_the_child_sees_the_parent_execution_id_it_was_given() -> None:
    """concepts-nested-workflows: "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"
    associates the child with its parent; the child's input (and DescribeExecution) carry it."""

    async def scenario() -> None:
        rt = _runtime()
        described = await _run(rt, parent(".sync:2"))
        output = json.loads(described["output"])
        link = {"order": 7, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": described["executionArn"]}
        assert output["Output"]["input"] == link  # $$.Execution.Input of the child
        assert json.loads(rt.describe_execution(output["ExecutionArn"])["input"]) == link
        await rt.close()

    asyncio.run(scenario())


def test_sync_waits_for_the_child_and_answers_describe_execution_with_json_text() -> None:
    """.sync: TaskSubmitted holds StartExecution's answer; TaskSucceeded DescribeExecution's shape,
    Input and Output as JSON text."""

    async def scenario() -> None:
        rt = _runtime()
        described = await _run(rt, parent(".sync", Name="kid-1"))
        assert described["status"] == "SUCCEEDED"
        output = json.loads(described["output"])
        assert list(output) == [
            "ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails",
            "StartDate", "StateMachineArn", "Status", "StopDate",
        ]  # fmt: skip
        assert output["ExecutionArn"] == f"{ACCOUNT_ARN}:execution:Child:kid-1"
        assert (output["Name"], output["Status"], output["StateMachineArn"]) == (
            "kid-1",
            "SUCCEEDED",
            CHILD_ARN,
        )
        assert isinstance(output["Output"], str) and json.loads(output["Output"])["got"]["order"] == 7
        assert output["InputDetails"] == output["OutputDetails"] == {"Included": True}
        events = _events(rt, described["executionArn"])
        assert [e["type"] for e in events][2:6] == [
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
        ]
        submitted = json.loads(events[4]["taskSubmittedEventDetails"]["output"])
        assert submitted["ExecutionArn"] == output["ExecutionArn"]
        assert events[4]["taskSubmittedEventDetails"]["resource"] == "startExecution.sync"
        await rt.close()

    asyncio.run(scenario())


def test_sync_2_answers_input_and_output_as_json() -> None:
    """.sync:2: the same DescribeExecution shape with Input and Output parsed."""

    async def scenario() -> None:
        rt = _runtime()
        described = await _run(rt, parent(".sync:2"))
        output = json.loads(described["output"])
        assert output["Output"]["got"]["order"] == 7
        assert output["Input"]["order"] == 7
        assert output["OutputDetails"] == {"Included": True}
        await rt.close()

    asyncio.run(scenario())


def test_a_failed_child_fails_the_task_with_states_task_failed_and_its_description() -> None:
    """A failed child fails a .sync task with States.TaskFailed; the cause is the child's
    DescribeExecution (with its Error and Cause) as JSON text, and Catch sees it."""

    async def scenario() -> None:
        rt = _runtime()
        described = await _run(rt, parent(".sync"), FAILING_CHILD)
        assert described["status"] == "FAILED"
        assert described["error"] == "States.TaskFailed"
        cause = json.loads(described["cause"])
        assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Child.Broke", "no")
        assert "Output" not in cause and cause["Input"] == json.dumps(
            {"order": 7, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": described["executionArn"]},
            separators=(",", ":"),
        )
        events = _events(rt, described["executionArn"])
        failed = next(e for e in events if e["type"] == "TaskFailed")["taskFailedEventDetails"]
        assert (failed["error"], failed["resource"]) == ("States.TaskFailed", "startExecution.sync")

        caught = parent(".sync:2")
        caught["States"]["Call"]["Catch"] = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}]
        caught["States"]["Call"].pop("End")
        caught["States"]["Call"]["Next"] = "Done"
        caught["States"]["Done"] = {"Type": "Succeed"}
        caught["States"]["Handled"] = {"Type": "Pass", "End": True}
        arn = rt.create_state_machine("Catching", caught)["stateMachineArn"]
        handled = await rt.wait((await rt.start_execution(arn, '{"order": 1}'))["executionArn"])
        assert handled["status"] == "SUCCEEDED"
        assert json.loads(handled["output"])["Error"] == "States.TaskFailed"
        await rt.close()

    asyncio.run(scenario())


def test_a_machine_that_does_not_exist_fails_the_task_with_the_sdk_exception() -> None:
    """A refused StartExecution fails the task with the SDK exception's name, as optimised
    integrations name service errors (StepFunctions.StateMachineDoesNotExistException)."""

    async def scenario() -> None:
        rt = _runtime()
        definition = parent(".sync")
        definition["States"]["Call"]["Parameters"]["StateMachineArn"] = f"{ACCOUNT_ARN}:stateMachine:Nope"
        described = await _run(rt, definition)
        assert described["error"] == "StepFunctions.StateMachineDoesNotExistException"
        assert described["cause"].startswith(
            f"State Machine Does Not Exist: '{ACCOUNT_ARN}:stateMachine:Nope'"
        )
        assert (
            "Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist"
            in (described["cause"])
        )
        assert "TaskSubmitted" not in _types(rt, described["executionArn"])
        await rt.close()

    asyncio.run(scenario())


def test_parameters_name_the_field_that_is_wrong() -> None:
    async def scenario() -> None:
        rt = _runtime()
        missing = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": START_EXECUTION,
                   "Parameters": {"Input": {}}, "End": True}}}  # fmt: skip
        described = await _run(rt, missing)
        assert described["error"] == "States.Runtime"
        assert "'StateMachineArn' is required" in described["cause"]
        await rt.close()

    asyncio.run(scenario())


def test_stopping_the_parent_stops_its_sync_child() -> None:
    """AWS stops a .sync child execution when the execution that waits for it is stopped."""

    async def scenario() -> None:
        rt = _runtime()
        rt.create_state_machine("Child", WAITING_CHILD)
        arn = rt.create_state_machine("Parent", parent(".sync"))["stateMachineArn"]
        started = await rt.start_execution(arn, '{"order": 7}')
        await settle()
        (child,) = _children(rt)
        assert child["status"] == "RUNNING"
        await rt.stop_execution(started["executionArn"], error="Stop", cause="enough")
        assert rt.describe_execution(started["executionArn"])["status"] == "ABORTED"
        assert rt.describe_execution(child["executionArn"])["status"] == "ABORTED"
        await rt.close()

    asyncio.run(scenario())


def test_wait_for_task_token_ends_when_the_token_is_sent() -> None:
    """.waitForTaskToken: the child is started with the token and the task waits for SendTaskSuccess."""

    async def scenario() -> None:
        rt = _runtime()
        definition = parent(".waitForTaskToken", Input={"token.$": "$$.Task.Token"})
        rt.create_state_machine("Child", CHILD)
        arn = rt.create_state_machine("Parent", definition)["stateMachineArn"]
        started = await rt.start_execution(arn, "{}")
        await settle()
        (child,) = _children(rt)
        token = json.loads(rt.describe_execution(child["executionArn"])["input"])["token"]
        assert rt.describe_execution(started["executionArn"])["status"] == "RUNNING"
        await rt.send_task_success(token, '{"answer": 42}')
        described = await rt.wait(started["executionArn"])
        assert json.loads(described["output"]) == {"answer": 42}
        assert _types(rt, started["executionArn"])[2:6] == [
            "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded",
        ]  # fmt: skip
        await rt.close()

    asyncio.run(scenario())


def test_an_express_parent_starts_a_standard_child() -> None:
    """EXPRESS executions may start executions (request-response; AWS refuses .sync in EXPRESS)."""

    async def scenario() -> None:
        rt = _runtime()
        rt.create_state_machine("Child", CHILD)
        arn = rt.create_state_machine("Quick", parent(), type="EXPRESS")["stateMachineArn"]
        described = await rt.start_sync_execution(arn, '{"order": 3}')
        assert described["status"] == "SUCCEEDED"
        child = await rt.wait(json.loads(described["output"])["ExecutionArn"])
        assert json.loads(child["output"])["got"]["order"] == 3
        await rt.close()

    asyncio.run(scenario())


def test_a_sync_child_of_an_express_machine_is_waited_for() -> None:
    """A STANDARD parent can run an EXPRESS child with .sync:2 (its result is kept in memory)."""

    async def scenario() -> None:
        rt = _runtime()
        rt.create_state_machine("Child", CHILD, type="EXPRESS")
        arn = rt.create_state_machine("Parent", parent(".sync:2"))["stateMachineArn"]
        described = await rt.wait((await rt.start_execution(arn, '{"order": 5}'))["executionArn"])
        output = json.loads(described["output"])
        assert (output["Status"], output["Output"]["got"]["order"]) == ("SUCCEEDED", 5)
        assert ":express:Child:" in output["ExecutionArn"]
        await rt.close()

    asyncio.run(scenario())


def test_a_parent_resumed_after_a_crash_gets_its_sync_child_result_without_a_second_child(db: Path) -> None:
    """Durable: killed while the parent waits for its .sync child, a new process resumes both;
    the child is not started again and the parent ends with its result."""

    async def first() -> str:
        rt = _runtime(db, handlers={"work": forever})
        rt.create_state_machine("Child", WORKING_CHILD)
        arn = rt.create_state_machine("Parent", parent(".sync:2"))["stateMachineArn"]
        started = await rt.start_execution(arn, '{"order": 7}', name="p1")
        await settle()
        assert len(_children(rt)) == 1
        await crash(rt)
        return str(started["executionArn"])

    async def second(parent_arn: str) -> None:
        rt = _runtime(db, handlers={"work": lambda event, context: {"done": event["order"]}})
        rt.create_state_machine("Child", WORKING_CHILD)
        rt.create_state_machine("Parent", parent(".sync:2"))
        await rt.resume()
        described = await rt.wait(parent_arn)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"])["Output"] == {"done": 7}
        assert len(_children(rt)) == 1
        types = _types(rt, parent_arn)
        assert types.count("TaskSubmitted") == 1 and types.count("TaskScheduled") == 1
        await rt.close()

    parent_arn = asyncio.run(first())
    asyncio.run(second(parent_arn))


def test_a_task_run_again_after_a_restart_finds_the_child_it_had_started() -> None:
    """A task whose child was started but not recorded (the process died in between) runs
    again with the same TaskScheduled event: it gets the same child, even one that has ended."""

    async def scenario() -> None:
        rt = _runtime()
        rt.create_state_machine("Child", CHILD)
        nested = rt.machines.jobs["states"]
        origin = Origin(f"{ACCOUNT_ARN}:execution:Parent:p1", 3, START)
        parameters = {"StateMachineArn": CHILD_ARN, "Input": {"order": 1}}
        first = await nested.start("startExecution", ".sync", parameters, origin)
        await rt.wait(first["ExecutionArn"])  # it ended before the parent recorded it
        again = await nested.start("startExecution", ".sync", parameters, origin)
        assert again["ExecutionArn"] == first["ExecutionArn"]
        assert len(_children(rt)) == 1
        later = Origin(origin.execution_arn, 9, START + timedelta(seconds=1))  # a Retry: a new child
        assert (await nested.start("startExecution", ".sync", parameters, later))["ExecutionArn"] != (
            first["ExecutionArn"]
        )
        await rt.close()

    asyncio.run(scenario())


def test_timeout_seconds_bounds_the_wait_for_a_sync_child() -> None:
    """TimeoutSeconds bounds a .sync task as any task: it fails with States.Timeout (TaskTimedOut)."""

    async def scenario() -> None:
        clock = ManualClock(START)
        rt = Runtime(ExecutionStore(":memory:"), clock=clock)
        rt.create_state_machine("Child", WAITING_CHILD)
        definition = parent(".sync")
        definition["States"]["Call"]["TimeoutSeconds"] = 10
        arn = rt.create_state_machine("Parent", definition)["stateMachineArn"]
        started = await rt.start_execution(arn, '{"order": 7}')
        await settle()
        await clock.move(5)
        assert rt.describe_execution(started["executionArn"])["status"] == "RUNNING"
        await clock.move(5)
        described = await rt.wait(started["executionArn"])
        assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
        assert _types(rt, started["executionArn"])[-2:] == ["TaskTimedOut", "ExecutionFailed"]
        await rt.close()

    asyncio.run(scenario())


def test_a_parent_killed_while_it_waits_gets_its_child_result_from_the_next_process(
    db: Path, tmp_path: Path
) -> None:
    """SIGKILL while a .sync:2 parent waits: the next process resumes parent and child, starts no
    second child, and the parent ends with the child's result."""
    log = tmp_path / "work.log"
    kill_when_ready(WORKER, db, log, "parent never waited for its child")

    async def resumed() -> None:
        calls: list[Any] = []

        def work(event: Any, context: Any) -> Any:
            calls.append(event)
            return {"done": event["order"]}

        rt = Runtime(ExecutionStore(db), handlers={"work": work})
        rt.create_state_machine("Child", WORKER_CHILD)
        rt.create_state_machine("Parent", WORKER_PARENT)
        await rt.resume()
        parent_arn = f"{ACCOUNT_ARN}:execution:Parent:p1"
        described = await rt.wait(parent_arn)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"])["Output"] == {"done": 7}
        assert len(_children(rt)) == 1 and calls == [{"order": 7}]
        assert _types(rt, parent_arn).count("TaskSubmitted") == 1
        await rt.close()

    asyncio.run(resumed())
    assert log.read_text().split() == ["started", "ready"]


def test_an_aborted_child_fails_the_sync_task_with_its_status() -> None:
    """A child stopped by someone else fails its .sync parent with States.TaskFailed (Status ABORTED)."""

    async def scenario() -> None:
        rt = _runtime()
        rt.create_state_machine("Child", WAITING_CHILD)
        arn = rt.create_state_machine("Parent", parent(".sync"))["stateMachineArn"]
        started = await rt.start_execution(arn, '{"order": 7}')
        await settle()
        (child,) = _children(rt)
        await rt.stop_execution(child["executionArn"], error="Halt", cause="by hand")
        described = await rt.wait(started["executionArn"])
        assert described["error"] == "States.TaskFailed"
        cause = json.loads(described["cause"])
        assert (cause["Status"], cause["Error"], cause["Cause"]) == ("ABORTED", "Halt", "by hand")
        await rt.close()

    asyncio.run(scenario())


def test_jsonata_arguments_and_input_given_as_json_text() -> None:
    """Arguments (JSONata) are the same fields; an Input given as a string is passed as JSON text."""

    async def scenario() -> None:
        rt = _runtime()
        definition = {
            "QueryLanguage": "JSONata",
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": START_EXECUTION + ".sync:2",
                    "Arguments": {
                        "StateMachineArn": CHILD_ARN,
                        "Input": '{"order": 9}',
                        "Name": "{% 'n' & $states.input.order %}",
                    },
                    "Output": "{% $states.result.Output.got %}",
                    "End": True,
                }
            },
        }
        described = await _run(rt, definition)
        assert json.loads(described["output"]) == {"order": 9}
        assert _children(rt)[0]["name"] == "n7"
        await rt.close()

    asyncio.run(scenario())
