"""Parameter-name checks as boto3 makes them before sending, from botocore's own DynamoDB model."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ParamValidationError

from ._errors import validation

# Pre-expression parameters DynamoDB still accepts; the local store supports only expressions.
_LEGACY = {
    "AttributesToGet": "ProjectionExpression",
    "Expected": "ConditionExpression",
    "ConditionalOperator": "ConditionExpression",
    "AttributeUpdates": "UpdateExpression",
    "KeyConditions": "KeyConditionExpression",
    "QueryFilter": "FilterExpression",
    "ScanFilter": "FilterExpression",
}


@functools.cache
def _shape(operation: str) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("dynamodb").operation_model(operation)
    shape = model.input_shape
    assert shape is not None  # every DynamoDB operation has an input
    members = tuple(shape.members)
    return members, tuple(shape.required_members), frozenset(members)


def request_fields(operation: str) -> tuple[str, ...]:
    """The parameter names DynamoDB's ``operation`` accepts (``GetItem`` ...)."""
    return _shape(operation)[0]


def check_params(operation: str, params: Mapping[str, Any]) -> None:
    """Raise botocore's ``ParamValidationError`` for unknown or missing parameters, as boto3 does."""
    members, required, known = _shape(operation)
    if known.issuperset(params) and all(name in params for name in required):
        return
    problems = [
        f'Unknown parameter in input: "{name}", must be one of: {", ".join(members)}'
        for name in params
        if name not in known
    ]
    problems += [f'Missing required parameter in input: "{name}"' for name in required if name not in params]
    raise ParamValidationError(report="\n".join(problems))


def check_legacy(params: Mapping[str, Any]) -> None:
    """Refuse the pre-expression parameters with a ValidationException naming the replacement."""
    for name, replacement in _LEGACY.items():
        if name in params:
            raise validation(
                f"{name} is a legacy parameter the local table store does not support; use {replacement}"
            )
