"""The SQLite file behind the tables: schema, one shared connection, atomic read-modify-write.

One connection serves every thread behind a re-entrant lock: SQLite serialises writers
anyway, and a single connection lets a ``:memory:`` database be shared by all threads.
Other processes open their own connection to the same file; WAL mode lets them read
while one writes, and ``BEGIN IMMEDIATE`` takes the write lock before the read of a
read-modify-write, so a conditional update or an ``ADD`` can never lose a concurrent one.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from asl._sqlite import give_back_space, incremental_vacuum, migrate, synchronous_level

# Named migrations, applied once each and recorded in ``_migrations`` as the execution store does.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "dynamodb_0001_tables",
        """
        CREATE TABLE IF NOT EXISTS ddb_tables (
            name TEXT PRIMARY KEY,
            partition_key TEXT NOT NULL,
            partition_type TEXT NOT NULL,
            sort_key TEXT,
            sort_type TEXT,
            ttl_attribute TEXT,
            created REAL NOT NULL
        );
        CREATE TABLE IF NOT EXISTS ddb_items (
            table_name TEXT NOT NULL,
            pk BLOB NOT NULL,
            sk BLOB NOT NULL,
            item TEXT NOT NULL,
            expires REAL,
            PRIMARY KEY (table_name, pk, sk)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ddb_items_expires ON ddb_items (expires) WHERE expires IS NOT NULL
        """,
    ),
    (
        # ``meta``: the JSON of everything DescribeTable reports beyond the key schema (table id,
        # billing, streams, tags, secondary indexes). Index entries live in their own table, one row
        # per (index, item) keyed by the index's own key and then the item's key: a Query on an index
        # is then one range read of a SQLite primary key, as on the base table, and a sparse index
        # simply has no row for an item that lacks the index keys. A key column per index on
        # ddb_items would need an ALTER TABLE (and a SQL index) per CreateTable/UpdateTable, and
        # would make the rows of every table wider; the side table costs nothing to tables without
        # indexes. ``ddb_index_base`` finds an item's entries again when the item changes.
        "dynamodb_0002_indexes",
        """
        ALTER TABLE ddb_tables ADD COLUMN meta TEXT;
        CREATE TABLE IF NOT EXISTS ddb_index_items (
            table_name TEXT NOT NULL,
            index_name TEXT NOT NULL,
            ipk BLOB NOT NULL,
            isk BLOB NOT NULL,
            pk BLOB NOT NULL,
            sk BLOB NOT NULL,
            PRIMARY KEY (table_name, index_name, ipk, isk, pk, sk)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ddb_index_base ON ddb_index_items (table_name, pk, sk)
        """,
    ),
]

Row = tuple[bytes, bytes, str, float | None]  # pk, sk, item JSON, expires
# ipk, isk, pk, sk, item JSON, expires: one entry of a secondary index with its item
IndexRow = tuple[bytes, bytes, bytes, bytes, str, float | None]
IndexEntry = tuple[str, bytes, bytes]  # index name, index partition key, index sort key (b"" if none)

_INDEX_INSERT = "INSERT INTO ddb_index_items VALUES (?, ?, ?, ?, ?, ?)"
_INDEX_SELECT = (
    "SELECT x.ipk, x.isk, x.pk, x.sk, i.item, i.expires FROM ddb_index_items x JOIN ddb_items i "
    "ON i.table_name = x.table_name AND i.pk = x.pk AND i.sk = x.sk "
    "WHERE x.table_name = ? AND x.index_name = ?"
)

_LOAD = "SELECT item, expires FROM ddb_items WHERE table_name = ? AND pk = ? AND sk = ?"
_SAVE = "INSERT OR REPLACE INTO ddb_items (table_name, pk, sk, item, expires) VALUES (?, ?, ?, ?, ?)"


class Transaction:
    """``BEGIN IMMEDIATE`` on entry, ``COMMIT`` (or ``ROLLBACK`` on an exception) on exit, under the lock.

    One reusable object per engine: a plain class is cheaper per write than a generator-based
    context manager. Entries nest by depth (safe, since the re-entrant lock is held throughout);
    only the outermost one begins and ends the SQLite transaction.
    """

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __enter__(self) -> sqlite3.Connection:
        engine = self._engine
        engine.lock.acquire()
        if engine.depth == 0:
            try:
                engine._cursor.execute("BEGIN IMMEDIATE")
            except BaseException:
                engine.lock.release()
                raise
        engine.depth += 1
        return engine.connection

    def __exit__(self, kind: type[BaseException] | None, error: object, trace: object) -> None:
        engine = self._engine
        try:
            engine.depth -= 1
            if engine.depth == 0:
                engine._cursor.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            engine.lock.release()


class Engine:
    """The database connection and the few statements the tables need."""

    def __init__(
        self, path: str | Path, tracer: Callable[[str], None] | None = None, synchronous: str | None = None
    ) -> None:
        level = synchronous_level(synchronous)  # NORMAL or FULL; see there for what each survives
        self.lock = threading.RLock()
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=30.0)
        self.file = target != ":memory:"
        self.depth = 0  # nesting of transaction(); 0 when none is open
        self._cursor = self.connection.cursor()  # reused: one cursor object per statement costs time
        self._transaction = Transaction(self)
        if tracer is not None:
            self.connection.set_trace_callback(tracer)
        with self.lock:
            cursor = self.connection
            if target != ":memory:":
                # Before WAL: so that purging expired items can give their pages back to the file
                # system (the execution store does the same). A file another process holds keeps its
                # setting until an opening finds it alone.
                incremental_vacuum(self.connection)
                cursor.execute("PRAGMA journal_mode=WAL")
            # Either level keeps a WAL database consistent; NORMAL may lose the last commits to a power
            # cut, FULL syncs the WAL on every commit. Set in memory too, so the setting reads the same.
            cursor.execute(f"PRAGMA synchronous={level}")
            cursor.execute("PRAGMA busy_timeout=30000")
            try:
                migrate(self.connection, MIGRATIONS)
            except sqlite3.IntegrityError:
                # another process recorded the same migration first; everything is applied now
                migrate(self.connection, MIGRATIONS)

    def close(self) -> None:
        with self.lock:
            self.connection.close()

    def transaction(self) -> Transaction:
        """A write transaction (``with engine.transaction() as connection``); nested ones join the outer."""
        return self._transaction

    def load(self, table: str, pk: bytes, sk: bytes) -> tuple[str, float | None] | None:
        with self.lock:
            row: tuple[str, float | None] | None = self._cursor.execute(_LOAD, (table, pk, sk)).fetchone()
        return row

    def save(self, table: str, pk: bytes, sk: bytes, item: str, expires: float | None) -> None:
        with self.lock:
            self._cursor.execute(_SAVE, (table, pk, sk, item, expires))

    def delete(self, table: str, pk: bytes, sk: bytes) -> None:
        with self.lock:
            self.connection.execute(
                "DELETE FROM ddb_items WHERE table_name = ? AND pk = ? AND sk = ?", (table, pk, sk)
            )

    def partition(
        self, table: str, pk: bytes, low: bytes | None, high: bytes | None, forward: bool, batch: int
    ) -> list[Row]:
        """Up to ``batch`` rows of one partition with ``low < sk <= high`` (bounds optional), in order."""
        clauses = ["table_name = ?", "pk = ?"]
        args: list[object] = [table, pk]
        if low is not None:
            clauses.append("sk > ?")
            args.append(low)
        if high is not None:
            clauses.append("sk <= ?")
            args.append(high)
        order = "ASC" if forward else "DESC"
        sql = (
            f"SELECT pk, sk, item, expires FROM ddb_items WHERE {' AND '.join(clauses)} "
            f"ORDER BY sk {order} LIMIT ?"
        )
        with self.lock:
            return list(self.connection.execute(sql, (*args, batch)))

    def partition_before(
        self, table: str, pk: bytes, below: bytes, low: bytes | None, batch: int
    ) -> list[Row]:
        """Rows of one partition with ``low < sk < below``, highest first (a backward Query page)."""
        clauses = ["table_name = ?", "pk = ?", "sk < ?"]
        args: list[object] = [table, pk, below]
        if low is not None:
            clauses.append("sk > ?")
            args.append(low)
        where = " AND ".join(clauses)
        sql = f"SELECT pk, sk, item, expires FROM ddb_items WHERE {where} ORDER BY sk DESC LIMIT ?"
        with self.lock:
            return list(self.connection.execute(sql, (*args, batch)))

    def scan(self, table: str, after: tuple[bytes, bytes] | None, batch: int) -> list[Row]:
        """Up to ``batch`` rows of a table in key order, strictly after ``after``."""
        with self.lock:
            if after is None:
                cursor = self.connection.execute(
                    "SELECT pk, sk, item, expires FROM ddb_items WHERE table_name = ? ORDER BY "
                    "pk, sk LIMIT ?",
                    (table, batch),
                )
            else:
                cursor = self.connection.execute(
                    "SELECT pk, sk, item, expires FROM ddb_items WHERE table_name = ? AND (pk, sk) > (?, ?) "
                    "ORDER BY pk, sk LIMIT ?",
                    (table, after[0], after[1], batch),
                )
            return list(cursor)

    def save_entries(self, table: str, pk: bytes, sk: bytes, entries: list[IndexEntry]) -> None:
        """Replace the secondary-index entries of one item (inside a transaction)."""
        with self.lock:
            self._cursor.execute(
                "DELETE FROM ddb_index_items WHERE table_name = ? AND pk = ? AND sk = ?", (table, pk, sk)
            )
            for name, ipk, isk in entries:  # one or two as a rule: plain execute beats executemany
                self._cursor.execute(_INDEX_INSERT, (table, name, ipk, isk, pk, sk))

    def drop_entries(self, table: str, index: str | None = None) -> None:
        """Delete the entries of one index of a table, or of all its indexes."""
        with self.transaction() as connection:
            if index is None:
                connection.execute("DELETE FROM ddb_index_items WHERE table_name = ?", (table,))
            else:
                connection.execute(
                    "DELETE FROM ddb_index_items WHERE table_name = ? AND index_name = ?", (table, index)
                )

    def index_rows(
        self,
        table: str,
        index: str,
        ipk: bytes | None,
        after: tuple[bytes, ...] | None,
        forward: bool,
        batch: int,
    ) -> list[IndexRow]:
        """Up to ``batch`` entries of an index with their items, in index order.

        With ``ipk`` one partition (a Query), ordered by (isk, pk, sk) and strictly after (or, going
        backward, before) ``after`` = (isk, pk, sk); without it the whole index (a Scan), ordered by
        (ipk, isk, pk, sk) and strictly after ``after`` = (ipk, isk, pk, sk).
        """
        sql = _INDEX_SELECT
        args: list[object] = [table, index]
        if ipk is not None:
            sql += " AND x.ipk = ?"
            args.append(ipk)
            columns = "x.isk, x.pk, x.sk"
        else:
            columns = "x.ipk, x.isk, x.pk, x.sk"
        if after is not None:
            marks = ", ".join("?" * len(after))
            sql += f" AND ({columns}) {'>' if forward else '<'} ({marks})"
            args.extend(after)
        order = "ASC" if forward else "DESC"
        sql += " ORDER BY " + ", ".join(f"{c} {order}" for c in columns.split(", ")) + " LIMIT ?"
        with self.lock:
            return list(self.connection.execute(sql, (*args, batch)))

    def purge(self, table: str | None, now: float, oldest: float) -> int:
        """Delete items whose TTL passed (but not TTLs older than ``oldest``, which DynamoDB ignores)."""
        with self.transaction() as connection:
            if table is None:
                cursor = connection.execute(
                    "DELETE FROM ddb_items WHERE expires IS NOT NULL AND expires <= ? AND expires >= ?",
                    (now, oldest),
                )
            else:
                cursor = connection.execute(
                    "DELETE FROM ddb_items WHERE table_name = ? AND expires IS NOT NULL AND expires <= ? "
                    "AND expires >= ?",
                    (table, now, oldest),
                )
            if cursor.rowcount:
                # entries whose item expired go too (Query joins on the item, so none is ever served)
                connection.execute(
                    "DELETE FROM ddb_index_items WHERE NOT EXISTS (SELECT 1 FROM ddb_items i WHERE "
                    "i.table_name = ddb_index_items.table_name AND i.pk = ddb_index_items.pk AND "
                    "i.sk = ddb_index_items.sk)"
                )
            deleted = cursor.rowcount
        with self.lock:
            # Only outside any transaction: the vacuum pragma would commit an enclosing one.
            if deleted and self.file and self.depth == 0:
                # another process writing: the pages stay free inside the file until next time
                with contextlib.suppress(sqlite3.OperationalError):
                    give_back_space(self.connection)
        return deleted
