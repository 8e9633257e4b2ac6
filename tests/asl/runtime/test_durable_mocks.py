"""Mocked service integrations from AWS Step Functions Local's mock configuration format."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from durable_support import START, RecordingClock, StuckClock, crash

from asl import ExecutionStore, MockConfig, MockConfigError, Runtime, StatesError

EXAMPLES = Path(__file__).parents[3] / "examples" / "mocks"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:LambdaSQSIntegration"


def _run(test_case: str, **options: Any) -> tuple[dict[str, Any], list[dict[str, Any]], RecordingClock]:
    clock = RecordingClock(START)

    async def scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rt = Runtime(
            ExecutionStore(":memory:"), clock=clock, mock_config=EXAMPLES / "MockConfigFile.json", **options
        )
        rt.create_state_machine("LambdaSQSIntegration", EXAMPLES / "LambdaSQSIntegration.asl.json")
        started = await rt.start_execution(f"{MACHINE}#{test_case}", '{"name": "kim"}', name=test_case)
        described = await rt.wait(started["executionArn"])
        events = rt.get_execution_history(started["executionArn"], max_results=1000)["events"]
        await rt.close()
        return described, events

    described, events = asyncio.run(scenario())
    return described, events, clock


def test_happy_path_returns_the_mocked_responses() -> None:
    described, events, _ = _run("HappyPath")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["MessageId"] == "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
    succeeded = [
        json.loads(e["taskSucceededEventDetails"]["output"]) for e in events if e["type"] == "TaskSucceeded"
    ]
    assert succeeded[0]["Payload"] == {"StatusCode": 200, "body": "Hello from Lambda!"}


def test_retry_path_throws_by_call_number_and_the_retrier_backs_off() -> None:
    described, events, clock = _run("RetryPath")
    assert described["status"] == "SUCCEEDED"
    failures = [e["taskFailedEventDetails"]["error"] for e in events if e["type"] == "TaskFailed"]
    assert failures == [
        "Lambda.ResourceNotReadyException",
        "Lambda.TimeoutException",
        "Lambda.TimeoutException",
    ]
    assert clock.slept == [2.0, 4.0, 8.0]  # IntervalSeconds 2, BackoffRate 2


def test_hybrid_path_calls_the_real_integration_for_unmocked_states() -> None:
    sent: list[Any] = []

    def sqs(action: str, parameters: dict[str, Any]) -> dict[str, Any]:
        sent.append(parameters["MessageBody"])
        return {"MessageId": "real-one"}

    described, _, _ = _run("HybridPath", integrations={"sqs": sqs})
    assert json.loads(described["output"]) == {"MessageId": "real-one"}
    assert sent[0]["Payload"] == {"StatusCode": 200, "body": "Hello from Lambda!"}


def test_an_unknown_test_case_is_named_in_the_error() -> None:
    async def scenario() -> None:
        rt = Runtime(ExecutionStore(":memory:"), mock_config=EXAMPLES / "MockConfigFile.json")
        rt.create_state_machine("LambdaSQSIntegration", EXAMPLES / "LambdaSQSIntegration.asl.json")
        with pytest.raises(MockConfigError, match=r"no test case 'SadPath'.*HybridPath, RetryPath"):
            await rt.start_execution(f"{MACHINE}#SadPath", "{}")
        await rt.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"Mocks": {}}, "unknown top-level field"),
        ({"MockedResponses": {"R": {"first": {"Return": 1}}}}, "'first' is not a call number"),
        ({"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}, "exactly one of"),
        ({"MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}}, "'Error' and 'Cause'"),
        (
            {"StateMachines": {"M": {"TestCases": {"T": {"S": "Missing"}}}}},
            "'Missing', which MockedResponses",
        ),
    ],
)
def test_malformed_configurations_are_refused_with_the_place(config: dict[str, Any], message: str) -> None:
    with pytest.raises(MockConfigError, match=message):
        MockConfig(config)


def test_calls_past_the_last_mocked_one_fail_clearly() -> None:
    case = MockConfig(
        {
            "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
            "MockedResponses": {"R": {"0-1": {"Return": "x"}}},
        }
    ).case("M", "T")
    assert [case.respond("S"), case.respond("S")] == ["x", "x"]
    with pytest.raises(StatesError, match="no answer for call 2"):
        case.respond("S")


def test_a_resumed_test_case_goes_on_with_the_next_mocked_call(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    config = EXAMPLES / "MockConfigFile.json"
    definition = EXAMPLES / "LambdaSQSIntegration.asl.json"

    async def scenario() -> tuple[dict[str, Any], list[str]]:
        first = Runtime(ExecutionStore(path), clock=StuckClock(START), mock_config=config)
        first.create_state_machine("LambdaSQSIntegration", definition)
        started = await first.start_execution(f"{MACHINE}#RetryPath", "{}", name="resumed")
        await crash(first)  # stuck in the back-off after the first mocked failure
        second = Runtime(ExecutionStore(path), clock=RecordingClock(START), mock_config=config)
        second.create_state_machine("LambdaSQSIntegration", definition)
        await second.resume()
        described = await second.wait(started["executionArn"])
        events = second.get_execution_history(started["executionArn"], max_results=1000)["events"]
        await second.close()
        return described, [e["taskFailedEventDetails"]["error"] for e in events if e["type"] == "TaskFailed"]

    described, failures = asyncio.run(scenario())
    assert described["status"] == "SUCCEEDED"
    assert failures == [
        "Lambda.ResourceNotReadyException",
        "Lambda.TimeoutException",
        "Lambda.TimeoutException",
    ]
