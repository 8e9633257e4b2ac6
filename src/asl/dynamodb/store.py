"""TableStore: DynamoDB-compatible tables kept in one SQLite file (or in memory for tests).

>>> store = TableStore(":memory:")
>>> table = store.create_table("sessions", partition_key=("sessionId", "S"))
>>> table.put_item(Item={"sessionId": "s1", "progress": 10})["ResponseMetadata"]["HTTPStatusCode"]
200
>>> table.get_item(Key={"sessionId": "s1"})["Item"]
{'sessionId': 's1', 'progress': Decimal('10')}
>>> store.close()
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asl._sqlite import synchronous_level

from ._errors import DynamoError, table_not_found, validation
from ._indexes import IndexSchema, index_from_meta
from ._requests import check_table_name
from ._schema import TableSchema, key_types
from ._sqlite import Engine, IndexEntry, Row
from .values import Item, from_storage

if TYPE_CHECKING:
    from .client import Client
    from .table import Table

__all__ = ["TableStore", "default_path"]

_FIVE_YEARS = 5 * 365 * 24 * 3600
_PURGE_EVERY = 1000  # writes between two sweeps of expired items


def default_path() -> Path:
    """Where the tables live when no path is given: $ASL_DATA_DIR, else $XDG_DATA_HOME/asl, "
    "else ~/.local/share/asl."""
    base = os.environ.get("ASL_DATA_DIR")
    if base:
        return Path(base) / "tables.sqlite"
    xdg = os.environ.get("XDG_DATA_HOME")
    root = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return root / "asl" / "tables.sqlite"


