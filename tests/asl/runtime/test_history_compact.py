"""Compact history events (History.add_compact) read back exactly as History.add makes them.

GetExecutionHistory lists each event with ``timestamp``, ``type``, ``id``, ``previousEventId`` and
one details object (API reference, HistoryEvent); the compact form is only how the runtime keeps
them until they are read, so every field, value and key order must be the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from asl.execution.history import (
    ENTERED,
    EXITED,
    LAMBDA_SCHEDULED,
    OUTPUT,
    TASK_OUTPUT,
    Cursor,
    History,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"

CASES: list[tuple[str, int, tuple[str, ...], dict[str, Any]]] = [
    (
        "PassStateEntered",
        ENTERED,
        ("S", "{}"),
        {"name": "S", "input": "{}", "inputDetails": {"truncated": False}},
    ),
    (
        "TaskStateExited",
        EXITED,
        ("S", "1"),
        {"name": "S", "output": "1", "outputDetails": {"truncated": False}},
    ),
    ("LambdaFunctionSucceeded", OUTPUT, ("2",), {"output": "2", "outputDetails": {"truncated": False}}),
    (
        "LambdaFunctionScheduled",
        LAMBDA_SCHEDULED,
        (ARN, "{}"),
        {"resource": ARN, "input": "{}", "inputDetails": {"truncated": False}},
    ),
    (
        "TaskSucceeded",
        TASK_OUTPUT,
        ("dynamodb", "getItem", "{}"),
        {
            "resourceType": "dynamodb",
            "resource": "getItem",
            "output": "{}",
            "outputDetails": {"truncated": False},
        },
    ),
]


def _items(event: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(key, list(value.items()) if isinstance(value, dict) else value) for key, value in event.items()]


def test_compact_events_read_back_as_added_events() -> None:
    compact, plain = History(lambda: NOW), History(lambda: NOW)
    compact_cursor, plain_cursor = Cursor(), Cursor()
    for event_type, shape, values, details in CASES:
        compact.add_compact(compact_cursor, event_type, shape, *values)
        plain.add(plain_cursor, event_type, details)
    assert compact.last_id == plain.last_id == len(CASES)
    assert compact.timestamp(3) == NOW and compact.previous_id(3) == 2
    assert [_items(e) for e in compact.events] == [_items(e) for e in plain.events]
    assert compact.types() == plain.types()


def test_a_listener_sees_the_history_s_own_event() -> None:
    seen: list[dict[str, Any]] = []
    history = History(lambda: NOW, seen.append)
    history.add_compact(Cursor(), "PassStateEntered", ENTERED, "S", "{}")
    assert seen == history.events and seen[0] is history.event(1)
    assert seen[0]["stateEnteredEventDetails"] == {
        "name": "S",
        "input": "{}",
        "inputDetails": {"truncated": False},
    }
