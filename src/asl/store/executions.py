"""The execution store: state machines, executions and their history events on SQLite.

Writes are group-committed: events and execution rows wait in memory and go to the
database together in one transaction, a few milliseconds after the first of them, at
once when many are waiting, or as soon as someone awaits :meth:`ExecutionStore.commit`
(the runtime does before it acknowledges a start, a callback or a stop). A flush writes
everything pending in the order it came, so after a crash each execution's history on
disk is a prefix of what it was in memory: the replay needs nothing more.

>>> store = ExecutionStore(":memory:")
>>> store.close()
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from asl._paths import data_dir
from asl._sqlite import (
    Transaction,
    connect,
    give_back_space,
    incremental_vacuum,
    migrate,
    synchronous_level,
)
from asl.errors import ASLError
from asl.store._locks import StoreInUse, lock_store
from asl.store.adoption import adopt
from asl.store.catalogue import Catalogue
from asl.store.map_runs import (
    CHILD_COLUMNS,
    CHILD_LISTED,
    MAP_RUN_COLUMNS,
    ChildRow,
    MapRunRow,
    delete_map_runs,
)
from asl.store.migrations import EXECUTION_MIGRATIONS
from asl.store.published import Published
from asl.store.rows import COLUMNS, Earlier, ExecutionRecord, decode_events, encode_time, write_event

__all__ = ["ExecutionRecord", "ExecutionStore", "StoreInUse", "default_path"]


def default_path() -> Path:
    """``executions.sqlite`` beside the local DynamoDB tables (``$ASL_DATA_DIR`` ...)."""
    return data_dir() / "executions.sqlite"


class ExecutionStore(Catalogue, Published):
    """State machines, executions and history events in one SQLite file (or ``":memory:"``).

    ``path`` None means :func:`default_path` (``executions.sqlite`` beside the local tables).
    ``batch`` events pending force a flush; otherwise pending writes wait at most ``delay``
    seconds. Use from one event loop; ``exclusive`` (default) locks the file for this process.
    ``read_only`` reads an existing file as it is, without a lock, migrations or writes (a file
    that is missing or not a store raises :class:`~asl.errors.ASLError`).

    ``synchronous`` chooses what a commit survives: ``"NORMAL"`` (default) the process being
    killed, ``"FULL"`` also a power loss or an OS crash, for one fsync per commit. None reads
    ``$ASL_SYNCHRONOUS`` (FULL or NORMAL, any case); another value raises ``ValueError``.

    >>> ExecutionStore(":memory:", synchronous="FULL").synchronous
    'FULL'
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        batch: int = 5000,
        delay: float = 0.005,
        tracer: Callable[[str], None] | None = None,
        exclusive: bool = True,
        read_only: bool = False,
        synchronous: str | None = None,
    ) -> None:
        self.path = str(default_path() if path is None else path)
        self.synchronous = synchronous_level(synchronous)  # checked before the lock is taken
        if read_only:
            self._lock = None
            self._db = _read_only(self.path, tracer)
        else:
            # two runtimes resuming the same executions would run their tasks twice
            self._lock = lock_store(self.path) if exclusive and self.path != ":memory:" else None
            self._db = connect(self.path, tracer, synchronous=self.synchronous)
            if self.path != ":memory:":
                incremental_vacuum(self._db)  # so that purge() can shrink the file
            migrate(self._db, EXECUTION_MIGRATIONS)
        self.batch = batch
        self.delay = delay
        self._new: list[tuple[Any, ...]] = []
        self._events: list[tuple[int, int, str, str]] = []
        self._updates: list[tuple[Any, ...]] = []
        self._beats: dict[str, str | None] = {}
        self._iterations: list[tuple[int, int, int, int, str]] = []
        self._qualified: dict[int, tuple[str | None, str | None]] = {}  # see Published
        self._map_runs: dict[str, MapRunRow] = {}  # the last state of each run changed since the flush
        self._children: list[tuple[Any, ...]] = []
        self._pending = 0
        self._recent: dict[str, ExecutionRecord] = {}  # rows written since the last flush
        # per running execution and thread, the last payload written: a repeat is stored as a reference
        self._payloads: dict[int, dict[str, Earlier]] = {}
        self._timer: asyncio.TimerHandle | asyncio.Handle | None = None
        self._flushed: asyncio.Future[None] | None = None
        self.flushes = 0
        row = self._db.execute("SELECT COALESCE(MAX(id), 0) FROM executions").fetchone()
        self._next_id = int(row[0]) + 1

    # --- writing (buffered) ---------------------------------------------------------------

    def next_execution_id(self) -> int:
        value = self._next_id
        self._next_id += 1
        return value

    def insert_execution(self, record: ExecutionRecord) -> None:
        self._new.append(record.row())
        self._recent[record.arn] = record
        self._queued()

    def update_execution(self, record: ExecutionRecord) -> None:
        if record.status != "RUNNING":
            self._payloads.pop(record.id, None)
        self._recent[record.arn] = record
        row = record.row()
        # every column but id and arn, then the id for WHERE
        self._updates.append((*row[2:], row[0]))
        self._queued()

    def record_heartbeat(self, token: str, at: datetime | None) -> None:
        """The last heartbeat of a waiting task token (None: the task is done with it)."""
        self._beats[token] = encode_time(at)
        self._queued()

    def heartbeats(self) -> dict[str, datetime]:
        self.flush()
        rows = self._db.execute("SELECT token, at FROM heartbeats").fetchall()
        return {token: datetime.fromisoformat(at) for token, at in rows}

    def append_event(self, execution_id: int, event: dict[str, Any], thread: str) -> None:
        threads = self._payloads.setdefault(execution_id, {})
        body, payload = write_event(event, threads.get(thread))
        if payload is not None:
            threads[thread] = (event["id"], payload)
        self._events.append((execution_id, event["id"], thread, body))
        self._queued()

    def record_iteration(
        self, execution_id: int, map_event: int, index: int, output: str, failed: bool
    ) -> None:
        """A finished DISTRIBUTED Map iteration (see :mod:`asl.runtime.map_runs`), written with the
        events: on disk no later than the events appended after it."""
        self._iterations.append((execution_id, map_event, index, int(failed), output))
        self._queued()

    def save_map_run(self, run: MapRunRow) -> None:
        """A Map Run as it is now (see :mod:`asl.store.map_runs`), written with the events."""
        self._map_runs[run.arn] = run
        self._queued()

    def save_map_run_child(self, child: ChildRow) -> None:
        """A child execution of a Map Run that has ended."""
        self._children.append(child.row())
        self._queued()

    def _queued(self) -> None:
        self._pending += 1
        if self._pending >= self.batch:
            self.flush()
        elif self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop: the caller flushes
            self._timer = loop.call_later(self.delay, self.flush)

    def flush(self) -> None:
        """Write everything pending in one transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._flushed = self._flushed, None
        if self._pending:
            db = self._db
            db.execute("BEGIN")
            try:
                if self._new:
                    db.executemany(
                        f"INSERT INTO executions ({COLUMNS}) VALUES ({','.join('?' * 15)})", self._new
                    )
                if self._qualified:
                    db.executemany(
                        "INSERT OR REPLACE INTO execution_qualifiers VALUES (?, ?, ?)",
                        [(i, version, alias) for i, (version, alias) in self._qualified.items()],
                    )
                if self._events:
                    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", self._events)
                if self._updates:
                    db.executemany(
                        "UPDATE executions SET machine_arn=?, version=?, name=?, status=?, input=?, "
                        "output=?, error=?, cause=?, start_date=?, stop_date=?, redrive_count=?, "
                        "redrive_date=?, test_case=? WHERE id=?",
                        self._updates,
                    )
                if self._iterations:
                    db.executemany(
                        "INSERT OR REPLACE INTO map_iterations VALUES (?, ?, ?, ?, ?)", self._iterations
                    )
                if self._map_runs:
                    db.executemany(
                        f"INSERT OR REPLACE INTO map_runs ({MAP_RUN_COLUMNS}) VALUES ({','.join('?' * 14)})",
                        [run.row() for run in self._map_runs.values()],
                    )
                if self._children:
                    db.executemany(
                        f"INSERT OR REPLACE INTO map_run_children ({CHILD_COLUMNS}) "
                        f"VALUES ({','.join('?' * 10)})",
                        self._children,
                    )
                if self._beats:
                    beats = self._beats.items()
                    db.executemany(
                        "INSERT OR REPLACE INTO heartbeats VALUES (?, ?)",
                        [b for b in beats if b[1] is not None],
                    )
                    db.executemany(
                        "DELETE FROM heartbeats WHERE token=?", [(t,) for t, at in beats if at is None]
                    )
            except BaseException as error:
                db.execute("ROLLBACK")
                if waiting is not None and not waiting.done() and isinstance(error, Exception):
                    waiting.set_exception(error)  # whoever awaits commit() hears of it too
                raise
            db.execute("COMMIT")
            self._new, self._events, self._updates, self._beats = [], [], [], {}
            self._iterations, self._map_runs, self._children = [], {}, []
            self._qualified = {}
            self._recent = {}
            self._pending = 0
            self.flushes += 1
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    async def commit(self) -> None:
        """Return once everything written so far is on disk (shares a flush with others)."""
        if not self._pending:
            return
        if self._flushed is None:
            self._flushed = asyncio.get_running_loop().create_future()
            if self._timer is not None:
                self._timer.cancel()
            # at the next turn of the loop: whoever commits in this turn shares the transaction
            self._timer = asyncio.get_running_loop().call_soon(self.flush)
        await asyncio.shield(self._flushed)

    # --- executions -----------------------------------------------------------------------

    def execution(self, arn: str) -> ExecutionRecord | None:
        """An execution's row as last written (pending writes included, without flushing them)."""
        recent = self._recent.get(arn)
        if recent is not None:
            return recent
        row = self._db.execute(f"SELECT {COLUMNS} FROM executions WHERE arn=?", (arn,)).fetchone()
        return None if row is None else ExecutionRecord.from_row(row)

    def executions(
        self,
        machine_arn: str | None = None,
        status: str | None = None,
        after: tuple[str, int] | None = None,
        redriven: bool | None = None,
        started_with: tuple[str, str] | None = None,
    ) -> Iterator[ExecutionRecord]:
        """Executions newest first (by start date, then id), optionally after a page's last one;
        ``started_with`` ``("version_arn" or "alias_arn", ARN)`` keeps those started with it."""
        self.flush()
        where: list[str] = []
        params: list[Any] = []
        if redriven is not None:
            where.append("redrive_count > 0" if redriven else "redrive_count = 0")
        if machine_arn is not None:
            where.append("machine_arn=?")
            params.append(machine_arn)
        if status is not None:
            where.append("status=?")
            params.append(status)
        if started_with is not None:
            column = {"version_arn": "version_arn", "alias_arn": "alias_arn"}[started_with[0]]
            where.append(f"id IN (SELECT execution FROM execution_qualifiers WHERE {column}=?)")
            params.append(started_with[1])
        if after is not None:
            where.append("(start_date < ? OR (start_date = ? AND id < ?))")
            params.extend([after[0], after[0], after[1]])
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {COLUMNS} FROM executions {clause} ORDER BY start_date DESC, id DESC"
        for row in self._db.execute(sql, params):
            yield ExecutionRecord.from_row(row)

    def events(self, execution_id: int) -> list[tuple[dict[str, Any], str]]:
        """An execution's recorded events with their threads, in id order."""
        self.flush()
        rows = self._db.execute(
            "SELECT body, thread FROM events WHERE execution=? ORDER BY id", (execution_id,)
        ).fetchall()
        return decode_events(rows)

    def event_count(self, execution_id: int) -> int:
        self.flush()
        row = self._db.execute("SELECT COUNT(*) FROM events WHERE execution=?", (execution_id,)).fetchone()
        return int(row[0])

    def map_iterations(self, execution_id: int) -> dict[tuple[int, int], tuple[str, bool]]:
        """An execution's finished DISTRIBUTED Map iterations: ``(map event, index) -> (output, failed)``."""
        self.flush()
        rows = self._db.execute(
            "SELECT map_event, item, output, failed FROM map_iterations WHERE execution=?", (execution_id,)
        ).fetchall()
        return {(int(event), int(item)): (str(output), bool(failed)) for event, item, output, failed in rows}

    def map_run(self, arn: str) -> MapRunRow | None:
        """A Map Run's row, or None."""
        self.flush()
        row = self._db.execute(f"SELECT {MAP_RUN_COLUMNS} FROM map_runs WHERE arn=?", (arn,)).fetchone()
        return None if row is None else MapRunRow.from_row(row)

    def map_runs(self, execution_id: int) -> list[MapRunRow]:
        """An execution's Map Runs, newest first."""
        self.flush()
        rows = self._db.execute(
            f"SELECT {MAP_RUN_COLUMNS} FROM map_runs WHERE execution=? "
            "ORDER BY start_date DESC, map_event DESC",
            (execution_id,),
        ).fetchall()
        return [MapRunRow.from_row(row) for row in rows]

    def map_run_children(self, arn: str) -> list[ChildRow]:
        """The child executions of a Map Run that have ended, by item (without their payloads)."""
        self.flush()
        rows = self._db.execute(
            f"SELECT {CHILD_LISTED} FROM map_run_children WHERE map_run=? ORDER BY item", (arn,)
        ).fetchall()
        return [ChildRow.from_row(row) for row in rows]

    def map_run_child(self, name: str) -> ChildRow | None:
        """A child execution that has ended, by its name, with its input, output or error."""
        self.flush()
        row = self._db.execute(
            f"SELECT {CHILD_COLUMNS} FROM map_run_children WHERE name=?", (name,)
        ).fetchone()
        return None if row is None else ChildRow.from_row(row)

    def purge(self, closed_before: datetime) -> int:
        """Delete executions that ended before a moment, with their events (AWS keeps 90 days),
        and give the space back to the file system.

        Returns how many were deleted; running executions are never deleted.
        """
        self.flush()
        cutoff = encode_time(closed_before)
        with self._transaction():
            delete_map_runs(
                self._db, "SELECT id FROM executions WHERE status != 'RUNNING' AND stop_date < ?", (cutoff,)
            )
            for table in ("events", "map_iterations", "execution_qualifiers"):
                self._db.execute(
                    f"DELETE FROM {table} WHERE execution IN "
                    "(SELECT id FROM executions WHERE status != 'RUNNING' AND stop_date < ?)",
                    (cutoff,),
                )
            deleted = self._db.execute(
                "DELETE FROM executions WHERE status != 'RUNNING' AND stop_date < ?", (cutoff,)
            ).rowcount
        if deleted and self.path != ":memory:":
            give_back_space(self._db)
        return int(deleted)

    # --- adoption -------------------------------------------------------------------------

    def adopt(self, path: str | Path) -> list[str]:
        """Move another store file's executions here, with their history (finished DISTRIBUTED Map
        iterations too), the machine versions
        they run and the activities and heartbeats, then remove that file; returns the ARNs
        adopted. An ARN this store has already is skipped (see :mod:`asl.store.adoption`);
        :class:`StoreInUse` when another process holds the file.

        >>> ExecutionStore("executions.sqlite").adopt("executions-2.sqlite")  # doctest: +SKIP
        ['arn:aws:states:us-east-1:123456789012:execution:Orders:order-7']
        """
        if self.path != ":memory:" and Path(path).resolve() == Path(self.path).resolve():
            raise ValueError(f"an execution store cannot adopt its own file {self.path}")
        self.flush()
        try:
            return adopt(self._db, path, self._next_id)
        finally:  # the ids it took, also when it failed after its commit (removing the file)
            row = self._db.execute("SELECT COALESCE(MAX(id), 0) FROM executions").fetchone()
            self._next_id = max(self._next_id, int(row[0]) + 1)

    # --- housekeeping ---------------------------------------------------------------------

    def _transaction(self) -> Transaction:
        self.flush()
        return Transaction(self._db)

    def close(self) -> None:
        """Flush and close the database."""
        self.flush()
        self._db.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _read_only(path: str, tracer: Callable[[str], None] | None) -> sqlite3.Connection:
    try:
        db = connect(path, tracer, read_only=True)
    except sqlite3.Error as error:
        raise ASLError(f"The execution store {path} cannot be read: {error}") from None
    try:
        db.execute("SELECT id FROM executions LIMIT 1")
    except sqlite3.Error as error:
        db.close()
        raise ASLError(f"The execution store {path} cannot be read: {error}") from None
    return db
