"""Items of every DynamoDB type survive the wire both ways, and writers from many threads are serialised."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

_numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
_scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=20)),
    st.builds(lambda n: {"N": n}, _numbers),
    st.builds(lambda b: {"B": b}, st.binary(max_size=20)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": sorted(s)}, st.sets(st.text(min_size=1, max_size=8), min_size=1, max_size=4)),
    st.builds(lambda s: {"NS": sorted(s)}, st.sets(_numbers, min_size=1, max_size=4)),
    st.builds(
        lambda s: {"BS": sorted(s)}, st.sets(st.binary(min_size=1, max_size=8), min_size=1, max_size=4)
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(inner, max_size=4)),
        st.builds(
            lambda fields: {"M": fields}, st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)
        ),
    ),
    max_leaves=12,
)
_attributes = st.dictionaries(
    st.text(min_size=1, max_size=10).filter(lambda name: name != "id"), _values, max_size=5
)


def _canonical(value: Any) -> Any:
    """Sets compare regardless of order (DynamoDB does not keep it)."""
    if isinstance(value, dict):
        return {
            k: sorted(v, key=repr) if k in ("SS", "NS", "BS") else _canonical(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


@pytest.fixture(scope="module")
def items_table(ddb: Any) -> str:
    ddb.create_table(
        TableName="roundtrip",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "B"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return "roundtrip"


@settings(max_examples=60, deadline=None)
@given(key=st.binary(min_size=1, max_size=16), attributes=_attributes)
def test_any_item_comes_back_as_it_was_put(
    ddb: Any, items_table: str, key: bytes, attributes: dict[str, Any]
) -> None:
    item = {"id": {"B": key}, **attributes}
    ddb.put_item(TableName=items_table, Item=item)
    got = ddb.get_item(TableName=items_table, Key={"id": {"B": key}}, ConsistentRead=True)["Item"]
    assert _canonical(got) == _canonical(item)


def test_concurrent_increments_over_http_are_not_lost(ddb: Any, items_table: str) -> None:
    key = {"id": {"B": b"counter"}}

    def add(_: int) -> None:
        ddb.update_item(
            TableName=items_table,
            Key=key,
            UpdateExpression="ADD hits :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(add, range(160)))
    assert ddb.get_item(TableName=items_table, Key=key)["Item"]["hits"] == {"N": "160"}
