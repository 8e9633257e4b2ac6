"""Local DynamoDB secondary indexes: what an index costs a write, and how fast a Query on it reads.

Run: .venv/bin/python benchmarks/dynamodb_indexes.py [--n 5000] [--repeat 3]
Measures, in one process and one thread, on a WAL-mode SQLite file in a temporary folder:
  1. client.put_item of a small item into a table without indexes;
  2. the same into a table with one GSI (INCLUDE projection) and one LSI, both holding the item;
  3. client.query on the GSI: one index partition of 20 items out of ``n``;
  4. client.query on the table itself, same 20 items, for comparison.
Each figure is the best of ``--repeat`` runs, as wall time and this process's CPU time.
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

KEYS: dict[str, Any] = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "BillingMode": "PAY_PER_REQUEST",
}
DEFINITIONS = [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
    {"AttributeName": "status", "AttributeType": "S"},
    {"AttributeName": "placed", "AttributeType": "N"},
]
INDEXED: dict[str, Any] = {
    "AttributeDefinitions": DEFINITIONS,
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "byStatus",
            "KeySchema": [
                {"AttributeName": "status", "KeyType": "HASH"},
                {"AttributeName": "placed", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
        }
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "byPlaced",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "placed", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
}


def rate(label: str, n: int, repeat: int, operation: Callable[[int], object]) -> None:
    wall = cpu = float("inf")
    for run in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        for i in range(run * n, (run + 1) * n):
            operation(i)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    print(
        f"{label:<44} {n / wall:>10,.0f} ops/s  ({wall / n * 1e6:7.1f} us/op wall, "
        f"{cpu / n * 1e6:7.1f} us/op CPU, n={n})"
    )


def item(i: int) -> dict[str, Any]:
    return {
        "pk": {"S": f"user{i % 50}"},
        "sk": {"S": f"order{i:08d}"},
        "status": {"S": f"s{i % 50}"},
        "placed": {"N": str(i)},
        "total": {"N": "12.5"},
        "note": {"S": "not projected"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, sqlite file store, 1 thread")
    with tempfile.TemporaryDirectory() as folder, TableStore(Path(folder) / "tables.sqlite") as store:
        client = store.client()
        client.create_table(TableName="plain", AttributeDefinitions=DEFINITIONS[:2], **KEYS)
        client.create_table(TableName="indexed", **INDEXED, **KEYS)
        rate(
            "put_item, no index",
            args.n,
            args.repeat,
            lambda i: client.put_item(TableName="plain", Item=item(i)),
        )
        rate(
            "put_item, one GSI and one LSI",
            args.n,
            args.repeat,
            lambda i: client.put_item(TableName="indexed", Item=item(i)),
        )
        total = args.n * args.repeat
        per_partition = total // 50
        rate(
            f"query on the GSI ({per_partition} items)",
            max(args.n // 10, 1),
            args.repeat,
            lambda i: client.query(
                TableName="indexed",
                IndexName="byStatus",
                KeyConditionExpression="#s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": {"S": f"s{i % 50}"}},
            ),
        )
        rate(
            f"query on the table ({per_partition} items)",
            max(args.n // 10, 1),
            args.repeat,
            lambda i: client.query(
                TableName="indexed",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": f"user{i % 50}"}},
            ),
        )


if __name__ == "__main__":
    main()
