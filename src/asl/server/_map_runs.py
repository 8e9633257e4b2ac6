"""The Map Run actions of Step Functions over the wire: ListMapRuns, DescribeMapRun, UpdateMapRun.

Each is one call to :class:`asl.Runtime` (see :mod:`asl.runtime.map_runs`); ListExecutions with
a ``mapRunArn`` is answered in :mod:`asl.server.stepfunctions` by the same runtime.
"""

from __future__ import annotations

from typing import Any

from asl.server._service import Backend

__all__ = ["describe_map_run", "list_map_runs", "update_map_run"]


async def list_map_runs(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    execution_arn = params["executionArn"]
    return backend.runtime.list_map_runs(
        execution_arn, max_results=params.get("maxResults"), next_token=params.get("nextToken")
    )


async def describe_map_run(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return backend.runtime.describe_map_run(params["mapRunArn"])


async def update_map_run(backend: Backend, params: dict[str, Any]) -> dict[str, Any]:
    return await backend.runtime.update_map_run(
        params["mapRunArn"],
        max_concurrency=params.get("maxConcurrency"),
        tolerated_failure_percentage=params.get("toleratedFailurePercentage"),
        tolerated_failure_count=params.get("toleratedFailureCount"),
    )
