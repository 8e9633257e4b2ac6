"""``arn:aws:states:::events:putEvents`` served locally: each entry is checked as EventBridge
checks it, kept in the :class:`~asl.integrations.outbox.Outbox` (one message per event, its
``Detail`` as the message), and answered with EventBridge's ``Entries`` / ``FailedEntryCount``.

As the Step Functions developer guide ("Add EventBridge events with Step Functions") says of the
optimised integration: the execution ARN and the state machine ARN are appended to each entry's
``Resources``, and a non-zero ``FailedEntryCount`` fails the task with ``EventBridge.FailedEntry``.
EventBridge PutEvents (API reference): 1 to 10 entries, at most 256 KB (262,144 bytes) in all,
counted as its user guide counts them; an entry without ``Source``, ``DetailType`` or ``Detail``,
or whose ``Detail`` is not a JSON object, fails on its own with ``ErrorCode``/``ErrorMessage``.
No event bus has to exist.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from asl._json import to_json
from asl.errors import ErrorName, StatesError
from asl.integrations._sdk import check_fields, message_text, picked, service_error, utf8_size
from asl.integrations.outbox import Outbox, sender

__all__ = ["MAX_ENTRIES", "MAX_REQUEST_BYTES", "invoke"]

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 262_144
_TIME_BYTES = 14  # EventBridge counts a Time as 14 bytes

_ENTRY_FIELDS = frozenset(
    {"Time", "Source", "Resources", "DetailType", "Detail", "EventBusName", "TraceHeader"}
)


def _error(message: str) -> StatesError:
    return service_error(
        "EventBridge",
        "AmazonEventBridge",
        frozenset(),
        "AmazonEventBridgeException",
        "ValidationException",
        message,
    )


def invoke(outbox: Outbox, action: str, parameters: Any) -> dict[str, Any]:
    """Serve ``arn:aws:states:::events:<action>`` with the Task's evaluated ``parameters``."""
    if action != "putEvents":
        raise StatesError(
            ErrorName.RUNTIME,
            f"The resource arn:aws:states:::events:{action} is not supported; supported actions: putEvents",
        )
    params = check_fields(
        "arn:aws:states:::events:putEvents", parameters, frozenset({"Entries", "EndpointId"})
    )
    entries = params.get("Entries")
    if entries is None:
        raise _error(
            "1 validation error detected: Value null at 'entries' failed to satisfy constraint: "
            "Member must not be null"
        )
    if not isinstance(entries, list) or not entries or len(entries) > MAX_ENTRIES:
        bound = "greater than or equal to 1" if not entries else f"less than or equal to {MAX_ENTRIES}"
        raise _error(
            f"1 validation error detected: Value '{to_json(entries)[:200]}' at 'entries' failed to satisfy "
            f"constraint: Member must have length {bound}"
        )
    execution, machine = sender()
    added = [arn for arn in (execution, machine) if arn]
    prepared = [_prepare(index, entry, added) for index, entry in enumerate(entries)]
    if sum(_size(entry) for entry, _ in prepared) > MAX_REQUEST_BYTES:
        raise _error("Total size of the entries in the request is over the limit.")
    results: list[dict[str, str]] = []
    for entry, failure in prepared:
        if failure is not None:
            results.append({"ErrorCode": failure[0], "ErrorMessage": failure[1]})
            continue
        event_id = str(uuid.uuid4())
        attributes = picked(entry, "Source", "DetailType", "Resources", "Time", "TraceHeader")
        outbox.record(
            "events", str(entry.get("EventBusName") or "default"), entry["Detail"], attributes, event_id
        )
        results.append({"EventId": event_id})
    failed = sum(1 for result in results if "ErrorCode" in result)
    answer = {"Entries": results, "FailedEntryCount": failed}
    if failed:
        raise StatesError("EventBridge.FailedEntry", json.dumps(answer))
    return answer


def _prepare(index: int, entry: Any, added: list[str]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The entry as it is sent (Detail as text, Step Functions' ARNs in Resources), and why
    EventBridge would refuse it, if it would."""
    if not isinstance(entry, dict):
        return {}, ("InvalidArgument", f"Entry {index} is not valid: it must be an object.")
    check_fields("arn:aws:states:::events:putEvents (an entry of Entries)", entry, _ENTRY_FIELDS)
    sent = dict(entry)
    resources = entry.get("Resources") or []
    sent["Resources"] = [*resources, *added] if isinstance(resources, list) else resources
    for required in ("Source", "DetailType", "Detail"):
        if entry.get(required) in (None, ""):
            return sent, (
                "InvalidArgument",
                f"Parameter {required} is not valid. Reason: {required} is a required argument.",
            )
    sent["Detail"] = detail = message_text(entry["Detail"])
    try:
        parsed = json.loads(detail)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return sent, ("MalformedDetail", "Detail is malformed.")
    return sent, None


def _size(entry: dict[str, Any]) -> int:
    """An entry's size as the EventBridge user guide counts it ("Calculating PutEvents event entry size")."""
    size = _TIME_BYTES if entry.get("Time") else 0
    for key in ("Source", "DetailType", "Detail"):
        if isinstance(entry.get(key), str):
            size += utf8_size(entry[key])
    for resource in entry.get("Resources") or []:
        if isinstance(resource, str):
            size += utf8_size(resource)
    return size
