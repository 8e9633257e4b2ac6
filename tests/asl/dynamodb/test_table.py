"""Table: boto3's resource shape, so a handler written for boto3 runs unchanged on the local store."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr
from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError, ParamValidationError

from asl.dynamodb import Table, TableStore


def record_progress(table: Any, session_id: str, progress: int) -> dict[str, Any]:
    """A handler as written for boto3: conditional update with reserved-word names."""
    response: dict[str, Any] = table.update_item(
        Key={"sessionId": session_id},
        UpdateExpression="SET #status = :status, #progress = :progress ADD #updates :one",
        ConditionExpression=Attr("progress").not_exists() | Attr("progress").lte(progress),
        ExpressionAttributeNames={"#status": "status", "#progress": "progress", "#updates": "updates"},
        ExpressionAttributeValues={":status": "RUNNING", ":progress": progress, ":one": 1},
        ReturnValues="ALL_NEW",
    )
    return response["Attributes"]


@pytest.fixture
def sessions(store: TableStore) -> Table:
    return store.create_table("sessions", partition_key=("sessionId", "S"))


def test_a_boto3_handler_runs_unchanged(sessions: Table) -> None:
    assert record_progress(sessions, "s1", 10) == {
        "sessionId": "s1",
        "status": "RUNNING",
        "progress": Decimal("10"),
        "updates": Decimal("1"),
    }
    assert record_progress(sessions, "s1", 40)["updates"] == 2
    with pytest.raises(sessions.meta.client.exceptions.ConditionalCheckFailedException):
        record_progress(sessions, "s1", 20)  # progress never goes back


def test_plain_values_round_trip(sessions: Table) -> None:
    item = {
        "sessionId": "s2",
        "price": Decimal("12900.50"),
        "tags": {"vegan", "spicy"},
        "scores": {Decimal(1), Decimal(2)},
        "blob": Binary(b"\x00\x01"),
        "steps": [{"n": 1, "text": "끓이기"}, None, True],
    }
    sessions.put_item(Item=item)
    got = sessions.get_item(Key={"sessionId": "s2"})["Item"]
    assert got == {
        **item,
        "price": Decimal("12900.5"),
        "steps": [{"n": Decimal(1), "text": "끓이기"}, None, True],
    }


def test_floats_are_refused_as_boto3_refuses_them(sessions: Table) -> None:
    with pytest.raises(TypeError, match=r"Float types are not supported\. Use Decimal types instead\."):
        sessions.put_item(Item={"sessionId": "s3", "ratio": 0.5})


def test_batch_writer_flushes_in_batches_and_can_overwrite(sessions: Table) -> None:
    with sessions.batch_writer(overwrite_by_pkeys=["sessionId"]) as batch:
        for i in range(60):
            batch.put_item(Item={"sessionId": f"s{i % 30}", "round": i})
        batch.delete_item(Key={"sessionId": "s0"})
    items = sessions.scan()["Items"]
    assert len(items) == 29
    assert {i["round"] for i in items} == set(range(31, 60))


def test_batch_write_rejects_duplicate_keys(store: TableStore, sessions: Table) -> None:
    put = {"PutRequest": {"Item": {"sessionId": {"S": "a"}}}}
    with pytest.raises(ClientError, match="Provided list of item keys contains duplicates"):
        store.client().batch_write_item(RequestItems={"sessions": [put, put]})


def test_responses_carry_response_metadata(sessions: Table) -> None:
    meta = sessions.put_item(Item={"sessionId": "m"})["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert len(meta["RequestId"]) == 52


def test_parameter_names_are_checked_as_boto3_checks_them(sessions: Table) -> None:
    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "ConditionExpresion"'):
        sessions.put_item(Item={"sessionId": "x"}, ConditionExpresion="attribute_not_exists(sessionId)")
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "Key"'):
        sessions.get_item()
    with pytest.raises(
        ClientError, match=r"AttributesToGet is a legacy parameter .* use ProjectionExpression"
    ):
        sessions.get_item(Key={"sessionId": "x"}, AttributesToGet=["status"])


def test_public_names_are_exactly_all() -> None:
    import asl.dynamodb as package

    public = sorted(
        name for name in vars(package) if not name.startswith("_") and name not in {"annotations"}
    )
    modules = {"client", "operations", "store", "table", "values"}
    assert sorted(package.__all__) == package.__all__
    assert sorted(set(public) - modules) == package.__all__


def test_table_description_helpers(store: TableStore, sessions: Table) -> None:
    sessions.wait_until_exists()
    sessions.put_item(Item={"sessionId": "a"})
    sessions.put_item(Item={"sessionId": "b"})
    assert (sessions.table_status, sessions.item_count) == ("ACTIVE", 2)
    assert sessions.key_schema == [{"AttributeName": "sessionId", "KeyType": "HASH"}]
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        store.table("missing").load()
