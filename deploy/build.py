"""Assemble the Lambda package in deploy/.build/: aichef (without its web server) + asl + runtime deps.

The template's functions all use ``CodeUri: .build/``. ``sam deploy`` (or ``aws cloudformation
package``) zips that folder as it is, so ``sam build`` is not used: this script is the build.

    python deploy/build.py                 # sources + pip install --target for Lambda's platform
    python deploy/build.py --arch arm64    # for LambdaArchitecture=arm64
    python deploy/build.py --imports       # list what the handlers import, compared with the requirements

The dependencies are deploy/requirements-lambda.txt: only what ``aichef.handlers.*`` imports
transitively, with the model provider the recipe function imports on its first call
(``--imports`` checks it), never FastAPI, uvicorn or Playwright.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = [
    "DEFAULT_OUT",
    "EXCLUDED_PACKAGES",
    "FIRST_CALL_MODULES",
    "HANDLER_MODULES",
    "OPTIONAL",
    "REQUIREMENTS",
    "build",
    "dependency_problems",
    "handler_imports",
    "main",
    "requirement_names",
]

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
SRC = ROOT / "src"
DEFAULT_OUT = DEPLOY / ".build"
REQUIREMENTS = DEPLOY / "requirements-lambda.txt"

# Every module under aichef.handlers that the template wires to a Lambda function.
HANDLER_MODULES = ("api", "combine", "notification", "price", "recipe", "session", "validator")
# Imported on a handler's first call, not with it: the recipe function's model provider (the
# template's Provider is offline or bedrock; bedrock's review checks answers with jsonschema).
FIRST_CALL_MODULES = ("aichef.providers.bedrock",)
# Source folders left out: the local web server is the only user of FastAPI/uvicorn.
EXCLUDED_PACKAGES = ("aichef/web",)
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
# Imported when present, never needed: botocore falls back to its own CA bundle without certifi, and
# jsonschema's format checkers (the recipe schema uses no "format") without the other three.
OPTIONAL = frozenset({"certifi", "idna", "jsonpointer", "rfc3339-validator"})
_PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}

# Run in a clean interpreter (-S: no site-packages, no editable install): import every handler and
# print the top-level third-party modules that came with them.
_PROBE = """
import importlib, json, sys, sysconfig
before = set(sys.modules)
for name in sys.argv[1].split(","):
    importlib.import_module(name if "." in name else "aichef.handlers." + name)
loaded = {m.split(".")[0] for m in set(sys.modules) - before}
stdlib = sysconfig.get_paths()["stdlib"]
def third_party(name):
    where = getattr(sys.modules[name], "__file__", None)
    return name not in sys.stdlib_module_names and where and not where.startswith(stdlib)
third = [m for m in loaded if third_party(m)]
print(json.dumps(sorted(third)))
"""


def copy_sources(out: Path) -> None:
    """Copy the aichef and asl packages into ``out``, leaving out :data:`EXCLUDED_PACKAGES`."""
    for package in ("aichef", "asl"):
        shutil.copytree(SRC / package, out / package, ignore=_IGNORED, dirs_exist_ok=True)
    for excluded in EXCLUDED_PACKAGES:
        shutil.rmtree(out / excluded, ignore_errors=True)


def requirement_names(path: Path | None = None) -> list[str]:
    """The distribution names in a requirements file (default :data:`REQUIREMENTS`), normalised."""
    names = []
    for line in (path or REQUIREMENTS).read_text("utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            match = re.match(r"[A-Za-z0-9._-]+", text)
            if match:
                names.append(_normal(match.group(0)))
    return names


def install_dependencies(out: Path, arch: str, python: str = sys.executable) -> None:
    """pip install the requirements into ``out`` as wheels for Lambda's Python 3.11 on ``arch``."""
    command = [
        python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(out), "--requirement", str(REQUIREMENTS),
        "--platform", _PLATFORMS[arch], "--implementation", "cp", "--python-version", "3.11",
        "--only-binary=:all:", "--upgrade",
    ]  # fmt: skip
    subprocess.run(command, check=True)


def build(out: Path = DEFAULT_OUT, *, arch: str = "x86_64", dependencies: bool = True) -> Path:
    """Make ``out`` the Lambda package from scratch; answers ``out``."""
    if arch not in _PLATFORMS:
        raise SystemExit(f"--arch must be one of {', '.join(_PLATFORMS)}, got {arch!r}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_sources(out)
    if dependencies:
        install_dependencies(out, arch)
    return out


def handler_imports(
    package: Path, site_paths: Iterable[str] = (), modules: Sequence[str] = HANDLER_MODULES
) -> list[str]:
    """Top-level third-party modules that importing the handlers from ``package`` brings in
    (``modules``: handler names under aichef.handlers, or dotted module names).

    The probe runs with ``python -S`` and only ``package`` and ``site_paths`` on its path, so an
    editable install of the project cannot stand in for a missing file.
    """
    path = [str(package), *site_paths]
    code = f"import sys; sys.path[:0] = {path!r}\n{_PROBE}"
    done = subprocess.run(
        [sys.executable, "-S", "-c", code, ",".join(modules)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"importing the handlers from {package} failed:\n{done.stderr}")
    found: list[str] = json.loads(done.stdout)
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(names: Iterable[str]) -> set[str]:
    """The distributions ``names`` need, transitively (extras left out), as installed here."""
    from importlib.metadata import PackageNotFoundError, requires

    seen: set[str] = set()
    todo = [_normal(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        todo.extend(
            _normal(m.group(0))
            for r in needs
            if "extra ==" not in r and (m := re.match(r"[A-Za-z0-9._-]+", r))
        )
    return seen


def dependency_problems(package: Path = SRC, site_paths: Iterable[str] = ()) -> list[str]:
    """What is wrong with requirements-lambda.txt against what the handlers import (empty: nothing)."""
    from importlib.metadata import packages_distributions

    site = list(site_paths) or [sysconfig.get_paths()["purelib"]]
    distributions = packages_distributions()
    imported = {
        _normal(d): module
        for module in handler_imports(package, site, (*HANDLER_MODULES, *FIRST_CALL_MODULES))
        if module not in {"aichef", "asl"}
        for d in distributions.get(module, [module])
    }
    listed = requirement_names()
    problems = [f"{name} is listed but no handler imports it" for name in listed if name not in imported]
    problems += [
        f"{dist} (module {module}) is imported but not in {REQUIREMENTS.name} or their dependencies"
        for dist, module in sorted(imported.items())
        if dist not in _closure(listed) and dist not in OPTIONAL
    ]
    return problems


def _report_imports() -> int:
    """Print the handlers' third-party imports; 1 if the requirements do not match them."""
    modules = handler_imports(
        SRC, [sysconfig.get_paths()["purelib"]], (*HANDLER_MODULES, *FIRST_CALL_MODULES)
    )
    print("the handlers import:", ", ".join(m for m in modules if m not in {"aichef", "asl"}))
    print(f"{REQUIREMENTS.name}:", ", ".join(requirement_names()))
    problems = dependency_problems()
    for problem in problems:
        print("problem:", problem)
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="package folder (default deploy/.build)"
    )
    parser.add_argument("--arch", default="x86_64", choices=sorted(_PLATFORMS), help="Lambda architecture")
    parser.add_argument("--no-deps", action="store_true", help="copy the sources only (tests, quick checks)")
    parser.add_argument("--imports", action="store_true", help="list the handlers' imports and stop")
    args = parser.parse_args(argv)
    if args.imports:
        return _report_imports()
    out = build(args.out, arch=args.arch, dependencies=not args.no_deps)
    print(f"Lambda package: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
