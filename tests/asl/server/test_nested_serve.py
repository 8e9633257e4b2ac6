"""Nested executions through `asl serve`: boto3 over HTTP, the child run by the same server.

Follows AWS's developer guide, "Start a new AWS Step Functions state machine from a running
execution": a ``states:startExecution.sync:2`` task waits for the child and answers its
DescribeExecution with Output as JSON; stopping the parent stops a ``.sync`` child.
"""

from __future__ import annotations

import json
from typing import Any

from asl_serve_support import ROLE, eventually

WAIT_LONG = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
DOUBLE = {
    "StartAt": "Double",
    "States": {"Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)"}, "End": True}},
}


def _create(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    arn: str = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    return arn


def _parent(child_arn: str, pattern: str) -> dict[str, Any]:
    call = {
        "Type": "Task",
        "Resource": f"arn:aws:states:::states:startExecution{pattern}",
        "Parameters": {
            "StateMachineArn": child_arn,
            "Input": {"n.$": "$.n", "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"},
        },
        "End": True,
    }
    return {"StartAt": "Call", "States": {"Call": call}}


def _status(sfn: Any, arn: str, wanted: str) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        return described if described["status"] == wanted else None

    found: dict[str, Any] = eventually(reached, f"{arn} to be {wanted}")
    return found


def test_a_sync_2_task_runs_its_child_on_the_server_and_reads_its_output(sfn: Any) -> None:
    child = _create(sfn, "nested-double", DOUBLE)
    parent = _create(sfn, "nested-parent", _parent(child, ".sync:2"))
    started = sfn.start_execution(stateMachineArn=parent, input='{"n": 21}')
    described = _status(sfn, started["executionArn"], "SUCCEEDED")
    output = json.loads(described["output"])
    assert output["Output"] == {"n": 42}
    assert output["Status"] == "SUCCEEDED"
    (listed,) = sfn.list_executions(stateMachineArn=child)["executions"]
    assert listed["executionArn"] == output["ExecutionArn"]
    child_input = json.loads(sfn.describe_execution(executionArn=listed["executionArn"])["input"])
    assert child_input["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] == started["executionArn"]
    types = [e["type"] for e in sfn.get_execution_history(executionArn=started["executionArn"])["events"]]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_stopping_a_parent_over_the_wire_stops_its_sync_child(sfn: Any) -> None:
    child = _create(sfn, "nested-sleeper", WAIT_LONG)
    parent = _create(sfn, "nested-waiter", _parent(child, ".sync"))
    started = sfn.start_execution(stateMachineArn=parent, input='{"n": 1}')
    (running,) = eventually(
        lambda: sfn.list_executions(stateMachineArn=child)["executions"] or None, "the child to start"
    )
    sfn.stop_execution(executionArn=started["executionArn"])
    assert sfn.describe_execution(executionArn=started["executionArn"])["status"] == "ABORTED"
    _status(sfn, running["executionArn"], "ABORTED")
