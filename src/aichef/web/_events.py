"""Live progress of one session: Server-Sent Events and a WebSocket, both fed by the service's subscribe()."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from aichef.web._contract import TERMINAL, SessionService

__all__ = ["KEEPALIVE_SECONDS", "follow", "sse_stream", "websocket_stream"]

# Proxies and browsers drop idle streams; a comment line this often keeps the connection alive.
KEEPALIVE_SECONDS = 15.0

_END = object()
_TICK = object()


def _changed(previous: dict[str, Any] | None, status: dict[str, Any]) -> bool:
    if previous is None:
        return True
    return any(previous.get(k) != status.get(k) for k in ("status", "phase", "progress", "error"))


async def _pump(service: SessionService, session_id: str, queue: asyncio.Queue[object]) -> None:
    try:
        async for status in service.subscribe(session_id):
            await queue.put(status)
    finally:
        await queue.put(_END)


async def follow(
    service: SessionService, session_id: str, keepalive: float = KEEPALIVE_SECONDS
) -> AsyncIterator[dict[str, Any] | None]:
    """Yield the session now, then each change until a terminal status; `None` means "still alive, no news".

    The current state comes first so a late subscriber never waits for the next change to learn where
    things stand; repeats are dropped because subscribe() and the first read may overlap.
    """
    first = service.get_session(session_id)
    if first is None:
        return
    yield first
    if first.get("status") in TERMINAL:
        return
    queue: asyncio.Queue[object] = asyncio.Queue()
    pump = asyncio.create_task(_pump(service, session_id, queue))
    last: dict[str, Any] | None = first
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=keepalive)
            except TimeoutError:
                item = _TICK
            if item is _END:
                # The subscription ended: make sure the client hears the final state even if it was missed.
                final = service.get_session(session_id)
                if final is not None and _changed(last, final):
                    yield final
                return
            if item is _TICK:
                yield None
                continue
            assert isinstance(item, dict)
            if _changed(last, item):
                last = item
                yield item
            if item.get("status") in TERMINAL:
                return
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


async def sse_stream(
    service: SessionService, session_id: str, keepalive: float = KEEPALIVE_SECONDS
) -> AsyncIterator[str]:
    """`event: status` per change, `event: end` after the terminal one (so EventSource stops retrying)."""
    # Tell EventSource to wait before reconnecting if the server goes away mid-stream.
    yield "retry: 2000\n\n"
    last: dict[str, Any] | None = None
    async for status in follow(service, session_id, keepalive):
        if status is None:
            yield ": keepalive\n\n"
            continue
        last = status
        yield f"event: status\ndata: {json.dumps(status, ensure_ascii=False)}\n\n"
    yield f"event: end\ndata: {json.dumps(last or {}, ensure_ascii=False)}\n\n"


async def websocket_stream(websocket: WebSocket, service: SessionService, session_id: str) -> None:
    """Send `{"type": "status", "session": ...}` per change, then `{"type": "end"}` and close (1000)."""
    await websocket.accept()
    if service.get_session(session_id) is None:
        await websocket.send_json(
            {"type": "error", "error": {"code": "not_found", "message": "no such session"}}
        )
        await websocket.close(code=4404)
        return
    try:
        async for status in follow(service, session_id):
            if status is not None:
                await websocket.send_json({"type": "status", "session": status})
        await websocket.send_json({"type": "end"})
        await websocket.close(code=1000)
    except WebSocketDisconnect:
        return
