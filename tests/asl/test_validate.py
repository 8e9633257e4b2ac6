"""Tests for asl.validate: AWS-accepted definitions pass; each problem has its code, message and place."""

from __future__ import annotations

import json
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl._validation import context
from asl.errors import DefinitionError, Problem
from asl.validate import iter_errors, validate

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING = "MISSING_TRANSITION_TARGET"
CODES = {
    SCHEMA,
    MISSING,
    "MISSING_END_STATE",
    "DUPLICATE_STATE_NAME",
    "INVALID_STATE_NAME",
    "INVALID_RESOURCE",
    "INVALID_LABEL_NAME",
    "DUPLICATE_LABEL_NAME",
    "TOO_DEEPLY_NESTED",
}
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


# --- the conformance corpus: AWS accepted every one of these definitions -------------------------


def _conformance_dir() -> Path:
    configured = os.environ.get("ASL_CONFORMANCE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "conformance"


def _corpus() -> list[Any]:
    directory = _conformance_dir()
    files = sorted(directory.glob("*.jsonl")) if directory.is_dir() else []
    if not files:
        reason = f"conformance corpus not found: no *.jsonl in {directory} (set ASL_CONFORMANCE_DIR)"
        return [pytest.param(None, id="corpus-absent", marks=pytest.mark.skip(reason=reason))]
    cases = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                cases.append(pytest.param(case["definition"], id=case["id"]))
    return cases


@pytest.mark.parametrize("definition", _corpus())
def test_every_definition_aws_accepted_has_no_problem(definition: dict[str, Any]) -> None:
    assert list(iter_errors(definition)) == []


# --- helpers ----------------------------------------------------------------------------------


def machine(states: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A state machine starting at the first of ``states``."""
    return {"StartAt": next(iter(states)), "States": states, **top}


def problems(definition: Any) -> list[Problem]:
    return list(iter_errors(definition))


def only(definition: Any) -> Problem:
    found = problems(definition)
    assert len(found) == 1, found
    return found[0]


def pass_with(**fields: Any) -> dict[str, Any]:
    return machine({"A": {"Type": "Pass", "End": True, **fields}})


# --- the public faces -------------------------------------------------------------------------


def test_a_valid_definition_validates_silently() -> None:
    definition = machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}})
    assert problems(definition) == []
    validate(definition)


def test_validate_raises_with_every_problem_in_order() -> None:
    definition = machine({"A": {"Type": "Pass", "Next": "Nowhere", "Bogus": 1}})
    with pytest.raises(DefinitionError) as caught:
        validate(definition)
    assert [(p.code, p.location) for p in caught.value.problems] == [
        (MISSING, "/States/A/Next"),
        (SCHEMA, "/States/A/Bogus"),
        ("MISSING_END_STATE", "/States"),
    ]
    assert "/States/A/Next" in str(caught.value)


# --- the machine itself -----------------------------------------------------------------------


def test_a_definition_that_is_not_an_object() -> None:
    assert only([1]) == Problem(
        SCHEMA, "The definition must be a JSON object with StartAt and States, not an array", ""
    )


def test_startat_and_states_are_required() -> None:
    assert problems({}) == [
        Problem(SCHEMA, "Field 'StartAt' is required: the name of the first state to run", ""),
        Problem(SCHEMA, "Field 'States' is required: a JSON object mapping state names to states", ""),
    ]


def test_states_must_be_a_non_empty_object() -> None:
    assert only({"StartAt": "A", "States": {}}) == Problem(
        SCHEMA, "Field 'States' must be a non-empty JSON object of states, not an empty object", "/States"
    )
    assert only({"StartAt": "A", "States": [1]}).message.endswith("not [1]")


def test_startat_must_name_a_state() -> None:
    definition = {"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}
    assert only(definition) == Problem(
        MISSING, "Field 'StartAt' names 'Nope', but there is no such state in /States", "/StartAt"
    )
    assert only({"StartAt": 3, "States": {"A": {"Type": "Succeed"}}}) == Problem(
        SCHEMA, "Field 'StartAt' must be a string naming a state, not 3", "/StartAt"
    )


def test_unknown_top_level_field() -> None:
    found = only(machine({"A": {"Type": "Succeed"}}, Extra=1))
    assert (found.code, found.location) == (SCHEMA, "/Extra")
    assert found.message == (
        "Field 'Extra' is not supported at the top level of a state machine; allowed fields: "
        "Comment, QueryLanguage, StartAt, States, TimeoutSeconds, Version"
    )


def test_top_level_timeout_must_be_a_positive_integer() -> None:
    assert only(machine({"A": {"Type": "Succeed"}}, TimeoutSeconds=0)) == Problem(
        SCHEMA, "Field 'TimeoutSeconds' must be an integer of at least 1, not 0", "/TimeoutSeconds"
    )


# --- states: Type and fields ------------------------------------------------------------------


def test_a_state_must_be_an_object() -> None:
    assert only(machine({"A": "Pass"})) == Problem(
        SCHEMA, "State 'A' must be a JSON object with a Type field, not \"Pass\"", "/States/A"
    )


def test_type_is_required_and_known() -> None:
    types_ = "Choice, Fail, Map, Parallel, Pass, Succeed, Task, Wait"
    assert only(machine({"A": {"End": True}})) == Problem(
        SCHEMA, f"Field 'Type' is required; allowed values: {types_}", "/States/A"
    )
    assert only(machine({"A": {"Type": "Sleep", "End": True}})) == Problem(
        SCHEMA, f"Field 'Type' must be one of {types_}, not \"Sleep\"", "/States/A/Type"
    )


def test_unknown_field_names_the_allowed_ones() -> None:
    assert only(machine({"A": {"Type": "Succeed", "Next": "A"}})) == Problem(
        SCHEMA,
        "Field 'Next' is not supported in a Succeed state; allowed fields: "
        "Comment, InputPath, OutputPath, QueryLanguage, Type",
        "/States/A/Next",
    )


@pytest.mark.parametrize("field", ["InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath"])
def test_jsonpath_fields_are_refused_in_jsonata_states(field: str) -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "End": True, field: "$"}
    found = only(machine({"A": state}, QueryLanguage="JSONata"))
    assert (found.code, found.location) == (SCHEMA, f"/States/A/{field}")
    assert found.message.startswith(
        f"Field '{field}' is only allowed when QueryLanguage is JSONPath, and this Task state uses JSONata; "
        "allowed fields: Arguments, Assign, Catch,"
    )


@pytest.mark.parametrize("field", ["Arguments", "Output"])
def test_jsonata_fields_are_refused_in_jsonpath_states(field: str) -> None:
    found = only(machine({"A": {"Type": "Task", "Resource": LAMBDA, "End": True, field: {}}}))
    assert (found.code, found.location) == (SCHEMA, f"/States/A/{field}")
    assert found.message.startswith(f"Field '{field}' is only allowed when QueryLanguage is JSONata")


def test_a_state_may_choose_jsonata_in_a_jsonpath_machine() -> None:
    definition = machine(
        {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 %}", "End": True}}
    )
    assert problems(definition) == []


def test_query_language_values() -> None:
    assert only(pass_with(QueryLanguage="XPath")) == Problem(
        SCHEMA,
        "Field 'QueryLanguage' must be one of JSONPath, JSONata, not \"XPath\"",
        "/States/A/QueryLanguage",
    )
    jsonata_top = machine(
        {"A": {"Type": "Pass", "End": True, "QueryLanguage": "JSONPath"}}, QueryLanguage="JSONata"
    )
    assert only(jsonata_top) == Problem(
        SCHEMA,
        "Field 'QueryLanguage' cannot be JSONPath when the state machine's top-level QueryLanguage "
        "is JSONata",
        "/States/A/QueryLanguage",
    )


# --- transitions and the graph ----------------------------------------------------------------


def test_next_must_name_a_state() -> None:
    found = problems(machine({"A": {"Type": "Pass", "Next": "B"}, "C": {"Type": "Succeed"}}))
    assert found[0] == Problem(
        MISSING,
        "Missing 'Next' target: there is no state named 'B' in /States "
        "(a transition cannot leave its Parallel branch or Map processor)",
        "/States/A/Next",
    )


def test_next_xor_end() -> None:
    neither = problems(machine({"A": {"Type": "Wait", "Seconds": 1}}))
    assert neither[0] == Problem(
        SCHEMA, "A Wait state needs 'Next' (a state name) or 'End': true; it has neither", "/States/A"
    )
    both = machine({"A": {"Type": "Pass", "Next": "B", "End": True}, "B": {"Type": "Succeed"}})
    assert only(both) == Problem(
        SCHEMA, "A state cannot have both 'Next' and 'End': true; keep one", "/States/A/End"
    )
    assert only(pass_with(End="yes")).location == "/States/A/End"


def test_unreachable_state() -> None:
    definition = machine({"A": {"Type": "Succeed"}, "Lost": {"Type": "Succeed"}})
    assert only(definition) == Problem(
        MISSING,
        'State "Lost" is not reachable: no StartAt, Next, Default or Catch Next leads to it',
        "/States/Lost",
    )


def test_states_reached_through_choice_and_catch_are_reachable() -> None:
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "T"}],
                "Default": "D",
            },
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "End": True,
                "Catch": [{"ErrorEquals": ["X"], "Next": "F"}],
            },
            "D": {"Type": "Succeed"},
            "F": {"Type": "Fail"},
        }
    )
    assert problems(definition) == []


def test_no_terminal_state() -> None:
    assert only(machine({"A": {"Type": "Pass", "Next": "A"}})) == Problem(
        "MISSING_END_STATE",
        "No terminal state can be reached from StartAt: give a reachable state 'End': true, "
        "or lead to a Succeed or Fail state",
        "/States",
    )


def test_state_names_are_at_most_80_characters() -> None:
    assert problems(machine({"N" * 80: {"Type": "Succeed"}})) == []
    found = only(machine({"N" * 81: {"Type": "Succeed"}}))
    assert (found.code, found.location) == ("INVALID_STATE_NAME", "/States/" + "N" * 81)
    assert found.message == f"State name '{'N' * 20}...' has 81 characters; a state name must have 1 to 80"


def test_state_names_are_unique_across_branches() -> None:
    branch = machine({"Same": {"Type": "Succeed"}})
    definition = machine({"P": {"Type": "Parallel", "Branches": [branch, branch], "End": True}})
    assert only(definition) == Problem(
        "DUPLICATE_STATE_NAME",
        "State name 'Same' is already used at /States/P/Branches/0/States/Same; state names must be unique "
        "in the whole state machine, Parallel branches and Map processors included",
        "/States/P/Branches/1/States/Same",
    )


def test_locations_escape_slash_and_tilde() -> None:
    found = only(machine({"a/b~c": {"Type": "Pass", "End": 1}}))
    assert found == Problem(SCHEMA, "Field 'End' must be true or false, not 1", "/States/a~1b~0c/End")


# --- nested machines --------------------------------------------------------------------------


def test_next_may_not_leave_a_branch() -> None:
    branch = machine({"Inner": {"Type": "Pass", "Next": "Outer"}})
    definition = machine(
        {"P": {"Type": "Parallel", "Branches": [branch], "Next": "Outer"}, "Outer": {"Type": "Succeed"}}
    )
    found = problems(definition)
    assert found[0] == Problem(
        MISSING,
        "Missing 'Next' target: there is no state named 'Outer' in /States/P/Branches/0/States "
        "(a transition cannot leave its Parallel branch or Map processor)",
        "/States/P/Branches/0/States/Inner/Next",
    )
    assert found[1] == Problem(
        "MISSING_END_STATE",
        "No terminal state can be reached from StartAt: give a reachable state 'End': true, "
        "or lead to a Succeed or Fail state",
        "/States/P/Branches/0/States",
    )


def test_parallel_needs_branches() -> None:
    assert only(machine({"P": {"Type": "Parallel", "Branches": [], "End": True}})) == Problem(
        SCHEMA, "Field 'Branches' must be a non-empty array of state machines, not []", "/States/P/Branches"
    )
    assert only(machine({"P": {"Type": "Parallel", "End": True}})) == Problem(
        SCHEMA, "Field 'Branches' is required in a Parallel state", "/States/P"
    )


def _map(**fields: Any) -> dict[str, Any]:
    processor = {"StartAt": "Item", "States": {"Item": {"Type": "Succeed"}}}
    return machine({"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}})


def test_map_needs_exactly_one_processor() -> None:
    assert only(machine({"M": {"Type": "Map", "End": True}})) == Problem(
        SCHEMA, "A Map state must have exactly one of ItemProcessor, Iterator; it has none", "/States/M"
    )
    processor = {"StartAt": "I2", "States": {"I2": {"Type": "Succeed"}}}
    assert only(_map(Iterator=processor)) == Problem(
        SCHEMA,
        "A Map state must have exactly one of ItemProcessor, Iterator; it has ItemProcessor, Iterator",
        "/States/M/Iterator",
    )


def test_map_processor_is_checked_as_a_machine() -> None:
    bad = {"StartAt": "I", "States": {"I": {"Type": "Pass"}}, "ProcessorConfig": {"Mode": "PARALLEL"}}
    found = problems(machine({"M": {"Type": "Map", "ItemProcessor": bad, "End": True}}))
    assert [(p.code, p.location) for p in found] == [
        (SCHEMA, "/States/M/ItemProcessor/ProcessorConfig/Mode"),
        (SCHEMA, "/States/M/ItemProcessor/States/I"),
        ("MISSING_END_STATE", "/States/M/ItemProcessor/States"),
    ]
    assert found[0].message == "Field 'Mode' must be one of INLINE, DISTRIBUTED, not \"PARALLEL\""


@pytest.mark.parametrize(
    ("fields", "location", "message"),
    [
        (
            {"MaxConcurrency": -1},
            "MaxConcurrency",
            "Field 'MaxConcurrency' must be an integer of at least 0, not -1",
        ),
        (
            {"ToleratedFailurePercentage": 101},
            "ToleratedFailurePercentage",
            "Field 'ToleratedFailurePercentage' must be a number from 0 to 100, not 101",
        ),
        (
            {"MaxConcurrency": 1, "MaxConcurrencyPath": "$.n"},
            "MaxConcurrencyPath",
            "Fields 'MaxConcurrency' and 'MaxConcurrencyPath' cannot both be set; use one",
        ),
        (
            {"ItemsPath": "items"},
            "ItemsPath",
            "Field 'ItemsPath' must be a JSONPath such as $.items[0]; \"items\" is not: "
            "it does not start with '$'",
        ),
    ],
)
def test_map_fields(fields: dict[str, Any], location: str, message: str) -> None:
    assert only(_map(**fields)) == Problem(SCHEMA, message, f"/States/M/{location}")


def test_map_labels() -> None:
    assert problems(_map(Label="Batch01")) == []
    found = only(_map(Label="bad label"))
    assert (found.code, found.location) == ("INVALID_LABEL_NAME", "/States/M/Label")
    assert found.message.startswith("Field 'Label' must have 1 to 40 characters and no whitespace")
    processor = {"StartAt": "Item", "States": {"Item": {"Type": "Succeed"}}}
    twice = machine(
        {
            "M1": {"Type": "Map", "ItemProcessor": processor, "Label": "L", "Next": "M2"},
            "M2": {
                "Type": "Map",
                "Label": "L",
                "End": True,
                "ItemProcessor": machine({"Item2": {"Type": "Succeed"}}),
            },
        }
    )
    assert only(twice) == Problem(
        "DUPLICATE_LABEL_NAME",
        'Label "L" is already used at /States/M1/Label; Map labels must be unique',
        "/States/M2/Label",
    )


def test_jsonata_map_fields() -> None:
    processor = {"StartAt": "Item", "States": {"Item": {"Type": "Succeed"}}}
    state = {
        "Type": "Map",
        "ItemProcessor": processor,
        "End": True,
        "Items": "$.items",
        "MaxConcurrency": "{% 2 %}",
    }
    assert only(machine({"M": state}, QueryLanguage="JSONata")) == Problem(
        SCHEMA,
        "Field 'Items' must be an array or a JSONata expression {% ... %}, not \"$.items\"",
        "/States/M/Items",
    )


def test_nesting_too_deep_is_reported_not_crashed() -> None:
    inner: dict[str, Any] = machine({"Leaf": {"Type": "Succeed"}})
    for depth in range(200):
        inner = machine({f"P{depth}": {"Type": "Parallel", "Branches": [inner], "End": True}})
    codes = {p.code for p in problems(inner)}
    assert codes == {"TOO_DEEPLY_NESTED"}


# --- Choice -----------------------------------------------------------------------------------


def choice(*rules: Any, **fields: Any) -> dict[str, Any]:
    state = {"Type": "Choice", "Choices": list(rules), "Default": "Done", **fields}
    return machine({"C": state, "Done": {"Type": "Succeed"}})


def rule(**fields: Any) -> dict[str, Any]:
    return {"Variable": "$.x", "Next": "Done", **fields}


def test_choices_must_be_a_non_empty_array() -> None:
    assert problems(choice(Default="Done"))[0] == Problem(
        SCHEMA, "Field 'Choices' must be a non-empty array of Choice rules, not []", "/States/C/Choices"
    )


def test_default_must_name_a_state() -> None:
    found = problems(choice(rule(IsPresent=True), Default="Elsewhere"))
    assert found == [
        Problem(
            MISSING,
            "Missing 'Default' target: there is no state named 'Elsewhere' in /States "
            "(a transition cannot leave its Parallel branch or Map processor)",
            "/States/C/Default",
        )
    ]


def test_a_rule_needs_exactly_one_operator() -> None:
    assert only(choice({"Variable": "$.x", "Next": "Done"})) == Problem(
        SCHEMA,
        "A Choice rule needs exactly one comparison operator (such as StringEquals or IsPresent) "
        "or one of And, Or, Not; it has none",
        "/States/C/Choices/0",
    )
    assert only(choice(rule(IsNull=True, IsPresent=True))) == Problem(
        SCHEMA,
        "A Choice rule needs exactly one comparison operator or And/Or/Not; it has IsNull, IsPresent",
        "/States/C/Choices/0/IsPresent",
    )


def test_a_rule_needs_next_and_variable() -> None:
    assert only(choice({"Variable": "$.x", "IsNull": True})) == Problem(
        SCHEMA,
        "Field 'Next' is required in a top-level Choice rule: the state to go to",
        "/States/C/Choices/0",
    )
    assert only(choice({"IsNull": True, "Next": "Done"})) == Problem(
        SCHEMA, "Field 'Variable' is required with the comparison operator IsNull", "/States/C/Choices/0"
    )


def test_boolean_rules_nest_without_next() -> None:
    nested = {
        "And": [{"Variable": "$.a", "IsNull": True}, {"Not": {"Variable": "$.b", "IsNull": True}}],
        "Next": "Done",
    }
    assert problems(choice(nested)) == []
    bad = {"Or": [{"Variable": "$.a", "IsNull": True, "Next": "Done"}], "Next": "Done"}
    assert only(choice(bad)) == Problem(
        SCHEMA,
        "Field 'Next' is only allowed in a top-level Choice rule, not inside And/Or/Not",
        "/States/C/Choices/0/Or/0/Next",
    )
    assert only(choice({"And": [], "Next": "Done"})) == Problem(
        SCHEMA, "Field 'And' must be a non-empty array of Choice rules, not []", "/States/C/Choices/0/And"
    )
    assert only(
        choice({"Not": {"Variable": "$.a", "IsNull": True}, "Variable": "$.a", "Next": "Done"})
    ) == Problem(SCHEMA, "Field 'Variable' is not allowed with Not", "/States/C/Choices/0/Variable")


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("StringEquals", 1, "a string"),
        ("StringMatches", None, "a string"),
        ("NumericEquals", "1", "a number"),
        ("NumericLessThan", True, "a number"),
        ("BooleanEquals", "true", "a boolean (true or false)"),
        ("IsPresent", "yes", "a boolean (true or false)"),
        (
            "TimestampEquals",
            "2016-03-14t01:59:00z",
            "an RFC 3339 timestamp string such as 2016-03-14T01:59:00Z",
        ),
    ],
)
def test_comparison_operand_types(operator: str, value: Any, expected: str) -> None:
    assert only(choice(rule(**{operator: value}))) == Problem(
        SCHEMA,
        f"Field '{operator}' must be {expected}, not {json.dumps(value)}",
        f"/States/C/Choices/0/{operator}",
    )


def test_path_operators_need_paths() -> None:
    assert only(choice(rule(StringEqualsPath="x"))) == Problem(
        SCHEMA,
        "Field 'StringEqualsPath' must be a JSONPath such as $.items[0]; \"x\" is not: "
        "it does not start with '$'",
        "/States/C/Choices/0/StringEqualsPath",
    )


def test_jsonata_choice_rules() -> None:
    good = {"Condition": "{% $states.input.x > 1 %}", "Next": "Done", "Output": {}, "Assign": {"a": 1}}
    assert problems(choice(good, QueryLanguage="JSONata")) == []
    assert only(choice({"Next": "Done"}, QueryLanguage="JSONata")) == Problem(
        SCHEMA, "Field 'Condition' is required in a JSONata Choice rule", "/States/C/Choices/0"
    )
    assert only(choice({"Condition": "x > 1", "Next": "Done"}, QueryLanguage="JSONata")) == Problem(
        SCHEMA,
        "Field 'Condition' must be a JSONata expression {% ... %} or a boolean, not \"x > 1\"",
        "/States/C/Choices/0/Condition",
    )
    found = problems(choice(rule(IsNull=True), QueryLanguage="JSONata"))[0]
    assert (found.location, found.message[:70]) == (
        "/States/C/Choices/0/Variable",
        "Field 'Variable' is not supported in a JSONata Choice rule (comparison",
    )


# --- Fail, Wait, Task -------------------------------------------------------------------------


def test_fail_error_and_error_path_exclude_each_other() -> None:
    fail = {"Type": "Fail", "Error": "E", "ErrorPath": "$.e", "Cause": "c", "CausePath": "$.c"}
    assert problems(machine({"F": fail})) == [
        Problem(SCHEMA, "Fields 'Error' and 'ErrorPath' cannot both be set; use one", "/States/F/ErrorPath"),
        Problem(SCHEMA, "Fields 'Cause' and 'CausePath' cannot both be set; use one", "/States/F/CausePath"),
    ]


def test_fail_paths_may_be_intrinsic_calls() -> None:
    fail = {"Type": "Fail", "ErrorPath": "States.Format('E{}', $.n)", "CausePath": "$$.State.Name"}
    assert problems(machine({"F": fail})) == []
    found = only(machine({"F": {"Type": "Fail", "ErrorPath": "error"}}))
    assert (found.code, found.location) == (SCHEMA, "/States/F/ErrorPath")


@pytest.mark.parametrize(
    ("fields", "location", "message"),
    [
        (
            {},
            "",
            "A Wait state must have exactly one of Seconds, Timestamp, SecondsPath, TimestampPath; "
            "it has none",
        ),
        (
            {"Seconds": 1, "SecondsPath": "$.s"},
            "/SecondsPath",
            "A Wait state must have exactly one of Seconds, Timestamp, SecondsPath, TimestampPath; "
            "it has Seconds, SecondsPath",
        ),
        ({"Seconds": -1}, "/Seconds", "Field 'Seconds' must be an integer from 0 to 99999999, not -1"),
        ({"Seconds": 1.5}, "/Seconds", "Field 'Seconds' must be an integer from 0 to 99999999, not 1.5"),
        (
            {"Timestamp": "2016-03-14 01:59:00Z"},
            "/Timestamp",
            "Field 'Timestamp' must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z; "
            '"2016-03-14 01:59:00Z": '
            "it is not of the form YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm) with an uppercase T",
        ),
        (
            {"Timestamp": "2016-02-30T01:59:00Z"},
            "/Timestamp",
            "Field 'Timestamp' must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z; "
            '"2016-02-30T01:59:00Z": '
            "its date or time is out of range",
        ),
    ],
)
def test_wait_fields(fields: dict[str, Any], location: str, message: str) -> None:
    assert only(machine({"W": {"Type": "Wait", "End": True, **fields}})) == Problem(
        SCHEMA, message, f"/States/W{location}"
    )


def test_wait_accepts_jsonata_expressions_only_in_jsonata() -> None:
    assert (
        problems(machine({"W": {"Type": "Wait", "Seconds": "{% 3 %}", "End": True}}, QueryLanguage="JSONata"))
        == []
    )
    found = only(machine({"W": {"Type": "Wait", "Seconds": "{% 3 %}", "End": True}}))
    assert (found.location, found.message) == (
        "/States/W/Seconds",
        "Field 'Seconds' must be an integer from 0 to 99999999, not \"{% 3 %}\"",
    )
    assert (
        problems(machine({"W": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00.5+09:00", "End": True}}))
        == []
    )


def task(**fields: Any) -> dict[str, Any]:
    return machine(
        {"T": {"Type": "Task", "Resource": LAMBDA, "Next": "Handle", **fields}, "Handle": {"Type": "Succeed"}}
    )


def test_task_resource() -> None:
    assert only(machine({"T": {"Type": "Task", "End": True}})) == Problem(
        SCHEMA, "Field 'Resource' is required in a Task state", "/States/T"
    )
    found = only(machine({"T": {"Type": "Task", "Resource": "my-function", "End": True}}))
    assert (found.code, found.location) == ("INVALID_RESOURCE", "/States/T/Resource")
    assert found.message.startswith("Field 'Resource' must be an ARN such as arn:aws:states:::lambda:invoke")
    service = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True}
    assert problems(machine({"T": service})) == []


@pytest.mark.parametrize(
    ("fields", "location", "message"),
    [
        (
            {"TimeoutSeconds": 0},
            "TimeoutSeconds",
            "Field 'TimeoutSeconds' must be an integer from 1 to 99999999, not 0",
        ),
        (
            {"TimeoutSeconds": True},
            "TimeoutSeconds",
            "Field 'TimeoutSeconds' must be an integer from 1 to 99999999, not true",
        ),
        (
            {"TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t"},
            "TimeoutSecondsPath",
            "Fields 'TimeoutSeconds' and 'TimeoutSecondsPath' cannot both be set; use one",
        ),
        (
            {"TimeoutSeconds": 5, "HeartbeatSeconds": 5},
            "HeartbeatSeconds",
            "Field 'HeartbeatSeconds' (5) must be smaller than 'TimeoutSeconds' (5)",
        ),
    ],
)
def test_task_timeouts(fields: dict[str, Any], location: str, message: str) -> None:
    assert only(task(**fields)) == Problem(SCHEMA, message, f"/States/T/{location}")


# --- Retry and Catch --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retrier", "location", "message"),
    [
        ({}, "", "Field 'ErrorEquals' is required in a Retry entry: the error names it matches"),
        (
            {"ErrorEquals": []},
            "/ErrorEquals",
            "Field 'ErrorEquals' must be a non-empty array of error names, not []",
        ),
        (
            {"ErrorEquals": ["States.ALL", "X"]},
            "/ErrorEquals",
            "Error name States.ALL must appear alone in its ErrorEquals",
        ),
        (
            {"ErrorEquals": ["X"], "IntervalSeconds": 0},
            "/IntervalSeconds",
            "Field 'IntervalSeconds' must be an integer from 1 to 99999999, not 0",
        ),
        (
            {"ErrorEquals": ["X"], "MaxAttempts": -1},
            "/MaxAttempts",
            "Field 'MaxAttempts' must be an integer from 0 to 99999999, not -1",
        ),
        (
            {"ErrorEquals": ["X"], "BackoffRate": 0.5},
            "/BackoffRate",
            "Field 'BackoffRate' must be a number of at least 1.0, not 0.5",
        ),
        (
            {"ErrorEquals": ["X"], "MaxDelaySeconds": 0},
            "/MaxDelaySeconds",
            "Field 'MaxDelaySeconds' must be an integer from 1 to 99999999, not 0",
        ),
        (
            {"ErrorEquals": ["X"], "JitterStrategy": "HALF"},
            "/JitterStrategy",
            "Field 'JitterStrategy' must be one of FULL, NONE, not \"HALF\"",
        ),
        (
            {"ErrorEquals": ["X"], "Next": "Handle"},
            "/Next",
            "Field 'Next' is not supported in a retrier; allowed fields: BackoffRate, Comment, ErrorEquals, "
            "IntervalSeconds, JitterStrategy, MaxAttempts, MaxDelaySeconds",
        ),
    ],
)
def test_retry(retrier: dict[str, Any], location: str, message: str) -> None:
    found = problems(task(Retry=[retrier]))
    assert found[0] == Problem(SCHEMA, message, f"/States/T/Retry/0{location}")


def test_states_all_must_be_the_last_retrier() -> None:
    retry = [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]
    found = problems(task(Retry=retry))
    assert found[0] == Problem(
        SCHEMA,
        "A Retry entry matching States.ALL must be the last one in Retry",
        "/States/T/Retry/0/ErrorEquals",
    )


def test_catch() -> None:
    good = [
        {"ErrorEquals": ["X"], "Next": "Handle", "ResultPath": "$.error"},
        {"ErrorEquals": ["States.ALL"], "Next": "Handle"},
    ]
    assert problems(task(Catch=good)) == []
    assert problems(task(Catch=[{"ErrorEquals": ["X"]}]))[0] == Problem(
        SCHEMA,
        "Field 'Next' is required in a Catch entry: the state to go to after the error",
        "/States/T/Catch/0",
    )
    assert (
        problems(task(Catch=[{"ErrorEquals": ["X"], "Next": "Gone"}]))[0].location == "/States/T/Catch/0/Next"
    )
    wrong_order = [
        {"ErrorEquals": ["States.ALL"], "Next": "Handle"},
        {"ErrorEquals": ["X"], "Next": "Handle"},
    ]
    assert only(task(Catch=wrong_order)) == Problem(
        SCHEMA,
        "A Catch entry matching States.ALL must be the last one in Catch",
        "/States/T/Catch/0/ErrorEquals",
    )
    assert only(task(Catch=[{"ErrorEquals": ["X"], "Next": "Handle", "ResultPath": "$[*]"}])) == Problem(
        SCHEMA,
        "Field 'ResultPath' must be a reference path such as $.result; \"$[*]\" is not: "
        "a reference path may not use '*'",
        "/States/T/Catch/0/ResultPath",
    )


def test_retry_and_catch_are_refused_where_the_spec_has_none() -> None:
    found = only(pass_with(Retry=[]))
    assert (found.code, found.location) == (SCHEMA, "/States/A/Retry")


# --- paths and payload templates --------------------------------------------------------------

GOOD_PATHS = [
    "$",
    "$.a.b",
    "$['x']",
    "$['a b'].c",
    "$.a[0]",
    "$.a[-1]",
    "$$.Execution.Id",
    "$$",
    "$.a[*].b",
    "$.a[1:3]",
    "$.a[0,2]",
    "$..name",
    "$.a[?(@.price < 10)]",
    "$.delivery-partner",
    "$myVariable.field",
    # decided with the evaluator's grammar (Jayway's, as AWS runs it); see tests/asl/query/test_jsonpath.py
    "$.abc.['def ghi']",
    "$[ 'x' ]",
    "$.a[? (@.b)]",
    "$.a[?(!@.b)]",
    "$.a[?(@.b =~ /x.*/i)]",
    "$.a[?(@.b in ['x', 'y'])]",
    "$.a[?(@.b > $.limit)]",
    "$.a.min()",
]
BAD_PATHS = {
    "a.b": "it does not start with '$'",
    "$.": "expected a name after '.' at character 2",
    "$.a[": "unclosed '[' at character 3",
    "$.a b": "unexpected ' ' at character 3",
    "$.a[x]": "[x] is not an index, slice, union, wildcard or filter",
    "$['x": "unclosed quote in brackets, unclosed '[' at character 1",
    # the validator accepted these, the runtime could not run them
    "$.a.foo()": "foo() at character 4 is not a function; known: avg(), keys(), length(), max(), min(), "
    "stddev(), sum()",
    "$.a[(@.length-1)]": "[(@.length-1)] is a script expression, which Step Functions does not run; "
    "use a filter [?(...)]",
    "$.a[?(@.b == )]": "the filter ends too early at character 13",
    # the runtime accepted these, Jayway does not
    "$[+1]": "[+1] is not an index, slice, union, wildcard or filter",
    "$.a[?@.b == 1]": "expected '(' after '?' in a filter at character 5",
}


@pytest.mark.parametrize("path", GOOD_PATHS)
def test_good_paths_are_accepted(path: str) -> None:
    assert problems(pass_with(InputPath=path, Parameters={"v.$": path})) == []


@pytest.mark.parametrize(("path", "reason"), BAD_PATHS.items())
def test_bad_paths_are_refused(path: str, reason: str) -> None:
    assert only(pass_with(OutputPath=path)) == Problem(
        SCHEMA,
        f"Field 'OutputPath' must be a JSONPath such as $.items[0]; {json.dumps(path)} is not: {reason}",
        "/States/A/OutputPath",
    )


def test_null_paths() -> None:
    assert problems(pass_with(InputPath=None, OutputPath=None, ResultPath=None)) == []
    assert only(machine({"W": {"Type": "Wait", "SecondsPath": None, "End": True}})) == Problem(
        SCHEMA, "Field 'SecondsPath' must be a JSONPath such as $.items[0], not null", "/States/W/SecondsPath"
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("$$.Execution", "a reference path may not start with '$$'"),
        ("$var", "a reference path may not name a variable"),
        ("$.a[1:2]", "a reference path allows only ['name'] or [index] here, not [1:2]"),
        ("$..a", "a reference path may not use '..'"),
        ("$.a.*", "a reference path may not use '*'"),
        ("$.a.length()", "a reference path may not call a function such as length()"),
        ("$.a:b", "a reference path may not use ':' in a dotted name; write ['a:b']"),
        ("$['a','b']", "a reference path may not use a union of names"),
        ("$.a[?(@.b)]", "a reference path may not use a filter"),
    ],
)
def test_result_path_is_a_reference_path(path: str, reason: str) -> None:
    assert only(pass_with(ResultPath=path)) == Problem(
        SCHEMA,
        f"Field 'ResultPath' must be a reference path such as $.result; {json.dumps(path)} is not: {reason}",
        "/States/A/ResultPath",
    )


@pytest.mark.parametrize("path", ["$.a[-1]", "$.a['b c'][0]", "$.a.['b']", "$.a-b"])
def test_reference_paths_take_any_single_name_or_index(path: str) -> None:
    # The spec rules out only "@", ",", ":", "?" (and so "*", ".."); a negative index names one
    # node, and the runtime's ResultPath writes there, so it is a Reference Path too.
    assert problems(pass_with(ResultPath=path)) == []


def test_dollar_keys_hold_paths_or_intrinsic_calls_at_any_depth() -> None:
    parameters = {
        "static": "$.not-checked",
        "list": [{"deep.$": "nope"}],
        "call.$": "States.Nope(1)",
        "n.$": 3,
    }
    found = problems(pass_with(Parameters=parameters))
    assert [p.location for p in found] == [
        "/States/A/Parameters/list/0/deep.$",
        "/States/A/Parameters/call.$",
        "/States/A/Parameters/n.$",
    ]
    assert found[0].message == (
        "Field 'deep.$' must be a path or an intrinsic function call; \"nope\": "
        "it is neither a path nor an intrinsic function call such as States.Format('{}', $.x)"
    )
    assert found[1].message.startswith(
        "Field 'call.$' must be a path or an intrinsic function call; \"States.Nope(1)\": "
        "States.Nope is not an intrinsic function; known: States.Array, "
    )
    assert found[2].message == "Field 'n.$' must be a string holding a path or an intrinsic function call"


@pytest.mark.parametrize("field", ["ResultSelector", "Assign"])
def test_every_template_field_is_checked(field: str) -> None:
    found = only(task(**{field: {"x.$": "$.a["}}))
    assert (found.code, found.location) == (SCHEMA, f"/States/T/{field}/x.$")


def test_result_is_static_and_jsonata_dollar_keys_are_plain() -> None:
    assert problems(pass_with(Result={"x.$": "not a path"})) == []
    jsonata = machine(
        {"A": {"Type": "Pass", "End": True, "Output": {"x.$": "plain"}}}, QueryLanguage="JSONata"
    )
    assert problems(jsonata) == []


@pytest.fixture
def fake_intrinsics(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Stand in for asl.query.intrinsics with a parser that refuses calls containing 'BAD'."""
    seen: list[str] = []
    module = types.ModuleType("asl.query.intrinsics")

    class IntrinsicSyntaxError(Exception):
        pass

    def parse(text: str, *, check_arity: bool = True) -> object:
        seen.append(text)
        if "BAD" in text:
            raise IntrinsicSyntaxError(f"cannot parse {text}")
        return object()

    module.IntrinsicSyntaxError = IntrinsicSyntaxError  # type: ignore[attr-defined]
    module.parse = parse  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "asl.query.intrinsics", module)
    context._intrinsic_parser.cache_clear()
    yield seen
    context._intrinsic_parser.cache_clear()


def test_intrinsic_calls_go_through_the_intrinsics_parser(fake_intrinsics: list[str]) -> None:
    assert problems(pass_with(Parameters={"ok.$": "States.Format('{}', $.a)"})) == []
    found = only(pass_with(Parameters={"bad.$": "States.Format('BAD')"}))
    assert found == Problem(
        SCHEMA,
        "Field 'bad.$' must be a path or an intrinsic function call; \"States.Format('BAD')\": "
        "cannot parse States.Format('BAD')",
        "/States/A/Parameters/bad.$",
    )
    assert fake_intrinsics == ["States.Format('{}', $.a)", "States.Format('BAD')"]


# --- order and robustness ---------------------------------------------------------------------


def test_problems_come_in_definition_order() -> None:
    definition = machine(
        {
            "A": {"Type": "Pass", "Zzz": 1, "Next": "B"},
            "B": {"Type": "Wait", "Seconds": -1, "Next": "Gone"},
            "C": {"Type": "Succeed"},
        }
    )
    assert [p.location for p in problems(definition)] == [
        "/States/A/Zzz",
        "/States/B/Seconds",
        "/States/B/Next",
        "/States/C",
        "/States",
    ]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_keys = st.sampled_from(
    [
        "Type",
        "Next",
        "End",
        "Choices",
        "Branches",
        "ItemProcessor",
        "Retry",
        "Catch",
        "Parameters",
        "StartAt",
        "States",
    ]
)
_state = st.dictionaries(
    _keys, _json | st.sampled_from(["Pass", "Task", "Choice", "Map", "Parallel", "A"]), max_size=6
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["A", "B"]), _state | _json, max_size=3), _json)
def test_any_json_gives_problems_never_a_crash(states: dict[str, Any], start: Any) -> None:
    for definition in ({"StartAt": "A", "States": states}, {"StartAt": start, "States": states}, start):
        for problem in iter_errors(definition):
            assert problem.code in CODES
            assert problem.location == "" or problem.location.startswith("/")
            assert problem.message


