"""Crash test: executions survive SIGKILL at random moments; every one completes exactly once.

A worker process (durable_crash_worker.py) runs STANDARD executions of a workflow with
Tasks, a Map, a Wait and a Parallel with a retried Task on a file store. It is killed
with SIGKILL 20 times, each new process resuming what the last left; a final process
runs all to the end. The histories then show that nothing was lost and no completed task
ran again.

The kill moments do not depend on how fast a loaded machine starts a process: each
worker says when it is ready, the test then waits until it has run a task of its own,
and only then picks the moment (a fixed-seed delay from there). So every killed process
was killed at work, whatever the load (``pytest -n 4`` included).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from asl import ExecutionStore

WORKER = Path(__file__).with_name("durable_crash_worker.py")
EXECUTIONS = 100
KILLS = 20
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:Crash"


def _spawn(store: Path, log: Path, upto: int, cycle: int) -> tuple[subprocess.Popen[bytes], Path]:
    output = log.with_name(f"worker-{cycle}.out")
    with output.open("wb") as sink:
        worker = subprocess.Popen(
            [sys.executable, str(WORKER), str(store), str(log), str(upto)], stdout=sink, stderr=sink
        )
    return worker, output


def _at_work(worker: subprocess.Popen[bytes], output: Path, log: Path, limit: float = 120.0) -> bool:
    """Wait until the worker has said it is ready and has run a task of its own (True), or has
    ended (False). The limit only guards against a hung worker; load just makes it slower."""
    mark = f"{worker.pid} ".encode()
    deadline = time.monotonic() + limit
    ready = False
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            return False
        ready = ready or b"READY" in output.read_bytes()
        if ready and log.exists() and any(line.startswith(mark) for line in log.read_bytes().splitlines()):
            return True
        time.sleep(0.01)
    worker.kill()
    worker.wait()
    raise AssertionError(
        f"worker {worker.pid} did not get to work within {limit} s: {output.read_text()[-3000:]}"
    )


def _crash_and_resume(folder: Path) -> tuple[list[Any], int]:
    """Run the kill cycles and the final run; returns the task invocations and the kill count."""
    store, log = folder / "executions.sqlite", folder / "invocations.log"
    rng = random.Random(20261122)
    kills = 0
    for cycle in range(KILLS):
        upto = min(EXECUTIONS, (cycle + 1) * EXECUTIONS // KILLS)
        worker, output = _spawn(store, log, upto, cycle)
        at_work = _at_work(worker, output, log)
        try:
            if not at_work:
                raise subprocess.TimeoutExpired(worker.args, 0)  # it ended first: see below
            worker.wait(timeout=rng.uniform(0.05, 0.6))
        except subprocess.TimeoutExpired:
            if worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait()
                kills += 1
        if worker.returncode != -signal.SIGKILL:
            assert worker.returncode == 0, output.read_text()[-3000:]
    final, output = _spawn(store, log, EXECUTIONS, KILLS)
    try:
        final.wait(timeout=120)
    finally:
        if final.poll() is None:
            final.kill()
            final.wait()
    assert final.returncode == 0 and "DONE" in output.read_text(), output.read_text()[-3000:]
    lines = [line.split() for line in log.read_text().splitlines()]
    invocations = [(int(pid), execution, key) for pid, execution, key in lines]
    return invocations, kills


@pytest.mark.slow
def test_executions_survive_sigkill_at_random_moments(tmp_path: Path) -> None:
    invocations, kills = _crash_and_resume(tmp_path)
    store = ExecutionStore(tmp_path / "executions.sqlite", exclusive=False)
    try:
        crashed = (store, invocations, kills)
        _most_cycles_were_killed_mid_flight(crashed)
        _every_execution_completes_with_the_right_output(crashed)
        _no_event_is_lost_or_repeated(crashed)
        _the_wait_keeps_its_deadline_across_restarts(crashed)
        _no_completed_task_runs_again(crashed)
    finally:
        store.close()


def _histories(store: ExecutionStore) -> dict[str, list[tuple[dict[str, Any], str]]]:
    return {record.name: store.events(record.id) for record in store.executions(MACHINE)}


def _most_cycles_were_killed_mid_flight(crashed: Any) -> None:
    _, invocations, kills = crashed
    assert kills == KILLS  # each cycle has new executions, so no worker ends on its own
    # every process got to work before its kill (and the final one too)
    assert len({pid for pid, _, _ in invocations}) == KILLS + 1


def _every_execution_completes_with_the_right_output(crashed: Any) -> None:
    store, _, _ = crashed
    records = list(store.executions(MACHINE))
    assert sorted(r.name for r in records) == sorted(f"e{i}" for i in range(EXECUTIONS))
    for record in records:
        assert record.status == "SUCCEEDED", record
        n = json.loads(record.input)["n"]
        output = json.loads(record.output or "null")
        assert [item["v"] for item in output["worked"]] == [2 * n, 2 * n + 2, 2 * n + 4]
        assert output["total"]["sum"] == 6 * n + 6


def _no_event_is_lost_or_repeated(crashed: Any) -> None:
    store, _, _ = crashed
    for name, history in _histories(store).items():
        events = [event for event, _ in history]
        assert [e["id"] for e in events] == list(range(1, len(events) + 1)), name
        assert all(0 <= e["previousEventId"] < e["id"] for e in events), name
        types = Counter(e["type"] for e in events)
        assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
        assert types["ExecutionStarted"] == types["ExecutionSucceeded"] == 1, name
        assert types["TaskStateEntered"] == types["TaskStateExited"] == 6, (name, types)
        assert types["LambdaFunctionScheduled"] == 7 and types["LambdaFunctionFailed"] == 1, (name, types)
        assert types["LambdaFunctionSucceeded"] == 6, (name, types)
        assert types["MapIterationStarted"] == types["MapIterationSucceeded"] == 3, (name, types)
        assert types["ParallelStateStarted"] == types["ParallelStateSucceeded"] == 1, (name, types)
        assert types["WaitStateEntered"] == types["WaitStateExited"] == 1, name
        # 1 + 6 tasks x 5 + a retry's 3 + Map 4 + 3 iterations x 2 + Wait 2 + Parallel 4 + 2 Pass x 2 + 1
        assert len(events) == 55, (name, types)
        # within each thread of control, events link one to the next
        by_thread: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event, thread in history:
            by_thread[thread].append(event)
        for thread, chain in by_thread.items():
            for before, after in itertools.pairwise(chain):
                if after["type"] in ("MapStateSucceeded", "ParallelStateSucceeded"):  # the last child event
                    assert after["previousEventId"] >= before["id"], (name, thread, after)
                elif before["type"] == "ExecutionStarted":  # AWS: the first state links to no event
                    assert after["previousEventId"] == 0, (name, thread, after)
                elif before["type"] == "MapStateSucceeded":  # AWS: linked where MapStateSucceeded is
                    assert after["previousEventId"] == before["previousEventId"], (name, thread, after)
                else:
                    assert after["previousEventId"] == before["id"], (name, thread, after)


def _the_wait_keeps_its_deadline_across_restarts(crashed: Any) -> None:
    store, _, _ = crashed
    for name, history in _histories(store).items():
        events = {event["type"]: event for event, _ in history}
        waited = events["WaitStateExited"]["timestamp"] - events["WaitStateEntered"]["timestamp"]
        assert waited.total_seconds() >= 1.0, name


def _no_completed_task_runs_again(crashed: Any) -> None:
    store, invocations, _ = crashed
    order = {pid: index for index, pid in enumerate(dict.fromkeys(pid for pid, _, _ in invocations))}
    runs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pid, execution, key in invocations:
        runs[(execution, key)].append(pid)
    rerun = 0
    for name, history in _histories(store).items():
        events = [event for event, _ in history]
        keys = ["Prepare", "Work/0", "Work/1", "Work/2", "Check/0", "Check/1", "Finish"]
        recorded: list[int] = []  # the process of each recorded result, success or failure
        for event in events:
            if event["type"] == "LambdaFunctionSucceeded":
                output = json.loads(event["lambdaFunctionSucceededEventDetails"]["output"])
                recorded.append(output["pid"])
            elif event["type"] == "LambdaFunctionFailed":
                cause = json.loads(event["lambdaFunctionFailedEventDetails"]["cause"])
                recorded.append(int(cause["errorMessage"].split()[1]))
        for key in keys:
            pids = runs[(name, key)]
            assert pids, (name, key)
            # the run whose result was recorded is the last one: once recorded, never run again
            last = pids[-1]
            assert pids.count(last) == 1, (name, key, pids)
            assert all(order[p] <= order[last] for p in pids), (name, key, pids)
            rerun += len(pids) - 1
        assert sorted(recorded) == sorted(runs[(name, key)][-1] for key in keys), name
    assert rerun < EXECUTIONS * 7  # at-least-once: only tasks cut short by a kill ran again
    # resumption really happened: many executions had their tasks run by several processes
    processes: dict[str, set[int]] = defaultdict(set)
    for pid, execution, _ in invocations:
        processes[execution].add(pid)
    assert sum(len(pids) > 1 for pids in processes.values()) >= 10
