"""DynamoDB over the wire: each action is a call to the local tables' boto3-shaped client.

The client raises botocore ``ClientError``s; their code and message go back out in
DynamoDB's JSON error shape (with the old ``Item`` of a failed condition when it was
asked for), so a remote boto3 raises the same modelled exception.
"""

from __future__ import annotations

import asyncio
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from asl.server._service import Backend, Operation, Service
from asl.server._wire import AWSError
from asl.server.transactions import transact_get_items, transact_write_items

__all__ = ["DYNAMODB"]

NAMESPACE = "com.amazonaws.dynamodb.v20120810"
# BatchWriteItem may carry 25 items of 400 KB; DynamoDB takes requests up to 16 MB
MAX_BODY = 16 * 1024 * 1024
_MAX_BATCH_GET = 100

# DynamoDB action -> the method of the local client that serves it
_CLIENT_METHODS = {
    "BatchWriteItem": "batch_write_item",
    "CreateTable": "create_table",
    "DeleteItem": "delete_item",
    "DeleteTable": "delete_table",
    "DescribeTable": "describe_table",
    "DescribeTimeToLive": "describe_time_to_live",
    "GetItem": "get_item",
    "ListTables": "list_tables",
    "PutItem": "put_item",
    "Query": "query",
    "ListTagsOfResource": "list_tags_of_resource",
    "Scan": "scan",
    "TagResource": "tag_resource",
    "UntagResource": "untag_resource",
    "UpdateItem": "update_item",
    "UpdateTable": "update_table",
    "UpdateTimeToLive": "update_time_to_live",
}


def _client_call(method: str) -> Operation:
    async def operation(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
        # SQLite work runs off the event loop, which keeps driving executions meanwhile
        answer: dict[str, Any] = await asyncio.to_thread(getattr(backend.client, method), **params)
        answer.pop("ResponseMetadata", None)
        return answer

    operation.__name__ = method
    return operation


def _batch_get(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    requests: dict[str, Any] = params["RequestItems"]
    if sum(len(r.get("Keys") or []) for r in requests.values()) > _MAX_BATCH_GET:
        raise AWSError(
            "ValidationException",
            f"Too many items requested for the BatchGetItem call (at most {_MAX_BATCH_GET})",
            namespace="com.amazon.coral.validate",
        )
    responses: dict[str, list[Any]] = {}
    for table, request in requests.items():
        options = {k: v for k, v in request.items() if k != "Keys"}
        found = responses.setdefault(table, [])
        for key in request.get("Keys") or []:
            item = backend.client.get_item(TableName=table, Key=key, **options).get("Item")
            if item is not None:
                found.append(item)
    return {"Responses": responses, "UnprocessedKeys": {}}


async def batch_get_item(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return await asyncio.to_thread(_batch_get, backend, params)


OPERATIONS: dict[str, Operation] = {name: _client_call(method) for name, method in _CLIENT_METHODS.items()}
OPERATIONS["BatchGetItem"] = batch_get_item
OPERATIONS["TransactGetItems"] = transact_get_items
OPERATIONS["TransactWriteItems"] = transact_write_items


def translate(error: Exception) -> AWSError | None:
    """The client's errors as DynamoDB answers them; None for a defect (answered as a 500)."""
    if isinstance(error, AWSError):
        return error
    if isinstance(error, ClientError):
        response: dict[str, Any] = dict(error.response)
        code = str(response["Error"]["Code"])
        namespace = "com.amazon.coral.validate" if code == "ValidationException" else NAMESPACE
        extra = {"Item": response["Item"]} if "Item" in response else None
        return AWSError(code, str(response["Error"]["Message"]), namespace=namespace, extra=extra)
    if isinstance(error, ParamValidationError):
        return AWSError("ValidationException", str(error), namespace="com.amazon.coral.validate")
    return None


DYNAMODB = Service(
    model="dynamodb",
    target_prefix="DynamoDB_20120810",
    namespace=NAMESPACE,
    operations=OPERATIONS,
    translate=translate,
    max_body=MAX_BODY,
    crc32=True,
)
