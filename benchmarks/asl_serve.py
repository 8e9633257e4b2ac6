"""`asl serve` over HTTP: requests per second and latency of boto3 calls against the local endpoint.

Run: .venv/bin/python benchmarks/asl_serve.py [requests]
Starts the endpoint on 127.0.0.1 on a thread (data in a temporary folder), then from one
boto3 client at a time (sequential calls, keep-alive connection) measures:
  1. DynamoDB PutItem and GetItem (one small item);
  2. Step Functions StartExecution of a one-state Pass machine (STANDARD, durable) and
     DescribeExecution of the executions started;
  3. the same PutItem through the in-process asl.dynamodb Client, the cost without HTTP.
Figures: calls per second and p50/p99 latency in milliseconds.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from asl.dynamodb import TableStore
from asl.server import BackgroundServer, create_app

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
KEY_SCHEMA = {
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
}


def measure(label: str, count: int, call: Callable[[int], Any]) -> None:
    call(-1)  # warm-up: the first call opens the connection
    latencies: list[float] = []
    started = time.perf_counter()
    for i in range(count):
        before = time.perf_counter()
        call(i)
        latencies.append((time.perf_counter() - before) * 1000)
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    p50 = statistics.median(latencies)
    print(f"{label:44} {count / elapsed:8.0f}/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")


def client(service: str, url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"total_max_attempts": 1}),
    )


def main(count: int) -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {count} calls each, one client")
    with tempfile.TemporaryDirectory() as folder, BackgroundServer(create_app(folder)) as server:
        ddb = client("dynamodb", server.url)
        ddb.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST", **KEY_SCHEMA)
        measure(
            "DynamoDB PutItem over HTTP",
            count,
            lambda i: ddb.put_item(TableName="bench", Item={"id": {"S": f"k{i}"}, "n": {"N": str(i)}}),
        )
        measure(
            "DynamoDB GetItem over HTTP",
            count,
            lambda i: ddb.get_item(TableName="bench", Key={"id": {"S": f"k{i}"}}),
        )
        sfn = client("stepfunctions", server.url)
        arn = sfn.create_state_machine(
            name="bench", definition=json.dumps(PASS), roleArn="arn:aws:iam::123456789012:role/bench"
        )["stateMachineArn"]
        executions: list[str] = []
        measure(
            "Step Functions StartExecution over HTTP",
            count,
            lambda i: executions.append(
                sfn.start_execution(stateMachineArn=arn, name=f"e{i}")["executionArn"]
            ),
        )
        measure(
            "Step Functions DescribeExecution over HTTP",
            count,
            lambda i: sfn.describe_execution(executionArn=executions[max(i, 0)]),
        )
    local = TableStore(":memory:").client()
    local.create_table(TableName="bench", **KEY_SCHEMA)
    measure(
        "DynamoDB PutItem in process (no HTTP)",
        count,
        lambda i: local.put_item(TableName="bench", Item={"id": {"S": f"k{i}"}, "n": {"N": str(i)}}),
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
