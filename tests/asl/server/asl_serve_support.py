"""Helpers for the `asl serve` tests: boto3 clients pointed at the endpoint, polling, the example handlers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from asl.cli import _load_handlers

EXAMPLES = Path(__file__).parents[3] / "examples"
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"

# dummy credentials: the endpoint accepts any SigV4 signature; one attempt so errors show at once;
# no "sync-" host prefix for StartSyncExecution (it would turn 127.0.0.1 into sync-127.0.0.1)
_CONFIG = Config(
    retries={"total_max_attempts": 1}, inject_host_prefix=False, read_timeout=30, connect_timeout=5
)


def client(service: str, url: str, read_timeout: float | None = None) -> Any:
    config = _CONFIG if read_timeout is None else _CONFIG.merge(Config(read_timeout=read_timeout))
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )


def hello_handlers() -> dict[str, Callable[..., Any]]:
    """The handlers `asl serve --handlers examples/hello_handlers.py` loads, loaded the same way."""
    return _load_handlers(str(EXAMPLES / "hello_handlers.py"))


def eventually(check: Callable[[], Any], what: str, attempts: int = 500) -> Any:
    """Poll ``check`` until it returns something truthy (about 10 s at most)."""
    for _ in range(attempts):
        result = check()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")
