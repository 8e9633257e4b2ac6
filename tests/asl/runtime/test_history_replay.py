"""History in replay mode: recorded events are handed back per thread, new ones appended after."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from asl.execution.history import Cursor, History, ReplayDiverged

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _recorded(*rows: tuple[str, str, int]) -> list[tuple[dict[str, Any], str]]:
    return [
        ({"timestamp": NOW, "type": kind, "id": i, "previousEventId": previous}, thread)
        for i, (kind, thread, previous) in enumerate(rows, start=1)
    ]


def test_recorded_events_come_back_and_new_ones_follow_them() -> None:
    sunk: list[tuple[str, str]] = []
    history = History(lambda: NOW, sink=lambda event, thread: sunk.append((event["type"], thread)))
    history.replay(_recorded(("ExecutionStarted", "", 0), ("PassStateEntered", "", 1)))
    root = Cursor()
    assert history.add(root, "ExecutionStarted") == 1
    assert history.add(root, "PassStateEntered") == 2
    assert not history.replaying and sunk == []  # nothing recorded twice
    assert history.add(root, "PassStateExited", {"name": "P"}) == 3
    assert history.events[-1]["previousEventId"] == 2
    assert sunk == [("PassStateExited", "")]


def test_each_thread_replays_its_own_events_in_any_interleaving() -> None:
    history = History(lambda: NOW)
    history.replay(
        _recorded(
            ("MapStateStarted", "", 0), ("MapIterationStarted", "1.0", 1), ("MapIterationStarted", "1.1", 1)
        )
    )
    root, second, first = Cursor(), Cursor(1, "1.1"), Cursor(1, "1.0")
    history.add(root, "MapStateStarted")
    assert history.add(second, "MapIterationStarted") == 3
    assert history.add(first, "MapIterationStarted") == 2


def test_a_different_event_than_recorded_is_a_divergence() -> None:
    history = History(lambda: NOW)
    history.replay(_recorded(("ExecutionStarted", "", 0), ("TaskStateEntered", "", 1)))
    root = Cursor()
    history.add(root, "ExecutionStarted")
    with pytest.raises(ReplayDiverged, match="recorded a TaskStateEntered event where the definition now"):
        history.add(root, "PassStateEntered")


def test_skipped_events_stay_in_the_history_without_being_handed_back() -> None:
    history = History(lambda: NOW)
    history.replay(
        _recorded(("ExecutionStarted", "", 0), ("TaskStateEntered", "", 1)), skipped=frozenset({2})
    )
    root = Cursor()
    history.add(root, "ExecutionStarted")
    assert history.add(root, "TaskStateEntered") == 3
    assert len(history.events) == 3


def test_caught_up_waits_for_every_thread() -> None:
    async def scenario() -> list[str]:
        history = History(lambda: NOW)
        history.replay(_recorded(("ExecutionStarted", "", 0), ("PassStateEntered", "", 1)))
        order: list[str] = []

        async def waiter() -> None:
            await history.caught_up()
            order.append("caught up")

        task = asyncio.ensure_future(waiter())
        await asyncio.sleep(0)
        order.append("replaying")
        history.add(Cursor(), "ExecutionStarted")
        history.add(Cursor(1), "PassStateEntered")
        await task
        return order

    assert asyncio.run(scenario()) == ["replaying", "caught up"]


def test_dropping_a_cancelled_subtree_ends_the_replay_of_its_threads_only() -> None:
    history = History(lambda: NOW)
    history.replay(
        _recorded(
            ("ParallelStateStarted", "", 0),  # 1
            ("ParallelStateStarted", "1.0", 1),  # 2: nested in branch 0
            ("PassStateEntered", "2.1", 2),  # 3: inside the nested Parallel
            ("PassStateEntered", "1.1", 1),  # 4: branch 1
        )
    )
    history.add(Cursor(), "ParallelStateStarted")
    history.add(Cursor(1, "1.0"), "ParallelStateStarted")
    history.drop_subtree(2)
    assert history.replaying and history.peek(Cursor(0, "2.1")) is None
    assert history.peek(Cursor(0, "1.1")) is not None
    history.drop_subtree(1)
    assert not history.replaying


def test_a_stalled_replay_is_abandoned_rather_than_waited_on_forever(monkeypatch: pytest.MonkeyPatch) -> None:
    import asl.execution.history as history_module

    monkeypatch.setattr(history_module, "STALL_SECONDS", 0.01)

    async def scenario() -> bool:
        history = History(lambda: NOW)
        history.replay(_recorded(("ExecutionStarted", "", 0), ("PassStateEntered", "9.9", 1)))
        history.add(Cursor(), "ExecutionStarted")
        await asyncio.wait_for(history.caught_up(), 5)  # thread 9.9 is never reached
        return history.replaying

    assert asyncio.run(scenario()) is False
