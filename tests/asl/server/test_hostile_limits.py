"""AWS's limits at `asl serve`'s door: oversized, over-deep and non-JSON inputs get AWS-shaped 4xx answers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from asl_serve_support import ROLE, eventually
from botocore.exceptions import ClientError

from asl.server import BackgroundServer

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def _post(server: BackgroundServer, target: str, body: bytes) -> tuple[int, dict[str, Any], str]:
    request = urllib.request.Request(
        server.url,
        data=body,
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read()), answer.headers["content-type"]
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), err.headers["content-type"]


@pytest.mark.parametrize("target", ["AWSStepFunctions.ListStateMachines", "DynamoDB_20120810.ListTables"])
def test_a_deeply_nested_body_is_a_serialization_error(server: BackgroundServer, target: str) -> None:
    status, answer, kind = _post(server, target, b"[" * 100_000 + b"]" * 100_000)
    assert status == 400 and kind == "application/x-amz-json-1.0"
    assert answer["__type"].endswith("SerializationException")
    assert "nests deeper than" in answer["message" if "message" in answer else "Message"]


def test_nan_in_a_body_is_a_serialization_error(server: BackgroundServer) -> None:
    status, answer, _ = _post(server, "DynamoDB_20120810.ListTables", b'{"Limit": NaN}')
    assert status == 400 and answer["__type"].endswith("SerializationException")


def test_execution_inputs_within_aws_limits(sfn: Any) -> None:
    arn = sfn.create_state_machine(name="Limits", definition=PASS, roleArn=ROLE)["stateMachineArn"]
    with pytest.raises(ClientError) as big:
        sfn.start_execution(stateMachineArn=arn, input=json.dumps({"x": "a" * (256 * 1024)}))
    assert big.value.response["Error"]["Code"] == "ValidationException"
    assert "262144" in big.value.response["Error"]["Message"]
    for text in ('{"x": NaN}', '{"x": Infinity}', "[" * 5_000 + "]" * 5_000):
        with pytest.raises(ClientError) as bad:
            sfn.start_execution(stateMachineArn=arn, input=text)
        assert bad.value.response["Error"]["Code"] == "InvalidExecutionInput"
    # just under the limit is accepted
    fits = json.dumps({"x": "a" * (256 * 1024 - 20)})
    assert sfn.start_execution(stateMachineArn=arn, input=fits)["executionArn"]


def test_definitions_within_aws_limits(sfn: Any) -> None:
    huge = json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "a" * (1024 * 1024), "End": True}}}
    )
    with pytest.raises(ClientError) as big:
        sfn.create_state_machine(name="Huge", definition=huge, roleArn=ROLE)
    assert big.value.response["Error"]["Code"] == "ValidationException"
    deep = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": "[" * 5_000 + "]" * 5_000, "End": True}},
    }
    nested = json.dumps(deep).replace('"[' + "[" * 4_999, "[" * 5_000).replace("]" * 5_000 + '"', "]" * 5_000)
    with pytest.raises(ClientError) as bad:
        sfn.create_state_machine(name="Deep", definition=nested, roleArn=ROLE)
    assert bad.value.response["Error"]["Code"] == "InvalidDefinition"
    expression = "{% " + "(" * 3_000 + "1" + ")" * 3_000 + " %}"
    machine = json.dumps(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Output": expression, "End": True}},
        }
    )
    # a deep expression parses; evaluating it stops at the depth budget, as an evaluation error
    deep_arn = sfn.create_state_machine(name="DeepExpression", definition=machine, roleArn=ROLE)[
        "stateMachineArn"
    ]
    answer = sfn.start_execution(stateMachineArn=deep_arn, input="{}")["executionArn"]
    ended = eventually(lambda: sfn.describe_execution(executionArn=answer)["status"] != "RUNNING", "the run")
    assert ended and sfn.describe_execution(executionArn=answer)["error"] == "States.QueryEvaluationError"


def test_dynamodb_limits(ddb: Any) -> None:
    ddb.create_table(
        TableName="Limits",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    def nested(levels: int) -> dict[str, Any]:
        value: dict[str, Any] = {"S": "leaf"}
        for _ in range(levels):
            value = {"L": [value]}
        return value

    ddb.put_item(TableName="Limits", Item={"id": {"S": "ok"}, "deep": nested(32)})
    with pytest.raises(ClientError) as deep:
        ddb.put_item(TableName="Limits", Item={"id": {"S": "x"}, "deep": nested(33)})
    assert deep.value.response["Error"]["Code"] == "ValidationException"
    assert "Nesting Levels" in deep.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as empty:
        ddb.put_item(TableName="Limits", Item={"id": {"S": "x"}, "": {"S": "v"}})
    assert empty.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as long:
        ddb.put_item(
            TableName="Limits",
            Item={"id": {"S": "x"}},
            ConditionExpression=" OR ".join(["attribute_not_exists(id)"] * 200),
        )
    assert long.value.response["Error"]["Code"] == "ValidationException"
    assert "Expression size has exceeded" in long.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as empty_name:
        ddb.put_item(
            TableName="Limits",
            Item={"id": {"S": "x"}},
            ConditionExpression="attribute_not_exists(#i)",
            ExpressionAttributeNames={"#i": ""},
        )
    assert empty_name.value.response["Error"]["Code"] == "ValidationException"
