"""Running one Task of a local stand-in (sns, sqs, events) and reading what it answered and sent."""

from __future__ import annotations

from typing import Any

from asl import Execution, StateMachine


def one_task(resource: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Send",
        "States": {"Send": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}},
    }


def run(resource: str, parameters: dict[str, Any], input: Any = None) -> tuple[StateMachine, Execution]:
    machine = StateMachine(one_task(resource, parameters), name="Sender")
    return machine, machine.run(input if input is not None else {})


def failure(execution: Execution) -> tuple[str | None, str]:
    """The task's error and the cause's message (without the SDK's request id)."""
    assert execution.status == "FAILED", execution.output
    return execution.error, (execution.cause or "").split(" (Service:")[0]
