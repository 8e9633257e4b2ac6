"""Checking a request's expression fields the way DynamoDB does, before any item is read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._ast import Condition, Path, Update, check_distinct_paths
from ._errors import validation
from ._evaluate import check_condition
from ._parser import parse
from .values import AttributeValue, normalize_value

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")
_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")
_RETURN_VALUES = ("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")


@dataclass
class Expressions:
    """The parsed expressions of one request and its attribute values."""

    values: dict[str, AttributeValue] = field(default_factory=dict)
    condition: Condition | None = None
    update: Update | None = None
    projection: tuple[Path, ...] | None = None
    filter: Condition | None = None
    key_condition: Condition | None = None


_FIELDS = {
    "ConditionExpression": "condition",
    "UpdateExpression": "update",
    "ProjectionExpression": "projection",
    "FilterExpression": "filter",
    "KeyConditionExpression": "key_condition",
}


# Requests whose expressions passed every check that does not depend on the values' contents:
# (allowed, expression texts, names, value placeholders) -> the parsed trees by Expressions field.
# A workflow sends the same few expressions again and again; only successes are kept.
_Shape = tuple[
    tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...] | None, tuple[str, ...] | None
]
_CHECKED: dict[_Shape, tuple[Any, ...]] = {}
_CHECKED_MAX = 512


def _shape(params: Mapping[str, Any], allowed: tuple[str, ...]) -> _Shape | None:
    """The cache key of a request's expressions, or None when some part is not plainly hashable."""
    texts = []
    for kind in allowed:
        text = params.get(kind)
        if text is not None:
            if type(text) is not str:
                return None
            texts.append((kind, text))
    names = params.get("ExpressionAttributeNames")
    if names is not None:
        if type(names) is not dict or not all(type(v) is str for v in names.values()):
            return None
        names = tuple(names.items())
    raw_values = params.get("ExpressionAttributeValues")
    if raw_values is not None and type(raw_values) is not dict:
        return None
    return allowed, tuple(texts), names, tuple(raw_values) if raw_values is not None else None


def prepare(params: Mapping[str, Any], allowed: tuple[str, ...]) -> Expressions:
    """Parse the expression fields in ``allowed`` that ``params`` has, with DynamoDB's checks and messages."""
    shape = _shape(params, allowed)
    trees = _CHECKED.get(shape) if shape is not None else None
    if trees is None:
        result = _prepare(params, allowed)
        if shape is not None:
            if len(_CHECKED) >= _CHECKED_MAX:
                _CHECKED.clear()
            _CHECKED[shape] = tuple(getattr(result, name) for name in _FIELDS.values())
        return result
    # Same shape as a request that passed: the placeholders, names and syntax are known good, so
    # only the checks that look at the values themselves run, in the order _prepare runs them.
    raw_values = params.get("ExpressionAttributeValues")
    values = {key: normalize_value(value) for key, value in raw_values.items()} if raw_values else {}
    result = Expressions(values, *trees)  # _FIELDS lists the trees in Expressions' field order
    for tree, kind in (
        (result.condition, "ConditionExpression"),
        (result.filter, "FilterExpression"),
        (result.key_condition, "KeyConditionExpression"),
    ):
        if tree is not None:
            check_condition(tree, values, kind)
    return result


def _prepare(params: Mapping[str, Any], allowed: tuple[str, ...]) -> Expressions:
    names = params.get("ExpressionAttributeNames")
    raw_values = params.get("ExpressionAttributeValues")
    present = [kind for kind in allowed if params.get(kind) is not None]
    if names is not None:
        if not isinstance(names, dict) or not names:
            raise validation("ExpressionAttributeNames must not be empty")
        for key in names:
            if not isinstance(key, str) or not _NAME_KEY.fullmatch(key):
                raise validation(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
        if not present:
            raise validation("ExpressionAttributeNames can only be specified when using expressions")
    values: dict[str, AttributeValue] = {}
    if raw_values is not None:
        if not isinstance(raw_values, dict) or not raw_values:
            raise validation("ExpressionAttributeValues must not be empty")
        for key, value in raw_values.items():
            if not isinstance(key, str) or not _VALUE_KEY.fullmatch(key):
                raise validation(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                )
            values[key] = normalize_value(value)
        if not [k for k in present if k != "ProjectionExpression"]:
            missing = [k for k in allowed if k != "ProjectionExpression"]
            raise validation(
                "ExpressionAttributeValues can only be specified when using expressions: "
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} null"
            )
    result = Expressions(values=values)
    used_names: set[str] = set()
    used_values: set[str] = set()
    for kind in present:
        parsed = parse(kind, params[kind], names)
        for ref in parsed.values_used:
            if ref not in values:
                raise validation(
                    f"Invalid {kind}: An expression attribute value used in expression is not defined; "
                    f"attribute value: {ref}"
                )
        used_names.update(parsed.names_used)
        used_values.update(parsed.values_used)
        setattr(result, _FIELDS[kind], parsed.tree)
    if names:
        unused = sorted(set(names) - used_names)
        if unused:
            raise validation(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                f"{{{', '.join(unused)}}}"
            )
    unused = sorted(set(values) - used_values)
    if unused:
        raise validation(
            "Value provided in ExpressionAttributeValues unused in expressions: keys: "
            f"{{{', '.join(unused)}}}"
        )
    for kind in ("ConditionExpression", "FilterExpression", "KeyConditionExpression"):
        tree = getattr(result, _FIELDS[kind])
        if tree is not None:
            check_condition(tree, values, kind)
    return result


def return_values(params: Mapping[str, Any], allowed: tuple[str, ...]) -> str:
    """The ReturnValues field, checked against DynamoDB's enum and what this operation allows."""
    value = params.get("ReturnValues", "NONE")
    if value not in _RETURN_VALUES:
        raise validation(
            f"1 validation error detected: Value '{value}' at 'returnValues' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(_RETURN_VALUES)}]"
        )
    if value not in allowed:
        raise validation(f"ReturnValues can only be {' or '.join(allowed)}")
    return str(value)


def on_condition_failure(params: Mapping[str, Any]) -> bool:
    """Whether the old item goes with a ConditionalCheckFailedException."""
    value = params.get("ReturnValuesOnConditionCheckFailure", "NONE")
    if value not in ("ALL_OLD", "NONE"):
        raise validation(
            f"1 validation error detected: Value '{value}' at "
            "'returnValuesOnConditionCheckFailure' failed to "
            "satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"
        )
    return bool(value == "ALL_OLD")


def table_name(params: Mapping[str, Any]) -> str:
    """The TableName field, which every item operation needs."""
    name = params.get("TableName")
    if not isinstance(name, str) or not name:
        raise validation(
            "1 validation error detected: Value null at 'tableName' failed to satisfy "
            "constraint: Member must not be null"
        )
    check_table_name(name)
    return name


def check_table_name(name: str) -> None:
    """DynamoDB's rule for table names: 3 to 255 of letters, digits, ``_``, ``-`` and ``.``."""
    if not _TABLE_NAME.fullmatch(name):
        raise validation(
            f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )
    if not 3 <= len(name) <= 255:
        bound = "greater than or equal to 3" if len(name) < 3 else "less than or equal to 255"
        raise validation(
            f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: "
            f"Member must have length {bound}"
        )


def check_projection(paths: tuple[Path, ...]) -> None:
    """DynamoDB rejects projections whose paths overlap or conflict."""
    check_distinct_paths(list(paths), "ProjectionExpression")
