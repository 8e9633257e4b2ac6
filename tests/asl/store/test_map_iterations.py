"""Finished DISTRIBUTED Map iterations in the execution store: group-committed, purged, deleted, adopted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from asl._sqlite import applied_migrations
from asl.store import ExecutionRecord, ExecutionStore

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
MACHINE = "arn:aws:states:us-east-1:1:stateMachine:M"


@pytest.fixture
def store() -> Iterator[ExecutionStore]:
    opened = ExecutionStore(":memory:")
    yield opened
    opened.close()


def _execution(store: ExecutionStore, name: str, machine: str = MACHINE) -> ExecutionRecord:
    record = ExecutionRecord(
        store.next_execution_id(), f"arn:aws:states:us-east-1:1:execution:M:{name}", machine, 1, name,
        "RUNNING", "{}", T0,
    )  # fmt: skip
    store.insert_execution(record)
    return record


def _event(event_id: int) -> dict[str, object]:
    return {"timestamp": T0, "type": "PassStateEntered", "id": event_id, "previousEventId": event_id - 1}


def _finish(store: ExecutionStore, record: ExecutionRecord) -> None:
    record.status, record.stop_date = "SUCCEEDED", T0 + timedelta(days=1)
    store.update_execution(record)


def test_the_schema_gains_a_named_migration(tmp_path: Path) -> None:
    ExecutionStore(tmp_path / "s.sqlite").close()
    db = sqlite3.connect(tmp_path / "s.sqlite")
    try:
        assert "0007_map_iterations" in applied_migrations(db)
    finally:
        db.close()


def test_recorded_iterations_wait_for_the_flush_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = ExecutionStore(path)
    record = _execution(store, "a")
    store.flush()
    store.record_iteration(record.id, 3, 0, '{"x":1}', False)
    store.record_iteration(record.id, 3, 1, '{"Error":"E"}', True)
    store.append_event(record.id, _event(1), "")
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("SELECT COUNT(*) FROM map_iterations").fetchone() == (0,)
        store.flush()  # the iterations and the event after them commit together
        assert reader.execute("SELECT COUNT(*) FROM map_iterations").fetchone() == (2,)
        assert reader.execute("SELECT COUNT(*) FROM events").fetchone() == (1,)
    finally:
        reader.close()
    assert store.map_iterations(record.id) == {(3, 0): ('{"x":1}', False), (3, 1): ('{"Error":"E"}', True)}
    assert store.map_iterations(record.id + 1) == {}
    store.close()


def test_purge_deletes_the_iterations_of_the_executions_it_deletes(store: ExecutionStore) -> None:
    old, running = _execution(store, "old"), _execution(store, "running")
    for record in (old, running):
        store.record_iteration(record.id, 3, 0, "1", False)
    _finish(store, old)
    assert store.purge(T0 + timedelta(days=10)) == 1
    assert store.map_iterations(old.id) == {}
    assert store.map_iterations(running.id) == {(3, 0): ("1", False)}


def test_deleting_a_machine_deletes_its_executions_iterations(store: ExecutionStore) -> None:
    store.put_state_machine(MACHINE, "M", "STANDARD", "role", "{}", T0)
    other_machine = MACHINE.replace(":M", ":Other")
    gone, kept = _execution(store, "gone"), _execution(store, "kept", other_machine)
    for record in (gone, kept):
        store.record_iteration(record.id, 7, 2, '"v"', False)
    assert store.delete_state_machine(MACHINE) == 1
    assert store.map_iterations(gone.id) == {}
    assert store.map_iterations(kept.id) == {(7, 2): ('"v"', False)}


def test_adoption_moves_the_iterations_with_their_executions(tmp_path: Path) -> None:
    other_path = tmp_path / "b.sqlite"
    other = ExecutionStore(other_path)
    other.put_state_machine(MACHINE, "M", "STANDARD", "role", "{}", T0)
    moved = [_execution(other, name) for name in ("a", "b")]
    for index, record in enumerate(moved):
        other.record_iteration(record.id, 3, index, f'{{"n":{index}}}', index == 1)
    other.close()
    here = ExecutionStore(tmp_path / "a.sqlite")
    local = _execution(here, "local")
    here.record_iteration(local.id, 3, 0, '"local"', False)

    assert here.adopt(other_path) == [r.arn for r in moved]

    for index, record in enumerate(moved):
        found = here.execution(record.arn)
        assert found is not None and found.id != record.id  # renumbered after this store's own
        assert here.map_iterations(found.id) == {(3, index): (f'{{"n":{index}}}', index == 1)}
    assert here.map_iterations(local.id) == {(3, 0): ('"local"', False)}
    here.close()
