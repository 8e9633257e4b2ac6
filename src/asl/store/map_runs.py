"""Map Runs as the execution store keeps them: one row per run, one per finished child execution.

The runtime (:mod:`asl.runtime.map_runs`) turns these rows into live Map Runs and back; the
store only writes them with its group commit and reads them back.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from asl.store.rows import encode_time

__all__ = ["CHILD_COLUMNS", "CHILD_LISTED", "MAP_RUN_COLUMNS", "ChildRow", "MapRunRow", "delete_map_runs"]


@dataclass
class MapRunRow:
    """A Map Run's row in ``map_runs``."""

    arn: str
    execution: int  # the parent execution's id in the store
    map_event: int  # the id of its Map's MapStateStarted event
    execution_arn: str
    status: str
    start_date: datetime
    stop_date: datetime | None
    total: int
    max_concurrency: int
    tolerated_count: int | None
    tolerated_percentage: float | None
    tolerance_updated: bool = False
    redrive_count: int = 0
    redrive_date: datetime | None = None

    def row(self) -> tuple[Any, ...]:
        # fields one by one: dataclasses.astuple deep-copies each value
        values = [getattr(self, field.name) for field in fields(self)]
        for i, value in enumerate(values):
            if isinstance(value, datetime):
                values[i] = encode_time(value)
            elif isinstance(value, bool):
                values[i] = int(value)
        return tuple(values)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> MapRunRow:
        """A row read as ``SELECT {MAP_RUN_COLUMNS}`` (the fields in order)."""
        values = dict(zip((field.name for field in fields(cls)), row, strict=True))
        for key in ("start_date", "stop_date", "redrive_date"):
            if values[key] is not None:
                values[key] = datetime.fromisoformat(values[key])
        values["tolerance_updated"] = bool(values["tolerance_updated"])
        return cls(**values)


MAP_RUN_COLUMNS = ", ".join(field.name for field in fields(MapRunRow))


@dataclass
class ChildRow:
    """A child execution of a Map Run that has ended (``map_run_children``); its input, output,
    error and cause are JSON text or plain text, read back only where asked for."""

    map_run: str
    item: int
    status: str
    start_date: datetime
    stop_date: datetime | None
    name: str = ""
    input: str | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None

    def row(self) -> tuple[Any, ...]:
        start, stop = encode_time(self.start_date), encode_time(self.stop_date)
        payloads = (self.input, self.output, self.error, self.cause)
        return (self.map_run, self.item, self.status, start, stop, self.name, *payloads)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ChildRow:
        """A row of ``SELECT`` :data:`CHILD_LISTED` (no payloads) or :data:`CHILD_COLUMNS`."""
        stop = None if row[4] is None else datetime.fromisoformat(row[4])
        return cls(row[0], int(row[1]), row[2], datetime.fromisoformat(row[3]), stop, *row[5:])


CHILD_COLUMNS = ", ".join(field.name for field in fields(ChildRow))
#: what ListExecutions needs of a child (its payloads stay on disk)
CHILD_LISTED = "map_run, item, status, start_date, stop_date, name"


def delete_map_runs(db: sqlite3.Connection, executions: str, params: tuple[Any, ...]) -> None:
    """Delete the Map Runs (and their children) of the executions ``executions`` selects
    (``SELECT id FROM executions WHERE ...``); inside the caller's transaction."""
    runs = f"SELECT arn FROM map_runs WHERE execution IN ({executions})"
    db.execute(f"DELETE FROM map_run_children WHERE map_run IN ({runs})", params)
    db.execute(f"DELETE FROM map_runs WHERE execution IN ({executions})", params)
