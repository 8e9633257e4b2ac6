"""The two tables, behind boto3's ``Table`` interface: real DynamoDB on AWS, SQLite locally.

Handlers call :func:`sessions_table` and :func:`results_table` and use ``put_item``,
``get_item``, ``update_item`` exactly as on AWS. Locally one :class:`asl.dynamodb.TableStore`
per process serves both (the service installs its own with :func:`use_store`).
"""

from __future__ import annotations

import threading
from typing import Any

from aichef.config import settings
from asl.dynamodb import TableStore

__all__ = [
    "ensure_kitchen_tables",
    "ensure_tables",
    "local_store",
    "owners_table",
    "results_table",
    "sessions_table",
    "starting_table",
    "use_store",
]

_lock = threading.Lock()
_store: TableStore | None = None


def use_store(store: TableStore | None) -> None:
    """Make ``store`` the local store of this process (None: open the default file again)."""
    global _store
    with _lock:
        _store = store
    if store is not None:
        ensure_tables(store)


def local_store() -> TableStore:
    global _store
    with _lock:
        if _store is None:
            config = settings()
            config.data_dir.mkdir(parents=True, exist_ok=True)
            _store = TableStore(config.tables_path)
            ensure_tables(_store)
        return _store


def ensure_tables(store: TableStore) -> None:
    """Create the tables that are missing: sessions and results (both expire by TTL)."""
    config = settings()
    existing = set(store.table_names())
    if config.sessions_table not in existing:
        store.create_table(config.sessions_table, partition_key=("sessionId", "S"), ttl_attribute="expiresAt")
    elif store.schema(config.sessions_table).ttl_attribute is None:
        store.set_ttl_attribute(config.sessions_table, "expiresAt")  # a folder from before sessions expired
    if config.results_table not in existing:
        store.create_table(config.results_table, partition_key=("sessionId", "S"), ttl_attribute="expiresAt")


def ensure_kitchen_tables(store: TableStore) -> None:
    """Create the two tables only the local kitchen keeps (see :func:`owners_table`,
    :func:`starting_table`) if they are missing."""
    existing = set(store.table_names())
    if _owners_name() not in existing:
        store.create_table(
            _owners_name(), partition_key=("owner", "S"), sort_key=("recent", "S"), ttl_attribute="expiresAt"
        )
    if _starting_name() not in existing:
        store.create_table(_starting_name(), partition_key=("sessionId", "S"))


def _owners_name() -> str:
    return f"{settings().sessions_table}-by-owner"


def _starting_name() -> str:
    return f"{settings().sessions_table}-starting"


def _table(name: str) -> Any:
    if settings().backend == "aws":
        import boto3

        return boto3.resource("dynamodb").Table(name)
    return local_store().table(name)


def sessions_table() -> Any:
    return _table(settings().sessions_table)


def results_table() -> Any:
    return _table(settings().results_table)


def owners_table() -> Any:
    """Local only: each browser's recent sessions, ``owner`` (the hashed id) then ``recent``
    (``createdAt#sessionId``), so a listing is one Query of at most ``limit`` keys."""
    return local_store().table(_owners_name())


def starting_table() -> Any:
    """Local only: sessions whose item is written and whose execution may not be started yet
    (``store``: the executions file of the process starting it). A process killed in between
    leaves the row, and the next kitchen on the folder starts or fails that session."""
    return local_store().table(_starting_name())
