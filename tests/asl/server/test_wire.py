"""The AWS JSON 1.0 wire of `asl serve`, seen with plain HTTP: error shapes, limits, headers."""

from __future__ import annotations

import http.client
import json
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from asl.cli import main
from asl.server import BackgroundServer
from asl.server.dynamodb import MAX_BODY as DYNAMODB_MAX_BODY
from asl.server.stepfunctions import MAX_BODY as SFN_MAX_BODY

SIGNED = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/states/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def post(
    server: BackgroundServer, target: str | None, body: bytes, method: str = "POST"
) -> tuple[int, dict[str, str], Any]:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    headers = {"Content-Type": "application/x-amz-json-1.0", "Authorization": SIGNED}
    if target is not None:
        headers["X-Amz-Target"] = target
    try:
        connection.request(method, "/", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(payload)
    finally:
        connection.close()


def test_an_answer_is_json_1_0_with_a_request_id(server: BackgroundServer) -> None:
    status, headers, body = post(server, "AWSStepFunctions.ListActivities", b"{}")
    assert status == 200
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert len(headers["x-amzn-requestid"]) == 36
    assert body == {"activities": []}


def test_dynamodb_answers_carry_a_crc32_of_the_body(server: BackgroundServer) -> None:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    connection.request("POST", "/", b"{}", {"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    assert response.status == 200
    assert int(response.getheader("x-amz-crc32") or "") == zlib.crc32(payload)
    assert "TableNames" in json.loads(payload)


def test_bad_json_is_a_serialization_exception(server: BackgroundServer) -> None:
    status, _, body = post(server, "AWSStepFunctions.StartExecution", b'{"stateMachineArn": ')
    assert status == 400
    assert body["__type"] == "com.amazon.coral.service#SerializationException"
    assert "not valid JSON" in body["message"]


def test_a_wrong_json_type_names_the_field(server: BackgroundServer) -> None:
    status, _, body = post(server, "AWSStepFunctions.ListExecutions", b'{"stateMachineArn": 5}')
    assert status == 400
    assert body["__type"].endswith("#SerializationException")
    assert "stateMachineArn" in body["message"] and "string" in body["message"]
    status, _, body = post(
        server, "DynamoDB_20120810.GetItem", b'{"TableName": "tbl", "Key": {"id": {"B": "not base64!"}}}'
    )
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#SerializationException")
    assert "Key.id.B" in body["message"]


def test_a_missing_required_member_is_a_validation_exception(server: BackgroundServer) -> None:
    status, _, body = post(server, "AWSStepFunctions.DescribeExecution", b"{}")
    assert status == 400
    assert body["__type"].endswith("#ValidationException")
    assert "'executionArn'" in body["message"]


def test_unknown_targets_are_unknown_operations(server: BackgroundServer) -> None:
    for target in ("AWSStepFunctions.DanceAround", "Kinesis_20131202.PutRecord", None):
        status, _, body = post(server, target, b"{}")
        assert status == 400
        assert body["__type"] == "com.amazon.coral.service#UnknownOperationException"
    # an action AWS has and asl serve does not (DynamoDB backups; every Step Functions action is
    # implemented or being implemented)
    status, _, body = post(server, "DynamoDB_20120810.CreateBackup", b"{}")
    assert "does not implement DynamoDB_20120810.CreateBackup" in body["message"]


def test_only_post_is_answered(server: BackgroundServer) -> None:
    status, _, body = post(server, "AWSStepFunctions.ListActivities", b"", method="GET")
    assert status == 405
    assert body["__type"].endswith("#UnknownOperationException")


def test_an_execution_error_has_the_step_functions_type(server: BackgroundServer) -> None:
    arn = "arn:aws:states:us-east-1:123456789012:execution:none:none"
    status, _, body = post(
        server, "AWSStepFunctions.DescribeExecution", json.dumps({"executionArn": arn}).encode()
    )
    assert status == 400
    assert body["__type"] == "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist"
    assert arn in body["message"]


def test_a_dynamodb_error_has_the_dynamodb_type(server: BackgroundServer) -> None:
    request = {"TableName": "missing-table", "Key": {"id": {"S": "a"}}}
    status, _, body = post(server, "DynamoDB_20120810.GetItem", json.dumps(request).encode())
    assert status == 400
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"


@pytest.mark.parametrize(
    ("target", "limit"),
    [("AWSStepFunctions.StartExecution", SFN_MAX_BODY), ("DynamoDB_20120810.PutItem", DYNAMODB_MAX_BODY)],
)
def test_a_body_over_the_limit_is_413(server: BackgroundServer, target: str, limit: int) -> None:
    padding = b" " * (limit + 1 - 2)
    status, _, body = post(server, target, b"{" + padding + b"}")
    assert status == 413
    assert body["__type"] == "com.amazon.coral.service#RequestEntityTooLargeException"
    assert str(limit) in body["message"]
    # the connection was not broken: the server still answers
    assert post(server, "AWSStepFunctions.ListActivities", b"{}")[0] == 200


def test_a_body_at_the_limit_is_read(server: BackgroundServer) -> None:
    status, _, body = post(server, "AWSStepFunctions.ListActivities", b"{" + b" " * (SFN_MAX_BODY - 2) + b"}")
    assert (status, body) == (200, {"activities": []})


def test_serve_refuses_a_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


def test_serve_reports_a_data_dir_in_use(
    server: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "0", "--data-dir", str(server.app.data_dir)]) == 2
    assert "in use" in capsys.readouterr().err


def test_serve_reports_a_port_in_use(
    server: BackgroundServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", str(server.port), "--data-dir", str(tmp_path)]) == 2
    assert "address already in use" in capsys.readouterr().err.lower()


def test_the_package_exports_exactly_its_public_names() -> None:
    import asl.server as package

    modules = {"app", "dynamodb", "running", "stepfunctions", "stepfunctions_versions", "transactions"}
    public = {name for name in vars(package) if not name.startswith("_") and name != "annotations"}
    assert package.__all__ == sorted(package.__all__)
    assert sorted(public - modules) == package.__all__
