"""The ASGI boundary: request bodies capped, safe headers added, and no traceback ever sent out."""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aichef.http_api import MAX_BODY_BYTES, ApiError, internal_error, too_large

__all__ = ["MAX_BODY_BYTES", "Guard"]

_log = logging.getLogger("aichef.web")

# The page loads only its own files and talks only to this server: nothing else may run or be fetched.
_SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class BodyTooLarge(Exception):
    """Raised from `receive` once a body passes the cap, whatever Content-Length claimed."""


def _json(error: ApiError) -> tuple[Message, Message]:
    data = json.dumps(error.body(), ensure_ascii=False).encode()
    start: Message = {
        "type": "http.response.start",
        "status": error.status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
            (b"cache-control", b"no-store"),
            *_SECURITY_HEADERS,
        ],
    }
    return start, {"type": "http.response.body", "body": data}


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class Guard:
    """Wraps the whole app. Outermost, so it sees every exception our handlers did not turn into JSON."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_body:
            for message in _json(too_large(self.max_body)):
                await send(message)
            return

        received = 0
        started = False

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", ()), *_SECURITY_HEADERS]}
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                for message in _json(too_large(self.max_body)):
                    await send(message)
        except Exception:
            # Logged here with its traceback for the operator; the client only learns that it failed.
            _log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                for message in _json(internal_error()):
                    await send(message)
