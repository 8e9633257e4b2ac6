"""The ASGI boundary: only our own host names answered, WebSockets only from our own pages,
request bodies capped in size and in time, safe headers added, and no traceback ever sent out.

The ``Host`` allow-list stops DNS rebinding (a page on another site whose name is made to point
here would otherwise talk to the API as if it were ours): loopback names by default, more with
``AICHEF_ALLOWED_HOSTS`` (a comma list; ``*`` allows every name, for a proxy that checks them).
A browser's WebSocket must come from a page of a host on that list (its ``Origin``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aichef.http_api import MAX_BODY_BYTES, ApiError, internal_error, too_large

__all__ = ["BODY_SECONDS", "LOOPBACK_HOSTS", "MAX_BODY_BYTES", "Guard", "allowed_hosts"]

_log = logging.getLogger("aichef.web")

# A body (64 KiB at most) that takes longer than this to arrive is a client holding a connection.
BODY_SECONDS = 10.0
LOOPBACK_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")


def allowed_hosts(extra: Iterable[str] = ()) -> frozenset[str]:
    """Loopback names, ``extra`` and ``$AICHEF_ALLOWED_HOSTS`` (lower case, no port)."""
    listed = os.environ.get("AICHEF_ALLOWED_HOSTS", "").split(",")
    return frozenset(
        name.strip().lower().strip("[]") for name in (*LOOPBACK_HOSTS, *extra, *listed) if name.strip()
    )


def _host_name(value: str) -> str:
    """``example.org:8000`` -> ``example.org``; ``[::1]:8000`` -> ``::1``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    return value.rpartition(":")[0] if value.count(":") == 1 else value


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


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


class BodyTooSlow(Exception):
    """Raised from `receive` when the body has not arrived within its time."""


def _host_refused(host: str | None) -> ApiError:
    return ApiError(
        400,
        "host_not_allowed",
        "this server does not answer for that host name",
        host=(host or "")[:100],
    )


def _too_slow(seconds: float) -> ApiError:
    return ApiError(408, "request_timeout", f"the request body did not arrive within {seconds:g} seconds")


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

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = MAX_BODY_BYTES,
        hosts: frozenset[str] | None = None,
        body_seconds: float = BODY_SECONDS,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.hosts = allowed_hosts() if hosts is None else hosts
        self.body_seconds = body_seconds

    def _host_ok(self, scope: Scope) -> bool:
        if "*" in self.hosts:
            return True
        host = _header(scope, b"host")
        return host is not None and _host_name(host) in self.hosts

    def _origin_ok(self, scope: Scope) -> bool:
        """A WebSocket from a browser names the page's origin: it must be one of our hosts. A client
        that is not a browser sends none (and is no cross-site threat)."""
        origin = _header(scope, b"origin")
        if origin is None:
            return True
        host = _header(scope, b"host") or ""
        name = (urlsplit(origin).hostname or "").lower()
        same_origin = urlsplit(origin).netloc.lower() == host.strip().lower()
        return same_origin or ("*" not in self.hosts and name in self.hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if not (self._host_ok(scope) and self._origin_ok(scope)):
                _log.debug(
                    "websocket refused: host %r, origin %r",
                    _header(scope, b"host"),
                    _header(scope, b"origin"),
                )
                await send({"type": "websocket.close", "code": 4403})  # before accept: HTTP 403
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._host_ok(scope):
            for message in _json(_host_refused(_header(scope, b"host"))):
                await send(message)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_body:
            for message in _json(too_large(self.max_body)):
                await send(message)
            return

        received = 0
        started = False
        deadline: float | None = None
        body_done = False

        async def capped_receive() -> Message:
            nonlocal received, deadline, body_done
            if body_done:  # after the body, receive() waits for the hang-up (a stream): no deadline
                return await receive()
            loop = asyncio.get_running_loop()
            if deadline is None:
                deadline = loop.time() + self.body_seconds
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise BodyTooSlow from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
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
        except BodyTooSlow:
            _log.debug("%s %s: the body did not arrive in time", scope.get("method"), scope.get("path"))
            if not started:
                for message in _json(_too_slow(self.body_seconds)):
                    await send(message)
        except ClientDisconnect:
            # the client hung up mid-request: nothing to answer, and nothing wrong with the server
            _log.debug("%s %s: the client went away", scope.get("method"), scope.get("path"))
        except Exception:
            # Logged here with its traceback for the operator; the client only learns that it failed.
            _log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                for message in _json(internal_error()):
                    await send(message)
