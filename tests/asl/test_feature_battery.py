"""The ten features users of local Step Functions runners ask for, each run end to end."""

from __future__ import annotations

from typing import Any

import pytest

from asl import StateMachine, VirtualClock


def run(definition: dict[str, Any], input: Any = None, handlers: Any = None) -> Any:
    return StateMachine(definition, handlers, clock=VirtualClock()).run(input)


def test_pass_paths() -> None:
    execution = run(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Pass",
                    "InputPath": "$.order",
                    "Parameters": {"id.$": "$.id", "fixed": 1},
                    "ResultPath": "$.shaped",
                    "OutputPath": "$.shaped",
                    "End": True,
                }
            },
        },
        {"order": {"id": "A-7", "noise": True}},
    )
    assert execution.output == {"id": "A-7", "fixed": 1}


@pytest.mark.parametrize(
    ("value", "expected"),
    [({"n": 11, "name": "kimchi-jjigae"}, "Yes"), ({"n": 9, "name": "kimchi"}, "No"), ({"name": "x"}, "No")],
)
def test_choice_operators(value: dict[str, Any], expected: str) -> None:
    rule = {
        "And": [
            {"Variable": "$.n", "IsPresent": True},
            {"Not": {"Variable": "$.name", "StringMatches": "bulgogi*"}},
            {"Variable": "$.n", "NumericGreaterThan": 10},
            {"Variable": "$.name", "StringMatches": "kimchi-*"},
        ],
        "Next": "Yes",
    }
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [rule], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": "Yes", "End": True},
            "No": {"Type": "Pass", "Result": "No", "End": True},
        },
    }
    assert run(definition, value).output == expected


def test_parallel_outputs_in_branch_order() -> None:
    def branch(n: int) -> dict[str, Any]:
        return {"StartAt": f"B{n}", "States": {f"B{n}": {"Type": "Pass", "Result": n, "End": True}}}

    execution = run(
        {
            "StartAt": "P",
            "States": {"P": {"Type": "Parallel", "Branches": [branch(1), branch(2)], "End": True}},
        }
    )
    assert execution.output == [1, 2]
    assert execution.history[-2]["type"] == "ParallelStateExited"


def test_map_of_100_items_with_item_selector() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "k.$": "$.k"},
                "ItemProcessor": {
                    "StartAt": "Double",
                    "States": {
                        "Double": {
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    handlers = {"double": lambda event, context: event["v"] * 2 + event["k"] + event["i"] * 0}
    execution = run(definition, {"items": list(range(100)), "k": 1}, handlers)
    assert execution.output == [2 * n + 1 for n in range(100)]
    types = [e["type"] for e in execution.history]
    assert types.count("MapIterationSucceeded") == 100


def test_retry_twice_then_succeed_and_catch_to_fallback() -> None:
    calls = {"flaky": 0}

    def flaky(event: Any, context: Any) -> str:
        calls["flaky"] += 1
        if calls["flaky"] <= 2:
            raise ConnectionError("try again")
        return "ok"

    def broken(event: Any, context: Any) -> str:
        raise ValueError("always")

    task = lambda fn, nxt: {  # noqa: E731
        "Type": "Task",
        "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{fn}",
        "Retry": [
            {"ErrorEquals": ["ConnectionError"], "IntervalSeconds": 2, "BackoffRate": 2, "MaxAttempts": 2}
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Fallback"}],
        "ResultPath": "$.result",
        "Next": nxt,
    }
    definition = {
        "StartAt": "Flaky",
        "States": {
            "Flaky": task("flaky", "Broken"),
            "Broken": task("broken", "Done"),
            "Done": {"Type": "Succeed"},
            "Fallback": {"Type": "Pass", "End": True},
        },
    }
    clock = VirtualClock()
    started = clock.now()
    execution = StateMachine(definition, {"flaky": flaky, "broken": broken}, clock=clock).run({})
    assert calls["flaky"] == 3
    assert execution.output["result"] == "ok"
    assert execution.output["error"]["Error"] == "ValueError"
    assert (clock.now() - started).total_seconds() == pytest.approx(2 + 4)
    types = [e["type"] for e in execution.history]
    assert types.count("LambdaFunctionFailed") == 3
    assert types[-3:] == ["PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_intrinsics() -> None:
    definition = {
        "StartAt": "I",
        "States": {
            "I": {
                "Type": "Pass",
                "Parameters": {
                    "text.$": "States.Format('{} has {} items', $.who, States.ArrayLength($.items))",
                    "sum.$": "States.MathAdd($.items[0], $.items[1])",
                    "parts.$": "States.StringSplit('a,b', ',')",
                },
                "End": True,
            }
        },
    }
    assert run(definition, {"who": "cart", "items": [2, 3]}).output == {
        "text": "cart has 2 items",
        "sum": 5,
        "parts": ["a", "b"],
    }


def test_wait_zero_and_a_long_wait_cost_nothing() -> None:
    definition = {
        "StartAt": "W0",
        "States": {
            "W0": {"Type": "Wait", "Seconds": 0, "Next": "W1"},
            "W1": {"Type": "Wait", "Seconds": 86400, "End": True},
        },
    }
    clock = VirtualClock()
    start = clock.now()
    execution = StateMachine(definition, clock=clock).run({"a": 1})
    assert execution.output == {"a": 1}
    assert (clock.now() - start).total_seconds() == 86400


def test_context_object() -> None:
    definition = {
        "StartAt": "Ctx",
        "States": {
            "Ctx": {
                "Type": "Pass",
                "Parameters": {
                    "name.$": "$$.Execution.Name",
                    "state.$": "$$.State.Name",
                    "sm.$": "$$.StateMachine.Name",
                },
                "End": True,
            }
        },
    }
    execution = StateMachine(definition, name="Orders", clock=VirtualClock()).run({}, name="run-1")
    assert execution.output == {"name": "run-1", "state": "Ctx", "sm": "Orders"}
    assert execution.arn.endswith(":execution:Orders:run-1")


def test_jsonata_and_assign() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.prices) %}"}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Output": {"total": "{% $total %}", "vat": "{% $total * 0.1 %}"},
                "End": True,
            },
        },
    }
    assert run(definition, {"prices": [1000, 2500]}).output == {"total": 3500, "vat": 350}
