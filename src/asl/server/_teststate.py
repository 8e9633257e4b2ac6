"""The TestState action over the wire: the request's fields handed to :meth:`asl.Runtime.test_state`."""

from __future__ import annotations

from typing import Any

from asl.server._service import Backend

__all__ = ["test_state"]


async def test_state(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    """TestState; botocore has checked the fields' types and lengths already, as AWS's front does."""
    return await backend.runtime.test_state(
        params["definition"],
        params.get("input"),
        inspection_level=params.get("inspectionLevel"),
        reveal_secrets=bool(params.get("revealSecrets", False)),
        variables=params.get("variables"),
        state_name=params.get("stateName"),
        mock=params.get("mock"),
        context=params.get("context"),
        state_configuration=params.get("stateConfiguration"),
        role_arn=params.get("roleArn"),
    )
