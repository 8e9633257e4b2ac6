"""The semantics the recorded AWS corpus guards, guarded again without it (CI has no ../shared).

Each expected value below is written here, from AWS's Step Functions developer guide and from
what AWS recorded (read to learn the behaviour, never copied): Choice comparisons at their
boundaries (a value of another type matches no comparison; it does not fail the execution),
Map failure tolerance, Retry timing on a virtual clock, and intrinsic functions at their edges.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from asl import StateMachine, VirtualClock

START = datetime(2026, 1, 1, tzinfo=UTC)


def _run(definition: dict[str, Any], data: Any = None, handlers: Any = None) -> Any:
    return StateMachine(definition, handlers, clock=VirtualClock(START)).run(data)


# --- Choice: every operator at its boundary ------------------------------------------------------


def _choice(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Decide",
        "States": {
            "Decide": {
                "Type": "Choice",
                "Choices": [{**rule, "Next": "Yes"}],
                "Default": "No",
            },
            "Yes": {"Type": "Pass", "Result": "yes", "End": True},
            "No": {"Type": "Pass", "Result": "no", "End": True},
        },
    }


def _decide(operator: str, operand: Any, variable: Any) -> str:
    rule = {"Variable": "$.v", operator: operand}
    execution = _run(_choice(rule), {"v": variable, "other": operand})
    assert execution.status == "SUCCEEDED", execution.cause
    result: str = execution.output
    # The ...Path twin compares with a value read from the input, and must agree.
    if operator.startswith(("String", "Numeric", "Timestamp", "Boolean")) and not operator.startswith("Is"):
        twin = _run(
            _choice({"Variable": "$.v", f"{operator}Path": "$.other"}), {"v": variable, "other": operand}
        )
        assert twin.output == result, f"{operator}Path disagrees with {operator}"
    return result


NUMERIC: list[tuple[str, Any, Any, str]] = [
    ("NumericEquals", 1, 1, "yes"),
    ("NumericEquals", 1, 1.0, "yes"),  # one number type: 1 and 1.0 are equal
    ("NumericEquals", 0, 0.0, "yes"),
    ("NumericEquals", 1, 1.1, "no"),
    ("NumericEquals", 1, "1", "no"),  # a string is not a number: no match, no failure
    ("NumericEquals", 0, False, "no"),
    ("NumericEquals", 0, None, "no"),
    ("NumericLessThan", 1, 0, "yes"),
    ("NumericLessThan", 1, 1, "no"),
    ("NumericLessThan", 0, -0.000001, "yes"),
    ("NumericLessThanEquals", 1, 1, "yes"),
    ("NumericLessThanEquals", 1, 1.0000001, "no"),
    ("NumericGreaterThan", 1, 1, "no"),
    ("NumericGreaterThan", 1, 2, "yes"),
    ("NumericGreaterThanEquals", 1, 1, "yes"),
    ("NumericGreaterThanEquals", 1, 0.9999999, "no"),
    ("NumericGreaterThan", 0, "5", "no"),
]
STRINGS: list[tuple[str, Any, Any, str]] = [
    ("StringEquals", "Hello", "Hello", "yes"),
    ("StringEquals", "Hello", "hello", "no"),  # case matters
    ("StringEquals", "\t\r\n", "\t\n", "no"),
    ("StringEquals", "1", 1, "no"),
    ("StringLessThan", "AB", "A", "yes"),  # a prefix sorts first
    ("StringLessThan", "", "", "no"),
    ("StringLessThanEquals", "", "", "yes"),
    ("StringLessThanEquals", "A", "AB", "no"),
    ("StringGreaterThan", "A", "B", "yes"),
    ("StringGreaterThan", "B", "a", "yes"),  # by character code: lower case after upper case
    ("StringLessThan", "a", "B", "yes"),
    ("StringGreaterThan", "A ", "A", "no"),
    ("StringGreaterThanEquals", "A", "AB", "yes"),
    ("StringGreaterThanEquals", "AB", "A", "no"),
]
TIMESTAMPS: list[tuple[str, Any, Any, str]] = [
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", "yes"),
    ("TimestampEquals", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", "no"),
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2023-02-24 12:15:56.832957", "no"),  # not RFC 3339
    ("TimestampEquals", "2012-10-09T19:00:55Z", 1, "no"),
    ("TimestampLessThan", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", "yes"),
    ("TimestampLessThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", "no"),
    ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", "yes"),
    ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", "no"),
    ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", "yes"),
    ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", "no"),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", "yes"),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", "no"),
]
BOOLEANS: list[tuple[str, Any, Any, str]] = [
    ("BooleanEquals", True, True, "yes"),
    ("BooleanEquals", True, "true", "no"),
    ("BooleanEquals", False, 0, "no"),
    ("BooleanEquals", False, False, "yes"),
]


@pytest.mark.parametrize(
    ("operator", "operand", "variable", "expected"), NUMERIC + STRINGS + TIMESTAMPS + BOOLEANS
)
def test_comparison_boundaries(operator: str, operand: Any, variable: Any, expected: str) -> None:
    assert _decide(operator, operand, variable) == expected


TYPE_TESTS: list[tuple[str, Any, str]] = [
    ("IsNull", None, "yes"),
    ("IsNull", 0, "no"),
    ("IsNull", "", "no"),
    ("IsNull", False, "no"),
    ("IsNumeric", 0, "yes"),
    ("IsNumeric", 1.1, "yes"),
    ("IsNumeric", "1", "no"),  # a string of digits is a string
    ("IsNumeric", True, "no"),
    ("IsString", "", "yes"),
    ("IsString", "2023-02-24", "yes"),
    ("IsString", None, "no"),
    ("IsBoolean", False, "yes"),
    ("IsBoolean", "true", "no"),
    ("IsBoolean", 0, "no"),
    ("IsTimestamp", "2012-10-09T19:00:55Z", "yes"),
    ("IsTimestamp", "2012-10-09T19:00:55+01:00", "yes"),
    ("IsTimestamp", "2023-02-24", "no"),  # a date alone is not a timestamp
    ("IsTimestamp", 1349809255, "no"),
    ("IsPresent", None, "yes"),  # null is present
    ("IsPresent", {}, "yes"),
]


@pytest.mark.parametrize(("operator", "variable", "expected"), TYPE_TESTS)
def test_type_tests(operator: str, variable: Any, expected: str) -> None:
    assert _decide(operator, True, variable) == expected
    flipped = "no" if expected == "yes" else "yes"
    assert _decide(operator, False, variable) == flipped  # Is...: false matches the opposite


def test_is_present_on_a_missing_field() -> None:
    assert _run(_choice({"Variable": "$.missing", "IsPresent": True}), {}).output == "no"
    assert _run(_choice({"Variable": "$.missing", "IsPresent": False}), {}).output == "yes"


def test_comparing_a_missing_field_fails_the_execution() -> None:
    execution = _run(_choice({"Variable": "$.missing", "NumericEquals": 1}), {})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


def test_and_or_not() -> None:
    positive = {"Variable": "$.n", "NumericGreaterThan": 0}
    small = {"Variable": "$.n", "NumericLessThan": 10}
    both = _choice({"And": [positive, small]})
    either = _choice({"Or": [positive, {"Variable": "$.s", "StringEquals": "x"}]})
    negated = _choice({"Not": positive})
    assert _run(both, {"n": 5}).output == "yes"
    assert _run(both, {"n": 10}).output == "no"
    assert _run(either, {"n": -1, "s": "x"}).output == "yes"
    assert _run(either, {"n": -1, "s": "y"}).output == "no"
    assert _run(negated, {"n": 0}).output == "yes"
    assert _run(negated, {"n": 1}).output == "no"
    nested = _choice({"Not": {"Or": [{"Not": positive}, {"Variable": "$.n", "NumericEquals": 3}]}})
    assert _run(nested, {"n": 4}).output == "yes"
    assert _run(nested, {"n": 3}).output == "no"


def test_the_first_matching_rule_wins_and_no_match_without_default_fails() -> None:
    definition = _choice({"Variable": "$.n", "NumericGreaterThan": 0})
    definition["States"]["Decide"]["Choices"].append(
        {"Variable": "$.n", "NumericGreaterThan": 5, "Next": "No"}
    )
    assert _run(definition, {"n": 7}).output == "yes"
    del definition["States"]["Decide"]["Default"]
    execution = _run(definition, {"n": -1})
    assert (execution.status, execution.error) == ("FAILED", "States.NoChoiceMatched")


# --- Map: ToleratedFailureCount and ToleratedFailurePercentage -----------------------------------


def _tolerant_map(**tolerance: Any) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                **tolerance,
                "ItemProcessor": {
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "BooleanEquals": True, "Next": "Broken"}],
                            "Default": "Fine",
                        },
                        "Broken": {"Type": "Fail", "Error": "Item.Broken", "Cause": "bad item"},
                        "Fine": {"Type": "Succeed"},
                    },
                },
                "End": True,
            }
        },
    }


def _items(total: int, failing: int) -> dict[str, list[bool]]:
    return {"items": [index < failing for index in range(total)]}


@pytest.mark.parametrize(
    ("count", "total", "failing", "status"),
    [
        (0, 3, 0, "SUCCEEDED"),
        (0, 3, 1, "FAILED"),
        (1, 3, 1, "SUCCEEDED"),
        (1, 3, 2, "FAILED"),
        (3, 3, 3, "SUCCEEDED"),
    ],
)
def test_tolerated_failure_count(count: int, total: int, failing: int, status: str) -> None:
    execution = _run(_tolerant_map(ToleratedFailureCount=count), _items(total, failing))
    assert execution.status == status
    if status == "FAILED":
        assert execution.error == "States.ExceedToleratedFailureThreshold"


@pytest.mark.parametrize(
    ("percentage", "total", "failing", "status"),
    [
        (10, 10, 1, "SUCCEEDED"),  # exactly 10 % failed: not more than tolerated
        (10, 10, 2, "FAILED"),
        (33, 3, 1, "FAILED"),  # 33.33 % is more than 33 %
        (33.34, 3, 1, "SUCCEEDED"),
        (50, 3, 1, "SUCCEEDED"),
        (50, 3, 2, "FAILED"),  # 66.7 %
        (0, 4, 1, "FAILED"),
        (100, 4, 4, "SUCCEEDED"),
        (24.9, 4, 1, "FAILED"),  # 25 % is more than 24.9 %
        (25, 4, 1, "SUCCEEDED"),
    ],
)
def test_tolerated_failure_percentage(percentage: float, total: int, failing: int, status: str) -> None:
    execution = _run(_tolerant_map(ToleratedFailurePercentage=percentage), _items(total, failing))
    assert execution.status == status
    if status == "FAILED":
        assert execution.error == "States.ExceedToleratedFailureThreshold"


@pytest.mark.parametrize(
    ("tolerance", "cause"),
    [
        ({"ToleratedFailureCountPath": "$.limit"}, "ToleratedFailureCount cannot be negative."),
        (
            {"ToleratedFailurePercentagePath": "$.limit"},
            "ToleratedFailurePercentage must be between 0 and 100.",
        ),
    ],
)
def test_tolerance_out_of_range_from_the_input_fails(tolerance: dict[str, Any], cause: str) -> None:
    execution = _run(_tolerant_map(**tolerance), {**_items(2, 0), "limit": -1})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause.endswith(cause)


# --- Retry: when each attempt happens ------------------------------------------------------------


def _retrying(retrier: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "Retry": [{"ErrorEquals": ["States.ALL"], **retrier}],
                "End": True,
            }
        },
    }


def _attempt_gaps(retrier: dict[str, Any], failures: int) -> tuple[Any, list[float]]:
    """Run a task that fails ``failures`` times; return the execution and the seconds between attempts."""
    clock = VirtualClock(START)
    times: list[datetime] = []

    def flaky(event: Any, context: Any) -> str:
        times.append(clock.now())
        if len(times) <= failures:
            raise RuntimeError("not yet")
        return "done"

    execution = StateMachine(_retrying(retrier), {"flaky": flaky}, clock=clock).run({})
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    return execution, gaps


def test_retry_defaults_one_second_doubling_three_attempts() -> None:
    execution, gaps = _attempt_gaps({}, failures=5)
    assert execution.status == "FAILED"  # 1 try + 3 retries, all failing
    assert gaps == pytest.approx([1, 2, 4], abs=0.01)


def test_interval_and_backoff_rate() -> None:
    execution, gaps = _attempt_gaps({"IntervalSeconds": 3, "BackoffRate": 1.5, "MaxAttempts": 4}, failures=4)
    assert execution.status == "SUCCEEDED"
    assert gaps == pytest.approx([3, 4.5, 6.75, 10.125], abs=0.01)


def test_max_delay_seconds_caps_the_wait() -> None:
    _, gaps = _attempt_gaps(
        {"IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 5, "MaxDelaySeconds": 10}, 9
    )
    assert gaps == pytest.approx([2, 6, 10, 10, 10], abs=0.01)


def test_max_attempts_zero_never_retries() -> None:
    execution, gaps = _attempt_gaps({"MaxAttempts": 0}, failures=1)
    assert (execution.status, gaps) == ("FAILED", [])


def test_full_jitter_waits_between_zero_and_the_computed_delay() -> None:
    for _ in range(5):
        _, gaps = _attempt_gaps(
            {"IntervalSeconds": 4, "BackoffRate": 2, "MaxAttempts": 3, "JitterStrategy": "FULL"}, failures=3
        )
        assert len(gaps) == 3
        for gap, ceiling in zip(gaps, (4, 8, 16), strict=True):
            assert 0 <= gap <= ceiling + 0.01


# --- intrinsic functions at their edges ----------------------------------------------------------


def _intrinsic(expression: str, data: Any = None) -> Any:
    definition = {
        "StartAt": "F",
        "States": {
            "F": {"Type": "Pass", "Parameters": {"r.$": expression}, "OutputPath": "$.r", "End": True}
        },
    }
    return _run(definition, data)


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ("States.ArrayRange(1, 9, 2)", None, [1, 3, 5, 7, 9]),
        ("States.ArrayRange(0, 10, 3)", None, [0, 3, 6, 9]),  # the end is included only when reached
        ("States.ArrayRange(5, 1, -2)", None, [5, 3, 1]),
        ("States.ArrayPartition($.a, 2)", {"a": [0, 1, 2]}, [[0, 1], [2]]),
        ("States.ArrayPartition($.a, 5)", {"a": [0, 1]}, [[0, 1]]),
        ("States.ArrayPartition($.a, 1)", {"a": []}, []),
        ("States.MathAdd(2147483646, 1)", None, 2147483647),  # the largest int
        ("States.MathAdd(-2147483647, -1)", None, -2147483648),
        ("States.MathAdd($.a, 0)", {"a": 2.5}, 3),  # Java's Math.round: half up
        ("States.MathAdd($.a, 0)", {"a": -2.5}, -2),
        ("States.MathAdd($.a, 0)", {"a": -1.5}, -1),
        ("States.StringSplit($.s, ',')", {"s": ",,a,,b,"}, ["a", "b"]),  # empty pieces are dropped
        ("States.StringSplit($.s, ', ')", {"s": "a, b,c"}, ["a", "b", "c"]),  # each character splits
        ("States.StringSplit($.s, ',')", {"s": ",,,"}, []),
        ("States.Base64Encode($.s)", {"s": "Data to encode"}, "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode($.s)", {"s": "RGF0YSB0byBlbmNvZGU="}, "Data to encode"),
        ("States.Base64Encode($.s)", {"s": ""}, ""),
        ("States.Format('{} and {}', 1, 'two')", None, "1 and two"),
        ("States.Format('\\{\\} {}', 'x')", None, "{} x"),  # \{ and \} are literal braces
        ("States.Format('it\\'s {}', 'fine')", None, "it's fine"),  # \' is a quote
    ],
)
def test_intrinsic_edges(expression: str, data: Any, expected: Any) -> None:
    execution = _intrinsic(expression, data)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == expected


@pytest.mark.parametrize(
    "expression",
    [
        "States.MathAdd(2147483647, 1)",  # past the largest int
        "States.ArrayRange(0, 1000, 1)",  # 1,001 items: AWS allows at most 1,000
        "States.ArrayRange(0, 10, 0)",
        "States.ArrayPartition(States.Array(1, 2), 0)",
        "States.Hash('data', 'sha-256')",  # algorithm names are exact
    ],
)
def test_intrinsic_edges_that_fail(expression: str) -> None:
    execution = _intrinsic(expression)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "Invalid arguments in States." in execution.cause


@pytest.mark.parametrize(
    ("algorithm", "standard_name"),
    [("MD5", "md5"), ("SHA-1", "sha1"), ("SHA-256", "sha256"), ("SHA-384", "sha384"), ("SHA-512", "sha512")],
)
def test_hash_algorithms(algorithm: str, standard_name: str) -> None:
    # The oracle is the standard algorithm itself: lower-case hex of the UTF-8 bytes' digest.
    text = "input data 된장"
    execution = _intrinsic(f"States.Hash($.s, '{algorithm}')", {"s": text})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == hashlib.new(standard_name, text.encode()).hexdigest()


def test_uuid_is_a_version_4_uuid() -> None:
    outputs = {_intrinsic("States.UUID()").output for _ in range(3)}
    assert len(outputs) == 3
    for output in outputs:
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", output)


def test_base64_round_trip_of_unicode() -> None:
    text = "된장찌개 🍲"
    encoded = _intrinsic("States.Base64Encode($.s)", {"s": text}).output
    assert encoded == base64.b64encode(text.encode()).decode()
    assert _intrinsic("States.Base64Decode($.s)", {"s": encoded}).output == text
