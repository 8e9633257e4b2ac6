"""The JSON API: start a session, read its status and result, follow it live, list recent ones."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, WebSocket
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.datastructures import Headers

from aichef import session_ids
from aichef.errors import InvalidInput
from aichef.http_api import JSON_MEDIA_TYPE, json_object, links, not_found, result_or_conflict
from aichef.web._contract import SessionService
from aichef.web._events import sse_stream, websocket_stream
from aichef.web._options import form_options
from aichef.web._schemas import ERROR_RESPONSES, Health, SessionList, SessionStatus

__all__ = ["api_router"]

_NO_STORE = {"Cache-Control": "no-store"}
# The page's per-browser id (contract: at least 128 random bits, base64url, in localStorage).
CLIENT_HEADER = "X-AIChef-Client"
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{16,128}")


def _client(headers: Headers) -> str | None:
    """The browser's id from its header; None without one; 422 for one that is not an id."""
    value = headers.get(CLIENT_HEADER)
    if value is None:
        return None
    if not _CLIENT_ID.fullmatch(value):
        raise InvalidInput.one(
            CLIENT_HEADER, "must be 16 to 128 letters, digits, '-' or '_' (the page makes one for you)"
        )
    return value


def _checked(session_id: str) -> str:
    """An id that could be a session's, else 422 naming the rule: refused before any lookup."""
    wrong = session_ids.problem(session_id)
    if wrong is not None:
        raise InvalidInput.one("sessionId", wrong)
    return session_id


def _with_links(session: dict[str, Any]) -> dict[str, Any]:
    return {**session, "links": links(str(session["sessionId"]), live=True)}


def _service(request: Request) -> SessionService:
    service: SessionService = request.app.state.kitchen
    return service


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)

    @router.get("/health", response_model=Health, summary="Liveness")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers=_NO_STORE)

    @router.get("/options", summary="Every choice and limit the profile form may offer")
    async def options() -> JSONResponse:
        return JSONResponse(form_options())

    @router.post(
        "/sessions",
        status_code=202,
        response_model=SessionStatus,
        summary="Start a session",
    )
    async def start_session(request: Request) -> JSONResponse:
        owner = _client(request.headers)
        body = json_object(request.headers.get("content-type", ""), await request.body())
        session = _with_links(await _service(request).start_session(body, owner=owner))
        return JSONResponse(
            session, status_code=202, headers={"Location": session["links"]["self"], **_NO_STORE}
        )

    @router.get(
        "/sessions",
        response_model=SessionList,
        summary="This browser's recent sessions, newest first (none without X-AIChef-Client)",
    )
    async def list_sessions(
        request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 20
    ) -> JSONResponse:
        owner = _client(request.headers)
        found = [] if owner is None else _service(request).list_sessions(limit, owner=owner)
        sessions = [_with_links(s) for s in found]
        return JSONResponse({"sessions": sessions}, headers=_NO_STORE)

    @router.get(
        "/sessions/{session_id}", response_model=SessionStatus, summary="Status, phase, progress, error"
    )
    async def get_session(request: Request, session_id: str) -> JSONResponse:
        session = _service(request).get_session(_checked(session_id))
        if session is None:
            raise not_found(session_id)
        return JSONResponse(_with_links(session), headers=_NO_STORE)

    @router.get("/sessions/{session_id}/result", summary="The combined result of a completed session")
    async def get_result(request: Request, session_id: str) -> Response:
        service = _service(request)
        _checked(session_id)
        text = result_or_conflict(
            session_id, service.get_session(session_id), lambda: service.get_result_text(session_id)
        )
        # The stored JSON text as is: decoding and encoding it again would only cost time.
        return Response(text, media_type=JSON_MEDIA_TYPE, headers=_NO_STORE)

    @router.get(
        "/sessions/{session_id}/events",
        summary="Progress as Server-Sent Events (`status` per change, then `end`)",
        response_class=StreamingResponse,
    )
    async def events(request: Request, session_id: str) -> StreamingResponse:
        service = _service(request)
        if service.get_session(_checked(session_id)) is None:
            raise not_found(session_id)
        return StreamingResponse(
            sse_stream(service, session_id, request.app.state.keepalive),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @router.websocket("/sessions/{session_id}/ws")
    async def websocket(websocket: WebSocket, session_id: str) -> None:
        known = session_ids.problem(session_id) is None
        await websocket_stream(
            websocket, websocket.app.state.kitchen, session_id, websocket.app.state.keepalive, known=known
        )

    return router
