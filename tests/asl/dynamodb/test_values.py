"""AttributeValues: exact numbers, checks with DynamoDB's messages, plain form, key ordering."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary
from hypothesis import given, settings
from hypothesis import strategies as st

from asl.dynamodb._errors import DynamoError
from asl.dynamodb._schema import decode_key_value, encode_key_value
from asl.dynamodb.values import (
    add_numbers,
    canonical_number,
    equal,
    from_storage,
    item_size,
    normalize_value,
    to_plain,
    to_storage,
    to_typed,
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1.50", "1.5"),
        ("1E+2", "100"),
        ("-0", "0"),
        ("0.000", "0"),
        ("+3", "3"),
        (".123", "0.123"),
        ("0e1000", "0"),
        ("1e-5", "0.00001"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ],
)
def test_numbers_are_kept_exact_in_canonical_form(text: str, canonical: str) -> None:
    assert canonical_number(text) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        (" 1", "The parameter cannot be converted to a numeric value:  1"),
        ("1_000", "The parameter cannot be converted to a numeric value: 1_000"),
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        (
            "1E+126",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            "1E-131",
            "Number underflow. Attempting to store a number with magnitude smaller than supported range",
        ),
    ],
)
def test_bad_numbers_get_dynamodb_messages(text: str, message: str) -> None:
    with pytest.raises(DynamoError) as caught:
        canonical_number(text)
    assert (caught.value.code, caught.value.message) == ("ValidationException", message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set"),
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": ["1", "1.0"]}, "Input collection [1, 1.0] contains duplicates."),
        ({"NULL": False}, "Null attribute value types must have the value of true"),
        ({"X": 1}, "unknown data type: X"),
    ],
)
def test_malformed_values_are_rejected(value: Any, message: str) -> None:
    with pytest.raises(DynamoError, match=message.replace("[", r"\[").replace("]", r"\]")):
        normalize_value(value)


def test_nested_values_are_normalized() -> None:
    value = {"M": {"n": {"N": "01.0"}, "l": {"L": [{"NS": ["2.50"]}, {"B": "hi"}]}}}
    assert normalize_value(value) == {"M": {"n": {"N": "1"}, "l": {"L": [{"NS": ["2.5"]}, {"B": b"hi"}]}}}


def test_equality_compares_numbers_by_value_and_sets_as_sets() -> None:
    assert equal({"N": "1.0"}, {"N": "1"})
    assert equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert not equal({"S": "1"}, {"N": "1"})
    assert not equal({"L": [{"N": "1"}]}, {"L": [{"N": "1"}, {"N": "2"}]})


def test_plain_form_is_boto3s() -> None:
    plain = {"n": Decimal("1.5"), "s": {"a", "b"}, "b": Binary(b"\x00"), "l": [True, None], "m": {"k": "v"}}
    typed = to_typed(plain)
    assert typed["M"]["n"] == {"N": "1.5"}
    assert to_plain(typed) == plain
    with pytest.raises(TypeError, match="Float types are not supported"):
        to_typed(1.5)


def test_storage_form_round_trips_binaries() -> None:
    item = {"b": {"B": b"\xff\x00"}, "bs": {"BS": [b"a", b"b"]}, "m": {"M": {"x": {"B": b"z"}}}}
    stored = to_storage(item)
    assert stored["b"] == {"B": "/wA="}
    assert from_storage(stored) == item


def test_item_size_counts_names_and_values() -> None:
    assert item_size({"ab": {"S": "xyz"}}) == 5
    assert item_size({"k": {"S": "한"}}) == 1 + 3  # UTF-8 bytes
    assert item_size({"m": {"M": {"a": {"BOOL": True}}}}) > item_size({"m": {"BOOL": True}})


numbers = st.decimals(
    min_value=Decimal("-1e20"), max_value=Decimal("1e20"), allow_nan=False, allow_infinity=False, places=6
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(numbers, numbers)
def test_number_key_encoding_preserves_order(a: Decimal, b: Decimal) -> None:
    ka = encode_key_value({"N": canonical_number(str(a))})
    kb = encode_key_value({"N": canonical_number(str(b))})
    assert (ka < kb) == (a < b)
    assert (ka == kb) == (a == b)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(numbers)
def test_number_key_encoding_round_trips(a: Decimal) -> None:
    value = {"N": canonical_number(str(a))}
    assert decode_key_value("N", encode_key_value(value)) == value


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.text(min_size=1, max_size=5), st.text(min_size=1, max_size=5))
def test_string_key_encoding_is_utf8_byte_order(a: str, b: str) -> None:
    assert (encode_key_value({"S": a}) < encode_key_value({"S": b})) == (a.encode() < b.encode())


def test_sums_keep_38_digits_exactly_or_fail() -> None:
    assert add_numbers("1", "10000000000000000000000") == "10000000000000000000001"
    assert add_numbers("0.1", "0.2") == "0.3"
    with pytest.raises(DynamoError, match="Number overflow"):
        add_numbers("1E+50", "1")  # 51 significant digits
    with pytest.raises(DynamoError, match="Number overflow"):
        add_numbers("9E+125", "9E+125")


def test_json_numbers_where_strings_belong_are_serialization_errors() -> None:
    with pytest.raises(DynamoError) as caught:
        normalize_value({"N": 123})
    assert (caught.value.code, caught.value.message) == (
        "SerializationException",
        "NUMBER_VALUE cannot be converted to String",
    )
