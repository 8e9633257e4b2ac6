"""How long asl.validate takes on a 1,000-state definition (target: well under 100 ms). Prints figures."""

from __future__ import annotations

import statistics
import time
from typing import Any

from asl.validate import iter_errors

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def large_definition(count: int = 1000) -> dict[str, Any]:
    """A chain of ``count`` states mixing Task (Retry, Catch, templates), Choice, Wait, Pass and Map."""
    states: dict[str, Any] = {}
    for index in range(count):
        name, after = f"S{index}", f"S{index + 1}" if index + 1 < count else "Done"
        kind = index % 5
        if kind == 0:
            states[name] = {
                "Type": "Task",
                "Resource": LAMBDA,
                "Parameters": {"id.$": "$.id", "label.$": "States.Format('item {}', $.n)", "fixed": [1, 2]},
                "ResultSelector": {"value.$": "$.Payload.value"},
                "ResultPath": "$.result",
                "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 2, "BackoffRate": 2.0}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.error"}],
                "Next": after,
            }
        elif kind == 1:
            states[name] = {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 3, "Next": after},
                    {
                        "And": [
                            {"Variable": "$.s", "IsPresent": True},
                            {"Variable": "$.s", "StringEquals": "x"},
                        ],
                        "Next": after,
                    },
                ],
                "Default": after,
            }
        elif kind == 2:
            states[name] = {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": after}
        elif kind == 3:
            states[name] = {
                "Type": "Pass",
                "InputPath": "$.items[0]",
                "Assign": {"v.$": "$.value"},
                "Next": after,
            }
        else:
            processor = {"StartAt": f"In{index}", "States": {f"In{index}": {"Type": "Pass", "End": True}}}
            states[name] = {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, "Next": after}
    states["Done"] = {"Type": "Succeed"}
    states["Failed"] = {"Type": "Fail", "Error": "Failed"}
    return {"StartAt": "S0", "States": states}


def main() -> None:
    definition = large_definition()
    problems = list(iter_errors(definition))
    assert not problems, problems[:3]
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        list(iter_errors(definition))
        timings.append((time.perf_counter() - start) * 1000)
    print(f"states: {len(definition['States'])} (+200 nested in Map processors)")
    median, low, high = statistics.median(timings), min(timings), max(timings)
    print(f"validate: median {median:.1f} ms, min {low:.1f} ms, max {high:.1f} ms (30 runs, perf_counter)")


if __name__ == "__main__":
    main()