def test_nested_states_take_the_top_level_language_not_their_parents() -> None:
    inner = machine({"I": {"Type": "Pass", "Parameters": {"v.$": "$.x"}, "End": True}})
    map_state = {"Type": "Map", "QueryLanguage": "JSONata", "Items": [1], "ItemProcessor": inner, "End": True}
    assert problems(machine({"M": map_state})) == []
    jsonata_inner = machine({"I": {"Type": "Pass", "Output": 1, "End": True}})
    parallel = {"Type": "Parallel", "QueryLanguage": "JSONata", "Branches": [jsonata_inner], "End": True}
    assert [p.location for p in problems(machine({"P": parallel}))] == [
        "/States/P/Branches/0/States/I/Output"
    ]


def test_jsonata_expressions_must_parse() -> None:
    state = {
        "Type": "Pass",
        "Output": {"a": ["{% $states.input. %}"]},
        "Assign": {"ok": "{% 1 + 1 %}"},
        "End": True,
    }
    assert only(machine({"A": state}, QueryLanguage="JSONata")) == Problem(
        SCHEMA,
        "Field 'Output' holds a JSONata expression that does not parse; \"{% $states.input. %}\": "
        "Unexpected end of expression",
        "/States/A/Output/a/0",
    )
    rule_ = {"Condition": "{% ( %}", "Next": "Done"}
    assert [p.location for p in problems(choice(rule_, QueryLanguage="JSONata"))] == [
        "/States/C/Choices/0/Condition"
    ]


