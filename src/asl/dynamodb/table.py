"""Table: one table of the local store with the shape of boto3's ``dynamodb.Table`` resource.

Values go in and come out in boto3's plain form (``Decimal``, ``set``, ``Binary``), and
``boto3.dynamodb.conditions`` objects (``Key("id").eq(x)``, ``Attr("n").gt(1)``) are
accepted wherever boto3 accepts them, so a handler written for boto3 runs unchanged.

>>> from asl.dynamodb import TableStore
>>> table = TableStore(":memory:").create_table("tbl", partition_key=("id", "S"))
>>> _ = table.put_item(Item={"id": "a", "n": 1})
>>> table.update_item(Key={"id": "a"}, UpdateExpression="ADD n :one",
...                   ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW")["Attributes"]
{'n': Decimal('2')}
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder

from . import _operations, _query
from ._errors import DynamoError, to_client_error
from ._tables import describe
from .client import Client, call
from .values import to_plain, to_typed

if TYPE_CHECKING:
    from .store import TableStore

__all__ = ["BatchWriter", "Table"]

_CONDITION_FIELDS = (
    ("ConditionExpression", False),
    ("FilterExpression", False),
    ("KeyConditionExpression", True),
)


def _typed_map(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: to_typed(value) for name, value in values.items()}


def _plain_map(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: to_plain(value) for name, value in values.items()}


def _to_request(table: str, params: Mapping[str, Any]) -> dict[str, Any]:
    request = dict(params)
    request["TableName"] = table
    builder: ConditionExpressionBuilder | None = None  # one per request, made only when needed
    for field, is_key in _CONDITION_FIELDS:
        condition = request.get(field)
        if isinstance(condition, ConditionBase):
            builder = builder or ConditionExpressionBuilder()
            built = builder.build_expression(condition, is_key_condition=is_key)
            request[field] = built.condition_expression
            if built.attribute_name_placeholders:
                request["ExpressionAttributeNames"] = {
                    **(request.get("ExpressionAttributeNames") or {}),
                    **built.attribute_name_placeholders,
                }
            if built.attribute_value_placeholders:
                request["ExpressionAttributeValues"] = {
                    **(request.get("ExpressionAttributeValues") or {}),
                    **built.attribute_value_placeholders,
                }
    for field in ("Item", "Key", "ExpressionAttributeValues", "ExclusiveStartKey"):
        value = request.get(field)
        # type() first: the ABC isinstance check is slow, and these are nearly always plain dicts
        if value is not None and (type(value) is dict or isinstance(value, Mapping)):
            request[field] = _typed_map(value)
    return request


def _to_response(response: dict[str, Any]) -> dict[str, Any]:
    for field in ("Item", "Attributes", "LastEvaluatedKey"):
        if field in response:
            response[field] = _plain_map(response[field])
    if "Items" in response:
        response["Items"] = [_plain_map(item) for item in response["Items"]]
    return response


class Table:
    """A table of a :class:`TableStore`, shaped like ``boto3.resource("dynamodb").Table(name)``."""

    def __init__(self, store: TableStore, name: str) -> None:
        self.store = store
        self.name = name
        self.table_name = name
        self.meta = SimpleNamespace(client=Client(store))

    def __repr__(self) -> str:
        return f"dynamodb.Table(name={self.name!r})"

    def _describe(self) -> dict[str, Any]:
        try:
            return describe(self.store, self.store.schema(self.name))
        except DynamoError as error:
            raise to_client_error(error, "DescribeTable") from None

    @property
    def table_status(self) -> str:
        """Always ``"ACTIVE"``: a local table is usable as soon as it is created."""
        return str(self._describe()["TableStatus"])

    @property
    def item_count(self) -> int:
        """How many items the table holds (DynamoDB updates this figure about every six hours)."""
        self._describe()
        return self.store.count_items(self.name)

    def load(self) -> None:
        """Check the table exists (boto3 loads its description here)."""
        self._describe()

    reload = load

    def wait_until_exists(self) -> None:
        """Return at once when the table exists: nothing to wait for locally."""
        self.load()

    @property
    def key_schema(self) -> list[dict[str, str]]:
        """``KeySchema`` as DescribeTable reports it."""
        schema: list[dict[str, str]] = self._describe()["KeySchema"]
        return schema

    def _run(self, operation: str, function: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        return _to_response(call(self.store, operation, function, _to_request(self.name, params)))

    def put_item(self, **params: Any) -> dict[str, Any]:
        return self._run("PutItem", _operations.put_item, params)

    def get_item(self, **params: Any) -> dict[str, Any]:
        return self._run("GetItem", _operations.get_item, params)

    def update_item(self, **params: Any) -> dict[str, Any]:
        return self._run("UpdateItem", _operations.update_item, params)

    def delete_item(self, **params: Any) -> dict[str, Any]:
        return self._run("DeleteItem", _operations.delete_item, params)

    def query(self, **params: Any) -> dict[str, Any]:
        return self._run("Query", _query.query, params)

    def scan(self, **params: Any) -> dict[str, Any]:
        return self._run("Scan", _query.scan, params)

    def batch_writer(self, overwrite_by_pkeys: list[str] | None = None) -> BatchWriter:
        """Buffer puts and deletes and send them 25 at a time, like boto3's ``BatchWriter``."""
        return BatchWriter(self, overwrite_by_pkeys)


class BatchWriter:
    """Context manager collecting puts and deletes, flushed in batches of 25 and on exit."""

    def __init__(self, table: Table, overwrite_by_pkeys: list[str] | None = None) -> None:
        self._table = table
        self._pkeys = overwrite_by_pkeys
        self._buffer: list[dict[str, Any]] = []

    def put_item(self, Item: dict[str, Any]) -> None:
        self._add({"PutRequest": {"Item": _typed_map(Item)}})

    def delete_item(self, Key: dict[str, Any]) -> None:
        self._add({"DeleteRequest": {"Key": _typed_map(Key)}})

    def _add(self, request: dict[str, Any]) -> None:
        if self._pkeys:
            # boto3 drops an earlier buffered request for the same key when asked to.
            body = request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"]
            ident = [body.get(k) for k in self._pkeys]
            self._buffer = [r for r in self._buffer if self._ident(r) != ident]
        self._buffer.append(request)
        if len(self._buffer) >= 25:
            self._flush()

    def _ident(self, request: dict[str, Any]) -> list[Any]:
        body = request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"]
        return [body.get(k) for k in self._pkeys or []]

    def _flush(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer[:25], self._buffer[25:]
        call(
            self._table.store,
            "BatchWriteItem",
            _operations.batch_write_item,
            {"RequestItems": {self._table.name: batch}},
        )

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        while self._buffer:
            self._flush()
