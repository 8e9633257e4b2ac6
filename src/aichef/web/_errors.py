"""The one JSON error shape every client sees, and the handlers that produce it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from aichef.errors import FieldProblem, InvalidInput

__all__ = ["ApiError", "error_body", "error_response", "install_handlers"]

# Codes are part of the API: clients switch on them, so they never change once published.
_STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error answered to the client as is: HTTP status, stable code, human message, bad fields."""

    def __init__(
        self, status: int, code: str, message: str, fields: Sequence[FieldProblem] = (), **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = tuple(fields)
        self.extra = extra


def error_body(code: str, message: str, fields: Iterable[FieldProblem] = (), **extra: Any) -> dict[str, Any]:
    """`{"error": {"code", "message", "fields": [{"field", "message", "allowed"}], ...extra}}`."""
    return {
        "error": {
            "code": code,
            "message": message,
            "fields": [{"field": p.field, "message": p.problem, "allowed": list(p.allowed)} for p in fields],
            **extra,
        }
    }


def error_response(error: ApiError) -> JSONResponse:
    body = error_body(error.code, error.message, error.fields, **error.extra)
    return JSONResponse(body, status_code=error.status, headers={"Cache-Control": "no-store"})


def _invalid(problems: Sequence[FieldProblem]) -> ApiError:
    noun = "field is" if len(problems) == 1 else "fields are"
    return ApiError(422, "invalid_input", f"{len(problems)} {noun} not valid", problems)


def _field_of(loc: Sequence[Any]) -> str:
    # FastAPI prefixes the source ("query", "path", "body"); the parameter name is what a user knows.
    parts = [str(p) for p in loc[1:]] or [str(p) for p in loc]
    return ".".join(parts) or "(request)"


async def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _on_invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return error_response(_invalid(exc.problems))


async def _on_request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        FieldProblem(_field_of(err.get("loc", ())), str(err.get("msg", "is not valid")))
        for err in exc.errors()
    ]
    return error_response(_invalid(problems or [FieldProblem("(request)", "is not valid")]))


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = {404: "no such resource", 405: "method not allowed here"}.get(exc.status_code, str(exc.detail))
    response = error_response(ApiError(exc.status_code, code, message))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def install_handlers(app: FastAPI) -> None:
    """Route every error the framework or our code raises on purpose to the one JSON shape."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(InvalidInput, _on_invalid_input)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
