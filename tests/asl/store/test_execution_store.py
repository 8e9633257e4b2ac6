"""The execution store: migrations, group commit, rows and events as written."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import asl.store
from asl._sqlite import applied_migrations, connect, migrate
from asl.store import ExecutionRecord, ExecutionStore, StoreInUse
from asl.store.migrations import EXECUTION_MIGRATIONS
from asl.store.rows import encode_event

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def store() -> Iterator[ExecutionStore]:
    opened = ExecutionStore(":memory:")
    yield opened
    opened.close()


def _record(
    store: ExecutionStore, name: str, started: datetime = T0, status: str = "RUNNING"
) -> ExecutionRecord:
    return ExecutionRecord(
        store.next_execution_id(),
        f"arn:aws:states:us-east-1:1:execution:M:{name}",
        "arn:aws:states:us-east-1:1:stateMachine:M",
        1,
        name,
        status,
        "{}",
        started,
    )


def _event(event_id: int, moment: datetime = T0) -> dict[str, object]:
    return {"timestamp": moment, "type": "PassStateEntered", "id": event_id, "previousEventId": event_id - 1}


def test_migrations_are_named_recorded_and_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    ExecutionStore(path).close()
    connection = connect(path)
    assert applied_migrations(connection) == [name for name, _ in EXECUTION_MIGRATIONS]
    assert migrate(connection, EXECUTION_MIGRATIONS) == []
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_events_written_under_an_older_schema_survive_its_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    connection = connect(path)
    migrate(connection, [m for m in EXECUTION_MIGRATIONS if m[0] < "0005"])  # a store from before 0005
    body = encode_event(_event(1))
    connection.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?)", [(7, 2, "", encode_event(_event(2))), (7, 1, "", body)]
    )
    connection.close()
    store = ExecutionStore(path)
    assert [event["id"] for event, _ in store.events(7)] == [1, 2]
    assert store.event_count(7) == 2
    store.close()
    without_rowid = connect(path).execute("SELECT sql FROM sqlite_master WHERE name='events'").fetchone()[0]
    assert "WITHOUT ROWID" not in without_rowid


def test_a_failing_migration_leaves_nothing_behind() -> None:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrate(connection, [("0001_ok", "CREATE TABLE a (x)"), ("0002_bad", "CREATE TABLE b (x); NOT SQL")])
    assert applied_migrations(connection) == ["0001_ok"]
    assert connection.execute("SELECT name FROM sqlite_master WHERE name='b'").fetchone() is None


def test_writes_wait_in_memory_until_a_flush(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = ExecutionStore(path)
    record = _record(store, "a")
    store.insert_execution(record)
    store.append_event(record.id, _event(1), "")
    reader = connect(path)
    assert reader.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    store.flush()
    assert reader.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
    assert store.flushes == 1
    reader.close()
    store.close()


def test_a_full_batch_flushes_at_once() -> None:
    store = ExecutionStore(":memory:", batch=10)
    record = _record(store, "a")
    store.insert_execution(record)
    for event_id in range(1, 10):
        store.append_event(record.id, _event(event_id), "")
    assert store.flushes == 1  # the tenth write filled the batch
    store.close()


def test_commit_shares_one_transaction_among_concurrent_writers() -> None:
    async def scenario() -> int:
        store = ExecutionStore(":memory:", delay=60)

        async def writer(name: str) -> None:
            record = _record(store, name)
            store.insert_execution(record)
            store.append_event(record.id, _event(1), "")
            await store.commit()

        await asyncio.gather(*(writer(f"w{i}") for i in range(50)))
        flushes = store.flushes
        assert len(list(store.executions())) == 50
        store.close()
        return flushes

    assert asyncio.run(scenario()) == 1


def test_the_timer_flushes_without_a_commit() -> None:
    async def scenario() -> None:
        store = ExecutionStore(":memory:", delay=0.001)
        record = _record(store, "t")
        store.insert_execution(record)
        await asyncio.sleep(0.05)
        assert store.flushes == 1
        store.close()

    asyncio.run(scenario())


def test_rows_and_events_read_back_as_written(store: ExecutionStore) -> None:
    record = _record(store, "r")
    store.insert_execution(record)
    moment = T0 + timedelta(microseconds=1)
    event = {**_event(1, moment), "passStateEnteredEventDetails": {"name": "P", "input": '{"한":1}'}}
    store.append_event(record.id, event, "3.1")
    record.status, record.output, record.stop_date = "SUCCEEDED", "1", T0 + timedelta(seconds=5)
    store.update_execution(record)
    store.flush()
    assert store.events(record.id) == [(event, "3.1")]
    again = store.execution(record.arn)
    assert again == record and again is not record


def test_executions_list_newest_first_with_filters_and_a_cursor(store: ExecutionStore) -> None:
    for i in range(5):
        store.insert_execution(
            _record(store, f"e{i}", T0 + timedelta(seconds=i), "SUCCEEDED" if i % 2 else "FAILED")
        )
    names = [r.name for r in store.executions()]
    assert names == ["e4", "e3", "e2", "e1", "e0"]
    assert [r.name for r in store.executions(status="SUCCEEDED")] == ["e3", "e1"]
    third = list(store.executions())[2]
    assert [r.name for r in store.executions(after=(third.start_date.isoformat(), third.id))] == ["e1", "e0"]


def test_a_changed_definition_is_a_new_version(store: ExecutionStore) -> None:
    arn = "arn:aws:states:us-east-1:1:stateMachine:M"
    assert store.put_state_machine(arn, "M", "STANDARD", "role", '{"v":1}', T0) == 1
    assert store.put_state_machine(arn, "M", "STANDARD", "role", '{"v":1}', T0) == 1
    assert store.put_state_machine(arn, "M", "STANDARD", "role", '{"v":2}', T0) == 2
    assert store.definition(arn, 1) == '{"v":1}' and store.definition(arn, 2) == '{"v":2}'
    assert [row["version"] for row in store.state_machines()] == [2]


def test_the_package_exports_exactly_its_public_names() -> None:
    assert asl.store.__all__ == sorted(asl.store.__all__)
    assert all(hasattr(asl.store, name) for name in asl.store.__all__)


def test_one_process_writes_a_store_file_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    writer = ExecutionStore(path)
    with pytest.raises(StoreInUse, match="in use by another process"):
        ExecutionStore(path)
    reader = ExecutionStore(path, exclusive=False)
    reader.close()
    writer.close()
    ExecutionStore(path).close()  # free again once closed


def test_the_default_file_sits_beside_the_local_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASL_DATA_DIR", str(tmp_path))
    store = ExecutionStore()
    assert Path(store.path) == tmp_path / "executions.sqlite" == asl.store.default_path()
    store.close()
    assert (tmp_path / "executions.sqlite").exists()


def test_a_failed_flush_reaches_whoever_awaits_the_commit() -> None:
    async def scenario() -> None:
        store = ExecutionStore(":memory:", delay=60)
        record = _record(store, "dup")
        store.insert_execution(record)
        store.flush()
        store.insert_execution(record)  # the same id again: the transaction fails
        with pytest.raises(sqlite3.IntegrityError):
            await store.commit()
        store._new.clear()  # drop the bad row so close() can flush
        store._pending = 0
        store.close()

    asyncio.run(scenario())


def test_purge_deletes_old_closed_executions_and_their_events(store: ExecutionStore) -> None:
    old, recent, running = _record(store, "old"), _record(store, "recent"), _record(store, "running")
    for record in (old, recent, running):
        store.insert_execution(record)
        store.append_event(record.id, _event(1), "")
    old.status, old.stop_date = "SUCCEEDED", T0 + timedelta(days=1)
    recent.status, recent.stop_date = "FAILED", T0 + timedelta(days=100)
    store.update_execution(old)
    store.update_execution(recent)
    assert store.purge(T0 + timedelta(days=10)) == 1
    assert sorted(r.name for r in store.executions()) == ["recent", "running"]
    assert store.events(old.id) == [] and len(store.events(recent.id)) == 1
