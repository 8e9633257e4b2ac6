"""Applying a parsed UpdateExpression to a typed item: SET, REMOVE, ADD and DELETE as DynamoDB does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._ast import Arithmetic, Call, Path, SetValue, Update, Value, check_distinct_paths
from ._errors import validation
from .values import AttributeValue, Item, add_numbers, equal, type_of

Values = Mapping[str, AttributeValue]

_FULL_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "M": "MAP",
    "L": "LIST",
    "SS": "SET",
    "NS": "SET",
    "BS": "SET",
}
_SETS = ("SS", "NS", "BS")
_WRONG_TYPE = "An operand in the update expression has an incorrect data type"
_BAD_PATH = "The document path provided in the update expression is invalid for update"


def action_paths(update: Update) -> list[Path]:
    """Every path the update writes, in written order."""
    return [
        *(p for p, _ in update.set),
        *update.remove,
        *(p for p, _ in update.add),
        *(p for p, _ in update.delete),
    ]


# Updates whose paths passed the checks below, keyed by identity: parsed trees are cached and
# shared, so a repeated expression is the same object. The entry holds the update itself, which
# keeps its id from being reused while the entry lives.
_PATHS_CHECKED: dict[tuple[int, tuple[str, ...]], Update] = {}
_PATHS_CHECKED_MAX = 512


def check_update(update: Update, values: Values, key_names: tuple[str, ...]) -> None:
    """DynamoDB's checks before it reads the item: overlapping paths, key attributes, literal types."""
    memo = (id(update), key_names)
    if _PATHS_CHECKED.get(memo) is not update:
        paths = action_paths(update)
        check_distinct_paths(paths, "UpdateExpression")
        for path in paths:
            if path.elements[0] in key_names:
                raise validation(
                    "One or more parameter values were invalid: Cannot update attribute "
                    f"{path.elements[0]}. This attribute is part of the key"
                )
        if len(_PATHS_CHECKED) >= _PATHS_CHECKED_MAX:
            _PATHS_CHECKED.clear()
        _PATHS_CHECKED[memo] = update
    for _, value in update.add:
        kind = type_of(values[value.name])
        if kind not in ("N", *_SETS):
            raise validation(
                "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                f"operator: ADD, operand type: {_FULL_TYPE_NAMES[kind]}"
            )
    for _, value in update.delete:
        kind = type_of(values[value.name])
        if kind not in _SETS:
            raise validation(
                "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                f"operator: DELETE, operand type: {_FULL_TYPE_NAMES[kind]}"
            )
    for _, node in update.set:
        _check_literals(node, values)


def _check_literals(node: SetValue, values: Values) -> None:
    def bad(function: str, value: AttributeValue) -> None:
        raise validation(
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            f"operator or function: {function}, operand type: {type_of(value)}"
        )

    if isinstance(node, Arithmetic):
        for side in (node.left, node.right):
            if isinstance(side, Value) and type_of(values[side.name]) != "N":
                bad(node.op, values[side.name])
            elif isinstance(side, Call):
                _check_literals(side, values)
    elif isinstance(node, Call):
        for arg in node.args:
            if node.name == "list_append" and isinstance(arg, Value) and type_of(values[arg.name]) != "L":
                bad("list_append", values[arg.name])
            elif isinstance(arg, Call):
                _check_literals(arg, values)


def _read(item: Item | None, path: Path) -> AttributeValue | None:
    """Like resolve(), except that indexing into an existing non-list is an invalid path."""
    current: Any = item
    for position, element in enumerate(path.elements):
        if current is None:
            return None
        if position == 0:
            current = current.get(element)
        elif isinstance(element, int):
            if "L" not in current:
                raise validation(_BAD_PATH)
            current = current["L"][element] if element < len(current["L"]) else None
        else:
            current = current["M"].get(element) if "M" in current else None
    found: AttributeValue | None = current
    return found


def _value(node: SetValue, item: Item | None, values: Values) -> AttributeValue:
    if isinstance(node, Value):
        return values[node.name]
    if isinstance(node, Path):
        found = _read(item, node)
        if found is None:
            raise validation("The provided expression refers to an attribute that does not exist in the item")
        return found
    if isinstance(node, Arithmetic):
        left, right = _value(node.left, item, values), _value(node.right, item, values)
        if type_of(left) != "N" or type_of(right) != "N":
            raise validation(_WRONG_TYPE)
        return {"N": add_numbers(left["N"], right["N"], subtract=node.op == "-")}
    if node.name == "if_not_exists":
        target = node.args[0]
        assert isinstance(target, Path)
        existing = _read(item, target)
        return existing if existing is not None else _value(node.args[1], item, values)
    first, second = _value(node.args[0], item, values), _value(node.args[1], item, values)
    if type_of(first) != "L" or type_of(second) != "L":
        raise validation(_WRONG_TYPE)
    return {"L": [*first["L"], *second["L"]]}


