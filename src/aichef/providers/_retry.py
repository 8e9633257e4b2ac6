"""Retrying throttled model calls: bounded exponential backoff with full jitter, sleep injectable."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from aichef.providers.base import Throttled

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """``attempts`` calls at most; before call n+1 wait a uniform random time in [0, min(cap, base·2ⁿ)]
    ("full jitter", so many clients throttled together do not come back in step), or the vendor's
    retry-after hint when it is longer, never more than ``cap``.

    >>> waits: list[float] = []
    >>> Backoff(attempts=3, base=1.0, sleep=waits.append, rand=lambda: 0.5).delay(2)
    2.0
    """

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = field(default=random.random)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")

    def delay(self, retry: int, hint: float | None = None) -> float:
        """The wait before retry number ``retry`` (0 for the first retry)."""
        jittered = self.rand() * min(self.cap, self.base * 2.0**retry)
        if hint is not None and hint > jittered:
            return min(self.cap, hint)
        return jittered

    def call(self, fn: Callable[[], T], on_retry: Callable[[Throttled, float], None] | None = None) -> T:
        """Call ``fn``; on :class:`Throttled` wait and try again, re-raising after ``attempts`` calls."""
        for retry in range(self.attempts):
            try:
                return fn()
            except Throttled as exc:
                if retry + 1 >= self.attempts:
                    raise
                wait = self.delay(retry, exc.retry_after)
                if on_retry is not None:
                    on_retry(exc, wait)
                self.sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
