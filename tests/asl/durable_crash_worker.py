"""A process the crash test starts and kills: it resumes, starts executions e0..e<upto-1>, waits.

The workflow: a Task, a Map of Tasks, a Wait, a Parallel whose Task fails once and is
retried, a last Task and a Pass.

Usage: python durable_crash_worker.py <store file> <invocation log> <upto>
Every task invocation appends "<pid> <execution> <key>" to the log; results carry the pid.
It prints READY once its runtime is open, before it resumes anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import time
from typing import Any

from asl import ExecutionAlreadyExists, ExecutionStore, Runtime

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:{}"
DEFINITION: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Task",
            "Resource": FUNCTION.format("prepare"),
            "Parameters": {"exec.$": "$$.Execution.Name", "n.$": "$.n"},
            "ResultPath": "$.prepared",
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.prepared.items",
            "MaxConcurrency": 2,
            "ItemSelector": {
                "exec.$": "$$.Execution.Name",
                "i.$": "$$.Map.Item.Index",
                "v.$": "$$.Map.Item.Value",
            },
            "ItemProcessor": {
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": FUNCTION.format("work"), "End": True}},
            },
            "ResultPath": "$.worked",
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Both"},
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Task",
                            "Resource": FUNCTION.format("check"),
                            "Parameters": {"exec.$": "$$.Execution.Name", "state.$": "$$.State"},
                            "Retry": [
                                {"ErrorEquals": ["ValueError"], "IntervalSeconds": 1, "MaxAttempts": 2}
                            ],
                            "End": True,
                        }
                    },
                },
                {"StartAt": "Side", "States": {"Side": {"Type": "Pass", "Result": "side", "End": True}}},
            ],
            "ResultPath": "$.checked",
            "Next": "Finish",
        },
        "Finish": {
            "Type": "Task",
            "Resource": FUNCTION.format("finish"),
            "Parameters": {"exec.$": "$$.Execution.Name", "values.$": "$.worked[*].v"},
            "ResultPath": "$.total",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def main() -> None:
    path, log_path, upto = sys.argv[1], sys.argv[2], int(sys.argv[3])
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    pid = os.getpid()

    def note(execution: str, key: str) -> None:
        os.write(log, f"{pid} {execution} {key}\n".encode())
        time.sleep(random.uniform(0.01, 0.08))  # work takes time, so kills land inside tasks

    def prepare(event: Any, context: Any) -> Any:
        note(event["exec"], "Prepare")
        return {"pid": pid, "items": [event["n"], event["n"] + 1, event["n"] + 2]}

    def work(event: Any, context: Any) -> Any:
        note(event["exec"], f"Work/{event['i']}")
        return {"pid": pid, "v": event["v"] * 2}

    def check(event: Any, context: Any) -> Any:
        retry = event["state"].get("RetryCount", 0)  # absent on the first attempt
        note(event["exec"], f"Check/{retry}")
        if retry == 0:
            raise ValueError(f"pid {pid}")  # the first attempt always fails: a retry across kills
        return {"pid": pid, "ok": True}

    def finish(event: Any, context: Any) -> Any:
        note(event["exec"], "Finish")
        return {"pid": pid, "sum": sum(event["values"])}

    async def run() -> None:
        runtime = Runtime(
            ExecutionStore(path, delay=0.002),
            handlers={"prepare": prepare, "work": work, "check": check, "finish": finish},
        )
        arn = runtime.create_state_machine("Crash", DEFINITION)["stateMachineArn"]
        print("READY", flush=True)  # the test picks its kill moment only from here on
        await runtime.resume()
        for i in range(upto):
            with contextlib.suppress(ExecutionAlreadyExists):  # it finished in an earlier process
                await runtime.start_execution(arn, f'{{"n": {i}}}', name=f"e{i}")
        for i in range(upto):
            await runtime.wait(f"{arn.replace(':stateMachine:', ':execution:')}:e{i}")
        await runtime.close()
        print("DONE", flush=True)

    asyncio.run(run())


if __name__ == "__main__":
    main()
