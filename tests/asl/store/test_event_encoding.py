"""Events round-trip through the store's encoding, large payloads kept as raw JSON text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from asl.store.rows import decode_event, encode_event


def _event(details_key: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "timestamp": datetime(2026, 11, 22, 1, 2, 3, 456000, tzinfo=UTC),
        "type": "X",
        "id": 7,
        "previousEventId": 6,
        details_key: details,
    }


@pytest.mark.parametrize(
    "event",
    [
        _event(
            "stateEnteredEventDetails",
            {"name": "A", "input": json.dumps({"k": "가" * 200}), "inputDetails": {}},
        ),
        _event(
            "taskScheduledEventDetails", {"resource": "invoke", "parameters": json.dumps(list(range(100)))}
        ),
        _event("stateExitedEventDetails", {"name": "A", "output": '"\\u001e and \\u001f escaped"' * 5}),
        _event("stateEnteredEventDetails", {"name": "small", "input": "{}"}),
        _event("executionFailedEventDetails", {"error": "E", "cause": "x" * 500}),
        _event("stateEnteredEventDetails", {"name": 'quote " and 한글 \\', "input": "[" + "1," * 40 + "1]"}),
        {"timestamp": datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=9))), "type": "X", "id": 1,
         "previousEventId": 0},
        {"type": "X", "timestamp": datetime(2026, 1, 1, tzinfo=UTC), "previousEventId": 0, "id": 1,
         "mapStateStartedEventDetails": {"length": 3}},
        {**_event("taskStartedEventDetails", {"resource": "x"}), "type": 'not "a" name'},
    ],
)  # fmt: skip
def test_round_trip(event: dict[str, Any]) -> None:
    decoded = decode_event(encode_event(event))
    assert decoded == event
    assert list(decoded) == list(event)  # the keys keep their order
    head = encode_event(event).partition("\x1e")[0]
    assert json.loads(head)["timestamp"] == event["timestamp"].isoformat()


def test_a_large_payload_is_not_escaped_again() -> None:
    payload = json.dumps({"quote": 'say "hi"' * 50})
    body = encode_event(_event("stateEnteredEventDetails", {"name": "A", "input": payload}))
    assert body.endswith(payload)
