"""The runtime's activities: CreateActivity ... GetActivityTask."""

from __future__ import annotations

from typing import Any

from asl.execution.activities import Activities
from asl.execution.clock import Clock
from asl.runtime.pages import check_name
from asl.store.executions import ExecutionStore

__all__ = ["ActivityService"]


class ActivityService:
    """The activities of a :class:`~asl.runtime.service.Runtime`: kept in the store, their
    queued tasks and waiting workers in ``activities`` (the registry task states use)."""

    def __init__(self, store: ExecutionStore, clock: Clock, region: str, account: str) -> None:
        self.store = store
        self.clock = clock
        self.region = region
        self.account = account
        self.activities = Activities()
        for arn, name, created in store.activities():
            self.activities.add(arn, name, created)

    def create_activity(self, name: str) -> dict[str, Any]:
        """CreateActivity (idempotent for the same name)."""
        check_name(name, "activity name")
        arn = f"arn:aws:states:{self.region}:{self.account}:activity:{name}"
        existing = self.activities.by_arn.get(arn)
        created = existing.creation_date if existing else self.clock.now()
        self.store.put_activity(arn, name, created)
        self.activities.add(arn, name, created)
        return {"activityArn": arn, "creationDate": created}

    def describe_activity(self, activity_arn: str) -> dict[str, Any]:
        activity = self.activities.get(activity_arn)
        return {"activityArn": activity.arn, "name": activity.name, "creationDate": activity.creation_date}

    def list_activities(self) -> dict[str, Any]:
        return {
            "activities": [
                {"activityArn": a.arn, "name": a.name, "creationDate": a.creation_date}
                for a in sorted(self.activities.by_arn.values(), key=lambda a: a.name)
            ]
        }

    def delete_activity(self, activity_arn: str) -> dict[str, Any]:
        self.activities.get(activity_arn)
        self.activities.remove(activity_arn)
        self.store.delete_activity(activity_arn)
        return {}

    async def get_activity_task(
        self, activity_arn: str, worker_name: str | None = None, wait_seconds: float = 60.0
    ) -> dict[str, Any]:
        """GetActivityTask: long-polls up to ``wait_seconds`` (AWS: 60); ``{}`` when none came."""
        if worker_name is not None and len(worker_name) > 80:
            raise ValueError("workerName must be at most 80 characters long")
        task = await self.activities.poll(activity_arn, wait_seconds)
        if task is None:
            return {}
        task.on_started(worker_name or "")
        await self.store.commit()
        return {"taskToken": task.token, "input": task.input}
