"""A model's recipe against the recipe tool's JSON schema: jsonschema's validator, its errors
worded as the repair feedback says them ("field: problem").

jsonschema finds the problems; this module only names them. Three things differ from plain
Draft 2020-12 on purpose, because a model's answer is judged as JSON, not as Python:
a number is finite (NaN and infinity are not JSON), ``minLength`` counts the text without its
surrounding blanks (a name of spaces is empty), and a value of the wrong type is named once,
by its type, without the other problems its keywords would add.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator

__all__ = ["schema_errors", "short"]


def _number(checker: object, value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def _integer(checker: object, value: object) -> bool:
    if isinstance(value, float):
        return value.is_integer()  # JSON has one number type: 20.0 is an integer (NaN and inf are not)
    return isinstance(value, int) and not isinstance(value, bool)


def _min_length(
    validator: Validator, limit: int, instance: object, schema: object
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and len(instance.strip()) < limit:
        yield ValidationError(f"shorter than {limit} without blanks")


# built once: the class, its keywords and type checker are shared by every check
_RecipeValidator = validators.extend(  # type: ignore[no-untyped-call]  # jsonschema leaves it untyped
    Draft202012Validator,
    validators={"minLength": _min_length},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many({"number": _number, "integer": _integer}),
)


def short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# A problem: the child field it names (None for the value itself) and what is wrong.
Problem = tuple[str | None, str]


def _required(error: ValidationError) -> list[Problem]:
    # jsonschema reports each missing field apart; this names them all, once, in the schema's order
    present: Any = error.instance
    required: Any = error.validator_value
    return [(name, "is required") for name in required if name not in present]


def _unknown(error: ValidationError) -> list[Problem]:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    properties: Mapping[str, Any] = schema.get("properties", {})
    allowed = ", ".join(properties)
    given: Any = error.instance
    extra = sorted(str(key) for key in given if key not in properties)
    return [(name, f"unknown field; allowed: {allowed}") for name in extra]


def _one(text: Callable[[Any, Any], str]) -> Callable[[ValidationError], list[Problem]]:
    return lambda error: [(None, text(error.validator_value, error.instance))]


#: jsonschema keyword -> the problems its error names, in the feedback's words
_PROBLEMS: dict[str, Callable[[ValidationError], list[Problem]]] = {
    "type": _one(lambda kind, value: f"expected {kind}, got {type(value).__name__} {short(value)}"),
    "const": _one(lambda const, value: f"must be {const!r}, got {short(value)}"),
    "enum": _one(lambda enum, value: f"got {short(value)}; allowed: {', '.join(str(v) for v in enum)}"),
    "minimum": _one(lambda limit, value: f"must be at least {limit}, got {value}"),
    "maximum": _one(lambda limit, value: f"must be at most {limit}, got {value}"),
    "exclusiveMinimum": _one(lambda limit, value: f"must be more than {limit}, got {value}"),
    "minLength": _one(lambda limit, value: "must not be empty"),
    "maxLength": _one(lambda limit, value: f"at most {limit} characters, got {len(value)}"),
    "minItems": _one(lambda limit, value: f"needs at least {limit} item(s)"),
    "maxItems": _one(lambda limit, value: f"at most {limit} items, got {len(value)}"),
    "required": _required,
    "additionalProperties": _unknown,
}
#: the order a value's own problems are named in (its fields' problems follow them)
_ORDER = {keyword: rank for rank, keyword in enumerate(_PROBLEMS)}


def _field(path: Iterable[str | int]) -> str:
    """``("ingredients", 0, "name")`` -> ``ingredients[0].name``; the recipe itself is ``(recipe)``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "(recipe)"


def schema_errors(value: object, schema: Mapping[str, Any]) -> list[str]:
    """Every way ``value`` breaks ``schema`` (the JSON Schema subset the recipe schema uses), each
    as "field: problem". Collected, not stopped at the first, so one repair can fix them all.

    Named depth first: a value's own problems (in :data:`_PROBLEMS`' order), then its fields' in
    the schema's order of properties and its items' in their order."""
    errors = list(_RecipeValidator(schema).iter_errors(value))
    mistyped = {tuple(error.absolute_path) for error in errors if error.validator == "type"}
    first_seen: dict[tuple[str | int, ...], int] = {}  # jsonschema visits fields in the schema's order

    def position(error: ValidationError) -> tuple[tuple[int, int], ...]:
        path = tuple(error.absolute_path)
        steps = tuple(
            (1, first_seen.setdefault(path[: depth + 1], len(first_seen))) for depth in range(len(path))
        )
        return (*steps, (0, _ORDER[str(error.validator)]))

    ranked = [(position(error), index) for index, error in enumerate(errors)]  # in jsonschema's order
    named: list[str] = []
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    for _, index in sorted(ranked):
        error = errors[index]
        path = tuple(error.absolute_path)
        if error.validator != "type" and path in mistyped:
            continue  # a value of the wrong type is named by its type alone
        keyword = str(error.validator)
        if (path, keyword) in seen:
            continue  # "required" comes once per missing field; _required has named them all
        seen.add((path, keyword))
        for child, text in _PROBLEMS[keyword](error):
            named.append(f"{_field(path if child is None else (*path, child))}: {text}")
    return named
