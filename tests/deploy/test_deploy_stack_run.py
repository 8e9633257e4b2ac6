"""The definition run to the end as the stack wires it: function ARNs with generated names, generated table
names; the local runtime stands in for Step Functions and Lambda, then the API handler reads the result."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from deploy_support import stack_substitutions

from aichef.config import FUNCTION_NAMES
from aichef.handlers import api, local_handlers
from aichef.models import parse_session
from aichef.sessions import create_session
from aichef.tables import sessions_table, use_store
from aichef.workflows import load_definition
from asl import StateMachine
from asl.dynamodb import TableStore
from asl.integrations.lambda_ import function_name_of

TABLES = {"SessionsTable": "aichef-SessionsTable-9Z8Y7X", "ResultsTable": "aichef-ResultsTable-6W5V4U"}


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TableStore]:
    monkeypatch.delenv("AICHEF_BACKEND", raising=False)
    monkeypatch.delenv("NAVER_CLIENT_ID", raising=False)
    monkeypatch.setenv("AICHEF_PROVIDER", "offline")
    monkeypatch.setenv("AICHEF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AICHEF_SESSIONS_TABLE", TABLES["SessionsTable"])
    monkeypatch.setenv("AICHEF_RESULTS_TABLE", TABLES["ResultsTable"])
    tables = TableStore(":memory:")
    use_store(tables)
    try:
        yield tables
    finally:
        use_store(None)
        tables.close()


def _stack_machine(tables: TableStore) -> StateMachine:
    substitutions = stack_substitutions(TABLES)
    by_key = local_handlers()
    # Functions have generated names; the runtime takes the name from the ARN, as Step Functions does.
    handlers = {function_name_of(substitutions[key]): by_key[local] for key, local in FUNCTION_NAMES.items()}
    assert set(handlers).isdisjoint(FUNCTION_NAMES.values())
    return StateMachine(
        load_definition(), handlers, substitutions, name="RecipeStateMachine-AbCdEf", tables=tables
    )


def _get(path: str) -> tuple[int, Any]:
    event = {"rawPath": path, "requestContext": {"http": {"method": "GET"}}, "headers": {}}
    response = api.handler(event, None)
    return response["statusCode"], json.loads(response["body"])


def test_the_workflow_completes_with_the_stack_names_and_the_api_reads_it(store: TableStore) -> None:
    request = parse_session({"sessionId": "s-stack", "profile": {"target": "diet", "servings": 2}})
    create_session(sessions_table(), request)
    execution = _stack_machine(store).run(request.model_dump(mode="json"), name="s-stack")
    assert execution.status == "SUCCEEDED", execution.cause
    assert set(store.table_names()) == set(TABLES.values())

    status, body = _get("/api/sessions/s-stack")
    assert status == 200
    assert (body["status"], body["phase"], body["progress"]) == ("completed", "finished", 100)
    assert "notifiedAt" in body
    status, result = _get("/api/sessions/s-stack/result")
    assert status == 200
    assert result["sessionId"] == "s-stack" and result["recipe"]["ingredients"]


def test_a_rejected_profile_fails_the_session_and_the_api_says_why(store: TableStore) -> None:
    sessions_table().put_item(Item={"sessionId": "s-bad", "status": "processing", "progress": 0})
    bad = {"sessionId": "s-bad", "profile": {"target": "diet", "servings": 0}}
    execution = _stack_machine(store).run(bad, name="s-bad")
    assert (execution.status, execution.error) == ("FAILED", "InvalidInput")
    status, body = _get("/api/sessions/s-bad/result")
    assert status == 409 and body["error"]["code"] == "session_failed"
    assert "servings" in body["error"]["message"]
