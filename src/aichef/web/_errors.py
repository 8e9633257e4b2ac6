"""The framework's errors turned into the API's one JSON error shape (the shape is aichef.http_api's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from aichef.errors import FieldProblem, InvalidInput
from aichef.http_api import ApiError, invalid_input, status_error

__all__ = ["error_response", "install_handlers"]


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers={"Cache-Control": "no-store"})


def _field_of(loc: Sequence[Any]) -> str:
    # FastAPI prefixes the source ("query", "path", "body"); the parameter name is what a user knows.
    parts = [str(p) for p in loc[1:]] or [str(p) for p in loc]
    return ".".join(parts) or "(request)"


async def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _on_invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return error_response(invalid_input(exc.problems))


async def _on_request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        FieldProblem(_field_of(err.get("loc", ())), str(err.get("msg", "is not valid")))
        for err in exc.errors()
    ]
    return error_response(invalid_input(problems or [FieldProblem("(request)", "is not valid")]))


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = error_response(status_error(exc.status_code, str(exc.detail)))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def install_handlers(app: FastAPI) -> None:
    """Route every error the framework or our code raises on purpose to the one JSON shape."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(InvalidInput, _on_invalid_input)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
