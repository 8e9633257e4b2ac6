"""TestState in-process: one state run once, answered as AWS's TestState API answers.

Sources: the API reference (API_TestState, API_InspectionData, API_MockInput,
API_TestStateConfiguration) and the developer guide's "Testing state machines with
TestState API" (test-state-isolation.html), cited per test as [API] and [DG]. Where the
documentation is silent, a recorded AWS response is cited as [recorded].
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from asl.errors import ASLError, DefinitionError
from asl.runtime.api_errors import InvalidArn, InvalidExecutionInput, ValidationException
from asl.runtime.service import Runtime
from asl.runtime.teststate import run_test_state
from asl.runtime.teststate_request import InvalidDefinition, parse_request
from asl.store.executions import ExecutionStore

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


class Boom(Exception):
    """A handler's own error: its class name is the error AWS reports."""


def _shout(event: Any, context: Any) -> dict[str, Any]:
    return {"loud": str(event["word"]).upper(), "extra": 1}


def _boom(event: Any, context: Any) -> None:
    raise Boom("it broke")


OPTIONS: dict[str, Any] = {"handlers": {"shout": _shout, "boom": _boom}, "task_threads": False}


def ask(definition: dict[str, Any] | str, input: Any = "{}", **fields: Any) -> dict[str, Any]:
    """One TestState request, answered."""
    request = parse_request(definition, input=input, **fields)
    return asyncio.run(run_test_state(request, OPTIONS))


def data(answer: dict[str, Any]) -> dict[str, Any]:
    """inspectionData with its JSON texts read back."""
    shown = dict(answer["inspectionData"])
    for key, value in shown.items():
        if isinstance(value, str):
            shown[key] = json.loads(value)
    return shown


def task(resource: str, **more: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, **more}


MOCK_ERROR = {"errorOutput": {"error": "Lambda.ServiceException", "cause": "Service error"}}


# --- Pass -----------------------------------------------------------------------------------------


def test_pass_debug_shows_each_step_of_input_and_output_processing() -> None:
    # [DG] "Example 2: Using DEBUG inspectionLevel ... in a Pass state": the same request, the same answer
    answer = ask(
        {
            "Type": "Pass",
            "InputPath": "$.payload",
            "Parameters": {"data": 1},
            "ResultPath": "$.result",
            "OutputPath": "$.result.data",
            "Next": "Another State",
        },
        '{"payload": {"foo": "bar"}}',
        inspection_level="DEBUG",
    )
    assert answer["status"] == "SUCCEEDED"
    assert answer["output"] == "1"
    assert answer["nextState"] == "Another State"
    assert data(answer) == {
        "input": {"payload": {"foo": "bar"}},
        "afterInputPath": {"foo": "bar"},
        "afterParameters": {"data": 1},
        "afterResultSelector": {"data": 1},
        "afterResultPath": {"payload": {"foo": "bar"}, "result": {"data": 1}},
    }


def test_info_shows_the_output_only() -> None:
    # [API] INFO: "Shows the final state output" (the default level); status and nextState always
    answer = ask({"Type": "Pass", "Result": {"a": 1}, "End": True})
    assert answer == {"status": "SUCCEEDED", "output": '{"a":1}'}


def test_pass_with_result_shows_the_result_and_no_input_steps() -> None:
    # [recorded] a Pass state with Result: result, afterResultSelector, afterResultPath (no afterInputPath)
    answer = ask(
        {"Type": "Pass", "Result": {"k": "v"}, "ResultPath": "$.r", "End": True},
        '{"x": 1}',
        inspection_level="DEBUG",
    )
    assert data(answer) == {
        "input": {"x": 1},
        "result": {"k": "v"},
        "afterResultSelector": {"k": "v"},
        "afterResultPath": {"x": 1, "r": {"k": "v"}},
    }


