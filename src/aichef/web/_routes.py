"""The JSON API: start a session, read its status and result, follow it live, list recent ones."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, WebSocket
from fastapi.responses import JSONResponse, StreamingResponse

from aichef.errors import InvalidInput
from aichef.web._contract import SessionService
from aichef.web._errors import ApiError
from aichef.web._events import sse_stream, websocket_stream
from aichef.web._options import form_options
from aichef.web._schemas import ERROR_RESPONSES, Health, SessionList, SessionStatus

__all__ = ["api_router"]

_NO_STORE = {"Cache-Control": "no-store"}


def _links(session_id: str) -> dict[str, str]:
    base = f"/api/sessions/{quote(session_id, safe='')}"
    return {"self": base, "result": f"{base}/result", "events": f"{base}/events", "websocket": f"{base}/ws"}


def _with_links(session: dict[str, Any]) -> dict[str, Any]:
    return {**session, "links": _links(str(session["sessionId"]))}


def _not_found(session_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no session with id {session_id!r}", sessionId=session_id)


def _service(request: Request) -> SessionService:
    service: SessionService = request.app.state.kitchen
    return service


async def _json_object(request: Request) -> dict[str, Any]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # Only JSON is accepted: it also keeps other web pages from posting plain forms to a local server.
    if media != "application/json":
        raise ApiError(
            415, "unsupported_media_type", "send the body as application/json", allowed=["application/json"]
        )
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidInput.one("(body)", f"is not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(body, dict):
        raise InvalidInput.one("(body)", f"must be a JSON object, got {type(body).__name__}")
    return body


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
        body = await _json_object(request)
        session = await _service(request).start_session(body)
        links = _links(str(session["sessionId"]))
        return JSONResponse(
            {**session, "links": links}, status_code=202, headers={"Location": links["self"], **_NO_STORE}
        )

    @router.get("/sessions", response_model=SessionList, summary="Recent sessions, newest first")
    async def list_sessions(
        request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 20
    ) -> JSONResponse:
        sessions = [_with_links(s) for s in _service(request).list_sessions(limit)]
        return JSONResponse({"sessions": sessions}, headers=_NO_STORE)

    @router.get(
        "/sessions/{session_id}", response_model=SessionStatus, summary="Status, phase, progress, error"
    )
    async def get_session(request: Request, session_id: str) -> JSONResponse:
        session = _service(request).get_session(session_id)
        if session is None:
            raise _not_found(session_id)
        return JSONResponse(_with_links(session), headers=_NO_STORE)

    @router.get("/sessions/{session_id}/result", summary="The combined result of a completed session")
    async def get_result(request: Request, session_id: str) -> JSONResponse:
        service = _service(request)
        session = service.get_session(session_id)
        if session is None:
            raise _not_found(session_id)
        result = service.get_result(session_id) if session.get("status") == "COMPLETED" else None
        if result is not None:
            return JSONResponse(result, headers=_NO_STORE)
        if session.get("status") == "FAILED":
            error = session.get("error") or {}
            message = str(error.get("message") or "the session failed")
            raise ApiError(409, "session_failed", message, sessionStatus="FAILED", sessionError=error)
        raise ApiError(
            409,
            "not_ready",
            "the session has not finished yet",
            sessionStatus=session.get("status"),
            progress=session.get("progress"),
        )

    @router.get(
        "/sessions/{session_id}/events",
        summary="Progress as Server-Sent Events (`status` per change, then `end`)",
        response_class=StreamingResponse,
    )
    async def events(request: Request, session_id: str) -> StreamingResponse:
        service = _service(request)
        if service.get_session(session_id) is None:
            raise _not_found(session_id)
        return StreamingResponse(
            sse_stream(service, session_id, request.app.state.keepalive),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @router.websocket("/sessions/{session_id}/ws")
    async def websocket(websocket: WebSocket, session_id: str) -> None:
        await websocket_stream(websocket, websocket.app.state.kitchen, session_id)

    return router
