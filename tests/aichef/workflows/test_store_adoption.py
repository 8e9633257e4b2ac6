"""Sessions of server workers that are not started again are finished by the kitchens that are.

Each scenario kills real processes (SIGKILL) while their sessions wait on price lookups that
never return, so their execution stores are left behind with RUNNING sessions in them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aichef.service import Kitchen
from asl import ExecutionDoesNotExist
from asl.store import ExecutionStore

# A worker process on the folder (argv[1]) doing argv[2] with the sessions argv[3:]:
#   hang: start them; each stops at its price lookups, which never return; say READY and wait
#   finish: adopt and resume what it may, finish it, say DONE with what it resumed; close at EOF
#   die: adopt, and be killed between the adoption's commit and the removal of the file
CHILD = textwrap.dedent(
    """
    import asyncio, json, os, pathlib, signal, sys, threading
    import aichef.handlers as handlers
    from aichef.service import Kitchen

    folder, mode, sessions = sys.argv[1], sys.argv[2], sys.argv[3:]

    async def hang():
        real = handlers.local_handlers
        handlers.local_handlers = lambda: {**real(), "aichef-price": lambda e, c: threading.Event().wait()}
        kitchen = Kitchen(folder, worker=True, task_threads=True)
        for session in sessions:
            await kitchen.start_session({"sessionId": session, "profile": {"target": "diet", "servings": 2}})
        for session in sessions:  # until its price lookups are under way: the recipe is recorded
            while not any(e["type"] == "MapStateEntered" for e in kitchen.history(session)):
                await asyncio.sleep(0.01)
        await kitchen.runtime.store.commit()
        print("READY", os.path.basename(kitchen.runtime.store.path), flush=True)
        await asyncio.sleep(3600)

    async def finish():
        kitchen = Kitchen(folder, worker=True)
        resumed = await kitchen.resume()
        for arn in resumed:
            await kitchen.wait(arn.rsplit(":", 1)[1], timeout=120)
        print("DONE", os.path.basename(kitchen.runtime.store.path), json.dumps(resumed), flush=True)
        sys.stdin.readline()  # alive until every worker has said DONE, as a server's workers are
        await kitchen.close()

    def die():
        pathlib.Path.unlink = lambda self, missing_ok=False: os.kill(os.getpid(), signal.SIGKILL)
        Kitchen(folder)

    if mode == "die":
        die()
    else:
        asyncio.run(hang() if mode == "hang" else finish())
    """
)

SESSIONS = {"executions.sqlite": ["w1-a", "w1-b"], "executions-2.sqlite": ["w2-a", "w2-b"]}
ALL = [session for sessions in SESSIONS.values() for session in sessions]


def _child(folder: Path, mode: str, *sessions: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), mode, *sessions],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "AICHEF_PROVIDER": "offline"},
    )


def _said(child: subprocess.Popen[str]) -> list[str]:
    assert child.stdout is not None
    return child.stdout.readline().split(" ", 2)


def _kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    for pipe in (child.stdin, child.stdout):
        if pipe is not None:
            pipe.close()


def _leave_orphans(folder: Path, sessions_by_store: dict[str, list[str]]) -> None:
    """Workers started one after another (each while the others hold their stores), then killed."""
    children: list[subprocess.Popen[str]] = []
    try:
        for store, sessions in sessions_by_store.items():
            children.append(_child(folder, "hang", *sessions))
            assert _said(children[-1]) == ["READY", f"{store}\n"]
    finally:
        for child in children:
            _kill(child)


@pytest.fixture
def orphans(tmp_path: Path) -> Path:
    """A folder two server workers left: each store with two RUNNING sessions, stopped at prices."""
    folder = tmp_path / "kitchen"
    _leave_orphans(folder, SESSIONS)
    return folder


def _arn(kitchen: Kitchen, session: str) -> str:
    return kitchen._execution_arn(session)


def _where(folder: Path) -> dict[str, list[str]]:
    """Each session's execution ARN -> the store files that hold it, read as they are on disk."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.glob("executions*.sqlite")):
        store = ExecutionStore(path, read_only=True)
        for record in store.executions():
            found.setdefault(record.name, []).append(path.name)
        store.close()
    return found


def _check_finished_once(folder: Path, sessions: list[str] = ALL) -> None:
    """Every session completed; its history is contiguous and its recipe was generated once."""
    kitchen = Kitchen(folder, read_only=True)
    try:
        for session in sessions:
            view = kitchen.get_session(session)
            assert view is not None and view["status"] == "completed", session
            history = kitchen.history(session)
            assert [e["id"] for e in history] == list(range(1, len(history) + 1))
            scheduled = [
                e["taskScheduledEventDetails"]["parameters"] for e in history if e["type"] == "TaskScheduled"
            ]
            assert sum('"aichef-recipe"' in str(p) for p in scheduled) == 1, session
            assert [e["type"] for e in history].count("ExecutionSucceeded") == 1
    finally:
        asyncio.run(kitchen.close())
    assert all(len(stores) == 1 for stores in _where(folder).values())  # in one store each


