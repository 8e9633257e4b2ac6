"""Versions and aliases in the runtime, as AWS's developer guide and API reference describe them.

Sources: "State machine versions in Step Functions workflows", "State machine aliases in Step
Functions workflows" and "How Step Functions associates executions with a version or alias"
(developer guide); PublishStateMachineVersion, DeleteStateMachineVersion,
CreateStateMachineAlias, StartExecution, DescribeExecution and ListExecutions (API reference).
"""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import pytest
from durable_support import FUNCTION, START, forever

from asl import ExecutionStore, Runtime, VirtualClock
from asl.runtime.api_errors import (
    ConflictException,
    InvalidArn,
    InvalidName,
    ResourceNotFound,
    StateMachineDoesNotExist,
    ValidationException,
)


def _pass(result: str) -> dict[str, Any]:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}}


BLOCK = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FUNCTION.format("block"), "End": True}}}


def _runtime(store: ExecutionStore | None = None, seed: int = 7) -> Runtime:
    return Runtime(
        store or ExecutionStore(":memory:"),
        clock=VirtualClock(START),
        handlers={"block": forever},
        routing=random.Random(seed),
    )


async def _output(runtime: Runtime, arn: str) -> Any:
    started = await runtime.start_execution(arn, "{}")
    described = await runtime.wait(started["executionArn"])
    return json.loads(described["output"])