def test_trace_on_a_state_that_is_not_an_http_task_answers_as_debug() -> None:
    # [recorded] TRACE on a Pass state answers as DEBUG does (no request/response: not an HTTP Task)
    definition = {"Type": "Pass", "End": True}
    assert ask(definition, '{"v": 1}', inspection_level="TRACE") == ask(
        definition, '{"v": 1}', inspection_level="DEBUG"
    )


def test_jsonata_pass_uses_the_given_variables_and_shows_them_after_assign() -> None:
    # [API] variables: "JSON object literal that sets variables used in the state under test";
    # inspectionData.variables: "the set of workflow variables after execution of the state"
    answer = ask(
        {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Assign": {"total": "{% $total + $states.input.n %}"},
            "Output": "{% {'was': $total} %}",
            "End": True,
        },
        '{"n": 5}',
        variables='{"total": 10}',
        inspection_level="DEBUG",
    )
    assert answer["output"] == '{"was":10}'
    assert data(answer)["variables"] == {"total": 15}
    assert "afterInputPath" not in data(answer)  # [API] "Not populated when QueryLanguage is JSONata"


# --- Choice, Wait, Succeed, Fail ------------------------------------------------------------------


def test_choice_answers_the_rule_it_picked_as_next_state() -> None:
    # [DG] "Example 1: Using INFO inspectionLevel to test a Choice state"
    answer = ask(
        {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.number", "NumericEquals": 1, "Next": "Equals 1"},
                {"Variable": "$.number", "NumericEquals": 2, "Next": "Equals 2"},
            ],
            "Default": "No Match",
        },
        '{"number": 2}',
    )
    assert answer == {"status": "SUCCEEDED", "output": '{"number":2}', "nextState": "Equals 2"}


def test_choice_without_a_match_or_default_fails() -> None:
    answer = ask(
        {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]}, '{"n": 3}'
    )
    assert answer["status"] == "FAILED"
    assert answer["error"] == "States.NoChoiceMatched"
    assert "nextState" not in answer  # [API] no next state when the state fails


def test_jsonata_choice_debug_shows_the_input() -> None:
    answer = ask(
        {
            "Type": "Choice",
            "QueryLanguage": "JSONata",
            "Choices": [{"Condition": "{% $states.input.n > 2 %}", "Next": "Big"}],
            "Default": "Small",
        },
        '{"n": 3}',
        inspection_level="DEBUG",
    )
    assert answer["nextState"] == "Big"
    assert data(answer) == {"input": {"n": 3}}


def test_wait_does_not_wait_and_goes_on() -> None:
    # a day's Wait answers at once (the brief: TestState's Wait does not wait)
    answer = ask({"Type": "Wait", "Seconds": 86400, "Next": "Later"}, '{"a": 1}')
    assert answer == {"status": "SUCCEEDED", "output": '{"a":1}', "nextState": "Later"}


def test_wait_still_checks_its_seconds() -> None:
    answer = ask({"Type": "Wait", "SecondsPath": "$.s", "End": True}, '{"s": -1}')
    assert answer["status"] == "FAILED"
    assert answer["error"] == "States.Runtime"
    assert "negative value" in answer["cause"]


def test_succeed_debug_shows_input_and_input_path() -> None:
    # [recorded] a Succeed state at DEBUG: input and afterInputPath; no nextState
    answer = ask({"Type": "Succeed", "InputPath": "$.v"}, '{"v": {"w": 1}}', inspection_level="DEBUG")
    assert answer["status"] == "SUCCEEDED"
    assert answer["output"] == '{"w":1}'
    assert "nextState" not in answer
    assert data(answer) == {"input": {"v": {"w": 1}}, "afterInputPath": {"w": 1}}


def test_fail_answers_its_error_and_cause() -> None:
    # [recorded] a Fail state: FAILED with its Error and Cause; DEBUG shows input and afterInputPath
    answer = ask(
        {"Type": "Fail", "Error": "SomeFailure", "Cause": "This fails."},
        '{"Value": "HelloWorld"}',
        inspection_level="DEBUG",
    )
    assert answer["status"] == "FAILED"
    assert (answer["error"], answer["cause"]) == ("SomeFailure", "This fails.")
    assert data(answer) == {"input": {"Value": "HelloWorld"}, "afterInputPath": {"Value": "HelloWorld"}}


