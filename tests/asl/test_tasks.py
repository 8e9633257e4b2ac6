"""Task states on in-process Lambda handlers: results, errors, events, resources."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

from asl import StateMachine, VirtualClock
from asl._json import to_json
from asl.integrations.lambda_ import BLOCKING_SECONDS

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def one_task(resource: str, **extra: Any) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **extra}}}


def test_lambda_invoke_wraps_the_payload_as_aws_does() -> None:
    definition = one_task(
        "arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "echo", "Payload": {"x.$": "$.x"}}
    )
    execution = StateMachine(definition, {"echo": lambda e, c: {"got": e, "fn": c.function_name}}).run(
        {"x": 5}
    )
    output = execution.output
    assert output["Payload"] == {"got": {"x": 5}, "fn": "echo"}
    assert output["StatusCode"] == 200
    assert output["ExecutedVersion"] == "$LATEST"
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert output["SdkResponseMetadata"]["RequestId"]
    types = [e["type"] for e in execution.history]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = execution.history[2]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "lambda" and scheduled["resource"] == "invoke"
    assert json.loads(scheduled["parameters"]) == {"FunctionName": "echo", "Payload": {"x": 5}}


def test_lambda_invoke_events_hold_the_same_text_a_fresh_encoding_gives() -> None:
    # the runtime writes a payload's text once and splices it into the events around it
    definition = one_task(
        "arn:aws:states:::lambda:invoke",
        Parameters={"FunctionName": "echo", "Payload": {"x.$": "$.x", "Payload": "\u0000"}},
    )
    machine = StateMachine(definition, {"echo": lambda e, c: {"got": e, "한글": [1.5, None, True]}})
    execution = machine.run({"x": {"nested": ['a"b', "김치"]}})
    by_type = {e["type"]: e for e in execution.history}
    parameters = by_type["TaskScheduled"]["taskScheduledEventDetails"]["parameters"]
    output = by_type["TaskSucceeded"]["taskSucceededEventDetails"]["output"]
    assert parameters == to_json(json.loads(parameters))
    assert json.loads(parameters)["Payload"] == {"x": {"nested": ['a"b', "김치"]}, "Payload": "\u0000"}
    assert output == to_json(json.loads(output)) == to_json(execution.output)
    assert list(json.loads(output)) == [
        "ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"
    ]  # fmt: skip
    assert execution.output["Payload"]["got"] == json.loads(parameters)["Payload"]


def test_lambda_invoke_without_a_payload_sends_an_empty_event() -> None:
    definition = one_task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "echo"})
    execution = StateMachine(definition, {"echo": lambda e, c: {"got": e}}).run({"x": 1})
    assert execution.output["Payload"] == {"got": {}}


def test_plain_lambda_arn_returns_raw_payload_with_lambda_events() -> None:
    execution = StateMachine(one_task(LAMBDA_ARN.format("add")), {"add": lambda e, c: e["a"] + e["b"]}).run(
        {"a": 2, "b": 3}
    )
    assert execution.output == 5
    assert [e["type"] for e in execution.history][2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]
    # each event points at the one before it, except the first state's entered event: AWS
    # records previousEventId 0 there, not ExecutionStarted's id
    assert [e["previousEventId"] for e in execution.history] == [0, 0, 2, 3, 4, 5, 6]


def test_an_unhandled_exception_becomes_lambdas_error_and_cause() -> None:
    def handler(event: Any, context: Any) -> None:
        raise KeyError("missing thing")

    execution = StateMachine(one_task(LAMBDA_ARN.format("boom")), {"boom": handler}).run({})
    assert execution.status == "FAILED"
    assert execution.error == "KeyError"
    cause = json.loads(execution.cause or "")
    assert cause["errorType"] == "KeyError"
    assert cause["errorMessage"] == "'missing thing'"
    assert isinstance(cause["stackTrace"], list) and "handler" in "".join(cause["stackTrace"])
    failed = execution.history[-2]
    assert failed["type"] == "LambdaFunctionFailed"
    assert failed["lambdaFunctionFailedEventDetails"]["error"] == "KeyError"


def test_unknown_function_is_resource_not_found_and_catchable() -> None:
    definition = one_task(
        LAMBDA_ARN.format("nobody"),
        Catch=[{"ErrorEquals": ["Lambda.ResourceNotFoundException"], "Next": "Caught"}],
    )
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    execution = StateMachine(definition, {}).run({})
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "Lambda.ResourceNotFoundException"
    assert (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nobody"
        in execution.output["Cause"]
    )


def test_async_handlers_run_on_the_event_loop_concurrently() -> None:
    running = {"now": 0, "peak": 0}

    async def slow(event: Any, context: Any) -> int:
        running["now"] += 1
        running["peak"] = max(running["peak"], running["now"])
        await asyncio.sleep(0.01)
        running["now"] -= 1
        return int(event) * 10

    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "S",
                    "States": {"S": {"Type": "Task", "Resource": LAMBDA_ARN.format("slow"), "End": True}},
                },
                "End": True,
            }
        },
    }
    execution = StateMachine(definition, {"slow": slow}).run([1, 2, 3, 4])
    assert execution.output == [10, 20, 30, 40]
    assert running["peak"] == 4


def test_handler_results_must_be_json() -> None:
    execution = StateMachine(one_task(LAMBDA_ARN.format("bad")), {"bad": lambda e, c: {1, 2}}).run({})
    assert execution.error == "Runtime.MarshalError"


def test_task_timeout_fires_states_timeout() -> None:
    async def forever(event: Any, context: Any) -> None:
        await asyncio.sleep(30)

    definition = one_task(LAMBDA_ARN.format("forever"), TimeoutSeconds=1)
    execution = StateMachine(definition, {"forever": forever}).run({})
    assert execution.error == "States.Timeout"
    assert execution.history[-2]["type"] == "LambdaFunctionTimedOut"


def test_sync_handlers_run_inline_unless_task_threads_is_set() -> None:
    seen: list[str] = []

    def where(event: Any, context: Any) -> None:
        seen.append(threading.current_thread().name)

    StateMachine(one_task(LAMBDA_ARN.format("where")), {"where": where}).run({})
    StateMachine(one_task(LAMBDA_ARN.format("where")), {"where": where}, task_threads=True).run({})
    assert seen[0] == threading.current_thread().name and seen[1].startswith("asl-task")


def test_an_inline_handler_that_holds_the_loop_is_named_once(caplog: pytest.LogCaptureFixture) -> None:
    def slow(event: Any, context: Any) -> str:
        time.sleep(BLOCKING_SECONDS)
        return "done"

    machine = StateMachine(one_task(LAMBDA_ARN.format("slow")), {"slow": slow})
    with caplog.at_level("WARNING", logger="asl"):
        assert machine.run({}).output == "done"
        machine.run({})
    warnings = [r.getMessage() for r in caplog.records if "held the event loop" in r.getMessage()]
    assert len(warnings) == 1 and "'slow'" in warnings[0] and "task_threads=True" in warnings[0]


def test_an_inline_handler_past_its_timeout_times_out_as_lambda_would() -> None:
    """ "If the state runs longer than the specified timeout, then the interpreter fails the state
    with a States.Timeout Error Name" (TimeoutSeconds,
    https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html). An inline handler
    cannot be stopped at the deadline, so the state fails so when the handler returns."""

    def late(event: Any, context: Any) -> str:
        time.sleep(1.05)
        return "too late"

    definition = one_task(LAMBDA_ARN.format("late"), TimeoutSeconds=1)
    execution = StateMachine(definition, {"late": late}).run({})
    assert execution.error == "States.Timeout"
    assert execution.history[-2]["type"] == "LambdaFunctionTimedOut"


def test_a_resource_nobody_serves_fails_with_a_message_naming_it() -> None:
    execution = StateMachine(one_task("arn:aws:states:::glue:startJobRun"), {}).run({})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "arn:aws:states:::glue:startJobRun" in (execution.cause or "")


def test_custom_resources_and_substitutions() -> None:
    definition = one_task("${TopicArn}", Parameters={"Message.$": "$.m"})
    machine = StateMachine(
        definition,
        substitutions={"TopicArn": "arn:aws:states:::sns:publish"},
        resources={"arn:aws:states:::sns:publish": lambda params: {"MessageId": "m-" + params["Message"]}},
    )
    assert machine.run({"m": "hi"}).output == {"MessageId": "m-hi"}


def test_payload_over_256_kib_fails_with_data_limit_exceeded() -> None:
    definition = one_task(LAMBDA_ARN.format("big"))
    execution = StateMachine(
        definition, {"big": lambda e, c: "x" * (256 * 1024 + 1)}, clock=VirtualClock()
    ).run({})
    assert execution.error == "States.DataLimitExceeded"


def test_states_all_does_not_catch_data_limit_exceeded() -> None:
    definition = {
        "StartAt": "Big",
        "States": {
            "Big": {
                "Type": "Task",
                "Resource": LAMBDA_ARN.format("big"),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    execution = StateMachine(definition, {"big": lambda e, c: "x" * (300 * 1024)}).run({})
    assert execution.status == "FAILED"
    assert execution.error == "States.DataLimitExceeded"


@pytest.mark.parametrize("jitter", ["NONE", "FULL"])
def test_retry_backoff_respects_max_delay(jitter: str) -> None:
    attempts: list[int] = []

    def always(event: Any, context: Any) -> None:
        attempts.append(1)
        raise RuntimeError("no")

    retry = {
        "ErrorEquals": ["States.ALL"],
        "IntervalSeconds": 10,
        "BackoffRate": 3,
        "MaxAttempts": 3,
        "MaxDelaySeconds": 20,
        "JitterStrategy": jitter,
    }
    clock = VirtualClock()
    start = clock.now()
    execution = StateMachine(
        one_task(LAMBDA_ARN.format("always"), Retry=[retry]), {"always": always}, clock=clock
    ).run({})
    waited = (clock.now() - start).total_seconds()
    assert len(attempts) == 4 and execution.error == "RuntimeError"
    if jitter == "NONE":
        assert waited == 10 + 20 + 20
    else:
        assert 0 <= waited <= 50


def test_execution_timeout_stops_a_task_still_running() -> None:
    async def slow(event: Any, context: Any) -> None:
        await asyncio.sleep(30)

    definition = {"TimeoutSeconds": 1, **one_task(LAMBDA_ARN.format("slow"))}
    execution = StateMachine(definition, {"slow": slow}).run({})
    assert execution.status == "TIMED_OUT"
    assert execution.history[-1]["type"] == "ExecutionTimedOut"
