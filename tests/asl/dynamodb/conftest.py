"""Fixtures for the local DynamoDB tests: in-memory stores, and moto's DynamoDB as the oracle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from asl.dynamodb import TableStore


class Clock:
    """A settable clock, so TTL tests never wait."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> Iterator[TableStore]:
    with TableStore(":memory:", clock=clock) as s:
        yield s


@pytest.fixture(scope="module")
def moto_client() -> Iterator[Any]:
    """A boto3 DynamoDB client talking to moto's in-process mock (fake credentials, us-east-1)."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    mp = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        mp.setenv(name, value)
    with moto.mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")
    mp.undo()