# --- Task -----------------------------------------------------------------------------------------


def test_task_runs_the_registered_handler_and_shows_result_and_selector() -> None:
    # [DG] inspectionData of a Task: input, afterInputPath, afterParameters, result,
    # afterResultSelector, afterResultPath
    answer = ask(
        task(
            LAMBDA_ARN + "shout",
            Parameters={"word.$": "$.w"},
            ResultSelector={"loud.$": "$.loud"},
            ResultPath="$.said",
            Next="Done",
        ),
        '{"w": "hi"}',
        inspection_level="DEBUG",
    )
    assert answer["status"] == "SUCCEEDED"
    assert answer["nextState"] == "Done"
    assert json.loads(answer["output"]) == {"w": "hi", "said": {"loud": "HI"}}
    assert data(answer) == {
        "input": {"w": "hi"},
        "afterInputPath": {"w": "hi"},
        "afterParameters": {"word": "hi"},
        "result": {"loud": "HI", "extra": 1},
        "afterResultSelector": {"loud": "HI"},
        "afterResultPath": {"w": "hi", "said": {"loud": "HI"}},
    }


def test_a_failing_handler_fails_the_test_with_its_error_name() -> None:
    answer = ask(task(LAMBDA_ARN + "boom", End=True), inspection_level="DEBUG")
    assert answer["status"] == "FAILED"
    assert answer["error"] == "Boom"
    assert json.loads(answer["cause"])["errorMessage"] == "it broke"
    # [DG] "DEBUG ... shows the intermediate data processing results up to the point of failure"
    assert data(answer) == {"input": {}, "afterInputPath": {}, "afterParameters": {}}


def test_jsonata_task_with_a_mocked_result_shows_arguments_and_result() -> None:
    # [DG] "Basic mocking syntax": the mock answers for the service; [API] afterArguments for JSONata
    answer = ask(
        task(
            "arn:aws:states:::lambda:invoke",
            QueryLanguage="JSONata",
            Arguments={"FunctionName": "MyFunction", "Payload": "{% $states.input %}"},
            Output="{% $states.result.Payload %}",
            End=True,
        ),
        '{"key": "value"}',
        mock={"result": '{"Payload": {"statusCode": 200, "body": "Success"}}'},
        inspection_level="DEBUG",
    )
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"statusCode": 200, "body": "Success"}
    assert data(answer) == {
        "input": {"key": "value"},
        "afterArguments": {"FunctionName": "MyFunction", "Payload": {"key": "value"}},
        "result": {"Payload": {"statusCode": 200, "body": "Success"}},
    }


def test_a_mocked_error_a_retrier_matches_is_retriable_with_its_back_off() -> None:
    # [DG] "Simulating retry attempts": retrierRetryCount 1, IntervalSeconds 2, BackoffRate 2.0
    # -> RETRIABLE, retryIndex 0, retryBackoffIntervalSeconds 4
    answer = ask(
        task(
            "arn:aws:states:::lambda:invoke",
            Parameters={"FunctionName": "f"},
            Retry=[
                {"ErrorEquals": ["Other"]},
                {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 3},
            ],
            End=True,
        ),
        '{"data": "value"}',
        state_configuration={"retrierRetryCount": 1},
        mock=MOCK_ERROR,
        inspection_level="DEBUG",
    )
    assert answer["status"] == "RETRIABLE"
    assert answer["inspectionData"]["errorDetails"] == {"retryIndex": 1, "retryBackoffIntervalSeconds": 4}
    assert "nextState" not in answer


