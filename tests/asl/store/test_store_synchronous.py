"""The synchronous level of both stores (executions, tables): NORMAL, or FULL by argument or environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from asl._sqlite import connect, synchronous_level
from asl.dynamodb import TableStore
from asl.errors import ASLError
from asl.store import ExecutionRecord, ExecutionStore

# what `PRAGMA synchronous` answers for each level (SQLite's numbering)
PRAGMA_VALUE = {"NORMAL": 1, "FULL": 2}

Opener = Callable[..., Any]


@pytest.fixture(autouse=True)
def _no_level_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASL_SYNCHRONOUS", raising=False)


@pytest.fixture(params=["executions", "tables"])
def open_store(request: pytest.FixtureRequest) -> Iterator[Opener]:
    """Opens the store under test (closed after the test); ``synchronous`` is passed on when given."""
    opened: list[Any] = []
    kind: type[Any] = ExecutionStore if request.param == "executions" else TableStore

    def opener(path: str | Path, **options: Any) -> Any:
        store = kind(path, **options)
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


def _in_effect(store: ExecutionStore | TableStore) -> int:
    connection = store._db if isinstance(store, ExecutionStore) else store._engine.connection
    value: int = connection.execute("PRAGMA synchronous").fetchone()[0]
    return value


@pytest.mark.parametrize("where", ["file", ":memory:"])
def test_the_default_is_normal(open_store: Opener, tmp_path: Path, where: str) -> None:
    store = open_store(tmp_path / "s.sqlite" if where == "file" else where)
    assert store.synchronous == "NORMAL"
    assert _in_effect(store) == PRAGMA_VALUE["NORMAL"]


@pytest.mark.parametrize(("given", "level"), [("FULL", "FULL"), ("full", "FULL"), ("Normal", "NORMAL")])
def test_the_argument_sets_the_pragma_on_the_connection(
    open_store: Opener, tmp_path: Path, given: str, level: str
) -> None:
    store = open_store(tmp_path / "s.sqlite", synchronous=given)
    assert store.synchronous == level
    assert _in_effect(store) == PRAGMA_VALUE[level]


@pytest.mark.parametrize(
    ("given", "level"), [("FULL", "FULL"), ("fUlL", "FULL"), ("normal", "NORMAL"), ("", "NORMAL")]
)
def test_the_environment_sets_it_when_the_argument_is_absent(
    open_store: Opener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, level: str
) -> None:
    monkeypatch.setenv("ASL_SYNCHRONOUS", given)
    store = open_store(tmp_path / "s.sqlite")
    assert store.synchronous == level
    assert _in_effect(store) == PRAGMA_VALUE[level]


@pytest.mark.parametrize(("environment", "argument"), [("FULL", "NORMAL"), ("NORMAL", "FULL")])
def test_the_argument_wins_over_the_environment(
    open_store: Opener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: str, argument: str
) -> None:
    monkeypatch.setenv("ASL_SYNCHRONOUS", environment)
    store = open_store(tmp_path / "s.sqlite", synchronous=argument)
    assert _in_effect(store) == PRAGMA_VALUE[argument]


@pytest.mark.parametrize("bad", ["EXTRA", "OFF", "2", "fulll", 2, b"FULL"])
def test_a_bad_argument_is_refused_naming_the_parameter_and_the_levels(
    open_store: Opener, tmp_path: Path, bad: object
) -> None:
    path = tmp_path / "s.sqlite"
    with pytest.raises(ValueError, match=r"synchronous must be 'NORMAL' or 'FULL', got ") as caught:
        open_store(path, synchronous=bad)
    assert repr(bad) in str(caught.value)
    assert not path.exists()  # refused before anything is created
    open_store(path)  # and no lock is left behind


def test_a_bad_environment_is_refused_at_open_naming_the_variable(
    open_store: Opener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASL_SYNCHRONOUS", "sometimes")
    with pytest.raises(ValueError, match=r"ASL_SYNCHRONOUS must be FULL or NORMAL .*'sometimes'") as caught:
        open_store(tmp_path / "s.sqlite")
    assert isinstance(caught.value, ASLError)  # the CLIs report it in one line
    assert not (tmp_path / "s.sqlite").exists()


def test_the_level_is_per_connection_not_kept_in_the_file(open_store: Opener, tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    open_store(path, synchronous="FULL").close()
    assert _in_effect(open_store(path)) == PRAGMA_VALUE["NORMAL"]


def test_connect_applies_the_level_and_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = connect(tmp_path / "a.sqlite", synchronous="FULL")
    assert full.execute("PRAGMA synchronous").fetchone()[0] == PRAGMA_VALUE["FULL"]
    full.close()
    monkeypatch.setenv("ASL_SYNCHRONOUS", "Full")
    from_environment = connect(tmp_path / "b.sqlite")
    assert from_environment.execute("PRAGMA synchronous").fetchone()[0] == PRAGMA_VALUE["FULL"]
    from_environment.close()
    assert synchronous_level() == "FULL"
    assert synchronous_level("normal") == "NORMAL"


def test_a_full_execution_store_reads_back_what_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = ExecutionStore(path, synchronous="FULL")
    record = ExecutionRecord(
        store.next_execution_id(),
        "arn:aws:states:us-east-1:1:execution:M:a",
        "arn:aws:states:us-east-1:1:stateMachine:M",
        1,
        "a",
        "RUNNING",
        "{}",
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    store.insert_execution(record)
    store.flush()
    store.close()
    reopened = ExecutionStore(path)
    try:
        found = reopened.execution(record.arn)
        assert found is not None and found.name == "a"
    finally:
        reopened.close()


def test_a_full_table_store_reads_back_what_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    store = TableStore(path, synchronous="FULL")
    store.create_table("sessions", partition_key=("sessionId", "S"))
    store.table("sessions").put_item(Item={"sessionId": "s1", "progress": 10})
    store.close()
    reopened = TableStore(path)
    try:
        assert reopened.table("sessions").get_item(Key={"sessionId": "s1"})["Item"]["progress"] == 10
    finally:
        reopened.close()
