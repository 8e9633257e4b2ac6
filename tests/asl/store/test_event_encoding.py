"""Events round-trip through the store's encoding, large payloads kept as raw JSON text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from asl.store import ExecutionRecord, ExecutionStore
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


def test_a_payload_repeating_the_last_of_its_thread_is_stored_once() -> None:
    store = ExecutionStore(":memory:")
    state = json.dumps({"recipe": "김치찌개" * 40})
    other = json.dumps({"other": "x" * 100})
    events = [
        _event("stateExitedEventDetails", {"name": "A", "output": state}) | {"id": 1},
        _event("stateExitedEventDetails", {"name": "M", "output": other}) | {"id": 2},  # thread "1.0"
        _event("stateEnteredEventDetails", {"name": "B", "input": state}) | {"id": 3},  # same object
        # equal text, another object
        _event("stateExitedEventDetails", {"name": "B", "output": (state + " ")[:-1]}) | {"id": 4},
        _event("stateEnteredEventDetails", {"name": "C", "input": other}) | {"id": 5},  # not this thread's
    ]
    threads = ["", "1.0", "", "", ""]
    for event, thread in zip(events, threads, strict=True):
        store.append_event(9, event, thread)
    store.flush()
    bodies = [row[0] for row in store._db.execute("SELECT body FROM events ORDER BY id")]
    assert bodies[2].endswith("\x1d1") and bodies[3].endswith("\x1d3")  # references, not copies
    assert bodies[4].endswith(other)
    assert store.events(9) == list(zip(events, threads, strict=True))
    with pytest.raises(ValueError, match="repeats the payload of event 1"):
        decode_event(bodies[2])
    store.close()


def test_a_finished_execution_forgets_its_payloads() -> None:
    store = ExecutionStore(":memory:")
    record = ExecutionRecord(3, "arn:x", "arn:m", 1, "x", "RUNNING", "{}", datetime(2026, 1, 1, tzinfo=UTC))
    store.insert_execution(record)
    store.append_event(
        3, _event("stateEnteredEventDetails", {"name": "A", "input": "[" + "1," * 40 + "1]"}), ""
    )
    assert 3 in store._payloads
    record.status = "SUCCEEDED"
    store.update_execution(record)
    assert 3 not in store._payloads
    store.close()
