"""The corpus README's comparison rules, checked without the corpus (CI has none)."""

from __future__ import annotations

from typing import Any

from asl.conformance import history_mismatches, json_matches
from asl.conformance.compare import detail_matches


def _event(event_id: int, previous: int, kind: str, **details: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"id": event_id, "previousEventId": previous, "type": kind}
    if details:
        event["stateEnteredEventDetails"] = details
    return event


def test_a_whole_history_matches_when_ids_links_types_and_details_agree() -> None:
    recorded = [_event(1, 0, "ExecutionStarted"), _event(2, 0, "PassStateEntered", name="A", input={"a": 1})]
    engine = [
        {**_event(1, 0, "ExecutionStarted"), "timestamp": "ignored"},
        _event(2, 0, "PassStateEntered", name="A", input='{"a": 1.0}'),
    ]
    assert history_mismatches(recorded, engine, ()) == []


def test_a_different_link_a_missing_key_or_an_extra_event_is_a_difference() -> None:
    recorded = [_event(1, 0, "ExecutionStarted"), _event(2, 0, "PassStateEntered", name="A")]
    assert history_mismatches(recorded, [recorded[0], _event(2, 1, "PassStateEntered", name="A")], ())
    assert history_mismatches(recorded, [recorded[0], _event(2, 0, "PassStateEntered", name="A", x=1)], ())
    assert history_mismatches(recorded, [*recorded, _event(3, 2, "PassStateExited")], ())


def test_detail_text_is_compared_as_json_and_placeholders_match_anything() -> None:
    assert detail_matches({"b": [1, 2]}, '{"b":[1,2]}')
    assert detail_matches('{"b": 1}', '{"b":1}')  # both text holding JSON
    assert not detail_matches({"b": True}, '{"b":1}')  # a boolean never equals a number
    assert detail_matches(
        "arn:aws:states:<region>:1:mapRun:m/x:<uuid>",
        "arn:aws:states:us-east-1:1:mapRun:m/x:9f",
        ("<region>", "<uuid>"),
    )
    assert not json_matches("snf_role_arn", None) and json_matches("snf_role_arn", None, ("snf_role_arn",))


def test_nested_detail_text_is_compared_as_json_too() -> None:
    recorded = {"ItemsVar": {"foo": "bar"}, "n": "1"}
    assert detail_matches(recorded, {"ItemsVar": '{"foo":"bar"}', "n": "1"})
    assert not detail_matches(recorded, {"ItemsVar": '{"foo":"baz"}', "n": "1"})
