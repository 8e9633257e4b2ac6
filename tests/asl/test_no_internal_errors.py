"""Property: no definition, input or expression makes the runtime fail with an internal error.

Generated state machines (JSONPath payload templates with paths and intrinsic calls, Choice rules,
Map states, JSONata expressions) run on generated inputs. Every outcome must be one AWS could give:
the definition refused (``DefinitionError``, as CreateStateMachine refuses it), a success, or a
failure named as AWS names failures (``States.Runtime``, ``States.QueryEvaluationError`` ...), with
a cause that is not "Internal error in the runtime" and no Python exception escaping ``run``.
Example counts are bounded so the suite stays fast.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asl import StateMachine, VirtualClock
from asl.errors import DefinitionError

#: the error names a generated machine may fail with: AWS's predefined ones and its own Fail states
AWS_ERROR = re.compile(r"States\.[A-Za-z]+|Generated\.Failure")
INTERNAL = "Internal error"

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible, never flaky
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- inputs --------------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from([0, 1, -1, 2**31 - 1, -(2**31), 2**31, 2**63, 1.5, -2.5, 1e308, 0.1]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=8),
    st.sampled_from(
        [
            "",
            "1",
            "1.5",
            "true",
            "null",
            "{}",
            "[1,2]",
            "123data",
            "2026-12-07T10:00:00Z",
            "a,b,,c",
            "SGVsbG8=",
            "{",
        ]
    ),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from("abcxy"), children, max_size=4)
    ),
    max_leaves=12,
)
INPUTS = st.fixed_dictionaries({}, optional={"a": JSON_VALUES, "b": JSON_VALUES, "c": JSON_VALUES})

# --- definitions ---------------------------------------------------------------------------------

PATHS = st.sampled_from(
    [
        "$",
        "$.a",
        "$.b",
        "$.a[0]",
        "$.a[-1:]",
        "$.a[*]",
        "$..x",
        "$.a.b.c",
        "$.a[?(@.x > 1)]",
        "$.a.length()",
        "$$.Execution.Input",
        "$$.State.Name",
    ]
)
ARGUMENTS = st.one_of(
    PATHS,
    st.sampled_from(
        ["1", "0", "-1", "2.5", "'a'", "''", "','", "null", "true", "'MD5'", "'SHA-256'", "'{}'"]
    ),
)
FUNCTIONS = {
    "States.Format": (1, 3),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, 3),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}


@st.composite
def intrinsic_calls(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(sorted(FUNCTIONS)))
    low, high = FUNCTIONS[name]
    count = draw(st.integers(min_value=low, max_value=high + 1))  # sometimes one too many
    inner = intrinsic_calls(depth + 1) if depth < 1 else ARGUMENTS
    args = [draw(st.one_of(ARGUMENTS, inner)) for _ in range(count)]
    if name == "States.Format" and args:
        args[0] = draw(st.sampled_from(["'{}'", "'{} and {}'", "'x'", "'\\{\\}'", "'{'"]))
    return f"{name}({', '.join(args)})"


def _wrap(states: dict[str, Any], start: str, language: str = "JSONPath") -> dict[str, Any]:
    return {"QueryLanguage": language, "StartAt": start, "States": states}


@st.composite
def jsonpath_machines(draw: st.DrawFn) -> dict[str, Any]:
    """Pass states whose payload templates use paths and intrinsic calls, then a Choice."""
    parameters = {
        f"p{index}.$": draw(st.one_of(PATHS, intrinsic_calls()))
        for index in range(draw(st.integers(min_value=1, max_value=3)))
    }
    pass_state: dict[str, Any] = {"Type": "Pass", "Parameters": parameters, "Next": "Decide"}
    for field in ("InputPath", "ResultPath", "OutputPath"):
        if draw(st.booleans()):
            pass_state[field] = draw(st.sampled_from(["$", "$.a", "$.r", "$.a[0]"]))
    operator = draw(
        st.sampled_from(
            [
                "NumericEquals",
                "NumericLessThanPath",
                "StringEquals",
                "StringGreaterThanEqualsPath",
                "TimestampLessThan",
                "BooleanEquals",
                "IsNumeric",
                "IsPresent",
                "IsTimestamp",
            ]
        )
    )
    operands = {
        "Numeric": 1,
        "String": "b",
        "Timestamp": "2026-12-07T10:00:00Z",
        "Boolean": True,
        "Is": True,
    }
    operand: Any = next(value for prefix, value in operands.items() if operator.startswith(prefix))
    if operator.endswith("Path"):
        operand = draw(PATHS)
    rule = {"Variable": draw(PATHS), operator: operand, "Next": "Done"}
    if draw(st.booleans()):
        rule = {"Not": {k: v for k, v in rule.items() if k != "Next"}, "Next": "Done"}
    return _wrap(
        {
            "Shape": pass_state,
            "Decide": {"Type": "Choice", "Choices": [rule], "Default": "Stop"},
            "Done": {"Type": "Succeed"},
            "Stop": {"Type": "Fail", "Error": "Generated.Failure", "Cause": "no rule matched"},
        },
        "Shape",
    )


@st.composite
def map_machines(draw: st.DrawFn) -> dict[str, Any]:
    """A Map over a path of the input, with an item selector and failure tolerance."""
    map_state: dict[str, Any] = {
        "Type": "Map",
        "ItemsPath": draw(st.sampled_from(["$.a", "$.b", "$", "$.a[*]"])),
        "ItemSelector": {
            "item.$": "$$.Map.Item.Value",
            "index.$": "$$.Map.Item.Index",
            "made.$": draw(intrinsic_calls()),
        },
        "MaxConcurrency": draw(st.integers(min_value=0, max_value=3)),
        "ItemProcessor": {
            "StartAt": "Inner",
            "States": {
                "Inner": {"Type": "Pass", "Parameters": {"v.$": draw(intrinsic_calls())}, "End": True}
            },
        },
        "End": True,
    }
    if draw(st.booleans()):
        map_state["ToleratedFailurePercentage"] = draw(st.sampled_from([0, 50, 100]))
    return _wrap({"Each": map_state}, "Each")


JSONATA_EXPRESSIONS = st.sampled_from(
    [
        "$states.input",
        "$states.input.a",
        "$states.input.a + 1",
        "$states.input.a & $states.input.b",
        "$count($states.input.a)",
        "$sum($states.input.a)",
        "$string($states.input)",
        "$number($states.input.a)",
        "$keys($states.input)",
        "$states.input.a[0]",
        "$states.input.a.b.c",
        "$uppercase($states.input.a)",
        "$split($states.input.a, ',')",
        "$parse($states.input.a)",
        "$partition($states.input.a, 2)",
        "$range(0, $states.input.a, 1)",
        "$hash($states.input.a, 'SHA-256')",
        "$states.input.a ? 1 : 0",
        "$states.context.Execution.Input",
        "$not($states.input.a)",
        "$states.input.a / 0",
        "$exists($states.input.z)",
    ]
)


CONDITIONS = st.sampled_from(
    ["$exists($states.input.a)", "$states.input.a = 1", "$boolean($states.input.b)", "$states.input.a > 0"]
)
ITEMS = st.sampled_from(
    ["$states.input.a", "$keys($states.input)", "$split($states.input.a, ',')", "[1, 2, 3]"]
)


@st.composite
def jsonata_machines(draw: st.DrawFn) -> dict[str, Any]:
    """JSONata Pass, Choice and Map states whose expressions meet every kind of input."""
    output = {"x": "{% " + draw(JSONATA_EXPRESSIONS) + " %}"}
    condition = "{% " + draw(st.one_of(CONDITIONS, JSONATA_EXPRESSIONS)) + " %}"
    return _wrap(
        {
            "Shape": {
                "Type": "Pass",
                "Output": output,
                "Assign": {"kept": "{% $states.input %}"},
                "Next": "Decide",
            },
            "Decide": {
                "Type": "Choice",
                "Choices": [{"Condition": condition, "Next": "Each"}],
                "Default": "Each",
            },
            "Each": {
                "Type": "Map",
                "Items": "{% "
                + draw(st.one_of(ITEMS, JSONATA_EXPRESSIONS)).replace("$states.input", "$kept")
                + " %}",
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {"Inner": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}},
                },
                "End": True,
            },
        },
        "Shape",
        "JSONata",
    )


def _assert_aws_outcome(definition: dict[str, Any], data: Any) -> None:
    try:
        machine = StateMachine(definition, clock=VirtualClock())
    except DefinitionError:
        return  # refused as CreateStateMachine would refuse it
    execution = machine.run(json.loads(json.dumps(data)))
    if execution.status == "SUCCEEDED":
        json.dumps(execution.output)  # the output is JSON
        return
    assert execution.status == "FAILED", execution.status
    assert AWS_ERROR.fullmatch(execution.error or ""), (execution.error, execution.cause)
    assert INTERNAL not in (execution.cause or ""), execution.cause


@SETTINGS
@given(definition=jsonpath_machines(), data=INPUTS)
def test_jsonpath_states_with_intrinsics_fail_only_with_aws_errors(
    definition: dict[str, Any], data: Any
) -> None:
    _assert_aws_outcome(definition, data)


@SETTINGS
@given(definition=map_machines(), data=INPUTS)
def test_map_states_fail_only_with_aws_errors(definition: dict[str, Any], data: Any) -> None:
    _assert_aws_outcome(definition, data)


@SETTINGS
@given(definition=jsonata_machines(), data=INPUTS)
def test_jsonata_states_fail_only_with_aws_errors(definition: dict[str, Any], data: Any) -> None:
    _assert_aws_outcome(definition, data)


# AWS fails a JSONata expression whose value is a function with States.QueryEvaluationError ("returned an
# unsupported result type"); the runtime fails it with "Internal error in the runtime: TypeError: Object of
# type Symbol is not JSON serializable". Only this shape is marked; the runtime's fix turns it into an XPASS,
# which fails the suite until the mark is removed.
FUNCTION_VALUED = st.sampled_from(["$uppercase", "function($x){$x}", "$sum", "λ($v){$v * 2}"])


@st.composite
def function_valued_machines(draw: st.DrawFn) -> dict[str, Any]:
    expression = "{% " + draw(FUNCTION_VALUED) + " %}"
    if draw(st.booleans()):
        return _wrap({"P": {"Type": "Pass", "Output": {"x": expression}, "End": True}}, "P", "JSONata")
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    return _wrap(
        {"M": {"Type": "Map", "Items": expression, "ItemProcessor": processor, "End": True}}, "M", "JSONata"
    )


@settings(SETTINGS, max_examples=10)
@given(definition=function_valued_machines(), data=INPUTS)
def test_jsonata_expressions_returning_a_function_fail_with_an_aws_error(
    definition: dict[str, Any], data: Any
) -> None:
    _assert_aws_outcome(definition, data)


def test_a_function_valued_expression_is_a_query_evaluation_error() -> None:
    """AWS: an expression whose value is a function fails with States.QueryEvaluationError,
    "returned an unsupported result type" (issue 16's recorded wording)."""
    machine = StateMachine(
        _wrap({"P": {"Type": "Pass", "Output": {"x": "{% $uppercase %}"}, "End": True}}, "P", "JSONata")
    )
    execution = machine.run({})
    assert execution.status == "FAILED"
    assert execution.error == "States.QueryEvaluationError"
    assert "returned an unsupported result type" in (execution.cause or "")


def test_an_aws_failure_is_accepted_and_an_internal_one_is_not() -> None:
    """The oracle itself: a Fail state's error passes; the runtime's internal-error wording does not."""
    failing = _wrap({"F": {"Type": "Fail", "Error": "Generated.Failure", "Cause": "x"}}, "F")
    _assert_aws_outcome(failing, {})
    assert not AWS_ERROR.fullmatch("TypeError")
    with pytest.raises(AssertionError):
        assert INTERNAL not in "Internal error in the runtime: TypeError: boom"