def test_spent_retries_fall_to_the_catcher() -> None:
    # [DG] "Whether retries are exhausted and the error gets caught" (retrierRetryCount = MaxAttempts)
    definition = task(
        "arn:aws:states:::lambda:invoke",
        Parameters={"FunctionName": "f"},
        Retry=[
            {"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 2},
            {"ErrorEquals": ["States.ALL"]},
        ],
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover", "ResultPath": "$.err"}],
        Next="Done",
    )
    answer = ask(definition, '{"a": 1}', state_configuration={"retrierRetryCount": 2}, mock=MOCK_ERROR)
    # the first retrier that matches decides: the second one is not tried
    assert answer["status"] == "CAUGHT_ERROR"
    assert answer["nextState"] == "Recover"
    assert json.loads(answer["output"]) == {
        "a": 1,
        "err": {"Error": "Lambda.ServiceException", "Cause": "Service error"},
    }


def test_a_caught_error_answers_the_catcher_output_and_index() -> None:
    # [DG] "Testing catch handlers": the documented request and answer
    answer = ask(
        task(
            "arn:aws:states:::lambda:invoke",
            Parameters={"FunctionName": "f"},
            Catch=[
                {
                    "ErrorEquals": ["Lambda.TooManyRequestsException"],
                    "ResultPath": "$.error",
                    "Next": "HandleThrottling",
                }
            ],
            Next="Success",
        ),
        '{"data": "value"}',
        mock={"errorOutput": {"error": "Lambda.TooManyRequestsException", "cause": "Rate exceeded"}},
        inspection_level="DEBUG",
    )
    assert answer["status"] == "CAUGHT_ERROR"
    assert answer["nextState"] == "HandleThrottling"
    assert (answer["error"], answer["cause"]) == ("Lambda.TooManyRequestsException", "Rate exceeded")
    assert json.loads(answer["output"]) == {
        "data": "value",
        "error": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"},
    }
    assert answer["inspectionData"]["errorDetails"] == {"catchIndex": 0}


def test_an_error_no_handler_matches_fails() -> None:
    answer = ask(
        task(LAMBDA_ARN + "boom", Catch=[{"ErrorEquals": ["Other"], "Next": "X"}], End=True),
        inspection_level="DEBUG",
    )
    assert answer["status"] == "FAILED"
    assert "errorDetails" not in answer["inspectionData"]


def test_states_runtime_is_never_retried_or_caught() -> None:
    # States.ALL does not match States.Runtime (the States Language's terminal errors)
    answer = ask(
        task(
            LAMBDA_ARN + "shout",
            InputPath="$.missing",
            Retry=[{"ErrorEquals": ["States.ALL"]}],
            Catch=[{"ErrorEquals": ["States.ALL"], "Next": "X"}],
            End=True,
        ),
        '{"a": 1}',
    )
    assert answer["status"] == "FAILED"
    assert answer["error"] == "States.Runtime"
    assert "Invalid path '$.missing'" in answer["cause"]


def test_the_context_given_with_a_mock_is_what_the_state_sees() -> None:
    # [DG] "Using context field in the TestState API"
    answer = ask(
        task(
            "arn:aws:states:::lambda:invoke",
            Parameters={
                "Payload": {
                    "id.$": "$$.Execution.Id",
                    "state.$": "$$.State.Name",
                    "n.$": "$$.State.RetryCount",
                }
            },
            ResultPath=None,
            End=True,
        ),
        '{"data": "value"}',
        context={
            "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:M:e-1"},
            "State": {"Name": "P"},
        },
        mock={"result": '{"status": "success"}'},
        inspection_level="DEBUG",
    )
    assert data(answer)["afterParameters"] == {
        "Payload": {"id": "arn:aws:states:us-east-1:123456789012:execution:M:e-1", "state": "P", "n": 0}
    }


