"""The seed workflow's session-status fragment runs on the runtime against the local table store."""

from __future__ import annotations

import re
from typing import Any

import pytest

from asl import StateMachine
from asl.dynamodb import TableStore

UPDATE_SESSION_STATUS = {
    "Type": "Task",
    "Resource": "arn:aws:states:::dynamodb:updateItem",
    "Parameters": {
        "TableName": "${SessionsTable}",
        "Key": {"sessionId": {"S.$": "$.sessionId"}},
        "UpdateExpression": (
            "SET #status = :status, #phase = :phase, #progress = :progress, #updatedAt = :updatedAt"
        ),
        "ExpressionAttributeNames": {
            "#status": "status",
            "#phase": "phase",
            "#progress": "progress",
            "#updatedAt": "updatedAt",
        },
        "ExpressionAttributeValues": {
            ":status": {"S": "RUNNING"},
            ":phase": {"S": "RECIPE_GENERATION"},
            ":progress": {"N": "10"},
            ":updatedAt": {"S.$": "$$.State.EnteredTime"},
        },
    },
    "ResultPath": None,
    "Next": "ReadSession",
}

DEFINITION: dict[str, Any] = {
    "StartAt": "UpdateSessionStatus",
    "States": {
        "UpdateSessionStatus": UPDATE_SESSION_STATUS,
        "ReadSession": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "${SessionsTable}", "Key": {"sessionId": {"S.$": "$.sessionId"}}},
            "ResultSelector": {"session.$": "$.Item", "requestId.$": "$.SdkResponseMetadata.RequestId"},
            "ResultPath": "$.read",
            "End": True,
        },
    },
}


@pytest.fixture
def sessions(store: TableStore) -> TableStore:
    store.create_table("aichef-sessions", partition_key=("sessionId", "S"))
    return store


def test_update_session_status_then_read_it_back(sessions: TableStore) -> None:
    machine = StateMachine(DEFINITION, substitutions={"SessionsTable": "aichef-sessions"}, tables=sessions)
    execution = machine.run({"sessionId": "sess-123"})
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    session = execution.output["read"]["session"]
    updated_at = session.pop("updatedAt")["S"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", updated_at)
    assert session == {
        "sessionId": {"S": "sess-123"},
        "status": {"S": "RUNNING"},
        "phase": {"S": "RECIPE_GENERATION"},
        "progress": {"N": "10"},
    }
    assert re.fullmatch(r"[A-Z0-9]{52}", execution.output["read"]["requestId"])
    # the item the fragment leaves in the table, as a boto3 handler sees it
    item = sessions.table("aichef-sessions").get_item(Key={"sessionId": "sess-123"})["Item"]
    assert (item["status"], item["phase"], item["progress"], item["updatedAt"]) == (
        "RUNNING",
        "RECIPE_GENERATION",
        10,
        updated_at,
    )


def test_a_failed_condition_is_caught_by_name(sessions: TableStore) -> None:
    guarded = {
        **UPDATE_SESSION_STATUS,
        "Parameters": {
            **UPDATE_SESSION_STATUS["Parameters"],
            "ConditionExpression": "attribute_exists(sessionId)",
        },
        "Catch": [
            {
                "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                "ResultPath": "$.error",
                "Next": "NoSession",
            }
        ],
    }
    definition = {
        "StartAt": "UpdateSessionStatus",
        "States": {
            "UpdateSessionStatus": guarded,
            "ReadSession": {"Type": "Succeed"},
            "NoSession": {"Type": "Pass", "End": True},
        },
    }
    machine = StateMachine(definition, substitutions={"SessionsTable": "aichef-sessions"}, tables=sessions)
    execution = machine.run({"sessionId": "never-created"})
    assert execution.status == "SUCCEEDED"
    assert execution.output["error"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert execution.output["error"]["Cause"].startswith(
        "The conditional request failed (Service: AmazonDynamoDBv2"
    )
    assert "Item" not in sessions.table("aichef-sessions").get_item(Key={"sessionId": "never-created"})
