"""SQLite connections for the durable store: WAL, and named migrations recorded in a table."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["applied_migrations", "connect", "migrate"]


def connect(
    path: str | Path, tracer: Callable[[str], None] | None = None, read_only: bool = False
) -> sqlite3.Connection:
    """Open a database for one thread, in autocommit mode (transactions are explicit).

    WAL lets readers and the writer work at once; ``synchronous=NORMAL`` makes a commit
    survive a crash of the process (not of the machine) without an fsync per commit.
    ``tracer`` (optional) sees every SQL statement, for debugging. ``read_only`` opens an
    existing file without writing to it (a missing one raises ``sqlite3.OperationalError``).
    """
    target = str(path)
    if read_only:
        uri = f"{Path(target).absolute().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=5000")
    if tracer is not None:
        connection.set_trace_callback(tracer)
    return connection


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
