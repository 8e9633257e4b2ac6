"""``arn:aws:states:::events:putEvents`` served locally (asl.integrations.events).

Behaviours from the Step Functions developer guide ("Add EventBridge events with Step
Functions": the execution and state machine ARNs are appended to each entry's ``Resources``; a
non-zero ``FailedEntryCount`` fails the task with ``EventBridge.FailedEntry``) and the EventBridge
API reference (PutEvents: 1 to 10 entries, 256 KB in all; a bad entry fails on its own).
"""

from __future__ import annotations

import json

import pytest
from standin_support import failure, run

PUT = "arn:aws:states:::events:putEvents"
ENTRY = {"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": {"id.$": "$.id"}}


def test_put_events_answers_entries_and_records_each_event() -> None:
    machine, execution = run(
        PUT, {"Entries": [ENTRY, {**ENTRY, "EventBusName": "orders", "Resources": ["arn:x"]}]}, {"id": 3}
    )
    assert execution.status == "SUCCEEDED"
    entries = execution.output["Entries"]
    assert execution.output["FailedEntryCount"] == 0 and len(entries) == 2
    first, second = machine.outbox.events
    assert [first.message_id, second.message_id] == [e["EventId"] for e in entries]
    assert (first.target, second.target) == ("default", "orders")
    assert first.json() == {"id": 3}  # a JSON Detail is sent as its text
    assert first.attributes["Source"] == "shop.orders" and first.attributes["DetailType"] == "OrderPlaced"
    assert first.attributes["Resources"] == [execution.arn, machine.arn]
    assert second.attributes["Resources"] == ["arn:x", execution.arn, machine.arn]


@pytest.mark.parametrize(
    ("entry", "code", "message"),
    [
        (
            {"DetailType": "t", "Detail": "{}"},
            "InvalidArgument",
            "Parameter Source is not valid. Reason: Source is a required argument.",
        ),
        (
            {"Source": "s", "Detail": "{}"},
            "InvalidArgument",
            "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
        ),
        ({"Source": "s", "DetailType": "t", "Detail": "[1]"}, "MalformedDetail", "Detail is malformed."),
    ],
)
def test_a_failed_entry_fails_the_task_with_eventbridge_failed_entry(
    entry: dict[str, str], code: str, message: str
) -> None:
    machine, execution = run(PUT, {"Entries": [ENTRY, entry]}, {"id": 1})
    assert execution.error == "EventBridge.FailedEntry"
    answer = json.loads(execution.cause or "")
    assert answer["FailedEntryCount"] == 1
    assert answer["Entries"][1] == {"ErrorCode": code, "ErrorMessage": message}
    assert len(machine.outbox.events) == 1  # the good entry was still put, as PutEvents does


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            {},
            "1 validation error detected: Value null at 'entries' failed to satisfy constraint: "
            "Member must not be null",
        ),
        ({"Entries": []}, "Member must have length greater than or equal to 1"),
        (
            {"Entries": [{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11},
            "Member must have length less than or equal to 10",
        ),
        (
            {"Entries": [{"Source": "s", "DetailType": "t", "Detail": json.dumps({"x": "y" * 262_144})}]},
            "Total size of the entries in the request is over the limit.",
        ),
    ],
)
def test_a_request_eventbridge_refuses_fails_the_task(parameters: dict[str, object], message: str) -> None:
    machine, execution = run(PUT, parameters)
    error, cause = failure(execution)
    assert error == "EventBridge.AmazonEventBridgeException"
    assert message in cause
    assert machine.outbox.events == []
