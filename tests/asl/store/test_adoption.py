"""ExecutionStore.adopt: another store file's executions move here in one transaction, then it goes."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from asl import Runtime
from asl._sqlite import connect, migrate
from asl.errors import ASLError
from asl.store import ExecutionRecord, ExecutionStore, StoreInUse
from asl.store.migrations import EXECUTION_MIGRATIONS

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
MACHINE = "arn:aws:states:us-east-1:1:stateMachine:M"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def _execution(
    store: ExecutionStore, name: str, status: str = "RUNNING", version: int = 1, events: int = 3
) -> ExecutionRecord:
    """An execution with ``events`` events whose payloads repeat (stored as references)."""
    record = ExecutionRecord(
        store.next_execution_id(), f"arn:aws:states:us-east-1:1:execution:M:{name}", MACHINE, version,
        name, status, json.dumps({"name": name}), T0, redrive_count=1, redrive_date=T0 + timedelta(1),
    )  # fmt: skip
    if status != "RUNNING":
        record.output, record.stop_date = '{"done": true}', T0 + timedelta(seconds=9)
    store.insert_execution(record)
    payload = json.dumps({"text": name * 40})  # over 64 characters: kept after the event
    for event_id in range(1, events + 1):
        details = {"name": "P", "input": payload}
        event = {"timestamp": T0, "type": "PassStateEntered", "id": event_id, "previousEventId": event_id - 1}
        store.append_event(record.id, {**event, "stateEnteredEventDetails": details}, "")
    store.flush()
    return record


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _orphan(path: Path, names: list[str], definition: str = '{"v":1}') -> list[ExecutionRecord]:
    store = ExecutionStore(path)
    store.put_state_machine(MACHINE, "M", "STANDARD", "role", definition, T0)
    records = [
        _execution(store, name, "SUCCEEDED" if name.startswith("done") else "RUNNING") for name in names
    ]
    store.put_activity("arn:aws:states:us-east-1:1:activity:A", "A", T0)
    store.record_heartbeat("token-1", T0)
    store.close()
    return records


def test_executions_move_with_their_history_byte_for_byte(tmp_path: Path) -> None:
    other = tmp_path / "executions-2.sqlite"
    records = _orphan(other, ["a", "done-b"])
    bodies = _rows(other, "SELECT execution, id, thread, body FROM events ORDER BY execution, id")
    assert any("\x1d" in body for *_, body in bodies)  # some payloads are stored as references
    here = ExecutionStore(tmp_path / "executions.sqlite")
    local = _execution(here, "local")  # this store's ids come first

    adopted = here.adopt(other)

    assert adopted == [r.arn for r in records]
    new_ids: dict[int, int] = {}
    for record in records:
        moved = here.execution(record.arn)
        assert moved is not None and moved.id > local.id
        assert {**vars(moved), "id": record.id} == vars(record)  # everything but the id is kept
        new_ids[record.id] = moved.id
    here.close()
    moved_bodies = _rows(
        tmp_path / "executions.sqlite",
        f"SELECT execution, id, thread, body FROM events WHERE execution > {local.id}",
    )
    assert sorted(moved_bodies) == sorted((new_ids[e], i, t, b) for e, i, t, b in bodies)
    assert not other.exists()
    assert not Path(f"{other}-wal").exists() and not Path(f"{other}-shm").exists()
    assert Path(f"{other}.lock").exists()  # never deleted: see asl.store._locks


def test_adopted_histories_read_back_with_their_references_and_the_rest_comes_too(tmp_path: Path) -> None:
    other = tmp_path / "b.sqlite"
    records = _orphan(other, ["a", "done-b"])
    before = ExecutionStore(other, read_only=True)
    histories = {r.arn: before.events(r.id) for r in records}
    before.close()
    here = ExecutionStore(tmp_path / "a.sqlite")
    here.adopt(other)
    for arn, history in histories.items():
        moved = here.execution(arn)
        assert moved is not None and here.events(moved.id) == history
    assert here.heartbeats() == {"token-1": T0}
    assert [name for _, name, _ in here.activities()] == ["A"]
    here.close()


def test_new_executions_after_an_adoption_take_fresh_ids(tmp_path: Path) -> None:
    other = tmp_path / "b.sqlite"
    _orphan(other, ["a", "b"])
    here = ExecutionStore(tmp_path / "a.sqlite")
    _execution(here, "first")
    here.adopt(other)
    later = _execution(here, "later")
    ids = [r.id for r in here.executions()]
    assert len(ids) == len(set(ids)) == 4 and later.id == max(ids)
    here.close()


def test_versions_are_matched_by_definition_and_new_ones_numbered_after_the_highest(tmp_path: Path) -> None:
    other_path = tmp_path / "b.sqlite"
    other = ExecutionStore(other_path)
    other.put_state_machine(MACHINE, "M", "STANDARD", "role", '{"v":"Y"}', T0)  # v1 there
    other.put_state_machine(MACHINE, "M", "STANDARD", "role", '{"v":"X"}', T0)  # v2 there
    on_y = _execution(other, "on-y", version=1)
    on_x = _execution(other, "on-x", version=2)
    elsewhere = "arn:aws:states:us-east-1:1:stateMachine:Other"
    other.put_state_machine(elsewhere, "Other", "EXPRESS", "r", '{"o":1}', T0)
    other.close()
    here = ExecutionStore(tmp_path / "a.sqlite")
    assert here.put_state_machine(MACHINE, "M", "STANDARD", "role", '{"v":"X"}', T0) == 1

    here.adopt(other_path)

    assert here.definition(MACHINE, 1) == '{"v":"X"}' and here.definition(MACHINE, 2) == '{"v":"Y"}'
    assert here.execution(on_x.arn).version == 1  # type: ignore[union-attr]
    assert here.execution(on_y.arn).version == 2  # type: ignore[union-attr]
    machines = {row["arn"]: row for row in here.state_machines()}
    assert machines[MACHINE]["version"] == 1  # this store's current version stays current
    assert machines[elsewhere]["type"] == "EXPRESS" and here.definition(elsewhere, 1) == '{"o":1}'
    # a third definition is numbered after every version the store holds
    assert here.put_state_machine(MACHINE, "M", "STANDARD", "role", '{"v":"Z"}', T0) == 3
    here.close()


def test_a_file_adopted_again_after_a_crash_adds_nothing_twice(tmp_path: Path) -> None:
    other = tmp_path / "b.sqlite"
    records = _orphan(other, ["a", "b"])
    saved = tmp_path / "saved.sqlite"
    shutil.copy(other, saved)
    here = ExecutionStore(tmp_path / "a.sqlite")
    assert len(here.adopt(other)) == 2
    shutil.copy(saved, other)  # as if the process died before it removed the file
    late = ExecutionStore(other)
    _execution(late, "c")  # and one more that was not adopted yet
    late.close()
    assert here.adopt(other) == ["arn:aws:states:us-east-1:1:execution:M:c"]
    assert Counter(r.arn for r in here.executions()) == Counter(
        [r.arn for r in records] + ["arn:aws:states:us-east-1:1:execution:M:c"]
    )
    counts = here._db.execute("SELECT execution, COUNT(*) FROM events GROUP BY execution").fetchall()
    assert [n for _, n in counts] == [3, 3, 3]
    here.close()


# Runs in a child process: the adoption commits, then the process dies before it removes the file.
KILLED_AFTER_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from asl.store import ExecutionStore

    def die(self, missing_ok=False):
        os.kill(os.getpid(), signal.SIGKILL)

    Path.unlink = die
    ExecutionStore(sys.argv[1]).adopt(sys.argv[2])
    """
)


