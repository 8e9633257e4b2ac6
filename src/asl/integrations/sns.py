"""``arn:aws:states:::sns:publish`` served locally: the message is checked as SNS checks it,
kept in the :class:`~asl.integrations.outbox.Outbox`, and answered as Step Functions shows
SNS's answer (``MessageId``, with ``SequenceNumber`` for a FIFO topic, beside the SDK's metadata).

No topic has to exist: every well-formed topic ARN, target ARN or phone number is accepted.
SNS Publish (API reference): the message with its attributes is at most 262,144 bytes; one of
``TopicArn``, ``TargetArn`` and ``PhoneNumber`` is required; a FIFO topic needs a ``MessageGroupId``;
``MessageStructure: "json"`` needs a JSON object with a ``default`` string.

>>> outbox = Outbox()
>>> answer = invoke(outbox, "publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "hi"})
>>> sorted(answer), outbox.sns[0].message
(['MessageId', 'SdkHttpMetadata', 'SdkResponseMetadata'], 'hi')
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from asl.errors import ErrorName, StatesError
from asl.integrations._sdk import check_fields, message_text, picked, sdk_metadata, service_error, utf8_size
from asl.integrations.outbox import Outbox

__all__ = ["MAX_MESSAGE_BYTES", "invoke"]

#: SNS: "the total size limit for a single SMS Publish action ... and for all others, 262,144 bytes"
MAX_MESSAGE_BYTES = 262_144

_FIELDS = frozenset(
    {
        "TopicArn",
        "TargetArn",
        "PhoneNumber",
        "Message",
        "Subject",
        "MessageStructure",
        "MessageAttributes",
        "MessageDeduplicationId",
        "MessageGroupId",
    }
)
_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?")
_TARGET_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:\S+")
_PHONE = re.compile(r"\+?[0-9]{1,15}")
# the SDK models InvalidParameter as InvalidParameterException; other codes are AmazonSNSException
_MODELLED = frozenset({"InvalidParameter", "NotFound", "AuthorizationError", "Throttled"})


def _error(code: str, message: str) -> StatesError:
    return service_error("SNS", "AmazonSNS", _MODELLED, "AmazonSNSException", code, message)


def invoke(outbox: Outbox, action: str, parameters: Any) -> dict[str, Any]:
    """Serve ``arn:aws:states:::sns:<action>`` with the Task's evaluated ``parameters``."""
    if action != "publish":
        raise StatesError(
            ErrorName.RUNTIME,
            f"The resource arn:aws:states:::sns:{action} is not supported; supported actions: publish",
        )
    params = check_fields("arn:aws:states:::sns:publish", parameters, _FIELDS)
    target = _target(params)
    if "Message" not in params or params["Message"] is None:
        raise _error(
            "ValidationError",
            "1 validation error detected: Value null at 'message' failed to satisfy constraint: "
            "Member must not be null",
        )
    message = message_text(params["Message"])
    if not message:
        raise _error("InvalidParameter", "Invalid parameter: Empty message")
    if params.get("MessageStructure") == "json":
        _check_structure(message)
    attributes = params.get("MessageAttributes") or {}
    if not isinstance(attributes, dict):
        raise _error("InvalidParameter", "Invalid parameter: MessageAttributes")
    if utf8_size(message) + _attributes_size(attributes) > MAX_MESSAGE_BYTES:
        raise _error("InvalidParameter", "Invalid parameter: Message too long")
    fifo = target.endswith(".fifo")
    if fifo and not params.get("MessageGroupId"):
        raise _error(
            "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
        )
    if not fifo and params.get("MessageGroupId") and "TopicArn" in params:
        raise _error(
            "InvalidParameter",
            "Invalid parameter: MessageGroupId Reason: The request includes MessageGroupId parameter "
            "that is not valid for this topic type",
        )
    message_id = str(uuid.uuid4())
    kept = picked(params, "Subject", "MessageStructure", "MessageGroupId", "MessageDeduplicationId")
    outbox.record("sns", target, message, {**kept, "MessageAttributes": attributes}, message_id)
    answer: dict[str, Any] = {"MessageId": message_id}
    if fifo:
        answer["SequenceNumber"] = f"{uuid.uuid4().int % 10**20:020d}"
    request_id = str(uuid.uuid4())
    return {**answer, **sdk_metadata(request_id, "text/xml", len(_xml(answer, request_id)))}


def _xml(answer: dict[str, Any], request_id: str) -> str:
    """SNS's answer on the wire (the query protocol answers in XML): its length is a header."""
    result = "".join(f"<{k}>{v}</{k}>" for k, v in answer.items())
    return (
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
        f"<PublishResult>{result}</PublishResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></PublishResponse>"
    )


def _target(params: dict[str, Any]) -> str:
    if params.get("TopicArn"):
        topic = str(params["TopicArn"])
        if not _TOPIC_ARN.fullmatch(topic):
            raise _error("InvalidParameter", "Invalid parameter: TopicArn")
        return topic
    if params.get("TargetArn"):
        target = str(params["TargetArn"])
        if not _TARGET_ARN.fullmatch(target):
            raise _error("InvalidParameter", "Invalid parameter: TargetArn")
        return target
    if params.get("PhoneNumber"):
        phone = str(params["PhoneNumber"])
        if not _PHONE.fullmatch(phone):
            raise _error("InvalidParameter", "Invalid parameter: PhoneNumber Reason: Invalid phone number")
        return phone
    raise _error(
        "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
    )


def _check_structure(message: str) -> None:
    try:
        structured = json.loads(message)
    except ValueError:
        raise _error(
            "InvalidParameter", "Invalid parameter: Message Structure - JSON message body failed to parse"
        ) from None
    if not isinstance(structured, dict) or not isinstance(structured.get("default"), str):
        raise _error(
            "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body"
        )


def _attributes_size(attributes: dict[str, Any]) -> int:
    """SNS counts each attribute's name, data type and value toward the message size."""
    size = 0
    for name, attribute in attributes.items():
        if not isinstance(attribute, dict) or not attribute.get("DataType"):
            raise _error(
                "InvalidParameter",
                f"Invalid parameter: The message attribute '{name}' must contain non-empty message "
                "attribute type.",
            )
        value = attribute.get("StringValue", attribute.get("BinaryValue", ""))
        size += utf8_size(str(name)) + utf8_size(str(attribute["DataType"])) + utf8_size(str(value))
    return size
