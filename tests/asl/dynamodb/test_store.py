"""TableStore: tables, keys, persistence, TTL, and the errors of item operations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from asl.dynamodb import TableStore, default_path
from asl.errors import ASLError


def code_and_message(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_default_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASL_DATA_DIR", str(tmp_path / "asl"))
    assert default_path() == tmp_path / "asl" / "tables.sqlite"
    monkeypatch.delenv("ASL_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "asl" / "tables.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / ".local" / "share" / "asl" / "tables.sqlite"


def test_file_store_persists_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "tables.sqlite"
    with TableStore(path) as store:
        store.create_table("sessions", partition_key=("sessionId", "S"), sort_key=("at", "N"))
        store.table("sessions").put_item(Item={"sessionId": "s", "at": 1, "status": "RUNNING"})
        mode = store.engine.connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    with TableStore(path) as again:
        assert again.table_names() == ["sessions"]
        item = again.table("sessions").get_item(Key={"sessionId": "s", "at": 1})["Item"]
        assert item["status"] == "RUNNING"


def test_table_management(store: TableStore) -> None:
    store.create_table("alpha", partition_key=("pk", "N"))
    with pytest.raises(ASLError, match="Table already exists: alpha"):
        store.create_table("alpha")
    assert store.create_table("alpha", exist_ok=True).name == "alpha"
    with pytest.raises(ASLError, match=r"Member must satisfy regular expression pattern: \[a-zA-Z0-9_.-\]\+"):
        store.create_table("no spaces")
    with pytest.raises(ASLError, match="Member must have length greater than or equal to 3"):
        store.create_table("ab")
    with pytest.raises(ASLError, match="sort_key must be"):
        store.create_table("beta", sort_key=("sk", "BOOL"))
    store.delete_table("alpha")
    assert store.table_names() == []
    client = store.client()
    assert code_and_message(client.get_item, TableName="alpha", Key={"pk": {"N": "1"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: alpha not found",
    )


def test_low_level_table_management(store: TableStore) -> None:
    client = store.client()
    client.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    table = client.describe_table(TableName="orders")["Table"]
    assert table["KeySchema"][1] == {"AttributeName": "sk", "KeyType": "RANGE"}
    assert client.list_tables()["TableNames"] == ["orders"]
    client.update_time_to_live(
        TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    assert client.describe_time_to_live(TableName="orders")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "exp",
    }
    client.delete_table(TableName="orders")
    assert client.list_tables()["TableNames"] == []


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"other": {"S": "x"}}, "One or more parameter values were invalid: Missing the key pk in the item"),
        (
            {"pk": {"N": "1"}},
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
        ),
        (
            {"pk": {"S": ""}},
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
            "contain an "
            "empty string value. Key: pk",
        ),
        ({"pk": {"S": "a"}, "big": {"S": "x" * 410_000}}, "Item size has exceeded the maximum allowed size"),
    ],
)
def test_put_item_validation(store: TableStore, item: dict[str, Any], message: str) -> None:
    store.create_table("things", partition_key=("pk", "S"))
    assert code_and_message(store.client().put_item, TableName="things", Item=item) == (
        "ValidationException",
        message,
    )


def test_key_must_match_the_schema(store: TableStore) -> None:
    store.create_table("things", partition_key=("pk", "S"), sort_key=("sk", "N"))
    client = store.client()
    assert code_and_message(client.get_item, TableName="things", Key={"pk": {"S": "a"}}) == (
        "ValidationException",
        "The provided key element does not match the schema",
    )


def test_return_values_are_checked(store: TableStore) -> None:
    store.create_table("things", partition_key=("pk", "S"))
    client = store.client()
    item = {"pk": {"S": "a"}}
    assert code_and_message(client.put_item, TableName="things", Item=item, ReturnValues="ALL_NEW") == (
        "ValidationException",
        "ReturnValues can only be NONE or ALL_OLD",
    )
    _, message = code_and_message(client.put_item, TableName="things", Item=item, ReturnValues="SOME")
    assert "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]" in message
    client.put_item(TableName="things", Item={**item, "v": {"N": "1"}})
    old = client.put_item(TableName="things", Item=item, ReturnValues="ALL_OLD")["Attributes"]
    assert old == {**item, "v": {"N": "1"}}
    assert client.delete_item(TableName="things", Key=item, ReturnValues="ALL_OLD")["Attributes"] == item


def test_expired_items_disappear_and_are_purged(store: TableStore, clock: Any) -> None:
    table = store.create_table("sessions", partition_key=("id", "S"), ttl_attribute="expiresAt")
    now = int(clock.now)
    table.put_item(Item={"id": "old", "expiresAt": now - 10})
    table.put_item(Item={"id": "soon", "expiresAt": now + 60})
    table.put_item(
        Item={"id": "ancient", "expiresAt": now - 6 * 365 * 86400}
    )  # DynamoDB ignores TTLs > 5 years old
    table.put_item(Item={"id": "text", "expiresAt": "not a number"})
    assert "Item" not in table.get_item(Key={"id": "old"})
    assert sorted(i["id"] for i in table.scan()["Items"]) == ["ancient", "soon", "text"]
    # An expired item is gone for conditions too: a conditional create succeeds.
    table.put_item(Item={"id": "old", "expiresAt": now + 5}, ConditionExpression="attribute_not_exists(id)")
    clock.now += 120
    assert sorted(i["id"] for i in table.scan()["Items"]) == ["ancient", "text"]
    assert store.purge_expired() == 2
    rows = store.engine.connection.execute("SELECT count(*) FROM ddb_items").fetchone()[0]
    assert rows == 2


def test_enabling_ttl_later_applies_to_existing_items(store: TableStore, clock: Any) -> None:
    table = store.create_table("sessions", partition_key=("id", "S"))
    table.put_item(Item={"id": "a", "ttl": int(clock.now) - 1})
    assert "Item" in table.get_item(Key={"id": "a"})
    store.set_ttl_attribute("sessions", "ttl")
    assert "Item" not in table.get_item(Key={"id": "a"})


def test_errors_are_botocore_client_errors_with_modelled_classes(store: TableStore) -> None:
    table = store.create_table("things", partition_key=("pk", "S"))
    table.put_item(Item={"pk": "a"})
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException) as caught:
        table.put_item(Item={"pk": "a"}, ConditionExpression="attribute_not_exists(pk)")
    assert isinstance(caught.value, ClientError)
    assert caught.value.operation_name == "PutItem"
    assert str(caught.value) == (
        "An error occurred (ConditionalCheckFailedException) when calling the PutItem operation: "
        "The conditional request failed"
    )


def test_a_tracer_sees_the_sql() -> None:
    statements: list[str] = []
    with TableStore(":memory:", tracer=statements.append) as traced:
        traced.create_table("things", partition_key=("pk", "S")).get_item(Key={"pk": "a"})
    assert any(s.startswith("SELECT item, expires FROM ddb_items") for s in statements)