def test_a_process_killed_between_the_commit_and_the_removal_loses_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    here_path, other = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    records = _orphan(other, ["a", "done-b"])
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_COMMIT, str(here_path), str(other)])
    assert killed.returncode == -9
    assert other.exists()
    here = ExecutionStore(here_path)  # the killed process's lock went with it
    assert sorted(r.arn for r in here.executions()) == sorted(r.arn for r in records)
    assert here.adopt(other) == []
    assert sorted(r.arn for r in here.executions()) == sorted(r.arn for r in records)
    assert all(here.event_count(r.id) == 3 for r in here.executions())
    assert not other.exists()
    here.close()


def test_a_file_another_store_holds_is_not_touched(tmp_path: Path) -> None:
    other = tmp_path / "b.sqlite"
    _orphan(other, ["a"])
    holder = ExecutionStore(other)
    here = ExecutionStore(tmp_path / "a.sqlite")
    with pytest.raises(StoreInUse, match="in use by another process"):
        here.adopt(other)
    assert list(here.executions()) == []
    assert [r.name for r in holder.executions()] == ["a"]
    holder.close()
    here.close()


def test_a_missing_file_adopts_nothing_and_a_store_cannot_adopt_itself(tmp_path: Path) -> None:
    here = ExecutionStore(tmp_path / "a.sqlite")
    assert here.adopt(tmp_path / "none.sqlite") == []
    assert not (tmp_path / "none.sqlite").exists()
    with pytest.raises(ValueError, match="its own file"):
        here.adopt(tmp_path / "." / "a.sqlite")
    here.close()


