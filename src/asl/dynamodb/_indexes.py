"""Secondary indexes: their definitions, which items they hold, and what of an item they project.

A global secondary index (GSI) has its own partition key and optional sort key; a local one (LSI)
shares the table's partition key and has its own sort key. Both are sparse: an item without the
index's key attributes is not in the index. The projection (ALL, KEYS_ONLY, or INCLUDE with
NonKeyAttributes) decides which attributes a read through the index returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import DynamoError, validation
from ._schema import TableSchema, encode_key_value
from .values import Item, type_of

__all__ = ["IndexSchema", "check_index_set", "index_from_meta", "index_from_request"]

_PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
_MAX_NON_KEY = 100  # AWS: at most 100 projected non-key attributes over all of a table's indexes
_MAX_GSI = 20
_MAX_LSI = 5


@dataclass(frozen=True, slots=True)
class IndexSchema:
    """One secondary index: name, global or local, key attributes with types, projection."""

    name: str
    is_global: bool
    partition_key: tuple[str, str]
    sort_key: tuple[str, str] | None
    projection: str
    non_key: tuple[str, ...] = ()
    throughput: Mapping[str, int] | None = None

    @property
    def key_names(self) -> tuple[str, ...]:
        return (
            (self.partition_key[0],) if self.sort_key is None else (self.partition_key[0], self.sort_key[0])
        )

    def as_table(self, table: str) -> TableSchema:
        """The index's key schema in the shape a Query checks its key condition against."""
        return TableSchema(table, self.partition_key, self.sort_key)

    def entry(self, item: Item) -> tuple[bytes, bytes] | None:
        """The (index partition, index sort) key bytes of an item, or None when the index skips it.

        A key attribute of the wrong type or an empty string/binary is an error, as DynamoDB
        refuses such a write rather than leaving the item out of the index.
        """
        parts: list[bytes] = []
        for name, kind in (self.partition_key, self.sort_key) if self.sort_key else (self.partition_key,):
            value = item.get(name)
            if value is None:
                return None
            actual = type_of(value)
            if actual != kind:
                raise validation(
                    "One or more parameter values were invalid: Type mismatch for Index Key "
                    f"{name} Expected: {kind} Actual: {actual} IndexName: {self.name}"
                )
            if kind in ("S", "B") and len(value[kind]) == 0:
                raise validation(
                    "One or more parameter values are not valid. A value specified for a secondary index "
                    "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
                    f"{'string' if kind == 'S' else 'binary'} value. IndexName: {self.name}, "
                    f"IndexKey: {name}"
                )
            parts.append(encode_key_value(value))
        return parts[0], parts[1] if len(parts) == 2 else b""

    def project(self, item: Item, table_keys: tuple[str, ...]) -> Item:
        """The attributes of ``item`` this index holds: its keys, the table's, and the projected rest."""
        if self.projection == "ALL":
            return item
        wanted = {*table_keys, *self.key_names, *self.non_key}
        return {name: value for name, value in item.items() if name in wanted}

    def describe(self) -> dict[str, Any]:
        """The index's static part of DescribeTable (counts and status are added by the caller)."""
        schema = [{"AttributeName": self.partition_key[0], "KeyType": "HASH"}]
        if self.sort_key is not None:
            schema.append({"AttributeName": self.sort_key[0], "KeyType": "RANGE"})
        projection: dict[str, Any] = {"ProjectionType": self.projection}
        if self.non_key:
            projection["NonKeyAttributes"] = list(self.non_key)
        return {"IndexName": self.name, "KeySchema": schema, "Projection": projection}

    def to_meta(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "global": self.is_global,
            "hash": list(self.partition_key),
            "range": list(self.sort_key) if self.sort_key else None,
            "projection": self.projection,
            "non_key": list(self.non_key),
            "throughput": dict(self.throughput) if self.throughput else None,
        }


def defined_type(attribute: Any, types: Mapping[str, str]) -> str:
    """The type AttributeDefinitions gives a key attribute (table or index); AWS's error when none does."""
    if attribute not in types:
        raise validation(
            "One or more parameter values were invalid: Some index key attributes are not defined in "
            f"AttributeDefinitions. Keys: [{attribute}], AttributeDefinitions: [{', '.join(types)}]"
        )
    return types[attribute]


