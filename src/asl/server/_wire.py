"""The AWS JSON 1.0 wire: requests decoded and answers encoded along botocore's service model.

A request body is checked against the operation's input shape (JSON types, base64 blobs,
required members) and unknown members are dropped, as the services ignore them. An answer
keeps only the members the output shape names; datetimes go out as epoch seconds and
bytes as base64, which is what botocore parses back.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

__all__ = ["AWSError", "decode", "encode", "error_body", "service_model"]

CORAL = "com.amazon.coral.service"

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "timestamp": (int, float),
    "blob": (str,),
}

_TYPE_WORDS = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


class AWSError(Exception):
    """An error answered in AWS's JSON shape: ``{"__type": "<namespace>#<code>", "message": ...}``."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        namespace: str = CORAL,
        status: int = 400,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.namespace = namespace
        self.status = status
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        return {"__type": f"{self.namespace}#{self.code}", "message": self.message, **self.extra}


@functools.cache
def service_model(name: str) -> ServiceModel:
    """botocore's model of a service (``"stepfunctions"``, ``"dynamodb"``), loaded once."""
    import botocore.session

    return botocore.session.get_session().get_service_model(name)


def _serialization(message: str) -> AWSError:
    return AWSError("SerializationException", message)


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return _TYPE_WORDS.get(type(value), type(value).__name__)


def decode(operation: OperationModel, body: Any) -> dict[str, Any]:
    """The request's parameters, checked against the input shape (blobs become bytes)."""
    shape = operation.input_shape
    if not isinstance(body, dict):
        raise _serialization(f"The request body must be a JSON object, got {_word(body)}")
    if shape is None:
        return {}
    params: dict[str, Any] = _decode(shape, body, "")
    missing = [name for name in shape.required_members if params.get(name) is None]
    if missing:
        count = len(missing)
        detail = "; ".join(
            f"Value null at '{_field(name)}' failed to satisfy constraint: Member must not be null"
            for name in missing
        )
        raise AWSError(
            "ValidationException",
            f"{count} validation error{'s' if count > 1 else ''} detected: {detail}",
            namespace="com.amazon.coral.validate",
        )
    return params


def _field(name: str) -> str:
    # AWS names fields in validation messages in lower camel case (TableName -> tableName)
    return name[:1].lower() + name[1:]


def _decode(shape: Shape, value: Any, where: str) -> Any:
    kind = shape.type_name
    allowed = _JSON_TYPES.get(kind)
    if allowed is not None and (
        not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed)
    ):
        expected = {"integer": "an integer", "long": "an integer"}.get(kind) or (
            "a number" if kind in ("float", "double", "timestamp") else _TYPE_WORDS[allowed[0]]
        )
        if kind == "blob":
            expected = "base64 text"
        raise _serialization(f"Expected {expected} at '{where or '/'}', got {_word(value)}")
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        return {
            name: _decode(members[name], item, f"{where}.{name}" if where else name)
            for name, item in value.items()
            if name in members and item is not None
        }
    if kind == "list":
        member = shape.member  # type: ignore[attr-defined]
        return [_decode(member, item, f"{where}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        inner = shape.value  # type: ignore[attr-defined]
        return {key: _decode(inner, item, f"{where}.{key}") for key, item in value.items()}
    if kind == "blob":
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _serialization(f"Expected base64 text at '{where}', got {value[:40]!r}") from None
    if kind == "timestamp":
        return datetime.fromtimestamp(value, UTC)
    return value


def encode(operation: OperationModel, answer: Mapping[str, Any]) -> dict[str, Any]:
    """The answer as the service sends it: only modelled members, epoch seconds, base64 blobs."""
    shape = operation.output_shape
    if shape is None:
        return {}
    result: dict[str, Any] = _encode(shape, answer)
    return result


def _encode(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        return {
            name: _encode(members[name], item)
            for name, item in value.items()
            if item is not None and name in members
        }
    if kind == "list":
        member = shape.member  # type: ignore[attr-defined]
        return [_encode(member, item) for item in value]
    if kind == "map":
        inner = shape.value  # type: ignore[attr-defined]
        return {key: _encode(inner, item) for key, item in value.items()}
    if kind == "timestamp":
        return _epoch(value)
    if kind == "blob" and isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def _epoch(value: Any) -> Any:
    """Epoch seconds with milliseconds, as the services send them (stores keep ISO text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return round(value.timestamp(), 3)
    return value


def error_body(model: ServiceModel, error: AWSError) -> dict[str, Any]:
    """The error's JSON body; extra members (DynamoDB's old ``Item``) encoded along its shape."""
    body = error.body()
    if error.extra and error.code in model.shape_names:
        shape = model.shape_for(error.code)
        body.update(_encode(shape, error.extra))
    return body
