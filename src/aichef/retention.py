"""How long the kitchen keeps closed workflow executions, and the one place that purges them.

A session's result is kept 7 days (``aichef.handlers.combine.RESULT_TTL``); its execution's
history is of no use after that, so the kitchen keeps closed executions as long by default
(AWS keeps them 90 days). ``AICHEF_EXECUTION_RETENTION_DAYS`` changes it (a number of days, 0
purges every closed execution). ``aichef serve`` and ``aichef cook`` purge at start, and a server
every hour.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from aichef.errors import InvalidInput

__all__ = ["DEFAULT_RETENTION", "PURGE_EVERY_SECONDS", "purge_closed_executions", "retention"]

DEFAULT_RETENTION = timedelta(days=7)
PURGE_EVERY_SECONDS = 3600.0
_log = logging.getLogger("aichef.retention")


def retention() -> timedelta:
    """The retention ``AICHEF_EXECUTION_RETENTION_DAYS`` asks for, else 7 days."""
    text = os.environ.get("AICHEF_EXECUTION_RETENTION_DAYS", "").strip()
    if not text:
        return DEFAULT_RETENTION
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not 0 <= days <= 3650:
        raise InvalidInput.one(
            "AICHEF_EXECUTION_RETENTION_DAYS", f"must be a number of days from 0 to 3650, got {text!r}"
        )
    return timedelta(days=days)


def purge_closed_executions(store: Any, now: datetime | None = None) -> int:
    """Delete the executions that closed longer ago than the retention; the store gives the space
    back to the file system itself (an incremental vacuum). Returns how many went."""
    moment = now if now is not None else datetime.now(UTC)
    deleted = int(store.purge(moment - retention()))
    if deleted:
        _log.info("purged %d closed execution(s)", deleted)
    return deleted