class TableStore:
    """DynamoDB tables on SQLite: create them, then use :meth:`table` (boto3 ``Table`` shape)
    or :meth:`client` (boto3 low-level client shape).

    ``path`` is a file (created with its folders), ``":memory:"``, or None for :func:`default_path`.
    ``clock`` returns epoch seconds; TTL compares items against it. ``tracer`` (optional) sees
    every SQL statement, for debugging. ``synchronous`` chooses what a commit survives:
    ``"NORMAL"`` (default) the process being killed, ``"FULL"`` also a power loss or an OS crash,
    for one fsync per commit. None reads ``$ASL_SYNCHRONOUS`` (FULL or NORMAL, any case);
    another value raises ``ValueError``.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        tracer: Callable[[str], None] | None = None,
        synchronous: str | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
    ) -> None:
        self.region = region  # the region and account in table ARNs, as asl serve's --region/--account
        self.account = account
        self.path = str(default_path() if path is None else path)
        self.clock = clock
        self.synchronous = synchronous_level(synchronous)
        self._engine = Engine(self.path, tracer, self.synchronous)
        self._schemas: dict[str, TableSchema] = {}
        self._writes = 0

    # -- tables ----------------------------------------------------------------------------
    def create_table(
        self,
        name: str,
        partition_key: tuple[str, str] = ("id", "S"),
        sort_key: tuple[str, str] | None = None,
        ttl_attribute: str | None = None,
        *,
        exist_ok: bool = False,
        meta: dict[str, Any] | None = None,
    ) -> Table:
        """Create a table and return its :class:`Table`; key types are ``"S"``, ``"N"`` or ``"B"``.

        With ``exist_ok`` an existing table of the same name is returned instead of an error.
        ``meta`` holds what CreateTable gave beyond the keys (see :mod:`._tables`); a table id is
        added when it has none.
        """
        meta = dict(meta or {})
        meta.setdefault("id", str(uuid.uuid4()))
        if not isinstance(name, str):
            raise validation(f"The table name must be a string, not {type(name).__name__}")
        check_table_name(name)
        for label, part in (("partition_key", partition_key), ("sort_key", sort_key)):
            if part is not None and (len(part) != 2 or part[1] not in key_types()):
                raise validation(
                    f"{label} must be (attribute name, type) with type one of S, N, B; got {part!r}"
                )
        with self._engine.transaction() as connection:
            exists = connection.execute("SELECT 1 FROM ddb_tables WHERE name = ?", (name,)).fetchone()
            if exists and not exist_ok:
                raise DynamoError("ResourceInUseException", f"Table already exists: {name}")
            if not exists:
                connection.execute(
                    "INSERT INTO ddb_tables VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        partition_key[0],
                        partition_key[1],
                        sort_key[0] if sort_key else None,
                        sort_key[1] if sort_key else None,
                        ttl_attribute,
                        self.clock(),
                        json.dumps(meta),
                    ),
                )
        self._schemas.pop(name, None)
        return self.table(name)

    def delete_table(self, name: str) -> None:
        """Drop a table and all its items."""
        self.schema(name)
        with self._engine.transaction() as connection:
            connection.execute("DELETE FROM ddb_items WHERE table_name = ?", (name,))
            connection.execute("DELETE FROM ddb_index_items WHERE table_name = ?", (name,))
            connection.execute("DELETE FROM ddb_tables WHERE name = ?", (name,))
        self._schemas.pop(name, None)

    def table_names(self) -> list[str]:
        """The names of all tables, sorted."""
        with self._engine.lock:
            rows = self._engine.connection.execute("SELECT name FROM ddb_tables ORDER BY name").fetchall()
        return [r[0] for r in rows]

    def set_ttl_attribute(self, name: str, attribute: str | None) -> None:
        """Turn TTL on (naming the epoch-seconds attribute) or off, and re-index existing items."""
        self.schema(name)
        with self._engine.transaction() as connection:
            connection.execute("UPDATE ddb_tables SET ttl_attribute = ? WHERE name = ?", (attribute, name))
            self._schemas.pop(name, None)
            schema = self.schema(name)
            rows = connection.execute(
                "SELECT pk, sk, item FROM ddb_items WHERE table_name = ?", (name,)
            ).fetchall()
            for pk, sk, text in rows:
                expires = self._expiry(schema, json.loads(text))
                connection.execute(
                    "UPDATE ddb_items SET expires = ? WHERE table_name = ? AND pk = ? AND sk = ?",
                    (expires, name, pk, sk),
                )

    def schema(self, name: str) -> TableSchema:
        """The key schema of a table; ``ResourceNotFoundException`` when there is none."""
        schema = self._schemas.get(name)
        if schema is not None:
            return schema
        with self._engine.lock:
            row = self._engine.connection.execute(
                "SELECT * FROM ddb_tables WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            raise table_not_found(name)
        _, pk, pk_type, sk, sk_type, ttl, created, meta_text = row
        meta = json.loads(meta_text) if meta_text else {}
        if "id" not in meta:  # a table made before table ids: a stable one from its name and birth
            meta["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"asl-dynamodb:{name}:{created}"))
        indexes = tuple(index_from_meta(index) for index in meta.get("indexes") or ())
        schema = TableSchema(name, (pk, pk_type), (sk, sk_type) if sk else None, ttl, created, indexes, meta)
        self._schemas[name] = schema
        return schema

    def set_meta(self, name: str, meta: dict[str, Any]) -> TableSchema:
        """Store a table's new ``meta`` (UpdateTable, tags) and return its schema as now read."""
        with self._engine.transaction() as connection:
            connection.execute("UPDATE ddb_tables SET meta = ? WHERE name = ?", (json.dumps(meta), name))
        self._schemas.pop(name, None)
        return self.schema(name)

    def fill_index(self, schema: TableSchema, index: IndexSchema) -> None:
        """Write the entries of a new index for every item already in the table (a backfill)."""
        with self._engine.transaction() as connection:
            rows = connection.execute(
                "SELECT pk, sk, item FROM ddb_items WHERE table_name = ?", (schema.name,)
            ).fetchall()
            entries = []
            for pk, sk, text in rows:
                entry = index.entry(_decode(text))
                if entry is not None:
                    entries.append((schema.name, index.name, entry[0], entry[1], pk, sk))
            connection.executemany("INSERT INTO ddb_index_items VALUES (?, ?, ?, ?, ?, ?)", entries)

    def drop_index(self, name: str, index: str) -> None:
        """Delete every entry of one index."""
        self._engine.drop_entries(name, index)

    def table(self, name: str) -> Table:
        """The boto3-``Table``-shaped resource of a table (plain Python values in and out)."""
        from .table import Table

        return Table(self, name)

    def client(self) -> Client:
        """A boto3-low-level-client-shaped object (typed AttributeValues in and out)."""
        from .client import Client

        return Client(self)

    def close(self) -> None:
        """Close the database connection."""
        self._engine.close()

    def __enter__(self) -> TableStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- items (typed) ---------------------------------------------------------------------
    def transaction(self) -> Any:
        """A write transaction: reads inside it see, and block, concurrent writers."""
        return self._engine.transaction()

    def _expiry(self, schema: TableSchema, item: Item) -> float | None:
        if schema.ttl_attribute is None:
            return None
        value = item.get(schema.ttl_attribute)
        if value is None or "N" not in value:
            return None  # DynamoDB ignores TTL attributes that are not numbers
        return float(Decimal(value["N"]))

    def live(self, expires: float | None) -> bool:
        """Whether an item with this TTL expiry is still served (not expired within five years)."""
        return self._live(expires)

    def _live(self, expires: float | None) -> bool:
        if expires is None:
            return True
        now = self.clock()
        return not (now - _FIVE_YEARS <= expires <= now)

    def load(self, schema: TableSchema, pk: bytes, sk: bytes) -> Item | None:
        """The item with this encoded key, or None (also for an item whose TTL has passed)."""
        row = self._engine.load(schema.name, pk, sk)
        if row is None or not self._live(row[1]):
            return None
        return _decode(row[0])

    def save(self, schema: TableSchema, pk: bytes, sk: bytes, item: Item, text: str | None = None) -> None:
        """Write an item (inside :meth:`transaction`); ``text`` is its :func:`encode_item` if already made."""
        if text is None:
            text = encode_item(item)
        if schema.indexes:
            entries = _entries(schema, item)  # before writing: a bad index key refuses the whole write
            with self._engine.transaction():
                self._engine.save(schema.name, pk, sk, text, self._expiry(schema, item))
                self._engine.save_entries(schema.name, pk, sk, entries)
        else:
            self._engine.save(schema.name, pk, sk, text, self._expiry(schema, item))
        self._count_write()

    def remove(self, schema: TableSchema, pk: bytes, sk: bytes) -> None:
        """Delete an item (inside :meth:`transaction`)."""
        self._engine.delete(schema.name, pk, sk)
        if schema.indexes:
            self._engine.save_entries(schema.name, pk, sk, [])
        self._count_write()

    def _count_write(self) -> None:
        self._writes += 1
        if self._writes % _PURGE_EVERY == 0:
            self.purge_expired()

    def count_items(self, name: str) -> int:
        """How many live items a table holds."""
        self.schema(name)
        now = self.clock()
        with self._engine.lock:
            row = self._engine.connection.execute(
                "SELECT count(*) FROM ddb_items WHERE table_name = ? AND (expires IS NULL OR expires > ? "
                "OR expires < ?)",
                (name, now, now - _FIVE_YEARS),
            ).fetchone()
        return int(row[0])

    def purge_expired(self, table: str | None = None) -> int:
        """Delete every item whose TTL has passed; returns how many went."""
        now = self.clock()
        return self._engine.purge(table, now, now - _FIVE_YEARS)

    def rows(self, rows: list[Row]) -> Iterator[tuple[bytes, bytes, Item]]:
        """Decode rows, dropping expired ones."""
        for pk, sk, text, expires in rows:
            if self._live(expires):
                yield pk, sk, _decode(text)

    @property
    def engine(self) -> Engine:
        return self._engine


