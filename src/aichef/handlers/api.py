"""The HTTP API on AWS: API Gateway (HTTP API) proxy events in, the local web API's JSON out.

``POST /api/sessions`` starts a session through :mod:`aichef.handlers.session`;
``GET /api/sessions/{sessionId}`` and ``.../result`` read the tables. Bodies, status codes and
the error shape ``{"error": {"code", "message", "fields", ...}}`` come from :mod:`aichef.http_api`,
as the local server's do (:mod:`aichef.web` stays out of the Lambda package: it needs FastAPI).

>>> handler({"requestContext": {"http": {"method": "GET"}}, "rawPath": "/nowhere"}, None)["statusCode"]
404
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import unquote

from aichef.errors import InvalidInput
from aichef.handlers import session as session_starter
from aichef.http_api import (
    ApiError,
    internal_error,
    invalid_input,
    json_object,
    links,
    not_found,
    result_or_conflict,
    status_error,
)
from aichef.sessions import session_view
from aichef.tables import results_table, sessions_table

__all__ = ["handler"]

_log = logging.getLogger("aichef.api")
_HEADERS = {"content-type": "application/json", "cache-control": "no-store"}


def _response(status: int, body: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**_HEADERS, **(headers or {})},
        "body": body,
        "isBase64Encoded": False,
    }


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return _response(status, json.dumps(body, ensure_ascii=False), headers)


def _links(session_id: str) -> dict[str, str]:
    # Only what this API serves: the local server's live events and websocket have no route here.
    return links(session_id, live=False)


def _start(event: dict[str, Any], context: Any) -> dict[str, Any]:
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    raw = event.get("body") or ""
    data = base64.b64decode(raw) if event.get("isBase64Encoded") else str(raw).encode()
    body = json_object(headers.get("content-type", ""), data)
    owner = headers.get("x-aichef-client")
    started = session_starter.handler({"body": body, "owner": owner}, context)  # read once, above
    # The execution ARN names the AWS account: the operator finds it by sessionId, the client never needs it.
    view = {key: value for key, value in started.items() if key != "executionArn"}
    found = _links(str(view["sessionId"]))
    return _json(202, {**view, "links": found}, {"location": found["self"]})


def _session(session_id: str) -> dict[str, Any] | None:
    item = sessions_table().get_item(Key={"sessionId": session_id}).get("Item")
    return None if item is None else session_view(item)


def _status(session_id: str) -> dict[str, Any]:
    session = _session(session_id)
    if session is None:
        raise not_found(session_id)
    return _json(200, {**session, "links": _links(session_id)})


def _result_text(session_id: str) -> str | None:
    item = results_table().get_item(Key={"sessionId": session_id}).get("Item")
    return None if item is None else str(item["result"])


def _result(session_id: str) -> dict[str, Any]:
    text = result_or_conflict(session_id, _session(session_id), lambda: _result_text(session_id))
    return _response(200, text)


def _route(method: str, path: str, event: dict[str, Any], context: Any) -> dict[str, Any]:
    parts = [unquote(part) for part in path.strip("/").split("/")]
    if parts[:2] != ["api", "sessions"] or not 2 <= len(parts) <= 4 or "" in parts:
        raise status_error(404)
    if len(parts) == 4 and parts[3] != "result":
        raise status_error(404)
    allowed = "POST" if len(parts) == 2 else "GET"
    if method != allowed:
        raise status_error(405)
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
    except ApiError as exc:
        answer = exc
    except InvalidInput as exc:
        answer = invalid_input(exc.problems)
    except Exception:
        # Logged with its traceback for the operator (CloudWatch); the client only learns that it failed.
        _log.exception("unhandled error on %s %s", method, path)
        answer = internal_error()
    return _json(answer.status, answer.body())
