"""TestState over the wire: boto3's ``sfn.test_state`` against a real `asl serve` on 127.0.0.1.

The answers follow the API reference (API_TestState) and the developer guide's "Testing
state machines with TestState API"; each test names the behaviour it checks.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_a_pass_state_at_debug_answers_the_documented_inspection_data(sfn: Any) -> None:
    # developer guide, "Example 2: Using DEBUG inspectionLevel"
    answer = sfn.test_state(
        definition=json.dumps(
            {
                "Type": "Pass",
                "InputPath": "$.payload",
                "Parameters": {"data": 1},
                "ResultPath": "$.result",
                "OutputPath": "$.result.data",
                "Next": "Another State",
            }
        ),
        input='{"payload": {"foo": "bar"}}',
        inspectionLevel="DEBUG",
    )
    assert (answer["status"], answer["output"], answer["nextState"]) == ("SUCCEEDED", "1", "Another State")
    inspection = answer["inspectionData"]
    assert json.loads(inspection["afterInputPath"]) == {"foo": "bar"}
    assert json.loads(inspection["afterParameters"]) == {"data": 1}
    assert json.loads(inspection["afterResultPath"]) == {"payload": {"foo": "bar"}, "result": {"data": 1}}


def test_a_task_runs_the_served_handler(sfn: Any) -> None:
    # without a mock the Task calls its resource: here the handler `asl serve` was given
    answer = sfn.test_state(
        definition=json.dumps(
            {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet", "End": True}
        ),
        input='{"name": "Minji"}',
        roleArn="arn:aws:iam::123456789012:role/TestRole",
    )
    assert answer["status"] == "SUCCEEDED"
    assert "Minji" in answer["output"]
    assert "nextState" not in answer and "inspectionData" not in answer


def test_a_mocked_error_answers_retriable_with_error_details(sfn: Any) -> None:
    # developer guide, "Simulating retry attempts" (mock, stateConfiguration, errorDetails)
    answer = sfn.test_state(
        definition=json.dumps(
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
                "QueryLanguage": "JSONata",
                "Retry": [
                    {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 3}
                ],
                "End": True,
            }
        ),
        input='{"data": "value"}',
        stateConfiguration={"retrierRetryCount": 1},
        mock={"errorOutput": {"error": "Lambda.ServiceException", "cause": "Service error"}},
        inspectionLevel="DEBUG",
    )
    assert answer["status"] == "RETRIABLE"
    assert answer["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 4}
    assert json.loads(answer["inspectionData"]["afterArguments"]) == {
        "FunctionName": "f",
        "Payload": {"data": "value"},
    }


def test_a_mocked_map_shows_its_numbers_and_items(sfn: Any) -> None:
    # developer guide, "Testing a Map state": the mock is the whole Map's result
    answer = sfn.test_state(
        definition=json.dumps(
            {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ToleratedFailurePercentage": 50,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        ),
        input='{"items": [1, 2]}',
        mock={"result": "[3, 4]"},
        inspectionLevel="DEBUG",
    )
    assert answer["output"] == "[3,4]"
    assert answer["inspectionData"]["maxConcurrency"] == 0
    assert answer["inspectionData"]["toleratedFailurePercentage"] == 50.0
    assert json.loads(answer["inspectionData"]["afterItemsPath"]) == [1, 2]


@pytest.mark.parametrize(
    ("request_fields", "code", "message"),
    [
        (
            {
                "definition": '{"Type": "Parallel", "Branches": [], "End": true}',
            },
            "InvalidDefinition",
            "TestState API does not support Map or Parallel states. "
            "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ),
        (
            {"definition": '{"Type": "Pass", "End": true}', "mock": {"result": "{}"}},
            "ValidationException",
            "State type 'Pass' is not supported when a mock is specified",
        ),
        ({"definition": '{"Type": "Pass", "End": true}', "input": "{oops"}, "InvalidExecutionInput", None),
        ({"definition": '{"Type": "Pass", "Seconds": 1, "End": true}'}, "InvalidDefinition", None),
        ({"definition": '{"Type": "Pass", "End": true}', "roleArn": "nope"}, "InvalidArn", None),
    ],
)
def test_refusals_carry_aws_error_codes(
    sfn: Any, request_fields: dict[str, Any], code: str, message: str | None
) -> None:
    # API reference, TestState "Errors": InvalidArn, InvalidDefinition, InvalidExecutionInput,
    # ValidationException, each a 400
    with pytest.raises(ClientError) as caught:
        sfn.test_state(**request_fields)
    error = caught.value.response["Error"]
    assert error["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if message is not None:
        assert error["Message"] == message