def _entries(schema: TableSchema, item: Item) -> list[IndexEntry]:
    entries: list[IndexEntry] = []
    for index in schema.indexes:
        entry = index.entry(item)
        if entry is not None:
            entries.append((index.name, entry[0], entry[1]))
    return entries


def _base64(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# bytes become base64 text through ``default``, so the text is json.dumps(to_storage(item)) without
# first copying the whole item to swap its binaries. Items are trees built by normalize_value and
# apply_update (never cyclic), so the encoder's cycle bookkeeping, a fifth of its time, is skipped.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_base64, check_circular=False)


def encode_item(item: Item) -> str:
    """The stored JSON text of an item: binaries as base64 text, as :func:`to_storage` gives them."""
    return _ENCODER.encode(item)


def decode_item(text: str) -> Item:
    """An item from its stored JSON text (the inverse of :func:`encode_item`)."""
    return _decode(text)


def _decode(text: str) -> Item:
    item: Item = json.loads(text)
    # Only items holding binaries need the base64 walk. In the compact JSON a binary is always
    # `"B":"` or `"BS":[` (a quote inside a string would be escaped), so the substring test is a
    # cheap filter; an attribute named B or BS only costs a needless walk.
    if '"B":"' in text or '"BS":[' in text:
        item = from_storage(item)
    return item
