"""The ``arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`` Task integrations.

Parameters are DynamoDB's low-level request with typed AttributeValues (binaries as
base64 text, as in any Step Functions JSON). The result is the DynamoDB response as Step
Functions shows it, with ``SdkHttpMetadata`` and ``SdkResponseMetadata`` beside the
payload. A failure is a :class:`~asl.errors.StatesError` named ``DynamoDB.<Exception>``
(unmodelled errors such as ``ValidationException`` become ``DynamoDB.AmazonDynamoDBException``,
the SDK class Step Functions reports), so Retry and Catch match it as on AWS.

>>> from asl.dynamodb import TableStore
>>> store = TableStore(":memory:")
>>> _ = store.create_table("tbl", partition_key=("id", "S"))
>>> _ = invoke(store, "putItem", {"TableName": "tbl", "Item": {"id": {"S": "a"}}})
>>> invoke(store, "getItem", {"TableName": "tbl", "Key": {"id": {"S": "a"}}})["Item"]
{'id': {'S': 'a'}}
"""

from __future__ import annotations

import base64
import functools
import json
import time
import zlib
from collections.abc import Callable, Mapping
from email.utils import formatdate
from typing import Any

from asl.dynamodb import TableStore
from asl.dynamodb.operations import (
    DynamoError,
    check_legacy,
    delete_item,
    get_item,
    put_item,
    request_fields,
    request_id,
    to_storage,
    update_item,
)
from asl.errors import ErrorName, StatesError

__all__ = ["ACTIONS", "invoke"]

_Operation = Callable[[TableStore, Mapping[str, Any]], dict[str, Any]]

#: action -> (operation, DynamoDB's name for it); the fields each accepts come from botocore's model
ACTIONS: dict[str, tuple[_Operation, str]] = {
    "getItem": (get_item, "GetItem"),
    "putItem": (put_item, "PutItem"),
    "deleteItem": (delete_item, "DeleteItem"),
    "updateItem": (update_item, "UpdateItem"),
}

# The exceptions the DynamoDB SDK models as classes; any other code surfaces as the SDK's base class.
_MODELLED = frozenset(
    {
        "ConditionalCheckFailedException",
        "ResourceNotFoundException",
        "ProvisionedThroughputExceededException",
        "ItemCollectionSizeLimitExceededException",
        "TransactionConflictException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ResourceInUseException",
    }
)


def _binaries_from_json(value: Any) -> Any:
    """Typed values from Step Functions JSON: ``B`` and ``BS`` carry base64 text.

    Copy on write: a dict or list without binaries below it comes back as the same object
    (the operations copy what they keep), so a request without binaries is not copied at all.
    """
    if isinstance(value, dict):
        if len(value) == 1:
            ((kind, inner),) = value.items()
            if kind == "B" and isinstance(inner, str):
                return {"B": _b64(inner)}
            if kind == "BS" and isinstance(inner, list):
                return {"BS": [_b64(m) if isinstance(m, str) else m for m in inner]}
            if not isinstance(inner, dict | list):
                return value  # a scalar typed value such as {"N": "1"}: nothing below it to convert
        pairs: Any = value.items()
    elif isinstance(value, list):
        pairs = enumerate(value)
    else:
        return value
    copied: Any = None
    for k, v in pairs:
        if type(v) is dict and len(v) == 1:
            ((kind, inner),) = v.items()
            if kind != "B" and type(inner) is str:
                continue  # {"S": "..."} or {"N": "..."}, the usual leaves, decided without a call
        elif not isinstance(v, dict | list):
            continue
        converted = _binaries_from_json(v)
        if converted is not v:
            if copied is None:
                copied = value.copy()
            copied[k] = converted
    return value if copied is None else copied


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise DynamoError("ValidationException", f"Invalid base64 in a B value: {text[:40]!r}") from None


_EMPTY_BODY = (str(len(b"{}")), str(zlib.crc32(b"{}")))  # most writes answer {}: length and crc once
_date: tuple[int, str] = (-1, "")


def _http_date() -> str:
    """``formatdate(usegmt=True)``, which shows whole seconds, made once per second."""
    global _date
    now = time.time()
    second = int(now)
    if _date[0] != second:
        _date = (second, formatdate(now, usegmt=True))
    return _date[1]


def _http_metadata(body: dict[str, Any], rid: str) -> dict[str, Any]:
    if body:
        text = json.dumps(body, separators=(",", ":")).encode("utf-8")
        length, crc = str(len(text)), str(zlib.crc32(text))
    else:
        length, crc = _EMPTY_BODY
    headers = {
        "Connection": "keep-alive",
        "Content-Length": length,
        "Content-Type": "application/x-amz-json-1.0",
        "Date": _http_date(),
        "Server": "Server",
        "x-amz-crc32": crc,
        "x-amzn-RequestId": rid,
    }
    return {
        "AllHttpHeaders": {name: [value] for name, value in headers.items()},
        "HttpHeaders": headers,
        "HttpStatusCode": 200,
    }


@functools.cache
def _allowed(name: str) -> frozenset[str]:
    return frozenset(request_fields(name))


def _states_error(error: DynamoError, rid: str) -> StatesError:
    name = error.code if error.code in _MODELLED else "AmazonDynamoDBException"
    cause = (
        f"{error.message} (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: {error.code}; "
        f"Request ID: {rid}; Proxy: null)"
    )
    return StatesError(f"DynamoDB.{name}", cause)


def invoke(store: TableStore, action: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Serve ``arn:aws:states:::dynamodb:<action>`` with the Task's evaluated ``parameters``."""
    entry = ACTIONS.get(action)
    if entry is None:
        raise StatesError(
            ErrorName.RUNTIME,
            f"The resource arn:aws:states:::dynamodb:{action} is not supported; "
            f"supported actions: {', '.join(sorted(ACTIONS))}",
        )
    operation, name = entry
    allowed = _allowed(name)
    if not isinstance(parameters, dict):
        raise StatesError(ErrorName.RUNTIME, f"The Parameters of dynamodb:{action} must be a JSON object")
    if not allowed.issuperset(parameters):
        unknown = sorted(set(parameters) - allowed)
        raise StatesError(
            ErrorName.RUNTIME,
            f"The field '{unknown[0]}' is not supported by Step Functions for dynamodb:{action}; "
            f"allowed fields: {', '.join(sorted(allowed))}",
        )
    rid = request_id()
    try:
        check_legacy(parameters)
        request = {
            k: v
            for k, v in _binaries_from_json(parameters).items()
            if not k.startswith("Return") or k in ("ReturnValues", "ReturnValuesOnConditionCheckFailure")
        }
        response = operation(store, request)
    except DynamoError as error:
        raise _states_error(error, rid) from None
    body = {k: to_storage(v) if k in ("Item", "Attributes") else v for k, v in response.items()}
    return {**body, "SdkHttpMetadata": _http_metadata(body, rid), "SdkResponseMetadata": {"RequestId": rid}}
