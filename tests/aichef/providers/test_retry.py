"""Throttling backoff: bounded attempts, full jitter, the vendor's retry-after hint, never a real sleep."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aichef.errors import ProviderError
from aichef.providers import Throttled
from aichef.providers._retry import Backoff


def _flaky(failures: int, retry_after: float | None = None) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def call() -> str:
        calls.append(len(calls))
        if len(calls) <= failures:
            raise Throttled("fake", "ThrottlingException", "slow down", retry_after)
        return "done"

    return calls, call


def test_retries_until_success_with_growing_jittered_waits() -> None:
    waits: list[float] = []
    draws = iter([0.0, 1.0, 0.5])
    backoff = Backoff(attempts=4, base=1.0, cap=100.0, sleep=waits.append, rand=lambda: next(draws))
    calls, call = _flaky(3)
    assert backoff.call(call) == "done"
    assert len(calls) == 4
    assert waits == [0.0, 2.0, 2.0]  # rand × base·2ⁿ: 0 × 1, 1 × 2, 0.5 × 4


def test_gives_up_after_the_attempts_and_reraises_the_throttle() -> None:
    waits: list[float] = []
    backoff = Backoff(attempts=3, sleep=waits.append, rand=lambda: 1.0)
    calls, call = _flaky(10)
    with pytest.raises(Throttled):
        backoff.call(call)
    assert len(calls) == 3 and len(waits) == 2


def test_waits_never_exceed_the_cap_and_honour_a_longer_retry_after() -> None:
    backoff = Backoff(base=1.0, cap=8.0, rand=lambda: 1.0)
    assert [backoff.delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert Backoff(base=1.0, cap=8.0, rand=lambda: 0.1).delay(0, hint=3.0) == 3.0
    assert Backoff(base=1.0, cap=8.0, rand=lambda: 0.1).delay(0, hint=60.0) == 8.0


def test_other_provider_errors_are_not_retried() -> None:
    waits: list[float] = []
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        raise ProviderError("fake", "AccessDenied", "no")

    with pytest.raises(ProviderError):
        Backoff(sleep=waits.append).call(call)
    assert calls == [1] and waits == []


def test_on_retry_hears_each_throttle_and_wait() -> None:
    heard: list[tuple[str, float]] = []
    backoff = Backoff(attempts=3, base=1.0, sleep=lambda _s: None, rand=lambda: 0.5)
    _, call = _flaky(2, retry_after=0.1)
    backoff.call(call, lambda exc, wait: heard.append((exc.code, wait)))
    assert heard == [("ThrottlingException", 0.5), ("ThrottlingException", 1.0)]


def test_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="attempts"):
        Backoff(attempts=0)
