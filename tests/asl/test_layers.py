"""The package's layers, checked from outside: what importing one layer loads."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


def _loaded(statement: str) -> set[str]:
    """The ``asl`` modules that running ``statement`` in a fresh interpreter imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
    )
    # importtime lines: "import time: self | cumulative | <indent>module"
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    return {name for name in names if name == "asl" or name.startswith("asl.")}


def _under(modules: set[str], *packages: str) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)}


def test_importing_dynamodb_loads_neither_the_store_nor_the_runtime() -> None:
    loaded = _loaded("import asl.dynamodb")
    assert "asl.dynamodb.store" in loaded  # the probe sees the package's own modules
    assert _under(loaded, "asl.store", "asl.runtime", "asl.states", "asl.integrations") == set()


def test_the_execution_store_path_does_not_load_dynamodb() -> None:
    loaded = _loaded("from asl.store.executions import default_path; default_path()")
    assert "asl.store.executions" in loaded
    assert _under(loaded, "asl.dynamodb") == set()


def test_execution_store_sits_beside_the_local_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    from asl.dynamodb import default_path as tables_path
    from asl.store.executions import default_path

    for env in ({"ASL_DATA_DIR": "/data/x"}, {"XDG_DATA_HOME": "/xdg"}, {}):
        monkeypatch.delenv("ASL_DATA_DIR", raising=False)
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        assert default_path() == tables_path().with_name("executions.sqlite")


def test_the_package_root_names_the_function_validate_after_its_module_loads() -> None:
    import asl

    importlib.import_module("asl.validate")  # binds the submodule on the package
    from asl import validate

    assert callable(validate) and validate.__name__ == "validate"
    assert asl.validate is validate


def test_the_states_stand_below_the_runtime() -> None:
    loaded = _loaded("import asl.states")
    assert "asl.execution.frame" in loaded
    assert _under(loaded, "asl.runtime", "asl.store", "asl.server", "asl.cli") == set()