def test_retrier_retry_count_is_the_state_retry_count() -> None:
    answer = ask(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"n.$": "$$.State.RetryCount"},
            "End": True,
        },
        mock={"result": "{}"},
        state_configuration={"retrierRetryCount": 2},
        inspection_level="DEBUG",
    )
    assert data(answer)["afterParameters"] == {"n": 2}


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"Map": {}},
            "Invalid Context object provided: 'Map' field is not supported when mocking a Context object",
        ),
        ({"pokemon": {}}, "Invalid Context object provided: Field 'pokemon' is not allowed"),
        ({"Execution": {"Id": 1}}, "Invalid Context object provided: Execution.Id must be a string"),
        (
            {"Task": {"Token": "t"}},
            "Invalid Context object provided: Context object contains 'Task' when state is not a Task state "
            "with a '.sync' or '.waitForTaskToken' service integration pattern",
        ),
    ],
)
def test_a_context_aws_refuses_is_refused_in_its_words(context: dict[str, Any], message: str) -> None:
    # [recorded] AWS's ValidationException messages for these contexts
    with pytest.raises(ValidationException) as caught:
        ask(task("arn:aws:states:::lambda:invoke", End=True), context=context, mock={"result": "{}"})
    assert str(caught.value) == message


def test_a_context_needs_a_mock() -> None:
    # [API] context: "This field may only be specified if a mock is specified in the same request"
    with pytest.raises(ValidationException, match="only be specified if a mock"):
        ask(task(LAMBDA_ARN + "shout", End=True), context={"State": {"Name": "x"}})


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:us-east-1:123456789012:activity:work",
    ],
)
def test_waiting_tasks_need_a_mock_and_answer_with_one(resource: str) -> None:
    # [DG] "Testing Activity, .sync, and .waitForTaskToken states":
    # "Without a mock ... will return a validation exception"
    definition = task(resource, Parameters={"x.$": "$.x"}, Next="Next")
    with pytest.raises(ValidationException, match="unless a mock is specified"):
        ask(definition, '{"x": 1}')
    answer = ask(definition, '{"x": 1}', mock={"result": '{"ok": true}', "fieldValidationMode": "NONE"})
    assert answer == {"status": "SUCCEEDED", "output": '{"ok":true}', "nextState": "Next"}


def test_mocked_results_are_checked_against_the_api_model() -> None:
    # [API] MockInput.fieldValidationMode: STRICT (default) and PRESENT check present fields' types,
    # NONE checks nothing
    definition = task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "f"}, End=True)
    wrong = '{"StatusCode": "200"}'
    for mode in ("STRICT", "PRESENT"):
        with pytest.raises(
            ValidationException, match="Mock result schema validation error: Field 'StatusCode'"
        ):
            ask(definition, mock={"result": wrong, "fieldValidationMode": mode})
    assert ask(definition, mock={"result": wrong, "fieldValidationMode": "NONE"})["status"] == "SUCCEEDED"
    # [DG] "fields not specified in the API model are ignored during validation"
    assert ask(definition, mock={"result": '{"random": 1}'})["status"] == "SUCCEEDED"


def test_strict_mode_wants_the_required_fields() -> None:
    # [DG] STRICT: "All required fields must be present";
    # PRESENT: "Validates only the fields that are present in the mock"
    definition = task("arn:aws:states:::states:startExecution", Parameters={"StateMachineArn": "a"}, End=True)
    with pytest.raises(ValidationException, match="Field 'executionArn' is required"):
        ask(definition, mock={"result": "{}"})
    assert ask(definition, mock={"result": "{}", "fieldValidationMode": "PRESENT"})["status"] == "SUCCEEDED"


# --- Map and Parallel -----------------------------------------------------------------------------

MAP = {
    "Type": "Map",
    "ItemsPath": "$.items",
    "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
    "MaxConcurrency": 2,
    "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "ProcessItem",
        "States": {
            "ProcessItem": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
        },
    },
    "End": True,
}


def test_map_and_parallel_need_a_mock() -> None:
    # [recorded] AWS's InvalidDefinition for a Map or Parallel state without a mock
    for definition in (MAP, {"Type": "Parallel", "Branches": [], "End": True}):
        with pytest.raises(InvalidDefinition) as caught:
            ask(definition, '{"items": []}')
        assert str(caught.value) == (
            "TestState API does not support Map or Parallel states. "
            "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]"
        )