def test_publish_numbers_versions_and_an_unchanged_revision_is_not_published_twice() -> None:
    # PublishStateMachineVersion: "It doesn't create a duplicate state machine version if it
    # already exists for the current revision."
    runtime = _runtime()
    arn = runtime.create_state_machine("M", _pass("one"), publish=True, version_description="first")[
        "stateMachineArn"
    ]
    assert runtime.publish_state_machine_version(arn)["stateMachineVersionArn"] == f"{arn}:1"
    runtime.create_state_machine("M", _pass("two"))
    second = runtime.publish_state_machine_version(arn, description="second")
    assert second["stateMachineVersionArn"] == f"{arn}:2"
    listed = runtime.list_state_machine_versions(arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{arn}:2", f"{arn}:1"]  # newest first
    one = runtime.describe_state_machine(f"{arn}:1")
    assert one["stateMachineArn"] == f"{arn}:1"
    assert json.loads(one["definition"]) == _pass("one") and one["description"] == "first"
    assert json.loads(runtime.describe_state_machine(arn)["definition"]) == _pass("two")


def test_a_deleted_versions_number_is_not_given_again_and_pages_follow_next_token() -> None:
    runtime = _runtime()
    arn = runtime.create_state_machine("M", _pass("0"))["stateMachineArn"]
    for n in range(1, 4):
        runtime.create_state_machine("M", _pass(str(n)))
        runtime.publish_state_machine_version(arn)
    assert runtime.delete_state_machine_version(f"{arn}:3") == {}
    assert runtime.delete_state_machine_version(f"{arn}:3") == {}  # already gone: still {}
    runtime.create_state_machine("M", _pass("4"))
    assert runtime.publish_state_machine_version(arn)["stateMachineVersionArn"] == f"{arn}:4"
    page = runtime.list_state_machine_versions(arn, max_results=2)
    assert [v["stateMachineVersionArn"][-1] for v in page["stateMachineVersions"]] == ["4", "2"]
    rest = runtime.list_state_machine_versions(arn, max_results=2, next_token=page["nextToken"])
    assert [v["stateMachineVersionArn"][-1] for v in rest["stateMachineVersions"]] == ["1"]
    assert "nextToken" not in rest
    with pytest.raises(StateMachineDoesNotExist):
        runtime.describe_state_machine(f"{arn}:3")


def test_a_revision_id_that_does_not_match_is_a_conflict() -> None:
    # PublishStateMachineVersion: "If the specified revision ID doesn't match the state machine's
    # current revision ID, the API returns ConflictException"; INITIAL names a never-updated one.
    runtime = _runtime()
    arn = runtime.create_state_machine("M", _pass("a"))["stateMachineArn"]
    with pytest.raises(ConflictException, match="revisionId"):
        runtime.publish_state_machine_version(arn, revision_id="not-it")
    assert runtime.publish_state_machine_version(arn, revision_id="INITIAL")[
        "stateMachineVersionArn"
    ].endswith(":1")
    with pytest.raises(ValidationException, match="publish"):
        runtime.create_state_machine("N", _pass("a"), version_description="no publish")
    with pytest.raises(ValidationException, match="version or alias"):
        runtime.publish_state_machine_version(f"{arn}:1")
    with pytest.raises(StateMachineDoesNotExist):
        runtime.publish_state_machine_version(arn.replace(":M", ":Nope"))


def test_executions_run_their_versions_definition_and_describe_names_it() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("M", _pass("v1"), publish=True)["stateMachineArn"]
        runtime.create_state_machine("M", _pass("latest"))
        assert await _output(runtime, f"{arn}:1") == "v1"
        assert await _output(runtime, arn) == "latest"
        executions = runtime.list_executions(arn)["executions"]
        by_version = runtime.list_executions(f"{arn}:1")["executions"]
        assert len(executions) == 2 and len(by_version) == 1
        described = runtime.describe_execution(by_version[0]["executionArn"])
        # the execution ARN names the machine only; the version is a field of its own
        assert described["executionArn"].startswith(arn.replace(":stateMachine:", ":execution:") + ":")
        assert described["stateMachineArn"] == arn
        assert described["stateMachineVersionArn"] == f"{arn}:1"
        assert "stateMachineAliasArn" not in described
        assert by_version[0]["stateMachineVersionArn"] == f"{arn}:1"
        # AWS's ExecutionStartedEventDetails name the version (and the alias) too
        started = runtime.get_execution_history(described["executionArn"])["events"][0]
        assert started["executionStartedEventDetails"]["stateMachineVersionArn"] == f"{arn}:1"
        assert "stateMachineAliasArn" not in started["executionStartedEventDetails"]
        unqualified = next(e for e in executions if e["executionArn"] != by_version[0]["executionArn"])
        assert "stateMachineVersionArn" not in runtime.describe_execution(unqualified["executionArn"])
        with pytest.raises(StateMachineDoesNotExist):
            await runtime.start_execution(f"{arn}:9")
        await runtime.close()

    asyncio.run(scenario())


def test_an_alias_routes_by_weight_and_executions_name_the_alias_and_the_version() -> None:
    # CreateStateMachineAlias: "Step Functions randomly chooses which version runs a given
    # execution based on the percentage you specify."
    async def scenario() -> None:
        runtime = _runtime(seed=3)
        arn = runtime.create_state_machine("M", _pass("v1"), publish=True)["stateMachineArn"]
        runtime.create_state_machine("M", _pass("v2"), publish=True)
        routing = [
            {"stateMachineVersionArn": f"{arn}:1", "weight": 70},
            {"stateMachineVersionArn": f"{arn}:2", "weight": 30},
        ]
        alias = runtime.create_state_machine_alias("PROD", routing, description="live")
        assert alias["stateMachineAliasArn"] == f"{arn}:PROD"
        outputs = [await _output(runtime, f"{arn}:PROD") for _ in range(60)]
        assert 30 <= outputs.count("v1") <= 54 and outputs.count("v1") + outputs.count("v2") == 60
        listed = runtime.list_executions(f"{arn}:PROD", max_results=1000)["executions"]
        assert len(listed) == 60
        assert {e["stateMachineAliasArn"] for e in listed} == {f"{arn}:PROD"}
        assert {e["stateMachineVersionArn"] for e in listed} == {f"{arn}:1", f"{arn}:2"}
        # an execution started with a version is not associated with an alias that points to it
        await _output(runtime, f"{arn}:2")
        assert len(runtime.list_executions(f"{arn}:PROD", max_results=1000)["executions"]) == 60
        await runtime.close()

    asyncio.run(scenario())


def test_alias_crud_and_its_rules() -> None:
    runtime = _runtime()
    arn = runtime.create_state_machine("M", _pass("v1"), publish=True)["stateMachineArn"]
    other = runtime.create_state_machine("O", _pass("o"), publish=True)["stateMachineArn"]
    one = [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    created = runtime.create_state_machine_alias("PROD", one)
    # the same request again is answered with the same alias; another one of that name conflicts
    assert runtime.create_state_machine_alias("PROD", one) == created
    with pytest.raises(ConflictException):
        runtime.create_state_machine_alias("PROD", one, description="changed")
    with pytest.raises(InvalidName):
        runtime.create_state_machine_alias("123", one)  # an integer would read as a version
    with pytest.raises(ValidationException, match="sum to 100"):
        runtime.create_state_machine_alias("A", [{"stateMachineVersionArn": f"{arn}:1", "weight": 50}])
    two_machines = [
        {"stateMachineVersionArn": f"{arn}:1", "weight": 50},
        {"stateMachineVersionArn": f"{other}:1", "weight": 50},
    ]
    with pytest.raises(ValidationException, match="same state machine"):
        runtime.create_state_machine_alias("A", two_machines)
    with pytest.raises(ResourceNotFound):
        runtime.create_state_machine_alias("A", [{"stateMachineVersionArn": f"{arn}:5", "weight": 100}])
    with pytest.raises(InvalidArn):
        runtime.create_state_machine_alias("A", [{"stateMachineVersionArn": arn, "weight": 100}])
    runtime.create_state_machine("M", _pass("v2"), publish=True)
    moved = [{"stateMachineVersionArn": f"{arn}:2", "weight": 100}]
    assert "updateDate" in runtime.update_state_machine_alias(f"{arn}:PROD", routing_configuration=moved)
    described = runtime.describe_state_machine_alias(f"{arn}:PROD")
    assert described["routingConfiguration"] == moved and described["name"] == "PROD"
    with pytest.raises(ValidationException):
        runtime.update_state_machine_alias(f"{arn}:PROD")
    with pytest.raises(ConflictException, match="referenced by an alias"):
        runtime.delete_state_machine_version(f"{arn}:2")
    assert runtime.list_state_machine_aliases(f"{arn}:2")["stateMachineAliases"][0][
        "stateMachineAliasArn"
    ] == (f"{arn}:PROD")
    assert runtime.list_state_machine_aliases(f"{arn}:1")["stateMachineAliases"] == []
    assert runtime.delete_state_machine_alias(f"{arn}:PROD") == {}
    with pytest.raises(ResourceNotFound):
        runtime.describe_state_machine_alias(f"{arn}:PROD")
    assert runtime.delete_state_machine_version(f"{arn}:2") == {}  # no alias routes to it now


def test_deleting_the_machine_deletes_its_versions_and_aliases() -> None:
    runtime = _runtime()
    arn = runtime.create_state_machine("M", _pass("v1"), publish=True)["stateMachineArn"]
    runtime.create_state_machine_alias("PROD", [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}])
    runtime.delete_state_machine(arn)
    again = runtime.create_state_machine("M", _pass("new"), publish=True)
    assert again["stateMachineVersionArn"] == f"{arn}:1"  # numbers start again for a new machine
    assert json.loads(runtime.describe_state_machine(f"{arn}:1")["definition"]) == _pass("new")
    assert runtime.list_state_machine_aliases(arn)["stateMachineAliases"] == []


def test_versions_aliases_and_what_an_execution_started_with_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "executions.sqlite"

    async def first() -> str:
        runtime = _runtime(ExecutionStore(path))
        arn = runtime.create_state_machine("M", BLOCK, publish=True)["stateMachineArn"]
        runtime.create_state_machine("M", _pass("latest"))
        runtime.create_state_machine_alias("PROD", [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}])
        started = await runtime.start_execution(f"{arn}:PROD", "{}", name="blocked")
        await runtime.close()  # it stays RUNNING in the store, waiting in version 1's task
        return str(started["executionArn"])

    async def second(execution_arn: str) -> None:
        handlers = {"block": lambda event, context: "resumed"}
        runtime = Runtime(ExecutionStore(path), clock=VirtualClock(START), handlers=handlers)
        arn = runtime.create_state_machine("M", _pass("latest"))["stateMachineArn"]
        assert await runtime.resume() == [execution_arn]
        described = await runtime.wait(execution_arn)
        # the resumed execution runs version 1's Task, not the machine's latest Pass
        assert json.loads(described["output"]) == "resumed"
        assert described["stateMachineAliasArn"] == f"{arn}:PROD"
        assert described["stateMachineVersionArn"] == f"{arn}:1"
        history = runtime.get_execution_history(execution_arn)["events"]
        assert history[0]["executionStartedEventDetails"]["stateMachineAliasArn"] == f"{arn}:PROD"
        assert [e["type"] for e in history].count("ExecutionStarted") == 1
        assert runtime.describe_state_machine_alias(f"{arn}:PROD")["routingConfiguration"][0]["weight"] == 100
        assert [v["stateMachineVersionArn"] for v in runtime.list_state_machine_versions(arn)[
            "stateMachineVersions"
        ]] == [f"{arn}:1"]  # fmt: skip
        await runtime.close()

    execution_arn = asyncio.run(first())
    asyncio.run(second(execution_arn))


def test_an_older_versions_machine_is_built_once_and_rebuilt_when_the_machine_is_replaced() -> None:
    runtime = _runtime()
    arn = runtime.create_state_machine("M", _pass("v1"), publish=True)["stateMachineArn"]
    runtime.create_state_machine("M", _pass("v2"))
    revision, built = runtime.machines.machine(arn, 1)
    assert revision == 1 and runtime.machines.machine(arn, 1)[1] is built
    runtime.create_state_machine("M", _pass("v3"))  # another machine registered: its handlers count
    assert runtime.machines.machine(arn, 1)[1] is not built
