"""A session always ends, and says so: every step is kept and replayed, a lost status update or a
killed process never leaves it processing, and closed executions are purged after their retention."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import aichef.workflows as workflows
from aichef.errors import InvalidInput
from aichef.retention import retention
from aichef.service import Kitchen
from aichef.tables import sessions_table

DIET: dict[str, Any] = {"profile": {"target": "diet", "servings": 1}}
# The design's steps with their progress, written out here (contract 7).
STEPS = [
    ("recipe_generation", 10),
    ("recipe_completed", 50),
    ("price_lookup", 60),
    ("price_completed", 80),
    ("combining_results", 90),
    ("finished", 100),
]


async def _steps(kitchen: Kitchen, session_id: str) -> list[tuple[str, str, int]]:
    return [(s["status"], s["phase"], s["progress"]) async for s in kitchen.subscribe(session_id)]


def test_a_late_subscriber_sees_every_step_in_order() -> None:
    async def run() -> list[tuple[str, str, int]]:
        kitchen = Kitchen(in_memory=True, poll_seconds=0.005)
        try:
            await kitchen.start_session({**DIET, "sessionId": "quick"})
            await kitchen.wait("quick", timeout=30)  # over in a fraction of a second
            return await asyncio.wait_for(_steps(kitchen, "quick"), 10)
        finally:
            await kitchen.close()

    seen = run_sync(run())
    assert [(phase, progress) for _, phase, progress in seen] == STEPS
    assert [status for status, _, _ in seen] == ["processing"] * 5 + ["completed"]


def test_items_in_the_old_words_read_in_the_new_ones() -> None:
    async def run() -> dict[str, Any] | None:
        kitchen = Kitchen(in_memory=True)
        try:
            sessions_table().put_item(
                Item={"sessionId": "old", "status": "RUNNING", "phase": "PRICES_COMPLETED", "progress": 80}
            )
            return kitchen.get_session("old")
        finally:
            await kitchen.close()

    view = run_sync(run())
    assert view is not None and (view["status"], view["phase"]) == ("processing", "price_completed")


def test_status_updates_that_keep_failing_still_end_the_session_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every status update goes to a table that does not exist: the workflow's Catches end the
    execution FAILED, and the kitchen settles the item (which no update reached) from it."""
    real = workflows.local_substitutions
    monkeypatch.setattr(
        workflows, "local_substitutions", lambda: {**real(), "SessionsTable": "no-such-table"}
    )

    async def run() -> tuple[list[tuple[str, str, int]], dict[str, Any] | None, str]:
        kitchen = Kitchen(in_memory=True, poll_seconds=0.005)
        try:
            await kitchen.start_session({**DIET, "sessionId": "lost"})
            seen = await asyncio.wait_for(_steps(kitchen, "lost"), 10)  # ends: never spins
            described = kitchen.runtime.describe_execution(kitchen._execution_arn("lost"))
            return seen, kitchen.get_session("lost"), described["status"]
        finally:
            await kitchen.close()

    seen, final, execution = run_sync(run())
    assert execution == "FAILED"
    assert final is not None and final["status"] == "failed" and final["phase"] == "finished"
    assert final["error"]["message"]
    assert seen[-1][0] == "failed"


def test_the_kitchen_settles_an_unwatched_session_whose_updates_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = workflows.local_substitutions
    monkeypatch.setattr(
        workflows, "local_substitutions", lambda: {**real(), "SessionsTable": "no-such-table"}
    )

    async def run() -> tuple[str, str, int, int]:
        kitchen = Kitchen(in_memory=True)
        try:
            await kitchen.start_session({**DIET, "sessionId": "unwatched"})
            await kitchen.runtime.wait(kitchen._execution_arn("unwatched"))
            before = kitchen.get_session("unwatched")
            assert before is not None
            settled = kitchen.settle_ended()  # what the kitchen does at start and every minute
            after = kitchen.get_session("unwatched")
            assert after is not None
            return before["status"], after["status"], settled, kitchen.settle_ended()
        finally:
            await kitchen.close()

    assert run_sync(run()) == ("processing", "failed", 1, 0)


def test_a_subscriber_of_an_ended_execution_with_a_stale_item_ends() -> None:
    async def run() -> list[tuple[str, str, int]]:
        kitchen = Kitchen(in_memory=True, poll_seconds=0.005)
        try:
            await kitchen.start_session({**DIET, "sessionId": "stale"})
            await kitchen.wait("stale", timeout=30)
            # as if the last status update had been lost: the execution ended, the item did not
            sessions_table().update_item(
                Key={"sessionId": "stale"},
                UpdateExpression="SET #s = :s REMOVE #steps",
                ExpressionAttributeNames={"#s": "status", "#steps": "steps"},
                ExpressionAttributeValues={":s": "processing"},
            )
            return await asyncio.wait_for(_steps(kitchen, "stale"), 5)
        finally:
            await kitchen.close()

    seen = run_sync(run())
    assert seen[-1][0] == "completed"  # settled from the SUCCEEDED execution and its stored result


# A child that accepts sessions but is killed before it starts their executions.
CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from aichef.service import Kitchen

    async def main():
        kitchen = Kitchen(sys.argv[1])
        await kitchen.resume()

        async def never(*args, **kwargs):
            print("WRITTEN", flush=True)
            await asyncio.sleep(3600)

        kitchen.runtime.start_execution = never
        await kitchen.start_session({"sessionId": "orphan", "profile": {"target": "diet", "servings": 1}})

    asyncio.run(main())
    """
)


def test_a_session_accepted_by_a_killed_process_is_started_by_the_next_kitchen(tmp_path: Path) -> None:
    folder = tmp_path / "kitchen"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "AICHEF_PROVIDER": "offline"},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().startswith("WRITTEN")  # the item is written, no execution
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()

    async def finish() -> tuple[dict[str, Any] | None, dict[str, Any]]:
        kitchen = Kitchen(folder)
        try:
            before = kitchen.get_session("orphan")
            await kitchen.resume()
            return before, await kitchen.wait("orphan", timeout=60)
        finally:
            await kitchen.close()

    before, final = run_sync(finish())
    assert before is not None and before["status"] == "processing" and before["progress"] == 0
    assert final["status"] == "completed"


def test_closed_executions_are_purged_after_the_retention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def cook_one() -> tuple[int, int]:
        kitchen = Kitchen(tmp_path)
        try:
            await kitchen.start_session({**DIET, "sessionId": "old-one"})
            await kitchen.wait("old-one", timeout=30)
            kept = kitchen.purge_executions()  # 7 days by default: kept
            monkeypatch.setenv("AICHEF_EXECUTION_RETENTION_DAYS", "0")
            return kept, kitchen.purge_executions()
        finally:
            await kitchen.close()

    kept, purged = run_sync(cook_one())
    assert (kept, purged) == (0, 1)
    monkeypatch.setenv("AICHEF_EXECUTION_RETENTION_DAYS", "a week")
    with pytest.raises(InvalidInput) as raised:
        retention()
    assert raised.value.field == "AICHEF_EXECUTION_RETENTION_DAYS"


def run_sync(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_retention_is_seven_days_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AICHEF_EXECUTION_RETENTION_DAYS", raising=False)
    assert retention().days == 7
    monkeypatch.setenv("AICHEF_EXECUTION_RETENTION_DAYS", "1.5")
    assert retention().total_seconds() == 1.5 * 86400
    assert json.dumps(retention().days) == "1"
