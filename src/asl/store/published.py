"""The published versions and aliases of state machines, and which one an execution started with.

Like the catalogue, small tables written seldom, each write in its own transaction after the
store's pending group commit, so a version never overtakes the machine row it belongs to and
an execution's qualifier never lands before the execution's own row. The one exception is what
an execution started with: it goes with the execution's row in the store's group commit, and is
read from memory until then. Reading needs no flush (DescribeExecution does not force a commit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asl._sqlite import Transaction
from asl.store.rows import encode_time

__all__ = ["AliasRow", "Published", "VersionRow"]


@dataclass(frozen=True)
class VersionRow:
    """One published version: ``revision`` is the definition row (``state_machine_versions``)
    it runs; ``revision_id`` the machine's revisionId when it was published."""

    arn: str
    number: int
    revision: int
    revision_id: str
    role_arn: str
    logging: str | None
    tracing: str | None
    description: str | None
    created: datetime


@dataclass(frozen=True)
class AliasRow:
    """One alias of a machine; ``routing`` is the routingConfiguration as JSON text."""

    arn: str
    name: str
    description: str | None
    routing: str
    created: datetime
    updated: datetime


_VERSION_KEYS = "arn, number, revision, revision_id, role_arn, logging, tracing, description, created"
_ALIAS_KEYS = "arn, name, description, routing, created, updated"


def _version(row: tuple[Any, ...]) -> VersionRow:
    arn, number, revision, revision_id, role_arn, logging, tracing, description, created = row
    return VersionRow(
        arn, int(number), int(revision), revision_id, role_arn, logging, tracing, description,
        datetime.fromisoformat(created),
    )  # fmt: skip


def _alias(row: tuple[Any, ...]) -> AliasRow:
    arn, name, description, routing, created, updated = row
    return AliasRow(
        str(arn),
        str(name),
        None if description is None else str(description),
        str(routing),
        datetime.fromisoformat(str(created)),
        datetime.fromisoformat(str(updated)),
    )


class Published:
    """The part of :class:`~asl.store.ExecutionStore` that keeps versions, aliases and qualifiers."""

    _db: sqlite3.Connection
    _qualified: dict[int, tuple[str | None, str | None]]  # pending until the next group commit

    def flush(self) -> None:
        raise NotImplementedError

    def _queued(self) -> None:
        raise NotImplementedError

    def _transaction(self) -> Transaction:
        raise NotImplementedError

    # --- versions -------------------------------------------------------------------------

    def publish_version(
        self,
        arn: str,
        revision: int,
        revision_id: str,
        role_arn: str,
        logging: str | None,
        tracing: str | None,
        description: str | None,
        created: datetime,
    ) -> int:
        """Record a new version of the machine ``arn``; returns its number (one more than the
        highest ever given, deleted ones included)."""
        with self._transaction():
            self._db.execute("UPDATE state_machines SET published = published + 1 WHERE arn=?", (arn,))
            row = self._db.execute("SELECT published FROM state_machines WHERE arn=?", (arn,)).fetchone()
            if row is None:
                raise KeyError(arn)
            number = int(row[0])
            self._db.execute(
                f"INSERT INTO published_versions ({_VERSION_KEYS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (arn, number, revision, revision_id, role_arn, logging, tracing, description,
                 encode_time(created)),
            )  # fmt: skip
        return number

    def published_versions(self, arn: str) -> list[VersionRow]:
        """The machine's versions, newest first."""
        rows = self._db.execute(
            f"SELECT {_VERSION_KEYS} FROM published_versions WHERE arn=? ORDER BY number DESC", (arn,)
        ).fetchall()
        return [_version(row) for row in rows]

    def published_version(self, arn: str, number: int) -> VersionRow | None:
        row = self._db.execute(
            f"SELECT {_VERSION_KEYS} FROM published_versions WHERE arn=? AND number=?", (arn, number)
        ).fetchone()
        return None if row is None else _version(row)

    def delete_published_version(self, arn: str, number: int) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM published_versions WHERE arn=? AND number=?", (arn, number))

    # --- aliases --------------------------------------------------------------------------

    def put_alias(self, alias: AliasRow) -> None:
        """Create an alias or replace one of that name (its creation date is kept)."""
        with self._transaction():
            self._db.execute(
                f"INSERT INTO aliases ({_ALIAS_KEYS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (arn, name) DO UPDATE SET description=excluded.description, "
                "routing=excluded.routing, updated=excluded.updated",
                (alias.arn, alias.name, alias.description, alias.routing,
                 encode_time(alias.created), encode_time(alias.updated)),
            )  # fmt: skip

    def aliases(self, arn: str) -> list[AliasRow]:
        """The machine's aliases, the most recently created first (as ListStateMachineAliases)."""
        rows = self._db.execute(
            f"SELECT {_ALIAS_KEYS} FROM aliases WHERE arn=? ORDER BY created DESC, name", (arn,)
        ).fetchall()
        return [_alias(row) for row in rows]

    def alias(self, arn: str, name: str) -> AliasRow | None:
        row = self._db.execute(
            f"SELECT {_ALIAS_KEYS} FROM aliases WHERE arn=? AND name=?", (arn, name)
        ).fetchone()
        return None if row is None else _alias(row)

    def delete_alias(self, arn: str, name: str) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM aliases WHERE arn=? AND name=?", (arn, name))

    # --- executions started with a version or an alias ------------------------------------

    def qualify_execution(self, execution_id: int, version_arn: str | None, alias_arn: str | None) -> None:
        """Keep the version and alias an execution was started with: written with the execution's
        row, in the same group commit (a start with a version costs no transaction of its own)."""
        self._qualified[execution_id] = (version_arn, alias_arn)
        self._queued()

    def qualifiers(self, execution_ids: Iterable[int]) -> dict[int, tuple[str | None, str | None]]:
        """``execution id -> (version ARN, alias ARN)`` of those started with a version or alias."""
        ids = [int(i) for i in execution_ids if i]
        found = {i: self._qualified[i] for i in ids if i in self._qualified}
        ids = [i for i in ids if i not in found]
        if not ids:
            return found
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            "SELECT execution, version_arn, alias_arn FROM execution_qualifiers "
            f"WHERE execution IN ({marks})",
            ids,
        ).fetchall()
        found.update({int(execution): (version, alias) for execution, version, alias in rows})
        return found
