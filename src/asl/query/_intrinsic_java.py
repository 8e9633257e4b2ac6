"""How the Java runtime behind Step Functions prints, hashes, rounds and draws JSON values.

Step Functions is written in Java and its intrinsic functions show it: ``States.Format``
prints an object the way ``Map.toString`` does (``{a=1, b=[]}``), ``States.JsonToString``
prints ``1e10`` the way Jackson does (``1.0E10``), ``States.ArrayUnique`` returns items in
``HashSet`` order, ``States.MathAdd`` rounds with ``Math.round`` and a seeded
``States.MathRandom`` draws from ``java.util.Random``. These helpers reproduce that on
Python's JSON values (``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``),
taking a JSON integer as Java's Integer/Long/BigInteger and a JSON fraction as a Double.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal
from typing import Any

__all__ = [
    "JavaRandom",
    "hash_set_order",
    "int_value",
    "java_double",
    "java_json",
    "java_round",
    "java_str",
    "long_value",
]

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _wrap(value: int, bits: int) -> int:
    """Two's-complement wrap, as a Java narrowing conversion does."""
    half = 1 << (bits - 1)
    return ((value + half) % (1 << bits)) - half


# --- printing ------------------------------------------------------------------------------


def java_double(value: float) -> str:
    """``Double.toString``: shortest digits, scientific below 1e-3 and from 1e7 on.

    >>> java_double(1e10), java_double(0.5), java_double(1.0)
    ('1.0E10', '0.5', '1.0')
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    # repr() gives the shortest digits that round-trip, which is what Java 19+ prints too.
    digits_tuple = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    exponent = int(digits_tuple.exponent) + len(digits) - 1  # scientific exponent
    if 1e-3 <= abs(value) < 1e7:
        if exponent >= 0:
            whole = digits[: exponent + 1].ljust(exponent + 1, "0")
            fraction = digits[exponent + 1 :] or "0"
        else:
            whole, fraction = "0", "0" * (-exponent - 1) + digits
        return f"{sign}{whole}.{fraction}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def java_str(value: Any) -> str:
    """``String.valueOf`` of the Java object behind a JSON value (what States.Format prints).

    >>> java_str({"Arg1": 1, "Arg2": [None, "x"]})
    '{Arg1=1, Arg2=[null, x]}'
    """
    if isinstance(value, str):
        return value
    scalar = _java_scalar(value)
    if scalar is not None:
        return scalar
    if isinstance(value, list):
        return "[" + ", ".join(java_str(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={java_str(item)}" for key, item in value.items()) + "}"
    return str(value)


def _java_scalar(value: Any) -> str | None:
    """null, a boolean or a number as Java prints it (the same in String.valueOf and Jackson)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    return None


_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text: str) -> str:
    # Jackson escapes only quotes, backslashes and control characters (upper-case hex).
    out = []
    for char in text:
        escaped = _SHORT_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char < " ":
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def java_json(value: Any) -> str:
    """Compact JSON text as Jackson writes it (what States.JsonToString returns).

    >>> java_json({"a": [1, 2.5, 1e10], "b": "é"})
    '{"a":[1,2.5,1.0E10],"b":"é"}'
    """
    if isinstance(value, str):
        return _json_string(value)
    scalar = _java_scalar(value)
    if scalar is not None:
        return scalar
    if isinstance(value, list):
        return "[" + ",".join(java_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_json_string(str(k))}:{java_json(v)}" for k, v in value.items()) + "}"
    return _json_string(str(value))


# --- numbers -------------------------------------------------------------------------------


def _integer_value(number: int | float, bits: int, low: int, high: int) -> int:
    """An integer wraps to ``bits``; a Double truncates toward zero and saturates (NaN is 0)."""
    if isinstance(number, int):
        return _wrap(number, bits)
    if math.isnan(number):
        return 0
    if math.isinf(number):
        return high if number > 0 else low
    return max(low, min(high, math.trunc(number)))


def int_value(number: int | float) -> int:
    """``Number.intValue()``: a Long wraps to 32 bits, a Double truncates and saturates."""
    return _integer_value(number, 32, _INT_MIN, _INT_MAX)


def long_value(number: int | float) -> int:
    """``Number.longValue()``: wrap to 64 bits, or truncate and saturate a Double."""
    return _integer_value(number, 64, _LONG_MIN, _LONG_MAX)