def _finish_in_one_kitchen(folder: Path) -> list[str]:
    async def run() -> list[str]:
        kitchen = Kitchen(folder)
        resumed = await kitchen.resume()
        for session in ALL:
            await kitchen.wait(session, timeout=120)
        await kitchen.close()
        return resumed

    return asyncio.run(run())


def test_one_kitchen_finishes_the_sessions_of_both_workers(orphans: Path) -> None:
    assert _where(orphans) == {s: [store] for store, sessions in SESSIONS.items() for s in sessions}
    resumed = _finish_in_one_kitchen(orphans)
    assert sorted(arn.rsplit(":", 1)[1] for arn in resumed) == sorted(ALL)
    assert not (orphans / "executions-2.sqlite").exists()  # adopted, then removed
    _check_finished_once(orphans)


def test_an_adoption_killed_before_it_removed_the_file_runs_nothing_twice(orphans: Path) -> None:
    died = _child(orphans, "die")
    assert died.wait(timeout=60) == -signal.SIGKILL
    _kill(died)  # (closes its pipes)
    # the copies were committed, the file is still there: the sessions of w2 are in both stores
    assert sorted(_where(orphans)["w2-a"]) == ["executions-2.sqlite", "executions.sqlite"]
    _finish_in_one_kitchen(orphans)
    _check_finished_once(orphans)


def _start_together(folder: Path, count: int) -> list[list[str]]:
    """``count`` workers started at once, each finishing what it resumed: what each said."""
    workers = [_child(folder, "finish") for _ in range(count)]
    try:
        said = [_said(worker) for worker in workers]
    finally:
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.close()
        assert [worker.wait(timeout=120) for worker in workers] == [0] * count
        for worker in workers:
            if worker.stdout is not None:
                worker.stdout.close()
    assert [words[0] for words in said] == ["DONE"] * count
    assert len({words[1] for words in said}) == count  # a store of its own each
    return said


def _resumed(said: list[list[str]]) -> list[str]:
    return sorted(arn.rsplit(":", 1)[1] for words in said for arn in json.loads(words[2]))


def test_three_workers_starting_at_once_share_two_orphan_stores(orphans: Path) -> None:
    said = _start_together(orphans, 3)
    assert _resumed(said) == sorted(ALL)  # each session resumed by exactly one worker
    _check_finished_once(orphans)


def test_two_workers_starting_at_once_leave_none_of_three_orphan_stores(tmp_path: Path) -> None:
    folder = tmp_path / "kitchen"
    holder = Kitchen(folder, worker=True)  # executions.sqlite, with no sessions
    stores = {"executions-2.sqlite": ["x"], "executions-3.sqlite": ["y"], "executions-4.sqlite": ["z"]}
    try:
        _leave_orphans(folder, stores)
    finally:
        asyncio.run(holder.close())
    said = _start_together(folder, 2)
    assert _resumed(said) == ["x", "y", "z"]
    _check_finished_once(folder, ["x", "y", "z"])
    assert sorted(p.name for p in folder.glob("executions*.sqlite")) == sorted(words[1] for words in said)


def test_history_is_found_in_the_store_of_a_live_worker(tmp_path: Path) -> None:
    folder = tmp_path / "kitchen"
    holder = Kitchen(folder, worker=True)  # holds executions.sqlite while the worker starts
    worker = _child(folder, "hang", "busy")
    try:
        assert _said(worker) == ["READY", "executions-2.sqlite\n"]
        asyncio.run(holder.close())
        driving = Kitchen(folder, worker=True)
        assert Path(driving.runtime.store.path).name == "executions.sqlite"
        seen = driving.history("busy")
        with pytest.raises(ExecutionDoesNotExist):
            driving.history("nobody")
        asyncio.run(driving.close())
        reader = Kitchen(folder, read_only=True)
        read = reader.history("busy")
        asyncio.run(reader.close())
        assert (folder / "executions-2.sqlite").exists()  # a live worker's store is never adopted
    finally:
        _kill(worker)
    assert seen == read and seen[0]["type"] == "ExecutionStarted"
    assert any(e["type"] == "MapStateEntered" for e in seen)
    assert json.loads(seen[0]["executionStartedEventDetails"]["input"])["sessionId"] == "busy"
