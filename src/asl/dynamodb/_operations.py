"""PutItem, GetItem, UpdateItem, DeleteItem and BatchWriteItem on typed values, as DynamoDB does them.

Each function takes the low-level request (``TableName``, ``Key``, ``Item`` ... with typed
values) and returns the low-level response without ``ResponseMetadata``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import conditional_failed, validation
from ._evaluate import evaluate
from ._projection import project
from ._requests import check_projection, on_condition_failure, prepare, return_values, table_name
from ._update import action_paths, apply_update, check_update
from .store import TableStore, encode_item
from .values import Item, item_size, normalize_item

_MAX_ITEM_SIZE = 400 * 1024


def put_item(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    """PutItem: write a whole item, optionally only if a condition holds."""
    schema = store.schema(table_name(params))
    returns = return_values(params, ("NONE", "ALL_OLD"))
    want_old = on_condition_failure(params)
    item = normalize_item(params.get("Item"), "Item")
    key = schema.key_from_item(item)
    text = encode_item(item)
    if _too_big(item, text):
        raise validation("Item size has exceeded the maximum allowed size")
    expressions = prepare(params, ("ConditionExpression",))
    pk, sk = schema.encode(key)
    if expressions.condition is None and returns == "NONE":
        # Nothing reads the old item: the single INSERT OR REPLACE is atomic on its own (SQLite
        # commits it as one transaction, or it joins the caller's), so no read-modify-write.
        store.save(schema, pk, sk, item, text)
        return {}
    with store.transaction():
        old = store.load(schema, pk, sk)
        if expressions.condition is not None and not evaluate(expressions.condition, old, expressions.values):
            raise conditional_failed(old if want_old else None)
        store.save(schema, pk, sk, item, text)
    return {"Attributes": old} if returns == "ALL_OLD" and old is not None else {}


def _too_big(item: Item, text: str) -> bool:
    """Whether the item is over DynamoDB's 400 KB, counted as DynamoDB counts it.

    Every part DynamoDB counts (names, string bytes, number digits, binary bytes) appears in the
    stored JSON at least as large, and no character takes more than 4 UTF-8 bytes; so a text of
    up to a quarter of the limit cannot be too big, and the item walk is needed only above that.
    """
    return len(text) * 4 > _MAX_ITEM_SIZE and item_size(item) > _MAX_ITEM_SIZE


def get_item(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    """GetItem: read one item by its key, optionally projected."""
    schema = store.schema(table_name(params))
    key = schema.check_key(normalize_item(params.get("Key"), "Key"))
    expressions = prepare(params, ("ProjectionExpression",))
    if expressions.projection is not None:
        check_projection(expressions.projection)
    pk, sk = schema.encode(key)
    item = store.load(schema, pk, sk)
    if item is None:
        return {}
    if expressions.projection is not None:
        item = project(item, expressions.projection)
    return {"Item": item}


def delete_item(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    """DeleteItem: remove one item, optionally only if a condition holds."""
    schema = store.schema(table_name(params))
    returns = return_values(params, ("NONE", "ALL_OLD"))
    want_old = on_condition_failure(params)
    key = schema.check_key(normalize_item(params.get("Key"), "Key"))
    expressions = prepare(params, ("ConditionExpression",))
    pk, sk = schema.encode(key)
    with store.transaction():
        old = store.load(schema, pk, sk)
        if expressions.condition is not None and not evaluate(expressions.condition, old, expressions.values):
            raise conditional_failed(old if want_old else None)
        if old is not None:
            store.remove(schema, pk, sk)
    return {"Attributes": old} if returns == "ALL_OLD" and old is not None else {}


def update_item(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    """UpdateItem: change (or create) one item with an UpdateExpression, atomically."""
    schema = store.schema(table_name(params))
    returns = return_values(params, ("NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"))
    want_old = on_condition_failure(params)
    key = schema.check_key(normalize_item(params.get("Key"), "Key"))
    expressions = prepare(params, ("UpdateExpression", "ConditionExpression"))
    update = expressions.update
    if update is not None:
        check_update(update, expressions.values, schema.key_names)
    pk, sk = schema.encode(key)
    with store.transaction():
        old = store.load(schema, pk, sk)
        if expressions.condition is not None and not evaluate(expressions.condition, old, expressions.values):
            raise conditional_failed(old if want_old else None)
        if update is None:
            new: Item = old if old is not None else dict(key)
        else:
            new = apply_update(update, old, key, expressions.values)
        text = encode_item(new)
        if _too_big(new, text):
            raise validation("Item size to update has exceeded the maximum allowed size")
        if old is None and update is not None and not update.set and not update.add:
            return {}  # only REMOVE/DELETE on a missing item: DynamoDB creates nothing
        store.save(schema, pk, sk, new, text)
    return _update_response(returns, old, new, update)


def _update_response(returns: str, old: Item | None, new: Item, update: Any) -> dict[str, Any]:
    if returns == "NONE":
        return {}
    if returns == "ALL_OLD":
        return {"Attributes": old} if old else {}
    if returns == "ALL_NEW":
        return {"Attributes": new}
    source = old if returns == "UPDATED_OLD" else new
    if source is None or update is None:
        return {}
    attributes = project(source, tuple(action_paths(update)))
    return {"Attributes": attributes} if attributes else {}


def batch_write_item(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    """BatchWriteItem: up to 25 puts and deletes, each applied on its own (no conditions)."""
    requests = params.get("RequestItems")
    if not isinstance(requests, dict) or not requests:
        raise validation(
            "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint"
        )
    total = sum(len(v) for v in requests.values() if isinstance(v, list))
    if total > 25:
        raise validation(
            f"1 validation error detected: Value at 'requestItems' failed to satisfy constraint: "
            "Map value must satisfy constraint: [Member must have length less than or equal to "
            f"25], got {total}"
        )
    planned: list[tuple[str, str, dict[str, Any]]] = []
    for name, writes in requests.items():
        schema = store.schema(name)
        seen: set[tuple[bytes, bytes]] = set()
        for write in writes:
            if "PutRequest" in write:
                item = normalize_item(write["PutRequest"].get("Item"), "Item")
                encoded = schema.encode(schema.key_from_item(item))
                planned.append(("put", name, {"TableName": name, "Item": item}))
            else:
                key = schema.check_key(normalize_item(write.get("DeleteRequest", {}).get("Key"), "Key"))
                encoded = schema.encode(key)
                planned.append(("delete", name, {"TableName": name, "Key": key}))
            if encoded in seen:
                raise validation("Provided list of item keys contains duplicates")
            seen.add(encoded)
    with store.transaction():
        for action, _name, request in planned:
            (put_item if action == "put" else delete_item)(store, request)
    return {"UnprocessedItems": {}}
