"""The aws backend against moto (an oracle for the AWS APIs only): the stack's tables and state machine,
the session starter and the HTTP API handler called with API Gateway proxy events."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import boto3
import pytest
from deploy_support import ACCOUNT, REGION, load_template, substituted_definition

from aichef.handlers import api, session
from aichef.http_api import MAX_BODY_BYTES
from aichef.models import parse_session
from aichef.sessions import session_view
from asl import validate

moto = pytest.importorskip("moto", reason="moto is a dev dependency")

TABLES = {"SessionsTable": "aichef-SessionsTable-1A2B3C", "ResultsTable": "aichef-ResultsTable-4D5E6F"}
KETO = {"profile": {"target": "keto", "servings": 2, "allergies": ["견과류"]}}


def _create_tables() -> None:
    client = boto3.client("dynamodb")
    for name, resource in load_template()["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        client.create_table(
            TableName=TABLES[name],
            KeySchema=props["KeySchema"],
            AttributeDefinitions=props["AttributeDefinitions"],
            BillingMode=props["BillingMode"],
        )
        if "TimeToLiveSpecification" in props:
            client.update_time_to_live(
                TableName=TABLES[name], TimeToLiveSpecification=props["TimeToLiveSpecification"]
            )


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Moto with the stack's tables and state machine; the functions' environment as the template sets it."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AICHEF_DATA_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AICHEF_BACKEND", "aws")
    monkeypatch.setenv("AICHEF_PROVIDER", "offline")
    monkeypatch.setenv("AICHEF_SESSIONS_TABLE", TABLES["SessionsTable"])
    monkeypatch.setenv("AICHEF_RESULTS_TABLE", TABLES["ResultsTable"])
    with moto.mock_aws():
        _create_tables()
        machine = boto3.client("stepfunctions").create_state_machine(
            name="RecipeStateMachine-AbCdEf",
            definition=substituted_definition(TABLES),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/aichef-RecipeStateMachineRole",
        )
        monkeypatch.setenv("AICHEF_STATE_MACHINE_ARN", machine["stateMachineArn"])
        yield machine["stateMachineArn"]


def _event(
    method: str, path: str, body: Any = None, content_type: str = "application/json"
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) proxy event, as the $default stage sends it."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": content_type, "host": "abc123.execute-api.ap-northeast-2.amazonaws.com"},
        "requestContext": {"http": {"method": method, "path": path}, "stage": "$default"},
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return event


def _answer(response: dict[str, Any]) -> tuple[int, Any]:
    assert response["headers"]["content-type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def _item(table: str, session_id: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        boto3.resource("dynamodb").Table(TABLES[table]).get_item(Key={"sessionId": session_id}).get("Item")
    )
    return item


def test_substituted_definition_is_valid_asl_with_no_placeholder_left() -> None:
    text = substituted_definition(TABLES)
    assert "${" not in text
    validate(json.loads(text))


def test_session_starter_writes_the_session_and_starts_the_execution(stack: str) -> None:
    answer = session.handler(_event("POST", "/api/sessions", {**KETO, "sessionId": "s-aws-1"}), None)
    assert answer["sessionId"] == "s-aws-1" and answer["status"] == "processing"
    item = _item("SessionsTable", "s-aws-1")
    assert item is not None
    assert (item["status"], item["phase"], item["progress"], item["target"]) == (
        "processing",
        "recipe_generation",
        0,
        "keto",
    )

    sfn = boto3.client("stepfunctions")
    execution = sfn.describe_execution(executionArn=answer["executionArn"])
    assert execution["stateMachineArn"] == stack
    assert execution["name"] == "s-aws-1"
    started = json.loads(execution["input"])
    expected = parse_session({**KETO, "sessionId": "s-aws-1"}).model_dump(mode="json")
    assert started == expected
    assert [e["name"] for e in sfn.list_executions(stateMachineArn=stack)["executions"]] == ["s-aws-1"]


def test_api_post_answers_202_like_the_local_api(stack: str) -> None:
    status, body = _answer(api.handler(_event("POST", "/api/sessions", KETO), None))
    assert status == 202
    session_id = body["sessionId"]
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert body["status"] == "processing" and body["error"] is None
    assert body["links"] == {
        "self": f"/api/sessions/{session_id}",
        "result": f"/api/sessions/{session_id}/result",
    }
    assert "executionArn" not in body, "the account id stays out of public answers"
    assert _item("SessionsTable", session_id) is not None
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=stack)["executions"]
    assert [e["name"] for e in executions] == [session_id]


def test_api_get_reads_the_session_and_its_result_as_the_workflow_leaves_them(stack: str) -> None:
    _, started = _answer(api.handler(_event("POST", "/api/sessions", KETO), None))
    session_id = started["sessionId"]
    status, body = _answer(api.handler(_event("GET", f"/api/sessions/{session_id}"), None))
    assert status == 200
    assert {k: body[k] for k in ("sessionId", "status", "phase", "progress")} == {
        "sessionId": session_id,
        "status": "processing",
        "phase": "recipe_generation",
        "progress": 0,
    }

    status, body = _answer(api.handler(_event("GET", f"/api/sessions/{session_id}/result"), None))
    assert (status, body["error"]["code"], body["error"]["progress"]) == (409, "not_ready", 0)

    # What SaveResults and UpdateStatusCompleted write, in their shapes.
    result = {"sessionId": session_id, "recipe": {"title": "두부 스테이크"}, "expiresAt": 1_900_000_000}
    boto3.client("dynamodb").put_item(
        TableName=TABLES["ResultsTable"],
        Item={
            "sessionId": {"S": session_id},
            "result": {"S": json.dumps(result, ensure_ascii=False)},
            "expiresAt": {"N": "1900000000"},
        },
    )
    boto3.client("dynamodb").update_item(
        TableName=TABLES["SessionsTable"],
        Key={"sessionId": {"S": session_id}},
        UpdateExpression="SET #status = :status, #phase = :phase, #progress = :progress",
        ExpressionAttributeNames={"#status": "status", "#phase": "phase", "#progress": "progress"},
        ExpressionAttributeValues={
            ":status": {"S": "completed"},
            ":phase": {"S": "completed"},
            ":progress": {"N": "100"},
        },
    )
    status, body = _answer(api.handler(_event("GET", f"/api/sessions/{session_id}"), None))
    assert (status, body["status"], body["progress"]) == (200, "completed", 100)
    status, body = _answer(api.handler(_event("GET", f"/api/sessions/{session_id}/result"), None))
    assert (status, body) == (200, result)


def test_api_get_of_a_failed_session_says_why(stack: str) -> None:
    failure = {"Error": "RecipeFailed", "Cause": json.dumps({"errorMessage": "no recipe meets keto"})}
    boto3.resource("dynamodb").Table(TABLES["SessionsTable"]).put_item(
        Item={
            "sessionId": "s-failed",
            "status": "failed",
            "phase": "finished",
            "progress": 100,
            "error": json.dumps(failure),
        }
    )
    status, body = _answer(api.handler(_event("GET", "/api/sessions/s-failed"), None))
    assert status == 200 and body["error"] == {"code": "RecipeFailed", "message": "no recipe meets keto"}
    status, body = _answer(api.handler(_event("GET", "/api/sessions/s-failed/result"), None))
    assert status == 409
    assert body["error"]["code"] == "session_failed" and body["error"]["message"] == "no recipe meets keto"


class _StackService:
    """The local app's session service over the stack's tables, read as the Lambda reads them."""

    async def start_session(self, body: Mapping[str, Any], owner: str | None = None) -> dict[str, Any]:
        started = session.handler({"body": json.dumps(body), "owner": owner}, None)
        return {key: value for key, value in started.items() if key != "executionArn"}

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        item = _item("SessionsTable", session_id)
        return None if item is None else session_view(item)

    def get_result_text(self, session_id: str) -> str | None:
        item = _item("ResultsTable", session_id)
        return None if item is None else str(item["result"])

    def list_sessions(self, limit: int = 20, owner: str | None = None) -> list[dict[str, Any]]:
        return []

    async def subscribe(self, session_id: str) -> AsyncIterator[dict[str, Any]]:
        for _ in ():
            yield {}

    async def close(self) -> None:
        return None


async def _local_answers(requests: list[tuple[str, str, str | None, str]]) -> list[tuple[int, str, str]]:
    web = pytest.importorskip("aichef.web")
    httpx = pytest.importorskip("httpx")
    transport = httpx.ASGITransport(app=web.create_app(_StackService()))
    answers = []
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        for method, path, body, content_type in requests:
            response = await http.request(method, path, content=body, headers={"content-type": content_type})
            answers.append((response.status_code, response.headers["content-type"], response.text))
    return answers


def _put_session(session_id: str, status: str, **extra: Any) -> None:
    item = {"sessionId": session_id, "status": status, "phase": status, "progress": 40, **extra}
    boto3.resource("dynamodb").Table(TABLES["SessionsTable"]).put_item(Item=item)


def test_the_aws_handler_and_the_local_app_answer_the_same_bodies(stack: str) -> None:
    """Same request, same tables: same status and JSON body from API Gateway's handler and FastAPI's app."""
    _put_session("s-running", "processing")
    _put_session("s-failed", "failed", error=json.dumps({"Error": "RecipeFailed", "Cause": "no recipe fits"}))
    _put_session("s-done", "completed")
    result = {"sessionId": "s-done", "recipe": {"title": "두부 스테이크"}, "kcal": 512.5}
    boto3.resource("dynamodb").Table(TABLES["ResultsTable"]).put_item(
        Item={"sessionId": "s-done", "result": json.dumps(result, ensure_ascii=False)}
    )
    bad_profile = json.dumps({"profile": {"target": "ketoo", "servings": 0}})
    requests: list[tuple[str, str, str | None, str]] = [
        ("POST", "/api/sessions", bad_profile, "application/json"),
        ("POST", "/api/sessions", json.dumps(KETO), "text/plain"),
        ("POST", "/api/sessions", "{not json", "application/json"),
        ("POST", "/api/sessions", "[1, 2]", "application/json"),
        ("POST", "/api/sessions", "x" * (MAX_BODY_BYTES + 1), "application/json"),
        ("GET", "/api/sessions/nope", None, "application/json"),
        ("GET", "/api/sessions/nope/result", None, "application/json"),
        ("GET", "/api/sessions/s-running/result", None, "application/json"),
        ("GET", "/api/sessions/s-failed/result", None, "application/json"),
        ("GET", "/api/sessions/s-done/result", None, "application/json"),
        ("GET", "/api/sessions/s-done/history", None, "application/json"),
        ("DELETE", "/api/sessions/s-done", None, "application/json"),
    ]
    local = asyncio.run(_local_answers(requests))
    for (method, path, body, content_type), (status, media, text) in zip(requests, local, strict=True):
        aws = api.handler(_event(method, path, body, content_type=content_type), None)
        assert (aws["statusCode"], aws["headers"]["content-type"]) == (status, media), (method, path)
        assert json.loads(aws["body"]) == json.loads(text), (method, path)

    statuses = [status for status, _, _ in local]
    assert statuses == [422, 415, 422, 422, 413, 404, 404, 409, 409, 200, 404, 405]
    fields = json.loads(local[0][2])["error"]["fields"]
    assert [f["field"] for f in fields] == ["profile.target", "profile.servings"]
    assert "keto" in fields[0]["allowed"]
    assert json.loads(local[7][2])["error"]["progress"] == 40
    assert json.loads(local[8][2])["error"]["message"] == "no recipe fits"
    # The stored text is answered byte for byte on both sides, never decoded and encoded again.
    assert local[9][2] == api.handler(_event("GET", "/api/sessions/s-done/result"), None)["body"]
    assert json.loads(local[9][2]) == result
    assert boto3.client("stepfunctions").list_executions(stateMachineArn=stack)["executions"] == []


@pytest.mark.parametrize(
    ("event", "status", "code"),
    [
        (_event("POST", "/api/sessions", KETO, content_type="text/plain"), 415, "unsupported_media_type"),
        (_event("POST", "/api/sessions", "{not json"), 422, "invalid_input"),
        (_event("POST", "/api/sessions", "[1, 2]"), 422, "invalid_input"),
        (_event("POST", "/api/sessions", "x" * (MAX_BODY_BYTES + 1)), 413, "payload_too_large"),
        (_event("DELETE", "/api/sessions/abc"), 405, "method_not_allowed"),
        (_event("GET", "/api/sessions"), 405, "method_not_allowed"),
        (_event("GET", "/api/sessions/abc/events"), 404, "not_found"),
        (_event("GET", "/"), 404, "not_found"),
    ],
)
def test_api_refuses_what_the_local_api_refuses(
    stack: str, event: dict[str, Any], status: int, code: str
) -> None:
    got, body = _answer(api.handler(event, None))
    assert (got, body["error"]["code"]) == (status, code)
    assert set(body["error"]) >= {"code", "message", "fields"}
    assert boto3.client("stepfunctions").list_executions(stateMachineArn=stack)["executions"] == []


def test_a_session_id_in_use_is_refused_and_starts_nothing_more(stack: str) -> None:
    first, _ = _answer(api.handler(_event("POST", "/api/sessions", {**KETO, "sessionId": "twice"}), None))
    again, body = _answer(api.handler(_event("POST", "/api/sessions", {**KETO, "sessionId": "twice"}), None))
    assert (first, again) == (202, 422)
    assert body["error"]["fields"][0] == {
        "field": "sessionId",
        "message": "session 'twice' already exists",
        "allowed": [],
    }
    assert len(boto3.client("stepfunctions").list_executions(stateMachineArn=stack)["executions"]) == 1


def test_an_unexpected_failure_is_a_500_without_a_traceback(
    stack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICHEF_SESSIONS_TABLE", "no-such-table")
    status, body = _answer(api.handler(_event("GET", "/api/sessions/abc"), None))
    assert status == 500
    assert body == {
        "error": {
            "code": "internal_error",
            "message": "the server could not answer this request",
            "fields": [],
        }
    }
