"""StartSession: create the session item and start the workflow (the API's session starter).

On AWS (``AICHEF_BACKEND=aws``) it starts the state machine through boto3's stepfunctions
client; locally it starts it on the in-process runtime, in a background thread that
owns one event loop. Accepts the request itself or an API Gateway proxy event.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

from aichef.config import settings
from aichef.models import parse_session
from aichef.sessions import create_session
from aichef.tables import local_store, sessions_table

__all__ = ["handler"]

_runner_lock = threading.Lock()
_runner: tuple[asyncio.AbstractEventLoop, Any] | None = None


def _local_runner() -> tuple[asyncio.AbstractEventLoop, Any]:
    """A background event loop with the local workflow, started once per process."""
    global _runner
    with _runner_lock:
        if _runner is None:
            from aichef.workflows import local_machine

            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="aichef-workflows", daemon=True).start()
            _runner = (loop, local_machine(local_store()))
        return _runner


def _body(event: dict[str, Any]) -> dict[str, Any]:
    body = event.get("body", event)
    if isinstance(body, str):
        body = json.loads(body)
    return dict(body)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    data = _body(event)
    data.setdefault("sessionId", uuid.uuid4().hex)
    request = parse_session(data)
    session = create_session(sessions_table(), request)
    payload = json.dumps(request.model_dump(mode="json"), ensure_ascii=False)
    config = settings()
    if config.backend == "aws":
        import boto3

        started = boto3.client("stepfunctions").start_execution(
            stateMachineArn=config.state_machine_arn, name=request.sessionId, input=payload
        )
        arn = started["executionArn"]
    else:
        loop, machine = _local_runner()
        future = asyncio.run_coroutine_threadsafe(
            machine.start(json.loads(payload), name=request.sessionId), loop
        )
        arn = future.result(timeout=10).arn
    return {**session, "executionArn": arn}
