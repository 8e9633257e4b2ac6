"""Shapes of the API's answers: DescribeExecution, list items, and pagination tokens."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta
from typing import Any

from asl.execution.callbacks import InvalidToken
from asl.execution.history import MAX_EVENTS
from asl.runtime.api_errors import InvalidName
from asl.store.rows import ExecutionRecord

__all__ = [
    "MAX_REDRIVES",
    "REDRIVE_WINDOW",
    "check_name",
    "decode_token",
    "describe",
    "encode_token",
    "list_item",
    "page_size",
    "redrive_status",
]

#: AWS: an execution can be redriven at most 1,000 times, within 14 days of its end.
MAX_REDRIVES = 1000
REDRIVE_WINDOW = timedelta(days=14)

_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def check_name(name: str, what: str = "name") -> None:
    """AWS's rules for execution, state machine and activity names."""
    if not isinstance(name, str) or not 1 <= len(name) <= 80:
        raise InvalidName(f"Invalid Name: '{name}': the {what} must be 1 to 80 characters long.")
    bad = _BAD_NAME.search(name)
    if bad:
        raise InvalidName(
            f"Invalid Name: '{name}': the {what} may not contain whitespace, brackets, wildcards, "
            f'control characters or any of "#%\\^|~`$&,;:/ (found {bad.group()!r}).'
        )


def page_size(max_results: int | None, field: str = "maxResults") -> int:
    """maxResults: 0 or None means the default 100; AWS allows at most 1,000."""
    if max_results is None or max_results == 0:
        return 100
    if not isinstance(max_results, int) or not 0 < max_results <= 1000:
        raise ValueError(f"{field} must be an integer from 0 to 1000, got {max_results!r}")
    return max_results


def encode_token(kind: str, value: Any) -> str:
    """A pagination token of one kind of list (``"executions"``, ``"history"`` ...)."""
    return base64.urlsafe_b64encode(json.dumps([kind, value]).encode()).decode()


def decode_token(token: str, kind: str) -> Any:
    """The value :func:`encode_token` put in a token of this kind; a token of another list, or
    none this API wrote, is InvalidToken as on AWS."""
    try:
        found = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        found = None
    if not (isinstance(found, list) and len(found) == 2 and found[0] == kind):
        raise InvalidToken(f"Invalid Token: '{token[:40]}' is not a nextToken of this list")
    return found[1]


def redrive_status(
    record: ExecutionRecord, express: bool, now: datetime, events: int = 0
) -> tuple[str, str | None]:
    """``(redriveStatus, redriveStatusReason)`` as DescribeExecution shows them (AWS's wording)."""
    if express:
        return "NOT_REDRIVABLE", "Execution is an EXPRESS execution and cannot be redriven."
    if record.status in ("RUNNING", "SUCCEEDED"):
        return "NOT_REDRIVABLE", f"Execution is {record.status} and cannot be redriven."
    if record.redrive_count >= MAX_REDRIVES:
        return "NOT_REDRIVABLE", "Execution has been redriven the maximum number of times (1000)."
    if events >= MAX_EVENTS - 1:
        return "NOT_REDRIVABLE", "Execution history event limit exceeded."
    if record.stop_date is not None and now - record.stop_date > REDRIVE_WINDOW:
        return "NOT_REDRIVABLE", "Execution redrivable period exceeded."
    return "REDRIVABLE", None


def list_item(record: ExecutionRecord) -> dict[str, Any]:
    """One execution as ListExecutions lists it."""
    item: dict[str, Any] = {
        "executionArn": record.arn,
        "stateMachineArn": record.machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": record.start_date,
    }
    if record.stop_date is not None:
        item["stopDate"] = record.stop_date
    if record.redrive_count:
        item["redriveCount"] = record.redrive_count
        item["redriveDate"] = record.redrive_date
    return item


def describe(
    record: ExecutionRecord, now: datetime, express: bool = False, events: int = 0
) -> dict[str, Any]:
    """DescribeExecution's answer."""
    described: dict[str, Any] = {
        "executionArn": record.arn,
        "stateMachineArn": record.machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": record.start_date,
        "input": record.input,
        "inputDetails": {"included": True},
    }
    if record.stop_date is not None:
        described["stopDate"] = record.stop_date
    if record.status == "SUCCEEDED" and record.output is not None:
        described["output"] = record.output
        described["outputDetails"] = {"included": True}
    if record.error is not None:
        described["error"] = record.error
    if record.cause is not None:
        described["cause"] = record.cause
    described["redriveCount"] = record.redrive_count
    if record.redrive_date is not None:
        described["redriveDate"] = record.redrive_date
    status, reason = redrive_status(record, express, now, events)
    described["redriveStatus"] = status
    if reason is not None:
        described["redriveStatusReason"] = reason
    return described
