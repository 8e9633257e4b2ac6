"""The 18 intrinsic functions, keyed by the names the States Language gives them.

Each entry says how many arguments the function takes and computes its result from
argument values already evaluated. A function that cannot accept its arguments raises
:class:`InvalidArguments`; the caller turns that into the ``States.Runtime`` failure AWS
reports (``Invalid arguments in States.MathAdd``). The behaviour follows what AWS does,
quirks included: Java truncation for indexes, sizes and bounds, ``Math.round`` for
``MathAdd``, ``java.util.Random`` for a seeded ``MathRandom``, ``HashSet`` order for
``ArrayUnique``, lenient Base64 decoding and ``StringTokenizer`` splitting.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import uuid
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from asl.query._intrinsic_java import (
    JavaRandom,
    hash_set_order,
    int_value,
    java_json,
    java_round,
    java_str,
    long_value,
)

__all__ = ["FORMAT", "FUNCTIONS", "FunctionSpec", "InvalidArguments"]

FORMAT: Final = "States.Format"

#: AWS's documented limits.
MAX_RANGE_ITEMS: Final = 1000
MAX_TEXT_LENGTH: Final = 10_000  # Base64Encode, Base64Decode and Hash input, in UTF-16 units
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
HASH_ALGORITHMS: Final = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


class InvalidArguments(Exception):
    """The arguments do not fit the function; ``message`` is AWS's words, ``reason`` ours."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class FunctionSpec(NamedTuple):
    """How many arguments a function takes (``max_args`` None: no upper limit) and its body."""

    min_args: int
    max_args: int | None
    apply: Callable[[list[Any]], Any]

    def arity(self) -> str:
        """The allowed argument count in words, for messages."""
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.min_args == self.max_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args}"


def _invalid(name: str, reason: str) -> InvalidArguments:
    return InvalidArguments(f"Invalid arguments in {name}", f"{name}: {reason}")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _array(name: str, value: Any, what: str = "the first argument") -> list[Any]:
    if not isinstance(value, list):
        raise _invalid(name, f"{what} must be an array, got {_kind(value)}")
    return value


