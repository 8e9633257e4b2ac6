"""SQLite connections for the durable stores: WAL, the synchronous level, named migrations."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from asl.errors import ASLError

__all__ = [
    "SYNCHRONOUS_ENVIRONMENT",
    "SYNCHRONOUS_LEVELS",
    "SynchronousError",
    "Transaction",
    "applied_migrations",
    "connect",
    "migrate",
    "synchronous_level",
]

SYNCHRONOUS_ENVIRONMENT = "ASL_SYNCHRONOUS"
SYNCHRONOUS_LEVELS = ("NORMAL", "FULL")  # the default first


class SynchronousError(ASLError, ValueError):
    """A ``synchronous`` level (argument or ``$ASL_SYNCHRONOUS``) other than NORMAL or FULL.

    A ``ValueError`` for callers of the constructors, an ``ASLError`` so the CLIs report it in one line.
    """


def synchronous_level(value: str | None = None) -> str:
    """The SQLite ``synchronous`` level to use: ``value``, else ``$ASL_SYNCHRONOUS``, else NORMAL.

    Both stores keep their files in WAL mode, where (per SQLite's documentation of
    ``PRAGMA synchronous`` and of WAL):

    - ``"NORMAL"`` (the default): the WAL is synced only at checkpoints, not on each commit.
      The database is always consistent and a commit survives the process being killed, but
      the last commits may roll back after a power loss or an operating-system crash.
    - ``"FULL"``: the WAL is also synced after each commit, so a commit survives a power loss
      too (as far as the disk honours fsync), at the cost of one fsync per transaction.

    Any case is accepted. Anything else raises :class:`SynchronousError` naming where it came from.

    >>> synchronous_level("full")
    'FULL'
    """
    if value is None:
        found = os.environ.get(SYNCHRONOUS_ENVIRONMENT)
        if found is None or found == "":
            return SYNCHRONOUS_LEVELS[0]
        level = found.strip().upper()
        if level not in SYNCHRONOUS_LEVELS:
            raise SynchronousError(
                f"{SYNCHRONOUS_ENVIRONMENT} must be FULL or NORMAL (any case), got {found!r}"
            )
        return level
    level = value.upper() if isinstance(value, str) else ""
    if level not in SYNCHRONOUS_LEVELS:
        raise SynchronousError(f"synchronous must be 'NORMAL' or 'FULL', got {value!r}")
    return level


def connect(
    path: str | Path,
    tracer: Callable[[str], None] | None = None,
    read_only: bool = False,
    synchronous: str | None = None,
) -> sqlite3.Connection:
    """Open a database for one thread, in autocommit mode (transactions are explicit).

    WAL lets readers and the writer work at once. ``synchronous`` is ``"NORMAL"`` or ``"FULL"``
    (None: ``$ASL_SYNCHRONOUS``, else NORMAL; see :func:`synchronous_level` for what each
    survives). ``tracer`` (optional) sees every SQL statement, for debugging. ``read_only``
    opens an existing file without writing to it (a missing one raises
    ``sqlite3.OperationalError``); it never writes, so its level only has to be valid.
    """
    level = synchronous_level(synchronous)  # before opening: a bad level leaves no file behind
    target = str(path)
    if read_only:
        uri = f"{Path(target).absolute().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={level}")  # one of SYNCHRONOUS_LEVELS, never user text
    connection.execute("PRAGMA busy_timeout=5000")
    if tracer is not None:
        connection.set_trace_callback(tracer)
    return connection


def incremental_vacuum(connection: sqlite3.Connection) -> bool:
    """Let the file give freed pages back (``auto_vacuum=INCREMENTAL``); True when it can.

    The setting takes effect with one ``VACUUM``, which rewrites the file (once: the
    setting stays in it; a new file is rewritten at no cost). When another process is reading the
    file the VACUUM cannot run; the next opening tries again.
    """
    if connection.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
        return True
    connection.execute("PRAGMA auto_vacuum=INCREMENTAL")
    try:
        connection.execute("VACUUM")  # instant on a new file (WAL mode has written its header already)
    except sqlite3.OperationalError:
        return False
    return bool(connection.execute("PRAGMA auto_vacuum").fetchone()[0] == 2)


def give_back_space(connection: sqlite3.Connection) -> None:
    """Return the pages deletes freed to the file system, and empty the write-ahead log."""
    # executescript steps the pragma to its end (execute() would free one page per call)
    connection.executescript("PRAGMA incremental_vacuum;")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def migrate(connection: sqlite3.Connection, migrations: Sequence[tuple[str, str]]) -> list[str]:
    """Apply the ``(name, sql)`` migrations not yet recorded in ``_migrations``, in order.

    Returns the names applied now. Each migration and its record commit together.
    """
    connection.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
    )
    done = set(applied_migrations(connection))
    applied: list[str] = []
    for name, sql in migrations:
        if name in done:
            continue
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in sql.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        applied.append(name)
    return applied


def applied_migrations(connection: sqlite3.Connection) -> list[str]:
    """The names of the migrations applied to a database, oldest first."""
    rows = connection.execute("SELECT name FROM _migrations ORDER BY applied_at, rowid").fetchall()
    return [str(row[0]) for row in rows]


class Transaction:
    """``with Transaction(db):`` BEGIN IMMEDIATE, then COMMIT, or ROLLBACK on an exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if kind is not None else "COMMIT")
