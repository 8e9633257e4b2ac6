"""Client: the local store with the shape of boto3's low-level DynamoDB client (typed values).

>>> from asl.dynamodb import TableStore
>>> client = TableStore(":memory:").client()
>>> _ = client.create_table(TableName="tbl", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
...                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
>>> _ = client.put_item(TableName="tbl", Item={"id": {"S": "a"}, "n": {"N": "1"}})
>>> client.get_item(TableName="tbl", Key={"id": {"S": "a"}})["Item"]
{'id': {'S': 'a'}, 'n': {'N': '1'}}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from . import _operations, _query
from ._errors import (
    DynamoError,
    client_exceptions,
    request_id,
    response_metadata,
    to_client_error,
    validation,
)
from ._params import check_legacy, check_params

if TYPE_CHECKING:
    from .store import TableStore

__all__ = ["Client", "call"]

_ITEM_OPERATIONS = frozenset({"PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan"})

Operation = Callable[["TableStore", Mapping[str, Any]], dict[str, Any]]


def call(store: TableStore, operation: str, function: Operation, params: Mapping[str, Any]) -> dict[str, Any]:
    """Run an operation; DynamoDB errors come out as botocore ``ClientError`` (the modelled subclass)."""
    check_params(operation, params)
    try:
        if operation in _ITEM_OPERATIONS:
            check_legacy(params)
        response = function(store, params)
    except DynamoError as error:
        raise to_client_error(error, operation) from None
    response["ResponseMetadata"] = response_metadata(request_id())
    return response


class Client:
    """boto3 ``client("dynamodb")`` over a :class:`TableStore`: same operations, parameters, errors."""

    def __init__(self, store: TableStore) -> None:
        self.store = store
        self.meta = SimpleNamespace(region_name="local", service_model=None)

    @property
    def exceptions(self) -> Any:
        """The modelled exception classes, as ``client.exceptions.ConditionalCheckFailedException``."""
        return client_exceptions()

    def put_item(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "PutItem", _operations.put_item, params)

    def get_item(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "GetItem", _operations.get_item, params)

    def update_item(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "UpdateItem", _operations.update_item, params)

    def delete_item(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "DeleteItem", _operations.delete_item, params)

    def query(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "Query", _query.query, params)

    def scan(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "Scan", _query.scan, params)

    def batch_write_item(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "BatchWriteItem", _operations.batch_write_item, params)

    def create_table(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "CreateTable", _create_table, params)

    def delete_table(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "DeleteTable", _delete_table, params)

    def describe_table(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "DescribeTable", _describe_table, params)

    def list_tables(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "ListTables", lambda store, _: {"TableNames": store.table_names()}, params)

    def update_time_to_live(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "UpdateTimeToLive", _update_ttl, params)

    def describe_time_to_live(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "DescribeTimeToLive", _describe_ttl, params)


def _create_table(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    name = params.get("TableName")
    schema = params.get("KeySchema") or []
    types = {d["AttributeName"]: d["AttributeType"] for d in params.get("AttributeDefinitions") or []}
    keys: dict[str, tuple[str, str]] = {}
    for element in schema:
        attribute, role = element.get("AttributeName"), element.get("KeyType")
        if role not in ("HASH", "RANGE"):
            raise validation(
                f"1 validation error detected: Value '{role}' at 'keySchema' failed to satisfy constraint: "
                "Member must satisfy enum value set: [HASH, RANGE]"
            )
        if attribute not in types:
            raise validation(
                "One or more parameter values were invalid: Some index key attributes are not defined in "
                f"AttributeDefinitions. Keys: [{attribute}], AttributeDefinitions: [{', '.join(types)}]"
            )
        keys[role] = (attribute, types[attribute])
    if "HASH" not in keys:
        raise validation(
            "1 validation error detected: Value null at 'keySchema' failed to satisfy "
            "constraint: Member must not be null"
        )
    table = store.create_table(str(name), keys["HASH"], keys.get("RANGE"))
    return {"TableDescription": store.schema(table.name).describe()}


def _delete_table(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    name = str(params.get("TableName"))
    description = store.schema(name).describe()
    store.delete_table(name)
    return {"TableDescription": {**description, "TableStatus": "DELETING"}}


def _describe_table(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"Table": store.schema(str(params.get("TableName"))).describe()}


def _update_ttl(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    spec = params.get("TimeToLiveSpecification") or {}
    enabled = bool(spec.get("Enabled"))
    attribute = spec.get("AttributeName")
    store.set_ttl_attribute(str(params.get("TableName")), attribute if enabled else None)
    return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}


def _describe_ttl(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    attribute = store.schema(str(params.get("TableName"))).ttl_attribute
    if attribute is None:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}}
