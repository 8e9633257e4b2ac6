"""DISTRIBUTED Map iterations of a STANDARD execution survive a restart: finished ones do not run again."""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from distributed_map_worker import DEFINITION as WORKER_DEFINITION
from durable_support import crash, kill_when_ready, runtime, settle

from asl import StateMachine

WORKER = Path(__file__).with_name("distributed_map_worker.py")
ITEMS = list(range(8))
BLOCKED = 5
BLOCK = frozenset({BLOCKED})
PARENT_TYPES = [
    "ExecutionStarted",
    "MapStateEntered",
    "MapStateStarted",
    "MapRunStarted",
    "MapRunSucceeded",
    "MapStateSucceeded",
    "MapStateExited",
    "ExecutionSucceeded",
]


def _definition(mode: str = "DISTRIBUTED", **map_fields: Any) -> dict[str, Any]:
    """The worker process's definition, its Map in ``mode`` with ``map_fields`` added."""
    definition = copy.deepcopy(WORKER_DEFINITION)
    definition["States"]["Each"]["ItemProcessor"]["ProcessorConfig"]["Mode"] = mode
    definition["States"]["Each"].update(map_fields)
    return definition


class Worker:
    """The ``work`` handler: counts calls per item, blocks forever on ``blocked`` and fails on ``failing``."""

    def __init__(
        self,
        calls: Counter[int],
        blocked: frozenset[int] = frozenset(),
        failing: frozenset[int] = frozenset(),
    ) -> None:
        self.calls = calls
        self.blocked = blocked
        self.failing = failing

    async def handle(self, event: Any, context: Any) -> Any:
        index = event["i"]
        self.calls[index] += 1
        if index in self.blocked:
            await asyncio.Event().wait()
        if index in self.failing:
            raise ValueError(f"item {index} is bad")
        return {"squared": event["v"] * event["v"], "i": index}


def _types(history: dict[str, Any]) -> list[str]:
    return [event["type"] for event in history["events"]]


def _rows(path: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT execution, map_event, item, failed FROM map_iterations ORDER BY item"
        ).fetchall()
    finally:
        db.close()


async def _crash_on_blocked(
    db: Path, definition: dict[str, Any], calls: Counter[int], blocked: frozenset[int] = BLOCK, **worker: Any
) -> str:
    """Start an execution over ITEMS whose ``blocked`` items never finish, then crash; returns its ARN."""
    first = runtime(db, handlers={"work": Worker(calls, blocked=blocked, **worker).handle})
    arn = first.create_state_machine("M", definition)["stateMachineArn"]
    started = await first.start_execution(arn, json.dumps({"items": ITEMS}), name="run")
    for _ in range(200):  # until every other item has run (they finish without waiting)
        if sum(calls.values()) == len(ITEMS):
            break
        await asyncio.sleep(0)
    await settle()  # let the finished iterations record themselves (loop turns, not time)
    await crash(first)
    return str(started["executionArn"])


async def _resume(db: Path, definition: dict[str, Any], calls: Counter[int], arn: str, **worker: Any) -> Any:
    second = runtime(db, handlers={"work": Worker(calls, **worker).handle})
    second.create_state_machine("M", definition)
    assert await second.resume() == [arn]
    described = await second.wait(arn)
    history = second.get_execution_history(arn, max_results=1000)
    await second.close()
    return described, history


def test_finished_iterations_are_not_run_again_after_a_restart(db: Path) -> None:
    calls: Counter[int] = Counter()
    definition = _definition()

    async def scenario() -> None:
        arn = await _crash_on_blocked(db, definition, calls)
        assert calls == dict.fromkeys(ITEMS, 1)
        # seven finished iterations, keyed by the id of the MapStateStarted event (3)
        assert _rows(db) == [(1, 3, i, 0) for i in ITEMS if i != BLOCKED]

        described, history = await _resume(db, definition, calls, arn)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == [{"squared": i * i, "i": i} for i in ITEMS]
        assert calls == {**dict.fromkeys(ITEMS, 1), BLOCKED: 2}  # only the unfinished one ran again
        assert _types(history) == PARENT_TYPES
        events = history["events"]
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))

    asyncio.run(scenario())


