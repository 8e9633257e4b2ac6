"""Purging gives the space back: the store file shrinks after closed executions are deleted."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asl.store import ExecutionRecord, ExecutionStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _fill(store: ExecutionStore, count: int, closed: datetime) -> None:
    for index in range(count):
        record = ExecutionRecord(
            store.next_execution_id(),
            f"arn:aws:states:us-east-1:1:execution:M:e{index}",
            "arn:aws:states:us-east-1:1:stateMachine:M",
            1,
            f"e{index}",
            "RUNNING",
            "{}",
            T0,
        )
        store.insert_execution(record)
        for event_id in range(1, 6):
            event = {
                "timestamp": T0,
                "type": "PassStateEntered",
                "id": event_id,
                "previousEventId": event_id - 1,
                "stateEnteredEventDetails": {"name": "P", "input": '"' + "x" * 2000 + f'{index}"'},
            }
            store.append_event(record.id, event, "")
        record.status, record.stop_date = "SUCCEEDED", closed
        store.update_execution(record)
    store.flush()


def _size(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def test_purge_shrinks_the_file(tmp_path: Path) -> None:
    path = tmp_path / "executions.sqlite"
    store = ExecutionStore(path)
    _fill(store, 300, T0)
    full = _size(path)
    assert store.purge(T0 + timedelta(days=1)) == 300
    assert _size(path) < full / 5
    store.close()


def test_a_file_made_without_incremental_vacuum_is_converted_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "executions.sqlite"
    store = ExecutionStore(path)
    _fill(store, 50, T0)
    store.close()
    with sqlite3.connect(path) as old:  # as a store made before this version was
        old.execute("PRAGMA auto_vacuum=NONE")
        old.execute("VACUUM")
        assert old.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    store = ExecutionStore(path)
    assert len(list(store.executions())) == 50
    assert store.purge(T0 + timedelta(days=1)) == 50
    store.close()
    with sqlite3.connect(path) as reopened:
        assert reopened.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
        assert reopened.execute("PRAGMA freelist_count").fetchone()[0] == 0
    # about an empty store's size (its schema): a few pages more at most, whatever tables the
    # migrations add
    empty = tmp_path / "empty.sqlite"
    ExecutionStore(empty).close()
    assert os.path.getsize(path) <= os.path.getsize(empty) + 8 * 4096
