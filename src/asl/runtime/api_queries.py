"""The reading half of the runtime's API: DescribeExecution, ListExecutions, GetExecutionHistory."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from asl.runtime.api_errors import ExecutionDoesNotExist, InvalidArn
from asl.runtime.clock import Clock
from asl.runtime.interpreter import StateMachine
from asl.runtime.live import LiveExecution
from asl.runtime.pages import decode_token, describe, encode_token, list_item, page_size
from asl.store.executions import ExecutionStore
from asl.store.rows import ExecutionRecord

__all__ = ["QueryAPI"]


class QueryAPI:
    """Looking at executions (mixed into :class:`~asl.runtime.service.Runtime`)."""

    store: ExecutionStore
    clock: Clock
    _live: dict[str, LiveExecution]
    _express_done: OrderedDict[str, ExecutionRecord]

    def _machine(self, arn: str, version: int | None = None) -> tuple[int, StateMachine]:
        raise NotImplementedError

    def _record(self, execution_arn: str) -> ExecutionRecord:
        live = self._live.get(execution_arn)
        record = live.record if live is not None else self._express_done.get(execution_arn)
        if record is None:
            record = self.store.execution(execution_arn)
        if record is None:
            if not isinstance(execution_arn, str) or not execution_arn.startswith("arn:"):
                raise InvalidArn(f"Invalid Arn: '{execution_arn}'")
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{execution_arn}'")
        return record

    def describe_execution(self, execution_arn: str) -> dict[str, Any]:
        """DescribeExecution."""
        record = self._record(execution_arn)
        return describe(record, self.clock.now(), not record.id, self._event_count(record))

    def _event_count(self, record: ExecutionRecord) -> int:
        if not record.id or record.status == "RUNNING":
            return 0
        return self.store.event_count(record.id)

    async def wait(self, execution_arn: str) -> dict[str, Any]:
        """Wait until an execution running here ends and its end is on disk; then describe it."""
        live = self._live.get(execution_arn)
        if live is not None and live.task is not None:
            await asyncio.shield(live.task)
            await self.store.commit()
        record = self._record(execution_arn)
        return describe(record, self.clock.now(), not record.id)

    def list_executions(
        self,
        state_machine_arn: str,
        status_filter: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        redrive_filter: str | None = None,
    ) -> dict[str, Any]:
        """ListExecutions, newest first; ``status_filter`` and ``redrive_filter`` (REDRIVEN or
        NOT_REDRIVEN) narrow it down."""
        allowed = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
        if status_filter is not None and status_filter not in allowed:
            raise ValueError(f"statusFilter must be one of {', '.join(allowed)}, got {status_filter!r}")
        if redrive_filter not in (None, "REDRIVEN", "NOT_REDRIVEN"):
            raise ValueError(f"redriveFilter must be REDRIVEN or NOT_REDRIVEN, got {redrive_filter!r}")
        redriven = None if redrive_filter is None else redrive_filter == "REDRIVEN"
        self._machine(state_machine_arn)
        size = page_size(max_results)
        after: tuple[str, int] | None = None
        if next_token:
            moment, last_id = decode_token(next_token, "executions")
            after = (str(moment), int(last_id))
        items: list[dict[str, Any]] = []
        last: ExecutionRecord | None = None
        for record in self.store.executions(state_machine_arn, status_filter, after, redriven):
            if len(items) == size and last is not None:
                return {
                    "executions": items,
                    "nextToken": encode_token("executions", [last.start_date.isoformat(), last.id]),
                }
            items.append(list_item(record))
            last = record
        return {"executions": items}

    def get_execution_history(
        self,
        execution_arn: str,
        max_results: int | None = None,
        reverse_order: bool = False,
        next_token: str | None = None,
        include_execution_data: bool = True,
    ) -> dict[str, Any]:
        """GetExecutionHistory (not for EXPRESS executions, as on AWS)."""
        record = self._record(execution_arn)
        live = self._live.get(execution_arn)
        if not record.id:
            raise ExecutionDoesNotExist(f"EXPRESS executions have no history API: '{execution_arn}'")
        events = live.execution.history if live is not None else [e for e, _ in self.store.events(record.id)]
        if reverse_order:
            events = events[::-1]
        size = page_size(max_results)
        start = int(decode_token(next_token, "history")) if next_token else 0
        page = events[start : start + size]
        if not include_execution_data:
            page = [_without_data(event) for event in page]
        answer: dict[str, Any] = {"events": page}
        if start + size < len(events):
            answer["nextToken"] = encode_token("history", start + size)
        return answer


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    trimmed: dict[str, Any] = {}
    for key, value in event.items():
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in ("input", "output", "parameters")}
        trimmed[key] = value
    return trimmed
