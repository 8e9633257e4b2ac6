"""Table operations as DynamoDB's API reference describes them: DescribeTable's fields, ListTables
paging, UpdateTable (billing, throughput, GSI create/delete with backfill, streams) and tags."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from asl.dynamodb import TableStore

KEYS = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
}


def _client(store: TableStore, *names: str) -> Any:
    client = store.client()
    for name in names:
        client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **KEYS)
    return client


def _error(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_describe_table_has_counts_sizes_dates_id_and_arn(store: TableStore) -> None:
    client = _client(store, "sessions")
    client.put_item(TableName="sessions", Item={"pk": {"S": "ab"}, "n": {"N": "12"}})
    client.put_item(TableName="sessions", Item={"pk": {"S": "cd"}})
    table = client.describe_table(TableName="sessions")["Table"]
    assert table["ItemCount"] == 2
    # DynamoDB's item size: names plus values ("pk"+"ab" = 4, "n" + 12 as 2 bytes = 3, "pk"+"cd" = 4)
    assert table["TableSizeBytes"] == 11
    assert isinstance(table["CreationDateTime"], datetime)
    assert table["CreationDateTime"].timestamp() == pytest.approx(store.clock())
    assert uuid.UUID(table["TableId"])
    assert table["TableArn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/sessions"
    # the id is kept with the table, not made anew on each call
    assert client.describe_table(TableName="sessions")["Table"]["TableId"] == table["TableId"]


def test_table_arn_uses_the_store_region_and_account() -> None:
    with TableStore(":memory:", region="ap-northeast-2", account="111122223333") as store:
        arn = _client(store, "sessions").describe_table(TableName="sessions")["Table"]["TableArn"]
    assert arn == "arn:aws:dynamodb:ap-northeast-2:111122223333:table/sessions"


def test_table_made_before_table_ids_gets_a_stable_one(tmp_path: Any) -> None:
    path = tmp_path / "tables.sqlite"
    with TableStore(path) as store:
        _client(store, "old")
        store.engine.connection.execute("UPDATE ddb_tables SET meta = NULL")
    ids = []
    for _ in range(2):
        with TableStore(path) as store:
            ids.append(store.client().describe_table(TableName="old")["Table"]["TableId"])
    assert ids[0] == ids[1] and uuid.UUID(ids[0])


def test_list_tables_pages_with_limit_and_exclusive_start(store: TableStore) -> None:
    client = _client(store, "t-c", "t-a", "t-b", "t-d")
    first = client.list_tables(Limit=3)
    assert first["TableNames"] == ["t-a", "t-b", "t-c"]
    assert first["LastEvaluatedTableName"] == "t-c"
    rest = client.list_tables(Limit=3, ExclusiveStartTableName="t-c")
    assert rest["TableNames"] == ["t-d"] and "LastEvaluatedTableName" not in rest
    assert client.list_tables()["TableNames"] == ["t-a", "t-b", "t-c", "t-d"]
    code, message = _error(client.list_tables, Limit=101)
    assert code == "ValidationException" and "less than or equal to 100" in message


def test_update_table_switches_billing_and_throughput(store: TableStore) -> None:
    client = _client(store, "t-a")
    code, message = _error(client.update_table, TableName="t-a", BillingMode="PROVISIONED")
    assert code == "ValidationException" and "ReadCapacityUnits and WriteCapacityUnits" in message
    table = client.update_table(
        TableName="t-a",
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
    )["TableDescription"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    # AWS refuses a throughput equal to the current one
    code, message = _error(
        client.update_table,
        TableName="t-a",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
    )
    assert code == "ValidationException" and "will not change" in message
    back = client.update_table(TableName="t-a", BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert back["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert back["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    code, _ = _error(client.update_table, TableName="t-a")
    assert code == "ValidationException"  # nothing to change
    assert _error(client.update_table, TableName="nope", BillingMode="PAY_PER_REQUEST")[0] == (
        "ResourceNotFoundException"
    )


def test_update_table_creates_a_backfilled_gsi_and_deletes_it(store: TableStore) -> None:
    client = _client(store, "t-a")
    for n in range(6):
        item: dict[str, Any] = {"pk": {"S": f"p{n}"}}
        if n % 2:
            item["colour"] = {"S": "red" if n < 4 else "blue"}
        client.put_item(TableName="t-a", Item=item)
    create = {
        "IndexName": "byColour",
        "KeySchema": [{"AttributeName": "colour", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }
    table = client.update_table(
        TableName="t-a",
        AttributeDefinitions=[{"AttributeName": "colour", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": create}],
    )["TableDescription"]
    (gsi,) = table["GlobalSecondaryIndexes"]
    assert gsi["IndexStatus"] == "ACTIVE" and gsi["ItemCount"] == 3  # the items already there
    red = client.query(
        TableName="t-a",
        IndexName="byColour",
        KeyConditionExpression="colour = :c",
        ExpressionAttributeValues={":c": {"S": "red"}},
    )
    assert sorted(i["pk"]["S"] for i in red["Items"]) == ["p1", "p3"]
    code, message = _error(
        client.update_table,
        TableName="t-a",
        AttributeDefinitions=[{"AttributeName": "colour", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": create}],
    )
    assert code == "ValidationException" and "already exists" in message
    assert (
        _error(
            client.update_table,
            TableName="t-a",
            GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "zzz"}}],
        )[0]
        == "ResourceNotFoundException"
    )
    gone = client.update_table(
        TableName="t-a", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byColour"}}]
    )["TableDescription"]
    assert "GlobalSecondaryIndexes" not in gone
    assert _error(client.scan, TableName="t-a", IndexName="byColour") == (
        "ValidationException",
        "The table does not have the specified index: byColour",
    )
    assert store.engine.connection.execute("SELECT count(*) FROM ddb_index_items").fetchone()[0] == 0


def test_update_table_stores_the_stream_specification(store: TableStore) -> None:
    client = _client(store, "t-a")
    table = client.update_table(
        TableName="t-a", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    )["TableDescription"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["LatestStreamArn"].startswith(table["TableArn"] + "/stream/")
    described = client.describe_table(TableName="t-a")["Table"]
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    code, _ = _error(
        client.update_table,
        TableName="t-a",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    assert code == "ValidationException"  # a table has at most one enabled stream
    off = client.update_table(TableName="t-a", StreamSpecification={"StreamEnabled": False})[
        "TableDescription"
    ]
    assert "StreamSpecification" not in off


def test_tags_are_added_replaced_removed_and_listed(store: TableStore) -> None:
    client = _client(store, "t-a")
    arn = client.describe_table(TableName="t-a")["Table"]["TableArn"]
    client.tag_resource(
        ResourceArn=arn, Tags=[{"Key": "team", "Value": "chef"}, {"Key": "env", "Value": "dev"}]
    )
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])  # same key: value replaced
    client.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])  # an absent key is no error
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_tag_limits_follow_the_developer_guide(store: TableStore) -> None:
    # 50 tags per resource, keys 1-128 characters, values 0-256, no "aws:" prefix
    client = _client(store, "t-a")
    arn = client.describe_table(TableName="t-a")["Table"]["TableArn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{n}", "Value": ""} for n in range(50)])
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "v" * 256}])  # replacing is fine at 50
    code, _ = _error(client.tag_resource, ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert code == "LimitExceededException"
    client.untag_resource(ResourceArn=arn, TagKeys=[f"k{n}" for n in range(10)])
    for tag in (
        {"Key": "k" * 129, "Value": "v"},
        {"Key": "k", "Value": "v" * 257},
        {"Key": "aws:x", "Value": "v"},
    ):
        assert _error(client.tag_resource, ResourceArn=arn, Tags=[tag])[0] == "ValidationException"
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k" * 128, "Value": "v"}])
    assert len(client.list_tags_of_resource(ResourceArn=arn)["Tags"]) == 41


def test_tags_on_an_unknown_or_malformed_arn(store: TableStore) -> None:
    client = _client(store, "t-a")
    arn = client.describe_table(TableName="t-a")["Table"]["TableArn"]
    other_account = arn.replace("123456789012", "210987654321")
    for missing in (arn.replace("t-a", "t-z"), other_account):
        assert _error(client.list_tags_of_resource, ResourceArn=missing)[0] == "ResourceNotFoundException"
    assert _error(client.list_tags_of_resource, ResourceArn="not-an-arn")[0] == "ValidationException"


def test_create_table_takes_tags_throughput_and_streams(store: TableStore) -> None:
    client = store.client()
    table = client.create_table(
        TableName="t-p",
        ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        Tags=[{"Key": "team", "Value": "chef"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        **KEYS,
    )["TableDescription"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    assert client.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == [
        {"Key": "team", "Value": "chef"}
    ]
    code, _ = _error(
        client.create_table,
        TableName="t-q",
        BillingMode="PAY_PER_REQUEST",
        ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        **KEYS,
    )
    assert code == "ValidationException"


def test_deletion_protection_table_class_and_sse_are_kept(store: TableStore) -> None:
    # AWS: a table with DeletionProtectionEnabled cannot be deleted until it is turned off
    client = _client(store, "t-a")
    table = client.update_table(
        TableName="t-a",
        DeletionProtectionEnabled=True,
        TableClass="STANDARD_INFREQUENT_ACCESS",
        SSESpecification={"Enabled": True},
    )["TableDescription"]
    assert table["DeletionProtectionEnabled"] is True
    assert table["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert table["SSEDescription"]["Status"] == "ENABLED"
    code, message = _error(client.delete_table, TableName="t-a")
    assert code == "ValidationException" and "protected against deletion" in message
    client.update_table(TableName="t-a", DeletionProtectionEnabled=False)
    client.delete_table(TableName="t-a")
    assert client.list_tables()["TableNames"] == []


def test_attribute_types_are_s_n_or_b(store: TableStore) -> None:
    client = store.client()
    code, message = _error(
        client.create_table,
        TableName="t-x",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}],
    )
    assert code == "ValidationException" and "[B, N, S]" in message
