"""``GET /asl/outbox`` on ``asl serve``: what the local sns/sqs/events stand-ins sent, read-only.

Not an AWS API (AWS keeps no such record): it is how a test beside ``asl serve`` checks the
messages its workflows sent, as it would read a queue or a topic's subscriber on AWS.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from asl_serve_support import ROLE, client, eventually

from asl.server import BackgroundServer, create_app

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
DEFINITION = {
    "StartAt": "Queue",
    "States": {
        "Queue": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": QUEUE, "MessageBody.$": "$"},
            "Next": "Publish",
        },
        "Publish": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "done"},
            "End": True,
        },
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(tmp_path_factory.mktemp("outbox"))) as running:
        yield running


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_the_outbox_lists_what_an_execution_sent(server: BackgroundServer) -> None:
    sfn = client("stepfunctions", server.url)
    arn = sfn.create_state_machine(name="sender", definition=json.dumps(DEFINITION), roleArn=ROLE)[
        "stateMachineArn"
    ]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": 1}')["executionArn"]
    eventually(lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED", "the end")

    status, answer = _get(f"{server.url}/asl/outbox")
    assert status == 200
    assert [m["service"] for m in answer["messages"]] == ["sqs", "sns"]
    status, answer = _get(f"{server.url}/asl/outbox?service=sqs&executionArn={execution}")
    [sent] = answer["messages"]
    assert (sent["target"], sent["message"], sent["executionArn"]) == (QUEUE, '{"order":1}', execution)
    assert sent["stateMachineArn"] == arn and sent["time"].endswith("Z")
    history = sfn.get_execution_history(executionArn=execution)["events"]
    queued = next(e for e in history if e["type"] == "TaskSucceeded")["taskSucceededEventDetails"]
    assert json.loads(queued["output"])["MessageId"] == sent["messageId"]


def test_the_outbox_refuses_a_service_it_does_not_keep(server: BackgroundServer) -> None:
    status, answer = _get(f"{server.url}/asl/outbox?service=lambda")
    assert status == 400
    assert answer["message"] == "service must be sns, sqs or events, got 'lambda'"
