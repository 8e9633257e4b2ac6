"""Integrations that run jobs: what a Task's ``.sync`` pattern asks of the service serving it.

A job runs in two steps, each recorded in the history as AWS records it: the service starts
the job (its answer is the ``TaskSubmitted`` output, or the task's result without ``.sync``)
and, for ``.sync`` and ``.sync:2``, the task then waits for the job's end (``TaskSucceeded``
or ``TaskFailed``). A durable execution resumed between the two waits again for the job it
had started: the second step is given the first step's recorded answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

__all__ = ["SYNC_PATTERNS", "Job", "Origin"]

#: the patterns that wait for a job's end ("Run a Job" in AWS's developer guide)
SYNC_PATTERNS = frozenset({".sync", ".sync:2"})


@dataclass(frozen=True)
class Origin:
    """The task that starts a job: its execution and its ``TaskScheduled`` event.

    A replay of the execution hands back the same event, so a job started again after a
    restart can be recognised as the one started before (see :mod:`asl.integrations.stepfunctions`).
    """

    execution_arn: str
    event_id: int
    scheduled: datetime


class Job(Protocol):
    """A service whose tasks start jobs (``arn:aws:states:::<service>:<action>[.sync|.sync:2]``)."""

    async def start(self, action: str, pattern: str, parameters: Any, origin: Origin) -> dict[str, Any]:
        """Start the job; the answer is the service's response to the start call."""
        ...

    async def result(
        self, action: str, pattern: str, submitted: dict[str, Any], aborted: Callable[[], bool]
    ) -> Any:
        """Wait for the end of the job :meth:`start` answered ``submitted`` for; its result, or
        raise its failure as a ``StatesError``. Cancelled while ``aborted()`` is true, the
        execution was stopped and the job should be stopped too."""
        ...
