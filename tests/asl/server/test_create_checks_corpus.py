"""AWS created a state machine from every definition of the conformance corpus, each of its
recorded type: the create-time checks of `asl serve` must refuse none of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from asl.runtime.api_definitions import creation_problems


def _conformance_dir() -> Path:
    configured = os.environ.get("ASL_CONFORMANCE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3].parent / "shared" / "conformance"


def test_no_definition_aws_created_is_refused_at_create_time() -> None:
    directory = _conformance_dir()
    files = sorted(directory.glob("*.jsonl")) if directory.is_dir() else []
    if not files:
        pytest.skip(f"conformance corpus not found: no *.jsonl in {directory} (set ASL_CONFORMANCE_DIR)")
    refused: dict[str, list[str]] = {}
    checked = 0
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            kind = case.get("state_machine_type") or "STANDARD"
            problems = creation_problems(case["definition"], kind)
            checked += 1
            if problems:
                refused[case["id"]] = [f"{p.location}: {p.message}" for p in problems]
    assert checked > 0
    assert refused == {}
