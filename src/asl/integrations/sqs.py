"""``arn:aws:states:::sqs:sendMessage`` served locally: the message is checked as SQS checks it,
kept in the :class:`~asl.integrations.outbox.Outbox`, and answered as Step Functions shows
SQS's answer: ``MD5OfMessageBody`` (and ``MD5OfMessageAttributes``) computed as SQS computes
them, ``MessageId``, ``SequenceNumber`` for a FIFO queue, and the SDK's metadata.

No queue has to exist. SQS SendMessage (API reference): ``QueueUrl`` and ``MessageBody`` are
required; the body and attributes together must fit the queue's ``MaximumMessageSize``, whose
default (a queue made without it) is 262,144 bytes; ``DelaySeconds`` is 0 to 900; a FIFO queue
(``.fifo``) needs a ``MessageGroupId``. With ``.waitForTaskToken`` the message is sent the same
way and the task waits for the token it carries (read it from the outbox).

>>> md5_of_body("hello")
'5d41402abc4b2a76b9719d911017c592'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
import uuid
from typing import Any

from asl.errors import ErrorName, StatesError
from asl.integrations._sdk import check_fields, message_text, picked, sdk_metadata, service_error, utf8_size
from asl.integrations.outbox import Outbox

__all__ = ["MAX_MESSAGE_BYTES", "invoke", "md5_of_attributes", "md5_of_body"]

#: a queue's MaximumMessageSize when it was created without one
MAX_MESSAGE_BYTES = 262_144

_FIELDS = frozenset(
    {
        "QueueUrl",
        "MessageBody",
        "DelaySeconds",
        "MessageAttributes",
        "MessageSystemAttributes",
        "MessageDeduplicationId",
        "MessageGroupId",
    }
)
# the SDK's modelled exceptions for SendMessage; MissingParameter, InvalidParameterValue ... are not
_MODELLED = frozenset({"InvalidMessageContents", "UnsupportedOperation", "QueueDoesNotExist"})


def _error(code: str, message: str) -> StatesError:
    return service_error("SQS", "AmazonSQS", _MODELLED, "AmazonSQSException", code, message)


def md5_of_body(body: str) -> str:
    """SQS's ``MD5OfMessageBody``: the MD5 digest of the body's UTF-8 bytes, in hex."""
    return hashlib.md5(body.encode("utf-8"), usedforsecurity=False).hexdigest()


def md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """SQS's ``MD5OfMessageAttributes`` (developer guide, "Calculating the MD5 message digest for
    message attributes"): per attribute in name order, the name, the data type, a transport byte
    (1 string, 2 binary) and the value, each but the byte preceded by its 4-byte big-endian length."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        attribute = attributes[name]
        data_type = str(attribute["DataType"])
        digest.update(_length_prefixed(name.encode("utf-8")))
        digest.update(_length_prefixed(data_type.encode("utf-8")))
        if "BinaryValue" in attribute:
            digest.update(b"\x02" + _length_prefixed(_binary(name, attribute["BinaryValue"])))
        else:
            digest.update(b"\x01" + _length_prefixed(str(attribute.get("StringValue", "")).encode("utf-8")))
    return digest.hexdigest()


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _binary(name: str, value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (ValueError, binascii.Error):
        raise _error(
            "InvalidParameterValue",
            f"The message attribute '{name}' has an invalid binary value (not base64).",
        ) from None


def invoke(outbox: Outbox, action: str, parameters: Any) -> dict[str, Any]:
    """Serve ``arn:aws:states:::sqs:<action>`` with the Task's evaluated ``parameters``."""
    if action != "sendMessage":
        raise StatesError(
            ErrorName.RUNTIME,
            f"The resource arn:aws:states:::sqs:{action} is not supported; supported actions: sendMessage",
        )
    params = check_fields("arn:aws:states:::sqs:sendMessage", parameters, _FIELDS)
    for required in ("QueueUrl", "MessageBody"):
        if params.get(required) in (None, ""):
            raise _error("MissingParameter", f"The request must contain the parameter {required}.")
    queue = str(params["QueueUrl"])
    body = message_text(params["MessageBody"])
    attributes = params.get("MessageAttributes") or {}
    if not isinstance(attributes, dict):
        raise _error("InvalidParameterValue", "The request has an invalid value for MessageAttributes.")
    size = utf8_size(body) + _attributes_size(attributes)
    if size > MAX_MESSAGE_BYTES:
        raise _error(
            "InvalidParameterValue",
            "One or more parameters are invalid. Reason: Message must be shorter than "
            f"{MAX_MESSAGE_BYTES} bytes.",
        )
    delay = params.get("DelaySeconds", 0)
    if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= 900:
        raise _error(
            "InvalidParameterValue",
            f"Value {delay} for parameter DelaySeconds is invalid. "
            "Reason: DelaySeconds must be >= 0 and <= 900.",
        )
    fifo = queue.endswith(".fifo")
    if fifo and not params.get("MessageGroupId"):
        raise _error("MissingParameter", "The request must contain the parameter MessageGroupId.")
    if fifo and "DelaySeconds" in params and delay:
        raise _error(
            "InvalidParameterValue",
            f"Value {delay} for parameter DelaySeconds is invalid. Reason: The request include parameter "
            "that is not valid for this queue type.",
        )
    message_id = str(uuid.uuid4())
    kept = picked(params, "DelaySeconds", "MessageGroupId", "MessageDeduplicationId")
    outbox.record("sqs", queue, body, {**kept, "MessageAttributes": attributes}, message_id)
    answer: dict[str, Any] = {}
    if attributes:
        answer["MD5OfMessageAttributes"] = md5_of_attributes(attributes)
    answer["MD5OfMessageBody"] = md5_of_body(body)
    answer["MessageId"] = message_id
    if fifo:
        answer["SequenceNumber"] = f"{uuid.uuid4().int % 10**20:020d}"
    # SQS answers in the AWS JSON 1.0 protocol: the body is the answer itself
    length = len(json.dumps(answer, separators=(",", ":")))
    return {**answer, **sdk_metadata(str(uuid.uuid4()), "application/x-amz-json-1.0", length)}


def _attributes_size(attributes: dict[str, Any]) -> int:
    """SQS counts each attribute's name, data type and value toward the message size."""
    size = 0
    for name, attribute in attributes.items():
        if not isinstance(attribute, dict) or not attribute.get("DataType"):
            raise _error(
                "InvalidParameterValue", f"The message attribute '{name}' must contain a non-empty DataType."
            )
        if "StringValue" not in attribute and "BinaryValue" not in attribute:
            raise _error(
                "InvalidParameterValue",
                f"The message attribute '{name}' must contain non-empty message attribute value for "
                f"message attribute type '{attribute['DataType']}'.",
            )
        value = attribute.get("StringValue")
        value_size = (
            utf8_size(str(value)) if value is not None else len(_binary(name, attribute["BinaryValue"]))
        )
        size += utf8_size(str(name)) + utf8_size(str(attribute["DataType"])) + value_size
    return size
