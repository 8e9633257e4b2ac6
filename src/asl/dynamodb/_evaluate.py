"""Evaluating condition expressions and projections against typed items, as DynamoDB does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._ast import And, Between, Compare, Condition, Function, In, Not, Operand, Or, Path, Size, Value
from ._errors import validation
from .values import TYPES, AttributeValue, Item, compare_key, equal, type_of

Values = Mapping[str, AttributeValue]

_ORDERED = {"<", "<=", ">", ">="}


def resolve(item: Mapping[str, AttributeValue] | None, path: Path) -> AttributeValue | None:
    """The value at ``path`` in ``item``, or None when any step is missing or of the wrong type."""
    if item is None:
        return None
    elements = path.elements
    first = elements[0]
    assert isinstance(first, str)
    current = item.get(first)
    for element in elements[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            seq = current.get("L")
            current = seq[element] if seq is not None and element < len(seq) else None
        else:
            mapping = current.get("M")
            current = mapping.get(element) if mapping is not None else None
    return current


def _size_of(value: AttributeValue | None) -> AttributeValue | None:
    if value is None:
        return None
    kind = type_of(value)
    if kind in ("N", "BOOL", "NULL"):
        return None  # size() of a number, boolean or null is undefined: the comparison is false
    return {"N": str(len(value[kind]))}  # characters, bytes, or elements


def operand(node: Operand, item: Item | None, values: Values) -> AttributeValue | None:
    """The typed value of an operand, or None when it refers to something absent."""
    if isinstance(node, Value):
        return values[node.name]
    if isinstance(node, Size):
        return _size_of(resolve(item, node.path))
    return resolve(item, node)


def _ordered(op: str, left: AttributeValue, right: AttributeValue) -> bool:
    a, b = compare_key(left), compare_key(right)
    if a is None or b is None or a[0] != b[0]:
        return False
    if op == "<":
        return bool(a[1] < b[1])
    if op == "<=":
        return bool(a[1] <= b[1])
    if op == ">":
        return bool(a[1] > b[1])
    return bool(a[1] >= b[1])


def _function(node: Function, item: Item | None, values: Values) -> bool:
    name = node.name
    if name in ("attribute_exists", "attribute_not_exists"):
        found = operand(node.args[0], item, values) is not None
        return found if name == "attribute_exists" else not found
    target = operand(node.args[0], item, values)
    argument = operand(node.args[1], item, values)
    if target is None or argument is None:
        return False
    kind, akind = type_of(target), type_of(argument)
    if name == "attribute_type":
        return argument.get("S") == kind
    if name == "begins_with":
        return kind in ("S", "B") and akind == kind and bool(target[kind].startswith(argument[kind]))
    # contains: a substring of a string or binary, or a member of a set or list
    if kind in ("S", "B"):
        return akind == kind and argument[akind] in target[kind]
    if kind in ("SS", "NS", "BS"):
        return akind == kind[0] and argument[akind] in target[kind]
    if kind == "L":
        return any(equal(member, argument) for member in target["L"])
    return False


def evaluate(node: Condition, item: Item | None, values: Values) -> bool:
    """Whether the condition holds for ``item`` (None for an item that does not exist)."""
    if isinstance(node, Compare):
        left = operand(node.left, item, values)
        right = operand(node.right, item, values)
        if node.op == "=":
            return left is not None and right is not None and equal(left, right)
        if node.op == "<>":
            return not (left is not None and right is not None and equal(left, right))
        return left is not None and right is not None and _ordered(node.op, left, right)
    if isinstance(node, And):
        return evaluate(node.left, item, values) and evaluate(node.right, item, values)
    if isinstance(node, Or):
        return evaluate(node.left, item, values) or evaluate(node.right, item, values)
    if isinstance(node, Not):
        return not evaluate(node.operand, item, values)
    if isinstance(node, Between):
        subject = operand(node.operand, item, values)
        low = operand(node.low, item, values)
        high = operand(node.high, item, values)
        if subject is None or low is None or high is None:
            return False
        return _ordered(">=", subject, low) and _ordered("<=", subject, high)
    if isinstance(node, In):
        subject = operand(node.operand, item, values)
        if subject is None:
            return False
        return any(
            (c := operand(choice, item, values)) is not None and equal(subject, c) for choice in node.choices
        )
    return _function(node, item, values)


def check_condition(node: Condition, values: Values, kind: str) -> None:
    """The checks DynamoDB makes on literal operands before reading any item."""

    def bad_operand(function: str, value: AttributeValue) -> None:
        raise validation(
            f"Invalid {kind}: Incorrect operand type for operator or function; "
            f"operator or function: {function}, operand type: {type_of(value)}"
        )

    if isinstance(node, And | Or):
        check_condition(node.left, values, kind)
        check_condition(node.right, values, kind)
    elif isinstance(node, Not):
        check_condition(node.operand, values, kind)
    elif isinstance(node, Compare) and node.op in _ORDERED:
        # Only numbers, strings and binaries order; a literal of another type is an error, while an
        # attribute of another type only makes the comparison false.
        for side in (node.left, node.right):
            if isinstance(side, Value) and compare_key(values[side.name]) is None:
                bad_operand(node.op, values[side.name])
    elif isinstance(node, Between):
        for side in (node.operand, node.low, node.high):
            if isinstance(side, Value) and compare_key(values[side.name]) is None:
                bad_operand("BETWEEN", values[side.name])
        if not (isinstance(node.low, Value) and isinstance(node.high, Value)):
            return
        low, high = values[node.low.name], values[node.high.name]
        bounds = (
            f"lower bound operand: AttributeValue: {_show(low)}, "
            f"upper bound operand: AttributeValue: {_show(high)}"
        )
        if type_of(low) != type_of(high):
            raise validation(
                f"Invalid {kind}: The BETWEEN operator requires same data type for lower and upper "
                f"bounds; {bounds}"
            )
        if _ordered(">", low, high):
            raise validation(
                f"Invalid {kind}: The BETWEEN operator requires upper bound to be greater than or equal to "
                f"lower bound; {bounds}"
            )
    elif isinstance(node, Function):
        _check_function(node, values, kind, bad_operand)


def _check_function(node: Function, values: Values, kind: str, bad_operand: Any) -> None:
    if node.name == "begins_with":
        for arg in node.args:
            if isinstance(arg, Value) and type_of(values[arg.name]) not in ("S", "B"):
                bad_operand(node.name, values[arg.name])
        return
    if len(node.args) < 2 or not isinstance(node.args[1], Value):
        return
    argument = values[node.args[1].name]
    if node.name == "attribute_type":
        wanted = argument.get("S")
        if wanted is None:
            bad_operand(node.name, argument)
        if wanted not in TYPES:
            raise validation(
                f"Invalid {kind}: Invalid attribute type name found; type: {wanted}, "
                "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"
            )


def _show(value: AttributeValue) -> str:
    kind = type_of(value)
    return f"{{{kind}:{value[kind]}}}"
