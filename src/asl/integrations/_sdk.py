"""What the local SNS, SQS and EventBridge stand-ins share: parameters as Step Functions passes
them, the SDK's response metadata, and service errors as Step Functions names them.

Step Functions calls these services through the AWS SDK for Java: a modelled exception is
``<Prefix>.<ExceptionClass>`` (``SNS.InvalidParameterException``), any other error code is the
service's base class (``SQS.AmazonSQSException``), and the cause is the SDK's message,
``<message> (Service: <name>; Status Code: 400; Error Code: <code>; Request ID: <id>; Proxy: null)``.
"""

from __future__ import annotations

import uuid
from email.utils import formatdate
from typing import Any

from asl._json import to_json
from asl.errors import ErrorName, StatesError

__all__ = ["check_fields", "message_text", "picked", "sdk_metadata", "service_error", "utf8_size"]


def message_text(value: Any) -> str:
    """A message field as the service receives it: text as is, any other JSON value as its text
    (Step Functions serialises a JSON ``Message`` / ``MessageBody`` / ``Detail`` for you)."""
    return value if isinstance(value, str) else to_json(value)


def picked(fields: dict[str, Any], *names: str) -> dict[str, Any]:
    """The ``names`` that ``fields`` has, in that order (what the outbox keeps beside a message)."""
    return {name: fields[name] for name in names if name in fields}


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def check_fields(resource: str, parameters: Any, allowed: frozenset[str]) -> dict[str, Any]:
    """The task's parameters, once they are an object of fields the integration takes."""
    if not isinstance(parameters, dict):
        raise StatesError(ErrorName.RUNTIME, f"The Parameters of {resource} must be a JSON object")
    unknown = sorted(set(parameters) - allowed)
    if unknown:
        raise StatesError(
            ErrorName.RUNTIME,
            f"The field '{unknown[0]}' is not supported by Step Functions for {resource}; "
            f"allowed fields: {', '.join(sorted(allowed))}",
        )
    return parameters


def service_error(
    prefix: str, service: str, modelled: frozenset[str], base: str, code: str, message: str
) -> StatesError:
    """A service's error answer as the task's error. ``modelled`` maps error codes to the SDK's
    exception classes (``InvalidParameter`` is ``InvalidParameterException``)."""
    name = f"{code}Exception" if code in modelled else base
    cause = (
        f"{message} (Service: {service}; Status Code: 400; Error Code: {code}; "
        f"Request ID: {uuid.uuid4()}; Proxy: null)"
    )
    return StatesError(f"{prefix}.{name}", cause)


def sdk_metadata(request_id: str, content_type: str, length: int) -> dict[str, Any]:
    """``SdkHttpMetadata`` and ``SdkResponseMetadata``, which Step Functions puts beside the
    payload of an SDK-backed integration's answer."""
    headers = {
        "Content-Length": str(length),
        "Content-Type": content_type,
        "Date": formatdate(usegmt=True),
        "x-amzn-RequestId": request_id,
    }
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }
