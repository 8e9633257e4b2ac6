"""How executions and history events are kept as SQLite rows: the record, and an event's text.

>>> from datetime import UTC, datetime
>>> event = {"timestamp": datetime(2026, 1, 1, tzinfo=UTC), "type": "PassStateEntered", "id": 1}
>>> decode_event(encode_event(event)) == event
True
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from asl.runtime.history import to_json

__all__ = ["COLUMNS", "ExecutionRecord", "decode_event", "encode_event", "encode_time"]


def encode_time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass
class ExecutionRecord:
    """One execution's row (payloads as JSON text)."""

    id: int
    arn: str
    machine_arn: str
    version: int
    name: str
    status: str
    input: str
    start_date: datetime
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stop_date: datetime | None = None
    redrive_count: int = 0
    redrive_date: datetime | None = None
    test_case: str | None = None

    def row(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.arn,
            self.machine_arn,
            self.version,
            self.name,
            self.status,
            self.input,
            self.output,
            self.error,
            self.cause,
            encode_time(self.start_date),
            encode_time(self.stop_date),
            self.redrive_count,
            encode_time(self.redrive_date),
            self.test_case,
        )

    @classmethod
    def from_row(cls, row: sqlite3.Row | tuple[Any, ...]) -> ExecutionRecord:
        values = list(row)
        for index in (10, 11, 13):
            values[index] = _parse_time(values[index])
        names = [f.name for f in fields(cls)]
        order = [
            "id", "arn", "machine_arn", "version", "name", "status", "input", "output", "error",
            "cause", "start_date", "stop_date", "redrive_count", "redrive_date", "test_case",
        ]  # fmt: skip
        assert sorted(order) == sorted(names)
        return cls(**dict(zip(order, values, strict=True)))


COLUMNS = (
    "id, arn, machine_arn, version, name, status, input, output, error, cause, "
    "start_date, stop_date, redrive_count, redrive_date, test_case"
)


# An event's payload (input, output or parameters) is already JSON text. Stored inside the
# event's own JSON it would be escaped character by character, which costs more than the rest
# of the event; so a large payload is kept after the event, behind ASCII separators that JSON
# text never holds unescaped: <event JSON> RS <details key> US <field> US <payload text>.
_PAYLOAD_FIELDS = ("input", "output", "parameters")
_RS, _US = "\x1e", "\x1f"


def encode_event(event: dict[str, Any]) -> str:
    """An event's stored text; :func:`decode_event` reads it back."""
    # A runtime writes a hundred events per execution, and the JSON encoder's cost per call is
    # most of an event's: so the fields every event has (History.add's shape) are written
    # here, and the encoder sees only the details.
    *head, last = event
    if head == _HEAD and event["type"].isalnum() and last.isalnum():
        text = (
            f'{{"timestamp":"{event["timestamp"].isoformat()}","type":"{event["type"]}",'
            f'"id":{int(event["id"])},"previousEventId":{int(event["previousEventId"])}'
        )
        details = event[last]
        if last.endswith("EventDetails") and isinstance(details, dict):
            for field in _PAYLOAD_FIELDS:
                payload = details.get(field)
                if isinstance(payload, str) and len(payload) > 64:
                    rest = {k: v for k, v in details.items() if k != field}
                    return f'{text},"{last}":{to_json(rest)}}}{_RS}{last}{_US}{field}{_US}{payload}'
        return f'{text},"{last}":{to_json(details)}}}'
    return _encode_any_event(event)


_HEAD = ["timestamp", "type", "id", "previousEventId"]


def _encode_any_event(event: dict[str, Any]) -> str:
    stored = dict(event)
    stored["timestamp"] = event["timestamp"].isoformat()
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict):
            for field in _PAYLOAD_FIELDS:
                payload = details.get(field)
                if isinstance(payload, str) and len(payload) > 64:
                    stored[key] = {k: v for k, v in details.items() if k != field}
                    return f"{to_json(stored)}{_RS}{key}{_US}{field}{_US}{payload}"
    return to_json(stored)


def decode_event(body: str) -> dict[str, Any]:
    head, separator, tail = body.partition(_RS)
    event: dict[str, Any] = json.loads(head)
    if separator:
        key, field, payload = tail.split(_US, 2)
        event[key][field] = payload
    event["timestamp"] = datetime.fromisoformat(event["timestamp"])
    return event
