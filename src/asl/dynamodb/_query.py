"""Query (KeyConditionExpression) and Scan (FilterExpression), with Limit, Select and pagination."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._ast import And, Between, Compare, Condition, Function, In, Not, Or, Path, Value
from ._errors import validation
from ._evaluate import evaluate
from ._indexes import IndexSchema
from ._projection import project
from ._requests import Expressions, check_projection, prepare, table_name
from ._schema import TableSchema, encode_key_value
from .store import decode_item
from .values import Item, item_size, normalize_item, type_of

if TYPE_CHECKING:
    from .store import TableStore

_PAGE_BYTES = 1024 * 1024  # DynamoDB stops a page after 1 MB of items read
_BATCH = 256
_SELECT = ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT")


def _limit(params: Mapping[str, Any]) -> int | None:
    limit = params.get("Limit")
    if limit is None:
        return None
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise validation(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1"
        )
    return limit


def _select(params: Mapping[str, Any], has_projection: bool, index: IndexSchema | None = None) -> str:
    select = params.get("Select")
    if select is None:
        if has_projection:
            return "SPECIFIC_ATTRIBUTES"
        # AWS: ALL_ATTRIBUTES when reading a table, ALL_PROJECTED_ATTRIBUTES when reading an index
        return "ALL_ATTRIBUTES" if index is None else "ALL_PROJECTED_ATTRIBUTES"
    if select not in _SELECT:
        raise validation(
            f"1 validation error detected: Value '{select}' at 'select' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(_SELECT)}]"
        )
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    if select == "ALL_ATTRIBUTES" and index is not None and index.is_global and index.projection != "ALL":
        raise validation(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
            f"global secondary index {index.name} because its projection type is not ALL"
        )
    if select == "SPECIFIC_ATTRIBUTES" and not has_projection:
        raise validation(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES"
        )
    if select != "SPECIFIC_ATTRIBUTES" and has_projection:
        raise validation(f"Cannot specify the ProjectionExpression when choosing to get {select}")
    return str(select)


def _index(schema: TableSchema, params: Mapping[str, Any]) -> IndexSchema | None:
    """The index a Query or Scan names (IndexName), checked; None for the table itself."""
    name = params.get("IndexName")
    if name is None:
        return None
    index = schema.index(name) if isinstance(name, str) else None
    if index is None:
        raise validation(f"The table does not have the specified index: {name}")
    if index.is_global and params.get("ConsistentRead") is True:
        raise validation("Consistent reads are not supported on global secondary indexes")
    return index


def _start_key(schema: TableSchema, params: Mapping[str, Any]) -> tuple[bytes, bytes] | None:
    start = params.get("ExclusiveStartKey")
    if start is None:
        return None
    key = normalize_item(start, "ExclusiveStartKey")
    if set(key) != set(schema.key_names):
        raise validation(
            "The provided starting key is invalid: The provided key element does not match the schema"
        )
    return schema.encode(schema.check_key(key))


def _index_start(
    schema: TableSchema, index: IndexSchema, params: Mapping[str, Any]
) -> tuple[bytes, bytes, bytes, bytes] | None:
    """An index read's ExclusiveStartKey (table keys and index keys) as (ipk, isk, pk, sk)."""
    start = params.get("ExclusiveStartKey")
    if start is None:
        return None
    key = normalize_item(start, "ExclusiveStartKey")
    if set(key) != {*schema.key_names, *index.key_names}:
        raise validation(
            "The provided starting key is invalid: The provided key element does not match the schema"
        )
    pk, sk = schema.encode(schema.check_key({name: key[name] for name in schema.key_names}))
    entry = index.entry(key)
    assert entry is not None  # every index key is in the start key
    return entry[0], entry[1], pk, sk


def _page(
    key_names: tuple[str, ...],
    candidates: Iterator[tuple[bytes, bytes, Item]],
    params: Mapping[str, Any],
    filter_: Condition | None,
    projection: tuple[Path, ...] | None,
    values: Mapping[str, Any],
    index: IndexSchema | None = None,
) -> dict[str, Any]:
    limit = _limit(params)
    select = _select(params, projection is not None, index)
    items: list[Item] = []
    scanned = 0
    read_bytes = 0
    last: Item | None = None
    for _pk, _sk, item in candidates:
        scanned += 1
        read_bytes += item_size(item)
        if filter_ is None or evaluate(filter_, item, values):
            if select == "ALL_PROJECTED_ATTRIBUTES" and index is not None and not index.is_global:
                item = index.project(item, key_names)  # an LSI's item is whole until here
            items.append(project(item, projection) if projection is not None else item)
        if (limit is not None and scanned >= limit) or read_bytes >= _PAGE_BYTES:
            last = {name: item[name] for name in key_names}
            break
    response: dict[str, Any] = {"Count": len(items), "ScannedCount": scanned}
    if select != "COUNT":
        response = {"Items": items, **response}
    if last is not None:
        response["LastEvaluatedKey"] = last
    return response


