"""Fixtures for the durable runtime's tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store file of its own for each test."""
    return tmp_path / "executions.sqlite"
