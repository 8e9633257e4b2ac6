"""A process the DISTRIBUTED Map kill test starts and kills: its Map never finishes item 5.

Usage: python distributed_map_worker.py <store file> <invocation log>
Every call of the ``work`` handler appends "<item>" to the log. Once the seven other items
are on disk as finished iterations, the worker appends "ready" and waits to be killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from typing import Any

from durable_support import FUNCTION

from asl import ExecutionStore, Runtime

ITEMS = list(range(8))
BLOCKED = 5
DEFINITION: dict[str, Any] = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": FUNCTION.format("work"), "End": True}},
            },
            "End": True,
        }
    },
}


def main() -> None:
    path, log_path = sys.argv[1], sys.argv[2]
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    async def work(event: Any, context: Any) -> Any:
        os.write(log, f"{event['i']}\n".encode())
        if event["i"] == BLOCKED:
            await asyncio.Event().wait()
        return {"squared": event["v"] * event["v"], "i": event["i"]}

    def finished_on_disk() -> int:
        reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(reader.execute("SELECT COUNT(*) FROM map_iterations").fetchone()[0])
        finally:
            reader.close()

    async def run() -> None:
        runtime = Runtime(ExecutionStore(path), handlers={"work": work})
        arn = runtime.create_state_machine("M", DEFINITION)["stateMachineArn"]
        await runtime.start_execution(arn, json.dumps({"items": ITEMS}), name="run")
        while finished_on_disk() < len(ITEMS) - 1:
            await asyncio.sleep(0.01)
        os.write(log, b"ready\n")
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":
    main()
