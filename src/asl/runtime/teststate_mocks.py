"""How strictly TestState checks a mocked Task result against the API the Task calls.

AWS validates a mock against the service's API model (``fieldValidationMode``): ``STRICT``
wants every required field and each present field of the right type, ``PRESENT`` only
checks the fields present, ``NONE`` nothing; fields the model does not name are ignored in
every mode. The models here are the response shapes of the integrations ``asl`` serves or
stands in for, written from the services' API references; a resource not listed (a plain
Lambda ARN, whose result is the function's own payload, an ``aws-sdk:*`` call, an HTTP task)
is not checked, as AWS does not check HTTP tasks; nor is a ``.sync`` result (AWS checks it
against the polling API's response, which is not modelled here).
"""

from __future__ import annotations

from typing import Any

from asl.execution.tasks import ResourceCall
from asl.runtime.api_errors import ValidationException

__all__ = ["check_mocked_result"]

# field -> (JSON type, required); "any" accepts every JSON value
_Model = dict[str, tuple[str, bool]]
_ITEM_WRITE: _Model = {
    "Attributes": ("object", False),
    "ConsumedCapacity": ("object", False),
    "ItemCollectionMetrics": ("object", False),
}
_MODELS: dict[tuple[str, str], _Model] = {
    # Lambda Invoke's response (Payload is the function's JSON)
    ("lambda", "invoke"): {
        "Payload": ("any", False),
        "StatusCode": ("integer", False),
        "ExecutedVersion": ("string", False),
        "FunctionError": ("string", False),
        "LogResult": ("string", False),
    },
    ("dynamodb", "getItem"): {"Item": ("object", False), "ConsumedCapacity": ("object", False)},
    ("dynamodb", "putItem"): _ITEM_WRITE,
    ("dynamodb", "updateItem"): _ITEM_WRITE,
    ("dynamodb", "deleteItem"): _ITEM_WRITE,
    ("sns", "publish"): {"MessageId": ("string", False), "SequenceNumber": ("string", False)},
    ("sqs", "sendMessage"): {
        "MD5OfMessageBody": ("string", False),
        "MD5OfMessageAttributes": ("string", False),
        "MD5OfMessageSystemAttributes": ("string", False),
        "MessageId": ("string", False),
        "SequenceNumber": ("string", False),
    },
    ("events", "putEvents"): {"Entries": ("array", False), "FailedEntryCount": ("integer", False)},
    ("states", "startExecution"): {"executionArn": ("string", True), "startDate": ("any", True)},
}


def check_mocked_result(call: ResourceCall, result: Any, mode: str) -> None:
    """Raise AWS's ValidationException when ``result`` does not fit the called API's response."""
    model = _MODELS.get((call.service, call.action)) if call.kind == "integration" else None
    if model is None or mode == "NONE" or call.pattern.startswith(".sync"):
        return
    if not isinstance(result, dict):
        raise _invalid("The mocked result must be a JSON object")
    for name, (kind, required) in model.items():
        if name not in result:
            if required and mode == "STRICT":
                raise _invalid(f"Field '{name}' is required")
            continue
        if not _is(result[name], kind):
            article = "an" if kind[0] in "aeiou" else "a"
            raise _invalid(f"Field '{name}' must be {article} {kind}")


def _is(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return True


def _invalid(detail: str) -> ValidationException:
    return ValidationException(f"Mock result schema validation error: {detail}")
