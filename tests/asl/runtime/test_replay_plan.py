"""Which recorded events a replay hands back after a crash or a redrive."""

from __future__ import annotations

from typing import Any

from asl.runtime.replay import REDRIVEN, replay_plan


def _history(*rows: tuple[str, str]) -> list[tuple[dict[str, Any], str]]:
    """Events from (type, thread) pairs, numbered from 1."""
    return [({"id": i, "type": kind}, thread) for i, (kind, thread) in enumerate(rows, start=1)]


FAILED_TASK = _history(
    ("ExecutionStarted", ""),
    ("TaskStateEntered", ""),
    ("TaskStateExited", ""),
    ("TaskStateEntered", ""),
    ("TaskScheduled", ""),
    ("TaskFailed", ""),
    ("ExecutionFailed", ""),
)


def test_a_crash_replays_everything() -> None:
    assert replay_plan(FAILED_TASK[:5]) == frozenset()


def test_a_redrive_drops_the_failure_and_the_failed_state() -> None:
    assert replay_plan(FAILED_TASK, redriving=True) == {4, 5, 6, 7}


def test_an_earlier_redrive_keeps_its_cut_on_the_next_replay() -> None:
    redriven = [
        *FAILED_TASK,
        ({"id": 8, "type": "ExecutionRedriven"}, REDRIVEN),
        ({"id": 9, "type": "TaskStateEntered"}, ""),
    ]
    assert replay_plan(redriven) == {4, 5, 6, 7, 8}


def test_a_map_keeps_its_finished_iterations_and_reruns_the_failed_one() -> None:
    history = _history(
        ("ExecutionStarted", ""),
        ("MapStateEntered", ""),
        ("MapStateStarted", ""),  # 3
        ("MapIterationStarted", "3.0"),
        ("TaskStateEntered", "3.0"),
        ("TaskStateExited", "3.0"),
        ("MapIterationSucceeded", "3.0"),
        ("MapIterationStarted", "3.1"),
        ("TaskStateEntered", "3.1"),
        ("TaskFailed", "3.1"),
        ("MapIterationFailed", "3.1"),
        ("MapStateFailed", ""),
        ("ExecutionFailed", ""),
    )
    assert replay_plan(history, redriving=True) == {9, 10, 11, 12, 13}


def test_a_retried_map_is_rerun_whole() -> None:
    history = _history(
        ("ExecutionStarted", ""),
        ("MapStateEntered", ""),
        ("MapStateStarted", ""),  # 3: first attempt
        ("MapIterationStarted", "3.0"),
        ("MapIterationFailed", "3.0"),
        ("MapStateStarted", ""),  # 6: the retry
        ("MapIterationStarted", "6.0"),
        ("MapIterationFailed", "6.0"),
        ("MapStateFailed", ""),
        ("ExecutionFailed", ""),
    )
    assert replay_plan(history, redriving=True) == set(range(2, 11))


def test_parallel_branches_cut_short_by_a_sibling_run_again() -> None:
    history = _history(
        ("ExecutionStarted", ""),
        ("ParallelStateEntered", ""),
        ("ParallelStateStarted", ""),  # 3
        ("PassStateEntered", "3.0"),
        ("PassStateExited", "3.0"),
        ("TaskStateEntered", "3.1"),
        ("TaskFailed", "3.1"),
        ("WaitStateEntered", "3.2"),
        ("ParallelStateFailed", ""),
        ("ExecutionFailed", ""),
    )
    assert replay_plan(history, redriving=True) == {6, 7, 8, 9, 10}
