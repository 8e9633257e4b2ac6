"""DeleteStateMachine: DELETING while executions run, gone with its executions after, idempotent."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from durable_support import FUNCTION, START, ManualClock, forever, settle

from asl import (
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    ExecutionStore,
    InvalidArn,
    Runtime,
    StateMachineDeleting,
    StateMachineDoesNotExist,
    VirtualClock,
)

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
BLOCK = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FUNCTION.format("block"), "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops"}}}
# waits a minute, then enters a task that never returns: only the deletion can end it
NAP_THEN_BLOCK = {
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 60, "Next": "T"},
        "T": {"Type": "Task", "Resource": FUNCTION.format("block"), "End": True},
    },
}


def _runtime(store: ExecutionStore | None = None, clock: VirtualClock | None = None) -> Runtime:
    return Runtime(
        store or ExecutionStore(":memory:"), clock=clock or VirtualClock(START), handlers={"block": forever}
    )


def _names(runtime: Runtime) -> list[str]:
    return [m["name"] for m in runtime.list_state_machines()["stateMachines"]]


def test_a_machine_without_running_executions_goes_at_once_with_its_executions() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("M", PASS)["stateMachineArn"]
        other = runtime.create_state_machine("Other", PASS)["stateMachineArn"]
        done = (await runtime.start_execution(arn, '{"a": 1}', name="old"))["executionArn"]
        kept = (await runtime.start_execution(other, "{}", name="old"))["executionArn"]
        await runtime.wait(done)
        await runtime.wait(kept)

        assert runtime.delete_state_machine(arn) == {}

        with pytest.raises(StateMachineDoesNotExist):
            runtime.describe_state_machine(arn)
        with pytest.raises(StateMachineDoesNotExist):
            await runtime.start_execution(arn, "{}")
        with pytest.raises(StateMachineDoesNotExist):
            runtime.list_executions(arn)
        with pytest.raises(ExecutionDoesNotExist):
            runtime.describe_execution(done)
        with pytest.raises(ExecutionDoesNotExist):
            runtime.get_execution_history(done)
        assert _names(runtime) == ["Other"]
        # the other machine and its execution are untouched
        assert runtime.describe_execution(kept)["status"] == "SUCCEEDED"
        assert [e["name"] for e in runtime.list_executions(other)["executions"]] == ["old"]

        # the name is free again: a new machine with no executions, whose execution may reuse "old"
        again = runtime.create_state_machine("M", BLOCK)["stateMachineArn"]
        assert again == arn
        assert runtime.describe_state_machine(arn)["status"] == "ACTIVE"
        assert "revisionId" not in runtime.describe_state_machine(arn)  # never updated
        assert runtime.list_executions(arn) == {"executions": []}
        started = await runtime.start_execution(arn, '{"b": 2}', name="old")
        assert runtime.describe_execution(started["executionArn"])["input"] == '{"b":2}'
        await runtime.close()

    asyncio.run(scenario())


def test_deleting_is_idempotent_and_refuses_what_is_not_a_state_machine_arn() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("M", PASS)["stateMachineArn"]
        assert runtime.delete_state_machine(arn) == {}
        assert runtime.delete_state_machine(arn) == {}
        assert runtime.delete_state_machine(arn.replace(":M", ":NeverMade")) == {}
        for bad in ("M", "arn:aws:states:us-east-1:123456789012:activity:M", ""):
            with pytest.raises(InvalidArn, match="stateMachineArn"):
                runtime.delete_state_machine(bad)
        await runtime.close()

    asyncio.run(scenario())


def test_a_running_execution_keeps_the_machine_deleting_until_its_next_transition() -> None:
    async def scenario() -> None:
        clock = ManualClock(START)
        runtime = _runtime(clock=clock)
        arn = runtime.create_state_machine("M", NAP_THEN_BLOCK)["stateMachineArn"]
        failing = runtime.create_state_machine("M", FAIL)  # version 2; the napper runs version 1
        assert failing["stateMachineArn"] == arn
        failed = (await runtime.start_execution(arn, "{}", name="failed"))["executionArn"]
        await runtime.wait(failed)
        runtime.create_state_machine("M", NAP_THEN_BLOCK)  # version 3
        napper = (await runtime.start_execution(arn, "{}", name="napper"))["executionArn"]
        await settle()

        assert runtime.delete_state_machine(arn) == {}
        assert runtime.delete_state_machine(arn) == {}  # already going: nothing more to do

        assert runtime.describe_state_machine(arn)["status"] == "DELETING"
        assert _names(runtime) == ["M"]
        assert runtime.describe_execution(napper)["status"] == "RUNNING"
        with pytest.raises(StateMachineDeleting):
            await runtime.start_execution(arn, "{}")
        with pytest.raises(StateMachineDeleting):
            runtime.create_state_machine("M", PASS)
        with pytest.raises(ExecutionNotRedrivable, match="being deleted"):
            await runtime.redrive_execution(failed)
        assert {e["name"] for e in runtime.list_executions(arn)["executions"]} == {"failed", "napper"}

        await clock.move(60)  # the Wait ends: entering T is the next transition, which ends it

        with pytest.raises(StateMachineDoesNotExist):
            runtime.describe_state_machine(arn)
        with pytest.raises(ExecutionDoesNotExist):
            runtime.describe_execution(napper)
        with pytest.raises(ExecutionDoesNotExist):
            runtime.describe_execution(failed)
        assert _names(runtime) == []
        assert runtime.executions._live == {}
        runtime.create_state_machine("M", PASS)
        assert runtime.list_executions(arn) == {"executions": []}
        await runtime.close()

    asyncio.run(scenario())


def test_stopping_the_last_running_execution_completes_the_deletion() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("M", BLOCK)["stateMachineArn"]
        first = (await runtime.start_execution(arn, "{}", name="one"))["executionArn"]
        second = (await runtime.start_execution(arn, "{}", name="two"))["executionArn"]
        await settle()
        runtime.delete_state_machine(arn)  # both wait in a task that never returns: no transition

        await runtime.stop_execution(first)
        assert runtime.describe_state_machine(arn)["status"] == "DELETING"
        assert runtime.describe_execution(first)["status"] == "ABORTED"

        await runtime.stop_execution(second)
        with pytest.raises(StateMachineDoesNotExist):
            runtime.describe_state_machine(arn)
        with pytest.raises(ExecutionDoesNotExist):
            runtime.describe_execution(first)
        await runtime.close()

    asyncio.run(scenario())


def test_a_deletion_left_pending_by_a_stopped_runtime_is_finished_by_the_next(db: Path) -> None:
    async def first() -> tuple[str, str]:
        runtime = _runtime(ExecutionStore(db))
        arn = runtime.create_state_machine("M", BLOCK)["stateMachineArn"]
        execution = (await runtime.start_execution(arn, "{}", name="x"))["executionArn"]
        await settle()
        runtime.delete_state_machine(arn)
        assert runtime.describe_state_machine(arn)["status"] == "DELETING"
        await runtime.close()  # the execution stays RUNNING in the store, the machine DELETING
        return arn, execution

    async def second(arn: str, execution: str) -> None:
        runtime = _runtime(ExecutionStore(db))
        with pytest.raises(StateMachineDoesNotExist):
            runtime.describe_state_machine(arn)
        with pytest.raises(ExecutionDoesNotExist):
            runtime.describe_execution(execution)
        runtime.create_state_machine("M", BLOCK)
        assert await runtime.resume() == []
        assert runtime.list_executions(arn) == {"executions": []}
        await runtime.close()

    arn, execution = asyncio.run(first())
    asyncio.run(second(arn, execution))


def test_an_express_machine_goes_at_once_and_its_running_execution_goes_on() -> None:
    async def scenario() -> None:
        runtime = _runtime()
        arn = runtime.create_state_machine("Quick", BLOCK, type="EXPRESS")["stateMachineArn"]
        execution = (await runtime.start_execution(arn, "{}"))["executionArn"]
        await settle()
        runtime.delete_state_machine(arn)
        with pytest.raises(StateMachineDoesNotExist):
            runtime.describe_state_machine(arn)
        assert runtime.describe_execution(execution)["status"] == "RUNNING"
        await runtime.close()

    asyncio.run(scenario())


def test_an_execution_resumed_later_is_not_revived_while_its_machine_is_deleting(db: Path) -> None:
    async def scenario() -> None:
        crashed = _runtime(ExecutionStore(db))
        arn = crashed.create_state_machine("M", BLOCK)["stateMachineArn"]
        left = (await crashed.start_execution(arn, "{}", name="left"))["executionArn"]
        await settle()
        await crashed.close()

        runtime = _runtime(ExecutionStore(db))
        runtime.create_state_machine("M", BLOCK)
        running = (await runtime.start_execution(arn, "{}", name="running"))["executionArn"]
        await settle()
        runtime.delete_state_machine(arn)
        assert await runtime.resume() == []  # "left" is not revived: it goes with its machine
        await runtime.stop_execution(running)
        for gone in (left, running):
            with pytest.raises(ExecutionDoesNotExist):
                runtime.describe_execution(gone)
        await runtime.close()

    asyncio.run(scenario())


def test_closing_while_a_deletion_stops_an_execution_leaves_it_for_the_next_runtime(db: Path) -> None:
    gate = asyncio.Event()

    async def gated(event: Any, context: Any) -> Any:
        await gate.wait()
        return event

    two_tasks = {
        "StartAt": "Gate",
        "States": {
            "Gate": {"Type": "Task", "Resource": FUNCTION.format("gated"), "Next": "T"},
            "T": {"Type": "Task", "Resource": FUNCTION.format("block"), "End": True},
        },
    }

    async def scenario() -> None:
        runtime = Runtime(ExecutionStore(db), handlers={"block": forever, "gated": gated})
        arn = runtime.create_state_machine("M", two_tasks)["stateMachineArn"]
        await runtime.start_execution(arn, "{}", name="x")
        await settle()
        runtime.delete_state_machine(arn)
        gate.set()  # Gate ends, T is entered: the deletion asks for the execution to stop
        for _ in range(50):
            if runtime.executions._stopping:
                break
            await asyncio.sleep(0)
        stops = list(runtime.executions._stopping)
        assert stops
        await runtime.close()  # the stop must not go on against a closed store
        await settle()
        assert all(stop.done() and (stop.cancelled() or stop.exception() is None) for stop in stops)

        reopened = _runtime(ExecutionStore(db))
        with pytest.raises(StateMachineDoesNotExist):
            reopened.describe_state_machine(arn)
        await reopened.close()

    asyncio.run(scenario())
