"""Execution history: events shaped as GetExecutionHistory returns them.

Every event has ``timestamp``, ``type``, ``id`` and ``previousEventId`` and at most one
details object named as AWS names it (``stateEnteredEventDetails`` ...). Each thread of
control (the execution, a Parallel branch, a Map iteration) links its events through
``previousEventId`` with its own :class:`Cursor`, which also names the thread (``""`` for
the execution, ``"<started event id>.<index>"`` for a branch or an iteration) so that a
durable store can replay each thread's recorded events after a restart.

The events of the hot path (a state entered or exited, a Lambda function scheduled or
succeeded, an output) are kept compact until someone reads them (:meth:`History.add_compact`):
a tuple of atomic values, which the cyclic garbage collector stops tracking at its first pass,
instead of an event dict holding a details dict, two objects it would track for the execution's
life. Retained histories of many executions at once made its passes 10-15 % of the run time.
The dict GetExecutionHistory shows is made once, when the history is read (or handed to a
listener or the store), and kept in the history's place.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from asl import observe
from asl.errors import StatesError

__all__ = [
    "ENTERED",
    "EXITED",
    "LAMBDA_SCHEDULED",
    "MAX_EVENTS",
    "OUTPUT",
    "TASK_OUTPUT",
    "Cursor",
    "History",
    "ReplayDiverged",
    "details_key",
]

#: AWS keeps at most 25,000 events in one execution's history.
MAX_EVENTS = 25_000

#: the events that end an execution: written even when the history is full, as AWS does
#: when it fails an execution that reached the limit
_CLOSING = frozenset({"ExecutionFailed", "ExecutionSucceeded", "ExecutionTimedOut", "ExecutionAborted"})

#: a replay that hands back no recorded event for this long is abandoned (see caught_up)
STALL_SECONDS = 30.0

logger = logging.getLogger("asl")


_DETAILS_KEYS: dict[str, str] = {}
#: a compact event: (timestamp, type, id, previousEventId, shape, a, b, c), the shape's values
#: in a, b, c (None where it has fewer)
_Compact = tuple[Any, ...]
_HOOKS = observe.HOOKS
_STARTED = frozenset({"MapStateStarted", "ParallelStateStarted"})


# The compact details shapes (add_compact's ``shape``): each makes the details dict from the
# record's values a, b, c, keys in AWS's order; AWS never truncates here, hence the constant flags.
def _entered(a: str, b: Any, c: Any) -> dict[str, Any]:
    return {"name": a, "input": b, "inputDetails": {"truncated": False}}


def _exited(a: str, b: Any, c: Any) -> dict[str, Any]:
    return {"name": a, "output": b, "outputDetails": {"truncated": False}}


def _output(a: str, b: Any, c: Any) -> dict[str, Any]:
    return {"output": a, "outputDetails": {"truncated": False}}


def _lambda_scheduled(a: str, b: Any, c: Any) -> dict[str, Any]:
    return {"resource": a, "input": b, "inputDetails": {"truncated": False}}


def _task_output(a: str, b: Any, c: Any) -> dict[str, Any]:
    return {"resourceType": a, "resource": b, "output": c, "outputDetails": {"truncated": False}}


_SHAPES = (_entered, _exited, _output, _lambda_scheduled, _task_output)
#: a state entered (name, input text); exited (name, output text); an output alone (output text);
#: a Lambda function scheduled without a timeout (resource, input text); a task's output
#: (resource type, resource, output text)
ENTERED, EXITED, OUTPUT, LAMBDA_SCHEDULED, TASK_OUTPUT = range(len(_SHAPES))


def _event(record: _Compact) -> dict[str, Any]:
    """The event dict of a compact record, as :meth:`History.add` would have made it."""
    event_type = record[1]
    return {
        "timestamp": record[0],
        "type": event_type,
        "id": record[2],
        "previousEventId": record[3],
        _DETAILS_KEYS.get(event_type) or details_key(event_type): _SHAPES[record[4]](*record[5:]),
    }


def details_key(event_type: str) -> str:
    """The name of the details object for an event type.

    >>> details_key("PassStateEntered"), details_key("MapIterationStarted")
    ('stateEnteredEventDetails', 'mapIterationStartedEventDetails')
    """
    key = _DETAILS_KEYS.get(event_type)
    if key is None:
        if event_type.endswith("StateEntered"):
            key = "stateEnteredEventDetails"
        elif event_type.endswith("StateExited"):
            key = "stateExitedEventDetails"
        elif event_type.startswith("MapIteration"):
            key = "mapIterationStartedEventDetails".replace("Started", event_type[len("MapIteration") :])
        else:
            key = event_type[0].lower() + event_type[1:] + "EventDetails"
        _DETAILS_KEYS[event_type] = key
    return key


class ReplayDiverged(StatesError):
    """The definition no longer produces the recorded events: the execution cannot resume."""

    def __init__(self, thread: str, expected: str, got: str) -> None:
        super().__init__(
            "States.Runtime",
            f"Resuming the execution failed: thread '{thread or 'main'}' recorded a {expected} event "
            f"where the definition now produces {got}.",
        )


class Cursor:
    """The last event of one thread of control, so the next one can point at it."""

    __slots__ = ("last_id", "thread")

    def __init__(self, last_id: int = 0, thread: str = "") -> None:
        self.last_id = last_id
        self.thread = thread


class History:
    """The ordered events of one execution.

    ``listener`` (optional) sees every new event as it is added (the progress stream);
    ``sink`` (optional) sees it with its thread's name (the durable store).

    A history can be loaded with recorded events (:meth:`replay`): while a thread still
    has recorded events, :meth:`add` hands them back instead of adding new ones, so the
    interpreter can run again over a recorded execution without repeating its work.
    """

    def __init__(
        self,
        now: Callable[[], datetime],
        listener: Callable[[dict[str, Any]], None] | None = None,
        sink: Callable[[dict[str, Any], str], None] | None = None,
    ) -> None:
        # event dicts, and compact records (see add_compact) until someone reads them
        self._events: list[Any] = []
        self._now = now
        self._listener = listener
        self.sink = sink
        self.replaying = False
        self._queues: dict[str, deque[dict[str, Any]]] = {}
        self._left = 0
        self._caught_up: asyncio.Event | None = None
        self._thread_of: dict[int, str] = {}  # id of a Map/ParallelStateStarted -> its thread
        # (state machine ARN, execution ARN) once the execution owns it: new events are counted
        self._observed: tuple[str, str] | None = None
        self._metrics: observe.ExecutionMetrics | None = None

    # --- reading -----------------------------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        """The events as GetExecutionHistory lists them (a new list; the dicts are the history's own)."""
        events = self._events
        for index, event in enumerate(events):
            if type(event) is tuple:
                events[index] = _event(event)
        return events.copy()

    @property
    def last_id(self) -> int:
        """The id of the last event (0 before the first): how many events there are."""
        return len(self._events)

    def event(self, event_id: int) -> dict[str, Any]:
        """One event by its id."""
        event = self._events[event_id - 1]
        if type(event) is tuple:
            event = self._events[event_id - 1] = _event(event)
        return event  # type: ignore[no-any-return]

    def timestamp(self, event_id: int) -> datetime:
        """When the event of this id was added (or recorded, when replayed)."""
        event = self._events[event_id - 1]
        return event[0] if type(event) is tuple else event["timestamp"]  # type: ignore[no-any-return]

    def previous_id(self, event_id: int) -> int:
        """The ``previousEventId`` of the event of this id."""
        event = self._events[event_id - 1]
        return event[3] if type(event) is tuple else event["previousEventId"]  # type: ignore[no-any-return]

    @property
    def observed(self) -> tuple[str, str] | None:
        """(state machine ARN, execution ARN) once an execution owns the history: its new events
        are counted and logged (:func:`asl.observe.history_event`)."""
        return self._observed

    @observed.setter
    def observed(self, value: tuple[str, str] | None) -> None:
        self._observed = value
        # made once: whether states' entered and exited events are logged is read as the
        # execution starts (asking the logger twice per transition was a tenth of its cost)
        self._metrics = observe.ExecutionMetrics(*value) if value is not None else None

    # --- replay ----------------------------------------------------------------------------

    def replay(
        self, events: Iterable[tuple[dict[str, Any], str]], skipped: frozenset[int] = frozenset()
    ) -> None:
        """Load recorded ``(event, thread)`` pairs; events whose id is in ``skipped`` stay in
        the history but are not handed back (redrive reruns the states they belong to)."""
        for event, thread in events:
            self._events.append(event)
            if event["type"] in _STARTED:
                self._thread_of[event["id"]] = thread
            if event["id"] not in skipped:
                self._queues.setdefault(thread, deque()).append(event)
                self._left += 1
        self.replaying = self._left > 0

    def drop_subtree(self, started_id: int) -> None:
        """Forget the recorded events of the branches or iterations under a Map/Parallel start.

        Called when they were cancelled (a sibling failed): a replay can cancel them earlier
        than the original run did, and what they had recorded then will never be asked for.
        """
        if not self.replaying:
            return
        for thread in [t for t in self._queues if self._descends(t, started_id)]:
            self._left -= len(self._queues.pop(thread))
        if self._left == 0:
            self.abandon_replay()

    def _descends(self, thread: str, started_id: int) -> bool:
        while thread:
            parent_start = int(thread.split(".", 1)[0])
            if parent_start == started_id:
                return True
            thread = self._thread_of.get(parent_start, "")
        return False

    def peek(self, cursor: Cursor) -> dict[str, Any] | None:
        """The next recorded event of this thread, if any."""
        queue = self._queues.get(cursor.thread)
        return queue[0] if queue else None

    def thread_live(self, cursor: Cursor) -> bool:
        """True when this thread has no recorded events left."""
        return not self._queues.get(cursor.thread)

    async def caught_up(self) -> None:
        """Wait until every thread has handed back its recorded events.

        A thread that has run out of recorded events waits here before doing anything with
        side effects, so that work the original run never started (a branch cancelled by
        its sibling's failure) is not started by the replay either.
        """
        if not self.replaying:
            return
        if self._caught_up is None:
            self._caught_up = asyncio.Event()
        while True:
            left = self._left
            try:
                await asyncio.wait_for(self._caught_up.wait(), STALL_SECONDS)
                return
            except TimeoutError:
                # a replay hands back events without waiting for anything: no progress at all
                # means some recorded thread will never be reached; go on rather than hang
                if self._left == left:
                    logger.warning(
                        "replay made no progress for %s s with %d recorded events left; going on live",
                        STALL_SECONDS,
                        left,
                    )
                    self.abandon_replay()
                    return

    def _next_recorded(self, cursor: Cursor, event_type: str) -> int:
        queue = self._queues[cursor.thread]
        event = queue.popleft()
        if event["type"] != event_type:
            raise ReplayDiverged(cursor.thread, event["type"], event_type)
        self._left -= 1
        if self._left == 0:
            self.replaying = False
            if self._caught_up is not None:
                self._caught_up.set()
        cursor.last_id = event["id"]
        return int(event["id"])

    def abandon_replay(self) -> None:
        """Stop replaying (the execution ended or was stopped before its threads caught up)."""
        self._queues.clear()
        self._left = 0
        self.replaying = False
        if self._caught_up is not None:
            self._caught_up.set()

    # --- adding ------------------------------------------------------------------------------

    def add(self, cursor: Cursor, event_type: str, details: dict[str, Any] | None = None) -> int:
        # Events are only added from the event loop's thread (handlers on worker threads
        # return their results to it), so appending needs no lock. This runs for many
        # transitions: it is written for speed (no call that an inline step can replace).
        if self.replaying and self._queues.get(cursor.thread):
            return self._next_recorded(cursor, event_type)
        events = self._events
        event_id = len(events) + 1
        if event_id > MAX_EVENTS and event_type not in _CLOSING:
            self._full()
        event: dict[str, Any] = {
            "timestamp": self._now(),
            "type": event_type,
            "id": event_id,
            "previousEventId": cursor.last_id,
        }
        if details is not None:
            event[_DETAILS_KEYS.get(event_type) or details_key(event_type)] = details
        events.append(event)
        cursor.last_id = event_id
        if self._listener is not None or self.sink is not None or self._metrics is not None:
            self._announce(cursor.thread, event_type, event)
        return event_id

    def add_compact(
        self, cursor: Cursor, event_type: str, shape: int, a: str, b: str | None = None, c: str | None = None
    ) -> int:
        """:meth:`add` for an event whose details have one of the compact shapes (``ENTERED`` ...):
        the same event, kept as a tuple of the shape's values (strings) until someone reads it."""
        if self.replaying and self._queues.get(cursor.thread):
            return self._next_recorded(cursor, event_type)
        events = self._events
        event_id = len(events) + 1
        if event_id > MAX_EVENTS and event_type not in _CLOSING:
            self._full()
        if self._listener is not None or self.sink is not None:
            # they see the event now: the dict they are handed is the history's own
            event = {
                "timestamp": self._now(),
                "type": event_type,
                "id": event_id,
                "previousEventId": cursor.last_id,
                _DETAILS_KEYS.get(event_type) or details_key(event_type): _SHAPES[shape](a, b, c),
            }
            events.append(event)
            cursor.last_id = event_id
            self._announce(cursor.thread, event_type, event)
            return event_id
        record = (self._now(), event_type, event_id, cursor.last_id, shape, a, b, c)
        cursor.last_id = event_id
        events.append(record)
        metrics = self._metrics
        if metrics is not None:
            hook = _HOOKS.get(event_type)  # the few event types that are counted
            if hook is not None:
                hook(metrics, cursor.thread, _event(record))  # a dict dropped at once: not kept
            elif metrics.log_transitions:
                metrics.event(cursor.thread, _event(record))
        return event_id

    def _announce(self, thread: str, event_type: str, event: dict[str, Any]) -> None:
        """Hand a new event to the listener, the sink and the metrics."""
        if self._listener is not None:
            self._listener(event)
        if self.sink is not None:
            self.sink(event, thread)
        metrics = self._metrics
        if metrics is not None:
            hook = _HOOKS.get(event_type)  # the few event types that are counted
            if hook is not None:
                hook(metrics, thread, event)
            elif metrics.log_transitions:
                metrics.event(thread, event)

    @staticmethod
    def _full() -> None:
        raise StatesError(
            "States.Runtime",
            f"The execution reached the maximum number of history events ({MAX_EVENTS}).",
        )

    def types(self) -> list[str]:
        return [event[1] if type(event) is tuple else event["type"] for event in self._events]
