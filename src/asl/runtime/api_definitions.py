"""What CreateStateMachine and UpdateStateMachine refuse beyond the definition's own schema.

AWS checks a definition against the machine's type and its known service integrations when it
is created or updated, not when it runs: an EXPRESS machine cannot wait for a task token, run
a ``.sync`` job or poll an activity, and an optimised integration names an action the service
offers (``dynamodb:query`` is not one: it is reached through ``aws-sdk:dynamodb:query``).
The role must be an IAM role ARN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from asl.errors import Problem
from asl.execution.tasks import classify

__all__ = ["ROLE_ARN", "creation_problems"]

#: an IAM role ARN as AWS accepts it for ``roleArn`` (a 12-digit account, a role path and name)
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")

# The optimised integrations whose actions and patterns AWS lists in full, by service: the
# action and the patterns it has ("" is request-response). Services not named here (ECS, Glue,
# Batch, ... and every ``aws-sdk:*`` one) are not checked: their lists are long and change.
_OPTIMISED: dict[str, dict[str, frozenset[str]]] = {
    "dynamodb": {a: frozenset({""}) for a in ("getItem", "putItem", "updateItem", "deleteItem")},
    "lambda": {"invoke": frozenset({"", ".waitForTaskToken"})},
    "sns": {"publish": frozenset({"", ".waitForTaskToken"})},
    "sqs": {"sendMessage": frozenset({"", ".waitForTaskToken"})},
    "events": {"putEvents": frozenset({"", ".waitForTaskToken"})},
    "states": {"startExecution": frozenset({"", ".sync", ".sync:2", ".waitForTaskToken"})},
}


def creation_problems(definition: Mapping[str, Any], type: str) -> list[Problem]:
    """The problems AWS reports when a machine of ``type`` is created with ``definition``."""
    problems: list[Problem] = []
    for location, resource in _task_resources(definition, ""):
        if not isinstance(resource, str) or "{%" in resource:
            continue  # a JSONata or absent Resource is the schema's business
        call = classify(resource)
        where = f"{location}/Resource"
        if type == "EXPRESS" and call.kind == "activity":
            problems.append(
                Problem(
                    "SCHEMA_VALIDATION_FAILED", "Express state machine does not support Activity ARN", where
                )
            )
        if call.kind != "integration":
            continue
        if type == "EXPRESS" and call.pattern in (".waitForTaskToken", ".sync", ".sync:2"):
            problems.append(
                Problem(
                    "SCHEMA_VALIDATION_FAILED",
                    f"Express state machine does not support '{call.pattern}' service integration",
                    where,
                )
            )
        if call.service == "aws-sdk" and call.pattern in (".sync", ".sync:2"):
            problems.append(_unknown(resource, where))  # SDK integrations have no .sync pattern
            continue
        actions = _OPTIMISED.get(call.service)
        if actions is None:
            continue
        patterns = actions.get(call.action)
        if patterns is None or call.pattern not in patterns:
            problems.append(_unknown(resource, where))
    return problems


def _unknown(resource: str, where: str) -> Problem:
    return Problem(
        "SCHEMA_VALIDATION_FAILED",
        f"The resource provided {resource} not recognized. The value is not a valid resource "
        "ARN, or the resource is not available in this region.",
        where,
    )


def _task_resources(node: Mapping[str, Any], at: str) -> Iterator[tuple[str, Any]]:
    """``(JSON pointer of the state, its Resource)`` of every Task, in branches and Maps too."""
    states = node.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        here = f"{at}/States/{name}"
        if state.get("Type") == "Task" and "Resource" in state:
            yield here, state["Resource"]
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, Mapping):
                yield from _task_resources(branch, f"{here}/Branches/{index}")
        for key in ("ItemProcessor", "Iterator"):
            inner = state.get(key)
            if isinstance(inner, Mapping):
                yield from _task_resources(inner, f"{here}/{key}")
