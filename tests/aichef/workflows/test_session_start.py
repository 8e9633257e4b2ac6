"""One way to start a session on this machine: the command line, the web API and the API's Lambda
handler run locally all go through Kitchen.start_session, and each reads the request (profile and
all) once."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

import aichef.sessions as sessions
from aichef.cli import main
from aichef.handlers import session as session_handler
from aichef.models import SessionRequest, parse_session

DIET: dict[str, Any] = {"profile": {"target": "diet", "servings": 1}}


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The session ids of every request read (parse_session as session_request calls it)."""
    seen: list[str] = []

    def counting(data: Any) -> SessionRequest:
        seen.append(str(data.get("sessionId")))
        return parse_session(data)

    monkeypatch.setattr(sessions, "parse_session", counting)
    return seen


@pytest.fixture
def local_handler() -> Iterator[None]:
    """The handler's kitchen for this test alone, closed and forgotten after it."""
    yield
    started = session_handler._kitchen
    session_handler._kitchen = None
    if started is not None:
        loop, kitchen = started
        asyncio.run_coroutine_threadsafe(kitchen.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        deadline = time.monotonic() + 10
        while loop.is_running() and time.monotonic() < deadline:
            time.sleep(0.01)
        loop.close()


def test_cook_reads_its_request_once(parses: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["cook", "--target", "diet", "--servings", "1", "--json"])
    assert code == 0, capsys.readouterr().err
    session_id = json.loads(capsys.readouterr().out)["sessionId"]
    assert parses == [session_id]


def test_the_api_handler_run_locally_starts_its_session_through_the_kitchen(
    parses: list[str], local_handler: None
) -> None:
    answer = session_handler.handler({"body": json.dumps(DIET), "owner": "browser-1"}, None)
    session_id = answer["sessionId"]
    assert parses == [session_id]
    assert (answer["status"], answer["phase"], answer["progress"]) == ("processing", "recipe_generation", 0)
    loop, kitchen = session_handler._kitchen or pytest.fail("no kitchen was opened")
    assert answer["executionArn"] == kitchen.execution_arn(session_id)
    done = asyncio.run_coroutine_threadsafe(kitchen.wait(session_id, timeout=60), loop).result(timeout=90)
    assert done["status"] == "completed"
    # as the web API's sessions are: the owner's recent-sessions index has it
    assert [s["sessionId"] for s in kitchen.list_sessions(owner="browser-1")] == [session_id]