def test_jsonata_looking_strings_are_literals_in_jsonpath_states() -> None:
    assert problems(pass_with(Result={"text": "{% ( %}"}, Parameters={"t": "{% ) %}"})) == []


def test_an_empty_state_name_is_invalid() -> None:
    assert only({"StartAt": "", "States": {"": {"Type": "Succeed"}}}) == Problem(
        "INVALID_STATE_NAME", "State name '' has 0 characters; a state name must have 1 to 80", "/States/"
    )


def test_deeply_nested_values_are_walked_without_recursion() -> None:
    deep: Any = {"z.$": "$.a["}
    for _ in range(5000):
        deep = [deep]
    found = problems(pass_with(Parameters={"x": deep, "y.$": deep}))
    assert [p.location for p in found] == [
        "/States/A/Parameters/x" + "/0" * 5000 + "/z.$",
        "/States/A/Parameters/y.$",
    ]
    assert found[1].message == "Field 'y.$' must be a string holding a path or an intrinsic function call"


def test_deeply_nested_choice_rules_are_cut_off() -> None:
    nested: dict[str, Any] = {"Variable": "$.a", "IsNull": True}
    for _ in range(300):
        nested = {"Not": nested}
    found = problems(choice({**nested, "Next": "Done"}))
    assert [p.code for p in found] == ["TOO_DEEPLY_NESTED"]


def test_unknown_fields_of_nested_machines_name_the_place() -> None:
    branch = machine({"B": {"Type": "Succeed"}}, TimeoutSeconds=5)
    assert only(machine({"P": {"Type": "Parallel", "Branches": [branch], "End": True}})) == Problem(
        SCHEMA,
        "Field 'TimeoutSeconds' is not supported in a Parallel branch; allowed fields: "
        "Comment, QueryLanguage, StartAt, States",
        "/States/P/Branches/0/TimeoutSeconds",
    )


def test_a_transition_that_is_not_a_name_does_not_make_its_target_unreachable() -> None:
    definition = machine({"A": {"Type": "Pass", "Next": ["B"]}, "B": {"Type": "Succeed"}})
    assert only(definition) == Problem(
        SCHEMA, "Field 'Next' must be a string naming a state, not [\"B\"]", "/States/A/Next"
    )
