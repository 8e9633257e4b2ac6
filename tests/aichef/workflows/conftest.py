"""Fixtures for the workflow: a kitchen on an in-memory store, the offline provider, data in tmp."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("AICHEF_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AICHEF_PROVIDER", "offline")
    monkeypatch.delenv("AICHEF_BACKEND", raising=False)
    monkeypatch.delenv("NAVER_CLIENT_ID", raising=False)
    monkeypatch.delenv("NAVER_CLIENT_SECRET", raising=False)
    yield
    from aichef.tables import use_store

    use_store(None)