def test_the_key_holds_across_two_restarts_of_a_map_deep_in_the_definition(db: Path) -> None:
    calls: Counter[int] = Counter()
    branch = _definition()
    definition = {
        "StartAt": "Before",
        "States": {
            "Before": {"Type": "Pass", "Next": "Both"},
            "Both": {
                "Type": "Parallel",
                "Branches": [branch, {"StartAt": "Side", "States": {"Side": {"Type": "Pass", "End": True}}}],
                "End": True,
            },
        },
    }

    async def scenario() -> None:
        arn = await _crash_on_blocked(db, definition, calls, blocked=frozenset({5, 6}))
        keys = {row[1] for row in _rows(db)}
        assert len(keys) == 1 and keys != {3}  # the MapStateStarted of the branch's Map
        assert len(_rows(db)) == len(ITEMS) - 2

        # the second process replays the first's events and finishes item 5 under the same key
        second = runtime(db, handlers={"work": Worker(calls, blocked=frozenset({6})).handle})
        second.create_state_machine("M", definition)
        assert await second.resume() == [arn]
        for _ in range(200):
            if calls[5] == 2 and calls[6] == 2:
                break
            await asyncio.sleep(0)
        await crash(second)
        assert {row[1] for row in _rows(db)} == keys
        assert [row[2] for row in _rows(db)] == [i for i in ITEMS if i != 6]

        described, history = await _resume(db, definition, calls, arn)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"])[0] == [{"squared": i * i, "i": i} for i in ITEMS]
        assert calls == {**dict.fromkeys(ITEMS, 1), 5: 2, 6: 3}
        types = _types(history)
        assert types.count("MapRunStarted") == types.count("MapRunSucceeded") == 1
        assert "MapIterationStarted" not in types

    asyncio.run(scenario())


def test_the_parent_history_is_the_one_an_uninterrupted_run_records(db: Path, tmp_path: Path) -> None:
    calls: Counter[int] = Counter()
    definition = _definition(MaxConcurrency=3)

    async def scenario() -> None:
        whole = runtime(tmp_path / "whole.sqlite", handlers={"work": Worker(Counter()).handle})
        machine = whole.create_state_machine("M", definition)["stateMachineArn"]
        done = await whole.start_execution(machine, json.dumps({"items": ITEMS}), name="whole")
        assert (await whole.wait(done["executionArn"]))["status"] == "SUCCEEDED"
        uninterrupted = whole.get_execution_history(done["executionArn"], max_results=1000)
        await whole.close()

        arn = await _crash_on_blocked(db, definition, calls)
        described, history = await _resume(db, definition, calls, arn)
        assert described["status"] == "SUCCEEDED"
        assert _types(history) == _types(uninterrupted) == PARENT_TYPES
        assert calls == {**dict.fromkeys(ITEMS, 1), BLOCKED: 2}

    asyncio.run(scenario())


def test_a_recorded_tolerated_failure_is_not_run_again(db: Path) -> None:
    calls: Counter[int] = Counter()
    definition = _definition(ToleratedFailureCount=1)

    async def scenario() -> None:
        arn = await _crash_on_blocked(db, definition, calls, failing=frozenset({2}))
        assert (1, 3, 2, 1) in _rows(db)

        # item 2 would succeed now, and another failure would exceed the tolerance of one
        described, _history = await _resume(db, definition, calls, arn, failing=frozenset({BLOCKED}))
        assert calls == {**dict.fromkeys(ITEMS, 1), BLOCKED: 2}
        assert described["status"] == "FAILED"
        assert described["error"] == "States.ExceedToleratedFailureThreshold"

    asyncio.run(scenario())


def test_a_recorded_tolerated_failure_keeps_its_error_output(db: Path) -> None:
    calls: Counter[int] = Counter()
    definition = _definition(ToleratedFailureCount=1)

    async def scenario() -> None:
        arn = await _crash_on_blocked(db, definition, calls, failing=frozenset({2}))
        described, _history = await _resume(db, definition, calls, arn)
        assert described["status"] == "SUCCEEDED"
        output = json.loads(described["output"])
        assert output[2] == {"Error": "ValueError", "Cause": output[2]["Cause"]}
        assert "item 2 is bad" in output[2]["Cause"]
        assert [o["i"] for i, o in enumerate(output) if i != 2] == [i for i in ITEMS if i != 2]
        assert calls[2] == 1

    asyncio.run(scenario())


