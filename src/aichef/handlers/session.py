"""StartSession: create the session item and start the workflow (the API's session starter).

On AWS (``AICHEF_BACKEND=aws``) it starts the state machine through boto3's stepfunctions
client; locally it starts it on the in-process runtime, in a background thread that
owns one event loop. Accepts the request itself or an API Gateway proxy event.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from aichef.config import settings
from aichef.models import parse_session
from aichef.session_ids import new_session_id
from aichef.sessions import create_session, owner_hash
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
    """``event["owner"]``: the client's id (the page's X-AIChef-Client), kept hashed on the item."""
    data = _body(event)
    if not data.get("sessionId"):
        data["sessionId"] = new_session_id()
    request = parse_session(data)  # the id follows Step Functions' naming rules before anything is written
    owner = event.get("owner")
    session = create_session(sessions_table(), request, None if owner is None else owner_hash(str(owner)))
    try:
        return {**session, "executionArn": _start(request)}
    except BaseException:
        # not started: the item goes too, so no session stays processing for ever
        sessions_table().delete_item(Key={"sessionId": request.sessionId})
        raise


def _start(request: Any) -> str:
    payload = json.dumps(request.model_dump(mode="json"), ensure_ascii=False)
    config = settings()
    if config.backend == "aws":
        import boto3

        started = boto3.client("stepfunctions").start_execution(
            stateMachineArn=config.state_machine_arn, name=request.sessionId, input=payload
        )
        return str(started["executionArn"])
    loop, machine = _local_runner()
    future = asyncio.run_coroutine_threadsafe(
        machine.start(json.loads(payload), name=request.sessionId), loop
    )
    return str(future.result(timeout=10).arn)