def _string(name: str, value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _invalid(name, f"{what} must be a string, got {_kind(value)}")
    return value


def _number(name: str, value: Any, what: str) -> int | float:
    if not _is_number(value):
        raise _invalid(name, f"{what} must be a number, got {_kind(value)}")
    number: int | float = value
    return number


def _utf16_length(text: str) -> int:
    # Java counts a character outside the Basic Multilingual Plane as two.
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _limit_text(name: str, text: str) -> str:
    if _utf16_length(text) > MAX_TEXT_LENGTH:
        raise _invalid(name, f"the input may hold at most {MAX_TEXT_LENGTH} characters, got {len(text)}")
    return text


# --- States.Format -------------------------------------------------------------------------


def _template_parts(template: str) -> list[str | None]:
    """Split a template into literal text and ``None`` for each ``{}``; honour backslash escapes."""
    parts: list[str | None] = []
    text: list[str] = []
    i = 0
    while i < len(template):
        char = template[i]
        if char == "\\" and i + 1 < len(template):
            text.append(template[i + 1])
            i += 2
            continue
        if char == "{":
            if template[i + 1 : i + 2] != "}":
                raise InvalidArguments(
                    "Invalid template in States.Format: matching '}' not found for '{'.",
                    "States.Format: a '{' in the template must be followed by '}' (\\{ is a literal brace)",
                )
            parts.append("".join(text))
            parts.append(None)
            text = []
            i += 2
            continue
        if char == "}":
            raise InvalidArguments(
                "Invalid template in States.Format: matching '{' not found for '}'.",
                "States.Format: a '}' in the template must follow '{' (write \\} for a literal brace)",
            )
        text.append(char)
        i += 1
    parts.append("".join(text))
    return parts


def _format(args: list[Any]) -> str:
    # The caller passes a literal template with its escapes still in place (see intrinsics.py).
    template = _string(FORMAT, args[0], "the template (first argument)")
    parts = _template_parts(template)
    values = args[1:]
    placeholders = sum(1 for part in parts if part is None)
    if placeholders != len(values):
        raise InvalidArguments(
            "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.",
            f"States.Format: the template has {placeholders} '{{}}' but {len(values)} values were given",
        )
    rendered = iter(values)
    return "".join(java_str(next(rendered)) if part is None else part for part in parts)


# --- JSON ----------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _string_to_json(args: list[Any]) -> Any:
    name = "States.StringToJson"
    text = _string(name, args[0], "the argument")
    if not text.strip():
        return None  # AWS answers null for an empty or blank string
    body = text.strip()
    try:
        value, end = _DECODER.raw_decode(body)
    except ValueError as exc:
        raise _invalid(name, f"the argument is not valid JSON ({exc})") from None
    if end != len(body):
        # Jackson's readTree refuses a value with content after it ("2026-12-07T10:00:00Z" is not
        # the number 2026, "123data" is not 123), so AWS fails the call rather than drop the rest.
        raise _invalid(name, f"the argument has content after its JSON value, at character {end}")
    return value


def _json_to_string(args: list[Any]) -> str:
    return java_json(args[0])


def _json_merge(args: list[Any]) -> dict[str, Any]:
    name = "States.JsonMerge"
    first, second, deep = args
    for value, what in ((first, "the first argument"), (second, "the second argument")):
        if not isinstance(value, dict):
            raise _invalid(name, f"{what} must be a JSON object, got {_kind(value)}")
    if deep is True:  # AWS merges shallowly for any other third argument
        raise _invalid(name, "deep merge is not supported; the third argument must be false")
    return {**first, **second}


# --- arrays --------------------------------------------------------------------------------


def _array_partition(args: list[Any]) -> list[list[Any]]:
    name = "States.ArrayPartition"
    items = _array(name, args[0])
    size = int_value(_number(name, args[1], "the chunk size"))
    if size <= 0:
        raise _invalid(name, f"the chunk size must be a positive integer, got {java_str(args[1])}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _array_contains(args: list[Any]) -> bool:
    items = _array("States.ArrayContains", args[0])
    # AWS compares the printed forms, so true matches "true" and key order matters.
    wanted = java_str(args[1])
    return any(java_str(item) == wanted for item in items)


def _array_range(args: list[Any]) -> list[int]:
    name = "States.ArrayRange"
    start, end, step = (
        int_value(_number(name, value, what))
        for value, what in zip(args, ("the first value", "the last value", "the step"), strict=True)
    )
    if step == 0:
        raise _invalid(name, "the step must not be 0")
    values = range(start, end + (1 if step > 0 else -1), step)
    if len(values) > MAX_RANGE_ITEMS:
        raise _invalid(
            name, f"the range may hold at most {MAX_RANGE_ITEMS} items, this one holds {len(values)}"
        )
    return list(values)


def _array_get_item(args: list[Any]) -> Any:
    name = "States.ArrayGetItem"
    items = _array(name, args[0])
    index = int_value(_number(name, args[1], "the index"))
    if not items:
        return None  # AWS answers null for any index into an empty array
    if not 0 <= index < len(items):
        raise _invalid(name, f"the index {index} is outside the array (0 to {len(items) - 1})")
    return items[index]


def _array_length(args: list[Any]) -> int:
    return len(_array("States.ArrayLength", args[0], "the argument"))


def _array_unique(args: list[Any]) -> list[Any]:
    return hash_set_order(_array("States.ArrayUnique", args[0], "the argument"))


# --- encoding and hashing ------------------------------------------------------------------


def _base64_encode(args: list[Any]) -> str:
    name = "States.Base64Encode"
    text = _limit_text(name, _string(name, args[0], "the argument"))
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/\-_=]")


def _base64_decode(args: list[Any]) -> str:
    name = "States.Base64Decode"
    text = _limit_text(name, _string(name, args[0], "the argument"))
    # AWS decodes leniently: it skips characters outside the alphabet, stops at padding
    # and drops bits that do not make a whole byte.
    cleaned = _NOT_BASE64.sub("", text).replace("-", "+").replace("_", "/").split("=", 1)[0]
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]  # six bits alone cannot make a byte
    raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
    return raw.decode("utf-8", "replace")


