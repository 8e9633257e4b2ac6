"""The runtime's state machines: Create, Describe, List and (with the executions) DeleteStateMachine.

Deleting follows AWS: the machine goes to ``DELETING`` at once and is deleted, with its
versions, its executions and their history, when its last running STANDARD execution has
ended. A running execution is stopped at its next state transition (ABORTED, just before
the machine and it are deleted), so one waiting in a Wait state or for a task token keeps
the machine ``DELETING`` until then, or until it is stopped. Meanwhile StartExecution,
CreateStateMachine of the same name and UpdateStateMachine raise
:class:`~asl.runtime.api_errors.StateMachineDeleting`. EXPRESS executions do not hold the
deletion back: they run to their end in memory.
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from asl._json import to_json
from asl.execution.activities import Activities
from asl.execution.callbacks import TaskTokens
from asl.execution.clock import Clock
from asl.integrations.jobs import Job
from asl.runtime.api_errors import (
    InvalidArn,
    InvalidLoggingConfiguration,
    StateMachineDeleting,
    StateMachineDoesNotExist,
)
from asl.runtime.interpreter import StateMachine
from asl.runtime.pages import check_name
from asl.store.executions import ExecutionStore
from asl.store.rows import encode_time

__all__ = [
    "DEFAULT_LOGGING",
    "DEFAULT_TRACING",
    "DELETED_CAUSE",
    "Machines",
    "logging_configuration",
    "tracing_configuration",
]

#: how many machines of older definitions are kept built (see Machines.machine)
_OLDER_KEPT = 64
#: the cause recorded on an execution stopped because its state machine is being deleted
DELETED_CAUSE = "The state machine was deleted."
#: what AWS's Describe* answer for a machine created without a logging or tracing configuration
DEFAULT_LOGGING: dict[str, Any] = {"level": "OFF", "includeExecutionData": False}
DEFAULT_TRACING: dict[str, Any] = {"enabled": False}


def logging_configuration(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """A loggingConfiguration as Describe* answers it: level and includeExecutionData always."""
    if given is None:
        return dict(DEFAULT_LOGGING)
    destinations = given.get("destinations") or []
    # AWS: destinations are "Limited to size 1. Required, if your log level is not set to OFF."
    if len(destinations) > 1 or (given.get("level", "OFF") != "OFF" and not destinations):
        raise InvalidLoggingConfiguration(
            "Invalid Logging Configuration: a level other than OFF needs exactly one log destination"
        )
    answer: dict[str, Any] = {
        "level": given.get("level", "OFF"),
        "includeExecutionData": bool(given.get("includeExecutionData", False)),
    }
    if given.get("destinations"):
        answer["destinations"] = list(given["destinations"])
    return answer


def tracing_configuration(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """A tracingConfiguration as Describe* answers it."""
    return {"enabled": bool((given or {}).get("enabled", False))}


class Machines:
    """The state machines a :class:`~asl.runtime.service.Runtime` serves, and which are being deleted.

    ``options`` are StateMachine options for machines made here; every machine is given the
    runtime's task ``tokens`` and ``activities`` so that callbacks and workers reach it.
    A deletion a stopped runtime left unfinished is finished at once (nothing of it runs here).
    """

    def __init__(
        self,
        store: ExecutionStore,
        clock: Clock,
        options: dict[str, Any],
        tokens: TaskTokens,
        activities: Activities,
    ) -> None:
        self.store = store
        self.clock = clock
        self.options = options
        self.tokens = tokens
        self.activities = activities
        self._machines: dict[str, tuple[int, StateMachine]] = {}
        # job-running services every machine here uses (``states``: nested executions, see Runtime)
        self.jobs: dict[str, Job] = {}
        # machines of older definitions (executions of a published version, resumed ones), so that
        # starting a version does not compile its definition each time; the last few used
        self._older: OrderedDict[tuple[str, int], StateMachine] = OrderedDict()
        self._deleting: set[str] = set()  # DELETING until their running executions end
        for row in self.store.state_machines():
            if row["status"] == "DELETING":
                self.store.delete_state_machine(row["arn"])

    def register(self, machine: StateMachine) -> str:
        """Serve a machine built elsewhere (its handlers, clock, integrations); returns its ARN."""
        if machine.arn in self._deleting:
            raise StateMachineDeleting(f"State Machine is being deleted: '{machine.arn}'")
        machine.tasks.tokens = self.tokens
        machine.tasks.activities = self.activities
        machine.tasks.jobs = self.jobs
        version = self.store.put_state_machine(
            machine.arn,
            machine.name,
            machine.type,
            machine.role_arn,
            to_json(machine.definition),
            self.clock.now(),
        )
        self._machines[machine.arn] = (version, machine)
        self._forget_older(machine.arn)  # they were given the replaced machine's handlers
        return machine.arn

    def create_state_machine(
        self, name: str, definition: Mapping[str, Any] | str | Path, type: str = "STANDARD", **options: Any
    ) -> dict[str, Any]:
        """CreateStateMachine; creating it again with another definition makes a new version."""
        check_name(name, "state machine name")
        if type not in ("STANDARD", "EXPRESS"):
            raise ValueError(f"type must be 'STANDARD' or 'EXPRESS', got {type!r}")
        machine = StateMachine(
            definition, name=name, type=type, clock=self.clock, **{**self.options, **options}
        )
        arn = self.register(machine)
        return {"stateMachineArn": arn, "creationDate": self.clock.now()}

    def describe_state_machine(self, state_machine_arn: str) -> dict[str, Any]:
        """DescribeStateMachine: ``revisionId`` only once the machine has been updated (as on AWS)."""
        _, machine = self.machine(state_machine_arn)
        row = self.row(machine.arn)
        described = {
            "stateMachineArn": machine.arn,
            "name": machine.name,
            "type": machine.type,
            "definition": to_json(machine.definition),
            "roleArn": row["role_arn"] if row else machine.role_arn,
            "status": "DELETING" if machine.arn in self._deleting else "ACTIVE",
            "loggingConfiguration": json.loads(row["logging"])
            if row and row["logging"]
            else dict(DEFAULT_LOGGING),
            "tracingConfiguration": json.loads(row["tracing"])
            if row and row["tracing"]
            else dict(DEFAULT_TRACING),
        }
        if row and row["revision"]:
            described["revisionId"] = row["revision"]
        return described

    def row(self, arn: str) -> dict[str, Any] | None:
        """The machine's row in the store (see :meth:`~asl.store.ExecutionStore.state_machines`)."""
        return next((row for row in self.store.state_machines() if row["arn"] == arn), None)

    def configure(
        self,
        arn: str,
        logging: Mapping[str, Any] | None = None,
        tracing: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        updated: bool = False,
    ) -> dict[str, Any]:
        """Keep a machine's logging and tracing configuration and its tags; ``updated`` gives it a
        new revision id and update date (UpdateStateMachine). Returns ``updateDate`` and ``revisionId``
        when updated."""
        fields: dict[str, str | None] = {}
        if logging is not None:
            fields["logging"] = to_json(logging_configuration(logging))
        if tracing is not None:
            fields["tracing"] = to_json(tracing_configuration(tracing))
        if tags is not None:
            fields["tags"] = to_json(dict(tags))
        answer: dict[str, Any] = {}
        if updated:
            answer = {"updateDate": self.clock.now(), "revisionId": str(uuid.uuid4())}
            fields["revision"] = answer["revisionId"]
            fields["updated"] = encode_time(answer["updateDate"])
        self.store.configure_state_machine(arn, **fields)
        return answer

    def tags(self, arn: str) -> dict[str, str]:
        row = self.row(arn)
        if row is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        tags: dict[str, str] = json.loads(row["tags"] or "{}")
        return tags

    def list_state_machines(self) -> dict[str, Any]:
        """ListStateMachines: a machine being deleted is listed until it is gone, as on AWS."""
        return {
            "stateMachines": [
                {
                    "stateMachineArn": row["arn"],
                    "name": row["name"],
                    "type": row["type"],
                    "creationDate": row["created"],
                }
                for row in self.store.state_machines()
            ]
        }

    def serves(self, machine_arn: str) -> bool:
        """Whether this runtime has built or registered the machine (its executions run here)."""
        return machine_arn in self._machines

    def is_deleting(self, machine_arn: str) -> bool:
        return machine_arn in self._deleting

    def begin_deletion(self, state_machine_arn: str) -> bool:
        """Mark a machine DELETING; False when it does not exist or is already going."""
        arn = state_machine_arn
        if not isinstance(arn, str) or not arn.startswith("arn:") or ":stateMachine:" not in arn:
            raise InvalidArn(f"Invalid Arn: '{arn}': stateMachineArn must be a state machine ARN")
        if arn in self._deleting or arn not in {row["arn"] for row in self.store.state_machines()}:
            return False
        self._deleting.add(arn)
        return True

    def finish_deletion(self, machine_arn: str) -> None:
        """Delete a DELETING machine, its versions and executions (none of them runs any more)."""
        self.store.delete_state_machine(machine_arn)
        self._deleting.discard(machine_arn)
        self._machines.pop(machine_arn, None)
        self._forget_older(machine_arn)

    def _forget_older(self, machine_arn: str) -> None:
        for key in [key for key in self._older if key[0] == machine_arn]:
            del self._older[key]

    def machine(self, arn: str, version: int | None = None) -> tuple[int, StateMachine]:
        found = self._machines.get(arn)
        if found is not None and (version is None or found[0] == version):
            return found
        if version is not None and (arn, version) in self._older:
            self._older.move_to_end((arn, version))
            return version, self._older[(arn, version)]
        current = {row["arn"]: row for row in self.store.state_machines()}.get(arn)
        if current is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        wanted = version or int(current["version"])
        definition = self.store.definition(arn, wanted)
        if definition is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}' version {wanted}")
        options = dict(self.options)
        machine = StateMachine(
            json.loads(definition), name=current["name"], type=current["type"], clock=self.clock, **options
        )
        if found is not None:  # an older version keeps the handlers the registered machine has
            machine.tasks = found[1].tasks
            machine.clock = found[1].clock
            machine.on_event = found[1].on_event
        machine.tasks.tokens, machine.tasks.activities = self.tokens, self.activities
        machine.tasks.jobs = self.jobs
        if found is None and wanted == int(current["version"]):
            self._machines[arn] = (wanted, machine)
        elif wanted != int(current["version"]):
            self._older[(arn, wanted)] = machine
            if len(self._older) > _OLDER_KEPT:
                self._older.popitem(last=False)
        return wanted, machine

    def starting(self, machine_arn: str, version: int | None = None) -> tuple[int, StateMachine]:
        """The machine a new execution would run (``version``: a published version's definition);
        refused while it is being deleted."""
        if machine_arn in self._deleting:
            raise StateMachineDeleting(f"State Machine is being deleted: '{machine_arn}'")
        return self.machine(machine_arn, version)
