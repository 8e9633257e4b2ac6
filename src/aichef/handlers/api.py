"""The HTTP API on AWS: API Gateway (HTTP API) proxy events in, the local web API's JSON out.

``POST /api/sessions`` starts a session through :mod:`aichef.handlers.session`;
``GET /api/sessions/{sessionId}`` and ``.../result`` read the tables. Bodies, status codes and
the error shape ``{"error": {"code", "message", "fields", ...}}`` are those of
:mod:`aichef.web`, which stays out of the Lambda package (it needs FastAPI).

>>> handler({"requestContext": {"http": {"method": "GET"}}, "rawPath": "/nowhere"}, None)["statusCode"]
404
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

from aichef.errors import FieldProblem, InvalidInput
from aichef.handlers import session as session_starter
from aichef.sessions import session_view
from aichef.tables import results_table, sessions_table

__all__ = ["MAX_BODY_BYTES", "handler"]

# The local server's cap (aichef.web._guard.MAX_BODY_BYTES); a profile is a few hundred bytes.
MAX_BODY_BYTES = 64 * 1024

_log = logging.getLogger("aichef.api")
_HEADERS = {"content-type": "application/json", "cache-control": "no-store"}


class _Answer(Exception):
    """An error answered to the client as is (the local API's ApiError)."""

    def __init__(
        self, status: int, code: str, message: str, fields: Iterable[FieldProblem] = (), **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        # Same keys and order as aichef.web._errors.error_body; a test holds the two together.
        self.body = {
            "error": {
                "code": code,
                "message": message,
                "fields": [
                    {"field": p.field, "message": p.problem, "allowed": list(p.allowed)} for p in fields
                ],
                **extra,
            }
        }


def _response(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**_HEADERS, **(headers or {})},
        "body": json.dumps(body, ensure_ascii=False),
        "isBase64Encoded": False,
    }


def _links(session_id: str) -> dict[str, str]:
    # Only what this API serves: the local server's live events and websocket have no route here.
    base = f"/api/sessions/{quote(session_id, safe='')}"
    return {"self": base, "result": f"{base}/result"}


def _invalid(problems: tuple[FieldProblem, ...]) -> _Answer:
    noun = "field is" if len(problems) == 1 else "fields are"
    return _Answer(422, "invalid_input", f"{len(problems)} {noun} not valid", problems)


def _not_found(session_id: str) -> _Answer:
    return _Answer(404, "not_found", f"no session with id {session_id!r}", sessionId=session_id)


def _json_object(event: dict[str, Any]) -> dict[str, Any]:
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    # Only JSON, as locally: it also keeps other web pages from posting plain forms here.
    if media != "application/json":
        raise _Answer(
            415, "unsupported_media_type", "send the body as application/json", allowed=["application/json"]
        )
    raw = event.get("body") or ""
    data = base64.b64decode(raw) if event.get("isBase64Encoded") else str(raw).encode()
    if len(data) > MAX_BODY_BYTES:
        raise _Answer(
            413,
            "payload_too_large",
            f"request body is larger than {MAX_BODY_BYTES} bytes",
            limit=MAX_BODY_BYTES,
        )
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidInput.one("(body)", f"is not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(body, dict):
        raise InvalidInput.one("(body)", f"must be a JSON object, got {type(body).__name__}")
    return body


def _start(event: dict[str, Any], context: Any) -> dict[str, Any]:
    body = _json_object(event)
    started = session_starter.handler({"body": json.dumps(body)}, context)
    # The execution ARN names the AWS account: the operator finds it by sessionId, the client never needs it.
    view = {key: value for key, value in started.items() if key != "executionArn"}
    links = _links(str(view["sessionId"]))
    return _response(202, {**view, "links": links}, {"location": links["self"]})


def _session(session_id: str) -> dict[str, Any]:
    item = sessions_table().get_item(Key={"sessionId": session_id}).get("Item")
    if item is None:
        raise _not_found(session_id)
    return session_view(item)


def _status(session_id: str) -> dict[str, Any]:
    return _response(200, {**_session(session_id), "links": _links(session_id)})


def _result(session_id: str) -> dict[str, Any]:
    session = _session(session_id)
    if session.get("status") == "COMPLETED":
        item = results_table().get_item(Key={"sessionId": session_id}).get("Item")
        if item is not None:
            return _response(200, json.loads(item["result"]))
    if session.get("status") == "FAILED":
        error = session.get("error") or {}
        message = str(error.get("message") or "the session failed")
        raise _Answer(409, "session_failed", message, sessionStatus="FAILED", sessionError=error)
    raise _Answer(
        409,
        "not_ready",
        "the session has not finished yet",
        sessionStatus=session.get("status"),
        progress=session.get("progress"),
    )


def _route(method: str, path: str, event: dict[str, Any], context: Any) -> dict[str, Any]:
    parts = [unquote(part) for part in path.strip("/").split("/")]
    if parts[:2] != ["api", "sessions"] or not 2 <= len(parts) <= 4 or "" in parts:
        raise _Answer(404, "not_found", "no such resource")
    if len(parts) == 4 and parts[3] != "result":
        raise _Answer(404, "not_found", "no such resource")
    allowed = "POST" if len(parts) == 2 else "GET"
    if method != allowed:
        raise _Answer(405, "method_not_allowed", "method not allowed here")
    if len(parts) == 2:
        return _start(event, context)
    return _status(parts[2]) if len(parts) == 3 else _result(parts[2])


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway proxy event (payload 2.0; 1.0's ``httpMethod``/``path`` also work)."""
    method = str(
        event.get("requestContext", {}).get("http", {}).get("method") or event.get("httpMethod") or ""
    )
    path = str(event.get("rawPath") or event.get("path") or "/")
    try:
        return _route(method.upper(), path, event, context)
    except _Answer as exc:
        answer = exc
    except InvalidInput as exc:
        answer = _invalid(exc.problems)
    except Exception:
        # Logged with its traceback for the operator (CloudWatch); the client only learns that it failed.
        _log.exception("unhandled error on %s %s", method, path)
        answer = _Answer(500, "internal_error", "the server could not answer this request")
    return _response(answer.status, answer.body)
