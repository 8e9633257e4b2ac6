"""How executions and history events are kept as SQLite rows: the record, and an event's text.

>>> from datetime import UTC, datetime
>>> event = {"timestamp": datetime(2026, 1, 1, tzinfo=UTC), "type": "PassStateEntered", "id": 1}
>>> decode_event(encode_event(event)) == event
True
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from asl._json import to_json

__all__ = [
    "COLUMNS",
    "Earlier",
    "ExecutionRecord",
    "decode_event",
    "decode_events",
    "encode_event",
    "encode_time",
    "write_event",
]


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
# A payload that repeats the previous one of its thread (a state's input is the output of the
# state before it; a state with ResultPath null outputs its input) is kept as a reference to
# that event instead, which leaves about two fifths of a history's bytes unwritten:
# <event JSON> RS <details key> US <field> GS <id of the event holding the text>.
_PAYLOAD_FIELDS = ("input", "output", "parameters")
_RS, _US, _GS = "\x1e", "\x1f", "\x1d"

#: (event id, payload text) of an earlier event whose payload a new one may repeat
Earlier = tuple[int, str]


def encode_event(event: dict[str, Any]) -> str:
    """An event's stored text; :func:`decode_event` reads it back."""
    return write_event(event, None)[0]


def write_event(event: dict[str, Any], earlier: Earlier | None) -> tuple[str, str | None]:
    """An event's stored text, and the payload text kept after it (None when there is none);
    a payload equal to ``earlier``'s is written as a reference to that event."""
    # A runtime writes a hundred events per execution, and the JSON encoder's cost per call is
    # most of an event's: so the fields every event has (History.add's shape) are written
    # here, and the encoder sees only the details.
    *head, last = event
    if not (head == _HEAD and event["type"].isalnum() and last.isalnum()):
        return _write_any_event(event, earlier)
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
                head_text = f'{text},"{last}":{to_json(rest)}}}'
                return _with_payload(head_text, last, field, payload, earlier), payload
    return f'{text},"{last}":{to_json(details)}}}', None


_HEAD = ["timestamp", "type", "id", "previousEventId"]


def _write_any_event(event: dict[str, Any], earlier: Earlier | None) -> tuple[str, str | None]:
    stored = dict(event)
    stored["timestamp"] = event["timestamp"].isoformat()
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict):
            for field in _PAYLOAD_FIELDS:
                payload = details.get(field)
                if isinstance(payload, str) and len(payload) > 64:
                    stored[key] = {k: v for k, v in details.items() if k != field}
                    return _with_payload(to_json(stored), key, field, payload, earlier), payload
    return to_json(stored), None


def _with_payload(head: str, key: str, field: str, payload: str, earlier: Earlier | None) -> str:
    # the runtime hands the very same string on, so identity answers at once; equal text is rarer
    if earlier is not None and (payload is earlier[1] or payload == earlier[1]):
        return f"{head}{_RS}{key}{_US}{field}{_GS}{earlier[0]}"
    return f"{head}{_RS}{key}{_US}{field}{_US}{payload}"


def decode_event(body: str, payloads: dict[int, str] | None = None) -> dict[str, Any]:
    """An event from its stored text. ``payloads`` (event id -> payload text) resolves a payload
    written as a reference to an earlier event; :func:`decode_events` keeps it for a history."""
    head, separator, tail = body.partition(_RS)
    event: dict[str, Any] = json.loads(head)
    if separator:
        key, _, rest = tail.partition(_US)
        field, separator, payload = rest.partition(_US)
        if not separator:
            field, _, reference = rest.partition(_GS)
            if payloads is None or int(reference) not in payloads:
                raise ValueError(
                    f"event {event.get('id')} repeats the payload of event {reference}, not given"
                )
            payload = payloads[int(reference)]
        event[key][field] = payload
        if payloads is not None:
            payloads[int(event["id"])] = payload
    event["timestamp"] = datetime.fromisoformat(event["timestamp"])
    return event


def decode_events(rows: Iterable[tuple[str, str]]) -> list[tuple[dict[str, Any], str]]:
    """One execution's ``(body, thread)`` rows in id order, as ``(event, thread)``."""
    payloads: dict[int, str] = {}
    return [(decode_event(body, payloads), thread) for body, thread in rows]
