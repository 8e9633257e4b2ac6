"""Map Runs over the wire: boto3 against `asl serve` (ListMapRuns, DescribeMapRun, UpdateMapRun,
ListExecutions(mapRunArn)), with AWS's answers and error codes (Step Functions API reference)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asl_serve_support import ROLE, client, eventually

from asl.server import BackgroundServer, create_app

RELEASE = threading.Event()
WORK = "arn:aws:lambda:us-east-1:123456789012:function:work"


def work(event: Any, context: Any) -> Any:
    """Items wait until the test releases them (a sync handler: it runs on a worker thread)."""
    RELEASE.wait(10)
    if event == "bad":
        raise ValueError("bad item")
    return event


@pytest.fixture(scope="module")
def sfn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    app = create_app(tmp_path_factory.mktemp("asl-serve-map-runs"), {"work": work})
    with BackgroundServer(app) as running:
        yield client("stepfunctions", running.url)
    RELEASE.set()


def _machine(sfn: Any, name: str, **map_fields: Any) -> str:
    each = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": WORK, "End": True}},
        },
        "End": True,
        **map_fields,
    }
    definition = {"StartAt": "Each", "States": {"Each": each}}
    return str(
        sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


def test_a_running_map_run_is_described_updated_and_its_children_listed(sfn: Any) -> None:
    RELEASE.clear()
    machine = _machine(sfn, "mapruns", MaxConcurrency=1, Label="Each")
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(["a", "b", "c", "d"]))[
        "executionArn"
    ]
    runs = eventually(lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"], "the map run")
    run = runs[0]["mapRunArn"]
    assert run.startswith("arn:aws:states:us-east-1:123456789012:mapRun:mapruns/Each:")
    assert runs[0]["stateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:mapruns/Each"
    described = sfn.describe_map_run(mapRunArn=run)
    assert (described["status"], described["maxConcurrency"], described["executionArn"]) == (
        "RUNNING", 1, execution,
    )  # fmt: skip
    assert "stopDate" not in described
    assert (described["itemCounts"]["total"], described["itemCounts"]["pending"]) == (4, 3)

    # UpdateMapRun answers {} and the running run takes the new limit at once
    assert set(sfn.update_map_run(mapRunArn=run, maxConcurrency=4)) == {"ResponseMetadata"}
    counts = eventually(
        lambda: (c := sfn.describe_map_run(mapRunArn=run)["executionCounts"])["running"] == 4 and c,
        "four children running",
    )
    assert counts["pending"] == 0
    running = sfn.list_executions(mapRunArn=run, statusFilter="RUNNING")["executions"]
    assert len(running) == 4 and all(e["mapRunArn"] == run and e["itemCount"] == 1 for e in running)

    RELEASE.set()
    done = eventually(
        lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED", "the end"
    )
    assert done
    described = sfn.describe_map_run(mapRunArn=run)
    assert described["status"] == "SUCCEEDED" and described["stopDate"] >= described["startDate"]
    assert described["itemCounts"]["succeeded"] == 4 and described["maxConcurrency"] == 4
    page = sfn.list_executions(mapRunArn=run, maxResults=3)
    rest = sfn.list_executions(mapRunArn=run, maxResults=3, nextToken=page["nextToken"])
    children = page["executions"] + rest["executions"]
    assert len({c["executionArn"] for c in children}) == 4
    assert {c["status"] for c in children} == {"SUCCEEDED"}
    assert all(c["executionArn"].startswith(
        "arn:aws:states:us-east-1:123456789012:execution:mapruns/Each:") for c in children)  # fmt: skip


def test_tolerated_failures_are_described(sfn: Any) -> None:
    RELEASE.set()
    machine = _machine(sfn, "tolerant", ToleratedFailurePercentage=50)
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(["ok", "bad"]))["executionArn"]
    eventually(lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED", "the end")
    run = sfn.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"]
    described = sfn.describe_map_run(mapRunArn=run)
    assert described["toleratedFailurePercentage"] == 50.0 and described["toleratedFailureCount"] == 0
    assert (described["itemCounts"]["succeeded"], described["itemCounts"]["failed"]) == (1, 1)
    failed = sfn.list_executions(mapRunArn=run, statusFilter="FAILED")["executions"]
    assert len(failed) == 1
    child = sfn.describe_execution(executionArn=failed[0]["executionArn"])
    assert (child["status"], child["error"], child["mapRunArn"], child["input"]) == (
        "FAILED", "ValueError", run, '"bad"',
    )  # fmt: skip
    # a finished run cannot be updated (UpdateMapRun: "an in-progress Map Run")
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.update_map_run(mapRunArn=run, maxConcurrency=2)


def test_errors_come_back_as_aws_names_them(sfn: Any) -> None:
    missing = (
        "arn:aws:states:us-east-1:123456789012:mapRun:tolerant/Each:00000000-0000-0000-0000-000000000000"
    )
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_map_run(mapRunArn=missing)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_map_run(mapRunArn="arn:aws:states:us-east-1:123456789012:stateMachine:tolerant")
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.update_map_run(mapRunArn=missing, maxConcurrency=1)
    with pytest.raises(sfn.exceptions.ValidationException, match="toleratedFailurePercentage"):
        sfn.update_map_run(mapRunArn=missing, toleratedFailurePercentage=150.0)
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.list_map_runs(executionArn="arn:aws:states:us-east-1:123456789012:execution:tolerant:nope")
    with pytest.raises(sfn.exceptions.ValidationException, match="not both"):
        sfn.list_executions(
            stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:tolerant", mapRunArn=missing
        )
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_executions(mapRunArn=missing)


async def _stuck(event: Any, context: Any) -> Any:
    """A child that never ends (the first server stops while it runs)."""
    await asyncio.Event().wait()


async def _quick(event: Any, context: Any) -> Any:
    return event


def test_a_map_run_and_its_update_outlive_a_restart_of_the_server(tmp_path: Path) -> None:
    with BackgroundServer(create_app(tmp_path, {"work": _stuck})) as first:
        sfn = client("stepfunctions", first.url)
        machine = _machine(sfn, "durable", MaxConcurrency=1)
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps([1, 2, 3]))["executionArn"]
        run = eventually(lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"], "the run")[0][
            "mapRunArn"
        ]
        sfn.update_map_run(mapRunArn=run, maxConcurrency=2, toleratedFailureCount=1)
        eventually(lambda: sfn.describe_map_run(mapRunArn=run)["itemCounts"]["running"] == 2, "two running")
    with BackgroundServer(create_app(tmp_path, {"work": _quick})) as second:
        sfn = client("stepfunctions", second.url)
        eventually(lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED", "the end")
        assert [r["mapRunArn"] for r in sfn.list_map_runs(executionArn=execution)["mapRuns"]] == [run]
        described = sfn.describe_map_run(mapRunArn=run)
        assert (described["status"], described["maxConcurrency"], described["toleratedFailureCount"]) == (
            "SUCCEEDED", 2, 1,
        )  # fmt: skip
        assert described["itemCounts"]["succeeded"] == 3
