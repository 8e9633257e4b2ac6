"""DynamoDB AttributeValues: the typed wire form, exact numbers, and boto3's plain-Python form.

The typed form is what the low-level API speaks: ``{"S": "x"}``, ``{"N": "1.5"}``,
``{"M": {...}}``. Numbers stay strings on the wire and become :class:`~decimal.Decimal`
for arithmetic, so nothing is lost to binary floating point.

>>> to_plain({"M": {"n": {"N": "1.50"}, "tags": {"SS": ["a"]}}})
{'n': Decimal('1.50'), 'tags': {'a'}}
>>> to_typed({"n": 2})
{'M': {'n': {'N': '2'}}}
"""

from __future__ import annotations

import base64
import decimal
import functools
import re
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer

from ._errors import DynamoError, validation

__all__ = [
    "TYPES",
    "AttributeValue",
    "Item",
    "canonical_number",
    "compare_key",
    "equal",
    "from_storage",
    "item_size",
    "normalize_item",
    "normalize_value",
    "to_plain",
    "to_storage",
    "to_typed",
    "type_of",
]

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TYPES = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")
_SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}

# DynamoDB keeps 38 significant digits and magnitudes between 1E-130 and 1E+126; sums are
# computed exactly (a wide context holds any two such numbers) and then checked.
_EXACT = decimal.Context(prec=400)
_MAX_DIGITS = 38
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

_INT_LIMIT = 10**_MAX_DIGITS  # ints below this in size serialize exactly, with no exponent
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def type_of(value: AttributeValue) -> str:
    """The type descriptor of a typed value (``"S"``, ``"N"``, ``"M"`` ...)."""
    return next(iter(value))


def canonical_number(text: Any) -> str:
    """DynamoDB's canonical text for a number: no exponent, no trailing zeros.

    >>> canonical_number("1.50E+2")
    '150'
    """
    if not isinstance(text, str):
        raise _serialization(text)
    if len(text) <= _CACHED_NUMBER_LENGTH:
        return _canonical_cached(text)
    return _canonical(text)


def _canonical(text: str) -> str:
    # DynamoDB's number syntax: no spaces, NaN, Infinity or underscores, which Decimal() would take.
    if not _NUMBER.fullmatch(text):
        raise validation(f"The parameter cannot be converted to a numeric value: {text}")
    return _format(Decimal(text))


# Requests repeat the same few short numbers (progress, counters, epoch seconds); a failure is
# not cached, so each bad number still raises its own error.
_canonical_cached = functools.lru_cache(maxsize=4096)(_canonical)
_CACHED_NUMBER_LENGTH = 40  # longer texts are rare and would make the cache's memory unbounded


def _serialization(value: Any) -> DynamoError:
    # What DynamoDB answers when JSON gives a number or boolean where the protocol wants a string.
    if isinstance(value, bool):
        return DynamoError(
            "SerializationException", f"{str(value).upper()}_VALUE cannot be converted to String"
        )
    if isinstance(value, int | float | Decimal):
        return DynamoError("SerializationException", "NUMBER_VALUE cannot be converted to String")
    return DynamoError("SerializationException", f"Unexpected value type in payload: {type(value).__name__}")