def test_a_mocked_map_shows_its_items_and_their_selection() -> None:
    # [DG] "Testing a Map state" and "Understanding Map state inspection data"
    answer = ask(MAP, '{"items": [1, 2, 3]}', mock={"result": "[10, 20, 30]"}, inspection_level="DEBUG")
    assert answer["status"] == "SUCCEEDED"
    assert answer["output"] == "[10,20,30]"
    shown = data(answer)
    assert shown["afterItemsPath"] == [1, 2, 3]
    assert shown["afterItemSelector"] == [
        {"value": 1, "index": 0},
        {"value": 2, "index": 1},
        {"value": 3, "index": 2},
    ]
    assert shown["maxConcurrency"] == 2
    assert "result" not in shown


def test_a_map_batches_its_items() -> None:
    definition = {**MAP, "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"k": 1}}}
    del definition["ItemSelector"]
    shown = data(ask(definition, '{"items": [1, 2, 3]}', mock={"result": "[]"}, inspection_level="DEBUG"))
    assert shown["afterItemBatcher"] == [
        {"Items": [1, 2], "BatchInput": {"k": 1}},
        {"Items": [3], "BatchInput": {"k": 1}},
    ]


def test_a_map_mock_must_be_an_array() -> None:
    # [recorded] "Mocked result must be an array."
    with pytest.raises(ValidationException, match=r"^Mocked result must be an array\.$"):
        ask(MAP, '{"items": []}', mock={"result": "{}"})


def test_failed_iterations_past_the_tolerance_fail_the_map() -> None:
    # [DG] "Map state failure thresholds: Testing States.ExceedToleratedFailureThreshold"
    definition = {
        **MAP,
        "ToleratedFailureCount": 1,
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
    }
    within = ask(
        definition,
        '{"items": [1, 2, 3]}',
        mock={"result": "[1, 2, 3]"},
        state_configuration={"mapIterationFailureCount": 1},
        inspection_level="DEBUG",
    )
    assert within["status"] == "SUCCEEDED"
    assert data(within)["toleratedFailureCount"] == 1
    past = ask(
        definition,
        '{"items": [1, 2, 3]}',
        mock={"result": "[1, 2, 3]"},
        state_configuration={"mapIterationFailureCount": 2},
    )
    assert past["status"] == "CAUGHT_ERROR"
    assert past["error"] == "States.ExceedToleratedFailureThreshold"
    assert past["nextState"] == "Oops"
    # [DG] the failure count "cannot exceed the number of items in the input"
    with pytest.raises(ValidationException, match="cannot exceed"):
        ask(
            definition,
            '{"items": [1]}',
            mock={"result": "[1]"},
            state_configuration={"mapIterationFailureCount": 2},
        )


PARALLEL = {
    "Type": "Parallel",
    "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {
            "StartAt": "B",
            "States": {"B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}},
        },
    ],
    "ResultPath": "$.results",
    "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handle"}],
    "Next": "After",
}


def test_a_mocked_parallel_has_one_result_per_branch() -> None:
    # [DG] "the mocked result must be a JSON array with one element for each branch"
    answer = ask(PARALLEL, '{"x": 1}', mock={"result": '[{"a": 1}, {"b": 2}]'})
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"x": 1, "results": [{"a": 1}, {"b": 2}]}
    assert answer["nextState"] == "After"
    with pytest.raises(ValidationException, match="same number of items as number of Parallel branches"):
        ask(PARALLEL, '{"x": 1}', mock={"result": "[1]"})


