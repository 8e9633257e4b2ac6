"""Notify: tell the user the session ended. Locally it is recorded on the session item.

A failure here never fails the session (the workflow catches it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aichef.tables import sessions_table

__all__ = ["handler"]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    sessions_table().update_item(
        Key={"sessionId": event["sessionId"]},
        UpdateExpression="SET #notifiedAt = :now",
        ExpressionAttributeNames={"#notifiedAt": "notifiedAt"},
        ExpressionAttributeValues={":now": now},
    )
    return {"notified": True, "sessionId": event["sessionId"], "at": now}
