"""The write path's shortcuts give what the long way gives: checked-expression caches, stored text,
the size bound, transactions, and the Step Functions integration's request and response."""

from __future__ import annotations

import base64
import json
import re
import threading
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from asl.dynamodb import TableStore
from asl.dynamodb._errors import DynamoError, request_id
from asl.dynamodb._operations import _MAX_ITEM_SIZE, _too_big
from asl.dynamodb._requests import _prepare, prepare
from asl.dynamodb.store import _decode, encode_item
from asl.dynamodb.values import canonical_number, item_size, normalize_item, to_plain, to_storage, to_typed
from asl.errors import StatesError
from asl.integrations.dynamodb import _b64, _binaries_from_json, _http_metadata, invoke

UPDATE = ("UpdateExpression", "ConditionExpression")

# -- typed items, for the properties -------------------------------------------------------------
texts = st.text(max_size=6)
numbers = st.sampled_from(["0", "1", "-1", "2.5", "1E+20", "-0.000125", "12345678901234567890123456789"])
blobs = st.binary(min_size=1, max_size=6)
scalars = st.one_of(
    texts.map(lambda s: {"S": s}),
    numbers.map(lambda n: {"N": n}),
    blobs.map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(texts, min_size=1, max_size=3, unique=True).map(lambda s: {"SS": s}),
    st.lists(blobs, min_size=1, max_size=3, unique=True).map(lambda s: {"BS": s}),
    st.lists(st.sampled_from(["1", "2", "3.5"]), min_size=1, max_size=3, unique=True).map(
        lambda s: {"NS": s}
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"L": items}),
        st.dictionaries(texts, inner, max_size=3).map(lambda m: {"M": m}),
    ),
    max_leaves=8,
)
items = st.dictionaries(st.sampled_from(["B", "BS", "S", "id", "한", "x" * 20, "BOOL"]), values, max_size=5)
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True)


@PROPERTY
@given(items)
def test_stored_text_is_the_storage_form_and_reads_back(item: dict[str, Any]) -> None:
    item = normalize_item(item)
    text = encode_item(item)
    assert text == json.dumps(to_storage(item), separators=(",", ":"), ensure_ascii=False)
    assert _decode(text) == item


@PROPERTY
@given(items)
def test_dynamodb_size_never_exceeds_the_stored_text(item: dict[str, Any]) -> None:
    # _too_big skips the item walk for small texts on the strength of this bound.
    item = normalize_item(item)
    assert item_size(item) <= len(encode_item(item).encode("utf-8")) <= 4 * len(encode_item(item))


