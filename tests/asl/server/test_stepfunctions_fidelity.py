"""Step Functions API behaviours of `asl serve` that follow AWS's API reference, through boto3.

Each test names the behaviour AWS documents: what CreateStateMachine refuses at create time,
the 262,144-byte payload limit, the APIs EXPRESS executions do not have, and what
UpdateStateMachine keeps.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from asl_serve_support import ROLE

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAIT_LONG = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
# AWS: an execution's input and a task's output are at most 262,144 bytes of UTF-8
LIMIT = 262_144


def _task(resource: str) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}


def _create(sfn: Any, name: str, definition: dict[str, Any], **extra: Any) -> str:
    extra.setdefault("roleArn", ROLE)
    arn: str = sfn.create_state_machine(name=name, definition=json.dumps(definition), **extra)[
        "stateMachineArn"
    ]
    return arn


# --- what CreateStateMachine refuses -----------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:us-east-1:123456789012:activity:work",
    ],
)
def test_an_express_machine_cannot_wait_for_a_token_a_job_or_an_activity(sfn: Any, resource: str) -> None:
    # AWS: Express workflows support neither .waitForTaskToken, .sync nor activities
    with pytest.raises(sfn.exceptions.InvalidDefinition) as raised:
        _create(sfn, "express-callback", _task(resource), type="EXPRESS")
    assert "Express state machine does not support" in raised.value.response["Error"]["Message"]
    assert "/States/T/Resource" in raised.value.response["Error"]["Message"]
    # the same definition is fine for a STANDARD machine
    assert _create(sfn, f"standard-{abs(hash(resource))}", _task(resource))


def test_a_callback_deep_in_a_map_is_found_too(sfn: Any) -> None:
    inner = _task("arn:aws:states:::lambda:invoke.waitForTaskToken")
    definition = {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": inner, "End": True}},
    }
    with pytest.raises(sfn.exceptions.InvalidDefinition) as raised:
        _create(sfn, "express-map", definition, type="EXPRESS")
    assert "/States/M/ItemProcessor/States/T/Resource" in raised.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::dynamodb:query",  # AWS offers it only as aws-sdk:dynamodb:query
        "arn:aws:states:::dynamodb:putItem.sync",  # DynamoDB is request-response only
        "arn:aws:states:::lambda:invoke.sync",
        "arn:aws:states:::dynamodb:putItem.waitForTaskToken",
        "arn:aws:states:::aws-sdk:s3:getObject.sync",  # SDK integrations have no .sync
    ],
)
def test_an_optimised_integration_aws_does_not_offer_is_refused(sfn: Any, resource: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition) as raised:
        _create(sfn, "no-such-integration", _task(resource))
    assert resource in raised.value.response["Error"]["Message"]
    validated = sfn.validate_state_machine_definition(definition=json.dumps(_task(resource)))
    assert validated["result"] == "FAIL"


def test_the_sdk_integration_of_the_same_action_is_accepted(sfn: Any) -> None:
    assert _create(sfn, "sdk-query", _task("arn:aws:states:::aws-sdk:dynamodb:query"))


@pytest.mark.parametrize(
    "role", ["not-an-arn", "arn:aws:iam::123:role/short-account", "arn:aws:s3:::bucket/role"]
)
def test_a_role_that_is_not_an_iam_role_arn_is_refused(sfn: Any, role: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidArn):
        _create(sfn, "bad-role", PASS, roleArn=role)
    arn = _create(sfn, "good-role", PASS)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.update_state_machine(stateMachineArn=arn, roleArn=role)


# --- payload limits ----------------------------------------------------------------------------


def test_an_input_over_262144_bytes_is_refused_at_start(sfn: Any) -> None:
    arn = _create(sfn, "big-input", PASS)
    # "é" is two bytes: 131,073 characters are 262,146 bytes, over the limit in bytes, not in characters
    too_big = json.dumps("é" * (LIMIT // 2))
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.start_execution(stateMachineArn=arn, input=too_big)
    just_fits = json.dumps("x" * (LIMIT - 2))
    assert sfn.start_execution(stateMachineArn=arn, input=just_fits)["executionArn"]


def test_a_task_output_over_262144_bytes_is_refused_by_send_task_success(sfn: Any) -> None:
    activity = sfn.create_activity(name="big-output")["activityArn"]
    arn = _create(sfn, "big-output", _task(activity))
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    token = sfn.get_activity_task(activityArn=activity, workerName="w")["taskToken"]
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.send_task_success(taskToken=token, output=json.dumps("é" * (LIMIT // 2)))
    sfn.send_task_success(taskToken=token, output='"small"')
    for _ in range(500):
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
        time.sleep(0.01)
    assert described["output"] == '"small"'


# --- EXPRESS executions have no execution APIs ---------------------------------------------------


def test_express_executions_answer_no_describe_stop_history_or_list(sfn: Any) -> None:
    # AWS's API reference: DescribeExecution, StopExecution, GetExecutionHistory and
    # DescribeStateMachineForExecution are "not supported by EXPRESS state machines"; an EXPRESS
    # execution ARN is refused as InvalidArn, and ListExecutions as StateMachineTypeNotSupported
    arn = _create(sfn, "express-apis", WAIT_LONG, type="EXPRESS")
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert ":express:" in execution
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn=execution)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.stop_execution(executionArn=execution)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.get_execution_history(executionArn=execution)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_state_machine_for_execution(executionArn=execution)
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.list_executions(stateMachineArn=arn)


# --- UpdateStateMachine ------------------------------------------------------------------------


def test_an_update_keeps_the_creation_date_and_an_empty_one_is_refused(sfn: Any) -> None:
    arn = _create(sfn, "updated", PASS)
    created = sfn.describe_state_machine(stateMachineArn=arn)["creationDate"]
    time.sleep(1.1)  # the wire carries epoch seconds: a reset would show
    other = {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": True}}}
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(other))
    role = "arn:aws:iam::123456789012:role/Other"
    sfn.update_state_machine(stateMachineArn=arn, roleArn=role)
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["creationDate"] == created
    assert (json.loads(described["definition"]), described["roleArn"]) == (other, role)
    listed = {m["name"]: m for m in sfn.list_state_machines()["stateMachines"]}
    assert listed["updated"]["creationDate"] == created
    # AWS: "You must include at least one of definition or roleArn or you will receive a
    # MissingRequiredParameter error"
    with pytest.raises(sfn.exceptions.MissingRequiredParameter):
        sfn.update_state_machine(stateMachineArn=arn)
