"""Lambda handlers for daily_analysis.asl.json: one day of cooking sessions, scanned and summed three ways.

Plain ``handler(event, context)`` functions, as Lambda calls them. On Lambda (where
``AWS_LAMBDA_FUNCTION_NAME`` is set) the tables are boto3's; anywhere else they are local
``asl.dynamodb`` tables in ``$ASL_TABLES`` (what ``asl run --tables PATH`` sets), else asl's
default file. A session item has ``sessionId``, ``createdAt`` (ISO time, UTC), ``status``
(PENDING, RUNNING, COMPLETED, FAILED), ``target``, ``servings``, ``costKrw`` once completed and
``phase`` (where a failed one stopped).
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

SESSIONS_TABLE = os.environ.get("SESSIONS_TABLE", "AiChefSessions")
ALERTS_TABLE = os.environ.get("ALERTS_TABLE", "AiChefAlerts")
REPORTS_TABLE = "AiChefDailyReports"  # written by the definition's own putItem tasks
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_lock = threading.Lock()
_store: Any = None


# -- handlers --------------------------------------------------------------------------------


def sessions_per_target(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sessions started on the day, per target, with completion and failure rates."""
    sessions = list(_sessions_of(_day(event)))
    by_target: dict[str, Counter[str]] = defaultdict(Counter)
    for session in sessions:
        by_target[str(session.get("target", "unknown"))][str(session["status"])] += 1
    total = Counter(str(s["status"]) for s in sessions)
    return {
        **_rates(total),
        "running": total["RUNNING"] + total["PENDING"],
        "byTarget": {target: _rates(counts) for target, counts in sorted(by_target.items())},
    }


def cost_per_serving(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Average cost per serving (KRW) of the day's completed sessions, overall and per target."""
    per_target: dict[str, list[Decimal]] = defaultdict(list)
    for session in _sessions_of(_day(event)):
        if session["status"] == "COMPLETED" and session.get("costKrw") and session.get("servings"):
            per_target[str(session.get("target", "unknown"))].append(
                Decimal(session["costKrw"]) / Decimal(session["servings"])
            )
    every = [cost for costs in per_target.values() for cost in costs]
    return {
        "sessions": len(every),
        "averageKrw": _average(every),
        "byTarget": {target: _average(costs) for target, costs in sorted(per_target.items())},
    }


def failures_by_phase(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The day's failed sessions grouped by the phase they stopped in, with a few ids to look at."""
    examples: dict[str, list[str]] = defaultdict(list)
    for session in _sessions_of(_day(event)):
        if session["status"] == "FAILED":
            examples[str(session.get("phase", "UNKNOWN"))].append(str(session["sessionId"]))
    return {
        "failed": sum(len(ids) for ids in examples.values()),
        "byPhase": {phase: len(ids) for phase, ids in sorted(examples.items())},
        "examples": {phase: sorted(ids)[:3] for phase, ids in sorted(examples.items())},
    }


def send_alert(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Record the day's alert (one per day: a rerun replaces it) and publish it when a topic is set."""
    day = _day(event)
    rate, threshold = float(event["failureRate"]), float(event["threshold"])
    phases = ", ".join(f"{phase} {count}" for phase, count in event.get("byPhase", {}).items())
    message = f"AI Chef {day}: {rate:.1%} of finished sessions failed (over {threshold:.0%}); {phases}"
    _table(ALERTS_TABLE).put_item(
        Item={
            "reportDate": day,
            "message": message,
            "failureRate": Decimal(str(rate)),
            "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    topic = os.environ.get("ALERT_TOPIC_ARN")
    if topic:
        import boto3

        boto3.client("sns").publish(TopicArn=topic, Subject=f"AI Chef daily analysis {day}", Message=message)
    return {"alertId": day, "message": message, "published": bool(topic)}


HANDLERS: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {
    "analysis-sessions-per-target": sessions_per_target,
    "analysis-cost-per-serving": cost_per_serving,
    "analysis-failures-by-phase": failures_by_phase,
    "analysis-send-alert": send_alert,
}


# -- figures -----------------------------------------------------------------------------------


def _day(event: dict[str, Any]) -> str:
    day = event.get("day")
    if not isinstance(day, str) or not _DAY.match(day):
        raise ValueError(f"day must be a date as YYYY-MM-DD, got {day!r}")
    return day


def _rates(counts: Counter[str]) -> dict[str, Any]:
    total = sum(counts.values())
    finished = counts["COMPLETED"] + counts["FAILED"]
    return {
        "sessions": total,
        "completed": counts["COMPLETED"],
        "failed": counts["FAILED"],
        "completionRate": round(counts["COMPLETED"] / total, 4) if total else 0,
        # of the sessions that ended: one still running is neither a success nor a failure yet
        "failureRate": round(counts["FAILED"] / finished, 4) if finished else 0,
    }


def _average(values: list[Decimal]) -> int:
    return int((sum(values, Decimal(0)) / len(values)).to_integral_value()) if values else 0


def _sessions_of(day: str) -> Iterator[dict[str, Any]]:
    """Scan the sessions table for one day's items, page by page (the table is keyed by sessionId)."""
    table = _table(SESSIONS_TABLE)
    params: dict[str, Any] = {
        "FilterExpression": "begins_with(createdAt, :day)",
        "ExpressionAttributeValues": {":day": day},
    }
    while True:
        page = table.scan(**params)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# -- where tables live -------------------------------------------------------------------------


def create_tables(store: Any) -> None:
    """Create the sessions, reports and alerts tables in an ``asl.dynamodb.TableStore`` if missing."""
    store.create_table(SESSIONS_TABLE, partition_key=("sessionId", "S"), exist_ok=True)
    store.create_table(REPORTS_TABLE, partition_key=("reportDate", "S"), exist_ok=True)
    store.create_table(ALERTS_TABLE, partition_key=("reportDate", "S"), exist_ok=True)


def use_store(store: Any) -> None:
    """Serve the tables from this ``TableStore`` (tests give an in-memory one); None forgets it."""
    global _store
    with _lock:
        _store = store
    if store is not None:
        create_tables(store)


def _table(name: str) -> Any:
    if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
        import boto3

        return boto3.resource("dynamodb").Table(name)
    global _store
    with _lock:
        if _store is None:
            from asl.dynamodb import TableStore

            _store = TableStore(os.environ.get("ASL_TABLES") or None)
            create_tables(_store)
        return _store.table(name)
