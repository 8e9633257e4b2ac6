"""State machine versions and aliases, as AWS has them (PublishStateMachineVersion, *StateMachineAlias).

A version is an immutable snapshot of a machine's current revision (definition, role, logging
and tracing), numbered 1, 2, ... per machine; a number is never given twice, even once its
version is deleted. Its ARN is the machine's with ``:NUMBER`` appended. An alias
(``:NAME``, a name with at least one letter, ``_``, ``-`` or ``.``) routes StartExecution to
one version, or to two by weight (summing to 100), chosen at random for each execution.

An execution started with a version ARN runs that version's definition and is associated with
the version only; one started with an alias ARN with the alias and the version it chose; one
started with the machine's own ARN with neither, even if a version has the same revision
(AWS's developer guide, "How Step Functions associates executions with a version or alias").
Execution ARNs name the machine only, as on AWS.

Kept in the execution store, so versions, aliases and what an execution started with survive
a restart, and a resumed execution keeps running its version's definition.
"""

from __future__ import annotations

import json
import random
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from asl.execution.clock import Clock
from asl.runtime.api_errors import (
    ConflictException,
    InvalidArn,
    InvalidName,
    ResourceNotFound,
    ServiceQuotaExceededException,
    StateMachineDeleting,
    StateMachineDoesNotExist,
    ValidationException,
)
from asl.runtime.api_machines import DEFAULT_LOGGING, DEFAULT_TRACING, Machines
from asl.runtime.pages import decode_token, encode_token, page_size
from asl.store.executions import ExecutionStore
from asl.store.published import AliasRow, VersionRow
from asl.store.rows import ExecutionRecord

__all__ = [
    "MAX_ALIASES",
    "MAX_VERSIONS",
    "Target",
    "Versions",
    "split_arn",
]

#: AWS's quotas: versions and aliases per state machine
MAX_VERSIONS = 1000
MAX_ALIASES = 100
#: the revisionId AWS takes for a machine that has never been updated
INITIAL = "INITIAL"
_MAX_DESCRIPTION = 256
# AWS: 1 to 80 characters, at least one of them not a digit (so it cannot be read as a version)
_ALIAS_NAME = re.compile(r"(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}")
_EXPRESS_KEPT = 10_000


def split_arn(arn: str) -> tuple[str, str | None]:
    """``(the machine's ARN, the qualifier or None)``: ``...:stateMachine:Orders:3`` gives ``"3"``."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) < 7 or parts[0] != "arn" or parts[5] != "stateMachine":
        raise InvalidArn(f"Invalid Arn: '{arn}': not a state machine ARN")
    if len(parts) == 7:
        return arn, None
    if len(parts) == 8 and parts[7]:
        return ":".join(parts[:7]), parts[7]
    raise InvalidArn(f"Invalid Arn: '{arn}': not a state machine, version or alias ARN")


@dataclass(frozen=True)
class Target:
    """What StartExecution runs: the machine, the definition row (None: its current one) and the
    version and alias the execution is associated with."""

    machine_arn: str
    revision: int | None = None
    version_arn: str | None = None
    alias_arn: str | None = None

    def started_details(self) -> dict[str, str]:
        """The ExecutionStarted event's details that name the alias and the version."""
        details = {"stateMachineAliasArn": self.alias_arn, "stateMachineVersionArn": self.version_arn}
        return {key: value for key, value in details.items() if value is not None}


