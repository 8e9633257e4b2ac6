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


def prepare(params: Mapping[str, Any], allowed: tuple[str, ...]) -> Expressions:
    """Parse the expression fields in ``allowed`` that ``params`` has, with DynamoDB's checks and messages."""
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
