"""`asl serve` answers boto3's table operations as DynamoDB does: secondary indexes, DescribeTable's
fields with the server's region and account in the ARN, ListTables paging, UpdateTable and tags."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from asl_serve_support import client
from botocore.exceptions import ClientError

from asl.server import BackgroundServer, create_app

REGION, ACCOUNT = "ap-northeast-2", "111122223333"


@pytest.fixture(scope="module")
def ddb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    app = create_app(tmp_path_factory.mktemp("asl-serve-tables"), {}, region=REGION, account=ACCOUNT)
    with BackgroundServer(app) as running:
        yield client("dynamodb", running.url)


def test_gsi_and_lsi_over_the_wire(ddb: Any) -> None:
    ddb.create_table(
        TableName="recipes",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "cuisine", "AttributeType": "S"},
            {"AttributeName": "minutes", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byCuisine",
                "KeySchema": [
                    {"AttributeName": "cuisine", "KeyType": "HASH"},
                    {"AttributeName": "minutes", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byMinutes",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "minutes", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for n, (cuisine, minutes) in enumerate([("korean", 30), ("korean", 10), (None, 5), ("italian", 20)]):
        item = {
            "pk": {"S": "menu"},
            "sk": {"S": f"r{n}"},
            "minutes": {"N": str(minutes)},
            "title": {"S": "t"},
        }
        if cuisine:
            item["cuisine"] = {"S": cuisine}
        ddb.put_item(TableName="recipes", Item=item)
    korean = ddb.query(
        TableName="recipes",
        IndexName="byCuisine",
        KeyConditionExpression="cuisine = :c",
        ExpressionAttributeValues={":c": {"S": "korean"}},
    )
    # KEYS_ONLY: table and index keys only, in index sort-key order
    assert [sorted(i) for i in korean["Items"]] == [["cuisine", "minutes", "pk", "sk"]] * 2
    assert [i["minutes"]["N"] for i in korean["Items"]] == ["10", "30"]
    quick = ddb.query(
        TableName="recipes",
        IndexName="byMinutes",
        KeyConditionExpression="pk = :p AND minutes <= :m",
        ExpressionAttributeValues={":p": {"S": "menu"}, ":m": {"N": "10"}},
        ConsistentRead=True,  # allowed on a local index
    )
    assert [i["sk"]["S"] for i in quick["Items"]] == ["r2", "r1"]
    with pytest.raises(ClientError) as caught:
        ddb.scan(TableName="recipes", IndexName="byCuisine", ConsistentRead=True)
    assert (
        caught.value.response["Error"]["Message"]
        == "Consistent reads are not supported on global secondary indexes"
    )
    with pytest.raises(ClientError) as caught:
        ddb.scan(TableName="recipes", IndexName="missing")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["Error"]["Message"] == "The table does not have the specified index: missing"
    table = ddb.describe_table(TableName="recipes")["Table"]
    assert table["TableArn"] == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/recipes"
    assert table["ItemCount"] == 4 and table["TableSizeBytes"] > 0
    assert isinstance(table["CreationDateTime"], datetime) and table["TableId"]
    (gsi,) = table["GlobalSecondaryIndexes"]
    assert (gsi["IndexStatus"], gsi["ItemCount"]) == ("ACTIVE", 3)
    assert gsi["IndexArn"] == f"{table['TableArn']}/index/byCuisine" and gsi["IndexSizeBytes"] > 0
    assert table["LocalSecondaryIndexes"][0]["ItemCount"] == 4


def test_list_tables_paginator(ddb: Any) -> None:
    for name in ("page-a", "page-b", "page-c"):
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])  # fmt: skip
    first = ddb.list_tables(Limit=2, ExclusiveStartTableName="page")
    assert first["TableNames"] == ["page-a", "page-b"] and first["LastEvaluatedTableName"] == "page-b"
    pages = ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1})
    names = [name for page in pages for name in page["TableNames"]]
    assert [n for n in names if n.startswith("page-")] == ["page-a", "page-b", "page-c"]


def test_update_table_and_tags_over_the_wire(ddb: Any) -> None:
    ddb.create_table(TableName="people", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])  # fmt: skip
    ddb.put_item(TableName="people", Item={"pk": {"S": "a"}, "city": {"S": "Seoul"}})
    table = ddb.update_table(
        TableName="people",
        AttributeDefinitions=[{"AttributeName": "city", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "byCity",
                    "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 1  # backfilled
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    seoul = ddb.query(TableName="people", IndexName="byCity", KeyConditionExpression="city = :c",
                      ExpressionAttributeValues={":c": {"S": "Seoul"}})  # fmt: skip
    assert seoul["Items"] == [{"pk": {"S": "a"}, "city": {"S": "Seoul"}}]
    arn = table["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "chef"}])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "chef"}]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    with pytest.raises(ClientError) as caught:
        ddb.list_tags_of_resource(ResourceArn=arn.replace(REGION, "us-east-1"))
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
