"""StartSession: create the session item and start the workflow (the API's session starter).

On AWS (``AICHEF_BACKEND=aws``) it writes the item and starts the state machine through boto3's
stepfunctions client. Locally it starts the session as the command line and the web API do,
through :meth:`aichef.service.Kitchen.start_session` (one kitchen per process, on a background
thread that owns its event loop), so there is one way into the local workflow. Accepts the
request itself or an API Gateway proxy event.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from aichef.config import settings
from aichef.models import SessionRequest
from aichef.sessions import create_session, owner_hash, session_request
from aichef.tables import sessions_table

__all__ = ["handler"]

_kitchen_lock = threading.Lock()
_kitchen: tuple[asyncio.AbstractEventLoop, Any] | None = None


def _local_kitchen() -> tuple[asyncio.AbstractEventLoop, Any]:
    """A background event loop with this process's kitchen, opened once per process."""
    global _kitchen
    with _kitchen_lock:
        if _kitchen is None:
            from aichef.service import Kitchen

            kitchen = Kitchen()
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="aichef-kitchen", daemon=True).start()
            _kitchen = (loop, kitchen)
        return _kitchen


def _body(event: dict[str, Any]) -> dict[str, Any]:
    body = event.get("body", event)
    if isinstance(body, str):
        body = json.loads(body)
    return dict(body)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``event["owner"]``: the client's id (the page's X-AIChef-Client), kept hashed on the item."""
    request = session_request(_body(event))  # the id follows Step Functions' rules before anything is written
    owner = event.get("owner")
    if settings().backend != "aws":
        return _start_locally(request, None if owner is None else str(owner))
    session = create_session(sessions_table(), request, None if owner is None else owner_hash(str(owner)))
    try:
        return {**session, "executionArn": _start_on_aws(request)}
    except BaseException:
        # not started: the item goes too, so no session stays processing for ever
        sessions_table().delete_item(Key={"sessionId": request.sessionId})
        raise


def _start_on_aws(request: SessionRequest) -> str:
    import boto3

    payload = json.dumps(request.model_dump(mode="json"), ensure_ascii=False)
    started = boto3.client("stepfunctions").start_execution(
        stateMachineArn=settings().state_machine_arn, name=request.sessionId, input=payload
    )
    return str(started["executionArn"])


def _start_locally(request: SessionRequest, owner: str | None) -> dict[str, Any]:
    loop, kitchen = _local_kitchen()
    started = asyncio.run_coroutine_threadsafe(kitchen.start_session(request, owner=owner), loop)
    session: dict[str, Any] = started.result(timeout=10)
    return {**session, "executionArn": kitchen.execution_arn(request.sessionId)}
