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

from . import _operations, _query, _tables
from ._errors import (
    DynamoError,
    client_exceptions,
    request_id,
    response_metadata,
    to_client_error,
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
        self.meta = SimpleNamespace(region_name=store.region, service_model=None)

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
        return call(self.store, "CreateTable", _tables.create_table, params)

    def delete_table(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "DeleteTable", _tables.delete_table, params)

    def describe_table(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "DescribeTable", _tables.describe_table, params)

    def list_tables(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "ListTables", _tables.list_tables, params)

    def update_table(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "UpdateTable", _tables.update_table, params)

    def tag_resource(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "TagResource", _tables.tag_resource, params)

    def untag_resource(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "UntagResource", _tables.untag_resource, params)

    def list_tags_of_resource(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "ListTagsOfResource", _tables.list_tags, params)

    def update_time_to_live(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "UpdateTimeToLive", _update_ttl, params)

    def describe_time_to_live(self, **params: Any) -> dict[str, Any]:
        return call(self.store, "DescribeTimeToLive", _describe_ttl, params)


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
