"""Step Functions API behaviours of `asl serve` that follow AWS's API reference, through boto3.

Each test names the behaviour AWS documents: what CreateStateMachine refuses at create time,
the 262,144-byte payload limit, the APIs EXPRESS executions do not have, and what
UpdateStateMachine keeps.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from asl_serve_support import ROLE, client

from asl.server import BackgroundServer, create_app
from asl.store import ExecutionStore

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


def test_describe_always_answers_logging_and_tracing_and_keeps_the_values_given(sfn: Any) -> None:
    # AWS returns loggingConfiguration and tracingConfiguration on every DescribeStateMachine
    plain = _create(sfn, "configured-plain", PASS)
    described = sfn.describe_state_machine(stateMachineArn=plain)
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}

    logging = {
        "level": "ERROR",
        "includeExecutionData": True,
        "destinations": [
            {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:sfn:*"}}
        ],
    }
    arn = _create(
        sfn, "configured", PASS, loggingConfiguration=logging, tracingConfiguration={"enabled": True}
    )
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["loggingConfiguration"] == logging
    assert described["tracingConfiguration"] == {"enabled": True}
    # AWS's idempotency check covers them: another configuration under the same name is refused
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        _create(sfn, "configured", PASS, tracingConfiguration={"enabled": False})
    # ... but a different roleArn is ignored, and not kept
    other_role = "arn:aws:iam::123456789012:role/Ignored"
    again = _create(
        sfn,
        "configured",
        PASS,
        roleArn=other_role,
        loggingConfiguration=logging,
        tracingConfiguration={"enabled": True},
    )
    assert again == arn
    assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"] == ROLE

    sfn.update_state_machine(stateMachineArn=arn, tracingConfiguration={"enabled": False})
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["tracingConfiguration"] == {"enabled": False}
    assert described["loggingConfiguration"] == logging  # an update keeps what it does not name


def test_revision_id_and_update_date_come_with_the_first_update(sfn: Any) -> None:
    # AWS: "The first revision ID when you create the state machine is null"; each update gives
    # a new one, and DescribeStateMachineForExecution's updateDate is the creation date until then
    arn = _create(sfn, "revised", WAIT_LONG)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert "revisionId" not in sfn.describe_state_machine(stateMachineArn=arn)
    for_execution = sfn.describe_state_machine_for_execution(executionArn=execution)
    created = sfn.describe_state_machine(stateMachineArn=arn)["creationDate"]
    assert for_execution["updateDate"] == created
    time.sleep(1.1)
    first = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(PASS))
    second = sfn.update_state_machine(stateMachineArn=arn, roleArn="arn:aws:iam::123456789012:role/B")
    assert first["revisionId"] != second["revisionId"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["revisionId"] == second["revisionId"]
    assert first["updateDate"] > created
    assert (
        sfn.describe_state_machine_for_execution(executionArn=execution)["updateDate"] == second["updateDate"]
    )
    sfn.stop_execution(executionArn=execution)


# --- tags --------------------------------------------------------------------------------------


def test_tags_on_a_state_machine(sfn: Any) -> None:
    arn = _create(sfn, "tagged", PASS, tags=[{"key": "team", "value": "kitchen"}])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "kitchen"}]
    sfn.tag_resource(
        resourceArn=arn, tags=[{"key": "team", "value": "pantry"}, {"key": "env", "value": "dev"}]
    )
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"team": "pantry", "env": "dev"}  # TagResource replaces a key's value
    sfn.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]
    # AWS: at most 50 tags on a resource
    with pytest.raises(sfn.exceptions.TooManyTags):
        sfn.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": ""} for i in range(50)])
    with pytest.raises(sfn.exceptions.TooManyTags):  # and nothing is created
        _create(sfn, "overtagged", PASS, tags=[{"key": f"k{i}", "value": ""} for i in range(51)])
    assert "overtagged" not in {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
    missing = arn.replace(":tagged", ":no-such-machine")
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_tags_for_resource(resourceArn=missing)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.tag_resource(resourceArn=missing, tags=[{"key": "a", "value": "b"}])
    # a deleted machine's tags go with it
    sfn.delete_state_machine(stateMachineArn=arn)
    assert _create(sfn, "tagged", PASS) == arn
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == []


def test_configuration_tags_and_revision_survive_a_restart(tmp_path: Path) -> None:
    with BackgroundServer(create_app(tmp_path)) as first:
        sfn = client("stepfunctions", first.url)
        arn = _create(
            sfn, "kept", PASS, tracingConfiguration={"enabled": True}, tags=[{"key": "a", "value": "b"}]
        )
        created = sfn.describe_state_machine(stateMachineArn=arn)["creationDate"]
        revision = sfn.update_state_machine(stateMachineArn=arn, roleArn="arn:aws:iam::123456789012:role/R")[
            "revisionId"
        ]
    with BackgroundServer(create_app(tmp_path)) as second:
        sfn = client("stepfunctions", second.url)
        described = sfn.describe_state_machine(stateMachineArn=arn)
        assert (described["creationDate"], described["revisionId"]) == (created, revision)
        assert described["roleArn"] == "arn:aws:iam::123456789012:role/R"
        assert described["tracingConfiguration"] == {"enabled": True}
        assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "b"}]


def test_a_log_level_without_one_destination_is_refused(sfn: Any) -> None:
    # AWS's LoggingConfiguration: destinations are "Limited to size 1. Required, if your log
    # level is not set to OFF."
    with pytest.raises(sfn.exceptions.InvalidLoggingConfiguration):
        _create(sfn, "no-destination", PASS, loggingConfiguration={"level": "ALL"})
    group = {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}
    with pytest.raises(sfn.exceptions.InvalidLoggingConfiguration):
        _create(
            sfn, "two-destinations", PASS, loggingConfiguration={"level": "ALL", "destinations": [group] * 2}
        )
    arn = _create(sfn, "off-is-fine", PASS, loggingConfiguration={"level": "OFF"})
    with pytest.raises(sfn.exceptions.InvalidLoggingConfiguration):
        sfn.update_state_machine(
            stateMachineArn=arn, definition=json.dumps(WAIT_LONG), loggingConfiguration={"level": "ERROR"}
        )
    described = sfn.describe_state_machine(stateMachineArn=arn)  # a refused update changes nothing
    assert described["loggingConfiguration"]["level"] == "OFF"
    assert (json.loads(described["definition"]), "revisionId" in described) == (PASS, False)


def test_tags_on_an_activity(sfn: Any) -> None:
    # AWS tags activities as it tags state machines (CreateActivity's tags, TagResource ...)
    arn = sfn.create_activity(name="tagged-activity", tags=[{"key": "team", "value": "kitchen"}])[
        "activityArn"
    ]
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "kitchen"}]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_tags_for_resource(resourceArn=arn)


def test_configuration_and_tags_move_with_an_adopted_store(tmp_path: Path) -> None:
    # a store another process left behind is adopted whole: a machine's configuration and tags too
    with BackgroundServer(create_app(tmp_path / "left")) as first:
        sfn = client("stepfunctions", first.url)
        arn = _create(
            sfn, "adopted", PASS, tracingConfiguration={"enabled": True}, tags=[{"key": "a", "value": "b"}]
        )
        revision = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT_LONG))[
            "revisionId"
        ]
        activity = sfn.create_activity(name="adopted", tags=[{"key": "c", "value": "d"}])["activityArn"]
    store = ExecutionStore(tmp_path / "here.sqlite")
    store.adopt(tmp_path / "left" / "executions.sqlite")
    row = next(r for r in store.state_machines() if r["arn"] == arn)
    assert (json.loads(row["tracing"]), json.loads(row["tags"]), row["revision"]) == (
        {"enabled": True},
        {"a": "b"},
        revision,
    )
    assert store.activity_tags(activity) == {"c": "d"}
    store.close()
