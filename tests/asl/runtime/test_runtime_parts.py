"""The Runtime's parts each stand alone, with their own state; the Runtime only composes them."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime
from pathlib import Path

import pytest

from asl import Runtime, StateMachineDeleting, StateMachineDoesNotExist
from asl.execution.activities import Activities
from asl.execution.callbacks import TaskTokens
from asl.execution.clock import VirtualClock
from asl.mocks import MockConfig
from asl.runtime.api_activities import ActivityService
from asl.runtime.api_callbacks import Callbacks
from asl.runtime.api_executions import Executions
from asl.runtime.api_machines import Machines
from asl.store.executions import ExecutionStore

START = datetime(2024, 5, 1, tzinfo=UTC)
PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}


def _machines(store: ExecutionStore) -> Machines:
    return Machines(store, VirtualClock(START), {}, TaskTokens(), Activities())


def test_machines_create_describe_and_delete_without_a_runtime() -> None:
    store = ExecutionStore(":memory:")
    machines = _machines(store)
    arn = machines.create_state_machine("Orders", PASS)["stateMachineArn"]

    assert machines.serves(arn)
    assert machines.describe_state_machine(arn)["status"] == "ACTIVE"
    assert machines.begin_deletion(arn) is True
    assert machines.begin_deletion(arn) is False  # already going
    assert machines.describe_state_machine(arn)["status"] == "DELETING"
    with pytest.raises(StateMachineDeleting):
        machines.starting(arn)
    machines.finish_deletion(arn)
    with pytest.raises(StateMachineDoesNotExist):
        machines.machine(arn)
    store.close()


def test_machines_finish_a_deletion_a_stopped_runtime_left(tmp_path: Path) -> None:
    path = tmp_path / "executions.sqlite"
    store = ExecutionStore(path)
    machines = _machines(store)
    arn = machines.create_state_machine("Orders", PASS)["stateMachineArn"]
    store.mark_state_machine_deleting(arn)
    store.close()

    store = ExecutionStore(path)
    assert _machines(store).list_state_machines() == {"stateMachines": []}
    store.close()


def test_activity_service_keeps_activities_in_the_store(tmp_path: Path) -> None:
    path = tmp_path / "executions.sqlite"
    store = ExecutionStore(path)
    service = ActivityService(store, VirtualClock(START), "eu-west-1", "123456789012")
    arn = service.create_activity("review")["activityArn"]
    assert arn == "arn:aws:states:eu-west-1:123456789012:activity:review"
    store.close()

    store = ExecutionStore(path)
    again = ActivityService(store, VirtualClock(START), "eu-west-1", "123456789012")
    assert [a["name"] for a in again.list_activities()["activities"]] == ["review"]
    assert again.activities.get(arn).name == "review"
    store.close()


def test_callbacks_own_the_task_tokens() -> None:
    store = ExecutionStore(":memory:")
    one, two = Callbacks(store, VirtualClock(START)), Callbacks(store, VirtualClock(START))
    assert one.tokens is not two.tokens
    store.close()


def test_executions_run_a_machine_with_only_the_machines_part() -> None:
    async def scenario() -> dict[str, object]:
        store = ExecutionStore(":memory:")
        machines = _machines(store)
        executions = Executions(store, VirtualClock(START), machines, MockConfig({}))
        arn = machines.create_state_machine("Orders", PASS)["stateMachineArn"]
        started = await executions.start_execution(arn, '{"id": 1}', name="order-1")
        done = await executions.wait(started["executionArn"])
        await executions.close()
        store.close()
        return done

    done = asyncio.run(scenario())
    assert done["status"] == "SUCCEEDED"
    assert done["output"] == '{"ok":1}'


def test_the_runtime_is_composed_not_mixed_in() -> None:
    assert Runtime.__mro__ == (Runtime, object)
    runtime = Runtime(ExecutionStore(":memory:"), clock=VirtualClock(START))
    assert isinstance(runtime.machines, Machines)
    assert isinstance(runtime.executions, Executions)
    assert runtime.executions.machines is runtime.machines
    assert runtime.tokens is runtime.callbacks.tokens
    assert runtime.activities is runtime.activity_service.activities
    # every method of the AWS API is the runtime's own, none a stub left for a base class
    for name, method in inspect.getmembers(Runtime, inspect.isfunction):
        assert "NotImplementedError" not in inspect.getsource(method), name
    runtime.store.close()
