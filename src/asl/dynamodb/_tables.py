"""The table operations: CreateTable, DescribeTable, DeleteTable, ListTables, UpdateTable and tags.

Everything DynamoDB reports about a table beyond its key schema (table id, billing mode and
throughput, stream specification, tags, secondary indexes, attribute types) is kept as the
table's ``meta`` JSON in the store. A local table and its indexes are ACTIVE at once: there is
no CREATING or UPDATING phase to wait through, and a new index is backfilled before
UpdateTable returns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._errors import DynamoError, validation
from ._indexes import IndexSchema, check_index_set, defined_type, index_from_request
from ._schema import TableSchema
from .values import item_size

if TYPE_CHECKING:
    from .store import TableStore

__all__ = [
    "create_table",
    "delete_table",
    "describe_table",
    "list_tables",
    "list_tags",
    "tag_resource",
    "untag_resource",
    "update_table",
]

_BILLING = ("PROVISIONED", "PAY_PER_REQUEST")
_TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
_STREAM_VIEWS = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
_MAX_TAGS = 50  # AWS: 50 user tags per resource
_MAX_TAG_KEY = 128
_MAX_TAG_VALUE = 256
# AWS's allowed tag characters: letters, numbers, white space and + - = . _ : / (@ too, per the API)
_TAG_TEXT = re.compile(r"[\w\s+\-=._:/@]*")
_ARN = re.compile(r"arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table/([a-zA-Z0-9_.-]+)")


# -- CreateTable -----------------------------------------------------------------------------------
def create_table(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    name = params.get("TableName")
    types = _attribute_types(params.get("AttributeDefinitions") or [])
    keys = _key_schema(params.get("KeySchema") or [], types)
    table = TableSchema(str(name), keys["HASH"], keys.get("RANGE"))
    billing, throughput = _billing(params.get("BillingMode"), params.get("ProvisionedThroughput"), None)
    indexes = [
        index_from_request(request, True, types, table, billing == "PROVISIONED")
        for request in params.get("GlobalSecondaryIndexes") or []
    ]
    indexes += [
        index_from_request(request, False, types, table, billing == "PROVISIONED")
        for request in params.get("LocalSecondaryIndexes") or []
    ]
    check_index_set(indexes)
    used = {*table.key_names, *(n for index in indexes for n in index.key_names)}
    unused = sorted(set(types) - used)
    if unused:
        raise validation(
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly "
            "match number of attributes defined in AttributeDefinitions"
        )
    meta: dict[str, Any] = {
        "billing": billing,
        "throughput": throughput,
        "indexes": [index.to_meta() for index in indexes],
        "attributes": types,
        "tags": _checked_tags(params.get("Tags") or [], {}),
    }
    stream = params.get("StreamSpecification")
    if stream is not None:
        meta["stream"] = _stream(stream, None, store.clock())
    _settings(meta, params)
    created = store.create_table(str(name), keys["HASH"], keys.get("RANGE"), meta=meta)
    return {"TableDescription": describe(store, store.schema(created.name))}


def _attribute_types(definitions: list[Any]) -> dict[str, str]:
    types: dict[str, str] = {}
    for position, definition in enumerate(definitions, 1):
        kind = definition.get("AttributeType")
        if kind not in ("S", "N", "B"):
            raise validation(
                f"1 validation error detected: Value '{kind}' at 'attributeDefinitions.{position}.member."
                "attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"
            )
        types[definition["AttributeName"]] = kind
    return types


def _key_schema(elements: list[Any], types: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    keys: dict[str, tuple[str, str]] = {}
    for element in elements:
        attribute, role = element.get("AttributeName"), element.get("KeyType")
        if role not in ("HASH", "RANGE"):
            raise validation(
                f"1 validation error detected: Value '{role}' at 'keySchema' failed to satisfy constraint: "
                "Member must satisfy enum value set: [HASH, RANGE]"
            )
        keys[role] = (attribute, defined_type(attribute, types))
    if "HASH" not in keys:
        raise validation(
            "1 validation error detected: Value null at 'keySchema' failed to satisfy "
            "constraint: Member must not be null"
        )
    return keys


def _billing(
    mode: Any, throughput: Any, current: tuple[str, dict[str, int] | None] | None
) -> tuple[str, dict[str, int] | None]:
    """The billing mode and provisioned throughput after a CreateTable or UpdateTable.

    AWS's CreateTable defaults to PROVISIONED and then needs ProvisionedThroughput; a request
    with neither field is taken as on-demand here (as this store always did), since a local
    table has no capacity to provision.
    """
    if mode is not None and mode not in _BILLING:
        raise validation(
            f"1 validation error detected: Value '{mode}' at 'billingMode' failed to satisfy constraint: "
            "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
        )
    if mode is None:
        mode = (
            current[0]
            if current is not None
            else ("PROVISIONED" if throughput is not None else "PAY_PER_REQUEST")
        )
    if mode == "PAY_PER_REQUEST":
        if throughput is not None:
            raise validation(
                "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
                "can be specified when BillingMode is PAY_PER_REQUEST"
            )
        return "PAY_PER_REQUEST", None
    if throughput is None:
        if current is not None and current[1] is not None:
            return "PROVISIONED", current[1]
        raise validation(
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both "
            "be specified when BillingMode is PROVISIONED"
        )
    units: dict[str, int] = {}
    for field in ("ReadCapacityUnits", "WriteCapacityUnits"):
        value = throughput.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise validation(
                f"1 validation error detected: Value '{value}' at 'provisionedThroughput."
                f"{field[0].lower()}{field[1:]}' failed to satisfy constraint: Member must have value "
                "greater than or equal to 1"
            )
        units[field] = value
    return "PROVISIONED", units


def _stream(spec: Mapping[str, Any], current: Mapping[str, Any] | None, now: float) -> dict[str, Any]:
    enabled = spec.get("StreamEnabled")
    view = spec.get("StreamViewType")
    if not isinstance(enabled, bool):
        raise validation(
            "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to "
            "satisfy constraint: Member must not be null"
        )
    if enabled:
        if view not in _STREAM_VIEWS:
            raise validation(
                "One or more parameter values were invalid: StreamViewType is required when "
                "StreamEnabled is true; it must be one of NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY"
            )
        if current and current.get("enabled"):
            raise validation("Table already has an enabled stream")
        label = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        return {"enabled": True, "view": view, "label": label}
    if view is not None:
        raise validation(
            "One or more parameter values were invalid: StreamViewType cannot be specified when "
            "StreamEnabled is false"
        )
    if not current or not current.get("enabled"):
        raise validation("Table already has no stream enabled")  # AWS: disabling needs an enabled stream
    return {**current, "enabled": False}


def _settings(meta: dict[str, Any], params: Mapping[str, Any]) -> None:
    """DeletionProtectionEnabled, TableClass and SSESpecification, from CreateTable or UpdateTable."""
    protect = params.get("DeletionProtectionEnabled")
    if protect is not None:
        meta["protected"] = bool(protect)
    table_class = params.get("TableClass")
    if table_class is not None:
        if table_class not in _TABLE_CLASSES:
            raise validation(
                f"1 validation error detected: Value '{table_class}' at 'tableClass' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(_TABLE_CLASSES)}]"
            )
        meta["class"] = table_class
    sse = params.get("SSESpecification")
    if sse is not None:
        # kept to report back; a local file is not encrypted with KMS either way
        meta["sse"] = bool(sse.get("Enabled"))


# -- DescribeTable / DeleteTable / ListTables -------------------------------------------------------
def table_arn(store: TableStore, name: str) -> str:
    return f"arn:aws:dynamodb:{store.region}:{store.account}:table/{name}"


def describe(store: TableStore, schema: TableSchema) -> dict[str, Any]:
    """The ``Table`` block of DescribeTable, with counts and sizes as of now.

    AWS refreshes ItemCount and the byte sizes about every six hours; a local table reports them
    exact. Sizes count attribute names and values as DynamoDB's item size does; an index's size
    counts the attributes it projects.
    """
    meta: Mapping[str, Any] = schema.meta or {}
    count, size, per_index = _measure(store, schema)
    arn = table_arn(store, schema.name)
    key_schema = [{"AttributeName": schema.partition_key[0], "KeyType": "HASH"}]
    types = dict(meta.get("attributes") or {})
    types.setdefault(schema.partition_key[0], schema.partition_key[1])
    if schema.sort_key is not None:
        key_schema.append({"AttributeName": schema.sort_key[0], "KeyType": "RANGE"})
        types.setdefault(schema.sort_key[0], schema.sort_key[1])
    billing = meta.get("billing", "PAY_PER_REQUEST")
    table: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in types.items()],
        "TableName": schema.name,
        "KeySchema": key_schema,
        "TableStatus": "ACTIVE",
        "CreationDateTime": datetime.fromtimestamp(schema.created, UTC),
        "ProvisionedThroughput": _throughput(meta.get("throughput")),
        "TableSizeBytes": size,
        "ItemCount": count,
        "TableArn": arn,
        "TableId": meta["id"],
        "BillingModeSummary": {"BillingMode": billing},
        "DeletionProtectionEnabled": bool(meta.get("protected", False)),
    }
    if "class" in meta:
        table["TableClassSummary"] = {"TableClass": meta["class"]}
    if meta.get("sse"):
        table["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS"}
    globals_ = [i for i in schema.indexes if i.is_global]
    locals_ = [i for i in schema.indexes if not i.is_global]
    if locals_:
        table["LocalSecondaryIndexes"] = [
            {**i.describe(), "IndexSizeBytes": per_index[i.name][1], "ItemCount": per_index[i.name][0],
             "IndexArn": f"{arn}/index/{i.name}"}
            for i in locals_
        ]  # fmt: skip
    if globals_:
        table["GlobalSecondaryIndexes"] = [
            {**i.describe(), "IndexStatus": "ACTIVE", "ProvisionedThroughput": _throughput(i.throughput),
             "IndexSizeBytes": per_index[i.name][1], "ItemCount": per_index[i.name][0],
             "IndexArn": f"{arn}/index/{i.name}"}
            for i in globals_
        ]  # fmt: skip
    stream = meta.get("stream")
    if stream:
        if stream.get("enabled"):
            table["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["view"]}
        table["LatestStreamLabel"] = stream["label"]
        table["LatestStreamArn"] = f"{arn}/stream/{stream['label']}"
    return table


def _throughput(units: Mapping[str, int] | None) -> dict[str, int]:
    # AWS shows on-demand tables and indexes with zero units
    return {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": int((units or {}).get("ReadCapacityUnits", 0)),
        "WriteCapacityUnits": int((units or {}).get("WriteCapacityUnits", 0)),
    }


def _measure(store: TableStore, schema: TableSchema) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """Item count and size of the table, and (count, size) per index, in one pass over its items."""
    count = size = 0
    per_index = {index.name: (0, 0) for index in schema.indexes}
    cursor: tuple[bytes, bytes] | None = None
    while True:
        rows = store.engine.scan(schema.name, cursor, 512)
        for _pk, _sk, item in store.rows(rows):
            count += 1
            size += item_size(item)
            for index in schema.indexes:
                if _has_keys(index, item):
                    seen, total = per_index[index.name]
                    projected = index.project(item, schema.key_names)
                    per_index[index.name] = (seen + 1, total + item_size(projected))
        if len(rows) < 512:
            return count, size, per_index
        cursor = (rows[-1][0], rows[-1][1])


def _has_keys(index: IndexSchema, item: Mapping[str, Any]) -> bool:
    return all(name in item for name in index.key_names)


def describe_table(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"Table": describe(store, store.schema(str(params.get("TableName"))))}


def delete_table(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    name = str(params.get("TableName"))
    schema = store.schema(name)
    if (schema.meta or {}).get("protected"):
        raise validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
            "protection first."
        )
    description = describe(store, schema)
    store.delete_table(name)
    return {"TableDescription": {**description, "TableStatus": "DELETING"}}


def list_tables(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    """Names in order, at most ``Limit`` (1 to 100, default 100) after ``ExclusiveStartTableName``."""
    limit = params.get("Limit", 100)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
        bound = (
            "greater than or equal to 1"
            if isinstance(limit, int) and limit < 1
            else ("less than or equal to 100")
        )
        raise validation(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
            f"Member must have value {bound}"
        )
    start = params.get("ExclusiveStartTableName")
    names = [n for n in store.table_names() if start is None or n > start]
    answer: dict[str, Any] = {"TableNames": names[:limit]}
    if len(names) > limit:
        answer["LastEvaluatedTableName"] = names[limit - 1]
    return answer


# -- UpdateTable --------------------------------------------------------------------------------
def update_table(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    name = str(params.get("TableName"))
    schema = store.schema(name)
    meta = dict(schema.meta or {})
    changes = [
        field
        for field in (
            "BillingMode",
            "ProvisionedThroughput",
            "GlobalSecondaryIndexUpdates",
            "StreamSpecification",
            "AttributeDefinitions",
            "DeletionProtectionEnabled",
            "SSESpecification",
            "TableClass",
        )
        if params.get(field) is not None
    ]
    if not changes or changes == ["AttributeDefinitions"]:
        raise validation(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
        )
    _settings(meta, params)
    current = (meta.get("billing", "PAY_PER_REQUEST"), meta.get("throughput"))
    billing, throughput = _billing(params.get("BillingMode"), params.get("ProvisionedThroughput"), current)
    if params.get("ProvisionedThroughput") is not None and throughput == current[1]:
        raise validation(
            "The provisioned throughput for the table will not change. The requested value equals the "
            "current value. Current ReadCapacityUnits provisioned for the table: "
            f"{throughput['ReadCapacityUnits'] if throughput else 0}. Requested ReadCapacityUnits: "
            f"{throughput['ReadCapacityUnits'] if throughput else 0}. Current WriteCapacityUnits provisioned "
            f"for the table: {throughput['WriteCapacityUnits'] if throughput else 0}. Requested "
            f"WriteCapacityUnits: {throughput['WriteCapacityUnits'] if throughput else 0}. Refer to the "
            "Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
        )
    types = dict(meta.get("attributes") or {})
    for attribute, kind in (schema.partition_key, *([schema.sort_key] if schema.sort_key else [])):
        types.setdefault(attribute, kind)  # tables made before attribute types were kept
    for attribute, kind in _attribute_types(params.get("AttributeDefinitions") or []).items():
        if attribute in types and types[attribute] != kind:
            raise validation(
                "One or more parameter values were invalid: Cannot change the type of an existing "
                f"attribute: {attribute}"
            )
        types[attribute] = kind
    indexes = list(schema.indexes)
    created: list[IndexSchema] = []
    for update in params.get("GlobalSecondaryIndexUpdates") or []:
        indexes, made = _index_update(update, indexes, types, schema, billing)
        created += made
    if billing == "PROVISIONED" and current[0] == "PAY_PER_REQUEST":
        missing = [i.name for i in indexes if i.is_global and not i.throughput]
        if missing:
            raise validation(
                "One or more parameter values were invalid: ProvisionedThroughput must be specified for "
                f"index: {missing[0]} when switching BillingMode to PROVISIONED"
            )
    if billing == "PAY_PER_REQUEST":
        indexes = [_without_throughput(i) for i in indexes]
    check_index_set(indexes)
    meta.update(
        billing=billing,
        throughput=throughput,
        indexes=[i.to_meta() for i in indexes],
        attributes={
            n: t for n, t in types.items() if n in schema.key_names or any(n in i.key_names for i in indexes)
        },
    )
    stream = params.get("StreamSpecification")
    if stream is not None:
        meta["stream"] = _stream(stream, meta.get("stream"), store.clock())
    if billing != current[0]:
        meta["billing_changed"] = store.clock()
    with store.transaction():
        for index in schema.indexes:
            if index.name not in {i.name for i in indexes}:
                store.drop_index(name, index.name)
        updated = store.set_meta(name, meta)
        for index in created:
            store.fill_index(updated, index)
    return {"TableDescription": describe(store, updated)}


def _index_update(
    update: Mapping[str, Any],
    indexes: list[IndexSchema],
    types: Mapping[str, str],
    schema: TableSchema,
    billing: str,
) -> tuple[list[IndexSchema], list[IndexSchema]]:
    """Apply one GlobalSecondaryIndexUpdates entry; returns the indexes and the one created, if any."""
    actions = [a for a in ("Create", "Update", "Delete") if update.get(a) is not None]
    if len(actions) != 1:
        raise validation(
            "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Create, "
            "GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be specified"
        )
    action = actions[0]
    request = update[action]
    name = request.get("IndexName")
    existing = next((i for i in indexes if i.name == name), None)
    if action == "Create":
        if existing is not None:
            raise validation(
                f"One or more parameter values were invalid: Index with name: {name} already exists"
            )
        index = index_from_request(request, True, types, schema, billing == "PROVISIONED")
        return [*indexes, index], [index]
    if existing is None or not existing.is_global:
        raise DynamoError("ResourceNotFoundException", f"Requested resource not found: Index: {name}")
    if action == "Delete":
        return [i for i in indexes if i.name != name], []
    throughput = request.get("ProvisionedThroughput") or {}
    if billing != "PROVISIONED":
        raise validation(
            "One or more parameter values were invalid: ProvisionedThroughput cannot be specified for "
            f"index: {name} when BillingMode is PAY_PER_REQUEST"
        )
    _, units = _billing("PROVISIONED", throughput, None)
    changed = IndexSchema(
        existing.name,
        True,
        existing.partition_key,
        existing.sort_key,
        existing.projection,
        existing.non_key,
        units,
    )
    return [changed if i.name == name else i for i in indexes], []


def _without_throughput(index: IndexSchema) -> IndexSchema:
    return IndexSchema(
        index.name, index.is_global, index.partition_key, index.sort_key, index.projection, index.non_key
    )


# -- tags -----------------------------------------------------------------------------------------
def _table_of(store: TableStore, arn: Any) -> TableSchema:
    """The table an ARN names; AWS answers an ARN of another region/account or table as not found."""
    match = _ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        raise validation(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    region, account, name = match.groups()
    names = store.table_names()
    if region != store.region or account != store.account or name not in names:
        raise DynamoError(
            "ResourceNotFoundException", f"Requested resource not found: ResourcArn: {arn} not found"
        )
    return store.schema(name)


def _checked_tags(tags: list[Mapping[str, Any]], current: Mapping[str, str]) -> dict[str, str]:
    result = dict(current)
    for tag in tags:
        key, value = tag.get("Key"), tag.get("Value")
        if not isinstance(key, str) or not 1 <= len(key) <= _MAX_TAG_KEY:
            raise validation(
                f"1 validation error detected: Value '{key}' at 'tags.member.key' failed to satisfy "
                f"constraint: Member must have length between 1 and {_MAX_TAG_KEY}"
            )
        if not isinstance(value, str) or len(value) > _MAX_TAG_VALUE:
            raise validation(
                f"1 validation error detected: Value '{value}' at 'tags.member.value' failed to satisfy "
                f"constraint: Member must have length less than or equal to {_MAX_TAG_VALUE}"
            )
        if not _TAG_TEXT.fullmatch(key) or not _TAG_TEXT.fullmatch(value):
            raise validation(
                "One or more parameter values were invalid: Tags may hold only letters, numbers, spaces "
                "and + - = . _ : / @"
            )
        if key.startswith("aws:"):
            raise validation(
                "One or more parameter values were invalid: The aws: prefix is reserved for tag keys"
            )
        result[key] = value
    if len(result) > _MAX_TAGS:
        raise DynamoError(
            "LimitExceededException",
            f"One or more parameter values were invalid: Too many tags: a table has at most {_MAX_TAGS}",
        )
    return result


def tag_resource(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    schema = _table_of(store, params.get("ResourceArn"))
    meta = dict(schema.meta or {})
    meta["tags"] = _checked_tags(list(params.get("Tags") or []), meta.get("tags") or {})
    store.set_meta(schema.name, meta)
    return {}


def untag_resource(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    schema = _table_of(store, params.get("ResourceArn"))
    meta = dict(schema.meta or {})
    gone = set(params.get("TagKeys") or [])
    meta["tags"] = {k: v for k, v in (meta.get("tags") or {}).items() if k not in gone}
    store.set_meta(schema.name, meta)
    return {}


def list_tags(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    schema = _table_of(store, params.get("ResourceArn"))
    tags = (schema.meta or {}).get("tags") or {}
    # all 50 fit one page: AWS pages at ten, but a NextToken-less answer is what its SDK paginators end on
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
