"""Durable storage on SQLite: the execution store (state machines, executions, history)."""

from __future__ import annotations

from asl.store.executions import ExecutionStore, StoreInUse, default_path
from asl.store.rows import ExecutionRecord

__all__ = ["ExecutionRecord", "ExecutionStore", "StoreInUse", "default_path"]
