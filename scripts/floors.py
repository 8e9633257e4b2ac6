"""Print pip constraints pinning every dependency of the project to its floor, read from pyproject.toml.

    python scripts/floors.py dev > constraints.txt   # the core dependencies and the dev extra's

scripts/test-floors installs the project under these constraints and runs the tests, so a ``>=`` in
pyproject.toml is a version that was tested, not a guess. Read afresh every run: the floors cannot
drift from what pyproject.toml declares. An extra may name another of the project's own
(``aichef[all]``): its requirements count too. A requirement without a lower bound (``types-PyYAML``)
is left to pip; an ``==`` pin needs no constraint. One package named twice must have one floor.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["PYPROJECT", "Requirement", "constraints", "normal", "parse", "requirements"]

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

# name, [extras], version clauses, ; markers: the parts of PEP 508 that pyproject.toml uses
_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?\s*(?P<spec>[^;]*?)\s*(?:;.*)?$"
)


class Requirement(NamedTuple):
    name: str
    extras: tuple[str, ...]
    floor: str | None  # the version after ">=" (or "~="), if any


def normal(name: str) -> str:
    """A distribution name as pip compares it (PEP 503): ``PyYAML`` and ``pyyaml`` are one."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text: str) -> Requirement:
    match = _REQUIREMENT.match(text)
    if match is None:
        raise ValueError(f"not a requirement: {text!r}")
    extras = tuple(e.strip() for e in (match["extras"] or "").split(",") if e.strip())
    floor = None
    for clause in match["spec"].split(","):
        clause = clause.strip()
        if clause[:2] in (">=", "~="):
            floor = clause[2:].strip()
    return Requirement(match["name"], extras, floor)


def requirements(project: dict[str, Any], extras: Iterable[str]) -> list[Requirement]:
    """The core dependencies and those of ``extras``, following the project's own extras it names."""
    own = normal(project["name"])
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    found = [parse(text) for text in project.get("dependencies", [])]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no extra {extra!r}; it has {', '.join(sorted(optional))}")
        seen.add(extra)
        for requirement in map(parse, optional[extra]):
            if normal(requirement.name) == own:
                todo.extend(requirement.extras)
            else:
                found.append(requirement)
    return found


def constraints(found: Iterable[Requirement]) -> list[str]:
    """``name==floor`` for each requirement with a floor, one line per package."""
    floors: dict[str, str] = {}
    for requirement in found:
        if requirement.floor is None:
            continue
        key = normal(requirement.name)
        if floors.setdefault(key, requirement.floor) != requirement.floor:
            raise ValueError(f"{key} has two floors in pyproject.toml: {floors[key]} and {requirement.floor}")
    return [f"{name}=={version}" for name, version in sorted(floors.items())]


def main(argv: Sequence[str]) -> int:
    project = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]
    try:
        lines = constraints(requirements(project, argv))
    except ValueError as err:
        print(f"floors: {err}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