def _format(number: Decimal) -> str:
    if number.is_zero():
        return "0"
    digits = number.normalize(_EXACT)
    _sign, mantissa, exponent = digits.as_tuple()
    assert isinstance(exponent, int)
    if len(mantissa) > _MAX_DIGITS:
        raise validation("Attempting to store more than 38 significant digits in a Number")
    magnitude = exponent + len(mantissa) - 1
    if magnitude > 125:
        raise validation(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if magnitude < -130:
        raise validation(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    return format(digits, "f")


def add_numbers(left: str, right: str, subtract: bool = False) -> str:
    """Exact sum (or difference) of two canonical numbers, as DynamoDB computes it.

    A result that needs more than 38 digits is refused (DynamoDB reports it as an overflow).
    """
    a, b = Decimal(left), Decimal(right)
    result = _EXACT.subtract(a, b) if subtract else _EXACT.add(a, b)
    if not result.is_zero() and len(result.normalize(_EXACT).as_tuple().digits) > _MAX_DIGITS:
        raise validation(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    return _format(result)


def _fail_shape(value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    raise validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes"
    )


#: DynamoDB: lists and maps nest at most 32 levels deep
MAX_NESTING = 32


def normalize_value(value: Any, depth: int = 0) -> AttributeValue:
    """Check a typed value and return it with numbers canonical and binaries as bytes."""
    if depth > MAX_NESTING:
        raise validation("Nesting Levels have exceeded supported limits")
    if not isinstance(value, dict) or len(value) != 1:
        _fail_shape(value)
    ((kind, inner),) = value.items()
    if kind == "S":
        if not isinstance(inner, str):
            raise _serialization(inner)
        return {"S": inner}
    if kind == "N":
        return {"N": canonical_number(inner)}
    if kind == "B":
        return {"B": _as_bytes(inner)}
    if kind == "BOOL":
        if not isinstance(inner, bool):
            raise validation("Invalid type for parameter BOOL: expected a boolean")
        return {"BOOL": inner}
    if kind == "NULL":
        if inner is not True:
            raise validation(
                "One or more parameter values were invalid: Null attribute value types must "
                "have the value of true"
            )
        return {"NULL": True}
    if kind == "M":
        if not isinstance(inner, dict):
            raise validation("Invalid type for parameter M: expected a map")
        return {"M": {str(k): normalize_value(v, depth + 1) for k, v in inner.items()}}
    if kind == "L":
        if not isinstance(inner, list | tuple):
            raise validation("Invalid type for parameter L: expected a list")
        return {"L": [normalize_value(v, depth + 1) for v in inner]}
    if kind in _SET_NAMES:
        return {kind: _normalize_set(kind, inner)}
    raise validation(f"Supplied AttributeValue has an unknown data type: {kind}; allowed: {', '.join(TYPES)}")


def _normalize_set(kind: str, members: Any) -> list[Any]:
    if not isinstance(members, list | tuple | set | frozenset):
        raise validation(f"Invalid type for parameter {kind}: expected a list")
    if not members:
        raise validation(
            f"One or more parameter values were invalid: An {_SET_NAMES[kind]} set  may not be empty"
        )
    if kind == "SS":
        if not all(isinstance(m, str) for m in members):
            raise validation("Invalid type for parameter SS: expected a list of strings")
        out: list[Any] = list(members)
    elif kind == "NS":
        out = [canonical_number(m) for m in members]
    else:
        out = [_as_bytes(m) for m in members]
    if len(set(out)) != len(out):
        shown = ", ".join(str(m) for m in members)
        raise validation(
            f"One or more parameter values were invalid: Input collection [{shown}] contains duplicates."
        )
    return out


def _as_bytes(inner: Any) -> bytes:
    if isinstance(inner, bytes | bytearray):
        return bytes(inner)
    if hasattr(inner, "value") and isinstance(inner.value, bytes):  # boto3's Binary wrapper
        return bytes(inner.value)
    if isinstance(inner, str):  # botocore sends a str blob as its UTF-8 bytes
        return inner.encode("utf-8")
    raise validation("Invalid type for parameter B: expected bytes")


def normalize_item(item: Any, field: str = "Item") -> Item:
    """Check a map of attribute names to typed values (an ``Item``, a ``Key`` ...)."""
    if not isinstance(item, dict):
        raise validation(f"Invalid type for parameter {field}: expected a map of attribute names to values")
    return {_name(name): normalize_value(v) for name, v in item.items()}


def _name(name: Any) -> str:
    # an item's attribute names are at least one character long (keys inside a map may be empty)
    text = str(name)
    if not text:
        raise validation("One or more parameter values were invalid: An attribute name may not be empty")
    return text


def equal(a: AttributeValue, b: AttributeValue) -> bool:
    """DynamoDB equality: same type, same value; sets compare as sets."""
    kind = type_of(a)
    if kind != type_of(b):
        return False
    x, y = a[kind], b[kind]
    if kind in _SET_NAMES:
        return set(x) == set(y)
    if kind == "M":
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    if kind == "L":
        return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y, strict=True))
    if kind == "N":
        return bool(Decimal(x) == Decimal(y))
    return bool(x == y)


def compare_key(value: AttributeValue) -> tuple[str, Any] | None:
    """An ordering key for ``<``-style comparisons; None for types DynamoDB cannot order."""
    kind = type_of(value)
    if kind == "N":
        return ("N", Decimal(value["N"]))
    if kind in ("S", "B"):
        return (kind, value[kind])  # str order is code point order, which is UTF-8 byte order
    return None


def _size(value: AttributeValue) -> int:
    kind = type_of(value)
    inner = value[kind]
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return (len(inner.lstrip("-").replace(".", "").strip("0")) + 1) // 2 + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + _size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_size(v) + 1 for v in inner)
    return sum(_size({kind[0]: m}) for m in inner)


def item_size(item: Item) -> int:
    """The item's size as DynamoDB counts it toward the 400 KB limit (names plus values)."""
    return sum(len(name.encode("utf-8")) + _size(v) for name, v in item.items())


def _encode_binaries(value: Any) -> Any:
    kind = type_of(value)
    inner = value[kind]
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(m).decode("ascii") for m in inner]}
    if kind == "M":
        return {"M": {k: _encode_binaries(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_encode_binaries(v) for v in inner]}
    return value


def _decode_binaries(value: Any) -> Any:
    kind = type_of(value)
    inner = value[kind]
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(m) for m in inner]}
    if kind == "M":
        return {"M": {k: _decode_binaries(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_decode_binaries(v) for v in inner]}
    return value


def to_storage(item: Item) -> Item:
    """The JSON form of an item: binaries as base64 text, as DynamoDB's JSON wire carries them."""
    return {k: _encode_binaries(v) for k, v in item.items()}


def from_storage(item: Item) -> Item:
    """Inverse of :func:`to_storage`."""
    return {k: _decode_binaries(v) for k, v in item.items()}


def to_plain(value: AttributeValue) -> Any:
    """boto3's resource form of a typed value: Decimal, set, Binary, dict, list ..."""
    # The common types are converted here as boto3 converts them; the rest go to boto3 itself.
    if type(value) is dict and len(value) == 1:
        ((kind, inner),) = value.items()
        if kind == "S" or kind == "BOOL":
            return inner
        if kind == "N":
            return DYNAMODB_CONTEXT.create_decimal(inner)
        if kind == "M":
            return {k: to_plain(v) for k, v in inner.items()}
        if kind == "L":
            return [to_plain(v) for v in inner]
    return _deserializer.deserialize(value)  # type: ignore[arg-type]


def to_typed(value: Any) -> AttributeValue:
    """The typed form of a plain Python value, exactly as boto3's resource layer serializes it."""
    # The common types are converted here as boto3 converts them (an int of up to 38 digits is
    # its own Decimal text); the rest go to boto3, which raises TypeError for floats as boto3 does.
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is bool:
        return {"BOOL": value}
    if kind is int and -_INT_LIMIT < value < _INT_LIMIT:
        return {"N": str(value)}
    if kind is dict:
        return {"M": {k: to_typed(v) for k, v in value.items()}}
    if kind is list:
        return {"L": [to_typed(v) for v in value]}
    typed: AttributeValue = dict(_serializer.serialize(value))
    return typed
