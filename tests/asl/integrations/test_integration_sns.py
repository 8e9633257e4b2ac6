"""``arn:aws:states:::sns:publish`` served locally (asl.integrations.sns).

Behaviours from the SNS API reference (Publish) and the Step Functions developer guide
("Send messages to an Amazon SNS topic"): the task's result is SNS's answer, ``MessageId``,
beside the SDK's ``SdkHttpMetadata``/``SdkResponseMetadata``; SNS's ``InvalidParameter`` is
the SDK's ``InvalidParameterException``, so the task fails with ``SNS.InvalidParameterException``.
"""

from __future__ import annotations

import json

import pytest
from standin_support import failure, run

PUBLISH = "arn:aws:states:::sns:publish"
TOPIC = "arn:aws:sns:us-east-1:123456789012:orders"


def test_publish_answers_a_message_id_and_the_outbox_keeps_what_was_sent() -> None:
    machine, execution = run(
        PUBLISH,
        {
            "TopicArn": TOPIC,
            "Message.$": "$.order",
            "Subject": "New order",
            "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "order"}},
        },
        {"order": {"id": 7}},
    )
    assert execution.status == "SUCCEEDED"
    output = execution.output
    assert list(output) == ["MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    [sent] = machine.outbox.sns
    assert sent.message_id == output["MessageId"]
    assert (sent.target, sent.json()) == (TOPIC, {"id": 7})  # a JSON Message is sent as its text
    assert sent.attributes["Subject"] == "New order"
    assert sent.attributes["MessageAttributes"]["kind"]["StringValue"] == "order"
    assert sent.execution_arn == execution.arn
    assert sent.state_machine_arn == machine.arn


def test_a_fifo_topic_needs_a_group_and_answers_a_sequence_number() -> None:
    _, execution = run(PUBLISH, {"TopicArn": f"{TOPIC}.fifo", "Message": "m"})
    assert failure(execution) == (
        "SNS.InvalidParameterException",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
    )
    _, execution = run(PUBLISH, {"TopicArn": f"{TOPIC}.fifo", "Message": "m", "MessageGroupId": "g"})
    assert len(execution.output["SequenceNumber"]) == 20


@pytest.mark.parametrize(
    ("parameters", "error", "message"),
    [
        (
            {"Message": "m"},
            "SNS.InvalidParameterException",
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
        ),
        (
            {"TopicArn": TOPIC},
            "SNS.AmazonSNSException",  # ValidationError is not a modelled exception
            "1 validation error detected: Value null at 'message' failed to satisfy constraint: "
            "Member must not be null",
        ),
        (
            {"TopicArn": "orders", "Message": "m"},
            "SNS.InvalidParameterException",
            "Invalid parameter: TopicArn",
        ),
        (
            {"TopicArn": TOPIC, "Message": ""},
            "SNS.InvalidParameterException",
            "Invalid parameter: Empty message",
        ),
        (
            {"TopicArn": TOPIC, "Message": "x" * 262_145},
            "SNS.InvalidParameterException",
            "Invalid parameter: Message too long",
        ),
        (
            {"TopicArn": TOPIC, "Message": "{}", "MessageStructure": "json"},
            "SNS.InvalidParameterException",
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
    ],
)
def test_publish_is_refused_as_sns_refuses_it(parameters: dict[str, str], error: str, message: str) -> None:
    machine, execution = run(PUBLISH, parameters)
    assert failure(execution) == (error, message)
    assert "(Service: AmazonSNS; Status Code: 400; Error Code: " in (execution.cause or "")
    assert machine.outbox.sns == []


def test_the_size_limit_counts_the_attributes_too() -> None:
    # SNS: 262,144 bytes for the message and its attributes together
    attributes = {"a": {"DataType": "String", "StringValue": "v"}}  # 1 + 6 + 1 bytes
    fits, over = 262_144 - 8, 262_144 - 7
    _, execution = run(PUBLISH, {"TopicArn": TOPIC, "Message": "x" * fits, "MessageAttributes": attributes})
    assert execution.status == "SUCCEEDED"
    _, execution = run(PUBLISH, {"TopicArn": TOPIC, "Message": "x" * over, "MessageAttributes": attributes})
    assert failure(execution)[1] == "Invalid parameter: Message too long"


def test_a_structured_message_and_a_phone_number_are_accepted() -> None:
    message = json.dumps({"default": "hi", "sms": "hi!"})
    machine, execution = run(
        PUBLISH, {"PhoneNumber": "+15555550100", "Message": message, "MessageStructure": "json"}
    )
    assert execution.status == "SUCCEEDED"
    assert machine.outbox.sns[0].target == "+15555550100"


def test_an_integration_given_to_the_machine_still_serves_sns() -> None:
    from standin_support import one_task

    from asl import StateMachine

    machine = StateMachine(
        one_task(PUBLISH, {"TopicArn": TOPIC, "Message": "m"}),
        integrations={"sns": lambda action, params: {"MessageId": "mine"}},
    )
    assert machine.run({}).output == {"MessageId": "mine"}
    assert machine.outbox.sns == []
