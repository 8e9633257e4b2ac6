"""Shapes of the API's answers, for the OpenAPI document (answers are built as plain dicts)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from aichef.models import SessionRequest

__all__ = ["ERROR_RESPONSES", "Health", "SessionList", "SessionStatus", "install_openapi"]


class FieldError(BaseModel):
    field: str
    message: str
    allowed: list[str]


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[FieldError]


class ErrorBody(BaseModel):
    error: ErrorDetail


class SessionError(BaseModel):
    code: str
    message: str


class SessionStatus(BaseModel):
    sessionId: str
    status: Literal["processing", "completed", "failed"]
    phase: Literal[
        "recipe_generation",
        "recipe_completed",
        "price_lookup",
        "price_completed",
        "combining_results",
        "finished",
    ]
    progress: int
    error: SessionError | None = None
    createdAt: str
    updatedAt: str
    target: str
    links: dict[str, str]


class SessionList(BaseModel):
    sessions: list[SessionStatus]


class Health(BaseModel):
    status: Literal["ok"]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such session or route"},
    409: {
        "model": ErrorBody,
        "description": "The session has no result (yet): `not_ready` or `session_failed`",
    },
    413: {"model": ErrorBody, "description": "Body over 64 KiB"},
    415: {"model": ErrorBody, "description": "Body is not application/json"},
    422: {"model": ErrorBody, "description": "Invalid input: every bad field with what is allowed"},
    500: {"model": ErrorBody, "description": "Internal error (never with a traceback)"},
}


def install_openapi(app: FastAPI) -> None:
    """Put SessionRequest (read by hand, so FastAPI cannot see it) into the document as POST's body."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        _, defs = models_json_schema(
            [(SessionRequest, "validation")], ref_template="#/components/schemas/{model}"
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(defs.get("$defs", {}))
        post = document["paths"]["/api/sessions"]["post"]
        post["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionRequest"}}},
        }
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
