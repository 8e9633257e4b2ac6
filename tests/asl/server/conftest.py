"""A real `asl serve` endpoint on 127.0.0.1 (one per test module) and boto3 clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from asl_serve_support import client, hello_handlers

from asl.server import BackgroundServer, create_app


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    app = create_app(tmp_path_factory.mktemp("asl-serve"), hello_handlers())
    with BackgroundServer(app) as running:
        yield running


@pytest.fixture(scope="module")
def sfn(server: BackgroundServer) -> Any:
    return client("stepfunctions", server.url)


@pytest.fixture(scope="module")
def ddb(server: BackgroundServer) -> Any:
    return client("dynamodb", server.url)
