"""DynamoDB through `asl serve`: a real boto3 client over HTTP against the local tables."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from asl_serve_support import client

from asl.server import BackgroundServer


@pytest.fixture(scope="module")
def orders(ddb: Any) -> str:
    ddb.create_table(
        TableName="orders",
        KeySchema=[
            {"AttributeName": "customer", "KeyType": "HASH"},
            {"AttributeName": "order", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "customer", "AttributeType": "S"},
            {"AttributeName": "order", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for customer, order, total in [
        ("kim", 1, "12000"),
        ("kim", 2, "8500"),
        ("kim", 3, "30000"),
        ("lee", 1, "5000"),
    ]:
        ddb.put_item(
            TableName="orders",
            Item={"customer": {"S": customer}, "order": {"N": str(order)}, "total": {"N": total}},
        )
    return "orders"


def test_tables_are_created_described_listed_and_deleted(ddb: Any) -> None:
    created = ddb.create_table(
        TableName="scratch",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]
    assert (created["TableName"], created["TableStatus"]) == ("scratch", "ACTIVE")
    assert ddb.describe_table(TableName="scratch")["Table"]["KeySchema"] == [
        {"AttributeName": "id", "KeyType": "HASH"}
    ]
    assert "scratch" in ddb.list_tables()["TableNames"]
    with pytest.raises(ddb.exceptions.ResourceInUseException):
        ddb.create_table(
            TableName="scratch",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    ddb.delete_table(TableName="scratch")
    assert "scratch" not in ddb.list_tables()["TableNames"]
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as info:
        ddb.describe_table(TableName="scratch")
    assert "scratch" in info.value.response["Error"]["Message"]


def test_put_get_and_a_conditional_update_that_fails(ddb: Any, orders: str) -> None:
    key = {"customer": {"S": "park"}, "order": {"N": "1"}}
    ddb.put_item(TableName=orders, Item={**key, "total": {"N": "100"}, "photo": {"B": b"\x00\xffjpeg"}})
    item = ddb.get_item(TableName=orders, Key=key)["Item"]
    assert item["total"] == {"N": "100"}
    assert item["photo"] == {"B": b"\x00\xffjpeg"}  # base64 both ways on the wire

    def add_50_under_120(**extra: Any) -> Any:
        return ddb.update_item(
            TableName=orders,
            Key=key,
            UpdateExpression="SET #t = #t + :d",
            ConditionExpression="#t < :cap",
            ExpressionAttributeNames={"#t": "total"},
            ExpressionAttributeValues={":d": {"N": "50"}, ":cap": {"N": "120"}},
            **extra,
        )

    assert add_50_under_120(ReturnValues="UPDATED_NEW")["Attributes"] == {"total": {"N": "150"}}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as info:
        add_50_under_120(ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert info.value.response["Error"]["Message"] == "The conditional request failed"
    assert info.value.response["Item"]["total"] == {"N": "150"}
    assert ddb.get_item(TableName=orders, Key=key)["Item"]["total"] == {"N": "150"}
    ddb.delete_item(TableName=orders, Key=key)
    assert "Item" not in ddb.get_item(TableName=orders, Key=key)


def test_query_and_scan(ddb: Any, orders: str) -> None:
    found = ddb.query(
        TableName=orders,
        KeyConditionExpression="customer = :c AND #o >= :from",
        ExpressionAttributeNames={"#o": "order"},
        ExpressionAttributeValues={":c": {"S": "kim"}, ":from": {"N": "2"}},
        ScanIndexForward=False,
    )
    assert [i["order"]["N"] for i in found["Items"]] == ["3", "2"]
    assert found["Count"] == 2
    big = ddb.scan(TableName=orders, FilterExpression="#t > :n", ExpressionAttributeNames={"#t": "total"},
                   ExpressionAttributeValues={":n": {"N": "9000"}})  # fmt: skip
    assert sorted(i["total"]["N"] for i in big["Items"]) == ["12000", "30000"]
    pages = list(ddb.get_paginator("scan").paginate(TableName=orders, Limit=2))
    assert sum(p["Count"] for p in pages) == 4
    assert len(pages) >= 2


def test_batch_write_and_batch_get(ddb: Any, orders: str) -> None:
    ddb.batch_write_item(
        RequestItems={
            orders: [
                {"PutRequest": {"Item": {"customer": {"S": "choi"}, "order": {"N": str(n)}}}}
                for n in range(1, 4)
            ]
        }
    )
    keys = [{"customer": {"S": "choi"}, "order": {"N": str(n)}} for n in (1, 3, 9)]
    answer = ddb.batch_get_item(
        RequestItems={
            orders: {"Keys": keys, "ProjectionExpression": "#o", "ExpressionAttributeNames": {"#o": "order"}}
        }
    )
    assert sorted(i["order"]["N"] for i in answer["Responses"][orders]) == ["1", "3"]
    assert answer["UnprocessedKeys"] == {}


def test_validation_errors_name_the_problem(ddb: Any, orders: str) -> None:
    with pytest.raises(ddb.exceptions.ClientError) as info:
        ddb.get_item(TableName=orders, Key={"customer": {"S": "kim"}})
    assert info.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName="nowhere", Key={"id": {"S": "x"}})


def test_the_resource_api_works_too(server: BackgroundServer, orders: str) -> None:
    table = boto3.resource(
        "dynamodb",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).Table(orders)
    table.put_item(Item={"customer": "han", "order": 1, "tags": {"a", "b"}})
    assert table.get_item(Key={"customer": "han", "order": 1})["Item"]["tags"] == {"a", "b"}
    assert client("dynamodb", server.url).describe_table(TableName=orders)["Table"]["TableName"] == orders


def _key(customer: str, order: int) -> dict[str, Any]:
    return {"customer": {"S": customer}, "order": {"N": str(order)}}


def test_transact_write_applies_every_action(ddb: Any, orders: str) -> None:
    ddb.put_item(TableName=orders, Item={**_key("yoon", 1), "total": {"N": "10"}})
    ddb.put_item(TableName=orders, Item={**_key("yoon", 2), "total": {"N": "20"}})
    ddb.put_item(TableName=orders, Item={**_key("yoon", 3), "total": {"N": "30"}})
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": orders, "Item": {**_key("yoon", 4), "total": {"N": "40"}}}},
            {
                "Update": {
                    "TableName": orders,
                    "Key": _key("yoon", 1),
                    "UpdateExpression": "SET #t = :t",
                    "ExpressionAttributeNames": {"#t": "total"},
                    "ExpressionAttributeValues": {":t": {"N": "11"}},
                }
            },
            {"Delete": {"TableName": orders, "Key": _key("yoon", 2)}},
            {
                "ConditionCheck": {
                    "TableName": orders,
                    "Key": _key("yoon", 3),
                    "ConditionExpression": "#t = :t",
                    "ExpressionAttributeNames": {"#t": "total"},
                    "ExpressionAttributeValues": {":t": {"N": "30"}},
                }
            },
        ]
    )
    got = ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": orders, "Key": _key("yoon", n)}} for n in (1, 2, 3, 4)]
    )["Responses"]
    assert [r.get("Item", {}).get("total") for r in got] == [{"N": "11"}, None, {"N": "30"}, {"N": "40"}]


def test_a_failed_condition_cancels_the_whole_transaction(ddb: Any, orders: str) -> None:
    ddb.put_item(TableName=orders, Item={**_key("seo", 1), "total": {"N": "5"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as info:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": orders, "Item": {**_key("seo", 2), "total": {"N": "1"}}}},
                {
                    "ConditionCheck": {
                        "TableName": orders,
                        "Key": _key("seo", 1),
                        "ConditionExpression": "#t > :n",
                        "ExpressionAttributeNames": {"#t": "total"},
                        "ExpressionAttributeValues": {":n": {"N": "100"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    reasons = info.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"]["total"] == {"N": "5"}
    assert "[None, ConditionalCheckFailed]" in info.value.response["Error"]["Message"]
    assert "Item" not in ddb.get_item(TableName=orders, Key=_key("seo", 2))  # rolled back
    assert ddb.get_item(TableName=orders, Key=_key("seo", 1))["Item"]["total"] == {"N": "5"}  # still there


def test_a_transaction_may_touch_an_item_once(ddb: Any, orders: str) -> None:
    with pytest.raises(ddb.exceptions.ClientError) as info:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": orders, "Item": {**_key("oh", 1), "total": {"N": "1"}}}},
                {"Delete": {"TableName": orders, "Key": _key("oh", 1)}},
            ]
        )
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "multiple operations on one item" in info.value.response["Error"]["Message"]