def test_a_redrive_runs_only_the_iterations_that_had_not_finished(db: Path) -> None:
    calls: Counter[int] = Counter()
    definition = _definition()

    async def scenario() -> None:
        first = runtime(db, handlers={"work": Worker(calls, failing=frozenset({BLOCKED})).handle})
        machine = first.create_state_machine("M", definition)["stateMachineArn"]
        started = await first.start_execution(machine, json.dumps({"items": ITEMS}), name="run")
        arn = started["executionArn"]
        assert (await first.wait(arn))["status"] == "FAILED"
        await first.close()
        finished = calls.copy()

        second = runtime(db, handlers={"work": Worker(calls).handle})
        second.create_state_machine("M", definition)
        await second.redrive_execution(arn)
        described = await second.wait(arn)
        await second.close()
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == [{"squared": i * i, "i": i} for i in ITEMS]
        # the ones recorded as finished before the failure stayed finished
        rerun = {i for i in ITEMS if calls[i] > finished[i]}
        assert BLOCKED in rerun
        assert all(finished[i] == 1 and calls[i] == 1 for i in ITEMS if i not in rerun)
        assert {row[2] for row in _rows(db)} == set(ITEMS)

    asyncio.run(scenario())


def test_an_inline_map_keeps_no_side_record(db: Path) -> None:
    calls: Counter[int] = Counter()
    definition = _definition(mode="INLINE")

    async def scenario() -> None:
        arn = await _crash_on_blocked(db, definition, calls)
        assert _rows(db) == []
        described, history = await _resume(db, definition, calls, arn)
        assert described["status"] == "SUCCEEDED"
        assert calls == {**dict.fromkeys(ITEMS, 1), BLOCKED: 2}  # its own history replays the others
        assert _types(history).count("MapIterationSucceeded") == len(ITEMS)
        assert "MapRunStarted" not in _types(history)

    asyncio.run(scenario())


def test_a_nested_distributed_map_resumes_as_whole_outer_iterations(db: Path) -> None:
    calls: Counter[int] = Counter()
    inner = _definition()["States"]["Each"]
    inner["ItemsPath"] = "$.v"
    definition = _definition()
    definition["States"]["Each"]["ItemSelector"] = {"v.$": "States.ArrayRange(0, 1, 1)"}
    definition["States"]["Each"]["ItemProcessor"]["StartAt"] = "Inner"
    definition["States"]["Each"]["ItemProcessor"]["States"] = {"Inner": inner}

    async def scenario() -> None:
        first = runtime(db, handlers={"work": Worker(calls).handle})
        machine = first.create_state_machine("M", definition)["stateMachineArn"]
        started = await first.start_execution(machine, json.dumps({"items": [0, 1, 2]}), name="run")
        described = await first.wait(started["executionArn"])
        await first.close()
        assert described["status"] == "SUCCEEDED", described
        assert json.loads(described["output"]) == [[{"squared": 0, "i": 0}, {"squared": 1, "i": 1}]] * 3
        # one row per outer item: the inner Map's events live in a child history, unkeyed
        assert [row[2] for row in _rows(db)] == [0, 1, 2]

    asyncio.run(scenario())


def test_an_in_memory_state_machine_keeps_no_record() -> None:
    calls: Counter[int] = Counter()
    machine = StateMachine(_definition(), handlers={"work": Worker(calls).handle})

    async def scenario() -> None:
        execution = await machine.execute({"items": ITEMS})
        assert execution.status == "SUCCEEDED"
        assert execution.output == [{"squared": i * i, "i": i} for i in ITEMS]
        assert execution.run is not None and execution.run.iterations is None
        assert [e["type"] for e in execution.history] == PARENT_TYPES
        assert calls == dict.fromkeys(ITEMS, 1)

    asyncio.run(scenario())


def test_a_killed_process_leaves_its_finished_iterations_to_the_next(db: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    kill_when_ready(WORKER, db, log, "never had its seven iterations on disk")
    before = Counter(int(line) for line in log.read_text().split() if line != "ready")
    assert before == dict.fromkeys(ITEMS, 1)

    calls: Counter[int] = Counter()
    arn = "arn:aws:states:us-east-1:123456789012:execution:M:run"
    described, history = asyncio.run(_resume(db, WORKER_DEFINITION, calls, arn))
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == [{"squared": i * i, "i": i} for i in ITEMS]
    assert calls == {BLOCKED: 1}  # the killed process had finished all the others
    assert _types(history) == PARENT_TYPES