def test_a_mocked_branch_error_reaches_the_parallel_catch() -> None:
    # [DG] "Specifying error source with errorCausedByState"
    mock = {"errorOutput": {"error": "States.TaskFailed", "cause": "Task execution failed"}}
    answer = ask(PARALLEL, '{"x": 1}', mock=mock, state_configuration={"errorCausedByState": "B"})
    assert (answer["status"], answer["nextState"]) == ("CAUGHT_ERROR", "Handle")
    with pytest.raises(ValidationException, match="errorCausedByState is required"):
        ask(PARALLEL, '{"x": 1}', mock=mock)
    with pytest.raises(ValidationException, match="'Nope' is not a state"):
        ask(PARALLEL, '{"x": 1}', mock=mock, state_configuration={"errorCausedByState": "Nope"})


# --- a state within a whole state machine ---------------------------------------------------------

MACHINE = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Pass", "Result": {"n": 1}, "Next": "Loop"},
        "Loop": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Inner",
                "States": {
                    "Inner": {
                        "Type": "Pass",
                        "Parameters": {"i.$": "$$.Map.Item.Index", "v.$": "$"},
                        "End": True,
                    }
                },
            },
            "End": True,
        },
    },
}


def test_state_name_picks_a_state_of_a_whole_machine() -> None:
    # [API] stateName: "the definition must contain a fully-formed state machine definition"
    answer = ask(MACHINE, '{"x": 1}', state_name="First")
    assert answer == {"status": "SUCCEEDED", "output": '{"n":1}', "nextState": "Loop"}


def test_a_state_inside_a_map_is_tested_as_the_first_iteration() -> None:
    # [DG] "Automatic Context population": $$.Map.Item.Index = 0, $$.Map.Item.Value = the input
    answer = ask(MACHINE, '"item"', state_name="Inner")
    assert json.loads(answer["output"]) == {"i": 0, "v": "item"}


def test_a_state_name_the_machine_lacks_is_refused() -> None:
    # [recorded] "State not found in definition"
    with pytest.raises(ValidationException, match=r"^State not found in definition$"):
        ask(MACHINE, state_name="Missing")


# --- requests AWS refuses -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Pass", "Fail", "Succeed", "Choice", "Wait"])
def test_a_mock_for_a_state_that_calls_nothing_is_refused(kind: str) -> None:
    # [API] "A mock can only be specified for Task, Map, or Parallel states"; [recorded] the wording
    definitions = {
        "Pass": {"Type": "Pass", "End": True},
        "Fail": {"Type": "Fail"},
        "Succeed": {"Type": "Succeed"},
        "Choice": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "X"}]},
        "Wait": {"Type": "Wait", "Seconds": 1, "End": True},
    }
    with pytest.raises(ValidationException) as caught:
        ask(definitions[kind], mock={"result": "{}"})
    assert str(caught.value) == f"State type '{kind}' is not supported when a mock is specified"


def test_a_mock_has_a_result_or_an_error_not_both() -> None:
    # [DG] "You cannot provide both mock.result and mock.errorOutput"; [recorded] the wording
    with pytest.raises(ValidationException) as caught:
        ask(task(LAMBDA_ARN + "shout", End=True), mock={"result": "{}", **MOCK_ERROR})
    assert (
        str(caught.value)
        == "A test mock should have only one of the following fields: [result, errorOutput]."
    )


def test_reveal_secrets_is_refused_with_a_mock() -> None:
    # [DG] "If you specify both revealSecrets and a mock ... Step Functions returns a validation exception"
    with pytest.raises(ValidationException, match="does not support RevealSecrets when a mock is specified"):
        ask(task(LAMBDA_ARN + "shout", End=True), mock={"result": "{}"}, reveal_secrets=True)


def test_an_invalid_state_is_an_invalid_definition() -> None:
    # [API] InvalidDefinition: "The provided Amazon States Language definition is not valid"
    with pytest.raises(DefinitionError, match="Invalid State Machine Definition"):
        ask({"Type": "Pass", "Seconds": 3, "End": True})
    with pytest.raises(DefinitionError):
        ask("{not json")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"input": "{oops"}, InvalidExecutionInput),
        ({"inspection_level": "VERBOSE"}, ValidationException),
        ({"role_arn": "not-a-role"}, InvalidArn),
        ({"variables": "[1]"}, ValidationException),
        ({"state_configuration": {"retrierRetryCount": -1}}, ValidationException),
    ],
)
def test_bad_fields_are_refused_with_aws_error_names(fields: dict[str, Any], error: type[ASLError]) -> None:
    with pytest.raises(error):
        ask({"Type": "Pass", "End": True}, **{"input": "{}", **fields})


