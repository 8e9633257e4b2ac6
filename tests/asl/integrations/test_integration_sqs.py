"""``arn:aws:states:::sqs:sendMessage`` served locally (asl.integrations.sqs).

Behaviours from the SQS API reference (SendMessage) and developer guide: ``MD5OfMessageBody``
is the MD5 of the body's UTF-8 bytes; ``MD5OfMessageAttributes`` follows "Calculating the MD5
message digest for message attributes"; the body and attributes fit a default queue's
``MaximumMessageSize`` of 262,144 bytes; a FIFO queue needs ``MessageGroupId``. SQS's
``MissingParameter``/``InvalidParameterValue`` are not modelled exceptions in the SDK, so the task
fails with ``SQS.AmazonSQSException``.
"""

from __future__ import annotations

import hashlib

import pytest
from standin_support import failure, run

from asl import ExecutionStore, Runtime
from asl.integrations.sqs import md5_of_attributes

SEND = "arn:aws:states:::sqs:sendMessage"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"


def test_send_answers_md5_and_message_id_as_sqs_does() -> None:
    machine, execution = run(SEND, {"QueueUrl": QUEUE, "MessageBody.$": "$"}, {"née": "é"})
    output = execution.output
    assert list(output) == ["MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    [sent] = machine.outbox.sqs
    assert sent.message == '{"née":"é"}'
    assert output["MD5OfMessageBody"] == hashlib.md5(sent.message.encode()).hexdigest()
    assert (sent.target, sent.message_id, sent.execution_arn) == (QUEUE, output["MessageId"], execution.arn)


def test_md5_of_message_attributes_is_the_digest_sqs_documents() -> None:
    # the value the SQS developer guide's algorithm gives, worked by hand below: per attribute in
    # name order, 4-byte lengths before the name, the type and the value, a 1 (string) or 2 (binary)
    attributes = {
        "b": {"DataType": "Binary", "BinaryValue": "AQI="},
        "a": {"DataType": "String", "StringValue": "x"},
    }
    by_hand = (
        b"\x00\x00\x00\x01a" + b"\x00\x00\x00\x06String" + b"\x01" + b"\x00\x00\x00\x01x"
        + b"\x00\x00\x00\x01b" + b"\x00\x00\x00\x06Binary" + b"\x02" + b"\x00\x00\x00\x02\x01\x02"
    )  # fmt: skip
    assert md5_of_attributes(attributes) == hashlib.md5(by_hand).hexdigest()
    _, execution = run(SEND, {"QueueUrl": QUEUE, "MessageBody": "m", "MessageAttributes": attributes})
    assert execution.output["MD5OfMessageAttributes"] == md5_of_attributes(attributes)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"MessageBody": "m"}, "The request must contain the parameter QueueUrl."),
        ({"QueueUrl": QUEUE}, "The request must contain the parameter MessageBody."),
        ({"QueueUrl": QUEUE, "MessageBody": ""}, "The request must contain the parameter MessageBody."),
        (
            {"QueueUrl": QUEUE, "MessageBody": "x" * 262_145},
            "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
        ),
        (
            {"QueueUrl": QUEUE, "MessageBody": "m", "DelaySeconds": 901},
            "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
        ),
        (
            {"QueueUrl": f"{QUEUE}.fifo", "MessageBody": "m"},
            "The request must contain the parameter MessageGroupId.",
        ),
    ],
)
def test_send_is_refused_as_sqs_refuses_it(parameters: dict[str, object], message: str) -> None:
    machine, execution = run(SEND, parameters)
    assert failure(execution) == ("SQS.AmazonSQSException", message)
    assert machine.outbox.sqs == []


def test_a_fifo_queue_answers_a_sequence_number() -> None:
    _, execution = run(SEND, {"QueueUrl": f"{QUEUE}.fifo", "MessageBody": "m", "MessageGroupId": "g"})
    assert len(execution.output["SequenceNumber"]) == 20


def test_a_callback_task_sends_its_token_and_waits_for_it() -> None:
    """``sqs:sendMessage.waitForTaskToken``: the message carries the token; SendTaskSuccess ends the wait."""
    import asyncio

    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": f"{SEND}.waitForTaskToken",
                "Parameters": {"QueueUrl": QUEUE, "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }

    async def scenario() -> dict[str, object]:
        runtime = Runtime(ExecutionStore(":memory:"))
        arn = runtime.create_state_machine("Asker", definition)["stateMachineArn"]
        started = await runtime.start_execution(arn, "{}")
        for _ in range(200):
            if runtime.outbox.sqs:
                break
            await asyncio.sleep(0.01)
        [sent] = runtime.outbox.messages("sqs", execution_arn=started["executionArn"])
        await runtime.send_task_success(sent.json()["token"], '{"approved": true}')
        described = await runtime.wait(started["executionArn"])
        await runtime.close()
        return described

    described = asyncio.run(scenario())
    assert described["status"] == "SUCCEEDED" and described["output"] == '{"approved":true}'
