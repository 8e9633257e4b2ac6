"""Fixtures for the example workflows: handler modules loaded from examples/, an in-memory table store."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from asl.dynamodb import TableStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _module(folder: str, name: str) -> ModuleType:
    """Load examples/<folder>/<name>.py as `asl run --handlers` does (a file, not a package)."""
    path = EXAMPLES / folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"examples_{folder}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def store() -> Iterator[TableStore]:
    with TableStore(":memory:") as tables:
        yield tables


def _handlers(folder: str, name: str, store: TableStore) -> Iterator[ModuleType]:
    """A handlers module serving its tables from ``store`` for the length of a test."""
    module = _module(folder, name)
    module.use_store(store)
    yield module
    module.use_store(None)


@pytest.fixture
def retail(store: TableStore) -> Iterator[ModuleType]:
    yield from _handlers("retail_upload", "retail_handlers", store)


@pytest.fixture
def analysis(store: TableStore) -> Iterator[ModuleType]:
    yield from _handlers("daily_analysis", "analysis_handlers", store)


@pytest.fixture
def seed() -> ModuleType:
    return _module("daily_analysis", "seed")
