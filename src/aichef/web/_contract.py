"""What the web layer needs from the session service (aichef.service.Kitchen satisfies it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

__all__ = ["TERMINAL", "SessionService"]

# Statuses after which a session never changes again.
TERMINAL: frozenset[str] = frozenset({"completed", "failed"})


class SessionService(Protocol):
    """Start sessions, read their status and result, and follow their progress."""

    # ``owner``: the browser's id (header X-AIChef-Client); only its owner lists a session.
    async def start_session(self, body: Mapping[str, Any], owner: str | None = None) -> dict[str, Any]: ...

    def get_session(self, session_id: str) -> dict[str, Any] | None: ...

    # The result's JSON text as stored (None while there is none): served as is, never re-encoded.
    def get_result_text(self, session_id: str) -> str | None: ...

    # Without an owner, nothing: nobody sees another browser's sessions.
    def list_sessions(self, limit: int = 20, owner: str | None = None) -> list[dict[str, Any]]: ...

    def subscribe(self, session_id: str) -> AsyncIterator[dict[str, Any]]: ...

    async def close(self) -> None: ...