def java_round(number: int | float) -> int:
    """``Math.round(double)``: halves go up (2.5 -> 3, -2.5 -> -2), saturating at the long range."""
    if isinstance(number, int):
        return number
    if math.isnan(number):
        return 0
    if math.isinf(number):
        return _LONG_MAX if number > 0 else _LONG_MIN
    return max(_LONG_MIN, min(_LONG_MAX, math.floor(number + 0.5)))


# --- hashing -------------------------------------------------------------------------------


def _string_hash(text: str) -> int:
    h = 0
    units = text.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(units), 2):
        h = (31 * h + (units[i] | units[i + 1] << 8)) & 0xFFFFFFFF
    return h


def _java_hash(value: Any) -> int:
    """``hashCode()`` of the Java object behind a JSON value, as an unsigned 32-bit int."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1231 if value else 1237
    if isinstance(value, str):
        return _string_hash(value)
    if isinstance(value, int):
        if _INT_MIN <= value <= _INT_MAX:  # Integer
            return value & 0xFFFFFFFF
        if _LONG_MIN <= value <= _LONG_MAX:  # Long
            bits = value & 0xFFFFFFFFFFFFFFFF
            return (bits ^ (bits >> 32)) & 0xFFFFFFFF
        return _big_integer_hash(value)
    if isinstance(value, float):
        if math.isnan(value):
            value = math.nan  # Double.doubleToLongBits folds every NaN to one pattern
        double_bits: int = struct.unpack(">Q", struct.pack(">d", value))[0]
        return (double_bits ^ (double_bits >> 32)) & 0xFFFFFFFF
    if isinstance(value, list):
        h = 1
        for item in value:
            h = (31 * h + _java_hash(item)) & 0xFFFFFFFF
        return h
    if isinstance(value, dict):
        return sum(_string_hash(str(k)) ^ _java_hash(v) for k, v in value.items()) & 0xFFFFFFFF
    return _string_hash(str(value))


def _big_integer_hash(value: int) -> int:
    magnitude = abs(value)
    words = []
    while magnitude:
        words.append(magnitude & 0xFFFFFFFF)
        magnitude >>= 32
    h = 0
    for word in reversed(words):  # big-endian, as BigInteger stores its magnitude
        h = (31 * h + word) & 0xFFFFFFFF
    return (h * (1 if value > 0 else -1)) & 0xFFFFFFFF


def _equality_key(value: Any) -> Any:
    """A hashable key that is equal exactly when the Java objects are ``equals``."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", value)
    if isinstance(value, list):
        return ("list", tuple(_equality_key(item) for item in value))
    if isinstance(value, dict):
        return ("map", frozenset((str(k), _equality_key(v)) for k, v in value.items()))
    return ("other", value)


def hash_set_order(items: list[Any]) -> list[Any]:
    """The distinct items in the order ``new ArrayList<>(new HashSet<>(items))`` yields.

    HashMap iterates bucket by bucket (bucket = spread hash masked by the table size) and,
    within a bucket, in insertion order; the table is sized from the source collection.
    """
    wanted = max(int(len(items) / 0.75) + 1, 16)
    capacity = 1 << (wanted - 1).bit_length()  # tableSizeFor
    first_seen: dict[Any, tuple[int, int, Any]] = {}
    for position, item in enumerate(items):
        key = _equality_key(item)
        if key not in first_seen:
            h = _java_hash(item)
            bucket = (h ^ (h >> 16)) & (capacity - 1)
            first_seen[key] = (bucket, position, item)
    return [item for _, _, item in sorted(first_seen.values(), key=lambda entry: entry[:2])]


# --- random --------------------------------------------------------------------------------


class JavaRandom:
    """``java.util.Random``: the 48-bit linear congruential generator, bit for bit.

    >>> JavaRandom(42).next_int(10)
    0
    """

    _MULTIPLIER = 0x5DEECE66D
    _MASK = (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        return _wrap(self._seed >> (48 - bits), 32)

    def next_int(self, bound: int) -> int:
        """A value in ``[0, bound)``; ``bound`` must be positive."""
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:  # a power of two: take the high bits
            return (bound * r) >> 31
        u = r
        r = u % bound
        while u - r + m > _INT_MAX:  # Java rejects draws whose int sum overflows
            u = self._next(31)
            r = u % bound
        return r