def _hash(args: list[Any]) -> str:
    name = "States.Hash"
    data, algorithm = args
    if data is None:
        raise _invalid(name, "the data (first argument) must not be null")
    text = _limit_text(name, java_str(data))  # AWS hashes the printed form of a non-string
    algorithm = _string(name, algorithm, "the algorithm (second argument)")
    if algorithm not in HASH_ALGORITHMS:
        raise _invalid(name, f"the algorithm must be one of {', '.join(HASH_ALGORITHMS)}, got {algorithm!r}")
    return hashlib.new(HASH_ALGORITHMS[algorithm], text.encode("utf-8", "surrogatepass")).hexdigest()


# --- math, strings, identifiers ------------------------------------------------------------

_RANDOM = random.Random()


def _math_random(args: list[Any]) -> int:
    name = "States.MathRandom"
    start = int_value(_number(name, args[0], "the start"))
    end = int_value(_number(name, args[1], "the end"))
    bound = ((end - start + 2**31) % 2**32) - 2**31  # Java's int subtraction
    if bound <= 0:
        raise _invalid(name, f"the start ({start}) must be below the end ({end})")
    if len(args) == 3:
        seed = long_value(_number(name, args[2], "the seed"))
        return JavaRandom(seed).next_int(bound) + start
    return _RANDOM.randrange(bound) + start


def _math_add(args: list[Any]) -> int:
    name = "States.MathAdd"
    total = 0
    for value, what in zip(args, ("the first value", "the second value"), strict=True):
        number = java_round(_number(name, value, what))
        if not _INT_MIN <= number <= _INT_MAX:
            raise _invalid(name, f"{what} must be within {_INT_MIN} and {_INT_MAX}, got {java_str(value)}")
        total += number
    if not _INT_MIN <= total <= _INT_MAX:
        raise _invalid(name, f"the sum {total} is outside {_INT_MIN} to {_INT_MAX}")
    return total


def _string_split(args: list[Any]) -> list[str]:
    name = "States.StringSplit"
    text = _string(name, args[0], "the string (first argument)")
    delimiters = _string(name, args[1], "the delimiters (second argument)")
    # Like java.util.StringTokenizer: every character of the second argument splits,
    # and empty pieces are dropped.
    if not delimiters:
        return [text] if text else []
    pattern = "[" + re.escape(delimiters) + "]"
    return [piece for piece in re.split(pattern, text) if piece]


def _uuid(args: list[Any]) -> str:
    return str(uuid.uuid4())


FUNCTIONS: Final[dict[str, FunctionSpec]] = {
    "States.Array": FunctionSpec(0, None, list),
    "States.ArrayContains": FunctionSpec(2, 2, _array_contains),
    "States.ArrayGetItem": FunctionSpec(2, 2, _array_get_item),
    "States.ArrayLength": FunctionSpec(1, 1, _array_length),
    "States.ArrayPartition": FunctionSpec(2, 2, _array_partition),
    "States.ArrayRange": FunctionSpec(3, 3, _array_range),
    "States.ArrayUnique": FunctionSpec(1, 1, _array_unique),
    "States.Base64Decode": FunctionSpec(1, 1, _base64_decode),
    "States.Base64Encode": FunctionSpec(1, 1, _base64_encode),
    FORMAT: FunctionSpec(1, None, _format),
    "States.Hash": FunctionSpec(2, 2, _hash),
    "States.JsonMerge": FunctionSpec(3, 3, _json_merge),
    "States.JsonToString": FunctionSpec(1, 1, _json_to_string),
    "States.MathAdd": FunctionSpec(2, 2, _math_add),
    "States.MathRandom": FunctionSpec(2, 3, _math_random),
    "States.StringSplit": FunctionSpec(2, 2, _string_split),
    "States.StringToJson": FunctionSpec(1, 1, _string_to_json),
    "States.UUID": FunctionSpec(0, 0, _uuid),
}
