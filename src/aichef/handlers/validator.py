"""ValidateInput: check the session request and answer it normalised (defaults filled in).

An invalid request raises :class:`InvalidInput`; Lambda reports it with that error name,
and the workflow's Catch sends the session to HandleValidationError.
"""

from __future__ import annotations

from typing import Any

from aichef.models import parse_session

__all__ = ["handler"]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = parse_session(event.get("request", event))
    return request.model_dump(mode="json")
