"""The arn:aws:states:::dynamodb:* Task integrations: Step Functions' request, response and error shapes."""

from __future__ import annotations

import base64
import json
import re
import zlib

import pytest

from asl.dynamodb import TableStore
from asl.errors import StatesError
from asl.integrations.dynamodb import invoke


@pytest.fixture
def tables(store: TableStore) -> TableStore:
    store.create_table("sessions", partition_key=("sessionId", "S"))
    return store


def test_put_then_get_with_aws_response_shape(tables: TableStore) -> None:
    item = {
        "sessionId": {"S": "s1"},
        "progress": {"N": "10"},
        "blob": {"B": base64.b64encode(b"\x00\xff").decode()},
    }
    put = invoke(tables, "putItem", {"TableName": "sessions", "Item": item})
    assert set(put) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    got = invoke(tables, "getItem", {"TableName": "sessions", "Key": {"sessionId": {"S": "s1"}}})
    assert got["Item"] == item  # binaries come back as base64 text, as in Step Functions JSON
    rid = got["SdkResponseMetadata"]["RequestId"]
    assert re.fullmatch(r"[A-Z0-9]{52}", rid)
    http = got["SdkHttpMetadata"]
    assert http["HttpStatusCode"] == 200
    assert http["HttpHeaders"]["x-amzn-RequestId"] == rid
    assert http["HttpHeaders"]["Content-Type"] == "application/x-amz-json-1.0"
    body = json.dumps({"Item": item}, separators=(",", ":")).encode()
    assert http["HttpHeaders"]["Content-Length"] == str(len(body))
    assert http["HttpHeaders"]["x-amz-crc32"] == str(zlib.crc32(body))
    assert http["AllHttpHeaders"]["x-amzn-RequestId"] == [rid]
    json.dumps(got)  # the whole result is JSON, ready for ResultPath


def test_update_and_delete_return_attributes(tables: TableStore) -> None:
    params = {
        "TableName": "sessions",
        "Key": {"sessionId": {"S": "s2"}},
        "UpdateExpression": "SET #status = :s ADD #n :one",
        "ExpressionAttributeNames": {"#status": "status", "#n": "n"},
        "ExpressionAttributeValues": {":s": {"S": "RUNNING"}, ":one": {"N": "1"}},
        "ReturnValues": "UPDATED_NEW",
    }
    assert invoke(tables, "updateItem", params)["Attributes"] == {"status": {"S": "RUNNING"}, "n": {"N": "1"}}
    deleted = invoke(
        tables,
        "deleteItem",
        {"TableName": "sessions", "Key": {"sessionId": {"S": "s2"}}, "ReturnValues": "ALL_OLD"},
    )
    assert deleted["Attributes"]["n"] == {"N": "1"}
    missing = invoke(tables, "getItem", {"TableName": "sessions", "Key": {"sessionId": {"S": "s2"}}})
    assert "Item" not in missing


def test_a_failed_condition_is_a_catchable_dynamodb_error(tables: TableStore) -> None:
    item = {"sessionId": {"S": "s3"}}
    invoke(tables, "putItem", {"TableName": "sessions", "Item": item})
    with pytest.raises(StatesError) as caught:
        invoke(
            tables,
            "putItem",
            {"TableName": "sessions", "Item": item, "ConditionExpression": "attribute_not_exists(sessionId)"},
        )
    assert caught.value.error == "DynamoDB.ConditionalCheckFailedException"
    assert re.fullmatch(
        r"The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
        r"ConditionalCheckFailedException; Request ID: [A-Z0-9]{52}; Proxy: null\)",
        caught.value.cause or "",
    )


@pytest.mark.parametrize(
    ("action", "params", "error", "cause"),
    [
        ("getItem", {"TableName": "nope", "Key": {"id": {"S": "x"}}}, "DynamoDB.ResourceNotFoundException",
         "Requested resource not found"),
        ("getItem", {"TableName": "sessions", "Key": {"id": {"S": "x"}}}, "DynamoDB.AmazonDynamoDBException",
         "The provided key element does not match the schema (Service: AmazonDynamoDBv2; Status Code: 400; "
         "Error Code: ValidationException"),
        ("putItem", {"TableName": "sessions", "Item": {"sessionId": {"S": "x"}},
                     "ConditionExpression": "attribute_exists(sessionId)",
                     "ExpressionAttributeValues": {":never": {"S": "y"}}},
         "DynamoDB.AmazonDynamoDBException",
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:never}"),
        ("query", {"TableName": "sessions"}, "States.Runtime",
         "supported actions: deleteItem, getItem, putItem, updateItem"),
        ("getItem", {"TableName": "sessions", "Key": {"sessionId": {"S": "x"}}, "Limit": 1}, "States.Runtime",
         "The field 'Limit' is not supported by Step Functions for dynamodb:getItem"),
    ],
)  # fmt: skip
def test_errors(tables: TableStore, action: str, params: dict[str, object], error: str, cause: str) -> None:
    with pytest.raises(StatesError) as caught:
        invoke(tables, action, params)
    assert caught.value.error == error
    assert cause in (caught.value.cause or "")
