"""Retry and Catch: which error a retrier or catcher matches, and how long to wait.

``States.ALL`` matches every error except the terminal ones (``States.Runtime`` and
``States.DataLimitExceeded``); ``States.TaskFailed`` matches every error except
``States.Timeout`` (and the terminal ones). The first retrier that matches decides:
once its attempts are spent the error goes to the catchers, never to a later retrier.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asl.errors import ErrorName

__all__ = ["Catcher", "Retrier", "matches", "retry_delay"]

_NOT_TASK_FAILED = frozenset({ErrorName.TIMEOUT, ErrorName.HEARTBEAT_TIMEOUT})


def matches(error_equals: tuple[str, ...], error: str | None) -> bool:
    """Does an ``ErrorEquals`` list match this error name?"""
    name = error or ""
    if name in ErrorName.NOT_CAUGHT_BY_ALL:
        return name in error_equals
    for candidate in error_equals:
        if candidate == name or candidate == ErrorName.ALL:
            return True
        if (
            candidate == ErrorName.TASK_FAILED
            and name not in _NOT_TASK_FAILED
            and not name.startswith("States.")
        ):
            return True
    return False


@dataclass(frozen=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter: str = "NONE"

    @classmethod
    def from_definition(cls, spec: Mapping[str, Any]) -> Retrier:
        return cls(
            error_equals=tuple(spec["ErrorEquals"]),
            interval_seconds=spec.get("IntervalSeconds", 1),
            max_attempts=spec.get("MaxAttempts", 3),
            backoff_rate=spec.get("BackoffRate", 2.0),
            max_delay_seconds=spec.get("MaxDelaySeconds"),
            jitter=spec.get("JitterStrategy", "NONE"),
        )

    def delay(self, retries_so_far: int) -> float:
        """Seconds to wait before retry number ``retries_so_far + 1``."""
        delay = self.interval_seconds * self.backoff_rate**retries_so_far
        if self.max_delay_seconds is not None:
            delay = min(delay, self.max_delay_seconds)
        if self.jitter == "FULL":
            delay = random.uniform(0, delay)
        return float(delay)


@dataclass(frozen=True)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    spec: Mapping[str, Any]  # ResultPath (JSONPath) or Output/Assign (JSONata), compiled by the state


def retry_delay(retriers: tuple[Retrier, ...], counts: list[int], error: str | None) -> float | None:
    """The wait before the next attempt, or None when the error is not to be retried."""
    for index, retrier in enumerate(retriers):
        if matches(retrier.error_equals, error):
            if counts[index] >= retrier.max_attempts:
                return None
            delay = retrier.delay(counts[index])
            counts[index] += 1
            return delay
    return None