def test_size_limit_is_counted_exactly_near_the_boundary() -> None:
    name = "k"
    fits = {name: {"S": "가" * ((_MAX_ITEM_SIZE - 1) // 3)}}  # 3 UTF-8 bytes a character
    over = {name: {"S": "가" * ((_MAX_ITEM_SIZE - 1) // 3 + 1)}}
    assert item_size(fits) <= _MAX_ITEM_SIZE < item_size(over)
    assert not _too_big(fits, encode_item(fits))
    assert _too_big(over, encode_item(over))


def test_put_and_update_refuse_an_item_over_400_kb(store: TableStore) -> None:
    table = store.create_table("big", partition_key=("id", "S"))
    with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
        table.put_item(Item={"id": "a", "s": "x" * (_MAX_ITEM_SIZE + 1)})
    table.put_item(Item={"id": "a", "s": "x" * (_MAX_ITEM_SIZE - 100)})
    with pytest.raises(ClientError, match="Item size to update has exceeded the maximum allowed size"):
        table.update_item(
            Key={"id": "a"}, UpdateExpression="SET t = :t", ExpressionAttributeValues={":t": "y" * 200}
        )
    assert len(table.get_item(Key={"id": "a"})["Item"]["s"]) == _MAX_ITEM_SIZE - 100


@pytest.mark.parametrize(
    ("item", "stored"),
    [
        ({"B": {"S": "x"}, "f": {"BOOL": True}}, '{"B":{"S":"x"},"f":{"BOOL":true}}'),
        ({"s": {"S": '"B":"x'}}, '{"s":{"S":"\\"B\\":\\"x"}}'),
        ({"b": {"B": b"\x00"}}, '{"b":{"B":"AA=="}}'),
    ],
)
def test_stored_text_of_lookalikes_reads_back(item: dict[str, Any], stored: str) -> None:
    assert encode_item(item) == stored
    assert _decode(stored) == item


# -- the checked-expression cache --------------------------------------------------------------
def _update(names: dict[str, str], values: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "UpdateExpression": "SET #a = :a",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
    if condition is not None:
        params["ConditionExpression"] = condition
    return params


def test_a_repeated_expression_is_checked_against_each_requests_values() -> None:
    good = prepare(_update({"#a": "n"}, {":a": {"N": "01.50"}}), UPDATE)
    again = prepare(_update({"#a": "n"}, {":a": {"N": "2.0"}}), UPDATE)
    assert good.update is again.update  # parsed once
    assert (good.values, again.values) == ({":a": {"N": "1.5"}}, {":a": {"N": "2"}})
    with pytest.raises(DynamoError, match="cannot be converted to a numeric value: x"):
        prepare(_update({"#a": "n"}, {":a": {"N": "x"}}), UPDATE)
    ordered = _update({"#a": "n"}, {":a": {"S": "x"}, ":b": {"BOOL": True}}, "#a < :b")
    with pytest.raises(DynamoError, match="operator or function: <, operand type: BOOL"):
        prepare(ordered, UPDATE)
    ordered["ExpressionAttributeValues"][":b"] = {"N": "1"}
    assert prepare(ordered, UPDATE).condition is not None
    ordered["ExpressionAttributeValues"][":b"] = {"BOOL": True}  # the cached shape still checks values
    with pytest.raises(DynamoError, match="operator or function: <, operand type: BOOL"):
        prepare(ordered, UPDATE)


def test_the_same_text_with_other_names_or_placeholders_is_checked_again() -> None:
    first = prepare(_update({"#a": "n"}, {":a": {"N": "1"}}), UPDATE)
    second = prepare(_update({"#a": "m"}, {":a": {"N": "1"}}), UPDATE)
    assert first.update is not None and second.update is not None
    assert first.update.set[0][0].elements == ("n",)
    assert second.update.set[0][0].elements == ("m",)
    with pytest.raises(DynamoError, match=re.escape("unused in expressions: keys: {#b}")):
        prepare(_update({"#a": "n", "#b": "o"}, {":a": {"N": "1"}}), UPDATE)
    with pytest.raises(DynamoError, match=re.escape("unused in expressions: keys: {:b}")):
        prepare(_update({"#a": "n"}, {":a": {"N": "1"}, ":b": {"N": "1"}}), UPDATE)
    with pytest.raises(DynamoError, match="attribute value: :a"):
        prepare(_update({"#a": "n"}, {":b": {"N": "1"}}), UPDATE)
    with pytest.raises(DynamoError, match="can only be specified when using expressions"):
        prepare(_update({"#a": "n"}, {":a": {"N": "1"}}), ("ConditionExpression",))


def test_empty_maps_are_refused_after_the_same_expression_passed_without_them() -> None:
    request: dict[str, Any] = {"ConditionExpression": "attribute_exists(a)"}
    assert prepare(request, ("ConditionExpression",)).values == {}
    with pytest.raises(DynamoError, match="ExpressionAttributeValues must not be empty"):
        prepare({**request, "ExpressionAttributeValues": {}}, ("ConditionExpression",))
    with pytest.raises(DynamoError, match="ExpressionAttributeNames must not be empty"):
        prepare({**request, "ExpressionAttributeNames": {}}, ("ConditionExpression",))


def _prepared(function: Any, params: dict[str, Any], allowed: tuple[str, ...]) -> Any:
    try:
        return function(params, allowed)
    except DynamoError as error:
        return error.code, error.message


contents = st.sampled_from([{"N": "1.50"}, {"N": "x"}, {"S": "s"}, {"BOOL": True}, {"SS": ["a"]}, {}])
shapes = st.tuples(  # mostly valid combinations, so that shapes get cached and then meet bad values
    st.sampled_from([None, None, "SET #a = :a", "SET #a = :a, b = :b", "SET"]),
    st.sampled_from([None, "#a < :b", "#a < :b", "attribute_exists(#a)", "#a = :a AND b > :b"]),
    st.sampled_from([None, {"#a": "n"}, {"#a": "n"}, {"#a": "n", "#c": "o"}, {}]),
    st.sampled_from([None, [":a"], [":b"], [":b"], [":a", ":b"], [":a", ":b", ":c"], []]),
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.lists(shapes, min_size=1, max_size=3),
    st.lists(st.lists(contents, min_size=3, max_size=3), min_size=2, max_size=4),
    st.sampled_from([UPDATE, ("ConditionExpression",)]),
)
def test_prepared_requests_match_the_uncached_checks(
    drawn: list[tuple[Any, ...]], fillings: list[list[dict[str, Any]]], allowed: tuple[str, ...]
) -> None:
    # Each shape is sent with several value contents, twice, so cached shapes meet new values.
    for update, condition, names, keys in drawn * 2:
        for filling in fillings:
            fields = {
                "UpdateExpression": update,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": None if keys is None else dict(zip(keys, filling, strict=False)),
            }
            params = {name: value for name, value in fields.items() if value is not None}
            assert _prepared(prepare, params, allowed) == _prepared(_prepare, params, allowed)


def test_a_repeated_update_still_may_not_touch_another_tables_key(store: TableStore) -> None:
    by_id = store.create_table("by_id", partition_key=("id", "S"))
    by_n = store.create_table("by_n", partition_key=("n", "S"))
    request = {"UpdateExpression": "SET n = :v", "ExpressionAttributeValues": {":v": "x"}}
    by_id.update_item(Key={"id": "a"}, **request)
    by_id.update_item(Key={"id": "b"}, **request)
    with pytest.raises(ClientError, match=r"Cannot update attribute n\. This attribute is part of the key"):
        by_n.update_item(Key={"n": "a"}, **request)
    assert by_id.get_item(Key={"id": "b"})["Item"] == {"id": "b", "n": "x"}


# -- transactions ------------------------------------------------------------------------------
def test_transactions_nest_commit_and_roll_back(tmp_path: Path) -> None:
    with TableStore(tmp_path / "t.sqlite") as store:
        table = store.create_table("tbl", partition_key=("id", "S"))
        with store.transaction():
            table.put_item(Item={"id": "a"})
            with store.transaction():
                table.put_item(Item={"id": "b"})
            assert store.engine.connection.in_transaction  # the inner exit did not commit
        assert not store.engine.connection.in_transaction
        with pytest.raises(RuntimeError), store.transaction():
            table.put_item(Item={"id": "c"})
            raise RuntimeError("undo")
        assert store.engine.depth == 0 and not store.engine.connection.in_transaction
        with TableStore(tmp_path / "t.sqlite") as other:  # a second connection sees the committed state
            assert sorted(i["id"] for i in other.table("tbl").scan()["Items"]) == ["a", "b"]


def test_a_failed_write_releases_the_lock_for_other_threads(store: TableStore) -> None:
    table = store.create_table("tbl", partition_key=("id", "S"))
    with pytest.raises(ClientError):
        table.put_item(Item={"id": "a"}, ConditionExpression="attribute_exists(id)")
    done = threading.Event()

    def write() -> None:
        table.put_item(Item={"id": "b"})
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=30)
    assert done.is_set()
    assert table.get_item(Key={"id": "b"})["Item"] == {"id": "b"}


# -- plain values ------------------------------------------------------------------------------
plain = st.recursive(
    st.one_of(
        st.text(max_size=4),
        st.booleans(),
        st.none(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.binary(min_size=1, max_size=3),
        st.sets(st.text(max_size=3), min_size=1, max_size=3),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


def _outcome(function: Any, value: Any) -> Any:
    try:
        return function(value)
    except Exception as error:  # both sides must fail alike
        return type(error).__name__


@PROPERTY
@given(plain)
def test_typed_and_plain_forms_are_exactly_boto3s(value: Any) -> None:
    typed = _outcome(to_typed, value)
    assert typed == _outcome(lambda v: dict(TypeSerializer().serialize(v)), value)
    if isinstance(typed, dict):
        assert repr(to_plain(typed)) == repr(TypeDeserializer().deserialize(typed))  # type: ignore[arg-type]


# -- the Step Functions integration ------------------------------------------------------------
def test_request_ids_use_the_base32_alphabet() -> None:
    ids = {request_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[A-Z2-7]{52}", rid) for rid in ids)
    assert set("".join(ids)) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_http_metadata_describes_the_body() -> None:
    for body in ({}, {"Item": {"id": {"S": "a"}}}):
        headers = _http_metadata(body, "R")["HttpHeaders"]
        text = json.dumps(body, separators=(",", ":")).encode()
        assert headers["Content-Length"] == str(len(text))
        assert re.fullmatch(
            r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT", headers["Date"]
        )
        assert parsedate_to_datetime(headers["Date"]).tzname() == "UTC"


def test_binaries_are_decoded_without_touching_the_parameters() -> None:
    encoded = base64.b64encode(b"\x00\xff").decode()
    params = {
        "TableName": "t",
        "Key": {"id": {"S": "a"}},
        "Item": {"m": {"M": {"b": {"B": encoded}, "l": {"L": [{"BS": [encoded]}, {"S": "B"}]}}}},
    }
    snapshot = json.dumps(params)
    converted = _binaries_from_json(params)
    assert json.dumps(params) == snapshot
    assert converted["Item"]["m"]["M"]["b"] == {"B": b"\x00\xff"}
    assert converted["Item"]["m"]["M"]["l"]["L"] == [{"BS": [b"\x00\xff"]}, {"S": "B"}]
    assert converted["Key"] is params["Key"]  # nothing to convert below: not copied
    assert _binaries_from_json(params["Key"]) is params["Key"]


def _walk_everything(value: Any) -> Any:
    """The conversion done the long way: every dict and list rebuilt (the integration's old code)."""
    if isinstance(value, list):
        return [_walk_everything(v) for v in value]
    if not isinstance(value, dict):
        return value
    [(kind, inner)] = value.items() if len(value) == 1 else [(None, None)]
    if kind == "B" and isinstance(inner, str):
        return {"B": _b64(inner)}
    if kind == "BS" and isinstance(inner, list):
        return {"BS": [_b64(m) if isinstance(m, str) else m for m in inner]}
    return {k: _walk_everything(v) for k, v in value.items()}


json_like = st.recursive(
    st.one_of(st.sampled_from(["", "AA==", "eA==", "@", "x"]), st.booleans(), st.none(), st.integers(0, 3)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["B", "BS", "S", "N", "M", "L", "#n", ":v"]), inner, max_size=3),
    ),
    max_leaves=10,
)


@PROPERTY
@given(json_like)
def test_binaries_are_converted_as_the_long_way_converts_them(value: Any) -> None:
    assert _outcome(_binaries_from_json, value) == _outcome(_walk_everything, value)


def test_integration_writes_read_back_through_the_table(store: TableStore) -> None:
    store.create_table("sessions", partition_key=("sessionId", "S"))
    request = {
        "TableName": "sessions",
        "Key": {"sessionId": {"S": "s"}},
        "UpdateExpression": "SET #p = :p, #b = :b",
        "ExpressionAttributeNames": {"#p": "progress", "#b": "blob"},
    }
    for progress in ("10", "20"):
        values = {":p": {"N": progress}, ":b": {"B": base64.b64encode(progress.encode()).decode()}}
        result = invoke(store, "updateItem", {**request, "ExpressionAttributeValues": values})
        assert result["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "2"
    item = store.table("sessions").get_item(Key={"sessionId": "s"})["Item"]
    assert (item["progress"], item["blob"].value) == (20, b"20")
    with pytest.raises(StatesError, match="Invalid base64"):
        invoke(
            store,
            "updateItem",
            {**request, "ExpressionAttributeValues": {":p": {"N": "1"}, ":b": {"B": "@"}}},
        )


def test_numbers_are_checked_on_every_request() -> None:
    for _ in range(2):  # a failure is never remembered as a success
        with pytest.raises(DynamoError, match="cannot be converted to a numeric value: 1e"):
            canonical_number("1e")
    assert canonical_number("1.50") == canonical_number("1.50") == "1.5"
    assert canonical_number("0" * 60 + "2.50") == "2.5"  # past the cached length
    with pytest.raises(DynamoError, match="more than 38 significant digits"):
        canonical_number("1" * 39)


def test_an_unconditional_put_joins_the_callers_transaction(store: TableStore) -> None:
    table = store.create_table("tbl", partition_key=("id", "S"))
    table.put_item(Item={"id": "a", "n": 1})
    with pytest.raises(RuntimeError), store.transaction():
        table.put_item(Item={"id": "a", "n": 2})
        assert table.get_item(Key={"id": "a"})["Item"]["n"] == 2
        raise RuntimeError("undo")
    assert table.get_item(Key={"id": "a"})["Item"]["n"] == 1
    assert table.put_item(Item={"id": "a", "n": 3}, ReturnValues="ALL_OLD")["Attributes"]["n"] == 1


def test_set_writes_new_attributes_in_path_order(store: TableStore) -> None:
    table = store.create_table("tbl", partition_key=("id", "S"))
    table.put_item(Item={"id": "a", "m": {"k": 1}, "l": [1]})
    table.update_item(
        Key={"id": "a"}, UpdateExpression="SET zz = :v, bb = :v, aa = :v", ExpressionAttributeValues={":v": 1}
    )
    assert list(table.get_item(Key={"id": "a"})["Item"]) == ["id", "m", "l", "aa", "bb", "zz"]
    table.update_item(
        Key={"id": "b"},
        UpdateExpression="SET l2 = :l, m2 = :m",
        ExpressionAttributeValues={":l": [0], ":m": {}},
    )
    table.update_item(
        Key={"id": "b"},
        UpdateExpression="SET y = :v, m2.b = :v, l2[5] = :v, m2.a = :v, l2[3] = :v, c = :v",
        ExpressionAttributeValues={":v": 7},
    )
    item = table.get_item(Key={"id": "b"})["Item"]
    assert list(item) == ["id", "l2", "m2", "c", "y"]
    assert list(item["m2"]) == ["a", "b"] and item["l2"] == [0, 7, 7]
