"""Session items: created when a session starts, updated by the workflow, read by everyone.

The workflow writes ``status``/``phase``/``progress``/``updatedAt`` (and ``error`` as the
JSON of Step Functions' ``{"Error", "Cause"}``); :func:`session_view` turns an item into
what the command line and the API show, with a readable error message.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aichef.errors import InvalidInput
from aichef.models import SessionRequest

__all__ = ["TERMINAL", "create_session", "now_iso", "session_view"]

TERMINAL = frozenset({"COMPLETED", "FAILED"})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def create_session(table: Any, request: SessionRequest) -> dict[str, Any]:
    """Write the PENDING session item; a sessionId already in use is refused."""
    from botocore.exceptions import ClientError

    now = now_iso()
    item = {
        "sessionId": request.sessionId,
        "status": "PENDING",
        "phase": "CREATED",
        "progress": 0,
        "createdAt": now,
        "updatedAt": now,
        "target": request.profile.target,
        "language": request.profile.language,
    }
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(sessionId)")
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise InvalidInput.one("sessionId", f"session {request.sessionId!r} already exists") from None
        raise
    return session_view(item)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def session_view(item: dict[str, Any]) -> dict[str, Any]:
    """The public view of a session item."""
    view = {key: _plain(value) for key, value in item.items()}
    error = view.get("error")
    if isinstance(error, str):
        view["error"] = _readable_error(error)
    view.setdefault("error", None)
    return view


def _readable_error(text: str) -> dict[str, Any]:
    try:
        failure = json.loads(text)
    except json.JSONDecodeError:
        return {"code": "Error", "message": text}
    code = failure.get("Error") or "Error"
    cause = failure.get("Cause")
    message = cause or code
    if isinstance(cause, str):
        try:
            lambda_error = json.loads(cause)
        except json.JSONDecodeError:
            lambda_error = None
        if isinstance(lambda_error, dict) and "errorMessage" in lambda_error:
            message = lambda_error["errorMessage"]
    return {"code": code, "message": message}
