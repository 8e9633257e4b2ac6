"""The import contracts in pyproject.toml hold, and they catch an import that breaks a layer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the copy of the sources in ``tree``, with the project's contracts."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    if not LINT_IMPORTS.exists():
        pytest.fail("lint-imports is missing: install the dev extra (pip install -e '.[dev]')")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("asl", "aichef"):
        shutil.copytree(ROOT / "src" / package, tmp_path / "src" / package, ignore=ignore)
    return tmp_path


def test_a_query_module_importing_the_runtime_breaks_the_layers(tree: Path) -> None:
    assert _lint(tree).returncode == 0

    jsonpath = tree / "src" / "asl" / "query" / "jsonpath.py"
    jsonpath.write_text(jsonpath.read_text() + "\nimport asl.runtime.service  # a layer upside down\n")
    done = _lint(tree)

    assert done.returncode == 1
    assert "asl.query is not allowed to import asl.runtime" in done.stdout
    assert "Contracts: 3 kept, 1 broken." in done.stdout
