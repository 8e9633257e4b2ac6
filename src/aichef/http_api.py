"""The HTTP API's contract whatever serves it: error shape, body rules, links and the result rule.

The local server (:mod:`aichef.web`, FastAPI) and the AWS handler (:mod:`aichef.handlers.api`, API
Gateway) both answer from here, so a client sees the same bodies on either. Transport-neutral on
purpose: it must import without FastAPI or Starlette, which the Lambda package does not carry.

>>> error = not_found("abc")
>>> error.status, error.body()["error"]
(404, {'code': 'not_found', 'message': "no session with id 'abc'", 'fields': [], 'sessionId': 'abc'})
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from aichef.errors import FieldProblem, InvalidInput

__all__ = [
    "JSON_MEDIA_TYPE",
    "MAX_BODY_BYTES",
    "ApiError",
    "error_body",
    "internal_error",
    "invalid_input",
    "json_object",
    "links",
    "not_found",
    "result_or_conflict",
    "status_error",
    "too_large",
]

# A profile is a few hundred bytes; anything near this is a mistake or an attack.
MAX_BODY_BYTES = 64 * 1024
JSON_MEDIA_TYPE = "application/json"

# Codes are part of the API: clients switch on them, so they never change once published.
_STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    500: "internal_error",
    503: "unavailable",
}
_STATUS_MESSAGES: dict[int, str] = {404: "no such resource", 405: "method not allowed here"}


class ApiError(Exception):
    """An error answered to the client as is: HTTP status, stable code, human message, bad fields.

    >>> ApiError(409, "conflict", "busy", retry=3).body()["error"]["retry"]
    3
    """

    def __init__(
        self, status: int, code: str, message: str, fields: Sequence[FieldProblem] = (), **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = tuple(fields)
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body of this error (see :func:`error_body`)."""
        return error_body(self.code, self.message, self.fields, **self.extra)


def error_body(code: str, message: str, fields: Iterable[FieldProblem] = (), **extra: Any) -> dict[str, Any]:
    """`{"error": {"code", "message", "fields": [{"field", "message", "allowed"}], ...extra}}`.

    >>> error_body("bad", "no")
    {'error': {'code': 'bad', 'message': 'no', 'fields': []}}
    """
    return {
        "error": {
            "code": code,
            "message": message,
            "fields": [{"field": p.field, "message": p.problem, "allowed": list(p.allowed)} for p in fields],
            **extra,
        }
    }


def status_error(status: int, detail: str = "") -> ApiError:
    """The error for a status the router decides (no such route, wrong method, ...).

    >>> status_error(405).message
    'method not allowed here'
    """
    code = _STATUS_CODES.get(status, "error")
    return ApiError(status, code, _STATUS_MESSAGES.get(status, detail))


def invalid_input(problems: Sequence[FieldProblem]) -> ApiError:
    """422 naming every bad field (what :class:`aichef.errors.InvalidInput` carries)."""
    noun = "field is" if len(problems) == 1 else "fields are"
    return ApiError(422, "invalid_input", f"{len(problems)} {noun} not valid", problems)


def not_found(session_id: str) -> ApiError:
    """404 for a session id nobody started."""
    return ApiError(404, "not_found", f"no session with id {session_id!r}", sessionId=session_id)


def too_large(limit: int = MAX_BODY_BYTES) -> ApiError:
    """413 for a request body over ``limit`` bytes."""
    return ApiError(413, "payload_too_large", f"request body is larger than {limit} bytes", limit=limit)


def internal_error() -> ApiError:
    """500 for anything unexpected: the operator's log has the traceback, the client learns only this."""
    return ApiError(500, "internal_error", "the server could not answer this request")


def json_object(content_type: str, raw: bytes, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request body as a JSON object, or ApiError (415, 413) / InvalidInput (not JSON, not an object).

    >>> json_object("application/json; charset=utf-8", b'{"a": 1}')
    {'a': 1}
    """
    media = content_type.split(";")[0].strip().lower()
    # Only JSON is accepted: it also keeps other web pages from posting plain forms to the API.
    if media != JSON_MEDIA_TYPE:
        raise ApiError(
            415, "unsupported_media_type", "send the body as application/json", allowed=[JSON_MEDIA_TYPE]
        )
    if len(raw) > limit:
        raise too_large(limit)
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidInput.one("(body)", f"is not valid JSON ({exc.__class__.__name__})") from None
    except ValueError:  # an integer of more than 4300 digits: Python refuses to read it
        raise InvalidInput.one("(body)", "holds a number too long to read") from None
    if not isinstance(body, dict):
        raise InvalidInput.one("(body)", f"must be a JSON object, got {type(body).__name__}")
    return body


def links(session_id: str, *, live: bool) -> dict[str, str]:
    """Where a session's resources are. ``live``: the server also streams progress (events, websocket),
    which only the local server does.

    >>> links("a b", live=False)
    {'self': '/api/sessions/a%20b', 'result': '/api/sessions/a%20b/result'}
    """
    base = f"/api/sessions/{quote(session_id, safe='')}"
    found = {"self": base, "result": f"{base}/result"}
    if live:
        found |= {"events": f"{base}/events", "websocket": f"{base}/ws"}
    return found


def result_or_conflict(
    session_id: str, session: Mapping[str, Any] | None, load_result: Callable[[], str | None]
) -> str:
    """The stored result's JSON text of a completed session; else 404 (no session) or 409 saying why.

    ``load_result`` is called only for a completed session; the text is answered as stored, never
    decoded and encoded again.

    >>> result_or_conflict("s", {"status": "completed"}, lambda: '{"ok": true}')
    '{"ok": true}'
    >>> result_or_conflict("s", {"status": "processing", "progress": 40}, lambda: None)
    Traceback (most recent call last):
    aichef.http_api.ApiError: the session has not finished yet
    """
    if session is None:
        raise not_found(session_id)
    status = session.get("status")
    result = load_result() if status == "completed" else None
    if result is not None:
        return result
    if status == "failed":
        error = session.get("error") or {}
        message = str(error.get("message") or "the session failed")
        raise ApiError(409, "session_failed", message, sessionStatus="failed", sessionError=error)
    raise ApiError(
        409,
        "not_ready",
        "the session has not finished yet",
        sessionStatus=status,
        progress=session.get("progress"),
    )