def test_a_store_of_an_older_schema_is_migrated_then_adopted(tmp_path: Path) -> None:
    other = tmp_path / "old.sqlite"
    db = connect(other)
    migrate(db, [m for m in EXECUTION_MIGRATIONS if m[0] < "0005"])
    db.execute(
        "INSERT INTO executions (id, arn, machine_arn, version, name, status, input, start_date) "
        "VALUES (4, 'arn:e:old', ?, 1, 'old', 'RUNNING', '{}', ?)",
        (MACHINE, T0.isoformat()),
    )
    db.execute("INSERT INTO state_machines VALUES (?, 'M', 'STANDARD', 'r', ?, 1)", (MACHINE, T0.isoformat()))
    db.execute("INSERT INTO state_machine_versions VALUES (?, 1, '{}', ?)", (MACHINE, T0.isoformat()))
    db.close()
    here = ExecutionStore(":memory:")
    assert here.adopt(other) == ["arn:e:old"]
    assert [row["status"] for row in here.state_machines()] == ["ACTIVE"]
    here.close()


def test_a_read_only_store_reads_a_held_file_and_never_creates_one(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite"
    holder = ExecutionStore(path)
    record = _execution(holder, "a")
    reader = ExecutionStore(path, read_only=True)
    assert reader.execution(record.arn) == record
    assert len(reader.events(record.id)) == 3
    reader.close()
    holder.close()
    with pytest.raises(ASLError, match="cannot be read"):
        ExecutionStore(tmp_path / "none.sqlite", read_only=True)
    assert not (tmp_path / "none.sqlite").exists()
    (tmp_path / "empty.sqlite").write_bytes(b"")
    with pytest.raises(ASLError, match="cannot be read"):
        ExecutionStore(tmp_path / "empty.sqlite", read_only=True)


def test_a_runtime_finishes_what_it_adopted_without_running_recorded_tasks_again(tmp_path: Path) -> None:
    calls: Counter[str] = Counter()

    async def stuck(event: Any, context: Any) -> Any:
        calls["stuck"] += 1
        await asyncio.Event().wait()

    def once(event: Any, context: Any) -> Any:
        calls["once"] += 1
        return {"first": True}

    def second(event: Any, context: Any) -> Any:
        calls["second"] += 1
        return {"second": event["first"]}

    definition = {
        "StartAt": "One",
        "States": {
            "One": {"Type": "Task", "Resource": FUNCTION.format("once"), "Next": "Two"},
            "Two": {"Type": "Task", "Resource": FUNCTION.format("second"), "End": True},
        },
    }

    async def scenario() -> None:
        gone = Runtime(ExecutionStore(tmp_path / "b.sqlite"), handlers={"once": once, "second": stuck})
        arn = gone.create_state_machine("M", definition)["stateMachineArn"]
        started = await gone.start_execution(arn, "{}", name="run")
        while not calls["stuck"]:  # until the second task runs (a fixed sleep is too short under load)
            await asyncio.sleep(0.005)
        await gone.close()  # as a crash after the last commit: RUNNING in b.sqlite

        store = ExecutionStore(tmp_path / "a.sqlite")
        assert store.adopt(tmp_path / "b.sqlite") == [started["executionArn"]]
        runtime = Runtime(store, handlers={"once": once, "second": second})
        runtime.create_state_machine("M", definition)
        assert await runtime.resume() == [started["executionArn"]]
        assert (await runtime.wait(started["executionArn"]))["status"] == "SUCCEEDED"
        events = runtime.get_execution_history(started["executionArn"], max_results=1000)["events"]
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        await runtime.close()

    asyncio.run(scenario())
    assert calls == {"once": 1, "stuck": 1, "second": 1}


def test_a_removal_that_fails_after_the_commit_leaves_the_ids_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "b.sqlite"
    records = _orphan(other, ["a", "b"])
    here = ExecutionStore(tmp_path / "a.sqlite")

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(f"cannot remove {self}")

    with monkeypatch.context() as patch:
        patch.setattr(Path, "unlink", refuse)
        with pytest.raises(PermissionError):
            here.adopt(other)
    later = _execution(here, "later")  # would collide with an adopted id if the store forgot them
    assert sorted(r.name for r in here.executions()) == ["a", "b", "later"]
    assert later.id > max(here.execution(r.arn).id for r in records)  # type: ignore[union-attr]
    assert here.adopt(other) == [] and not other.exists()
    here.close()


def test_the_version_and_alias_an_execution_started_with_move_with_it(tmp_path: Path) -> None:
    # DescribeExecution keeps naming them after the move (see asl.runtime.versions)
    other = ExecutionStore(tmp_path / "other.sqlite")
    record = _execution(other, "qualified")
    other.qualify_execution(record.id, f"{MACHINE}:1", f"{MACHINE}:PROD")
    other.close()
    here = ExecutionStore(tmp_path / "here.sqlite")
    _execution(here, "first")  # so the adopted one gets another id
    here.flush()
    assert here.adopt(tmp_path / "other.sqlite") == [record.arn]
    moved = here.execution(record.arn)
    assert moved is not None and moved.id != record.id
    assert here.qualifiers([moved.id]) == {moved.id: (f"{MACHINE}:1", f"{MACHINE}:PROD")}
    here.close()
