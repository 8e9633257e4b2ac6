"""A process the nested-execution kill test starts and kills while a parent waits for its child.

Usage: python nested_crash_worker.py <store file> <log>
The parent runs ``states:startExecution.sync:2`` on a child whose ``work`` task never ends here;
each call of ``work`` appends "started" to the log. Once the parent's wait is on disk the
worker appends "ready" and waits to be killed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from durable_support import FUNCTION

from asl import ExecutionStore, Runtime

CHILD: dict[str, Any] = {
    "StartAt": "Work",
    "States": {"Work": {"Type": "Task", "Resource": FUNCTION.format("work"), "End": True}},
}
PARENT: dict[str, Any] = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {
                "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child",
                "Input": {"order.$": "$.order"},
            },
            "End": True,
        }
    },
}


def main() -> None:
    path, log_path = sys.argv[1], sys.argv[2]
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    started = asyncio.Event()

    async def work(event: Any, context: Any) -> Any:
        os.write(log, b"started\n")
        started.set()
        await asyncio.Event().wait()

    async def run() -> None:
        runtime = Runtime(ExecutionStore(path), handlers={"work": work})
        runtime.create_state_machine("Child", CHILD)
        arn = runtime.create_state_machine("Parent", PARENT)["stateMachineArn"]
        await runtime.start_execution(arn, '{"order": 7}', name="p1")
        await started.wait()
        await asyncio.sleep(0.05)  # the parent records TaskSubmitted in this turn or the next
        await runtime.store.commit()
        os.write(log, b"ready\n")
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":
    main()
