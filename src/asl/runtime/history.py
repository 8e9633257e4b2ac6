"""Execution history: events shaped as GetExecutionHistory returns them.

Every event has ``timestamp``, ``type``, ``id`` and ``previousEventId`` and at most one
details object named as AWS names it (``stateEnteredEventDetails`` ...). Each thread of
control (the execution, a Parallel branch, a Map iteration) links its events through
``previousEventId`` with its own :class:`Cursor`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from asl.errors import StatesError

__all__ = ["MAX_EVENTS", "Cursor", "History", "details_key", "to_json"]

#: AWS keeps at most 25,000 events in one execution's history.
MAX_EVENTS = 25_000


# one encoder for every call: json.dumps with options would build a new one each time
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def to_json(value: Any) -> str:
    """Serialise a payload compactly, as the service stores it."""
    return _ENCODE(value)


_DETAILS_KEYS: dict[str, str] = {}


def details_key(event_type: str) -> str:
    """The name of the details object for an event type.

    >>> details_key("PassStateEntered"), details_key("MapIterationStarted")
    ('stateEnteredEventDetails', 'mapIterationStartedEventDetails')
    """
    key = _DETAILS_KEYS.get(event_type)
    if key is None:
        if event_type.endswith("StateEntered"):
            key = "stateEnteredEventDetails"
        elif event_type.endswith("StateExited"):
            key = "stateExitedEventDetails"
        elif event_type.startswith("MapIteration"):
            key = "mapIterationStartedEventDetails".replace("Started", event_type[len("MapIteration") :])
        else:
            key = event_type[0].lower() + event_type[1:] + "EventDetails"
        _DETAILS_KEYS[event_type] = key
    return key


class Cursor:
    """The last event of one thread of control, so the next one can point at it."""

    __slots__ = ("last_id",)

    def __init__(self, last_id: int = 0) -> None:
        self.last_id = last_id


class History:
    """The ordered events of one execution.

    ``listener`` (optional) sees every event as it is added: the durable store and the
    progress stream hang off it.
    """

    def __init__(
        self, now: Callable[[], datetime], listener: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        self.events: list[dict[str, Any]] = []
        self._now = now
        self._listener = listener

    def add(self, cursor: Cursor, event_type: str, details: dict[str, Any] | None = None) -> int:
        # Events are only added from the event loop's thread (handlers on worker threads
        # return their results to it), so appending needs no lock.
        event_id = len(self.events) + 1
        if event_id > MAX_EVENTS:
            raise StatesError(
                "States.Runtime",
                f"The execution reached the maximum number of history events ({MAX_EVENTS}).",
            )
        event: dict[str, Any] = {
            "timestamp": self._now(),
            "type": event_type,
            "id": event_id,
            "previousEventId": cursor.last_id,
        }
        if details is not None:
            event[details_key(event_type)] = details
        self.events.append(event)
        cursor.last_id = event_id
        if self._listener is not None:
            self._listener(event)
        return event_id

    def types(self) -> list[str]:
        return [event["type"] for event in self.events]
