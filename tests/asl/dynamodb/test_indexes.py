"""Secondary indexes, as DynamoDB's developer guide describes them, with moto's answers as a second check.

- CreateTable keeps GlobalSecondaryIndexes and LocalSecondaryIndexes; DescribeTable reports them
  (GSIs with IndexStatus ACTIVE), each with IndexArn, ItemCount and IndexSizeBytes.
- An index is sparse: an item without the index's key attributes is not in it.
- The projection (ALL, KEYS_ONLY, INCLUDE) decides what a read through the index returns; the
  table's and the index's keys are always projected.
- Query and Scan take IndexName; ConsistentRead on a GSI and an unknown index are
  ValidationExceptions ("Consistent reads are not supported on global secondary indexes",
  "The table does not have the specified index: NAME").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from asl.dynamodb import TableStore

ORDERS: dict[str, Any] = {
    "TableName": "orders",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
        {"AttributeName": "status", "AttributeType": "S"},
        {"AttributeName": "placed", "AttributeType": "N"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "byStatus",
            "KeySchema": [
                {"AttributeName": "status", "KeyType": "HASH"},
                {"AttributeName": "placed", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
        },
        {
            "IndexName": "statusKeys",
            "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        },
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "byPlaced",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "placed", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
}


def _items() -> list[dict[str, Any]]:
    items = []
    for n in range(12):
        item: dict[str, Any] = {
            "pk": {"S": f"user{n % 2}"},
            "sk": {"S": f"order{n:02d}"},
            "placed": {"N": str(100 - n * 3)},
            "total": {"N": str(n * 10)},
            "note": {"S": "left out of the INCLUDE projection"},
        }
        if n % 3 != 0:  # a third of the orders have no status: the GSIs must not hold them
            item["status"] = {"S": "open" if n % 3 == 1 else "shipped"}
        items.append(item)
    return items


def _fill(client: Any) -> None:
    client.create_table(**ORDERS)
    for item in _items():
        client.put_item(TableName="orders", Item=item)


@pytest.fixture
def both() -> Iterator[tuple[Any, Any]]:
    """(moto's client, the local store's client), holding the same table and items."""
    with mock_aws(), TableStore(":memory:") as store:
        moto = boto3.client("dynamodb", region_name="us-east-1")
        local = store.client()
        _fill(moto)
        _fill(local)
        yield moto, local


def _read(client: Any, operation: str, **params: Any) -> Any:
    answer = dict(getattr(client, operation)(TableName="orders", **params))
    answer.pop("ResponseMetadata", None)
    return answer


QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        "gsi include, sort-key range, newest first",
        {
            "IndexName": "byStatus",
            "KeyConditionExpression": "#s = :s AND placed BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "open"}, ":lo": {"N": "60"}, ":hi": {"N": "100"}},
            "ScanIndexForward": False,
        },
    ),
    (
        "gsi keys only",
        {
            "IndexName": "statusKeys",
            "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "shipped"}},
        },
    ),
    (
        "gsi with a filter on a projected attribute",
        {
            "IndexName": "byStatus",
            "KeyConditionExpression": "#s = :s",
            "FilterExpression": "#t > :t",
            "ExpressionAttributeNames": {"#s": "status", "#t": "total"},
            "ExpressionAttributeValues": {":s": {"S": "open"}, ":t": {"N": "30"}},
        },
    ),
    (
        "lsi in index order",
        {
            "IndexName": "byPlaced",
            "KeyConditionExpression": "pk = :p AND placed < :n",
            "ExpressionAttributeValues": {":p": {"S": "user1"}, ":n": {"N": "90"}},
        },
    ),
    (
        "gsi count",
        {
            "IndexName": "byStatus",
            "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "open"}},
            "Select": "COUNT",
        },
    ),
]


@pytest.mark.parametrize(("label", "params"), QUERIES, ids=[q[0] for q in QUERIES])
def test_query_on_an_index_answers_as_moto_does(
    both: tuple[Any, Any], label: str, params: dict[str, Any]
) -> None:
    moto, local = both
    mine, theirs = _read(local, "query", **params), _read(moto, "query", **params)
    if params["IndexName"] == "statusKeys":
        # an index without a sort key keeps no order among its items (AWS documents none)
        for answer in (mine, theirs):
            answer["Items"].sort(key=repr)
    assert mine == theirs


def test_index_projection_and_sparseness_follow_the_developer_guide(both: tuple[Any, Any]) -> None:
    _, local = both
    items = _read(local, "scan", IndexName="byStatus")["Items"]
    # sparse: 8 of the 12 orders have a status
    assert len(items) == 8
    # INCLUDE: the table keys, the index keys and NonKeyAttributes; "note" is not projected
    assert {frozenset(item) for item in items} == {frozenset({"pk", "sk", "status", "placed", "total"})}
    keys_only = _read(local, "scan", IndexName="statusKeys")["Items"]
    assert {frozenset(item) for item in keys_only} == {frozenset({"pk", "sk", "status"})}
    # an LSI holds every item with its sort key (all 12 here), and can give back the whole item
    whole = _read(
        local,
        "query",
        IndexName="byPlaced",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "user0"}},
        Select="ALL_ATTRIBUTES",
    )["Items"]
    assert len(whole) == 6 and all("note" in item for item in whole)
    assert [item["placed"]["N"] for item in whole] == sorted((item["placed"]["N"] for item in whole), key=int)


def test_index_pages_resume_from_last_evaluated_key(both: tuple[Any, Any]) -> None:
    moto, local = both
    params: dict[str, Any] = {
        "IndexName": "byStatus",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": "open"}},
        "Limit": 2,
    }
    for client in (moto, local):
        seen: list[str] = []
        start: dict[str, Any] | None = None
        while True:
            page = _read(client, "query", **params, **({"ExclusiveStartKey": start} if start else {}))
            seen += [item["sk"]["S"] for item in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if start is None:
                break
            # the key of an index page names the table's keys and the index's keys
            assert set(start) == {"pk", "sk", "status", "placed"}
        assert seen == ["order10", "order07", "order04", "order01"]  # placed ascending


def test_index_follows_writes_updates_and_deletes(both: tuple[Any, Any]) -> None:
    moto, local = both
    for client in (moto, local):
        client.update_item(
            TableName="orders",
            Key={"pk": {"S": "user0"}, "sk": {"S": "order00"}},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "open"}},
        )  # enters the index
        client.update_item(
            TableName="orders",
            Key={"pk": {"S": "user1"}, "sk": {"S": "order01"}},
            UpdateExpression="REMOVE #s",
            ExpressionAttributeNames={"#s": "status"},
        )  # leaves it
        client.delete_item(TableName="orders", Key={"pk": {"S": "user0"}, "sk": {"S": "order04"}})
    query = {
        "IndexName": "byStatus",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": "open"}},
    }
    assert _read(local, "query", **query) == _read(moto, "query", **query)
    assert [i["sk"]["S"] for i in _read(local, "query", **query)["Items"]] == [
        "order10",
        "order07",
        "order00",
    ]


def _error(client: Any, operation: str, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        getattr(client, operation)(TableName="orders", **params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_consistent_read_on_a_gsi_is_refused_but_allowed_on_an_lsi(both: tuple[Any, Any]) -> None:
    moto, local = both
    expected = ("ValidationException", "Consistent reads are not supported on global secondary indexes")
    for operation, extra in (
        ("query", {"KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
                   "ExpressionAttributeValues": {":s": {"S": "open"}}}),
        ("scan", {}),
    ):  # fmt: skip
        for client in (moto, local):
            assert _error(client, operation, IndexName="byStatus", ConsistentRead=True, **extra) == expected
    lsi = _read(local, "scan", IndexName="byPlaced", ConsistentRead=True)
    assert lsi["Count"] == 12


def test_unknown_index_is_a_validation_exception_with_aws_message(both: tuple[Any, Any]) -> None:
    # AWS answers ValidationException "The table does not have the specified index: NAME"
    # (moto answers ResourceNotFoundException here, so it is no oracle for this case)
    _, local = both
    assert _error(local, "scan", IndexName="nope") == (
        "ValidationException",
        "The table does not have the specified index: nope",
    )


def test_all_attributes_on_a_gsi_that_does_not_project_all_is_refused(both: tuple[Any, Any]) -> None:
    _, local = both
    code, message = _error(
        local,
        "query",
        IndexName="statusKeys",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "open"}},
        Select="ALL_ATTRIBUTES",
    )
    assert code == "ValidationException" and "projection type is not ALL" in message


def test_index_key_of_the_wrong_type_refuses_the_write(both: tuple[Any, Any]) -> None:
    # AWS: "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S
    # Actual: N IndexName: byStatus" (moto writes the item, so it is no oracle here)
    _, local = both
    item = {"pk": {"S": "u"}, "sk": {"S": "s"}, "status": {"N": "1"}}
    code, message = _error(local, "put_item", Item=item)
    assert code == "ValidationException"
    assert message.startswith("One or more parameter values were invalid: Type mismatch for Index Key status")
    assert _read(local, "get_item", Key={"pk": {"S": "u"}, "sk": {"S": "s"}}) == {}


def test_describe_table_reports_the_indexes_with_counts_and_arns(both: tuple[Any, Any]) -> None:
    moto, local = both
    mine = local.describe_table(TableName="orders")["Table"]
    theirs = moto.describe_table(TableName="orders")["Table"]
    arn = mine["TableArn"]
    gsis = {g["IndexName"]: g for g in mine["GlobalSecondaryIndexes"]}
    assert set(gsis) == {"byStatus", "statusKeys"}
    for name, gsi in gsis.items():
        assert gsi["IndexStatus"] == "ACTIVE"
        assert gsi["IndexArn"] == f"{arn}/index/{name}"
        assert gsi["ItemCount"] == 8
        assert gsi["IndexSizeBytes"] > 0
    assert gsis["byStatus"]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}
    for field in ("KeySchema", "Projection"):
        assert [g[field] for g in mine["GlobalSecondaryIndexes"]] == [
            g[field] for g in theirs["GlobalSecondaryIndexes"]
        ]
    (lsi,) = mine["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "byPlaced" and lsi["ItemCount"] == 12
    assert lsi["KeySchema"] == theirs["LocalSecondaryIndexes"][0]["KeySchema"]
    # a KEYS_ONLY index is smaller than the table
    assert gsis["statusKeys"]["IndexSizeBytes"] < mine["TableSizeBytes"]


def test_index_definitions_survive_reopening_the_file(tmp_path: Any) -> None:
    path = tmp_path / "tables.sqlite"
    with TableStore(path) as store:
        _fill(store.client())
    with TableStore(path) as store:
        answer = store.client().query(
            TableName="orders",
            IndexName="byStatus",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "shipped"}},
        )
    assert answer["Count"] == 4


def test_expired_items_leave_the_index() -> None:
    now = [1_700_000_000.0]
    with TableStore(":memory:", clock=lambda: now[0]) as store:
        client = store.client()
        _fill(client)
        client.update_time_to_live(
            TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "total"}
        )
        # totals 0..110 read as epoch seconds more than five years back: DynamoDB ignores such TTLs
        assert store.purge_expired() == 0
        assert client.scan(TableName="orders", IndexName="byStatus")["Count"] == 8
        client.put_item(
            TableName="orders",
            Item={"pk": {"S": "x"}, "sk": {"S": "y"}, "status": {"S": "open"}, "placed": {"N": "1"},
                  "total": {"N": str(int(now[0]) - 10)}},
        )  # fmt: skip
        assert client.scan(TableName="orders", IndexName="byStatus")["Count"] == 8  # expired on arrival
        assert store.purge_expired() == 1
        count = store.engine.connection.execute("SELECT count(*) FROM ddb_index_items").fetchone()[0]
        assert count == 8 + 8 + 12  # byStatus, statusKeys, byPlaced: the expired item's entries are gone


def test_scan_of_an_index_pages_through_every_entry_once(both: tuple[Any, Any]) -> None:
    _, local = both
    seen: list[str] = []
    start: dict[str, Any] | None = None
    while True:
        page = _read(
            local, "scan", IndexName="byStatus", Limit=3, **({"ExclusiveStartKey": start} if start else {})
        )
        seen += [item["sk"]["S"] for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert sorted(seen) == sorted(i["sk"]["S"] for i in _items() if "status" in i)


def test_table_resource_queries_an_index_with_boto3_conditions() -> None:
    from boto3.dynamodb.conditions import Key

    with TableStore(":memory:") as store:
        _fill(store.client())
        answer = store.table("orders").query(
            IndexName="byStatus", KeyConditionExpression=Key("status").eq("shipped") & Key("placed").gt(70)
        )
    assert [item["sk"] for item in answer["Items"]] == ["order08", "order05", "order02"]  # placed 76, 85, 94