def index_from_meta(meta: Mapping[str, Any]) -> IndexSchema:
    """An index as stored in the table's ``meta`` JSON."""
    hash_key, range_key = meta["hash"], meta["range"]
    return IndexSchema(
        meta["name"],
        bool(meta["global"]),
        (hash_key[0], hash_key[1]),
        (range_key[0], range_key[1]) if range_key else None,
        meta["projection"],
        tuple(meta.get("non_key") or ()),
        meta.get("throughput"),
    )


def index_from_request(
    request: Mapping[str, Any],
    is_global: bool,
    types: Mapping[str, str],
    table: TableSchema,
    provisioned: bool,
) -> IndexSchema:
    """One entry of GlobalSecondaryIndexes / LocalSecondaryIndexes (or a GSI Create update), checked."""
    name = request.get("IndexName")
    if not isinstance(name, str) or not 3 <= len(name) <= 255:
        raise validation(
            f"1 validation error detected: Value '{name}' at 'indexName' failed to satisfy constraint: "
            "Member must have length between 3 and 255"
        )
    keys: dict[str, tuple[str, str]] = {}
    for element in request.get("KeySchema") or []:
        attribute, role = element.get("AttributeName"), element.get("KeyType")
        if role not in ("HASH", "RANGE") or role in keys:
            raise validation(
                "One or more parameter values were invalid: Invalid KeySchema: The first KeySchemaElement "
                "is not a HASH key type"
            )
        keys[role] = (attribute, defined_type(attribute, types))
    if "HASH" not in keys:
        raise validation(
            "One or more parameter values were invalid: Invalid KeySchema: The first KeySchemaElement "
            "is not a HASH key type"
        )
    if not is_global:
        if keys["HASH"] != table.partition_key:
            raise validation(
                "One or more parameter values were invalid: Index KeySchema does not have the same leading "
                f"hash key as table KeySchema for index: {name}. index hash key: {keys['HASH'][0]}, "
                f"table hash key: {table.partition_key[0]}"
            )
        if table.sort_key is None:
            raise validation(
                "One or more parameter values were invalid: Table KeySchema does not have a range key, "
                "which is required when specifying a LocalSecondaryIndex"
            )
        if "RANGE" not in keys:
            raise validation(
                "One or more parameter values were invalid: Index KeySchema must have a range key "
                f"for index: {name}"
            )
    projection = request.get("Projection") or {}
    kind = projection.get("ProjectionType", "ALL" if not projection else None)
    if kind not in _PROJECTIONS:
        raise validation(
            f"1 validation error detected: Value '{kind}' at 'projection.projectionType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"
        )
    non_key = tuple(projection.get("NonKeyAttributes") or ())
    if kind == "INCLUDE" and not non_key:
        raise validation(
            "One or more parameter values were invalid: NonKeyAttributes must not be empty when "
            "ProjectionType is INCLUDE"
        )
    if kind != "INCLUDE" and non_key:
        raise validation(
            "One or more parameter values were invalid: ProjectionType is "
            f"{kind}, but NonKeyAttributes is specified"
        )
    throughput = request.get("ProvisionedThroughput")
    if is_global and provisioned and not throughput:
        raise validation(
            "One or more parameter values were invalid: ProvisionedThroughput is not specified for index: "
            f"{name}"
        )
    if is_global and not provisioned and throughput:
        raise validation(
            "One or more parameter values were invalid: ProvisionedThroughput should not be specified for "
            f"index: {name} when BillingMode is PAY_PER_REQUEST"
        )
    return IndexSchema(
        name,
        is_global,
        keys["HASH"],
        keys.get("RANGE"),
        str(kind),
        non_key,
        {k: int(throughput[k]) for k in ("ReadCapacityUnits", "WriteCapacityUnits")} if throughput else None,
    )


def check_index_set(indexes: Sequence[IndexSchema]) -> None:
    """Limits over all of a table's indexes: names unique, counts and projected attributes bounded."""
    names = [index.name for index in indexes]
    for name in names:
        if names.count(name) > 1:
            raise validation(f"One or more parameter values were invalid: Duplicate index name: {name}")
    if sum(index.is_global for index in indexes) > _MAX_GSI:
        raise DynamoError(
            "LimitExceededException",
            f"Subscriber limit exceeded: The number of global secondary indexes exceeds {_MAX_GSI}",
        )
    if sum(not index.is_global for index in indexes) > _MAX_LSI:
        raise validation(
            "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table "
            f"limit of {_MAX_LSI}"
        )
    if sum(len(index.non_key) for index in indexes) > _MAX_NON_KEY:
        raise validation(
            "One or more parameter values were invalid: Number of projected attributes in all indexes "
            f"exceeds limit of {_MAX_NON_KEY}"
        )
