"""Mock configuration over the wire, as Step Functions Local takes it: ``--mock-config`` or
``$SFN_MOCK_CONFIG``, and StartExecution of ``<state machine ARN>#<test case>``.

AWS Step Functions developer guide, "Using mocked service integrations for testing in Step
Functions Local": the file is given with the ``SFN_MOCK_CONFIG`` environment variable (or the
jar's ``--mock-config`` option at the time of writing, hence ours), and a test case is chosen by
appending ``#<TestCaseName>`` to the state machine ARN in StartExecution. The execution it starts
is an execution of the state machine itself: its ARN and DescribeExecution's ``stateMachineArn``
carry no test case.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asl_serve_support import EXAMPLES, ROLE, client, eventually

from asl.cli import main
from asl.server import BackgroundServer, create_app

MOCKS = EXAMPLES / "mocks"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:LambdaSQSIntegration"

# one state that throws what the test case says, caught, so the failure path needs no retry wait
_CATCHING = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "Nowhere", "Payload.$": "$"},
            "Catch": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "Next": "Caught"}],
            "End": True,
        },
        "Caught": {"Type": "Pass", "End": True},
    },
}
_CONFIG = {
    "StateMachines": {
        "Catching": {"TestCases": {"Throttled": {"Call": "Throttle"}, "Fine": {"Call": "Fine"}}},
        "Quick": {"TestCases": {"Fine": {"Call": "Fine"}}},
    },
    "MockedResponses": {
        "Throttle": {"0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}}},
        "Fine": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}},
    },
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    folder = tmp_path_factory.mktemp("mocks")
    config = {
        "StateMachines": {
            **json.loads((MOCKS / "MockConfigFile.json").read_text())["StateMachines"],
            **_CONFIG["StateMachines"],
        },
        "MockedResponses": {
            **json.loads((MOCKS / "MockConfigFile.json").read_text())["MockedResponses"],
            **_CONFIG["MockedResponses"],
        },
    }
    (folder / "MockConfigFile.json").write_text(json.dumps(config))
    app = create_app(folder / "data", mock_config=folder / "MockConfigFile.json")
    with BackgroundServer(app) as server:
        sfn = client("stepfunctions", server.url)
        sfn.create_state_machine(
            name="LambdaSQSIntegration",
            definition=(MOCKS / "LambdaSQSIntegration.asl.json").read_text(),
            roleArn=ROLE,
        )
        sfn.create_state_machine(name="Catching", definition=json.dumps(_CATCHING), roleArn=ROLE)
        sfn.create_state_machine(name="Quick", definition=json.dumps(_CATCHING), roleArn=ROLE, type="EXPRESS")
        yield server


@pytest.fixture(scope="module")
def sfn(served: BackgroundServer) -> Any:
    return client("stepfunctions", served.url)


@pytest.fixture(scope="module")
def outbox_url(served: BackgroundServer) -> str:
    return f"{served.url}/asl/outbox"


def _finished(sfn: Any, arn: str) -> dict[str, Any]:
    return eventually(
        lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d,
        "the execution to end",
    )


def test_a_test_case_runs_its_mocked_responses_and_the_execution_belongs_to_the_machine(sfn: Any) -> None:
    started = sfn.start_execution(
        stateMachineArn=f"{MACHINE}#HappyPath", name="executionWithHappyPathMockedServices", input="{}"
    )
    arn = f"{MACHINE.replace(':stateMachine:', ':execution:')}:executionWithHappyPathMockedServices"
    assert started["executionArn"] == arn
    described = _finished(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert described["stateMachineArn"] == MACHINE
    assert json.loads(described["output"])["MessageId"] == "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
    events = sfn.get_execution_history(executionArn=arn)["events"]
    lambda_output = next(e for e in events if e["type"] == "TaskSucceeded")["taskSucceededEventDetails"]
    assert json.loads(lambda_output["output"])["Payload"] == {"StatusCode": 200, "body": "Hello from Lambda!"}
    listed = sfn.list_executions(stateMachineArn=MACHINE)["executions"]
    assert arn in [e["executionArn"] for e in listed]


def test_a_hybrid_test_case_sends_its_unmocked_states_message_through_the_local_sqs(
    sfn: Any, outbox_url: str
) -> None:
    # the developer guide: a state the test case does not mock calls its service; here the local SQS
    arn = sfn.start_execution(stateMachineArn=f"{MACHINE}#HybridPath", input='{"n": 1}')["executionArn"]
    described = _finished(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    with urllib.request.urlopen(f"{outbox_url}?service=sqs&executionArn={arn}", timeout=10) as answer:
        [sent] = json.loads(answer.read())["messages"]
    assert json.loads(sent["message"])["Payload"] == {"StatusCode": 200, "body": "Hello from Lambda!"}
    assert json.loads(described["output"])["MessageId"] == sent["messageId"]


def test_a_mocked_throw_is_the_tasks_error_and_catch_matches_it(sfn: Any) -> None:
    arn = sfn.start_execution(
        stateMachineArn=f"{MACHINE.replace('LambdaSQSIntegration', 'Catching')}#Throttled"
    )["executionArn"]
    assert _finished(sfn, arn)["status"] == "SUCCEEDED"
    events = sfn.get_execution_history(executionArn=arn)["events"]
    failed = next(e for e in events if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert (failed["error"], failed["cause"]) == ("Lambda.TooManyRequestsException", "Rate exceeded")


def test_start_sync_execution_runs_a_test_case_of_an_express_machine(sfn: Any) -> None:
    answer = sfn.start_sync_execution(
        stateMachineArn=f"{MACHINE.replace('LambdaSQSIntegration', 'Quick')}#Fine", input='{"a": 1}'
    )
    assert answer["status"] == "SUCCEEDED"
    assert answer["stateMachineArn"] == MACHINE.replace("LambdaSQSIntegration", "Quick")
    assert json.loads(answer["output"])["Payload"] == {"ok": True}


def test_a_test_case_the_file_does_not_have_is_refused_naming_it(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.ClientError) as refused:
        sfn.start_execution(stateMachineArn=f"{MACHINE}#SadPath")
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "no test case 'SadPath'" in error["Message"] and "HappyPath" in error["Message"]


# --- the command line --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "asl.cli", "serve", "--data-dir", str(tmp_path / "data"), *options]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}
    )


def test_serve_reads_the_mock_config_named_by_sfn_mock_config(tmp_path: Path) -> None:
    port = _free_port()
    process = _serve(
        tmp_path, "--port", str(port), env={"SFN_MOCK_CONFIG": str(MOCKS / "MockConfigFile.json")}
    )
    try:
        url = f"http://127.0.0.1:{port}"
        sfn = client("stepfunctions", url)

        def listening() -> bool:
            assert process.poll() is None, process.communicate()[1]
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        eventually(listening, "asl serve to listen")
        sfn.create_state_machine(
            name="LambdaSQSIntegration",
            definition=(MOCKS / "LambdaSQSIntegration.asl.json").read_text(),
            roleArn=ROLE,
        )
        arn = sfn.start_execution(stateMachineArn=f"{MACHINE}#HappyPath")["executionArn"]
        assert _finished(sfn, arn)["status"] == "SUCCEEDED"
    finally:
        process.kill()
        process.communicate()


@pytest.mark.parametrize(
    ("contents", "says"),
    [
        (None, "--mock-config: cannot read the mock configuration"),
        ("{not json", "is not valid JSON"),
        (
            '{"StateMachines": {"M": {"TestCases": {"T": {"S": "Missing"}}}}}',
            "names the mocked response 'Missing'",
        ),
        ('{"MockedResponses": {"R": {"zero": {"Return": 1}}}}', "'zero' is not a call number"),
        ('{"MockedResponses": []}', "'MockedResponses' must be an object"),
    ],
)
def test_serve_refuses_a_bad_mock_config_naming_the_problem(
    tmp_path: Path, contents: str | None, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "MockConfigFile.json"
    if contents is not None:
        path.write_text(contents)
    # in-process: the file is refused before anything listens (the subprocess test below covers exit 2)
    assert main(["serve", "--port", "0", "--data-dir", str(tmp_path), "--mock-config", str(path)]) == 2
    errors = capsys.readouterr().err
    assert errors.startswith("asl: --mock-config: ") and says in errors
    assert "asl serve: http" not in errors  # refused before it listens


def test_a_bad_file_in_sfn_mock_config_is_named_by_the_variable(tmp_path: Path) -> None:
    process = _serve(tmp_path, "--port", "0", env={"SFN_MOCK_CONFIG": str(tmp_path / "absent.json")})
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 2
    assert errors.startswith("asl: SFN_MOCK_CONFIG: cannot read the mock configuration")
