"""Local DynamoDB speed: put, get and conditional update operations per second on the file store.

Run: .venv/bin/python benchmarks/dynamodb_ops.py [--n 20000] [--repeat 3]
Measures, in one process and one thread, on a WAL-mode SQLite file in a temporary folder:
  1. Table.put_item of a small item (boto3 resource shape, plain values);
  2. Table.get_item by key;
  3. Table.update_item with a ConditionExpression and ADD (read-modify-write in one transaction);
  4. Client.get_item (typed values, no plain conversion), for comparison;
  5. the Step Functions ``dynamodb:updateItem`` integration with AI Chef's SET of four attributes;
  6. one AI Chef session's table calls: a conditional put of a 15-attribute session item, six
     integration updateItems as in 5, an integration putItem of an 8 KB result, three get_items.
Each figure is the best of ``--repeat`` runs; wall time and this process's CPU time are shown
(CPU time is steadier on a busy machine).
Goal from issue #3: >= 20,000 gets and >= 5,000 updates per second on one core.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asl.dynamodb import TableStore
from asl.integrations.dynamodb import invoke

NAMES = {"#status": "status", "#phase": "phase", "#progress": "progress", "#updatedAt": "updatedAt"}
SET_FOUR = "SET #status = :status, #phase = :phase, #progress = :progress, #updatedAt = :updatedAt"
RESULT = "x" * 8192


def rate(label: str, n: int, repeat: int, operation: Callable[[int], object]) -> float:
    wall = cpu = float("inf")
    for run in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        for i in range(run * n, (run + 1) * n):
            operation(i)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    per_second = n / wall
    print(
        f"{label:<44} {per_second:>10,.0f} ops/s  ({wall / n * 1e6:7.1f} us/op wall, "
        f"{cpu / n * 1e6:7.1f} us/op CPU, n={n})"
    )
    return per_second


def integration_update(store: TableStore, session_id: str, step: int) -> None:
    # Fresh dicts each time, as the interpreter builds a Task's Parameters anew.
    invoke(
        store,
        "updateItem",
        {
            "TableName": "sessions",
            "Key": {"sessionId": {"S": session_id}},
            "UpdateExpression": SET_FOUR,
            "ExpressionAttributeNames": dict(NAMES),
            "ExpressionAttributeValues": {
                ":status": {"S": "RUNNING"},
                ":phase": {"S": f"PHASE_{step}"},
                ":progress": {"N": str(10 * step)},
                ":updatedAt": {"S": "2026-11-22T01:00:01.000Z"},
            },
        },
    )


def session(store: TableStore, sessions: Any, results: Any, i: int) -> None:
    session_id = f"run-{i}"
    item: dict[str, Any] = {
        "sessionId": session_id,
        "status": "PENDING",
        "phase": "CREATED",
        "progress": 0,
        "createdAt": "2026-11-22T01:00:00.000Z",
        "updatedAt": "2026-11-22T01:00:00.000Z",
        "target": "adult",
        "language": "ko",
        "servings": 2,
        "diet": "none",
        "allergies": ["peanut"],
        "budget": {"amount": 20000, "currency": "KRW"},
        "notify": True,
        "source": "web",
        "version": 1,
    }
    sessions.put_item(Item=item, ConditionExpression="attribute_not_exists(sessionId)")
    for step in range(6):
        integration_update(store, session_id, step)
    result = {
        "sessionId": {"S": session_id},
        "result": {"S": RESULT},
        "createdAt": {"S": "2026-11-22T01:00:02.000Z"},
        "expiresAt": {"N": "1900000000"},
    }
    invoke(store, "putItem", {"TableName": "results", "Item": result})
    sessions.get_item(Key={"sessionId": session_id})
    sessions.get_item(Key={"sessionId": session_id})
    results.get_item(Key={"sessionId": session_id})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="operations per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is shown")
    args = parser.parse_args()
    n, repeat = args.n, args.repeat
    print(f"python {platform.python_version()} on {platform.machine()}, sqlite file store, 1 thread")
    with tempfile.TemporaryDirectory() as folder, TableStore(Path(folder) / "tables.sqlite") as store:
        table = store.create_table("sessions", partition_key=("sessionId", "S"))
        results = store.create_table("results", partition_key=("sessionId", "S"), ttl_attribute="expiresAt")
        client = store.client()
        keys = [f"session-{i % 1000}" for i in range(n * repeat)]
        puts = rate(
            "put_item (small item)",
            n,
            repeat,
            lambda i: table.put_item(
                Item={"sessionId": keys[i], "status": "RUNNING", "progress": 10, "n": 0}
            ),
        )
        gets = rate("get_item", n, repeat, lambda i: table.get_item(Key={"sessionId": keys[i]}))
        updates = rate(
            "update_item (condition + ADD)",
            n,
            repeat,
            lambda i: table.update_item(
                Key={"sessionId": keys[i]},
                UpdateExpression="SET #s = :s ADD #n :one",
                ConditionExpression="attribute_exists(sessionId) AND #n >= :zero",
                ExpressionAttributeNames={"#s": "status", "#n": "n"},
                ExpressionAttributeValues={":s": "RUNNING", ":one": 1, ":zero": 0},
            ),
        )
        typed_key = [{"sessionId": {"S": k}} for k in keys]
        rate(
            "client.get_item (typed)",
            n,
            repeat,
            lambda i: client.get_item(TableName="sessions", Key=typed_key[i]),
        )
        rate(
            "integration updateItem (SET of 4)",
            n,
            repeat,
            lambda i: integration_update(store, keys[i], i % 6),
        )
        sessions = max(n // 12, 1)
        per_session = rate(
            "one session's table calls (12 calls)",
            sessions,
            repeat,
            lambda i: session(store, table, results, i),
        )
    print(
        f"goal: gets >= 20,000/s {'met' if gets >= 20000 else 'NOT met'}; "
        f"updates >= 5,000/s {'met' if updates >= 5000 else 'NOT met'}; puts {puts:,.0f}/s; "
        f"{1e6 / per_session:,.0f} us of table calls per session"
    )


if __name__ == "__main__":
    main()
