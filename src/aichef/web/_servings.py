"""The result for another number of servings: the session's dish adapted again and its shopping re-planned.

The page does no arithmetic: amounts, nutrition, diet checks and prices come back exactly as a
session computes them, through the same public steps (the generator's ``adapt_recipe``, the
workflow's price and combine handlers). Nothing is stored: the session's own result is unchanged.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aichef.errors import AIChefError, FieldProblem, InvalidInput
from aichef.handlers import combine, price
from aichef.handlers.recipe import recipe_payload
from aichef.http_api import ApiError, json_object, not_found
from aichef.knowledge.generator import Unmet, adapt_recipe
from aichef.models import SessionRequest
from aichef.web._schemas import ERROR_RESPONSES
from asl import ASLError

__all__ = ["servings_router"]

_NO_STORE = {"Cache-Control": "no-store"}
_DONE = frozenset({"COMPLETED", "completed"})  # the session statuses before and after contract 7


class _Servings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    servings: int = Field(ge=1, le=12)
    language: Literal["ko", "en"] | None = None


def _servings_body(body: dict[str, Any]) -> _Servings:
    try:
        return _Servings.model_validate(body)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            name = ".".join(str(p) for p in err["loc"]) or "(body)"
            if name == "servings":
                problems.append(FieldProblem(name, "must be a whole number from 1 to 12", ("1..12",)))
            elif name == "language":
                problems.append(FieldProblem(name, "must be ko or en", ("ko", "en")))
            else:
                problems.append(FieldProblem(name, "unknown field"))
        raise InvalidInput(problems) from None


def _story(history: Iterable[dict[str, Any]]) -> tuple[SessionRequest, dict[str, Any]]:
    """The session's request (the execution's input) and the recipe step's answer, from its history."""
    request: SessionRequest | None = None
    recipe: dict[str, Any] | None = None
    for event in history:
        if event.get("type") == "ExecutionStarted":
            request = SessionRequest.model_validate_json(event["executionStartedEventDetails"]["input"])
        elif event.get("type") == "TaskSucceeded":
            output = json.loads(event["taskSucceededEventDetails"].get("output") or "null")
            payload = output.get("Payload") if isinstance(output, dict) else None
            if isinstance(payload, dict) and "recipe" in payload and "compliance" in payload:
                recipe = payload
    if request is None or recipe is None:
        raise LookupError("the session's history has no request or no recipe")
    return request, recipe


def _quotes(to_buy: list[dict[str, Any]], language: str) -> list[list[dict[str, Any]]]:
    """The price step for each ingredient to buy, falling back to the reference table as the workflow does."""
    quotes = []
    for item in to_buy:
        event: dict[str, Any] = {"ingredient": item, "language": language}
        try:
            quotes.append(price.handler(event, None))
        except AIChefError as error:
            quotes.append(price.handler({**event, "mode": "reference", "reason": str(error)}, None))
    return quotes


def rescaled(history: Iterable[dict[str, Any]], servings: int, language: str | None) -> dict[str, Any]:
    """The combined result of the session's dish for ``servings`` (and ``language``), computed anew."""
    request, recipe = _story(history)
    source_id = recipe.get("sourceId")
    if (
        not isinstance(source_id, str) or ":" in source_id
    ):  # a model's recipe (vendor:model) is not in the library
        raise _not_adaptable(request.profile.language)
    lang = language or request.profile.language
    profile = request.profile.model_copy(update={"servings": servings, "language": lang})
    again = request.model_copy(update={"profile": profile, "language": lang})
    try:
        generated = adapt_recipe(source_id, again)
    except KeyError:
        raise _not_adaptable(lang) from None
    if isinstance(generated, Unmet):
        raise ApiError(422, "servings_not_possible", generated.explanation)
    payload = recipe_payload(generated, str(recipe.get("provider") or "offline"))
    payload["notes"] = [change.describe(lang) for change in generated.changes]
    state = {
        "sessionId": request.sessionId,
        "profile": profile.model_dump(mode="json"),
        "generated": payload,
        "prices": {"quotes": _quotes(payload["toBuy"], lang)},
    }
    combined: dict[str, Any] = json.loads(combine.handler({"request": state}, None)["result"]["json"])
    return combined


def _not_adaptable(language: str) -> ApiError:
    message = (
        "이 레시피는 인분을 바꿔 다시 계산할 수 없습니다."
        if language == "ko"
        else "This recipe cannot be recomputed for another number of servings."
    )
    return ApiError(409, "servings_not_available", message)


def servings_router() -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)

    @router.post(
        "/sessions/{session_id}/servings",
        summary="The completed session's result for another number of servings (1-12), not stored",
    )
    async def servings(request: Request, session_id: str) -> JSONResponse:
        body = _servings_body(json_object(request.headers.get("content-type", ""), await request.body()))
        kitchen = request.app.state.kitchen
        session = kitchen.get_session(session_id)
        if session is None:
            raise not_found(session_id)
        language = body.language or str(session.get("language") or "ko")
        history_of: Callable[[str], list[dict[str, Any]]] | None = getattr(kitchen, "history", None)
        if session.get("status") not in _DONE or history_of is None:
            raise _not_adaptable(language)
        try:
            history = history_of(session_id)
            result = await asyncio.to_thread(rescaled, history, body.servings, body.language)
        except (LookupError, ValidationError, ValueError, ASLError):
            raise _not_adaptable(language) from None
        return JSONResponse(result, headers=_NO_STORE)

    return router