def test_a_whole_machine_needs_a_state_name() -> None:
    with pytest.raises(ValidationException, match="stateName"):
        ask(MACHINE)


def test_the_runtime_answers_test_state_with_its_handlers() -> None:
    async def scenario() -> dict[str, Any]:
        runtime = Runtime(ExecutionStore(":memory:"), handlers={"shout": _shout})
        try:
            return await runtime.test_state(task(LAMBDA_ARN + "shout", End=True), '{"word": "a"}')
        finally:
            await runtime.close()

    assert json.loads(asyncio.run(scenario())["output"]) == {"loud": "A", "extra": 1}


def test_a_mocked_jsonata_map_selects_its_items_by_expression() -> None:
    # [API] afterItemsPath is "Not populated when the QueryLanguage is JSONata"
    definition = {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "Items": "{% $states.input.rows %}",
        "ItemSelector": {"row": "{% $states.context.Map.Item.Value %}", "n": "{% $states.input.n %}"},
        "MaxConcurrency": "{% $states.input.n %}",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "Output": "{% $count($states.result) %}",
        "End": True,
    }
    answer = ask(
        definition, '{"rows": ["a", "b"], "n": 3}', mock={"result": "[1, 2]"}, inspection_level="DEBUG"
    )
    assert answer["output"] == "2"
    shown = data(answer)
    assert shown["afterItemSelector"] == [{"row": "a", "n": 3}, {"row": "b", "n": 3}]
    assert shown["maxConcurrency"] == 3
    assert "afterItemsPath" not in shown
    failed = ask({**definition, "Items": "{% 'x' %}"}, '{"rows": [], "n": 1}', mock={"result": "[]"})
    assert (failed["status"], failed["error"]) == ("FAILED", "States.QueryEvaluationError")


def test_trace_on_a_task_shows_the_same_data_as_debug() -> None:
    # [recorded] TRACE on a Lambda task: the DEBUG fields (request/response are for HTTP tasks only)
    definition = task(LAMBDA_ARN + "shout", End=True)
    assert ask(definition, '{"word": "x"}', inspection_level="TRACE") == ask(
        definition, '{"word": "x"}', inspection_level="DEBUG"
    )


def test_map_item_reader_data_stands_for_what_the_reader_read() -> None:
    # [API] mapItemReaderData: "The data read by ItemReader in Distributed Map states"
    definition = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": "b", "Key": "k"},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    answer = ask(
        definition,
        mock={"result": "[1, 2]"},
        state_configuration={"mapItemReaderData": '[{"id": 1}, {"id": 2}]'},
        inspection_level="DEBUG",
    )
    assert data(answer)["afterItemsPath"] == [{"id": 1}, {"id": 2}]
    with pytest.raises(ValidationException, match="needs a Map state with an ItemReader"):
        ask(MAP, '{"items": []}', mock={"result": "[]"}, state_configuration={"mapItemReaderData": "[]"})


def test_a_huge_retry_count_still_answers_a_back_off() -> None:
    # retryBackoffIntervalSeconds is an Integer in AWS's model: a back-off past it is capped there
    definition = task(
        "arn:aws:states:::lambda:invoke",
        Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 99999999, "BackoffRate": 2.0}],
        End=True,
    )
    answer = ask(
        definition,
        mock=MOCK_ERROR,
        state_configuration={"retrierRetryCount": 5000},
        inspection_level="DEBUG",
    )
    assert answer["inspectionData"]["errorDetails"] == {
        "retryIndex": 0,
        "retryBackoffIntervalSeconds": 2**31 - 1,
    }
