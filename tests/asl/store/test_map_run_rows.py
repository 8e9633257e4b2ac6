"""Map Runs in the execution store: written with the group commit, read back, adopted and purged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asl.store import ExecutionRecord, ExecutionStore
from asl.store.map_runs import ChildRow, MapRunRow
from asl.store.migrations import EXECUTION_MIGRATIONS

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
MACHINE = "arn:aws:states:us-east-1:1:stateMachine:M"
RUN = "arn:aws:states:us-east-1:1:mapRun:M/Each:00000000-0000-0000-0000-000000000001"


def _with_run(store: ExecutionStore, name: str, status: str = "SUCCEEDED") -> tuple[ExecutionRecord, str]:
    record = ExecutionRecord(
        store.next_execution_id(), f"{MACHINE.replace('stateMachine', 'execution')}:{name}", MACHINE, 1,
        name, status, json.dumps({}), T0,
    )  # fmt: skip
    if status != "RUNNING":
        record.stop_date = T0 + timedelta(seconds=5)
    store.insert_execution(record)
    arn = f"{RUN[:-12]}{name:0>12}"
    store.save_map_run(
        MapRunRow(arn, record.id, 3, record.arn, status, T0, record.stop_date, 2, 1, None, 5.0)
    )
    store.save_map_run_child(ChildRow(arn, 0, "SUCCEEDED", T0, T0 + timedelta(seconds=1)))
    store.save_map_run_child(ChildRow(arn, 1, "FAILED", T0, T0 + timedelta(seconds=2)))
    return record, arn


def test_map_runs_are_a_named_migration_and_read_back_as_written(tmp_path: Path) -> None:
    assert "0010_map_runs" in [name for name, _ in EXECUTION_MIGRATIONS]
    store = ExecutionStore(tmp_path / "s.sqlite")
    record, arn = _with_run(store, "e")
    row = store.map_run(arn)
    assert row is not None
    assert (row.execution, row.map_event, row.status, row.tolerated_count, row.tolerated_percentage) == (
        record.id, 3, "SUCCEEDED", None, 5.0,
    )  # fmt: skip
    assert row.start_date == T0 and row.tolerance_updated is False
    assert [r.arn for r in store.map_runs(record.id)] == [arn]
    assert [(c.item, c.status) for c in store.map_run_children(arn)] == [(0, "SUCCEEDED"), (1, "FAILED")]
    store.close()


def test_adopted_executions_bring_their_map_runs_and_purged_ones_take_theirs(tmp_path: Path) -> None:
    other = ExecutionStore(tmp_path / "b.sqlite")
    _, arn = _with_run(other, "moved")
    other.close()
    here = ExecutionStore(tmp_path / "a.sqlite")
    _with_run(here, "first")
    here.adopt(tmp_path / "b.sqlite")
    moved = here.execution(f"{MACHINE.replace('stateMachine', 'execution')}:moved")
    assert moved is not None
    row = here.map_run(arn)
    assert row is not None and row.execution == moved.id
    assert len(here.map_run_children(arn)) == 2
    assert here.purge(T0 + timedelta(days=1)) == 2
    assert here.map_run(arn) is None and here.map_run_children(arn) == []
    here.close()