def scan(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    """Scan: every item of the table in key order, filtered after reading."""
    schema = store.schema(table_name(params))
    index = _index(schema, params)
    expressions = prepare(params, ("FilterExpression", "ProjectionExpression"))
    if expressions.projection is not None:
        check_projection(expressions.projection)
    segment, total = params.get("Segment"), params.get("TotalSegments")
    if (segment is None) != (total is None):
        raise validation("The TotalSegments parameter and the Segment parameter must be given together")
    if total is not None and not (
        isinstance(total, int) and isinstance(segment, int) and 0 <= segment < total
    ):
        raise validation("The Segment parameter is zero-based and must be less than parameter TotalSegments")
    if index is not None:
        start = _index_start(schema, index, params)

        def from_index() -> Iterator[tuple[bytes, bytes, Item]]:
            for ipk, _isk, item in _index_rows(store, schema, index, None, start, True):
                if total is None or zlib.crc32(ipk) % total == segment:
                    yield ipk, _isk, item

        return _page(
            (*schema.key_names, *index.key_names),
            _through(schema, index, from_index()),
            params,
            expressions.filter,
            expressions.projection,
            expressions.values,
            index,
        )
    after = _start_key(schema, params)

    def candidates() -> Iterator[tuple[bytes, bytes, Item]]:
        cursor = after
        while True:
            rows = store.engine.scan(schema.name, cursor, _BATCH)
            for pk, sk, item in store.rows(rows):
                if total is None or zlib.crc32(pk) % total == segment:
                    yield pk, sk, item
            if len(rows) < _BATCH:
                return
            cursor = (rows[-1][0], rows[-1][1])

    return _page(
        schema.key_names, candidates(), params, expressions.filter, expressions.projection, expressions.values
    )


def query(store: TableStore, params: Mapping[str, Any]) -> dict[str, Any]:
    """Query: the items of one partition whose sort key matches, in sort-key order."""
    schema = store.schema(table_name(params))
    index = _index(schema, params)
    if params.get("KeyConditionExpression") is None:
        raise validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
        )
    expressions = prepare(params, ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"))
    if expressions.projection is not None:
        check_projection(expressions.projection)
    key_condition = expressions.key_condition
    assert key_condition is not None
    keys = schema if index is None else index.as_table(schema.name)
    partition_value = _check_key_condition(keys, key_condition, expressions.values)
    pk = encode_key_value(partition_value)
    forward = params.get("ScanIndexForward", True) is not False
    if index is not None:
        return _query_index(store, schema, index, pk, forward, params, expressions)
    start = _start_key(schema, params)
    if start is not None and start[0] != pk:
        raise validation(
            "The provided starting key is invalid: Exclusive Start Key must have same hash key as query"
        )
    values = expressions.values

    def candidates() -> Iterator[tuple[bytes, bytes, Item]]:
        cursor = start[1] if start is not None else None
        matched = False
        while True:
            if forward:
                rows = store.engine.partition(schema.name, pk, cursor, None, True, _BATCH)
            elif cursor is None:
                rows = store.engine.partition(schema.name, pk, None, None, False, _BATCH)
            else:
                rows = store.engine.partition_before(schema.name, pk, cursor, None, _BATCH)
            for row_pk, sk, item in store.rows(rows):
                if evaluate(key_condition, item, values):
                    matched = True
                    yield row_pk, sk, item
                elif matched:
                    return  # a key condition selects one contiguous run of sort keys
            if len(rows) < _BATCH:
                return
            cursor = rows[-1][1]

    return _page(schema.key_names, candidates(), params, expressions.filter, expressions.projection, values)


def _query_index(
    store: TableStore,
    schema: TableSchema,
    index: IndexSchema,
    ipk: bytes,
    forward: bool,
    params: Mapping[str, Any],
    expressions: Expressions,
) -> dict[str, Any]:
    """Query on a secondary index: one index partition in (index sort key, table key) order."""
    start = _index_start(schema, index, params)
    if start is not None and start[0] != ipk:
        raise validation(
            "The provided starting key is invalid: Exclusive Start Key must have same hash key as query"
        )
    key_condition = expressions.key_condition
    assert key_condition is not None
    values = expressions.values

    def candidates() -> Iterator[tuple[bytes, bytes, Item]]:
        matched = False
        for row_ipk, isk, item in _index_rows(store, schema, index, ipk, start, forward):
            if evaluate(key_condition, item, values):
                matched = True
                yield row_ipk, isk, item
            elif matched:
                return  # a key condition selects one contiguous run of index sort keys

    return _page(
        (*schema.key_names, *index.key_names),
        _through(schema, index, candidates()),
        params,
        expressions.filter,
        expressions.projection,
        values,
        index,
    )


def _index_rows(
    store: TableStore,
    schema: TableSchema,
    index: IndexSchema,
    ipk: bytes | None,
    start: tuple[bytes, bytes, bytes, bytes] | None,
    forward: bool,
) -> Iterator[tuple[bytes, bytes, Item]]:
    """The live items of an index (one partition, or all of it) in index order, after ``start``."""
    cursor: tuple[bytes, ...] | None = None
    if start is not None:
        cursor = start[1:] if ipk is not None else start
    while True:
        rows = store.engine.index_rows(schema.name, index.name, ipk, cursor, forward, _BATCH)
        for row_ipk, isk, _pk, _sk, text, expires in rows:
            if store.live(expires):
                yield row_ipk, isk, decode_item(text)
        if len(rows) < _BATCH:
            return
        last = rows[-1]
        cursor = last[1:4] if ipk is not None else last[:4]


def _through(
    schema: TableSchema, index: IndexSchema, rows: Iterator[tuple[bytes, bytes, Item]]
) -> Iterator[tuple[bytes, bytes, Item]]:
    """Items as a global index holds them (its projection); a local index reads the table's item.

    A read through a GSI sees, filters and returns only the projected attributes; an LSI fetches
    the rest of the item from the table when asked, so its items stay whole here and Select or a
    ProjectionExpression decide what comes back.
    """
    if not index.is_global or index.projection == "ALL":
        yield from rows
        return
    for ipk, isk, item in rows:
        yield ipk, isk, index.project(item, schema.key_names)


def _flatten(node: Condition) -> list[Condition]:
    if isinstance(node, And):
        return [*_flatten(node.left), *_flatten(node.right)]
    return [node]


def _check_key_condition(schema: TableSchema, node: Condition, values: Mapping[str, Any]) -> Any:
    """Check the KeyConditionExpression's shape; return the partition key value it selects."""
    parts = _flatten(node)
    by_name: dict[str, Condition] = {}
    for part in parts:
        if isinstance(part, Or | Not | In):
            word = {Or: "OR", Not: "NOT", In: "IN"}[type(part)]
            raise validation(f"Invalid operator used in KeyConditionExpression: {word}")
        if isinstance(part, Compare):
            if part.op == "<>":
                raise validation("Invalid operator used in KeyConditionExpression: <>")
            pair = (part.left, part.right) if isinstance(part.left, Path) else (part.right, part.left)
            path, value = pair
            if not isinstance(path, Path) or not isinstance(value, Value):
                raise validation(
                    "Invalid condition in KeyConditionExpression: Multiple attribute names used "
                    "in one condition"
                )
            operands: list[Any] = [value]
        elif isinstance(part, Between):
            path, operands = part.operand, [part.low, part.high]
        else:
            assert isinstance(part, Function)
            if part.name != "begins_with":
                raise validation(f"Invalid operator used in KeyConditionExpression: {part.name}")
            path, operands = part.args[0], [part.args[1]]
        if isinstance(path, Path) and len(path.elements) != 1:
            raise validation(
                "Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on nested "
                f"attributes; path: {path}"
            )
        if not isinstance(path, Path) or not all(isinstance(o, Value) for o in operands):
            raise validation("Query key condition not supported")
        name = path.elements[0]
        assert isinstance(name, str)
        if name not in schema.key_names:
            missing = [n for n in schema.key_names if n not in by_name]
            raise validation(f"Query condition missed key schema element: {missing[-1] if missing else name}")
        if name in by_name:
            raise validation("KeyConditionExpressions must only contain one condition per key")
        expected = schema.partition_key[1] if name == schema.partition_key[0] else schema.sort_key[1]  # type: ignore[index]
        if isinstance(part, Function) and expected == "N":
            raise validation(
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                "operator or function: begins_with, operand type: N"
            )
        for o in operands:
            if type_of(values[o.name]) != expected:
                raise validation(
                    "One or more parameter values were invalid: Condition parameter type does "
                    "not match schema type"
                )
        by_name[name] = part
    partition = by_name.get(schema.partition_key[0])
    if partition is None:
        raise validation(f"Query condition missed key schema element: {schema.partition_key[0]}")
    if not isinstance(partition, Compare) or partition.op != "=":
        raise validation("Query key condition not supported")
    value = partition.right if isinstance(partition.right, Value) else partition.left
    assert isinstance(value, Value)
    return values[value.name]
