"""The recipe schema check: jsonschema's validator with the repair feedback's words, and the three
places where a model's answer is judged as JSON rather than as plain Draft 2020-12."""

from __future__ import annotations

from typing import Any

from aichef.providers._schema_check import schema_errors

LINE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "amount"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "amount": {"type": "number", "exclusiveMinimum": 0},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "level", "lines"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 5},
        "level": {"type": "string", "enum": ["easy", "hard"]},
        "lines": {"type": "array", "minItems": 1, "maxItems": 2, "items": LINE},
    },
}


def test_a_valid_value_has_no_problem() -> None:
    assert (
        schema_errors({"title": "tofu", "level": "easy", "lines": [{"name": "두부", "amount": 1}]}, SCHEMA)
        == []
    )


def test_nan_and_infinity_are_not_numbers_as_json_has_none() -> None:
    problems = schema_errors(
        {"title": "t", "level": "easy", "lines": [{"name": "x", "amount": float("inf")}]}, SCHEMA
    )
    assert problems == ["lines[0].amount: expected number, got float inf"]


def test_a_text_of_blanks_is_empty() -> None:
    problems = schema_errors(
        {"title": "   ", "level": "easy", "lines": [{"name": " \t", "amount": 1}]}, SCHEMA
    )
    assert problems == ["title: must not be empty", "lines[0].name: must not be empty"]


def test_a_value_of_the_wrong_type_is_named_by_its_type_alone() -> None:
    # jsonschema would also say 3 is not one of the enum's words; the feedback names the type only
    assert schema_errors({"title": "t", "level": 3, "lines": [{"name": "x", "amount": 1}]}, SCHEMA) == [
        "level: expected string, got int 3"
    ]
    assert schema_errors([1], SCHEMA) == ["(recipe): expected object, got list [1]"]


def test_problems_come_depth_first_a_values_own_before_its_fields() -> None:
    value = {
        "lines": [{"amount": 0, "x": 1}, {"name": "ok", "amount": 1}, {"name": "ok", "amount": 2}],
        "title": "too long",
        "zz": True,
        "aa": None,
    }
    assert schema_errors(value, SCHEMA) == [
        "level: is required",
        "aa: unknown field; allowed: title, level, lines",
        "zz: unknown field; allowed: title, level, lines",
        "title: at most 5 characters, got 8",
        "lines: at most 2 items, got 3",
        "lines[0].name: is required",
        "lines[0].x: unknown field; allowed: name, amount",
        "lines[0].amount: must be more than 0, got 0",
    ]
