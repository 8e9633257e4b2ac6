"""Choice rule operators, as a table keyed by the spec's own names.

Each operator compares the rule's variable with a value of the right type; a variable
of another type makes the comparison false, never an error. ``<Operator>Path`` twins
take their comparand from a path instead of the definition.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from asl._timestamps import RFC3339

__all__ = ["COMPARISONS", "TYPE_TESTS", "parse_timestamp"]

_TIMESTAMP = re.compile(f"^{RFC3339}$", re.IGNORECASE)


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp with an offset (``2016-03-14T01:59:00Z``), or None."""
    if not isinstance(value, str):
        return None
    return _parse_timestamp(value)


@lru_cache(maxsize=1024)
def _parse_timestamp(value: str) -> datetime | None:
    match = _TIMESTAMP.match(value)
    if not match:
        return None
    fraction = (match.group(7) or ".0")[1:7].ljust(6, "0")
    zone = match.group(8).upper()
    text = "".join(match.group(i) for i in range(1, 7))
    try:
        moment = datetime.strptime(text + fraction + ("+00:00" if zone == "Z" else zone), "%Y%m%d%H%M%S%f%z")
    except ValueError:
        return None
    return moment


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string_matches(value: Any, pattern: Any) -> bool:
    """AWS's wildcard match: ``*`` stands for any run of characters (no regex semantics).

    Linear in the value's length: the literal pieces between stars are found left to right
    (the leftmost place of each piece is always the right one when only ``*`` is special),
    so no pattern can make it backtrack.
    """
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    pieces = _wildcard_pieces(pattern)
    if len(pieces) == 1:
        return value == pieces[0]
    first, last = pieces[0], pieces[-1]
    if len(value) < len(first) + len(last) or not value.startswith(first) or not value.endswith(last):
        return False
    position, end = len(first), len(value) - len(last)
    for piece in pieces[1:-1]:
        found = value.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


@lru_cache(maxsize=1024)
def _wildcard_pieces(pattern: str) -> tuple[str, ...]:
    """The literal pieces between unescaped stars; ``\\*`` is a literal star, ``\\\\`` a backslash.

    >>> _wildcard_pieces(r"a*b\\*c*")
    ('a', 'b*c', '')
    """
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            current.append(pattern[i + 1])
            i += 2
            continue
        if char == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))
    return tuple(pieces)


def _typed(check: Callable[[Any], bool], compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, other: check(value) and check(other) and compare(value, other)


def _timestamps(compare: Callable[[datetime, datetime], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, other: Any) -> bool:
        a, b = parse_timestamp(value), parse_timestamp(other)
        return a is not None and b is not None and compare(a, b)

    return test


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "StringEquals": _typed(_is_str, lambda a, b: a == b),
    "StringLessThan": _typed(_is_str, lambda a, b: a < b),
    "StringGreaterThan": _typed(_is_str, lambda a, b: a > b),
    "StringLessThanEquals": _typed(_is_str, lambda a, b: a <= b),
    "StringGreaterThanEquals": _typed(_is_str, lambda a, b: a >= b),
    "StringMatches": _string_matches,
    "NumericEquals": _typed(_is_number, lambda a, b: a == b),
    "NumericLessThan": _typed(_is_number, lambda a, b: a < b),
    "NumericGreaterThan": _typed(_is_number, lambda a, b: a > b),
    "NumericLessThanEquals": _typed(_is_number, lambda a, b: a <= b),
    "NumericGreaterThanEquals": _typed(_is_number, lambda a, b: a >= b),
    "BooleanEquals": _typed(_is_bool, lambda a, b: a == b),
    "TimestampEquals": _timestamps(lambda a, b: a == b),
    "TimestampLessThan": _timestamps(lambda a, b: a < b),
    "TimestampGreaterThan": _timestamps(lambda a, b: a > b),
    "TimestampLessThanEquals": _timestamps(lambda a, b: a <= b),
    "TimestampGreaterThanEquals": _timestamps(lambda a, b: a >= b),
}

#: ``Is*`` operators: the type test; the rule holds when the test equals the rule's boolean.
TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": _is_number,
    "IsString": _is_str,
    "IsBoolean": _is_bool,
    "IsTimestamp": lambda value: parse_timestamp(value) is not None,
}
