"""Session items: created when a session starts, updated by the workflow, read by everyone.

The workflow writes ``status``/``phase``/``progress``/``updatedAt`` and adds each step's progress
to the number set ``steps`` (and ``error`` as the JSON of Step Functions' ``{"Error", "Cause"}``);
:func:`session_view` turns an item into what the command line and the API show, with a readable
error message. Status values are the design's: ``processing``, ``completed``, ``failed``; phases
``recipe_generation`` (10), ``recipe_completed`` (50), ``price_lookup`` (60), ``price_completed``
(80), ``combining_results`` (90), ``finished`` (100). Items written in the old upper-case words
read in the new ones (:func:`current_words`).

>>> session_view({"sessionId": "s", "status": "RUNNING", "phase": "PRICES_COMPLETED", "progress": 80})
{'sessionId': 's', 'status': 'processing', 'phase': 'price_completed', 'progress': 80, 'error': None}
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from aichef.errors import InvalidInput
from aichef.models import SessionRequest, parse_session
from aichef.session_ids import new_session_id

__all__ = [
    "PHASES",
    "SESSION_TTL",
    "TERMINAL",
    "create_session",
    "current_words",
    "new_item",
    "now_iso",
    "owner_hash",
    "progress_events",
    "session_request",
    "session_view",
    "writing_recorder",
]

TERMINAL = frozenset({"completed", "failed"})
# Every phase with its progress, in order (the workflow's status updates write them).
PHASES: dict[str, int] = {
    "recipe_generation": 10,
    "recipe_completed": 50,
    "price_lookup": 60,
    "price_completed": 80,
    "combining_results": 90,
    "finished": 100,
}
# A session item expires (DynamoDB TTL ``expiresAt``) a day after its result does (7 days).
SESSION_TTL = timedelta(days=8)

_OLD_STATUS = {"PENDING": "processing", "RUNNING": "processing", "COMPLETED": "completed", "FAILED": "failed"}
_OLD_PHASE = {
    "CREATED": "recipe_generation",
    "RECIPE_GENERATION": "recipe_generation",
    "RECIPE_COMPLETED": "recipe_completed",
    "PRICE_LOOKUP": "price_lookup",
    "PRICES_COMPLETED": "price_completed",
    "COMBINING": "combining_results",
    "COMPLETED": "finished",
    "VALIDATION_FAILED": "finished",
    "RECIPE_FAILED": "finished",
    "FAILED": "finished",
}
# Attributes kept on the item for the server's own use, never shown.
_PRIVATE = frozenset({"owner", "steps", "expiresAt"})
_PHASE_AT = {progress: phase for phase, progress in PHASES.items()}
# How often, at most, a model that streams its answer has its progress written to the item.
WRITING_INTERVAL = 1.0
_LOG = logging.getLogger("aichef.sessions")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def owner_hash(client_id: str) -> str:
    """What is stored of a browser's id: a SHA-256, so the tables never hold the id itself.

    >>> owner_hash("abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(client_id.encode()).hexdigest()


def session_request(body: Mapping[str, Any]) -> SessionRequest:
    """What a start body asks for, read once by every way a session starts (the command line and
    the web API through :meth:`aichef.service.Kitchen.start_session`, the API on AWS through
    :mod:`aichef.handlers.session`): a body without ``sessionId`` gets a new one, then the whole
    request, profile and all, is validated (InvalidInput naming every bad field) before anything
    is written."""
    data = dict(body)
    if not data.get("sessionId"):
        data["sessionId"] = new_session_id()
    return parse_session(data)


def new_item(request: SessionRequest, owner: str | None = None) -> dict[str, Any]:
    """The item of a session just started: processing, before its first step."""
    now = now_iso()
    item: dict[str, Any] = {
        "sessionId": request.sessionId,
        "status": "processing",
        "phase": "recipe_generation",
        "progress": 0,
        "createdAt": now,
        "updatedAt": now,
        "target": request.profile.target,
        "language": request.profile.language,
        "expiresAt": int(time.time() + SESSION_TTL.total_seconds()),
    }
    if owner is not None:
        item["owner"] = owner
    return item


def create_session(table: Any, request: SessionRequest, owner: str | None = None) -> dict[str, Any]:
    """Write the new session item; a sessionId already in use is refused."""
    from botocore.exceptions import ClientError

    item = new_item(request, owner)
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(sessionId)")
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise already_exists(request.sessionId) from None
        raise
    return session_view(item)


def already_exists(session_id: str) -> InvalidInput:
    return InvalidInput.one("sessionId", f"session {session_id!r} already exists")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def current_words(status: Any, phase: Any) -> tuple[Any, Any]:
    """A status and phase in today's words (items stored before the rename used upper case)."""
    return _OLD_STATUS.get(status, status), _OLD_PHASE.get(phase, phase)


def session_view(item: dict[str, Any]) -> dict[str, Any]:
    """The public view of a session item (``writing`` only while the recipe is being generated).

    >>> session_view({"sessionId": "s", "phase": "recipe_generation", "writing": {"pieces": Decimal(7)}})
    {'sessionId': 's', 'phase': 'recipe_generation', 'writing': {'pieces': 7}, 'error': None}
    >>> "writing" in session_view({"sessionId": "s", "phase": "price_lookup", "writing": {"pieces": 9}})
    False
    """
    view = {key: _plain(value) for key, value in item.items() if key not in _PRIVATE}
    if "status" in view or "phase" in view:
        status, phase = current_words(view.get("status"), view.get("phase"))
        if "status" in view:
            view["status"] = status
        if "phase" in view:
            view["phase"] = phase
    writing = view.pop("writing", None)
    if isinstance(writing, dict) and view.get("phase") == "recipe_generation":
        view["writing"] = {key: _plain(value) for key, value in writing.items()}
    error = view.get("error")
    if isinstance(error, str):
        view["error"] = _readable_error(error)
    view.setdefault("error", None)
    return view


def progress_events(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The session's steps in order, as views: one per status update the workflow made (the
    progress numbers in ``steps``; a number set costs the update next to nothing), so a subscriber
    who came late (or polled slowly) still sees 10, 50, 60, 80, 90, 100. The last is the item as
    it is now (with its error, if it failed)."""
    view = session_view(item)
    steps: list[dict[str, Any]] = []
    for progress in sorted(int(number) for number in item.get("steps") or ()):
        phase = _PHASE_AT.get(progress)
        if phase is not None:
            step = {**view, "status": "processing", "phase": phase, "progress": progress, "error": None}
            step.pop("writing", None)  # a replayed step is how it began; only the current one writes
            steps.append(step)
    if not steps or (steps[-1]["phase"], steps[-1]["progress"]) != (view.get("phase"), view.get("progress")):
        steps.append(view)
    else:
        steps[-1] = view
    return steps


def writing_recorder(
    table: Any, session_id: str, interval: float | None = None, clock: Callable[[], float] = time.monotonic
) -> Callable[[int, str], None]:
    """An ``on_tokens`` callback for a model that streams: records ``writing`` = ``{"pieces", "at"}``
    on the session item, at most once per ``interval`` seconds (default :data:`WRITING_INTERVAL`).

    Only ``writing`` is set, and only while the item is still in ``recipe_generation`` (a
    condition, so a late write never lands on a later phase or recreates a deleted item); the text
    is never stored (it may hold anything). The pieces of a repair's answer add to the first's, so
    the count only grows. A failed write is logged at DEBUG and forgotten: the
    recipe matters more than its progress."""
    every = WRITING_INTERVAL if interval is None else interval
    lock = threading.Lock()
    last: list[float] = []
    counted = {"before": 0, "previous": 0}  # a repair request starts counting at 1 again

    def record(pieces: int, text: str) -> None:
        now = clock()
        with lock:
            if pieces < counted["previous"]:  # a new answer (a repair): the count goes on growing
                counted["before"] += counted["previous"]
            counted["previous"] = pieces
            pieces += counted["before"]
            if last and now - last[0] < every:
                return
            last[:] = [now]
        try:
            table.update_item(
                Key={"sessionId": session_id},
                UpdateExpression="SET #writing = :writing",
                ConditionExpression="attribute_exists(sessionId) AND #phase = :phase",
                ExpressionAttributeNames={"#writing": "writing", "#phase": "phase"},
                ExpressionAttributeValues={
                    ":writing": {"pieces": int(pieces), "at": now_iso()},
                    ":phase": "recipe_generation",
                },
            )
        except Exception as exc:  # progress is a courtesy: the recipe goes on whatever happened here
            _LOG.debug("session %s: writing progress not recorded (%s)", session_id, type(exc).__name__)

    return record


def _readable_error(text: str) -> dict[str, Any]:
    try:
        failure = json.loads(text)
    except json.JSONDecodeError:
        return {"code": "Error", "message": text}
    if not isinstance(failure, dict):
        return {"code": "Error", "message": text}
    code = failure.get("Error") or "Error"
    cause = failure.get("Cause")
    message = cause or code
    if isinstance(cause, str):
        try:
            lambda_error = json.loads(cause)
        except json.JSONDecodeError:
            lambda_error = None
        if isinstance(lambda_error, dict) and "errorMessage" in lambda_error:
            message = lambda_error["errorMessage"]
    return {"code": code, "message": message}
