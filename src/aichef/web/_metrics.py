"""AI Chef's ``GET /metrics`` and its request log: asl's registry plus the web app's own metrics.

Requests are counted by route template (``/api/sessions/{session_id}``), never by raw path, so
session ids do not grow the label set. A request's log line names its session and execution
but never a header, a query string or a body (they may carry the browser's id or a profile).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from asl import observe

__all__ = [
    "HTTP_REQUESTS",
    "SESSIONS_FINISHED",
    "SESSIONS_IN_PROGRESS",
    "Observed",
    "metrics_router",
    "watch",
]

HTTP_REQUESTS = observe.Counter(
    "aichef_http_requests_total",
    "Requests to aichef serve, by method, route template and status.",
    ("method", "route", "status"),
)
SESSIONS_IN_PROGRESS = observe.Gauge(
    "aichef_sessions_in_progress", "Sessions whose workflow is running in this process (read at scrape)."
)
SESSIONS_FINISHED = observe.Counter(
    "aichef_sessions_finished_total",
    "Sessions whose workflow ended in this process: completed, or failed (failed, timed out, stopped).",
    ("status",),
)

logger = logging.getLogger("aichef.web.requests")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# the kitchens' state machines, so their executions' ends count as sessions' ends
_KITCHEN_MACHINES: set[str] = set()


def _session_ended(machine_arn: str, status: str) -> None:
    if machine_arn in _KITCHEN_MACHINES:
        SESSIONS_FINISHED.inc(status="completed" if status == "SUCCEEDED" else "failed")


observe.END_LISTENERS.append(_session_ended)


def watch(kitchen: object) -> None:
    """Count the sessions of this kitchen (a kitchen without a runtime, e.g. a test double, is skipped)."""
    machine_arn = getattr(kitchen, "machine_arn", None)
    if isinstance(machine_arn, str):
        _KITCHEN_MACHINES.add(machine_arn)


def _running(kitchen: object) -> int | None:
    """How many of the kitchen's executions are running, from its runtime (None without one)."""
    runtime, machine_arn = getattr(kitchen, "runtime", None), getattr(kitchen, "machine_arn", None)
    if runtime is None or not isinstance(machine_arn, str):
        return None
    count, token = 0, None
    while True:
        page = runtime.list_executions(
            machine_arn, status_filter="RUNNING", max_results=1000, next_token=token
        )
        count += len(page["executions"])
        token = page.get("nextToken")
        if not token:
            return count


def metrics_router() -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        running = _running(request.app.state.kitchen)
        if running is not None:
            SESSIONS_IN_PROGRESS.set(running)
        return Response(
            observe.REGISTRY.expose(), media_type=None, headers={"Content-Type": observe.CONTENT_TYPE}
        )

    return router


class Observed:
    """ASGI middleware: counts each HTTP request by route template and status and logs one line."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering
        created: str | None = None  # a new session's id, from its Location (/api/sessions/<id>)

        async def sending(message: Message) -> None:
            nonlocal status, created
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", ()):
                    if name.lower() == b"location" and value.startswith(b"/api/sessions/"):
                        created = value.decode("latin-1").rsplit("/", 1)[-1]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = str(scope["method"])
            HTTP_REQUESTS.inc(method=method, route=route, status=str(status))
            if logger.isEnabledFor(logging.INFO):  # the line's fields cost more than the count
                _log(scope, method, route, status, began, created)


def _log(scope: Scope, method: str, route: str, status: int, began: float, created: str | None) -> None:
    """The request's log line: its session and execution, never a header, query or body."""
    session_id = (scope.get("path_params") or {}).get("session_id") or created
    extra: dict[str, Any] = {
        "method": method,
        "path": str(scope["path"]),
        "route": route,
        "status": status,
        "duration_ms": round((time.perf_counter() - began) * 1000, 3),
    }
    if isinstance(session_id, str):
        extra["session_id"] = session_id
        app = scope.get("app")
        arn_of = getattr(getattr(getattr(app, "state", None), "kitchen", None), "_execution_arn", None)
        if callable(arn_of):
            extra["execution_arn"] = arn_of(session_id)
    logger.info("request", extra=extra)
