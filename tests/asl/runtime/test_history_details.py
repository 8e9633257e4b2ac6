"""History event details as AWS records them (GetExecutionHistory), guarded without the corpus."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from asl import ExecutionStore, Runtime, VirtualClock
from asl.runtime.interpreter import StateMachine


def _run(definition: dict[str, Any], value: Any = None) -> list[dict[str, Any]]:
    machine = StateMachine(definition, clock=VirtualClock())  # a Retry's back-off takes no time
    return machine.run({} if value is None else value).history


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in event.items() if k.endswith("EventDetails"))


def test_the_first_state_links_to_no_event() -> None:
    # AWS: ExecutionStarted (id 1, previous 0), then the first state's entered event, also previous 0
    history = _run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}})
    assert [(e["id"], e["previousEventId"]) for e in history] == [
        (1, 0),
        (2, 0),
        (3, 2),
        (4, 3),
        (5, 4),
        (6, 5),
    ]


def test_a_state_that_assigns_lists_its_variables_as_json_text_in_its_exited_event() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"s": "text", "n": 1, "o.$": "$.o"}, "Next": "B"},
            "B": {"Type": "Pass", "End": True},
        },
    }
    history = _run(definition, {"o": {"k": [1]}})
    exited = [_details(e) for e in history if e["type"] == "PassStateExited"]
    assert exited[0]["assignedVariablesDetails"] == {"truncated": False}
    assert {k: json.loads(v) for k, v in exited[0]["assignedVariables"].items()} == {
        "s": "text",
        "n": 1,
        "o": {"k": [1]},
    }
    assert all(isinstance(v, str) for v in exited[0]["assignedVariables"].values())
    # a state that assigns nothing has neither key
    assert "assignedVariables" not in exited[1] and "assignedVariablesDetails" not in exited[1]


def test_a_choice_rule_and_a_wait_list_their_assignments_too() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% false %}", "Next": "W"}],
                "Default": "W",
                "Assign": {"a": "{% 'x' %}"},
            },
            "W": {"Type": "Wait", "Seconds": 0, "Assign": {"b": 2}, "End": True},
        },
    }
    history = _run(definition)
    by_type = {e["type"]: _details(e) for e in history}
    assert by_type["ChoiceStateExited"]["assignedVariables"] == {"a": '"x"'}
    assert by_type["WaitStateExited"]["assignedVariables"] == {"b": "2"}


def test_a_stop_during_a_wait_records_no_wait_aborted_event() -> None:
    # AWS: WaitStateEntered, then ExecutionAborted; there is no WaitStateAborted event
    async def scenario() -> list[str]:
        runtime = Runtime(ExecutionStore(":memory:"))
        definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
        arn = runtime.create_state_machine("W", definition)["stateMachineArn"]
        execution = (await runtime.start_execution(arn, "{}", name="w"))["executionArn"]
        await asyncio.sleep(0.01)
        await runtime.stop_execution(execution)
        events = runtime.get_execution_history(execution)["events"]
        await runtime.close()
        return [event["type"] for event in events]

    assert asyncio.run(scenario()) == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]


def test_evaluation_failed_names_the_field_and_links_before_the_state() -> None:
    # AWS: a failing Output expression gives EvaluationFailed with location "Output/result",
    # linked to the event before the state's entered event; ExecutionFailed follows it
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": {"result": "{% $states.input.missing %}"}, "End": True}},
    }
    history = _run(definition)
    assert [(e["id"], e["previousEventId"], e["type"]) for e in history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 0, "EvaluationFailed"),
        (4, 3, "ExecutionFailed"),
    ]
    details = _details(history[2])
    assert details["location"] == "Output/result" and details["state"] == "P"
    assert details["error"] == "States.QueryEvaluationError"


def test_a_wait_timestamp_failure_links_to_the_wait_entered_event() -> None:
    # AWS: WaitStateEntered (2), then EvaluationFailed with previousEventId 2, location "Timestamp"
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Timestamp": "{% 'not a date' %}", "End": True}},
    }
    history = _run(definition)
    failed = history[2]
    assert (failed["type"], failed["previousEventId"]) == ("EvaluationFailed", 2)
    assert _details(failed)["location"] == "Timestamp"


def _links(history: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return [(e["id"], e["previousEventId"], e["type"]) for e in history]


def test_inline_map_iterations_chain_as_aws_records_them() -> None:
    # AWS: an iteration starts after the previous iteration's last state event (nothing links
    # to MapIterationSucceeded); MapStateExited links where MapStateSucceeded does
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    assert _links(_run(definition, [1, 2])) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "PassStateEntered"),
        (6, 5, "PassStateExited"),
        (7, 6, "MapIterationSucceeded"),
        (8, 6, "MapIterationStarted"),
        (9, 8, "PassStateEntered"),
        (10, 9, "PassStateExited"),
        (11, 10, "MapIterationSucceeded"),
        (12, 11, "MapStateSucceeded"),
        (13, 11, "MapStateExited"),
        (14, 13, "ExecutionSucceeded"),
    ]


def test_a_failed_map_and_its_retry_link_to_the_failed_iterations_last_state() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}},
                "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "End": True,
            }
        },
    }
    assert _links(_run(definition, [1])) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "FailStateEntered"),
        (6, 5, "MapIterationFailed"),
        (7, 5, "MapStateStarted"),
        (8, 7, "MapIterationStarted"),
        (9, 8, "FailStateEntered"),
        (10, 9, "MapIterationFailed"),
        (11, 9, "MapStateFailed"),
        (12, 11, "ExecutionFailed"),
    ]


def test_a_failed_parallel_links_to_the_last_event_of_its_branches() -> None:
    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}],
                "End": True,
            }
        },
    }
    assert _links(_run(definition))[3:5] == [(4, 3, "FailStateEntered"), (5, 4, "ParallelStateFailed")]


def test_a_distributed_map_run_arn_has_aws_form() -> None:
    # AWS: arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:UUID
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Label": "Lbl",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    history = StateMachine(definition, name="Machine").run([1]).history
    arn = next(_details(e)["mapRunArn"] for e in history if e["type"] == "MapRunStarted")
    assert re.fullmatch(
        r"arn:aws:states:[a-z0-9-]+:\d{12}:mapRun:Machine/Lbl:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        arn,
    ), arn


def _jsonata_map(value: Any, **fields: Any) -> Any:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                **fields,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    return StateMachine(definition, clock=VirtualClock()).run(value)


def test_a_jsonata_map_without_items_over_a_non_array_input_fails_with_aws_message() -> None:
    # AWS: States.QueryEvaluationError "Map state input must be an array but was: <json>"
    execution = _jsonata_map({"a": 1})
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause == 'Map state input must be an array but was: {"a":1}'
    assert [e["type"] for e in execution.history][2:4] == ["EvaluationFailed", "MapStateFailed"]


def test_a_jsonata_map_items_error_quotes_the_whole_expression() -> None:
    # the expression between {% and %}, trimmed: never cut inside it
    execution = _jsonata_map({"a": "x"}, Items="{%  $states.input.a  %}")
    assert execution.error == "States.QueryEvaluationError"
    assert "The JSONata expression '$states.input.a' specified for the field 'Items' returned an " in (
        execution.cause or ""
    )
    assert 'for value: "x"' in (execution.cause or "")


def test_a_jsonata_map_items_that_returns_a_function_is_a_query_evaluation_error() -> None:
    # AWS: States.QueryEvaluationError "... returned an unsupported result type.", never an internal error
    for items in ("{% $uppercase %}", "{% [1, function($x){$x}] %}"):
        execution = _jsonata_map({}, Items=items)
        assert execution.error == "States.QueryEvaluationError", execution.cause
        assert (execution.cause or "").endswith(
            "specified for the field 'Items' returned an unsupported result type."
        )
