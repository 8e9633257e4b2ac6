"""Local DynamoDB speed: put, get and conditional update operations per second on the file store.

Run: .venv/bin/python benchmarks/dynamodb_ops.py [--n 20000]
Measures, in one process and one thread, on a WAL-mode SQLite file in a temporary folder:
  1. Table.put_item of a small item (boto3 resource shape, plain values);
  2. Table.get_item by key;
  3. Table.update_item with a ConditionExpression and ADD (read-modify-write in one transaction);
  4. Client.get_item (typed values, no plain conversion), for comparison.
Goal from issue #3: >= 20,000 gets and >= 5,000 updates per second on one core.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from asl.dynamodb import TableStore


def rate(label: str, n: int, operation: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(n):
        operation(i)
    elapsed = time.perf_counter() - start
    per_second = n / elapsed
    print(f"{label:<44} {per_second:>10,.0f} ops/s  ({elapsed / n * 1e6:7.1f} us/op, n={n})")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="operations per measurement")
    n = parser.parse_args().n
    print(f"python {platform.python_version()} on {platform.machine()}, sqlite file store, 1 thread")
    with tempfile.TemporaryDirectory() as folder, TableStore(Path(folder) / "tables.sqlite") as store:
        table = store.create_table("sessions", partition_key=("sessionId", "S"))
        client = store.client()
        keys = [f"session-{i % 1000}" for i in range(n)]
        puts = rate(
            "put_item (small item)",
            n,
            lambda i: table.put_item(
                Item={"sessionId": keys[i], "status": "RUNNING", "progress": 10, "n": 0}
            ),
        )
        gets = rate("get_item", n, lambda i: table.get_item(Key={"sessionId": keys[i]}))
        updates = rate(
            "update_item (condition + ADD)",
            n,
            lambda i: table.update_item(
                Key={"sessionId": keys[i]},
                UpdateExpression="SET #s = :s ADD #n :one",
                ConditionExpression="attribute_exists(sessionId) AND #n >= :zero",
                ExpressionAttributeNames={"#s": "status", "#n": "n"},
                ExpressionAttributeValues={":s": "RUNNING", ":one": 1, ":zero": 0},
            ),
        )
        typed_key = [{"sessionId": {"S": k}} for k in keys]
        rate("client.get_item (typed)", n, lambda i: client.get_item(TableName="sessions", Key=typed_key[i]))
    print(
        f"goal: gets >= 20,000/s {'met' if gets >= 20000 else 'NOT met'}; "
        f"updates >= 5,000/s {'met' if updates >= 5000 else 'NOT met'}; puts {puts:,.0f}/s"
    )


if __name__ == "__main__":
    main()
