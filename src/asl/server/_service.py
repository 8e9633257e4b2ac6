"""What the endpoint serves: the backends behind it and one table of operations per AWS service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from asl.dynamodb import Client, TableStore
from asl.runtime.service import Runtime
from asl.server._wire import AWSError

__all__ = ["Backend", "Operation", "Service"]


@dataclass
class Backend:
    """The runtime (Step Functions) and the local tables (DynamoDB) one endpoint serves."""

    runtime: Runtime
    tables: TableStore
    client: Client


#: one AWS action: the backend and the decoded request in, the answer (before encoding) out
Operation = Callable[[Backend, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Service:
    """One AWS service: its botocore model, its ``X-Amz-Target`` prefix, operations and errors."""

    model: str  # botocore's service name
    target_prefix: str  # "AWSStepFunctions", "DynamoDB_20120810"
    namespace: str  # the __type prefix of its modelled errors
    operations: Mapping[str, Operation]
    translate: Callable[[Exception], AWSError | None]  # an exception as AWS answers it, or None
    max_body: int  # bytes
    crc32: bool = False  # DynamoDB sends x-amz-crc32 and botocore checks it
    long_polls: frozenset[str] = frozenset()  # actions cancelled when the client hangs up
