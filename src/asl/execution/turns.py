"""When a task lets the event loop run other work before its own: only when other work waits.

A Python handler that only computes runs inline, so without a turn now and then one
execution's chain of tasks would hold the loop (and a web server sharing it) until its next
real wait. A turn before every task was fair but costs a loop iteration each time, the
largest part of a quick task's cost when nothing else runs. So a task takes its turn when
other callbacks are ready to run (the same interleaving as before, so concurrent branches
still alternate), or when no turn was taken for :data:`SLICE_SECONDS` (a request arriving
on a socket is only seen when the loop polls, which a turn makes it do).
"""

from __future__ import annotations

import asyncio
import threading
import time

__all__ = ["SLICE_SECONDS", "turn_due"]

#: the longest a chain of inline tasks holds the loop while nothing else is ready to run
SLICE_SECONDS = 0.002


class _LastTurn(threading.local):
    """When a task of this thread's event loop last took its turn (each loop has its thread)."""

    at = 0.0


_last_turn = _LastTurn()


def turn_due() -> bool:
    """True when the running task should yield to the event loop (``await asyncio.sleep(0)``)
    before its work; the caller then yields."""
    # asyncio's own loops keep the callbacks ready to run in ``_ready``; a loop that does not
    # (uvloop) gets a turn every time, as before
    ready = getattr(asyncio.get_running_loop(), "_ready", None)
    now = time.monotonic()
    if ready is None or ready or now - _last_turn.at >= SLICE_SECONDS:
        _last_turn.at = now
        return True
    return False