def _parent(item: dict[str, Any], path: Path) -> dict[str, Any] | list[Any] | None:
    """The container holding the last element of ``path``, copying containers on the way down.

    Copy-on-write keeps the old item intact for ReturnValues and for a failed condition.
    """
    container: dict[str, Any] | list[Any] = item
    elements = path.elements
    for element in elements[:-1]:
        if isinstance(element, int):
            if not isinstance(container, list) or element >= len(container):
                return None
            child = container[element]
        else:
            if not isinstance(container, dict) or element not in container:
                return None
            child = container[element]
        kind = type_of(child)
        if kind == "M":
            copied: dict[str, Any] = {"M": dict(child["M"])}
        elif kind == "L":
            copied = {"L": list(child["L"])}
        else:
            return None
        container[element] = copied  # type: ignore[index]
        container = copied[kind]
    last = elements[-1]
    if isinstance(last, int) != isinstance(container, list):
        return None
    return container


def _put(container: dict[str, Any] | list[Any], element: str | int, value: AttributeValue) -> None:
    if isinstance(container, list):
        assert isinstance(element, int)
        if element >= len(container):
            container.append(value)  # DynamoDB appends when the index is past the end
        else:
            container[element] = value
    else:
        container[element] = value  # type: ignore[index]


def _get(container: dict[str, Any] | list[Any], element: str | int) -> AttributeValue | None:
    if isinstance(container, list):
        assert isinstance(element, int)
        return container[element] if element < len(container) else None
    found: AttributeValue | None = container.get(element)  # type: ignore[arg-type]
    return found


def _order(path: Path) -> list[tuple[int, str | int]]:
    return [(1, e) if isinstance(e, int) else (0, e) for e in path.elements]


def _top_name(pair: tuple[Path, AttributeValue]) -> str | int:
    return pair[0].elements[0]


def apply_update(update: Update, old: Item | None, key: Item, values: Values) -> Item:
    """The item after ``update``; ``old`` is None when the item does not exist yet."""
    # Every operand is read from the item as it was; then the actions write. Index order makes
    # several appends past the end of one list land in index order, as DynamoDB's do.
    computed = [(path, _value(node, old, values)) for path, node in update.set]
    if all(len(path.elements) == 1 for path, _ in computed):
        computed.sort(key=_top_name)  # top-level names only: _order would compare just the names
    else:
        computed.sort(key=lambda pair: _order(pair[0]))
    new: dict[str, Any] = dict(old) if old is not None else dict(key)
    for path, value in computed:
        container = _parent(new, path)
        if container is None:
            raise validation(_BAD_PATH)
        _put(container, path.elements[-1], value)
    for path, ref in update.add:
        _add(new, path, values[ref.name])
    if old is None:
        return new  # DELETE and REMOVE find nothing in an item that does not exist, and are ignored
    for path, ref in update.delete:
        _delete(new, path, values[ref.name])
    # Remove list elements from the highest index down so each index means what it meant before.
    for path in sorted(update.remove, key=_order, reverse=True):
        container = _parent(new, path)
        if container is None:
            if len(path.elements) == 1:
                continue
            raise validation(_BAD_PATH)  # a nested path whose parent is missing is an error, not a no-op
        last = path.elements[-1]
        if isinstance(container, list):
            assert isinstance(last, int)
            if last < len(container):
                del container[last]
        else:
            container.pop(str(last), None)
    return new


def _add(new: dict[str, Any], path: Path, value: AttributeValue) -> None:
    container = _parent(new, path)
    if container is None:
        raise validation(_BAD_PATH)
    last = path.elements[-1]
    current = _get(container, last)
    kind = type_of(value)
    if current is None:
        _put(container, last, value)
        return
    if type_of(current) != kind:
        raise validation(_WRONG_TYPE)
    if kind == "N":
        _put(container, last, {"N": add_numbers(current["N"], value["N"])})
    else:
        merged = list(current[kind])
        merged.extend(m for m in value[kind] if m not in current[kind])
        _put(container, last, {kind: merged})


def _delete(new: dict[str, Any], path: Path, value: AttributeValue) -> None:
    container = _parent(new, path)
    if container is None:
        raise validation(_BAD_PATH)
    last = path.elements[-1]
    current = _get(container, last)
    if current is None:
        return
    kind = type_of(value)
    if type_of(current) != kind:
        raise validation(_WRONG_TYPE)
    remaining = [m for m in current[kind] if not any(equal({kind[0]: m}, {kind[0]: d}) for d in value[kind])]
    if remaining:
        _put(container, last, {kind: remaining})
    elif isinstance(container, list):
        assert isinstance(last, int)
        del container[last]
    else:
        del container[last]  # type: ignore[arg-type]
