"""Durable storage on SQLite: the execution store (state machines, executions, history)."""

from __future__ import annotations

from asl.store.executions import ExecutionRecord, ExecutionStore, StoreInUse, default_path

__all__ = ["ExecutionRecord", "ExecutionStore", "StoreInUse", "default_path"]
