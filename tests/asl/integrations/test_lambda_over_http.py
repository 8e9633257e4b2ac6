"""Lambda tasks served over HTTP by the Lambda Invoke API (asl.integrations.lambda_http).

Against a real local server speaking the Invoke wire format (Lambda API reference, Invoke:
``POST /2015-03-31/functions/{FunctionName}/invocations``, ``X-Amz-Invocation-Type``,
``Qualifier``, ``X-Amz-Function-Error``). The errors follow the Step Functions developer guide:
a function's ``errorType`` is the task's error ("Error handling in Step Functions"), a failure
without one is ``Lambda.Unknown`` and the service's own failures are ``Lambda.<Exception>``
("Handle Lambda service exceptions").
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from lambda_server import LambdaServer, lambda_server

from asl import Execution, StateMachine
from asl.integrations.lambda_http import LambdaEndpoint

INVOKE = "arn:aws:states:::lambda:invoke"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:{}"


@pytest.fixture(scope="module")
def server() -> Iterator[LambdaServer]:
    with lambda_server() as running:
        yield running


def _task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **fields}}}


def _run(
    definition: dict[str, Any], endpoint: str | LambdaEndpoint, input: Any = None, **options: Any
) -> Execution:
    return StateMachine(definition, lambda_endpoint=endpoint, **options).run(
        input if input is not None else {"n": 1}
    )


def test_a_plain_lambda_arn_is_invoked_over_http(server: LambdaServer) -> None:
    execution = _run(_task(FUNCTION.format("Echo") + ":live"), server.url)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"got": {"n": 1}}
    seen = server.seen[-1]
    assert (seen.function, seen.query, seen.body) == ("Echo", {"Qualifier": ["live"]}, '{"n":1}')
    assert seen.headers["X-Amz-Invocation-Type"] == "RequestResponse"
    assert [e["type"] for e in execution.history][2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]


def test_lambda_invoke_answers_as_lambda_answered(server: LambdaServer) -> None:
    definition = _task(INVOKE, Parameters={"FunctionName": "Echo", "Qualifier": "3", "Payload.$": "$"})
    output = _run(definition, server.url).output
    assert list(output) == [
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    assert (output["ExecutedVersion"], output["Payload"], output["StatusCode"]) == (
        "7",
        {"got": {"n": 1}},
        200,
    )
    assert output["SdkResponseMetadata"] == {"RequestId": "req-1"}
    assert output["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Executed-Version"] == "7"
    assert server.seen[-1].query == {"Qualifier": ["3"]}


def test_an_event_invocation_answers_202_with_no_payload(server: LambdaServer) -> None:
    definition = _task(INVOKE, Parameters={"FunctionName": "Echo", "InvocationType": "Event"})
    output = _run(definition, server.url).output
    assert (output["StatusCode"], output["Payload"]) == (202, "")
    assert server.seen[-1].headers["X-Amz-Invocation-Type"] == "Event"
    assert server.seen[-1].body == "{}"  # no Payload: the function gets an empty event


def test_a_chunked_answer_is_read_whole(server: LambdaServer) -> None:
    assert _run(_task(FUNCTION.format("Chunked")), server.url).output == {"got": {"n": 1}}


def test_a_function_error_is_its_error_type_with_the_payload_as_cause(server: LambdaServer) -> None:
    for resource, fields in (
        (FUNCTION.format("Fails"), {}),
        (INVOKE, {"Parameters": {"FunctionName": "Fails"}}),
    ):
        execution = _run(_task(resource, **fields), server.url)
        assert execution.error == "OrderNotFound"
        assert json.loads(execution.cause or "")["errorMessage"] == "no such order"
    caught = _task(FUNCTION.format("Fails"), Catch=[{"ErrorEquals": ["OrderNotFound"], "Next": "Done"}])
    caught["States"]["Done"] = {"Type": "Pass", "End": True}
    assert _run(caught, server.url).status == "SUCCEEDED"


def test_a_function_error_without_an_error_type_is_lambda_unknown(server: LambdaServer) -> None:
    execution = _run(_task(FUNCTION.format("Dies")), server.url)
    assert execution.error == "Lambda.Unknown"
    assert (execution.cause or "").startswith(
        "The cause could not be determined because Lambda did not return an error type. Returned payload: "
    )
    assert "Task timed out after 3.00 seconds" in (execution.cause or "")


@pytest.mark.parametrize(
    ("function", "error", "message"),
    [
        ("Missing", "Lambda.ResourceNotFoundException", "Function not found: " + FUNCTION.format("Missing")),
        ("SamMissing", "Lambda.ResourceNotFoundException", "Function not found: arn:aws:lambda:us-west-2"),
        ("Throttled", "Lambda.TooManyRequestsException", "Rate Exceeded."),
    ],
)
def test_an_error_of_the_lambda_service_is_named_as_the_sdk_names_it(
    server: LambdaServer, function: str, error: str, message: str
) -> None:
    execution = _run(_task(INVOKE, Parameters={"FunctionName": function}), server.url)
    assert execution.error == error
    assert (execution.cause or "").startswith(message)
    assert "(Service: AWSLambda; Status Code: " in (execution.cause or "")
    assert (execution.cause or "").endswith("Request ID: req-1; Proxy: null)")


def test_the_task_timeout_stops_a_slow_function(server: LambdaServer) -> None:
    execution = _run(_task(FUNCTION.format("Slow"), TimeoutSeconds=1), server.url)
    assert execution.error == "States.Timeout"
    assert execution.history[-2]["type"] == "LambdaFunctionTimedOut"


def test_no_answer_within_the_read_timeout_is_an_sdk_client_error(server: LambdaServer) -> None:
    execution = _run(_task(FUNCTION.format("Slow")), LambdaEndpoint(server.url, read_timeout=0.3))
    assert (execution.error, execution.cause) == (
        "Lambda.SdkClientException",
        "Unable to execute HTTP request: Read timed out",
    )


def test_a_refused_connection_is_an_sdk_client_error_a_retrier_can_match() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    retried = _task(
        FUNCTION.format("Echo"),
        Retry=[{"ErrorEquals": ["Lambda.SdkClientException"], "IntervalSeconds": 1, "MaxAttempts": 1}],
    )
    from asl import VirtualClock

    execution = _run(retried, f"http://127.0.0.1:{port}", clock=VirtualClock())
    assert execution.error == "Lambda.SdkClientException"
    assert (execution.cause or "").startswith(
        f"Unable to execute HTTP request: Connect to 127.0.0.1:{port} failed: "
    )
    assert [e["type"] for e in execution.history].count("LambdaFunctionFailed") == 2  # retried once


def test_a_registered_handler_still_serves_its_function(server: LambdaServer) -> None:
    seen = len(server.seen)
    definition = _task(INVOKE, Parameters={"FunctionName": "Echo", "Payload": {}})
    output = _run(definition, server.url, handlers={"Echo": lambda event, context: "local"}).output
    assert output["Payload"] == "local"
    assert len(server.seen) == seen


# --- asl serve --lambda-endpoint ----------------------------------------------------------------------


def test_asl_serve_calls_the_lambda_endpoint_it_is_given(server: LambdaServer, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "asl.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path)]
    process = subprocess.Popen(
        [*command, "--lambda-endpoint", server.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False),
        )
        for _ in range(500):
            assert process.poll() is None, process.communicate()[1]
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.02)
        definition = _task(INVOKE, Parameters={"FunctionName": "Echo", "Payload.$": "$"})
        arn = sfn.create_state_machine(
            name="echo", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/R"
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, input='{"from": "boto3"}')["executionArn"]
        for _ in range(500):
            described = sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                break
            time.sleep(0.02)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"])["Payload"] == {"got": {"from": "boto3"}}
    finally:
        process.kill()
        process.communicate()


def test_asl_serve_refuses_a_lambda_endpoint_that_is_not_an_http_url(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "asl.cli", "serve", "--data-dir", str(tmp_path), "--port", "0"]
    done = subprocess.run(
        [*command, "--lambda-endpoint", "127.0.0.1:3001"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "asl: --lambda-endpoint: the Lambda endpoint must be an http:// or https:// URL, "
        "got '127.0.0.1:3001'\n"
    )