class Versions:
    """The versions and aliases of a runtime's machines; ``rng`` picks an alias's version
    (seed it in tests)."""

    def __init__(
        self, store: ExecutionStore, clock: Clock, machines: Machines, rng: random.Random | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.machines = machines
        self.rng = rng or random.Random()
        # EXPRESS executions have no row in the store: what they started with is kept here
        self._express: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()

    # --- versions -------------------------------------------------------------------------

    def publish(
        self, state_machine_arn: str, description: str | None = None, revision_id: str | None = None
    ) -> dict[str, Any]:
        """PublishStateMachineVersion: a version of the machine's current revision, or the version
        already published of that revision (AWS: the API is idempotent). ``revision_id`` must be the
        machine's current revisionId (``INITIAL`` before its first update), else ConflictException."""
        arn = self._unqualified(state_machine_arn)
        _check_description(description, "description")
        row = self._machine_row(arn)
        current = row["revision"] or INITIAL
        if revision_id is not None and revision_id != current:
            raise ConflictException(
                f"Failed to publish the state machine version: the revisionId '{revision_id}' does not "
                f"match the state machine's current revisionId '{current}'"
            )
        published = self.store.published_versions(arn)
        for version in published:
            if version.revision == int(row["version"]) and version.revision_id == current:
                return {"stateMachineVersionArn": f"{arn}:{version.number}", "creationDate": version.created}
        if len(published) >= MAX_VERSIONS:
            raise ServiceQuotaExceededException(
                f"Service quota exceeded: a state machine has at most {MAX_VERSIONS} versions: '{arn}'"
            )
        created = self.clock.now()
        number = self.store.publish_version(
            arn, int(row["version"]), current, row["role_arn"], row["logging"], row["tracing"],
            description, created,
        )  # fmt: skip
        return {"stateMachineVersionArn": f"{arn}:{number}", "creationDate": created}

    def list_versions(
        self, state_machine_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListStateMachineVersions, newest first."""
        arn = self._unqualified(state_machine_arn)
        items = [
            {"stateMachineVersionArn": f"{arn}:{v.number}", "creationDate": v.created}
            for v in self.store.published_versions(arn)
        ]
        return _page(items, "stateMachineVersions", max_results, next_token)

    def delete_version(self, state_machine_version_arn: str) -> dict[str, Any]:
        """DeleteStateMachineVersion: ``{}`` also when there is no such version (as on AWS); refused
        while an alias routes to it. Its running executions run on."""
        arn, number = self._version_arn(state_machine_version_arn)
        routing = [
            f"{arn}:{alias.name}"
            for alias in self.store.aliases(arn)
            if state_machine_version_arn in _routed(alias)
        ]
        if routing:
            raise ConflictException(
                "Version to be deleted must not be referenced by an alias. "
                f"Current list of aliases referencing this version: [{', '.join(routing)}]"
            )
        self.store.delete_published_version(arn, number)
        return {}

    def describe_version(self, state_machine_version_arn: str) -> dict[str, Any]:
        """DescribeStateMachine of a version ARN: that version's definition, role, configuration
        and description."""
        arn, number = self._version_arn(state_machine_version_arn)
        version = self._version(arn, number, StateMachineDoesNotExist)
        row = self._machine_row(arn, deleting_too=True)
        definition = self.store.definition(arn, version.revision)
        described: dict[str, Any] = {
            "stateMachineArn": state_machine_version_arn,
            "name": row["name"],
            "status": "DELETING" if self.machines.is_deleting(arn) else "ACTIVE",
            "definition": definition,
            "roleArn": version.role_arn,
            "type": row["type"],
            "creationDate": version.created,
            "loggingConfiguration": json.loads(version.logging) if version.logging else dict(DEFAULT_LOGGING),
            "tracingConfiguration": json.loads(version.tracing) if version.tracing else dict(DEFAULT_TRACING),
        }
        if version.revision_id != INITIAL:
            described["revisionId"] = version.revision_id
        if version.description is not None:
            described["description"] = version.description
        return described

    # --- aliases --------------------------------------------------------------------------

    def create_alias(
        self, name: str, routing_configuration: list[Mapping[str, Any]], description: str | None = None
    ) -> dict[str, Any]:
        """CreateStateMachineAlias: the machine is the one the routed versions belong to. The same
        request again answers the alias it made (AWS: idempotent); another one of that name is a
        ConflictException."""
        if not isinstance(name, str) or not _ALIAS_NAME.fullmatch(name):
            raise InvalidName(
                f"Invalid Name: '{name}': an alias name is 1 to 80 letters, digits, '_', '-' or '.', "
                "with at least one that is not a digit"
            )
        _check_description(description, "description")
        arn, routing = self._routing(routing_configuration)
        self._not_deleting(arn)
        text = json.dumps(routing)
        existing = self.store.alias(arn, name)
        if existing is not None:
            if existing.description == description and json.loads(existing.routing) == routing:
                return {"stateMachineAliasArn": f"{arn}:{name}", "creationDate": existing.created}
            raise ConflictException(
                f"Failed to create alias because an alias with the same name and a different "
                f"routing configuration or description already exists: '{arn}:{name}'"
            )
        if len(self.store.aliases(arn)) >= MAX_ALIASES:
            raise ServiceQuotaExceededException(
                f"Service quota exceeded: a state machine has at most {MAX_ALIASES} aliases: '{arn}'"
            )
        now = self.clock.now()
        self.store.put_alias(AliasRow(arn, name, description, text, now, now))
        return {"stateMachineAliasArn": f"{arn}:{name}", "creationDate": now}

    def describe_alias(self, state_machine_alias_arn: str) -> dict[str, Any]:
        """DescribeStateMachineAlias."""
        alias = self._alias(state_machine_alias_arn)
        described: dict[str, Any] = {
            "stateMachineAliasArn": state_machine_alias_arn,
            "name": alias.name,
            "routingConfiguration": json.loads(alias.routing),
            "creationDate": alias.created,
            "updateDate": alias.updated,
        }
        if alias.description is not None:
            described["description"] = alias.description
        return described

    def update_alias(
        self,
        state_machine_alias_arn: str,
        description: str | None = None,
        routing_configuration: list[Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """UpdateStateMachineAlias: a new description, routing, or both (one is required)."""
        if description is None and routing_configuration is None:
            raise ValidationException("Either the description or the routingConfiguration must be specified")
        alias = self._alias(state_machine_alias_arn)
        _check_description(description, "description")
        routing = json.loads(alias.routing)
        if routing_configuration is not None:
            arn, routing = self._routing(routing_configuration)
            if arn != alias.arn:
                raise ValidationException(
                    f"The routing configuration's versions must be versions of '{alias.arn}'"
                )
        self._not_deleting(alias.arn)
        now = self.clock.now()
        self.store.put_alias(
            AliasRow(
                alias.arn,
                alias.name,
                alias.description if description is None else description,
                json.dumps(routing),
                alias.created,
                now,
            )
        )
        return {"updateDate": now}

    def delete_alias(self, state_machine_alias_arn: str) -> dict[str, Any]:
        """DeleteStateMachineAlias: the versions it routed to stay."""
        alias = self._alias(state_machine_alias_arn)
        self.store.delete_alias(alias.arn, alias.name)
        return {}

    def list_aliases(
        self, state_machine_arn: str, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListStateMachineAliases of a machine, or of the version a version ARN names (the aliases
        routing to it); the most recently created first."""
        arn, qualifier = split_arn(state_machine_arn)
        if qualifier is not None:
            self._version(*self._version_arn(state_machine_arn), ResourceNotFound)
        else:
            self._machine_row(arn, deleting_too=True)
        aliases: Iterable[AliasRow] = self.store.aliases(arn)
        if qualifier is not None:
            aliases = [alias for alias in aliases if state_machine_arn in _routed(alias)]
        items = [
            {"stateMachineAliasArn": f"{arn}:{alias.name}", "creationDate": alias.created}
            for alias in aliases
        ]
        return _page(items, "stateMachineAliases", max_results, next_token)

    # --- executions -----------------------------------------------------------------------

    def resolve(self, state_machine_arn: str) -> Target:
        """What StartExecution with this ARN runs: an alias picks one of its versions by weight."""
        arn, qualifier = split_arn(state_machine_arn)
        if qualifier is None:
            return Target(arn)
        if qualifier.isdigit():
            version = self._version(arn, int(qualifier), StateMachineDoesNotExist)
            return Target(arn, version.revision, state_machine_arn)
        alias = self.store.alias(arn, qualifier)
        if alias is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{state_machine_arn}'")
        chosen = self._choose(json.loads(alias.routing))
        _, number = self._version_arn(chosen)
        version = self._version(arn, number, StateMachineDoesNotExist)
        return Target(arn, version.revision, chosen, state_machine_arn)

    def _choose(self, routing: list[dict[str, Any]]) -> str:
        point = self.rng.random() * 100
        total = 0
        for route in routing:
            total += int(route["weight"])
            if point < total:
                return str(route["stateMachineVersionArn"])
        return str(routing[-1]["stateMachineVersionArn"])

    def list_filter(self, state_machine_arn: str) -> tuple[str, tuple[str, str] | None]:
        """ListExecutions of a version or alias ARN: the machine, and the executions' filter."""
        arn, qualifier = split_arn(state_machine_arn)
        if qualifier is None:
            return arn, None
        return arn, ("version_arn" if qualifier.isdigit() else "alias_arn", state_machine_arn)

    def started_with(self, target: Target, record: ExecutionRecord) -> None:
        """Keep the version and alias a new execution was started with (nothing for the machine's ARN)."""
        if target.version_arn is None:
            return
        if record.id:
            self.store.qualify_execution(record.id, target.version_arn, target.alias_arn)
            return
        self._express[record.arn] = (target.version_arn, target.alias_arn)
        if len(self._express) > _EXPRESS_KEPT:
            self._express.popitem(last=False)

    def qualifiers(self, records: Iterable[ExecutionRecord]) -> dict[str, tuple[str | None, str | None]]:
        """``execution ARN -> (version ARN, alias ARN)`` of those started with a version or alias."""
        records = list(records)
        by_id = self.store.qualifiers(record.id for record in records)
        found = {record.arn: by_id[record.id] for record in records if record.id in by_id}
        found.update({r.arn: self._express[r.arn] for r in records if not r.id and r.arn in self._express})
        return found

    # --- helpers --------------------------------------------------------------------------

    def _unqualified(self, state_machine_arn: str) -> str:
        arn, qualifier = split_arn(state_machine_arn)
        if qualifier is not None:
            raise ValidationException(
                f"stateMachineArn must be the state machine's own ARN, not a version or alias ARN: "
                f"'{state_machine_arn}'"
            )
        return arn

    def _machine_row(self, arn: str, deleting_too: bool = False) -> dict[str, Any]:
        if not deleting_too:
            self._not_deleting(arn)
        row = self.machines.row(arn)
        if row is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        return row

    def _not_deleting(self, arn: str) -> None:
        if self.machines.is_deleting(arn):
            raise StateMachineDeleting(f"State Machine is being deleted: '{arn}'")

    def _version_arn(self, version_arn: str) -> tuple[str, int]:
        arn, qualifier = split_arn(version_arn)
        if qualifier is None or not qualifier.isdigit():
            raise InvalidArn(f"Invalid Arn: '{version_arn}': not a state machine version ARN")
        return arn, int(qualifier)

    def _version(self, arn: str, number: int, missing: type[Exception]) -> VersionRow:
        version = self.store.published_version(arn, number)
        if version is None:
            what = (
                "State Machine Does Not Exist"
                if missing is StateMachineDoesNotExist
                else "Resource not found"
            )
            raise missing(f"{what}: '{arn}:{number}'")
        return version

    def _alias(self, alias_arn: str) -> AliasRow:
        arn, qualifier = split_arn(alias_arn)
        if qualifier is None or qualifier.isdigit():
            raise InvalidArn(f"Invalid Arn: '{alias_arn}': not a state machine alias ARN")
        alias = self.store.alias(arn, qualifier)
        if alias is None:
            raise ResourceNotFound(f"Resource not found: '{alias_arn}'")
        return alias

    def _routing(self, routing: list[Mapping[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        """The machine a routingConfiguration's versions belong to, and the configuration checked."""
        if not isinstance(routing, list) or not 1 <= len(routing) <= 2:
            raise ValidationException("routingConfiguration must name one or two state machine versions")
        checked: list[dict[str, Any]] = []
        machines: set[str] = set()
        for route in routing:
            version_arn, weight = route.get("stateMachineVersionArn"), route.get("weight")
            if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= 100:
                raise ValidationException(
                    f"routingConfiguration: weight must be an integer from 0 to 100, got {weight!r}"
                )
            machines.add(self._version_arn(str(version_arn))[0])
            checked.append({"stateMachineVersionArn": str(version_arn), "weight": weight})
        if len(machines) > 1:
            raise ValidationException(
                "routingConfiguration: the versions must belong to the same state machine"
            )
        if len({route["stateMachineVersionArn"] for route in checked}) < len(checked):
            raise ValidationException("routingConfiguration: the two versions must differ")
        if sum(route["weight"] for route in checked) != 100:
            raise ValidationException("routingConfiguration: the weights must sum to 100")
        arn = machines.pop()
        if self.machines.row(arn) is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        for route in checked:
            self._version(*self._version_arn(route["stateMachineVersionArn"]), ResourceNotFound)
        return arn, checked


def _routed(alias: AliasRow) -> set[str]:
    return {str(route["stateMachineVersionArn"]) for route in json.loads(alias.routing)}


def _check_description(description: str | None, field: str) -> None:
    if description is not None and (not isinstance(description, str) or len(description) > _MAX_DESCRIPTION):
        raise ValidationException(
            "1 validation error detected: Value at "
            f"'{field}' failed to satisfy constraint: Member must have length less than or equal to "
            f"{_MAX_DESCRIPTION}"
        )


def _page(
    items: list[dict[str, Any]], key: str, max_results: int | None, next_token: str | None
) -> dict[str, Any]:
    size = page_size(max_results)
    start = int(decode_token(next_token, key)) if next_token else 0
    answer: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        answer["nextToken"] = encode_token(key, start + size)
    return answer
