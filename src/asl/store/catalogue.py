"""The state machines (with their versions) and the activities an execution store knows.

Small tables written seldom, each write in its own transaction after the store's pending
group commit (``_transaction`` flushes first), so their rows never overtake the events.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from asl._sqlite import Transaction
from asl.store.map_runs import delete_map_runs
from asl.store.rows import encode_time

__all__ = ["Catalogue"]

_MACHINE_KEYS = (
    "arn", "name", "type", "role_arn", "created", "version", "status",
    "logging", "tracing", "revision", "updated", "tags",
)  # fmt: skip


class Catalogue:
    """The part of :class:`~asl.store.ExecutionStore` that keeps machines and activities."""

    _db: sqlite3.Connection

    def flush(self) -> None:
        raise NotImplementedError

    def _transaction(self) -> Transaction:
        raise NotImplementedError

    # --- state machines -------------------------------------------------------------------

    def put_state_machine(
        self, arn: str, name: str, type: str, role_arn: str, definition: str, created: datetime
    ) -> int:
        """Record a machine's definition; a changed definition becomes a new version."""
        self.flush()
        row = self._db.execute("SELECT version, role_arn FROM state_machines WHERE arn=?", (arn,)).fetchone()
        if row is not None:
            current = self.definition(arn, int(row[0]))
            if current == definition:
                if row[1] != role_arn:  # UpdateStateMachine may change the role alone
                    with self._transaction():
                        self._db.execute("UPDATE state_machines SET role_arn=? WHERE arn=?", (role_arn, arn))
                return int(row[0])
            # the highest, not the current one plus one: an adopted store may have added versions
            highest = "SELECT MAX(version) FROM state_machine_versions WHERE arn=?"
            version = int(self._db.execute(highest, (arn,)).fetchone()[0] or row[0]) + 1
        else:
            version = 1
        with self._transaction():
            self._db.execute(
                # an update keeps the machine's creationDate and status (AWS never changes the first)
                "INSERT INTO state_machines (arn, name, type, role_arn, created, version) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET "
                "type=excluded.type, role_arn=excluded.role_arn, version=excluded.version",
                (arn, name, type, role_arn, encode_time(created), version),
            )
            self._db.execute(
                "INSERT INTO state_machine_versions VALUES (?, ?, ?, ?)",
                (arn, version, definition, encode_time(created)),
            )
        return version

    def state_machines(self) -> list[dict[str, Any]]:
        """Every machine by name: ``arn``, ``name``, ``type``, ``role_arn``, ``created``, ``version``,
        ``status`` (ACTIVE, or DELETING while its running executions end), ``logging`` and
        ``tracing`` (JSON text or None), ``revision`` and ``updated`` (None until the first update)
        and ``tags`` (JSON text of an object)."""
        rows = self._db.execute(
            f"SELECT {', '.join(_MACHINE_KEYS)} FROM state_machines ORDER BY name"
        ).fetchall()
        return [dict(zip(_MACHINE_KEYS, row, strict=True)) for row in rows]

    def configure_state_machine(self, arn: str, **fields: str | None) -> None:
        """Set some of a machine's ``logging``, ``tracing``, ``revision``, ``updated`` and ``tags``."""
        unknown = set(fields) - {"logging", "tracing", "revision", "updated", "tags"}
        if unknown:
            raise ValueError(f"not a configurable field of a state machine: {sorted(unknown)}")
        if not fields:
            return
        self.flush()
        assignments = ", ".join(f"{key}=?" for key in fields)  # keys checked above, values bound
        with self._transaction():
            self._db.execute(f"UPDATE state_machines SET {assignments} WHERE arn=?", (*fields.values(), arn))

    def definition(self, arn: str, version: int) -> str | None:
        row = self._db.execute(
            "SELECT definition FROM state_machine_versions WHERE arn=? AND version=?", (arn, version)
        ).fetchone()
        return None if row is None else str(row[0])

    def mark_state_machine_deleting(self, arn: str) -> None:
        with self._transaction():
            self._db.execute("UPDATE state_machines SET status='DELETING' WHERE arn=?", (arn,))

    def delete_state_machine(self, arn: str) -> int:
        """Delete a machine with its versions (published ones too), its aliases, its executions and
        their events; returns how many executions went (AWS keeps nothing of a deleted machine: a
        new one of the same name starts with no executions)."""
        with self._transaction():
            delete_map_runs(self._db, "SELECT id FROM executions WHERE machine_arn=?", (arn,))
            for table in ("events", "map_iterations", "execution_qualifiers"):
                self._db.execute(
                    f"DELETE FROM {table} WHERE execution IN (SELECT id FROM executions WHERE machine_arn=?)",
                    (arn,),
                )
            deleted = self._db.execute("DELETE FROM executions WHERE machine_arn=?", (arn,)).rowcount
            # AWS: deleting a machine deletes its published versions and its aliases too
            for table in ("state_machine_versions", "published_versions", "aliases"):
                self._db.execute(f"DELETE FROM {table} WHERE arn=?", (arn,))
            self._db.execute("DELETE FROM state_machines WHERE arn=?", (arn,))
        return int(deleted)

    # --- activities -----------------------------------------------------------------------

    def put_activity(self, arn: str, name: str, created: datetime) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO activities (arn, name, created) VALUES (?, ?, ?)",
                (arn, name, encode_time(created)),
            )

    def delete_activity(self, arn: str) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM activities WHERE arn=?", (arn,))

    def activity_tags(self, arn: str) -> dict[str, str] | None:
        """An activity's tags; None when there is no such activity."""
        row = self._db.execute("SELECT tags FROM activities WHERE arn=?", (arn,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def set_activity_tags(self, arn: str, tags: dict[str, str]) -> None:
        with self._transaction():
            self._db.execute("UPDATE activities SET tags=? WHERE arn=?", (json.dumps(tags), arn))

    def activities(self) -> list[tuple[str, str, datetime]]:
        rows = self._db.execute("SELECT arn, name, created FROM activities ORDER BY name").fetchall()
        return [(arn, name, datetime.fromisoformat(created)) for arn, name, created in rows]
