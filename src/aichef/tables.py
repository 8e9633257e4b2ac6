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

__all__ = ["ensure_tables", "local_store", "results_table", "sessions_table", "use_store"]

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
    """Create the sessions and results tables if they are missing (results expire by TTL)."""
    config = settings()
    existing = set(store.table_names())
    if config.sessions_table not in existing:
        store.create_table(config.sessions_table, partition_key=("sessionId", "S"))
    if config.results_table not in existing:
        store.create_table(config.results_table, partition_key=("sessionId", "S"), ttl_attribute="expiresAt")


def _table(name: str) -> Any:
    if settings().backend == "aws":
        import boto3

        return boto3.resource("dynamodb").Table(name)
    return local_store().table(name)


def sessions_table() -> Any:
    return _table(settings().sessions_table)


def results_table() -> Any:
    return _table(settings().results_table)
