"""States.StringToJson reads one JSON value and nothing after it, as Jackson's readTree does on AWS.

A leading number followed by more text ("2026-12-07T10:00:00Z", "123data") is not that number:
AWS fails the call, and the execution fails with States.Runtime, whose cause is AWS's wording for
every intrinsic whose arguments do not fit ("... Invalid arguments in States.StringToJson").
"""

from __future__ import annotations

from typing import Any

import pytest

from asl import StateMachine, VirtualClock

CAUSE_START = "An error occurred while executing the state 'Parse' (entered at the event id #2). "
CAUSE = (
    CAUSE_START + "There was an error while evaluating the intrinsic function: "
    "States.StringToJson($.text). Invalid arguments in States.StringToJson"
)
DEFINITION = {
    "StartAt": "Parse",
    "States": {
        "Parse": {"Type": "Pass", "Parameters": {"value.$": "States.StringToJson($.text)"}, "End": True}
    },
}


def _run(text: Any) -> Any:
    return StateMachine(DEFINITION, clock=VirtualClock()).run({"text": text})


@pytest.mark.parametrize(
    "text",
    ["2026-12-07T10:00:00Z", "123data", "1.5e3x", "truex", '{"a": 1}}', "[1] [2]", "null null", '"a"b'],
)
def test_trailing_content_fails_the_execution(text: str) -> None:
    execution = _run(text)
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == CAUSE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123", 123),
        ("  123\n", 123),  # whitespace around the value is not content
        ("-0.5", -0.5),
        ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
        (' [1, "two"] ', [1, "two"]),
        ('"2026-12-07T10:00:00Z"', "2026-12-07T10:00:00Z"),
        ("null", None),
        ("", None),  # AWS answers null for an empty string
    ],
)
def test_one_json_value_parses(text: str, expected: Any) -> None:
    execution = _run(text)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"value": expected}
