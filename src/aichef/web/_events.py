"""Live progress of one session: Server-Sent Events and a WebSocket, both fed by the service's subscribe().

Both end: after the terminal status, when the client goes away (a WebSocket's close is watched
for while nothing changes, so a closed socket never leaves a task behind), and when the server
stops. While nothing changes, a keep-alive goes out every ``KEEPALIVE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
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
    # "writing": the model's pieces so far, while the recipe is generated (same step, news anyway)
    keys = ("status", "phase", "progress", "error", "writing")
    return any(previous.get(k) != status.get(k) for k in keys)


async def _pump(service: SessionService, session_id: str, queue: asyncio.Queue[object]) -> None:
    try:
        async for status in service.subscribe(session_id):
            await queue.put(status)
    finally:
        await queue.put(_END)


async def follow(
    service: SessionService, session_id: str, keepalive: float = KEEPALIVE_SECONDS
) -> AsyncGenerator[dict[str, Any] | None, None]:
    """Yield each step of the session in order until a terminal status; `None` means "still alive,
    no news". The service's subscribe() starts with the steps already made (replayed), so a late
    subscriber sees them all and never waits for the next change to learn where things stand."""
    queue: asyncio.Queue[object] = asyncio.Queue()
    pump = asyncio.create_task(_pump(service, session_id, queue))
    last: dict[str, Any] | None = None
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
    async with aclosing(follow(service, session_id, keepalive)) as steps:
        async for status in steps:
            if status is None:
                yield ": keepalive\n\n"
                continue
            last = status
            yield f"event: status\ndata: {json.dumps(status, ensure_ascii=False)}\n\n"
    yield f"event: end\ndata: {json.dumps(last or {}, ensure_ascii=False)}\n\n"


async def _send_steps(
    websocket: WebSocket, service: SessionService, session_id: str, keepalive: float
) -> None:
    async with aclosing(follow(service, session_id, keepalive)) as steps:
        async for status in steps:
            if status is None:
                await websocket.send_json({"type": "keepalive"})
            else:
                await websocket.send_json({"type": "status", "session": status})
    await websocket.send_json({"type": "end"})
    await websocket.close(code=1000)


async def _until_closed(websocket: WebSocket) -> None:
    """Read what the client sends (nothing is expected) until it closes."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def websocket_stream(
    websocket: WebSocket,
    service: SessionService,
    session_id: str,
    keepalive: float = KEEPALIVE_SECONDS,
    *,
    known: bool = True,
) -> None:
    """Send `{"type": "status", "session": ...}` per step, `{"type": "keepalive"}` while nothing
    changes, then `{"type": "end"}` and close (1000). A client that closes first ends it at once.
    ``known`` False: the id breaks the naming rules, so no session has it (not looked up)."""
    await websocket.accept()
    if not known or service.get_session(session_id) is None:
        await websocket.send_json(
            {"type": "error", "error": {"code": "not_found", "message": "no such session"}}
        )
        await websocket.close(code=4404)
        return
    sender = asyncio.create_task(_send_steps(websocket, service, session_id, keepalive))
    watcher = asyncio.create_task(_until_closed(websocket))
    try:
        await asyncio.wait({sender, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sender, watcher):
            task.cancel()
        for task in (sender, watcher):
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError, Exception):
                await task
