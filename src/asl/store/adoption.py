"""Adopting a store file: its executions, their history and its machines move into another store.

A runtime resumes only the executions of its own store, so the store of a process that is
gone (a server restarted with fewer workers) would keep its running executions forever.
:func:`adopt` moves them, in one transaction of the adopting store, and removes the other
file only after that commit. A process killed between the two leaves both: the next
adoption of that file skips the executions whose ARN the adopting store already holds, so
nothing is lost and nothing is there twice, provided the same store (or one that adopted it)
adopts the file again, which is why a caller adopting from several processes at once
serialises them (see ``aichef.service``).

The file is locked for the move as its own runtime would lock it: a file a live process
holds raises :class:`~asl.store.StoreInUse` and is not touched.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from asl._sqlite import connect, migrate
from asl.store._locks import lock_store
from asl.store.map_runs import MAP_RUN_COLUMNS
from asl.store.migrations import EXECUTION_MIGRATIONS

__all__ = ["adopt"]

_EXECUTION_FIELDS = (
    "arn, machine_arn, version, name, status, input, output, error, cause, "
    "start_date, stop_date, redrive_count, redrive_date, test_case"
)
_MACHINE_FIELDS = (
    "arn, name, type, role_arn, created, version, status, logging, tracing, revision, updated, tags"
)


def adopt(db: sqlite3.Connection, path: str | Path, next_id: int) -> list[str]:
    """Move the store file ``path`` into the database ``db`` (with no transaction open).

    Adopted executions get ids from ``next_id`` on. Returns the adopted ARNs, oldest id
    first. A file that does not exist adopts nothing.
    """
    source = str(path)
    if not os.path.exists(source):
        return []
    lock = lock_store(source)
    try:
        if not os.path.exists(source):  # the process that held the lock a moment ago adopted it
            return []
        other = connect(source)
        try:
            migrate(other, EXECUTION_MIGRATIONS)  # a store of an older version reads as this one
        finally:
            other.close()
        db.execute("ATTACH DATABASE ? AS adopted", (source,))
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                arns = _copy(db, next_id)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            # all of it in the main file, so that a crash while removing cannot leave a WAL behind
            db.execute("PRAGMA adopted.wal_checkpoint(TRUNCATE)")
        finally:
            db.execute("DETACH DATABASE adopted")
        # the WAL and shared memory first: a stray WAL would be replayed into a new file of that name
        for suffix in ("-wal", "-shm", ""):
            Path(source + suffix).unlink(missing_ok=True)
        return arns
    finally:
        lock.close()


def _copy(db: sqlite3.Connection, next_id: int) -> list[str]:
    """Everything of the attached ``adopted`` store not yet in ``main``; inside a transaction."""
    _copy_machines(db)
    db.execute("DROP TABLE IF EXISTS temp.moved")
    db.execute("CREATE TEMP TABLE moved (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    # an ARN already here was adopted before the other file could be removed: it stays as it is
    db.execute(
        "INSERT INTO temp.moved SELECT id, ? + ROW_NUMBER() OVER (ORDER BY id) - 1 "
        "FROM adopted.executions WHERE arn NOT IN (SELECT arn FROM main.executions)",
        (next_id,),
    )
    db.execute(
        f"INSERT INTO main.executions (id, {_EXECUTION_FIELDS}) "
        "SELECT m.new, e.arn, e.machine_arn, COALESCE(v.new, e.version), e.name, e.status, e.input, "
        "e.output, e.error, e.cause, e.start_date, e.stop_date, e.redrive_count, e.redrive_date, "
        "e.test_case FROM adopted.executions e JOIN temp.moved m ON e.id = m.old "
        "LEFT JOIN temp.versions v ON v.arn = e.machine_arn AND v.old = e.version ORDER BY m.new"
    )
    # bodies are copied as stored: a payload kept as a reference names an event id, and those stay
    db.execute(
        "INSERT INTO main.events (execution, id, thread, body) "
        "SELECT m.new, e.id, e.thread, e.body FROM adopted.events e "
        "JOIN temp.moved m ON e.execution = m.old ORDER BY m.new, e.id"
    )
    db.execute(
        "INSERT INTO main.map_iterations (execution, map_event, item, failed, output) "
        "SELECT m.new, i.map_event, i.item, i.failed, i.output FROM adopted.map_iterations i "
        "JOIN temp.moved m ON i.execution = m.old"
    )
    db.execute(  # the version or alias an execution was started with (DescribeExecution shows it)
        "INSERT OR REPLACE INTO main.execution_qualifiers (execution, version_arn, alias_arn) "
        "SELECT m.new, q.version_arn, q.alias_arn FROM adopted.execution_qualifiers q "
        "JOIN temp.moved m ON q.execution = m.old"
    )
    # the adopted executions' Map Runs (ListMapRuns, DescribeMapRun) and their children go with them
    rest = [column for column in MAP_RUN_COLUMNS.split(", ") if column not in ("arn", "execution")]
    db.execute(
        f"INSERT OR IGNORE INTO main.map_runs (arn, execution, {', '.join(rest)}) "
        f"SELECT r.arn, m.new, {', '.join('r.' + column for column in rest)} "
        "FROM adopted.map_runs r JOIN temp.moved m ON r.execution = m.old"
    )
    db.execute(
        "INSERT OR IGNORE INTO main.map_run_children SELECT c.* FROM adopted.map_run_children c "
        "JOIN adopted.map_runs r ON c.map_run = r.arn JOIN temp.moved m ON r.execution = m.old"
    )
    db.execute(
        "INSERT OR IGNORE INTO main.activities (arn, name, created, tags) "
        "SELECT arn, name, created, tags FROM adopted.activities"
    )
    db.execute("INSERT OR IGNORE INTO main.heartbeats (token, at) SELECT token, at FROM adopted.heartbeats")
    rows = db.execute(
        "SELECT e.arn FROM adopted.executions e JOIN temp.moved m ON e.id = m.old ORDER BY m.new"
    ).fetchall()
    db.execute("DROP TABLE temp.moved")
    db.execute("DROP TABLE temp.versions")
    return [str(arn) for (arn,) in rows]


def _copy_machines(db: sqlite3.Connection) -> None:
    """The other store's machine versions, as versions of this one's: a definition this store
    has already keeps its number here, another one gets the next free number. The numbers the
    adopted executions must use are left in ``temp.versions``."""
    db.execute("DROP TABLE IF EXISTS temp.versions")
    db.execute("CREATE TEMP TABLE versions (arn TEXT, old INTEGER, new INTEGER, PRIMARY KEY (arn, old))")
    versions = db.execute(
        "SELECT arn, version, definition, created FROM adopted.state_machine_versions ORDER BY arn, version"
    ).fetchall()
    for arn, version, definition, created in versions:
        same = db.execute(
            "SELECT MIN(version) FROM main.state_machine_versions WHERE arn=? AND definition=?",
            (arn, definition),
        ).fetchone()[0]
        if same is None:
            same = db.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM main.state_machine_versions WHERE arn=?", (arn,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO main.state_machine_versions (arn, version, definition, created) "
                "VALUES (?, ?, ?, ?)",
                (arn, same, definition, created),
            )
        db.execute("INSERT INTO temp.versions VALUES (?, ?, ?)", (arn, version, same))
    # a machine this store does not know comes with its current version and status
    db.execute(
        f"INSERT INTO main.state_machines ({_MACHINE_FIELDS}) "
        "SELECT s.arn, s.name, s.type, s.role_arn, s.created, COALESCE(v.new, s.version), s.status, "
        "s.logging, s.tracing, s.revision, s.updated, s.tags "
        "FROM adopted.state_machines s LEFT JOIN temp.versions v ON v.arn = s.arn AND v.old = s.version "
        "WHERE s.arn NOT IN (SELECT arn FROM main.state_machines)"
    )
